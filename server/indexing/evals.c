/* SPDX-License-Identifier: MIT */
/*
 * evals: parses evals/evals.json with cJSON_ParseWithLengthOpts (the error
 * position comes from its return_parse_end, never from the global
 * cJSON_GetErrorPtr) and normalises both shapes found in the wild into one.
 * Everything is local to the call; thread safe.
 */
#include "skilld/indexing/evals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

#define EVALS_SHAPE_EXPECTATIONS "expectations"
#define EVALS_SHAPE_ASSERTIONS "assertions"
#define POSITION_MAX 0x3fffffff /* lines and columns stay far from INT_MAX */

/* Aborts like xmalloc when cJSON could not allocate; never about input. */
static cJSON *evals_alloc_check(cJSON *j)
{
	if (!j) {
		fputs("skilld: out of memory in cJSON\n", stderr);
		abort();
	}
	return j;
}

/* 1-based line and column (in code points) of byte offset off of text,
 * not counting a leading BOM as a column; both at most POSITION_MAX. */
static void evals_position(const char *text, size_t len, size_t off, int *line, int *column)
{
	size_t skip = 0, l, c;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 && off >= 3)
		skip = 3;
	text_position(text + skip, len - skip, off - skip, &l, &c);
	*line = l < POSITION_MAX ? (int)l + 1 : POSITION_MAX;
	*column = c < POSITION_MAX ? (int)c + 1 : POSITION_MAX;
}

/* How many bytes of p[0..n) to quote in a message: up to 16 printable
 * ASCII characters, stopping at anything else. */
static int evals_excerpt(const char *p, size_t n)
{
	int i = 0;

	while ((size_t)i < n && i < 16 && p[i] >= ' ' && p[i] <= '~')
		i++;
	return i;
}

/* Parses the JSON text; reports a syntax error or trailing text. Returns
 * the tree (cJSON_Delete) or NULL. */
static cJSON *evals_parse_json(const char *text, size_t len, const char *path,
			       struct diag_list *diags)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	size_t off;
	int line, column;

	if (root) {
		off = (size_t)(end - text);
		while (off < len && text[off] != '\0' && strchr(" \t\r\n", text[off]))
			off++;
		if (off >= len)
			return root;
		cJSON_Delete(root);
		evals_position(text, len, off, &line, &column);
		diag_add(diags, DIAG_ERROR, "evals-invalid-json", path, line, column,
			 "invalid JSON: unexpected text after the end of the document");
		return NULL;
	}
	off = end && end >= text ? (size_t)(end - text) : 0;
	evals_position(text, len, off, &line, &column);
	if (len == 0) {
		diag_add(diags, DIAG_ERROR, "evals-invalid-json", path, line, column,
			 "invalid JSON: the file is empty");
		return NULL;
	}
	diag_add(diags, DIAG_ERROR, "evals-invalid-json", path, line, column,
		 "invalid JSON: syntax error at line %d, column %d, near `%.*s`", line, column,
		 evals_excerpt(text + off, len - off), text + off);
	return NULL;
}

/* The id as a string (free()): strings as they are, numbers without a
 * fraction as integers; NULL for anything else. */
static char *evals_id(const cJSON *id)
{
	double v;

	if (cJSON_IsString(id))
		return xstrdup(id->valuestring);
	if (!cJSON_IsNumber(id))
		return NULL;
	v = id->valuedouble;
	if (v >= -1e15 && v <= 1e15 && v == (double)(long long)v)
		return xasprintf("%lld", (long long)v);
	return xasprintf("%.17g", v);
}

/* The text of one expectation or assertion: a string, or an object's
 * "text" or "description" string; NULL otherwise. */
static const char *evals_expectation_text(const cJSON *item)
{
	const cJSON *t;

	if (cJSON_IsString(item))
		return item->valuestring;
	if (!cJSON_IsObject(item))
		return NULL;
	t = cJSON_GetObjectItemCaseSensitive(item, "text");
	if (cJSON_IsString(t))
		return t->valuestring;
	t = cJSON_GetObjectItemCaseSensitive(item, "description");
	return cJSON_IsString(t) ? t->valuestring : NULL;
}

