/* SPDX-License-Identifier: MIT */
/* Tests for request: percent-decoding, query parsing, JSON errors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/base/request.h"
#include "skilld/base/util.h"

Suite *request_suite(void);

START_TEST(test_method_names)
{
	ck_assert_int_eq(request_method("GET"), METHOD_GET);
	ck_assert_int_eq(request_method("OPTIONS"), METHOD_OPTIONS);
	ck_assert_int_eq(request_method("get"), METHOD_OTHER);
	ck_assert_int_eq(request_method("BREW"), METHOD_OTHER);
	ck_assert_int_eq(request_method(""), METHOD_OTHER);
}
END_TEST

START_TEST(test_url_decode)
{
	char *s = url_decode("a%20b%2Fc+d", 11, false);

	ck_assert_str_eq(s, "a b/c+d");
	free(s);
	s = url_decode("a+b", 3, true);
	ck_assert_str_eq(s, "a b");
	free(s);
	s = url_decode("caf%C3%A9", 9, false);
	ck_assert_str_eq(s, "caf\xc3\xa9");
	free(s);
	ck_assert_ptr_null(url_decode("a%00b", 5, false));   /* encoded NUL */
	ck_assert_ptr_null(url_decode("%zz", 3, false));     /* bad hex */
	ck_assert_ptr_null(url_decode("abc%4", 5, false));   /* truncated */
	ck_assert_ptr_null(url_decode("%", 1, false));
	ck_assert_ptr_null(url_decode("%C3%28", 6, false));  /* invalid UTF-8 */
	ck_assert_ptr_null(url_decode("%C0%AF", 6, false));  /* overlong slash */
}
END_TEST

START_TEST(test_query_parsing)
{
	struct request req;

	request_init(&req);
	request_parse_query(&req, "limit=5&cursor=c61&&q=a+b%26c&flag");
	ck_assert(!req.query_bad);
	ck_assert_uint_eq(req.n_query, 4);
	ck_assert_str_eq(request_query(&req, "limit"), "5");
	ck_assert_str_eq(request_query(&req, "q"), "a b&c");
	ck_assert_str_eq(request_query(&req, "flag"), "");
	ck_assert_ptr_null(request_query(&req, "missing"));
	request_fini(&req);

	request_init(&req);
	request_parse_query(&req, "q=%00");
	ck_assert(req.query_bad);
	request_fini(&req);
}
END_TEST

START_TEST(test_url_encode_and_query_string)
{
	struct request req;
	struct buf b;

	buf_init(&b);
	url_encode(&b, "a b/c~d.e_f-g%\xc3\xa9", "");
	ck_assert_str_eq(b.data, "a%20b%2Fc~d.e_f-g%25%C3%A9");
	buf_fini(&b);
	buf_init(&b);
	url_encode(&b, "references/a b.md", "/");
	ck_assert_str_eq(b.data, "references/a%20b.md");
	buf_fini(&b);

	/* the query again, encoded, with one argument left out */
	request_init(&req);
	request_parse_query(&req, "q=a+b%26c&max_tokens=10&x=%2F");
	buf_init(&b);
	request_query_string(&b, &req, "max_tokens");
	ck_assert_str_eq(b.data, "?q=a%20b%26c&x=%2F");
	buf_fini(&b);
	buf_init(&b);
	request_query_string(&b, &req, NULL);
	ck_assert_str_eq(b.data, "?q=a%20b%26c&max_tokens=10&x=%2F");
	buf_fini(&b);
	request_fini(&req);
	/* none: nothing appended */
	request_init(&req);
	buf_init(&b);
	buf_puts(&b, "/p");
	request_query_string(&b, &req, NULL);
	ck_assert_str_eq(b.data, "/p");
	buf_fini(&b);
	request_fini(&req);
}
END_TEST

