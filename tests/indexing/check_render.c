/* SPDX-License-Identifier: MIT */
/*
 * Tests for render: exact HTML for the GFM extensions, heading ids and the
 * table of contents, relative link rewriting, hostile markdown (raw HTML,
 * script URLs in every spelling, invalid UTF-8, NUL), the pre-scan limits,
 * huge and deeply nested inputs, concurrent renders, and the corpora when
 * SKILLD_CORPORA is set.
 */
#include <check.h>
#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>

#include "skilld/base/html.h"
#include "skilld/indexing/render.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "testutil.h"

START_TEST(test_remote_images_become_links)
{
	struct render_result r;
	const char *md = "![diagram](https://other.example/d.png) ![](//cdn.example/x.gif) ![local](img/a.png)\n";
	struct render_opts opts = { .link_base = "/skills/s/" };

	ck_assert_int_eq(render_markdown(md, strlen(md), &opts, &r), 0);
	ck_assert_str_eq(r.html, "<p><a href=\"https://other.example/d.png\">diagram</a> "
				 "<a href=\"//cdn.example/x.gif\">//cdn.example/x.gif</a> "
				 "<img src=\"/skills/s/img/a.png\" alt=\"local\" /></p>\n");
	render_result_fini(&r);
}
END_TEST

Suite *render_suite(void);

#define FFFD "\xef\xbf\xbd"
#define COPY_BUTTON "<button type=\"button\" class=\"copy-code\" aria-label=\"Copy code\" hidden>Copy</button>"

/* ---- helpers ---- */

/* Renders s[0..len) with opts; the caller finis the result. */
static void render_n(const char *s, size_t len, const struct render_opts *opts,
		     struct render_result *r)
{
	ck_assert_int_eq(render_markdown(s, len, opts, r), 0);
	ck_assert_ptr_nonnull(r->html);
	ck_assert_ptr_nonnull(r->toc);
	ck_assert_uint_eq(strlen(r->html), r->html_len);
	ck_assert(utf8_valid(r->html, r->html_len));
}

/* Asserts that md renders (without options) to exactly want. */
static void expect_html(const char *md, const char *want)
{
	struct render_result r;

	render_n(md, strlen(md), NULL, &r);
	ck_assert_str_eq(r.html, want);
	render_result_fini(&r);
}

/* Asserts that md renders to exactly want with the given link options. */
static void expect_link(const struct render_opts *o, const char *md, const char *want)
{
	struct render_result r;

	render_n(md, strlen(md), o, &r);
	ck_assert_str_eq(r.html, want);
	render_result_fini(&r);
}

/* True when needle occurs in hay, ignoring ASCII case. */
static bool contains_ci(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

/* Number of (non-overlapping) occurrences of needle in hay. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0, l = strlen(needle);
	const char *end = hay + strlen(hay);

	/* memmem with lengths: ASan's strstr measures the haystack every call */
	for (const char *p = memmem(hay, (size_t)(end - hay), needle, l); p;
	     p = memmem(p + l, (size_t)(end - p - l), needle, l))
		n++;
	return n;
}

/* Asserts that every attr="..." value in html passes html_url_is_safe. */
static void assert_attr_urls_safe(const char *name, const char *html, const char *attr, bool image)
{
	size_t al = strlen(attr);

	for (const char *p = strstr(html, attr); p; p = strstr(p + al, attr)) {
		const char *v = p + al;
		size_t n = strcspn(v, "\"");
		char *url = xstrndup(v, n);

		ck_assert_msg(html_url_is_safe(url, image), "%s: unsafe %s%.60s", name, attr, url);
		free(url);
	}
}

/*
 * Asserts that html holds nothing a browser would run or load as active
 * content: no script-capable element, and every href and src passes the
 * allowlist. Strict mode, for crafted inputs whose text holds none of them,
 * also refuses the words of an attack anywhere (event handlers, script
 * schemes), even as inert text.
 */
static void assert_inert(const char *name, const char *html, bool strict)
{
	static const char *const elements[] = {
		"<script", "<iframe", "<style", "<object", "<embed", "<svg", "<img src=x", "<form",
	};
	static const char *const words[] = {
		"onerror=", "onload=", "javascript:", "vbscript:", "data:text", "file:",
	};

	for (size_t i = 0; i < sizeof(elements) / sizeof(elements[0]); i++)
		ck_assert_msg(!contains_ci(html, elements[i]), "%s: output holds %s", name, elements[i]);
	for (size_t i = 0; strict && i < sizeof(words) / sizeof(words[0]); i++)
		ck_assert_msg(!contains_ci(html, words[i]), "%s: output holds %s", name, words[i]);
	assert_attr_urls_safe(name, html, " href=\"", false);
	assert_attr_urls_safe(name, html, " src=\"", true);
}

/* Renders a JSON value compactly (free()). */
static char *json(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* Returns a string of n copies of unit between pre and post (free()). */
static char *repeat(const char *pre, const char *unit, size_t n, const char *post)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, pre);
	for (size_t i = 0; i < n; i++)
		buf_puts(&b, unit);
	buf_puts(&b, post);
	return buf_detach(&b, NULL);
}

/* ---- GFM output ---- */

START_TEST(test_table)
{
	expect_html("| a | b |\n|---|:-:|\n| 1 | `\\|` 2 |\n",
		    "<table>\n<thead>\n<tr>\n<th>a</th>\n<th align=\"center\">b</th>\n</tr>\n"
		    "</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td align=\"center\"><code>|</code> 2</td>\n"
		    "</tr>\n</tbody>\n</table>\n");
	/* no delimiter row, no table */
	expect_html("| a | b |\n| 1 | 2 |\n", "<p>| a | b |\n| 1 | 2 |</p>\n");
}
END_TEST

START_TEST(test_strikethrough_tasks_autolinks)
{
	expect_html("~~del~~ and ~one~ text\n", "<p><del>del</del> and <del>one</del> text</p>\n");
	expect_html("- [ ] todo\n- [x] done\n- [] not a task\n",
		    "<ul>\n<li><input type=\"checkbox\" disabled=\"\" /> todo</li>\n"
		    "<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> done</li>\n"
		    "<li>[] not a task</li>\n</ul>\n");
	expect_html("see www.example.com, https://x.org/a?b=1. and me@example.com\n",
		    "<p>see <a href=\"http://www.example.com\">www.example.com</a>, "
		    "<a href=\"https://x.org/a?b=1\">https://x.org/a?b=1</a>. and "
		    "<a href=\"mailto:me@example.com\">me@example.com</a></p>\n");
}
END_TEST

