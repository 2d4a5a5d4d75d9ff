/* SPDX-License-Identifier: MIT */
/*
 * archive: deterministic tar.gz and zip archives built in memory with
 * libarchive. Every varying field (order, times, owners, modes, gzip header,
 * block padding, name charset) is pinned so that the same files always give
 * the same bytes, which the callers turn into a strong ETag. Each call owns
 * its libarchive handle, so calls on different threads never share state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "skilld/base/archive.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

/* The longest path accepted (bytes, top folder included). */
#define ARCHIVE_PATH_MAX 4096

/* libarchive's write callback: appends the bytes to the struct buf. */
static la_ssize_t archive_buf_write(struct archive *a, void *client, const void *p, size_t n)
{
	(void)a;
	buf_append(client, p, n);
	return (la_ssize_t)n;
}

/* Orders entry pointers bytewise by path (strcmp compares unsigned bytes). */
static int archive_entry_cmp(const void *x, const void *y)
{
	const struct archive_entry_in *const *a = x;
	const struct archive_entry_in *const *b = y;

	return strcmp((*a)->path, (*b)->path);
}

/* Checks one '/'-separated relative path; NULL when fine, else the reason. */
static const char *archive_path_problem(const char *path)
{
	size_t len = strlen(path);
	const char *c = path;

	if (len == 0)
		return "empty path";
	if (len > ARCHIVE_PATH_MAX)
		return "path too long";
	if (path[0] == '/')
		return "absolute path";
	if (!utf8_valid(path, len))
		return "path is not UTF-8";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "control character in path";
		if (*p == '\\')
			return "backslash in path";
	}
	while (*c) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);

		if (n == 0)
			return "empty path component";
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return "'.' or '..' in path";
		if (!slash)
			break;
		c = slash + 1;
		if (*c == '\0')
			return "empty path component";
	}
	return NULL;
}

/* True when some folder of sorted[i]'s path is itself one of the files. */
static int archive_has_file_parent(const struct archive_entry_in *const *sorted, size_t n,
				   const char *path)
{
	char prefix[ARCHIVE_PATH_MAX + 1];
	struct archive_entry_in key = { .path = prefix };
	const struct archive_entry_in *keyp = &key;

	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		size_t k = (size_t)(s - path);

		memcpy(prefix, path, k);
		prefix[k] = '\0';
		if (bsearch(&keyp, sorted, n, sizeof(*sorted), archive_entry_cmp))
			return 1;
	}
	return 0;
}

/* Sets the format, filter and options of a fresh writer; 0 or -1. */
static int archive_setup(struct archive *a, enum archive_format fmt)
{
	if (fmt == SKILLD_ARCHIVE_TGZ) {
		if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
		    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
		    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
		    archive_write_set_filter_option(a, "gzip", "compression-level", "9") != ARCHIVE_OK)
			return -1;
	} else {
		if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
		    archive_write_set_format_option(a, "zip", "compression", "deflate") != ARCHIVE_OK ||
		    archive_write_set_format_option(a, "zip", "hdrcharset", "UTF-8") != ARCHIVE_OK)
			return -1;
	}
	/* Unblocked output: no zero padding after the gzip stream or the zip. */
	if (archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK)
		return -1;
	return 0;
}

