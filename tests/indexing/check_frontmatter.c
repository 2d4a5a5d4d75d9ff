/* SPDX-License-Identifier: MIT */
/* Tests for frontmatter: delimiters, every YAML scalar style, structure,
 * diagnostics with file positions, and hostile input (alias bombs, deep
 * nesting, NUL and non-UTF-8 bytes, every prefix of a busy file). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skilld/indexing/frontmatter.h"
#include "skilld/base/util.h"

/* The typed form: plain scalars by YAML 1.2's core schema, the rest strings. */
START_TEST(test_typed_core_schema)
{
	static const char text[] =
		"---\n"
		"a: [true, True, TRUE, tRue, false, FALSE]\n"
		"b: [0, +12, -7, 007, 0x1F, 0o17, 0o8, -0x1F, 0xG]\n"
		"c: [1., .5, -1.5, 1e3, .5E-1, 1e, e3, ., 1.2.3]\n"
		"d: [.inf, -.Inf, .NaN, .nan., ~, null, Null]\n"
		"e: ['true', \"12\", !!str 12, yes, no, on, 12:30]\n"
		"g: [9007199254740991, 3.141592653589793238462643383279502884197169399375105820974944592307, 1e400, 0.1]\n"
		"f: >\n  12\n"
		"---\nbody\n";
	struct frontmatter fm;
	struct diag_list d;
	char *json;

	diag_list_init(&d);
	ck_assert_int_eq(frontmatter_parse_typed(text, sizeof(text) - 1, "SKILL.md", &fm, &d), 0);
	ck_assert_uint_eq(d.len, 0);
	json = cJSON_PrintUnformatted(fm.fields);
	ck_assert_str_eq(json,
		"{\"a\":[true,true,true,\"tRue\",false,false],"
		"\"b\":[0,12,-7,7,31,15,\"0o8\",\"-0x1F\",\"0xG\"],"
		"\"c\":[1,0.5,-1.5,1000,0.05,\"1e\",\"e3\",\".\",\"1.2.3\"],"
		"\"d\":[null,null,null,\".nan.\",null,null,null],"
		"\"e\":[\"true\",\"12\",\"12\",\"yes\",\"no\",\"on\",\"12:30\"],"
		"\"g\":[9007199254740991,3.141592653589793,null,0.1],"
		"\"f\":\"12\\n\"}");
	cJSON_free(json);
	frontmatter_fini(&fm);
	/* the untyped form keeps every scalar a string */
	ck_assert_int_eq(frontmatter_parse(text, sizeof(text) - 1, "SKILL.md", &fm, &d), 0);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(fm.fields, "a"), 0)->valuestring,
			 "true");
	frontmatter_fini(&fm);
	diag_list_fini(&d);
}
END_TEST

/* What the typed form cannot give as every YAML library does is warned
 * about (so the MCP Skills extension leaves the skill out): tags with
 * values of their own, keys that are numbers or booleans, integers beyond
 * 2^53, more than 100 aliases; the untyped form says nothing of them. */
