/* SPDX-License-Identifier: MIT */
/*
 * snippet: search hit extracts without SQLite's snippet() (see snippet.h).
 */
#include "skilld/store/snippet.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/store/fts.h"
#include "skilld/store/search.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

#define CONTEXT_BEFORE 2        /* words shown before a window's first match */
#define ELLIPSIS "\xe2\x80\xa6"

/* A term: its tokens as the search table's tokenizer makes them. */
struct term {
	char **tok;
	size_t *tok_len;
	size_t n_tok;
	bool prefix;            /* the last token is a prefix */
};

struct snippet_query {
	fts5_tokenizer api;
	Fts5Tokenizer *tk;
	struct term *terms;
	size_t n_terms;
	bool first[256];        /* bytes that start some term's token */
};

struct word {
	size_t start, end;      /* bytes of the text */
	size_t tok, tok_len;    /* its token in the arena; tok_len 0: cannot match */
};

struct hit {
	size_t first, last;     /* words */
	size_t term;
};

/* ---- tokenizing ---- */

struct tokens {
	char **items;
	size_t len;
	bool first_only;
};

static int collect_token(void *ctx, int tflags, const char *tok, int n, int start, int end)
{
	struct tokens *t = ctx;

	(void)start;
	(void)end;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	if (t->first_only && t->len > 0)
		return SQLITE_DONE;
	t->items = xrealloc(t->items, (t->len + 1) * sizeof(*t->items));
	t->items[t->len++] = xstrndup(tok, (size_t)n);
	return SQLITE_OK;
}

/* Tokens of s[0..n) (all, or only the first); free each and the array. */
static struct tokens tokenize(const struct snippet_query *sq, int flags, const char *s, size_t n,
			      bool first_only)
{
	struct tokens t = { NULL, 0, first_only };

	if (n <= INT32_MAX)
		sq->api.xTokenize(sq->tk, &t, flags, s, (int)n, collect_token);
	return t;
}

/* qsort: terms with more tokens first, so that a phrase is marked whole
 * where one of its words is a term too. */
static int longer_first(const void *a, const void *b)
{
	const struct term *x = a, *y = b;

	return (x->n_tok < y->n_tok) - (x->n_tok > y->n_tok);
}

struct snippet_query *snippet_query_new(sqlite3 *db, const char *q, size_t len)
{
	struct text_query_term terms[SEARCH_MAX_TERMS];
	size_t n = text_query_terms(q, len, terms, SEARCH_MAX_TERMS);

	return snippet_query_new_terms(db, terms, n > SEARCH_MAX_TERMS ? SEARCH_MAX_TERMS : n);
}

struct snippet_query *snippet_query_new_terms(sqlite3 *db, const struct text_query_term *terms,
					      size_t n)
{
	fts5_api *api = fts_api(db);
	struct snippet_query *sq;
	void *ud = NULL;

	if (!api)
		return NULL;
	sq = xcalloc(1, sizeof(*sq));
	if (api->xFindTokenizer(api, FTS_TOKENIZER, &ud, &sq->api) != SQLITE_OK ||
	    sq->api.xCreate(ud, NULL, 0, &sq->tk) != SQLITE_OK) {
		free(sq);
		return NULL;
	}
	if (n > SEARCH_MAX_TERMS)
		n = SEARCH_MAX_TERMS;
	sq->terms = xcalloc(n ? n : 1, sizeof(*sq->terms));
	for (size_t i = 0; i < n; i++) {
		struct tokens t;
		struct term *term = &sq->terms[sq->n_terms];

		if (terms[i].exclude)
			continue;
		t = tokenize(sq, FTS5_TOKENIZE_QUERY | (terms[i].prefix ? FTS5_TOKENIZE_PREFIX : 0),
			     terms[i].s, terms[i].n, false);
		if (t.len == 0) {
			free(t.items);
			continue;
		}
		term->tok = t.items;
		term->n_tok = t.len;
		term->tok_len = xcalloc(t.len, sizeof(*term->tok_len));
		for (size_t k = 0; k < t.len; k++)
			term->tok_len[k] = strlen(t.items[k]);
		term->prefix = terms[i].prefix;
		for (size_t k = 0; k < t.len; k++)
			sq->first[(unsigned char)t.items[k][0]] = true;
		sq->n_terms++;
	}
	qsort(sq->terms, sq->n_terms, sizeof(*sq->terms), longer_first);
	return sq;
}

