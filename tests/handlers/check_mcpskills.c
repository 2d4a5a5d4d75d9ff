/* SPDX-License-Identifier: MIT */
/*
 * Tests for the MCP methods that serve skills as skills (mcpskills.c), in
 * process through pipeline_serve on the fixture skills plus skills written
 * for the purpose: "typed" (frontmatter of every YAML 1.2 core type; the
 * Agent Skills metadata takes strings only, so most sit under "config"),
 * "deep" (nested folders, 130 files in one folder), "named" twice in one
 * root (the second is served as named-2), "bom" (a byte order mark), "big"
 * (a file over --max-file-size), "wide" (300 files: with deep, more entry
 * than a 64K --max-mcp-output holds). The Skills extension's skills/list,
 * skills/get and resources/directory/read (entries, digests against the
 * files on disk, who is left out and why, errors, paging), prompts,
 * completion, logging/setLevel.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fixture_mcp.h"
#include "skilld/base/cursor.h"
#include "skilld/base/jsonrpc.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *mcpskills_suite(void);

#define N_DEEP 130  /* files in deep/data/, more than a page */
#define N_WIDE 300  /* files of wide: its entry and deep's fill a 64K answer */

static struct ta_app ta;
static char sid[MCP_SESSION_ID_LEN + 1];

static const char typed_md[] =
	"---\n"
	"name: typed\n"
	"description: Frontmatter of every type.\n"
	"license: MIT\n"
	"metadata:\n"
	"  version: 1.0\n"
	"  quoted: \"1.0\"\n"
	"config:\n"
	"  count: 42\n"
	"  neg: -7\n"
	"  hex: 0x1F\n"
	"  oct: 0o17\n"
	"  exp: 1e3\n"
	"  half: .5\n"
	"  yes: true\n"
	"  no: False\n"
	"  word: yes\n"
	"  nothing: ~\n"
	"  inf: .inf\n"
	"  date: 2026-12-04\n"
	"  list: [1, two, 3.5]\n"
	"  block: |\n"
	"    12\n"
	"---\n"
	"# Typed\n\nBody.\n";

static void setup(void)
{
	const char *const args[] = { "--max-file-size", "65536", "--max-mcp-output", "65536", NULL };
	char *big = xcalloc(1, 70000);

	ta_prepare(&ta);
	tu_write_str(ta.root, "typed/SKILL.md", typed_md);
	tu_write_str(ta.root, "typed/references/guide.md", "# Guide\n");
	tu_write_str(ta.root, "deep/SKILL.md", "---\nname: deep\ndescription: Deep folders.\n---\n"
		     "# Deep\n");
	tu_write_str(ta.root, "deep/a/b/c.md", "c\n");
	tu_write_str(ta.root, "deep/a/b.txt", "b\n");
	tu_write_str(ta.root, "deep/a-z.md", "az\n");
	for (int i = 0; i < N_DEEP; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "deep/data/f%03d.txt", i);
		tu_write_str(ta.root, rel, "x\n");
	}
	tu_write_str(ta.root, "wide/SKILL.md", "---\nname: wide\ndescription: Many files.\n---\n"
		     "# Wide\n");
	for (int i = 0; i < N_WIDE; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "wide/references/file-with-a-long-name-%03d.md", i);
		tu_write_str(ta.root, rel, "w\n");
	}
	tu_write_str(ta.root, "one/named/SKILL.md", "---\nname: named\ndescription: First.\n---\nA\n");
	tu_write_str(ta.root, "two/named/SKILL.md", "---\nname: named\ndescription: Second.\n---\nB\n");
	tu_write_str(ta.root, "bom/SKILL.md", "\xEF\xBB\xBF---\nname: bom\ndescription: BOM.\n---\nB\n");
	tu_write_str(ta.root, "big/SKILL.md", "---\nname: big\ndescription: Big file.\n---\nB\n");
	memset(big, 'x', 69999);
	tu_write_str(ta.root, "big/assets/big.txt", big);
	free(big);
	ta_open(&ta, args);
	fx_initialize(&ta, "2025-11-25", sid);
}

