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

/* resources/list {cursor?}: every stored file as skill://{slug}/{path}, 100
 * a page in (slug, path) order; resources/read {uri}: one file's bytes,
 * text as text and anything else as a base64 blob, -32002 for a URI that
 * names no stored file; resources/templates/list: the one template,
 * skill://{slug}/{path}. */
cJSON *mcp_resources_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);
cJSON *mcp_resources_read(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);
cJSON *mcp_templates_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);

/* The Skills extension (io.modelcontextprotocol/skills, with directoryRead):
 * skills/list, 100 skills a page, each entry {uri, frontmatter, resources:
 * [{uri, digest "sha256:<hex>", size}]} for the skills that can be listed
 * (skill_extension_problem); skills/get {uri} of a SKILL.md, -32602 for a
 * URI that names no listable skill; resources/directory/read {uri} of
 * skill://{slug} or a folder in it, its direct children, -32602 for one
 * that is no folder. */
cJSON *mcp_skills_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);
cJSON *mcp_skills_get(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);
cJSON *mcp_directory_read(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);

/* prompts/list (every valid skill, 100 a page, with an optional argument
 * task) and prompts/get {name, arguments?: {task}}: the SKILL.md as the
 * user's message, links to its references, then the task. */
cJSON *mcp_prompts_list(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);
cJSON *mcp_prompts_get(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);

/* completion/complete: a prompt's task from the skill's eval prompts; the
 * template skill://{slug}/{path}'s slug, and path given context.arguments.
 * slug. Anything else completes to no values. */
cJSON *mcp_complete(struct mcp_call *c, const cJSON *params, struct mcp_fail *f);

#endif
