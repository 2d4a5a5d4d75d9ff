/* SPDX-License-Identifier: MIT */
/*
 * Corpus tests for checklist: parses every references/review-checklist.md of
 * the two booklib versions under $SKILLD_CORPORA and asserts exact totals,
 * per-file counts against an independent grep-like count, no lost words,
 * unique and stable ids, and spot checks of real items.
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "skilld/indexing/checklist.h"
#include "skilld/base/util.h"

Suite *corpus_checklist_suite(void);

#define CHECKLIST_REL "references/review-checklist.md"
#define MAX_FILE (8u << 20)

/* ---- helpers ---- */

/* $SKILLD_CORPORA; the test fails without it. */
static const char *corpora(void)
{
	const char *c = getenv("SKILLD_CORPORA");

	ck_assert_msg(c && *c, "SKILLD_CORPORA is not set (it names ../shared/corpora)");
	return c;
}

/* Reads <corpora>/<version>/<skill>/references/review-checklist.md; NULL
 * when the skill has none. The caller frees the result. */
static char *read_checklist(const char *version, const char *skill, size_t *len)
{
	char *path = xasprintf("%s/%s/%s/%s", corpora(), version, skill, CHECKLIST_REL);
	char *data = NULL;

	if (read_file_all(path, MAX_FILE, &data, len) != 0)
		data = NULL;
	free(path);
	return data;
}

/* Parses one skill's checklist; the caller frees it with cJSON_Delete. */
static cJSON *parse_skill(const char *version, const char *skill)
{
	size_t len;
	char *md = read_checklist(version, skill, &len);
	cJSON *cl;

	ck_assert_msg(md != NULL, "%s/%s has no checklist", version, skill);
	cl = checklist_parse(md, len);
	free(md);
	ck_assert_ptr_nonnull(cl);
	return cl;
}

/* qsort/bsearch order of char * elements. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the skill folders of a version; the caller frees each and
 * the array. */
static char **skill_dirs(const char *version, size_t *count)
{
	char *root = xasprintf("%s/%s", corpora(), version);
	DIR *d = opendir(root);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	ck_assert_msg(d != NULL, "cannot open %s", root);
	while ((e = readdir(d)) != NULL) {
		char *p;
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", root, e->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = xstrdup(e->d_name);
		}
		free(p);
	}
	closedir(d);
	free(root);
	qsort(v, n, sizeof(*v), cmp_str);
	*count = n;
	return v;
}

/* Independent, grep-like count of `^[ \t]*- \[[ xX]\]` lines outside ``` and
 * ~~~ fences (the same rule as `grep -cE '^\s*- \[[ xX]\]'` on these files,
 * which hold no fences). */
static int count_task_lines(const char *md, size_t len)
{
	int count = 0;
	char fence = 0;
	size_t flen = 0;

	for (size_t i = 0; i < len;) {
		size_t e = i, j, run = 0;
		while (e < len && md[e] != '\n')
			e++;
		j = i;
		while (j < e && (md[j] == ' ' || md[j] == '\t'))
			j++;
		if (j < e && (md[j] == '`' || md[j] == '~'))
			while (j + run < e && md[j + run] == md[j])
				run++;
		if (fence) {
			if (run >= flen && md[j] == fence)
				fence = 0;
		} else if (run >= 3) {
			fence = md[j];
			flen = run;
		} else if (e - j >= 5 && strncmp(md + j, "- [", 3) == 0 &&
			   strchr(" xX", md[j + 3]) && md[j + 3] && md[j + 4] == ']') {
			count++;
		}
		i = e + 1;
	}
	return count;
}

/* Every item of a checklist in document order; the caller frees the array. */
static const cJSON **items_of(const cJSON *cl, size_t *count)
{
	const cJSON *s, *g, *it;
	const cJSON **v = NULL;
	size_t n = 0;

	cJSON_ArrayForEach(s, cJSON_GetObjectItem(cl, "sections")) {
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(s, "items")) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = it;
		}
		cJSON_ArrayForEach(g, cJSON_GetObjectItem(s, "groups"))
			cJSON_ArrayForEach(it, cJSON_GetObjectItem(g, "items")) {
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = it;
			}
	}
	*count = n;
	return v;
}

