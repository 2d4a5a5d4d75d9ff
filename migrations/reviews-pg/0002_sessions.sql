-- skilld review store on PostgreSQL, version 2: the browser sign-in
-- sessions (--token-file), kept here so that every replica knows them and a
-- sign-out on one ends the session on all. A session is named by the
-- SHA-256 of its id (64 hex digits); the id itself is never stored. Expiry
-- is counted by the database's clock, the one clock all replicas share.

CREATE TABLE sessions (
	digest     TEXT COLLATE "C" PRIMARY KEY,
	expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_by_expiry ON sessions (expires_at);
