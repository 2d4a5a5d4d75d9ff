/* SPDX-License-Identifier: MIT */
/*
 * page: the portal's HTML documents (contracts in include/skilld/page.h).
 * Each page is the shared layout around a body written with html_printf and
 * the html.h escapers; every string taken from JSON is escaped or
 * percent-encoded here, and only the pre-rendered "*_html" members and
 * html arguments are appended raw. Pure functions with no state: safe from
 * any thread.
 */
#include "skilld/handlers/page.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/html.h"
#include "skilld/base/request.h"
#include "skilld/store/search.h"
#include "skilld/base/util.h"

#ifndef SKILLD_VERSION
#define SKILLD_VERSION "dev"
#endif

#define DEFAULT_BASE_URL "http://127.0.0.1:8080"
#define REFERENCES_DIR "references/"
#define EXAMPLES_DIR "examples/"
/* Counts and sizes beyond this (2^53, where doubles stop being exact) are
 * shown as this. */
#define COUNT_MAX 9007199254740992LL

/* Which entry of the main navigation is the current page. */
enum page_nav {
	NAV_NONE,
	NAV_SKILLS,
	NAV_CHECKLISTS,
	NAV_REVIEWS,
};

/* The parts of the layout that differ from page to page. */
struct page_head {
	const char *title;      /* untrusted text, escaped; NULL for "skilld" alone */
	const char *body_class; /* trusted class name, e.g. "page-index" */
	enum page_nav nav;
};

/* ---- JSON access that tolerates anything ---- */

/* The string member key of o, or NULL when it is missing or empty. */
static const char *jstr_nonempty(const cJSON *o, const char *key)
{
	const char *s = jstr(o, key);

	return s && s[0] ? s : NULL;
}

/* The member key of o when it is an array, else NULL. */
static const cJSON *jarr(const cJSON *o, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsArray(v) ? v : NULL;
}

/* The member key of o when it is an object, else NULL. */
static const cJSON *jobj(const cJSON *o, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsObject(v) ? v : NULL;
}

/* The number member key of o as a count or size: the fraction dropped,
 * clamped into 0..COUNT_MAX (NaN gives 0); missing gives dflt. */
static long long jcount(const cJSON *o, const char *key, long long dflt)
{
	const cJSON *v;
	double d;

	if (!cJSON_IsObject(o))
		return dflt;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v))
		return dflt;
	d = v->valuedouble;
	if (!(d >= 0))
		return 0;
	if (d > COUNT_MAX)
		return COUNT_MAX;
	return (long long)d;
}

/* True when member key of o is the JSON true. */
static bool jtrue(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* Number of objects in array a (other members are skipped everywhere). */
static int count_objects(const cJSON *a)
{
	const cJSON *list = cJSON_IsArray(a) ? a : NULL;
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach(e, list)
		n += cJSON_IsObject(e);
	return n;
}

/* ---- small writers ---- */

/* Appends s (may be NULL) as element text. */
static void put_text(struct buf *b, const char *s)
{
	if (s)
		html_escape_text(b, s, strlen(s));
}

/* Appends s (may be NULL) percent-encoded as one URL path segment. */
static void put_seg(struct buf *b, const char *s)
{
	if (s)
		html_url_path_segment(b, s, strlen(s));
}

/* Appends a path of several segments ("a/b c/d"), each percent-encoded,
 * with the '/' between them kept. */
static void put_segs(struct buf *b, const char *path)
{
	const char *p = path;

	if (!path)
		return;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		html_url_path_segment(b, p, n);
		if (!slash)
			break;
		buf_putc(b, '/');
		p = slash + 1;
	}
}

/* Appends n with a comma between thousands (1,261). */
static void put_int(struct buf *b, long long n)
{
	char digits[32];
	int len, i;

	if (n < 0) {
		buf_putc(b, '-');
		n = -n;
	}
	len = snprintf(digits, sizeof(digits), "%lld", n);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf_putc(b, ',');
		buf_putc(b, digits[i]);
	}
}

/* Appends "n thing" or "n things". */
static void put_count(struct buf *b, long long n, const char *one, const char *many)
{
	put_int(b, n);
	buf_putc(b, ' ');
	buf_puts(b, n == 1 ? one : many);
}

/* Appends "<strong>n</strong> thing(s)" for a card's counts. */
static void put_stat(struct buf *b, long long n, const char *one, const char *many)
{
	buf_puts(b, "<li><strong>");
	put_int(b, n);
	buf_puts(b, "</strong> ");
	buf_puts(b, n == 1 ? one : many);
	buf_puts(b, "</li>");
}

/* Appends a byte count the way people read it: "512 B", "11.0 KiB". */
static void put_size(struct buf *b, long long bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		buf_printf(b, "%lld B", bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	buf_printf(b, "%.1f %s", v, units[u]);
}

/* Appends "/skills/{slug}" with the slug encoded, then suffix (trusted). */
static void put_skill_href(struct buf *b, const char *slug, const char *suffix)
{
	buf_puts(b, "/skills/");
	put_seg(b, slug);
	if (suffix)
		buf_puts(b, suffix);
}

/* Appends "/api/v1/skills/{slug}/files/{path}" with every segment encoded. */
static void put_file_href(struct buf *b, const char *slug, const char *path)
{
	buf_puts(b, "/api/v1/skills/");
	put_seg(b, slug);
	buf_puts(b, "/files/");
	put_segs(b, path);
}

/* True when path is a markdown file shown as a page of its own: any .md
 * file but the skill's SKILL.md, whose page is the skill's. */
static bool has_file_page(const char *path, const char *kind)
{
	return path && str_has_suffix(path, ".md") && !(kind && strcmp(kind, "skill") == 0);
}

/* Appends "/skills/{slug}/{path}" with every segment encoded: the page of a
 * markdown file, the bytes of any other. */
static void put_page_file_href(struct buf *b, const char *slug, const char *path)
{
	put_skill_href(b, slug, "/");
	put_segs(b, path);
}

/* Appends the page URL of a reference file ("references/x/y.md" gives
 * "/skills/{slug}/references/x/y.md"). */
static void put_reference_href(struct buf *b, const char *slug, const char *path)
{
	if (str_has_prefix(path, REFERENCES_DIR))
		path += strlen(REFERENCES_DIR);
	put_skill_href(b, slug, "/references/");
	put_segs(b, path);
}

/*
 * Appends a markdown member: the sibling html_key verbatim when it is a
 * string (render made it safe), else the member key escaped. Block values
 * are wrapped in a <div class="md">, with class md-text when the raw
 * markdown is shown (its line breaks kept by the stylesheet). Nothing is
 * written for an empty value.
 */
static void put_markdown(struct buf *b, const cJSON *o, const char *key, const char *html_key,
			 bool block)
{
	const char *html = jstr(o, html_key);
	const char *md = jstr(o, key);

	if (html && html[0]) {
		if (block)
			buf_puts(b, "<div class=\"md\">");
		buf_puts(b, html);
		if (block)
			buf_puts(b, "</div>\n");
		return;
	}
	if (!md || !md[0])
		return;
	if (block)
		buf_puts(b, "<div class=\"md md-text\">");
	put_text(b, md);
	if (block)
		buf_puts(b, "</div>\n");
}

/* put_markdown for a block member whose rendered sibling is key + "_html". */
static void put_markdown_block(struct buf *b, const cJSON *o, const char *key)
{
	char html_key[64];

	snprintf(html_key, sizeof(html_key), "%s_html", key);
	put_markdown(b, o, key, html_key, true);
}

/* The tier names a badge may show; anything else is shown as no tier. */
static const char *tier_known(const char *tier)
{
	static const char *const tiers[] = { "platinum", "gold", "silver", "bronze" };

	for (size_t i = 0; tier && i < sizeof(tiers) / sizeof(tiers[0]); i++)
		if (strcmp(tier, tiers[i]) == 0)
			return tiers[i];
	return NULL;
}

/* Appends a tier badge; only known tier names reach the class attribute. */
static void put_tier_badge(struct buf *b, const char *tier)
{
	static const struct {
		const char *name;
		const char *label;
	} tiers[] = {
		{ "platinum", "Platinum" }, { "gold", "Gold" }, { "silver", "Silver" }, { "bronze", "Bronze" },
	};

	for (size_t i = 0; tier && i < sizeof(tiers) / sizeof(tiers[0]); i++) {
		if (strcmp(tier, tiers[i].name) == 0) {
			html_printf(b, "<span class=\"badge tier tier-%s\" title=\"Quality tier\">%s</span>",
				    tiers[i].name, tiers[i].label);
			return;
		}
	}
	buf_puts(b, "<span class=\"badge tier tier-none\" title=\"Quality tier\">No tier</span>");
}

/* The standard reason phrase of an HTTP status, "Error" when unknown. */
static const char *status_phrase(int status)
{
	static const struct {
		int status;
		const char *phrase;
	} phrases[] = {
		{ 400, "Bad request" },         { 401, "Unauthorized" },
		{ 403, "Forbidden" },           { 404, "Not found" },
		{ 405, "Method not allowed" },  { 406, "Not acceptable" },
		{ 408, "Request timeout" },     { 413, "Content too large" },
		{ 414, "URI too long" },        { 429, "Too many requests" },
		{ 500, "Internal server error" }, { 501, "Not implemented" },
		{ 503, "Service unavailable" },
	};

	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (phrases[i].status == status)
			return phrases[i].phrase;
	return "Error";
}

/* ---- layout ---- */

/* Appends the document head, the site header and opens <main>. */
static void layout_begin(struct buf *b, const struct page_ctx *ctx, const struct page_head *h)
{
	buf_puts(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"color-scheme\" content=\"light dark\">\n"
		    "<title>");
	if (h->title) {
		put_text(b, h->title);
		buf_puts(b, " · ");
	}
	buf_puts(b, "skilld</title>\n"
		    "<link rel=\"stylesheet\" href=\"/assets/style.css\">\n"
		    "<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\n"
		    "<link rel=\"search\" type=\"application/opensearchdescription+xml\" "
		    "title=\"skilld\" href=\"/opensearch.xml\">\n");
	if (ctx && ctx->path) {
		buf_puts(b, "<link rel=\"alternate\" type=\"text/markdown\" href=\"");
		put_segs(b, ctx->path);
		buf_puts(b, "?format=md\">\n");
	}
	buf_puts(b, "<script src=\"/assets/app.js\" defer></script>\n</head>\n");
	html_printf(b, "<body class=\"%s\">\n", h->body_class);
	buf_puts(b, "<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n"
		    "<header class=\"site-header\"><div class=\"wrap header-inner\">\n"
		    "<a class=\"brand\" href=\"/\"><span class=\"brand-mark\" aria-hidden=\"true\">✓</span>"
		    "skilld</a>\n"
		    "<form class=\"site-search\" role=\"search\" action=\"/search\" method=\"get\">"
		    "<label for=\"site-q\" class=\"visually-hidden\">Search skills</label>"
		    "<input type=\"search\" id=\"site-q\" name=\"q\" placeholder=\"Search skills\" "
		    "autocomplete=\"off\" spellcheck=\"false\" maxlength=\"1000\">"
		    /* Enter submits; out of the tab order, where its focus could not be seen */
		    "<button type=\"submit\" class=\"visually-hidden\" tabindex=\"-1\">Search</button>"
		    "</form>\n"
		    "<nav class=\"site-nav\" aria-label=\"Main\"><ul>\n");
	buf_puts(b, "<li><a href=\"/\"");
	if (h->nav == NAV_SKILLS)
		buf_puts(b, " aria-current=\"page\"");
	buf_puts(b, ">Skills</a></li>\n<li><a href=\"/checklists\"");
	if (h->nav == NAV_CHECKLISTS)
		buf_puts(b, " aria-current=\"page\"");
	buf_puts(b, ">Checklists</a></li>\n<li><a href=\"/reviews\"");
	if (h->nav == NAV_REVIEWS)
		buf_puts(b, " aria-current=\"page\"");
	buf_puts(b, ">Reviews</a></li>\n</ul></nav>\n</div></header>\n"
		    "<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n");
}

/* Closes <main>, appends the footer and hands the document over. */
static char *layout_end(struct buf *b, const struct page_ctx *ctx, size_t *len)
{
	buf_puts(b, "</main>\n<footer class=\"site-footer\"><div class=\"wrap footer-inner\">\n"
		    "<p>skilld " SKILLD_VERSION " · served from this machine, nothing loaded from "
		    "another host</p>\n<p><a href=\"/api/v1/skills\">JSON API</a>");
	if (ctx && ctx->path) {
		buf_puts(b, " · <a href=\"");
		put_segs(b, ctx->path);
		buf_puts(b, "?format=md\">This page as Markdown</a>");
	}
	buf_puts(b, "</p>\n</div></footer>\n</body>\n</html>\n");
	return buf_detach(b, len);
}

/* Appends the breadcrumb trail "Skills / {skill} [/ here]"; here NULL ends
 * at the skill, which is then the current page. */
static void put_crumbs(struct buf *b, const cJSON *detail, const char *here)
{
	const char *slug = jstr(detail, "slug");
	const char *name = jstr_nonempty(detail, "name");

	buf_puts(b, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol>"
		    "<li><a href=\"/\">Skills</a></li>");
	if (!here) {
		buf_puts(b, "<li aria-current=\"page\">");
		put_text(b, name ? name : slug);
		buf_puts(b, "</li></ol></nav>\n");
		return;
	}
	buf_puts(b, "<li><a href=\"");
	put_skill_href(b, slug, NULL);
	buf_puts(b, "\">");
	put_text(b, name ? name : slug);
	buf_puts(b, "</a></li><li aria-current=\"page\">");
	put_text(b, here);
	buf_puts(b, "</li></ol></nav>\n");
}

/* Opens the page of one part of a skill (a reference, its examples, its
 * checklist, its evals): the layout titled "<what> — <skill>" (who: its
 * name or slug; NULL: "skill"), then the breadcrumbs ending at crumb. */
static void skill_part_begin(struct buf *b, const struct page_ctx *ctx, const cJSON *detail,
			     const char *what, const char *who, const char *body_class,
			     enum page_nav nav, const char *crumb)
{
	struct page_head head = { NULL, body_class, nav };
	struct buf title;

	buf_init(&title);
	buf_printf(&title, "%s — %s", what, who ? who : "skill");
	head.title = title.data;
	layout_begin(b, ctx, &head);
	put_crumbs(b, detail, crumb);
	buf_fini(&title);
}

/* Appends a table of contents (h2 and h3 entries of toc) as a panel that
 * opens and closes (<details>, closed: a phone sees it above the text
 * without scrolling past it; app.js opens it where the page has a side
 * column); nothing when there is none. */
static void put_toc(struct buf *b, const cJSON *toc)
{
	const cJSON *list = cJSON_IsArray(toc) ? toc : NULL;
	const cJSON *e;
	int shown = 0;

	cJSON_ArrayForEach(e, list) {
		long long level = jcount(e, "level", 0);
		const char *id = jstr_nonempty(e, "id");

		if ((level != 2 && level != 3) || !id)
			continue;
		if (shown++ == 0)
			buf_puts(b, "<details class=\"panel toc\" id=\"toc\" data-wide-open>\n<summary><h2>Contents</h2>"
				    "</summary>\n<nav aria-label=\"Contents\">\n<ul>\n");
		html_printf(b, "<li class=\"toc-l%d\"><a href=\"#%s\">%s</a></li>\n", (int)level, id,
			    jstr(e, "text") ? jstr(e, "text") : id);
	}
	if (shown)
		buf_puts(b, "</ul>\n</nav>\n</details>\n");
}

/* Appends the list of the skill's reference files as links to their
 * pages; current (may be NULL) is marked as the current page. Returns the
 * number listed. */
static int put_reference_list(struct buf *b, const cJSON *detail, const char *current)
{
	const char *slug = jstr(detail, "slug");
	const cJSON *f;
	int n = 0;

	cJSON_ArrayForEach(f, jarr(detail, "files")) {
		const char *kind = jstr(f, "kind");
		const char *path = jstr_nonempty(f, "path");
		const char *shown;

		if (!kind || strcmp(kind, "reference") != 0 || !path)
			continue;
		if (n++ == 0)
			buf_puts(b, "<ul class=\"link-list\">\n");
		shown = str_has_prefix(path, REFERENCES_DIR) ? path + strlen(REFERENCES_DIR) : path;
		buf_puts(b, "<li><a href=\"");
		put_reference_href(b, slug, path);
		buf_putc(b, '"');
		if (current && strcmp(current, path) == 0)
			buf_puts(b, " aria-current=\"page\"");
		buf_puts(b, ">");
		put_text(b, shown);
		buf_puts(b, "</a></li>\n");
	}
	if (n)
		buf_puts(b, "</ul>\n");
	return n;
}

/* ---- index ---- */

/* Appends one skill card of the index. */
static void put_card(struct buf *b, const cJSON *s)
{
	const char *slug = jstr_nonempty(s, "slug");
	const char *name = jstr_nonempty(s, "name");
	const char *desc = jstr_nonempty(s, "description");
	const cJSON *counts = jobj(s, "counts");
	long long items = jcount(counts, "checklist_items", 0);

	if (!cJSON_IsObject(s))
		return;
	if (!name)
		name = slug ? slug : "(unnamed skill)";
	buf_puts(b, "<li class=\"card\"><article>\n<div class=\"card-top\"><h2 class=\"card-title\">");
	if (slug) {
		buf_puts(b, "<a href=\"");
		put_skill_href(b, slug, NULL);
		html_printf(b, "\">%s</a>", name);
	} else {
		put_text(b, name);
	}
	buf_puts(b, "</h2>");
	put_tier_badge(b, jstr(s, "tier"));
	buf_puts(b, "</div>\n");
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "valid")))
		buf_puts(b, "<p class=\"card-flag\"><span class=\"badge badge-warn\">Invalid</span></p>\n");
	if (desc)
		html_printf(b, "<p class=\"card-desc\" title=\"%s\">%s</p>\n", desc, desc);
	else
		buf_puts(b, "<p class=\"card-desc muted\">No description.</p>\n");
	buf_puts(b, "<ul class=\"counts\">");
	put_stat(b, items, "checklist item", "checklist items");
	put_stat(b, jcount(counts, "references", 0), "reference", "references");
	put_stat(b, jcount(counts, "evals", 0), "eval", "evals");
	put_stat(b, jcount(counts, "files", 0), "file", "files");
	buf_puts(b, "</ul>\n");
	if (slug && items > 0) {
		buf_puts(b, "<p class=\"card-links\"><a href=\"");
		put_skill_href(b, slug, "/checklist");
		buf_puts(b, "\">Review checklist</a></p>\n");
	}
	buf_puts(b, "</article></li>\n");
}

