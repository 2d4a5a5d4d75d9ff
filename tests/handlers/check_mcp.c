/* SPDX-License-Identifier: MIT */
/*
 * Tests for the MCP server at /mcp: in-process through pipeline_serve on the
 * fixture skills plus a skill with more than 100 files (the handshake and
 * version negotiation, session and transport rules, every method and tool
 * with exact content, resources/list paging, batches, hostile bodies), the
 * output limit (--max-mcp-output: a batch of 256 reads of a 2 MiB asset, its
 * body size and peak memory, files over a 64K limit), and over a real socket
 * (413 over --max-body, 405 with Allow: POST).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "fixture_mcp.h"
#include "fixture_skills.h"
#include "skilld/app/app.h"
#include "skilld/transport/http.h"
#include "skilld/base/jsonrpc.h"
#include "skilld/handlers/mcp.h"
#include "skilld/store/search.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *mcp_suite(void);

#define BUDGET_DEMO "tests/fixtures/tokens/budget-demo/SKILL.md"
#define N_MANY 120  /* references of the "many" skill, besides its SKILL.md and "with space.md" */

static struct ta_app ta;

static void write_many(void)
{
	tu_write_str(ta.root, "many/SKILL.md", "---\nname: many\ndescription: A skill with many "
		     "files.\n---\n# Many\n");
	for (int i = 0; i < N_MANY; i++) {
		char rel[64], text[64];

		snprintf(rel, sizeof(rel), "many/references/f%03d.md", i);
		snprintf(text, sizeof(text), "# File %d\n", i);
		tu_write_str(ta.root, rel, text);
	}
	tu_write_str(ta.root, "many/references/with space.md", "spaced\n");
	{
		size_t len;
		char *demo = tu_read(BUDGET_DEMO, &len);

		ck_assert_ptr_nonnull(demo);
		tu_write(ta.root, "budget-demo/SKILL.md", demo, len);
		free(demo);
	}
}

static void start(const char *max_body)
{
	const char *const args[] = { "--port", "0", "--threads", "2", "--max-body", max_body, NULL };

	ta_prepare(&ta);
	write_many();
	ta_open(&ta, args);
}

static void setup(void)
{
	start("1048576");
}

static void teardown(void)
{
	ta_close(&ta);
}

static void setup_socket(void)
{
	char err[512];

	start("1024");
	ck_assert_msg(http_start(&ta.app, err, sizeof(err)) == 0, "%s", err);
}

static void teardown_socket(void)
{
	http_stop(&ta.app);
	teardown();
}

START_TEST(test_handshake)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	struct response res;
	const cJSON *r, *caps;
	cJSON *j;

	ck_assert_str_eq(fx_initialize(&ta, "2025-06-18", sid), "2025-06-18");
	ck_assert_uint_eq(strlen(sid), MCP_SESSION_ID_LEN);
	ck_assert_str_eq(mcp_session_check(&ta.app, sid), "2025-06-18");
	ck_assert_str_eq(fx_initialize(&ta, "2025-03-26", sid), "2025-03-26");
	ck_assert_str_eq(mcp_session_check(&ta.app, sid), "2025-03-26");
	ck_assert_str_eq(fx_initialize(&ta, "2025-11-25", sid), "2025-11-25");
	ck_assert_str_eq(fx_initialize(&ta, "2024-11-05", sid), "2025-11-25");
	ck_assert_str_eq(mcp_session_check(&ta.app, sid), "2025-11-25");
	ck_assert_str_eq(fx_initialize(&ta, "1999-01-01", NULL), "2025-11-25");

	/* the whole result, exactly */
	ck_assert_int_eq(fx_send(&ta, mcp_req(NULL), "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":"
				   "\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}",
				   &res, &j), 200);
	ck_assert(strncmp(res.content_type, "application/json", 16) == 0);
	ck_assert_str_eq(res_header(&res, "Cache-Control"), "no-store");
	ck_assert_int_eq((int)cJSON_GetNumberValue(jget(j, "id")), 7);
	r = jget(j, "result");
	caps = jget(r, "capabilities");
	{
		char *s = cJSON_PrintUnformatted(caps);

		ck_assert_str_eq(s, "{\"tools\":{\"listChanged\":false},\"resources\":"
				    "{\"subscribe\":false,\"listChanged\":false},\"prompts\":"
				    "{\"listChanged\":false},\"completions\":{},\"logging\":{},"
				    "\"extensions\":{\"io.modelcontextprotocol/skills\":"
				    "{\"directoryRead\":true}}}");
		cJSON_free(s);
	}
	ck_assert_str_eq(jstr(jget(r, "serverInfo"), "name"), "skilld");
	ck_assert_str_eq(jstr(jget(r, "serverInfo"), "version"), SKILLD_VERSION);
	ck_assert(strstr(jstr(r, "instructions"), "search_skills") != NULL);
	cJSON_Delete(j);
	response_fini(&res);

	/* bad initialize params: -32602 at the method level, HTTP 200, no session */
	ck_assert_int_eq(fx_send(&ta, mcp_req(NULL), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
				   "\"initialize\",\"params\":{\"protocolVersion\":5}}", &res, &j), 200);
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_null(res_header(&res, "Mcp-Session-Id"));
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(fx_send(&ta, mcp_req(NULL), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
				   "\"initialize\"}", &res, &j), 200);
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	response_fini(&res);

	/* each session id is new */
	{
		char a[MCP_SESSION_ID_LEN + 1], b[MCP_SESSION_ID_LEN + 1];

		fx_initialize(&ta, "2025-06-18", a);
		fx_initialize(&ta, "2025-06-18", b);
		ck_assert_str_ne(a, b);
	}
}
END_TEST

START_TEST(test_sessions)
{
	char sid[MCP_SESSION_ID_LEN + 1], bad[MCP_SESSION_ID_LEN + 1];
	const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
	struct ta_request r;
	struct response res;
	cJSON *j;

	fx_initialize(&ta, "2025-06-18", sid);

	/* no session header: 400 with a JSON-RPC error */
	ck_assert_int_eq(fx_send(&ta, mcp_req(NULL), ping, &res, &j), 400);
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_REQUEST);
	ck_assert(cJSON_IsNull(jget(j, "id")));
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(fx_send(&ta, mcp_req(NULL), "{\"jsonrpc\":\"2.0\",\"method\":"
				   "\"notifications/initialized\"}", &res, NULL), 400);
	response_fini(&res);

	/* unknown, malformed or tampered ids: 404 */
	static const char *const unknown[] = {
		"", "x", "abc.2025-06-18.def",
		"00000000000000000000000000000000.2025-06-18.0000000000000000000000000000000000000000000000000000000000000000",
	};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		ck_assert_int_eq(fx_send(&ta, mcp_req(unknown[i]), ping, &res, &j), 404);
		ck_assert_int_eq(error_code(j), -32001);
		cJSON_Delete(j);
		response_fini(&res);
	}
	memcpy(bad, sid, sizeof(bad));
	bad[MCP_SESSION_ID_LEN - 1] = bad[MCP_SESSION_ID_LEN - 1] == '0' ? '1' : '0';
	ck_assert_int_eq(fx_send(&ta, mcp_req(bad), ping, &res, NULL), 404);
	response_fini(&res);
	memcpy(bad, sid, sizeof(bad));
	bad[0] = bad[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(fx_send(&ta, mcp_req(bad), ping, &res, NULL), 404);
	response_fini(&res);
	/* the version inside the id is covered by the MAC */
	memcpy(bad, sid, sizeof(bad));
	memcpy(bad + 33, "2025-03-26", 10);
	ck_assert_int_eq(fx_send(&ta, mcp_req(bad), ping, &res, NULL), 404);
	response_fini(&res);
	ck_assert_ptr_null(mcp_session_check(&ta.app, NULL));
	ck_assert_ptr_null(mcp_session_check(&ta.app, bad));
	/* another process (another secret) does not know the id */
	{
		struct mcp_state *mine = ta.app.mcp;

		ta.app.mcp = mcp_state_new();
		ck_assert_ptr_nonnull(ta.app.mcp);
		ck_assert_int_eq(fx_send(&ta, mcp_req(sid), ping, &res, NULL), 404);
		response_fini(&res);
		mcp_state_free(ta.app.mcp);
		ta.app.mcp = mine;
	}

	/* the right id answers */
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), ping, &res, &j), 200);
	ck_assert_ptr_nonnull(jget(j, "result"));
	ck_assert_int_eq(cJSON_GetArraySize(jget(j, "result")), 0);
	ck_assert_ptr_null(res_header(&res, "Mcp-Session-Id"));
	cJSON_Delete(j);
	response_fini(&res);

	/* MCP-Protocol-Version: unsupported 400; any supported one 200, the
	 * session's or another (as the SDKs' servers accept it) */
	r = mcp_req(sid);
	r.mcp_protocol_version = "2024-01-01";
	ck_assert_int_eq(fx_send(&ta, r, ping, &res, NULL), 400);
	response_fini(&res);
	r.mcp_protocol_version = "2025-11-25";
	ck_assert_int_eq(fx_send(&ta, r, ping, &res, NULL), 200);
	response_fini(&res);
	r.mcp_protocol_version = "2025-03-26";
	ck_assert_int_eq(fx_send(&ta, r, ping, &res, NULL), 200);
	response_fini(&res);
	r.mcp_protocol_version = "2025-06-18";
	ck_assert_int_eq(fx_send(&ta, r, ping, &res, NULL), 200);
	response_fini(&res);
	/* an unsupported version is refused even on initialize */
	r = mcp_req(NULL);
	r.mcp_protocol_version = "bogus";
	ck_assert_int_eq(fx_send(&ta, r, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
				   "\"params\":{\"protocolVersion\":\"2025-06-18\"}}", &res, NULL), 400);
	response_fini(&res);

	/* notifications and client responses: 202 with an empty body */
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), "{\"jsonrpc\":\"2.0\",\"method\":"
				   "\"notifications/initialized\"}", &res, NULL), 202);
	ck_assert_uint_eq(res.body_len, 0);
	response_fini(&res);
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), "{\"jsonrpc\":\"2.0\",\"method\":"
				   "\"notifications/cancelled\",\"params\":{\"requestId\":3}}", &res, NULL), 202);
	response_fini(&res);
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}",
				   &res, NULL), 202);
	ck_assert_uint_eq(res.body_len, 0);
	response_fini(&res);
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":"
				   "{\"code\":-1,\"message\":\"no\"}}", &res, NULL), 202);
	response_fini(&res);
}
END_TEST

