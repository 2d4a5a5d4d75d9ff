/* SPDX-License-Identifier: MIT */
/*
 * gen-corpus: a benchmark tool (not part of skilld) that writes N synthetic
 * skills into DIR, shaped after ../shared/corpora/booklib-head:
 *
 *   NAME/SKILL.md                       frontmatter + 7-20 KB of markdown
 *   NAME/references/review-checklist.md 50-150 items, `- [ ] **Title** — text`
 *   NAME/references/NAME.md             2-4 more references of 2-13 KB
 *   NAME/evals/evals.json               3-8 evals {id, prompt, expectations}
 *   NAME/examples/before.md, after.md   about 1.2 KB and 3 KB
 *   NAME/scripts/example.py             a one-line placeholder
 *
 * booklib-head averages 65 KB of files per skill (SKILL.md 13 KB, checklist
 * 11 KB, other references 24 KB, evals 9 KB, examples 4.4 KB); these skills
 * average about the same. Every skill is drawn from its own fixed-seed PRNG
 * (splitmix64 of its number), so the same N gives the same bytes, and the
 * first 1,000 skills of a 10,000 corpus are the 1,000 corpus.
 *
 * --small writes the same names and descriptions with small files, for
 * tests of what a big collection looks like rather than of its bytes
 * (about 2 KB a skill): SKILL.md with a 1-2 KB body, a review checklist of
 * 4-12 items on two skills in three, 3 short evals on every other skill,
 * nothing else; so the facets vary (most skills have no tier: their
 * bodies are under Bronze's 31 lines).
 * --from I numbers the skills from I, so that several folders (several
 * skills roots) hold different skills.
 * Usage: gen-corpus [--small] [--from I] N DIR. Single-threaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A growing text buffer; aborts on allocation failure (a tool, not a server). */
struct text {
	char *p;
	size_t len;
	size_t cap;
};

static void text_grow(struct text *t, size_t more)
{
	if (t->len + more + 1 <= t->cap)
		return;
	while (t->len + more + 1 > t->cap)
		t->cap = t->cap ? t->cap * 2 : 4096;
	t->p = realloc(t->p, t->cap);
	if (!t->p) {
		fprintf(stderr, "gen-corpus: out of memory\n");
		exit(1);
	}
}

static void text_puts(struct text *t, const char *s)
{
	size_t n = strlen(s);

	text_grow(t, n);
	memcpy(t->p + t->len, s, n + 1);
	t->len += n;
}

