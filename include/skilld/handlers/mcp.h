/* SPDX-License-Identifier: MIT */
/*
 * mcp: the Model Context Protocol server at POST /mcp, over the Streamable
 * HTTP transport, answering with application/json only (no SSE stream, so
 * GET and DELETE /mcp get the router's 405). Tools and resources read the
 * index through the calling thread's reader connection. Sessions are
 * stateless: a session id is a random nonce, the negotiated protocol
 * version and an HMAC-SHA256 of both keyed with a random secret of the
 * process (struct mcp_state, app->mcp), so any
 * worker thread can check any id and nothing mutable is shared. The
 * JSON-RPC framing is jsonrpc.c's. See docs/mcp.md.
 */
#ifndef SKILLD_MCP_H
#define SKILLD_MCP_H

#include <stdbool.h>
#include <stddef.h>

#include "skilld/base/request.h"

struct app;
struct mcp_state;

#define MCP_PROTOCOL_LATEST "2025-11-25"
/* The MCP Skills extension's name under capabilities.extensions. */
#define MCP_SKILLS_EXTENSION "io.modelcontextprotocol/skills"
/* Entries per page of resources/list and list_skills. */
#define MCP_PAGE_SIZE 100
/* JSON-RPC server error for an answer that does not fit in what is left of
 * the request's --max-mcp-output (see docs/mcp.md, "Output limit"). */
#define MCP_OUTPUT_LIMIT (-32003)
/* Room held back for each answer's output-limit error, besides the JSON of
 * its id: the error is never longer, so a request's errors always fit. */
#define MCP_LIMIT_ERROR_ROOM 224
/* Length of a session id: 32 hex nonce, '.', version, '.', 64 hex MAC. */
#define MCP_SESSION_ID_LEN (32 + 1 + 10 + 1 + 64)

/* The MCP server's state: the secret its session ids are signed with,
 * random per process. NULL when no random bytes can be read (errno set).
 * Free with mcp_state_free. */
struct mcp_state *mcp_state_new(void);
void mcp_state_free(struct mcp_state *m);

/* The route handler (ctx is struct app *): checks Origin, Content-Type,
 * Accept, MCP-Protocol-Version and the session, then answers each JSON-RPC
 * message, in a body of at most --max-mcp-output bytes; see docs/mcp.md for
 * the statuses and the output limit. */
void mcp_handle(void *ctx, struct request *req, struct response *res);

/* Is v a protocol version this server speaks (2025-11-25, 2025-06-18,
 * 2025-03-26)? v may be NULL. */
bool mcp_version_supported(const char *v);

/* Writes a new session id for version (one this server supports) to OUT:
 * out, NUL terminated. 0, or -1 when no random bytes could be read. */
int mcp_session_new(const struct app *app, const char *version, char out[MCP_SESSION_ID_LEN + 1]);

/* The protocol version a session id was made for (a static string), or
 * NULL when id (may be NULL) is not one this process made. Constant time
 * in the MAC. */
const char *mcp_session_check(const struct app *app, const char *id);

#endif
