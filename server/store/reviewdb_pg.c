/* SPDX-License-Identifier: MIT */
/*
 * reviewdb_pg: the review store in PostgreSQL (a postgresql:// URI), which
 * replicas share. One connection and one mutex per handle, as the SQLite
 * backend; every call is one transaction. Writes run at READ COMMITTED and
 * lock the review's row first (SELECT ... FOR UPDATE), so the writes of
 * every process on one review are serial, as SQLite's BEGIN IMMEDIATE
 * makes them; reads run in one REPEATABLE READ snapshot. Every value goes
 * as a parameter (PQexecParams); the only SQL text without parameters is
 * that of the built-in migrations (migrations/reviews-pg/), applied on each
 * connect under an advisory lock and counted in skilld_reviews_schema.
 *
 * A lost connection (the server stopped, restarted, or the network cut)
 * makes the call REVIEWDB_UNAVAILABLE; the connection is dropped and the
 * next call connects again, at once the first time, then no more often
 * than a backoff that doubles from 250 ms to 5 s while connecting fails. A
 * call whose first statement (its BEGIN) finds the connection lost connects
 * again and runs once more: nothing of it had reached the server. Nothing
 * later in a call is ever retried, so no write can apply twice. A write
 * whose COMMIT went out but whose answer was lost (a server stopping
 * kills its sessions after their commit is on disk) may or may not have
 * been applied: the call asks the server, on a new connection, whether
 * its transaction (txid_current, taken at its BEGIN) committed, for up to
 * IN_DOUBT_MS, and answers 0 when it did, REVIEWDB_UNAVAILABLE when it did
 * not, and REVIEWDB_IN_DOUBT when the server could not tell in time. A call
 * waits for the handle's connection only while its holder has held it
 * less than 2 s (not stuck), a statement at most 5 s
 * for a lock and 15 s in all (lock_timeout, statement_timeout, which the
 * URI may set otherwise): past these, and on a deadlock, the call answers
 * REVIEWDB_UNAVAILABLE with nothing written, so that a review locked
 * elsewhere or a stuck server cannot hold every thread. Messages carry the
 * URI with its password masked, never the password.
 *
 * Replicas hear of each other's writes by NOTIFY: every change's
 * transaction sends "<handle token> <review id>" on the channel
 * skilld_reviews, delivered at its commit. reviewdb_watch starts a thread
 * with a connection of its own that LISTENs and passes each id written by
 * another handle to its callback; when that connection is lost it connects
 * again with the same backoff, LISTENs again and says that changes may
 * have been missed meanwhile.
 */
#include "skilld/store/reviewcore.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "skilld/store/db.h"
#include "skilld/base/util.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000
/* A call that held the handle's connection this long is stuck (on a lock
 * held elsewhere, a server that does not answer): the calls waiting for it
 * answer REVIEWDB_UNAVAILABLE instead of waiting on. */
#define STUCK_MS 2000
/* How often a waiting call looks whether the holder is stuck. */
#define LOOK_MS 100
/* How long a write whose COMMIT got no answer asks whether it committed. */
#define IN_DOUBT_MS 10000
/* A write's first statements: its transaction id is what its COMMIT is
 * asked about when the answer to that is lost. */
#define WRITE_TX "BEGIN; SELECT txid_current()"
#define READ_TX "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
/* pg_advisory_xact_lock key of the migrations: "skilldrv" in ASCII. */
#define MIGRATION_LOCK "7740314353451447926"
/* The channel of the changes' notifications. */
#define CHANNEL "skilld_reviews"
#define TOKEN_LEN 16

/* When a connection may be tried again. */
struct backoff {
	int64_t next_try;       /* CLOCK_MONOTONIC ms: no connecting before */
	unsigned ms;            /* to wait after the next failed connect */
};

struct pg;

/* One connection of a handle's pool, and the state of the call that holds
 * it. */
struct slot {
	struct pg *pg;
	PGconn *conn;           /* NULL while there is none */
	bool busy;              /* a call holds it (under pg->pool_lock) */
	int64_t held_since;     /* mono_ms() when that call took it */
	bool gone;              /* the last failure lost the connection */
	bool later;             /* it may pass if tried again (gone, or a
				 * lock or statement timeout, a deadlock) */
	char xid[24];           /* the running write's transaction id, or "" */
	char fault[512];        /* the last failure, one line */
};

struct pg {
	struct reviewdb base;   /* first: a struct reviewdb * is a struct pg * */
	struct slot pool[REVIEWDB_PG_CONNECTIONS];
	pthread_mutex_t pool_lock;  /* the slots' busy and held_since, backoff */
	pthread_cond_t freed;   /* a slot was given back */
	char *uri;              /* holds the password: never in a message */
	char *shown;            /* the URI with its password masked */
	char *secret;           /* the password libpq read from it, or NULL */
	struct backoff backoff; /* shared by the slots: a server away is away for all */
	char token[TOKEN_LEN + 1];  /* this handle's, in its notifications */
	/* reviewdb_watch's listener */
	void (*changed)(void *arg, const char *id);
	void *changed_arg;
	pthread_t listener;
	PGconn *first;          /* its first connection, made by reviewdb_watch */
	int wake_fd;            /* an eventfd that stops it; -1 while none runs */
	atomic_bool stop;
};

static const struct reviewdb_ops pg_ops;

