#!/bin/sh
# Captures of an epm relay with pinholes and rewrite_towers (as
# t-tshark-epm), one file per relay (capture_mode = "relay"), set against
# the wire: impacket's ept_lookup, ept_map and a call through the pinhole
# while dumpcap captures lo. Then:
# - the epm relay wrote one file and the pinhole's relay one of its own,
#   each with a comment per connection naming its accept event;
# - tshark decodes them (tscheck.py epm): on the target leg the towers
#   carry the ports the server sent (the epm_map events), on the client
#   leg the relay's address with the pinholes' ports, as rewritten;
# - every bind and bind_ack call id of the event log is on both legs;
# - every TCP direction carried exactly the bytes lo saw, so the rewritten
#   towers are in the capture as the client received them.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init capture-epm
insp_need_tshark
insp_need_impacket
command -v mergecap >/dev/null 2>&1 || skip "mergecap is missing" \
    "(apt-get install wireshark-common)"

A=127.8.42.1 S=127.8.42.2 N=127.8.42.3
CAP=$T/fwcap
mkdir "$CAP"
P=$(fw_port $S)
fw_bg epmsrv "$PY" "$INSP_DIR/epmserver.py" --listen $S:$P \
    --ready "$T/epmsrv.ready" --seconds 60
fw_wait_file "$T/epmsrv.ready" 10 ||
    fail "impacket server not ready: $(cat "$T/epmsrv.err")"
read ep SV <"$T/epmsrv.ready"
fw_conf "$CONF" "" "epm $A:$P $S:$P protocol = \"epm\"; pinholes = true;
    rewrite_towers = true; source_address = \"$N\";
    capture = \"$CAP\"; capture_mode = \"relay\";"
fw_start

ts_start lo "net 127.8.42.0/24" 127.8.42.99
"$PY" "$INSP_DIR/epmclient.py" --epm $A:$P >"$T/client.out" \
    2>"$T/client.err" || fail "impacket client: $(cat "$T/client.err")"
cat "$T/client.out"
grep -qx "call ncacn_ip_tcp:$A\[$SV\] -> 42 HELLO" "$T/client.out" ||
    fail "the call through the pinhole"
ev_wait 5 close 2 || fail "close events"
ts_stop lo 127.8.42.99
ok "lookup, map and the call through the pinhole relayed and captured"

insp_stop
set -- "$CAP"/*.pcapng
[ $# -eq 2 ] || fail "$# capture files, not 2: $(ls "$CAP")"
ev_assert "one file for the epm relay, one for its pinhole, both closed" \
    "len(sel('capture', 'action=open', 'mode=relay')) == 2 and
     one('capture', 'action=open', 'relay=epm') and
     len(sel('capture', 'action=close')) == 2 and
     all('conn' not in e for e in sel('capture'))"
"$PY" "$INSP_DIR/capcheck.py" files "$EVLOG" "$@" >"$T/files.out" 2>&1
st=$?
cat "$T/files.out"
[ $st -eq 0 ] || fail "the capture files"
ok "capinfos takes both files; each connection's comment names its accept"

mergecap -F pcapng -w "$T/fw.pcapng" "$@" || fail "mergecap"
"$PY" "$INSP_DIR/tscheck.py" epm "$T/fw.pcapng" "$EVLOG" \
    >"$T/tscheck.out" 2>&1
st=$?
cat "$T/tscheck.out"
[ $st -eq 0 ] || fail "tshark on fwrelay's capture and the event log disagree"
n=$(grep -c '^ok ept_' "$T/tscheck.out")
[ "$n" -eq 4 ] || fail "$n EPM responses matched, not 4"
grep -q "^ok ept_lookup conn 1 client leg .*: $A\[[0-9]*\] $A\[[0-9]*\]\$" \
    "$T/tscheck.out" || fail "tshark did not read $A twice in the lookup"
ok "towers: the server's ports on the target leg, rewritten on the client's"

"$PY" "$INSP_DIR/capcheck.py" calls "$T/fw.pcapng" "$EVLOG" \
    >"$T/calls.out" 2>&1
st=$?
cat "$T/calls.out"
[ $st -eq 0 ] || fail "call ids"
nb=$(ev_count rpc_bind)
nba=$(ev_count rpc_bind_ack)
grep -qx "ok $(( (nb + nba) * 2 )) bind/bind_ack call ids found on their legs" \
    "$T/calls.out" || fail "not every bind call id on both legs"
ok "$nb binds and $nba bind_acks with their call ids on both legs"

"$PY" "$INSP_DIR/capcheck.py" streams "$T/lo.pcapng" "$T/fw.pcapng" $A,$N \
    >"$T/streams.out" 2>&1
st=$?
cat "$T/streams.out"
[ $st -eq 0 ] || fail "fwrelay's capture and the wire differ"
n=$(grep -c '^ok ' "$T/streams.out")
# 2 connections (epm, pinhole), 2 legs, 2 directions.
[ "$n" -eq 8 ] || fail "$n directions match, not 8"
ok "8 directions carried the same bytes as on lo, rewritten towers included"
