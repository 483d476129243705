#!/bin/sh
# string_bindings: the bindback of PROTOCOLS.md 3.2. The caller (127.8.6.4)
# binds through a "dcerpc" relay (listening on 127.8.6.1, its target-side
# source address 127.8.6.3) to the called side (127.8.6.2) and sends a
# request whose stub carries "ncacn_ip_tcp:somehost[PB]" in UTF-16LE, PB
# being a port the caller listens on. fwrelay logs rpc_string_binding and
# opens a bindback pinhole on 127.8.6.3:PB relaying to 127.8.6.4:PB, for
# 127.8.6.2 only: the called side dialling 127.8.6.3:PB binds to the
# caller's listener (bytes unchanged both ways); another host is denied.
# Without string_bindings the same request opens nothing: no event, and
# 127.8.6.3:PB2 refuses.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init strbind

R=127.8.6.1 B=127.8.6.2 N=127.8.6.3 CL=127.8.6.4 X=127.8.6.9
RESP="05 00 02 03 10 00 00 00 1c 00 00 00 02 00 00 00
 04 00 00 00 00 00 00 00 00 00 00 00"

# request_hex PORT: request (call 2, opnum 0) whose stub is the string
# binding in UTF-16LE with its NUL, padded to 4 bytes.
request_hex() {
	"$PY" -c '
import struct, sys
s = ("ncacn_ip_tcp:somehost[%s]\0" % sys.argv[1]).encode("utf-16-le")
s += b"\0" * (-len(s) % 4)
h = struct.pack("<BBBBIHHI", 5, 0, 0, 3, 0x10, 24 + len(s), 0, 2)
print((h + struct.pack("<IHH", len(s), 0, 0) + s).hex())' "$1"
}

PB=$(fw_port $CL) PB2=$(fw_port $CL)
REQ=$(request_hex $PB) REQ2=$(request_hex $PB2)

# The caller's bindback listener; the called side, one per relay (the
# requests differ).
rp_server listener "$CL:$PB" "expect:$BIND" "send:$BIND_ACK" eof
listener=$RP_PID
rp_server back "$B:0" "expect:$BIND" "send:$BIND_ACK" "expect:$REQ" \
    "send:$RESP" eof
back=$RP_PID pb=$RP_PORT
rp_server back2 "$B:0" "expect:$BIND" "send:$BIND_ACK" "expect:$REQ2" \
    "send:$RESP" eof
back2=$RP_PID pb2=$RP_PORT
pr=$(fw_port $R) pr2=$(fw_port $R)
fw_conf "$CONF" "" \
    "sb $R:$pr $B:$pb protocol = \"dcerpc\"; string_bindings = true; source_address = \"$N\";" \
    "nosb $R:$pr2 $B:$pb2 protocol = \"dcerpc\"; source_address = \"$N\";"
fw_start

rp_client caller --source $CL --connect $R:$pr "send:$BIND" \
    "expect:$BIND_ACK" "send:$REQ" "expect:$RESP" shut eof
rp_wait "$back" back
ok "bind and the request with the string binding passed unchanged"
ev_wait 5 pinhole_open 1 relay=sb kind=bindback || fail "no bindback pinhole"
ev_assert "rpc_string_binding somehost[$PB] utf16le; pinhole $N:$PB -> $CL:$PB" \
    "one('rpc_string_binding', 'relay=sb', 'client~^127\\.8\\.6\\.4:',
     'host=somehost', 'port=$PB', 'encoding~(?i)utf.?16') and
     one('pinhole_open', 'relay=sb', 'kind=bindback',
     'for=ncacn_ip_tcp:somehost[$PB]', 'listen=$N:$PB',
     'target=$CL:$PB', 'allow_from=$B', 'uses=once')"

# Another host may not use it.
rp_client foreign --source $X --connect $N:$PB end
ev_wait 5 close 1 "relay=sb:pinhole:$PB" || fail "close of the foreign"
ev_assert "a host other than the called side is denied" \
    "one('deny', 'relay=sb:pinhole:$PB', 'client~^127\\.8\\.6\\.9:') and
     not sel('pinhole_used')"

# The called side binds back through the pinhole to the caller's listener.
rp_client bindback --source $B --connect $N:$PB "send:$BIND" \
    "expect:$BIND_ACK" shut eof
rp_wait "$listener" listener
peer=$(sed -n 's/^conn=1 accepted peer=\([0-9.]*\):.*/\1/p' "$T/listener.out")
case $peer in
$R|$N)	;;
*)	fail "the caller's listener saw $peer, not a relay address" ;;
esac
ok "bindback: $B -> $N:$PB reached the caller's listener $CL:$PB" \
    "(from $peer), bind and bind_ack unchanged"
ev_wait 5 close 2 "relay=sb:pinhole:$PB" || fail "close of the bindback"
ev_assert "pinhole_used by $B, connect to $CL:$PB, bind seen on the way" \
    "one('pinhole_used', 'relay=sb:pinhole:$PB', 'pinhole_relay=sb',
     'kind=bindback', 'used=1', 'client~^127\\.8\\.6\\.2:') and
     one('connect', 'relay=sb:pinhole:$PB', 'target=$CL:$PB') and
     one('rpc_bind', 'relay=sb:pinhole:$PB', 'from=client') and
     one('close', 'relay=sb:pinhole:$PB', 'reason=done')"

# Without string_bindings: nothing opens.
rp_client caller2 --source $CL --connect $R:$pr2 "send:$BIND" \
    "expect:$BIND_ACK" "send:$REQ2" "expect:$RESP" shut eof
rp_wait "$back2" back2
ev_wait 5 close 1 relay=nosb || fail "close of the nosb conn"
rp_client nothing --refused yes --source $B --connect $N:$PB2
ev_assert "without string_bindings: no string binding event, no pinhole" \
    "not sel('rpc_string_binding', 'relay=nosb') and
     not sel('pinhole_open', 'relay=nosb') and
     one('close', 'relay=nosb', 'reason=done')"
ok "$N:$PB2 refuses"

insp_stop