START_TEST(test_typed_warnings)
{
	static const struct {
		const char *yaml, *code;
	} cases[] = {
		{ "a: !!int 12\n", "frontmatter-tag" },
		{ "a: !!float 12\n", "frontmatter-tag" },
		{ "a: !!null x\n", "frontmatter-tag" },
		{ "a: !!timestamp 2001-12-14\n", "frontmatter-tag" },
		{ "a: !!set {x, y}\n", "frontmatter-tag" },
		{ "a: !local x\n", "frontmatter-tag" },
		{ "0x10: a\n", "frontmatter-typed-key" },
		{ "True: b\n", "frontmatter-typed-key" },
		{ "1.0: c\n", "frontmatter-typed-key" },
		{ "~: d\n", "frontmatter-typed-key" },
		{ "id: 1234567890123456789\n", "frontmatter-big-number" },
		{ "id: 0x200000000000011\n", "frontmatter-big-number" },
	};
	struct frontmatter fm;
	struct diag_list d;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = xasprintf("---\n%s---\n", cases[i].yaml);

		diag_list_init(&d);
		frontmatter_parse_typed(text, strlen(text), "SKILL.md", &fm, &d);
		ck_assert_msg(d.len == 1 && strcmp(d.items[0].code, cases[i].code) == 0,
			      "%s: %zu diagnostics, %s", cases[i].yaml, d.len,
			      d.len ? d.items[0].code : "-");
		ck_assert_int_eq(d.items[0].severity, DIAG_WARNING);
		frontmatter_fini(&fm);
		diag_list_fini(&d);
		diag_list_init(&d);
		frontmatter_parse(text, strlen(text), "SKILL.md", &fm, &d);
		ck_assert_msg(d.len == 0, "%s untyped", cases[i].yaml);
		frontmatter_fini(&fm);
		diag_list_fini(&d);
		free(text);
	}
	/* 101 aliases */
	{
		struct buf b;

		buf_init(&b);
		buf_puts(&b, "---\nx: &a 1\nl: [");
		for (int i = 0; i < 101; i++)
			buf_puts(&b, i ? ", *a" : "*a");
		buf_puts(&b, "]\n---\n");
		diag_list_init(&d);
		frontmatter_parse_typed(b.data, b.len, "SKILL.md", &fm, &d);
		ck_assert_uint_eq(d.len, 1);
		ck_assert_str_eq(d.items[0].code, "frontmatter-many-aliases");
		frontmatter_fini(&fm);
		diag_list_fini(&d);
		buf_fini(&b);
	}
	/* quoted keys and !!str are fine */
	diag_list_init(&d);
	{
		static const char ok[] = "---\n'1': a\nb: !!str 2\n---\n";

		ck_assert_int_eq(frontmatter_parse_typed(ok, sizeof(ok) - 1, "SKILL.md", &fm, &d), 0);
	}
	ck_assert_uint_eq(d.len, 0);
	frontmatter_fini(&fm);
	diag_list_fini(&d);
}
END_TEST

Suite *frontmatter_suite(void);

/* One parse and what it reported. */
struct fx {
	struct frontmatter fm;
	struct diag_list diags;
	int rc;
};

static void fx_parse_len(struct fx *x, const char *text, size_t len)
{
	diag_list_init(&x->diags);
	x->rc = frontmatter_parse(text, len, "s/SKILL.md", &x->fm, &x->diags);
	ck_assert_ptr_nonnull(x->fm.fields);
	ck_assert(cJSON_IsObject(x->fm.fields));
	ck_assert_int_eq(x->rc, x->fm.present && x->fm.ok ? 0 : -1);
}

static void fx_parse(struct fx *x, const char *text)
{
	fx_parse_len(x, text, strlen(text));
}

static void fx_fini(struct fx *x)
{
	frontmatter_fini(&x->fm);
	diag_list_fini(&x->diags);
}

/* The only diagnostic of the list must have this severity and code. */
static const struct diag *only_diag(const struct fx *x, enum diag_severity sev, const char *code)
{
	ck_assert_uint_eq(x->diags.len, 1);
	ck_assert_int_eq(x->diags.items[0].severity, sev);
	ck_assert_str_eq(x->diags.items[0].code, code);
	ck_assert_str_eq(x->diags.items[0].path, "s/SKILL.md");
	return &x->diags.items[0];
}

/* Compares the fields with the expected compact JSON. */
static void assert_fields(const struct fx *x, const char *json)
{
	char *got = cJSON_PrintUnformatted(x->fm.fields);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, json);
	cJSON_free(got);
}

/* Compares the body with the expected text. */
static void assert_body(const struct fx *x, const char *body, int line)
{
	ck_assert_uint_eq(x->fm.body_len, strlen(body));
	ck_assert_int_eq(memcmp(x->fm.body, body, x->fm.body_len), 0);
	ck_assert_int_eq(x->fm.body_line, line);
}

START_TEST(test_basic)
{
	struct fx x;

	fx_parse(&x, "---\nname: pdf-tools\ndescription: Use when a PDF is involved.\n---\n# PDF\n\nText.\n");
	ck_assert_int_eq(x.rc, 0);
	ck_assert(x.fm.present);
	ck_assert(x.fm.ok);
	ck_assert_uint_eq(x.diags.len, 0);
	assert_fields(&x, "{\"name\":\"pdf-tools\",\"description\":\"Use when a PDF is involved.\"}");
	ck_assert_str_eq(frontmatter_string(&x.fm, "name"), "pdf-tools");
	assert_body(&x, "# PDF\n\nText.\n", 5);
	fx_fini(&x);
}
END_TEST

