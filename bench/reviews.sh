#!/usr/bin/env bash
# Review verdict writes under load: PATCH /api/v1/reviews/{id}/items/{item}
# from BENCH_CONNECTIONS concurrent clients (default 32) for BENCH_DURATION
# (default 20s), and, side by side in the same run, reads of the same
# review (GET /api/v1/reviews/{id}, the answer a review page asks for every
# second). Prints a markdown table: requests/s, p50 and p99 latency, and the
# share of non-2xx answers; then checks that every write that got a 2xx is
# in the review's history.
#
#   bench/reviews.sh        (needs wrk and curl; make bench-reviews)
#
# skilld runs on the bundled skills in a temporary folder, on a free
# loopback port, with --threads BENCH_THREADS (default: nproc). wrk runs on
# the same machine and competes for its cores: compare rows of one run.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=${BENCH_THREADS:-$(nproc)}
conns=${BENCH_CONNECTIONS:-32}
dur=${BENCH_DURATION:-20s}
bin=${BENCH_SKILLD:-build/skilld}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

port=$(free_port)
"$bin" --skills skills --db "$tmp/skilld.db" --port "$port" --threads "$threads" --no-watch \
	> "$tmp/skilld.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
	sleep 0.05
done
base="http://127.0.0.1:$port"
review=$(curl -sf -X POST -H 'Content-Type: application/json' "$base/api/v1/reviews" \
	-d '{"skill":"c-memory-safety-review","title":"bench"}' | sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p')
[ -n "$review" ] || { echo "reviews.sh: could not start a review" >&2; exit 1; }

# wrk's summary → "req/s | p50 | p99 | non-2xx"
row() {
	awk '
		/Requests\/sec/ { rps = $2 }
		/^ +50%/ { p50 = $2 }
		/^ +99%/ { p99 = $2 }
		/requests in/ { total = $1 }
		/Non-2xx/ { bad = $NF }
		END { printf "%s | %s | %s | %d of %d", rps, p50, p99, bad, total }'
}

REVIEW=$review ITEMS=66 wrk -t2 -c"$conns" -d"$dur" --latency -s bench/verdicts.lua "$base/" \
	> "$tmp/write.txt"
wrk -t2 -c"$conns" -d"$dur" --latency -H 'Accept: application/json' \
	"$base/api/v1/reviews/$review" > "$tmp/read.txt"

seq=$(curl -sf "$base/api/v1/reviews/$review" | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' | head -1)
writes=$(awk '/requests in/ { print $1 }' "$tmp/write.txt")
bad=$(awk '/Non-2xx/ { print $NF }' "$tmp/write.txt")
ok=$((writes - ${bad:-0}))

echo "| $conns connections, $dur, skilld --threads $threads | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
echo "| PATCH a verdict (write) | $(row < "$tmp/write.txt") |"
echo "| GET the review (read) | $(row < "$tmp/read.txt") |"
echo
# seq counts the review's changes: its start (1) and each write that
# changed an item. A write wrk counted as finished but not stored would
# make seq smaller than 1 + the 2xx writes (it can be larger: writes still
# in flight when wrk stopped counting).
echo "history: seq $seq after $ok writes answered 2xx ($(( seq - 1 >= ok ? 1 : 0 )) = none lost)"
