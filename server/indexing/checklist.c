/* SPDX-License-Identifier: MIT */
/*
 * checklist: turns a review-checklist.md into the structure documented in
 * include/skilld/checklist.h. The text is first normalised (BOM, line ends,
 * NUL bytes, invalid UTF-8), split into lines and scanned once for code
 * fences; then one pass over the lines drives a small state machine. Every
 * step is linear in the input. No global state; safe from any thread.
 */
#include "skilld/indexing/checklist.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

#define SLUG_MAX 48
#define SLUG_SCAN_MAX 512 /* bytes of a title or text looked at for its slug */
#define NUMBER_MAX_DIGITS 9

/* One line of the normalised text, without its line end. */
struct line {
	const char *p;
	size_t len;
	enum text_fence_role fence;
};

/* A markdown accumulator that drops leading blank lines and folds runs of
 * blank lines into one (code fence bodies are kept verbatim). */
struct sink {
	struct buf b;
	bool pending_blank;
};

/* The item being read: its first line and continuation lines. */
struct item_acc {
	bool open;
	bool lazy;          /* the previous line belonged to the item */
	int pending_blank;  /* blank lines seen since the last item line */
	size_t content_col; /* column where the item's text starts after `- ` */
	size_t first;       /* index of the first line */
	struct buf md;
	struct buf extra_text; /* continuation lines, dedented */
};

struct parser {
	const struct line *lines;
	size_t n;

	cJSON *root;
	cJSON *sections;
	cJSON *workflow;
	cJSON *severity;
	char *title;
	char *workflow_title;
	char *severity_title;
	struct sink intro;
	struct sink extra;
	int item_count;
	int section_count;
	bool seen_block; /* a `#`/`##` block started: no title after it */

	/* the open section; sec_open false when none */
	bool sec_open;
	int sec_number; /* -1 when none */
	char *sec_title;
	char *sec_chapters;
	size_t sec_line;
	struct sink sec_intro;
	struct sink sec_extra;
	struct buf sec_red;
	bool sec_has_red;
	bool red_para_empty; /* the current red flags paragraph has no text yet */
	bool sec_started; /* an item or group was seen: later text is extra */
	cJSON *sec_items;
	cJSON *sec_groups;
	int sec_item_count;
	bool red_mode;

	/* the open group inside the section */
	bool grp_open;
	char *grp_title;
	char *grp_chapters;
	size_t grp_line;
	struct sink grp_intro;
	struct sink grp_extra;
	cJSON *grp_items;
	int grp_item_count; /* items in the open group */
	int grp_count;      /* groups opened in the section so far */

	struct item_acc item;
	bool fence_to_item;
	struct text_ids ids; /* item ids: "a", "a-2", "a-3"... */
};

/* ---- small string helpers ---- */

/* Space or tab: the only blanks of a markdown line. */
static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII digit. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII capital letter. */
static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* ASCII letter or digit (slugs and codes are ASCII only). */
static bool is_alnum(char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

/* True when s[0..n) is empty or only spaces and tabs. */
static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(s[i]))
			return false;
	return true;
}

/* Trims spaces and tabs on both sides of *s / *n in place. */
static void trim(const char **s, size_t *n)
{
	while (*n && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_ws((*s)[*n - 1]))
		(*n)--;
}

/* Columns of leading whitespace (a tab advances to the next multiple of 4);
 * *off receives the number of whitespace bytes. */
static size_t indent_of(const char *s, size_t n, size_t *off)
{
	size_t col = 0, i = 0;

	for (; i < n && is_ws(s[i]); i++)
		col = s[i] == '\t' ? (col / 4 + 1) * 4 : col + 1;
	if (off)
		*off = i;
	return col;
}

/* Case-insensitive "does s[0..n) start with word". */
static bool starts_ci(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	return n >= w && strncasecmp(s, word, w) == 0;
}

/* Case-insensitive search of needle in s[0..n); returns offset or -1. */
static long find_ci(const char *s, size_t n, const char *needle)
{
	size_t w = strlen(needle);

	for (size_t i = 0; i + w <= n; i++)
		if (strncasecmp(s + i, needle, w) == 0)
			return (long)i;
	return -1;
}

/* A new NUL-terminated copy of s[0..n) with surrounding blanks trimmed. */
static char *dup_trim(const char *s, size_t n)
{
	trim(&s, &n);
	return xstrndup(s, n);
}

/* Adds a string member, or null when s is NULL. */
static void add_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

/*
 * Length of a separator at s[0..n) (dashes or a colon with the blanks
 * around them), 0 when there is none. *at_end is set when only blanks are
 * left, which callers may treat as a separator too.
 */
static size_t sep_len(const char *s, size_t n, bool slash, bool *at_end)
{
	size_t i = 0, k;

	while (i < n && is_ws(s[i]))
		i++;
	*at_end = i == n;
	if (*at_end)
		return 0;
	k = i;
	if (n - i >= 3 && memcmp(s + i, "\xe2\x80\x94", 3) == 0)       /* — */
		i += 3;
	else if (n - i >= 3 && memcmp(s + i, "\xe2\x80\x93", 3) == 0)  /* – */
		i += 3;
	else if (n - i >= 2 && s[i] == '-' && s[i + 1] == '-')
		i += 2;
	else if (s[i] == ':' || (slash && s[i] == '/'))
		i += 1;
	else if (s[i] == '-' && (i + 1 == n || is_ws(s[i + 1])))
		i += 1;
	if (i == k)
		return 0;
	/* a dash glued to the next word ("-foo") is not a separator */
	if (s[k] == '-' && i < n && !is_ws(s[i]))
		return 0;
	while (i < n && is_ws(s[i]))
		i++;
	return i;
}

/* ---- normalisation ---- */

/*
 * Copies md[0..len) without its BOM, NUL bytes and invalid UTF-8 replaced
 * by U+FFFD. OUT: *bad_line the 1-based line of the first replacement, 0
 * when none. The caller frees the result with free().
 */
