/* SPDX-License-Identifier: MIT */
/*
 * frontmatter: finds the block between the first two `---` lines of a
 * SKILL.md and builds a cJSON object from its YAML with libyaml's event API,
 * so every scalar style is folded exactly as YAML says. Aliases are expanded
 * into copies under a budget of nodes, depth and copied bytes, which keeps an
 * alias bomb small and fast. All state lives on the caller's stack; thread safe.
 */
#include "skilld/indexing/frontmatter.h"

#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

#define FM_MAX_NODES 10000                 /* YAML nodes (keys included) */
#define FM_MAX_DEPTH 64                    /* the root mapping is depth 1 */
#define FM_MAX_ALIAS_BYTES (1024 * 1024)   /* scalar bytes copied by aliases */
#define FM_MAX_SHOWN 60                    /* bytes of a key or alias in messages */

#define FM_NULL_TAG "tag:yaml.org,2002:null"

/* An anchored node, kept so that later aliases can copy it. */
struct fm_anchor {
	char *name;          /* owned */
	const cJSON *node;   /* lives in fields or in discarded until the end */
	size_t nodes;        /* YAML nodes in the subtree, keys included */
	size_t bytes;        /* scalar bytes in the subtree, keys included */
	int height;          /* 1 for a scalar, 1 + the tallest child otherwise */
};

/* The state of one parse; lives on frontmatter_parse's stack. */
struct fm_builder {
	yaml_parser_t parser;
	const char *block;         /* the YAML text, for reader error offsets */
	size_t block_len;
	int first_line;            /* file line of the block's first line */
	const char *path;
	struct diag_list *diags;
	size_t nodes;              /* nodes produced so far */
	size_t bytes;              /* scalar bytes produced so far */
	size_t alias_bytes;        /* of which copied by aliases */
	struct fm_anchor *anchors; /* owned, with their names */
	size_t n_anchors;
	size_t cap_anchors;
	cJSON *discarded;          /* owned: nodes that must outlive their
	                            * place (replaced duplicates, skipped keys)
	                            * because an anchor may point into them */
	bool typed;                /* plain scalars by YAML 1.2's core schema */
	size_t aliases;            /* alias events read (counted when typed) */
};

/* npm's yaml refuses a document with more alias uses than about this. */
#define FM_TYPED_MAX_ALIASES 100

/* Aborts like xmalloc when cJSON could not allocate; never about input. */
static cJSON *fm_alloc_check(cJSON *j)
{
	if (!j) {
		fputs("skilld: out of memory in cJSON\n", stderr);
		abort();
	}
	return j;
}

/* Converts a libyaml count (size_t) to an int diagnostic position. */
static int fm_int(size_t v)
{
	return v > INT_MAX / 2 ? INT_MAX / 2 : (int)v;
}

/* True when p[0..n) (one line, without its '\n') is a `---` delimiter:
 * exactly three dashes, then optional blanks and an optional '\r'. */
