/* SPDX-License-Identifier: MIT */
/*
 * app: startup (database, migrations, index) and re-indexing. app_init runs
 * on the main thread before any worker exists; the workers read through
 * app->store, which owns their thread-local connections.
 */
#include "skilld/app/app.h"
#include "skilld/store/session.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "skilld/handlers/discovery.h"
#include "skilld/handlers/mcp.h"
#include "skilld/store/reviewdb.h"
#include "skilld/base/hub.h"
#include "skilld/indexing/render.h"
#include "skilld/indexing/watch.h"
#include "skilld/base/util.h"

static int check_roots(const struct config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->n_skills; i++) {
		struct stat st;

		if (stat(cfg->skills[i], &st) != 0) {
			snprintf(err, errlen, "skills folder '%s': %s", cfg->skills[i], strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "skills folder '%s' is not a directory", cfg->skills[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Names each root for answers and diagnostics, which must not show the
 * server's folders: its --skills LABEL, else its folder's own name ("."
 * resolved), made unique with -2, -3... in root order. OUT: *out is an
 * array of cfg->n_skills strings (free each and the array).
 */
static void name_roots(const struct config *cfg, char ***out)
{
	char **labels = xcalloc(cfg->n_skills ? cfg->n_skills : 1, sizeof(*labels));

	for (size_t i = 0; i < cfg->n_skills; i++) {
		char *real = realpath(cfg->skills[i], NULL);
		const char *p = real ? real : cfg->skills[i], *base;
		char *name;

		if (cfg->skill_labels && cfg->skill_labels[i]) {
			name = xstrdup(cfg->skill_labels[i]);
		} else {
			size_t n = strlen(p);

			while (n > 1 && p[n - 1] == '/')
				n--;
			base = p + n;
			while (base > p && base[-1] != '/')
				base--;
			name = xstrndup(base, (size_t)(p + n - base));
			if (!name[0] || strcmp(name, "/") == 0) {
				free(name);
				name = xstrdup("root");
			}
		}
		free(real);
		for (unsigned k = 2;; k++) {
			bool taken = false;

			for (size_t j = 0; j < i && !taken; j++)
				taken = strcmp(labels[j], name) == 0;
			if (!taken)
				break;
			if (k > 2)
				name[strlen(name) - strlen(strrchr(name, '-'))] = '\0';
			{
				char *next = xasprintf("%s-%u", name, k);

				free(name);
				name = next;
			}
		}
		labels[i] = name;
	}
	*out = labels;
}

/* Reads a token for option opt: the file's first line without surrounding
 * blanks; it must be 16 to 512 printable ASCII characters, and with
 * url_safe only unreserved URL characters (A-Z a-z 0-9 . _ ~ -), so that
 * it stands in a path as it is. */
static int load_token(const char *opt, const char *path, bool url_safe, char **out, char *err,
		      size_t errlen)
{
	char *data = NULL;
	size_t len, start = 0, end;

	if (read_file_all(path, 4096, &data, &len) != 0) {
		snprintf(err, errlen, "%s '%s': %s", opt, path,
			 errno == EFBIG ? "larger than 4 KiB" : strerror(errno));
		return -1;
	}
	end = strcspn(data, "\r\n");
	while (start < end && (data[start] == ' ' || data[start] == '\t'))
		start++;
	while (end > start && (data[end - 1] == ' ' || data[end - 1] == '\t'))
		end--;
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c < 0x21 || c > 0x7e || (url_safe && !isalnum(c) && !strchr("._~-", c))) {
			snprintf(err, errlen, "%s '%s': the token may only hold %s", opt, path,
				 url_safe ? "A-Z a-z 0-9 . _ ~ -" :
				 "printable ASCII characters without spaces");
			free(data);
			return -1;
		}
	}
	if (end - start < 16 || end - start > 512) {
		snprintf(err, errlen, "%s '%s': the token on its first line must be 16 "
			 "to 512 characters long (it is %zu)", opt, path, end - start);
		free(data);
		return -1;
	}
	*out = xstrndup(data + start, end - start);
	free(data);
	return 0;
}

/* The tokens of --token-file and --install-token-file: the second only
 * beside the first (a server without a token needs none to install from)
 * and different from it. */
static int load_tokens(struct app *app, const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->token_file &&
	    load_token("--token-file", cfg->token_file, false, &app->token, err, errlen) != 0)
		return -1;
	if (!cfg->install_token_file)
		return 0;
	if (!app->token) {
		snprintf(err, errlen, "--install-token-file needs --token-file: without a token "
			 "anyone may install already");
		return -1;
	}
	if (load_token("--install-token-file", cfg->install_token_file, true, &app->install_token,
		       err, errlen) != 0)
		return -1;
	if (strcmp(app->install_token, app->token) == 0) {
		snprintf(err, errlen, "--install-token-file: the install token must differ from "
			 "--token-file's (it is shown on pages and kept in installers' files)");
		return -1;
	}
	return 0;
}

/* Index workers: one per CPU, no more than --threads. */
static unsigned index_workers(unsigned threads)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus > 0 && (unsigned long)cpus < threads)
		return (unsigned)cpus;
	return threads;
}