static char *normalise(const char *md, size_t len, size_t *out_len, size_t *bad_line)
{
	static const char repl[] = "\xef\xbf\xbd";
	struct buf b;
	size_t i = 0, line = 1;

	*bad_line = 0;
	buf_init(&b);
	if (!md)
		len = 0;
	if (len >= 3 && memcmp(md, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	buf_grow(&b, len);
	while (i < len) {
		unsigned char c = (unsigned char)md[i];
		uint32_t cp;
		size_t k;

		if (c == '\n' || (c == '\r' && (i + 1 == len || md[i + 1] != '\n')))
			line++;
		if (c != 0 && c < 0x80) {
			buf_putc(&b, (char)c);
			i++;
			continue;
		}
		k = c ? utf8_decode(md + i, len - i, &cp) : 0;
		if (k) {
			buf_append(&b, md + i, k);
			i += k;
			continue;
		}
		if (!*bad_line)
			*bad_line = line;
		buf_append(&b, repl, 3);
		i++;
	}
	return buf_detach(&b, out_len);
}

/* Splits text into lines (text_line: at \n, \r\n and \r). The caller
 * frees the array. */
static struct line *split_lines(const char *text, size_t len, size_t *count)
{
	size_t n = 0, cap = 64, next;
	struct line *v = xmalloc(cap * sizeof(*v));

	for (size_t i = 0; i < len; i = next) {
		if (n == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n].p = text + i;
		v[n].len = text_line(text, len, i, &next);
		v[n].fence = TEXT_FENCE_NONE;
		n++;
	}
	*count = n;
	return v;
}

/* Marks fence delimiters and bodies (text_fence_step, the one fence rule);
 * returns the 1-based line of a fence left open at the end, 0 when none. */
static size_t mark_fences(struct line *v, size_t n)
{
	struct text_fence f = { 0 };
	size_t open_line = 0;

	for (size_t i = 0; i < n; i++) {
		v[i].fence = text_fence_step(&f, v[i].p, v[i].len);
		if (v[i].fence == TEXT_FENCE_OPEN)
			open_line = i + 1;
	}
	return f.ch ? open_line : 0;
}

/* ---- line classification ---- */

/* Recognises `- [ ]` / `- [x]` after any blanks; OUT: checked, the offset
 * after `]` and the column of the `-`. */
static bool item_marker(const struct line *l, bool *checked, size_t *rest, size_t *col)
{
	size_t off, c = indent_of(l->p, l->len, &off);
	const char *s = l->p + off;
	size_t n = l->len - off;

	if (l->fence != TEXT_FENCE_NONE || n < 5 || memcmp(s, "- [", 3) != 0 || s[4] != ']')
		return false;
	if (s[3] != ' ' && s[3] != 'x' && s[3] != 'X')
		return false;
	*checked = s[3] != ' ';
	*rest = off + 5;
	*col = c;
	return true;
}

/* ATX heading outside fences (text_atx_heading): returns its level (1–6)
 * and its text, 0 when not one. */
static int heading(const struct line *l, const char **text, size_t *tlen)
{
	if (l->fence != TEXT_FENCE_NONE)
		return 0;
	return text_atx_heading(l->p, l->len, text, tlen);
}

/* `---`, `***` or `___` (blanks allowed between). */
static bool thematic_break(const struct line *l)
{
	size_t off, count = 0;
	char c;

	if (l->fence != TEXT_FENCE_NONE || indent_of(l->p, l->len, &off) > 3 || off == l->len)
		return false;
	c = l->p[off];
	if (c != '-' && c != '*' && c != '_')
		return false;
	for (size_t i = off; i < l->len; i++) {
		if (l->p[i] == c)
			count++;
		else if (!is_ws(l->p[i]))
			return false;
	}
	return count >= 3;
}

/* `**Red flags**:` (or `**Red flags:**`, any case, or unbolded `Red flags:`);
 * OUT: offset of the paragraph text after the label. */
static bool red_flags_label(const struct line *l, size_t *rest)
{
	size_t off, i;
	const char *s;
	bool bold;

	if (l->fence != TEXT_FENCE_NONE || indent_of(l->p, l->len, &off) > 3)
		return false;
	s = l->p;
	i = off;
	bold = l->len - i >= 2 && s[i] == '*' && s[i + 1] == '*';
	if (bold)
		i += 2;
	if (!starts_ci(s + i, l->len - i, "red flag"))
		return false;
	i += 8;
	if (i < l->len && (s[i] == 's' || s[i] == 'S'))
		i++;
	if (i < l->len && s[i] == ':' && bold && l->len - i >= 3 && s[i + 1] == '*' && s[i + 2] == '*')
		i += 3;
	else if (bold) {
		if (l->len - i < 2 || s[i] != '*' || s[i + 1] != '*')
			return false;
		i += 2;
		if (i < l->len && s[i] == ':')
			i++;
	} else {
		if (i >= l->len || s[i] != ':')
			return false;
		i++;
	}
	while (i < l->len && is_ws(s[i]))
		i++;
	*rest = i;
	return true;
}

/* `12. ` or `12) ` with at most three blanks before; OUT: the number and the
 * offset of the text. */
static bool ordered_marker(const struct line *l, long *num, size_t *rest)
{
	size_t off, i, d = 0;
	long v = 0;

	if (l->fence != TEXT_FENCE_NONE || indent_of(l->p, l->len, &off) > 3)
		return false;
	for (i = off; i < l->len && is_digit(l->p[i]) && d < NUMBER_MAX_DIGITS + 1; i++, d++)
		v = v * 10 + (l->p[i] - '0');
	if (d == 0 || d > NUMBER_MAX_DIGITS || i >= l->len || (l->p[i] != '.' && l->p[i] != ')'))
		return false;
	i++;
	if (i < l->len && !is_ws(l->p[i]))
		return false;
	while (i < l->len && is_ws(l->p[i]))
		i++;
	*num = v;
	*rest = i;
	return true;
}

/* A line that may continue a paragraph lazily: not a heading, list,
 * quote, table, rule, fence or HTML block. */
static bool paragraph_line(const struct line *l)
{
	size_t off, rest;
	long num;

	if (l->fence != TEXT_FENCE_NONE || is_blank(l->p, l->len) ||
	    heading(l, &(const char *){ NULL }, &off))
		return false;
	if (thematic_break(l) || ordered_marker(l, &num, &rest) || red_flags_label(l, &rest))
		return false;
	indent_of(l->p, l->len, &off);
	return !strchr("#|>-*+<~", l->p[off]);
}

/* ---- sinks ---- */

/* Starts an empty sink. */
static void sink_init(struct sink *k)
{
	buf_init(&k->b);
	k->pending_blank = false;
}

/* Appends one line of markdown; verbatim keeps blank lines as they are. */
static void sink_line(struct sink *k, const char *s, size_t n, bool verbatim)
{
	if (!verbatim && is_blank(s, n)) {
		k->pending_blank = k->b.len > 0;
		return;
	}
	if (k->pending_blank)
		buf_putc(&k->b, '\n');
	k->pending_blank = false;
	buf_append(&k->b, s, n);
	buf_putc(&k->b, '\n');
}

/* Adds the sink's text (without its last line end) as key and resets it. */
static void sink_flush(struct sink *k, cJSON *o, const char *key)
{
	if (k->b.len && k->b.data[k->b.len - 1] == '\n')
		k->b.data[--k->b.len] = '\0';
	cJSON_AddStringToObject(o, key, k->b.data);
	buf_reset(&k->b);
	k->pending_blank = false;
}

/* ---- ids ---- */

/* Appends the slug of s[0..n) to b, stopping at SLUG_MAX characters. */
static void slug_append(struct buf *b, const char *s, size_t n)
{
	size_t start = b->len;
	bool dash = false, cut = false;

	if (n > SLUG_SCAN_MAX)
		n = SLUG_SCAN_MAX;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!is_alnum(c)) {
			dash = b->len > start;
			continue;
		}
		if (b->len - start + (dash ? 1 : 0) >= SLUG_MAX) {
			cut = true;
			break;
		}
		if (dash)
			buf_putc(b, '-');
		dash = false;
		buf_putc(b, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
	}
	if (cut && dash == false) {
		/* cut inside a word: back up to the last dash when it is not far */
		char *d = strrchr(b->data + start, '-');
		if (d && (size_t)(d - (b->data + start)) >= SLUG_MAX / 2) {
			b->len = (size_t)(d - b->data);
			b->data[b->len] = '\0';
		}
	}
}

/* ---- parsing of headings and bold titles ---- */

/* Length of a number range ("2", "1-2", "1–3", "1, 10–11", "5.3") at s. */
static size_t number_range(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	while (i < n && is_digit(s[i]) && d < NUMBER_MAX_DIGITS) {
		i++;
		d++;
	}
	if (d == 0)
		return 0;
	for (;;) {
		size_t j = i;
		if (j < n && (s[j] == '-' || s[j] == '.'))
			j++;
		else if (n - j >= 3 && memcmp(s + j, "\xe2\x80\x93", 3) == 0)
			j += 3;
		else if (j < n && s[j] == ',') {
			j++;
			if (j < n && s[j] == ' ')
				j++;
		} else
			break;
		if (j >= n || !is_digit(s[j]))
			break;
		while (j < n && is_digit(s[j]))
			j++;
		i = j;
	}
	return i;
}

/* Length of "Word N" at s when s starts with one of words (any case) followed
 * by blanks (or a dot) and a number range; 0 otherwise. */
static size_t word_number(const char *s, size_t n, const char *const *words)
{
	for (size_t w = 0; words[w]; w++) {
		size_t wl = strlen(words[w]), i, r;
		if (!starts_ci(s, n, words[w]))
			continue;
		i = wl;
		if (i < n && is_alnum(s[i]))
			continue;
		if (i < n && s[i] == '.')
			i++;
		while (i < n && is_ws(s[i]))
			i++;
		r = number_range(s + i, n - i);
		if (r == 0)
			continue;
		return i + r;
	}
	return 0;
}

static const char *const chapter_words[] = { "chapters", "chapter", "ch", NULL };
static const char *const item_words[] = { "items", "item", NULL };
static const char *const paren_words[] = {
	"chapters", "chapter", "ch", "items", "item", "lessons", "lesson",
	"parts", "part", "sections", "section", NULL,
};

/* A code like "N1", "G30", "T1": one to three capitals then digits. */
static size_t code_ref(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	while (i < n && i < 3 && is_upper(s[i]))
		i++;
	if (i == 0)
		return 0;
	while (i < n && is_digit(s[i]) && d < 4) {
		i++;
		d++;
	}
	if (d == 0 || (i < n && is_alnum(s[i])))
		return 0;
	return i;
}

struct heading_parts {
	long number;      /* -1 when none */
	char *title;      /* free() */
	char *chapters;   /* free(); NULL when none */
};

/* Splits a section or group heading into number, title and chapters. */
static void heading_split(const char *s, size_t n, bool want_number, struct heading_parts *hp)
{
	struct buf ch;
	size_t i = 0, r;
	bool end;

	hp->number = -1;
	hp->chapters = NULL;
	buf_init(&ch);
	trim(&s, &n);
	if (want_number) {
		long v = 0;
		size_t d = 0;
		while (d < n && d < NUMBER_MAX_DIGITS && is_digit(s[d]))
			v = v * 10 + (s[d++] - '0');
		if (d && d < n && (s[d] == '.' || s[d] == ')') && (d + 1 == n || is_ws(s[d + 1]))) {
			hp->number = v;
			s += d + 1;
			n -= d + 1;
		} else if ((r = word_number(s, n, chapter_words)) != 0 &&
			   ((i = sep_len(s + r, n - r, false, &end)) != 0 || end)) {
			/* "Chapter 2 — Title": the number is the chapter's */
			long cv = 0;
			size_t k = 0, dd = 0;
			while (k < r && !is_digit(s[k]))
				k++;
			while (k < r && is_digit(s[k]) && dd++ < NUMBER_MAX_DIGITS)
				cv = cv * 10 + (s[k++] - '0');
			hp->number = cv;
			buf_append(&ch, s, r);
			if (end) {
				n = 0;
			} else {
				s += r + i;
				n -= r + i;
			}
		}
	}
	trim(&s, &n);
	/* a trailing "(Chapters 1–3)" */
	if (n >= 2 && s[n - 1] == ')') {
		const char *open = NULL;
		for (size_t k = n - 1; k-- > 0;)
			if (s[k] == '(') {
				open = s + k;
				break;
			}
		if (open) {
			size_t inner = (size_t)(s + n - 1 - (open + 1));
			if (word_number(open + 1, inner, paren_words)) {
				if (ch.len)
					buf_puts(&ch, "; ");
				buf_append(&ch, open + 1, inner);
				n = (size_t)(open - s);
				trim(&s, &n);
			}
		}
	}
	hp->title = xstrndup(s, n);
	hp->chapters = ch.len ? buf_detach(&ch, NULL) : NULL;
	buf_fini(&ch);
}

/*
 * Finds the `**` closing a bold span that opens at s[0..2): the first one
 * followed by a separator or the end of the line, else the first one.
 * Returns its offset, or 0 when there is none. OUT: *sep_after.
 */
static size_t bold_close(const char *s, size_t n, bool *sep_after)
{
	size_t first = 0;

	*sep_after = false;
	for (size_t i = 2; i + 1 < n; i++) {
		size_t j = i, c;
		bool end;

		if (s[i] != '*' || s[i + 1] != '*')
			continue;
		while (j < n && s[j] == '*')
			j++;
		c = j - 2;
		i = j - 1;
		if (c <= 2)
			continue; /* "****": an empty bold closes nothing */
		if (!first)
			first = c;
		if (sep_len(s + j, n - j, false, &end) || end) {
			*sep_after = true;
			return c;
		}
	}
	return first;
}

struct item_parts {
	char shape;
	char *ref;      /* free(); NULL when none */
	char *title;    /* free(); NULL when none */
	const char *text;
	size_t text_len;
};

/*
 * Reads "**bold** — text" at s[0..n). With refs, "Ch 2 — Title", "Item 1 —
 * Title" and codes are split out of the bold (shapes A, B, C); a bold title
 * without ref needs a separator after it (D). Anything else is plain (E).
 */
static void bold_split(const char *s, size_t n, bool refs, struct item_parts *ip)
{
	size_t close, bl, after, r = 0, k;
	const char *b;
	bool sep_after, end;

	ip->shape = 'E';
	ip->ref = ip->title = NULL;
	ip->text = s;
	ip->text_len = n;
	if (n < 5 || s[0] != '*' || s[1] != '*' || s[2] == '*' || is_ws(s[2]))
		return;
	close = bold_close(s, n, &sep_after);
	if (!close)
		return;
	b = s + 2;
	bl = close - 2;
	after = close + 2;
	while (after < n && s[after] == '*')
		after++;
	trim(&b, &bl);
	if (bl && b[bl - 1] == ':') { /* "**Title:** text" */
		bl--;
		sep_after = true;
		trim(&b, &bl);
	}
	if (refs) {
		if ((r = word_number(b, bl, chapter_words)) != 0)
			ip->shape = 'A';
		else if ((r = word_number(b, bl, item_words)) != 0)
			ip->shape = 'B';
		else if ((r = code_ref(b, bl)) != 0)
			ip->shape = 'C';
	}
	if (r) {
		k = sep_len(b + r, bl - r, true, &end);
		if (k || end) {
			ip->ref = xstrndup(b, r);
			if (!end && bl > r + k)
				ip->title = dup_trim(b + r + k, bl - r - k);
		} else {
			ip->shape = 'E';
		}
	}
	if (!ip->ref) {
		if (!sep_after || bl == 0) {
			ip->shape = 'E';
			return;
		}
		ip->shape = 'D';
		ip->title = xstrndup(b, bl);
	}
	k = sep_len(s + after, n - after, false, &end);
	after = end ? n : after + k;
	while (after < n && is_ws(s[after]))
		after++;
	ip->text = s + after;
	ip->text_len = n - after;
}

/* ---- sections, groups and items ---- */

/* Builds the JSON of the open item and appends it to its group or section. */
static void item_close(struct parser *ps)
{
	struct item_acc *it = &ps->item;
	const struct line *l;
	struct item_parts ip;
	struct buf text, base;
	size_t rest, col, prefix;
	bool checked;
	cJSON *o;
	char *id;

	if (!it->open)
		return;
	it->open = false;
	l = &ps->lines[it->first];
	item_marker(l, &checked, &rest, &col);
	while (rest < l->len && is_ws(l->p[rest]))
		rest++;
	bold_split(l->p + rest, l->len - rest, true, &ip);

	buf_init(&text);
	{
		const char *t = ip.text;
		size_t tn = ip.text_len;
		trim(&t, &tn);
		buf_append(&text, t, tn);
	}
	if (it->extra_text.len) {
		const char *x = it->extra_text.data;
		size_t xn = it->extra_text.len;
		while (text.len == 0 && xn && *x == '\n') {
			x++; /* "- [ ]" alone: the text starts on the next line */
			xn--;
		}
		buf_append(&text, x, xn);
	}

	buf_init(&base);
	if (ps->sec_number >= 0)
		buf_printf(&base, "%d-", ps->sec_number);
	prefix = base.len;
	if (ip.ref && ip.title) {
		struct buf both;
		buf_init(&both);
		buf_printf(&both, "%s %s", ip.ref, ip.title);
		slug_append(&base, both.data, both.len);
		buf_fini(&both);
	} else if (ip.ref || ip.title) {
		const char *x = ip.ref ? ip.ref : ip.title;
		slug_append(&base, x, strlen(x));
	} else {
		slug_append(&base, text.data, text.len);
	}
	if (base.len == prefix)
		buf_puts(&base, "item");
	id = text_ids_unique(&ps->ids, base.data);

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "shape", (char[]){ ip.shape, '\0' });
	add_str(o, "ref", ip.ref);
	add_str(o, "title", ip.title);
	cJSON_AddStringToObject(o, "text", text.data);
	cJSON_AddStringToObject(o, "markdown", it->md.data);
	cJSON_AddNumberToObject(o, "line", (double)(it->first + 1));
	cJSON_AddBoolToObject(o, "checked", checked);
	cJSON_AddItemToArray(ps->grp_open ? ps->grp_items : ps->sec_items, o);
	ps->item_count++;
	ps->sec_item_count++;
	if (ps->grp_open)
		ps->grp_item_count++;

	free(id);
	free(ip.ref);
	free(ip.title);
	buf_fini(&text);
	buf_fini(&base);
	buf_reset(&it->md);
	buf_reset(&it->extra_text);
}

