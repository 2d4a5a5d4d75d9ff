/* SPDX-License-Identifier: MIT */
/*
 * mcp: the MCP server at POST /mcp. Transport checks (Content-Type, Accept,
 * protocol version, session; Host and Origin are the pipeline's, as the
 * route is ROUTE_JSONRPC), then one JSON-RPC message after the
 * other through a method table; tools through a tool table. Runs on the
 * worker threads; its only state is the request's, plus the thread's reader
 * connection and the read-only per-process secret in struct app.
 */
#include "skilld/handlers/mcp.h"

#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/base/jsonrpc.h"
#include "skilld/store/search.h"
#include "skilld/store/snippet.h"
#include "skilld/base/text.h"
#include "skilld/base/cursor.h"
#include "skilld/base/tokens.h"
#include "skilld/base/util.h"
#include "skilld/handlers/mcpcall.h"
#include "skilld/handlers/mcpskills.h"
#include "skilld/handlers/reviews.h"

#ifndef SKILLD_VERSION
#define SKILLD_VERSION "dev"
#endif

/* Bytes beyond an answer's room given to cJSON_PrintPreallocated, which
 * wants more free space than it writes (26 bytes for any number). */
#define PRINT_SLACK 64

static const char *const versions[] = { "2025-11-25", "2025-06-18", "2025-03-26" };

static const char *version_find(const char *v)
{
	for (size_t i = 0; v && i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(v, versions[i]) == 0)
			return versions[i];
	return NULL;
}

bool mcp_version_supported(const char *v)
{
	return version_find(v) != NULL;
}

struct mcp_state {
	unsigned char secret[32];   /* keys the session ids' HMAC */
};

struct mcp_state *mcp_state_new(void)
{
	struct mcp_state *m = xcalloc(1, sizeof(*m));

	if (getrandom(m->secret, sizeof(m->secret), 0) != (ssize_t)sizeof(m->secret)) {
		free(m);
		return NULL;
	}
	return m;
}

void mcp_state_free(struct mcp_state *m)
{
	free(m);
}

/* HMAC-SHA256 over "mcp-session:<nonce>.<version>" as 64 hex digits. */
static void session_mac(const struct app *app, const char *nonce, const char *version,
			char out[SHA256_HEX_LEN + 1])
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "mcp-session:%s.%s", nonce, version);

	hmac_sha256_hex(app->mcp->secret, sizeof(app->mcp->secret), msg, (size_t)n, out);
}

int mcp_session_new(const struct app *app, const char *version, char out[MCP_SESSION_ID_LEN + 1])
{
	unsigned char raw[16];
	char nonce[33], mac[SHA256_HEX_LEN + 1];

	if (!version_find(version) ||
	    getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -1;
	hex_encode(raw, sizeof(raw), nonce);
	session_mac(app, nonce, version, mac);
	snprintf(out, MCP_SESSION_ID_LEN + 1, "%s.%s.%s", nonce, version, mac);
	return 0;
}

const char *mcp_session_check(const struct app *app, const char *id)
{
	char nonce[33], version[11], mac[SHA256_HEX_LEN + 1];
	const char *v;

	if (!id || strlen(id) != MCP_SESSION_ID_LEN || id[32] != '.' || id[43] != '.')
		return NULL;
	for (int i = 0; i < 32; i++)
		if (!strchr("0123456789abcdef", id[i]) || id[i] == '\0')
			return NULL;
	memcpy(nonce, id, 32);
	nonce[32] = '\0';
	memcpy(version, id + 33, 10);
	version[10] = '\0';
	v = version_find(version);
	if (!v)
		return NULL;
	session_mac(app, nonce, v, mac);
	if (!ct_equal(mac, id + 44))
		return NULL;
	return v;
}

/* ---- transport checks ---- */

/* application/json, with parameters allowed. */
static bool content_type_ok(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, "application/json", 16) != 0)
		return false;
	ct += 16;
	return *ct == '\0' || *ct == ';' || *ct == ' ' || *ct == '\t';
}

/* Does an Accept header (absent or blank: anything) allow application/json
 * with a q above 0? */
static bool accept_ok(const char *accept)
{
	const char *p = accept;
	bool any = false;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		const char *semi = memchr(p, ';', n);
		size_t tlen = semi ? (size_t)(semi - p) : n;
		const char *t = p;
		double q = 1.0;

		while (tlen > 0 && (*t == ' ' || *t == '\t')) {
			t++;
			tlen--;
		}
		while (tlen > 0 && (t[tlen - 1] == ' ' || t[tlen - 1] == '\t'))
			tlen--;
		if (tlen > 0)
			any = true;
		for (const char *s = semi; s && s < p + n; s = memchr(s + 1, ';', (size_t)(p + n - s - 1))) {
			const char *v = s + 1;

			while (v < p + n && *v == ' ')
				v++;
			if (v + 1 < p + n && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=')
				q = strtod(v + 2, NULL);
		}
		if (q > 0.0 && q <= 1.0 &&
		    ((tlen == 16 && strncasecmp(t, "application/json", 16) == 0) ||
		     (tlen == 13 && strncasecmp(t, "application/*", 13) == 0) ||
		     (tlen == 3 && strncmp(t, "*/*", 3) == 0)))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return !any;
}

/* An HTTP error of the transport: status with a JSON-RPC error body. */
static void http_fail(struct response *res, int status, const cJSON *id, int code, const char *msg)
{
	cJSON *e = jsonrpc_error(id, code, msg, NULL);

	response_json(res, status, e);
	cJSON_Delete(e);
}

/* ---- tools ---- */

/* Adds one skill to list_skills' answer. */
struct skill_page {
	struct store_reader *r;
	cJSON *skills;
	char *last;     /* the last slug added (free()) */
};

static int skill_page_add(void *ctx, const char *slug, struct store_bytes summary)
{
	struct skill_page *sp = ctx;
	cJSON *sum = cJSON_ParseWithLength(summary.p, summary.len);
	cJSON *o = cJSON_CreateObject();
	char *uri, *s = xstrdup(slug);
	char md[4096];

	cJSON_AddStringToObject(o, "slug", s);
	jadd_str_or_null(o, "name", jstr(sum, "name"));
	jadd_str_or_null(o, "description", jstr(sum, "description"));
	jadd_str_or_null(o, "tier", jstr(sum, "tier"));
	cJSON_Delete(sum);
	/* Another read on r: slug and summary are not valid past here. */
	if (mcp_skill_md_path(sp->r, s, md, sizeof(md)) != 0)
		snprintf(md, sizeof(md), "SKILL.md");
	uri = mcp_skill_uri(s, md);
	cJSON_AddStringToObject(o, "uri", uri);
	free(uri);
	cJSON_AddItemToArray(sp->skills, o);
	free(sp->last);
	sp->last = s;
	return 0;
}

static cJSON *tool_list_skills(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "cursor", NULL };
	const char *cursor;
	char *after = NULL;
	struct skill_page sp = { NULL, NULL, NULL };
	cJSON *out;
	int more;

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "cursor", false, &cursor, f))
		return NULL;
	if (cursor && cursor_read(cursor, 's', &after, NULL) != 0)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "cursor is not one this server gave out");
	if (!(sp.r = mcp_reader(c, f))) {
		free(after);
		return NULL;
	}
	out = cJSON_CreateObject();
	sp.skills = cJSON_AddArrayToObject(out, "skills");
	more = store_skills_page(sp.r, after, MCP_PAGE_SIZE, skill_page_add, &sp);
	free(after);
	if (more < 0) {
		free(sp.last);
		cJSON_Delete(out);
		return mcp_db_fail(c, f, "listing skills");
	}
	if (more && sp.last) {
		char *next = cursor_make('s', sp.last, NULL);

		cJSON_AddStringToObject(out, "nextCursor", next);
		free(next);
	} else {
		cJSON_AddNullToObject(out, "nextCursor");
	}
	free(sp.last);
	return mcp_structured_result(out);
}

/* The skill's prebuilt detail JSON (cJSON_Delete), NULL with *missing set
 * when no skill has that slug, or NULL with f filled on a database error. */
