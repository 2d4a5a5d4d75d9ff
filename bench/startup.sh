#!/usr/bin/env bash
# Startup time and peak memory of skilld on a skill collection.
#
#   bench/startup.sh [CORPUS] [RUNS]
#
# For each run: start build/skilld on CORPUS with a fresh database on a free
# port, poll /healthz every 2 ms until it answers, and read the process's
# peak resident set (VmHWM) once it serves. Prints every run and the median.
# Wall-clock numbers on a shared machine are noisy: compare runs made side by
# side, not numbers from different days.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-../shared/corpora/booklib-head}
runs=${2:-11}
bin=build/skilld
[ -x "$bin" ] || make -s "$bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
times=()
hwms=()
for i in $(seq "$runs"); do
	rm -f "$tmp"/db*
	t0=$(date +%s%N)
	"$bin" --skills "$corpus" --db "$tmp/db" --port "$port" 2>"$tmp/log" &
	pid=$!
	until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || { cat "$tmp/log"; exit 1; }
		sleep 0.002
	done
	t1=$(date +%s%N)
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	kill -TERM "$pid"
	wait "$pid"
	ms=$(( (t1 - t0) / 1000000 ))
	times+=("$ms")
	hwms+=("$hwm")
	printf 'run %2d: ready in %4d ms, peak RSS %6d KiB\n' "$i" "$ms" "$hwm"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median over $runs runs: ready in $(median "${times[@]}") ms, peak RSS $(median "${hwms[@]}") KiB"
grep -o 'indexed .*' "$tmp/log" | head -1