/* Writes one regular file entry; 0 or -1 (the message is in a). */
static int archive_put(struct archive *a, struct archive_entry *e, enum archive_format fmt,
		       const char *top, const struct archive_entry_in *f)
{
	char name[2 * ARCHIVE_PATH_MAX + 2];
	int scripts = strncmp(f->path, "scripts/", 8) == 0;
	int r;

	if (top)
		snprintf(name, sizeof(name), "%s/%s", top, f->path);
	else
		snprintf(name, sizeof(name), "%s", f->path);
	archive_entry_clear(e);
	/* Names are UTF-8 bytes whatever the locale. The zip writer is given
	 * them as UTF-8 so that it flags them. The tar writer is given the
	 * raw bytes: an ASCII name that fits stays a plain ustar entry (no pax
	 * record a hand-written reader would trip on); any other gets a pax
	 * path record, marked hdrcharset=BINARY when the locale cannot vouch
	 * for the bytes, which readers hand through unchanged (skilld never calls setlocale:
	 * the C locale, so the bytes never depend on the environment). */
	if (fmt == SKILLD_ARCHIVE_ZIP)
		archive_entry_set_pathname_utf8(e, name);
	else
		archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, scripts ? 0755 : 0644);
	archive_entry_set_size(e, (la_int64_t)f->len);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (fmt == SKILLD_ARCHIVE_TGZ) {
		archive_entry_set_uname(e, "root");
		archive_entry_set_gname(e, "root");
		archive_entry_set_mtime(e, SKILLD_ARCHIVE_MTIME, 0);
	}
	r = archive_write_header(a, e);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return -1;
	if (f->len > 0 && archive_write_data(a, f->data, f->len) != (la_ssize_t)f->len)
		return -1;
	return archive_write_finish_entry(a) == ARCHIVE_OK ? 0 : -1;
}

/* Validates top and every path, and fills sorted (n pointers); 0 or -1. */
static int archive_check(const char *top, const struct archive_entry_in *files, size_t n,
			 const struct archive_entry_in **sorted, char *err, size_t errlen)
{
	const char *why;

	if (top) {
		why = archive_path_problem(top);
		if (!why && strchr(top, '/'))
			why = "more than one component";
		if (why) {
			snprintf(err, errlen, "bad top folder: %s", why);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!files[i].path) {
			snprintf(err, errlen, "file %zu has no path", i);
			return -1;
		}
		why = archive_path_problem(files[i].path);
		if (why) {
			snprintf(err, errlen, "bad path '%.200s': %s", files[i].path, why);
			return -1;
		}
		if (!files[i].data && files[i].len > 0) {
			snprintf(err, errlen, "no content for '%.200s'", files[i].path);
			return -1;
		}
		sorted[i] = &files[i];
	}
	if (n > 0)
		qsort(sorted, n, sizeof(*sorted), archive_entry_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i - 1]->path, sorted[i]->path) == 0) {
			snprintf(err, errlen, "duplicate path '%.200s'", sorted[i]->path);
			return -1;
		}
		if (archive_has_file_parent(sorted, n, sorted[i]->path)) {
			snprintf(err, errlen, "'%.200s' lies under a file", sorted[i]->path);
			return -1;
		}
	}
	return 0;
}

int archive_build(enum archive_format fmt, const char *top,
		  const struct archive_entry_in *files, size_t n,
		  char **out, size_t *out_len, char *err, size_t errlen)
{
	const struct archive_entry_in **sorted = NULL;
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	struct buf b;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	buf_init(&b);
	if (fmt != SKILLD_ARCHIVE_TGZ && fmt != SKILLD_ARCHIVE_ZIP) {
		snprintf(err, errlen, "unknown archive format %d", (int)fmt);
		goto done;
	}
	if (n > 0 && !files) {
		snprintf(err, errlen, "no files given");
		goto done;
	}
	sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	if (archive_check(top, files, n, sorted, err, errlen) != 0)
		goto done;

	a = archive_write_new();
	e = archive_entry_new();
	if (!a || !e) {
		snprintf(err, errlen, "libarchive: out of memory");
		goto done;
	}
	if (archive_setup(a, fmt) != 0 ||
	    archive_write_open2(a, &b, NULL, archive_buf_write, NULL, NULL) != ARCHIVE_OK)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (archive_put(a, e, fmt, top, sorted[i]) != 0)
			goto fail;
	if (archive_write_close(a) != ARCHIVE_OK)
		goto fail;
	*out = buf_detach(&b, out_len);
	rc = 0;
	goto done;
fail:
	snprintf(err, errlen, "libarchive: %s",
		 archive_error_string(a) ? archive_error_string(a) : "unknown error");
done:
	archive_entry_free(e);
	if (a)
		archive_write_free(a);
	free(sorted);
	buf_fini(&b);
	return rc;
}
