/* SPDX-License-Identifier: MIT */
/*
 * search-time: times search_run in process, one thread, on an index a
 * skilld built (no HTTP, no other client), so that two builds can be
 * compared on the same queries:
 *
 *   search-time DB ROUNDS QUERY...      per query: matches, best and median
 *                                       ms of ROUNDS runs
 *   search-time -j DB QUERY...          per query: the answer's JSON, one a line
 *   search-time -x DB QUERY...          per query: how many of the first 10 hits
 *                                       the exhaustive ranking shares
 *
 * Linked against the library archive of the tree it measures (make
 * build/search-time), so an old tree's archive gives the old timings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skilld/store/search.h"
#include "skilld/store/store.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One search of q (exhaustive when asked): the answer, or NULL after a
 * message on stderr. The caller deletes it. */
static cJSON *run(struct store_reader *r, const char *q, bool exhaustive)
{
	struct search_query sq = { .q = q, .exhaustive = exhaustive };
	char err[256];
	cJSON *res = NULL;
	int64_t gen;

	if (store_reader_begin(r, &gen) != 0) {
		fprintf(stderr, "search-time: begin: %s\n", store_errmsg(r));
		return NULL;
	}
	if (search_run(r, &sq, &res, err, sizeof(err)) != 0)
		fprintf(stderr, "search-time: %s: %s\n", q, err);
	store_reader_end(r);
	return res;
}

/* How many urls of a's first 10 hits are among b's first 10. */
static int shared_top10(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	int n = 0, i = 0;

	cJSON_ArrayForEach(x, cJSON_GetObjectItem(a, "data")) {
		int j = 0;

		if (i++ == 10)
			break;
		cJSON_ArrayForEach(y, cJSON_GetObjectItem(b, "data")) {
			if (j++ == 10)
				break;
			if (!strcmp(cJSON_GetObjectItem(x, "url")->valuestring,
				    cJSON_GetObjectItem(y, "url")->valuestring)) {
				n++;
				break;
			}
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	char mode = 't', err[256];
	struct store_reader *r;
	int rounds = 1, first = 3, status = 0;

	if (argc > 1 && (!strcmp(argv[1], "-j") || !strcmp(argv[1], "-x"))) {
		mode = argv[1][1];
		argv++;
		argc--;
		first = 2;
	} else if (argc > 2) {
		rounds = atoi(argv[2]);
	}
	if (argc <= first || rounds < 1) {
		fprintf(stderr, "usage: search-time DB ROUNDS QUERY... | -j DB QUERY... | -x DB QUERY...\n");
		return 2;
	}
	r = store_reader_open(argv[1], err, sizeof(err));
	if (!r) {
		fprintf(stderr, "search-time: %s\n", err);
		return 1;
	}
	for (int a = first; a < argc; a++) {
		const char *q = argv[a];
		double *ms = calloc((size_t)rounds, sizeof(*ms));
		cJSON *res = NULL;

		for (int k = 0; k < rounds; k++) {
			double t0 = now_ms();

			cJSON_Delete(res);
			res = run(r, q, false);
			ms[k] = now_ms() - t0;
			if (!res)
				break;
		}
		if (!res) {
			status = 1;
		} else if (mode == 'j') {
			char *s = cJSON_PrintUnformatted(res);

			printf("%s\n", s);
			cJSON_free(s);
		} else if (mode == 'x') {
			cJSON *ex = run(r, q, true);

			printf("%-24s top10 shared with exhaustive: %d\n", q, ex ? shared_top10(res, ex) : -1);
			cJSON_Delete(ex);
		} else {
			const cJSON *t = cJSON_GetObjectItem(res, "total");

			qsort(ms, (size_t)rounds, sizeof(*ms), cmp_double);
			printf("%-24s total %s%-7d best %8.3f ms  median %8.3f ms\n", q,
			       cJSON_IsTrue(cJSON_GetObjectItem(res, "total_exact")) ? "" : ">",
			       t ? t->valueint : -1, ms[0], ms[rounds / 2]);
		}
		cJSON_Delete(res);
		free(ms);
	}
	store_reader_close(r);
	return status;
}
