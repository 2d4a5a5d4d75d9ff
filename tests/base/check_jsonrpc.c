/* SPDX-License-Identifier: MIT */
/*
 * Tests for jsonrpc: message kinds and ids, validation, whole-body errors,
 * response objects, and hostile bodies (deep nesting, huge numbers, NUL
 * bytes, invalid UTF-8, odd batches) that must give an error, never a crash.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/base/jsonrpc.h"
#include "skilld/base/util.h"

Suite *jsonrpc_suite(void);

static int parse_str(const char *s, struct jsonrpc_body *b)
{
	return jsonrpc_parse(s, strlen(s), b);
}

/* Prints a response object compactly; free(). */
static char *print(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	char *copy = xstrdup(s);

	cJSON_free(s);
	cJSON_Delete(o);
	return copy;
}

START_TEST(test_request_kinds)
{
	struct jsonrpc_body b;

	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}", &b), 0);
	ck_assert(!b.batch);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_REQUEST);
	ck_assert_int_eq(b.msgs[0].id_kind, JSONRPC_ID_NUMBER);
	ck_assert_int_eq((int)b.msgs[0].id->valuedouble, 7);
	ck_assert_str_eq(b.msgs[0].method, "ping");
	ck_assert_ptr_null(b.msgs[0].params);
	jsonrpc_body_fini(&b);

	ck_assert_int_eq(parse_str(" {\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":\"x\","
				   "\"params\":{\"k\":[1,2]}}\r\n", &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_REQUEST);
	ck_assert_int_eq(b.msgs[0].id_kind, JSONRPC_ID_STRING);
	ck_assert_str_eq(b.msgs[0].id->valuestring, "a-1");
	ck_assert(cJSON_IsObject(b.msgs[0].params));
	jsonrpc_body_fini(&b);

	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":[1]}", &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_NOTIFICATION);
	ck_assert_int_eq(b.msgs[0].id_kind, JSONRPC_ID_ABSENT);
	ck_assert(cJSON_IsArray(b.msgs[0].params));
	jsonrpc_body_fini(&b);

	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"n\"}", &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_NOTIFICATION);
	ck_assert_int_eq(b.msgs[0].id_kind, JSONRPC_ID_NULL);
	ck_assert_ptr_null(b.msgs[0].id);
	jsonrpc_body_fini(&b);

	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}", &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_RESPONSE);
	jsonrpc_body_fini(&b);
	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":1}}", &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_RESPONSE);
	jsonrpc_body_fini(&b);
}
END_TEST

START_TEST(test_invalid_messages)
{
	static const struct {
		const char *body;
		const char *why;
		bool id_kept;
	} cases[] = {
		{ "{\"id\":1,\"method\":\"ping\"}", "jsonrpc must be \"2.0\"", true },
		{ "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", "jsonrpc must be \"2.0\"", true },
		{ "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", "jsonrpc must be \"2.0\"", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", "method must be a string", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":null}", "method must be a string", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\",\"params\":\"x\"}",
		  "params must be an object or an array", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\",\"params\":3}",
		  "params must be an object or an array", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\",\"params\":null}",
		  "params must be an object or an array", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"p\"}", "id must be a string, a number or null", false },
		{ "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"p\"}", "id must be a string, a number or null", false },
		{ "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"p\"}", "id must be a string, a number or null", false },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"p\"}", "id must be a string, a number or null", false },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1}", "a message needs a method, or else exactly one of result and error", true },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1,\"error\":{}}",
		  "a message needs a method, or else exactly one of result and error", true },
		{ "{\"jsonrpc\":\"2.0\",\"result\":1}", "a response needs a string or number id", false },
		{ "{}", "jsonrpc must be \"2.0\"", false },
		{ "{\"jsonrpc\":\"2.0\"}", "a message needs a method, or else exactly one of result and error", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jsonrpc_body b;

		ck_assert_msg(parse_str(cases[i].body, &b) == 0, "%s", cases[i].body);
		ck_assert_uint_eq(b.n, 1);
		ck_assert_msg(b.msgs[0].kind == JSONRPC_INVALID, "%s", cases[i].body);
		ck_assert_int_eq(b.msgs[0].error, JSONRPC_INVALID_REQUEST);
		ck_assert_str_eq(b.msgs[0].error_message, cases[i].why);
		ck_assert_msg((b.msgs[0].id != NULL) == cases[i].id_kept, "%s", cases[i].body);
		ck_assert_ptr_null(b.msgs[0].method);
		ck_assert_ptr_null(b.msgs[0].params);
		jsonrpc_body_fini(&b);
	}
}
END_TEST

