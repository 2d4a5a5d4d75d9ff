/* SPDX-License-Identifier: MIT */
/*
 * app: the one struct that carries the daemon's state (configuration,
 * logger, database path, index generation, HTTP server) to the code that
 * needs it, and the startup sequence: open the database, migrate, index.
 * After app_init the struct is read only; the per-thread reader
 * connections are the store's (store_reader).
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
#include "skilld/store/store.h"
#include "skilld/indexing/index.h"
#include "skilld/indexing/reload.h"
#include "skilld/indexing/status.h"
#include "skilld/base/log.h"

struct http_server;
struct discovery_cache;
struct mcp_state;
struct reviewdb;
struct hub;
struct reloader;
struct session_store;
struct watcher;

struct app {
	const struct config *cfg;
	struct logger log;
	struct store *store;         /* the request threads' reads (and the generation served) */
	struct reviewdb *reviews;    /* the review runs (reviews.db) */
	struct hub *hub;             /* who waits for which review to change (live streams) */
	atomic_bool checkpoint_due;  /* an index wrote to the WAL since the last app_checkpoint */
	atomic_ulong checkpoints;    /* app_checkpoint runs that copied the whole WAL */
	sqlite3 *keeper;             /* the migrations' connection, kept open (app_init) */
	struct status_board status;  /* what /healthz says of indexing */
	struct reloader *reloader;   /* set by reload_start */
	struct watcher *watcher;     /* set by watch_start (app_init_serving) */
	/* The reloader the watcher's changes go to, once it runs; until then
	 * a change only sets changed_early (app_reload_start asks for a run). */
	_Atomic(struct reloader *) watch_to;
	atomic_bool changed_early;
	struct http_server *http;    /* set by http_start */
	unsigned port;               /* the bound port, set by http_start */
	char *token;                 /* from --token-file, or NULL: no token needed */
	char *install_token;         /* from --install-token-file, or NULL (auth.h) */
	struct session_store *sessions; /* browser sign-ins, with a token only */
	char **root_labels;          /* per root: its name in answers (never its path) */
	char *index_identity;        /* what the index is built by and from (index.h) */
	struct discovery_cache *discovery; /* the well-known index, built on first use */
	struct mcp_state *mcp;        /* the MCP server's session key (mcp.c) */
};

/* Opens the database, applies migrations (those built into the binary, or
 * cfg->migrations_dir's) and builds the index. 0, or -1
 * with a one-line message in err (the caller exits non-zero). Logs to log_out. */
int app_init(struct app *app, const struct config *cfg, FILE *log_out, char *err, size_t errlen);
/* app_init for `serve`: unless cfg->no_watch, the skill folders are
 * watched from before the startup index, so a change made while it runs
 * (or before the reloader starts) is not missed: app_reload_start asks
 * for a run when one came. */
int app_init_serving(struct app *app, const struct config *cfg, FILE *log_out, char *err,
		     size_t errlen);
void app_fini(struct app *app);

/* Brings the index up to date with every root on a writer connection of
 * its own, in one transaction, while readers go on with their snapshots:
 * only the skills whose files changed are read again, unless full is set
 * or the index was built by another program or from other roots (then
 * every skill is). The previous index stays when it fails. why is logged.
 * One call at a time (the reloader's thread after startup). 0, or -1 with
 * a message in err; either way status is updated. */
int app_reindex(struct app *app, const char *why, bool full, char *err, size_t errlen);
/* app_reindex told which files changed (paths under the roots as given,
 * as the file watcher names them): when that is all that changed, only
 * the skills holding them are looked at (index.h). */
int app_reindex_files(struct app *app, const char *why, bool full, char *const *files,
		      size_t n_files, char *err, size_t errlen);

/* Copies the WAL that the last index wrote into the database file (and
 * logs how long that took), when one is due; app_reindex leaves it out of
 * its commit so that a new index is served sooner. 1 when requests still
 * on the previous index kept part of it from being copied (it stays due:
 * call again a little later), else 0 (errors are logged). The reloader's
 * thread calls it when idle, app_fini at the end. */
int app_checkpoint(struct app *app);



/* Starts re-indexing in the background (app->reloader: reload.h) with
 * app_reindex and app_checkpoint. 0, or -1 with a message in err. */
int app_reload_start(struct app *app, char *err, size_t errlen);
/* Stops it after a run in progress; safe when never started. */
void app_reload_stop(struct app *app);

#endif
