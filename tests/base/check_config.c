/* SPDX-License-Identifier: MIT */
/*
 * Tests for config: defaults, every flag in both forms, the environment and
 * its precedence, every error message word for word, --help/--version, and
 * the shape of the usage text. The environment is a fake lookup over a table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skilld/base/config.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *config_suite(void);

/* The table the fake getenv reads: NULL-terminated name, value pairs. Check
 * runs each test in its own process, so one test's table never leaks. */
static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; fake_env && fake_env[i]; i += 2)
		if (strcmp(fake_env[i], name) == 0)
			return fake_env[i + 1];
	return NULL;
}

/* Runs config_parse over a NULL-terminated argument list (argv[0] added). */
static int parse(struct config *c, const char *const *env, const char *const *args,
		 char *err, size_t errlen)
{
	const char *argv[64] = { "skilld" };
	int argc = 1;

	for (size_t i = 0; args[i]; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	fake_env = env;
	return config_parse(c, argc, (char **)argv, fake_getenv, err, errlen);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_ARGS ((const char *const[]){ NULL })
#define ENV(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_ENV ((const char *const *)NULL)

static unsigned expected_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

START_TEST(test_defaults)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV, NO_ARGS, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(c.command, CMD_SERVE);
	ck_assert_uint_eq(c.n_skills, 1);
	ck_assert_str_eq(c.skills[0], "./skills");
	ck_assert_str_eq(c.db_path, "./skilld.db");
	ck_assert_str_eq(c.bind, "127.0.0.1");
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_uint_eq(c.threads, expected_threads());
	ck_assert_ptr_null(c.token_file);
	ck_assert_int_eq(c.log_format, LOG_FORMAT_TEXT);
	ck_assert_uint_eq(c.max_file_size, 16u * 1024 * 1024);
	ck_assert_uint_eq(c.conn_timeout, 30);
	ck_assert_uint_eq(c.conn_limit, 1024);
	ck_assert_ptr_null(c.migrations_dir);
	ck_assert(!c.check_json);
	ck_assert_uint_eq(c.n_check_dirs, 0);
	config_fini(&c);
	config_fini(&c); /* harmless twice */
}
END_TEST

/* Asserts the values set by both every_flag tests. */
static void assert_every_flag(const struct config *c)
{
	ck_assert_int_eq(c->command, CMD_SERVE);
	ck_assert_uint_eq(c->n_skills, 2);
	ck_assert_str_eq(c->skills[0], "/srv/a");
	ck_assert_str_eq(c->skills[1], "b c");
	ck_assert_str_eq(c->db_path, "/var/lib/s.db");
	ck_assert_str_eq(c->bind, "::1");
	ck_assert_uint_eq(c->port, 9000);
	ck_assert_uint_eq(c->threads, 3);
	ck_assert_str_eq(c->token_file, "/etc/tok");
	ck_assert_int_eq(c->log_format, LOG_FORMAT_JSON);
	ck_assert_uint_eq(c->max_file_size, 2u * 1024 * 1024);
	ck_assert_uint_eq(c->conn_timeout, 5);
	ck_assert_uint_eq(c->conn_limit, 77);
	ck_assert_uint_eq(c->max_body, 64u * 1024);
	ck_assert_uint_eq(c->shutdown_timeout, 9);
	ck_assert_uint_eq(c->per_ip_limit, 7);
	ck_assert_uint_eq(c->header_memory, 32u * 1024);
	ck_assert_uint_eq(c->max_query, 1000);
	ck_assert_uint_eq(c->max_results, 20);
	ck_assert_str_eq(c->migrations_dir, "/usr/share/m");
}

START_TEST(test_reviews_db_and_backup)
{
	struct config c;
	char err[256];

	/* the reviews database sits beside the index unless named */
	ck_assert_int_eq(parse(&c, NO_ENV, NO_ARGS, err, sizeof(err)), 0);
	ck_assert_str_eq(c.reviews_db, "./reviews.db");
	ck_assert_uint_eq(c.max_review_text, 16384);
	ck_assert_uint_eq(c.max_streams, 256);
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--max-streams", "0"), err, sizeof(err)), 0);
	ck_assert_uint_eq(c.max_streams, 0);
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--db", "/var/lib/skilld/index.db",
						 "--max-review-text", "64K"), err, sizeof(err)), 0);
	ck_assert_str_eq(c.reviews_db, "/var/lib/skilld/reviews.db");
	ck_assert_uint_eq(c.max_review_text, 65536);
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--db", "index.db"), err, sizeof(err)), 0);
	ck_assert_str_eq(c.reviews_db, "reviews.db");
	config_fini(&c);
	ck_assert_int_eq(parse(&c, ENV("SKILLD_REVIEWS_DB", "/srv/r.db"), ARGS("--db", "/x/i.db"),
			       err, sizeof(err)), 0);
	ck_assert_str_eq(c.reviews_db, "/srv/r.db");
	config_fini(&c);
	/* --store: a URI or a path, from a flag or SKILLD_STORE; never two
	 * places at once, and the message quotes no value (a password) */
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--store", "postgresql://a:pw@db/x"), err,
			       sizeof(err)), 0);
	ck_assert_str_eq(c.reviews_db, "postgresql://a:pw@db/x");
	config_fini(&c);
	ck_assert_int_eq(parse(&c, ENV("SKILLD_STORE", "/srv/s.db"), NO_ARGS, err, sizeof(err)), 0);
	ck_assert_str_eq(c.reviews_db, "/srv/s.db");
	config_fini(&c);
	ck_assert_int_eq(parse(&c, ENV("SKILLD_STORE", "postgresql://a:pw@db/x"),
			       ARGS("--reviews-db", "/r.db"), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "--store and --reviews-db (or SKILLD_STORE and SKILLD_REVIEWS_DB) "
			 "both say where reviews go: give one");
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--store", ""), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "postgresql:// URI"));
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--max-review-text", "100"), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "--max-review-text"));
	config_fini(&c);

	/* skilld backup DEST */
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("backup", "--db", "/d/i.db", "/tmp/copy.db"), err,
			       sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_BACKUP);
	ck_assert_str_eq(c.backup_dest, "/tmp/copy.db");
	ck_assert_str_eq(c.reviews_db, "/d/reviews.db");
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("backup"), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "backup: missing DEST (usage: skilld backup [--reviews-db PATH] DEST)");
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("backup", "a.db", "b.db"), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "backup: one DEST only ('b.db' is a second)");
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("backup", "--port", "1", "a.db"), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "--port: not an option of 'skilld backup' (see skilld --help)");
	config_fini(&c);
}
END_TEST

