/* SPDX-License-Identifier: MIT */
/*
 * agents: /llms.txt and /llms-full.txt, the llms.txt convention, built from
 * what the indexer stored: the skill summaries, each skill's file list and
 * the raw SKILL.md bytes. Both answers are markdown; absolute URLs follow the
 * request's Host header as the pages' do (request_base_url). Runs on worker
 * threads, each with its own reader connection; nothing is shared.
 */
#include "skilld/handlers/agents.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/handlers/api.h"
#include "skilld/app/app.h"
#include "skilld/store/store.h"
#include "skilld/base/util.h"
#include "skilld/handlers/web.h"

#define REFERENCES_DIR "references/"

/* The content type: text/markdown when the client asked for markdown,
 * text/plain for everyone else (browsers show it, curl prints it). */
static const char *agents_content_type(const struct request *req)
{
	return request_negotiate(req) == FORMAT_MD ? format_content_type(FORMAT_MD) : CT_TEXT;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Appends s on one line: every run of white space (newlines included)
 * becomes one space, none at either end. escape_brackets backslash-escapes
 * '[', ']' and '\' so that s can be a link's text. */
static void md_one_line(struct buf *b, const char *s, bool escape_brackets)
{
	bool pending = false, started = false;

	for (; s && *s; s++) {
		if (is_space(*s)) {
			pending = started;
			continue;
		}
		if (pending)
			buf_putc(b, ' ');
		pending = false;
		started = true;
		if (escape_brackets && (*s == '[' || *s == ']' || *s == '\\'))
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
}

/* Appends "{base}/skills/{slug}" (the slug encoded). */
static void skill_url(struct buf *b, const char *base, const char *slug)
{
	buf_puts(b, base);
	buf_puts(b, "/skills/");
	url_encode(b, slug, "/");
}

/* Appends one "- [slug: path](url)" line per file of the skill under
 * references/, in the stored (path) order. 0, or -1 after a 503 in res. */
static int references_md(struct app *app, struct store_reader *r, struct response *res,
			 struct buf *b, const char *base, const char *slug)
{
	struct store_skill sk;
	const cJSON *f;
	cJSON *files = NULL;
	int rc = store_skill_get(r, slug, &sk);

	if (rc < 0) {
		api_db_error(app, r, res, "reading a skill's files");
		return -1;
	}
	if (rc == 1 && sk.files.p)
		files = cJSON_ParseWithLength(sk.files.p, sk.files.len);
	cJSON_ArrayForEach(f, files) {
		const char *path = jstr(f, "path");

		if (!path || strncmp(path, REFERENCES_DIR, strlen(REFERENCES_DIR)) != 0)
			continue;
		buf_puts(b, "- [");
		md_one_line(b, slug, true);
		buf_puts(b, ": ");
		md_one_line(b, path, true);
		buf_puts(b, "](");
		skill_url(b, base, slug);
		buf_putc(b, '/');
		url_encode(b, path, "/");
		buf_puts(b, "?format=md)\n");
	}
	cJSON_Delete(files);
	return 0;
}

/* Takes b's bytes as a 200 answer in the negotiated type. */
static void agents_answer(struct request *req, struct response *res, struct buf *b)
{
	size_t len;
	char *text = buf_detach(b, &len);

	response_take(res, 200, agents_content_type(req), text, len);
	res->markdown = true;
	response_header(res, "Vary", "Accept");
}

void agents_llms_txt(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	cJSON *skills = api_all_skills_json(app, res);
	struct store_reader *r;
	struct buf b, refs;
	const cJSON *s;
	char *base;
	int n;

	if (!skills)
		return;
	r = api_reader(app, res);
	if (!r) {
		cJSON_Delete(skills);
		return;
	}
	base = request_base_url(req, app->cfg->bind, app->port);
	n = cJSON_GetArraySize(skills);
	buf_init(&b);
	buf_init(&refs);
	buf_printf(&b, "# skilld\n\n> %d Agent Skill%s served by this skilld instance: folders of "
		   "instructions, references and scripts that an agent loads when a task matches "
		   "a skill's description.\n\n", n, n == 1 ? "" : "s");
	buf_printf(&b, "Read a skill's raw SKILL.md at %s/skills/{slug}?format=md and its "
		   "references at %s/skills/{slug}/references/{file}?format=md. The JSON API "
		   "lists every skill at %s/api/v1/skills; %s/llms-full.txt holds every SKILL.md "
		   "in one file.\n\n## Skills\n\n", base, base, base, base);
	cJSON_ArrayForEach(s, skills) {
		const char *slug = jstr(s, "slug"), *name = jstr(s, "name");
		const char *description = jstr(s, "description");

		if (!slug)
			continue;
		buf_puts(&b, "- [");
		md_one_line(&b, name && *name ? name : slug, true);
		buf_puts(&b, "](");
		skill_url(&b, base, slug);
		buf_puts(&b, "?format=md)");
		if (description && *description) {
			buf_puts(&b, ": ");
			md_one_line(&b, description, false);
		}
		buf_putc(&b, '\n');
		if (references_md(app, r, res, &refs, base, slug) != 0)
			goto out;
	}
	if (refs.len > 0) {
		buf_puts(&b, "\n## Optional\n\n");
		buf_append(&b, refs.data, refs.len);
	}
	agents_answer(req, res, &b);
out:
	buf_fini(&b);   /* harmless after buf_detach */
	buf_fini(&refs);
	cJSON_Delete(skills);
	free(base);
}

/* Appends one skill's section of llms-full.txt. 0, or -1 after a 503. */
static int skill_md_full(struct app *app, struct store_reader *r, struct response *res,
			 struct buf *b, const char *base, const char *slug)
{
	struct store_file md;
	int rc = store_file_of_kind(r, slug, "skill", &md);

	if (rc < 0) {
		api_db_error(app, r, res, "reading a SKILL.md");
		return -1;
	}
	if (b->len > 0)
		buf_putc(b, '\n');
	buf_puts(b, "# ");
	buf_puts(b, slug);
	buf_puts(b, "\n\nSource: ");
	skill_url(b, base, slug);
	buf_puts(b, "?format=md\n\n");
	if (rc == 1 && md.content.p) {
		if (md.content.len > 0) {
			buf_append(b, md.content.p, md.content.len);
			if (md.content.p[md.content.len - 1] != '\n')
				buf_putc(b, '\n');
		}
	} else {
		buf_puts(b, "(SKILL.md is not stored: it is larger than the server's "
			 "--max-file-size.)\n");
	}
	return 0;
}

void agents_llms_full_txt(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	cJSON *skills = api_all_skills_json(app, res);
	struct store_reader *r;
	const cJSON *s;
	struct buf b;
	char *base;

	if (!skills)
		return;
	r = api_reader(app, res);
	if (!r) {
		cJSON_Delete(skills);
		return;
	}
	base = request_base_url(req, app->cfg->bind, app->port);
	buf_init(&b);
	cJSON_ArrayForEach(s, skills) {
		const char *slug = jstr(s, "slug");

		if (slug && skill_md_full(app, r, res, &b, base, slug) != 0)
			goto out;
	}
	agents_answer(req, res, &b);
out:
	buf_fini(&b);   /* harmless after buf_detach */
	cJSON_Delete(skills);
	free(base);
}
