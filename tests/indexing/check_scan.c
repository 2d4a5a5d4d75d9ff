/* SPDX-License-Identifier: MIT */
/*
 * Tests for scan: which folders are skills, depth and symlink rules, and
 * the exact file inventory (paths, kinds, sizes, digests, MIME, text flag).
 * Every fixture is built at test time in a fresh temporary folder, hostile
 * ones included: FIFOs, loops, links out of the root, names with newlines
 * and invalid UTF-8, paths longer than PATH_MAX, 10,000 files.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "skilld/indexing/scan.h"
#include "testutil.h"

Suite *scan_suite(void);

#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- fixture helpers -------------------------------------------------- */

/* Removes name below dirfd and everything in it, by descriptors (works past PATH_MAX). */
static void rm_at(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	if (fd < 0) {
		unlinkat(parent, name, 0);
		return;
	}
	fchmod(fd, 0755);
	d = fdopendir(fd);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	for (size_t i = 0; i < n; i++) {
		rm_at(fd, names[i]);
		free(names[i]);
	}
	free(names);
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

/* Removes a fixture tree and frees its name. */
static void rmtree(char *dir)
{
	rm_at(AT_FDCWD, dir);
	free(dir);
}

/* mkdir -p dir/rel. */
static void mkdirs(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);

	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			ck_abort_msg("mkdir %s: %s", path, strerror(errno));
		*p = c;
		if (!c)
			break;
	}
	free(path);
}

/* Creates the symlink dir/rel -> target (parents must exist). */
static void mklink(const char *dir, const char *rel, const char *target)
{
	char *path = xasprintf("%s/%s", dir, rel);

	if (symlink(target, path) != 0)
		ck_abort_msg("symlink %s: %s", path, strerror(errno));
	free(path);
}

/* Creates a FIFO at dir/rel. */
static void mkfifo_at(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);

	ck_assert_int_eq(mkfifo(path, 0644), 0);
	free(path);
}

/* "c/c/c" with n components; free() the result. */
static char *repeat_path(const char *comp, int n)
{
	struct buf b;

	buf_init(&b);
	for (int i = 0; i < n; i++) {
		if (i)
			buf_putc(&b, '/');
		buf_puts(&b, comp);
	}
	return buf_detach(&b, NULL);
}

/* A string of n copies of c; free() the result. */
static char *repeat_char(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/*
 * Nests levels folders named comp below dir through descriptors, so the
 * chain may be longer than PATH_MAX, and writes file with text at the bottom.
 */
static void deep_chain(const char *dir, const char *comp, int levels, const char *file,
		       const char *text)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < levels; i++) {
		int next;

		ck_assert_int_eq(mkdirat(fd, comp, 0755), 0);
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(next, 0);
		close(fd);
		fd = next;
	}
	int ffd = openat(fd, file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(ffd, 0);
	ck_assert_int_eq(write(ffd, text, strlen(text)), (ssize_t)strlen(text));
	close(ffd);
	close(fd);
}

/* ---- result summaries --------------------------------------------------- */

/* Comparison for sorting lines (qsort over char *). */
static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every diagnostic as "severity code path", sorted, one per line; free(). */
static char *diags_text(const struct diag_list *l)
{
	char **lines = xcalloc(l->len + 1, sizeof(*lines));
	struct buf b;

	for (size_t i = 0; i < l->len; i++)
		lines[i] = xasprintf("%s %s %s", diag_severity_name(l->items[i].severity),
				     l->items[i].code, l->items[i].path ? l->items[i].path : "(none)");
	qsort(lines, l->len, sizeof(*lines), cmp_line);
	buf_init(&b);
	for (size_t i = 0; i < l->len; i++) {
		buf_printf(&b, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return buf_detach(&b, NULL);
}

/* The skills' rel paths in result order, one per line ("." for the root); free(). */
static char *skills_text(const struct scan_result *r)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < r->len; i++)
		buf_printf(&b, "%s\n", *r->skills[i].rel ? r->skills[i].rel : ".");
	return buf_detach(&b, NULL);
}

/* Each file as "path|kind|size|mime|text" in list order; free(). */
static char *files_text(const struct file_list *l)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < l->len; i++)
		buf_printf(&b, "%s|%s|%llu|%s|%d\n", l->items[i].path,
			   file_kind_name(l->items[i].kind), (unsigned long long)l->items[i].size,
			   l->items[i].mime, l->items[i].text);
	return buf_detach(&b, NULL);
}

/* Asserts the diagnostics equal expected (see diags_text). */
#define ASSERT_DIAGS(list, expected) do { \
	char *got_ = diags_text(list); \
	ck_assert_str_eq(got_, expected); \
	free(got_); \
} while (0)

/* Asserts the skills found equal expected (see skills_text). */
#define ASSERT_SKILLS(result, expected) do { \
	char *got_ = skills_text(result); \
	ck_assert_str_eq(got_, expected); \
	free(got_); \
} while (0)

/* The diagnostic with this code and path, or NULL. */
static const struct diag *diag_find(const struct diag_list *l, const char *code, const char *path)
{
	for (size_t i = 0; i < l->len; i++)
		if (strcmp(l->items[i].code, code) == 0 && l->items[i].path &&
		    strcmp(l->items[i].path, path) == 0)
			return &l->items[i];
	return NULL;
}

/* ---- scan_root ---------------------------------------------------------- */

/* The diagnostics in the order they were made, one a line. */
static char *diags_in_order(const struct diag_list *l)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < l->len; i++)
		buf_printf(&b, "%s %s %s: %s\n", diag_severity_name(l->items[i].severity),
			   l->items[i].code, l->items[i].path ? l->items[i].path : "(none)",
			   l->items[i].message);
	return buf_detach(&b, NULL);
}

/* scan_root of root with one thread (one) or as it chooses: its skills and
 * diagnostics, in order, as text (free()). */
static char *scan_text(const char *root, bool one)
{
	struct scan_result r;
	struct diag_list d;
	char *skills, *diags, *all;

	scan_test_hooks.one_thread = one;
	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	scan_test_hooks.one_thread = false;
	skills = skills_text(&r);
	diags = diags_in_order(&d);
	all = xasprintf("%s--\n%s", skills, diags);
	free(skills);
	free(diags);
	scan_result_fini(&r);
	diag_list_fini(&d);
	return all;
}

/* Threads walking the root's top folders find what one thread finds, with
 * the same diagnostics in the same order: skills at every depth, inside
 * skills, too deep, duplicates, a SKILL.md that is a folder, skipped
 * folders, a root that is itself a skill; then a symlink deep in one top
 * folder makes the walk one thread's again, with the same answer. */
START_TEST(test_root_threads_find_what_one_finds)
{
	char *root = tu_mkdtemp(), *one, *many;
	size_t before;

	tu_write_str(root, "SKILL.md", "the root is a skill\n");
	for (int i = 0; i < 40; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "t%02d/s/SKILL.md", i);
		tu_write_str(root, rel, "s\n");
		snprintf(rel, sizeof(rel), "t%02d/s/inner/SKILL.md", i);
		if (i % 3 == 0)
			tu_write_str(root, rel, "a skill inside a skill\n");
		snprintf(rel, sizeof(rel), "t%02d/a/b/c/d/e/f/g/h/i/SKILL.md", i);
		if (i % 7 == 0)
			tu_write_str(root, rel, "too deep\n");
		snprintf(rel, sizeof(rel), "t%02d/both/skill.md", i);
		if (i % 5 == 0) {
			tu_write_str(root, rel, "lower\n");
			snprintf(rel, sizeof(rel), "t%02d/both/SKILL.md", i);
			tu_write_str(root, rel, "upper\n");
		}
		snprintf(rel, sizeof(rel), "t%02d/odd/SKILL.md/x", i);
		if (i % 11 == 0)
			tu_write_str(root, rel, "SKILL.md is a folder\n");
		snprintf(rel, sizeof(rel), "t%02d/.git/k/SKILL.md", i);
		tu_write_str(root, rel, "skipped\n");
	}
	tu_write_str(root, "plain.txt", "a file at the top\n");

	before = atomic_load(&scan_test_hooks.shared);
	one = scan_text(root, true);
	ck_assert_uint_eq(atomic_load(&scan_test_hooks.shared), before);
	many = scan_text(root, false);
	ck_assert_uint_eq(atomic_load(&scan_test_hooks.shared), before + 1);
	ck_assert_str_eq(many, one);
	ck_assert_ptr_nonnull(strstr(one, "t39/s\n"));
	ck_assert_ptr_nonnull(strstr(one, "skill-too-deep t35/"));
	free(one);
	free(many);

	mklink(root, "t17/s/inner2", "../../t18/s");
	one = scan_text(root, true);
	many = scan_text(root, false);
	ck_assert_uint_eq(atomic_load(&scan_test_hooks.shared), before + 1);
	ck_assert_str_eq(many, one);
	free(one);
	free(many);
	tu_rmtree(root);
	free(root);
}
END_TEST