START_TEST(test_bom_crlf)
{
	struct fx x;

	fx_parse(&x, "\xEF\xBB\xBF---\r\nname: x\r\ndescription: |\r\n  a\r\n  b\r\n---\r\nbody\r\n");
	ck_assert_int_eq(x.rc, 0);
	assert_fields(&x, "{\"name\":\"x\",\"description\":\"a\\nb\\n\"}");
	assert_body(&x, "body\r\n", 7);
	fx_fini(&x);
}
END_TEST

START_TEST(test_no_final_newline)
{
	static const char text[] = "---\nname: x\n---";
	struct fx x;

	fx_parse(&x, text);
	ck_assert_int_eq(x.rc, 0);
	assert_fields(&x, "{\"name\":\"x\"}");
	assert_body(&x, "", 4);
	ck_assert_ptr_eq(x.fm.body, text + 15);
	fx_fini(&x);

	fx_parse(&x, "---\nname: x\n---\nlast line");
	assert_body(&x, "last line", 4);
	fx_fini(&x);
}
END_TEST

START_TEST(test_delimiter_lines)
{
	struct fx x;

	/* Trailing blanks are tolerated on both delimiters. */
	fx_parse(&x, "--- \t\nname: x\n---  \r\nbody");
	ck_assert_int_eq(x.rc, 0);
	assert_fields(&x, "{\"name\":\"x\"}");
	assert_body(&x, "body", 4);
	fx_fini(&x);

	/* Four dashes do not open a block. */
	fx_parse(&x, "----\nname: x\n---\n");
	ck_assert(!x.fm.present);
	only_diag(&x, DIAG_ERROR, "frontmatter-missing");
	assert_body(&x, "----\nname: x\n---\n", 1);
	fx_fini(&x);

	/* `--- x` is not a delimiter either. */
	fx_parse(&x, "--- x\nname: y\n---\n");
	ck_assert(!x.fm.present);
	only_diag(&x, DIAG_ERROR, "frontmatter-missing");
	fx_fini(&x);

	/* `----` and ` ---` do not close it: the block closes later. */
	fx_parse(&x, "---\na: |\n  ----\n   ---\nb: 1\n---\nbody\n");
	ck_assert_int_eq(x.rc, 0);
	assert_fields(&x, "{\"a\":\"----\\n ---\\n\",\"b\":\"1\"}");
	assert_body(&x, "body\n", 7);
	fx_fini(&x);
}
END_TEST

START_TEST(test_only_first_block)
{
	struct fx x;
	const char *text = "---\nname: x\n---\n# T\n\n```yaml\n---\nname: other\n---\n```\n";

	fx_parse(&x, text);
	ck_assert_int_eq(x.rc, 0);
	assert_fields(&x, "{\"name\":\"x\"}");
	assert_body(&x, "# T\n\n```yaml\n---\nname: other\n---\n```\n", 4);
	fx_fini(&x);
}
END_TEST

START_TEST(test_missing)
{
	struct fx x;
	const struct diag *d;

	fx_parse(&x, "\xEF\xBB\xBF# Title\n\nname: x\n");
	ck_assert_int_eq(x.rc, -1);
	ck_assert(!x.fm.present);
	ck_assert(!x.fm.ok);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-missing");
	ck_assert_int_eq(d->line, 1);
	assert_fields(&x, "{}");
	assert_body(&x, "# Title\n\nname: x\n", 1);
	fx_fini(&x);

	fx_parse_len(&x, NULL, 0);
	only_diag(&x, DIAG_ERROR, "frontmatter-missing");
	ck_assert_uint_eq(x.fm.body_len, 0);
	fx_fini(&x);
}
END_TEST

START_TEST(test_unterminated)
{
	struct fx x;

	fx_parse(&x, "---\nname: x\ndescription: y\n# Body\n");
	ck_assert_int_eq(x.rc, -1);
	ck_assert(!x.fm.present);
	only_diag(&x, DIAG_ERROR, "frontmatter-unterminated");
	assert_fields(&x, "{}");
	assert_body(&x, "---\nname: x\ndescription: y\n# Body\n", 1);
	fx_fini(&x);

	fx_parse(&x, "---");
	only_diag(&x, DIAG_ERROR, "frontmatter-unterminated");
	fx_fini(&x);

	fx_parse(&x, "---\n");
	only_diag(&x, DIAG_ERROR, "frontmatter-unterminated");
	fx_fini(&x);
}
END_TEST

