# netns-lib.sh: helpers of the namespace tests (t-netns-*.sh), sourced. On
# top of tests/integration/lib.sh (fwtest, the event log checks, cleanup of
# the processes it started) it builds the site1 - fw - site2 topology with
# scripts/netns-topo under a suffix unique to the run, and tears it down on
# exit whatever happened.
#
# The tests need root; without it (or without a kernel feature) they skip
# with status 77 and say why. Everything they send stays inside the
# namespaces they made (192.0.2.0/24, 198.51.100.0/24).

. "$(dirname "$0")/../integration/lib.sh"

NT_SUFFIX=
TOPO=

# nt_init NAME CODE [netns-topo up options]: lib.sh's fw_init, then the
# topology with suffix CODE$$ (CODE: a few letters naming the test).
nt_init() {
	local name=$1 code=$2
	shift 2
	fw_init "netns-$name"
	TOPO=$top_srcdir/scripts/netns-topo
	"$TOPO" check >/dev/null 2>"$T/topo-check.err" || {
		st=$?
		cat "$T/topo-check.err" >&2
		[ $st -eq 77 ] && exit 77
		fail "netns-topo check"
	}
	NT_SUFFIX=$code$$
	trap 'nt_cleanup' EXIT
	"$TOPO" up "$NT_SUFFIX" "$@" >"$T/topo.out" 2>&1 || {
		st=$?
		cat "$T/topo.out" >&2
		[ $st -eq 77 ] && exit 77
		fail "netns-topo up $NT_SUFFIX"
	}
	ok "topology $NT_SUFFIX up: site1 192.0.2.10 - fw - site2 198.51.100.20"
	# fw is bare; what fwrelay installs there must be gone after it.
	nt_fw_state "$T/fw.before"
	# fwrelay runs in fw (lib.sh's fw_start goes through FW_WRAPPER).
	FW_WRAPPER="ip netns exec fw-$NT_SUFFIX"
}

# Namespaces first (their processes are ours and go by PID), then lib.sh's
# cleanup, which keeps the logs of a failed run and exits with its status.
nt_cleanup() {
	local st=$?
	[ -n "$NT_SUFFIX" ] && "$TOPO" down "$NT_SUFFIX" >/dev/null 2>&1
	(exit $st)
	fw_cleanup
}

# nt_fw_state FILE: fw's packet filter and routing, to compare before a
# fwrelay starts and after it exits (what it installed must be gone).
nt_fw_state() {
	{ ip netns exec "fw-$NT_SUFFIX" nft list ruleset
	  ip -n "fw-$NT_SUFFIX" -4 rule show
	  ip -n "fw-$NT_SUFFIX" -6 rule show
	  ip -n "fw-$NT_SUFFIX" -4 route show table all
	  ip -n "fw-$NT_SUFFIX" -6 route show table all; } >"$1" 2>&1
}

# nt_fw_same BEFORE LABEL: fw is as it was in BEFORE, else fail with the diff.
nt_fw_same() {
	nt_fw_state "$1.after"
	diff "$1" "$1.after" >"$1.diff" ||
	    fail "$2: fw's ruleset or routing changed: $(cat "$1.diff")"
}

# nt_server NS NAME LISTEN fwtest-server-args...: a backend inside NS.
# Sets SRV_PID and SRV_PORT once it listens.
nt_server() {
	local ns=$1 name=$2 listen=$3
	shift 3
	rm -f "$T/$name.ready"
	fw_bg "$name" ip netns exec "$ns-$NT_SUFFIX" "$FWTEST" server \
	    --listen "$listen" --ready-file "$T/$name.ready" "$@"
	SRV_PID=$BG_PID
	fw_wait_file "$T/$name.ready" 5 ||
	    fail "server $name not ready: $(cat "$T/$name.err")"
	SRV_PORT=$(cat "$T/$name.ready")
}

# nt_client NS NAME fwtest-client-args...: a client inside NS, to the end;
# the test fails if it fails.
nt_client() {
	local ns=$1 name=$2
	shift 2
	if ! ip netns exec "$ns-$NT_SUFFIX" "$FWTEST" client "$@" \
	    >"$T/$name.out" 2>"$T/$name.err"; then
		cat "$T/$name.err" >&2
		fail "client $name"
	fi
}

# nt_seen CLIENTOUT: the ADDR:PORT the server reported (fwtest's peer step).
nt_seen() {
	out_field "$1" peer
}

# nt_local CLIENTOUT / nt_remote CLIENTOUT: the client's own ADDR:PORT and
# the one it believes it is connected to, from fwtest's label.
nt_local() {
	sed -n 's/^client \([^ ]*\)->.*/\1/p' "$1" | head -n 1
}
nt_remote() {
	sed -n 's/^client [^ ]*->\([^:]*:[0-9]*\):.*/\1/p' "$1" | head -n 1
}

# nt_finish: stop fwrelay (lib.sh's checks), tear the topology down and
# check that no namespace or nft table with the suffix is left.
nt_finish() {
	fw_stop
	nt_fw_same "$T/fw.before" "after fwrelay exited"
	ok "fw's nft ruleset, rules and routes are as before fwrelay started"
	"$TOPO" down "$NT_SUFFIX" || fail "netns-topo down"
	"$TOPO" status "$NT_SUFFIX" >"$T/status.out" 2>&1 ||
	    fail "left behind: $(cat "$T/status.out")"
	ip netns list | grep -q -- "-$NT_SUFFIX\$" &&
	    fail "a namespace *-$NT_SUFFIX is still listed"
	nft list tables 2>/dev/null | grep -q "$NT_SUFFIX" &&
	    fail "an nft table named with $NT_SUFFIX is left"
	ok "down: no namespace, veth or nft table with suffix $NT_SUFFIX left"
	NT_SUFFIX=
}
