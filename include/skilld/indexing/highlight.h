/* SPDX-License-Identifier: MIT */
/*
 * highlight: syntax highlighting of fenced code at index time, so pages
 * carry coloured code without a script, a stylesheet per language or a
 * request to anywhere (render calls it for every fenced block). One small
 * lexer reads every language from a table: comments, strings, numbers,
 * keywords, literals, types, calls, annotations, variables and keys. It is
 * linear in its input and keeps no state: thread safe.
 */
#ifndef SKILLD_HIGHLIGHT_H
#define SKILLD_HIGHLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "skilld/base/util.h"

/* Code longer than this is escaped but not highlighted. */
#define HIGHLIGHT_MAX ((size_t)256 << 10)

/* True when lang[0..len) (a fence's first word, any case: "java", "py",
 * "c++") names a language the lexer knows. */
bool highlight_known(const char *lang, size_t len);

/*
 * Appends code[0..len) to out as HTML element content (escaped as
 * html_escape_text does), with the tokens of language lang[0..lang_len)
 * wrapped in <span class="hl-X">: c comment, s string, n number, k keyword,
 * l literal (true, null, self...), t type, f a called or defined function,
 * m meta (annotation, decorator, preprocessor line, at-rule, diff hunk),
 * v variable ($x), p property or key, i and d a diff's added and removed
 * lines. Spans never nest and always close. An unknown language, or code
 * over HIGHLIGHT_MAX bytes, is only escaped.
 */
void highlight_code(const char *lang, size_t lang_len, const char *code, size_t len,
		    struct buf *out);

#endif
