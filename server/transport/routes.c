/* SPDX-License-Identifier: MIT */
/*
 * routes: every URL the server answers, in one table. The API rows come
 * first, then the pages'; the first row that matches a path wins, so a
 * literal segment is listed before the {parameter} that would also take
 * it. The handlers live in their modules. Read only; thread safe.
 */
#include "skilld/transport/routes.h"

#include "skilld/handlers/admin.h"
#include "skilld/handlers/agents.h"
#include "skilld/handlers/api.h"
#include "skilld/handlers/signin.h"
#include "skilld/handlers/discovery.h"
#include "skilld/handlers/mcp.h"
#include "skilld/handlers/reviews.h"
#include "skilld/handlers/web.h"

static const struct route table[] = {
	/* the JSON API */
	{ METHOD_GET, "/healthz", api_healthz, 0 },
	{ METHOD_GET, "/api/v1/skills", api_skill_list, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}", api_skill, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/files", api_skill_files, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/files/{*path}", api_skill_file, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/checklist", api_skill_checklist, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/evals", api_skill_evals, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/check", api_skill_check, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/archive.tar.gz", api_archive_tgz, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/archive.zip", api_archive_zip, 0 },
	{ METHOD_GET, "/api/v1/checklists", api_checklists, 0 },
	{ METHOD_GET, "/api/v1/diagnostics", api_diagnostics, 0 },
	{ METHOD_GET, "/api/v1/search", api_search, 0 },
	{ METHOD_GET, "/api/v1/resolve", api_resolve, 0 },
	{ METHOD_GET, "/api/v1/openapi.json", api_openapi, 0 },
	{ METHOD_POST, "/api/v1/admin/reload", admin_reload, ROUTE_WRITE },
	{ METHOD_GET, "/api/search", discovery_search, 0 },
	/* review runs */
	{ METHOD_POST, "/api/v1/reviews", reviews_start, ROUTE_WRITE },
	{ METHOD_GET, "/api/v1/reviews", reviews_index, 0 },
	{ METHOD_GET, "/api/v1/reviews/{id}", reviews_show, 0 },
	{ METHOD_PATCH, "/api/v1/reviews/{id}", reviews_change, ROUTE_WRITE },
	{ METHOD_DELETE, "/api/v1/reviews/{id}", reviews_remove, ROUTE_WRITE },
	{ METHOD_PATCH, "/api/v1/reviews/{id}/items/{item}", reviews_item, ROUTE_WRITE },
	{ METHOD_POST, "/api/v1/reviews/{id}/verdicts", reviews_verdicts, ROUTE_WRITE },
	{ METHOD_GET, "/api/v1/reviews/{id}/events", reviews_events, 0 },
	/* discovery and MCP */
	{ METHOD_GET, "/.well-known/agent-skills/index.json", discovery_index_v2, ROUTE_INSTALL },
	{ METHOD_GET, "/.well-known/agent-skills/{artifact}", discovery_artifact, ROUTE_INSTALL },
	{ METHOD_GET, "/.well-known/agent-skills/{name}/{*path}", discovery_file, ROUTE_INSTALL },
	{ METHOD_GET, "/.well-known/skills/index.json", discovery_index_v1, ROUTE_INSTALL },
	{ METHOD_GET, "/.well-known/skills/{name}/{*path}", discovery_file, ROUTE_INSTALL },
	{ METHOD_GET, "/{scope}/.well-known/agent-skills/index.json", discovery_scoped_v2, ROUTE_INSTALL },
	{ METHOD_GET, "/{scope}/.well-known/skills/index.json", discovery_scoped_v1, ROUTE_INSTALL },
	{ METHOD_GET, "/{scope}/.well-known/skills/{name}/{*path}", discovery_scoped_file, ROUTE_INSTALL },
	{ METHOD_POST, "/mcp", mcp_handle, ROUTE_JSONRPC },
	/* the pages, sign-in and the agents' files */
	{ METHOD_GET, "/", web_index, 0 },
	{ METHOD_GET, "/signin", signin_form, ROUTE_PUBLIC },
	{ METHOD_POST, "/signin", signin_submit, ROUTE_PUBLIC },
	{ METHOD_POST, "/signout", signin_signout, ROUTE_PUBLIC },
	{ METHOD_GET, "/checklists", web_checklists, 0 },
	{ METHOD_GET, "/reviews", web_reviews, 0 },
	{ METHOD_GET, "/reviews/{id}", web_review, 0 },
	{ METHOD_GET, "/search", web_search, 0 },
	{ METHOD_GET, "/opensearch.xml", web_opensearch, 0 },
	{ METHOD_GET, "/llms.txt", agents_llms_txt, 0 },
	{ METHOD_GET, "/llms-full.txt", agents_llms_full_txt, 0 },
	{ METHOD_GET, "/assets/{name}", web_asset, ROUTE_PUBLIC },
	{ METHOD_GET, "/skills/{slug}", web_skill, 0 },
	{ METHOD_GET, "/skills/{slug}/checklist", web_checklist, 0 },
	{ METHOD_GET, "/skills/{slug}/evals", web_evals, 0 },
	{ METHOD_GET, "/skills/{slug}/examples", web_examples, 0 },
	{ METHOD_GET, "/skills/{slug}/references/{*file}", web_reference, 0 },
	{ METHOD_GET, "/skills/{slug}/{*path}", web_raw_file, 0 },
};

const struct route *routes_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}
