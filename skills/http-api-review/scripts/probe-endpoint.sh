#!/bin/sh
# SPDX-License-Identifier: MIT
# Black-box probe of one HTTP GET endpoint: status, content type, JSON
# validity, caching validators and 304 behaviour, HEAD consistency, Accept
# handling and the error shape of an unknown sibling path. Sends only GET and
# HEAD requests.

set -eu

usage() {
	cat <<'EOF'
usage: probe-endpoint.sh [-H 'Name: value']... [-t SECONDS] [-k] [-N] URL

Probe a GET endpoint with curl and report PASS / WARN / FAIL / INFO lines:

  1. GET URL: status, Content-Type, JSON validity, Cache-Control, ETag,
     Last-Modified, Vary, nosniff
  2. GET with If-None-Match: <ETag>   -> expect 304, empty body, same ETag
  3. GET with If-Modified-Since       -> expect 304 (when Last-Modified set)
  4. HEAD URL                         -> same status and Content-Type, no body
  5. GET with an unsupported Accept   -> 406, or a documented default
  6. GET URL/<random>                 -> expect 404 with a JSON error body

Only GET and HEAD are sent. Do not point it at endpoints whose GET handler
changes state (that would be a finding in itself).

  -H HEADER  extra request header, repeatable (e.g. an Authorization header;
             headers go through a temporary curl config file, not argv)
  -t SECONDS per-request timeout (default 10)
  -k         allow insecure TLS (self-signed development certificates)
  -N         skip the unknown-path probe (step 6)
  -h         show this help

Exit status: 0 no FAIL, 1 at least one FAIL, 2 usage error or the first
request could not be made.

Example:
  probe-endpoint.sh -H 'Authorization: Bearer dev-token' \
      http://127.0.0.1:8080/api/v1/skills
EOF
}

timeout=10
insecure=0
skip404=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/probe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' HUP INT TERM
cfg=$tmp/curl.cfg
: >"$cfg"

while getopts H:t:kNh opt; do
	case $opt in
	H)
		# Escape backslashes and double quotes for curl's config syntax.
		esc=$(printf '%s' "$OPTARG" | sed 's/\\/\\\\/g; s/"/\\"/g')
		printf 'header = "%s"\n' "$esc" >>"$cfg"
		;;
	t) timeout=$OPTARG ;;
	k) insecure=1 ;;
	N) skip404=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { usage >&2; exit 2; }
url=$1
case $url in
http://* | https://*) ;;
*) printf 'probe: URL must start with http:// or https://\n' >&2; exit 2 ;;
esac
case $timeout in
'' | *[!0-9]*) printf 'probe: -t needs whole seconds\n' >&2; exit 2 ;;
esac
command -v curl >/dev/null 2>&1 || { printf 'probe: curl not found\n' >&2; exit 2; }
[ "$insecure" -eq 0 ] || printf 'insecure\n' >>"$cfg"

fails=0
report() { # LEVEL MESSAGE
	printf '%-4s %s\n' "$1" "$2"
	[ "$1" != FAIL ] || fails=$((fails + 1))
}

# fetch NAME URL [curl options...]: one request; headers in $tmp/NAME.h, body
# in $tmp/NAME.b; prints the status code ("000" when there was no response).
fetch() {
	name=$1
	target=$2
	shift 2
	: >"$tmp/$name.h"
	: >"$tmp/$name.b"
	curl -sS -K "$cfg" --max-time "$timeout" -D "$tmp/$name.h" \
		-o "$tmp/$name.b" -w '%{http_code}' "$@" -- "$target" \
		2>"$tmp/$name.err" || true
}

# header NAME FIELD: value of the last FIELD line in NAME's response headers.
header() {
	tr -d '\r' <"$tmp/$1.h" 2>/dev/null | awk -v want="$2" '
		index($0, ":") > 0 {
			f = tolower(substr($0, 1, index($0, ":") - 1))
			if (f == tolower(want)) {
				v = substr($0, index($0, ":") + 1)
				sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
				last = v
			}
		}
		END { print last }'
}

bodysize() { wc -c <"$tmp/$1.b" 2>/dev/null | tr -d ' '; }

