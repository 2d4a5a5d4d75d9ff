/* SPDX-License-Identifier: MIT */
/*
 * render: markdown to safe HTML with cmark-gfm (contract in
 * include/skilld/render.h). A cheap pre-scan first refuses the few inputs
 * on which cmark-gfm 0.29 takes quadratic time or unbounded memory (it
 * aborts the process past 1 GiB). The parse then runs under a lock, the
 * AST is walked once to filter and rewrite URLs and to collect headings,
 * cmark renders the HTML without CMARK_OPT_UNSAFE, and heading ids are
 * inserted into the `<hN>` tags it wrote.
 *
 * Threads: the two statics below are the only shared state: a once-flag
 * for extension registration and the lock that serialises parses, needed
 * because cmark-gfm adds and removes the extensions' special characters in
 * a process-wide table at the end of every parse. Everything else is per
 * call.
 */
#include "skilld/indexing/render.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "skilld/base/html.h"
#include "skilld/base/text.h"
#include "skilld/indexing/highlight.h"

#define RENDER_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_FOOTNOTES)
/* Pre-scan limits. The table cost is in units of roughly a nanosecond of
 * cmark-gfm work. Real documents stay far below them: no file of the
 * corpora scores even 0.01% of any. */
#define TABLE_COST_MAX 100000000ull   /* sum of squared cells per table row */
#define TABLE_CELLS_MAX 500000ull     /* cells, each a node of about 100 bytes */
#define REF_EXPANSION_MAX ((unsigned long long)16 << 20) /* bytes */
#define REF_LABEL_MAX 1000            /* longest link label CommonMark allows */
#define SLUG_FALLBACK "section"
#define MENTION_MAX 256               /* longest code span read as a file path */

static pthread_once_t render_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t render_parse_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const render_extensions[] = {
	"table", "strikethrough", "autolink", "tasklist", "tagfilter",
};

/* pthread_once callback. */
static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

void render_init(void)
{
	pthread_once(&render_once, register_extensions);
}

/* ---- pre-scan ---- */

/* True when p[0..n) holds only spaces and tabs. */
static bool line_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/* Number of '|' in p[0..n). */
static size_t count_pipes(const char *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == '|';
	return k;
}

/* True when p[0..n) could be a table delimiter row, container prefixes
 * included: only | - : spaces, '>' and list-marker characters, with at
 * least one '|' and one '-'. Over-inclusive on purpose. */
static bool line_delimiter_like(const char *p, size_t n)
{
	bool pipe = false, dash = false;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '|')
			pipe = true;
		else if (c == '-')
			dash = true;
		else if (!strchr(":> \t*+.)", c) && !(c >= '0' && c <= '9'))
			return false;
	}
	return pipe && dash;
}

/* Offset in p[0..n) after container prefixes: spaces, '>', and list
 * markers ("-", "*", "+", "1." or "1)" followed by a space or tab). */
static size_t skip_prefixes(const char *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t j = i;

		while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '>'))
			j++;
		if (j < n && (p[j] == '-' || p[j] == '*' || p[j] == '+') &&
		    j + 1 < n && (p[j + 1] == ' ' || p[j + 1] == '\t')) {
			j += 2;
		} else if (j < n && p[j] >= '0' && p[j] <= '9') {
			size_t k = j;

			while (k < n && k - j < 9 && p[k] >= '0' && p[k] <= '9')
				k++;
			if (k + 1 < n && (p[k] == '.' || p[k] == ')') &&
			    (p[k + 1] == ' ' || p[k + 1] == '\t'))
				j = k + 2;
		}
		if (j == i)
			return i;
		i = j;
	}
}

/* True when the line at md[off..) (after its prefixes) may start a link
 * reference definition: '[', a label, "]:". The label may run on to later
 * lines, so md is searched up to REF_LABEL_MAX bytes on. */
static bool line_starts_definition(const char *md, size_t len, size_t off)
{
	if (off >= len || md[off] != '[')
		return false;
	/* a label holds no unescaped '[', which keeps this scan linear overall */
	for (size_t i = off + 1; i < len && i - off <= REF_LABEL_MAX; i++) {
		if (md[i] == ']')
			return i + 1 < len && md[i + 1] == ':';
		if (md[i] == '[')
			return false;
		if (md[i] == '\\')
			i++;
	}
	return false;
}

