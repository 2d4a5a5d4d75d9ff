/* SPDX-License-Identifier: MIT */
/*
 * http: libmicrohttpd glue. The access handler is called several times per
 * request; we answer on the second call (after the headers), never on the
 * first, because queueing on the first call makes 0.9.75 close keep-alive
 * connections. URLs are left percent-encoded (identity unescape callback) so
 * that the router decodes each path segment itself. Runs on MHD's worker
 * threads; the per-request state lives in the connection's con_cls.
 */
#include "skilld/transport/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <stdatomic.h>
#include <unistd.h>

#include <microhttpd.h>
#include <pthread.h>

#include "skilld/app/app.h"
#include "skilld/transport/auth.h"
#include "skilld/transport/pipeline.h"
#include "skilld/transport/rcache.h"
#include "skilld/base/hub.h"
#include "skilld/base/util.h"

struct http_server {
	struct MHD_Daemon *daemon;
	struct rcache *cache;      /* prepared answers of the current generation; NULL: off */
	MHD_socket quiesced;       /* the listening socket after http_drain, or MHD_INVALID_SOCKET */
	atomic_uint inflight;      /* requests between their first call and completion */
	atomic_uint streams;       /* live event streams open now */
	atomic_bool stopping;      /* http_drain began: streams end */
	pthread_t beat;            /* wakes the parked streams now and then (heartbeats) */
	bool beat_started;
	pthread_mutex_t beat_lock;
	pthread_cond_t beat_cond;  /* signalled to stop the heartbeat thread */
};

/* How often the parked streams are woken, so that each can send a
 * heartbeat (see the stream's read) and a dead client is noticed. */
#define STREAM_BEAT_MS 15000

/* Per-request state kept between the calls of the access handler. */
/* The request in progress on a connection. One per connection, made when
 * it opens and reused by each request on it (keep-alive), so a request
 * allocates nothing for it; it is the request's con_cls from its first
 * handler call to its completion. */
struct pending {
	struct timespec start;
	struct buf upload;
	bool started;         /* the access handler saw this request */
	bool too_large;       /* the body grew over --max-body: the rest is dropped */
	bool too_many_args;   /* the query has more than --max-query-args arguments */
};

/* The query arguments being collected and their size. */
struct query_sink {
	struct request *req;
	size_t bytes;   /* key=value& per argument */
};

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct query_sink *q = cls;
	size_t kl = strlen(key), vl = value ? strlen(value) : 0;

	(void)kind;
	q->bytes += kl + vl + 2;
	request_add_query(q->req, key, kl, value, vl);
	return MHD_YES;
}

/* libmicrohttpd's own messages go through our logger (so --log-format json
 * stays one JSON object per line). */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct app *app = cls;
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_msg(&app->log, LOG_WARN, "libmicrohttpd: %s", line);
}

/* Did the client connect from loopback (127.0.0.0/8, ::1, ::ffff:127.x)? */
static bool peer_is_loopback(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (!sa)
		return false;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* Where the path of a request target starts in it: after the scheme and
 * host of an absolute-form target (RFC 9112 §3.2.2, "http://host/path");
 * its end when such a target has no path. */
static const char *target_path_in(const char *url)
{
	const char *p = NULL;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	if (!p)
		return url;
	return p + strcspn(p, "/");
}

/* The path of a request target: absolute-form targets are accepted as
 * their path ("/" when they have none). */
static const char *target_path(const char *url)
{
	const char *p = target_path_in(url);

	return *p ? p : "/";
}

/*
 * libmicrohttpd's URI log callback, called once per request with the
 * request line's target before it parses the query: 0.9.75 stores every
 * argument in the connection's memory pool and, when that runs out (about
 * 950 arguments in 64K), stalls the connection until --timeout. So the
 * arguments are counted here, and a query with more than --max-query-args
 * is emptied in place (its first byte after '?' set to NUL: the target
 * lives in the connection's writable read buffer, which libmicrohttpd
 * itself cuts at the '?' right after this call) and answered 414 by
 * on_request. Returns the connection's pending state, which becomes the
 * request's con_cls.
 */
static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct app *app = cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct pending *p = ci ? ci->socket_context : NULL;
	char *q = strchr(uri, '?');
	size_t args = 0;

	if (!p)
		return NULL;
	p->started = false;
	p->too_many_args = false;
	if (q && q[1]) {
		args = 1;
		for (const char *c = q + 1; *c; c++)
			args += *c == '&';
	}
	if (args > app->cfg->max_query_args) {
		p->too_many_args = true;
		q[1] = '\0';
	}
	return p;
}

