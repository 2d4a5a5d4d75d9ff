-- Markdown rendered to safe HTML at index time (never per request): the
-- SKILL.md body of each skill and every markdown file, with their tables of
-- contents as JSON arrays of {level, id, text}.
ALTER TABLE skills ADD COLUMN body_html TEXT;
ALTER TABLE skills ADD COLUMN toc_json TEXT;
ALTER TABLE files ADD COLUMN html TEXT;
ALTER TABLE files ADD COLUMN toc_json TEXT;
