/* SPDX-License-Identifier: MIT */
/*
 * html: HTML text and attribute escaping, URL path-segment encoding, the
 * URL scheme allowlist and a printf whose %s is escaped (contracts in
 * include/skilld/html.h). Everything decodes its input as UTF-8 with
 * text's decoder, so invalid bytes are replaced the same way everywhere.
 * No global state; safe from any thread.
 */
#include "skilld/base/html.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "skilld/base/text.h"

#define REPLACEMENT_UTF8 "\xef\xbf\xbd"
#define SCHEME_MAX 16

/* Which characters html_escape_one must replace with an entity. */
enum escape_mode {
	ESCAPE_TEXT,
	ESCAPE_ATTR,
};

/* The code point at p[0..n) (n > 0) in *cp and the bytes it uses: a byte
 * that does not start a well-formed sequence (utf8_decode) gives U+FFFD and
 * uses that one byte; so does NUL. */
static size_t decode_one(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len = utf8_decode((const char *)p, n, cp);

	if (len == 0 || *cp == 0) {
		*cp = 0xfffd;
		return 1;
	}
	return len;
}

/* True for code points a page must not carry raw: C0 controls other than
 * tab, LF, FF and CR, DEL, and the C1 controls. */
static bool is_unwanted_control(uint32_t cp)
{
	if (cp < 0x20)
		return cp != '\t' && cp != '\n' && cp != '\f' && cp != '\r';
	return cp >= 0x7f && cp <= 0x9f;
}

/* The entity for an ASCII byte in the given mode, or NULL when the byte is
 * copied as it is. */
static const char *entity_for(unsigned char c, enum escape_mode mode)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return mode == ESCAPE_ATTR ? "&quot;" : NULL;
	case '\'':
		return mode == ESCAPE_ATTR ? "&#39;" : NULL;
	default:
		return NULL;
	}
}

/* The common loop of html_escape_text and html_escape_attr: runs of bytes
 * that need nothing are appended in one piece. */
static void escape(struct buf *b, const char *s, size_t len, enum escape_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* start of the pending run of plain bytes */
	size_t i = 0;

	while (i < len) {
		const char *rep = NULL;
		uint32_t cp;
		size_t n;

		if (p[i] >= 0x20 && p[i] < 0x7f) {
			rep = entity_for(p[i], mode);
			if (!rep) {
				i++;
				continue;
			}
			n = 1;
		} else {
			n = decode_one(p + i, len - i, &cp);
			if (cp == 0xfffd || is_unwanted_control(cp))
				rep = REPLACEMENT_UTF8;
			if (!rep) {
				i += n;
				continue;
			}
		}
		buf_append(b, p + run, i - run);
		buf_puts(b, rep);
		i += n;
		run = i;
	}
	buf_append(b, p + run, len - run);
}

void html_escape_text(struct buf *b, const char *s, size_t len)
{
	escape(b, s, len, ESCAPE_TEXT);
}

void html_escape_attr(struct buf *b, const char *s, size_t len)
{
	escape(b, s, len, ESCAPE_ATTR);
}

/* True for the unreserved characters of RFC 3986. */
static bool is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

void html_url_path_segment(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		const unsigned char *bytes = p + i;
		uint32_t cp;
		size_t n = decode_one(p + i, len - i, &cp);

		i += n;
		if (n == 1 && is_unreserved(bytes[0])) {
			buf_putc(b, (char)bytes[0]);
			continue;
		}
		if (cp == 0xfffd && n == 1) {
			/* invalid byte or NUL: encode the replacement character */
			bytes = (const unsigned char *)REPLACEMENT_UTF8;
			n = 3;
		}
		for (size_t k = 0; k < n; k++) {
			char pct[3] = { '%', hex[bytes[k] >> 4], hex[bytes[k] & 0xf] };

			buf_append(b, pct, sizeof(pct));
		}
	}
}

/* Reads the scheme of url the way a browser's URL parser does (leading C0
 * controls and spaces skipped, tab, LF and CR ignored, ASCII lowercased)
 * into scheme (NUL terminated). Returns the offset just past the ':' when
 * there is a scheme, 0 when there is none, and -1 for a scheme too long to
 * be one we know. */
