/* SPDX-License-Identifier: MIT */
/* Tests for archive: tar.gz and zip built, read back with libarchive's
 * reader, checked byte for byte, and rebuilt to prove determinism. */
#include <check.h>
#include <zlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <archive.h>
#include <archive_entry.h>

#include "skilld/base/archive.h"
#include "skilld/base/util.h"

Suite *archive_suite(void);

#define MAX_READ 16

/* One entry as the reader saw it. */
struct seen {
	char *name;
	int type;
	int perm;
	int64_t size;
	time_t mtime;
	int mtime_set;
	char *data;
	size_t len;
	int64_t uid, gid;
	int symlink;
	int hardlink;
};

struct seen_list {
	struct seen items[MAX_READ];
	size_t n;
	int format;
	int filter;
};

static const char bin_data[] = { 'P', 'K', 0, 1, 2, 0, (char)0xff, 0 };

static const struct archive_entry_in three[] = {
	{ "SKILL.md", "---\nname: demo\n---\n# Demo\n", 26 },
	{ "assets/logo.bin", bin_data, sizeof(bin_data) },
	{ "references/empty.md", NULL, 0 },
};

/* Reads every entry of an in-memory archive; fails the test on a read error. */
static void read_back_w(const char *p, size_t len, struct seen_list *out, int allow_warn)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r;

	memset(out, 0, sizeof(*out));
	ck_assert_ptr_nonnull(a);
	archive_read_support_format_all(a);
	archive_read_support_filter_all(a);
	ck_assert_int_eq(archive_read_open_memory(a, p, len), ARCHIVE_OK);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	       (allow_warn && r == ARCHIVE_WARN)) {
		struct seen *s = &out->items[out->n];
		struct buf b;
		char chunk[4096];
		la_ssize_t got;

		const char *name = archive_entry_pathname(e);

		ck_assert_uint_lt(out->n, MAX_READ);
		/* The reader cannot give a zip's UTF-8 name in the C locale. */
		if (!name && allow_warn)
			name = "?";
		ck_assert_ptr_nonnull(name);
		s->name = xstrdup(name);
		s->type = (int)archive_entry_filetype(e);
		s->perm = (int)archive_entry_perm(e);
		s->size = archive_entry_size(e);
		s->mtime = archive_entry_mtime(e);
		s->mtime_set = archive_entry_mtime_is_set(e);
		s->uid = archive_entry_uid(e);
		s->gid = archive_entry_gid(e);
		s->symlink = archive_entry_symlink(e) != NULL;
		s->hardlink = archive_entry_hardlink(e) != NULL;
		buf_init(&b);
		while ((got = archive_read_data(a, chunk, sizeof(chunk))) > 0)
			buf_append(&b, chunk, (size_t)got);
		ck_assert_int_eq(got, 0);
		s->data = buf_detach(&b, &s->len);
		out->n++;
	}
	ck_assert_int_eq(r, ARCHIVE_EOF);
	out->format = archive_format(a);
	out->filter = archive_filter_code(a, 0);
	archive_read_free(a);
}

/* read_back_w that allows no warning. */
static void read_back(const char *p, size_t len, struct seen_list *out)
{
	read_back_w(p, len, out, 0);
}

/* Frees what read_back kept. */
static void seen_free(struct seen_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].data);
	}
}

/* archive_build that must succeed. */
static char *build_ok(enum archive_format fmt, const char *top,
		      const struct archive_entry_in *f, size_t n, size_t *len)
{
	char err[256] = "";
	char *out = NULL;

	ck_assert_msg(archive_build(fmt, top, f, n, &out, len, err, sizeof(err)) == 0,
		      "archive_build: %s", err);
	ck_assert_ptr_nonnull(out);
	return out;
}

/* The DOS time 1980-01-01 00:00 read as local time, as zip readers do. */
static time_t dos_epoch(void)
{
	struct tm tm = { .tm_year = 80, .tm_mon = 0, .tm_mday = 1, .tm_isdst = -1 };

	return mktime(&tm);
}

