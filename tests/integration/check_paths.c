/* SPDX-License-Identifier: MIT */
/*
 * Path payloads against the real daemon (SKILLD_BIN, default build/skilld):
 * its one root sits beside a secret file and a folder outside the root, and
 * a skill inside holds symlinks to both (and another skill's SKILL.md is a
 * symlink to the secret). Raw request targets, written into the request
 * line as they are so nothing normalises them, go to every route that
 * serves files: dot segments plain, percent-encoded and overlong UTF-8,
 * encoded slashes and backslashes, NUL, doubled slashes, absolute paths and
 * absolute-form targets, the symlinked names and very long paths (request
 * lines up to 100 KB). Each must answer 400 or 404 within the socket's 10 s
 * timeout, and the secret's marker must appear in no answer. The daemon is
 * started once for the suite on 127.0.0.1 and a free port, and stopped by
 * its pid with SIGTERM.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skilld/base/util.h"
#include "testutil.h"

Suite *paths_suite(void);

#define MARKER "SKILLD-SECRET-3f9c1e7b"

static char *g_dir;    /* the temporary folder of the fixture */
static pid_t g_pid = -1;
static unsigned g_port;

static const char *bin(void)
{
	const char *b = getenv("SKILLD_BIN");
	return b && *b ? b : "build/skilld";
}

static void symlink_or_die(const char *target, const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);

	if (symlink(target, p) != 0) {
		perror(p);
		abort();
	}
	free(p);
}

/*
 * g_dir/secret.txt              the secret (looks like a SKILL.md too)
 * g_dir/outside/notes.md        more secret, in a folder beside the root
 * g_dir/roots/a/x/              skill x: SKILL.md, references/guide.md,
 *   leak.md -> ../../../secret.txt, references/leak.md -> the same,
 *   outdir -> ../../../outside, abs.md -> /abs/path/of/secret.txt
 * g_dir/roots/a/z/SKILL.md -> ../../../secret.txt
 */
static void write_fixture(void)
{
	char *abs = xasprintf("%s/secret.txt", g_dir);

	tu_write_str(g_dir, "secret.txt",
		     "---\nname: z\ndescription: " MARKER "\n---\n# " MARKER "\n" MARKER "\n");
	tu_write_str(g_dir, "outside/notes.md", "# Notes\n" MARKER "\n");
	tu_write_str(g_dir, "outside/SKILL.md",
		     "---\nname: outdir\ndescription: " MARKER "\n---\n" MARKER "\n");
	tu_write_str(g_dir, "roots/a/x/SKILL.md",
		     "---\nname: x\ndescription: An ordinary skill beside a secret.\n---\n"
		     "# X\n\nSee [the guide](references/guide.md).\n");
	tu_write_str(g_dir, "roots/a/x/references/guide.md", "# Guide\n\nPlain text.\n");
	symlink_or_die("../../../secret.txt", g_dir, "roots/a/x/leak.md");
	symlink_or_die("../../../../secret.txt", g_dir, "roots/a/x/references/leak.md");
	symlink_or_die("../../../outside", g_dir, "roots/a/x/outdir");
	symlink_or_die(abs, g_dir, "roots/a/x/abs.md");
	tu_write_str(g_dir, "roots/a/z/.keep", "");
	symlink_or_die("../../../secret.txt", g_dir, "roots/a/z/SKILL.md");
	free(abs);
}

