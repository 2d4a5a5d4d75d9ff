/* SPDX-License-Identifier: MIT */
/* Tests for evals: both shapes normalised, the summary numbers, syntax
 * errors with file positions, wrong shapes, hostile input, and (when
 * SKILLD_CORPORA is set) the real booklib-head files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/indexing/evals.h"
#include "skilld/base/util.h"

Suite *evals_suite(void);

/* One parse and what it reported. */
struct ex {
	cJSON *out;
	struct evals_summary sum;
	struct diag_list diags;
	int rc;
};

static void ex_parse_len(struct ex *x, const char *text, size_t len)
{
	diag_list_init(&x->diags);
	x->sum.count = -1;
	x->rc = evals_parse(text, len, "s/evals/evals.json", &x->out, &x->sum, &x->diags);
	ck_assert_int_eq(x->rc == 0, x->out != NULL);
	ck_assert_int_eq(x->rc == 0, x->sum.valid);
	if (x->rc != 0)
		ck_assert_int_eq(x->sum.count, 0);
}

static void ex_parse(struct ex *x, const char *text)
{
	ex_parse_len(x, text, strlen(text));
}

static void ex_fini(struct ex *x)
{
	cJSON_Delete(x->out);
	diag_list_fini(&x->diags);
}

/* Compares the normalised output with the expected compact JSON. */
static void assert_out(const struct ex *x, const char *json)
{
	char *got = cJSON_PrintUnformatted(x->out);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, json);
	cJSON_free(got);
}

/* The only diagnostic must have this severity and code. */
static const struct diag *only_diag(const struct ex *x, enum diag_severity sev, const char *code)
{
	ck_assert_uint_eq(x->diags.len, 1);
	ck_assert_int_eq(x->diags.items[0].severity, sev);
	ck_assert_str_eq(x->diags.items[0].code, code);
	ck_assert_str_eq(x->diags.items[0].path, "s/evals/evals.json");
	return &x->diags.items[0];
}

START_TEST(test_expectations_shape)
{
	struct ex x;

	ex_parse(&x, "{\"evals\":[\n"
		     " {\"id\":\"eval-01-a\",\"prompt\":\"Review:\\n\\n```\\ncode\\n```\","
		     "  \"expectations\":[\"one\",\"two\",\"three\"]},\n"
		     " {\"id\":\"eval-02-b\",\"prompt\":\"short\",\"expectations\":[\"x\"]}\n"
		     "]}\n");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_uint_eq(x.diags.len, 0);
	assert_out(&x, "{\"shape\":\"expectations\",\"skill_name\":null,\"evals\":["
		       "{\"id\":\"eval-01-a\",\"prompt\":\"Review:\\n\\n```\\ncode\\n```\","
		       "\"expectations\":[\"one\",\"two\",\"three\"],\"expected_output\":null,\"files\":[]},"
		       "{\"id\":\"eval-02-b\",\"prompt\":\"short\",\"expectations\":[\"x\"],"
		       "\"expected_output\":null,\"files\":[]}]}");
	ck_assert(x.sum.valid);
	ck_assert_int_eq(x.sum.count, 2);
	/* 5 lines and 1 line; 3 and 1 expectations. */
	ck_assert_double_eq(x.sum.prompt_avg_lines, 3.0);
	ck_assert_double_eq(x.sum.expectations_avg, 2.0);
	ex_fini(&x);
}
END_TEST

START_TEST(test_assertions_shape)
{
	struct ex x;
	const struct diag *d;

	ex_parse(&x, "{\"skill_name\":\"pdf\",\"evals\":["
		     "{\"id\":1,\"prompt\":\"a\\nb\",\"expected_output\":\"A table\","
		     " \"files\":[\"in/x.pdf\", 7, \"in/y.pdf\"],"
		     " \"assertions\":[\"plain\",{\"text\":\"from text\"},"
		     "  {\"description\":\"from description\"},{\"other\":1},null]},"
		     "{\"id\":2.5,\"prompt\":\"c\",\"assertions\":[\"only\"]}]}");
	ck_assert_int_eq(x.rc, 0);
	assert_out(&x, "{\"shape\":\"assertions\",\"skill_name\":\"pdf\",\"evals\":["
		       "{\"id\":\"1\",\"prompt\":\"a\\nb\","
		       "\"expectations\":[\"plain\",\"from text\",\"from description\"],"
		       "\"expected_output\":\"A table\",\"files\":[\"in/x.pdf\",\"in/y.pdf\"]},"
		       "{\"id\":\"2.5\",\"prompt\":\"c\",\"expectations\":[\"only\"],"
		       "\"expected_output\":null,\"files\":[]}]}");
	ck_assert_int_eq(x.sum.count, 2);
	ck_assert_double_eq(x.sum.prompt_avg_lines, 1.5);
	ck_assert_double_eq(x.sum.expectations_avg, 2.0);
	ck_assert_uint_eq(x.diags.len, 2);
	d = &x.diags.items[0];
	ck_assert_str_eq(d->code, "evals-bad-field");
	ck_assert_int_eq(d->severity, DIAG_WARNING);
	ck_assert_ptr_nonnull(strstr(d->message, "2 assertions"));
	ck_assert_ptr_nonnull(strstr(x.diags.items[1].message, "1 \"files\""));
	ex_fini(&x);
}
END_TEST