static size_t unescape_identity(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static struct MHD_Response *build_response(struct response *res)
{
	struct MHD_Response *r;

	if (res->body && res->owns_body) {
		r = MHD_create_response_from_buffer(res->body_len, res->body, MHD_RESPMEM_MUST_FREE);
		if (r)
			res->owns_body = false;
	} else {
		r = MHD_create_response_from_buffer(res->body_len, res->body ? res->body : (char *)"",
						    MHD_RESPMEM_MUST_COPY);
	}
	if (!r)
		return NULL;
	if (res->status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
	if (res->etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < res->n_headers; i++)
		MHD_add_response_header(r, res->headers[i].key, res->headers[i].value);
	return r;
}

/* One access-log line, unless --no-access-log. */
static void access_log(struct app *app, const char *method, const char *url, int status,
		       size_t bytes, double ms, const char *user_agent)
{
	struct buf target;

	if (app->cfg->no_access_log)
		return;
	/* an install token never reaches a log (an absolute-form target
	 * keeps its scheme and host) */
	buf_init(&target);
	buf_append(&target, url, (size_t)(target_path_in(url) - url));
	auth_log_target(&target, target_path_in(url));
	/* bytes is the body sent: none for a HEAD, whatever a GET would get */
	log_access(&app->log, method, target.data, status, strcmp(method, "HEAD") == 0 ? 0 : bytes,
		   ms, user_agent);
	buf_fini(&target);
}

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* Queues the error res (filled by the caller, released here) before the
 * request went through the pipeline, and logs it. */
static enum MHD_Result refuse(struct app *app, struct MHD_Connection *conn, const char *method,
			      const char *url, struct pending *p, struct response *res)
{
	struct MHD_Response *mr = build_response(res);
	enum MHD_Result ret = MHD_NO;

	if (mr) {
		ret = MHD_queue_response(conn, (unsigned)res->status, mr);
		MHD_destroy_response(mr);
	}
	access_log(app, method, url, res->status, res->body_len, elapsed_ms(&p->start),
		   MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT));
	response_fini(res);
	return ret;
}

/* Answers 413 as soon as a body grows over --max-body, without reading the
 * rest; libmicrohttpd closes the connection after it. */
static enum MHD_Result refuse_upload(struct app *app, struct MHD_Connection *conn,
				     const char *method, const char *url, struct pending *p)
{
	struct response res;

	response_init(&res);
	response_error(&res, 413, "too_large", "the request body is over %zu bytes (--max-body)",
		       app->cfg->max_body);
	return refuse(app, conn, method, url, p, &res);
}

/* Answers 414 to a query with more than --max-query-args arguments
 * (counted by uri_seen, before libmicrohttpd stored them). */
static enum MHD_Result refuse_query(struct app *app, struct MHD_Connection *conn,
				    const char *method, const char *url, struct pending *p)
{
	struct response res;

	response_init(&res);
	response_error(&res, 414, "too_many_query_args", "the query has more than %u "
		       "arguments (--max-query-args)", app->cfg->max_query_args);
	return refuse(app, conn, method, url, p, &res);
}

/* ---- prepared answers ----
 *
 * A GET or HEAD whose answer depends only on the index generation and the
 * request's key (path, query, Accept, User-Agent, Host, Origin, gzip or not
 * as pipeline_wants_gzip decides) is answered from the cache of
 * libmicrohttpd responses built the first time from what the pipeline
 * made, already encoded, and its 304: no database, no allocation of our
 * own, the same response object queued again (libmicrohttpd counts its
 * users, so a response dropped by a reload lives until the last client
 * received it). */

#define PREP_KEY_MAX 4096

struct prepared {
	struct MHD_Response *full;          /* 200 */
	struct MHD_Response *not_modified;  /* 304 with the same ETag */
	char etag[80];
	size_t len;
};

static void prepared_destroy(void *v)
{
	struct prepared *pr = v;

	MHD_destroy_response(pr->full);
	MHD_destroy_response(pr->not_modified);
	free(pr);
}

struct key_sink {
	char *buf;
	size_t len;
	bool overflow;
};

static void key_add(struct key_sink *k, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (k->overflow || n >= PREP_KEY_MAX - k->len - 1) {
		k->overflow = true;
		return;
	}
	if (n)
		memcpy(k->buf + k->len, s, n);
	k->len += n;
}

static void key_sep(struct key_sink *k, char c)
{
	if (k->overflow || k->len + 1 >= PREP_KEY_MAX) {
		k->overflow = true;
		return;
	}
	k->buf[k->len++] = c;
}

static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct key_sink *k = cls;

	(void)kind;
	key_add(k, key);
	key_sep(k, '=');
	key_add(k, value);
	key_sep(k, '&');
	return MHD_YES;
}

