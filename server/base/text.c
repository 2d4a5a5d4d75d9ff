/* SPDX-License-Identifier: MIT */
/*
 * text: UTF-8, markdown lines, unique ids and query terms, each rule
 * written once (see include/skilld/base/text.h). The checklist parser, the
 * search indexer and the token cutter read fences and headings through
 * here, so they agree on what is code and what is a heading; search and
 * snippet read a query's terms through here, so they agree on what a term
 * is. No global state; safe from any thread.
 */
#include "skilld/base/text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "skilld/base/util.h"

#define REPLACEMENT_UTF8 "\xEF\xBF\xBD"
#define FENCE_MIN 3      /* backticks or tildes that open a fence */
#define INDENT_MAX 3     /* spaces before a fence or heading; 4 make code */
#define HEADING_MAX 6

/* ---- UTF-8 ---- */

size_t utf8_seq_len(unsigned char lead)
{
	if (lead < 0x80)
		return 1;
	if (lead >= 0xC2 && lead <= 0xDF)
		return 2;
	if (lead >= 0xE0 && lead <= 0xEF)
		return 3;
	if (lead >= 0xF0 && lead <= 0xF4)
		return 4;
	return 0;
}

size_t utf8_decode(const char *p, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t len;
	uint32_t v;

	*cp = 0xFFFD;
	if (n == 0 || (len = utf8_seq_len(s[0])) == 0 || len > n)
		return 0;
	if (len == 1) {
		*cp = s[0];
		return 1;
	}
	v = s[0] & (0x7Fu >> len);
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3Fu);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10FFFF ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

void utf8_put(struct buf *b, uint32_t cp)
{
	char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		s[0] = (char)(0xF0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, s, n);
}

/* Number of ASCII bytes (NUL included) at the start of s[0..n), eight
 * at a time. */
static size_t ascii_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			break;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	uint32_t cp;

	while ((i += ascii_prefix(p + i, n - i)) < n) {
		if ((len = utf8_decode(s + i, n - i, &cp)) == 0)
			return false;
		i += len;
	}
	return true;
}

char *utf8_repair(const char *p, size_t n, size_t *out_len)
{
	const unsigned char *s = (const unsigned char *)p;
	struct buf b;
	size_t i = 0;
	uint32_t cp;

	buf_init(&b);
	buf_grow(&b, n);
	while (i < n) {
		/* The longest run of valid sequences without NUL, copied at once;
		 * then the bad byte (or NUL) that ended it becomes U+FFFD. */
		size_t end = i, len;
		const unsigned char *nul;

		while ((end += ascii_prefix(s + end, n - end)) < n &&
		       (len = utf8_decode(p + end, n - end, &cp)) != 0)
			end += len;
		nul = memchr(s + i, '\0', end - i);
		if (nul)
			end = (size_t)(nul - s);
		buf_append(&b, s + i, end - i);
		if (end < n) {
			buf_append(&b, REPLACEMENT_UTF8, 3);
			end++;
		}
		i = end;
	}
	return buf_detach(&b, out_len);
}

size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}

size_t utf8_floor(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* ---- lines and positions ---- */

size_t text_count_lines(const char *p, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n')
			lines++;
	if (n > 0 && p[n - 1] != '\n')
		lines++;
	return lines;
}

size_t text_line(const char *s, size_t len, size_t start, size_t *next)
{
	size_t i = start;

	while (i < len && s[i] != '\n' && s[i] != '\r')
		i++;
	*next = i;
	if (i < len)
		*next = s[i] == '\r' && i + 1 < len && s[i + 1] == '\n' ? i + 2 : i + 1;
	return i - start;
}

void text_position(const char *s, size_t len, size_t off, size_t *line, size_t *column)
{
	size_t l = 0, c = 0;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\n') {
			l++;
			c = 0;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*column = c;
}

/* ---- markdown lines ---- */

/* Space or tab: the blanks of a markdown line. */
static bool is_blank_char(char c)
{
	return c == ' ' || c == '\t';
}

/* True when s[0..n) holds only spaces and tabs. */
static bool all_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank_char(s[i]))
			return false;
	return true;
}

/* Offset after the at most INDENT_MAX spaces that start line[0..n). */
static size_t skip_indent(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && i < INDENT_MAX && line[i] == ' ')
		i++;
	return i;
}

enum text_fence_role text_fence_step(struct text_fence *f, const char *line, size_t n)
{
	size_t i = skip_indent(line, n), run = 0;
	char c = i < n ? line[i] : '\0';

	if (c == '`' || c == '~')
		while (i + run < n && line[i + run] == c)
			run++;
	if (f->ch) {
		if (c != f->ch || run < f->len || !all_blank(line + i + run, n - i - run))
			return TEXT_FENCE_BODY;
		f->ch = '\0';
		f->len = 0;
		return TEXT_FENCE_CLOSE;
	}
	if (run < FENCE_MIN || (c == '`' && memchr(line + i + run, '`', n - i - run)))
		return TEXT_FENCE_NONE;
	f->ch = c;
	f->len = run;
	return TEXT_FENCE_OPEN;
}