/*
 * Estimates the costs cmark-gfm 0.29 has no bound for, over-estimating on
 * purpose: the work and the cells of tables (each row costs the square of
 * its cells; rows after a delimiter row are padded to its column count,
 * each cell a node, so a short input can ask for millions) and the bytes
 * that link references expand to (every ']' may use the longest reference
 * definition, measured from its '[' to the next blank line, since a title
 * may run over lines). Returns NULL when both are within the limits, else a
 * reason for the warning.
 */
static const char *prescan(const char *md, size_t len)
{
	unsigned long long table_cost = 0, table_cells = 0;
	size_t table_cols = 0;       /* columns of the current table, 0 outside */
	size_t brackets = 0;
	size_t def_start = SIZE_MAX; /* first definition since the last blank line */
	size_t def_longest = 0;
	size_t pos = 0;

	while (pos < len) {
		size_t eol = pos, next;
		size_t pipes;

		while (eol < len && md[eol] != '\n' && md[eol] != '\r')
			eol++;
		next = eol;
		if (next < len && md[next] == '\r')
			next++;
		if (next < len && md[next] == '\n' && (next == eol || md[eol] == '\r'))
			next++;

		for (size_t i = pos; i < eol; i++)
			brackets += md[i] == ']';
		if (line_blank(md + pos, eol - pos)) {
			if (def_start != SIZE_MAX && pos - def_start > def_longest)
				def_longest = pos - def_start;
			def_start = SIZE_MAX;
			table_cols = 0;
		} else {
			size_t cells;
			bool opens;

			pipes = count_pipes(md + pos, eol - pos);
			opens = line_delimiter_like(md + pos, eol - pos) && pipes + 1 > table_cols;
			if (opens)
				table_cols = pipes + 1;
			cells = pipes + 1 > table_cols ? pipes + 1 : table_cols;
			if (pipes > 0 || table_cols > 0)
				table_cost += (unsigned long long)cells * cells;
			/* a delimiter row stands for itself and the header row above */
			if (table_cols > 0)
				table_cells += opens ? 2 * cells : cells;
			if (def_start == SIZE_MAX &&
			    line_starts_definition(md, len, pos + skip_prefixes(md + pos, eol - pos)))
				def_start = pos;
		}
		pos = next;
	}
	if (def_start != SIZE_MAX && len - def_start > def_longest)
		def_longest = len - def_start;
	if (table_cost > TABLE_COST_MAX || table_cells > TABLE_CELLS_MAX)
		return "its tables are too large";
	if ((unsigned long long)brackets * def_longest > REF_EXPANSION_MAX)
		return "its link references would expand to too much text";
	return NULL;
}

/* ---- slugs ---- */

/* True for non-ASCII code points a slug leaves out: Latin-1 punctuation and
 * symbols, general and CJK punctuation, currency, arrows, mathematical and
 * technical symbols, shapes, dingbats, fullwidth punctuation, variation
 * selectors, specials, private use, emoji and tags. */
static bool slug_drops(uint32_t cp)
{
	static const uint32_t ranges[][2] = {
		{ 0x0080, 0x00a9 }, { 0x00ab, 0x00b1 }, { 0x00b4, 0x00b4 }, { 0x00b6, 0x00b8 },
		{ 0x00bb, 0x00bb }, { 0x00bf, 0x00bf }, { 0x00d7, 0x00d7 }, { 0x00f7, 0x00f7 },
		{ 0x2000, 0x206f }, { 0x20a0, 0x20cf }, { 0x2190, 0x2bff }, { 0x2e00, 0x2e7f },
		{ 0x3000, 0x3004 }, { 0x3008, 0x3020 }, { 0x3030, 0x3030 }, { 0x303d, 0x303d },
		{ 0xe000, 0xf8ff }, { 0xfe00, 0xfe1f }, { 0xfe30, 0xfe6f }, { 0xff01, 0xff0f },
		{ 0xff1a, 0xff20 }, { 0xff3b, 0xff40 }, { 0xff5b, 0xff65 }, { 0xfff0, 0xffff },
		{ 0x1f000, 0x1faff }, { 0xe0000, 0xe007f },
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return true;
	return false;
}

/* Lowercase of cp for Latin-1, Latin Extended-A, Greek and Cyrillic
 * capitals; other code points are returned as they are. */
static uint32_t slug_lower(uint32_t cp)
{
	if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) || (cp >= 0x391 && cp <= 0x3ab && cp != 0x3a2) ||
	    (cp >= 0x410 && cp <= 0x42f))
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 0x50;
	if (cp == 0x386)
		return 0x3ac;
	if (cp >= 0x388 && cp <= 0x38a)
		return cp + 0x25;
	if (cp == 0x38c)
		return 0x3cc;
	if (cp == 0x38e || cp == 0x38f)
		return cp + 0x3f;
	if (cp == 0x178)
		return 0xff;
	if ((cp >= 0x100 && cp <= 0x137 && cp % 2 == 0 && cp != 0x130) ||
	    (cp >= 0x14a && cp <= 0x177 && cp % 2 == 0) ||
	    (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e)) && cp % 2 == 1))
		return cp + 1;
	return cp;
}

