/* SPDX-License-Identifier: MIT */
/*
 * Tests for html: text and attribute escaping with hostile strings, invalid
 * UTF-8, NUL and control characters; path-segment encoding; the URL scheme
 * allowlist; html_printf's escaping of %s.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/html.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

Suite *html_suite(void);

#define FFFD "\xef\xbf\xbd"

/* Escapes s[0..len) for text and returns the result (free()). */
static char *text_n(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b);
	html_escape_text(&b, s, len);
	return buf_detach(&b, NULL);
}

/* Escapes s[0..len) for an attribute and returns the result (free()). */
static char *attr_n(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b);
	html_escape_attr(&b, s, len);
	return buf_detach(&b, NULL);
}

/* Encodes s[0..len) as a path segment and returns the result (free()). */
static char *seg_n(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b);
	html_url_path_segment(&b, s, len);
	return buf_detach(&b, NULL);
}

/* Asserts that f(s) equals want, for one of the helpers above. */
static void expect(char *(*f)(const char *, size_t), const char *s, size_t len, const char *want)
{
	char *got = f(s, len);

	ck_assert_str_eq(got, want);
	ck_assert(utf8_valid(got, strlen(got)));
	free(got);
}

#define EXPECT(f, lit, want) expect(f, lit, sizeof(lit) - 1, want)

