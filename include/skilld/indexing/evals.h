/* SPDX-License-Identifier: MIT */
/*
 * evals: reads a skill's evals/evals.json in either of the two shapes in the
 * wild and normalises it. Pure function of its input; thread safe.
 */
#ifndef SKILLD_EVALS_H
#define SKILLD_EVALS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"

struct evals_summary {
	bool valid;                /* parsed and has an "evals" array */
	int count;                 /* number of evals */
	double prompt_avg_lines;   /* mean line count of the prompts */
	double expectations_avg;   /* mean number of expectations per eval */
};

/*
 * Parses text[0..len). On success returns 0 and sets *out to
 *   {"shape": "expectations" | "assertions", "skill_name": string|null,
 *    "evals": [{"id": string, "prompt": string, "expectations": [string...],
 *               "expected_output": string|null, "files": [string...]}]}
 * (numeric ids become strings; assertion objects become their text), owned by
 * the caller (cJSON_Delete). Invalid JSON or a wrong shape returns -1, sets
 * *out to NULL and adds an error naming path (with line and column for a
 * syntax error). Malformed single evals are skipped with a warning.
 *
 * "shape" follows the first kept eval: "assertions" when it has assertions
 * and no expectations (or neither, but expected_output or files), else
 * "expectations"; with no evals, "assertions" if skill_name is given. In
 * either shape the list is read from "expectations", else "assertions".
 * A top-level array is taken as the evals list itself, with a warning.
 * sum is zeroed first and filled on success (averages 0 with no evals).
 *
 * Diagnostic codes:
 *   errors   evals-invalid-json (syntax error or trailing text; line and
 *            column of the file), evals-bad-shape (no "evals" array)
 *   warnings evals-bare-array, evals-bad-eval (not an object with a string
 *            prompt: skipped), evals-missing-id (named by its 1-based
 *            position), evals-bad-field (a field or entry of the wrong type,
 *            left out), evals-no-expectations
 */
int evals_parse(const char *text, size_t len, const char *path, cJSON **out,
		struct evals_summary *sum, struct diag_list *diags);

#endif