START_TEST(test_code_fences_and_footnotes)
{
	expect_html("```c\nint x < 1;\n```\n",
		    "<div class=\"code-block\"><pre tabindex=\"0\"><code class=\"language-c\"><span class=\"hl-t\">int</span> "
		    "x &lt; <span class=\"hl-n\">1</span>;\n</code></pre>" COPY_BUTTON "</div>\n");
	expect_html("```\" onmouseover=\"alert(1)\nx\n```\n",
		    "<div class=\"code-block\"><pre tabindex=\"0\"><code class=\"language-&quot;\">x\n</code></pre>"
		    COPY_BUTTON "</div>\n");
	expect_html("    indented <b>\n", "<div class=\"code-block\"><pre tabindex=\"0\"><code>indented &lt;b&gt;\n"
		    "</code></pre>" COPY_BUTTON "</div>\n");
	expect_html("x[^1]\n\n[^1]: note\n",
		    "<p>x<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\" data-footnote-ref>1</a></sup></p>\n"
		    "<section class=\"footnotes\" data-footnotes>\n<ol>\n<li id=\"fn-1\">\n"
		    "<p>note <a href=\"#fnref-1\" class=\"footnote-backref\" data-footnote-backref "
		    "aria-label=\"Back to content\">\xe2\x86\xa9</a></p>\n</li>\n</ol>\n</section>\n");
}
END_TEST

/* ---- headings ---- */

START_TEST(test_heading_ids_and_duplicates)
{
	expect_html("# A\n## A\n### A\n## A-1\n#### a\n",
		    "<h1 id=\"a\">A</h1>\n<h2 id=\"a-1\">A</h2>\n<h3 id=\"a-2\">A</h3>\n"
		    "<h2 id=\"a-1-1\">A-1</h2>\n<h4 id=\"a-3\">a</h4>\n");
	expect_html("## Chapter 2 \xe2\x80\x94 Title\n## What's new? (v2.0)\n## snake_case & kebab-case\n",
		    "<h2 id=\"chapter-2--title\">Chapter 2 \xe2\x80\x94 Title</h2>\n"
		    "<h2 id=\"whats-new-v20\">What's new? (v2.0)</h2>\n"
		    "<h2 id=\"snake_case--kebab-case\">snake_case &amp; kebab-case</h2>\n");
	/* empty slugs, setext headings, inline markup, raw HTML in a heading */
	expect_html("## !!!\n## \xf0\x9f\x9a\x80\n\nSub *title* `x<y`\n---\n\n# <script>alert(1)</script>\n",
		    "<h2 id=\"section\">!!!</h2>\n<h2 id=\"section-1\">\xf0\x9f\x9a\x80</h2>\n"
		    "<h2 id=\"sub-title-xy\">Sub <em>title</em> <code>x&lt;y</code></h2>\n"
		    "<h1 id=\"alert1\"><!-- raw HTML omitted -->alert(1)<!-- raw HTML omitted --></h1>\n");
	/* a heading inside a quote and a list item */
	expect_html("> # Quoted\n\n- ## Listed\n",
		    "<blockquote>\n<h1 id=\"quoted\">Quoted</h1>\n</blockquote>\n"
		    "<ul>\n<li>\n<h2 id=\"listed\">Listed</h2>\n</li>\n</ul>\n");
}
END_TEST

