# lib.sh: shared helpers of the integration scenarios (t-*.sh), sourced.
#
# A scenario calls fw_init NAME first. It gets a private directory $T (kept
# and printed when the test fails), $CONF and $EVLOG inside it, and a trap
# that ends only the processes started through fw_bg/fw_server/fw_start,
# by PID. Waits are bounded polls, never sleeps that guess readiness.
#
# Written for POSIX sh plus "local" (dash and bash both run it): the serial
# test harness runs each script through its #! line, the parallel one
# through $(SHELL).

PY=/usr/bin/python3
FW_PIDS=
FW_PID=
FW_NRELAYS=0
# Listeners per relay: one on each worker (FW_WORKERS, see fw_conf).
FW_NW=${FW_WORKERS:-1}
FW_FAILED=0
T=

# Where things are: make check exports nothing under the serial harness, so
# fall back to the script's own place (srcdir) and the current directory
# (builddir, where make runs the tests).
fw_locate() {
	local here
	here=$(cd "$(dirname "$0")" && pwd)
	: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
	: "${top_builddir:=$(pwd)}"
	for d in "$top_builddir" "$top_srcdir" "$top_srcdir/build/default"; do
		if [ -z "${FWTEST:-}" ] && [ -x "$d/tests/integration/fwtest" ]
		then
			FWTEST=$d/tests/integration/fwtest
		fi
		if [ -z "${FWRELAY:-}" ] && [ -x "$d/src/fwrelay" ]; then
			FWRELAY=$d/src/fwrelay
		fi
	done
	if [ -z "${FWTEST:-}" ] || [ -z "${FWRELAY:-}" ]; then
		echo "ERROR: fwtest or fwrelay not built (run make check)" >&2
		exit 99
	fi
	if [ ! -x "$PY" ]; then
		echo "ERROR: $PY is needed for the event log checks" >&2
		exit 99
	fi
}

# Print a failure and end the test (the trap keeps the logs).
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

ok() {
	echo "ok - $*"
}

# fw_init NAME: the test's directory, paths and cleanup trap.
fw_init() {
	fw_locate
	T=$(mktemp -d "${TMPDIR:-/tmp}/fwit-$1.XXXXXX") ||
	    { echo "ERROR: mktemp" >&2; exit 99; }
	CONF=$T/fwrelay.conf
	EVLOG=$T/events.json
	trap 'fw_cleanup' EXIT
	trap 'exit 1' INT TERM HUP PIPE
	echo "# $1: logs in $T"
	fw_write_evpy
}

