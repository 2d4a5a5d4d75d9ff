/* SPDX-License-Identifier: MIT */
/*
 * Tests for page: every page built from hostile JSON (markup, quotes,
 * ampersands, invalid UTF-8 in names, descriptions, paths and messages)
 * must come out escaped, with exactly one script element (app.js), no
 * event-handler or style attribute, the layout and the alternate link; the
 * checklist page must hold one labelled checkbox per item and "0 / N".
 */
#include <check.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/handlers/page.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

Suite *page_suite(void);

#define FFFD "\xef\xbf\xbd"
#define SCRIPT_TAG "<script src=\"/assets/app.js\" defer></script>"

/* Parses a JSON literal for a test; aborts the test when it is invalid. */
static cJSON *json(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	ck_assert_msg(j != NULL, "bad test JSON: %s", text);
	return j;
}

/* Number of non-overlapping occurrences of needle in hay. */
static int count_str(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	int k = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + n, needle))
		k++;
	return k;
}

/* Number of case-insensitive occurrences of needle in hay. */
static int count_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	int k = 0;

	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			k++;
	return k;
}

/*
 * Walks every tag of a document (every raw '<' starts one, since text is
 * escaped) and fails on an attribute whose name starts with "on" or is
 * "style", and on an unquoted or unterminated attribute value. Comments and
 * the doctype are skipped.
 */
static void assert_tags_clean(const char *html)
{
	const char *p = html;

	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (*p == '!') {
			const char *end = strstr(p, ">");

			ck_assert_ptr_nonnull(end);
			p = end + 1;
			continue;
		}
		if (*p == '/')
			p++;
		while (isalnum((unsigned char)*p))
			p++;
		for (;;) {
			char name[64];
			size_t n = 0;

			while (isspace((unsigned char)*p))
				p++;
			if (*p == '>' || (*p == '/' && p[1] == '>'))
				break;
			ck_assert_msg(*p != '\0', "unterminated tag");
			while (*p && !isspace((unsigned char)*p) && *p != '=' && *p != '>') {
				if (n + 1 < sizeof(name))
					name[n++] = (char)tolower((unsigned char)*p);
				p++;
			}
			name[n] = '\0';
			ck_assert_msg(strncmp(name, "on", 2) != 0, "event handler attribute %s", name);
			ck_assert_msg(strcmp(name, "style") != 0, "style attribute");
			if (*p == '=') {
				p++;
				ck_assert_msg(*p == '"', "unquoted value of %s", name);
				p = strchr(p + 1, '"');
				ck_assert_msg(p != NULL, "unterminated value of %s", name);
				p++;
			}
		}
	}
}

/* The checks every page passes: valid UTF-8, one script element (app.js),
 * no inline style, clean tags, the shared layout, len == strlen. */
static void assert_page(const char *html, size_t len)
{
	ck_assert_uint_eq(len, strlen(html));
	ck_assert(utf8_valid(html, len));
	ck_assert_int_eq(strncmp(html, "<!doctype html>\n<html lang=\"en\">", 32), 0);
	ck_assert_int_eq(count_nocase(html, "<script"), 1);
	ck_assert_int_eq(count_str(html, SCRIPT_TAG), 1);
	ck_assert_int_eq(count_nocase(html, "<style"), 0);
	ck_assert_int_eq(count_nocase(html, "javascript:"), 0);
	ck_assert_int_eq(count_str(html, "<meta charset=\"utf-8\">"), 1);
	ck_assert_int_eq(count_str(html, "<meta name=\"viewport\" content=\"width=device-width, "
					 "initial-scale=1\">"), 1);
	ck_assert_int_eq(count_str(html, "<link rel=\"stylesheet\" href=\"/assets/style.css\">"), 1);
	ck_assert_int_eq(count_str(html, "<a class=\"skip-link\" href=\"#main\">"), 1);
	ck_assert_int_eq(count_str(html, "<main id=\"main\""), 1);
	ck_assert_int_eq(count_str(html, "<header class=\"site-header\">"), 1);
	ck_assert_int_eq(count_str(html, "<nav class=\"site-nav\" aria-label=\"Main\">"), 1);
	ck_assert_int_eq(count_str(html, "<footer class=\"site-footer\">"), 1);
	ck_assert_int_eq(count_str(html, "</html>\n"), 1);
	ck_assert_int_eq(count_str(html, "<form class=\"site-search\" role=\"search\" "
					 "action=\"/search\" method=\"get\"><label for=\"site-q\" "
					 "class=\"visually-hidden\">Search skills</label><input "
					 "type=\"search\" id=\"site-q\" name=\"q\""), 1);
	ck_assert_int_eq(count_str(html, "<link rel=\"search\" type=\"application/"
					 "opensearchdescription+xml\" title=\"skilld\" "
					 "href=\"/opensearch.xml\">"), 1);
	assert_tags_clean(html);
}

/* A hostile string used for names, descriptions and paths. */
#define EVIL "<script>alert(\\\"x\\\")</script> & 'q' \\u00e9"
#define EVIL_ATTR "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; \xc3\xa9"
#define EVIL_TEXT "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q' \xc3\xa9"

START_TEST(test_index_escapes_and_counts_cards)
{
	const struct page_ctx ctx = { .base_url = "http://127.0.0.1:8080", .path = "/" };
	cJSON *list = json(
		"[{\"slug\":\"a\\\"b<c>/d\",\"name\":\"" EVIL "\",\"description\":\"" EVIL "\","
		"  \"tier\":\"\\\"><script>\",\"valid\":false,"
		"  \"counts\":{\"files\":1,\"references\":1,\"checklist_items\":1,\"evals\":0}},"
		" {\"slug\":\"pdf\",\"name\":\"pdf\",\"description\":\"PDF tools\",\"tier\":\"gold\","
		"  \"counts\":{\"files\":9,\"references\":2,\"checklist_items\":1260,\"evals\":3}},"
		" {\"slug\":\"bare\",\"name\":null,\"description\":null,\"tier\":null}]");
	size_t len;
	char *html;

	/* invalid UTF-8 in a name goes through cJSON untouched */
	cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 2), "slug"), "bare\xff");
	html = page_index(&ctx, list, &len);
	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "<li class=\"card\">"), 3);
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/skills/a%22b%3Cc%3E%2Fd\">" EVIL_ATTR "</a>"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"card-desc\" title=\"" EVIL_ATTR "\">" EVIL_ATTR
					   "</p>"));
	/* an unknown tier never reaches the class attribute */
	ck_assert_int_eq(count_str(html, "tier-none"), 2);
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge tier tier-gold\" title=\"Quality tier\">"
					   "Gold</span>"));
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge badge-warn\">Invalid</span>"));
	/* name missing: the slug stands in, invalid byte replaced */
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/skills/bare%EF%BF%BD\">bare" FFFD "</a>"));
	ck_assert_ptr_nonnull(strstr(html, "<li><strong>1,260</strong> checklist items</li>"));
	ck_assert_ptr_nonnull(strstr(html, "<li><strong>1</strong> reference</li>"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/skills/pdf/checklist\">Review checklist</a>"));
	ck_assert_ptr_nonnull(strstr(html, "3 skills · 1,261 checklist items"));
	ck_assert_ptr_nonnull(strstr(html, "<label for=\"filter\">Filter skills</label>"));
	ck_assert_ptr_nonnull(strstr(html, "<input type=\"search\" id=\"filter\""));
	ck_assert_ptr_nonnull(strstr(html, "<link rel=\"alternate\" type=\"text/markdown\" "
					   "href=\"/?format=md\">"));
	ck_assert_ptr_nonnull(strstr(html, "<title>Skills · skilld</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/\" aria-current=\"page\">Skills</a>"));
	free(html);

	/* the whole /api/v1/skills answer is taken too */
	cJSON *wrapped = cJSON_CreateObject();

	cJSON_AddItemToObject(wrapped, "data", list);
	html = page_index(&ctx, wrapped, NULL);
	ck_assert_int_eq(count_str(html, "<li class=\"card\">"), 3);
	free(html);
	cJSON_Delete(wrapped);
}
END_TEST

