/* SPDX-License-Identifier: MIT */
/*
 * Empty files on every route that serves content, through pipeline_serve on the
 * fixture tree plus two skills: "empty", whose SKILL.md has 0 bytes (no
 * frontmatter: indexed as an invalid skill under its folder's name), and
 * "hasempty", a valid skill with a 0-byte reference. SQLite hands a
 * zero-length blob back as a NULL pointer; these requests are the ones that
 * once passed it to memcpy, which the sanitizer build (make check) turns
 * into an abort. Each request has its exact status and body.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fixture_skills.h"
#include "skilld/app/app.h"
#include "skilld/base/jsonrpc.h"
#include "skilld/handlers/mcp.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *empty_suite(void);

#define HOST "127.0.0.1:8080"
#define BASE "http://" HOST

static struct ta_app ta;

static void setup(void)
{
	ta_prepare(&ta);
	tu_write(ta.root, "empty/SKILL.md", "", 0);
	tu_write_str(ta.root, "hasempty/SKILL.md", "---\nname: hasempty\ndescription: A skill with "
		     "an empty reference.\n---\n# Has empty\n");
	tu_write(ta.root, "hasempty/references/empty.md", "", 0);
	ta_open(&ta, NULL);
}

static void teardown(void)
{
	ta_close(&ta);
}

/* GETs path with Accept (may be NULL); the status, res to response_fini. */
static int get(const char *path, const char *accept, struct response *res)
{
	struct ta_headers h = { .accept = accept, .host = HOST };

	return ta_get(&ta.app, path, &h, res);
}

/* Does res's body hold needle? */
static bool body_has(const struct response *res, const char *needle)
{
	return res->body && memmem(res->body, res->body_len, needle, strlen(needle)) != NULL;
}

/* Every route that serves a skill's bytes or a listing built from them. */
START_TEST(test_routes)
{
	static const struct {
		const char *path;
		const char *accept;
		int status;
		long len;             /* exact body length, or -1 */
		const char *has;      /* a substring of the body, or NULL */
	} cases[] = {
		{ "/llms.txt", NULL, 200, -1, "(" BASE "/skills/hasempty/references/empty.md?format=md)" },
		/* the empty SKILL.md adds nothing after its heading */
		{ "/llms-full.txt", NULL, 200, -1,
		  "# empty\n\nSource: " BASE "/skills/empty?format=md\n\n\n# " },
		{ "/llms-full.txt", NULL, 200, -1,
		  "Source: " BASE "/skills/hasempty?format=md\n\n---\nname: hasempty\n" },
		{ "/skills/empty", "text/html", 200, -1, "<html" },
		{ "/skills/empty?format=md", NULL, 200, 0, NULL },
		{ "/skills/empty?format=json", NULL, 200, -1, "\"slug\":\"empty\"" },
		{ "/skills/empty/SKILL.md", NULL, 200, 0, NULL },
		{ "/skills/hasempty", "text/html", 200, -1, "<html" },
		{ "/skills/hasempty/references/empty.md", "text/html", 200, -1, "<html" },
		{ "/skills/hasempty/references/empty.md?format=md", NULL, 200, 0, NULL },
		{ "/skills/hasempty/references/empty.md?format=json", NULL, 200, -1,
		  "\"path\":\"references/empty.md\",\"markdown\":\"\",\"html\":\"\"" },
		{ "/api/v1/skills/empty", NULL, 200, -1, "\"valid\":false" },
		{ "/api/v1/skills/empty/files", NULL, 200, -1,
		  "{\"path\":\"SKILL.md\",\"kind\":\"skill\",\"size\":0," },
		{ "/api/v1/skills/empty/files/SKILL.md", NULL, 200, 0, NULL },
		{ "/api/v1/skills/hasempty/files", NULL, 200, -1,
		  "{\"path\":\"references/empty.md\",\"kind\":\"reference\",\"size\":0," },
		{ "/api/v1/skills/hasempty/files/references/empty.md", NULL, 200, 0, NULL },
		{ "/api/v1/skills/empty/archive.tar.gz", NULL, 200, -1, "\x1f\x8b" },
		{ "/api/v1/skills/empty/archive.zip", NULL, 200, -1, "PK\x03\x04" },
		{ "/api/v1/skills/hasempty/archive.tar.gz", NULL, 200, -1, "\x1f\x8b" },
		{ "/api/v1/skills/hasempty/archive.zip", NULL, 200, -1, "references/empty.md" },
		/* invalid skills are not published, the valid one is, empty file included */
		{ "/.well-known/skills/index.json", NULL, 200, -1,
		  "{\"name\":\"hasempty\",\"description\":\"A skill with an empty reference.\","
		  "\"files\":[\"SKILL.md\",\"references/empty.md\"]}" },
		{ "/.well-known/skills/hasempty/references/empty.md", NULL, 200, 0, NULL },
		{ "/.well-known/skills/hasempty/SKILL.md", NULL, 200, -1, "name: hasempty" },
		{ "/.well-known/skills/empty/SKILL.md", NULL, 404, -1, NULL },
		{ "/.well-known/agent-skills/index.json", NULL, 200, -1,
		  "\"url\":\"/.well-known/agent-skills/hasempty.tar.gz\"" },
		{ "/.well-known/agent-skills/hasempty.tar.gz", NULL, 200, -1, "\x1f\x8b" },
		{ "/.well-known/agent-skills/hasempty/references/empty.md", NULL, 200, 0, NULL },
	};
	struct response res;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		get(cases[i].path, cases[i].accept, &res);
		ck_assert_msg(res.status == cases[i].status, "%s: %d", cases[i].path, res.status);
		if (cases[i].len >= 0)
			ck_assert_msg(res.body_len == (size_t)cases[i].len, "%s: %zu bytes",
				      cases[i].path, res.body_len);
		if (cases[i].has)
			ck_assert_msg(body_has(&res, cases[i].has), "%s lacks %s: %.300s",
				      cases[i].path, cases[i].has, res.body ? res.body : "");
		response_fini(&res);
	}
	/* the empty one is not listed in either discovery index */
	get("/.well-known/skills/index.json", NULL, &res);
	ck_assert(!body_has(&res, "\"empty\""));
	response_fini(&res);
	get("/.well-known/agent-skills/index.json", NULL, &res);
	ck_assert(!body_has(&res, "\"empty\""));
	response_fini(&res);
}
END_TEST

