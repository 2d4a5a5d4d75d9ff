/* SPDX-License-Identifier: MIT */
/*
 * config: turns argv and SKILLD_* environment variables into a struct config.
 * Every option is one row of a table (flag, variable, kind, range, commands
 * it belongs to), so parsing, validation and error messages are written once.
 * Nothing here prints or exits; errors come back as one line of text. No
 * global state: safe from any thread, though it normally runs once in main.
 */
#include "skilld/base/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skilld/base/util.h"

#define DEFAULT_SKILLS_ROOT "./skills"
#define DEFAULT_DB_PATH "./skilld.db"
#define DEFAULT_BIND "127.0.0.1"
#define DEFAULT_PORT 8080u
#define DEFAULT_MAX_FILE_SIZE ((size_t)16 << 20)
#define DEFAULT_TIMEOUT 30u
#define DEFAULT_CONN_LIMIT 1024u
#define DEFAULT_MAX_BODY ((size_t)1 << 20)
#define DEFAULT_SHUTDOWN_TIMEOUT 5u
#define DEFAULT_PER_IP_LIMIT 256u
#define DEFAULT_HEADER_MEMORY ((size_t)64 << 10)
#define DEFAULT_MAX_QUERY ((size_t)16 << 10)
#define DEFAULT_MAX_RESULTS 100u
#define DEFAULT_CACHE_SIZE ((size_t)256 << 20)
#define DEFAULT_MAX_MCP_OUTPUT ((size_t)8 << 20)
#define DEFAULT_MAX_QUERY_ARGS 32u
#define DEFAULT_SESSION_TTL (12u * 3600u)
#define DEFAULT_MAX_REVIEW_TEXT ((size_t)16 << 10)
#define DEFAULT_MAX_STREAMS 256u
#define REVIEWS_DB_NAME "reviews.db"
#define THREADS_MAX 256u
#define SHOW_MAX 64 /* bytes of an offending value quoted in a message */

/* How an option's value is read and where it is stored. */
enum opt_kind {
	OPT_ROOT,   /* appends to skills / n_skills */
	OPT_PATH,   /* non-empty string into a char * field */
	OPT_UINT,   /* decimal in [min, max] into an unsigned field */
	OPT_SIZE,   /* decimal with K/M/G suffix in [min, max] into a size_t field */
	OPT_ADDR,   /* IPv4 or IPv6 literal into a char * field */
	OPT_FORMAT, /* "text" or "json" into log_format */
	OPT_FLAG,   /* no value: sets a bool field */
	OPT_HOST,   /* a host name (no port) appended to a struct strlist field */
	OPT_ORIGIN, /* an origin "http(s)://host[:port]" appended to a struct strlist field */
};

#define FOR_SERVE (1u << CMD_SERVE)
#define FOR_CHECK (1u << CMD_CHECK)
#define FOR_BACKUP (1u << CMD_BACKUP)

struct opt {
	const char *flag;       /* "--port" */
	const char *env;        /* "SKILLD_PORT", or NULL */
	enum opt_kind kind;
	unsigned commands;      /* FOR_SERVE | FOR_CHECK */
	size_t offset;          /* field in struct config (unused for OPT_ROOT) */
	unsigned long long min, max;
	const char *what;       /* completes "'x' is not ..." and "expected ..." */
};

#define FIELD(f) offsetof(struct config, f)

