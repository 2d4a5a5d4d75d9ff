/* SPDX-License-Identifier: MIT */
/*
 * web: page handlers. Each one reads what the indexer stored (prebuilt JSON,
 * HTML rendered at index time, the raw markdown) and answers in the
 * negotiated format: an HTML page from page.h, the API's JSON, or markdown.
 * Runs on worker threads, each with its own reader connection.
 */
#include "skilld/handlers/web.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "skilld/handlers/api.h"
#include "skilld/handlers/discovery.h"
#include "skilld/app/app.h"
#include "skilld/base/assets.h"
#include "skilld/store/store.h"
#include "skilld/handlers/page.h"
#include "skilld/handlers/reviews.h"
#include "skilld/indexing/skill.h"
#include "skilld/store/search.h"
#include "skilld/store/snippet.h"
#include "skilld/base/util.h"

#define CT_HTML "text/html; charset=utf-8"
#define CT_OPENSEARCH "application/opensearchdescription+xml"
/* Results per page of /search in HTML when no limit is asked for. */
#define SEARCH_PAGE_LIMIT 20
/* Skill cards on a page of the index, and the last page number asked for
 * that is read at all (10,000,000 skills). */
#define INDEX_PAGE_SIZE 48
#define INDEX_PAGE_MAX 208334

/* Everything a page handler needs, set up by page_begin. */
struct page_req {
	struct app *app;
	struct request *req;
	struct response *res;
	enum format format;
	struct store_reader *db;
	struct page_ctx ctx;
	char *base_url;
	char *path;
};

void web_page_headers(struct response *res, bool html)
{
	response_header(res, "Vary", "Accept, User-Agent");
	if (!html)
		return;
	response_header(res, "Content-Security-Policy",
			"default-src 'self'; object-src 'none'; frame-ancestors 'none'; "
			"base-uri 'none'; form-action 'self'");
	response_header(res, "Referrer-Policy", "no-referrer");
}

/* Negotiates and opens the reader; false after filling res with an error. */
static bool page_begin(struct page_req *p, struct app *app, struct request *req,
		       struct response *res)
{
	memset(p, 0, sizeof(*p));
	p->app = app;
	p->req = req;
	p->res = res;
	p->format = request_negotiate(req);
	if (p->format == FORMAT_BAD) {
		response_error(res, 400, "bad_format", "format must be html, json or md");
		return false;
	}
	p->db = api_reader(app, res);
	if (!p->db)
		return false;
	p->base_url = request_base_url(req, app->cfg->bind, app->port);
	p->path = url_decode(req->path, strlen(req->path), false);
	p->ctx.base_url = p->base_url;
	p->ctx.path = p->path;
	return true;
}

/* Frees what page_begin set up, for a handler that leaves res to another. */
static void page_abandon(struct page_req *p)
{
	free(p->base_url);
	free(p->path);
}

static void page_end(struct page_req *p)
{
	if (p->res->status < 400)
		web_page_headers(p->res, p->format == FORMAT_HTML);
	free(p->base_url);
	free(p->path);
}

static void answer_html(struct page_req *p, char *html, size_t len)
{
	response_take(p->res, 200, CT_HTML, html, len);
}

static void answer_markdown(struct page_req *p, const char *md, size_t len)
{
	response_copy(p->res, 200, format_content_type(p->format), md, len);
	p->res->markdown = true;
}

static void answer_markdown_buf(struct page_req *p, struct buf *b)
{
	size_t len;
	char *md = buf_detach(b, &len);

	response_take(p->res, 200, format_content_type(p->format), md, len);
	p->res->markdown = true;
}

/* JSON text read from the index, parsed (cJSON_Delete); NULL for NULL. */
static cJSON *bytes_json(struct store_bytes v)
{
	return v.p ? cJSON_ParseWithLength(v.p, v.len) : NULL;
}

