/* SPDX-License-Identifier: MIT */
/*
 * Tests for web: every page URL in each negotiated format (status, type,
 * exact markdown bytes), security headers, HTML error pages, assets, and a
 * hostile skill whose markdown holds script and javascript: links.
 */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/transport/http.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *web_suite(void);

static struct ta_app ta;

static void setup(void)
{
	ta_prepare(&ta);
	tu_write_str(ta.root, "evil/SKILL.md",
		     "---\nname: evil\ndescription: \"<script>alert(1)</script> & \\\"quotes\\\"\"\n---\n"
		     "# Evil <script>alert(2)</script>\n\n<img src=x onerror=alert(3)>\n\n"
		     "[click](javascript:alert(4)) [ok](references/notes.md)\n\n"
		     "| a | b |\n|---|---|\n| 1 | 2 |\n");
	tu_write_str(ta.root, "evil/references/notes.md", "# Notes\n\n<iframe src=//x></iframe>\n");
	tu_write_str(ta.root, "evil/references/keys.md",
		     "# Keys\n\n- Use **idempotency keys** at `<edge>` & *retry* [safely](x.md).\n");
	ta_open(&ta, (const char *const[]){ "--allowed-host", "skills.example", NULL });
}

/* setup, plus examples for evil that try script through an alert, a code
 * block's language and code, and a mention that climbs out of the skill. */
static void setup_examples(void)
{
	ta_prepare(&ta);
	tu_write_str(ta.root, "evil/SKILL.md", "---\nname: evil\ndescription: E.\n---\n# Evil\n");
	tu_write_str(ta.root, "evil/examples/before.md",
		     "# Before\n\n> [!WARNING]\n> <script>alert(1)</script> [x](javascript:alert(2))\n"
		     "> <img src=x onerror=alert(3)> <iframe src=//x></iframe>\n\n"
		     "```\"><script>\nvar s = \"</code></pre><script>\";\n```\n\n"
		     "```js\nlet t = \"</pre><script>\";\n```\n\n"
		     "See `after.md`, not `../../../../etc/passwd` nor [up](../../../x.md).\n");
	tu_write_str(ta.root, "evil/examples/after.md", "# After\n\nFine.\n");
	ta_open(&ta, (const char *const[]){ "--allowed-host", "skills.example", NULL });
}

static void teardown(void)
{
	ta_close(&ta);
}

static int get(const char *path, const char *accept, const char *ua, struct response *res)
{
	struct ta_headers h = { .accept = accept, .user_agent = ua, .host = "skills.example:8080" };

	return ta_get(&ta.app, path, &h, res);
}

static const char *header(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (strcasecmp(res->headers[i].key, name) == 0)
			return res->headers[i].value;
	return NULL;
}

#define BROWSER "Mozilla/5.0 Chrome/120"
#define HTML_ACCEPT "text/html,application/xhtml+xml,*/*;q=0.8"

START_TEST(test_pages_in_html)
{
	static const char *const pages[] = {
		"/", "/checklists", "/skills/alpha", "/skills/alpha/checklist", "/skills/alpha/evals",
		"/skills/alpha/references/guide.md", "/skills/evil",
	};
	struct response res;

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		ck_assert_msg(get(pages[i], HTML_ACCEPT, BROWSER, &res) == 200, "%s: %d", pages[i], res.status);
		ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
		/* the pipeline adds Accept-Encoding (text may go out gzip) */
		ck_assert_str_eq(header(&res, "Vary"), "Accept, User-Agent, Accept-Encoding");
		ck_assert(strstr(header(&res, "Content-Security-Policy"), "default-src 'self'") != NULL);
		ck_assert(strstr(header(&res, "Content-Security-Policy"), "frame-ancestors 'none'") != NULL);
		ck_assert_str_eq(header(&res, "Referrer-Policy"), "no-referrer");
		ck_assert_msg(strstr(res.body, "<link rel=\"alternate\" type=\"text/markdown\"") != NULL,
			      "%s has no markdown alternate", pages[i]);
		response_fini(&res);
	}
}
END_TEST

/* A skill page's install panel: the `skills add` line of the skill's own
 * discovery scope at the Host the page was asked at, for a skill the
 * discovery index lists; none, and why, for one it leaves out. */
