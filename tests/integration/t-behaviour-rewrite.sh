#!/bin/sh
# source = "rewrite": the target sees the relay, never the client.
# (a) without source_address the kernel picks the source: on loopback the
#     route's preferred source, 127.0.0.1; (b) source_address = 127.3.0.1:
#     exactly that address, for two different clients. In each case the
#     address and port the backend reports are the connect event's source.
. "$(dirname "$0")/lib.sh"
fw_init behaviour-rewrite

fw_server back --listen 127.2.0.10:0 --count 3 peer echo close
back_port=$SRV_PORT back_pid=$SRV_PID
pa=$(fw_port 127.2.0.1) pb=$(fw_port 127.2.0.1)
fw_conf "$CONF" "" \
    "kernel 127.2.0.1:$pa 127.2.0.10:$back_port source = \"rewrite\";" \
    "fixedaddr 127.2.0.1:$pb 127.2.0.10:$back_port source = \"rewrite\"; source_address = \"127.3.0.1\";"
fw_start

# check_seen CLIENTOUT RELAY HOST: the backend's peer line names HOST and
# the same address:port as the relay's connect event for that client.
check_seen() {
	local seen src client
	seen=$(out_field "$1" peer)
	client=$(sed -n 's/^client \([^ ]*\)->.*/\1/p' "$1" | head -n 1)
	[ -n "$seen" ] || fail "$1: no peer line"
	case $seen in
	"$3":*) ;;
	*) fail "backend saw $seen through $2, expected $3" ;;
	esac
	src=$(ev_get connect source "relay=$2" "client=$client")
	[ "$src" = "$seen" ] ||
	    fail "connect event source '$src' is not what the backend saw ($seen)"
	ok "$2: client $client, backend saw $seen (= connect source)"
}

fw_client a --source 127.1.0.10 --connect 127.2.0.1:$pa \
    peer:127.0.0.1 ping:2 shut eof close
check_seen "$T/a.out" kernel 127.0.0.1

fw_client b1 --source 127.1.0.10 --connect 127.2.0.1:$pb \
    peer:127.3.0.1 ping:2 shut eof close
check_seen "$T/b1.out" fixedaddr 127.3.0.1
fw_client b2 --source 127.1.0.11 --connect 127.2.0.1:$pb \
    peer:127.3.0.1 ping:2 shut eof close
check_seen "$T/b2.out" fixedaddr 127.3.0.1

fw_expect_exit "$back_pid" 5 "backend (3 sessions)"
ev_wait 5 close 3 || fail "close events"
ev_assert "the clients' own addresses in accept, never towards the target" \
    "len(sel('accept', 'client~^127[.]1[.]0[.]1[01]:')) == 3 and
     not sel('connect', 'source~^127[.]1[.]')"
fw_stop
