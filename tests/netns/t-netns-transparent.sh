#!/bin/sh
# Across real routing: site1 (192.0.2.10, .11) -> fwrelay in fw -> the
# server in site2 (198.51.100.20:102); fw does not forward (ip_forward 0),
# so only the relay carries anything.
# (a) source transparent: the server sees the client's own address, a
#     foreign one in fw (IP_TRANSPARENT; the replies come back through the
#     socket-mark rule and the fwmark policy route), for two clients;
#     with source_port preserve it sees the very port the client used
#     (no collision here: the address is not fw's own, unlike loopback).
# (b) source rewrite in the same topology: the server sees fw's outside
#     address, 198.51.100.1.
# Then the topology goes and nothing with its suffix is left.
. "$(dirname "$0")/netns-lib.sh"
nt_init transparent tp --hosts

nt_server site2 srv 198.51.100.20:102 peer echo close
fw_conf "$CONF" "" \
    "transp 192.0.2.1:10102 198.51.100.20:102 source = \"transparent\";" \
    "keep 192.0.2.1:10103 198.51.100.20:102 source = \"transparent\"; source_port = \"preserve\";" \
    "rewr 192.0.2.1:10104 198.51.100.20:102 source = \"rewrite\";"
fw_start

for src in 192.0.2.10 192.0.2.11; do
	nt_client site1 a$src --source $src --connect 192.0.2.1:10102 \
	    peer:$src ping:2 shut eof close
	seen=$(nt_seen "$T/a$src.out") c=$(nt_local "$T/a$src.out")
	[ "$(ev_get connect source relay=transp "client=$c")" = "$seen" ] ||
	    fail "(a) connect event source differs from what the server saw ($seen)"
	ok "(a) transparent: client $c, the server in site2 saw $seen"
done

nt_client site1 keep --source 192.0.2.10:40000 --connect 192.0.2.1:10103 \
    peer:192.0.2.10 ping:2 shut eof close
seen=$(nt_seen "$T/keep.out")
[ "$seen" = 192.0.2.10:40000 ] ||
    fail "(a) preserve: the server saw $seen, expected 192.0.2.10:40000"
ok "(a) transparent, source_port preserve: the server saw $seen"

nt_client site1 rewr --source 192.0.2.10 --connect 192.0.2.1:10104 \
    peer:198.51.100.1 ping:2 shut eof close
ok "(b) rewrite: the server saw $(nt_seen "$T/rewr.out")"

ev_wait 5 close 4 || fail "close events"
ev_assert "every connection reached 198.51.100.20:102 and closed cleanly" \
    "len(sel('connect', 'target=198.51.100.20:102')) == 4 and
     len(sel('close', 'reason=done')) == 4"
nt_finish
