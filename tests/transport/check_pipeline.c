/* SPDX-License-Identifier: MIT */
/*
 * Tests for the pipeline's content coding, in process (ta_get, no socket)
 * and over sockets to two servers on the same skills: one with
 * --cache-size 0, whose every answer comes straight from the pipeline, and
 * one with the prepared answers on. gzip follows Accept-Encoding's q-values;
 * a gzip answer has its own strong ETag (-gz), Vary: Accept-Encoding, and
 * revalidates to a 304; dynamic answers are compressed too; and the two
 * servers and the in-process answer agree header for header, byte for byte.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "skilld/transport/http.h"
#include "skilld/transport/pipeline.h"
#include "skilld/base/tokens.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *pipeline_suite(void);

#define DETAIL "/api/v1/skills/alpha"  /* JSON of more than 1 KB */
/* 17 KB of markdown with a frontmatter, CRLF lines and multibyte text,
 * served as the skill budget-demo for the ?max_tokens tests. */
#define BUDGET_FIXTURE "tests/fixtures/tokens/budget-demo/SKILL.md"
#define BUDGET_MD "/skills/budget-demo/SKILL.md"

static struct ta_app plain;   /* --cache-size 0 */
static struct ta_app cached;  /* prepared answers on (the default size) */

static void setup(void)
{
	static const char *const no_cache[] = { "--port", "0", "--threads", "2",
						"--cache-size", "0", NULL };
	static const char *const cache[] = { "--port", "0", "--threads", "2", NULL };
	char err[256];

	char *md;
	size_t len;

	ta_prepare(&plain);
	md = tu_read(BUDGET_FIXTURE, &len);
	tu_write(plain.root, "budget-demo/SKILL.md", md, len);
	free(md);
	ta_open(&plain, no_cache);
	ck_assert_msg(http_start(&plain.app, err, sizeof(err)) == 0, "%s", err);
	/* The same root for both, so that they index the same bytes. */
	ta_prepare(&cached);
	free(cached.root);
	cached.root = xstrdup(plain.root);
	ta_open(&cached, cache);
	ck_assert_msg(http_start(&cached.app, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
	http_stop(&cached.app);
	http_stop(&plain.app);
	ta_close(&cached);
	ta_close(&plain);
}

/* The value of a header of an in-process answer, or NULL. */
static const char *res_header(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (strcasecmp(res->headers[i].key, name) == 0)
			return res->headers[i].value;
	return NULL;
}

/* GET path in process (the server without a cache) with Accept-Encoding
 * ae and If-None-Match inm (NULL: absent). */
static int get(const char *path, const char *ae, const char *inm, struct response *res)
{
	struct ta_headers h = { .host = "127.0.0.1", .accept_encoding = ae, .if_none_match = inm };

	return ta_get(&plain.app, path, &h, res);
}

/* GET path over a socket to t with Accept-Encoding ae and If-None-Match
 * inm (NULL: absent); returns the status. */
static int sget(struct ta_app *t, const char *path, const char *ae, const char *inm,
		struct tu_response *r)
{
	struct buf extra;

	buf_init(&extra);
	if (ae)
		buf_printf(&extra, "Accept-Encoding: %s\r\n", ae);
	if (inm)
		buf_printf(&extra, "If-None-Match: %s\r\n", inm);
	ck_assert_int_eq(tu_get(t->app.port, path, extra.data, r), 0);
	buf_fini(&extra);
	return r->status;
}

/* The gzip form's ETag of an identity ETag ("\"x\"" -> "\"x-gz\"") (free()). */
static char *gz_etag(const char *etag)
{
	return xasprintf("%.*s-gz\"", (int)strlen(etag) - 1, etag);
}

/* --cache-size 0: a JSON answer over 1 KB is gzip when asked for, and
 * decodes to the identity bytes; its ETag is the -gz one, it varies by
 * Accept-Encoding, and that ETag revalidates (304) without the cache too;
 * the same over the socket and in process. */
START_TEST(test_gzip_without_the_cache)
{
	struct response id, gz, res;
	struct tu_response r;
	size_t len;
	char *bytes, *zetag, *h;

	ck_assert_int_eq(get(DETAIL, NULL, NULL, &id), 200);
	ck_assert_uint_ge(id.body_len, 1024);
	ck_assert_ptr_null(res_header(&id, "Content-Encoding"));
	ck_assert_int_eq(get(DETAIL, "gzip", NULL, &gz), 200);
	ck_assert_str_eq(res_header(&gz, "Content-Encoding"), "gzip");
	ck_assert_uint_lt(gz.body_len, id.body_len);
	bytes = tu_gunzip(gz.body, gz.body_len, &len);
	ck_assert_uint_eq(len, id.body_len);
	ck_assert(memcmp(bytes, id.body, len) == 0);
	free(bytes);
	zetag = gz_etag(id.etag);
	ck_assert_str_eq(gz.etag, zetag);
	ck_assert_str_eq(res_header(&gz, "Vary"), "Accept-Encoding");
	ck_assert_str_eq(res_header(&id, "Vary"), "Accept-Encoding");
	ck_assert_str_eq(res_header(&gz, "Cache-Control"), "no-cache");

	/* over the socket of the server without a cache: the same bytes */
	ck_assert_int_eq(sget(&plain, DETAIL, "gzip", NULL, &r), 200);
	h = tu_header(&r, "Content-Encoding");
	ck_assert_str_eq(h, "gzip");
	free(h);
	h = tu_header(&r, "ETag");
	ck_assert_str_eq(h, zetag);
	free(h);
	h = tu_header(&r, "Vary");
	ck_assert_str_eq(h, "Accept-Encoding");
	free(h);
	ck_assert_uint_eq(r.body_len, gz.body_len);
	ck_assert(memcmp(r.body, gz.body, r.body_len) == 0);
	tu_response_fini(&r);

	/* the -gz ETag revalidates the gzip form, over the socket and in process */
	ck_assert_int_eq(sget(&plain, DETAIL, "gzip", zetag, &r), 304);
	ck_assert_uint_eq(r.body_len, 0);
	h = tu_header(&r, "ETag");
	ck_assert_str_eq(h, zetag);
	free(h);
	ck_assert_ptr_null(tu_header(&r, "Content-Encoding"));
	tu_response_fini(&r);
	ck_assert_int_eq(get(DETAIL, "gzip", zetag, &res), 304);
	ck_assert_uint_eq(res.body_len, 0);
	response_fini(&res);
	/* and only that form: each ETag names its own bytes */
	ck_assert_int_eq(get(DETAIL, NULL, zetag, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(get(DETAIL, "gzip", id.etag, &res), 200);
	ck_assert_str_eq(res_header(&res, "Content-Encoding"), "gzip");
	response_fini(&res);
	ck_assert_int_eq(sget(&plain, DETAIL, NULL, zetag, &r), 200);
	tu_response_fini(&r);

	free(zetag);
	response_fini(&id);
	response_fini(&gz);
}
END_TEST

/* A dynamic answer (never prepared ahead) is compressed too. */
START_TEST(test_dynamic_answers_gzip)
{
	static const char path[] = "/api/v1/diagnostics";
	struct ta_app *servers[] = { &plain, &cached };
	struct response id, gz;
	size_t len;
	char *bytes;

	ck_assert_int_eq(get(path, NULL, NULL, &id), 200);
	ck_assert(id.dynamic);
	ck_assert_uint_ge(id.body_len, 1024);
	ck_assert_int_eq(get(path, "gzip", NULL, &gz), 200);
	ck_assert_str_eq(res_header(&gz, "Content-Encoding"), "gzip");
	bytes = tu_gunzip(gz.body, gz.body_len, &len);
	ck_assert_uint_eq(len, id.body_len);
	ck_assert(memcmp(bytes, id.body, len) == 0);
	free(bytes);
	response_fini(&id);
	response_fini(&gz);
	for (size_t s = 0; s < 2; s++) {
		for (int round = 0; round < 3; round++) {
			struct tu_response r;
			char *h;

			ck_assert_int_eq(sget(servers[s], path, "gzip, deflate", NULL, &r), 200);
			h = tu_header(&r, "Content-Encoding");
			ck_assert_msg(h && strcmp(h, "gzip") == 0, "server %zu round %d: %s", s,
				      round, h ? h : "identity");
			free(h);
			bytes = tu_gunzip(r.body, r.body_len, &len);
			ck_assert(len > 0 && bytes[0] == '{');
			free(bytes);
			tu_response_fini(&r);
		}
	}
}
END_TEST

/* Accept-Encoding with q-values: gzip when its q is over 0, or when a "*"
 * over 0 stands for it; identity otherwise, also when the client refuses
 * identity too (no 406). In process and over both servers, after the gzip
 * form was prepared, so that the cache key follows the same rule. */
START_TEST(test_accept_encoding_q_values)
{
	static const struct {
		const char *ae;
		bool gzip;
	} cases[] = {
		{ "gzip", true },
		{ "gzip", true },
		{ "gzip", true },
		{ "gzip;q=0, br", false },
		{ "br, gzip;q=0", false },
		{ "gzip; q=0.0", false },
		{ "gzip;q=0.000", false },
		{ "*;q=0.5", true },
		{ "gzip;q=0.001", true },
		{ "identity;q=0, gzip;q=0", false },
		{ "identity;q=0", false },
		{ "GZIP;Q=1", true },
		{ "x-gzip", true },
		{ "deflate, br", false },
		{ "*;q=0", false },
		{ "gzip;q=0, *", false },
		{ "br, *;q=0.1", true },
		{ "", false },
		{ NULL, false },
	};
	struct ta_app *servers[] = { &plain, &cached };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct response res;

		ck_assert_int_eq(get(DETAIL, cases[i].ae, NULL, &res), 200);
		ck_assert_msg((res_header(&res, "Content-Encoding") != NULL) == cases[i].gzip,
			      "in process, Accept-Encoding: %s", cases[i].ae ? cases[i].ae : "(none)");
		response_fini(&res);
		for (size_t s = 0; s < 2; s++) {
			struct tu_response r;
			char *h;

			ck_assert_int_eq(sget(servers[s], DETAIL, cases[i].ae, NULL, &r), 200);
			h = tu_header(&r, "Content-Encoding");
			ck_assert_msg((h != NULL) == cases[i].gzip, "%s, Accept-Encoding: %s",
				      s ? "cache on" : "no cache",
				      cases[i].ae ? cases[i].ae : "(none)");
			free(h);
			tu_response_fini(&r);
		}
	}
	ck_assert(pipeline_wants_gzip("gzip"));
	ck_assert(!pipeline_wants_gzip("gzip;q=0, br"));
	ck_assert(!pipeline_wants_gzip(NULL));
}
END_TEST

/* A socket answer's header block without its Date line (free()), the one
 * header that may change from one answer to the next. */
static char *headers_but_date(const struct tu_response *r)
{
	struct buf b;

	buf_init(&b);
	for (const char *p = r->headers; p && *p;) {
		const char *eol = strstr(p, "\r\n");
		size_t n = eol ? (size_t)(eol - p) + 2 : strlen(p);

		if (strncasecmp(p, "Date:", 5) != 0)
			buf_append(&b, p, n);
		p += n;
	}
	return buf_detach(&b, NULL);
}

/* Fails unless the socket answers a and b are the same to the byte (the
 * Date header aside). */
static void same_answer(const struct tu_response *a, const struct tu_response *b, const char *what)
{
	char *ha = headers_but_date(a), *hb = headers_but_date(b);

	ck_assert_msg(strcmp(ha, hb) == 0, "%s: headers differ:\n%s\n---\n%s", what, ha, hb);
	ck_assert_msg(a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0,
		      "%s: bodies differ (%zu and %zu bytes)", what, a->body_len, b->body_len);
	free(ha);
	free(hb);
}

/* Fails unless the in-process answer res is the socket answer r: status,
 * bytes, ETag, and every header the pipeline set, with its value. */
static void same_in_process(const struct response *res, const struct tu_response *r,
			    const char *what)
{
	char *h = tu_header(r, "ETag");

	ck_assert_msg(res->status == r->status, "%s: %d and %d", what, res->status, r->status);
	ck_assert_msg(res->body_len == r->body_len &&
		      (r->body_len == 0 || memcmp(res->body, r->body, r->body_len) == 0),
		      "%s: bodies differ (%zu and %zu bytes)", what, res->body_len, r->body_len);
	ck_assert_msg(h && strcmp(h, res->etag) == 0, "%s: ETag %s and %s", what, res->etag,
		      h ? h : "(none)");
	free(h);
	for (size_t i = 0; i < res->n_headers; i++) {
		h = tu_header(r, res->headers[i].key);
		ck_assert_msg(h && strcmp(h, res->headers[i].value) == 0, "%s: %s is %s, not %s",
			      what, res->headers[i].key, h ? h : "(none)", res->headers[i].value);
		free(h);
	}
}

/* The same request to the server without a cache, three times to the one
 * with it (prepared and sent, prepared and kept, sent from the cache) and
 * in process gives the same answer, for 200s and for their 304s. */
START_TEST(test_every_path_gives_the_same_answer)
{
	static const struct {
		const char *path;
		const char *accept;
		const char *user_agent;
		const char *ae;
	} asks[] = {
		{ DETAIL, NULL, NULL, NULL },
		{ DETAIL, NULL, NULL, "gzip" },
		{ DETAIL, NULL, NULL, "gzip;q=0, br" },
		{ DETAIL, NULL, NULL, "*;q=0.5" },
		{ "/api/v1/skills?limit=2", NULL, NULL, "gzip, deflate, br" },
		{ "/skills/alpha", "text/html", "Mozilla/5.0", "gzip, deflate, br" },
		{ "/skills/alpha", "text/html", "Mozilla/5.0", NULL },
		{ "/skills/alpha/SKILL.md", "*/*", "curl/8", "gzip" },
		{ "/assets/style.css", "text/css", "Mozilla/5.0", "gzip" },
		{ "/api/v1/skills/alpha/archive.zip", NULL, NULL, "gzip" },
		{ "/llms.txt", NULL, "curl/8", "gzip" },
	};

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		for (int revalidate = 0; revalidate < 2; revalidate++) {
			struct ta_headers h = { .accept = asks[i].accept,
						.user_agent = asks[i].user_agent,
						.host = "127.0.0.1",
						.accept_encoding = asks[i].ae };
			struct tu_response a, b;
			struct response res;
			struct buf extra;
			char what[160], *etag = NULL;

			snprintf(what, sizeof(what), "%s (%s)%s", asks[i].path,
				 asks[i].ae ? asks[i].ae : "no Accept-Encoding",
				 revalidate ? " If-None-Match" : "");
			buf_init(&extra);
			if (asks[i].accept)
				buf_printf(&extra, "Accept: %s\r\n", asks[i].accept);
			if (asks[i].user_agent)
				buf_printf(&extra, "User-Agent: %s\r\n", asks[i].user_agent);
			if (asks[i].ae)
				buf_printf(&extra, "Accept-Encoding: %s\r\n", asks[i].ae);
			if (revalidate) {
				ck_assert_int_eq(tu_get(plain.app.port, asks[i].path, extra.data, &a), 0);
				etag = tu_header(&a, "ETag");
				ck_assert_ptr_nonnull(etag);
				tu_response_fini(&a);
				buf_printf(&extra, "If-None-Match: %s\r\n", etag);
				h.if_none_match = etag;
			}
			ck_assert_int_eq(tu_get(plain.app.port, asks[i].path, extra.data, &a), 0);
			ck_assert_int_eq(a.status, revalidate ? 304 : 200);
			for (int k = 0; k < 3; k++) {
				ck_assert_int_eq(tu_get(cached.app.port, asks[i].path, extra.data, &b), 0);
				same_answer(&a, &b, what);
				tu_response_fini(&b);
			}
			ta_get(&plain.app, asks[i].path, &h, &res);
			same_in_process(&res, &a, what);
			response_fini(&res);
			tu_response_fini(&a);
			buf_fini(&extra);
			free(etag);
		}
	}
}
END_TEST

/* The path (and query) of an absolute URL in a Link header's <...>, or
 * NULL when link is not `<http://host/...>; rel="next"` (free()). */
static char *next_path(const char *link)
{
	const char *p, *end;

	if (!link || strncmp(link, "<http://", 8) != 0)
		return NULL;
	p = strchr(link + 8, '/');
	end = strstr(link, ">; rel=\"next\"");
	if (!p || !end || p > end || end[13] != '\0')
		return NULL;
	return xasprintf("%.*s", (int)(end - p), p);
}

/*
 * Reads BUDGET_MD at max_tokens part after part in process, following each
 * answer's Link rel="next", with gzip when gzip is set, and checks every
 * part: within the budget (decoded), X-Skilld-Range naming the bytes the
 * body starts with, its own ETag that revalidates to a 304 carrying the
 * same Link; the last part has no Link. Returns the reassembled content
 * (free()), the frontmatter put back when the first part left it out (its
 * range then starts past 0), and the number of parts in *parts.
 */
static char *read_parts(size_t max_tokens, bool gzip, size_t *parts)
{
	size_t len, fm = 0;
	char *md = tu_read(BUDGET_FIXTURE, &len);
	char *path = xasprintf("%s?max_tokens=%zu", BUDGET_MD, max_tokens);
	struct buf got;

	buf_init(&got);
	*parts = 0;
	while (path) {
		struct response res, again;
		size_t start, end, total, body_len;
		const char *link, *range;
		char *body, *etag, *next;

		ck_assert_int_eq(get(path, gzip ? "gzip" : NULL, NULL, &res), 200);
		(*parts)++;
		ck_assert_uint_lt(*parts, 2000);
		body = res.body;
		body_len = res.body_len;
		if (res_header(&res, "Content-Encoding"))
			body = tu_gunzip(res.body, res.body_len, &body_len);
		ck_assert_msg(tokens_estimate(body_len) <= max_tokens, "%s: %zu bytes", path, body_len);
		ck_assert_str_eq(res_header(&res, "X-Skilld-Cut"), "max_tokens");
		range = res_header(&res, "X-Skilld-Range");
		ck_assert_ptr_nonnull(range);
		ck_assert_int_eq(sscanf(range, "bytes %zu-%zu/%zu", &start, &end, &total), 3);
		ck_assert_uint_eq(total, len);
		ck_assert_uint_le(end + 1 - start, body_len);
		ck_assert_int_eq(memcmp(body, md + start, end + 1 - start), 0);
		if (*parts == 1 && start > 0) { /* the frontmatter, left out whole */
			fm = start;
			ck_assert_int_eq(strncmp(md + fm - 4, "---\n", 4), 0);
			buf_append(&got, md, fm);
		}
		ck_assert_uint_eq(got.len, start); /* continues where the last stopped */
		buf_append(&got, md + start, end + 1 - start);
		/* each part has its own ETag, which revalidates with its Link */
		ck_assert(res.etag[0] == '"');
		if (gzip && body_len >= 1024)
			ck_assert_ptr_nonnull(strstr(res.etag, "-gz\""));
		etag = xstrdup(res.etag);
		link = res_header(&res, "Link");
		ck_assert_int_eq(get(path, gzip ? "gzip" : NULL, etag, &again), 304);
		ck_assert_str_eq(res_header(&again, "Link") ? res_header(&again, "Link") : "-",
				 link ? link : "-");
		response_fini(&again);
		next = next_path(link);
		ck_assert_msg(link == NULL || next != NULL, "Link: %s", link);
		if (next) {
			char *want = xasprintf("%s?max_tokens=%zu&offset=%zu", BUDGET_MD, max_tokens,
					       end + 1);

			ck_assert_str_eq(next, want);
			free(want);
		} else {
			ck_assert_uint_eq(end + 1, len);
		}
		free(etag);
		if (body != res.body)
			free(body);
		response_fini(&res);
		free(path);
		path = next;
	}
	ck_assert_msg(got.len == len && memcmp(got.data, md, len) == 0,
		      "max_tokens=%zu: the parts are not the file", max_tokens);
	free(md);
	return buf_detach(&got, NULL);
}

/* ?max_tokens at 50, 200, 500 and 2000 on a 17 KB SKILL.md: every part
 * within its budget, gzip or not, and the parts give back the file byte
 * for byte; the frontmatter is dropped at 50 only. */
START_TEST(test_max_tokens_parts_reassemble)
{
	static const size_t budgets[] = { 50, 200, 500, 2000 };

	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		for (int gzip = 0; gzip < 2; gzip++) {
			size_t parts;
			char *got = read_parts(budgets[i], gzip, &parts);

			ck_assert_uint_ge(parts, 17682 / 4 / budgets[i]);
			ck_assert_uint_le(parts, 4 * (17682 / 4 / budgets[i]) + 2);
			free(got);
		}
	}
}
END_TEST

/* The first part: the frontmatter whole at 200 tokens, left out with a
 * note at 50; the note names the Link's URL. */
START_TEST(test_max_tokens_first_parts)
{
	struct response res;
	char *next;

	ck_assert_int_eq(get(BUDGET_MD "?max_tokens=200", NULL, NULL, &res), 200);
	ck_assert_int_eq(strncmp(res.body, "---\nname: budget-demo\n", 22), 0);
	next = next_path(res_header(&res, "Link"));
	ck_assert_ptr_nonnull(next);
	ck_assert_ptr_nonnull(strstr(res.body, next));
	ck_assert_ptr_nonnull(strstr(res.body, "\n\n---\n\n> Cut to fit max_tokens=200: bytes 0-"));
	free(next);
	response_fini(&res);

	ck_assert_int_eq(get(BUDGET_MD "?max_tokens=50", NULL, NULL, &res), 200);
	ck_assert_int_eq(strncmp(res.body, "# Budget demo\n", 14), 0);
	ck_assert_ptr_nonnull(strstr(res.body, "\n\n(frontmatter left out) Next: http://127.0.0.1/"));
	ck_assert_uint_le(res.body_len, 200);
	response_fini(&res);
}
END_TEST

/* Offsets that cannot start a part: 400 (malformed, inside a character,
 * a CRLF or the frontmatter, or without max_tokens on markdown), 416 at or past the
 * end (with Content-Range: bytes *\/len). */
START_TEST(test_max_tokens_bad_offsets)
{
	size_t len;
	char *md = tu_read(BUDGET_FIXTURE, &len), *url;
	size_t crlf = (size_t)(strstr(md, "\r\n") - md), e = (size_t)(strstr(md, "\xC3\xA9") - md);
	struct response res;
	const struct {
		const char *query;
		int status;
		const char *code;
	} cases[] = {
		{ "max_tokens=50&offset=abc", 400, "bad_offset" },
		{ "max_tokens=50&offset=-1", 400, "bad_offset" },
		{ "max_tokens=50&offset=", 400, "bad_offset" },
		{ "max_tokens=50&offset=1e3", 400, "bad_offset" },
		{ "max_tokens=50&offset=99999999999999999999999", 400, "bad_offset" },
		{ "offset=100", 400, "bad_offset" },
		{ "max_tokens=50&offset=5", 400, "bad_offset" },  /* in the frontmatter */
		{ "max_tokens=50&offset=17682", 416, "offset_out_of_range" },
		{ "max_tokens=50&offset=17683", 416, "offset_out_of_range" },
		{ "max_tokens=50&offset=459", 200, NULL },  /* the frontmatter's end */
		{ "max_tokens=50&offset=0", 200, NULL },
		{ "max_tokens=50&offset=17681", 200, NULL },
	};

	ck_assert_uint_eq(len, 17682);
	/* the API's path, whose errors are JSON with a code */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		url = xasprintf("/api/v1/skills/budget-demo/files/SKILL.md?%s", cases[i].query);
		ck_assert_int_eq(get(url, NULL, NULL, &res), cases[i].status);
		if (cases[i].code) {
			char *code = xasprintf("\"code\":\"%s\"", cases[i].code);

			ck_assert_msg(strstr(res.body, code) != NULL, "%s: %s", url, res.body);
			free(code);
		}
		if (cases[i].status == 416)
			ck_assert_str_eq(res_header(&res, "Content-Range"), "bytes */17682");
		response_fini(&res);
		free(url);
	}
	url = xasprintf("%s?max_tokens=50&offset=%zu", BUDGET_MD, crlf + 1);
	ck_assert_int_eq(get(url, NULL, NULL, &res), 400);
	ck_assert_ptr_nonnull(strstr(res.body, "inside a UTF-8 character or a CRLF"));
	response_fini(&res);
	free(url);
	url = xasprintf("%s?max_tokens=50&offset=%zu", BUDGET_MD, e + 1);
	ck_assert_int_eq(get(url, NULL, NULL, &res), 400);
	response_fini(&res);
	free(url);
	/* the last byte alone is the last part: no Link */
	ck_assert_int_eq(get(BUDGET_MD "?max_tokens=50&offset=17681", NULL, NULL, &res), 200);
	ck_assert_ptr_null(res_header(&res, "Link"));
	ck_assert_str_eq(res_header(&res, "X-Skilld-Range"), "bytes 17681-17681/17682");
	ck_assert_int_eq(strncmp(res.body, ".\n\n(last part)\n", 15), 0);
	response_fini(&res);
	/* JSON ignores both, but a malformed offset is refused everywhere */
	ck_assert_int_eq(get(DETAIL "?max_tokens=50&offset=100", NULL, NULL, &res), 200);
	ck_assert_ptr_null(res_header(&res, "X-Skilld-Cut"));
	response_fini(&res);
	ck_assert_int_eq(get(DETAIL "?max_tokens=50&offset=x", NULL, NULL, &res), 400);
	response_fini(&res);
	/* without max_tokens, offset is any argument to JSON, a 400 to markdown */
	ck_assert_int_eq(get(DETAIL "?offset=x", NULL, NULL, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(get(BUDGET_MD "?offset=0", NULL, NULL, &res), 400);
	ck_assert_ptr_nonnull(strstr(res.body, "give max_tokens too"));
	response_fini(&res);
	free(md);
}
END_TEST

/* Parts over sockets: the server with prepared answers and the one
 * without give the same part, header for header, 200 and 304, and the
 * same as in process. */
START_TEST(test_max_tokens_parts_over_sockets)
{
	static const char *const paths[] = {
		BUDGET_MD "?max_tokens=200", BUDGET_MD "?max_tokens=200&offset=459",
		BUDGET_MD "?max_tokens=500&offset=7000", BUDGET_MD "?max_tokens=50",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		for (int gzip = 0; gzip < 2; gzip++) {
			struct tu_response a, b, c;
			char *etag, *link;

			ck_assert_int_eq(sget(&plain, paths[i], gzip ? "gzip" : NULL, NULL, &a), 200);
			for (int k = 0; k < 3; k++) {
				ck_assert_int_eq(sget(&cached, paths[i], gzip ? "gzip" : NULL, NULL, &b),
						 200);
				same_answer(&a, &b, paths[i]);
				tu_response_fini(&b);
			}
			etag = tu_header(&a, "ETag");
			link = tu_header(&a, "Link");
			ck_assert_ptr_nonnull(link);
			ck_assert_int_eq(sget(&cached, paths[i], gzip ? "gzip" : NULL, etag, &c), 304);
			free(etag);
			etag = tu_header(&c, "Link");
			ck_assert_str_eq(etag, link);
			free(etag);
			free(link);
			tu_response_fini(&c);
			tu_response_fini(&a);
		}
	}
}
END_TEST

Suite *pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("coding");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_gzip_without_the_cache);
	tcase_add_test(tc, test_dynamic_answers_gzip);
	tcase_add_test(tc, test_accept_encoding_q_values);
	tcase_add_test(tc, test_every_path_gives_the_same_answer);
	tcase_add_test(tc, test_max_tokens_parts_reassemble);
	tcase_add_test(tc, test_max_tokens_first_parts);
	tcase_add_test(tc, test_max_tokens_bad_offsets);
	tcase_add_test(tc, test_max_tokens_parts_over_sockets);
	suite_add_tcase(s, tc);
	return s;
}