/* Closes the open group into the section's groups. */
static void group_close(struct parser *ps)
{
	cJSON *g;
	char *id;

	if (!ps->grp_open)
		return;
	ps->grp_open = false;
	id = xasprintf("s%d-g%d", ps->section_count, ps->grp_count);
	g = cJSON_CreateObject();
	cJSON_AddStringToObject(g, "id", id);
	add_str(g, "title", ps->grp_title);
	add_str(g, "chapters", ps->grp_chapters);
	cJSON_AddNumberToObject(g, "line", (double)ps->grp_line);
	sink_flush(&ps->grp_intro, g, "intro");
	cJSON_AddItemToObject(g, "items", ps->grp_items);
	sink_flush(&ps->grp_extra, g, "extra");
	cJSON_AddItemToArray(ps->sec_groups, g);
	ps->grp_items = NULL;
	free(ps->grp_title);
	free(ps->grp_chapters);
	ps->grp_title = ps->grp_chapters = NULL;
	free(id);
}

/* Closes the open section into "sections". */
static void section_close(struct parser *ps)
{
	cJSON *s;
	char *id;

	item_close(ps);
	group_close(ps);
	ps->red_mode = false;
	if (!ps->sec_open)
		return;
	ps->sec_open = false;
	id = xasprintf("s%d", ps->section_count);
	s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "id", id);
	if (ps->sec_number >= 0)
		cJSON_AddNumberToObject(s, "number", ps->sec_number);
	else
		cJSON_AddNullToObject(s, "number");
	add_str(s, "title", ps->sec_title);
	add_str(s, "chapters", ps->sec_chapters);
	cJSON_AddNumberToObject(s, "line", (double)ps->sec_line);
	sink_flush(&ps->sec_intro, s, "intro");
	cJSON_AddItemToObject(s, "items", ps->sec_items);
	cJSON_AddItemToObject(s, "groups", ps->sec_groups);
	add_str(s, "red_flags", ps->sec_has_red ? ps->sec_red.data : NULL);
	sink_flush(&ps->sec_extra, s, "extra");
	cJSON_AddNumberToObject(s, "item_count", ps->sec_item_count);
	cJSON_AddItemToArray(ps->sections, s);
	ps->sec_items = ps->sec_groups = NULL;
	free(ps->sec_title);
	free(ps->sec_chapters);
	ps->sec_title = ps->sec_chapters = NULL;
	buf_reset(&ps->sec_red);
	free(id);
}

