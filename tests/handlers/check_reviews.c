/* SPDX-License-Identifier: MIT */
/*
 * Tests for reviews: the review runs' API through the whole pipeline in
 * process (ta_send), on a skill written for it ("gadget": two sections,
 * refs G1-G3, an item without a ref, red flags, two severity levels).
 * Starting, reading, item writes by id and by ref, If-Match, batches that
 * are all or none, closing, the list and its pages, bad input named field
 * by field, the PR comment's exact bytes, a checklist edited under a
 * review (verdicts kept, retired and added items), and reviews that
 * outlive the index database: on both stores, the TCase "sqlite" (the
 * default reviews.db) and "postgresql" (--store with a database of a
 * throwaway server, tests/pgtest.h), where a server stopped and started
 * under the app also shows what a store that cannot be reached looks like.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/base/hub.h"
#include "skilld/handlers/reviews.h"
#include "skilld/store/reviewdb.h"
#include "skilld/base/util.h"
#include "pgtest.h"
#include "testapp.h"
#include "testutil.h"

Suite *reviews_suite(void);

#define GADGET_CHECKLIST \
	"# Gadget — Code Review Checklist\n\nIntro.\n\n---\n\n## 1. Safety\n\n" \
	"- [ ] **G1 — Bounds checked** — Are all indexes checked?\n" \
	"- [ ] **G2 — Lifetimes** — Is every pointer alive when used?\n\n" \
	"**Red flags**: unchecked memcpy.\n\n" \
	"## 2. Style\n\n" \
	"- [ ] **G3 — Names** — Do names say what things are?\n" \
	"- [ ] Is the code formatted?\n\n" \
	"## Severity Levels\n\n| Severity | Description |\n|----------|-------------|\n" \
	"| **Critical** | Breaks things |\n| **Low** | Cosmetic |\n"

static struct ta_app ta;

/* The gadget skill in the skills root of t. */
static void write_gadget_in(struct ta_app *t, const char *checklist)
{
	tu_write_str(t->root, "gadget/SKILL.md", "---\nname: gadget\ndescription: Reviews gadgets. "
		     "Use when a gadget needs a review.\n---\n# Gadget\n\nBody.\n");
	tu_write_str(t->root, "gadget/references/review-checklist.md", checklist);
}

static void write_gadget(const char *checklist)
{
	write_gadget_in(&ta, checklist);
}

static void setup(void)
{
	ta_prepare(&ta);
	write_gadget(GADGET_CHECKLIST);
	ta_open(&ta, NULL);
}

static void teardown(void)
{
	ta_close(&ta);
}

static char *pg_uri;    /* the postgresql case's database */

/* The app on uri as its --store. */
static void open_on(const char *uri)
{
	ta_prepare(&ta);
	write_gadget(GADGET_CHECKLIST);
	ta_open(&ta, (const char *const[]){ "--store", uri, NULL });
}

static void setup_pg(void)
{
	pg_uri = pgtest_case_database();
	open_on(pg_uri);
}

static void teardown_pg(void)
{
	ta_close(&ta);
	free(pg_uri);
}

/* Sends method path with a JSON body (NULL: none), as a same-origin page
 * does; *j gets the answer parsed when it is JSON (cJSON_Delete). */
static int send_to(struct ta_app *t, const char *method, const char *path, const char *body,
		   const char *if_match, cJSON **j)
{
	struct ta_request r = { .method = method, .path = path, .content_type = "application/json",
				.sec_fetch_site = "same-origin", .body = body,
				.body_len = body ? strlen(body) : 0 };
	struct response res;
	int status;

	r.h.if_match = if_match;
	r.h.accept = "application/json";
	status = ta_send(&t->app, &r, &res);
	if (j)
		*j = res.body ? cJSON_ParseWithLength(res.body, res.body_len) : NULL;
	response_fini(&res);
	return status;
}

/* send_to the suite's app. */
static int send(const char *method, const char *path, const char *body, const char *if_match,
		cJSON **j)
{
	return send_to(&ta, method, path, body, if_match, j);
}

static const char *err_field(const cJSON *j)
{
	return jstr(cJSON_GetObjectItem(j, "error"), "field");
}

static const char *err_code(const cJSON *j)
{
	return jstr(cJSON_GetObjectItem(j, "error"), "code");
}

/* Starts a review of gadget; its id into id. */
static void start(char id[REVIEW_ID_LEN + 1])
{
	cJSON *j;

	ck_assert_int_eq(send("POST", "/api/v1/reviews", "{\"skill\":\"gadget\",\"title\":\"PR 7\","
			      "\"target\":\"https://example.com/pr/7\",\"author\":\"ana\"}", NULL, &j),
			 201);
	snprintf(id, REVIEW_ID_LEN + 1, "%s", jstr(j, "id"));
	cJSON_Delete(j);
}

/* The item of a review view by ref. */
static const cJSON *item(const cJSON *v, const char *ref)
{
	const cJSON *s, *it;

	cJSON_ArrayForEach(s, cJSON_GetObjectItem(v, "sections"))
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(s, "items"))
			if (jstr(it, "ref") && strcmp(jstr(it, "ref"), ref) == 0)
				return it;
	return NULL;
}

