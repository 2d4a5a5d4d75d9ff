/* SPDX-License-Identifier: MIT */
/* Tests for util: buffer, SHA-256, file reading, jstr (UTF-8 and line
 * counting are tested in check_text.c). */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "skilld/base/util.h"
#include "testutil.h"

Suite *util_suite(void);

START_TEST(test_buf_grows_and_detaches)
{
	struct buf b;
	char *s;
	size_t n;

	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i % 10);
	ck_assert_uint_eq(b.len, 2000);
	s = buf_detach(&b, &n);
	ck_assert_uint_eq(n, 2000);
	ck_assert_int_eq(strncmp(s, "0,1,2,", 6), 0);
	ck_assert_uint_eq(b.len, 0);
	free(s);
	buf_fini(&b);
}
END_TEST

/* NULL with length 0, what sqlite3_column_blob gives for an empty blob,
 * appends and copies nothing (memcpy never sees the NULL: make check). */
START_TEST(test_null_with_length_zero)
{
	struct buf b;
	char *s;

	buf_init(&b);
	buf_puts(&b, "ab");
	buf_append(&b, NULL, 0);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_str_eq(b.data, "ab");
	buf_fini(&b);
	s = xstrndup(NULL, 0);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_sha256_known_vectors)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_jstr)
{
	cJSON *o = cJSON_Parse("{\"s\":\"text\",\"n\":1,\"z\":null,\"e\":\"\"}");
	cJSON *a = cJSON_Parse("[\"s\"]");

	ck_assert_str_eq(jstr(o, "s"), "text");
	ck_assert_str_eq(jstr(o, "e"), "");
	ck_assert_ptr_null(jstr(o, "n"));
	ck_assert_ptr_null(jstr(o, "z"));
	ck_assert_ptr_null(jstr(o, "missing"));
	ck_assert_ptr_null(jstr(o, "S"));      /* case sensitive */
	ck_assert_ptr_null(jstr(a, "s"));      /* not an object */
	ck_assert_ptr_null(jstr(NULL, "s"));
	cJSON_Delete(o);
	cJSON_Delete(a);
}
END_TEST

START_TEST(test_read_file_limits)
{
	char *dir = tu_mkdtemp();
	char *path = xasprintf("%s/f.txt", dir);
	char *data;
	size_t len;

	tu_write_str(dir, "f.txt", "hello");
	ck_assert_int_eq(read_file_all(path, 100, &data, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(data, "hello");
	free(data);
	ck_assert_int_eq(read_file_all(path, 4, &data, &len), -1);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_hex_and_base64)
{
	unsigned char out[8];
	char hex[17], *b64;
	size_t len = 99;

	hex_encode("\x00\x01\xab\xff", 4, hex);
	ck_assert_str_eq(hex, "0001abff");
	hex_encode("", 0, hex);
	ck_assert_str_eq(hex, "");
	ck_assert_int_eq(hex_decode("0001abff", 8, out, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(out, "\x00\x01\xab\xff", 4);
	ck_assert_int_eq(hex_decode("", 0, out, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(hex_decode("abc", 3, out, &len), -1);    /* odd */
	ck_assert_int_eq(hex_decode("AB", 2, out, &len), -1);     /* uppercase */
	ck_assert_int_eq(hex_decode("0g", 2, out, &len), -1);

	/* RFC 4648's test vectors */
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		b64 = base64_encode(vec[i][0], strlen(vec[i][0]));
		ck_assert_str_eq(b64, vec[i][1]);
		free(b64);
	}
}
END_TEST

START_TEST(test_jadd_time)
{
	cJSON *o = cJSON_CreateObject();

	jadd_time(o, "a", 1796401255827.0, true);
	jadd_time(o, "b", 1796401255827.0, false);
	jadd_time(o, "c", 0, true);
	jadd_time(o, "d", cJSON_GetNumberValue(NULL), true);   /* NaN: an absent number */
	jadd_time(o, "e", -5, false);
	ck_assert_str_eq(jstr(o, "a"), "2026-12-04T16:20:55.827Z");
	ck_assert_str_eq(jstr(o, "b"), "2026-12-04T16:20:55Z");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "c")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "d")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "e")));
	cJSON_Delete(o);
}
END_TEST

/* Passwords never reach a message: the userinfo's and a parameter's. */
START_TEST(test_mask_password)
{
	static const char *const cases[][2] = {
		{ "postgresql://ana:s3cret@db.example:5432/skilld",
		  "postgresql://ana:***@db.example:5432/skilld" },
		{ "postgres://ana@db/skilld", "postgres://ana@db/skilld" },
		{ "postgresql://db/skilld?user=ana&password=s3cret&sslmode=require",
		  "postgresql://db/skilld?user=ana&password=***&sslmode=require" },
		{ "postgresql://ana:p@ss:w@rd@db/x?password=a&PASSWORD=b",
		  "postgresql://ana:***@db/x?password=***&PASSWORD=***" },
		{ "postgresql://:only@db", "postgresql://:***@db" },
		{ "/var/lib/skilld/reviews.db", "/var/lib/skilld/reviews.db" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = str_mask_password(cases[i][0]);

		ck_assert_str_eq(m, cases[i][1]);
		free(m);
	}
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf_grows_and_detaches);
	tcase_add_test(tc, test_null_with_length_zero);
	tcase_add_test(tc, test_sha256_known_vectors);
	tcase_add_test(tc, test_jstr);
	tcase_add_test(tc, test_mask_password);
	tcase_add_test(tc, test_read_file_limits);
	tcase_add_test(tc, test_hex_and_base64);
	tcase_add_test(tc, test_jadd_time);
	suite_add_tcase(s, tc);
	return s;
}
