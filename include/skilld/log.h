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

#include "skilld/config.h"

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

struct logger {
	FILE *out;
	enum log_format format;
	enum log_level min_level;
	pthread_mutex_t lock;
};

void log_init(struct logger *lg, FILE *out, enum log_format format, enum log_level min_level);
void log_fini(struct logger *lg);

/* One log line; the message is formatted, then escaped. lg may be NULL (no-op). */
void log_msg(struct logger *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One access-log line: method, path and user agent are untrusted. */
void log_access(struct logger *lg, const char *method, const char *path, int status,
		size_t bytes, double millis, const char *user_agent);

/* Appends s to out with control characters, quotes and backslashes escaped
 * JSON-style (\n, \", \u001b ...); invalid UTF-8 bytes become \xNN. */
struct buf;
void log_escape(struct buf *out, const char *s);

#endif
