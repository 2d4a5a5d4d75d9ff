/* SPDX-License-Identifier: MIT */
/*
 * pipeline: what happens to every request between the transport and the
 * handlers, in this order: Host check → auth → route (router_find, the
 * write check) → handler → ?max_tokens cut → error page → ETag → content
 * coding → 304. It never sees libmicrohttpd: http.c fills a struct
 * request, calls pipeline_serve and sends the struct response (its
 * prepared answers memoise what the pipeline made); tests call it
 * directly. Content coding, for a 200 to a GET or HEAD: Cache-Control:
 * no-cache unless the handler set one; for a compressible type (text/ *,
 * JSON, JavaScript, XML) Vary: Accept-Encoding, and gzip when the body has
 * 1024 bytes or more and pipeline_wants_gzip says so, with
 * Content-Encoding: gzip and the strong ETag of the identity form with
 * -gz. Thread safe: a call uses its request, its response and the calling
 * thread's reader.
 */
#ifndef SKILLD_PIPELINE_H
#define SKILLD_PIPELINE_H

#include <stdbool.h>

#include "skilld/base/request.h"

struct app;

/* Serves req into res (response_init'ed by the caller, who releases it
 * with response_fini): the whole pipeline, the 304 included. Sets
 * req->generation to the index generation the answer read. */
void pipeline_serve(struct app *app, struct request *req, struct response *res);

/* The last stage alone: turns a 200 to a GET or HEAD whose ETag
 * req->if_none_match lists into its 304. Whether it did. */
bool pipeline_revalidate(const struct request *req, struct response *res);

/* Turns a finished 200 into its 304: the same headers (Content-Encoding
 * aside) and ETag, no body. */
void pipeline_not_modified(struct response *res);

/* Does a client sending this Accept-Encoding (NULL: none) get gzip? Yes
 * when gzip (or x-gzip) is named with a q over 0, or, not named, when "*"
 * is; otherwise identity, also when identity is refused too ("identity;q=0,
 * gzip;q=0"): identity is always sent rather than a 406. The content
 * coding stage and http.c's cache key both ask here. */
bool pipeline_wants_gzip(const char *accept_encoding);

/* Does an If-None-Match header list the ETag (or "*")? Weak tags compare
 * weakly, as RFC 9110 asks for If-None-Match. */
bool pipeline_etag_matches(const char *if_none_match, const char *etag);

#endif
