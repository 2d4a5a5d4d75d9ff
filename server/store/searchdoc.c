/* SPDX-License-Identifier: MIT */
/*
 * searchdoc: one skill's search rows as one value (see searchdoc.h).
 */
#include "skilld/store/searchdoc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void put_varint(struct buf *b, size_t v)
{
	while (v >= 0x80) {
		buf_putc(b, (char)(0x80 | (v & 0x7f)));
		v >>= 7;
	}
	buf_putc(b, (char)v);
}

/* Reads a varint at *i of p[0..n); 0, or -1 past the end or too long. */
static int get_varint(const char *p, size_t n, size_t *i, size_t *v)
{
	size_t out = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned char c;

		if (*i >= n)
			return -1;
		c = (unsigned char)p[(*i)++];
		out |= (size_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = out;
			return 0;
		}
	}
	return -1;
}

static void put_field(struct buf *b, const char *s)
{
	size_t n;

	if (!s) {
		put_varint(b, 0);
		return;
	}
	n = strlen(s);
	put_varint(b, n + 1);
	buf_append(b, s, n);
}

void searchdoc_begin(struct buf *b, const char *slug)
{
	b->len = 0;
	put_field(b, slug);
}

void searchdoc_row(struct buf *b, const char *const field[SD_FIELDS])
{
	for (int f = 0; f < SD_FIELDS; f++)
		put_field(b, field[f]);
}

void searchdoc_init(struct searchdoc *d)
{
	memset(d, 0, sizeof(*d));
}

void searchdoc_fini(struct searchdoc *d)
{
	free(d->at);
	free(d->len);
	searchdoc_init(d);
}

/* One field at *i: its offset and length (SIZE_MAX: NULL). 0 or -1. */
static int get_field(const char *p, size_t n, size_t *i, size_t *at, size_t *len)
{
	size_t v;

	if (get_varint(p, n, i, &v) != 0)
		return -1;
	if (v == 0) {
		*at = *i;
		*len = SIZE_MAX;
		return 0;
	}
	if (v - 1 > n - *i)
		return -1;
	*at = *i;
	*len = v - 1;
	*i += v - 1;
	return 0;
}

int searchdoc_parse(struct searchdoc *d, const char *p, size_t n)
{
	size_t i = 0, at, len;

	d->rows = 0;
	if (get_field(p, n, &i, &at, &len) != 0 || len == SIZE_MAX)
		return -1;
	d->slug = p + at;
	d->slug_len = len;
	while (i < n) {
		size_t k = d->rows * SD_FIELDS;

		if (k + SD_FIELDS > d->cap) {
			d->cap = d->cap ? d->cap * 2 : 64 * SD_FIELDS;
			d->at = xrealloc(d->at, d->cap * sizeof(*d->at));
			d->len = xrealloc(d->len, d->cap * sizeof(*d->len));
		}
		for (int f = 0; f < SD_FIELDS; f++)
			if (get_field(p, n, &i, &d->at[k + f], &d->len[k + f]) != 0)
				return -1;
		d->rows++;
	}
	return 0;
}

bool searchdoc_get(const struct searchdoc *d, const char *p, size_t r, enum searchdoc_field f,
		   const char **s, size_t *n)
{
	size_t k = r * SD_FIELDS + (size_t)f;

	if (r >= d->rows || d->len[k] == SIZE_MAX)
		return false;
	*s = p + d->at[k];
	*n = d->len[k];
	return true;
}