/* The item with this id; the test fails when there is none. */
static const cJSON *find_item(const cJSON *cl, const char *id)
{
	size_t n;
	const cJSON **v = items_of(cl, &n);
	const cJSON *found = NULL;

	for (size_t i = 0; i < n && !found; i++)
		if (strcmp(cJSON_GetObjectItem(v[i], "id")->valuestring, id) == 0)
			found = v[i];
	free(v);
	ck_assert_msg(found != NULL, "no item %s", id);
	return found;
}

/* A string member that must exist; NULL for JSON null. */
static const char *s_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(v != NULL, "missing %s", key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Asserts one item's shape, ref, title and text (NULL: JSON null). */
static void check_item(const cJSON *it, const char *shape, const char *ref,
		       const char *title, const char *text)
{
	ck_assert_str_eq(s_of(it, "shape"), shape);
	ck_assert_pstr_eq(s_of(it, "ref"), ref);
	ck_assert_pstr_eq(s_of(it, "title"), title);
	ck_assert_str_eq(s_of(it, "text"), text);
}

/* Appends every ASCII word (letters and digits) of s[0..n) to *words. */
static void add_words(const char *s, size_t n, char ***words, size_t *count, size_t *cap)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
				 (s[j] >= '0' && s[j] <= '9')))
			j++;
		if (j == i) {
			i++;
			continue;
		}
		if (*count == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			*words = xrealloc(*words, *cap * sizeof(**words));
		}
		(*words)[(*count)++] = xstrndup(s + i, j - i);
		i = j;
	}
}

/* add_words over every string and number of a JSON tree. */
static void add_json_words(const cJSON *o, char ***words, size_t *count, size_t *cap)
{
	const cJSON *c;

	if (cJSON_IsString(o))
		add_words(o->valuestring, strlen(o->valuestring), words, count, cap);
	if (cJSON_IsNumber(o)) {
		/* section numbers and workflow steps are JSON numbers */
		char num[32];
		snprintf(num, sizeof(num), "%d", o->valueint);
		add_words(num, strlen(num), words, count, cap);
	}
	cJSON_ArrayForEach(c, o)
		add_json_words(c, words, count, cap);
}

/* Asserts that every word of every line of md occurs in some string of cl
 * (a lost line would take its words with it). */
static void check_no_word_lost(const char *name, const char *md, size_t len, const cJSON *cl)
{
	char **have = NULL, **want = NULL;
	size_t nh = 0, ch = 0, nw = 0, cw = 0;

	add_json_words(cl, &have, &nh, &ch);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(md + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - md) : len;
		char *line = xstrndup(md + i, e - i), *eg;
		size_t skip = 0;
		/* labels the parser turns into keys: the severity table's header
		 * names (level, description, examples), "Red flags" (red_flags)
		 * and "(e.g.," before severity examples */
		if (strncmp(line, "**Red flags**:", 14) == 0)
			skip = 14;
		while ((eg = strstr(line, "(e.g.,")) != NULL)
			memset(eg, ' ', 6);
		if (strncmp(line, "| Severity |", 12) != 0)
			add_words(line + skip, e - i - skip, &want, &nw, &cw);
		free(line);
		i = e + 1;
	}
	qsort(have, nh, sizeof(*have), cmp_str);
	for (size_t i = 0; i < nw; i++)
		ck_assert_msg(bsearch(&want[i], have, nh, sizeof(*have), cmp_str) != NULL,
			      "%s: the word \"%s\" was lost", name, want[i]);
	for (size_t i = 0; i < nh; i++)
		free(have[i]);
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	free(have);
	free(want);
}

/* Asserts that item ids are unique in a checklist. */
static void check_unique_ids(const char *name, const cJSON *cl)
{
	size_t n;
	const cJSON **v = items_of(cl, &n);
	char **ids = xcalloc(n, sizeof(*ids));

	for (size_t i = 0; i < n; i++)
		ids[i] = cJSON_GetObjectItem(v[i], "id")->valuestring;
	qsort(ids, n, sizeof(*ids), cmp_str);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(strcmp(ids[i - 1], ids[i]) != 0, "%s: id %s repeated", name, ids[i]);
	free(ids);
	free(v);
}

