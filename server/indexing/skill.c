/* SPDX-License-Identifier: MIT */
/*
 * skill: turns one scanned folder into a skill record (inventory,
 * frontmatter, body, checklists, evals, validation) and renders the record's
 * JSON forms. A record is built and used by one thread.
 */
#include "skilld/indexing/skill.h"

#include <stdlib.h>
#include <string.h>

#include "skilld/indexing/checklist.h"
#include "skilld/indexing/evals.h"
#include "skilld/indexing/render.h"
#include "skilld/base/text.h"
#include "skilld/base/tokens.h"
#include "skilld/base/util.h"
#include "skilld/indexing/validate.h"

#define PRIMARY_CHECKLIST "references/review-checklist.md"
#define EVALS_FILE "evals/evals.json"

bool skill_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* Joins the skill's folder and a path inside it, for diagnostics. */
static char *rel_join(const struct skill_record *r, const char *path)
{
	return r->rel[0] ? xasprintf("%s/%s", r->rel, path) : xstrdup(path);
}

/* Is the line that ends right before body (the frontmatter's closing
 * line) exactly `---`, as clients' frontmatter patterns want? */
static bool closing_line_bare(const char *md, size_t len, const char *body)
{
	const char *end = body, *start;

	if (!body || body < md || body > md + len)
		return false;
	if (end > md && end[-1] == '\n')
		end--;
	if (end > md && end[-1] == '\r')
		end--;
	start = end;
	while (start > md && start[-1] != '\n')
		start--;
	return end - start == 3 && memcmp(start, "---", 3) == 0;
}

const char *skill_extension_problem(const struct skill_listing *s, cJSON **frontmatter)
{
	const char *md = s->skill_md;
	size_t len = s->skill_md_len;
	struct frontmatter fm;
	struct diag_list diags;
	const char *why = NULL;

	if (frontmatter)
		*frontmatter = NULL;
	if (!s->name || !skill_name_valid(s->name))
		return "its name is missing or breaks the Agent Skills naming rules (1 to 64 of "
		       "a-z, 0-9 and '-', no '-' first, last or twice), and the extension's URIs "
		       "end with the name";
	if (!s->valid)
		return "it is not valid (`skilld check` and /api/v1/diagnostics list its errors)";
	if (strcmp(s->name, s->slug) != 0)
		return "it is served under another slug than its name (another skill of its "
		       "root has the name), and the extension's URIs end with the name";
	if (s->files > SKILL_EXT_MAX_FILES)
		return "it has more than 512 files, the extension's limit per skill";
	if (s->bytes > SKILL_EXT_MAX_BYTES)
		return "its files hold more than 16 MiB, the extension's limit per skill";
	if (!s->complete)
		return "a file is over --max-file-size, so its bytes and digest are not stored "
		       "and the skill's list of files with digests cannot be complete";
	if (!md || !utf8_valid(md, len) || memchr(md, '\0', len))
		return "its SKILL.md is not UTF-8 text (or holds a NUL byte), which clients read "
		       "and verify as text";
	if (!((len >= 4 && memcmp(md, "---\n", 4) == 0) ||
		     (len >= 5 && memcmp(md, "---\r\n", 5) == 0)))
		return "its SKILL.md does not start with a bare `---` line (a byte order mark, "
		       "or blanks after the dashes), so clients cannot read its frontmatter as "
		       "served";
	if (!s->skill_md_path || strcmp(s->skill_md_path, "SKILL.md") != 0)
		return "its SKILL.md is named otherwise (skill.md), and the extension's URIs end "
		       "with /SKILL.md";
	diag_list_init(&diags);
	if (frontmatter_parse_typed(md, len, "SKILL.md", &fm, &diags) != 0 || diags.len > 0) {
		why = "its frontmatter does not read the same in every YAML parser (see the "
		      "frontmatter warnings when typed: tags, keys that are numbers, integers "
		      "beyond 2^53, many aliases)";
	} else if (!closing_line_bare(md, len, fm.body)) {
		why = "the line that closes its frontmatter is not a bare `---` (blanks after the "
		      "dashes), so clients cannot read its frontmatter as served";
	} else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(fm.fields, "name")) ||
		   strcmp(cJSON_GetObjectItemCaseSensitive(fm.fields, "name")->valuestring,
			  s->slug) != 0) {
		why = "its name reads as a number or a boolean in YAML (quote it), and the "
		      "extension's entries hold the name as text";
	} else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(fm.fields, "description"))) {
		why = "its description reads as a number or a boolean in YAML (quote it), and "
		      "the extension's entries hold the description as text";
	} else if (frontmatter) {
		*frontmatter = cJSON_Duplicate(fm.fields, 1);
	}
	frontmatter_fini(&fm);
	diag_list_fini(&diags);
	return why;
}

