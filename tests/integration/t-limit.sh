#!/bin/sh
# max_connections = 2: with two connections open a third client gets a
# reset and a limit event names the relay and that client (no accept for
# it); the two keep echoing, and once they are gone a new one is relayed.
. "$(dirname "$0")/lib.sh"
fw_init limit

fw_server echo --mode echo
E=$SRV_PORT
p=$(fw_port)
fw_conf "$CONF" "" "lim 127.0.0.1:$p 127.0.0.1:$E max_connections = 2;"
fw_start

for i in 1 2; do
	fw_bg hold$i "$FWTEST" client --connect 127.0.0.1:$p --timeout 10 \
	    ping:1 touch:"$T/up$i" wait-file:"$T/release" ping:3 shut eof close
	eval "hold$i=\$BG_PID"
	fw_wait_file "$T/up$i" 5 || fail "holder $i: $(cat "$T/hold$i.err")"
done
ok "two connections open"

fw_client extra --connect 127.0.0.1:$p reset:3
extra=$(sed -n 's/^client \([^ ]*\)->.*/\1/p' "$T/extra.out" | head -n 1)
ok "third client ($extra) got a reset"
ev_wait 5 limit 1 || fail "no limit event"
ev_assert "limit event for relay lim and client $extra, no accept for it" \
    "one('limit')['relay'] == 'lim' and one('limit')['client'] == '$extra'
     and not sel('accept', 'client=$extra') and len(sel('accept')) == 2"

touch "$T/release"
fw_expect_exit "$hold1" 5 "first held connection"
fw_expect_exit "$hold2" 5 "second held connection"
ok "the two held connections kept echoing"
ev_wait 5 close 2 || fail "close events"
fw_client after --connect 127.0.0.1:$p ping:3 shut eof close
ok "a new connection is relayed once the others closed"
fw_stop
