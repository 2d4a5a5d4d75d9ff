/* SPDX-License-Identifier: MIT */
/*
 * jsonrpc: JSON-RPC 2.0 parsing, validation and response objects. Pure
 * functions over cJSON trees; no state of their own, thread safe (cJSON's
 * error pointer is never read).
 */
#include "skilld/base/jsonrpc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

const char *jsonrpc_code_message(int code)
{
	switch (code) {
	case JSONRPC_PARSE_ERROR:
		return "Parse error";
	case JSONRPC_INVALID_REQUEST:
		return "Invalid Request";
	case JSONRPC_METHOD_NOT_FOUND:
		return "Method not found";
	case JSONRPC_INVALID_PARAMS:
		return "Invalid params";
	case JSONRPC_INTERNAL_ERROR:
		return "Internal error";
	default:
		return "Server error";
	}
}

/* Does any string of the (already parsed, so well-formed) JSON text hold a
 * \u0000 escape? cJSON would cut such a string at the NUL silently. */
static bool has_escaped_nul(const char *p, size_t n)
{
	bool in_str = false;

	for (size_t i = 0; i < n; i++) {
		if (!in_str) {
			if (p[i] == '"')
				in_str = true;
			continue;
		}
		if (p[i] == '"') {
			in_str = false;
		} else if (p[i] == '\\' && i + 1 < n) {
			if (p[i + 1] == 'u' && i + 5 < n && memcmp(p + i + 2, "0000", 4) == 0)
				return true;
			i++;
		}
	}
	return false;
}

static bool only_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return false;
	return true;
}

static void msg_invalid(struct jsonrpc_msg *m, const char *why)
{
	free(m->method);
	m->method = NULL;
	cJSON_Delete(m->params);
	m->params = NULL;
	m->kind = JSONRPC_INVALID;
	m->error = JSONRPC_INVALID_REQUEST;
	m->error_message = why;
}

/* Classifies one batch entry (or the single message) into m. */
static void msg_read(const cJSON *o, struct jsonrpc_msg *m)
{
	const cJSON *version, *id, *method, *params, *result, *error;

	memset(m, 0, sizeof(*m));
	if (!cJSON_IsObject(o)) {
		msg_invalid(m, "a message must be a JSON object");
		return;
	}
	id = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (!id) {
		m->id_kind = JSONRPC_ID_ABSENT;
	} else if (cJSON_IsNull(id)) {
		m->id_kind = JSONRPC_ID_NULL;
	} else if (cJSON_IsString(id)) {
		m->id_kind = JSONRPC_ID_STRING;
		m->id = cJSON_CreateString(id->valuestring);
	} else if (cJSON_IsNumber(id) && isfinite(id->valuedouble)) {
		m->id_kind = JSONRPC_ID_NUMBER;
		m->id = cJSON_CreateNumber(id->valuedouble);
	} else {
		m->id_kind = JSONRPC_ID_NULL;
		msg_invalid(m, "id must be a string, a number or null");
		return;
	}
	version = cJSON_GetObjectItemCaseSensitive(o, "jsonrpc");
	if (!cJSON_IsString(version) || strcmp(version->valuestring, "2.0") != 0) {
		msg_invalid(m, "jsonrpc must be \"2.0\"");
		return;
	}
	method = cJSON_GetObjectItemCaseSensitive(o, "method");
	params = cJSON_GetObjectItemCaseSensitive(o, "params");
	result = cJSON_GetObjectItemCaseSensitive(o, "result");
	error = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (!method) {
		if ((result != NULL) == (error != NULL)) {
			msg_invalid(m, "a message needs a method, or else exactly one of "
				    "result and error");
			return;
		}
		if (m->id_kind != JSONRPC_ID_STRING && m->id_kind != JSONRPC_ID_NUMBER &&
		    !(error && m->id_kind == JSONRPC_ID_NULL)) {
			msg_invalid(m, "a response needs a string or number id");
			return;
		}
		m->kind = JSONRPC_RESPONSE;
		return;
	}
	if (!cJSON_IsString(method)) {
		msg_invalid(m, "method must be a string");
		return;
	}
	if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params)) {
		msg_invalid(m, "params must be an object or an array");
		return;
	}
	m->method = xstrdup(method->valuestring);
	m->params = params ? cJSON_Duplicate(params, 1) : NULL;
	if (params && !m->params) {
		msg_invalid(m, "params cannot be copied");
		return;
	}
	m->kind = (m->id_kind == JSONRPC_ID_STRING || m->id_kind == JSONRPC_ID_NUMBER)
		? JSONRPC_REQUEST : JSONRPC_NOTIFICATION;
}

