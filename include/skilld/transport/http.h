/* SPDX-License-Identifier: MIT */
/*
 * http: the only module that includes <microhttpd.h>. Starts libmicrohttpd
 * (internal polling thread pool with epoll), turns each request into a
 * struct request, runs it through the pipeline (pipeline.h) and sends the
 * struct response back: nosniff, the access log, and the prepared answers
 * (rcache.h) that memoise the pipeline's 200s and 304s. Handlers run on the
 * worker threads.
 */
#ifndef SKILLD_HTTP_H
#define SKILLD_HTTP_H

#include <stddef.h>

#include "skilld/base/request.h"

struct app;

/* Starts listening on cfg->bind:cfg->port; sets app->port to the bound port.
 * 0, or -1 with a message in err. */
int http_start(struct app *app, char *err, size_t errlen);
/* Stops accepting new connections and waits, at most timeout_ms, until
 * no request is in flight (received but not yet answered to the end);
 * idle keep-alive connections do not count. Returns how many were still
 * in flight when it gave up (0: all finished). */
unsigned http_drain(struct app *app, unsigned timeout_ms);
/* Closes every connection and joins the workers. */
void http_stop(struct app *app);

#endif
