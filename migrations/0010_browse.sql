-- The portal's index page over big collections (issue 17): a page of
-- skills in (root, slug) order, filtered by collection, tier, checklist,
-- evals and words of the name or description, and the counts of each
-- filter's values, all read from skills_browse alone (a scan of about
-- 4 MB at 10,000 skills instead of the skills' rows, their JSON and HTML),
-- or, without words, from skills_facets (its counts by these columns).
-- has_checklist and has_evals are written with the row (checklist_json
-- and evals_json not NULL); SQLite 3.40 reads no expression from an
-- index, so they are columns. The rows come with the next index build.
ALTER TABLE skills ADD COLUMN has_checklist INTEGER NOT NULL DEFAULT 0 CHECK (has_checklist IN (0, 1));
ALTER TABLE skills ADD COLUMN has_evals INTEGER NOT NULL DEFAULT 0 CHECK (has_evals IN (0, 1));
CREATE INDEX skills_browse ON skills (root_index, root, slug, tier, has_checklist, has_evals, name,
	description);
CREATE INDEX skills_facets ON skills (root_index, root, tier, has_checklist, has_evals);
