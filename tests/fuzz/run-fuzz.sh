#!/bin/sh
# run-fuzz.sh SRCDIR WORKDIR SECONDS JOBS TARGET...: run each libFuzzer
# target for SECONDS on a fresh copy of its seed corpus, JOBS at a time.
# Prints each target's executions; exits 1 if any target crashed.
set -u
srcdir=$1 work=$2 secs=$3 jobs=$4
shift 4

one() {	# target: run it, leave its status and executions in $work/$t
	t=$1 d=$work/$1
	rm -rf "$d"
	mkdir -p "$d/corpus" "$d/artifacts"
	cp "$srcdir/tests/fuzz/corpus/$t/"* "$d/corpus/"
	chmod u+w "$d/corpus/"*
	./tests/fuzz/"$t" -max_total_time="$secs" -print_final_stats=1 \
	    -timeout=10 -rss_limit_mb=2048 -dict="$srcdir/tests/fuzz/$t.dict" \
	    -artifact_prefix="$d/artifacts/" "$d/corpus" >"$d/log" 2>&1
	echo $? >"$d/rc"
}

running=0
for t in "$@"; do
	one "$t" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

fail=0 total=0
for t in "$@"; do
	d=$work/$t
	rc=$(cat "$d/rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
	[ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$d/log" | tail -n 1)
	[ -n "$runs" ] || runs=0
	total=$((total + runs))
	if [ "$rc" -eq 0 ]; then
		echo "fuzz: $t: $runs executions in $secs s, no crash"
	else
		echo "fuzz: $t: FAILED (exit $rc) after $runs executions; see $d/log and $d/artifacts"
		tail -n 40 "$d/log"
		fail=1
	fi
done
echo "fuzz: $total executions in all"
exit $fail
