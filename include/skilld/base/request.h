/* SPDX-License-Identifier: MIT */
/*
 * request: the request and response that handlers see. http.c fills a
 * struct request from libmicrohttpd and turns a struct response back into
 * one; handlers, the router and tests only ever use these types, so every
 * handler runs without a socket. Not shared between threads.
 */
#ifndef SKILLD_REQUEST_H
#define SKILLD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

enum http_method {
	METHOD_GET = 1 << 0,
	METHOD_HEAD = 1 << 1,
	METHOD_POST = 1 << 2,
	METHOD_PUT = 1 << 3,
	METHOD_DELETE = 1 << 4,
	METHOD_PATCH = 1 << 5,
	METHOD_OPTIONS = 1 << 6,
	METHOD_OTHER = 1 << 7,
};

/* The method bit of a method name ("GET", ...); METHOD_OTHER for others. */
enum http_method request_method(const char *name);

#define REQUEST_MAX_PARAMS 8
/* Most query arguments a request may hold (a form body parsed with
 * request_parse_query too); http.c refuses more than --max-query-args
 * before libmicrohttpd stores them. */
#define REQUEST_MAX_QUERY 256
#define RESPONSE_MAX_HEADERS 12

struct kv {
	char *key;
	char *value;
};

struct request {
	enum http_method method;
	const char *method_name;  /* as received */
	char *path;               /* raw (still percent-encoded) path, owned */
	struct kv *query;         /* decoded query arguments, owned, n_query of them */
	size_t n_query;
	size_t cap_query;
	bool query_bad;           /* a query argument was not valid percent-encoding / UTF-8 */
	struct kv params[REQUEST_MAX_PARAMS]; /* path parameters set by the router, owned */
	size_t n_params;
	const char *accept;       /* header values, may be NULL; owned by the caller */
	const char *user_agent;
	const char *if_none_match;
	const char *if_match;             /* If-Match (conditional writes) */
	const char *last_event_id;        /* Last-Event-ID (an event stream resumed) */
	const char *accept_encoding;
	const char *authorization;
	const char *cookie;
	const char *host;
	const char *content_type;
	const char *origin;
	const char *sec_fetch_site;       /* Sec-Fetch-Site (browsers) */
	const char *forwarded_proto;      /* X-Forwarded-Proto (a proxy in front) */
	const char *mcp_session_id;       /* Mcp-Session-Id */
	const char *mcp_protocol_version; /* MCP-Protocol-Version */
	bool peer_loopback;       /* the client connected from 127.0.0.0/8 or ::1 */
	long long generation;     /* the index generation this request reads (pipeline_serve) */
	char *install_prefix;     /* "/i/<install token>" taken off the front of path
				   * (auth_install_unwrap), owned; NULL otherwise */
	const char *body;         /* request body (POST), may be NULL */
	size_t body_len;
};

/*
 * A body made while it is sent (Server-Sent Events): read fills buf with
 * up to max bytes and returns how many; 0 when it has nothing to send now
 * (the transport then waits, holding no thread, until topic changes or a
 * heartbeat is due: see hub.h), -1 at the end. free releases ctx. The
 * transport calls read from one thread at a time.
 */
struct response_stream {
	void *ctx;
	long (*read)(void *ctx, char *buf, size_t max);
	void (*free)(void *ctx);
	char topic[64];
};

struct response {
	int status;
	const char *content_type;  /* static string, or ctype */
	char ctype[128];           /* storage for a content type that is not static */
	char *body;                /* freed with free() when owns_body */
	size_t body_len;
	bool owns_body;
	bool markdown;             /* the body is markdown text: ?max_tokens may cut it */
	bool dynamic;              /* depends on more than the index and the request
				    * (status, time, the client): never prepared ahead */
	char etag[80];             /* strong ETag with quotes (and -gz), or "" */
	struct response_stream *stream; /* a body made while sent, or NULL (owned) */
	struct kv headers[RESPONSE_MAX_HEADERS]; /* extra headers, owned */
	size_t n_headers;
};

/* The representation a page URL answers with. */
enum format {
	FORMAT_HTML,   /* text/html */
	FORMAT_JSON,   /* the API's JSON */
	FORMAT_MD,     /* markdown as text/markdown */
	FORMAT_TEXT,   /* markdown as text/plain (command-line clients) */
	FORMAT_BAD,    /* ?format= names no format: 400 */
};

/*
 * Content negotiation for page URLs: ?format=html|json|md wins; then the
 * Accept header (q-values honoured, a type named exactly or as "text/STAR" beats
 * one reached only through * / *, earlier wins a tie); a client that names
 * none of html, json, markdown or plain text gets markdown as text/plain
 * when its User-Agent is a command-line client (curl, Wget, HTTPie, ...)
 * and HTML otherwise.
 */
