#!/bin/sh
# run-fuzz.sh SRCDIR WORKDIR SECONDS JOBS TARGET...: run each libFuzzer
# target for SECONDS on a fresh copy of its seed corpus, JOBS at a time.
# Prints each target's executions and coverage; exits 1 if any target
# crashed. With FUZZ_RUNS set (make fuzz-long), each target stops after
# that many executions, SECONDS being the bound, and one that did not
# reach them fails too.
set -u
srcdir=$1 work=$2 secs=$3 jobs=$4
runs_goal=${FUZZ_RUNS:-}
shift 4

one() {	# target: run it, leave its status and executions in $work/$t
	t=$1 d=$work/$1
	rm -rf "$d"
	mkdir -p "$d/corpus" "$d/artifacts"
	cp "$srcdir/tests/fuzz/corpus/$t/"* "$d/corpus/"
	chmod u+w "$d/corpus/"*
	./tests/fuzz/"$t" -max_total_time="$secs" -print_final_stats=1 \
	    -timeout=10 -rss_limit_mb=2048 -dict="$srcdir/tests/fuzz/$t.dict" \
	    ${runs_goal:+-runs=$runs_goal} \
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
	cov=$(sed -n 's/^#[0-9]*.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1, ft \2/p' \
	    "$d/log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -n "$runs_goal" ] && [ "$runs" -lt "$runs_goal" ]
	then
		echo "fuzz: $t: FAILED: $runs executions in $secs s, fewer than $runs_goal ($cov)"
		fail=1
	elif [ "$rc" -eq 0 ]; then
		echo "fuzz: $t: $runs executions (bound $secs s), no crash ($cov)"
	else
		echo "fuzz: $t: FAILED (exit $rc) after $runs executions; see $d/log and $d/artifacts"
		tail -n 40 "$d/log"
		fail=1
	fi
done
echo "fuzz: $total executions in all"
exit $fail
