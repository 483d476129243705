#!/bin/sh
# listen = "127.2.0.1:LO-HI" with target = "127.2.0.10" (no port): a
# connection to any port of the range goes to the backend on that same
# port. Three backends, one per port, each greets with its own port; the
# client checks the greeting of the port it dialled and the connect event
# names that target. The port after the range is not listened on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/behaviour-lib.sh"
fw_init behaviour-portrange

lo=$(bh_port_range 4 127.2.0.1 127.2.0.10)
hi=$((lo + 2))
pids=
for p in $lo $((lo + 1)) $hi; do
	fw_server s$p --listen 127.2.0.10:$p --count 1 \
	    send:"backend-port=$p\\n" peer echo close
	pids="$pids $SRV_PID"
done
fw_conf "$CONF" "" "range 127.2.0.1:$lo-$hi 127.2.0.10"
FW_NRELAYS=3
fw_start

for p in $hi $lo $((lo + 1)); do
	fw_client c$p --source 127.1.0.10 --connect 127.2.0.1:$p \
	    recv:"backend-port=$p\\n" peer:127.0.0.1 ping:1 shut eof close
	c=$(bh_local "$T/c$p.out")
	ev_assert "127.2.0.1:$p reached 127.2.0.10:$p" \
	    "one('connect', 'relay=range', 'client=$c',
	     'target=127.2.0.10:$p')"
done
for p in $pids; do
	fw_expect_exit "$p" 5 "a backend of the range"
done
fw_client after --connect 127.2.0.1:$((hi + 1)) --expect-refused
ok "port $((hi + 1)), after the range: refused"
ev_wait 5 close 3 || fail "close events"
fw_stop