static bool fm_is_delimiter(const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	while (n > 3 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 3 && memcmp(p, "---", 3) == 0;
}

/* Shortens untrusted text for a message, cutting at a code point boundary;
 * returns the number of bytes to print. */
static int fm_shown(const char *s)
{
	size_t n = strlen(s);

	if (n <= FM_MAX_SHOWN)
		return (int)n;
	return (int)utf8_floor(s, FM_MAX_SHOWN);
}

/* Adds a diagnostic at a libyaml mark of the block, shifted to the file. */
static void fm_diag(struct fm_builder *b, enum diag_severity sev, const char *code,
		    yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void fm_diag(struct fm_builder *b, enum diag_severity sev, const char *code,
		    yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_addv(b->diags, sev, code, b->path, b->first_line + fm_int(mark.line),
		  fm_int(mark.column) + 1, fmt, ap);
	va_end(ap);
}

/* Line and column (both 0-based, column in code points) of a byte offset
 * of the block; libyaml's reader errors carry only the offset. */
static yaml_mark_t fm_offset_mark(const struct fm_builder *b, size_t off)
{
	yaml_mark_t m = { 0, 0, 0 };

	m.index = off > b->block_len ? b->block_len : off;
	text_position(b->block, b->block_len, off, &m.line, &m.column);
	return m;
}

/* Reports the error libyaml's parser is stuck on. */
static void fm_yaml_error(struct fm_builder *b)
{
	const yaml_parser_t *p = &b->parser;
	const char *problem = p->problem ? p->problem : "out of memory";
	yaml_mark_t mark = p->problem_mark;
	struct buf extra;

	buf_init(&extra);
	if (p->error == YAML_READER_ERROR) {
		mark = fm_offset_mark(b, p->problem_offset);
		if (p->problem_value != -1)
			buf_printf(&extra, " (#x%X)", (unsigned)p->problem_value);
	} else if (p->context) {
		buf_printf(&extra, " (%s at line %d)", p->context,
			   b->first_line + fm_int(p->context_mark.line));
	}
	fm_diag(b, DIAG_ERROR, "frontmatter-invalid-yaml", mark, "invalid YAML: %s%s",
		problem, extra.data);
	buf_fini(&extra);
}

/* Pulls the next event into ev (the caller deletes it); on a libyaml error
 * reports it and returns -1 with nothing to delete. */
static int fm_next(struct fm_builder *b, yaml_event_t *ev)
{
	if (yaml_parser_parse(&b->parser, ev))
		return 0;
	fm_yaml_error(b);
	return -1;
}

/* Charges n nodes and bytes to the budget; -1 (reported) when over it. */
static int fm_charge(struct fm_builder *b, const yaml_event_t *ev, size_t n, size_t bytes)
{
	if (n > FM_MAX_NODES - b->nodes) {
		fm_diag(b, DIAG_ERROR, "frontmatter-too-complex", ev->start_mark,
			"the frontmatter expands to more than %d YAML nodes; parsing stopped",
			FM_MAX_NODES);
		return -1;
	}
	b->nodes += n;
	b->bytes += bytes;
	return 0;
}

/* Reports nesting over FM_MAX_DEPTH and returns -1. */
static int fm_too_deep(struct fm_builder *b, const yaml_event_t *ev)
{
	fm_diag(b, DIAG_ERROR, "frontmatter-too-complex", ev->start_mark,
		"the frontmatter nests deeper than %d levels; parsing stopped", FM_MAX_DEPTH);
	return -1;
}

/* A NUL-terminated copy of a scalar (free()); NUL bytes, which only
 * escapes can produce, become U+FFFD since cJSON strings end at NUL. */
static char *fm_scalar_text(struct fm_builder *b, const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	struct buf out;
	bool had_nul = false;

	buf_init(&out);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\0') {
			buf_puts(&out, "\xEF\xBF\xBD");
			had_nul = true;
		} else {
			buf_putc(&out, v[i]);
		}
	}
	if (had_nul)
		fm_diag(b, DIAG_WARNING, "frontmatter-nul-byte", ev->start_mark,
			"a scalar holds a NUL character; it was replaced by U+FFFD");
	return buf_detach(&out, NULL);
}

/* Does s[0..n) match [-+]?[0-9]+, 0o[0-7]+ or 0x[0-9a-fA-F]+ (the core
 * schema's integers)? Its base into *base and where the digits start into
 * *digits. */
static bool core_int(const char *s, size_t n, int *base, size_t *digits)
{
	size_t i = 0;

	*base = 10;
	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		*base = s[1] == 'o' ? 8 : 16;
		i = 2;
	} else if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		i = 1;
	}
	*digits = i;
	if (i == n)
		return false;
	for (; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

		if (d >= *base)
			return false;
	}
	return true;
}

/* Does s[0..n) match the core schema's float,
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? ? */
static bool core_float(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (n == 0)
		return false;
	if (s[i] == '-' || s[i] == '+')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.') {
		size_t frac = 0;

		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
		if (digits == 0 && frac == 0)
			return false;
		digits += frac;
	}
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			exp++;
		if (exp == 0)
			return false;
	}
	return i == n;
}

/* A number as the shortest JSON text that reads back as the same double
 * (what JavaScript prints), or NULL when d is not finite. */
