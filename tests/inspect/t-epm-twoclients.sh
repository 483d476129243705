#!/bin/sh
# epm, two clients: two hosts (127.8.11.5 and .6) ask the same endpoint
# mapper, through one "epm" relay with pinholes (uses "many"), for the same
# interface. Both are told the relay's address and port SP; the second
# ept_map refreshes the pinhole the first one opened and lets the second
# host in too: each reaches the service through it.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init epm-twoclients

A=127.8.11.1 S=127.8.11.2 C1=127.8.11.5 C2=127.8.11.6
SP=$(fw_port $A)
REQ=$("$PY" "$INSP_DIR/epmpdu.py" req)
RESP=$("$PY" "$INSP_DIR/epmpdu.py" resp $S $SP)
RESP_A=$("$PY" "$INSP_DIR/epmpdu.py" resp $A $SP)

rp_server epm "$S:0" --count 2 "expect:$BIND" "send:$BIND_ACK" \
    "expect:$REQ" "send:$RESP" eof
epm=$RP_PID pe=$RP_PORT
rp_server svc "$S:$SP" --count 2 "send:68656c6c6f" eof	# "hello"
svc=$RP_PID
pa=$(fw_port $A)
fw_conf "$CONF" "" "epm $A:$pa $S:$pe protocol = \"epm\"; pinholes = true;
    rewrite_towers = true; pinhole_uses = \"many\";"
fw_start

for c in $C1 $C2; do
	rp_client map-$c --source $c --connect $A:$pa "send:$BIND" \
	    "expect:$BIND_ACK" "send:$REQ" "expect:$RESP_A" shut eof
done
rp_wait "$epm" epm
ok "both clients were told $A[$SP]"
for c in $C1 $C2; do
	rp_client call-$c --source $c --connect $A:$SP "expect:68656c6c6f" \
	    shut eof
	ok "$c reached the service through the pinhole"
done
rp_wait "$svc" svc
ev_assert "two uses of the pinhole, no deny" \
    "len(sel('pinhole_used')) == 2 and not sel('deny')"

insp_stop
