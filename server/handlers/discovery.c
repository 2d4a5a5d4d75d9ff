/* SPDX-License-Identifier: MIT */
/*
 * discovery: the well-known skill indexes (see discovery.h). Handlers run on
 * worker threads with the thread's reader; the only shared state is the
 * cached 0.2.0 index, behind its mutex.
 */
#include "skilld/handlers/discovery.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/handlers/api.h"
#include "skilld/app/app.h"
#include "skilld/base/archive.h"
#include "skilld/base/util.h"
#include "skilld/store/search.h"
#include "skilld/indexing/validate.h"

#define ARTIFACT_SUFFIX ".tar.gz"

struct discovery_cache {
	pthread_mutex_t lock;
	int64_t generation;  /* of body; -1 when empty */
	char *body;
	size_t len;
};

struct discovery_cache *discovery_cache_new(void)
{
	struct discovery_cache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	c->generation = -1;
	return c;
}

void discovery_cache_free(struct discovery_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->body);
	free(c);
}

/* A skill as the indexes see it. */
struct listed {
	char *name;
	char *description;
	cJSON *files;  /* the files_json array */
};

static void listed_fini(struct listed *l)
{
	free(l->name);
	free(l->description);
	cJSON_Delete(l->files);
}

/* The files_json of slug into *files (cJSON_Delete; NULL when the skill
 * has none): 0, or -1 on a database error. */
static int files_of(struct store_reader *r, const char *slug, cJSON **files)
{
	struct store_skill sk;
	int rc = store_skill_get(r, slug, &sk);

	*files = rc == 1 && sk.files.p ? cJSON_ParseWithLength(sk.files.p, sk.files.len) : NULL;
	return rc < 0 ? -1 : 0;
}

/* Is the summary's name one the indexes list (valid, the slug, a
 * description)? */
static bool name_listable(const cJSON *summary)
{
	const char *slug = jstr(summary, "slug"), *name = jstr(summary, "name");
	const char *desc = jstr(summary, "description");

	return slug && name && desc && *desc && strcmp(slug, name) == 0 && validate_name_ok(name) &&
	       cJSON_IsTrue(cJSON_GetObjectItem(summary, "valid"));
}

/* Are files (a files_json array) all stored, and at least one? */
static bool files_listable(const cJSON *files)
{
	const cJSON *f;

	if (!cJSON_IsArray(files) || cJSON_GetArraySize(files) == 0)
		return false;
	cJSON_ArrayForEach(f, files)
		if (!cJSON_IsTrue(cJSON_GetObjectItem(f, "stored")) || !jstr(f, "path"))
			return false;
	return true;
}

bool discovery_installable(const cJSON *detail)
{
	return name_listable(detail) && files_listable(cJSON_GetObjectItem(detail, "files"));
}

/* Does the summary's skill belong in the indexes? 1, filling l; 0; -1 on a
 * database error. */
static int listable(struct store_reader *r, const cJSON *summary, struct listed *l)
{
	cJSON *files;

	if (!name_listable(summary))
		return 0;
	if (files_of(r, jstr(summary, "slug"), &files) != 0)
		return -1;
	if (!files_listable(files)) {
		cJSON_Delete(files);
		return 0;
	}
	l->name = xstrdup(jstr(summary, "name"));
	l->description = xstrdup(jstr(summary, "description"));
	l->files = files;
	return 1;
}

static int find_listed(struct store_reader *r, const char *name, struct listed *l);
static void list_free(struct listed *l, size_t n);

/* Every listed skill in slug order, or only the one named only (none when
 * it is not listed); count in *n. NULL with res filled on a database error
 * (an empty index is a zero-length array, not NULL). */
static struct listed *list_skills(struct app *app, struct store_reader *r, const char *only,
				  size_t *n, struct response *res)
{
	cJSON *all, *s;
	struct listed *out;
	size_t k = 0;

	*n = 0;
	if (only) {
		int found;

		out = xcalloc(1, sizeof(*out));
		found = find_listed(r, only, out);
		if (found < 0) {
			free(out);
			api_db_error(app, r, res, "reading a skill for the well-known index");
			return NULL;
		}
		*n = (size_t)found;
		return out;
	}
	all = api_all_skills_json(app, res);
	if (!all)
		return NULL;
	out = xcalloc((size_t)cJSON_GetArraySize(all) + 1, sizeof(*out));
	cJSON_ArrayForEach(s, all) {
		int rc = listable(r, s, &out[k]);

		if (rc < 0) {
			cJSON_Delete(all);
			list_free(out, k);
			api_db_error(app, r, res, "reading a skill for the well-known index");
			return NULL;
		}
		k += (size_t)rc;
	}
	cJSON_Delete(all);
	*n = k;
	return out;
}