void snippet_query_free(struct snippet_query *sq)
{
	if (!sq)
		return;
	for (size_t i = 0; i < sq->n_terms; i++) {
		for (size_t k = 0; k < sq->terms[i].n_tok; k++)
			free(sq->terms[i].tok[k]);
		free(sq->terms[i].tok);
		free(sq->terms[i].tok_len);
	}
	free(sq->terms);
	sq->api.xDelete(sq->tk);
	free(sq);
}

/* ---- words ---- */

/* Is cp part of a word? ASCII letters and digits; beyond ASCII, anything
 * but the punctuation and symbol blocks. */
static bool word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	if (cp < 0xc0)
		return cp == 0xaa || cp == 0xb5 || cp == 0xba;
	if (cp == 0xd7 || cp == 0xf7)
		return false;
	if (cp >= 0x2000 && cp <= 0x2bff)  /* punctuation, arrows, maths, boxes, dingbats */
		return false;
	if (cp >= 0x3000 && cp <= 0x303f)  /* CJK punctuation */
		return false;
	if (cp >= 0xe000 && cp <= 0xf8ff)  /* private use: the markers */
		return false;
	if (cp >= 0xfe30 && cp <= 0xfe6f)
		return false;
	if (cp >= 0xff00 && cp <= 0xff0f)
		return false;
	if (cp == 0xfffd || cp == 0xfeff)
		return false;
	if (cp >= 0x1f000 && cp <= 0x1faff) /* emoji and pictographs */
		return false;
	return true;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Is text[*i] the start of a word character? Advances *i past the
 * character either way. ASCII is decided by one comparison chain. */
static bool next_is_word(const char *text, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)text[*i];
	uint32_t cp;
	size_t len;

	if (c < 0x80) {
		*i += 1;
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	}
	len = utf8_decode(text + *i, n - *i, &cp); /* U+FFFD, not a word, when malformed */
	*i += len ? len : 1;
	return word_cp(cp);
}

/* ---- matching ---- */

static bool token_matches(const struct word *w, const char *arena, const char *tok, size_t n,
			  bool prefix)
{
	if (w->tok_len == 0 || w->tok_len < n || (!prefix && w->tok_len != n))
		return false;
	return memcmp(arena + w->tok, tok, n) == 0;
}

/* Distinct terms among the hits that lie within words [ws, we). */
static size_t distinct_in(const struct hit *hits, size_t n_hits, size_t ws, size_t we)
{
	uint64_t seen = 0;
	size_t count = 0;

	for (size_t k = 0; k < n_hits && hits[k].first < we; k++) {
		if (hits[k].first < ws || hits[k].last >= we)
			continue;
		if (!(seen & (1ull << (hits[k].term % 64)))) {
			seen |= 1ull << (hits[k].term % 64);
			count++;
		}
	}
	return count;
}

/* The words and matches of one text, read from its start until the text
 * ends or a window already holds every term. */
struct analysed {
	struct word *words;
	size_t n_words, cap_words;
	struct hit *hits;
	size_t n_hits, cap_hits;
	struct buf arena;       /* the words' tokens */
	size_t distinct;        /* distinct terms among the hits */
	bool more;              /* words follow the last one read */
};

/* Reads the next word of text[*i..n) into a; false when there is none.
 * A word that can start a token of the query gets its token. */
static bool next_word(const struct snippet_query *sq, const char *text, size_t n, size_t *i,
		      struct analysed *a)
{
	size_t start, end, whole = 0;
	struct word *w;
	unsigned char c0;