START_TEST(test_text_escapes_markup_only)
{
	EXPECT(text_n, "a & b < c > d \"q\" 'x'", "a &amp; b &lt; c &gt; d \"q\" 'x'");
	EXPECT(text_n, "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	EXPECT(text_n, "&amp; stays literal", "&amp;amp; stays literal");
	EXPECT(text_n, "", "");
	EXPECT(text_n, "plain", "plain");
	/* valid multi-byte text passes through untouched */
	EXPECT(text_n, "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xef\xbf\xbd",
	       "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xef\xbf\xbd");
}
END_TEST

START_TEST(test_attr_escapes_quotes)
{
	EXPECT(attr_n, "a & b < c > d \"q\" 'x'", "a &amp; b &lt; c &gt; d &quot;q&quot; &#39;x&#39;");
	EXPECT(attr_n, "\"><img src=x onerror=alert(1)>",
	       "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	EXPECT(attr_n, "' onmouseover='alert(1)", "&#39; onmouseover=&#39;alert(1)");
	/* escaping does not judge URLs: that is html_url_is_safe's job */
	EXPECT(attr_n, "javascript:alert(1)", "javascript:alert(1)");
}
END_TEST

START_TEST(test_invalid_utf8_nul_and_controls)
{
	EXPECT(text_n, "a\xff" "b\xc3(", "a" FFFD "b" FFFD "(");
	EXPECT(text_n, "\xc0\xaf", FFFD FFFD);                 /* overlong '/' */
	EXPECT(text_n, "\xed\xa0\x80", FFFD FFFD FFFD);        /* surrogate */
	EXPECT(text_n, "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* above U+10FFFF */
	EXPECT(text_n, "x\xe2\x82", "x" FFFD FFFD);            /* truncated at the end */
	EXPECT(text_n, "\xe2\x82<", FFFD FFFD "&lt;");          /* truncated before markup */
	EXPECT(text_n, "a\0b", "a" FFFD "b");
	EXPECT(attr_n, "\"\0\"", "&quot;" FFFD "&quot;");
	EXPECT(text_n, "\x01\x1b\x7f\xc2\x80\xc2\x9f", FFFD FFFD FFFD FFFD FFFD);
	EXPECT(text_n, "\t\n\r\f", "\t\n\r\f");
	EXPECT(text_n, "\xc2\xa0", "\xc2\xa0"); /* U+00A0 is not a control */
}
END_TEST

START_TEST(test_escaping_appends)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "<p>");
	html_escape_text(&b, "<b>", 3);
	html_escape_attr(&b, "x\"y", 2); /* length is honoured: only x" */
	buf_puts(&b, "</p>");
	ck_assert_str_eq(b.data, "<p>&lt;b&gt;x&quot;</p>");
	ck_assert_uint_eq(b.len, strlen(b.data));
	buf_fini(&b);
}
END_TEST

START_TEST(test_path_segment)
{
	EXPECT(seg_n, "review-checklist.md", "review-checklist.md");
	EXPECT(seg_n, "A-Z_a~z.0", "A-Z_a~z.0");
	EXPECT(seg_n, "hello world/..?#%&+=\"<'", "hello%20world%2F..%3F%23%25%26%2B%3D%22%3C%27");
	EXPECT(seg_n, "caf\xc3\xa9", "caf%C3%A9");
	EXPECT(seg_n, "\xf0\x9f\x98\x80", "%F0%9F%98%80");
	EXPECT(seg_n, "a\xff" "b", "a%EF%BF%BDb");
	EXPECT(seg_n, "a\0b", "a%EF%BF%BDb");
	EXPECT(seg_n, "\n\x7f", "%0A%7F");
	EXPECT(seg_n, "javascript:alert(1)", "javascript%3Aalert%281%29");
	EXPECT(seg_n, "", "");
}
END_TEST

START_TEST(test_url_allowlist_links)
{
	static const char *const safe[] = {
		"", "foo.md", "references/x.md", "../SKILL.md", "/abs/path", "//host/x",
		"#frag", "?q=1", "http://example.com", "HTTPS://example.com/a?b#c",
		"mailto:a@example.com", "1abc:foo", "a/b:c", "a?b:c", "a#b:c",
		"%01javascript:alert(1)", "java%0Ascript:alert(1)",
		"averyveryverylongfilename.with.dots.md",
	};
	static const char *const unsafe[] = {
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", "JAVASCRIPT:alert(1)",
		" javascript:alert(1)", "\x01javascript:alert(1)", "\x1f\x20javascript:alert(1)",
		"java\tscript:alert(1)", "java\nscript:alert(1)", "jav\r\nascript:alert(1)",
		"javascript\t:alert(1)", "vbscript:msgbox(1)", "VBScript:x", "file:///etc/passwd",
		"data:text/html,<script>alert(1)</script>", "data:image/png;base64,AAAA",
		"ftp://example.com", "tel:123", "averyveryverylongscheme:x", "x-y+z.w:1",
	};

	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		ck_assert_msg(html_url_is_safe(safe[i], false), "should be safe: %s", safe[i]);
	for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		ck_assert_msg(!html_url_is_safe(unsafe[i], false), "should be unsafe: %s", unsafe[i]);
}
END_TEST

START_TEST(test_url_allowlist_images)
{
	ck_assert(html_url_is_safe("data:image/png;base64,AAAA", true));
	ck_assert(html_url_is_safe("DATA:IMAGE/JPEG;base64,AAAA", true));
	ck_assert(html_url_is_safe("data:image/gif,x", true));
	ck_assert(html_url_is_safe("data:image/webp;base64,x", true));
	ck_assert(html_url_is_safe("data:image/pn\tg;base64,x", true)); /* tab ignored */
	ck_assert(html_url_is_safe("assets/diagram.png", true));
	ck_assert(html_url_is_safe("https://example.com/a.png", true));
	ck_assert(!html_url_is_safe("data:image/svg+xml,<svg onload=alert(1)>", true));
	ck_assert(!html_url_is_safe("data:image/png", true));
	ck_assert(!html_url_is_safe("data:image/pngx;base64,x", true));
	ck_assert(!html_url_is_safe("data:text/html;base64,PHNjcmlwdD4=", true));
	ck_assert(!html_url_is_safe("javascript:alert(1)", true));
}
END_TEST

START_TEST(test_printf_escapes_arguments)
{
	const char *volatile none = NULL; /* volatile: a literal NULL draws a warning */
	struct buf b;

	buf_init(&b);
	html_printf(&b, "<a href=\"/skills/%s\" title='%s'>%s</a>", "x\"y", "it's", "<script>");
	ck_assert_str_eq(b.data,
			 "<a href=\"/skills/x&quot;y\" title='it&#39;s'>&lt;script&gt;</a>");
	buf_reset(&b);
	html_printf(&b, "%d|%i|%u|%x|%ld|%lld|%zu|%zd|%c|%c|%%|%.*s|%s|", -3, 4, 5u, 255u,
		    -6L, 7LL, (size_t)8, (ssize_t)-9, '<', 'z', 3, "a<bcdef", none);
	ck_assert_str_eq(b.data, "-3|4|5|ff|-6|7|8|-9|&lt;|z|%|a&lt;b||");
	buf_reset(&b);
	html_printf(&b, "%s", "bad\xff\0ignored");
	ck_assert_str_eq(b.data, "bad" FFFD);
	buf_fini(&b);
}
END_TEST

Suite *html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_text_escapes_markup_only);
	tcase_add_test(tc, test_attr_escapes_quotes);
	tcase_add_test(tc, test_invalid_utf8_nul_and_controls);
	tcase_add_test(tc, test_escaping_appends);
	tcase_add_test(tc, test_path_segment);
	tcase_add_test(tc, test_url_allowlist_links);
	tcase_add_test(tc, test_url_allowlist_images);
	tcase_add_test(tc, test_printf_escapes_arguments);
	suite_add_tcase(s, tc);
	return s;
}