static cJSON *fm_number(double d)
{
	char text[32];

	if (!isfinite(d))
		return NULL;
	if (d == trunc(d) && fabs(d) < 1e21) {
		snprintf(text, sizeof(text), "%.0f", d);  /* as JavaScript prints it */
		return fm_alloc_check(cJSON_CreateRaw(text));
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(text, sizeof(text), "%.*g", prec, d);
		if (strtod(text, NULL) == d)
			break;
	}
	return fm_alloc_check(cJSON_CreateRaw(text));
}

/* Integers beyond this are not held exactly by a double (nor by a
 * JavaScript number), so parsers disagree on them. */
#define FM_MAX_EXACT_INT 9007199254740991.0

/* A plain, untagged scalar by YAML 1.2's core schema (what YAML libraries
 * such as npm's yaml read): true/false, integers, floats; .inf and .nan,
 * which JSON cannot hold, become null (as JSON.stringify writes them).
 * NULL when the scalar is a string. An integer beyond 2^53 gets a warning:
 * it has no exact value in JSON. */
static cJSON *fm_core_value(struct fm_builder *b, const yaml_event_t *ev, const char *v, size_t n)
{
	static const char *const words[] = { "true", "True", "TRUE", "false", "False", "FALSE" };
	static const char *const inf_nan[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
					       "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN" };
	size_t digits;
	char *text;
	double d;
	int base;
	cJSON *j;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (n == strlen(words[i]) && memcmp(v, words[i], n) == 0)
			return fm_alloc_check(cJSON_CreateBool(i < 3));
	for (size_t i = 0; i < sizeof(inf_nan) / sizeof(inf_nan[0]); i++)
		if (n == strlen(inf_nan[i]) && memcmp(v, inf_nan[i], n) == 0)
			return fm_alloc_check(cJSON_CreateNull());
	if (core_int(v, n, &base, &digits)) {
		text = xstrndup(v + digits, n - digits);
		d = (double)strtoull(text, NULL, base);
		if (base == 10)
			d = strtod(text, NULL);  /* rounded as the text says */
		if (v[0] == '-')
			d = -d;
		free(text);
		if (fabs(d) > FM_MAX_EXACT_INT)
			fm_diag(b, DIAG_WARNING, "frontmatter-big-number", ev->start_mark,
				"the integer %.*s is beyond 2^53: JSON and JavaScript hold it only "
				"approximately (quote it)", (int)(n < 40 ? n : 40), v);
		return fm_number(d);
	}
	if (core_float(v, n)) {
		text = xstrndup(v, n);
		d = strtod(text, NULL);
		free(text);
		j = fm_number(d);
		return j ? j : fm_alloc_check(cJSON_CreateNull());  /* 1e400: Infinity */
	}
	return NULL;
}

/*
 * In the typed form, a tag other than the non-specific "!", !!str, !!map
 * and !!seq gets a warning: YAML libraries give !!int, !!float, !!bool,
 * !!null, !!timestamp, !!set, !!binary and local tags values of their own
 * (or refuse them), which the typed form does not reproduce.
 */
static void fm_typed_tag(struct fm_builder *b, const yaml_char_t *tag, yaml_mark_t mark)
{
	static const char *const plain[] = { "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map",
					     "tag:yaml.org,2002:seq" };

	if (!b->typed || !tag)
		return;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp((const char *)tag, plain[i]) == 0)
			return;
	fm_diag(b, DIAG_WARNING, "frontmatter-tag", mark, "the tag %s gives a value YAML libraries "
		"read in their own ways", (const char *)tag);
}

/* The JSON value of a scalar event: null for an untagged plain empty, `~`
 * or `null` (and for a !!null tag); when b->typed, an untagged plain
 * scalar by the core schema (fm_core_value); otherwise the string as YAML
 * reads it. */