START_TEST(test_root_finds_skills_in_messy_layout)
{
	char *root = tu_mkdtemp();
	char *real = realpath(root, NULL);
	char *dir;
	struct scan_result r;
	struct diag_list d;

	tu_write_str(root, "SKILL.md", "root skill\n");
	tu_write_str(root, "skills/alpha/SKILL.md", "a\n");
	tu_write_str(root, "skills/alpha/inner/SKILL.md", "skill inside a skill\n");
	tu_write_str(root, "skills/alpha/.git/y/SKILL.md", "skipped\n");
	tu_write_str(root, "skills/.curated/beta/SKILL.md", "b\n");
	tu_write_str(root, "skills/Zeta/SKILL.md", "z\n");
	tu_write_str(root, ".git/hooks/x/SKILL.md", "skipped\n");
	tu_write_str(root, "node_modules/pkg/SKILL.md", "skipped\n");
	tu_write_str(root, "lower/skill.md", "lower case\n");
	tu_write_str(root, "both/SKILL.md", "upper\n");
	tu_write_str(root, "both/skill.md", "lower\n");
	tu_write_str(root, "odd/Skill.md", "not a marker\n");
	tu_write_str(root, "odd/SKILL.MD", "not a marker\n");
	tu_write_str(root, "odd/SKILL.md.bak", "not a marker\n");
	mkdirs(root, "empty/folder");
	/* a walk visits tools/x before tools-extra; bytewise order is the reverse */
	tu_write_str(root, "tools/SKILL.md", "t\n");
	tu_write_str(root, "tools/x/SKILL.md", "tx\n");
	tu_write_str(root, "tools-extra/SKILL.md", "te\n");

	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ck_assert_str_eq(r.root, real);
	ASSERT_SKILLS(&r, ".\nboth\nlower\nskills/.curated/beta\nskills/Zeta\nskills/alpha\n"
			  "skills/alpha/inner\ntools\ntools-extra\ntools/x\n");
	ASSERT_DIAGS(&d, "warning skill-md-duplicate both/skill.md\n");

	ck_assert_str_eq(r.skills[0].rel, "");
	ck_assert_str_eq(r.skills[0].dir, real);
	ck_assert_str_eq(r.skills[0].folder, strrchr(real, '/') + 1);
	ck_assert_str_eq(r.skills[0].skill_md, "SKILL.md");
	ck_assert_str_eq(r.skills[1].skill_md, "SKILL.md");
	ck_assert_str_eq(r.skills[2].skill_md, "skill.md");
	ck_assert_str_eq(r.skills[3].folder, "beta");
	dir = xasprintf("%s/skills/alpha", real);
	ck_assert_str_eq(r.skills[5].dir, dir);
	ck_assert_str_eq(r.skills[5].folder, "alpha");
	free(dir);

	scan_result_fini(&r);
	diag_list_fini(&d);
	free(real);
	rmtree(root);
}
END_TEST

