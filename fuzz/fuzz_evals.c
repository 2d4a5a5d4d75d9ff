/* SPDX-License-Identifier: MIT */
/*
 * fuzz_evals: libFuzzer target for evals_parse. The input is a whole
 * evals/evals.json in either shape (or neither); the normalised object and
 * the diagnostics are rendered to JSON and freed. Single threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"
#include "skilld/indexing/evals.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n", msg);
		abort();
	}
}

/* Renders one cJSON value and drops the text; NULL is allowed. */
static void fuzz_render(cJSON *value)
{
	char *text;

	if (!value)
		return;
	text = cJSON_PrintUnformatted(value);
	free(text);
}

/* Parses data[0..size) as evals.json and walks everything it produced. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list diags;
	struct evals_summary sum;
	cJSON *evals = NULL;
	int rc;

	diag_list_init(&diags);
	rc = evals_parse((const char *)data, size, "evals/evals.json", &evals, &sum, &diags);
	fuzz_require((rc == 0) == (evals != NULL), "result and return value disagree");
	if (rc == 0) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(evals, "evals");

		fuzz_require(cJSON_IsArray(list), "normalised result has no \"evals\" array");
		fuzz_require(sum.valid && sum.count == cJSON_GetArraySize(list),
			     "summary count differs from the evals array");
	} else {
		fuzz_require(diag_count(&diags, DIAG_ERROR) > 0, "failure without an error diagnostic");
	}
	fuzz_render(evals);
	for (size_t i = 0; i < diags.len; i++) {
		cJSON *d = diag_to_json(&diags.items[i]);

		fuzz_render(d);
		cJSON_Delete(d);
	}
	cJSON_Delete(evals);
	diag_list_fini(&diags);
	return 0;
}