START_TEST(test_every_flag_separate_value)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV,
			       ARGS("serve", "--skills", "/srv/a", "--skills", "b c",
				    "--db", "/var/lib/s.db", "--bind", "::1", "--port", "9000",
				    "--threads", "3", "--token-file", "/etc/tok",
				    "--log-format", "json", "--max-file-size", "2M",
				    "--timeout", "5", "--max-connections", "77",
				    "--max-body", "64K", "--shutdown-timeout", "9",
				    "--max-connections-per-ip", "7", "--max-header-size", "32K",
				    "--max-query", "1000", "--max-results", "20",
				    "--migrations", "/usr/share/m"),
			       err, sizeof(err)), 0);
	assert_every_flag(&c);
	config_fini(&c);
}
END_TEST

START_TEST(test_every_flag_equals_value)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV,
			       ARGS("--skills=/srv/a", "--skills=b c", "--db=/var/lib/s.db",
				    "--bind=::1", "--port=9000", "--threads=3",
				    "--token-file=/etc/tok", "--log-format=json",
				    "--max-file-size=2048K", "--timeout=5",
				    "--max-connections=77", "--max-body=65536", "--shutdown-timeout=9",
				    "--max-connections-per-ip=7", "--max-header-size=32768",
				    "--max-query=1000", "--max-results=20",
				    "--migrations=/usr/share/m"),
			       err, sizeof(err)), 0);
	assert_every_flag(&c);
	config_fini(&c);
}
END_TEST

START_TEST(test_value_may_contain_equals_and_start_with_dash)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--db=a=b.db", "--token-file", "-tok"),
			       err, sizeof(err)), 0);
	ck_assert_str_eq(c.db_path, "a=b.db");
	ck_assert_str_eq(c.token_file, "-tok");
	config_fini(&c);
}
END_TEST

START_TEST(test_last_value_wins)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--port", "1", "--port=2", "--db", "x", "--db", "y"),
			       err, sizeof(err)), 0);
	ck_assert_uint_eq(c.port, 2);
	ck_assert_str_eq(c.db_path, "y");
	config_fini(&c);
}
END_TEST