static int count_of(const cJSON *v, const char *key)
{
	return (int)cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "counts"), key));
}

START_TEST(test_start_and_show)
{
	struct ta_request r = { .method = "POST", .path = "/api/v1/reviews",
				.content_type = "application/json", .sec_fetch_site = "same-origin",
				.body = "{\"skill\":\"gadget\",\"title\":\"PR 7\"}" };
	struct response res;
	char *path;
	cJSON *j;

	r.body_len = strlen(r.body);
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 201);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	path = xasprintf("/api/v1/reviews/%s", jstr(j, "id"));
	{
		const char *loc = NULL;

		for (size_t i = 0; i < res.n_headers; i++)
			if (!strcmp(res.headers[i].key, "Location"))
				loc = res.headers[i].value;
		ck_assert_str_eq(loc, path);
	}
	response_fini(&res);
	ck_assert_str_eq(jstr(j, "status"), "open");
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(j, "checklist"), "path"),
			 "references/review-checklist.md");
	ck_assert_int_eq(count_of(j, "open"), 4);
	ck_assert_int_eq(count_of(j, "pass"), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "sections")), 2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "severity_levels")), 2);
	/* an item without a ref gets its place as one */
	ck_assert_ptr_nonnull(item(j, "Item 4"));
	ck_assert_str_eq(jstr(item(j, "G1"), "title"), "Bounds checked");
	/* never written: version 0, no time, no author */
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(item(j, "G1"), "updated_at")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(item(j, "G1"), "author")));
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(item(j, "G1"), "version")), 0);
	cJSON_Delete(j);
	/* GET answers the same review, with an ETag */
	ck_assert_int_eq(ta_get(&ta.app, path, &(struct ta_headers){ .accept = "application/json" },
				&res), 200);
	ck_assert_str_ne(res.etag, "");
	response_fini(&res);
	free(path);
	ck_assert_int_eq(send("GET", "/api/v1/reviews/0123456789abcdef", NULL, NULL, &j), 404);
	ck_assert_str_eq(err_code(j), "review_not_found");
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_start_refuses_bad_input)
{
	static const struct {
		const char *body;
		int status;
		const char *field;   /* or the error code when no field */
	} cases[] = {
		{ "{\"title\":\"x\"}", 400, "skill" },
		{ "{\"skill\":\"gadget\"}", 400, "title" },
		{ "{\"skill\":\"gadget\",\"title\":\"  \"}", 400, "title" },
		{ "{\"skill\":\"gadget\",\"title\":7}", 400, "title" },
		{ "{\"skill\":\"gadget\",\"title\":\"a\\u0001b\"}", 400, "title" },
		{ "{\"skill\":\"gadget\",\"title\":\"x\",\"color\":\"red\"}", 400, "color" },
		{ "{\"skill\":\"gadget\",\"title\":\"x\",\"target\":[1]}", 400, "target" },
		{ "{\"skill\":\"nope\",\"title\":\"x\"}", 404, "skill_not_found" },
		{ "{\"skill\":\"gadget\",\"title\":\"x\",\"checklist\":\"SKILL.md\"}", 404,
		  "checklist_not_found" },
		{ "{\"skill\":\"beta\",\"title\":\"x\"}", 404, "checklist_not_found" },
		{ "[1,2]", 400, "bad_body" },
		{ "not json", 400, "bad_body" },
	};
	char *long_title = malloc(REVIEW_TITLE_MAX + 64);
	cJSON *j;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = send("POST", "/api/v1/reviews", cases[i].body, NULL, &j);

		ck_assert_msg(st == cases[i].status, "%s: %d", cases[i].body, st);
		ck_assert_msg(err_field(j) ? !strcmp(err_field(j), cases[i].field)
				: !strcmp(err_code(j), cases[i].field), "%s", cases[i].body);
		cJSON_Delete(j);
	}
	/* a bad ?format= is refused before anything is written */
	ck_assert_int_eq(send("POST", "/api/v1/reviews?format=xml", "{\"skill\":\"gadget\","
			      "\"title\":\"x\"}", NULL, &j), 400);
	ck_assert_str_eq(err_code(j), "bad_format");
	cJSON_Delete(j);
	snprintf(long_title, REVIEW_TITLE_MAX + 64, "{\"skill\":\"gadget\",\"title\":\"%0*d\"}",
		 REVIEW_TITLE_MAX + 1, 0);
	ck_assert_int_eq(send("POST", "/api/v1/reviews", long_title, NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "title");
	cJSON_Delete(j);
	free(long_title);
	/* nothing was started by any of them */
	ck_assert_int_eq(send("GET", "/api/v1/reviews", NULL, NULL, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 0);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_item_writes)
{
	char id[REVIEW_ID_LEN + 1], path[128], big[64];
	char *long_note, *body;
	cJSON *j;

	start(id);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G1", id);
	/* by ref; the severity in any case becomes the checklist's spelling */
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"fail\",\"severity\":\"critical\","
			      "\"note\":\"off by one\",\"evidence\":\"src/g.c:42\",\"author\":\"bot\"}",
			      NULL, &j), 200);
	ck_assert_str_eq(jstr(j, "id"), "1-g1-bounds-checked");
	ck_assert_str_eq(jstr(j, "severity"), "Critical");
	ck_assert_str_eq(jstr(j, "author"), "bot");
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "version")), 1);
	cJSON_Delete(j);
	/* If-Match: a stale version is a 412 with the item as it is */
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"pass\"}", "\"0\"", &j), 412);
	ck_assert_str_eq(err_code(j), "stale_version");
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(j, "item"), "verdict"), "fail");
	cJSON_Delete(j);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"pass\"}", "\"1\"", &j), 200);
	ck_assert_str_eq(jstr(j, "verdict"), "pass");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "severity")));
	cJSON_Delete(j);
	for (size_t k = 0; k < 3; k++) {
		static const char *const bad[] = { "W/\"x\"", "\"1", "1\"" };

		ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"pass\"}", bad[k], &j), 400);
		ck_assert_str_eq(err_code(j), "bad_if_match");
		cJSON_Delete(j);
	}
	/* *: whatever the version */
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"pass\",\"note\":\"any\"}", "*", &j), 200);
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "version")), 3);
	cJSON_Delete(j);
	/* by id, and the ones that are refused */
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/2-g3-names", id);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"na\"}", NULL, NULL), 200);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"maybe\"}", NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "verdict");
	cJSON_Delete(j);
	ck_assert_int_eq(send("PATCH", path, "{\"note\":\"x\"}", NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "verdict");
	cJSON_Delete(j);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"pass\",\"severity\":\"Low\"}", NULL, &j),
			 400);
	ck_assert_str_eq(err_field(j), "severity");
	cJSON_Delete(j);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"fail\",\"severity\":\"Huge\"}", NULL, &j),
			 400);
	ck_assert_ptr_nonnull(strstr(jstr(cJSON_GetObjectItem(j, "error"), "message"), "Critical, Low"));
	cJSON_Delete(j);
	snprintf(big, sizeof(big), "%zu", ta.cfg.max_review_text);
	long_note = malloc(ta.cfg.max_review_text + 2);
	memset(long_note, 'n', ta.cfg.max_review_text + 1);
	long_note[ta.cfg.max_review_text + 1] = '\0';
	body = xasprintf("{\"verdict\":\"fail\",\"note\":\"%s\"}", long_note);
	ck_assert_int_eq(send("PATCH", path, body, NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "note");
	ck_assert_ptr_nonnull(strstr(jstr(cJSON_GetObjectItem(j, "error"), "message"), big));
	cJSON_Delete(j);
	free(body);
	free(long_note);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G9", id);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"pass\"}", NULL, &j), 404);
	ck_assert_str_eq(err_code(j), "item_not_found");
	cJSON_Delete(j);
	ck_assert_int_eq(send("PATCH", "/api/v1/reviews/0123456789abcdef/items/G1",
			      "{\"verdict\":\"pass\"}", NULL, NULL), 404);
	/* a write from another site is refused before it is read */
	{
		struct ta_request r = { .method = "PATCH", .content_type = "application/json",
					.origin = "https://evil.example", .sec_fetch_site = "cross-site",
					.body = "{\"verdict\":\"fail\"}" };
		struct response res;

		snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G2", id);
		r.path = path;
		r.body_len = strlen(r.body);
		ck_assert_int_eq(ta_send(&ta.app, &r, &res), 403);
		response_fini(&res);
	}
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", id);
	ck_assert_int_eq(send("GET", path, NULL, NULL, &j), 200);
	ck_assert_int_eq(count_of(j, "pass"), 1);
	ck_assert_int_eq(count_of(j, "na"), 1);
	ck_assert_int_eq(count_of(j, "open"), 2);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(item(j, "G2"), "verdict")));
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_batch_all_or_none)
{
	char id[REVIEW_ID_LEN + 1], path[128], view[128];
	struct buf b;
	cJSON *j;

	start(id);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/verdicts", id);
	snprintf(view, sizeof(view), "/api/v1/reviews/%s", id);
	/* the second is bad: nothing is written, and the 400 says where */
	ck_assert_int_eq(send("POST", path, "{\"verdicts\":[{\"item\":\"G1\",\"verdict\":\"pass\"},"
			      "{\"item\":\"G7\",\"verdict\":\"pass\"}]}", NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "verdicts[1].item");
	cJSON_Delete(j);
	ck_assert_int_eq(send("POST", path, "{\"verdicts\":[{\"item\":\"G1\",\"verdict\":\"pass\"},"
			      "{\"item\":\"1-g1-bounds-checked\",\"verdict\":\"na\"}]}", NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "verdicts[1].item");
	cJSON_Delete(j);
	ck_assert_int_eq(send("POST", path, "{\"verdicts\":[{\"item\":\"G1\",\"verdict\":\"pass\","
			      "\"colour\":1}]}", NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "verdicts[0].colour");
	cJSON_Delete(j);
	ck_assert_int_eq(send("POST", path, "{\"verdicts\":[]}", NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "verdicts");
	cJSON_Delete(j);
	/* a stale version: 412 naming the index, nothing written */
	ck_assert_int_eq(send("POST", path, "{\"verdicts\":[{\"item\":\"G1\",\"verdict\":\"pass\"},"
			      "{\"item\":\"G2\",\"verdict\":\"fail\",\"version\":5}]}", NULL, &j), 412);
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"),
								  "index")), 1);
	cJSON_Delete(j);
	ck_assert_int_eq(send("GET", view, NULL, NULL, &j), 200);
	ck_assert_int_eq(count_of(j, "open"), 4);
	cJSON_Delete(j);
	/* over the limit */
	buf_init(&b);
	buf_puts(&b, "{\"verdicts\":[");
	for (int i = 0; i <= REVIEW_BATCH_MAX; i++)
		buf_printf(&b, "%s{\"item\":\"G1\",\"verdict\":\"pass\"}", i ? "," : "");
	buf_puts(&b, "]}");
	ck_assert_int_eq(send("POST", path, b.data, NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "verdicts");
	cJSON_Delete(j);
	buf_fini(&b);
	/* all good: all written, results in order */
	ck_assert_int_eq(send("POST", path, "{\"author\":\"agent\",\"verdicts\":["
			      "{\"item\":\"G1\",\"verdict\":\"pass\",\"evidence\":\"a.c:1\"},"
			      "{\"item\":\"G2\",\"verdict\":\"fail\",\"severity\":\"Low\",\"version\":0},"
			      "{\"item\":\"Item 4\",\"verdict\":\"na\"}]}", NULL, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "results")), 3);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "results"), 1), "severity"),
			 "Low");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "results"), 2), "author"),
			 "agent");
	cJSON_Delete(j);
	ck_assert_int_eq(send("GET", view, NULL, NULL, &j), 200);
	ck_assert_int_eq(count_of(j, "open"), 1);
	ck_assert_int_eq(count_of(j, "fail"), 1);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_close_list_delete)
{
	char a[REVIEW_ID_LEN + 1], b[REVIEW_ID_LEN + 1], c[REVIEW_ID_LEN + 1], path[128], *next;
	cJSON *j;

	start(a);
	start(b);
	start(c);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", b);
	ck_assert_int_eq(send("PATCH", path, "{\"status\":\"closed\",\"target\":null}", NULL, &j), 200);
	ck_assert_str_eq(jstr(j, "status"), "closed");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "target")));
	cJSON_Delete(j);
	ck_assert_int_eq(send("PATCH", path, "{\"status\":\"done\"}", NULL, &j), 400);
	ck_assert_str_eq(err_field(j), "status");
	cJSON_Delete(j);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G1", b);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"pass\"}", NULL, &j), 409);
	ck_assert_str_eq(err_code(j), "review_closed");
	cJSON_Delete(j);
	/* the list: filters, counts, pages of one */
	ck_assert_int_eq(send("GET", "/api/v1/reviews?status=open", NULL, NULL, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 2);
	ck_assert_int_eq(count_of(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0), "open"), 4);
	cJSON_Delete(j);
	ck_assert_int_eq(send("GET", "/api/v1/reviews?skill=alpha", NULL, NULL, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 0);
	cJSON_Delete(j);
	ck_assert_int_eq(send("GET", "/api/v1/reviews?limit=2", NULL, NULL, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 2);
	next = xasprintf("/api/v1/reviews?limit=2&cursor=%s", jstr(j, "next_cursor"));
	cJSON_Delete(j);
	ck_assert_int_eq(send("GET", next, NULL, NULL, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 1);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "next_cursor")));
	cJSON_Delete(j);
	free(next);
	ck_assert_int_eq(send("GET", "/api/v1/reviews?cursor=zzz", NULL, NULL, &j), 400);
	ck_assert_str_eq(err_code(j), "bad_cursor");
	cJSON_Delete(j);
	ck_assert_int_eq(send("GET", "/api/v1/reviews?status=maybe", NULL, NULL, NULL), 400);
	ck_assert_int_eq(send("GET", "/api/v1/reviews?limit=0", NULL, NULL, NULL), 400);
	/* delete */
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", a);
	ck_assert_int_eq(send("DELETE", path, NULL, NULL, NULL), 204);
	ck_assert_int_eq(send("GET", path, NULL, NULL, NULL), 404);
	ck_assert_int_eq(send("DELETE", path, NULL, NULL, NULL), 404);
	(void)c;
}
END_TEST