void render_slug(const char *text, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t start = out->len;
	size_t i = 0;

	while (i < len) {
		size_t before = out->len;
		uint32_t cp;
		size_t n;

		if (p[i] < 0x80) {
			char c = (char)p[i++];

			if (c >= 'A' && c <= 'Z')
				buf_putc(out, (char)(c - 'A' + 'a'));
			else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
				buf_putc(out, c);
			else if (c == ' ')
				buf_putc(out, '-');
		} else {
			n = utf8_decode(text + i, len - i, &cp);
			if (n == 0) {
				i++;
				continue;
			}
			i += n;
			if (cp == 0x130) { /* İ lowercases to i + combining dot, as in JavaScript */
				buf_puts(out, "i\xcc\x87");
			} else if (!slug_drops(cp)) {
				utf8_put(out, slug_lower(cp));
			}
		}
		if (out->len - start > RENDER_ID_MAX) {
			out->len = before;
			out->data[out->len] = '\0';
			break;
		}
	}
}

/* ---- the AST pass ---- */

/* A heading found in the document. */
struct heading {
	int level;
	char *id;
	char *text;
};

/* A node to change after the walk, with what it becomes. */
struct pending {
	cmark_node *node;
	char *url;                 /* a mention's link target (free()) */
	int kind;                  /* an alert's row of alert_kinds */
};

/* A list of pending changes. */
struct pending_list {
	struct pending *items;
	size_t len, cap;
};

/* What one render collects: headings, and the nodes to change once the
 * iterator is done. */
struct walk {
	struct heading *headings;
	size_t n_headings, cap_headings;
	struct pending_list unwrap;   /* unsafe or escaping links and images */
	struct pending_list linkify;  /* remote images, shown as links instead */
	struct pending_list mentions; /* code spans naming a file of the skill */
	struct pending_list alerts;   /* blockquotes that are GitHub alerts */
	struct pending_list code;     /* code blocks */
	int in_link;                  /* links and images the iterator is inside */
};

/* Remembers node (and url, owned from now on) in l. */
static void pending_add(struct pending_list *l, cmark_node *node, char *url, int kind)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->len++] = (struct pending){ node, url, kind };
}

static void pending_fini(struct pending_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i].url);
	free(l->items);
}

/* Remembers node for unwrapping after the walk. */
static void walk_add_unwrap(struct walk *w, cmark_node *node)
{
	pending_add(&w->unwrap, node, NULL, 0);
}

/* Remembers a remote image to turn into a link after the walk. */
static void walk_add_linkify(struct walk *w, cmark_node *node)
{
	pending_add(&w->linkify, node, NULL, 0);
}

/* Frees what a walk holds. */
static void walk_fini(struct walk *w)
{
	for (size_t i = 0; i < w->n_headings; i++) {
		free(w->headings[i].id);
		free(w->headings[i].text);
	}
	free(w->headings);
	pending_fini(&w->unwrap);
	pending_fini(&w->linkify);
	pending_fini(&w->mentions);
	pending_fini(&w->alerts);
	pending_fini(&w->code);
}

/* Replaces node by its children (the text of a link, the alt text of an
 * image) and frees it. Should cmark refuse a move, the node stays with an
 * empty URL instead. */
static void unwrap_node(cmark_node *node)
{
	cmark_node *child;

	while ((child = cmark_node_first_child(node)) != NULL) {
		if (!cmark_node_insert_before(node, child)) {
			cmark_node_set_url(node, "");
			return;
		}
	}
	cmark_node_free(node);
}

/* Replaces an image node by a link to the same URL around its alt text;
 * falls back to unwrapping (the alt text alone) should cmark refuse. */
