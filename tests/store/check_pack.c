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

Suite *pack_suite(void)
{
	Suite *s = suite_create("pack");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_random_bytes_stay_raw);
	tcase_add_test(tc, test_zeroed_buffers);
	tcase_add_test(tc, test_refuses_what_pack_did_not_make);
	suite_add_tcase(s, tc);
	return s;
}
