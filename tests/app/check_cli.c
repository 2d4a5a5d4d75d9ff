/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of the skilld binary (SKILLD_BIN, default build/skilld):
 * exit statuses and messages of the command line, `check`, a failing
 * migration, and a served daemon on 127.0.0.1 stopped with SIGTERM by its
 * process id.
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fixture_skills.h"
#include "skilld/base/util.h"
#include "skilld/store/reviewdb.h"
#include "testutil.h"

Suite *cli_suite(void);

static const char *bin(void)
{
	const char *b = getenv("SKILLD_BIN");
	return b && *b ? b : "build/skilld";
}

/* Runs the binary with args, capturing stdout and stderr; returns the exit status. */
static int run(char *const args[], char **out, char **err)
{
	char *dir = tu_mkdtemp();
	char *o = xasprintf("%s/out", dir), *e = xasprintf("%s/err", dir);
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (!freopen(o, "w", stdout) || !freopen(e, "w", stderr))
			_exit(127);
		execv(args[0], args);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	*out = tu_read(o, NULL);
	*err = tu_read(e, NULL);
	tu_rmtree(dir);
	free(dir);
	free(o);
	free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

START_TEST(test_help_and_version)
{
	char *out, *err;
	char *a1[] = { (char *)bin(), "--help", NULL };
	char *a2[] = { (char *)bin(), "--version", NULL };

	ck_assert_int_eq(run(a1, &out, &err), 0);
	ck_assert(strstr(out, "--skills") != NULL);
	ck_assert(strstr(out, "SKILLD_PORT") != NULL);
	free(out);
	free(err);
	ck_assert_int_eq(run(a2, &out, &err), 0);
	ck_assert(strncmp(out, "skilld ", 7) == 0);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_usage_errors_exit_2)
{
	char *bad[][4] = {
		{ (char *)bin(), "--bogus", NULL, NULL },
		{ (char *)bin(), "--port", "70000", NULL },
		{ (char *)bin(), "--port", NULL, NULL },
		{ (char *)bin(), "--threads", "0", NULL },
		{ (char *)bin(), "check", NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out, *err;

		ck_assert_int_eq(run(bad[i], &out, &err), 2);
		ck_assert_msg(strncmp(err, "skilld: ", 8) == 0, "stderr: %s", err);
		/* one line */
		ck_assert_ptr_eq(strchr(err, '\n'), err + strlen(err) - 1);
		free(out);
		free(err);
	}
}
END_TEST

START_TEST(test_check_command)
{
	char *dir = tu_mkdtemp();
	char *root = fx_write_skills(dir);
	char *out, *err;
	char *text[] = { (char *)bin(), "check", root, NULL };
	char *json[] = { (char *)bin(), "check", "--json", root, NULL };
	cJSON *j;

	ck_assert_int_eq(run(text, &out, &err), 1);   /* bad-yaml has an error */
	ck_assert_msg(strstr(out, "alpha: valid, tier platinum") != NULL, "%s", out);
	ck_assert(strstr(out, "bad-yaml: INVALID") != NULL);
	ck_assert(strstr(out, "[frontmatter-invalid-yaml]") != NULL);
	ck_assert(strstr(out, "zz-dup: INVALID") != NULL);
	ck_assert(strstr(out, "4 skills: 2 valid, 2 invalid") != NULL);
	free(out);
	free(err);
	ck_assert_int_eq(run(json, &out, &err), 1);
	j = cJSON_Parse(out);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "skills")), 4);
	cJSON_Delete(j);
	free(out);
	free(err);

	tu_rmtree(root);
	tu_write_str(root, "only/SKILL.md", "---\nname: only\ndescription: Fine.\n---\nBody\n");
	ck_assert_int_eq(run(text, &out, &err), 0);
	{
		char *want = xasprintf("%s/only: valid", root);

		ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s", out);
		free(out);
		free(err);
		/* a root given with a final '/' prints the same, not root//only */
		text[2] = xasprintf("%s/", root);
		ck_assert_int_eq(run(text, &out, &err), 0);
		ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s", out);
		free(text[2]);
		free(want);
	}
	free(out);
	free(err);
	free(root);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_failing_migration_stops_startup)
{
	char *dir = tu_mkdtemp();
	char *root = fx_write_skills(dir);
	char *mig = xasprintf("%s/mig", dir), *db = xasprintf("%s/x.db", dir);
	char *args[] = { (char *)bin(), "--skills", root, "--db", db, "--migrations", mig,
			 "--port", "0", NULL };
	char *out, *err;

	tu_write_str(mig, "0001_ok.sql", "CREATE TABLE t (x INTEGER);");
	tu_write_str(mig, "0002_bad.sql", "CREATE TABLE u (y INTEGER); INSERT INTO nowhere VALUES (1);");
	ck_assert_int_eq(run(args, &out, &err), 1);
	ck_assert_msg(strstr(err, "0002_bad.sql") != NULL && strstr(err, "no such table: nowhere"),
		      "stderr: %s", err);
	free(out);
	free(err);
	free(root);
	free(mig);
	free(db);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_serve_and_sigterm)
{
	char *dir = tu_mkdtemp();
	char *root = fx_write_skills(dir);
	char *db = xasprintf("%s/x.db", dir), *log = xasprintf("%s/log", dir);
	unsigned port = tu_free_port();
	char portstr[16];
	struct tu_response r;
	int status, tries;
	pid_t pid;

	snprintf(portstr, sizeof(portstr), "%u", port);
	pid = fork();
	if (pid == 0) {
		char *args[] = { (char *)bin(), "serve", "--skills", root, "--db", db,
				 "--bind", "127.0.0.1", "--port", portstr, NULL };
		if (!freopen(log, "w", stderr))
			_exit(127);
		execv(args[0], args);
		_exit(127);
	}
	for (tries = 0; tries < 200; tries++) {
		if (tu_get(port, "/healthz", NULL, &r) == 0)
			break;
		usleep(50 * 1000);
	}
	ck_assert_int_lt(tries, 200);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(port, "/api/v1/skills/alpha/check", NULL, &r), 0);
	ck_assert(strstr(r.body, "\"tier\":\"platinum\"") != NULL);
	tu_response_fini(&r);

	/* SIGHUP re-indexes what changed (generation 2) and does not stop
	 * the server. */
	tu_write_str(root, "alpha/references/edit.md", "# Edit\n");
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	for (tries = 0; tries < 100; tries++) {
		bool done;

		ck_assert_int_eq(tu_get(port, "/healthz", NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		done = strstr(r.body, "\"generation\":2,") != NULL;
		tu_response_fini(&r);
		if (done)
			break;
		usleep(50 * 1000);
	}
	ck_assert_int_lt(tries, 100);

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	char *text = tu_read(log, NULL);
	ck_assert_msg(strstr(text, "listening on http://127.0.0.1:") != NULL, "%s", text);
	ck_assert(strstr(text, "SIGTERM received") != NULL);
	/* the watcher may see the edit before the signal, or in the same
	 * debounced run: whichever run indexed it says generation 2 */
	ck_assert(strstr(text, "SIGHUP received: re-indexing what changed") != NULL);
	ck_assert(strstr(text, "(generation 2, ") != NULL);
	free(text);
	free(root);
	free(db);
	free(log);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Starts the binary on port with extra arguments; returns its pid once
 * /healthz answers. */
static pid_t start_server(const char *root, const char *db, const char *log, unsigned port,
			  const char *timeout)
{
	char portstr[16];
	struct tu_response r;
	pid_t pid;
	int tries;

	snprintf(portstr, sizeof(portstr), "%u", port);
	pid = fork();
	if (pid == 0) {
		char *args[] = { (char *)bin(), "serve", "--skills", (char *)root, "--db", (char *)db,
				 "--bind", "127.0.0.1", "--port", portstr, "--no-watch",
				 "--shutdown-timeout", (char *)timeout, NULL };
		if (!freopen(log, "w", stderr))
			_exit(127);
		execv(args[0], args);
		_exit(127);
	}
	for (tries = 0; tries < 200; tries++) {
		if (tu_get(port, "/healthz", NULL, &r) == 0) {
			tu_response_fini(&r);
			break;
		}
		usleep(50 * 1000);
	}
	ck_assert_int_lt(tries, 200);
	return pid;
}

static int connect_to(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

#define PING_BODY "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}"

/* SIGTERM while a request is in flight (its body half sent): no new
 * connection is accepted, the request still gets its whole answer, then
 * the server exits 0. A request that never ends is cut after
 * --shutdown-timeout, and the server still exits 0. */
START_TEST(test_sigterm_lets_requests_finish)
{
	char *dir = tu_mkdtemp();
	char *root = fx_write_skills(dir);
	char *db = xasprintf("%s/x.db", dir), *log = xasprintf("%s/log", dir);
	unsigned port = tu_free_port();
	char head[256], answer[4096];
	size_t body_len = strlen(PING_BODY), got = 0;
	struct timespec t0, t1;
	int fd, status;
	ssize_t n;
	pid_t pid = start_server(root, db, log, port, "5");

	fd = connect_to(port);
	ck_assert_int_ge(fd, 0);
	snprintf(head, sizeof(head), "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		 "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		 body_len);
	ck_assert_int_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	ck_assert_int_eq(write(fd, PING_BODY, 10), 10);
	usleep(300 * 1000);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	usleep(300 * 1000);
	/* no longer accepting */
	ck_assert_int_eq(connect_to(port), -1);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0); /* still running */
	ck_assert_int_eq(write(fd, PING_BODY + 10, body_len - 10), (ssize_t)(body_len - 10));
	while ((n = read(fd, answer + got, sizeof(answer) - 1 - got)) > 0)
		got += (size_t)n;
	answer[got] = '\0';
	close(fd);
	ck_assert_msg(strncmp(answer, "HTTP/1.1 200", 12) == 0, "%s", answer);
	ck_assert_msg(strstr(answer, "{\"jsonrpc\":\"2.0\",\"id\":1,") != NULL, "%s", answer);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);

	/* a request that never finishes: cut after the timeout (1 s) */
	port = tu_free_port();
	pid = start_server(root, db, log, port, "1");
	fd = connect_to(port);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	usleep(300 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* it waited the whole --shutdown-timeout for the request (1 s), and
	 * not much more (an upper bound only: the machine may be slow) */
	{
		long ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;

		ck_assert_int_ge(ms, 1000);
		ck_assert_int_le(ms, 4000);
	}
	{
		char *text = tu_read(log, NULL);

		ck_assert_msg(strstr(text, "1 requests still in flight after 1s") != NULL, "%s", text);
		free(text);
	}
	free(root);
	free(db);
	free(log);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* skilld backup: a copy of reviews.db, refused over an existing file and
 * without a source. */
START_TEST(test_backup_command)
{
	char *dir = tu_mkdtemp(), *src = xasprintf("%s/reviews.db", dir);
	char *dest = xasprintf("%s/copy.db", dir), *db = xasprintf("%s/skilld.db", dir);
	char *out, *err, msg[256];
	char *args[] = { (char *)bin(), "backup", "--db", db, dest, NULL };
	char *review_id = xcalloc(1, REVIEW_ID_LEN + 1);
	struct review_start s = { .skill = "alpha", .checklist_path = "c.md",
				  .checklist_digest = "d", .start_items = "[]", .title = "T" };
	struct reviewdb *rv;
	cJSON *o;

	/* none yet: exit 1, saying where it looked */
	ck_assert_int_eq(run(args, &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, src));
	free(out);
	free(err);
	rv = reviewdb_open(src, msg, sizeof(msg));
	ck_assert_msg(rv != NULL, "%s", msg);
	ck_assert_int_eq(reviewdb_create(rv, &s, 1000, review_id, msg, sizeof(msg)), 0);
	/* the server's connection stays open meanwhile, as in real use */
	ck_assert_int_eq(run(args, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, dest));
	free(out);
	free(err);
	reviewdb_close(rv);
	rv = reviewdb_open(dest, msg, sizeof(msg));
	ck_assert_msg(rv != NULL, "%s", msg);
	ck_assert_int_eq(reviewdb_get(rv, review_id, &o), 1);
	cJSON_Delete(o);
	reviewdb_close(rv);
	/* never over a file */
	ck_assert_int_eq(run(args, &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "already exists"));
	free(out);
	free(err);
	/* a PostgreSQL store is pg_dump's to copy; its URI is not echoed */
	args[2] = "--store";
	args[3] = "postgresql://ana:Zz9-secret@db.example/skilld";
	ck_assert_int_eq(run(args, &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "pg_dump"));
	ck_assert_ptr_null(strstr(err, "Zz9-secret"));
	ck_assert_ptr_null(strstr(out, "Zz9-secret"));
	free(out);
	free(err);
	tu_rmtree(dir);
	free(review_id);
	free(dir);
	free(src);
	free(dest);
	free(db);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("binary");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_help_and_version);
	tcase_add_test(tc, test_usage_errors_exit_2);
	tcase_add_test(tc, test_check_command);
	tcase_add_test(tc, test_backup_command);
	tcase_add_test(tc, test_failing_migration_stops_startup);
	tcase_add_test(tc, test_serve_and_sigterm);
	tcase_add_test(tc, test_sigterm_lets_requests_finish);
	suite_add_tcase(s, tc);
	return s;
}
