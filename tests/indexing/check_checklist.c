/* SPDX-License-Identifier: MIT */
/*
 * Tests for checklist: the five item shapes, headings, groups, red flags,
 * workflow, both severity forms, code fences, ids, the "nothing is lost"
 * rule, and hostile input (BOM, CRLF, NUL, invalid UTF-8, huge inputs).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/indexing/checklist.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

Suite *checklist_suite(void);

/* ---- helpers ---- */

/* Parses a NUL-terminated fixture; never NULL. */
static cJSON *parse_str(const char *md)
{
	cJSON *o = checklist_parse(md, strlen(md));

	ck_assert_ptr_nonnull(o);
	return o;
}

/* A member that must exist. */
static const cJSON *get(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(v != NULL, "missing key %s", key);
	return v;
}

/* A string member, NULL for JSON null. */
static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	if (cJSON_IsNull(v))
		return NULL;
	ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
	return v->valuestring;
}

/* A number member. */
static int num(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
	return v->valueint;
}

/* The i-th section (0-based). */
static const cJSON *section(const cJSON *cl, int i)
{
	const cJSON *s = cJSON_GetArrayItem(get(cl, "sections"), i);

	ck_assert_msg(s != NULL, "no section %d", i);
	return s;
}

/* Every item in document order (section items, then its groups' items). */
static size_t all_items(const cJSON *cl, const cJSON **out, size_t max)
{
	const cJSON *s, *g, *it;
	size_t n = 0;

	cJSON_ArrayForEach(s, get(cl, "sections")) {
		cJSON_ArrayForEach(it, get(s, "items"))
			if (n < max)
				out[n++] = it;
		cJSON_ArrayForEach(g, get(s, "groups"))
			cJSON_ArrayForEach(it, get(g, "items"))
				if (n < max)
					out[n++] = it;
	}
	return n;
}

/* The k-th item in document order (0-based). */
static const cJSON *item_at(const cJSON *cl, size_t k)
{
	const cJSON *v[64];
	size_t n = all_items(cl, v, 64);

	ck_assert_msg(k < n, "no item %zu (have %zu)", k, n);
	return v[k];
}

/* Asserts one item's shape, ref, title and text (NULL means JSON null). */
static void check_item(const cJSON *it, const char *shape, const char *ref,
		       const char *title, const char *text)
{
	ck_assert_str_eq(str(it, "shape"), shape);
	if (ref)
		ck_assert_pstr_eq(str(it, "ref"), ref);
	else
		ck_assert_ptr_null(str(it, "ref"));
	if (title)
		ck_assert_pstr_eq(str(it, "title"), title);
	else
		ck_assert_ptr_null(str(it, "title"));
	ck_assert_str_eq(str(it, "text"), text);
}

/* Independent, grep-like count of `^[ \t]*- \[[ xX]\]` lines outside fences
 * (`^ {0,3}` then ``` or ~~~). */
static int count_task_lines(const char *md, size_t len)
{
	int count = 0;
	char fence = 0;
	size_t flen = 0;

	for (size_t i = 0; i < len;) {
		size_t e = i, j, f, run = 0;
		while (e < len && md[e] != '\n' && md[e] != '\r')
			e++;
		j = i;
		while (j < e && (md[j] == ' ' || md[j] == '\t'))
			j++;
		f = i;
		while (f < e && f - i < 3 && md[f] == ' ')
			f++;
		if (f < e && (md[f] == '`' || md[f] == '~')) {
			while (f + run < e && md[f + run] == md[f])
				run++;
		}
		if (fence) {
			bool only_ws = true;
			for (size_t k = f + run; k < e; k++)
				if (md[k] != ' ' && md[k] != '\t')
					only_ws = false;
			if (run >= flen && md[f] == fence && only_ws)
				fence = 0;
		} else if (run >= 3 && !(md[f] == '`' && memchr(md + f + run, '`', e - f - run))) {
			fence = md[f];
			flen = run;
		} else if (e - j >= 5 && md[j] == '-' && md[j + 1] == ' ' && md[j + 2] == '[' &&
			   (md[j + 3] == ' ' || md[j + 3] == 'x' || md[j + 3] == 'X') && md[j + 4] == ']') {
			count++;
		}
		i = e;
		if (i < len && md[i] == '\r')
			i++;
		if (i < len && md[i] == '\n' && (i == e || md[i - 1] == '\r'))
			i++;
	}
	return count;
}

/* Concatenates every string value of a JSON tree into b. */
static void collect_strings(const cJSON *o, struct buf *b)
{
	const cJSON *c;

	if (cJSON_IsString(o)) {
		buf_puts(b, o->valuestring);
		buf_putc(b, '\n');
	}
	cJSON_ArrayForEach(c, o)
		collect_strings(c, b);
}

/* ---- shapes ---- */

