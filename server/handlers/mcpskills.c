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
#include "skilld/indexing/skill.h"

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
	rc = mcp_file_read(c, slug, path, SIZE_MAX, &fb, &known, f);
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

/* ---- the Skills extension ---- */

/* How long a host may treat a listing or an entry as current (ttlMs):
 * the index reloads when the folders change. */
#define SKILLS_TTL_MS 60000

/* resultType, ttlMs and cacheScope, which the extension's results carry.
 * The listing is the same for every caller: "public". */
static void cacheable(cJSON *r)
{
	cJSON_AddStringToObject(r, "resultType", "complete");
	cJSON_AddNumberToObject(r, "ttlMs", SKILLS_TTL_MS);
	cJSON_AddStringToObject(r, "cacheScope", "public");
}

/* A number member, or 0. */
static double jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The skill's detail and files JSON from the index (cJSON_Delete both):
 * 0, 1 when no skill has the slug, -1 with f filled. */
static int skill_read(struct mcp_call *c, const char *slug, cJSON **detail, cJSON **files,
		      struct mcp_fail *f)
{
	struct store_reader *r = mcp_reader(c, f);
	struct store_skill sk;
	int rc;

	*detail = *files = NULL;
	if (!r)
		return -1;
	rc = store_skill_get(r, slug, &sk);
	if (rc < 0) {
		mcp_db_fail(c, f, "reading a skill");
		return -1;
	}
	if (rc == 0)
		return 1;
	*detail = cJSON_ParseWithLength(sk.detail.p, sk.detail.len);
	*files = cJSON_ParseWithLength(sk.files.p, sk.files.len);
	if (!cJSON_IsObject(*detail) || !cJSON_IsArray(*files)) {
		cJSON_Delete(*detail);
		cJSON_Delete(*files);
		*detail = *files = NULL;
		mcp_fail(f, JSONRPC_INTERNAL_ERROR, "the index holds no detail for '%s'", slug);
		return -1;
	}
	return 0;
}

/*
 * The extension's entry for a skill, {uri, frontmatter, resources}: 0 with
 * *entry set (cJSON_Delete), 1 when no skill has the slug or the skill
 * cannot be listed (*why says why), -1 with f filled.
 */
static int skill_entry(struct mcp_call *c, const char *slug, cJSON **entry, const char **why,
		       struct mcp_fail *f)
{
	struct skill_listing l = { .slug = slug, .complete = true };
	cJSON *detail, *files, *fm = NULL, *res, *it;
	const char *md_path = NULL;
	struct store_file md;
	char *uri;
	int rc;

	*entry = NULL;
	*why = "no skill has that name";
	rc = skill_read(c, slug, &detail, &files, f);
	if (rc != 0)
		return rc;
	l.valid = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(detail, "valid"));
	l.name = jstr(detail, "name");
	cJSON_ArrayForEach(it, files) {
		const char *kind = jstr(it, "kind");

		l.files++;
		l.bytes += (uint64_t)jnum(it, "size");
		if (!jstr(it, "digest") || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "stored")))
			l.complete = false;
		if (!md_path && kind && strcmp(kind, "skill") == 0)
			md_path = jstr(it, "path");
	}
	if (md_path) {
		rc = store_file_get(c->r, slug, md_path, &md);
		if (rc < 0) {
			cJSON_Delete(detail);
			cJSON_Delete(files);
			mcp_db_fail(c, f, "reading a SKILL.md");
			return -1;
		}
		if (rc == 1) {
			l.skill_md = md.content.p;
			l.skill_md_len = md.content.len;
		}
	}
	l.skill_md_path = md_path;
	*why = skill_extension_problem(&l, &fm);
	if (*why) {
		cJSON_Delete(detail);
		cJSON_Delete(files);
		return 1;
	}
	*entry = cJSON_CreateObject();
	uri = mcp_skill_uri(slug, md_path);
	cJSON_AddStringToObject(*entry, "uri", uri);
	free(uri);
	cJSON_AddItemToObject(*entry, "frontmatter", fm);
	res = cJSON_AddArrayToObject(*entry, "resources");
	cJSON_ArrayForEach(it, files) {
		cJSON *o = cJSON_CreateObject();
		char *digest = xasprintf("sha256:%s", jstr(it, "digest"));

		uri = mcp_skill_uri(slug, jstr(it, "path"));
		cJSON_AddStringToObject(o, "uri", uri);
		cJSON_AddStringToObject(o, "digest", digest);
		cJSON_AddNumberToObject(o, "size", jnum(it, "size"));
		cJSON_AddItemToArray(res, o);
		free(uri);
		free(digest);
	}
	cJSON_Delete(detail);
	cJSON_Delete(files);
	return 0;
}

