-- Placeholder: version 7 is taken by the incremental re-indexing work
-- (another branch), and versions must run without gaps. This file does
-- nothing; when both branches meet, theirs replaces it.
SELECT 1;
