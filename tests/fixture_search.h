/* SPDX-License-Identifier: MIT */
/*
 * The skill the search suites index (search reads its rows, searchrows
 * writes them): "gamma", whose SKILL.md holds the snippet markers, with a
 * reference file that has headings inside and outside a fence and a setext
 * one, a checklist with a titled and an untitled item, and one eval.
 */
#ifndef SKILLD_FIXTURE_SEARCH_H
#define SKILLD_FIXTURE_SEARCH_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "skilld/store/search.h"
#include "testutil.h"

static const char fx_gamma_md[] =
	"---\nname: gamma\ndescription: Checks café menus for allergen labelling.\n---\n"
	"# Gamma\n\nBody text mentions zebra near " SEARCH_MARK_OPEN "marker" SEARCH_MARK_CLOSE
	" characters.\n";

static const char fx_notes_md[] =
	"Intro paragraph about walrus.\n\n"
	"# Notes\n\n"
	"## First part\n\nAlpha text about penguins.\n\n"
	"```sh\n# not a heading capybara\n```\n\n"
	"Setext Heading\n--------------\n\nText under setext about ostrich.\n\n"
	"## Second part ##\n\nBeta text about narwhal.\n";

static const char fx_checklist_md[] =
	"# Gamma — Code Review Checklist\n\n## 1. Things\n\n"
	"- [ ] **G1 — Quokka check** — Is the quokka fed?\n"
	"- [ ] plain item about a wombat without any title that goes on for quite a long time\n";

static const char fx_evals_json[] =
	"{\"evals\":[{\"id\":\"eval-koala\",\"prompt\":\"Review the koala enclosure\","
	"\"expectations\":[\"Flags the missing eucalyptus\"]}]}";

/* Writes gamma under dir/skills; returns that path (free()). */
static inline char *fx_write_gamma(const char *dir)
{
	char *root;

	if (asprintf(&root, "%s/skills", dir) < 0)
		abort();
	tu_write_str(root, "gamma/SKILL.md", fx_gamma_md);
	tu_write_str(root, "gamma/references/notes.md", fx_notes_md);
	tu_write_str(root, "gamma/references/review-checklist.md", fx_checklist_md);
	tu_write_str(root, "gamma/evals/evals.json", fx_evals_json);
	return root;
}

/* The only hit of a search for q on rd (asserting total 1 and no next
 * page); *res is the whole answer, which the caller deletes. */
static inline const cJSON *fx_only_hit(struct store_reader *rd, const char *q, cJSON **res)
{
	struct search_query sq = { .q = q };
	char err[256] = "";
	int total;

	ck_assert_msg(search_run(rd, &sq, res, err, sizeof(err)) == 0, "%s: %s", q, err);
	total = cJSON_GetObjectItemCaseSensitive(*res, "total")->valueint;
	ck_assert_msg(total == 1, "%s: total %d", q, total);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(*res, "next_cursor")));
	return cJSON_GetArrayItem(cJSON_GetObjectItem(*res, "data"), 0);
}

#endif
