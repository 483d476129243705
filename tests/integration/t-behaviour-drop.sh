#!/bin/sh
# deny = "drop": the handshake completes (userspace cannot avoid that), then
# nothing: no data, no FIN, no RST while the client waits (1.5 s here),
# whether the client sent nothing (a) or sent bytes first (b). When the
# client closes, fwrelay notices (it polls once a second) and logs close
# closed_by client, reason denied. Run as root, it discards the socket with
# TCP_REPAIR, so not even then is anything sent: the client's orphaned
# socket stays in FIN-WAIT-2 (a FIN from the relay would turn it into
# TIME-WAIT, a reset would remove it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/behaviour-lib.sh"
fw_init behaviour-drop

pa=$(fw_port 127.2.0.1) dead=$(fw_port 127.2.0.10)
cat >"$CONF" <<EOF
event_log = "$EVLOG";
log_level = "info";
shutdown_timeout = 2.0;
relays = (
  { name = "drop";
    listen = "127.2.0.1:$pa";
    target = "127.2.0.10:$dead";	// never reached
    policy = (
      { action = "allow"; from = "127.1.0.100/32"; },
      { action = "deny"; from = "127.1.0.0/24"; deny = "drop"; }	// D1
    );
  }
);
EOF
FW_NRELAYS=1
fw_start
d1=$(bh_line "$CONF" "// D1")

fw_bg a "$FWTEST" client --source 127.1.0.13 --connect 127.2.0.1:$pa \
    silence:1.5 close
a_pid=$BG_PID
fw_bg b "$FWTEST" client --source 127.1.0.14 --connect 127.2.0.1:$pa \
    send:'CR TPDU\n' silence:1.5 close
b_pid=$BG_PID
fw_expect_exit "$a_pid" 5 "(a) client (no data, no FIN, no RST for 1.5 s)"
fw_expect_exit "$b_pid" 5 "(b) client (sent first; no answer for 1.5 s)"
ok "(a) and (b): nothing at all reached the clients for 1.5 s"
ca=$(bh_local "$T/a.out") cb=$(bh_local "$T/b.out")

for c in $ca $cb; do
	ev_assert "deny drop for $c: rule 1, line $d1" \
	    "one('deny', 'relay=drop', 'client=$c', 'rule=1', 'line=$d1',
	     'style=drop', 'to=127.2.0.1:$pa') and
	     not sel('connect', 'client=$c')"
done
ev_wait 3 close 1 "client=$ca" closed_by=client reason=denied ||
    fail "(a) fwrelay did not notice the client left"
ok "(a) the client's close noticed: close closed_by client, reason denied"
ev_wait 3 close 1 "client=$cb" closed_by=client reason=denied ||
    fail "(b) fwrelay did not notice that a client which had sent bytes left"
ok "(b) the client's close noticed although its bytes were never read"

if [ "$(id -u)" -eq 0 ]; then
	for c in $ca $cb; do
		st=$(ss -Htan src "$c" dst "127.2.0.1:$pa" | awk '{print $1}')
		[ "$st" = FIN-WAIT-2 ] ||
		    fail "client $c is '${st:-gone}' after fwrelay let go, expected FIN-WAIT-2 (nothing sent)"
	done
	ok "root: both clients still FIN-WAIT-2: fwrelay sent nothing on discard"
else
	echo "# not root: TCP_REPAIR unavailable, the discard check is skipped"
fi
fw_stop