void skill_note_extension(struct skill_record *r)
{
	struct skill_listing l = {
		.valid = r->valid, .name = frontmatter_string(&r->fm, "name"), .slug = r->slug,
		.files = r->files.len, .complete = true,
		.skill_md = r->skill_md ? r->skill_md->content : NULL,
		.skill_md_len = r->skill_md ? r->skill_md->content_len : 0,
		.skill_md_path = r->skill_md ? r->skill_md->path : NULL,
	};
	const char *why;
	char *md_path;

	for (size_t i = 0; i < r->files.len; i++) {
		l.bytes += r->files.items[i].size;
		if (!r->files.items[i].content || !r->files.items[i].digest[0])
			l.complete = false;
	}
	why = skill_extension_problem(&l, NULL);
	if (!why)
		return;
	md_path = rel_join(r, r->skill_md ? r->skill_md->path : "SKILL.md");
	diag_add(&r->diags, DIAG_WARNING, "skills-extension-unlisted", md_path, 0, 0,
		 "not listed by the MCP Skills extension (skills/list, skills/get; its files "
		 "stay readable as resources): %s", why);
	free(md_path);
}

/* Lines of a stored text file, or -1 when absent or not stored. */
static int file_lines(const struct skill_record *r, const char *path)
{
	const struct skill_file *f = file_list_find(&r->files, path);

	if (!f || !f->content)
		return -1;
	return (int)text_count_lines(f->content, f->content_len);
}

static bool is_direct_child(const char *path, const char *dir, const char **name)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) != 0 || path[n] != '/' || strchr(path + n + 1, '/'))
		return false;
	*name = path + n + 1;
	return true;
}

/* Files that look like placeholders: under references/, scripts/ or
 * examples/, stored, empty or with one byte that is not white space (as
 * the one-byte scripts/example.py of published collections). They count toward the tier's checks (a reference, a
 * script) but give an agent nothing, so each gets a warning. */
#define PLACEHOLDER_BYTES 2

static void note_placeholders(struct skill_record *r)
{
	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];
		size_t solid = 0;
		char *path;

		if (!f->content || (strncmp(f->path, "references/", 11) != 0 &&
				    strncmp(f->path, "scripts/", 8) != 0 &&
				    strncmp(f->path, "examples/", 9) != 0))
			continue;
		for (size_t k = 0; k < f->content_len && solid < PLACEHOLDER_BYTES; k++)
			if (!strchr(" \t\r\n\f\v", f->content[k]) || f->content[k] == '\0')
				solid++;
		if (solid >= PLACEHOLDER_BYTES)
			continue;
		path = rel_join(r, f->path);
		diag_add(&r->diags, DIAG_WARNING, "placeholder-file", path, 0, 0,
			 "%s holds %zu byte%s: a placeholder? It counts toward the quality tier "
			 "but gives an agent nothing", f->path, f->content_len,
			 f->content_len == 1 ? "" : "s");
		free(path);
	}
}