static struct pg *pg_of(struct reviewdb *rv)
{
	return (struct pg *)(void *)rv;
}

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Milliseconds until b allows a try (0 or less: now). */
static int64_t backoff_left(const struct backoff *b)
{
	return b->next_try - mono_ms();
}

/* A try failed: the next waits, longer each time up to BACKOFF_MAX_MS. */
static void backoff_failed(struct backoff *b)
{
	b->next_try = mono_ms() + b->ms;
	b->ms = b->ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : b->ms * 2;
}

/* Keeps msg as sl's fault: one line (libpq's messages have newlines and
 * tabs), the password (should libpq ever quote it) masked. */
static void set_fault(struct slot *sl, const char *msg)
{
	size_t n = 0, len = sl->pg->secret ? strlen(sl->pg->secret) : 0;

	for (const char *s = msg ? msg : "unknown error"; *s && n + 1 < sizeof(sl->fault); s++) {
		if (*s == '\n' || *s == '\t' || *s == '\r') {
			if (n > 0 && sl->fault[n - 1] != ' ' && s[1])
				sl->fault[n++] = ' ';
		} else {
			sl->fault[n++] = *s;
		}
	}
	while (n > 0 && sl->fault[n - 1] == ' ')
		n--;
	sl->fault[n] = '\0';
	for (char *at = sl->fault; len && (at = strstr(at, sl->pg->secret)) != NULL; at += len)
		memset(at, '*', len);
}

/* Writes "reviews (<uri masked>): what: <fault>" into err. */
static void put_err(const struct slot *sl, const char *what, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "reviews (%s): %s: %s", sl->pg->shown, what, sl->fault);
}

/* Notices (of CREATE ... IF NOT EXISTS, say) are not errors: dropped. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Drops the connection: the next call makes a new one. */
static void drop(struct slot *sl)
{
	PQfinish(sl->conn);
	sl->conn = NULL;
}

/* Is the connection lost after a failed statement whose result is r? A
 * connection class SQLSTATE (08...) or a server going away (57P0x) is. */
static bool lost(struct slot *sl, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(sl->conn) != CONNECTION_OK)
		return true;
	return state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0);
}

/* Did the statement whose result is r fail for a moment only: a lock or
 * statement timeout (55P03, 57014), a deadlock or serialisation failure
 * (40P01, 40001)? Its transaction is rolled back; the same call may pass
 * later. */
static bool for_now(const PGresult *r)
{
	static const char *const states[] = { "55P03", "57014", "40P01", "40001" };
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	for (size_t i = 0; state && i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i]) == 0)
			return true;
	return false;
}

/* Runs sql with the n text parameters v (NULL: SQL NULL); sql without
 * parameters may be several statements (WRITE_TX), the last one's result
 * is kept. The result (the caller PQclears it), or NULL on failure with
 * sl->fault and sl->gone set (when gone, the connection is dropped). */
static PGresult *run(struct slot *sl, const char *sql, int n, const char *const *v)
{
	PGresult *r = n ? PQexecParams(sl->conn, sql, n, NULL, v, NULL, NULL, 0)
			: PQexec(sl->conn, sql);
	ExecStatusType s = PQresultStatus(r);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	set_fault(sl, r ? PQresultErrorMessage(r) : PQerrorMessage(sl->conn));
	if (!*sl->fault)
		set_fault(sl, PQerrorMessage(sl->conn));
	sl->gone = lost(sl, r);
	sl->later = sl->gone || for_now(r);
	PQclear(r);
	if (sl->gone)
		drop(sl);
	return NULL;
}

/* run for a statement whose rows are not wanted: 0, or -1. */
static int exec(struct slot *sl, const char *sql, int n, const char *const *v)
{
	PGresult *r = run(sl, sql, n, v);
	int rc = r ? 0 : -1;

	PQclear(r);
	return rc;
}

/* Applies the built-in migrations above the database's version, each in
 * its own transaction under an advisory lock (replicas starting together
 * wait for each other). 0, or -1 with sl->fault. */