static void list_free(struct listed *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		listed_fini(&l[i]);
	free(l);
}

/* Is name a listed skill? 1, filling l; 0; -1 on a database error. */
static int find_listed(struct store_reader *r, const char *name, struct listed *l)
{
	struct store_skill sk;
	cJSON *detail = NULL;
	int rc;

	if (!validate_name_ok(name))
		return 0;
	/* The detail has the summary's fields (slug, name, description, valid). */
	rc = store_skill_get(r, name, &sk);
	if (rc < 0)
		return -1;
	if (rc == 1 && sk.detail.p)
		detail = cJSON_ParseWithLength(sk.detail.p, sk.detail.len);
	rc = detail ? listable(r, detail, l) : 0;
	cJSON_Delete(detail);
	return rc;
}

/* find_listed for a handler: a database error is answered (503) into res
 * and counts as -1, "not listed" as 0 with nothing answered. */
static int listed_or_answer(struct app *app, struct store_reader *r, const char *name,
			    struct listed *l, struct response *res)
{
	int rc = find_listed(r, name, l);

	if (rc < 0)
		api_db_error(app, r, res, "reading a skill for the well-known index");
	return rc;
}

static void answer_json(struct response *res, cJSON *o)
{
	response_json(res, 200, o);
	response_header(res, "Cache-Control", "no-cache");
}

/* Builds the 0.2.0 index, of every listed skill or only of the one named
 * only; NULL with res filled. Its URLs are absolute paths, so a scoped
 * index (below) points at the same artifacts. */
static char *build_v2(struct app *app, struct store_reader *r, const char *only, size_t *len,
		      struct response *res)
{
	struct listed *l;
	size_t n;
	cJSON *root, *skills;
	char *text;

	l = list_skills(app, r, only, &n, res);
	if (!l)
		return NULL;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema", DISCOVERY_SCHEMA_V2);
	skills = cJSON_AddArrayToObject(root, "skills");
	for (size_t i = 0; i < n; i++) {
		bool only_md = cJSON_GetArraySize(l[i].files) == 1 &&
			       strcmp(jstr(cJSON_GetArrayItem(l[i].files, 0), "path"), "SKILL.md") == 0;
		char hex[SHA256_HEX_LEN + 1], *url, *digest;
		cJSON *o;

		if (only_md) {
			/* The stored digest is the SHA-256 of the file's bytes. */
			snprintf(hex, sizeof(hex), "%s",
				 jstr(cJSON_GetArrayItem(l[i].files, 0), "digest"));
			url = xasprintf("/.well-known/agent-skills/%s/SKILL.md", l[i].name);
		} else {
			struct response scratch;
			char *bytes;
			size_t blen;

			response_init(&scratch);
			if (api_archive_bytes(app, r, l[i].name, SKILLD_ARCHIVE_TGZ, NULL, &bytes, &blen,
					      &scratch) != 0) {
				/* Left out: it has a file archive.c refuses. */
				log_msg(&app->log, LOG_WARN, "well-known index: '%s' left out: %.*s",
					l[i].name, (int)scratch.body_len, scratch.body ? scratch.body : "");
				response_fini(&scratch);
				continue;
			}
			response_fini(&scratch);
			sha256_hex(bytes, blen, hex);
			free(bytes);
			url = xasprintf("/.well-known/agent-skills/%s" ARTIFACT_SUFFIX, l[i].name);
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", l[i].name);
		cJSON_AddStringToObject(o, "type", only_md ? "skill-md" : "archive");
		cJSON_AddStringToObject(o, "description", l[i].description);
		cJSON_AddStringToObject(o, "url", url);
		digest = xasprintf("sha256:%s", hex);
		cJSON_AddStringToObject(o, "digest", digest);
		cJSON_AddItemToArray(skills, o);
		free(url);
		free(digest);
	}
	list_free(l, n);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	*len = strlen(text);
	return text;
}

/* Answers text, a 0.2.0 index (taken: free()). Below the install token's
 * prefix (auth.h) each url gets the prefix too: the CLI resolves it
 * against the index's URL, and an absolute path would lose the token. */
static void answer_v2(const struct request *req, struct response *res, char *text, size_t len)
{
	cJSON *root, *s;

	if (req->install_prefix && (root = cJSON_ParseWithLength(text, len)) != NULL) {
		cJSON_ArrayForEach(s, cJSON_GetObjectItem(root, "skills")) {
			char *url = xasprintf("%s%s", req->install_prefix, jstr(s, "url"));

			cJSON_ReplaceItemInObject(s, "url", cJSON_CreateString(url));
			free(url);
		}
		free(text);
		text = cJSON_PrintUnformatted(root);
		len = strlen(text);
		cJSON_Delete(root);
	}
	response_take(res, 200, CT_JSON, text, len);
	response_header(res, "Cache-Control", "no-cache");
}

void discovery_index_v2(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct discovery_cache *c = app->discovery;
	struct store_reader *r = api_reader(app, res);
	int64_t gen = req->generation;
	char *text;
	size_t len;

	if (!r)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->body && c->generation == gen) {
		text = xstrndup(c->body, c->len);
		len = c->len;
		pthread_mutex_unlock(&c->lock);
		answer_v2(req, res, text, len);
		return;
	}
	pthread_mutex_unlock(&c->lock);

