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