static int migrate(struct slot *sl)
{
	struct migration_set set = { 0 };
	char e[256], ver[24], at[24];
	int rc = -1;

	if (migration_set_builtin_reviews_pg(&set, e, sizeof(e)) != 0) {
		set_fault(sl, e);
		return -1;
	}
	for (;;) {
		PGresult *r;
		long v;

		if (exec(sl, "BEGIN", 0, NULL) != 0 ||
		    exec(sl, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", 0, NULL) != 0 ||
		    exec(sl, "CREATE TABLE IF NOT EXISTS skilld_reviews_schema (version INTEGER PRIMARY "
			 "KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", 0, NULL) != 0 ||
		    !(r = run(sl, "SELECT coalesce(max(version), 0) FROM skilld_reviews_schema", 0, NULL)))
			break;
		v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		if (v > (long)set.len) {
			snprintf(e, sizeof(e), "the database is at review schema version %ld, newer "
				 "than this skilld's %zu", v, set.len);
			set_fault(sl, e);
			break;
		}
		if (v == (long)set.len) {
			rc = exec(sl, "COMMIT", 0, NULL);
			break;
		}
		snprintf(ver, sizeof(ver), "%ld", v + 1);
		snprintf(at, sizeof(at), "%lld", (long long)time(NULL) * 1000);
		r = PQexec(sl->conn, set.items[v].sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			snprintf(e, sizeof(e), "%s: %s", set.items[v].name, PQresultErrorMessage(r));
			set_fault(sl, e);
			PQclear(r);
			break;
		}
		PQclear(r);
		if (exec(sl, "INSERT INTO skilld_reviews_schema (version, name, applied_at) "
			 "VALUES ($1::integer, $2, $3::bigint)", 3,
			 (const char *const[]){ ver, set.items[v].name, at }) != 0 ||
		    exec(sl, "COMMIT", 0, NULL) != 0)
			break;
	}
	if (rc != 0 && sl->conn)
		PQclear(PQexec(sl->conn, "ROLLBACK"));
	migration_set_fini(&set);
	return rc;
}

/* The keywords of a connection to p's URI, and their values (set_values):
 * libpq's defaults, then a connect timeout, keepalives that notice a dead
 * peer within a minute, and a write that waits for a lock at most 5 s and
 * runs at most 15 s, then what the URI says (values given before dbname
 * are defaults the URI may override). */
static const char *const dial_keys[] = { "connect_timeout", "keepalives_idle",
					 "keepalives_interval", "keepalives_count",
					 "application_name", "options", "dbname", NULL };

static void set_values(const struct pg *p, const char *vals[8])
{
	static const char *const fixed[] = { "5", "30", "10", "3", "skilld",
					     "-c lock_timeout=5000 -c statement_timeout=15000" };

	memcpy(vals, fixed, sizeof(fixed));
	vals[6] = p->uri;
	vals[7] = NULL;
}

/* A new connection to p's URI (the caller PQfinishes it, and checks its
 * PQstatus). */
static PGconn *dial(const struct pg *p)
{
	const char *vals[8];
	PGconn *c;

	set_values(p, vals);
	c = PQconnectdbParams(dial_keys, vals, 1);

	if (PQstatus(c) == CONNECTION_OK)
		PQsetNoticeProcessor(c, quiet, NULL);
	return c;
}

/* The handle's backoff says: milliseconds until a connect may be tried. */
static int64_t may_connect_in(struct pg *p)
{
	int64_t left;

	pthread_mutex_lock(&p->pool_lock);
	left = backoff_left(&p->backoff);
	pthread_mutex_unlock(&p->pool_lock);
	return left;
}

/* A connect succeeded (ok) or failed: the handle's backoff learns it. */
static void connected(struct pg *p, bool ok)
{
	pthread_mutex_lock(&p->pool_lock);
	if (ok)
		p->backoff.ms = BACKOFF_MIN_MS;
	else
		backoff_failed(&p->backoff);
	pthread_mutex_unlock(&p->pool_lock);
}

/* Makes sl's connection and brings the schema up to date, unless the
 * handle's backoff says not yet. 0, or -1 with sl->fault (no connection). */
static int connect_now(struct slot *sl)
{
	int64_t left = may_connect_in(sl->pg);

	if (left > 0) {
		snprintf(sl->fault, sizeof(sl->fault), "not connected; the next try is in %lld ms",
			 (long long)left);
		return -1;
	}
	sl->conn = dial(sl->pg);
	if (PQstatus(sl->conn) == CONNECTION_OK) {
		if (migrate(sl) == 0) {
			connected(sl->pg, true);
			return 0;
		}
	} else {
		set_fault(sl, PQerrorMessage(sl->conn));
	}
	drop(sl);
	connected(sl->pg, false);
	return -1;
}

/* Takes a free slot of p's pool, one with a connection first; while every
 * slot is held, waits unless every holder is stuck (has held its slot
 * STUCK_MS): the slot, or NULL when they are. */
static struct slot *take(struct pg *p)
{
	struct slot *got = NULL;

	pthread_mutex_lock(&p->pool_lock);
	for (;;) {
		int64_t now = mono_ms();
		bool stuck = true;
		struct timespec until;

		for (size_t i = 0; i < REVIEWDB_PG_CONNECTIONS; i++) {
			struct slot *sl = &p->pool[i];

			if (!sl->busy && (!got || (!got->conn && sl->conn)))
				got = sl;
			else if (sl->busy && now - sl->held_since < STUCK_MS)
				stuck = false;
		}
		if (got || stuck)
			break;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += LOOK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->freed, &p->pool_lock, &until);
	}
	if (got) {
		got->busy = true;
		got->held_since = mono_ms();
	}
	pthread_mutex_unlock(&p->pool_lock);
	return got;
}

/* Gives sl back to its pool. */
static void release(struct slot *sl)
{
	struct pg *p = sl->pg;

	pthread_mutex_lock(&p->pool_lock);
	sl->busy = false;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->pool_lock);
}

/*
 * Takes a slot and runs first (the call's BEGIN) on its connection,
 * connecting when there is none. A connection found lost by first is
 * replaced once: nothing of the call had reached the server. 0 with the
 * slot in *out, held, or REVIEWDB_UNAVAILABLE / REVIEWDB_ERROR with err
 * and no slot held.
 */
static int enter(struct pg *p, const char *first, const char *what, char *err, size_t errlen,
		 struct slot **out)
{
	struct slot *sl = take(p);
	int rc;

