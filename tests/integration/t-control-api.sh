#!/bin/sh
# The control API against the running daemon: the unix socket is 0600;
# PATCH rewrite -> transparent changes the source the NEXT connection's
# target sees while an open connection keeps its snapshot and goes on;
# DELETE resets a connection; a PATCHed policy denies by its first rule;
# enabled off holds new connections in the backlog until enabled again;
# the same API over control_tcp.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init control-api
fl_init
SOCK=$T/ctl.sock

fw_server back --listen 127.2.0.10:0 peer echo
back=$SRV_PORT
p=$(fw_port 127.2.0.1) ptcp=$(fw_port)
fw_conf "$CONF" "control = \"$SOCK\"; control_tcp = \"127.0.0.1:$ptcp\";" \
    "r 127.2.0.1:$p 127.2.0.10:$back source = \"rewrite\";"
fw_start

[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode $(stat -c %a "$SOCK")"
ok "control socket is mode 0600"
fl_expect 200 GET /v1/status
fl_json "b['pid'] == $FW_PID and b['relays'] == 1 and b['event_log'] == '$EVLOG'"
fl_expect 200 GET /v1/relays/r
fl_json "b['source'] == 'rewrite' and b['listen'] == '127.2.0.1:$p' and b['enabled']"
ok "status and relay read back"

# A connection open across the change.
fw_bg a "$FWTEST" client --source 127.1.0.10 --connect 127.2.0.1:$p \
    --timeout 15 peer:127.0.0.1 "hold-until:$T/go" shut eof close
apid=$BG_PID
ev_wait 5 connect 1 relay=r || fail "connection a"

fl_expect 200 PATCH /v1/relays/r '{"source": "transparent"}'
fl_json "b['changes'] == {'source': 'transparent'} and b['relay']['source'] == 'transparent'"
ev_wait 5 mode_change 1 relay=r || fail "no mode_change event"
ev_assert "mode_change says what changed and from what" \
    "one('mode_change')['changes'] == {'source': 'transparent'} and
     one('mode_change')['previous']['source'] == 'rewrite'"

fw_client b --source 127.1.0.10 --connect 127.2.0.1:$p \
    peer:127.1.0.10 ping:2 shut eof close
ok "the next connection's target sees the client 127.1.0.10 ($(out_field "$T/b.out" peer))"

fl_expect 200 GET /v1/connections
fl_json "[(c['source'], c['target_local'].split(':')[0], c['client'].split(':')[0]) for c in b['connections']] == [('rewrite', '127.0.0.1', '127.1.0.10')]"
touch "$T/go"
fw_expect_exit "$apid" 10 "connection a (rewrite snapshot)"
grep -q "peer=127.0.0.1:" "$T/a.out" || fail "a: $(cat "$T/a.out")"
ok "the open connection kept its rewrite source and went on working"

# DELETE: a reset to both ends.
fw_bg c "$FWTEST" client --source 127.1.0.10 --connect 127.2.0.1:$p \
    --timeout 15 peer hold-cut:10
cpid=$BG_PID
ev_wait 5 connect 3 relay=r || fail "connection c"
cid=$(ev_get connect conn relay=r | tail -n 1)
sleep 0.2
fl_expect 200 DELETE "/v1/connections/$cid"
fw_expect_exit "$cpid" 5 "connection c"
grep -q "hold-cut: .*cut=reset" "$T/c.out" || fail "c: $(cat "$T/c.out")"
ev_wait 5 close 1 "conn=$cid" reason=deleted closed_by=relay || fail "close"
fl_expect 404 DELETE "/v1/connections/$cid"
ok "DELETE /v1/connections/$cid reset the client; a second DELETE is 404"

# Policy: the first rule denies 127.1.0.10, the next allows the rest.
fl_expect 200 PATCH /v1/relays/r \
    '{"policy": [{"action": "deny", "from": "127.1.0.10/32", "deny": "reset"}, {"action": "allow"}]}'
fw_client denied --source 127.1.0.10 --connect 127.2.0.1:$p reset
fw_client allowed --source 127.1.0.11 --connect 127.2.0.1:$p \
    peer:127.1.0.11 ping:1 shut eof close
ev_wait 5 deny 1 relay=r rule=0 || fail "deny event"
fl_expect 200 PATCH /v1/relays/r '{"policy": null}'
fl_json "b['relay']['policy'] is None"
ok "PATCHed policy: 127.1.0.10 reset by rule 0, 127.1.0.11 allowed; then removed"

# enabled off: the listener stays bound, nothing is accepted.
fl_expect 200 PATCH /v1/relays/r '{"enabled": false}'
n=$(ev_count accept)
fw_bg late "$FWTEST" client --source 127.1.0.12 --connect 127.2.0.1:$p \
    --timeout 10 peer:127.1.0.12 ping:1 shut eof close
lpid=$BG_PID
sleep 0.5
[ "$(ev_count accept)" = "$n" ] || fail "accepted while disabled"
"$PY" "$FL" api "127.0.0.1:$ptcp" PATCH /v1/relays/r '{"enabled": true}' \
    >"$T/tcp.out" || fail "api over control_tcp"
[ "$(head -n 1 "$T/tcp.out")" = 200 ] || fail "control_tcp: $(cat "$T/tcp.out")"
fw_expect_exit "$lpid" 5 "the client queued while disabled"
ok "enabled off held the client in the backlog; enabled on (over control_tcp) let it through"
fw_stop