/* Appends s as one markdown line (newlines folded to spaces). */
static void md_inline(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* ---- the index: a page of skills, grouped, filtered, counted ---- */

/* Skills in the index's "Recently changed" (its first page, unfiltered). */
#define INDEX_RECENT 10

/* The values of the tier filter, in the order the facet lists them. */
static const char *const browse_tiers[] = { "platinum", "gold", "silver", "bronze", "none" };
#define N_BROWSE_TIERS (sizeof(browse_tiers) / sizeof(browse_tiers[0]))

/* One store_browse_cell, copied. */
struct browse_cell {
	char *root;
	const char *tier;      /* one of browse_tiers */
	bool checklist;
	bool evals;
	long count;
};

/* The index page being answered: its filter, the cells of the skills
 * matching its words, and the page's summaries. */
struct browse {
	struct store_browse f;
	long page;
	struct browse_cell *cells;
	size_t n_cells, cap_cells;
	cJSON *data;
};

/* The entry of browse_tiers equal to tier (NULL: "none"); NULL when none is. */
static const char *browse_tier(const char *tier)
{
	for (size_t i = 0; i < N_BROWSE_TIERS; i++)
		if (strcmp(tier ? tier : "none", browse_tiers[i]) == 0)
			return browse_tiers[i];
	return NULL;
}

static int browse_cell_add(void *ctx, const struct store_browse_cell *c)
{
	struct browse *b = ctx;

	if (b->n_cells == b->cap_cells) {
		b->cap_cells = b->cap_cells ? b->cap_cells * 2 : 16;
		b->cells = xrealloc(b->cells, b->cap_cells * sizeof(*b->cells));
	}
	b->cells[b->n_cells++] = (struct browse_cell){
		xstrdup(c->root ? c->root : ""), browse_tier(c->tier), c->checklist, c->evals, c->count,
	};
	return 0;
}

static void browse_fini(struct browse *b)
{
	for (size_t i = 0; i < b->n_cells; i++)
		free(b->cells[i].root);
	free(b->cells);
	cJSON_Delete(b->data);
}

/* The facets of the index, each counted with its own filter left out. */
enum browse_facet { FACET_ROOT, FACET_TIER, FACET_CHECKLIST, FACET_EVALS, N_FACETS };

/* The name of each facet, as the query and the JSON call it. */
static const char *const facet_names[N_FACETS] = { "root", "tier", "checklist", "evals" };

/* The value cell c has in facet (a root, a tier of browse_tiers, "yes" or
 * "no"); NULL for a tier skilld does not know. */
static const char *cell_value(const struct browse_cell *c, enum browse_facet facet)
{
	switch (facet) {
	case FACET_ROOT:
		return c->root;
	case FACET_TIER:
		return c->tier;
	case FACET_CHECKLIST:
		return c->checklist ? "yes" : "no";
	default:
		return c->evals ? "yes" : "no";
	}
}

/* The value f asks for in facet, or NULL for any. */
static const char *filter_value(const struct store_browse *f, enum browse_facet facet)
{
	switch (facet) {
	case FACET_ROOT:
		return f->root;
	case FACET_TIER:
		return f->tier;
	case FACET_CHECKLIST:
		return f->checklist < 0 ? NULL : f->checklist ? "yes" : "no";
	default:
		return f->evals < 0 ? NULL : f->evals ? "yes" : "no";
	}
}

/* True when v (may be NULL) is the string want. */
static bool value_is(const char *v, const char *want)
{
	return v && strcmp(v, want) == 0;
}

/* True when cell c passes every filter of f but facet's own (N_FACETS:
 * every filter). */
static bool browse_match(const struct store_browse *f, const struct browse_cell *c,
			 enum browse_facet facet)
{
	for (int k = 0; k < N_FACETS; k++) {
		const char *want = filter_value(f, (enum browse_facet)k);

		if (k != (int)facet && want && !value_is(cell_value(c, (enum browse_facet)k), want))
			return false;
	}
	return true;
}

/* The number of skills that pass every filter of f but facet's own. */
static long browse_count(const struct browse *b, enum browse_facet facet)
{
	long n = 0;

	for (size_t i = 0; i < b->n_cells; i++)
		if (browse_match(&b->f, &b->cells[i], facet))
			n += b->cells[i].count;
	return n;
}

/* Appends to a {"value", "count"} for each of values[0..n) in facet: the
 * skills that have it and pass every other filter. A value no skill has
 * is left out, unless the filter asks for it. */
static void facet_values(cJSON *a, const struct browse *b, enum browse_facet facet,
			 const char *const *values, size_t n)
{
	for (size_t v = 0; v < n; v++) {
		long count = 0;

		for (size_t i = 0; i < b->n_cells; i++)
			if (value_is(cell_value(&b->cells[i], facet), values[v]) &&
			    browse_match(&b->f, &b->cells[i], facet))
				count += b->cells[i].count;
		if (count > 0 || value_is(filter_value(&b->f, facet), values[v])) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "value", values[v]);
			cJSON_AddNumberToObject(o, "count", (double)count);
			cJSON_AddItemToArray(a, o);
		}
	}
}

/* The facets of b: {"root": its values in root order, "tier" in
 * browse_tiers order, "checklist" and "evals": "yes", "no"}, as
 * facet_values counts them. */
static cJSON *browse_facets(const struct browse *b)
{
	static const char *const yes_no[] = { "yes", "no" };
	const char **roots = xcalloc(b->n_cells + 1, sizeof(*roots));
	cJSON *facets = cJSON_CreateObject();
	size_t n_roots = 0;

	/* the cells come in root order: each root once */
	for (size_t i = 0; i < b->n_cells; i++)
		if (n_roots == 0 || strcmp(roots[n_roots - 1], b->cells[i].root) != 0)
			roots[n_roots++] = b->cells[i].root;
	facet_values(cJSON_AddArrayToObject(facets, facet_names[FACET_ROOT]), b, FACET_ROOT, roots,
		     n_roots);
	facet_values(cJSON_AddArrayToObject(facets, facet_names[FACET_TIER]), b, FACET_TIER,
		     browse_tiers, N_BROWSE_TIERS);
	facet_values(cJSON_AddArrayToObject(facets, facet_names[FACET_CHECKLIST]), b, FACET_CHECKLIST,
		     yes_no, 2);
	facet_values(cJSON_AddArrayToObject(facets, facet_names[FACET_EVALS]), b, FACET_EVALS,
		     yes_no, 2);
	free(roots);
	return facets;
}

/* Reads a yes|no filter into *out (1, 0; -1 when absent); false when it
 * is something else. */
static bool browse_yes_no(struct request *req, const char *key, int *out)
{
	const char *v = request_query(req, key);

	*out = -1;
	if (!v || !*v)
		return true;
	if (strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0)
		*out = 0;
	return *out >= 0;
}

/* Reads the facet filters of a query (root, tier, checklist, evals: the
 * index's and the search page's) into f; false after a 400. */