static void count_files(struct skill_record *r, int *reference_md, int *scripts)
{
	struct skill_counts *c = &r->counts;

	*reference_md = 0;
	*scripts = 0;
	c->files = (int)r->files.len;
	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];
		const char *name;

		if (strncmp(f->path, "references/", 11) == 0)
			c->references++;
		if (is_direct_child(f->path, "references", &name) && str_has_suffix(name, ".md"))
			(*reference_md)++;
		if (strncmp(f->path, "scripts/", 8) == 0) {
			c->scripts++;
			if (is_direct_child(f->path, "scripts", &name) && name[0] != '.')
				(*scripts)++;
		}
		if (f->kind == FILE_ASSET)
			c->assets++;
		if (f->kind == FILE_EXAMPLE)
			c->examples++;
	}
}

static void parse_checklists(struct skill_record *r)
{
	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];
		struct skill_checklist *cl;
		char *path;

		if (f->kind != FILE_CHECKLIST || !f->content)
			continue;
		path = rel_join(r, f->path);
		r->checklists = xrealloc(r->checklists, (r->n_checklists + 1) * sizeof(*r->checklists));
		cl = &r->checklists[r->n_checklists++];
		cl->file = f;
		cl->parsed = checklist_parse_diag(f->content, f->content_len, path, &r->diags);
		r->counts.checklist_items += checklist_item_count(cl->parsed);
		free(path);
	}
}

static void parse_evals(struct skill_record *r, struct skill_facts *facts)
{
	const struct skill_file *f = file_list_find(&r->files, EVALS_FILE);
	struct evals_summary sum = { 0 };
	char *path;

	if (!f)
		return;
	facts->evals_present = true;
	path = rel_join(r, EVALS_FILE);
	if (!f->content) {
		diag_add(&r->diags, DIAG_WARNING, "evals-not-read", path, 0, 0,
			 "evals.json was not read (too large or unreadable), so the evals are not served");
	} else if (evals_parse(f->content, f->content_len, path, &r->evals, &sum, &r->diags) == 0) {
		facts->evals_valid = sum.valid;
		facts->evals_count = sum.count;
		facts->prompt_avg_lines = sum.prompt_avg_lines;
		facts->expectations_avg = sum.expectations_avg;
		r->counts.evals = sum.count;
	}
	free(path);
}