START_TEST(test_scalar_styles)
{
	struct fx x;

	fx_parse(&x,
		 "---\n"
		 "folded: >\n  Line one\n  line two.\n"
		 "folded_strip: >-\n  Line one\n  line two.\n\n"
		 "literal: |\n  a\n   b\n"
		 "literal_strip: |-\n  a\n  b\n"
		 "literal_keep: |+\n  a\n\n"
		 "plain_multi: This is\n  a long\n\n  description\n"
		 "single: 'it''s # not a comment'\n"
		 "double: \"tab\\there\\nnew \\u00e9 \\\"q\\\"\"\n"
		 "comment: value # trailing comment\n"
		 "---\n");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_uint_eq(x.diags.len, 0);
	ck_assert_str_eq(frontmatter_string(&x.fm, "folded"), "Line one line two.\n");
	ck_assert_str_eq(frontmatter_string(&x.fm, "folded_strip"), "Line one line two.");
	ck_assert_str_eq(frontmatter_string(&x.fm, "literal"), "a\n b\n");
	ck_assert_str_eq(frontmatter_string(&x.fm, "literal_strip"), "a\nb");
	ck_assert_str_eq(frontmatter_string(&x.fm, "literal_keep"), "a\n\n");
	ck_assert_str_eq(frontmatter_string(&x.fm, "plain_multi"), "This is a long\ndescription");
	ck_assert_str_eq(frontmatter_string(&x.fm, "single"), "it's # not a comment");
	ck_assert_str_eq(frontmatter_string(&x.fm, "double"), "tab\there\nnew \xC3\xA9 \"q\"");
	ck_assert_str_eq(frontmatter_string(&x.fm, "comment"), "value");
	fx_fini(&x);
}
END_TEST

START_TEST(test_nulls_and_non_strings)
{
	struct fx x;

	fx_parse(&x, "---\na: ~\nb: null\nc:\nd: ''\ne: \"null\"\nf: true\ng: 42\nh: 1.50\ni: !!null x\nj: NULL\n---\n");
	ck_assert_int_eq(x.rc, 0);
	assert_fields(&x, "{\"a\":null,\"b\":null,\"c\":null,\"d\":\"\",\"e\":\"null\","
			  "\"f\":\"true\",\"g\":\"42\",\"h\":\"1.50\",\"i\":null,\"j\":null}");
	ck_assert_ptr_null(frontmatter_string(&x.fm, "a"));
	ck_assert_str_eq(frontmatter_string(&x.fm, "d"), "");
	ck_assert_str_eq(frontmatter_string(&x.fm, "g"), "42");
	ck_assert_ptr_null(frontmatter_string(&x.fm, "missing"));
	fx_fini(&x);
}
END_TEST

START_TEST(test_structures)
{
	struct fx x;

	fx_parse(&x,
		 "---\n"
		 "name: x\n"
		 "allowed-tools:\n  - Read\n  - Bash(git:*)\n"
		 "metadata:\n  author: me\n  tags: [a, 'b c']\n  nested: {k: {deep: v}}\n"
		 "empty_list: []\n"
		 "empty_map: {}\n"
		 "---\n");
	ck_assert_int_eq(x.rc, 0);
	assert_fields(&x, "{\"name\":\"x\",\"allowed-tools\":[\"Read\",\"Bash(git:*)\"],"
			  "\"metadata\":{\"author\":\"me\",\"tags\":[\"a\",\"b c\"],"
			  "\"nested\":{\"k\":{\"deep\":\"v\"}}},\"empty_list\":[],\"empty_map\":{}}");
	ck_assert_ptr_null(frontmatter_string(&x.fm, "allowed-tools"));
	ck_assert_ptr_null(frontmatter_string(&x.fm, "metadata"));
	fx_fini(&x);
}
END_TEST

START_TEST(test_non_scalar_key)
{
	struct fx x;
	const struct diag *d;

	fx_parse(&x, "---\nname: x\n? [a, b]\n: skipped\n{k: v}: also\nlast: y\n---\n");
	ck_assert_int_eq(x.rc, 0);
	ck_assert(x.fm.ok);
	ck_assert_uint_eq(x.diags.len, 2);
	d = &x.diags.items[0];
	ck_assert_str_eq(d->code, "frontmatter-non-scalar-key");
	ck_assert_int_eq(d->severity, DIAG_WARNING);
	ck_assert_int_eq(d->line, 3);
	ck_assert_int_eq(d->column, 3);
	ck_assert_str_eq(x.diags.items[1].code, "frontmatter-non-scalar-key");
	ck_assert_int_eq(x.diags.items[1].line, 5);
	assert_fields(&x, "{\"name\":\"x\",\"last\":\"y\"}");
	fx_fini(&x);
}
END_TEST

