#!/bin/sh
# tsap_allow: a CR whose called TSAP is not listed is refused the way a
# responder refuses it, with a COTP DR reason 03 (address unknown) echoing
# the caller's SRC-REF, then a plain EOF (FIN, not a reset). The backend,
# though connected to, never sees a byte of the CR (nor the DT sent in the
# same segment). The CR is held until whole, so a CR trickled byte by byte
# is refused too. A CR for the listed TSAP MTA-B passes unchanged, in one
# piece and trickled.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init tsap

A=127.8.2.1 B=127.8.2.2
CRC=$(echo "$CR" | sed 's/42$/43/')	# called TSAP MTA-C
# The DR fwrelay answers: DST-REF = the CR's SRC-REF 0001, its own
# SRC-REF 0000, reason 03.
DRX="03 00 00 0b 06 80 00 01 00 00 03"

rp_server refused "$B:0" --count 3 "sink:$T/refused-{conn}.hex"
refused=$RP_PID prf=$RP_PORT
rp_server allowed "$B:0" --count 2 "expect:$CR" "send:$CC" "expect:$DT1 $DT2" eof
allowed=$RP_PID pal=$RP_PORT
pa=$(fw_port $A) pb=$(fw_port $A)
allow='tsap_allow = [ "MTA-B" ];'
fw_conf "$CONF" "" \
    "tsapno $A:$pa $B:$prf protocol = \"rfc1006\"; $allow" \
    "tsapok $A:$pb $B:$pal protocol = \"rfc1006\"; $allow"
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

rp_wait "$refused" refused
for k in 1 2 3; do
	[ "$(cat "$T/refused-$k.hex")" = "" ] ||
	    fail "backend got bytes on refused conn $k: $(cat "$T/refused-$k.hex")"
done
grep -c 'sink bytes=0 end=eof' "$T/refused.out" | grep -qx 3 ||
    fail "backend did not see 3 empty connections: $(cat "$T/refused.out")"
ok "the backend saw 3 connections, 0 bytes each, ended by EOF"

ev_wait 5 close 3 relay=tsapno || fail "close events of the refused"
for c in $c1 $c2 $c3; do
	ev_spec "refused $c: cotp_cr, deny tsap_allow cotp_dr, tsap_refused" \
	    "one('cotp_cr', 'client=$c', 'called_tsap_text=MTA-C',
	     'src_ref=1') and
	     one('deny', 'client=$c', 'rule=tsap_allow', 'style=cotp_dr',
	     'called_tsap_text=MTA-C') and
	     one('close', 'client=$c', 'closed_by=relay', 'reason=tsap_refused',
	     'bytes_from_target=0') and not sel('cotp_cc', 'client=$c')"
done
ev_run

# Listed: passes, bytes unchanged both ways.
rp_client listed --connect $A:$pb \
    "send:$CR" "expect:$CC" "send:$DT1 $DT2" shut eof
rp_client listed2 --connect $A:$pb \
    "trickle:$CR" "expect:$CC" "trickle:$DT1 $DT2" shut eof
rp_wait "$allowed" allowed
ev_wait 5 close 2 relay=tsapok || fail "close of the listed conns"
for c in $(out_field "$T/listed.out" local) \
    $(out_field "$T/listed2.out" local); do
	ev_spec "listed MTA-B ($c): CR and CC logged, no deny, clean close" \
	    "one('cotp_cr', 'client=$c', 'called_tsap_text=MTA-B') and
	     one('cotp_cc', 'client=$c') and not sel('deny', 'client=$c') and
	     one('close', 'client=$c', 'reason=done', 'bytes_from_client=47',
	     'bytes_from_target=28')"
done
ev_run

fw_stop
