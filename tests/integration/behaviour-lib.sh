# behaviour-lib.sh: helpers of the t-behaviour-*.sh scenarios that lib.sh
# lacks, sourced after lib.sh.

# bh_port_range N ADDR...: the first port of N consecutive ports that are
# free on every ADDR now (bound without SO_REUSEADDR, so a TIME_WAIT counts
# as taken), chosen below the ephemeral range (20000-31999).
bh_port_range() {
	"$PY" - "$@" <<'PYEOF' || fail "no $1 consecutive free ports"
import random, socket, sys
n, addrs = int(sys.argv[1]), sys.argv[2:]
for _ in range(200):
    lo = random.randrange(20000, 32000 - n)
    socks = []
    try:
        for p in range(lo, lo + n):
            for a in addrs:
                s = socket.socket()
                socks.append(s)
                s.bind((a, p))
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(lo)
    sys.exit(0)
sys.exit(1)
PYEOF
}

# bh_line FILE TAG: the line number of the line of FILE containing TAG.
bh_line() {
	grep -n -- "$2" "$1" | head -n 1 | cut -d: -f1
}

# bh_local CLIENTOUT: the client's own ADDR:PORT from fwtest's label.
bh_local() {
	sed -n 's/^client \([^ ]*\)->.*/\1/p' "$1" | head -n 1
}

# A private network namespace with only lo, so that a scenario can use the
# fixed addresses and ports of an example configuration without meeting
# anything else running on this host (root only). bh_ns_up sets BH_NS and
# extends the cleanup; bh_ns_server and bh_ns_client are fw_server and
# fw_client run inside it. bh_ns_up returns 1 (and says why) when this
# host cannot make one.
BH_NS=
bh_ns_up() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "# not root: no private network namespace"
		return 1
	fi
	if ! unshare -n true 2>/dev/null; then
		echo "# cannot create network namespaces here (unshare -n fails)"
		return 1
	fi
	BH_NS=fwex-$$
	ip netns add "$BH_NS" || fail "ip netns add $BH_NS"
	trap 'bh_ns_cleanup' EXIT
	ip -n "$BH_NS" link set lo up || fail "lo up in $BH_NS"
}

bh_ns_cleanup() {
	local st=$? pid
	if [ -n "$BH_NS" ]; then
		for pid in $(ip netns pids "$BH_NS" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$BH_NS" 2>/dev/null
	fi
	(exit $st)
	fw_cleanup
}

bh_ns_server() {	# NAME LISTEN fwtest-server-args...
	local name=$1 listen=$2
	shift 2
	rm -f "$T/$name.ready"
	fw_bg "$name" ip netns exec "$BH_NS" "$FWTEST" server \
	    --listen "$listen" --ready-file "$T/$name.ready" "$@"
	SRV_PID=$BG_PID
	fw_wait_file "$T/$name.ready" 5 ||
	    fail "server $name not ready: $(cat "$T/$name.err")"
}

bh_ns_client() {	# NAME fwtest-client-args...
	local name=$1
	shift
	if ! ip netns exec "$BH_NS" "$FWTEST" client "$@" \
	    >"$T/$name.out" 2>"$T/$name.err"; then
		cat "$T/$name.err" >&2
		fail "client $name"
	fi
}
