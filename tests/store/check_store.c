/* SPDX-License-Identifier: MIT */
/*
 * Tests for store: every typed read on the fixture skills (fixture_skills.h,
 * indexed by app_init), pages and their ends, borrowed values, the
 * per-thread readers, and readers that cannot open.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/store/store.h"
#include "skilld/base/util.h"
#include "fixture_skills.h"
#include "testapp.h"
#include "testutil.h"

Suite *store_suite(void);

static struct ta_app ta;
static struct store_reader *r;

static void setup(void)
{
	char err[256];

	ta_prepare(&ta);
	ta_open(&ta, NULL);
	r = store_reader_open(ta.cfg.db_path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
}

static void teardown(void)
{
	store_reader_close(r);
	ta_close(&ta);
}

/* The fixture's skills by slug (zz-dup reuses alpha's name, so its slug
 * is alpha-2; bad-yaml is listed though its frontmatter does not parse). */
static const char *const slugs[] = { "alpha", "alpha-2", "bad-yaml", "beta" };
#define N_SLUGS (sizeof(slugs) / sizeof(slugs[0]))

static cJSON *parse(struct store_bytes b)
{
	cJSON *o;

	ck_assert_ptr_nonnull(b.p);
	o = cJSON_ParseWithLength(b.p, b.len);
	ck_assert_ptr_nonnull(o);
	return o;
}

START_TEST(test_skill_get)
{
	struct store_skill sk;
	cJSON *o;

	ck_assert_int_eq(store_skill_get(r, "alpha", &sk), 1);
	o = parse(sk.detail);
	ck_assert_str_eq(jstr(o, "slug"), "alpha");
	ck_assert_str_eq(jstr(o, "description"), ALPHA_DESCRIPTION "\n");
	cJSON_Delete(o);
	o = parse(sk.files);
	ck_assert_int_eq(cJSON_GetArraySize(o), 9);
	cJSON_Delete(o);
	o = parse(sk.checklist);
	ck_assert_str_eq(jstr(o, "path"), "references/review-checklist.md");
	cJSON_Delete(o);
	o = parse(sk.evals);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "evals")), 3);
	cJSON_Delete(o);
	o = parse(sk.check);
	cJSON_Delete(o);
	ck_assert_uint_eq(sk.digest.len, 64);
	ck_assert_uint_eq(strspn(sk.digest.p, "0123456789abcdef"), 64);

	/* beta has neither checklist nor evals: NULL, not empty */
	ck_assert_int_eq(store_skill_get(r, "beta", &sk), 1);
	ck_assert_ptr_null(sk.checklist.p);
	ck_assert_ptr_null(sk.evals.p);
	ck_assert_ptr_nonnull(sk.detail.p);

	ck_assert_int_eq(store_skill_get(r, "gamma", &sk), 0);
	ck_assert_int_eq(store_skill_get(r, "", &sk), 0);
	ck_assert_int_eq(store_skill_get(r, "alpha' OR '1'='1", &sk), 0);
}
END_TEST

START_TEST(test_skill_page_get)
{
	struct store_skill_page sp;
	cJSON *detail;

	ck_assert_int_eq(store_skill_page_get(r, "alpha", &sp), 1);
	/* unpacked, NUL terminated, and the whole of it */
	ck_assert_uint_eq(strlen(sp.detail.p), sp.detail.len);
	detail = parse(sp.detail);
	ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(detail, "body")->valuestring, "# "));
	cJSON_Delete(detail);
	ck_assert_ptr_nonnull(sp.checklist.p);
	ck_assert_ptr_nonnull(sp.evals.p);
	ck_assert_int_eq(store_skill_page_get(r, "nope", &sp), 0);
}
END_TEST

/* Collects the slugs a page gives; stops after stop_after when > 0. */
struct seen {
	char *slug[16];
	size_t n;
	size_t stop_after;
	bool summaries_ok;
};

static int see_skill(void *ctx, const char *slug, struct store_bytes summary)
{
	struct seen *s = ctx;
	cJSON *o = cJSON_ParseWithLength(summary.p, summary.len);

	ck_assert_uint_lt(s->n, 16);
	s->slug[s->n++] = xstrdup(slug);
	if (!o || !jstr(o, "slug") || strcmp(jstr(o, "slug"), slug) != 0)
		s->summaries_ok = false;
	cJSON_Delete(o);
	return s->stop_after && s->n == s->stop_after;
}

