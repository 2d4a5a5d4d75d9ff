/* SPDX-License-Identifier: MIT */
/*
 * reload: the re-indexing thread and its debounce (see reload.h); when idle
 * it also checkpoints the WAL an index left (ops.checkpoint). All state
 * is under one mutex; the condition variable wakes the thread on a request
 * or stop, and wakes reload_now callers when a run ends.
 */
#include "skilld/indexing/reload.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skilld/base/util.h"

struct reloader {
	struct reload_ops ops;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;       /* the thread: a request or stop */
	pthread_cond_t done;       /* reload_now callers: a run ended */
	bool stop;
	bool immediate;            /* a reload_now is waiting: skip the debounce */
	bool full;                 /* the next run rebuilds the index whole */
	char **hints;              /* files named by the pending requests */
	size_t n_hints;
	bool unhinted;             /* a pending request named no file */
	unsigned long requested;   /* requests so far */
	unsigned long finished;    /* requests covered by the runs that ended */
	struct timespec first;     /* first request not yet covered (monotonic) */
	struct timespec last;      /* latest request */
	char why[64];              /* of the latest request */
	unsigned waiters;          /* reload_now callers waiting now */
	int last_rc;               /* of the latest run */
	int64_t last_generation;
	char last_err[512];
	struct timespec checkpoint_at; /* no checkpoint before (monotonic) */
};

#define CHECKPOINT_RETRY_MS 1000

static void add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* When the pending requests are due: RELOAD_DEBOUNCE_MS after the latest,
 * RELOAD_MAX_DELAY_MS after the first at the latest. */
static struct timespec due(const struct reloader *r)
{
	struct timespec quiet = r->last, cap = r->first;

	add_ms(&quiet, RELOAD_DEBOUNCE_MS);
	add_ms(&cap, RELOAD_MAX_DELAY_MS);
	return before(&quiet, &cap) ? quiet : cap;
}

static void hints_free(char **hints, size_t n)
{
	for (size_t i = 0; hints && i < n; i++)
		free(hints[i]);
	free(hints);
}

static void *reload_main(void *arg)
{
	struct reloader *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		struct timespec now, when;
		unsigned long covered;
		char why[64], err[512] = "";
		int64_t generation = 0;
		char **hints;
		size_t n_hints;
		bool full;
		int rc;

		if (r->requested == r->finished) {
			/* Idle: the last index's WAL goes into the database
			 * file, while that index is already served; again a
			 * little later while older requests hold part of it. */
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (r->ops.checkpoint_due(r->ops.ctx) && !before(&now, &r->checkpoint_at)) {
				pthread_mutex_unlock(&r->lock);
				rc = r->ops.checkpoint(r->ops.ctx);
				pthread_mutex_lock(&r->lock);
				clock_gettime(CLOCK_MONOTONIC, &r->checkpoint_at);
				if (rc > 0)
					add_ms(&r->checkpoint_at, CHECKPOINT_RETRY_MS);
				continue;
			}
			if (r->ops.checkpoint_due(r->ops.ctx))
				pthread_cond_timedwait(&r->wake, &r->lock, &r->checkpoint_at);
			else
				pthread_cond_wait(&r->wake, &r->lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		when = due(r);
		if (!r->immediate && before(&now, &when)) {
			pthread_cond_timedwait(&r->wake, &r->lock, &when);
			continue;
		}
		covered = r->requested;
		r->immediate = false;
		full = r->full;
		r->full = false;
		hints = r->unhinted ? NULL : r->hints;
		n_hints = r->n_hints;
		if (r->unhinted)
			hints_free(r->hints, r->n_hints);
		r->hints = NULL;
		r->n_hints = 0;
		r->unhinted = false;
		snprintf(why, sizeof(why), "%s", r->why);
		pthread_mutex_unlock(&r->lock);

		/* Requests that came while the last index ran leave no idle
		 * moment: its WAL is copied first (this never waits), or the
		 * next index could not write the WAL over from its start and
		 * would grow it by a whole index. */
		r->ops.checkpoint(r->ops.ctx);
		rc = r->ops.reindex(r->ops.ctx, why, full, hints, hints ? n_hints : 0, &generation, err,
				    sizeof(err));
		hints_free(hints, n_hints);

		pthread_mutex_lock(&r->lock);
		r->finished = covered;
		r->last_rc = rc;
		snprintf(r->last_err, sizeof(r->last_err), "%s", err);
		if (rc == 0)
			r->last_generation = generation;
		if (r->requested != r->finished) /* asked again while running */
			clock_gettime(CLOCK_MONOTONIC, &r->first);
		pthread_cond_broadcast(&r->done);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct reloader *reload_start(const struct reload_ops *ops, char *err, size_t errlen)
{
	struct reloader *r = xcalloc(1, sizeof(*r));
	pthread_condattr_t ca;
	int rc;

	r->ops = *ops;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&r->done, NULL);
	rc = pthread_create(&r->thread, NULL, reload_main, r);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the reload thread: %s", strerror(rc));
		pthread_cond_destroy(&r->wake);
		pthread_cond_destroy(&r->done);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	return r;
}

/* Records one request under the lock. */
static unsigned long enqueue(struct reloader *r, const char *why)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (r->requested == r->finished)
		r->first = now;
	r->last = now;
	snprintf(r->why, sizeof(r->why), "%s", why);
	pthread_cond_signal(&r->wake);
	return ++r->requested;
}

void reload_request(struct reloader *r, const char *why)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->unhinted = true;
	enqueue(r, why);
	pthread_mutex_unlock(&r->lock);
}

