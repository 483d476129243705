#!/bin/sh
# epm rewrite: the ept_map exchange of PROTOCOLS.md 2.6 (c)/(d) between
# byte-exact peers through "epm" relays with pinholes and rewrite_towers.
# The server's tower names 127.8.10.2:SP; the client must get the same
# reply with only the 4 address bytes changed to the relay's 127.8.10.1
# (SP was free there, so the pinhole kept the port), whether the reply
# trickles byte by byte, comes as two fragments whose split cuts the
# address floor in two, or both. Lengths and everything else are
# unchanged; each reply yields one epm_map event (exchange_mta, the learned
# endpoint) and a pinhole 127.8.10.1:SP -> 127.8.10.2:SP. Without pinholes
# and rewrite_towers the reply passes untouched, the event still comes.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init epm-rewrite

A=127.8.10.1 S=127.8.10.2
MTA=9e8ee830-4459-11ce-979b-00aa005ffebe
pdu() {
	"$PY" "$INSP_DIR/epmpdu.py" "$@" || fail "epmpdu.py $*"
}
SP=$(fw_port $A)
REQ=$(pdu req)
RESP=$(pdu resp $S $SP) RESP_A=$(pdu resp $A $SP)
FR120=$(pdu resp $S $SP 120) FR120_A=$(pdu resp $A $SP 120)
FR121=$(pdu resp $S $SP 121) FR121_A=$(pdu resp $A $SP 121)

# backend NAME HOW REPLY: bind, then the ept_map reply sent HOW.
backend() {
	rp_server "$1" "$S:0" "expect:$BIND" "send:$BIND_ACK" "expect:$REQ" \
	    "$2:$3" eof
	eval "$1_pid=\$RP_PID $1_port=\$RP_PORT"
}
backend b1 trickle "$RESP"
backend b2 send "$FR120"
backend b3 trickle "$FR121"
backend b4 send "$RESP"
r1=$(fw_port $A) r2=$(fw_port $A) r3=$(fw_port $A) r4=$(fw_port $A)
alg='protocol = "epm"; pinholes = true; rewrite_towers = true;'
fw_conf "$CONF" "" \
    "whole $A:$r1 $S:$b1_port $alg" \
    "frag120 $A:$r2 $S:$b2_port $alg" \
    "frag121 $A:$r3 $S:$b3_port $alg" \
    "plain $A:$r4 $S:$b4_port protocol = \"epm\";"
fw_start

rp_client c1 --connect $A:$r1 "send:$BIND" "expect:$BIND_ACK" "send:$REQ" \
    "expect:$RESP_A" shut eof
ok "one PDU, trickled: the client got it with $A in the tower, all else equal"
rp_client c2 --connect $A:$r2 "send:$BIND" "expect:$BIND_ACK" "send:$REQ" \
    "expect:$FR120_A" shut eof
ok "two fragments, split inside the address floor: rewritten across them"
rp_client c3 --connect $A:$r3 "send:$BIND" "expect:$BIND_ACK" "send:$REQ" \
    "expect:$FR121_A" shut eof
ok "two fragments trickled, split elsewhere in the floor: rewritten too"
rp_client c4 --connect $A:$r4 "send:$BIND" "expect:$BIND_ACK" "send:$REQ" \
    "expect:$RESP" shut eof
ok "no pinholes, no rewrite_towers: the reply unchanged"
for b in b1 b2 b3 b4; do
	eval "rp_wait \$${b}_pid $b"
done
ev_wait 5 close 4 || fail "close events"

for r in whole frag120 frag121 plain; do
	ev_spec "$r: one epm_map ept_map exchange_mta $S:$SP, no anomaly" \
	    "one('epm_map', 'relay=$r', 'operation=ept_map', 'interface=$MTA',
	     'interface_name=exchange_mta', 'address=$S', 'port=$SP') and
	     not sel('inspect_anomaly', 'relay=$r') and
	     one('close', 'relay=$r', 'reason=done')"
done
ev_spec "one pinhole $A:$SP -> $S:$SP (opened, then refreshed), none for plain" \
    "one('pinhole_open', 'kind=epm', 'for=$MTA', 'listen=$A:$SP',
     'target=$S:$SP') and not sel('pinhole_open', 'relay=plain')"
ev_run

insp_stop