START_TEST(test_root_depth_limits)
{
	char *root = tu_mkdtemp();
	char *d8 = repeat_path("d", 8), *e9 = repeat_path("e", 9);
	char *f20 = repeat_path("f", 20), *f40 = repeat_path("f", 40), *f33 = repeat_path("f", 33);
	char *rel, *expected;
	struct scan_result r;
	struct diag_list d;
	const struct diag *too_deep;

	rel = xasprintf("%s/SKILL.md", d8);
	tu_write_str(root, rel, "deepest allowed\n");
	free(rel);
	rel = xasprintf("%s/SKILL.md", e9);
	tu_write_str(root, rel, "one level too deep\n");
	free(rel);
	rel = xasprintf("%s/skill.md", e9);
	tu_write_str(root, rel, "its lowercase twin must be named too\n");
	free(rel);
	rel = xasprintf("%s/SKILL.md", f20);
	tu_write_str(root, rel, "found only to be reported\n");
	free(rel);
	rel = xasprintf("%s/SKILL.md", f40);
	tu_write_str(root, rel, "beyond the hard limit\n");
	free(rel);

	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ASSERT_SKILLS(&r, "d/d/d/d/d/d/d/d\n");
	expected = xasprintf("warning dir-too-deep %s\nwarning skill-too-deep %s/SKILL.md\n"
			     "warning skill-too-deep %s/skill.md\n"
			     "warning skill-too-deep %s/SKILL.md\n", f33, e9, e9, f20);
	ASSERT_DIAGS(&d, expected);
	rel = xasprintf("%s/SKILL.md", e9);
	too_deep = diag_find(&d, "skill-too-deep", rel);
	ck_assert_ptr_nonnull(too_deep);
	ck_assert_ptr_nonnull(strstr(too_deep->message, "9 folder levels"));
	free(rel);

	free(expected);
	free(d8);
	free(e9);
	free(f20);
	free(f40);
	free(f33);
	scan_result_fini(&r);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

START_TEST(test_root_symlinks)
{
	char *root = tu_mkdtemp();
	char *outside = tu_mkdtemp();
	char *target;
	struct scan_result r;
	struct diag_list d;

	tu_write_str(outside, "SKILL.md", "outside\n");
	tu_write_str(outside, "ext/SKILL.md", "outside\n");
	tu_write_str(outside, "file.txt", "secret\n");
	tu_write_str(root, "skills/a/SKILL.md", "a\n");
	mklink(root, "alias", "skills");                 /* folder alias inside */
	mklink(root, "loop", ".");                       /* cycle to the root */
	mklink(root, "up", "..");                        /* parent: outside */
	target = xasprintf("%s/ext", outside);
	mklink(root, "ext", target);                     /* folder outside */
	free(target);
	mkdirs(root, "outmd");
	target = xasprintf("%s/SKILL.md", outside);
	mklink(root, "outmd/SKILL.md", target);          /* marker outside */
	free(target);
	mkdirs(root, "linked");
	mklink(root, "linked/SKILL.md", "../skills/a/SKILL.md");  /* marker inside: fine */
	mklink(root, "dangling", "no-such-thing");
	mklink(root, "ring1", "ring2");
	mklink(root, "ring2", "ring1");
	target = xasprintf("%s/file.txt", outside);
	mklink(root, "plainout", target);                /* ordinary file outside: not ours */
	free(target);
	mklink(root, "skills/a/out", outside);           /* inside a skill: left to the inventory */
	mklink(root, "skills/a/gone", "nowhere");

	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ASSERT_SKILLS(&r, "linked\nskills/a\n");
	ASSERT_DIAGS(&d,
		     "warning symlink-dangling dangling\n"
		     "warning symlink-loop ring1\n"
		     "warning symlink-loop ring2\n"
		     "warning symlink-outside-root ext\n"
		     "warning symlink-outside-root outmd/SKILL.md\n"
		     "warning symlink-outside-root up\n");
	ck_assert_str_eq(r.skills[0].skill_md, "SKILL.md");

	scan_result_fini(&r);
	diag_list_fini(&d);
	rmtree(root);
	rmtree(outside);
}
END_TEST

START_TEST(test_root_follows_symlinked_folder_once)
{
	char *root = tu_mkdtemp();
	char *real = realpath(root, NULL);
	char *g34 = repeat_path("g", 34), *g33 = repeat_path("g", 33);
	char *rel, *target, *expected, *via;
	struct scan_result r;
	struct diag_list d;

	/* Only reachable through the link: the real path is past the hard limit. */
	rel = xasprintf("%s/s/SKILL.md", g34);
	tu_write_str(root, rel, "deep\n");
	free(rel);
	target = xasprintf("%s/%s", real, g34);
	mklink(root, "short", target);
	free(target);
	/* Two links to the same skill and one to the root: still one skill. */
	tu_write_str(root, "real/SKILL.md", "r\n");
	mklink(root, "a-link", "real");
	mklink(root, "b-link", "real");
	mklink(root, "cycle", ".");

	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ASSERT_SKILLS(&r, "real\nshort/s\n");
	expected = xasprintf("warning dir-too-deep %s\n", g33);
	ASSERT_DIAGS(&d, expected);
	via = xasprintf("%s/short/s", real);
	ck_assert_str_eq(r.skills[1].dir, via);
	ck_assert_str_eq(r.skills[1].folder, "s");

	free(via);
	free(expected);
	free(g34);
	free(g33);
	free(real);
	scan_result_fini(&r);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

START_TEST(test_root_skill_md_not_a_file)
{
	char *root = tu_mkdtemp();
	struct scan_result r;
	struct diag_list d;

	tu_write_str(root, "d1/SKILL.md/readme.txt", "a folder named SKILL.md\n");
	mkdirs(root, "d2");
	mkfifo_at(root, "d2/SKILL.md");
	mkdirs(root, "d3");
	mkfifo_at(root, "d3/SKILL.md");
	tu_write_str(root, "d3/skill.md", "the usable one\n");
	mkdirs(root, "d4");
	mklink(root, "d4/SKILL.md", "../d1/SKILL.md");
	mkdirs(root, "d5");
	mklink(root, "d5/SKILL.md", "missing.md");
	tu_write_str(root, "d5/skill.md", "fallback\n");

	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ASSERT_SKILLS(&r, "d3\nd5\n");
	ck_assert_str_eq(r.skills[0].skill_md, "skill.md");
	ck_assert_str_eq(r.skills[1].skill_md, "skill.md");
	ASSERT_DIAGS(&d,
		     "error skill-md-not-regular d1/SKILL.md\n"
		     "error skill-md-not-regular d2/SKILL.md\n"
		     "error skill-md-not-regular d3/SKILL.md\n"
		     "error skill-md-not-regular d4/SKILL.md\n"
		     "warning symlink-dangling d5/SKILL.md\n");
	ck_assert_str_eq(diag_find(&d, "skill-md-not-regular", "d1/SKILL.md")->message,
			 "SKILL.md is a directory, not a regular file");
	ck_assert_str_eq(diag_find(&d, "skill-md-not-regular", "d2/SKILL.md")->message,
			 "SKILL.md is a FIFO, not a regular file");
	ck_assert_str_eq(diag_find(&d, "skill-md-not-regular", "d4/SKILL.md")->message,
			 "SKILL.md links to a directory, not a regular file");

	scan_result_fini(&r);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

/* What no one may read: a SKILL.md that is a socket (refused by type,
 * whoever runs the scan), a SKILL.md and a folder chmod 000. The
 * permission bits are checked without root's capabilities to read through
 * them (tu_dac_drop), so this runs the same as root (CI) as otherwise. */
START_TEST(test_root_unreadable_entries)
{
	char *root;
	char *path;
	struct scan_result r;
	struct diag_list d;

	root = tu_mkdtemp();
	tu_write_str(root, "locked/SKILL.md", "no read permission\n");
	tu_write_str(root, "closed/sub/SKILL.md", "behind a closed folder\n");
	tu_write_str(root, "ok/SKILL.md", "fine\n");
	tu_mksock(root, "sock/SKILL.md");
	path = xasprintf("%s/locked/SKILL.md", root);
	ck_assert_int_eq(chmod(path, 0), 0);
	free(path);
	path = xasprintf("%s/closed", root);
	ck_assert_int_eq(chmod(path, 0), 0);

	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_msg(tu_dac_drop() == 0, "cannot drop CAP_DAC_OVERRIDE: %s", strerror(errno));
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ck_assert_int_eq(tu_dac_restore(), 0);
	ASSERT_SKILLS(&r, "ok\n");
	ASSERT_DIAGS(&d, "error skill-md-not-regular sock/SKILL.md\n"
			 "error skill-md-unreadable locked/SKILL.md\n"
			 "warning dir-unreadable closed\n");
	ck_assert_str_eq(diag_find(&d, "skill-md-not-regular", "sock/SKILL.md")->message,
			 "SKILL.md is a socket, not a regular file");

	chmod(path, 0755);
	free(path);
	scan_result_fini(&r);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

START_TEST(test_root_hostile_names)
{
	char *root = tu_mkdtemp();
	char *x255 = repeat_char('x', 255), *y250 = repeat_char('y', 250);
	char *long8 = repeat_path(x255, 8), *y20 = repeat_path(y250, 20);
	char *rel, *expected;
	struct scan_result r;
	struct diag_list d;
	struct file_list files;

	tu_write_str(root, "with space/SKILL.md", "s\n");
	tu_write_str(root, "new\nline/SKILL.md", "n\n");
	tu_write_str(root, "new\nline/a b\nc.md", "abc");
	tu_write(root, "new\nline/\xff\xfe.bin", "\0", 1);
	rel = xasprintf("new\nline/%s", x255);
	tu_write_str(root, rel, "long file name");
	free(rel);
	tu_write_str(root, "bad\xff\xfe/SKILL.md", "b\n");
	tu_write_str(root, "caf\xc3\xa9/SKILL.md", "c\n");
	rel = xasprintf("%s/SKILL.md", long8);
	tu_write_str(root, rel, "eight long names\n");
	free(rel);
	deep_chain(root, y250, 20, "SKILL.md", "past PATH_MAX\n");

	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ck_assert_uint_eq(r.len, 5);
	ck_assert_str_eq(r.skills[0].rel, "bad\xff\xfe");
	ck_assert_str_eq(r.skills[1].rel, "caf\xc3\xa9");
	ck_assert_str_eq(r.skills[2].rel, "new\nline");
	ck_assert_str_eq(r.skills[3].rel, "with space");
	ck_assert_str_eq(r.skills[4].rel, long8);
	ck_assert_uint_eq(strlen(r.skills[4].rel), 8 * 255 + 7);
	ck_assert_str_eq(r.skills[4].folder, x255);
	ck_assert_uint_eq(strlen(y20), 20 * 250 + 19);
	ck_assert_uint_gt(strlen(y20), PATH_MAX); /* what the chain is for */
	expected = xasprintf("warning skill-too-deep %s/SKILL.md\n", y20);
	ASSERT_DIAGS(&d, expected);
	free(expected);
	diag_list_fini(&d);

	/* The inventory of the folder with a newline in its name. */
	file_list_init(&files);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, r.skills[2].dir, 1024, &files, &d), 0);
	ck_assert_uint_eq(files.len, 3);
	ck_assert_str_eq(files.items[0].path, "SKILL.md");
	ck_assert_str_eq(files.items[1].path, "a b\nc.md");
	ck_assert_str_eq(files.items[1].digest, ABC_SHA);
	ck_assert_str_eq(files.items[2].path, x255);
	/* a name that is not UTF-8 could never be fetched: left out */
	ASSERT_DIAGS(&d, "warning file-name-invalid new\nline/\xff\xfe.bin\n");
	file_list_fini(&files);
	diag_list_fini(&d);

	/* The skill whose path is eight 255-byte names. */
	file_list_init(&files);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, r.skills[4].dir, 1024, &files, &d), 0);
	ck_assert_uint_eq(files.len, 1);
	ck_assert_str_eq(files.items[0].content, "eight long names\n");
	ck_assert_uint_eq(d.len, 0);
	file_list_fini(&files);
	diag_list_fini(&d);

	free(x255);
	free(y250);
	free(long8);
	free(y20);
	scan_result_fini(&r);
	rmtree(root);
}
END_TEST

