#!/bin/sh
# epm: interop with impacket (client and server; nobody here wrote it).
# An impacket DCERPCServer on 127.8.5.2 serves the endpoint mapper (ept_map,
# ept_lookup with real 5-floor towers) on port P and an echo service on a
# dynamic port SV; fwrelay's "epm" relay listens on 127.8.5.1:P with
# pinholes and rewrite_towers.
# - ept_lookup through the relay: both towers name the relay's address; the
#   EPM's own tower wanted port P, busy on the relay (its own listener), so
#   the pinhole took the next free port and the tower says that port.
# - ept_map answers the relay's address and SV (the pinhole is refreshed,
#   not opened twice).
# - another client (127.8.5.9) is denied at the pinhole; the client that
#   asked calls EchoCall(41, "hello") through it and gets 42 "HELLO"; the
#   pinhole was "once": a second call is refused; the unused EPM pinhole
#   expires after pinhole_timeout (pinhole_expired, then refused).
# - the same setup with pinholes = false and a policy allowing only the EPM
#   port (relay on 127.8.5.3): the towers still name the relay, the call to
#   the service is refused, no pinhole opens.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init epm
insp_need_impacket

A=127.8.5.1 S=127.8.5.2 C=127.8.5.3 X=127.8.5.9
EPMIF=e1af8308-5d1f-11c9-91a4-08002b14a0fa
SVCIF=6a28e5c4-0fe1-4a3c-9f77-5d1e2a0b7c11
CLI="$PY $INSP_DIR/epmclient.py"

P=$(fw_port $S)
fw_bg epmsrv "$PY" "$INSP_DIR/epmserver.py" --listen $S:$P \
    --ready "$T/epmsrv.ready" --seconds 60
fw_wait_file "$T/epmsrv.ready" 10 ||
    fail "impacket server not ready: $(cat "$T/epmsrv.err")"
read ep SV <"$T/epmsrv.ready"
[ "$ep" = "$P" ] || fail "impacket server on $ep, not $P"
Q=$(fw_port $C)
cat >"$CONF" <<EOF
event_log = "$EVLOG";
log_level = "info";
shutdown_timeout = 2.0;
relays = (
  { name = "epm"; listen = "$A:$P"; target = "$S:$P";
    protocol = "epm"; pinholes = true; rewrite_towers = true;
    pinhole_timeout = 15.0; pinhole_uses = "once"; },
  { name = "epmclosed"; listen = "$C:$Q"; target = "$S:$P";
    protocol = "epm"; pinholes = false; rewrite_towers = true;
    policy = ( { action = "allow"; port = $Q; } ); }
);
EOF
FW_NRELAYS=2
fw_start

# ept_lookup and ept_map through the relay.
$CLI --epm $A:$P --call none >"$T/lookup.out" 2>"$T/lookup.err" ||
    fail "impacket lookup/map: $(cat "$T/lookup.err")"
cat "$T/lookup.out"
ev_wait 5 pinhole_open 2 relay=epm || fail "two pinholes"
P2=$(ev_get pinhole_open listen relay=epm "for=$EPMIF" | sed 's/.*://')
[ -n "$P2" ] && [ "$P2" != "$P" ] || fail "EPM pinhole on port '$P2'"
grep -qx "lookup $EPMIF v3.0 ncacn_ip_tcp:$A\[$P2\] Endpoint mapper" \
    "$T/lookup.out" || fail "EPM tower not rewritten to $A[$P2]"
grep -qx "lookup $SVCIF v1.0 ncacn_ip_tcp:$A\[$SV\] fwrelay echo" \
    "$T/lookup.out" || fail "service tower not rewritten to $A[$SV]"
grep -qx "map ncacn_ip_tcp:$A\[$SV\]" "$T/lookup.out" ||
    fail "ept_map did not give port $SV"
ok "impacket's ept_lookup shows the relay: $A[$SV] and $A[$P2] (P=$P busy)"
ev_spec "epm_map: lookup learned $S:$P and $S:$SV, map $S:$SV" \
    "sorted((e['interface'], e['address'], e['port']) for e in
      sel('epm_map', 'relay=epm', 'operation=ept_lookup')) ==
     sorted([('$EPMIF', '$S', $P), ('$SVCIF', '$S', $SV)]) and
     one('epm_map', 'relay=epm', 'operation=ept_map', 'interface=$SVCIF',
     'address=$S', 'port=$SV') and
     one('epm_map', 'relay=epm', 'interface=$EPMIF')['interface_name'] ==
     'epm'"
