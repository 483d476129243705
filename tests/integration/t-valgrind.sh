#!/bin/sh
# A short run under valgrind --leak-check=full: start, relay (echo, 4 MiB
# each way), a refused target, a reset, a reload, SIGTERM. Valgrind must
# report no error and no definite or indirect leak.
. "$(dirname "$0")/lib.sh"
fw_init valgrind

command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
grep -q __asan_init "$FWRELAY" 2>/dev/null &&
    skip "fwrelay is built with AddressSanitizer, which valgrind cannot run"

fw_server echo --mode echo
E=$SRV_PORT
fw_server bulk --count 1 bulk:4M shut eof close
B=$SRV_PORT
fw_server rst --count 1 recvn:10 rst
R=$SRV_PORT
dead=$(fw_port)
pe=$(fw_port) pb=$(fw_port) pr=$(fw_port) pd=$(fw_port)
fw_conf "$CONF" "" "echo 127.0.0.1:$pe 127.0.0.1:$E" \
    "bulk 127.0.0.1:$pb 127.0.0.1:$B" "rst 127.0.0.1:$pr 127.0.0.1:$R" \
    "dead 127.0.0.1:$pd 127.0.0.1:$dead"
FW_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=42 --log-file=$T/valgrind.log"
FW_START_TIMEOUT=30
fw_start

fw_client echo --connect 127.0.0.1:$pe --timeout 20 ping:10 shut eof close
fw_client bulk --connect 127.0.0.1:$pb --timeout 20 bulk:4M shut eof close
fw_client rst --connect 127.0.0.1:$pr --timeout 20 sendn:10 reset:10
fw_client dead --connect 127.0.0.1:$pd --timeout 20 reset:10
fw_bg open "$FWTEST" client --connect 127.0.0.1:$pe --timeout 20 \
    ping:1 touch:"$T/up" hold-cut:20
fw_wait_file "$T/up" 10 || fail "open connection"
kill -HUP "$FW_PID"
ev_wait 20 reload 1 result=ok || fail "reload under valgrind"
ok "relayed echo, bulk, reset, refused and a reload under valgrind"

FW_STOP_TIMEOUT=20
fw_stop
[ -e "$T/valgrind.log" ] || fail "valgrind did not run (no $T/valgrind.log)"
if [ -s "$T/valgrind.log" ]; then
	cat "$T/valgrind.log" >&2
	fail "valgrind reported errors or leaks"
fi
ok "valgrind: no errors, no definite or indirect leaks"