START_TEST(test_duplicate_key)
{
	struct fx x;
	const struct diag *d;

	fx_parse(&x, "---\nname: first\ndescription: d\nname: second\n---\n");
	ck_assert_int_eq(x.rc, 0);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-duplicate-key");
	ck_assert_int_eq(d->line, 4);
	ck_assert_int_eq(d->column, 1);
	ck_assert_ptr_nonnull(strstr(d->message, "'name'"));
	assert_fields(&x, "{\"description\":\"d\",\"name\":\"second\"}");
	fx_fini(&x);

	/* Three times the same key between others: one value, three errors. */
	fx_parse(&x, "---\nn: 1\nd: 2\nd: 3\no: 4\nd: 5\nd: 6\n---\n");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_uint_eq(diag_count(&x.diags, DIAG_ERROR), 3);
	assert_fields(&x, "{\"n\":\"1\",\"o\":\"4\",\"d\":\"6\"}");
	fx_fini(&x);

	/* An anchor inside the replaced value still works. */
	fx_parse(&x, "---\na: &x [1, 2]\na: 3\nb: *x\n---\n");
	ck_assert_int_eq(x.rc, 0);
	assert_fields(&x, "{\"a\":\"3\",\"b\":[\"1\",\"2\"]}");
	ck_assert_uint_eq(x.diags.len, 1);
	fx_fini(&x);
}
END_TEST

START_TEST(test_invalid_yaml_position)
{
	struct fx x;
	const struct diag *d;
	const char *text = "\xEF\xBB\xBF---\nname: ok\ndescription: a: b\nlater: z\n---\n# Body\n";

	fx_parse(&x, text);
	ck_assert_int_eq(x.rc, -1);
	ck_assert(x.fm.present);
	ck_assert(!x.fm.ok);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-invalid-yaml");
	ck_assert_int_eq(d->line, 3);
	ck_assert_int_eq(d->column, 15);
	ck_assert_ptr_nonnull(strstr(d->message, "mapping values are not allowed in this context"));
	/* The value before the bad colon was read; the error stops the rest. */
	assert_fields(&x, "{\"name\":\"ok\",\"description\":\"a\"}");
	assert_body(&x, "# Body\n", 6);
	fx_fini(&x);

	/* A tab where indentation is expected, several lines down. */
	fx_parse(&x, "---\na: 1\nb: 2\nc:\n\t- x\n---\nbody");
	d = only_diag(&x, DIAG_ERROR, "frontmatter-invalid-yaml");
	ck_assert_int_eq(d->line, 5);
	ck_assert_int_eq(d->column, 1);
	ck_assert_ptr_nonnull(strstr(d->message, "found character that cannot start any token"));
	assert_body(&x, "body", 7);
	fx_fini(&x);

	/* An unclosed quote runs to the end of the block. */
	fx_parse(&x, "---\nname: \"open\nx: y\n---\n");
	d = only_diag(&x, DIAG_ERROR, "frontmatter-invalid-yaml");
	ck_assert_int_eq(d->line, 4);
	ck_assert_ptr_nonnull(strstr(d->message, "found unexpected end of stream"));
	ck_assert_ptr_nonnull(strstr(d->message, "while scanning a quoted scalar at line 2"));
	fx_fini(&x);
}
END_TEST

START_TEST(test_not_a_map)
{
	struct fx x;
	const struct diag *d;

	fx_parse(&x, "---\n- a\n- b\n---\nbody\n");
	ck_assert_int_eq(x.rc, -1);
	ck_assert(x.fm.present);
	ck_assert(!x.fm.ok);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-not-a-map");
	ck_assert_int_eq(d->line, 2);
	ck_assert_ptr_nonnull(strstr(d->message, "sequence"));
	assert_fields(&x, "{}");
	assert_body(&x, "body\n", 5);
	fx_fini(&x);

	fx_parse(&x, "---\njust a sentence\n---\n");
	d = only_diag(&x, DIAG_ERROR, "frontmatter-not-a-map");
	ck_assert_ptr_nonnull(strstr(d->message, "scalar"));
	fx_fini(&x);
}
END_TEST

