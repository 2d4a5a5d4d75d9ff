/* SPDX-License-Identifier: MIT */
/*
 * mcpcall: what the MCP server's methods share (see mcpcall.h).
 */
#include "skilld/handlers/mcpcall.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/app/app.h"
#include "skilld/base/jsonrpc.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

/* Fills f and returns NULL, so methods can `return mcp_fail(...)`. */
cJSON *mcp_fail(struct mcp_fail *f, int code, const char *fmt, ...)
{
	va_list ap;

	f->code = code;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return NULL;
}

/* The thread's reader, or NULL with f filled (internal error). */
struct store_reader *mcp_reader(struct mcp_call *c, struct mcp_fail *f)
{
	if (!c->r)
		c->r = store_reader(c->app->store);
	if (!c->r)
		mcp_fail(f, JSONRPC_INTERNAL_ERROR, "the index database cannot be opened");
	return c->r;
}

/* Logs the reader's error and fills f: the index could not be read. */
cJSON *mcp_db_fail(struct mcp_call *c, struct mcp_fail *f, const char *what)
{
	log_msg(&c->app->log, LOG_ERROR, "mcp: %s: %s", what, store_errmsg(c->r));
	return mcp_fail(f, JSONRPC_INTERNAL_ERROR, "the index could not be read");
}

/* skill://{slug}/{path} with every byte of slug and path other than
 * A-Z a-z 0-9 - . _ ~ (and '/' in the path) percent-encoded; free(). */
char *mcp_skill_uri(const char *slug, const char *path)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "skill://");
	url_encode(&b, slug, "");
	buf_putc(&b, '/');
	url_encode(&b, path, "/");
	return buf_detach(&b, NULL);
}

/* Splits skill://{slug}/{path} into decoded parts (free() both). -1 when
 * uri is not of that form or decodes to NUL or invalid UTF-8. */
int mcp_skill_uri_parse(const char *uri, char **slug, char **path)
{
	const char *s, *slash;

	*slug = *path = NULL;
	if (strncmp(uri, "skill://", 8) != 0)
		return -1;
	s = uri + 8;
	slash = strchr(s, '/');
	if (!slash || slash == s || slash[1] == '\0')
		return -1;
	*slug = url_decode(s, (size_t)(slash - s), false);
	*path = url_decode(slash + 1, strlen(slash + 1), false);
	if (!*slug || !*path) {
		free(*slug);
		free(*path);
		*slug = *path = NULL;
		return -1;
	}
	return 0;
}

/* {content:[{type:"text",text}]} plus isError when is_error. */
cJSON *mcp_text_result(const char *text, size_t len, bool is_error)
{
	cJSON *r = cJSON_CreateObject();
	cJSON *content = cJSON_AddArrayToObject(r, "content");
	cJSON *t = cJSON_CreateObject();
	char *copy = utf8_repair(text, len, NULL);

	cJSON_AddStringToObject(t, "type", "text");
	cJSON_AddStringToObject(t, "text", copy);
	free(copy);
	cJSON_AddItemToArray(content, t);
	if (is_error)
		cJSON_AddBoolToObject(r, "isError", true);
	return r;
}

/* A tool's failure the model should see: a result with isError. */
cJSON *mcp_tool_error(const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	cJSON *r;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r = mcp_text_result(b.data, b.len, true);
	buf_fini(&b);
	return r;
}

/* A result whose text is the JSON of structured, which it also carries as
 * structuredContent (taken over). */
cJSON *mcp_structured_result(cJSON *structured)
{
	char *text = cJSON_PrintUnformatted(structured);
	cJSON *r = mcp_text_result(text, strlen(text), false);

	cJSON_free(text);
	cJSON_AddItemToObject(r, "structuredContent", structured);
	return r;
}

/*
 * Checks a tool's arguments: every member must be one of the names in
 * allowed (NULL terminated). -1 with f filled (invalid params) otherwise.
 */
int mcp_args_known(const cJSON *args, const char *const *allowed, struct mcp_fail *f)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, args) {
		size_t i;

		for (i = 0; allowed[i]; i++)
			if (a->string && strcmp(a->string, allowed[i]) == 0)
				break;
		if (!allowed[i]) {
			mcp_fail(f, JSONRPC_INVALID_PARAMS, "unknown argument '%s'",
			     a->string ? a->string : "");
			return -1;
		}
	}
	return 0;
}

