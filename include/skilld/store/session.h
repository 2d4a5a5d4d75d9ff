/* SPDX-License-Identifier: MIT */
/*
 * session: the browser sign-in sessions of a server with a token. A
 * sign-in makes a random id (256 bits, 64 hex characters) that the
 * browser keeps as its cookie; the server keeps only the id's SHA-256 and
 * its expiry, in memory, so a sign-out ends a session for good and a
 * restart (which a new token needs) ends them all. Ids compare by their
 * digest, so the time a lookup takes says nothing about a valid id. Times
 * are passed in (seconds, any clock that only goes forward) so expiry is
 * testable. Thread safe: one mutex.
 *
 * Replicas sharing a PostgreSQL store keep the sessions there instead
 * (session_store_new_shared), so that any replica knows a sign-in and a
 * sign-out on one ends it on all: the same digests, expiry by the
 * database's clock (the now arguments are then unused), no cap but
 * expiry. While the database cannot be reached no session is valid and
 * none can start (the bearer token still works).
 */
#ifndef SKILLD_SESSION_H
#define SKILLD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SESSION_ID_LEN 64
/* The cookie that carries a session id. */
#define SESSION_COOKIE "skilld_session"
/* Most sessions kept at once; the one closest to expiry makes room. */
#define SESSION_MAX 65536

struct session_store;
struct reviewdb;

/* An empty store whose sessions last ttl seconds (the caller frees it
 * with session_store_free). */
struct session_store *session_store_new(unsigned ttl);
/* An empty store that keeps its sessions in rv (reviewdb_keeps_sessions
 * must be true), which must outlive it. */
struct session_store *session_store_new_shared(unsigned ttl, struct reviewdb *rv);
void session_store_free(struct session_store *s);

/* Starts a session at now: OUT: id gets its id (NUL terminated). 0, or -1
 * when no random bytes could be read. */
int session_create(struct session_store *s, time_t now, char id[SESSION_ID_LEN + 1]);
/* Is id a session that has not expired at now? */
bool session_valid(struct session_store *s, const char *id, time_t now);
/* Ends the session id (nothing when there is none). */
void session_delete(struct session_store *s, const char *id);
/* How many sessions are kept (expired ones until they are swept). */
size_t session_count(struct session_store *s);

/* Seconds on a clock that never goes back and counts suspend
 * (CLOCK_BOOTTIME): the now to pass, so a session lives no longer than its
 * ttl whatever happens to the wall clock. */
time_t session_clock(void);

#endif