/* What the cache lookup hands to its callback. */
struct serve_ctx {
	struct MHD_Connection *conn;
	const char *if_none_match;
	unsigned status;
	size_t len;
	enum MHD_Result ret;
};

static int queue_prepared(void *v, void *arg)
{
	struct prepared *pr = v;
	struct serve_ctx *sc = arg;

	if (sc->if_none_match && pipeline_etag_matches(sc->if_none_match, pr->etag)) {
		sc->status = 304;
		sc->len = 0;
		sc->ret = MHD_queue_response(sc->conn, 304, pr->not_modified);
	} else {
		sc->status = 200;
		sc->len = pr->len;
		sc->ret = MHD_queue_response(sc->conn, 200, pr->full);
	}
	return 0;
}

/* Memoises a 200 the pipeline finished for a request without
 * If-None-Match: the response as it is (the body taken from res) and its
 * 304 (res is left as that 304). NULL when libmicrohttpd cannot make them,
 * res then being of no use. */
static struct prepared *prepare(struct response *res)
{
	struct prepared *pr = xcalloc(1, sizeof(*pr));

	snprintf(pr->etag, sizeof(pr->etag), "%s", res->etag);
	pr->len = res->body_len;
	pr->full = build_response(res);
	pipeline_not_modified(res);
	pr->not_modified = build_response(res);
	if (!pr->full || !pr->not_modified) {
		if (pr->full)
			MHD_destroy_response(pr->full);
		if (pr->not_modified)
			MHD_destroy_response(pr->not_modified);
		free(pr);
		return NULL;
	}
	return pr;
}

/* ---- live event streams ---- */

/* One open stream: the handler's body source and the connection it is
 * sent on, parked on the hub (connection suspended) while it has nothing
 * to send. */
struct live {
	struct app *app;
	struct MHD_Connection *conn;
	struct response_stream *src;
	struct hub_waiter waiter;
};

static void live_suspend(void *arg)
{
	struct live *lv = arg;

	MHD_suspend_connection(lv->conn);
}

static void live_resume(void *arg)
{
	struct live *lv = arg;

	MHD_resume_connection(lv->conn);
}

static ssize_t live_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct live *lv = cls;

	(void)pos;
	for (;;) {
		uint64_t seen;
		long n;

		if (atomic_load(&lv->app->http->stopping))
			return MHD_CONTENT_READER_END_OF_STREAM;
		seen = hub_count(lv->app->hub, lv->waiter.topic);
		n = lv->src->read(lv->src->ctx, buf, max);
		if (n > 0)
			return (ssize_t)n;
		if (n < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		/* Nothing now: wait without a thread until the topic changes
		 * (or a heartbeat); when it changed meanwhile, look again. */
		if (hub_park(lv->app->hub, &lv->waiter, seen, live_suspend, lv))
			return 0;
	}
}

static void live_free(void *cls)
{
	struct live *lv = cls;

	atomic_fetch_sub(&lv->app->http->streams, 1);
	lv->src->free(lv->src->ctx);
	free(lv->src);
	free(lv);
}

/* The response for a handler's stream (taken from res), or NULL. */
static struct MHD_Response *live_response(struct app *app, struct MHD_Connection *conn,
					  struct response *res)
{
	struct live *lv = xcalloc(1, sizeof(*lv));
	struct MHD_Response *r;

	lv->app = app;
	lv->conn = conn;
	lv->src = res->stream;
	snprintf(lv->waiter.topic, sizeof(lv->waiter.topic), "%s", res->stream->topic);
	lv->waiter.wake = live_resume;
	lv->waiter.arg = lv;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 8192, live_read, lv, live_free);
	if (!r) {
		free(lv);
		return NULL;
	}
	res->stream = NULL;  /* the response owns it now (counted by the caller) */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < res->n_headers; i++)
		MHD_add_response_header(r, res->headers[i].key, res->headers[i].value);
	return r;
}

