-- Full-text search (FTS5) over skills, reference sections, checklist items
-- and evals, rebuilt with the rest of the index in the same transaction
-- (server/indexing/searchrows.c fills it). Only name, description, title and body are
-- searched; the other columns locate and link the hit.
CREATE VIRTUAL TABLE search USING fts5(
	kind UNINDEXED,
	skill UNINDEXED,
	skill_id UNINDEXED,
	path UNINDEXED,
	anchor UNINDEXED,
	url UNINDEXED,
	name,
	description,
	title,
	body,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