int text_atx_heading(const char *line, size_t n, const char **text, size_t *text_len)
{
	size_t i = skip_indent(line, n), level = 0, end, k;

	while (i + level < n && line[i + level] == '#' && level <= HEADING_MAX)
		level++;
	if (level == 0 || level > HEADING_MAX)
		return 0;
	i += level;
	if (i < n && !is_blank_char(line[i]))
		return 0;
	while (i < n && is_blank_char(line[i]))
		i++;
	end = n;
	while (end > i && is_blank_char(line[end - 1]))
		end--;
	/* A closing run of '#': all that is left, or after a blank. */
	k = end;
	while (k > i && line[k - 1] == '#')
		k--;
	if (k < end && (k == i || is_blank_char(line[k - 1]))) {
		end = k;
		while (end > i && is_blank_char(line[end - 1]))
			end--;
	}
	*text = line + i;
	*text_len = end - i;
	return (int)level;
}

/* ---- unique ids ---- */

/* One used id and the next suffix to try for it. */
struct text_id {
	char *id;
	unsigned next;
};

/* FNV-1a of s. */
static size_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

/* The slot holding id, or the empty slot where it belongs (cap > 0). */
static struct text_id *id_slot(const struct text_ids *ids, const char *id)
{
	size_t i = id_hash(id) & (ids->cap - 1);

	while (ids->slots[i].id && strcmp(ids->slots[i].id, id) != 0)
		i = (i + 1) & (ids->cap - 1);
	return &ids->slots[i];
}

/* True when id is in the set. */
static bool id_used(const struct text_ids *ids, const char *id)
{
	return ids->cap > 0 && id_slot(ids, id)->id != NULL;
}

/* Adds id (taken over); the caller has checked that it is absent. */
static void id_add(struct text_ids *ids, char *id)
{
	struct text_id *e;

	if ((ids->len + 1) * 2 > ids->cap) {
		struct text_id *old = ids->slots;
		size_t old_cap = ids->cap;

		ids->cap = old_cap ? old_cap * 2 : 64;
		ids->slots = xcalloc(ids->cap, sizeof(*ids->slots));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].id)
				*id_slot(ids, old[i].id) = old[i];
		free(old);
	}
	e = id_slot(ids, id);
	e->id = id;
	e->next = ids->first;
	ids->len++;
}

void text_ids_init(struct text_ids *ids, unsigned first)
{
	ids->slots = NULL;
	ids->cap = ids->len = 0;
	ids->first = first;
}

void text_ids_fini(struct text_ids *ids)
{
	for (size_t i = 0; i < ids->cap; i++)
		free(ids->slots[i].id);
	free(ids->slots);
	text_ids_init(ids, ids->first);
}

char *text_ids_unique(struct text_ids *ids, const char *base)
{
	struct text_id *e;
	char *id;

	if (!id_used(ids, base)) {
		id_add(ids, xstrdup(base));
		return xstrdup(base);
	}
	e = id_slot(ids, base);
	for (;;) {
		id = xasprintf("%s-%u", base, e->next++);
		if (!id_used(ids, id))
			break;
		free(id);
	}
	id_add(ids, xstrdup(id)); /* may move the table: e is not used after this */
	return id;
}

/* ---- query terms ---- */

/* The bytes that separate the words of a query: ASCII whitespace and
 * control bytes. */
static bool is_query_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       (c < 0x20) || c == 0x7f;
}

/* Does s[0..n) hold a letter or digit (ASCII alnum or any non-ASCII byte)? */
static bool has_word_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* Takes the marks of a sentence off a word's ends: "code." "(java," "ok?"
 * are words. A '.', '+' or '#' that belongs to a name is kept: ".NET",
 * "C++", "C#". */
static void trim_sentence_marks(struct text_query_term *t)
{
	while (t->n > 0 && t->s[0] && strchr("([{'\"", t->s[0])) {
		t->s++;
		t->n--;
	}
	while (t->n > 0 && t->s[t->n - 1] && strchr(".,;:!?)]}'\"", t->s[t->n - 1]))
		t->n--;
}