/* True when an eval object is written in the second shape: it has
 * assertions and no expectations, or neither but expected_output or files. */
static bool evals_is_assertion_shape(const cJSON *e)
{
	if (cJSON_HasObjectItem(e, "expectations"))
		return false;
	return cJSON_HasObjectItem(e, "assertions") || cJSON_HasObjectItem(e, "expected_output") ||
	       cJSON_HasObjectItem(e, "files");
}

/* Copies the texts of list (may be NULL) into a new array owned by the
 * caller; entries without text are counted in *dropped. */
static cJSON *evals_string_list(const cJSON *list, size_t *dropped)
{
	cJSON *out = evals_alloc_check(cJSON_CreateArray());
	const cJSON *item;

	cJSON_ArrayForEach(item, list) {
		const char *s = evals_expectation_text(item);
		if (s)
			cJSON_AddItemToArray(out, evals_alloc_check(cJSON_CreateString(s)));
		else
			(*dropped)++;
	}
	return out;
}

/*
 * Normalises eval number n (1-based) into a new object (caller owns it),
 * or returns NULL with a warning when it has no prompt. Warns about fields
 * of the wrong type, which are left empty.
 */
static cJSON *evals_one(const cJSON *e, int n, const char *path, struct diag_list *diags)
{
	const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(e, "prompt");
	const cJSON *exp, *out, *files;
	const char *exp_key = "expectations";
	cJSON *norm, *list;
	char *id;
	size_t dropped = 0;

	if (!cJSON_IsObject(e) || !cJSON_IsString(prompt)) {
		diag_add(diags, DIAG_WARNING, "evals-bad-eval", path, 0, 0,
			 "eval #%d is skipped: it is not an object with a \"prompt\" string", n);
		return NULL;
	}
	norm = evals_alloc_check(cJSON_CreateObject());

	id = evals_id(cJSON_GetObjectItemCaseSensitive(e, "id"));
	if (!id) {
		id = xasprintf("%d", n);
		diag_add(diags, DIAG_WARNING, "evals-missing-id", path, 0, 0,
			 "eval #%d has no string or number \"id\"; it is called \"%s\"", n, id);
	}
	cJSON_AddItemToObject(norm, "id", evals_alloc_check(cJSON_CreateString(id)));
	free(id);
	cJSON_AddItemToObject(norm, "prompt", evals_alloc_check(cJSON_CreateString(prompt->valuestring)));

	exp = cJSON_GetObjectItemCaseSensitive(e, "expectations");
	if (!exp) {
		exp_key = "assertions";
		exp = cJSON_GetObjectItemCaseSensitive(e, "assertions");
	}
	if (exp && !cJSON_IsArray(exp)) {
		diag_add(diags, DIAG_WARNING, "evals-bad-field", path, 0, 0,
			 "eval #%d: \"%s\" is not an array", n, exp_key);
		exp = NULL;
	}
	list = evals_string_list(exp, &dropped);
	if (dropped)
		diag_add(diags, DIAG_WARNING, "evals-bad-field", path, 0, 0,
			 "eval #%d: %zu %s without text skipped", n, dropped, exp_key);
	if (cJSON_GetArraySize(list) == 0)
		diag_add(diags, DIAG_WARNING, "evals-no-expectations", path, 0, 0,
			 "eval #%d has no expectations or assertions", n);
	cJSON_AddItemToObject(norm, "expectations", list);

	out = cJSON_GetObjectItemCaseSensitive(e, "expected_output");
	if (cJSON_IsString(out)) {
		cJSON_AddItemToObject(norm, "expected_output",
				      evals_alloc_check(cJSON_CreateString(out->valuestring)));
	} else {
		if (out && !cJSON_IsNull(out))
			diag_add(diags, DIAG_WARNING, "evals-bad-field", path, 0, 0,
				 "eval #%d: \"expected_output\" is not a string", n);
		cJSON_AddItemToObject(norm, "expected_output", evals_alloc_check(cJSON_CreateNull()));
	}

	files = cJSON_GetObjectItemCaseSensitive(e, "files");
	if (files && !cJSON_IsArray(files)) {
		diag_add(diags, DIAG_WARNING, "evals-bad-field", path, 0, 0,
			 "eval #%d: \"files\" is not an array", n);
		files = NULL;
	}
	dropped = 0;
	list = evals_alloc_check(cJSON_CreateArray());
	cJSON_ArrayForEach(out, files) {
		if (cJSON_IsString(out))
			cJSON_AddItemToArray(list, evals_alloc_check(cJSON_CreateString(out->valuestring)));
		else
			dropped++;
	}
	if (dropped)
		diag_add(diags, DIAG_WARNING, "evals-bad-field", path, 0, 0,
			 "eval #%d: %zu \"files\" entries that are not strings skipped", n, dropped);
	cJSON_AddItemToObject(norm, "files", list);
	return norm;
}

