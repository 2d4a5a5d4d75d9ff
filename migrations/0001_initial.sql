-- skilld schema, version 1: the index of skills, their files, checklists,
-- evals and every diagnostic. The whole index is rebuilt at each start in a
-- single transaction; prebuilt JSON columns make requests a lookup.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

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
	detail_json    TEXT NOT NULL,
	files_json     TEXT NOT NULL,
	checklist_json TEXT,
	evals_json     TEXT,
	check_json     TEXT NOT NULL
) STRICT;

CREATE TABLE files (
	skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
	path     TEXT NOT NULL,
	kind     TEXT NOT NULL,
	size     INTEGER NOT NULL,
	digest   TEXT NOT NULL,
	mime     TEXT NOT NULL,
	is_text  INTEGER NOT NULL CHECK (is_text IN (0, 1)),
	content  BLOB,
	PRIMARY KEY (skill_id, path)
) STRICT, WITHOUT ROWID;

CREATE TABLE checklists (
	skill_id   INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
	path       TEXT NOT NULL,
	title      TEXT,
	item_count INTEGER NOT NULL,
	digest     TEXT NOT NULL,
	PRIMARY KEY (skill_id, path)
) STRICT, WITHOUT ROWID;

CREATE TABLE diagnostics (
	id       INTEGER PRIMARY KEY,
	skill_id INTEGER REFERENCES skills (id) ON DELETE CASCADE,
	root     TEXT NOT NULL,
	path     TEXT,
	severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
	code     TEXT NOT NULL,
	message  TEXT NOT NULL,
	line     INTEGER NOT NULL,
	col      INTEGER NOT NULL
) STRICT;

CREATE INDEX diagnostics_skill ON diagnostics (skill_id);