int skill_analyze(const char *root, const char *root_abs, const struct scan_skill *sk,
		  size_t max_file_size, struct skill_record *out)
{
	struct skill_facts facts = { 0 };
	char *md_path;
	cJSON *empty = NULL;
	int rc = 0;
	cJSON *tier;

	memset(out, 0, sizeof(*out));
	diag_list_init(&out->diags);
	file_list_init(&out->files);
	out->root = xstrdup(root);
	out->rel = xstrdup(sk->rel);
	out->folder = xstrdup(sk->folder);
	md_path = rel_join(out, sk->skill_md);
	if (scan_skill_files(root_abs, sk->dir, max_file_size, &out->files, &out->diags) != 0)
		rc = -1;
	file_list_digest(&out->files, out->digest);
	out->skill_md = file_list_find(&out->files, sk->skill_md);

	if (out->skill_md && out->skill_md->content) {
		frontmatter_parse(out->skill_md->content, out->skill_md->content_len, md_path,
				  &out->fm, &out->diags);
		if (out->fm.present && !out->fm.ok) {
			/* Half a mapping read before a YAML error is not trustworthy
			 * (a bad indent can glue two keys into one value): serve none. */
			cJSON_Delete(out->fm.fields);
			out->fm.fields = cJSON_CreateObject();
		}
		/* NUL and invalid UTF-8 become U+FFFD: the body travels as a C
		 * string and as JSON (the file's own bytes stay untouched). */
		out->body = utf8_repair(out->fm.body, out->fm.body_len, NULL);
		facts.skill_md_lines = (int)text_count_lines(out->skill_md->content,
							     out->skill_md->content_len);
		facts.body_lines = (int)text_count_lines(out->fm.body, out->fm.body_len);
		if (!out->skill_md->text)
			diag_add(&out->diags, DIAG_WARNING, "skill-md-not-utf8", md_path, 0, 0,
				 "SKILL.md is not valid UTF-8 text; invalid bytes are served as they are");
	} else {
		diag_add(&out->diags, DIAG_ERROR, "skill-md-unreadable", md_path, 0, 0,
			 "%s could not be read (too large for --max-file-size, or unreadable), "
			 "so the skill has no frontmatter", sk->skill_md);
		out->body = xstrdup("");
		out->fm.fields = cJSON_CreateObject();
	}
	count_files(out, &facts.reference_md_count, &facts.script_count);
	note_placeholders(out);
	parse_checklists(out);
	parse_evals(out, &facts);

	facts.folder = out->folder;
	facts.skill_md_path = md_path;
	facts.fields = out->fm.fields ? out->fm.fields : (empty = cJSON_CreateObject());
	facts.frontmatter_present = out->fm.present;
	facts.frontmatter_ok = out->fm.ok;
	facts.before_lines = file_lines(out, "examples/before.md");
	facts.after_lines = file_lines(out, "examples/after.md");
	out->check = validate_skill(&facts, &out->diags);
	cJSON_Delete(empty);

	out->valid = diag_count(&out->diags, DIAG_ERROR) == 0;
	cJSON_ReplaceItemInObject(out->check, "valid", cJSON_CreateBool(out->valid));
	cJSON_ReplaceItemInObject(out->check, "errors",
				  cJSON_CreateNumber((double)diag_count(&out->diags, DIAG_ERROR)));
	cJSON_ReplaceItemInObject(out->check, "warnings",
				  cJSON_CreateNumber((double)diag_count(&out->diags, DIAG_WARNING)));
	tier = cJSON_GetObjectItemCaseSensitive(out->check, "tier");
	out->tier = NULL;
	if (cJSON_IsString(tier)) {
		static const char *const tiers[] = { "bronze", "silver", "gold", "platinum" };
		for (size_t i = 0; i < 4; i++)
			if (strcmp(tier->valuestring, tiers[i]) == 0)
				out->tier = tiers[i];
	}
	free(md_path);
	return rc;
}

/* render_opts.file_exists over the skill's own files. */
static bool skill_has_file(void *ctx, const char *path)
{
	const struct skill_record *r = ctx;

	return file_list_find(&r->files, path) != NULL;
}

/* Renders md with links resolved for a document in doc_dir of the skill
 * slug (its SKILL.md at skill_md, its files known to exists): links and
 * mentions of its files go to their pages, of SKILL.md to the skill's.
 * Index time and request time (skill_render_doc) both come here, so a
 * page rendered when asked is the one the index would have kept. */
static void render_in_skill(const char *slug, const char *skill_md,
			    bool (*exists)(void *ctx, const char *path), void *ctx, const char *md,
			    size_t len, const char *doc_dir, const char *path, struct diag_list *diags,
			    char **html, cJSON **toc)
{
	char *base = xasprintf("/skills/%s/", slug);
	struct render_opts opts = { .link_base = base, .doc_dir = doc_dir, .heading_anchors = true,
				    .skill_md = skill_md, .file_exists = exists, .file_ctx = ctx,
				    .diags = diags, .path = path };
	struct render_result out;

	render_markdown(md, len, &opts, &out);
	*html = out.html;
	*toc = out.toc;
	out.html = NULL;
	out.toc = NULL;
	render_result_fini(&out);
	free(base);
}

static void render_doc(struct skill_record *r, const char *md, size_t len, const char *doc_dir,
		       const char *path, char **html, cJSON **toc)
{
	render_in_skill(r->slug, r->skill_md ? r->skill_md->path : NULL, skill_has_file, r, md, len,
			doc_dir, path, &r->diags, html, toc);
}