/* The PR comment, byte for byte. */
START_TEST(test_markdown_bytes)
{
	char id[REVIEW_ID_LEN + 1], path[128], *expect;
	struct ta_headers h = { .accept = "text/markdown", .host = "127.0.0.1:8080" };
	struct response res;
	cJSON *j;
	const char *digest;

	start(id);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/verdicts", id);
	ck_assert_int_eq(send("POST", path, "{\"verdicts\":["
			      "{\"item\":\"G1\",\"verdict\":\"fail\",\"severity\":\"Low\","
			      "\"note\":\"two\\nlines\",\"evidence\":\"a `b` c\"},"
			      "{\"item\":\"G2\",\"verdict\":\"fail\",\"severity\":\"Critical\","
			      "\"note\":\"</details><!-- & \",\"evidence\":\"<x>\"},"
			      "{\"item\":\"G3\",\"verdict\":\"fail\"},"
			      "{\"item\":\"Item 4\",\"verdict\":\"na\"}]}", NULL, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", id);
	ck_assert_int_eq(send("GET", path, NULL, NULL, &j), 200);
	digest = jstr(cJSON_GetObjectItem(j, "checklist"), "digest");
	expect = xasprintf(
		"### Review: PR 7 (0 pass · 3 fail · 1 n/a · 0 open)\n\n"
		"- Checklist: gadget / `references/review-checklist.md` @ `%.12s`\n"
		"- Review: http://127.0.0.1:8080/reviews/%s\n"
		"- Target: https://example.com/pr/7\n"
		"- Status: open\n"
		"\n#### Failing items\n"
		"\n**Critical**\n\n"
		"- **G2** Lifetimes: &lt;/details&gt;&lt;!-- &amp; \n"
		"  Evidence: `<x>`\n"
		"\n**Low**\n\n"
		"- **G1** Bounds checked: two lines\n"
		"  Evidence: ``a `b` c``\n"
		"\n**No severity given**\n\n"
		"- **G3** Names\n"
		"\n<details>\n<summary>All 4 items</summary>\n\n"
		"**Safety**\n\n"
		"- fail **G1** Bounds checked\n"
		"- fail **G2** Lifetimes\n\n"
		"**Style**\n\n"
		"- fail **G3** Names\n"
		"- n/a **Item 4** Is the code formatted?\n\n"
		"</details>\n", digest, id);
	cJSON_Delete(j);
	ck_assert_int_eq(ta_get(&ta.app, path, &h, &res), 200);
	ck_assert_str_eq(res.content_type, "text/markdown; charset=utf-8");
	ck_assert_uint_eq(res.body_len, strlen(expect));
	ck_assert_mem_eq(res.body, expect, res.body_len);
	response_fini(&res);
	/* ?format=md says the same to any client */
	snprintf(path, sizeof(path), "/api/v1/reviews/%s?format=md", id);
	ck_assert_int_eq(ta_get(&ta.app, path, &(struct ta_headers){ .host = "127.0.0.1:8080" }, &res),
			 200);
	ck_assert_mem_eq(res.body, expect, strlen(expect));
	response_fini(&res);
	free(expect);
}
END_TEST

/* The checklist is edited under a review: an unrelated line changes, one
 * item goes, one comes. Verdicts stay on the items that are still there,
 * the one that went is retired with its verdict, the new one is open. */
START_TEST(test_checklist_edits_keep_verdicts)
{
	char id[REVIEW_ID_LEN + 1], path[128], err[256];
	const cJSON *retired, *changes;
	cJSON *j;

	start(id);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/verdicts", id);
	ck_assert_int_eq(send("POST", path, "{\"verdicts\":[{\"item\":\"G1\",\"verdict\":\"pass\"},"
			      "{\"item\":\"G2\",\"verdict\":\"fail\",\"note\":\"dangling\"},"
			      "{\"item\":\"G3\",\"verdict\":\"na\"}]}", NULL, NULL), 200);
	write_gadget("# Gadget — Code Review Checklist\n\nA new intro line.\n\n---\n\n## 1. Safety\n\n"
		     "- [ ] **G1 — Bounds checked** — Are all indexes checked?\n"
		     "- [ ] **G2 — Lifetimes** — Is every pointer alive when used?\n\n"
		     "**Red flags**: unchecked memcpy and strcpy.\n\n"
		     "## 2. Style\n\n"
		     "- [ ] **G4 — Comments** — Do comments say why?\n"
		     "- [ ] Is the code formatted?\n\n"
		     "## Severity Levels\n\n| Severity | Description |\n|----------|-------------|\n"
		     "| **Critical** | Breaks things |\n| **Low** | Cosmetic |\n");
	ck_assert_msg(app_reindex(&ta.app, "test", false, err, sizeof(err)) == 0, "%s", err);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", id);
	ck_assert_int_eq(send("GET", path, NULL, NULL, &j), 200);
	ck_assert_str_eq(jstr(item(j, "G1"), "verdict"), "pass");
	ck_assert_str_eq(jstr(item(j, "G1"), "id"), "1-g1-bounds-checked");
	ck_assert_str_eq(jstr(item(j, "G2"), "verdict"), "fail");
	ck_assert_str_eq(jstr(item(j, "G2"), "note"), "dangling");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(item(j, "G4"), "verdict")));
	ck_assert_ptr_null(item(j, "G3"));
	ck_assert_int_eq(count_of(j, "open"), 2);
	retired = cJSON_GetObjectItem(j, "retired");
	ck_assert_int_eq(cJSON_GetArraySize(retired), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(retired, 0), "id"), "2-g3-names");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(retired, 0), "verdict"), "na");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(retired, 0), "text"), "Names");
	changes = cJSON_GetObjectItem(j, "checklist_changes");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(changes, "changed")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(changes, "added")), 1);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(changes, "added"), 0)->valuestring,
			 "2-g4-comments");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(changes, "removed"), 0)->valuestring,
			 "2-g3-names");
	cJSON_Delete(j);
}
END_TEST