START_TEST(test_query_long)
{
	struct request req;
	long v = 7;

	request_init(&req);
	request_parse_query(&req, "a=12&b=0&c=-1&d=1x&e=&f=99999999999999999999&g=+3");
	ck_assert_int_eq(request_query_long(&req, "a", 1, 20, 5, &v), 0);
	ck_assert_int_eq(v, 12);
	ck_assert_int_eq(request_query_long(&req, "none", 1, 20, 5, &v), 0);
	ck_assert_int_eq(v, 5);
	v = 7;
	ck_assert_int_eq(request_query_long(&req, "b", 1, 20, 5, &v), -1);   /* below */
	ck_assert_int_eq(request_query_long(&req, "a", 1, 10, 5, &v), -1);   /* above */
	ck_assert_int_eq(request_query_long(&req, "c", -5, 20, 5, &v), -1);  /* no sign */
	ck_assert_int_eq(request_query_long(&req, "d", 1, 20, 5, &v), -1);
	ck_assert_int_eq(request_query_long(&req, "e", 1, 20, 5, &v), -1);
	ck_assert_int_eq(request_query_long(&req, "f", 1, 20, 5, &v), -1);
	ck_assert_int_eq(request_query_long(&req, "g", 1, 20, 5, &v), -1);
	ck_assert_int_eq(v, 7);
	request_fini(&req);
}
END_TEST

START_TEST(test_cookie_and_https)
{
	struct request req;
	char v[16];

	request_init(&req);
	request_cookie(&req, "skilld_session", v, sizeof(v));
	ck_assert_str_eq(v, "");
	req.cookie = "a=1; skilld_sessionx=no;skilld_session=abc; b=2";
	request_cookie(&req, "skilld_session", v, sizeof(v));
	ck_assert_str_eq(v, "abc");
	request_cookie(&req, "b", v, sizeof(v));
	ck_assert_str_eq(v, "2");
	/* too long for out: empty, never cut */
	req.cookie = "k=0123456789abcdef";
	request_cookie(&req, "k", v, sizeof(v));
	ck_assert_str_eq(v, "");

	ck_assert(!request_via_https(&req));
	req.forwarded_proto = " HTTPS";
	ck_assert(request_via_https(&req));
	req.forwarded_proto = "https, http";
	ck_assert(request_via_https(&req));
	req.forwarded_proto = "httpsx";
	ck_assert(!request_via_https(&req));
	req.forwarded_proto = "http, https";
	ck_assert(!request_via_https(&req));
	req.cookie = NULL;
	req.forwarded_proto = NULL;
	request_fini(&req);
}
END_TEST

