/* SPDX-License-Identifier: MIT */
/*
 * pack: the form in which the index keeps its large values (a file's
 * bytes, rendered HTML, prebuilt JSON answers, the text of search rows):
 * one byte saying how, then the bytes. PACK_ZSTD is a Zstandard frame,
 * which records the unpacked length; PACK_RAW is the bytes as they are,
 * for values too small or too random to gain from compressing. A packed
 * value is a BLOB; SQL NULL stays NULL and is never packed.
 *
 * A pack_ctx holds the compressor and decompressor state (several
 * hundred KB once used): one per thread that packs or unpacks, reused
 * for every value. Not thread safe; contexts are independent.
 */
#ifndef SKILLD_PACK_H
#define SKILLD_PACK_H

#include <stddef.h>

#include "skilld/base/util.h"

enum {
	PACK_RAW = 0,
	PACK_ZSTD = 1,
};

/* Values shorter than this are kept raw: a frame's own bytes would eat
 * what compressing them saves. */
#define PACK_MIN 64
/* The Zstandard level (decompression speed does not depend on it): on
 * 1,000 synthetic skills, level 6 made packing 10 times the time of
 * printing the JSON answers, for a few per cent less space. */
#define PACK_LEVEL 3
/* Longest value unpacked (the largest --max-file-size, with room for
 * what rendering adds): a frame claiming more is refused as corrupt. */
#define PACK_MAX ((size_t)1 << 30)

struct pack_ctx;

struct pack_ctx *pack_ctx_new(void);
void pack_ctx_free(struct pack_ctx *c);

/* out (emptied first; it may also be all zeros) gets the n bytes at p
 * packed. */
void pack_bytes(struct pack_ctx *c, const void *p, size_t n, struct buf *out);

/* out (emptied first, as above) gets the packed value at p (n bytes) unpacked, NUL
 * terminated after its length (out->len). 0, or -1 when it is not a
 * value pack made (an unknown kind, a corrupt or oversized frame). */
int unpack_bytes(struct pack_ctx *c, const void *p, size_t n, struct buf *out);

#endif