	/* Built outside the lock: two first requests may both build it. */
	text = build_v2(app, r, NULL, &len, res);
	if (!text)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->generation <= gen) {
		free(c->body);
		c->body = xstrndup(text, len);
		c->len = len;
		c->generation = gen;
	}
	pthread_mutex_unlock(&c->lock);
	answer_v2(req, res, text, len);
}

/* The older index, of every listed skill or only of the one named only. */
static void index_v1(struct app *app, const char *only, struct response *res)
{
	struct store_reader *r = api_reader(app, res);
	struct listed *l;
	size_t n;
	cJSON *root, *skills;

	if (!r || !(l = list_skills(app, r, only, &n, res)))
		return;
	root = cJSON_CreateObject();
	skills = cJSON_AddArrayToObject(root, "skills");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *paths = cJSON_CreateArray();
		const cJSON *f;

		cJSON_AddStringToObject(o, "name", l[i].name);
		cJSON_AddStringToObject(o, "description", l[i].description);
		cJSON_ArrayForEach(f, l[i].files)
			cJSON_AddItemToArray(paths, cJSON_CreateString(jstr(f, "path")));
		cJSON_AddItemToObject(o, "files", paths);
		cJSON_AddItemToArray(skills, o);
	}
	list_free(l, n);
	answer_json(res, root);
	cJSON_Delete(root);
}

void discovery_index_v1(void *ctx, struct request *req, struct response *res)
{
	(void)req;
	index_v1(ctx, NULL, res);
}

void discovery_artifact(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	const char *artifact = request_param(req, "artifact");
	size_t n = strlen(artifact), sl = strlen(ARTIFACT_SUFFIX);
	struct store_reader *r;
	struct listed l = { 0 };
	char *name, *bytes;
	size_t len;
	int found;

	if (n <= sl || strcmp(artifact + n - sl, ARTIFACT_SUFFIX) != 0) {
		response_error(res, 404, "not_found", "no artifact '%s' here: artifacts are "
			       "{name}" ARTIFACT_SUFFIX " (see index.json)", artifact);
		return;
	}
	if (!(r = api_reader(app, res)))
		return;
	name = xstrndup(artifact, n - sl);
	found = listed_or_answer(app, r, name, &l, res);
	if (found == 0) {
		response_error(res, 404, "skill_not_found", "no skill '%s' is listed in the "
			       "well-known index", name);
	} else if (found > 0 && api_archive_bytes(app, r, name, SKILLD_ARCHIVE_TGZ, NULL, &bytes, &len,
				     res) == 0) {
		char *disp = xasprintf("attachment; filename=\"%s\"", artifact);

		response_take(res, 200, "application/gzip", bytes, len);
		response_header(res, "Content-Disposition", disp);
		free(disp);
	}
	listed_fini(&l);
	free(name);
}

void discovery_file(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	const char *name = request_param(req, "name");
	struct store_reader *r = api_reader(app, res);
	struct listed l = { 0 };

	int found;

	if (!r)
		return;
	found = listed_or_answer(app, r, name, &l, res);
	if (found <= 0) {
		if (found == 0)
			response_error(res, 404, "skill_not_found", "no skill '%s' is listed in the "
				       "well-known index", name);
		return;
	}
	listed_fini(&l);
	/* api_skill_file reads {slug}: the listed name is the slug. */
	if (req->n_params < REQUEST_MAX_PARAMS)
		req->params[req->n_params++] = (struct kv){ xstrdup("slug"), xstrdup(name) };
	api_skill_file(app, req, res);
}

/* ---- one skill's scope: /@{name}/.well-known/... ---- */

/* The listed skill a scope "@name" names, or NULL after a 404 (or a 503
 * on a database error) in res. */
