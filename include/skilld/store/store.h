/* SPDX-License-Identifier: MIT */
/*
 * store: every read of the index that answers a request. The SQL and the
 * columns live here and nowhere else: handlers, MCP tools and pages call
 * typed reads (store_skill_get, store_file_get, store_skills_page, ...)
 * and never see a statement. Each request thread has its own read-only
 * connection with every statement prepared once (store_reader); a request
 * reads one snapshot of the index between store_reader_begin and
 * store_reader_end.
 *
 * Values read are borrowed: the pointers in a struct a read fills stay
 * valid until the next read on the same reader, or store_reader_end;
 * those a callback is given, until the callback returns. Copy what must
 * live longer. The large values (a file's bytes, rendered HTML, most JSON
 * answers) are stored packed (pack.h) and given out unpacked, in the
 * reader's own buffers. A NULL pointer
 * is SQL NULL (no such value); a present value of zero length has a
 * non-NULL pointer.
 *
 * Reads return 1 (found), 0 (no such row) or -1 (a database error:
 * store_errmsg says which); lists return -1 on an error and otherwise what
 * their comment says.
 */
#ifndef SKILLD_STORE_H
#define SKILLD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "skilld/base/log.h"

struct store;
struct store_reader;

/* Bytes read from the index: text or a blob, not NUL terminated for blobs
 * (text columns are). p NULL for SQL NULL. */
struct store_bytes {
	const char *p;
	size_t len;
};

/* ---- connections ---- */

/* The index database at path as the request threads read it: one reader
 * per thread, opened on first use, closed when the thread ends (or by
 * store_free for the calling thread). Failures to open are logged to log.
 * NULL when no thread key can be made. */
struct store *store_new(const char *path, struct logger *log);
void store_free(struct store *s);

/* The calling thread's reader; NULL when it cannot be opened (logged). */
struct store_reader *store_reader(struct store *s);

/* The generation served now (what prepared answers are checked against),
 * and its setter, called by the index writer's owner after each commit. */
int64_t store_generation(const struct store *s);
void store_set_generation(struct store *s, int64_t generation);

/* A reader of its own on path (tests, tools); NULL with a message in err.
 * Free with store_reader_close. */
struct store_reader *store_reader_open(const char *path, char *err, size_t errlen);
void store_reader_close(struct store_reader *r);

/* Starts a read transaction: every read until store_reader_end sees one
 * snapshot of the index, so a request never mixes two generations while a
 * reload commits. Sets *generation (0 when the index has none yet). 0, or
 * -1 (no transaction is open then). */
int store_reader_begin(struct store_reader *r, int64_t *generation);
void store_reader_end(struct store_reader *r);

/* The last error on r's connection. */
const char *store_errmsg(struct store_reader *r);

/* The connection, for the store layer's own modules (search, snippet),
 * which prepare their statements on it. Nothing above the store uses it. */
sqlite3 *store_reader_db(struct store_reader *r);

/* The order diagnostics are served in, as SQL over the diagnostics table
 * (columns prefixed with p, "" or "d."): by root, then a skill's (by its
 * folder, bytewise, in the order found) before the root's own, which come
 * by path (then in the order found). The index writer orders by it too. */
#define STORE_DIAGNOSTICS_ORDER(p) \
	p "root_index, " p "skill_path IS NULL, " p "skill_path, " \
	"CASE WHEN " p "skill_path IS NULL THEN " p "path END, " p "seq"

/* A statement of the store layer's own modules (search), prepared on r's
 * connection the first time it is asked for and kept until the reader
 * closes (at most STORE_READER_STMTS of them; past that NULL), so a
 * search parses no SQL. sql must have static storage: its address is the
 * key. Reset and with its bindings cleared, as store_reader_end leaves
 * it; NULL on an error (the connection's errmsg says which). */
#define STORE_READER_STMTS 16
sqlite3_stmt *store_reader_stmt(struct store_reader *r, const char *sql);

/* Data of a store module's own kept with r (search's counts of an index
 * generation), one per key (an address with static storage): made by
 * make() the first time it is asked for, freed by free_fn when the reader
 * closes. At most STORE_READER_DATA keys; past that NULL. Belongs to r's
 * thread, as r does. */
#define STORE_READER_DATA 4
void *store_reader_data(struct store_reader *r, const void *key, void *(*make)(void),
			void (*free_fn)(void *));

/* The index generation r reads now (its transaction's snapshot, or the
 * latest without one): 0 when the index has none yet, -1 on an error. */
int64_t store_reader_generation(struct store_reader *r);

/* ---- skills ---- */

/* A skill's answers, built at index time as JSON text. */
struct store_skill {
	struct store_bytes detail;     /* GET /api/v1/skills/{slug} */
	struct store_bytes files;      /* its files: [{path, kind, mime, size, stored, ...}] */
	struct store_bytes checklist;  /* the primary checklist, or NULL */
	struct store_bytes evals;      /* evals/evals.json parsed, or NULL */
	struct store_bytes check;      /* `skilld check`'s result, or NULL */
	struct store_bytes digest;     /* hex SHA-256 over its files */
};
int store_skill_get(struct store_reader *r, const char *slug, struct store_skill *out);

/* What a skill's page shows (its body and files are in detail; the
 * index keeps no HTML: indexing/skill.h's skill_render_doc renders). */
struct store_skill_page {
	struct store_bytes detail;
	struct store_bytes checklist;
	struct store_bytes evals;
};
int store_skill_page_get(struct store_reader *r, const char *slug, struct store_skill_page *out);

