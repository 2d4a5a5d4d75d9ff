/* SPDX-License-Identifier: MIT */
/*
 * agents: the llms.txt convention for the skills served. /llms.txt is a
 * markdown index an agent reads first (every skill with its description,
 * every reference under "Optional"); /llms-full.txt is every SKILL.md in one
 * file. Both handlers run on worker threads with the thread's reader.
 */
#ifndef SKILLD_AGENTS_H
#define SKILLD_AGENTS_H

#include "skilld/base/request.h"

/* "/llms.txt" (ctx is a struct app *): text/markdown when negotiated
 * (Accept or ?format=md), text/plain otherwise. */
void agents_llms_txt(void *ctx, struct request *req, struct response *res);
/* "/llms-full.txt" (ctx is a struct app *): every skill's SKILL.md bytes in
 * slug order, each after a "# {slug}" line and its source URL. */
void agents_llms_full_txt(void *ctx, struct request *req, struct response *res);

#endif