static cJSON *fm_scalar_value(struct fm_builder *b, const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t n = ev->data.scalar.length;
	char *text;
	cJSON *j;

	if (tag && strcmp(tag, FM_NULL_TAG) == 0) {
		fm_typed_tag(b, ev->data.scalar.tag, ev->start_mark);
		return fm_alloc_check(cJSON_CreateNull());
	}
	if (!tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (n == 0 || (n == 1 && v[0] == '~') ||
	     (n == 4 && (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
			 memcmp(v, "NULL", 4) == 0))))
		return fm_alloc_check(cJSON_CreateNull());
	fm_typed_tag(b, ev->data.scalar.tag, ev->start_mark);
	if (b->typed && !tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (j = fm_core_value(b, ev, v, n)) != NULL)
		return j;
	text = fm_scalar_text(b, ev);
	j = fm_alloc_check(cJSON_CreateString(text));
	free(text);
	return j;
}

/* The anchor called name, the latest definition winning; NULL if none. */
static const struct fm_anchor *fm_anchor_find(const struct fm_builder *b, const char *name)
{
	for (size_t i = b->n_anchors; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0)
			return &b->anchors[i - 1];
	return NULL;
}

/* Remembers a finished anchored node; node stays owned by its tree. */
static void fm_anchor_add(struct fm_builder *b, const yaml_char_t *name, const cJSON *node,
			  size_t nodes, size_t bytes, int height)
{
	struct fm_anchor *a;

	if (b->n_anchors == b->cap_anchors) {
		b->cap_anchors = b->cap_anchors ? b->cap_anchors * 2 : 8;
		b->anchors = xrealloc(b->anchors, b->cap_anchors * sizeof(*b->anchors));
	}
	a = &b->anchors[b->n_anchors++];
	a->name = xstrdup((const char *)name);
	a->node = node;
	a->nodes = nodes;
	a->bytes = bytes;
	a->height = height;
}

/*
 * Adds node (ownership moves) to parent: appended to an array when key is
 * NULL, else under key. A duplicate key takes the last value, which moves
 * the key to the end; the old value goes to discarded, where anchors into
 * it stay valid. (Debian's cJSON 1.7.15 cJSON_InsertItemInArray returned
 * false for a position inside an object, losing the item, so the first
 * position is not kept.)
 */
static void fm_attach(struct fm_builder *b, yaml_mark_t key_mark, cJSON *parent,
		      const char *key, cJSON *node)
{
	cJSON *old;

	if (!key) {
		cJSON_AddItemToArray(parent, node);
		return;
	}
	old = cJSON_GetObjectItemCaseSensitive(parent, key);
	if (old) {
		fm_diag(b, DIAG_ERROR, "frontmatter-duplicate-key", key_mark,
			"duplicate key '%.*s': YAML requires keys to be unique (the last value is "
			"shown, but other tools may read the first)", fm_shown(key), key);
		cJSON_DetachItemViaPointer(parent, old);
		cJSON_AddItemToArray(b->discarded, old);
	}
	cJSON_AddItemToObject(parent, key, node);
}

/* Resolves an alias event to its anchor; reports an undefined one. */
static const struct fm_anchor *fm_alias_anchor(struct fm_builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct fm_anchor *a = fm_anchor_find(b, name);

	if (!a)
		fm_diag(b, DIAG_ERROR, "frontmatter-invalid-yaml", ev->start_mark,
			"invalid YAML: undefined alias '*%.*s'", fm_shown(name), name);
	return a;
}

/* Expands an alias into a copy of its anchored node, within the budget. */
static int fm_alias(struct fm_builder *b, const yaml_event_t *ev, cJSON *parent,
		    const char *key, yaml_mark_t key_mark, int depth, int *height)
{
	const struct fm_anchor *a = fm_alias_anchor(b, ev);
	cJSON *copy;

	if (!a)
		return -1;
	if (b->typed && ++b->aliases == FM_TYPED_MAX_ALIASES + 1)
		fm_diag(b, DIAG_WARNING, "frontmatter-many-aliases", ev->start_mark,
			"more than %d aliases: some YAML libraries refuse that many",
			FM_TYPED_MAX_ALIASES);
	if (depth - 1 + a->height > FM_MAX_DEPTH)
		return fm_too_deep(b, ev);
	if (a->bytes > FM_MAX_ALIAS_BYTES - b->alias_bytes) {
		fm_diag(b, DIAG_ERROR, "frontmatter-too-complex", ev->start_mark,
			"aliases in the frontmatter copy more than %d bytes; parsing stopped",
			FM_MAX_ALIAS_BYTES);
		return -1;
	}
	if (fm_charge(b, ev, a->nodes, a->bytes) < 0)
		return -1;
	b->alias_bytes += a->bytes;
	copy = fm_alloc_check(cJSON_Duplicate(a->node, true));
	if (copy->string && !(copy->type & cJSON_StringIsConst))
		cJSON_free(copy->string);
	copy->string = NULL;
	fm_attach(b, key_mark, parent, key, copy);
	*height = a->height;
	return 0;
}

