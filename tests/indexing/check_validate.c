/* SPDX-License-Identifier: MIT */
/*
 * Tests for validate: every specification rule at its boundary (exact
 * diagnostic codes and messages), hostile values, and every quality-tier
 * check at its boundary, including the rule that a tier needs all lower
 * tiers. Facts are built by hand; nothing touches the file system.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "skilld/indexing/validate.h"
#include "testutil.h"

Suite *validate_suite(void);

/* 96 characters, says "Use when". */
#define DESC "Reviews pull requests for naming, structure and tests. Use when the user asks for a code review."
#define NAME_RE "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

/* Parses a JSON object literal; the caller frees it with cJSON_Delete. */
static cJSON *parse(const char *json)
{
	cJSON *o = cJSON_Parse(json);

	ck_assert_ptr_nonnull(o);
	return o;
}

/* {"name": name, "description": desc} with NULL meaning "leave out". */
static cJSON *fm(const char *name, const char *desc)
{
	cJSON *o = cJSON_CreateObject();

	if (name)
		cJSON_AddStringToObject(o, "name", name);
	if (desc)
		cJSON_AddStringToObject(o, "description", desc);
	return o;
}

/* Facts of a skill in folder "my-skill" that earns Platinum once given a
 * good frontmatter; each test breaks one thing. */
static struct skill_facts platinum_facts(const cJSON *fields)
{
	struct skill_facts f = {
		.folder = "my-skill",
		.skill_md_path = "my-skill/SKILL.md",
		.fields = fields,
		.frontmatter_present = true,
		.frontmatter_ok = true,
		.skill_md_lines = 120,
		.body_lines = 100,
		.before_lines = 12,
		.after_lines = 12,
		.evals_present = true,
		.evals_valid = true,
		.evals_count = 3,
		.prompt_avg_lines = 8.0,
		.expectations_avg = 5.0,
		.reference_md_count = 1,
		.script_count = 1,
	};
	return f;
}

/* n copies of the UTF-8 character ch; free() the result. */
static char *repeat(const char *ch, size_t n)
{
	size_t len = strlen(ch);
	char *s = xmalloc(len * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * len, ch, len);
	s[len * n] = '\0';
	return s;
}

/* The integer member key of o; fails the test when absent. */
static int jint(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(cJSON_IsNumber(v), "no number %s", key);
	return v->valueint;
}

/* The boolean member key of o; fails the test when absent. */
static bool jbool(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(cJSON_IsBool(v), "no boolean %s", key);
	return cJSON_IsTrue(v);
}

/* The tier string, or NULL when the result says null. */
static const char *jtier(const cJSON *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(out, "tier");

	if (cJSON_IsNull(v))
		return NULL;
	ck_assert_msg(cJSON_IsString(v), "tier is neither a string nor null");
	return v->valuestring;
}

/* The tier check with this id in a validate_skill result. */
static const cJSON *find_check(const cJSON *out, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(out, "checks")) {
		const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");
		if (cJSON_IsString(cid) && !strcmp(cid->valuestring, id))
			return c;
	}
	ck_abort_msg("no check %s", id);
	return NULL;
}

/* Whether the check id passed. */
static bool check_ok(const cJSON *out, const char *id)
{
	return jbool(find_check(out, id), "ok");
}

/* The message of the check id. */
static const char *check_msg(const cJSON *out, const char *id)
{
	return cJSON_GetObjectItemCaseSensitive(find_check(out, id), "message")->valuestring;
}

/* The severity each code must carry. */
static enum diag_severity code_severity(const char *code)
{
	if (!strcmp(code, "unknown-key") || !strcmp(code, "allowed-tools-commas"))
		return DIAG_WARNING;
	return DIAG_ERROR;
}

/*
 * Runs validate_skill on f and checks that it adds exactly the diagnostics
 * given as (code, message) pairs ending with NULL, in order, each naming
 * f->skill_md_path with the right severity, and that the result's counts
 * and "valid" agree with them. Returns the result (cJSON_Delete).
 */
static cJSON *expect_diags(const struct skill_facts *f, ...)
{
	struct diag_list d;
	cJSON *out;
	va_list ap;
	size_t n = 0;
	const char *code;

	diag_list_init(&d);
	out = validate_skill(f, &d);
	ck_assert_ptr_nonnull(out);
	va_start(ap, f);
	while ((code = va_arg(ap, const char *)) != NULL) {
		const char *msg = va_arg(ap, const char *);

		ck_assert_msg(n < d.len, "missing diagnostic %s: %s", code, msg);
		ck_assert_str_eq(d.items[n].code, code);
		ck_assert_str_eq(d.items[n].message, msg);
		ck_assert_int_eq(d.items[n].severity, code_severity(code));
		ck_assert_pstr_eq(d.items[n].path, f->skill_md_path);
		ck_assert(utf8_valid(d.items[n].message, strlen(d.items[n].message)));
		n++;
	}
	va_end(ap);
	ck_assert_msg(n == d.len, "unexpected diagnostic %s: %s",
		      d.items[n < d.len ? n : 0].code, d.items[n < d.len ? n : 0].message);
	ck_assert_int_eq(jint(out, "errors"), (int)diag_count(&d, DIAG_ERROR));
	ck_assert_int_eq(jint(out, "warnings"), (int)diag_count(&d, DIAG_WARNING));
	if (f->frontmatter_present && f->frontmatter_ok)
		ck_assert(jbool(out, "valid") == (diag_count(&d, DIAG_ERROR) == 0));
	diag_list_fini(&d);
	return out;
}

