#!/bin/sh
# 64 MiB of random bytes each way at the same time through one relayed
# connection: both ends check every byte against the other's pattern and
# their checksums agree, and the close event counts 64 MiB each way.
. "$(dirname "$0")/lib.sh"
fw_init bulk

SIZE=${FW_BULK_SIZE:-64M}
BYTES=$(( ${SIZE%M} * 1024 * 1024 ))

fw_server target --once --timeout 15 bulk:$SIZE shut eof close
p=$(fw_port)
fw_conf "$CONF" "" "bulk 127.0.0.1:$p 127.0.0.1:$SRV_PORT"
fw_start

fw_client client --connect 127.0.0.1:$p --timeout 15 \
    bulk:$SIZE shut eof close
fw_expect_exit "$SRV_PID" 10 "target server"
cat "$T/client.out" "$T/target.out"

c_sent=$(out_field "$T/client.out" sent_fnv)
c_recv=$(out_field "$T/client.out" received_fnv)
s_sent=$(out_field "$T/target.out" sent_fnv)
s_recv=$(out_field "$T/target.out" received_fnv)
[ "$(out_field "$T/client.out" received)" = "$BYTES" ] ||
    fail "client received $(out_field "$T/client.out" received) bytes"
[ "$(out_field "$T/target.out" received)" = "$BYTES" ] ||
    fail "target received $(out_field "$T/target.out" received) bytes"
[ -n "$c_sent" ] && [ "$c_sent" = "$s_recv" ] ||
    fail "client sent fnv $c_sent, target received fnv $s_recv"
[ -n "$s_sent" ] && [ "$s_sent" = "$c_recv" ] ||
    fail "target sent fnv $s_sent, client received fnv $c_recv"
ok "$SIZE each way, checksums agree at both ends"

ev_wait 5 close 1 || fail "no close event"
ev_assert "one accept, connect from 127.0.0.1 to the target" \
    "one('accept', 'relay=bulk', 'client~^127\\.0\\.0\\.1:') and
     one('connect', 'target=127.0.0.1:$SRV_PORT', 'source~^127\\.0\\.0\\.1:')"
ev_assert "close counts $BYTES bytes each way" \
    "one('close', 'bytes_from_client=$BYTES', 'bytes_from_target=$BYTES')
     ['duration_ms'] >= 0"
fw_stop
