/* SPDX-License-Identifier: MIT */
/*
 * config: the command line and SKILLD_* environment variables turned into a
 * struct config. Flags win over the environment, which wins over defaults.
 * Parsing never prints and never exits: it returns an error message.
 */
#ifndef SKILLD_CONFIG_H
#define SKILLD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum config_command {
	CMD_SERVE,
	CMD_CHECK,
	CMD_BACKUP,
	CMD_HELP,
	CMD_VERSION,
};

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

/* A list of strings a repeatable option fills, in the order given. */
struct strlist {
	char **v;
	size_t n;
};

struct config {
	enum config_command command;
	char **skills;            /* roots in order; default {"./skills"} */
	size_t n_skills;
	char **skill_labels;      /* per root: the LABEL of --skills LABEL=DIR, or NULL
				   * (then app_init names the root after its folder) */
	struct strlist allowed_hosts; /* --allowed-host: Host names answered beside
				   * the loopback names and the bound address */
	struct strlist cors_origins;  /* --cors-origin: origins that may read answers
				   * cross-origin (exact "scheme://host[:port]") */
	size_t max_mcp_output;    /* bytes one /mcp request may answer; default 8 MiB */
	unsigned max_query_args;  /* query arguments per request; default 32, 1..256 */
	unsigned session_ttl;     /* seconds a browser sign-in lasts; default 12 h */
	char *db_path;            /* default "./skilld.db" */
	char *reviews_db;         /* where reviews are kept, a SQLite file's path or a
				   * postgresql:// URI (--store, else --reviews-db);
				   * default: reviews.db in db_path's folder */
	char *store;              /* --store as given, or NULL */
	size_t max_review_text;   /* bytes of a review's note or evidence; default 16 KiB */
	unsigned max_streams;     /* live event streams open at once; default 256 */
	char *backup_dest;        /* skilld backup DEST */
	char *bind;               /* default "127.0.0.1" (an IPv4 or IPv6 literal) */
	unsigned port;            /* default 8080; 0 picks a free port */
	unsigned threads;         /* default: number of CPUs, 1..256 */
	char *token_file;         /* NULL when unset */
	char *install_token_file; /* the installers' read-only token; NULL when unset */
	enum log_format log_format;
	size_t max_file_size;     /* bytes stored per file; default 16 MiB, 1..1 GiB */
	unsigned conn_timeout;    /* seconds; default 30, 1..3600 */
	unsigned conn_limit;      /* default 1024, 1..100000 */
	unsigned per_ip_limit;    /* connections per client address; default 256, 0 = no limit */
	size_t header_memory;     /* per-connection memory for request line and headers;
				   * default 256 KiB, 16 KiB..16 MiB */
	size_t max_query;         /* bytes of query arguments; 414 beyond; default 16 KiB */
	size_t cache_size;        /* bytes of prepared answers kept; default 256 MiB, 0 = none */
	bool no_access_log;       /* --no-access-log */
	unsigned max_results;     /* largest page of a listing (limit=); default 100, 1..100 */
	size_t max_body;          /* largest request body; default 1 MiB, 1..64 MiB */
	unsigned shutdown_timeout; /* seconds SIGTERM waits for requests in flight; default 5, 0..3600 */
	char *migrations_dir;     /* NULL: the migrations built into the binary */
	bool check_json;          /* `check --json` */
	bool no_watch;            /* --no-watch: no inotify (SIGHUP and the admin endpoint still reload) */
	char **check_dirs;        /* `check DIR...` */
	size_t n_check_dirs;
};

/*
 * Fills c from argv and from the environment lookup getenv_fn (pass
 * config_getenv; tests pass their own; NULL reads no environment). An empty
 * variable counts as unset; a flag makes its variable irrelevant, so a bad
 * SKILLD_PORT does not matter when --port is given. --help and --version
 * anywhere before `--` win over everything else. Returns 0, or -1 with a
 * one-line message in err[0..errlen) (the caller prints it and exits with
 * status 2). c must be released with config_fini either way.
 */
int config_parse(struct config *c, int argc, char **argv,
		 const char *(*getenv_fn)(const char *name), char *err, size_t errlen);
/* Frees every string and list of c; safe on a zeroed or released config. */
void config_fini(struct config *c);

/* getenv(3) with the const-correct type config_parse takes. */
const char *config_getenv(const char *name);

/* The --help text: static storage, at most 80 columns, ends in a newline. */
const char *config_usage(void);

#endif
