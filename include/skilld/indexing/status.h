/* SPDX-License-Identifier: MIT */
/*
 * status: what /healthz and /api/v1/diagnostics say about indexing. The
 * re-indexing thread records each run; request threads read a copy. One
 * mutex guards it.
 */
#ifndef SKILLD_STATUS_H
#define SKILLD_STATUS_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "skilld/indexing/index.h"

struct index_status {
	struct index_stats stats;    /* of the index being served */
	double index_seconds;        /* how long it took */
	time_t indexed_at;           /* when it was committed (wall clock) */
	unsigned long reloads;       /* successful re-indexings after startup */
	unsigned long failures;      /* failed ones */
	time_t failed_at;            /* when the last re-indexing failed; 0 when it did not */
	char error[512];             /* why it failed */
};

struct status_board {
	pthread_mutex_t lock;        /* guards st */
	struct index_status st;
};

void status_init(struct status_board *b);
void status_fini(struct status_board *b);

/* A run that committed stats in secs; a reload unless it was the first. */
void status_indexed(struct status_board *b, const struct index_stats *stats, double secs,
		    bool reload);
/* A run that failed with err; the index served stays the previous one. */
void status_failed(struct status_board *b, const char *err);

/* A copy, taken under the lock. */
void status_get(struct status_board *b, struct index_status *out);

#endif
