#!/bin/sh
# SPDX-License-Identifier: MIT
# Tests tools/check-layers.sh on fixture modules: a module that calls the
# layer above and two modules that call each other must fail it, a known
# list must excuse exactly those, a stale known line must fail, and a
# module in a folder that is no layer must fail. usage: run.sh CC OUTDIR
set -eu
cc=$1; out=$2
here=$(dirname "$0")
check=$here/../../tools/check-layers.sh
for m in top/high bottom/low bottom/peer nowhere/stray; do
	mkdir -p "$out/$(dirname $m)"
	$cc -c -o "$out/$m.o" "$here/$m.c"
done
fail() { echo "check-layers fixture: $*"; exit 1; }

# 1. the violations are found
: > "$out/none"
if "$check" "$here/layers.txt" "$out/none" "$out/top/high.o" "$out/bottom/low.o" "$out/bottom/peer.o" > "$out/1.txt"; then
	fail "a module calling a layer above passed"
fi
grep -qx 'layers: low (bottom) calls high (top, a layer above)' "$out/1.txt" || fail "no upward call in: $(cat "$out/1.txt")"
grep -qx 'layers: low and peer call each other' "$out/1.txt" || fail "no cycle in: $(cat "$out/1.txt")"
grep -qx 'layers: high and low call each other' "$out/1.txt" || fail "no cycle in: $(cat "$out/1.txt")"
# three violations and the summary line
[ "$(grep -c '^layers: ' "$out/1.txt")" -eq 4 ] || fail "other lines: $(cat "$out/1.txt")"

# 2. a known list excuses exactly them
printf '%s\n' 'low (bottom) calls high (top, a layer above)' 'low and peer call each other' \
	'high and low call each other' > "$out/known"
"$check" "$here/layers.txt" "$out/known" "$out/top/high.o" "$out/bottom/low.o" "$out/bottom/peer.o" > "$out/2.txt" ||
	fail "known violations failed: $(cat "$out/2.txt")"
grep -q '3 known violations left' "$out/2.txt" || fail "summary: $(cat "$out/2.txt")"

# 3. a known line that no longer happens fails
echo 'high and peer call each other' >> "$out/known"
if "$check" "$here/layers.txt" "$out/known" "$out/top/high.o" "$out/bottom/low.o" "$out/bottom/peer.o" > "$out/3.txt"; then
	fail "a stale known line passed"
fi
grep -q 'no longer happens.*high and peer call each other' "$out/3.txt" || fail "stale: $(cat "$out/3.txt")"

# 4. a module in a folder that is no layer fails
if "$check" "$here/layers.txt" "$out/none" "$out/top/high.o" "$out/nowhere/stray.o" > "$out/4.txt"; then
	fail "a module outside the layers passed"
fi
grep -q 'module stray is in nowhere/, which is not a layer' "$out/4.txt" || fail "stray: $(cat "$out/4.txt")"
echo "check-layers fixture: 4 cases as expected"
