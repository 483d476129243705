#!/bin/sh
# The status page in a real browser: headless Chromium (Debian's) driven
# over the DevTools protocol (tests/ui/uidrive.py) against fwrelay with
# relays r (tcp) and x400 (rfc1006) and the control API on control_tcp.
# The page loads from the binary with no console error and shows the
# relays; a new connection appears with its inspector state, and a close
# event, within a second; switching r to transparent on the page makes the
# next connection's target see the client's own 127.1.0.11; the two
# pinholes an ept_map through relay epm opened show with their time left
# counting down; a refused
# change (fixed without an address) shows the API's error; a fault is added
# and removed, x400 disabled and enabled, the file reloaded. Screenshots
# stay in tests/ui/out/ of the build directory.
. "$(dirname "$0")/../integration/lib.sh"
fw_init ui
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "$CHROMIUM is missing (scripts/deps --test)"
"$PY" -c 'import impacket' 2>/dev/null ||
    skip "impacket is missing (apt-get install python3-impacket)"

fw_server back --listen 127.2.0.10:0 --count 4 peer echo close
back=$SRV_PORT
fw_server sink --listen 127.2.0.11:0 --mode sink
sink=$SRV_PORT
# An endpoint mapper (impacket) behind an "epm" relay, for pinholes.
A=127.8.61.1 S=127.8.61.2
P=$(fw_port $S)
fw_bg epmsrv "$PY" "$(dirname "$0")/../inspect/epmserver.py" --listen $S:$P \
    --ready "$T/epmsrv.ready" --seconds 120
fw_wait_file "$T/epmsrv.ready" 10 ||
    fail "impacket server not ready: $(cat "$T/epmsrv.err")"
p=$(fw_port 127.2.0.1) px=$(fw_port 127.2.0.2) ptcp=$(fw_port)
fw_conf "$CONF" "control = \"$T/ctl.sock\"; control_tcp = \"127.0.0.1:$ptcp\";" \
    "r 127.2.0.1:$p 127.2.0.10:$back source = \"rewrite\";" \
    "x400 127.2.0.2:$px 127.2.0.11:$sink protocol = \"rfc1006\"; faults = ( { type = \"latency\"; latency_ms = 5; } );" \
    "epm $A:$P $S:$P protocol = \"epm\"; pinholes = true; rewrite_towers = true; pinhole_timeout = 300.0;"
fw_start
# ept_lookup and ept_map through it: two pinholes open (300 s).
"$PY" "$(dirname "$0")/../inspect/epmclient.py" --epm $A:$P --call none \
    >"$T/lookup.out" 2>"$T/lookup.err" ||
    fail "impacket lookup/map: $(cat "$T/lookup.err")"
ev_wait 5 pinhole_open 2 relay=epm || fail "two pinholes"

OUT=$top_builddir/tests/ui/out
rm -rf "$OUT"
mkdir -p "$OUT"
UI_BASE=http://127.0.0.1:$ptcp FWTEST=$FWTEST R_ADDR=127.2.0.1:$p \
    X_ADDR=127.2.0.2:$px EVLOG=$EVLOG OUT=$OUT CHROMIUM=$CHROMIUM \
    PROFILE=$T/profile "$PY" "$(dirname "$0")/uidrive.py" ||
    fail "the page in chromium (log: $OUT/chromium.log)"
[ -s "$OUT/status-page.png" ] || fail "no screenshot"
ok "screenshots in $OUT"
fw_stop
