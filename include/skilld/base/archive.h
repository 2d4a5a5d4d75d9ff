/* SPDX-License-Identifier: MIT */
/*
 * archive: deterministic tar.gz and zip archives of a skill's files, built
 * in memory with libarchive from bytes the caller already holds (the
 * database's `files` table). A pure function: no globals, no file system,
 * safe to call from any number of threads at once.
 */
#ifndef SKILLD_ARCHIVE_H
#define SKILLD_ARCHIVE_H

#include <stddef.h>

/* One file to archive; nothing is copied or freed by archive_build. */
struct archive_entry_in {
	const char *path;  /* relative, '/'-separated, e.g. "scripts/run.py" */
	const void *data;  /* len bytes; may be NULL only when len is 0 */
	size_t len;
};

enum archive_format {
	SKILLD_ARCHIVE_TGZ,  /* restricted pax (ustar unless a name needs pax) + gzip */
	SKILLD_ARCHIVE_ZIP,  /* zip, deflate */
};

/* The fixed modification time of every tar entry: 1980-01-01T00:00:00Z. */
#define SKILLD_ARCHIVE_MTIME 315532800

/*
 * Builds an archive of files[0..n) in fmt. Same input, same bytes:
 * - entries are sorted bytewise by path whatever the input order;
 * - regular files only, no directory, symlink or hard-link entries
 *   (directories are implied by the paths);
 * - mode 0755 for files under a top-level "scripts/" folder, 0644 otherwise;
 *   uid/gid 0, uname/gname "root" in tar;
 * - tar entries carry SKILLD_ARCHIVE_MTIME; zip entries carry no Unix time
 *   field and the DOS time 1980-01-01 00:00 (the smallest a zip can hold;
 *   a DOS time is local time, so leaving the Unix time unset keeps the
 *   bytes the same in every time zone); gzip has no name and a zero time;
 *   zip names are flagged UTF-8.
 * top: the one folder every entry sits in (a single name such as the slug),
 * or NULL for files at the archive root.
 * Paths must be non-empty valid UTF-8, relative, without empty, "." or ".."
 * components, backslashes or control characters, unique, and no path may
 * also be a folder of another; the same rules hold for top as one component.
 * n == 0 gives a valid empty archive.
 * 0 with OUT: *out (free() it) and *out_len; -1 with a message in err and
 * *out left NULL.
 */
int archive_build(enum archive_format fmt, const char *top,
		  const struct archive_entry_in *files, size_t n,
		  char **out, size_t *out_len, char *err, size_t errlen);

#endif
