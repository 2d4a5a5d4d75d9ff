#!/usr/bin/env bash
# The access log's cost, two skilld binaries side by side in one run:
#
#   bench/log-ab.sh OLD_BIN NEW_BIN [ROUNDS] [SECONDS]
#
# Starts each binary in turn on ../shared/corpora/booklib-head (--threads
# 2, its default access log on stderr sent to a file), then NEW_BIN once
# more with --no-access-log, and runs wrk -t1 -c64 for SECONDS (default 8)
# on two URLs: the skill's JSON revalidated (304: the cheapest answer, where
# a log line weighs most) and a 13 KB reference. ROUNDS times (default 3),
# the three alternating. Prints req/s and the server's CPU per request
# (utime + stime of the process, writer thread included, over the requests
# wrk made) of each run. wrk shares the machine's cores with the server:
# compare within a round, not across runs.
set -euo pipefail
cd "$(dirname "$0")/.."

old=$1 new=$2
rounds=${3:-3}
secs=${4:-8}
corpus=../shared/corpora/booklib-head
hz=$(getconf CLK_TCK)
port=$((20000 + RANDOM % 40000))
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; rm -rf "$work"' EXIT

ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# run LABEL BIN [FLAGS...]: one server, both URLs.
run() {
	local label=$1 bin=$2 etag url hdr t0 t1 n rps
	shift 2
	rm -f "$work"/db*
	"$bin" serve --skills "$corpus" --db "$work/db" --bind 127.0.0.1 --port "$port" \
		--threads 2 --no-watch "$@" 2>"$work/log" &
	pid=$!
	until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
	url=http://127.0.0.1:$port/api/v1/skills/clean-code-reviewer
	etag=$(curl -s -o /dev/null -D - "$url" | tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }')
	for target in "304|$url|If-None-Match: $etag" \
		"reference|http://127.0.0.1:$port/skills/clean-code-reviewer/references/practices-catalog.md|Accept: text/markdown"; do
		IFS='|' read -r name url hdr <<<"$target"
		t0=$(ticks "$pid")
		wrk -t1 -c64 -d"${secs}s" -H "$hdr" "$url" >"$work/wrk"
		t1=$(ticks "$pid")
		n=$(awk '/requests in/ { print $1 }' "$work/wrk")
		rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$work/wrk")
		printf '%-6s %-28s %-10s %7s req/s %6s µs CPU/req\n' "$round" "$label" "$name" "$rps" \
			"$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')"
	done
	kill -TERM "$pid"
	wait "$pid" || true
	pid=
}

for round in $(seq "$rounds"); do
	run "old, access log on" "$old"
	run "new, access log on" "$new"
	run "new, --no-access-log" "$new" --no-access-log
done