static cJSON *skill_detail(struct mcp_call *c, const char *slug, bool *missing, struct mcp_fail *f)
{
	struct store_reader *r = mcp_reader(c, f);
	struct store_skill sk;
	cJSON *detail = NULL;
	int rc;

	*missing = false;
	if (!r)
		return NULL;
	rc = store_skill_get(r, slug, &sk);
	if (rc == 1 && sk.detail.p)
		detail = cJSON_ParseWithLength(sk.detail.p, sk.detail.len);
	if (rc == 0)
		*missing = true;
	else if (rc < 0)
		return mcp_db_fail(c, f, "reading a skill");
	else if (!detail)
		return mcp_fail(f, JSONRPC_INTERNAL_ERROR, "the index holds no detail for '%s'", slug);
	return detail;
}

/* A read tool's token budget: max_tokens (1..TOKENS_MAX_BUDGET) and offset
 * (>= 0, only with max_tokens); *max_tokens 0 when not given. -1 with f
 * filled when they are not such integers. */
static int budget_args(const cJSON *args, size_t *max_tokens, size_t *offset, struct mcp_fail *f)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(args, "max_tokens");
	const cJSON *off = cJSON_GetObjectItemCaseSensitive(args, "offset");
	double v;

	*max_tokens = *offset = 0;
	if (mt) {
		v = cJSON_GetNumberValue(mt);
		if (!cJSON_IsNumber(mt) || v != (double)(long long)v || v < 1 || v > TOKENS_MAX_BUDGET) {
			mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument 'max_tokens' must be an integer "
				 "from 1 to %ld", TOKENS_MAX_BUDGET);
			return -1;
		}
		*max_tokens = (size_t)v;
	}
	if (off) {
		v = cJSON_GetNumberValue(off);
		if (!cJSON_IsNumber(off) || v != (double)(long long)v || v < 0 || v > 1e15) {
			mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument 'offset' must be an integer, 0 or "
				 "more (the offset a cut answer's note gives)");
			return -1;
		}
		if (!mt) {
			mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument 'offset' goes with max_tokens: it "
				 "continues an answer cut to that budget");
			return -1;
		}
		*offset = (size_t)v;
	}
	return 0;
}

/* The bytes of a file the answer holds at most under a budget. */
static size_t budget_cap(size_t max_tokens)
{
	return max_tokens ? max_tokens * 4 : SIZE_MAX;
}

/*
 * The text result of a text file's bytes under a token budget: the whole
 * text without one (max_tokens 0), else the part at offset with its note
 * (tokens_answer), which names tool and the next offset; where the part
 * lies goes into *part (a new {offset, next_offset, length, last,
 * frontmatter_dropped}; NULL when the text came whole). An offset that
 * cannot start a part is a tool error saying why.
 */
static cJSON *text_part(const char *tool, const char *data, size_t len, size_t max_tokens,
			size_t offset, cJSON **part)
{
	struct tokens_part tp;
	char *out = NULL, *ref;
	size_t out_len = 0;
	enum tokens_status st;
	cJSON *r;

	*part = NULL;
	if (!max_tokens)
		return mcp_text_result(data, len, false);
	ref = xasprintf("%s with the same arguments and offset=", tool);
	st = tokens_answer(data, len, offset, max_tokens, ref, &tp, &out, &out_len);
	free(ref);
	switch (st) {
	case TOKENS_OK:
		break;
	case TOKENS_PAST_END:
		return mcp_tool_error("offset %zu is at or past the end of the text (%zu bytes).",
				      offset, len);
	case TOKENS_IN_FRONTMATTER:
		return mcp_tool_error("offset %zu is inside the frontmatter, which is never cut: "
				      "start at 0 or at %zu.", offset, tokens_frontmatter_end(data, len));
	default:
		return mcp_tool_error("offset %zu is inside a character or a line end: use the "
				      "offset a cut answer gave.", offset);
	}
	if (tp.whole)
		return mcp_text_result(data, len, false);
	r = mcp_text_result(out, out_len, false);
	free(out);
	*part = cJSON_CreateObject();
	cJSON_AddNumberToObject(*part, "offset", (double)tp.start);
	if (tp.last)
		cJSON_AddNullToObject(*part, "next_offset");
	else
		cJSON_AddNumberToObject(*part, "next_offset", (double)tp.end);
	cJSON_AddNumberToObject(*part, "length", (double)len);
	cJSON_AddBoolToObject(*part, "last", tp.last);
	cJSON_AddBoolToObject(*part, "frontmatter_dropped", tp.frontmatter_dropped);
	return r;
}

static cJSON *tool_get_skill(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "slug", "max_tokens", "offset", NULL };
	const char *slug, *md = NULL;
	const cJSON *files, *file;
	struct mcp_file_bytes fb;
	cJSON *detail, *out, *list, *r, *part = NULL;
	size_t max_tokens, offset;
	bool missing, known;
	char *uri;
	int rc;

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "slug", true, &slug, f) ||
	    budget_args(args, &max_tokens, &offset, f))
		return NULL;
	detail = skill_detail(c, slug, &missing, f);
	if (!detail)
		return missing ? mcp_tool_error("No skill has the slug '%s'. Use list_skills or "
					    "search_skills to find one.", slug) : NULL;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "slug", slug);
	jadd_str_or_null(out, "name", jstr(detail, "name"));
	jadd_str_or_null(out, "description", jstr(detail, "description"));
	jadd_str_or_null(out, "tier", jstr(detail, "tier"));
	list = cJSON_AddArrayToObject(out, "files");
	files = cJSON_GetObjectItemCaseSensitive(detail, "files");
	cJSON_ArrayForEach(file, files) {
		const char *path = jstr(file, "path");
		const char *kind = jstr(file, "kind");
		cJSON *o;

		if (!path)
			continue;
		if (kind && strcmp(kind, "skill") == 0 && !md)
			md = path;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", path);
		cJSON_AddNumberToObject(o, "size",
					cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(file, "size")));
		jadd_str_or_null(o, "mime", jstr(file, "mime"));
		cJSON_AddItemToArray(list, o);
	}
	uri = mcp_skill_uri(slug, md ? md : "SKILL.md");
	cJSON_AddStringToObject(out, "uri", uri);
	free(uri);
	rc = mcp_file_read(c, slug, md ? md : "SKILL.md", budget_cap(max_tokens), &fb, &known, f);
	if (rc < 0) {
		cJSON_Delete(detail);
		cJSON_Delete(out);
		return NULL;
	}
	if (rc == 0 && fb.data)
		r = text_part("get_skill", fb.data, fb.len, max_tokens, offset, &part);
	else
		r = mcp_tool_error("The SKILL.md of '%s' is not stored (larger than the server's "
			       "--max-file-size).", slug);
	mcp_file_bytes_fini(&fb);
	cJSON_Delete(detail);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "isError"))) {
		cJSON_Delete(out);
		return r;
	}
	if (part)
		cJSON_AddItemToObject(out, "part", part);
	cJSON_AddItemToObject(r, "structuredContent", out);
	return r;
}

static cJSON *tool_read_skill_file(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "slug", "path", "max_tokens", "offset", NULL };
	const char *slug, *path;
	struct mcp_file_bytes fb;
	size_t max_tokens, offset;
	bool known;
	cJSON *r, *part;
	int rc;

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "slug", true, &slug, f) ||
	    mcp_arg_string(args, "path", true, &path, f) || budget_args(args, &max_tokens, &offset, f))
		return NULL;
	rc = mcp_file_read(c, slug, path, budget_cap(max_tokens), &fb, &known, f);
	if (rc < 0)
		return NULL;
	if (rc == 1)
		return known ? mcp_tool_error("Skill '%s' has no file '%s'. get_skill lists its files.",
					  slug, path)
			     : mcp_tool_error("No skill has the slug '%s'. Use list_skills or "
					  "search_skills to find one.", slug);
	if (!fb.data) {
		r = mcp_tool_error("'%s' of skill '%s' (%lld bytes) is larger than the server's "
			       "--max-file-size; its bytes are not stored.", path, slug, fb.size);
	} else if (fb.text) {
		r = text_part("read_skill_file", fb.data, fb.len, max_tokens, offset, &part);
		if (part)
			cJSON_AddItemToObject(r, "structuredContent", part);
	} else if (max_tokens) {
		r = mcp_tool_error("'%s' of skill '%s' is not text (%s): max_tokens and offset "
				   "apply to text files; read it without them.", path, slug, fb.mime);
	} else {
		cJSON *content, *item, *res;
		char *uri = mcp_skill_uri(slug, path), *b64 = base64_encode(fb.data, fb.len);

		r = cJSON_CreateObject();
		content = cJSON_AddArrayToObject(r, "content");
		item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "type", "resource");
		res = cJSON_AddObjectToObject(item, "resource");
		cJSON_AddStringToObject(res, "uri", uri);
		cJSON_AddStringToObject(res, "mimeType", fb.mime);
		cJSON_AddStringToObject(res, "blob", b64);
		cJSON_AddItemToArray(content, item);
		free(uri);
		free(b64);
	}
	mcp_file_bytes_fini(&fb);
	return r;
}