START_TEST(test_five_shapes)
{
	cJSON *cl = parse_str(
		"# Book — Code Review Checklist\n"
		"\n"
		"## 1. Basics\n"
		"\n"
		"- [ ] **Ch 2 — Purpose defined** — Does every animation have a clear purpose?\n"
		"- [ ] **Item 1 — Limit mutability** — Are `val` used?\n"
		"- [ ] **N1 — Descriptive names** — Does every name tell you *why*?\n"
		"- [ ] **G30 / Do one thing** — Can you extract a function?\n"
		"- [ ] **T1** — Does the test suite cover all logic?\n"
		"- [ ] **Encapsulate what varies** — Are parts that change separated?\n"
		"- [ ] Plain question text, with **bold** inside\n");
	ck_assert_int_eq(checklist_item_count(cl), 7);
	check_item(item_at(cl, 0), "A", "Ch 2", "Purpose defined",
		   "Does every animation have a clear purpose?");
	check_item(item_at(cl, 1), "B", "Item 1", "Limit mutability", "Are `val` used?");
	check_item(item_at(cl, 2), "C", "N1", "Descriptive names", "Does every name tell you *why*?");
	check_item(item_at(cl, 3), "C", "G30", "Do one thing", "Can you extract a function?");
	check_item(item_at(cl, 4), "C", "T1", NULL, "Does the test suite cover all logic?");
	check_item(item_at(cl, 5), "D", NULL, "Encapsulate what varies",
		   "Are parts that change separated?");
	check_item(item_at(cl, 6), "E", NULL, NULL, "Plain question text, with **bold** inside");
	ck_assert_str_eq(str(item_at(cl, 0), "markdown"),
			 "- [ ] **Ch 2 — Purpose defined** — Does every animation have a clear purpose?");
	ck_assert_int_eq(num(item_at(cl, 0), "line"), 5);
	ck_assert_int_eq(num(item_at(cl, 6), "line"), 11);
	ck_assert(cJSON_IsFalse(get(item_at(cl, 0), "checked")));
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_separators_and_bold_contents)
{
	cJSON *cl = parse_str(
		"- [ ] **Ch 2 - Hyphen title** - hyphen text\n"
		"- [ ] **Item 3 -- Double** -- double text\n"
		"- [ ] **Title with colon**: colon text\n"
		"- [ ] **Colon inside:** after\n"
		"- [ ] **Ch 1-2 — Ranged** — ranged text\n"
		"- [ ] **Item 22 — Variable arguments with *args** — is `*args` used — really?\n"
		"- [ ] **`render()` — a — b** — dashes in the bold\n"
		"- [ ] **Never** use eval in production\n"
		"- [ ] **unclosed bold text\n"
		"- [ ] **T9** no separator at all\n"
		"- [ ] **Ch 3 – En dash** – en text\n"
		"- [ ] **H1 headings** — titled like a code but is not\n"
		"- [ ]\n");
	check_item(item_at(cl, 0), "A", "Ch 2", "Hyphen title", "hyphen text");
	check_item(item_at(cl, 1), "B", "Item 3", "Double", "double text");
	check_item(item_at(cl, 2), "D", NULL, "Title with colon", "colon text");
	check_item(item_at(cl, 3), "D", NULL, "Colon inside", "after");
	check_item(item_at(cl, 4), "A", "Ch 1-2", "Ranged", "ranged text");
	check_item(item_at(cl, 5), "B", "Item 22", "Variable arguments with *args",
		   "is `*args` used — really?");
	check_item(item_at(cl, 6), "D", NULL, "`render()` — a — b", "dashes in the bold");
	check_item(item_at(cl, 7), "E", NULL, NULL, "**Never** use eval in production");
	check_item(item_at(cl, 8), "E", NULL, NULL, "**unclosed bold text");
	check_item(item_at(cl, 9), "C", "T9", NULL, "no separator at all");
	check_item(item_at(cl, 10), "A", "Ch 3", "En dash", "en text");
	check_item(item_at(cl, 11), "D", NULL, "H1 headings", "titled like a code but is not");
	check_item(item_at(cl, 12), "E", NULL, NULL, "");
	ck_assert_int_eq(checklist_item_count(cl), 13);
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_checked_and_nested_items)
{
	const char *md =
		"## Done\n"
		"- [x] **Done** — checked lower\n"
		"- [X] checked upper\n"
		"  - [ ] nested one\n"
		"\t- [ ] nested tab\n"
		"- [y] not an item\n"
		"* [ ] star bullet is not an item\n"
		"-  [ ] two spaces is not an item\n";
	cJSON *cl = parse_str(md);

	ck_assert_int_eq(checklist_item_count(cl), 4);
	ck_assert_int_eq(count_task_lines(md, strlen(md)), 4);
	ck_assert(cJSON_IsTrue(get(item_at(cl, 0), "checked")));
	ck_assert(cJSON_IsTrue(get(item_at(cl, 1), "checked")));
	ck_assert(cJSON_IsFalse(get(item_at(cl, 2), "checked")));
	check_item(item_at(cl, 2), "E", NULL, NULL, "nested one");
	check_item(item_at(cl, 3), "E", NULL, NULL, "nested tab");
	/* the last three lines are kept in the section's text */
	ck_assert_str_eq(str(section(cl, 0), "extra"),
			 "- [y] not an item\n* [ ] star bullet is not an item\n-  [ ] two spaces is not an item");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_multiline_items)
{
	cJSON *cl = parse_str(
		"## S\n"
		"- [ ] **Title** — first line\n"
		"  continued indented\n"
		"lazy continuation\n"
		"\n"
		"    indented after a blank\n"
		"- [ ] next\n"
		"\n"
		"Not part of the item\n");
	const cJSON *it = item_at(cl, 0);

	check_item(it, "D", NULL, "Title",
		   "first line\ncontinued indented\nlazy continuation\n\n  indented after a blank");
	ck_assert_str_eq(str(it, "markdown"),
			 "- [ ] **Title** — first line\n  continued indented\nlazy continuation\n\n"
			 "    indented after a blank");
	check_item(item_at(cl, 1), "E", NULL, NULL, "next");
	ck_assert_str_eq(str(section(cl, 0), "extra"), "Not part of the item");
	ck_assert_int_eq(checklist_item_count(cl), 2);
	cJSON_Delete(cl);

	cl = parse_str("- [ ]\n  text on the next line\n");
	check_item(item_at(cl, 0), "E", NULL, NULL, "text on the next line");
	ck_assert_str_eq(str(item_at(cl, 0), "id"), "text-on-the-next-line");
	cJSON_Delete(cl);
}
END_TEST

