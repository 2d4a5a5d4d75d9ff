-- When each skill last changed (issue 17): the newest modification time
-- of its files, in seconds since the epoch (UTC), taken at index time from
-- the stat(2) the scan makes anyway. A skill read again from the same
-- files gets the same value, so an incremental index and a full rebuild
-- give the same rows. skills_updated gives the index page its "Recently
-- changed" list (the 10 newest) without reading every row. The values
-- come with the next index build.
ALTER TABLE skills ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
CREATE INDEX skills_updated ON skills (updated DESC, slug);
