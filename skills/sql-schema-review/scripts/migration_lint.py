#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Flag risky statements in SQL migration files.

Splits each file into statements (respecting quotes, comments, PostgreSQL
dollar quoting and SQLite trigger bodies) and applies rules about online
safety and schema hygiene. Rules depend on --dialect because engines differ:
PostgreSQL locks, MySQL online DDL, SQLite's ALTER TABLE limits.

This is a first pass for a reviewer, not a substitute for one: it cannot
know table sizes, and it reads statements, not intentions.

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage or I/O error.
"""

import argparse
import json
import re
import sys

LEVELS = {"info": 0, "warn": 1, "error": 2}


def split_statements(text):
    """Yield (line_number, statement) for each statement, with comments
    removed and string contents preserved."""
    out, buf = [], []
    i, n, line, start_line = 0, len(text), 1, None
    in_trigger = False
    while i < n:
        ch = text[i]
        if ch == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            buf.append(" ")
            i = j
            continue
        if start_line is None and not ch.isspace():
            start_line = line
        if ch in "'\"`":
            j = i + 1
            while j < n:
                if text[j] == ch:
                    if j + 1 < n and text[j + 1] == ch:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            j = min(j + 1, n)
            buf.append(text[i:j])
            line += text.count("\n", i, j)
            i = j
            continue
        m = re.match(r"\$[A-Za-z_]*\$", text[i:i + 64]) if ch == "$" else None
        if m:
            tag = m.group(0)
            j = text.find(tag, i + len(tag))
            j = n if j < 0 else j + len(tag)
            buf.append(text[i:j])
            line += text.count("\n", i, j)
            i = j
            continue
        if ch == "\n":
            line += 1
        if ch == ";":
            stmt = "".join(buf).strip()
            # SQLite trigger bodies (BEGIN ... ; ... END) contain semicolons.
            if (not in_trigger and re.match(r"CREATE\s+(TEMP\w*\s+)?TRIGGER\b", stmt, re.I)
                    and re.search(r"\bBEGIN\b", stmt, re.I)):
                in_trigger = True
            if in_trigger and not re.search(r"\bEND\s*$", stmt, re.I):
                buf.append(ch)
                i += 1
                continue
            in_trigger = False
            if stmt:
                out.append((start_line or line, stmt))
            buf, start_line = [], None
            i += 1
            continue
        buf.append(ch)
        i += 1
    stmt = "".join(buf).strip()
    if stmt:
        out.append((start_line or line, stmt))
    return out


def norm(stmt):
    """Collapse whitespace and blank string literals for pattern matching."""
    s = re.sub(r"'(?:[^']|'')*'", "'?'", stmt)
    return re.sub(r"\s+", " ", s).strip()


MONEY = r"(price|amount|total|cost|balance|fee|salary|tax)\w*"
VOLATILE = r"(clock_timestamp|random|gen_random_uuid|uuid_generate_v4|timeofday)\s*\("


def check_statement(s, dialect, ctx):
    """Return a list of (level, rule, message) for one normalised statement."""
    f = []
    u = s.upper()
    pg, my, lite = dialect == "postgres", dialect == "mysql", dialect == "sqlite"

    add_col = re.search(r"\bALTER TABLE\b.*\bADD (COLUMN )?(?!CONSTRAINT|INDEX|UNIQUE|PRIMARY|FOREIGN|CHECK|KEY)", u)
    if add_col and "NOT NULL" in u and "DEFAULT" not in u and "GENERATED" not in u:
        f.append(("error", "add-not-null-no-default",
                  "ADD COLUMN ... NOT NULL without DEFAULT fails on a populated table "
                  "(and breaks inserts from the old code); add nullable, backfill, then constrain"))
    if add_col and pg and re.search(r"DEFAULT\s+" + VOLATILE, s, re.I):
        f.append(("warn", "volatile-default",
                  "volatile DEFAULT on ADD COLUMN rewrites the whole table under ACCESS EXCLUSIVE"))
    if lite and add_col and re.search(r"\b(PRIMARY KEY|UNIQUE)\b", u):
        f.append(("error", "sqlite-add-unique",
                  "SQLite cannot ADD COLUMN with PRIMARY KEY or UNIQUE; add the column, then CREATE UNIQUE INDEX"))

    if re.search(r"\bCREATE (UNIQUE )?INDEX\b", u):
        if pg and "CONCURRENTLY" not in u:
            f.append(("warn", "index-not-concurrent",
                      "CREATE INDEX without CONCURRENTLY blocks writes for the whole build"))
        if pg and "CONCURRENTLY" in u and ctx["in_tx"]:
            f.append(("error", "concurrent-in-transaction",
                      "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"))
    if re.search(r"\bADD (CONSTRAINT \S+ )?(FOREIGN KEY|CHECK)\b", u) and pg and "NOT VALID" not in u:
        f.append(("warn", "constraint-validates-under-lock",
                  "adding a FOREIGN KEY/CHECK scans the table under lock; add NOT VALID, then VALIDATE CONSTRAINT"))
    if lite and re.search(r"\bALTER TABLE\b.*\bADD (CONSTRAINT|FOREIGN KEY|CHECK|PRIMARY KEY|UNIQUE)\b", u):
        f.append(("error", "sqlite-alter-unsupported",
                  "SQLite ALTER TABLE cannot add constraints; rebuild the table (create, copy, drop, rename)"))
    if pg and re.search(r"\bALTER COLUMN \S+ SET NOT NULL\b", u):
        f.append(("warn", "set-not-null-scan",
                  "SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated "
                  "CHECK (col IS NOT NULL) exists (PostgreSQL 12+)"))
    if re.search(r"\bALTER COLUMN \S+ (SET DATA )?TYPE\b", u) or (my and re.search(r"\b(MODIFY|CHANGE) (COLUMN )?\S+", u) and "ALTER TABLE" in u):
        f.append(("warn", "type-change-rewrite",
                  "changing a column type usually rewrites the table and breaks old code; use a new column"))
    if lite and re.search(r"\bALTER COLUMN\b", u):
        f.append(("error", "sqlite-alter-column",
                  "SQLite has no ALTER COLUMN; rebuild the table"))
    if re.search(r"\bRENAME (COLUMN )?\S+ TO\b|\bRENAME TO\b", u) and "ALTER TABLE" in u:
        f.append(("warn", "rename",
                  "renaming breaks the application version still running during the deploy; expand/contract instead"))
    if re.search(r"\bDROP (COLUMN|TABLE)\b", u) or (re.search(r"\bALTER TABLE\b.*\bDROP (?!CONSTRAINT|INDEX|DEFAULT|NOT NULL)\w+", u)):
        f.append(("warn", "destructive",
                  "DROP is irreversible; make sure no deployed code (workers, cron, reports) still uses it"))
    if re.match(r"TRUNCATE\b", u):
        f.append(("warn", "destructive", "TRUNCATE in a migration deletes data irreversibly"))
    if re.match(r"(UPDATE|DELETE)\b", u):
        if " WHERE " not in u:
            f.append(("warn", "unbounded-dml",
                      "UPDATE/DELETE without WHERE touches every row in one transaction; batch it outside the migration"))
        else:
            f.append(("info", "data-change",
                      "data change in a migration: check the row count, lock duration and batching"))
    if pg and re.match(r"ALTER TABLE\b", u) and not ctx["lock_timeout"]:
        ctx["lock_timeout_needed"] = True

    if re.match(r"CREATE (TEMP\w* )?TABLE\b", u) and " AS SELECT " not in u:
        if "PRIMARY KEY" not in u:
            f.append(("warn", "no-primary-key", "CREATE TABLE without a PRIMARY KEY"))
        for m in re.finditer(r"\b\w*" + MONEY + r"\s+(REAL|FLOAT|DOUBLE)\b", s, re.I):
            f.append(("warn", "float-money",
                      f"column '{m.group(0).split()[0]}' looks like money but is a binary float; "
                      "use integer minor units or DECIMAL"))
        if lite and not re.search(r"\)\s*(WITHOUT ROWID\s*,\s*)?STRICT\b|\bSTRICT\s*(,\s*WITHOUT ROWID)?\s*$", u):
            f.append(("info", "sqlite-not-strict",
                      "SQLite table is not STRICT; declared types are only affinities"))
        if re.search(r"\bREFERENCES\b", u) and "ON DELETE" not in u:
            f.append(("info", "fk-on-delete",
                      "foreign key without ON DELETE: the default (NO ACTION) may be right, but choose it deliberately"))
    if lite and re.match(r"PRAGMA FOREIGN_KEYS\b", u) and ctx["in_tx"]:
        f.append(("error", "pragma-in-transaction",
                  "PRAGMA foreign_keys is a no-op inside a transaction"))
    return f


def lint_file(path, dialect, runner_tx):
    """Return findings for one file as dicts."""
    with open(path, "r", encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    ctx = {"in_tx": runner_tx, "lock_timeout": False, "lock_timeout_needed": False}
    findings = []
    for line, stmt in split_statements(text):
        s = norm(stmt)
        u = s.upper()
        if re.match(r"(BEGIN|START TRANSACTION)\b", u) and not u.startswith("BEGIN ATOMIC"):
            ctx["in_tx"] = True
            continue
        if re.match(r"(COMMIT|END|ROLLBACK)\b", u):
            ctx["in_tx"] = runner_tx
            continue
        if re.match(r"SET (LOCAL )?LOCK_TIMEOUT\b", u):
            ctx["lock_timeout"] = True
        for level, rule, msg in check_statement(s, dialect, ctx):
            findings.append({"file": path, "line": line, "level": level, "rule": rule,
                             "message": msg, "statement": s[:120]})
    if ctx["lock_timeout_needed"]:
        findings.append({"file": path, "line": 1, "level": "info", "rule": "no-lock-timeout",
                         "message": "ALTER TABLE without SET lock_timeout: a blocked DDL queues all traffic behind it",
                         "statement": ""})
    return findings


def main(argv):
    ap = argparse.ArgumentParser(
        description="Flag risky statements in SQL migration files.",
        epilog="Example: migration_lint.py --dialect postgres --runner-transaction migrations/*.sql")
    ap.add_argument("files", nargs="+", metavar="FILE", help="migration .sql file")
    ap.add_argument("--dialect", choices=["postgres", "mysql", "sqlite", "generic"], default="generic",
                    help="engine-specific rules (default: generic)")
    ap.add_argument("--runner-transaction", action="store_true",
                    help="the migration runner wraps each file in a transaction")
    ap.add_argument("--fail-on", choices=list(LEVELS), default="warn",
                    help="lowest level that makes the exit status 1 (default: warn)")
    ap.add_argument("--json", action="store_true", help="print findings as JSON")
    args = ap.parse_args(argv)

    findings, status = [], 0
    for path in args.files:
        try:
            findings.extend(lint_file(path, args.dialect, args.runner_transaction))
        except OSError as e:
            print(f"migration_lint: {path}: {e.strerror}", file=sys.stderr)
            status = 2
    if args.json:
        json.dump(findings, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for x in findings:
            print(f"{x['file']}:{x['line']}: [{x['level']}] {x['rule']}: {x['message']}")
            if x["statement"]:
                print(f"    {x['statement']}")
        print(f"{len(findings)} finding(s)", file=sys.stderr)
    if status:
        return status
    floor = LEVELS[args.fail_on]
    return 1 if any(LEVELS[x["level"]] >= floor for x in findings) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