START_TEST(test_skill_install_panel)
{
	struct response res;
	const char *at;

	response_init(&res);
	ck_assert_int_eq(get("/skills/alpha", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_nonnull(res.body);
	at = strstr(res.body, "<section class=\"panel use-it\" id=\"install\">");
	ck_assert_ptr_nonnull(at);
	ck_assert_ptr_nonnull(strstr(at, "<code data-cmd=\"install\">DISABLE_TELEMETRY=1 npx skills "
					 "add http://skills.example:8080/<wbr>@alpha</code>"));
	ck_assert_ptr_nonnull(strstr(res.body, "<a class=\"btn\" href=\"#install\">Install</a>"));
	ck_assert_ptr_nonnull(strstr(at, "href=\"/api/v1/skills/alpha/archive.tar.gz\""));
	/* when it changed, in UTC, for app.js to say how long ago */
	at = strstr(res.body, "<p class=\"updated muted small\">Updated <time datetime=\"");
	ck_assert_ptr_nonnull(at);
	ck_assert_ptr_nonnull(strstr(at, "Z\" data-relative>"));
	ck_assert_ptr_nonnull(strstr(strstr(res.body, "<ul class=\"files\">"), " · <time datetime=\""));
	response_fini(&res);
	/* the scope the line names lists alpha, alone */
	response_init(&res);
	ck_assert_int_eq(get("/@alpha/.well-known/agent-skills/index.json", NULL, NULL, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "\"name\":\"alpha\""));
	response_fini(&res);

	response_init(&res);
	ck_assert_int_eq(get("/skills/bad-yaml", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_null(strstr(res.body, "npx skills add"));
	ck_assert_ptr_nonnull(strstr(res.body, "Not in this server's discovery index"));
	response_fini(&res);
}
END_TEST

START_TEST(test_markdown_and_json_forms)
{
	struct response res;
	char *raw = xasprintf("%s/alpha/SKILL.md", ta.root);
	size_t len;
	char *want = tu_read(raw, &len);
	cJSON *j;

	/* curl asking for anything gets the SKILL.md bytes as text/plain */
	ck_assert_int_eq(get("/skills/alpha", "*/*", "curl/8.0", &res), 200);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	ck_assert_uint_eq(res.body_len, len);
	ck_assert_int_eq(memcmp(res.body, want, len), 0);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha", "text/markdown", "agent", &res), 200);
	ck_assert_str_eq(res.content_type, "text/markdown; charset=utf-8");
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha?format=md", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "text/markdown; charset=utf-8");
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha?format=pdf", HTML_ACCEPT, BROWSER, &res), 400);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	response_fini(&res);

	/* JSON is the API's JSON */
	ck_assert_int_eq(get("/skills/alpha", "application/json", BROWSER, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "slug")->valuestring, "alpha");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "tier")->valuestring, "platinum");
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/checklist", "application/json", BROWSER, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "item_count")), 3);
	cJSON_Delete(j);
	response_fini(&res);

	/* the checklist's markdown is the file itself */
	ck_assert_int_eq(get("/skills/alpha/checklist?format=md", NULL, NULL, &res), 200);
	ck_assert(strncmp(res.body, "# Widget — Code Review Checklist\n", 34) == 0);
	response_fini(&res);
	/* the index in markdown lists every skill with absolute links */
	ck_assert_int_eq(get("/", "text/markdown", "agent", &res), 200);
	ck_assert(strstr(res.body, "- [alpha](http://skills.example:8080/skills/alpha): ") != NULL);
	response_fini(&res);
	free(want);
	free(raw);
}
END_TEST

START_TEST(test_checklist_page_items)
{
	struct response res;
	int boxes = 0;

	ck_assert_int_eq(get("/skills/alpha/checklist", HTML_ACCEPT, BROWSER, &res), 200);
	for (const char *p = res.body; (p = strstr(p, "type=\"checkbox\"")) != NULL; p++)
		boxes++;
	ck_assert_int_eq(boxes, 3);
	ck_assert(strstr(res.body, "0 / 3") != NULL);
	ck_assert(strstr(res.body, "<strong>W1 — Bounds checked</strong>") != NULL);
	response_fini(&res);
}
END_TEST

START_TEST(test_hostile_markdown_is_inert)
{
	struct response res;
	const char *forbidden[] = { "<script>", "onerror=", "javascript:", "<iframe" };

	ck_assert_int_eq(get("/skills/evil", HTML_ACCEPT, BROWSER, &res), 200);
	for (size_t i = 0; i < 4; i++)
		ck_assert_msg(strcasestr(res.body, forbidden[i]) == NULL, "%s in the page", forbidden[i]);
	ck_assert(strstr(res.body, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
	ck_assert(strstr(res.body, "<table>") != NULL);
	ck_assert(strstr(res.body, "href=\"/skills/evil/references/notes.md\"") != NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/evil/references/notes.md", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert(strcasestr(res.body, "<iframe") == NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert(strcasestr(res.body, "<script>alert") == NULL);
	response_fini(&res);
}
END_TEST

START_TEST(test_errors_and_assets)
{
	struct response res;

	ck_assert_int_eq(get("/skills/nope", HTML_ACCEPT, BROWSER, &res), 404);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert(strstr(res.body, "no skill has the slug") != NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/nope", "*/*", "curl/8", &res), 404);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	response_fini(&res);
	ck_assert_int_eq(get("/skills/nope", "application/json", BROWSER, &res), 404);
	ck_assert_str_eq(res.content_type, CT_JSON);
	response_fini(&res);
	/* the API stays JSON whatever the client asks */
	ck_assert_int_eq(get("/api/v1/skills/nope", HTML_ACCEPT, BROWSER, &res), 404);
	ck_assert_str_eq(res.content_type, CT_JSON);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/%2e%2e/x", HTML_ACCEPT, BROWSER, &res), 400);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	response_fini(&res);

	ck_assert_int_eq(get("/assets/style.css", "text/css", BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "text/css; charset=utf-8");
	ck_assert_int_eq(res.etag[0], '"');
	response_fini(&res);
	ck_assert_int_eq(get("/assets/app.js", "*/*", BROWSER, &res), 200);
	ck_assert(strncmp(res.content_type, "text/javascript", 15) == 0 ||
		  strncmp(res.content_type, "application/javascript", 22) == 0);
	response_fini(&res);
	ck_assert_int_eq(get("/assets/nope.css", "text/css", BROWSER, &res), 404);
	response_fini(&res);

	/* a skill's markdown below its page URL: text/markdown only when asked */
	ck_assert_int_eq(get("/skills/alpha/SKILL.md", "*/*", "curl/8", &res), 200);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	ck_assert_str_eq(header(&res, "Vary"), "Accept, Accept-Encoding");
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/SKILL.md", "text/markdown, */*;q=0.1", "agent", &res), 200);
	ck_assert_str_eq(res.content_type, "text/markdown; charset=utf-8");
	response_fini(&res);

	/* other files of a skill under its page URL are its bytes */
	ck_assert_int_eq(get("/skills/alpha/scripts/run.sh", "*/*", "curl/8", &res), 200);
	ck_assert_str_eq(res.body, "#!/bin/sh\necho ok\n");
	response_fini(&res);
}
END_TEST

START_TEST(test_examples_and_file_pages)
{
	struct response res;
	cJSON *j;

	/* the examples page: the pair side by side, rendered */
	ck_assert_int_eq(get("/skills/alpha/examples", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert(strstr(header(&res, "Content-Security-Policy"), "default-src 'self'") != NULL);
	ck_assert(strstr(res.body, "<div class=\"compare\">\n<article class=\"prose example example-before\">") != NULL);
	ck_assert(strstr(res.body, "<a href=\"/skills/alpha/examples/after.md\">examples/after.md</a>") != NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/examples", "application/json", BROWSER, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "skill")), "alpha");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "files")), 2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "pairs")), 1);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
				 cJSON_GetObjectItem(j, "pairs"), 0), "before")), "examples/before.md");
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/examples", "text/markdown", "agent", &res), 200);
	ck_assert(strncmp(res.body, "# Examples of alpha\n\n## examples/after.md\n\n", 43) == 0);
	response_fini(&res);
	/* a skill without examples */
	ck_assert_int_eq(get("/skills/evil/examples", HTML_ACCEPT, BROWSER, &res), 404);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	response_fini(&res);

	/* a markdown file below the skill's URL: its page for a browser... */
	ck_assert_int_eq(get("/skills/alpha/examples/before.md", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert(strstr(res.body, "<p class=\"eyebrow\">Example of <a href=\"/skills/alpha\">") != NULL);
	ck_assert(strstr(header(&res, "Content-Security-Policy"), "default-src 'self'") != NULL);
	response_fini(&res);
	/* ...its bytes for curl, an agent, ?format=md; its JSON when asked */
	ck_assert_int_eq(get("/skills/alpha/examples/before.md", "*/*", "curl/8", &res), 200);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	ck_assert(strncmp(res.body, "Example", 7) == 0);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/examples/before.md?format=md", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert(strncmp(res.body, "Example", 7) == 0);
	response_fini(&res);
	/* SKILL.md, scripts and missing files stay what they were */
	ck_assert_int_eq(get("/skills/alpha/SKILL.md", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/skill.md", HTML_ACCEPT, BROWSER, &res), 404);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/scripts/run.sh", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_str_eq(res.body, "#!/bin/sh\necho ok\n");
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/nope.md", HTML_ACCEPT, BROWSER, &res), 404);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	response_fini(&res);
	ck_assert_int_eq(get("/skills/nope/x.md", HTML_ACCEPT, BROWSER, &res), 404);
	response_fini(&res);
	/* no way out of the skill */
	ck_assert_int_eq(get("/skills/alpha/%2e%2e/%2e%2e/etc/passwd.md", HTML_ACCEPT, BROWSER, &res), 400);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/..%2f..%2fSKILL.md", HTML_ACCEPT, BROWSER, &res), 400);
	response_fini(&res);
}
END_TEST

START_TEST(test_hostile_examples_alerts_and_code)
{
	struct response res;
	const char *forbidden[] = { "<script", "onerror=", "javascript:", "<iframe", "<img" };

	ck_assert_int_eq(get("/skills/evil/examples/before.md", HTML_ACCEPT, BROWSER, &res), 200);
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		ck_assert_msg(strcasestr(res.body, forbidden[i]) == NULL || strcmp(forbidden[i], "<script") == 0,
			      "%s in the page", forbidden[i]);
	/* app.js is the page's one script */
	ck_assert_ptr_null(strcasestr(strcasestr(res.body, "<script") + 1, "<script"));
	ck_assert(strstr(res.body, "<div class=\"markdown-alert markdown-alert-warning\">") != NULL);
	ck_assert(strstr(res.body, "<code class=\"language-&quot;&gt;&lt;script&gt;\">") != NULL);
	ck_assert(strstr(res.body, "var s = \"&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;\";") != NULL);
	ck_assert(strstr(res.body, "<span class=\"hl-s\">\"&lt;/pre&gt;&lt;script&gt;\"</span>") != NULL);
	/* the mention of the other example links to its page, the escape goes nowhere */
	ck_assert(strstr(res.body, "<a href=\"/skills/evil/examples/after.md\"><code>after.md</code></a>") != NULL);
	ck_assert(strstr(res.body, "<code>../../../../etc/passwd</code>") != NULL);
	ck_assert(strstr(res.body, "href=\"/skills/evil/../") == NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/evil/examples", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert(strcasestr(strcasestr(res.body, "<script") + 1, "<script") == NULL);
	ck_assert(strstr(res.body, "<div class=\"compare\">") != NULL);
	response_fini(&res);
}
END_TEST

START_TEST(test_search_in_each_format)
{
	struct response res;
	cJSON *j;

	ck_assert_int_eq(get("/search?q=widget", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert(strstr(header(&res, "Content-Security-Policy"), "default-src 'self'") != NULL);
	ck_assert(strstr(res.body, "1 result for <q>widget</q></p>") != NULL);
	ck_assert(strstr(res.body, "<h2 class=\"hit-skill\"><a href=\"/skills/alpha\">alpha</a></h2>") != NULL);
	ck_assert(strstr(res.body, "<mark>widget</mark>") != NULL);
	/* a results page has no markdown alternate: path?format=md would drop q */
	ck_assert(strstr(res.body, "<link rel=\"alternate\" type=\"text/markdown\"") == NULL);
	ck_assert(strstr(res.body, "none has every word") == NULL);
	response_fini(&res);
	/* no row holds both words: the page says the results have some */
	ck_assert_int_eq(get("/search?q=widget+zebras", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert(strstr(res.body, "for <q>widget zebras</q> (none has every word: these have the "
			 "most of them)</p>") != NULL);
	response_fini(&res);

	/* JSON is the API's answer */
	ck_assert_int_eq(get("/search?q=widget", "application/json", BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, CT_JSON);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "query")->valuestring, "widget");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "total")->valueint, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0), "url")
			 ->valuestring, "/skills/alpha");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "next_cursor")));
	cJSON_Delete(j);
	response_fini(&res);

	/* markdown: a list of links, the matches in bold */
	ck_assert_int_eq(get("/search?q=widget&format=md", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "text/markdown; charset=utf-8");
	ck_assert_int_eq(strncmp(res.body, "# Search: widget\n\n1 result.\n\n- [alpha]"
				 "(http://skills.example:8080/skills/alpha) (skill, alpha): ", 88), 0);
	ck_assert(strstr(res.body, "**widget**") != NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=nothingmatchesthis", "*/*", "curl/8", &res), 200);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	ck_assert_str_eq(res.body, "# Search: nothingmatchesthis\n\n0 results.\n\n");
	response_fini(&res);
}
END_TEST

/* A snippet whose source has its own markup: valid HTML, valid markdown. */
START_TEST(test_search_snippet_markup)
{
	struct response res;

	ck_assert_int_eq(get("/search?q=idempotency", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_msg(strstr(res.body, "<p class=\"snippet\">Use <mark>idempotency</mark> keys at "
			     "&amp; retry safely.</p>") != NULL, "%s", res.body);
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=idempotency", "*/*", "curl/8", &res), 200);
	ck_assert_msg(strstr(res.body, ": Use **idempotency** keys at \\& retry safely.\n") != NULL,
		      "%s", res.body);
	ck_assert(strstr(res.body, "****") == NULL);
	response_fini(&res);
}
END_TEST

START_TEST(test_search_empty_and_bad)
{
	struct response res;

	/* no query: the page with just the form */
	ck_assert_int_eq(get("/search", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert(strstr(res.body, "id=\"search-q\" name=\"q\" value=\"\"") != NULL);
	ck_assert(strstr(res.body, "search-error") == NULL);
	ck_assert(strstr(res.body, "search-total") == NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=", HTML_ACCEPT, BROWSER, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=", "application/json", BROWSER, &res), 400);
	ck_assert_str_eq(res.content_type, CT_JSON);
	response_fini(&res);

	/* a bad kind: still the whole page, the message escaped, status 400 */
	ck_assert_int_eq(get("/search?q=%3Cb%3Ewidget&kind=%3Cx%3E", HTML_ACCEPT, BROWSER, &res), 400);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert(strstr(header(&res, "Content-Security-Policy"), "default-src 'self'") != NULL);
	ck_assert(strstr(res.body, "<div class=\"search-error\" role=\"alert\">") != NULL);
	ck_assert(strstr(res.body, "kind must be skill, reference, checklist or eval") != NULL);
	ck_assert(strstr(res.body, "value=\"&lt;b&gt;widget\"") != NULL);
	ck_assert(strstr(res.body, "<b>") == NULL);
	ck_assert(strstr(res.body, "error-status") == NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=widget&kind=nope", "application/json", BROWSER, &res), 400);
	ck_assert(strstr(res.body, "\"bad_query\"") != NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=widget&kind=nope", "*/*", "curl/8", &res), 400);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	ck_assert_str_eq(res.body, "Error 400: kind must be skill, reference, checklist or eval\n");
	response_fini(&res);
	/* only punctuation, a bad limit, a foreign cursor */
	ck_assert_int_eq(get("/search?q=%21%21", HTML_ACCEPT, BROWSER, &res), 400);
	ck_assert(strstr(res.body, "search-error") != NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=widget&limit=51", HTML_ACCEPT, BROWSER, &res), 400);
	ck_assert(strstr(res.body, "limit must be an integer from 1 to 50") != NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=widget&cursor=forged", "application/json", BROWSER, &res), 400);
	response_fini(&res);
}
END_TEST

START_TEST(test_opensearch_document)
{
	struct response res;

	ck_assert_int_eq(get("/opensearch.xml", "*/*", BROWSER, &res), 200);
	ck_assert_str_eq(res.content_type, "application/opensearchdescription+xml");
	ck_assert(strstr(res.body, "<Url type=\"text/html\" method=\"get\" "
				   "template=\"http://skills.example:8080/search?q={searchTerms}\"/>") != NULL);
	response_fini(&res);
	ck_assert_int_eq(get("/", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert(strstr(res.body, "<link rel=\"search\" type=\"application/opensearchdescription+xml\" "
				   "title=\"skilld\" href=\"/opensearch.xml\">") != NULL);
	ck_assert(strstr(res.body, "<form class=\"site-search\" role=\"search\" action=\"/search\" "
				   "method=\"get\">") != NULL);
	response_fini(&res);
}
END_TEST

/* ?max_tokens answers every markdown answer in parts within the budget,
 * each with Link rel=next to the next (this URL, offset moved on) and its
 * own ETag, leaves other answers alone and refuses a bad value. */
START_TEST(test_max_tokens)
{
	static const char *const md_urls[] = {
		"/skills/alpha/SKILL.md", "/skills/alpha?format=md", "/llms-full.txt",
		"/skills/alpha/references/review-checklist.md?format=md",
		"/api/v1/skills/alpha/files/SKILL.md",
	};
	struct response res, full;

	for (size_t i = 0; i < sizeof(md_urls) / sizeof(md_urls[0]); i++) {
		char *url = xasprintf("%s%cmax_tokens=12", md_urls[i],
				      strchr(md_urls[i], '?') ? '&' : '?');
		char *link;
		size_t start, end, total;

		ck_assert_int_eq(get(md_urls[i], "text/markdown", "agent", &full), 200);
		ck_assert_int_eq(get(url, "text/markdown", "agent", &res), 200);
		ck_assert_msg(full.body_len > 12 * 4, "%s is too short to cut", md_urls[i]);
		ck_assert_uint_le(res.body_len, 12 * 4);
		ck_assert_str_eq(header(&res, "X-Skilld-Cut"), "max_tokens");
		ck_assert_int_eq(sscanf(header(&res, "X-Skilld-Range"), "bytes %zu-%zu/%zu", &start,
					&end, &total), 3);
		ck_assert_uint_eq(total, full.body_len);
		/* the content is the whole text's bytes; no room for a note at 12 */
		ck_assert_uint_eq(res.body_len, end + 1 - start);
		ck_assert_int_eq(memcmp(res.body, full.body + start, res.body_len), 0);
		link = xasprintf("<http://skills.example:8080%s&offset=%zu>; rel=\"next\"", url, end + 1);
		ck_assert_str_eq(header(&res, "Link"), link);
		ck_assert_str_ne(res.etag, full.etag);
		response_fini(&res);
		response_fini(&full);
		free(link);
		free(url);
	}
	/* the Link keeps the other arguments, and the note names it where
	 * there is room */
	ck_assert_int_eq(get("/skills/alpha?format=md&max_tokens=60", NULL, "agent", &res), 200);
	ck_assert_ptr_nonnull(strstr(header(&res, "Link"),
				     "<http://skills.example:8080/skills/alpha?format=md&max_tokens=60&offset="));
	ck_assert_ptr_nonnull(strstr(res.body, "http://skills.example:8080/skills/alpha?format=md&"
				     "max_tokens=60&offset="));
	response_fini(&res);
	/* a budget the text fits is no cut */
	ck_assert_int_eq(get("/skills/alpha/SKILL.md?max_tokens=10000000", NULL, "agent", &res), 200);
	ck_assert_ptr_null(strstr(res.body, "Cut to fit"));
	ck_assert_ptr_null(header(&res, "X-Skilld-Cut"));
	ck_assert_ptr_null(header(&res, "Link"));
	response_fini(&res);
	/* JSON is never cut */
	ck_assert_int_eq(get("/api/v1/skills/alpha?max_tokens=1", NULL, "agent", &res), 200);
	ck_assert_ptr_null(header(&res, "X-Skilld-Cut"));
	response_fini(&res);
	for (const char *const *bad = (const char *const[]){ "0", "-1", "abc", "1e3", "10000001",
							     "99999999999999999999", "", NULL };
	     *bad; bad++) {
		char *url = xasprintf("/skills/alpha/SKILL.md?max_tokens=%s", *bad);

		ck_assert_int_eq(get(url, "text/markdown", "agent", &res), 400);
		response_fini(&res);
		free(url);
	}
}
END_TEST


/* ---- the index of a bigger collection: pages, facets, collections ---- */

/* The second root's folder: its name is the collection's label, hostile. */
#define TEAM_DIR "<script>team \"b\" & 'c'"
#define TEAM_ATTR "&lt;script&gt;team &quot;b&quot; &amp; &#39;c&#39;"
#define TEAM_URL "%3Cscript%3Eteam%20%22b%22%20%26%20%27c%27"
#define TEAM_N 60

/* setup, plus a second root TEAM_DIR of TEAM_N skills t-00..t-59: every
 * third with a review checklist, every fourth with evals, every fifth
 * bronze (the others no tier), those with a number ending in 7 about
 * Kotlin, t-13's description hostile. */
static void setup_browse(void)
{
	char *team, *body = NULL;
	struct buf b;

	ta_prepare(&ta);
	team = xasprintf("%s/%s", ta.tmp, TEAM_DIR);
	buf_init(&b);
	for (int i = 0; i < 40; i++)
		buf_printf(&b, "Line %d of the body.\n", i);
	buf_putc(&b, '\0');
	body = b.data;
	for (int i = 0; i < TEAM_N; i++) {
		char *path = xasprintf("t-%02d/SKILL.md", i);
		char *md = xasprintf("---\nname: t-%02d\ndescription: \"%s%s\"\n---\n# T\n\n%s", i,
				     i % 5 == 0 ? "Team skill that checks services. Use when the user "
						  "asks for a service review. " : "Team skill. ",
				     i == 13 ? "<script>alert(1)</script> & \\\"q\\\"" :
				     i % 10 == 7 ? "Kotlin coroutines." : "Plain.", body);

		tu_write_str(team, path, md);
		free(path);
		free(md);
		if (i % 3 == 0) {
			path = xasprintf("t-%02d/references/review-checklist.md", i);
			tu_write_str(team, path, "# C\n\n## 1. S\n\n- [ ] One?\n- [ ] Two?\n");
			free(path);
		}
		if (i % 4 == 0) {
			path = xasprintf("t-%02d/evals/evals.json", i);
			tu_write_str(team, path, "{\"evals\":[{\"id\":\"e1\",\"prompt\":\"P\","
						 "\"expectations\":[\"x\"]}]}");
			free(path);
		}
	}
	/* the two changed last: t-07, then t-03 (their SKILL.md's times) */
	for (int i = 0; i < 2; i++) {
		char *path = xasprintf("%s/t-0%d/SKILL.md", team, i ? 3 : 7);
		struct timespec ts[2] = { { 1893456000 - i * 31536000L, 0 },
					  { 1893456000 - i * 31536000L, 0 } };

		ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
		free(path);
	}
	ta_open(&ta, (const char *const[]){ "--allowed-host", "skills.example", "--skills", team, NULL });
	buf_fini(&b);
	free(team);
}

/* GET path as JSON (format=json added): the parsed body, status in *status. */
static cJSON *get_json(const char *path, int *status)
{
	struct response res;
	char *url = xasprintf("%s%sformat=json", path, strchr(path, '?') ? "&" : "?");
	cJSON *j;

	*status = get(url, "application/json", BROWSER, &res);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	response_fini(&res);
	free(url);
	return j;
}

static int jint(const cJSON *o, const char *key)
{
	return (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The count of value in the view's facet, or -1 when it is not listed. */
static int facet_count(const cJSON *view, const char *facet, const char *value)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetObjectItemCaseSensitive(view, "facets"), facet))
		if (strcmp(jstr(v, "value"), value) == 0)
			return jint(v, "count");
	return -1;
}

/* Every summary of /api/v1/skills: the oracle the index is held to. */
static cJSON *all_summaries(void)
{
	int status;
	cJSON *j = get_json("/api/v1/skills?limit=100", &status);

	ck_assert_int_eq(status, 200);
	return j;
}

/* The first page of everything lists the ten skills changed last, newest
 * first (their files' times); a filtered view or another page does not. */
START_TEST(test_index_recently_changed)
{
	struct response res;
	cJSON *v;
	const cJSON *recent, *s;
	const char *prev = NULL;
	int status, n = 0;

	v = get_json("/", &status);
	ck_assert_int_eq(status, 200);
	recent = cJSON_GetObjectItem(v, "recent");
	ck_assert_int_eq(cJSON_GetArraySize(recent), 10);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(recent, 0), "slug"), "t-07");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(recent, 0), "updated"), "2030-01-01T00:00:00Z");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(recent, 1), "slug"), "t-03");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(recent, 1), "updated"), "2029-01-01T00:00:00Z");
	cJSON_ArrayForEach(s, recent) {
		if (prev)
			ck_assert_str_ge(prev, jstr(s, "updated"));
		prev = jstr(s, "updated");
		n++;
	}
	ck_assert_int_eq(n, 10);
	cJSON_Delete(v);
	v = get_json("/?page=2", &status);
	ck_assert_ptr_null(cJSON_GetObjectItem(v, "recent"));
	cJSON_Delete(v);
	v = get_json("/?q=kotlin", &status);
	ck_assert_ptr_null(cJSON_GetObjectItem(v, "recent"));
	cJSON_Delete(v);
	ck_assert_int_eq(get("/", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "<details class=\"recent\" data-wide-open>\n<summary>"
					       "<h2 id=\"recent-h\">Recently changed</h2></summary>\n"
					       "<ol aria-labelledby=\"recent-h\">\n"
					       "<li><a href=\"/skills/t-07\">t-07</a> <time "
					       "datetime=\"2030-01-01T00:00:00Z\" data-relative>2030-01-01 "
					       "00:00 UTC</time></li>\n<li><a href=\"/skills/t-03\">"));
	response_fini(&res);
	ck_assert_int_eq(get("/?evals=yes", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_null(strstr(res.body, "Recently changed"));
	response_fini(&res);
}
END_TEST

START_TEST(test_index_pages_in_a_stable_order)
{
	cJSON *all = all_summaries(), *p1, *p2, *p3;
	const cJSON *data = cJSON_GetObjectItem(all, "data"), *s;
	int n = cJSON_GetArraySize(data), fixture = n - TEAM_N, status, k = 0;

	ck_assert_int_gt(fixture, 0);
	p1 = get_json("/", &status);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(jint(p1, "total"), n);
	ck_assert_int_eq(jint(p1, "skills"), n);
	ck_assert_int_eq(jint(p1, "per_page"), 48);
	ck_assert_int_eq(jint(p1, "page"), 1);
	ck_assert_int_eq(jint(p1, "pages"), (n + 47) / 48);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p1, "data")), 48);
	p2 = get_json("/?page=2", &status);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p2, "data")), n - 48);
	/* the pages, one after the other: the first root's skills by slug,
	 * then the team's t-00..t-59; each skill once */
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(p1, "data")) {
		if (k < fixture)
			ck_assert_str_eq(jstr(s, "root"), "skills");
		else
			ck_assert_str_eq(jstr(s, "root"), TEAM_DIR);
		k++;
	}
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(p1, "data"), fixture);
	ck_assert_str_eq(jstr(s, "slug"), "t-00");
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(p2, "data"), n - 48 - 1);
	ck_assert_str_eq(jstr(s, "slug"), "t-59");
	for (int i = 1; i < fixture; i++)
		ck_assert_str_lt(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(p1, "data"), i - 1), "slug"),
				 jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(p1, "data"), i), "slug"));
	/* a page past the last is not found; the last is shorter */
	p3 = get_json("/?page=3", &status);
	ck_assert_int_eq(status, 404);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(p3, "error"), "code"), "page_not_found");
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(p3, "error"), "message"),
			 "page 3 is past the last page, 2");
	cJSON_Delete(p1);
	cJSON_Delete(p2);
	cJSON_Delete(p3);
	cJSON_Delete(all);
}
END_TEST