START_TEST(test_empty_block)
{
	struct fx x;

	fx_parse(&x, "---\n---\nbody");
	ck_assert_int_eq(x.rc, 0);
	ck_assert(x.fm.present);
	ck_assert(x.fm.ok);
	ck_assert_uint_eq(x.diags.len, 0);
	assert_fields(&x, "{}");
	assert_body(&x, "body", 3);
	fx_fini(&x);

	fx_parse(&x, "---\n# only a comment\n\n---\n");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_uint_eq(x.diags.len, 0);
	assert_fields(&x, "{}");
	fx_fini(&x);
}
END_TEST

START_TEST(test_extra_document)
{
	struct fx x;
	const struct diag *d;

	fx_parse(&x, "---\na: 1\n--- b\n---\n");
	ck_assert_int_eq(x.rc, 0);
	d = only_diag(&x, DIAG_WARNING, "frontmatter-extra-document");
	ck_assert_int_eq(d->line, 3);
	assert_fields(&x, "{\"a\":\"1\"}");
	fx_fini(&x);
}
END_TEST

START_TEST(test_aliases)
{
	struct fx x;

	fx_parse(&x, "---\nbase: &b {x: 1, l: [a]}\ncopy: *b\nk: &k key\n*k : aliased key\ns: &s text\nlist: [*s, *s]\n---\n");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_uint_eq(x.diags.len, 0);
	assert_fields(&x, "{\"base\":{\"x\":\"1\",\"l\":[\"a\"]},\"copy\":{\"x\":\"1\",\"l\":[\"a\"]},"
			  "\"k\":\"key\",\"key\":\"aliased key\",\"s\":\"text\",\"list\":[\"text\",\"text\"]}");
	fx_fini(&x);

	/* A later anchor of the same name wins. */
	fx_parse(&x, "---\na: &x 1\nb: &x 2\nc: *x\n---\n");
	assert_fields(&x, "{\"a\":\"1\",\"b\":\"2\",\"c\":\"2\"}");
	fx_fini(&x);
}
END_TEST

START_TEST(test_undefined_alias)
{
	struct fx x;
	const struct diag *d;

	fx_parse(&x, "---\na: 1\nb: *nowhere\n---\n");
	ck_assert_int_eq(x.rc, -1);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-invalid-yaml");
	ck_assert_int_eq(d->line, 3);
	ck_assert_int_eq(d->column, 4);
	ck_assert_ptr_nonnull(strstr(d->message, "*nowhere"));
	assert_fields(&x, "{\"a\":\"1\"}");
	fx_fini(&x);

	/* An anchor cannot be used inside itself. */
	fx_parse(&x, "---\na: &r [*r]\n---\n");
	only_diag(&x, DIAG_ERROR, "frontmatter-invalid-yaml");
	fx_fini(&x);
}
END_TEST

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_billion_laughs)
{
	struct fx x;
	struct buf t;
	const struct diag *d;
	const cJSON *e;
	double start;

	buf_init(&t);
	buf_puts(&t, "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (char c = 'b'; c <= 'j'; c++)
		buf_printf(&t, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c,
			   c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	buf_puts(&t, "---\nbody\n");
	start = now_seconds();
	fx_parse_len(&x, t.data, t.len);
	ck_assert_double_lt(now_seconds() - start, 1.0);
	ck_assert_int_eq(x.rc, -1);
	ck_assert(x.fm.present);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-too-complex");
	/* a..d hold 10 + 91 + 820 + 7381 nodes; e's first *d breaks 10,000. */
	ck_assert_int_eq(d->line, 6);
	ck_assert_int_eq(d->column, 8);
	ck_assert_int_eq(cJSON_GetArraySize(x.fm.fields), 5);
	e = cJSON_GetObjectItemCaseSensitive(x.fm.fields, "e");
	ck_assert(cJSON_IsArray(e));
	ck_assert_int_eq(cJSON_GetArraySize(e), 0);
	assert_body(&x, "body\n", 13);
	fx_fini(&x);
	buf_fini(&t);
}
END_TEST

START_TEST(test_alias_byte_budget)
{
	struct fx x;
	struct buf t;
	const struct diag *d;

	buf_init(&t);
	buf_puts(&t, "---\nbig: &s ");
	for (int i = 0; i < 100000; i++)
		buf_putc(&t, 'x');
	buf_puts(&t, "\nten: [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s]\neleventh: *s\n---\n");
	fx_parse_len(&x, t.data, t.len);
	ck_assert_int_eq(x.rc, -1);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-too-complex");
	ck_assert_int_eq(d->line, 4);
	ck_assert_ptr_nonnull(strstr(d->message, "bytes"));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(x.fm.fields, "ten")), 10);
	fx_fini(&x);
	buf_fini(&t);
}
END_TEST

