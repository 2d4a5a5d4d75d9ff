/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tokens: libFuzzer target for tokens_cut_markdown (?max_tokens). The
 * first four input bytes pick the budget and whether a full URL is given;
 * the rest is the markdown. The harness checks what tokens.h promises: a
 * text that fits comes back byte for byte and uncut; a cut text stays within
 * the budget (note included) unless only the note is returned, in which
 * case it is just the note; what is shown is a prefix of the input; and
 * valid UTF-8 in gives valid UTF-8 out. Single threaded.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/tokens.h"
#include "skilld/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOTE_START "---\n\n> **Cut to fit max_tokens="
#define NOTE_MARK "\n\n---\n\n> **Cut to fit max_tokens="

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n", msg);
		abort();
	}
}

/* The last occurrence of needle in s[0..n), or NULL. */
static const char *last_of(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *found = NULL;

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(s + i, needle, k))
			found = s + i;
	return found;
}

/* Cuts data[4..size) to a budget from data[0..4) and checks the result. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *md;
	size_t len, max_tokens, out_len = 0;
	const char *url;
	bool cut = true;
	char *out;

	if (size < 4)
		return 0;
	md = (const char *)data + 4;
	len = size - 4;
	max_tokens = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16;
	if (!(data[3] & 2)) /* mostly budgets near the text's size */
		max_tokens %= tokens_estimate(len) + 64;
	else if (data[3] & 4)
		max_tokens = TOKENS_MAX_BUDGET;
	url = (data[3] & 1) ? "http://127.0.0.1/skills/fuzz/SKILL.md" : NULL;

	out = tokens_cut_markdown(md, len, max_tokens, url, &out_len, &cut);
	fuzz_require(out != NULL, "NULL result");
	fuzz_require(out[out_len] == '\0', "result not NUL terminated");
	if (tokens_estimate(len) <= max_tokens) {
		fuzz_require(!cut, "a text that fits was cut");
		fuzz_require(out_len == len && !memcmp(out, md, len), "a text that fits changed");
	} else {
		const char *note;
		size_t shown;

		fuzz_require(cut, "a text over budget was not cut");
		if (!strncmp(out, NOTE_START, strlen(NOTE_START))) {
			/* Only the note: it may exceed the budget. */
			fuzz_require(!memchr(out, '\0', out_len) || memchr(md, '\0', len),
				     "note holds a NUL the input did not");
			fuzz_require(utf8_valid(out, out_len) || !utf8_valid(md, len),
				     "note not valid UTF-8");
		} else {
			fuzz_require(tokens_estimate(out_len) <= max_tokens, "cut text over budget");
			note = last_of(out, out_len, NOTE_MARK);
			fuzz_require(note != NULL, "cut text without a note");
			shown = (size_t)(note - out);
			fuzz_require(shown > 0 && shown < len && !memcmp(out, md, shown),
				     "shown text is not a prefix of the input");
		}
		if (utf8_valid(md, len))
			fuzz_require(utf8_valid(out, out_len), "valid UTF-8 in, invalid out");
	}
	free(out);
	return 0;
}
