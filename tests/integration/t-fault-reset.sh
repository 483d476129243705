#!/bin/sh
# reset_after: after N bytes in a direction both ends are reset. The client
# of a 1000-byte downstream limit reads exactly 1000 bytes of the 5000 the
# backend sent, then ECONNRESET; upstream, the backend reads exactly 700 of
# the client's 4000 bytes, then ECONNRESET. The events name the fault and
# the close reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init fault-reset
fl_init

fl_server sdown send:5000 recvall:10
down=$SRV_PORT down_pid=$SRV_PID
fl_server sup recvlog:10
up=$SRV_PORT up_pid=$SRV_PID
pd=$(fw_port) pu=$(fw_port)
fw_conf "$CONF" "" \
    "down 127.0.0.1:$pd 127.0.0.1:$down faults = ( { type = \"reset_after\"; bytes = 1000; direction = \"downstream\"; } );" \
    "up 127.0.0.1:$pu 127.0.0.1:$up faults = ( { type = \"reset_after\"; bytes = 700; direction = \"upstream\"; } );"
fw_start

fl_client down "$pd" recvall:10
grep -q "client: received=1000 chunks=[0-9]* span_ms=[0-9.]* pattern=ok end=reset" \
    "$T/down.out" || fail "downstream: $(cat "$T/down.out")"
ok "client read exactly 1000 bytes, then a reset"
fw_wait_exit "$down_pid" 10
grep -q "server: received=0 .*end=reset" "$T/sdown.out" ||
    fail "backend did not see a reset: $(cat "$T/sdown.out")"

fl_client up "$pu" send:4000 recvall:10
grep -q "end=reset" "$T/up.out" || fail "upstream client: $(cat "$T/up.out")"
fw_wait_exit "$up_pid" 10
grep -q "server: received=700 chunks=[0-9]* span_ms=[0-9.]* pattern=ok end=reset" \
    "$T/sup.out" || fail "upstream backend: $(cat "$T/sup.out")"
ok "backend read exactly 700 bytes, then a reset; the client was reset too"

ev_wait 5 close 2 reason=fault_reset || fail "close events"
ev_assert "one reset fault event per connection, with the byte count" \
    "one('fault', 'relay=down', 'type=reset_after', 'action=reset', 'bytes=1000') and
     one('fault', 'relay=up', 'type=reset_after', 'direction=upstream', 'bytes=700') and
     one('close', 'relay=down')['bytes_from_target'] >= 1000"
fw_stop
