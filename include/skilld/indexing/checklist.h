/* SPDX-License-Identifier: MIT */
/*
 * checklist: parses a review-checklist.md (the loose grammar of DESIGN.md §1)
 * into sections, groups and items, red flags, the review workflow and the
 * severity levels. Anything not recognised is kept as markdown. Pure
 * function of its input, linear in its length; thread safe.
 */
#ifndef SKILLD_CHECKLIST_H
#define SKILLD_CHECKLIST_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"

/*
 * Parses md[0..len) (need not be NUL terminated; a UTF-8 BOM, CRLF or CR
 * line ends, NUL bytes and invalid UTF-8 are allowed: the last two become
 * U+FFFD) and returns a new object the caller frees with cJSON_Delete:
 *
 * {"title": string|null,          the first `# ` heading before any section
 *  "book": string|null,           "Clean Code" of "Clean Code — Code Review Checklist"
 *  "kind": string|null,           "Code" of the same (text before "Review Checklist")
 *  "intro": markdown,             text between the title and the first section
 *  "sections": [section...],
 *  "workflow_title": string|null, "workflow": [{"step": int, "title": string|null, "text": markdown}],
 *  "severity_title": string|null, "severity": [{"level", "description", "examples": string|null}],
 *  "extra": markdown,             what the workflow and severity blocks held besides
 *                                 their lists, each part led by its `## ` heading
 *  "item_count": int}
 *
 * section: {"id", "number": int|null, "title": string|null, "chapters": string|null,
 *           "line": int (0 for an implicit section), "intro": markdown, "items": [item...],
 *           "groups": [{"id", "title", "chapters": string|null, "line", "intro",
 *                       "items": [item...], "extra": markdown}],
 *           "red_flags": markdown|null, "extra": markdown, "item_count": int}
 *
 * item: {"id", "shape": "A".."E", "ref": string|null, "title": string|null,
 *        "text": markdown, "markdown": the original line(s), "line": int,
 *        "checked": bool}
 *
 * Markdown values are strings, "" when empty. Lines are 1-based.
 *
 * Sections start at `## ` headings (and `# ` headings after the title).
 * "## 3. Title (Chapters 1–3)" gives number 3, title "Title", chapters
 * "Chapters 1–3"; "## Chapter 2 — Title" gives number 2, chapters
 * "Chapter 2"; a trailing parenthesis is taken as chapters only when it
 * starts with Chapter(s), Ch, Item(s), Lesson(s), Part(s) or Section(s)
 * and a digit (both parts are joined by "; "). A `## ` block whose heading
 * contains "severity" or else "workflow" (any case), that holds no items
 * and holds a table or `- **Level**: …` bullets (severity) or a numbered
 * list (workflow), fills "severity" or "workflow" instead. Table columns
 * are found by their header names (severity/level/priority, description/
 * meaning, example); a header with other names is kept in "extra", and
 * extra columns join "examples" with " | ". A bullet's trailing "(e.g., …)"
 * or a continuation line starting "Examples:" becomes "examples". Every
 * other `## ` block is a section, with zero items when it has none (its
 * text is then in "intro").
 * `### ` starts a group inside the current section. Items, groups or red
 * flags found before any section open a section with title null.
 *
 * An item is a line matching `^[ \t]*- \[[ xX]\]` outside code fences
 * (``` or ~~~ after at most 3 spaces: text_fence_step, the rule search
 * and tokens use too), plus the lines that continue it: following lines
 * indented by two or more columns (also after blank lines) and unindented
 * paragraph lines right after it. The text after the checkbox decides the shape:
 *   A  **Ch 2 — Title** — text      (also "Chapter 2", "Ch 1-2")
 *   B  **Item 1 — Title** — text
 *   C  **N1 — Title** — text, **G30 / Title** — text, **T1** — text
 *   D  **Title** — text               (the bold must be followed by a
 *                                      separator or end the line)
 *   E  anything else: ref and title null, text the whole.
 * Separators are an em dash, an en dash, " - ", " -- " or a colon; inside the
 * bold of A–C also " / ". The bold may contain backticks, dashes and `*`.
 *
 * `**Red flags**: …` starts a paragraph (up to a blank line or the next
 * item, heading or rule) that goes to the section's "red_flags" (several
 * are joined by a blank line). Rules (`---`) are dropped; nothing else is.
 *
 * Ids are derived from content only, so the same input gives the same ids:
 * section "s<k>" with k its 1-based position in "sections"; group
 * "s<k>-g<j>" with j its position in the section; item: the slug of
 * "ref title" (when both are present), else of ref, else of title, else of
 * text; a slug keeps ASCII letters (lowercased) and digits, turns every
 * other run into one "-", and is cut to at most 48 characters at a word
 * boundary when one is near ("item" when nothing is left). It is prefixed by
 * "<number>-" when the section has a number, e.g. "1-ch-2-purpose-defined",
 * "2-n1-descriptive-names". A repeated id gets "-2", "-3"… in document order.
 *
 * Never returns NULL unless cJSON itself runs out of memory.
 */
cJSON *checklist_parse(const char *md, size_t len);

/*
 * checklist_parse that also reports into diags (may be NULL), naming path
 * (may be NULL): warnings "checklist-no-items", "checklist-no-title",
 * "checklist-unclosed-fence" (with its line) and "checklist-encoding" (NUL
 * bytes or invalid UTF-8 replaced, with the first line).
 */
cJSON *checklist_parse_diag(const char *md, size_t len, const char *path,
			    struct diag_list *diags);

/* Number of items of a parsed checklist ("item_count"); 0 for NULL. */
int checklist_item_count(const cJSON *checklist);

#endif