START_TEST(test_root_errors)
{
	char *dir = tu_mkdtemp();
	char *file = xasprintf("%s/plain.txt", dir);
	char *link = xasprintf("%s/link", dir);
	char *real = realpath(dir, NULL);
	char *expect_real;
	struct scan_result r;
	struct diag_list d;

	tu_write_str(dir, "plain.txt", "not a folder");
	tu_write_str(dir, "tree/s/SKILL.md", "x\n");
	mklink(dir, "link", "tree");

	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root("/nonexistent/skilld/root", &r, &d), -1);
	ck_assert_int_eq(scan_root(file, &r, &d), -1);
	ck_assert_ptr_null(r.root);
	ck_assert_uint_eq(r.len, 0);
	ASSERT_DIAGS(&d, "error root-unreadable (none)\nerror root-unreadable (none)\n");
	diag_list_fini(&d);

	/* A root given through a symlink is reported by its real path. */
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(link, &r, &d), 0);
	expect_real = xasprintf("%s/tree", real);
	ck_assert_str_eq(r.root, expect_real);
	ASSERT_SKILLS(&r, "s\n");
	ck_assert_uint_eq(d.len, 0);

	free(expect_real);
	free(real);
	free(file);
	free(link);
	scan_result_fini(&r);
	diag_list_fini(&d);
	rmtree(dir);
}
END_TEST

/* ---- scan_skill_files --------------------------------------------------- */

START_TEST(test_files_exact_inventory)
{
	char *root = tu_mkdtemp();
	char *skill = xasprintf("%s/s", root);
	const char *md = "---\nname: s\ndescription: test\n---\nbody\n";
	const struct skill_file *f;
	struct file_list l;
	struct diag_list d;
	char *got, *expected;

	tu_write_str(root, "s/SKILL.md", md);
	tu_write_str(root, "s/.hidden/h.md", "h\n");
	tu_write(root, "s/assets/font.woff2", "\0\1\2", 3);
	tu_write_str(root, "s/assets/logo.svg", "<svg/>");
	tu_write_str(root, "s/bad.md", "\xc3\x28");
	tu_write(root, "s/data", "\xff\0", 2);
	tu_write_str(root, "s/empty.txt", "");
	tu_write_str(root, "s/evals/evals.json", "{}");
	tu_write_str(root, "s/examples/before.md", "before\n");
	tu_write_str(root, "s/notes.txt", "abc");
	tu_write_str(root, "s/one", "z");
	tu_write_str(root, "s/references/guide.md", "abc");
	tu_write_str(root, "s/references/review-checklist.md", "- [ ] x\n");
	tu_write_str(root, "s/review-checklist.md", "x");
	tu_write_str(root, "s/scripts/run.py", "print(1)\n");
	tu_write_str(root, "s/scripts/run.sh", "echo hi\n");
	tu_write_str(root, "s/sub/deeper/a.md", "a\r\n");
	tu_write_str(root, "s/sub-x.md", "walked after sub/, sorted before it");
	mkdirs(root, "s/empty/folder");
	tu_write_str(root, "s/nested/SKILL.md", "another skill\n");
	tu_write_str(root, "s/nested/n.md", "belongs to nested\n");
	tu_write_str(root, "s/.git/config", "[core]\n");
	tu_write_str(root, "s/node_modules/m/index.js", "x\n");
	tu_write_str(root, "s/sub/.git/HEAD", "ref\n");

	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, skill, 1 << 20, &l, &d), 0);
	got = files_text(&l);
	expected = xasprintf(
		".hidden/h.md|other|2|text/markdown; charset=utf-8|1\n"
		"SKILL.md|skill|%zu|text/markdown; charset=utf-8|1\n"
		"assets/font.woff2|asset|3|font/woff2|0\n"
		"assets/logo.svg|asset|6|image/svg+xml|1\n"
		"bad.md|other|2|application/octet-stream|0\n"
		"data|other|2|application/octet-stream|0\n"
		"empty.txt|other|0|text/plain; charset=utf-8|1\n"
		"evals/evals.json|eval|2|application/json|1\n"
		"examples/before.md|example|7|text/markdown; charset=utf-8|1\n"
		"notes.txt|other|3|text/plain; charset=utf-8|1\n"
		"one|other|1|text/plain; charset=utf-8|1\n"
		"references/guide.md|reference|3|text/markdown; charset=utf-8|1\n"
		"references/review-checklist.md|checklist|8|text/markdown; charset=utf-8|1\n"
		"review-checklist.md|checklist|1|text/markdown; charset=utf-8|1\n"
		"scripts/run.py|script|9|text/x-python; charset=utf-8|1\n"
		"scripts/run.sh|script|8|text/x-shellscript; charset=utf-8|1\n"
		"sub-x.md|other|35|text/markdown; charset=utf-8|1\n"
		"sub/deeper/a.md|other|3|text/markdown; charset=utf-8|1\n", strlen(md));
	ck_assert_str_eq(got, expected);
	ck_assert_uint_eq(d.len, 0);

	f = file_list_find(&l, "notes.txt");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->digest, ABC_SHA);
	ck_assert_str_eq(f->content, "abc");
	ck_assert_uint_eq(f->content_len, 3);
	f = file_list_find(&l, "empty.txt");
	ck_assert_str_eq(f->digest, EMPTY_SHA);
	ck_assert_ptr_nonnull(f->content);
	ck_assert_uint_eq(f->content_len, 0);
	f = file_list_find(&l, "assets/font.woff2");
	ck_assert_uint_eq(f->content_len, 3);
	ck_assert_int_eq(memcmp(f->content, "\0\1\2", 3), 0);
	f = file_list_find(&l, "SKILL.md");
	ck_assert_str_eq(f->content, md);
	ck_assert_ptr_eq(file_list_find(&l, ".hidden/h.md"), &l.items[0]);
	ck_assert_ptr_eq(file_list_find(&l, "sub/deeper/a.md"), &l.items[l.len - 1]);
	ck_assert_ptr_null(file_list_find(&l, "nested/n.md"));
	ck_assert_ptr_null(file_list_find(&l, ".git/config"));
	ck_assert_ptr_null(file_list_find(&l, "zzz"));

	free(got);
	free(expected);
	free(skill);
	file_list_fini(&l);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

START_TEST(test_files_large_streamed)
{
	char *root = tu_mkdtemp();
	char *skill = xasprintf("%s/s", root);
	const size_t limit = 200000;
	char *big = repeat_char('a', limit);
	char *cut = repeat_char('c', 150001);
	char *over = repeat_char('o', 300000);
	char *bin = repeat_char('b', 300000);
	char hex[SHA256_HEX_LEN + 1];
	const struct skill_file *f;
	const struct diag *warn;
	struct file_list l;
	struct diag_list d;

	/* é across the first 64 KiB edge, a 4-byte emoji across the second */
	memcpy(big + SCAN_CHUNK - 1, "\xc3\xa9", 2);
	memcpy(big + 2 * SCAN_CHUNK - 2, "\xf0\x9f\x98\x80", 4);
	cut[150000] = '\xc3';  /* truncated sequence at the very end */
	/* over the limit: only the first chunk is read, so the é it cuts and
	 * the NUL after it do not make it binary; a NUL inside it does */
	memcpy(over + SCAN_CHUNK - 1, "\xc3\xa9", 2);
	over[250000] = '\0';
	bin[100] = '\0';
	tu_write_str(root, "s/SKILL.md", "x\n");
	tu_write(root, "s/big.txt", big, limit);
	tu_write(root, "s/cut.txt", cut, 150001);
	tu_write(root, "s/over.txt", over, 300000);
	tu_write(root, "s/over.bin", bin, 300000);

	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, skill, limit, &l, &d), 0);
	ck_assert_uint_eq(l.len, 5);
	ASSERT_DIAGS(&d, "warning file-too-large s/over.bin\n"
			 "warning file-too-large s/over.txt\n");
	warn = diag_find(&d, "file-too-large", "s/over.txt");
	ck_assert_str_eq(warn->message, "file is 300000 bytes, over the 200000-byte limit; "
					"listed without its contents or digest");

	/* within the limit: read whole, in chunks */
	f = file_list_find(&l, "big.txt");
	ck_assert_uint_eq(f->size, limit);
	ck_assert_uint_eq(f->content_len, limit);
	ck_assert_int_eq(memcmp(f->content, big, limit), 0);
	ck_assert(f->text);
	sha256_hex(big, limit, hex);
	ck_assert_str_eq(f->digest, hex);

	f = file_list_find(&l, "cut.txt");
	ck_assert_uint_eq(f->content_len, 150001);
	ck_assert(!f->text);
	ck_assert_str_eq(f->mime, "application/octet-stream");

	/* over it: size, kind, text flag and MIME type; no contents, no digest */
	f = file_list_find(&l, "over.txt");
	ck_assert_uint_eq(f->size, 300000);
	ck_assert_ptr_null(f->content);
	ck_assert_uint_eq(f->content_len, 0);
	ck_assert_str_eq(f->digest, "");
	ck_assert(f->text);
	ck_assert_str_eq(f->mime, "text/plain; charset=utf-8");

	f = file_list_find(&l, "over.bin");
	ck_assert_uint_eq(f->size, 300000);
	ck_assert_ptr_null(f->content);
	ck_assert_str_eq(f->digest, "");
	ck_assert(!f->text);
	ck_assert_str_eq(f->mime, "application/octet-stream");

	free(big);
	free(cut);
	free(over);
	free(bin);
	free(skill);
	file_list_fini(&l);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

