/* SPDX-License-Identifier: MIT */
/*
 * html: every piece of HTML escaping in skilld, in one place. Text that is
 * not HTML written by skilld itself reaches a page only through these
 * functions (or through render, whose output is already safe). All of them
 * append to a struct buf, keep no state and are safe from any thread.
 *
 * Input is read as UTF-8. Every byte that is not part of a well-formed
 * sequence, and every NUL, comes out as U+FFFD: no raw invalid byte ever
 * reaches a page or a URL.
 */
#ifndef SKILLD_HTML_H
#define SKILLD_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "skilld/base/util.h"

/*
 * Appends s[0..len) for element content (between tags): & < > become
 * &amp; &lt; &gt;. Control characters other than tab, line feed, form feed
 * and carriage return (C0, DEL and C1), NUL and invalid UTF-8 become U+FFFD.
 * Not for attribute values: use html_escape_attr there.
 */
void html_escape_text(struct buf *b, const char *s, size_t len);

/*
 * Appends s[0..len) for a quoted attribute value (either quote): as
 * html_escape_text, and " ' become &quot; &#39;. The caller writes the
 * quotes. Safe in element content too. An attribute that holds a URL also
 * needs html_url_is_safe (escaping does not stop `javascript:`).
 */
void html_escape_attr(struct buf *b, const char *s, size_t len);

/*
 * Appends s[0..len) percent-encoded as one URL path segment: everything but
 * the unreserved ALPHA DIGIT - . _ ~ becomes %XX (uppercase hex) of its
 * UTF-8 bytes, so '/', '?', '#', '%' and spaces are encoded. The same rule
 * suits a query-string name or value. NUL and invalid UTF-8 are encoded as
 * U+FFFD (%EF%BF%BD). The result is plain ASCII and needs no further HTML
 * escaping. "." and ".." stay as they are and are dot segments to a
 * browser: callers never pass them (no file or slug is named so).
 */
void html_url_path_segment(struct buf *b, const char *s, size_t len);

/*
 * True when url (NUL terminated) may be the target of a link (image false)
 * or the source of an image (image true) on a page. A URL without a scheme
 * (relative path, "/path", "//host", "?query", "#fragment") is safe; with
 * a scheme only http, https and mailto are, and for images also
 * data:image/png, gif, jpeg and webp. The scheme is read as a browser reads
 * it: leading spaces and control characters skipped, tabs and line ends
 * inside ignored, any case, so " JaVa\tScRiPt:" is refused. Entities must
 * already be decoded (cmark does that for markdown links).
 */
bool html_url_is_safe(const char *url, bool image);

/*
 * A printf for building HTML from a literal template: the template is
 * copied as it is (it is trusted markup), every %s argument is escaped with
 * html_escape_attr, so it is safe both in element content and inside a
 * quoted attribute. Supported: %s, %.*s (int length, then the string),
 * %c (escaped), %d %i %u %x with no, l, ll or z length modifier, and %%.
 * A NULL %s argument prints nothing. Anything else is a programming error:
 * it stops the output there (and asserts in debug builds). Trusted HTML
 * (for instance render output) is appended with buf_puts, never through %s.
 * URLs inside the template still need html_url_path_segment and
 * html_url_is_safe.
 *
 *   html_printf(b, "<a href=\"/skills/%s\">%s</a>", slug_encoded, name);
 */
void html_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