START_TEST(test_index_empty_and_bad_input)
{
	cJSON *num = cJSON_CreateNumber(3);
	size_t len;
	char *html = page_index(NULL, num, &len);

	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "<li class=\"card\">"), 0);
	ck_assert_ptr_nonnull(strstr(html, "0 skills · 0 checklist items"));
	/* no path, no alternate link */
	ck_assert_ptr_null(strstr(html, "rel=\"alternate\""));
	free(html);
	html = page_index(NULL, NULL, &len);
	assert_page(html, len);
	free(html);
	cJSON_Delete(num);

	/* members that are not objects are skipped, not shown as empty cards */
	cJSON *mixed = json("[1, \"x\", null, [], {\"slug\":\"ok\",\"counts\":{\"checklist_items\":-5}}]");

	html = page_index(NULL, mixed, &len);
	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "<li class=\"card\">"), 1);
	ck_assert_ptr_nonnull(strstr(html, "1 skill · 0 checklist items"));
	ck_assert_ptr_nonnull(strstr(html, "<li><strong>0</strong> checklist items</li>"));
	free(html);
	cJSON_Delete(mixed);
}
END_TEST

/* A skill detail with hostile names and paths. */
static const char *const DETAIL =
	"{\"slug\":\"s<1>\",\"name\":\"" EVIL "\",\"description\":\"d & \\\"e\\\"\",\"tier\":\"silver\","
	" \"valid\":true,"
	" \"counts\":{\"files\":5,\"references\":2,\"checklist_items\":3,\"evals\":2},"
	" \"files\":["
	"  {\"path\":\"SKILL.md\",\"kind\":\"skill\",\"size\":11219,\"stored\":true},"
	"  {\"path\":\"references/<evil>&\\\"x\\\".md\",\"kind\":\"reference\",\"size\":512,\"stored\":true},"
	"  {\"path\":\"references/sub/api.md\",\"kind\":\"reference\",\"size\":1048576,\"stored\":true},"
	"  {\"path\":\"references/review-checklist.md\",\"kind\":\"checklist\",\"size\":1,\"stored\":true},"
	"  {\"path\":\"scripts/a b?.py\",\"kind\":\"script\",\"size\":99999999999,\"stored\":false}],"
	" \"checklist\":{\"path\":\"references/review-checklist.md\",\"title\":\"T <1>\",\"sections\":2,"
	"  \"items\":3,\"digest\":\"dd\"},"
	" \"quality\":{\"tier\":\"silver\",\"checks\":["
	"  {\"tier\":\"bronze\",\"id\":\"a\",\"ok\":true,\"message\":\"name <ok>\"},"
	"  {\"tier\":\"gold\",\"id\":\"b\",\"ok\":false,\"message\":\"too short & \\\"bad\\\"\"}]},"
	" \"diagnostics\":[{\"severity\":\"warning\",\"code\":\"x\",\"message\":\"<b>m</b>\","
	"  \"path\":\"SKILL.md\",\"line\":7,\"column\":1}]}";