/* POSTs one JSON-RPC message to /mcp in session sid (NULL: none); the
 * parsed answer (cJSON_Delete), after checking HTTP 200. */
static cJSON *mcp(const char *sid, const char *body, char out_sid[MCP_SESSION_ID_LEN + 1])
{
	struct ta_request r = { .method = "POST", .path = "/mcp" };
	struct response res;
	cJSON *j;

	r.h.accept = "application/json, text/event-stream";
	r.h.host = HOST;
	r.content_type = "application/json";
	r.mcp_session_id = sid;
	r.body = body;
	r.body_len = strlen(body);
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 200);
	if (out_sid) {
		for (size_t i = 0; i < res.n_headers; i++)
			if (strcasecmp(res.headers[i].key, "Mcp-Session-Id") == 0)
				snprintf(out_sid, MCP_SESSION_ID_LEN + 1, "%s", res.headers[i].value);
	}
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_ptr_nonnull(j);
	response_fini(&res);
	return j;
}

/* resources/read and the tools on the empty files: results with "" text. */
START_TEST(test_mcp)
{
	static const char *const calls[] = {
		"\"method\":\"resources/read\",\"params\":{\"uri\":\"skill://empty/SKILL.md\"}",
		"\"method\":\"resources/read\",\"params\":{\"uri\":\"skill://hasempty/references/"
		"empty.md\"}",
		"\"method\":\"tools/call\",\"params\":{\"name\":\"read_skill_file\",\"arguments\":"
		"{\"slug\":\"empty\",\"path\":\"SKILL.md\"}}",
		"\"method\":\"tools/call\",\"params\":{\"name\":\"read_skill_file\",\"arguments\":"
		"{\"slug\":\"hasempty\",\"path\":\"references/empty.md\"}}",
		"\"method\":\"tools/call\",\"params\":{\"name\":\"get_skill\",\"arguments\":"
		"{\"slug\":\"empty\"}}",
	};
	char sid[MCP_SESSION_ID_LEN + 1] = "";
	cJSON *j = mcp(NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
		       "{\"protocolVersion\":\"2025-06-18\"}}", sid);

	cJSON_Delete(j);
	ck_assert_uint_eq(strlen(sid), MCP_SESSION_ID_LEN);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		char *body = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":2,%s}", calls[i]);
		const cJSON *result, *item;
		const char *text;

		j = mcp(sid, body, NULL);
		result = cJSON_GetObjectItemCaseSensitive(j, "result");
		ck_assert_msg(result != NULL, "%s: no result", calls[i]);
		item = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result, i < 2 ? "contents" :
									    "content"), 0);
		text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "text"));
		ck_assert_msg(text != NULL && text[0] == '\0', "%s: text %s", calls[i],
			      text ? text : "(none)");
		ck_assert(!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "isError")));
		cJSON_Delete(j);
		free(body);
	}
}
END_TEST

Suite *empty_suite(void)
{
	Suite *s = suite_create("empty");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_routes);
	tcase_add_test(tc, test_mcp);
	suite_add_tcase(s, tc);
	return s;
}