/*
 * Parses every checklist of a version and checks each file: item_count
 * equals the independent count, the items found equal item_count, no word
 * is lost, ids are unique, and a second parse gives the same JSON.
 * OUT: *files. Returns the total of items.
 */
static int check_version(const char *version, int *files)
{
	size_t n;
	char **skills = skill_dirs(version, &n);
	int total = 0;

	*files = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len, count;
		char *md = read_checklist(version, skills[i], &len);
		cJSON *a, *b;
		const cJSON **items;
		int expect;

		if (!md) {
			free(skills[i]);
			continue;
		}
		(*files)++;
		a = checklist_parse(md, len);
		b = checklist_parse(md, len);
		expect = count_task_lines(md, len);
		ck_assert_msg(expect > 0, "%s: no items counted", skills[i]);
		ck_assert_msg(checklist_item_count(a) == expect, "%s/%s: %d items, grep counts %d",
			      version, skills[i], checklist_item_count(a), expect);
		items = items_of(a, &count);
		ck_assert_int_eq((int)count, expect);
		free(items);
		ck_assert_msg(cJSON_Compare(a, b, true), "%s: two parses differ", skills[i]);
		check_no_word_lost(skills[i], md, len, a);
		check_unique_ids(skills[i], a);
		ck_assert_msg(cJSON_IsString(cJSON_GetObjectItem(a, "title")), "%s: no title", skills[i]);
		total += expect;
		cJSON_Delete(a);
		cJSON_Delete(b);
		free(md);
		free(skills[i]);
	}
	free(skills);
	return total;
}

/* ---- tests ---- */

START_TEST(test_totals_1_0_0)
{
	int files, total = check_version("booklib-1.0.0", &files);

	ck_assert_int_eq(files, 15);
	ck_assert_int_eq(total, 1038);
}
END_TEST

START_TEST(test_totals_head)
{
	int files, total = check_version("booklib-head", &files);

	ck_assert_int_eq(files, 17);
	ck_assert_int_eq(total, 1261);
}
END_TEST

START_TEST(test_per_file_counts)
{
	static const struct {
		const char *skill;
		int items, sections, workflow, severity;
	} want[] = {
		{ "animation-at-work", 30, 5, 6, 4 },
		{ "clean-code-reviewer", 145, 11, 7, 4 },
		{ "data-intensive-patterns", 71, 11, 0, 4 },
		{ "effective-java", 87, 11, 0, 4 },
		{ "effective-kotlin", 52, 7, 6, 4 },
		{ "effective-python", 78, 10, 7, 4 },
		{ "storytelling-with-data", 47, 7, 7, 4 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cJSON *cl = parse_skill("booklib-head", want[i].skill);
		ck_assert_msg(checklist_item_count(cl) == want[i].items, "%s", want[i].skill);
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cl, "sections")), want[i].sections);
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cl, "workflow")), want[i].workflow);
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cl, "severity")), want[i].severity);
		cJSON_Delete(cl);
	}
}
END_TEST