/* A string argument: *out set (NULL when absent and optional). -1 with f
 * filled when it is missing, not a string or empty. */
int mcp_arg_string(const cJSON *args, const char *key, bool required, const char **out,
		      struct mcp_fail *f)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);

	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument '%s' is required", key);
		return -1;
	}
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument '%s' must be a non-empty string", key);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/* Path of the skill's SKILL.md (or skill.md) into out; 0, 1 when the skill
 * is unknown, -1 on a database error. */
int mcp_skill_md_path(struct store_reader *r, const char *slug, char *out, size_t n)
{
	struct store_file md;
	int rc = store_file_of_kind(r, slug, "skill", &md);

	if (rc == 1)
		snprintf(out, n, "%.*s", (int)md.path.len, md.path.p);
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

void mcp_file_bytes_fini(struct mcp_file_bytes *b)
{
	free(b->mime);
	free(b->data);
}

/* Copies a stored file's bytes into out->data (NUL terminated, out->len
 * set). 0, or -1 with f filled (and out released) on a database error. */
static int file_load(struct mcp_call *c, const char *slug, const char *path,
		     struct mcp_file_bytes *out, struct mcp_fail *f)
{
	struct store_file sf;
	int rc = store_file_get(c->r, slug, path, &sf);

	if (rc == 1 && sf.content.p) {
		out->len = sf.content.len;
		out->data = xstrndup(sf.content.p, sf.content.len);
	}
	if (rc >= 0)
		return 0;  /* the snapshot whose files_json listed it: the row is there */
	mcp_db_fail(c, f, "reading a file");
	mcp_file_bytes_fini(out);
	return -1;
}

/* Fails f with the output-limit error when an answer holding at least need
 * bytes cannot fit in c->budget_left; 0 when it may. */
int mcp_budget_check(const struct mcp_call *c, size_t need, struct mcp_fail *f)
{
	if (need <= c->budget_left)
		return 0;
	mcp_fail(f, MCP_OUTPUT_LIMIT, MCP_LIMIT_MESSAGE, "at least ", need, c->budget_left,
	     c->app->cfg->max_mcp_output);
	return -1;
}

/* Reads a stored file. 0 with out filled, 1 when the skill has no such
 * file (*skill_known says whether the skill exists), -1 with f filled: a
 * database error, or bytes that cannot fit in what is left of the output
 * budget (checked on their size before they are read: a JSON string is
 * never shorter than the text, base64 is 4 bytes per 3). */
int mcp_file_read(struct mcp_call *c, const char *slug, const char *path, size_t cap,
		  struct mcp_file_bytes *out,
		     bool *skill_known, struct mcp_fail *f)
{
	struct store_reader *r = mcp_reader(c, f);
	struct store_file meta;
	char md[8];  /* only whether the skill exists matters */
	bool stored = false;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	*skill_known = false;
	if (!r)
		return -1;
	rc = store_file_meta(r, slug, path, &meta);
	if (rc == 1) {
		out->mime = xstrndup(meta.mime.p ? meta.mime.p : "", meta.mime.len);
		stored = meta.content.p != NULL;
		out->size = meta.size;
		len = out->size > 0 ? (size_t)out->size : 0;  /* a stored file's size is its length */
		out->text = meta.is_text;
		*skill_known = true;
	}
	if (rc == 1) {
		if (!stored)
			return 0;
		if (mcp_budget_check(c, out->text ? (len < cap ? len : cap) : 4 * ((len + 2) / 3),
				     f) != 0) {
			mcp_file_bytes_fini(out);
			return -1;
		}
		return file_load(c, slug, path, out, f);
	}
	if (rc < 0) {
		mcp_db_fail(c, f, "reading a file");
		return -1;
	}
	rc = mcp_skill_md_path(r, slug, md, sizeof(md));
	if (rc < 0) {
		mcp_db_fail(c, f, "looking a skill up");
		return -1;
	}
	*skill_known = rc == 0;
	return 1;
}