START_TEST(test_skill_page)
{
	const struct page_ctx ctx = { .base_url = "http://example.test:9", .path = "/skills/s<1>" };
	cJSON *detail = json(DETAIL);
	cJSON *toc = json("[{\"level\":1,\"id\":\"top\",\"text\":\"Top\"},"
			  " {\"level\":2,\"id\":\"use\",\"text\":\"Use <it>\"},"
			  " {\"level\":3,\"id\":\"q\\\"x\",\"text\":\"Deep\"},"
			  " {\"level\":4,\"id\":\"deeper\",\"text\":\"Deeper\"}]");
	size_t len;
	char *html = page_skill(&ctx, detail, "<h1 id=\"top\">Body</h1>\n<p>BODY</p>", toc, &len);

	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<title>" EVIL_TEXT " · skilld</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<link rel=\"alternate\" type=\"text/markdown\" "
					   "href=\"/skills/s%3C1%3E?format=md\">"));
	ck_assert_ptr_nonnull(strstr(html, "<article class=\"prose\">\n<h1 id=\"top\">Body</h1>\n"
					   "<p>BODY</p>\n</article>"));
	ck_assert_ptr_nonnull(strstr(html, "<aside class=\"side\""));
	/* table of contents: h2 and h3 only */
	ck_assert_ptr_nonnull(strstr(html, "<li class=\"toc-l2\"><a href=\"#use\">Use &lt;it&gt;</a></li>"));
	ck_assert_ptr_nonnull(strstr(html, "<li class=\"toc-l3\"><a href=\"#q&quot;x\">Deep</a></li>"));
	ck_assert_ptr_null(strstr(html, "href=\"#top\""));
	ck_assert_ptr_null(strstr(html, "href=\"#deeper\""));
	/* references: kind reference only, without the references/ prefix */
	ck_assert_ptr_nonnull(strstr(html, "<li><a href=\"/skills/s%3C1%3E/references/"
					   "%3Cevil%3E%26%22x%22.md\">&lt;evil&gt;&amp;\"x\".md</a></li>"));
	ck_assert_ptr_nonnull(strstr(html, "<li><a href=\"/skills/s%3C1%3E/references/sub/api.md\">"
					   "sub/api.md</a></li>"));
	ck_assert_ptr_null(strstr(html, "<li><a href=\"/skills/s%3C1%3E/references/review-checklist.md\""));
	/* files: each segment encoded, human sizes, unstored files not linked;
	 * SKILL.md is its bytes (the page is this one), other markdown its page */
	ck_assert_ptr_nonnull(strstr(html, "<a class=\"file-path\" href=\"/api/v1/skills/s%3C1%3E/files/"
					   "SKILL.md\">SKILL.md</a><span class=\"size\">11.0 KiB</span>"));
	ck_assert_ptr_nonnull(strstr(html, "<a class=\"file-path\" href=\"/skills/s%3C1%3E/references/"
					   "review-checklist.md\">references/review-checklist.md</a>"));
	ck_assert_ptr_nonnull(strstr(html, "<a class=\"file-path\" href=\"/skills/s%3C1%3E/references/"
					   "%3Cevil%3E%26%22x%22.md\">references/&lt;evil&gt;&amp;&quot;x&quot;.md</a>"));
	/* no example files: no examples page */
	ck_assert_ptr_null(strstr(html, "/examples\""));
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"size\">512 B</span>"));
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"size\">1.0 MiB</span>"));
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"file-path\">scripts/a b?.py</span> "
					   "<span class=\"muted\">(not stored)</span>"
					   "<span class=\"size\">93.1 GiB</span>"));
	ck_assert_ptr_nonnull(strstr(html, "<h2>Files <span class=\"count\">5</span></h2>"));
	/* checklist and evals */
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/skills/s%3C1%3E/checklist\">T &lt;1&gt;</a>"));
	ck_assert_ptr_nonnull(strstr(html, "3 items in 2 sections"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/skills/s%3C1%3E/evals\">2 evals</a>"));
	/* quality: tier, tally, every check with its mark */
	ck_assert_ptr_nonnull(strstr(html, "tier-silver\" title=\"Quality tier\">Silver</span> "
					   "1 of 2 checks pass"));
	ck_assert_ptr_nonnull(strstr(html, "<li class=\"ok\"><span class=\"mark\" aria-hidden=\"true\">✓"
					   "</span><span class=\"visually-hidden\">passed: </span>"
					   "<span class=\"check-tier\">bronze</span> name &lt;ok&gt;</li>"));
	ck_assert_ptr_nonnull(strstr(html, "<li class=\"fail\"><span class=\"mark\" aria-hidden=\"true\">✗"
					   "</span><span class=\"visually-hidden\">failed: </span>"
					   "<span class=\"check-tier\">gold</span> too short &amp; "
					   "&quot;bad&quot;</li>"));
	ck_assert_ptr_nonnull(strstr(html, "<details open>"));
	/* diagnostics */
	ck_assert_ptr_nonnull(strstr(html, "<li class=\"diag diag-warning\"><span class=\"sev\">warning"
					   "</span> <code>SKILL.md:7</code> &lt;b&gt;m&lt;/b&gt;</li>"));
	/* install: no discovery source given, so no `skills add` line and a
	 * reason; the archives; the fetches with the base URL and the encoded
	 * slug, the SKILL.md one saying it is SKILL.md alone */
	{
		static const char *const install_panel[] = {
			"Not in this server's discovery index",
			"<a href=\"/api/v1/skills/s%3C1%3E/archive.tar.gz\" download data-archive>.tar.gz</a>",
			"<code data-cmd=\"json\">curl -s http://example.test:9/<wbr>api/<wbr>v1/<wbr>skills/<wbr>"
			"s%3C1%3E</code>",
			"<p>Its SKILL.md alone, without the files it refers to:</p>\n<div class=\"code-block\">"
			"<pre class=\"cmd\"><code data-cmd=\"skill-md\">curl -sf http://example.test:9/<wbr>"
			"skills/<wbr>s%3C1%3E?format=md</code></pre><button type=\"button\" class=\"copy-code\"",
		};

		for (size_t i = 0; i < sizeof(install_panel) / sizeof(install_panel[0]); i++)
			ck_assert_msg(strstr(html, install_panel[i]), "missing: %s", install_panel[i]);
		ck_assert_ptr_null(strstr(html, "npx skills add"));
	}
	ck_assert_ptr_null(strstr(html, "~/.claude/skills"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"lede\">d &amp; &quot;e&quot;</p>"));
	/* a short description: no More */
	ck_assert_ptr_null(strstr(html, "desc-more"));
	/* the contents: a closed <details> before the text (a phone sees it
	 * first), not in the side panel */
	ck_assert_ptr_nonnull(strstr(html, "<div class=\"with-aside\">\n<details class=\"panel toc\" "
					   "id=\"toc\" data-wide-open>\n<summary><h2>Contents</h2></summary>\n"
					   "<nav aria-label=\"Contents\">\n<ul>\n<li class=\"toc-l2\">"));
	ck_assert_ptr_nonnull(strstr(strstr(html, "id=\"toc\""), "<article class=\"prose\">"));
	ck_assert_ptr_null(strstr(strstr(html, "<aside class=\"side\""), "toc-l2"));
	free(html);

	/* with a discovery source: the line to copy, escaped, with its Copy
	 * button, telemetry off (the CLI would send the URL to skills.sh) */
	{
		struct page_ctx ictx = ctx;

		ictx.install_url = "http://example.test:9/@a<b>&";
		html = page_skill(&ictx, detail, NULL, NULL, &len);
		assert_page(html, len);
		ck_assert_ptr_nonnull(strstr(html, "<div class=\"code-block\"><pre class=\"cmd\"><code "
						   "data-cmd=\"install\">DISABLE_TELEMETRY=1 npx skills add "
						   "http://example.test:9/<wbr>"
						   "@a&lt;b&gt;&amp;</code></pre><button type=\"button\" "
						   "class=\"copy-code\" aria-label=\"Copy code\" hidden>Copy</button>"));
		ck_assert_ptr_null(strstr(html, "Not in this server's discovery index"));
		free(html);
		/* a phone wraps it after a path's '/', never at a slug's '-' */
		ictx.install_url = "https://skills.example.test/i/t-1/@c-memory-safety";
		html = page_skill(&ictx, detail, NULL, NULL, &len);
		ck_assert_ptr_nonnull(strstr(html, "npx skills add https://skills.example.test/<wbr>i/<wbr>"
						   "<span class=\"nobr\">t-1/</span><wbr>"
						   "<span class=\"nobr\">@c-memory-safety</span></code>"));
		free(html);
	}

	/* a long description (hostile): clamped, a More/Less <details> after it */
	struct buf long_desc;

	buf_init(&long_desc);
	for (int i = 0; i < 20; i++)
		buf_puts(&long_desc, "<b>Use</b> when & \"x\". ");
	buf_putc(&long_desc, '\0');
	cJSON_ReplaceItemInObject(detail, "description", cJSON_CreateString(long_desc.data));
	html = page_skill(&ctx, detail, NULL, NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"lede desc-clamped desc-long\" id=\"description\">"
					   "&lt;b&gt;Use&lt;/b&gt; when &amp; &quot;x&quot;. "));
	ck_assert_ptr_nonnull(strstr(html, "</p>\n<details class=\"desc-more\"><summary "
					   "aria-controls=\"description\"><span class=\"when-closed\">More"
					   "<span class=\"visually-hidden\"> of the description</span></span>"
					   "<span class=\"when-open\">Less</span></summary></details>\n"));
	ck_assert_ptr_null(strstr(html, "<b>"));
	/* no contents: no box */
	ck_assert_ptr_null(strstr(html, "id=\"toc\""));
	free(html);
	buf_fini(&long_desc);
	cJSON_Delete(toc);
	cJSON_Delete(detail);
}
END_TEST

