#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""List C constructs that deserve a second look in a memory-safety review.

Scans .c and .h files (directories are walked recursively, hidden ones
skipped). Comments are ignored, and string literals are blanked for rules
that look at code, so `"use strcpy"` in a message is not reported. Every hit
carries the checklist reference from references/review-checklist.md.

This is a grep with manners, not an analyser: each hit is a question for the
reviewer, and absence of hits proves nothing.

Exit status: 0 no hits, 1 hits reported, 2 usage or I/O error.
"""

import argparse
import json
import os
import re
import sys

IDENT = r"(?<![A-Za-z0-9_])"
# One call argument: no commas, at most one level of parentheses.
ARG = r"\s*(?:[^,()]|\([^()]*\))+"

# (rule id, severity hint, checklist refs, text to match ("code" has string
# contents blanked, "raw" keeps them), compiled regex, message)
RULES = [
    ("gets", "high", "M43", "code",
     re.compile(IDENT + r"gets\s*\("),
     "gets() cannot be bounded; use fgets() or getline()"),
    ("strcpy-strcat", "medium", "M43", "code",
     re.compile(IDENT + r"(strcpy|strcat|stpcpy|wcscpy|wcscat)\s*\("),
     "unbounded copy; prove the destination size or use memcpy/snprintf"),
    ("sprintf", "medium", "M43", "code",
     re.compile(IDENT + r"(sprintf|vsprintf)\s*\("),
     "unbounded formatted write; use snprintf and check the result (M46)"),
    ("strncpy", "low", "M44", "code",
     re.compile(IDENT + r"strncpy\s*\("),
     "strncpy does not terminate on truncation; check the next line"),
    ("strncat", "low", "M45", "code",
     re.compile(IDENT + r"strncat\s*\("),
     "strncat's bound is the space left minus one, not the buffer size"),
    ("alloca", "medium", "M55", "code",
     re.compile(IDENT + r"(alloca|__builtin_alloca)\s*\("),
     "alloca cannot fail; a large size skips the stack guard page"),
    ("realloc-self", "medium", "M5", "code",
     re.compile(r"(\**[A-Za-z_][A-Za-z0-9_.>\[\]-]*)\s*=\s*realloc\s*\(\s*\1\s*,"),
     "p = realloc(p, n) leaks the old block when realloc fails"),
    ("alloc-mul", "medium", "M17", "code",
     re.compile(IDENT + r"(malloc|alloca|xmalloc)\s*\([^;]*[A-Za-z0-9_)\]]\s*\*\s*[A-Za-z0-9_(]"),
     "multiplication in an allocation size; check for overflow or use calloc"),
    ("realloc-mul", "medium", "M17", "code",
     re.compile(IDENT + r"(realloc|xrealloc)\s*\([^,;]*,[^;]*[A-Za-z0-9_)\]]\s*\*\s*[A-Za-z0-9_(]"),
     "multiplication in a realloc size; check for overflow or use reallocarray"),
    ("format-nonliteral", "high", "M51", "code",
     re.compile(IDENT + r"printf\s*\(\s*(?=[A-Za-z_])"),
     "format argument is not a string literal"),
    ("format-nonliteral", "high", "M51", "code",
     re.compile(IDENT + r"(fprintf|dprintf|syslog)\s*\(" + ARG + r",\s*(?=[A-Za-z_])"),
     "format argument is not a string literal"),
    ("format-nonliteral", "high", "M51", "code",
     re.compile(IDENT + r"snprintf\s*\(" + ARG + r"," + ARG + r",\s*(?=[A-Za-z_])"),
     "format argument is not a string literal"),
    ("format-percent-n", "high", "M53", "raw",
     re.compile(r"\"[^\"]*(?<!%)%[0-9.*hlzjt]*n[^\"]*\""),
     "%n in a format string writes to memory"),
    ("scanf-unbounded", "high", "M49", "raw",
     re.compile(IDENT + r"(scanf|fscanf|sscanf)\s*\(.*\"[^\"]*%(s|\[)"),
     "%s or %[ without a field width in scanf"),
    ("atoi", "low", "M20", "code",
     re.compile(IDENT + r"(atoi|atol|atoll)\s*\("),
     "no error or range detection; use strtol/strtoul with errno and endptr"),
    ("strtok", "low", "M29", "code",
     re.compile(IDENT + r"strtok\s*\("),
     "strtok keeps static state; use strtok_r"),
    ("static-result", "low", "M29", "code",
     re.compile(IDENT + r"(inet_ntoa|asctime|ctime|gmtime|localtime|strerror)\s*\("),
     "returns a static buffer shared between calls and threads"),
    ("vla", "medium", "M56", "code",
     re.compile(r"^\s*(?!return\b|case\b|goto\b|else\b|sizeof\b)(?:const\s+|unsigned\s+|signed\s+|struct\s+)*"
                r"[A-Za-z_][A-Za-z0-9_]*\s+\**\s*[A-Za-z_][A-Za-z0-9_]*\s*\[\s*[a-z_][A-Za-z0-9_]*"
                r"(\s*[-+*]\s*[A-Za-z0-9_]+)*\s*\]\s*;"),
     "possible variable-length array (size is a lowercase identifier)"),
]

# Conversions with a field width (%31s, %15[a-z]) are fine; the scanf rule
# removes them before looking for a bare %s or %[.
SCANF_WIDTH_OK = re.compile(r"%\d+(s|\[)")
SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}


def strip_source(text):
    """Return (raw, code): both with comments replaced by spaces; in code the
    contents of string and character literals are also blanked. Newlines are
    kept so line numbers stay valid."""
    raw, code = [], []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank = re.sub(r"[^\n]", " ", text[i:end])
            raw.append(blank)
            code.append(blank)
            i = end
        elif ch == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            raw.append(" " * (end - i))
            code.append(" " * (end - i))
            i = end
        elif ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            lit = text[i:j]
            raw.append(lit)
            inner = re.sub(r"[^\n]", " ", lit[1:-1]) if len(lit) >= 2 else ""
            code.append(ch + inner + (lit[-1] if len(lit) >= 2 else ""))
            i = j
        else:
            raw.append(ch)
            code.append(ch)
            i += 1
    return "".join(raw), "".join(code)


def scan_file(path):
    """Return a list of hit dicts for one file."""
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        text = f.read()
    raw, code = strip_source(text)
    # `sizeof *p` is a dereference, not a multiplication.
    code = re.sub(r"sizeof\s*\*", "sizeof  ", code)
    src_lines = text.split("\n")
    views = {"raw": raw.split("\n"), "code": code.split("\n")}
    hits = []
    for rule, sev, ref, view, rx, msg in RULES:
        for lineno, line in enumerate(views[view], 1):
            m = rx.search(line)
            if not m:
                continue
            if rule == "scanf-unbounded" and not re.search(r"%(s|\[)", SCANF_WIDTH_OK.sub("", line)):
                continue
            hits.append({
                "file": path, "line": lineno, "column": m.start() + 1,
                "rule": rule, "severity": sev, "ref": ref, "message": msg,
                "source": src_lines[lineno - 1].strip() if lineno <= len(src_lines) else "",
            })
    hits.sort(key=lambda h: (h["line"], h["column"]))
    return hits


def iter_sources(paths):
    """Yield C source paths from files and directories, sorted per directory."""
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith((".c", ".h")):
                        yield os.path.join(root, name)
        else:
            yield p


def main(argv):
    ap = argparse.ArgumentParser(
        description="List risky C calls and constructs for a memory-safety review.",
        epilog="Example: scan_risky_calls.py --min-severity medium src/ include/")
    ap.add_argument("paths", nargs="*", metavar="PATH", help=".c/.h file or directory")
    ap.add_argument("--list-rules", action="store_true", help="print the rules and exit")
    ap.add_argument("--json", action="store_true", help="print hits as a JSON array")
    ap.add_argument("--min-severity", choices=["low", "medium", "high"], default="low",
                    help="hide hits below this severity hint (default: low)")
    args = ap.parse_args(argv)

    if args.list_rules:
        seen = set()
        for rule, sev, ref, _view, _rx, msg in RULES:
            if rule not in seen:
                seen.add(rule)
                print(f"{rule:18} {sev:7} {ref:4} {msg}")
        return 0
    if not args.paths:
        ap.error("at least one PATH is required")
    floor = SEVERITY_ORDER[args.min_severity]
    hits, status = [], 0
    for path in iter_sources(args.paths):
        try:
            hits.extend(h for h in scan_file(path) if SEVERITY_ORDER[h["severity"]] >= floor)
        except OSError as e:
            print(f"scan_risky_calls: {path}: {e.strerror}", file=sys.stderr)
            status = 2
    if args.json:
        json.dump(hits, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for h in hits:
            print(f"{h['file']}:{h['line']}:{h['column']}: [{h['severity']}] {h['rule']} "
                  f"({h['ref']}): {h['message']}\n    {h['source']}")
        print(f"{len(hits)} hit(s)", file=sys.stderr)
    if status:
        return status
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