static void linkify_node(cmark_node *image)
{
	cmark_node *link = cmark_node_new(CMARK_NODE_LINK);
	cmark_node *child;

	if (!link || !cmark_node_set_url(link, cmark_node_get_url(image))) {
		cmark_node_free(link);
		unwrap_node(image);
		return;
	}
	while ((child = cmark_node_first_child(image)) != NULL) {
		if (!cmark_node_append_child(link, child)) {
			cmark_node_free(link);
			unwrap_node(image);
			return;
		}
	}
	if (!cmark_node_first_child(link)) {
		cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);

		if (text && cmark_node_set_literal(text, cmark_node_get_url(link)))
			cmark_node_append_child(link, text);
		else
			cmark_node_free(text);
	}
	if (!cmark_node_insert_before(image, link)) {
		cmark_node_free(link);
		cmark_node_set_url(image, "");
		return;
	}
	cmark_node_free(image);
}

/* True when a "." or ".." segment (also percent-encoded, as browsers read
 * them) is p[0..n); *up is set for "..". */
static bool dot_segment(const char *p, size_t n, bool *up)
{
	*up = false;
	if ((n == 1 && p[0] == '.') || (n == 3 && strncasecmp(p, "%2e", 3) == 0))
		return true;
	if ((n == 2 && p[0] == '.' && p[1] == '.') ||
	    (n == 4 && (strncasecmp(p, ".%2e", 4) == 0 || strncasecmp(p, "%2e.", 4) == 0)) ||
	    (n == 6 && strncasecmp(p, "%2e%2e", 6) == 0)) {
		*up = true;
		return true;
	}
	return false;
}

/* Appends the '/'-separated segments of p[0..n) ('\' counts as '/', as in
 * browsers) to the path in *path, folding "." and "..". Returns false when
 * ".." climbs above the root. */
static bool path_push(struct buf *path, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		bool up;

		while (j < n && p[j] != '/' && p[j] != '\\')
			j++;
		if (j > i && dot_segment(p + i, j - i, &up)) {
			if (up) {
				char *slash;

				if (path->len == 0)
					return false;
				slash = memrchr(path->data, '/', path->len);
				path->len = slash ? (size_t)(slash - path->data) : 0;
				path->data[path->len] = '\0';
			}
		} else if (j > i) {
			if (path->len > 0)
				buf_putc(path, '/');
			buf_append(path, p + i, j - i);
		}
		i = j + 1;
	}
	return true;
}

/* Appends base with exactly one final '/' (none when page: the skill's
 * own page, "/skills/pdf"). */
static void put_base(struct buf *out, const char *base, bool page)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_append(out, base, n);
	if (!page)
		buf_putc(out, '/');
}

/*
 * Resolves a relative url (see struct render_opts) against doc_dir and
 * base; a link (skill_md not NULL) to skill_md goes to the skill's page.
 * Returns the new URL (free()), or NULL when it climbs above the skill
 * folder.
 */
static char *resolve_relative(const char *url, const char *doc_dir, const char *base,
			      const char *skill_md)
{
	size_t path_len = strcspn(url, "?#");
	struct buf path, out;
	bool ok;

	buf_init(&path);
	ok = path_push(&path, doc_dir, strlen(doc_dir)) && path_push(&path, url, path_len);
	if (!ok) {
		buf_fini(&path);
		return NULL;
	}
	buf_init(&out);
	if (skill_md && path.len > 0 && strcmp(path.data, skill_md) == 0) {
		put_base(&out, base, true);
	} else {
		put_base(&out, base, false);
		buf_append(&out, path.data, path.len);
		if (path.len > 0 && path_len > 0 &&
		    (url[path_len - 1] == '/' || url[path_len - 1] == '\\'))
			buf_putc(&out, '/');
	}
	buf_puts(&out, url + path_len);
	buf_fini(&path);
	return buf_detach(&out, NULL);
}

/* True for an ASCII letter. */
static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True when url is relative in the sense of struct render_opts: not empty,
 * no leading '/', '\\', '?' or '#', and no scheme (a letter, then letters,
 * digits, '+', '-' or '.', then ':'). */
