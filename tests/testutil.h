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
/* The bytes inside the gzip stream p[0..n) (free()), NUL terminated, *len
 * of them (len may be NULL); fails the test when p is not one whole gzip
 * stream of at most 1 MiB. */
char *tu_gunzip(const char *p, size_t n, size_t *len);
/* A TCP port that was free a moment ago on 127.0.0.1. */
unsigned tu_free_port(void);

/* Makes dir/rel a Unix domain socket (a file no rule reads as a regular
 * one, whoever runs the test); parents are created. */
void tu_mksock(const char *dir, const char *rel);

/*
 * Permission bits, even for root. A test that chmods a file to 000 to see
 * it refused must not be skipped when it runs as root (CI does): these take
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, the capabilities that let root
 * read through permission bits, out of the calling thread's effective set,
 * so that root is denied like anyone else. For a process that is not
 * privileged they change nothing. 0, or -1 when the kernel refused.
 *
 * tu_dac_drop:      until tu_dac_restore (they stay permitted).
 * tu_dac_restore:   brings them back into the effective set.
 * tu_dac_drop_exec: for good, for a child about to exec: also out of the
 *                   permitted, inheritable, ambient and bounding sets, so
 *                   that the program it runs as root has none of them.
 */
int tu_dac_drop(void);
int tu_dac_restore(void);
int tu_dac_drop_exec(void);

#endif
