/* SPDX-License-Identifier: MIT */
/* Tests for db: migration loading and ordering, failing migrations, readers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/store/db.h"
#include "skilld/store/store.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *db_suite(void);

START_TEST(test_project_migrations_apply)
{
	struct migration_set set;
	char err[256] = "";
	char *dir = tu_mkdtemp();
	char *path = xasprintf("%s/t.db", dir);
	sqlite3_stmt *ps = NULL;
	sqlite3 *db;

	ck_assert_int_eq(migration_set_load("migrations", &set, err, sizeof(err)), 0);
	ck_assert_int_eq(set.items[0].version, 1);
	ck_assert_str_eq(set.items[0].name, "0001_initial.sql");
	ck_assert_int_eq(db_open_writer(path, &db, err, sizeof(err)), 0);
	ck_assert_int_eq(db_migrate(db, &set, err, sizeof(err)), 0);
	ck_assert_int_eq(db_user_version(db), (int)set.len);
	/* a database it creates has 16 KiB pages */
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &ps, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(ps), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(ps, 0), 16384);
	sqlite3_finalize(ps);
	/* applying again is a no-op */
	ck_assert_int_eq(db_migrate(db, &set, err, sizeof(err)), 0);
	sqlite3_close(db);

	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_int_eq(store_skill_count(r), 0);
	store_reader_close(r);
	migration_set_fini(&set);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_builtin_migrations_are_the_folder)
{
	struct migration_set dir, builtin;
	char err[256] = "";

	ck_assert_int_eq(migration_set_load("migrations", &dir, err, sizeof(err)), 0);
	ck_assert_msg(migration_set_builtin(&builtin, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(builtin.len, dir.len);
	for (size_t i = 0; i < dir.len; i++) {
		ck_assert_str_eq(builtin.items[i].name, dir.items[i].name);
		ck_assert_str_eq(builtin.items[i].sql, dir.items[i].sql);
	}
	migration_set_fini(&dir);
	migration_set_fini(&builtin);
}
END_TEST

START_TEST(test_failing_migration_keeps_previous_version)
{
	struct migration_set set;
	char err[256] = "";
	char *dir = tu_mkdtemp();
	char *mig = xasprintf("%s/m", dir);
	char *path = xasprintf("%s/t.db", dir);
	sqlite3 *db;

	tu_write_str(dir, "m/0001_first.sql", "CREATE TABLE a (x INTEGER);");
	tu_write_str(dir, "m/0002_broken.sql", "CREATE TABLE b (y INTEGER);\nCREATE TABLEX oops;");
	ck_assert_int_eq(migration_set_load(mig, &set, err, sizeof(err)), 0);
	ck_assert_int_eq(db_open_writer(path, &db, err, sizeof(err)), 0);
	ck_assert_int_eq(db_migrate(db, &set, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "0002_broken.sql") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "syntax error") != NULL, "%s", err);
	ck_assert_int_eq(db_user_version(db), 1);
	/* the failed migration's first statement was rolled back too */
	ck_assert_int_eq(sqlite3_exec(db, "SELECT * FROM b", NULL, NULL, NULL), SQLITE_ERROR);
	ck_assert_int_eq(sqlite3_exec(db, "SELECT * FROM a", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	migration_set_fini(&set);
	free(mig);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_migration_set_rejects_gaps)
{
	struct migration_set set;
	char err[256] = "";
	char *dir = tu_mkdtemp();

	tu_write_str(dir, "0001_a.sql", "SELECT 1;");
	tu_write_str(dir, "0003_c.sql", "SELECT 1;");
	tu_write_str(dir, "README", "not a migration");
	ck_assert_int_eq(migration_set_load(dir, &set, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "0003_c.sql") != NULL, "%s", err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_newer_database_is_refused)
{
	struct migration_set set;
	char err[256] = "";
	char *dir = tu_mkdtemp();
	char *path = xasprintf("%s/t.db", dir);
	sqlite3 *db;

	ck_assert_int_eq(migration_set_load("migrations", &set, err, sizeof(err)), 0);
	ck_assert_int_eq(db_open_writer(path, &db, err, sizeof(err)), 0);
	sqlite3_exec(db, "PRAGMA user_version=999", NULL, NULL, NULL);
	ck_assert_int_eq(db_migrate(db, &set, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "999") != NULL, "%s", err);
	sqlite3_close(db);
	migration_set_fini(&set);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_project_migrations_apply);
	tcase_add_test(tc, test_failing_migration_keeps_previous_version);
	tcase_add_test(tc, test_builtin_migrations_are_the_folder);
	tcase_add_test(tc, test_migration_set_rejects_gaps);
	tcase_add_test(tc, test_newer_database_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
