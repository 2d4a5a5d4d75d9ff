/* SPDX-License-Identifier: MIT */
/*
 * log: builds each log or access line in a private buffer, escaping every
 * piece of untrusted text, then copies it whole into the logger's batch
 * under its mutex, so lines from many threads never interleave and a
 * request can never start a line of its own. A writer thread writes the
 * batch on a timer (LOG_FLUSH_MS) or when it grows large, so a request
 * costs no system call; levelled lines are written by their caller at once,
 * after the lines batched before them. The escaper is also exported for
 * other modules that print untrusted text.
 */
#include "skilld/base/log.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

/* How bytes that cannot be written as they are come out. */
enum log_esc_mode {
	LOG_ESC_TEXT,  /* invalid UTF-8 byte -> \xNN */
	LOG_ESC_TOKEN, /* as text, and spaces -> \u0020: an unquoted field */
	LOG_ESC_JSON,  /* invalid UTF-8 byte -> \\xNN, so the line stays JSON */
};

/* Appends s to out escaped for mode; see log_escape. */
static void log_escape_mode(struct buf *out, const char *s, enum log_esc_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s)
		return;
	while (*p) {
		unsigned char c = *p;
		uint32_t cp;
		size_t len;

		switch (c) {
		case '"':  buf_puts(out, "\\\""); p++; continue;
		case '\\': buf_puts(out, "\\\\"); p++; continue;
		case '\n': buf_puts(out, "\\n"); p++; continue;
		case '\r': buf_puts(out, "\\r"); p++; continue;
		case '\t': buf_puts(out, "\\t"); p++; continue;
		case '\b': buf_puts(out, "\\b"); p++; continue;
		case '\f': buf_puts(out, "\\f"); p++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7F || (c == ' ' && mode == LOG_ESC_TOKEN)) {
			buf_printf(out, "\\u%04x", c);
			p++;
			continue;
		}
		if (c < 0x80) {
			/* the run of printable ASCII that starts here, in one append */
			const unsigned char *end = p + 1;

			while (*end >= 0x20 && *end < 0x7F && *end != '"' && *end != '\\' &&
			       !(*end == ' ' && mode == LOG_ESC_TOKEN))
				end++;
			buf_append(out, p, (size_t)(end - p));
			p = end;
			continue;
		}
		len = utf8_decode((const char *)p, strnlen((const char *)p, 4), &cp);
		if (len > 0) {
			if (cp < 0xA0)
				buf_printf(out, "\\u%04x", (unsigned)cp); /* C1 control, e.g. CSI */
			else
				buf_append(out, p, len);
			p += len;
			continue;
		}
		buf_printf(out, mode == LOG_ESC_JSON ? "\\\\x%02X" : "\\x%02X", c);
		p++;
	}
}

/* The text-mode escaper, for other modules that print untrusted text. */
void log_escape(struct buf *out, const char *s)
{
	log_escape_mode(out, s, LOG_ESC_TEXT);
}

/* Hands the batch to out: swaps it for the empty one under the lock, then
 * writes it with the lock released, so callers keep adding lines while
 * this one waits on the stream. write_lock keeps batches in their order. */
static void log_drain(struct logger *lg)
{
	struct buf next;

	pthread_mutex_lock(&lg->write_lock);
	pthread_mutex_lock(&lg->lock);
	next = lg->batch;
	lg->batch = lg->writing;
	lg->writing = next;
	pthread_mutex_unlock(&lg->lock);
	if (lg->writing.len > 0) {
		fwrite(lg->writing.data, 1, lg->writing.len, lg->out);
		fflush(lg->out);
		buf_reset(&lg->writing);
	}
	pthread_mutex_unlock(&lg->write_lock);
}

