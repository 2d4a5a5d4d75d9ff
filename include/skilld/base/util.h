/* SPDX-License-Identifier: MIT */
/*
 * util: allocation wrappers that never return NULL, a growable byte buffer,
 * SHA-256 in hex, file reading and a cJSON accessor. Everything here is
 * thread safe and free of global state. UTF-8 and markdown lines are in
 * text.h.
 */
#ifndef SKILLD_UTIL_H
#define SKILLD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

struct cJSON;

/* Allocators that abort with a message on exhaustion; never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* s may be NULL when n is 0 (as sqlite3_column_blob gives for an empty blob). */
char *xstrndup(const char *s, size_t n);
/* Returns a formatted string; the caller frees it with free(). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL terminated after buf_init. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_fini(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
/* p may be NULL when n is 0 (as sqlite3_column_blob gives for an empty blob). */
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the storage to the caller (free with free()); b is left empty and
 * must be buf_init'ed again before reuse (buf_fini on it is harmless). */
char *buf_detach(struct buf *b, size_t *len_out);

/* HMAC-SHA256 of msg keyed with key, as 64 lowercase hex digits plus NUL. */
void hmac_sha256_hex(const void *key, size_t klen, const void *msg, size_t mlen,
		     char hex[SHA256_HEX_LEN + 1]);
/* Do the strings a (what was sent) and b (the secret) hold the same bytes?
 * The time depends on the lengths, not on the content of b. */
bool ct_equal(const char *a, const char *b);

/* SHA-256 of p[0..n) as 64 lowercase hex digits plus NUL in OUT: hex. */
void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX_LEN + 1]);

/* Incremental SHA-256 (for files and for skill digests). */
struct sha256_ctx;
struct sha256_ctx *sha256_begin(void);
void sha256_update(struct sha256_ctx *c, const void *p, size_t n);
/* Finishes, writes the hex digest and frees c. */
void sha256_end(struct sha256_ctx *c, char hex[SHA256_HEX_LEN + 1]);

/* Reads a whole file. 0 on success with *data (free()) NUL terminated and
 * *len set; -1 with errno on failure. Files over max_bytes fail with EFBIG. */
int read_file_all(const char *path, size_t max_bytes, char **data, size_t *len);

/* Case-insensitive ASCII prefix/suffix checks. */
bool str_has_suffix(const char *s, const char *suffix);
bool str_has_prefix(const char *s, const char *prefix);
/* uri with its password shown as *** (in the userinfo and in any
 * password= parameter), for messages and logs; the caller frees it. */
char *str_mask_password(const char *uri);

/* The string member key of o, or NULL when o is not an object (NULL
 * included) or the member is missing or not a string. The result points
 * into o. */
const char *jstr(const struct cJSON *o, const char *key);

/* The lowercase hex of p[0..n) into out: 2n digits and a NUL. */
void hex_encode(const void *p, size_t n, char *out);
/* Decodes n lowercase hex digits into out (n / 2 bytes, no NUL added),
 * setting *len: 0, or -1 when n is odd or a digit is not 0-9 a-f. */
int hex_decode(const char *p, size_t n, void *out, size_t *len);
/* The padded base64 (RFC 4648) of p[0..n); free(). */
char *base64_encode(const void *p, size_t n);

/* Adds key: the UTC time ms (milliseconds since the epoch) in ISO 8601,
 * "2026-12-04T16:20:55Z", or with millis "2026-12-04T16:20:55.827Z"; key:
 * null when ms is not above 0 (NaN included: an absent number). */
void jadd_time(struct cJSON *o, const char *key, double ms, bool millis);

/* Adds key: v to the object o, or key: null when v is NULL. */
void jadd_str_or_null(struct cJSON *o, const char *key, const char *v);

#endif
