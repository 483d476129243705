#!/bin/sh
# A reset is passed on as a reset. (a) The target resets after reading
# 1000 bytes: the client's read fails with ECONNRESET (not EOF). (b) The
# client resets an established connection: the target's read fails with
# ECONNRESET. The close events name the side and the reason.
. "$(dirname "$0")/lib.sh"
fw_init reset

fw_server a --once recvn:1000 rst
a_port=$SRV_PORT a_pid=$SRV_PID
fw_server b --once echo reset close
b_port=$SRV_PORT b_pid=$SRV_PID
pa=$(fw_port) pb=$(fw_port)
fw_conf "$CONF" "" \
    "target-resets 127.0.0.1:$pa 127.0.0.1:$a_port" \
    "client-resets 127.0.0.1:$pb 127.0.0.1:$b_port"
fw_start

fw_client ca --connect 127.0.0.1:$pa sendn:1000 reset:5
fw_expect_exit "$a_pid" 5 "target of (a)"
ok "(a) target reset: client read ECONNRESET"

# ping first, so the reset comes on a connection established end to end.
fw_client cb --connect 127.0.0.1:$pb ping:3 rst
fw_expect_exit "$b_pid" 5 "target of (b) (must see ECONNRESET)"
grep -q "ended by a reset" "$T/b.out" || fail "target (b) did not see a reset"
ok "(b) client reset: target read ECONNRESET"

ev_wait 5 close 2 || fail "close events"
ev_assert "(a) close by the target, reason names the reset" \
    "re.search('reset', one('close', 'relay=target-resets',
     'closed_by=target', 'bytes_from_client=1000')['reason'], re.I)"
ev_assert "(b) close by the client, reason names the reset" \
    "re.search('reset', one('close', 'relay=client-resets',
     'closed_by=client', 'bytes_from_client=36',
     'bytes_from_target=36')['reason'], re.I)"
fw_stop
