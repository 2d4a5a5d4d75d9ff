/* SPDX-License-Identifier: MIT */
/*
 * Hostile skill folders against the real daemon (SKILLD_BIN, default
 * build/skilld). The fixtures are written at run time under a temporary
 * root: invalid UTF-8 in SKILL.md and in file and folder names, a binary
 * SKILL.md, 20 MB single-line files, a YAML alias bomb, YAML nested 10,000
 * levels deep (flow and block), a 100,000-item checklist, unreadable files
 * and folders, FIFOs as SKILL.md and as a reference, symlink loops and a
 * folder symlinked into itself, folders 50 levels deep, and one ordinary
 * good skill. The daemon is started once on 127.0.0.1 and a free port and
 * stopped by its pid with SIGTERM; the suite asserts that startup ends
 * within HOSTILE_START_S, that the peak resident memory (VmHWM) stays under
 * HOSTILE_MAX_HWM_KB, that the good skill and /api/v1/diagnostics are
 * served, and that every hostile folder is indexed or diagnosed and none of
 * its URLs answers 5xx. The daemon runs without the capabilities that let
 * root read through permission bits (tu_dac_drop_exec), so the chmod 000
 * fixtures are diagnosed when the suite runs as root (CI) too; sockets as
 * SKILL.md and as a reference are refused by type, whoever runs it.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "skilld/base/util.h"
#include "testutil.h"

Suite *hostile_suite(void);

#define HOSTILE_START_S 60                       /* startup, ASan build included */
#define HOSTILE_MAX_HWM_KB (1536L * 1024)        /* 1.5 GB of peak resident memory */
#define BIG_FILE (20u * 1024 * 1024)             /* the single-line files */
#define NEST 10000                               /* YAML nesting levels */
#define ITEMS 100000                             /* checklist items */

static char *g_dir, *g_root;
static pid_t g_pid = -1;
static unsigned g_port;
static double g_start_s;
static long g_hwm_start_kb;