static const struct opt config_opts[] = {
	{ "--skills", "SKILLD_SKILLS", OPT_ROOT, FOR_SERVE, 0, 0, 0,
	  "a skills directory" },
	{ "--db", "SKILLD_DB", OPT_PATH, FOR_SERVE | FOR_BACKUP, FIELD(db_path), 0, 0,
	  "a database file path" },
	{ "--reviews-db", "SKILLD_REVIEWS_DB", OPT_PATH, FOR_SERVE | FOR_BACKUP, FIELD(reviews_db),
	  0, 0, "a database file path" },
	{ "--store", "SKILLD_STORE", OPT_PATH, FOR_SERVE | FOR_BACKUP, FIELD(store), 0, 0,
	  "a postgresql:// URI or a database file path" },
	{ "--max-review-text", "SKILLD_MAX_REVIEW_TEXT", OPT_SIZE, FOR_SERVE, FIELD(max_review_text),
	  1ull << 10, 1ull << 20, "a size (1K to 1M; suffix K or M)" },
	{ "--max-streams", "SKILLD_MAX_STREAMS", OPT_UINT, FOR_SERVE, FIELD(max_streams), 0, 100000,
	  "a number of streams (0-100000; 0: none)" },
	{ "--bind", "SKILLD_BIND", OPT_ADDR, FOR_SERVE, FIELD(bind), 0, 0,
	  "an IPv4 or IPv6 address (e.g. 127.0.0.1 or ::1)" },
	{ "--port", "SKILLD_PORT", OPT_UINT, FOR_SERVE, FIELD(port), 0, 65535,
	  "a port number (0-65535)" },
	{ "--threads", "SKILLD_THREADS", OPT_UINT, FOR_SERVE, FIELD(threads), 1, THREADS_MAX,
	  "a thread count (1-256)" },
	{ "--token-file", "SKILLD_TOKEN_FILE", OPT_PATH, FOR_SERVE, FIELD(token_file), 0, 0,
	  "a token file path" },
	{ "--install-token-file", "SKILLD_INSTALL_TOKEN_FILE", OPT_PATH, FOR_SERVE,
	  FIELD(install_token_file), 0, 0, "a token file path" },
	{ "--log-format", "SKILLD_LOG_FORMAT", OPT_FORMAT, FOR_SERVE, FIELD(log_format), 0, 0,
	  "a log format (text or json)" },
	{ "--max-file-size", "SKILLD_MAX_FILE_SIZE", OPT_SIZE, FOR_SERVE | FOR_CHECK,
	  FIELD(max_file_size), 1, 512ull << 20,
	  "a size (1 byte to 512M; suffix K, M or G, e.g. 16M)" },
	{ "--timeout", "SKILLD_TIMEOUT", OPT_UINT, FOR_SERVE, FIELD(conn_timeout), 1, 3600,
	  "a number of seconds (1-3600)" },
	{ "--max-connections", "SKILLD_MAX_CONNECTIONS", OPT_UINT, FOR_SERVE,
	  FIELD(conn_limit), 1, 100000, "a connection count (1-100000)" },
	{ "--max-connections-per-ip", "SKILLD_MAX_CONNECTIONS_PER_IP", OPT_UINT, FOR_SERVE,
	  FIELD(per_ip_limit), 0, 100000, "a connection count (0-100000, 0 for no limit)" },
	{ "--max-header-size", "SKILLD_MAX_HEADER_SIZE", OPT_SIZE, FOR_SERVE, FIELD(header_memory),
	  16ull << 10, 16ull << 20, "a size (16K to 16M; suffix K, M or G)" },
	{ "--max-query", "SKILLD_MAX_QUERY", OPT_SIZE, FOR_SERVE, FIELD(max_query), 256,
	  1ull << 20, "a size (256 bytes to 1M; suffix K or M)" },
	{ "--max-results", "SKILLD_MAX_RESULTS", OPT_UINT, FOR_SERVE, FIELD(max_results), 1, 100,
	  "a number of results (1-100)" },
	{ "--max-body", "SKILLD_MAX_BODY", OPT_SIZE, FOR_SERVE, FIELD(max_body), 1, 64ull << 20,
	  "a size (1 byte to 64M; suffix K, M or G, e.g. 1M)" },
	{ "--shutdown-timeout", "SKILLD_SHUTDOWN_TIMEOUT", OPT_UINT, FOR_SERVE,
	  FIELD(shutdown_timeout), 0, 3600, "a number of seconds (0-3600)" },
	{ "--migrations", "SKILLD_MIGRATIONS", OPT_PATH, FOR_SERVE, FIELD(migrations_dir), 0, 0,
	  "a migrations directory" },
	{ "--json", NULL, OPT_FLAG, FOR_CHECK, FIELD(check_json), 0, 0, NULL },
	{ "--no-watch", NULL, OPT_FLAG, FOR_SERVE, FIELD(no_watch), 0, 0, NULL },
	{ "--no-access-log", NULL, OPT_FLAG, FOR_SERVE, FIELD(no_access_log), 0, 0, NULL },
	{ "--cache-size", "SKILLD_CACHE_SIZE", OPT_SIZE, FOR_SERVE, FIELD(cache_size), 0, 16ull << 30,
	  "a size (0 to 16G; suffix K, M or G)" },
	{ "--allowed-host", "SKILLD_ALLOWED_HOSTS", OPT_HOST, FOR_SERVE, FIELD(allowed_hosts), 0, 0,
	  "a host name without a port (e.g. skills.example.com or [2001:db8::1])" },
	{ "--cors-origin", "SKILLD_CORS_ORIGINS", OPT_ORIGIN, FOR_SERVE, FIELD(cors_origins), 0, 0,
	  "an origin (http:// or https://, a host, an optional port, no path)" },
	{ "--max-mcp-output", "SKILLD_MAX_MCP_OUTPUT", OPT_SIZE, FOR_SERVE, FIELD(max_mcp_output),
	  64ull << 10, 1ull << 30, "a size (64K to 1G; suffix K, M or G)" },
	{ "--max-query-args", "SKILLD_MAX_QUERY_ARGS", OPT_UINT, FOR_SERVE, FIELD(max_query_args),
	  1, 256, "a number of query arguments (1-256)" },
	{ "--session-ttl", "SKILLD_SESSION_TTL", OPT_UINT, FOR_SERVE, FIELD(session_ttl), 60,
	  30u * 24u * 3600u, "a number of seconds (60 to 2592000, 30 days)" },
};

