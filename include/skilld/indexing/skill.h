/* SPDX-License-Identifier: MIT */
/*
 * skill: one scanned skill folder turned into a record: file inventory,
 * frontmatter and body, checklists, evals, validation and quality tier, its
 * digest and its JSON forms. Slugs are assigned by the caller (they depend
 * on every other skill). Thread safe: a record belongs to one thread.
 */
#ifndef SKILLD_SKILL_H
#define SKILLD_SKILL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"
#include "skilld/indexing/frontmatter.h"
#include "skilld/indexing/scan.h"

struct skill_checklist {
	const struct skill_file *file;  /* points into record.files */
	cJSON *parsed;                  /* checklist_parse result, owned */
};

/* HTML of one rendered markdown file (see skill_render). */
struct skill_html {
	char *html;            /* NULL when the file is not rendered */
	cJSON *toc;
};

struct skill_counts {
	int files, references, checklist_items, evals, scripts, assets, examples;
};

struct skill_record {
	char *root;            /* the root as the user gave it */
	char *rel;             /* folder relative to the root, "" for the root */
	char *folder;          /* the folder's own name */
	char *slug;            /* set by skill_assign_slug, NULL before */
	struct file_list files;
	const struct skill_file *skill_md; /* points into files; NULL if unreadable */
	struct frontmatter fm;
	char *body;            /* markdown body (copy), never NULL */
	struct skill_checklist *checklists;
	size_t n_checklists;
	cJSON *evals;          /* normalised evals or NULL */
	cJSON *check;          /* validate_skill result */
	bool valid;
	const char *tier;      /* "bronze".. or NULL; static */
	char digest[SHA256_HEX_LEN + 1];
	struct skill_counts counts;
	struct diag_list diags; /* everything about this skill */
	/* Filled by skill_render (the server only; `check` does not render). */
	char *body_html;
	cJSON *body_toc;
	struct skill_html *file_html; /* parallel to files.items, or NULL */
};

/*
 * Reads the skill scanned as sk under root (root_abs is its realpath, root
 * the name the user gave) and fills *out. Never fails for bad content: it
 * becomes diagnostics. Returns -1 only when the folder cannot be read at all
 * (a diagnostic in out->diags says why; release out anyway).
 */
int skill_analyze(const char *root, const char *root_abs, const struct scan_skill *sk,
		  size_t max_file_size, struct skill_record *out);
void skill_record_fini(struct skill_record *r);

/*
 * Renders the record's markdown to safe HTML (render.h): the SKILL.md body,
 * every other markdown text file, and each checklist item's text (added to
 * the parsed checklists as "html"). Relative links resolve to the skill's
 * pages under /skills/<slug>/, so r->slug must be set. Warnings go to
 * r->diags.
 */
void skill_render(struct skill_record *r);

/*
 * Renders one markdown document of a served skill as skill_render does,
 * byte for byte, from what the index keeps (it keeps no HTML: pages
 * render when asked, and the response cache keeps the answer): the
 * skill's slug, its files as its detail JSON lists them (an array of
 * {"path", "kind"} in path order), the document's path in the skill
 * (NULL for SKILL.md's body) and its markdown. 0 with *html (free()) and
 * *toc (cJSON_Delete), or -1 when skill_render leaves that document alone
 * (the skill's own SKILL.md as a file, not a .md path).
 */
int skill_render_doc(const char *slug, const cJSON *files, const char *doc_path, const char *md,
		     size_t len, char **html, cJSON **toc);

/*
 * The slug this skill wants before de-duplication (DESIGN.md §4): the
 * frontmatter name when it is a valid name, else the folder name when valid,
 * else the folder lowercased with other characters turned into '-',
 * or "skill-<first 8 digest hex>" when nothing is left. free() the result.
 */
char *skill_slug_base(const struct skill_record *r);

/* The primary checklist (references/review-checklist.md, else the first) or NULL. */
const struct skill_checklist *skill_primary_checklist(const struct skill_record *r);

/* When the skill last changed: the newest modification time of its files
 * (seconds since the epoch, UTC); 0 without files. */
int64_t skill_updated(const struct skill_record *r);

/* JSON forms, owned by the caller (cJSON_Delete). Need r->slug set. The
 * summary's "updated" is skill_updated's, each file's its own, in ISO 8601
 * UTC to the second ("2025-12-05T00:50:00Z"). */
cJSON *skill_summary_json(const struct skill_record *r);
cJSON *skill_detail_json(const struct skill_record *r);
cJSON *skill_files_json(const struct skill_record *r);
/* The primary checklist with skill, path, digest; NULL if none. */
cJSON *skill_checklist_json(const struct skill_record *r);

/* Is s a valid Agent Skills name (1–64 of a-z0-9-, no edge or double '-')? */
bool skill_name_valid(const char *s);

/* The MCP Skills extension's limits per skill (files, and bytes in all). */
#define SKILL_EXT_MAX_FILES 512
#define SKILL_EXT_MAX_BYTES ((uint64_t)16 << 20)

/* What decides whether a served skill can be listed under the MCP Skills
 * extension: from a record at index time, from the index at request time. */
struct skill_listing {
	bool valid;
	const char *name;       /* the frontmatter's name, or NULL */
	const char *slug;
	size_t files;
	uint64_t bytes;         /* the sum of the files' sizes */
	bool complete;          /* every file's bytes are stored, with a digest */
	const char *skill_md;   /* SKILL.md's bytes (need not be NUL terminated) */
	size_t skill_md_len;
	const char *skill_md_path; /* its path in the skill: "SKILL.md" (or "skill.md") */
};

/*
 * NULL when the skill can be listed under the MCP Skills extension
 * (skills/list, skills/get): a valid skill served under its own name (the
 * URI skill://<name>/SKILL.md ends with it, as the extension requires),
 * within its limits, every file stored with a digest (the entry's file
 * list must be complete and verifiable), and a frontmatter every client
 * reads as served: the file is SKILL.md (not skill.md), UTF-8, opens and
 * closes its frontmatter with bare `---` lines, the YAML reads without a
 * warning in the typed form, and name and description are text. Otherwise
 * a sentence saying why (static).
 * When frontmatter is not NULL and the skill can be listed, *frontmatter
 * is its frontmatter by frontmatter_parse_typed (cJSON_Delete).
 */
const char *skill_extension_problem(const struct skill_listing *s, cJSON **frontmatter);

/* Adds the warning skills-extension-unlisted to r->diags when the skill
 * cannot be listed under the MCP Skills extension. Needs r->slug set. */
void skill_note_extension(struct skill_record *r);

#endif
