/* SPDX-License-Identifier: MIT */
/*
 * validate: checks a skill's frontmatter against the open Agent Skills
 * specification and grades the skill into the collection's quality tiers
 * (DESIGN.md §1). Both are tables: one rule per frontmatter field, one entry
 * per tier check. It reads only the facts it is given and keeps no state, so
 * any number of threads may call it at once, each with its own diag_list.
 */
#include "skilld/indexing/validate.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

#define NAME_MAX_CHARS          64
#define DESCRIPTION_MAX_CHARS   1024
#define COMPATIBILITY_MAX_CHARS 500

#define TIER_DESCRIPTION_MIN    50
#define TIER_SKILL_MD_MAX_LINES 500
#define TIER_BODY_MORE_THAN     30
#define TIER_EXAMPLE_MIN_LINES  10
#define TIER_EVALS_MIN          3
#define TIER_PROMPT_MIN_AVG     8.0
#define TIER_EXPECT_MIN_AVG     5.0

#define NAME_PATTERN "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

/* A quoted value shows at most this many code points, then "…". */
#define QUOTE_MAX_CHARS 60
/* Worst case: every code point escaped as \uXXXX (6 bytes), plus two
 * quotes, the 3-byte ellipsis and the NUL. */
#define QUOTE_BUF (QUOTE_MAX_CHARS * 6 + 8)

/* Marks a malformed UTF-8 byte in decode_at's output. */
#define CP_INVALID UINT32_MAX

/* One run of the specification checks: where to report and what was added. */
struct vctx {
	const struct skill_facts *f;
	struct diag_list *diags;
	int errors;
	int warnings;
};

/* Decodes the code point at p, which is NUL terminated; sets *cp (CP_INVALID
 * for a malformed byte) and returns the bytes consumed, at least 1. */
static size_t decode_at(const unsigned char *p, uint32_t *cp)
{
	const char *s = (const char *)p;
	size_t len = utf8_decode(s, s[0] ? strnlen(s, 4) : 1, cp);

	if (len == 0) {
		*cp = CP_INVALID;
		return 1;
	}
	return len;
}

/* Writes one decoded code point (src[0..len) in the input) to dst in a
 * printable form; returns the bytes written, at most 6. */
static size_t put_printable(char *dst, const unsigned char *src, size_t len, uint32_t cp)
{
	if (cp == CP_INVALID) {
		memcpy(dst, "\xEF\xBF\xBD", 3);  /* U+FFFD */
		return 3;
	}
	if (cp == '\n' || cp == '\r' || cp == '\t') {
		dst[0] = '\\';
		dst[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
		return 2;
	}
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
		snprintf(dst, 7, "\\u%04X", (unsigned)cp);
		return 6;
	}
	memcpy(dst, src, len);
	return len;
}

/* Fills out with s quoted for a message: at most QUOTE_MAX_CHARS code points
 * cut on a character boundary, then "…"; control characters escaped and
 * malformed UTF-8 shown as U+FFFD, so the result is valid, printable UTF-8.
 * Returns out. */
static const char *quote(char out[QUOTE_BUF], const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	out[n++] = '\'';
	for (size_t chars = 0; *p && chars < QUOTE_MAX_CHARS; chars++) {
		uint32_t cp;
		size_t len = decode_at(p, &cp);

		n += put_printable(out + n, p, len, cp);
		p += len;
	}
	if (*p) {
		memcpy(out + n, "\xE2\x80\xA6", 3);
		n += 3;
	}
	out[n++] = '\'';
	out[n] = '\0';
	assert(n < QUOTE_BUF);
	return out;
}

/* Names the character at p for a message: "a space", "'M'", "U+000A" or
 * "an invalid UTF-8 byte". Returns out. */
static const char *describe_char(char out[32], const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t cp;
	size_t len = decode_at(u, &cp);

	if (cp == CP_INVALID)
		snprintf(out, 32, "an invalid UTF-8 byte");
	else if (cp == ' ')
		snprintf(out, 32, "a space");
	else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		snprintf(out, 32, "the control character U+%04X", (unsigned)cp);
	else
		snprintf(out, 32, "'%.*s'", (int)len, p);
	return out;
}

/* "s" unless n is 1, for counts in messages. */
static const char *plural(long n)
{
	return n == 1 ? "" : "s";
}

