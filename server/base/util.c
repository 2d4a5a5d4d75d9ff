/* SPDX-License-Identifier: MIT */
/*
 * util: allocation wrappers, the growable buffer, SHA-256 through OpenSSL's
 * EVP interface, file reading and jstr. No global state; safe from any
 * thread.
 */
#include "skilld/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static void die_oom(size_t n)
{
	fprintf(stderr, "skilld: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);
	if (!p)
		die_oom(count * n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	if (n)  /* s may then be NULL */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

void buf_init(struct buf *b)
{
	b->cap = 64;
	b->len = 0;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
}

void buf_fini(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

void buf_append(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)  /* p may then be NULL, and memcpy must not see it */
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	buf_grow(b, 0);
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_detach(struct buf *b, size_t *len_out)
{
	char *p = b->data;

	if (len_out)
		*len_out = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

struct sha256_ctx {
	EVP_MD_CTX *md;
};

struct sha256_ctx *sha256_begin(void)
{
	struct sha256_ctx *c = xmalloc(sizeof(*c));

	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "skilld: OpenSSL SHA-256 initialisation failed\n");
		abort();
	}
	return c;
}

void sha256_update(struct sha256_ctx *c, const void *p, size_t n)
{
	EVP_DigestUpdate(c->md, p, n);
}

void hex_encode(const void *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hex_decode(const char *p, size_t n, void *out, size_t *len)
{
	unsigned char *o = out;

	if (n % 2)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		o[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

char *base64_encode(const void *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	out[0] = '\0';
	if (n > 0)
		EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

void sha256_end(struct sha256_ctx *c, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_DigestFinal_ex(c->md, md, &mdlen);
	EVP_MD_CTX_free(c->md);
	free(c);
	hex_encode(md, 32, hex);
}

void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx *c = sha256_begin();

	sha256_update(c, p, n);
	sha256_end(c, hex);
}

void hmac_sha256_hex(const void *key, size_t klen, const void *msg, size_t mlen,
		     char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	HMAC(EVP_sha256(), key, (int)klen, msg, mlen, md, &mdlen);
	hex_encode(md, 32, hex);
}

bool ct_equal(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	unsigned char diff = (unsigned char)(n != m);

	/* Constant time in the content of b; the lengths are not secret. */
	for (size_t i = 0; i < m; i++)
		diff |= (unsigned char)(b[i] ^ (i < n ? a[i] : 0));
	return diff == 0;
}

int read_file_all(const char *path, size_t max_bytes, char **data, size_t *len)
{
	struct stat st;
	char *p = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int e = errno ? errno : EINVAL;
		close(fd);
		errno = S_ISREG(st.st_mode) ? e : EINVAL;
		return -1;
	}
	if ((size_t)st.st_size > max_bytes) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	p = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(p);
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	p[got] = '\0';
	*data = p;
	*len = got;
	return 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

char *str_mask_password(const char *uri)
{
	const char *q = strchr(uri, '?'), *scheme = strstr(uri, "://");
	const char *at = NULL, *colon = NULL;
	struct buf b;

	buf_init(&b);
	/* the userinfo: from "://" to the last '@' before the query */
	if (scheme) {
		for (const char *p = scheme + 3; *p && (!q || p < q); p++)
			if (*p == '@')
				at = p;
		if (at)
			colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
	}
	for (const char *p = uri; *p;) {
		if (p == colon) {
			buf_puts(&b, ":***");
			p = at;
			continue;
		}
		if ((p == uri || p[-1] == '?' || p[-1] == '&' || p[-1] == ' ') &&
		    strncasecmp(p, "password=", 9) == 0) {
			buf_append(&b, p, 9);
			buf_puts(&b, "***");
			p += 9 + strcspn(p + 9, "& ");
			continue;
		}
		buf_putc(&b, *p++);
	}
	return buf_detach(&b, NULL);
}

const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void jadd_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

void jadd_time(cJSON *o, const char *key, double ms, bool millis)
{
	char s[48];
	struct tm tm;
	time_t t;
	size_t n;

	if (!(ms > 0) || ms > 253402300799000.0) {   /* 0, NaN, or after 9999 */
		cJSON_AddNullToObject(o, key);
		return;
	}
	t = (time_t)(ms / 1000);
	if (!gmtime_r(&t, &tm) || (n = strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	if (millis)
		snprintf(s + n, sizeof(s) - n, ".%03dZ", (int)((int64_t)ms % 1000));
	else
		snprintf(s + n, sizeof(s) - n, "Z");
	cJSON_AddStringToObject(o, key, s);
}
