#!/usr/bin/env bash
# Re-indexing a large collection while serving it (`make bench-incremental`).
#
#   bench/incremental.sh [SKILLS] [ROUNDS]
#
# Writes SKILLS synthetic skills (bench/gen-corpus, default 10000) into a
# temporary folder, starts build/skilld on them (a full index: the
# reference every other row is compared with), then measures, ROUNDS times
# each (default 3):
#   restart      a stop and a start on the same database: until /healthz
#                answers (every folder looked at, nothing read)
#   edit         one line appended to a reference of one skill
#   new skill    a skill folder with a new name moved in (made beside the
#                root, then renamed into place, as a checkout does)
#   deleted      a skill folder removed
#   renamed      a skill folder renamed
#   full         SIGUSR1: every skill read again
# For a change: the time from just before the write until /healthz serves
# the next generation (polled every 2 ms) and the daemon's CPU time in that
# span (utime + stime from /proc). Prints every round and the medians.
# Wall-clock numbers on a shared machine are noisy: compare the rows of one
# run, not numbers from different days.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-10000}
rounds=${2:-3}
gen=$PWD/build/gen-corpus
[ -x build/skilld ] || make -s build/skilld
[ -x "$gen" ] || make -s build/gen-corpus
for tool in curl python3; do
	command -v "$tool" >/dev/null || { echo "bench/incremental.sh needs $tool" >&2; exit 1; }
done
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# A copy: a build during the run would make the next start another
# program's, which rebuilds the index whole.
bin=$tmp/skilld
cp build/skilld "$bin"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
ticks=$(getconf CLK_TCK)
echo "writing $n synthetic skills..."
"$gen" "$n" "$tmp/skills" >/dev/null
cp -r "$tmp/skills/$(ls "$tmp/skills" | head -1)" "$tmp/spare"
du -sb "$tmp/skills" | awk '{printf "corpus: %.1f MB in %d skills\n", $1 / 1e6, '"$n"'}'

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
generation() { curl -sf "$url/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])'; }

start() {
	"$bin" --skills "$tmp/skills" --db "$tmp/db" --port "$port" --no-access-log \
		2>>"$tmp/log" &
	pid=$!
	until curl -sf "$url/healthz" >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || { cat "$tmp/log"; exit 1; }
		sleep 0.002
	done
}
stop() {
	kill -TERM "$pid"
	wait "$pid" || true
	pid=
}

# measure NAME CMD...: runs CMD, then waits for the next generation (at
# most 10 minutes: a change never served fails the run).
declare -A wall cpu
measure() {
	local name=$1 g0 t0 c0 t1 c1
	shift
	g0=$(generation)
	c0=$(cpu_ticks)
	t0=$(now_ms)
	"$@"
	while [ "$(curl -sf "$url/healthz" | grep -o '"generation":[0-9]*' | cut -d: -f2)" = "$g0" ]; do
		if [ $(( $(now_ms) - t0 )) -gt 600000 ]; then
			echo "$name: not served after 10 minutes" >&2
			tail -5 "$tmp/log" >&2
			exit 1
		fi
		sleep 0.002
	done
	t1=$(now_ms)
	c1=$(cpu_ticks)
	wall[$name]+="$((t1 - t0)) "
	cpu[$name]+="$(( (c1 - c0) * 1000 / ticks )) "
	printf '  %-10s served after %6d ms, daemon CPU %6d ms\n' "$name" "$((t1 - t0))" \
		"$(( (c1 - c0) * 1000 / ticks ))"
	sleep 0.5
}

t0=$(now_ms)
start
full_start=$(( $(now_ms) - t0 ))
echo "first start (every skill read): $full_start ms"
victim=$(ls "$tmp/skills" | sed -n 2p)
ref=$(ls "$tmp/skills/$victim/references" | head -1)
edit() { echo "One more line." >>"$tmp/skills/$victim/references/$ref"; }
# The new skill is made beside the root first (not timed), then moved in.
prepare_add() {
	cp -r "$tmp/spare" "$tmp/new.tmp"
	sed -i "s/^name: .*/name: zz-new-$1/" "$tmp/new.tmp/SKILL.md"
}
add() { mv "$tmp/new.tmp" "$tmp/skills/zz-new-$1"; }
delete() { rm -r "$tmp/skills/zz-new-$1"; }
rename_one() { mv "$tmp/skills/$victim" "$tmp/skills/$victim-$1"; victim=$victim-$1; }
full() { kill -USR1 "$pid"; }
for r in $(seq "$rounds"); do
	echo "round $r"
	stop
	t0=$(now_ms)
	start
	wall[restart]+="$(( $(now_ms) - t0 )) "
	printf '  %-10s served after %6d ms\n' restart "$(( $(now_ms) - t0 ))"
	# Once its watches are set (on its own thread, while the startup index
	# runs) the daemon looks at every folder once more (docs/architecture.md):
	# the changes below are measured after that run, alone.
	t0=$(now_ms)
	until [ "$(curl -sf "$url/healthz" | grep -o '"reloads":[0-9]*' | cut -d: -f2)" -ge 1 ] 2>/dev/null; do
		sleep 0.01
	done
	printf '  %-10s done after    %6d ms more\n' "the look at every folder once the watches are set" "$(( $(now_ms) - t0 ))"
	measure edit edit
	prepare_add "$r"
	measure new-skill add "$r"
	measure deleted delete "$r"
	measure renamed rename_one "$r"
	measure full full
done
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "medians over $rounds rounds ($n skills):"
printf '| change | served after (ms) | daemon CPU (ms) | ratio to a full re-index |\n'
printf '|---|---:|---:|---:|\n'
fw=$(median "${wall[full]}")
for k in restart edit new-skill deleted renamed full; do
	w=$(median "${wall[$k]}")
	c=$([ -n "${cpu[$k]:-}" ] && median "${cpu[$k]}" || echo -)
	printf '| %s | %d | %s | %.3f |\n' "$k" "$w" "$c" "$(echo "$w / $fw" | bc -l)"
done
ls -l "$tmp"/db* | awk '{s += $5} END {printf "database with its WAL, right after the full re-index: %.1f MB\n", s / 1e6}'
# The reloader copies the WAL into the database when idle, and truncates it.
for _ in $(seq 600); do
	[ "$(stat -c %s "$tmp/db-wal" 2>/dev/null || echo 0)" = 0 ] && break
	sleep 0.1
done
ls -l "$tmp"/db* | awk '{s += $5} END {printf "database with its WAL, once checkpointed: %.1f MB\n", s / 1e6}'
find "$tmp/skills" -type f -printf '%s\n' | awk '{s += $1} END {printf "the files of the corpus: %.1f MB\n", s / 1e6}'
if command -v sqlite3 >/dev/null; then
	echo "what takes the space (MB, SQLite's dbstat):"
	sqlite3 "$tmp/db" "SELECT name, round(sum(pgsize) / 1e6, 1) FROM dbstat GROUP BY name
		ORDER BY 2 DESC LIMIT 8" | tr '|' ' '
fi
grep -o 'indexed .*' "$tmp/log" | tail -3