START_TEST(test_every_env_variable)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, ENV("SKILLD_SKILLS", "/srv/a:b c",
				       "SKILLD_DB", "/var/lib/s.db", "SKILLD_BIND", "::1",
				       "SKILLD_PORT", "9000", "SKILLD_THREADS", "3",
				       "SKILLD_TOKEN_FILE", "/etc/tok", "SKILLD_LOG_FORMAT", "json",
				       "SKILLD_MAX_FILE_SIZE", "2097152", "SKILLD_TIMEOUT", "5",
				       "SKILLD_MAX_CONNECTIONS", "77", "SKILLD_MAX_BODY", "64K", "SKILLD_SHUTDOWN_TIMEOUT", "9",
				       "SKILLD_MAX_CONNECTIONS_PER_IP", "7", "SKILLD_MAX_HEADER_SIZE", "32K",
				       "SKILLD_MAX_QUERY", "1000", "SKILLD_MAX_RESULTS", "20",
				       "SKILLD_MIGRATIONS", "/usr/share/m"),
			       NO_ARGS, err, sizeof(err)), 0);
	assert_every_flag(&c);
	config_fini(&c);
}
END_TEST

START_TEST(test_env_skills_list_skips_empty_entries)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, ENV("SKILLD_SKILLS", "::one::two:"), NO_ARGS, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_skills, 2);
	ck_assert_str_eq(c.skills[0], "one");
	ck_assert_str_eq(c.skills[1], "two");
	config_fini(&c);

	ck_assert_int_eq(parse(&c, ENV("SKILLD_SKILLS", ":::"), NO_ARGS, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_skills, 1);
	ck_assert_str_eq(c.skills[0], "./skills");
	config_fini(&c);
}
END_TEST

START_TEST(test_empty_env_counts_as_unset)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, ENV("SKILLD_PORT", "", "SKILLD_DB", "", "SKILLD_BIND", ""),
			       NO_ARGS, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.db_path, "./skilld.db");
	ck_assert_str_eq(c.bind, "127.0.0.1");
	config_fini(&c);
}
END_TEST

START_TEST(test_flags_override_env)
{
	struct config c;
	char err[256];
	const char *const *env = ENV("SKILLD_SKILLS", "e1:e2", "SKILLD_DB", "env.db",
				     "SKILLD_PORT", "1111", "SKILLD_LOG_FORMAT", "json",
				     "SKILLD_THREADS", "9");

	ck_assert_int_eq(parse(&c, env, ARGS("--skills", "f1", "--db", "flag.db", "--port", "2222"),
			       err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_skills, 1);
	ck_assert_str_eq(c.skills[0], "f1");
	ck_assert_str_eq(c.db_path, "flag.db");
	ck_assert_uint_eq(c.port, 2222);
	/* what no flag set still comes from the environment */
	ck_assert_int_eq(c.log_format, LOG_FORMAT_JSON);
	ck_assert_uint_eq(c.threads, 9);
	config_fini(&c);
}
END_TEST

START_TEST(test_flag_makes_bad_env_irrelevant)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, ENV("SKILLD_PORT", "junk", "SKILLD_BIND", "nowhere"),
			       ARGS("--port", "1", "--bind", "0.0.0.0"), err, sizeof(err)), 0);
	ck_assert_uint_eq(c.port, 1);
	ck_assert_str_eq(c.bind, "0.0.0.0");
	config_fini(&c);
}
END_TEST

START_TEST(test_repeated_skills_accumulate_and_replace_default)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--skills", "a", "--port", "1", "--skills=b",
						"--skills", "c"), err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_skills, 3);
	ck_assert_str_eq(c.skills[0], "a");
	ck_assert_str_eq(c.skills[1], "b");
	ck_assert_str_eq(c.skills[2], "c");
	config_fini(&c);
}
END_TEST