START_TEST(test_shape_from_first_eval)
{
	struct ex x;

	/* The first kept eval decides; a skipped one does not count. */
	ex_parse(&x, "{\"evals\":[{\"id\":\"bad\"},"
		     "{\"id\":\"x\",\"prompt\":\"p\",\"expected_output\":\"o\"},"
		     "{\"id\":\"y\",\"prompt\":\"q\",\"expectations\":[\"e\"]}]}");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(x.out, "shape")->valuestring, "assertions");
	ck_assert_int_eq(x.sum.count, 2);
	ck_assert_double_eq(x.sum.expectations_avg, 0.5);
	ck_assert_uint_eq(x.diags.len, 2);
	ck_assert_str_eq(x.diags.items[0].code, "evals-bad-eval");
	ck_assert_ptr_nonnull(strstr(x.diags.items[0].message, "#1"));
	ck_assert_str_eq(x.diags.items[1].code, "evals-no-expectations");
	ck_assert_ptr_nonnull(strstr(x.diags.items[1].message, "#2"));
	ex_fini(&x);

	ex_parse(&x, "{\"evals\":[{\"id\":\"y\",\"prompt\":\"q\",\"expectations\":[\"e\"]},"
		     "{\"id\":1,\"prompt\":\"p\",\"assertions\":[\"a\"]}]}");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(x.out, "shape")->valuestring, "expectations");
	ck_assert_double_eq(x.sum.expectations_avg, 1.0);
	ex_fini(&x);

	/* No evals: the wrapper decides. */
	ex_parse(&x, "{\"skill_name\":\"s\",\"evals\":[]}");
	ck_assert_int_eq(x.rc, 0);
	assert_out(&x, "{\"shape\":\"assertions\",\"skill_name\":\"s\",\"evals\":[]}");
	ck_assert_int_eq(x.sum.count, 0);
	ck_assert_double_eq(x.sum.prompt_avg_lines, 0.0);
	ck_assert_double_eq(x.sum.expectations_avg, 0.0);
	ex_fini(&x);
}
END_TEST

START_TEST(test_bare_array)
{
	struct ex x;
	const struct diag *d;

	ex_parse(&x, "[{\"id\":\"a\",\"prompt\":\"p\",\"expectations\":[\"e\",\"f\"]}]");
	ck_assert_int_eq(x.rc, 0);
	d = only_diag(&x, DIAG_WARNING, "evals-bare-array");
	ck_assert_int_eq(d->line, 1);
	ck_assert_int_eq(x.sum.count, 1);
	ck_assert_double_eq(x.sum.expectations_avg, 2.0);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(x.out, "shape")->valuestring, "expectations");
	ex_fini(&x);
}
END_TEST

START_TEST(test_ids)
{
	struct ex x;
	const cJSON *evals, *e;
	const char *want[] = { "1", "-3", "1.5", "1e+20", "5", "s", "123456789012" };
	int i = 0;

	ex_parse(&x, "{\"evals\":[{\"id\":1,\"prompt\":\"p\",\"expectations\":[\"e\"]},"
		     "{\"id\":-3,\"prompt\":\"p\",\"expectations\":[\"e\"]},"
		     "{\"id\":1.5,\"prompt\":\"p\",\"expectations\":[\"e\"]},"
		     "{\"id\":1e20,\"prompt\":\"p\",\"expectations\":[\"e\"]},"
		     "{\"id\":[1],\"prompt\":\"p\",\"expectations\":[\"e\"]},"
		     "{\"id\":\"s\",\"prompt\":\"p\",\"expectations\":[\"e\"]},"
		     "{\"id\":123456789012,\"prompt\":\"p\",\"expectations\":[\"e\"]}]}");
	ck_assert_int_eq(x.rc, 0);
	evals = cJSON_GetObjectItemCaseSensitive(x.out, "evals");
	ck_assert_int_eq(cJSON_GetArraySize(evals), 7);
	cJSON_ArrayForEach(e, evals)
		ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring, want[i++]);
	only_diag(&x, DIAG_WARNING, "evals-missing-id");
	ck_assert_ptr_nonnull(strstr(x.diags.items[0].message, "#5"));
	ex_fini(&x);
}
END_TEST