/* The arguments of the index's and the search page's queries, in the
 * order their links write them (the index has no kind), and of those the
 * facets, which both pages show alike. */
static const char *const filter_keys[] = { "q", "kind", "root", "tier", "checklist", "evals" };
static const char *const facet_keys[] = { "root", "tier", "checklist", "evals" };
#define N_FACET_KEYS (sizeof(facet_keys) / sizeof(facet_keys[0]))

/* Appends path with the filters of filter as page_index_href does. */
static void filter_href(struct buf *b, const char *path, const cJSON *filter, const char *key,
			const char *value, long page)
{
	char sep = '?';

	buf_puts(b, path);
	for (size_t i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]); i++) {
		const char *k = filter_keys[i];
		const char *v = key && strcmp(key, k) == 0 ? value : jstr_nonempty(filter, k);

		if (!v || !v[0])
			continue;
		buf_printf(b, "%c%s=", sep, k);
		url_encode_component(b, v);
		sep = '&';
	}
	if (page > 1)
		buf_printf(b, "%cpage=%ld", sep, page);
}

void page_index_href(struct buf *b, const cJSON *filter, const char *key, const char *value,
		     long page)
{
	filter_href(b, "/", filter, key, value, page);
}

/* Appends filter_href as an attribute value (escaped). */
static void put_filter_href(struct buf *b, const char *path, const cJSON *filter, const char *key,
			    const char *value, long page)
{
	struct buf href;

	buf_init(&href);
	filter_href(&href, path, filter, key, value, page);
	html_escape_attr(b, href.data, href.len);
	buf_fini(&href);
}

/* The label of a facet's value ("platinum" is "Platinum", "none" "No tier"). */
static const char *facet_label(const char *facet, const char *value)
{
	static const char *const labels[][3] = {
		{ "tier", "platinum", "Platinum" }, { "tier", "gold", "Gold" },
		{ "tier", "silver", "Silver" },     { "tier", "bronze", "Bronze" },
		{ "tier", "none", "No tier" },      { "checklist", "yes", "With a checklist" },
		{ "checklist", "no", "Without" },   { "evals", "yes", "With evals" },
		{ "evals", "no", "Without" },
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i][0], facet) == 0 && strcmp(labels[i][1], value) == 0)
			return labels[i][2];
	return value;
}

/* Appends a hidden input for each facet filter of filter, so that a form
 * sending other words keeps them. */
static void put_hidden_facets(struct buf *b, const cJSON *filter)
{
	for (size_t i = 0; i < N_FACET_KEYS; i++)
		if (jstr_nonempty(filter, facet_keys[i]))
			html_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">",
				    facet_keys[i], jstr(filter, facet_keys[i]));
}

/* Appends one facet: its title, "Any", and each value with its count as
 * links to path that keep the other filters; the chosen one is marked. */
static void put_facet(struct buf *b, const char *path, const cJSON *view, const char *facet,
		      const char *title)
{
	const cJSON *filter = jobj(view, "filter");
	const char *chosen = jstr_nonempty(filter, facet);
	const cJSON *v;

	html_printf(b, "<div class=\"facet\"><h2 class=\"facet-title\">%s</h2><ul>", title);
	buf_puts(b, "<li><a href=\"");
	put_filter_href(b, path, filter, facet, NULL, 1);
	buf_printf(b, "\"%s>Any</a></li>", chosen ? "" : " aria-current=\"true\"");
	cJSON_ArrayForEach(v, jarr(jobj(view, "facets"), facet)) {
		const char *value = jstr_nonempty(v, "value");

		if (!value)
			continue;
		buf_puts(b, "<li><a href=\"");
		put_filter_href(b, path, filter, facet, value, 1);
		buf_putc(b, '"');
		if (chosen && strcmp(chosen, value) == 0)
			buf_puts(b, " aria-current=\"true\"");
		html_printf(b, ">%s <span class=\"count\">", facet_label(facet, value));
		put_int(b, jcount(v, "count", 0));
		buf_puts(b, "</span></a></li>");
	}
	buf_puts(b, "</ul></div>\n");
}

/* Appends the facets of view (the index's or the search page's, whose
 * links go to path) in a <details> (closed: on a phone the results come
 * first; app.js opens it where it is a side column), its summary naming
 * the filters chosen. */
static void put_facets(struct buf *b, const char *path, const cJSON *view)
{
	const cJSON *filter = jobj(view, "filter");
	int n = 0;

	buf_puts(b, "<details class=\"facets\" id=\"facets\" data-wide-open>\n<summary><h2>Filters</h2>");
	for (size_t i = 0; i < N_FACET_KEYS; i++) {
		const char *v = jstr_nonempty(filter, facet_keys[i]);

		if (!v)
			continue;
		buf_puts(b, n++ ? ", " : " <span class=\"facets-on\">");
		put_text(b, facet_label(facet_keys[i], v));
	}
	if (n)
		buf_puts(b, "</span>");
	buf_puts(b, "</summary>\n<nav aria-label=\"Filters\">\n");
	put_facet(b, path, view, "root", "Collection");
	put_facet(b, path, view, "tier", "Tier");
	put_facet(b, path, view, "checklist", "Checklist");
	put_facet(b, path, view, "evals", "Evals");
	buf_puts(b, "</nav>\n</details>\n");
}

/* Appends the pager: previous, the first, last and nearby pages, next. */
static void put_pager(struct buf *b, const cJSON *view)
{
	const cJSON *filter = jobj(view, "filter");
	long page = (long)jcount(view, "page", 1), pages = (long)jcount(view, "pages", 1);
	long last_shown = 0;

	if (pages <= 1)
		return;
	buf_puts(b, "<nav class=\"pager\" aria-label=\"Pages\"><ul>\n");
	if (page > 1) {
		buf_puts(b, "<li><a class=\"btn\" rel=\"prev\" href=\"");
		put_filter_href(b, "/", filter, NULL, NULL, page - 1);
		buf_puts(b, "\">← Previous</a></li>\n");
	}
	for (long n = 1; n <= pages; n++) {
		if (n != 1 && n != pages && (n < page - 2 || n > page + 2))
			continue;
		if (n > last_shown + 1)
			buf_puts(b, "<li class=\"gap\" aria-hidden=\"true\">…</li>\n");
		last_shown = n;
		if (n == page) {
			buf_printf(b, "<li><span class=\"btn current\" aria-current=\"page\">"
				      "<span class=\"visually-hidden\">Page </span>%ld</span></li>\n", n);
			continue;
		}
		buf_puts(b, "<li><a class=\"btn\" href=\"");
		put_filter_href(b, "/", filter, NULL, NULL, n);
		buf_printf(b, "\"><span class=\"visually-hidden\">Page </span>%ld</a></li>\n", n);
	}
	if (page < pages) {
		buf_puts(b, "<li><a class=\"btn\" rel=\"next\" href=\"");
		put_filter_href(b, "/", filter, NULL, NULL, page + 1);
		buf_puts(b, "\">Next →</a></li>\n");
	}
	buf_puts(b, "</ul></nav>\n");
}

/* The number of skills of root in the view's root facet, or -1. */
static long long root_count(const cJSON *view, const char *root)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, jarr(jobj(view, "facets"), "root"))
		if (root && jstr(v, "value") && strcmp(jstr(v, "value"), root) == 0)
			return jcount(v, "count", 0);
	return -1;
}

