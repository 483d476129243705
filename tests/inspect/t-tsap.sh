#!/bin/sh
# tsap_allow: a CR whose called TSAP is not listed is refused the way a
# responder refuses it, with a COTP DR reason 03 (address unknown) echoing
# the caller's SRC-REF, then a plain EOF (FIN, not a reset). The backend is
# not even connected to: the relay reaches it only once the CR is whole and
# allowed, so the first connection it accepts is the first allowed CR. The
# CR is held until whole, so a CR trickled byte by byte is refused too. A CR for the listed TSAP MTA-B passes unchanged, in one
# piece and trickled.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init tsap

A=127.8.2.1 B=127.8.2.2
CRC=$(echo "$CR" | sed 's/42$/43/')	# called TSAP MTA-C
# The DR fwrelay answers: DST-REF = the CR's SRC-REF 0001, its own
# SRC-REF 0000, reason 03.
DRX="03 00 00 0b 06 80 00 01 00 00 03"

rp_server refused "$B:0" --count 1 "sink:$T/refused-{conn}.hex"
refused=$RP_PID prf=$RP_PORT
rp_server allowed "$B:0" --count 3 "expect:$CR" "send:$CC" "expect:$DT1 $DT2" eof
allowed=$RP_PID pal=$RP_PORT
pa=$(fw_port $A) pb=$(fw_port $A) pc=$(fw_port $A) closed=$(fw_port $B)
allow='tsap_allow = [ "MTA-B" ];'
fw_conf "$CONF" "" \
    "tsapno $A:$pa $B:$prf protocol = \"rfc1006\"; $allow" \
    "tsapok $A:$pb $B:$pal protocol = \"rfc1006\"; $allow" \
    "tsapcl $A:$pc $B:$closed protocol = \"rfc1006\"; $allow timeouts = { connect = 0.5; };"
fw_start

# Unlisted, in one piece: the DR parsed field by field, then EOF.
rp_client piece --connect $A:$pa "send:$CRC" tpkt eof
grep -q "^tpkt version=3 reserved=0 length=11 li=6 code=0x80 dst_ref=1 src_ref=0 reason=3 hex=$(hx "$DRX")\$" \
    "$T/piece.out" || fail "not the DR expected: $(cat "$T/piece.out")"
grep -qx eof "$T/piece.out" || fail "no plain EOF after the DR"
ok "unlisted MTA-C: DR dst_ref 1 src_ref 0 reason 3, then EOF (no reset)"
c1=$(out_field "$T/piece.out" local)

# Unlisted, trickled byte by byte; and a CR with a DT in the same segment.
rp_client trickle --connect $A:$pa "trickle:$CRC" "expect:$DRX" eof
c2=$(out_field "$T/trickle.out" local)
rp_client withdata --connect $A:$pa "send:$CRC $DT1 $DT2" "expect:$DRX" eof
c3=$(out_field "$T/withdata.out" local)
ok "trickled CR and CR+DT: the same DR, then EOF"

# Then a listed CR through the same relay: the backend's first connection.
rp_client after --connect $A:$pa "send:$CR" shut eof
rp_wait "$refused" refused
[ "$(cat "$T/refused-1.hex")" = "$(hx "$CR")" ] ||
    fail "the backend's first connection is not the allowed CR: $(cat "$T/refused-1.hex")"
[ -e "$T/refused-2.hex" ] && fail "the backend accepted a second connection"
grep -c ' sink bytes=' "$T/refused.out" | grep -qx 1 ||
    fail "backend saw more than the allowed connection: $(cat "$T/refused.out")"
ok "the backend accepted no connection for the 3 refused CRs; its first was the allowed one"

ev_wait 5 close 3 relay=tsapno || fail "close events of the refused"
for c in $c1 $c2 $c3; do
	ev_spec "refused $c: cotp_cr, deny tsap_allow cotp_dr, tsap_refused" \
	    "one('cotp_cr', 'client=$c', 'called_tsap_text=MTA-C',
	     'src_ref=1') and
	     one('deny', 'client=$c', 'rule=tsap_allow', 'style=cotp_dr',
	     'called_tsap_text=MTA-C') and
	     one('close', 'client=$c', 'closed_by=relay', 'reason=tsap_refused',
	     'bytes_from_target=0') and not sel('cotp_cc', 'client=$c') and
	     'detail' not in one('close', 'client=$c')"
done
ev_run

# Listed: passes, bytes unchanged both ways.
rp_client listed --connect $A:$pb \
    "send:$CR" "expect:$CC" "send:$DT1 $DT2" shut eof
rp_client listed2 --connect $A:$pb \
    "trickle:$CR" "expect:$CC" "trickle:$DT1 $DT2" shut eof
rp_client listed3 --connect $A:$pb "send:$CR $DT1 $DT2" "expect:$CC" shut eof
rp_wait "$allowed" allowed
ok "listed CR in one piece, trickled, and with its DTs in the same segment: delivered unchanged"
ev_wait 5 close 3 relay=tsapok || fail "close of the listed conns"
for c in $(out_field "$T/listed.out" local) \
    $(out_field "$T/listed2.out" local) $(out_field "$T/listed3.out" local); do
	ev_spec "listed MTA-B ($c): CR and CC logged, no deny, clean close" \
	    "one('cotp_cr', 'client=$c', 'called_tsap_text=MTA-B') and
	     one('cotp_cc', 'client=$c') and not sel('deny', 'client=$c') and
	     one('close', 'client=$c', 'reason=done', 'bytes_from_client=47',
	     'bytes_from_target=28')"
done
ev_run

# Towards a closed port, which shows when the relay connects: not before
# the CR is whole (half a CR, then silence or a FIN), only for an allowed
# one (ECONNREFUSED, the client reset).
HALF=$(hx "$CR" | cut -c1-20)
rp_client half --connect $A:$pc "send:$HALF" reset
rp_client halfeof --connect $A:$pc "send:$HALF" shut eof
rp_client full --connect $A:$pc "send:$CR" reset
ch=$(out_field "$T/half.out" local) ce=$(out_field "$T/halfeof.out" local)
cf=$(out_field "$T/full.out" local)
ok "half a CR: reset after connect_timeout; half a CR and a FIN: EOF; an allowed CR: reset"
ev_wait 5 close 3 relay=tsapcl || fail "close events of tsapcl"
ev_spec "half a CR: await_timeout, the target never tried" \
    "one('close', 'client=$ch', 'closed_by=relay', 'reason=await_timeout')
     and not sel('connect_failed', 'client=$ch')"
ev_spec "half a CR and a FIN: closed by the client, the target never tried" \
    "one('close', 'client=$ce', 'closed_by=client', 'reason=done')
     and not sel('connect_failed', 'client=$ce')"
ev_spec "an allowed CR: only then the connect, refused" \
    "one('connect_failed', 'client=$cf', 'error=ECONNREFUSED') and
     one('close', 'client=$cf', 'reason=connect_failed')"
ev_run

fw_stop