static bool url_is_relative(const char *url)
{
	const char *p = url;

	if (*p == '\0' || strchr("/\\?#", *p))
		return false;
	if (is_alpha(*p)) {
		p++;
		while (is_alpha(*p) || (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
			p++;
		if (*p == ':')
			return false;
	}
	return true;
}

/* Checks, rewrites or queues for unwrapping one link or image. */
static void walk_link(struct walk *w, cmark_node *node, const struct render_opts *opts)
{
	bool image = cmark_node_get_type(node) == CMARK_NODE_IMAGE;
	const char *url = cmark_node_get_url(node);
	const char *base;
	char *fixed;

	if (!url)
		url = "";
	if (!html_url_is_safe(url, image)) {
		walk_add_unwrap(w, node);
		return;
	}
	/* A page loads nothing from another host: a remote image becomes a
	 * link to it (its alt text), not an <img> the browser would fetch. */
	if (image && (strncasecmp(url, "http:", 5) == 0 || strncasecmp(url, "https:", 6) == 0 ||
		      strncmp(url, "//", 2) == 0 || strncmp(url, "\\\\", 2) == 0)) {
		walk_add_linkify(w, node);
		return;
	}
	base = image && opts->image_base ? opts->image_base : opts->link_base;
	if (!base || !url_is_relative(url))
		return;
	fixed = resolve_relative(url, opts->doc_dir ? opts->doc_dir : "", base,
				 image ? NULL : opts->skill_md);
	if (!fixed) {
		walk_add_unwrap(w, node);
		return;
	}
	cmark_node_set_url(node, fixed);
	free(fixed);
}

/* ---- mentions, alerts, code blocks ---- */

/* The skill-relative path a code span names when it is a file of the
 * skill: read against dir, then against the skill folder. NULL when it
 * names none (free()). */
static char *mention_path(const char *lit, const char *dir, const struct render_opts *opts)
{
	const char *dirs[2] = { dir, "" };
	size_t n = strlen(lit);

	if (n == 0 || n > MENTION_MAX || !url_is_relative(lit) || strpbrk(lit, " \t\n\r?#\\\""))
		return NULL;
	for (size_t i = 0; i < (dir[0] ? 2u : 1u); i++) {
		struct buf path;

		buf_init(&path);
		if (path_push(&path, dirs[i], strlen(dirs[i])) && path_push(&path, lit, n) &&
		    path.len > 0 && opts->file_exists(opts->file_ctx, path.data))
			return buf_detach(&path, NULL);
		buf_fini(&path);
	}
	return NULL;
}

/* Queues a code span that names a file of the skill for a link to it. */
static void walk_code_span(struct walk *w, cmark_node *node, const struct render_opts *opts)
{
	const char *lit = cmark_node_get_literal(node);
	const char *dir = opts->doc_dir ? opts->doc_dir : "";
	struct buf url;
	char *path;

	if (w->in_link || !opts->link_base || !opts->file_exists || !lit)
		return;
	path = mention_path(lit, dir, opts);
	if (!path)
		return;
	buf_init(&url);
	if (opts->skill_md && strcmp(path, opts->skill_md) == 0) {
		put_base(&url, opts->link_base, true);
	} else {
		put_base(&url, opts->link_base, false);
		buf_puts(&url, path);
	}
	free(path);
	pending_add(&w->mentions, node, buf_detach(&url, NULL), 0);
}

/* Puts a code span inside a new link to url. */
static void link_mention(cmark_node *code, const char *url)
{
	cmark_node *link = cmark_node_new(CMARK_NODE_LINK);

	if (!link || !cmark_node_set_url(link, url) || !cmark_node_insert_before(code, link)) {
		cmark_node_free(link);
		return;
	}
	if (!cmark_node_append_child(link, code))
		cmark_node_free(link); /* cmark refused: the span stays unlinked */
}

/* GitHub's alerts: the marker, its class and its title. The icon is the
 * stylesheet's (assets/alert-<name>.svg as a mask over the text colour):
 * the rendered HTML holds no svg, which the sanitiser's checks forbid. */
static const struct {
	const char *marker;
	const char *name;
	const char *title;
} alert_kinds[] = {
	{ "[!NOTE]", "note", "Note" },
	{ "[!TIP]", "tip", "Tip" },
	{ "[!IMPORTANT]", "important", "Important" },
	{ "[!WARNING]", "warning", "Warning" },
	{ "[!CAUTION]", "caution", "Caution" },
};

/* The alert_kinds row of a blockquote, or -1 when it is no alert: a child
 * of the document whose first paragraph starts with a line of text nodes
 * reading exactly a marker (any case, trailing blanks), with more after. */
static int alert_kind(cmark_node *quote)
{
	cmark_node *para = cmark_node_first_child(quote);
	cmark_node *n;
	char line[16];
	size_t len = 0;

	if (cmark_node_get_type(cmark_node_parent(quote)) != CMARK_NODE_DOCUMENT || !para ||
	    cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH)
		return -1;
	for (n = cmark_node_first_child(para); n; n = cmark_node_next(n)) {
		cmark_node_type t = cmark_node_get_type(n);
		const char *lit;
		size_t k;

		if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			break;
		if (t != CMARK_NODE_TEXT)
			return -1;
		lit = cmark_node_get_literal(n);
		k = lit ? strlen(lit) : 0;
		if (len + k >= sizeof(line))
			return -1;
		memcpy(line + len, lit, k);
		len += k;
	}
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	line[len] = '\0';
	/* the marker alone, with nothing after it, stays a quote (as on GitHub) */
	if (!n && !cmark_node_next(para))
		return -1;
	for (size_t i = 0; i < sizeof(alert_kinds) / sizeof(alert_kinds[0]); i++)
		if (strcasecmp(line, alert_kinds[i].marker) == 0)
			return (int)i;
	return -1;
}

/* Turns a blockquote into the alert of kind: its marker line removed, its
 * blocks moved into a custom block that writes the alert's markup. */
static void make_alert(cmark_node *quote, int kind)
{
	cmark_node *para = cmark_node_first_child(quote);
	cmark_node *alert = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
	cmark_node *n, *child;
	struct buf enter;

	if (!alert)
		return;
	buf_init(&enter);
	buf_printf(&enter, "<div class=\"markdown-alert markdown-alert-%s\">"
			   "<p class=\"markdown-alert-title\">%s</p>\n",
		   alert_kinds[kind].name, alert_kinds[kind].title);
	if (!cmark_node_set_on_enter(alert, enter.data) ||
	    !cmark_node_set_on_exit(alert, "</div>\n") || !cmark_node_insert_before(quote, alert)) {
		buf_fini(&enter);
		cmark_node_free(alert);
		return;
	}
	buf_fini(&enter);
	/* the marker's text nodes, then the line break after them */
	while ((n = cmark_node_first_child(para)) != NULL) {
		cmark_node_type t = cmark_node_get_type(n);

		cmark_node_free(n);
		if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			break;
	}
	if (!cmark_node_first_child(para))
		cmark_node_free(para);
	while ((child = cmark_node_first_child(quote)) != NULL) {
		if (!cmark_node_append_child(alert, child))
			return; /* cannot happen: a custom block holds any block */
	}
	cmark_node_free(quote);
}

/* Replaces a code block by a custom block writing its highlighted markup,
 * with a copy button. */
static void make_code_block(cmark_node *code)
{
	cmark_node *block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
	const char *info = cmark_node_get_fence_info(code);
	const char *lit = cmark_node_get_literal(code);
	size_t lang_len = info ? strcspn(info, " \t") : 0;
	struct buf b;

	if (!block)
		return;
	if (!lit)
		lit = "";
	buf_init(&b);
	buf_puts(&b, "<div class=\"code-block\"><pre tabindex=\"0\"><code");
	if (lang_len > 0) {
		buf_puts(&b, " class=\"language-");
		html_escape_attr(&b, info, lang_len);
		buf_putc(&b, '"');
	}
	buf_putc(&b, '>');
	highlight_code(info, lang_len, lit, strlen(lit), &b);
	buf_puts(&b, "</code></pre><button type=\"button\" class=\"copy-code\" aria-label=\"Copy code\" "
		     "hidden>Copy</button></div>\n");
	if (cmark_node_set_on_enter(block, b.data) && cmark_node_set_on_exit(block, "") &&
	    cmark_node_insert_before(code, block))
		cmark_node_free(code);
	else
		cmark_node_free(block);
	buf_fini(&b);
}

/* Appends the plain text of a heading: text and code, breaks as spaces,
 * image alt text and raw HTML left out. */
static void heading_text(cmark_node *heading, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(heading);
	cmark_event_type ev;
	int in_image = 0;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);

		if (t == CMARK_NODE_IMAGE) {
			in_image += ev == CMARK_EVENT_ENTER ? 1 : -1;
			continue;
		}
		if (in_image || ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE) {
			const char *lit = cmark_node_get_literal(n);
			size_t len = lit ? strlen(lit) : 0;

			if (lit && utf8_valid(lit, len)) {
				buf_append(out, lit, len);
			} else if (lit) {
				/* cmark-gfm can split a character (see render_markdown) */
				char *fixed = utf8_repair(lit, len, &len);

				buf_append(out, fixed, len);
				free(fixed);
			}
		} else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK) {
			buf_putc(out, ' ');
		}
	}
	cmark_iter_free(it);
}