/* Seconds on the monotonic clock. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A file over the limit is never read past its first chunk: an 8 GiB
 * sparse file is listed at once (reading it whole takes about 30 s). */
START_TEST(test_files_oversized_not_read)
{
	char *root = tu_mkdtemp();
	char *skill = xasprintf("%s/s", root);
	char *path = xasprintf("%s/s/huge.bin", root);
	const uint64_t huge = 8ull << 30;
	const struct skill_file *f;
	struct file_list l;
	struct diag_list d;
	double t0, took;
	int fd;

	tu_write_str(root, "s/SKILL.md", "x\n");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)huge), 0);
	close(fd);

	file_list_init(&l);
	diag_list_init(&d);
	t0 = now_s();
	ck_assert_int_eq(scan_skill_files(root, skill, 1 << 20, &l, &d), 0);
	took = now_s() - t0;
	ck_assert_msg(took < 1.0, "listing an 8 GiB sparse file took %.2f s", took);
	ck_assert_uint_eq(l.len, 2);
	f = file_list_find(&l, "huge.bin");
	ck_assert_uint_eq(f->size, huge);
	ck_assert_ptr_null(f->content);
	ck_assert_str_eq(f->digest, "");
	ck_assert(!f->text);  /* zeros: NUL bytes */
	ASSERT_DIAGS(&d, "warning file-too-large s/huge.bin\n");
	ck_assert_str_eq(diag_find(&d, "file-too-large", "s/huge.bin")->message,
			 "file is 8589934592 bytes, over the 1048576-byte limit; "
			 "listed without its contents or digest");
	file_list_fini(&l);
	diag_list_fini(&d);
	free(path);

	/* one byte over: the same, and as the whole file was read, a sequence
	 * cut by its end makes it binary */
	tu_write_str(root, "t/SKILL.md", "y\n");
	tu_write_str(root, "t/abc.txt", "abc");
	tu_write_str(root, "t/cut.txt", "ab\xc3");
	free(skill);
	skill = xasprintf("%s/t", root);
	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, skill, 2, &l, &d), 0);
	ck_assert_uint_eq(l.len, 3);
	f = file_list_find(&l, "SKILL.md");
	ck_assert_str_eq(f->content, "y\n");
	ck_assert_uint_eq(strlen(f->digest), SHA256_HEX_LEN);
	f = file_list_find(&l, "abc.txt");
	ck_assert_uint_eq(f->size, 3);
	ck_assert_ptr_null(f->content);
	ck_assert_str_eq(f->digest, "");
	ck_assert(f->text);
	f = file_list_find(&l, "cut.txt");
	ck_assert_uint_eq(f->size, 3);
	ck_assert_ptr_null(f->content);
	ck_assert_str_eq(f->digest, "");
	ck_assert(!f->text);
	ASSERT_DIAGS(&d, "warning file-too-large t/abc.txt\nwarning file-too-large t/cut.txt\n");
	ck_assert_str_eq(diag_find(&d, "file-too-large", "t/abc.txt")->message,
			 "file is 3 bytes, over the 2-byte limit; listed without its contents or digest");

	free(skill);
	file_list_fini(&l);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

START_TEST(test_files_digest_of_list)
{
	char *root = tu_mkdtemp();
	char *skill = xasprintf("%s/s", root);
	char a[SHA256_HEX_LEN + 1], b[SHA256_HEX_LEN + 1];
	char want[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1];
	struct file_list l;
	struct diag_list d;
	struct buf lines;

	tu_write_str(root, "s/SKILL.md", "abc");
	tu_write_str(root, "s/notes.txt", "hello\n");
	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, skill, 1024, &l, &d), 0);
	ck_assert_uint_eq(l.len, 2);

	sha256_hex("abc", 3, a);
	sha256_hex("hello\n", 6, b);
	ck_assert_str_eq(a, ABC_SHA);
	buf_init(&lines);
	buf_append(&lines, "SKILL.md", 9);   /* with its NUL */
	buf_append(&lines, a, SHA256_HEX_LEN);
	buf_putc(&lines, '\n');
	buf_append(&lines, "notes.txt", 10);
	buf_append(&lines, b, SHA256_HEX_LEN);
	buf_putc(&lines, '\n');
	sha256_hex(lines.data, lines.len, want);
	file_list_digest(&l, got);
	ck_assert_str_eq(got, want);
	buf_fini(&lines);
	file_list_fini(&l);

	/* no files: the digest of nothing */
	file_list_digest(&l, got);
	ck_assert_str_eq(got, EMPTY_SHA);

	/* a file over the limit counts with its size in place of a digest */
	ck_assert_int_eq(scan_skill_files(root, skill, 4, &l, &d), 0);
	ck_assert_str_eq(file_list_find(&l, "notes.txt")->digest, "");
	buf_init(&lines);
	buf_append(&lines, "SKILL.md", 9);
	buf_append(&lines, a, SHA256_HEX_LEN);
	buf_putc(&lines, '\n');
	buf_append(&lines, "notes.txt\0size:6\n", 17);
	sha256_hex(lines.data, lines.len, want);
	file_list_digest(&l, got);
	ck_assert_str_eq(got, want);
	buf_fini(&lines);
	file_list_fini(&l);

	/* ... so the skill's digest still changes when that file's size does */
	tu_write_str(root, "s/notes.txt", "hello!\n");
	ck_assert_int_eq(scan_skill_files(root, skill, 4, &l, &d), 0);
	file_list_digest(&l, a);
	ck_assert_str_ne(a, got);
	file_list_fini(&l);

	free(skill);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

START_TEST(test_files_symlinks)
{
	char *root = tu_mkdtemp();
	char *outside = tu_mkdtemp();
	char *skill = xasprintf("%s/s", root);
	char *target;
	const struct skill_file *f;
	struct file_list l;
	struct diag_list d;
	struct scan_result r;
	char *got;

	tu_write_str(outside, "secret.txt", "SECRET");
	tu_write_str(root, "shared/r.md", "abc");
	tu_write_str(root, "shared/dir/x.md", "xx");
	tu_write_str(root, "t/SKILL.md", "another skill\n");
	tu_write_str(root, "s/SKILL.md", "s\n");
	mklink(root, "s/link.md", "../shared/r.md");
	target = xasprintf("%s/shared/r.md", root);
	mklink(root, "s/abs.md", target);
	free(target);
	mklink(root, "s/refs", "../shared/dir");
	mklink(root, "s/other-skill", "../t");
	target = xasprintf("%s/secret.txt", outside);
	mklink(root, "s/out.md", target);
	free(target);
	mklink(root, "s/outdir", outside);
	mklink(root, "s/gone", "missing");
	mklink(root, "s/r1", "r2");
	mklink(root, "s/r2", "r1");
	mklink(root, "s/self", ".");
	mkfifo_at(root, "s/fifo");
	tu_write_str(root, "s/zz.md", "listed before the linked folder is walked");

	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, skill, 1024, &l, &d), 0);
	got = files_text(&l);
	ck_assert_str_eq(got,
			 "SKILL.md|skill|2|text/markdown; charset=utf-8|1\n"
			 "abs.md|other|3|text/markdown; charset=utf-8|1\n"
			 "link.md|other|3|text/markdown; charset=utf-8|1\n"
			 "refs/x.md|other|2|text/markdown; charset=utf-8|1\n"
			 "zz.md|other|41|text/markdown; charset=utf-8|1\n");
	free(got);
	f = file_list_find(&l, "link.md");
	ck_assert_str_eq(f->digest, ABC_SHA);
	ck_assert_str_eq(f->content, "abc");
	ck_assert_str_eq(file_list_find(&l, "refs/x.md")->content, "xx");
	ASSERT_DIAGS(&d,
		     "warning file-not-regular s/fifo\n"
		     "warning symlink-dangling s/gone\n"
		     "warning symlink-loop s/r1\n"
		     "warning symlink-loop s/r2\n"
		     "warning symlink-outside-root s/out.md\n"
		     "warning symlink-outside-root s/outdir\n"
		     "warning symlink-repeat s/self\n");
	file_list_fini(&l);
	diag_list_fini(&d);

	/* scan_root leaves problems inside skill folders to the inventory */
	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ASSERT_SKILLS(&r, "s\nt\n");
	ck_assert_uint_eq(d.len, 0);
	scan_result_fini(&r);
	diag_list_fini(&d);

	free(skill);
	rmtree(root);
	rmtree(outside);
}
END_TEST

