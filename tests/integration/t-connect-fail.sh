#!/bin/sh
# The target cannot be reached. (a) Refused: the client gets a reset and
# the event log says connect_failed ECONNREFUSED. (b) Silent: the target is
# a listener whose accept queue is full (fwtest blackhole), so Linux drops
# the relay's SYNs and its connect really times out (timeouts.connect =
# 1.0) on loopback without privileges; the client hears nothing until
# then, then gets a reset, and the event says ETIMEDOUT.
. "$(dirname "$0")/lib.sh"
fw_init connect-fail

refused=$(fw_port)
rm -f "$T/bh.ready"
fw_bg blackhole "$FWTEST" blackhole --listen 127.0.0.1:0 \
    --ready-file "$T/bh.ready"
fw_wait_file "$T/bh.ready" 5 || fail "blackhole: $(cat "$T/blackhole.err")"
silent=$(cat "$T/bh.ready")
pa=$(fw_port) pb=$(fw_port)
fw_conf "$CONF" "" \
    "refused 127.0.0.1:$pa 127.0.0.1:$refused" \
    "silent 127.0.0.1:$pb 127.0.0.1:$silent timeouts = { connect = 1.0; };"
fw_start

fw_client ca --connect 127.0.0.1:$pa reset:3
ok "(a) refused target: client got a reset"
ev_wait 5 close 1 relay=refused || fail "close of (a)"
ev_assert "(a) connect_failed ECONNREFUSED towards the target" \
    "one('connect_failed', 'relay=refused')['error'] == 'ECONNREFUSED' and
     one('connect_failed', 'relay=refused')['target'] == '127.0.0.1:$refused'
     and not sel('connect', 'relay=refused')"

fw_client cb --connect 127.0.0.1:$pb silence:0.7 reset:3
t=$(sed -n 's/.* reset after \([0-9.]*\) s$/\1/p' "$T/cb.out")
awk "BEGIN { exit !($t < 1.5) }" ||
    fail "(b) reset came ${t} s after the 0.7 s of silence"
ok "(b) silent target: nothing for 0.7 s, then a reset ${t} s later"
ev_wait 5 close 1 relay=silent || fail "close of (b)"
ev_assert "(b) connect_failed ETIMEDOUT, closed after about 1 s" \
    "one('connect_failed', 'relay=silent')['error'] == 'ETIMEDOUT' and
     900 <= one('close', 'relay=silent')['duration_ms'] < 2500"
fw_stop