static int fm_node(struct fm_builder *b, const yaml_event_t *ev, cJSON *parent,
		   const char *key, yaml_mark_t key_mark, int depth, int *height);

/* Fills arr with the items up to SEQUENCE-END; *height as for anchors. */
static int fm_sequence(struct fm_builder *b, cJSON *arr, int depth, int *height)
{
	yaml_event_t ev;
	int h;

	*height = 1;
	for (;;) {
		if (fm_next(b, &ev) < 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (fm_node(b, &ev, arr, NULL, ev.start_mark, depth + 1, &h) < 0) {
			yaml_event_delete(&ev);
			return -1;
		}
		yaml_event_delete(&ev);
		if (h + 1 > *height)
			*height = h + 1;
	}
}

/*
 * Reads one key event of a mapping. On success *key is the key text
 * (free()), or NULL when the key is not a scalar: then its node has been
 * read into discarded and a warning given, and the value must be skipped.
 */
static int fm_key(struct fm_builder *b, const yaml_event_t *ev, int depth, char **key)
{
	const struct fm_anchor *a;
	int h;

	*key = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (fm_charge(b, ev, 1, ev->data.scalar.length) < 0)
			return -1;
		*key = fm_scalar_text(b, ev);
		fm_typed_tag(b, ev->data.scalar.tag, ev->start_mark);
		if (b->typed && !ev->data.scalar.tag &&
		    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			cJSON *typed = fm_core_value(b, ev, (const char *)ev->data.scalar.value,
						     ev->data.scalar.length);
			size_t n = ev->data.scalar.length;
			const char *v = (const char *)ev->data.scalar.value;

			if (typed || n == 0 || (n == 1 && v[0] == '~') ||
			    (n == 4 && (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
					memcmp(v, "NULL", 4) == 0)))
				fm_diag(b, DIAG_WARNING, "frontmatter-typed-key", ev->start_mark,
					"the key '%s' is a number, a boolean or null in YAML; "
					"libraries turn it into text their own way (quote it)", *key);
			cJSON_Delete(typed);
		}
		if (ev->data.scalar.anchor) {
			cJSON *copy = fm_alloc_check(cJSON_CreateString(*key));
			cJSON_AddItemToArray(b->discarded, copy);
			fm_anchor_add(b, ev->data.scalar.anchor, copy, 1,
				      ev->data.scalar.length, 1);
		}
		return 0;
	case YAML_ALIAS_EVENT:
		a = fm_alias_anchor(b, ev);
		if (!a)
			return -1;
		if (cJSON_IsString(a->node)) {
			if (fm_charge(b, ev, 1, a->bytes) < 0)
				return -1;
			*key = xstrdup(a->node->valuestring);
			return 0;
		}
		break;
	default:
		if (fm_node(b, ev, b->discarded, NULL, ev->start_mark, depth, &h) < 0)
			return -1;
		break;
	}
	fm_diag(b, DIAG_WARNING, "frontmatter-non-scalar-key", ev->start_mark,
		"a mapping key is not a scalar; the key and its value are skipped");
	return 0;
}

/* Fills obj with the pairs up to MAPPING-END; *height as for anchors. */
static int fm_mapping(struct fm_builder *b, cJSON *obj, int depth, int *height)
{
	yaml_event_t kev, vev;
	char *key = NULL;
	int h, rc = -1;

	*height = 1;
	for (;;) {
		if (fm_next(b, &kev) < 0)
			return -1;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			return 0;
		}
		if (fm_key(b, &kev, depth + 1, &key) < 0)
			goto done_key;
		if (fm_next(b, &vev) < 0)
			goto done_key;
		rc = fm_node(b, &vev, key ? obj : b->discarded, key, kev.start_mark,
			     depth + 1, &h);
		yaml_event_delete(&vev);
		if (rc < 0)
			goto done_key;
		if (h + 1 > *height)
			*height = h + 1;
		free(key);
		key = NULL;
		yaml_event_delete(&kev);
	}