/* Opens the section of collection root (the k-th on the page) with its
 * heading: its name linked to path filtered to it, and how many skills
 * the view's collection facet counts in it. */
static void put_collection_head(struct buf *b, const char *path, const cJSON *view,
				const char *root, int k)
{
	long long n = root_count(view, root);

	html_printf(b, "<section class=\"collection\" aria-labelledby=\"collection-%d\">\n"
		       "<h2 class=\"collection-title\" id=\"collection-%d\"><a href=\"", k, k);
	put_filter_href(b, path, jobj(view, "filter"), "root", root, 1);
	html_printf(b, "\">%s</a>", root[0] ? root : "(no collection)");
	if (n >= 0) {
		buf_puts(b, " <span class=\"count\">");
		put_count(b, n, "skill", "skills");
		buf_puts(b, "</span>");
	}
	buf_puts(b, "</h2>\n");
}

/* Appends the cards of list in groups of one collection (root) each, a
 * heading over each when the page holds more than one or the collection
 * facet lists more than one. */
static void put_card_groups(struct buf *b, const cJSON *view, const cJSON *list)
{
	const cJSON *s;
	const char *open = NULL;
	bool headings = cJSON_GetArraySize(jarr(jobj(view, "facets"), "root")) > 1;
	int k = 0;

	cJSON_ArrayForEach(s, list) {
		const char *root = jstr(s, "root");

		if (cJSON_IsObject(s) && open && root && strcmp(root, open) != 0)
			headings = true;
		if (cJSON_IsObject(s) && !open)
			open = root ? root : "";
	}
	open = NULL;
	cJSON_ArrayForEach(s, list) {
		const char *root = jstr(s, "root") ? jstr(s, "root") : "";

		if (!cJSON_IsObject(s))
			continue;
		if (!open || strcmp(open, root) != 0) {
			if (open)
				buf_puts(b, "</ul>\n</section>\n");
			open = root;
			k++;
			if (headings) {
				put_collection_head(b, "/", view, root, k);
				buf_puts(b, "<ul class=\"cards\">\n");
			} else {
				buf_puts(b, "<section class=\"collection\">\n<ul class=\"cards\">\n");
			}
		}
		put_card(b, s);
	}
	if (open)
		buf_puts(b, "</ul>\n</section>\n");
}

/* The skill index: a filter, facets, the page's cards by collection, pages. */
/* Appends an ISO 8601 UTC time ("2025-11-28T14:03:12Z", from the JSON) as
 * <time>: the date and minute in UTC, which app.js turns into "3 days
 * ago" (the page is prepared once per index generation, so it cannot say
 * how long ago itself). Nothing for anything else. */
static void put_time(struct buf *b, const char *iso)
{
	if (!iso || strlen(iso) != 20 || iso[10] != 'T' || iso[19] != 'Z')
		return;
	html_printf(b, "<time datetime=\"%s\" data-relative>%.*s %.*s UTC</time>", iso, 10, iso,
		    5, iso + 11);
}

/* The index's "Recently changed": each skill's name, linked, and when
 * its files last changed, in a <details> closed in the page (on a phone
 * the first card stays on the first screen; app.js opens it on a wide
 * one, as the filters). Nothing for an empty or absent list. */
static void put_recent(struct buf *b, const cJSON *recent)
{
	const cJSON *s;

	if (cJSON_GetArraySize(recent) == 0)
		return;
	buf_puts(b, "<details class=\"recent\" data-wide-open>\n"
		    "<summary><h2 id=\"recent-h\">Recently changed</h2></summary>\n"
		    "<ol aria-labelledby=\"recent-h\">\n");
	cJSON_ArrayForEach(s, recent) {
		const char *slug = jstr(s, "slug"), *name = jstr(s, "name");

		if (!slug)
			continue;
		html_printf(b, "<li><a href=\"/skills/%s\">%s</a> ", slug, name ? name : slug);
		put_time(b, jstr(s, "updated"));
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ol>\n</details>\n");
}

char *page_index(const struct page_ctx *ctx, const cJSON *view, size_t *len)
{
	static const struct page_head head = { "Skills", "page-index", NAV_SKILLS };
	const cJSON *list = cJSON_IsArray(view) ? view : jarr(view, "data");
	const cJSON *filter = jobj(view, "filter");
	const cJSON *s;
	long long shown = 0, items = 0, total, all, page, pages;
	struct buf b;

	cJSON_ArrayForEach(s, list) {
		if (!cJSON_IsObject(s))
			continue;
		shown++;
		items += jcount(jobj(s, "counts"), "checklist_items", 0);
	}
	total = jcount(view, "total", shown);
	all = jcount(view, "skills", total);
	items = jcount(view, "checklist_items", items);
	page = jcount(view, "page", 1);
	pages = jcount(view, "pages", 1);
	buf_init(&b);
	layout_begin(&b, ctx, &head);
	buf_puts(&b, "<div class=\"page-head\">\n<h1>Skills</h1>\n<p class=\"lede\">");
	put_count(&b, all, "skill", "skills");
	buf_puts(&b, " · ");
	put_count(&b, items, "checklist item", "checklist items");
	buf_puts(&b, " · <a href=\"/checklists\">all checklists</a></p>\n</div>\n");
	/* every skill on this page: app.js filters the cards; else the
	 * server does, the form's GET without the script */
	html_printf(&b, "<form class=\"filter\" role=\"search\" action=\"/\" method=\"get\" "
			"data-mode=\"%s\">\n<label for=\"filter\">Filter skills</label>\n"
			"<div class=\"filter-row\"><input type=\"search\" id=\"filter\" name=\"q\" "
			"autocomplete=\"off\" spellcheck=\"false\" maxlength=\"1000\" "
			"placeholder=\"Name or description\" aria-describedby=\"filter-hint\" "
			"aria-controls=\"cards\" value=\"%s\">",
		    pages <= 1 && total == all ? "page" : "server",
		    jstr_nonempty(filter, "q") ? jstr(filter, "q") : "");
	put_hidden_facets(&b, filter);
	buf_puts(&b, "<button type=\"submit\" class=\"btn\">Filter</button></div>\n");
	html_printf(&b, "<p class=\"filter-hint\" id=\"filter-hint\">Press <kbd>/</kbd> to filter. "
			"<span class=\"filter-count\" data-total=\"%lld\" role=\"status\">", total);
	if (total != all) {
		put_int(&b, total);
		buf_puts(&b, " of ");
	}
	put_count(&b, all, "skill", "skills");
	buf_puts(&b, "</span></p>\n</form>\n");
	put_recent(&b, jarr(view, "recent"));
	buf_puts(&b, "<div class=\"browse\" id=\"browse\">\n");
	if (jobj(view, "facets"))
		put_facets(&b, "/", view);
	buf_puts(&b, "<div class=\"results\">\n");
	if (pages > 1) {
		buf_puts(&b, "<p class=\"range muted\">");
		put_int(&b, (page - 1) * jcount(view, "per_page", shown) + 1);
		buf_puts(&b, "–");
		put_int(&b, (page - 1) * jcount(view, "per_page", shown) + shown);
		buf_puts(&b, " of ");
		put_count(&b, total, "skill", "skills");
		buf_printf(&b, " · page %lld of %lld</p>\n", page, pages);
	}
	if (all == 0)
		buf_puts(&b, "<p class=\"empty\">No skill is indexed. Start skilld with "
			     "<code>--skills DIR</code> pointing at a folder of skills.</p>\n");
	else if (total == 0)
		buf_puts(&b, "<p class=\"empty\">No skill matches these filters.</p>\n");
	buf_puts(&b, "<div class=\"groups\" id=\"cards\">\n");
	put_card_groups(&b, view, list);
	buf_puts(&b, "</div>\n<p class=\"empty filter-empty\" hidden>No skill matches the filter.</p>\n");
	put_pager(&b, view);
	buf_puts(&b, "</div>\n</div>\n");
	return layout_end(&b, ctx, len);
}

/* ---- skill ---- */

/* Descriptions longer than this many bytes are clamped to a few lines
 * (the stylesheet says how many) with a control that shows them whole;
 * from DESC_LONG, on a wide screen too. */
#define DESC_CLAMP 160
#define DESC_LONG 330

/* Appends a skill's description under its name. A long one is clamped
 * by the stylesheet, and a <details> after it ("More", "Less") unclamps
 * it (.skill-head:has(.desc-more[open])): no script, and a screen reader
 * reads the whole paragraph once whatever is shown. */
static void put_description(struct buf *b, const char *desc)
{
	size_t n = desc ? strlen(desc) : 0;

	if (!desc)
		return;
	if (n <= DESC_CLAMP) {
		html_printf(b, "<p class=\"lede\">%s</p>\n", desc);
		return;
	}
	html_printf(b, "<p class=\"lede desc-clamped%s\" id=\"description\">%s</p>\n"
		       "<details class=\"desc-more\"><summary aria-controls=\"description\">"
		       "<span class=\"when-closed\">More<span class=\"visually-hidden\"> of the "
		       "description</span></span><span class=\"when-open\">Less</span></summary>"
		       "</details>\n", n > DESC_LONG ? " desc-long" : "", desc);
}

/* The parts of a skill with a page of their own beside the checklist: a
 * button in the skill's head and a panel in its side column, each shown
 * when the skill has any. */
static const struct skill_part {
	const char *count;      /* the member of "counts" */
	const char *title;      /* the button's and the panel's title */
	const char *tail;       /* the page: /skills/{slug}<tail> */
	const char *one, *many; /* what the panel counts */
	const char *what;       /* the panel's words after its link */
} skill_parts[] = {
	{ "evals", "Evals", "/evals", "eval", "evals", ": prompts and what a good answer does" },
	{ "examples", "Examples", "/examples", "example file", "example files",
	  ", rendered; a before and an after side by side" },
};

/* Appends the skill header: name, tier, description and the main actions. */
static void put_skill_head(struct buf *b, const cJSON *detail)
{
	const char *slug = jstr_nonempty(detail, "slug");
	const char *name = jstr_nonempty(detail, "name");
	const char *desc = jstr_nonempty(detail, "description");
	const cJSON *counts = jobj(detail, "counts");
	const cJSON *checklist = jobj(detail, "checklist");

	buf_puts(b, "<div class=\"page-head skill-head\">\n<div class=\"title-row\"><h1>");
	put_text(b, name ? name : slug);
	buf_puts(b, "</h1>");
	put_tier_badge(b, jstr(detail, "tier"));
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(detail, "valid")))
		buf_puts(b, "<span class=\"badge badge-warn\">Invalid</span>");
	buf_puts(b, "</div>\n");
	put_description(b, desc);
	if (jstr_nonempty(detail, "updated")) {
		buf_puts(b, "<p class=\"updated muted small\">Updated ");
		put_time(b, jstr(detail, "updated"));
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<p class=\"actions\">");
	if (checklist) {
		buf_puts(b, "<a class=\"btn btn-primary\" href=\"");
		put_skill_href(b, slug, "/checklist");
		buf_puts(b, "\">Review checklist <span class=\"btn-count\">");
		put_int(b, jcount(checklist, "items", 0));
		buf_puts(b, "</span></a>");
	}
	for (size_t i = 0; i < sizeof(skill_parts) / sizeof(skill_parts[0]); i++) {
		const struct skill_part *part = &skill_parts[i];

		if (jcount(counts, part->count, 0) <= 0)
			continue;
		buf_puts(b, "<a class=\"btn\" href=\"");
		put_skill_href(b, slug, part->tail);
		html_printf(b, "\">%s <span class=\"btn-count\">", part->title);
		put_int(b, jcount(counts, part->count, 0));
		buf_puts(b, "</span></a>");
	}
	buf_puts(b, "<a class=\"btn\" href=\"#install\">Install</a><a class=\"btn\" href=\"");
	put_skill_href(b, slug, "?format=md");
	buf_puts(b, "\">SKILL.md</a></p>\n</div>\n");
}

/*
 * Appends cmd, escaped, so that a narrow screen wraps it only at its spaces
 * and after a '/' of a path ("http://host/" then "@slug"), never inside a
 * word: a <wbr> after such a '/', and a piece with a '-' after its first
 * character (where a browser would break) in a span the stylesheet keeps
 * whole. The text a
 * Copy button takes (textContent) is cmd, byte for byte.
 */
static void put_cmd_text(struct buf *b, const char *cmd)
{
	const char *p = cmd;

	while (*p) {
		size_t n = 0;
		bool slash;

		/* the piece: up to a space, or through a lone '/' */
		while (p[n] && p[n] != ' ' &&
		       !(p[n] == '/' && (n == 0 || p[n - 1] != '/') && p[n + 1] != '/'))
			n++;
		slash = p[n] == '/';
		n += slash;
		if (n > 1 && memchr(p + 1, '-', n - 1)) {  /* "-s" breaks nowhere */
			buf_puts(b, "<span class=\"nobr\">");
			html_escape_text(b, p, n);
			buf_puts(b, "</span>");
		} else {
			html_escape_text(b, p, n);
		}
		if (slash && p[n] && p[n] != ' ')
			buf_puts(b, "<wbr>");
		p += n;
		if (*p == ' ')
			buf_putc(b, *p++);
	}
}