START_TEST(test_slug_rules)
{
	static const char *const cases[][2] = {
		{ "Hello World", "hello-world" },
		{ "  two  spaces ", "--two--spaces-" },
		{ "Über C++", "über-c" },
		{ "\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac \xce\x91\xce\x92\xce\x93",
		  "\xce\xb5\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac-\xce\xb1\xce\xb2\xce\xb3" },
		{ "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\x81",
		  "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82-\xd1\x91" },
		{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x80\x8c\xe5\xbc\x95\xe7\x94\xa8\xe3\x80\x8d",
		  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe5\xbc\x95\xe7\x94\xa8" },
		{ "\xc5\x81\xc3\xb3" "d\xc5\xba \xc4\xb0", "\xc5\x82\xc3\xb3" "d\xc5\xba-i\xcc\x87" },
		{ "a\xc2\xa0" "b\xe2\x80\x9c" "c\xe2\x80\x9d \xe2\x86\x92 d", "abc--d" },
		{ "\"><img src=x onerror=alert(1)>", "img-srcx-onerroralert1" },
		{ "bad\xff\xc3" "utf8\0nul", "badutf8nul" },
		{ "1.2.3 / v_4", "123--v_4" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		size_t len = strlen(cases[i][0]);

		if (i == 9)
			len += 4; /* the NUL and "nul" */
		buf_init(&b);
		render_slug(cases[i][0], len, &b);
		ck_assert_msg(strcmp(b.data, cases[i][1]) == 0, "slug of case %zu: %s", i, b.data);
		buf_fini(&b);
	}
}
END_TEST

START_TEST(test_long_heading_ids_are_cut)
{
	char *md = repeat("# ", "\xc3\xa9", 200, "\n");
	struct render_result r;
	const char *id;

	render_n(md, strlen(md), NULL, &r);
	id = cJSON_GetObjectItem(cJSON_GetArrayItem(r.toc, 0), "id")->valuestring;
	ck_assert_uint_eq(strlen(id), 128); /* 64 two-byte letters: never half a character */
	ck_assert(utf8_valid(id, strlen(id)));
	ck_assert_uint_eq(strlen(cJSON_GetObjectItem(cJSON_GetArrayItem(r.toc, 0), "text")->valuestring), 400);
	render_result_fini(&r);
	free(md);
}
END_TEST

START_TEST(test_toc_and_title)
{
	const char *md = "Intro\n\n## Setup & *install*\n\n# \n\n# The `Real` Title\n\n### Deep\n\n# Second\n";
	struct render_result r;
	char *toc;

	render_n(md, strlen(md), NULL, &r);
	toc = json(r.toc);
	ck_assert_str_eq(toc,
			 "[{\"level\":2,\"id\":\"setup--install\",\"text\":\"Setup & install\"},"
			 "{\"level\":1,\"id\":\"section\",\"text\":\"\"},"
			 "{\"level\":1,\"id\":\"the-real-title\",\"text\":\"The Real Title\"},"
			 "{\"level\":3,\"id\":\"deep\",\"text\":\"Deep\"},"
			 "{\"level\":1,\"id\":\"second\",\"text\":\"Second\"}]");
	ck_assert_str_eq(r.title, "The Real Title");
	free(toc);
	render_result_fini(&r);

	render_n("no headings\n", 12, NULL, &r);
	ck_assert_ptr_null(r.title);
	ck_assert_int_eq(cJSON_GetArraySize(r.toc), 0);
	render_result_fini(&r);
}
END_TEST

START_TEST(test_heading_anchors)
{
	struct render_opts o = { .heading_anchors = true };

	expect_link(&o, "## Usage\n## Usage\n",
		    "<h2 id=\"usage\"><a class=\"anchor\" href=\"#usage\" aria-hidden=\"true\" tabindex=\"-1\"></a>Usage</h2>\n"
		    "<h2 id=\"usage-1\"><a class=\"anchor\" href=\"#usage-1\" aria-hidden=\"true\" tabindex=\"-1\"></a>Usage</h2>\n");
}
END_TEST

/* ---- links ---- */

START_TEST(test_relative_links_rewritten)
{
	struct render_opts o = { .link_base = "/skills/pdf/", .doc_dir = "references" };

	expect_link(&o, "[a](../SKILL.md#usage) [b](forms.md) [c](./sub/../y.md?q=1#z) [d](sub/)\n",
		    "<p><a href=\"/skills/pdf/SKILL.md#usage\">a</a> "
		    "<a href=\"/skills/pdf/references/forms.md\">b</a> "
		    "<a href=\"/skills/pdf/references/y.md?q=1#z\">c</a> "
		    "<a href=\"/skills/pdf/references/sub/\">d</a></p>\n");
	/* left alone: fragments, absolute paths, other hosts, mail */
	expect_link(&o, "[a](#frag) [b](/abs) [c](//host/x) [d](https://x.org/y) [e](mailto:a@b.org) [f](?q=1)\n",
		    "<p><a href=\"#frag\">a</a> <a href=\"/abs\">b</a> <a href=\"//host/x\">c</a> "
		    "<a href=\"https://x.org/y\">d</a> <a href=\"mailto:a@b.org\">e</a> <a href=\"?q=1\">f</a></p>\n");
	/* climbing above the skill keeps only the text, also when percent-encoded */
	expect_link(&o, "[up](../../other/SKILL.md) [enc](%2e%2e/%2E%2e/x) [ok](..%2fx)\n",
		    "<p>up enc <a href=\"/skills/pdf/references/..%2fx\">ok</a></p>\n");
	/* images, spaces and entities in the URL */
	expect_link(&o, "![d](<../assets/a b.png> \"t\") ![e](x&amp;y.png)\n",
		    "<p><img src=\"/skills/pdf/assets/a%20b.png\" alt=\"d\" title=\"t\" /> "
		    "<img src=\"/skills/pdf/references/x&amp;y.png\" alt=\"e\" /></p>\n");
}
END_TEST

START_TEST(test_link_bases_and_defaults)
{
	struct render_opts o = { .link_base = "/skills/x", .image_base = "/api/v1/skills/x/files/" };

	expect_link(&o, "[a](references/r.md) ![i](assets/i.png) [b](./) [c](a\\b.md)\n",
		    "<p><a href=\"/skills/x/references/r.md\">a</a> "
		    "<img src=\"/api/v1/skills/x/files/assets/i.png\" alt=\"i\" /> "
		    "<a href=\"/skills/x/\">b</a> <a href=\"/skills/x/a/b.md\">c</a></p>\n");
	/* without a base, relative URLs stay as written */
	expect_html("[a](references/r.md) ![i](../i.png)\n",
		    "<p><a href=\"references/r.md\">a</a> <img src=\"../i.png\" alt=\"i\" /></p>\n");
}
END_TEST

/* ---- code blocks, alerts, links to the skill's files ---- */

START_TEST(test_code_blocks_highlighted)
{
	/* the language's class escaped, the code highlighted and escaped */
	expect_html("```java {title=x}\n@Override public String s() { return \"</code><script>\"; }\n```\n",
		    "<div class=\"code-block\"><pre tabindex=\"0\"><code class=\"language-java\"><span class=\"hl-m\">@Override"
		    "</span> <span class=\"hl-k\">public</span> <span class=\"hl-t\">String</span> "
		    "<span class=\"hl-f\">s</span>() { <span class=\"hl-k\">return</span> <span class=\"hl-s\">"
		    "\"&lt;/code&gt;&lt;script&gt;\"</span>; }\n</code></pre>" COPY_BUTTON "</div>\n");
	/* a language no one knows: its class, the code only escaped */
	expect_html("```nosuchlang\nif <x> then\n```\n",
		    "<div class=\"code-block\"><pre tabindex=\"0\"><code class=\"language-nosuchlang\">if &lt;x&gt; then\n"
		    "</code></pre>" COPY_BUTTON "</div>\n");
	/* a hostile info string stays inside its attribute */
	expect_html("```\"><img/src=x/onerror=alert(1)>\nx\n```\n",
		    "<div class=\"code-block\"><pre tabindex=\"0\"><code class=\"language-&quot;&gt;&lt;img/src=x/onerror=alert(1)&gt;\">"
		    "x\n</code></pre>" COPY_BUTTON "</div>\n");
	/* empty fence, tilde fence, a code block inside a list item */
	expect_html("```\n```\n", "<div class=\"code-block\"><pre tabindex=\"0\"><code></code></pre>" COPY_BUTTON "</div>\n");
	expect_html("- item\n\n  ~~~py\n  x = 1\n  ~~~\n",
		    "<ul>\n<li>\n<p>item</p>\n<div class=\"code-block\"><pre tabindex=\"0\"><code class=\"language-py\">x = "
		    "<span class=\"hl-n\">1</span>\n</code></pre>" COPY_BUTTON "</div>\n</li>\n</ul>\n");
}
END_TEST

/* The opening markup of an alert of kind name titled title. */
static char *alert_open(const char *name, const char *title)
{
	struct render_result r;
	char *md = xasprintf("> [!%s]\n> x\n", name);
	char *want_start = xasprintf("<div class=\"markdown-alert markdown-alert-%s\">"
				     "<p class=\"markdown-alert-title\">", name);
	char *title_end = xasprintf("\">%s</p>\n<p>x</p>\n</div>\n", title);
	char *out;

	render_n(md, strlen(md), NULL, &r);
	for (char *p = want_start; *p; p++) /* the class is lowercase whatever the marker's case */
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	ck_assert_msg(strncmp(r.html, want_start, strlen(want_start)) == 0, "%s: %s", name, r.html);
	ck_assert_msg(strstr(r.html, title_end) != NULL, "%s: %s", name, r.html);
	ck_assert_ptr_null(strstr(r.html, "blockquote"));
	ck_assert_ptr_null(strstr(r.html, "[!"));
	out = xstrdup(r.html);
	render_result_fini(&r);
	free(md);
	free(want_start);
	free(title_end);
	return out;
}

START_TEST(test_alerts_all_kinds)
{
	static const char *const kinds[][2] = {
		{ "NOTE", "Note" }, { "TIP", "Tip" }, { "IMPORTANT", "Important" },
		{ "WARNING", "Warning" }, { "CAUTION", "Caution" },
		{ "note", "Note" }, { "Warning", "Warning" },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		free(alert_open(kinds[i][0], kinds[i][1]));
	/* exactly, once: the marker line goes, trailing blanks and all */
	expect_html("> [!NOTE]   \n> Read *this*.\n",
		    "<div class=\"markdown-alert markdown-alert-note\"><p class=\"markdown-alert-title\">Note</p>\n"
		    "<p>Read <em>this</em>.</p>\n</div>\n");
}
END_TEST

START_TEST(test_alert_nested_content)
{
	struct render_result r;
	const char *md = "> [!WARNING]\n>\n> ## Heads up\n>\n> - one\n> - two `x`\n>\n"
			 "> ```sql\n> DROP TABLE t;\n> ```\n>\n> > quoted [!NOTE]\n>\n> | a | b |\n> |---|---|\n"
			 "> | 1 | 2 |\n\nAfter.\n";

	render_n(md, strlen(md), NULL, &r);
	ck_assert_msg(strncmp(r.html, "<div class=\"markdown-alert markdown-alert-warning\">", 51) == 0, "%s", r.html);
	ck_assert_ptr_nonnull(strstr(r.html, "\">Warning</p>\n<h2 id=\"heads-up\">Heads up</h2>\n<ul>\n<li>one</li>\n"
					     "<li>two <code>x</code></li>\n</ul>\n<div class=\"code-block\">"));
	ck_assert_ptr_nonnull(strstr(r.html, "<span class=\"hl-k\">DROP</span> <span class=\"hl-k\">TABLE</span> t;"));
	ck_assert_ptr_nonnull(strstr(r.html, "<blockquote>\n<p>quoted [!NOTE]</p>\n</blockquote>\n<table>"));
	ck_assert_ptr_nonnull(strstr(r.html, "</table>\n</div>\n<p>After.</p>\n"));
	/* the heading inside is in the table of contents */
	ck_assert_int_eq(cJSON_GetArraySize(r.toc), 1);
	render_result_fini(&r);
	/* two alerts in a row, each its own */
	md = "> [!TIP]\n> a\n\n> [!CAUTION]\n> b\n";
	render_n(md, strlen(md), NULL, &r);
	ck_assert_ptr_nonnull(strstr(r.html, "markdown-alert-tip"));
	ck_assert_ptr_nonnull(strstr(r.html, "\">Tip</p>\n<p>a</p>\n</div>\n<div class=\"markdown-alert markdown-alert-caution\">"));
	render_result_fini(&r);
}
END_TEST

START_TEST(test_alert_lookalikes_stay_quotes)
{
	static const char *const md[] = {
		"> [!NOTE] on the marker's line\n> more\n", /* text after the marker */
		"> [!NOTE]\n",                              /* nothing but the marker */
		"> [!NOTES]\n> x\n",                        /* no such kind */
		"> [!NOTE\n> x\n",                          /* not closed */
		"> [ !NOTE]\n> x\n",                        /* a space inside */
		"> **[!NOTE]**\n> x\n",                     /* emphasis around it */
		"> [!NOTE]: /x\n> x\n",                     /* a link reference definition */
		"> x\n> [!NOTE]\n> y\n",                    /* not the first line */
		"- > [!NOTE]\n  > in a list\n",             /* nested in a list, as on GitHub */
		"> > [!NOTE]\n> > in a quote\n",            /* nested in a quote */
		"[!NOTE]\nnot quoted\n",                    /* no quote at all */
		"> `[!NOTE]`\n> code span\n",
	};

	for (size_t i = 0; i < sizeof(md) / sizeof(md[0]); i++) {
		struct render_result r;

		render_n(md[i], strlen(md[i]), NULL, &r);
		ck_assert_msg(strstr(r.html, "markdown-alert") == NULL, "%s gave %s", md[i], r.html);
		render_result_fini(&r);
	}
	expect_html("> [!NOTE] on the line\n> more\n",
		    "<blockquote>\n<p>[!NOTE] on the line\nmore</p>\n</blockquote>\n");
}
END_TEST

START_TEST(test_alerts_stay_safe)
{
	struct render_result r;
	const char *md = "> [!IMPORTANT]\n> <script>alert(1)</script>\n> [x](javascript:alert(1)) "
			 "<img src=x onerror=alert(1)>\n>\n> <div class=\"markdown-alert\">\n";

	render_n(md, strlen(md), NULL, &r);
	ck_assert_ptr_nonnull(strstr(r.html, "markdown-alert-important"));
	ck_assert(!contains_ci(r.html, "<script"));
	ck_assert(!contains_ci(r.html, "javascript:"));
	ck_assert(!contains_ci(r.html, "onerror"));
	ck_assert(!contains_ci(r.html, "<img"));
	/* one alert div, the one render wrote */
	ck_assert_ptr_null(strstr(strstr(r.html, "markdown-alert") + 1, "<div class=\"markdown-alert"));
	render_result_fini(&r);
}
END_TEST

/* render_opts.file_exists for the links tests: a skill with SKILL.md,
 * references/x.md, references/sub/y.md, scripts/run.py and examples/before.md. */
static bool test_files(void *ctx, const char *path)
{
	static const char *const files[] = { "SKILL.md", "references/x.md", "references/sub/y.md",
					     "scripts/run.py", "examples/before.md" };

	(void)ctx;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(path, files[i]) == 0)
			return true;
	return false;
}

START_TEST(test_links_to_the_skill_files)
{
	struct render_opts o = { .link_base = "/skills/s/", .doc_dir = "references", .skill_md = "SKILL.md",
				 .file_exists = test_files };
	struct render_opts top = o;

	top.doc_dir = "";
	/* SKILL.md is the skill's page; other files keep their path below it */
	expect_link(&o, "[a](../SKILL.md) [b](../SKILL.md#usage) [c](./x.md#anchor) [d](../scripts/run.py) "
			"[e](sub/y.md)\n",
		    "<p><a href=\"/skills/s\">a</a> <a href=\"/skills/s#usage\">b</a> "
		    "<a href=\"/skills/s/references/x.md#anchor\">c</a> <a href=\"/skills/s/scripts/run.py\">d</a> "
		    "<a href=\"/skills/s/references/sub/y.md\">e</a></p>\n");
	expect_link(&top, "[a](SKILL.md) [b](./references/x.md#anchor) [c](examples/before.md)\n",
		    "<p><a href=\"/skills/s\">a</a> <a href=\"/skills/s/references/x.md#anchor\">b</a> "
		    "<a href=\"/skills/s/examples/before.md\">c</a></p>\n");
	/* escaping the skill: no link; absolute URLs: untouched; an image of SKILL.md is no page */
	expect_link(&o, "[u](../../SKILL.md) [v](../../../etc/passwd) [w](https://x.org/SKILL.md) "
			"[x](/etc/passwd) ![i](../SKILL.md)\n",
		    "<p>u v <a href=\"https://x.org/SKILL.md\">w</a> <a href=\"/etc/passwd\">x</a> "
		    "<img src=\"/skills/s/SKILL.md\" alt=\"i\" /></p>\n");
}
END_TEST

START_TEST(test_mentions_of_skill_files_become_links)
{
	struct render_opts o = { .link_base = "/skills/s/", .doc_dir = "references", .skill_md = "SKILL.md",
				 .file_exists = test_files };
	struct render_opts none = o;

	none.file_exists = NULL;
	/* from references/: the folder first, then the skill's root */
	expect_link(&o, "`references/x.md` `x.md` `./sub/y.md` `../SKILL.md` `SKILL.md` `scripts/run.py`\n",
		    "<p><a href=\"/skills/s/references/x.md\"><code>references/x.md</code></a> "
		    "<a href=\"/skills/s/references/x.md\"><code>x.md</code></a> "
		    "<a href=\"/skills/s/references/sub/y.md\"><code>./sub/y.md</code></a> "
		    "<a href=\"/skills/s\"><code>../SKILL.md</code></a> <a href=\"/skills/s\"><code>SKILL.md</code></a> "
		    "<a href=\"/skills/s/scripts/run.py\"><code>scripts/run.py</code></a></p>\n");
	/* no such file, a folder, escaping, absolute, schemes, spaces, already a link */
	expect_link(&o, "`nope.md` `references` `../../SKILL.md` `../../../etc/passwd` `/etc/passwd` "
			"`javascript:alert(1)` `references/x.md extra` `%2e%2e/SKILL.md` "
			"[`x.md`](https://x.org) `x.md#frag`\n",
		    "<p><code>nope.md</code> <code>references</code> <code>../../SKILL.md</code> "
		    "<code>../../../etc/passwd</code> <code>/etc/passwd</code> <code>javascript:alert(1)</code> "
		    "<code>references/x.md extra</code> <a href=\"/skills/s\"><code>%2e%2e/SKILL.md</code></a> "
		    "<a href=\"https://x.org\"><code>x.md</code></a> <code>x.md#frag</code></p>\n");
	/* without file_exists, nothing is linked */
	expect_link(&none, "`x.md`\n", "<p><code>x.md</code></p>\n");
	/* code blocks are never mentions */
	expect_link(&o, "```\nreferences/x.md\n```\n",
		    "<div class=\"code-block\"><pre tabindex=\"0\"><code>references/x.md\n</code></pre>" COPY_BUTTON "</div>\n");
}
END_TEST

/* ---- hostile input ---- */

START_TEST(test_unsafe_urls_lose_their_link)
{
	static const char *const cases[][2] = {
		{ "[x](javascript:alert(1))", "<p>x</p>\n" },
		{ "![x](javascript:alert(1))", "<p>x</p>\n" },
		{ "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n" },
		{ "[x](&#106;avascript:alert(1))", "<p>x</p>\n" },
		{ "[x](&#x6A;avascript&#58;alert(1))", "<p>x</p>\n" },
		{ "[x](javascript&colon;alert(1))", "<p>x</p>\n" },
		{ "[x](<java\tscript:alert(1)>)", "<p>x</p>\n" },
		{ "[x](<java&#9;script:alert(1)>)", "<p>x</p>\n" },
		{ "[x](<java&#10;script:alert(1)>)", "<p>x</p>\n" },
		{ "[x](<java&#13;script:alert(1)>)", "<p>x</p>\n" },
		{ "[x](< javascript:alert(1)>)", "<p>x</p>\n" },
		{ "[x](\x01javascript:alert(1))", "<p>x</p>\n" },
		{ "[x](&#1;javascript:alert(1))", "<p>x</p>\n" },
		{ "[x](vbscript:msgbox(1))", "<p>x</p>\n" },
		{ "[x](file:///etc/passwd)", "<p>x</p>\n" },
		{ "[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n" },
		{ "[x](data:image/png;base64,AAAA)", "<p>x</p>\n" },
		{ "![x](data:image/svg+xml,<svg/onload=alert(1)>)", "<p>x</p>\n" },
		{ "![x](data:image/svg+xml;base64,PHN2Zz4=)", "<p>x</p>\n" },
		{ "[x]\n\n[x]: javascript:alert(1)", "<p>x</p>\n" },
		{ "[**bold** x](javascript:alert(1) \"t\")", "<p><strong>bold</strong> x</p>\n" },
		{ "[![img](javascript:a)](javascript:b)", "<p>img</p>\n" },
		{ "[x](ftp://example.com/f)", "<p>x</p>\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct render_result r;

		render_n(cases[i][0], strlen(cases[i][0]), NULL, &r);
		ck_assert_msg(strcmp(r.html, cases[i][1]) == 0, "[%s] gave %s", cases[i][0], r.html);
		assert_inert(cases[i][0], r.html, true);
		render_result_fini(&r);
	}
	/* the only survivor is a raster data image */
	expect_html("![x](data:image/png;base64,AAAA)",
		    "<p><img src=\"data:image/png;base64,AAAA\" alt=\"x\" /></p>\n");
	/* an autolink to a script URL stays visible as inert text */
	expect_html("<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n");
	/* a title cannot break out of its attribute */
	expect_html("[x](/u \"a\\\" onmouseover=\\\"alert(1)\")",
		    "<p><a href=\"/u\" title=\"a&quot; onmouseover=&quot;alert(1)\">x</a></p>\n");
}
END_TEST

START_TEST(test_raw_html_is_omitted)
{
	static const char *const cases[][2] = {
		{ "<script>alert(1)</script>", "<!-- raw HTML omitted -->\n" },
		{ "a <script>alert(1)</script> b", "<p>a <!-- raw HTML omitted -->alert(1)<!-- raw HTML omitted --> b</p>\n" },
		{ "<img src=x onerror=alert(1)>", "<!-- raw HTML omitted -->\n" },
		{ "x <img src=x onerror=alert(1)>", "<p>x <!-- raw HTML omitted --></p>\n" },
		{ "<a href=\"javascript:alert(1)\">x</a>", "<p><!-- raw HTML omitted -->x<!-- raw HTML omitted --></p>\n" },
		{ "<iframe src=\"https://evil.example\"></iframe>", "<!-- raw HTML omitted -->\n" },
		{ "<style>body{display:none}</style>", "<!-- raw HTML omitted -->\n" },
		{ "<svg><script>alert(1)</script></svg>",
		  "<p><!-- raw HTML omitted --><!-- raw HTML omitted -->alert(1)"
		  "<!-- raw HTML omitted --><!-- raw HTML omitted --></p>\n" },
		{ "<div onmouseover=\"alert(1)\">\n\n*md*\n\n</div>",
		  "<!-- raw HTML omitted -->\n<p><em>md</em></p>\n<!-- raw HTML omitted -->\n" },
		{ "| <script>alert(1)</script> | b |\n|---|---|\n",
		  "<table>\n<thead>\n<tr>\n<th><!-- raw HTML omitted -->alert(1)<!-- raw HTML omitted --></th>\n"
		  "<th>b</th>\n</tr>\n</thead>\n</table>\n" },
		{ "# \"><img src=x onerror=alert(1)>", "<h1 id=\"section\">&quot;&gt;<!-- raw HTML omitted --></h1>\n" },
		{ "<!-- <script>alert(1)</script> -->", "<!-- raw HTML omitted -->\n" },
		{ "&lt;script&gt;alert(1)&lt;/script&gt;", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct render_result r;

		render_n(cases[i][0], strlen(cases[i][0]), NULL, &r);
		ck_assert_msg(strcmp(r.html, cases[i][1]) == 0, "[%s] gave %s", cases[i][0], r.html);
		assert_inert(cases[i][0], r.html, true);
		render_result_fini(&r);
	}
}
END_TEST

START_TEST(test_invalid_utf8_nul_bom_crlf)
{
	static const char md[] = "a\0b \xff\xfe c\xc3";
	struct render_result r;

	render_n(md, sizeof(md) - 1, NULL, &r);
	ck_assert_str_eq(r.html, "<p>a" FFFD "b " FFFD FFFD " c" FFFD "</p>\n");
	render_result_fini(&r);

	render_n("# T\xff\0x\n", 7, NULL, &r);
	ck_assert_str_eq(r.html, "<h1 id=\"tx\">T" FFFD FFFD "x</h1>\n");
	ck_assert_str_eq(r.title, "T" FFFD FFFD "x");
	render_result_fini(&r);

	expect_html("\xef\xbb\xbf# T\r\n\r\ntext\r\nmore\rend\r\n",
		    "<h1 id=\"t\">T</h1>\n<p>text\nmore\nend</p>\n");
	/* an empty document, and no input at all */
	expect_html("", "");
	ck_assert_int_eq(render_markdown(NULL, 0, NULL, &r), 0);
	ck_assert_str_eq(r.html, "");
	render_result_fini(&r);
	ck_assert_int_eq(render_markdown(NULL, 3, NULL, &r), -1);
	ck_assert_ptr_null(r.html);
	ck_assert_ptr_null(r.toc);
	render_result_fini(&r);
}
END_TEST

/* cmark-gfm 0.29 writes an undefined footnote reference over three lines
 * back as "[^" and the first byte of its label (found by fuzz_render). */
START_TEST(test_footnote_ref_output_stays_utf8)
{
	static const char md[] = "d[^\xef\xbf\xbd" "abc\n\xef\xbf\xbd\n\xef\xbf\xbdg]b\n";
	struct render_result r;

	render_n(md, sizeof(md) - 1, NULL, &r);
	ck_assert_msg(utf8_valid(r.html, r.html_len), "%s", r.html);
	ck_assert(strncmp(r.html, "<p>d[^", 6) == 0);
	render_result_fini(&r);

	/* the same text as a setext heading: its title and TOC text too */
	render_n("[^\n\xee\x80\x80g]\n=\n", 11, NULL, &r);
	ck_assert_msg(utf8_valid(r.html, r.html_len), "%s", r.html);
	ck_assert_ptr_nonnull(r.title);
	ck_assert_msg(utf8_valid(r.title, strlen(r.title)), "%s", r.title);
	ck_assert(strncmp(r.html, "<h1", 3) == 0);
	render_result_fini(&r);
}
END_TEST

/* What cmark-gfm itself does without CMARK_OPT_UNSAFE, our second line of
 * defence behind html_url_is_safe: unsafe URLs become empty, raw HTML is
 * omitted. Tab-split schemes pass it, which is why render filters too. */
START_TEST(test_cmark_safe_mode_baseline)
{
	static const char *const cases[][2] = {
		{ "[x](javascript:alert(1))", "<p><a href=\"\">x</a></p>\n" },
		{ "[x](JaVaScRiPt:alert(1))", "<p><a href=\"\">x</a></p>\n" },
		{ "[x](&#106;avascript:alert(1))", "<p><a href=\"\">x</a></p>\n" },
		{ "![x](vbscript:x)", "<p><img src=\"\" alt=\"x\" /></p>\n" },
		{ "[x](data:image/svg+xml;base64,x)", "<p><a href=\"\">x</a></p>\n" },
		{ "[x](<java\tscript:alert(1)>)", "<p><a href=\"java%09script:alert(1)\">x</a></p>\n" },
		{ "<script>alert(1)</script>", "<!-- raw HTML omitted -->\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *html = cmark_markdown_to_html(cases[i][0], strlen(cases[i][0]), CMARK_OPT_DEFAULT);

		ck_assert_msg(strcmp(html, cases[i][1]) == 0, "[%s] gave %s", cases[i][0], html);
		free(html);
	}
}
END_TEST

/* ---- limits ---- */

START_TEST(test_table_bomb_falls_back)
{
	/* 18 KB that cmark-gfm 0.29 would pad to 9 million cells (90 MB, 30 s) */
	char *head = repeat("<script>", "|a", 3000, "|\n");
	char *delim = repeat(head, "|-", 3000, "|\n");
	char *md = repeat(delim, "x\n", 3000, "");
	struct render_opts o = { 0 };
	struct diag_list d;
	struct render_result r;

	diag_list_init(&d);
	o.diags = &d;
	o.path = "references/big.md";
	render_n(md, strlen(md), &o, &r);
	/* the text itself, with "<script>" escaped (6 bytes more) */
	ck_assert_uint_eq(r.html_len, strlen("<pre class=\"markdown-source\">") + strlen(md) + 6 +
			  strlen("</pre>\n"));
	ck_assert(str_has_prefix(r.html, "<pre class=\"markdown-source\">&lt;script&gt;|a|a|"));
	ck_assert(str_has_suffix(r.html, "x\nx\n</pre>\n"));
	ck_assert_int_eq(cJSON_GetArraySize(r.toc), 0);
	ck_assert_uint_eq(d.len, 1);
	ck_assert_str_eq(d.items[0].code, "render-too-complex");
	ck_assert_str_eq(d.items[0].path, "references/big.md");
	ck_assert_str_eq(d.items[0].message, "not rendered as markdown: its tables are too large");
	render_result_fini(&r);
	diag_list_fini(&d);
	free(md);
	free(delim);
	free(head);

	/* one row of 100,000 cells: quadratic in cmark-gfm 0.29 */
	md = repeat("|a|\n|-|\n", "|", 100000, "\n");
	render_n(md, strlen(md), NULL, &r);
	ck_assert(str_has_prefix(r.html, "<pre class=\"markdown-source\">|a|"));
	render_result_fini(&r);
	free(md);

	/* 200 KB padded to a million cells (a node each): too many */
	md = repeat("|a|b|c|d|e|f|g|h|i|j|\n|-|-|-|-|-|-|-|-|-|-|\n", "x\n", 100000, "");
	render_n(md, strlen(md), NULL, &r);
	ck_assert(str_has_prefix(r.html, "<pre class=\"markdown-source\">|a|b|"));
	render_result_fini(&r);
	free(md);

	/* the same table with 1,000 rows is fine */
	md = repeat("|a|b|c|d|e|f|g|h|i|j|\n|-|-|-|-|-|-|-|-|-|-|\n", "x\n", 1000, "");
	render_n(md, strlen(md), NULL, &r);
	ck_assert_uint_eq(count_of(r.html, "<table>"), 1);
	ck_assert_uint_eq(count_of(r.html, "<th>"), 10);
	ck_assert_uint_eq(count_of(r.html, "<td>x</td>"), 1000);
	ck_assert_uint_eq(count_of(r.html, "<td></td>"), 9000);
	render_result_fini(&r);
	free(md);
}
END_TEST

START_TEST(test_reference_bomb_falls_back)
{
	/* 500 KB whose one reference would be expanded 100,000 times: cmark-gfm
	 * 0.29 aborts the process when its output passes 1 GiB */
	char *def = repeat("[a]: /", "u", 100000, "\n\n");
	char *md = repeat(def, "[a] ", 100000, "\n");
	struct render_opts o = { 0 };
	struct diag_list d;
	struct render_result r;

	diag_list_init(&d);
	o.diags = &d;
	render_n(md, strlen(md), &o, &r);
	ck_assert(str_has_prefix(r.html, "<pre class=\"markdown-source\">[a]: /uuu"));
	ck_assert_uint_eq(d.len, 1);
	ck_assert_str_eq(d.items[0].message,
			 "not rendered as markdown: its link references would expand to too much text");
	ck_assert_ptr_null(d.items[0].path);
	render_result_fini(&r);
	diag_list_fini(&d);
	free(md);
	free(def);

	/* the same shape at a sane size renders: 1,000 uses of a 1 KB URL */
	def = repeat("[a]: /", "u", 1000, "\n\n");
	md = repeat(def, "[a] ", 1000, "\n");
	render_n(md, strlen(md), NULL, &r);
	ck_assert_uint_eq(count_of(r.html, "<a href=\"/uuu"), 1000);
	render_result_fini(&r);
	free(md);
	free(def);
}
END_TEST

START_TEST(test_too_large_falls_back)
{
	size_t len = RENDER_MAX_INPUT + 1;
	char *md = xmalloc(len);
	struct render_opts o = { 0 };
	struct diag_list d;
	struct render_result r;

	memset(md, 'a', len);
	memcpy(md, "# <b>", 5);
	diag_list_init(&d);
	o.diags = &d;
	render_n(md, len, &o, &r);
	ck_assert(str_has_prefix(r.html, "<pre class=\"markdown-source\"># &lt;b&gt;aaa"));
	ck_assert_uint_eq(d.len, 1);
	ck_assert_str_eq(d.items[0].code, "render-too-large");
	ck_assert_str_eq(d.items[0].message,
			 "not rendered as markdown: 2097153 bytes, over the limit of 2097152");
	render_result_fini(&r);
	diag_list_fini(&d);
	free(md);
}
END_TEST

START_TEST(test_one_megabyte_document)
{
	const char *block = "## Section\n\nSome *text* with a [link](references/x.md), `code` and "
			    "www.example.com.\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\n- [ ] item\n- [x] done\n\n";
	size_t n = (1u << 20) / strlen(block) + 1;
	char *md = repeat("", block, n, "");
	struct render_opts o = { .link_base = "/skills/s/" };
	struct diag_list d;
	struct render_result r;
	char want[64];

	diag_list_init(&d);
	o.diags = &d;
	ck_assert_uint_eq(strlen(md), n * strlen(block));
	ck_assert_uint_ge(strlen(md), 1u << 20); /* n was chosen for this */
	render_n(md, strlen(md), &o, &r);
	ck_assert_uint_eq(d.len, 0);
	ck_assert_uint_eq(count_of(r.html, "<table>"), n);
	ck_assert_uint_eq(count_of(r.html, "<del>2</del>"), n);
	ck_assert_uint_eq(count_of(r.html, "<a href=\"/skills/s/references/x.md\">link</a>"), n);
	ck_assert_uint_eq(count_of(r.html, "checked=\"\" disabled=\"\""), n);
	ck_assert_uint_eq(count_of(r.html, "<h2 id=\"section"), n);
	snprintf(want, sizeof(want), "<h2 id=\"section-%zu\">", n - 1);
	ck_assert_uint_eq(count_of(r.html, want), 1);
	ck_assert_int_eq(cJSON_GetArraySize(r.toc), RENDER_TOC_MAX);
	render_result_fini(&r);
	diag_list_fini(&d);
	free(md);
}
END_TEST

START_TEST(test_deep_nesting)
{
	struct {
		const char *unit, *post, *open;
		size_t opens;
	} cases[] = {
		{ ">", "x\n", "<blockquote>", 100000 },
		{ "> ", "\n", "<blockquote>", 100000 },
		{ "- ", "x\n", "<ul>", 100000 },
		{ "1. ", "x\n", "<ol>", 100000 },
		{ "[", "x\n", "<a", 0 },
		{ "*a ", "\n", "<em>", 0 },
		{ "![", "x\n", "<img", 0 },
		{ "<", "x\n", "<!--", 0 },
		{ "`a` ", "\n", "<code>", 100000 },
		{ "x https://a.b ", "\n", "<a href=\"https://a.b\">", 100000 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *md = repeat("", cases[i].unit, 100000, cases[i].post);
		struct render_result r;

		render_n(md, strlen(md), NULL, &r);
		ck_assert_msg(count_of(r.html, cases[i].open) == cases[i].opens,
			      "case %zu: %zu of %s", i, count_of(r.html, cases[i].open), cases[i].open);
		render_result_fini(&r);
		free(md);
	}
}
END_TEST

START_TEST(test_many_identical_headings)
{
	char *md = repeat("", "# x\n", 100000, "");
	struct render_result r;

	render_n(md, strlen(md), NULL, &r);
	ck_assert_uint_eq(count_of(r.html, "<h1 id=\"x"), 100000);
	ck_assert_uint_eq(count_of(r.html, "<h1 id=\"x-99999\">x</h1>\n"), 1);
	ck_assert_int_eq(cJSON_GetArraySize(r.toc), RENDER_TOC_MAX);
	ck_assert_str_eq(r.title, "x");
	render_result_fini(&r);
	free(md);
}
END_TEST

/* ---- threads ---- */

struct thread_job {
	const char *md;
	const char *want;
	int mismatches;
};

/* Renders job->md 200 times and counts outputs that differ from want. */
static void *render_thread(void *arg)
{
	struct thread_job *job = arg;

	for (int i = 0; i < 200; i++) {
		struct render_result r;

		if (render_markdown(job->md, strlen(job->md), NULL, &r) != 0 || strcmp(r.html, job->want) != 0)
			job->mismatches++;
		render_result_fini(&r);
	}
	return NULL;
}

START_TEST(test_concurrent_renders_agree)
{
	/* strikethrough and autolinks depend on the table cmark-gfm flips per parse */
	const char *md = "# T\n\n~~a~~ www.example.com b:c https://x.org ~~d~~ x@y.org\n\n"
			 "| a |\n|---|\n| ~~b~~ |\n";
	struct render_result r;
	struct thread_job jobs[4];
	pthread_t th[4];

	render_n(md, strlen(md), NULL, &r);
	ck_assert_uint_eq(count_of(r.html, "<del>"), 3);
	ck_assert_uint_eq(count_of(r.html, "<a href"), 3);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct thread_job){ .md = md, .want = r.html };
		ck_assert_int_eq(pthread_create(&th[i], NULL, render_thread, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(jobs[i].mismatches, 0);
	}
	render_result_fini(&r);
}
END_TEST

/* ---- corpora ---- */

/* True when the line at p (spaces skipped) starts with '|'. */
static bool pipe_line(const char *p)
{
	return p[strspn(p, " ")] == '|';
}

/* True when the line at p is a delimiter row: '|', '-', ':' and spaces
 * only, starting with '|' and holding a '-'. */
static bool delimiter_row(const char *p)
{
	size_t n;

	p += strspn(p, " ");
	n = strcspn(p, "\r\n");
	return *p == '|' && strspn(p, "|-: ") >= n && memchr(p, '-', n) != NULL;
}

/* True when md holds a GFM table: a line starting with '|' followed by a
 * delimiter row. */
static bool has_pipe_table(const char *md)
{
	for (const char *line = md; line; ) {
		const char *next = strchr(line, '\n');

		if (next && pipe_line(line) && delimiter_row(next + 1))
			return true;
		line = next ? next + 1 : NULL;
	}
	return false;
}

START_TEST(test_corpus_files)
{
	const char *root = getenv("SKILLD_CORPORA");
	const char *patterns[] = { "/*/*/SKILL.md", "/*/*/references/*.md" };
	size_t files = 0, with_tables = 0;

	if (!root || !*root) {
		fprintf(stderr, "render: SKILLD_CORPORA not set, corpus files skipped\n");
		return;
	}
	for (size_t k = 0; k < 2; k++) {
		char *pat = xasprintf("%s%s", root, patterns[k]);
		glob_t g;

		ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct render_opts o = { .link_base = "/skills/x/", .doc_dir = k ? "references" : "" };
			struct diag_list d;
			struct render_result r;
			size_t len;
			char *md = tu_read(g.gl_pathv[i], &len);

			diag_list_init(&d);
			o.diags = &d;
			render_n(md, len, &o, &r);
			ck_assert_msg(d.len == 0, "%s: %s", g.gl_pathv[i], d.len ? d.items[0].message : "");
			assert_inert(g.gl_pathv[i], r.html, false);
			if (has_pipe_table(md)) {
				with_tables++;
				ck_assert_msg(strstr(r.html, "<table>") != NULL, "%s: no <table>", g.gl_pathv[i]);
			}
			files++;
			render_result_fini(&r);
			diag_list_fini(&d);
			free(md);
		}
		globfree(&g);
		free(pat);
	}
	/* shared/corpora: booklib-1.0.0 and booklib-head */
	ck_assert_uint_eq(files, 115);
	ck_assert_uint_eq(with_tables, 77);
}
END_TEST

Suite *render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("core");
	TCase *big = tcase_create("big");

	render_init();
	tcase_add_test(tc, test_remote_images_become_links);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_strikethrough_tasks_autolinks);
	tcase_add_test(tc, test_code_fences_and_footnotes);
	tcase_add_test(tc, test_heading_ids_and_duplicates);
	tcase_add_test(tc, test_slug_rules);
	tcase_add_test(tc, test_long_heading_ids_are_cut);
	tcase_add_test(tc, test_toc_and_title);
	tcase_add_test(tc, test_heading_anchors);
	tcase_add_test(tc, test_relative_links_rewritten);
	tcase_add_test(tc, test_link_bases_and_defaults);
	tcase_add_test(tc, test_code_blocks_highlighted);
	tcase_add_test(tc, test_alerts_all_kinds);
	tcase_add_test(tc, test_alert_nested_content);
	tcase_add_test(tc, test_alert_lookalikes_stay_quotes);
	tcase_add_test(tc, test_alerts_stay_safe);
	tcase_add_test(tc, test_links_to_the_skill_files);
	tcase_add_test(tc, test_mentions_of_skill_files_become_links);
	tcase_add_test(tc, test_unsafe_urls_lose_their_link);
	tcase_add_test(tc, test_raw_html_is_omitted);
	tcase_add_test(tc, test_invalid_utf8_nul_bom_crlf);
	tcase_add_test(tc, test_cmark_safe_mode_baseline);
	suite_add_tcase(s, tc);

	/* generous limits: a quadratic step would take minutes here */
	tcase_set_timeout(big, 120);
	tcase_add_test(big, test_table_bomb_falls_back);
	tcase_add_test(big, test_reference_bomb_falls_back);
	tcase_add_test(big, test_too_large_falls_back);
	tcase_add_test(big, test_one_megabyte_document);
	tcase_add_test(big, test_deep_nesting);
	tcase_add_test(big, test_many_identical_headings);
	tcase_add_test(big, test_footnote_ref_output_stays_utf8);
	tcase_add_test(big, test_concurrent_renders_agree);
	tcase_add_test(big, test_corpus_files);
	suite_add_tcase(s, big);
	return s;
}