static bool browse_parse_facets(struct request *req, struct response *res, struct store_browse *f)
{
	const char *root = request_query(req, "root"), *tier = request_query(req, "tier");

	f->root = root && *root ? root : NULL;
	f->tier = tier && *tier ? browse_tier(tier) : NULL;
	if (tier && *tier && !f->tier) {
		response_error(res, 400, "bad_tier",
			       "tier must be platinum, gold, silver, bronze or none");
		return false;
	}
	if (!browse_yes_no(req, "checklist", &f->checklist) ||
	    !browse_yes_no(req, "evals", &f->evals)) {
		response_error(res, 400, "bad_filter", "checklist and evals must be yes or no");
		return false;
	}
	return true;
}

/* Reads the index's query into b->f and b->page; false after a 400. */
static bool browse_parse(struct request *req, struct response *res, struct browse *b)
{
	const char *q = request_query(req, "q");

	if (request_query_long(req, "page", 1, INDEX_PAGE_MAX, 1, &b->page) != 0) {
		response_error(res, 400, "bad_page", "page must be an integer from 1 to %d",
			       INDEX_PAGE_MAX);
		return false;
	}
	/* the request is valid UTF-8 already (request.c) */
	if (q && strlen(q) > SEARCH_MAX_QUERY) {
		response_error(res, 400, "bad_query", "q is longer than %d bytes", SEARCH_MAX_QUERY);
		return false;
	}
	b->f.q = q && *q ? q : NULL;
	return browse_parse_facets(req, res, &b->f);
}

/* Whether a root of that name has skills. */
struct root_seen {
	const char *root;
	bool seen;
};

static int root_seen(void *ctx, const struct store_browse_cell *c)
{
	struct root_seen *rs = ctx;

	rs->seen = c->root && strcmp(c->root, rs->root) == 0;
	return rs->seen;
}

/* Whether f's collection, if it names one, has skills: 1, else 0 after a
 * 400 (a collection no skill is in is a mistake, not an empty page); -1
 * after a 503. */
static int browse_root_known(struct page_req *p, const struct store_browse *f)
{
	struct root_seen seen = { f->root, false };

	if (!f->root)
		return 1;
	if (store_browse_cells(p->db, NULL, root_seen, &seen) != 0) {
		api_db_error(p->app, p->db, p->res, "browsing skills");
		return -1;
	}
	if (!seen.seen)
		response_error(p->res, 400, "bad_root", "no collection is named '%s'", f->root);
	return seen.seen;
}

/* Adds f's facet filters to filter (null for any), as the view's
 * "filter" names them. */
static void browse_filter_json(cJSON *filter, const struct store_browse *f)
{
	for (int k = 0; k < N_FACETS; k++)
		jadd_str_or_null(filter, facet_names[k], filter_value(f, (enum browse_facet)k));
}

/*
 * The index's view of the request: {"data": [the page's summaries, in
 * (root, slug) order], "total": skills that pass the filter, "skills": all
 * of them, "checklist_items", "page", "pages", "per_page", "filter": {q,
 * root, tier, checklist, evals}, "facets": browse_facets}. NULL after an
 * answer (400 for a bad query, 404 for a page past the last, 503).
 */
static cJSON *browse_view(struct page_req *p)
{
	struct browse b = { .f = { .checklist = -1, .evals = -1 } };
	cJSON *view = NULL, *filter;
	long total, pages, all, items;

	if (!browse_parse(p->req, p->res, &b))
		return NULL;
	if (browse_root_known(p, &b.f) <= 0)
		goto out;
	if (store_browse_cells(p->db, b.f.q, browse_cell_add, &b) != 0)
		goto db_error;
	total = browse_count(&b, N_FACETS);
	pages = total > 0 ? (total + INDEX_PAGE_SIZE - 1) / INDEX_PAGE_SIZE : 1;
	if (b.page > pages) {
		response_error(p->res, 404, "page_not_found", "page %ld is past the last page, %ld",
			       b.page, pages);
		goto out;
	}
	b.data = cJSON_CreateArray();
	all = store_skill_count(p->db);
	items = store_checklist_items_total(p->db);
	if (all < 0 || items < 0 ||
	    store_browse_page(p->db, &b.f, (b.page - 1) * INDEX_PAGE_SIZE, INDEX_PAGE_SIZE,
			      api_summary_add, b.data) != 0)
		goto db_error;
	view = cJSON_CreateObject();
	cJSON_AddItemToObject(view, "data", b.data);
	b.data = NULL;
	cJSON_AddNumberToObject(view, "total", (double)total);
	cJSON_AddNumberToObject(view, "skills", (double)all);
	cJSON_AddNumberToObject(view, "checklist_items", (double)items);
	cJSON_AddNumberToObject(view, "page", (double)b.page);
	cJSON_AddNumberToObject(view, "pages", (double)pages);
	cJSON_AddNumberToObject(view, "per_page", INDEX_PAGE_SIZE);
	filter = cJSON_AddObjectToObject(view, "filter");
	jadd_str_or_null(filter, "q", b.f.q);
	browse_filter_json(filter, &b.f);
	cJSON_AddItemToObject(view, "facets", browse_facets(&b));
	/* the first page of everything: what changed last */
	if (b.page == 1 && !b.f.q && !b.f.root && !b.f.tier && b.f.checklist < 0 && b.f.evals < 0) {
		cJSON *recent = cJSON_AddArrayToObject(view, "recent");

		if (store_recent(p->db, INDEX_RECENT, api_summary_add, recent) != 0)
			goto db_error;
	}
	goto out;
db_error:
	api_db_error(p->app, p->db, p->res, "browsing skills");
out:
	browse_fini(&b);
	return view;
}

