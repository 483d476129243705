#!/bin/sh
# blackhole and idle_blackhole. A blackholed direction reads and discards:
# the backend hears nothing, not even the client's FIN, and the connection
# stays open. idle_blackhole (1 s) is a stateful firewall ageing a flow out:
# echoes pass while traffic flows; after 1.5 s of silence the next bytes
# vanish (no answer, no FIN, no RST) and the backend sees none of them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init fault-blackhole
FW_SHUTDOWN=0.5
fl_init

fl_server bhback quiet:1.5
bhback=$SRV_PORT bhpid=$SRV_PID
fw_server echoback echo
echoback=$SRV_PORT
pb=$(fw_port) pi=$(fw_port)
fw_conf "$CONF" "" \
    "bh 127.0.0.1:$pb 127.0.0.1:$bhback faults = ( { type = \"blackhole\"; direction = \"upstream\"; } );" \
    "idle 127.0.0.1:$pi 127.0.0.1:$echoback faults = ( { type = \"idle_blackhole\"; idle_seconds = 1; } );"
fw_start

fl_client bh "$pb" send:1000 shut quiet:1.0
fw_expect_exit "$bhpid" 5 "backend behind the blackhole (silence for 1.5 s)"
ok "1000 bytes and the FIN swallowed; nothing came back either"
ev_wait 5 fault 1 relay=bh type=blackhole action=discarding ||
    fail "no blackhole event"
[ "$(ev_count close relay=bh)" = 0 ] || fail "the blackholed connection closed"
ok "the blackholed connection is still open"

fl_client idle "$pi" rtt:3 sleep:0.5 rtt:2 sleep:1.5 rawhex:68656c6c6f quiet:1.5
[ "$(grep -c rtt_ms "$T/idle.out")" = 5 ] || fail "echoes: $(cat "$T/idle.out")"
ok "echoes pass while the flow is active (gaps under 1 s)"
ok "after 1.5 s idle: 5 bytes sent, no answer, no FIN, no RST for 1.5 s"
ev_wait 5 fault 1 relay=idle type=idle_blackhole action="discarding after idle" ||
    fail "no idle_blackhole event"
[ "$(ev_count close relay=idle)" = 0 ] ||
    fail "the idle connection closed (its FIN must be swallowed too)"
fw_stop
# Both are closed by the shutdown drain only.
ev_assert "the backend got the echoes' 40 bytes and none of the 5 after" \
    "one('close', 'relay=idle')['bytes_from_client'] == 45 and
     one('close', 'relay=idle')['bytes_from_target'] == 40 and
     one('close', 'relay=idle')['reason'] == 'shutdown' and
     one('close', 'relay=bh')['reason'] == 'shutdown'"