ev_spec "pinhole_open: service $A:$SV -> $S:$SV, EPM $A:$P2 -> $S:$P" \
    "one('pinhole_open', 'relay=epm', 'kind=epm', 'for=$SVCIF',
     'listen=$A:$SV', 'target=$S:$SV', 'allow_from=127.0.0.1', 'uses=once',
     'timeout=15.0') and
     one('pinhole_open', 'relay=epm', 'kind=epm', 'for=$EPMIF',
     'listen=$A:$P2', 'target=$S:$P') and
     len(sel('pinhole_open')) == 2"
ev_run

# Only the client that asked may use the pinhole.
rp_client foreign --source $X --connect $A:$SV end
ev_wait 5 close 1 "relay=epm:pinhole:$SV" || fail "close of the foreign"
ev_assert "the foreign client is denied at the pinhole, not counted" \
    "one('deny', 'relay=epm:pinhole:$SV', 'client~^127\\.8\\.5\\.9:') and
     not sel('pinhole_used')"

# The call through the pinhole; then it is gone (once).
$CLI --binding "ncacn_ip_tcp:$A[$SV]" >"$T/call.out" 2>"$T/call.err" ||
    fail "call through the pinhole: $(cat "$T/call.err")"
grep -qx "call ncacn_ip_tcp:$A\[$SV\] -> 42 HELLO" "$T/call.out" ||
    fail "call: $(cat "$T/call.out")"
grep -qx "EchoCall 41 hello" "$T/epmsrv.out" ||
    fail "the service did not see the call: $(cat "$T/epmsrv.out")"
ok "EchoCall(41, hello) through the pinhole -> 42 HELLO, seen by the service"
ev_wait 5 close 2 "relay=epm:pinhole:$SV" || fail "close of the call"
ev_assert "pinhole_used once, the call relayed to $S:$SV" \
    "one('pinhole_used', 'relay=epm:pinhole:$SV', 'pinhole_relay=epm',
     'kind=epm', 'for=$SVCIF', 'used=1', 'client~^127\\.0\\.0\\.1:') and
     one('connect', 'relay=epm:pinhole:$SV', 'target=$S:$SV') and
     one('close', 'relay=epm:pinhole:$SV', 'reason=done')"
$CLI --binding "ncacn_ip_tcp:$A[$SV]" --call refused >"$T/again.out" \
    2>"$T/again.err" || fail "second call: $(cat "$T/again.err")"
ok "a second call is refused: the once pinhole closed after one use"

# Without pinholes, a policy for the EPM port only.
$CLI --epm $C:$Q --call refused >"$T/closed.out" 2>"$T/closed.err" ||
    fail "no-pinhole relay: $(cat "$T/closed.out" "$T/closed.err")"
cat "$T/closed.out"
grep -qx "lookup $SVCIF v1.0 ncacn_ip_tcp:$C\[$SV\] fwrelay echo" \
    "$T/closed.out" || fail "no-pinhole relay: tower not rewritten to $C"
grep -q "^call ncacn_ip_tcp:$C\[$SV\] refused" "$T/closed.out" ||
    fail "no-pinhole relay: the call was not refused"
ev_assert "no-pinhole relay: towers learned, EPM allowed, no pinhole" \
    "len(sel('epm_map', 'relay=epmclosed')) == 3 and
     one('allow', 'relay=epmclosed', 'rule=0') and
     not sel('pinhole_open', 'relay=epmclosed')"

# The unused EPM pinhole expires.
ev_wait 25 pinhole_expired 1 "for=$EPMIF" || fail "EPM pinhole did not expire"
rp_client expired --refused yes --connect $A:$P2
ev_assert "pinhole_expired for the EPM one only (the service one was used)" \
    "one('pinhole_expired', 'relay=epm', 'listen=$A:$P2', 'used=0') and
     len(sel('pinhole_expired')) == 1"

insp_stop
