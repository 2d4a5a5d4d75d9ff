/* SPDX-License-Identifier: MIT */
/*
 * tokens: how many tokens a text costs an agent, estimated, and markdown cut
 * to a token budget. The estimate is one rule used everywhere (file
 * listings, ?max_tokens, MCP): ceil(bytes / 4), the usual rule of thumb for
 * English text and code in UTF-8 (exact counts depend on the model's
 * tokenizer, which a server cannot know). Pure functions, thread safe.
 */
#ifndef SKILLD_TOKENS_H
#define SKILLD_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

#define TOKENS_BYTES_PER_TOKEN 4
/* The largest ?max_tokens accepted. */
#define TOKENS_MAX_BUDGET 10000000L

/* ceil(len / TOKENS_BYTES_PER_TOKEN). */
size_t tokens_estimate(size_t len);

/*
 * Cuts markdown md[0..len) to at most max_tokens estimated tokens, note
 * included, and returns the result (free()), its length in *out_len. When
 * the text fits it is returned whole and *cut is false. Otherwise the text
 * ends before an ATX heading (one outside fenced code; text.h's rules for
 * both, as checklist and search read them), the last one that leaves room
 * for the note; when even the first section does not fit, at the last
 * blank line, line end or UTF-8 character that does. A closing
 * note follows, after a "---" rule: the budget, the tokens shown of the
 * total, the headings of the sections left out (the first 20, then a count)
 * and full_url, where the whole text is (may be NULL). When the budget is
 * smaller than the note, only the note is returned.
 */
char *tokens_cut_markdown(const char *md, size_t len, size_t max_tokens, const char *full_url,
			  size_t *out_len, bool *cut);

#endif
