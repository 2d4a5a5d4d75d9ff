-- skilld review store on PostgreSQL, version 1: the tables of
-- migrations/reviews/0001_reviews.sql (SQLite) with the same columns and
-- meaning, for replicas that share one database (--store postgresql://...).
-- Ids and item ids sort and compare by their bytes (COLLATE "C"), as
-- SQLite's text does, so lists and pages come in the same order. Times are
-- milliseconds since the epoch (UTC). The applied versions are kept in
-- skilld_reviews_schema (see server/store/reviewdb_pg.c).

CREATE TABLE reviews (
	id               TEXT COLLATE "C" PRIMARY KEY,  -- 16 lowercase hex digits, random
	skill            TEXT COLLATE "C" NOT NULL,
	checklist_path   TEXT NOT NULL,
	checklist_digest TEXT NOT NULL,           -- of the checklist file at start
	start_items      TEXT NOT NULL,           -- JSON [{id, ref, text, section}] at start
	title            TEXT NOT NULL,
	target           TEXT,                    -- what is reviewed: a PR URL, a branch...
	author           TEXT,
	status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	created_at       BIGINT NOT NULL,
	updated_at       BIGINT NOT NULL,
	seq              BIGINT NOT NULL DEFAULT 0  -- changes so far: the last event's seq
);

CREATE INDEX reviews_by_time ON reviews (created_at DESC, id);
CREATE INDEX reviews_by_skill ON reviews (skill, created_at DESC, id);

-- The current state of each item that was ever written; an item with no
-- row is open at version 0.
CREATE TABLE review_items (
	review_id  TEXT COLLATE "C" NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
	item_id    TEXT COLLATE "C" NOT NULL,
	ref        TEXT,                          -- the item as it read when last written
	text       TEXT NOT NULL,
	section    TEXT,
	verdict    TEXT CHECK (verdict IN ('pass', 'fail', 'na')),
	severity   TEXT,
	note       TEXT,
	evidence   TEXT,
	author     TEXT,
	updated_at BIGINT NOT NULL,
	version    BIGINT NOT NULL,
	PRIMARY KEY (review_id, item_id)
);

-- Every change, appended in the transaction that makes it: who, when, and
-- for each field changed [old, new]. item_id NULL: the review itself.
CREATE TABLE review_events (
	review_id TEXT COLLATE "C" NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
	seq       BIGINT NOT NULL,
	at        BIGINT NOT NULL,
	author    TEXT,
	item_id   TEXT COLLATE "C",
	change    TEXT NOT NULL,
	PRIMARY KEY (review_id, seq)
);