START_TEST(test_bad_evals_skipped)
{
	struct ex x;

	ex_parse(&x, "{\"evals\":[1, \"str\", null, {\"prompt\":5}, {\"id\":\"k\",\"prompt\":\"x\","
		     "\"expectations\":\"not a list\",\"files\":\"nope\",\"expected_output\":3}]}");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_int_eq(x.sum.count, 1);
	ck_assert_uint_eq(diag_count(&x.diags, DIAG_WARNING), 8);
	ck_assert_uint_eq(diag_count(&x.diags, DIAG_ERROR), 0);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(x.diags.items[i].code, "evals-bad-eval");
	ck_assert_str_eq(x.diags.items[4].code, "evals-bad-field");
	ck_assert_str_eq(x.diags.items[5].code, "evals-no-expectations");
	ck_assert_str_eq(x.diags.items[6].code, "evals-bad-field");
	ck_assert_str_eq(x.diags.items[7].code, "evals-bad-field");
	assert_out(&x, "{\"shape\":\"expectations\",\"skill_name\":null,\"evals\":["
		       "{\"id\":\"k\",\"prompt\":\"x\",\"expectations\":[],\"expected_output\":null,"
		       "\"files\":[]}]}");
	ex_fini(&x);
}
END_TEST

START_TEST(test_invalid_json_position)
{
	struct ex x;
	const struct diag *d;

	ex_parse(&x, "{\n  \"evals\": [\n    {\"id\": \"a\" \"prompt\": \"x\"}\n  ]\n}\n");
	ck_assert_int_eq(x.rc, -1);
	ck_assert_ptr_null(x.out);
	d = only_diag(&x, DIAG_ERROR, "evals-invalid-json");
	ck_assert_int_eq(d->line, 3);
	ck_assert_int_eq(d->column, 16);
	ck_assert_ptr_nonnull(strstr(d->message, "near `\"prompt\": \"x\"}`"));
	ex_fini(&x);

	/* Columns count code points; a BOM is skipped. */
	ex_parse(&x, "\xEF\xBB\xBF{\"evals\": [\"\xC3\xA9\xC3\xA9\", ]}");
	d = only_diag(&x, DIAG_ERROR, "evals-invalid-json");
	ck_assert_int_eq(d->line, 1);
	ck_assert_int_eq(d->column, 18);
	ex_fini(&x);

	/* Text after the document. */
	ex_parse(&x, "{\"evals\":[]}\n\n  x");
	d = only_diag(&x, DIAG_ERROR, "evals-invalid-json");
	ck_assert_int_eq(d->line, 3);
	ck_assert_int_eq(d->column, 3);
	ck_assert_ptr_nonnull(strstr(d->message, "after the end"));
	ex_fini(&x);

	ex_parse(&x, "");
	d = only_diag(&x, DIAG_ERROR, "evals-invalid-json");
	ck_assert_int_eq(d->line, 1);
	ck_assert_int_eq(d->column, 1);
	ex_fini(&x);

	ex_parse_len(&x, NULL, 0);
	only_diag(&x, DIAG_ERROR, "evals-invalid-json");
	ex_fini(&x);
}
END_TEST

START_TEST(test_bad_shape)
{
	static const char *const inputs[] = {
		"{\"tests\":[]}", "{\"evals\":{}}", "{\"evals\":\"x\"}", "42", "\"evals\"", "null",
	};
	struct ex x;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		ex_parse(&x, inputs[i]);
		ck_assert_int_eq(x.rc, -1);
		ck_assert_ptr_null(x.out);
		only_diag(&x, DIAG_ERROR, "evals-bad-shape");
		ex_fini(&x);
	}
}
END_TEST

