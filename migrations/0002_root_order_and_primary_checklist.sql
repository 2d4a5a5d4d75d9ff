-- Which root (by position on the command line) a skill came from, so that
-- shadowing compares roots, not the way their names were typed; and which
-- checklist of a skill is the primary one served at /checklist.
ALTER TABLE skills ADD COLUMN root_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checklists ADD COLUMN is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1));