/* Opens a section; text NULL opens the implicit one (title null). */
static void section_open(struct parser *ps, const char *text, size_t tlen, size_t line_no)
{
	section_close(ps);
	ps->sec_open = true;
	ps->section_count++;
	ps->sec_number = -1;
	ps->sec_title = ps->sec_chapters = NULL;
	if (text) {
		struct heading_parts hp;
		heading_split(text, tlen, true, &hp);
		ps->sec_number = hp.number > INT32_MAX ? -1 : (int)hp.number;
		ps->sec_title = hp.title;
		ps->sec_chapters = hp.chapters;
	}
	ps->sec_line = line_no;
	ps->sec_has_red = false;
	ps->sec_started = false;
	ps->sec_items = cJSON_CreateArray();
	ps->sec_groups = cJSON_CreateArray();
	ps->sec_item_count = 0;
	ps->grp_count = 0;
}

/* Makes sure a section is open (items may come before any heading). */
static void section_need(struct parser *ps)
{
	if (!ps->sec_open)
		section_open(ps, NULL, 0, 0);
}

/* Opens a `###` group inside the current section. */
static void group_open(struct parser *ps, const char *text, size_t tlen, size_t line_no)
{
	struct heading_parts hp;

	item_close(ps);
	section_need(ps);
	group_close(ps);
	heading_split(text, tlen, false, &hp);
	ps->grp_open = true;
	ps->grp_title = hp.title;
	ps->grp_chapters = hp.chapters;
	ps->grp_line = line_no;
	ps->grp_items = cJSON_CreateArray();
	ps->grp_item_count = 0;
	ps->grp_count++;
	ps->sec_started = true;
}

