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

#include "skilld/diag.h"

struct skill_facts {
	const char *folder;          /* the skill folder's own name */
	const char *skill_md_path;   /* e.g. "SKILL.md", for diagnostics */
	const cJSON *fields;         /* frontmatter object (never NULL) */
	bool frontmatter_present;
	bool frontmatter_ok;
	int skill_md_lines;          /* lines of the whole SKILL.md */
	int body_lines;              /* lines after the frontmatter */
	int before_lines;            /* examples/before.md lines, -1 if absent */
	int after_lines;             /* examples/after.md lines, -1 if absent */
	bool evals_present;
	bool evals_valid;
	int evals_count;
	double prompt_avg_lines;
	double expectations_avg;
	int reference_md_count;      /* .md files directly in references/ */
	int script_count;            /* files in scripts/ not starting with '.' */
};

/*
 * Checks f against the specification: errors (invalid or missing name,
 * name not equal to the folder, description missing/empty/too long,
 * compatibility too long, metadata not a string map, allowed-tools not a
 * string, a string field given as a list or map) and warnings (unknown keys,
 * ...). Lengths count code points. Adds them to diags with f->skill_md_path.
 * Returns {"valid": bool, "errors": int, "warnings": int,
 *          "tier": "platinum"|"gold"|"silver"|"bronze"|null,
 *          "checks": [{"tier", "id", "ok": bool, "message"}]}
 * owned by the caller (cJSON_Delete). valid is false when any error exists
 * (including errors already in diags for this skill, counted by the caller).
 */
cJSON *validate_skill(const struct skill_facts *f, struct diag_list *diags);

#endif