	for (;;) {
		if (*i >= n)
			return false;
		start = *i;
		/* C++, .NET...: one word, as the tokenizer makes them one token */
		if (text_whole_term(text, n, start, &whole)) {
			*i = start + whole;
			break;
		}
		if (next_is_word(text, n, i))
			break;
	}
	end = *i;
	while (!whole && end < n) {
		size_t j = end;

		if (!next_is_word(text, n, &j))
			break;
		end = j;
	}
	*i = end;
	if (a->n_words == a->cap_words) {
		a->cap_words = a->cap_words ? a->cap_words * 2 : 256;
		a->words = xrealloc(a->words, a->cap_words * sizeof(*a->words));
	}
	w = &a->words[a->n_words++];
	*w = (struct word){ start, end, 0, 0 };
	c0 = (unsigned char)text[start];
	if (whole || c0 >= 0x80 || sq->first[lower(c0)]) {
		struct tokens t = tokenize(sq, FTS5_TOKENIZE_AUX, text + start, end - start, true);

		if (t.len) {
			w->tok = a->arena.len;
			w->tok_len = strlen(t.items[0]);
			buf_append(&a->arena, t.items[0], w->tok_len);
			free(t.items[0]);
		}
		free(t.items);
	}
	return true;
}

/* Adds the matches that end at the last word read; true when there is one. */
static bool add_hits(const struct snippet_query *sq, struct analysed *a)
{
	size_t last = a->n_words - 1;
	bool added = false;

	if (a->words[last].tok_len == 0)
		return false;
	for (size_t t = 0; t < sq->n_terms; t++) {
		const struct term *term = &sq->terms[t];
		size_t first, k = 0;

		if (term->n_tok > a->n_words)
			continue;
		first = a->n_words - term->n_tok;
		for (; k < term->n_tok; k++)
			if (!token_matches(&a->words[first + k], a->arena.data, term->tok[k],
					   term->tok_len[k], term->prefix && k + 1 == term->n_tok))
				break;
		if (k < term->n_tok)
			continue;
		if (a->n_hits == a->cap_hits) {
			a->cap_hits = a->cap_hits ? a->cap_hits * 2 : 16;
			a->hits = xrealloc(a->hits, a->cap_hits * sizeof(*a->hits));
		}
		a->hits[a->n_hits++] = (struct hit){ first, last, t };
		added = true;
	}
	return added;
}

/* When the last SNIPPET_WORDS - CONTEXT_BEFORE words read hold every term,
 * the number of words a window started before the first of those matches
 * needs; else SIZE_MAX. Hits are added in the order of their last word. */
static size_t complete_window_end(const struct snippet_query *sq, const struct analysed *a)
{
	size_t span = SNIPPET_WORDS - CONTEXT_BEFORE;
	size_t lo = a->n_words > span ? a->n_words - span : 0, first = SIZE_MAX, count = 0;
	uint64_t seen = 0;

	for (size_t k = a->n_hits; k > 0 && a->hits[k - 1].last >= lo; k--) {
		const struct hit *h = &a->hits[k - 1];

		if (h->first < lo)
			continue;
		if (h->first < first)
			first = h->first;
		if (!(seen & (1ull << (h->term % 64)))) {
			seen |= 1ull << (h->term % 64);
			count++;
		}
	}
	if (count < sq->n_terms)
		return SIZE_MAX;
	return (first > CONTEXT_BEFORE ? first - CONTEXT_BEFORE : 0) + SNIPPET_WORDS;
}

/* Does a word character follow text[i]? */
static bool word_follows(const char *text, size_t n, size_t i)
{
	while (i < n)
		if (next_is_word(text, n, &i))
			return true;
	return false;
}

/* qsort: hits in word order, the longer first where two start together. */
static int hit_order(const void *x, const void *y)
{
	const struct hit *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return (a->last < b->last) - (a->last > b->last);
}

static void analyse(const struct snippet_query *sq, const char *text, struct analysed *a)
{
	size_t n = strlen(text), i = 0, stop_at = SIZE_MAX;

	memset(a, 0, sizeof(*a));
	buf_init(&a->arena);
	buf_putc(&a->arena, '\0');
	while (a->n_words < stop_at && next_word(sq, text, n, &i, a))
		if (add_hits(sq, a) && stop_at == SIZE_MAX && sq->n_terms > 0)
			stop_at = complete_window_end(sq, a);
	a->more = a->n_words >= stop_at && word_follows(text, n, i);
	if (a->n_hits > 1)
		qsort(a->hits, a->n_hits, sizeof(*a->hits), hit_order);
	a->distinct = distinct_in(a->hits, a->n_hits, 0, a->n_words);
}

static void analysed_fini(struct analysed *a)
{
	free(a->words);
	free(a->hits);
	buf_fini(&a->arena);
}