/* Appends a command to copy: a code block with the Copy button app.js
 * shows (the code blocks' own, see render.c). */
static void put_copy_cmd(struct buf *b, const char *cmd, const char *name)
{
	html_printf(b, "<div class=\"code-block\"><pre class=\"cmd\"><code data-cmd=\"%s\">", name);
	put_cmd_text(b, cmd);
	buf_puts(b, "</code></pre><button type=\"button\" class=\"copy-code\" aria-label=\"Copy code\" "
		    "hidden>Copy</button></div>\n");
}

/* Appends the "Install" panel: the `skills` installer line for the whole
 * skill (every file, into the agent's skills folder), the archives, and
 * the ways to fetch it alone. */
static void put_use_it(struct buf *b, const struct page_ctx *ctx, const char *slug)
{
	const char *base = ctx && ctx->base_url ? ctx->base_url : DEFAULT_BASE_URL;
	struct buf cmd;

	buf_init(&cmd);
	buf_puts(b, "<section class=\"panel use-it\" id=\"install\">\n<h2>Install</h2>\n");
	if (ctx && ctx->install_url) {
		/* the CLI sends the URL it installs from (this server's name,
		 * an install token) to skills.sh unless told not to */
		buf_printf(&cmd, "DISABLE_TELEMETRY=1 npx skills add %s", ctx->install_url);
		buf_puts(b, "<p>The whole skill, its references, scripts and assets with it, into "
			    "your agent's skills folder:</p>\n");
		put_copy_cmd(b, cmd.data, "install");
	} else {
		buf_puts(b, "<p class=\"muted\">Not in this server's discovery index, so the "
			    "<code>skills</code> installer cannot add it (see its diagnostics); "
			    "download it instead.</p>\n");
	}
	buf_puts(b, "<p class=\"small\">Download the skill's folder: <a href=\"/api/v1/skills/");
	put_seg(b, slug);
	buf_puts(b, "/archive.tar.gz\" download data-archive>.tar.gz</a> · <a href=\"/api/v1/skills/");
	put_seg(b, slug);
	buf_puts(b, "/archive.zip\" download>.zip</a></p>\n<details class=\"fetch-more\">"
		    "<summary>Fetch it another way</summary>\n<p>As JSON:</p>\n");
	buf_reset(&cmd);
	buf_printf(&cmd, "curl -s %s/api/v1/skills/", base);
	put_seg(&cmd, slug);
	put_copy_cmd(b, cmd.data, "json");
	buf_puts(b, "<p>Its SKILL.md alone, without the files it refers to:</p>\n");
	buf_reset(&cmd);
	buf_printf(&cmd, "curl -sf %s/skills/", base);
	put_seg(&cmd, slug);
	buf_puts(&cmd, "?format=md");
	put_copy_cmd(b, cmd.data, "skill-md");
	buf_puts(b, "</details>\n</section>\n");
	buf_fini(&cmd);
}

/* Appends the file inventory with sizes, each file linked to its bytes. */
static void put_files(struct buf *b, const cJSON *detail)
{
	const char *slug = jstr(detail, "slug");
	const cJSON *files = jarr(detail, "files");
	const cJSON *f;

	html_printf(b, "<section class=\"panel\">\n"
		       "<h2>Files <span class=\"count\">%d</span></h2>\n"
		       "<ul class=\"files\">\n", cJSON_GetArraySize(files));
	cJSON_ArrayForEach(f, files) {
		const char *path = jstr_nonempty(f, "path");

		if (!path)
			continue;
		buf_puts(b, "<li>");
		if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(f, "stored"))) {
			html_printf(b, "<span class=\"file-path\">%s</span> "
				       "<span class=\"muted\">(not stored)</span>", path);
		} else {
			buf_puts(b, "<a class=\"file-path\" href=\"");
			if (has_file_page(path, jstr(f, "kind")))
				put_page_file_href(b, slug, path);
			else
				put_file_href(b, slug, path);
			html_printf(b, "\">%s</a>", path);
		}
		buf_puts(b, "<span class=\"size\">");
		put_size(b, jcount(f, "size", 0));
		if (jstr_nonempty(f, "updated")) {
			buf_puts(b, " · ");
			put_time(b, jstr(f, "updated"));
		}
		buf_puts(b, "</span></li>\n");
	}
	buf_puts(b, "</ul>\n</section>\n");
}

/* Appends the quality panel: tier, how many checks pass, and every check. */
static void put_quality(struct buf *b, const cJSON *quality)
{
	const cJSON *checks = jarr(quality, "checks");
	const cJSON *c;
	int total = 0, ok = 0;

	cJSON_ArrayForEach(c, checks) {
		total += cJSON_IsObject(c);
		ok += jtrue(c, "ok");
	}
	buf_puts(b, "<section class=\"panel\">\n"
		    "<h2>Quality</h2>\n<p class=\"quality-sum\">");
	put_tier_badge(b, jstr(quality, "tier"));
	html_printf(b, " %d of %d checks pass</p>\n", ok, total);
	if (total == 0) {
		buf_puts(b, "</section>\n");
		return;
	}
	html_printf(b, "<details%s><summary>All checks</summary>\n<ul class=\"checks\">\n",
		    ok < total ? " open" : "");
	cJSON_ArrayForEach(c, checks) {
		bool pass = jtrue(c, "ok");
		const char *tier = tier_known(jstr(c, "tier"));

		if (!cJSON_IsObject(c))
			continue;
		html_printf(b, "<li class=\"%s\"><span class=\"mark\" aria-hidden=\"true\">%s</span>"
			       "<span class=\"visually-hidden\">%s: </span>",
			    pass ? "ok" : "fail", pass ? "✓" : "✗", pass ? "passed" : "failed");
		html_printf(b, "<span class=\"check-tier\">%s</span> %s</li>\n",
			    tier ? tier : "other", jstr(c, "message") ? jstr(c, "message") : jstr(c, "id"));
	}
	buf_puts(b, "</ul>\n</details>\n</section>\n");
}

/* Appends the diagnostics panel: severity, path:line and message. */
static void put_diagnostics(struct buf *b, const cJSON *diags)
{
	const cJSON *d;

	html_printf(b, "<section class=\"panel\">\n"
		       "<h2>Diagnostics <span class=\"count\">%d</span></h2>\n",
		    count_objects(diags));
	if (count_objects(diags) == 0) {
		buf_puts(b, "<p class=\"muted\">None: the skill was indexed cleanly.</p>\n</section>\n");
		return;
	}
	buf_puts(b, "<ul class=\"diags\">\n");
	cJSON_ArrayForEach(d, diags) {
		const char *sev = jstr(d, "severity");
		const char *cls = "info";
		long long line = jcount(d, "line", 0);

		if (!cJSON_IsObject(d))
			continue;
		if (sev && strcmp(sev, "error") == 0)
			cls = "error";
		else if (sev && strcmp(sev, "warning") == 0)
			cls = "warning";
		html_printf(b, "<li class=\"diag diag-%s\"><span class=\"sev\">%s</span> ", cls,
			    sev ? sev : "info");
		if (jstr_nonempty(d, "path")) {
			html_printf(b, "<code>%s", jstr(d, "path"));
			if (line > 0)
				buf_printf(b, ":%lld", line);
			buf_puts(b, "</code> ");
		}
		html_printf(b, "%s</li>\n", jstr(d, "message"));
	}
	buf_puts(b, "</ul>\n</section>\n");
}

/* A skill: its rendered body and the side panel about it. */
char *page_skill(const struct page_ctx *ctx, const cJSON *detail, const char *body_html,
		 const cJSON *toc, size_t *len)
{
	const char *slug = jstr(detail, "slug");
	const char *name = jstr_nonempty(detail, "name");
	const cJSON *checklist = jobj(detail, "checklist");
	const cJSON *counts = jobj(detail, "counts");
	struct page_head head = { name ? name : slug, "page-skill", NAV_NONE };
	struct buf b;

	buf_init(&b);
	layout_begin(&b, ctx, &head);
	put_crumbs(&b, detail, NULL);
	put_skill_head(&b, detail);
	buf_puts(&b, "<div class=\"with-aside\">\n");
	put_toc(&b, toc);
	buf_puts(&b, "<article class=\"prose\">\n");
	if (body_html && body_html[0])
		buf_puts(&b, body_html);
	else
		buf_puts(&b, "<p class=\"muted\">SKILL.md has no body.</p>");
	buf_puts(&b, "\n</article>\n<aside class=\"side\" aria-label=\"About this skill\">\n");
	put_use_it(&b, ctx, slug);
	buf_puts(&b, "<section class=\"panel\">\n"
		     "<h2>References</h2>\n");
	if (put_reference_list(&b, detail, NULL) == 0)
		buf_puts(&b, "<p class=\"muted\">None.</p>\n");
	buf_puts(&b, "</section>\n");
	if (checklist) {
		buf_puts(&b, "<section class=\"panel\">\n"
			     "<h2>Review checklist</h2>\n<p><a href=\"");
		put_skill_href(&b, slug, "/checklist");
		buf_puts(&b, "\">");
		put_text(&b, jstr_nonempty(checklist, "title") ? jstr(checklist, "title")
							       : "Open the checklist");
		buf_puts(&b, "</a></p>\n<p class=\"muted\">");
		put_count(&b, jcount(checklist, "items", 0), "item", "items");
		buf_puts(&b, " in ");
		put_count(&b, jcount(checklist, "sections", 0), "section", "sections");
		buf_puts(&b, "</p>\n</section>\n");
		/* filled by app.js from /api/v1/reviews?skill= (the page itself
		 * stays the same for every visitor, so it can be prepared) */
		html_printf(&b, "<section class=\"panel skill-reviews\" data-skill=\"%s\" hidden>\n"
				"<h2>Reviews</h2>\n<ul></ul>\n<p><a href=\"/reviews?skill=%s\">All "
				"reviews of this skill</a></p>\n</section>\n", slug, slug);
	}
	for (size_t i = 0; i < sizeof(skill_parts) / sizeof(skill_parts[0]); i++) {
		const struct skill_part *part = &skill_parts[i];

		if (jcount(counts, part->count, 0) <= 0)
			continue;
		html_printf(&b, "<section class=\"panel\">\n<h2>%s</h2>\n<p><a href=\"", part->title);
		put_skill_href(&b, slug, part->tail);
		buf_puts(&b, "\">");
		put_count(&b, jcount(counts, part->count, 0), part->one, part->many);
		html_printf(&b, "</a>%s</p>\n</section>\n", part->what);
	}
	put_files(&b, detail);
	put_quality(&b, jobj(detail, "quality"));
	put_diagnostics(&b, jarr(detail, "diagnostics"));
	buf_puts(&b, "</aside>\n</div>\n");
	return layout_end(&b, ctx, len);
}

/* ---- reference ---- */

/* A markdown file of a skill (a reference, an example, any other),
 * rendered, with its contents. */
char *page_reference(const struct page_ctx *ctx, const cJSON *detail, const char *path,
		     const char *html, const cJSON *toc, size_t *len)
{
	const char *slug = jstr(detail, "slug");
	const char *name = jstr_nonempty(detail, "name");
	bool reference = !path || str_has_prefix(path, REFERENCES_DIR);
	bool example = path && str_has_prefix(path, EXAMPLES_DIR);
	const char *file = path && reference ? path + strlen(REFERENCES_DIR) : path;
	struct buf b;
	char *out;

	buf_init(&b);
	skill_part_begin(&b, ctx, detail, file ? file : "reference", name ? name : slug,
			 "page-reference", NAV_NONE, file ? file : "reference");
	html_printf(&b, "<div class=\"page-head ref-head\">\n<p class=\"eyebrow\">%s of <a href=\"",
		    reference ? "Reference" : example ? "Example" : "File");
	put_skill_href(&b, slug, NULL);
	html_printf(&b, "\">%s</a></p>\n<h1 class=\"file-title\">%s</h1>\n</div>\n",
		    name ? name : slug, file ? file : "reference");
	/* wide, the contents come under the short side panel and stay in view */
	buf_puts(&b, "<div class=\"with-aside toc-last\">\n");
	put_toc(&b, toc);
	buf_puts(&b, "<article class=\"prose\">\n");
	if (html && html[0])
		buf_puts(&b, html);
	else
		buf_puts(&b, "<p class=\"muted\">This file is empty.</p>");
	buf_puts(&b, "\n</article>\n<aside class=\"side\" aria-label=\"About this reference\">\n");
	buf_puts(&b, "<section class=\"panel\">\n"
		     "<h2>References</h2>\n");
	put_reference_list(&b, detail, path);
	if (example) {
		buf_puts(&b, "<p><a href=\"");
		put_skill_href(&b, slug, "/examples");
		buf_puts(&b, "\">All examples, side by side</a></p>\n");
	}
	buf_puts(&b, "<p><a href=\"");
	put_skill_href(&b, slug, NULL);
	html_printf(&b, "\">← Back to %s</a></p>\n", name ? name : slug);
	if (jobj(detail, "checklist")) {
		buf_puts(&b, "<p><a href=\"");
		put_skill_href(&b, slug, "/checklist");
		buf_puts(&b, "\">Review checklist</a></p>\n");
	}
	buf_puts(&b, "</section>\n");
	if (path) {
		buf_puts(&b, "<p class=\"small\"><a href=\"");
		put_file_href(&b, slug, path);
		buf_puts(&b, "\">Raw file</a></p>\n");
	}
	buf_puts(&b, "</aside>\n</div>\n");
	out = layout_end(&b, ctx, len);
	return out;
}