START_TEST(test_transport_checks)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
	static const struct {
		const char *origin;
		const char *host;
		int status;
	} origins[] = {
		{ "http://127.0.0.1:8080", "127.0.0.1:8080", 200 },
		{ "http://LOCALHOST:8080", "localhost:8080", 200 },
		{ "https://127.0.0.1:8080/path", "127.0.0.1:8080", 200 },
		{ NULL, "127.0.0.1:8080", 200 },
		{ "http://evil.example", "127.0.0.1:8080", 403 },
		/* any port of an allowed name: the Host allowlist decides */
		{ "http://127.0.0.1:9999", "127.0.0.1:8080", 200 },
		{ "http://127.0.0.1", "127.0.0.1:8080", 200 },
		{ "http://[::1]:8080", "127.0.0.1:8080", 200 },
		{ "http://evil.example.com", "evil.example.com", 403 },
		{ NULL, "evil.example.com", 403 },
		{ "http://localhost.evil.example", "127.0.0.1:8080", 403 },
		{ "null", "127.0.0.1:8080", 403 },
		{ "", "127.0.0.1:8080", 403 },
		{ "http://", "127.0.0.1:8080", 403 },
		{ "http://127.0.0.1:8080", NULL, 200 },
		{ "http://127.0.0.1:8080.evil.example", "127.0.0.1:8080", 403 },
	};
	static const struct {
		const char *ct;
		int status;
	} types[] = {
		{ "application/json", 200 },
		{ "application/json; charset=utf-8", 200 },
		{ "Application/JSON;charset=UTF-8", 200 },
		{ NULL, 415 },
		{ "", 415 },
		{ "text/plain", 415 },
		{ "application/jsonx", 415 },
		{ "application/x-www-form-urlencoded", 415 },
		{ "multipart/form-data; boundary=x", 415 },
	};
	static const struct {
		const char *accept;
		int status;
	} accepts[] = {
		{ ACCEPT_BOTH, 200 },
		{ "application/json", 200 },
		{ "*/*", 200 },
		{ "application/*", 200 },
		{ "text/html, */*;q=0.1", 200 },
		{ NULL, 200 },
		{ "", 200 },
		{ "text/event-stream", 406 },
		{ "text/html", 406 },
		{ "application/json;q=0", 406 },
		{ "application/xml, text/plain", 406 },
	};
	struct response res;
	cJSON *j;

	fx_initialize(&ta, "2025-06-18", sid);
	for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		struct ta_request r = mcp_req(sid);

		r.origin = origins[i].origin;
		r.h.host = origins[i].host;
		ck_assert_msg(fx_send(&ta, r, ping, &res, &j) == origins[i].status, "origin %s: %d",
			      origins[i].origin, res.status);
		ck_assert_ptr_nonnull(j);
		if (origins[i].status != 200)
			ck_assert_int_eq(error_code(j), JSONRPC_INVALID_REQUEST);
		cJSON_Delete(j);
		response_fini(&res);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct ta_request r = mcp_req(sid);

		r.content_type = types[i].ct;
		ck_assert_msg(fx_send(&ta, r, ping, &res, &j) == types[i].status, "type %s: %d",
			      types[i].ct, res.status);
		ck_assert_ptr_nonnull(j);
		cJSON_Delete(j);
		response_fini(&res);
	}
	for (size_t i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++) {
		struct ta_request r = mcp_req(sid);

		r.h.accept = accepts[i].accept;
		ck_assert_msg(fx_send(&ta, r, ping, &res, &j) == accepts[i].status, "accept %s: %d",
			      accepts[i].accept, res.status);
		/* errors stay JSON even for clients that would get a page */
		ck_assert(strncmp(res.content_type, "application/json", 16) == 0);
		ck_assert_ptr_nonnull(j);
		cJSON_Delete(j);
		response_fini(&res);
	}
	/* an Origin mismatch is refused before anything else, even initialize */
	{
		struct ta_request r = mcp_req(NULL);

		r.origin = "http://evil.example";
		ck_assert_int_eq(fx_send(&ta, r, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
					   "\"params\":{\"protocolVersion\":\"2025-06-18\"}}", &res, NULL), 403);
		ck_assert_ptr_null(res_header(&res, "Mcp-Session-Id"));
		response_fini(&res);
	}
}
END_TEST

START_TEST(test_router_methods)
{
	static const char *const methods[] = { "GET", "DELETE", "PUT", "HEAD" };
	struct response res;

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		struct ta_request r = mcp_req(NULL);

		r.method = methods[i];
		r.h.accept = "text/event-stream";
		ck_assert_int_eq(fx_send(&ta, r, NULL, &res, NULL), 405);
		ck_assert_str_eq(res_header(&res, "Allow"), "POST");
		ck_assert(strncmp(res.content_type, "application/json", 16) == 0);
		response_fini(&res);
	}
}
END_TEST

