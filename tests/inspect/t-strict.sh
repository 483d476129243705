#!/bin/sh
# strict: a malformed TPKT (version 4, or length 3) after a good CR/CC
# closes that one connection: the client gets a reset, the backend never
# sees the bad bytes, the close event says reason "inspector" with a detail
# naming the rule and the stream offset (28, just past the CR). A second
# connection on the same relay, open all along, keeps flowing before and
# after, and the daemon stays up. Without strict the same bytes pass
# unchanged and an inspect_anomaly event (action pass) is all that happens.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init strict

A=127.8.3.1 B=127.8.3.2
V4="04 00 00 07 02 f0 80"	# TPKT version 4
L3="03 00 00 03 02 f0 80"	# TPKT length 3

rp_server sback "$B:0" --count 3 --timeout 10 "expect:$CR" "send:$CC" echo
sback=$RP_PID psb=$RP_PORT
rp_server lback "$B:0" --count 2 "expect:$CR" "send:$CC" \
    "sink:$T/lax-{conn}.hex"
lback=$RP_PID plb=$RP_PORT
ps=$(fw_port $A) pl=$(fw_port $A)
fw_conf "$CONF" "" \
    "strict $A:$ps $B:$psb protocol = \"rfc1006\"; strict = true;" \
    "lax $A:$pl $B:$plb protocol = \"rfc1006\";"
fw_start

# The long-lived one: data before, waits, data after.
rm -f "$T/go"
fw_bg keep "$PY" "$RAWPEER" client --connect $A:$ps --timeout 10 \
    "send:$CR" "expect:$CC" "send:$DT1 $DT2" "expect:$DT1 $DT2" \
    "touch:$T/keep.ready" "wait-file:$T/go" \
    "send:$DT1 $DT2" "expect:$DT1 $DT2" shut eof
keep=$BG_PID
fw_wait_file "$T/keep.ready" 5 || fail "the long-lived connection"
ck=$(out_field "$T/keep.out" local)

rp_client v4 --connect $A:$ps "send:$CR" "expect:$CC" "send:$V4" reset
c4=$(out_field "$T/v4.out" local)
rp_client l3 --connect $A:$ps "send:$CR" "expect:$CC" "send:$L3" reset
c3=$(out_field "$T/l3.out" local)
ok "strict: version 4 ($c4) and length 3 ($c3) answered with a reset"
ev_wait 5 close 2 relay=strict || fail "close events of the bad ones"
ev_spec "version 4: close by the inspector, detail names rule and offset" \
    "one('close', 'client=$c4', 'closed_by=relay', 'reason=inspector',
     'detail~^tpkt_version at offset 28 from client: tpkt version 4, not 3')
     and one('inspect_anomaly', 'client=$c4', 'protocol=rfc1006',
     'from=client', 'rule=tpkt_version', 'offset=28', 'severity=fatal',
     'action=close')"
ev_spec "length 3: close by the inspector, detail names rule and offset" \
    "one('close', 'client=$c3', 'closed_by=relay', 'reason=inspector',
     'detail~^tpkt_length at offset 28 from client: tpkt length 3 ') and
     one('inspect_anomaly', 'client=$c3', 'rule=tpkt_length', 'offset=28',
     'action=close')"
ev_spec "the long-lived connection is still open" \
    "not sel('close', 'client=$ck')"
ev_run

touch "$T/go"
fw_expect_exit "$keep" 10 "the long-lived connection after the closes"
rp_wait "$sback" sback
grep -c 'echoed bytes=0 end=reset' "$T/sback.out" | grep -qx 2 ||
    fail "the backend saw bad bytes: $(cat "$T/sback.out")"
grep -q 'echoed bytes=38 end=eof' "$T/sback.out" ||
    fail "the long-lived conn did not echo 38 bytes: $(cat "$T/sback.out")"
ok "backend: the two bad conns got 0 bytes past the CR, then a reset;" \
    "the long-lived one flowed before and after"
ev_wait 5 close 1 "client=$ck" || fail "close of the long-lived conn"
ev_assert "the long-lived conn closed clean, no anomaly" \
    "one('close', 'client=$ck', 'reason=done', 'bytes_from_client=66',
     'bytes_from_target=66') and not sel('inspect_anomaly', 'client=$ck')"

# Not strict: the bytes pass, an anomaly event, a clean close.
rp_client laxv4 --connect $A:$pl "send:$CR" "expect:$CC" "send:$V4 $DT1" \
    shut eof
cv=$(out_field "$T/laxv4.out" local)
rp_client laxl3 --connect $A:$pl "send:$CR" "expect:$CC" "send:$L3" shut eof
cl=$(out_field "$T/laxl3.out" local)
rp_wait "$lback" lback
[ "$(cat "$T/lax-1.hex")" = "$(hx "$V4 $DT1")" ] ||
    fail "lax: backend got $(cat "$T/lax-1.hex") after the CR"
[ "$(cat "$T/lax-2.hex")" = "$(hx "$L3")" ] ||
    fail "lax: backend got $(cat "$T/lax-2.hex") after the CR"
ok "lax: the malformed TPKTs (and what follows) reached the backend unchanged"
ev_wait 5 close 2 relay=lax || fail "close events of lax"
ev_assert "lax: anomalies with action pass, clean closes" \
    "one('inspect_anomaly', 'client=$cv', 'rule=tpkt_version', 'offset=28',
     'severity=fatal', 'action=pass') and
     one('inspect_anomaly', 'client=$cl', 'rule=tpkt_length', 'offset=28',
     'action=pass') and
     one('close', 'client=$cv', 'reason=done', 'bytes_from_client=45') and
     one('close', 'client=$cl', 'reason=done', 'bytes_from_client=35')"

fw_alive "$FW_PID" || fail "fwrelay is gone"
ok "fwrelay still running"
fw_stop