/* Runs validate_skill and returns the result, ignoring diagnostics. */
static cJSON *grade_only(const struct skill_facts *f)
{
	struct diag_list d;
	cJSON *out;

	diag_list_init(&d);
	out = validate_skill(f, &d);
	diag_list_fini(&d);
	return out;
}

START_TEST(test_complete_skill_is_platinum)
{
	static const char *const ids[] = {
		"name-matches-folder", "name-format", "description-length",
		"description-trigger", "skill-md-lines", "body-lines",
		"example-before", "example-after", "evals-valid", "evals-count",
		"eval-prompt-lines", "eval-expectations", "references-md", "scripts",
	};
	static const char *const tiers[] = {
		"bronze", "bronze", "bronze", "bronze", "bronze", "bronze",
		"silver", "silver", "gold", "gold", "gold", "gold", "gold", "platinum",
	};
	cJSON *fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\","
			      "\"license\":\"MIT\",\"compatibility\":\"Needs git 2.40 or later\","
			      "\"metadata\":{\"author\":\"Ada\",\"version\":\"1.0\"},"
			      "\"allowed-tools\":\"Bash(git status:*) Read Grep\"}");
	struct skill_facts f = platinum_facts(fields);
	cJSON *out = expect_diags(&f, NULL);
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(out, "checks"), *c;
	size_t i = 0;

	ck_assert(jbool(out, "valid"));
	ck_assert_str_eq(jtier(out), "platinum");
	ck_assert_int_eq(cJSON_GetArraySize(checks), 14);
	cJSON_ArrayForEach(c, checks) {
		ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring, ids[i]);
		ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "tier")->valuestring, tiers[i]);
		ck_assert(jbool(c, "ok"));
		i++;
	}
	ck_assert_str_eq(check_msg(out, "name-matches-folder"), "name 'my-skill' equals the folder name");
	ck_assert_str_eq(check_msg(out, "name-format"), "name 'my-skill' matches " NAME_RE);
	ck_assert_str_eq(check_msg(out, "description-length"), "description is 96 characters; needs 50–1024");
	ck_assert_str_eq(check_msg(out, "description-trigger"),
			 "description says when to use the skill (it contains 'use when')");
	ck_assert_str_eq(check_msg(out, "skill-md-lines"), "SKILL.md is 120 lines; needs at most 500");
	ck_assert_str_eq(check_msg(out, "body-lines"), "body is 100 lines after the frontmatter; needs more than 30");
	ck_assert_str_eq(check_msg(out, "example-before"), "examples/before.md is 12 lines; needs at least 10");
	ck_assert_str_eq(check_msg(out, "example-after"), "examples/after.md is 12 lines; needs at least 10");
	ck_assert_str_eq(check_msg(out, "evals-valid"), "evals/evals.json is present and valid");
	ck_assert_str_eq(check_msg(out, "evals-count"), "evals/evals.json holds 3 evals; needs at least 3");
	ck_assert_str_eq(check_msg(out, "eval-prompt-lines"), "prompts average 8 lines; needs at least 8");
	ck_assert_str_eq(check_msg(out, "eval-expectations"), "evals average 5 expectations; needs at least 5");
	ck_assert_str_eq(check_msg(out, "references-md"), "references/ holds 1 .md file; needs at least 1");
	ck_assert_str_eq(check_msg(out, "scripts"), "scripts/ holds 1 file not starting with a dot; needs at least 1");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_name_length_64_vs_65)
{
	char *n64 = repeat("a", 64), *n65 = repeat("a", 65);
	char *q60 = repeat("a", 60);
	char *msg = xasprintf("name '%s…' is 65 characters long; the limit is 64", q60);
	cJSON *fields = fm(n64, DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.folder = n64;
	out = expect_diags(&f, NULL);
	ck_assert(jbool(out, "valid"));
	cJSON_Delete(out);
	cJSON_Delete(fields);

	fields = fm(n65, DESC);
	f = platinum_facts(fields);
	f.folder = n65;
	out = expect_diags(&f, "name-invalid", msg, NULL);
	ck_assert(!jbool(out, "valid"));
	/* The tier's name checks do not measure length: it stays Platinum. */
	ck_assert_str_eq(jtier(out), "platinum");
	cJSON_Delete(out);
	cJSON_Delete(fields);
	free(n64);
	free(n65);
	free(q60);
	free(msg);
}
END_TEST

struct name_case {
	const char *name;
	const char *message;
};

START_TEST(test_name_character_rules)
{
	static const struct name_case cases[] = {
		{ "-lead", "name '-lead' must not start or end with a hyphen" },
		{ "trail-", "name 'trail-' must not start or end with a hyphen" },
		{ "a--b", "name 'a--b' must not contain two hyphens in a row" },
		{ "My-Skill", "name 'My-Skill' may only contain lowercase letters, digits and hyphens, but it contains 'M'" },
		{ "my_skill", "name 'my_skill' may only contain lowercase letters, digits and hyphens, but it contains '_'" },
		{ "my skill", "name 'my skill' may only contain lowercase letters, digits and hyphens, but it contains a space" },
		{ "caf\xC3\xA9", "name 'caf\xC3\xA9' may only contain lowercase letters, digits and hyphens, but it contains '\xC3\xA9'" },
		{ "\xE6\x97\xA5\xE6\x9C\xAC", "name '\xE6\x97\xA5\xE6\x9C\xAC' may only contain lowercase letters, digits and hyphens, but it contains '\xE6\x97\xA5'" },
		{ "line\nbreak", "name 'line\\nbreak' may only contain lowercase letters, digits and hyphens, but it contains the control character U+000A" },
		{ "bell\x07", "name 'bell\\u0007' may only contain lowercase letters, digits and hyphens, but it contains the control character U+0007" },
		{ "x\xFFy", "name 'x\xEF\xBF\xBDy' may only contain lowercase letters, digits and hyphens, but it contains an invalid UTF-8 byte" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *fields = fm(cases[i].name, DESC), *out;
		struct skill_facts f = platinum_facts(fields);

		f.folder = cases[i].name;  /* isolate the rule from name-mismatch */
		out = expect_diags(&f, "name-invalid", cases[i].message, NULL);
		ck_assert(!jbool(out, "valid"));
		ck_assert(!check_ok(out, "name-format"));
		ck_assert_ptr_null(jtier(out));
		cJSON_Delete(out);
		cJSON_Delete(fields);
	}
}
END_TEST

START_TEST(test_name_breaking_three_rules_gets_three_errors)
{
	cJSON *fields = fm("-My--Skill-", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	out = expect_diags(&f,
		"name-invalid", "name '-My--Skill-' may only contain lowercase letters, digits and hyphens, but it contains 'M'",
		"name-invalid", "name '-My--Skill-' must not start or end with a hyphen",
		"name-invalid", "name '-My--Skill-' must not contain two hyphens in a row",
		"name-mismatch", "name '-My--Skill-' differs from the folder name 'my-skill'; they must be equal",
		NULL);
	ck_assert_int_eq(jint(out, "errors"), 4);
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_name_with_leading_digit_is_valid_but_not_bronze)
{
	cJSON *fields = fm("1password", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.folder = "1password";
	out = expect_diags(&f, NULL);
	ck_assert(jbool(out, "valid"));
	ck_assert(!check_ok(out, "name-format"));
	ck_assert_str_eq(check_msg(out, "name-format"), "name '1password' does not match " NAME_RE);
	ck_assert_ptr_null(jtier(out));
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_long_multibyte_name_is_cut_on_a_character)
{
	/* 65 four-byte emoji: too long, wrong characters; quoted as 60 + "…". */
	char *name = repeat("\xF0\x9F\x98\x80", 65), *q60 = repeat("\xF0\x9F\x98\x80", 60);
	char *m1 = xasprintf("name '%s…' is 65 characters long; the limit is 64", q60);
	char *m2 = xasprintf("name '%s…' may only contain lowercase letters, digits and hyphens, but it contains '\xF0\x9F\x98\x80'", q60);
	cJSON *fields = fm(name, DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.folder = name;
	out = expect_diags(&f, "name-invalid", m1, "name-invalid", m2, NULL);
	cJSON_Delete(out);
	cJSON_Delete(fields);
	free(name);
	free(q60);
	free(m1);
	free(m2);
}
END_TEST

START_TEST(test_name_differs_from_folder)
{
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.folder = "other-folder";
	out = expect_diags(&f, "name-mismatch",
			   "name 'my-skill' differs from the folder name 'other-folder'; they must be equal", NULL);
	ck_assert(!jbool(out, "valid"));
	ck_assert(!check_ok(out, "name-matches-folder"));
	ck_assert_str_eq(check_msg(out, "name-matches-folder"),
			 "name 'my-skill' differs from the folder name 'other-folder'");
	ck_assert_ptr_null(jtier(out));
	cJSON_Delete(out);

	/* An unknown folder cannot mismatch, but cannot earn the check either. */
	f.folder = NULL;
	out = expect_diags(&f, NULL);
	ck_assert(!check_ok(out, "name-matches-folder"));
	ck_assert_str_eq(check_msg(out, "name-matches-folder"),
			 "name 'my-skill' cannot be compared: the folder name is unknown");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_required_fields_missing_null_or_empty)
{
	cJSON *fields = parse("{}"), *out;
	struct skill_facts f = platinum_facts(fields);

	out = expect_diags(&f,
		"name-missing", "name is required, but the frontmatter has no 'name' key",
		"description-missing", "description is required, but the frontmatter has no 'description' key",
		NULL);
	ck_assert_ptr_null(jtier(out));
	ck_assert_str_eq(check_msg(out, "name-matches-folder"),
			 "the frontmatter gives no name to compare with the folder name");
	ck_assert_str_eq(check_msg(out, "description-length"),
			 "the frontmatter gives no description; needs 50–1024 characters");
	cJSON_Delete(out);
	cJSON_Delete(fields);

	fields = parse("{\"name\":null,\"description\":\"\"}");
	f = platinum_facts(fields);
	out = expect_diags(&f,
		"name-missing", "name is required, but the frontmatter gives it no value",
		"description-missing", "description is empty; it needs 1–1024 characters of text",
		NULL);
	cJSON_Delete(out);
	cJSON_Delete(fields);

	fields = parse("{\"name\":\"\",\"description\":\" \\n\\t \"}");
	f = platinum_facts(fields);
	out = expect_diags(&f,
		"name-missing", "name is empty; it needs 1–64 lowercase letters, digits and hyphens",
		"description-missing", "description holds only white space; it needs 1–1024 characters of text",
		NULL);
	ck_assert(!jbool(out, "valid"));
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_description_1024_vs_1025_code_points)
{
	/* é is two bytes: 1024 of them are 2048 bytes and still within the limit. */
	char *d1024 = repeat("\xC3\xA9", 1024), *d1025 = repeat("\xC3\xA9", 1025);
	char *q60 = repeat("\xC3\xA9", 60);
	char *msg = xasprintf("description '%s…' is 1025 characters long; the limit is 1024", q60);
	cJSON *fields = fm("my-skill", d1024), *out;
	struct skill_facts f = platinum_facts(fields);

	out = expect_diags(&f, NULL);
	ck_assert(jbool(out, "valid"));
	ck_assert(check_ok(out, "description-length"));
	ck_assert_str_eq(check_msg(out, "description-length"), "description is 1024 characters; needs 50–1024");
	cJSON_Delete(out);
	cJSON_Delete(fields);

	fields = fm("my-skill", d1025);
	f = platinum_facts(fields);
	out = expect_diags(&f, "description-too-long", msg, NULL);
	ck_assert(!jbool(out, "valid"));
	ck_assert(!check_ok(out, "description-length"));
	ck_assert_str_eq(check_msg(out, "description-length"), "description is 1025 characters; needs 50–1024");
	cJSON_Delete(out);
	cJSON_Delete(fields);
	free(d1024);
	free(d1025);
	free(q60);
	free(msg);
}
END_TEST

START_TEST(test_string_fields_given_as_lists_or_maps)
{
	cJSON *fields = parse("{\"name\":{\"first\":\"my\"},\"description\":[\"one\",\"two\"],"
			      "\"license\":[\"MIT\"],\"compatibility\":{\"git\":\"2\"},"
			      "\"allowed-tools\":[\"Read\",\"Grep\"]}");
	struct skill_facts f = platinum_facts(fields);
	cJSON *out = expect_diags(&f,
		"field-not-string", "name must be a string, but the frontmatter gives a map",
		"field-not-string", "description must be a string, but the frontmatter gives a list",
		"field-not-string", "license must be a string, but the frontmatter gives a list",
		"field-not-string", "compatibility must be a string, but the frontmatter gives a map",
		"field-not-string", "allowed-tools must be a string, but the frontmatter gives a list",
		NULL);

	ck_assert(!jbool(out, "valid"));
	ck_assert_ptr_null(jtier(out));
	cJSON_Delete(out);
	cJSON_Delete(fields);

	/* Numbers and booleans cannot come from the YAML reader, but are handled. */
	fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\",\"license\":3,\"compatibility\":true}");
	f = platinum_facts(fields);
	out = expect_diags(&f,
		"field-not-string", "license must be a string, but the frontmatter gives a number",
		"field-not-string", "compatibility must be a string, but the frontmatter gives a true/false value",
		NULL);
	/* A bad optional field does not touch the tier. */
	ck_assert_str_eq(jtier(out), "platinum");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_metadata_must_map_strings_to_strings)
{
	cJSON *fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\","
			      "\"metadata\":{\"author\":{\"name\":\"Ada\"},\"version\":\"1.0\","
			      "\"tags\":[\"a\"],\"empty\":null}}");
	struct skill_facts f = platinum_facts(fields);
	cJSON *out = expect_diags(&f,
		"metadata-invalid", "metadata value for 'author' must be a string, but the frontmatter gives a map",
		"metadata-invalid", "metadata value for 'tags' must be a string, but the frontmatter gives a list",
		"metadata-invalid", "metadata value for 'empty' must be a string, but the frontmatter gives no value",
		NULL);

	ck_assert_int_eq(jint(out, "errors"), 3);
	cJSON_Delete(out);
	cJSON_Delete(fields);

	fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\",\"metadata\":[\"a\",\"b\"]}");
	f = platinum_facts(fields);
	out = expect_diags(&f, "metadata-invalid",
			   "metadata must be a map of strings to strings, but the frontmatter gives a list", NULL);
	cJSON_Delete(out);
	cJSON_Delete(fields);

	fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\",\"metadata\":\"author=Ada\"}");
	f = platinum_facts(fields);
	out = expect_diags(&f, "metadata-invalid",
			   "metadata must be a map of strings to strings, but the frontmatter gives a string", NULL);
	cJSON_Delete(out);
	cJSON_Delete(fields);

	/* `metadata:` with no value and an empty map are fine. */
	fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\",\"metadata\":null,\"license\":null}");
	f = platinum_facts(fields);
	cJSON_Delete(expect_diags(&f, NULL));
	cJSON_Delete(fields);
	fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\",\"metadata\":{}}");
	f = platinum_facts(fields);
	cJSON_Delete(expect_diags(&f, NULL));
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_compatibility_500_vs_501)
{
	char *c500 = repeat("x", 500), *c501 = repeat("x", 501), *q60 = repeat("x", 60);
	char *msg = xasprintf("compatibility '%s…' is 501 characters long; the limit is 500", q60);
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	cJSON_AddStringToObject(fields, "compatibility", c500);
	cJSON_Delete(expect_diags(&f, NULL));
	cJSON_ReplaceItemInObject(fields, "compatibility", cJSON_CreateString(c501));
	out = expect_diags(&f, "compatibility-too-long", msg, NULL);
	ck_assert(!jbool(out, "valid"));
	cJSON_Delete(out);
	cJSON_ReplaceItemInObject(fields, "compatibility", cJSON_CreateString(""));
	cJSON_Delete(expect_diags(&f, "compatibility-empty",
				  "compatibility is empty; when given it needs 1–500 characters of text", NULL));
	cJSON_Delete(fields);
	free(c500);
	free(c501);
	free(q60);
	free(msg);
}
END_TEST