int evals_parse(const char *text, size_t len, const char *path, cJSON **out,
		struct evals_summary *sum, struct diag_list *diags)
{
	cJSON *root, *result = NULL, *list;
	const cJSON *evals, *name = NULL, *e;
	const char *shape = NULL;
	double lines = 0, expectations = 0;
	int n = 0, kept = 0;

	*out = NULL;
	memset(sum, 0, sizeof(*sum));
	if (!text) {
		text = "";
		len = 0;
	}
	root = evals_parse_json(text, len, path, diags);
	if (!root)
		return -1;

	if (cJSON_IsArray(root)) {
		evals = root;
		diag_add(diags, DIAG_WARNING, "evals-bare-array", path, 1, 1,
			 "the file is a bare array of evals; expected {\"evals\": [...]}");
	} else {
		evals = cJSON_GetObjectItemCaseSensitive(root, "evals");
		name = cJSON_GetObjectItemCaseSensitive(root, "skill_name");
	}
	if (!cJSON_IsArray(evals)) {
		diag_add(diags, DIAG_ERROR, "evals-bad-shape", path, 1, 1,
			 "expected an object with an \"evals\" array");
		cJSON_Delete(root);
		return -1;
	}
	if (name && !cJSON_IsString(name)) {
		diag_add(diags, DIAG_WARNING, "evals-bad-field", path, 0, 0,
			 "\"skill_name\" is not a string");
		name = NULL;
	}

	result = evals_alloc_check(cJSON_CreateObject());
	list = evals_alloc_check(cJSON_CreateArray());
	cJSON_ArrayForEach(e, evals) {
		cJSON *norm = evals_one(e, ++n, path, diags);
		const char *prompt;

		if (!norm)
			continue;
		if (!shape)
			shape = evals_is_assertion_shape(e) ? EVALS_SHAPE_ASSERTIONS
							    : EVALS_SHAPE_EXPECTATIONS;
		prompt = cJSON_GetObjectItemCaseSensitive(norm, "prompt")->valuestring;
		lines += (double)text_count_lines(prompt, strlen(prompt));
		expectations += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(norm, "expectations"));
		cJSON_AddItemToArray(list, norm);
		kept++;
	}
	if (!shape)
		shape = name ? EVALS_SHAPE_ASSERTIONS : EVALS_SHAPE_EXPECTATIONS;

	cJSON_AddItemToObject(result, "shape", evals_alloc_check(cJSON_CreateString(shape)));
	cJSON_AddItemToObject(result, "skill_name",
			      evals_alloc_check(name ? cJSON_CreateString(name->valuestring)
						     : cJSON_CreateNull()));
	cJSON_AddItemToObject(result, "evals", list);
	cJSON_Delete(root);

	sum->valid = true;
	sum->count = kept;
	if (kept > 0) {
		sum->prompt_avg_lines = lines / kept;
		sum->expectations_avg = expectations / kept;
	}
	*out = result;
	return 0;
}
