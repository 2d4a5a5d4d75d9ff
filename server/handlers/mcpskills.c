/* SPDX-License-Identifier: MIT */
/*
 * mcpskills: resources, the MCP Skills extension, prompts and completion
 * (see mcpskills.h). Reads the index through the calling thread's reader.
 */
#include "skilld/handlers/mcpskills.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/app/app.h"
#include "skilld/base/cursor.h"
#include "skilld/base/jsonrpc.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

/* Adds one file to resources/list's answer. */
struct resource_page {
	cJSON *list;
	char *last_slug, *last_path;   /* the last file added (free()) */
};

static int resource_add(void *ctx, const char *slug, const struct store_file *sf)
{
	struct resource_page *rp = ctx;
	char *path = xstrndup(sf->path.p, sf->path.len);
	cJSON *o = cJSON_CreateObject();
	char *uri = mcp_skill_uri(slug, path), *name = xasprintf("%s/%s", slug, path);

	cJSON_AddStringToObject(o, "uri", uri);
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "mimeType", sf->mime.p ? sf->mime.p : "");
	cJSON_AddNumberToObject(o, "size", (double)sf->size);
	cJSON_AddItemToArray(rp->list, o);
	free(uri);
	free(name);
	free(rp->last_slug);
	free(rp->last_path);
	rp->last_slug = xstrdup(slug);
	rp->last_path = path;
	return 0;
}

cJSON *mcp_resources_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(params, "cursor");
	char *slug = NULL, *path = NULL;
	struct resource_page rp = { NULL, NULL, NULL };
	struct store_reader *r;
	cJSON *res;
	int more;

	if (cur && !cJSON_IsNull(cur) &&
	    (!cJSON_IsString(cur) || cursor_read(cur->valuestring, 'r', &slug, &path) != 0))
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "cursor is not one this server gave out");
	if (!(r = mcp_reader(c, f))) {
		free(slug);
		free(path);
		return NULL;
	}
	res = cJSON_CreateObject();
	rp.list = cJSON_AddArrayToObject(res, "resources");
	more = store_files_page(r, slug, path, MCP_PAGE_SIZE, resource_add, &rp);
	free(slug);
	free(path);
	if (more < 0) {
		free(rp.last_slug);
		free(rp.last_path);
		cJSON_Delete(res);
		return mcp_db_fail(c, f, "listing files");
	}
	if (more && rp.last_slug) {
		char *next = cursor_make('r', rp.last_slug, rp.last_path);

		cJSON_AddStringToObject(res, "nextCursor", next);
		free(next);
	}
	free(rp.last_slug);
	free(rp.last_path);
	return res;
}

cJSON *mcp_resources_read(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	const char *uri = jstr(params, "uri");
	char *slug, *path;
	struct mcp_file_bytes fb;
	cJSON *r, *contents, *o;
	bool known;
	int rc;

	if (!uri)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "resources/read needs params.uri (a string)");
	if (mcp_skill_uri_parse(uri, &slug, &path) != 0) {
		f->data = cJSON_CreateObject();
		cJSON_AddStringToObject(f->data, "uri", uri);
		return mcp_fail(f, MCP_RESOURCE_NOT_FOUND, "Resource not found: not a "
			    "skill://{slug}/{path} URI");
	}
	rc = mcp_file_read(c, slug, path, &fb, &known, f);
	free(slug);
	free(path);
	if (rc < 0)
		return NULL;
	if (rc == 1 || !fb.data) {
		f->data = cJSON_CreateObject();
		cJSON_AddStringToObject(f->data, "uri", uri);
		mcp_fail(f, MCP_RESOURCE_NOT_FOUND, "Resource not found%s",
		     rc == 1 ? (known ? ": the skill has no such file" : ": no skill has that slug")
			     : ": the file is larger than --max-file-size and not stored");
		if (rc == 0)
			mcp_file_bytes_fini(&fb);
		return NULL;
	}
	r = cJSON_CreateObject();
	contents = cJSON_AddArrayToObject(r, "contents");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "uri", uri);
	cJSON_AddStringToObject(o, "mimeType", fb.mime);
	if (fb.text) {
		char *text = utf8_repair(fb.data, fb.len, NULL);

		cJSON_AddStringToObject(o, "text", text);
		free(text);
	} else {
		char *b64 = base64_encode(fb.data, fb.len);

		cJSON_AddStringToObject(o, "blob", b64);
		free(b64);
	}
	cJSON_AddItemToArray(contents, o);
	mcp_file_bytes_fini(&fb);
	return r;
}

cJSON *mcp_templates_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	cJSON *r = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(r, "resourceTemplates");
	cJSON *t = cJSON_CreateObject();

	(void)c;
	(void)params;
	(void)f;
	cJSON_AddStringToObject(t, "uriTemplate", "skill://{slug}/{path}");
	cJSON_AddStringToObject(t, "name", "skill-file");
	cJSON_AddStringToObject(t, "title", "A file of a skill");
	cJSON_AddStringToObject(t, "description",
		"Any stored file of a skill by its path inside the skill folder, e.g. "
		"skill://http-api-review/SKILL.md or "
		"skill://http-api-review/references/review-checklist.md. Text files are read as "
		"text, others as base64 blobs.");
	cJSON_AddItemToArray(list, t);
	return r;
}
