#!/usr/bin/env bash
# skilld's benchmark (`make bench`): skilld and nginx side by side on the same
# bytes, search throughput, and startup time and memory by corpus size.
#
#   bench/run.sh        (what `make bench` runs; needs wrk, nginx and curl)
#
# Everything listens on 127.0.0.1 on free ports. skilld runs with --threads T
# and nginx (started here with its own config in a temp folder, not as a
# daemon) with worker_processes T, serving the exact bytes skilld answered,
# exported to files. wrk runs on the same machine and competes for its cores:
# compare the two servers of one run (the ratios), not numbers across runs.
#
# Knobs (environment):
#   BENCH_QUICK=1        a few seconds per row, 1,000 synthetic skills only
#   BENCH_THREADS=T      skilld threads and nginx workers (default: nproc)
#   BENCH_DURATION=10s   wrk duration of each row (quick: 3s)
#   BENCH_CONNECTIONS=64 wrk connections
#   BENCH_WRK_THREADS=2  wrk threads
#   BENCH_CONTENT_ONLY=1 only the skilld/nginx rows on booklib-head (access
#                        log off, then on), no search or synthetic corpora
#   BENCH_LOAD=60        seconds of mixed load before reading VmRSS (quick: 5)
#   BENCH_OUT=build/bench  where the table (results.md), logs and the
#                        generated corpora (reused while gen-corpus is
#                        unchanged) go
#   CORPORA=../shared/corpora
#   BENCH_SKILLD=build/skilld  the binary to measure
#
# Prints one markdown table and writes it to $BENCH_OUT/results.md. Exits 0
# whatever the numbers; a row that could not be measured says why.
set -u
cd "$(dirname "$0")/.."

quick=${BENCH_QUICK:-0}
threads=${BENCH_THREADS:-$(nproc)}
conns=${BENCH_CONNECTIONS:-64}
if [ "$quick" = 1 ]; then
	dur=${BENCH_DURATION:-3s}
	load=${BENCH_LOAD:-5}
	synth="1000"
	starts=1
else
	dur=${BENCH_DURATION:-10s}
	load=${BENCH_LOAD:-60}
	synth="1000 10000"
	starts=3
fi
out=${BENCH_OUT:-build/bench}
corpora=${CORPORA:-../shared/corpora}
booklib=$corpora/booklib-head
bin=${BENCH_SKILLD:-build/skilld}
gen=build/gen-corpus
hz=$(getconf CLK_TCK)
content_only=${BENCH_CONTENT_ONLY:-0}
# The content rows run twice: first with the access log off at both sides
# (nginx access_log off, skilld --no-access-log when it has the flag), then
# on at both sides, each to a file in the work folder: nginx's buffered
# (buffer=64k flush=1s), skilld's default log on stderr sent to a file.
sk_flags=()
"$bin" --help 2>&1 | grep -q -- --no-access-log && sk_flags+=(--no-access-log)
sk_log_off=("${sk_flags[@]}")
ng_access_log="access_log off;"
wrk_threads=${BENCH_WRK_THREADS:-2}

for tool in wrk nginx curl; do
	command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench installs it)"; exit 0; }
done
[ -x "$bin" ] || make -s "$bin" || exit 0
[ -x "$gen" ] || make -s "$gen" || exit 0
[ -d "$booklib" ] || { echo "bench: $booklib not found"; exit 0; }
mkdir -p "$out"

work=$(mktemp -d /tmp/skilld-bench.XXXXXX)
chmod 755 "$work" # nginx's workers drop root for nobody and must read www/
sk_pid=
ng_pid=
stop_skilld() {
	[ -n "$sk_pid" ] || return 0
	kill -TERM "$sk_pid" 2>/dev/null
	wait "$sk_pid" 2>/dev/null
	sk_pid=
}
stop_nginx() {
	[ -n "$ng_pid" ] || return 0
	kill -QUIT "$ng_pid" 2>/dev/null
	wait "$ng_pid" 2>/dev/null
	ng_pid=
}
cleanup() {
	stop_skilld
	stop_nginx
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

say() { echo "bench: $*" >&2; }

# The table: rows of "measure|skilld|nginx|ratio|target", printed at the end.
rows=()
row() { rows+=("$1|$2|$3|$4|$5"); }

# ---- helpers ---------------------------------------------------------------

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# A TCP port nothing listens on (racy, so nginx's start is retried).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# utime + stime, in clock ticks, summed over the given pids.
cpu_ticks() {
	local p t=0 v
	for p in "$@"; do
		v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || v=0
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# skilld's pid, or nginx's master and workers.
server_pids() {
	if [ "$1" = skilld ]; then echo "$sk_pid"; else echo "$ng_pid $(pgrep -P "$ng_pid" | tr '\n' ' ')"; fi
}

status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# wrk's latency ("812.00us", "1.20ms", "1.02s") in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
		printf "%.2f", n
	}'
}