static cJSON *tool_search_skills(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "query", "limit", "kind", NULL };
	static const char *const kinds[] = { "skill", "reference", "checklist", "eval" };
	struct search_query sq = { 0 };
	const cJSON *limit = cJSON_GetObjectItemCaseSensitive(args, "limit");
	const cJSON *hit;
	struct store_reader *r;
	cJSON *found = NULL, *out, *results;
	char err[256];
	int rc;

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "query", true, &sq.q, f) ||
	    mcp_arg_string(args, "kind", false, &sq.kind, f))
		return NULL;
	if (sq.kind) {
		size_t i;

		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcmp(sq.kind, kinds[i]) == 0)
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0]))
			return mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument 'kind' must be skill, "
				    "reference, checklist or eval");
	}
	if (limit) {
		double v = cJSON_GetNumberValue(limit);

		if (!cJSON_IsNumber(limit) || !(v >= 1 && v <= SEARCH_MAX_LIMIT) || v != (int)v)
			return mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument 'limit' must be an integer "
				    "from 1 to %d", SEARCH_MAX_LIMIT);
		sq.limit = (int)v;
	}
	if (!(r = mcp_reader(c, f)))
		return NULL;
	rc = search_run(r, &sq, &found, err, sizeof(err));
	if (rc == SEARCH_BAD_REQUEST)
		return mcp_tool_error("The query cannot be searched: %s. Use words, \"a phrase\", "
				  "prefix* or -excluded.", err);
	if (rc != 0) {
		log_msg(&c->app->log, LOG_ERROR, "mcp: search: %s", err);
		return mcp_fail(f, JSONRPC_INTERNAL_ERROR, "the search index could not be read");
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "query", sq.q);
	cJSON_AddNumberToObject(out, "total",
				cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(found, "total")));
	cJSON_AddBoolToObject(out, "total_exact",
			      !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(found, "total_exact")));
	/* "any": no row held every word, the rows that hold most come first */
	jadd_str_or_null(out, "match", jstr(found, "match"));
	if (cJSON_GetObjectItemCaseSensitive(found, "ignored"))
		cJSON_AddItemToObject(out, "ignored", cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(found, "ignored"), 1));
	results = cJSON_AddArrayToObject(out, "results");
	cJSON_ArrayForEach(hit, cJSON_GetObjectItemCaseSensitive(found, "data")) {
		const char *skill = jstr(hit, "skill"), *path = jstr(hit, "path");
		const char *snippet = jstr(hit, "snippet");
		cJSON *o = cJSON_CreateObject();
		char *uri, *md;

		if (!skill || !path) {
			cJSON_Delete(o);
			continue;
		}
		uri = mcp_skill_uri(skill, path);
		md = snippet_markdown(snippet ? snippet : "");
		jadd_str_or_null(o, "kind", jstr(hit, "kind"));
		cJSON_AddStringToObject(o, "skill", skill);
		cJSON_AddStringToObject(o, "path", path);
		jadd_str_or_null(o, "title", jstr(hit, "title"));
		jadd_str_or_null(o, "anchor", jstr(hit, "anchor"));
		cJSON_AddStringToObject(o, "snippet", md);
		cJSON_AddNumberToObject(o, "score",
					cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(hit, "score")));
		jadd_str_or_null(o, "url", jstr(hit, "url"));
		cJSON_AddStringToObject(o, "uri", uri);
		cJSON_AddItemToArray(results, o);
		free(uri);
		free(md);
	}
	cJSON_Delete(found);
	return mcp_structured_result(out);
}

/* resolve_skill: the skills that fit a task in plain words, best first, as
 * text a model reads (what to call next) and as structured content. */
static cJSON *tool_resolve_skill(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "task", "limit", NULL };
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(args, "limit");
	const char *task;
	struct store_reader *r;
	cJSON *found = NULL, *out, *list, *hit;
	char err[256] = "";
	struct buf text;
	int k = 3, rc, n = 0;

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "task", true, &task, f))
		return NULL;
	if (lim) {
		double v = cJSON_GetNumberValue(lim);

		if (!cJSON_IsNumber(lim) || v != (double)(int)v || v < 1 || v > RESOLVE_MAX_K)
			return mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument 'limit' must be an integer "
					"from 1 to %d", RESOLVE_MAX_K);
		k = (int)v;
	}
	if (!(r = mcp_reader(c, f)))
		return NULL;
	rc = search_resolve(r, task, k, &found, err, sizeof(err));
	if (rc == SEARCH_BAD_REQUEST)
		return mcp_tool_error("The task cannot be matched: %s. Describe it in words.", err);
	if (rc != 0) {
		log_msg(&c->app->log, LOG_ERROR, "mcp: resolve: %s", err);
		return mcp_fail(f, JSONRPC_INTERNAL_ERROR, "the search index could not be read");
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "task", task);
	list = cJSON_AddArrayToObject(out, "skills");
	buf_init(&text);
	cJSON_ArrayForEach(hit, cJSON_GetObjectItemCaseSensitive(found, "data")) {
		const char *slug = jstr(hit, "slug"), *desc = jstr(hit, "description");
		cJSON *o;
		char *uri;

		if (!slug)
			continue;
		o = cJSON_CreateObject();
		uri = mcp_skill_uri(slug, "SKILL.md");
		cJSON_AddStringToObject(o, "slug", slug);
		jadd_str_or_null(o, "name", jstr(hit, "name"));
		jadd_str_or_null(o, "description", desc);
		cJSON_AddNumberToObject(o, "score",
					cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(hit, "score")));
		cJSON_AddBoolToObject(o, "has_checklist", jstr(hit, "checklist_url") != NULL);
		cJSON_AddStringToObject(o, "uri", uri);
		cJSON_AddItemToArray(list, o);
		buf_printf(&text, "%d. **%s**%s%s%s\n", ++n, slug, desc ? ": " : "",
			   desc ? desc : "", jstr(hit, "checklist_url") ? " (has a review checklist)" : "");
		free(uri);
	}
	cJSON_Delete(found);
	if (n == 0)
		buf_printf(&text, "No skill fits \"%s\". Try other words, or list_skills.\n", task);
	else
		buf_puts(&text, "\nRead the one that fits with get_skill (its slug); get_checklist "
			 "gives its review checklist.\n");
	{
		cJSON *res = mcp_text_result(text.data, text.len, false);

		buf_fini(&text);
		cJSON_AddItemToObject(res, "structuredContent", out);
		return res;
	}
}

/* Lines of text after the first indented by two spaces (a list item's
 * continuation). */
static void md_indented(struct buf *b, const char *text)
{
	for (; *text; text++) {
		buf_putc(b, *text);
		if (*text == '\n' && text[1])
			buf_puts(b, "  ");
	}
}

/* One line per item, in the checklist's own words: the source's line when
 * the item has its own code (N1, Item 17), which the line carries; else
 * "- [ ] Item N — text", N counting items as reviews name them. */
static void md_items(struct buf *b, const cJSON *items, int *n)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items) {
		const char *ref = jstr(it, "ref"), *line = jstr(it, "markdown");
		const char *title = jstr(it, "title"), *text = jstr(it, "text");

		if (!jstr(it, "id"))
			continue;
		++*n;
		if (ref && line) {
			md_indented(b, line);
		} else {
			buf_printf(b, "- [ ] Item %d — ", *n);
			if (title && *title)
				buf_printf(b, "**%s**%s", title, text && *text ? " — " : "");
			md_indented(b, text ? text : "");
		}
		buf_putc(b, '\n');
	}
}

/* The checklist as compact markdown for a model: a line on how items are
 * named, then per section its items in their own words and its red flags,
 * then the severity levels (what record_verdicts takes) and the workflow.
 * About the size of the source file. */