START_TEST(test_index_facets_count_under_the_other_filters)
{
	cJSON *all = all_summaries(), *v;
	const cJSON *s;
	int bronze = 0, none = 0, other = 0, checklist = 0, evals = 0, bronze_checklist = 0, status;

	cJSON_ArrayForEach(s, cJSON_GetObjectItem(all, "data")) {
		const char *tier = jstr(s, "tier");
		const cJSON *c = cJSON_GetObjectItem(s, "counts");
		bool has_cl = jint(c, "checklist_items") > 0;

		if (!tier)
			none++;
		else if (strcmp(tier, "bronze") == 0)
			bronze++;
		else
			other++;
		checklist += has_cl;
		evals += jint(c, "evals") > 0;
		bronze_checklist += tier && strcmp(tier, "bronze") == 0 && has_cl;
	}
	ck_assert_int_ge(bronze, TEAM_N / 5);
	v = get_json("/", &status);
	ck_assert_int_eq(facet_count(v, "tier", "bronze"), bronze);
	ck_assert_int_eq(facet_count(v, "tier", "none"), none);
	ck_assert_int_eq(facet_count(v, "tier", "gold"), -1);  /* none of them: not listed */
	ck_assert_int_eq(facet_count(v, "checklist", "yes"), checklist);
	ck_assert_int_eq(facet_count(v, "evals", "yes"), evals);
	ck_assert_int_eq(facet_count(v, "root", TEAM_DIR), TEAM_N);
	ck_assert_int_eq(facet_count(v, "root", "skills"), bronze + none + other - TEAM_N);
	cJSON_Delete(v);

	/* tier=bronze: the page has the bronze skills; the tier facet still
	 * counts every tier (its own filter left out), the others only bronze */
	v = get_json("/?tier=bronze", &status);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(jint(v, "total"), bronze);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(v, "data"))
		ck_assert_str_eq(jstr(s, "tier"), "bronze");
	ck_assert_int_eq(facet_count(v, "tier", "none"), none);
	ck_assert_int_eq(facet_count(v, "checklist", "yes"), bronze_checklist);
	ck_assert_int_eq(facet_count(v, "checklist", "yes") + facet_count(v, "checklist", "no"), bronze);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(v, "filter"), "tier"), "bronze");
	cJSON_Delete(v);

	/* the filters chosen are named over the facets, escaped */
	struct response res;

	ck_assert_int_eq(get("/?root=" TEAM_URL "&tier=none&evals=yes", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "<summary><h2>Filters</h2> <span class=\"facets-on\">"
					       "&lt;script&gt;team \"b\" &amp; 'c', No tier, With evals</span>"
					       "</summary>"));
	response_fini(&res);

	/* every filter at once, the collection by its (hostile) label */
	v = get_json("/?root=" TEAM_URL "&checklist=yes&evals=no&tier=none", &status);
	ck_assert_int_eq(status, 200);
	/* i % 3 == 0, i % 4 != 0, i % 5 != 0: 3 6 9 18 21 27 33 39 42 51 54 57 */
	ck_assert_int_eq(jint(v, "total"), 12);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "data"), 0), "slug"), "t-03");
	ck_assert_int_eq(facet_count(v, "root", TEAM_DIR), 12);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(v, "filter"), "root"), TEAM_DIR);
	cJSON_Delete(v);

	/* words: every one in the name, description or slug, any case */
	v = get_json("/?q=KOTLIN%20%20coroutines", &status);
	ck_assert_int_eq(jint(v, "total"), 6);
	ck_assert_int_eq(jint(v, "skills"), cJSON_GetArraySize(cJSON_GetObjectItem(all, "data")));
	ck_assert_int_eq(facet_count(v, "root", TEAM_DIR), 6);
	ck_assert_int_eq(facet_count(v, "root", "skills"), -1);
	cJSON_Delete(v);
	v = get_json("/?q=kotlin%20nothing", &status);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(jint(v, "total"), 0);
	ck_assert_int_eq(jint(v, "pages"), 1);
	cJSON_Delete(v);
	cJSON_Delete(all);
}
END_TEST

