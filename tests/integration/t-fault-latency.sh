#!/bin/sh
# latency: a configured 300 ms upstream delay adds 300 ms (+-60) to each
# echo round trip and nothing on a relay without it; a run-time latency
# with jitter on both directions (added through the API) applies to the
# next connection, keeps the byte order of a 256 KiB stream intact and
# holds no more than the relay's buffer (reading pauses); removing it
# makes the next connection fast again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init fault-latency
fl_init
SOCK=$T/ctl.sock

fw_server back echo
back=$SRV_PORT
fw_server bulkback bulk:256K shut eof
bulkback=$SRV_PORT
pl=$(fw_port) pp=$(fw_port) pj=$(fw_port) pb=$(fw_port)
fw_conf "$CONF" "control = \"$SOCK\";" \
    "lat 127.0.0.1:$pl 127.0.0.1:$back faults = ( { type = \"latency\"; latency_ms = 300; direction = \"upstream\"; } );" \
    "plain 127.0.0.1:$pp 127.0.0.1:$back" \
    "jit 127.0.0.1:$pj 127.0.0.1:$back" \
    "jitbulk 127.0.0.1:$pb 127.0.0.1:$bulkback buffer_size = 16384; faults = ( { type = \"latency\"; latency_ms = 100; jitter_ms = 90; } );"
fw_start

# rtt_check OUT LO HI: every round trip in [LO, HI] ms; prints them.
rtt_check() {
	"$PY" - "$1" "$2" "$3" <<'PYEOF' || fail "round trips of $1 out of [$2, $3] ms"
import re, sys
v = [float(x) for x in re.findall(r'rtt_ms=([\d.]+)', open(sys.argv[1]).read())]
lo, hi = float(sys.argv[2]), float(sys.argv[3])
print('rtt ms: ' + ' '.join('%.1f' % x for x in v))
sys.exit(0 if len(v) >= 3 and all(lo <= x <= hi for x in v) else 1)
PYEOF
}

fl_client lat "$pl" rtt:5
rtt_check "$T/lat.out" 240 360
ok "latency 300 ms upstream: every round trip within 300 +- 60 ms"
fl_client plain "$pp" rtt:5
rtt_check "$T/plain.out" 0 60
ok "the relay without a fault answers at once"
ev_wait 5 fault 1 relay=lat type=latency direction=upstream action=delaying ||
    fail "no fault event for the latency"

# Run time: 200 ms each way with 50 ms jitter, for new connections only.
fl_expect 201 POST /v1/relays/jit/faults \
    '{"type": "latency", "latency_ms": 200, "jitter_ms": 50}'
fid=$(printf '%s' "$BODY" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
fl_client jit1 "$pj" rtt:4
rtt_check "$T/jit1.out" 290 530
ok "run-time latency 2 x (200 +- 50) ms applied to the next connection"

# Order under jitter, and a bounded hold: 256 KiB through a 16 KiB relay
# (reading pauses while the fault holds more than buffer_size).
# fwtest checks every byte at its offset, both ways.
fw_client order --connect 127.0.0.1:$pb --timeout 20 bulk:256K shut eof
grep -q "bulk: sent=262144 .*received=262144" "$T/order.out" ||
    fail "256 KiB did not cross whole and in order: $(cat "$T/order.out")"
ok "256 KiB each way in order through 100 +- 90 ms of jitter"

fl_expect 200 DELETE "/v1/relays/jit/faults/$fid"
fl_client jit2 "$pj" rtt:3
rtt_check "$T/jit2.out" 0 60
ok "fault $fid removed: the next connection is fast again"
fw_stop