START_TEST(test_unknown_keys_warn_once_each)
{
	cJSON *fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\","
			      "\"version\":\"1.0\",\"Allowed_Tools\":\"Read\",\"x-\\nkey\":[1]}");
	struct skill_facts f = platinum_facts(fields);
	cJSON *out = expect_diags(&f,
		"unknown-key", "unknown frontmatter key 'version' (kept; not part of the Agent Skills specification)",
		"unknown-key", "unknown frontmatter key 'Allowed_Tools' (kept; not part of the Agent Skills specification); did you mean 'allowed-tools'?",
		"unknown-key", "unknown frontmatter key 'x-\\nkey' (kept; not part of the Agent Skills specification)",
		NULL);

	/* Warnings leave the skill valid and its tier untouched. */
	ck_assert(jbool(out, "valid"));
	ck_assert_int_eq(jint(out, "warnings"), 3);
	ck_assert_int_eq(jint(out, "errors"), 0);
	ck_assert_str_eq(jtier(out), "platinum");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_allowed_tools_with_commas_warns)
{
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	cJSON_AddStringToObject(fields, "allowed-tools", "Read, Grep");
	out = expect_diags(&f, "allowed-tools-commas",
			   "allowed-tools 'Read, Grep' separates tools with commas; the specification separates them with spaces",
			   NULL);
	ck_assert(jbool(out, "valid"));
	cJSON_Delete(out);
	/* A comma inside a tool's parentheses is part of that tool. */
	cJSON_ReplaceItemInObject(fields, "allowed-tools", cJSON_CreateString("Bash(git add:*,x) Read"));
	cJSON_Delete(expect_diags(&f, NULL));
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_missing_or_broken_frontmatter_adds_nothing)
{
	cJSON *fields = parse("{}"), *out;
	struct skill_facts f = platinum_facts(fields);

	f.frontmatter_present = false;
	f.frontmatter_ok = false;
	out = expect_diags(&f, NULL);
	ck_assert(!jbool(out, "valid"));
	ck_assert_ptr_null(jtier(out));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "checks")), 14);
	cJSON_Delete(out);
	cJSON_Delete(fields);

	/* Invalid YAML: whatever half-parsed mapping there is stays unreported. */
	fields = parse("{\"name\":\"Bad Name\",\"weird\":\"x\"}");
	f = platinum_facts(fields);
	f.frontmatter_ok = false;
	out = expect_diags(&f, NULL);
	ck_assert(!jbool(out, "valid"));
	ck_assert_int_eq(jint(out, "errors"), 0);
	ck_assert_ptr_null(jtier(out));
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_counts_are_this_calls_own)
{
	cJSON *fields = parse("{\"name\":\"my-skill\",\"description\":\"" DESC "\",\"version\":\"2\"}");
	struct skill_facts f = platinum_facts(fields);
	struct diag_list d;
	cJSON *out;

	diag_list_init(&d);
	diag_add(&d, DIAG_ERROR, "yaml-invalid", "other/SKILL.md", 3, 1, "earlier error");
	out = validate_skill(&f, &d);
	ck_assert_uint_eq(d.len, 2);
	ck_assert_str_eq(d.items[1].code, "unknown-key");
	ck_assert_int_eq(jint(out, "errors"), 0);
	ck_assert_int_eq(jint(out, "warnings"), 1);
	ck_assert(jbool(out, "valid"));
	cJSON_Delete(out);
	diag_list_fini(&d);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_hostile_fields_never_crash)
{
	char *junk = repeat("\xFF", 10000);
	cJSON *arr = parse("[\"name\",\"x\"]"), *out, *fields;
	struct skill_facts f = platinum_facts(arr);
	struct diag_list d;

	/* A top level that is not a mapping counts as an empty one. */
	out = expect_diags(&f,
		"name-missing", "name is required, but the frontmatter has no 'name' key",
		"description-missing", "description is required, but the frontmatter has no 'description' key",
		NULL);
	cJSON_Delete(out);
	f.fields = NULL;
	cJSON_Delete(expect_diags(&f,
		"name-missing", "name is required, but the frontmatter has no 'name' key",
		"description-missing", "description is required, but the frontmatter has no 'description' key",
		NULL));
	cJSON_Delete(arr);

	/* 10,000 malformed bytes: messages stay short and valid UTF-8. */
	fields = fm(junk, junk);
	cJSON_AddStringToObject(fields, junk, junk);
	f = platinum_facts(fields);
	f.folder = junk;
	f.skill_md_path = NULL;
	f.prompt_avg_lines = NAN;
	f.expectations_avg = -INFINITY;
	f.skill_md_lines = -5;
	diag_list_init(&d);
	out = validate_skill(&f, &d);
	ck_assert_uint_eq(d.len, 4);  /* too long, bad characters, too long description, unknown key */
	for (size_t i = 0; i < d.len; i++) {
		ck_assert(utf8_valid(d.items[i].message, strlen(d.items[i].message)));
		ck_assert_uint_lt(strlen(d.items[i].message), 400);
		ck_assert_ptr_null(d.items[i].path);
	}
	ck_assert_str_eq(d.items[1].message + strlen(d.items[1].message) - strlen("an invalid UTF-8 byte"),
			 "an invalid UTF-8 byte");
	ck_assert_str_eq(check_msg(out, "eval-prompt-lines"), "prompts average 0 lines; needs at least 8");
	ck_assert_str_eq(check_msg(out, "eval-expectations"), "evals average 0 expectations; needs at least 5");
	ck_assert_str_eq(check_msg(out, "skill-md-lines"), "SKILL.md is 0 lines; needs at most 500");
	ck_assert(!check_ok(out, "eval-prompt-lines"));
	diag_list_fini(&d);
	cJSON_Delete(out);
	cJSON_Delete(fields);
	free(junk);
}
END_TEST