START_TEST(test_methods)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	static const char *const names[] = { "list_skills", "get_skill", "read_skill_file",
					     "search_skills", "resolve_skill", "get_checklist", "start_review",
					     "record_verdicts", "get_review", "list_reviews" };
	const cJSON *t;
	cJSON *j;
	int i = 0;

	fx_initialize(&ta, "2025-11-25", sid);
	j = fx_call(&ta, sid, "ping", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(jget(j, "result")), 0);
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "no/such/method", "{}");
	ck_assert_int_eq(error_code(j), JSONRPC_METHOD_NOT_FOUND);
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "notifications/initialized", NULL);  /* as a request: unknown */
	ck_assert_int_eq(error_code(j), JSONRPC_METHOD_NOT_FOUND);
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "tools/list", "[1,2]");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);

	j = fx_call(&ta, sid, "tools/list", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(jget(jget(j, "result"), "tools")), 10);
	cJSON_ArrayForEach(t, jget(jget(j, "result"), "tools")) {
		const cJSON *in = jget(t, "inputSchema"), *out = jget(t, "outputSchema");

		ck_assert_str_eq(jstr(t, "name"), names[i]);
		ck_assert_ptr_nonnull(jstr(t, "title"));
		ck_assert_uint_gt(strlen(jstr(t, "description")), 40);
		ck_assert_str_eq(jstr(in, "type"), "object");
		ck_assert(cJSON_IsFalse(jget(in, "additionalProperties")));
		if (strcmp(names[i], "read_skill_file") == 0 || strcmp(names[i], "get_checklist") == 0)
			ck_assert_ptr_null(out);
		else
			ck_assert_str_eq(jstr(out, "type"), "object");
		/* the review tools that write say so */
		ck_assert(cJSON_IsBool(jget(jget(t, "annotations"), "readOnlyHint")));
		ck_assert_int_eq(cJSON_IsTrue(jget(jget(t, "annotations"), "readOnlyHint")),
				 strcmp(names[i], "start_review") != 0 &&
				 strcmp(names[i], "record_verdicts") != 0);
		i++;
	}
	cJSON_Delete(j);

	j = fx_call(&ta, sid, "resources/templates/list", NULL);
	t = cJSON_GetArrayItem(jget(jget(j, "result"), "resourceTemplates"), 0);
	ck_assert_str_eq(jstr(t, "uriTemplate"), "skill://{slug}/{path}");
	ck_assert_ptr_nonnull(jstr(t, "name"));
	cJSON_Delete(j);

	/* tools/call framing errors */
	j = fx_call(&ta, sid, "tools/call", "{}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "tools/call", "{\"name\":\"nope\"}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	ck_assert(strstr(jstr(jget(j, "error"), "message"), "nope") != NULL);
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "tools/call", "{\"name\":\"get_skill\",\"arguments\":[\"alpha\"]}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
}
END_TEST

/* An agent's review through the tools: started, verdicts recorded (and
 * seen by the API the pages read), refused writes written nowhere, read
 * back open and failing first, listed. */
START_TEST(test_review_tools)
{
	char sid[MCP_SESSION_ID_LEN + 1], id[32], *args, *path;
	const cJSON *sc;
	const char *text;
	struct response res;
	cJSON *j, *v;

	fx_initialize(&ta, "2025-06-18", sid);
	j = fx_tool(&ta, sid, "start_review", "{\"skill\":\"alpha\",\"title\":\"PR 1\",\"author\":\"agent\"}");
	ck_assert_msg(!tool_is_error(j), "%s", tool_text(j));
	sc = jget(jget(j, "result"), "structuredContent");
	snprintf(id, sizeof(id), "%s", jstr(sc, "id"));
	ck_assert_uint_eq(strlen(id), 16);
	ck_assert_int_eq(cJSON_GetNumberValue(jget(jget(sc, "counts"), "open")), 3);
	ck_assert_ptr_nonnull(strstr(jstr(sc, "page"), id));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "Open (item: what to check):\n- W1 Bounds checked"));
	cJSON_Delete(j);

	args = xasprintf("{\"review\":\"%s\",\"author\":\"agent\",\"verdicts\":["
			 "{\"item\":\"W1\",\"verdict\":\"fail\",\"note\":\"no check\",\"evidence\":\"a.c:1\"},"
			 "{\"item\":\"W2\",\"verdict\":\"pass\"}]}", id);
	j = fx_tool(&ta, sid, "record_verdicts", args);
	free(args);
	ck_assert_msg(!tool_is_error(j), "%s", tool_text(j));
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_int_eq(cJSON_GetNumberValue(jget(jget(sc, "counts"), "fail")), 1);
	ck_assert_int_eq(cJSON_GetNumberValue(jget(jget(sc, "counts"), "pass")), 1);
	ck_assert_ptr_nonnull(strstr(tool_text(j), "- W1 Bounds checked: Are all indexes checked? "
				     "| note: no check | evidence: a.c:1"));
	cJSON_Delete(j);

	/* the API, which the pages read, has them */
	path = xasprintf("/api/v1/reviews/%s", id);
	ck_assert_int_eq(ta_get(&ta.app, path, &(struct ta_headers){ .accept = "application/json" },
				&res), 200);
	v = cJSON_ParseWithLength(res.body, res.body_len);
	response_fini(&res);
	sc = cJSON_GetArrayItem(jget(cJSON_GetArrayItem(jget(v, "sections"), 0), "items"), 0);
	ck_assert_str_eq(jstr(sc, "verdict"), "fail");
	ck_assert_str_eq(jstr(sc, "evidence"), "a.c:1");
	ck_assert_str_eq(jstr(sc, "author"), "agent");
	cJSON_Delete(v);
	free(path);

	/* refused writes are the model's to fix, and write nothing */
	args = xasprintf("{\"review\":\"%s\",\"verdicts\":[{\"item\":\"W2\",\"verdict\":\"na\"},"
			 "{\"item\":\"W9\",\"verdict\":\"pass\"}]}", id);
	j = fx_tool(&ta, sid, "record_verdicts", args);
	free(args);
	ck_assert(tool_is_error(j));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "verdicts[1].item: the checklist has no item 'W9'"));
	cJSON_Delete(j);
	args = xasprintf("{\"review\":\"%s\",\"verdicts\":[{\"item\":\"W2\",\"verdict\":\"na\","
			 "\"version\":0}]}", id);
	j = fx_tool(&ta, sid, "record_verdicts", args);
	free(args);
	ck_assert(tool_is_error(j));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "item W2 is at version 1, verdict pass"));
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "record_verdicts", "{\"review\":\"0000000000000000\",\"verdicts\":"
		 "[{\"item\":\"W2\",\"verdict\":\"na\"}]}");
	ck_assert(tool_is_error(j));
	cJSON_Delete(j);

	/* read back: failing first, then open, then passed by ref */
	args = xasprintf("{\"review\":\"%s\"}", id);
	j = fx_tool(&ta, sid, "get_review", args);
	free(args);
	ck_assert(!tool_is_error(j));
	text = tool_text(j);
	ck_assert_ptr_nonnull(strstr(text, "Counts: 1 pass, 1 fail, 0 n/a, 1 open"));
	ck_assert_ptr_nonnull(strstr(text, "\nFailing:\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nPassed:\n- W2\n"));
	ck_assert(strstr(text, "\nFailing:\n") < strstr(text, "\nOpen (item: what to check):\n"));
	ck_assert(strstr(text, "\nOpen (item: what to check):\n") < strstr(text, "\nPassed:\n- W2\n"));
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_review", "{\"review\":\"0000000000000000\"}");
	ck_assert(tool_is_error(j));
	cJSON_Delete(j);

	j = fx_tool(&ta, sid, "list_reviews", "{\"skill\":\"alpha\"}");
	ck_assert(!tool_is_error(j));
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_int_eq(cJSON_GetArraySize(jget(sc, "reviews")), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "reviews"), 0), "id"), id);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "list_reviews", "{\"status\":\"closed\"}");
	ck_assert_int_eq(cJSON_GetArraySize(jget(jget(jget(j, "result"), "structuredContent"),
						 "reviews")), 0);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "list_reviews", "{\"status\":\"maybe\"}");
	ck_assert(tool_is_error(j));
	cJSON_Delete(j);

	/* starting needs a skill with a checklist and a title */
	j = fx_tool(&ta, sid, "start_review", "{\"skill\":\"nope\",\"title\":\"x\"}");
	ck_assert(tool_is_error(j));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "no skill has the slug 'nope'"));
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "start_review", "{\"skill\":\"alpha\"}");
	ck_assert(tool_is_error(j));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "title: title is required"));
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_tool_list_get)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	const cJSON *sc, *s, *f;
	char *path, *md;
	bool guide = false;
	cJSON *j;
	size_t len;

	fx_initialize(&ta, "2025-06-18", sid);
	j = fx_tool(&ta, sid, "list_skills", "{}");
	ck_assert(!tool_is_error(j));
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_int_eq(cJSON_GetArraySize(jget(sc, "skills")), 6);
	ck_assert(cJSON_IsNull(jget(sc, "nextCursor")));
	s = cJSON_GetArrayItem(jget(sc, "skills"), 0);
	ck_assert_str_eq(jstr(s, "slug"), "alpha");
	ck_assert_str_eq(jstr(s, "name"), "alpha");
	ck_assert_str_eq(jstr(s, "description"), ALPHA_DESCRIPTION "\n");
	ck_assert_str_eq(jstr(s, "tier"), "platinum");
	ck_assert_str_eq(jstr(s, "uri"), "skill://alpha/SKILL.md");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "skills"), 1), "slug"), "alpha-2");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "skills"), 2), "slug"), "bad-yaml");
	ck_assert(cJSON_IsNull(jget(cJSON_GetArrayItem(jget(sc, "skills"), 2), "name")));
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "skills"), 4), "slug"), "budget-demo");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "skills"), 5), "slug"), "many");
	/* the text is the same JSON */
	{
		cJSON *again = cJSON_Parse(tool_text(j));

		ck_assert(cJSON_Compare(again, sc, 1));
		cJSON_Delete(again);
	}
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "list_skills", "{\"cursor\":\"bogus\"}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "list_skills", "{\"cursor\":\"s00\"}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "list_skills", "{\"cursor\":\"s62657461\"}");  /* after "beta" */
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_int_eq(cJSON_GetArraySize(jget(sc, "skills")), 2);  /* budget-demo, many */
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "list_skills", "{\"limit\":3}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);

	/* get_skill: the SKILL.md bytes from disk, and the file list */
	path = xasprintf("%s/alpha/SKILL.md", ta.root);
	md = tu_read(path, &len);
	j = fx_tool(&ta, sid, "get_skill", "{\"slug\":\"alpha\"}");
	ck_assert(!tool_is_error(j));
	ck_assert_str_eq(tool_text(j), md);
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_str_eq(jstr(sc, "slug"), "alpha");
	ck_assert_str_eq(jstr(sc, "name"), "alpha");
	ck_assert_str_eq(jstr(sc, "description"), ALPHA_DESCRIPTION "\n");
	ck_assert_str_eq(jstr(sc, "uri"), "skill://alpha/SKILL.md");
	ck_assert_int_eq(cJSON_GetArraySize(jget(sc, "files")), 9);
	cJSON_ArrayForEach(f, jget(sc, "files")) {
		if (strcmp(jstr(f, "path"), "references/guide.md") == 0) {
			guide = true;
			ck_assert_int_eq((int)cJSON_GetNumberValue(jget(f, "size")), 15);
			ck_assert_str_eq(jstr(f, "mime"), "text/markdown; charset=utf-8");
		}
	}
	ck_assert(guide);
	cJSON_Delete(j);
	free(md);
	free(path);

	/* beta's SKILL.md holds invalid bytes and a NUL: text with U+FFFD */
	j = fx_tool(&ta, sid, "get_skill", "{\"slug\":\"beta\"}");
	ck_assert(!tool_is_error(j));
	ck_assert(strstr(tool_text(j), "Body \xef\xbf\xbd\xef\xbf\xbd bytes.\xef\xbf\xbd" "after NUL") != NULL);
	cJSON_Delete(j);

	j = fx_tool(&ta, sid, "get_skill", "{\"slug\":\"nope\"}");
	ck_assert(tool_is_error(j));
	ck_assert(strstr(tool_text(j), "No skill has the slug 'nope'") != NULL);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_skill", "{}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_skill", "{\"slug\":7}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_skill", "{\"slug\":\"\"}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_skill", "{\"slug\":\"alpha\",\"extra\":1}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	ck_assert(strstr(jstr(jget(j, "error"), "message"), "extra") != NULL);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_tool_read_search_checklist)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	const cJSON *c, *sc, *hit;
	bool alpha = false;
	cJSON *j;

	fx_initialize(&ta, "2025-06-18", sid);
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"alpha\",\"path\":\"references/guide.md\"}");
	ck_assert(!tool_is_error(j));
	ck_assert_str_eq(tool_text(j), "# Guide\n\nText.\n");
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"alpha\",\"path\":\"assets/blob.bin\"}");
	ck_assert(!tool_is_error(j));
	c = cJSON_GetArrayItem(jget(jget(j, "result"), "content"), 0);
	ck_assert_str_eq(jstr(c, "type"), "resource");
	ck_assert_str_eq(jstr(jget(c, "resource"), "uri"), "skill://alpha/assets/blob.bin");
	ck_assert_str_eq(jstr(jget(c, "resource"), "blob"), "AAEC/w==");
	ck_assert_str_eq(jstr(jget(c, "resource"), "mimeType"), "application/octet-stream");
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"alpha\",\"path\":\"nope.md\"}");
	ck_assert(tool_is_error(j));
	ck_assert(strstr(tool_text(j), "Skill 'alpha' has no file 'nope.md'") != NULL);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"nope\",\"path\":\"SKILL.md\"}");
	ck_assert(tool_is_error(j));
	ck_assert(strstr(tool_text(j), "No skill has the slug 'nope'") != NULL);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"alpha\",\"path\":\"../../etc/passwd\"}");
	ck_assert(tool_is_error(j));
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"alpha\"}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);

	/* search */
	j = fx_tool(&ta, sid, "search_skills", "{\"query\":\"widget\"}");
	ck_assert(!tool_is_error(j));
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_str_eq(jstr(sc, "query"), "widget");
	/* "widget" is only in alpha's description (the checklist's title
	 * is not an item, no reference or eval says it) */
	ck_assert_int_eq((int)cJSON_GetNumberValue(jget(sc, "total")), 1);
	cJSON_ArrayForEach(hit, jget(sc, "results")) {
		if (strcmp(jstr(hit, "skill"), "alpha") == 0 && strcmp(jstr(hit, "kind"), "skill") == 0) {
			alpha = true;
			ck_assert_str_eq(jstr(hit, "uri"), "skill://alpha/SKILL.md");
			ck_assert(strstr(jstr(hit, "snippet"), "**widget**") != NULL ||
				  strstr(jstr(hit, "snippet"), "**Widget**") != NULL);
			ck_assert(strstr(jstr(hit, "snippet"), SEARCH_MARK_OPEN) == NULL);
		}
	}
	ck_assert(alpha);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "search_skills", "{\"query\":\"checked\",\"kind\":\"checklist\",\"limit\":1}");
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_int_eq(cJSON_GetArraySize(jget(sc, "results")), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "results"), 0), "kind"), "checklist");
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "search_skills", "{\"query\":\"!!! ???\"}");
	ck_assert(tool_is_error(j));
	ck_assert(strstr(tool_text(j), "cannot be searched") != NULL);
	cJSON_Delete(j);
	static const char *const bad_search[] = {
		"{}", "{\"query\":1}", "{\"query\":\"a\",\"limit\":0}", "{\"query\":\"a\",\"limit\":51}",
		"{\"query\":\"a\",\"limit\":2.5}", "{\"query\":\"a\",\"limit\":\"3\"}",
		"{\"query\":\"a\",\"kind\":\"bogus\"}", "{\"query\":\"a\",\"kind\":null}",
	};
	for (size_t i = 0; i < sizeof(bad_search) / sizeof(bad_search[0]); i++) {
		j = fx_tool(&ta, sid, "search_skills", bad_search[i]);
		ck_assert_msg(error_code(j) == JSONRPC_INVALID_PARAMS, "%s", bad_search[i]);
		cJSON_Delete(j);
	}

	/* a question in plain words: no row has every word, so the rows with
	 * the most come, and the answer says so; "my" and "for" are ignored */
	j = fx_tool(&ta, sid, "search_skills", "{\"query\":\"check my widget indexes for zebras\"}");
	ck_assert(!tool_is_error(j));
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_str_eq(jstr(sc, "match"), "any");
	ck_assert_int_gt(cJSON_GetArraySize(jget(sc, "results")), 0);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "results"), 0), "skill"), "alpha");
	ck_assert_str_eq(cJSON_GetArrayItem(jget(sc, "ignored"), 0)->valuestring, "my");
	cJSON_Delete(j);

	/* resolve_skill: the skills for a task in words, best first */
	j = fx_tool(&ta, sid, "resolve_skill", "{\"task\":\"review my widget code for safety\"}");
	ck_assert(!tool_is_error(j));
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_str_eq(jstr(sc, "task"), "review my widget code for safety");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "skills"), 0), "slug"), "alpha");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(sc, "skills"), 0), "uri"), "skill://alpha/SKILL.md");
	ck_assert(cJSON_IsTrue(jget(cJSON_GetArrayItem(jget(sc, "skills"), 0), "has_checklist")));
	ck_assert_int_le(cJSON_GetArraySize(jget(sc, "skills")), 3);
	ck_assert(strncmp(tool_text(j), "1. **alpha**: ", 14) == 0);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "resolve_skill", "{\"task\":\"zzqqxx\"}");
	ck_assert(!tool_is_error(j));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "No skill fits"));
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "resolve_skill", "{\"task\":\"x\",\"limit\":21}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "resolve_skill", "{}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);

	/* checklist: compact, the items' own lines and codes, "Item N" for the
	 * one without a code (as reviews name it); structured only on request */
	j = fx_tool(&ta, sid, "get_checklist", "{\"slug\":\"alpha\"}");
	ck_assert(!tool_is_error(j));
	ck_assert_str_eq(tool_text(j),
			 "# Widget — Code Review Checklist\n\nItems are named by their own code (such "
			 "as N1) or, without one, as \"Item N\": the names start_review and "
			 "record_verdicts take.\n\n## 1. Safety\n\n"
			 "- [ ] **W1 — Bounds checked** — Are all indexes checked?\n"
			 "- [ ] **W2 — Lifetimes** — Is every pointer alive when used?\n"
			 "- [ ] Item 3 — Plain question?\n\n"
			 "**Red flags**: unchecked memcpy.\n\n"
			 "## Quick Review Workflow\n\n1. **Read**: read it.\n2. **Check**: check it.\n");
	ck_assert_ptr_null(jget(jget(j, "result"), "structuredContent"));
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_checklist", "{\"slug\":\"alpha\",\"structured\":true}");
	sc = jget(jget(j, "result"), "structuredContent");
	ck_assert_int_eq((int)cJSON_GetNumberValue(jget(sc, "item_count")), 3);
	ck_assert_str_eq(jstr(sc, "skill"), "alpha");
	ck_assert_str_eq(jstr(sc, "path"), "references/review-checklist.md");
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_checklist", "{\"slug\":\"alpha\",\"structured\":\"yes\"}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_checklist", "{\"slug\":\"beta\"}");
	ck_assert(tool_is_error(j));
	ck_assert(strstr(tool_text(j), "has no review checklist") != NULL);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_checklist", "{\"slug\":\"nope\"}");
	ck_assert(tool_is_error(j));
	cJSON_Delete(j);
}
END_TEST

