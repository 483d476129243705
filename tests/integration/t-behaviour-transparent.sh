#!/bin/sh
# source = "transparent": the target sees the client's own address. On
# loopback every 127.x is local, so no privilege is needed.
# (a) source_port any: clients bound to 127.5.0.7 and 127.5.0.17 appear as
#     themselves (the port is the kernel's choice).
# (b) source_port preserve: a client bound to 127.5.0.8:P appears as
#     127.5.0.8:P, the very same port.
# (c) How the kernel behaves on loopback, where the client's own socket
#     holds ADDR:P on this host: the relay's bind(ADDR:P) (with SO_REUSEADDR)
#     succeeds only when the client's socket has SO_REUSEADDR too (fwtest
#     sets it on every bound client; (b) relies on that). A client that
#     bound ADDR:P itself without it cannot share the port (the kernel's
#     rule for bound ports): fwrelay does not fall back to another port;
#     it reports connect_failed (error EADDRINUSE, detail "the client's
#     port is bound on this host without SO_REUSEADDR: it cannot be
#     shared") and resets the client.
# (d) A client that did not bind (its port came from connect(), as most
#     clients' do) is preserved too: the kernel shares such a port by
#     4-tuple (the target differs from the relay's listener), and fwrelay
#     asks for it with IP_LOCAL_PORT_RANGE. The backend sees the client's
#     own ADDR:P. Across a real firewall the client's address is foreign,
#     so neither case arises there.
. "$(dirname "$0")/lib.sh"
fw_init behaviour-transparent

fw_server back --listen 127.2.0.10:0 --count 4 peer echo close
back_port=$SRV_PORT back_pid=$SRV_PID
pa=$(fw_port 127.2.0.1) pb=$(fw_port 127.2.0.1)
fw_conf "$CONF" "" \
    "any 127.2.0.1:$pa 127.2.0.10:$back_port source = \"transparent\";" \
    "keep 127.2.0.1:$pb 127.2.0.10:$back_port source = \"transparent\"; source_port = \"preserve\";"
fw_start

fw_client a1 --source 127.5.0.7 --connect 127.2.0.1:$pa \
    peer:127.5.0.7 ping:2 shut eof close
seen=$(out_field "$T/a1.out" peer)
[ "$(ev_get connect source relay=any 'client~^127[.]5[.]0[.]7:')" = "$seen" ] ||
    fail "(a) connect event source is not what the backend saw ($seen)"
ok "(a) client 127.5.0.7, backend saw $seen"
fw_client a2 --source 127.5.0.17 --connect 127.2.0.1:$pa \
    peer:127.5.0.17 ping:2 shut eof close
ok "(a) client 127.5.0.17, backend saw $(out_field "$T/a2.out" peer)"

p=$(fw_port 127.5.0.8)
fw_client b --source 127.5.0.8:$p --connect 127.2.0.1:$pb \
    peer:127.5.0.8 ping:2 shut eof close
seen=$(out_field "$T/b.out" peer)
[ "$seen" = "127.5.0.8:$p" ] ||
    fail "(b) preserve: backend saw $seen, expected 127.5.0.8:$p"
ok "(b) preserve: client 127.5.0.8:$p, backend saw $seen"

# (d) a client that did not bind: its port is the kernel's, from connect().
fw_client d --connect 127.2.0.1:$pb peer ping:2 shut eof close
own=$(sed -n 's/^client \([^ ]*\)->.*/\1/p' "$T/d.out" | head -n 1)
seen=$(out_field "$T/d.out" peer)
[ -n "$own" ] && [ "$seen" = "$own" ] ||
    fail "(d) preserve, unbound client $own: backend saw $seen"
ev_assert "(d) connect event: source is the client's own port" \
    "one('connect', 'relay=keep', 'client=$own', 'source=$own')"
ok "(d) preserve: unbound client $own, backend saw $seen"
fw_expect_exit "$back_pid" 5 "backend (4 sessions)"

# (c) a client whose socket lacks SO_REUSEADDR.
p=$(fw_port 127.5.0.9)
"$PY" - "$pb" "$p" >"$T/c.out" 2>&1 <<'EOF' || { cat "$T/c.out" >&2; fail "(c) client"; }
import errno, socket, sys
s = socket.socket()
s.bind(('127.5.0.9', int(sys.argv[2])))	# no SO_REUSEADDR
s.connect(('127.2.0.1', int(sys.argv[1])))
s.settimeout(5)
try:
    data = s.recv(100)
    sys.exit('expected a reset, got %r' % data)
except ConnectionResetError:
    print('client 127.5.0.9:%s: reset' % sys.argv[2])
EOF
ev_wait 5 close 1 "client=127.5.0.9:$p" || fail "(c) close event"
ev_assert "(c) preserve impossible: connect_failed EADDRINUSE, client reset" \
    "one('connect_failed', 'relay=keep', 'client=127.5.0.9:$p',
     'error=EADDRINUSE',
     'detail=the client\\'s port is bound on this host without SO_REUSEADDR: it cannot be shared') and
     one('close', 'client=127.5.0.9:$p', 'reason=connect_failed') and
     not sel('connect', 'client=127.5.0.9:$p')"
ev_wait 5 close 5 || fail "close events"
fw_stop
