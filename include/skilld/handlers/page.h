/* SPDX-License-Identifier: MIT */
/*
 * page: the HTML pages of the web portal, as pure functions from the JSON
 * the API already serves (read-only cJSON) to one complete HTML document.
 * Every piece of data goes through html.h (escaped text, escaped attributes,
 * percent-encoded URL segments); only members named "html" or "*_html",
 * and the body_html / html arguments, are inserted as they are, because
 * render.h made them safe. Pages carry no inline script, inline style or
 * event-handler attribute, so they run under a CSP of default-src 'self'
 * with /assets/style.css, /assets/app.js and /assets/favicon.svg. No state;
 * safe from any thread.
 */
#ifndef SKILLD_PAGE_H
#define SKILLD_PAGE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * What every page needs to know about the request. Both strings are
 * borrowed for the duration of the call only.
 */
struct page_ctx {
	/* Scheme, host and port the portal is reached at, no final '/', as
	 * shown in commands to copy ("http://127.0.0.1:8080"). NULL gives
	 * "http://127.0.0.1:8080". */
	const char *base_url;
	/* The decoded path of the page ("/skills/pdf/checklist"): the
	 * markdown alternate link is this path, each segment percent-encoded,
	 * plus "?format=md". NULL: the page has no alternate link. */
	const char *path;
	/* A skill page's source for the `skills` installer CLI, the URL of
	 * the skill's own discovery scope ("http://127.0.0.1:8080/@pdf", or
	 * below /i/<install token>/ for a signed-in user of a server with
	 * --install-token-file): the page shows "npx skills add <it>" with a
	 * Copy button. NULL: the skill is not in the discovery index (invalid,
	 * or a file not stored), and the page says so instead. */
	const char *install_url;
};

/*
 * Conventions shared by every page function:
 *  - ctx may be NULL (defaults as above); every cJSON argument may be NULL
 *    or of an unexpected type: a missing member is left out, never a crash.
 *  - Markdown members (an item's "text", a section's "intro" and
 *    "red_flags", a workflow step's "text", ...) are shown as escaped text
 *    with line breaks kept, unless a sibling member with the same name plus
 *    "_html" (for an item's text: "html") holds a string: that pre-rendered
 *    fragment is inserted as it is.
 *  - The result is a NUL-terminated UTF-8 document the caller frees with
 *    free(); when len is not NULL it receives strlen of the result. Never
 *    returns NULL.
 */

/*
 * "/": view is the index's JSON answer ({"data": [summaries of the page],
 * "total", "skills", "checklist_items", "page", "pages", "per_page",
 * "filter": {q, root, tier, checklist, evals}, "facets": {"root", "tier",
 * "checklist", "evals": [{value, count}]}}) or just an array of summaries
 * (one page of everything, no facets). A filter form (#filter, name q; a
 * GET of "/" that keeps the other filters) that app.js turns into
 * filter-as-you-type, in the page when data-mode="page" (every skill is
 * on it), else by asking the server; the facets as links with their
 * counts; the cards (name, description, tier badge, counts) in a group per
 * collection (root), titled when there is more than one; links to the
 * pages.
 */
char *page_index(const struct page_ctx *ctx, const cJSON *view, size_t *len);

/* Appends the URL of the index with the filters of filter (the view's
 * "filter"; NULL: none), key set to value (value NULL: key left out; key
 * NULL: nothing changed) and page (1: not written): "/?q=a%20b&tier=gold&page=2",
 * '&' as it is (escape it for an attribute). */
struct buf;
void page_index_href(struct buf *b, const cJSON *filter, const char *key, const char *value,
		     long page);

/* "/skills/{slug}": detail is /api/v1/skills/{slug}; body_html the rendered
 * SKILL.md body (may be NULL); toc its [{level, id, text}] (h2 and h3 are
 * listed). Side panel: use-it commands, checklist, evals, references,
 * files with sizes, quality checks and diagnostics. */
char *page_skill(const struct page_ctx *ctx, const cJSON *detail, const char *body_html,
		 const cJSON *toc, size_t *len);