#define N_OPTS (sizeof(config_opts) / sizeof(config_opts[0]))

static const char config_usage_text[] =
"Usage: skilld [serve] [OPTION]...\n"
"       skilld check [--json] [--max-file-size SIZE] DIR...\n"
"       skilld backup [--store PATH | --reviews-db PATH | --db PATH] DEST\n"
"       skilld --help | --version\n"
"\n"
"Commands:\n"
"  serve   index the skill roots and serve them over HTTP (the default)\n"
"  check   validate the skill folders under each DIR and print every\n"
"          diagnostic (as JSON with --json); exit 1 on any error\n"
"  backup  copy the reviews database to the new file DEST, consistent\n"
"          while a server writes to it (SQLite's online backup; for a\n"
"          PostgreSQL store use pg_dump)\n"
"\n"
"Options of serve       environment variable    default\n"
"  --skills [LABEL=]DIR SKILLD_SKILLS           ./skills\n"
"        skill root; repeat for more, searched in order (env: DIR:DIR...);\n"
"        answers name it by LABEL, else by its folder's name\n"
"  --db PATH            SKILLD_DB               ./skilld.db\n"
"        SQLite index file (rebuilt from the folders at will)\n"
"  --reviews-db PATH    SKILLD_REVIEWS_DB       reviews.db beside --db\n"
"        SQLite file of the review runs: kept apart from the index, back\n"
"        it up (skilld backup DEST)\n"
"  --store LOCATION     SKILLD_STORE            the --reviews-db file\n"
"        where reviews (and, on PostgreSQL, sign-ins) are kept: a SQLite\n"
"        file, or postgresql://USER:PASSWORD@HOST[:PORT]/DB (libpq) shared\n"
"        by replicas; logs and errors show the password masked\n"
"  --max-review-text SIZE SKILLD_MAX_REVIEW_TEXT 16K\n"
"        longest note or evidence of a review item, 1K to 1M\n"
"  --max-streams N      SKILLD_MAX_STREAMS      256\n"
"        live event streams (a review page open each) at once, 0-100000;\n"
"        beyond, 503 (the pages then ask every few seconds instead)\n"
"  --bind ADDR          SKILLD_BIND             127.0.0.1\n"
"        IPv4 or IPv6 address to listen on (0.0.0.0 or :: for all)\n"
"  --port N             SKILLD_PORT             8080\n"
"        TCP port, 0-65535; 0 picks a free port\n"
"  --threads N          SKILLD_THREADS          CPUs online\n"
"        threads answering requests, 1-256; indexing uses as many\n"
"        (at most one per CPU) to read and render skills\n"
"  --token-file F       SKILLD_TOKEN_FILE       none\n"
"        every request must then send Authorization: Bearer <token>,\n"
"        the token being the file's first line\n"
"  --install-token-file F  SKILLD_INSTALL_TOKEN_FILE  none\n"
"        with --token-file: a read-only token for skill installers, only\n"
"        as the path prefix /i/<token>/ of the discovery URLs (.well-known);\n"
"        16 to 512 of A-Z a-z 0-9 . _ ~ -\n"
"  --log-format FMT     SKILLD_LOG_FORMAT       text\n"
"        text, or json for one JSON object per line\n"
"  --max-file-size SIZE SKILLD_MAX_FILE_SIZE    16M\n"
"        largest file stored, 1 byte to 512M, suffix K, M or G (check too)\n"
"  --timeout SECONDS    SKILLD_TIMEOUT          30\n"
"        idle connection timeout, 1-3600\n"
"  --max-connections N  SKILLD_MAX_CONNECTIONS  1024\n"
"        simultaneous connections, 1-100000\n"
"  --max-connections-per-ip N  SKILLD_MAX_CONNECTIONS_PER_IP  256\n"
"        simultaneous connections from one address, 0 for no limit\n"
"  --max-header-size SIZE  SKILLD_MAX_HEADER_SIZE  64K\n"
"        memory for one request's line and headers, 16K to 16M\n"
"  --max-query SIZE     SKILLD_MAX_QUERY        16K\n"
"        bytes of query arguments (414 beyond), 256 bytes to 1M\n"
"  --max-results N      SKILLD_MAX_RESULTS      100\n"
"        largest page a listing gives (limit=), 1-100\n"
"  --max-body SIZE      SKILLD_MAX_BODY         1M\n"
"        largest request body (POST /mcp), 1 byte to 64M; 413 beyond\n"
"  --shutdown-timeout S SKILLD_SHUTDOWN_TIMEOUT 5\n"
"        on SIGINT/SIGTERM, seconds to let requests in flight finish\n"
"  --migrations DIR     SKILLD_MIGRATIONS       built in\n"
"        a folder of NNNN_name.sql migrations to use instead\n"
"  --cache-size SIZE    SKILLD_CACHE_SIZE       256M\n"
"        answers prepared once and kept until the index changes (an answer\n"
"        is kept the second time it is asked for); 0: none\n"
"  --allowed-host NAME  SKILLD_ALLOWED_HOSTS    loopback names\n"
"        a Host name this server answers to (any port), beside localhost,\n"
"        127.0.0.1, [::1] and the --bind address; repeat for more (env:\n"
"        comma-separated). Other Host names get 421: DNS rebinding defence\n"
"  --cors-origin ORIGIN SKILLD_CORS_ORIGINS     none\n"
"        an origin (https://app.example.com) whose pages may read answers\n"
"        cross-origin; repeat for more. No origin may write\n"
"  --max-mcp-output SIZE SKILLD_MAX_MCP_OUTPUT  8M\n"
"        bytes one POST /mcp answers (a batch included), 64K to 1G; the\n"
"        calls over it get a JSON-RPC error\n"
"  --max-query-args N   SKILLD_MAX_QUERY_ARGS   32\n"
"        query arguments per request, 1-256 (414 beyond)\n"
"  --session-ttl SECONDS SKILLD_SESSION_TTL     43200 (12 h)\n"
"        how long a browser sign-in (--token-file) lasts, 60 to 2592000\n"
"  --no-access-log\n"
"        no line per request in the log (access lines are otherwise\n"
"        written in batches, about 200 ms after the request)\n"
"  --no-watch\n"
"        do not watch the skill folders; re-index only on SIGHUP or\n"
"        POST /api/v1/admin/reload (changes are picked up within a second\n"
"        otherwise; SIGUSR1 or ?full=1 read every skill again)\n"
"\n"
"Flags win over the environment. Both --port 9000 and --port=9000 work.\n"
"  -h, --help           this text\n"
"  -V, --version        the version\n"
"\n"
"Then open http://127.0.0.1:8080/ in a browser, or try\n"
"  curl http://127.0.0.1:8080/api/v1/skills\n"
"\n"
"Exit status: 0 ok, 1 check found errors or startup failed, 2 usage error.\n";

