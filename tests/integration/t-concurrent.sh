#!/bin/sh
# 1000 connections open at the same time from 8 source addresses
# (127.0.1.1-8), each echo-checked with its own message for 2 rounds, then
# half-closed: every client sees the echo server's EOF through the relay,
# the server sees 1000 clean EOFs, and the log has 1000 accepts and 1000
# closes with all 1000 open at once.
. "$(dirname "$0")/lib.sh"
fw_init concurrent

N=${FW_CONCURRENT:-1000}
# Three descriptors per connection across the processes, and some spare.
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 4096 ] ||
    ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((2 * N + 64)) ] ||
    skip "needs $((2 * N + 64)) descriptors, the limit is $(ulimit -n)"

fw_server echo --count "$N" --timeout 20 --deadline 60 echo eof close
srv_pid=$SRV_PID
p=$(fw_port)
fw_conf "$CONF" "" "many 127.0.0.1:$p 127.0.0.1:$SRV_PORT"
fw_start

sources=127.0.1.1,127.0.1.2,127.0.1.3,127.0.1.4,127.0.1.5,127.0.1.6,127.0.1.7,127.0.1.8
if ! "$FWTEST" concurrent --connect 127.0.0.1:$p --count "$N" \
    --sources $sources --rounds 2 --size 64 --timeout 15 \
    >"$T/client.out" 2>"$T/client.err"; then
	cat "$T/client.err" >&2
	fail "concurrent client"
fi
cat "$T/client.out"
fw_expect_exit "$srv_pid" 10 "echo server (each connection must end in EOF)"
grep -q "^server: $N connections, 0 failures" "$T/echo.out" ||
    fail "echo server: $(tail -n 1 "$T/echo.out")"
ok "$N connections echoed twice and closed cleanly at both ends"

ev_wait 10 close "$N" || fail "close events"
ev_assert "$N accepts and $N closes, all open at once" "
    len(sel('accept', 'relay=many')) == $N and
    len(sel('close', 'relay=many')) == $N and
    len(set(e['conn'] for e in sel('accept'))) == $N and
    max(__import__('itertools').accumulate(
        1 if e['event'] == 'accept' else -1
        for e in evs if e['event'] in ('accept', 'close'))) == $N"
ev_assert "clients came from the 8 source addresses" "
    set(e['client'].rsplit(':', 1)[0] for e in sel('accept')) ==
    set('$sources'.split(','))"
ev_assert "each close: 128 bytes each way, closed by the client" "
    all(e['bytes_from_client'] == 128 and e['bytes_from_target'] == 128
        and e['closed_by'] == 'client' for e in sel('close'))"
fw_stop
