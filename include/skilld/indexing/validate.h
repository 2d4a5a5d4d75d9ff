/* SPDX-License-Identifier: MIT */
/*
 * validate: the Agent Skills specification rules and the quality tiers
 * (Bronze, Silver, Gold, Platinum) of DESIGN.md §1. Works on facts gathered
 * by the indexer, never on the file system. Thread safe.
 */
#ifndef SKILLD_VALIDATE_H
#define SKILLD_VALIDATE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"

struct skill_facts {
	const char *folder;          /* the skill folder's own name; NULL or ""
	                              * when unknown (no name-mismatch then) */
	const char *skill_md_path;   /* e.g. "SKILL.md", for diagnostics; may be NULL */
	const cJSON *fields;         /* frontmatter object; NULL or a non-object
	                              * counts as an empty mapping */
	bool frontmatter_present;
	bool frontmatter_ok;
	int skill_md_lines;          /* lines of the whole SKILL.md */
	int body_lines;              /* lines after the frontmatter */
	int before_lines;            /* examples/before.md lines, -1 if absent */
	int after_lines;             /* examples/after.md lines, -1 if absent */
	bool evals_present;
	bool evals_valid;
	int evals_count;             /* these three count only when present and valid */
	double prompt_avg_lines;
	double expectations_avg;
	int reference_md_count;      /* .md files directly in references/ */
	int script_count;            /* files in scripts/ not starting with '.' */
};

/*
 * Checks f against the specification and grades it. Adds diagnostics to
 * diags, each naming f->skill_md_path (line and column 0: the frontmatter
 * object carries no positions). Lengths count code points.
 *
 * Specification checks run only when the frontmatter is present and ok:
 * frontmatter_parse has already reported a missing or broken block, and a
 * half-parsed mapping would only add noise ("name is required" next to
 * "invalid YAML"). Such a skill is not valid, and its tier checks still run
 * (and fail on the missing name and description).
 *
 * Diagnostic codes (stable; clients may match on them):
 *   errors   name-missing            no name, no value, or an empty string
 *            name-invalid            over 64 code points, a character other
 *                                    than a-z 0-9 -, a leading or trailing
 *                                    '-', or "--" (one error per rule broken)
 *            name-mismatch           name differs from the folder name
 *            description-missing     no description, or only white space
 *            description-too-long    over 1024 code points
 *            compatibility-empty     given, but empty or only white space
 *            compatibility-too-long  over 500 code points
 *            metadata-invalid        not a map, or a value that is not a string
 *            field-not-string        name, description, license,
 *                                    compatibility or allowed-tools given as
 *                                    a list, a map, a number or a boolean
 *   warnings unknown-key             a key outside the specification (kept)
 *            allowed-tools-commas    allowed-tools separates with commas
 *                                    (outside parentheses), not spaces
 *
 * Returns {"valid": bool, "errors": int, "warnings": int,
 *          "tier": "platinum"|"gold"|"silver"|"bronze"|null,
 *          "checks": [{"tier", "id", "ok": bool, "message"}]}
 * owned by the caller (cJSON_Delete). "errors" and "warnings" count what
 * this call added. valid is true when the frontmatter is present and ok and
 * this call added no error; the caller may also weigh other errors it holds.
 * Tier checks never add diagnostics. The checks, in order:
 *   bronze   name-matches-folder name-format description-length
 *            description-trigger skill-md-lines body-lines
 *   silver   example-before example-after
 *   gold     evals-valid evals-count eval-prompt-lines eval-expectations
 *            references-md
 *   platinum scripts
 * tier is the highest tier whose checks and every lower tier's checks pass.
 */
cJSON *validate_skill(const struct skill_facts *f, struct diag_list *diags);

/* Is s a name the specification allows (the rules name-invalid reports):
 * 1 to 64 characters of a-z, 0-9 and '-', no hyphen first, last or twice
 * in a row? */
bool validate_name_ok(const char *s);

#endif
