#!/bin/sh
# epm with workers = 2: 16 hosts (127.8.43.5-20) ask the endpoint mapper,
# through one "epm" relay with pinholes (uses "many"), for the same
# interface. The kernel spreads their mapper connections over both
# workers; the first opens the pinhole on its worker, and every later
# lookup, on either worker, reuses that one pinhole (one pinhole_open, its
# rules let each host in). So hosts whose lookup ran on the other worker
# reach the service through a pinhole listening on this one: all 16 get
# "hello", 16 pinhole_used, no deny.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init workers-epm

A=127.8.43.1 S=127.8.43.2
SP=$(fw_port $A)
REQ=$("$PY" "$INSP_DIR/epmpdu.py" req)
RESP=$("$PY" "$INSP_DIR/epmpdu.py" resp $S $SP)
RESP_A=$("$PY" "$INSP_DIR/epmpdu.py" resp $A $SP)
HOSTS=$(seq 5 20 | sed 's/^/127.8.43./')

rp_server epm "$S:0" --count 16 "expect:$BIND" "send:$BIND_ACK" \
    "expect:$REQ" "send:$RESP" eof
epm=$RP_PID pe=$RP_PORT
rp_server svc "$S:$SP" --count 16 "send:68656c6c6f" eof	# "hello"
svc=$RP_PID
pa=$(fw_port $A)
fw_conf "$CONF" "workers = 2;" "epm $A:$pa $S:$pe protocol = \"epm\";
    pinholes = true; rewrite_towers = true; pinhole_uses = \"many\";"
FW_NRELAYS=2	# a listener on each worker
fw_start

for c in $HOSTS; do
	rp_client map-$c --source $c --connect $A:$pa "send:$BIND" \
	    "expect:$BIND_ACK" "send:$REQ" "expect:$RESP_A" shut eof
done
rp_wait "$epm" epm
ok "all 16 hosts were told $A[$SP]"
for c in $HOSTS; do
	rp_client call-$c --source $c --connect $A:$SP "expect:68656c6c6f" \
	    shut eof
done
rp_wait "$svc" svc
ok "all 16 reached the service through the pinhole"
ev_assert "one pinhole, on one worker, used by all 16 hosts, no deny" "
    len(sel('pinhole_open')) == 1 and len(sel('pinhole_used')) == 16 and
    not sel('deny') and not sel('pinhole_failed') and
    len(set(e['worker'] for e in sel('accept', 'relay~:pinhole:'))) == 1"
ev_assert "lookups ran on both workers: some learned it on the other one" "
    set(e['worker'] for e in sel('accept', 'relay=epm')) == {0, 1} and
    any(e['worker'] != sel('accept', 'relay~:pinhole:')[0]['worker']
        for e in sel('accept', 'relay=epm'))"
insp_stop