void reload_request_file(struct reloader *r, const char *path)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	if (r->n_hints < RELOAD_MAX_HINTS) {
		r->hints = xrealloc(r->hints, (r->n_hints + 1) * sizeof(*r->hints));
		r->hints[r->n_hints++] = xstrdup(path);
	} else {
		r->unhinted = true;
	}
	enqueue(r, "files changed");
	pthread_mutex_unlock(&r->lock);
}

void reload_want_full(struct reloader *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->full = true;
	pthread_mutex_unlock(&r->lock);
}

int reload_now(struct reloader *r, const char *why, int timeout_ms, int64_t *generation,
	       char *err, size_t errlen)
{
	struct timespec limit;
	unsigned long mine;
	int rc = 0;

	if (!r) {
		snprintf(err, errlen, "reloading is not running");
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &limit);
	add_ms(&limit, timeout_ms);
	pthread_mutex_lock(&r->lock);
	r->unhinted = true;
	mine = enqueue(r, why);
	r->immediate = true;
	if (r->waiters > 0) {
		pthread_mutex_unlock(&r->lock);
		return 1;
	}
	r->waiters++;
	/* A run that was already going when we asked does not count: it may
	 * have scanned the folders before the change we are asked about. */
	while (r->finished < mine && !r->stop && rc == 0)
		rc = pthread_cond_timedwait(&r->done, &r->lock, &limit);
	r->waiters--;
	if (r->finished < mine) {
		snprintf(err, errlen, rc == ETIMEDOUT ? "re-indexing did not finish within %d ms"
			 : "the server is stopping", timeout_ms);
		rc = -1;
	} else if (r->last_rc != 0) {
		snprintf(err, errlen, "%s", r->last_err);
		rc = -1;
	} else {
		*generation = r->last_generation;
		rc = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

unsigned reload_waiting(struct reloader *r)
{
	unsigned n;

	if (!r)
		return 0;
	pthread_mutex_lock(&r->lock);
	n = r->waiters;
	pthread_mutex_unlock(&r->lock);
	return n;
}

void reload_stop(struct reloader *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_broadcast(&r->wake);
	pthread_cond_broadcast(&r->done);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	hints_free(r->hints, r->n_hints);
	pthread_cond_destroy(&r->wake);
	pthread_cond_destroy(&r->done);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