/* True when s holds nothing but ASCII white space (or nothing at all). */
static bool is_blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return false;
	return true;
}

/* True for a key given without a value (`key:`, `key: ~`). */
static bool is_no_value(const cJSON *v)
{
	return cJSON_IsNull(v) || (cJSON_IsString(v) && !v->valuestring);
}

/* What kind of JSON value the frontmatter gave, as a message fragment. */
static const char *json_kind(const cJSON *v)
{
	if (is_no_value(v))
		return "no value";
	if (cJSON_IsArray(v))
		return "a list";
	if (cJSON_IsObject(v))
		return "a map";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a true/false value";
	if (cJSON_IsString(v))
		return "a string";
	return "a value of another kind";
}

/* Adds one diagnostic about SKILL.md and counts it. */
static void report(struct vctx *v, enum diag_severity sev, const char *code,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void report(struct vctx *v, enum diag_severity sev, const char *code,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_addv(v->diags, sev, code, v->f->skill_md_path, 0, 0, fmt, ap);
	va_end(ap);
	if (sev == DIAG_ERROR)
		v->errors++;
	else if (sev == DIAG_WARNING)
		v->warnings++;
}

/* Sets *out to the string value of key (NULL when absent or null). Returns
 * false, after reporting field-not-string, when the value is another kind:
 * the caller then has nothing more to say about the field. */
static bool field_string(struct vctx *v, const char *key, const cJSON *val, const char **out)
{
	*out = NULL;
	if (!val || is_no_value(val))
		return true;
	if (cJSON_IsString(val)) {
		*out = val->valuestring;
		return true;
	}
	report(v, DIAG_ERROR, "field-not-string",
	       "%s must be a string, but the frontmatter gives %s", key, json_kind(val));
	return false;
}

/* Reports a required field that is absent, without a value, or blank (s);
 * needs says what the field must hold. */
static void report_missing(struct vctx *v, const char *code, const char *key,
			   const cJSON *val, const char *s, const char *needs)
{
	if (!val)
		report(v, DIAG_ERROR, code,
		       "%s is required, but the frontmatter has no '%s' key", key, key);
	else if (!s)
		report(v, DIAG_ERROR, code,
		       "%s is required, but the frontmatter gives it no value", key);
	else if (!*s)
		report(v, DIAG_ERROR, code, "%s is empty; it needs %s", key, needs);
	else
		report(v, DIAG_ERROR, code, "%s holds only white space; it needs %s", key, needs);
}

/* name: required, 1–64 of a-z 0-9 -, no edge or doubled hyphen, equal to
 * the folder. Each broken rule is its own error, so each says what to fix. */
static void rule_name(struct vctx *v, const cJSON *val)
{
	const char *folder = v->f->folder;
	char q[QUOTE_BUF], qf[QUOTE_BUF], c[32];
	const char *s, *bad;
	size_t chars;

	if (!field_string(v, "name", val, &s))
		return;
	if (!s || !*s) {
		report_missing(v, "name-missing", "name", val, s,
			       "1–64 lowercase letters, digits and hyphens");
		return;
	}
	quote(q, s);
	chars = utf8_length(s);
	if (chars > NAME_MAX_CHARS)
		report(v, DIAG_ERROR, "name-invalid",
		       "name %s is %zu characters long; the limit is %d",
		       q, chars, NAME_MAX_CHARS);
	bad = s + strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
	if (*bad)
		report(v, DIAG_ERROR, "name-invalid",
		       "name %s may only contain lowercase letters, digits and hyphens, but it contains %s",
		       q, describe_char(c, bad));
	if (s[0] == '-' || s[strlen(s) - 1] == '-')
		report(v, DIAG_ERROR, "name-invalid",
		       "name %s must not start or end with a hyphen", q);
	if (strstr(s, "--"))
		report(v, DIAG_ERROR, "name-invalid",
		       "name %s must not contain two hyphens in a row", q);
	if (folder && *folder && strcmp(s, folder) != 0)
		report(v, DIAG_ERROR, "name-mismatch",
		       "name %s differs from the folder name %s; they must be equal",
		       q, quote(qf, folder));
}

/* description: required, not blank, at most 1024 code points counted on the
 * value as given (a `|` or `>` block's final newline counts, as it does in
 * the reference tools). */
static void rule_description(struct vctx *v, const cJSON *val)
{
	char q[QUOTE_BUF];
	const char *s;
	size_t chars;

	if (!field_string(v, "description", val, &s))
		return;
	if (!s || is_blank(s)) {
		report_missing(v, "description-missing", "description", val, s,
			       "1–1024 characters of text");
		return;
	}
	chars = utf8_length(s);
	if (chars > DESCRIPTION_MAX_CHARS)
		report(v, DIAG_ERROR, "description-too-long",
		       "description %s is %zu characters long; the limit is %d",
		       quote(q, s), chars, DESCRIPTION_MAX_CHARS);
}

/* license: any string. */
static void rule_license(struct vctx *v, const cJSON *val)
{
	const char *s;

	field_string(v, "license", val, &s);
}

/* compatibility: when given, 1–500 code points of text. */
static void rule_compatibility(struct vctx *v, const cJSON *val)
{
	char q[QUOTE_BUF];
	const char *s;
	size_t chars;

	if (!field_string(v, "compatibility", val, &s) || !s)
		return;
	if (is_blank(s)) {
		report(v, DIAG_ERROR, "compatibility-empty",
		       "compatibility is empty; when given it needs 1–%d characters of text",
		       COMPATIBILITY_MAX_CHARS);
		return;
	}
	chars = utf8_length(s);
	if (chars > COMPATIBILITY_MAX_CHARS)
		report(v, DIAG_ERROR, "compatibility-too-long",
		       "compatibility %s is %zu characters long; the limit is %d",
		       quote(q, s), chars, COMPATIBILITY_MAX_CHARS);
}

/* metadata: when given, a map whose every value is a string. */
static void rule_metadata(struct vctx *v, const cJSON *val)
{
	char q[QUOTE_BUF];
	const cJSON *item;

	if (!val || is_no_value(val))
		return;
	if (!cJSON_IsObject(val)) {
		report(v, DIAG_ERROR, "metadata-invalid",
		       "metadata must be a map of strings to strings, but the frontmatter gives %s",
		       json_kind(val));
		return;
	}
	cJSON_ArrayForEach(item, val) {
		if (cJSON_IsString(item) && !is_no_value(item))
			continue;
		report(v, DIAG_ERROR, "metadata-invalid",
		       "metadata value for %s must be a string, but the frontmatter gives %s",
		       quote(q, item->string ? item->string : ""), json_kind(item));
	}
}

/* True when s has a comma outside parentheses: "Read, Grep" but not
 * "Bash(git add:*,x)". */
static bool has_comma_outside_parens(const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && depth > 0)
			depth--;
		else if (*s == ',' && depth == 0)
			return true;
	}
	return false;
}

