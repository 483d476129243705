#!/bin/sh
# SIGTERM drains. (1) shutdown_timeout = 3: new connections are refused at
# once, an open connection keeps echoing every 50 ms until about 3 s after
# the signal, then the relay closes it; the daemon exits 0 with a close
# event (closed_by relay) and a final stop event. (2) shutdown_timeout =
# 10, and SIGINT this time: a connection that keeps working after the
# signal and then finishes lets the daemon exit at once, long before the
# timeout.
. "$(dirname "$0")/lib.sh"
fw_init drain

fw_server echo --mode echo
E=$SRV_PORT
p=$(fw_port)

# refused_soon PORT: the listener closes once the signal is handled.
refused_soon() {
	local n=0
	until "$FWTEST" client --connect 127.0.0.1:$1 --expect-refused \
	    >"$T/refused.out" 2>"$T/refused.err"; do
		n=$((n + 1))
		[ $n -ge 50 ] && fail "port $1 still accepts: $(cat "$T/refused.err")"
		sleep 0.02
	done
}

# A probe of refused_soon may reach the listener before the signal is
# handled: it is accepted, then closed by the probe with no byte. Every
# connection but the first must be such a probe.
PROBES="all(c['closed_by'] == 'client' and c['bytes_from_client'] == 0
     for c in sel('close') if c['conn'] != 1)"

# (1) drained until the timeout
FW_SHUTDOWN=3.0
fw_conf "$CONF" "" "drain 127.0.0.1:$p 127.0.0.1:$E"
fw_start -p "$T/fwrelay.pid"
[ "$(cat "$T/fwrelay.pid" 2>/dev/null)" = "$FW_PID" ] ||
    fail "pid file has \"$(cat "$T/fwrelay.pid" 2>/dev/null)\", not $FW_PID"
fw_bg hold "$FWTEST" client --connect 127.0.0.1:$p --timeout 5 --deadline 30 \
    ping:1 touch:"$T/up" hold-cut:12
hold=$BG_PID
fw_wait_file "$T/up" 5 || fail "holder: $(cat "$T/hold.err")"
t0=$(fw_now)
kill -TERM "$FW_PID"
refused_soon "$p"
ok "after SIGTERM new connections are refused"
fw_expect_exit "$hold" 8 "held connection (must be cut by the relay)"
fw_wait_exit "$FW_PID" 3
st=$?
[ $st -eq 0 ] || fail "fwrelay exit status $st after the drain"
cat "$T/hold.out"
last=$(out_field "$T/hold.out" last_ok)
cut=$(out_field "$T/hold.out" at)
awk "BEGIN { exit !($last - $t0 >= 2.7) }" ||
    fail "the held connection stopped echoing $(awk "BEGIN { print $last - $t0 }") s after SIGTERM, before the 3 s timeout"
awk "BEGIN { exit !($cut - $t0 >= 2.9 && $cut - $t0 < 4.5) }" ||
    fail "the held connection was cut $(awk "BEGIN { print $cut - $t0 }") s after SIGTERM, expected about 3 s"
ok "held connection echoed for $(awk "BEGIN { printf \"%.2f\", $last - $t0 }") s after SIGTERM, cut at $(awk "BEGIN { printf \"%.2f\", $cut - $t0 }") s; fwrelay exited 0"
ev_validate stopped || fail "event log invariants"
ev_assert "the held connection closed by the relay at shutdown" \
    "one('close', 'conn=1')['closed_by'] == 'relay' and
     re.search('shutdown|drain', one('close', 'conn=1')['reason']) and
     $PROBES and evs[-1]['event'] == 'stop'"

# (2) early exit once the last connection is done
mv "$EVLOG" "$T/events-1.json"
FW_SHUTDOWN=10.0
fw_conf "$CONF" "" "drain 127.0.0.1:$p 127.0.0.1:$E"
fw_start
fw_bg late "$FWTEST" client --connect 127.0.0.1:$p --timeout 5 \
    ping:1 touch:"$T/up2" wait-file:"$T/go" ping:20 shut eof close
late=$BG_PID
fw_wait_file "$T/up2" 5 || fail "client: $(cat "$T/late.err")"
kill -INT "$FW_PID"
refused_soon "$p"
t1=$(fw_now)
touch "$T/go"
fw_expect_exit "$late" 5 "connection working after SIGTERM"
fw_wait_exit "$FW_PID" 3
st=$?
[ $st -eq 124 ] && fail "fwrelay still running 3 s after its last connection ended (shutdown_timeout 10)"
[ $st -eq 0 ] || fail "fwrelay exit status $st"
t2=$(fw_now)
ok "20 echoes after SIGINT, then fwrelay exited $(awk "BEGIN { printf \"%.2f\", $t2 - $t1 }") s later (timeout 10 s)"
ev_validate stopped || fail "event log invariants"
ev_assert "closed by the client, done, then stop" \
    "one('close', 'conn=1')['closed_by'] == 'client' and $PROBES and
     evs[-1]['event'] == 'stop'"