	/* calls stuck on the server (a lock held elsewhere, a connect to an
	 * unreachable host) must not pile every thread up behind them; a
	 * queue of calls that each pass is no reason to give up */
	if (!sl) {
		if (err && errlen)
			snprintf(err, errlen, "reviews (%s): %s: every connection has been held by "
				 "a stuck call for %d s", p->shown, what, STUCK_MS / 1000);
		return REVIEWDB_UNAVAILABLE;
	}
	sl->gone = sl->later = false;
	sl->xid[0] = '\0';
	for (int tries = 0; tries < 2; tries++) {
		PGresult *r;

		if (!sl->conn && connect_now(sl) != 0) {
			sl->gone = sl->later = true;
			break;
		}
		if ((r = run(sl, first, 0, NULL)) != NULL) {
			if (strcmp(first, WRITE_TX) == 0)
				snprintf(sl->xid, sizeof(sl->xid), "%s", PQgetvalue(r, 0, 0));
			PQclear(r);
			*out = sl;
			return 0;
		}
		if (!sl->gone)
			break;
	}
	rc = sl->later ? REVIEWDB_UNAVAILABLE : REVIEWDB_ERROR;
	put_err(sl, what, err, errlen);
	release(sl);
	return rc;
}

/*
 * The COMMIT of the write sl->xid went out and the connection was lost
 * before its answer came. Asks the server whether that transaction
 * committed, on new connections, until it says or IN_DOUBT_MS have passed:
 * 0 (it did), REVIEWDB_UNAVAILABLE (it did not: nothing was written) or
 * REVIEWDB_IN_DOUBT, with sl->fault saying so. A connection made here is
 * kept for the next call.
 */
static int settle(struct slot *sl)
{
	int64_t until = mono_ms() + IN_DOUBT_MS;
	char lost_at[sizeof(sl->fault) - 128];

	snprintf(lost_at, sizeof(lost_at), "%.*s", (int)sizeof(lost_at) - 1, sl->fault);
	for (;;) {
		PGresult *r;

		if (!sl->conn && PQstatus(sl->conn = dial(sl->pg)) != CONNECTION_OK)
			drop(sl);
		if (sl->conn && (r = run(sl, "SELECT txid_status($1::bigint)", 1,
					(const char *const[]){ sl->xid })) != NULL) {
			const char *status = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
			int rc = strcmp(status, "committed") == 0 ? 0
				 : strcmp(status, "aborted") == 0 ? REVIEWDB_UNAVAILABLE : 1;

			PQclear(r);
			if (rc != 1) {
				connected(sl->pg, true);
				snprintf(sl->fault, sizeof(sl->fault), "%s (the write was %s)", lost_at,
					 rc == 0 ? "applied" : "not applied");
				return rc;
			}
		}
		if (mono_ms() >= until)
			break;
		usleep(100 * 1000);
	}
	snprintf(sl->fault, sizeof(sl->fault), "%s; the server could not say within %d s whether "
		 "the write was applied", lost_at, IN_DOUBT_MS / 1000);
	return REVIEWDB_IN_DOUBT;
}

/* Ends a call: commits when rc is 0 (a failed COMMIT makes rc a failure,
 * unless the write was applied all the same), else rolls back; rc's code,
 * ERROR turned UNAVAILABLE when the connection was lost, with err; the
 * lock released. */
static int leave(struct slot *sl, int rc, const char *what, char *err, size_t errlen)
{
	if (rc == 0 && exec(sl, "COMMIT", 0, NULL) != 0)
		rc = sl->gone && sl->xid[0] ? settle(sl) : REVIEWDB_ERROR;
	else if (rc != 0 && sl->conn)
		PQclear(PQexec(sl->conn, "ROLLBACK"));
	if (rc == REVIEWDB_ERROR && sl->later)
		rc = REVIEWDB_UNAVAILABLE;
	if (rc == REVIEWDB_ERROR || rc == REVIEWDB_UNAVAILABLE || rc == REVIEWDB_IN_DOUBT)
		put_err(sl, what, err, errlen);
	release(sl);
	return rc;
}

/* ---- rows ---- */

/* The text of n columns of row i of r into c (NULL for SQL NULL; valid
 * until r is cleared). */
static void row_text(const PGresult *r, int i, int n, const char **c)
{
	for (int k = 0; k < n; k++)
		c[k] = PQgetisnull(r, i, k) ? NULL : PQgetvalue(r, i, k);
}

/* The decimal text of v into buf. */
static const char *num(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

/* Adds "items": {id: item} of review id to o. 0, or -1. */
static int add_items(struct slot *sl, const char *id, cJSON *o)
{
	const char *c[ITEM_NCOLS];
	cJSON *items = cJSON_AddObjectToObject(o, "items");
	PGresult *r = run(sl, "SELECT " ITEM_COLUMNS " FROM review_items WHERE review_id = $1 "
			  "ORDER BY item_id", 1, (const char *const[]){ id });

	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		row_text(r, i, ITEM_NCOLS, c);
		cJSON_AddItemToObject(items, c[0], reviewcore_item_json(c));
	}
	PQclear(r);
	return 0;
}

/* ---- the write transaction's steps (struct reviewtx; ctx is the pg) ---- */

/* The status of review id by sql ("open"/"closed" into out): 1, 0 (no
 * such review) or -1. */