/* A page of slugs, copied out of a store read. */
struct slug_page {
	char **slugs;
	size_t n, cap;
};

static int slug_add(void *ctx, const char *slug, struct store_bytes summary)
{
	struct slug_page *sp = ctx;

	(void)summary;
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 64;
		sp->slugs = xrealloc(sp->slugs, sp->cap * sizeof(*sp->slugs));
	}
	sp->slugs[sp->n++] = xstrdup(slug);
	return 0;
}

static void slug_page_fini(struct slug_page *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		free(sp->slugs[i]);
	free(sp->slugs);
}

/* A listing's cursor: *after set (free()) from params.cursor, NULL when
 * there is none; -1 with f filled when it is not one of tag's. */
static int cursor_param(const cJSON *params, char tag, char **after, struct mcp_fail *f)
{
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(params, "cursor");

	*after = NULL;
	if (!cur || cJSON_IsNull(cur))
		return 0;
	if (cJSON_IsString(cur) && cursor_read(cur->valuestring, tag, after, NULL) == 0)
		return 0;
	mcp_fail(f, JSONRPC_INVALID_PARAMS, "cursor is not one this server gave out");
	return -1;
}

cJSON *mcp_skills_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	struct slug_page sp = { NULL, 0, 0 };
	struct store_reader *r;
	size_t room, used = 0, done, len;
	char *after, *text;
	cJSON *res, *list;
	int more;

	if (cursor_param(params, 'k', &after, f) != 0)
		return NULL;
	if (!(r = mcp_reader(c, f))) {
		free(after);
		return NULL;
	}
	more = store_skills_page(r, after, MCP_PAGE_SIZE, slug_add, &sp);
	free(after);
	if (more < 0) {
		slug_page_fini(&sp);
		return mcp_db_fail(c, f, "listing skills");
	}
	res = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(res, "skills");
	/* A page ends early when its entries near what is left of the output
	 * budget (keeping room for the rest of the answer): at least one. */
	room = c->budget_left > 4096 ? c->budget_left - 4096 : 0;
	for (done = 0; done < sp.n; done++) {
		const char *why;
		cJSON *entry;
		int rc = skill_entry(c, sp.slugs[done], &entry, &why, f);

		if (rc < 0) {
			cJSON_Delete(res);
			slug_page_fini(&sp);
			return NULL;
		}
		if (rc != 0)
			continue;
		text = cJSON_PrintUnformatted(entry);
		len = strlen(text) + 1;
		cJSON_free(text);
		if (cJSON_GetArraySize(list) > 0 && used + len > room) {
			cJSON_Delete(entry);
			more = 1;
			break;
		}
		used += len;
		cJSON_AddItemToArray(list, entry);
	}
	if (more && done > 0) {
		char *next = cursor_make('k', sp.slugs[done - 1], NULL);

		cJSON_AddStringToObject(res, "nextCursor", next);
		free(next);
	}
	cacheable(res);
	slug_page_fini(&sp);
	return res;
}

cJSON *mcp_skills_get(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	const char *uri = jstr(params, "uri");
	char *slug, *path, *want;
	const char *why = "it is not a skill://{name}/SKILL.md URI";
	char why_buf[256];
	cJSON *entry = NULL, *res;
	int rc = 1;

	if (!uri)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "skills/get needs params.uri (a string)");
	if (mcp_skill_uri_parse(uri, &slug, &path) == 0) {
		rc = skill_entry(c, slug, &entry, &why, f);
		if (rc == 0) {
			want = mcp_skill_uri(slug, path);
			if (strcmp(want, jstr(entry, "uri")) != 0) {
				snprintf(why_buf, sizeof(why_buf), "the skill's SKILL.md is %.200s",
					 jstr(entry, "uri"));
				why = why_buf;
				cJSON_Delete(entry);
				rc = 1;
			}
			free(want);
		}
		free(slug);
		free(path);
	}
	if (rc < 0)
		return NULL;
	if (rc == 1)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "No skill is served at %.200s: %s", uri, why);
	res = cJSON_CreateObject();
	cJSON_AddItemToObject(res, "skill", entry);
	cacheable(res);
	return res;
}

/* Splits skill://{slug} or skill://{slug}/{dir} (one trailing '/' allowed)
 * into decoded parts (free() both; *dir "" for the skill's root). -1 when
 * uri is not of that form. */