/* The index as markdown: the page's skills, then the link to the next. */
static void index_markdown(struct page_req *p, const cJSON *view)
{
	const cJSON *s, *data = cJSON_GetObjectItemCaseSensitive(view, "data");
	int page = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(view, "page"));
	int pages = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(view, "pages"));
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "# Skills\n\n%d skills served by skilld",
		   (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(view, "total")));
	if (pages > 1)
		buf_printf(&b, " (page %d of %d)", page, pages);
	buf_puts(&b, ". Each link has the skill's SKILL.md as markdown.\n\n");
	cJSON_ArrayForEach(s, data) {
		const char *name = jstr(s, "name"), *slug = jstr(s, "slug");

		buf_printf(&b, "- [%s](%s/skills/%s)", name ? name : slug, p->base_url, slug);
		if (jstr(s, "description")) {
			buf_puts(&b, ": ");
			md_inline(&b, jstr(s, "description"));
		}
		buf_putc(&b, '\n');
	}
	if (page < pages) {
		buf_printf(&b, "\nNext page: %s", p->base_url);
		page_index_href(&b, cJSON_GetObjectItemCaseSensitive(view, "filter"), NULL, NULL,
				page + 1);
		buf_puts(&b, "&format=md\n");
	}
	answer_markdown_buf(p, &b);
}

void web_index(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	cJSON *view;

	if (!page_begin(&p, ctx, req, res))
		return;
	view = browse_view(&p);
	if (!view)
		goto out;
	if (p.format == FORMAT_JSON) {
		response_json(res, 200, view);
	} else if (p.format == FORMAT_HTML) {
		size_t len;
		char *html = page_index(&p.ctx, view, &len);

		answer_html(&p, html, len);
	} else {
		index_markdown(&p, view);
	}
	cJSON_Delete(view);
out:
	page_end(&p);
}

/* ---- markdown rendered when asked ----
 *
 * The index keeps a document's markdown, not its HTML: a page renders it
 * when asked, as indexing would have (skill_render_doc), and the response
 * cache keeps the page that is asked for again. */

struct doc_html {
	char *html;
	cJSON *toc;
};

static void doc_html_fini(struct doc_html *d)
{
	free(d->html);
	cJSON_Delete(d->toc);
}

/* The document of the skill whose detail JSON is detail: its SKILL.md
 * body (path NULL), or its file f at path. False, with *out empty, when
 * that is not rendered markdown (a file that is not text, not stored, not
 * .md, or the skill's own SKILL.md): its bytes answer instead. */
static bool render_doc(const char *slug, const cJSON *detail, const char *path,
		       const struct store_file *f, struct doc_html *out)
{
	const char *md;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (path) {
		if (!f->content.p || !f->is_text)
			return false;
		md = f->content.p;
		len = f->content.len;
	} else {
		md = jstr(detail, "body");
		if (!md)
			return false;
		len = strlen(md);
	}
	return skill_render_doc(slug, cJSON_GetObjectItemCaseSensitive(detail, "files"), path, md,
				len, &out->html, &out->toc) == 0;
}

/* Reads {slug}'s page columns; false after a 404 or 503. */
static bool skill_row(struct page_req *p, struct store_skill_page *out)
{
	const char *slug = request_param(p->req, "slug");
	int rc = store_skill_page_get(p->db, slug, out);

	if (rc == 1)
		return true;
	if (rc == 0)
		response_error(p->res, 404, "skill_not_found", "no skill has the slug '%s'", slug);
	else
		api_db_error(p->app, p->db, p->res, "reading a skill page");
	return false;
}

/* Answers the raw bytes of the skill's first file of kind (or of path when
 * path is not NULL) as markdown. */
static void answer_file_markdown(struct page_req *p, const char *kind, const char *path)
{
	const char *slug = request_param(p->req, "slug");
	struct store_file f;
	int rc = path ? store_file_page_get(p->db, slug, path, &f)
		      : store_file_of_kind(p->db, slug, kind, &f);

	if (rc == 1 && f.content.p)
		answer_markdown(p, f.content.p, f.content.len);
	else
		response_error(p->res, 404, "not_stored", "the markdown of this page is not stored");
}

void web_skill(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	struct store_skill_page sp;

	if (!page_begin(&p, ctx, req, res))
		return;
	if (!skill_row(&p, &sp))
		goto out;
	if (p.format == FORMAT_JSON) {
		response_copy(res, 200, CT_JSON, sp.detail.p, sp.detail.len);
	} else if (p.format == FORMAT_HTML) {
		cJSON *detail = bytes_json(sp.detail);
		struct doc_html body;
		size_t len;
		char *html;

		struct app *app = ctx;
		/* every page needs the token when there is an install token,
		 * so whoever sees this one may see it */
		char *install = discovery_installable(detail)
				? xasprintf("%s%s%s/@%s", p.base_url, app->install_token ? "/i/" : "",
					    app->install_token ? app->install_token : "",
					    request_param(req, "slug"))
				: NULL;

		render_doc(request_param(req, "slug"), detail, NULL, NULL, &body);
		p.ctx.install_url = install;
		html = page_skill(&p.ctx, detail, body.html, body.toc, &len);
		answer_html(&p, html, len);
		cJSON_Delete(detail);
		doc_html_fini(&body);
		free(install);
	} else {
		answer_file_markdown(&p, "skill", NULL);
	}
out:
	page_end(&p);
}