START_TEST(test_skill_page_sparse)
{
	cJSON *detail = json("{\"slug\":\"x\",\"counts\":{\"evals\":0},\"checklist\":null,"
			     "\"files\":7,\"quality\":[],\"diagnostics\":\"no\"}");
	size_t len;
	char *html = page_skill(NULL, detail, NULL, NULL, &len);

	assert_page(html, len);
	/* default base URL; no checklist, no evals */
	ck_assert_ptr_nonnull(strstr(html, "curl -s http://127.0.0.1:8080/<wbr>api/<wbr>v1/<wbr>skills/<wbr>x</code>"));
	ck_assert_ptr_null(strstr(html, "/skills/x/checklist"));
	ck_assert_ptr_null(strstr(html, "/skills/x/evals"));
	ck_assert_ptr_nonnull(strstr(html, "<h2>Diagnostics <span class=\"count\">0</span></h2>"));
	ck_assert_ptr_nonnull(strstr(html, "tier-none\" title=\"Quality tier\">No tier</span> "
					   "0 of 0 checks pass"));
	free(html);
	html = page_skill(NULL, NULL, NULL, NULL, &len);
	assert_page(html, len);
	free(html);
	cJSON_Delete(detail);
}
END_TEST

START_TEST(test_reference_page)
{
	const struct page_ctx ctx = { .base_url = NULL, .path = "/skills/s<1>/references/sub/api.md" };
	cJSON *detail = json(DETAIL);
	cJSON *toc = json("[{\"level\":2,\"id\":\"a\",\"text\":\"A & B\"}]");
	size_t len;
	char *html = page_reference(&ctx, detail, "references/sub/api.md", "<p>REF</p>", toc, &len);

	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<title>sub/api.md — " EVIL_TEXT " · skilld</title>"));
	ck_assert_ptr_nonnull(strstr(html, "href=\"/skills/s%3C1%3E/references/sub/api.md?format=md\">"));
	ck_assert_ptr_nonnull(strstr(html, "<article class=\"prose\">\n<p>REF</p>\n</article>"));
	ck_assert_ptr_nonnull(strstr(html, "<li class=\"toc-l2\"><a href=\"#a\">A &amp; B</a></li>"));
	/* the current file is marked, the other reference listed */
	ck_assert_ptr_nonnull(strstr(html, "<li><a href=\"/skills/s%3C1%3E/references/sub/api.md\" "
					   "aria-current=\"page\">sub/api.md</a></li>"));
	ck_assert_ptr_nonnull(strstr(html, "/references/%3Cevil%3E%26%22x%22.md\">"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/skills/s%3C1%3E\">← Back to " EVIL_ATTR "</a>"));
	ck_assert_ptr_nonnull(strstr(html, "<h1 class=\"file-title\">sub/api.md</h1>"));
	free(html);
	html = page_reference(NULL, NULL, NULL, NULL, NULL, &len);
	assert_page(html, len);
	free(html);
	cJSON_Delete(toc);
	cJSON_Delete(detail);
}
END_TEST

START_TEST(test_examples_page)
{
	const struct page_ctx ctx = { .base_url = NULL, .path = "/skills/s<1>/examples" };
	cJSON *detail = json("{\"slug\":\"s<1>\",\"name\":\"" EVIL "\",\"counts\":{\"examples\":4}}");
	cJSON *ex = json("{\"pairs\":[{\"before\":\"examples/before.md\",\"after\":\"examples/after.md\"},"
			 " {\"before\":\"examples/gone.md\",\"after\":\"examples/after.md\"}],"
			 " \"files\":[{\"path\":\"examples/after.md\",\"html\":\"<p>AFTER</p>\\n\"},"
			 "  {\"path\":\"examples/before.md\",\"html\":\"<p>BEFORE</p>\\n\"},"
			 "  {\"path\":\"examples/<x>.md\",\"html\":\"\"},"
			 "  {\"path\":\"examples/run me.py\",\"html\":null}]}");
	size_t len;
	char *html = page_examples(&ctx, detail, ex, &len);
	const char *before, *after;

	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<title>Examples — " EVIL_TEXT " · skilld</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<li aria-current=\"page\">Examples</li>"));
	/* the pair side by side, before first, each labelled and linked to its page */
	ck_assert_int_eq(count_str(html, "<div class=\"compare\">"), 1);
	before = strstr(html, "<div class=\"compare\">\n<article class=\"prose example example-before\">\n"
			      "<p class=\"example-label\"><span class=\"badge badge-before\">Before</span> "
			      "<a href=\"/skills/s%3C1%3E/examples/before.md\">examples/before.md</a></p>\n"
			      "<p>BEFORE</p>\n</article>\n");
	ck_assert_ptr_nonnull(before);
	after = strstr(html, "<article class=\"prose example example-after\">\n<p class=\"example-label\">"
			     "<span class=\"badge badge-after\">After</span> <a href=\"/skills/s%3C1%3E/examples/"
			     "after.md\">examples/after.md</a></p>\n<p>AFTER</p>\n</article>\n</div>\n");
	ck_assert_ptr_nonnull(after);
	ck_assert(before < after);
	/* each file once; the rest below, the empty one said so, the script linked to its bytes */
	ck_assert_int_eq(count_str(html, "<p>AFTER</p>"), 1);
	ck_assert_int_eq(count_str(html, "<p>BEFORE</p>"), 1);
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/skills/s%3C1%3E/examples/%3Cx%3E.md\">examples/&lt;x&gt;.md"
					   "</a></p>\n<p class=\"muted\">This file is empty.</p>"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"muted\">Not markdown: <a href=\"/api/v1/skills/s%3C1%3E/"
					   "files/examples/run%20me.py\">its bytes</a>.</p>"));
	ck_assert(after < strstr(html, "examples/&lt;x&gt;.md"));
	free(html);
	cJSON_Delete(ex);
	/* nothing at all */
	html = page_examples(NULL, NULL, NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "This skill has no examples."));
	free(html);
	cJSON_Delete(detail);
}
END_TEST