done_key:
	free(key);
	yaml_event_delete(&kev);
	return -1;
}

/*
 * Builds the node that starts with ev (the caller keeps and deletes ev) and
 * attaches it to parent, under key when parent is an object. Containers are
 * attached before they are filled, so an error leaves what was read so far.
 */
static int fm_node(struct fm_builder *b, const yaml_event_t *ev, cJSON *parent,
		   const char *key, yaml_mark_t key_mark, int depth, int *height)
{
	size_t nodes0 = b->nodes, bytes0 = b->bytes;
	const yaml_char_t *anchor;
	cJSON *node;
	int rc = 0;

	*height = 1;
	if (depth > FM_MAX_DEPTH)
		return fm_too_deep(b, ev);
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return fm_alias(b, ev, parent, key, key_mark, depth, height);
	case YAML_SCALAR_EVENT:
		if (fm_charge(b, ev, 1, ev->data.scalar.length) < 0)
			return -1;
		anchor = ev->data.scalar.anchor;
		node = fm_scalar_value(b, ev);
		fm_attach(b, key_mark, parent, key, node);
		break;
	case YAML_SEQUENCE_START_EVENT:
		if (fm_charge(b, ev, 1, 0) < 0)
			return -1;
		anchor = ev->data.sequence_start.anchor;
		fm_typed_tag(b, ev->data.sequence_start.tag, ev->start_mark);
		node = fm_alloc_check(cJSON_CreateArray());
		fm_attach(b, key_mark, parent, key, node);
		rc = fm_sequence(b, node, depth, height);
		break;
	case YAML_MAPPING_START_EVENT:
		if (fm_charge(b, ev, 1, 0) < 0)
			return -1;
		anchor = ev->data.mapping_start.anchor;
		fm_typed_tag(b, ev->data.mapping_start.tag, ev->start_mark);
		node = fm_alloc_check(cJSON_CreateObject());
		fm_attach(b, key_mark, parent, key, node);
		rc = fm_mapping(b, node, depth, height);
		break;
	default:
		/* libyaml's grammar never yields another event where a node
		 * starts; report rather than trust that. */
		fm_diag(b, DIAG_ERROR, "frontmatter-invalid-yaml", ev->start_mark,
			"invalid YAML: unexpected event %d where a node starts", (int)ev->type);
		return -1;
	}
	if (rc == 0 && anchor)
		fm_anchor_add(b, anchor, node, b->nodes - nodes0, b->bytes - bytes0, *height);
	return rc;
}

/* Names the kind of node an event starts, for the not-a-map message. */
static const char *fm_event_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	case YAML_SCALAR_EVENT:
		return "a scalar";
	case YAML_ALIAS_EVENT:
		return "an alias";
	default:
		return "not a node";
	}
}

/*
 * Reads the whole YAML stream into fields: no document at all (an empty or
 * comment-only block) is an empty mapping; the first document must be a
 * mapping; a second document is warned about and ignored.
 */
static int fm_stream(struct fm_builder *b, cJSON *fields)
{
	yaml_event_t ev;
	int h, rc;

	if (fm_next(b, &ev) < 0)
		return -1;
	yaml_event_delete(&ev); /* STREAM-START */
	if (fm_next(b, &ev) < 0)
		return -1;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return 0;
	}
	yaml_event_delete(&ev); /* DOCUMENT-START */
	if (fm_next(b, &ev) < 0)
		return -1;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		fm_diag(b, DIAG_ERROR, "frontmatter-not-a-map", ev.start_mark,
			"the frontmatter is %s, not a mapping of keys to values",
			fm_event_kind(&ev));
		yaml_event_delete(&ev);
		return -1;
	}
	rc = fm_charge(b, &ev, 1, 0);
	if (rc == 0)
		rc = fm_mapping(b, fields, 1, &h);
	yaml_event_delete(&ev);
	if (rc < 0)
		return -1;
	if (fm_next(b, &ev) < 0)
		return -1;
	yaml_event_delete(&ev); /* DOCUMENT-END */
	if (fm_next(b, &ev) < 0)
		return -1;
	if (ev.type == YAML_DOCUMENT_START_EVENT)
		fm_diag(b, DIAG_WARNING, "frontmatter-extra-document", ev.start_mark,
			"the frontmatter holds more than one YAML document; only the first is read");
	yaml_event_delete(&ev);
	return 0;
}

