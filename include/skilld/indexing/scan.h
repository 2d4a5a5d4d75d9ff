/* SPDX-License-Identifier: MIT */
/*
 * scan: walks skill roots. Finds every folder holding SKILL.md (or
 * skill.md) up to SCAN_MAX_DEPTH below a root, dot folders included, .git
 * and node_modules skipped, and builds a skill's file inventory (kind, size,
 * SHA-256, MIME type, UTF-8 text or not, contents up to a limit) without
 * descending into nested skills. Symlinks are never followed out of the
 * root, not even when a folder is swapped for a link between the check and
 * the open; cycles are broken. Reports everything it skips into a
 * diag_list. Thread safe (no shared state besides scan_test_hooks).
 */
#ifndef SKILLD_SCAN_H
#define SKILLD_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skilld/base/diag.h"
#include "skilld/base/util.h"

/* Skills are searched this many folder levels below a root (the root is 0). */
#define SCAN_MAX_DEPTH 8
/* Folders are still walked down to this depth, only to report skills that
 * are too deep; anything deeper is reported as "dir-too-deep", unread. The
 * file inventory of a skill uses the same bound below the skill folder. */
#define SCAN_HARD_DEPTH 32
/* Bytes read from a file at a time; the most any read holds besides
 * contents, and all that is read of a file over the content limit. */
#define SCAN_CHUNK (64 * 1024)

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
	bool linked;     /* the walk met a symlink (to a folder, a file or a
			  * SKILL.md, inside a skill or not) */
};

/*
 * Walks root and appends every skill folder found to out (out->root is set,
 * replacing an earlier one; out->skills is sorted again). A folder is a skill
 * when it holds a readable regular file SKILL.md or skill.md (directly or as
 * a symlink to a file inside the root); with both, SKILL.md wins. Symlinked
 * folders inside the root are walked after the real tree, so a skill reached
 * twice is listed once, under its real path. A link's target is opened
 * beneath the root following no link and must be the file or folder that
 * was checked, else it is left out ("symlink-changed"). Diagnostic paths are relative
 * to the root; codes:
 *   error   skill-md-not-regular   SKILL.md is a directory, FIFO, device...
 *   error   skill-md-unreadable    SKILL.md cannot be opened for reading
 *   warning skill-md-duplicate     both SKILL.md and skill.md (path: skill.md)
 *   warning skill-too-deep         SKILL.md more than SCAN_MAX_DEPTH levels down
 *   warning dir-too-deep           folder more than SCAN_HARD_DEPTH levels down
 *   warning dir-unreadable         a folder that cannot be listed
 *   warning symlink-outside-root   a SKILL.md or folder symlink leaving the root
 *   warning symlink-dangling / symlink-loop / symlink-unresolved
 *   warning symlink-changed        the link's target changed between check and
 *                                  open (a folder on its path swapped for a
 *                                  symlink, or another file put there)
 * Problems inside a skill folder other than its SKILL.md files are left to
 * scan_skill_files, so that indexing both does not report them twice.
 * Returns 0, or -1 when the root itself cannot be opened ("root-unreadable",
 * an error without a path).
 */
int scan_root(const char *root, struct scan_result *out, struct diag_list *diags);
/*
 * Walks the folder rel of root (a clean relative path, not "") as scan_root
 * walks it as part of root, outside any skill (the caller knows no folder
 * above it is a skill), and appends the skills found to out (out->root is
 * root's real path); diagnostics are scan_root's. Returns 0, or -1 when rel
 * is not a folder that opens beneath root following no link.
 */
int scan_subtree(const char *root, const char *rel, struct scan_result *out,
		 struct diag_list *diags);
