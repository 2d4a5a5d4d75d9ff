/* SPDX-License-Identifier: MIT */
/*
 * assets: the portal's stylesheet, script and icon, built into the binary.
 * At build time tools/embed turns every file of assets/ into a constant
 * table (bytes, content type, strong ETag from SHA-256), so serving one is
 * a lookup with no I/O and no state. Read-only data: safe from any thread.
 */
#ifndef SKILLD_ASSETS_H
#define SKILLD_ASSETS_H

#include <stddef.h>

/* One embedded file. Everything is static: never freed, never changed. */
struct asset {
	const char *name;           /* file name in assets/, e.g. "style.css" */
	const char *content_type;   /* e.g. "text/css; charset=utf-8" */
	const unsigned char *data;  /* the bytes, followed by one NUL not in len */
	size_t len;
	const char *etag;           /* strong ETag with its quotes: "\"<first 32 hex
				     * digits of the SHA-256 of data>\"", as
				     * response_etag_hex writes it */
};

/* The asset named name ("style.css", as in the URL /assets/style.css), or
 * NULL when there is none (NULL, "", paths and unknown names). */
const struct asset *assets_find(const char *name);

/* Number of embedded assets, and the i-th (0 <= i < count) in name order;
 * NULL when i is out of range. */
size_t assets_count(void);
const struct asset *assets_at(size_t i);

/* The document of docs/ named name ("openapi.json"), built in the same way
 * and served by the API, or NULL when there is none. */
const struct asset *assets_doc(const char *name);

#endif