/* The index is deleted and rebuilt: every review is still there. */
START_TEST(test_reviews_outlive_the_index)
{
	char id[REVIEW_ID_LEN + 1], path[128], err[256];
	char *db = xstrdup(ta.cfg.db_path), *wal = xasprintf("%s-wal", db),
	     *shm = xasprintf("%s-shm", db);
	cJSON *j;

	start(id);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G2", id);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"fail\"}", NULL, NULL), 200);
	app_fini(&ta.app);
	ck_assert_int_eq(unlink(db), 0);
	unlink(wal);
	unlink(shm);
	ck_assert_msg(app_init(&ta.app, &ta.cfg, ta.log, err, sizeof(err)) == 0, "%s", err);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", id);
	ck_assert_int_eq(send("GET", path, NULL, NULL, &j), 200);
	ck_assert_str_eq(jstr(item(j, "G2"), "verdict"), "fail");
	ck_assert_str_eq(jstr(j, "title"), "PR 7");
	cJSON_Delete(j);
	free(db);
	free(wal);
	free(shm);
}
END_TEST

/* The pages: /reviews lists it, /reviews/{id} shows every item with its
 * controls; what a reviewer typed is escaped, a target that is no http(s)
 * URL is no link, and the checklist page offers to start one. */
START_TEST(test_pages)
{
	struct ta_headers html = { .accept = "text/html", .host = "127.0.0.1:8080" };
	struct response res;
	char path[128], id[REVIEW_ID_LEN + 1];
	char *body;
	cJSON *j;

	ck_assert_int_eq(send("POST", "/api/v1/reviews", "{\"skill\":\"gadget\",\"title\":"
			      "\"<script>alert(1)</script>\",\"target\":\"javascript:alert(1)\"}", NULL, &j),
			 201);
	snprintf(id, sizeof(id), "%s", jstr(j, "id"));
	cJSON_Delete(j);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G2", id);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"fail\",\"severity\":\"Low\","
			      "\"note\":\"<b>bold</b>\"}", NULL, NULL), 200);

	snprintf(path, sizeof(path), "/reviews/%s", id);
	ck_assert_int_eq(ta_get(&ta.app, path, &html, &res), 200);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	body = xstrndup(res.body, res.body_len);
	response_fini(&res);
	ck_assert_ptr_null(strstr(body, "<script>alert"));
	ck_assert_ptr_nonnull(strstr(body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_null(strstr(body, "href=\"javascript:"));
	ck_assert_ptr_nonnull(strstr(body, "&lt;b&gt;bold&lt;/b&gt;</textarea>"));
	/* four items, G2 failing with its severity chosen */
	ck_assert_ptr_nonnull(strstr(body, "data-item=\"1-g2-lifetimes\" data-verdict=\"fail\" "
				     "data-version=\"1\""));
	ck_assert_ptr_nonnull(strstr(body, "<option selected>Low</option>"));
	ck_assert_ptr_nonnull(strstr(body, "Review of <a href=\"/skills/gadget/checklist\">gadget</a>"));
	{
		int n = 0;

		for (const char *p = body; (p = strstr(p, "class=\"ritem\"")); p++)
			n++;
		ck_assert_int_eq(n, 4);
	}
	free(body);
	ck_assert_int_eq(ta_get(&ta.app, "/reviews/0123456789abcdef", &html, &res), 404);
	response_fini(&res);

	ck_assert_int_eq(ta_get(&ta.app, "/reviews?status=open", &html, &res), 200);
	body = xstrndup(res.body, res.body_len);
	response_fini(&res);
	ck_assert_ptr_nonnull(strstr(body, "&lt;script&gt;"));
	ck_assert_ptr_nonnull(strstr(body, "<option value=\"open\" selected>open</option>"));
	ck_assert_ptr_nonnull(strstr(body, "<a href=\"/skills/gadget/checklist\">gadget</a>"));
	free(body);
	ck_assert_int_eq(ta_get(&ta.app, "/reviews?status=closed", &html, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "No review yet"));
	response_fini(&res);

	ck_assert_int_eq(ta_get(&ta.app, "/skills/gadget/checklist", &html, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "data-action=\"start-review\""));
	ck_assert_ptr_nonnull(strstr(res.body, "data-skill=\"gadget\" "
				     "data-checklist=\"references/review-checklist.md\""));
	response_fini(&res);
}
END_TEST

/* The event stream: its opening, nothing (0: the transport waits), the
 * change a write made, a resumed stream from Last-Event-ID, and its end
 * when the review is deleted. */
START_TEST(test_event_stream)
{
	struct ta_request r = { .method = "GET" };
	struct response res;
	char id[REVIEW_ID_LEN + 1], path[128], buf[4096];
	long n;

	start(id);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/events", id);
	r.path = path;
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 200);
	ck_assert_ptr_nonnull(res.stream);
	ck_assert_str_eq(res.content_type, "text/event-stream; charset=utf-8");
	ck_assert_str_eq(res.stream->topic, id);
	ck_assert_str_eq(res.etag, "");
	n = res.stream->read(res.stream->ctx, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "retry: 2000\n"));
	ck_assert_int_eq(res.stream->read(res.stream->ctx, buf, sizeof(buf)), 0);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G1", id);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"pass\",\"author\":\"ana\"}", NULL, NULL), 200);
	/* read in small pieces: the event comes whole across them */
	{
		struct buf all;

		buf_init(&all);
		while ((n = res.stream->read(res.stream->ctx, buf, 7)) > 0)
			buf_append(&all, buf, (size_t)n);
		ck_assert_int_eq(n, 0);
		ck_assert_ptr_nonnull(strstr(all.data, "id: 2\nevent: change\ndata: {\"seq\":2,"));
		ck_assert_ptr_nonnull(strstr(all.data, "\"item\":\"1-g1-bounds-checked\""));
		ck_assert_ptr_nonnull(strstr(all.data, "\"author\":\"ana\""));
		ck_assert(all.len > 2 && !strcmp(all.data + all.len - 2, "\n\n"));
		buf_fini(&all);
	}
	response_fini(&res);

	/* resumed: everything after the id the client had */
	r.path = xasprintf("/api/v1/reviews/%s/events", id);
	r.h.last_event_id = "1";
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 200);
	n = res.stream->read(res.stream->ctx, buf, sizeof(buf) - 1);   /* the opening */
	n = res.stream->read(res.stream->ctx, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "id: 2\n"));
	/* the review goes: the stream says so and ends */
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", id);
	ck_assert_int_eq(send("DELETE", path, NULL, NULL, NULL), 204);
	n = res.stream->read(res.stream->ctx, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "event: deleted\ndata: {}\n\n");
	ck_assert_int_eq(res.stream->read(res.stream->ctx, buf, sizeof(buf)), -1);
	response_fini(&res);
	free((char *)r.path);

	r.h.last_event_id = "x";
	r.path = "/api/v1/reviews/0123456789abcdef/events";
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 400);
	response_fini(&res);
	r.h.last_event_id = NULL;
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 404);
	ck_assert_ptr_null(res.stream);
	response_fini(&res);
}
END_TEST