/* ---- structure ---- */

START_TEST(test_title_and_sections)
{
	cJSON *cl = parse_str(
		"# Effective Kotlin — Code Review Checklist\n"
		"\n"
		"Intro one.\n"
		"Intro two.\n"
		"\n"
		"---\n"
		"\n"
		"## 1. Safety (Items 1–10)\n"
		"- [ ] a\n"
		"## Chapter 2 — Meaningful Names\n"
		"- [ ] b\n"
		"## Chapter 1 — Pythonic Thinking (Items 1–10)\n"
		"## 5. Transaction Management (Sagas)\n"
		"## 8. Process & Systems (Chapters 1, 9)\n"
		"## Plain Title ##\n"
		"## 12) Paren number\n"
		"## Chapter 17 — Smells (Full Reference)\n");
	const cJSON *s;

	ck_assert_str_eq(str(cl, "title"), "Effective Kotlin — Code Review Checklist");
	ck_assert_str_eq(str(cl, "book"), "Effective Kotlin");
	ck_assert_str_eq(str(cl, "kind"), "Code");
	ck_assert_str_eq(str(cl, "intro"), "Intro one.\nIntro two.");
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "sections")), 8);

	s = section(cl, 0);
	ck_assert_str_eq(str(s, "id"), "s1");
	ck_assert_int_eq(num(s, "number"), 1);
	ck_assert_str_eq(str(s, "title"), "Safety");
	ck_assert_str_eq(str(s, "chapters"), "Items 1–10");
	ck_assert_int_eq(num(s, "line"), 8);
	ck_assert_int_eq(num(s, "item_count"), 1);
	s = section(cl, 1);
	ck_assert_int_eq(num(s, "number"), 2);
	ck_assert_str_eq(str(s, "title"), "Meaningful Names");
	ck_assert_str_eq(str(s, "chapters"), "Chapter 2");
	s = section(cl, 2);
	ck_assert_int_eq(num(s, "number"), 1);
	ck_assert_str_eq(str(s, "title"), "Pythonic Thinking");
	ck_assert_str_eq(str(s, "chapters"), "Chapter 1; Items 1–10");
	ck_assert_int_eq(num(s, "item_count"), 0);
	s = section(cl, 3);
	ck_assert_str_eq(str(s, "title"), "Transaction Management (Sagas)");
	ck_assert_ptr_null(str(s, "chapters"));
	s = section(cl, 4);
	ck_assert_str_eq(str(s, "title"), "Process & Systems");
	ck_assert_str_eq(str(s, "chapters"), "Chapters 1, 9");
	s = section(cl, 5);
	ck_assert(cJSON_IsNull(get(s, "number")));
	ck_assert_str_eq(str(s, "title"), "Plain Title");
	s = section(cl, 6);
	ck_assert_int_eq(num(s, "number"), 12);
	ck_assert_str_eq(str(s, "title"), "Paren number");
	s = section(cl, 7);
	ck_assert_str_eq(str(s, "id"), "s8");
	ck_assert_int_eq(num(s, "number"), 17);
	ck_assert_str_eq(str(s, "title"), "Smells (Full Reference)");
	ck_assert_str_eq(str(s, "chapters"), "Chapter 17");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_title_variants)
{
	static const struct {
		const char *md, *book, *kind;
	} cases[] = {
		{ "# Effective Java Code Review Checklist\n", "Effective Java", "Code" },
		{ "# Using Asyncio in Python — Async Code Review Checklist\n", "Using Asyncio in Python", "Async Code" },
		{ "# Data Pipelines - Pipeline Review Checklist\n", "Data Pipelines", "Pipeline" },
		{ "# Just a heading\n", NULL, NULL },
		{ "# Review Checklist\n", NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *cl = parse_str(cases[i].md);
		const char *b = str(cl, "book"), *k = str(cl, "kind");
		if (cases[i].book)
			ck_assert_pstr_eq(b, cases[i].book);
		else
			ck_assert_ptr_null(b);
		if (cases[i].kind)
			ck_assert_pstr_eq(k, cases[i].kind);
		else
			ck_assert_ptr_null(k);
		cJSON_Delete(cl);
	}
}
END_TEST

START_TEST(test_groups_and_red_flags)
{
	cJSON *cl = parse_str(
		"## 3. Clean\n"
		"Section intro.\n"
		"### Intention (Ch 4)\n"
		"Group intro.\n"
		"- [ ] **Small** — short?\n"
		"\n"
		"Group note.\n"
		"### Second\n"
		"- [ ] **Small** — again?\n"
		"\n"
		"**Red flags**: One. Two\n"
		"three.\n"
		"\n"
		"**Red Flags:** Another paragraph.\n"
		"## 4. Next\n"
		"- [ ] x\n");
	const cJSON *s = section(cl, 0), *g;

	ck_assert_str_eq(str(s, "intro"), "Section intro.");
	ck_assert_int_eq(cJSON_GetArraySize(get(s, "items")), 0);
	ck_assert_int_eq(num(s, "item_count"), 2);
	g = cJSON_GetArrayItem(get(s, "groups"), 0);
	ck_assert_str_eq(str(g, "id"), "s1-g1");
	ck_assert_str_eq(str(g, "title"), "Intention");
	ck_assert_str_eq(str(g, "chapters"), "Ch 4");
	ck_assert_str_eq(str(g, "intro"), "Group intro.");
	ck_assert_str_eq(str(g, "extra"), "Group note.");
	ck_assert_int_eq(num(g, "line"), 3);
	g = cJSON_GetArrayItem(get(s, "groups"), 1);
	ck_assert_str_eq(str(g, "id"), "s1-g2");
	ck_assert_ptr_null(str(g, "chapters"));
	ck_assert_str_eq(str(s, "red_flags"), "One. Two\nthree.\n\nAnother paragraph.");
	ck_assert_str_eq(str(s, "extra"), "");
	ck_assert_ptr_null(str(section(cl, 1), "red_flags"));
	/* two "Small" items in section 3 */
	ck_assert_str_eq(str(item_at(cl, 0), "id"), "3-small");
	ck_assert_str_eq(str(item_at(cl, 1), "id"), "3-small-2");
	ck_assert_str_eq(str(item_at(cl, 2), "id"), "4-x");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_items_before_any_section)
{
	cJSON *cl = parse_str(
		"Some text first.\n"
		"- [ ] **Loose** — no section\n"
		"### Group without section\n"
		"- [ ] grouped\n");
	const cJSON *s = section(cl, 0);

	ck_assert_ptr_null(str(cl, "title"));
	ck_assert_str_eq(str(cl, "intro"), "Some text first.");
	ck_assert_ptr_null(str(s, "title"));
	ck_assert(cJSON_IsNull(get(s, "number")));
	ck_assert_int_eq(num(s, "line"), 0);
	ck_assert_str_eq(str(item_at(cl, 0), "id"), "loose");
	ck_assert_str_eq(str(item_at(cl, 1), "id"), "grouped");
	ck_assert_int_eq(checklist_item_count(cl), 2);
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_workflow)
{
	cJSON *cl = parse_str(
		"## Quick Review Workflow\n"
		"\n"
		"Do it in order:\n"
		"\n"
		"1. **Naming pass** — Read every name.\n"
		"2. **Function pass** — Evaluate each function\n"
		"   and its arguments.\n"
		"3. Plain step without title\n"
		"10) **Bold only**\n");
	const cJSON *w = get(cl, "workflow"), *st;

	ck_assert_str_eq(str(cl, "workflow_title"), "Quick Review Workflow");
	ck_assert_int_eq(cJSON_GetArraySize(w), 4);
	st = cJSON_GetArrayItem(w, 0);
	ck_assert_int_eq(num(st, "step"), 1);
	ck_assert_str_eq(str(st, "title"), "Naming pass");
	ck_assert_str_eq(str(st, "text"), "Read every name.");
	st = cJSON_GetArrayItem(w, 1);
	ck_assert_str_eq(str(st, "text"), "Evaluate each function\nand its arguments.");
	st = cJSON_GetArrayItem(w, 2);
	ck_assert_ptr_null(str(st, "title"));
	ck_assert_str_eq(str(st, "text"), "Plain step without title");
	st = cJSON_GetArrayItem(w, 3);
	ck_assert_int_eq(num(st, "step"), 10);
	ck_assert_str_eq(str(st, "title"), "Bold only");
	ck_assert_str_eq(str(st, "text"), "");
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "sections")), 0);
	ck_assert_str_eq(str(cl, "extra"), "## Quick Review Workflow\n\nDo it in order:");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_severity_table)
{
	cJSON *cl = parse_str(
		"## Severity Levels\n"
		"\n"
		"| Severity | Description | Examples |\n"
		"|----------|-------------|---------|\n"
		"| **Critical** | Likely bugs | Dead code (G9), `a \\| b` |\n"
		"| **High** | Should be fixed |\n"
		"| **Low** | Polish | Noise | Extra column |\n");
	const cJSON *sv = get(cl, "severity"), *e;

	ck_assert_str_eq(str(cl, "severity_title"), "Severity Levels");
	ck_assert_int_eq(cJSON_GetArraySize(sv), 3);
	e = cJSON_GetArrayItem(sv, 0);
	ck_assert_str_eq(str(e, "level"), "Critical");
	ck_assert_str_eq(str(e, "description"), "Likely bugs");
	ck_assert_str_eq(str(e, "examples"), "Dead code (G9), `a | b`");
	e = cJSON_GetArrayItem(sv, 1);
	ck_assert_str_eq(str(e, "level"), "High");
	ck_assert_ptr_null(str(e, "examples"));
	e = cJSON_GetArrayItem(sv, 2);
	ck_assert_str_eq(str(e, "examples"), "Noise | Extra column");
	ck_assert_str_eq(str(cl, "extra"), "");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_severity_table_reordered_columns)
{
	cJSON *cl = parse_str(
		"## Severity\n"
		"| Example | Level | Meaning |\n"
		"|---|---|---|\n"
		"| crash on input | __Blocker__ | must fix |\n");
	const cJSON *e = cJSON_GetArrayItem(get(cl, "severity"), 0);

	ck_assert_str_eq(str(e, "level"), "Blocker");
	ck_assert_str_eq(str(e, "description"), "must fix");
	ck_assert_str_eq(str(e, "examples"), "crash on input");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_severity_bullets)
{
	cJSON *cl = parse_str(
		"## Severity Classification\n"
		"\n"
		"When reporting issues, classify them:\n"
		"\n"
		"- **Critical**: Bug, security vulnerability, or data corruption risk\n"
		"  (e.g., missing synchronization on shared data,\n"
		"  broken equals/hashCode contract)\n"
		"- **Major:** Design debt\n"
		"  Examples: raw types, telescoping constructors\n"
		"- **Minor** — Best practice deviation\n"
		"- Suggestion: Nice to have\n");
	const cJSON *sv = get(cl, "severity"), *e;

	ck_assert_int_eq(cJSON_GetArraySize(sv), 4);
	e = cJSON_GetArrayItem(sv, 0);
	ck_assert_str_eq(str(e, "level"), "Critical");
	ck_assert_str_eq(str(e, "description"), "Bug, security vulnerability, or data corruption risk");
	ck_assert_str_eq(str(e, "examples"),
			 "missing synchronization on shared data, broken equals/hashCode contract");
	e = cJSON_GetArrayItem(sv, 1);
	ck_assert_str_eq(str(e, "level"), "Major");
	ck_assert_str_eq(str(e, "description"), "Design debt");
	ck_assert_str_eq(str(e, "examples"), "raw types, telescoping constructors");
	e = cJSON_GetArrayItem(sv, 2);
	ck_assert_str_eq(str(e, "level"), "Minor");
	ck_assert_str_eq(str(e, "description"), "Best practice deviation");
	ck_assert_ptr_null(str(e, "examples"));
	e = cJSON_GetArrayItem(sv, 3);
	ck_assert_str_eq(str(e, "level"), "Suggestion");
	ck_assert_str_eq(str(e, "description"), "Nice to have");
	ck_assert_str_eq(str(cl, "extra"),
			 "## Severity Classification\n\nWhen reporting issues, classify them:");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_special_blocks_with_items_stay_sections)
{
	cJSON *cl = parse_str(
		"## Severity Levels\n"
		"- [ ] **Critical** — is anything critical?\n"
		"## Review Workflow\n"
		"Just prose, no numbered list.\n");

	ck_assert_int_eq(checklist_item_count(cl), 1);
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "severity")), 0);
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "workflow")), 0);
	ck_assert_ptr_null(str(cl, "severity_title"));
	ck_assert_str_eq(str(section(cl, 0), "title"), "Severity Levels");
	ck_assert_str_eq(str(section(cl, 1), "title"), "Review Workflow");
	ck_assert_str_eq(str(section(cl, 1), "intro"), "Just prose, no numbered list.");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_table_section_without_items_is_kept)
{
	cJSON *cl = parse_str(
		"## Title Quality Check\n"
		"\n"
		"| Title Type | Example | Quality |\n"
		"|-----------|---------|---------|\n"
		"| **No title** | (blank) | Unacceptable |\n");
	const cJSON *s = section(cl, 0);

	ck_assert_str_eq(str(s, "title"), "Title Quality Check");
	ck_assert_int_eq(num(s, "item_count"), 0);
	ck_assert_str_eq(str(s, "intro"),
			 "| Title Type | Example | Quality |\n|-----------|---------|---------|\n"
			 "| **No title** | (blank) | Unacceptable |");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_code_fences)
{
	const char *md =
		"## Code\n"
		"- [ ] real one\n"
		"```markdown\n"
		"- [ ] fenced item\n"
		"## fenced heading\n"
		"**Red flags**: fenced\n"
		"```\n"
		"~~~~\n"
		"- [x] tilde fenced\n"
		"```\n"
		"~~~~\n"
		"- [ ] real two\n"
		"    ```\n"
		"    - [ ] four spaces: not a fence\n"
		"    ```\n"
		"- [ ] real three\n"
		"  ```sh\n"
		"  - [ ] code inside the item\n"
		"  ```\n";
	cJSON *cl = parse_str(md);
	const cJSON *s = section(cl, 0);

	ck_assert_int_eq(checklist_item_count(cl), 4);
	ck_assert_int_eq(count_task_lines(md, strlen(md)), 4);
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "sections")), 1);
	ck_assert_ptr_null(str(s, "red_flags"));
	ck_assert_str_eq(str(s, "extra"),
			 "```markdown\n- [ ] fenced item\n## fenced heading\n**Red flags**: fenced\n```\n"
			 "~~~~\n- [x] tilde fenced\n```\n~~~~");
	/* The one fence rule (text_fence_step): 4 spaces before ``` make
	 * indented text, not a fence, so the line after it is an item. */
	ck_assert_str_eq(str(item_at(cl, 1), "markdown"), "- [ ] real two\n    ```");
	ck_assert_str_eq(str(item_at(cl, 2), "markdown"),
			 "    - [ ] four spaces: not a fence\n    ```");
	ck_assert_str_eq(str(item_at(cl, 3), "text"),
			 "real three\n```sh\n- [ ] code inside the item\n```");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_unclosed_fence_and_diagnostics)
{
	const char *md = "# T\n- [ ] before\n```\n- [ ] after an unclosed fence\n## not a heading\n";
	struct diag_list dl;
	cJSON *cl;

	diag_list_init(&dl);
	cl = checklist_parse_diag(md, strlen(md), "references/review-checklist.md", &dl);
	ck_assert_int_eq(checklist_item_count(cl), 1);
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "sections")), 1);
	ck_assert_uint_eq(dl.len, 1);
	ck_assert_str_eq(dl.items[0].code, "checklist-unclosed-fence");
	ck_assert_int_eq(dl.items[0].line, 3);
	ck_assert_str_eq(dl.items[0].path, "references/review-checklist.md");
	cJSON_Delete(cl);
	diag_list_fini(&dl);

	diag_list_init(&dl);
	cl = checklist_parse_diag("junk\0\xff", 6, NULL, &dl);
	ck_assert_uint_eq(dl.len, 3);
	ck_assert_str_eq(dl.items[0].code, "checklist-encoding");
	ck_assert_int_eq(dl.items[0].line, 1);
	ck_assert_str_eq(dl.items[1].code, "checklist-no-title");
	ck_assert_str_eq(dl.items[2].code, "checklist-no-items");
	cJSON_Delete(cl);
	diag_list_fini(&dl);
}
END_TEST

