#!/usr/bin/env bash
# Soak: wrk with 256 connections for 5 minutes on a rotating set of URLs
# (JSON, pages, markdown, search, archives, well-known, 404s) against
# build/skilld on a corpus; prints requests served, errors (socket errors
# and non-2xx/3xx answers other than the expected 404s), and the daemon's
# resident memory at minute 1 and at the end (VmRSS, and VmHWM).
#
#   bench/soak.sh [CORPUS] [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-skills}
secs=${2:-300}
conns=${3:-256}
bin=build/skilld
command -v wrk >/dev/null || { echo "bench/soak.sh needs wrk: apt-get install -y wrk"; exit 1; }
[ -x "$bin" ] || make -s "$bin"
tmp=$(mktemp -d)
port=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')
"$bin" --skills "$corpus" --db "$tmp/db" --port "$port" --max-connections 2048 \
	--max-connections-per-ip 1024 2>"$tmp/log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done

slugs=$(curl -s "http://127.0.0.1:$port/api/v1/skills?limit=100" | grep -o '"slug":"[^"]*"' | cut -d'"' -f4 | head -5)
{
	echo 'paths = {'
	for s in $slugs; do
		for p in "/api/v1/skills/$s" "/skills/$s" "/skills/$s/SKILL.md" "/skills/$s/checklist" \
			"/api/v1/skills/$s/files" "/api/v1/skills/$s/archive.tar.gz" "/skills/$s?format=md&max_tokens=300"; do
			echo "  \"$p\","
		done
	done
	cat <<'LUA'
  "/", "/api/v1/skills", "/api/v1/search?q=review", "/api/v1/search?q=memory+safety",
  "/api/v1/resolve?task=review+my+sql+schema", "/llms.txt", "/.well-known/agent-skills/index.json",
  "/.well-known/skills/index.json", "/search?q=checklist", "/healthz", "/api/v1/skills/nope",
}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  -- one path in #paths is a deliberate 404 (an unknown skill)
  io.write(string.format("requests %d, socket errors connect %d read %d write %d timeout %d, " ..
    "non-2xx/3xx %d (the unknown-skill path is 1 in %d: %d expected)\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, #paths, math.floor(summary.requests / #paths)))
end
LUA
} > "$tmp/soak.lua"

rss() { grep -E "^$1:" /proc/$pid/status | awk '{print $2 " kB"}'; }
echo "== soak: $conns connections for ${secs}s on $corpus (pid $pid, port $port)"
echo "RSS at start: $(rss VmRSS)"
wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$tmp/soak.lua" "http://127.0.0.1:$port" \
	> "$tmp/wrk.out" 2>&1 &
wpid=$!
sleep 60
echo "RSS at minute 1: $(rss VmRSS)"
wait $wpid
echo "RSS at the end: $(rss VmRSS) (peak VmHWM $(rss VmHWM))"
grep -E "Requests/sec|Latency|50%|99%|requests [0-9]" "$tmp/wrk.out"
curl -s "http://127.0.0.1:$port/healthz"; echo
