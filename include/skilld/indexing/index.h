/* SPDX-License-Identifier: MIT */
/*
 * index: scans every root and brings the index (skills, files, checklists,
 * diagnostics, prebuilt JSON, search rows) up to date in SQLite in one
 * transaction. A full run reads every skill and replaces the whole index;
 * an incremental one reads only the skills whose files changed by their
 * stamp (path, inode, size, times of each file), replaces their rows, and
 * deletes those of skills gone. Either way the index is the same, row for
 * row (row ids aside), and does not depend on the number of workers. The
 * writer connection is used by the calling thread only; workers
 * (index_options.threads) prepare the skills ahead of it.
 */
#ifndef SKILLD_INDEX_H
#define SKILLD_INDEX_H

#include <stdbool.h>
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
	bool incremental;       /* update the index in place when it was built with
				 * the same identity; false: rebuild it whole */
	const char *identity;   /* what the index is built by and from (the
				 * program, the roots, the limits): an index whose
				 * identity differs is rebuilt whole; NULL: "" */
	char *const *hints;     /* incremental: the paths that changed since the
				 * last run, each a root as given above then
				 * '/'-separated names (as the file watcher saw
				 * them); NULL: anything may have changed */
	size_t n_hints;
};

/* Where the time of one rebuild went, in seconds. analyze, render and json
 * run on the workers: they are summed over all of them, and overlap with
 * the rest, which is wall time of the indexing thread. */
struct index_timing {
	double clear;           /* deleting the previous index's rows (full), or
				 * reading what it served (incremental) */
	double scan;            /* finding the skill folders */
	double dict;            /* training the packing dictionary (full) */
	double analyze;         /* reading and hashing files, parsing, validating */
	double render;          /* markdown to HTML */
	double json;            /* printing the stored JSON answers, packing */
	double wait;            /* the indexing thread waiting for the workers */
	double store;           /* the rows of skills, files, checklists, diagnostics */
	double search;          /* the full-text rows */
	double commit;          /* the COMMIT of the transaction */
};

struct index_stats {
	int64_t generation;     /* served after the run: the same as before
				 * when nothing a reader sees changed */
	bool full;              /* every skill was read (else: incremental) */
	bool scoped;            /* only the skills holding the hints were looked
				 * at (no folder was scanned) */
	bool changed;           /* a reader sees a difference */
	bool wrote;             /* the run committed something (else: rolled back) */
	size_t kept;            /* skills whose stamp matched: nothing read */
	size_t read;            /* skills read and written anew */
	size_t touched;         /* skills read whose rows turned out current */
	size_t removed;         /* served skills not found again, their rows deleted */
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

/* Brings the index up to date: incrementally when opt->incremental and the
 * database holds an index of the same identity (and schema), else whole.
 * With hints, an incremental run that can tell from them alone what
 * changed (files, not folders, symlinks or SKILL.md files, inside served
 * skills, whose names stay) re-reads those skills only and scans no
 * folder; any other hint makes it look at every folder.
 * A run that finds nothing a reader would see changed keeps the generation
 * (and commits only the stamps of files touched but not changed). 0, or -1
 * with a message in err (a database failure; bad content never fails the
 * index, it becomes diagnostics). On failure the previous index is left
 * untouched. */
int index_build(sqlite3 *db, const struct index_options *opt, struct index_stats *st,
		char *err, size_t errlen);

#endif