static char *checklist_markdown(const char *slug, const cJSON *cl)
{
	const char *title = jstr(cl, "title");
	const cJSON *sec, *x;
	struct buf b;
	int n = 0;

	buf_init(&b);
	if (title)
		buf_printf(&b, "# %s\n", title);
	else
		buf_printf(&b, "# Review checklist of %s\n", slug);
	buf_puts(&b, "\nItems are named by their own code (such as N1) or, without one, as "
		 "\"Item N\": the names start_review and record_verdicts take.\n");
	cJSON_ArrayForEach(sec, cJSON_GetObjectItemCaseSensitive(cl, "sections")) {
		const cJSON *num = cJSON_GetObjectItemCaseSensitive(sec, "number");
		const char *st = jstr(sec, "title"), *flags = jstr(sec, "red_flags");
		const cJSON *g;

		buf_puts(&b, "\n## ");
		if (cJSON_IsNumber(num))
			buf_printf(&b, "%d. ", num->valueint);
		buf_puts(&b, st ? st : "Items");
		buf_puts(&b, "\n");
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sec, "items")) > 0)
			buf_putc(&b, '\n');
		md_items(&b, cJSON_GetObjectItemCaseSensitive(sec, "items"), &n);
		cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(sec, "groups")) {
			const char *gt = jstr(g, "title");

			buf_printf(&b, "\n### %s\n\n", gt ? gt : "Group");
			md_items(&b, cJSON_GetObjectItemCaseSensitive(g, "items"), &n);
		}
		if (flags && *flags)
			buf_printf(&b, "\n**Red flags**: %s\n", flags);
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cl, "severity")) > 0) {
		buf_printf(&b, "\n## %s\n\n", jstr(cl, "severity_title") ? jstr(cl, "severity_title")
								  : "Severity");
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(cl, "severity")) {
			buf_printf(&b, "- **%s**", jstr(x, "level") ? jstr(x, "level") : "?");
			if (jstr(x, "description") && *jstr(x, "description"))
				buf_printf(&b, ": %s", jstr(x, "description"));
			if (jstr(x, "examples") && *jstr(x, "examples"))
				buf_printf(&b, " (%s)", jstr(x, "examples"));
			buf_putc(&b, '\n');
		}
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cl, "workflow")) > 0) {
		buf_printf(&b, "\n## %s\n\n", jstr(cl, "workflow_title") ? jstr(cl, "workflow_title")
								  : "Workflow");
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(cl, "workflow")) {
			const cJSON *step = cJSON_GetObjectItemCaseSensitive(x, "step");

			buf_printf(&b, "%d. ", cJSON_IsNumber(step) ? step->valueint : 0);
			if (jstr(x, "title") && *jstr(x, "title"))
				buf_printf(&b, "**%s**: ", jstr(x, "title"));
			md_indented(&b, jstr(x, "text") ? jstr(x, "text") : "");
			buf_putc(&b, '\n');
		}
	}
	return buf_detach(&b, NULL);
}

static cJSON *tool_get_checklist(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "slug", "structured", NULL };
	const cJSON *structured = cJSON_GetObjectItemCaseSensitive(args, "structured");
	const char *slug;
	struct store_reader *r;
	struct store_skill sk;
	cJSON *cl = NULL, *res;
	bool none = false;
	char *md;
	int rc;

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "slug", true, &slug, f))
		return NULL;
	if (structured && !cJSON_IsBool(structured))
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "argument 'structured' must be a boolean");
	if (!(r = mcp_reader(c, f)))
		return NULL;
	rc = store_skill_get(r, slug, &sk);
	if (rc == 1) {
		if (!sk.checklist.p)
			none = true;
		else
			cl = cJSON_ParseWithLength(sk.checklist.p, sk.checklist.len);
	}
	if (rc == 0)
		return mcp_tool_error("No skill has the slug '%s'. Use list_skills or search_skills "
				  "to find one.", slug);
	if (rc < 0)
		return mcp_db_fail(c, f, "reading a checklist");
	if (none)
		return mcp_tool_error("Skill '%s' has no review checklist "
				  "(references/review-checklist.md).", slug);
	if (!cl)
		return mcp_fail(f, JSONRPC_INTERNAL_ERROR, "the index holds a broken checklist");
	md = checklist_markdown(slug, cl);
	res = mcp_text_result(md, strlen(md), false);
	free(md);
	if (cJSON_IsTrue(structured))
		cJSON_AddItemToObject(res, "structuredContent", cl);
	else
		cJSON_Delete(cl);
	return res;
}

/* ---- review runs ---- */

/* A reviews handler's error answer as the tool's result: the model sees
 * the message (and the field at fault); a server fault is a JSON-RPC error. */
static cJSON *review_refused(const struct response *res, struct mcp_fail *f)
{
	cJSON *j = res->body ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
	const cJSON *e = cJSON_GetObjectItem(j, "error");
	const char *msg = jstr(e, "message") ? jstr(e, "message") : "the review could not be read";
	cJSON *r;

	if (res->status >= 500) {
		cJSON_Delete(j);
		return mcp_fail(f, JSONRPC_INTERNAL_ERROR, "%s", msg);
	}
	if (jstr(e, "field"))
		r = mcp_tool_error("%s: %s", jstr(e, "field"), msg);
	else if (cJSON_GetObjectItem(j, "item"))
		r = mcp_tool_error("%s (item %s is at version %d, verdict %s)", msg,
			       jstr(cJSON_GetObjectItem(j, "item"), "ref") ?
			       jstr(cJSON_GetObjectItem(j, "item"), "ref") : "?",
			       (int)cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "item"),
									     "version")),
			       jstr(cJSON_GetObjectItem(j, "item"), "verdict") ?
			       jstr(cJSON_GetObjectItem(j, "item"), "verdict") : "open");
	else
		r = mcp_tool_error("%s", msg);
	cJSON_Delete(j);
	return r;
}

/* A review's compact form for a model: the counts, then failing items,
 * then the open ones with their text (what is left to check), then the
 * decided ones by ref only. */
static char *review_text(const cJSON *v, const char *base)
{
	const cJSON *counts = cJSON_GetObjectItem(v, "counts"), *s, *it;
	struct buf b;
	static const char *const passes[] = { "fail", NULL, "pass", "na" };

	buf_init(&b);
	buf_printf(&b, "Review %s: %s (%s)\nChecklist: %s %s\nPage: %s%s\n", jstr(v, "id"),
		   jstr(v, "title"), jstr(v, "status"), jstr(v, "skill"),
		   jstr(cJSON_GetObjectItem(v, "checklist"), "path"), base, jstr(v, "page"));
	if (jstr(v, "target"))
		buf_printf(&b, "Target: %s\n", jstr(v, "target"));
	buf_printf(&b, "Counts: %d pass, %d fail, %d n/a, %d open\n",
		   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "pass")),
		   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "fail")),
		   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "na")),
		   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "open")));
	if (cJSON_GetArraySize(cJSON_GetObjectItem(v, "severity_levels")) > 0) {
		const cJSON *lv;

		buf_puts(&b, "Severity levels:");
		cJSON_ArrayForEach(lv, cJSON_GetObjectItem(v, "severity_levels"))
			buf_printf(&b, " %s", lv->valuestring);
		buf_putc(&b, '\n');
	}
	for (size_t k = 0; k < sizeof(passes) / sizeof(passes[0]); k++) {
		const char *want = passes[k];
		bool head = false;

		cJSON_ArrayForEach(s, cJSON_GetObjectItem(v, "sections"))
			cJSON_ArrayForEach(it, cJSON_GetObjectItem(s, "items")) {
				const char *vd = jstr(it, "verdict");

				if (want ? !vd || strcmp(vd, want) != 0 : vd != NULL)
					continue;
				if (!head)
					buf_printf(&b, "\n%s:\n", !want ? "Open (item: what to check)" :
						   !strcmp(want, "fail") ? "Failing" :
						   !strcmp(want, "pass") ? "Passed" : "Not applicable");
				head = true;
				if (want && strcmp(want, "fail") != 0) {
					buf_printf(&b, "- %s\n", jstr(it, "ref"));
					continue;
				}
				buf_printf(&b, "- %s", jstr(it, "ref"));
				if (jstr(it, "severity"))
					buf_printf(&b, " [%s]", jstr(it, "severity"));
				buf_printf(&b, " %s%s%s", jstr(it, "title") ? jstr(it, "title") : "",
					   jstr(it, "title") ? ": " : "", jstr(it, "text"));
				if (jstr(it, "note"))
					buf_printf(&b, " | note: %s", jstr(it, "note"));
				if (jstr(it, "evidence"))
					buf_printf(&b, " | evidence: %s", jstr(it, "evidence"));
				buf_putc(&b, '\n');
			}
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItem(v, "retired")) > 0)
		buf_printf(&b, "\n%d item(s) retired: the checklist no longer has them.\n",
			   cJSON_GetArraySize(cJSON_GetObjectItem(v, "retired")));
	return buf_detach(&b, NULL);
}

