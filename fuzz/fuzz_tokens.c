/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tokens: libFuzzer target for tokens_answer and tokens_part
 * (?max_tokens and &offset). The first four input bytes pick the budget,
 * whether a next reference is given and an offset to probe; the rest is the
 * markdown. The harness reads the text part after part from offset 0 and
 * checks what tokens.h promises: a text that fits is whole; every other
 * answer is within the budget, note included, and starts with the text's
 * bytes of its part; parts follow each other with no gap and no overlap,
 * the frontmatter is whole in the first part or left out whole, so the
 * parts give back the text byte for byte; no part ends inside a UTF-8
 * character or a CRLF; every part but a last one carries content. The
 * probed offset either starts a part there or is refused for its stated
 * reason. Single threaded.
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

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n", msg);
		abort();
	}
}

/* Reads md[0..len) at max_tokens from offset 0 to the last part, checking
 * each answer, and requires the parts to give back md. */
static void walk(const char *md, size_t len, size_t max_tokens, const char *ref)
{
	size_t fm = tokens_frontmatter_end(md, len), offset = 0, covered = 0;
	bool valid = utf8_valid(md, len);

	fuzz_require(fm <= len, "frontmatter past the end");
	for (;;) {
		struct tokens_part p;
		char *out;
		size_t out_len, content;

		fuzz_require(tokens_answer(md, len, offset, max_tokens, ref, &p, &out, &out_len) ==
			     TOKENS_OK, "a part's own offset refused");
		if (p.whole) {
			fuzz_require(offset == 0 && out == NULL, "whole answer with a copy");
			fuzz_require(tokens_estimate(len) <= max_tokens, "whole text over budget");
			return;
		}
		fuzz_require(out != NULL && out[out_len] == '\0', "answer not NUL terminated");
		fuzz_require(tokens_estimate(out_len) <= max_tokens, "answer over budget");
		content = p.end - p.start;
		fuzz_require(p.start <= p.end && p.end <= len, "part out of the text");
		fuzz_require(content <= out_len && !memcmp(out, md + p.start, content),
			     "answer does not start with the part's bytes");
		if (offset == 0 && p.frontmatter_dropped)
			fuzz_require(fm > 0 && p.start == fm, "dropped frontmatter is not all of it");
		else
			fuzz_require(p.start == offset, "part does not start at its offset");
		if (offset == 0 && fm > 0 && !p.frontmatter_dropped)
			fuzz_require(p.end >= fm, "frontmatter cut");
		fuzz_require(p.start == covered || (offset == 0 && p.start == fm), "gap between parts");
		fuzz_require(!(p.end < len && p.end > 0 && md[p.end - 1] == '\r' && md[p.end] == '\n'),
			     "part ends inside a CRLF");
		if (valid)
			fuzz_require(utf8_valid(out, content), "part ends inside a character");
		covered = p.end;
		free(out);
		if (p.last) {
			fuzz_require(p.end == len, "last part before the end");
			return;
		}
		fuzz_require(content > 0, "a part that is not the last is empty");
		offset = p.end;
	}
}

/* Reads data[4..size) with a budget from data[0..4) and checks every part. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *md, *ref;
	size_t len, max_tokens, probe;
	struct tokens_part p;
	char *out;
	size_t out_len;
	enum tokens_status st;

	if (size < 4)
		return 0;
	md = (const char *)data + 4;
	len = size - 4;
	max_tokens = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16;
	if (!(data[3] & 2)) /* mostly budgets near the text's size */
		max_tokens %= tokens_estimate(len) + 64;
	else if (data[3] & 4)
		max_tokens = TOKENS_MAX_BUDGET;
	if (max_tokens == 0)
		max_tokens = 1;
	/* at most about 256 parts, so that a walk stays linear-ish */
	if (max_tokens < tokens_estimate(len) / 256)
		max_tokens = tokens_estimate(len) / 256;
	ref = (data[3] & 1) ? "http://127.0.0.1/skills/fuzz/SKILL.md?max_tokens=1&offset=" : NULL;
	walk(md, len, max_tokens, ref);

	/* An offset from the flags: a part there, or a refusal that holds. */
	probe = len ? ((size_t)(data[3] >> 3) * len) / 31 : 0;
	st = tokens_answer(md, len, probe, max_tokens, ref, &p, &out, &out_len);
	switch (st) {
	case TOKENS_OK:
		fuzz_require(p.start == probe || (probe == 0 && p.frontmatter_dropped),
			     "probed part elsewhere");
		free(out);
		break;
	case TOKENS_PAST_END:
		fuzz_require(probe >= len && (probe > 0 || len > 0), "refused as past the end");
		break;
	case TOKENS_MID_CHARACTER:
		fuzz_require(probe > 0 && probe < len, "refused as mid-character");
		break;
	case TOKENS_IN_FRONTMATTER:
		fuzz_require(probe > 0 && probe < tokens_frontmatter_end(md, len),
			     "refused as in the frontmatter");
		break;
	case TOKENS_NO_ROOM:
		fuzz_require(0, "tokens_answer found no room for its note");
		break;
	}
	if (st != TOKENS_OK)
		fuzz_require(out == NULL, "a refusal with an answer");
	return 0;
}
