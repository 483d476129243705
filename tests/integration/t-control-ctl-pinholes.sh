#!/bin/sh
# fwrelayctl pinholes with real pinholes: an ept_map through an "epm"
# relay (impacket at both ends) opens two; each row's ALLOW_FROM column is
# the client the pinhole admits, the API's allow_from, not "-".
. "$(dirname "$0")/lib.sh"
fw_init control-ctl-pinholes
CTL=$(dirname "$FWRELAY")/fwrelayctl
[ -x "$CTL" ] || { echo "ERROR: $CTL not built" >&2; exit 99; }
"$PY" -c 'import impacket' 2>/dev/null ||
    skip "impacket is missing (apt-get install python3-impacket)"
SOCK=$T/ctl.sock

A=127.8.62.1 S=127.8.62.2
P=$(fw_port $S)
fw_bg epmsrv "$PY" "$(dirname "$0")/../inspect/epmserver.py" --listen $S:$P \
    --ready "$T/epmsrv.ready" --seconds 60
fw_wait_file "$T/epmsrv.ready" 10 ||
    fail "impacket server not ready: $(cat "$T/epmsrv.err")"
fw_conf "$CONF" "control = \"$SOCK\";" \
    "epm $A:$P $S:$P protocol = \"epm\"; pinholes = true; rewrite_towers = true; pinhole_timeout = 300.0;"
fw_start
"$PY" "$(dirname "$0")/../inspect/epmclient.py" --epm $A:$P --call none \
    >"$T/lookup.out" 2>"$T/lookup.err" ||
    fail "impacket lookup/map: $(cat "$T/lookup.err")"
ev_wait 5 pinhole_open 2 relay=epm || fail "two pinholes"

"$CTL" -s "$SOCK" --json pinholes >"$T/pin.json" 2>"$T/pin.err" ||
    fail "fwrelayctl --json pinholes: $(cat "$T/pin.err")"
from=$("$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))["pinholes"]
f = sorted({p["allow_from"] for p in d})
sys.exit("no pinholes") if not d else print(" ".join(f))' "$T/pin.json") ||
    fail "no pinholes in: $(cat "$T/pin.json")"
case $from in
""|*-*|*" "*) fail "allow_from not one address: '$from'" ;;
esac
"$CTL" -s "$SOCK" pinholes >"$T/pin.out" 2>"$T/pin.err" ||
    fail "fwrelayctl pinholes: $(cat "$T/pin.err")"
grep -Eq "^RELAY +KIND +FOR +LISTEN +TARGET +ALLOW_FROM " "$T/pin.out" ||
    fail "header: $(cat "$T/pin.out")"
rows=$(awk 'NR > 1 && $1 == "epm"' "$T/pin.out" | wc -l)
[ "$rows" = 2 ] || fail "$rows epm rows: $(cat "$T/pin.out")"
bad=$(awk -v f="$from" 'NR > 1 && $6 != f' "$T/pin.out")
[ -z "$bad" ] || fail "rows whose ALLOW_FROM is not $from: $bad"
ok "two pinhole rows, ALLOW_FROM $from on each"
fw_stop