/* The review's id and counts: the tools' structured content. */
static cJSON *review_brief(const cJSON *v, const char *base)
{
	cJSON *o = cJSON_CreateObject();
	char *page = xasprintf("%s%s", base, jstr(v, "page"));

	cJSON_AddStringToObject(o, "id", jstr(v, "id"));
	cJSON_AddStringToObject(o, "title", jstr(v, "title"));
	cJSON_AddStringToObject(o, "skill", jstr(v, "skill"));
	cJSON_AddStringToObject(o, "status", jstr(v, "status"));
	cJSON_AddStringToObject(o, "page", page);
	cJSON_AddItemToObject(o, "counts", cJSON_Duplicate(cJSON_GetObjectItem(v, "counts"), true));
	free(page);
	return o;
}

/* The review as a tool result: its compact text, its brief as structure. */
static cJSON *review_result(struct mcp_call *c, const char *id, const char *lead,
			    struct mcp_fail *f)
{
	struct response res;
	char *base = request_base_url(c->req, c->app->cfg->bind, c->app->port);
	char *text, *all;
	cJSON *v, *r;

	response_init(&res);
	v = reviews_view(c->app, id, &res);
	if (!v) {
		r = review_refused(&res, f);
		response_fini(&res);
		free(base);
		return r;
	}
	response_fini(&res);
	text = review_text(v, base);
	all = xasprintf("%s%s", lead ? lead : "", text);
	r = mcp_text_result(all, strlen(all), false);
	cJSON_AddItemToObject(r, "structuredContent", review_brief(v, base));
	cJSON_Delete(v);
	free(text);
	free(all);
	free(base);
	return r;
}

/* A write committed: its brief r, or, when the brief cannot be made (the
 * checklist gone from the index), a result that says the write is done,
 * so that the model does not do it again. */
static cJSON *review_written(struct mcp_call *c, cJSON *r, const char *id, const char *done,
			     struct mcp_fail *f)
{
	(void)c;
	if (r && !cJSON_IsTrue(cJSON_GetObjectItem(r, "isError")))
		return r;
	cJSON_Delete(r);
	f->code = 0;
	f->message[0] = '\0';
	cJSON_Delete(f->data);
	f->data = NULL;
	return mcp_tool_error("%s (review %s), but it cannot be shown now: its checklist is not in the "
			  "index. Do not repeat the call; get_review will show it once the checklist "
			  "is back.", done, id);
}

static cJSON *tool_start_review(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	struct response res;
	char id[REVIEW_ID_LEN + 1];
	cJSON *r;

	response_init(&res);
	if (reviews_start_from(c->app, args, id, &res) != 0) {
		r = review_refused(&res, f);
		response_fini(&res);
		return r;
	}
	response_fini(&res);
	return review_written(c, review_result(c, id, "Started. Record verdicts with record_verdicts; "
					       "a person can follow and change them on the page.\n\n", f),
			      id, "The review was started", f);
}

static cJSON *tool_record_verdicts(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "review", "verdicts", "author", NULL };
	struct response res;
	const char *id;
	cJSON *body, *r;
	char lead[96];

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "review", true, &id, f))
		return NULL;
	body = cJSON_Duplicate(args, true);
	cJSON_DeleteItemFromObjectCaseSensitive(body, "review");
	response_init(&res);
	reviews_verdicts_from(c->app, id, body, &res);
	cJSON_Delete(body);
	if (res.status != 200) {
		r = review_refused(&res, f);
		response_fini(&res);
		return r;
	}
	response_fini(&res);
	snprintf(lead, sizeof(lead), "Recorded %d verdict(s).\n\n",
		 cJSON_GetArraySize(cJSON_GetObjectItem(args, "verdicts")));
	return review_written(c, review_result(c, id, lead, f), id, "The verdicts were recorded", f);
}

static cJSON *tool_get_review(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "review", NULL };
	const char *id;

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "review", true, &id, f))
		return NULL;
	return review_result(c, id, NULL, f);
}

static cJSON *tool_list_reviews(struct mcp_call *c, const cJSON *args, struct mcp_fail *f)
{
	static const char *const allowed[] = { "skill", "status", "cursor", NULL };
	const char *skill, *status, *cursor;
	struct response res;
	cJSON *list, *out, *arr, *x;

	if (mcp_args_known(args, allowed, f) || mcp_arg_string(args, "skill", false, &skill, f) ||
	    mcp_arg_string(args, "status", false, &status, f) ||
	    mcp_arg_string(args, "cursor", false, &cursor, f))
		return NULL;
	response_init(&res);
	list = reviews_list_from(c->app, skill, status, REVIEW_PAGE_DEFAULT, cursor, &res);
	if (!list) {
		cJSON *r = review_refused(&res, f);

		response_fini(&res);
		return r;
	}
	response_fini(&res);
	out = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(out, "reviews");
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(list, "data")) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", jstr(x, "id"));
		cJSON_AddStringToObject(o, "title", jstr(x, "title"));
		cJSON_AddStringToObject(o, "skill", jstr(x, "skill"));
		cJSON_AddStringToObject(o, "status", jstr(x, "status"));
		jadd_str_or_null(o, "target", jstr(x, "target"));
		cJSON_AddItemToObject(o, "counts", cJSON_Duplicate(cJSON_GetObjectItem(x, "counts"), true));
		cJSON_AddItemToArray(arr, o);
	}
	jadd_str_or_null(out, "nextCursor", jstr(list, "next_cursor"));
	cJSON_Delete(list);
	return mcp_structured_result(out);
}

typedef cJSON *(*tool_fn)(struct mcp_call *c, const cJSON *args, struct mcp_fail *f);

struct tool {
	const char *name;
	const char *title;
	const char *description;
	const char *input_schema;   /* JSON */
	const char *output_schema;  /* JSON, or NULL */
	tool_fn fn;
	unsigned hints;             /* TOOL_*; 0: reads only */
};

/* What a tool does beyond reading (its annotations). */
enum {
	TOOL_WRITES = 1 << 0,       /* changes the reviews database */
	TOOL_IDEMPOTENT = 1 << 1,   /* the same call again changes nothing more */
};

#define NULLABLE_STR "{\"type\":[\"string\",\"null\"]}"
#define SLUG_PROP_AS(name) "\"" name "\":{\"type\":\"string\",\"minLength\":1," \
	"\"description\":\"The skill's slug, as list_skills or search_skills give it\"}"
#define SLUG_PROP SLUG_PROP_AS("slug")
#define BUDGET_PROPS "\"max_tokens\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10000000," \
	"\"description\":\"At most this many tokens (estimated as bytes / 4), note included\"}," \
	"\"offset\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"Where to continue: " \
	"the offset the previous part gave (with max_tokens)\"}"
#define PART_SCHEMA "{\"type\":\"object\",\"properties\":{\"offset\":{\"type\":\"integer\"}," \
	"\"next_offset\":{\"type\":[\"integer\",\"null\"]},\"length\":{\"type\":\"integer\"}," \
	"\"last\":{\"type\":\"boolean\"},\"frontmatter_dropped\":{\"type\":\"boolean\"}}}"
#define REVIEW_BRIEF_SCHEMA \
	"{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"title\":" \
	"{\"type\":\"string\"},\"skill\":{\"type\":\"string\"},\"status\":{\"enum\":" \
	"[\"open\",\"closed\"]},\"page\":{\"type\":\"string\"},\"counts\":{\"type\":" \
	"\"object\"}},\"required\":[\"id\",\"title\",\"skill\",\"status\",\"page\",\"counts\"]}"

