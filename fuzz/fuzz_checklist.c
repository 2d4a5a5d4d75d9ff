/* SPDX-License-Identifier: MIT */
/*
 * fuzz_checklist: libFuzzer target for checklist_parse_diag. The input is a
 * whole review-checklist.md; the parsed object and the diagnostics are
 * rendered to JSON and freed, so ASan sees every string the parser built and
 * LeakSanitizer any leak. Single threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "skilld/indexing/checklist.h"
#include "skilld/base/diag.h"

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

/* Parses data[0..size) as a checklist and walks everything it produced. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list diags;
	cJSON *checklist;
	volatile int sink;

	diag_list_init(&diags);
	checklist = checklist_parse_diag((const char *)data, size,
					 "references/review-checklist.md", &diags);
	fuzz_require(checklist != NULL, "checklist_parse_diag returned NULL");
	fuzz_render(checklist);
	sink = checklist_item_count(checklist);
	(void)sink;
	for (size_t i = 0; i < diags.len; i++) {
		cJSON *d = diag_to_json(&diags.items[i]);

		fuzz_render(d);
		cJSON_Delete(d);
	}
	cJSON_Delete(checklist);
	diag_list_fini(&diags);
	return 0;
}