/* Sum of counts.files over every skill, from the REST API. */
static int total_files(void)
{
	struct response res;
	const cJSON *s;
	cJSON *j;
	int n = 0;

	ck_assert_int_eq(ta_get(&ta.app, "/api/v1/skills?limit=100", NULL, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	cJSON_ArrayForEach(s, jget(j, "data"))
		n += (int)cJSON_GetNumberValue(jget(jget(s, "counts"), "files"));
	cJSON_Delete(j);
	response_fini(&res);
	return n;
}

/* Compares "slug/path" names by slug, then path ("" sorts first). */
static int name_cmp(const char *a, const char *b)
{
	size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
	int c = strncmp(a, b, la < lb ? la : lb);

	if (c == 0 && la != lb)
		return la < lb ? -1 : 1;
	if (c != 0)
		return c;
	return strcmp(a + la, b + lb);
}

START_TEST(test_resources)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	int total = total_files(), seen = 0, pages = 0;
	char *cursor = NULL, *prev = xstrdup("");
	bool spaced = false;
	const cJSON *r, *c;
	cJSON *j;

	/* alpha 9, beta, alpha-2, bad-yaml and budget-demo 1 each, many
	 * N_MANY + 2: more than one page */
	ck_assert_int_eq(total, 9 + 1 + 1 + 1 + 1 + N_MANY + 2);
	ck_assert_int_gt(total, MCP_PAGE_SIZE);
	fx_initialize(&ta, "2025-06-18", sid);
	do {
		char *params = cursor ? xasprintf("{\"cursor\":\"%s\"}", cursor) : xstrdup("{}");
		const cJSON *next;

		j = fx_call(&ta, sid, "resources/list", params);
		free(params);
		ck_assert_int_eq(error_code(j), 0);
		r = jget(j, "result");
		if (jget(r, "nextCursor"))
			ck_assert_int_eq(cJSON_GetArraySize(jget(r, "resources")), MCP_PAGE_SIZE);
		cJSON_ArrayForEach(c, jget(r, "resources")) {
			const char *uri = jstr(c, "uri");

			const char *name = jstr(c, "name");

			ck_assert(strncmp(uri, "skill://", 8) == 0);
			/* ordered by slug, then path: every entry once */
			ck_assert_ptr_nonnull(name);
			ck_assert_msg(name_cmp(name, prev) > 0, "%s after %s", name, prev);
			free(prev);
			prev = xstrdup(name);
			ck_assert_ptr_nonnull(jstr(c, "mimeType"));
			ck_assert(cJSON_IsNumber(jget(c, "size")));
			if (strcmp(uri, "skill://many/references/with%20space.md") == 0) {
				spaced = true;
				ck_assert_str_eq(jstr(c, "name"), "many/references/with space.md");
				ck_assert_int_eq((int)cJSON_GetNumberValue(jget(c, "size")), 7);
			}
			seen++;
		}
		free(cursor);
		next = jget(r, "nextCursor");
		cursor = cJSON_IsString(next) ? xstrdup(next->valuestring) : NULL;
		pages++;
		cJSON_Delete(j);
	} while (cursor && pages < 10);
	ck_assert_int_eq(seen, total);
	ck_assert_int_eq(pages, (total + MCP_PAGE_SIZE - 1) / MCP_PAGE_SIZE);
	ck_assert(spaced);
	free(prev);

	static const char *const bad_cursors[] = {
		"{\"cursor\":\"x\"}", "{\"cursor\":\"r61\"}", "{\"cursor\":\"r61.\"}",
		"{\"cursor\":\"r6.62\"}", "{\"cursor\":\"rzz.62\"}", "{\"cursor\":\"r00.62\"}",
		"{\"cursor\":\"rff.62\"}", "{\"cursor\":5}", "{\"cursor\":\"s61\"}",
	};
	for (size_t i = 0; i < sizeof(bad_cursors) / sizeof(bad_cursors[0]); i++) {
		j = fx_call(&ta, sid, "resources/list", bad_cursors[i]);
		ck_assert_msg(error_code(j) == JSONRPC_INVALID_PARAMS, "%s", bad_cursors[i]);
		cJSON_Delete(j);
	}

	/* read: text, blob, percent-encoded path */
	j = fx_call(&ta, sid, "resources/read", "{\"uri\":\"skill://alpha/references/guide.md\"}");
	c = cJSON_GetArrayItem(jget(jget(j, "result"), "contents"), 0);
	ck_assert_str_eq(jstr(c, "uri"), "skill://alpha/references/guide.md");
	ck_assert_str_eq(jstr(c, "mimeType"), "text/markdown; charset=utf-8");
	ck_assert_str_eq(jstr(c, "text"), "# Guide\n\nText.\n");
	ck_assert_ptr_null(jget(c, "blob"));
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "resources/read", "{\"uri\":\"skill://alpha/assets/blob.bin\"}");
	c = cJSON_GetArrayItem(jget(jget(j, "result"), "contents"), 0);
	ck_assert_str_eq(jstr(c, "blob"), "AAEC/w==");
	ck_assert_ptr_null(jget(c, "text"));
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "resources/read", "{\"uri\":\"skill://many/references/with%20space.md\"}");
	c = cJSON_GetArrayItem(jget(jget(j, "result"), "contents"), 0);
	ck_assert_str_eq(jstr(c, "text"), "spaced\n");
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "resources/read", "{\"uri\":\"skill://beta/SKILL.md\"}");
	c = cJSON_GetArrayItem(jget(jget(j, "result"), "contents"), 0);
	ck_assert_ptr_nonnull(jstr(c, "blob"));
	cJSON_Delete(j);

	static const char *const unknown[] = {
		"skill://alpha/nope.md", "skill://nope/SKILL.md", "skill://alpha/", "skill://alpha",
		"skill:///SKILL.md", "http://alpha/SKILL.md", "", "skill://alpha/a%00b",
		"skill://alpha/%zz", "skill://alpha/%ff", "skill://alpha/../alpha/SKILL.md",
	};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		char *params = xasprintf("{\"uri\":\"%s\"}", unknown[i]);

		j = fx_call(&ta, sid, "resources/read", params);
		ck_assert_msg(error_code(j) == -32002, "%s", unknown[i]);
		ck_assert_str_eq(jstr(jget(jget(j, "error"), "data"), "uri"), unknown[i]);
		cJSON_Delete(j);
		free(params);
	}
	j = fx_call(&ta, sid, "resources/read", "{}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
	j = fx_call(&ta, sid, "resources/read", "{\"uri\":[1]}");
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_PARAMS);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_batches)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	struct response res;
	cJSON *j;

	fx_initialize(&ta, "2025-03-26", sid);
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
				   "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
				   "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"nope\"},"
				   "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}},"
				   "5,"
				   "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":"
				   "{\"protocolVersion\":\"2025-03-26\"}}]", &res, &j), 200);
	ck_assert(cJSON_IsArray(j));
	ck_assert_int_eq(cJSON_GetArraySize(j), 4);
	ck_assert_int_eq((int)cJSON_GetNumberValue(jget(cJSON_GetArrayItem(j, 0), "id")), 1);
	ck_assert_ptr_nonnull(jget(cJSON_GetArrayItem(j, 0), "result"));
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(j, 1), "id"), "b");
	ck_assert_int_eq(error_code(cJSON_GetArrayItem(j, 1)), JSONRPC_METHOD_NOT_FOUND);
	ck_assert(cJSON_IsNull(jget(cJSON_GetArrayItem(j, 2), "id")));
	ck_assert_int_eq(error_code(cJSON_GetArrayItem(j, 2)), JSONRPC_INVALID_REQUEST);
	ck_assert_int_eq(error_code(cJSON_GetArrayItem(j, 3)), JSONRPC_INVALID_REQUEST);
	ck_assert_ptr_null(res_header(&res, "Mcp-Session-Id"));
	cJSON_Delete(j);
	response_fini(&res);

	/* only notifications: 202 */
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), "[{\"jsonrpc\":\"2.0\",\"method\":\"a\"},"
				   "{\"jsonrpc\":\"2.0\",\"method\":\"b\"}]", &res, NULL), 202);
	ck_assert_uint_eq(res.body_len, 0);
	response_fini(&res);
	/* an empty batch is an invalid request */
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), "[]", &res, &j), 400);
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_REQUEST);
	cJSON_Delete(j);
	response_fini(&res);
	/* a batch needs the session too */
	ck_assert_int_eq(fx_send(&ta, mcp_req(NULL), "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
				   "\"ping\"}]", &res, NULL), 400);
	response_fini(&res);
}
END_TEST

