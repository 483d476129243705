#!/bin/sh
# tshark and rfc1006: the PROTOCOLS.md 1.8 conversations (CR/CC/DT, a CR
# refused with DR, one answered with ER, a CR with TPKT reserved byte 01)
# through "rfc1006" relays, captured on lo. For every cotp_* event, tshark
# (an independent decoder, -d tcp.port==PORT,tpkt) finds that TPDU once on
# each leg (client 127.8.7.4 <-> relay 127.8.7.1, relay 127.8.7.3 <->
# backend 127.8.7.2) with the same references, TSAPs MTA-A/MTA-B, TPDU
# size, DR reason, ER cause and reserved byte; no frame is malformed.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init tshark-rfc1006
insp_need_tshark

A=127.8.7.1 B=127.8.7.2 N=127.8.7.3 CL=127.8.7.4
CR1=$(echo "$CR" | sed 's/^03 00/03 01/')

rp_server b1 "$B:0" "expect:$CR" "send:$CC" "expect:$DT1 $DT2" eof
b1=$RP_PID p1=$RP_PORT
rp_server b2 "$B:0" "expect:$CR" "send:$DR" close
b2=$RP_PID p2=$RP_PORT
rp_server b3 "$B:0" "expect:$CR" "send:$ER" close
b3=$RP_PID p3=$RP_PORT
rp_server b4 "$B:0" "expect:$CR1" "send:$CC" eof
b4=$RP_PID p4=$RP_PORT
r1=$(fw_port $A) r2=$(fw_port $A) r3=$(fw_port $A) r4=$(fw_port $A)
src="source_address = \"$N\";"
fw_conf "$CONF" "" \
    "dt $A:$r1 $B:$p1 protocol = \"rfc1006\"; $src" \
    "dr $A:$r2 $B:$p2 protocol = \"rfc1006\"; $src" \
    "er $A:$r3 $B:$p3 protocol = \"rfc1006\"; $src" \
    "rsv $A:$r4 $B:$p4 protocol = \"rfc1006\"; $src"
fw_start

ts_start cap "net 127.8.7.0/24" 127.8.7.99
rp_client c1 --source $CL --connect $A:$r1 \
    "send:$CR" "expect:$CC" "send:$DT1 $DT2" shut eof
rp_client c2 --source $CL --connect $A:$r2 "send:$CR" "expect:$DR" eof
rp_client c3 --source $CL --connect $A:$r3 "send:$CR" "expect:$ER" eof
rp_client c4 --source $CL --connect $A:$r4 "send:$CR1" "expect:$CC" shut eof
for p in b1 b2 b3 b4; do
	eval "rp_wait \$$p $p"
done
ev_wait 5 close 4 || fail "close events"
ts_stop cap 127.8.7.99
ok "4 conversations captured"

"$PY" "$INSP_DIR/tscheck.py" cotp "$T/cap.pcapng" "$EVLOG" \
    $r1 $r2 $r3 $r4 $p1 $p2 $p3 $p4 >"$T/tscheck.out" 2>&1
st=$?
cat "$T/tscheck.out"
[ $st -eq 0 ] || fail "tshark and the event log disagree"
n=$(grep -c '^ok cotp_' "$T/tscheck.out")
# CR, CC on dt; CR, DR; CR, ER; CR, CC on rsv: 8 events, 2 legs each.
[ "$n" -eq 16 ] || fail "$n TPDU matches, not 16"
ok "tshark agrees with fwrelay on 8 TPDUs x 2 legs, nothing malformed"

fw_stop