void web_checklist(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	struct store_skill_page sp;
	cJSON *checklist, *detail;

	if (!page_begin(&p, ctx, req, res))
		return;
	if (!skill_row(&p, &sp))
		goto out;
	checklist = bytes_json(sp.checklist);
	detail = bytes_json(sp.detail);
	if (!checklist) {
		response_error(res, 404, "not_found", "skill '%s' has no review checklist",
			       request_param(req, "slug"));
	} else if (p.format == FORMAT_JSON) {
		response_json(res, 200, checklist);
	} else if (p.format == FORMAT_HTML) {
		size_t len;
		char *html = page_checklist(&p.ctx, detail, checklist, &len);

		answer_html(&p, html, len);
	} else {
		answer_file_markdown(&p, NULL, jstr(checklist, "path"));
	}
	cJSON_Delete(checklist);
	cJSON_Delete(detail);
out:
	page_end(&p);
}

static void evals_markdown(struct page_req *p, const cJSON *evals)
{
	const cJSON *e, *x;
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "# Evals of %s\n", request_param(p->req, "slug"));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(evals, "evals")) {
		buf_printf(&b, "\n## %s\n\n````\n%s\n````\n", jstr(e, "id") ? jstr(e, "id") : "eval",
			   jstr(e, "prompt") ? jstr(e, "prompt") : "");
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "expectations")) > 0)
			buf_puts(&b, "\nExpectations:\n\n");
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "expectations")) {
			buf_puts(&b, "- ");
			md_inline(&b, cJSON_IsString(x) ? x->valuestring : "");
			buf_putc(&b, '\n');
		}
		if (jstr(e, "expected_output"))
			buf_printf(&b, "\nExpected output:\n\n````\n%s\n````\n", jstr(e, "expected_output"));
	}
	answer_markdown_buf(p, &b);
}

void web_evals(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	struct store_skill_page sp;
	cJSON *evals, *detail;

	if (!page_begin(&p, ctx, req, res))
		return;
	if (!skill_row(&p, &sp))
		goto out;
	evals = bytes_json(sp.evals);
	detail = bytes_json(sp.detail);
	if (!evals) {
		response_error(res, 404, "not_found", "skill '%s' has no valid evals/evals.json",
			       request_param(req, "slug"));
	} else if (p.format == FORMAT_JSON) {
		response_json(res, 200, evals);
	} else if (p.format == FORMAT_HTML) {
		size_t len;
		char *html = page_evals(&p.ctx, detail, evals, &len);

		answer_html(&p, html, len);
	} else {
		evals_markdown(&p, evals);
	}
	cJSON_Delete(evals);
	cJSON_Delete(detail);
out:
	page_end(&p);
}

/* Answers f, the markdown file path of the skill sp, as its page, its
 * JSON ({skill, path, markdown, html, toc}) or its markdown. False, with
 * nothing answered, when it is not rendered markdown (render_doc). */
static bool answer_file_page(struct page_req *p, const struct store_skill_page *sp,
			     const char *path, const struct store_file *f)
{
	cJSON *detail = bytes_json(sp->detail);
	struct doc_html doc = { 0 };
	bool rendered = p->format == FORMAT_MD
			? f->content.p && f->is_text && str_has_suffix(path, ".md")
			: render_doc(request_param(p->req, "slug"), detail, path, f, &doc);

	if (!rendered) {
		/* nothing */
	} else if (p->format == FORMAT_JSON) {
		cJSON *o = cJSON_CreateObject();
		char *md = xstrndup(f->content.p, f->content.len);

		cJSON_AddStringToObject(o, "skill", request_param(p->req, "slug"));
		cJSON_AddStringToObject(o, "path", path);
		cJSON_AddStringToObject(o, "markdown", md);
		cJSON_AddStringToObject(o, "html", doc.html);
		cJSON_AddItemToObject(o, "toc", doc.toc);
		doc.toc = NULL;
		response_json(p->res, 200, o);
		cJSON_Delete(o);
		free(md);
	} else if (p->format == FORMAT_HTML) {
		size_t len;
		char *html = page_reference(&p->ctx, detail, path, doc.html, doc.toc, &len);

		answer_html(p, html, len);
	} else {
		answer_markdown(p, f->content.p, f->content.len);
	}
	cJSON_Delete(detail);
	doc_html_fini(&doc);
	return rendered;
}

void web_reference(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	struct store_skill_page sp;
	struct store_file f;
	char *path;
	int rc;

	if (!page_begin(&p, ctx, req, res))
		return;
	if (!skill_row(&p, &sp))
		goto out;
	path = xasprintf("references/%s", request_param(req, "file"));
	rc = store_file_page_get(p.db, request_param(req, "slug"), path, &f);
	if (rc == 0) {
		response_error(res, 404, "file_not_found", "skill '%s' has no file '%s'",
			       request_param(req, "slug"), path);
	} else if (rc < 0) {
		api_db_error(p.app, p.db, res, "reading a reference");
	} else if (!answer_file_page(&p, &sp, path, &f)) {
		/* Not rendered markdown: the file's own bytes. */
		if (req->n_params < REQUEST_MAX_PARAMS)
			req->params[req->n_params++] = (struct kv){ xstrdup("path"), xstrdup(path) };
		api_skill_file(p.app, req, res);
	}
	free(path);
out:
	page_end(&p);
}

/* True when a markdown file's path at the top of a skill names SKILL.md,
 * whose page is the skill's own. */
static bool is_skill_md(const char *path)
{
	return strcasecmp(path, "SKILL.md") == 0;
}