static const char *scope_name(struct app *app, struct request *req, struct response *res)
{
	const char *scope = request_param(req, "scope");
	struct store_reader *r;
	struct listed l = { 0 };
	int found;

	if (scope[0] != '@') {
		response_error(res, 404, "not_found", "no index at /%s/.well-known/: a skill's own "
			       "index is at /@{name}/.well-known/", scope);
		return NULL;
	}
	if (!(r = api_reader(app, res)))
		return NULL;
	found = listed_or_answer(app, r, scope + 1, &l, res);
	listed_fini(&l);
	if (found < 0)
		return NULL;
	if (found == 0) {
		response_error(res, 404, "skill_not_found", "no skill '%s' is listed in the "
			       "well-known index", scope + 1);
		return NULL;
	}
	return scope + 1;
}

void discovery_scoped_v2(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	const char *name = scope_name(app, req, res);
	char *text;
	size_t len;

	if (!name || !(text = build_v2(app, api_reader(app, res), name, &len, res)))
		return;
	answer_v2(req, res, text, len);
}

void discovery_scoped_v1(void *ctx, struct request *req, struct response *res)
{
	const char *name = scope_name(ctx, req, res);

	if (name)
		index_v1(ctx, name, res);
}

void discovery_scoped_file(void *ctx, struct request *req, struct response *res)
{
	const char *name = scope_name(ctx, req, res);

	if (!name)
		return;
	if (strcmp(name, request_param(req, "name")) != 0) {
		response_error(res, 404, "skill_not_found", "the index at /@%s/ lists only '%s'",
			       name, name);
		return;
	}
	discovery_file(ctx, req, res);
}

/* ---- /api/search for `skills find` ---- */

/* /api/search?q=&limit= in the shape the `skills` installer CLI's `find`
 * reads: {"skills":[{"id","name","source","installs","description"}]}: the
 * skills of the well-known index that fit the query best
 * (search_resolve). `find` prints "<source>@<name>" as the line to paste
 * into `skills add`; source is this server's base URL with a '/', so the
 * line is http://host:port/@name, a URL whose path is the skill's own
 * scope: `skills add` reads the index at /@name/.well-known/ (above),
 * which lists only that skill. Installs are not counted here: 0. A limit
 * over RESOLVE_MAX_K is lowered to it (the CLI asks for 20); it counts
 * installable skills, taken from the best RESOLVE_MAX_K. */
void discovery_search(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct store_reader *r = api_reader(app, res);
	const char *q = request_query(req, "q");
	cJSON *out = NULL, *root, *skills, *hit;
	char err[256] = "", *base, *source;
	long limit;
	int rc;

	if (!r)
		return;
	if (!q || !*q) {
		response_error(res, 400, "bad_query", "q is required: the words to look for");
		return;
	}
	if (request_query_long(req, "limit", 1, 1000, RESOLVE_MAX_K, &limit) != 0) {
		response_error(res, 400, "bad_limit", "limit must be an integer from 1 to 1000");
		return;
	}
	/* The best RESOLVE_MAX_K, then the first limit of them that install. */
	if (limit > RESOLVE_MAX_K)
		limit = RESOLVE_MAX_K;
	rc = search_resolve(r, q, RESOLVE_MAX_K, &out, err, sizeof(err));
	if (rc != 0) {
		api_search_answer(app, res, rc, out, err);
		return;
	}
	base = request_base_url(req, app->cfg->bind, app->port);
	source = xasprintf("%s/", base);
	root = cJSON_CreateObject();
	skills = cJSON_AddArrayToObject(root, "skills");
	cJSON_ArrayForEach(hit, cJSON_GetObjectItem(out, "data")) {
		const char *slug = jstr(hit, "slug"), *desc = jstr(hit, "description");
		struct listed l = { 0 };
		cJSON *o;
		int found;

		if (cJSON_GetArraySize(skills) >= limit)
			break;
		found = slug ? find_listed(r, slug, &l) : 0;
		if (found < 0) {
			cJSON_Delete(root);
			cJSON_Delete(out);
			free(source);
			free(base);
			api_db_error(app, r, res, "reading a skill for the search");
			return;
		}
		if (found == 0)
			continue;  /* not installable from here */
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", slug);
		cJSON_AddStringToObject(o, "name", l.name);
		cJSON_AddStringToObject(o, "source", source);
		cJSON_AddNumberToObject(o, "installs", 0);
		if (desc)
			cJSON_AddStringToObject(o, "description", desc);
		cJSON_AddItemToArray(skills, o);
		listed_fini(&l);
	}
	response_json(res, 200, root);
	cJSON_Delete(root);
	cJSON_Delete(out);
	free(source);
	free(base);
}