START_TEST(test_body_errors)
{
	static const struct {
		const char *body;
		size_t len;  /* 0: strlen */
		int code;
	} cases[] = {
		{ "", 0, JSONRPC_PARSE_ERROR },
		{ "   \r\n", 0, JSONRPC_PARSE_ERROR },
		{ "{", 0, JSONRPC_PARSE_ERROR },
		{ "{\"jsonrpc\":\"2.0\",", 0, JSONRPC_PARSE_ERROR },
		{ "[1,2", 0, JSONRPC_PARSE_ERROR },
		{ "nul", 0, JSONRPC_PARSE_ERROR },
		{ "{\"a\":1} {\"b\":2}", 0, JSONRPC_PARSE_ERROR },
		{ "{\"a\":1}x", 0, JSONRPC_PARSE_ERROR },
		{ "{\"a\":\"\x80\"}", 0, JSONRPC_PARSE_ERROR },
		{ "{\"a\":\"\xed\xa0\x80\"}", 0, JSONRPC_PARSE_ERROR },
		{ "{\"a\":\"\\ud800\"}", 0, JSONRPC_PARSE_ERROR },
		{ "{\"a\":\0}", 7, JSONRPC_PARSE_ERROR },
		{ "{\"a\":1}\0", 8, JSONRPC_PARSE_ERROR },
		{ "'single'", 0, JSONRPC_PARSE_ERROR },
		{ "[]", 0, JSONRPC_INVALID_REQUEST },
		{ " [ ] ", 0, JSONRPC_INVALID_REQUEST },
		{ "1", 0, JSONRPC_INVALID_REQUEST },
		{ "\"ping\"", 0, JSONRPC_INVALID_REQUEST },
		{ "null", 0, JSONRPC_INVALID_REQUEST },
		{ "true", 0, JSONRPC_INVALID_REQUEST },
		{ "1e99999", 0, JSONRPC_INVALID_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\\u0000x\"}", 0, JSONRPC_INVALID_REQUEST },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jsonrpc_body b;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].body);

		ck_assert_msg(jsonrpc_parse(cases[i].body, len, &b) == -1, "case %zu", i);
		ck_assert_msg(b.error == cases[i].code, "case %zu: %d", i, b.error);
		ck_assert_ptr_nonnull(b.error_message);
		ck_assert_uint_eq(b.n, 0);
		jsonrpc_body_fini(&b);
	}
	/* NULL body */
	{
		struct jsonrpc_body b;

		ck_assert_int_eq(jsonrpc_parse(NULL, 0, &b), -1);
		ck_assert_int_eq(b.error, JSONRPC_PARSE_ERROR);
		jsonrpc_body_fini(&b);
	}
	/* a UTF-8 byte-order mark is skipped (RFC 8259 allows that) */
	{
		struct jsonrpc_body b;

		ck_assert_int_eq(parse_str("\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"method\":\"n\"}", &b), 0);
		ck_assert_int_eq(b.msgs[0].kind, JSONRPC_NOTIFICATION);
		jsonrpc_body_fini(&b);
	}
	/* an escaped backslash before u0000 is not a NUL */
	{
		struct jsonrpc_body b;

		ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\\\\u0000\"}", &b), 0);
		ck_assert_str_eq(b.msgs[0].method, "a\\u0000");
		jsonrpc_body_fini(&b);
	}
}
END_TEST

START_TEST(test_batches)
{
	struct jsonrpc_body b;
	struct buf big;

	ck_assert_int_eq(parse_str("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},"
				   "{\"jsonrpc\":\"2.0\",\"method\":\"n\"},1,\"x\",null,[],"
				   "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}]", &b), 0);
	ck_assert(b.batch);
	ck_assert_uint_eq(b.n, 7);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_REQUEST);
	ck_assert_int_eq(b.msgs[1].kind, JSONRPC_NOTIFICATION);
	for (int i = 2; i < 6; i++) {
		ck_assert_int_eq(b.msgs[i].kind, JSONRPC_INVALID);
		ck_assert_str_eq(b.msgs[i].error_message, "a message must be a JSON object");
	}
	ck_assert_int_eq(b.msgs[6].kind, JSONRPC_RESPONSE);
	jsonrpc_body_fini(&b);

	/* the batch limit: 256 entries pass, 257 do not */
	buf_init(&big);
	buf_putc(&big, '[');
	for (int i = 0; i < JSONRPC_MAX_BATCH; i++)
		buf_printf(&big, "%s{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"ping\"}", i ? "," : "", i);
	buf_putc(&big, ']');
	ck_assert_int_eq(jsonrpc_parse(big.data, big.len, &b), 0);
	ck_assert_uint_eq(b.n, JSONRPC_MAX_BATCH);
	ck_assert_int_eq((int)b.msgs[255].id->valuedouble, 255);
	jsonrpc_body_fini(&b);
	big.len--;
	buf_puts(&big, ",1]");
	ck_assert_int_eq(jsonrpc_parse(big.data, big.len, &b), -1);
	ck_assert_int_eq(b.error, JSONRPC_INVALID_REQUEST);
	jsonrpc_body_fini(&b);
	buf_fini(&big);
}
END_TEST

