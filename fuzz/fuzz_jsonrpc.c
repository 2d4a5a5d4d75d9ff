/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jsonrpc: libFuzzer target for the JSON-RPC layer. The input is a
 * whole request body: jsonrpc_parse classifies it, and the harness answers
 * every message the way mcp.c does (a result echoing the params, or an
 * error), prints each answer so ASan reads it, and checks the contract of
 * jsonrpc.h. Single threaded; no state between inputs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/base/jsonrpc.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n", msg);
		abort();
	}
}

/* Prints o, checks the text is valid UTF-8 JSON, and frees o. */
static void consume(cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o);

	fuzz_require(text != NULL, "a response cannot be printed");
	fuzz_require(utf8_valid(text, strlen(text)), "a response is not UTF-8");
	cJSON_free(text);
	cJSON_Delete(o);
}

static void check_msg(const struct jsonrpc_msg *m)
{
	switch (m->kind) {
	case JSONRPC_REQUEST:
		fuzz_require(m->method != NULL, "request without method");
		fuzz_require(m->id && (cJSON_IsString(m->id) || cJSON_IsNumber(m->id)),
			     "request without a string or number id");
		break;
	case JSONRPC_NOTIFICATION:
		fuzz_require(m->method != NULL, "notification without method");
		fuzz_require(m->id == NULL, "notification with an id");
		fuzz_require(m->id_kind == JSONRPC_ID_ABSENT || m->id_kind == JSONRPC_ID_NULL,
			     "notification with a usable id kind");
		break;
	case JSONRPC_RESPONSE:
		fuzz_require(m->method == NULL && m->params == NULL, "response with a method");
		break;
	case JSONRPC_INVALID:
		fuzz_require(m->error == JSONRPC_INVALID_REQUEST && m->error_message,
			     "invalid message without its error");
		fuzz_require(m->method == NULL && m->params == NULL, "invalid message kept parts");
		break;
	default:
		fuzz_require(0, "unknown message kind");
	}
	if (m->params)
		fuzz_require(cJSON_IsObject(m->params) || cJSON_IsArray(m->params),
			     "params neither object nor array");
	if (m->method)
		fuzz_require(utf8_valid(m->method, strlen(m->method)), "method is not UTF-8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonrpc_body b;
	int rc = jsonrpc_parse((const char *)data, size, &b);

	if (rc != 0) {
		fuzz_require(rc == -1, "parse returned neither 0 nor -1");
		fuzz_require(b.n == 0 && b.msgs == NULL, "a failed parse kept messages");
		fuzz_require(b.error == JSONRPC_PARSE_ERROR || b.error == JSONRPC_INVALID_REQUEST,
			     "a failed parse without its code");
		fuzz_require(b.error_message != NULL, "a failed parse without a message");
		consume(jsonrpc_error(NULL, b.error, b.error_message, NULL));
	} else {
		fuzz_require(b.error == 0 && b.n >= 1, "a parse without messages");
		fuzz_require(b.batch || b.n == 1, "a single message body with several messages");
		fuzz_require(b.n <= JSONRPC_MAX_BATCH, "a batch over the limit");
	}
	for (size_t i = 0; i < b.n; i++) {
		const struct jsonrpc_msg *m = &b.msgs[i];

		check_msg(m);
		if (m->kind == JSONRPC_INVALID)
			consume(jsonrpc_error(m->id, m->error, m->error_message, NULL));
		else if (m->kind == JSONRPC_REQUEST && strcmp(m->method, "echo") == 0)
			consume(jsonrpc_result(m->id, m->params ? cJSON_Duplicate(m->params, 1) : NULL));
		else if (m->kind == JSONRPC_REQUEST)
			consume(jsonrpc_error(m->id, JSONRPC_METHOD_NOT_FOUND, NULL,
					      cJSON_CreateString(m->method)));
	}
	jsonrpc_body_fini(&b);
	return 0;
}