/* A 'use when' description of exactly n ASCII characters; free() it. */
static char *desc_of_len(size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, 'a', n);
	memcpy(s, "Use when asked.", 15);
	s[n] = '\0';
	return s;
}

START_TEST(test_tier_description_49_50_characters)
{
	char *d49 = desc_of_len(49), *d50 = desc_of_len(50);
	cJSON *fields = fm("my-skill", d50), *out;
	struct skill_facts f = platinum_facts(fields);

	out = grade_only(&f);
	ck_assert(check_ok(out, "description-length"));
	ck_assert_str_eq(check_msg(out, "description-length"), "description is 50 characters; needs 50–1024");
	ck_assert_str_eq(jtier(out), "platinum");
	cJSON_Delete(out);
	cJSON_Delete(fields);

	fields = fm("my-skill", d49);
	f = platinum_facts(fields);
	out = grade_only(&f);
	ck_assert(!check_ok(out, "description-length"));
	ck_assert_str_eq(check_msg(out, "description-length"), "description is 49 characters; needs 50–1024");
	ck_assert_ptr_null(jtier(out));
	/* Failing a tier check is not a specification error. */
	ck_assert(jbool(out, "valid"));
	ck_assert_int_eq(jint(out, "errors"), 0);
	cJSON_Delete(out);
	cJSON_Delete(fields);
	free(d49);
	free(d50);
}
END_TEST