/* Records a heading: its level, plain text and unique id. */
static void walk_heading(struct walk *w, cmark_node *node, struct text_ids *ids)
{
	struct heading *h;
	struct buf text, slug;
	size_t skip;

	if (w->n_headings == w->cap_headings) {
		w->cap_headings = w->cap_headings ? w->cap_headings * 2 : 16;
		w->headings = xrealloc(w->headings, w->cap_headings * sizeof(*w->headings));
	}
	buf_init(&text);
	heading_text(node, &text);
	buf_init(&slug);
	render_slug(text.data, text.len, &slug);
	if (slug.len == 0)
		buf_puts(&slug, SLUG_FALLBACK);
	h = &w->headings[w->n_headings++];
	h->level = cmark_node_get_heading_level(node);
	h->id = text_ids_unique(ids, slug.data);
	/* the slug keeps edge spaces as GitHub's does; the text drops them */
	skip = strspn(text.data, " ");
	while (text.len > skip && text.data[text.len - 1] == ' ')
		text.len--;
	h->text = xstrndup(text.data + skip, text.len - skip);
	buf_fini(&text);
	buf_fini(&slug);
}

/* Walks the document: links and images are checked and rewritten, headings
 * recorded in order. Unwrapping waits until the iterator is done, since
 * cmark forbids changing the tree around the iterator's position. */
