/* SPDX-License-Identifier: MIT */
/*
 * reload: re-indexing while serving. One background thread rebuilds the
 * index (app_reindex) when asked: by SIGHUP, by the file watcher, by
 * POST /api/v1/admin/reload. Requests are debounced: the thread waits until
 * none came for RELOAD_DEBOUNCE_MS (but at most RELOAD_MAX_DELAY_MS after
 * the first), so a burst of file changes costs one re-indexing. Requests
 * that arrive while it runs cause one more run afterwards. Readers never
 * wait: each HTTP request reads one snapshot (db_reader_begin), the old
 * index or the new one. reload_request and reload_now are thread safe.
 */
#ifndef SKILLD_RELOAD_H
#define SKILLD_RELOAD_H

#include <stddef.h>
#include <stdint.h>

#define RELOAD_DEBOUNCE_MS 200
#define RELOAD_MAX_DELAY_MS 2000

struct app;

/* Starts the thread (app->reloader). 0, or -1 with a message in err. */
int reload_start(struct app *app, char *err, size_t errlen);
/* Asks for a re-indexing after the debounce time; why is logged. */
void reload_request(struct app *app, const char *why);
/* Asks for a re-indexing now (no debounce) and waits, at most timeout_ms,
 * until one that started after this call has finished. 0 with the new
 * generation in *generation; -1 with the reason in err (the re-indexing
 * failed, or timed out, or there is no reloader). When another caller is
 * already waiting, the request joins the run that caller waits for (or
 * the one after it) without waiting: 1, and *generation is untouched, so
 * concurrent callers hold one thread between them, not one each. */
int reload_now(struct app *app, const char *why, int timeout_ms, int64_t *generation,
	       char *err, size_t errlen);
/* Stops the thread after a run in progress; safe when never started. */
/* How many reload_now callers wait now (0 or 1: the others join them). */
unsigned reload_waiting(struct app *app);
void reload_stop(struct app *app);

#endif