/* The folder of a path inside the skill ("references" for references/a.md). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
}

/* Renders the markdown string member key of obj and stores it as
 * html_key; inline drops the <p> around a single paragraph. */
static void render_member(struct skill_record *r, cJSON *obj, const char *key,
			  const char *html_key, const char *doc_dir, bool inline_only)
{
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *html = NULL;
	cJSON *toc = NULL;
	size_t n;

	if (!cJSON_IsString(text) || !*text->valuestring)
		return;
	render_doc(r, text->valuestring, strlen(text->valuestring), doc_dir, NULL, &html, &toc);
	n = strlen(html);
	if (inline_only && n >= 8 && strncmp(html, "<p>", 3) == 0 &&
	    strcmp(html + n - 5, "</p>\n") == 0 && !strstr(html + 3, "<p>")) {
		memmove(html, html + 3, n - 8);
		html[n - 8] = '\0';
	}
	cJSON_AddStringToObject(obj, html_key, html);
	free(html);
	cJSON_Delete(toc);
}

/* Adds rendered HTML next to the markdown of a parsed checklist: "html" for
 * every item's text (inline), "<key>_html" for intros, red flags and
 * workflow steps. */
static void render_checklist_items(struct skill_record *r, cJSON *node, const char *doc_dir)
{
	static const char *const blocks[] = { "intro", "red_flags", "extra" };
	cJSON *child;

	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return;
	if (cJSON_IsObject(node) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(node, "shape"))) {
		render_member(r, node, "text", "html", doc_dir, true);
		return;
	}
	if (cJSON_IsObject(node)) {
		for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
			char *key = xasprintf("%s_html", blocks[i]);

			render_member(r, node, blocks[i], key, doc_dir, false);
			free(key);
		}
		if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(node, "step")))
			render_member(r, node, "text", "text_html", doc_dir, true);
	}
	cJSON_ArrayForEach(child, node)
		render_checklist_items(r, child, doc_dir);
}

/* The paths of a skill's files, sorted as its detail lists them. */
struct path_list {
	const char **v;
	size_t n;
};

static int cmp_path_key(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int cmp_paths(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* render_opts.file_exists over a path_list. */
static bool path_listed(void *ctx, const char *path)
{
	const struct path_list *l = ctx;

	return l->n && bsearch(path, l->v, l->n, sizeof(*l->v), cmp_path_key) != NULL;
}

int skill_render_doc(const char *slug, const cJSON *files, const char *doc_path, const char *md,
		     size_t len, char **html, cJSON **toc)
{
	struct path_list l = { xcalloc((size_t)cJSON_GetArraySize(files) + 1, sizeof(char *)), 0 };
	const char *skill_md = NULL;
	const cJSON *f;
	char *dir;
	int rc = -1;

	cJSON_ArrayForEach(f, files) {
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(f, "path");
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(f, "kind");

		if (!cJSON_IsString(path))
			continue;
		l.v[l.n++] = path->valuestring;
		if (cJSON_IsString(kind) && strcmp(kind->valuestring, "skill") == 0)
			skill_md = path->valuestring;
	}
	/* in path order already, as the detail lists them; sorted again all
	 * the same, since bsearch depends on it */
	qsort(l.v, l.n, sizeof(*l.v), cmp_paths);
	if (doc_path && ((skill_md && strcmp(doc_path, skill_md) == 0) ||
			 !str_has_suffix(doc_path, ".md")))
		goto out;
	dir = doc_path ? dir_of(doc_path) : xstrdup("");
	render_in_skill(slug, skill_md, path_listed, &l, md, len, dir, NULL, NULL, html, toc);
	free(dir);
	rc = 0;
out:
	free(l.v);
	return rc;
}

void skill_render(struct skill_record *r)
{
	r->file_html = xcalloc(r->files.len ? r->files.len : 1, sizeof(*r->file_html));
	render_doc(r, r->body, strlen(r->body), "", NULL, &r->body_html, &r->body_toc);
	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];
		char *dir, *path;

		if (f == r->skill_md || !f->content || !f->text || !str_has_suffix(f->path, ".md"))
			continue;
		dir = dir_of(f->path);
		path = rel_join(r, f->path);
		render_doc(r, f->content, f->content_len, dir, path, &r->file_html[i].html,
			   &r->file_html[i].toc);
		free(dir);
		free(path);
	}
	for (size_t i = 0; i < r->n_checklists; i++) {
		char *dir = dir_of(r->checklists[i].file->path);

		render_checklist_items(r, r->checklists[i].parsed, dir);
		free(dir);
	}
}