/* The three files, in sorted order, under prefix, with the format's times. */
static void assert_three(const struct seen_list *l, const char *prefix, int zip)
{
	static const char *const rel[] = { "SKILL.md", "assets/logo.bin", "references/empty.md" };
	time_t want_mtime = zip ? dos_epoch() : (time_t)SKILLD_ARCHIVE_MTIME;

	ck_assert_uint_eq(l->n, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct seen *s = &l->items[i];
		char want[128];

		snprintf(want, sizeof(want), "%s%s", prefix, rel[i]);
		ck_assert_str_eq(s->name, want);
		ck_assert_int_eq(s->type, AE_IFREG);
		ck_assert_int_eq(s->perm, 0644);
		ck_assert(!s->symlink);
		ck_assert(!s->hardlink);
		ck_assert_int_eq(s->mtime, want_mtime);
		ck_assert_int_eq(s->uid, 0);
		ck_assert_int_eq(s->gid, 0);
		ck_assert_int_eq(s->size, (int64_t)three[i].len);
		ck_assert_uint_eq(s->len, three[i].len);
		if (three[i].len > 0)
			ck_assert_int_eq(memcmp(s->data, three[i].data, three[i].len), 0);
	}
}

START_TEST(test_tgz_reads_back_exactly)
{
	struct seen_list l;
	size_t len;
	char *p = build_ok(SKILLD_ARCHIVE_TGZ, "demo", three, 3, &len);

	/* gzip magic, deflate, no flags (no name), zero MTIME. The size of
	 * the deflated data depends on zlib's version: only the 10-byte
	 * header and the 8-byte trailer are certain. */
	ck_assert_uint_ge(len, 18);
	ck_assert_int_eq((unsigned char)p[0], 0x1f);
	ck_assert_int_eq((unsigned char)p[1], 0x8b);
	ck_assert_int_eq(p[2], 8);
	ck_assert_int_eq(p[3], 0);
	ck_assert_int_eq(p[4] | p[5] | p[6] | p[7], 0);
	read_back(p, len, &l);
	ck_assert_int_eq(l.filter, ARCHIVE_FILTER_GZIP);
	ck_assert_int_eq(l.format & ARCHIVE_FORMAT_BASE_MASK, ARCHIVE_FORMAT_TAR);
	assert_three(&l, "demo/", 0);
	seen_free(&l);
	free(p);
}
END_TEST

START_TEST(test_zip_reads_back_exactly)
{
	struct seen_list l;
	size_t len;
	char *p = build_ok(SKILLD_ARCHIVE_ZIP, "demo", three, 3, &len);

	ck_assert_int_eq(memcmp(p, "PK\3\4", 4), 0);
	/* Compression method 8 (deflate) in the first local header. */
	ck_assert_int_eq(p[8], 8);
	/* DOS time 00:00, date 1980-01-01 (0x0021). */
	ck_assert_int_eq(p[10] | p[11], 0);
	ck_assert_int_eq((unsigned char)p[12], 0x21);
	ck_assert_int_eq(p[13], 0);
	read_back(p, len, &l);
	ck_assert_int_eq(l.format, ARCHIVE_FORMAT_ZIP);
	assert_three(&l, "demo/", 1);
	seen_free(&l);
	free(p);
}
END_TEST

/* Both formats, given the files in reverse order, equal the sorted build. */
START_TEST(test_deterministic_and_sorted)
{
	struct archive_entry_in rev[3] = { three[2], three[1], three[0] };

	for (int f = 0; f < 2; f++) {
		enum archive_format fmt = f ? SKILLD_ARCHIVE_ZIP : SKILLD_ARCHIVE_TGZ;
		char h1[SHA256_HEX_LEN + 1], h2[SHA256_HEX_LEN + 1];
		size_t l1, l2, l3;
		char *a = build_ok(fmt, "demo", three, 3, &l1);
		char *b = build_ok(fmt, "demo", three, 3, &l2);
		char *c = build_ok(fmt, "demo", rev, 3, &l3);

		ck_assert_uint_eq(l1, l2);
		ck_assert_uint_eq(l1, l3);
		ck_assert_int_eq(memcmp(a, b, l1), 0);
		ck_assert_int_eq(memcmp(a, c, l1), 0);
		sha256_hex(a, l1, h1);
		sha256_hex(c, l3, h2);
		ck_assert_str_eq(h1, h2);
		free(a);
		free(b);
		free(c);
	}
}
END_TEST