START_TEST(test_tier_skill_md_500_vs_501_lines)
{
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.skill_md_lines = 500;
	f.skill_md_path = "deep/my-skill/skill.md";
	out = grade_only(&f);
	ck_assert(check_ok(out, "skill-md-lines"));
	ck_assert_str_eq(check_msg(out, "skill-md-lines"), "skill.md is 500 lines; needs at most 500");
	ck_assert_str_eq(jtier(out), "platinum");
	cJSON_Delete(out);

	f.skill_md_lines = 501;
	f.skill_md_path = NULL;
	out = grade_only(&f);
	ck_assert(!check_ok(out, "skill-md-lines"));
	ck_assert_str_eq(check_msg(out, "skill-md-lines"), "SKILL.md is 501 lines; needs at most 500");
	ck_assert_ptr_null(jtier(out));
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_tier_body_30_vs_31_lines)
{
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.body_lines = 30;
	out = grade_only(&f);
	ck_assert(!check_ok(out, "body-lines"));
	ck_assert_str_eq(check_msg(out, "body-lines"), "body is 30 lines after the frontmatter; needs more than 30");
	ck_assert_ptr_null(jtier(out));
	cJSON_Delete(out);

	f.body_lines = 31;
	out = grade_only(&f);
	ck_assert(check_ok(out, "body-lines"));
	ck_assert_str_eq(jtier(out), "platinum");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_tier_examples_9_vs_10_lines)
{
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.before_lines = 9;
	f.after_lines = 10;
	out = grade_only(&f);
	ck_assert(!check_ok(out, "example-before"));
	ck_assert(check_ok(out, "example-after"));
	ck_assert_str_eq(check_msg(out, "example-before"), "examples/before.md is 9 lines; needs at least 10");
	/* Gold and Platinum pass, but Silver does not: the tier stops at Bronze. */
	ck_assert(check_ok(out, "scripts"));
	ck_assert_str_eq(jtier(out), "bronze");
	cJSON_Delete(out);

	f.before_lines = 10;
	f.after_lines = -1;
	out = grade_only(&f);
	ck_assert(check_ok(out, "example-before"));
	ck_assert(!check_ok(out, "example-after"));
	ck_assert_str_eq(check_msg(out, "example-after"), "examples/after.md is missing; needs at least 10 lines");
	ck_assert_str_eq(jtier(out), "bronze");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_tier_eval_averages_at_the_boundary)
{
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.prompt_avg_lines = 24.0 / 3;  /* exactly 8 */
	f.expectations_avg = 15.0 / 3;  /* exactly 5 */
	out = grade_only(&f);
	ck_assert(check_ok(out, "eval-prompt-lines"));
	ck_assert(check_ok(out, "eval-expectations"));
	ck_assert_str_eq(jtier(out), "platinum");
	cJSON_Delete(out);

	f.prompt_avg_lines = 7.999;
	f.expectations_avg = 4.5;
	out = grade_only(&f);
	ck_assert(!check_ok(out, "eval-prompt-lines"));
	ck_assert(!check_ok(out, "eval-expectations"));
	/* Cut, not rounded: a failing mean never reads as the limit. */
	ck_assert_str_eq(check_msg(out, "eval-prompt-lines"), "prompts average 7.99 lines; needs at least 8");
	ck_assert_str_eq(check_msg(out, "eval-expectations"), "evals average 4.5 expectations; needs at least 5");
	ck_assert_str_eq(jtier(out), "silver");
	cJSON_Delete(out);

	f.prompt_avg_lines = 8.29;
	f.expectations_avg = 23.0 / 3;
	out = grade_only(&f);
	ck_assert_str_eq(check_msg(out, "eval-prompt-lines"), "prompts average 8.29 lines; needs at least 8");
	ck_assert_str_eq(check_msg(out, "eval-expectations"), "evals average 7.66 expectations; needs at least 5");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_tier_evals_count_and_validity)
{
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.evals_count = 2;
	out = grade_only(&f);
	ck_assert(!check_ok(out, "evals-count"));
	ck_assert_str_eq(check_msg(out, "evals-count"), "evals/evals.json holds 2 evals; needs at least 3");
	ck_assert_str_eq(jtier(out), "silver");
	cJSON_Delete(out);

	/* Figures from an invalid file count for nothing. */
	f.evals_count = 5;
	f.evals_valid = false;
	out = grade_only(&f);
	ck_assert(!check_ok(out, "evals-valid"));
	ck_assert(!check_ok(out, "evals-count"));
	ck_assert(!check_ok(out, "eval-prompt-lines"));
	ck_assert(!check_ok(out, "eval-expectations"));
	ck_assert_str_eq(check_msg(out, "evals-valid"), "evals/evals.json is present but not valid");
	ck_assert_str_eq(check_msg(out, "evals-count"),
			 "there is no valid evals/evals.json, so 0 evals; needs at least 3");
	ck_assert_str_eq(check_msg(out, "eval-prompt-lines"),
			 "there are no valid evals to average; prompts need at least 8 lines on average");
	ck_assert_str_eq(jtier(out), "silver");
	cJSON_Delete(out);

	f.evals_present = false;
	out = grade_only(&f);
	ck_assert_str_eq(check_msg(out, "evals-valid"), "evals/evals.json is missing");
	ck_assert_str_eq(jtier(out), "silver");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_tier_references_and_scripts)
{
	cJSON *fields = fm("my-skill", DESC), *out;
	struct skill_facts f = platinum_facts(fields);

	f.script_count = 0;
	out = grade_only(&f);
	ck_assert(!check_ok(out, "scripts"));
	ck_assert_str_eq(check_msg(out, "scripts"), "scripts/ holds 0 files not starting with a dot; needs at least 1");
	ck_assert_str_eq(jtier(out), "gold");
	cJSON_Delete(out);

	f.script_count = 2;
	f.reference_md_count = 0;
	out = grade_only(&f);
	ck_assert(!check_ok(out, "references-md"));
	ck_assert_str_eq(check_msg(out, "references-md"), "references/ holds 0 .md files; needs at least 1");
	ck_assert_str_eq(jtier(out), "silver");
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

START_TEST(test_tier_needs_every_lower_tier)
{
	cJSON *fields = fm("my-skill", "Too short to pass. Use when asked."), *out;
	struct skill_facts f = platinum_facts(fields);

	/* Everything from Silver up passes, yet a Bronze failure means no tier. */
	out = grade_only(&f);
	ck_assert(!check_ok(out, "description-length"));
	ck_assert(check_ok(out, "example-before"));
	ck_assert(check_ok(out, "scripts"));
	ck_assert_ptr_null(jtier(out));
	cJSON_Delete(out);
	cJSON_Delete(fields);
}
END_TEST

struct trigger_case {
	const char *desc;
	const char *message;
};

START_TEST(test_tier_description_trigger_phrases)
{
	static const char no[] = "description does not say when to use the skill: it contains none of "
		"'trigger', 'use when', 'use for', 'when … ask', 'when … mention'";
	static const struct trigger_case cases[] = {
		{ "Reviews code. USE WHEN reviewing.", "description says when to use the skill (it contains 'use when')" },
		{ "TRIGGER on \"review\".", "description says when to use the skill (it contains 'trigger')" },
		{ "Use for audits.", "description says when to use the skill (it contains 'use for')" },
		{ "Use this skill whenever the user asks about data.", "description says when to use the skill (it contains 'when … ask')" },
		{ "When the user MENTIONS Kafka.", "description says when to use the skill (it contains 'when … mention')" },
		{ "whenask", "description says when to use the skill (it contains 'when … ask')" },
		/* "." stops at every JavaScript line terminator. */
		{ "Helps when the user\nasks for help.", no },
		{ "Helps when the user\r asks for help.", no },
		{ "Helps when the user\xE2\x80\xA8" "asks.", no },
		{ "Helps when the user\xE2\x80\xA9mentions it.", no },
		{ "First line when\nsecond line: when asked.", "description says when to use the skill (it contains 'when … ask')" },
		{ "Use\nwhen reviewing.", no },
		{ "It asks when needed.", no },
		/* Only ASCII folds: U+017F (long s) is not 's'. */
		{ "U\xC5\xBF" "e when reviewing.", no },
		{ "Reviews code.", no },
		{ "", no },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *fields = fm("my-skill", cases[i].desc), *out;
		struct skill_facts f = platinum_facts(fields);

		out = grade_only(&f);
		ck_assert_msg(!strcmp(check_msg(out, "description-trigger"), cases[i].message),
			      "case %zu: %s", i, check_msg(out, "description-trigger"));
		ck_assert(check_ok(out, "description-trigger") == (cases[i].message != no));
		cJSON_Delete(out);
		cJSON_Delete(fields);
	}
}
END_TEST

Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *spec = tcase_create("specification");
	TCase *tiers = tcase_create("tiers");

	tcase_add_test(spec, test_complete_skill_is_platinum);
	tcase_add_test(spec, test_name_length_64_vs_65);
	tcase_add_test(spec, test_name_character_rules);
	tcase_add_test(spec, test_name_breaking_three_rules_gets_three_errors);
	tcase_add_test(spec, test_name_with_leading_digit_is_valid_but_not_bronze);
	tcase_add_test(spec, test_long_multibyte_name_is_cut_on_a_character);
	tcase_add_test(spec, test_name_differs_from_folder);
	tcase_add_test(spec, test_required_fields_missing_null_or_empty);
	tcase_add_test(spec, test_description_1024_vs_1025_code_points);
	tcase_add_test(spec, test_string_fields_given_as_lists_or_maps);
	tcase_add_test(spec, test_metadata_must_map_strings_to_strings);
	tcase_add_test(spec, test_compatibility_500_vs_501);
	tcase_add_test(spec, test_unknown_keys_warn_once_each);
	tcase_add_test(spec, test_allowed_tools_with_commas_warns);
	tcase_add_test(spec, test_missing_or_broken_frontmatter_adds_nothing);
	tcase_add_test(spec, test_counts_are_this_calls_own);
	tcase_add_test(spec, test_hostile_fields_never_crash);
	suite_add_tcase(s, spec);

	tcase_add_test(tiers, test_tier_description_49_50_characters);
	tcase_add_test(tiers, test_tier_skill_md_500_vs_501_lines);
	tcase_add_test(tiers, test_tier_body_30_vs_31_lines);
	tcase_add_test(tiers, test_tier_examples_9_vs_10_lines);
	tcase_add_test(tiers, test_tier_eval_averages_at_the_boundary);
	tcase_add_test(tiers, test_tier_evals_count_and_validity);
	tcase_add_test(tiers, test_tier_references_and_scripts);
	tcase_add_test(tiers, test_tier_needs_every_lower_tier);
	tcase_add_test(tiers, test_tier_description_trigger_phrases);
	suite_add_tcase(s, tiers);
	return s;
}