START_TEST(test_hostile)
{
	struct buf deep;
	struct jsonrpc_body b;
	char *s;

	/* nesting far past cJSON's limit: a parse error, not a stack overflow */
	buf_init(&deep);
	for (int i = 0; i < 100000; i++)
		buf_putc(&deep, '[');
	ck_assert_int_eq(jsonrpc_parse(deep.data, deep.len, &b), -1);
	ck_assert_int_eq(b.error, JSONRPC_PARSE_ERROR);
	jsonrpc_body_fini(&b);
	buf_reset(&deep);
	buf_puts(&deep, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":");
	for (int i = 0; i < 5000; i++)
		buf_puts(&deep, "{\"a\":");
	buf_puts(&deep, "1");
	for (int i = 0; i < 5000; i++)
		buf_putc(&deep, '}');
	buf_putc(&deep, '}');
	ck_assert_int_eq(jsonrpc_parse(deep.data, deep.len, &b), -1);
	ck_assert_int_eq(b.error, JSONRPC_PARSE_ERROR);
	jsonrpc_body_fini(&b);
	/* nesting within the limit is fine */
	buf_reset(&deep);
	buf_puts(&deep, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":");
	for (int i = 0; i < 500; i++)
		buf_putc(&deep, '[');
	for (int i = 0; i < 500; i++)
		buf_putc(&deep, ']');
	buf_putc(&deep, '}');
	ck_assert_int_eq(jsonrpc_parse(deep.data, deep.len, &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_REQUEST);
	jsonrpc_body_fini(&b);
	buf_fini(&deep);

	/* huge and odd numbers as ids */
	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":123456789012345678901234567890,"
				   "\"method\":\"m\"}", &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_REQUEST);
	s = print(jsonrpc_result(b.msgs[0].id, NULL));
	ck_assert(strncmp(s, "{\"jsonrpc\":\"2.0\",\"id\":1.2345678901234568e+29", 42) == 0);
	free(s);
	jsonrpc_body_fini(&b);
	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":-0.5,\"method\":\"m\"}", &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_REQUEST);
	jsonrpc_body_fini(&b);
	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":-1e400,\"method\":\"m\"}", &b), 0);
	ck_assert_int_eq(b.msgs[0].kind, JSONRPC_INVALID);
	jsonrpc_body_fini(&b);

	/* duplicate keys: the first wins, as cJSON looks them up */
	ck_assert_int_eq(parse_str("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"method\":\"b\"}", &b), 0);
	ck_assert_str_eq(b.msgs[0].method, "a");
	jsonrpc_body_fini(&b);

	/* a long method name survives intact */
	{
		struct buf m;

		buf_init(&m);
		buf_puts(&m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"");
		for (int i = 0; i < 100000; i++)
			buf_putc(&m, 'x');
		buf_puts(&m, "\"}");
		ck_assert_int_eq(jsonrpc_parse(m.data, m.len, &b), 0);
		ck_assert_uint_eq(strlen(b.msgs[0].method), 100000);
		jsonrpc_body_fini(&b);
		buf_fini(&m);
	}
	/* body not NUL terminated: only len bytes are read */
	{
		char raw[] = { '{', '}', 'x' };

		ck_assert_int_eq(jsonrpc_parse(raw, 2, &b), 0);
		ck_assert_int_eq(b.msgs[0].kind, JSONRPC_INVALID);
		jsonrpc_body_fini(&b);
	}
}
END_TEST

START_TEST(test_responses)
{
	cJSON *id = cJSON_CreateString("q\"1");
	cJSON *num = cJSON_CreateNumber(42);
	char *s;

	s = print(jsonrpc_result(id, cJSON_CreateObject()));
	ck_assert_str_eq(s, "{\"jsonrpc\":\"2.0\",\"id\":\"q\\\"1\",\"result\":{}}");
	free(s);
	s = print(jsonrpc_result(NULL, NULL));
	ck_assert_str_eq(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}");
	free(s);
	s = print(jsonrpc_error(num, JSONRPC_METHOD_NOT_FOUND, NULL, NULL));
	ck_assert_str_eq(s, "{\"jsonrpc\":\"2.0\",\"id\":42,\"error\":{\"code\":-32601,"
			    "\"message\":\"Method not found\"}}");
	free(s);
	s = print(jsonrpc_error(NULL, JSONRPC_PARSE_ERROR, "bad", cJSON_CreateString("d")));
	ck_assert_str_eq(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
			    "\"message\":\"bad\",\"data\":\"d\"}}");
	free(s);
	ck_assert_str_eq(jsonrpc_code_message(JSONRPC_INVALID_REQUEST), "Invalid Request");
	ck_assert_str_eq(jsonrpc_code_message(JSONRPC_INVALID_PARAMS), "Invalid params");
	ck_assert_str_eq(jsonrpc_code_message(JSONRPC_INTERNAL_ERROR), "Internal error");
	ck_assert_str_eq(jsonrpc_code_message(JSONRPC_PARSE_ERROR), "Parse error");
	ck_assert_str_eq(jsonrpc_code_message(-32000), "Server error");
	/* the ids were copied, not taken */
	ck_assert_str_eq(id->valuestring, "q\"1");
	cJSON_Delete(id);
	cJSON_Delete(num);
}
END_TEST

Suite *jsonrpc_suite(void)
{
	Suite *s = suite_create("jsonrpc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_request_kinds);
	tcase_add_test(tc, test_invalid_messages);
	tcase_add_test(tc, test_body_errors);
	tcase_add_test(tc, test_batches);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_responses);
	suite_add_tcase(s, tc);
	return s;
}
