#!/bin/sh
# tshark and epm: impacket's ept_lookup, ept_map and a service call across
# an "epm" relay with pinholes and rewrite_towers (as t-epm.sh), captured
# on lo. tshark, decoding EPM on its own, reads in the responses on the
# target leg (server 127.8.8.2 -> relay 127.8.8.3) exactly the addresses
# and ports of fwrelay's epm_map events, and on the client leg (relay
# 127.8.8.1 -> client) the relay's address with the pinholes' ports of the
# pinhole_open events; the rewritten replies decode cleanly (no malformed
# frame, no expert error), and the call through the pinhole too.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init tshark-epm
insp_need_tshark
insp_need_impacket

A=127.8.8.1 S=127.8.8.2 N=127.8.8.3
P=$(fw_port $S)
fw_bg epmsrv "$PY" "$INSP_DIR/epmserver.py" --listen $S:$P \
    --ready "$T/epmsrv.ready" --seconds 60
fw_wait_file "$T/epmsrv.ready" 10 ||
    fail "impacket server not ready: $(cat "$T/epmsrv.err")"
read ep SV <"$T/epmsrv.ready"
fw_conf "$CONF" "" "epm $A:$P $S:$P protocol = \"epm\"; pinholes = true;
    rewrite_towers = true; source_address = \"$N\";"
fw_start

ts_start cap "net 127.8.8.0/24" 127.8.8.99
"$PY" "$INSP_DIR/epmclient.py" --epm $A:$P >"$T/client.out" \
    2>"$T/client.err" || fail "impacket client: $(cat "$T/client.err")"
cat "$T/client.out"
grep -qx "call ncacn_ip_tcp:$A\[$SV\] -> 42 HELLO" "$T/client.out" ||
    fail "the call through the pinhole"
ev_wait 5 close 2 || fail "close events"
ts_stop cap 127.8.8.99
ok "lookup, map and the call through the pinhole captured"

"$PY" "$INSP_DIR/tscheck.py" epm "$T/cap.pcapng" "$EVLOG" \
    >"$T/tscheck.out" 2>&1
st=$?
cat "$T/tscheck.out"
[ $st -eq 0 ] || fail "tshark and the event log disagree"
# ept_lookup and ept_map, each on both legs.
n=$(grep -c '^ok ept_' "$T/tscheck.out")
[ "$n" -eq 4 ] || fail "$n EPM responses matched, not 4"
grep -q "^ok ept_lookup conn 1 client leg .*: $A\[[0-9]*\] $A\[[0-9]*\]\$" \
    "$T/tscheck.out" || fail "tshark did not read $A twice in the lookup"
ok "tshark reads the learned endpoints on the server leg and $A with" \
    "the pinhole ports on the client leg; nothing malformed"

insp_stop