static int dir_uri_parse(const char *uri, char **slug, char **dir)
{
	const char *s, *slash;
	size_t n;

	*slug = *dir = NULL;
	if (strncmp(uri, "skill://", 8) != 0)
		return -1;
	s = uri + 8;
	n = strlen(s);
	if (n > 0 && s[n - 1] == '/')
		n--;
	slash = memchr(s, '/', n);
	if ((slash ? slash : s + n) == s)
		return -1;
	*slug = url_decode(s, slash ? (size_t)(slash - s) : n, false);
	*dir = slash ? url_decode(slash + 1, (size_t)(s + n - slash - 1), false) : xstrdup("");
	if (!*slug || !*dir || (slash && !**dir)) {
		free(*slug);
		free(*dir);
		*slug = *dir = NULL;
		return -1;
	}
	return 0;
}

/* The direct children of dir ("" for the root) among a skill's files
 * (sorted by path), each {uri, name, mimeType[, size]}, subfolders as
 * inode/directory. *is_file is set when dir is itself a file. */
static cJSON *dir_children(const char *slug, const char *dir, const cJSON *files, bool *is_file)
{
	cJSON *out = cJSON_CreateArray(), *it;
	size_t dn = strlen(dir);
	char *last_dir = NULL;

	*is_file = false;
	cJSON_ArrayForEach(it, files) {
		const char *p = jstr(it, "path"), *rest, *slash;
		cJSON *o;
		char *uri;

		if (!p)
			continue;
		if (dn && strcmp(p, dir) == 0)
			*is_file = true;
		if (dn && (strncmp(p, dir, dn) != 0 || p[dn] != '/'))
			continue;
		rest = dn ? p + dn + 1 : p;
		slash = strchr(rest, '/');
		if (slash) {
			char *sub = xstrndup(p, (size_t)(slash - p));

			if (last_dir && strcmp(last_dir, sub) == 0) {
				free(sub);
				continue;
			}
			free(last_dir);
			last_dir = sub;
			o = cJSON_CreateObject();
			uri = mcp_skill_uri(slug, sub);
			cJSON_AddStringToObject(o, "uri", uri);
			free(uri);
			cJSON_AddStringToObject(o, "name", sub + (rest - p));
			cJSON_AddStringToObject(o, "mimeType", "inode/directory");
		} else {
			o = cJSON_CreateObject();
			uri = mcp_skill_uri(slug, p);
			cJSON_AddStringToObject(o, "uri", uri);
			free(uri);
			cJSON_AddStringToObject(o, "name", rest);
			cJSON_AddStringToObject(o, "mimeType", jstr(it, "mime") ? jstr(it, "mime") : "");
			cJSON_AddNumberToObject(o, "size", jnum(it, "size"));
		}
		cJSON_AddItemToArray(out, o);
	}
	free(last_dir);
	return out;
}

/* A directory read's cursor, (position, the directory's URI): *start, 0
 * without one; -1 with f filled when it is not one this server gave out
 * for this URI. */
static int dir_cursor(const cJSON *params, const char *uri, size_t *start, struct mcp_fail *f)
{
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(params, "cursor");
	char *pos = NULL, *for_uri = NULL;
	bool ok;

	*start = 0;
	if (!cur || cJSON_IsNull(cur))
		return 0;
	ok = cJSON_IsString(cur) && cursor_read(cur->valuestring, 'd', &pos, &for_uri) == 0 &&
	     strcmp(for_uri, uri) == 0 && strlen(pos) <= 9 && strspn(pos, "0123456789") == strlen(pos);
	if (ok)
		*start = (size_t)strtoul(pos, NULL, 10);
	free(pos);
	free(for_uri);
	if (ok)
		return 0;
	mcp_fail(f, JSONRPC_INVALID_PARAMS, "cursor is not one this server gave out for %.200s",
		 uri);
	return -1;
}

