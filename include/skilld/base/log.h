/* SPDX-License-Identifier: MIT */
/*
 * log: levelled log lines and the access log, as text or JSON lines, to one
 * stream. Untrusted text (paths, user agents) is escaped before it is
 * written, so a request can never forge a log line. Thread safe: each line
 * is formatted by its caller and copied whole into the logger's batch;
 * access lines reach the stream in batches from a writer thread (about
 * LOG_FLUSH_MS after the first line of a batch), levelled lines at once,
 * with the batch before them.
 */
#ifndef SKILLD_LOG_H
#define SKILLD_LOG_H

#include <pthread.h>
#include <stdio.h>

#include "skilld/base/config.h"
#include "skilld/base/util.h"

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

/* How long the first access line of a batch waits before it is written. */
#define LOG_FLUSH_MS 200
/* A batch this big is written without waiting for the timer. */
#define LOG_BATCH_WAKE (64u * 1024)
/* A batch this big makes the next caller write it itself (back-pressure when
 * the stream is slower than the requests: a line is never dropped). */
#define LOG_BATCH_MAX (1024u * 1024)

/*
 * Lines, one per call:
 *   text  2026-11-25T01:02:03Z INFO message
 *         2026-11-25T01:02:03.123Z GET "/api/v1/skills" 200 1234B 0.42ms "curl/8.0"
 *   json  {"ts":"2026-11-25T01:02:03.123Z","level":"info","msg":"message"}
 *         {"ts":...,"method":"GET","path":"/api/v1/skills","status":200,
 *          "bytes":1234,"ms":0.420,"ua":"curl/8.0"}
 * Times are UTC. A missing method, path or user agent is "-" in text and
 * null in JSON.
 *
 * Every line goes into one batch, in the order the calls took the lock, so
 * the stream holds whole lines and each thread's lines in its own order.
 * An access line waits there for the writer thread: it writes the batch
 * (one fwrite and fflush) LOG_FLUSH_MS after the first line of it came, or
 * sooner once the batch reaches LOG_BATCH_WAKE bytes. A levelled line is
 * written by its caller before log_msg returns, with every line batched
 * before it, so a message just before a crash is on the stream. log_flush
 * and log_fini write what is left. Should the writer thread not start,
 * every line is written at once, as by log_msg.
 */
struct logger {
	FILE *out;                /* not owned: the caller closes it after log_fini */
	enum log_format format;
	enum log_level min_level; /* lines below it are dropped */
	pthread_mutex_t lock;     /* guards batch, idle and stopping */
	pthread_mutex_t write_lock; /* held while writing to out; taken before lock */
	pthread_cond_t wake;      /* signals the writer thread */
	pthread_t writer;
	bool has_writer;          /* writer runs (set by log_init only) */
	bool idle;                /* the writer waits for a first line, no timer */
	bool stopping;            /* log_fini asked the writer to end */
	struct buf batch;         /* lines not yet handed to out */
	struct buf writing;       /* the batch being written (under write_lock) */
};

/* Prepares lg to write to out (NULL: discard everything) and starts its
 * writer thread. Call it with the signals the process handles blocked, as
 * every thread it starts inherits the mask. */
void log_init(struct logger *lg, FILE *out, enum log_format format, enum log_level min_level);
/* Stops the writer thread, writes every line left and releases the
 * logger; does not close out. lg may be NULL. Later calls through lg write
 * nothing. */
void log_fini(struct logger *lg);
/* Writes every line logged before the call and flushes out. lg may be NULL. */
void log_flush(struct logger *lg);

/* One log line, on the stream when the call returns; the message is
 * formatted, then escaped. lg may be NULL (no-op). */
void log_msg(struct logger *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One access-log line: method, path and user agent are untrusted and may be
 * NULL. Access lines count as LOG_INFO for filtering and are written in
 * batches (see struct logger). lg may be NULL. */
void log_access(struct logger *lg, const char *method, const char *path, int status,
		size_t bytes, double millis, const char *user_agent);

/* Appends s to out with control characters (C0, DEL and C1), quotes and
 * backslashes escaped JSON-style (\n, \", \u001b ...); invalid UTF-8 bytes
 * become \xNN; valid multibyte UTF-8 is kept. s may be NULL (appends
 * nothing). The JSON lines write invalid bytes as \\xNN instead, which stays
 * valid JSON. */
void log_escape(struct buf *out, const char *s);

#endif
