/* SPDX-License-Identifier: MIT */
/*
 * fuzz_skill: libFuzzer target for the whole per-skill pipeline. The input
 * is written as SKILL.md into one temporary skill folder per process, then
 * scan_root and skill_analyze read it back (inventory, frontmatter,
 * validation, quality tier) and every JSON form of the record is rendered.
 * Slower than the parser targets because each input touches the disk.
 * Single threaded: the folder is the only state kept between inputs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"
#include "skilld/indexing/scan.h"
#include "skilld/indexing/skill.h"
#include "skilld/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest file skill_analyze keeps in memory, as with --max-file-size. */
#define FUZZ_MAX_FILE (1u << 20)

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n", msg);
		abort();
	}
}

/* Paths of the per-process folder; the strings live until exit. */
struct fuzz_dirs {
	char *root;      /* the temporary root */
	char *skill_md;  /* root/fuzz-skill/SKILL.md */
	char *skill_dir; /* root/fuzz-skill */
};

/* Removes the temporary folder at exit. */
static void fuzz_cleanup(void);

/* The per-process folder, created on first use. A process-wide cache is
 * unavoidable here: libFuzzer calls the target many times per process, and
 * creating a folder per input would dominate the run time. */
static const struct fuzz_dirs *fuzz_dirs(void)
{
	static struct fuzz_dirs dirs;
	char tmpl[] = "/tmp/skilld-fuzz-XXXXXX";

	if (dirs.root)
		return &dirs;
	if (!mkdtemp(tmpl)) {
		perror("fuzz_skill: mkdtemp");
		abort();
	}
	dirs.root = xstrdup(tmpl);
	dirs.skill_dir = xasprintf("%s/fuzz-skill", tmpl);
	dirs.skill_md = xasprintf("%s/SKILL.md", dirs.skill_dir);
	if (mkdir(dirs.skill_dir, 0700) != 0) {
		perror("fuzz_skill: mkdir");
		abort();
	}
	atexit(fuzz_cleanup);
	return &dirs;
}

/* Removes the SKILL.md, the skill folder and the root, in that order. */
static void fuzz_cleanup(void)
{
	const struct fuzz_dirs *d = fuzz_dirs();

	unlink(d->skill_md);
	rmdir(d->skill_dir);
	rmdir(d->root);
}

/* Writes data[0..size) to path, replacing it. */
static void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror("fuzz_skill: write SKILL.md");
		abort();
	}
}

/* Renders a cJSON value, drops the text and frees the value; NULL allowed. */
static void fuzz_render_free(cJSON *value)
{
	char *text;

	if (!value)
		return;
	text = cJSON_PrintUnformatted(value);
	free(text);
	cJSON_Delete(value);
}

/* Indexes data[0..size) as the only SKILL.md of a root. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_dirs *d = fuzz_dirs();
	struct scan_result sr;
	struct diag_list diags;

	fuzz_write(d->skill_md, data, size);
	scan_result_init(&sr);
	diag_list_init(&diags);
	fuzz_require(scan_root(d->root, &sr, &diags) == 0, "scan_root failed on its own root");
	fuzz_require(sr.len == 1, "the skill folder was not found exactly once");
	for (size_t i = 0; i < sr.len; i++) {
		struct skill_record r;

		skill_analyze(d->root, sr.root, &sr.skills[i], FUZZ_MAX_FILE, &r);
		fuzz_require(r.body != NULL && r.check != NULL, "record without body or check");
		r.slug = skill_slug_base(&r);
		fuzz_require(r.slug[0] != '\0', "empty slug");
		fuzz_render_free(skill_summary_json(&r));
		fuzz_render_free(skill_detail_json(&r));
		fuzz_render_free(skill_files_json(&r));
		fuzz_render_free(skill_checklist_json(&r));
		skill_record_fini(&r);
	}
	scan_result_fini(&sr);
	diag_list_fini(&diags);
	return 0;
}