static long url_scheme(const char *url, char scheme[SCHEME_MAX])
{
	const unsigned char *p = (const unsigned char *)url;
	size_t i = 0, n = 0;
	bool too_long = false;

	while (p[i] && p[i] <= 0x20)
		i++;
	for (; p[i]; i++) {
		unsigned char c = p[i];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == ':')
			break;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') ||
		      (n > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))))
			return 0;
		if (n + 1 < SCHEME_MAX)
			scheme[n++] = (char)c;
		else
			too_long = true;
	}
	scheme[n] = '\0';
	if (p[i] != ':' || n == 0)
		return 0;
	return too_long ? -1 : (long)i + 1;
}

/* True when rest (what follows "data:") names a raster image type that a
 * browser never runs as a document or script. */
static bool is_safe_data_image(const char *rest)
{
	static const char *const types[] = { "image/png", "image/gif", "image/jpeg", "image/webp" };
	char head[16];
	size_t n = 0;

	/* lowercase the start, dropping what a browser ignores */
	for (const char *q = rest; *q && n + 1 < sizeof(head); q++) {
		char c = *q;

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		head[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	head[n] = '\0';
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t tl = strlen(types[i]);

		if (strncmp(head, types[i], tl) == 0 && (head[tl] == ';' || head[tl] == ','))
			return true;
	}
	return false;
}

bool html_url_is_safe(const char *url, bool image)
{
	char scheme[SCHEME_MAX];
	long end = url_scheme(url, scheme);

	if (end == 0)
		return true;
	if (end < 0)
		return false;
	if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
	    strcmp(scheme, "mailto") == 0)
		return true;
	return image && strcmp(scheme, "data") == 0 && is_safe_data_image(url + end);
}

/* Length modifiers html_printf understands. */
enum len_mod {
	LEN_NONE,
	LEN_L,
	LEN_LL,
	LEN_Z,
};

/* Formats one integer conversion (d i u x) taking its argument from ap. */
static void put_integer(struct buf *b, char conv, enum len_mod mod, va_list *ap)
{
	long long sv = 0;
	unsigned long long uv = 0;

	if (conv == 'd' || conv == 'i') {
		switch (mod) {
		case LEN_NONE:
			sv = va_arg(*ap, int);
			break;
		case LEN_L:
			sv = va_arg(*ap, long);
			break;
		case LEN_LL:
			sv = va_arg(*ap, long long);
			break;
		case LEN_Z:
			sv = va_arg(*ap, ssize_t);
			break;
		}
		buf_printf(b, "%lld", sv);
		return;
	}
	switch (mod) {
	case LEN_NONE:
		uv = va_arg(*ap, unsigned);
		break;
	case LEN_L:
		uv = va_arg(*ap, unsigned long);
		break;
	case LEN_LL:
		uv = va_arg(*ap, unsigned long long);
		break;
	case LEN_Z:
		uv = va_arg(*ap, size_t);
		break;
	}
	if (conv == 'x')
		buf_printf(b, "%llx", uv);
	else
		buf_printf(b, "%llu", uv);
}

void html_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	const char *p = fmt;

	va_start(ap, fmt);
	while (*p) {
		const char *pct = strchr(p, '%');
		enum len_mod mod = LEN_NONE;
		bool star = false;

		if (!pct) {
			buf_puts(b, p);
			break;
		}
		buf_append(b, p, (size_t)(pct - p));
		p = pct + 1;
		if (p[0] == '.' && p[1] == '*') {
			star = true;
			p += 2;
		}
		if (p[0] == 'l' && p[1] == 'l') {
			mod = LEN_LL;
			p += 2;
		} else if (p[0] == 'l') {
			mod = LEN_L;
			p++;
		} else if (p[0] == 'z') {
			mod = LEN_Z;
			p++;
		}
		if (*p == 's' && mod == LEN_NONE) {
			int prec = star ? va_arg(ap, int) : -1;
			const char *s = va_arg(ap, const char *);

			if (s)
				html_escape_attr(b, s, prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s));
		} else if (*p == '%' && !star && mod == LEN_NONE) {
			buf_putc(b, '%');
		} else if (*p == 'c' && !star && mod == LEN_NONE) {
			char c = (char)va_arg(ap, int);

			html_escape_attr(b, &c, 1);
		} else if ((*p == 'd' || *p == 'i' || *p == 'u' || *p == 'x') && !star) {
			put_integer(b, *p, mod, &ap);
		} else {
			/* unsupported conversion: stop before reading a wrong argument */
			assert(!"html_printf: unsupported conversion");
			break;
		}
		p++;
	}
	va_end(ap);
}
