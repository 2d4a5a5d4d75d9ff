#!/bin/sh
# SPDX-License-Identifier: MIT
# Read-only health and schema audit of a SQLite database: integrity and
# foreign key checks, then schema lint (missing primary keys, unindexed
# foreign keys, redundant indexes, untyped columns, non-STRICT tables).

set -eu

usage() {
	cat <<'EOF'
usage: sqlite-schema-audit.sh [-q] [-s] DATABASE

Open DATABASE read-only with the sqlite3 CLI and report:

  integrity     PRAGMA integrity_check (or quick_check with -q)
  foreign keys  PRAGMA foreign_key_check: rows violating their REFERENCES
  settings      journal_mode, user_version, page count (informational)
  no-pk         tables without a declared PRIMARY KEY (implicit rowid only)
  fk-index      foreign keys whose child column has no index starting with it
  redundant     non-unique indexes that are a prefix of another index
  untyped       columns declared without a type (BLOB affinity, accept anything)
  not-strict    tables not declared STRICT (SQLite 3.37+; with -s only)
  autoinc       tables using AUTOINCREMENT (informational)

  -q   use quick_check instead of integrity_check (faster on large files)
  -s   also list tables that are not STRICT
  -h   show this help

Lines start with OK, FAIL, WARN or INFO. Exit status: 0 when there is no
FAIL, 1 when integrity or foreign key checks fail, 2 on usage errors or
when the database cannot be opened. The file is never modified.

Note: PRAGMA foreign_keys is a per-connection setting and cannot be audited
from a file; check that the application enables it on every connection.
EOF
}

check=integrity_check
strict=0
while getopts qsh opt; do
	case $opt in
	q) check=quick_check ;;
	s) strict=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { usage >&2; exit 2; }
db=$1

command -v sqlite3 >/dev/null 2>&1 || { echo 'audit: sqlite3 CLI not found' >&2; exit 2; }
[ -f "$db" ] || { printf 'audit: no such file: %s\n' "$db" >&2; exit 2; }

# q SQL: run one read-only query; rows separated by newlines, fields by '|'.
q() {
	sqlite3 -readonly -batch -noheader -separator '|' "$db" "$1"
}

if ! q 'SELECT count(*) FROM sqlite_master;' >/dev/null 2>&1; then
	printf 'audit: cannot read %s as a SQLite database\n' "$db" >&2
	exit 2
fi

fails=0
say() { printf '%-4s %s\n' "$1" "$2"; }

# Integrity ------------------------------------------------------------------
res=$(q "PRAGMA $check;" 2>&1 || true)
if [ "$res" = ok ]; then
	say OK "$check"
else
	fails=$((fails + 1))
	say FAIL "$check reported problems:"
	printf '%s\n' "$res" | sed -n '1,20s/^/       /p'
fi

res=$(q 'PRAGMA foreign_key_check;' 2>&1 || true)
if [ -z "$res" ]; then
	say OK "foreign_key_check: no violations"
else
	fails=$((fails + 1))
	n=$(printf '%s\n' "$res" | wc -l | tr -d ' ')
	say FAIL "foreign_key_check: $n row(s) violate foreign keys (table|rowid|parent|fk index):"
	printf '%s\n' "$res" | sed -n '1,20s/^/       /p'
fi

# Settings -------------------------------------------------------------------
say INFO "sqlite $(q 'SELECT sqlite_version();'), journal_mode=$(q 'PRAGMA journal_mode;'), user_version=$(q 'PRAGMA user_version;'), pages=$(q 'PRAGMA page_count;')"
[ "$(q 'PRAGMA journal_mode;')" = wal ] ||
	say INFO "not in WAL mode: readers block while a writer commits"

# Schema lint ------------------------------------------------------------------
user_tables="m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

q "SELECT m.name FROM sqlite_master m
   WHERE $user_tables
     AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE pk > 0)
   ORDER BY m.name;" | while IFS= read -r t; do
	say WARN "no-pk: table $t has no declared PRIMARY KEY"
done

# A foreign key is supported when some index (or the INTEGER PRIMARY KEY) has
# the key's first child column as its leading column.
q "SELECT m.name, f.\"from\", f.\"table\" FROM sqlite_master m
     JOIN pragma_foreign_key_list(m.name) f
   WHERE $user_tables AND f.seq = 0
     AND NOT EXISTS (
       SELECT 1 FROM pragma_index_list(m.name) il
         JOIN pragma_index_info(il.name) ii
       WHERE ii.seqno = 0 AND ii.name = f.\"from\")
     AND NOT EXISTS (
       SELECT 1 FROM pragma_table_info(m.name) ti
       WHERE ti.pk = 1 AND ti.name = f.\"from\")
   ORDER BY m.name, f.id;" | while IFS='|' read -r t col parent; do
	say WARN "fk-index: $t.$col references $parent but no index starts with $col"
done

# Index column lists in key order; expression and partial indexes are skipped.
q "WITH ic AS (
     SELECT m.name AS tbl, il.name AS idx, il.\"unique\" AS uq,
            (SELECT group_concat(name, ',') FROM
               (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) AS cols
     FROM sqlite_master m JOIN pragma_index_list(m.name) il
     WHERE $user_tables AND il.partial = 0
       AND NOT EXISTS (SELECT 1 FROM pragma_index_info(il.name) WHERE name IS NULL))
   SELECT a.tbl, a.idx, a.cols, b.idx, b.cols FROM ic a JOIN ic b
     ON a.tbl = b.tbl AND a.idx <> b.idx
   WHERE a.uq = 0
     AND (substr(b.cols, 1, length(a.cols) + 1) = a.cols || ','
          OR (b.cols = a.cols AND (b.uq = 1 OR a.idx > b.idx)))
   ORDER BY a.tbl, a.idx;" | while IFS='|' read -r t idx cols other ocols; do
	say WARN "redundant: index $idx on $t($cols) is covered by $other($ocols)"
done

q "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
   WHERE $user_tables AND p.type = ''
   ORDER BY m.name, p.cid;" | while IFS='|' read -r t col; do
	say WARN "untyped: column $t.$col has no declared type"
done

if [ "$strict" -eq 1 ]; then
	if q "SELECT 1 FROM pragma_table_list LIMIT 1;" >/dev/null 2>&1; then
		q "SELECT name FROM pragma_table_list
		   WHERE schema = 'main' AND type = 'table' AND strict = 0
		     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
		   ORDER BY name;" | while IFS= read -r t; do
			say INFO "not-strict: table $t is not STRICT"
		done
	else
		say INFO "not-strict: needs SQLite 3.37+ (pragma_table_list)"
	fi
fi

q "SELECT name FROM sqlite_master
   WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%' ORDER BY name;" |
	while IFS= read -r t; do
		say INFO "autoinc: $t uses AUTOINCREMENT (needed only if IDs must never be reused)"
	done

say INFO "remember: PRAGMA foreign_keys, busy_timeout and synchronous are per connection; check the application's open code"
[ "$fails" -eq 0 ]