/* allowed-tools: when given, a space-separated string. Commas are legal
 * characters but almost always a misreading of the format, so they warn. */
static void rule_allowed_tools(struct vctx *v, const cJSON *val)
{
	char q[QUOTE_BUF];
	const char *s;

	if (!field_string(v, "allowed-tools", val, &s) || !s)
		return;
	if (has_comma_outside_parens(s))
		report(v, DIAG_WARNING, "allowed-tools-commas",
		       "allowed-tools %s separates tools with commas; the specification separates them with spaces",
		       quote(q, s));
}

struct field_rule {
	const char *key;
	void (*check)(struct vctx *v, const cJSON *val);  /* val NULL when absent */
};

static const struct field_rule field_rules[] = {
	{ "name", rule_name },
	{ "description", rule_description },
	{ "license", rule_license },
	{ "compatibility", rule_compatibility },
	{ "metadata", rule_metadata },
	{ "allowed-tools", rule_allowed_tools },
};

#define N_FIELD_RULES (sizeof(field_rules) / sizeof(field_rules[0]))

/* ASCII-only lower case, independent of the locale. */
static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The specification key that key probably meant (equal ignoring ASCII case
 * and '_' for '-'), or NULL. */
static const char *near_known_key(const char *key)
{
	for (size_t i = 0; i < N_FIELD_RULES; i++) {
		const char *a = key, *b = field_rules[i].key;

		while (*a && *b && (ascii_lower(*a) == *b || (*a == '_' && *b == '-'))) {
			a++;
			b++;
		}
		if (!*a && !*b)
			return field_rules[i].key;
	}
	return NULL;
}