static void *beat_main(void *arg)
{
	struct app *app = arg;
	struct http_server *h = app->http;
	struct timespec until;

	pthread_mutex_lock(&h->beat_lock);
	while (!atomic_load(&h->stopping)) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += STREAM_BEAT_MS / 1000;
		if (pthread_cond_timedwait(&h->beat_cond, &h->beat_lock, &until) == 0)
			continue;   /* stopping, or spurious: the loop looks */
		hub_wake_all(app->hub);
	}
	pthread_mutex_unlock(&h->beat_lock);
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct app *app = cls;
	struct pending *p = *con_cls;
	struct query_sink qs = { NULL, 0 };
	char keybuf[PREP_KEY_MAX];
	struct key_sink k = { keybuf, 0, false };
	bool cacheable;
	const char *inm = NULL;
	struct request req;
	struct response res;
	struct MHD_Response *mr;
	enum MHD_Result ret;

	(void)version;
	if (!p)
		return MHD_NO;  /* uri_seen found no connection state */
	if (!p->started) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);

		p->started = true;
		p->too_large = false;
		atomic_fetch_add(&app->http->inflight, 1);
		clock_gettime(CLOCK_MONOTONIC, &p->start);
		*con_cls = p;
		/* A declared body over the limit is refused before it is sent
		 * (no 100 Continue); the connection closes after the answer. */
		if (cl && strtoull(cl, NULL, 10) > app->cfg->max_body)
			return refuse_upload(app, conn, method, url, p);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* A body without a declared length (chunked) that grows too
		 * big: libmicrohttpd 0.9.75 cannot answer in the middle of an
		 * upload, so the rest is read and dropped, and the 413 goes
		 * out once the body has ended. */
		if (p->too_large || *upload_data_size > app->cfg->max_body - p->upload.len) {
			p->too_large = true;
			buf_fini(&p->upload);
			buf_init(&p->upload);
		} else {
			buf_append(&p->upload, upload_data, *upload_data_size);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	if (p->too_large)
		return refuse_upload(app, conn, method, url, p);
	if (p->too_many_args)
		return refuse_query(app, conn, method, url, p);

	/* The key of a GET or HEAD, and the prepared answer when there is one. */
	cacheable = app->http->cache && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
	if (cacheable) {
		struct serve_ctx sc = { conn, NULL, 0, 0, MHD_NO };
		struct request who;
		const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_ACCEPT_ENCODING);

		k.buf = keybuf;
		key_add(&k, target_path(url));
		key_sep(&k, '?');
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, key_arg, &k);
		key_sep(&k, '\n');
		key_add(&k, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
		key_sep(&k, '\n');
		key_add(&k, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_USER_AGENT));
		key_sep(&k, '\n');
		key_add(&k, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST));
		key_sep(&k, '\n');
		key_add(&k, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin"));
		key_sep(&k, '\n');
		key_sep(&k, pipeline_wants_gzip(ae) ? 'z' : '-');
		cacheable = !k.overflow;
		request_init(&who);
		who.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								MHD_HTTP_HEADER_AUTHORIZATION);
		who.cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
		if (cacheable && auth_ok(app, &who)) {
			sc.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								       MHD_HTTP_HEADER_IF_NONE_MATCH);
			if (rcache_use(app->http->cache, store_generation(app->store), k.buf, k.len,
				       queue_prepared, &sc) == 0) {
				access_log(app, method, url, (int)sc.status, sc.len,
					   elapsed_ms(&p->start),
					   MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								       MHD_HTTP_HEADER_USER_AGENT));
				return sc.ret;
			}
		}
	}

	request_init(&req);
	response_init(&res);
	qs.req = &req;
	req.method = request_method(method);
	req.method_name = method;
	req.path = xstrdup(target_path(url));
	req.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	req.user_agent = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
	req.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_IF_NONE_MATCH);
	req.accept_encoding = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_ACCEPT_ENCODING);
	req.if_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MATCH);
	req.last_event_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
	req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_AUTHORIZATION);
	req.host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	req.cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
	req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	req.origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	req.sec_fetch_site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	req.forwarded_proto = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  "X-Forwarded-Proto");
	req.mcp_session_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Mcp-Session-Id");
	req.mcp_protocol_version = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							       "MCP-Protocol-Version");
	req.peer_loopback = peer_is_loopback(conn);
	req.body = p->upload.data;
	req.body_len = p->upload.len;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, &qs);
	if (qs.bytes > app->cfg->max_query)
		response_error(&res, 414, "query_too_long", "the query arguments take over %zu "
			       "bytes (--max-query)", app->cfg->max_query);
	else {
		/* A cacheable request is answered in full first, so that a
		 * client revalidating (If-None-Match) fills the cache too. */
		inm = req.if_none_match;
		if (cacheable)
			req.if_none_match = NULL;
		pipeline_serve(app, &req, &res);
		req.if_none_match = inm;
	}

	/* A live stream, at most --max-streams of them at once (counted
	 * before it opens, so that two at once cannot both take the last). */
	if (res.stream && res.status == 200) {
		if (atomic_fetch_add(&app->http->streams, 1) >= app->cfg->max_streams) {
			atomic_fetch_sub(&app->http->streams, 1);
			response_fini(&res);
			response_init(&res);
			response_error(&res, 503, "too_many_streams", "this server has --max-streams "
				       "(%u) event streams open; try again later", app->cfg->max_streams);
			response_header(&res, "Retry-After", "5");
		} else if ((mr = live_response(app, conn, &res)) == NULL) {
			atomic_fetch_sub(&app->http->streams, 1);
			response_fini(&res);
			response_init(&res);
			response_error(&res, 503, "unavailable", "the stream could not be opened");
		} else {
			ret = MHD_queue_response(conn, 200, mr);
			MHD_destroy_response(mr);
			access_log(app, method, url, 200, 0, elapsed_ms(&p->start), req.user_agent);
			response_fini(&res);
			request_fini(&req);
			return ret;
		}
	}

	/* A 200 that depends only on the generation and the key: memoised
	 * once, kept for the next requests, and sent. */
	if (cacheable && res.status == 200 && !res.dynamic && req.generation > 0 &&
	    req.generation == store_generation(app->store)) {
		struct prepared *pr = prepare(&res);
		struct serve_ctx sc = { conn, inm, 0, 0, MHD_NO };

		if (!pr) {
			log_msg(&app->log, LOG_ERROR, "cannot create a response for %s", req.path);
		} else {
			queue_prepared(pr, &sc);
			if (!rcache_put(app->http->cache, req.generation, k.buf, k.len, pr,
					pr->len + k.len + sizeof(*pr)))
				prepared_destroy(pr); /* libmicrohttpd keeps what it queued */
		}
		access_log(app, method, url, (int)sc.status, sc.len, elapsed_ms(&p->start),
			   req.user_agent);
		response_fini(&res);
		request_fini(&req);
		return sc.ret;
	}

	/* The 304 the pipeline was not asked for. */
	if (cacheable)
		pipeline_revalidate(&req, &res);
	mr = build_response(&res);
	if (!mr) {
		log_msg(&app->log, LOG_ERROR, "cannot create a response for %s", req.path);
		ret = MHD_NO;
	} else {
		ret = MHD_queue_response(conn, (unsigned)res.status, mr);
		MHD_destroy_response(mr);
	}
	access_log(app, method, url, res.status, res.body_len, elapsed_ms(&p->start),
		   req.user_agent);
	response_fini(&res);
	request_fini(&req);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	struct app *app = cls;
	struct pending *p = *con_cls;

	(void)conn;
	(void)code;
	if (!p)
		return;
	if (p->started)
		atomic_fetch_sub(&app->http->inflight, 1);
	p->started = false;
	buf_fini(&p->upload);
	buf_init(&p->upload);
	*con_cls = NULL;
}