static int status_of(struct slot *sl, const char *sql, const char *id, char out[8])
{
	PGresult *r = run(sl, sql, 1, (const char *const[]){ id });
	int found;

	if (!r)
		return -1;
	found = PQntuples(r) > 0;
	if (found)
		snprintf(out, 8, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return found;
}

static int tx_status(void *ctx, const char *id, char out[8])
{
	return status_of(ctx, "SELECT status FROM reviews WHERE id = $1 FOR UPDATE", id, out);
}

/* The first row of a query for one row, as JSON by make (NULL: none). */
static int one_row(struct slot *sl, const char *sql, int n, const char *const *v, int ncols,
		   cJSON *(*make)(const char *const *c), cJSON **out)
{
	const char *c[REVIEW_NCOLS];
	PGresult *r = run(sl, sql, n, v);

	*out = NULL;
	if (!r)
		return -1;
	if (PQntuples(r) > 0) {
		row_text(r, 0, ncols, c);
		*out = make(c);
	}
	PQclear(r);
	return 0;
}

static int tx_review(void *ctx, const char *id, cJSON **out)
{
	return one_row(ctx, "SELECT " REVIEW_COLUMNS " FROM reviews WHERE id = $1 FOR UPDATE", 1,
		       (const char *const[]){ id }, REVIEW_NCOLS, reviewcore_review_json, out);
}

static int tx_item(void *ctx, const char *id, const char *item_id, cJSON **out)
{
	return one_row(ctx, "SELECT " ITEM_COLUMNS " FROM review_items WHERE review_id = $1 AND "
		       "item_id = $2", 2, (const char *const[]){ id, item_id }, ITEM_NCOLS,
		       reviewcore_item_json, out);
}

static int tx_put_item(void *ctx, const char *id, const struct item_write *w,
		       const struct item_state *s, int64_t now, int64_t version)
{
	char t[24], v[24];

	return exec(ctx, "INSERT INTO review_items (review_id, item_id, ref, text, section, "
		    "verdict, severity, note, evidence, author, updated_at, version) "
		    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::bigint, $12::bigint) "
		    "ON CONFLICT (review_id, item_id) DO UPDATE SET ref = EXCLUDED.ref, "
		    "text = EXCLUDED.text, section = EXCLUDED.section, verdict = EXCLUDED.verdict, "
		    "severity = EXCLUDED.severity, note = EXCLUDED.note, "
		    "evidence = EXCLUDED.evidence, author = EXCLUDED.author, "
		    "updated_at = EXCLUDED.updated_at, version = EXCLUDED.version", 12,
		    (const char *const[]){ id, w->item_id, w->ref, w->text ? w->text : "",
					   w->section, s->verdict, s->severity, s->note,
					   s->evidence, w->author, num(t, now), num(v, version) });
}

static int tx_put_review(void *ctx, const char *id, const struct review_state *s)
{
	return exec(ctx, "UPDATE reviews SET title = $2, target = $3, status = $4 WHERE id = $1",
		    4, (const char *const[]){ id, s->title, s->target, s->status });
}

/* Tells the listeners of every handle that review id changed, at the
 * commit (PostgreSQL sends a payload once per transaction). 0, or -1. */
static int notify(struct slot *sl, const char *id)
{
	char payload[TOKEN_LEN + 1 + REVIEWDB_NOTIFY_ID_MAX + 1];

	snprintf(payload, sizeof(payload), "%s %s", sl->pg->token, id);
	return exec(sl, "SELECT pg_notify('" CHANNEL "', $1)", 1, (const char *const[]){ payload });
}

static int tx_event(void *ctx, const char *id, int64_t now, const char *author,
		    const char *item_id, const cJSON *change)
{
	char *text = cJSON_PrintUnformatted(change), t[24];
	int rc = notify(ctx, id) != 0 ? -1 : exec(ctx, "WITH r AS (UPDATE reviews SET seq = seq + 1, updated_at = $2::bigint "
		      "WHERE id = $1 RETURNING id, seq) INSERT INTO review_events (review_id, seq, "
		      "at, author, item_id, change) SELECT id, seq, $2::bigint, $3, $4, $5 FROM r",
		      5, (const char *const[]){ id, num(t, now), author, item_id, text });

	free(text);
	return rc;
}

static struct reviewtx tx_of(struct slot *sl)
{
	return (struct reviewtx){ sl, tx_status, tx_review, tx_item, tx_put_item, tx_put_review,
				  tx_event };
}

/* ---- the backend ---- */

/* After a failed connect: is the server away (nothing answers, or it
 * answers that it is starting, stopping or recovering), rather than there
 * and refusing this connection (a password, a database name, a schema of
 * a newer skilld), which no wait mends? */
static bool server_away(const struct pg *p)
{
	const char *vals[8];
	PGPing ping;

	set_values(p, vals);
	ping = PQpingParams(dial_keys, vals, 1);
	return ping == PQPING_NO_RESPONSE || ping == PQPING_REJECT;
}

struct reviewdb *reviewdb_pg_open(const char *uri, char *err, size_t errlen)
{
	struct pg *p = xcalloc(1, sizeof(*p));
	PQconninfoOption *opts = PQconninfoParse(uri, NULL);