/* ---- examples ---- */

/* Appends one example file: a label linking to its own page (or bytes),
 * then its rendered markdown, or a link to its bytes. role is "before",
 * "after" or NULL. */
static void put_example(struct buf *b, const char *slug, const cJSON *file, const char *role)
{
	const char *path = jstr_nonempty(file, "path");
	const char *html = jstr(file, "html");

	if (!path)
		return;
	html_printf(b, "<article class=\"prose example%s%s\">\n<p class=\"example-label\">",
		    role ? " example-" : "", role ? role : "");
	if (role)
		html_printf(b, "<span class=\"badge badge-%s\">%s</span> ", role,
			    strcmp(role, "before") == 0 ? "Before" : "After");
	buf_puts(b, "<a href=\"");
	put_page_file_href(b, slug, path);
	html_printf(b, "\">%s</a></p>\n", path);
	if (html && html[0]) {
		buf_puts(b, html);
	} else if (html) {
		buf_puts(b, "<p class=\"muted\">This file is empty.</p>\n");
	} else {
		buf_puts(b, "<p class=\"muted\">Not markdown: <a href=\"");
		put_file_href(b, slug, path);
		buf_puts(b, "\">its bytes</a>.</p>\n");
	}
	buf_puts(b, "</article>\n");
}

/* The file of examples whose path is path, or NULL. */
static const cJSON *example_named(const cJSON *files, const char *path)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, files)
		if (path && jstr(f, "path") && strcmp(jstr(f, "path"), path) == 0)
			return f;
	return NULL;
}

/* True when path is one side of a pair of examples. */
static bool example_paired(const cJSON *pairs, const char *path)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, pairs) {
		const char *before = jstr(p, "before"), *after = jstr(p, "after");

		if (path && ((before && strcmp(before, path) == 0) || (after && strcmp(after, path) == 0)))
			return true;
	}
	return false;
}

char *page_examples(const struct page_ctx *ctx, const cJSON *detail, const cJSON *examples,
		    size_t *len)
{
	const char *slug = jstr(detail, "slug");
	const char *name = jstr_nonempty(detail, "name");
	const cJSON *files = jarr(examples, "files");
	const cJSON *pairs = jarr(examples, "pairs");
	const cJSON *p, *f;
	struct buf b;
	char *out;

	buf_init(&b);
	skill_part_begin(&b, ctx, detail, "Examples", name ? name : slug, "page-examples", NAV_NONE,
			 "Examples");
	buf_puts(&b, "<div class=\"page-head ref-head\">\n<p class=\"eyebrow\">Examples of <a href=\"");
	put_skill_href(&b, slug, NULL);
	html_printf(&b, "\">%s</a></p>\n<h1>Examples</h1>\n", name ? name : slug);
	if (cJSON_GetArraySize(pairs) > 0)
		buf_puts(&b, "<p class=\"lede\">What the skill changes: the code before it, and after.</p>\n");
	buf_puts(&b, "</div>\n");
	cJSON_ArrayForEach(p, pairs) {
		const cJSON *before = example_named(files, jstr(p, "before"));
		const cJSON *after = example_named(files, jstr(p, "after"));

		if (!before || !after)
			continue;
		buf_puts(&b, "<div class=\"compare\">\n");
		put_example(&b, slug, before, "before");
		put_example(&b, slug, after, "after");
		buf_puts(&b, "</div>\n");
	}
	cJSON_ArrayForEach(f, files)
		if (!example_paired(pairs, jstr(f, "path")))
			put_example(&b, slug, f, NULL);
	if (cJSON_GetArraySize(files) == 0)
		buf_puts(&b, "<p class=\"muted\">This skill has no examples.</p>\n");
	buf_puts(&b, "<p class=\"small\"><a href=\"");
	put_skill_href(&b, slug, NULL);
	html_printf(&b, "\">← Back to %s</a></p>\n", name ? name : slug);
	out = layout_end(&b, ctx, len);
	return out;
}

/* ---- checklist ---- */

/* Number of items of one section: its own plus its groups'. */
static int section_items(const cJSON *section)
{
	const cJSON *g;
	int n = count_objects(jarr(section, "items"));

	cJSON_ArrayForEach(g, jarr(section, "groups"))
		n += count_objects(jarr(g, "items"));
	return n;
}

/* Appends a progress bar with its "0 / n" text; for names the section
 * (its id in data-progress; "all" for the whole checklist). */
static void put_progress(struct buf *b, const char *for_id, const char *label, int n)
{
	html_printf(b, "<p class=\"progress\"><progress data-progress=\"%s\" max=\"%d\" value=\"0\" "
		       "aria-label=\"%s\"></progress> <span class=\"progress-text\" "
		       "data-progress-text=\"%s\">0 / %d</span></p>\n",
		    for_id, n, label, for_id, n);
}

/* Appends the items of one list as checkboxes; *seq numbers items that
 * lack an id. */
static void put_items(struct buf *b, const cJSON *items, int *seq)
{
	const cJSON *it;

	if (count_objects(items) == 0)
		return;
	buf_puts(b, "<ul class=\"items\">\n");
	cJSON_ArrayForEach(it, items) {
		const char *id = jstr_nonempty(it, "id");
		const char *ref = jstr_nonempty(it, "ref");
		const char *title = jstr_nonempty(it, "title");
		const char *md = jstr(it, "markdown");
		char fallback[32];

		if (!cJSON_IsObject(it))
			continue;
		(*seq)++;
		if (!id) {
			snprintf(fallback, sizeof(fallback), "item-%d", *seq);
			id = fallback;
		}
		html_printf(b, "<li class=\"item\"><input type=\"checkbox\" id=\"%s\"", id);
		if (md)
			html_printf(b, " data-md=\"%s\"", md);
		html_printf(b, "><label for=\"%s\">", id);
		if (ref || title) {
			buf_puts(b, "<strong>");
			put_text(b, ref);
			if (ref && title)
				buf_puts(b, " — ");
			if (jstr_nonempty(it, "title_html"))
				buf_puts(b, jstr(it, "title_html"));
			else
				put_text(b, title);
			buf_puts(b, "</strong> <span class=\"item-text\">");
		} else {
			buf_puts(b, "<span class=\"item-text\">");
		}
		put_markdown(b, it, "text", "html", false);
		/* one tab stop per item, its checkbox: the link is for the
		 * mouse (and the address bar), not a second stop */
		html_printf(b, "</span></label><a class=\"item-link\" href=\"#%s\" tabindex=\"-1\" "
			       "aria-label=\"Link to this item\">#</a></li>\n", id);
	}
	buf_puts(b, "</ul>\n");
}

/* Appends one section: heading, progress, intro, items, groups, red flags. */
static void put_section(struct buf *b, const cJSON *section, int k, int *seq)
{
	const char *id = jstr_nonempty(section, "id");
	const char *title = jstr_nonempty(section, "title");
	const char *chapters = jstr_nonempty(section, "chapters");
	const cJSON *number = cJSON_GetObjectItemCaseSensitive(section, "number");
	const cJSON *g;
	int n = section_items(section);
	char fallback[32];

	if (!id) {
		snprintf(fallback, sizeof(fallback), "section-%d", k);
		id = fallback;
	}
	html_printf(b, "<section class=\"cl-section\" id=\"%s\">\n<div class=\"section-head\"><h2>", id);
	if (cJSON_IsNumber(number))
		buf_printf(b, "<span class=\"num\">%lld.</span> ", jcount(section, "number", 0));
	put_text(b, title ? title : "General");
	buf_puts(b, "</h2>");
	if (chapters)
		html_printf(b, "<span class=\"chapters\">%s</span>", chapters);
	buf_puts(b, "</div>\n");
	if (n > 0) {
		struct buf label;

		buf_init(&label);
		buf_printf(&label, "Checked items of %s", title ? title : "this section");
		put_progress(b, id, label.data, n);
		buf_fini(&label);
	}
	put_markdown_block(b, section, "intro");
	put_items(b, jarr(section, "items"), seq);
	cJSON_ArrayForEach(g, jarr(section, "groups")) {
		if (!cJSON_IsObject(g))
			continue;
		buf_puts(b, "<div class=\"group\">\n");
		if (jstr_nonempty(g, "title")) {
			html_printf(b, "<h3 class=\"group-title\">%s", jstr(g, "title"));
			if (jstr_nonempty(g, "chapters"))
				html_printf(b, " <span class=\"chapters\">%s</span>", jstr(g, "chapters"));
			buf_puts(b, "</h3>\n");
		}
		put_markdown_block(b, g, "intro");
		put_items(b, jarr(g, "items"), seq);
		put_markdown_block(b, g, "extra");
		buf_puts(b, "</div>\n");
	}
	if (jstr_nonempty(section, "red_flags") || jstr_nonempty(section, "red_flags_html")) {
		buf_puts(b, "<div class=\"red-flags\">\n<p class=\"red-flags-title\">Red flags</p>\n");
		put_markdown_block(b, section, "red_flags");
		buf_puts(b, "</div>\n");
	}
	put_markdown_block(b, section, "extra");
	buf_puts(b, "</section>\n");
}

