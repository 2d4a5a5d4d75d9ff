/* SPDX-License-Identifier: MIT */
/*
 * fuzz_render: libFuzzer target for render_markdown (markdown to safe HTML).
 * The first input byte picks the options (link base, document folder,
 * heading anchors); the rest is the markdown. The harness checks what the
 * module promises a page: the HTML is valid UTF-8, holds no <script> (nor
 * another tag that runs or loads code), no attribute whose name starts with
 * "on", and no href or src whose scheme is javascript:, vbscript: or file:
 * once entities and blanks are taken out as a browser would. The TOC and
 * title are rendered and freed so ASan and LeakSanitizer see them.
 * Single threaded.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"
#include "skilld/indexing/render.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg, const char *html)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n%s\n", msg, html ? html : "");
		abort();
	}
}

/* Decodes the attribute value v[0..n) as a browser would for its scheme:
 * character references (numeric, &amp; &colon; &tab; &newline;) decoded,
 * ASCII blanks and control characters dropped, letters lowercased. Only
 * the first 32 bytes matter. */
static void url_scheme_view(const char *v, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < cap;) {
		unsigned long c = (unsigned char)v[i];

		if (c == '&') {
			size_t j = i + 1;

			if (j < n && v[j] == '#') {
				int base = 10;

				j++;
				if (j < n && (v[j] == 'x' || v[j] == 'X')) {
					base = 16;
					j++;
				}
				c = 0;
				while (j < n && isxdigit((unsigned char)v[j]) &&
				       (base == 16 || isdigit((unsigned char)v[j]))) {
					c = c * (unsigned long)base +
					    (unsigned long)(isdigit((unsigned char)v[j]) ?
							    v[j] - '0' :
							    (tolower((unsigned char)v[j]) - 'a' + 10));
					if (c > 0x10FFFF)
						c = 0x10FFFF;
					j++;
				}
			} else if (n - j >= 4 && !strncasecmp(v + j, "amp;", 4)) {
				c = '&';
				j += 3;
			} else if (n - j >= 6 && !strncasecmp(v + j, "colon;", 6)) {
				c = ':';
				j += 5;
			} else if (n - j >= 4 && !strncasecmp(v + j, "tab;", 4)) {
				c = '\t';
				j += 3;
			} else if (n - j >= 8 && !strncasecmp(v + j, "newline;", 8)) {
				c = '\n';
				j += 7;
			} else {
				j = i;
			}
			if (j < n && v[j] == ';')
				j++;
			i = j > i ? j : i + 1;
		} else {
			i++;
		}
		if (c <= 0x20 || c == 0x7f)
			continue;
		out[o++] = (char)tolower((int)(c & 0xff));
	}
	out[o] = '\0';
}

/* Checks one attribute of a tag. */
static void check_attr(const char *name, size_t nlen, const char *val, size_t vlen,
		       const char *html)
{
	char scheme[33];

	fuzz_require(!(nlen >= 2 && !strncasecmp(name, "on", 2)), "an on* attribute", html);
	if (!((nlen == 4 && !strncasecmp(name, "href", 4)) ||
	      (nlen == 3 && !strncasecmp(name, "src", 3)) ||
	      (nlen == 6 && !strncasecmp(name, "action", 6)) ||
	      (nlen == 10 && !strncasecmp(name, "formaction", 10))))
		return;
	url_scheme_view(val, vlen, scheme, sizeof(scheme));
	fuzz_require(strncmp(scheme, "javascript:", 11) != 0, "a javascript: URL", html);
	fuzz_require(strncmp(scheme, "vbscript:", 9) != 0, "a vbscript: URL", html);
	fuzz_require(strncmp(scheme, "file:", 5) != 0, "a file: URL", html);
	fuzz_require(strncmp(scheme, "data:text", 9) != 0, "a data:text URL", html);
}

/* Walks the tags of html and checks their names and attributes. Text is
 * escaped by cmark-gfm, so every '<' starts a tag or a comment. */