static void seen_fini(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->slug[i]);
	memset(s, 0, sizeof(*s));
}

START_TEST(test_skills_page)
{
	struct seen s = { .summaries_ok = true };

	/* all of them, in slug order, each with its own summary */
	ck_assert_int_eq(store_skills_page(r, NULL, -1, see_skill, &s), 0);
	ck_assert_uint_eq(s.n, N_SLUGS);
	for (size_t i = 0; i < N_SLUGS; i++)
		ck_assert_str_eq(s.slug[i], slugs[i]);
	ck_assert(s.summaries_ok);
	ck_assert_int_eq(store_skill_count(r), (long)N_SLUGS);
	seen_fini(&s);

	/* pages of 2: one more follows the first, none the second */
	ck_assert_int_eq(store_skills_page(r, "", 2, see_skill, &s), 1);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.slug[1], "alpha-2");
	seen_fini(&s);
	ck_assert_int_eq(store_skills_page(r, "alpha-2", 3, see_skill, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.slug[0], "bad-yaml");
	ck_assert_str_eq(s.slug[1], "beta");
	seen_fini(&s);

	/* a page that ends exactly at the last skill says nothing follows */
	ck_assert_int_eq(store_skills_page(r, "alpha", 3, see_skill, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	seen_fini(&s);
	ck_assert_int_eq(store_skills_page(r, "beta", 3, see_skill, &s), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(store_skills_page(r, "", 0, see_skill, &s), 1);
	ck_assert_uint_eq(s.n, 0);

	/* the callback stops it early */
	s.stop_after = 2;
	ck_assert_int_eq(store_skills_page(r, NULL, -1, see_skill, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	seen_fini(&s);
}
END_TEST

START_TEST(test_file_get_and_meta)
{
	static const char beta_md[] = "---\nname: beta\ndescription: Minimal.\n---\nBody \xff\xfe "
				      "bytes.\0after NUL\n";
	struct store_file f, m;
	char hex[SHA256_HEX_LEN + 1];

	ck_assert_int_eq(store_file_get(r, "alpha", "assets/blob.bin", &f), 1);
	ck_assert_uint_eq(f.content.len, 4);
	ck_assert_mem_eq(f.content.p, "\x00\x01\x02\xff", 4);
	ck_assert_int_eq(f.size, 4);
	ck_assert(!f.is_text);
	ck_assert_str_eq(f.path.p, "assets/blob.bin");
	sha256_hex("\x00\x01\x02\xff", 4, hex);
	ck_assert_str_eq(f.digest.p, hex);
	ck_assert_ptr_nonnull(f.mime.p);

	/* the same file's meta: the same facts, no bytes read */
	ck_assert_int_eq(store_file_meta(r, "alpha", "assets/blob.bin", &m), 1);
	ck_assert_str_eq(m.path.p, "assets/blob.bin");
	ck_assert_int_eq(m.size, 4);
	ck_assert(!m.is_text);
	ck_assert_ptr_nonnull(m.content.p);
	ck_assert_uint_eq(m.content.len, 0);

	/* bytes with a NUL in them come back whole */
	ck_assert_int_eq(store_file_get(r, "beta", "SKILL.md", &f), 1);
	ck_assert_uint_eq(f.content.len, sizeof(beta_md) - 1);
	ck_assert_mem_eq(f.content.p, beta_md, sizeof(beta_md) - 1);
	/* not UTF-8: served as bytes */
	ck_assert_str_eq(f.mime.p, "application/octet-stream");

	ck_assert_int_eq(store_file_get(r, "alpha", "nope.md", &f), 0);
	ck_assert_int_eq(store_file_get(r, "nope", "SKILL.md", &f), 0);
	ck_assert_int_eq(store_file_meta(r, "alpha", "nope.md", &m), 0);
	ck_assert_int_eq(store_file_meta(r, "nope", "SKILL.md", &m), 0);
}
END_TEST

START_TEST(test_file_page_and_kind)
{
	struct store_file f;

	ck_assert_int_eq(store_file_page_get(r, "alpha", "references/guide.md", &f), 1);
	ck_assert(f.is_text);
	ck_assert_str_eq(f.mime.p, "text/markdown; charset=utf-8");
	ck_assert_uint_eq(f.content.len, strlen("# Guide\n\nText.\n"));
	ck_assert_mem_eq(f.content.p, "# Guide\n\nText.\n", f.content.len);
	ck_assert_int_eq(store_file_page_get(r, "alpha", "scripts/run.sh", &f), 1);
	ck_assert_ptr_nonnull(f.content.p);
	ck_assert_int_eq(store_file_page_get(r, "alpha", "references/none.md", &f), 0);

	ck_assert_int_eq(store_file_of_kind(r, "alpha", "skill", &f), 1);
	ck_assert_str_eq(f.path.p, "SKILL.md");
	ck_assert_ptr_nonnull(f.content.p);
	ck_assert_uint_eq(f.digest.len, 64);
	ck_assert_int_eq(store_file_of_kind(r, "beta", "reference", &f), 0);
	ck_assert_int_eq(store_file_of_kind(r, "nope", "skill", &f), 0);
}
END_TEST

struct paths {
	char *path[32];
	char *slug[32];
	size_t n;
	bool sized;      /* every file had its size and mime */
};

static int see_file(void *ctx, const char *slug, const struct store_file *f)
{
	struct paths *p = ctx;

	ck_assert_uint_lt(p->n, 32);
	p->slug[p->n] = xstrdup(slug);
	p->path[p->n++] = xstrndup(f->path.p, f->path.len);
	if (!f->mime.p || f->size < 0)
		p->sized = false;
	return 0;
}

static void paths_fini(struct paths *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->path[i]);
		free(p->slug[i]);
	}
	memset(p, 0, sizeof(*p));
}

START_TEST(test_skill_files)
{
	static const char *const alpha[] = {
		"SKILL.md", "assets/blob.bin", "evals/evals.json", "examples/after.md",
		"examples/before.md", "references/extra/review-checklist.md", "references/guide.md",
		"references/review-checklist.md", "scripts/run.sh",
	};
	struct paths p = { .sized = true };

	ck_assert_int_eq(store_skill_files(r, "alpha", see_file, &p), 0);
	ck_assert_uint_eq(p.n, sizeof(alpha) / sizeof(alpha[0]));
	for (size_t i = 0; i < p.n; i++) {
		ck_assert_str_eq(p.path[i], alpha[i]);
		ck_assert_str_eq(p.slug[i], "alpha");
	}
	paths_fini(&p);
	ck_assert_int_eq(store_skill_files(r, "nope", see_file, &p), 0);
	ck_assert_uint_eq(p.n, 0);
}
END_TEST

START_TEST(test_files_page)
{
	struct paths all = { .sized = true }, page = { .sized = true };
	size_t got = 0;
	int more;

	/* every file of every skill: alpha's 9 and one SKILL.md each for the rest */
	ck_assert_int_eq(store_files_page(r, NULL, NULL, -1, see_file, &all), 0);
	ck_assert_uint_eq(all.n, 12);
	ck_assert(all.sized);
	ck_assert_str_eq(all.slug[0], "alpha");
	ck_assert_str_eq(all.path[0], "SKILL.md");
	ck_assert_str_eq(all.slug[9], "alpha-2");
	ck_assert_str_eq(all.slug[10], "bad-yaml");
	ck_assert_str_eq(all.slug[11], "beta");
	ck_assert_str_eq(all.path[11], "SKILL.md");
	/* pages of 5 after each page's last file give the same files in order */
	do {
		const char *as = got ? all.slug[got - 1] : NULL, *ap = got ? all.path[got - 1] : NULL;

		more = store_files_page(r, as, ap, 5, see_file, &page);
		ck_assert_int_ge(more, 0);
		for (size_t i = 0; i < page.n; i++) {
			ck_assert_str_eq(page.slug[i], all.slug[got + i]);
			ck_assert_str_eq(page.path[i], all.path[got + i]);
		}
		got += page.n;
		ck_assert_int_eq(more, got < all.n);
		paths_fini(&page);
	} while (more);
	ck_assert_uint_eq(got, all.n);
	paths_fini(&all);
}
END_TEST

struct lists {
	int checklists, primaries, items;
	char first_path[128];
	int errors, warnings, infos, bad_yaml_errors;
};

static int see_checklist(void *ctx, const struct store_checklist *c)
{
	struct lists *l = ctx;

	if (!l->checklists++)
		snprintf(l->first_path, sizeof(l->first_path), "%s", c->path);
	ck_assert_str_eq(c->slug, "alpha");
	ck_assert_str_eq(c->name, "alpha");
	ck_assert_uint_eq(strlen(c->digest), 64);
	l->primaries += c->primary;
	l->items += c->items;
	return 0;
}

static int see_diagnostic(void *ctx, const struct store_diagnostic *d)
{
	struct lists *l = ctx;

	if (!strcmp(d->severity, "error"))
		l->errors++;
	else if (!strcmp(d->severity, "warning"))
		l->warnings++;
	else if (!strcmp(d->severity, "info"))
		l->infos++;
	else
		ck_abort_msg("severity %s", d->severity);
	ck_assert_ptr_nonnull(d->code);
	ck_assert_ptr_nonnull(d->message);
	if (d->path && strstr(d->path, "bad-yaml") && !strcmp(d->severity, "error"))
		l->bad_yaml_errors++;
	return 0;
}

START_TEST(test_checklists_and_diagnostics)
{
	struct lists l = { 0 };

	ck_assert_int_eq(store_checklists(r, see_checklist, &l), 0);
	ck_assert_int_eq(l.checklists, 2);
	ck_assert_int_eq(l.primaries, 1);
	/* W1, W2, the plain question; and the extra one's single item */
	ck_assert_int_eq(l.items, 4);
	ck_assert_str_eq(l.first_path, "references/extra/review-checklist.md");
	ck_assert_int_eq(store_diagnostics(r, see_diagnostic, &l), 0);
	ck_assert_int_ge(l.bad_yaml_errors, 1);
	ck_assert_int_ge(l.errors, l.bad_yaml_errors);
}
END_TEST

/* Borrowed values: a read's pointers are the row's until the next read of
 * the same kind; different reads do not disturb each other's. */
/* Sums the cells store_browse_cells gives; the platinum one's count apart. */
struct cells_seen {
	long total;
	long platinum_with_both;
	int cells;
};

static int cell_sum(void *ctx, const struct store_browse_cell *c)
{
	struct cells_seen *s = ctx;

	ck_assert_int_eq(c->root_index, 0);
	ck_assert_str_eq(c->root, "skills");
	s->total += c->count;
	s->cells++;
	if (c->tier && strcmp(c->tier, "platinum") == 0 && c->checklist && c->evals)
		s->platinum_with_both += c->count;
	return 0;
}

static struct cells_seen cells_of(const char *q)
{
	struct cells_seen s = { 0, 0, 0 };

	ck_assert_int_eq(store_browse_cells(r, q, cell_sum, &s), 0);
	return s;
}

/* Appends each slug to the buf ctx, one space before each. */
static int slug_list(void *ctx, const char *slug, struct store_bytes summary)
{
	ck_assert_ptr_nonnull(summary.p);
	buf_printf(ctx, " %s", slug);
	return 0;
}

/* The slugs store_browse_page gives for f, offset and limit. */
static char *browse_slugs(const struct store_browse *f, long offset, long limit)
{
	struct buf b;

	buf_init(&b);
	ck_assert_int_eq(store_browse_page(r, f, offset, limit, slug_list, &b), 0);
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

START_TEST(test_browse)
{
	struct store_browse any = { NULL, NULL, -1, -1, NULL };
	struct store_browse f;
	struct cells_seen s;
	char *got;

	s = cells_of(NULL);
	ck_assert_int_eq(s.total, (long)N_SLUGS);
	ck_assert_int_eq(s.platinum_with_both, 1);
	/* blanks are no words; words are ASCII case folded, each must be in
	 * the name, description or slug */
	ck_assert_int_eq(cells_of(" \t ").total, (long)N_SLUGS);
	s = cells_of("WIDGET");
	ck_assert_int_eq(s.total, 1);
	ck_assert_int_eq(s.platinum_with_both, 1);
	ck_assert_int_eq(cells_of("same ALPHA").total, 1);
	ck_assert_int_eq(cells_of("alpha").total, 2);
	ck_assert_int_eq(cells_of("widget nowhere").total, 0);
	ck_assert_int_eq(cells_of("%").total, 0);
	ck_assert_int_eq(cells_of("\"").total, 0);

	got = browse_slugs(&any, 0, -1);
	ck_assert_str_eq(got, " alpha alpha-2 bad-yaml beta");
	free(got);
	got = browse_slugs(&any, 1, 2);
	ck_assert_str_eq(got, " alpha-2 bad-yaml");
	free(got);
	got = browse_slugs(&any, 4, 10);
	ck_assert_str_eq(got, "");
	free(got);
	f = any;
	f.tier = "none";
	got = browse_slugs(&f, 0, -1);
	ck_assert_str_eq(got, " alpha-2 bad-yaml beta");
	free(got);
	f = any;
	f.checklist = 1;
	f.evals = 1;
	got = browse_slugs(&f, 0, -1);
	ck_assert_str_eq(got, " alpha");
	free(got);
	f.evals = 0;
	got = browse_slugs(&f, 0, -1);
	ck_assert_str_eq(got, "");
	free(got);
	f = any;
	f.root = "skills";
	f.q = "ALPHA";
	got = browse_slugs(&f, 0, -1);
	ck_assert_str_eq(got, " alpha alpha-2");
	free(got);
	f.root = "elsewhere";
	got = browse_slugs(&f, 0, -1);
	ck_assert_str_eq(got, "");
	free(got);
	/* alpha's primary checklist: three items */
	ck_assert_int_eq(store_checklist_items_total(r), 3);
}
END_TEST

START_TEST(test_reads_side_by_side)
{
	struct store_skill a;
	struct store_file f;
	char *detail;

	ck_assert_int_eq(store_skill_get(r, "alpha", &a), 1);
	detail = xstrndup(a.detail.p, a.detail.len);
	ck_assert_int_eq(store_file_get(r, "beta", "SKILL.md", &f), 1);
	ck_assert_mem_eq(a.detail.p, detail, a.detail.len);
	free(detail);
}
END_TEST

START_TEST(test_snapshot_and_generation)
{
	int64_t gen = -1;

	ck_assert_int_eq(store_reader_begin(r, &gen), 0);
	ck_assert_int_eq(gen, 1);
	ck_assert_int_eq(store_generation(ta.app.store), 1);
	store_reader_end(r);
	/* ending twice, or without a transaction, is harmless */
	store_reader_end(r);
	ck_assert_int_eq(store_skill_count(r), (long)N_SLUGS);
}
END_TEST

static void *other_thread(void *p)
{
	struct store *s = p;

	return store_reader(s);
}

START_TEST(test_readers_per_thread)
{
	struct store *s = store_new(ta.cfg.db_path, &ta.app.log);
	struct store_reader *mine, *theirs;
	pthread_t t;

	ck_assert_ptr_nonnull(s);
	mine = store_reader(s);
	ck_assert_ptr_nonnull(mine);
	ck_assert_ptr_eq(store_reader(s), mine);
	ck_assert_int_eq(pthread_create(&t, NULL, other_thread, s), 0);
	ck_assert_int_eq(pthread_join(t, (void **)&theirs), 0);
	/* the other thread had its own (closed when it ended) */
	ck_assert_ptr_nonnull(theirs);
	ck_assert_ptr_ne(theirs, mine);
	ck_assert_int_eq(store_skill_count(mine), (long)N_SLUGS);
	ck_assert_int_eq(store_generation(s), 0);
	store_set_generation(s, 7);
	ck_assert_int_eq(store_generation(s), 7);
	store_free(s);
}
END_TEST

START_TEST(test_reader_that_cannot_open)
{
	char err[256] = "";
	char *dir = tu_mkdtemp();
	char *missing = xasprintf("%s/none.db", dir);
	char *empty = xasprintf("%s/empty.db", dir);
	struct store *s;

	ck_assert_ptr_null(store_reader_open(missing, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot open database"));
	/* a database without the index's tables: nothing to prepare against */
	tu_write(dir, "empty.db", "", 0);
	err[0] = '\0';
	ck_assert_ptr_null(store_reader_open(empty, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot prepare"));
	/* through a store: NULL, and the reason is logged */
	s = store_new(missing, &ta.app.log);
	ck_assert_ptr_null(store_reader(s));
	store_free(s);
	free(missing);
	free(empty);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_skill_get);
	tcase_add_test(tc, test_skill_page_get);
	tcase_add_test(tc, test_skills_page);
	tcase_add_test(tc, test_file_get_and_meta);
	tcase_add_test(tc, test_file_page_and_kind);
	tcase_add_test(tc, test_skill_files);
	tcase_add_test(tc, test_files_page);
	tcase_add_test(tc, test_checklists_and_diagnostics);
	tcase_add_test(tc, test_browse);
	tcase_add_test(tc, test_reads_side_by_side);
	tcase_add_test(tc, test_snapshot_and_generation);
	tcase_add_test(tc, test_readers_per_thread);
	tcase_add_test(tc, test_reader_that_cannot_open);
	suite_add_tcase(s, tc);
	return s;
}
