#!/bin/sh
# Out of file descriptors: fwrelay runs with RLIMIT_NOFILE 48, room for
# about 14 connections (two descriptors each, 16 kept in reserve). 24
# clients connect and each waits for its echo: the first ones are relayed,
# then fwrelay pauses accepting (event accept_paused) instead of accepting
# clients it cannot connect onwards; the rest wait in the listen queue.
# When the first ones finish, accepting resumes and every client gets its
# echo: none is reset, none is lost, one close per accept.
. "$(dirname "$0")/lib.sh"
fw_init emfile

fw_server echo --mode echo
E=$SRV_PORT
p=$(fw_port)
fw_conf "$CONF" "" "fd 127.0.0.1:$p 127.0.0.1:$E"
FW_WRAPPER="prlimit --nofile=48:48 --"
fw_start

n=24
i=1
while [ $i -le $n ]; do
	fw_bg c$i "$FWTEST" client --connect 127.0.0.1:$p --timeout 15 \
	    ping:1 touch:"$T/up$i" wait-file:"$T/release" ping:2 shut eof close
	eval "c$i=\$BG_PID"
	i=$((i + 1))
done
ev_wait 5 accept_paused 1 || fail "no accept_paused event"
sleep 0.5
up=$(ls "$T" | grep -c '^up')
[ "$up" -lt "$n" ] || fail "all $n were relayed at once: no pause"
[ "$up" -ge 8 ] || fail "only $up relayed before the pause"
ev_assert "paused for the descriptor reserve, no client reset" \
    "sel('accept_paused')[0]['reason'] in ('fd_reserve', 'accept') and
     not sel('connect_failed') and not sel('limit')"
ok "$up of $n relayed, accepting paused, the rest wait in the queue"

touch "$T/release"
i=1
while [ $i -le $n ]; do
	eval "pid=\$c$i"
	fw_expect_exit "$pid" 15 "client $i"
	i=$((i + 1))
done
ok "all $n clients got their echo once accepting resumed"
ev_wait 5 close $n || fail "close events"
ev_assert "$n accepts, $n clean closes" \
    "len(sel('accept')) == $n and len(sel('close', 'reason=done')) == $n"
fw_stop