static void walk_document(cmark_node *doc, const struct render_opts *opts, struct walk *w)
{
	cmark_iter *it = cmark_iter_new(doc);
	struct text_ids ids;
	cmark_event_type ev;

	text_ids_init(&ids, 1); /* "a", "a-1", "a-2" as GitHub */
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);

		if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE)
			w->in_link += ev == CMARK_EVENT_ENTER ? 1 : -1;
		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) {
			walk_link(w, n, opts);
		} else if (t == CMARK_NODE_HEADING) {
			walk_heading(w, n, &ids);
		} else if (t == CMARK_NODE_CODE) {
			walk_code_span(w, n, opts);
		} else if (t == CMARK_NODE_CODE_BLOCK) {
			pending_add(&w->code, n, NULL, 0);
		} else if (t == CMARK_NODE_BLOCK_QUOTE) {
			int kind = alert_kind(n);

			if (kind >= 0)
				pending_add(&w->alerts, n, NULL, kind);
		}
	}
	cmark_iter_free(it);
	text_ids_fini(&ids);
	for (size_t i = 0; i < w->unwrap.len; i++)
		unwrap_node(w->unwrap.items[i].node);
	for (size_t i = 0; i < w->linkify.len; i++)
		linkify_node(w->linkify.items[i].node);
	for (size_t i = 0; i < w->mentions.len; i++)
		link_mention(w->mentions.items[i].node, w->mentions.items[i].url);
	for (size_t i = 0; i < w->alerts.len; i++)
		make_alert(w->alerts.items[i].node, w->alerts.items[i].kind);
	for (size_t i = 0; i < w->code.len; i++)
		make_code_block(w->code.items[i].node);
}

/* ---- output ---- */

/*
 * Copies html to out, giving the i-th "<hN>" tag the i-th heading's id
 * (and anchor). Without CMARK_OPT_UNSAFE every '<' of user text is escaped,
 * so such tags are exactly cmark's headings, in document order. Returns -1
 * if the tags and headings disagree (the caller then falls back).
 */
static int insert_ids(const char *html, const struct walk *w, bool anchors, struct buf *out)
{
	const char *p = html, *end = html + strlen(html);
	size_t k = 0;

	/* memchr with a length: strstr would rescan the rest each time under ASan */
	for (const char *q = memchr(p, '<', (size_t)(end - p)); q;
	     q = memchr(q + 1, '<', (size_t)(end - q - 1))) {
		const struct heading *h;

		if (end - q < 4 || q[1] != 'h' || q[2] < '1' || q[2] > '6' || q[3] != '>')
			continue;
		if (k == w->n_headings || q[2] - '0' != w->headings[k].level)
			return -1;
		h = &w->headings[k++];
		buf_append(out, p, (size_t)(q - p) + 3);
		html_printf(out, " id=\"%s\">", h->id);
		if (anchors)
			html_printf(out, "<a class=\"anchor\" href=\"#%s\" aria-hidden=\"true\" "
				       "tabindex=\"-1\"></a>", h->id);
		p = q + 4;
	}
	if (k != w->n_headings)
		return -1;
	buf_append(out, p, (size_t)(end - p));
	return 0;
}