/* The page of path, a markdown file of the skill other than SKILL.md, for
 * a browser below the skill's page URL. False, with res untouched, when the
 * skill has no such rendered file (its bytes then answer). */
static bool raw_file_page(struct app *app, struct request *req, struct response *res,
			  const char *path)
{
	struct page_req p;
	struct store_skill_page sp;
	struct store_file f;
	int rc;

	if (!str_has_suffix(path, ".md") || is_skill_md(path))
		return false;
	if (!page_begin(&p, app, req, res))
		return true;
	rc = store_skill_page_get(p.db, request_param(req, "slug"), &sp);
	if (rc == 1)
		rc = store_file_page_get(p.db, request_param(req, "slug"), path, &f);
	if (rc == 1 && answer_file_page(&p, &sp, path, &f)) {
		/* answered */
	} else if (rc < 0) {
		api_db_error(p.app, p.db, res, "reading a file's page");
	} else {
		page_abandon(&p);
		return false;
	}
	page_end(&p);
	return true;
}

/* ---- examples ---- */

/* The page's view of a skill's examples: {"skill", "pairs": [{"before",
 * "after"}], "files": [{"path", "markdown", "html"}]} (markdown and html
 * null for a file that is not rendered markdown). A pair is a file whose
 * name holds "before" and the file named the same with "after" instead
 * (examples/before.md and examples/after.md). NULL after an answer. */
static cJSON *examples_json(struct page_req *p, const cJSON *detail)
{
	const char *slug = request_param(p->req, "slug");
	cJSON *out = cJSON_CreateObject(), *files = cJSON_CreateArray(), *pairs = cJSON_CreateArray();
	const cJSON *f, *g;

	cJSON_AddStringToObject(out, "skill", slug);
	cJSON_AddItemToObject(out, "pairs", pairs);
	cJSON_AddItemToObject(out, "files", files);
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(detail, "files")) {
		const char *path = jstr(f, "path"), *kind = jstr(f, "kind");
		struct store_file sf;
		struct doc_html doc;
		cJSON *o;
		int rc;

		if (!path || !kind || strcmp(kind, "example") != 0)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", path);
		rc = str_has_suffix(path, ".md") ? store_file_page_get(p->db, slug, path, &sf) : 0;
		if (rc < 0) {
			cJSON_Delete(o);
			cJSON_Delete(out);
			api_db_error(p->app, p->db, p->res, "reading the examples");
			return NULL;
		}
		if (rc == 1 && render_doc(slug, detail, path, &sf, &doc)) {
			char *md = xstrndup(sf.content.p, sf.content.len);

			cJSON_AddStringToObject(o, "markdown", md);
			cJSON_AddStringToObject(o, "html", doc.html);
			free(md);
			doc_html_fini(&doc);
		} else {
			cJSON_AddNullToObject(o, "markdown");
			cJSON_AddNullToObject(o, "html");
		}
		cJSON_AddItemToArray(files, o);
	}
	cJSON_ArrayForEach(f, files) {
		const char *path = jstr(f, "path");
		const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		const char *at = strstr(name, "before");
		char *other;

		if (!at)
			continue;
		other = xasprintf("%.*safter%s", (int)(at - path), path, at + 6);
		cJSON_ArrayForEach(g, files) {
			if (strcmp(jstr(g, "path"), other) == 0) {
				cJSON *pair = cJSON_CreateObject();

				cJSON_AddStringToObject(pair, "before", path);
				cJSON_AddStringToObject(pair, "after", other);
				cJSON_AddItemToArray(pairs, pair);
				break;
			}
		}
		free(other);
	}
	return out;
}

/* "/skills/{slug}/examples": the skill's examples rendered, a before and
 * an after side by side; JSON as examples_json; markdown: every file. */
void web_examples(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	struct store_skill_page sp;
	cJSON *detail, *examples;
	const cJSON *f;

	if (!page_begin(&p, ctx, req, res))
		return;
	if (!skill_row(&p, &sp))
		goto out;
	detail = bytes_json(sp.detail);
	examples = examples_json(&p, detail);
	if (!examples) {
		/* answered */
	} else if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(examples, "files")) == 0) {
		response_error(res, 404, "not_found", "skill '%s' has no examples",
			       request_param(req, "slug"));
	} else if (p.format == FORMAT_JSON) {
		response_json(res, 200, examples);
	} else if (p.format == FORMAT_HTML) {
		size_t len;
		char *html = page_examples(&p.ctx, detail, examples, &len);

		answer_html(&p, html, len);
	} else {
		struct buf b;

		buf_init(&b);
		buf_printf(&b, "# Examples of %s\n", request_param(req, "slug"));
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(examples, "files")) {
			buf_printf(&b, "\n## %s\n\n", jstr(f, "path"));
			if (jstr(f, "markdown"))
				buf_printf(&b, "%s\n", jstr(f, "markdown"));
			else
				buf_printf(&b, "Not markdown: %s/api/v1/skills/%s/files/%s\n", p.base_url,
					   request_param(req, "slug"), jstr(f, "path"));
		}
		answer_markdown_buf(&p, &b);
	}
	cJSON_Delete(examples);
	cJSON_Delete(detail);
out:
	page_end(&p);
}