void scan_result_init(struct scan_result *r);
/* Frees everything r owns; r is left empty and may be reused. */
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
	int64_t mtime;       /* modification time, seconds since the epoch (UTC) */
	char digest[SHA256_HEX_LEN + 1];  /* SHA-256 hex; "" when over the limit */
	const char *mime;    /* static string, e.g. "text/markdown; charset=utf-8" */
	bool text;           /* valid UTF-8 with no NUL byte (over the limit: in
			      * the first SCAN_CHUNK bytes) */
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
 * recursing into subfolders except nested skills, .git and node_modules,
 * and appends them to out (sorted again afterwards). A file of at most
 * max_content bytes is read once, in chunks: digest and text flag cover all
 * its bytes and its contents are kept. A larger one (by fstat) is read no
 * further than its first SCAN_CHUNK bytes, which alone judge its text flag;
 * it is listed with its size, no contents and no digest ("" in digest),
 * with a "file-too-large" warning; so is a file that grows past the limit
 * while it is read.
 * Symlinks to regular files inside the root are listed under the link's
 * path with the target's bytes; symlinked folders inside the root are walked
 * after the real ones. Diagnostic paths are relative to the root; warnings:
 * file-too-large, file-unreadable, file-not-regular, file-name-invalid (a
 * file or folder name that is not UTF-8, left out), dir-unreadable,
 * dir-too-deep, symlink-outside-root, symlink-dangling, symlink-loop,
 * symlink-unresolved, symlink-repeat (a folder already listed),
 * symlink-changed (as for scan_root; also an error "skill-dir-unreadable"
 * when skill_dir itself is reached through a new link). Broken
 * SKILL.md / skill.md entries are skipped silently: scan_root reports them.
 * Returns 0, or -1 when skill_dir cannot be read or lies outside root (an
 * error "skill-dir-unreadable" or "skill-dir-outside-root").
 */
int scan_skill_files(const char *root, const char *skill_dir, size_t max_content,
		     struct file_list *out, struct diag_list *diags);
/*
 * The stamp of skill_dir: a SHA-256 over the identity of every file
 * scan_skill_files would list (its path, device, inode, mode, size,
 * modification and change times) and over the problems it would meet
 * (code and path), walking the same way but opening no file. Equal stamps
 * mean the folder's files are, as far as stat(2) can tell, the ones read
 * before: an edit, a new or removed file, a rename, a chmod, or a nested
 * skill appearing each change it. *linked (when not NULL) says whether a
 * symlink was met: then the skill's files may be another folder's too. 0,
 * or -1 with hex "" when the folder cannot be read at all.
 */
int scan_skill_stamp(const char *root, const char *skill_dir, char hex[SHA256_HEX_LEN + 1],
		     bool *linked);
void file_list_init(struct file_list *l);
/* Frees every path and content; l is left empty and may be reused. */
void file_list_fini(struct file_list *l);
/* Looks a file up by its relative path (binary search); NULL when absent. */
const struct skill_file *file_list_find(const struct file_list *l, const char *path);

/* "skill", "reference", "checklist", "eval", "example", "script", "asset", "other". */
const char *file_kind_name(enum file_kind k);
/* Kind from a path relative to the skill folder: SKILL.md / skill.md at the
 * top is the skill, any review-checklist.md a checklist, then by top folder
 * (references/, evals/, examples/, scripts/, assets/), else other. */
enum file_kind file_kind_of(const char *rel_path);
/* MIME type from the file name's extension (case-insensitive), refined by
 * whether the bytes are text: a textual type on bytes that are not text, or
 * an unknown extension on them, gives "application/octet-stream"; an
 * unknown extension on text gives "text/plain; charset=utf-8". Static. */
const char *file_mime_of(const char *rel_path, bool text);

/* SHA-256 over the sorted `path\0hexdigest\n` lines of the list; a file
 * without a digest (over the limit) gives `path\0size:<bytes>\n`, so the
 * digest still changes with its size. */
void file_list_digest(const struct file_list *l, char hex[SHA256_HEX_LEN + 1]);

/* Folders never searched: version control and package caches (.git,
 * node_modules). */
bool scan_skipped_name(const char *name);

/*
 * For tests only: production leaves every member zero. before_open, when
 * set, is called with the real path of each target the scan approved (a
 * symlink's target, the skill folder of scan_skill_files) right before it
 * is opened, so a test can swap it; no_openat2 makes those opens take the
 * way used on kernels without openat2(2); one_thread makes scan_root walk
 * with one thread, as it does when a symlink is met; shared counts the
 * scan_root calls whose walk several threads made. Set them only while no
 * scan runs.
 */
struct scan_test_hooks {
	void (*before_open)(const char *real);
	bool no_openat2;
	bool one_thread;
	atomic_size_t shared;
};
extern struct scan_test_hooks scan_test_hooks;

#endif