# measure SERVER URL [wrk args...]: runs wrk on URL and sets rps, p50, p99
# (ms), cpu (µs of server CPU per request) and errs (a note, or empty).
measure() {
	local server=$1 url=$2 f=$work/wrk.out pids t0 t1 reqs non2xx sockerr
	shift 2
	pids=$(server_pids "$server")
	t0=$(cpu_ticks $pids)
	wrk -t"$wrk_threads" -c"$conns" -d"$dur" --latency "$@" "$url" >"$f" 2>&1
	t1=$(cpu_ticks $pids)
	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f")
	reqs=$(awk '/requests in/ { print $1 }' "$f")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
	non2xx=$(awk '/Non-2xx or 3xx/ { print $NF }' "$f")
	sockerr=$(awk '/Socket errors/ { print }' "$f")
	errs=
	[ -n "$non2xx" ] && errs="$non2xx non-2xx/3xx"
	[ -n "$sockerr" ] && errs="${errs:+$errs; }${sockerr#*errors: }"
	if [ -z "$rps" ] || [ -z "$reqs" ] || [ "$reqs" = 0 ]; then
		rps=; cpu=
		errs="wrk failed: $(tail -1 "$f")"
		return
	fi
	cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')
	say "$server $url $*: $rps req/s, p50 $p50 ms, p99 $p99 ms, $cpu µs CPU/req${errs:+ ($errs)}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "—"; else printf "%.2f×", a / b }'; }
num() { awk -v a="$1" 'BEGIN { if (a == "") print "—"; else { s = sprintf("%.0f", a); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]$/, ",&", s); print s } }'; }
# verdict VALUE OP LIMIT: "met" or "missed" (op: ge or le).
verdict() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { if (a == "") print "not measured"; else if ((op == "ge" && a + 0 >= b + 0) || (op == "le" && a + 0 <= b + 0)) print "met"; else print "missed" }'; }

# start_skilld DIR: starts skilld on DIR with a fresh database; sets sk_pid,
# sk_port, ready_ms (launch to /healthz answering), index_s (from its log)
# and hwm_kb. Returns 1 when it did not come up.
start_skilld() {
	local dir=$1 t0 i=0
	rm -f "$work"/db*
	: >"$work/skilld.log"
	t0=$(now_ms)
	"$bin" serve --skills "$dir" --db "$work/db" --bind 127.0.0.1 --port 0 --threads "$threads" \
		--no-watch "${sk_flags[@]}" 2>>"$work/skilld.log" &
	sk_pid=$!
	sk_port=
	while :; do
		if ! kill -0 "$sk_pid" 2>/dev/null; then
			say "skilld exited: $(tail -3 "$work/skilld.log")"
			sk_pid=
			return 1
		fi
		# Read the log with builtins only: forks here would slow indexing.
		if [ -z "$sk_port" ]; then
			while IFS= read -r line; do
				case $line in
				*"listening on http://127.0.0.1:"*)
					sk_port=${line#*http://127.0.0.1:}
					sk_port=${sk_port%%/*}
					;;
				esac
			done <"$work/skilld.log"
		fi
		if [ -n "$sk_port" ] && curl -sf -o /dev/null "http://127.0.0.1:$sk_port/healthz"; then
			break
		fi
		i=$((i + 1))
		sleep 0.01
	done
	ready_ms=$(($(now_ms) - t0))
	hwm_kb=$(status_kb "$sk_pid" VmHWM)
	index_s=$(sed -n 's/.*indexed .* in \([0-9.]*\)s .*/\1/p' "$work/skilld.log" | head -1)
	return 0
}

# start_nginx ROOT CONF_BODY: nginx in the foreground with its own config;
# sets ng_pid and ng_port.
start_nginx() {
	local body=$1 try
	mkdir -p "$work/nginx/tmp"
	for try in 1 2 3 4 5; do
		ng_port=$(free_port)
		cat >"$work/nginx/nginx.conf" <<EOF
worker_processes $threads;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
	$ng_access_log
	client_body_temp_path $work/nginx/tmp/body;
	proxy_temp_path $work/nginx/tmp/proxy;
	fastcgi_temp_path $work/nginx/tmp/fastcgi;
	uwsgi_temp_path $work/nginx/tmp/uwsgi;
	scgi_temp_path $work/nginx/tmp/scgi;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 65;
	keepalive_requests 100000;
	open_file_cache max=10000 inactive=60s;
	open_file_cache_valid 60s;
	open_file_cache_errors on;
	server {
		listen 127.0.0.1:$ng_port;
$body
		location / { return 404; }
	}
}
EOF
		nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>>"$work/nginx/stderr" &
		ng_pid=$!
		for _ in $(seq 200); do
			curl -s -o /dev/null "http://127.0.0.1:$ng_port/" && return 0
			kill -0 "$ng_pid" 2>/dev/null || break
			sleep 0.01
		done
		stop_nginx
	done
	say "nginx did not start: $(tail -3 "$work/nginx/error.log" "$work/nginx/stderr" 2>/dev/null)"
	return 1
}

# synth_corpus N: the path of a synthetic corpus of N skills, generated once
# and reused while build/gen-corpus is unchanged.
synth_corpus() {
	local n=$1 dir=$out/corpus-$1 stamp
	stamp=$(cksum <"$gen")
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
		rm -rf "$dir"
		say "generating $n synthetic skills in $dir"
		"$gen" "$n" "$dir" || return 1
		echo "$stamp" >"$dir/.stamp"
	fi
	echo "$dir"
}

corpus_bytes() { find "$1" -type f ! -name .stamp -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# startup LABEL DIR RUNS: RUNS starts of skilld on DIR (median ready time,
# its index time and peak RSS); the last server is left running.
startup() {
	local label=$1 dir=$2 runs=$3 r bytes list=() best
	bytes=$(corpus_bytes "$dir")
	for r in $(seq "$runs"); do
		stop_skilld
		start_skilld "$dir" || { row "Start on $label" "failed to start" "" "" ""; return 1; }
		list+=("$ready_ms $index_s $hwm_kb")
		say "$label: ready in $ready_ms ms (indexing ${index_s}s), VmHWM $hwm_kb KiB"
	done
	best=$(printf '%s\n' "${list[@]}" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
	set -- $best
	local skills
	skills=$(find "$dir" -mindepth 2 -maxdepth 2 -name SKILL.md | wc -l)
	local mbps
	mbps=$(awk -v b="$bytes" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / 1e6 / s; else print "" }')
	local target="" tv=""
	case $label in
	booklib-head) target="indexing < 150 ms"; tv=$(verdict "$2" le 0.150) ;;
	"1,000 synthetic") target="indexing < 4 s (≥ 30 MB/s)"; tv=$(verdict "$mbps" ge 30) ;;
	*) target="≥ 30 MB/s"; tv=$(verdict "$mbps" ge 30) ;;
	esac
	row "Start on $label ($skills skills, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB of files): ready / indexing" \
		"$1 ms / ${2}s ($mbps MB/s)" "" "" "$target: $tv"
	row "Start on $label: peak RSS (VmHWM)" "$(awk -v k="$3" 'BEGIN { printf "%.1f MB", k / 1024 }')" "" "" \
		"linear in the corpus"
	stage_row "Start on $label: time by stage (last start)" 1
	return 0
}