/* Where ordinary markdown goes right now. */
static struct sink *current_sink(struct parser *ps)
{
	if (!ps->sec_open)
		return &ps->intro;
	if (ps->grp_open)
		return ps->grp_item_count ? &ps->grp_extra : &ps->grp_intro;
	return ps->sec_started ? &ps->sec_extra : &ps->sec_intro;
}

/* Starts an item at line i. */
static void item_open(struct parser *ps, size_t i, size_t col)
{
	item_close(ps);
	section_need(ps);
	ps->sec_started = true;
	ps->item.open = true;
	ps->item.lazy = true;
	ps->item.pending_blank = 0;
	ps->item.first = i;
	ps->item.content_col = col + 2;
	buf_append(&ps->item.md, ps->lines[i].p, ps->lines[i].len);
}

/* Adds line i to the open item (markdown verbatim, text dedented). */
static void item_continue(struct parser *ps, size_t i)
{
	struct item_acc *it = &ps->item;
	const struct line *l = &ps->lines[i];
	size_t col = 0, off = 0;

	for (; it->pending_blank > 0; it->pending_blank--) {
		buf_putc(&it->md, '\n');
		buf_putc(&it->extra_text, '\n');
	}
	buf_putc(&it->md, '\n');
	buf_append(&it->md, l->p, l->len);
	while (off < l->len && is_ws(l->p[off]) && col < it->content_col) {
		col = l->p[off] == '\t' ? (col / 4 + 1) * 4 : col + 1;
		off++;
	}
	buf_putc(&it->extra_text, '\n');
	buf_append(&it->extra_text, l->p + off, l->len - off);
	it->lazy = true;
}

/* Adds a line to the section's red flags; first starts a new paragraph
 * (joined to an earlier one by a blank line). */
static void red_add(struct parser *ps, const char *s, size_t n, bool first)
{
	if (first)
		ps->red_para_empty = true;
	ps->sec_has_red = true;
	if (is_blank(s, n))
		return;
	if (!ps->red_para_empty)
		buf_putc(&ps->sec_red, '\n');
	else if (ps->sec_red.len)
		buf_puts(&ps->sec_red, "\n\n");
	buf_append(&ps->sec_red, s, n);
	ps->red_para_empty = false;
}

/* ---- workflow and severity blocks ---- */

/* Appends "## heading" and the leftover text to the top-level extra. */
static void extra_add_block(struct parser *ps, const char *head, size_t hlen, struct sink *left)
{
	if (!left->b.len)
		return;
	sink_line(&ps->extra, "", 0, false);
	buf_puts(&ps->extra.b, "## ");
	buf_append(&ps->extra.b, head, hlen);
	buf_puts(&ps->extra.b, "\n\n");
	buf_append(&ps->extra.b, left->b.data, left->b.len);
	ps->extra.pending_blank = false;
}

/* Finishes a workflow step into the workflow array. */
static void step_close(struct parser *ps, long num, struct buf *text, bool *open)
{
	struct item_parts ip;
	cJSON *o;

	if (!*open)
		return;
	*open = false;
	bold_split(text->data, text->len, false, &ip);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "step", (double)num);
	add_str(o, "title", ip.title);
	{
		char *t = dup_trim(ip.text, ip.text_len);
		cJSON_AddStringToObject(o, "text", t);
		free(t);
	}
	cJSON_AddItemToArray(ps->workflow, o);
	free(ip.ref);
	free(ip.title);
	buf_reset(text);
}

/* Reads lines [from, to) as a numbered workflow list; other text is left. */
static void parse_workflow(struct parser *ps, size_t from, size_t to, struct sink *left)
{
	struct buf text;
	bool open = false, lazy = false;
	long num = 0;

	buf_init(&text);
	for (size_t i = from; i < to; i++) {
		const struct line *l = &ps->lines[i];
		size_t rest;
		long v;

		if (l->fence == TEXT_FENCE_NONE && ordered_marker(l, &v, &rest)) {
			step_close(ps, num, &text, &open);
			num = v;
			open = lazy = true;
			buf_append(&text, l->p + rest, l->len - rest);
			continue;
		}
		if (l->fence == TEXT_FENCE_NONE && is_blank(l->p, l->len)) {
			lazy = false;
			sink_line(left, l->p, l->len, false);
			continue;
		}
		if (open && l->fence == TEXT_FENCE_NONE &&
		    (indent_of(l->p, l->len, NULL) >= 2 || (lazy && paragraph_line(l)))) {
			const char *s = l->p;
			size_t n = l->len;
			trim(&s, &n);
			buf_putc(&text, '\n');
			buf_append(&text, s, n);
			lazy = true;
			continue;
		}
		step_close(ps, num, &text, &open);
		if (!thematic_break(l))
			sink_line(left, l->p, l->len, l->fence != TEXT_FENCE_NONE);
	}
	step_close(ps, num, &text, &open);
	buf_fini(&text);
}

/* Splits a table row into trimmed cells (`\|` stays inside a cell); stores
 * at most max of them (free() each) and returns how many there are. */
static size_t table_cells(const char *s, size_t n, char **cells, size_t max)
{
	size_t count = 0, i = 0;
	struct buf cell;

	trim(&s, &n);
	if (n && s[0] == '|')
		i = 1;
	if (n > i && s[n - 1] == '|' && !(n >= 2 && s[n - 2] == '\\'))
		n--;
	buf_init(&cell);
	for (; i <= n; i++) {
		if (i < n && s[i] == '\\' && i + 1 < n && s[i + 1] == '|') {
			buf_putc(&cell, '|');
			i++;
			continue;
		}
		if (i < n && s[i] != '|') {
			buf_putc(&cell, s[i]);
			continue;
		}
		if (count < max)
			cells[count] = dup_trim(cell.data, cell.len);
		count++;
		buf_reset(&cell);
	}
	buf_fini(&cell);
	return count;
}

/* True for a table delimiter row such as |---|:--:|. */
static bool table_delim(const char *s, size_t n)
{
	bool dash = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = true;
		else if (s[i] != '|' && s[i] != ':' && !is_ws(s[i]))
			return false;
	}
	return dash;
}

