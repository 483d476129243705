#!/bin/sh
# rfc1006: the worked examples of PROTOCOLS.md 1.8 through a strict
# "rfc1006" relay, between byte-exact peers. CR/CC/DT byte by byte and in
# one piece; a CR refused by the backend with DR and one answered with ER.
# The backend gets the caller's bytes unchanged and the client the
# backend's; the events carry the TSAPs MTA-A/MTA-B, the references and
# TPDU size 2048, the DTs (debug) their offsets and EOT. A non-zero TPKT
# reserved byte (old Exchange, KB Q157015) passes even with strict: an
# inspect_anomaly event (severity warning, action pass), not a close.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init rfc1006
FW_LOG_LEVEL=debug

A=127.8.1.1 B=127.8.1.2
CR1=$(echo "$CR" | sed 's/^03 00/03 01/')	# reserved byte 01

# One backend per conversation, in the order the clients come.
rp_server back "$B:0" --count 2 \
    "expect:$CR" "send:$CC" "expect:$DT1 $DT2" eof
back1=$RP_PID port1=$RP_PORT
rp_server backdr "$B:0" "expect:$CR" "send:$DR" close
backdr=$RP_PID portdr=$RP_PORT
rp_server backer "$B:0" "expect:$CR" "send:$ER" close
backer=$RP_PID porter=$RP_PORT
rp_server backrsv "$B:0" "expect:$CR1" "send:$CC" "expect:$DT1 $DT2" eof
backrsv=$RP_PID portrsv=$RP_PORT

pa=$(fw_port $A) pdr=$(fw_port $A) per=$(fw_port $A) prsv=$(fw_port $A)
fw_conf "$CONF" "" \
    "cotp $A:$pa $B:$port1 protocol = \"rfc1006\"; strict = true;" \
    "cotpdr $A:$pdr $B:$portdr protocol = \"rfc1006\"; strict = true;" \
    "cotper $A:$per $B:$porter protocol = \"rfc1006\"; strict = true;" \
    "cotprsv $A:$prsv $B:$portrsv protocol = \"rfc1006\"; strict = true;"
fw_start

# Byte by byte: every TPKT split into 1-byte segments.
rp_client trickle --connect $A:$pa \
    "trickle:$CR" "expect:$CC" "trickle:$DT1 $DT2" shut eof
ctr=$(out_field "$T/trickle.out" local)
# In one piece: the CR in one send, both DTs in one TCP segment.
rp_client piece --connect $A:$pa \
    "send:$CR" "expect:$CC" "send:$DT1 $DT2" shut eof
cpc=$(out_field "$T/piece.out" local)
ok "CR/CC/DT byte by byte ($ctr) and in one piece ($cpc): both ends got" \
    "the other's bytes unchanged"
ev_wait 5 close 2 relay=cotp || fail "close events of cotp"

for c in $ctr $cpc; do
	cat <<EOF
== CR from $c: refs 0/1, class 0, 2048, MTA-A -> MTA-B
one('cotp_cr', 'client=$c', 'from=client', 'offset=0', 'dst_ref=0',
    'src_ref=1', 'class=0', 'tpdu_size=2048', 'calling_tsap=4d54412d41',
    'calling_tsap_text=MTA-A', 'called_tsap=4d54412d42',
    'called_tsap_text=MTA-B') and
'tpkt_reserved' not in one('cotp_cr', 'client=$c')
== CC to $c: dst_ref 1 (the CR's src_ref), src_ref 2, TSAPs
one('cotp_cc', 'client=$c', 'from=target', 'offset=0', 'dst_ref=1',
    'src_ref=2', 'class=0', 'tpdu_size=2048', 'calling_tsap_text=MTA-A',
    'called_tsap_text=MTA-B')
== DTs from $c: offsets 28 and 38, 3 and 2 bytes, EOT 0 then 1
[(e['offset'], e['length'], e['eot']) for e in
 sel('cotp_tpdu', 'client=$c', 'type=DT', 'from=client')] ==
[(28, 3, 0), (38, 2, 1)]
== conn $c: closed done, 47 bytes in and 28 out, no anomaly
one('close', 'client=$c', 'reason=done', 'bytes_from_client=47',
    'bytes_from_target=28') and not sel('inspect_anomaly', 'client=$c')
EOF
done >"$T/checks"
ev_checks <"$T/checks"
rp_wait "$back1" back

# Refused by the called side: DR reason 03, then the backend closes.
rp_client dr --connect $A:$pdr "send:$CR" "expect:$DR" eof
c=$(out_field "$T/dr.out" local)
ev_wait 5 close 1 relay=cotpdr || fail "close of the DR conversation"
ev_checks <<EOF
== DR from the target: refs 1/2, reason 3 address unknown
one('cotp_dr', 'client=$c', 'from=target', 'offset=0', 'dst_ref=1',
    'src_ref=2', 'reason=3', 'reason_name~(?i)address unknown') and
one('close', 'client=$c', 'closed_by=target') and
not sel('inspect_anomaly', 'relay=cotpdr')
EOF
rp_wait "$backdr" backdr

# Answered with ER (cause 02, the rejected header "02 50" in C1).
rp_client er --connect $A:$per "send:$CR" "expect:$ER" eof
c=$(out_field "$T/er.out" local)
ev_wait 5 close 1 relay=cotper || fail "close of the ER conversation"
ev_checks <<EOF
== ER from the target: dst_ref 1, cause 2 invalid TPDU type
one('cotp_er', 'client=$c', 'from=target', 'offset=0', 'dst_ref=1',
    'cause=2', 'cause_name~(?i)invalid tpdu type') and
'src_ref' not in one('cotp_er') and not sel('inspect_anomaly', 'relay=cotper')
EOF
rp_wait "$backer" backer

# Reserved byte 01 in the CR: passes unchanged (strict), logged.
rp_client rsv --connect $A:$prsv \
    "send:$CR1" "expect:$CC" "send:$DT1 $DT2" shut eof
c=$(out_field "$T/rsv.out" local)
ev_wait 5 close 1 relay=cotprsv || fail "close of the reserved-byte conn"
ev_checks <<EOF
== reserved byte: anomaly tpkt_reserved at 0, warning, pass
one('inspect_anomaly', 'client=$c', 'protocol=rfc1006', 'from=client',
    'rule=tpkt_reserved', 'offset=0', 'severity=warning', 'action=pass')
== reserved byte: the CR logged with tpkt_reserved 1, TSAPs
one('cotp_cr', 'client=$c', 'tpkt_reserved=1', 'called_tsap_text=MTA-B') and
one('cotp_cc', 'client=$c')
== reserved byte: no close by the inspector, a clean close
one('close', 'client=$c', 'reason=done', 'bytes_from_client=47') and
not sel('close', 'reason=inspector')
EOF
rp_wait "$backrsv" backrsv

fw_stop