START_TEST(test_example_file_page_and_skill_links)
{
	const struct page_ctx ctx = { .base_url = NULL, .path = "/skills/s<1>/examples/before.md" };
	cJSON *detail = json("{\"slug\":\"s<1>\",\"name\":\"n\",\"counts\":{\"examples\":2},"
			     " \"files\":[{\"path\":\"examples/before.md\",\"kind\":\"example\",\"size\":9,"
			     "\"stored\":true}]}");
	size_t len;
	char *html = page_reference(&ctx, detail, "examples/before.md", "<p>B</p>", NULL, &len);

	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"eyebrow\">Example of <a href=\"/skills/s%3C1%3E\">n</a>"));
	ck_assert_ptr_nonnull(strstr(html, "<h1 class=\"file-title\">examples/before.md</h1>"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/skills/s%3C1%3E/examples\">All examples, side by side</a>"));
	free(html);
	/* the skill page links its examples: a button, a panel, the file's page */
	html = page_skill(NULL, detail, "<p>x</p>", NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<a class=\"btn\" href=\"/skills/s%3C1%3E/examples\">Examples "
					   "<span class=\"btn-count\">2</span></a>"));
	ck_assert_ptr_nonnull(strstr(html, "<section class=\"panel\">\n<h2>Examples</h2>\n<p><a href="
					   "\"/skills/s%3C1%3E/examples\">2 example files</a>, rendered; a "
					   "before and an after side by side</p>\n</section>\n"));
	ck_assert_ptr_nonnull(strstr(html, "<a class=\"file-path\" href=\"/skills/s%3C1%3E/examples/before.md\">"));
	ck_assert_ptr_null(strstr(html, "/evals"));
	free(html);
	/* evals too: each part its button and panel, evals first */
	cJSON_AddNumberToObject(cJSON_GetObjectItem(detail, "counts"), "evals", 1);
	html = page_skill(NULL, detail, "<p>x</p>", NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<a class=\"btn\" href=\"/skills/s%3C1%3E/evals\">Evals "
					   "<span class=\"btn-count\">1</span></a><a class=\"btn\" "
					   "href=\"/skills/s%3C1%3E/examples\">Examples "));
	ck_assert_ptr_nonnull(strstr(html, "<section class=\"panel\">\n<h2>Evals</h2>\n<p><a href="
					   "\"/skills/s%3C1%3E/evals\">1 eval</a>: prompts and what a good "
					   "answer does</p>\n</section>\n<section class=\"panel\">\n"
					   "<h2>Examples</h2>"));
	free(html);
	cJSON_Delete(detail);
}
END_TEST

/* A checklist with two sections (one with groups and red flags), five
 * items of every shape, one hostile, workflow and severity. */
static const char *const CHECKLIST =
	"{\"title\":\"Clean <Code> Checklist\",\"intro\":\"Use *this*.\","
	" \"digest\":\"abc123\",\"skill\":\"s<1>\",\"path\":\"references/review-checklist.md\","
	" \"sections\":["
	"  {\"id\":\"s1\",\"number\":2,\"title\":\"Names & <Things>\",\"chapters\":\"Chapter 2\","
	"   \"intro\":\"\",\"items\":[],"
	"   \"groups\":[{\"id\":\"s1-g1\",\"title\":\"Clarity\",\"intro\":\"\",\"extra\":\"\",\"items\":["
	"     {\"id\":\"2-n1-names\",\"shape\":\"C\",\"ref\":\"N1\",\"title\":\"Descriptive names\","
	"      \"text\":\"Does `x` *say* why?\",\"html\":\"Does <code>x</code> <em>say</em> why?\","
	"      \"markdown\":\"- [ ] **N1 — Descriptive names** — Does `x` *say* why?\"},"
	"     {\"id\":\"x\\\"><script>alert(1)</script>\",\"shape\":\"D\",\"ref\":null,"
	"      \"title\":\"<img src=x onerror=alert(1)>\",\"text\":\"a & b \\\"c\\\"\","
	"      \"markdown\":\"- [ ] **<img>** — a & b\"}]}],"
	"   \"red_flags\":\"Names like `data2` <everywhere>.\",\"extra\":\"\"},"
	"  {\"id\":\"s2\",\"number\":null,\"title\":null,\"intro\":\"Read <all>.\",\"groups\":[],"
	"   \"items\":["
	"     {\"id\":\"1-ch-2-purpose\",\"shape\":\"A\",\"ref\":\"Ch 2\",\"title\":\"Purpose\",\"text\":\"t1\"},"
	"     {\"id\":\"item-b\",\"shape\":\"B\",\"ref\":\"Item 1\",\"title\":\"Version\",\"text\":\"t2\"},"
	"     {\"id\":\"plain-e\",\"shape\":\"E\",\"ref\":null,\"title\":null,\"text\":\"Just <text>\"}],"
	"   \"red_flags\":null}],"
	" \"workflow_title\":\"Quick Review Workflow\","
	" \"workflow\":[{\"step\":1,\"title\":\"Naming pass\",\"text\":\"Read every <name>.\"},"
	"             {\"step\":2,\"title\":null,\"text\":\"Then functions.\"}],"
	" \"severity_title\":\"Severity Levels\","
	" \"severity\":[{\"level\":\"Critical\",\"description\":\"Breaks <things>\",\"examples\":\"C5\"},"
	"             {\"level\":\"Low\",\"description\":\"Nit\",\"examples\":null}],"
	" \"item_count\":5}";