/* Removes surrounding ** or __ from a level name, in place. */
static void strip_emphasis(char *s)
{
	size_t n = strlen(s);

	while (n >= 4 && ((s[0] == '*' && s[1] == '*' && s[n - 1] == '*' && s[n - 2] == '*') ||
			  (s[0] == '_' && s[1] == '_' && s[n - 1] == '_' && s[n - 2] == '_'))) {
		memmove(s, s + 2, n - 4);
		n -= 4;
		s[n] = '\0';
	}
	if (n && s[n - 1] == ':')
		s[--n] = '\0';
}

/* Appends one severity level. */
static void severity_add(struct parser *ps, const char *level, const char *desc, const char *ex)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "level", level);
	cJSON_AddStringToObject(o, "description", desc);
	add_str(o, "examples", ex && *ex ? ex : NULL);
	cJSON_AddItemToArray(ps->severity, o);
}

#define MAX_CELLS 16

/* Column roles of a severity table, found from its header row. */
struct sev_cols {
	size_t level, desc, ex;
};

/* Maps header names to columns (defaults 0, 1, 2); false when a name is not
 * one of the known ones, so the caller keeps the header row as text. */
static bool sev_cols_from(char **cells, size_t nc, struct sev_cols *c)
{
	bool known = true;

	c->level = 0;
	c->desc = 1;
	c->ex = 2;
	for (size_t i = 0; i < nc; i++) {
		size_t n = strlen(cells[i]);
		if (find_ci(cells[i], n, "example") >= 0)
			c->ex = i;
		else if (find_ci(cells[i], n, "descr") >= 0 || find_ci(cells[i], n, "meaning") >= 0)
			c->desc = i;
		else if (find_ci(cells[i], n, "severity") >= 0 || find_ci(cells[i], n, "level") >= 0 ||
			 find_ci(cells[i], n, "priority") >= 0)
			c->level = i;
		else
			known = false;
	}
	return known;
}

/* One table data row → a severity level (other columns join the examples). */
static void severity_row(struct parser *ps, char **cells, size_t nc, const struct sev_cols *c)
{
	struct buf ex;

	buf_init(&ex);
	if (c->ex < nc)
		buf_puts(&ex, cells[c->ex]);
	for (size_t k = 0; k < nc; k++) {
		if (k == c->level || k == c->desc || k == c->ex || !*cells[k])
			continue;
		if (ex.len)
			buf_puts(&ex, " | ");
		buf_puts(&ex, cells[k]);
	}
	strip_emphasis(cells[c->level]);
	severity_add(ps, cells[c->level], c->desc < nc ? cells[c->desc] : "", ex.data);
	buf_fini(&ex);
}

/* Collapses blanks and line ends into single spaces and trims, in place. */
static void collapse_ws(char *s)
{
	char *w = s;
	bool sp = false;

	for (const char *r = s; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n') {
			sp = true;
			continue;
		}
		if (sp && w != s)
			*w++ = ' ';
		sp = false;
		*w++ = *r;
	}
	*w = '\0';
}

/* `- **Critical**: text`, `- **Critical** — text` or `- Critical: text`;
 * OUT: the level (free()) and the offset of its text. */
static bool severity_bullet(const struct line *l, char **level, size_t *rest)
{
	const char *s = l->p;
	size_t n = l->len, off, i;
	bool sep, end;

	if (l->fence != TEXT_FENCE_NONE || indent_of(s, n, &off) > 3 || off + 1 >= n)
		return false;
	if (!strchr("-*+", s[off]) || !is_ws(s[off + 1]))
		return false;
	i = off + 2;
	while (i < n && is_ws(s[i]))
		i++;
	if (n - i >= 5 && s[i] == '*' && s[i + 1] == '*') {
		size_t close = bold_close(s + i, n - i, &sep), k, after;
		char *lv;
		if (!close)
			return false;
		lv = dup_trim(s + i + 2, close - 2);
		if (*lv && lv[strlen(lv) - 1] == ':')
			sep = true; /* "**Major:** text" */
		strip_emphasis(lv);
		after = i + close + 2;
		k = sep_len(s + after, n - after, false, &end);
		if (!*lv || (!k && !end && !sep)) {
			free(lv);
			return false;
		}
		*level = lv;
		*rest = end ? n : after + k;
		return true;
	}
	/* a plain "Level:" of at most three capitalised words */
	{
		size_t j = i, words = 1;
		if (j >= n || !is_upper(s[j]))
			return false;
		while (j < n && j - i <= 30 && (is_alnum(s[j]) || s[j] == ' ' || s[j] == '-')) {
			if (s[j] == ' ')
				words++;
			j++;
		}
		if (j >= n || s[j] != ':' || words > 3)
			return false;
		*level = dup_trim(s + i, j - i);
		j++;
		while (j < n && is_ws(s[j]))
			j++;
		*rest = j;
		return true;
	}
}

/* Strips a leading "e.g.," / "for example:" / "Examples:" label from s[0..n). */
static size_t example_label(const char *s, size_t n)
{
	static const char *const labels[] = {
		"e.g.,", "e.g.:", "e.g.", "eg.,", "eg.", "for example,", "for example:",
		"for example", "examples:", "example:", NULL,
	};

	for (size_t k = 0; labels[k]; k++)
		if (starts_ci(s, n, labels[k]))
			return strlen(labels[k]);
	return 0;
}

/* Finishes a severity bullet: "(e.g., …)" at its end, or a line starting
 * with "Examples:", becomes the examples. */
static void severity_bullet_close(struct parser *ps, char **level, struct buf *text)
{
	const char *s = text->data;
	size_t n = text->len;
	char *desc = NULL, *ex = NULL;

	if (!*level)
		return;
	trim(&s, &n);
	for (size_t i = 0; i < n && !desc; i++) {
		size_t lab;
		if (s[i] == '(' && s[n - 1] == ')' && (lab = example_label(s + i + 1, n - i - 2)) != 0) {
			desc = xstrndup(s, i);
			ex = xstrndup(s + i + 1 + lab, n - i - 2 - lab);
		} else if (i > 0 && s[i - 1] == '\n' && (lab = example_label(s + i, n - i)) != 0) {
			desc = xstrndup(s, i);
			ex = xstrndup(s + i + lab, n - i - lab);
		}
	}
	if (!desc)
		desc = xstrndup(s, n);
	collapse_ws(desc);
	if (ex)
		collapse_ws(ex);
	severity_add(ps, *level, desc, ex);
	free(desc);
	free(ex);
	free(*level);
	*level = NULL;
	buf_reset(text);
}