/* Calls fn with each skill's slug and summary JSON in slug order, after
 * the slug after ("" or NULL: from the first), at most limit of them
 * (limit < 0: all); fn returning non-zero stops early. 1 when skills
 * follow the last one given (another page), 0 when not, -1 on an error. */
typedef int (*store_skill_fn)(void *ctx, const char *slug, struct store_bytes summary);
int store_skills_page(struct store_reader *r, const char *after, long limit, store_skill_fn fn,
		      void *ctx);

/* ---- files ---- */

struct store_file {
	struct store_bytes path;
	struct store_bytes mime;
	struct store_bytes content;    /* NULL when not stored (over --max-file-size) */
	struct store_bytes digest;     /* hex SHA-256 of the bytes, or NULL */
	int64_t size;
	bool is_text;
};

/* A file's bytes and what is known of them: path, mime, content, digest,
 * size, is_text. */
int store_file_get(struct store_reader *r, const char *slug, const char *path,
		   struct store_file *out);

/* A file without its bytes (read from the skill's file list): path, mime,
 * size, is_text, and content.p non-NULL (and empty) when the bytes are
 * stored. */
int store_file_meta(struct store_reader *r, const char *slug, const char *path,
		    struct store_file *out);

/* A file as its page shows it: path, is_text, content, mime, digest. */
int store_file_page_get(struct store_reader *r, const char *slug, const char *path,
			struct store_file *out);

/* The skill's first file (by path) of kind ("skill" for SKILL.md,
 * "reference", ...): path, content, digest. */
int store_file_of_kind(struct store_reader *r, const char *slug, const char *kind,
		       struct store_file *out);

/* Calls fn with each file of the skill in path order (path and content
 * set). 0, or -1 on an error; fn returning non-zero stops early. */
typedef int (*store_file_fn)(void *ctx, const char *slug, const struct store_file *f);
int store_skill_files(struct store_reader *r, const char *slug, store_file_fn fn, void *ctx);

/* Calls fn with every file of every skill in (slug, path) order after
 * (after_slug, after_path), at most limit (path, mime and size set).
 * 1 when files follow, 0 when not, -1 on an error. */
int store_files_page(struct store_reader *r, const char *after_slug, const char *after_path,
		     long limit, store_file_fn fn, void *ctx);

/* ---- checklists and diagnostics ---- */

struct store_checklist {
	const char *slug;
	const char *name;      /* the skill's name, or NULL */
	const char *path;
	const char *title;     /* or NULL */
	const char *digest;
	int items;
	bool primary;
};
/* Calls fn with every checklist in (slug, path) order. 0, or -1. */
typedef int (*store_checklist_fn)(void *ctx, const struct store_checklist *c);
int store_checklists(struct store_reader *r, store_checklist_fn fn, void *ctx);
/* The skill's checklist at path (NULL: its primary one). */
int store_checklist_get(struct store_reader *r, const char *slug, const char *path,
			struct store_checklist *out);

struct store_diagnostic {
	const char *severity;  /* "error", "warning" or "info" */
	const char *code;      /* the others may be NULL */
	const char *message;
	const char *root;
	const char *path;
	const char *skill;
	int line, column;
};
/* Calls fn with every diagnostic in the order indexing found them. 0, or -1. */
typedef int (*store_diagnostic_fn)(void *ctx, const struct store_diagnostic *d);
int store_diagnostics(struct store_reader *r, store_diagnostic_fn fn, void *ctx);

/* Calls fn with the slug and summary JSON of the limit skills changed
 * last (their files' newest modification time; slug order between equal
 * times), newest first; read from the index skills_updated. 0, or -1. */
int store_recent(struct store_reader *r, long limit, store_skill_fn fn, void *ctx);

/* The number of skills, or -1. */
long store_skill_count(struct store_reader *r);

/* ---- browsing: the index page ---- */

/* Which skills a page of the index shows. Every member may be "any". */
struct store_browse {
	const char *root;    /* a collection: the root's label, or NULL */
	const char *tier;    /* "platinum", "gold", "silver", "bronze", "none" (no tier), or NULL */
	int checklist;       /* 1: with a review checklist, 0: without, -1: either */
	int evals;           /* 1: with valid evals, 0: without, -1: either */
	const char *q;       /* words (split at ASCII blanks) that the name, description or
				slug must each contain, ASCII case folded; NULL or blank: none */
};

/* How many skills whose name, description or slug hold the words of q
 * have one root, tier, checklist and evals: the counts every facet of the
 * index page is summed from. root is borrowed as above; tier NULL for
 * none. */
struct store_browse_cell {
	int root_index;
	const char *root;
	const char *tier;
	bool checklist;
	bool evals;
	long count;
};
typedef int (*store_browse_cell_fn)(void *ctx, const struct store_browse_cell *c);

/* Calls fn with every cell of the skills matching q (NULL: all), in root
 * order. 0, or -1 on an error; fn returning non-zero stops early. Reads
 * the index skills_browse only. */
int store_browse_cells(struct store_reader *r, const char *q, store_browse_cell_fn fn, void *ctx);

/* Calls fn with the slug and summary JSON of the skills f selects, in
 * (root, slug) order, skipping offset of them, at most limit (limit < 0:
 * all). 0, or -1 on an error; fn returning non-zero stops early. The
 * rows skipped and filtered out are read from skills_browse alone. */
int store_browse_page(struct store_reader *r, const struct store_browse *f, long offset,
		      long limit, store_skill_fn fn, void *ctx);

/* The number of items of every skill's primary checklist, or -1. */
long store_checklist_items_total(struct store_reader *r);

#endif
