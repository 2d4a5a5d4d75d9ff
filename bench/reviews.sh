#!/usr/bin/env bash
# Review verdict writes under load: PATCH /api/v1/reviews/{id}/items/{item}
# from BENCH_CONNECTIONS concurrent clients (default 32) for BENCH_DURATION
# (default 20s) to one review (BENCH_REVIEWS=N: spread over N reviews), and,
# after it in the same run, reads of the first review
# (GET /api/v1/reviews/{id}, the answer a review page asks for after each
# event). Prints a markdown table: requests/s, p50 and p99 latency, and the
# share of non-2xx answers; then checks that every write that got a 2xx is
# in the review's history.
#
# Each store of BENCH_STORES (default "sqlite pg1 pg1-nginx pg2-nginx", the
# pg ones when PostgreSQL 15 is installed) is measured in turn, in one run:
#   sqlite      one skilld, its SQLite review database (the default store)
#   pg1         one skilld on PostgreSQL (--store postgresql://...)
#   pg1-nginx   the same behind nginx (what nginx itself costs)
#   pg2-nginx   two skilld replicas on one PostgreSQL behind nginx
# PostgreSQL runs with its defaults (fsync and synchronous_commit on, as
# docs/deploy.md asks; BENCH_PG_OPTIONS adds settings, such as
# "-c fsync=off" to see what waiting for the disk costs), in a temporary folder, on a free loopback port, as
# the postgres user when this runs as root; nginx as tests/e2e/cluster.mjs
# configures it.
#
#   bench/reviews.sh        (needs wrk and curl, nginx and postgresql-15 for
#                            the pg rows; make bench-reviews)
#
# skilld runs on the bundled skills with --threads BENCH_THREADS (default:
# nproc). wrk, nginx and PostgreSQL run on the same machine and compete for
# its cores: compare rows of one run, not runs.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=${BENCH_THREADS:-$(nproc)}
conns=${BENCH_CONNECTIONS:-32}
dur=${BENCH_DURATION:-20s}
bin=${BENCH_SKILLD:-build/skilld}
pgbin=${SKILLD_PG_BIN:-/usr/lib/postgresql/15/bin}
nginx=${NGINX:-/usr/sbin/nginx}
stores=${BENCH_STORES:-sqlite pg1 pg1-nginx pg2-nginx}
tmp=$(mktemp -d)
chmod 755 "$tmp"
pgpid=

# The servers started run in command substitutions (subshells): their
# process ids go to a file, and stop_all stops them by it.
stop_all() {
	local p
	[ -f "$tmp/pids" ] || return 0
	while read -r p; do
		kill "$p" 2> /dev/null || true
		while kill -0 "$p" 2> /dev/null; do sleep 0.05; done
	done < "$tmp/pids"
	rm -f "$tmp/pids"
}
cleanup() {
	stop_all
	if [ -n "$pgpid" ]; then
		# the postmaster (runuser, when root, does not pass signals on)
		kill -INT "$(head -1 "$tmp/pg/data/postmaster.pid")" 2> /dev/null || true
		wait "$pgpid" 2> /dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return; }
	done
}

# wait_up URL: until it answers 200, for up to 10 s.
wait_up() {
	for _ in $(seq 200); do
		curl -sf "$1" > /dev/null && return 0
		sleep 0.05
	done
	echo "reviews.sh: nothing answers at $1" >&2
	exit 1
}

# skilld STORE NAME: one skilld on STORE (a path or URI) in the background;
# prints its port.
skilld() {
	local port
	port=$(free_port)
	"$bin" --skills skills --db "$tmp/$2.db" --store "$1" --port "$port" --threads "$threads" \
		--no-watch > "$tmp/$2.log" 2>&1 &
	echo $! >> "$tmp/pids"
	wait_up "http://127.0.0.1:$port/healthz"
	echo "$port"
}

# front PORT...: nginx in front of the ports (as tests/e2e/cluster.mjs sets
# it up); prints its port.
front() {
	local port prefix=$tmp/nginx-$RANDOM
	port=$(free_port)
	mkdir -p "$prefix"
	chmod 755 "$prefix"
	{
		echo "daemon off; worker_processes 2; pid $prefix/nginx.pid;"
		echo "error_log $prefix/error.log warn; events { worker_connections 1024; }"
		echo "http { access_log off; client_body_temp_path $prefix/body;"
		echo "proxy_temp_path $prefix/proxy; fastcgi_temp_path $prefix/fcgi;"
		echo "uwsgi_temp_path $prefix/uwsgi; scgi_temp_path $prefix/scgi;"
		echo "upstream skilld {"
		for p in "$@"; do
			echo "server 127.0.0.1:$p max_fails=1 fail_timeout=10s;"
		done
		echo "keepalive 64; keepalive_timeout 20s; }"
		echo "server { listen 127.0.0.1:$port; location / { proxy_pass http://skilld;"
		echo "proxy_http_version 1.1; proxy_set_header Connection \"\";"
		echo "proxy_set_header Host \$http_host; proxy_next_upstream error timeout;"
		echo "proxy_buffering off; } } }"
	} > "$prefix/nginx.conf"
	"$nginx" -c "$prefix/nginx.conf" -p "$prefix" > "$prefix/out.log" 2>&1 &
	echo $! >> "$tmp/pids"
	wait_up "http://127.0.0.1:$port/healthz"
	echo "$port"
}