/* "a: " + levels of '[' around x + matching ']'. */
static void nested(struct buf *t, const char *key, int levels, const char *inner)
{
	buf_printf(t, "%s ", key);
	for (int i = 0; i < levels; i++)
		buf_putc(t, '[');
	buf_puts(t, inner);
	for (int i = 0; i < levels; i++)
		buf_putc(t, ']');
	buf_putc(t, '\n');
}

START_TEST(test_depth_budget)
{
	struct fx x;
	struct buf t;

	/* 63 levels of lists under the root fit; 64 do not. */
	buf_init(&t);
	buf_puts(&t, "---\n");
	nested(&t, "ok:", 62, "x");
	buf_puts(&t, "---\n");
	fx_parse_len(&x, t.data, t.len);
	ck_assert_int_eq(x.rc, 0);
	fx_fini(&x);

	buf_reset(&t);
	buf_puts(&t, "---\n");
	nested(&t, "deep:", 63, "x");
	buf_puts(&t, "---\n");
	fx_parse_len(&x, t.data, t.len);
	ck_assert_int_eq(x.rc, -1);
	only_diag(&x, DIAG_ERROR, "frontmatter-too-complex");
	fx_fini(&x);

	/* 100,000 open brackets stop at the budget, not the stack. */
	buf_reset(&t);
	buf_puts(&t, "---\n");
	nested(&t, "bomb:", 100000, "x");
	buf_puts(&t, "---\n");
	fx_parse_len(&x, t.data, t.len);
	only_diag(&x, DIAG_ERROR, "frontmatter-too-complex");
	fx_fini(&x);

	/* Depth counts through aliases: a 40-level anchor at 20 levels fits, at 30 not. */
	buf_reset(&t);
	buf_puts(&t, "---\n");
	nested(&t, "a: &a", 40, "x");
	nested(&t, "b:", 20, "*a");
	buf_puts(&t, "---\n");
	fx_parse_len(&x, t.data, t.len);
	ck_assert_int_eq(x.rc, 0);
	fx_fini(&x);

	buf_reset(&t);
	buf_puts(&t, "---\n");
	nested(&t, "a: &a", 40, "x");
	nested(&t, "b:", 30, "*a");
	buf_puts(&t, "---\n");
	fx_parse_len(&x, t.data, t.len);
	ck_assert_int_eq(x.rc, -1);
	ck_assert_int_eq(only_diag(&x, DIAG_ERROR, "frontmatter-too-complex")->line, 3);
	fx_fini(&x);
	buf_fini(&t);
}
END_TEST

START_TEST(test_hostile_bytes)
{
	static const char nul[] = "---\nname: a\ndescription: b\0c\n---\nbody\0tail";
	static const char bad[] = "---\nname: x\ndescription: caf\xff\n---\nbody";
	struct fx x;
	const struct diag *d;

	fx_parse_len(&x, nul, sizeof(nul) - 1);
	ck_assert_int_eq(x.rc, -1);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-invalid-yaml");
	ck_assert_int_eq(d->line, 3);
	ck_assert_int_eq(d->column, 15);
	ck_assert_ptr_nonnull(strstr(d->message, "control characters are not allowed"));
	ck_assert_uint_eq(x.fm.body_len, 9);
	ck_assert_int_eq(memcmp(x.fm.body, "body\0tail", 9), 0);
	fx_fini(&x);

	fx_parse_len(&x, bad, sizeof(bad) - 1);
	d = only_diag(&x, DIAG_ERROR, "frontmatter-invalid-yaml");
	ck_assert_int_eq(d->line, 3);
	ck_assert_int_eq(d->column, 17);
	ck_assert_ptr_nonnull(strstr(d->message, "invalid leading UTF-8 octet"));
	assert_body(&x, "body", 5);
	fx_fini(&x);

	/* A "\0" escape is legal YAML; the NUL becomes U+FFFD. */
	fx_parse(&x, "---\nd: \"a\\0b\"\n---\n");
	ck_assert_int_eq(x.rc, 0);
	only_diag(&x, DIAG_WARNING, "frontmatter-nul-byte");
	ck_assert_str_eq(frontmatter_string(&x.fm, "d"), "a\xEF\xBF\xBD" "b");
	fx_fini(&x);

	/* A UTF-16 byte-order mark does not switch libyaml's encoding. */
	fx_parse_len(&x, "---\n\xFF\xFEn\0a\0\n---\n", 16);
	only_diag(&x, DIAG_ERROR, "frontmatter-invalid-yaml");
	fx_fini(&x);
}
END_TEST

