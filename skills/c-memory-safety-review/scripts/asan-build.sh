#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds C sources with AddressSanitizer + UndefinedBehaviorSanitizer (or
# MemorySanitizer with -m) and strict warnings, then optionally runs the
# result with sanitizer options that make every finding fatal.

set -eu

usage() {
	cat <<'EOF'
usage: asan-build.sh [-c CC] [-o OUT] [-m] [-r] [-k] SOURCE.c... [-- ARGS...]

Compile SOURCE files (a whole program, or tests plus the code under test)
with sanitizers, frame pointers and memory-relevant warnings. Each source is
compiled separately, then linked into OUT.

  -c CC    compiler (default: $CC, else cc)
  -o OUT   output binary (default: ./a.asan, or ./a.msan with -m)
  -m       MemorySanitizer (uninitialised reads) instead of ASan+UBSan;
           needs clang, and every linked library should be instrumented
  -r       run OUT after building, with ARGS after "--"
  -k       keep going: UBSan reports but does not stop (default: stop)
  -h       show this help

Extra flags come from the usual variables: CPPFLAGS (e.g. -Iinclude),
CFLAGS (e.g. -std=gnu11), LDFLAGS and LDLIBS (e.g. -lsqlite3).
Existing ASAN_OPTIONS / UBSAN_OPTIONS / MSAN_OPTIONS are respected.

Exit status: the compiler's on a build failure, the program's with -r
(sanitizer findings exit non-zero), 2 on usage errors.

Examples:
  asan-build.sh -r src/parse.c tests/parse_test.c -- tests/data
  CPPFLAGS=-Iinclude LDLIBS=-lsqlite3 asan-build.sh -o build/t server/*.c
  asan-build.sh -m -c clang -r fuzz/repro.c src/parse.c -- crash-1234
EOF
}

die() {
	printf 'asan-build: %s\n' "$1" >&2
	exit 2
}

cc=${CC:-cc}
out=
msan=0
run=0
recover=0

while getopts c:o:mrkh opt; do
	case $opt in
	c) cc=$OPTARG ;;
	o) out=$OPTARG ;;
	m) msan=1 ;;
	r) run=1 ;;
	k) recover=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

[ $# -gt 0 ] || { usage >&2; exit 2; }
command -v "$cc" >/dev/null 2>&1 || die "compiler not found: $cc"

if [ "$msan" -eq 1 ]; then
	san='-fsanitize=memory -fsanitize-memory-track-origins=2'
	: "${out:=./a.msan}"
	case $("$cc" --version 2>/dev/null) in
	*clang*) ;;
	*) die "MemorySanitizer needs clang (use -c clang)" ;;
	esac
else
	san='-fsanitize=address,undefined'
	[ "$recover" -eq 1 ] || san="$san -fno-sanitize-recover=all"
	: "${out:=./a.asan}"
fi

warn='-Wall -Wextra -Wformat=2 -Wformat-security -Wvla -Wshadow'
base='-g -O1 -fno-omit-frame-pointer'

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asan-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' HUP INT TERM

# Compile each source up to "--"; the rest are the program's arguments.
n=0
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	-*) die "options must come before the sources: $1" ;;
	esac
	[ -f "$1" ] || die "no such source file: $1"
	n=$((n + 1))
	printf 'asan-build: compiling %s\n' "$1" >&2
	# shellcheck disable=SC2086 # flag lists are meant to split
	"$cc" $base $san $warn ${CPPFLAGS:-} ${CFLAGS:-} -c "$1" -o "$tmp/$n.o"
	shift
done
[ "$n" -gt 0 ] || die "no sources given"

# shellcheck disable=SC2086
"$cc" $base $san ${LDFLAGS:-} "$tmp"/*.o ${LDLIBS:-} -o "$out"
printf 'asan-build: built %s (%s)\n' "$out" "$san" >&2

[ "$run" -eq 1 ] || exit 0

case $out in
*/*) prog=$out ;;
*) prog=./$out ;;
esac

: "${ASAN_OPTIONS:=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
: "${MSAN_OPTIONS:=halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS MSAN_OPTIONS

printf 'asan-build: running %s\n' "$prog" >&2
set +e
"$prog" "$@"
status=$?
set -e
if [ "$status" -ne 0 ]; then
	printf 'asan-build: %s exited with status %d\n' "$prog" "$status" >&2
fi
exit "$status"
