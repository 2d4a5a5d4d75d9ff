/* SPDX-License-Identifier: MIT */
/*
 * The docs against the code. Every route README.md and docs/api.md list
 * (the first cell of a table headed "URL", a docs/api.md section heading)
 * is a row of the route table with that method; every status of their
 * status tables (a table headed "status") is one the server's code
 * answers; every status docs/openapi.json gives an operation is in those
 * tables (the errors in docs/api.md's too); every error code docs/api.md
 * names is a string the code sends. The files are read from the source
 * tree, where the runner runs. Single threaded.
 */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/base/request.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "skilld/transport/routes.h"
#include "testutil.h"

Suite *docs_suite(void);

#define ELLIPSIS "\xe2\x80\xa6"
#define STATUS_MAX 600

/* The statuses of the status tables of one document. */
struct doc_statuses {
	bool has[STATUS_MAX];
	size_t count;
};

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* s without its blanks at both ends, in a new string (free). */
static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* The first cell of a table row "| a | b |" (free), or NULL when line is
 * not a row. A "\|" inside the cell is text, as GitHub reads it. */
static char *first_cell(const char *line, size_t n)
{
	size_t i = 1;

	if (n < 2 || line[0] != '|')
		return NULL;
	while (i < n && !(line[i] == '|' && line[i - 1] != '\\'))
		i++;
	return trimmed(line + 1, i - 1);
}

/* Is this line a table's delimiter row ("|---|:--|")? */
static bool delimiter_row(const char *line, size_t n)
{
	if (n < 3 || line[0] != '|')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("|-: ", line[i]))
			return false;
	return true;
}

/* A route pattern or a documented path in one form: "{*path}" and
 * "{path…}" are both "{path}". The caller frees the result. */
static char *route_form(const char *p, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '*' && i > 0 && p[i - 1] == '{')
			continue;
		if (i + 4 <= n && memcmp(p + i, ELLIPSIS "}", 4) == 0) {
			i += 2;  /* the ellipsis' three bytes */
			continue;
		}
		buf_putc(&b, p[i]);
	}
	return buf_detach(&b, NULL);
}

/* Asserts that the routes written in text (the code spans of a table
 * cell or a heading, at where) are rows of the route table. A span
 * "METHOD /path?query" names a route; a span "/path" too, with the
 * method of the span before it (GET at first); other spans are prose.
 * Returns how many routes text named. */
static size_t check_routes_in(const char *text, const char *where)
{
	size_t n_routes, named = 0;
	const struct route *routes = routes_table(&n_routes);
	unsigned method = METHOD_GET;
	const char *p = text;

	while ((p = strchr(p, '`')) != NULL) {
		const char *end = strchr(p + 1, '`'), *span = p + 1, *sp;
		size_t len;
		char *path;
		bool found = false;

		if (!end)
			break;
		p = end + 1;
		sp = memchr(span, ' ', (size_t)(end - span));
		if (sp && span < sp && isupper((unsigned char)*span)) {
			char *name = xstrndup(span, (size_t)(sp - span));

			method = request_method(name);
			free(name);
			ck_assert_msg(method != METHOD_OTHER, "%s: `%.*s`: not a method", where,
				      (int)(end - span), span);
			span = sp + 1;
		}
		if (*span != '/')
			continue;
		len = strcspn(span, "?`");
		path = route_form(span, len);
		ck_assert_msg(strstr(path, ELLIPSIS) == NULL && strstr(path, "...") == NULL,
			      "%s: `%.*s` is not a whole path: write each route in full", where,
			      (int)(end - span), span);
		for (size_t i = 0; i < n_routes && !found; i++) {
			char *pattern = route_form(routes[i].pattern, strlen(routes[i].pattern));

			found = strcmp(pattern, path) == 0 && (routes[i].methods & method);
			free(pattern);
		}
		ck_assert_msg(found, "%s: `%.*s` is not in the route table (server/transport/routes.c)"
			      " with that method", where, (int)(end - span), span);
		named++;
		free(path);
	}
	return named;
}

/* Reads the statuses of one status table cell ("404", "406, 415") into
 * st; anything else in the cell fails the test. */
