/* SPDX-License-Identifier: MIT */
/*
 * fuzz_search: libFuzzer target for search_compile_len, the user query to
 * FTS5 MATCH compiler, in both modes. The input is the query, arbitrary
 * bytes. The harness checks what search.h promises: NULL (with a message)
 * for a NUL byte, invalid UTF-8 or more than SEARCH_MAX_QUERY bytes;
 * otherwise either NULL with a message or an expression made only of
 * double-quoted FTS5 strings (quotes inside doubled, an optional '*'
 * after), joined by " AND " (all) or " OR " (any), optionally in
 * parentheses, then " NOT " terms, with at most SEARCH_MAX_TERMS terms and
 * at least one positive one; both modes accept the same queries with the
 * same terms. So no FTS5 operator typed by a user can reach SQLite
 * unquoted. Single threaded, no database.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/store/search.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg, const char *expr)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n%s\n", msg, expr ? expr : "(null)");
		abort();
	}
}

/* Reads one quoted term at *p, "..." with "" for a quote, then an optional
 * '*'. Returns false when *p does not start one. */
static bool read_term(const char **p)
{
	const char *s = *p;

	if (*s != '"')
		return false;
	s++;
	for (;;) {
		if (*s == '\0')
			return false;
		if (*s == '"') {
			if (s[1] == '"') {
				s += 2;
				continue;
			}
			s++;
			break;
		}
		s++;
	}
	if (*s == '*')
		s++;
	*p = s;
	return true;
}

/* Checks the grammar of a compiled expression whose positive terms are
 * joined by join; returns its number of terms. */
static int check_expr(const char *expr, const char *join)
{
	const char *p = expr;
	bool paren = *p == '(';
	int pos = 0, neg = 0;

	if (paren)
		p++;
	do {
		fuzz_require(read_term(&p), "a positive term is not quoted", expr);
		pos++;
	} while (!strncmp(p, join, strlen(join)) && (p += strlen(join)));
	if (paren) {
		fuzz_require(*p == ')', "an unclosed parenthesis", expr);
		p++;
	}
	while (!strncmp(p, " NOT ", 5)) {
		p += 5;
		fuzz_require(read_term(&p), "an excluded term is not quoted", expr);
		neg++;
	}
	fuzz_require(*p == '\0', "text after the last term", expr);
	fuzz_require(pos + neg <= SEARCH_MAX_TERMS, "too many terms", expr);
	fuzz_require(paren == (pos > 1 && neg > 0), "parentheses out of place", expr);
	return pos + neg;
}

/* Compiles data[0..size) as a query in both modes and checks the results. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *q = (const char *)data;
	char err[256] = "", err_any[256] = "";
	char *expr, *any;

	expr = search_compile_len(q, size, SEARCH_MATCH_ALL, err, sizeof(err));
	any = search_compile_len(q, size, SEARCH_MATCH_ANY, err_any, sizeof(err_any));
	fuzz_require((expr == NULL) == (any == NULL), "the modes disagree on the query", expr ? expr : any);
	if (size > SEARCH_MAX_QUERY || memchr(q, '\0', size) || !utf8_valid(q, size))
		fuzz_require(expr == NULL, "a bad query compiled", expr);
	if (!expr) {
		fuzz_require(err[0] != '\0' && err_any[0] != '\0', "NULL without a message", NULL);
		return 0;
	}
	fuzz_require(utf8_valid(expr, strlen(expr)), "expression is not valid UTF-8", expr);
	fuzz_require(check_expr(expr, " AND ") == check_expr(any, " OR "), "the modes' terms differ", any);
	free(expr);
	free(any);
	return 0;
}
