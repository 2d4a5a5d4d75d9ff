/* SPDX-License-Identifier: MIT */
/*
 * Tests for assets: the embedded table holds every file of assets/ byte for
 * byte, with its content type and the strong ETag of its SHA-256; lookups
 * refuse anything but an exact name; the stylesheet and the script load
 * nothing from another host. Run from the repository root (as make test).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/assets.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *assets_suite(void);

/* Asserts that the embedded asset name equals assets/name on disk, with
 * content type ctype and the ETag of its bytes; returns the asset. */
static const struct asset *expect_asset(const char *name, const char *ctype)
{
	const struct asset *a = assets_find(name);
	char *path = xasprintf("assets/%s", name);
	size_t len;
	char *disk = tu_read(path, &len);
	char hex[SHA256_HEX_LEN + 1];
	char *etag;

	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->name, name);
	ck_assert_str_eq(a->content_type, ctype);
	ck_assert_uint_eq(a->len, len);
	ck_assert_int_eq(memcmp(a->data, disk, len), 0);
	ck_assert_int_eq(a->data[a->len], 0);
	sha256_hex(a->data, a->len, hex);
	etag = xasprintf("\"%.32s\"", hex);
	ck_assert_str_eq(a->etag, etag);
	free(etag);
	free(disk);
	free(path);
	return a;
}

START_TEST(test_assets_embedded_exactly)
{
	expect_asset("style.css", "text/css; charset=utf-8");
	expect_asset("app.js", "text/javascript; charset=utf-8");
	expect_asset("favicon.svg", "image/svg+xml");
}
END_TEST

START_TEST(test_assets_lookup_is_exact)
{
	ck_assert_ptr_null(assets_find(NULL));
	ck_assert_ptr_null(assets_find(""));
	ck_assert_ptr_null(assets_find("STYLE.CSS"));
	ck_assert_ptr_null(assets_find("style.css/"));
	ck_assert_ptr_null(assets_find("/style.css"));
	ck_assert_ptr_null(assets_find("../assets/style.css"));
	ck_assert_ptr_null(assets_find("style"));
	ck_assert_ptr_null(assets_find("style.css\n"));
}
END_TEST

START_TEST(test_assets_listed_in_name_order)
{
	size_t n = assets_count();

	ck_assert_uint_eq(n, 8);
	ck_assert_str_eq(assets_at(0)->name, "alert-caution.svg");
	ck_assert_str_eq(assets_at(4)->name, "alert-warning.svg");
	ck_assert_str_eq(assets_at(5)->name, "app.js");
	ck_assert_str_eq(assets_at(6)->name, "favicon.svg");
	ck_assert_str_eq(assets_at(7)->name, "style.css");
	ck_assert_ptr_null(assets_at(n));
	ck_assert_ptr_eq(assets_find("style.css"), assets_at(7));
}
END_TEST

START_TEST(test_assets_load_nothing_from_elsewhere)
{
	const struct asset *css = assets_find("style.css");
	const struct asset *js = assets_find("app.js");

	ck_assert_ptr_nonnull(css);
	ck_assert_ptr_nonnull(js);
	/* no URL with a scheme or host, no import, no fonts or images by URL */
	ck_assert_ptr_null(strstr((const char *)css->data, "://"));
	ck_assert_ptr_null(strstr((const char *)css->data, "@import"));
	/* the only url() are the alerts' icons, assets of this server */
	for (const char *u = strstr((const char *)css->data, "url("); u; u = strstr(u + 4, "url(")) {
		char name[64];
		size_t k = strcspn(u + 4, ")");

		ck_assert_msg(strncmp(u + 4, "/assets/", 8) == 0 && k > 8 && k - 8 < sizeof(name), "%.40s", u);
		memcpy(name, u + 12, k - 8);
		name[k - 8] = '\0';
		ck_assert_msg(assets_find(name) != NULL, "url(/assets/%s) is no asset", name);
	}
	ck_assert_ptr_null(strstr((const char *)js->data, "://"));
	/* the script writes text, never markup, and never evaluates strings */
	ck_assert_ptr_null(strstr((const char *)js->data, "innerHTML"));
	ck_assert_ptr_null(strstr((const char *)js->data, "outerHTML"));
	ck_assert_ptr_null(strstr((const char *)js->data, "eval("));
	ck_assert_ptr_null(strstr((const char *)js->data, "document.write"));
	/* light and dark, and a print style */
	ck_assert_ptr_nonnull(strstr((const char *)css->data, "@media (prefers-color-scheme: dark)"));
	ck_assert_ptr_nonnull(strstr((const char *)css->data, "@media print"));
	/* the localStorage key the checklist page promises */
	ck_assert_ptr_nonnull(strstr((const char *)js->data, "\"skilld:checklist:\" + slug + \":\""));
}
END_TEST

Suite *assets_suite(void)
{
	Suite *s = suite_create("assets");
	TCase *tc = tcase_create("assets");

	tcase_add_test(tc, test_assets_embedded_exactly);
	tcase_add_test(tc, test_assets_lookup_is_exact);
	tcase_add_test(tc, test_assets_listed_in_name_order);
	tcase_add_test(tc, test_assets_load_nothing_from_elsewhere);
	suite_add_tcase(s, tc);
	return s;
}