enum format request_negotiate(const struct request *req);
/*
 * Reads the next element of a comma-separated list with q-values (Accept,
 * Accept-Encoding) at *cursor: its value, without its parameters and the
 * blanks around it, into value (cut to vsize), and its weight into *q (1
 * when absent, 0 when not a number from 0 to 1); then moves *cursor past
 * it. false, and nothing read, at the end of the list (*cursor NULL or at
 * its NUL). The one parser of q-values: request_negotiate and the content
 * coding both go through it.
 */
bool request_qlist_next(const char **cursor, char *value, size_t vsize, double *q);
/* Content type of a format's answer. */
const char *format_content_type(enum format f);

void request_init(struct request *req);
void request_fini(struct request *req);
/* Adds one raw (still percent-encoded) query argument, decoding it; sets
 * query_bad on invalid escapes, NUL bytes, invalid UTF-8 or too many
 * arguments. http.c and request_parse_query both go through here. */
void request_add_query(struct request *req, const char *key, size_t klen,
		       const char *value, size_t vlen);
/* Parses a raw query string (a=1&b=%20) into req->query, decoding each part;
 * sets query_bad on invalid escapes, NUL bytes or invalid UTF-8. */
void request_parse_query(struct request *req, const char *raw);
/* A decoded query argument, or NULL. */
const char *request_query(const struct request *req, const char *key);
/* Frees and forgets the path parameters. */
void request_clear_params(struct request *req);
/* A path parameter set by the router, or NULL. */
const char *request_param(const struct request *req, const char *key);

/* "http://" plus the request's Host header when it is a plain host[:port],
 * else "http://bind:port" (the address the server listens on); the caller
 * frees it. The Host was already checked against the server's names. */
char *request_base_url(const struct request *req, const char *bind, unsigned port);

/* Percent-decodes src[0..n) into a new string (free()); NULL on a bad
 * escape, an encoded or literal NUL, or invalid UTF-8. plus_space turns '+'
 * into ' ' (query strings). */
char *url_decode(const char *src, size_t n, bool plus_space);

/* Appends s percent-encoded: every byte but RFC 3986's unreserved
 * characters and those in keep ("" for a query component, "/" for a
 * path) is escaped. */
struct buf;
void url_encode(struct buf *b, const char *s, const char *keep);
/* Appends s percent-encoded for a query string (url_encode, keep ""). */
void url_encode_component(struct buf *b, const char *s);
/* Appends the request's query again, encoded: "?k=v&k2=v2" ("" when it
 * has none), leaving out the argument named skip (NULL: none). */
void request_query_string(struct buf *b, const struct request *req, const char *skip);

void response_init(struct response *res);
void response_fini(struct response *res);
/* Adds a header; both strings are copied. */
void response_header(struct response *res, const char *name, const char *value);
/* Adds field to the Vary header (made when there is none). */
void response_vary(struct response *res, const char *field);
/* Sets an owned body (takes ownership of body, free()). */
void response_take(struct response *res, int status, const char *content_type, char *body, size_t len);
/* Sets a copied body. */
void response_copy(struct response *res, int status, const char *content_type, const char *body, size_t len);
/* Prints json compactly as the body (invalid UTF-8 repaired), with status. */
struct cJSON;
void response_json(struct response *res, int status, const struct cJSON *json);
/* Copies a content type into res->ctype and points content_type at it. */
void response_set_type(struct response *res, const char *content_type);
/* {"error":{"code":code,"message":message}} with status. */
void response_error(struct response *res, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets the ETag from a hex digest: "\"<first 32 hex>\"". */
void response_etag_hex(struct response *res, const char *hex);

#define CT_JSON "application/json; charset=utf-8"
#define CT_TEXT "text/plain; charset=utf-8"

/* Did the request reach us over HTTPS through a proxy (X-Forwarded-Proto:
 * https, its first value)? Cookies are then marked Secure. A client that
 * sends it falsely only keeps its own cookie from plain HTTP. */
bool request_via_https(const struct request *req);
/* The value of cookie name in the request's Cookie header, copied into
 * out (empty when absent or longer than outlen - 1). */
void request_cookie(const struct request *req, const char *name, char *out, size_t outlen);

/* The query argument key as a decimal integer in [lo, hi] into *out; def
 * when absent. 0, or -1 (*out untouched) when it is not such a number. */
int request_query_long(const struct request *req, const char *key, long lo, long hi, long def,
		       long *out);

#endif
