#!/usr/bin/env bash
# Throughput and latency of /api/v1/search on a skill collection, with wrk.
#
#   bench/search.sh [CORPUS] [QUERY]
#
# Starts build/skilld on CORPUS (default ../shared/corpora/booklib-head) on a
# free loopback port, then runs wrk twice against the same query: one
# connection (latency of one search) and 32 connections on 2 threads
# (throughput). wrk runs on the same machine and competes for its cores:
# compare runs made side by side, not numbers from different machines.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-../shared/corpora/booklib-head}
query=${2:-idempotent+consumer}
bin=build/skilld
command -v wrk >/dev/null || { echo "bench/search.sh needs wrk: apt-get install -y wrk"; exit 1; }
[ -x "$bin" ] || make -s "$bin"
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --skills "$corpus" --db "$tmp/db" --port "$port" 2>/dev/null &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
url="http://127.0.0.1:$port/api/v1/search?q=$query"
echo "== 1 connection: wrk -t1 -c1 -d10s --latency '$url'"
wrk -t1 -c1 -d10s --latency "$url" | grep -E 'Requests/sec|50%|99%'
echo "== 32 connections: wrk -t2 -c32 -d10s --latency '$url'"
wrk -t2 -c32 -d10s --latency "$url" | grep -E 'Requests/sec|50%|99%'