cJSON *mcp_directory_read(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	const char *uri = jstr(params, "uri");
	cJSON *detail, *files, *children, *res, *page;
	char *slug, *dir;
	size_t start, n;
	bool is_file;
	int rc;

	if (!uri)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS,
				"resources/directory/read needs params.uri (a string)");
	if (dir_cursor(params, uri, &start, f) != 0)
		return NULL;
	if (dir_uri_parse(uri, &slug, &dir) != 0)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "%.200s is not a directory resource "
				"(skill://{slug} or skill://{slug}/{folder})", uri);
	rc = skill_read(c, slug, &detail, &files, f);
	if (rc != 0) {
		free(slug);
		free(dir);
		return rc < 0 ? NULL : mcp_fail(f, JSONRPC_INVALID_PARAMS,
						"No directory at %.200s: no skill has that slug", uri);
	}
	children = dir_children(slug, dir, files, &is_file);
	cJSON_Delete(detail);
	cJSON_Delete(files);
	free(slug);
	n = (size_t)cJSON_GetArraySize(children);
	if (*dir && n == 0) {
		cJSON_Delete(children);
		free(dir);
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, is_file ?
				"%.200s is not a directory resource (it is a file: read it with "
				"resources/read)" : "No directory at %.200s", uri);
	}
	free(dir);
	if (start > 0 && start >= n) {
		cJSON_Delete(children);
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "cursor is past the end of %.200s (it "
				"changed since the cursor was given: read it again from the start)",
				uri);
	}
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "resultType", "complete");
	page = cJSON_AddArrayToObject(res, "resources");
	for (size_t i = start; i < n && i < start + MCP_PAGE_SIZE; i++)
		cJSON_AddItemToArray(page, cJSON_Duplicate(cJSON_GetArrayItem(children, (int)i), 1));
	if (start + MCP_PAGE_SIZE < n) {
		char next_pos[24], *next;

		snprintf(next_pos, sizeof(next_pos), "%zu", start + MCP_PAGE_SIZE);
		next = cursor_make('d', next_pos, uri);
		cJSON_AddStringToObject(res, "nextCursor", next);
		free(next);
	}
	cJSON_Delete(children);
	return res;
}

/* ---- prompts ---- */

#define TASK_ARG_DESCRIPTION "What to do with the skill: the code, document or question it " \
	"should be applied to (optional)"

/* Adds one valid skill to prompts/list's answer. */
struct prompt_page {
	cJSON *list;
	char *last;     /* the last slug seen (free()) */
};

static int prompt_add(void *ctx, const char *slug, struct store_bytes summary)
{
	struct prompt_page *pp = ctx;
	cJSON *sum = cJSON_ParseWithLength(summary.p, summary.len);
	const char *desc = jstr(sum, "description");

	free(pp->last);
	pp->last = xstrdup(slug);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "valid")) && desc && *desc) {
		cJSON *o = cJSON_CreateObject(), *args, *a = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", slug);
		cJSON_AddStringToObject(o, "description", desc);
		args = cJSON_AddArrayToObject(o, "arguments");
		cJSON_AddStringToObject(a, "name", "task");
		cJSON_AddStringToObject(a, "description", TASK_ARG_DESCRIPTION);
		cJSON_AddBoolToObject(a, "required", false);
		cJSON_AddItemToArray(args, a);
		cJSON_AddItemToArray(pp->list, o);
	}
	cJSON_Delete(sum);
	return 0;
}

cJSON *mcp_prompts_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	struct prompt_page pp = { NULL, NULL };
	struct store_reader *r;
	char *after;
	cJSON *res;
	int more;

	if (cursor_param(params, 'p', &after, f) != 0)
		return NULL;
	if (!(r = mcp_reader(c, f))) {
		free(after);
		return NULL;
	}
	res = cJSON_CreateObject();
	pp.list = cJSON_AddArrayToObject(res, "prompts");
	more = store_skills_page(r, after, MCP_PAGE_SIZE, prompt_add, &pp);
	free(after);
	if (more < 0) {
		free(pp.last);
		cJSON_Delete(res);
		return mcp_db_fail(c, f, "listing skills");
	}
	if (more && pp.last) {
		char *next = cursor_make('p', pp.last, NULL);

		cJSON_AddStringToObject(res, "nextCursor", next);
		free(next);
	}
	free(pp.last);
	return res;
}

/* A message {role:"user", content} of prompts/get (content taken over). */
static void user_message(cJSON *messages, cJSON *content)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddItemToObject(m, "content", content);
	cJSON_AddItemToArray(messages, m);
}

/* A text content block {type:"text", text} (repaired to UTF-8). */
static cJSON *text_content(const char *text, size_t len)
{
	cJSON *t = cJSON_CreateObject();
	char *copy = utf8_repair(text, len, NULL);

	cJSON_AddStringToObject(t, "type", "text");
	cJSON_AddStringToObject(t, "text", copy);
	free(copy);
	return t;
}

/* The links of prompts/get to the skill's references (files under
 * references/): resource_link contents, or for 2025-03-26 (which has no
 * links) one text listing their URIs. */