/* ---- ids ---- */

START_TEST(test_ids_stable_unique_and_bounded)
{
	const char *md =
		"## 2. S\n"
		"- [ ] **Ch 2 — Purpose defined** — a\n"
		"- [ ] **Ch 2 — Purpose defined** — again\n"
		"- [ ] **Ch 2 — Purpose defined** — third\n"
		"- [ ] **Ch 2 — Purpose defined 2** — natural twin of the -2\n"
		"- [ ] **Ünïcödé — naïve façade** — x\n"
		"- [ ] ***\n"
		"- [ ] This is a very long plain question text that goes on and on well past the limit\n"
		"- [ ] Supercalifragilisticexpialidocious-supercalifragilisticexpialidocious\n"
		"## Unnumbered\n"
		"- [ ] **Item 7** — y\n";
	cJSON *a = parse_str(md), *b = parse_str(md);
	const char *id;

	ck_assert(cJSON_Compare(a, b, true));
	ck_assert_str_eq(str(item_at(a, 0), "id"), "2-ch-2-purpose-defined");
	ck_assert_str_eq(str(item_at(a, 1), "id"), "2-ch-2-purpose-defined-2");
	ck_assert_str_eq(str(item_at(a, 2), "id"), "2-ch-2-purpose-defined-3");
	ck_assert_str_eq(str(item_at(a, 3), "id"), "2-ch-2-purpose-defined-2-2");
	ck_assert_str_eq(str(item_at(a, 4), "id"), "2-n-c-d-na-ve-fa-ade");
	ck_assert_str_eq(str(item_at(a, 5), "id"), "2-item");
	id = str(item_at(a, 6), "id");
	ck_assert_str_eq(id, "2-this-is-a-very-long-plain-question-text-that");
	ck_assert_uint_le(strlen(id) - 2, 48);
	id = str(item_at(a, 7), "id");
	ck_assert_str_eq(id, "2-supercalifragilisticexpialidocious");
	ck_assert_str_eq(str(item_at(a, 8), "id"), "item-7");
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

/* ---- nothing is lost ---- */

START_TEST(test_nothing_is_lost)
{
	static const char md[] =
		"\xef\xbb\xbf# Book zq01 — Code Review Checklist\r\n"
		"\r\n"
		"Intro zq02 paragraph\r\n"
		"continued zq03\r\n"
		"---\r\n"
		"## 1. First zq04 (Chapters 1–3)\r\n"
		"Section intro zq05\r\n"
		"- [ ] **Ch 1 — Title zq06** — text zq07\r\n"
		"  continued zq08\r\n"
		"lazy zq09\r\n"
		"\r\n"
		"    indented after blank zq10\r\n"
		"- [x] plain zq11\r\n"
		"```zq12\r\n"
		"- [ ] fenced zq13\r\n"
		"## fenced heading zq14\r\n"
		"```\r\n"
		"Trailing section text zq15\r\n"
		"**Red flags**: bad zq16\r\n"
		"more bad zq17\r\n"
		"\r\n"
		"### Group zq18 (Ch 4)\r\n"
		"Group intro zq19\r\n"
		"- [ ] **G30 / Do zq20** — text zq21\r\n"
		"\r\n"
		"Group extra zq22\r\n"
		"## Chapter 2 — Second zq23\r\n"
		"| table zq24 | x |\r\n"
		"|---|---|\r\n"
		"| row zq25 | y |\r\n"
		"#### Deep heading zq26\r\n"
		"- not an item zq27\r\n"
		"* [ ] star zq28\r\n"
		"## Quick Review Workflow zq29\r\n"
		"Lead text zq30\r\n"
		"1. **Step zq31** — do zq32\r\n"
		"   continued zq33\r\n"
		"2. plain zq34\r\n"
		"## Severity Levels zq35\r\n"
		"| Severity | Description | Example |\r\n"
		"|---|---|---|\r\n"
		"| **Critical** | desc zq36 | ex zq37 |\r\n"
		"| **High** | desc zq38 | ex zq39 | extra col zq40 |\r\n"
		"Trailing note zq41\r\n"
		"## Severity Classification zq42\r\n"
		"When reporting zq43:\r\n"
		"- **Major**: text zq44\r\n"
		"  (e.g., ex zq45)\r\n"
		"<junk zq46>\r\n"
		"\x01 zq47 \xff\r\n"
		"## Workflow again zq48\r\n"
		"1. again zq49\r\n"
		"### Stray group zq50\r\n"
		"- [ ] stray zq51\r\n"
		"last zq52";
	cJSON *cl = checklist_parse(md, sizeof(md) - 1);
	struct buf all;
	char tok[16];

	buf_init(&all);
	collect_strings(cl, &all);
	for (int k = 1; k <= 52; k++) {
		snprintf(tok, sizeof(tok), "zq%02d", k);
		ck_assert_msg(strstr(all.data, tok) != NULL, "%s was lost", tok);
	}
	ck_assert_int_eq(checklist_item_count(cl), 4);
	ck_assert_int_eq(count_task_lines(md, sizeof(md) - 1), 4);
	ck_assert_str_eq(str(cl, "title"), "Book zq01 — Code Review Checklist");
	/* "Workflow again" holds an item, so it stays a section */
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "workflow")), 2);
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "severity")), 3);
	ck_assert_str_eq(str(section(cl, 2), "title"), "Workflow again zq48");
	ck_assert(utf8_valid(all.data, all.len));
	ck_assert_ptr_null(strchr(all.data, '\r'));
	buf_fini(&all);
	cJSON_Delete(cl);
}
END_TEST