static const char *bin(void)
{
	const char *b = getenv("SKILLD_BIN");
	return b && *b ? b : "build/skilld";
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *rootpath(const char *rel)
{
	return xasprintf("%s/%s", g_root, rel);
}

static void must(int ok, const char *what, const char *rel)
{
	if (!ok) {
		perror(rel);
		fprintf(stderr, "hostile: cannot %s %s\n", what, rel);
		abort();
	}
}

static void mk_symlink(const char *target, const char *rel)
{
	char *p = rootpath(rel);

	must(symlink(target, p) == 0, "symlink", rel);
	free(p);
}

static void mk_fifo(const char *rel)
{
	char *p = rootpath(rel);

	must(mkfifo(p, 0644) == 0, "mkfifo", rel);
	free(p);
}

static void mk_chmod(const char *rel, mode_t mode)
{
	char *p = rootpath(rel);

	must(chmod(p, mode) == 0, "chmod", rel);
	free(p);
}

/* A SKILL.md with a valid frontmatter naming the folder, then body. */
static void write_skill(const char *folder, const char *body)
{
	char *rel = xasprintf("%s/SKILL.md", folder);
	char *text = xasprintf("---\nname: %s\ndescription: A hostile fixture, %s.\n---\n%s",
			       folder, folder, body);

	tu_write_str(g_root, rel, text);
	free(rel);
	free(text);
}

/* A SKILL.md whose frontmatter carries extra YAML after name/description. */
static void write_skill_yaml(const char *folder, const char *yaml, size_t yaml_len)
{
	struct buf b;
	char *rel = xasprintf("%s/SKILL.md", folder);

	buf_init(&b);
	buf_printf(&b, "---\nname: %s\ndescription: A hostile fixture, %s.\n", folder, folder);
	buf_append(&b, yaml, yaml_len);
	buf_puts(&b, "\n---\n# Body\n");
	tu_write(g_root, rel, b.data, b.len);
	buf_fini(&b);
	free(rel);
}

/* Folders the suite writes, each to be indexed or diagnosed. */
static const char *const hostile[] = {
	"bad-utf8", "binary", "huge-line", "huge-skill-md", "alias-bomb", "deep-flow",
	"deep-block", "deep-indent", "big-checklist", "unreadable-file", "unreadable-ref",
	"unreadable-dir", "fifo-skill", "fifo-ref", "sock-skill", "sock-ref", "loops", "deep",
	"deep-inside", "bad-names",
};

static void write_fixtures(void)
{
	struct buf b;
	char *big;
	unsigned seed = 12345;

	write_skill("good", "# Good\n\nAn ordinary skill among hostile ones.\n\n"
			    "See [the guide](references/guide.md).\n");
	tu_write_str(g_root, "good/references/guide.md", "# Guide\n\nPlain words.\n");

	/* Invalid UTF-8 in the frontmatter, body, a reference and its name. */
	tu_write_str(g_root, "bad-utf8/SKILL.md",
		     "---\nname: bad-utf8\ndescription: Bad \xff\xfe bytes \xc0\xaf here.\n---\n"
		     "# T\xed\xa0\x80itle\n\nBody \xf4\x90\x80\x80 and \xc3 cut.\n");
	tu_write_str(g_root, "bad-utf8/references/\xff\xfe-name.md", "# Ref\n\xff\n");

	/* Binary SKILL.md: NULs and pseudo-random bytes. */
	buf_init(&b);
	for (size_t i = 0; i < 65536; i++) {
		seed = seed * 1103515245u + 12345u;
		buf_putc(&b, (char)(i % 7 == 0 ? 0 : (seed >> 16) & 0xff));
	}
	tu_write(g_root, "binary/SKILL.md", b.data, b.len);
	buf_fini(&b);

	/* 20 MB on one line: a reference, and a whole SKILL.md. */
	big = xmalloc(BIG_FILE);
	memset(big, 'a', BIG_FILE);
	write_skill("huge-line", "# Huge\n\nOne reference is a single 20 MB line.\n");
	tu_write(g_root, "huge-line/references/line.md", big, BIG_FILE);
	{
		static const char head[] = "---\nname: huge-skill-md\ndescription: One line.\n---\n";

		memcpy(big, head, sizeof(head) - 1);
	}
	tu_write(g_root, "huge-skill-md/SKILL.md", big, BIG_FILE);
	free(big);

	/* Billion laughs. */
	buf_init(&b);
	buf_puts(&b, "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
	for (int i = 1; i < 10; i++)
		buf_printf(&b, "a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i,
			   i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	buf_puts(&b, "metadata:\n  bomb: *a9");
	write_skill_yaml("alias-bomb", b.data, b.len);
	buf_fini(&b);

	/* 10,000 levels: '[' (flow), "- " on one line and indented lines. */
	buf_init(&b);
	buf_puts(&b, "deep: ");
	for (int i = 0; i < NEST; i++)
		buf_putc(&b, '[');
	write_skill_yaml("deep-flow", b.data, b.len);
	buf_reset(&b);
	buf_puts(&b, "deep:\n");
	for (int i = 0; i < NEST; i++)
		buf_puts(&b, "- ");
	buf_puts(&b, "x");
	write_skill_yaml("deep-block", b.data, b.len);
	buf_reset(&b);
	buf_puts(&b, "deep:");
	for (int i = 0; i < NEST; i++) {
		buf_putc(&b, '\n');
		for (int k = 0; k < i; k++)
			buf_putc(&b, ' ');
		buf_puts(&b, "-");
	}
	buf_puts(&b, " x");
	write_skill_yaml("deep-indent", b.data, b.len);
	buf_fini(&b);

	/* 100,000 checklist items. */
	write_skill("big-checklist", "# Big\n\nUse the checklist.\n");
	buf_init(&b);
	buf_puts(&b, "# Review checklist\n\n## Everything\n\n");
	for (int i = 0; i < ITEMS; i++)
		buf_printf(&b, "- [ ] **Item %d** — check thing number %d\n", i, i);
	tu_write(g_root, "big-checklist/references/review-checklist.md", b.data, b.len);
	buf_fini(&b);

	/* Unreadable: SKILL.md, a reference, a whole folder. */
	write_skill("unreadable-file", "# U\n");
	mk_chmod("unreadable-file/SKILL.md", 0);
	write_skill("unreadable-ref", "# U\n");
	tu_write_str(g_root, "unreadable-ref/references/secret.md", "# S\n");
	mk_chmod("unreadable-ref/references/secret.md", 0);
	write_skill("unreadable-dir", "# U\n");
	tu_write_str(g_root, "unreadable-dir/references/a.md", "# A\n");
	mk_chmod("unreadable-dir/references", 0);

	/* FIFOs: as SKILL.md, and as a reference of a good skill. */
	tu_write_str(g_root, "fifo-skill/README.md", "a folder whose SKILL.md is a FIFO\n");
	mk_fifo("fifo-skill/SKILL.md");
	write_skill("fifo-ref", "# F\n");
	tu_write_str(g_root, "fifo-ref/references/.keep", "");
	mk_fifo("fifo-ref/references/pipe.md");
	mk_fifo("fifo-ref/references/review-checklist.md");

	/* Unix sockets: as SKILL.md, and as a reference of a good skill. */
	tu_write_str(g_root, "sock-skill/README.md", "a folder whose SKILL.md is a socket\n");
	tu_mksock(g_root, "sock-skill/SKILL.md");
	write_skill("sock-ref", "# S\n");
	tu_mksock(g_root, "sock-ref/references/sock.md");

	/* Symlink loops: a -> b -> a, a folder into itself, one up. */
	write_skill("loops", "# L\n");
	mk_symlink("b", "loops/a");
	mk_symlink("a", "loops/b");
	mk_symlink(".", "loops/self");
	tu_write_str(g_root, "loops/sub/x.md", "# X\n");
	mk_symlink("..", "loops/sub/up");
	mk_symlink("../loops", "loops/sub/again");
	mk_symlink(".", "rootloop");

	/* 50 levels: a skill at the bottom, and a skill with deep files. */
	buf_init(&b);
	buf_puts(&b, "deep");
	for (int i = 1; i <= 50; i++)
		buf_printf(&b, "/d%d", i);
	buf_puts(&b, "/SKILL.md");
	tu_write_str(g_root, b.data, "---\nname: d50\ndescription: Fifty levels down.\n---\n");
	buf_reset(&b);
	buf_puts(&b, "deep-inside/references");
	for (int i = 1; i <= 50; i++)
		buf_puts(&b, "/a");
	buf_puts(&b, "/x.md");
	write_skill("deep-inside", "# D\n");
	tu_write_str(g_root, b.data, "# Fifty levels down\n");
	buf_fini(&b);

	/* Invalid UTF-8 in a folder name and in file names. */
	write_skill("bad-names", "# N\n");
	tu_write_str(g_root, "bad-names/\xc3(/\xed\xa0\x80.md", "# N\n");
	tu_write_str(g_root, "bad-names/references/\x01\x7f\x1b[31m.md", "# C\n");
	tu_write_str(g_root, "bad\xffname/SKILL.md",
		     "---\nname: bad-name\ndescription: A folder name that is not UTF-8.\n---\n");
}

/* VmHWM of pid in kB, or -1. */
static long vm_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void start_daemon(void)
{
	char *db, *log, portstr[16];
	struct tu_response r;
	double t0;
	int status;

	g_dir = tu_mkdtemp();
	g_root = xasprintf("%s/root", g_dir);
	write_fixtures();
	db = xasprintf("%s/skilld.db", g_dir);
	log = xasprintf("%s/log", g_dir);
	g_port = tu_free_port();
	snprintf(portstr, sizeof(portstr), "%u", g_port);
	t0 = now_s();
	g_pid = fork();
	if (g_pid == 0) {
		char *args[] = { (char *)bin(), "serve", "--skills", g_root, "--db", db,
				 "--bind", "127.0.0.1", "--port", portstr, NULL };

		if (!freopen(log, "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(127);
		/* root, too, is refused the chmod 000 fixtures */
		if (tu_dac_drop_exec() != 0) {
			perror("hostile: cannot drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH");
			_exit(126);
		}
		execv(args[0], args);
		_exit(127);
	}
	for (;;) {
		if (tu_get(g_port, "/healthz", NULL, &r) == 0)
			break;
		if (now_s() - t0 > HOSTILE_START_S ||
		    waitpid(g_pid, &status, WNOHANG) == g_pid) {
			char *text = tu_read(log, NULL);

			fprintf(stderr, "hostile: %s did not start within %d s; its log:\n%s\n",
				bin(), HOSTILE_START_S, text);
			free(text);
			if (g_pid > 0)
				kill(g_pid, SIGKILL);
			abort();
		}
		usleep(100 * 1000);
	}
	g_start_s = now_s() - t0;
	g_hwm_start_kb = vm_hwm_kb(g_pid);
	tu_response_fini(&r);
	fprintf(stderr, "hostile: startup %.1f s, VmHWM %ld kB after startup\n", g_start_s,
		g_hwm_start_kb);
	free(db);
	free(log);
}

static void stop_daemon(void)
{
	int status;

	if (g_pid > 0) {
		fprintf(stderr, "hostile: VmHWM %ld kB at the end\n", vm_hwm_kb(g_pid));
		kill(g_pid, SIGTERM);
		waitpid(g_pid, &status, 0);
		g_pid = -1;
	}
	if (g_dir) {
		/* give back what chmod 000 took, so the tree can be removed */
		mk_chmod("unreadable-dir/references", 0755);
		tu_rmtree(g_dir);
		free(g_dir);
		free(g_root);
		g_dir = g_root = NULL;
	}
}

/* The CapEff line of pid's status (a hex mask), or ~0 when unreadable. */
static unsigned long long cap_eff(pid_t pid)
{
	char path[64], line[256];
	unsigned long long caps = ~0ull;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return caps;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

START_TEST(test_startup_bounded)
{
	/* the daemon reads as anyone would: no CAP_DAC_OVERRIDE (bit 1),
	 * no CAP_DAC_READ_SEARCH (bit 2), even when the suite is root */
	ck_assert_msg((cap_eff(g_pid) & 6ull) == 0, "CapEff %llx", cap_eff(g_pid));
	ck_assert_msg(g_start_s < HOSTILE_START_S, "startup took %.1f s", g_start_s);
	ck_assert_msg(g_hwm_start_kb > 0 && g_hwm_start_kb < HOSTILE_MAX_HWM_KB,
		      "VmHWM %ld kB after startup", g_hwm_start_kb);
}
END_TEST

START_TEST(test_good_skill_served)
{
	static const char *const urls[] = {
		"/api/v1/skills/good", "/skills/good", "/api/v1/skills/good/files/SKILL.md",
		"/skills/good/references/guide.md", "/api/v1/skills", "/", "/healthz",
	};
	struct tu_response r;

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		ck_assert_int_eq(tu_get(g_port, urls[i], NULL, &r), 0);
		ck_assert_msg(r.status == 200, "%d for %s", r.status, urls[i]);
		tu_response_fini(&r);
	}
	ck_assert_int_eq(tu_get(g_port, "/api/v1/skills/good", NULL, &r), 0);
	ck_assert(strstr(r.body, "An ordinary skill among hostile ones") != NULL ||
		  strstr(r.body, "A hostile fixture, good.") != NULL);
	tu_response_fini(&r);
}
END_TEST

/* Every hostile folder is a skill answering /api/v1/skills/{slug}, or is
 * named in the diagnostics; no URL of it answers 5xx. */
START_TEST(test_each_indexed_or_diagnosed)
{
	struct tu_response diag, r;

	ck_assert_int_eq(tu_get(g_port, "/api/v1/diagnostics", NULL, &diag), 0);
	ck_assert_int_eq(diag.status, 200);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const char *f = hostile[i];
		char *url = xasprintf("/api/v1/skills/%s", f);
		char *named = xasprintf("\"%s/", f);
		bool indexed, diagnosed;

		ck_assert_int_eq(tu_get(g_port, url, NULL, &r), 0);
		indexed = r.status == 200;
		ck_assert_msg(r.status == 200 || r.status == 404, "%d for %s", r.status, url);
		tu_response_fini(&r);
		diagnosed = strstr(diag.body, named) != NULL;
		ck_assert_msg(indexed || diagnosed, "%s is neither indexed nor diagnosed", f);
		fprintf(stderr, "hostile: %-16s %s%s\n", f, indexed ? "indexed" : "not indexed",
			diagnosed ? ", diagnosed" : "");
		if (indexed) {
			static const char *const subs[] = { "", "/files", "/checklist", "/evals",
							    "/check", "/archive.tar.gz" };

			for (size_t k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
				char *u = xasprintf("/api/v1/skills/%s%s", f, subs[k]);

				ck_assert_int_eq(tu_get(g_port, u, NULL, &r), 0);
				ck_assert_msg(r.status < 500, "%d for %s", r.status, u);
				tu_response_fini(&r);
				free(u);
			}
			free(url);
			url = xasprintf("/skills/%s", f);
			ck_assert_int_eq(tu_get(g_port, url, "Accept: text/html\r\n", &r), 0);
			ck_assert_msg(r.status == 200, "%d for %s", r.status, url);
			tu_response_fini(&r);
		}
		free(url);
		free(named);
	}
	/* The diagnostics name what is wrong, not only where. */
	ck_assert(strstr(diag.body, "skill-md-not-regular") != NULL);  /* the FIFO SKILL.md */
	ck_assert(strstr(diag.body, "dir-too-deep") != NULL ||
		  strstr(diag.body, "skill-too-deep") != NULL);
	ck_assert(strstr(diag.body, "file-too-large") != NULL);
	ck_assert(strstr(diag.body, "file-name-invalid") != NULL);      /* bad-names */
	ck_assert(strstr(diag.body, "symlink-loop") != NULL);
	ck_assert_msg(strstr(diag.body, "\"unreadable-file/SKILL.md") != NULL &&
		      strstr(diag.body, "\"unreadable-ref/references/secret.md") &&
		      strstr(diag.body, "\"unreadable-dir/references"),
		      "unreadable fixtures not diagnosed: %s", diag.body);
	/* refused by type: the socket SKILL.md and the socket reference */
	ck_assert_ptr_nonnull(strstr(diag.body, "\"path\":\"sock-skill/SKILL.md\""));
	ck_assert_ptr_nonnull(strstr(diag.body, "SKILL.md is a socket, not a regular file"));
	ck_assert_ptr_nonnull(strstr(diag.body, "\"path\":\"sock-ref/references/sock.md\""));
	tu_response_fini(&diag);
}
END_TEST

/* What the big fixtures became, and the server after all of it. */
START_TEST(test_big_ones_and_still_up)
{
	struct tu_response r;
	cJSON *j;
	long hwm;

	/* 100,000 items in 5 MB, under --max-file-size: parsed and served */
	ck_assert_int_eq(tu_get(g_port, "/api/v1/skills/big-checklist/checklist", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	j = cJSON_Parse(r.body);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "item_count")), ITEMS);
	cJSON_Delete(j);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(g_port, "/api/v1/skills/huge-line/files/references/line.md",
				NULL, &r), 0);
	/* 20 MB, over the default --max-file-size (16 MB): listed, not stored */
	ck_assert_int_eq(r.status, 404);
	ck_assert_ptr_nonnull(strstr(r.body, "\"not_stored\""));
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(g_port, "/api/v1/search?q=item", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(g_port, "/llms-full.txt", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(g_port, "/healthz", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	hwm = vm_hwm_kb(g_pid);
	ck_assert_msg(hwm > 0 && hwm < HOSTILE_MAX_HWM_KB, "VmHWM %ld kB", hwm);
}
END_TEST

Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("folders");

	tcase_add_unchecked_fixture(tc, start_daemon, stop_daemon);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_startup_bounded);
	tcase_add_test(tc, test_good_skill_served);
	tcase_add_test(tc, test_each_indexed_or_diagnosed);
	tcase_add_test(tc, test_big_ones_and_still_up);
	suite_add_tcase(s, tc);
	return s;
}
