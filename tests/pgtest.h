/* SPDX-License-Identifier: MIT */
/*
 * pgtest: a throwaway PostgreSQL server for the suites of the PostgreSQL
 * review store. initdb into a new temporary folder, postgres listening on
 * 127.0.0.1 at a port picked here and on a unix socket in that folder, with
 * a password (scram-sha-256) so that the URIs carry one; stopped by its
 * process id and removed by the test. PostgreSQL refuses to run as root:
 * a root test runs it as the postgres user the Debian package creates
 * (the folder is given to that user). The programs are Debian's
 * postgresql-15 (/usr/lib/postgresql/15/bin, or $SKILLD_PG_BIN).
 */
#ifndef SKILLD_PGTEST_H
#define SKILLD_PGTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pgtest {
	char *dir;          /* the temporary folder: data/, the socket, log */
	unsigned port;
	char password[33];
	pid_t pid;          /* the postmaster while it runs, else 0 */
};

/* Are PostgreSQL's programs installed? false with the reason in why. */
bool pgtest_available(char *why, size_t whylen);

/* initdb into a new folder and start the server: 0, or -1 with the
 * reason in err (the folder is kept for its log: pgtest_fini removes it). */
int pgtest_init(struct pgtest *s, char *err, size_t errlen);
/* Starts the server again after pgtest_stop (same folder and port) and
 * waits until it takes connections: 0, or -1 with err. */
int pgtest_start(struct pgtest *s, char *err, size_t errlen);
/* Fast shutdown (SIGINT to the postmaster, by its pid) and waits for it. */
void pgtest_stop(struct pgtest *s);
/* Stops the server when it runs and removes its folder. */
void pgtest_fini(struct pgtest *s);

/* A new empty database on s, as a URI with the password (free()); aborts
 * the test when it cannot be made. */
char *pgtest_new_database(struct pgtest *s);

/*
 * A TCase "postgresql" of suite s (named suite) whose tests share one server, started
 * once in the runner's process (an unchecked fixture) and stopped after
 * them; setup and teardown are its checked fixture (setup calls
 * pgtest_case_database). NULL when PostgreSQL is not installed: the case
 * then says on stderr that it is skipped, or, as root (CI, where make test
 * installs it), holds one test that fails saying why.
 */
struct Suite;
struct TCase *pgtest_tcase(struct Suite *s, const char *suite, void (*setup)(void),
			   void (*teardown)(void));
/* One suite, two stores: suite name with the TCase "sqlite" (checked
 * fixture setup, teardown) and pgtest_tcase's (pg_setup, pg_teardown),
 * add(tc) giving each the tests they share. OUT: *sqlite and *pg the
 * cases, for their own tests (*pg NULL as pgtest_tcase says). */
struct Suite *pgtest_two_stores(const char *name, void (*add)(struct TCase *tc),
				void (*setup)(void), void (*teardown)(void),
				void (*pg_setup)(void), void (*pg_teardown)(void),
				struct TCase **sqlite, struct TCase **pg);
/* A new database on the case's server (pgtest_new_database); fails the
 * test when that server did not start. */
char *pgtest_case_database(void);
/* The case's server (its password, its port). */
const struct pgtest *pgtest_case_server(void);

#endif
