/* SPDX-License-Identifier: MIT */
/*
 * index: scans every root, analyses every skill and writes the whole index
 * (skills, files, checklists, diagnostics, prebuilt JSON) into SQLite in one
 * transaction, replacing the previous one. The writer connection is used
 * by the calling thread only; workers (index_options.threads) prepare the
 * skills ahead of it. The result does not depend on the number of workers.
 */
#ifndef SKILLD_INDEX_H
#define SKILLD_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct index_options {
	char *const *roots;     /* in order; an earlier root shadows a later one */
	char *const *labels;    /* per root: the name answers and diagnostics give it
				 * (never its path); NULL: the roots as given */
	size_t n_roots;
	size_t max_file_size;
	unsigned threads;       /* workers that read, analyse and render; 0: none */
};

/* Where the time of one rebuild went, in seconds. analyze, render and json
 * run on the workers: they are summed over all of them, and overlap with
 * the rest, which is wall time of the indexing thread. */
struct index_timing {
	double clear;           /* deleting the previous index's rows */
	double scan;            /* finding the skill folders */
	double analyze;         /* reading and hashing files, parsing, validating */
	double render;          /* markdown to HTML */
	double json;            /* printing the stored JSON answers */
	double wait;            /* the indexing thread waiting for the workers */
	double store;           /* the rows of skills, files, checklists, diagnostics */
	double search;          /* the full-text rows */
	double commit;          /* the COMMIT of the transaction */
};

struct index_stats {
	int64_t generation;
	size_t bytes;           /* bytes of skill files read */
	size_t skill_mds;       /* SKILL.md files found */
	size_t skills;          /* skills served */
	size_t shadowed;        /* skills hidden by an earlier root */
	size_t diagnostics;
	size_t errors;
	size_t warnings;
	size_t checklist_items;
	struct index_timing t;
};

/* Rebuilds the index. 0, or -1 with a message in err (a database failure;
 * bad content never fails the index, it becomes diagnostics). On failure the
 * previous index is left untouched. */
int index_build(sqlite3 *db, const struct index_options *opt, struct index_stats *st,
		char *err, size_t errlen);

#endif