START_TEST(test_index_groups_and_escapes)
{
	struct response res;

	ck_assert_int_eq(get("/?page=2", HTML_ACCEPT, BROWSER, &res), 200);
	/* the page holds the team's skills only, under their collection */
	ck_assert_ptr_nonnull(strstr(res.body, "<h2 class=\"collection-title\" id=\"collection-1\">"
					       "<a href=\"/?root=" TEAM_URL "\">" TEAM_ATTR "</a> "
					       "<span class=\"count\">60 skills</span></h2>"));
	ck_assert_ptr_null(strstr(res.body, "id=\"collection-2\""));
	ck_assert_ptr_null(strstr(res.body, "facets-on"));
	ck_assert_ptr_null(strstr(res.body, "<script>"));
	/* the pager: previous and the pages, this one current; links that keep
	 * nothing but the page */
	ck_assert_ptr_nonnull(strstr(res.body, "<a class=\"btn\" rel=\"prev\" href=\"/\">← Previous</a>"));
	ck_assert_ptr_nonnull(strstr(res.body, "<span class=\"btn current\" aria-current=\"page\">"
					       "<span class=\"visually-hidden\">Page </span>2</span>"));
	ck_assert_ptr_null(strstr(res.body, "rel=\"next\""));
	ck_assert_ptr_nonnull(strstr(res.body, "data-mode=\"server\""));
	response_fini(&res);

	/* page 1 has both collections; filters carry into the facet links,
	 * encoded, with '&' escaped */
	ck_assert_int_eq(get("/?q=a%26b%20%3Cx%3E&evals=yes", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "value=\"a&amp;b &lt;x&gt;\""));
	ck_assert_ptr_nonnull(strstr(res.body, "<input type=\"hidden\" name=\"evals\" value=\"yes\">"));
	ck_assert_ptr_nonnull(strstr(res.body, "<p class=\"empty\">No skill matches these filters.</p>"));
	response_fini(&res);
	ck_assert_int_eq(get("/?evals=yes", HTML_ACCEPT, BROWSER, &res), 200);
	/* t-13, hostile, is on the first page */
	ck_assert_ptr_null(strstr(res.body, "<script>"));
	response_fini(&res);
	ck_assert_int_eq(get("/", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_null(strstr(res.body, "<script>"));
	ck_assert_ptr_nonnull(strstr(res.body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;</p>"));
	response_fini(&res);
	ck_assert_int_eq(get("/?evals=yes", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "id=\"collection-1\"><a href=\"/?root=skills&amp;evals=yes\">"
					       "skills</a>"));
	ck_assert_ptr_nonnull(strstr(res.body, "id=\"collection-2\"><a href=\"/?root=" TEAM_URL
					       "&amp;evals=yes\">"));
	ck_assert_ptr_nonnull(strstr(res.body, "<a href=\"/?tier=bronze&amp;evals=yes\">Bronze "
					       "<span class=\"count\">"));
	ck_assert_ptr_nonnull(strstr(res.body, "<a href=\"/?evals=yes\" aria-current=\"true\">With evals"));
	ck_assert_ptr_nonnull(strstr(res.body, "<a href=\"/\">Any</a>"));
	response_fini(&res);

	/* markdown: the page's skills, the next page's link */
	ck_assert_int_eq(get("/?tier=none", "text/markdown", "agent", &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "(page 1 of 2)"));
	ck_assert_ptr_nonnull(strstr(res.body, "\nNext page: http://skills.example:8080/?tier=none&page=2"
					       "&format=md\n"));
	response_fini(&res);
}
END_TEST

/* The search page has the index's facets, counted over the skills that
 * hold a hit, and groups its skills by collection as the index does. */
START_TEST(test_search_facets_and_collections)
{
	struct response res;
	const cJSON *h;
	cJSON *v;
	int status, team_rows = 0;

	/* "review": in the description of every fifth team skill (bronze),
	 * and in the fixture's skills */
	v = get_json("/search?q=review&limit=50", &status);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(facet_count(v, "root", TEAM_DIR), TEAM_N / 5);
	ck_assert_int_ge(facet_count(v, "root", "skills"), 1);
	ck_assert_int_eq(facet_count(v, "tier", "bronze"), TEAM_N / 5);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(v, "filter"), "q"), "review");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "filter"), "root")));
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(v, "data")) {
		ck_assert_ptr_nonnull(jstr(h, "root"));
		team_rows += strcmp(jstr(h, "root"), TEAM_DIR) == 0;
	}
	ck_assert_int_gt(team_rows, 0);
	cJSON_Delete(v);

	/* a collection: only its hits, every one of its 12 skills; the
	 * collection facet still counts both (its own filter left out) */
	v = get_json("/search?q=review&limit=50&root=" TEAM_URL, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(jint(v, "total"), TEAM_N / 5);
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(v, "data")) {
		ck_assert_str_eq(jstr(h, "root"), TEAM_DIR);
		ck_assert_int_eq(atoi(jstr(h, "skill") + 2) % 5, 0);
	}
	ck_assert_int_ge(facet_count(v, "root", "skills"), 1);
	ck_assert_int_eq(facet_count(v, "tier", "bronze"), TEAM_N / 5);
	ck_assert_int_eq(facet_count(v, "tier", "platinum"), -1);
	cJSON_Delete(v);
	/* filters together: bronze skills of the bundled collection, none */
	v = get_json("/search?q=review&root=skills&tier=bronze", &status);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(jint(v, "total"), 0);
	ck_assert_int_eq(facet_count(v, "tier", "bronze"), 0);  /* chosen: listed */
	cJSON_Delete(v);

	/* the page: both collections titled in order of their first hit, the
	 * skills under them, facet links that keep q */
	ck_assert_int_eq(get("/search?q=review&limit=50", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "<h2 class=\"collection-title\" id=\"collection-1\">"
					       "<a href=\"/search?q=review&amp;root="));
	ck_assert_ptr_nonnull(strstr(res.body, "<a href=\"/search?q=review&amp;root=" TEAM_URL "\">"
					       TEAM_ATTR "</a> <span class=\"count\">12 skills</span></h2>"));
	ck_assert_ptr_nonnull(strstr(res.body, "<h3 class=\"hit-skill\"><a href=\"/skills/t-05\">"));
	ck_assert_ptr_nonnull(strstr(res.body, "<a href=\"/search?q=review&amp;tier=bronze\">Bronze "
					       "<span class=\"count\">12</span></a>"));
	ck_assert_ptr_null(strstr(res.body, "<script>"));
	response_fini(&res);
	/* a filter chosen: named, kept by the form, the kinds and the next page */
	ck_assert_int_eq(get("/search?q=review&evals=yes&limit=1", HTML_ACCEPT, BROWSER, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "<span class=\"facets-on\">With evals</span>"));
	ck_assert_ptr_nonnull(strstr(res.body, "<input type=\"hidden\" name=\"evals\" value=\"yes\">"));
	ck_assert_ptr_nonnull(strstr(res.body, "<a href=\"/search?q=review&amp;kind=eval&amp;evals=yes\">"));
	ck_assert_ptr_nonnull(strstr(res.body, "rel=\"next\" href=\"/search?q=review&amp;evals=yes&amp;"
					       "cursor="));
	response_fini(&res);
	/* bad filters: the index's errors */
	ck_assert_int_eq(get("/search?q=review&tier=diamond", "application/json", "agent", &res), 400);
	ck_assert_ptr_nonnull(strstr(res.body, "\"bad_tier\""));
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=review&root=nowhere", "application/json", "agent", &res), 400);
	ck_assert_ptr_nonnull(strstr(res.body, "\"bad_root\""));
	response_fini(&res);
	ck_assert_int_eq(get("/search?q=review&checklist=maybe", "application/json", "agent", &res), 400);
	ck_assert_ptr_nonnull(strstr(res.body, "\"bad_filter\""));
	response_fini(&res);
}
END_TEST

