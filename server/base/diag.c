/* SPDX-License-Identifier: MIT */
/*
 * diag: an append-only list of diagnostics. Owned by one thread of work.
 */
#include "skilld/base/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/util.h"

void diag_list_init(struct diag_list *l)
{
	l->items = NULL;
	l->len = l->cap = 0;
}

void diag_list_fini(struct diag_list *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].code);
		free(l->items[i].message);
		free(l->items[i].path);
	}
	free(l->items);
	diag_list_init(l);
}

static struct diag *diag_push(struct diag_list *l)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	return &l->items[l->len++];
}

void diag_add(struct diag_list *l, enum diag_severity sev, const char *code,
	      const char *path, int line, int column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_addv(l, sev, code, path, line, column, fmt, ap);
	va_end(ap);
}

void diag_addv(struct diag_list *l, enum diag_severity sev, const char *code,
	       const char *path, int line, int column, const char *fmt, va_list ap)
{
	struct diag *d = diag_push(l);
	struct buf b;

	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	d->severity = sev;
	d->code = xstrdup(code);
	d->message = buf_detach(&b, NULL);
	d->path = path ? xstrdup(path) : NULL;
	d->line = line;
	d->column = column;
}

void diag_list_move(struct diag_list *dst, struct diag_list *src)
{
	for (size_t i = 0; i < src->len; i++)
		*diag_push(dst) = src->items[i];
	free(src->items);
	diag_list_init(src);
}

size_t diag_count(const struct diag_list *l, enum diag_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < l->len; i++)
		if (l->items[i].severity == sev)
			n++;
	return n;
}

const char *diag_severity_name(enum diag_severity sev)
{
	switch (sev) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	case DIAG_INFO:
		return "info";
	}
	return "info";
}

cJSON *diag_to_json(const struct diag *d)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "severity", diag_severity_name(d->severity));
	cJSON_AddStringToObject(o, "code", d->code);
	cJSON_AddStringToObject(o, "message", d->message);
	if (d->path)
		cJSON_AddStringToObject(o, "path", d->path);
	else
		cJSON_AddNullToObject(o, "path");
	cJSON_AddNumberToObject(o, "line", d->line);
	cJSON_AddNumberToObject(o, "column", d->column);
	return o;
}
