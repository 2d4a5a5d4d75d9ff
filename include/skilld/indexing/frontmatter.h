/* SPDX-License-Identifier: MIT */
/*
 * frontmatter: splits a SKILL.md into its YAML frontmatter and markdown body
 * and turns the YAML (parsed with libyaml's event API, never by string
 * matching) into a cJSON object. Pure functions of their input; thread safe.
 */
#ifndef SKILLD_FRONTMATTER_H
#define SKILLD_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"

struct frontmatter {
	bool present;     /* a block between two whole `---` lines was found */
	bool ok;          /* that block parsed as YAML into a mapping (or was empty) */
	cJSON *fields;    /* every key of the mapping, in order; never NULL after
	                   * frontmatter_parse. Scalars become JSON strings (plain
	                   * `~`, `null` and empty become JSON null); sequences
	                   * become arrays and mappings objects, kept as they are. */
	const char *body; /* points into the caller's text: the markdown after the
	                   * closing `---` line (or the whole text, after a BOM,
	                   * when there is no frontmatter) */
	size_t body_len;
	int body_line;    /* 1-based line of the file where the body starts */
};

/*
 * Parses text[0..len) (need not be NUL terminated; may hold NULs, a UTF-8
 * BOM, CRLF line ends, no final newline). path names the file in
 * diagnostics. Reports into diags: no frontmatter, unterminated frontmatter,
 * invalid YAML (with line and column of the file, not of the block), a
 * top level that is not a mapping, duplicate keys, non-scalar keys, and
 * alias expansion over the budget (an alias bomb never exhausts memory).
 * Always fills *out (release it with frontmatter_fini); returns 0 when the
 * frontmatter is present and ok, -1 otherwise.
 *
 * Delimiters are lines of exactly `---`, optionally followed by blanks and
 * a '\r'. Without a closing line the block is not present and the body is
 * the whole text (after a BOM). A block with no YAML document (empty, only
 * comments) is an empty mapping. A duplicate key takes the last value and
 * moves to the end of the object. Aliases expand to copies, at most 10,000
 * nodes (keys count), 64 levels and 1 MiB of copied scalars in all.
 *
 * Diagnostic codes (lines and columns are the file's, 1-based):
 *   errors   frontmatter-missing, frontmatter-unterminated,
 *            frontmatter-invalid-yaml (libyaml's problem text, or an
 *            undefined alias), frontmatter-not-a-map, frontmatter-too-complex,
 *            frontmatter-duplicate-key (YAML requires unique keys; ok stays
 *            true and the last value is kept)
 *   warnings frontmatter-non-scalar-key (key and
 *            value skipped), frontmatter-extra-document (only the first
 *            document is read), frontmatter-nul-byte (a "\0" escape, kept
 *            as U+FFFD)
 * On an error, fields keeps what was read before it (the skill module
 * discards it when ok is false: half a mapping is not trustworthy).
 */
int frontmatter_parse(const char *text, size_t len, const char *path,
		      struct frontmatter *out, struct diag_list *diags);

/*
 * frontmatter_parse, except that untagged plain scalars take the types of
 * YAML 1.2's core schema, as YAML libraries (npm's yaml, PyYAML's 1.2
 * mode) read them: true/false (any of true, True, TRUE) as booleans,
 * [-+]?[0-9]+, 0o17 and 0x1F as numbers, [-+]?(.5|1|1.|1.5)(e[-+]?3)? as
 * numbers, .inf and .nan as null (JSON has neither); the same for a
 * scalar tagged !!int, !!float or !!bool. Quoted and block scalars and
 * other tags stay strings. This is the frontmatter "rendered
 * verbatim as a JSON object" of the MCP Skills extension; the index keeps
 * frontmatter_parse's all-strings form.
 */
int frontmatter_parse_typed(const char *text, size_t len, const char *path,
			    struct frontmatter *out, struct diag_list *diags);

/* Frees out->fields; the body pointer belongs to the caller's text. */
void frontmatter_fini(struct frontmatter *fm);

/* The string value of key, or NULL when absent or not a string. */
const char *frontmatter_string(const struct frontmatter *fm, const char *key);

#endif
