-- A lean index (issue 16): the large values are packed (store/pack.h: a
-- kind byte, then a Zstandard frame or the bytes as they are) into BLOB
-- columns, and the search rows' text is kept once, a packed document per
-- skill; `search` indexes it as external content through the view
-- search_text, which picks the rows out (fts.h: skilld_row). The
-- tables are made again empty: the index's identity names the schema, so
-- the next start rebuilds it whole.
DELETE FROM diagnostics;
DELETE FROM checklists;
DELETE FROM files;
DELETE FROM skills;
DELETE FROM search_head;

-- The dictionaries values are packed with (store/pack.h): a full index
-- trains one on the collection's files; a frame names it by id (32768 +
-- its row id here, never given twice: AUTOINCREMENT).
CREATE TABLE pack_dicts (
	id   INTEGER PRIMARY KEY AUTOINCREMENT,
	dict BLOB NOT NULL
) STRICT;

-- A rowid table: its rows, a file's packed bytes, are mostly larger than
-- what a WITHOUT ROWID table keeps on its own page. Neither a file nor a
-- skill keeps its rendered HTML and table of contents (0003) any more:
-- pages render when asked (indexing/skill.h: skill_render_doc), and the
-- response cache keeps what is asked again.
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
	stamp          TEXT,
	slug_base      TEXT,
	source         TEXT
) STRICT;
CREATE INDEX skills_source ON skills (root_index, path, id, stamp, slug_base, slug, source);

DROP TABLE search;
-- A skill's search rows: their text in one packed document
-- (store/searchdoc.h), and their rowids (the skill's id << 24, plus the
-- row's position) in search_rows, which the view search_text turns back
-- into rows: the content `search` indexes and reads its columns from.
-- A document's id is never used again (AUTOINCREMENT), so a reader that
-- keeps the last document it unpacked knows it by its id alone.
CREATE TABLE search_docs (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	skill_id INTEGER NOT NULL UNIQUE,
	doc      BLOB NOT NULL              -- packed
) STRICT;
CREATE TABLE search_rows (
	id INTEGER PRIMARY KEY
) STRICT;
CREATE VIEW search_text AS
	SELECT r.id AS id,
	       skilld_row(d.id, r.id & 16777215, 0) AS kind,
	       skilld_row(d.id, r.id & 16777215, -1) AS skill,
	       r.id >> 24 AS skill_id,
	       skilld_row(d.id, r.id & 16777215, 1) AS path,
	       skilld_row(d.id, r.id & 16777215, 2) AS anchor,
	       skilld_row(d.id, r.id & 16777215, 3) AS url,
	       skilld_row(d.id, r.id & 16777215, 4) AS name,
	       skilld_row(d.id, r.id & 16777215, 5) AS description,
	       skilld_row(d.id, r.id & 16777215, 6) AS headings,
	       skilld_row(d.id, r.id & 16777215, 7) AS title,
	       skilld_row(d.id, r.id & 16777215, 8) AS body
	FROM search_rows r JOIN search_docs d ON d.skill_id = r.id >> 24;
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