START_TEST(test_numeric_bounds_accepted)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--port", "0", "--threads", "1", "--timeout", "1",
						"--max-connections", "1", "--max-file-size", "1"),
			       err, sizeof(err)), 0);
	ck_assert_uint_eq(c.port, 0);
	ck_assert_uint_eq(c.threads, 1);
	ck_assert_uint_eq(c.conn_timeout, 1);
	ck_assert_uint_eq(c.conn_limit, 1);
	ck_assert_uint_eq(c.max_file_size, 1);
	config_fini(&c);

	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--port", "65535", "--threads", "256",
						"--timeout", "3600", "--max-connections", "100000",
						"--max-file-size", "512M"),
			       err, sizeof(err)), 0);
	ck_assert_uint_eq(c.port, 65535);
	ck_assert_uint_eq(c.threads, 256);
	ck_assert_uint_eq(c.conn_timeout, 3600);
	ck_assert_uint_eq(c.conn_limit, 100000);
	ck_assert_uint_eq(c.max_file_size, 536870912u);
	config_fini(&c);

	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--port", "08080"), err, sizeof(err)), 0);
	ck_assert_uint_eq(c.port, 8080);
	config_fini(&c);
}
END_TEST

START_TEST(test_size_suffixes)
{
	static const struct {
		const char *text;
		size_t bytes;
	} cases[] = {
		{ "1", 1 }, { "1K", 1024 }, { "1k", 1024 }, { "16M", 16u << 20 },
		{ "3m", 3u << 20 }, { "512m", 512u << 20 }, { "536870912", 512u << 20 },
		{ "524288K", 512u << 20 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		char err[256];

		ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--max-file-size", cases[i].text),
				       err, sizeof(err)), 0);
		ck_assert_msg(c.max_file_size == cases[i].bytes, "%s gave %zu", cases[i].text,
			      c.max_file_size);
		config_fini(&c);
	}
}
END_TEST

START_TEST(test_bind_literals)
{
	static const char *const good[] = { "0.0.0.0", "::", "::1", "10.1.2.3", "fe80::1" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct config c;
		char err[256];

		ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--bind", good[i]), err, sizeof(err)), 0);
		ck_assert_str_eq(c.bind, good[i]);
		config_fini(&c);
	}
}
END_TEST

/* One bad command line and the exact message it must produce. */
struct bad_case {
	const char *args[6];
	const char *message;
};

#define PORT_MSG(v) "--port: '" v "' is not a port number (0-65535)"
#define SIZE_MSG(v) "--max-file-size: '" v "' is not a size (1 byte to 512M; suffix K, M or G, e.g. 16M)"
#define BIND_MSG(v) "--bind: '" v "' is not an IPv4 or IPv6 address (e.g. 127.0.0.1 or ::1)"