/* Appends the review workflow as an ordered list; nothing when empty. */
static void put_workflow(struct buf *b, const cJSON *checklist)
{
	const cJSON *steps = jarr(checklist, "workflow");
	const char *title = jstr_nonempty(checklist, "workflow_title");
	const cJSON *s;

	if (cJSON_GetArraySize(steps) == 0)
		return;
	html_printf(b, "<section class=\"panel workflow\" aria-labelledby=\"cl_workflow\">\n"
		       "<h2 id=\"cl_workflow\">%s</h2>\n<ol>\n", title ? title : "Review workflow");
	cJSON_ArrayForEach(s, steps) {
		buf_puts(b, "<li>");
		if (jstr_nonempty(s, "title"))
			html_printf(b, "<strong>%s</strong> ", jstr(s, "title"));
		put_markdown(b, s, "text", "text_html", false);
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ol>\n</section>\n");
}

/* Appends the severity levels as a table; nothing when empty. */
static void put_severity(struct buf *b, const cJSON *checklist)
{
	const cJSON *levels = jarr(checklist, "severity");
	const char *title = jstr_nonempty(checklist, "severity_title");
	const cJSON *l;

	if (cJSON_GetArraySize(levels) == 0)
		return;
	html_printf(b, "<section class=\"panel severity\" aria-labelledby=\"cl_severity\">\n"
		       "<h2 id=\"cl_severity\">%s</h2>\n<table>\n<thead><tr><th scope=\"col\">Level</th>"
		       "<th scope=\"col\">Meaning</th></tr></thead>\n<tbody>\n",
		    title ? title : "Severity levels");
	cJSON_ArrayForEach(l, levels) {
		html_printf(b, "<tr><th scope=\"row\">%s</th><td>", jstr(l, "level"));
		put_markdown(b, l, "description", "description_html", false);
		if (jstr_nonempty(l, "examples") || jstr_nonempty(l, "examples_html")) {
			buf_puts(b, "<span class=\"examples\">");
			put_markdown(b, l, "examples", "examples_html", false);
			buf_puts(b, "</span>");
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* Appends links to a skill's other review checklists (strings or objects
 * with a path and title), as their raw files. */
static void put_other_checklists(struct buf *b, const char *slug, const cJSON *others)
{
	const cJSON *o;

	if (cJSON_GetArraySize(others) == 0)
		return;
	buf_puts(b, "<section class=\"panel\" aria-labelledby=\"cl_others\">\n"
		    "<h2 id=\"cl_others\">Other checklists</h2>\n<ul class=\"link-list\">\n");
	cJSON_ArrayForEach(o, others) {
		const char *path = cJSON_IsString(o) ? o->valuestring : jstr_nonempty(o, "path");
		const char *title = jstr_nonempty(o, "title");

		if (!path || !path[0])
			continue;
		buf_puts(b, "<li><a href=\"");
		put_file_href(b, slug, path);
		html_printf(b, "\">%s</a></li>\n", title ? title : path);
	}
	buf_puts(b, "</ul>\n</section>\n");
}

/* The interactive review checklist of a skill. */
char *page_checklist(const struct page_ctx *ctx, const cJSON *detail, const cJSON *checklist,
		     size_t *len)
{
	const char *slug = jstr(detail, "slug");
	const char *name = jstr_nonempty(detail, "name");
	const char *title = jstr_nonempty(checklist, "title");
	const char *digest = jstr_nonempty(checklist, "digest");
	const char *path = jstr_nonempty(checklist, "path");
	const cJSON *sections = jarr(checklist, "sections");
	const cJSON *s;
	struct buf b;
	int total = 0, k = 0, seq = 0;
	char *out;

	if (!slug)
		slug = jstr(checklist, "skill");
	if (!digest)
		digest = jstr(jobj(detail, "checklist"), "digest");
	cJSON_ArrayForEach(s, sections)
		total += section_items(s);
	buf_init(&b);
	skill_part_begin(&b, ctx, detail, "Checklist", name ? name : slug, "page-checklist",
			 NAV_CHECKLISTS, "Review checklist");
	html_printf(&b, "<form class=\"checklist\" id=\"checklist\" data-slug=\"%s\" data-digest=\"%s\" "
			"aria-labelledby=\"cl_title\">\n",
		    slug ? slug : "", digest ? digest : "");
	html_printf(&b, "<div class=\"page-head\">\n<h1 id=\"cl_title\">%s</h1>\n<p class=\"lede\">",
		    title ? title : "Review checklist");
	put_count(&b, total, "item", "items");
	buf_puts(&b, " · from <a href=\"");
	put_skill_href(&b, slug, NULL);
	html_printf(&b, "\">%s</a>", name ? name : slug);
	if (path) {
		buf_puts(&b, " · <a href=\"");
		put_file_href(&b, slug, path);
		html_printf(&b, "\"><code>%s</code></a>", path);
	}
	buf_puts(&b, "</p>\n");
	put_markdown_block(&b, checklist, "intro");
	buf_puts(&b, "</div>\n<div class=\"toolbar\" role=\"group\" aria-label=\"Progress and actions\">\n");
	put_progress(&b, "all", "Checked items", total);
	buf_puts(&b, "<p class=\"toolbar-actions\">"
		     "<button type=\"button\" class=\"btn btn-primary\" data-action=\"start-review\" "
		     "aria-controls=\"start-review\">Start review</button>"
		     "<button type=\"button\" class=\"btn\" data-action=\"copy-md\">"
		     "Copy as Markdown</button>"
		     "<button type=\"button\" class=\"btn\" data-action=\"reset\">Reset</button>"
		     "<a class=\"btn btn-quiet\" href=\"?format=md\">Markdown</a></p>\n"
		     "<p class=\"status\" role=\"status\" aria-live=\"polite\"></p>\n");
	/* a review run of this checklist: shared, lasting, by URL (app.js
	 * posts it; without the script, the API does the same) */
	html_printf(&b, "<fieldset class=\"start-review\" id=\"start-review\" hidden "
			"data-skill=\"%s\" data-checklist=\"%s\">\n<legend>Start a review</legend>\n"
			"<label>What is reviewed <input name=\"title\" required maxlength=\"200\" "
			"placeholder=\"PR 412: payment retries\"></label>\n"
			"<label>Link (optional) <input name=\"target\" maxlength=\"2048\" "
			"placeholder=\"https://…/pull/412\"></label>\n"
			"<button type=\"button\" class=\"btn btn-primary\" data-action=\"create-review\">"
			"Start</button></fieldset>\n</div>\n"
			"<div class=\"with-aside\">\n<div class=\"cl-body\">\n",
		    slug ? slug : "", path ? path : "");
	/* the section list comes after every item in the tab order: a way
	 * there for the keyboard (shown when focused) */
	if (count_objects(sections) > 0)
		buf_puts(&b, "<a class=\"skip-link\" href=\"#sections\">Skip to the list of "
			     "sections</a>\n");
	cJSON_ArrayForEach(s, sections)
		if (cJSON_IsObject(s))
			put_section(&b, s, ++k, &seq);
	if (k == 0)
		buf_puts(&b, "<p class=\"empty\">This checklist has no items.</p>\n");
	put_markdown_block(&b, checklist, "extra");
	/* after the text that introduces it ("Severity Classification: when
	 * reporting issues, classify them:"), not at the foot of the sidebar */
	put_severity(&b, checklist);
	buf_puts(&b, "</div>\n<aside class=\"side\" aria-label=\"How to review\">\n");
	if (k > 0) {
		buf_puts(&b, "<nav class=\"panel section-nav\" id=\"sections\" tabindex=\"-1\" "
			     "aria-label=\"Sections\">\n<h2>Sections</h2>\n<ol>\n");
		k = 0;
		cJSON_ArrayForEach(s, sections) {
			const char *sid = jstr_nonempty(s, "id");
			char fallback[32];
			int n = section_items(s);

			if (!cJSON_IsObject(s))
				continue;
			k++;
			if (!sid) {
				snprintf(fallback, sizeof(fallback), "section-%d", k);
				sid = fallback;
			}
			html_printf(&b, "<li><a href=\"#%s\">%s</a>", sid,
				    jstr_nonempty(s, "title") ? jstr(s, "title") : "General");
			if (n > 0)
				html_printf(&b, " <span class=\"progress-text\" data-progress-text=\"%s\">"
						"0 / %d</span>", sid, n);
			buf_puts(&b, "</li>\n");
		}
		buf_puts(&b, "</ol>\n</nav>\n");
	}
	put_workflow(&b, checklist);
	put_other_checklists(&b, slug, jarr(checklist, "other_checklists"));
	buf_puts(&b, "</aside>\n</div>\n</form>\n");
	out = layout_end(&b, ctx, len);
	return out;
}

/* ---- evals ---- */

/* A skill's evals: prompts, expectations, expected output, files. */
char *page_evals(const struct page_ctx *ctx, const cJSON *detail, const cJSON *evals, size_t *len)
{
	const char *slug = jstr(detail, "slug");
	const char *name = jstr_nonempty(detail, "name");
	const cJSON *list = cJSON_IsArray(evals) ? evals : jarr(evals, "evals");
	const cJSON *e;
	struct buf b;
	int k = 0;
	char *out;

	buf_init(&b);
	skill_part_begin(&b, ctx, detail, "Evals", name ? name : slug, "page-evals", NAV_NONE, "Evals");
	html_printf(&b, "<div class=\"page-head\">\n<h1>Evals of %s</h1>\n<p class=\"lede\">",
		    name ? name : slug);
	put_count(&b, count_objects(list), "eval", "evals");
	buf_puts(&b, ": each prompt and what a good answer does.</p>\n</div>\n");
	if (count_objects(list) == 0)
		buf_puts(&b, "<p class=\"empty\">This skill has no evals.</p>\n");
	else
		buf_puts(&b, "<ol class=\"evals\">\n");
	cJSON_ArrayForEach(e, list) {
		const cJSON *exp = jarr(e, "expectations");
		const cJSON *files = jarr(e, "files");
		const cJSON *x;

		if (!cJSON_IsObject(e))
			continue;
		k++;
		html_printf(&b, "<li class=\"eval\" id=\"eval-%d\"><article>\n<h2><a href=\"#eval-%d\">%s"
				"</a></h2>\n<h3>Prompt</h3>\n<pre class=\"prompt\" tabindex=\"0\">%s</pre>\n",
			    k, k, jstr_nonempty(e, "id") ? jstr(e, "id") : "(no id)", jstr(e, "prompt"));
		html_printf(&b, "<h3>Expectations <span class=\"count\">%d</span></h3>\n",
			    cJSON_GetArraySize(exp));
		if (cJSON_GetArraySize(exp) > 0) {
			buf_puts(&b, "<ul class=\"expectations\">\n");
			cJSON_ArrayForEach(x, exp)
				if (cJSON_IsString(x))
					html_printf(&b, "<li>%s</li>\n", x->valuestring);
			buf_puts(&b, "</ul>\n");
		} else {
			buf_puts(&b, "<p class=\"muted\">None given.</p>\n");
		}
		if (jstr_nonempty(e, "expected_output"))
			html_printf(&b, "<h3>Expected output</h3>\n<pre class=\"prompt\" tabindex=\"0\">%s</pre>\n",
				    jstr(e, "expected_output"));
		if (cJSON_GetArraySize(files) > 0) {
			buf_puts(&b, "<h3>Files</h3>\n<ul class=\"eval-files\">\n");
			cJSON_ArrayForEach(x, files)
				if (cJSON_IsString(x))
					html_printf(&b, "<li><code>%s</code></li>\n", x->valuestring);
			buf_puts(&b, "</ul>\n");
		}
		buf_puts(&b, "</article></li>\n");
	}
	if (k > 0)
		buf_puts(&b, "</ol>\n");
	out = layout_end(&b, ctx, len);
	return out;
}

/* ---- checklists ---- */

/* Every review checklist with its skill and item count. */
char *page_checklists(const struct page_ctx *ctx, const cJSON *list, size_t *len)
{
	static const struct page_head head = { "Checklists", "page-checklists", NAV_CHECKLISTS };
	const cJSON *rows = cJSON_IsArray(list) ? list : jarr(list, "data");
	const cJSON *r;
	long long total = 0;
	struct buf b;

	cJSON_ArrayForEach(r, rows)
		total += jcount(r, "items", 0); /* 0 for what is not an object */
	total = jcount(list, "total_items", total);
	buf_init(&b);
	layout_begin(&b, ctx, &head);
	buf_puts(&b, "<div class=\"page-head\">\n<h1>Review checklists</h1>\n<p class=\"lede\">");
	put_count(&b, count_objects(rows), "checklist", "checklists");
	buf_puts(&b, " · ");
	put_count(&b, total, "item", "items");
	buf_puts(&b, " in all</p>\n</div>\n");
	if (count_objects(rows) == 0) {
		buf_puts(&b, "<p class=\"empty\">No skill has a review checklist.</p>\n");
		return layout_end(&b, ctx, len);
	}
	buf_puts(&b, "<div class=\"table-wrap\">\n<table class=\"checklists\">\n<thead><tr>"
		     "<th scope=\"col\">Checklist</th><th scope=\"col\">Skill</th>"
		     "<th scope=\"col\" class=\"num\">Items</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(r, rows) {
		const char *slug = jstr_nonempty(r, "skill");
		const char *path = jstr_nonempty(r, "path");
		const char *title = jstr_nonempty(r, "title");
		const char *name = jstr_nonempty(r, "name");
		/* only an explicit false sends the row to the raw file */
		bool primary = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "primary"));

		if (!cJSON_IsObject(r))
			continue;

		buf_puts(&b, "<tr><td><a href=\"");
		if (primary)
			put_skill_href(&b, slug, "/checklist");
		else
			put_file_href(&b, slug, path);
		html_printf(&b, "\">%s</a>", title ? title : path ? path : "Checklist");
		if (path && !primary)
			html_printf(&b, " <span class=\"muted small\">%s</span>", path);
		buf_puts(&b, "</td><td><a href=\"");
		put_skill_href(&b, slug, NULL);
		html_printf(&b, "\">%s</a></td><td class=\"num\">", name ? name : slug);
		put_int(&b, jcount(r, "items", 0));
		buf_puts(&b, "</td></tr>\n");
	}
	buf_puts(&b, "</tbody>\n<tfoot><tr><th scope=\"row\" colspan=\"2\">Total</th><td class=\"num\">");
	put_int(&b, total);
	buf_puts(&b, "</td></tr></tfoot>\n</table>\n</div>\n");
	return layout_end(&b, ctx, len);
}

/* ---- search ---- */

/* The kinds of search rows: value of "kind", filter label, badge label. */
static const struct {
	const char *kind;
	const char *filter;
	const char *badge;
} search_kinds[] = {
	{ "skill", "Skills", "Skill" },
	{ "reference", "References", "Reference" },
	{ "checklist", "Checklist items", "Checklist item" },
	{ "eval", "Evals", "Eval" },
};

#define N_SEARCH_KINDS (sizeof(search_kinds) / sizeof(search_kinds[0]))

/* The index of kind in search_kinds, or -1 when kind is not one of them. */
static int search_kind_index(const char *kind)
{
	for (size_t i = 0; kind && i < N_SEARCH_KINDS; i++)
		if (strcmp(kind, search_kinds[i].kind) == 0)
			return (int)i;
	return -1;
}

/* Appends s (may be NULL) percent-encoded as a query-string value. */
static void put_query_value(struct buf *b, const char *s)
{
	if (s)
		html_url_path_segment(b, s, strlen(s));
}

/* Appends "/search?q=..." with the filters of filter (q, kind and the
 * facets), kind set to search_kinds[kind] (-1: none), and cursor (may be
 * NULL), escaped for an attribute. */
static void put_search_href(struct buf *b, const cJSON *filter, int kind, const char *cursor)
{
	struct buf href;

	buf_init(&href);
	filter_href(&href, "/search", filter, "kind", kind >= 0 ? search_kinds[kind].kind : NULL, 1);
	if (cursor) {
		buf_puts(&href, "&cursor=");
		url_encode_component(&href, cursor);
	}
	html_escape_attr(b, href.data, href.len);
	buf_fini(&href);
}

/* Appends a snippet as escaped text, each U+E000..U+E001 pair as
 * <mark>..</mark>; stray or repeated markers are dropped and a mark left
 * open is closed at the end. */
static void put_snippet(struct buf *b, const char *s)
{
	const size_t mlen = strlen(SEARCH_MARK_OPEN);
	bool open = false;

	while (s && *s) {
		const char *o = strstr(s, SEARCH_MARK_OPEN);
		const char *c = strstr(s, SEARCH_MARK_CLOSE);
		const char *m = !o ? c : !c ? o : o < c ? o : c;

		if (!m) {
			put_text(b, s);
			break;
		}
		html_escape_text(b, s, (size_t)(m - s));
		if (m == o && !open) {
			buf_puts(b, "<mark>");
			open = true;
		} else if (m == c && open) {
			buf_puts(b, "</mark>");
			open = false;
		}
		s = m + mlen;
	}
	if (open)
		buf_puts(b, "</mark>");
}

/* Appends one search hit as a list item. */
static void put_search_hit(struct buf *b, const cJSON *hit)
{
	const char *slug = jstr_nonempty(hit, "skill");
	const char *url = jstr_nonempty(hit, "url");
	const char *title = jstr_nonempty(hit, "title");
	const char *path = jstr_nonempty(hit, "path");
	const char *snippet = jstr_nonempty(hit, "snippet");
	int k = search_kind_index(jstr(hit, "kind"));

	buf_puts(b, "<li class=\"hit\"><div class=\"hit-head\">");
	if (k >= 0)
		html_printf(b, "<span class=\"badge kind kind-%s\">%s</span> ", search_kinds[k].kind,
			    search_kinds[k].badge);
	if (!title)
		title = path ? path : k >= 0 ? search_kinds[k].badge : "Result";
	buf_puts(b, "<a class=\"hit-title\" href=\"");
	if (url && url[0] == '/' && url[1] != '/' && html_url_is_safe(url, false))
		html_escape_attr(b, url, strlen(url));
	else
		put_skill_href(b, slug, NULL);
	html_printf(b, "\">%s</a></div>\n", title);
	if (snippet) {
		buf_puts(b, "<p class=\"snippet\">");
		put_snippet(b, snippet);
		buf_puts(b, "</p>\n");
	}
	if (path)
		html_printf(b, "<p class=\"hit-path\"><code>%s</code></p>\n", path);
	buf_puts(b, "</li>\n");
}

/* True when hit belongs to the group of slug (NULL: hits without a skill). */
static bool hit_in_group(const cJSON *hit, const char *slug)
{
	const char *s = jstr_nonempty(hit, "skill");

	return cJSON_IsObject(hit) && (slug ? s && strcmp(s, slug) == 0 : !s);
}

/* Appends the hits of data whose skill is in collection root (NULL: any)
 * grouped by skill, groups in order of first hit, titled at level h. */
static void put_skill_hit_groups(struct buf *b, const cJSON *data, const char *root, int h)
{
	const cJSON *first, *hit, *prev;

	cJSON_ArrayForEach(first, data) {
		const char *slug = jstr_nonempty(first, "skill");
		bool seen = false;

		if (!cJSON_IsObject(first) ||
		    (root && strcmp(jstr(first, "root") ? jstr(first, "root") : "", root) != 0))
			continue;
		for (prev = data->child; prev != first && !seen; prev = prev->next)
			seen = hit_in_group(prev, slug);
		if (seen)
			continue;
		html_printf(b, "<section class=\"hit-group\">\n<h%d class=\"hit-skill\">", h);
		if (slug) {
			buf_puts(b, "<a href=\"");
			put_skill_href(b, slug, NULL);
			html_printf(b, "\">%s</a>", slug);
		} else {
			buf_puts(b, "Other");
		}
		buf_printf(b, "</h%d>\n<ol class=\"hits\">\n", h);
		for (hit = first; hit; hit = hit->next)
			if (hit_in_group(hit, slug))
				put_search_hit(b, hit);
		buf_puts(b, "</ol>\n</section>\n");
	}
}

/* Appends the hits of data grouped by skill, and the skills by collection
 * (root) as the index groups its cards, titled when the view's collection
 * facet or the page holds more than one; collections and skills in order
 * of their first hit. */
static void put_search_groups(struct buf *b, const cJSON *view, const cJSON *data)
{
	const char *roots[SEARCH_MAX_LIMIT];
	size_t n = 0;
	const cJSON *hit;

	cJSON_ArrayForEach(hit, data) {
		const char *root = jstr(hit, "root") ? jstr(hit, "root") : "";
		size_t i = 0;

		while (i < n && strcmp(roots[i], root) != 0)
			i++;
		if (cJSON_IsObject(hit) && i == n && n < SEARCH_MAX_LIMIT)
			roots[n++] = root;
	}
	if (n <= 1 && cJSON_GetArraySize(jarr(jobj(view, "facets"), "root")) <= 1) {
		put_skill_hit_groups(b, data, NULL, 2);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		put_collection_head(b, "/search", view, roots[i], (int)i + 1);
		put_skill_hit_groups(b, data, roots[i], 3);
		buf_puts(b, "</section>\n");
	}
}

/* Appends the kind filter links; the current one is marked. */
static void put_kind_filter(struct buf *b, const cJSON *filter, int kind)
{
	buf_puts(b, "<nav class=\"kind-filter\" aria-label=\"Kind of result\"><ul>\n<li><a href=\"");
	put_search_href(b, filter, -1, NULL);
	buf_printf(b, "\"%s>All</a></li>\n", kind < 0 ? " aria-current=\"page\"" : "");
	for (size_t i = 0; i < N_SEARCH_KINDS; i++) {
		buf_puts(b, "<li><a href=\"");
		put_search_href(b, filter, (int)i, NULL);
		buf_printf(b, "\"%s>%s</a></li>\n", kind == (int)i ? " aria-current=\"page\"" : "",
			   search_kinds[i].filter);
	}
	buf_puts(b, "</ul></nav>\n");
}

/* The search page: form, kind filters, grouped results or a message. */
char *page_search(const struct page_ctx *ctx, const char *q, const char *kind,
		  const cJSON *results, const char *error, size_t *len)
{
	struct page_head head = { "Search", "page-search", NAV_NONE };
	const cJSON *data = jarr(results, "data");
	const char *cursor = jstr_nonempty(results, "next_cursor");
	int k = search_kind_index(kind);
	const cJSON *filter = jobj(results, "filter");
	cJSON *own_filter = NULL;
	struct buf page_title;
	struct buf b;
	char *out;

	if (q && !q[0])
		q = NULL;
	if (!filter) {
		filter = own_filter = cJSON_CreateObject();
		jadd_str_or_null(own_filter, "q", q);
		jadd_str_or_null(own_filter, "kind", k >= 0 ? search_kinds[k].kind : NULL);
	}
	buf_init(&page_title);
	if (q) {
		buf_puts(&page_title, "Search: ");
		buf_puts(&page_title, q);
		head.title = page_title.data;
	}
	buf_init(&b);
	layout_begin(&b, ctx, &head);
	buf_puts(&b, "<div class=\"page-head\">\n<h1>Search</h1>\n</div>\n"
		     "<form class=\"search-form\" role=\"search\" action=\"/search\" method=\"get\">\n"
		     "<label for=\"search-q\">Search skills, references, checklist items and evals</label>\n"
		     "<div class=\"search-row\">");
	html_printf(&b, "<input type=\"search\" id=\"search-q\" name=\"q\" value=\"%s\" "
			"autocomplete=\"off\" spellcheck=\"false\" maxlength=\"1000\" "
			"aria-describedby=\"search-hint\">", q ? q : "");
	if (k >= 0)
		html_printf(&b, "<input type=\"hidden\" name=\"kind\" value=\"%s\">", search_kinds[k].kind);
	put_hidden_facets(&b, filter);
	buf_puts(&b, "<button type=\"submit\" class=\"btn btn-primary\">Search</button></div>\n"
		     "<p class=\"search-hint muted small\" id=\"search-hint\">Results with every word; "
		     "when none has them all, those with the most. "
		     "<code>\"a phrase\"</code>, <code>prefix*</code>, <code>-exclude</code>.</p>\n"
		     "</form>\n");
	if (!q && !error)
		goto done;
	if (q)
		put_kind_filter(&b, filter, k);
	if (error) {
		html_printf(&b, "<div class=\"search-error\" role=\"alert\">\n<p><strong>This search "
				"cannot run.</strong> %s</p>\n</div>\n", error);
		goto done;
	}
	/* as the index: the facets beside the results (above on a phone) */
	buf_puts(&b, "<div class=\"browse\" id=\"browse\">\n");
	if (jobj(results, "facets"))
		put_facets(&b, "/search", results);
	buf_puts(&b, "<div class=\"results\">\n<p class=\"search-total\" role=\"status\">");
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(results, "total_exact")))
		buf_puts(&b, "more than ");
	put_count(&b, jcount(results, "total", count_objects(data)), "result", "results");
	html_printf(&b, " for <q>%s</q>", q);
	if (k >= 0)
		html_printf(&b, " in %s", search_kinds[k].filter);
	if (count_objects(data) > 0 && jstr(results, "match") &&
	    strcmp(jstr(results, "match"), "any") == 0)
		buf_puts(&b, " (none has every word: these have the most of them)");
	buf_puts(&b, "</p>\n");
	if (count_objects(data) == 0) {
		buf_puts(&b, "<p class=\"empty\">Nothing matches. Try fewer or shorter words, a prefix "
			     "such as <code>migrat*</code>");
		if (k >= 0)
			buf_puts(&b, ", or all kinds of result");
		if (jstr_nonempty(filter, "root") || jstr_nonempty(filter, "tier") ||
		    jstr_nonempty(filter, "checklist") || jstr_nonempty(filter, "evals"))
			buf_puts(&b, ", or fewer filters");
		buf_puts(&b, ".</p>\n");
	} else {
		put_search_groups(&b, results, data);
	}
	if (cursor) {
		buf_puts(&b, "<p class=\"pager\"><a class=\"btn\" rel=\"next\" href=\"");
		put_search_href(&b, filter, k, cursor);
		buf_puts(&b, "\">Next page</a></p>\n");
	}
	buf_puts(&b, "</div>\n</div>\n");