START_TEST(test_checklist_page)
{
	const struct page_ctx ctx = { .base_url = NULL, .path = "/skills/s<1>/checklist" };
	cJSON *detail = json(DETAIL);
	cJSON *cl = json(CHECKLIST);
	static const char *const ids[] = {
		"2-n1-names", "x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "1-ch-2-purpose",
		"item-b", "plain-e",
	};
	size_t len;
	char *html = page_checklist(&ctx, detail, cl, &len);

	assert_page(html, len);
	/* one labelled checkbox per item, each with a link to itself */
	ck_assert_int_eq(count_str(html, "type=\"checkbox\""), 5);
	/* plus the header's search box */
	ck_assert_int_eq(count_str(html, "<label for=\""), 6);
	ck_assert_int_eq(count_str(html, "<label for=\"site-q\""), 1);
	ck_assert_int_eq(count_str(html, "<li class=\"item\">"), 5);
	/* a skip link to the section list, which comes after every item */
	ck_assert_int_eq(count_str(html, "<a class=\"skip-link\" href=\"#sections\">"), 1);
	ck_assert_int_eq(count_str(html, "<nav class=\"panel section-nav\" id=\"sections\""), 1);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char *box = xasprintf("<input type=\"checkbox\" id=\"%s\"", ids[i]);
		char *label = xasprintf("<label for=\"%s\">", ids[i]);
		/* one tab stop per item: the link to itself is not one */
		char *self = xasprintf("<a class=\"item-link\" href=\"#%s\" tabindex=\"-1\"", ids[i]);

		ck_assert_int_eq(count_str(html, box), 1);
		ck_assert_int_eq(count_str(html, label), 1);
		ck_assert_int_eq(count_str(html, self), 1);
		free(box);
		free(label);
		free(self);
	}
	/* label text: ref — title in bold, then the rendered or escaped text */
	ck_assert_ptr_nonnull(strstr(html, "<label for=\"2-n1-names\"><strong>N1 — Descriptive names"
					   "</strong> <span class=\"item-text\">Does <code>x</code> <em>say</em> "
					   "why?</span></label>"));
	ck_assert_ptr_nonnull(strstr(html, "<strong>&lt;img src=x onerror=alert(1)&gt;</strong> "
					   "<span class=\"item-text\">a &amp; b \"c\"</span>"));
	ck_assert_ptr_nonnull(strstr(html, "<strong>Ch 2 — Purpose</strong>"));
	ck_assert_ptr_nonnull(strstr(html, "<strong>Item 1 — Version</strong>"));
	ck_assert_ptr_nonnull(strstr(html, "<label for=\"plain-e\"><span class=\"item-text\">"
					   "Just &lt;text&gt;</span></label>"));
	ck_assert_ptr_nonnull(strstr(html, "data-md=\"- [ ] **N1 — Descriptive names** — Does `x` "
					   "*say* why?\""));
	/* progress: overall and per section, starting at zero */
	ck_assert_ptr_nonnull(strstr(html, "<progress data-progress=\"all\" max=\"5\" value=\"0\""));
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"progress-text\" data-progress-text=\"all\">"
					   "0 / 5</span>"));
	ck_assert_ptr_nonnull(strstr(html, "<progress data-progress=\"s1\" max=\"2\" value=\"0\""));
	ck_assert_ptr_nonnull(strstr(html, "<progress data-progress=\"s2\" max=\"3\" value=\"0\""));
	ck_assert_int_eq(count_str(html, "data-progress-text=\"s1\">0 / 2</span>"), 2);
	/* sections and groups */
	ck_assert_ptr_nonnull(strstr(html, "<section class=\"cl-section\" id=\"s1\">\n<div class=\""
					   "section-head\"><h2><span class=\"num\">2.</span> Names &amp; "
					   "&lt;Things&gt;</h2><span class=\"chapters\">Chapter 2</span>"));
	ck_assert_ptr_nonnull(strstr(html, "<section class=\"cl-section\" id=\"s2\">\n<div class=\""
					   "section-head\"><h2>General</h2>"));
	ck_assert_ptr_nonnull(strstr(html, "<h3 class=\"group-title\">Clarity</h3>"));
	ck_assert_ptr_nonnull(strstr(html, "<div class=\"md md-text\">Read &lt;all&gt;.</div>"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"red-flags-title\">Red flags</p>\n"
					   "<div class=\"md md-text\">Names like `data2` &lt;everywhere&gt;."
					   "</div>"));
	ck_assert_int_eq(count_str(html, "class=\"red-flags\""), 1);
	/* the form root, buttons, the markdown fallback */
	ck_assert_ptr_nonnull(strstr(html, "<form class=\"checklist\" id=\"checklist\" "
					   "data-slug=\"s&lt;1&gt;\" data-digest=\"abc123\""));
	ck_assert_ptr_nonnull(strstr(html, "data-action=\"copy-md\">Copy as Markdown</button>"));
	ck_assert_ptr_nonnull(strstr(html, "data-action=\"reset\">Reset</button>"));
	ck_assert_ptr_nonnull(strstr(html, "<a class=\"btn btn-quiet\" href=\"?format=md\">Markdown</a>"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"status\" role=\"status\" aria-live=\"polite\">"));
	ck_assert_ptr_nonnull(strstr(html, "<h1 id=\"cl_title\">Clean &lt;Code&gt; Checklist</h1>"));
	ck_assert_ptr_nonnull(strstr(html, "href=\"/skills/s%3C1%3E/checklist?format=md\""));
	/* workflow and severity */
	ck_assert_ptr_nonnull(strstr(html, "<h2 id=\"cl_workflow\">Quick Review Workflow</h2>\n<ol>\n"
					   "<li><strong>Naming pass</strong> Read every &lt;name&gt;.</li>\n"
					   "<li>Then functions.</li>\n</ol>"));
	ck_assert_ptr_nonnull(strstr(html, "<tr><th scope=\"row\">Critical</th><td>Breaks &lt;things&gt;"
					   "<span class=\"examples\">C5</span></td></tr>"));
	ck_assert_ptr_nonnull(strstr(html, "<tr><th scope=\"row\">Low</th><td>Nit</td></tr>"));
	/* the section index in the side panel */
	ck_assert_ptr_nonnull(strstr(html, "<li><a href=\"#s1\">Names &amp; &lt;Things&gt;</a>"));
	free(html);
	cJSON_Delete(cl);
	cJSON_Delete(detail);
}
END_TEST

START_TEST(test_checklist_page_missing_ids_and_digest_fallback)
{
	cJSON *detail = json("{\"slug\":\"k\",\"checklist\":{\"digest\":\"fromdetail\"}}");
	cJSON *cl = json("{\"sections\":[{\"items\":[{\"text\":\"a\"},{\"id\":\"\",\"text\":\"b\"},"
			 "{\"id\":7,\"text\":\"c\"}]},{\"title\":\"Empty\",\"items\":[],\"groups\":[]}]}");
	size_t len;
	char *html = page_checklist(NULL, detail, cl, &len);

	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "type=\"checkbox\""), 3);
	ck_assert_ptr_nonnull(strstr(html, "id=\"item-1\""));
	ck_assert_ptr_nonnull(strstr(html, "<label for=\"item-3\">"));
	ck_assert_ptr_nonnull(strstr(html, "<section class=\"cl-section\" id=\"section-1\">"));
	ck_assert_ptr_nonnull(strstr(html, "data-digest=\"fromdetail\""));
	ck_assert_ptr_nonnull(strstr(html, "data-progress-text=\"all\">0 / 3</span>"));
	/* a section without items has no progress bar */
	ck_assert_ptr_null(strstr(html, "data-progress=\"section-2\""));
	free(html);
	html = page_checklist(NULL, NULL, NULL, &len);
	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "type=\"checkbox\""), 0);
	ck_assert_ptr_nonnull(strstr(html, "data-progress-text=\"all\">0 / 0</span>"));
	free(html);
	cJSON_Delete(cl);
	/* sections, groups and items that are not objects are skipped */
	cl = json("{\"sections\":[3, {\"id\":\"s1\",\"items\":[1, {\"id\":\"a\",\"text\":\"t\"}],"
		  "\"groups\":[\"g\", {\"items\":[null, {\"id\":\"b\",\"text\":\"u\"}]}]}]}");
	html = page_checklist(NULL, detail, cl, &len);
	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "type=\"checkbox\""), 2);
	ck_assert_int_eq(count_str(html, "<section class=\"cl-section\""), 1);
	ck_assert_ptr_nonnull(strstr(html, "data-progress-text=\"all\">0 / 2</span>"));
	ck_assert_ptr_nonnull(strstr(html, "data-progress-text=\"s1\">0 / 2</span>"));
	free(html);
	cJSON_Delete(cl);
	cJSON_Delete(detail);
}
END_TEST