/* True when key is one of the specification's fields. */
static bool is_known_key(const char *key)
{
	for (size_t i = 0; i < N_FIELD_RULES; i++)
		if (!strcmp(key, field_rules[i].key))
			return true;
	return false;
}

/* Runs every field rule, then warns once per key outside the specification,
 * in document order. fields may be NULL (an empty mapping). */
static void check_spec(struct vctx *v, const cJSON *fields)
{
	char q[QUOTE_BUF];
	const cJSON *item;

	for (size_t i = 0; i < N_FIELD_RULES; i++)
		field_rules[i].check(v, cJSON_GetObjectItemCaseSensitive(fields, field_rules[i].key));
	cJSON_ArrayForEach(item, fields) {
		const char *key = item->string ? item->string : "";
		const char *near;

		if (is_known_key(key))
			continue;
		near = near_known_key(key);
		if (near)
			report(v, DIAG_WARNING, "unknown-key",
			       "unknown frontmatter key %s (kept; not part of the Agent Skills specification); did you mean '%s'?",
			       quote(q, key), near);
		else
			report(v, DIAG_WARNING, "unknown-key",
			       "unknown frontmatter key %s (kept; not part of the Agent Skills specification)",
			       quote(q, key));
	}
}

/* ---- quality tiers ---- */

enum tier {
	TIER_BRONZE,
	TIER_SILVER,
	TIER_GOLD,
	TIER_PLATINUM,
	TIER_COUNT,
};

static const char *const tier_names[TIER_COUNT] = {
	"bronze", "silver", "gold", "platinum",
};

