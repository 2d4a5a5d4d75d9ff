/* SPDX-License-Identifier: MIT */
/*
 * Tests for routes: the one table's rules. Every row has a handler and a
 * pattern the router can read; no two rows answer the same method on the
 * same pattern; what changes state carries a write flag (or is sign-in,
 * public by design); the only public routes are sign-in and the assets;
 * and each URL family lands on the row meant for it.
 */
#include <check.h>
#include <string.h>

#include "skilld/transport/router.h"
#include "skilld/transport/routes.h"
#include "skilld/base/util.h"

Suite *routes_suite(void);

START_TEST(test_rows_are_sound)
{
	size_t n;
	const struct route *t = routes_table(&n);

	/* a new route changes this number: give it its flags on purpose */
	ck_assert_uint_eq(n, 52);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(t[i].handler);
		ck_assert_msg(t[i].pattern[0] == '/', "%s", t[i].pattern);
		ck_assert_msg(t[i].methods != 0, "%s", t[i].pattern);
		for (size_t j = i + 1; j < n; j++)
			ck_assert_msg(strcmp(t[i].pattern, t[j].pattern) != 0 ||
				      !(t[i].methods & t[j].methods),
				      "%s twice for one method", t[i].pattern);
		/* a POST changes state or speaks JSON-RPC, unless it is sign-in */
		if (t[i].methods & METHOD_POST)
			ck_assert_msg(t[i].flags & (ROUTE_WRITE | ROUTE_JSONRPC | ROUTE_PUBLIC),
				      "%s", t[i].pattern);
		if (t[i].flags & ROUTE_PUBLIC)
			ck_assert_msg(!strcmp(t[i].pattern, "/signin") ||
				      !strcmp(t[i].pattern, "/signout") ||
				      !strcmp(t[i].pattern, "/assets/{name}"), "%s is public", t[i].pattern);
		if (t[i].flags & ROUTE_JSONRPC)
			ck_assert_str_eq(t[i].pattern, "/mcp");
	}
}
END_TEST

/* The pattern of the row that answers method path, or NULL. */
static const char *row_for(const char *method, const char *path)
{
	size_t n;
	const struct route *t = routes_table(&n), *r;
	struct request req;
	struct response res;
	const char *pattern;

	request_init(&req);
	response_init(&res);
	req.method = request_method(method);
	req.path = xstrdup(path);
	r = router_match(t, n, &req, &res);
	pattern = r ? r->pattern : NULL;
	request_fini(&req);
	response_fini(&res);
	return pattern;
}

START_TEST(test_families_land_on_their_rows)
{
	ck_assert_str_eq(row_for("GET", "/api/v1/skills/alpha/files/references/a.md"),
			 "/api/v1/skills/{slug}/files/{*path}");
	ck_assert_str_eq(row_for("GET", "/skills/alpha/references/a.md"),
			 "/skills/{slug}/references/{*file}");
	ck_assert_str_eq(row_for("GET", "/skills/alpha/checklist"), "/skills/{slug}/checklist");
	ck_assert_str_eq(row_for("GET", "/skills/alpha/scripts/run.sh"), "/skills/{slug}/{*path}");
	ck_assert_str_eq(row_for("GET", "/skills/alpha/examples"), "/skills/{slug}/examples");
	ck_assert_str_eq(row_for("GET", "/skills/alpha/examples/before.md"), "/skills/{slug}/{*path}");
	ck_assert_str_eq(row_for("GET", "/.well-known/agent-skills/index.json"),
			 "/.well-known/agent-skills/index.json");
	ck_assert_str_eq(row_for("GET", "/.well-known/agent-skills/alpha/SKILL.md"),
			 "/.well-known/agent-skills/{name}/{*path}");
	ck_assert_str_eq(row_for("HEAD", "/healthz"), "/healthz");
	ck_assert_str_eq(row_for("POST", "/mcp"), "/mcp");
	ck_assert_ptr_null(row_for("GET", "/mcp"));
	ck_assert_ptr_null(row_for("GET", "/api/v2/skills"));
}
END_TEST

Suite *routes_suite(void)
{
	Suite *s = suite_create("routes");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rows_are_sound);
	tcase_add_test(tc, test_families_land_on_their_rows);
	suite_add_tcase(s, tc);
	return s;
}