/* Is j a JSON-RPC answer: an error or result object, or an array of them? */
static bool is_jsonrpc_answer(const cJSON *j)
{
	const cJSON *m;

	if (cJSON_IsArray(j)) {
		if (cJSON_GetArraySize(j) == 0)
			return false;
		cJSON_ArrayForEach(m, j)
			if (!is_jsonrpc_answer(m) || cJSON_IsArray(m))
				return false;
		return true;
	}
	return cJSON_IsObject(j) && jstr(j, "jsonrpc") && strcmp(jstr(j, "jsonrpc"), "2.0") == 0 &&
	       jget(j, "id") && ((jget(j, "error") != NULL) != (jget(j, "result") != NULL));
}

START_TEST(test_hostile_bodies)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	static const struct {
		const char *body;
		size_t len;   /* 0: strlen */
		int status;   /* expected HTTP status */
	} cases[] = {
		{ "", 0, 400 },
		{ "   ", 0, 400 },
		{ "{", 0, 400 },
		{ "}", 0, 400 },
		{ "[", 0, 400 },
		{ "[]", 0, 400 },
		{ "[[]]", 0, 200 },
		{ "[[[]]]", 0, 200 },
		{ "null", 0, 400 },
		{ "0", 0, 400 },
		{ "-1e999", 0, 400 },
		{ "\"x\"", 0, 400 },
		{ "true", 0, 400 },
		{ "{}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\"}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":1}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":\"x\"}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":[],\"method\":\"ping\"}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"ping\"}", 0, 400 },
		{ "{\"jsonrpc\":\"3.0\",\"id\":1,\"method\":\"ping\"}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}garbage", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\\u0000\"}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\0", 38, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\\udc00\"}", 0, 400 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[]}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":{}}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"get_skill\","
		  "\"arguments\":\"alpha\"}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"get_skill\","
		  "\"arguments\":{\"slug\":{\"a\":[1,2,{}]}}}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
		  "\"read_skill_file\",\"arguments\":{\"slug\":\"alpha\",\"path\":\"\\u00ff/../x\"}}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
		  "\"search_skills\",\"arguments\":{\"query\":\"\\\"unclosed OR NEAR( col:x ^a\"}}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
		  "\"search_skills\",\"arguments\":{\"query\":\"a\",\"limit\":1e308}}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
		  "\"search_skills\",\"arguments\":{\"query\":\"a\",\"limit\":-1e308}}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":"
		  "\"skill://%2e%2e/%2e%2e\"}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\",\"params\":{\"cursor\":"
		  "\"r\"}}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":[]}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":-0,\"method\":\"ping\"}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":\"\",\"method\":\"ping\"}", 0, 200 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", 0, 202 },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}", 0, 202 },
		{ "[1,2,3]", 0, 200 },
		{ "[null]", 0, 200 },
		{ "[{}]", 0, 200 },
		{ "[{\"jsonrpc\":\"2.0\",\"method\":\"n\"},{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":0}]", 0, 202 },
	};
	struct response res;
	struct buf deep;
	cJSON *j;

	fx_initialize(&ta, "2025-06-18", sid);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ta_request r = mcp_req(sid);

		r.body = cases[i].body;
		r.body_len = cases[i].len ? cases[i].len : strlen(cases[i].body);
		ta_send(&ta.app, &r, &res);
		ck_assert_msg(res.status == cases[i].status, "case %zu (%s): %d %.*s", i,
			      cases[i].body, res.status, (int)res.body_len, res.body);
		if (res.status == 202) {
			ck_assert_uint_eq(res.body_len, 0);
		} else {
			j = cJSON_ParseWithLength(res.body, res.body_len);
			ck_assert_msg(is_jsonrpc_answer(j), "case %zu: %.*s", i, (int)res.body_len,
				      res.body);
			if (res.status == 400)
				ck_assert(jget(j, "error") != NULL);
			cJSON_Delete(j);
		}
		response_fini(&res);
	}

	/* deep nesting and a long batch */
	buf_init(&deep);
	for (int i = 0; i < 200000; i++)
		buf_puts(&deep, "{\"a\":[");
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), deep.data, &res, &j), 400);
	ck_assert_int_eq(error_code(j), JSONRPC_PARSE_ERROR);
	cJSON_Delete(j);
	response_fini(&res);
	buf_reset(&deep);
	buf_putc(&deep, '[');
	for (int i = 0; i < 300; i++)
		buf_printf(&deep, "%s{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"ping\"}", i ? "," : "", i);
	buf_putc(&deep, ']');
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), deep.data, &res, &j), 400);
	ck_assert_int_eq(error_code(j), JSONRPC_INVALID_REQUEST);
	cJSON_Delete(j);
	response_fini(&res);
	buf_fini(&deep);
}
END_TEST

