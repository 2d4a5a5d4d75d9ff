#!/usr/bin/env bash
# Two skilld binaries side by side on bench/reviews.sh, alternating, for
# ROUNDS rounds (default 2): each round runs OLD then NEW on SQLite and
# PostgreSQL with one and two replicas (one review), then on PostgreSQL
# with the writes spread over 8 reviews. Compare rows within a round: the
# machine's load moves between rounds.
#
#   bench/reviews-ab.sh OLD NEW [ROUNDS]     (BENCH_DURATION, default 10s)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/reviews-ab.sh OLD NEW [ROUNDS]" >&2; exit 2; }
old=$1 new=$2 rounds=${3:-2}
export BENCH_DURATION=${BENCH_DURATION:-10s}
for round in $(seq "$rounds"); do
	for bin in "$old" "$new"; do
		echo "## round $round: $bin ($(uptime | sed 's/.*load/load/'))"
		BENCH_SKILLD=$bin BENCH_STORES="sqlite pg1 pg2-nginx" bench/reviews.sh | grep "^| [SP]"
		BENCH_SKILLD=$bin BENCH_REVIEWS=8 BENCH_STORES="pg1 pg2-nginx" bench/reviews.sh |
			grep "^| [SP]\|^history"
	done
done