static const struct tool tools[] = {
	{ "list_skills", "List skills",
	  "Lists the Agent Skills this server holds, 100 per page, ordered by slug: slug, name, "
	  "description, quality tier and the skill://{slug}/SKILL.md resource URI. Pass "
	  "nextCursor back as cursor for the next page.",
	  "{\"type\":\"object\",\"properties\":{\"cursor\":{\"type\":\"string\","
	  "\"description\":\"nextCursor of the previous page\"}},\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{\"skills\":{\"type\":\"array\",\"items\":"
	  "{\"type\":\"object\",\"properties\":{\"slug\":{\"type\":\"string\"},\"name\":" NULLABLE_STR
	  ",\"description\":" NULLABLE_STR ",\"tier\":" NULLABLE_STR ",\"uri\":{\"type\":\"string\"}},"
	  "\"required\":[\"slug\",\"name\",\"description\",\"tier\",\"uri\"]}},"
	  "\"nextCursor\":" NULLABLE_STR "},\"required\":[\"skills\",\"nextCursor\"]}",
	  tool_list_skills, 0 },
	{ "get_skill", "Get a skill",
	  "Returns a skill's SKILL.md (frontmatter and instructions) as text, with its name, "
	  "description, tier and the list of its files (path, size, MIME type) as structured "
	  "content. Read a file with read_skill_file. With max_tokens, the text is cut to fit "
	  "that budget and part says where to continue (offset).",
	  "{\"type\":\"object\",\"properties\":{" SLUG_PROP "," BUDGET_PROPS "},"
	  "\"required\":[\"slug\"],\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{\"slug\":{\"type\":\"string\"},\"name\":" NULLABLE_STR
	  ",\"description\":" NULLABLE_STR ",\"tier\":" NULLABLE_STR ",\"uri\":{\"type\":\"string\"},"
	  "\"files\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"path\":"
	  "{\"type\":\"string\"},\"size\":{\"type\":\"number\"},\"mime\":" NULLABLE_STR "},"
	  "\"required\":[\"path\",\"size\",\"mime\"]}},"
	  "\"part\":" PART_SCHEMA "},"
	  "\"required\":[\"slug\",\"name\",\"description\",\"tier\",\"uri\",\"files\"]}",
	  tool_get_skill, 0 },
	{ "read_skill_file", "Read a file of a skill",
	  "Returns one file of a skill: text files (references, scripts, examples, evals) as "
	  "text, other files as an embedded resource with base64 bytes. Paths are relative to "
	  "the skill folder, e.g. references/review-checklist.md. With max_tokens, a text file "
	  "is cut to fit that budget, at a heading where it can, with a note that gives the "
	  "offset to continue from; the parts put together are the file.",
	  "{\"type\":\"object\",\"properties\":{" SLUG_PROP ",\"path\":{\"type\":\"string\","
	  "\"minLength\":1,\"description\":\"The file's path inside the skill folder\"},"
	  BUDGET_PROPS "},\"required\":[\"slug\",\"path\"],\"additionalProperties\":false}",
	  NULL, tool_read_skill_file, 0 },
	{ "search_skills", "Search skills",
	  "Full-text search over skills, reference sections, checklist items and evals, best "
	  "first. Plain words: rows with all of them, or when none has all, those with the most "
	  "(match says which; common words such as 'my' are ignored). Also \"a phrase\", prefix*, "
	  "-excluded; C++, C#, .NET and Node.js are whole words. Each result names the skill, "
	  "the file, a one-line snippet with matches in **bold** and the resource URI. To pick "
	  "the skill for a task, resolve_skill is better.",
	  "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"minLength\":1,"
	  "\"description\":\"What to look for\"},\"limit\":{\"type\":\"integer\",\"minimum\":1,"
	  "\"maximum\":50,\"description\":\"Results to return (default 10)\"},\"kind\":"
	  "{\"type\":\"string\",\"enum\":[\"skill\",\"reference\",\"checklist\",\"eval\"],"
	  "\"description\":\"Only results of this kind\"}},\"required\":[\"query\"],"
	  "\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},\"total\":"
	  "{\"type\":\"number\"},\"match\":{\"enum\":[\"all\",\"any\",null]},\"ignored\":"
	  "{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"results\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	  "\"properties\":{\"kind\":{\"type\":\"string\"},\"skill\":{\"type\":\"string\"},\"path\":"
	  "{\"type\":\"string\"},\"title\":" NULLABLE_STR ",\"anchor\":" NULLABLE_STR ",\"snippet\":"
	  "{\"type\":\"string\"},\"score\":{\"type\":\"number\"},\"url\":{\"type\":\"string\"},"
	  "\"uri\":{\"type\":\"string\"}},\"required\":[\"kind\",\"skill\",\"path\",\"snippet\","
	  "\"uri\"]}}},\"required\":[\"query\",\"total\",\"results\"]}",
	  tool_search_skills, 0 },
	{ "resolve_skill", "Find the skill for a task",
	  "Given a task in plain words (\"review my Java builder class for mistakes\"), returns "
	  "the skills that fit it best, best first: slug, name, description, a score, whether "
	  "it has a review checklist, and its skill://{slug}/SKILL.md URI. Read the chosen one "
	  "with get_skill.",
	  "{\"type\":\"object\",\"properties\":{\"task\":{\"type\":\"string\",\"minLength\":1,"
	  "\"description\":\"What the user wants done, in their words\"},\"limit\":{\"type\":"
	  "\"integer\",\"minimum\":1,\"maximum\":20,\"description\":\"Skills to return "
	  "(default 3)\"}},\"required\":[\"task\"],\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{\"task\":{\"type\":\"string\"},\"skills\":"
	  "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"slug\":"
	  "{\"type\":\"string\"},\"name\":" NULLABLE_STR ",\"description\":" NULLABLE_STR
	  ",\"score\":{\"type\":\"number\"},\"has_checklist\":{\"type\":\"boolean\"},\"uri\":"
	  "{\"type\":\"string\"}},\"required\":[\"slug\",\"name\",\"description\",\"score\","
	  "\"has_checklist\",\"uri\"]}}},\"required\":[\"task\",\"skills\"]}",
	  tool_resolve_skill, 0 },
	{ "get_checklist", "Get a skill's review checklist",
	  "Returns the skill's primary review checklist as compact markdown in its own words: "
	  "per section one \"- [ ] \" line per item, named by the item's own code (N1) or as "
	  "Item N (the names start_review and record_verdicts take), its red flags, then the "
	  "severity levels and the workflow. With structured: true, also the parsed checklist "
	  "(sections, groups, items with ids and html, red flags, workflow, severity) as "
	  "structured content, several times larger.",
	  "{\"type\":\"object\",\"properties\":{" SLUG_PROP ",\"structured\":{\"type\":"
	  "\"boolean\",\"description\":\"Also return the parsed checklist as structured "
	  "content (default false)\"}},\"required\":[\"slug\"],\"additionalProperties\":false}",
	  NULL, tool_get_checklist, 0 },
	{ "start_review", "Start a review",
	  "Starts a review run of a skill's review checklist for one piece of work (a pull "
	  "request, a branch) and returns it: its id, its page for people, and every item, open "
	  "ones with what to check. Record verdicts with record_verdicts.",
	  "{\"type\":\"object\",\"properties\":{" SLUG_PROP_AS("skill") ",\"checklist\":"
	  "{\"type\":\"string\",\"description\":\"A checklist file of the skill; its primary one "
	  "when left out\"},\"title\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200,"
	  "\"description\":\"What is reviewed, e.g. PR 412: payment retries\"},\"target\":"
	  "{\"type\":\"string\",\"description\":\"A link to it\"},\"author\":{\"type\":\"string\","
	  "\"description\":\"Who starts it (your name as an agent)\"}},\"required\":[\"skill\","
	  "\"title\"],\"additionalProperties\":false}",
	  REVIEW_BRIEF_SCHEMA, tool_start_review, TOOL_WRITES },
	{ "record_verdicts", "Record verdicts",
	  "Records verdicts on items of a review, all or none: pass, fail (with a severity from "
	  "the checklist's levels), na, or null to reopen an item; a note and evidence (file:line) "
	  "each. Items are named by id or by ref (M13, or Item 17). A version makes the write "
	  "conditional on the item not having changed.",
	  "{\"type\":\"object\",\"properties\":{\"review\":{\"type\":\"string\","
	  "\"description\":\"The review's id\"},\"author\":{\"type\":\"string\"},\"verdicts\":"
	  "{\"type\":\"array\",\"minItems\":1,\"maxItems\":1000,\"items\":{\"type\":\"object\","
	  "\"properties\":{\"item\":{\"type\":\"string\"},\"verdict\":{\"enum\":[\"pass\","
	  "\"fail\",\"na\",null]},\"severity\":{\"type\":\"string\"},\"note\":{\"type\":"
	  "\"string\"},\"evidence\":{\"type\":\"string\",\"description\":\"Where, e.g. "
	  "src/pay.c:120\"},\"version\":{\"type\":\"integer\",\"minimum\":0}},\"required\":"
	  "[\"item\",\"verdict\"],\"additionalProperties\":false}}},\"required\":[\"review\","
	  "\"verdicts\"],\"additionalProperties\":false}",
	  REVIEW_BRIEF_SCHEMA, tool_record_verdicts, TOOL_WRITES | TOOL_IDEMPOTENT },
	{ "get_review", "Get a review",
	  "A review in brief: its counts, the failing items with their notes and evidence, the "
	  "open items with what to check, then the decided ones by ref.",
	  "{\"type\":\"object\",\"properties\":{\"review\":{\"type\":\"string\","
	  "\"description\":\"The review's id\"}},\"required\":[\"review\"],"
	  "\"additionalProperties\":false}",
	  REVIEW_BRIEF_SCHEMA, tool_get_review, 0 },
	{ "list_reviews", "List reviews",
	  "Review runs, newest first, 20 a page, with their counts; filter by skill and status "
	  "(open or closed). Pass nextCursor back as cursor for the next page.",
	  "{\"type\":\"object\",\"properties\":{\"skill\":{\"type\":\"string\"},\"status\":"
	  "{\"enum\":[\"open\",\"closed\"]},\"cursor\":{\"type\":\"string\"}},"
	  "\"additionalProperties\":false}",
	  "{\"type\":\"object\",\"properties\":{\"reviews\":{\"type\":\"array\",\"items\":"
	  "{\"type\":\"object\"}},\"nextCursor\":" NULLABLE_STR "},\"required\":[\"reviews\","
	  "\"nextCursor\"]}",
	  tool_list_reviews, 0 },
};

