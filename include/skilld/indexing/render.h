/* SPDX-License-Identifier: MIT */
/*
 * render: markdown to safe HTML with cmark-gfm (GitHub Flavored Markdown:
 * tables, task lists, strikethrough, autolinks, footnotes), plus heading
 * ids and a table of contents. Meant to run at index time; the result is
 * stored and served as it is. Raw HTML never reaches the output and link
 * and image targets pass html_url_is_safe.
 *
 * Threads: call render_init once before any thread starts. After that
 * render_markdown may run on several threads at once. cmark-gfm 0.29
 * flips a process-wide table inside every parse, so the parse step of
 * concurrent calls is serialised by one internal lock; HTML output and the
 * rest run in parallel.
 */
#ifndef SKILLD_RENDER_H
#define SKILLD_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"
#include "skilld/base/util.h"

/* Inputs larger than this are not parsed as markdown (see render_markdown). */
#define RENDER_MAX_INPUT ((size_t)2 << 20)
/* At most this many headings are listed in the table of contents. */
#define RENDER_TOC_MAX 1000
/* Heading ids are cut to at most this many bytes (at a character boundary)
 * before the uniqueness suffix. */
#define RENDER_ID_MAX 128

/* Registers cmark-gfm's core extensions. Call once at startup, before
 * threads start (it is idempotent, and render_markdown calls it too). */
void render_init(void);

/*
 * How relative links are resolved. A URL is relative when it has no scheme
 * and does not start with '/', '\\', '?' or '#'. Such a URL is resolved
 * against doc_dir (the document's folder inside the skill, "" or NULL for
 * SKILL.md, "references" for references/x.md), "." and ".." segments are
 * folded, and the result is appended to link_base (links) or image_base
 * (images); query and fragment are kept. With doc_dir "references" and
 * link_base "/skills/pdf/", "../SKILL.md#usage" becomes
 * "/skills/pdf/SKILL.md#usage" and "forms.md" "/skills/pdf/references/forms.md".
 * A relative URL that climbs above the skill folder is dropped (its text
 * stays, without a link). A NULL base leaves relative URLs untouched.
 * Absolute http(s) and mailto URLs, "/paths" and "#fragments" are never
 * rewritten. A link that resolves to skill_md (when set) goes to the skill's
 * page instead, link_base without its final '/': "../SKILL.md#usage" gives
 * "/skills/pdf#usage".
 *
 * Mentions: with link_base and file_exists set, a code span that is the
 * relative path of a file of the skill (`references/forms.md`, also
 * `./forms.md` from references/; read against doc_dir first, then the skill
 * folder) and is not inside a link becomes a link to that file, as a
 * written link to it would.
 */
struct render_opts {
	const char *link_base;   /* e.g. "/skills/pdf/"; a missing final '/' is added */
	const char *image_base;  /* for images; NULL means link_base */
	const char *doc_dir;     /* e.g. "references"; NULL means "" */
	const char *skill_md;    /* the skill's own SKILL.md path, e.g. "SKILL.md"; may be NULL */
	/* True when the skill holds a file at path (relative to the skill
	 * folder, '/' separated, dot segments folded); NULL: no mention is linked. */
	bool (*file_exists)(void *ctx, const char *path);
	void *file_ctx;          /* passed to file_exists */
	bool heading_anchors;    /* add <a class="anchor" href="#id" aria-hidden="true"></a> */
	struct diag_list *diags; /* warnings go here when not NULL */
	const char *path;        /* file named in those warnings; may be NULL */
};

/*
 * What render_markdown produces; every member is owned by the result. The
 * html is ready for a page as it is. TOC texts and the title are plain text
 * (inline markup dropped, code kept, edge spaces trimmed), not HTML: escape
 * them with html_escape_text before use. Ids need html_escape_attr like any
 * attribute value (they hold no markup characters, but that is not part of
 * the contract).
 */
struct render_result {
	char *html;      /* NUL terminated UTF-8 HTML fragment (free()) */
	size_t html_len; /* strlen(html) */
	cJSON *toc;      /* array of {"level": 1..6, "id", "text"}, in document order */
	char *title;     /* text of the first h1 whose text is not empty, or NULL */
};

/*
 * Renders md[0..len) (need not be NUL terminated; NUL bytes and invalid
 * UTF-8 become U+FFFD, a leading BOM is skipped) into *out, which the
 * caller releases with render_result_fini. opts may be NULL. The markdown
 * must not carry frontmatter (strip it first).
 *
 * Output: cmark-gfm's HTML (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 |
 * CMARK_OPT_FOOTNOTES, never CMARK_OPT_UNSAFE) with extensions table,
 * strikethrough, autolink, tasklist and tagfilter. Raw HTML becomes
 * "<!-- raw HTML omitted -->"; task items are disabled checkboxes.
 *
 * Code blocks come as <div class="code-block"><pre><code
 * class="language-x">…</code></pre><button type="button" class="copy-code"
 * aria-label="Copy code" hidden>Copy</button></div> (no class without a
 * language; x is the fence's first word, escaped), the code highlighted by
 * highlight_code; the button is hidden until a script wires it up. A
 * blockquote of the document (not nested in another block) whose first line
 * is exactly [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION] (any
 * case, trailing spaces allowed) and that holds more than that line is a
 * GitHub alert: <div class="markdown-alert markdown-alert-note"><p
 * class="markdown-alert-title">Note</p>…content…</div> (the stylesheet
 * draws the icon). A link or image whose URL fails
 * html_url_is_safe (javascript:, vbscript:, file:, data: except raster
 * images, any other scheme but http, https, mailto) is replaced by its text
 * or alt text. Every heading gets id="slug" (render_slug), made unique in
 * the document with "-1", "-2"... as GitHub does; "section" when the slug
 * is empty. The TOC lists every heading level (the first RENDER_TOC_MAX).
 *
 * Documents that cmark-gfm 0.29 cannot render in bounded time or memory
 * (over RENDER_MAX_INPUT bytes; tables whose rows have tens of thousands
 * of cells or that would be padded to millions of cells; link reference
 * definitions that would be expanded into more than 16 MiB) are shown as
 * escaped preformatted text, <pre class="markdown-source">…</pre>, with an
 * empty TOC and a warning "render-too-large" or "render-too-complex" in
 * opts->diags. Returns 0; -1 only when md is NULL with len > 0 (out is then
 * zeroed).
 */
int render_markdown(const char *md, size_t len, const struct render_opts *opts,
		    struct render_result *out);

/* Frees what a result owns and zeroes it; accepts a zeroed result. */
void render_result_fini(struct render_result *r);

/*
 * Appends the GitHub-style slug of text[0..len) to out (no uniqueness
 * suffix): ASCII letters lowercased; ASCII digits, '-', '_' and non-ASCII
 * letters and marks kept; each space becomes '-'; every other ASCII
 * character dropped; common Unicode punctuation, symbols, spaces and
 * emoji dropped. Latin-1, Latin Extended-A, Greek and Cyrillic capitals are
 * lowercased; other scripts are kept as they are. "Chapter 2 — Title"
 * gives "chapter-2--title", "Über C++" gives "über-c". Invalid UTF-8 is
 * dropped. Stops before RENDER_ID_MAX bytes.
 */
void render_slug(const char *text, size_t len, struct buf *out);

#endif
