-- The first pass of a top-k search (server/store/search.c): each skill's
-- name, description and SKILL.md headings once more, rowid = the skill's
-- id, in a table small enough to rank in full when a query matches too
-- many rows of `search` to rank them all (a few KB a skill). searchrows
-- fills it beside `search`, in the same transaction; an empty one only
-- makes every search take the exhaustive path. The rows come with the
-- next index build.
CREATE VIRTUAL TABLE search_head USING fts5(
	name,
	description,
	headings,
	tokenize = 'skilld'
);