static const struct bad_case bad_cases[] = {
	{ { "--port", "70000" }, PORT_MSG("70000") },
	{ { "--port", "65536" }, PORT_MSG("65536") },
	{ { "--port", "-1" }, PORT_MSG("-1") },
	{ { "--port", "+80" }, PORT_MSG("+80") },
	{ { "--port", " 80" }, PORT_MSG(" 80") },
	{ { "--port", "80 " }, PORT_MSG("80 ") },
	{ { "--port", "80a" }, PORT_MSG("80a") },
	{ { "--port", "0x50" }, PORT_MSG("0x50") },
	{ { "--port=99999999999999999999999" }, PORT_MSG("99999999999999999999999") },
	{ { "--port=4294967376" }, PORT_MSG("4294967376") }, /* 2^32 + 80 must not wrap */
	{ { "--threads", "0" }, "--threads: '0' is not a thread count (1-256)" },
	{ { "--threads", "257" }, "--threads: '257' is not a thread count (1-256)" },
	{ { "--timeout", "0" }, "--timeout: '0' is not a number of seconds (1-3600)" },
	{ { "--timeout=3601" }, "--timeout: '3601' is not a number of seconds (1-3600)" },
	{ { "--max-connections", "0" },
	  "--max-connections: '0' is not a connection count (1-100000)" },
	{ { "--max-connections", "100001" },
	  "--max-connections: '100001' is not a connection count (1-100000)" },
	{ { "--max-file-size", "0" }, SIZE_MSG("0") },
	{ { "--max-file-size", "0K" }, SIZE_MSG("0K") },
	{ { "--max-file-size", "16X" }, SIZE_MSG("16X") },
	{ { "--max-file-size", "16MB" }, SIZE_MSG("16MB") },
	{ { "--max-file-size", "K" }, SIZE_MSG("K") },
	{ { "--max-file-size", "2G" }, SIZE_MSG("2G") },
	{ { "--max-file-size", "1G" }, SIZE_MSG("1G") },
	{ { "--threads", "8", "--max-connections", "2" },
	  "--max-connections (2) must be at least --threads (8)" },
	{ { "--max-header-size", "32K", "--max-query", "17K" },
	  "--max-query (17408) must be at most half of --max-header-size (32768): the query "
	  "shares that memory" },
	{ { "--max-results", "0" }, "--max-results: '0' is not a number of results (1-100)" },
	{ { "--max-results", "101" }, "--max-results: '101' is not a number of results (1-100)" },
	{ { "--max-header-size", "8K" },
	  "--max-header-size: '8K' is not a size (16K to 16M; suffix K, M or G)" },
	{ { "--max-connections-per-ip", "-1" },
	  "--max-connections-per-ip: '-1' is not a connection count (0-100000, 0 for no limit)" },
	{ { "--max-file-size", "1073741825" }, SIZE_MSG("1073741825") },
	{ { "--max-file-size", "18014398509481985K" }, SIZE_MSG("18014398509481985K") },
	{ { "--bind", "localhost" }, BIND_MSG("localhost") },
	{ { "--bind", "[::1]" }, BIND_MSG("[::1]") },
	{ { "--bind", "1.2.3" }, BIND_MSG("1.2.3") },
	{ { "--bind", "127.0.0.1 " }, BIND_MSG("127.0.0.1 ") },
	{ { "--log-format", "xml" }, "--log-format: 'xml' is not a log format (text or json)" },
	{ { "--log-format", "JSON" }, "--log-format: 'JSON' is not a log format (text or json)" },
	{ { "--prot", "1" }, "unknown option '--prot' (see skilld --help)" },
	{ { "--prot=1" }, "unknown option '--prot' (see skilld --help)" },
	{ { "-p", "1" }, "unknown option '-p' (see skilld --help)" },
	{ { "--port" }, "--port: missing value, expected a port number (0-65535)" },
	{ { "--db", "--port", "1" }, "--db: missing value, expected a database file path" },
	{ { "--skills", "--" }, "--skills: missing value, expected a skills directory" },
	{ { "--port=" }, "--port: empty value, expected a port number (0-65535)" },
	{ { "--db", "" }, "--db: empty value, expected a database file path" },
	{ { "--json" }, "--json: only valid with 'skilld check' (see skilld --help)" },
	{ { "--help=yes" }, "--help: takes no value" },
	{ { "--version=1" }, "--version: takes no value" },
	{ { "serve", "extra" },
	  "unexpected argument 'extra' (serve takes none; roots go in --skills DIR)" },
	{ { "--port", "1", "check", "d" },
	  "unexpected argument 'check' (the command comes first: skilld check ...)" },
	{ { "--", "x" }, "unexpected argument 'x' (serve takes none; roots go in --skills DIR)" },
	{ { "frobnicate" }, "unknown command 'frobnicate' (serve, check or backup; see skilld --help)" },
	{ { "" }, "unknown command '' (serve, check or backup; see skilld --help)" },
	{ { "check" }, "check: missing DIR (usage: skilld check [--json] DIR...)" },
	{ { "check", "--json" }, "check: missing DIR (usage: skilld check [--json] DIR...)" },
	{ { "check", "--json=yes", "d" }, "--json: takes no value" },
	{ { "check", "--port", "1", "d" },
	  "--port: not an option of 'skilld check' (see skilld --help)" },
	{ { "check", "d", "--skills", "x" },
	  "--skills: not an option of 'skilld check' (see skilld --help)" },
	/* hostile values stay on one line */
	{ { "--bind", "a\nb\x1b[31m\r" }, BIND_MSG("a\\x0Ab\\x1B[31m\\x0D") },
	{ { "--x\ny=1" }, "unknown option '--x\\x0Ay' (see skilld --help)" },
	{ { "--log-format", "\x7f" "caf\xc3\xa9" },
	  "--log-format: '\\x7Fcaf\xc3\xa9' is not a log format (text or json)" },
};

START_TEST(test_bad_command_lines)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV, bc->args, err, sizeof(err)), -1);
	ck_assert_str_eq(err, bc->message);
	ck_assert_ptr_null(strchr(err, '\n'));
	config_fini(&c);
}
END_TEST

