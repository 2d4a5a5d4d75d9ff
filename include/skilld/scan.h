/* SPDX-License-Identifier: MIT */
/*
 * scan: walks skill roots. Finds every folder holding SKILL.md (or
 * skill.md) up to SCAN_MAX_DEPTH below a root, dot folders included, .git
 * and node_modules skipped, and builds a skill's file inventory (kind, size,
 * SHA-256, MIME type, UTF-8 text or not, contents up to a limit) without
 * descending into nested skills. Symlinks are never followed out of the
 * root; cycles are broken. Reports everything it skips into a diag_list.
 * Thread safe (no shared state).
 */
#ifndef SKILLD_SCAN_H
#define SKILLD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skilld/diag.h"
#include "skilld/util.h"

#define SCAN_MAX_DEPTH 8

struct scan_skill {
	char *dir;       /* absolute path of the skill folder */
	char *rel;       /* folder relative to the root, "" for the root itself */
	char *folder;    /* the folder's own name (last component of dir) */
	char *skill_md;  /* "SKILL.md" or "skill.md" as found on disk */
};

struct scan_result {
	char *root;      /* the root as given, canonicalised (realpath) */
	struct scan_skill *skills;  /* sorted by rel, bytewise */
	size_t len;
	size_t cap;
};

/*
 * Walks root and appends every skill folder found to out (out->root is set).
 * Diagnostic paths are relative to the root. Returns 0, or -1 when the root
 * itself cannot be opened (with a diagnostic saying why).
 */
int scan_root(const char *root, struct scan_result *out, struct diag_list *diags);
void scan_result_init(struct scan_result *r);
void scan_result_fini(struct scan_result *r);

enum file_kind {
	FILE_SKILL,
	FILE_REFERENCE,
	FILE_CHECKLIST,
	FILE_EVAL,
	FILE_EXAMPLE,
	FILE_SCRIPT,
	FILE_ASSET,
	FILE_OTHER,
};

struct skill_file {
	char *path;          /* relative to the skill folder, '/' separated */
	enum file_kind kind;
	uint64_t size;
	char digest[SHA256_HEX_LEN + 1];
	const char *mime;    /* static string, e.g. "text/markdown; charset=utf-8" */
	bool text;           /* valid UTF-8 with no NUL byte */
	char *content;       /* the bytes (NUL terminated), or NULL when not stored */
	size_t content_len;
};

struct file_list {
	struct skill_file *items;  /* sorted by path, bytewise */
	size_t len;
	size_t cap;
};

/*
 * Lists every regular file of the skill folder skill_dir (inside root),
 * recursing into subfolders except nested skills, .git and node_modules.
 * Contents over max_content bytes are not stored (a warning names them);
 * symlinks to regular files inside the root are read through, those that
 * leave the root, dangle or loop are skipped with a warning. Diagnostic
 * paths are relative to the root. Returns 0, or -1 when skill_dir cannot
 * be read.
 */
int scan_skill_files(const char *root, const char *skill_dir, size_t max_content,
		     struct file_list *out, struct diag_list *diags);
void file_list_init(struct file_list *l);
void file_list_fini(struct file_list *l);
/* Looks a file up by its relative path (binary search); NULL when absent. */
const struct skill_file *file_list_find(const struct file_list *l, const char *path);

const char *file_kind_name(enum file_kind k);
/* Kind from a path relative to the skill folder. */
enum file_kind file_kind_of(const char *rel_path);
/* MIME type from the file name, refined by whether the bytes are text. */
const char *file_mime_of(const char *rel_path, bool text);

/* SHA-256 over the sorted `path\0hexdigest\n` lines of the list. */
void file_list_digest(const struct file_list *l, char hex[SHA256_HEX_LEN + 1]);

#endif