START_TEST(test_index_bad_parameters)
{
	static const struct {
		const char *query;
		const char *code;
		const char *message;
	} bad[] = {
		{ "page=0", "bad_page", "page must be an integer from 1 to 208334" },
		{ "page=-1", "bad_page", "page must be an integer from 1 to 208334" },
		{ "page=2x", "bad_page", "page must be an integer from 1 to 208334" },
		{ "page=99999999999999999999", "bad_page", "page must be an integer from 1 to 208334" },
		{ "tier=diamond", "bad_tier", "tier must be platinum, gold, silver, bronze or none" },
		{ "tier=Bronze", "bad_tier", "tier must be platinum, gold, silver, bronze or none" },
		{ "checklist=maybe", "bad_filter", "checklist and evals must be yes or no" },
		{ "evals=1", "bad_filter", "checklist and evals must be yes or no" },
		{ "root=nowhere", "bad_root", "no collection is named 'nowhere'" },
	};
	struct response res;
	int status;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = xasprintf("/?%s", bad[i].query);
		cJSON *j = get_json(path, &status);
		const cJSON *err = cJSON_GetObjectItem(j, "error");

		ck_assert_msg(status == 400, "%s: %d", path, status);
		ck_assert_str_eq(jstr(err, "code"), bad[i].code);
		ck_assert_str_eq(jstr(err, "message"), bad[i].message);
		cJSON_Delete(j);
		/* a browser gets the error page, the message escaped */
		ck_assert_int_eq(get(path, HTML_ACCEPT, BROWSER, &res), 400);
		ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
		ck_assert_ptr_nonnull(strstr(res.body, "<p class=\"error-status\">400</p>"));
		response_fini(&res);
		free(path);
	}
	ck_assert_int_eq(get("/?root=%3Cb%3E", HTML_ACCEPT, BROWSER, &res), 400);
	ck_assert_ptr_nonnull(strstr(res.body, "no collection is named &#39;&lt;b&gt;&#39;"));
	response_fini(&res);
	/* q as long as a search's, at most */
	char *q = xasprintf("/?q=%01001d", 7);

	ck_assert_int_eq(get(q, "application/json", BROWSER, &res), 400);
	ck_assert_ptr_nonnull(strstr(res.body, "\"q is longer than 1000 bytes\""));
	response_fini(&res);
	q[strlen(q) - 1] = '\0';
	ck_assert_int_eq(get(q, "application/json", BROWSER, &res), 200);
	response_fini(&res);
	free(q);
	/* empty values are no filter */
	ck_assert_int_eq(get("/?q=&tier=&root=&checklist=&evals=", HTML_ACCEPT, BROWSER, &res), 200);
	response_fini(&res);
}
END_TEST

