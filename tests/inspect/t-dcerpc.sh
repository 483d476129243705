#!/bin/sh
# dcerpc: the bind / bind_ack of PROTOCOLS.md 2.6 (a) and (b), a request
# and the fault (e) for it, through a strict "dcerpc" relay between
# byte-exact peers, in one piece and byte by byte; and a bind refused with
# bind_nak. Both ends get the other's bytes unchanged; rpc_bind names the
# EPM interface (uuid, version 3.0, name epm), rpc_bind_ack carries the
# secondary address "135" and the acceptance, rpc_fault the status and
# its name nca_s_unk_if, rpc_call (debug) the opnum and interface.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init dcerpc
FW_LOG_LEVEL=debug

A=127.8.4.1 B=127.8.4.2
# Request, call 3, context 0, opnum 0, 8 stub bytes.
REQ="05 00 00 03 10 00 00 00 20 00 00 00 03 00 00 00
 08 00 00 00 00 00 00 00 de ad be ef 00 00 00 00"
# bind_nak, call 1: reason 4 (protocol version not supported), 1 version 5.0
NAK="05 00 0d 03 10 00 00 00 15 00 00 00 01 00 00 00 04 00 01 05 00"

rp_server back "$B:0" --count 2 "expect:$BIND" "send:$BIND_ACK" \
    "expect:$REQ" "send:$FAULT" eof
back=$RP_PID pb=$RP_PORT
rp_server naksrv "$B:0" "expect:$BIND" "send:$NAK" close
nak=$RP_PID pn=$RP_PORT
pa=$(fw_port $A) pk=$(fw_port $A)
fw_conf "$CONF" "" \
    "rpc $A:$pa $B:$pb protocol = \"dcerpc\"; strict = true;" \
    "rpcnak $A:$pk $B:$pn protocol = \"dcerpc\"; strict = true;"
fw_start

rp_client piece --connect $A:$pa "send:$BIND" "expect:$BIND_ACK" \
    "send:$REQ" "expect:$FAULT" shut eof
rp_client trickle --connect $A:$pa "trickle:$BIND" "expect:$BIND_ACK" \
    "trickle:$REQ" "expect:$FAULT" shut eof
rp_wait "$back" back
ok "bind, bind_ack, request, fault: unchanged at both ends (twice)"
ev_wait 5 close 2 relay=rpc || fail "close events"

EPM=e1af8308-5d1f-11c9-91a4-08002b14a0fa
for c in $(out_field "$T/piece.out" local) \
    $(out_field "$T/trickle.out" local); do
	ev_spec "$c: rpc_bind of the EPM interface v3.0, call 1, 4280/4280" \
	    "one('rpc_bind', 'client=$c', 'from=client', 'type=bind',
	     'call_id=1', 'max_xmit=4280', 'max_recv=4280')['contexts'] ==
	     [{'ctx': 0, 'uuid': '$EPM', 'version': '3.0', 'name': 'epm'}]"
	ev_spec "$c: rpc_bind_ack, secondary address 135, accepted" \
	    "one('rpc_bind_ack', 'client=$c', 'from=target', 'type=bind_ack',
	     'call_id=1', 'assoc_group=61523',
	     'secondary_address=135')['results'] == [{'result': 'acceptance'}]"
	ev_spec "$c: rpc_call opnum 0 on epm (debug), then rpc_fault" \
	    "one('rpc_call', 'client=$c', 'call_id=3', 'opnum=0',
	     'interface_name=epm', 'stub_length=8', 'fragments=1') and
	     one('rpc_fault', 'client=$c', 'call_id=3', 'status=469827587',
	     'status_name=nca_s_unk_if')"
	ev_spec "$c: no anomaly, clean close, 104 bytes in and 92 out" \
	    "not sel('inspect_anomaly', 'client=$c') and
	     one('close', 'client=$c', 'reason=done', 'bytes_from_client=104',
	     'bytes_from_target=92')"
done
ev_run

rp_client nak --connect $A:$pk "send:$BIND" "expect:$NAK" eof
c=$(out_field "$T/nak.out" local)
rp_wait "$nak" naksrv
ev_wait 5 close 1 relay=rpcnak || fail "close of the bind_nak conn"
ev_assert "bind_nak: reason 4, protocol version not supported" \
    "one('rpc_bind_nak', 'client=$c', 'call_id=1', 'reason=4',
     'reason_name=protocol version not supported') and
     not sel('rpc_bind_ack', 'client=$c') and
     not sel('inspect_anomaly', 'relay=rpcnak')"

fw_stop
