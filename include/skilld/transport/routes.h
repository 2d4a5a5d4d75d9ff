/* SPDX-License-Identifier: MIT */
/*
 * routes: the one route table of the server: the API, discovery, /mcp,
 * the pages, sign-in and the agents' files, each row a method mask, a path
 * pattern, its handler and its flags (ROUTE_WRITE, ROUTE_PUBLIC). The
 * router tries the rows in order and the first match wins. Read only;
 * thread safe.
 */
#ifndef SKILLD_ROUTES_H
#define SKILLD_ROUTES_H

#include <stddef.h>

#include "skilld/transport/router.h"

/* Every route, in the order they are tried; *n gets their number. Each
 * handler's ctx is a struct app *. The table is static: never freed. */
const struct route *routes_table(size_t *n);

#endif
