/* SPDX-License-Identifier: MIT */
/*
 * Small skill trees written by the API and server suites: "alpha" meets every
 * quality tier, "beta" is minimal, "dup" reuses alpha's name in another
 * folder, and "bad-yaml" has frontmatter that does not parse.
 */
#ifndef SKILLD_FIXTURE_SKILLS_H
#define SKILLD_FIXTURE_SKILLS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define ALPHA_DESCRIPTION "Reviews widget code for safety problems. Use when the user asks for a widget review."

static inline char *fx_lines(int n, const char *word)
{
	size_t cap = (size_t)n * (strlen(word) + 16) + 1;
	char *s = malloc(cap);
	size_t len = 0;

	s[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s line %d\n", word, i + 1);
	return s;
}

/* Writes the fixture tree under dir/skills; returns that path (free()). */
static inline char *fx_write_skills(const char *dir)
{
	char *root, *body = fx_lines(40, "Body");
	char *skill_md, *ex = fx_lines(12, "Example");
	char *prompt = fx_lines(9, "Prompt");
	char *evals;

	if (asprintf(&root, "%s/skills", dir) < 0)
		abort();
	if (asprintf(&skill_md, "---\nname: alpha\ndescription: >\n  Reviews widget code for safety problems.\n"
		     "  Use when the user asks for a widget review.\nlicense: MIT\n---\n# Alpha\n\n%s", body) < 0)
		abort();
	tu_write_str(root, "alpha/SKILL.md", skill_md);
	tu_write_str(root, "alpha/references/review-checklist.md",
		     "# Widget — Code Review Checklist\n\nIntro.\n\n---\n\n## 1. Safety\n\n"
		     "- [ ] **W1 — Bounds checked** — Are all indexes checked?\n"
		     "- [ ] **W2 — Lifetimes** — Is every pointer alive when used?\n"
		     "- [ ] Plain question?\n\n**Red flags**: unchecked memcpy.\n\n"
		     "## Quick Review Workflow\n\n1. **Read** — read it.\n2. **Check** — check it.\n");
	tu_write_str(root, "alpha/references/guide.md", "# Guide\n\nText.\n");
	tu_write_str(root, "alpha/examples/before.md", ex);
	tu_write_str(root, "alpha/examples/after.md", ex);
	if (asprintf(&evals, "{\"evals\":["
		     "{\"id\":\"e1\",\"prompt\":\"%s\",\"expectations\":[\"a\",\"b\",\"c\",\"d\",\"e\"]},"
		     "{\"id\":\"e2\",\"prompt\":\"%s\",\"expectations\":[\"a\",\"b\",\"c\",\"d\",\"e\"]},"
		     "{\"id\":\"e3\",\"prompt\":\"%s\",\"expectations\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}]}",
		     "l1\\nl2\\nl3\\nl4\\nl5\\nl6\\nl7\\nl8", "l1\\nl2\\nl3\\nl4\\nl5\\nl6\\nl7\\nl8",
		     "l1\\nl2\\nl3\\nl4\\nl5\\nl6\\nl7\\nl8") < 0)
		abort();
	tu_write_str(root, "alpha/evals/evals.json", evals);
	tu_write_str(root, "alpha/scripts/run.sh", "#!/bin/sh\necho ok\n");
	tu_write(root, "alpha/assets/blob.bin", "\x00\x01\x02\xff", 4);

	tu_write(root, "beta/SKILL.md", "---\nname: beta\ndescription: Minimal.\n---\nBody \xff\xfe bytes.\0after NUL\n",
		 sizeof("---\nname: beta\ndescription: Minimal.\n---\nBody \xff\xfe bytes.\0after NUL\n") - 1);
	tu_write_str(root, "alpha/references/extra/review-checklist.md", "# Extra\n\n- [ ] One more?\n");
	tu_write_str(root, "zz-dup/SKILL.md", "---\nname: alpha\ndescription: Same name as alpha.\n---\nBody.\n");
	tu_write_str(root, "bad-yaml/SKILL.md", "---\nname: bad-yaml\ndescription: \"unclosed\n---\nBody.\n");
	free(body);
	free(skill_md);
	free(ex);
	free(prompt);
	free(evals);
	return root;
}

#endif
