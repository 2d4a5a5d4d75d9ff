/* SPDX-License-Identifier: MIT */
/*
 * The one Check runner. The Makefile passes the list of suites (one per
 * tests/check_<module>.c) as ALL_SUITES, or a single ONE_SUITE for
 * `make unit MOD=...`. Without arguments every suite but the corpus suite
 * runs; `test_runner corpus` runs only the suites that need ../shared/corpora;
 * `test_runner NAME...` runs the named suites (NAME_suite).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ONE_SUITE
Suite *ONE_SUITE(void);
#define SUITE_LIST X(ONE_SUITE)
#else
#define SUITE_LIST ALL_SUITES
#endif

#define X(s) Suite *s(void);
SUITE_LIST
#undef X

struct entry {
	const char *name;
	Suite *(*make)(void);
};

#define STR2(x) #x
#define STR(x) STR2(x)
#define X(s) { STR(s), s },
static const struct entry suites[] = { SUITE_LIST };
#undef X

static int wanted(const char *name, int argc, char **argv)
{
	int is_corpus = strncmp(name, "corpus", 6) == 0;

	if (argc < 2)
		return !is_corpus;
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (strcmp(argv[i], "corpus") == 0 && is_corpus)
			return 1;
		if (strncmp(name, argv[i], n) == 0 && strcmp(name + n, "_suite") == 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	SRunner *sr = NULL;
	int failed;

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (!wanted(suites[i].name, argc, argv))
			continue;
		if (!sr)
			sr = srunner_create(suites[i].make());
		else
			srunner_add_suite(sr, suites[i].make());
	}
	if (!sr) {
		fprintf(stderr, "test_runner: no suite matches\n");
		return 2;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
