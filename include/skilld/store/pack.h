/* SPDX-License-Identifier: MIT */
/*
 * pack: the form in which the index keeps its large values (a file's
 * bytes, rendered HTML, prebuilt JSON answers, the text of search rows):
 * one byte saying how, then the bytes. PACK_ZSTD is a Zstandard frame,
 * which records the unpacked length; PACK_RAW is the bytes as they are,
 * for values too small or too random to gain from compressing. A packed
 * value is a BLOB; SQL NULL stays NULL and is never packed.
 *
 * A dictionary (pack_dict) trained on the collection's own files makes
 * small values much smaller: its words, headings and markup need not be
 * learnt again by each value. A frame names the dictionary it was made
 * with by an id that a database never gives to another (the index keeps
 * its dictionaries in pack_dicts, migration 0009); unpacking one asks the
 * context's dictionary source for it by that id, and keeps it.
 *
 * A pack_ctx holds the compressor and decompressor state (several
 * hundred KB once used): one per thread that packs or unpacks, reused
 * for every value. Not thread safe; contexts are independent. A
 * pack_dict is read only once made: contexts on any thread share it.
 */
#ifndef SKILLD_PACK_H
#define SKILLD_PACK_H

#include <stddef.h>
#include <stdint.h>

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

/* Dictionary ids: the private range of the Zstandard format (below
 * 32768 are public dictionaries'), plus the database's own sequence. */
#define PACK_DICT_ID_BASE 32768u
/* Most bytes of a dictionary, and the least samples that train one. */
#define PACK_DICT_MAX (112u << 10)
#define PACK_DICT_MIN_SAMPLES (256u << 10)

struct pack_ctx;
struct pack_dict;

struct pack_ctx *pack_ctx_new(void);
void pack_ctx_free(struct pack_ctx *c);

/* A dictionary trained on n samples (sizes[i] bytes each, one after the
 * other at samples), given id; NULL when they are too few or too alike to
 * train one (values are then packed without). */
struct pack_dict *pack_dict_train(const void *samples, const size_t *sizes, size_t n, uint32_t id);
/* A dictionary from its bytes as pack_dict_bytes gave them; NULL when
 * they are not one. */
struct pack_dict *pack_dict_load(const void *p, size_t n);
void pack_dict_free(struct pack_dict *d);
uint32_t pack_dict_id(const struct pack_dict *d);
const void *pack_dict_bytes(const struct pack_dict *d, size_t *n);

/* Packs with d from now on (NULL: without); d must outlive the use. */
void pack_ctx_use(struct pack_ctx *c, const struct pack_dict *d);

/* Where unpack_bytes finds the dictionary a frame names: fn(arg, id, out)
 * puts its bytes in out (emptied first): 0, or -1 when there is none. */
typedef int (*pack_dict_fn)(void *arg, uint32_t id, struct buf *out);
void pack_ctx_dicts(struct pack_ctx *c, pack_dict_fn fn, void *arg);

/* out (emptied first; it may also be all zeros) gets the n bytes at p
 * packed. */
void pack_bytes(struct pack_ctx *c, const void *p, size_t n, struct buf *out);

/* out (emptied first, as above) gets the packed value at p (n bytes)
 * unpacked, NUL terminated after its length (out->len). 0, or -1 when it
 * is not a value pack made (an unknown kind, a corrupt or oversized
 * frame) or its dictionary cannot be had. */
int unpack_bytes(struct pack_ctx *c, const void *p, size_t n, struct buf *out);

#endif