#define N_TOOLS (sizeof(tools) / sizeof(tools[0]))

/* ---- methods ---- */

static cJSON *m_initialize(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	const char *asked = jstr(params, "protocolVersion");
	const char *v;
	cJSON *r, *caps, *info;

	if (!asked)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "initialize needs params.protocolVersion "
			    "(a string)");
	v = version_find(asked);
	if (!v)
		v = MCP_PROTOCOL_LATEST;
	if (mcp_session_new(c->app, v, c->session) != 0)
		return mcp_fail(f, JSONRPC_INTERNAL_ERROR, "no random bytes for a session id");
	c->version = v;
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "protocolVersion", v);
	caps = cJSON_AddObjectToObject(r, "capabilities");
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(caps, "tools"), "listChanged", false);
	info = cJSON_AddObjectToObject(caps, "resources");
	cJSON_AddBoolToObject(info, "subscribe", false);
	cJSON_AddBoolToObject(info, "listChanged", false);
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(caps, "prompts"), "listChanged", false);
	cJSON_AddObjectToObject(caps, "completions");
	cJSON_AddObjectToObject(caps, "logging");
	info = cJSON_AddObjectToObject(cJSON_AddObjectToObject(caps, "extensions"), MCP_SKILLS_EXTENSION);
	cJSON_AddBoolToObject(info, "directoryRead", true);
	info = cJSON_AddObjectToObject(r, "serverInfo");
	cJSON_AddStringToObject(info, "name", "skilld");
	cJSON_AddStringToObject(info, "title", "skilld Agent Skills server");
	cJSON_AddStringToObject(info, "version", SKILLD_VERSION);
	cJSON_AddStringToObject(r, "instructions",
		"skilld serves Agent Skills: folders with a SKILL.md of instructions plus "
		"references, checklists, scripts and examples. Find the skill for a task with "
		"resolve_skill, or search_skills (full text) or list_skills, read its instructions with get_skill, its other files "
		"with read_skill_file, and its review checklist with get_checklist. To review work "
		"against a checklist, start_review, then record_verdicts with evidence; get_review "
		"and list_reviews read them back, and people see the same review on its page. "
		"Every file is also a resource at skill://{slug}/{path}; skills/list and "
		"skills/get (the MCP Skills extension) give each skill's files with digests, and "
		"every valid skill is a prompt named by its slug.");
	return r;
}

static cJSON *m_ping(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	(void)c;
	(void)params;
	(void)f;
	return cJSON_CreateObject();
}

/* logging/setLevel: any of RFC 5424's levels is accepted. skilld answers
 * every request with one JSON body, never a stream, so it sends no log
 * notifications whatever the level. */
static cJSON *m_logging_set_level(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	static const char *const levels[] = { "debug", "info", "notice", "warning", "error",
					       "critical", "alert", "emergency" };
	const char *level = jstr(params, "level");

	(void)c;
	for (size_t i = 0; level && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(level, levels[i]) == 0)
			return cJSON_CreateObject();
	return mcp_fail(f, JSONRPC_INVALID_PARAMS, "params.level must be one of debug, info, "
			"notice, warning, error, critical, alert, emergency");
}

static cJSON *m_tools_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	cJSON *r = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(r, "tools");

	(void)c;
	(void)params;
	for (size_t i = 0; i < N_TOOLS; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON *in = cJSON_Parse(tools[i].input_schema);
		cJSON *out = tools[i].output_schema ? cJSON_Parse(tools[i].output_schema) : NULL;
		cJSON *ann;

		if (!in || (tools[i].output_schema && !out)) {
			cJSON_Delete(in);
			cJSON_Delete(out);
			cJSON_Delete(t);
			cJSON_Delete(r);
			return mcp_fail(f, JSONRPC_INTERNAL_ERROR, "tool %s has a broken schema",
				    tools[i].name);
		}
		cJSON_AddStringToObject(t, "name", tools[i].name);
		cJSON_AddStringToObject(t, "title", tools[i].title);
		cJSON_AddStringToObject(t, "description", tools[i].description);
		cJSON_AddItemToObject(t, "inputSchema", in);
		if (out)
			cJSON_AddItemToObject(t, "outputSchema", out);
		ann = cJSON_AddObjectToObject(t, "annotations");
		cJSON_AddBoolToObject(ann, "readOnlyHint", !(tools[i].hints & TOOL_WRITES));
		if (tools[i].hints & TOOL_WRITES) {
			/* a verdict replaced stays in the review's history */
			cJSON_AddBoolToObject(ann, "destructiveHint", false);
			cJSON_AddBoolToObject(ann, "idempotentHint", tools[i].hints & TOOL_IDEMPOTENT);
		}
		cJSON_AddBoolToObject(ann, "openWorldHint", false);
		cJSON_AddItemToArray(list, t);
	}
	return r;
}

static cJSON *m_tools_call(struct mcp_call *c, const cJSON *params, struct mcp_fail *f)
{
	const char *name = jstr(params, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	cJSON *empty = NULL, *r;

	if (!name)
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "tools/call needs params.name (a string)");
	if (args && !cJSON_IsObject(args))
		return mcp_fail(f, JSONRPC_INVALID_PARAMS, "params.arguments must be an object");
	for (size_t i = 0; i < N_TOOLS; i++) {
		if (strcmp(name, tools[i].name) != 0)
			continue;
		if (!args)
			args = empty = cJSON_CreateObject();
		r = tools[i].fn(c, args, f);
		cJSON_Delete(empty);
		return r;
	}
	return mcp_fail(f, JSONRPC_INVALID_PARAMS, "unknown tool '%s' (see tools/list)", name);
}

static const struct {
	const char *name;
	mcp_method_fn fn;
} methods[] = {
	{ "initialize", m_initialize },
	{ "ping", m_ping },
	{ "tools/list", m_tools_list },
	{ "tools/call", m_tools_call },
	{ "resources/list", mcp_resources_list },
	{ "resources/read", mcp_resources_read },
	{ "resources/templates/list", mcp_templates_list },
	{ "resources/directory/read", mcp_directory_read },
	{ "skills/list", mcp_skills_list },
	{ "skills/get", mcp_skills_get },
	{ "prompts/list", mcp_prompts_list },
	{ "prompts/get", mcp_prompts_get },
	{ "completion/complete", mcp_complete },
	{ "logging/setLevel", m_logging_set_level },
};

