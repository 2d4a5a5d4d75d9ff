-- A file over --max-file-size is never read whole, so it has no digest:
-- files.digest is NULL for it. SQLite cannot drop a NOT NULL constraint in
-- place, so the table is rebuilt with the same columns, in the same order.
CREATE TABLE files_new (
	skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
	path     TEXT NOT NULL,
	kind     TEXT NOT NULL,
	size     INTEGER NOT NULL,
	digest   TEXT,
	mime     TEXT NOT NULL,
	is_text  INTEGER NOT NULL CHECK (is_text IN (0, 1)),
	content  BLOB,
	html     TEXT,
	toc_json TEXT,
	PRIMARY KEY (skill_id, path)
) STRICT, WITHOUT ROWID;
INSERT INTO files_new (skill_id, path, kind, size, digest, mime, is_text, content, html, toc_json)
	SELECT skill_id, path, kind, size, digest, mime, is_text, content, html, toc_json FROM files;
DROP TABLE files;
ALTER TABLE files_new RENAME TO files;
