#!/usr/bin/env bash
# Unique searches, two skilld binaries side by side in one run:
#
#   bench/search-ab.sh OLD_BIN NEW_BIN [CORPUS] [ROUNDS]
#   AB_CONNECTIONS=64 bench/search-ab.sh ...   (wrk connections, default 32)
#
# Starts each binary in turn on CORPUS (default
# ../shared/corpora/booklib-head), --threads 2, no access log, on a free
# loopback port (waiting for its first index build), and runs wrk -t2 -c32
# (AB_CONNECTIONS) for 10 s (after 2 s of warm-up) on
# 20 rotating queries made unique per request with a parameter the API
# ignores (no cache can answer them), ROUNDS times (default 3), the two
# binaries alternating. Prints queries/s, p50 and p99 per run and the
# ratio NEW/OLD of each round. wrk shares the machine's cores with the
# server: compare the two within a run, not numbers from different runs.
set -euo pipefail
cd "$(dirname "$0")/.."

old=$1 new=$2
corpus=${3:-../shared/corpora/booklib-head}
rounds=${4:-3}
conns=${AB_CONNECTIONS:-32}
for b in "$old" "$new"; do [ -x "$b" ] || { echo "bench/search-ab.sh: $b is not an executable"; exit 1; }; done
command -v wrk >/dev/null || { echo "bench/search-ab.sh needs wrk: apt-get install -y wrk"; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cat >"$work/search.lua" <<'LUA'
local queries = {
	"refactoring", "idempotent+consumer", "immutable+value", "thread+pool", "naming",
	"coupling", "cache+invalidation", "retry+timeout", "transaction", "exception",
	"dependency+injection", "observer+pattern", "stream", "test+coverage", "lock",
	"serialization", "interface", "concurrency", "validation", "null+safety",
}
local i, threads, tag = 0, 0, nil
function setup(thread)
	threads = threads + 1
	thread:set("thread_no", threads)
end
request = function()
	tag = tag or (tostring(thread_no) .. "-" .. tostring(os.time()))
	i = i + 1
	return wrk.format("GET", "/api/v1/search?q=" .. queries[(i % #queries) + 1] ..
		"&bench=" .. tag .. "-" .. i)
end
LUA

# run BIN: prints "q/s p50 p99"
run() {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	rm -rf "$work/db"
	"$1" --skills "$corpus" --db "$work/db" --port "$port" --threads 2 --no-access-log 2>/dev/null &
	pid=$!
	until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || { echo "bench/search-ab.sh: $1 did not start" >&2; exit 1; }
		sleep 0.05
	done
	wrk -t2 -c"$conns" -d2s -s "$work/search.lua" "http://127.0.0.1:$port/" >/dev/null
	wrk -t2 -c"$conns" -d10s --latency -s "$work/search.lua" "http://127.0.0.1:$port/" |
		awk '/Requests\/sec/ { r = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 }
		     /Socket errors/ { e = " (" $0 ")" }
		     END { printf "%s %s %s%s\n", r, p50, p99, e }'
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

echo "| round | old q/s | old p50 / p99 | new q/s | new p50 / p99 | new ÷ old |"
echo "|---|---|---|---|---|---|"
for r in $(seq "$rounds"); do
	read -r oq op50 op99 < <(run "$old")
	read -r nq np50 np99 < <(run "$new")
	echo "| $r | $oq | $op50 / $op99 | $nq | $np50 / $np99 | $(awk -v a="$nq" -v b="$oq" 'BEGIN { printf "%.2f", a / b }') |"
done
