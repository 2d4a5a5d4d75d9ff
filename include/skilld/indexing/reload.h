/* SPDX-License-Identifier: MIT */
/*
 * reload: re-indexing while serving. One background thread rebuilds the
 * index (its owner's reindex operation) when asked: by SIGHUP, by the file watcher, by
 * POST /api/v1/admin/reload. A request may name the file that changed
 * (reload_request_file): a run that only such requests asked for gets
 * their paths, so that it can look at those skills alone. Requests are debounced: the thread waits until
 * none came for RELOAD_DEBOUNCE_MS (but at most RELOAD_MAX_DELAY_MS after
 * the first), so a burst of file changes costs one re-indexing. Requests
 * that arrive while it runs cause one more run afterwards. Readers never
 * wait: each HTTP request reads one snapshot (store_reader_begin), the old
 * index or the new one. reload_request and reload_now are thread safe.
 */
#ifndef SKILLD_RELOAD_H
#define SKILLD_RELOAD_H

#include <stddef.h>
#include <stdint.h>

#define RELOAD_DEBOUNCE_MS 100
#define RELOAD_MAX_DELAY_MS 2000
/* Files a run is told of at most; with more it looks at everything. */
#define RELOAD_MAX_HINTS 1024

#include <stdbool.h>

struct reloader;

/* What the thread runs; its owner (the app) supplies them. */
struct reload_ops {
	void *ctx;
	/* Brings the index up to date (full: rebuilds it whole); hints: the
	 * files that changed, when every request of the run named one, else
	 * NULL. 0 with the generation now served in *generation, or -1 with
	 * the reason in err. */
	int (*reindex)(void *ctx, const char *why, bool full, char *const *hints, size_t n_hints,
		       int64_t *generation, char *err, size_t errlen);
	/* Copies the WAL the last index left into the database file when one
	 * is due: 1 when readers kept part of it (try again a little later),
	 * else 0. */
	int (*checkpoint)(void *ctx);
	/* Is such a copy due? */
	bool (*checkpoint_due)(void *ctx);
};

/* Starts the thread; NULL with a message in err. ops is copied. */
struct reloader *reload_start(const struct reload_ops *ops, char *err, size_t errlen);
/* Asks for a re-indexing after the debounce time; why is logged. A NULL
 * reloader (not started) ignores it. */
void reload_request(struct reloader *r, const char *why);
/* Asks as reload_request does, for a change at path (a file or a folder,
 * as the watcher names it). */
void reload_request_file(struct reloader *r, const char *path);
/* Makes the next run (the one a request after this call starts) rebuild
 * the index whole instead of reading only what changed. */
void reload_want_full(struct reloader *r);
/* Asks for a re-indexing now (no debounce) and waits, at most timeout_ms,
 * until one that started after this call has finished. 0 with the new
 * generation in *generation; -1 with the reason in err (the re-indexing
 * failed, or timed out, or there is no reloader). When another caller is
 * already waiting, the request joins the run that caller waits for (or
 * the one after it) without waiting: 1, and *generation is untouched, so
 * concurrent callers hold one thread between them, not one each. */
int reload_now(struct reloader *r, const char *why, int timeout_ms, int64_t *generation,
	       char *err, size_t errlen);
/* How many reload_now callers wait now (0 or 1: the others join them). */
unsigned reload_waiting(struct reloader *r);
/* Stops the thread after a run in progress and frees r; NULL is fine. */
void reload_stop(struct reloader *r);

#endif