/* Over a real socket: the body limit (1024 here) answers 413, GET 405. */
START_TEST(test_socket)
{
	struct tu_response r;
	char *raw, *hdr, *big = xmalloc(3001);
	const char *init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
			   "{\"protocolVersion\":\"2025-06-18\"}}";

	memset(big, ' ', 3000);
	big[0] = '{';
	big[2999] = '}';
	big[3000] = '\0';
	/* declared over the limit: refused before the body is sent */
	raw = xasprintf("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			"Content-Length: 3000\r\nExpect: 100-continue\r\n\r\n");
	ck_assert_int_eq(tu_http(ta.app.port, raw, &r), 0);
	ck_assert_int_eq(r.status, 413);
	ck_assert(strstr(r.body, "\"too_large\"") != NULL);
	tu_response_fini(&r);
	free(raw);
	/* A body sent for real: a declared length over the limit is refused
	 * the same way. */
	raw = xasprintf("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			"Content-Length: 1025\r\nConnection: close\r\n\r\n%.1025s", big);
	ck_assert_int_eq(tu_http(ta.app.port, raw, &r), 0);
	ck_assert_int_eq(r.status, 413);
	tu_response_fini(&r);
	free(raw);
	/* A chunked body (no length to judge) that grows over the limit: read
	 * to its end and dropped, then 413. */
	raw = xasprintf("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
			"3e8\r\n%.1000s\r\n3e8\r\n%.1000s\r\n3e8\r\n%.1000s\r\n0\r\n\r\n", big, big, big);
	ck_assert_int_eq(tu_http(ta.app.port, raw, &r), 0);
	ck_assert_int_eq(r.status, 413);
	ck_assert(strstr(r.body, "\"too_large\"") != NULL);
	tu_response_fini(&r);
	free(raw);
	free(big);

	/* a real handshake */
	raw = xasprintf("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nOrigin: http://127.0.0.1:%u\r\n"
			"Content-Type: application/json\r\nAccept: " ACCEPT_BOTH "\r\n"
			"Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			ta.app.port, ta.app.port, strlen(init), init);
	ck_assert_int_eq(tu_http(ta.app.port, raw, &r), 0);
	ck_assert_int_eq(r.status, 200);
	hdr = tu_header(&r, "Mcp-Session-Id");
	ck_assert_ptr_nonnull(hdr);
	ck_assert_str_eq(mcp_session_check(&ta.app, hdr), "2025-06-18");
	free(hdr);
	hdr = tu_header(&r, "Cache-Control");
	ck_assert_str_eq(hdr, "no-store");
	free(hdr);
	ck_assert(strstr(r.body, "\"protocolVersion\":\"2025-06-18\"") != NULL);
	tu_response_fini(&r);
	free(raw);

	/* GET and DELETE: 405, Allow: POST */
	ck_assert_int_eq(tu_get(ta.app.port, "/mcp", "Accept: text/event-stream\r\n", &r), 0);
	ck_assert_int_eq(r.status, 405);
	hdr = tu_header(&r, "Allow");
	ck_assert_str_eq(hdr, "POST");
	free(hdr);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_http(ta.app.port, "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nMcp-Session-Id: x\r\n"
				 "Connection: close\r\n\r\n", &r), 0);
	ck_assert_int_eq(r.status, 405);
	hdr = tu_header(&r, "Allow");
	ck_assert_str_eq(hdr, "POST");
	free(hdr);
	tu_response_fini(&r);
}
END_TEST

/* ---- the output budget (--max-mcp-output) ---- */

#define BIG_SIZE ((size_t)2 << 20)                 /* the "big" skill's binary asset */
#define BIG_B64 (4 * ((BIG_SIZE + 2) / 3))         /* its base64 length: 2796204 */
#define BIG_URI "skill://big/assets/big.bin"
#define N_READS 256
#define CTRL_SIZE 20000   /* references/ctrl.md: U+0001 bytes, 6 bytes each as JSON */
#define FITS_SIZE 40000   /* references/fits.md: plain text */
#define WIDE_SIZE 70000   /* wide/SKILL.md: a SKILL.md over a 64K budget */

/* The asset's byte i: every value, NULs and bytes invalid as UTF-8 included. */
static unsigned char big_byte(size_t i)
{
	return (unsigned char)((i * 2654435761u) >> 11);
}

/* The "big" skill (a 2 MiB asset, a text file that grows sixfold as JSON, a
 * 40,000-byte text file) and "wide" (a 70,000-byte SKILL.md). */
static void write_budget_skills(void)
{
	char *big = xmalloc(BIG_SIZE), *ctrl = xmalloc(CTRL_SIZE), *fits = xmalloc(FITS_SIZE);
	char *wide = xmalloc(WIDE_SIZE);
	int n;

	for (size_t i = 0; i < BIG_SIZE; i++)
		big[i] = (char)big_byte(i);
	memset(ctrl, 1, CTRL_SIZE);
	memset(fits, 'a', FITS_SIZE);
	fits[FITS_SIZE - 1] = '\n';
	n = snprintf(wide, WIDE_SIZE, "---\nname: wide\ndescription: A long SKILL.md.\n---\n");
	memset(wide + n, 'w', WIDE_SIZE - (size_t)n);
	tu_write_str(ta.root, "big/SKILL.md", "---\nname: big\ndescription: A skill with a large "
		     "asset.\n---\n# Big\n");
	tu_write(ta.root, "big/assets/big.bin", big, BIG_SIZE);
	tu_write(ta.root, "big/references/ctrl.md", ctrl, CTRL_SIZE);
	tu_write(ta.root, "big/references/fits.md", fits, FITS_SIZE);
	tu_write(ta.root, "wide/SKILL.md", wide, WIDE_SIZE);
	free(big);
	free(ctrl);
	free(fits);
	free(wide);
}

static void start_budget(const char *max_mcp_output)
{
	const char *const args[] = { "--port", "0", "--threads", "2", "--max-mcp-output",
				     max_mcp_output, NULL };

	ta_prepare(&ta);
	write_budget_skills();
	ta_open(&ta, args);
}

static void setup_budget(void)
{
	start_budget("8M");
}

static void setup_budget_small(void)
{
	start_budget("64K");
}

/* A line of /proc/self/status ("VmHWM", "VmRSS") in kB; fails the test when absent. */
static long status_kb(const char *key)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
			kb = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(fp);
	ck_assert_int_ge(kb, 0);
	return kb;
}

/* Resets VmHWM to the current RSS (Linux 4.0+); when the kernel refuses,
 * VmHWM keeps the earlier peak and growth is measured from there. */
static void reset_peak_rss(void)
{
	FILE *fp = fopen("/proc/self/clear_refs", "w");

	if (fp) {
		fputs("5", fp);
		fclose(fp);
	}
}

/* Is j the output-limit error of --max-mcp-output? */
static bool is_limit_error(const cJSON *j)
{
	const char *msg = jstr(jget(j, "error"), "message");

	return error_code(j) == MCP_OUTPUT_LIMIT && msg && strstr(msg, "--max-mcp-output") &&
	       strstr(msg, " remain");
}

/* 256 reads of a 2 MiB asset under the default 8 MiB: the first two
 * answers fit (a third base64 copy would make 3 * 2796204 > 8388608), the
 * other 254 are output-limit errors with their own ids, in order; the body
 * stays under the budget and the request's memory under 64 MB. */
START_TEST(test_budget_batch)
{
	char sid[MCP_SESSION_ID_LEN + 1];
	struct response res;
	struct buf batch;
	long before, peak;
	const cJSON *a;
	unsigned char *bytes;
	int i = 0;
	cJSON *j;

	fx_initialize(&ta, "2025-03-26", sid);
	buf_init(&batch);
	for (int k = 0; k < N_READS; k++)
		buf_printf(&batch, "%s{\"jsonrpc\":\"2.0\",\"id\":\"r%d\",\"method\":\"resources/read\","
			   "\"params\":{\"uri\":\"" BIG_URI "\"}}", k ? "," : "[", k);
	buf_putc(&batch, ']');
	reset_peak_rss();
	before = status_kb("VmHWM");
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), batch.data, &res, NULL), 200);
	peak = status_kb("VmHWM");
	ck_assert_msg(peak - before < 64 * 1024, "peak RSS grew by %ld kB for one request",
		      peak - before);
	ck_assert_uint_le(res.body_len, (size_t)8 << 20);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert(is_jsonrpc_answer(j));
	ck_assert_int_eq(cJSON_GetArraySize(j), N_READS);
	cJSON_ArrayForEach(a, j) {
		char id[16];

		snprintf(id, sizeof(id), "r%d", i);
		ck_assert_str_eq(jstr(a, "id"), id);
		if (i < 2) {
			const cJSON *c = cJSON_GetArrayItem(jget(jget(a, "result"), "contents"), 0);

			ck_assert_str_eq(jstr(c, "uri"), BIG_URI);
			ck_assert_str_eq(jstr(c, "mimeType"), "application/octet-stream");
			ck_assert_uint_eq(strlen(jstr(c, "blob")), BIG_B64);
			if (i == 0) {
				bytes = xmalloc(BIG_B64);
				ck_assert_int_eq(EVP_DecodeBlock(bytes, (const unsigned char *)jstr(c, "blob"),
								 (int)BIG_B64), (int)(BIG_B64 / 4 * 3));
				for (size_t k = 0; k < BIG_SIZE; k++)
					ck_assert_int_eq(bytes[k], big_byte(k));
				free(bytes);
			}
		} else {
			char *text = cJSON_PrintUnformatted(a);

			ck_assert_msg(is_limit_error(a), "answer %d: %s", i, text);
			/* the room held back for each error */
			ck_assert_uint_le(strlen(text), MCP_LIMIT_ERROR_ROOM + strlen(id) + 2);
			cJSON_free(text);
		}
		i++;
	}
	cJSON_Delete(j);
	response_fini(&res);
	buf_fini(&batch);
}
END_TEST