/* Parses the YAML block into fields; 0 when it is a mapping (or empty). */
static int fm_parse_block(const char *block, size_t len, int first_line, const char *path,
			  bool typed, cJSON *fields, struct diag_list *diags)
{
	struct fm_builder b;
	int rc;

	memset(&b, 0, sizeof(b));
	if (!yaml_parser_initialize(&b.parser)) {
		fputs("skilld: out of memory in libyaml\n", stderr);
		abort();
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)block, len);
	yaml_parser_set_encoding(&b.parser, YAML_UTF8_ENCODING);
	b.block = block;
	b.block_len = len;
	b.first_line = first_line;
	b.path = path;
	b.diags = diags;
	b.typed = typed;
	b.discarded = fm_alloc_check(cJSON_CreateArray());

	rc = fm_stream(&b, fields);

	for (size_t i = 0; i < b.n_anchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	cJSON_Delete(b.discarded);
	yaml_parser_delete(&b.parser);
	return rc;
}

static int fm_parse(const char *text, size_t len, const char *path, bool typed,
		    struct frontmatter *out, struct diag_list *diags)
{
	const char *p, *nl, *block;
	size_t n, pos, line_len;
	int line;

	if (!text) {
		text = "";
		len = 0;
	}
	p = text;
	n = len;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		n -= 3;
	}
	memset(out, 0, sizeof(*out));
	out->fields = fm_alloc_check(cJSON_CreateObject());
	out->body = p;
	out->body_len = n;
	out->body_line = 1;

	nl = memchr(p, '\n', n);
	line_len = nl ? (size_t)(nl - p) : n;
	if (!fm_is_delimiter(p, line_len)) {
		diag_add(diags, DIAG_ERROR, "frontmatter-missing", path, 1, 1,
			 "no frontmatter: the file does not start with a `---` line");
		return -1;
	}

	/* Look for the closing delimiter from line 2 on. */
	pos = nl ? line_len + 1 : n;
	block = p + pos;
	for (line = 2; pos < n; line++) {
		const char *l = p + pos;
		nl = memchr(l, '\n', n - pos);
		line_len = nl ? (size_t)(nl - l) : n - pos;
		if (fm_is_delimiter(l, line_len)) {
			out->present = true;
			out->body = nl ? nl + 1 : p + n;
			out->body_len = (size_t)(p + n - out->body);
			out->body_line = line + 1;
			out->ok = fm_parse_block(block, (size_t)(l - block), 2, path, typed,
						 out->fields, diags) == 0;
			return out->ok ? 0 : -1;
		}
		pos += line_len + (nl ? 1 : 0);
	}
	diag_add(diags, DIAG_ERROR, "frontmatter-unterminated", path, 1, 1,
		 "the frontmatter opened on line 1 is never closed by a `---` line");
	return -1;
}

int frontmatter_parse(const char *text, size_t len, const char *path,
		      struct frontmatter *out, struct diag_list *diags)
{
	return fm_parse(text, len, path, false, out, diags);
}

int frontmatter_parse_typed(const char *text, size_t len, const char *path,
			    struct frontmatter *out, struct diag_list *diags)
{
	return fm_parse(text, len, path, true, out, diags);
}

void frontmatter_fini(struct frontmatter *fm)
{
	if (!fm)
		return;
	cJSON_Delete(fm->fields);
	fm->fields = NULL;
}

const char *frontmatter_string(const struct frontmatter *fm, const char *key)
{
	const cJSON *v;

	if (!fm || !fm->fields || !key)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(fm->fields, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}