/* Writes words [ws, we) of text with the hits inside marked. */
static char *render(const char *text, const struct analysed *a, size_t ws, size_t we)
{
	size_t n = strlen(text);
	size_t from = ws == 0 ? 0 : a->words[ws].start;
	size_t to = we >= a->n_words && !a->more ? n : a->words[we - 1].end;
	size_t at = from;
	struct buf b;

	buf_init(&b);
	if (from > 0)
		buf_puts(&b, ELLIPSIS);
	for (size_t k = 0; k < a->n_hits; k++) {
		const struct hit *h = &a->hits[k];
		size_t hs = a->words[h->first].start, he = a->words[h->last].end;

		if (h->first < ws || h->last >= we || hs < at)
			continue;
		buf_append(&b, text + at, hs - at);
		buf_puts(&b, SEARCH_MARK_OPEN);
		buf_append(&b, text + hs, he - hs);
		buf_puts(&b, SEARCH_MARK_CLOSE);
		at = he;
	}
	buf_append(&b, text + at, to - at);
	if (to < n)
		buf_puts(&b, ELLIPSIS);
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* ---- plain text ---- */

#define MARK_LEN (sizeof(SEARCH_MARK_OPEN) - 1)

static bool is_mark(const char *s, size_t n, size_t i)
{
	return n - i >= MARK_LEN && (memcmp(s + i, SEARCH_MARK_OPEN, MARK_LEN) == 0 ||
				     memcmp(s + i, SEARCH_MARK_CLOSE, MARK_LEN) == 0);
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The byte before s[i], markers skipped; ' ' at the start. */
static unsigned char byte_before(const char *s, size_t i)
{
	while (i >= MARK_LEN && is_mark(s, i, i - MARK_LEN))
		i -= MARK_LEN;
	return i > 0 ? (unsigned char)s[i - 1] : ' ';
}

/* The byte at s[i] or after the markers there; ' ' at the end. */
static unsigned char byte_at(const char *s, size_t n, size_t i)
{
	while (i < n && is_mark(s, n, i))
		i += MARK_LEN;
	return i < n ? (unsigned char)s[i] : ' ';
}

/* The length of the line markers at s[i] (headings, quotes, list items,
 * task boxes, table pipes), 0 when there are none. */
static size_t line_marks(const char *s, size_t n, size_t i)
{
	size_t j = i, k;

	for (;;) {
		size_t was = j;

		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		for (k = j; k < n && s[k] == '#' && k - j < 6; k++)
			;
		if (k > j && (k == n || s[k] == ' '))
			j = k;
		else if (j < n && (s[j] == '>' || s[j] == '|'))
			j++;
		else if (j + 1 < n && strchr("-*+", s[j]) && s[j + 1] == ' ')
			j += 2;
		else if (j + 3 < n && s[j] == '[' && strchr(" xX", s[j + 1]) && s[j + 2] == ']' &&
			 s[j + 3] == ' ')
			j += 4;
		else {
			for (k = j; k < n && k - j < 9 && s[k] >= '0' && s[k] <= '9'; k++)
				;
			if (k > j && k + 1 < n && (s[k] == '.' || s[k] == ')') && s[k + 1] == ' ')
				j = k + 2;
		}
		if (j == was)
			return j - i;
	}
}

/* For "[text](url)" or "[text][ref]" at s[i], the offset of its ']' in
 * OUT: *close and of the byte after the link in OUT: *end; false when s[i]
 * starts no link on this line (or its target holds part of a match). */
static bool link_at(const char *s, size_t n, size_t i, size_t *close, size_t *end)
{
	size_t j = i + 1, k;
	int depth = 0;
	char want;

	while (j < n && s[j] != ']' && s[j] != '[' && s[j] != '\n')
		j++;
	if (j + 1 >= n || s[j] != ']' || (s[j + 1] != '(' && s[j + 1] != '['))
		return false;
	want = s[j + 1] == '(' ? ')' : ']';
	/* the target goes with the matches in it, when they are whole */
	for (k = j + 2; k < n && s[k] != want && s[k] != '\n'; k++) {
		if (!is_mark(s, n, k))
			continue;
		depth += memcmp(s + k, SEARCH_MARK_OPEN, MARK_LEN) == 0 ? 1 : -1;
		if (depth < 0 || depth > 1)
			return false;
		k += MARK_LEN - 1;
	}
	if (k >= n || s[k] != want || depth != 0)
		return false;
	*close = j;
	*end = k + 1;
	return true;
}

/* The length of an HTML tag ("<b>", "</div>", "<img src=...>") at s[i] on
 * this line without markers in it; 0 when there is none. */
static size_t tag_at(const char *s, size_t n, size_t i)
{
	size_t j = i + 1;

	if (j < n && s[j] == '/')
		j++;
	if (j >= n || !((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
		return 0;
	for (; j < n && s[j] != '>' && s[j] != '<' && s[j] != '\n'; j++)
		if (is_mark(s, n, j))
			return 0;
	return j < n && s[j] == '>' ? j + 1 - i : 0;
}

/* Plain text of a marked cut (snippet.h): one pass over it, a link's
 * target skipped once its text has been copied. */
char *snippet_plain(const char *s)
{
	size_t n = strlen(s), link_close = SIZE_MAX, link_end = 0, out = 0;
	bool line_start = true, gap = false;
	struct buf b;

	buf_init(&b);
	/* gap: the last step wrote nothing (it took something out) */
	for (size_t i = 0; i < n; gap = b.len <= out) {
		unsigned char c = (unsigned char)s[i];
		size_t run = 1, k;

		out = b.len;
		if (line_start && (k = line_marks(s, n, i)) > 0) {
			i += k;
			line_start = false;
			continue;
		}
		line_start = false;
		if (is_mark(s, n, i)) {
			/* an open marker right after a close: the two matches join */
			if (b.len >= MARK_LEN && memcmp(s + i, SEARCH_MARK_OPEN, MARK_LEN) == 0 &&
			    memcmp(b.data + b.len - MARK_LEN, SEARCH_MARK_CLOSE, MARK_LEN) == 0)
				b.len -= MARK_LEN;
			else if (b.len >= MARK_LEN && memcmp(s + i, SEARCH_MARK_CLOSE, MARK_LEN) == 0 &&
				 memcmp(b.data + b.len - MARK_LEN, SEARCH_MARK_OPEN, MARK_LEN) == 0)
				b.len -= MARK_LEN;
			else
				buf_append(&b, s + i, MARK_LEN);
			i += MARK_LEN;
			continue;
		}
		if (i == link_close) {
			i = link_end;
			link_close = SIZE_MAX;
			continue;
		}
		if (is_blank(c)) {
			while (i < n && is_blank((unsigned char)s[i])) {
				line_start = line_start || s[i] == '\n';
				i++;
			}
			if (b.len > 0 && b.data[b.len - 1] != ' ')
				buf_putc(&b, ' ');
			continue;
		}
		if (c == '\\' && i + 1 < n && ispunct((unsigned char)s[i + 1])) {
			buf_putc(&b, s[i + 1]);
			i += 2;
			continue;
		}
		if (c == '*' || c == '_' || c == '`' || c == '~') {
			unsigned char before = byte_before(s, i), after;
			bool keep;

			while (i + run < n && (unsigned char)s[i + run] == c)
				run++;
			after = byte_at(s, n, i + run);
			keep = c == '`' ? false :
			       c == '~' && run == 1 ? true :
			       is_blank(before) && is_blank(after) ? true :
			       c == '_' && is_ascii_alnum(before) && is_ascii_alnum(after);
			if (keep)
				buf_append(&b, s + i, run);
			i += run;
			continue;
		}
		if ((c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '[')) && link_close == SIZE_MAX &&
		    link_at(s, n, c == '!' ? i + 1 : i, &link_close, &link_end)) {
			i += c == '!' ? 2 : 1;
			continue;
		}
		if (c == '<' && (k = tag_at(s, n, i)) > 0) {
			i += k;
			continue;
		}
		/* bytes of a broken UTF-8 sequence that met across what was
		 * taken out must not make a marker: a space keeps them apart */
		if (gap && c >= 0x80 && c < 0xc0 && b.len > 0 && (unsigned char)b.data[b.len - 1] >= 0x80)
			buf_putc(&b, ' ');
		buf_putc(&b, (char)c);
		i++;
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.len--;
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* ---- markdown ---- */

/* Bytes that would be markup inside a markdown line. */
static bool md_special(unsigned char c)
{
	return c && strchr("\\`*_[]<>~|&", c) != NULL;
}

char *snippet_markdown(const char *s)
{
	size_t n = s ? strlen(s) : 0, k, digits = 0;
	bool in_mark = false, bold = false, lead = true;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n;) {
		size_t start;
		bool hit;

		/* a chunk: the bytes up to the next space, markers included */
		if (s[i] == ' ') {
			i++;
			continue;
		}
		start = i;
		hit = in_mark;
		while (i < n && s[i] != ' ') {
			if (is_mark(s, n, i)) {
				in_mark = memcmp(s + i, SEARCH_MARK_OPEN, MARK_LEN) == 0;
				i += MARK_LEN;
			} else {
				i++;
			}
			hit = hit || in_mark;
		}
		/* bold from the start of the first chunk with a match to the end
		 * of the last one in a row: it opens after a space (or the start)
		 * and closes before one (or the end), so CommonMark's flanking
		 * rules hold whatever the chunk's first and last bytes are */
		if (hit && !bold) {
			buf_puts(&b, b.len ? " **" : "**");
			bold = true;
		} else if (!hit && bold) {
			buf_puts(&b, "** ");
			bold = false;
		} else if (b.len) {
			buf_putc(&b, ' ');
		}
		for (k = start; k < i; k++) {
			if (is_mark(s, n, k)) {
				k += MARK_LEN - 1;
				continue;
			}
			/* a line starting "# ", "- " or "1. " would be a block */
			if (md_special((unsigned char)s[k]) || (k == 0 && strchr("#-+=", s[k])) ||
			    (lead && digits > 0 && (s[k] == '.' || s[k] == ')')))
				buf_putc(&b, '\\');
			lead = lead && isdigit((unsigned char)s[k]);
			digits += lead;
			buf_putc(&b, s[k]);
		}
	}
	if (bold)
		buf_puts(&b, "**");
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

char *snippet_make(const struct snippet_query *sq, const char *const *texts, size_t n)
{
	char *raw = snippet_cut(sq, texts, n), *res;

	if (!raw)
		return NULL;
	res = snippet_plain(raw);
	free(raw);
	return res;
}

char *snippet_cut(const struct snippet_query *sq, const char *const *texts, size_t n)
{
	struct analysed best = { 0 }, cur;
	const char *best_text = NULL;
	size_t ws = 0, we, best_score = 0;
	char *res;

	for (size_t i = 0; i < n; i++) {
		if (!texts[i])
			continue;
		analyse(sq, texts[i], &cur);
		if (!best_text || cur.distinct > best.distinct) {
			if (best_text)
				analysed_fini(&best);
			best = cur;
			best_text = texts[i];
		} else {
			analysed_fini(&cur);
		}
		if (sq->n_terms > 0 && best.distinct == sq->n_terms)
			break;  /* no later text can do better */
	}
	if (!best_text)
		return NULL;
	/* The window of SNIPPET_WORDS words, started a little before one of
	 * the matches, that holds the most distinct terms. Windows start in
	 * word order, so the hits before one (lo) are skipped for good: each
	 * window reads at most its own SNIPPET_WORDS hits, not all before it. */
	for (size_t k = 0, lo = 0; k < best.n_hits && best.n_words > SNIPPET_WORDS; k++) {
		size_t start = best.hits[k].first > CONTEXT_BEFORE ? best.hits[k].first - CONTEXT_BEFORE : 0;
		size_t score;

		if (start + SNIPPET_WORDS > best.n_words)
			start = best.n_words - SNIPPET_WORDS;
		while (best.hits[lo].first < start)
			lo++;
		score = distinct_in(best.hits + lo, best.n_hits - lo, start, start + SNIPPET_WORDS);
		if (score > best_score) {
			best_score = score;
			ws = start;
		}
		if (best_score == best.distinct)
			break;
	}
	we = ws + SNIPPET_WORDS < best.n_words ? ws + SNIPPET_WORDS : best.n_words;
	res = best.n_words == 0 ? xstrdup(best_text) : render(best_text, &best, ws, we);
	analysed_fini(&best);
	return res;
}