/* Reads lines [from, to) as a severity table or bullets; other text is left. */
static void parse_severity(struct parser *ps, size_t from, size_t to, struct sink *left)
{
	struct sev_cols cols = { 0, 1, 2 };
	bool header_done = false, lazy = false;
	char *level = NULL;
	struct buf text;

	buf_init(&text);
	for (size_t i = from; i < to; i++) {
		const struct line *l = &ps->lines[i];
		const char *s = l->p;
		size_t n = l->len, rest;
		char *lv;

		trim(&s, &n);
		if (l->fence != TEXT_FENCE_NONE) {
			severity_bullet_close(ps, &level, &text);
			sink_line(left, l->p, l->len, true);
			continue;
		}
		if (n == 0) {
			lazy = false;
			header_done = false;
			sink_line(left, "", 0, false);
			continue;
		}
		if (s[0] == '|') {
			char *cells[MAX_CELLS];
			size_t nc;
			severity_bullet_close(ps, &level, &text);
			if (table_delim(s, n))
				continue;
			nc = table_cells(s, n, cells, MAX_CELLS);
			if (nc > MAX_CELLS) {
				/* too wide to be a severity row: keep it as text */
				sink_line(left, l->p, l->len, false);
				nc = MAX_CELLS;
			} else if (!header_done && i + 1 < to && ps->lines[i + 1].fence == TEXT_FENCE_NONE &&
			    table_delim(ps->lines[i + 1].p, ps->lines[i + 1].len) &&
			    !is_blank(ps->lines[i + 1].p, ps->lines[i + 1].len)) {
				if (!sev_cols_from(cells, nc, &cols))
					sink_line(left, l->p, l->len, false);
				header_done = true;
			} else if (cols.level < nc && *cells[cols.level]) {
				severity_row(ps, cells, nc, &cols);
			} else {
				sink_line(left, l->p, l->len, false);
			}
			for (size_t k = 0; k < nc; k++)
				free(cells[k]);
			continue;
		}
		if (severity_bullet(l, &lv, &rest)) {
			severity_bullet_close(ps, &level, &text);
			level = lv;
			lazy = true;
			buf_append(&text, l->p + rest, l->len - rest);
			continue;
		}
		if (level && (indent_of(l->p, l->len, NULL) >= 2 || (lazy && paragraph_line(l)))) {
			buf_putc(&text, '\n');
			buf_append(&text, s, n);
			lazy = true;
			continue;
		}
		severity_bullet_close(ps, &level, &text);
		if (!thematic_break(l))
			sink_line(left, l->p, l->len, false);
	}
	severity_bullet_close(ps, &level, &text);
	buf_fini(&text);
}

enum block_kind {
	BLOCK_SECTION,
	BLOCK_WORKFLOW,
	BLOCK_SEVERITY,
};

/* Decides whether a `##` block is the workflow, the severity levels or an
 * ordinary section: it must be named so, hold no item and hold the list. */
static enum block_kind block_kind(struct parser *ps, const char *t, size_t tn, size_t from, size_t to)
{
	enum block_kind k = find_ci(t, tn, "severity") >= 0 ? BLOCK_SEVERITY :
			    find_ci(t, tn, "workflow") >= 0 ? BLOCK_WORKFLOW : BLOCK_SECTION;
	bool structured = false;

	if (k == BLOCK_SECTION)
		return k;
	for (size_t i = from; i < to; i++) {
		const struct line *l = &ps->lines[i];
		bool checked;
		size_t rest, col;
		long num;
		char *lv;

		if (item_marker(l, &checked, &rest, &col))
			return BLOCK_SECTION;
		if (l->fence != TEXT_FENCE_NONE || structured)
			continue;
		if (k == BLOCK_WORKFLOW && ordered_marker(l, &num, &rest))
			structured = true;
		if (k == BLOCK_SEVERITY) {
			const char *s = l->p;
			size_t n = l->len;
			trim(&s, &n);
			if (n && s[0] == '|' && !table_delim(s, n))
				structured = true;
			else if (severity_bullet(l, &lv, &rest)) {
				free(lv);
				structured = true;
			}
		}
	}
	return structured ? k : BLOCK_SECTION;
}

/* Handles a `#`/`##` heading at line i; returns the next line to read. */
static size_t block_start(struct parser *ps, size_t i, const char *t, size_t tn)
{
	size_t end = i + 1;
	enum block_kind k;
	struct sink left;
	char **name;

	section_close(ps);
	ps->seen_block = true;
	if (find_ci(t, tn, "workflow") < 0 && find_ci(t, tn, "severity") < 0) {
		section_open(ps, t, tn, i + 1);
		return i + 1;
	}
	for (; end < ps->n; end++) {
		const char *h;
		size_t hn;
		int lv = heading(&ps->lines[end], &h, &hn);
		if (lv == 1 || lv == 2)
			break;
	}
	k = block_kind(ps, t, tn, i + 1, end);
	if (k == BLOCK_SECTION) {
		section_open(ps, t, tn, i + 1);
		return i + 1;
	}
	sink_init(&left);
	if (k == BLOCK_WORKFLOW)
		parse_workflow(ps, i + 1, end, &left);
	else
		parse_severity(ps, i + 1, end, &left);
	name = k == BLOCK_WORKFLOW ? &ps->workflow_title : &ps->severity_title;
	if (!*name)
		*name = xstrndup(t, tn);
	else if (!left.b.len)
		sink_line(&left, "", 0, true); /* keep the repeated heading */
	extra_add_block(ps, t, tn, &left);
	buf_fini(&left.b);
	return end;
}

/* Reads line i in the main pass; returns the next line to read. */
static size_t parse_line(struct parser *ps, size_t i)
{
	const struct line *l = &ps->lines[i];
	bool checked, blank = is_blank(l->p, l->len) && l->fence == TEXT_FENCE_NONE;
	const char *t;
	size_t tn, rest, col;
	int lv;

	if (l->fence != TEXT_FENCE_NONE) {
		ps->red_mode = false;
		if (l->fence == TEXT_FENCE_OPEN)
			ps->fence_to_item = ps->item.open && indent_of(l->p, l->len, NULL) >= 2;
		if (ps->fence_to_item && ps->item.open) {
			item_continue(ps, i);
		} else {
			item_close(ps);
			sink_line(current_sink(ps), l->p, l->len, true);
		}
		return i + 1;
	}
	if (ps->red_mode) {
		if (blank) {
			ps->red_mode = false;
			return i + 1;
		}
		if (!item_marker(l, &checked, &rest, &col) && !heading(l, &t, &tn) &&
		    !thematic_break(l) && !red_flags_label(l, &rest)) {
			red_add(ps, l->p, l->len, false);
			return i + 1;
		}
		ps->red_mode = false;
	}
	if (item_marker(l, &checked, &rest, &col)) {
		item_open(ps, i, col);
		return i + 1;
	}
	if (ps->item.open) {
		if (blank) {
			ps->item.pending_blank++;
			ps->item.lazy = false;
			return i + 1;
		}
		if (indent_of(l->p, l->len, NULL) >= 2 || (ps->item.lazy && paragraph_line(l))) {
			item_continue(ps, i);
			return i + 1;
		}
		item_close(ps);
	}
	if (blank) {
		sink_line(current_sink(ps), "", 0, false);
		return i + 1;
	}
	lv = heading(l, &t, &tn);
	if (lv == 1 && !ps->title && !ps->seen_block && ps->section_count == 0) {
		ps->title = xstrndup(t, tn);
		return i + 1;
	}
	if (lv == 1 || lv == 2)
		return block_start(ps, i, t, tn);
	if (lv == 3) {
		group_open(ps, t, tn, i + 1);
		return i + 1;
	}
	if (thematic_break(l))
		return i + 1;
	if (red_flags_label(l, &rest)) {
		section_need(ps);
		red_add(ps, l->p + rest, l->len - rest, true);
		ps->red_mode = true;
		return i + 1;
	}
	sink_line(current_sink(ps), l->p, l->len, false);
	return i + 1;
}