/* A build in another process (another pid, fresh library state) hashes the
 * same as one here. */
START_TEST(test_same_bytes_in_another_process)
{
	for (int f = 0; f < 2; f++) {
		enum archive_format fmt = f ? SKILLD_ARCHIVE_ZIP : SKILLD_ARCHIVE_TGZ;
		char mine[SHA256_HEX_LEN + 1], theirs[SHA256_HEX_LEN + 1] = "";
		int fd[2], status;
		size_t len;
		char *p = build_ok(fmt, "demo", three, 3, &len);
		pid_t pid;

		sha256_hex(p, len, mine);
		free(p);
		ck_assert_int_eq(pipe(fd), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char hex[SHA256_HEX_LEN + 1], err[256];
			char *q = NULL;
			size_t n = 0;

			if (archive_build(fmt, "demo", three, 3, &q, &n, err, sizeof(err)) != 0)
				_exit(2);
			sha256_hex(q, n, hex);
			_exit(write(fd[1], hex, SHA256_HEX_LEN) == SHA256_HEX_LEN ? 0 : 3);
		}
		close(fd[1]);
		ck_assert_int_eq(read(fd[0], theirs, SHA256_HEX_LEN), SHA256_HEX_LEN);
		close(fd[0]);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_str_eq(mine, theirs);
	}
}
END_TEST

/* The zip's bytes do not depend on the server's time zone. */
START_TEST(test_zip_same_in_every_time_zone)
{
	const char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;
	char *a, *b;
	size_t la, lb;

	setenv("TZ", "UTC0", 1);
	tzset();
	a = build_ok(SKILLD_ARCHIVE_ZIP, NULL, three, 3, &la);
	setenv("TZ", "PST8PDT", 1);
	tzset();
	b = build_ok(SKILLD_ARCHIVE_ZIP, NULL, three, 3, &lb);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	ck_assert_uint_eq(la, lb);
	ck_assert_int_eq(memcmp(a, b, la), 0);
	free(saved);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_no_top_folder_puts_skill_md_at_root)
{
	for (int f = 0; f < 2; f++) {
		struct seen_list l;
		size_t len;
		char *p = build_ok(f ? SKILLD_ARCHIVE_ZIP : SKILLD_ARCHIVE_TGZ, NULL, three, 3, &len);

		read_back(p, len, &l);
		assert_three(&l, "", f);
		ck_assert_str_eq(l.items[0].name, "SKILL.md");
		seen_free(&l);
		free(p);
	}
}
END_TEST

START_TEST(test_scripts_are_executable)
{
	static const struct archive_entry_in f[] = {
		{ "scripts/run.sh", "#!/bin/sh\n", 10 },
		{ "references/scripts/x.sh", "x", 1 },
		{ "scriptsfoo.md", "y", 1 },
	};

	for (int k = 0; k < 2; k++) {
		struct seen_list l;
		size_t len;
		char *p = build_ok(k ? SKILLD_ARCHIVE_ZIP : SKILLD_ARCHIVE_TGZ, "s", f, 3, &len);

		read_back(p, len, &l);
		ck_assert_uint_eq(l.n, 3);
		ck_assert_str_eq(l.items[0].name, "s/references/scripts/x.sh");
		ck_assert_int_eq(l.items[0].perm, 0644);
		ck_assert_str_eq(l.items[1].name, "s/scripts/run.sh");
		ck_assert_int_eq(l.items[1].perm, 0755);
		ck_assert_str_eq(l.items[2].name, "s/scriptsfoo.md");
		ck_assert_int_eq(l.items[2].perm, 0644);
		seen_free(&l);
		free(p);
	}
}
END_TEST

