#!/bin/sh
# Triggered faults on rfc1006 relays: each action at the boundary of the
# TPDU whose inspector event fired it, asserted at the far end (the bytes
# the peer got) and in the fault events (trigger conn and stream offset).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init fault-trigger-cotp
fl_init

# PROTOCOLS.md 1.8: CR from MTA-A to MTA-B, SRC-REF 0001; a DT.
CR=0300001c17e00000000100c0010bc1054d54412d41c2054d54412d42
DT=0300000a02f000010203
# The CR with byte 5 (the TPDU code e0) flipped: 1f.
CRX=0300001c171f0000000100c0010bc1054d54412d41c2054d54412d42

P() { printf '%s 127.0.0.1:%s 127.0.0.1:%s protocol = "rfc1006"; faults = ( { %s } );' "$1" "$2" "$3" "$4"; }

fl_server sdrop recvhex:3
sdrop=$SRV_PORT pdrop=$SRV_PID
fl_server scorr recvhex:3
scorr=$SRV_PORT pcorr=$SRV_PID
fl_server sdr accept:2 recvhex:3
sdr=$SRV_PORT pdr=$SRV_PID
fl_server srst recvall:3
srst=$SRV_PORT prst=$SRV_PID
fl_server sclose recvall:3
sclose=$SRV_PORT pclose=$SRV_PID
fl_server sbh quiet:1
sbh=$SRV_PORT pbh=$SRV_PID
fl_server sdel recvhex:3
sdel=$SRV_PORT pdel=$SRV_PID
fl_server ser recvhex:3
ser=$SRV_PORT per=$SRV_PID
fl_server snm recvhex:3
snm=$SRV_PORT pnm=$SRV_PID
fl_server smul accept:2 recvhex:3
smul=$SRV_PORT pmul=$SRV_PID
# The target answers the CR with a CC and a DT, then closes.
CC=0300000b06d00001000200
fl_server sctl recvn:28 rawhex:$CC rawhex:$DT
sctl=$SRV_PORT pctl=$SRV_PID
SOCK=$T/ctl.sock
CTL=$(dirname "$FWRELAY")/fwrelayctl
[ -x "$CTL" ] || { echo "ERROR: $CTL not built" >&2; exit 99; }
a=$(fw_port) b=$(fw_port) c=$(fw_port) d=$(fw_port) e=$(fw_port)
f=$(fw_port) g=$(fw_port) h=$(fw_port) i=$(fw_port) j=$(fw_port)
k=$(fw_port)
fw_conf "$CONF" "control = \"$SOCK\";" \
    "ctl 127.0.0.1:$j 127.0.0.1:$sctl protocol = \"rfc1006\";" \
    "$(P drop $a $sdrop 'on = "cotp_cr"; action = "drop";')" \
    "$(P corrupt $b $scorr 'on = "cotp_cr"; action = "corrupt"; offset = 5;')" \
    "$(P dr $c $sdr 'on = "cotp_cr"; after = 2; action = "reply"; reply = "dr"; reason = 2; match = { called_tsap = "MTA-B"; };')" \
    "$(P rst $d $srst 'on = "cotp_cr"; action = "reset"; side = "client";')" \
    "$(P close $e $sclose 'on = "cotp_cr"; action = "close";')" \
    "$(P bh $f $sbh 'on = "cotp_cr"; action = "blackhole";')" \
    "$(P delay $g $sdel 'on = "cotp_cr"; action = "delay"; delay_ms = 200;')" \
    "$(P er $h $ser 'on = "cotp_cr"; action = "reply"; reply = "er"; cause = 2;')" \
    "$(P nomatch $i $snm 'on = "cotp_cr"; action = "drop"; match = { called_tsap = "MTA-X"; };')" \
    "$(P multi $k $smul 'on = "cotp_dr"; action = "drop"; count = 0;')"
fw_start

fl_client drop "$a" rawhex:$CR rawhex:$DT shut recvall:3
fw_wait_exit "$pdrop" 5
grep -q "server: hex=$DT end=eof" "$T/sdrop.out" ||
    fail "drop: $(cat "$T/sdrop.out")"
ok "drop on cotp_cr: the CR never arrived, the DT behind it did"

fl_client corrupt "$b" rawhex:$CR shut recvall:3
fw_wait_exit "$pcorr" 5
grep -q "server: hex=$CRX end=eof" "$T/scorr.out" ||
    fail "corrupt: $(cat "$T/scorr.out")"
ok "corrupt offset 5 on cotp_cr: the target got the CR with its code byte flipped"

fl_client dr1 "$c" rawhex:$CR shut recvall:3
fl_client dr2 "$c" rawhex:$CR expect:0300000b06800001000002 recvall:3
grep -q "client: received=0 .*end=eof" "$T/dr2.out" ||
    fail "dr: no FIN after the DR: $(cat "$T/dr2.out")"
fw_wait_exit "$pdr" 8
grep -q "server1: hex=$CR end=eof" "$T/sdr.out" &&
    grep -q "server2: hex=- end=eof" "$T/sdr.out" ||
    fail "dr: $(cat "$T/sdr.out")"
ok "reply dr after = 2: the first association passed, the second got DR reason 2 and the target nothing"

fl_client rst "$d" rawhex:$CR recvall:3
grep -q "client: received=0 .*end=reset" "$T/rst.out" ||
    fail "reset client: $(cat "$T/rst.out")"
fw_wait_exit "$prst" 5
grep -q "server: received=0 .*end=eof" "$T/srst.out" ||
    fail "reset client: target: $(cat "$T/srst.out")"
ok "reset side client on cotp_cr: the client got an RST, the target a FIN and no CR"