/* A connection's pending request state: made when it opens, freed when it
 * closes (libmicrohttpd reports a request's completion before that). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct pending *p = *socket_context;

	(void)cls;
	(void)conn;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		p = xcalloc(1, sizeof(*p));
		buf_init(&p->upload);
		*socket_context = p;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && p) {
		buf_fini(&p->upload);
		free(p);
		*socket_context = NULL;
	}
}

int http_start(struct app *app, char *err, size_t errlen)
{
	const struct config *cfg = app->cfg;
	struct sockaddr_storage ss;
	/* ITC: MHD_quiesce_daemon needs it to stop accepting (http_drain).
	 * poll, not epoll: with epoll and a thread pool, libmicrohttpd
	 * 0.9.75's MHD_quiesce_daemon races each worker removing the listen
	 * socket from its own epoll set, and aborts the process when the
	 * worker wins ("Failed to remove listen FD from epoll set", seen on
	 * SIGTERM with live review streams); with poll it only signals the
	 * workers. */
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;

	memset(&ss, 0, sizeof(ss));
	if (strchr(cfg->bind, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)cfg->port);
		if (inet_pton(AF_INET6, cfg->bind, &a6->sin6_addr) != 1) {
			snprintf(err, errlen, "--bind: '%s' is not an IP address", cfg->bind);
			return -1;
		}
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)cfg->port);
		if (inet_pton(AF_INET, cfg->bind, &a4->sin_addr) != 1) {
			snprintf(err, errlen, "--bind: '%s' is not an IP address", cfg->bind);
			return -1;
		}
	}
	/* Made before the daemon: its threads count requests in it. */
	app->http = xcalloc(1, sizeof(*app->http));
	app->http->quiesced = MHD_INVALID_SOCKET;
	if (cfg->cache_size > 0)
		app->http->cache = rcache_new(1u << 20, cfg->cache_size, prepared_destroy);
	atomic_init(&app->http->inflight, 0);
	atomic_init(&app->http->streams, 0);
	atomic_init(&app->http->stopping, false);
	pthread_mutex_init(&app->http->beat_lock, NULL);
	{
		/* a wall clock set back must not stop the heartbeats */
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&app->http->beat_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	d = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, app,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, app,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->conn_timeout,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->conn_limit,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->per_ip_limit,
			     /* 0.9.75 stalls a connection whose headers and query
			      * overflow its pool (no answer until the timeout), so
			      * the pool is roomy (pages are touched only when used)
			      * and --max-query is at most half of it. */
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->header_memory,
			     MHD_OPTION_UNESCAPE_CALLBACK, unescape_identity, NULL,
			     MHD_OPTION_URI_LOG_CALLBACK, uri_seen, app,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
			     MHD_OPTION_END);
	if (!d) {
		rcache_free(app->http->cache);
		free(app->http);
		app->http = NULL;
		snprintf(err, errlen, "cannot listen on %s port %u (in use, or not an address of "
			 "this machine?)", cfg->bind, cfg->port);
		return -1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	app->port = info ? info->port : cfg->port;
	app->http->daemon = d;
	app->http->beat_started = pthread_create(&app->http->beat, NULL, beat_main, app) == 0;
	return 0;
}