/* Names that are not UTF-8 are left out with a warning: no URL could name
 * them, and two of them could repair to the same path. */
START_TEST(test_files_invalid_names)
{
	char *root = tu_mkdtemp();
	char *skill = xasprintf("%s/s", root);
	struct file_list l;
	struct diag_list d;
	char *got;

	tu_write_str(root, "s/SKILL.md", "s\n");
	tu_write_str(root, "s/\xff.md", "a");
	tu_write_str(root, "s/\xfe.md", "b");
	tu_write_str(root, "s/\xc3(/x.md", "c");
	tu_write_str(root, "s/ok/\x01" "ctl.md", "d");
	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, skill, 1024, &l, &d), 0);
	got = files_text(&l);
	ck_assert_str_eq(got, "SKILL.md|skill|2|text/markdown; charset=utf-8|1\n"
			      "ok/\x01" "ctl.md|other|1|text/markdown; charset=utf-8|1\n");
	free(got);
	ASSERT_DIAGS(&d,
		     "warning file-name-invalid s/\xc3(\n"
		     "warning file-name-invalid s/\xfe.md\n"
		     "warning file-name-invalid s/\xff.md\n");
	file_list_fini(&l);
	diag_list_fini(&d);
	free(skill);
	rmtree(root);
}
END_TEST

START_TEST(test_files_ten_thousand)
{
	char *root = tu_mkdtemp();
	char *skill = xasprintf("%s/s", root);
	struct file_list l;
	struct diag_list d;
	struct scan_result r;

	tu_write_str(root, "s/SKILL.md", "x\n");
	for (int i = 0; i < 10000; i++) {
		char name[32], text[16];

		snprintf(name, sizeof(name), "s/many/f%05d.txt", i);
		snprintf(text, sizeof(text), "%d", i);
		tu_write_str(root, name, text);
	}
	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, skill, 1024, &l, &d), 0);
	ck_assert_uint_eq(l.len, 10001);
	ck_assert_uint_eq(d.len, 0);
	ck_assert_str_eq(l.items[0].path, "SKILL.md");
	ck_assert_str_eq(l.items[1].path, "many/f00000.txt");
	ck_assert_str_eq(l.items[10000].path, "many/f09999.txt");
	ck_assert_str_eq(l.items[10000].content, "9999");
	for (size_t i = 1; i < l.len; i++)
		ck_assert_int_lt(strcmp(l.items[i - 1].path, l.items[i].path), 0);
	ck_assert_str_eq(file_list_find(&l, "many/f04321.txt")->content, "4321");
	file_list_fini(&l);

	scan_result_init(&r);
	ck_assert_int_eq(scan_root(root, &r, &d), 0);
	ASSERT_SKILLS(&r, "s\n");
	ck_assert_uint_eq(d.len, 0);
	scan_result_fini(&r);

	free(skill);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

START_TEST(test_files_deep_tree)
{
	char *root = tu_mkdtemp();
	char *skill = xasprintf("%s/s", root);
	char *expected;
	struct file_list l;
	struct diag_list d;

	tu_write_str(root, "s/SKILL.md", "x\n");
	for (int level = 1; level <= 40; level++) {
		char *chain = repeat_path("a", level);
		char *rel = xasprintf("s/%s/f", chain);

		tu_write_str(root, rel, "f");
		free(rel);
		free(chain);
	}
	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, skill, 1024, &l, &d), 0);
	ck_assert_uint_eq(l.len, 1 + SCAN_HARD_DEPTH);
	{
		char *chain = repeat_path("a", SCAN_HARD_DEPTH);
		char *rel = xasprintf("%s/f", chain);

		ck_assert_ptr_nonnull(file_list_find(&l, rel));
		free(rel);
		free(chain);
		chain = repeat_path("a", SCAN_HARD_DEPTH + 1);
		expected = xasprintf("warning dir-too-deep s/%s\n", chain);
		free(chain);
	}
	ASSERT_DIAGS(&d, expected);

	free(expected);
	free(skill);
	file_list_fini(&l);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

START_TEST(test_files_errors)
{
	char *root = tu_mkdtemp();
	char *other = tu_mkdtemp();
	char *missing = xasprintf("%s/missing", root);
	char *via_link = xasprintf("%s/escape", root);
	struct file_list l;
	struct diag_list d;

	tu_write_str(other, "SKILL.md", "outside\n");
	mklink(root, "escape", other);
	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_int_eq(scan_skill_files(root, other, 1024, &l, &d), -1);
	ck_assert_int_eq(scan_skill_files(root, via_link, 1024, &l, &d), -1);
	ck_assert_int_eq(scan_skill_files(root, missing, 1024, &l, &d), -1);
	ck_assert_uint_eq(l.len, 0);
	ASSERT_DIAGS(&d, "error skill-dir-outside-root (none)\n"
			 "error skill-dir-outside-root (none)\n"
			 "error skill-dir-unreadable (none)\n");

	free(missing);
	free(via_link);
	file_list_fini(&l);
	diag_list_fini(&d);
	rmtree(root);
	rmtree(other);
}
END_TEST

/* Inside a skill: a socket (refused by type, whoever scans), a file and a
 * folder chmod 000 (checked without root's capabilities, see
 * test_root_unreadable_entries). */
START_TEST(test_files_unreadable)
{
	char *root, *skill, *path;
	struct file_list l;
	struct diag_list d;

	root = tu_mkdtemp();
	skill = xasprintf("%s/s", root);
	tu_write_str(root, "s/SKILL.md", "x\n");
	tu_write_str(root, "s/secret.md", "no permission\n");
	tu_write_str(root, "s/closed/inside.md", "behind a closed folder\n");
	tu_mksock(root, "s/references/sock.md");
	path = xasprintf("%s/s/secret.md", root);
	ck_assert_int_eq(chmod(path, 0), 0);
	free(path);
	path = xasprintf("%s/s/closed", root);
	ck_assert_int_eq(chmod(path, 0), 0);

	file_list_init(&l);
	diag_list_init(&d);
	ck_assert_msg(tu_dac_drop() == 0, "cannot drop CAP_DAC_OVERRIDE: %s", strerror(errno));
	ck_assert_int_eq(scan_skill_files(root, skill, 1024, &l, &d), 0);
	ck_assert_int_eq(tu_dac_restore(), 0);
	ck_assert_uint_eq(l.len, 1);
	ck_assert_str_eq(l.items[0].path, "SKILL.md");
	ASSERT_DIAGS(&d, "warning dir-unreadable s/closed\n"
			 "warning file-not-regular s/references/sock.md\n"
			 "warning file-unreadable s/secret.md\n");

	chmod(path, 0755);
	free(path);
	free(skill);
	file_list_fini(&l);
	diag_list_fini(&d);
	rmtree(root);
}
END_TEST

/* ---- a symlink's target swapped between check and open ----------------- */

/*
 * What swap_hook does the first time the scan is about to open trigger (a
 * real path it approved): the folder victim is moved to away and a symlink
 * to decoy put in its place, or, with replacement, the file replacement is
 * renamed over victim (no link at all, only another file).
 */
static struct {
	char *trigger;
	char *victim;
	char *decoy;
	char *away;
	char *replacement;
	int swaps;
} g_swap;

/* The scan_test_hooks.before_open of these tests. */
static void swap_hook(const char *real)
{
	if (g_swap.swaps > 0 || strcmp(real, g_swap.trigger) != 0)
		return;
	g_swap.swaps++;
	if (g_swap.replacement) {
		ck_assert_int_eq(rename(g_swap.replacement, g_swap.victim), 0);
		return;
	}
	ck_assert_int_eq(rename(g_swap.victim, g_swap.away), 0);
	ck_assert_int_eq(symlink(g_swap.decoy, g_swap.victim), 0);
}

