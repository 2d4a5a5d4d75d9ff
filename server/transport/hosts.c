/* SPDX-License-Identifier: MIT */
/*
 * hosts: Host, Origin and CORS decisions (see hosts.h). Every function
 * reads only the configuration.
 */
#include "skilld/transport/hosts.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "skilld/base/config.h"

#define NAME_MAX_LEN 255

/*
 * Splits "name[:port]" (or "[v6][:port]") at its end: OUT: name[] gets the
 * name (brackets kept for IPv6). False when the value is not of that shape:
 * empty name, a port that is not 1-5 digits, characters a host name cannot
 * hold, or a name over NAME_MAX_LEN.
 */
static bool split_host(const char *v, size_t n, char name[NAME_MAX_LEN + 1])
{
	size_t len;
	const char *port;

	if (n == 0)
		return false;
	if (v[0] == '[') {
		const char *close = memchr(v, ']', n);

		if (!close)
			return false;
		len = (size_t)(close - v) + 1;
	} else {
		const char *colon = memchr(v, ':', n);

		len = colon ? (size_t)(colon - v) : n;
	}
	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	port = v + len;
	if (port < v + n) {
		size_t digits = (size_t)(v + n - port) - 1;

		if (*port != ':' || digits > 5)
			return false;
		for (size_t i = 1; i <= digits; i++)
			if (port[i] < '0' || port[i] > '9')
				return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	memcpy(name, v, len);
	name[len] = '\0';
	return true;
}

/* The IP address in name ("1.2.3.4" or "[v6]"), parsed into OUT: addr
 * with its family; false when name is not an IP literal. */
static bool ip_literal(const char *name, int *family, unsigned char addr[16])
{
	char inner[NAME_MAX_LEN + 1];
	size_t n = strlen(name);

	if (name[0] == '[') {
		if (n < 3 || name[n - 1] != ']')
			return false;
		memcpy(inner, name + 1, n - 2);
		inner[n - 2] = '\0';
		*family = AF_INET6;
		return inet_pton(AF_INET6, inner, addr) == 1;
	}
	*family = AF_INET;
	return inet_pton(AF_INET, name, addr) == 1;
}

/* Does name (as split_host gives it) name this server? */
static bool name_ok(const struct config *cfg, const char *name)
{
	static const unsigned char v6_loopback[16] = { [15] = 1 };
	unsigned char addr[16], bound[16];
	int family, bound_family = strchr(cfg->bind, ':') ? AF_INET6 : AF_INET;
	bool bound_ok = inet_pton(bound_family, cfg->bind, bound) == 1;
	bool bound_any;

	if (strcasecmp(name, "localhost") == 0)
		return true;
	for (size_t i = 0; i < cfg->allowed_hosts.n; i++)
		if (strcasecmp(name, cfg->allowed_hosts.v[i]) == 0)
			return true;
	if (!ip_literal(name, &family, addr))
		return false;
	if (family == AF_INET && memcmp(addr, "\x7f\0\0\x01", 4) == 0)
		return true;
	if (family == AF_INET6 && memcmp(addr, v6_loopback, 16) == 0)
		return true;
	if (!bound_ok)
		return false;
	bound_any = bound_family == AF_INET ? memcmp(bound, "\0\0\0\0", 4) == 0
					    : memcmp(bound, (unsigned char[16]){ 0 }, 16) == 0;
	/* Bound to every address: any of them may be asked for by number,
	 * and a number cannot be rebound to another server. */
	if (bound_any)
		return true;
	return family == bound_family &&
	       memcmp(addr, bound, family == AF_INET ? 4 : 16) == 0;
}

bool hosts_host_ok(const struct config *cfg, const char *host)
{
	char name[NAME_MAX_LEN + 1];

	if (!host)
		return true;
	return split_host(host, strlen(host), name) && name_ok(cfg, name);
}

bool hosts_origin_ok(const struct config *cfg, const char *origin)
{
	const char *auth;
	char name[NAME_MAX_LEN + 1];

	if (!origin)
		return false;
	if (strncasecmp(origin, "http://", 7) == 0)
		auth = origin + 7;
	else if (strncasecmp(origin, "https://", 8) == 0)
		auth = origin + 8;
	else
		return false;
	return split_host(auth, strcspn(auth, "/?#"), name) && name_ok(cfg, name);
}

bool hosts_cors_ok(const struct config *cfg, const char *origin)
{
	if (!origin)
		return false;
	for (size_t i = 0; i < cfg->cors_origins.n; i++)
		if (strcasecmp(origin, cfg->cors_origins.v[i]) == 0)
			return true;
	return false;
}

/* application/json, parameters allowed ("application/json; charset=utf-8"). */
static bool json_type(const char *ct)
{
	size_t n;

	if (!ct)
		return false;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, "application/json", 16) != 0)
		return false;
	n = strspn(ct + 16, " \t");
	return ct[16 + n] == '\0' || ct[16 + n] == ';';
}

bool hosts_write_intent(const struct config *cfg, const struct request *req, const char **why)
{
	const char *site = req->sec_fetch_site;

	if (site && strcasecmp(site, "same-origin") != 0 && strcasecmp(site, "none") != 0) {
		*why = "a write must come from this server's own pages (Sec-Fetch-Site says "
		       "another site sent it)";
		return false;
	}
	if (req->origin && !hosts_origin_ok(cfg, req->origin)) {
		*why = "a write must come from this server's own pages (the Origin header names "
		       "another site)";
		return false;
	}
	if (!json_type(req->content_type)) {
		*why = "a write must be sent with Content-Type: application/json";
		return false;
	}
	return true;
}