/* ---- hostile input ---- */

START_TEST(test_empty_and_junk)
{
	static const char junk[] = "\x00\x01\x02\xfe\xff\x80\xc0\xaf\xed\xa0\x80 \t\r\r\n\n|||***---###";
	cJSON *cl = checklist_parse(NULL, 0);
	char *out;

	ck_assert_int_eq(checklist_item_count(cl), 0);
	ck_assert_ptr_null(str(cl, "title"));
	ck_assert_str_eq(str(cl, "intro"), "");
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "sections")), 0);
	cJSON_Delete(cl);

	cl = checklist_parse("", 0);
	ck_assert_int_eq(checklist_item_count(cl), 0);
	cJSON_Delete(cl);

	cl = checklist_parse(junk, sizeof(junk) - 1);
	ck_assert_int_eq(checklist_item_count(cl), 0);
	out = cJSON_PrintUnformatted(cl);
	ck_assert(utf8_valid(out, strlen(out)));
	cJSON_free(out);
	cJSON_Delete(cl);

	ck_assert_int_eq(checklist_item_count(NULL), 0);
}
END_TEST

START_TEST(test_line_ends_bom_and_no_final_newline)
{
	static const char *const variants[] = {
		"# T\n## 1. S\n- [ ] **A** — one\n- [ ] two",
		"\xef\xbb\xbf# T\r\n## 1. S\r\n- [ ] **A** — one\r\n- [ ] two\r\n",
		"# T\r## 1. S\r- [ ] **A** — one\r- [ ] two\r",
	};

	for (size_t i = 0; i < 3; i++) {
		cJSON *cl = parse_str(variants[i]);
		ck_assert_str_eq(str(cl, "title"), "T");
		ck_assert_int_eq(checklist_item_count(cl), 2);
		check_item(item_at(cl, 0), "D", NULL, "A", "one");
		check_item(item_at(cl, 1), "E", NULL, NULL, "two");
		ck_assert_str_eq(str(item_at(cl, 1), "markdown"), "- [ ] two");
		ck_assert_int_eq(num(item_at(cl, 1), "line"), 4);
		cJSON_Delete(cl);
	}
}
END_TEST