static int body_fail(struct jsonrpc_body *out, int code, const char *why)
{
	out->error = code;
	out->error_message = why;
	return -1;
}

int jsonrpc_parse(const char *body, size_t len, struct jsonrpc_body *out)
{
	const char *end = NULL;
	cJSON *root;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!body || len == 0 || only_space(body, len))
		return body_fail(out, JSONRPC_PARSE_ERROR, "the body is empty");
	if (memchr(body, '\0', len))
		return body_fail(out, JSONRPC_PARSE_ERROR, "the body holds a NUL byte");
	if (!utf8_valid(body, len))
		return body_fail(out, JSONRPC_PARSE_ERROR, "the body is not valid UTF-8");
	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!root)
		return body_fail(out, JSONRPC_PARSE_ERROR, "the body is not valid JSON "
				 "(or nests deeper than 1000 levels)");
	if (!end || end < body || end > body + len || !only_space(end, len - (size_t)(end - body))) {
		rc = body_fail(out, JSONRPC_PARSE_ERROR, "the body has text after the JSON value");
		goto out;
	}
	if (has_escaped_nul(body, len)) {
		rc = body_fail(out, JSONRPC_INVALID_REQUEST, "strings holding U+0000 are not accepted");
		goto out;
	}
	if (cJSON_IsArray(root)) {
		int n = cJSON_GetArraySize(root);
		const cJSON *item;
		size_t i = 0;

		if (n == 0) {
			rc = body_fail(out, JSONRPC_INVALID_REQUEST, "the batch is empty");
			goto out;
		}
		if (n > JSONRPC_MAX_BATCH) {
			rc = body_fail(out, JSONRPC_INVALID_REQUEST, "the batch holds more than "
				       "256 messages");
			goto out;
		}
		out->batch = true;
		out->msgs = xcalloc((size_t)n, sizeof(*out->msgs));
		cJSON_ArrayForEach(item, root)
			msg_read(item, &out->msgs[i++]);
		out->n = i;
	} else if (cJSON_IsObject(root)) {
		out->msgs = xcalloc(1, sizeof(*out->msgs));
		msg_read(root, &out->msgs[0]);
		out->n = 1;
	} else {
		rc = body_fail(out, JSONRPC_INVALID_REQUEST, "the body must be a JSON object or "
			       "an array of them");
	}
out:
	cJSON_Delete(root);
	return rc;
}

void jsonrpc_body_fini(struct jsonrpc_body *b)
{
	for (size_t i = 0; i < b->n; i++) {
		cJSON_Delete(b->msgs[i].id);
		free(b->msgs[i].method);
		cJSON_Delete(b->msgs[i].params);
	}
	free(b->msgs);
	memset(b, 0, sizeof(*b));
}

/* {"jsonrpc":"2.0","id":<copy of id or null>} */
static cJSON *envelope(const cJSON *id)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *copy = id ? cJSON_Duplicate(id, 1) : NULL;

	cJSON_AddStringToObject(o, "jsonrpc", "2.0");
	cJSON_AddItemToObject(o, "id", copy ? copy : cJSON_CreateNull());
	return o;
}

cJSON *jsonrpc_result(const cJSON *id, cJSON *result)
{
	cJSON *o = envelope(id);

	cJSON_AddItemToObject(o, "result", result ? result : cJSON_CreateObject());
	return o;
}

cJSON *jsonrpc_error(const cJSON *id, int code, const char *message, cJSON *data)
{
	cJSON *o = envelope(id);
	cJSON *e = cJSON_AddObjectToObject(o, "error");

	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message ? message : jsonrpc_code_message(code));
	if (data)
		cJSON_AddItemToObject(e, "data", data);
	return o;
}