/* Long and non-ASCII names survive both formats unchanged. */
START_TEST(test_long_and_utf8_names)
{
	char longname[300];
	struct archive_entry_in f[2] = {
		{ "r\xc3\xa9" "f\xc3\xa9rences/caf\xc3\xa9.md", "c", 1 },
		{ longname, "L", 1 },
	};

	memset(longname, 'a', sizeof(longname));
	memcpy(longname + 150, "/b", 2);
	longname[sizeof(longname) - 1] = '\0';
	for (int k = 0; k < 2; k++) {
		struct seen_list l;
		size_t len, len2;
		char *p = build_ok(k ? SKILLD_ARCHIVE_ZIP : SKILLD_ARCHIVE_TGZ, NULL, f, 2, &len);
		char *q = build_ok(k ? SKILLD_ARCHIVE_ZIP : SKILLD_ARCHIVE_TGZ, NULL, f, 2, &len2);

		ck_assert_uint_eq(len, len2);
		ck_assert_int_eq(memcmp(p, q, len), 0);
		/* The reader warns that it cannot convert the name to the C
		 * locale, but hands the bytes through unchanged. */
		read_back_w(p, len, &l, 1);
		ck_assert_uint_eq(l.n, 2);
		ck_assert_str_eq(l.items[0].name, longname);
		ck_assert_int_eq(l.items[1].type, AE_IFREG);
		ck_assert_str_eq(l.items[1].data, "c");
		if (k) {
			/* Raw UTF-8 bytes, flagged UTF-8 (bit 11) in the local header. */
			const char *at = memmem(p, len, f[0].path, strlen(f[0].path));

			ck_assert_ptr_nonnull(at);
			ck_assert_int_ge(at - p, 30);
			ck_assert_int_eq(memcmp(at - 30, "PK\3\4", 4), 0);
			ck_assert_int_eq(at[-30 + 7] & 0x08, 0x08);
			ck_assert_str_eq(l.items[1].name, "?");
		} else {
			ck_assert_str_eq(l.items[1].name, f[0].path);
		}
		seen_free(&l);
		free(p);
		free(q);
	}
}
END_TEST

/* gunzips a whole .tar.gz (free()); defined below. */
static unsigned char *gunzip_all(const char *gz, size_t len, size_t *out_len);

START_TEST(test_empty_archive_is_valid)
{
	for (int k = 0; k < 2; k++) {
		struct seen_list l;
		size_t len;
		char *p = build_ok(k ? SKILLD_ARCHIVE_ZIP : SKILLD_ARCHIVE_TGZ, "demo", NULL, 0, &len);

		if (k) { /* just the end-of-central-directory record */
			ck_assert_uint_eq(len, 22);
		} else { /* the two zero blocks that end a tar, unblocked */
			size_t tlen;
			unsigned char *tar = gunzip_all(p, len, &tlen);

			ck_assert_uint_eq(tlen, 1024);
			for (size_t i = 0; i < tlen; i++)
				ck_assert_int_eq(tar[i], 0);
			free(tar);
		}
		read_back(p, len, &l);
		ck_assert_uint_eq(l.n, 0);
		seen_free(&l);
		free(p);
	}
}
END_TEST

START_TEST(test_bad_paths_rejected)
{
	static const char *const bad[] = {
		"", "/etc/passwd", "../x", "a/../b", "a/..", "./a", "a/./b", "a//b",
		"a/", "a\\..\\b", "a\nb", "bad\xff.md", "\x7f",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct archive_entry_in f[2] = { three[0], { bad[i], "x", 1 } };
		char err[256] = "";
		char *out = (char *)1;
		size_t len = 7;

		ck_assert_msg(archive_build(SKILLD_ARCHIVE_TGZ, "demo", f, 2, &out, &len,
					    err, sizeof(err)) == -1, "accepted '%s'", bad[i]);
		ck_assert_ptr_null(out);
		ck_assert_uint_eq(len, 0);
		ck_assert_msg(strncmp(err, "bad path '", 10) == 0, "err: %s", err);
	}
}
END_TEST