START_TEST(test_clean_code_reviewer)
{
	cJSON *cl = parse_skill("booklib-head", "clean-code-reviewer");
	const cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "sections"), 0);
	const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "groups"), 0);
	const cJSON *w = cJSON_GetObjectItem(cl, "workflow");
	const cJSON *it, *sv;

	ck_assert_str_eq(s_of(cl, "title"), "Clean Code — Code Review Checklist");
	ck_assert_str_eq(s_of(cl, "book"), "Clean Code");
	ck_assert_int_eq(cJSON_GetObjectItem(s, "number")->valueint, 2);
	ck_assert_str_eq(s_of(s, "title"), "Meaningful Names");
	ck_assert_str_eq(s_of(s, "chapters"), "Chapter 2");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(s, "groups")), 4);
	ck_assert_str_eq(s_of(g, "title"), "Intention and Clarity");

	it = find_item(cl, "2-n1-descriptive-names");
	check_item(it, "C", "N1", "Descriptive names",
		   "Does every name (variable, function, class) tell you *why* it exists, *what* it "
		   "does, and *how* it's used? Would a name require a comment to explain it?");
	ck_assert_int_eq(cJSON_GetObjectItem(it, "line")->valueint, 11);
	it = find_item(cl, "3-g30-do-one-thing");
	check_item(it, "C", "G30", "Do one thing",
		   "Can you extract a meaningfully named function from the body? If yes, the function "
		   "is doing more than one thing.");
	it = find_item(cl, "17-t1");
	check_item(it, "C", "T1", NULL, "Does the test suite cover all logic that could possibly break?");
	it = find_item(cl, "2-no-disinformation");
	ck_assert_str_eq(s_of(it, "shape"), "D");

	ck_assert_int_eq(cJSON_GetArraySize(w), 7);
	it = cJSON_GetArrayItem(w, 5);
	ck_assert_int_eq(cJSON_GetObjectItem(it, "step")->valueint, 6);
	ck_assert_str_eq(s_of(it, "title"), "G-code scan");
	ck_assert_str_eq(s_of(it, "text"), "Run through G1-G36 for systemic smells.");
	sv = cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "severity"), 0);
	ck_assert_str_eq(s_of(sv, "level"), "Critical");
	ck_assert_str_eq(s_of(sv, "description"),
			 "Fundamentally undermines readability or introduces likely bugs");
	ck_assert_str_eq(s_of(sv, "examples"),
			 "Commented-out code (C5), null returns on failure, disabled safeties (G4), dead code (G9)");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_effective_kotlin)
{
	cJSON *cl = parse_skill("booklib-head", "effective-kotlin");
	const cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "sections"), 0);
	const cJSON *it = find_item(cl, "1-item-1-limit-mutability");
	size_t n;
	const cJSON **v;

	ck_assert_str_eq(s_of(s, "title"), "Safety");
	ck_assert_str_eq(s_of(s, "chapters"), "Items 1–10");
	check_item(it, "B", "Item 1", "Limit mutability",
		   "Are `val` and immutable collections used by default? Is `var` used only when truly "
		   "necessary? Are mutable collections encapsulated?");
	ck_assert_str_eq(s_of(it, "markdown"),
			 "- [ ] **Item 1 — Limit mutability** — Are `val` and immutable collections used by "
			 "default? Is `var` used only when truly necessary? Are mutable collections encapsulated?");
	v = items_of(cl, &n);
	ck_assert_uint_eq(n, 52);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(s_of(v[i], "shape"), "B");
	ck_assert_str_eq(s_of(v[51], "id"), "7-item-52-mutable-collections-where-needed");
	free(v);
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_effective_python_severity)
{
	static const char *const levels[] = { "Critical", "High", "Medium", "Low" };
	cJSON *cl = parse_skill("booklib-head", "effective-python");
	const cJSON *sv = cJSON_GetObjectItem(cl, "severity"), *e;

	ck_assert_str_eq(s_of(cl, "severity_title"), "Severity Levels");
	ck_assert_int_eq(cJSON_GetArraySize(sv), 4);
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(s_of(cJSON_GetArrayItem(sv, i), "level"), levels[i]);
	e = cJSON_GetArrayItem(sv, 0);
	ck_assert_str_eq(s_of(e, "description"), "Correctness bugs or unsafe patterns");
	ck_assert_str_eq(s_of(e, "examples"),
			 "Threads for CPU parallelism (Item 53), blocking I/O in async (Item 61), mutable "
			 "default arguments (Item 24), missing Lock on shared state (Item 54)");
	e = cJSON_GetArrayItem(sv, 3);
	ck_assert_str_eq(s_of(e, "description"), "Polish and idiomatic improvements");
	/* "Item 73" appears twice in chapter 8: the titles keep the ids apart */
	check_item(find_item(cl, "8-item-73-heapq-for-priority-queues"), "B", "Item 73",
		   "heapq for priority queues",
		   "Is `heapq` used for priority queue operations rather than re-sorting a list on every insertion?");
	ck_assert_str_eq(s_of(cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "sections"), 0), "chapters"),
			 "Chapter 1; Items 1–10");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_effective_java_bullets_and_red_flags)
{
	cJSON *cl = parse_skill("booklib-1.0.0", "effective-java");
	const cJSON *sv = cJSON_GetObjectItem(cl, "severity"), *e;
	const cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "sections"), 0);

	ck_assert_str_eq(s_of(cl, "book"), "Effective Java");
	ck_assert_str_eq(s_of(cl, "kind"), "Code");
	ck_assert_int_eq(cJSON_GetArraySize(sv), 4);
	e = cJSON_GetArrayItem(sv, 0);
	ck_assert_str_eq(s_of(e, "level"), "Critical");
	ck_assert_str_eq(s_of(e, "description"), "Bug, security vulnerability, or data corruption risk");
	ck_assert_str_eq(s_of(e, "examples"),
			 "missing synchronization on shared mutable data, deserializing untrusted data, "
			 "broken equals/hashCode contract, empty catch block hiding failures");
	ck_assert_str_eq(s_of(cJSON_GetArrayItem(sv, 3), "level"), "Suggestion");
	ck_assert_str_eq(s_of(cl, "extra"),
			 "## Severity Classification\n\nWhen reporting issues, classify them:");
	ck_assert_str_eq(s_of(s, "red_flags"),
			 "Telescoping constructors with 4+ parameters. `new String(\"literal\")`.\n"
			 "`Long sum = 0L` in a loop. Resources closed in finally blocks instead of\n"
			 "try-with-resources. Finalizer or cleaner used for non-native resource cleanup.");
	check_item(find_item(cl, "1-builder-pattern-used-for-classes-with-many"), "E", NULL, NULL,
		   "Builder pattern used for classes with many optional parameters");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_storytelling_keeps_title_quality_table)
{
	cJSON *cl = parse_skill("booklib-head", "storytelling-with-data");
	const cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "sections"), 6);

	ck_assert_str_eq(s_of(s, "title"), "Title Quality Check");
	ck_assert_int_eq(cJSON_GetObjectItem(s, "item_count")->valueint, 0);
	ck_assert_ptr_nonnull(strstr(s_of(s, "intro"),
				     "| **Action title** | \"Northeast Q3 revenue dropped 18% — investigate "
				     "staffing gaps\" | Excellent — takeaway + implication |"));
	check_item(find_item(cl, "2-ch-2-simple-text-for-1-2-numbers"), "A", "Ch 2",
		   "Simple text for 1–2 numbers", "Are standalone metrics shown as large text, not charts?");
	cJSON_Delete(cl);
}
END_TEST

