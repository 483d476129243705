#!/bin/sh
# IPv6 on [::1]: a v6 relay to a v6 target and a v6 relay to a v4 target.
# The backend reports the address it saw; the event log spells v6
# addresses "[addr]:port" and its connect source is what the target saw.
. "$(dirname "$0")/lib.sh"
fw_init ipv6

"$FWTEST" freeport "[::1]" >/dev/null 2>&1 ||
    skip "::1 is not configured here (cannot bind [::1]:0)"

fw_server peer6 --listen "[::1]:0" --mode peer
s6=$SRV_PORT
fw_server peer4 --mode peer
s4=$SRV_PORT
p=$(fw_port "[::1]") q=$(fw_port "[::1]")
fw_conf "$CONF" "" "six [::1]:$p [::1]:$s6" "mixed [::1]:$q 127.0.0.1:$s4"
fw_start

fw_client c6 --connect "[::1]:$p" peer:[::1] ping:10 shut eof close
seen6=$(sed -n 's/.*: peer=//p' "$T/c6.out")
fw_client c4 --connect "[::1]:$q" peer:127.0.0.1 ping:10 shut eof close
seen4=$(sed -n 's/.*: peer=//p' "$T/c4.out")
ok "v6 -> v6: target saw $seen6; v6 -> v4: target saw $seen4"

ev_wait 5 close 2 || fail "close events"
ev_assert "v6 addresses in [addr]:port form, source is what the target saw" "
    len(sel('listen', 'relay=six')) == $FW_NW and
    sel('listen', 'relay=six')[0]['listen'] == '[::1]:$p' and
    one('accept', 'relay=six')['client'].startswith('[::1]:') and
    one('connect', 'relay=six')['target'] == '[::1]:$s6' and
    one('connect', 'relay=six')['source'] == '$seen6' and
    one('connect', 'relay=mixed')['target'] == '127.0.0.1:$s4' and
    one('connect', 'relay=mixed')['source'] == '$seen4' and
    one('close', 'relay=six')['bytes_from_client'] == 120"
fw_stop
