/* SPDX-License-Identifier: MIT */
/*
 * pack: Zstandard for the index's large values (see pack.h).
 */
#include "skilld/store/pack.h"

#include <stdlib.h>
#include <string.h>

#include <zdict.h>
#include <zstd.h>

struct pack_dict {
	uint32_t id;
	void *bytes;
	size_t len;
	ZSTD_CDict *cdict;
};

struct pack_ctx {
	ZSTD_CCtx *cctx;   /* made on first pack */
	ZSTD_DCtx *dctx;   /* made on first unpack */
	const struct pack_dict *use;    /* packs with it, or NULL */
	pack_dict_fn dicts;             /* where unpack finds a dictionary */
	void *dicts_arg;
	ZSTD_DDict *ddict;              /* the last one it found */
	uint32_t ddict_id;
	struct buf dict_bytes;
};

struct pack_ctx *pack_ctx_new(void)
{
	return xcalloc(1, sizeof(struct pack_ctx));
}

void pack_ctx_free(struct pack_ctx *c)
{
	if (!c)
		return;
	ZSTD_freeCCtx(c->cctx);
	ZSTD_freeDCtx(c->dctx);
	ZSTD_freeDDict(c->ddict);
	buf_fini(&c->dict_bytes);
	free(c);
}

/* The dictionary of bytes (copied), its id set in its header (bytes 4-7,
 * little-endian: Zstandard's dictionary format) when id is not 0. */
static struct pack_dict *dict_make(const void *bytes, size_t n, uint32_t id)
{
	struct pack_dict *d;
	unsigned char *b;

	if (n < 8 || ZDICT_getDictID(bytes, n) == 0)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->bytes = xmalloc(n);
	memcpy(d->bytes, bytes, n);
	d->len = n;
	b = d->bytes;
	if (id)
		for (int i = 0; i < 4; i++)
			b[4 + i] = (unsigned char)(id >> (8 * i));
	d->id = ZDICT_getDictID(d->bytes, n);
	d->cdict = ZSTD_createCDict(d->bytes, n, PACK_LEVEL);
	if (!d->cdict) {
		pack_dict_free(d);
		return NULL;
	}
	return d;
}

struct pack_dict *pack_dict_train(const void *samples, const size_t *sizes, size_t n, uint32_t id)
{
	size_t total = 0, got;
	void *buf;
	struct pack_dict *d = NULL;

	for (size_t i = 0; i < n; i++)
		total += sizes[i];
	if (total < PACK_DICT_MIN_SAMPLES || n < 8 || n > UINT32_MAX)
		return NULL;
	buf = xmalloc(PACK_DICT_MAX);
	got = ZDICT_trainFromBuffer(buf, PACK_DICT_MAX, samples, sizes, (unsigned)n);
	if (!ZDICT_isError(got))
		d = dict_make(buf, got, id);
	free(buf);
	return d;
}

struct pack_dict *pack_dict_load(const void *p, size_t n)
{
	return dict_make(p, n, 0);
}

void pack_dict_free(struct pack_dict *d)
{
	if (!d)
		return;
	ZSTD_freeCDict(d->cdict);
	free(d->bytes);
	free(d);
}

uint32_t pack_dict_id(const struct pack_dict *d)
{
	return d->id;
}

const void *pack_dict_bytes(const struct pack_dict *d, size_t *n)
{
	*n = d->len;
	return d->bytes;
}

void pack_ctx_use(struct pack_ctx *c, const struct pack_dict *d)
{
	c->use = d;
}

void pack_ctx_dicts(struct pack_ctx *c, pack_dict_fn fn, void *arg)
{
	c->dicts = fn;
	c->dicts_arg = arg;
}

/* The decompression dictionary of id, kept from the last time or found
 * through the context's source; NULL when it cannot be had. */
static ZSTD_DDict *ddict_for(struct pack_ctx *c, uint32_t id)
{
	if (c->ddict && c->ddict_id == id)
		return c->ddict;
	ZSTD_freeDDict(c->ddict);
	c->ddict = NULL;
	if (c->use && c->use->id == id)
		c->ddict = ZSTD_createDDict(c->use->bytes, c->use->len);
	else if (c->dicts && c->dicts(c->dicts_arg, id, &c->dict_bytes) == 0 &&
		 ZDICT_getDictID(c->dict_bytes.data, c->dict_bytes.len) == id)
		c->ddict = ZSTD_createDDict(c->dict_bytes.data, c->dict_bytes.len);
	c->ddict_id = id;
	return c->ddict;
}

/* Empties out, which may be all zeros (never initialised, or finished). */
static void empty(struct buf *out)
{
	out->len = 0;
	if (out->data)
		out->data[0] = '\0';
}

static void put_raw(const void *p, size_t n, struct buf *out)
{
	empty(out);
	buf_putc(out, PACK_RAW);
	buf_append(out, p, n);
}

void pack_bytes(struct pack_ctx *c, const void *p, size_t n, struct buf *out)
{
	size_t bound = ZSTD_compressBound(n), got;

	if (n < PACK_MIN || ZSTD_isError(bound)) {
		put_raw(p, n, out);
		return;
	}
	if (!c->cctx) {
		c->cctx = ZSTD_createCCtx();
		if (!c->cctx) {
			put_raw(p, n, out);
			return;
		}
		ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_compressionLevel, PACK_LEVEL);
		ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_contentSizeFlag, 1);
		ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_checksumFlag, 0);
	}
	empty(out);
	buf_grow(out, 1 + bound);
	out->data[0] = PACK_ZSTD;
	ZSTD_CCtx_refCDict(c->cctx, c->use ? c->use->cdict : NULL);
	got = ZSTD_compress2(c->cctx, out->data + 1, bound, p, n);
	/* Kept raw unless compressing saves something (random bytes, an
	 * image already compressed). */
	if (ZSTD_isError(got) || got >= n) {
		put_raw(p, n, out);
		return;
	}
	out->len = 1 + got;
	out->data[out->len] = '\0';
}

int unpack_bytes(struct pack_ctx *c, const void *p, size_t n, struct buf *out)
{
	const unsigned char *b = p;
	unsigned long long size;
	unsigned dict_id;
	ZSTD_DDict *ddict = NULL;
	size_t got;

	empty(out);
	if (n == 0)
		return -1;
	if (b[0] == PACK_RAW) {
		buf_append(out, b + 1, n - 1);
		return 0;
	}
	if (b[0] != PACK_ZSTD)
		return -1;
	size = ZSTD_getFrameContentSize(b + 1, n - 1);
	if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > PACK_MAX)
		return -1;
	if (!c->dctx && !(c->dctx = ZSTD_createDCtx()))
		return -1;
	dict_id = ZSTD_getDictID_fromFrame(b + 1, n - 1);
	if (dict_id && !(ddict = ddict_for(c, dict_id)))
		return -1;
	buf_grow(out, (size_t)size);
	got = ddict ? ZSTD_decompress_usingDDict(c->dctx, out->data, (size_t)size + 1, b + 1, n - 1,
						 ddict)
		    : ZSTD_decompressDCtx(c->dctx, out->data, (size_t)size + 1, b + 1, n - 1);
	if (ZSTD_isError(got) || got != size) {
		empty(out);
		return -1;
	}
	out->len = got;
	out->data[got] = '\0';
	return 0;
}