void skill_record_fini(struct skill_record *r)
{
	free(r->root);
	free(r->rel);
	free(r->folder);
	free(r->slug);
	free(r->body);
	frontmatter_fini(&r->fm);
	for (size_t i = 0; i < r->n_checklists; i++)
		cJSON_Delete(r->checklists[i].parsed);
	free(r->checklists);
	cJSON_Delete(r->evals);
	cJSON_Delete(r->check);
	free(r->body_html);
	cJSON_Delete(r->body_toc);
	for (size_t i = 0; r->file_html && i < r->files.len; i++) {
		free(r->file_html[i].html);
		cJSON_Delete(r->file_html[i].toc);
	}
	free(r->file_html);
	file_list_fini(&r->files);
	diag_list_fini(&r->diags);
	memset(r, 0, sizeof(*r));
}

char *skill_slug_base(const struct skill_record *r)
{
	const char *name = frontmatter_string(&r->fm, "name");
	struct buf b;

	if (name && skill_name_valid(name))
		return xstrdup(name);
	if (skill_name_valid(r->folder))
		return xstrdup(r->folder);
	buf_init(&b);
	for (const char *p = r->folder; *p && b.len < 64; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (b.len == 0 || b.data[b.len - 1] == '-'))
			continue;
		buf_putc(&b, c);
	}
	while (b.len > 0 && b.data[b.len - 1] == '-')
		b.data[--b.len] = '\0';
	if (b.len == 0) {
		buf_printf(&b, "skill-%.8s", r->digest);
	}
	return buf_detach(&b, NULL);
}

const struct skill_checklist *skill_primary_checklist(const struct skill_record *r)
{
	for (size_t i = 0; i < r->n_checklists; i++)
		if (strcmp(r->checklists[i].file->path, PRIMARY_CHECKLIST) == 0)
			return &r->checklists[i];
	return r->n_checklists ? &r->checklists[0] : NULL;
}

static void add_string_or_null(cJSON *o, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(o, key, value);
	else
		cJSON_AddNullToObject(o, key);
}

int64_t skill_updated(const struct skill_record *r)
{
	int64_t t = 0;

	for (size_t i = 0; i < r->files.len; i++)
		if (r->files.items[i].mtime > t)
			t = r->files.items[i].mtime;
	return t;
}

cJSON *skill_summary_json(const struct skill_record *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *c;
	char *url;

	cJSON_AddStringToObject(o, "slug", r->slug);
	add_string_or_null(o, "name", frontmatter_string(&r->fm, "name"));
	add_string_or_null(o, "description", frontmatter_string(&r->fm, "description"));
	cJSON_AddStringToObject(o, "path", r->rel[0] ? r->rel : ".");
	cJSON_AddStringToObject(o, "root", r->root);
	cJSON_AddBoolToObject(o, "valid", r->valid);
	add_string_or_null(o, "tier", r->tier);
	cJSON_AddStringToObject(o, "digest", r->digest);
	jadd_time(o, "updated", (double)skill_updated(r) * 1000.0, false);
	c = cJSON_AddObjectToObject(o, "counts");
	cJSON_AddNumberToObject(c, "files", r->counts.files);
	cJSON_AddNumberToObject(c, "references", r->counts.references);
	cJSON_AddNumberToObject(c, "checklist_items", r->counts.checklist_items);
	cJSON_AddNumberToObject(c, "evals", r->counts.evals);
	cJSON_AddNumberToObject(c, "scripts", r->counts.scripts);
	cJSON_AddNumberToObject(c, "assets", r->counts.assets);
	cJSON_AddNumberToObject(c, "examples", r->counts.examples);
	url = xasprintf("/api/v1/skills/%s", r->slug);
	cJSON_AddStringToObject(o, "url", url);
	free(url);
	url = xasprintf("/skills/%s", r->slug);
	cJSON_AddStringToObject(o, "html_url", url);
	free(url);
	return o;
}