START_TEST(test_long_values_are_cut)
{
	struct config c;
	char err[512];
	char value[201], expected[300];

	memset(value, 'x', 200);
	value[200] = '\0';
	snprintf(expected, sizeof(expected), "--bind: '%.64s...' is not an IPv4 or IPv6 address "
		 "(e.g. 127.0.0.1 or ::1)", value);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--bind", value), err, sizeof(err)), -1);
	ck_assert_str_eq(err, expected);
	config_fini(&c);

	/* a cut never splits a UTF-8 character: 63 x then a 2-byte é */
	memset(value, 'x', 63);
	strcpy(value + 63, "\xc3\xa9zzzz");
	snprintf(expected, sizeof(expected), "--bind: '%.63s...' is not an IPv4 or IPv6 address "
		 "(e.g. 127.0.0.1 or ::1)", value);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--bind", value), err, sizeof(err)), -1);
	ck_assert_str_eq(err, expected);
	config_fini(&c);
}
END_TEST

START_TEST(test_small_error_buffer_is_truncated_safely)
{
	struct config c;
	char err[12];

	memset(err, '#', sizeof(err));
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--port", "70000"), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "--port: '70");
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--port", "70000"), NULL, 0), -1);
	config_fini(&c);
}
END_TEST

/* One bad environment and the exact message it must produce. */
struct bad_env {
	const char *name, *value;
	const char *message;
};

static const struct bad_env bad_envs[] = {
	{ "SKILLD_PORT", "70000", "SKILLD_PORT: '70000' is not a port number (0-65535)" },
	{ "SKILLD_THREADS", "0", "SKILLD_THREADS: '0' is not a thread count (1-256)" },
	{ "SKILLD_TIMEOUT", "soon", "SKILLD_TIMEOUT: 'soon' is not a number of seconds (1-3600)" },
	{ "SKILLD_MAX_CONNECTIONS", "1e3",
	  "SKILLD_MAX_CONNECTIONS: '1e3' is not a connection count (1-100000)" },
	{ "SKILLD_MAX_FILE_SIZE", "0",
	  "SKILLD_MAX_FILE_SIZE: '0' is not a size (1 byte to 512M; suffix K, M or G, e.g. 16M)" },
	{ "SKILLD_BIND", "example.com",
	  "SKILLD_BIND: 'example.com' is not an IPv4 or IPv6 address (e.g. 127.0.0.1 or ::1)" },
	{ "SKILLD_LOG_FORMAT", "yaml", "SKILLD_LOG_FORMAT: 'yaml' is not a log format (text or json)" },
};

START_TEST(test_bad_environment)
{
	const struct bad_env *be = &bad_envs[_i];
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, ENV(be->name, be->value), NO_ARGS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, be->message);
	config_fini(&c);
}
END_TEST

START_TEST(test_help_and_version_win_anywhere)
{
	struct config c;
	char err[256];
	const char *const *bad = ENV("SKILLD_PORT", "junk");

	ck_assert_int_eq(parse(&c, bad, ARGS("--help"), err, sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_HELP);
	config_fini(&c);
	ck_assert_int_eq(parse(&c, bad, ARGS("--prot", "99999", "-h"), err, sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_HELP);
	config_fini(&c);
	ck_assert_int_eq(parse(&c, bad, ARGS("frobnicate", "--version"), err, sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_VERSION);
	config_fini(&c);
	ck_assert_int_eq(parse(&c, bad, ARGS("check", "-V"), err, sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_VERSION);
	config_fini(&c);
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("-V", "--help"), err, sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_VERSION);
	config_fini(&c);
	/* after `--` they are directories */
	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("check", "--", "-h", "--version"), err,
			       sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_CHECK);
	ck_assert_uint_eq(c.n_check_dirs, 2);
	ck_assert_str_eq(c.check_dirs[0], "-h");
	ck_assert_str_eq(c.check_dirs[1], "--version");
	config_fini(&c);
}
END_TEST

START_TEST(test_check_command)
{
	struct config c;
	char err[256];
	const char *const *env = ENV("SKILLD_PORT", "junk", "SKILLD_MAX_FILE_SIZE", "4K",
				     "SKILLD_SKILLS", "ignored");

	ck_assert_int_eq(parse(&c, env, ARGS("check", "a", "--json", "b/c", "-"), err, sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_CHECK);
	ck_assert(c.check_json);
	ck_assert_uint_eq(c.n_check_dirs, 3);
	ck_assert_str_eq(c.check_dirs[0], "a");
	ck_assert_str_eq(c.check_dirs[1], "b/c");
	ck_assert_str_eq(c.check_dirs[2], "-");
	ck_assert_uint_eq(c.max_file_size, 4096);   /* from the environment */
	ck_assert_uint_eq(c.n_skills, 1);           /* SKILLD_SKILLS is serve's */
	ck_assert_str_eq(c.skills[0], "./skills");
	config_fini(&c);

	ck_assert_int_eq(parse(&c, env, ARGS("check", "--max-file-size=1M", "d"), err, sizeof(err)), 0);
	ck_assert(!c.check_json);
	ck_assert_uint_eq(c.max_file_size, 1u << 20);
	config_fini(&c);

	ck_assert_int_eq(parse(&c, ENV("SKILLD_MAX_FILE_SIZE", "lots"), ARGS("check", "d"),
			       err, sizeof(err)), -1);
	ck_assert_str_eq(err, "SKILLD_MAX_FILE_SIZE: 'lots' is not a size "
			 "(1 byte to 512M; suffix K, M or G, e.g. 16M)");
	config_fini(&c);
}
END_TEST

START_TEST(test_serve_command_word)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("serve", "--port", "81"), err, sizeof(err)), 0);
	ck_assert_int_eq(c.command, CMD_SERVE);
	ck_assert_uint_eq(c.port, 81);
	config_fini(&c);
}
END_TEST