/* The frontmatter's string value for key, or NULL. */
static const char *fact_string(const struct skill_facts *f, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(f->fields))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(f->fields, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The file name of SKILL.md (it may be skill.md) for messages. */
static const char *skill_md_name(const struct skill_facts *f)
{
	const char *p = f->skill_md_path, *slash;

	if (!p || !*p)
		return "SKILL.md";
	slash = strrchr(p, '/');
	return slash && slash[1] ? slash + 1 : p;
}

/* Formats a mean for a message, cut (not rounded) to two decimals so that a
 * failing 7.999 reads "7.99", never "8"; trailing zeros are dropped. */
static const char *fmt_mean(char out[48], double x)
{
	char *dot;
	size_t n;

	if (!isfinite(x) || x < 0)
		x = 0;
	if (x >= 1e9) {
		snprintf(out, 48, "%.3g", x);
		return out;
	}
	snprintf(out, 48, "%.10f", x);
	dot = strchr(out, '.');
	if (!dot)
		return out;
	dot[3] = '\0';
	n = strlen(out);
	while (out[n - 1] == '0')
		out[--n] = '\0';
	if (out[n - 1] == '.')
		out[n - 1] = '\0';
	return out;
}

/* True when the name matches NAME_PATTERN: lowercase words of letters and
 * digits joined by single hyphens, starting with a letter. */
static bool name_format_ok(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (const char *p = s; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
		bool next_alnum = (p[1] >= 'a' && p[1] <= 'z') || (p[1] >= '0' && p[1] <= '9');

		if (!alnum && !(*p == '-' && next_alnum))
			return false;
	}
	return true;
}

/* Length of the line terminator at p as a JavaScript "." sees it (\n, \r,
 * U+2028, U+2029), or 0. */
static size_t js_line_end(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (u[0] == '\n' || u[0] == '\r')
		return 1;
	/* Byte by byte: each test stops at the NUL before reading past it. */
	if (u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
		return 3;
	return 0;
}

/* True when p starts with lower (all lowercase ASCII), ignoring ASCII case. */
static bool starts_with_ci(const char *p, const char *lower)
{
	for (; *lower; p++, lower++)
		if (ascii_lower(*p) != *lower)
			return false;
	return true;
}

/*
 * The original tool's test /trigger|use when|use for|when.*ask|when.*mention/i
 * done by hand: the alternatives are ASCII and JavaScript's non-unicode /i
 * folds no non-ASCII character onto ASCII, so ASCII case folding is exact.
 * "." stops at \n, \r, U+2028 and U+2029, so "when" and "ask"/"mention" must
 * share a line. YAML folds the lines of `>` blocks and of multi-line plain or
 * quoted scalars into spaces, so only `|` blocks, blank lines inside `>`
 * blocks and "\n" escapes leave newlines in a description. Returns the
 * phrase found, quoted, or NULL.
 */
static const char *trigger_phrase(const char *s)
{
	static const char *const literals[] = { "trigger", "use when", "use for" };
	static const char *const labels[] = { "'trigger'", "'use when'", "'use for'" };
	bool when_on_line = false;

	while (*s) {
		size_t eol = js_line_end(s);

		if (eol) {
			when_on_line = false;
			s += eol;
			continue;
		}
		for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++)
			if (starts_with_ci(s, literals[i]))
				return labels[i];
		if (when_on_line && starts_with_ci(s, "ask"))
			return "'when … ask'";
		if (when_on_line && starts_with_ci(s, "mention"))
			return "'when … mention'";
		if (starts_with_ci(s, "when"))
			when_on_line = true;
		s++;
	}
	return NULL;
}

/* Bronze: the frontmatter name equals the folder name. */
static bool tc_name_matches_folder(const struct skill_facts *f, struct buf *msg)
{
	const char *name = fact_string(f, "name");
	char q[QUOTE_BUF], qf[QUOTE_BUF];

	if (!name) {
		buf_puts(msg, "the frontmatter gives no name to compare with the folder name");
		return false;
	}
	if (!f->folder || !*f->folder) {
		buf_printf(msg, "name %s cannot be compared: the folder name is unknown", quote(q, name));
		return false;
	}
	if (strcmp(name, f->folder) != 0) {
		buf_printf(msg, "name %s differs from the folder name %s",
			   quote(q, name), quote(qf, f->folder));
		return false;
	}
	buf_printf(msg, "name %s equals the folder name", quote(q, name));
	return true;
}

/* Bronze: the name matches NAME_PATTERN. */
static bool tc_name_format(const struct skill_facts *f, struct buf *msg)
{
	const char *name = fact_string(f, "name");
	char q[QUOTE_BUF];

	if (!name) {
		buf_puts(msg, "the frontmatter gives no name; it needs to match " NAME_PATTERN);
		return false;
	}
	if (!name_format_ok(name)) {
		buf_printf(msg, "name %s does not match " NAME_PATTERN, quote(q, name));
		return false;
	}
	buf_printf(msg, "name %s matches " NAME_PATTERN, quote(q, name));
	return true;
}

/* Bronze: the description has 50–1024 code points. */
static bool tc_description_length(const struct skill_facts *f, struct buf *msg)
{
	const char *d = fact_string(f, "description");
	size_t n;

	if (!d) {
		buf_printf(msg, "the frontmatter gives no description; needs %d–%d characters",
			   TIER_DESCRIPTION_MIN, DESCRIPTION_MAX_CHARS);
		return false;
	}
	n = utf8_length(d);
	buf_printf(msg, "description is %zu character%s; needs %d–%d", n, plural((long)n),
		   TIER_DESCRIPTION_MIN, DESCRIPTION_MAX_CHARS);
	return n >= TIER_DESCRIPTION_MIN && n <= DESCRIPTION_MAX_CHARS;
}

/* Bronze: the description says when to use the skill. */
static bool tc_description_trigger(const struct skill_facts *f, struct buf *msg)
{
	const char *d = fact_string(f, "description");
	const char *phrase = d ? trigger_phrase(d) : NULL;

	if (!d) {
		buf_puts(msg, "the frontmatter gives no description, so nothing says when to use "
			 "the skill ('trigger', 'use when', 'use for', 'when … ask', 'when … mention')");
		return false;
	}
	if (!phrase) {
		buf_puts(msg, "description does not say when to use the skill: it contains none of "
			 "'trigger', 'use when', 'use for', 'when … ask', 'when … mention'");
		return false;
	}
	buf_printf(msg, "description says when to use the skill (it contains %s)", phrase);
	return true;
}

/* Bronze: SKILL.md has at most 500 lines. */
static bool tc_skill_md_lines(const struct skill_facts *f, struct buf *msg)
{
	int n = f->skill_md_lines > 0 ? f->skill_md_lines : 0;

	buf_printf(msg, "%s is %d line%s; needs at most %d", skill_md_name(f), n,
		   plural(n), TIER_SKILL_MD_MAX_LINES);
	return n <= TIER_SKILL_MD_MAX_LINES;
}

/* Bronze: the body after the frontmatter has more than 30 lines. */
static bool tc_body_lines(const struct skill_facts *f, struct buf *msg)
{
	int n = f->body_lines > 0 ? f->body_lines : 0;

	buf_printf(msg, "body is %d line%s after the frontmatter; needs more than %d",
		   n, plural(n), TIER_BODY_MORE_THAN);
	return n > TIER_BODY_MORE_THAN;
}

/* Shared by the two example checks; lines is -1 (or below) when absent. */
static bool example_check(const char *path, int lines, struct buf *msg)
{
	if (lines < 0) {
		buf_printf(msg, "%s is missing; needs at least %d lines", path, TIER_EXAMPLE_MIN_LINES);
		return false;
	}
	buf_printf(msg, "%s is %d line%s; needs at least %d", path, lines, plural(lines),
		   TIER_EXAMPLE_MIN_LINES);
	return lines >= TIER_EXAMPLE_MIN_LINES;
}

/* Silver: examples/before.md has at least 10 lines. */
static bool tc_example_before(const struct skill_facts *f, struct buf *msg)
{
	return example_check("examples/before.md", f->before_lines, msg);
}

/* Silver: examples/after.md has at least 10 lines. */
static bool tc_example_after(const struct skill_facts *f, struct buf *msg)
{
	return example_check("examples/after.md", f->after_lines, msg);
}

/* True when the eval figures mean something: a valid file with evals. */
static bool evals_usable(const struct skill_facts *f)
{
	return f->evals_present && f->evals_valid && f->evals_count > 0;
}

/* Gold: evals/evals.json exists and parsed. */
static bool tc_evals_valid(const struct skill_facts *f, struct buf *msg)
{
	if (!f->evals_present) {
		buf_puts(msg, "evals/evals.json is missing");
		return false;
	}
	if (!f->evals_valid) {
		buf_puts(msg, "evals/evals.json is present but not valid");
		return false;
	}
	buf_puts(msg, "evals/evals.json is present and valid");
	return true;
}

/* Gold: at least 3 evals. */
static bool tc_evals_count(const struct skill_facts *f, struct buf *msg)
{
	int n = evals_usable(f) ? f->evals_count : 0;

	if (f->evals_present && f->evals_valid)
		buf_printf(msg, "evals/evals.json holds %d eval%s; needs at least %d",
			   n, plural(n), TIER_EVALS_MIN);
	else
		buf_printf(msg, "there is no valid evals/evals.json, so 0 evals; needs at least %d",
			   TIER_EVALS_MIN);
	return n >= TIER_EVALS_MIN;
}

/* Gold: prompts average at least 8 lines. */
static bool tc_eval_prompt_lines(const struct skill_facts *f, struct buf *msg)
{
	char m[48];

	if (!evals_usable(f)) {
		buf_printf(msg, "there are no valid evals to average; prompts need at least %g lines on average",
			   TIER_PROMPT_MIN_AVG);
		return false;
	}
	buf_printf(msg, "prompts average %s lines; needs at least %g",
		   fmt_mean(m, f->prompt_avg_lines), TIER_PROMPT_MIN_AVG);
	return f->prompt_avg_lines >= TIER_PROMPT_MIN_AVG;
}

/* Gold: at least 5 expectations per eval on average. */
static bool tc_eval_expectations(const struct skill_facts *f, struct buf *msg)
{
	char m[48];

	if (!evals_usable(f)) {
		buf_printf(msg, "there are no valid evals to average; evals need at least %g expectations on average",
			   TIER_EXPECT_MIN_AVG);
		return false;
	}
	buf_printf(msg, "evals average %s expectations; needs at least %g",
		   fmt_mean(m, f->expectations_avg), TIER_EXPECT_MIN_AVG);
	return f->expectations_avg >= TIER_EXPECT_MIN_AVG;
}

/* Gold: references/ holds a markdown file. */
static bool tc_references_md(const struct skill_facts *f, struct buf *msg)
{
	int n = f->reference_md_count > 0 ? f->reference_md_count : 0;

	buf_printf(msg, "references/ holds %d .md file%s; needs at least 1", n, plural(n));
	return n >= 1;
}

/* Platinum: scripts/ holds a file not starting with a dot. */
static bool tc_scripts(const struct skill_facts *f, struct buf *msg)
{
	int n = f->script_count > 0 ? f->script_count : 0;

	buf_printf(msg, "scripts/ holds %d file%s not starting with a dot; needs at least 1",
		   n, plural(n));
	return n >= 1;
}

struct tier_check {
	enum tier tier;
	const char *id;
	/* Writes what was measured to msg; returns whether the check passes. */
	bool (*run)(const struct skill_facts *f, struct buf *msg);
};

static const struct tier_check tier_checks[] = {
	{ TIER_BRONZE, "name-matches-folder", tc_name_matches_folder },
	{ TIER_BRONZE, "name-format", tc_name_format },
	{ TIER_BRONZE, "description-length", tc_description_length },
	{ TIER_BRONZE, "description-trigger", tc_description_trigger },
	{ TIER_BRONZE, "skill-md-lines", tc_skill_md_lines },
	{ TIER_BRONZE, "body-lines", tc_body_lines },
	{ TIER_SILVER, "example-before", tc_example_before },
	{ TIER_SILVER, "example-after", tc_example_after },
	{ TIER_GOLD, "evals-valid", tc_evals_valid },
	{ TIER_GOLD, "evals-count", tc_evals_count },
	{ TIER_GOLD, "eval-prompt-lines", tc_eval_prompt_lines },
	{ TIER_GOLD, "eval-expectations", tc_eval_expectations },
	{ TIER_GOLD, "references-md", tc_references_md },
	{ TIER_PLATINUM, "scripts", tc_scripts },
};

/* Runs every tier check, appending {"tier","id","ok","message"} to checks;
 * returns the tier earned, or -1 when a Bronze check fails. */
static int grade(const struct skill_facts *f, cJSON *checks)
{
	bool tier_ok[TIER_COUNT] = { true, true, true, true };
	struct buf msg;
	int best = -1;

	buf_init(&msg);
	for (size_t i = 0; i < sizeof(tier_checks) / sizeof(tier_checks[0]); i++) {
		const struct tier_check *c = &tier_checks[i];
		cJSON *entry = cJSON_CreateObject();
		bool ok;

		buf_reset(&msg);
		ok = c->run(f, &msg);
		if (!ok)
			tier_ok[c->tier] = false;
		cJSON_AddStringToObject(entry, "tier", tier_names[c->tier]);
		cJSON_AddStringToObject(entry, "id", c->id);
		cJSON_AddBoolToObject(entry, "ok", ok);
		cJSON_AddStringToObject(entry, "message", msg.data);
		cJSON_AddItemToArray(checks, entry);
	}
	buf_fini(&msg);
	for (int t = 0; t < TIER_COUNT && tier_ok[t]; t++)
		best = t;
	return best;
}

cJSON *validate_skill(const struct skill_facts *f, struct diag_list *diags)
{
	struct vctx v = { .f = f, .diags = diags, .errors = 0, .warnings = 0 };
	bool spec = f->frontmatter_present && f->frontmatter_ok;
	cJSON *out = cJSON_CreateObject();
	cJSON *checks = cJSON_CreateArray();
	int tier;

	if (spec)
		check_spec(&v, cJSON_IsObject(f->fields) ? f->fields : NULL);
	tier = grade(f, checks);
	cJSON_AddBoolToObject(out, "valid", spec && v.errors == 0);
	cJSON_AddNumberToObject(out, "errors", v.errors);
	cJSON_AddNumberToObject(out, "warnings", v.warnings);
	if (tier >= 0)
		cJSON_AddStringToObject(out, "tier", tier_names[tier]);
	else
		cJSON_AddNullToObject(out, "tier");
	cJSON_AddItemToObject(out, "checks", checks);
	return out;
}

bool validate_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n >= 1 && n <= NAME_MAX_CHARS &&
	       s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-")] == '\0' &&
	       s[0] != '-' && s[n - 1] != '-' && !strstr(s, "--");
}