/* Does /healthz say the review store is up? */
static bool store_up(void)
{
	cJSON *j;
	bool up;

	ck_assert_int_eq(send("GET", "/healthz", NULL, NULL, &j), 200);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(j, "store"), "backend"), "postgresql");
	up = cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "store"), "up"));
	cJSON_Delete(j);
	return up;
}

/* Closes the app and own (a test's own server), and opens an app on the
 * case's server again, which teardown_pg closes. */
static void back_to_case_server(struct pgtest *own)
{
	ta_close(&ta);
	pgtest_fini(own);
	free(pg_uri);
	pg_uri = pgtest_case_database();
	open_on(pg_uri);
}

/* PostgreSQL stops under the server: skills are still served, review
 * reads and writes answer 503 with Retry-After (nothing written), /healthz
 * says the store is down, a live stream stays open; once PostgreSQL is
 * back a write goes through, once, and the stream sends it. */
START_TEST(test_store_down_and_back)
{
	struct ta_request r = { .method = "PATCH", .content_type = "application/json",
				.sec_fetch_site = "same-origin", .body = "{\"verdict\":\"pass\"}" };
	char id[REVIEW_ID_LEN + 1], path[128], events[128], err[256], buf[4096], *after;
	struct pgtest own;
	struct response res, live;
	cJSON *j;
	long n;
	int status, tries = 0;

	ta_close(&ta);
	ck_assert_msg(pgtest_init(&own, err, sizeof(err)) == 0, "%s", err);
	free(pg_uri);
	pg_uri = pgtest_new_database(&own);
	open_on(pg_uri);
	start(id);
	snprintf(events, sizeof(events), "/api/v1/reviews/%s/events", id);
	ck_assert_int_eq(ta_send(&ta.app, &(struct ta_request){ .method = "GET", .path = events },
				 &live), 200);
	ck_assert_int_gt(live.stream->read(live.stream->ctx, buf, sizeof(buf)), 0);
	pgtest_stop(&own);

	ck_assert_int_eq(send("GET", "/api/v1/skills/gadget", NULL, NULL, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G1", id);
	r.path = path;
	r.body_len = strlen(r.body);
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 503);
	after = NULL;
	for (size_t i = 0; i < res.n_headers; i++)
		if (strcmp(res.headers[i].key, "Retry-After") == 0)
			after = res.headers[i].value;
	ck_assert_ptr_nonnull(after);
	ck_assert_str_eq(after, "2");
	ck_assert_ptr_nonnull(strstr(res.body, "\"code\":\"unavailable\""));
	response_fini(&res);
	/* the stream has nothing to send, and does not end */
	ck_assert_int_eq(live.stream->read(live.stream->ctx, buf, sizeof(buf)), 0);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", id);
	ck_assert_int_eq(send("GET", path, NULL, NULL, NULL), 503);
	ck_assert(!store_up());

	ck_assert_msg(pgtest_start(&own, err, sizeof(err)) == 0, "%s", err);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G1", id);
	/* within the store's backoff (5 s at most) */
	while ((status = send("PATCH", path, "{\"verdict\":\"pass\"}", NULL, NULL)) == 503 &&
	       ++tries < 100)
		usleep(100 * 1000);
	ck_assert_int_eq(status, 200);
	n = live.stream->read(live.stream->ctx, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "id: 2\nevent: change\n"));
	response_fini(&live);
	ck_assert(store_up());
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", id);
	ck_assert_int_eq(send("GET", path, NULL, NULL, &j), 200);
	ck_assert_str_eq(jstr(item(j, "G1"), "verdict"), "pass");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(item(j, "G1"), "version")), 1);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "seq")), 2);
	cJSON_Delete(j);
	back_to_case_server(&own);
}
END_TEST

