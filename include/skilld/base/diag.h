/* SPDX-License-Identifier: MIT */
/*
 * diag: the list of diagnostics (errors, warnings, notes) that indexing and
 * validation produce. Every module that reads skill input reports into a
 * struct diag_list; nothing is printed directly. Not thread safe: one list
 * per thread of work.
 */
#ifndef SKILLD_DIAG_H
#define SKILLD_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#include <cjson/cJSON.h>

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
	DIAG_INFO,
};

struct diag {
	enum diag_severity severity;
	char *code;     /* short stable identifier, e.g. "name-mismatch" */
	char *message;  /* a sentence a person understands */
	char *path;     /* file the diagnostic is about, relative to its root; may be NULL */
	int line;       /* 1-based, 0 when unknown */
	int column;     /* 1-based, 0 when unknown */
};

struct diag_list {
	struct diag *items;
	size_t len;
	size_t cap;
};

void diag_list_init(struct diag_list *l);
void diag_list_fini(struct diag_list *l);

/* Appends a diagnostic whose message is printf(fmt, ...); path may be
 * NULL; the strings are copied. */
void diag_add(struct diag_list *l, enum diag_severity sev, const char *code,
	      const char *path, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* diag_add with the arguments in ap, for modules' own reporting functions
 * (which add a path, shift a position or count what they report). */
void diag_addv(struct diag_list *l, enum diag_severity sev, const char *code,
	       const char *path, int line, int column, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

/* Moves every item of src to the end of dst and empties src. */
void diag_list_move(struct diag_list *dst, struct diag_list *src);

size_t diag_count(const struct diag_list *l, enum diag_severity sev);
const char *diag_severity_name(enum diag_severity sev);

/* One diagnostic as {"severity","code","message","path","line","column"};
 * the caller owns the result (cJSON_Delete). */
cJSON *diag_to_json(const struct diag *d);

#endif