static void reference_links(const struct mcp_call *c, cJSON *messages, const char *slug,
			    const cJSON *files)
{
	bool links = strcmp(c->version, "2025-03-26") != 0;
	struct buf list;
	const cJSON *it;

	buf_init(&list);
	cJSON_ArrayForEach(it, files) {
		const char *p = jstr(it, "path");
		char *uri;

		if (!p || strncmp(p, "references/", 11) != 0)
			continue;
		uri = mcp_skill_uri(slug, p);
		if (links) {
			cJSON *l = cJSON_CreateObject();

			cJSON_AddStringToObject(l, "type", "resource_link");
			cJSON_AddStringToObject(l, "uri", uri);
			cJSON_AddStringToObject(l, "name", p);
			if (jstr(it, "mime"))
				cJSON_AddStringToObject(l, "mimeType", jstr(it, "mime"));
			cJSON_AddNumberToObject(l, "size", jnum(it, "size"));
			user_message(messages, l);
		} else {
			buf_printf(&list, "%s- %s\n", list.len ? "" : "The skill's references, "
				   "readable as resources:\n\n", uri);
		}
		free(uri);
	}
	if (list.len)
		user_message(messages, text_content(list.data, list.len));
	buf_fini(&list);
}

/* prompts/get's arguments: *task set (NULL when not given); -1 with f
 * filled when they are not an object of strings holding only task. */
static int prompt_task(const cJSON *args, const char **task, struct mcp_fail *f)
{
	const cJSON *a;

	*task = NULL;
	if (!args || cJSON_IsNull(args))
		return 0;
	if (!cJSON_IsObject(args)) {
		mcp_fail(f, JSONRPC_INVALID_PARAMS, "params.arguments must be an object");
		return -1;
	}
	cJSON_ArrayForEach(a, args) {
		if (!a->string || strcmp(a->string, "task") != 0) {
			mcp_fail(f, JSONRPC_INVALID_PARAMS, "unknown argument '%.100s' (a skill's prompt "
				 "takes only 'task')", a->string ? a->string : "");
			return -1;
		}
		if (!cJSON_IsString(a)) {
			mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument 'task' must be a string");
			return -1;
		}
		*task = a->valuestring;
	}
	return 0;
}

cJSON *mcp_prompts_get(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	const char *name = jstr(params, "name"), *task = NULL, *md_path = NULL;
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	struct mcp_file_bytes fb;
	cJSON *detail, *files, *res, *messages, *it;
	bool known;
	int rc;

	if (!name)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "prompts/get needs params.name (a string)");
	rc = skill_read(c, name, &detail, &files, f);
	if (rc < 0)
		return NULL;
	if (rc == 0 && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(detail, "valid"))) {
		cJSON_Delete(detail);
		cJSON_Delete(files);
		rc = 1;
	}
	if (rc == 1)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "Unknown prompt '%.200s' (see prompts/list)",
				name);
	if (prompt_task(args, &task, f) != 0) {
		cJSON_Delete(detail);
		cJSON_Delete(files);
		return NULL;
	}
	cJSON_ArrayForEach(it, files)
		if (!md_path && jstr(it, "kind") && strcmp(jstr(it, "kind"), "skill") == 0)
			md_path = jstr(it, "path");
	rc = md_path ? mcp_file_read(c, name, md_path, SIZE_MAX, &fb, &known, f) : 1;
	if (rc != 0 || !fb.data) {
		if (rc == 0)
			mcp_file_bytes_fini(&fb);
		cJSON_Delete(detail);
		cJSON_Delete(files);
		return rc < 0 ? NULL : mcp_fail(f, JSONRPC_INTERNAL_ERROR,
						"the SKILL.md of '%.200s' is not stored", name);
	}
	res = cJSON_CreateObject();
	if (jstr(detail, "description"))
		cJSON_AddStringToObject(res, "description", jstr(detail, "description"));
	messages = cJSON_AddArrayToObject(res, "messages");
	user_message(messages, text_content(fb.data, fb.len));
	reference_links(c, messages, name, files);
	if (task && *task) {
		char *t = xasprintf("Task: %s", task);

		user_message(messages, text_content(t, strlen(t)));
		free(t);
	}
	mcp_file_bytes_fini(&fb);
	cJSON_Delete(detail);
	cJSON_Delete(files);
	return res;
}

/* ---- completion ---- */

/* At most this many values per completion (the specification's limit). */
#define COMPLETE_MAX 100

struct completion {
	cJSON *values;
	const char *typed;   /* what the user typed so far */
	size_t n;            /* values that matched, all of them */
};