/* A server started while PostgreSQL is down starts: it serves skills,
 * answers review calls 503 and says so in /healthz; once PostgreSQL is
 * there, its first connection applies the migrations and writes pass. */
START_TEST(test_start_while_store_down)
{
	char id[REVIEW_ID_LEN + 1], err[256];
	struct pgtest own;
	cJSON *j;
	int status, tries = 0;

	ta_close(&ta);
	ck_assert_msg(pgtest_init(&own, err, sizeof(err)) == 0, "%s", err);
	free(pg_uri);
	pg_uri = pgtest_new_database(&own);
	pgtest_stop(&own);
	open_on(pg_uri);
	ck_assert_int_eq(send("GET", "/api/v1/skills/gadget", NULL, NULL, NULL), 200);
	ck_assert_int_eq(send("GET", "/api/v1/reviews", NULL, NULL, NULL), 503);
	ck_assert(!store_up());

	ck_assert_msg(pgtest_start(&own, err, sizeof(err)) == 0, "%s", err);
	while ((status = send("POST", "/api/v1/reviews", "{\"skill\":\"gadget\",\"title\":\"PR 8\"}",
				    NULL, &j)) == 503 &&
	       ++tries < 100) {
		cJSON_Delete(j);
		usleep(100 * 1000);
	}
	ck_assert_int_eq(status, 201);
	snprintf(id, sizeof(id), "%s", jstr(j, "id"));
	cJSON_Delete(j);
	ck_assert_uint_eq(strlen(id), REVIEW_ID_LEN);
	ck_assert(store_up());
	back_to_case_server(&own);
}
END_TEST

