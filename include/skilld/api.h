/* SPDX-License-Identifier: MIT */
/*
 * api: the JSON API handlers of DESIGN.md §4 and their route table. Every
 * handler reads the index through the calling thread's reader connection and
 * fills a struct response; none touches libmicrohttpd.
 */
#ifndef SKILLD_API_H
#define SKILLD_API_H

#include <stddef.h>

#include "skilld/router.h"

/* The route table (ctx is a struct app *). */
const struct route *api_routes(size_t *n);

#endif
