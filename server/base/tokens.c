/* SPDX-License-Identifier: MIT */
/*
 * tokens: the token estimate and the markdown cut behind ?max_tokens. The
 * cut scans the text once for ATX headings (skipping YAML frontmatter and
 * fenced code), then tries the latest heading that leaves room for the
 * closing note.
 */
#include "skilld/base/tokens.h"

#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

#define NOTE_HEADINGS 20    /* headings named in the note; the rest counted */
#define NOTE_HEADING_MAX 80 /* bytes of a heading quoted in the note */

size_t tokens_estimate(size_t len)
{
	return len / TOKENS_BYTES_PER_TOKEN + (len % TOKENS_BYTES_PER_TOKEN != 0);
}

struct heading {
	size_t off;        /* start of the heading's line */
	const char *text;  /* its text, without #s */
	size_t text_len;
};

struct headings {
	struct heading *items;
	size_t len, cap;
};

/* Finds the headings of md[0..len), skipping YAML frontmatter and fenced
 * code (text_fence_step and text_atx_heading, the rules checklist and
 * search read lines by). */
static void scan_headings(const char *md, size_t len, struct headings *h)
{
	struct text_fence fence = { 0 };
	size_t i = 0, next;

	/* YAML frontmatter: its comments are not headings. */
	if (len >= 4 && memcmp(md, "---", 3) == 0 && (md[3] == '\n' || md[3] == '\r')) {
		text_line(md, len, 0, &i);
		while (i < len) {
			size_t n = text_line(md, len, i, &next);
			bool end = n == 3 && (memcmp(md + i, "---", 3) == 0 || memcmp(md + i, "...", 3) == 0);

			i = next;
			if (end)
				break;
		}
	}
	for (; i < len; i = next) {
		size_t n = text_line(md, len, i, &next);
		const char *t;
		size_t tl;

		if (text_fence_step(&fence, md + i, n) != TEXT_FENCE_NONE)
			continue;
		if (text_atx_heading(md + i, n, &t, &tl) > 0) {
			if (h->len == h->cap) {
				h->cap = h->cap ? 2 * h->cap : 16;
				h->items = xrealloc(h->items, h->cap * sizeof(*h->items));
			}
			h->items[h->len++] = (struct heading){ i, t, tl };
		}
	}
}

/* Appends at most max bytes of s, not splitting a UTF-8 character. */
static void put_prefix(struct buf *b, const char *s, size_t n, size_t max)
{
	if (n > max) {
		n = utf8_floor(s, max);
		buf_append(b, s, n);
		buf_puts(b, "…");
		return;
	}
	buf_append(b, s, n);
}

/* The closing note for a cut at off with shown bytes of body. */
static void build_note(struct buf *b, const struct headings *h, size_t off, size_t shown,
		       size_t total, size_t max_tokens, const char *full_url)
{
	size_t first = 0, left;
	bool mid;

	while (first < h->len && h->items[first].off < off)
		first++;
	left = h->len - first;
	/* Cut inside a section rather than before a heading. */
	mid = shown > 0 && off < total && !(first < h->len && h->items[first].off == off);
	buf_reset(b);
	buf_printf(b, "\n\n---\n\n> **Cut to fit max_tokens=%zu:** about %zu of %zu tokens shown "
		   "(estimated as bytes / %d).", max_tokens, tokens_estimate(shown),
		   tokens_estimate(total), TOKENS_BYTES_PER_TOKEN);
	if (mid || left > 0) {
		buf_puts(b, "\n> Left out: ");
		if (mid)
			buf_puts(b, left ? "the rest of this section and " : "the rest of this section.");
		if (left) {
			buf_printf(b, "%zu section%s: ", left, left == 1 ? "" : "s");
			for (size_t i = first; i < h->len && i < first + NOTE_HEADINGS; i++) {
				buf_puts(b, i == first ? "\"" : ", \"");
				put_prefix(b, h->items[i].text, h->items[i].text_len, NOTE_HEADING_MAX);
				buf_putc(b, '"');
			}
			if (left > NOTE_HEADINGS)
				buf_printf(b, " and %zu more", left - NOTE_HEADINGS);
			buf_putc(b, '.');
		}
	}
	if (full_url && *full_url)
		buf_printf(b, "\n> The whole text: %s", full_url);
	buf_putc(b, '\n');
}

/* The last cut point at or before limit inside one section: a blank line,
 * else a line end, else a UTF-8 character boundary. */
static size_t inner_cut(const char *md, size_t limit)
{
	size_t i, nl = 0;

	for (i = limit; i > 0; i--) {
		if (md[i - 1] == '\n') {
			if (i >= 2 && md[i - 2] == '\n')
				return i;
			if (!nl)
				nl = i;
		}
	}
	if (nl)
		return nl;
	return utf8_floor(md, limit);
}

/* md[0..off) without trailing blank space. */
static size_t trimmed(const char *md, size_t off)
{
	while (off > 0 && (md[off - 1] == '\n' || md[off - 1] == '\r' || md[off - 1] == ' ' ||
			   md[off - 1] == '\t'))
		off--;
	return off;
}

char *tokens_cut_markdown(const char *md, size_t len, size_t max_tokens, const char *full_url,
			  size_t *out_len, bool *cut)
{
	struct headings h = { 0 };
	struct buf note, out;
	size_t budget, off = 0, shown = 0;
	bool found = false;

	*cut = false;
	if (tokens_estimate(len) <= max_tokens) {
		char *copy = xmalloc(len + 1);

		memcpy(copy, md, len);
		copy[len] = '\0';
		*out_len = len;
		return copy;
	}
	*cut = true;
	budget = max_tokens > (size_t)-1 / TOKENS_BYTES_PER_TOKEN ? len :
		 max_tokens * TOKENS_BYTES_PER_TOKEN;
	scan_headings(md, len, &h);
	buf_init(&note);

	/* The latest heading that leaves room for the note. */
	for (size_t i = h.len; i-- > 0 && !found;) {
		off = h.items[i].off;
		shown = trimmed(md, off);
		if (shown == 0)
			continue;
		build_note(&note, &h, off, shown, len, max_tokens, full_url);
		found = shown + note.len <= budget;
	}
	/* Inside the first section that does not fit: shrink until the note,
	 * which names more sections as the cut moves back, fits too. */
	if (!found) {
		size_t limit = budget < len ? budget : len;

		for (int round = 0; round < 16 && !found; round++) {
			off = inner_cut(md, limit);
			shown = trimmed(md, off);
			if (shown == 0)
				break;
			build_note(&note, &h, off, shown, len, max_tokens, full_url);
			if (shown + note.len <= budget)
				found = true;
			else
				limit = budget > note.len ? budget - note.len : 0;
			if (limit == 0)
				break;
		}
	}
	if (!found) { /* only the note */
		off = 0;
		shown = 0;
		build_note(&note, &h, 0, 0, len, max_tokens, full_url);
	}
	buf_init(&out);
	buf_append(&out, md, shown);
	buf_append(&out, shown ? note.data : note.data + 2, shown ? note.len : note.len - 2);
	buf_fini(&note);
	free(h.items);
	return buf_detach(&out, out_len);
}
