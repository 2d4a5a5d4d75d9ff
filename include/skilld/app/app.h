/* SPDX-License-Identifier: MIT */
/*
 * app: the one struct that carries the daemon's state (configuration,
 * logger, database path, index generation, HTTP server) to the code that
 * needs it, and the startup sequence: open the database, migrate, index.
 * After app_init the struct is read only, except for the per-thread reader
 * connections that app_reader opens lazily (one per thread, thread local
 * through a pthread key).
 */
#ifndef SKILLD_APP_H
#define SKILLD_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "skilld/base/config.h"
#include "skilld/store/db.h"
#include "skilld/indexing/index.h"
#include "skilld/base/log.h"

struct http_server;
struct discovery_cache;
struct reloader;
struct session_store;
struct watcher;

/* What /healthz and /api/v1/diagnostics say about indexing. */
struct app_status {
	struct index_stats stats;    /* of the index being served */
	double index_seconds;        /* how long it took */
	time_t indexed_at;           /* when it was committed (wall clock) */
	unsigned long reloads;       /* successful re-indexings after startup */
	unsigned long failures;      /* failed ones */
	time_t failed_at;            /* when the last re-indexing failed; 0 when it did not */
	char error[512];             /* why it failed */
};

struct app {
	const struct config *cfg;
	struct logger log;
	pthread_key_t reader_key;
	bool reader_key_made;        /* reader_key was created */
	atomic_llong generation;     /* the generation served now (set after each commit) */
	atomic_bool checkpoint_due;  /* an index wrote to the WAL since the last app_checkpoint */
	atomic_ulong checkpoints;    /* app_checkpoint runs that copied the whole WAL */
	sqlite3 *keeper;             /* the migrations' connection, kept open (app_init) */
	pthread_mutex_t status_lock; /* guards status */
	struct app_status status;
	struct reloader *reloader;   /* set by reload_start */
	struct watcher *watcher;     /* set by watch_start */
	struct http_server *http;    /* set by http_start */
	unsigned port;               /* the bound port, set by http_start */
	char *token;                 /* from --token-file, or NULL: no token needed */
	struct session_store *sessions; /* browser sign-ins, with a token only */
	char **root_labels;          /* per root: its name in answers (never its path) */
	struct discovery_cache *discovery; /* the well-known index, built on first use */
	unsigned char mcp_secret[32]; /* random per process: keys MCP session ids (mcp.c) */
};

/* Opens the database, applies migrations (those built into the binary, or
 * cfg->migrations_dir's) and builds the index. 0, or -1
 * with a one-line message in err (the caller exits non-zero). Logs to log_out. */
int app_init(struct app *app, const struct config *cfg, FILE *log_out, char *err, size_t errlen);
void app_fini(struct app *app);

/* Rebuilds the index from every root on a writer connection of its own,
 * in one transaction, while readers go on with their snapshots; the
 * previous index stays when it fails. why is logged. One call at a time
 * (the reloader's thread after startup). 0, or -1 with a message in err;
 * either way status is updated. */
int app_reindex(struct app *app, const char *why, char *err, size_t errlen);

/* Copies the WAL that the last index wrote into the database file (and
 * logs how long that took), when one is due; app_reindex leaves it out of
 * its commit so that a new index is served sooner. 1 when requests still
 * on the previous index kept part of it from being copied (it stays due:
 * call again a little later), else 0 (errors are logged). The reloader's
 * thread calls it when idle, app_fini at the end. */
int app_checkpoint(struct app *app);

/* The generation served now: what prepared answers are checked against. */
int64_t app_generation(struct app *app);

/* A copy of the status, taken under its lock. */
void app_get_status(struct app *app, struct app_status *out);

/* Does an Authorization header value carry the token? Always true when no
 * token is set; compared in constant time. */
bool app_token_ok(const struct app *app, const char *authorization);

/* The calling thread's read-only connection, opened on first use; NULL when
 * it cannot be opened (logged). */
struct db_reader *app_reader(struct app *app);

#endif