/*
 * What an index is built by and from: this program (a SHA-256 of its
 * executable: another build may read or render differently), each root
 * (its label and real path, in order) and the file size limit. free().
 */
static char *index_identity(const struct config *cfg, char *const *labels)
{
	struct buf b;
	char exe[SHA256_HEX_LEN + 1] = "unknown";
	char *data = NULL;
	size_t len;

	if (read_file_all("/proc/self/exe", (size_t)1 << 30, &data, &len) == 0)
		sha256_hex(data, len, exe);
	free(data);
	buf_init(&b);
	buf_printf(&b, "skilld %s (%s); max file size %zu; roots", SKILLD_VERSION, exe,
		   cfg->max_file_size);
	for (size_t i = 0; i < cfg->n_skills; i++) {
		char *real = realpath(cfg->skills[i], NULL);

		buf_printf(&b, " %s=%s", labels[i], real ? real : cfg->skills[i]);
		free(real);
	}
	return buf_detach(&b, NULL);
}

int app_reindex(struct app *app, const char *why, bool full, char *err, size_t errlen)
{
	return app_reindex_files(app, why, full, NULL, 0, err, errlen);
}

int app_reindex_files(struct app *app, const char *why, bool full, char *const *files,
		      size_t n_files, char *err, size_t errlen)
{
	const struct config *cfg = app->cfg;
	struct index_options opt = { cfg->skills, app->root_labels, cfg->n_skills,
				     cfg->max_file_size, index_workers(cfg->threads), !full,
				     app->index_identity, files, n_files };
	struct index_stats stats = { 0 };
	struct timespec t0, t1;
	sqlite3 *db = NULL;
	double secs;
	int rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (check_roots(cfg, err, errlen) == 0 &&
	    db_open_writer(cfg->db_path, &db, err, errlen) == 0) {
		/* The commit ends with the pages in the WAL; app_checkpoint
		 * copies them into the database afterwards, while the new
		 * generation is already served. */
		db_defer_checkpoint(db);
		if (index_build(db, &opt, &stats, err, errlen) == 0)
			rc = 0;
		else
			stats.wrote = false;
	}
	db_close(db);
	/* Set once the writer is gone (a checkpoint would find it busy); a
	 * failed run left nothing committed to copy. */
	if (rc == 0 && stats.wrote)
		atomic_store(&app->checkpoint_due, true);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	if (rc == 0) {
		store_set_generation(app->store, stats.generation);
		status_indexed(&app->status, &stats, secs, strcmp(why, "startup") != 0);
	} else {
		status_failed(&app->status, err);
	}

	if (rc == 0)
		log_msg(&app->log, LOG_INFO,
			"indexed %zu skills (%zu SKILL.md found, %zu shadowed), %zu checklist items, "
			"%zu errors, %zu warnings in %.3fs (generation %lld%s, %s): %s; %zu read, "
			"%zu unchanged, %zu removed%s",
			stats.skills, stats.skill_mds, stats.shadowed, stats.checklist_items,
			stats.errors, stats.warnings, secs, (long long)stats.generation,
			stats.changed ? "" : ", nothing changed", why,
			stats.full ? "every skill read" : stats.scoped ?
			"only the skills holding the files changed looked at" :
			"every folder looked at, only changed skills read",
			stats.read + stats.touched, stats.kept, stats.removed,
			stats.touched ? " (some read had not changed)" : "");
	if (rc == 0)
		log_msg(&app->log, LOG_INFO,
			"index stages: %.1f MB of files (%.1f MB/s); %u workers: analyze %.3fs, "
			"render %.3fs, json %.3fs; indexing thread: clear %.3fs, scan %.3fs, "
			"dictionary %.3fs, wait %.3fs, store %.3fs, search %.3fs, commit %.3fs",
			(double)stats.bytes / 1e6, secs > 0 ? (double)stats.bytes / 1e6 / secs : 0.0,
			opt.threads, stats.t.analyze, stats.t.render, stats.t.json, stats.t.clear,
			stats.t.scan, stats.t.dict, stats.t.wait, stats.t.store, stats.t.search,
			stats.t.commit);
	else
		log_msg(&app->log, LOG_ERROR, "re-indexing (%s) failed, the previous index is kept: %s",
			why, err);
	return rc;
}