/* Two replicas on one PostgreSQL database: a verdict written through one
 * wakes the live streams of that review on the other (its hub hears of
 * it through LISTEN/NOTIFY), and the other serves the verdict. */
START_TEST(test_replicas_hear_each_other)
{
	char id[REVIEW_ID_LEN + 1], path[128];
	struct ta_app other = { 0 };
	uint64_t before;
	cJSON *j;
	int tries;

	ta_prepare(&other);
	write_gadget_in(&other, GADGET_CHECKLIST);
	ta_open(&other, (const char *const[]){ "--store", pg_uri, NULL });
	start(id);
	/* the start itself is news over there too */
	for (tries = 0; tries < 200 && hub_count(other.app.hub, id) == 0; tries++)
		usleep(50 * 1000);
	before = hub_count(other.app.hub, id);
	ck_assert_uint_ge(before, 1);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/G2", id);
	ck_assert_int_eq(send("PATCH", path, "{\"verdict\":\"fail\"}", NULL, NULL), 200);
	for (tries = 0; tries < 200 && hub_count(other.app.hub, id) == before; tries++)
		usleep(50 * 1000);
	ck_assert_uint_gt(hub_count(other.app.hub, id), before);
	/* and it serves what was written here */
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", id);
	ck_assert_int_eq(send_to(&other, "GET", path, NULL, NULL, &j), 200);
	ck_assert_str_eq(jstr(item(j, "G2"), "verdict"), "fail");
	cJSON_Delete(j);
	ta_close(&other);
}
END_TEST

/* The tests that run on every store. */
static void add_common(TCase *tc)
{
	tcase_add_test(tc, test_start_and_show);
	tcase_add_test(tc, test_start_refuses_bad_input);
	tcase_add_test(tc, test_item_writes);
	tcase_add_test(tc, test_batch_all_or_none);
	tcase_add_test(tc, test_close_list_delete);
	tcase_add_test(tc, test_markdown_bytes);
	tcase_add_test(tc, test_checklist_edits_keep_verdicts);
	tcase_add_test(tc, test_reviews_outlive_the_index);
	tcase_add_test(tc, test_pages);
	tcase_add_test(tc, test_event_stream);
}

Suite *reviews_suite(void)
{
	TCase *sqlite, *pg;
	Suite *s = pgtest_two_stores("reviews", add_common, setup, teardown, setup_pg, teardown_pg,
				     &sqlite, &pg);

	if (pg) {
		tcase_add_test(pg, test_store_down_and_back);
		tcase_add_test(pg, test_start_while_store_down);
		tcase_add_test(pg, test_replicas_hear_each_other);
	}
	return s;
}
