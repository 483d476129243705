#!/bin/sh
# PDU faults on an rfc1006 relay (TPKT framing found in the stream):
# cr_refuse answers the caller's CR with a DR of the configured reason
# (the target hears nothing, the client then gets the FIN); er_reply
# answers the CR with an ER quoting its header; pdu_drop drops the DTs
# and passes the CR; pdu_delay holds a DT 300 ms behind a CR that passes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init fault-cotp
fl_init

# PROTOCOLS.md 1.8: CR from MTA-A to MTA-B, SRC-REF 0001; two DTs.
CR=0300001c17e00000000100c0010bc1054d54412d41c2054d54412d42
DT=0300000a02f000010203
DT2=0300000902f0800405

fl_server rback recvall:3
rback=$SRV_PORT rpid=$SRV_PID
fl_server eback recvall:3
eback=$SRV_PORT epid=$SRV_PID
fl_server dback recvall:3
dback=$SRV_PORT dpid=$SRV_PID
fl_server lback recvlog:3
lback=$SRV_PORT lpid=$SRV_PID
pr=$(fw_port) pe=$(fw_port) pd=$(fw_port) pl=$(fw_port)
fw_conf "$CONF" "" \
    "refuse 127.0.0.1:$pr 127.0.0.1:$rback protocol = \"rfc1006\"; faults = ( { type = \"cr_refuse\"; reason = \"address unknown\"; } );" \
    "er 127.0.0.1:$pe 127.0.0.1:$eback protocol = \"rfc1006\"; faults = ( { type = \"er_reply\"; cause = 2; direction = \"upstream\"; } );" \
    "drop 127.0.0.1:$pd 127.0.0.1:$dback protocol = \"rfc1006\"; faults = ( { type = \"pdu_drop\"; tpdu = \"DT\"; direction = \"upstream\"; } );" \
    "delay 127.0.0.1:$pl 127.0.0.1:$lback protocol = \"rfc1006\"; faults = ( { type = \"pdu_delay\"; delay_ms = 300; direction = \"upstream\"; } );"
fw_start

# DR: DST-REF = the CR's SRC-REF 0001, SRC-REF 0000, reason 03.
fl_client refuse "$pr" rawhex:$CR expect:0300000b06800001000003 recvall:3
grep -q "client: received=0 .*end=eof" "$T/refuse.out" ||
    fail "no FIN after the DR: $(cat "$T/refuse.out")"
fw_wait_exit "$rpid" 5
grep -q "server: received=0 .*end=eof" "$T/rback.out" ||
    fail "the target got bytes: $(cat "$T/rback.out")"
ok "CR refused with DR reason 3 (address unknown), then FIN; target got nothing"

# ER: LI 1e, code 70, DST-REF 0001, cause 02, C1 with the CR's 24-byte header.
ER=$(echo "03000023 1e 70 0001 02 c1 18" | tr -d ' ')$(echo $CR | cut -c9-56)
fl_client er "$pe" rawhex:$CR expect:$ER shut recvall:3
fw_wait_exit "$epid" 5
grep -q "server: received=0 .*end=eof" "$T/eback.out" ||
    fail "the target got bytes: $(cat "$T/eback.out")"
ok "CR answered with ER cause 2 quoting its header; target got nothing"

fl_client drop "$pd" rawhex:$CR$DT$DT2 shut recvall:3
fw_wait_exit "$dpid" 5
grep -q "server: received=28 .*end=eof" "$T/dback.out" ||
    fail "pdu_drop: $(cat "$T/dback.out")"
ok "pdu_drop: the CR (28 bytes) passed, both DTs were dropped"

fl_client delay "$pl" rawhex:$CR rawhex:$DT shut recvall:3
fw_wait_exit "$lpid" 5
"$PY" - "$T/lback.out" <<'PYEOF' || fail "pdu_delay: $(cat "$T/lback.out")"
import re, sys
t = open(sys.argv[1]).read()
ch = [(float(a), int(b)) for a, b in re.findall(r'chunk t_ms=([\d.]+) len=(\d+)', t)]
print('target got: %s' % ', '.join('%d bytes at %.0f ms' % (n, x) for x, n in ch))
sys.exit(0 if [n for _, n in ch] == [28, 10] and 260 <= ch[1][0] <= 400 else 1)
PYEOF
ok "pdu_delay: CR at once, the DT 300 ms (+-40) later"

ev_assert "fault events for each PDU fault" \
    "one('fault', 'relay=refuse', 'type=cr_refuse', 'reason=3') and
     one('fault', 'relay=er', 'type=er_reply', 'cause=2') and
     len(sel('fault', 'relay=drop', 'type=pdu_drop')) == 2 and
     one('fault', 'relay=delay', 'type=pdu_delay') and
     one('close', 'relay=refuse')['reason'] == 'cr_refused'"
fw_stop