START_TEST(test_hostile)
{
	static const char nul_inside[] = "{\"evals\":[{\"id\":\"a\",\"prompt\":\"x\0y\",\"expectations\":[\"e\"]}]}";
	static const char nul_after[] = "{\"evals\":[]}\0garbage";
	static const char not_utf8[] = "{\"evals\":[{\"id\":\"\xff\xfe\",\"prompt\":\"p\",\"expectations\":[\"e\"]}]}";
	struct ex x;
	struct buf t;

	/* Nesting far beyond cJSON's limit fails cleanly. */
	buf_init(&t);
	buf_puts(&t, "{\"evals\":");
	for (int i = 0; i < 100000; i++)
		buf_putc(&t, '[');
	ex_parse_len(&x, t.data, t.len);
	ck_assert_int_eq(x.rc, -1);
	only_diag(&x, DIAG_ERROR, "evals-invalid-json");
	ex_fini(&x);
	buf_fini(&t);

	/* A raw NUL inside a string: no crash, the eval survives. */
	ex_parse_len(&x, nul_inside, sizeof(nul_inside) - 1);
	if (x.rc == 0)
		ck_assert_int_eq(x.sum.count, 1);
	ex_fini(&x);

	ex_parse_len(&x, nul_after, sizeof(nul_after) - 1);
	ck_assert_int_eq(x.rc, -1);
	ck_assert_int_eq(only_diag(&x, DIAG_ERROR, "evals-invalid-json")->column, 13);
	ex_fini(&x);

	ex_parse_len(&x, not_utf8, sizeof(not_utf8) - 1);
	ck_assert_int_eq(x.rc, 0);
	ck_assert_int_eq(x.sum.count, 1);
	ex_fini(&x);

	/* Every prefix of a valid file: no crash, a consistent result. */
	{
		static const char full[] = "{\"skill_name\":\"s\",\"evals\":[{\"id\":1,\"prompt\":\"a\\nb\","
					   "\"assertions\":[{\"text\":\"t\"}],\"files\":[\"f\"]}]}";
		for (size_t i = 0; i < sizeof(full) - 1; i++) {
			ex_parse_len(&x, full, i);
			ck_assert_int_eq(x.rc, -1);
			ck_assert_uint_eq(diag_count(&x.diags, DIAG_ERROR), 1);
			ex_fini(&x);
		}
		ex_parse_len(&x, full, sizeof(full) - 1);
		ck_assert_int_eq(x.rc, 0);
		ck_assert_double_eq(x.sum.prompt_avg_lines, 2.0);
		ex_fini(&x);
	}
}
END_TEST

/* Reads a booklib-head evals file when SKILLD_CORPORA is set; NULL if not. */
static char *corpus_evals(const char *skill, size_t *len)
{
	const char *root = getenv("SKILLD_CORPORA");
	char *path, *data = NULL;

	if (!root || !*root)
		return NULL;
	path = xasprintf("%s/booklib-head/%s/evals/evals.json", root, skill);
	ck_assert_msg(read_file_all(path, 16 << 20, &data, len) == 0, "cannot read %s", path);
	free(path);
	return data;
}

START_TEST(test_corpus_files)
{
	static const char *const skills[] = {
		"animation-at-work", "clean-code-reviewer", "data-intensive-patterns",
		"data-pipelines", "design-patterns", "domain-driven-design", "effective-java",
		"effective-kotlin", "effective-python", "kotlin-in-action", "lean-startup",
		"microservices-patterns", "refactoring-ui", "skill-router",
		"storytelling-with-data", "system-design-interview", "using-asyncio-python",
		"web-scraping-python",
	};
	struct ex x;
	size_t len;
	char *data = corpus_evals("clean-code-reviewer", &len);
	const cJSON *first;

	if (!data) {
		fputs("evals: SKILLD_CORPORA not set, corpus checks skipped\n", stderr);
		return;
	}
	ex_parse_len(&x, data, len);
	ck_assert_int_eq(x.rc, 0);
	ck_assert_uint_eq(x.diags.len, 0);
	ck_assert_int_eq(x.sum.count, 15);
	ck_assert_double_eq_tol(x.sum.expectations_avg, 92.0 / 15.0, 1e-9);
	ck_assert_double_eq_tol(x.sum.prompt_avg_lines, 476.0 / 15.0, 1e-9);
	first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(x.out, "evals"), 0);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(first, "id")->valuestring,
			 "eval-01-naming-and-functions");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(first, "expectations")), 9);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(x.out, "shape")->valuestring, "expectations");
	ex_fini(&x);
	free(data);

	for (size_t i = 0; i < sizeof(skills) / sizeof(skills[0]); i++) {
		data = corpus_evals(skills[i], &len);
		ex_parse_len(&x, data, len);
		ck_assert_msg(x.rc == 0 && x.diags.len == 0, "%s does not parse cleanly", skills[i]);
		ck_assert_int_ge(x.sum.count, 3);
		ex_fini(&x);
		free(data);
	}
}
END_TEST

Suite *evals_suite(void)
{
	Suite *s = suite_create("evals");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_expectations_shape);
	tcase_add_test(tc, test_assertions_shape);
	tcase_add_test(tc, test_shape_from_first_eval);
	tcase_add_test(tc, test_bare_array);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_bad_evals_skipped);
	tcase_add_test(tc, test_invalid_json_position);
	tcase_add_test(tc, test_bad_shape);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_corpus_files);
	suite_add_tcase(s, tc);
	return s;
}
