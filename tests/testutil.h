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

/* A response read by tu_http. */
struct tu_response {
	int status;
	char *headers;  /* raw header block, lowercase names kept as sent */
	char *body;
	size_t body_len;
};

/* Sends raw (a whole HTTP/1.1 request) to 127.0.0.1:port and reads the
 * response until the server closes or Content-Length is satisfied. HEAD
 * responses carry no body. Returns 0, or -1 on a socket error. */
int tu_http(unsigned port, const char *raw, struct tu_response *out);
/* Sends raw (any number of requests) and returns everything the server
 * sent until it closed (free()), NUL terminated, its length in *len (may
 * be NULL); NULL on a socket error. */
char *tu_http_all(unsigned port, const char *raw, size_t *len);
/* A GET with Connection: close and optional extra header lines ("A: b\r\n"). */
int tu_get(unsigned port, const char *path, const char *extra, struct tu_response *out);
void tu_response_fini(struct tu_response *r);
/* Value of a header (case-insensitive name) in a newly allocated string, or NULL. */
char *tu_header(const struct tu_response *r, const char *name);
/* A TCP port that was free a moment ago on 127.0.0.1. */
unsigned tu_free_port(void);

#endif
