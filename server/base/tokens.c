/* SPDX-License-Identifier: MIT */
/*
 * tokens: the token estimate, and markdown cut into parts that fit a token
 * budget (?max_tokens, and MCP's read tools). A part is found by one scan
 * of the text's lines up to the end of the budget (fences tracked from the
 * frontmatter's end, so headings inside code are not headings); the note
 * after it is written once its worst case is known, so the content's room
 * is settled before the cut. Pure functions, thread safe.
 */
#include "skilld/base/tokens.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

#define NOTE_HEADING_MAX 80 /* bytes of a heading quoted in the note */

size_t tokens_estimate(size_t len)
{
	return len / TOKENS_BYTES_PER_TOKEN + (len % TOKENS_BYTES_PER_TOKEN != 0);
}

/* max_tokens in bytes, saturating. */
static size_t budget_bytes(size_t max_tokens)
{
	return max_tokens > SIZE_MAX / TOKENS_BYTES_PER_TOKEN ? SIZE_MAX :
	       max_tokens * TOKENS_BYTES_PER_TOKEN;
}

/* Is p[0..n) (a line without its '\n') a `---` delimiter: three dashes,
 * then blanks and a '\r' (frontmatter.c's fm_is_delimiter)? */
static bool fm_delimiter(const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	while (n > 3 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 3 && memcmp(p, "---", 3) == 0;
}

size_t tokens_frontmatter_end(const char *text, size_t len)
{
	size_t pos = 0;
	bool first = true;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	/* Lines end at '\n' only, as the indexer reads them. */
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		bool delim = fm_delimiter(text + pos, n);

		if (first && !delim)
			return 0;
		if (!first && delim)
			return nl ? pos + n + 1 : len;
		if (!nl)
			break;
		first = false;
		pos += n + 1;
	}
	return 0;
}

/* ---- cut points ---- */