static void read_status_cell(const char *cell, struct doc_statuses *st, const char *where)
{
	const char *p = cell;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		ck_assert_msg(end > p && v >= 100 && v < STATUS_MAX,
			      "%s: status cell \"%s\": write statuses as \"404\" or \"406, 415\"",
			      where, cell);
		if (!st->has[v])
			st->count++;
		st->has[v] = true;
		p = end;
		while (*p == ',' || *p == ' ')
			p++;
	}
}

/*
 * Walks the markdown document at path: asserts the routes of its route
 * tables (and, with headings, of its "## " headings) and reads the
 * statuses of its status tables into OUT: *st. Returns how many routes it
 * checked. Lines in code fences are skipped.
 */
static size_t walk_doc(const char *path, bool headings, struct doc_statuses *st)
{
	size_t len, next, routes = 0;
	char *doc = tu_read(path, &len);
	struct text_fence fence = { 0 };
	enum { NONE, ROUTES, STATUSES } table = NONE;
	char *header = NULL;
	unsigned line_no = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < len; i = next) {
		size_t n = text_line(doc, len, i, &next);
		const char *line = doc + i, *htext;
		size_t hlen;
		char *cell, where[256];

		line_no++;
		snprintf(where, sizeof(where), "%s:%u", path, line_no);
		if (text_fence_step(&fence, line, n) != TEXT_FENCE_NONE)
			continue;
		if (headings && text_atx_heading(line, n, &htext, &hlen) == 2) {
			char *h = xstrndup(htext, hlen);

			routes += check_routes_in(h, where);
			free(h);
			continue;
		}
		cell = first_cell(line, n);
		if (!cell) {
			table = NONE;
			free(header);
			header = NULL;
			continue;
		}
		if (delimiter_row(line, n)) {
			/* the row above was the header: which table is this? */
			table = header && strcmp(header, "URL") == 0 ? ROUTES :
				header && strcmp(header, "status") == 0 ? STATUSES : NONE;
		} else if (table == ROUTES) {
			size_t named = check_routes_in(cell, where);

			ck_assert_msg(named > 0, "%s: a route table row names no route", where);
			routes += named;
		} else if (table == STATUSES) {
			read_status_cell(cell, st, where);
		} else {
			free(header);
			header = xstrdup(cell);
		}
		free(cell);
	}
	free(header);
	free(doc);
	return routes;
}

/* Every server/<layer>/<module>.c and include/skilld/<layer>/<module>.h,
 * one after the other, appended to b. */
static void read_sources(struct buf *b)
{
	static const char *const tops[][2] = { { "server", ".c" }, { "include/skilld", ".h" } };

	for (size_t t = 0; t < 2; t++) {
		DIR *d = opendir(tops[t][0]);
		struct dirent *layer;

		ck_assert_msg(d != NULL, "%s not found: run from the source tree", tops[t][0]);
		while ((layer = readdir(d)) != NULL) {
			char *dir = xasprintf("%s/%s", tops[t][0], layer->d_name);
			DIR *m = layer->d_name[0] == '.' ? NULL : opendir(dir);
			struct dirent *mod;

			while (m && (mod = readdir(m)) != NULL) {
				size_t nl = strlen(mod->d_name), el = strlen(tops[t][1]);

				if (nl > el && strcmp(mod->d_name + nl - el, tops[t][1]) == 0) {
					char *file = xasprintf("%s/%s", dir, mod->d_name), *text = tu_read(file, NULL);

					buf_puts(b, text);
					buf_putc(b, '\n');
					free(text);
					free(file);
				}
			}
			if (m)
				closedir(m);
			free(dir);
		}
		closedir(d);
	}
}

/* C text with its comments, string and character literals made blanks
 * (line ends kept), so that only code is searched. */
static void blank_non_code(char *s)
{
	for (char *p = s; *p; p++) {
		if (p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");
			char *stop = end ? end + 2 : p + strlen(p);

			for (; p < stop; p++)
				if (*p != '\n')
					*p = ' ';
			p--;
		} else if (p[0] == '/' && p[1] == '/') {
			for (; *p && *p != '\n'; p++)
				*p = ' ';
			p--;
		} else if (*p == '"' || *p == '\'') {
			char q = *p;

			for (p++; *p && *p != q; p++) {
				if (*p == '\\' && p[1])
					*p++ = ' ';
				if (*p != '\n')
					*p = ' ';
			}
			if (!*p)
				break;
		}
	}
}