/* The text is static; nothing to free. */
const char *config_usage(void)
{
	return config_usage_text;
}

/* getenv with the const result type that config_parse expects. */
const char *config_getenv(const char *name)
{
	return getenv(name);
}

/* Writes a formatted one-line message into err[0..errlen); returns -1. */
static int config_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Copies s into OUT: out for quoting in a message: control bytes become \xNN
 * so the message stays one line, and long values are cut (at a UTF-8
 * character boundary) with "...".
 */
static void config_show(const char *s, char out[SHOW_MAX + 8])
{
	size_t o = 0;

	for (size_t i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (o >= SHOW_MAX) {
			while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
				o--;
			if (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
				o--;
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (ch < 0x20 || ch == 0x7F) {
			snprintf(out + o, 5, "\\x%02X", ch);
			o += 4;
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

/* Parses a strict decimal (digits only, no sign or space) into OUT: v. */
static int config_parse_decimal(const char *s, unsigned long long *v, const char **end)
{
	unsigned long long n = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (ULLONG_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	*end = p;
	return 0;
}

/* Parses "N", "NK", "NM" or "NG" (binary multiples) into OUT: v. */
static int config_parse_size(const char *s, unsigned long long *v)
{
	unsigned long long n, mult = 1;
	const char *end;

	if (config_parse_decimal(s, &n, &end) != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'K': case 'k':
		mult = 1ull << 10;
		end++;
		break;
	case 'M': case 'm':
		mult = 1ull << 20;
		end++;
		break;
	case 'G': case 'g':
		mult = 1ull << 30;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || n > ULLONG_MAX / mult)
		return -1;
	*v = n * mult;
	return 0;
}

/* Is s[0..n) a root label: 1-64 of [A-Za-z0-9._-], not starting with '.'? */
static bool config_label_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64 || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/*
 * Appends a root to the list of skill roots: "DIR", or "LABEL=DIR" when
 * the text before the first '=' is a label (write ./a=b for a folder named
 * "a=b"). 0, or -1 with err for an empty DIR after a label.
 */
static int config_add_root(struct config *c, const char *root, const char *src, char *err,
			   size_t errlen)
{
	const char *eq = strchr(root, '=');
	char *label = NULL;

	if (eq && config_label_ok(root, (size_t)(eq - root))) {
		if (eq[1] == '\0')
			return config_error(err, errlen, "%s: '%.64s' names no folder after the "
					    "label (LABEL=DIR)", src, root);
		label = xstrndup(root, (size_t)(eq - root));
		root = eq + 1;
	}
	c->skills = xrealloc(c->skills, (c->n_skills + 1) * sizeof(*c->skills));
	c->skill_labels = xrealloc(c->skill_labels, (c->n_skills + 1) * sizeof(*c->skill_labels));
	c->skills[c->n_skills] = xstrdup(root);
	c->skill_labels[c->n_skills++] = label;
	return 0;
}

/* Empties the list of skill roots. */
static void config_clear_roots(struct config *c)
{
	for (size_t i = 0; i < c->n_skills; i++) {
		free(c->skills[i]);
		free(c->skill_labels[i]);
	}
	free(c->skills);
	free(c->skill_labels);
	c->skills = NULL;
	c->skill_labels = NULL;
	c->n_skills = 0;
}

/* Appends a copy of s to l. */
static void config_list_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static void config_list_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* A host name as a Host header carries it, without the port: letters,
 * digits, '-', '.' (a DNS name or an IPv4 address), or an IPv6 address in
 * brackets. */
static bool config_host_ok(const char *s)
{
	size_t n = strlen(s);
	unsigned char a6[sizeof(struct in6_addr)];

	if (s[0] == '[') {
		char inner[64];

		if (n < 3 || n - 2 >= sizeof(inner) || s[n - 1] != ']')
			return false;
		memcpy(inner, s + 1, n - 2);
		inner[n - 2] = '\0';
		return inet_pton(AF_INET6, inner, a6) == 1;
	}
	if (n > 253 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* "http://" or "https://", a host as config_host_ok takes it, an optional
 * ":port" (1-65535), nothing after. */
static bool config_origin_ok(const char *s)
{
	const char *h, *colon, *end;
	char host[256];
	unsigned long long port;

	if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else
		return false;
	colon = h[0] == '[' ? strstr(h, "]:") : strchr(h, ':');
	if (colon && h[0] == '[')
		colon++;
	end = colon ? colon : h + strlen(h);
	if (end == h || (size_t)(end - h) >= sizeof(host))
		return false;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	if (!config_host_ok(host))
		return false;
	if (!colon)
		return true;
	return config_parse_decimal(colon + 1, &port, &end) == 0 && *end == '\0' && port >= 1 &&
	       port <= 65535;
}

/* Replaces the string field at the option's offset with a copy of value. */
static void config_set_string(struct config *c, const struct opt *o, const char *value)
{
	char **field = (char **)(void *)((char *)c + o->offset);

	free(*field);
	*field = xstrdup(value);
}

/*
 * Validates value for option o and stores it in c. src names the source in
 * messages: the flag, or the environment variable. Returns 0 or -1 with err.
 */
static int config_apply(struct config *c, const struct opt *o, const char *src,
			const char *value, char *err, size_t errlen)
{
	char shown[SHOW_MAX + 8];
	unsigned long long n;
	const char *end;
	unsigned char addr[sizeof(struct in6_addr)];

	if (value[0] == '\0')
		return config_error(err, errlen, "%s: empty value, expected %s", src, o->what);
	config_show(value, shown);
	switch (o->kind) {
	case OPT_ROOT:
		return config_add_root(c, value, src, err, errlen);
	case OPT_HOST:
		if (!config_host_ok(value))
			return config_error(err, errlen, "%s: '%s' is not %s", src, shown, o->what);
		config_list_add((struct strlist *)(void *)((char *)c + o->offset), value);
		return 0;
	case OPT_ORIGIN:
		if (!config_origin_ok(value))
			return config_error(err, errlen, "%s: '%s' is not %s", src, shown, o->what);
		config_list_add((struct strlist *)(void *)((char *)c + o->offset), value);
		return 0;
	case OPT_PATH:
		config_set_string(c, o, value);
		return 0;
	case OPT_ADDR:
		if (inet_pton(AF_INET, value, addr) != 1 && inet_pton(AF_INET6, value, addr) != 1)
			return config_error(err, errlen, "%s: '%s' is not %s", src, shown, o->what);
		config_set_string(c, o, value);
		return 0;
	case OPT_UINT:
		if (config_parse_decimal(value, &n, &end) != 0 || *end != '\0' ||
		    n < o->min || n > o->max)
			return config_error(err, errlen, "%s: '%s' is not %s", src, shown, o->what);
		*(unsigned *)(void *)((char *)c + o->offset) = (unsigned)n;
		return 0;
	case OPT_SIZE:
		if (config_parse_size(value, &n) != 0 || n < o->min || n > o->max || n > SIZE_MAX)
			return config_error(err, errlen, "%s: '%s' is not %s", src, shown, o->what);
		*(size_t *)(void *)((char *)c + o->offset) = (size_t)n;
		return 0;
	case OPT_FORMAT:
		if (strcmp(value, "text") == 0)
			c->log_format = LOG_FORMAT_TEXT;
		else if (strcmp(value, "json") == 0)
			c->log_format = LOG_FORMAT_JSON;
		else
			return config_error(err, errlen, "%s: '%s' is not %s", src, shown, o->what);
		return 0;
	case OPT_FLAG:
		break;
	}
	/* OPT_FLAG options take no value; config_parse_args never passes one. */
	return config_error(err, errlen, "%s: takes no value", src);
}

/* Reads the environment variable of each option of the command that no flag
 * set. SKILLD_SKILLS is a colon-separated list; empty entries are skipped. */
static int config_apply_env(struct config *c, const char *(*getenv_fn)(const char *),
			    const bool seen[N_OPTS], char *err, size_t errlen)
{
	for (size_t k = 0; k < N_OPTS; k++) {
		const struct opt *o = &config_opts[k];
		const char *value;

		if (seen[k] || !o->env || !(o->commands & (1u << c->command)))
			continue;
		value = getenv_fn(o->env);
		if (!value || value[0] == '\0')
			continue;
		if (o->kind == OPT_ROOT || o->kind == OPT_HOST || o->kind == OPT_ORIGIN) {
			/* Lists: roots are colon-separated (like PATH), hosts and
			 * origins comma- or space-separated. */
			const char *sep = o->kind == OPT_ROOT ? ":" : ", ";
			char *list = xstrdup(value);
			char *save = NULL;
			bool cleared = false;
			int rc = 0;

			for (char *t = strtok_r(list, sep, &save); t && rc == 0;
			     t = strtok_r(NULL, sep, &save)) {
				if (!cleared && o->kind == OPT_ROOT) {
					config_clear_roots(c);
					cleared = true;
				}
				rc = config_apply(c, o, o->env, t, err, errlen);
			}
			free(list);
			if (rc != 0)
				return -1;
			continue;
		}
		if (config_apply(c, o, o->env, value, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* Finds the option named name[0..len). */
static const struct opt *config_find(const char *name, size_t len)
{
	for (size_t k = 0; k < N_OPTS; k++)
		if (strlen(config_opts[k].flag) == len &&
		    memcmp(config_opts[k].flag, name, len) == 0)
			return &config_opts[k];
	return NULL;
}

/* Sets c's defaults; the strings are owned by c. */
static void config_defaults(struct config *c)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(c, 0, sizeof(*c));
	c->command = CMD_SERVE;
	config_add_root(c, DEFAULT_SKILLS_ROOT, "", NULL, 0);
	c->db_path = xstrdup(DEFAULT_DB_PATH);
	c->bind = xstrdup(DEFAULT_BIND);
	c->port = DEFAULT_PORT;
	if (cpus < 1)
		cpus = 1;
	if (cpus > (long)THREADS_MAX)
		cpus = THREADS_MAX;
	c->threads = (unsigned)cpus;
	c->log_format = LOG_FORMAT_TEXT;
	c->max_file_size = DEFAULT_MAX_FILE_SIZE;
	c->conn_timeout = DEFAULT_TIMEOUT;
	c->conn_limit = DEFAULT_CONN_LIMIT;
	c->max_body = DEFAULT_MAX_BODY;
	c->shutdown_timeout = DEFAULT_SHUTDOWN_TIMEOUT;
	c->per_ip_limit = DEFAULT_PER_IP_LIMIT;
	c->header_memory = DEFAULT_HEADER_MEMORY;
	c->max_query = DEFAULT_MAX_QUERY;
	c->max_results = DEFAULT_MAX_RESULTS;
	c->cache_size = DEFAULT_CACHE_SIZE;
	c->max_mcp_output = DEFAULT_MAX_MCP_OUTPUT;
	c->max_query_args = DEFAULT_MAX_QUERY_ARGS;
	c->session_ttl = DEFAULT_SESSION_TTL;
	c->max_review_text = DEFAULT_MAX_REVIEW_TEXT;
	c->max_streams = DEFAULT_MAX_STREAMS;
}

/* Looks for -h/--help/-V/--version before any `--`; the first one found
 * decides. Returns true when one was found and c->command is set. */
static bool config_find_help(struct config *c, int argc, char **argv)
{
	for (int i = 1; i < argc && argv[i]; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			c->command = CMD_HELP;
			return true;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			c->command = CMD_VERSION;
			return true;
		}
	}
	return false;
}

/* Takes a positional argument: a DIR for check, an error for serve. */
static int config_positional(struct config *c, const char *a, char *err, size_t errlen)
{
	char shown[SHOW_MAX + 8];

	if (c->command == CMD_CHECK) {
		c->check_dirs = xrealloc(c->check_dirs, (c->n_check_dirs + 1) * sizeof(*c->check_dirs));
		c->check_dirs[c->n_check_dirs++] = xstrdup(a);
		return 0;
	}
	config_show(a, shown);
	if (c->command == CMD_BACKUP) {
		if (c->backup_dest)
			return config_error(err, errlen, "backup: one DEST only ('%s' is a second)",
					    shown);
		c->backup_dest = xstrdup(a);
		return 0;
	}
	if (strcmp(a, "serve") == 0 || strcmp(a, "check") == 0 || strcmp(a, "backup") == 0)
		return config_error(err, errlen,
				    "unexpected argument '%s' (the command comes first: skilld %s ...)",
				    shown, shown);
	return config_error(err, errlen,
			    "unexpected argument '%s' (serve takes none; roots go in --skills DIR)",
			    shown);
}

/* Parses the options and operands of argv from index first on; seen[k]
 * records which options a flag set. */
static int config_parse_args(struct config *c, int first, int argc, char **argv,
			     bool seen[N_OPTS], char *err, size_t errlen)
{
	char shown[SHOW_MAX + 8];
	bool operands_only = false;
	const char *cmd = c->command == CMD_CHECK ? "check" : c->command == CMD_BACKUP ? "backup" :
			  "serve";

	for (int i = first; i < argc && argv[i]; i++) {
		const char *a = argv[i];
		const char *eq, *value;
		const struct opt *o;
		size_t name_len;

		if (!operands_only && strcmp(a, "--") == 0) {
			operands_only = true;
			continue;
		}
		if (operands_only || a[0] != '-' || a[1] == '\0') {
			if (config_positional(c, a, err, errlen) != 0)
				return -1;
			continue;
		}
		eq = a[1] == '-' ? strchr(a, '=') : NULL;
		name_len = eq ? (size_t)(eq - a) : strlen(a);
		o = config_find(a, name_len);
		if (!o) {
			char name[SHOW_MAX + 1];

			snprintf(name, sizeof(name), "%.*s", (int)name_len, a);
			config_show(name, shown);
			if (strcmp(shown, "--help") == 0 || strcmp(shown, "--version") == 0)
				return config_error(err, errlen, "%s: takes no value", shown);
			return config_error(err, errlen, "unknown option '%s' (see skilld --help)",
					    shown);
		}
		if (!(o->commands & (1u << c->command))) {
			if (o->commands == FOR_CHECK)
				return config_error(err, errlen,
						    "%s: only valid with 'skilld check' (see skilld --help)",
						    o->flag);
			return config_error(err, errlen,
					    "%s: not an option of 'skilld %s' (see skilld --help)",
					    o->flag, cmd);
		}
		if (o->kind == OPT_FLAG) {
			if (eq)
				return config_error(err, errlen, "%s: takes no value", o->flag);
			*(bool *)(void *)((char *)c + o->offset) = true;
			seen[o - config_opts] = true;
			continue;
		}
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc && argv[i + 1] && strncmp(argv[i + 1], "--", 2) != 0) {
			value = argv[++i];
		} else {
			return config_error(err, errlen, "%s: missing value, expected %s",
					    o->flag, o->what);
		}
		if (o->kind == OPT_ROOT && !seen[o - config_opts])
			config_clear_roots(c);
		if (config_apply(c, o, o->flag, value, err, errlen) != 0)
			return -1;
		seen[o - config_opts] = true;
	}
	return 0;
}

/* Defaults, then help/version, the command word, flags, and the environment
 * for whatever no flag set. */
int config_parse(struct config *c, int argc, char **argv,
		 const char *(*getenv_fn)(const char *name), char *err, size_t errlen)
{
	bool seen[N_OPTS] = { false };
	int first = 1;

	if (err && errlen > 0)
		err[0] = '\0';
	config_defaults(c);
	if (config_find_help(c, argc, argv))
		return 0;
	if (argc > 1 && argv[1] && argv[1][0] != '-') {
		char shown[SHOW_MAX + 8];

		if (strcmp(argv[1], "serve") == 0) {
			c->command = CMD_SERVE;
		} else if (strcmp(argv[1], "check") == 0) {
			c->command = CMD_CHECK;
		} else if (strcmp(argv[1], "backup") == 0) {
			c->command = CMD_BACKUP;
		} else {
			config_show(argv[1], shown);
			return config_error(err, errlen,
					    "unknown command '%s' (serve, check or backup; see skilld --help)",
					    shown);
		}
		first = 2;
	}
	if (config_parse_args(c, first, argc, argv, seen, err, errlen) != 0)
		return -1;
	if (c->command == CMD_CHECK && c->n_check_dirs == 0)
		return config_error(err, errlen,
				    "check: missing DIR (usage: skilld check [--json] DIR...)");
	if (c->command == CMD_BACKUP && !c->backup_dest)
		return config_error(err, errlen,
				    "backup: missing DEST (usage: skilld backup [--reviews-db PATH] DEST)");
	if (getenv_fn && config_apply_env(c, getenv_fn, seen, err, errlen) != 0)
		return -1;
	if (c->store && c->reviews_db)
		return config_error(err, errlen, "--store and --reviews-db (or SKILLD_STORE and "
				    "SKILLD_REVIEWS_DB) both say where reviews go: give one");
	if (c->store)
		c->reviews_db = xstrdup(c->store);
	if (!c->reviews_db) {
		/* Beside the index: the same folder, its own file. */
		const char *slash = strrchr(c->db_path, '/');

		c->reviews_db = slash ? xasprintf("%.*s/" REVIEWS_DB_NAME, (int)(slash - c->db_path),
						  c->db_path)
				      : xstrdup(REVIEWS_DB_NAME);
	}
	/* Each worker thread holds a listening slot; with fewer connections
	 * than threads one worker never wakes and shutdown hangs. */
	if (c->command == CMD_SERVE && c->max_query > c->header_memory / 2)
		return config_error(err, errlen, "--max-query (%zu) must be at most half of "
				    "--max-header-size (%zu): the query shares that memory",
				    c->max_query, c->header_memory);
	if (c->command == CMD_SERVE && c->conn_limit < c->threads)
		return config_error(err, errlen, "--max-connections (%u) must be at least "
				    "--threads (%u)", c->conn_limit, c->threads);
	return 0;
}

/* Frees everything c owns and zeroes it, so a second call is harmless. */
void config_fini(struct config *c)
{
	if (!c)
		return;
	config_clear_roots(c);
	config_list_clear(&c->allowed_hosts);
	config_list_clear(&c->cors_origins);
	for (size_t i = 0; i < c->n_check_dirs; i++)
		free(c->check_dirs[i]);
	free(c->check_dirs);
	free(c->db_path);
	free(c->reviews_db);
	free(c->store);
	free(c->backup_dest);
	free(c->bind);
	free(c->token_file);
	free(c->install_token_file);
	free(c->migrations_dir);
	memset(c, 0, sizeof(*c));
}