unsigned http_drain(struct app *app, unsigned timeout_ms)
{
	struct timespec start;
	unsigned left;

	if (!app->http)
		return 0;
	/* Live streams end: each wakes, sees stopping and finishes; the hub
	 * is closed, so none can go back to sleep after this. */
	atomic_store(&app->http->stopping, true);
	hub_close(app->hub);
	if (app->http->quiesced == MHD_INVALID_SOCKET) {
		app->http->quiesced = MHD_quiesce_daemon(app->http->daemon);
		/* The kernel would still complete handshakes into the backlog,
		 * leaving clients waiting on a socket nobody accepts from: stop
		 * listening (Linux refuses new connections after this). */
		if (app->http->quiesced != MHD_INVALID_SOCKET)
			shutdown(app->http->quiesced, SHUT_RDWR);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((left = atomic_load(&app->http->inflight)) > 0 && elapsed_ms(&start) < timeout_ms) {
		struct timespec t = { 0, 10 * 1000000L };

		nanosleep(&t, NULL);
	}
	return left;
}

void http_stop(struct app *app)
{
	if (!app->http)
		return;
	atomic_store(&app->http->stopping, true);
	if (app->http->beat_started) {
		pthread_mutex_lock(&app->http->beat_lock);
		pthread_cond_signal(&app->http->beat_cond);
		pthread_mutex_unlock(&app->http->beat_lock);
		pthread_join(app->http->beat, NULL);
	}
	/* A suspended connection must be resumed before the daemon stops. */
	hub_close(app->hub);
	MHD_stop_daemon(app->http->daemon);
	pthread_mutex_destroy(&app->http->beat_lock);
	pthread_cond_destroy(&app->http->beat_cond);
	rcache_free(app->http->cache);
	/* Closed only after the daemon: its threads may still have used it. */
	if (app->http->quiesced != MHD_INVALID_SOCKET)
		close(app->http->quiesced);
	free(app->http);
	app->http = NULL;
}