START_TEST(test_null_getenv_reads_nothing)
{
	struct config c;
	char err[256];
	char *argv[] = { (char *)"skilld", (char *)"--port", (char *)"5", NULL };

	ck_assert_int_eq(config_parse(&c, 3, argv, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.port, 5);
	config_fini(&c);
	ck_assert_int_eq(config_parse(&c, 1, argv, config_getenv, err, sizeof(err)), 0);
	config_fini(&c);
}
END_TEST

START_TEST(test_usage_text)
{
	static const char *const must[] = {
		"--skills", "SKILLD_SKILLS", "--db", "SKILLD_DB", "--bind", "SKILLD_BIND",
		"--port", "SKILLD_PORT", "--threads", "SKILLD_THREADS", "--token-file",
		"SKILLD_TOKEN_FILE", "--log-format", "SKILLD_LOG_FORMAT", "--max-file-size",
		"SKILLD_MAX_FILE_SIZE", "--timeout", "SKILLD_TIMEOUT", "--max-connections",
		"SKILLD_MAX_CONNECTIONS", "--migrations", "SKILLD_MIGRATIONS", "--json",
		"--help", "--version", "-h", "-V", "skilld check", "serve",
		"./skills", "./skilld.db", "127.0.0.1", "8080", "16M", "1024",
		"http://127.0.0.1:8080/", "http://127.0.0.1:8080/api/v1/skills",
		"Exit status: 0 ok, 1 check found errors or startup failed, 2 usage error.",
	};
	const char *u = config_usage();
	size_t lines = 0;

	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		ck_assert_msg(strstr(u, must[i]) != NULL, "usage lacks %s", must[i]);
	for (const char *p = u; *p; ) {
		const char *nl = strchr(p, '\n');

		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(nl - p <= 80, "line %zu has %td columns", lines + 1, nl - p);
		ck_assert_ptr_null(memchr(p, '\t', (size_t)(nl - p)));
		lines++;
		p = nl + 1;
	}
	ck_assert_uint_le(lines, 100);
	ck_assert_uint_ge(lines, 20);
}
END_TEST

/* The security options: hosts, origins, limits, root labels. */
START_TEST(test_security_options)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(parse(&c, NO_ENV, NO_ARGS, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.allowed_hosts.n, 0);
	ck_assert_uint_eq(c.cors_origins.n, 0);
	ck_assert_uint_eq(c.max_mcp_output, 8u << 20);
	ck_assert_uint_eq(c.max_query_args, 32);
	ck_assert_uint_eq(c.session_ttl, 43200);
	ck_assert_ptr_null(c.skill_labels[0]);
	config_fini(&c);

	ck_assert_int_eq(parse(&c, NO_ENV, ARGS("--allowed-host", "skills.example.com",
						"--allowed-host=[::1]", "--cors-origin",
						"https://app.example.com:8443", "--max-mcp-output", "64K",
						"--max-query-args", "256", "--session-ttl", "60",
						"--skills", "team=/srv/a", "--skills", "./x=y", "--skills",
						"/srv/b"),
			       err, sizeof(err)), 0);
	ck_assert_uint_eq(c.allowed_hosts.n, 2);
	ck_assert_str_eq(c.allowed_hosts.v[0], "skills.example.com");
	ck_assert_str_eq(c.allowed_hosts.v[1], "[::1]");
	ck_assert_str_eq(c.cors_origins.v[0], "https://app.example.com:8443");
	ck_assert_uint_eq(c.max_mcp_output, 64u << 10);
	ck_assert_uint_eq(c.max_query_args, 256);
	ck_assert_uint_eq(c.session_ttl, 60);
	ck_assert_uint_eq(c.n_skills, 3);
	ck_assert_str_eq(c.skills[0], "/srv/a");
	ck_assert_str_eq(c.skill_labels[0], "team");
	ck_assert_str_eq(c.skills[1], "./x=y");
	ck_assert_ptr_null(c.skill_labels[1]);
	ck_assert_str_eq(c.skills[2], "/srv/b");
	ck_assert_ptr_null(c.skill_labels[2]);
	config_fini(&c);

	/* lists from the environment; a flag replaces the variable */
	ck_assert_int_eq(parse(&c, ENV("SKILLD_ALLOWED_HOSTS", "a.example, b.example",
				       "SKILLD_CORS_ORIGINS", "http://localhost:3000",
				       "SKILLD_SKILLS", "one=/srv/1:/srv/2"),
			       NO_ARGS, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.allowed_hosts.n, 2);
	ck_assert_str_eq(c.allowed_hosts.v[1], "b.example");
	ck_assert_str_eq(c.cors_origins.v[0], "http://localhost:3000");
	ck_assert_str_eq(c.skill_labels[0], "one");
	ck_assert_str_eq(c.skills[1], "/srv/2");
	config_fini(&c);

	static const char *const bad[][2] = {
		{ "--allowed-host", "a b" }, { "--allowed-host", "host:8080" },
		{ "--allowed-host", "http://x" }, { "--allowed-host", "[::1" },
		{ "--allowed-host", "-x" }, { "--cors-origin", "*" },
		{ "--cors-origin", "https://x.example/" }, { "--cors-origin", "x.example" },
		{ "--cors-origin", "ftp://x.example" }, { "--cors-origin", "http://x:0" },
		{ "--cors-origin", "null" }, { "--max-mcp-output", "1K" },
		{ "--max-query-args", "0" }, { "--max-query-args", "257" },
		{ "--session-ttl", "59" }, { "--skills", "team=" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(&c, NO_ENV, ARGS(bad[i][0], bad[i][1]), err, sizeof(err)) == -1,
			      "%s %s", bad[i][0], bad[i][1]);
		ck_assert_ptr_nonnull(strstr(err, bad[i][0]));
		config_fini(&c);
	}
	ck_assert_int_eq(parse(&c, ENV("SKILLD_ALLOWED_HOSTS", "ok.example,bad_host!"), NO_ARGS,
			       err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "SKILLD_ALLOWED_HOSTS"));
	config_fini(&c);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_security_options);
	tcase_add_test(tc, test_reviews_db_and_backup);
	tcase_add_test(tc, test_every_flag_separate_value);
	tcase_add_test(tc, test_every_flag_equals_value);
	tcase_add_test(tc, test_value_may_contain_equals_and_start_with_dash);
	tcase_add_test(tc, test_last_value_wins);
	tcase_add_test(tc, test_every_env_variable);
	tcase_add_test(tc, test_env_skills_list_skips_empty_entries);
	tcase_add_test(tc, test_empty_env_counts_as_unset);
	tcase_add_test(tc, test_flags_override_env);
	tcase_add_test(tc, test_flag_makes_bad_env_irrelevant);
	tcase_add_test(tc, test_repeated_skills_accumulate_and_replace_default);
	tcase_add_test(tc, test_numeric_bounds_accepted);
	tcase_add_test(tc, test_size_suffixes);
	tcase_add_test(tc, test_bind_literals);
	tcase_add_loop_test(tc, test_bad_command_lines, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_long_values_are_cut);
	tcase_add_test(tc, test_small_error_buffer_is_truncated_safely);
	tcase_add_loop_test(tc, test_bad_environment, 0,
			    (int)(sizeof(bad_envs) / sizeof(bad_envs[0])));
	tcase_add_test(tc, test_help_and_version_win_anywhere);
	tcase_add_test(tc, test_check_command);
	tcase_add_test(tc, test_serve_command_word);
	tcase_add_test(tc, test_null_getenv_reads_nothing);
	tcase_add_test(tc, test_usage_text);
	suite_add_tcase(s, tc);
	return s;
}
