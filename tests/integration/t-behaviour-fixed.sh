#!/bin/sh
# source = "fixed": one configured address whatever the client was (the
# cluster-IP fix of Q251318).
# (a) source_address 127.1.0.100, any port: clients 127.1.0.10 and
#     127.1.0.11 both appear as 127.1.0.100.
# (b) source_port "41000-41003": four connections held open at once use
#     four distinct ports of the range (the backend reports each); a fifth
#     while the range is exhausted is reset, with connect_failed naming
#     the cause, and never reaches the backend. (b) binds a per-run
#     127.41.x.y so that concurrent runs of the suite never share the ports.
# (c) once the four have closed, the range is usable again (the backend
#     closes first, so no TIME_WAIT stays on the relay's bound ports).
. "$(dirname "$0")/lib.sh"
fw_init behaviour-fixed

rng=127.41.$(($$ / 256 % 256)).$(($$ % 256 / 2 * 2 + 1))

fw_server back --listen 127.2.0.10:0 --count 2 peer echo close
back_port=$SRV_PORT back_pid=$SRV_PID
fw_server held --listen 127.2.0.10:0 --count 5 peer recv:'bye\n' close
held_port=$SRV_PORT held_pid=$SRV_PID
pa=$(fw_port 127.2.0.1) pb=$(fw_port 127.2.0.1)
fw_conf "$CONF" "" \
    "anyport 127.2.0.1:$pa 127.2.0.10:$back_port source = \"fixed\"; source_address = \"127.1.0.100\";" \
    "range 127.2.0.1:$pb 127.2.0.10:$held_port source = \"fixed\"; source_address = \"$rng\"; source_port = \"41000-41003\";"
fw_start

for c in 10 11; do
	fw_client a$c --source 127.1.0.$c --connect 127.2.0.1:$pa \
	    peer:127.1.0.100 ping:1 shut eof close
	ok "(a) client 127.1.0.$c, backend saw $(out_field "$T/a$c.out" peer)"
done
fw_expect_exit "$back_pid" 5 "backend of (a)"

# (b) four held open until $T/go exists.
pids=
for i in 1 2 3 4; do
	fw_bg b$i "$FWTEST" client --source 127.1.0.1$i \
	    --connect 127.2.0.1:$pb peer:$rng wait-file:"$T/go" \
	    send:'bye\n' eof close
	pids="$pids $BG_PID"
done
ev_wait 5 connect 4 relay=range || fail "(b) four connections"
fw_client b5 --source 127.1.0.15 --connect 127.2.0.1:$pb reset:5
ok "(b) fifth connection reset while the range is exhausted"
touch "$T/go"
for p in $pids; do
	fw_expect_exit "$p" 5 "(b) held client"
done
ports=$(for i in 1 2 3 4; do out_field "$T/b$i.out" peer; done |
    sed 's/.*://' | sort -n | tr '\n' ' ')
[ "$ports" = "41000 41001 41002 41003 " ] ||
    fail "(b) ports seen by the backend: $ports, expected 41000-41003 each"
ok "(b) backend saw $rng on ports $ports"
ev_assert "(b) connect_failed for the fifth names the exhausted range" \
    "one('connect_failed', 'relay=range', 'client~^127[.]1[.]0[.]15:',
     'error=EADDRINUSE', 'detail=source port range exhausted') and
     one('close', 'client~^127[.]1[.]0[.]15:', 'closed_by=relay',
     'reason=connect_failed') and
     sorted(int(e['source'].split(':')[1]) for e in sel('connect',
     'relay=range')) == [41000, 41001, 41002, 41003]"

# (c) the range again, after the four closed.
ev_wait 5 close 4 relay=range 'client~^127[.]1[.]0[.]1[1-4]:' ||
    fail "(c) the held connections did not close"
fw_client c --source 127.1.0.16 --connect 127.2.0.1:$pb \
    peer:$rng send:'bye\n' eof close
seen=$(out_field "$T/c.out" peer)
case ${seen#*:} in
4100[0-3]) ;;
*) fail "(c) backend saw $seen, outside 41000-41003" ;;
esac
ok "(c) range usable again: backend saw $seen"
fw_expect_exit "$held_pid" 5 "backend of (b) and (c)"
ev_wait 5 close 8 || fail "close events"
fw_stop