void web_checklists(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	cJSON *list, *c;

	if (!page_begin(&p, ctx, req, res))
		return;
	list = api_checklists_json(p.app, res);
	if (!list)
		goto out;
	if (p.format == FORMAT_JSON) {
		response_json(res, 200, list);
	} else if (p.format == FORMAT_HTML) {
		size_t len;
		char *html = page_checklists(&p.ctx, list, &len);

		answer_html(&p, html, len);
	} else {
		struct buf b;

		buf_init(&b);
		buf_printf(&b, "# Review checklists\n\n%d items in all.\n\n",
			   (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(list, "total_items")));
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(list, "data")) {
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "primary")))
				continue;
			buf_puts(&b, "- [");
			md_inline(&b, jstr(c, "title") ? jstr(c, "title") : jstr(c, "skill"));
			buf_printf(&b, "](%s/skills/%s/checklist): %d items\n", p.base_url, jstr(c, "skill"),
				   (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "items")));
		}
		answer_markdown_buf(&p, &b);
	}
	cJSON_Delete(list);
out:
	page_end(&p);
}

/* Reads ?limit= into *limit (0 when absent); false when it is not an
 * integer from 1 to SEARCH_MAX_LIMIT. */
static bool search_limit(struct request *req, int *limit)
{
	const char *v = request_query(req, "limit");
	char *end;
	long n;

	*limit = 0;
	if (!v)
		return true;
	n = strtol(v, &end, 10);
	if (!*v || *end || n < 1 || n > SEARCH_MAX_LIMIT)
		return false;
	*limit = (int)n;
	return true;
}

/* Appends a snippet as one markdown line, the matches in **bold**
 * (snippet_markdown: escaped, emphasis that always closes). */
static void md_snippet(struct buf *b, const char *s)
{
	char *md = snippet_markdown(s);

	buf_puts(b, md);
	free(md);
}

/* The search results as a markdown list of links. */
static void search_markdown(struct page_req *p, const char *q, const cJSON *out)
{
	const cJSON *hit;
	struct buf b;
	int total = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(out, "total"));

	buf_init(&b);
	buf_puts(&b, "# Search: ");
	md_inline(&b, q);
	/* total_exact false: a top-k answer, more than total rows match */
	buf_printf(&b, "\n\n%s%d result%s.\n\n",
		   cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(out, "total_exact")) ? "More than " : "",
		   total, total == 1 ? "" : "s");
	cJSON_ArrayForEach(hit, cJSON_GetObjectItemCaseSensitive(out, "data")) {
		const char *title = jstr(hit, "title") ? jstr(hit, "title") : jstr(hit, "path");

		buf_puts(&b, "- [");
		md_inline(&b, title ? title : jstr(hit, "skill"));
		buf_printf(&b, "](%s%s) (%s, %s)", p->base_url, jstr(hit, "url") ? jstr(hit, "url") : "/",
			   jstr(hit, "kind") ? jstr(hit, "kind") : "?",
			   jstr(hit, "skill") ? jstr(hit, "skill") : "?");
		if (jstr(hit, "snippet") && jstr(hit, "snippet")[0]) {
			buf_puts(&b, ": ");
			md_snippet(&b, jstr(hit, "snippet"));
		}
		buf_putc(&b, '\n');
	}
	if (jstr(out, "next_cursor"))
		buf_printf(&b, "\nNext page: cursor=%s\n", jstr(out, "next_cursor"));
	answer_markdown_buf(p, &b);
}

/* "/search": the search page, the API's search JSON, or a markdown list. A
 * query search_run refuses is a 400 that is still the whole page in HTML. */
void web_search(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	struct browse b = { .f = { .checklist = -1, .evals = -1 } };
	struct search_query sq = { .only = &b.f, .cells = browse_cell_add, .cells_ctx = &b };
	const char *q = request_query(req, "q");
	cJSON *out = NULL;
	char err[256] = "";
	size_t len;
	char *html;
	int rc;

	if (!page_begin(&p, ctx, req, res))
		return;
	/* The markdown alternate of a page is its path plus ?format=md, which
	 * would drop q here: a results page announces none. */
	p.ctx.path = NULL;
	sq.q = q;
	sq.kind = request_query(req, "kind");
	sq.skill = request_query(req, "skill");
	sq.cursor = request_query(req, "cursor");
	/* the index's facets, counted over the skills that hold a hit */
	if (!browse_parse_facets(req, res, &b.f) || browse_root_known(&p, &b.f) <= 0)
		goto out;
	if (!search_limit(req, &sq.limit)) {
		rc = SEARCH_BAD_REQUEST;
		snprintf(err, sizeof(err), "limit must be an integer from 1 to %d", SEARCH_MAX_LIMIT);
	} else if (!q || !*q) {
		rc = SEARCH_BAD_REQUEST;
		snprintf(err, sizeof(err), "q is required: the words to search for");
	} else {
		if (sq.limit == 0 && p.format == FORMAT_HTML)
			sq.limit = SEARCH_PAGE_LIMIT;
		rc = search_run(p.db, &sq, &out, err, sizeof(err));
	}
	if (rc == SEARCH_BAD_REQUEST && p.format == FORMAT_HTML) {
		bool empty = !q || !*q;

		html = page_search(&p.ctx, q, sq.kind, NULL, empty ? NULL : err, &len);
		response_take(res, empty ? 200 : 400, CT_HTML, html, len);
		web_page_headers(res, true);
	} else if (rc == SEARCH_BAD_REQUEST) {
		response_error(res, 400, "bad_query", "%s", err);
	} else if (rc != 0) {
		log_msg(&p.app->log, LOG_ERROR, "search: %s", err);
		response_error(res, 503, "unavailable", "the search index could not be read");
	} else if (p.format != FORMAT_JSON && p.format != FORMAT_HTML) {
		search_markdown(&p, q, out);
	} else {
		cJSON *filter = cJSON_AddObjectToObject(out, "filter");

		jadd_str_or_null(filter, "q", q);
		jadd_str_or_null(filter, "kind", sq.kind);
		browse_filter_json(filter, &b.f);
		cJSON_AddItemToObject(out, "facets", browse_facets(&b));
		if (p.format == FORMAT_JSON) {
			response_json(res, 200, out);
		} else {
			html = page_search(&p.ctx, q, sq.kind, out, NULL, &len);
			answer_html(&p, html, len);
		}
	}
out:
	cJSON_Delete(out);
	browse_fini(&b);
	page_end(&p);
}

