/* SPDX-License-Identifier: MIT */
/*
 * log: levelled log lines and the access log, as text or JSON lines, to one
 * stream. Untrusted text (paths, user agents) is escaped before it is
 * written, so a request can never forge a log line. Thread safe: each line is
 * written with one locked call.
 */
#ifndef SKILLD_LOG_H
#define SKILLD_LOG_H

#include <pthread.h>
#include <stdio.h>

#include "skilld/base/config.h"

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

/*
 * Lines, one per call, flushed at once:
 *   text  2026-11-25T01:02:03Z INFO message
 *         2026-11-25T01:02:03.123Z GET "/api/v1/skills" 200 1234B 0.42ms "curl/8.0"
 *   json  {"ts":"2026-11-25T01:02:03.123Z","level":"info","msg":"message"}
 *         {"ts":...,"method":"GET","path":"/api/v1/skills","status":200,
 *          "bytes":1234,"ms":0.420,"ua":"curl/8.0"}
 * Times are UTC. A missing method, path or user agent is "-" in text and
 * null in JSON.
 */
struct logger {
	FILE *out;                /* not owned: the caller closes it after log_fini */
	enum log_format format;
	enum log_level min_level; /* lines below it are dropped */
	pthread_mutex_t lock;
};

/* Prepares lg to write to out (NULL: discard everything). */
void log_init(struct logger *lg, FILE *out, enum log_format format, enum log_level min_level);
/* Releases the lock; does not close out. lg may be NULL. */
void log_fini(struct logger *lg);

/* One log line; the message is formatted, then escaped. lg may be NULL (no-op). */
void log_msg(struct logger *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One access-log line: method, path and user agent are untrusted and may be
 * NULL. Access lines count as LOG_INFO for filtering. lg may be NULL. */
void log_access(struct logger *lg, const char *method, const char *path, int status,
		size_t bytes, double millis, const char *user_agent);

/* Appends s to out with control characters (C0, DEL and C1), quotes and
 * backslashes escaped JSON-style (\n, \", \u001b ...); invalid UTF-8 bytes
 * become \xNN; valid multibyte UTF-8 is kept. s may be NULL (appends
 * nothing). The JSON lines write invalid bytes as \\xNN instead, which stays
 * valid JSON. */
struct buf;
void log_escape(struct buf *out, const char *s);

#endif