	p->base.ops = &pg_ops;
	if (reviewcore_new_id(p->token, err, errlen) != 0) {
		free(p);
		return NULL;
	}
	p->uri = xstrdup(uri);
	p->shown = str_mask_password(uri);
	p->backoff.ms = BACKOFF_MIN_MS;
	p->wake_fd = -1;
	pthread_mutex_init(&p->pool_lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	for (size_t i = 0; i < REVIEWDB_PG_CONNECTIONS; i++)
		p->pool[i].pg = p;
	if (!opts) {
		/* libpq's message may quote the URI: not shown */
		snprintf(err, errlen, "reviews: %s is not a PostgreSQL URI that libpq can read",
			 p->shown);
		pg_ops.close(&p->base);
		return NULL;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			p->secret = xstrdup(o->val);
	PQconninfoFree(opts);
	/* the pool's other connections are made when calls need them */
	if (connect_now(&p->pool[0]) != 0 && !server_away(p)) {
		put_err(&p->pool[0], "cannot connect", err, errlen);
		pg_ops.close(&p->base);
		return NULL;
	}
	return &p->base;
}

/* ---- the listener (reviewdb_watch) ---- */

/* Waits up to ms (-1: for ever) for fd to be readable or the listener to be
 * stopped; true when it is to stop. */
static bool wait_for(struct pg *p, int fd, int ms)
{
	struct pollfd f[2] = { { p->wake_fd, POLLIN, 0 }, { fd, POLLIN, 0 } };

	poll(f, fd >= 0 ? 2 : 1, ms);
	return atomic_load(&p->stop);
}

/* Passes on a notification's review id, unless this handle sent it. */
static void heard(struct pg *p, const char *payload)
{
	size_t n = strlen(payload);

	if (n <= TOKEN_LEN + 1 || n > TOKEN_LEN + 1 + REVIEWDB_NOTIFY_ID_MAX || payload[TOKEN_LEN] != ' ' ||
	    memcmp(payload, p->token, TOKEN_LEN) == 0)
		return;
	p->changed(p->changed_arg, payload + TOKEN_LEN + 1);
}

/* A new connection that LISTENs, or NULL. */
static PGconn *listening(const struct pg *p)
{
	PGconn *c = dial(p);
	PGresult *r = PQexec(c, "LISTEN " CHANNEL);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	if (!ok) {
		PQfinish(c);
		c = NULL;
	}
	return c;
}

/* The listener's thread, on the connection reviewdb_watch made (or none,
 * when that failed). */
static void *listen_main(void *arg)
{
	struct pg *p = arg;
	struct backoff b = { 0, BACKOFF_MIN_MS };
	PGconn *c = p->first;
	bool missed = !c;

	while (!atomic_load(&p->stop)) {
		PGnotify *n;
		int64_t left;

		if (!c && (left = backoff_left(&b)) > 0) {
			wait_for(p, -1, (int)left);
			continue;
		}
		if (!c && !(c = listening(p))) {
			backoff_failed(&b);
			continue;
		}
		b.ms = BACKOFF_MIN_MS;
		if (missed)
			p->changed(p->changed_arg, NULL);
		missed = false;
		if (wait_for(p, PQsocket(c), -1))
			break;
		if (PQconsumeInput(c) == 0 || PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = NULL;
			missed = true;
			continue;
		}
		while ((n = PQnotifies(c)) != NULL) {
			heard(p, n->extra);
			PQfreemem(n);
		}
	}
	PQfinish(c);
	return NULL;
}

static int pg_watch(struct reviewdb *base, void (*changed)(void *arg, const char *id), void *arg,
		    char *err, size_t errlen)
{
	struct pg *p = pg_of(base);
	int rc;

	p->changed = changed;
	p->changed_arg = arg;
	/* listening before this returns: nothing written after it is missed */
	p->first = listening(p);
	p->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (p->wake_fd < 0) {
		snprintf(err, errlen, "reviews: eventfd: %s", strerror(errno));
		PQfinish(p->first);
		return -1;
	}
	rc = pthread_create(&p->listener, NULL, listen_main, p);
	if (rc != 0) {
		snprintf(err, errlen, "reviews: cannot start the listener: %s", strerror(rc));
		close(p->wake_fd);
		p->wake_fd = -1;
		PQfinish(p->first);
		return -1;
	}
	return 0;
}

static void pg_close(struct reviewdb *base)
{
	struct pg *p = pg_of(base);

	if (p->wake_fd >= 0) {
		uint64_t one = 1;

		atomic_store(&p->stop, true);
		if (write(p->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			abort();   /* an eventfd takes it: the thread would never end */
		pthread_join(p->listener, NULL);
		close(p->wake_fd);
	}
	for (size_t i = 0; i < REVIEWDB_PG_CONNECTIONS; i++)
		drop(&p->pool[i]);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->pool_lock);
	free(p->uri);
	free(p->shown);
	free(p->secret);
	free(p);
}

/* One round trip (connecting when there is no connection and the backoff
 * allows). */
static bool pg_up(struct reviewdb *base)
{
	struct pg *p = pg_of(base);
	struct slot *sl;

	if (enter(p, "SELECT 1", "checking", NULL, 0, &sl) != 0)
		return false;
	release(sl);
	return true;
}

static int pg_backup(struct reviewdb *base, const char *dest, char *err, size_t errlen)
{
	(void)dest;
	snprintf(err, errlen, "the reviews are in PostgreSQL (%s): back them up with pg_dump",
		 pg_of(base)->shown);
	return -1;
}

static int pg_create(struct reviewdb *base, const struct review_start *s, int64_t now,
		     char id[REVIEW_ID_LEN + 1], char *err, size_t errlen)
{
	struct pg *p = pg_of(base);
	struct slot *sl;
	cJSON *change;
	char t[24];
	int rc;

	if (reviewcore_new_id(id, err, errlen) != 0)
		return REVIEWDB_ERROR;
	if ((rc = enter(p, WRITE_TX, "starting a review", err, errlen, &sl)) != 0)
		return rc;
	change = reviewcore_start_change(s);
	rc = exec(sl, "INSERT INTO reviews (id, skill, checklist_path, checklist_digest, start_items, "
		  "title, target, author, created_at, updated_at) "
		  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint, $9::bigint)", 9,
		  (const char *const[]){ id, s->skill, s->checklist_path, s->checklist_digest,
					 s->start_items, s->title, s->target, s->author,
					 num(t, now) }) == 0 &&
	     tx_event(sl, id, now, s->author, NULL, change) == 0 ? 0 : REVIEWDB_ERROR;
	cJSON_Delete(change);
	return leave(sl, rc, "starting a review", err, errlen);
}

/* Review id's row by sql (ncols columns, as JSON by make; in one
 * snapshot with its items when items): 1, 0 (none) or a failure's code. */
static int read_review(struct pg *p, const char *id, const char *sql, int ncols,
		       cJSON *(*make)(const char *const *c), bool items, cJSON **out)
{
	struct slot *sl;
	int rc;

	*out = NULL;
	if ((rc = enter(p, READ_TX, "reading a review", NULL, 0, &sl)) != 0)
		return rc;
	rc = one_row(sl, sql, 1, (const char *const[]){ id }, ncols, make, out);
	if (rc == 0 && items && *out)
		rc = add_items(sl, jstr(*out, "id"), *out);
	rc = leave(sl, rc == 0 ? 0 : REVIEWDB_ERROR, "reading a review", NULL, 0);
	if (rc < 0) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc < 0 ? rc : *out != NULL;
}

static int pg_get(struct reviewdb *base, const char *id, cJSON **out)
{
	return read_review(pg_of(base), id, "SELECT " REVIEW_COLUMNS " FROM reviews WHERE id = $1",
			   REVIEW_NCOLS, reviewcore_review_json, true, out);
}

static int pg_head(struct reviewdb *base, const char *id, cJSON **out)
{
	return read_review(pg_of(base), id, "SELECT " HEAD_COLUMNS " FROM reviews WHERE id = $1",
			   HEAD_NCOLS, reviewcore_head_json, false, out);
}

static int pg_list(struct reviewdb *base, const struct review_filter *f, cJSON **out)
{
	struct pg *p = pg_of(base);
	struct slot *sl;
	const char *c[REVIEW_NCOLS];
	char after[24], lim[24];
	PGresult *r;
	int rc, more = 0;

	*out = NULL;
	if ((rc = enter(p, READ_TX, "listing reviews", NULL, 0, &sl)) != 0)
		return rc;
	r = run(sl, "SELECT " REVIEW_COLUMNS " FROM reviews "
		"WHERE ($1::text IS NULL OR skill = $1) AND ($2::text IS NULL OR status = $2) "
		"AND ($4::text IS NULL OR created_at < $3::bigint OR "
		"(created_at = $3::bigint AND id > $4)) "
		"ORDER BY created_at DESC, id LIMIT $5::bigint", 5,
		(const char *const[]){ f->skill, f->status, num(after, f->after_created), f->after_id,
				       num(lim, f->limit + 1) });
	rc = r ? 0 : REVIEWDB_ERROR;
	if (r) {
		*out = cJSON_CreateArray();
		more = PQntuples(r) > f->limit;
		for (int i = 0; i < PQntuples(r) && i < f->limit && rc == 0; i++) {
			cJSON *o;

			row_text(r, i, REVIEW_NCOLS, c);
			o = reviewcore_review_json(c);
			cJSON_AddItemToArray(*out, o);
			if (add_items(sl, jstr(o, "id"), o) != 0)
				rc = REVIEWDB_ERROR;
		}
		PQclear(r);
	}
	rc = leave(sl, rc, "listing reviews", NULL, 0);
	if (rc < 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return rc;
	}
	return more;
}

static int pg_write_items(struct reviewdb *base, const char *id, const struct item_write *w,
			  size_t n, int64_t now, cJSON **results, size_t *failed, char *err,
			  size_t errlen)
{
	struct pg *p = pg_of(base);
	struct reviewtx tx;
	struct slot *sl;
	int rc;

	*results = NULL;
	if ((rc = enter(p, WRITE_TX, "writing verdicts", err, errlen, &sl)) != 0)
		return rc;
	tx = tx_of(sl);
	rc = reviewcore_write_items(&tx, id, w, n, now, results, failed);
	/* STALE answers the item as it is; nothing was written either way */
	rc = leave(sl, rc, "writing verdicts", err, errlen);
	if (rc != 0 && rc != REVIEWDB_STALE) {
		cJSON_Delete(*results);
		*results = NULL;
	}
	return rc;
}

static int pg_edit(struct reviewdb *base, const char *id, const struct review_edit *e,
		   int64_t now, char *err, size_t errlen)
{
	struct pg *p = pg_of(base);
	struct reviewtx tx;
	struct slot *sl;
	int rc;

	if ((rc = enter(p, WRITE_TX, "changing a review", err, errlen, &sl)) != 0)
		return rc;
	tx = tx_of(sl);
	rc = reviewcore_edit(&tx, id, e, now);
	return leave(sl, rc, "changing a review", err, errlen);
}

static int pg_remove(struct reviewdb *base, const char *id, char *err, size_t errlen)
{
	struct pg *p = pg_of(base);
	struct slot *sl;
	PGresult *r;
	int rc;

	if ((rc = enter(p, WRITE_TX, "deleting a review", err, errlen, &sl)) != 0)
		return rc;
	/* review_items and review_events go with it (ON DELETE CASCADE). */
	r = run(sl, "DELETE FROM reviews WHERE id = $1", 1, (const char *const[]){ id });
	rc = !r ? REVIEWDB_ERROR : strcmp(PQcmdTuples(r), "0") != 0 ? 0 : REVIEWDB_NOT_FOUND;
	PQclear(r);
	if (rc == 0 && notify(sl, id) != 0)
		rc = REVIEWDB_ERROR;
	return leave(sl, rc, "deleting a review", err, errlen);
}

static int pg_events(struct reviewdb *base, const char *id, int64_t after_seq, long limit,
		     cJSON **out)
{
	struct pg *p = pg_of(base);
	struct slot *sl;
	const char *c[EVENT_NCOLS];
	char after[24], lim[24], status[8];
	PGresult *r;
	int rc, end;

	*out = NULL;
	if ((rc = enter(p, READ_TX, "reading events", NULL, 0, &sl)) != 0)
		return rc;
	rc = status_of(sl, "SELECT status FROM reviews WHERE id = $1", id, status);
	if (rc == 1 &&
	    (r = run(sl, "SELECT " EVENT_COLUMNS " FROM review_events WHERE review_id = $1 "
		     "AND seq > $2::bigint ORDER BY seq LIMIT $3::bigint", 3,
		     (const char *const[]){ id, num(after, after_seq), num(lim, limit) }))) {
		*out = cJSON_CreateArray();
		for (int i = 0; i < PQntuples(r); i++) {
			row_text(r, i, EVENT_NCOLS, c);
			cJSON_AddItemToArray(*out, reviewcore_event_json(c));
		}
		PQclear(r);
	} else if (rc == 1) {
		rc = REVIEWDB_ERROR;
	}
	end = leave(sl, rc < 0 ? REVIEWDB_ERROR : 0, "reading events", NULL, 0);
	if (end != 0)
		rc = end;
	if (rc != 1) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- sign-in sessions ---- */

static int pg_session_put(struct reviewdb *base, const char *digest, unsigned ttl)
{
	struct pg *p = pg_of(base);
	struct slot *sl;
	char secs[16];
	int rc;

	if ((rc = enter(p, WRITE_TX, "starting a session", NULL, 0, &sl)) != 0)
		return rc;
	snprintf(secs, sizeof(secs), "%u", ttl);
	rc = exec(sl, "DELETE FROM sessions WHERE expires_at <= now()", 0, NULL) == 0 &&
	     exec(sl, "INSERT INTO sessions (digest, expires_at) VALUES ($1, now() + "
		  "make_interval(secs => $2::integer))", 2,
		  (const char *const[]){ digest, secs }) == 0 ? 0 : REVIEWDB_ERROR;
	return leave(sl, rc, "starting a session", NULL, 0);
}

/* The number sql's one row and column holds (parameter: digest, or none),
 * or a failure's code. */
static long session_number(struct pg *p, const char *sql, const char *digest, const char *what)
{
	struct slot *sl;
	PGresult *r;
	long n = REVIEWDB_ERROR;
	int rc;

	if ((rc = enter(p, READ_TX, what, NULL, 0, &sl)) != 0)
		return rc;
	r = run(sl, sql, digest ? 1 : 0, digest ? (const char *const[]){ digest } : NULL);
	if (r) {
		n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	rc = leave(sl, n >= 0 ? 0 : REVIEWDB_ERROR, what, NULL, 0);
	return rc != 0 ? rc : n;
}

static int pg_session_live(struct reviewdb *base, const char *digest)
{
	return (int)session_number(pg_of(base), "SELECT count(*) FROM sessions WHERE digest = $1 "
				   "AND expires_at > now()", digest, "checking a session");
}

static int pg_session_end(struct reviewdb *base, const char *digest)
{
	struct pg *p = pg_of(base);
	struct slot *sl;
	int rc;

	if ((rc = enter(p, WRITE_TX, "ending a session", NULL, 0, &sl)) != 0)
		return rc;
	rc = exec(sl, "DELETE FROM sessions WHERE digest = $1", 1, (const char *const[]){ digest });
	return leave(sl, rc == 0 ? 0 : REVIEWDB_ERROR, "ending a session", NULL, 0);
}

static long pg_session_count(struct reviewdb *base)
{
	return session_number(pg_of(base), "SELECT count(*) FROM sessions WHERE expires_at > now()",
			      NULL, "counting sessions");
}

static const struct reviewdb_session_ops pg_session_ops = {
	pg_session_put, pg_session_live, pg_session_end, pg_session_count,
};

/* In the order of struct reviewdb_ops. */
static const struct reviewdb_ops pg_ops = {
	"postgresql", pg_close, pg_up, pg_watch, pg_backup, pg_create, pg_get, pg_head, pg_list,
	pg_write_items, pg_edit, pg_remove, pg_events, &pg_session_ops,
};