done:
	out = layout_end(&b, ctx, len);
	buf_fini(&page_title);
	cJSON_Delete(own_filter);
	return out;
}

/* The OpenSearch description of the portal's search. */
char *page_opensearch(const struct page_ctx *ctx, size_t *len)
{
	const char *base = ctx && ctx->base_url ? ctx->base_url : DEFAULT_BASE_URL;
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
		     "<ShortName>skilld</ShortName>\n"
		     "<Description>Search the agent skills served by skilld</Description>\n"
		     "<InputEncoding>UTF-8</InputEncoding>\n");
	html_printf(&b, "<Image type=\"image/svg+xml\">%s/assets/favicon.svg</Image>\n", base);
	html_printf(&b, "<Url type=\"text/html\" method=\"get\" template=\"%s/search?q={searchTerms}\"/>\n",
		    base);
	html_printf(&b, "<Url type=\"application/opensearchdescription+xml\" rel=\"self\" "
			"template=\"%s/opensearch.xml\"/>\n</OpenSearchDescription>\n", base);
	return buf_detach(&b, len);
}

/* ---- errors ---- */

/* A friendly error page for status. */
char *page_error(const struct page_ctx *ctx, int status, const char *title, const char *message,
		 size_t *len)
{
	struct page_head head = { NULL, "page-error", NAV_NONE };
	struct buf page_title;
	struct buf b;
	char *out;

	if (!title || !title[0])
		title = status_phrase(status);
	buf_init(&page_title);
	buf_printf(&page_title, "%d %s", status, title);
	head.title = page_title.data;
	buf_init(&b);
	layout_begin(&b, ctx, &head);
	html_printf(&b, "<div class=\"error-box\">\n<p class=\"error-status\">%d</p>\n<h1>%s</h1>\n",
		    status, title);
	if (message && message[0])
		html_printf(&b, "<p class=\"error-message\">%s</p>\n", message);
	buf_puts(&b, "<p><a class=\"btn btn-primary\" href=\"/\">All skills</a> "
		     "<a class=\"btn\" href=\"/checklists\">Checklists</a></p>\n</div>\n");
	out = layout_end(&b, ctx, len);
	buf_fini(&page_title);
	return out;
}

/* ---- sign-in ---- */

