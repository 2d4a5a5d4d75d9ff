/* SPDX-License-Identifier: MIT */
/*
 * mcpcall: what the MCP server's methods share: the call being answered
 * (its app, reader, negotiated version and output budget), the way a
 * method fails (a JSON-RPC error with code, message and data), skill://
 * URIs, tool results, argument checks, and reading a stored file within
 * the output budget. Used by mcp (the transport, the method table and the
 * tools) and mcpskills (resources, the Skills extension, prompts and
 * completion). See docs/mcp.md.
 */
#ifndef SKILLD_MCPCALL_H
#define SKILLD_MCPCALL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "skilld/base/request.h"
#include "skilld/handlers/mcp.h"
#include "skilld/store/store.h"

/* MCP's own error code for an unknown resource. */
#define MCP_RESOURCE_NOT_FOUND (-32002)
/* The output-limit error's message: "at least " or "", the bytes the answer
 * needs, the bytes left, --max-mcp-output. 92 bytes besides the numbers, so
 * the whole error, at most 60 + 92 + 3 * 20 bytes besides its id, fits in
 * MCP_LIMIT_ERROR_ROOM whatever the numbers. */
#define MCP_LIMIT_MESSAGE "Output limit: answer needs %s%zu bytes, %zu remain of --max-mcp-output " \
	"(%zu bytes per request)"

/* One POST /mcp being answered. */
struct mcp_call {
	struct app *app;
	struct store_reader *r;       /* the thread's reader once fetched */
	const char *version;       /* negotiated by initialize (this request or the session) */
	char session[MCP_SESSION_ID_LEN + 1]; /* set when initialize made a session */
	size_t budget_left;        /* bytes the answer being made may take: what is left of
				    * --max-mcp-output after the answers before it and the
				    * room held back for the errors of those after it */
	const struct request *req; /* the HTTP request: links name its Host */
};

/* How a method failed: a JSON-RPC error. */
struct mcp_fail {
	int code;
	char message[512];
	cJSON *data;               /* owned, may be NULL */
};

/* A method: its result (cJSON_Delete), or NULL with f filled. */
typedef cJSON *(*mcp_method_fn)(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);

/* Fills f and returns NULL, so methods can `return mcp_fail(...)`. */
cJSON *mcp_fail(struct mcp_fail *f, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The thread's reader, or NULL with f filled (internal error). */
struct store_reader *mcp_reader(struct mcp_call *c, struct mcp_fail *f);

/* Logs the reader's error and fills f: the index could not be read. NULL. */
cJSON *mcp_db_fail(struct mcp_call *c, struct mcp_fail *f, const char *what);

/* skill://{slug}/{path} with every byte of slug and path other than
 * A-Z a-z 0-9 - . _ ~ (and '/' in the path) percent-encoded; free(). */
char *mcp_skill_uri(const char *slug, const char *path);

/* Splits skill://{slug}/{path} into decoded parts (free() both). -1 when
 * uri is not of that form or decodes to NUL or invalid UTF-8. */
int mcp_skill_uri_parse(const char *uri, char **slug, char **path);

/* A tool result {content:[{type:"text",text}]}, plus isError when is_error. */
cJSON *mcp_text_result(const char *text, size_t len, bool is_error);

/* A tool's failure the model should see: a result with isError. */
cJSON *mcp_tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A result whose text is the JSON of structured, which it also carries as
 * structuredContent (taken over). */
cJSON *mcp_structured_result(cJSON *structured);

/* Checks arguments: every member must be one of the names in allowed (NULL
 * terminated). -1 with f filled (invalid params) otherwise. */
int mcp_args_known(const cJSON *args, const char *const *allowed, struct mcp_fail *f);

/* A string argument: *out set (NULL when absent and optional). -1 with f
 * filled when it is missing, not a string or empty. */
int mcp_arg_string(const cJSON *args, const char *key, bool required, const char **out,
		   struct mcp_fail *f);

/* Path of the skill's SKILL.md (or skill.md) into out; 0, 1 when the skill
 * is unknown, -1 on a database error. */
int mcp_skill_md_path(struct store_reader *r, const char *slug, char *out, size_t n);

/* A stored file read by mcp_file_read. */
struct mcp_file_bytes {
	char *mime;     /* free() */
	char *data;     /* free(); NULL when not stored (over --max-file-size) */
	size_t len;
	long long size;
	bool text;
};

void mcp_file_bytes_fini(struct mcp_file_bytes *b);

/* Fails f with the output-limit error when an answer holding at least need
 * bytes cannot fit in c->budget_left; 0 when it may. */
int mcp_budget_check(const struct mcp_call *c, size_t need, struct mcp_fail *f);

/* Reads a stored file. 0 with out filled (out->data NULL when its bytes
 * are not stored), 1 when the skill has no such file (*skill_known says
 * whether the skill exists), -1 with f filled: a database error, or bytes
 * that cannot fit in what is left of the output budget (checked on their
 * size before they are read; a text file's answer holds at most cap of its
 * bytes, SIZE_MAX for all of them, as under a token budget). */
int mcp_file_read(struct mcp_call *c, const char *slug, const char *path, size_t cap,
		  struct mcp_file_bytes *out, bool *skill_known, struct mcp_fail *f);

#endif