fw_alive() {	# pid: running and not a zombie
	local st
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

fw_cleanup() {
	local status=$? pid n f
	trap - EXIT INT TERM HUP PIPE
	for pid in $FW_PIDS; do
		fw_alive "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for pid in $FW_PIDS; do
		n=0
		while fw_alive "$pid" && [ $n -lt 60 ]; do
			sleep 0.05
			n=$((n + 1))
		done
		fw_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	done
	if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then
		echo "---- test failed (status $status); files kept in $T" >&2
		for f in "$T"/*.out "$T"/*.err "$EVLOG"; do
			[ -s "$f" ] || continue
			echo "---- $f (last 40 lines)" >&2
			tail -n 40 "$f" >&2
		done
	elif [ -n "$T" ] && [ -z "${FW_KEEP:-}" ]; then
		rm -rf "$T"
	fi
	exit "$status"
}

# fw_bg NAME CMD...: run in the background, output in $T/NAME.{out,err}.
fw_bg() {
	local name=$1
	shift
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	BG_PID=$!
	FW_PIDS="$FW_PIDS $BG_PID"
}

# fw_wait_exit PID SECONDS: its exit status; 124 when still running.
fw_wait_exit() {
	local n=0 max
	max=$(awk "BEGIN { printf \"%d\", $2 * 50 }")
	while fw_alive "$1"; do
		[ $n -ge "$max" ] && return 124
		sleep 0.02
		n=$((n + 1))
	done
	wait "$1"
}

# fw_expect_exit PID SECONDS WHAT: the process must end with status 0.
fw_expect_exit() {
	local st
	fw_wait_exit "$1" "$2"
	st=$?
	[ $st -eq 124 ] && fail "$3: still running after $2 s"
	[ $st -ne 0 ] && fail "$3: exit status $st"
	return 0
}

fw_wait_file() {	# FILE SECONDS
	local n=0 max
	max=$(awk "BEGIN { printf \"%d\", $2 * 50 }")
	while [ ! -e "$1" ]; do
		[ $n -ge "$max" ] && return 1
		sleep 0.02
		n=$((n + 1))
	done
	return 0
}

fw_now() {
	date +%s.%N
}

# fw_port [ADDR]: a port free now on ADDR (127.0.0.1), and one this test
# was not handed before on any address: nothing is bound to a port until
# the daemon starts, so two calls could otherwise give the same number
# (a mapped port in an EPM reply equal to another relay's listener, say).
fw_port() {
	local p i=0
	while :; do
		p=$("$FWTEST" freeport "${1:-127.0.0.1}") || fail "freeport"
		grep -qx "$p" "${T:?fw_init first}/.ports" 2>/dev/null || break
		i=$((i + 1))
		[ $i -lt 50 ] || fail "freeport: no port not handed out before"
	done
	echo "$p" >>"$T/.ports"
	echo "$p"
}

# fw_server NAME [--listen A:P] fwtest-server-args...: a backend. Sets
# SRV_PID and SRV_PORT once it listens.
fw_server() {
	local name=$1 listen=127.0.0.1:0
	shift
	if [ "${1:-}" = --listen ]; then
		listen=$2
		shift 2
	fi
	rm -f "$T/$name.ready"
	fw_bg "$name" "$FWTEST" server --listen "$listen" \
	    --ready-file "$T/$name.ready" "$@"
	SRV_PID=$BG_PID
	fw_wait_file "$T/$name.ready" 5 ||
	    fail "server $name not ready: $(cat "$T/$name.err")"
	SRV_PORT=$(cat "$T/$name.ready")
}

# fw_client NAME fwtest-client-args...: run a client to the end; fail the
# test if it fails.
fw_client() {
	local name=$1
	shift
	if ! "$FWTEST" client "$@" >"$T/$name.out" 2>"$T/$name.err"; then
		cat "$T/$name.err" >&2
		fail "client $name"
	fi
}

# fw_conf FILE GLOBALS RELAY...: write a configuration. Each RELAY is
# "NAME LISTEN TARGET [more settings of the group]". The event log,
# log_level and shutdown_timeout ($FW_SHUTDOWN, default 2.0) are set here.
fw_conf() {
	local file=$1 globals=$2 first=1 spec name listen target rest
	shift 2
	FW_NRELAYS=$#
	{
		echo "event_log = \"$EVLOG\";"
		echo "log_level = \"${FW_LOG_LEVEL:-info}\";"
		echo "shutdown_timeout = ${FW_SHUTDOWN:-2.0};"
		[ -n "$globals" ] && echo "$globals"
		echo "relays = ("
		for spec in "$@"; do
			set -- $spec
			name=$1 listen=$2 target=$3
			shift 3
			rest=$*
			[ $first -eq 1 ] || echo "  ,"
			first=0
			echo "  { name = \"$name\";"
			echo "    listen = \"$listen\";"
			echo "    target = \"$target\";"
			[ -n "$rest" ] && echo "    $rest"
			echo "  }"
		done
		echo ");"
		# FW_WORKERS=N runs a scenario on N workers (unless it says);
		# last, so that the relays' lines stay where they were.
		if [ -n "${FW_WORKERS:-}" ] &&
		    ! printf '%s' "$globals" | grep -q "workers"; then
			echo "workers = $FW_WORKERS;"
		fi
	} >"$file.tmp" && mv "$file.tmp" "$file"
}

# fw_start [ARGS]: start fwrelay -f on $CONF and wait for its listen
# events ($FW_NRELAYS of them).
fw_start() {
	fw_bg fwrelay ${FW_WRAPPER:-} "$FWRELAY" -f -c "$CONF" "$@"
	FW_PID=$BG_PID
	ev_wait "${FW_START_TIMEOUT:-5}" listen "$FW_NRELAYS" ||
	    fail "fwrelay did not start listening"
	ok "fwrelay running (pid $FW_PID), $FW_NRELAYS listen events"
}

# fw_stop: SIGTERM, exit 0 in time, a final stop event and the event log's
# invariants (one close per accept, well-formed lines).
fw_stop() {
	local st
	kill -TERM "$FW_PID" || fail "fwrelay is gone before SIGTERM"
	fw_wait_exit "$FW_PID" "${FW_STOP_TIMEOUT:-8}"
	st=$?
	[ $st -eq 124 ] && fail "fwrelay still running after SIGTERM"
	[ $st -eq 0 ] || fail "fwrelay exited with status $st after SIGTERM"
	ev_validate stopped ${FW_EV_ROTATED:+rotated} ||
	    fail "event log invariants"
	ok "fwrelay stopped with status 0, event log consistent"
}

# The event log checks: scripts/fwlab_lib/evlog.py, the one reader of
# the event log that the tests and fwlab share.
fw_write_evpy() {
	EVPY=$top_srcdir/scripts/fwlab_lib/evlog.py
}

# ev_wait SECONDS EVENT COUNT [key=value|key~regex ...]: bounded poll of the
# event log until COUNT matching events are there (fails early if fwrelay
# exits).
ev_wait() {
	"$PY" "$EVPY" wait "${EVLOG_FILE:-$EVLOG}" "${FW_PID:-0}" "$@"
}

ev_count() {	# EVENT [cond...]
	"$PY" "$EVPY" count "${EVLOG_FILE:-$EVLOG}" "$@"
}

ev_get() {	# EVENT FIELD [cond...]: that field of each matching event
	"$PY" "$EVPY" get "${EVLOG_FILE:-$EVLOG}" "$@"
}

# ev_assert WHAT EXPR: a Python expression over evs, sel(name, conds...)
# and one(name, conds...) that must be true.
ev_assert() {
	"$PY" "$EVPY" assert "${EVLOG_FILE:-$EVLOG}" "$@" ||
	    fail "event log: $1"
	ok "events: $1"
}

# ev_validate [stopped] [rotated]: every line well formed; when stopped,
# one close per accept and start ... stop (no start in a rotated file).
ev_validate() {
	"$PY" "$EVPY" validate "${EVLOG_FILE:-$EVLOG}" "$@"
}

# out_field FILE KEY: the value of KEY=VALUE on the last line having it.
out_field() {
	sed -n "s/.*[ :]$2=\\([^ ]*\\).*/\\1/p" "$1" | tail -n 1
}
