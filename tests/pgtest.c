/* SPDX-License-Identifier: MIT */
/* A throwaway PostgreSQL server for the suites; see pgtest.h. */
#include "pgtest.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "skilld/base/util.h"
#include "testutil.h"

#define DEFAULT_BIN "/usr/lib/postgresql/15/bin"

static const char *bin_dir(void)
{
	const char *b = getenv("SKILLD_PG_BIN");

	return b && *b ? b : DEFAULT_BIN;
}

bool pgtest_available(char *why, size_t whylen)
{
	static const char *const progs[] = { "initdb", "postgres" };

	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", bin_dir(), progs[i]);
		bool ok = access(p, X_OK) == 0;

		if (!ok)
			snprintf(why, whylen, "%s is not installed (Debian: apt-get install "
				 "postgresql-15; make test installs it as root)", p);
		free(p);
		if (!ok)
			return false;
	}
	if (geteuid() == 0 && !getpwnam("postgres")) {
		snprintf(why, whylen, "running as root and there is no postgres user to run "
			 "PostgreSQL as");
		return false;
	}
	return true;
}

/* Runs argv (argv[0] a program of bin_dir()) as the postgres user when we
 * are root, its output appended to dir/log. The child's pid, or -1. */
static pid_t spawn(const struct pgtest *s, char *const argv[])
{
	struct passwd *pw = geteuid() == 0 ? getpwnam("postgres") : NULL;
	char *prog = xasprintf("%s/%s", bin_dir(), argv[0]);
	char *log = xasprintf("%s/log", s->dir);
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		close(fd);
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		/* its own process group: a ^C to the tests is not its signal */
		setpgid(0, 0);
		if (pw && (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
			   setuid(pw->pw_uid) != 0))
			_exit(126);
		/* a test that dies (a failed check ends its process) takes its
		 * server along: a fast shutdown when the thread that started it
		 * ends (set after setuid, which clears it) */
		if (prctl(PR_SET_PDEATHSIG, SIGINT) != 0 || getppid() != parent)
			_exit(125);
		/* argv[0] the program's path: initdb finds postgres beside
		 * itself from it (a bare name is looked up in PATH, which
		 * need not hold PostgreSQL's folder, as on a fresh Debian) */
		{
			size_t n = 0;
			char **args;

			while (argv[n])
				n++;
			args = xcalloc(n + 1, sizeof(*args));
			memcpy(args, argv, n * sizeof(*args));
			args[0] = prog;
			execv(prog, args);
		}
		_exit(127);
	}
	free(prog);
	free(log);
	return pid;
}

/* The URI of database db on s (free()). */
static char *uri_of(const struct pgtest *s, const char *db)
{
	return xasprintf("postgresql://skilld:%s@127.0.0.1:%u/%s", s->password, s->port, db);
}

int pgtest_start(struct pgtest *s, char *err, size_t errlen)
{
	char port[16], *data = xasprintf("%s/data", s->dir), *conn = uri_of(s, "postgres");
	char *sock = xasprintf("unix_socket_directories=%s", s->dir);
	char *const argv[] = { "postgres", "-D", data, "-p", port, "-c",
			       "listen_addresses=127.0.0.1", "-c", sock, "-c", "fsync=off", "-c",
			       "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
			       "max_connections=40", NULL };
	int rc = -1;

	snprintf(port, sizeof(port), "%u", s->port);
	s->pid = spawn(s, argv);
	/* up to 30 s for it to take connections */
	for (int i = 0; s->pid > 0 && i < 600; i++) {
		int status;

		if (PQping(conn) == PQPING_OK) {
			rc = 0;
			break;
		}
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			break;
		}
		usleep(50 * 1000);
	}
	if (rc != 0) {
		snprintf(err, errlen, "postgres did not start on 127.0.0.1:%u (see %s/log)", s->port,
			 s->dir);
		pgtest_stop(s);
	}
	free(data);
	free(conn);
	free(sock);
	return rc;
}