START_TEST(test_nul_and_invalid_utf8_inside_items)
{
	static const char md[] = "- [ ] **Bad\xff title** — te\0xt\n";
	cJSON *cl = checklist_parse(md, sizeof(md) - 1);

	check_item(item_at(cl, 0), "D", NULL, "Bad\xef\xbf\xbd title", "te\xef\xbf\xbdxt");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_hundred_thousand_lines)
{
	struct buf b;
	cJSON *cl;
	const cJSON *s;
	int expect = 0;

	buf_init(&b);
	buf_puts(&b, "# Big\n");
	for (int i = 0; i < 100000; i++) {
		if (i % 1000 == 0)
			buf_printf(&b, "## %d. Section\n", i / 1000 + 1);
		else if (i % 7 == 0)
			buf_puts(&b, "- [ ] **Same title** — repeated text\n");
		else if (i % 7 == 1)
			buf_puts(&b, "  continuation of the item\n");
		else if (i % 7 == 2)
			buf_printf(&b, "- [x] **Item %d — Numbered** — text\n", i);
		else
			buf_puts(&b, "plain filler line\n");
	}
	expect = count_task_lines(b.data, b.len);
	cl = checklist_parse(b.data, b.len);
	ck_assert_int_eq(checklist_item_count(cl), expect);
	/* the lines written as items: i % 7 is 0 or 2, except the 100
	 * section headings (i % 1000 == 0): 28,543 */
	ck_assert_int_eq(expect, 28543);
	ck_assert_int_eq(cJSON_GetArraySize(get(cl, "sections")), 100);
	s = section(cl, 99);
	ck_assert_str_eq(str(s, "id"), "s100");
	cJSON_Delete(cl);
	buf_fini(&b);
}
END_TEST