/* Fills the table of contents and the title from the headings. */
static void fill_toc(const struct walk *w, struct render_result *out)
{
	for (size_t i = 0; i < w->n_headings; i++) {
		const struct heading *h = &w->headings[i];
		cJSON *e;

		if (!out->title && h->level == 1 && h->text[0] != '\0')
			out->title = xstrdup(h->text);
		if (i >= RENDER_TOC_MAX)
			continue;
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "level", h->level);
		cJSON_AddStringToObject(e, "id", h->id);
		cJSON_AddStringToObject(e, "text", h->text);
		cJSON_AddItemToArray(out->toc, e);
	}
}

/* The result for a document that is not rendered as markdown: its text,
 * escaped, in a <pre>. */
static void render_fallback(const char *md, size_t len, struct render_result *out)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "<pre class=\"markdown-source\">");
	html_escape_text(&b, md, len);
	buf_puts(&b, "</pre>\n");
	out->html = buf_detach(&b, &out->html_len);
}

/* Parses md with the extensions attached; the parser (needed to render)
 * comes back in *parser_out. */
static cmark_node *parse(const char *md, size_t len, cmark_parser **parser_out)
{
	cmark_parser *parser = cmark_parser_new(RENDER_OPTIONS);
	cmark_node *doc;

	for (size_t i = 0; i < sizeof(render_extensions) / sizeof(render_extensions[0]); i++) {
		cmark_syntax_extension *ext = cmark_find_syntax_extension(render_extensions[i]);

		if (ext)
			cmark_parser_attach_syntax_extension(parser, ext);
	}
	pthread_mutex_lock(&render_parse_lock);
	cmark_parser_feed(parser, md, len);
	doc = cmark_parser_finish(parser);
	pthread_mutex_unlock(&render_parse_lock);
	*parser_out = parser;
	return doc;
}

int render_markdown(const char *md, size_t len, const struct render_opts *opts,
		    struct render_result *out)
{
	static const struct render_opts no_opts;
	const char *too_complex = NULL;
	cmark_parser *parser = NULL;
	cmark_node *doc = NULL;
	struct walk w = { 0 };
	char *html = NULL;
	struct buf b;

	memset(out, 0, sizeof(*out));
	if (!md && len > 0)
		return -1;
	if (!md)
		md = "";
	if (!opts)
		opts = &no_opts;
	render_init();
	out->toc = cJSON_CreateArray();
	if (len > RENDER_MAX_INPUT) {
		if (opts->diags)
			diag_add(opts->diags, DIAG_WARNING, "render-too-large", opts->path, 0, 0,
				 "not rendered as markdown: %zu bytes, over the limit of %zu",
				 len, RENDER_MAX_INPUT);
		render_fallback(md, len, out);
		return 0;
	}
	too_complex = prescan(md, len);
	if (too_complex) {
		if (opts->diags)
			diag_add(opts->diags, DIAG_WARNING, "render-too-complex", opts->path, 0, 0,
				 "not rendered as markdown: %s", too_complex);
		render_fallback(md, len, out);
		return 0;
	}

	doc = parse(md, len, &parser);
	walk_document(doc, opts, &w);
	html = cmark_render_html(doc, RENDER_OPTIONS, cmark_parser_get_syntax_extensions(parser));
	/* cmark-gfm 0.29 turns an undefined footnote reference spanning three
	 * lines back into "[^" + the first byte of its label + "]", which can
	 * split a character: repair rather than serve invalid UTF-8. */
	if (!utf8_valid(html, strlen(html))) {
		char *fixed = utf8_repair(html, strlen(html), NULL);

		free(html);
		html = fixed;
	}
	buf_init(&b);
	if (insert_ids(html, &w, opts->heading_anchors, &b) == 0) {
		out->html = buf_detach(&b, &out->html_len);
		fill_toc(&w, out);
	} else {
		/* cannot happen without raw HTML; never serve ids on the wrong headings */
		buf_fini(&b);
		if (opts->diags)
			diag_add(opts->diags, DIAG_WARNING, "render-too-complex", opts->path, 0, 0,
				 "not rendered as markdown: headings could not be numbered");
		render_fallback(md, len, out);
	}
	free(html);
	walk_fini(&w);
	cmark_node_free(doc);
	cmark_parser_free(parser);
	return 0;
}

void render_result_fini(struct render_result *r)
{
	free(r->html);
	cJSON_Delete(r->toc);
	free(r->title);
	memset(r, 0, sizeof(*r));
}
