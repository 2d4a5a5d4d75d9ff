/* SPDX-License-Identifier: MIT */
/*
 * cli: `skilld check DIR...`. Uses the same scan and skill analysis as the
 * indexer, so the diagnostics and tiers are those the server reports. Slugs
 * (which depend on every other skill and root) are the server's business and
 * are not printed. Untrusted text (paths, messages) is escaped before it
 * reaches the terminal. Single threaded.
 */
#include "skilld/app/cli.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"
#include "skilld/indexing/scan.h"
#include "skilld/indexing/skill.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "skilld/store/reviewdb.h"

struct totals {
	size_t skills, valid, errors, warnings;
	size_t tiers[5]; /* none, bronze, silver, gold, platinum */
};

static size_t tier_index(const char *tier)
{
	static const char *const names[] = { "bronze", "silver", "gold", "platinum" };

	for (size_t i = 0; tier && i < 4; i++)
		if (strcmp(tier, names[i]) == 0)
			return i + 1;
	return 0;
}

/* Prints s[0..n) with control characters (as \xNN) and invalid UTF-8
 * escaped: a file name must not be able to move the cursor or recolour the
 * terminal. */
static void put_escaped_n(FILE *out, const char *s, size_t n)
{
	char *clean = utf8_repair(s, n, NULL);

	for (const unsigned char *p = (const unsigned char *)clean; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
	free(clean);
}

static void put_escaped(FILE *out, const char *s)
{
	put_escaped_n(out, s, strlen(s));
}

static void print_diag(FILE *out, const struct diag *d)
{
	fprintf(out, "  %-7s ", diag_severity_name(d->severity));
	put_escaped(out, d->path ? d->path : "-");
	if (d->line)
		fprintf(out, ":%d:%d", d->line, d->column);
	fputs(": ", out);
	put_escaped(out, d->message);
	fprintf(out, " [%s]\n", d->code);
}

static void print_text_skill(FILE *out, const char *root, const struct skill_record *r)
{
	size_t e = diag_count(&r->diags, DIAG_ERROR), w = diag_count(&r->diags, DIAG_WARNING);

	size_t n = strlen(root);

	/* "skills/" and "skills" both print as skills/<folder> */
	while (n > 1 && root[n - 1] == '/')
		n--;
	put_escaped_n(out, root, n);
	if (!(n == 1 && root[0] == '/'))
		fputc('/', out);
	put_escaped(out, r->rel[0] ? r->rel : ".");
	fprintf(out, ": %s, tier %s, %zu error%s, %zu warning%s\n", r->valid ? "valid" : "INVALID",
		r->tier ? r->tier : "none", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
	for (size_t i = 0; i < r->diags.len; i++)
		if (r->diags.items[i].severity != DIAG_INFO)
			print_diag(out, &r->diags.items[i]);
}

static cJSON *skill_check_json(const char *root, const struct skill_record *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *errors = cJSON_CreateArray(), *warnings = cJSON_CreateArray();
	const char *name = frontmatter_string(&r->fm, "name");
	cJSON *checks = cJSON_GetObjectItemCaseSensitive(r->check, "checks");

	cJSON_AddStringToObject(o, "root", root);
	cJSON_AddStringToObject(o, "path", r->rel[0] ? r->rel : ".");
	if (name)
		cJSON_AddStringToObject(o, "name", name);
	else
		cJSON_AddNullToObject(o, "name");
	cJSON_AddBoolToObject(o, "valid", r->valid);
	if (r->tier)
		cJSON_AddStringToObject(o, "tier", r->tier);
	else
		cJSON_AddNullToObject(o, "tier");
	for (size_t i = 0; i < r->diags.len; i++) {
		const struct diag *d = &r->diags.items[i];

		if (d->severity == DIAG_ERROR)
			cJSON_AddItemToArray(errors, diag_to_json(d));
		else if (d->severity == DIAG_WARNING)
			cJSON_AddItemToArray(warnings, diag_to_json(d));
	}
	cJSON_AddItemToObject(o, "errors", errors);
	cJSON_AddItemToObject(o, "warnings", warnings);
	cJSON_AddItemToObject(o, "checks", checks ? cJSON_Duplicate(checks, 1) : cJSON_CreateArray());
	return o;
}

static void check_root(const struct config *cfg, const char *root, struct totals *t,
		       struct diag_list *folder_diags, cJSON *skills_json, FILE *out)
{
	struct scan_result sr;
	struct diag_list diags;

	scan_result_init(&sr);
	diag_list_init(&diags);
	scan_root(root, &sr, &diags);
	for (size_t i = 0; i < sr.len; i++) {
		struct skill_record r;

		skill_analyze(root, sr.root, &sr.skills[i], cfg->max_file_size, &r);
		t->skills++;
		t->valid += r.valid;
		t->errors += diag_count(&r.diags, DIAG_ERROR);
		t->warnings += diag_count(&r.diags, DIAG_WARNING);
		t->tiers[tier_index(r.tier)]++;
		if (skills_json)
			cJSON_AddItemToArray(skills_json, skill_check_json(root, &r));
		else
			print_text_skill(out, root, &r);
		skill_record_fini(&r);
	}
	t->errors += diag_count(&diags, DIAG_ERROR);
	t->warnings += diag_count(&diags, DIAG_WARNING);
	if (!skills_json && diags.len) {
		fprintf(out, "%s: %zu diagnostic%s outside any served skill\n", root, diags.len,
			diags.len == 1 ? "" : "s");
		for (size_t i = 0; i < diags.len; i++)
			print_diag(out, &diags.items[i]);
	}
	diag_list_move(folder_diags, &diags);
	scan_result_fini(&sr);
}

int cli_check(const struct config *cfg, FILE *out, FILE *err)
{
	struct totals t = { 0 };
	struct diag_list folder_diags;
	cJSON *root = NULL, *skills = NULL;

	(void)err;
	diag_list_init(&folder_diags);
	if (cfg->check_json) {
		root = cJSON_CreateObject();
		skills = cJSON_AddArrayToObject(root, "skills");
	}
	for (size_t i = 0; i < cfg->n_check_dirs; i++)
		check_root(cfg, cfg->check_dirs[i], &t, &folder_diags, skills, out);
	if (root) {
		cJSON *diags = cJSON_AddArrayToObject(root, "diagnostics");
		cJSON *sum = cJSON_AddObjectToObject(root, "summary");
		char *text, *fixed;

		for (size_t i = 0; i < folder_diags.len; i++)
			cJSON_AddItemToArray(diags, diag_to_json(&folder_diags.items[i]));
		cJSON_AddNumberToObject(sum, "skills", (double)t.skills);
		cJSON_AddNumberToObject(sum, "valid", (double)t.valid);
		cJSON_AddNumberToObject(sum, "errors", (double)t.errors);
		cJSON_AddNumberToObject(sum, "warnings", (double)t.warnings);
		text = cJSON_Print(root);
		fixed = utf8_repair(text, strlen(text), NULL);
		fprintf(out, "%s\n", fixed);
		free(fixed);
		cJSON_free(text);
		cJSON_Delete(root);
	} else {
		fprintf(out, "%zu skill%s: %zu valid, %zu invalid; tiers: %zu platinum, %zu gold, "
			"%zu silver, %zu bronze, %zu none; %zu error%s, %zu warning%s\n",
			t.skills, t.skills == 1 ? "" : "s", t.valid, t.skills - t.valid, t.tiers[4],
			t.tiers[3], t.tiers[2], t.tiers[1], t.tiers[0], t.errors,
			t.errors == 1 ? "" : "s", t.warnings, t.warnings == 1 ? "" : "s");
	}
	diag_list_fini(&folder_diags);
	return t.errors ? 1 : 0;
}

int cli_backup(const struct config *cfg, FILE *out, FILE *err)
{
	char msg[512];

	if (reviewdb_is_uri(cfg->reviews_db)) {
		fprintf(err, "skilld: backup: the reviews are in PostgreSQL (--store): back them up "
			"with pg_dump\n");
		return 1;
	}
	if (reviewdb_backup_file(cfg->reviews_db, cfg->backup_dest, msg, sizeof(msg)) != 0) {
		fprintf(err, "skilld: backup: %s\n", msg);
		return 1;
	}
	fprintf(out, "skilld: the reviews in %s are copied to %s\n", cfg->reviews_db,
		cfg->backup_dest);
	return 0;
}