char *page_signin(const struct page_ctx *ctx, const char *next, const char *error, size_t *len)
{
	struct page_head head = { "Sign in", "page-signin", NAV_NONE };
	struct buf b;

	buf_init(&b);
	layout_begin(&b, ctx, &head);
	buf_puts(&b, "<div class=\"error-box signin\">\n<h1>Sign in</h1>\n"
		     "<p>This skilld server needs its access token. Ask whoever runs it, or read it "
		     "from the file given to <code>--token-file</code>.</p>\n");
	if (error && error[0])
		html_printf(&b, "<p class=\"error-message\" role=\"alert\">%s</p>\n", error);
	html_printf(&b, "<form method=\"post\" action=\"/signin\">\n"
		    "<input type=\"hidden\" name=\"next\" value=\"%s\">\n"
		    "<p><label for=\"token\">Token</label><br>\n"
		    "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" "
		    "required autofocus size=\"40\"></p>\n"
		    "<p><button class=\"btn btn-primary\" type=\"submit\">Sign in</button></p>\n"
		    "</form>\n<p class=\"muted\">Programs send <code>Authorization: Bearer "
		    "&lt;token&gt;</code> instead.</p>\n</div>\n", next && next[0] ? next : "/");
	return layout_end(&b, ctx, len);
}

/* ---- review runs ---- */

/* "3 pass · 1 fail · 0 n/a · 62 open" of counts {pass, fail, na, open}. */
static void put_review_counts(struct buf *b, const cJSON *c)
{
	html_printf(b, "<span class=\"rcounts\"><span class=\"c-pass\" data-count=\"pass\">%d</span> "
		       "pass · <span class=\"c-fail\" data-count=\"fail\">%d</span> fail · "
		       "<span class=\"c-na\" data-count=\"na\">%d</span> n/a · "
		       "<span class=\"c-open\" data-count=\"open\">%d</span> open</span>",
		    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "pass")),
		    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "fail")),
		    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "na")),
		    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "open")));
}

static void put_review_href(struct buf *b, const char *id)
{
	buf_puts(b, "/reviews/");
	put_seg(b, id);
}

char *page_reviews(const struct page_ctx *ctx, const cJSON *list, const char *skill,
		   const char *status, size_t *len)
{
	struct page_head head = { "Reviews", "page-reviews", NAV_REVIEWS };
	const cJSON *r;
	struct buf b;
	int n = 0;

	buf_init(&b);
	layout_begin(&b, ctx, &head);
	buf_puts(&b, "<div class=\"page-head\">\n<h1>Reviews</h1>\n<p class=\"lede\">Review runs "
		     "of the skills' checklists, newest first. Start one from a checklist's page.</p>\n"
		     "</div>\n<form class=\"review-filter\" method=\"get\" action=\"/reviews\">"
		     "<label>Skill <input name=\"skill\" maxlength=\"128\"");
	if (skill)
		html_printf(&b, " value=\"%s\"", skill);
	buf_puts(&b, "></label> <label>Status <select name=\"status\">");
	html_printf(&b, "<option value=\"\"%s>any</option><option value=\"open\"%s>open</option>"
			"<option value=\"closed\"%s>closed</option>",
		    !status ? " selected" : "", status && !strcmp(status, "open") ? " selected" : "",
		    status && !strcmp(status, "closed") ? " selected" : "");
	buf_puts(&b, "</select></label> <button class=\"btn\" type=\"submit\">Filter</button></form>\n"
		     "<ul class=\"review-list\">\n");
	cJSON_ArrayForEach(r, jarr(list, "data")) {
		const char *id = jstr_nonempty(r, "id");

		if (!id)
			continue;
		n++;
		buf_puts(&b, "<li class=\"review-row\"><a class=\"review-title\" href=\"");
		put_review_href(&b, id);
		html_printf(&b, "\">%s</a> <span class=\"badge status-%s\">%s</span>\n"
				"<p class=\"meta\"><a href=\"", jstr(r, "title"), jstr(r, "status"),
			    jstr(r, "status"));
		put_skill_href(&b, jstr(r, "skill"), "/checklist");
		html_printf(&b, "\">%s</a>", jstr(r, "skill"));
		if (cJSON_IsObject(jobj(r, "counts"))) {
			buf_puts(&b, " · ");
			put_review_counts(&b, jobj(r, "counts"));
		}
		if (jstr_nonempty(r, "updated_at"))
			html_printf(&b, " · updated <time datetime=\"%s\">%.*s</time>",
				    jstr(r, "updated_at"), 10, jstr(r, "updated_at"));
		buf_puts(&b, "</p></li>\n");
	}
	buf_puts(&b, "</ul>\n");
	if (n == 0)
		buf_puts(&b, "<p class=\"empty\">No review yet. Open a skill's checklist and press "
			     "<em>Start review</em>.</p>\n");
	if (jstr_nonempty(list, "next_cursor")) {
		buf_puts(&b, "<p class=\"pager\"><a class=\"btn\" href=\"/reviews?cursor=");
		put_query_value(&b, jstr(list, "next_cursor"));
		if (skill) {
			buf_puts(&b, "&amp;skill=");
			put_query_value(&b, skill);
		}
		if (status) {
			buf_puts(&b, "&amp;status=");
			put_query_value(&b, status);
		}
		buf_puts(&b, "\">Older reviews</a></p>\n");
	}
	return layout_end(&b, ctx, len);
}

/* One item of a review: its text, the verdict buttons, severity, note and
 * evidence (app.js saves them; the state is also in data attributes). */
static void put_review_item(struct buf *b, const cJSON *it, const cJSON *levels)
{
	static const char *const verdicts[][2] = { { "pass", "Pass" }, { "fail", "Fail" },
						   { "na", "N/A" } };
	const char *id = jstr(it, "id"), *v = jstr(it, "verdict"), *sev = jstr(it, "severity");
	const cJSON *lv;

	html_printf(b, "<li class=\"ritem\" id=\"item-%s\" data-item=\"%s\" data-verdict=\"%s\" "
		       "data-version=\"%d\" tabindex=\"-1\">\n<p class=\"ritem-text\"><strong>%s</strong> ",
		    id, id, v ? v : "open", (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "version")),
		    jstr(it, "ref"));
	if (jstr_nonempty(it, "title"))
		html_printf(b, "<span class=\"ritem-title\">%s</span> — ", jstr(it, "title"));
	/* the checklist's own rendering (made safe at index time), else the text */
	if (jstr_nonempty(it, "html"))
		buf_puts(b, jstr(it, "html"));
	else
		put_text(b, jstr(it, "text"));
	html_printf(b, "</p>\n<div class=\"verdicts\" role=\"group\" aria-label=\"Verdict on %s\">",
		    jstr(it, "ref"));
	for (size_t i = 0; i < 3; i++)
		html_printf(b, "<button type=\"button\" class=\"btn v-%s\" data-verdict=\"%s\" "
			       "aria-pressed=\"%s\">%s</button>", verdicts[i][0], verdicts[i][0],
			    v && !strcmp(v, verdicts[i][0]) ? "true" : "false", verdicts[i][1]);
	buf_puts(b, "<label class=\"sev\">Severity <select name=\"severity\">"
		    "<option value=\"\">—</option>");
	cJSON_ArrayForEach(lv, levels)
		if (cJSON_IsString(lv))
			html_printf(b, "<option%s>%s</option>",
				    sev && !strcmp(sev, lv->valuestring) ? " selected" : "", lv->valuestring);
	buf_puts(b, "</select></label></div>\n<div class=\"ritem-fields\">");
	html_printf(b, "<label>Note <textarea name=\"note\" rows=\"2\">%s</textarea></label>"
		       "<label>Evidence <input name=\"evidence\" placeholder=\"src/file.c:42\" "
		       "value=\"%s\"></label></div>\n<p class=\"ritem-meta\">",
		    jstr(it, "note") ? jstr(it, "note") : "",
		    jstr(it, "evidence") ? jstr(it, "evidence") : "");
	if (jstr_nonempty(it, "updated_at"))
		html_printf(b, "%s%s<time datetime=\"%s\">%.*s</time>",
			    jstr_nonempty(it, "author") ? jstr(it, "author") : "",
			    jstr_nonempty(it, "author") ? ", " : "", jstr(it, "updated_at"), 16,
			    jstr(it, "updated_at"));
	buf_puts(b, "</p>\n</li>\n");
}

char *page_review(const struct page_ctx *ctx, const cJSON *v, size_t *len)
{
	struct page_head head = { jstr(v, "title"), "page-review", NAV_REVIEWS };
	const cJSON *cl = jobj(v, "checklist"), *s, *it, *counts = jobj(v, "counts");
	const cJSON *levels = jarr(v, "severity_levels");
	const char *id = jstr(v, "id"), *status = jstr(v, "status");
	int total = 0, open = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "open"));
	struct buf b;

	cJSON_ArrayForEach(s, jarr(v, "sections"))
		total += cJSON_GetArraySize(jarr(s, "items"));
	buf_init(&b);
	layout_begin(&b, ctx, &head);
	html_printf(&b, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a href=\"/reviews\">Reviews"
			"</a> / <span aria-current=\"page\">%s</span></nav>\n", jstr(v, "title"));
	html_printf(&b, "<div class=\"review\" id=\"review\" data-review=\"%s\" data-status=\"%s\">\n"
			"<div class=\"page-head\">\n<h1>%s <span class=\"badge status-%s\" "
			"data-status-badge>%s</span></h1>\n<p class=\"lede\">Review of <a href=\"",
		    id, status, jstr(v, "title"), status, status);
	put_skill_href(&b, jstr(v, "skill"), "/checklist");
	html_printf(&b, "\">%s</a> · <code>%s</code> @ <code>%.*s</code>", jstr(v, "skill"),
		    jstr(cl, "path"), 12, jstr(cl, "digest"));
	if (jstr_nonempty(v, "target")) {
		const char *t = jstr(v, "target");

		if (html_url_is_safe(t, false) && (!strncmp(t, "https://", 8) || !strncmp(t, "http://", 7)))
			html_printf(&b, " · <a href=\"%s\" rel=\"noreferrer\">%s</a>", t, t);
		else
			html_printf(&b, " · %s", t);
	}
	buf_puts(&b, "</p>\n");
	if (cJSON_IsTrue(cJSON_GetObjectItem(jobj(v, "checklist_changes"), "changed")))
		html_printf(&b, "<p class=\"note\">The checklist was edited since this review started: "
				"%d item(s) added, %d retired. Verdicts on the items that stayed are kept.</p>\n",
			    cJSON_GetArraySize(jarr(jobj(v, "checklist_changes"), "added")),
			    cJSON_GetArraySize(jarr(jobj(v, "checklist_changes"), "removed")));
	buf_puts(&b, "</div>\n<div class=\"toolbar\" role=\"group\" aria-label=\"Progress and actions\">\n");
	html_printf(&b, "<p class=\"progress\"><progress data-progress=\"all\" max=\"%d\" value=\"%d\" "
			"aria-label=\"Items decided\"></progress> <span class=\"progress-text\" "
			"data-progress-text=\"all\">%d / %d</span> ", total, total - open, total - open,
		    total);
	put_review_counts(&b, counts);
	buf_puts(&b, "</p>\n<p class=\"toolbar-actions\">"
		     "<button type=\"button\" class=\"btn btn-primary\" data-action=\"copy-pr\">"
		     "Copy as PR comment</button>");
	html_printf(&b, "<button type=\"button\" class=\"btn\" data-action=\"toggle-status\">%s</button>",
		    !strcmp(status, "open") ? "Close review" : "Reopen review");
	buf_puts(&b, "<a class=\"btn btn-quiet\" href=\"?format=md\">Markdown</a></p>\n"
		     "<p class=\"status\" role=\"status\" aria-live=\"polite\"></p>\n"
		     "<p class=\"keys\">Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous item, "
		     "<kbd>p</kbd> pass, <kbd>f</kbd> fail, <kbd>n</kbd> n/a, <kbd>e</kbd> note.</p>\n"
		     "</div>\n");
	cJSON_ArrayForEach(s, jarr(v, "sections")) {
		const cJSON *sc = jobj(s, "counts");
		int n = cJSON_GetArraySize(jarr(s, "items"));
		int left = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(sc, "open"));

		html_printf(&b, "<section class=\"rsection\"><h2>%s <span class=\"progress-text\" "
				"data-section-progress>%d / %d</span></h2>\n<ul class=\"ritems\">\n",
			    jstr_nonempty(s, "title") ? jstr(s, "title") : "General", n - left, n);
		cJSON_ArrayForEach(it, jarr(s, "items"))
			put_review_item(&b, it, levels);
		buf_puts(&b, "</ul></section>\n");
	}
	if (cJSON_GetArraySize(jarr(v, "retired")) > 0) {
		buf_puts(&b, "<section class=\"rsection retired\"><h2>Retired items</h2>\n<p>The "
			     "checklist no longer has these; their last text and verdict:</p>\n<ul>\n");
		cJSON_ArrayForEach(it, jarr(v, "retired"))
			html_printf(&b, "<li><strong>%s</strong> %s — %s</li>\n",
				    jstr_nonempty(it, "ref") ? jstr(it, "ref") : jstr(it, "id"),
				    jstr(it, "text"), jstr_nonempty(it, "verdict") ? jstr(it, "verdict") : "open");
		buf_puts(&b, "</ul></section>\n");
	}
	buf_puts(&b, "</div>\n");
	return layout_end(&b, ctx, len);
}