START_TEST(test_every_prefix)
{
	static const char busy[] =
		"\xEF\xBB\xBF---\r\n"
		"name: busy # c\r\n"
		"description: >-\r\n  folded\r\n  text\r\n"
		"a: &a\n  k: [1, \"two\\u00e9\", 'th''ree']\n  m:\n    x: |\n      lit\n"
		"b: *a\n"
		"? complex\n: value\n"
		"c: [*a, *a]\n"
		"d: \"esc \\x41\\\n  cont\"\n"
		"---\n# Body\n```\n---\n```\n";
	struct fx x;
	size_t n = sizeof(busy) - 1;

	for (size_t i = 0; i <= n; i++) {
		fx_parse_len(&x, busy, i);
		ck_assert(x.fm.body >= busy && x.fm.body + x.fm.body_len <= busy + i);
		ck_assert(x.fm.body_line >= 1);
		fx_fini(&x);
	}
	fx_parse_len(&x, busy, n);
	ck_assert_int_eq(x.rc, 0);
	ck_assert_uint_eq(x.diags.len, 0);
	assert_fields(&x, "{\"name\":\"busy\",\"description\":\"folded text\","
			  "\"a\":{\"k\":[\"1\",\"two\xC3\xA9\",\"th'ree\"],\"m\":{\"x\":\"lit\\n\"}},"
			  "\"b\":{\"k\":[\"1\",\"two\xC3\xA9\",\"th'ree\"],\"m\":{\"x\":\"lit\\n\"}},"
			  "\"complex\":\"value\","
			  "\"c\":[{\"k\":[\"1\",\"two\xC3\xA9\",\"th'ree\"],\"m\":{\"x\":\"lit\\n\"}},"
			  "{\"k\":[\"1\",\"two\xC3\xA9\",\"th'ree\"],\"m\":{\"x\":\"lit\\n\"}}],"
			  "\"d\":\"esc Acont\"}");
	assert_body(&x, "# Body\n```\n---\n```\n", 18);
	fx_fini(&x);
}
END_TEST

START_TEST(test_fini_twice_and_null)
{
	struct fx x;

	fx_parse(&x, "---\nname: x\n---\n");
	frontmatter_fini(&x.fm);
	ck_assert_ptr_null(x.fm.fields);
	ck_assert_ptr_null(frontmatter_string(&x.fm, "name"));
	frontmatter_fini(&x.fm);
	frontmatter_fini(NULL);
	diag_list_fini(&x.diags);
}
END_TEST

Suite *frontmatter_suite(void)
{
	Suite *s = suite_create("frontmatter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_bom_crlf);
	tcase_add_test(tc, test_no_final_newline);
	tcase_add_test(tc, test_delimiter_lines);
	tcase_add_test(tc, test_only_first_block);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_unterminated);
	tcase_add_test(tc, test_scalar_styles);
	tcase_add_test(tc, test_nulls_and_non_strings);
	tcase_add_test(tc, test_structures);
	tcase_add_test(tc, test_non_scalar_key);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_invalid_yaml_position);
	tcase_add_test(tc, test_not_a_map);
	tcase_add_test(tc, test_empty_block);
	tcase_add_test(tc, test_extra_document);
	tcase_add_test(tc, test_aliases);
	tcase_add_test(tc, test_undefined_alias);
	tcase_add_test(tc, test_billion_laughs);
	tcase_add_test(tc, test_alias_byte_budget);
	tcase_add_test(tc, test_depth_budget);
	tcase_add_test(tc, test_hostile_bytes);
	tcase_add_test(tc, test_every_prefix);
	tcase_add_test(tc, test_fini_twice_and_null);
	tcase_add_test(tc, test_typed_core_schema);
	tcase_add_test(tc, test_typed_warnings);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