/* "/skills/{slug}/references/{file}", and "/skills/{slug}/{path}" of any
 * other markdown file in a browser: path is the file's path in the skill
 * ("references/api.md", "examples/before.md"), html its rendered body, toc
 * its contents; with a link back to the skill and the skill's references
 * (and to the examples page for an example). */
char *page_reference(const struct page_ctx *ctx, const cJSON *detail, const char *path,
		     const char *html, const cJSON *toc, size_t *len);

/*
 * "/skills/{slug}/checklist": checklist is /api/v1/skills/{slug}/checklist.
 * A form (#checklist, data-slug, data-digest) with one labelled checkbox per
 * item, id = the item's id, each with a "#id" link and its original
 * markdown line in data-md; sections (<section id=section id>, h2) and
 * groups (h3); red flags; progress per section and overall ("0 / N");
 * "Copy as Markdown" and "Reset" buttons (app.js), a link to ?format=md;
 * the review workflow and severity levels. Item "checked" is ignored: a
 * review starts empty.
 */
char *page_checklist(const struct page_ctx *ctx, const cJSON *detail, const cJSON *checklist,
		     size_t *len);

/* "/skills/{slug}/examples": examples is {"files": [{"path", "html"}...],
 * "pairs": [{"before", "after"}...]} (html: rendered markdown, trusted;
 * null for a file that is not markdown, which gets a link to its bytes).
 * Each pair's two files side by side, then every other file in order. */
char *page_examples(const struct page_ctx *ctx, const cJSON *detail, const cJSON *examples,
		    size_t *len);

/* "/skills/{slug}/evals": evals is /api/v1/skills/{slug}/evals; each eval's
 * id, prompt (in <pre>), expectations, expected output and files. */
char *page_evals(const struct page_ctx *ctx, const cJSON *detail, const cJSON *evals,
		 size_t *len);

/* "/checklists": list is /api/v1/checklists ({"data": [...], "total_items"})
 * or its data array; a row per checklist with its skill and item count. */
char *page_checklists(const struct page_ctx *ctx, const cJSON *list, size_t *len);

/*
 * "/search": q is the query as typed (NULL or empty: just the search form),
 * kind the kind filter (skill|reference|checklist|eval; anything else is
 * shown as "All"), results what search_run answered ({"total", "data",
 * "next_cursor"}; may be NULL) and error (may be NULL) a message shown
 * escaped instead of results. Results are grouped by skill in order of
 * their best hit, each with a kind badge, its title linked to its "url"
 * and its snippet escaped with U+E000..U+E001 turned into <mark>; kind
 * filter links keep q; a "Next page" link carries next_cursor.
 */
char *page_search(const struct page_ctx *ctx, const char *q, const char *kind,
		  const cJSON *results, const char *error, size_t *len);

/* "/opensearch.xml": an OpenSearch 1.1 description whose text/html Url
 * template is ctx->base_url + "/search?q={searchTerms}". */
char *page_opensearch(const struct page_ctx *ctx, size_t *len);

/* An error page for status (404, 400, 405...): title NULL gives the
 * standard reason phrase; message (may be NULL) is shown escaped. */
char *page_error(const struct page_ctx *ctx, int status, const char *title,
		 const char *message, size_t *len);

/* "/signin": a form that posts the token (password field "token") and
 * next (where to go after; shown escaped) to /signin; error (may be NULL)
 * is shown above it. */
char *page_signin(const struct page_ctx *ctx, const char *next, const char *error, size_t *len);

/* /reviews: the review runs in list (the API's GET /api/v1/reviews answer),
 * with the filter form showing skill and status (NULL: none). */
char *page_reviews(const struct page_ctx *ctx, const struct cJSON *list, const char *skill,
		   const char *status, size_t *len);
/* /reviews/{id}: one review (reviews_view's shape), every item with its
 * verdict buttons, severity, note and evidence; app.js writes them and
 * follows other reviewers' changes. */
char *page_review(const struct page_ctx *ctx, const struct cJSON *view, size_t *len);

#endif