static bool is_continuation(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* Is offset o inside a UTF-8 character: after a lead byte, within the
 * length it announces, with only continuation bytes between? (Bytes of
 * invalid UTF-8 are characters of their own.) */
static bool inside_character(const char *text, size_t len, size_t o)
{
	if (o == 0 || o >= len || !is_continuation((unsigned char)text[o]))
		return false;
	for (size_t k = 1; k <= 3 && k <= o; k++) {
		unsigned char b = (unsigned char)text[o - k];
		size_t n;

		if (is_continuation(b))
			continue;
		n = b >= 0xF0 && b <= 0xF7 ? 4 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xC0 && b <= 0xDF ? 2 : 1;
		return n > k;
	}
	return false;
}

/* May a part start (or end) at offset o: not inside a character, not
 * between the '\r' and '\n' of one line end? */
static bool boundary_ok(const char *text, size_t len, size_t o)
{
	if (o > 0 && o < len && text[o - 1] == '\r' && text[o] == '\n')
		return false;
	return !inside_character(text, len, o);
}

/* Only blanks (CommonMark's blank line)? */
static bool is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/*
 * The end of a part that starts at start and may run to limit (< len): the
 * latest line start in [low, limit] that begins a heading, else that
 * follows a blank line or a closing fence (or is from, the frontmatter's
 * end, when that lies after start), else any, else the last character
 * boundary at or before limit. Lines are read from from, the frontmatter's
 * end, so that fences and headings are known.
 */
static void find_cut(const char *text, size_t len, size_t from, size_t start, size_t low,
		     size_t limit, struct tokens_part *p)
{
	struct text_fence fence = { 0 };
	size_t heading = 0, para = 0, line = 0, next, e;
	bool after_break = from > 0; /* the frontmatter just ended */

	for (size_t i = from; i < len && i <= limit; i = next) {
		size_t n = text_line(text, len, i, &next), tl;
		enum text_fence_role role = text_fence_step(&fence, text + i, n);
		const char *t;

		if (i > start && i >= low) {
			line = i;
			if (after_break)
				para = i;
			if (role == TEXT_FENCE_NONE && text_atx_heading(text + i, n, &t, &tl) > 0)
				heading = i;
		}
		after_break = (role == TEXT_FENCE_NONE && is_blank(text + i, n)) ||
			      role == TEXT_FENCE_CLOSE;
	}
	if (heading) {
		p->end = heading;
		p->cut = TOKENS_CUT_HEADING;
	} else if (para) {
		p->end = para;
		p->cut = TOKENS_CUT_PARAGRAPH;
	} else if (line) {
		p->end = line;
		p->cut = TOKENS_CUT_LINE;
	} else {
		/* A room of 4 bytes or more holds one character (or \r\n). */
		for (e = limit; e > start && !boundary_ok(text, len, e); e--)
			;
		assert(e > start);
		p->end = e;
		p->cut = TOKENS_CUT_CHARACTER;
	}
}

enum tokens_status tokens_part(const char *text, size_t len, size_t offset, size_t max_tokens,
			       size_t note_bytes, struct tokens_part *part)
{
	size_t budget = budget_bytes(max_tokens), fm = tokens_frontmatter_end(text, len), room;
	struct tokens_part p = { 0 };

	if (offset > len || (offset == len && len > 0))
		return TOKENS_PAST_END;
	if (!boundary_ok(text, len, offset))
		return TOKENS_MID_CHARACTER;
	if (offset > 0 && offset < fm)
		return TOKENS_IN_FRONTMATTER;
	p.frontmatter = fm;
	p.start = offset;
	if (offset == 0 && len <= budget) {
		p.end = len;
		p.whole = p.last = true;
		p.cut = TOKENS_CUT_END;
		*part = p;
		return TOKENS_OK;
	}
	if (budget < TOKENS_BYTES_PER_TOKEN || note_bytes > budget - TOKENS_BYTES_PER_TOKEN)
		return TOKENS_NO_ROOM;
	room = budget - note_bytes;
	/* A frontmatter is whole in the first part, or not there at all. */
	if (offset == 0 && fm > room) {
		p.frontmatter_dropped = true;
		p.start = fm;
	}
	if (len - p.start <= room) {
		p.end = len;
		p.cut = TOKENS_CUT_END;
	} else {
		size_t low = p.start + room / 2;

		if (fm > low) /* kept: cut after it, never inside */
			low = fm;
		find_cut(text, len, fm, p.start, low, p.start + room, &p);
	}
	p.last = p.end == len;
	*part = p;
	return TOKENS_OK;
}

/* ---- the note ---- */

struct heading {
	size_t off;       /* start of the heading's line */
	const char *text; /* its text, without #s */
	size_t text_len;
};

struct headings {
	struct heading *items;
	size_t len, cap;
};

/* The headings of md[0..len) after the frontmatter, outside fences (the
 * rules find_cut reads lines by). */
static void scan_headings(const char *md, size_t len, size_t from, struct headings *h)
{
	struct text_fence fence = { 0 };
	size_t next;

	for (size_t i = from; i < len; i = next) {
		size_t n = text_line(md, len, i, &next), tl;
		const char *t;

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

/* The notes, from the richest to none. */
enum note_form { NOTE_FULL, NOTE_SHORT, NOTE_LINK, NOTE_NONE };

/* What a note says; every number at most len + 1, so that a note written
 * with the largest values bounds the real one. */
struct note {
	size_t max_tokens, len;
	size_t start, end;      /* the part's content */
	size_t shown;           /* its bytes (for the tokens shown) */
	size_t fm;              /* the frontmatter's end */
	bool last, dropped, mid;
	size_t sections;        /* headings from end on */
	const char *heading;    /* the first of them */
	size_t heading_len;
	const char *next_ref;
};

/* Appends at most max bytes of s, not splitting a UTF-8 character. */
static void put_prefix(struct buf *b, const char *s, size_t n, size_t max)
{
	if (n > max) {
		buf_append(b, s, utf8_floor(s, max));
		buf_puts(b, "…");
		return;
	}
	buf_append(b, s, n);
}

/* "bytes a-b" of a part's content (inclusive, as Content-Range). */
static void put_range(struct buf *b, size_t start, size_t end)
{
	if (end > start)
		buf_printf(b, "bytes %zu-%zu", start, end - 1);
	else
		buf_puts(b, "no bytes");
}

static void write_note(struct buf *b, enum note_form form, const struct note *n)
{
	buf_reset(b);
	switch (form) {
	case NOTE_NONE:
		return;
	case NOTE_LINK:
		if (n->last)
			buf_puts(b, n->dropped ? "\n\n(last part; frontmatter left out)\n" : "\n\n(last part)\n");
		else
			buf_printf(b, "\n\n%sNext: %s%zu\n", n->dropped ? "(frontmatter left out) " : "",
				   n->next_ref, n->end);
		return;
	case NOTE_SHORT:
		buf_puts(b, n->last ? "\n\n---\n\n> Last part: " : "\n\n---\n\n> Cut to fit ");
		if (!n->last)
			buf_printf(b, "max_tokens=%zu: ", n->max_tokens);
		put_range(b, n->start, n->end);
		buf_printf(b, " of %zu.", n->len);
		if (n->dropped)
			buf_printf(b, " Frontmatter (bytes 0-%zu) left out.", n->fm - 1);
		if (!n->last)
			buf_printf(b, " Next part: %s%zu", n->next_ref, n->end);
		buf_putc(b, '\n');
		return;
	case NOTE_FULL:
		break;
	}
	if (n->last)
		buf_printf(b, "\n\n---\n\n> **Last part** (max_tokens=%zu): ", n->max_tokens);
	else
		buf_printf(b, "\n\n---\n\n> **Cut to fit max_tokens=%zu:** ", n->max_tokens);
	put_range(b, n->start, n->end);
	buf_printf(b, " of %zu shown, about %zu of %zu tokens (estimated as bytes / %d).%s\n",
		   n->len, tokens_estimate(n->shown), tokens_estimate(n->len),
		   TOKENS_BYTES_PER_TOKEN, n->last ? " Nothing follows." : "");
	if (n->dropped)
		buf_printf(b, "> Left out: the frontmatter (bytes 0-%zu, about %zu tokens), which is "
			   "never cut and does not fit this budget.\n", n->fm - 1, tokens_estimate(n->fm));
	if (n->last)
		return;
	buf_puts(b, "> Next: ");
	if (n->mid)
		buf_puts(b, n->sections ? "the rest of this section, then " : "the rest of this section");
	if (n->sections) {
		buf_printf(b, "%zu section%s, from \"", n->sections, n->sections == 1 ? "" : "s");
		put_prefix(b, n->heading, n->heading_len, NOTE_HEADING_MAX);
		buf_putc(b, '"');
	}
	buf_printf(b, ".\n> Next part: %s%zu\n", n->next_ref, n->end);
}

/* The most a note of this form can take for md: every number at its
 * largest, every heading at its longest, the longer of last and not. */
static size_t note_bound(enum note_form form, const struct note *like, size_t n_headings)
{
	char filler[NOTE_HEADING_MAX + 1];
	struct note n = *like;
	struct buf b;
	size_t most;

	memset(filler, 'x', sizeof(filler));
	n.start = n.len;
	n.end = n.len + 1;
	n.shown = n.len;
	n.fm = n.len + 1;
	n.mid = true;
	n.sections = n_headings;
	n.heading = filler;
	n.heading_len = NOTE_HEADING_MAX + 1;
	buf_init(&b);
	n.last = false;
	write_note(&b, form, &n);
	most = b.len;
	n.last = true;
	write_note(&b, form, &n);
	if (b.len > most)
		most = b.len;
	buf_fini(&b);
	return most;
}

/* The richest note form within its share of budget bytes, and its bound. */
static enum note_form choose_form(const struct note *like, size_t n_headings, size_t budget,
				  size_t *bound)
{
	static const enum note_form forms[] = { NOTE_FULL, NOTE_SHORT, NOTE_LINK };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t most = note_bound(forms[i], like, n_headings);
		size_t share = forms[i] == NOTE_FULL ? budget / 4 : forms[i] == NOTE_SHORT ? budget / 2 :
			       budget - TOKENS_BYTES_PER_TOKEN;

		if (most <= share) {
			*bound = most;
			return forms[i];
		}
	}
	*bound = 0;
	return NOTE_NONE;
}

enum tokens_status tokens_answer(const char *md, size_t len, size_t offset, size_t max_tokens,
				 const char *next_ref, struct tokens_part *part, char **out,
				 size_t *out_len)
{
	struct headings h = { 0 };
	struct note n = { 0 };
	struct tokens_part p;
	enum tokens_status st;
	enum note_form form;
	size_t budget, bound, first, skip;
	struct buf note, answer;

	*out = NULL;
	*out_len = 0;
	if (max_tokens < 1)
		max_tokens = 1;
	budget = budget_bytes(max_tokens);
	/* The offset's checks, and a text that fits whole. */
	if ((st = tokens_part(md, len, offset, max_tokens, 0, &p)) != TOKENS_OK)
		return st;
	if (p.whole) {
		*part = p;
		return TOKENS_OK;
	}
	scan_headings(md, len, p.frontmatter, &h);
	n.max_tokens = max_tokens;
	n.len = len;
	n.next_ref = next_ref ? next_ref : "offset=";
	form = choose_form(&n, h.len, budget, &bound);
	/* A frontmatter that would not fit beside this note is dropped, and
	 * the note then says so. */
	if (offset == 0 && p.frontmatter > 0 && p.frontmatter + bound > budget) {
		n.dropped = true;
		form = choose_form(&n, h.len, budget, &bound);
	}
	st = tokens_part(md, len, offset, max_tokens, bound, &p);
	assert(st == TOKENS_OK);

	for (first = 0; first < h.len && h.items[first].off < p.end; first++)
		;
	n.start = p.start;
	n.end = p.end;
	n.shown = p.end - p.start;
	n.fm = p.frontmatter;
	n.last = p.last;
	n.dropped = p.frontmatter_dropped;
	n.mid = !p.last && p.cut != TOKENS_CUT_HEADING;
	n.sections = h.len - first;
	if (first < h.len) {
		n.heading = h.items[first].text;
		n.heading_len = h.items[first].text_len;
	}
	buf_init(&note);
	write_note(&note, form, &n);
	assert(note.len <= bound);
	/* Every note starts with a blank line's "\n\n": not again after the
	 * line ends the content already has. */
	for (skip = 0; skip < 2 && skip < note.len && note.data[skip] == '\n' &&
		       p.end - p.start > skip && md[p.end - 1 - skip] == '\n'; skip++)
		;
	buf_init(&answer);
	buf_append(&answer, md + p.start, p.end - p.start);
	buf_append(&answer, note.data + skip, note.len - skip);
	buf_fini(&note);
	free(h.items);
	*part = p;
	*out = buf_detach(&answer, out_len);
	return TOKENS_OK;
}
