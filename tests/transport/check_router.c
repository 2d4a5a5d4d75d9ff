/* SPDX-License-Identifier: MIT */
/* Tests for router: matching, parameters, 400/404/405 and Allow. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/transport/router.h"
#include "skilld/base/util.h"

Suite *router_suite(void);

struct calls {
	const char *which;
	char slug[64];
	char path[256];
};

static void h_list(void *ctx, struct request *req, struct response *res)
{
	(void)req;
	((struct calls *)ctx)->which = "list";
	response_copy(res, 200, CT_JSON, "[]", 2);
}

static void h_skill(void *ctx, struct request *req, struct response *res)
{
	struct calls *c = ctx;

	c->which = "skill";
	snprintf(c->slug, sizeof(c->slug), "%s", request_param(req, "slug"));
	response_copy(res, 200, CT_JSON, "{}", 2);
}

static void h_file(void *ctx, struct request *req, struct response *res)
{
	struct calls *c = ctx;

	c->which = "file";
	snprintf(c->slug, sizeof(c->slug), "%s", request_param(req, "slug"));
	snprintf(c->path, sizeof(c->path), "%s", request_param(req, "path"));
	response_copy(res, 200, CT_TEXT, "x", 1);
}

static void h_post(void *ctx, struct request *req, struct response *res)
{
	(void)req;
	((struct calls *)ctx)->which = "post";
	response_copy(res, 200, CT_JSON, "{}", 2);
}

static const struct route table[] = {
	{ METHOD_GET, "/api/v1/skills", h_list, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}", h_skill, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/files/{*path}", h_file, 0 },
	{ METHOD_POST, "/mcp", h_post, 0 },
};

static int run(const char *method, enum http_method m, const char *path, struct calls *c,
	       struct response *res)
{
	struct request req;

	request_init(&req);
	req.method = m;
	req.method_name = method;
	req.path = xstrdup(path);
	memset(c, 0, sizeof(*c));
	response_init(res);
	router_dispatch(table, sizeof(table) / sizeof(table[0]), c, &req, res);
	request_fini(&req);
	return res->status;
}

START_TEST(test_literal_and_params)
{
	struct calls c;
	struct response res;

	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills", &c, &res), 200);
	ck_assert_str_eq(c.which, "list");
	response_fini(&res);
	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/c-memory", &c, &res), 200);
	ck_assert_str_eq(c.which, "skill");
	ck_assert_str_eq(c.slug, "c-memory");
	response_fini(&res);
	ck_assert_int_eq(run("HEAD", METHOD_HEAD, "/api/v1/skills/x%2Dy", &c, &res), 200);
	ck_assert_str_eq(c.slug, "x-y");
	response_fini(&res);
}
END_TEST

START_TEST(test_catch_all_path)
{
	struct calls c;
	struct response res;

	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/s/files/references/a%20b.md", &c, &res), 200);
	ck_assert_str_eq(c.which, "file");
	ck_assert_str_eq(c.path, "references/a b.md");
	response_fini(&res);
	/* an encoded slash never creates a path separator */
	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/s/files/a%2Fb", &c, &res), 400);
	ck_assert_ptr_null(c.which);
	response_fini(&res);
	/* traversal segments are refused, encoded or not */
	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/s/files/../../etc/passwd", &c, &res), 400);
	response_fini(&res);
	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/s/files/%2e%2e/x", &c, &res), 400);
	response_fini(&res);
	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/s/files/a%00b", &c, &res), 400);
	response_fini(&res);
	/* an empty segment is not a file name */
	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/s/files/a//b", &c, &res), 404);
	response_fini(&res);
	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/s/files/", &c, &res), 404);
	response_fini(&res);
}
END_TEST

START_TEST(test_not_found_and_method)
{
	struct calls c;
	struct response res;

	ck_assert_int_eq(run("GET", METHOD_GET, "/nope", &c, &res), 404);
	ck_assert(strstr(res.body, "\"not_found\"") != NULL);
	response_fini(&res);
	ck_assert_int_eq(run("GET", METHOD_GET, "/api/v1/skills/", &c, &res), 404);
	response_fini(&res);
	ck_assert_int_eq(run("DELETE", METHOD_DELETE, "/api/v1/skills/x", &c, &res), 405);
	ck_assert_uint_eq(res.n_headers, 1);
	ck_assert_str_eq(res.headers[0].key, "Allow");
	ck_assert_str_eq(res.headers[0].value, "GET, HEAD");
	response_fini(&res);
	ck_assert_int_eq(run("GET", METHOD_GET, "/mcp", &c, &res), 405);
	ck_assert_str_eq(res.headers[0].value, "POST");
	response_fini(&res);
	ck_assert_int_eq(run("GET", METHOD_GET, "no-slash", &c, &res), 400);
	response_fini(&res);
}
END_TEST

/* router_find tells the flags of a path whatever the method: the matched
 * route's, on a 405 those every route of the path has, none on a 404. */
START_TEST(test_path_flags)
{
	static const struct route flagged[] = {
		{ METHOD_GET, "/signin", h_list, ROUTE_PUBLIC },
		{ METHOD_POST, "/signin", h_post, ROUTE_PUBLIC | ROUTE_WRITE },
		{ METHOD_POST, "/mixed", h_post, ROUTE_PUBLIC | ROUTE_WRITE },
		{ METHOD_PUT, "/mixed", h_post, ROUTE_WRITE },
		{ METHOD_GET, "/assets/{name}", h_skill, ROUTE_PUBLIC },
	};
	static const struct {
		enum http_method method;
		const char *path;
		int status;
		unsigned flags;
	} cases[] = {
		{ METHOD_GET, "/signin", 200, ROUTE_PUBLIC },
		{ METHOD_POST, "/signin", 200, ROUTE_PUBLIC | ROUTE_WRITE },
		{ METHOD_DELETE, "/signin", 405, ROUTE_PUBLIC },
		{ METHOD_GET, "/mixed", 405, ROUTE_WRITE },
		{ METHOD_GET, "/assets/a.css", 200, ROUTE_PUBLIC },
		{ METHOD_GET, "/assets/a/b", 404, 0 },
		{ METHOD_GET, "/assets/%2e%2e", 400, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request req;
		struct response res;
		unsigned flags = 12345;
		const struct route *r;

		request_init(&req);
		req.method = cases[i].method;
		req.path = xstrdup(cases[i].path);
		response_init(&res);
		r = router_find(flagged, sizeof(flagged) / sizeof(flagged[0]), &req, &res, &flags);
		ck_assert_msg(res.status == cases[i].status && flags == cases[i].flags,
			      "%s: %d flags %u", cases[i].path, res.status, flags);
		ck_assert(r == NULL || res.status == 200);
		request_fini(&req);
		response_fini(&res);
	}
}
END_TEST

Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_literal_and_params);
	tcase_add_test(tc, test_catch_all_path);
	tcase_add_test(tc, test_not_found_and_method);
	tcase_add_test(tc, test_path_flags);
	suite_add_tcase(s, tc);
	return s;
}