is_json_type() {
	case $1 in
	application/json* | application/*+json*) return 0 ;;
	*) return 1 ;;
	esac
}

json_ok() { # NAME: 0 if the body parses as JSON (or python3 is missing)
	command -v python3 >/dev/null 2>&1 || return 0
	python3 -c 'import json,sys; json.load(open(sys.argv[1], "rb"))' \
		"$tmp/$1.b" 2>/dev/null
}

# 1. Plain GET ---------------------------------------------------------------
status=$(fetch get "$url" -H 'Accept: application/json')
if [ "$status" = 000 ]; then
	printf 'probe: no response from %s: %s\n' "$url" "$(cat "$tmp/get.err")" >&2
	exit 2
fi
ctype=$(header get Content-Type)
etag=$(header get ETag)
lastmod=$(header get Last-Modified)
cc=$(header get Cache-Control)
vary=$(header get Vary)
report INFO "GET $url -> $status, $(bodysize get) bytes"

case $status in
2??) report PASS "GET status $status" ;;
3??) report WARN "GET answered with a redirect ($status to $(header get Location)); probe the final URL" ;;
*) report FAIL "GET status $status; probe a URL that succeeds" ;;
esac

if [ -z "$ctype" ]; then
	[ "$(bodysize get)" -eq 0 ] || report FAIL "response has a body but no Content-Type"
elif is_json_type "$ctype"; then
	if json_ok get; then
		report PASS "Content-Type $ctype and the body parses as JSON"
	else
		report FAIL "Content-Type $ctype but the body is not valid JSON"
	fi
else
	report WARN "Content-Type is $ctype although Accept asked for application/json"
fi

if [ -n "$cc" ]; then
	report PASS "Cache-Control: $cc"
	case $cc in
	*public*) report INFO "response is cacheable by shared caches; make sure it holds no per-user data" ;;
	esac
else
	report WARN "no Cache-Control header; caches will apply heuristics"
fi
[ -n "$(header get X-Content-Type-Options)" ] ||
	report WARN "no X-Content-Type-Options: nosniff"
[ -z "$vary" ] || report INFO "Vary: $vary"

# 2. If-None-Match -----------------------------------------------------------
if [ -n "$etag" ]; then
	report PASS "ETag: $etag"
	s=$(fetch inm "$url" -H 'Accept: application/json' -H "If-None-Match: $etag")
	if [ "$s" = 304 ]; then
		report PASS "If-None-Match with the current ETag -> 304"
		[ "$(bodysize inm)" -eq 0 ] || report FAIL "304 response carries a body"
		e2=$(header inm ETag)
		[ "$e2" = "$etag" ] || report WARN "304 does not repeat the ETag (got '${e2:-none}')"
		[ -z "$cc" ] || [ -n "$(header inm Cache-Control)" ] ||
			report WARN "304 omits the Cache-Control header the 200 carried"
		[ -z "$vary" ] || [ -n "$(header inm Vary)" ] ||
			report WARN "304 omits the Vary header the 200 carried"
	elif [ "$s" = "$status" ]; then
		e2=$(header inm ETag)
		if [ "$e2" != "$etag" ]; then
			report FAIL "ETag changes between identical requests ('$etag' then '$e2'); it can never validate"
		else
			report FAIL "If-None-Match with the current ETag ignored (got $s, expected 304)"
		fi
	else
		report FAIL "If-None-Match with the current ETag -> $s (expected 304)"
	fi
else
	report WARN "no ETag; clients cannot revalidate cheaply or use If-Match"
fi

# 3. If-Modified-Since ---------------------------------------------------------
if [ -n "$lastmod" ]; then
	s=$(fetch ims "$url" -H 'Accept: application/json' -H "If-Modified-Since: $lastmod")
	case $s in
	304) report PASS "If-Modified-Since with Last-Modified -> 304" ;;
	*) report WARN "If-Modified-Since with Last-Modified -> $s (expected 304)" ;;
	esac
fi

# 4. HEAD ----------------------------------------------------------------------
s=$(fetch head "$url" -I -H 'Accept: application/json')
hct=$(header head Content-Type)
if [ "$s" != "$status" ]; then
	report FAIL "HEAD -> $s but GET -> $status"
elif [ "$hct" != "$ctype" ]; then
	report WARN "HEAD Content-Type '$hct' differs from GET '$ctype'"
else
	report PASS "HEAD matches GET (status $s, same Content-Type)"
fi
[ -z "$etag" ] || [ "$(header head ETag)" = "$etag" ] ||
	report WARN "HEAD ETag '$(header head ETag)' differs from GET '$etag'"

# 5. Unsupported Accept --------------------------------------------------------
s=$(fetch acc "$url" -H 'Accept: application/x-probe-unsupported')
case $s in
406) report PASS "unsupported Accept -> 406" ;;
2??) report INFO "unsupported Accept -> $s with $(header acc Content-Type) (acceptable if that default is documented)" ;;
*) report WARN "unsupported Accept -> $s (expected 406 or the documented default)" ;;
esac
if [ "$s" = 406 ] && [ -z "$vary" ]; then
	report WARN "the response depends on Accept but GET has no Vary header"
fi

# 6. Unknown sibling path ------------------------------------------------------
if [ "$skip404" -eq 0 ]; then
	base=${url%%\?*}
	base=${base%/}
	s=$(fetch nf "$base/probe-no-such-resource-$$" -H 'Accept: application/json')
	nct=$(header nf Content-Type)
	if [ "$s" = 404 ]; then
		report PASS "unknown path -> 404"
	else
		report FAIL "unknown path -> $s (expected 404)"
	fi
	if is_json_type "$nct" && json_ok nf; then
		report PASS "error body is JSON ($nct)"
	elif [ "$(bodysize nf)" -eq 0 ]; then
		report WARN "error response has no body; clients get no machine-readable code"
	else
		report FAIL "error body is not JSON (Content-Type '${nct:-none}')"
	fi
fi

printf '%d failure(s)\n' "$fails"
[ "$fails" -eq 0 ]
