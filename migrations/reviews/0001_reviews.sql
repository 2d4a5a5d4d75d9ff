-- skilld reviews database, version 1: review runs of a checklist, kept apart
-- from the index (which can be deleted and rebuilt) in reviews.db.
--
-- A review names its checklist by skill slug and file path, and keeps the
-- checklist's digest and items as they were when it started. Items are
-- matched to the checklist of the day by their id, so an edited checklist
-- keeps every verdict on items that still exist. Times are milliseconds
-- since the epoch (UTC).

CREATE TABLE reviews (
	id               TEXT PRIMARY KEY,        -- 16 lowercase hex digits, random
	skill            TEXT NOT NULL,
	checklist_path   TEXT NOT NULL,
	checklist_digest TEXT NOT NULL,           -- of the checklist file at start
	start_items      TEXT NOT NULL,           -- JSON [{id, ref, text, section}] at start
	title            TEXT NOT NULL,
	target           TEXT,                    -- what is reviewed: a PR URL, a branch...
	author           TEXT,
	status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	seq              INTEGER NOT NULL DEFAULT 0  -- changes so far: the last event's seq
) STRICT;

CREATE INDEX reviews_by_time ON reviews (created_at DESC, id);
CREATE INDEX reviews_by_skill ON reviews (skill, created_at DESC, id);

-- The current state of each item that was ever written; an item with no
-- row is open at version 0.
CREATE TABLE review_items (
	review_id  TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
	item_id    TEXT NOT NULL,
	ref        TEXT,                          -- the item as it read when last written
	text       TEXT NOT NULL,
	section    TEXT,
	verdict    TEXT CHECK (verdict IN ('pass', 'fail', 'na')),
	severity   TEXT,
	note       TEXT,
	evidence   TEXT,
	author     TEXT,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL,
	PRIMARY KEY (review_id, item_id)
) STRICT, WITHOUT ROWID;

-- Every change, appended in the transaction that makes it: who, when, and
-- for each field changed [old, new]. item_id NULL: the review itself.
CREATE TABLE review_events (
	review_id TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
	seq       INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	author    TEXT,
	item_id   TEXT,
	change    TEXT NOT NULL,
	PRIMARY KEY (review_id, seq)
) STRICT, WITHOUT ROWID;
