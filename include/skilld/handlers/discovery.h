/* SPDX-License-Identifier: MIT */
/*
 * discovery: the well-known indexes that skill installers read, and the
 * artifacts and files they point to.
 *   /.well-known/agent-skills/index.json   discovery schema 0.2.0: name,
 *       type ("skill-md" for a skill that is only SKILL.md, else
 *       "archive"), description, url of the artifact and digest
 *       "sha256:<hex of the artifact's exact bytes>"
 *   /.well-known/agent-skills/{name}.tar.gz  the archive artifact: every
 *       file of the skill at the archive root (SKILL.md at the top),
 *       deterministic (archive.c), so the digest holds until the skill changes
 *   /.well-known/skills/index.json         the older form: name,
 *       description, files (every path of the skill)
 *   /.well-known/{agent-skills,skills}/{name}/{path}  a file's bytes
 *   /@{name}/.well-known/{agent-skills,skills}/index.json  the same
 *       indexes listing only that skill, and /@{name}/.well-known/skills/
 *       {name}/{path} its files: a skill's own scope, which `skills add
 *       http://host:port/@name` reads (the line `skills find` prints)
 *   /api/search?q=&limit=                    the search `skills find` reads
 * A skill is listed only when its name is valid by the specification
 * (validate_name_ok), it validated, its slug is its name (the first of
 * skills sharing a name) and every file is stored; why the others are left
 * out is in /api/v1/diagnostics (name-invalid, slug-duplicate,
 * file-too-large, ...). The 0.2.0 index costs an archive per skill; it is
 * built once per index generation and kept (struct discovery_cache, shared
 * by the worker threads under a mutex).
 */
#ifndef SKILLD_DISCOVERY_H
#define SKILLD_DISCOVERY_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "skilld/base/request.h"

#define DISCOVERY_SCHEMA_V2 "https://schemas.agentskills.io/discovery/0.2.0/schema.json"

struct discovery_cache;

struct discovery_cache *discovery_cache_new(void);
void discovery_cache_free(struct discovery_cache *c);

/* The handlers (ctx is a struct app *). */
void discovery_index_v2(void *ctx, struct request *req, struct response *res);
void discovery_index_v1(void *ctx, struct request *req, struct response *res);
/* {artifact} is "{name}.tar.gz". */
void discovery_artifact(void *ctx, struct request *req, struct response *res);
/* {name} and {*path}. */
void discovery_file(void *ctx, struct request *req, struct response *res);
/* {scope} is "@{name}" of a listed skill, else 404. */
void discovery_scoped_v2(void *ctx, struct request *req, struct response *res);
void discovery_scoped_v1(void *ctx, struct request *req, struct response *res);
/* {scope}, {name} (the scope's) and {*path}. */
void discovery_scoped_file(void *ctx, struct request *req, struct response *res);
/* Would the indexes list the skill of detail (its detail JSON, whose
 * "files" are the stored files_json's)? What a skill page asks before it
 * shows the `skills add` line. */
bool discovery_installable(const cJSON *detail);

/* GET /api/search: the `skills` installer CLI's search shape. */
void discovery_search(void *ctx, struct request *req, struct response *res);

#endif