int pgtest_init(struct pgtest *s, char *err, size_t errlen)
{
	struct passwd *pw = geteuid() == 0 ? getpwnam("postgres") : NULL;
	unsigned char raw[16];
	char *data, *pwfile, *pwopt;
	int status = -1;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -1;
	hex_encode(raw, sizeof(raw), s->password);
	s->dir = tu_mkdtemp();
	s->port = tu_free_port();
	if (pw && chown(s->dir, pw->pw_uid, pw->pw_gid) != 0) {
		snprintf(err, errlen, "chown %s: %s", s->dir, strerror(errno));
		pgtest_fini(s);
		return -1;
	}
	tu_write_str(s->dir, "pw", s->password);
	data = xasprintf("%s/data", s->dir);
	pwfile = xasprintf("%s/pw", s->dir);
	pwopt = xasprintf("--pwfile=%s", pwfile);
	if (!pw || chown(pwfile, pw->pw_uid, pw->pw_gid) == 0) {
		char *const argv[] = { "initdb", "-D", data, "-U", "skilld", pwopt,
				       "--auth-host=scram-sha-256", "--auth-local=trust", "-E",
				       "UTF8", "--locale=C.UTF-8", "--no-sync", NULL };

		pid = spawn(s, argv);
		if (pid > 0)
			waitpid(pid, &status, 0);
	}
	unlink(pwfile);
	free(data);
	free(pwfile);
	free(pwopt);
	if (status != 0) {
		snprintf(err, errlen, "initdb failed (see %s/log)", s->dir);
		return -1;
	}
	return pgtest_start(s, err, errlen);
}

void pgtest_stop(struct pgtest *s)
{
	int status;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGINT);
	/* a fast shutdown takes well under a second; 20 s, then SIGKILL */
	for (int i = 0; i < 400; i++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			return;
		}
		usleep(50 * 1000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
}

void pgtest_fini(struct pgtest *s)
{
	pgtest_stop(s);
	if (s->dir)
		tu_rmtree(s->dir);
	free(s->dir);
	s->dir = NULL;
}

char *pgtest_new_database(struct pgtest *s)
{
	static unsigned n;
	char *admin = uri_of(s, "postgres"), *name, *sql;
	PGconn *c = PQconnectdb(admin);
	PGresult *r;

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	/* the pid too: forked tests each count from the same n */
	name = xasprintf("t_%ld_%u", (long)getpid(), n++);
	sql = xasprintf("CREATE DATABASE %s", name);   /* a name made here, not a value */
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	free(admin);
	free(sql);
	admin = uri_of(s, name);
	free(name);
	return admin;
}

static struct pgtest shared;    /* the server of the postgresql case */
static char shared_err[256];    /* why it did not start */

static void shared_start(void)
{
	if (pgtest_init(&shared, shared_err, sizeof(shared_err)) != 0)
		pgtest_fini(&shared);
}

static void shared_stop(void)
{
	pgtest_fini(&shared);
}

char *pgtest_case_database(void)
{
	ck_assert_msg(shared.pid > 0, "PostgreSQL did not start: %s", shared_err);
	return pgtest_new_database(&shared);
}

const struct pgtest *pgtest_case_server(void)
{
	return &shared;
}

START_TEST(test_pg_missing)
{
	ck_abort_msg("the PostgreSQL store's tests cannot run: %s", shared_err);
}
END_TEST

TCase *pgtest_tcase(Suite *s, const char *suite, void (*setup)(void), void (*teardown)(void))
{
	TCase *tc = tcase_create("postgresql");

	suite_add_tcase(s, tc);
	if (pgtest_available(shared_err, sizeof(shared_err))) {
		tcase_add_unchecked_fixture(tc, shared_start, shared_stop);
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 60);
		return tc;
	}
	if (geteuid() == 0) {
		/* CI runs as root: there the store must be tested */
		tcase_add_test(tc, test_pg_missing);
	} else {
		fprintf(stderr, "%s: the postgresql tests are SKIPPED: %s\n", suite, shared_err);
	}
	return NULL;
}

Suite *pgtest_two_stores(const char *name, void (*add)(TCase *tc), void (*setup)(void),
			 void (*teardown)(void), void (*pg_setup)(void), void (*pg_teardown)(void),
			 TCase **sqlite, TCase **pg)
{
	Suite *s = suite_create(name);

	*sqlite = tcase_create("sqlite");
	tcase_add_checked_fixture(*sqlite, setup, teardown);
	add(*sqlite);
	suite_add_tcase(s, *sqlite);
	*pg = pgtest_tcase(s, name, pg_setup, pg_teardown);
	if (*pg)
		add(*pg);
	return s;
}
