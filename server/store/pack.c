/* SPDX-License-Identifier: MIT */
/*
 * pack: Zstandard for the index's large values (see pack.h).
 */
#include "skilld/store/pack.h"

#include <stdlib.h>
#include <string.h>

#include <zstd.h>

struct pack_ctx {
	ZSTD_CCtx *cctx;   /* made on first pack */
	ZSTD_DCtx *dctx;   /* made on first unpack */
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
	free(c);
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
	buf_grow(out, (size_t)size);
	got = ZSTD_decompressDCtx(c->dctx, out->data, (size_t)size + 1, b + 1, n - 1);
	if (ZSTD_isError(got) || got != size) {
		empty(out);
		return -1;
	}
	out->len = got;
	out->data[got] = '\0';
	return 0;
}
