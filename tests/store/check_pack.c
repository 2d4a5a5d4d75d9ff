/* SPDX-License-Identifier: MIT */
/*
 * Tests for pack: values come back byte for byte (text, binary with NUL
 * bytes, empty, one byte short of and at PACK_MIN, a few MB); repetitive
 * text shrinks and random bytes are kept raw (one byte more); a context
 * is reused across values and both directions; what pack did not make
 * (an unknown kind, a cut or flipped frame, a frame claiming more than
 * PACK_MAX, nothing at all) is refused, and the buffer is left empty.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "skilld/store/pack.h"

Suite *pack_suite(void);

/* Packs and unpacks n bytes at p with c; returns the packed length. */
static size_t round_trip(struct pack_ctx *c, const void *p, size_t n)
{
	struct buf packed, out;
	size_t len;

	buf_init(&packed);
	buf_init(&out);
	pack_bytes(c, p, n, &packed);
	ck_assert_uint_ge(packed.len, 1);
	ck_assert_int_eq(unpack_bytes(c, packed.data, packed.len, &out), 0);
	ck_assert_uint_eq(out.len, n);
	ck_assert(n == 0 || memcmp(out.data, p, n) == 0);
	ck_assert_int_eq(out.data[n], '\0');
	len = packed.len;
	buf_fini(&packed);
	buf_fini(&out);
	return len;
}

/* n bytes of a small xorshift generator: incompressible. */
static unsigned char *noise(size_t n)
{
	unsigned char *b = malloc(n ? n : 1);
	uint32_t x = 2463534242u;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (unsigned char)x;
	}
	return b;
}

START_TEST(test_round_trips)
{
	struct pack_ctx *c = pack_ctx_new();
	static const char bin[] = "\0\1\2 binary\0with NULs\0";
	char small[PACK_MIN], text[4096];
	size_t big_n = 3u << 20, len;
	char *big = malloc(big_n);

	ck_assert_uint_eq(round_trip(c, "", 0), 1);              /* the kind byte alone */
	ck_assert_uint_eq(round_trip(c, bin, sizeof(bin)), 1 + sizeof(bin));
	memset(small, 'a', sizeof(small));
	ck_assert_uint_eq(round_trip(c, small, PACK_MIN - 1), PACK_MIN);  /* raw */
	ck_assert_uint_lt(round_trip(c, small, PACK_MIN), PACK_MIN);      /* compressed */
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = "the checklist item says what to check. "[i % 39];
	len = round_trip(c, text, sizeof(text));
	ck_assert_uint_lt(len, sizeof(text) / 10);
	for (size_t i = 0; i < big_n; i++)
		big[i] = (char)('a' + (i * 7 + i / 4096) % 26);
	ck_assert_uint_lt(round_trip(c, big, big_n), big_n / 4);
	free(big);
	pack_ctx_free(c);
}
END_TEST

START_TEST(test_random_bytes_stay_raw)
{
	struct pack_ctx *c = pack_ctx_new();
	unsigned char *b = noise(100000);
	struct buf packed;

	buf_init(&packed);
	pack_bytes(c, b, 100000, &packed);
	ck_assert_int_eq(packed.data[0], PACK_RAW);
	ck_assert_uint_eq(packed.len, 100001);
	buf_fini(&packed);
	ck_assert_uint_eq(round_trip(c, b, 100000), 100001);
	free(b);
	pack_ctx_free(c);
}
END_TEST

/* A buffer never initialised (all zeros), as the store's readers keep
 * theirs, works as one that was. */
START_TEST(test_zeroed_buffers)
{
	struct pack_ctx *c = pack_ctx_new();
	struct buf packed = { 0 }, out = { 0 };
	char text[300];

	memset(text, 'x', sizeof(text));
	pack_bytes(c, text, sizeof(text), &packed);
	ck_assert_int_eq(unpack_bytes(c, packed.data, packed.len, &out), 0);
	ck_assert_uint_eq(out.len, sizeof(text));
	buf_fini(&out);
	memset(&out, 0, sizeof(out));
	ck_assert_int_eq(unpack_bytes(c, "\0", 1, &out), 0);   /* an empty value */
	ck_assert_ptr_nonnull(out.data);
	ck_assert_uint_eq(out.len, 0);
	buf_fini(&out);
	buf_fini(&packed);
	pack_ctx_free(c);
}
END_TEST

START_TEST(test_refuses_what_pack_did_not_make)
{
	struct pack_ctx *c = pack_ctx_new();
	struct buf packed, out;
	char text[2000];
	unsigned char forged[64];

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 13);
	buf_init(&packed);
	buf_init(&out);
	pack_bytes(c, text, sizeof(text), &packed);
	ck_assert_int_eq(packed.data[0], PACK_ZSTD);
	ck_assert_int_eq(unpack_bytes(c, packed.data, 0, &out), -1);           /* nothing */
	ck_assert_int_eq(unpack_bytes(c, "\7abc", 4, &out), -1);              /* unknown kind */
	ck_assert_int_eq(unpack_bytes(c, packed.data, packed.len - 3, &out), -1);  /* cut */
	ck_assert_uint_eq(out.len, 0);
	packed.data[packed.len - 2] ^= 0x55;                                  /* flipped */
	ck_assert_int_eq(unpack_bytes(c, packed.data, packed.len, &out), -1);
	ck_assert_int_eq(unpack_bytes(c, "\1", 1, &out), -1);                 /* no frame */
	/* a frame that says it holds more than PACK_MAX: refused before
	 * anything is allocated */
	/* a frame that says it holds more than PACK_MAX, refused before
	 * anything is allocated: magic, a descriptor with an 8-byte content
	 * size and a single segment, the size */
	forged[0] = PACK_ZSTD;
	{
		static const unsigned char magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
		unsigned long long claim = (unsigned long long)PACK_MAX + 1;

		memcpy(forged + 1, magic, 4);
		forged[5] = 0xE0;   /* 8-byte size, single segment */
		for (int i = 0; i < 8; i++)
			forged[6 + i] = (unsigned char)(claim >> (8 * i));
		ck_assert(ZSTD_getFrameContentSize(forged + 1, 13) == claim);  /* a real header */
		ck_assert_int_eq(unpack_bytes(c, forged, 14, &out), -1);
	}
	/* and the context still works */
	ck_assert_uint_lt(round_trip(c, text, sizeof(text)), sizeof(text));
	buf_fini(&packed);
	buf_fini(&out);
	pack_ctx_free(c);
}
END_TEST