/* Under --max-mcp-output 64K: every way of reading a file that does not
 * fit is an error answer of a few hundred bytes; what fits is answered. */
START_TEST(test_budget_small)
{
	static const char *const over[][2] = {
		{ "resources/read", "{\"uri\":\"" BIG_URI "\"}" },
		{ "tools/call", "{\"name\":\"read_skill_file\",\"arguments\":{\"slug\":\"big\","
		  "\"path\":\"assets/big.bin\"}}" },
		{ "tools/call", "{\"name\":\"get_skill\",\"arguments\":{\"slug\":\"wide\"}}" },
		/* under the limit as stored, six times over as JSON: caught once printed */
		{ "resources/read", "{\"uri\":\"skill://big/references/ctrl.md\"}" },
		{ "tools/call", "{\"name\":\"read_skill_file\",\"arguments\":{\"slug\":\"big\","
		  "\"path\":\"references/ctrl.md\"}}" },
	};
	char sid[MCP_SESSION_ID_LEN + 1];
	struct response res;
	const cJSON *a;
	cJSON *j;

	fx_initialize(&ta, "2025-06-18", sid);
	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		char *body = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":\"c1\",\"method\":\"%s\","
				       "\"params\":%s}", over[i][0], over[i][1]);

		ck_assert_int_eq(fx_send(&ta, mcp_req(sid), body, &res, &j), 200);
		ck_assert_msg(is_limit_error(j), "case %zu: %zu bytes: %.200s", i, res.body_len,
			      res.body);
		ck_assert_str_eq(jstr(j, "id"), "c1");
		ck_assert_uint_le(res.body_len, MCP_LIMIT_ERROR_ROOM + 4);
		cJSON_Delete(j);
		response_fini(&res);
		free(body);
	}
	/* what fits is answered whole */
	j = fx_call(&ta, sid, "resources/read", "{\"uri\":\"skill://big/references/fits.md\"}");
	ck_assert_uint_eq(strlen(jstr(cJSON_GetArrayItem(jget(jget(j, "result"), "contents"), 0),
				      "text")), FITS_SIZE);
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "get_skill", "{\"slug\":\"big\"}");
	ck_assert(!tool_is_error(j));
	cJSON_Delete(j);
	/* a batch answers what fits, in order: 40,000 bytes fit once, not twice */
	ck_assert_int_eq(fx_send(&ta, mcp_req(sid), "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
				   "\"resources/read\",\"params\":{\"uri\":\"skill://big/references/"
				   "fits.md\"}},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\","
				   "\"params\":{\"uri\":\"skill://big/references/fits.md\"}},"
				   "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}]", &res, &j), 200);
	ck_assert_uint_le(res.body_len, (size_t)64 << 10);
	ck_assert_int_eq(cJSON_GetArraySize(j), 3);
	a = cJSON_GetArrayItem(j, 0);
	ck_assert_int_eq((int)cJSON_GetNumberValue(jget(a, "id")), 1);
	ck_assert_ptr_nonnull(jget(a, "result"));
	a = cJSON_GetArrayItem(j, 1);
	ck_assert_int_eq((int)cJSON_GetNumberValue(jget(a, "id")), 2);
	ck_assert(is_limit_error(a));
	a = cJSON_GetArrayItem(j, 2);
	ck_assert_int_eq((int)cJSON_GetNumberValue(jget(a, "id")), 3);
	ck_assert_ptr_nonnull(jget(a, "result"));
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

