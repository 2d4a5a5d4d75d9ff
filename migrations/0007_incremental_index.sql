-- Incremental re-indexing (indexing/index.c): what a run needs to know of
-- each served skill to leave it alone when its files did not change, and
-- an order of the diagnostics that does not depend on when rows were
-- written. A database from an older schema is rebuilt whole at the next
-- start (the index's identity in meta names the schema), so the new
-- columns are never read empty.
ALTER TABLE skills ADD COLUMN stamp TEXT;      -- scan_skill_stamp of its folder
ALTER TABLE skills ADD COLUMN slug_base TEXT;  -- the slug its name asks for
ALTER TABLE skills ADD COLUMN source TEXT;     -- SHA-256 of its digest and diagnostics

-- Diagnostics come in root order, then a skill's (by its folder, bytewise,
-- in the order found) before the root's own (skill_path NULL), which come by
-- path, then in the order found (store.h's STORE_DIAGNOSTICS_ORDER).
ALTER TABLE diagnostics ADD COLUMN root_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE diagnostics ADD COLUMN skill_path TEXT;
ALTER TABLE diagnostics ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX diagnostics_order ON diagnostics (root_index, skill_path IS NULL, skill_path,
	CASE WHEN skill_path IS NULL THEN path END, seq);

-- What an incremental run reads of every served skill, without the
-- skill's large rows (their prebuilt answers and HTML): read from this
-- index alone.
CREATE INDEX skills_source ON skills (root_index, path, id, stamp, slug_base, slug, source);