static void start_daemon(void)
{
	char *root, *db, *log, portstr[16];
	struct tu_response r;
	int tries;

	g_dir = tu_mkdtemp();
	write_fixture();
	root = xasprintf("%s/roots/a", g_dir);
	db = xasprintf("%s/skilld.db", g_dir);
	log = xasprintf("%s/log", g_dir);
	g_port = tu_free_port();
	snprintf(portstr, sizeof(portstr), "%u", g_port);
	g_pid = fork();
	if (g_pid == 0) {
		char *args[] = { (char *)bin(), "serve", "--skills", root, "--db", db,
				 "--bind", "127.0.0.1", "--port", portstr, NULL };

		if (!freopen(log, "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(127);
		execv(args[0], args);
		_exit(127);
	}
	/* Up to 60 s: an ASan build on a busy machine starts slowly. */
	for (tries = 0; tries < 600; tries++) {
		if (tu_get(g_port, "/healthz", NULL, &r) == 0)
			break;
		usleep(100 * 1000);
	}
	if (tries == 600) {
		fprintf(stderr, "paths: %s did not start on port %u\n", bin(), g_port);
		abort();
	}
	tu_response_fini(&r);
	free(root);
	free(db);
	free(log);
}

static void stop_daemon(void)
{
	int status;

	if (g_pid > 0) {
		kill(g_pid, SIGTERM);
		waitpid(g_pid, &status, 0);
		g_pid = -1;
	}
	if (g_dir) {
		tu_rmtree(g_dir);
		free(g_dir);
		g_dir = NULL;
	}
}

/* True when the marker appears anywhere in what r holds. */
static bool leaks(const struct tu_response *r)
{
	return (r->headers && strstr(r->headers, MARKER)) ||
	       (r->body && memmem(r->body, r->body_len, MARKER, strlen(MARKER)));
}

/* Sends "GET target HTTP/1.1" as it is and checks a 400 or 404 (or 414,
 * which libmicrohttpd answers itself for a request line over half of
 * --max-header-size) without the marker. */
static void expect_refused(const char *target)
{
	char *raw = xasprintf("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
			      target);
	struct tu_response r;

	ck_assert_msg(tu_http(g_port, raw, &r) == 0, "no answer (or a hang) for %.200s", target);
	ck_assert_msg(r.status == 400 || r.status == 404 || r.status == 414, "%d for %.200s",
		      r.status, target);
	ck_assert_msg(!leaks(&r), "the secret leaked for %.200s", target);
	tu_response_fini(&r);
	free(raw);
}

/* Tails appended to each file-serving route. */
static const char *const tails[] = {
	"..",
	"../secret.txt",
	"../../secret.txt",
	"../../../secret.txt",
	"../../../../../../../../etc/passwd",
	"%2e%2e/%2e%2e/%2e%2e/secret.txt",
	"%2E%2e/%2e%2E/%2E%2E/secret.txt",
	".%2e/.%2e/.%2e/secret.txt",
	"..%2f..%2f..%2fsecret.txt",
	"..%2F..%2F..%2Fsecret.txt",
	"%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
	"..%5c..%5c..%5csecret.txt",
	"..\\..\\..\\secret.txt",
	"%c0%ae%c0%ae/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
	"%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afsecret.txt",
	"%e0%80%ae%e0%80%ae/%e0%80%ae%e0%80%ae/secret.txt",
	"\xc0\xae\xc0\xae/\xc0\xae\xc0\xae/secret.txt",
	"%252e%252e/%252e%252e/%252e%252e/secret.txt",
	"%u002e%u002e/%u002e%u002e/secret.txt",
	"..;/..;/..;/secret.txt",
	"SKILL.md%00.png",
	"SKILL.md%00",
	"%00",
	"SKILL.md/../../../secret.txt",
	"references/../../../../secret.txt",
	"./../../../secret.txt",
	"%2fetc%2fpasswd",
	"/etc/passwd",
	"//secret.txt",
	"%2f%2f..%2f..%2fsecret.txt",
	"leak.md",
	"references/leak.md",
	"abs.md",
	"outdir",
	"outdir/notes.md",
	"outdir/SKILL.md",
	"outdir%2fnotes.md",
	"...//....//secret.txt",
	"..%00/secret.txt",
	"%ff%fe/secret.txt",
};

/* The file-serving routes, up to where the path parameter starts. */
static const char *const routes[] = {
	"/skills/x/",
	"/api/v1/skills/x/files/",
	"/skills/x/references/",
	"/.well-known/skills/x/",
	"/.well-known/agent-skills/x/",
	"/.well-known/agent-skills/",
	"/assets/",
};

START_TEST(test_every_route_every_tail)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		for (size_t k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
			char *t = xasprintf("%s%s", routes[i], tails[k]);

			expect_refused(t);
			free(t);
			n++;
		}
	/* 7 routes × 40 tails, every one sent */
	ck_assert_uint_eq(n, 7 * 40);
}
END_TEST

/* Whole targets: dot segments in the slug or name, root-level climbs,
 * absolute-form targets, the skill whose SKILL.md is a symlink. */
static const char *const targets[] = {
	"/skills/x/../../secret.txt",
	"/api/v1/skills/x/files/..%2f..%2fsecret.txt",
	"/.well-known/skills/x/../..",
	"/.well-known/skills/../../../secret.txt",
	"/.well-known/agent-skills/../../secret.txt",
	"/.well-known/agent-skills/%2e%2e%2fsecret.txt",
	"/skills/..%2f..%2fsecret.txt/SKILL.md",
	"/skills/%2e%2e/%2e%2e/secret.txt",
	"/api/v1/skills/%2e%2e/files/secret.txt",
	"/api/v1/skills/../../secret.txt",
	"/api/v1/skills/x/files/%2e%2e/%2e%2e/%2e%2e/secret.txt",
	"/assets/..%2f..%2f..%2fsecret.txt",
	"/assets/../../secret.txt",
	"/../../../secret.txt",
	"/..",
	"/%2e%2e/%2e%2e/secret.txt",
	"//secret.txt",
	"///etc/passwd",
	"/\\..\\secret.txt",
	"/%5c..%5csecret.txt",
	"/skills/x%2f..%2f..%2fsecret.txt",
	"/skills/z",
	"/skills/z/SKILL.md",
	"/api/v1/skills/z",
	"/api/v1/skills/z/files/SKILL.md",
	"/.well-known/skills/z/SKILL.md",
	"/.well-known/agent-skills/z/SKILL.md",
	"/skills/outdir",
	"/api/v1/skills/outdir/files/SKILL.md",
	"http://127.0.0.1/../secret.txt",
	"http://127.0.0.1/skills/x/../../secret.txt",
	"http://127.0.0.1/..%2f..%2fsecret.txt",
	"http://evil.example/%2e%2e/%2e%2e/secret.txt",
	"http://127.0.0.1:1/skills/x/..%2f..%2fsecret.txt",
};

START_TEST(test_whole_targets)
{
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		expect_refused(targets[i]);
}
END_TEST

/* Targets that are no path at all: HTTP has no answer but 400 for them. */
START_TEST(test_not_a_path)
{
	static const char *const bad[] = {
		"secret.txt",
		"../secret.txt",
		"\\secret.txt",
		"file:///etc/passwd",
		"%2e%2e/secret.txt",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(bad[i]);
}
END_TEST

/* Very long paths: thousands of segments, climbs and encoded dots. */
START_TEST(test_long_paths)
{
	static const char *const units[] = { "a/", "../", "%2e%2e%2f", "..%2f", "/" };

	for (size_t u = 0; u < 2 * sizeof(units) / sizeof(units[0]); u++) {
		size_t want = u % 2 ? 100000 : 6000;
		struct buf b;
		char *t;

		buf_init(&b);
		buf_puts(&b, "/api/v1/skills/x/files/");
		while (b.len < want)
			buf_puts(&b, units[u / 2]);
		buf_puts(&b, "secret.txt");
		t = buf_detach(&b, NULL);
		expect_refused(t);
		free(t);
	}
}
END_TEST

/* Every answer the index gives, and every diagnostic, is free of the marker;
 * the ordinary files of x are served, so the refusals above are not a dead
 * server's. */
START_TEST(test_index_holds_no_secret)
{
	static const char *const ok[] = {
		"/api/v1/skills",
		"/api/v1/skills/x",
		"/api/v1/skills/x/files",
		"/api/v1/skills/x/files/SKILL.md",
		"/api/v1/skills/x/files/references/guide.md",
		"/skills/x/SKILL.md",
		"/skills/x/references/guide.md",
		"/.well-known/skills/index.json",
		"/.well-known/agent-skills/index.json",
		"/.well-known/skills/x/SKILL.md",
		"/api/v1/diagnostics",
		"/llms-full.txt",
		"/api/v1/search?q=secret",
	};
	struct tu_response r;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_int_eq(tu_get(g_port, ok[i], NULL, &r), 0);
		ck_assert_msg(r.status == 200, "%d for %s", r.status, ok[i]);
		ck_assert_msg(!leaks(&r), "the secret leaked through %s", ok[i]);
		tu_response_fini(&r);
	}
	ck_assert_int_eq(tu_get(g_port, "/api/v1/skills", NULL, &r), 0);
	ck_assert(strstr(r.body, "\"x\"") != NULL);
	ck_assert(strstr(r.body, "\"z\"") == NULL);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(g_port, "/api/v1/skills/x/files", NULL, &r), 0);
	ck_assert_msg(strstr(r.body, "leak.md") == NULL && strstr(r.body, "outdir") == NULL &&
			      strstr(r.body, "abs.md") == NULL,
		      "a symlink out of the root is listed: %s", r.body);
	tu_response_fini(&r);
}
END_TEST

Suite *paths_suite(void)
{
	Suite *s = suite_create("paths");
	TCase *tc = tcase_create("payloads");

	tcase_add_unchecked_fixture(tc, start_daemon, stop_daemon);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_every_route_every_tail);
	tcase_add_test(tc, test_whole_targets);
	tcase_add_test(tc, test_not_a_path);
	tcase_add_test(tc, test_long_paths);
	tcase_add_test(tc, test_index_holds_no_secret);
	suite_add_tcase(s, tc);
	return s;
}
