-- A lean index (issue 16): the large values are packed (store/pack.h: a
-- kind byte, then a Zstandard frame or the bytes as they are) into BLOB
-- columns, and the search rows' text is kept once, in search_rows, whose
-- body is packed too; `search` indexes it as external content through the
-- view search_text, which unpacks the body (fts.h: skilld_unpack). The
-- tables are made again empty: the index's identity names the schema, so
-- the next start rebuilds it whole.
DELETE FROM diagnostics;
DELETE FROM checklists;
DELETE FROM files;
DELETE FROM skills;
DELETE FROM search_head;

-- A rowid table: its rows, a file's packed bytes and HTML, are mostly
-- larger than what a WITHOUT ROWID table keeps on its own page.
DROP TABLE files;
CREATE TABLE files (
	id       INTEGER PRIMARY KEY,
	skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
	path     TEXT NOT NULL,
	kind     TEXT NOT NULL,
	size     INTEGER NOT NULL,
	digest   TEXT,
	mime     TEXT NOT NULL,
	is_text  INTEGER NOT NULL CHECK (is_text IN (0, 1)),
	content  BLOB,          -- packed
	html     BLOB,          -- packed
	toc_json BLOB,          -- packed
	UNIQUE (skill_id, path)
) STRICT;

-- summary_json and files_json stay text: listings read every summary, and
-- store.c reads files_json with SQL's JSON functions.
DROP TABLE skills;
CREATE TABLE skills (
	id             INTEGER PRIMARY KEY,
	slug           TEXT NOT NULL UNIQUE,
	name           TEXT,
	description    TEXT,
	root           TEXT NOT NULL,
	path           TEXT NOT NULL,
	folder         TEXT NOT NULL,
	valid          INTEGER NOT NULL CHECK (valid IN (0, 1)),
	tier           TEXT CHECK (tier IN ('bronze', 'silver', 'gold', 'platinum')),
	digest         TEXT NOT NULL,
	summary_json   TEXT NOT NULL,
	detail_json    BLOB NOT NULL,   -- packed
	files_json     TEXT NOT NULL,
	checklist_json BLOB,            -- packed
	evals_json     BLOB,            -- packed
	check_json     BLOB NOT NULL,   -- packed
	root_index     INTEGER NOT NULL DEFAULT 0,
	body_html      BLOB,            -- packed
	toc_json       BLOB,            -- packed
	stamp          TEXT,
	slug_base      TEXT,
	source         TEXT
) STRICT;
CREATE INDEX skills_source ON skills (root_index, path, id, stamp, slug_base, slug, source);

DROP TABLE search;
CREATE TABLE search_rows (
	id          INTEGER PRIMARY KEY,   -- the row's rowid in search (search.h)
	kind        TEXT,
	skill       TEXT,
	skill_id    INTEGER,
	path        TEXT,
	anchor      TEXT,
	url         TEXT,
	name        TEXT,
	description TEXT,
	headings    TEXT,
	title       TEXT,
	body        BLOB                   -- packed
) STRICT;
CREATE VIEW search_text AS
	SELECT id, kind, skill, skill_id, path, anchor, url, name, description, headings, title,
	       skilld_unpack(body) AS body
	FROM search_rows;
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
	tokenize = 'skilld',
	content = 'search_text',
	content_rowid = 'id'
);