static void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text_grow(t, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* splitmix64: small, fast, and the same on every platform. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [lo, hi]. */
static unsigned rng_range(uint64_t *s, unsigned lo, unsigned hi)
{
	return lo + (unsigned)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

/* The vocabulary: words of code-review prose, so that searches for them hit. */
static const char *const words[] = {
	"abstraction", "accessor", "adapter", "aggregate", "allocation", "animation",
	"api", "argument", "assertion", "async", "atomic", "backpressure", "batch",
	"boundary", "buffer", "builder", "cache", "callback", "channel", "checklist",
	"class", "closure", "cohesion", "collection", "command", "comment", "commit",
	"component", "composition", "concurrency", "consistency", "constant",
	"constructor", "consumer", "context", "contract", "coroutine", "coupling",
	"coverage", "cursor", "data", "deadlock", "decorator", "default",
	"dependency", "deployment", "design", "domain", "duplication", "easing",
	"encapsulation", "entity", "enum", "error", "event", "exception", "experiment",
	"factory", "failure", "field", "flow", "formatting", "function", "future",
	"generator", "generic", "gradient", "handler", "hierarchy", "idempotent",
	"immutable", "index", "inheritance", "interface", "invariant", "iterator",
	"kotlin", "lambda", "latency", "layout", "lease", "leak", "lifecycle",
	"lock", "logging", "loop", "mapping", "message", "metric", "migration",
	"module", "monitor", "mutation", "naming", "null", "object", "observer",
	"optional", "order", "pagination", "parameter", "partition", "pattern",
	"performance", "pipeline", "pivot", "polymorphism", "pool", "precondition",
	"producer", "property", "protocol", "proxy", "query", "queue", "race",
	"readability", "record", "recursion", "refactoring", "reference",
	"repository", "replication", "resilience", "resource", "retry", "review",
	"saga", "scaling", "schema", "scope", "sealed", "serialization", "service",
	"shard", "side", "signature", "singleton", "snapshot", "state", "stream",
	"strategy", "string", "structure", "subclass", "synchronization", "task",
	"template", "test", "thread", "throughput", "timeout", "token", "trade-off",
	"transaction", "transform", "type", "typography", "validation", "value",
	"variable", "version", "visitor", "whitespace", "workflow", "yield",
	"the", "a", "of", "to", "and", "in", "is", "that", "for", "it", "with",
	"as", "on", "be", "by", "this", "are", "or", "when", "each", "every",
	"should", "must", "can", "not", "one", "more", "than", "only", "before",
	"after", "where", "which", "without", "between", "across",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))
#define NTERMS 166 /* the first NTERMS words are terms, the rest glue */

static const char *word(uint64_t *s)
{
	return words[rng_next(s) % NWORDS];
}

static const char *term(uint64_t *s)
{
	return words[rng_next(s) % NTERMS];
}

/* One sentence of lo..hi words, capitalised, ending with end. */
static void sentence(struct text *t, uint64_t *s, unsigned lo, unsigned hi, const char *end)
{
	unsigned n = rng_range(s, lo, hi);

	for (unsigned i = 0; i < n; i++) {
		const char *w = (i % 4 == 1) ? term(s) : word(s);

		if (i == 0) {
			text_printf(t, "%c%s", w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0], w + 1);
		} else if (rng_range(s, 0, 19) == 0) {
			text_printf(t, " `%s`", w);
		} else if (rng_range(s, 0, 29) == 0) {
			text_printf(t, " **%s**", w);
		} else {
			text_printf(t, "%s%s", rng_range(s, 0, 14) == 0 ? ", " : " ", w);
		}
	}
	text_puts(t, end);
}

static void paragraph(struct text *t, uint64_t *s)
{
	unsigned n = rng_range(s, 2, 5);

	for (unsigned i = 0; i < n; i++) {
		sentence(t, s, 8, 22, ".");
		text_puts(t, i + 1 < n ? " " : "\n\n");
	}
}

static void title(struct text *t, uint64_t *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const char *w = term(s);

		text_printf(t, "%s%c%s", i ? " " : "", w[0] - 32, w + 1);
	}
}

/* Markdown blocks (headings, paragraphs, lists, code, tables) until t holds
 * at least target bytes. */
static void markdown_body(struct text *t, uint64_t *s, size_t target)
{
	unsigned section = 1;

	while (t->len < target) {
		unsigned kind = rng_range(s, 0, 11);

		if (kind == 0) {
			text_printf(t, "## %u. ", section++);
			title(t, s, rng_range(s, 2, 4));
			text_puts(t, "\n\n");
		} else if (kind <= 2) {
			text_puts(t, "### ");
			title(t, s, rng_range(s, 1, 4));
			text_puts(t, "\n\n");
		} else if (kind <= 6) {
			paragraph(t, s);
		} else if (kind <= 8) {
			unsigned n = rng_range(s, 3, 7);

			for (unsigned i = 0; i < n; i++) {
				text_printf(t, "- **%s** — ", term(s));
				sentence(t, s, 6, 18, ".\n");
			}
			text_puts(t, "\n");
		} else if (kind == 9) {
			unsigned n = rng_range(s, 3, 12);

			text_puts(t, "```python\n");
			for (unsigned i = 0; i < n; i++)
				text_printf(t, "%*sdef %s_%s(%s):  # %s\n", (int)(i % 3) * 4, "",
					    term(s), term(s), term(s), term(s));
			text_puts(t, "```\n\n");
		} else if (kind == 10) {
			unsigned n = rng_range(s, 2, 6);

			text_puts(t, "| Pattern | Problem | Fix |\n|---|---|---|\n");
			for (unsigned i = 0; i < n; i++)
				text_printf(t, "| %s %s | %s %s %s | %s %s |\n", term(s), term(s),
					    word(s), term(s), word(s), term(s), term(s));
			text_puts(t, "\n");
		} else {
			text_puts(t, "> ");
			sentence(t, s, 10, 25, ".\n\n");
		}
	}
}