START_TEST(test_bad_sets_rejected)
{
	static const struct archive_entry_in dup[] = { { "a.md", "1", 1 }, { "a.md", "2", 1 } };
	static const struct archive_entry_in under[] = {
		{ "a", "1", 1 }, { "a-b", "2", 1 }, { "a/b", "3", 1 } };
	static const struct archive_entry_in nodata[] = { { "a.md", NULL, 3 } };
	static const struct archive_entry_in nopath[] = { { NULL, "x", 1 } };
	char err[256];
	char *out;
	size_t len;

	ck_assert_int_eq(archive_build(SKILLD_ARCHIVE_ZIP, NULL, dup, 2, &out, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "duplicate path 'a.md'");
	ck_assert_int_eq(archive_build(SKILLD_ARCHIVE_ZIP, NULL, under, 3, &out, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "'a/b' lies under a file");
	ck_assert_int_eq(archive_build(SKILLD_ARCHIVE_ZIP, NULL, nodata, 1, &out, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no content for 'a.md'");
	ck_assert_int_eq(archive_build(SKILLD_ARCHIVE_ZIP, NULL, nopath, 1, &out, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "file 0 has no path");
	ck_assert_int_eq(archive_build(SKILLD_ARCHIVE_TGZ, "a/b", three, 3, &out, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "bad top folder: more than one component");
	ck_assert_int_eq(archive_build(SKILLD_ARCHIVE_TGZ, "..", three, 3, &out, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "bad top folder: '.' or '..' in path");
	ck_assert_int_eq(archive_build(SKILLD_ARCHIVE_TGZ, "", three, 3, &out, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "bad top folder: empty path");
	ck_assert_int_eq(archive_build((enum archive_format)7, NULL, three, 3, &out, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown archive format 7");
	ck_assert_ptr_null(out);
}
END_TEST

/* The bytes inside a gzip stream (free()). */
static unsigned char *gunzip_all(const char *gz, size_t len, size_t *out_len)
{
	z_stream z;
	size_t cap = 1 << 16;
	unsigned char *out = malloc(cap);
	int rc;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (unsigned char *)gz;
	z.avail_in = (uInt)len;
	do {
		if (z.total_out == cap) {
			cap *= 2;
			out = realloc(out, cap);
		}
		z.next_out = out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
	} while (rc == Z_OK);
	ck_assert_int_eq(rc, Z_STREAM_END);
	*out_len = z.total_out;
	inflateEnd(&z);
	return out;
}

/* ASCII names that fit are plain ustar entries: no pax record before them
 * (installers with hand-written tar readers skip pax records). */
START_TEST(test_ascii_names_are_plain_ustar)
{
	static const struct archive_entry_in f[] = {
		{ "SKILL.md", "---\nname: x\n---\n", 17 },
		{ "references/guide.md", "# G\n", 4 },
	};
	size_t len, tlen;
	char *p = build_ok(SKILLD_ARCHIVE_TGZ, NULL, f, 2, &len);
	unsigned char *tar = gunzip_all(p, len, &tlen);

	/* unblocked (bytes_per_block 0): two headers, two data blocks and the
	 * two zero blocks that end the archive, nothing more */
	ck_assert_uint_eq(tlen, 6 * 512);
	ck_assert_str_eq((const char *)tar, "SKILL.md");
	ck_assert_int_eq(tar[156], '0');
	ck_assert_int_eq(memcmp(tar + 257, "ustar", 5), 0);
	ck_assert_str_eq((const char *)tar + 1024, "references/guide.md");
	ck_assert_int_eq(tar[1024 + 156], '0');
	ck_assert_ptr_null(memmem(tar, tlen, "hdrcharset", 10));
	free(tar);
	free(p);
}
END_TEST

Suite *archive_suite(void)
{
	Suite *s = suite_create("archive");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tgz_reads_back_exactly);
	tcase_add_test(tc, test_zip_reads_back_exactly);
	tcase_add_test(tc, test_deterministic_and_sorted);
	tcase_add_test(tc, test_same_bytes_in_another_process);
	tcase_add_test(tc, test_zip_same_in_every_time_zone);
	tcase_add_test(tc, test_no_top_folder_puts_skill_md_at_root);
	tcase_add_test(tc, test_scripts_are_executable);
	tcase_add_test(tc, test_long_and_utf8_names);
	tcase_add_test(tc, test_ascii_names_are_plain_ustar);
	tcase_add_test(tc, test_empty_archive_is_valid);
	tcase_add_test(tc, test_bad_paths_rejected);
	tcase_add_test(tc, test_bad_sets_rejected);
	suite_add_tcase(s, tc);
	return s;
}
