/* SPDX-License-Identifier: MIT */
/*
 * tokens: how many tokens a text costs an agent, estimated, and markdown cut
 * into parts that each fit a token budget. The estimate is one rule used
 * everywhere (file listings, ?max_tokens, MCP): ceil(bytes / 4), the usual
 * rule of thumb for English text and code in UTF-8 (exact counts depend on
 * the model's tokenizer, which a server cannot know). A part is named by
 * the byte offset in the original text where it starts, so a client that
 * asks for part after part, each at the offset the previous one gave, gets
 * back every byte of the text exactly once. Pure functions, thread safe.
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
 * The end of the YAML frontmatter block that text[0..len) starts with: the
 * offset just past the line end of its closing `---` line; 0 when the text
 * has none. The indexer's rule (frontmatter.c): an optional UTF-8 BOM, a
 * first line of exactly `---`, lines up to the next `---` line (trailing
 * blanks and a '\r' allowed on both); an unclosed block is no frontmatter.
 */
size_t tokens_frontmatter_end(const char *text, size_t len);

/* Why tokens_part or tokens_answer cannot start a part at an offset. */
enum tokens_status {
	TOKENS_OK = 0,
	TOKENS_PAST_END,       /* offset >= len (len > 0), or offset > 0 = len */
	TOKENS_MID_CHARACTER,  /* offset inside a UTF-8 character, or between '\r' and '\n' */
	TOKENS_IN_FRONTMATTER, /* 0 < offset < tokens_frontmatter_end: it is never cut */
	TOKENS_NO_ROOM,        /* note_bytes leaves under one token (4 bytes) for content */
};

/* Where a part ends, from the most wanted to the least. */
enum tokens_cut {
	TOKENS_CUT_END,       /* at the end of the text: the last part */
	TOKENS_CUT_HEADING,   /* before an ATX heading (outside fences and frontmatter) */
	TOKENS_CUT_PARAGRAPH, /* after a blank line, or just after the frontmatter */
	TOKENS_CUT_LINE,      /* after a line end (\n, \r\n or a lone \r) */
	TOKENS_CUT_CHARACTER, /* between two UTF-8 characters, never inside a \r\n */
};

/* One part of a text: its content is text[start..end). */
struct tokens_part {
	size_t start;             /* the offset asked for, or the frontmatter's end when dropped */
	size_t end;               /* where the next part starts (its offset); len when last */
	bool whole;               /* offset 0 and the text fits the budget: send it as it is */
	bool last;                /* end == len: no part follows */
	bool frontmatter_dropped; /* offset 0, but the frontmatter does not fit: text[0..frontmatter) left out */
	size_t frontmatter;       /* tokens_frontmatter_end of the text */
	enum tokens_cut cut;
};

/*
 * The part of markdown text[0..len) that starts at offset and fits
 * max_tokens (>= 1) once the caller appends a note of at most note_bytes
 * bytes: (end - start) + note_bytes <= max_tokens * 4, so the answer's
 * estimate, note included, is within max_tokens. Fills OUT: *part and
 * returns TOKENS_OK, or another tokens_status with *part untouched.
 *
 * - offset 0 and tokens_estimate(len) <= max_tokens: part->whole (and
 *   last); the text needs no note (note_bytes is not asked for).
 * - A frontmatter block is never cut. At offset 0 the part keeps it whole
 *   when it fits with the note; otherwise it is left out
 *   (frontmatter_dropped, start = its end), since no part of this budget
 *   could hold it. Offsets inside it are refused (TOKENS_IN_FRONTMATTER).
 * - The end is the latest cut point of the first kind that leaves the part
 *   at least half of its room (max_tokens * 4 - note_bytes): before a
 *   heading, else after a blank line, else after a line end, else at the
 *   room's last character boundary. So every part carries content (at
 *   least one character), and a part that is not last fills at least half
 *   its room. The one exception: a text that is only a frontmatter too big
 *   for the budget gives an empty last part.
 * - Offsets: continuing at part->end until part->last yields
 *   text[start..len) in order, each byte once; with the frontmatter
 *   dropped, text[0..frontmatter) is the only byte range left out.
 *
 * note_bytes may be 0 (a part without a note). TOKENS_NO_ROOM when
 * note_bytes + 4 > max_tokens * 4 and the text is not whole.
 */
enum tokens_status tokens_part(const char *text, size_t len, size_t offset, size_t max_tokens,
			       size_t note_bytes, struct tokens_part *part);

/*
 * The whole ?max_tokens answer: the part of markdown md[0..len) at offset
 * (tokens_part) followed by a note, the two within max_tokens estimated
 * tokens. next_ref is printed in the note directly before the next part's
 * offset, e.g. "http://host/x.md?max_tokens=300&offset=" (a URL ending in
 * its offset argument) or "offset=" for a tool's argument.
 *
 * The note is the richest of three forms that fits its share of the
 * budget: the full note (what was cut, bytes and tokens shown, the
 * sections that follow, the next part's reference) when within a quarter
 * of it; a one-line note (bytes shown, next reference) when within half;
 * the bare "Next: <ref><offset>" when it leaves a token for content; else
 * none (the caller's headers must then say where the next part starts).
 * The last part's note says it is the last, and a dropped frontmatter is
 * named in every form. A whole text (part->whole) gets no note.
 *
 * Returns TOKENS_OK with OUT: *part filled and, unless part->whole, the
 * answer in OUT: *out (free()) and *out_len; for part->whole *out is NULL
 * (send md itself). Another tokens_status (never TOKENS_NO_ROOM) when the
 * offset cannot start a part, with *out NULL.
 */
enum tokens_status tokens_answer(const char *md, size_t len, size_t offset, size_t max_tokens,
				 const char *next_ref, struct tokens_part *part, char **out,
				 size_t *out_len);

#endif