START_TEST(test_evals_page)
{
	const struct page_ctx ctx = { .base_url = NULL, .path = "/skills/s<1>/evals" };
	cJSON *detail = json(DETAIL);
	cJSON *evals = json(
		"{\"shape\":\"expectations\",\"evals\":["
		" {\"id\":\"e<1>\",\"prompt\":\"Review:\\n<script>x</script>\\n\\\"&\\\"\","
		"  \"expectations\":[\"Flags <b>\",\"Mentions 'x'\"],\"expected_output\":null,\"files\":[]},"
		" {\"id\":\"2\",\"prompt\":\"p\",\"expectations\":[],\"expected_output\":\"out <o>\","
		"  \"files\":[\"evals/files/a b.txt\"]}]}");
	size_t len;
	char *html = page_evals(&ctx, detail, evals, &len);

	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "<li class=\"eval\""), 2);
	ck_assert_ptr_nonnull(strstr(html, "<li class=\"eval\" id=\"eval-1\"><article>\n<h2><a href=\""
					   "#eval-1\">e&lt;1&gt;</a></h2>\n<h3>Prompt</h3>\n<pre class=\"prompt\" tabindex=\"0\">"
					   "Review:\n&lt;script&gt;x&lt;/script&gt;\n&quot;&amp;&quot;</pre>"));
	ck_assert_ptr_nonnull(strstr(html, "<ul class=\"expectations\">\n<li>Flags &lt;b&gt;</li>\n"
					   "<li>Mentions &#39;x&#39;</li>\n</ul>"));
	ck_assert_ptr_nonnull(strstr(html, "<h3>Expectations <span class=\"count\">2</span></h3>"));
	ck_assert_ptr_nonnull(strstr(html, "<h3>Expected output</h3>\n<pre class=\"prompt\" tabindex=\"0\">out &lt;o&gt;"
					   "</pre>"));
	ck_assert_ptr_nonnull(strstr(html, "<li><code>evals/files/a b.txt</code></li>"));
	ck_assert_ptr_nonnull(strstr(html, "2 evals: each prompt"));
	free(html);
	html = page_evals(NULL, NULL, NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "This skill has no evals."));
	free(html);
	cJSON_Delete(evals);
	evals = json("[7, {\"id\":\"only\",\"prompt\":\"p\",\"expectations\":[\"a\", 5]}]");
	html = page_evals(NULL, detail, evals, &len);
	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "<li class=\"eval\""), 1);
	ck_assert_ptr_nonnull(strstr(html, "1 eval: each prompt"));
	ck_assert_ptr_nonnull(strstr(html, "<ul class=\"expectations\">\n<li>a</li>\n</ul>"));
	free(html);
	cJSON_Delete(evals);
	cJSON_Delete(detail);
}
END_TEST

START_TEST(test_checklists_page)
{
	const struct page_ctx ctx = { .base_url = NULL, .path = "/checklists" };
	cJSON *list = json(
		"{\"data\":["
		" {\"skill\":\"a<b\",\"name\":\"A & B\",\"path\":\"references/review-checklist.md\","
		"  \"title\":\"T \\\"1\\\"\",\"items\":1200,\"primary\":true},"
		" {\"skill\":\"a<b\",\"name\":\"A & B\",\"path\":\"more/review-checklist.md\","
		"  \"title\":null,\"items\":61,\"primary\":false}],"
		" \"total_items\":1261}");
	size_t len;
	char *html = page_checklists(&ctx, list, &len);

	assert_page(html, len);
	ck_assert_int_eq(count_str(html, "<tr><td>"), 2);
	ck_assert_ptr_nonnull(strstr(html, "<tr><td><a href=\"/skills/a%3Cb/checklist\">T &quot;1&quot;"
					   "</a></td><td><a href=\"/skills/a%3Cb\">A &amp; B</a></td>"
					   "<td class=\"num\">1,200</td></tr>"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/api/v1/skills/a%3Cb/files/more/review-checklist.md\">"
					   "more/review-checklist.md</a>"));
	ck_assert_ptr_nonnull(strstr(html, "<td class=\"num\">1,261</td></tr></tfoot>"));
	ck_assert_ptr_nonnull(strstr(html, "2 checklists · 1,261 items in all"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/checklists\" aria-current=\"page\">"));
	free(html);
	html = page_checklists(NULL, NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "No skill has a review checklist."));
	free(html);
	cJSON_Delete(list);
}
END_TEST

START_TEST(test_error_page)
{
	const struct page_ctx ctx = { .base_url = NULL, .path = "/skills/<x>" };
	size_t len;
	char *html = page_error(&ctx, 404, NULL, "no skill has the slug '<x>' & \xff", &len);

	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<title>404 Not found · skilld</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"error-status\">404</p>\n<h1>Not found</h1>"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"error-message\">no skill has the slug "
					   "&#39;&lt;x&gt;&#39; &amp; " FFFD "</p>"));
	ck_assert_ptr_nonnull(strstr(html, "href=\"/skills/%3Cx%3E?format=md\""));
	free(html);
	html = page_error(NULL, 400, NULL, NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<h1>Bad request</h1>"));
	ck_assert_ptr_null(strstr(html, "error-message"));
	free(html);
	html = page_error(NULL, 405, "Method <not> allowed", "Use GET.", &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<title>405 Method &lt;not&gt; allowed · skilld</title>"));
	free(html);
	html = page_error(NULL, 418, NULL, NULL, &len);
	ck_assert_ptr_nonnull(strstr(html, "<h1>Error</h1>"));
	free(html);
}
END_TEST

/* Search results with markers, hostile text and three skills' hits. */
#define SEARCH_JSON \
	"{\"query\": \"x\", \"total\": 57, \"next_cursor\": \"c+1/=\", \"data\": [" \
	"{\"kind\": \"checklist\", \"skill\": \"beta\", \"path\": \"references/c.md\", " \
	" \"title\": \"T<1>\", \"url\": \"/skills/beta/checklist#t-1\", " \
	" \"snippet\": \"a <b>&\\ue000x<y\\ue001 tail\\ue001\\ue000open\"}," \
	"{\"kind\": \"skill\", \"skill\": \"alpha\", \"path\": \"SKILL.md\", \"title\": null, " \
	" \"url\": \"javascript:alert(1)\", \"snippet\": \"plain\"}," \
	"{\"kind\": \"eval\", \"skill\": \"beta\", \"title\": \"e-2\", \"url\": \"/skills/beta/evals#e-2\"}," \
	"{\"kind\": \"<bad>\", \"skill\": \"gamma\", \"title\": \"G\", \"url\": \"//evil.example/\"}," \
	"7, null]}"

START_TEST(test_search_page_results)
{
	const struct page_ctx ctx = { .base_url = NULL, .path = "/search" };
	cJSON *results = json(SEARCH_JSON);
	size_t len;
	char *html = page_search(&ctx, "a\"b <c>&d", "eval", results, NULL, &len);
	const char *beta, *beta_eval, *alpha, *gamma;

	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<title>Search: a\"b &lt;c&gt;&amp;d · skilld</title>"));
	ck_assert_ptr_nonnull(strstr(html, "name=\"q\" value=\"a&quot;b &lt;c&gt;&amp;d\""));
	ck_assert_ptr_nonnull(strstr(html, "<input type=\"hidden\" name=\"kind\" value=\"eval\">"));
	/* the snippet: escaped text, one <mark> per pair, strays dropped */
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"snippet\">a &lt;b&gt;&amp;<mark>x&lt;y</mark> "
					   "tail<mark>open</mark></p>"));
	ck_assert_ptr_null(strstr(html, "\xee\x80\x80"));
	ck_assert_ptr_null(strstr(html, "\xee\x80\x81"));
	ck_assert_int_eq(count_str(html, "<mark>"), 2);
	/* grouped by skill in order of first hit: beta (2 hits), alpha, gamma */
	ck_assert_int_eq(count_str(html, "<section class=\"hit-group\">"), 3);
	ck_assert_int_eq(count_str(html, "<li class=\"hit\">"), 4);
	beta = strstr(html, "<h2 class=\"hit-skill\"><a href=\"/skills/beta\">beta</a></h2>");
	beta_eval = strstr(html, "<span class=\"badge kind kind-eval\">Eval</span> <a class=\"hit-title\" "
				 "href=\"/skills/beta/evals#e-2\">e-2</a>");
	alpha = strstr(html, "<h2 class=\"hit-skill\"><a href=\"/skills/alpha\">alpha</a></h2>");
	gamma = strstr(html, "<h2 class=\"hit-skill\"><a href=\"/skills/gamma\">gamma</a></h2>");
	ck_assert_ptr_nonnull(beta);
	ck_assert_ptr_nonnull(beta_eval);
	ck_assert_ptr_nonnull(alpha);
	ck_assert_ptr_nonnull(gamma);
	ck_assert(beta < beta_eval && beta_eval < alpha && alpha < gamma);
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge kind kind-checklist\">Checklist item</span> "
					   "<a class=\"hit-title\" href=\"/skills/beta/checklist#t-1\">T&lt;1&gt;</a>"));
	/* unsafe URLs fall back to the skill; an unknown kind has no badge */
	ck_assert_ptr_nonnull(strstr(html, "<div class=\"hit-head\"><span class=\"badge kind kind-skill\">"
					   "Skill</span> <a class=\"hit-title\" href=\"/skills/alpha\">SKILL.md</a>"));
	ck_assert_ptr_nonnull(strstr(html, "<div class=\"hit-head\"><a class=\"hit-title\" "
					   "href=\"/skills/gamma\">G</a>"));
	ck_assert_ptr_null(strstr(html, "evil.example"));
	/* total, kind filters keeping q, next page with the cursor */
	ck_assert_ptr_nonnull(strstr(html, "57 results for <q>a&quot;b &lt;c&gt;&amp;d</q> in Evals"));
	ck_assert_ptr_nonnull(strstr(html, "<li><a href=\"/search?q=a%22b%20%3Cc%3E%26d\">All</a></li>"));
	ck_assert_ptr_nonnull(strstr(html, "<li><a href=\"/search?q=a%22b%20%3Cc%3E%26d&amp;kind=eval\" "
					   "aria-current=\"page\">Evals</a></li>"));
	ck_assert_ptr_nonnull(strstr(html, "<li><a href=\"/search?q=a%22b%20%3Cc%3E%26d&amp;kind=checklist\">"
					   "Checklist items</a></li>"));
	ck_assert_int_eq(count_str(html, "aria-current=\"page\""), 1);
	ck_assert_ptr_nonnull(strstr(html, "rel=\"next\" href=\"/search?q=a%22b%20%3Cc%3E%26d&amp;kind=eval"
					   "&amp;cursor=c%2B1%2F%3D\">Next page</a>"));
	free(html);
	cJSON_Delete(results);
}
END_TEST