Suite *web_suite(void)
{
	Suite *s = suite_create("web");
	TCase *tc = tcase_create("pages");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pages_in_html);
	tcase_add_test(tc, test_markdown_and_json_forms);
	tcase_add_test(tc, test_skill_install_panel);
	tcase_add_test(tc, test_checklist_page_items);
	tcase_add_test(tc, test_hostile_markdown_is_inert);
	tcase_add_test(tc, test_errors_and_assets);
	tcase_add_test(tc, test_max_tokens);
	tcase_add_test(tc, test_search_in_each_format);
	tcase_add_test(tc, test_search_empty_and_bad);
	tcase_add_test(tc, test_search_snippet_markup);
	tcase_add_test(tc, test_opensearch_document);
	tcase_add_test(tc, test_examples_and_file_pages);
	suite_add_tcase(s, tc);
	tc = tcase_create("examples");
	tcase_add_checked_fixture(tc, setup_examples, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_hostile_examples_alerts_and_code);
	suite_add_tcase(s, tc);
	tc = tcase_create("browse");
	tcase_add_checked_fixture(tc, setup_browse, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_index_pages_in_a_stable_order);
	tcase_add_test(tc, test_index_recently_changed);
	tcase_add_test(tc, test_index_facets_count_under_the_other_filters);
	tcase_add_test(tc, test_index_groups_and_escapes);
	tcase_add_test(tc, test_index_bad_parameters);
	tcase_add_test(tc, test_search_facets_and_collections);
	suite_add_tcase(s, tc);
	return s;
}