/* "/opensearch.xml": lets a browser add the portal as a search engine. */
void web_opensearch(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	size_t len;
	char *xml;

	if (!page_begin(&p, ctx, req, res))
		return;
	xml = page_opensearch(&p.ctx, &len);
	response_take(res, 200, CT_OPENSEARCH, xml, len);
	page_end(&p);
}

void web_asset(void *ctx, struct request *req, struct response *res)
{
	const struct asset *a = assets_find(request_param(req, "name"));

	(void)ctx;
	if (!a) {
		response_error(res, 404, "not_found", "no such asset");
		return;
	}
	res->status = 200;
	res->content_type = a->content_type;
	res->body = (char *)(uintptr_t)a->data;
	res->body_len = a->len;
	res->owns_body = false;
	snprintf(res->etag, sizeof(res->etag), "%s", a->etag);
	response_header(res, "Cache-Control", "no-cache");
}

void web_error_page(struct app *app, struct request *req, struct response *res)
{
	enum format f = request_negotiate(req);
	cJSON *j = res->body ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	const char *message = jstr(err, "message");
	char *path = url_decode(req->path, strlen(req->path), false);
	struct page_ctx ctx = { 0 };
	char *base = xasprintf("http://%s:%u", app->cfg->bind, app->port);
	int status = res->status;

	/* A handler that answered with a whole page (the search page's 400)
	 * keeps it. */
	if (res->content_type && strcmp(res->content_type, CT_HTML) == 0) {
		cJSON_Delete(j);
		free(path);
		free(base);
		return;
	}
	ctx.base_url = base;
	if (f == FORMAT_HTML || f == FORMAT_BAD) {
		size_t len;
		char *html = page_error(&ctx, status, NULL, message, &len);

		response_take(res, status, CT_HTML, html, len);
		web_page_headers(res, true);
	} else if (f == FORMAT_MD || f == FORMAT_TEXT) {
		char *text = xasprintf("Error %d: %s\n", status, message ? message : "request failed");

		response_take(res, status, format_content_type(f), text, strlen(text));
		web_page_headers(res, false);
	}
	cJSON_Delete(j);
	free(path);
	free(base);
}

/* A file of a skill below its page URL. A browser (HTML negotiated) gets
 * a markdown file's rendered page (SKILL.md's is the skill page, so that
 * one stays bytes); everything else is the file's bytes. Markdown is
 * text/markdown only for a client that names text/markdown in Accept;
 * others (curl) get text/plain, which they show instead of downloading. */
void web_raw_file(void *ctx, struct request *req, struct response *res)
{
	const char *path = request_param(req, "path");

	/* a browser gets a markdown file's page, as links to it promise */
	if (path && request_negotiate(req) == FORMAT_HTML && raw_file_page(ctx, req, res, path))
		return;
	api_skill_file(ctx, req, res);
	if (res->status != 200)
		return;
	if (strncmp(res->content_type, "text/markdown", 13) == 0 &&
	    !(req->accept && strcasestr(req->accept, "text/markdown")))
		response_set_type(res, CT_TEXT);
	response_header(res, "Vary", "Accept");
}

/* ---- review runs ---- */

void web_reviews(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	const char *skill = request_query(req, "skill"), *status = request_query(req, "status");
	cJSON *list;
	size_t len;
	char *html;

	if (!page_begin(&p, ctx, req, res))
		return;
	if (skill && !*skill)
		skill = NULL;
	if (status && !*status)
		status = NULL;
	list = reviews_list_from(p.app, skill, status, REVIEW_PAGE_DEFAULT, request_query(req, "cursor"),
				 res);
	if (list) {
		if (p.format == FORMAT_JSON) {
			response_json(res, 200, list);
		} else {
			html = page_reviews(&p.ctx, list, skill, status, &len);
			answer_html(&p, html, len);
		}
		res->dynamic = true;
		response_header(res, "Cache-Control", "no-cache");
		cJSON_Delete(list);
	}
	page_end(&p);
}

void web_review(void *ctx, struct request *req, struct response *res)
{
	struct page_req p;
	cJSON *v;
	size_t len;
	char *text;

	if (!page_begin(&p, ctx, req, res))
		return;
	v = reviews_view(p.app, request_param(req, "id"), res);
	if (v) {
		if (p.format == FORMAT_JSON) {
			response_json(res, 200, v);
		} else if (p.format == FORMAT_HTML) {
			text = page_review(&p.ctx, v, &len);
			answer_html(&p, text, len);
		} else {
			text = reviews_markdown(v, p.base_url);
			answer_markdown(&p, text, strlen(text));
			free(text);
		}
		res->dynamic = true;
		response_header(res, "Cache-Control", "no-cache");
		cJSON_Delete(v);
	}
	page_end(&p);
}