# stage_row TITLE GENERATION: the "index stages:" log line of that
# generation as a row (workers' stages are summed over the workers), with
# the checkpoint that follows it when it is logged yet.
stage_row() {
	local stages
	# The WAL checkpoint runs after the index is served (its own line).
	stages=$(awk -v g="(generation $2," 'index($0, g) { found = 1; next }
		found && /index stages: / { sub(/.*index stages: [^;]*; /, ""); st = $0; next }
		/\(generation [0-9]+,/ && found && st != "" { exit }
		found && st != "" && /checkpoint: / { sub(/.*\(/, ""); sub(/\).*/, ""); print st "; then, while serving: checkpoint " $0; exit }' "$work/skilld.log")
	[ -z "$stages" ] && stages=$(awk -v g="(generation $2," 'index($0, g) { found = 1; next }
		found && /index stages: / { sub(/.*index stages: [^;]*; /, ""); print; exit }' "$work/skilld.log")
	[ -n "$stages" ] && row "$1" "$stages" "" "" ""
}

# reindex_row LABEL: SIGHUP to the running skilld; the time of the
# re-index, which first clears the previous index in the same transaction.
reindex_row() {
	local label=$1 secs i
	kill -HUP "$sk_pid"
	for i in $(seq 6000); do
		grep -q "(generation 2," "$work/skilld.log" && break
		sleep 0.05
	done
	secs=$(sed -n 's/.*indexed .* in \([0-9.]*\)s (generation 2,.*/\1/p' "$work/skilld.log" | head -1)
	# its stages line and the checkpoint that follows (at most 30 s)
	for i in $(seq 600); do
		awk '/\(generation 2,/ { f = 1 } f && /checkpoint: / { ok = 1 } END { exit !ok }' \
			"$work/skilld.log" && break
		sleep 0.05
	done
	row "Re-index on $label (SIGHUP, previous index in place)" "${secs:-not measured}s" "" "" ""
	stage_row "Re-index on $label: time by stage" 2
}

# search LABEL MIN: rotating queries against the running skilld, twice: the
# 20 URLs as they are (a response cache may answer them), then each URL
# made unique with a parameter the API ignores (so no cache can).
search_row() {
	local label=$1 min=$2
	cat >"$work/search.lua" <<'EOF'
local queries = {
	"refactoring", "idempotent+consumer", "immutable+value", "thread+pool", "naming",
	"coupling", "cache+invalidation", "retry+timeout", "transaction", "exception",
	"dependency+injection", "observer+pattern", "stream", "test+coverage", "lock",
	"serialization", "interface", "concurrency", "validation", "null+safety",
}
local i = 0
local unique = os.getenv("BENCH_UNIQUE") == "1"
-- Each wrk thread has a Lua state of its own, and math.random is not
-- seeded: a tag made with it is the same in every thread, and so were
-- the "unique" URLs (each asked once per thread). The thread's number
-- (set by setup) makes them unique.
local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("thread_no", threads)
end
local tag
request = function()
	tag = tag or (tostring(thread_no) .. "-" .. tostring(os.time()))
	i = i + 1
	local path = "/api/v1/search?q=" .. queries[(i % #queries) + 1]
	if unique then
		path = path .. "&bench=" .. tag .. "-" .. i
	end
	return wrk.format("GET", path)
end
EOF
	measure skilld "http://127.0.0.1:$sk_port/" -s "$work/search.lua"
	row "Search on $label: queries/s (20 rotating queries, $conns connections)" "$(num "$rps")" "" "" \
		"≥ $(num "$min") q/s: $(verdict "$rps" ge "$min")"
	row "Search on $label: p50 / p99" "$p50 / $p99 ms${errs:+ ($errs)}" "" "" \
		"p99 < 5 ms: $(verdict "$p99" le 5)"
	BENCH_UNIQUE=1 measure skilld "http://127.0.0.1:$sk_port/" -s "$work/search.lua"
	row "Search on $label, every URL unique (uncacheable): queries/s / p50 / p99" \
		"$(num "$rps") q/s / $p50 / $p99 ms${errs:+ ($errs)}" "" "" \
		"≥ $(num "$min") q/s: $(verdict "$rps" ge "$min"); p99 < 5 ms: $(verdict "$p99" le 5)"
}

# ---- 1. content: skilld and nginx on the same bytes (booklib-head) ---------

say "threads $threads, wrk -t$wrk_threads -c$conns -d$dur, work folder $work"
if startup booklib-head "$booklib" "$starts"; then
	base=http://127.0.0.1:$sk_port
	slug=clean-code-reviewer
	ref=practices-catalog.md
	html_accept='Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
	www=$work/www
	mkdir -p "$www"
	# Export: URL path, request header, file, and the Content-Type to serve.
	export_one() {
		local path=$1 hdr=$2 file=$3 ct
		ct=$(curl -sf -H "$hdr" -o "$www/$file" -w '%{content_type}' "$base$path") || return 1
		echo "		location = $path { types { } default_type \"$ct\"; alias $www/$file; gzip_static on; }"
	}
	conf=$(export_one "/api/v1/skills/$slug" 'Accept: application/json' skill.json &&
		export_one "/skills/$slug" "$html_accept" skill.html &&
		export_one "/skills/$slug/references/$ref" 'Accept: text/markdown' ref.md)
	gzip -9 -n -k "$www/skill.json"
	if [ -n "$conf" ] && start_nginx "$conf"; then
		nbase=http://127.0.0.1:$ng_port
		same=yes
		cmp -s "$www/skill.json" <(curl -s "$nbase/api/v1/skills/$slug") || same=no
		cmp -s "$www/skill.html" <(curl -s "$nbase/skills/$slug") || same=no
		cmp -s "$www/ref.md" <(curl -s "$nbase/skills/$slug/references/$ref") || same=no
		say "nginx on port $ng_port serves the same bytes: $same"
	else
		nbase=
	fi

	etag() { curl -s -o /dev/null -D - "$1" | tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }'; }

	# content_row NAME PATH HEADER [TARGET]: both servers, one row each metric.
	content_row() {
		local name=$1 path=$2 hdr=$3 s_rps s_p50 s_p99 s_cpu s_err
		measure skilld "$base$path" -H "$hdr"
		s_rps=$rps s_p50=$p50 s_p99=$p99 s_cpu=$cpu s_err=$errs
		rps= p50= p99= cpu= errs=
		[ -n "$nbase" ] && measure nginx "$nbase$path" -H "${4:-$hdr}"
		content_rows "$name" "$s_rps" "$s_p50" "$s_p99" "$s_cpu" "$s_err"
		last_skilld_rps=$s_rps
	}
	content_rows() {
		local name=$1
		local t="≥ 1.0×: $(verdict "$(ratio "$2" "$rps" | tr -d '×')" ge 1.0)"
		[ -n "${plain_rps:-}" ] && t="$t; ≥ skilld's plain JSON ($(num "$plain_rps") req/s): $(verdict "$2" ge "$plain_rps")"
		row "$name: req/s" "$(num "$2")${6:+ ($6)}" "$(num "$rps")${errs:+ ($errs)}" "$(ratio "$2" "$rps")" "$t"
		row "$name: p50 / p99" "$3 / $4 ms" "${p50:-—} / ${p99:-—} ms" "$(ratio "$3" "$p50") / $(ratio "$4" "$p99")" ""
		row "$name: server CPU per request" "${5:-—} µs" "${cpu:-—} µs" "$(ratio "$5" "$cpu")" \
			"≤ 1.0×: $(verdict "$(ratio "$5" "$cpu" | tr -d '×')" le 1.0)"
	}

	content_row "JSON \`/api/v1/skills/$slug\` ($(wc -c <"$www/skill.json") B)" \
		"/api/v1/skills/$slug" 'Accept: application/json'
	json_rps=$last_skilld_rps
	content_row "HTML \`/skills/$slug\` ($(wc -c <"$www/skill.html") B)" "/skills/$slug" "$html_accept"
	content_row "Markdown \`/skills/$slug/references/$ref\` ($(wc -c <"$www/ref.md") B)" \
		"/skills/$slug/references/$ref" 'Accept: text/markdown'

	# 304: each server's own ETag for the JSON.
	s_etag=$(etag "$base/api/v1/skills/$slug")
	n_etag=
	[ -n "$nbase" ] && n_etag=$(etag "$nbase/api/v1/skills/$slug")
	say "ETags: skilld $s_etag, nginx $n_etag"
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $s_etag" "$base/api/v1/skills/$slug")
	plain_rps=$json_rps
	content_row "304 revalidation of the JSON (skilld answers $code)" "/api/v1/skills/$slug" \
		"If-None-Match: $s_etag" "If-None-Match: $n_etag"

	# gzip: only when skilld compresses.
	enc=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$base/api/v1/skills/$slug" | tr -d '\r' |
		awk 'tolower($1) == "content-encoding:" { print $2 }')
	gz_name="gzip of the JSON ($(wc -c <"$www/skill.json.gz") B gzipped, nginx gzip_static)"
	if [ "$enc" = gzip ]; then
		content_row "$gz_name" "/api/v1/skills/$slug" 'Accept-Encoding: gzip'
		plain_rps=
	else
		rps= p50= p99= cpu= errs=
		[ -n "$nbase" ] && measure nginx "$nbase/api/v1/skills/$slug" -H 'Accept-Encoding: gzip'
		row "$gz_name: req/s" "no gzip" "$(num "$rps")" "—" "≥ skilld's plain JSON: missed (no gzip)"
		plain_rps=
		row "$gz_name: p50 / p99" "no gzip" "${p50:-—} / ${p99:-—} ms" "—" ""
		row "$gz_name: server CPU per request" "no gzip" "${cpu:-—} µs" "—" ""
	fi
	stop_nginx

	[ "$content_only" = 1 ] || search_row booklib-head 10000

	# The same rows with the access log on at both sides, to files.
	stop_skilld
	sk_flags=()
	ng_access_log="access_log $work/nginx/access.log combined buffer=64k flush=1s;"
	if start_skilld "$booklib"; then
		base=http://127.0.0.1:$sk_port
		nbase=
		[ -n "$conf" ] && start_nginx "$conf" && nbase=http://127.0.0.1:$ng_port
		plain_rps=
		content_row "Access log on: JSON \`/api/v1/skills/$slug\`" "/api/v1/skills/$slug" \
			'Accept: application/json'
		content_row "Access log on: HTML \`/skills/$slug\`" "/skills/$slug" "$html_accept"
		content_row "Access log on: Markdown \`/skills/$slug/references/$ref\`" \
			"/skills/$slug/references/$ref" 'Accept: text/markdown'
		s_etag=$(etag "$base/api/v1/skills/$slug")
		n_etag=
		[ -n "$nbase" ] && n_etag=$(etag "$nbase/api/v1/skills/$slug")
		content_row "Access log on: 304 revalidation of the JSON" "/api/v1/skills/$slug" \
			"If-None-Match: $s_etag" "If-None-Match: $n_etag"
		stop_nginx
		stop_skilld
		say "access lines written: skilld $(grep -c 'B [0-9.]*ms "' "$work/skilld.log"), nginx $(wc -l <"$work/nginx/access.log" 2>/dev/null || echo 0)"
	fi
	sk_flags=("${sk_log_off[@]}")
	ng_access_log="access_log off;"
fi
stop_skilld

# ---- 2. index: synthetic corpora; search and load on the largest -----------

last=
[ "$content_only" = 1 ] && synth=
for n in $synth; do
	dir=$(synth_corpus "$n") || { row "Start on $n synthetic" "gen-corpus failed" "" "" ""; continue; }
	label="$(num "$n") synthetic"
	r=$starts
	[ "$n" -ge 10000 ] && r=1
	startup "$label" "$dir" "$r" || continue
	last=$n
	[ "$n" -lt 10000 ] && reindex_row "$label"
	if [ "$n" -ge 10000 ] || [ "$quick" = 1 ]; then
		search_row "$label" 2000
		# Mixed load: JSON, pages, references, checklists and searches over
		# 200 skills, then the resident set.
		{
			echo 'local paths = {'
			find "$dir" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | awk 'NR % 5 == 1' | head -200 |
				awk '{
					printf "\t{\"/api/v1/skills/%s\", \"application/json\"},\n", $1
					printf "\t{\"/skills/%s\", \"text/html\"},\n", $1
					printf "\t{\"/skills/%s/references/review-checklist.md\", \"text/markdown\"},\n", $1
					printf "\t{\"/api/v1/skills/%s/checklist\", \"application/json\"},\n", $1
					printf "\t{\"/api/v1/search?q=%s\", \"application/json\"},\n", substr($1, 13)
				}'
			cat <<'EOF'
}
local i = 0
request = function()
	i = i + 1
	local p = paths[(i % #paths) + 1]
	return wrk.format("GET", p[1], { ["Accept"] = p[2] })
end
EOF
		} >"$work/mixed.lua"
		rss0=$(status_kb "$sk_pid" VmRSS)
		dur_saved=$dur
		dur=${load}s
		measure skilld "http://127.0.0.1:$sk_port/" -s "$work/mixed.lua"
		dur=$dur_saved
		rss1=$(status_kb "$sk_pid" VmRSS)
		row "RSS on $label before / after ${load} s of mixed load ($(num "$rps") req/s)" \
			"$(awk -v a="$rss0" -v b="$rss1" 'BEGIN { printf "%.1f / %.1f MB", a / 1024, b / 1024 }')${errs:+ ($errs)}" \
			"" "" "linear in the corpus"
	fi
	stop_skilld
done

# ---- the table -------------------------------------------------------------

{
	echo "| Measure | skilld | nginx | skilld / nginx | Target |"
	echo "|---|---|---|---|---|"
	for r in "${rows[@]}"; do
		IFS='|' read -r a b c d e <<<"$r"
		echo "| $a | ${b:-} | ${c:-} | ${d:-} | ${e:-} |"
	done
	echo
	echo "$("$bin" --version 2>/dev/null | head -1), --threads $threads ${sk_flags[*]} (the \"Access log on\" rows without it); nginx worker_processes $threads;" \
		"wrk -t$wrk_threads -c$conns -d$dur --latency; $(nproc) CPUs; $(date -u +%Y-%m-%dT%H:%MZ)"
} >"$out/results.md"
cat "$out/results.md"
exit 0
