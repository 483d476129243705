#!/bin/sh
# Privilege drop (root only): with user = "nobody" the daemon runs as
# nobody after binding, with exactly the capabilities its relays need in
# the permitted and effective sets (/proc/PID/status): CAP_NET_ADMIN (12)
# for source "transparent", CAP_NET_BIND_SERVICE (10) for a port below
# 1024; none for a plain rewrite relay on a high port. It still relays,
# the control socket belongs to nobody (0600), and a reload through the
# API still works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init priv-drop
fl_init
[ "$(id -u)" = 0 ] || skip "needs root"
nobody=$(id -u nobody 2>/dev/null) || skip "no user nobody"
SOCK=$T/ctl.sock
# The daemon reads its config again as nobody.
chmod 755 "$T"

fw_server back echo
back=$SRV_PORT
low=$("$PY" -c '
import socket
for p in range(1023, 600, -1):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break')
[ -n "$low" ] || skip "no free port below 1024"
pt=$(fw_port)

# caps PID: "CapPrm CapEff CapInh CapAmb Uid" from /proc.
caps() {
	awk '/^CapPrm:/ { p = $2 } /^CapEff:/ { e = $2 } /^CapInh:/ { i = $2 }
	    /^CapAmb:/ { a = $2 } /^Uid:/ { u = $2 "/" $3 "/" $4 }
	    END { print p, e, i, a, u }' "/proc/$1/status"
}

fw_conf "$CONF" "control = \"$SOCK\"; user = \"nobody\";" \
    "tp 127.0.0.1:$pt 127.0.0.1:$back source = \"transparent\";" \
    "low 127.0.0.1:$low 127.0.0.1:$back"
chmod 644 "$CONF"
fw_start
ev_wait 5 privileges 1 user=nobody || fail "no privileges event"
got=$(caps "$FW_PID")
want="0000000000001400 0000000000001400 0000000000000000 0000000000000000 $nobody/$nobody/$nobody"
[ "$got" = "$want" ] || fail "caps/uid: '$got', expected '$want'"
ok "running as nobody with CapPrm = CapEff = 0x1400 (NET_ADMIN, NET_BIND_SERVICE) only"
ev_assert "the privileges event lists them" \
    "one('privileges')['capabilities'] == ['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE']"
[ "$(stat -c '%U %a' "$SOCK")" = "nobody 600" ] ||
    fail "socket: $(stat -c '%U %a' "$SOCK")"
fw_client tp --source 127.1.0.10 --connect 127.0.0.1:$pt ping:2 shut eof
fw_client low --connect 127.0.0.1:$low ping:2 shut eof
fl_expect 200 POST /v1/reload
ok "relays work after the drop (transparent and port $low); socket nobody 0600; reload OK"
fw_stop

EVLOG=$T/events2.json
fw_conf "$CONF" "user = \"nobody\";" "plain 127.0.0.1:$pt 127.0.0.1:$back"
fw_start
ev_wait 5 privileges 1 || fail "no privileges event"
got=$(caps "$FW_PID")
want="0000000000000000 0000000000000000 0000000000000000 0000000000000000 $nobody/$nobody/$nobody"
[ "$got" = "$want" ] || fail "caps/uid: '$got', expected '$want'"
fw_client plain --connect 127.0.0.1:$pt ping:2 shut eof
ok "a rewrite relay on a high port keeps no capability at all"
fw_stop