START_TEST(test_identical_items_stay_linear)
{
	struct buf b;
	cJSON *cl;
	const cJSON *items, *last;
	int n = 200000;

	buf_init(&b);
	buf_puts(&b, "## S\n");
	for (int i = 0; i < n; i++)
		buf_puts(&b, "- [ ] same\n");
	cl = checklist_parse(b.data, b.len);
	ck_assert_int_eq(checklist_item_count(cl), n);
	items = get(section(cl, 0), "items");
	last = cJSON_GetArrayItem(items, n - 1);
	ck_assert_str_eq(str(last, "id"), "same-200000");
	ck_assert_str_eq(str(cJSON_GetArrayItem(items, 0), "id"), "same");
	cJSON_Delete(cl);
	buf_fini(&b);
}
END_TEST

START_TEST(test_very_long_lines)
{
	size_t n = 4u << 20;
	char *md = xmalloc(n + 64);
	cJSON *cl;
	const cJSON *it;
	size_t k = 0;

	/* an item whose bold never closes on a separator: 4 MB of "** " */
	memcpy(md, "- [ ] **", 8);
	k = 8;
	while (k + 3 < n) {
		memcpy(md + k, "a**", 3);
		k += 3;
	}
	memcpy(md + k, "\n- [ ] ", 7);
	k += 7;
	memset(md + k, 'x', 50);
	k += 50;
	cl = checklist_parse(md, k);
	ck_assert_int_eq(checklist_item_count(cl), 2);
	it = item_at(cl, 1);
	ck_assert_str_eq(str(it, "id"), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	cJSON_Delete(cl);

	/* one line of 4 MB of headings markers and dashes */
	memset(md, '#', 3);
	memset(md + 3, '-', n - 3);
	cl = checklist_parse(md, n);
	ck_assert_int_eq(checklist_item_count(cl), 0);
	cJSON_Delete(cl);
	free(md);
}
END_TEST

Suite *checklist_suite(void)
{
	Suite *s = suite_create("checklist");
	TCase *tc = tcase_create("core");
	TCase *big = tcase_create("big");

	tcase_add_test(tc, test_five_shapes);
	tcase_add_test(tc, test_separators_and_bold_contents);
	tcase_add_test(tc, test_checked_and_nested_items);
	tcase_add_test(tc, test_multiline_items);
	tcase_add_test(tc, test_title_and_sections);
	tcase_add_test(tc, test_title_variants);
	tcase_add_test(tc, test_groups_and_red_flags);
	tcase_add_test(tc, test_items_before_any_section);
	tcase_add_test(tc, test_workflow);
	tcase_add_test(tc, test_severity_table);
	tcase_add_test(tc, test_severity_table_reordered_columns);
	tcase_add_test(tc, test_severity_bullets);
	tcase_add_test(tc, test_special_blocks_with_items_stay_sections);
	tcase_add_test(tc, test_table_section_without_items_is_kept);
	tcase_add_test(tc, test_code_fences);
	tcase_add_test(tc, test_unclosed_fence_and_diagnostics);
	tcase_add_test(tc, test_ids_stable_unique_and_bounded);
	tcase_add_test(tc, test_nothing_is_lost);
	tcase_add_test(tc, test_empty_and_junk);
	tcase_add_test(tc, test_line_ends_bom_and_no_final_newline);
	tcase_add_test(tc, test_nul_and_invalid_utf8_inside_items);
	suite_add_tcase(s, tc);

	/* generous limits: a quadratic step would take minutes here */
	tcase_set_timeout(big, 60);
	tcase_add_test(big, test_hundred_thousand_lines);
	tcase_add_test(big, test_identical_items_stay_linear);
	tcase_add_test(big, test_very_long_lines);
	suite_add_tcase(s, big);
	return s;
}