/* Samples of generated text: n of size bytes each, words from a small
 * vocabulary, as a collection's files share theirs. */
static char *word_samples(size_t n, size_t size, size_t *sizes, uint32_t seed)
{
	static const char *const words[] = { "review", "checklist", "thread", "safety", "naming",
					     "method", "before", "merge", "the", "of", "and", "## " };
	char *b = malloc(n * size);
	uint32_t x = seed;

	for (size_t i = 0; i < n * size; ) {
		const char *w;

		x = x * 1103515245u + 12345u;
		w = words[(x >> 16) % 12];
		for (; *w && i < n * size; w++)
			b[i++] = *w;
		if (i < n * size)
			b[i++] = (x >> 8) % 9 ? ' ' : '\n';
	}
	for (size_t i = 0; i < n; i++)
		sizes[i] = size;
	return b;
}

/* The dictionary source of a test: the bytes of one dictionary. */
static int give_dict(void *arg, uint32_t id, struct buf *out)
{
	const struct pack_dict *d = arg;
	size_t n;
	const void *p;

	if (!d || pack_dict_id(d) != id)
		return -1;
	p = pack_dict_bytes(d, &n);
	out->len = 0;
	buf_append(out, p, n);
	return 0;
}

/* A dictionary trained on samples like the value: the value packs
 * smaller with it; its frame names it, so a context without a source, or
 * whose source has another, cannot unpack it, and one whose source has it
 * can; a dictionary made again from its bytes is the same; too few
 * samples train none. */
START_TEST(test_dictionary)
{
	size_t sizes[120];
	char *samples = word_samples(120, 3000, sizes, 7), *value;
	struct pack_dict *d = pack_dict_train(samples, sizes, 120, PACK_DICT_ID_BASE + 5);
	struct pack_dict *other, *again;
	struct pack_ctx *w = pack_ctx_new(), *r = pack_ctx_new();
	struct buf plain, packed, out;
	const void *bytes;
	size_t n;

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(pack_dict_id(d), PACK_DICT_ID_BASE + 5);
	bytes = pack_dict_bytes(d, &n);
	ck_assert_uint_le(n, PACK_DICT_MAX);
	again = pack_dict_load(bytes, n);
	ck_assert_ptr_nonnull(again);
	ck_assert_uint_eq(pack_dict_id(again), PACK_DICT_ID_BASE + 5);
	ck_assert_ptr_null(pack_dict_load("not a dictionary", 16));
	value = word_samples(1, 1500, &n, 99);
	buf_init(&plain);
	buf_init(&packed);
	buf_init(&out);
	pack_bytes(w, value, 1500, &plain);
	pack_ctx_use(w, d);
	pack_bytes(w, value, 1500, &packed);
	ck_assert_uint_lt(packed.len, plain.len * 9 / 10);
	ck_assert_uint_eq(ZSTD_getDictID_fromFrame(packed.data + 1, packed.len - 1),
			  PACK_DICT_ID_BASE + 5);
	/* the context that packed it has it */
	ck_assert_int_eq(unpack_bytes(w, packed.data, packed.len, &out), 0);
	ck_assert_mem_eq(out.data, value, 1500);
	/* no source; a source with another dictionary */
	ck_assert_int_eq(unpack_bytes(r, packed.data, packed.len, &out), -1);
	other = pack_dict_train(samples, sizes, 120, PACK_DICT_ID_BASE + 6);
	pack_ctx_dicts(r, give_dict, other);
	ck_assert_int_eq(unpack_bytes(r, packed.data, packed.len, &out), -1);
	/* the right one, then values without a dictionary still unpack */
	pack_ctx_dicts(r, give_dict, again);
	ck_assert_int_eq(unpack_bytes(r, packed.data, packed.len, &out), 0);
	ck_assert_uint_eq(out.len, 1500);
	ck_assert_mem_eq(out.data, value, 1500);
	ck_assert_int_eq(unpack_bytes(r, plain.data, plain.len, &out), 0);
	ck_assert_mem_eq(out.data, value, 1500);
	/* too few samples */
	ck_assert_ptr_null(pack_dict_train(samples, sizes, 20, PACK_DICT_ID_BASE + 7));
	buf_fini(&plain);
	buf_fini(&packed);
	buf_fini(&out);
	pack_ctx_free(w);
	pack_ctx_free(r);
	pack_dict_free(d);
	pack_dict_free(other);
	pack_dict_free(again);
	free(samples);
	free(value);
}
END_TEST

Suite *pack_suite(void)
{
	Suite *s = suite_create("pack");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_random_bytes_stay_raw);
	tcase_add_test(tc, test_zeroed_buffers);
	tcase_add_test(tc, test_refuses_what_pack_did_not_make);
	tcase_add_test(tc, test_dictionary);
	suite_add_tcase(s, tc);
	return s;
}