# postgres: initdb and start PostgreSQL with its defaults; sets pguri.
postgres() {
	local port dir=$tmp/pg as=()
	port=$(free_port)
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$dir"
		as=(runuser -u postgres --)
	fi
	"${as[@]}" "$pgbin/initdb" -D "$dir/data" -U skilld -A trust -E UTF8 --locale=C.UTF-8 \
		> "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	"${as[@]}" "$pgbin/postgres" -D "$dir/data" -p "$port" -c listen_addresses=127.0.0.1 \
		-c unix_socket_directories="$dir" ${BENCH_PG_OPTIONS:-} > "$dir/log" 2>&1 &
	pgpid=$!
	for _ in $(seq 300); do
		"$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
		sleep 0.1
	done
	"$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port" || { cat "$dir/log" >&2; exit 1; }
	pguri="postgresql://skilld@127.0.0.1:$port/postgres"
}

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

# measure LABEL PORT: BENCH_REVIEWS reviews, writes then reads through
# PORT; two rows.
measure() {
	local base="http://127.0.0.1:$2" review reviews="" seq writes bad i
	for i in $(seq "${BENCH_REVIEWS:-1}"); do
		review=$(curl -sf -X POST -H 'Content-Type: application/json' "$base/api/v1/reviews" \
			-d '{"skill":"c-memory-safety-review","title":"bench"}' |
			sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p')
		[ -n "$review" ] || { echo "reviews.sh: could not start a review ($1)" >&2; exit 1; }
		reviews=${reviews:+$reviews,}$review
	done
	review=${reviews%%,*}
	REVIEW=$reviews ITEMS=66 wrk -t2 -c"$conns" -d"$dur" --latency -s bench/verdicts.lua \
		"$base/" > "$tmp/write.txt"
	wrk -t2 -c"$conns" -d"$dur" --latency -H 'Accept: application/json' \
		"$base/api/v1/reviews/$review" > "$tmp/read.txt"
	echo "| $1 | PATCH a verdict (write) | $(row < "$tmp/write.txt") |"
	echo "| $1 | GET the review (read) | $(row < "$tmp/read.txt") |"
	# seq counts the review's changes: its start (1) and each write that
	# changed an item. A write wrk counted as finished but not stored
	# would make seq smaller than 1 + the 2xx writes (it can be larger:
	# writes still in flight when wrk stopped counting).
	seq=0
	for review in ${reviews//,/ }; do
		seq=$((seq - 1 + $(curl -sf "$base/api/v1/reviews/$review" |
			sed -n 's/.*"seq":\([0-9]*\).*/\1/p' | head -1)))
	done
	writes=$(awk '/requests in/ { print $1 }' "$tmp/write.txt")
	bad=$(awk '/Non-2xx/ { print $NF }' "$tmp/write.txt")
	history+=("$1: $seq changes in the reviews' histories after $((writes - ${bad:-0})) writes answered 2xx ($((seq >= writes - ${bad:-0} ? 1 : 0)) = none lost)")
}

history=()
echo "| store | $conns connections, $dur, ${BENCH_REVIEWS:-1} review(s), skilld --threads $threads | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
for s in $stores; do
	case $s in
	sqlite)
		measure "SQLite, 1 skilld" "$(skilld "$tmp/reviews.db" sqlite)"
		;;
	pg1 | pg1-nginx | pg2-nginx)
		if [ ! -x "$pgbin/postgres" ]; then
			echo "| $s | skipped: no PostgreSQL in $pgbin | | | | |"
			continue
		fi
		[ -n "$pgpid" ] || postgres
		a=$(skilld "$pguri" "$s-a")
		case $s in
		pg1) measure "PostgreSQL, 1 skilld" "$a" ;;
		pg1-nginx) measure "PostgreSQL, 1 skilld behind nginx" "$(front "$a")" ;;
		pg2-nginx) measure "PostgreSQL, 2 skilld behind nginx" "$(front "$a" "$(skilld "$pguri" "$s-b")")" ;;
		esac
		;;
	*)
		echo "reviews.sh: unknown store $s (sqlite, pg1, pg1-nginx, pg2-nginx)" >&2
		exit 2
		;;
	esac
	stop_all
done
echo
for h in "${history[@]}"; do
	echo "history: $h"
done
