-- The search table again, with two changes (server/store/fts.c):
-- the tokenizer "skilld" (porter over unicode61 as before, but C++, C#,
-- F#, .NET and Node.js are one token each, so "C++" no longer finds every
-- "c"), and a column `headings` (a skill's SKILL.md headings, weighed
-- between its description and its body). The rows are rebuilt by the next
-- index build, which every start runs in full.
DROP TABLE IF EXISTS search;
CREATE VIRTUAL TABLE search USING fts5(
	kind UNINDEXED,
	skill UNINDEXED,
	skill_id UNINDEXED,
	path UNINDEXED,
	anchor UNINDEXED,
	url UNINDEXED,
	name,
	description,
	headings,
	title,
	body,
	tokenize = 'skilld'
);