fl_client close "$e" rawhex:$CR recvall:3
grep -q "client: received=0 .*end=eof" "$T/close.out" ||
    fail "close: $(cat "$T/close.out")"
fw_wait_exit "$pclose" 5
grep -q "server: received=0 .*end=eof" "$T/sclose.out" ||
    fail "close: target: $(cat "$T/sclose.out")"
ok "close on cotp_cr: both ends got a FIN, the target no CR"

fl_client bh "$f" rawhex:$CR rawhex:$DT shut quiet:1
fw_wait_exit "$pbh" 5
ok "blackhole on cotp_cr: neither the CR, the DT nor the FIN reached the target"

fl_client delay "$g" rawhex:$CR rawhex:$DT shut recvall:3
fw_wait_exit "$pdel" 5
grep -q "server: hex=$CR$DT end=eof" "$T/sdel.out" ||
    fail "delay: $(cat "$T/sdel.out")"
ok "delay on cotp_cr: the CR and then the DT behind it arrived, in order"

ER=$(echo "03000023 1e 70 0001 02 c1 18" | tr -d ' ')$(echo $CR | cut -c9-56)
fl_client er "$h" rawhex:$CR expect:$ER shut recvall:3
fw_wait_exit "$per" 5
grep -q "server: hex=- end=eof" "$T/ser.out" || fail "er: $(cat "$T/ser.out")"
ok "reply er on cotp_cr: the client got ER cause 2 quoting the CR; the target nothing"

fl_client nomatch "$i" rawhex:$CR shut recvall:3
fw_wait_exit "$pnm" 5
grep -q "server: hex=$CR end=eof" "$T/snm.out" ||
    fail "nomatch: $(cat "$T/snm.out")"
ok "a match on another called TSAP leaves the CR alone"

# PDUs that cannot fire pass in runs, several per read: the DR behind
# them in the same write is still caught at its boundary, and so is one
# whose header the writes cut in two.
DR=0300000b06800001000000
fl_client multi1 "$k" rawhex:$CR$DT$DT$DT$DR shut recvall:3
fl_client multi2 "$k" rawhex:$CR$DT$(echo $DR | cut -c1-6) \
    rawhex:$(echo $DR | cut -c7-)$DT shut recvall:3
fw_wait_exit "$pmul" 8
grep -q "server1: hex=$CR$DT$DT$DT end=eof" "$T/smul.out" &&
    grep -q "server2: hex=$CR$DT$DT end=eof" "$T/smul.out" ||
    fail "multi: $(cat "$T/smul.out")"
ok "drop on cotp_dr after DTs in one write, and with the DR cut between writes: the DR alone was taken"

# At run time, through fwrelayctl: the CC of the target is lost.
"$CTL" -s "$SOCK" fault add ctl on=cotp_cc action=drop \
    direction=downstream >"$T/add.out" 2>&1 || fail "fault add: $(cat "$T/add.out")"
"$CTL" -s "$SOCK" fault add ctl on=rpc_bind action=drop >"$T/bad.out" 2>&1 &&
    fail "an rpc trigger on an rfc1006 relay was accepted"
grep -q 'needs protocol' "$T/bad.out" || fail "bad add: $(cat "$T/bad.out")"
"$CTL" -s "$SOCK" fault add ctl on=cotp_cc action=bounce >"$T/bad2.out" 2>&1 &&
    fail "an unknown action was accepted"
grep -q "'action' must be one of" "$T/bad2.out" ||
    fail "bad action: $(cat "$T/bad2.out")"
fl_client ctl "$j" rawhex:$CR recvhex:3
fw_wait_exit "$pctl" 5
grep -q "client: hex=$DT end=eof" "$T/ctl.out" || fail "ctl: $(cat "$T/ctl.out")"
ok "fwrelayctl fault add ctl on=cotp_cc action=drop: the caller got the DT, not the CC; bad ones refused"

fl_api GET /metrics
printf '%s\n' "$BODY" >"$T/metrics.txt"
"$PY" "$FL" prom "$T/metrics.txt" >"$T/samples.txt" || fail "metrics format"
grep -qx "fwrelay_faults_fired_total,relay=ctl,type=trigger_drop 1.0" \
    "$T/samples.txt" && grep -qx \
    "fwrelay_faults_fired_total,relay=dr,type=trigger_reply 1.0" \
    "$T/samples.txt" || fail "metrics: $(grep faults_fired "$T/samples.txt")"
ok "/metrics counts the triggered faults by action"

ev_assert "one fault event per action, naming the trigger conn and offset" \
    "all(len(sel('fault', 'relay=' + r)) == 1 for r in
         ('drop', 'corrupt', 'dr', 'rst', 'close', 'bh', 'delay', 'er')) and
     one('fault', 'relay=drop')['type'] == 'trigger_drop' and
     one('fault', 'relay=drop')['on'] == 'cotp_cr' and
     one('fault', 'relay=drop')['offset'] == 0 and
     one('fault', 'relay=drop')['trigger_conn'] ==
         one('fault', 'relay=drop')['conn'] and
     one('fault', 'relay=corrupt')['byte'] == 5 and
     one('fault', 'relay=dr')['code'] == 2 and
     one('fault', 'relay=dr')['conn'] == max(e['conn'] for e in
         sel('accept', 'relay=dr')) and
     one('fault', 'relay=rst')['side'] == 'client' and
     one('fault', 'relay=delay')['delay_ms'] == 200 and
     not sel('fault', 'relay=nomatch') and
     one('fault', 'relay=ctl', 'on=cotp_cc', 'direction=downstream',
         'offset=0', 'bytes=11')"
fw_stop
