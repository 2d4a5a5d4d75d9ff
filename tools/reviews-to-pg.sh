#!/bin/sh
# SPDX-License-Identifier: MIT
# Moves the reviews of a SQLite review database (reviews.db) into a
# PostgreSQL store: tools/reviews-to-pg.sh SRC.db postgresql://USER:PW@HOST/DB
#
# The PostgreSQL tables must exist and be empty: start skilld once with
# --store on that URI (it applies the schema), stop it, run this, start the
# replicas. Stop every skilld writing to SRC first (or copy it with
# `skilld backup` and move the copy). The rows go over as JSON
# (sqlite3 -json, json_populate_recordset), so NULL and empty text, newlines
# and every character arrive as they were; ids, seqs, versions and times
# are kept, so URLs, event ids and If-Match versions stay valid. One
# transaction: all or nothing. Needs the sqlite3 and psql programs (Debian:
# sqlite3, postgresql-client). Tested by tests/e2e/cluster.test.mjs.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 SRC.db postgresql://USER:PASSWORD@HOST[:PORT]/DB" >&2
	exit 2
fi
src=$1 uri=$2
[ -r "$src" ] || { echo "$0: cannot read $src" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in reviews review_items review_events; do
	# an empty table prints nothing
	sqlite3 -readonly -json "$src" "SELECT * FROM $t" >"$tmp/$t.json"
	[ -s "$tmp/$t.json" ] || echo '[]' >"$tmp/$t.json"
done

# \set reads each file into a variable; :'x' passes it as one quoted literal.
cd "$tmp"
psql -X -q -v ON_ERROR_STOP=1 "$uri" <<'EOF'
\set reviews `cat reviews.json`
\set items `cat review_items.json`
\set events `cat review_events.json`
BEGIN;
DO $$ BEGIN
	IF EXISTS (SELECT 1 FROM reviews) THEN
		RAISE EXCEPTION 'the PostgreSQL store already holds reviews: nothing moved';
	END IF;
END $$;
INSERT INTO reviews SELECT * FROM json_populate_recordset(NULL::reviews, :'reviews');
INSERT INTO review_items SELECT * FROM json_populate_recordset(NULL::review_items, :'items');
INSERT INTO review_events SELECT * FROM json_populate_recordset(NULL::review_events, :'events');
SELECT (SELECT count(*) FROM reviews) AS reviews, (SELECT count(*) FROM review_items) AS items,
       (SELECT count(*) FROM review_events) AS events \gset
\echo moved :reviews reviews, :items items, :events events
COMMIT;
EOF