/* Writes t to dir/rel, creating the folders on the way. */
static void put_file(const char *dir, const char *rel, const struct text *t)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "gen-corpus: mkdir %s: %s\n", path, strerror(errno));
			exit(1);
		}
		*p = '/';
	}
	f = fopen(path, "wb");
	if (!f || fwrite(t->p, 1, t->len, f) != t->len || fclose(f) != 0) {
		fprintf(stderr, "gen-corpus: write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* SKILL.md: frontmatter, a title, a paragraph, then markdown until the
 * file holds lo to hi bytes (drawn after the rest, as ever). */
static void gen_skill_md(struct text *t, uint64_t *s, const char *name, const char *topic,
			 unsigned lo, unsigned hi)
{
	text_printf(t, "---\nname: %s\ndescription: Reviews %s code for %s, %s and %s. ", name,
		    topic, term(s), term(s), term(s));
	sentence(t, s, 12, 24, ".");
	text_puts(t, " Use when users share code for review or ask about ");
	text_printf(t, "%s %s.\nlicense: MIT\n---\n\n# ", term(s), term(s));
	title(t, s, 3);
	text_puts(t, "\n\n");
	paragraph(t, s);
	markdown_body(t, s, rng_range(s, lo, hi));
}

/* A review checklist of items items. */
static void gen_checklist(struct text *t, uint64_t *s, const char *topic, unsigned items)
{
	unsigned chapter = 1;

	text_printf(t, "# %c%s — Code Review Checklist\n\n", topic[0] - 32, topic + 1);
	text_puts(t, "Systematic checklist for reviewing code against the principles of ");
	text_printf(t, "*%s %s*.\n\n---\n\n", term(s), term(s));
	for (unsigned i = 0; i < items; i++) {
		if (i % 24 == 0) {
			text_printf(t, "%s## Chapter %u — ", i ? "\n---\n\n" : "", chapter++);
			title(t, s, rng_range(s, 2, 3));
			text_puts(t, "\n");
		}
		if (i % 6 == 0) {
			text_puts(t, "\n### ");
			title(t, s, rng_range(s, 1, 3));
			text_puts(t, "\n");
		}
		text_printf(t, "- [ ] **%c%u — ", 'A' + (char)(chapter % 26), i + 1);
		title(t, s, rng_range(s, 1, 3));
		text_puts(t, "** — ");
		sentence(t, s, 5, 12, "?\n");
	}
	text_puts(t, "\n---\n\n## Review Workflow\n\n");
	for (unsigned i = 1; i <= 4; i++) {
		text_printf(t, "%u. ", i);
		sentence(t, s, 6, 12, ".\n");
	}
}

/* evals.json with n evals. */
static void gen_evals(struct text *t, uint64_t *s, const char *name, unsigned n)
{
	text_puts(t, "{\n  \"evals\": [\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned lines = rng_range(s, 6, 20), exps = rng_range(s, 3, 6);

		text_printf(t, "    {\n      \"id\": \"eval-%02u-%s-%s\",\n      \"prompt\": \"Review this code:\\n\\n```python\\n",
			    i + 1, term(s), name);
		for (unsigned k = 0; k < lines; k++)
			text_printf(t, "%*sdef %s_%s(%s):\\n", (int)(k % 2) * 4, "", term(s), term(s), term(s));
		text_puts(t, "```\",\n      \"expectations\": [\n");
		for (unsigned k = 0; k < exps; k++) {
			text_printf(t, "        \"Flags `%s`: ", term(s));
			sentence(t, s, 14, 30, k + 1 < exps ? ".\",\n" : ".\"\n");
		}
		text_printf(t, "      ]\n    }%s\n", i + 1 < n ? "," : "");
	}
	text_puts(t, "  ]\n}\n");
}

static void gen_example(struct text *t, uint64_t *s, size_t target)
{
	text_puts(t, "# ");
	title(t, s, 2);
	text_puts(t, "\n\n```python\n");
	while (t->len < target)
		text_printf(t, "def %s_%s(%s, %s):\n    return %s(%s)\n\n", term(s), term(s), term(s),
			    term(s), term(s), term(s));
	text_puts(t, "```\n");
}

/* Skill number i into dir: every file (booklib's sizes), or with small
 * only SKILL.md, a short checklist on two skills in three and short evals
 * on every other one. */
static void gen_skill(const char *dir, unsigned i, int small)
{
	uint64_t s = 0x5eedULL * (i + 1);
	struct text t = { 0 };
	char name[96], rel[160];
	const char *topic = words[rng_next(&s) % NTERMS];
	unsigned refs;

	snprintf(name, sizeof(name), "synth-%05u-%s", i, topic);
	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			*p = '-';

#define EMIT(relpath, call)                                   \
	do {                                                  \
		t.len = 0;                                    \
		call;                                         \
		snprintf(rel, sizeof(rel), "%s/%s", name, relpath); \
		put_file(dir, rel, &t);                       \
	} while (0)

	if (small) {
		EMIT("SKILL.md", gen_skill_md(&t, &s, name, topic, 1000, 2000));
		if (i % 3 != 2)
			EMIT("references/review-checklist.md",
			     gen_checklist(&t, &s, topic, rng_range(&s, 4, 12)));
		if (i % 2 == 0)
			EMIT("evals/evals.json", gen_evals(&t, &s, name, 3));
		free(t.p);
		return;
	}
	EMIT("SKILL.md", gen_skill_md(&t, &s, name, topic, 7000, 20000));
	EMIT("references/review-checklist.md", gen_checklist(&t, &s, topic, rng_range(&s, 50, 150)));
	refs = rng_range(&s, 2, 4);
	for (unsigned r = 0; r < refs; r++) {
		char file[64];

		snprintf(file, sizeof(file), "references/%s-%u.md",
			 r == 0 ? "api-reference" : r == 1 ? "patterns-catalog" : "notes", r);
		t.len = 0;
		text_puts(&t, "# ");
		title(&t, &s, 3);
		text_puts(&t, "\n\n");
		markdown_body(&t, &s, rng_range(&s, 2000, 13000));
		snprintf(rel, sizeof(rel), "%s/%s", name, file);
		put_file(dir, rel, &t);
	}
	EMIT("evals/evals.json", gen_evals(&t, &s, name, rng_range(&s, 3, 8)));
	EMIT("examples/before.md", gen_example(&t, &s, rng_range(&s, 850, 1600)));
	EMIT("examples/after.md", gen_example(&t, &s, rng_range(&s, 1600, 5600)));
	EMIT("scripts/example.py", text_puts(&t, "# placeholder: the benchmark corpus has no scripts\n"));
#undef EMIT
	free(t.p);
}

static int usage(void)
{
	fprintf(stderr, "usage: gen-corpus [--small] [--from I] N DIR\n");
	return 2;
}

/* A number up to 1,000,000 in OUT: *n; -1 for anything else. */
static int parse_count(const char *arg, unsigned long *n)
{
	char *end;

	errno = 0;
	*n = strtoul(arg, &end, 10);
	return errno || *end || end == arg || *n > 1000000 ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long n, from = 0;
	int small = 0, a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "--small") == 0) {
			small = 1;
		} else if (strcmp(argv[a], "--from") == 0 && a + 1 < argc) {
			if (parse_count(argv[++a], &from) != 0) {
				fprintf(stderr, "gen-corpus: --from must be a number up to 1000000\n");
				return 2;
			}
		} else {
			return usage();
		}
	}
	if (argc - a != 2)
		return usage();
	if (parse_count(argv[a], &n) != 0) {
		fprintf(stderr, "gen-corpus: N must be a number up to 1000000\n");
		return 2;
	}
	if (mkdir(argv[a + 1], 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen-corpus: mkdir %s: %s\n", argv[a + 1], strerror(errno));
		return 1;
	}
	for (unsigned long i = from; i < from + n; i++)
		gen_skill(argv[a + 1], (unsigned)i, small);
	return 0;
}