/* read_skill_file and get_skill under max_tokens: each part within the
 * budget, note included, starting with the file's bytes at its offset;
 * following next_offset to the end gives back the whole file (after the
 * frontmatter, when a budget too small for it dropped it). */
START_TEST(test_token_budgets)
{
	static const size_t budgets[] = { 50, 200, 500, 2000 };
	char sid[MCP_SESSION_ID_LEN + 1];
	size_t len;
	char *file = tu_read(BUDGET_DEMO, &len);
	cJSON *j;

	fx_initialize(&ta, "2025-11-25", sid);
	for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		for (int tool = 0; tool < 2; tool++) {
			size_t at = 0, first = 0, parts = 0;
			bool last = false;

			while (!last) {
				char *args = xasprintf(tool ? "{\"slug\":\"budget-demo\",\"max_tokens\":%zu,"
						       "\"offset\":%zu}" : "{\"slug\":\"budget-demo\","
						       "\"path\":\"SKILL.md\",\"max_tokens\":%zu,\"offset\":%zu}",
						       budgets[b], at);
				const cJSON *sc, *part;
				const char *text;
				size_t off, next;

				j = fx_tool(&ta, sid, tool ? "get_skill" : "read_skill_file", args);
				ck_assert_msg(!tool_is_error(j), "%s: %s", args, tool_text(j));
				text = tool_text(j);
				sc = jget(jget(j, "result"), "structuredContent");
				part = tool ? jget(sc, "part") : sc;
				ck_assert_msg(part != NULL, "%s", args);
				off = (size_t)cJSON_GetNumberValue(jget(part, "offset"));
				last = cJSON_IsTrue(jget(part, "last"));
				next = last ? len : (size_t)cJSON_GetNumberValue(jget(part, "next_offset"));
				if (parts == 0) {
					first = off;
					ck_assert(off == 0 || cJSON_IsTrue(jget(part, "frontmatter_dropped")));
				} else {
					ck_assert_uint_eq(off, at);
				}
				ck_assert_uint_gt(next, off);
				ck_assert_msg(strlen(text) <= budgets[b] * 4, "%s: %zu bytes", args,
					      strlen(text));
				ck_assert_msg(memcmp(text, file + off, next - off) == 0, "%s", args);
				at = next;
				parts++;
				cJSON_Delete(j);
				free(args);
			}
			ck_assert_uint_eq(at, len);
			ck_assert_uint_gt(parts, 1);
			/* dropped only when the frontmatter does not fit the budget */
			ck_assert(first == 0 || budgets[b] <= 200);
		}
	}
	/* a whole file needs no part */
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"alpha\",\"path\":"
		    "\"references/guide.md\",\"max_tokens\":100}");
	ck_assert_str_eq(tool_text(j), "# Guide\n\nText.\n");
	ck_assert_ptr_null(jget(jget(j, "result"), "structuredContent"));
	cJSON_Delete(j);
	/* offsets that cannot start a part say why; bad arguments are refused */
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"budget-demo\",\"path\":\"SKILL.md\","
		    "\"max_tokens\":100,\"offset\":999999}");
	ck_assert(tool_is_error(j));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "past the end"));
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"budget-demo\",\"path\":\"SKILL.md\","
		    "\"max_tokens\":100,\"offset\":10}");
	ck_assert(tool_is_error(j));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "inside the frontmatter"));
	cJSON_Delete(j);
	j = fx_tool(&ta, sid, "read_skill_file", "{\"slug\":\"alpha\",\"path\":\"assets/blob.bin\","
		    "\"max_tokens\":100}");
	ck_assert(tool_is_error(j));
	ck_assert_ptr_nonnull(strstr(tool_text(j), "not text"));
	cJSON_Delete(j);
	static const char *const bad[] = {
		"{\"slug\":\"alpha\",\"max_tokens\":0}", "{\"slug\":\"alpha\",\"max_tokens\":1.5}",
		"{\"slug\":\"alpha\",\"max_tokens\":\"9\"}", "{\"slug\":\"alpha\",\"offset\":3}",
		"{\"slug\":\"alpha\",\"max_tokens\":9,\"offset\":-1}",
		"{\"slug\":\"alpha\",\"max_tokens\":10000001}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = fx_tool(&ta, sid, "get_skill", bad[i]);
		ck_assert_msg(error_code(j) == JSONRPC_INVALID_PARAMS, "%s", bad[i]);
		cJSON_Delete(j);
	}
	free(file);
}
END_TEST

Suite *mcp_suite(void)
{
	Suite *s = suite_create("mcp");
	TCase *tc = tcase_create("core");
	TCase *net = tcase_create("socket");
	TCase *budget = tcase_create("budget");
	TCase *small = tcase_create("budget-small");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_handshake);
	tcase_add_test(tc, test_sessions);
	tcase_add_test(tc, test_transport_checks);
	tcase_add_test(tc, test_router_methods);
	tcase_add_test(tc, test_methods);
	tcase_add_test(tc, test_token_budgets);
	tcase_add_test(tc, test_tool_list_get);
	tcase_add_test(tc, test_review_tools);
	tcase_add_test(tc, test_tool_read_search_checklist);
	tcase_add_test(tc, test_resources);
	tcase_add_test(tc, test_batches);
	tcase_add_test(tc, test_hostile_bodies);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(net, setup_socket, teardown_socket);
	tcase_set_timeout(net, 30);
	tcase_add_test(net, test_socket);
	suite_add_tcase(s, net);
	tcase_add_checked_fixture(budget, setup_budget, teardown);
	tcase_set_timeout(budget, 120);
	tcase_add_test(budget, test_budget_batch);
	suite_add_tcase(s, budget);
	tcase_add_checked_fixture(small, setup_budget_small, teardown);
	tcase_set_timeout(small, 60);
	tcase_add_test(small, test_budget_small);
	suite_add_tcase(s, small);
	return s;
}
