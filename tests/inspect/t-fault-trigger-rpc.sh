#!/bin/sh
# Triggered faults on dcerpc relays, at the boundary of the PDU whose
# inspector event fired them: the bind_ack dropped (the client hears
# nothing), the EPM call (rpc_call, a debug-level event, with the relay at
# info) answered with a fault nca_s_fault_access_denied, the bind answered
# with a bind_nak, the bind_ack corrupted in its ptype byte, a reset of both
# ends on the bind_ack. Asserted at both ends (byte-exact) and in events.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init fault-trigger-rpc

A=127.8.17.1 B=127.8.17.2
REQ="05 00 00 03 10 00 00 00 20 00 00 00 03 00 00 00
 08 00 00 00 00 00 00 00 de ad be ef 00 00 00 00"
# fault, call 3, context 0, status 5 (nca_s_fault_access_denied).
FAULT5="05 00 03 03 10 00 00 00 20 00 00 00 03 00 00 00
 00 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00"
# bind_nak, call 1, reason 4, no versions.
NAK="05 00 0d 03 10 00 00 00 13 00 00 00 01 00 00 00 04 00 00"
# The bind_ack with its ptype (byte 2, 0c) flipped: f3.
ACKX="05 00 f3 03${BIND_ACK#05 00 0c 03}"

rp_server sdrop "$B:0" "expect:$BIND" "send:$BIND_ACK" "sink:$T/sdrop.sink"
sdrop=$RP_PID pa=$RP_PORT
rp_server sfault "$B:0" "expect:$BIND" "send:$BIND_ACK" "sink:$T/sfault.sink"
sfault=$RP_PID pb=$RP_PORT
rp_server snak "$B:0" "sink:$T/snak.sink"
snak=$RP_PID pc=$RP_PORT
rp_server scorr "$B:0" "expect:$BIND" "send:$BIND_ACK" eof
scorr=$RP_PID pd=$RP_PORT
rp_server srst "$B:0" "expect:$BIND" "send:$BIND_ACK" reset
srst=$RP_PID pe=$RP_PORT
la=$(fw_port $A) lb=$(fw_port $A) lc=$(fw_port $A) ld=$(fw_port $A)
le=$(fw_port $A)
R() { printf '%s %s:%s %s:%s protocol = "dcerpc"; faults = ( { %s } );' \
    "$1" "$A" "$2" "$B" "$3" "$4"; }
fw_conf "$CONF" "" \
    "$(R drop $la $pa 'on = "rpc_bind_ack"; action = "drop";')" \
    "$(R fault $lb $pb 'on = "rpc_call"; match = { interface_name = "epm"; opnum = 0; }; action = "reply"; reply = "rpc_fault"; status = 5;')" \
    "$(R nak $lc $pc 'on = "rpc_bind"; action = "reply"; reply = "bind_nak"; reason = 4;')" \
    "$(R corrupt $ld $pd 'on = "rpc_bind_ack"; action = "corrupt"; offset = 2;')" \
    "$(R rst $le $pe 'on = "rpc_bind_ack"; action = "reset";')"
fw_start

rp_client drop --connect $A:$la "send:$BIND" shut eof
rp_wait "$sdrop" sdrop
[ "$(cat "$T/sdrop.sink")" = "" ] || fail "drop: target got $(cat "$T/sdrop.sink")"
ok "drop on rpc_bind_ack: the client never got the bind_ack"

rp_client fault --connect $A:$lb "send:$BIND" "expect:$BIND_ACK" \
    "send:$REQ" "expect:$FAULT5" shut eof
rp_wait "$sfault" sfault
[ "$(cat "$T/sfault.sink")" = "" ] ||
    fail "fault: the target got $(cat "$T/sfault.sink")"
ok "reply rpc_fault on the EPM call: the client got nca_s_fault_access_denied, the target no request"

rp_client nak --connect $A:$lc "send:$BIND" "expect:$NAK" shut eof
rp_wait "$snak" snak
[ "$(cat "$T/snak.sink")" = "" ] || fail "nak: target got $(cat "$T/snak.sink")"
ok "reply bind_nak on rpc_bind: the client got a bind_nak reason 4, the target no bind"

rp_client corrupt --connect $A:$ld "send:$BIND" "expect:$ACKX" shut eof
rp_wait "$scorr" scorr
ok "corrupt offset 2 on rpc_bind_ack: the client got the bind_ack with its ptype flipped"

rp_client rst --connect $A:$le "send:$BIND" reset
rp_wait "$srst" srst
ok "reset on rpc_bind_ack: both ends got an RST, the client no bind_ack"

ev_wait 5 close 5 || fail "close events"
ev_assert "fault events: trigger, conn and offset" \
    "one('fault', 'relay=drop', 'type=trigger_drop', 'on=rpc_bind_ack',
         'direction=downstream', 'offset=0', 'bytes=60') and
     one('fault', 'relay=fault', 'type=trigger_reply', 'on=rpc_call',
         'reply=rpc_fault', 'code=5', 'offset=72') and
     one('fault', 'relay=nak', 'type=trigger_reply', 'reply=bind_nak',
         'code=4', 'direction=upstream') and
     one('fault', 'relay=corrupt', 'byte=2') and
     one('fault', 'relay=rst', 'type=trigger_reset', 'side=both') and
     not sel('rpc_call', 'relay=fault')"
fw_stop