/* A fresh root (real: its realpath), an outside folder holding secrets
 * under docs/, and a parking folder, also outside, for what is moved away. */
struct swap_case {
	char *root;
	char *real;
	char *outside;
	char *parking;
};

/* Builds the folders of a swap case; no_openat2 picks how targets are opened. */
static void swap_case_init(struct swap_case *c, bool no_openat2)
{
	c->root = tu_mkdtemp();
	c->real = realpath(c->root, NULL);
	c->outside = tu_mkdtemp();
	c->parking = tu_mkdtemp();
	tu_write_str(c->outside, "docs/guide.md", "TOPSECRET guide\n");
	tu_write_str(c->outside, "docs/secret.md", "TOPSECRET\n");
	memset(&g_swap, 0, sizeof(g_swap));
	memset(&scan_test_hooks, 0, sizeof(scan_test_hooks));
	scan_test_hooks.no_openat2 = no_openat2;
}

/* Arms the hook: opening root/trigger swaps the folder root/victim for a
 * link to the outside folder (or renames root/replacement over it). */
static void swap_arm(struct swap_case *c, const char *trigger, const char *victim,
		     const char *replacement)
{
	g_swap.trigger = xasprintf("%s/%s", c->real, trigger);
	g_swap.victim = xasprintf("%s/%s", c->real, victim);
	g_swap.decoy = realpath(c->outside, NULL);
	g_swap.away = xasprintf("%s/away", c->parking);
	g_swap.replacement = replacement ? xasprintf("%s/%s", c->real, replacement) : NULL;
	g_swap.swaps = 0;
	scan_test_hooks.before_open = swap_hook;
}

/* Disarms the hooks and removes every folder of the case. */
static void swap_case_fini(struct swap_case *c)
{
	memset(&scan_test_hooks, 0, sizeof(scan_test_hooks));
	free(g_swap.trigger);
	free(g_swap.victim);
	free(g_swap.decoy);
	free(g_swap.away);
	free(g_swap.replacement);
	memset(&g_swap, 0, sizeof(g_swap));
	free(c->real);
	rmtree(c->root);
	rmtree(c->outside);
	rmtree(c->parking);
}

/* True when some file's stored contents hold needle. */
static bool list_holds(const struct file_list *l, const char *needle)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->items[i].content &&
		    memmem(l->items[i].content, l->items[i].content_len, needle, strlen(needle)))
			return true;
	return false;
}

/* Lists the skill s of c into a fresh list, expecting rc. */
static void swap_scan_files(const struct swap_case *c, const char *skill_rel, int rc,
			    struct file_list *l, struct diag_list *d)
{
	char *skill = xasprintf("%s/%s", c->root, skill_rel);

	file_list_init(l);
	diag_list_init(d);
	ck_assert_int_eq(scan_skill_files(c->root, skill, 1024, l, d), rc);
	free(skill);
}

/* A symlinked folder (references -> ../shared/docs) whose parent becomes a
 * link out of the root after the check: nothing of the outside is listed.
 * Loop 0 opens with openat2(2), loop 1 the way kernels without it do. */
START_TEST(test_files_swap_folder_link)
{
	struct swap_case c;
	struct file_list l;
	struct diag_list d;
	char *got;

	swap_case_init(&c, _i == 1);
	tu_write_str(c.root, "s/SKILL.md", "s\n");
	tu_write_str(c.root, "shared/docs/guide.md", "guide\n");
	mklink(c.root, "s/references", "../shared/docs");

	/* untouched, the link is followed either way */
	swap_scan_files(&c, "s", 0, &l, &d);
	got = files_text(&l);
	ck_assert_str_eq(got, "SKILL.md|skill|2|text/markdown; charset=utf-8|1\n"
			      "references/guide.md|reference|6|text/markdown; charset=utf-8|1\n");
	free(got);
	ck_assert_uint_eq(d.len, 0);
	file_list_fini(&l);
	diag_list_fini(&d);

	swap_arm(&c, "shared/docs", "shared", NULL);
	swap_scan_files(&c, "s", 0, &l, &d);
	ck_assert_int_eq(g_swap.swaps, 1);
	ck_assert(!list_holds(&l, "TOPSECRET"));
	got = files_text(&l);
	ck_assert_str_eq(got, "SKILL.md|skill|2|text/markdown; charset=utf-8|1\n");
	free(got);
	ASSERT_DIAGS(&d, "warning symlink-changed s/references\n");
	ck_assert_str_eq(diag_find(&d, "symlink-changed", "s/references")->message,
			 "the link's target changed while it was read; left out");
	file_list_fini(&l);
	diag_list_fini(&d);
	swap_case_fini(&c);
}
END_TEST

/* A symlinked file (link.md -> ../shared/docs/guide.md) whose folder's
 * parent becomes a link out of the root after the check. */
START_TEST(test_files_swap_file_link)
{
	struct swap_case c;
	struct file_list l;
	struct diag_list d;
	char *got;

	swap_case_init(&c, _i == 1);
	tu_write_str(c.root, "s/SKILL.md", "s\n");
	tu_write_str(c.root, "shared/docs/guide.md", "guide\n");
	mklink(c.root, "s/link.md", "../shared/docs/guide.md");

	swap_scan_files(&c, "s", 0, &l, &d);
	ck_assert_str_eq(file_list_find(&l, "link.md")->content, "guide\n");
	file_list_fini(&l);
	diag_list_fini(&d);

	swap_arm(&c, "shared/docs/guide.md", "shared", NULL);
	swap_scan_files(&c, "s", 0, &l, &d);
	ck_assert_int_eq(g_swap.swaps, 1);
	ck_assert(!list_holds(&l, "TOPSECRET"));
	got = files_text(&l);
	ck_assert_str_eq(got, "SKILL.md|skill|2|text/markdown; charset=utf-8|1\n");
	free(got);
	ASSERT_DIAGS(&d, "warning symlink-changed s/link.md\n");
	file_list_fini(&l);
	diag_list_fini(&d);
	swap_case_fini(&c);
}
END_TEST

/* No link at all: the checked file is replaced by another one (rename), so
 * only the device and inode comparison can tell. */
START_TEST(test_files_swap_same_path_other_file)
{
	struct swap_case c;
	struct file_list l;
	struct diag_list d;
	char *got;

	swap_case_init(&c, _i == 1);
	tu_write_str(c.root, "s/SKILL.md", "s\n");
	tu_write_str(c.root, "data/f.md", "approved\n");
	tu_write_str(c.root, "data/g.md", "REPLACED\n");
	mklink(c.root, "s/same.md", "../data/f.md");

	swap_arm(&c, "data/f.md", "data/f.md", "data/g.md");
	swap_scan_files(&c, "s", 0, &l, &d);
	ck_assert_int_eq(g_swap.swaps, 1);
	ck_assert(!list_holds(&l, "REPLACED"));
	got = files_text(&l);
	ck_assert_str_eq(got, "SKILL.md|skill|2|text/markdown; charset=utf-8|1\n");
	free(got);
	ASSERT_DIAGS(&d, "warning symlink-changed s/same.md\n");
	file_list_fini(&l);
	diag_list_fini(&d);
	swap_case_fini(&c);
}
END_TEST

/* The skill folder itself: its parent becomes a link out of the root
 * between scan_skill_files' realpath and its open. */
START_TEST(test_files_swap_skill_dir)
{
	struct swap_case c;
	struct file_list l;
	struct diag_list d;

	swap_case_init(&c, _i == 1);
	tu_write_str(c.root, "p/docs/SKILL.md", "s\n");
	swap_scan_files(&c, "p/docs", 0, &l, &d);
	ck_assert_uint_eq(l.len, 1);
	file_list_fini(&l);
	diag_list_fini(&d);

	swap_arm(&c, "p/docs", "p", NULL);
	swap_scan_files(&c, "p/docs", -1, &l, &d);
	ck_assert_int_eq(g_swap.swaps, 1);
	ck_assert_uint_eq(l.len, 0);
	ASSERT_DIAGS(&d, "error skill-dir-unreadable p/docs\n");
	file_list_fini(&l);
	diag_list_fini(&d);
	swap_case_fini(&c);
}
END_TEST