int app_checkpoint(struct app *app)
{
	struct timespec t0, t1;
	char err[512];
	bool all;
	int pages;

	if (!atomic_exchange(&app->checkpoint_due, false))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (db_checkpoint(app->cfg->db_path, &pages, &all, err, sizeof(err)) != 0) {
		log_msg(&app->log, LOG_WARN, "%s (the next index tries again)", err);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!all) {
		/* Requests that started before the index was committed still
		 * read the frames it replaced: the rest later. */
		atomic_store(&app->checkpoint_due, true);
		return 1;
	}
	atomic_fetch_add(&app->checkpoints, 1);
	log_msg(&app->log, LOG_INFO, "checkpoint: the WAL's %d pages are in %s (%.3fs)",
		pages, app->cfg->db_path,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

/* The watcher's callback: a change below a root, for the reloader once
 * it runs. */
static void on_change(void *ctx, const char *path, bool exact)
{
	struct app *app = ctx;
	struct reloader *r = atomic_load(&app->watch_to);

	if (!r)
		atomic_store(&app->changed_early, true);
	else if (exact)
		reload_request_file(r, path);
	else
		reload_request(r, "files changed");
}

/* The review store's callback: another replica changed review id (NULL:
 * changes may have been missed), so the streams open on it here look. */
static void on_review_changed(void *ctx, const char *id)
{
	struct app *app = ctx;

	if (id)
		hub_notify(app->hub, id);
	else
		hub_wake_all(app->hub);
}

static int init(struct app *app, const struct config *cfg, FILE *log_out, bool watch, char *err,
		size_t errlen);

int app_init(struct app *app, const struct config *cfg, FILE *log_out, char *err, size_t errlen)
{
	return init(app, cfg, log_out, false, err, errlen);
}

int app_init_serving(struct app *app, const struct config *cfg, FILE *log_out, char *err,
		     size_t errlen)
{
	return init(app, cfg, log_out, !cfg->no_watch, err, errlen);
}

static int init(struct app *app, const struct config *cfg, FILE *log_out, bool watch, char *err,
		size_t errlen)
{
	struct migration_set migrations = { 0 };
	sqlite3 *db = NULL;
	char *shown;
	int rc = -1;

	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	status_init(&app->status);
	log_init(&app->log, log_out, cfg->log_format, LOG_INFO);
	app->store = store_new(cfg->db_path, &app->log);
	if (!app->store) {
		snprintf(err, errlen, "cannot create a thread key");
		return -1;
	}
	app->discovery = discovery_cache_new();
	app->hub = hub_new();
	app->mcp = mcp_state_new();
	if (!app->mcp) {
		snprintf(err, errlen, "cannot read random bytes for the MCP session key: %s",
			 strerror(errno));
		goto out;
	}
	render_init();
	if (check_roots(cfg, err, errlen) != 0)
		goto out;
	name_roots(cfg, &app->root_labels);
	app->index_identity = index_identity(cfg, app->root_labels);
	if (load_tokens(app, cfg, err, errlen) != 0)
		goto out;
	if (cfg->migrations_dir ? migration_set_load(cfg->migrations_dir, &migrations, err, errlen)
				: migration_set_builtin(&migrations, err, errlen))
		goto out;
	if (db_open_writer(cfg->db_path, &db, err, errlen) != 0)
		goto out;
	if (db_migrate(db, &migrations, err, errlen) != 0)
		goto out;
	/* Kept open, idle: with it the WAL's shared index outlives each
	 * index writer, which closes without a checkpoint; were the writer
	 * the last connection, the next one to open would rebuild that index
	 * by reading the whole WAL. */
	app->keeper = db;
	db = NULL;
	app->reviews = reviewdb_open(cfg->reviews_db, err, errlen);
	if (!app->reviews)
		goto out;
	if (reviewdb_watch(app->reviews, on_review_changed, app, err, errlen) != 0)
		goto out;
	shown = str_mask_password(cfg->reviews_db);
	log_msg(&app->log, LOG_INFO, "reviews are kept in %s (%s)", shown,
		reviewdb_backend(app->reviews));
	if (!reviewdb_up(app->reviews))
		log_msg(&app->log, LOG_WARN, "reviews: %s cannot be reached now: skills are "
			"served, review calls answer 503 until it can", shown);
	free(shown);
	/* replicas sharing a store share the sign-ins too */
	if (app->token)
		app->sessions = reviewdb_keeps_sessions(app->reviews)
					? session_store_new_shared(cfg->session_ttl, app->reviews)
					: session_store_new(cfg->session_ttl);
	if (watch && watch_start(cfg->skills, cfg->n_skills, &app->log, on_change, app, &app->watcher,
				 err, errlen) != 0)
		log_msg(&app->log, LOG_WARN, "%s: changes to the skills are not noticed; SIGHUP "
			"re-indexes", err);
	if (app_reindex(app, "startup", false, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	db_close(db);
	migration_set_fini(&migrations);
	return rc;
}

void app_fini(struct app *app)
{
	/* (main stops it earlier, before the requests drain) */
	watch_stop(app->watcher);
	app->watcher = NULL;
	store_free(app->store);
	app->store = NULL;
	/* Stopped before the reloader got to it: the database file is left
	 * whole rather than with its index in the WAL. */
	if (app->cfg)
		app_checkpoint(app);
	db_close(app->keeper);
	app->keeper = NULL;
	free(app->token);
	app->token = NULL;
	free(app->install_token);
	app->install_token = NULL;
	session_store_free(app->sessions);
	app->sessions = NULL;
	for (size_t i = 0; app->root_labels && app->cfg && i < app->cfg->n_skills; i++)
		free(app->root_labels[i]);
	free(app->root_labels);
	app->root_labels = NULL;
	free(app->index_identity);
	app->index_identity = NULL;
	discovery_cache_free(app->discovery);
	app->discovery = NULL;
	mcp_state_free(app->mcp);
	app->mcp = NULL;
	reviewdb_close(app->reviews);
	app->reviews = NULL;
	hub_free(app->hub);
	app->hub = NULL;
	log_fini(&app->log);
	status_fini(&app->status);
}

static int ops_reindex(void *ctx, const char *why, bool full, char *const *hints, size_t n_hints,
		       int64_t *generation, char *err, size_t errlen)
{
	struct app *app = ctx;

	if (app_reindex_files(app, why, full, hints, n_hints, err, errlen) != 0)
		return -1;
	*generation = store_generation(app->store);
	return 0;
}

static int ops_checkpoint(void *ctx)
{
	return app_checkpoint(ctx);
}

static bool ops_checkpoint_due(void *ctx)
{
	struct app *app = ctx;

	return atomic_load(&app->checkpoint_due);
}

int app_reload_start(struct app *app, char *err, size_t errlen)
{
	const struct reload_ops ops = { app, ops_reindex, ops_checkpoint, ops_checkpoint_due };

	app->reloader = reload_start(&ops, err, errlen);
	if (app->reloader) {
		atomic_store(&app->watch_to, app->reloader);
		/* What changed since the watcher started: the startup index
		 * may have scanned those folders before. */
		if (atomic_exchange(&app->changed_early, false))
			reload_request(app->reloader, "files changed during startup");
	}
	return app->reloader ? 0 : -1;
}

void app_reload_stop(struct app *app)
{
	/* The watcher is stopped first (main), or its changes now only
	 * set changed_early. */
	atomic_store(&app->watch_to, NULL);
	reload_stop(app->reloader);
	app->reloader = NULL;
}
