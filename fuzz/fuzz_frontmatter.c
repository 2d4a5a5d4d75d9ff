/* SPDX-License-Identifier: MIT */
/*
 * fuzz_frontmatter: libFuzzer target for frontmatter_parse. The input is a
 * whole SKILL.md; the harness also renders the fields and every diagnostic
 * to JSON so that a malformed tree or string shows up under ASan, and frees
 * everything so that LeakSanitizer reports any leak. Single threaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"
#include "skilld/indexing/frontmatter.h"

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

/* Parses data[0..size) as a SKILL.md and walks everything it produced. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frontmatter fm;
	struct diag_list diags;
	volatile size_t sink = 0;
	int rc;

	diag_list_init(&diags);
	rc = frontmatter_parse((const char *)data, size, "SKILL.md", &fm, &diags);
	fuzz_require(fm.fields != NULL, "fields is NULL after frontmatter_parse");
	fuzz_require(rc == ((fm.present && fm.ok) ? 0 : -1), "return value disagrees with present/ok");
	fuzz_require(fm.body >= (const char *)data && fm.body_len <= size &&
		     (size_t)(fm.body - (const char *)data) <= size - fm.body_len,
		     "body is not inside the input");
	fuzz_require(fm.body_line >= 1, "body_line is not 1-based");
	fuzz_render(fm.fields);
	if (fm.body_len > 0)
		sink += (unsigned char)fm.body[fm.body_len - 1];
	if (frontmatter_string(&fm, "name"))
		sink++;
	for (size_t i = 0; i < diags.len; i++) {
		cJSON *d = diag_to_json(&diags.items[i]);

		fuzz_render(d);
		cJSON_Delete(d);
	}
	(void)sink;
	frontmatter_fini(&fm);
	diag_list_fini(&diags);
	return 0;
}
