/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the Check suites: temporary directories, writing
 * fixture files, and reading whole files.
 */
#ifndef SKILLD_TESTUTIL_H
#define SKILLD_TESTUTIL_H

#include <stddef.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); free() the result. */
char *tu_mkdtemp(void);
/* Removes a directory tree (does not follow symlinks). */
void tu_rmtree(const char *path);
/* Writes data to dir/rel, creating parent directories. */
void tu_write(const char *dir, const char *rel, const char *data, size_t len);
/* tu_write with a NUL-terminated string. */
void tu_write_str(const char *dir, const char *rel, const char *text);
/* Reads a file into a NUL-terminated buffer (free()); aborts the test on error. */
char *tu_read(const char *path, size_t *len);

#endif
