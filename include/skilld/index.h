/* SPDX-License-Identifier: MIT */
/*
 * index: scans every root, analyses every skill and writes the whole index
 * (skills, files, checklists, diagnostics, prebuilt JSON) into SQLite in one
 * transaction, replacing the previous one. Runs on one thread with the
 * writer connection.
 */
#ifndef SKILLD_INDEX_H
#define SKILLD_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct index_options {
	char *const *roots;     /* in order; an earlier root shadows a later one */
	size_t n_roots;
	size_t max_file_size;
};

struct index_stats {
	int64_t generation;
	size_t skill_mds;       /* SKILL.md files found */
	size_t skills;          /* skills served */
	size_t shadowed;        /* skills hidden by an earlier root */
	size_t diagnostics;
	size_t errors;
	size_t warnings;
	size_t checklist_items;
};

/* Rebuilds the index. 0, or -1 with a message in err (a database failure;
 * bad content never fails the index, it becomes diagnostics). On failure the
 * previous index is left untouched. */
int index_build(sqlite3 *db, const struct index_options *opt, struct index_stats *st,
		char *err, size_t errlen);

#endif
