/* SPDX-License-Identifier: MIT */
/*
 * Tests for agents: /llms.txt and /llms-full.txt through pipeline_serve on the
 * fixture tree plus a skill whose description holds newlines and markdown
 * brackets and a reference whose name needs percent-encoding: exact first
 * lines, every skill once with its absolute URL, the references under
 * "Optional", the content type by Accept, and SKILL.md bytes kept exactly.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fixture_skills.h"
#include "skilld/app/app.h"
#include "skilld/transport/pipeline.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *agents_suite(void);

#define BASE "http://skills.example:8080"
#define ODD_SKILL_MD "---\nname: odd [v2]\ndescription: |\n  Uses [brackets](not-a-link) and\n  ]more[ text.\n---\n# Odd\n"

static struct ta_app ta;

static void setup(void)
{
	ta_prepare(&ta);
	tu_write_str(ta.root, "odd/SKILL.md", ODD_SKILL_MD);
	tu_write_str(ta.root, "odd/references/my notes (v2).md", "# Notes\n");
	ta_open(&ta, (const char *const[]){ "--allowed-host", "skills.example", NULL });
}

static void teardown(void)
{
	ta_close(&ta);
}

/* GETs path with the Accept and User-Agent headers given (Host is
 * skills.example:8080); the status, with res to response_fini. */
static int get(const char *path, const char *accept, const char *ua, struct response *res)
{
	struct ta_headers h = { .accept = accept, .user_agent = ua, .host = "skills.example:8080" };

	return ta_get(&ta.app, path, &h, res);
}

/* The body as a NUL-terminated copy (free()). */
static char *body_str(const struct response *res)
{
	return xstrndup(res->body ? res->body : "", res->body_len);
}

/* How many times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

START_TEST(test_llms_txt_head_and_skills)
{
	static const char *const skills =
		"\n## Skills\n\n"
		"- [alpha](" BASE "/skills/alpha?format=md): " ALPHA_DESCRIPTION "\n"
		"- [alpha](" BASE "/skills/alpha-2?format=md): Same name as alpha.\n"
		"- [bad-yaml](" BASE "/skills/bad-yaml?format=md)\n"
		"- [beta](" BASE "/skills/beta?format=md): Minimal.\n"
		"- [odd \\[v2\\]](" BASE "/skills/odd?format=md): "
		"Uses [brackets](not-a-link) and ]more[ text.\n"
		"\n## Optional\n";
	struct response res;
	char *body;

	ck_assert_int_eq(get("/llms.txt", "text/markdown", "agent", &res), 200);
	ck_assert_str_eq(res.content_type, "text/markdown; charset=utf-8");
	body = body_str(&res);
	ck_assert_msg(strncmp(body, "# skilld\n\n> 5 Agent Skills served by this skilld instance: ",
			      strlen("# skilld\n\n> 5 Agent Skills served by this skilld instance: ")) == 0,
		      "%s", body);
	/* the summary is one line, then the how-to paragraph */
	ck_assert_ptr_eq(strchr(body + strlen("# skilld\n\n"), '\n'), strstr(body, "\n\nRead a skill's"));
	ck_assert(strstr(body, BASE "/skills/{slug}?format=md") != NULL);
	ck_assert(strstr(body, BASE "/api/v1/skills") != NULL);
	/* every skill exactly once, in slug order, with its absolute URL; the
	 * name-less one by slug, the folded description on one line */
	ck_assert_msg(strstr(body, skills) != NULL, "%s", body);
	ck_assert_int_eq(count(body, "\n## Skills\n"), 1);
	ck_assert_int_eq(count(body, "\n## Optional\n"), 1);
	ck_assert_int_eq(count(body, "/skills/alpha?format=md)"), 1);
	free(body);
	response_fini(&res);
}
END_TEST

/* text/markdown only when asked for; curl and browsers get text/plain with
 * the same bytes. */
START_TEST(test_content_type_by_accept)
{
	struct response md, res;

	ck_assert_int_eq(get("/llms.txt", "text/markdown", "agent", &md), 200);
	ck_assert_str_eq(md.content_type, "text/markdown; charset=utf-8");
	ck_assert_int_eq(get("/llms.txt", "*/*", "curl/8.0", &res), 200);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	ck_assert_uint_eq(res.body_len, md.body_len);
	ck_assert_int_eq(memcmp(res.body, md.body, md.body_len), 0);
	ck_assert_str_eq(res.etag, md.etag);
	response_fini(&res);
	ck_assert_int_eq(get("/llms.txt", "text/html,*/*;q=0.8", "Mozilla/5.0", &res), 200);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	response_fini(&res);
	ck_assert_int_eq(get("/llms-full.txt", "text/markdown", "agent", &res), 200);
	ck_assert_str_eq(res.content_type, "text/markdown; charset=utf-8");
	response_fini(&res);
	ck_assert_int_eq(get("/llms-full.txt", NULL, "curl/8.0", &res), 200);
	ck_assert_str_eq(res.content_type, "text/plain; charset=utf-8");
	ck_assert_uint_eq(strlen(res.etag), 34);
	response_fini(&res);
	response_fini(&md);
}
END_TEST