cJSON *skill_files_json(const struct skill_record *r)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "path", f->path);
		cJSON_AddStringToObject(o, "kind", file_kind_name(f->kind));
		cJSON_AddNumberToObject(o, "size", (double)f->size);
		/* null for a file over --max-file-size: it was not read whole */
		add_string_or_null(o, "digest", f->digest[0] ? f->digest : NULL);
		jadd_time(o, "updated", (double)f->mtime * 1000.0, false);
		cJSON_AddStringToObject(o, "mime", f->mime);
		cJSON_AddBoolToObject(o, "text", f->text);
		cJSON_AddBoolToObject(o, "stored", f->content != NULL);
		if (f->text)
			cJSON_AddNumberToObject(o, "tokens", (double)tokens_estimate(f->size));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

cJSON *skill_checklist_json(const struct skill_record *r)
{
	const struct skill_checklist *cl = skill_primary_checklist(r);
	cJSON *o, *extra;

	if (!cl)
		return NULL;
	o = cJSON_Duplicate(cl->parsed, 1);
	cJSON_AddStringToObject(o, "skill", r->slug);
	cJSON_AddStringToObject(o, "path", cl->file->path);
	cJSON_AddStringToObject(o, "digest", cl->file->digest);
	extra = cJSON_AddArrayToObject(o, "other_checklists");
	for (size_t i = 0; i < r->n_checklists; i++)
		if (&r->checklists[i] != cl)
			cJSON_AddItemToArray(extra, cJSON_CreateString(r->checklists[i].file->path));
	return o;
}

cJSON *skill_detail_json(const struct skill_record *r)
{
	cJSON *o = skill_summary_json(r);
	const struct skill_checklist *cl = skill_primary_checklist(r);
	cJSON *diags;

	cJSON_AddItemToObject(o, "frontmatter", cJSON_Duplicate(r->fm.fields, 1));
	cJSON_AddStringToObject(o, "body", r->body);
	cJSON_AddItemToObject(o, "files", skill_files_json(r));
	if (cl) {
		cJSON *c = cJSON_AddObjectToObject(o, "checklist");
		cJSON *title = cJSON_GetObjectItemCaseSensitive(cl->parsed, "title");
		cJSON *sections = cJSON_GetObjectItemCaseSensitive(cl->parsed, "sections");
		char *url = xasprintf("/api/v1/skills/%s/checklist", r->slug);

		cJSON_AddStringToObject(c, "path", cl->file->path);
		add_string_or_null(c, "title", cJSON_IsString(title) ? title->valuestring : NULL);
		cJSON_AddNumberToObject(c, "sections", cJSON_GetArraySize(sections));
		cJSON_AddNumberToObject(c, "items", checklist_item_count(cl->parsed));
		cJSON_AddStringToObject(c, "digest", cl->file->digest);
		cJSON_AddStringToObject(c, "url", url);
		free(url);
	} else {
		cJSON_AddNullToObject(o, "checklist");
	}
	cJSON_AddItemToObject(o, "quality", cJSON_Duplicate(r->check, 1));
	diags = cJSON_AddArrayToObject(o, "diagnostics");
	for (size_t i = 0; i < r->diags.len; i++)
		cJSON_AddItemToArray(diags, diag_to_json(&r->diags.items[i]));
	return o;
}