START_TEST(test_response_error_is_json)
{
	struct response res;
	cJSON *j, *e;

	response_init(&res);
	response_error(&res, 404, "not_found", "no skill has the slug '%s'", "a\"b");
	ck_assert_int_eq(res.status, 404);
	ck_assert_str_eq(res.content_type, CT_JSON);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_ptr_nonnull(j);
	e = cJSON_GetObjectItem(j, "error");
	ck_assert_str_eq(cJSON_GetObjectItem(e, "code")->valuestring, "not_found");
	ck_assert_str_eq(cJSON_GetObjectItem(e, "message")->valuestring, "no skill has the slug 'a\"b'");
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

static enum format negotiate(const char *query, const char *accept, const char *ua)
{
	struct request req;
	enum format f;

	request_init(&req);
	if (query)
		request_parse_query(&req, query);
	req.accept = accept;
	req.user_agent = ua;
	f = request_negotiate(&req);
	request_fini(&req);
	return f;
}

START_TEST(test_negotiation)
{
	const char *chrome = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0";
	const char *browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,"
				     "image/avif,image/webp,*/*;q=0.8";

	ck_assert_int_eq(negotiate(NULL, browser_accept, chrome), FORMAT_HTML);
	ck_assert_int_eq(negotiate(NULL, "application/json", chrome), FORMAT_JSON);
	ck_assert_int_eq(negotiate(NULL, "text/markdown", "agent/1.0"), FORMAT_MD);
	ck_assert_int_eq(negotiate(NULL, "text/plain", chrome), FORMAT_TEXT);
	/* curl and friends asking for anything get markdown as plain text */
	ck_assert_int_eq(negotiate(NULL, "*/*", "curl/7.88.1"), FORMAT_TEXT);
	ck_assert_int_eq(negotiate(NULL, NULL, "Wget/1.21.3"), FORMAT_TEXT);
	ck_assert_int_eq(negotiate(NULL, "*/*", "HTTPie/3.2.1"), FORMAT_TEXT);
	ck_assert_int_eq(negotiate(NULL, "*/*", chrome), FORMAT_HTML);
	ck_assert_int_eq(negotiate(NULL, NULL, chrome), FORMAT_HTML);
	/* q-values */
	ck_assert_int_eq(negotiate(NULL, "text/html;q=0.5, application/json", chrome), FORMAT_JSON);
	ck_assert_int_eq(negotiate(NULL, "text/markdown;q=0.9, text/html;q=0.1", chrome), FORMAT_MD);
	ck_assert_int_eq(negotiate(NULL, "text/html;q=0, */*", "curl/8"), FORMAT_TEXT);
	ck_assert_int_eq(negotiate(NULL, "application/json, text/html", chrome), FORMAT_JSON);
	ck_assert_int_eq(negotiate(NULL, "image/png", chrome), FORMAT_HTML);
	/* ?format= overrides everything */
	ck_assert_int_eq(negotiate("format=md", browser_accept, chrome), FORMAT_MD);
	ck_assert_int_eq(negotiate("format=json", "text/markdown", "curl/8"), FORMAT_JSON);
	ck_assert_int_eq(negotiate("format=html", "*/*", "curl/8"), FORMAT_HTML);
	ck_assert_int_eq(negotiate("format=pdf", NULL, NULL), FORMAT_BAD);
	ck_assert_str_eq(format_content_type(FORMAT_MD), "text/markdown; charset=utf-8");
	ck_assert_str_eq(format_content_type(FORMAT_TEXT), "text/plain; charset=utf-8");
}
END_TEST

/* Every element of a q-value list as "value=q" lines (q with 3 decimals). */
static void qlist(const char *header, char *out, size_t size)
{
	const char *p = header;
	char value[16];
	double q;
	size_t len = 0;

	out[0] = '\0';
	while (request_qlist_next(&p, value, sizeof(value), &q) && len < size)
		len += (size_t)snprintf(out + len, size - len, "%s=%.3f\n", value, q);
}

START_TEST(test_qvalue_lists)
{
	char out[256];

	qlist(NULL, out, sizeof(out));
	ck_assert_str_eq(out, "");
	qlist("", out, sizeof(out));
	ck_assert_str_eq(out, "");
	qlist("gzip;q=0, br", out, sizeof(out));
	ck_assert_str_eq(out, "gzip=0.000\nbr=1.000\n");
	/* blanks, parameters before q, Q=, a q out of range or not a number */
	qlist(" text/html ; level=1 ;  q=0.5 ,*/*; Q=0.001,a;q=2,b;q=x", out, sizeof(out));
	ck_assert_str_eq(out, "text/html=0.500\n*/*=0.001\na=0.000\nb=0.000\n");
	/* an empty element is read as an empty value; a trailing comma ends the list */
	qlist("gzip,,identity;q=0,", out, sizeof(out));
	ck_assert_str_eq(out, "gzip=1.000\n=1.000\nidentity=0.000\n");
	/* a value longer than the buffer is cut, the list goes on */
	qlist("application/json;q=0.8, x", out, sizeof(out));
	ck_assert_str_eq(out, "application/jso=0.800\nx=1.000\n");
}
END_TEST

Suite *request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_method_names);
	tcase_add_test(tc, test_url_decode);
	tcase_add_test(tc, test_query_parsing);
	tcase_add_test(tc, test_response_error_is_json);
	tcase_add_test(tc, test_negotiation);
	tcase_add_test(tc, test_qvalue_lists);
	tcase_add_test(tc, test_url_encode_and_query_string);
	tcase_add_test(tc, test_cookie_and_https);
	tcase_add_test(tc, test_query_long);
	suite_add_tcase(s, tc);
	return s;
}
