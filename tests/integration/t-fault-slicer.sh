#!/bin/sh
# slicer: 100 bytes the backend writes at once reach the client as ten
# separate 10-byte pieces about 50 ms apart (size = 10, delay_ms = 50,
# downstream), every byte in order; upstream is left alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init fault-slicer
fl_init

fl_server sback send:100 shut recvall:5
back=$SRV_PORT
SRV1=$SRV_PID
fl_server fback send:7000 shut recvall:5
fback=$SRV_PORT
ps=$(fw_port) pf=$(fw_port)
fw_conf "$CONF" "" \
    "slice 127.0.0.1:$ps 127.0.0.1:$back faults = ( { type = \"slicer\"; size = 10; delay_ms = 50; direction = \"downstream\"; } );" \
    "fine 127.0.0.1:$pf 127.0.0.1:$fback faults = ( { type = \"slicer\"; size = 7; delay_ms = 1; direction = \"downstream\"; } );"
fw_start

# 7000 bytes in 1000 pieces of 7, 1 ms apart: about 1 s, not the 4 s that
# timers re-armed from each late firing added up to.
fl_client fine "$pf" send:1 recvlog:10
"$PY" - "$T/fine.out" >"$T/fine.span" <<'PYEOF' || fail "fine slicing: $(cat "$T/fine.span"; tail -n 3 "$T/fine.out")"
import re, sys
t = open(sys.argv[1]).read()
ch = [(float(a), int(b)) for a, b in re.findall(r'chunk t_ms=([\d.]+) len=(\d+)', t)]
span = (ch[-1][0] - ch[0][0]) / 1000
print('7000 bytes in %d reads over %.3f s' % (len(ch), span))
sys.exit(0 if sum(n for _, n in ch) == 7000 and 'pattern=ok end=eof' in t
         and 0.9 <= span <= 2.5 else 1)
PYEOF
ok "size 7, delay 1 ms: $(cat "$T/fine.span")"

fl_client slice "$ps" send:30 recvlog:5
"$PY" - "$T/slice.out" <<'PYEOF' || fail "pieces: $(cat "$T/slice.out")"
import re, sys
t = open(sys.argv[1]).read()
ch = [(float(a), int(b)) for a, b in re.findall(r'chunk t_ms=([\d.]+) len=(\d+)', t)]
gaps = [b[0] - a[0] for a, b in zip(ch, ch[1:])]
print('pieces: %s' % ' '.join(str(n) for _, n in ch))
print('gaps ms: %s' % ' '.join('%.0f' % g for g in gaps))
sys.exit(0 if [n for _, n in ch] == [10] * 10 and 'pattern=ok end=eof' in t and
         all(35 <= g <= 120 for g in gaps) else 1)
PYEOF
ok "ten 10-byte pieces, 50 ms apart, in order, then the FIN"
fw_wait_exit "$SRV1" 5
grep -q "server: received=30 chunks=1 .*pattern=ok" "$T/sback.out" ||
    fail "upstream was sliced: $(cat "$T/sback.out")"
ok "the 30 upstream bytes arrived in one piece"
ev_wait 5 fault 1 relay=slice type=slicer action=slicing size=10 ||
    fail "no slicer event"
fw_stop
