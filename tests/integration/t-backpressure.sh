#!/bin/sh
# Memory is bounded per direction by buffer_size (64 KiB here). A client
# floods a target that does not read: its writes must block (fwtest flood
# fails if 256 MiB go through without a 0.5 s stall); then the target reads
# everything and the count and checksum match what was accepted. The same
# the other way (target floods, client does not read). fwrelay's peak RSS
# grows by less than 1 MiB (16 times buffer_size).
. "$(dirname "$0")/lib.sh"
fw_init backpressure

fw_server tup --once wait-file:"$T/go-up" sink close
up=$SRV_PORT up_pid=$SRV_PID
fw_server tdown --once flood:256M touch:"$T/go-down" shut eof close
down=$SRV_PORT down_pid=$SRV_PID
pu=$(fw_port) pd=$(fw_port)
fw_conf "$CONF" "" \
    "up 127.0.0.1:$pu 127.0.0.1:$up buffer_size = 65536;" \
    "down 127.0.0.1:$pd 127.0.0.1:$down buffer_size = 65536;"
fw_start
rss0=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$FW_PID/status")

fw_client cup --connect 127.0.0.1:$pu flood:256M touch:"$T/go-up" shut eof close
fw_expect_exit "$up_pid" 10 "target of the up flood"
usent=$(out_field "$T/cup.out" sent)
ugot=$(sed -n 's/.*sink: bytes=\([0-9]*\) .*/\1/p' "$T/tup.out")
[ "$(out_field "$T/cup.out" sent_fnv)" = "$(out_field "$T/tup.out" fnv)" ] &&
    [ -n "$usent" ] && [ "$usent" = "$ugot" ] ||
    fail "up: client sent $usent fnv $(out_field "$T/cup.out" sent_fnv), target got $ugot fnv $(out_field "$T/tup.out" fnv)"
ok "client -> target: writes blocked after $usent bytes; the target then read exactly those"

fw_client cdown --connect 127.0.0.1:$pd wait-file:"$T/go-down" sink close
fw_expect_exit "$down_pid" 10 "target of the down flood"
dsent=$(out_field "$T/tdown.out" sent)
dgot=$(sed -n 's/.*sink: bytes=\([0-9]*\) .*/\1/p' "$T/cdown.out")
[ "$(out_field "$T/tdown.out" sent_fnv)" = "$(out_field "$T/cdown.out" fnv)" ] &&
    [ -n "$dsent" ] && [ "$dsent" = "$dgot" ] ||
    fail "down: target sent $dsent, client got $dgot (or the checksums differ)"
ok "target -> client: writes blocked after $dsent bytes; the client then read exactly those"

hwm=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$FW_PID/status")
echo "# fwrelay RSS before: $rss0 kB, peak: $hwm kB"
if grep -q __asan_init "$FWRELAY" 2>/dev/null; then
	echo "# (AddressSanitizer build: its quarantine makes RSS meaningless, not checked)"
else
	[ $((hwm - rss0)) -lt 1024 ] ||
	    fail "fwrelay's peak RSS grew by $((hwm - rss0)) kB during the floods"
	ok "fwrelay's peak RSS grew by $((hwm - rss0)) kB only"
fi
ev_wait 5 close 2 || fail "close events"
ev_assert "close events count what went through" "
    one('close', 'relay=up')['bytes_from_client'] == $usent and
    one('close', 'relay=down')['bytes_from_target'] == $dsent"
fw_stop