/* scan_root: a SKILL.md symlink and a symlinked folder whose targets move
 * out of the root after the check are not taken for skills. */
START_TEST(test_root_swap)
{
	struct swap_case c;
	struct scan_result r;
	struct diag_list d;

	/* SKILL.md -> ../shared/docs/SKILL.md; "a" is searched before "shared" */
	swap_case_init(&c, _i == 1);
	tu_write_str(c.outside, "docs/SKILL.md", "TOPSECRET skill\n");
	tu_write_str(c.root, "shared/docs/SKILL.md", "real skill\n");
	tu_write_str(c.root, "a/notes.md", "n\n");
	mklink(c.root, "a/SKILL.md", "../shared/docs/SKILL.md");
	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(c.root, &r, &d), 0);
	ASSERT_SKILLS(&r, "a\nshared/docs\n");
	scan_result_fini(&r);
	diag_list_fini(&d);

	swap_arm(&c, "shared/docs/SKILL.md", "shared", NULL);
	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(c.root, &r, &d), 0);
	ck_assert_int_eq(g_swap.swaps, 1);
	ASSERT_SKILLS(&r, "");
	ASSERT_DIAGS(&d, "warning symlink-changed a/SKILL.md\n"
			 "warning symlink-outside-root shared\n");
	scan_result_fini(&r);
	diag_list_fini(&d);
	swap_case_fini(&c);

	/* links/x -> ../shared/docs, a folder searched after the real tree */
	swap_case_init(&c, _i == 1);
	tu_write_str(c.outside, "docs/SKILL.md", "TOPSECRET skill\n");
	tu_write_str(c.root, "shared/docs/readme.txt", "no skill here\n");
	mkdirs(c.root, "links");
	mklink(c.root, "links/x", "../shared/docs");
	swap_arm(&c, "shared/docs", "shared", NULL);
	scan_result_init(&r);
	diag_list_init(&d);
	ck_assert_int_eq(scan_root(c.root, &r, &d), 0);
	ck_assert_int_eq(g_swap.swaps, 1);
	ASSERT_SKILLS(&r, "");
	ASSERT_DIAGS(&d, "warning symlink-changed links/x\n");
	scan_result_fini(&r);
	diag_list_fini(&d);
	swap_case_fini(&c);
}
END_TEST

/* ---- kinds and MIME types ----------------------------------------------- */

START_TEST(test_kinds)
{
	static const struct {
		const char *path;
		const char *kind;
	} cases[] = {
		{ "SKILL.md", "skill" },
		{ "skill.md", "skill" },
		{ "Skill.md", "other" },
		{ "references/SKILL.md", "reference" },
		{ "references/api.md", "reference" },
		{ "references/deep/x.png", "reference" },
		{ "references/review-checklist.md", "checklist" },
		{ "review-checklist.md", "checklist" },
		{ "scripts/review-checklist.md", "checklist" },
		{ "review-checklist.md.bak", "other" },
		{ "evals/evals.json", "eval" },
		{ "examples/before.md", "example" },
		{ "scripts/run.sh", "script" },
		{ "assets/font.ttf", "asset" },
		{ "Assets/font.ttf", "other" },
		{ "referencesX/a.md", "other" },
		{ "references", "other" },
		{ "docs/scripts/x.sh", "other" },
		{ "", "other" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(strcmp(file_kind_name(file_kind_of(cases[i].path)), cases[i].kind) == 0,
			      "%s: got %s, want %s", cases[i].path,
			      file_kind_name(file_kind_of(cases[i].path)), cases[i].kind);
	ck_assert_str_eq(file_kind_name(FILE_EVAL), "eval");
	ck_assert_str_eq(file_kind_name((enum file_kind)99), "other");
}
END_TEST

START_TEST(test_mimes)
{
	static const struct {
		const char *path;
		bool text;
		const char *mime;
	} cases[] = {
		{ "a.md", true, "text/markdown; charset=utf-8" },
		{ "A.MD", true, "text/markdown; charset=utf-8" },
		{ "a.md", false, "application/octet-stream" },
		{ "notes.txt", true, "text/plain; charset=utf-8" },
		{ "evals/evals.json", true, "application/json" },
		{ "s/run.py", true, "text/x-python; charset=utf-8" },
		{ "run.sh", true, "text/x-shellscript; charset=utf-8" },
		{ "app.js", true, "text/javascript; charset=utf-8" },
		{ "app.ts", true, "text/x-typescript; charset=utf-8" },
		{ "page.html", true, "text/html; charset=utf-8" },
		{ "style.css", true, "text/css; charset=utf-8" },
		{ "data.csv", true, "text/csv; charset=utf-8" },
		{ "c.yaml", true, "application/yaml" },
		{ "c.yml", true, "application/yaml" },
		{ "logo.png", false, "image/png" },
		{ "logo.png", true, "image/png" },
		{ "photo.jpg", false, "image/jpeg" },
		{ "photo.JPEG", false, "image/jpeg" },
		{ "anim.gif", false, "image/gif" },
		{ "icon.svg", true, "image/svg+xml" },
		{ "pic.webp", false, "image/webp" },
		{ "book.pdf", false, "application/pdf" },
		{ "bundle.zip", false, "application/zip" },
		{ "x.tar.gz", false, "application/gzip" },
		{ "x.tgz", false, "application/gzip" },
		{ "f.woff", false, "font/woff" },
		{ "f.woff2", false, "font/woff2" },
		{ "f.ttf", false, "font/ttf" },
		{ "f.otf", false, "font/otf" },
		{ "LICENSE", true, "text/plain; charset=utf-8" },
		{ "blob", false, "application/octet-stream" },
		{ "x.unknown", true, "text/plain; charset=utf-8" },
		{ "x.unknown", false, "application/octet-stream" },
		{ "dir.md/file", true, "text/plain; charset=utf-8" },
		{ ".md", true, "text/plain; charset=utf-8" },
		{ "trailing.", true, "text/plain; charset=utf-8" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = file_mime_of(cases[i].path, cases[i].text);

		ck_assert_msg(strcmp(got, cases[i].mime) == 0, "%s (text %d): got %s, want %s",
			      cases[i].path, cases[i].text, got, cases[i].mime);
	}
}
END_TEST

Suite *scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *roots = tcase_create("roots");
	TCase *files = tcase_create("files");
	TCase *types = tcase_create("types");

	tcase_set_timeout(roots, 60);
	tcase_set_timeout(files, 120);
	tcase_add_test(roots, test_root_finds_skills_in_messy_layout);
	tcase_add_test(roots, test_root_threads_find_what_one_finds);
	tcase_add_test(roots, test_root_depth_limits);
	tcase_add_test(roots, test_root_symlinks);
	tcase_add_test(roots, test_root_follows_symlinked_folder_once);
	tcase_add_test(roots, test_root_skill_md_not_a_file);
	tcase_add_test(roots, test_root_unreadable_entries);
	tcase_add_test(roots, test_root_hostile_names);
	tcase_add_test(roots, test_root_errors);
	tcase_add_test(files, test_files_exact_inventory);
	tcase_add_test(files, test_files_large_streamed);
	tcase_add_test(files, test_files_oversized_not_read);
	tcase_add_test(files, test_files_digest_of_list);
	tcase_add_test(files, test_files_symlinks);
	tcase_add_test(files, test_files_ten_thousand);
	tcase_add_test(files, test_files_deep_tree);
	tcase_add_test(files, test_files_errors);
	tcase_add_test(files, test_files_unreadable);
	tcase_add_test(files, test_files_invalid_names);
	tcase_add_loop_test(files, test_files_swap_folder_link, 0, 2);
	tcase_add_loop_test(files, test_files_swap_file_link, 0, 2);
	tcase_add_loop_test(files, test_files_swap_same_path_other_file, 0, 2);
	tcase_add_loop_test(files, test_files_swap_skill_dir, 0, 2);
	tcase_add_loop_test(roots, test_root_swap, 0, 2);
	tcase_add_test(types, test_kinds);
	tcase_add_test(types, test_mimes);
	suite_add_tcase(s, roots);
	suite_add_tcase(s, files);
	suite_add_tcase(s, types);
	return s;
}