START_TEST(test_search_page_empty_error_and_none)
{
	cJSON *none = json("{\"total\": 0, \"data\": [], \"next_cursor\": null}");
	size_t len;
	char *html = page_search(NULL, "", NULL, NULL, NULL, &len);

	/* no query: the form alone */
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<title>Search · skilld</title>"));
	ck_assert_ptr_nonnull(strstr(html, "id=\"search-q\" name=\"q\" value=\"\""));
	ck_assert_ptr_null(strstr(html, "kind-filter"));
	ck_assert_ptr_null(strstr(html, "search-total"));
	ck_assert_ptr_null(strstr(html, "search-error"));
	ck_assert_ptr_null(strstr(html, "name=\"kind\""));
	free(html);
	/* a refused query: the message escaped, the form still there */
	html = page_search(NULL, "\"x", "<k>", NULL, "kind must be <skill> & \xff", &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "<div class=\"search-error\" role=\"alert\">\n<p><strong>This "
					   "search cannot run.</strong> kind must be &lt;skill&gt; &amp; " FFFD
					   "</p>"));
	ck_assert_ptr_nonnull(strstr(html, "value=\"&quot;x\""));
	ck_assert_ptr_null(strstr(html, "name=\"kind\""));
	ck_assert_ptr_null(strstr(html, "search-total"));
	free(html);
	/* nothing found; results of the wrong type are no results */
	html = page_search(NULL, "zzz", "skill", none, NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "0 results for <q>zzz</q> in Skills</p>"));
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"empty\">Nothing matches."));
	ck_assert_ptr_null(strstr(html, "hit-group"));
	ck_assert_ptr_null(strstr(html, "Next page"));
	free(html);
	cJSON_Delete(none);
	none = json("[1, \"x\"]");
	html = page_search(NULL, "q", NULL, none, NULL, &len);
	assert_page(html, len);
	ck_assert_ptr_nonnull(strstr(html, "0 results for <q>q</q></p>"));
	free(html);
	cJSON_Delete(none);
}
END_TEST

START_TEST(test_opensearch)
{
	const struct page_ctx ctx = { .base_url = "http://skills.example:8080", .path = NULL };
	size_t len;
	char *xml = page_opensearch(&ctx, &len);

	ck_assert_uint_eq(len, strlen(xml));
	ck_assert_int_eq(strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OpenSearchDescription "
				      "xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n", 101), 0);
	ck_assert_ptr_nonnull(strstr(xml, "<ShortName>skilld</ShortName>"));
	ck_assert_ptr_nonnull(strstr(xml, "<Url type=\"text/html\" method=\"get\" "
					  "template=\"http://skills.example:8080/search?q={searchTerms}\"/>"));
	free(xml);
	xml = page_opensearch(NULL, &len);
	ck_assert_ptr_nonnull(strstr(xml, "template=\"http://127.0.0.1:8080/search?q={searchTerms}\""));
	free(xml);
}
END_TEST

Suite *page_suite(void)
{
	Suite *s = suite_create("page");
	TCase *tc = tcase_create("page");

	tcase_add_test(tc, test_index_escapes_and_counts_cards);
	tcase_add_test(tc, test_index_empty_and_bad_input);
	tcase_add_test(tc, test_skill_page);
	tcase_add_test(tc, test_skill_page_sparse);
	tcase_add_test(tc, test_reference_page);
	tcase_add_test(tc, test_examples_page);
	tcase_add_test(tc, test_example_file_page_and_skill_links);
	tcase_add_test(tc, test_checklist_page);
	tcase_add_test(tc, test_checklist_page_missing_ids_and_digest_fallback);
	tcase_add_test(tc, test_evals_page);
	tcase_add_test(tc, test_checklists_page);
	tcase_add_test(tc, test_error_page);
	tcase_add_test(tc, test_search_page_results);
	tcase_add_test(tc, test_search_page_empty_error_and_none);
	tcase_add_test(tc, test_opensearch);
	suite_add_tcase(s, tc);
	return s;
}
