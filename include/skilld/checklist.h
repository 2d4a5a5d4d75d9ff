/* SPDX-License-Identifier: MIT */
/*
 * checklist: parses a review-checklist.md (the loose grammar of DESIGN.md §1)
 * into sections, groups and items, red flags, the review workflow and the
 * severity levels. Anything not recognised is kept as markdown. Pure
 * function of its input; thread safe.
 */
#ifndef SKILLD_CHECKLIST_H
#define SKILLD_CHECKLIST_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Parses md[0..len) (need not be NUL terminated; BOM and CRLF allowed) and
 * returns a new object the caller frees with cJSON_Delete:
 *
 * {"title": string|null, "intro": markdown,
 *  "sections": [{"id", "number": int|null, "title", "chapters": string|null,
 *                "intro": markdown, "items": [item...],
 *                "groups": [{"id", "title", "items": [item...]}],
 *                "red_flags": markdown|null, "extra": markdown}],
 *  "workflow": [{"step": int, "title": string|null, "text": markdown}],
 *  "severity": [{"level", "description", "examples": string|null}],
 *  "extra": markdown, "item_count": int}
 *
 * item: {"id", "shape": "A".."E", "ref": string|null, "title": string|null,
 *        "text": markdown, "markdown": the original line(s), "line": int}
 *
 * item_count equals the number of `- [ ]` / `- [x]` lines exactly. Item ids
 * are stable (derived from section, ref and title, unique in the checklist).
 */
cJSON *checklist_parse(const char *md, size_t len);

/* Number of items of a parsed checklist. */
int checklist_item_count(const cJSON *checklist);

#endif
