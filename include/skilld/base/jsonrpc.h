/* SPDX-License-Identifier: MIT */
/*
 * jsonrpc: the JSON-RPC 2.0 layer, pure (no app, no database, no HTTP).
 * Parses a request body (one message or a batch array) into messages,
 * validates each, and builds result and error response objects. Bodies are
 * untrusted: any byte sequence gives a result (a parse or invalid-request
 * error at worst), never a crash. No state: thread safe.
 */
#ifndef SKILLD_JSONRPC_H
#define SKILLD_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define JSONRPC_PARSE_ERROR      (-32700)
#define JSONRPC_INVALID_REQUEST  (-32600)
#define JSONRPC_METHOD_NOT_FOUND (-32601)
#define JSONRPC_INVALID_PARAMS   (-32602)
#define JSONRPC_INTERNAL_ERROR   (-32603)

/* Most messages one batch may hold; a longer batch is an invalid request. */
#define JSONRPC_MAX_BATCH 256

enum jsonrpc_id_kind {
	JSONRPC_ID_ABSENT,  /* no "id" member */
	JSONRPC_ID_NULL,    /* "id": null */
	JSONRPC_ID_STRING,
	JSONRPC_ID_NUMBER,  /* a finite number */
};

enum jsonrpc_kind {
	JSONRPC_REQUEST,      /* method with a string or number id: wants an answer */
	JSONRPC_NOTIFICATION, /* method with an absent or null id: no answer */
	JSONRPC_RESPONSE,     /* result or error with an id: a client's answer to us */
	JSONRPC_INVALID,      /* answered with error / error_message */
};

struct jsonrpc_msg {
	enum jsonrpc_kind kind;
	enum jsonrpc_id_kind id_kind;
	cJSON *id;          /* owned copy of a STRING or NUMBER id, else NULL */
	char *method;       /* owned; REQUEST and NOTIFICATION only */
	cJSON *params;      /* owned object or array; NULL when absent */
	int error;          /* INVALID: JSONRPC_INVALID_REQUEST */
	const char *error_message; /* INVALID: a static string */
};

struct jsonrpc_body {
	bool batch;                /* the body was an array */
	struct jsonrpc_msg *msgs;  /* owned, n of them, in body order */
	size_t n;
	int error;                 /* 0, or the whole body failed: JSONRPC_PARSE_ERROR
				    * or JSONRPC_INVALID_REQUEST (then n == 0) */
	const char *error_message; /* when error: a static string */
};

/*
 * Parses body[0..len) (need not be NUL terminated). Returns 0 with out
 * holding one message per object (or per batch entry), or -1 with out->error
 * and out->error_message set for the body as a whole:
 *   JSONRPC_PARSE_ERROR      not JSON, a NUL byte, invalid UTF-8, nesting
 *                            deeper than cJSON's limit, trailing text
 *   JSONRPC_INVALID_REQUEST  a scalar or empty array at the top, a batch
 *                            over JSONRPC_MAX_BATCH, a string holding U+0000
 * A message is INVALID when it is not an object, "jsonrpc" is not "2.0",
 * "method" is not a string, "params" is neither object nor array, "id" is
 * not a string, finite number or null, or it has neither method nor
 * result/error (or both result and error). Its id is kept when it was
 * usable, so the error can name it. out must be released with
 * jsonrpc_body_fini in every case.
 */
int jsonrpc_parse(const char *body, size_t len, struct jsonrpc_body *out);
void jsonrpc_body_fini(struct jsonrpc_body *b);

/* {"jsonrpc":"2.0","id":id,"result":result}; id is copied (NULL gives
 * null), result is taken over. The caller frees the result with
 * cJSON_Delete. */
cJSON *jsonrpc_result(const cJSON *id, cJSON *result);

/* {"jsonrpc":"2.0","id":id,"error":{"code","message","data"?}}; id is
 * copied (NULL gives null), message copied (NULL: the code's standard
 * message), data taken over (may be NULL). Free with cJSON_Delete. */
cJSON *jsonrpc_error(const cJSON *id, int code, const char *message, cJSON *data);

/* The standard message of a code ("Parse error", ...), "Server error"
 * for others. */
const char *jsonrpc_code_message(int code);

#endif