static void teardown(void)
{
	ta_close(&ta);
}

/* The result of method with params, failing the test on an error. */
static cJSON *result_of(const char *method, const char *params, cJSON **whole)
{
	cJSON *j = fx_call(&ta, sid, method, params);

	ck_assert_msg(error_code(j) == 0, "%s %s: %s", method, params,
		      jstr(jget(j, "error"), "message"));
	*whole = j;
	return cJSON_GetObjectItemCaseSensitive(j, "result");
}

/* The error of method with params: its code; its message into msg. */
static int error_of(const char *method, const char *params, char *msg, size_t n)
{
	cJSON *j = fx_call(&ta, sid, method, params);
	int code = error_code(j);

	snprintf(msg, n, "%s", code ? jstr(jget(j, "error"), "message") : "");
	cJSON_Delete(j);
	return code;
}

/* Every skills/list entry, all pages, into one array (cJSON_Delete);
 * the number of pages into *pages. */
static cJSON *all_entries(int *pages)
{
	cJSON *all = cJSON_CreateArray();
	char *cursor = NULL;

	*pages = 0;
	do {
		char *params = cursor ? xasprintf("{\"cursor\":\"%s\"}", cursor) : xstrdup("{}");
		cJSON *j, *r = result_of("skills/list", params, &j), *e;

		ck_assert_str_eq(jstr(r, "resultType"), "complete");
		ck_assert_str_eq(jstr(r, "cacheScope"), "public");
		ck_assert_int_gt(cJSON_GetArraySize(jget(r, "skills")), 0);
		++*pages;
		ck_assert(cJSON_IsNumber(jget(r, "ttlMs")));
		cJSON_ArrayForEach(e, jget(r, "skills"))
			cJSON_AddItemToArray(all, cJSON_Duplicate(e, 1));
		free(cursor);
		cursor = jstr(r, "nextCursor") ? xstrdup(jstr(r, "nextCursor")) : NULL;
		cJSON_Delete(j);
		free(params);
	} while (cursor);
	return all;
}

static const cJSON *entry_named(const cJSON *all, const char *uri)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, all)
		if (strcmp(jstr(e, "uri"), uri) == 0)
			return e;
	return NULL;
}

START_TEST(test_list_entries)
{
	int pages;
	cJSON *all = all_entries(&pages);
	const cJSON *e, *res;
	int n = 0;

	/* 5 skills, fewer than a page, yet deep and wide do not fit one 64K
	 * answer together: the page ends early, and the next goes on */
	ck_assert_int_ge(pages, 2);
	/* listed: the valid skills served under their names, nothing else */
	ck_assert_ptr_nonnull(entry_named(all, "skill://alpha/SKILL.md"));
	ck_assert_ptr_nonnull(entry_named(all, "skill://typed/SKILL.md"));
	ck_assert_ptr_nonnull(entry_named(all, "skill://deep/SKILL.md"));
	ck_assert_ptr_nonnull(entry_named(all, "skill://named/SKILL.md"));
	ck_assert_ptr_nonnull(entry_named(all, "skill://wide/SKILL.md"));
	ck_assert_ptr_null(entry_named(all, "skill://named-2/SKILL.md"));  /* slug is not its name */
	ck_assert_ptr_null(entry_named(all, "skill://bom/SKILL.md"));
	ck_assert_ptr_null(entry_named(all, "skill://big/SKILL.md"));      /* a file not stored */
	ck_assert_ptr_null(entry_named(all, "skill://beta/SKILL.md"));     /* SKILL.md not UTF-8 */
	ck_assert_ptr_null(entry_named(all, "skill://bad-yaml/SKILL.md"));
	ck_assert_int_eq(cJSON_GetArraySize(all), 5);

	/* every resource: a file of the skill, its size and SHA-256 from disk */
	cJSON_ArrayForEach(e, all) {
		const char *uri = jstr(e, "uri");
		const char *slug_end = strchr(uri + 8, '/');
		char *slug = xstrndup(uri + 8, (size_t)(slug_end - uri - 8));
		bool has_md = false;

		ck_assert_str_eq(jstr(jget(e, "frontmatter"), "name"), slug);
		cJSON_ArrayForEach(res, jget(e, "resources")) {
			const char *ruri = jstr(res, "uri");
			char *path, want[SHA256_HEX_LEN + 8], *disk;
			size_t len;

			ck_assert_msg(strncmp(ruri, uri, 8 + strlen(slug) + 1) == 0, "%s", ruri);
			has_md |= strcmp(ruri, uri) == 0;
			path = xasprintf("%s/%s%s/%s", ta.root,
					 strcmp(slug, "named") == 0 ? "one/" : "", slug,
					 ruri + 8 + strlen(slug) + 1);
			disk = tu_read(path, &len);
			ck_assert_msg(disk != NULL, "%s", path);
			memcpy(want, "sha256:", 7);
			sha256_hex(disk, len, want + 7);
			ck_assert_str_eq(jstr(res, "digest"), want);
			ck_assert_uint_eq((size_t)cJSON_GetNumberValue(jget(res, "size")), len);
			free(disk);
			free(path);
			n++;
		}
		ck_assert(has_md);
		free(slug);
	}
	/* alpha 9 + typed 2 + deep 4 + 130 + named 1 + wide 301 */
	ck_assert_int_eq(n, 9 + 2 + 4 + N_DEEP + 1 + 1 + N_WIDE);
	cJSON_Delete(all);
}
END_TEST

