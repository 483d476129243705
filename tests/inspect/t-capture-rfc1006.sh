#!/bin/sh
# Captures of rfc1006 relays (capture = DIR, one file per connection) set
# against the wire. The PROTOCOLS.md 1.8 conversations of t-tshark-rfc1006
# (CR/CC/DT, a DR, an ER, a reserved byte 01) plus a CR that tsap_allow
# refuses, which fwrelay answers with a DR of its own, while dumpcap
# captures lo. Then:
# - capinfos takes every file fwrelay wrote, one per connection, each with
#   the client and target interfaces and a comment naming the relay, the
#   connection and its accept event's timestamp;
# - tshark decodes them (tscheck.py cotp) and agrees with the event log on
#   every TPDU on both legs, as it does with the capture of lo;
# - every TCP direction in fwrelay's files carried exactly the bytes lo
#   saw, with the same SYN, FIN and RST: the DR fwrelay made is on the
#   client leg as the client received it, and the refused caller's target
#   leg does not exist;
# - one capture event opens and one closes each file.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init capture-rfc1006
insp_need_tshark
command -v capinfos >/dev/null 2>&1 || skip "capinfos is missing" \
    "(apt-get install wireshark-common)"
command -v mergecap >/dev/null 2>&1 || skip "mergecap is missing" \
    "(apt-get install wireshark-common)"

A=127.8.41.1 B=127.8.41.2 N=127.8.41.3 CL=127.8.41.4
CR1=$(echo "$CR" | sed 's/^03 00/03 01/')
CAP=$T/fwcap
mkdir "$CAP"

rp_server b1 "$B:0" "expect:$CR" "send:$CC" "expect:$DT1 $DT2" eof
b1=$RP_PID p1=$RP_PORT
rp_server b2 "$B:0" "expect:$CR" "send:$DR" close
b2=$RP_PID p2=$RP_PORT
rp_server b3 "$B:0" "expect:$CR" "send:$ER" close
b3=$RP_PID p3=$RP_PORT
rp_server b4 "$B:0" "expect:$CR1" "send:$CC" eof
b4=$RP_PID p4=$RP_PORT
p5=$(fw_port $B)
r1=$(fw_port $A) r2=$(fw_port $A) r3=$(fw_port $A) r4=$(fw_port $A)
r5=$(fw_port $A)
k="protocol = \"rfc1006\"; source_address = \"$N\"; capture = \"$CAP\";"
fw_conf "$CONF" "" \
    "dt $A:$r1 $B:$p1 $k" \
    "dr $A:$r2 $B:$p2 $k" \
    "er $A:$r3 $B:$p3 $k" \
    "rsv $A:$r4 $B:$p4 $k" \
    "tsap $A:$r5 $B:$p5 $k tsap_allow = [ \"MTA-X\" ];"
fw_start

ts_start lo "net 127.8.41.0/24" 127.8.41.99
rp_client c1 --source $CL --connect $A:$r1 \
    "send:$CR" "expect:$CC" "send:$DT1 $DT2" shut eof
rp_client c2 --source $CL --connect $A:$r2 "send:$CR" "expect:$DR" eof
rp_client c3 --source $CL --connect $A:$r3 "send:$CR" "expect:$ER" eof
rp_client c4 --source $CL --connect $A:$r4 "send:$CR1" "expect:$CC" shut eof
# tsap_allow refuses MTA-B: fwrelay's own DR, reason 3.
rp_client c5 --source $CL --connect $A:$r5 "send:$CR" \
    "expect:03 00 00 0b 06 80 00 01 00 00 03" eof
for p in b1 b2 b3 b4; do
	eval "rp_wait \$$p $p"
done
ev_wait 5 close 5 || fail "close events"
ts_stop lo 127.8.41.99
ev_wait 5 capture 10 || fail "capture events: $(ev_count capture)"
ok "5 conversations relayed, captured on lo and by fwrelay"

set -- "$CAP"/*.pcapng
[ $# -eq 5 ] || fail "$# capture files, not 5: $(ls "$CAP")"
ev_assert "one capture event opens and one closes each of the 5 files" \
    "len(sel('capture', 'action=open')) == 5 and
     len(sel('capture', 'action=close', 'reason=end')) == 5 and
     all(one('capture', 'action=close', 'file=' + e['file']) and
         e['conn'] > 0 and e['mode'] == 'connection'
         for e in sel('capture', 'action=open')) and
     sum(e['packets'] for e in sel('capture', 'action=close')) > 40"

"$PY" "$INSP_DIR/capcheck.py" files "$EVLOG" "$@" >"$T/files.out" 2>&1
st=$?
cat "$T/files.out"
[ $st -eq 0 ] || fail "the capture files"
ok "capinfos takes the 5 files; each comment names its accept event"

mergecap -F pcapng -w "$T/fw.pcapng" "$@" || fail "mergecap"
"$PY" "$INSP_DIR/tscheck.py" cotp "$T/fw.pcapng" "$EVLOG" \
    $r1 $r2 $r3 $r4 $r5 $p1 $p2 $p3 $p4 >"$T/tscheck.out" 2>&1
st=$?
cat "$T/tscheck.out"
[ $st -eq 0 ] || fail "tshark on fwrelay's capture and the event log disagree"
n=$(grep -c '^ok cotp_' "$T/tscheck.out")
# CR, CC on dt; CR, DR; CR, ER; CR, CC on rsv: 8 TPDUs, 2 legs each; the
# refused CR on its client leg alone (fwrelay's DR is checked below).
[ "$n" -eq 17 ] || fail "$n TPDU matches, not 17"
ok "tshark decodes fwrelay's capture as the event log says, both legs"

"$PY" "$INSP_DIR/capcheck.py" streams "$T/lo.pcapng" "$T/fw.pcapng" $A,$N \
    $r1 $r2 $r3 $r4 $r5 $p1 $p2 $p3 $p4 $p5 >"$T/streams.out" 2>&1
st=$?
cat "$T/streams.out"
[ $st -eq 0 ] || fail "fwrelay's capture and the wire differ"
n=$(grep -c '^ok ' "$T/streams.out")
# 4 conversations with two legs of two directions, 1 with the client leg.
[ "$n" -eq 18 ] || fail "$n directions match, not 18"
drhex=$(hx "03 00 00 0b 06 80 00 01 00 00 03")
tshark -n -r "$T/fw.pcapng" -Y "tcp.srcport == $r5 && tcp.len > 0" \
    -T fields -e frame.interface_name -e tcp.payload >"$T/dr.out" 2>"$T/dr.err"
[ "$(tr -d ':' <"$T/dr.out")" = "client	$drhex" ] ||
    fail "fwrelay's DR on the client leg: $(cat "$T/dr.out")"
ok "18 directions carried the same bytes as on lo; fwrelay's DR is there"

insp_stop
