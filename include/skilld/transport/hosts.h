/* SPDX-License-Identifier: MIT */
/*
 * hosts: which Host and Origin values name this server, and which origins
 * may read its answers cross-origin. A local daemon is reachable by every
 * web page its user opens; a page whose name an attacker rebinds to
 * 127.0.0.1 (DNS rebinding) sends its own name as Host and Origin, so only
 * names the server was told are its own are answered: localhost,
 * 127.0.0.1, [::1], the --bind address (any IP literal when bound to all
 * addresses: an IP literal cannot be rebound) and each --allowed-host.
 * Pure functions of the read-only configuration: thread safe.
 */
#ifndef SKILLD_HOSTS_H
#define SKILLD_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "skilld/base/request.h"

struct config;

/* Is a Host header value ("name", "name:port", "[v6]:port") one of this
 * server's names (any port)? An absent Host (HTTP/1.0) passes: browsers
 * always send one. Names compare ASCII case-insensitively. */
bool hosts_host_ok(const struct config *cfg, const char *host);

/* Is an Origin header value ("scheme://name[:port]") a page of this server
 * (its name is one hosts_host_ok takes)? "null" and anything malformed
 * are not. */
bool hosts_origin_ok(const struct config *cfg, const char *origin);

/* Is origin one that --cors-origin names (exactly, scheme and port
 * included, ASCII case-insensitively)? */
bool hosts_cors_ok(const struct config *cfg, const char *origin);

/*
 * Does a state-changing request show that this server's own pages or a
 * program (not another site) sent it? It must carry a JSON content type
 * (which a cross-site form cannot send without a CORS preflight, which
 * this server never grants), and when a browser says where it came from
 * (Sec-Fetch-Site, Origin) that must be this server: Sec-Fetch-Site
 * "same-origin" or "none", an Origin hosts_origin_ok takes. On false,
 * OUT: *why is a static sentence for the 403.
 */
bool hosts_write_intent(const struct config *cfg, const struct request *req, const char **why);

#endif