START_TEST(test_typed_frontmatter)
{
	cJSON *j, *r = result_of("skills/get", "{\"uri\":\"skill://typed/SKILL.md\"}", &j);
	char *fm = cJSON_PrintUnformatted(jget(jget(r, "skill"), "frontmatter"));

	/* what npm's yaml (YAML 1.2, core schema) reads, as JSON */
	ck_assert_str_eq(fm, "{\"name\":\"typed\",\"description\":\"Frontmatter of every type.\","
			 "\"license\":\"MIT\",\"metadata\":{\"version\":1,\"quoted\":\"1.0\"},"
			 "\"config\":{\"count\":42,\"neg\":-7,\"hex\":31,\"oct\":15,\"exp\":1000,\"half\":0.5,"
			 "\"yes\":true,\"no\":false,\"word\":\"yes\",\"nothing\":null,\"inf\":null,"
			 "\"date\":\"2026-12-04\",\"list\":[1,\"two\",3.5],\"block\":\"12\\n\"}}");
	ck_assert_str_eq(jstr(r, "resultType"), "complete");
	cJSON_free(fm);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_get_errors)
{
	char msg[512];

	ck_assert_int_eq(error_of("skills/get", "{\"uri\":\"skill://nope/SKILL.md\"}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_nonnull(strstr(msg, "No skill is served at skill://nope/SKILL.md"));
	ck_assert_int_eq(error_of("skills/get", "{\"uri\":\"skill://named-2/SKILL.md\"}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_nonnull(strstr(msg, "another slug than its name"));
	ck_assert_int_eq(error_of("skills/get", "{\"uri\":\"skill://big/SKILL.md\"}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_nonnull(strstr(msg, "--max-file-size"));
	ck_assert_int_eq(error_of("skills/get", "{\"uri\":\"skill://bom/SKILL.md\"}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_nonnull(strstr(msg, "bare `---` line"));
	ck_assert_int_eq(error_of("skills/get", "{\"uri\":\"skill://typed/references/guide.md\"}",
				  msg, sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_nonnull(strstr(msg, "the skill's SKILL.md is skill://typed/SKILL.md"));
	ck_assert_int_eq(error_of("skills/get", "{\"uri\":\"https://typed/SKILL.md\"}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("skills/get", "{}", msg, sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("skills/list", "{\"cursor\":\"zzz\"}", msg, sizeof(msg)),
			 JSONRPC_INVALID_PARAMS);
}
END_TEST

START_TEST(test_unlisted_diagnostics)
{
	struct response res;
	cJSON *j, *d;
	int named = 0, bom = 0, big = 0;

	ck_assert_int_eq(ta_get(&ta.app, "/api/v1/diagnostics", NULL, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	cJSON_ArrayForEach(d, jget(j, "data")) {
		const char *code = jstr(d, "code"), *msg = jstr(d, "message"), *skill = jstr(d, "skill");

		if (!code || strcmp(code, "skills-extension-unlisted") != 0)
			continue;
		ck_assert_str_eq(jstr(d, "severity"), "warning");
		ck_assert_ptr_nonnull(strstr(msg, "not listed by the MCP Skills extension"));
		named += skill && strcmp(skill, "named-2") == 0;
		bom += skill && strcmp(skill, "bom") == 0;
		big += skill && strcmp(skill, "big") == 0;
		ck_assert(!skill || (strcmp(skill, "alpha") != 0 && strcmp(skill, "typed") != 0));
	}
	ck_assert_int_eq(named + bom + big, 3);
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

/* The names of a directory read's children, "name/" for folders. */
static char *children(const char *uri, const char *cursor, char **next)
{
	char *params = cursor ? xasprintf("{\"uri\":\"%s\",\"cursor\":\"%s\"}", uri, cursor)
			      : xasprintf("{\"uri\":\"%s\"}", uri);
	cJSON *j, *r = result_of("resources/directory/read", params, &j), *c;
	struct buf b;

	buf_init(&b);
	ck_assert_str_eq(jstr(r, "resultType"), "complete");
	cJSON_ArrayForEach(c, jget(r, "resources")) {
		bool dir = strcmp(jstr(c, "mimeType"), "inode/directory") == 0;
		char *want = xasprintf("%s/%s", uri, jstr(c, "name"));

		ck_assert_str_eq(jstr(c, "uri"), want);
		ck_assert(dir != (jget(c, "size") != NULL));
		buf_printf(&b, "%s%s%s", b.len ? " " : "", jstr(c, "name"), dir ? "/" : "");
		free(want);
	}
	if (next)
		*next = jstr(r, "nextCursor") ? xstrdup(jstr(r, "nextCursor")) : NULL;
	cJSON_Delete(j);
	free(params);
	return buf_detach(&b, NULL);
}

START_TEST(test_directory_read)
{
	char msg[512], *s, *next, *next2;
	int pages = 0, total = 0;

	s = children("skill://deep", NULL, NULL);
	ck_assert_str_eq(s, "SKILL.md a-z.md a/ data/");
	free(s);
	s = children("skill://deep/a", NULL, NULL);
	ck_assert_str_eq(s, "b.txt b/");
	free(s);
	s = children("skill://deep/a/b", NULL, NULL);
	ck_assert_str_eq(s, "c.md");
	free(s);
	/* 130 files: two pages, none twice */
	next = NULL;
	do {
		char *cur = next;

		s = children("skill://deep/data", cur, &next2);
		for (char *p = s; *p; p++)
			total += *p == ' ';
		total++;
		pages++;
		free(s);
		free(cur);
		next = next2;
	} while (next);
	ck_assert_int_eq(pages, 2);
	ck_assert_int_eq(total, N_DEEP);

	ck_assert_int_eq(error_of("resources/directory/read", "{\"uri\":\"skill://deep/SKILL.md\"}",
				  msg, sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_nonnull(strstr(msg, "is not a directory resource"));
	ck_assert_int_eq(error_of("resources/directory/read", "{\"uri\":\"skill://deep/nope\"}",
				  msg, sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("resources/directory/read", "{\"uri\":\"skill://nope\"}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("resources/directory/read", "{\"uri\":\"file:///etc\"}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("resources/directory/read", "{\"uri\":\"skill://deep/data\","
				  "\"cursor\":\"nope\"}", msg, sizeof(msg)), JSONRPC_INVALID_PARAMS);
	/* forged positions (huge, signed, spaced) and another folder's cursor */
	{
		static const char *const forged[] = { "9223372036854775807", "-5", "+5", " 5", "5x",
						       "130", "999999999" };
		char *other, *params;

		for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
			char *cur = cursor_make('d', forged[i], "skill://deep/data");

			params = xasprintf("{\"uri\":\"skill://deep/data\",\"cursor\":\"%s\"}", cur);
			ck_assert_msg(error_of("resources/directory/read", params, msg, sizeof(msg)) ==
				      JSONRPC_INVALID_PARAMS, "%s", forged[i]);
			free(params);
			free(cur);
		}
		s = children("skill://deep/data", NULL, &other);
		free(s);
		params = xasprintf("{\"uri\":\"skill://deep/a\",\"cursor\":\"%s\"}", other);
		ck_assert_int_eq(error_of("resources/directory/read", params, msg, sizeof(msg)),
				 JSONRPC_INVALID_PARAMS);
		ck_assert_ptr_nonnull(strstr(msg, "gave out for skill://deep/a"));
		free(params);
		free(other);
	}
}
END_TEST

START_TEST(test_prompts)
{
	cJSON *j, *r, *p;
	const cJSON *m;
	char msg[512], old[MCP_SESSION_ID_LEN + 1];
	bool alpha = false;
	int n;

	r = result_of("prompts/list", "{}", &j);
	cJSON_ArrayForEach(p, jget(r, "prompts")) {
		ck_assert_ptr_nonnull(jstr(p, "description"));
		ck_assert_str_ne(jstr(p, "name"), "bad-yaml");  /* only valid skills */
		ck_assert_str_eq(jstr(cJSON_GetArrayItem(jget(p, "arguments"), 0), "name"), "task");
		ck_assert(cJSON_IsFalse(jget(cJSON_GetArrayItem(jget(p, "arguments"), 0), "required")));
		alpha |= strcmp(jstr(p, "name"), "alpha") == 0;
	}
	ck_assert(alpha);
	cJSON_Delete(j);

	/* the SKILL.md, a link per reference, the task last */
	r = result_of("prompts/get", "{\"name\":\"alpha\",\"arguments\":{\"task\":\"check w.c\"}}", &j);
	ck_assert_ptr_nonnull(strstr(jstr(r, "description"), "widget"));
	m = jget(r, "messages");
	n = cJSON_GetArraySize(m);
	ck_assert_int_eq(n, 1 + 3 + 1);
	ck_assert_str_eq(jstr(jget(cJSON_GetArrayItem(m, 0), "content"), "type"), "text");
	ck_assert(strncmp(jstr(jget(cJSON_GetArrayItem(m, 0), "content"), "text"),
			  "---\nname: alpha\n", 16) == 0);
	for (int i = 1; i < n - 1; i++) {
		const cJSON *c = jget(cJSON_GetArrayItem(m, i), "content");

		ck_assert_str_eq(jstr(cJSON_GetArrayItem(m, i), "role"), "user");
		ck_assert_str_eq(jstr(c, "type"), "resource_link");
		ck_assert(strncmp(jstr(c, "uri"), "skill://alpha/references/", 25) == 0);
	}
	ck_assert_str_eq(jstr(jget(cJSON_GetArrayItem(m, n - 1), "content"), "text"),
			 "Task: check w.c");
	cJSON_Delete(j);

	/* 2025-03-26 has no resource links: one text lists the URIs */
	memcpy(old, sid, sizeof(sid));
	fx_initialize(&ta, "2025-03-26", sid);
	r = result_of("prompts/get", "{\"name\":\"alpha\"}", &j);
	m = jget(r, "messages");
	ck_assert_int_eq(cJSON_GetArraySize(m), 2);
	ck_assert_ptr_nonnull(strstr(jstr(jget(cJSON_GetArrayItem(m, 1), "content"), "text"),
				     "- skill://alpha/references/guide.md\n"));
	cJSON_Delete(j);
	memcpy(sid, old, sizeof(sid));

	ck_assert_int_eq(error_of("prompts/get", "{\"name\":\"bad-yaml\"}", msg, sizeof(msg)),
			 JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_nonnull(strstr(msg, "Unknown prompt"));
	ck_assert_int_eq(error_of("prompts/get", "{\"name\":\"nope\"}", msg, sizeof(msg)),
			 JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("prompts/get", "{\"name\":\"alpha\",\"arguments\":{\"x\":\"1\"}}",
				  msg, sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_ptr_nonnull(strstr(msg, "unknown argument 'x'"));
	ck_assert_int_eq(error_of("prompts/get", "{\"name\":\"alpha\",\"arguments\":{\"task\":1}}",
				  msg, sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("prompts/get", "{}", msg, sizeof(msg)), JSONRPC_INVALID_PARAMS);
}
END_TEST

/* The values of a completion as one string, and its total. */
static char *completion(const char *params, int *total)
{
	cJSON *j, *r = result_of("completion/complete", params, &j), *v;
	struct buf b;

	buf_init(&b);
	cJSON_ArrayForEach(v, jget(jget(r, "completion"), "values"))
		buf_printf(&b, "%s%s", b.len ? " " : "", v->valuestring);
	*total = (int)cJSON_GetNumberValue(jget(jget(r, "completion"), "total"));
	ck_assert(cJSON_IsBool(jget(jget(r, "completion"), "hasMore")));
	cJSON_Delete(j);
	return buf_detach(&b, NULL);
}

START_TEST(test_completion)
{
	char msg[256], *s;
	int total;

#define TEMPLATE "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"skill://{slug}/{path}\"},"
	s = completion(TEMPLATE "\"argument\":{\"name\":\"slug\",\"value\":\"b\"}}", &total);
	ck_assert_str_eq(s, "bad-yaml beta big bom");
	ck_assert_int_eq(total, 4);
	free(s);
	s = completion(TEMPLATE "\"argument\":{\"name\":\"path\",\"value\":\"references/r\"},"
		       "\"context\":{\"arguments\":{\"slug\":\"alpha\"}}}", &total);
	ck_assert_str_eq(s, "references/review-checklist.md");
	free(s);
	/* no slug in the context: nothing to complete */
	s = completion(TEMPLATE "\"argument\":{\"name\":\"path\",\"value\":\"\"}}", &total);
	ck_assert_str_eq(s, "");
	free(s);
	/* a prompt's task: the skill's eval prompts holding the text */
	s = completion("{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"alpha\"},\"argument\":"
		       "{\"name\":\"task\",\"value\":\"L8\"}}", &total);
	ck_assert_str_eq(s, "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8 l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8 "
			 "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8");
	ck_assert_int_eq(total, 3);
	free(s);
	s = completion("{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"alpha\"},\"argument\":"
		       "{\"name\":\"task\",\"value\":\"l9\"}}", &total);
	ck_assert_str_eq(s, "");
	free(s);
	/* an unknown prompt or argument: no values */
	s = completion("{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"nope\"},\"argument\":"
		       "{\"name\":\"task\",\"value\":\"x\"}}", &total);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_eq(error_of("completion/complete", "{\"ref\":{\"type\":\"ref/other\","
				  "\"name\":\"x\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("completion/complete", "{\"ref\":{\"type\":\"ref/prompt\"}}", msg,
				  sizeof(msg)), JSONRPC_INVALID_PARAMS);
#undef TEMPLATE
}
END_TEST

START_TEST(test_logging)
{
	char msg[256];
	cJSON *j, *r = result_of("logging/setLevel", "{\"level\":\"warning\"}", &j);

	ck_assert_int_eq(cJSON_GetArraySize(r), 0);
	cJSON_Delete(j);
	ck_assert_int_eq(error_of("logging/setLevel", "{\"level\":\"loud\"}", msg, sizeof(msg)),
			 JSONRPC_INVALID_PARAMS);
	ck_assert_int_eq(error_of("logging/setLevel", "{}", msg, sizeof(msg)),
			 JSONRPC_INVALID_PARAMS);
}
END_TEST

Suite *mcpskills_suite(void)
{
	Suite *s = suite_create("mcpskills");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_list_entries);
	tcase_add_test(tc, test_typed_frontmatter);
	tcase_add_test(tc, test_get_errors);
	tcase_add_test(tc, test_unlisted_diagnostics);
	tcase_add_test(tc, test_directory_read);
	tcase_add_test(tc, test_prompts);
	tcase_add_test(tc, test_completion);
	tcase_add_test(tc, test_logging);
	suite_add_tcase(s, tc);
	return s;
}