size_t text_query_terms(const char *q, size_t len, struct text_query_term *out, size_t max)
{
	size_t i = 0, count = 0;

	while (i < len) {
		struct text_query_term t = { 0 };

		if (is_query_space((unsigned char)q[i])) {
			i++;
			continue;
		}
		if (q[i] == '-') {
			t.exclude = true;
			i++;
		}
		if (i < len && q[i] == '"') {
			const char *close = memchr(q + i + 1, '"', len - i - 1);

			t.s = q + i + 1;
			t.n = close ? (size_t)(close - t.s) : len - i - 1;
			t.quoted = true;
			i = close ? (size_t)(close - q) + 1 : len;
			for (; i < len && q[i] == '*'; i++)
				t.prefix = true;
		} else {
			t.s = q + i;
			while (i < len && !is_query_space((unsigned char)q[i]))
				i++;
			t.n = (size_t)(q + i - t.s);
			while (t.n > 0 && t.s[t.n - 1] == '*') {
				t.n--;
				t.prefix = true;
			}
			trim_sentence_marks(&t);
		}
		if (!has_word_char(t.s, t.n))
			continue;
		if (count < max)
			out[count] = t;
		count++;
	}
	return count;
}

/* ---- terms kept whole ---- */

/* The names that a word tokenizer would cut into letters ("C++" is "c"),
 * with the one token each stands for. Kept as a short table on purpose:
 * a general rule (keep every '+', '#' or '.') would also keep "end." or
 * "#heading" whole and break ordinary words. */
static const struct {
	const char *text;       /* lowercase */
	const char *token;
} whole_terms[] = {
	{ "c++", "cplusplus" },
	{ "c#", "csharp" },
	{ "f#", "fsharp" },
	{ ".net", "dotnet" },
	{ "node.js", "nodejs" },
};

static bool ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Is the word that ends at s[at] one that ".net" follows as .NET: written
 * "NET" in capitals, or after ASP, ADO or VB in any case? */
static bool dotnet_after(const char *s, size_t at)
{
	static const char *const words[] = { "asp", "ado", "vb" };
	size_t w = at;

	if (strncmp(s + at + 1, "NET", 3) == 0)
		return true;
	while (w > 0 && ascii_alnum((unsigned char)s[w - 1]))
		w--;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (at - w == strlen(words[i]) && strncasecmp(s + w, words[i], at - w) == 0)
			return true;
	return false;
}

const char *text_whole_term(const char *s, size_t n, size_t at, size_t *len)
{
	unsigned char c;

	if (at >= n)
		return NULL;
	c = (unsigned char)tolower((unsigned char)s[at]);
	if (c != 'c' && c != 'f' && c != '.' && c != 'n')
		return NULL;
	for (size_t i = 0; i < sizeof(whole_terms) / sizeof(whole_terms[0]); i++) {
		const char *t = whole_terms[i].text;
		size_t tn;
		unsigned char last;

		/* the first two bytes decide for nearly every word (this runs
		 * at every byte the search tokenizer reads) */
		if (c != (unsigned char)t[0] || at + 1 >= n ||
		    tolower((unsigned char)s[at + 1]) != (unsigned char)t[1])
			continue;
		tn = strlen(t);
		last = (unsigned char)t[tn - 1];
		if (n - at < tn || strncasecmp(s + at, t, tn) != 0)
			continue;
		/* Before: not inside a word, but "ASP.NET" is ASP and .NET
		 * ("example.net" is no .NET). */
		if (at > 0 && ascii_alnum((unsigned char)s[at - 1]) &&
		    !(t[0] == '.' && dotnet_after(s, at)))
			continue;
		/* After: the term's end, or digits after a symbol ("C++17"). */
		if (at + tn < n && ascii_alnum((unsigned char)s[at + tn]) &&
		    !(!ascii_alnum(last) && isdigit((unsigned char)s[at + tn])))
			continue;
		*len = tn;
		return whole_terms[i].token;
	}
	return NULL;
}

/* ---- stop words ---- */

/* English words too common to say what a task is about (sorted). */
static const char *const stop_words[] = {
	"a", "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
	"but", "by", "can", "could", "do", "does", "for", "from", "get", "has", "have", "help",
	"how", "i", "i'm", "if", "in", "into", "is", "it", "its", "me", "my", "need", "no", "not",
	"of", "on", "or", "our", "please", "should", "so", "some", "that", "the", "their",
	"them", "then", "there", "these", "this", "to", "up", "us", "want", "was", "we", "what",
	"when", "where", "which", "while", "who", "why", "will", "with", "would", "you", "your",
};

static int stop_cmp(const void *key, const void *elem)
{
	const struct text_query_term *k = key;
	const char *w = *(const char *const *)elem;
	size_t i = 0;

	for (; i < k->n && w[i]; i++) {
		int a = tolower((unsigned char)k->s[i]), b = (unsigned char)w[i];

		if (a != b)
			return a - b;
	}
	return i < k->n ? 1 : w[i] ? -1 : 0;
}

bool text_is_stop_word(const char *s, size_t n)
{
	struct text_query_term k = { .s = s, .n = n };

	return bsearch(&k, stop_words, sizeof(stop_words) / sizeof(stop_words[0]),
		       sizeof(stop_words[0]), stop_cmp) != NULL;
}
