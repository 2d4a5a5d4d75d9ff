#!/usr/bin/env bash
# Runs a test runner once per Check suite, JOBS at a time (CK_RUN_SUITE set
# for each), then prints each suite's output in the order given and fails
# when any suite failed. For the slow builds (memcheck, ThreadSanitizer),
# whose suites are independent: each uses its own temporary folders and
# ports chosen by the system.
#
#   tests/run-suites.sh JOBS LOGDIR "SUITE ..." COMMAND [ARG ...]
set -u
jobs=$1 logdir=$2 suites=$3
shift 3
mkdir -p "$logdir"
rm -f "$logdir"/*.log "$logdir"/*.rc

run_one() {
	local s=$1
	shift
	CK_RUN_SUITE=$s "$@" >"$logdir/$s.log" 2>&1
	echo $? >"$logdir/$s.rc"
}
export -f run_one
export logdir

printf '%s\n' $suites | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$@"
rc=0
for s in $suites; do
	echo "CK_RUN_SUITE=$s $*"
	cat "$logdir/$s.log"
	if [ "$(cat "$logdir/$s.rc" 2>/dev/null)" != 0 ]; then
		echo "run-suites: suite $s failed"
		rc=1
	fi
done
exit $rc