/* Each SKILL.md byte for byte after its "# slug" line and source URL. */
START_TEST(test_llms_full_bytes)
{
	static const char *const slugs[] = { "alpha", "alpha-2", "bad-yaml", "beta", "odd" };
	static const char *const dirs[] = { "alpha", "zz-dup", "bad-yaml", "beta", "odd" };
	struct response res;
	const char *prev = NULL;
	char *alpha_head;

	ck_assert_int_eq(get("/llms-full.txt", "text/markdown", "agent", &res), 200);
	alpha_head = xasprintf("# alpha\n\nSource: %s/skills/alpha?format=md\n\n---\nname: alpha\n", BASE);
	ck_assert_int_eq(memcmp(res.body, alpha_head, strlen(alpha_head)), 0);
	free(alpha_head);
	for (size_t i = 0; i < sizeof(slugs) / sizeof(slugs[0]); i++) {
		char *path = xasprintf("%s/%s/SKILL.md", ta.root, dirs[i]);
		char *head = xasprintf("# %s\n\nSource: %s/skills/%s?format=md\n\n", slugs[i], BASE, slugs[i]);
		size_t len, hlen = strlen(head);
		char *want = tu_read(path, &len);
		const char *at = memmem(res.body, res.body_len, head, hlen);

		ck_assert_msg(at != NULL, "no section for %s", slugs[i]);
		ck_assert_msg(prev == NULL || at > prev, "%s out of order", slugs[i]);
		ck_assert_ptr_null(memmem(at + 1, res.body_len - (size_t)(at + 1 - res.body), head, hlen));
		ck_assert_uint_le((size_t)(at - res.body) + hlen + len, res.body_len);
		ck_assert_msg(memcmp(at + hlen, want, len) == 0, "%s differs", slugs[i]);
		prev = at;
		free(path);
		free(head);
		free(want);
	}
	/* beta's bytes include 0xff and a NUL: the whole file is there */
	ck_assert_ptr_nonnull(memmem(res.body, res.body_len, "\xff\xfe bytes.\0after NUL\n", 20));
	ck_assert_int_eq(res.body[res.body_len - 1], '\n');
	response_fini(&res);
}
END_TEST

/* HEAD answers without a body; If-None-Match with the ETag gives 304. */
START_TEST(test_head_and_etag)
{
	struct response res;
	struct request req;
	char etag[sizeof(res.etag)];

	ck_assert_int_eq(get("/llms.txt", "text/markdown", "agent", &res), 200);
	snprintf(etag, sizeof(etag), "%s", res.etag);
	response_fini(&res);
	request_init(&req);
	req.method = METHOD_GET;
	req.method_name = "GET";
	req.path = xstrdup("/llms.txt");
	req.accept = "text/markdown";
	req.host = "skills.example:8080";
	req.if_none_match = etag;
	response_init(&res);
	pipeline_serve(&ta.app, &req, &res);
	ck_assert_int_eq(res.status, 304);
	response_fini(&res);
	request_fini(&req);
}
END_TEST

START_TEST(test_llms_txt_references)
{
	struct response res;
	char *body, *opt;

	ck_assert_int_eq(get("/llms.txt", "text/markdown", "agent", &res), 200);
	body = body_str(&res);
	opt = strstr(body, "\n## Optional\n\n");
	ck_assert_ptr_nonnull(opt);
	ck_assert_str_eq(opt, "\n## Optional\n\n"
			 "- [alpha: references/extra/review-checklist.md](" BASE
			 "/skills/alpha/references/extra/review-checklist.md?format=md)\n"
			 "- [alpha: references/guide.md](" BASE "/skills/alpha/references/guide.md?format=md)\n"
			 "- [alpha: references/review-checklist.md](" BASE
			 "/skills/alpha/references/review-checklist.md?format=md)\n"
			 "- [odd: references/my notes (v2).md](" BASE
			 "/skills/odd/references/my%20notes%20%28v2%29.md?format=md)\n");
	free(body);
	response_fini(&res);
	/* the encoded link leads to the file */
	ck_assert_int_eq(get("/skills/odd/references/my%20notes%20%28v2%29.md?format=md", "*/*", "curl/8.0",
			     &res), 200);
	ck_assert_uint_eq(res.body_len, strlen("# Notes\n"));
	ck_assert_int_eq(memcmp(res.body, "# Notes\n", res.body_len), 0);
	response_fini(&res);
}
END_TEST

Suite *agents_suite(void)
{
	Suite *s = suite_create("agents");
	TCase *tc = tcase_create("llms");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_llms_txt_head_and_skills);
	tcase_add_test(tc, test_llms_txt_references);
	tcase_add_test(tc, test_content_type_by_accept);
	tcase_add_test(tc, test_llms_full_bytes);
	tcase_add_test(tc, test_head_and_etag);
	suite_add_tcase(s, tc);
	return s;
}
