#!/bin/sh
# bandwidth: 100 KB/s downstream. 300 KB sent by the backend at once reach
# the client at 100 KB/s within 20 % (measured from the first byte to the
# last, every byte checked) and only then the backend's FIN, while the other direction is not limited;
# the relay holds at most its buffer (reading from the backend pauses).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init fault-bandwidth
fl_init

fl_server sdown send:300000 shut recvall:10
pd=$(fw_port) pu=$(fw_port)
down=$SRV_PORT
fl_server sup recvlog:10
up=$SRV_PORT
fw_conf "$CONF" "" \
    "down 127.0.0.1:$pd 127.0.0.1:$down buffer_size = 32768; faults = ( { type = \"bandwidth\"; bytes_per_second = 100000; direction = \"downstream\"; } );" \
    "up 127.0.0.1:$pu 127.0.0.1:$up faults = ( { type = \"bandwidth\"; bytes_per_second = 100000; direction = \"downstream\"; } );"
fw_start

fl_client down "$pd" recvlog:10
"$PY" - "$T/down.out" <<'PYEOF' || fail "downstream rate"
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r'received=(\d+) chunks=(\d+) span_ms=([\d.]+) pattern=(\w+) end=(\w+)', t)
n, chunks, span, pat = int(m.group(1)), int(m.group(2)), float(m.group(3)), m.group(4)
end = m.group(5)
# The first burst (50 ms worth) comes at once: measure the rest.
rate = (n - 5000) / (span / 1000)
print('downstream: %d bytes in %d chunks over %.0f ms: %.0f B/s, then %s' %
      (n, chunks, span, rate, end))
sys.exit(0 if n == 300000 and pat == 'ok' and end == 'eof' and
         80000 <= rate <= 120000 else 1)
PYEOF
ok "downstream limited to 100 KB/s (+-20 %), all bytes in order, then the FIN"

# Upstream is not limited: 300 KB arrive within a fraction of a second.
fl_client up "$pu" send:300000 shut sleep:0.5
fw_expect_exit "$SRV_PID" 10 "upstream backend"
"$PY" - "$T/sup.out" <<'PYEOF' || fail "upstream was limited"
import re, sys
m = re.search(r'received=(\d+) chunks=\d+ span_ms=([\d.]+) pattern=ok end=eof',
              open(sys.argv[1]).read())
print('upstream: %s bytes in %s ms' % (m.group(1), m.group(2)))
sys.exit(0 if int(m.group(1)) == 300000 and float(m.group(2)) < 1000 else 1)
PYEOF
ok "the other direction is not limited"
ev_wait 5 fault 1 relay=down type=bandwidth direction=downstream action=limiting ||
    fail "no bandwidth fault event"
fw_stop