START_TEST(test_data_pipelines_ranged_refs)
{
	cJSON *cl = parse_skill("booklib-head", "data-pipelines");
	const cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "sections"), 1);
	const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "groups"), 0);

	check_item(find_item(cl, "1-ch-1-2-appropriate-infrastructure"), "A", "Ch 1-2",
		   "Appropriate infrastructure",
		   "Is the right storage chosen for the use case (warehouse for analytics, lake for raw/unstructured)?");
	ck_assert_str_eq(s_of(s, "chapters"), "Chapters 4–7");
	ck_assert_str_eq(s_of(g, "id"), "s2-g1");
	ck_assert_str_eq(s_of(g, "title"), "Database Ingestion");
	ck_assert_str_eq(s_of(g, "chapters"), "Ch 4");
	cJSON_Delete(cl);
}
END_TEST

Suite *corpus_checklist_suite(void)
{
	Suite *s = suite_create("corpus_checklist");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_totals_1_0_0);
	tcase_add_test(tc, test_totals_head);
	tcase_add_test(tc, test_per_file_counts);
	tcase_add_test(tc, test_clean_code_reviewer);
	tcase_add_test(tc, test_effective_kotlin);
	tcase_add_test(tc, test_effective_python_severity);
	tcase_add_test(tc, test_effective_java_bullets_and_red_flags);
	tcase_add_test(tc, test_storytelling_keeps_title_quality_table);
	tcase_add_test(tc, test_data_pipelines_ranged_refs);
	suite_add_tcase(s, tc);
	return s;
}