static void check_html(const char *html, size_t len)
{
	static const char *const banned[] = { "script", "iframe", "object", "embed", "style",
					      "base", "meta", "link", "form", "svg", "math" };
	size_t i = 0;

	while (i < len) {
		const char *lt = memchr(html + i, '<', len - i);
		size_t j, nlen;

		if (!lt)
			break;
		i = (size_t)(lt - html) + 1;
		if (len - i >= 3 && !memcmp(html + i, "!--", 3)) {
			const char *end = strstr(html + i + 3, "-->");

			fuzz_require(end != NULL, "an unclosed comment", html);
			i = (size_t)(end - html) + 3;
			continue;
		}
		if (i < len && html[i] == '/')
			i++;
		for (j = i; j < len && isalnum((unsigned char)html[j]); j++)
			;
		nlen = j - i;
		fuzz_require(nlen > 0, "a '<' that starts no tag", html);
		for (size_t b = 0; b < sizeof(banned) / sizeof(banned[0]); b++)
			fuzz_require(!(nlen == strlen(banned[b]) &&
				       !strncasecmp(html + i, banned[b], nlen)),
				     "a banned tag", html);
		/* Attributes up to '>'. */
		i = j;
		for (;;) {
			size_t ns, ne, vs = 0, ve = 0;

			while (i < len && (html[i] == ' ' || html[i] == '\n' || html[i] == '\t' ||
					   html[i] == '/'))
				i++;
			fuzz_require(i < len, "an unclosed tag", html);
			if (html[i] == '>') {
				i++;
				break;
			}
			ns = i;
			while (i < len && html[i] != '=' && html[i] != '>' && html[i] != ' ' &&
			       html[i] != '/')
				i++;
			ne = i;
			if (i < len && html[i] == '=') {
				char q;

				i++;
				fuzz_require(i < len && (html[i] == '"' || html[i] == '\''),
					     "an unquoted attribute", html);
				q = html[i++];
				vs = i;
				while (i < len && html[i] != q)
					i++;
				fuzz_require(i < len, "an unclosed attribute value", html);
				ve = i++;
			}
			check_attr(html + ns, ne - ns, html + vs, ve - vs, html);
		}
	}
}

/* render_opts.file_exists for the harness: every path of an odd length is
 * a file of the skill, so code spans become links or stay spans. */
static bool fuzz_file_exists(void *ctx, const char *path)
{
	(void)ctx;
	return strlen(path) % 2 == 1;
}

/* Renders data[1..size) with options picked by data[0], checks the HTML. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dirs[] = { NULL, "", "references", "references/deep/er" };
	struct render_opts opts = { 0 };
	struct render_result r;
	struct diag_list diags;
	unsigned flags = size ? data[0] : 0;
	const char *md = size ? (const char *)data + 1 : "";
	size_t len = size ? size - 1 : 0;
	char *toc;

	diag_list_init(&diags);
	if (flags & 1) {
		opts.link_base = "/skills/fuzz/";
		opts.skill_md = "SKILL.md";
		opts.file_exists = fuzz_file_exists;
	}
	if (flags & 2)
		opts.image_base = "/skills/fuzz/raw";
	opts.doc_dir = dirs[(flags >> 2) & 3];
	opts.heading_anchors = flags & 16;
	opts.diags = (flags & 32) ? &diags : NULL;
	opts.path = (flags & 64) ? "references/x.md" : NULL;

	fuzz_require(render_markdown(md, len, (flags & 128) ? NULL : &opts, &r) == 0,
		     "render_markdown failed", NULL);
	fuzz_require(r.html != NULL && strlen(r.html) == r.html_len, "html_len", r.html);
	fuzz_require(utf8_valid(r.html, r.html_len), "HTML is not valid UTF-8", r.html);
	fuzz_require(cJSON_IsArray(r.toc), "toc is not an array", r.html);
	fuzz_require(!r.title || utf8_valid(r.title, strlen(r.title)), "title UTF-8", r.html);
	check_html(r.html, r.html_len);
	toc = cJSON_PrintUnformatted(r.toc);
	free(toc);
	for (size_t i = 0; i < diags.len; i++) {
		cJSON *d = diag_to_json(&diags.items[i]);
		char *s = cJSON_PrintUnformatted(d);

		free(s);
		cJSON_Delete(d);
	}
	render_result_fini(&r);
	diag_list_fini(&diags);
	return 0;
}