static void complete_add(struct completion *cp, const char *v)
{
	if (cp->n++ < COMPLETE_MAX)
		cJSON_AddItemToArray(cp->values, cJSON_CreateString(v));
}

/* Slugs that start with what was typed (they sort, so stop past them). */
static int slug_complete(void *ctx, const char *slug, struct store_bytes summary)
{
	struct completion *cp = ctx;
	size_t n = strlen(cp->typed);
	int cmp = strncmp(slug, cp->typed, n);

	(void)summary;
	if (cmp == 0)
		complete_add(cp, slug);
	return cmp > 0;
}

/* Values for the template skill://{slug}/{path}: slugs, or the paths of
 * the skill named in context.arguments.slug. */
static int complete_resource(struct mcp_call *c, const char *arg, const cJSON *params,
			     struct completion *cp, struct mcp_fail *f)
{
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(params, "context");
	const char *slug = jstr(cJSON_GetObjectItemCaseSensitive(ctx, "arguments"), "slug");
	struct store_reader *r;
	cJSON *detail, *files, *it;
	int rc;

	if (strcmp(arg, "slug") == 0) {
		if (!(r = mcp_reader(c, f)))
			return -1;
		if (store_skills_page(r, NULL, -1, slug_complete, cp) < 0) {
			mcp_db_fail(c, f, "listing skills");
			return -1;
		}
		return 0;
	}
	if (strcmp(arg, "path") != 0 || !slug)
		return 0;
	rc = skill_read(c, slug, &detail, &files, f);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	cJSON_ArrayForEach(it, files) {
		const char *p = jstr(it, "path");

		if (p && strncmp(p, cp->typed, strlen(cp->typed)) == 0)
			complete_add(cp, p);
	}
	cJSON_Delete(detail);
	cJSON_Delete(files);
	return 0;
}

/* Values for a skill's prompt argument task: the prompts of the skill's
 * evals (real tasks it was written for) that hold what was typed. */
static int complete_task(struct mcp_call *c, const char *slug, struct completion *cp,
			 struct mcp_fail *f)
{
	struct store_reader *r = mcp_reader(c, f);
	struct store_skill sk;
	cJSON *evals, *it;
	int rc;

	if (!r)
		return -1;
	rc = store_skill_get(r, slug, &sk);
	if (rc < 0) {
		mcp_db_fail(c, f, "reading a skill");
		return -1;
	}
	if (rc == 0 || !sk.evals.p)
		return 0;
	evals = cJSON_ParseWithLength(sk.evals.p, sk.evals.len);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(evals, "evals")) {
		const char *p = jstr(it, "prompt");

		if (p && strcasestr(p, cp->typed))
			complete_add(cp, p);
	}
	cJSON_Delete(evals);
	return 0;
}

cJSON *mcp_complete(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(params, "ref");
	const cJSON *arg = cJSON_GetObjectItemCaseSensitive(params, "argument");
	const char *type = jstr(ref, "type"), *name = jstr(arg, "name");
	struct completion cp = { NULL, jstr(arg, "value"), 0 };
	cJSON *res, *comp;
	int rc = 0;

	if (!type || !name || !cp.typed)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "completion/complete needs params.ref "
				"{type, name or uri} and params.argument {name, value}, strings");
	res = cJSON_CreateObject();
	comp = cJSON_AddObjectToObject(res, "completion");
	cp.values = cJSON_AddArrayToObject(comp, "values");
	if (strcmp(type, "ref/prompt") == 0 && jstr(ref, "name") && strcmp(name, "task") == 0)
		rc = complete_task(c, jstr(ref, "name"), &cp, f);
	else if (strcmp(type, "ref/resource") == 0 && jstr(ref, "uri") &&
		 strcmp(jstr(ref, "uri"), "skill://{slug}/{path}") == 0)
		rc = complete_resource(c, name, params, &cp, f);
	else if (strcmp(type, "ref/prompt") != 0 && strcmp(type, "ref/resource") != 0)
		rc = -1;
	if (rc < 0 && !f->code)
		mcp_fail(f, JSONRPC_INVALID_PARAMS, "params.ref.type must be ref/prompt or "
			 "ref/resource");
	if (rc < 0) {
		cJSON_Delete(res);
		return NULL;
	}
	cJSON_AddNumberToObject(comp, "total", (double)cp.n);
	cJSON_AddBoolToObject(comp, "hasMore", cp.n > COMPLETE_MAX);
	return res;
}
