/* SPDX-License-Identifier: MIT */
/*
 * searchdoc: the text of one skill's search rows, kept as one value (then
 * packed, pack.h) in search_docs: its slug, then each row's fields in row
 * order, each a varint (its length + 1, or 0 for NULL) and its bytes. A
 * skill's rows share most of their words (a checklist's items, their
 * URLs and paths), so packed together they take a fraction of what they
 * take apart. The FTS5 table `search` reads its columns through the view
 * search_text, which picks a row's field out with skilld_row (fts.h).
 *
 * Pure functions over the caller's buffers; thread safe.
 */
#ifndef SKILLD_SEARCHDOC_H
#define SKILLD_SEARCHDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "skilld/base/util.h"

/* A row's fields, in this order. */
enum searchdoc_field {
	SD_KIND,
	SD_PATH,
	SD_ANCHOR,
	SD_URL,
	SD_NAME,
	SD_DESCRIPTION,
	SD_HEADINGS,
	SD_TITLE,
	SD_BODY,
	SD_FIELDS
};

/* Starts a skill's document in b (reset first) with its slug. */
void searchdoc_begin(struct buf *b, const char *slug);
/* Appends a row: SD_FIELDS values, NULL for SQL NULL. */
void searchdoc_row(struct buf *b, const char *const field[SD_FIELDS]);

/* A parsed document: where each row's fields are. */
struct searchdoc {
	const char *slug;
	size_t slug_len;
	size_t rows;
	/* per row and field (rows * SD_FIELDS): offset into the document
	 * and length, length SIZE_MAX for NULL */
	size_t *at, *len;
	size_t cap;
};

void searchdoc_init(struct searchdoc *d);
void searchdoc_fini(struct searchdoc *d);
/* Parses the n bytes at p into d (reusing its arrays). 0, or -1 when
 * they are not a document searchdoc_begin and _row made. */
int searchdoc_parse(struct searchdoc *d, const char *p, size_t n);
/* Field f of row r of d as parsed from p: true with *s and *n set, or
 * false when the row is past the end or the field is NULL. */
bool searchdoc_get(const struct searchdoc *d, const char *p, size_t r, enum searchdoc_field f,
		   const char **s, size_t *n);

#endif