/* Marks in has[] every integer literal from 100 to 599 in s[0..n). */
static void statuses_in(const char *s, size_t n, bool has[STATUS_MAX])
{
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		if (!isdigit((unsigned char)s[i]) || (i > 0 && is_ident(s[i - 1])))
			continue;
		while (j < n && is_ident(s[j]))
			j++;
		if (j - i == 3) {
			int v = atoi(s + i);

			if (v >= 100 && v < STATUS_MAX)
				has[v] = true;
		}
		i = j;
	}
}

/* The end of the parenthesised text that starts at open ('('), or NULL. */
static const char *closing_paren(const char *open)
{
	int depth = 0;

	for (const char *p = open; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	}
	return NULL;
}

/*
 * The statuses the code answers, into OUT: has[]: every status literal
 * passed to a function that takes an "int status" or "unsigned status"
 * parameter (response_error, response_json, page_error, ... found in the
 * code itself, so a new one counts without a change here) or to
 * MHD_queue_response, and every literal assigned to a "status".
 */
static void code_statuses(bool has[STATUS_MAX])
{
	struct buf b, names;
	char *code;

	buf_init(&b);
	buf_init(&names);
	read_sources(&b);
	code = buf_detach(&b, NULL);
	blank_non_code(code);
	/* the functions with a status parameter: "\nname\n" each */
	buf_puts(&names, "\nMHD_queue_response\n");
	for (const char *p = code; (p = strstr(p, "status")) != NULL; p += 6) {
		const char *q = p + 6, *open = p, *name, *name_end;
		int depth = 0;

		if (is_ident(*q) || p == code || is_ident(p[-1]))
			continue;
		while (*q == ' ')
			q++;
		if ((*q != ',' && *q != ')') ||
		    !((p - code >= 4 && strncmp(p - 4, "int ", 4) == 0) ||
		      (p - code >= 9 && strncmp(p - 9, "unsigned ", 9) == 0)))
			continue;
		/* back to the '(' that opens this parameter list */
		while (open > code) {
			open--;
			if (*open == ')')
				depth++;
			else if (*open == '(' && depth-- == 0)
				break;
		}
		for (name_end = open; name_end > code && name_end[-1] == ' '; name_end--)
			;
		for (name = name_end; name > code && is_ident(name[-1]); name--)
			;
		if (name < name_end) {
			char *entry = xasprintf("\n%.*s\n", (int)(name_end - name), name);

			if (!strstr(names.data, entry))
				buf_puts(&names, entry);
			free(entry);
		}
	}
	/* the literals of their calls, and of assignments to a status */
	for (const char *p = code; *p; p++) {
		const char *q, *end;
		char *entry;
		bool responder, status;

		if (!is_ident(*p) || (p > code && is_ident(p[-1])))
			continue;
		for (q = p; is_ident(*q); q++)
			;
		entry = xasprintf("\n%.*s\n", (int)(q - p), p);
		responder = strstr(names.data, entry) != NULL;
		status = q - p == 6 && strncmp(p, "status", 6) == 0;
		free(entry);
		while (*q == ' ')
			q++;
		if (responder && *q == '(' && (end = closing_paren(q)) != NULL)
			statuses_in(q, (size_t)(end - q), has);
		else if (status && q[0] == '=' && q[1] != '=' && (end = strchr(q, ';')) != NULL)
			statuses_in(q, (size_t)(end - q), has);
		p = q - 1;
	}
	buf_fini(&names);
	free(code);
}

/* Every route the route tables of README.md and the section headings of
 * docs/api.md name exists with its method. */
START_TEST(test_documented_routes)
{
	struct doc_statuses st;

	/* 19 rows and 2 of their second paths in README's JSON API table, 9
	 * in its pages table; 18 headings of docs/api.md */
	ck_assert_uint_ge(walk_doc("README.md", false, &st), 28);
	ck_assert_uint_ge(walk_doc("docs/api.md", true, &st), 18);
}
END_TEST

