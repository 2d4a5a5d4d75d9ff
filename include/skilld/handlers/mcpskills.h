/* SPDX-License-Identifier: MIT */
/*
 * mcpskills: the MCP methods that serve skills as skills rather than
 * through tools: resources (every stored file at skill://{slug}/{path}),
 * the MCP Skills extension (skills/list, skills/get,
 * resources/directory/read), prompts (every valid skill as a command a
 * user runs) and completion. Each is an mcp_method_fn that mcp's method
 * table calls. See docs/mcp.md.
 */
#ifndef SKILLD_MCPSKILLS_H
#define SKILLD_MCPSKILLS_H

#include "skilld/handlers/mcpcall.h"

cJSON *mcp_resources_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);
cJSON *mcp_resources_read(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);
cJSON *mcp_templates_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);

#endif