/* Splits "Book — Kind Review Checklist" (or "Book Kind Review Checklist").
 * OUT: *book and *kind (free()), NULL when absent. */
static void title_split(const char *t, char **book, char **kind)
{
	static const char *const dashes[] = { " \xe2\x80\x94 ", " \xe2\x80\x93 ", " - ", NULL };
	size_t n = strlen(t), kn;
	const char *k = t;
	bool dashed = false, suffix = false;

	*book = *kind = NULL;
	for (size_t d = 0; dashes[d] && !dashed; d++) {
		long p = find_ci(t, n, dashes[d]);
		if (p < 0)
			continue;
		*book = dup_trim(t, (size_t)p);
		k = t + p + strlen(dashes[d]);
		dashed = true;
	}
	kn = n - (size_t)(k - t);
	if (kn >= 16 && strncasecmp(k + kn - 16, "review checklist", 16) == 0) {
		kn -= 16;
		suffix = true;
	} else if (kn >= 9 && strncasecmp(k + kn - 9, "checklist", 9) == 0) {
		kn -= 9;
		suffix = true;
	}
	trim(&k, &kn);
	if (!dashed && suffix) {
		/* "Effective Java Code": the last word is the kind */
		size_t sp = kn;
		while (sp > 0 && k[sp - 1] != ' ')
			sp--;
		if (sp > 0)
			*book = dup_trim(k, sp);
		k += sp;
		kn -= sp;
	}
	if ((dashed || suffix) && kn)
		*kind = xstrndup(k, kn);
	if (*book && !**book) {
		free(*book);
		*book = NULL;
	}
}

/* Sets up an empty parser over lines. */
static void parser_init(struct parser *ps, const struct line *lines, size_t n)
{
	memset(ps, 0, sizeof(*ps));
	ps->lines = lines;
	ps->n = n;
	ps->sections = cJSON_CreateArray();
	ps->workflow = cJSON_CreateArray();
	ps->severity = cJSON_CreateArray();
	ps->sec_number = -1;
	sink_init(&ps->intro);
	sink_init(&ps->extra);
	sink_init(&ps->sec_intro);
	sink_init(&ps->sec_extra);
	sink_init(&ps->grp_intro);
	sink_init(&ps->grp_extra);
	buf_init(&ps->sec_red);
	buf_init(&ps->item.md);
	buf_init(&ps->item.extra_text);
	text_ids_init(&ps->ids, 2);
}

/* Releases everything the parser still owns (the arrays handed to the
 * result are NULL by then). */
static void parser_fini(struct parser *ps)
{
	cJSON_Delete(ps->sections);
	cJSON_Delete(ps->workflow);
	cJSON_Delete(ps->severity);
	cJSON_Delete(ps->sec_items);
	cJSON_Delete(ps->sec_groups);
	cJSON_Delete(ps->grp_items);
	free(ps->title);
	free(ps->workflow_title);
	free(ps->severity_title);
	free(ps->sec_title);
	free(ps->sec_chapters);
	free(ps->grp_title);
	free(ps->grp_chapters);
	buf_fini(&ps->intro.b);
	buf_fini(&ps->extra.b);
	buf_fini(&ps->sec_intro.b);
	buf_fini(&ps->sec_extra.b);
	buf_fini(&ps->grp_intro.b);
	buf_fini(&ps->grp_extra.b);
	buf_fini(&ps->sec_red);
	buf_fini(&ps->item.md);
	buf_fini(&ps->item.extra_text);
	text_ids_fini(&ps->ids);
}

/* Assembles the result object from a finished parser, taking its arrays. */
static cJSON *parser_result(struct parser *ps)
{
	cJSON *o = cJSON_CreateObject();
	char *book = NULL, *kind = NULL;

	if (!o)
		return NULL;
	if (ps->title)
		title_split(ps->title, &book, &kind);
	add_str(o, "title", ps->title);
	add_str(o, "book", book);
	add_str(o, "kind", kind);
	sink_flush(&ps->intro, o, "intro");
	cJSON_AddItemToObject(o, "sections", ps->sections);
	add_str(o, "workflow_title", ps->workflow_title);
	cJSON_AddItemToObject(o, "workflow", ps->workflow);
	add_str(o, "severity_title", ps->severity_title);
	cJSON_AddItemToObject(o, "severity", ps->severity);
	sink_flush(&ps->extra, o, "extra");
	cJSON_AddNumberToObject(o, "item_count", ps->item_count);
	ps->sections = ps->workflow = ps->severity = NULL;
	free(book);
	free(kind);
	return o;
}

/* Normalises, splits, marks fences, runs the line pass, then reports. */
cJSON *checklist_parse_diag(const char *md, size_t len, const char *path,
			    struct diag_list *diags)
{
	struct parser ps;
	struct line *lines;
	size_t tlen, nlines, bad_line, open_fence;
	char *text = normalise(md, len, &tlen, &bad_line);
	cJSON *out;

	lines = split_lines(text, tlen, &nlines);
	open_fence = mark_fences(lines, nlines);
	parser_init(&ps, lines, nlines);
	for (size_t i = 0; i < nlines;)
		i = parse_line(&ps, i);
	section_close(&ps);
	out = parser_result(&ps);
	if (diags) {
		if (bad_line)
			diag_add(diags, DIAG_WARNING, "checklist-encoding", path, (int)bad_line, 0,
				 "NUL bytes or invalid UTF-8 replaced by U+FFFD");
		if (open_fence)
			diag_add(diags, DIAG_WARNING, "checklist-unclosed-fence", path, (int)open_fence, 0,
				 "code fence never closed: the rest of the file is code");
		if (!ps.title)
			diag_add(diags, DIAG_WARNING, "checklist-no-title", path, 0, 0,
				 "checklist has no `# ` title");
		if (ps.item_count == 0)
			diag_add(diags, DIAG_WARNING, "checklist-no-items", path, 0, 0,
				 "checklist has no `- [ ]` items");
	}
	parser_fini(&ps);
	free(lines);
	free(text);
	return out;
}

/* The parse without diagnostics. */
cJSON *checklist_parse(const char *md, size_t len)
{
	return checklist_parse_diag(md, len, NULL, NULL);
}

/* Reads "item_count"; cJSON_GetObjectItemCaseSensitive accepts NULL. */
int checklist_item_count(const cJSON *checklist)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(checklist, "item_count");

	return cJSON_IsNumber(n) ? n->valueint : 0;
}