/* Every status in the docs' status tables is one the code answers; every
 * status of an OpenAPI operation is in README's table, and its errors in
 * docs/api.md's. */
START_TEST(test_documented_statuses)
{
	static struct doc_statuses readme, api;
	bool code[STATUS_MAX] = { false };
	size_t len;
	char *text = tu_read("docs/openapi.json", &len);
	cJSON *doc = cJSON_ParseWithLength(text, len);
	const cJSON *item, *op, *status;

	walk_doc("README.md", false, &readme);
	walk_doc("docs/api.md", true, &api);
	/* the tables are there: the check cannot pass by finding none */
	ck_assert_uint_ge(readme.count, 20);
	ck_assert_uint_ge(api.count, 10);
	code_statuses(code);
	ck_assert(code[200] && code[304] && code[404]);
	for (int s = 0; s < STATUS_MAX; s++) {
		ck_assert_msg(!readme.has[s] || code[s], "README.md's status table has %d, "
			      "which no response_* call or status assignment in server/ answers", s);
		ck_assert_msg(!api.has[s] || code[s], "docs/api.md's status table has %d, "
			      "which no response_* call or status assignment in server/ answers", s);
		ck_assert_msg(!api.has[s] || readme.has[s], "docs/api.md's status table has %d, "
			      "README.md's (every status the server answers) does not", s);
	}
	ck_assert_ptr_nonnull(doc);
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(doc, "paths")) {
		cJSON_ArrayForEach(op, item) {
			cJSON_ArrayForEach(status, cJSON_GetObjectItem(op, "responses")) {
				int s = atoi(status->string);

				ck_assert_msg(s >= 100 && s < STATUS_MAX, "openapi.json: %s %s: status %s",
					      op->string, item->string, status->string);
				ck_assert_msg(readme.has[s], "docs/openapi.json: %s %s answers %d, "
					      "README.md's status table does not have it",
					      op->string, item->string, s);
				ck_assert_msg(s < 400 || api.has[s], "docs/openapi.json: %s %s answers %d, "
					      "docs/api.md's status table does not have it",
					      op->string, item->string, s);
			}
		}
	}
	cJSON_Delete(doc);
	free(text);
}
END_TEST

/* Every error code docs/api.md's status table names (a code span of
 * lower-case letters and '_') is a string in the server's code. */
START_TEST(test_documented_error_codes)
{
	struct buf b;
	size_t len, next, codes = 0;
	char *doc = tu_read("docs/api.md", &len);
	bool in_table = false;

	buf_init(&b);
	read_sources(&b);
	for (size_t i = 0; i < len; i = next) {
		size_t n = text_line(doc, len, i, &next);
		char *cell = first_cell(doc + i, n), *line;

		if (!cell) {
			in_table = false;
			continue;
		}
		if (strcmp(cell, "status") == 0)
			in_table = true;
		free(cell);
		if (!in_table || delimiter_row(doc + i, n))
			continue;
		line = xstrndup(doc + i, n);
		for (const char *p = strchr(line, '`'); p && strchr(p + 1, '`');
		     p = strchr(strchr(p + 1, '`') + 1, '`')) {
			size_t span = (size_t)(strchr(p + 1, '`') - (p + 1));
			char *quoted;

			if (span == 0 || strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_") != span)
				continue;
			quoted = xasprintf("\"%.*s\"", (int)span, p + 1);
			ck_assert_msg(strstr(b.data, quoted) != NULL,
				      "docs/api.md names the error code %s, the code in server/ never sends it",
				      quoted);
			codes++;
			free(quoted);
		}
		free(line);
	}
	ck_assert_uint_ge(codes, 20);
	buf_fini(&b);
	free(doc);
}
END_TEST

Suite *docs_suite(void)
{
	Suite *s = suite_create("docs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_documented_routes);
	tcase_add_test(tc, test_documented_statuses);
	tcase_add_test(tc, test_documented_error_codes);
	suite_add_tcase(s, tc);
	return s;
}