/* Answers one request message (a response object, cJSON_Delete). */
static cJSON *answer(struct mcp_call *c, const struct jsonrpc_msg *m, bool in_batch)
{
	struct mcp_fail f = { 0, "", NULL };
	cJSON *result;

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strcmp(m->method, methods[i].name) != 0)
			continue;
		if (in_batch && methods[i].fn == m_initialize)
			return jsonrpc_error(m->id, JSONRPC_INVALID_REQUEST,
					     "initialize must not be part of a batch", NULL);
		if (m->params && !cJSON_IsObject(m->params))
			return jsonrpc_error(m->id, JSONRPC_INVALID_PARAMS,
					     "params must be an object", NULL);
		result = methods[i].fn(c, m->params, &f);
		if (result)
			return jsonrpc_result(m->id, result);
		return jsonrpc_error(m->id, f.code, f.message, f.data);
	}
	return jsonrpc_error(m->id, JSONRPC_METHOD_NOT_FOUND, NULL, NULL);
}

/* Is the body one initialize request (which needs no session)? */
static bool is_initialize(const struct jsonrpc_body *b)
{
	return !b->batch && b->n == 1 && b->msgs[0].kind == JSONRPC_REQUEST &&
	       strcmp(b->msgs[0].method, "initialize") == 0;
}

/* The room held back for m's output-limit error (its id's JSON included,
 * and in a batch the '[' or ',' before it), or 0 when m gets no answer. */
static size_t limit_room(const struct jsonrpc_msg *m, bool batch)
{
	size_t n = 4;  /* null */

	if (m->kind != JSONRPC_REQUEST && m->kind != JSONRPC_INVALID)
		return 0;
	if (m->id) {
		char *id = cJSON_PrintUnformatted(m->id);

		n = strlen(id);
		cJSON_free(id);
	}
	return MCP_LIMIT_ERROR_ROOM + n + (batch ? 1 : 0);
}

/* Prints j at the end of out, in place, into at most cap bytes (NUL
 * included) of out's spare room; false when that is too small. */
static bool print_in_place(struct buf *out, cJSON *j, size_t cap)
{
	if (cap > out->cap - out->len)
		cap = out->cap - out->len;
	return cap > 0 && cap <= INT_MAX &&
	       cJSON_PrintPreallocated(j, out->data + out->len, (int)cap, false);
}

/*
 * Prints one answer (taken over and freed) at the end of out when it fits
 * in c->budget_left, else the output-limit error for id in its place, and
 * takes what it wrote from the budget. The answer is printed straight into
 * out (no copy): first into the room out has (at least 4 KiB), then, when
 * that is too small, into out grown to the budget. Its text is repaired
 * only when it is not valid UTF-8 (cJSON passes bytes through unchecked).
 */
static void out_append(struct mcp_call *c, struct buf *out, cJSON *one, const cJSON *id)
{
	size_t room = c->budget_left, want = room + PRINT_SLACK, len = 0;
	const char *over = NULL;  /* it does not fit: "more than " its room, or "" */
	bool printed;

	buf_grow(out, want < 4096 ? want : 4096);
	printed = print_in_place(out, one, want);
	if (!printed && out->cap - out->len < want) {
		buf_grow(out, want);
		printed = print_in_place(out, one, want);
	}
	cJSON_Delete(one);
	if (!printed) {
		over = "more than ";
	} else {
		char *at = out->data + out->len;

		len = strlen(at);
		if (!utf8_valid(at, len)) {
			char *fixed = utf8_repair(at, len, &len);

			if (len <= room) {
				buf_grow(out, len);
				memcpy(out->data + out->len, fixed, len);
			}
			free(fixed);
		}
		if (len > room)
			over = "";
	}
	if (over) {
		char msg[sizeof(MCP_LIMIT_MESSAGE) + 3 * 20];
		char *text;

		snprintf(msg, sizeof(msg), MCP_LIMIT_MESSAGE, over, *over ? room : len, room,
			 c->app->cfg->max_mcp_output);
		one = jsonrpc_error(id, MCP_OUTPUT_LIMIT, msg, NULL);
		text = cJSON_PrintUnformatted(one);
		len = strlen(text);
		buf_append(out, text, len);
		cJSON_free(text);
		cJSON_Delete(one);
	} else {
		out->len += len;  /* printed in place */
		out->data[out->len] = '\0';
	}
	c->budget_left -= len < c->budget_left ? len : c->budget_left;
}

/*
 * Answers the messages one after the other into one body, each printed and
 * freed before the next is made, within --max-mcp-output: room for an
 * output-limit error is held back for every answer still to come, so an
 * answer is sent when it fits in what is left after that, and its error
 * otherwise. The body thus stays within the limit unless the errors alone
 * exceed it (then within the errors' rooms).
 */
static void answer_all(struct mcp_call *c, const struct jsonrpc_body *body, struct buf *out)
{
	size_t limit = c->app->cfg->max_mcp_output;
	size_t held = body->batch ? 1 : 0;  /* the closing ']' */

	for (size_t i = 0; i < body->n; i++)
		held += limit_room(&body->msgs[i], body->batch);
	c->budget_left = limit > held ? limit - held : 0;
	for (size_t i = 0; i < body->n; i++) {
		const struct jsonrpc_msg *m = &body->msgs[i];
		size_t room = limit_room(m, body->batch);
		cJSON *one;

		if (!room)
			continue;  /* a notification or a client's response: no answer */
		c->budget_left += room;
		if (body->batch) {
			buf_putc(out, out->len ? ',' : '[');
			c->budget_left--;
		}
		if (m->kind == JSONRPC_INVALID)
			one = jsonrpc_error(m->id, m->error, m->error_message, NULL);
		else
			one = answer(c, m, body->batch);
		out_append(c, out, one, m->id);
	}
	if (body->batch && out->len)
		buf_putc(out, ']');
}

void mcp_handle(void *ctx, struct request *req, struct response *res)
{
	struct mcp_call c = { ctx, NULL, NULL, "", 0, req };
	struct jsonrpc_body body;
	struct buf out;

	response_header(res, "Cache-Control", "no-store");
	if (!content_type_ok(req->content_type)) {
		http_fail(res, 415, NULL, JSONRPC_INVALID_REQUEST,
			  "Unsupported Media Type: Content-Type must be application/json");
		return;
	}
	if (!accept_ok(req->accept)) {
		http_fail(res, 406, NULL, JSONRPC_INVALID_REQUEST,
			  "Not Acceptable: this server answers with application/json; Accept must "
			  "allow it");
		return;
	}
	if (req->mcp_protocol_version && !version_find(req->mcp_protocol_version)) {
		http_fail(res, 400, NULL, JSONRPC_INVALID_REQUEST,
			  "Bad Request: unsupported MCP-Protocol-Version (supported: 2025-11-25, "
			  "2025-06-18, 2025-03-26)");
		return;
	}
	if (jsonrpc_parse(req->body, req->body_len, &body) != 0) {
		http_fail(res, 400, NULL, body.error, body.error_message);
		goto out;
	}
	if (!body.batch && body.msgs[0].kind == JSONRPC_INVALID) {
		http_fail(res, 400, body.msgs[0].id, body.msgs[0].error, body.msgs[0].error_message);
		goto out;
	}
	if (!is_initialize(&body)) {
		if (!req->mcp_session_id) {
			http_fail(res, 400, NULL, JSONRPC_INVALID_REQUEST,
				  "Bad Request: Mcp-Session-Id header is required (send initialize "
				  "first)");
			goto out;
		}
		c.version = mcp_session_check(c.app, req->mcp_session_id);
		if (!c.version) {
			http_fail(res, 404, NULL, -32001, "Session not found");
			goto out;
		}
	}
	buf_init(&out);
	answer_all(&c, &body, &out);
	if (out.len == 0) {
		response_copy(res, 202, CT_JSON, "", 0);
	} else {
		size_t len;
		char *text = buf_detach(&out, &len);

		response_take(res, 200, CT_JSON, text, len);
		if (c.session[0])
			response_header(res, "Mcp-Session-Id", c.session);
	}
	buf_fini(&out);  /* harmless after buf_detach */
out:
	jsonrpc_body_fini(&body);
}
