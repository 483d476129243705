#!/bin/sh
# Half-close both ways. (a) The client shuts down writing first: the target
# sees EOF after all the client's bytes and only then sends 1 MiB, which
# the client still receives. (b) The target shuts first: the client sees
# EOF after 1 MiB and only then sends, and the target still receives it.
. "$(dirname "$0")/lib.sh"
fw_init halfclose

fw_server a --once recvn:256K eof sendn:1M shut close
a_port=$SRV_PORT a_pid=$SRV_PID
fw_server b --once sendn:1M shut recvn:256K eof close
b_port=$SRV_PORT b_pid=$SRV_PID
pa=$(fw_port) pb=$(fw_port)
fw_conf "$CONF" "" \
    "client-first 127.0.0.1:$pa 127.0.0.1:$a_port" \
    "target-first 127.0.0.1:$pb 127.0.0.1:$b_port"
fw_start

# (a) the target answers only after it saw the client's EOF.
fw_client ca --connect 127.0.0.1:$pa sendn:256K shut recvn:1M eof close
fw_expect_exit "$a_pid" 5 "target of (a)"
grep -q "eof: eof after" "$T/a.out" || fail "target (a) saw no EOF"
ok "(a) client shut first: target saw EOF after 256 KiB, client then got 1 MiB and EOF"

# (b) the client sends only after it saw the target's EOF.
fw_client cb --connect 127.0.0.1:$pb recvn:1M eof sendn:256K shut close
fw_expect_exit "$b_pid" 5 "target of (b)"
ok "(b) target shut first: client saw EOF after 1 MiB, target then got 256 KiB and EOF"

ev_wait 5 close 2 || fail "close events"
ev_assert "(a) close: 256 KiB from the client, 1 MiB from the target" \
    "one('close', 'relay=client-first', 'bytes_from_client=262144',
         'bytes_from_target=1048576')['closed_by'] == 'client'"
ev_assert "(b) close: 1 MiB from the target, 256 KiB from the client" \
    "one('close', 'relay=target-first', 'bytes_from_client=262144',
         'bytes_from_target=1048576')['closed_by'] == 'target'"
fw_stop