/* Now plus ms on the monotonic clock, for pthread_cond_timedwait. */
static struct timespec log_deadline(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* The writer thread: sleeps until a first line comes, then gives the batch
 * LOG_FLUSH_MS (less if it reaches LOG_BATCH_WAKE) and writes it. Ends,
 * leaving the last batch to log_fini, when stopping is set. */
static void *log_writer_run(void *arg)
{
	struct logger *lg = arg;

	pthread_mutex_lock(&lg->lock);
	while (!lg->stopping) {
		if (lg->batch.len == 0) {
			lg->idle = true;
			pthread_cond_wait(&lg->wake, &lg->lock);
			lg->idle = false;
			continue;
		}
		struct timespec until = log_deadline(LOG_FLUSH_MS);

		while (!lg->stopping && lg->batch.len < LOG_BATCH_WAKE &&
		       pthread_cond_timedwait(&lg->wake, &lg->lock, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&lg->lock);
		log_drain(lg);
		pthread_mutex_lock(&lg->lock);
	}
	pthread_mutex_unlock(&lg->lock);
	return NULL;
}

/* The stream stays the caller's. Without a stream no thread is started;
 * when it cannot be, every line is written at once. */
void log_init(struct logger *lg, FILE *out, enum log_format format, enum log_level min_level)
{
	pthread_condattr_t attr;

	lg->out = out;
	lg->format = format;
	lg->min_level = min_level;
	lg->has_writer = false;
	lg->idle = false;
	lg->stopping = false;
	pthread_mutex_init(&lg->lock, NULL);
	pthread_mutex_init(&lg->write_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&lg->wake, &attr);
	pthread_condattr_destroy(&attr);
	buf_init(&lg->batch);
	buf_init(&lg->writing);
	if (out && pthread_create(&lg->writer, NULL, log_writer_run, lg) == 0) {
		pthread_setname_np(lg->writer, "skilld-log");
		lg->has_writer = true;
	}
}

/* Joins the writer, writes what it left, then destroys the locks; any
 * later call through lg is a no-op. */
void log_fini(struct logger *lg)
{
	if (!lg)
		return;
	if (lg->has_writer) {
		pthread_mutex_lock(&lg->lock);
		lg->stopping = true;
		pthread_cond_signal(&lg->wake);
		pthread_mutex_unlock(&lg->lock);
		pthread_join(lg->writer, NULL);
		lg->has_writer = false;
	}
	if (!lg->batch.data) /* finished already (read once the writer is gone) */
		return;
	if (lg->out)
		log_drain(lg);
	pthread_cond_destroy(&lg->wake);
	pthread_mutex_destroy(&lg->write_lock);
	pthread_mutex_destroy(&lg->lock);
	buf_fini(&lg->batch);
	buf_fini(&lg->writing);
	lg->out = NULL;
}

void log_flush(struct logger *lg)
{
	if (lg && lg->out)
		log_drain(lg);
}

/* True when lg would write a line of this level. */
static bool log_wants(const struct logger *lg, enum log_level level)
{
	return lg && lg->out && level >= lg->min_level;
}

/* Writes v as exactly width decimal digits, zero padded, at p. */
static void log_digits(char *p, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Appends v in decimal. */
static void log_put_uint(struct buf *b, unsigned long long v)
{
	char text[24];
	size_t n = 0;

	do {
		text[sizeof(text) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_append(b, text + sizeof(text) - n, n);
}

/* Appends ms (finite, not negative) with 2 or 3 decimals, the digits %.2f
 * and %.3f print: fma gives the rounding error of the product with 100 or
 * 1000, which decides a fraction that looks like one half, and an exact
 * half goes to the even digit. */
static void log_put_ms(struct buf *b, double ms, int places)
{
	unsigned long long scale = places == 3 ? 1000 : 100, v;
	double product, error, whole, above_half;
	char frac[4] = { '.' };

	if (ms >= 1e12) {
		buf_printf(b, "%.*f", places, ms);
		return;
	}
	product = ms * (double)scale;
	error = fma(ms, (double)scale, -product); /* exact: the true product less product */
	whole = floor(product);
	above_half = (product - whole) - 0.5;     /* exact below 2^52 */
	v = (unsigned long long)whole;
	if (above_half > 0 || (above_half == 0 && (error > 0 || (error == 0 && v % 2 == 1))))
		v++;
	log_put_uint(b, v / scale);
	log_digits(frac + 1, v % scale, places);
	buf_append(b, frac, 1 + (size_t)places);
}

/* Appends an HTTP status (any int). */
static void log_put_status(struct buf *b, int status)
{
	if (status < 0)
		buf_printf(b, "%d", status);
	else
		log_put_uint(b, (unsigned long long)status);
}

/* "YYYY-MM-DDTHH:MM:SS" of t (seconds since 1970, UTC) into text; returns
 * its length. Counts from 2000-03-01, the day after a 400-year cycle's leap
 * day, so February ends each year; earlier times and years past 9999 take
 * gmtime_r. */
static size_t log_utc(time_t t, char text[32])
{
	static const unsigned char month_days[] = { 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29 };
	long long days = (long long)t / 86400 - 11017, secs = (long long)t % 86400;
	long long year, cycles, centuries, quads, years;
	unsigned month = 0;
	struct tm tm;

	if (t < 951868800 || t >= 253402300800) {
		if (!gmtime_r(&t, &tm))
			memset(&tm, 0, sizeof(tm));
		return strftime(text, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	}
	cycles = days / 146097;
	days -= cycles * 146097;
	centuries = days / 36524 < 3 ? days / 36524 : 3;
	days -= centuries * 36524;
	quads = days / 1461;
	days -= quads * 1461;
	years = days / 365 < 3 ? days / 365 : 3;
	days -= years * 365;
	year = 2000 + cycles * 400 + centuries * 100 + quads * 4 + years;
	while (days >= month_days[month])
		days -= month_days[month++];
	month += 3;
	if (month > 12) {
		month -= 12;
		year++;
	}
	log_digits(text, (unsigned long long)year, 4);
	text[4] = '-';
	log_digits(text + 5, month, 2);
	text[7] = '-';
	log_digits(text + 8, (unsigned long long)days + 1, 2);
	text[10] = 'T';
	log_digits(text + 11, (unsigned long long)secs / 3600, 2);
	text[13] = ':';
	log_digits(text + 14, (unsigned long long)secs / 60 % 60, 2);
	text[16] = ':';
	log_digits(text + 17, (unsigned long long)secs % 60, 2);
	return 19;
}

/* Appends the current UTC time, with milliseconds when millis is set. */
static void log_timestamp(struct buf *b, bool millis)
{
	struct timespec ts;
	char text[32];
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = log_utc(ts.tv_sec, text);
	if (millis) {
		text[n] = '.';
		log_digits(text + n + 1, (unsigned long long)ts.tv_nsec / 1000000, 3);
		n += 4;
	}
	text[n++] = 'Z';
	buf_append(b, text, n);
}

/* Adds one finished line (newline included) to the batch, and writes the
 * batch at once when now is set or there is no writer thread. A full batch
 * is written by the caller first (until there is room: the batch never
 * passes LOG_BATCH_MAX but for a longer line): back-pressure, not a
 * dropped line. */
static void log_write(struct logger *lg, const struct buf *line, bool now)
{
	bool wake;

	pthread_mutex_lock(&lg->lock);
	while (lg->batch.len > 0 && lg->batch.len + line->len > LOG_BATCH_MAX) {
		pthread_mutex_unlock(&lg->lock);
		log_drain(lg);
		pthread_mutex_lock(&lg->lock);
	}
	buf_append(&lg->batch, line->data, line->len);
	/* the writer sleeps without a timer, or the batch just got big */
	wake = (lg->idle && lg->batch.len == line->len) ||
		 (lg->batch.len >= LOG_BATCH_WAKE && lg->batch.len - line->len < LOG_BATCH_WAKE);
	now = now || !lg->has_writer;
	pthread_mutex_unlock(&lg->lock);
	if (wake && !now)
		pthread_cond_signal(&lg->wake);
	if (now)
		log_drain(lg);
}

/* The name of a level; out-of-range values read as errors. */
static const char *log_level_name(enum log_level level, bool lower)
{
	static const char *const upper_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
	static const char *const lower_names[] = { "debug", "info", "warn", "error" };
	unsigned i = (unsigned)level <= LOG_ERROR ? (unsigned)level : LOG_ERROR;

	return lower ? lower_names[i] : upper_names[i];
}

/* Appends "key":"escaped value", or "key":null when value is NULL. */
static void log_json_str(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, "\"%s\":", key);
	if (!value) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	log_escape_mode(b, value, LOG_ESC_JSON);
	buf_putc(b, '"');
}

/* Formats first, then escapes the whole message, so even a format argument
 * cannot break the line. */
void log_msg(struct logger *lg, enum log_level level, const char *fmt, ...)
{
	struct buf msg, line;
	va_list ap;

	if (!log_wants(lg, level))
		return;
	buf_init(&msg);
	buf_init(&line);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (lg->format == LOG_FORMAT_JSON) {
		buf_puts(&line, "{\"ts\":\"");
		log_timestamp(&line, true);
		buf_puts(&line, "\",");
		log_json_str(&line, "level", log_level_name(level, true));
		buf_putc(&line, ',');
		log_json_str(&line, "msg", msg.data);
		buf_puts(&line, "}\n");
	} else {
		log_timestamp(&line, false);
		buf_printf(&line, " %s ", log_level_name(level, false));
		log_escape_mode(&line, msg.data, LOG_ESC_TEXT);
		buf_putc(&line, '\n');
	}
	log_write(lg, &line, true);
	buf_fini(&msg);
	buf_fini(&line);
}

/* A negative, NaN or infinite duration is logged as 0 so JSON stays valid. */
void log_access(struct logger *lg, const char *method, const char *path, int status,
		size_t bytes, double millis, const char *user_agent)
{
	struct buf line;

	if (!log_wants(lg, LOG_INFO))
		return;
	if (!isfinite(millis) || millis < 0)
		millis = 0;
	buf_init(&line);
	buf_grow(&line, 255); /* a usual line: one allocation, no doubling */
	if (lg->format == LOG_FORMAT_JSON) {
		buf_puts(&line, "{\"ts\":\"");
		log_timestamp(&line, true);
		buf_puts(&line, "\",");
		log_json_str(&line, "method", method);
		buf_putc(&line, ',');
		log_json_str(&line, "path", path);
		buf_puts(&line, ",\"status\":");
		log_put_status(&line, status);
		buf_puts(&line, ",\"bytes\":");
		log_put_uint(&line, bytes);
		buf_puts(&line, ",\"ms\":");
		log_put_ms(&line, millis, 3);
		buf_putc(&line, ',');
		log_json_str(&line, "ua", user_agent);
		buf_puts(&line, "}\n");
	} else {
		log_timestamp(&line, true);
		buf_putc(&line, ' ');
		if (method && method[0])
			log_escape_mode(&line, method, LOG_ESC_TOKEN);
		else
			buf_putc(&line, '-');
		buf_puts(&line, " \"");
		log_escape_mode(&line, path ? path : "-", LOG_ESC_TEXT);
		buf_puts(&line, "\" ");
		log_put_status(&line, status);
		buf_putc(&line, ' ');
		log_put_uint(&line, bytes);
		buf_puts(&line, "B ");
		log_put_ms(&line, millis, 2);
		buf_puts(&line, "ms \"");
		log_escape_mode(&line, user_agent ? user_agent : "-", LOG_ESC_TEXT);
		buf_puts(&line, "\"\n");
	}
	log_write(lg, &line, false);
	buf_fini(&line);
}
