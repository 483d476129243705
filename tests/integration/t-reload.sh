#!/bin/sh
# SIGHUP with a new file that removes relay "gone" and adds relay "added":
# connections established through "gone" and through the kept relay keep
# echoing every 50 ms across the reload; "added" listens (listen event)
# and relays; "gone"'s port refuses; "keep" still accepts.
. "$(dirname "$0")/lib.sh"
fw_init reload

fw_server echo --mode echo
E=$SRV_PORT
pk=$(fw_port) pg=$(fw_port) pa=$(fw_port)
fw_conf "$CONF" "" "keep 127.0.0.1:$pk 127.0.0.1:$E" \
    "gone 127.0.0.1:$pg 127.0.0.1:$E"
fw_start

# Each holder pings every 50 ms until $T/stop appears; one failed echo
# fails it.
fw_bg hold-keep "$FWTEST" client --connect 127.0.0.1:$pk --timeout 15 \
    ping:1 touch:"$T/keep.up" hold-until:"$T/stop" ping:5 shut eof close
hold_keep=$BG_PID
fw_bg hold-gone "$FWTEST" client --connect 127.0.0.1:$pg --timeout 15 \
    ping:1 touch:"$T/gone.up" hold-until:"$T/stop" ping:5 shut eof close
hold_gone=$BG_PID
fw_wait_file "$T/keep.up" 5 || fail "holder through keep: $(cat "$T/hold-keep.err")"
fw_wait_file "$T/gone.up" 5 || fail "holder through gone: $(cat "$T/hold-gone.err")"
ok "connections through keep and gone established"

fw_conf "$CONF" "" "keep 127.0.0.1:$pk 127.0.0.1:$E" \
    "added 127.0.0.1:$pa 127.0.0.1:$E"
kill -HUP "$FW_PID"
ev_wait 5 reload 1 || fail "no reload event"
ev_assert "reload ok, naming what it added, kept and removed" \
    "one('reload')['result'] == 'ok' and
     one('reload')['added'] == ['added'] and
     one('reload')['kept'] == ['keep'] and
     one('reload')['removed'] == ['gone'] and
     len(sel('listen_close', 'relay=gone', 'listen=127.0.0.1:$pg')) ==
     $FW_NW"
ev_wait 5 listen 1 relay=added listen=127.0.0.1:$pa ||
    fail "no listen event for the added relay"
ok "added relay listens"

fw_client added --connect 127.0.0.1:$pa ping:5 shut eof close
ok "added relay relays"
fw_client removed --connect 127.0.0.1:$pg --expect-refused
ok "removed relay's port refuses"
fw_client kept --connect 127.0.0.1:$pk ping:5 shut eof close
ok "kept relay still relays"

# Let the holders go on a little after the checks, then finish them.
sleep 0.3
touch "$T/stop"
fw_expect_exit "$hold_keep" 5 "connection through keep across the reload"
fw_expect_exit "$hold_gone" 5 "connection through gone across the reload"
cat "$T/hold-keep.out" "$T/hold-gone.out"
ok "both established connections echoed through the reload and closed cleanly"

ev_wait 5 close 4 || fail "close events"
ev_assert "one connection each through gone and added, two through keep" "
    len(sel('accept', 'relay=gone')) == 1 and
    len(sel('accept', 'relay=added')) == 1 and
    len(sel('accept', 'relay=keep')) == 2 and
    one('close', 'relay=gone')['closed_by'] == 'client' and
    one('close', 'relay=gone')['bytes_from_target'] >=
        one('close', 'relay=gone')['bytes_from_client'] > 12 * 6"
fw_stop
