# insp-lib.sh: helpers of the protocol inspection tests (t-*.sh here),
# sourced after tests/integration/lib.sh. Byte-exact peers (rawpeer.py),
# the PROTOCOLS.md worked examples as hex, skips for missing tools, a
# capture on lo for tshark to decode, started and stopped by PID.

RAWPEER=$(cd "$(dirname "$0")" && pwd)/rawpeer.py
INSP_DIR=$(cd "$(dirname "$0")" && pwd)

# PROTOCOLS.md 1.8: calling TSAP MTA-A, called MTA-B, TPDU size 2048.
CR="03 00 00 1c 17 e0 00 00 00 01 00 c0 01 0b c1 05 4d 54 41 2d 41 c2 05 4d 54 41 2d 42"
CC="03 00 00 1c 17 d0 00 01 00 02 00 c0 01 0b c1 05 4d 54 41 2d 41 c2 05 4d 54 41 2d 42"
DT1="03 00 00 0a 02 f0 00 01 02 03"	# EOT=0
DT2="03 00 00 09 02 f0 80 04 05"	# EOT=1
DR="03 00 00 0b 06 80 00 01 00 02 03"
ER="03 00 00 0d 08 70 00 01 02 c1 02 02 50"

# PROTOCOLS.md 2.6 (a), (b), (e): bind to EPM v3.0, its bind_ack with the
# secondary address "135", a fault nca_s_unk_if (call 3).
BIND="05 00 0b 03 10 00 00 00 48 00 00 00 01 00 00 00
 b8 10 b8 10 00 00 00 00 01 00 00 00 00 00 01 00
 08 83 af e1 1f 5d c9 11 91 a4 08 00 2b 14 a0 fa
 03 00 00 00 04 5d 88 8a eb 1c c9 11 9f e8 08 00
 2b 10 48 60 02 00 00 00"
BIND_ACK="05 00 0c 03 10 00 00 00 3c 00 00 00 01 00 00 00
 b8 10 b8 10 53 f0 00 00 04 00 31 33 35 00 00 00
 01 00 00 00 00 00 00 00 04 5d 88 8a eb 1c c9 11
 9f e8 08 00 2b 10 48 60 02 00 00 00"
FAULT="05 00 03 03 10 00 00 00 20 00 00 00 03 00 00 00
 00 00 00 00 00 00 00 00 03 00 01 1c 00 00 00 00"

# Squeeze the spaces out of a hex string (for comparisons with sink files).
hx() {
	echo "$*" | tr -d ' \n|'
}

insp_need_impacket() {
	"$PY" -c 'import impacket.dcerpc.v5.rpcrt, impacket.dcerpc.v5.epm' \
	    2>/dev/null || skip "impacket is missing ($PY cannot import" \
	    "impacket.dcerpc.v5; apt-get install python3-impacket)"
}

# insp_tshark_why: why no capture can be decoded here; nothing when one can.
insp_tshark_why() {
	if ! command -v tshark >/dev/null 2>&1; then
		echo "tshark is missing (apt-get install tshark)"
	elif ! command -v dumpcap >/dev/null 2>&1; then
		echo "dumpcap is missing (apt-get install tshark)"
	elif [ "$(id -u)" -ne 0 ]; then
		echo "capturing on lo needs root"
	fi
}

insp_need_tshark() {
	local why
	why=$(insp_tshark_why)
	[ -z "$why" ] || skip "$why"
}

# ev_checks < SPEC: several event log checks in one Python run
# (evcheck.py: "== WHAT" lines, each followed by an expression over evs,
# sel(), one()).
ev_checks() {
	"$PY" "$INSP_DIR/evcheck.py" "${EVLOG_FILE:-$EVLOG}" ||
	    fail "event log checks"
}

# ev_spec WHAT EXPR: queue a check (ev_assert's arguments); ev_run: run
# the queued checks in one go.
ev_spec() {
	printf '== %s\n%s\n' "$1" "$2" >>"$T/checks"
}

ev_run() {
	ev_checks <"$T/checks"
	rm -f "$T/checks"
}

# rp_server NAME LISTEN [--count N] STEP...: a rawpeer backend; sets RP_PID
# and RP_PORT once it listens.
rp_server() {
	local name=$1 listen=$2
	shift 2
	rm -f "$T/$name.ready"
	fw_bg "$name" "$PY" "$RAWPEER" server --listen "$listen" \
	    --ready "$T/$name.ready" "$@"
	RP_PID=$BG_PID
	fw_wait_file "$T/$name.ready" 5 ||
	    fail "rawpeer server $name not ready: $(cat "$T/$name.err")"
	RP_PORT=$(cat "$T/$name.ready")
}

# rp_client NAME rawpeer-client-args...: run to the end; fail if it fails.
rp_client() {
	local name=$1
	shift
	if ! "$PY" "$RAWPEER" client "$@" >"$T/$name.out" 2>"$T/$name.err"
	then
		cat "$T/$name.out" "$T/$name.err" >&2
		fail "client $name"
	fi
}

# rp_wait PID NAME: a rawpeer server must finish with status 0.
rp_wait() {
	local st
	fw_wait_exit "$1" 8
	st=$?
	if [ $st -ne 0 ]; then
		cat "$T/$2.out" "$T/$2.err" >&2
		[ $st -eq 124 ] && fail "$2 still running"
		fail "$2 exited with status $st"
	fi
}

# ts_mark NAME ADDR: a UDP datagram with a unique payload to ADDR (inside
# the capture filter); returns once the capture file holds it, hence also
# everything captured before it.
ts_mark() {
	local mark="fwrelay-capture-mark-$$-$(date +%s%N)" n=0
	${TS_WRAP:-} "$PY" -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
    sys.argv[1].encode(), (sys.argv[2], 9))' "$mark" "$2" ||
	    fail "capture marker"
	while ! grep -q "$mark" "$T/$1.pcapng" 2>/dev/null; do
		fw_alive "$TS_PID" ||
		    fail "capture ended: $(cat "$T/$1.capture.err")"
		[ $n -ge 500 ] && fail "the capture marker never reached $1"
		sleep 0.02
		n=$((n + 1))
	done
}

# ts_start NAME CAPTURE-FILTER ADDR: capture on lo into $T/NAME.pcapng
# (that of a namespace when TS_WRAP is "ip netns exec NS");
# returns once a marker sent to ADDR is in the file, so the capture is
# live. Sets TS_PID. The capture runs in dumpcap, tshark's own capture
# engine, which is ready in a fraction of a second where tshark here
# takes seconds to load its dissectors; tshark decodes the file later.
ts_start() {
	local n=0
	fw_bg "$1.capture" ${TS_WRAP:-} dumpcap -i lo -f "$2" -w "$T/$1.pcapng"
	TS_PID=$BG_PID
	while ! grep -q "^File:" "$T/$1.capture.err" 2>/dev/null; do
		fw_alive "$TS_PID" ||
		    fail "dumpcap ended: $(cat "$T/$1.capture.err")"
		[ $n -ge 500 ] && fail "dumpcap did not start within 10 s"
		sleep 0.02
		n=$((n + 1))
	done
	ts_mark "$1" "$3"
}

# ts_stop NAME ADDR: end the capture once every packet is in the file
# (a last marker), by PID.
ts_stop() {
	ts_mark "$1" "$2"
	kill -INT "$TS_PID" 2>/dev/null
	fw_wait_exit "$TS_PID" 10
	[ $? -eq 124 ] && fail "dumpcap still running after SIGINT"
	return 0
}

# insp_stop: fw_stop, except that the pinhole events (not tied to a
# connection) name in "client" the host allowed through, without a port,
# which lib.sh's validator takes for a malformed address: validate a copy
# with that key renamed.
insp_stop() {
	local st
	kill -TERM "$FW_PID" || fail "fwrelay is gone before SIGTERM"
	fw_wait_exit "$FW_PID" "${FW_STOP_TIMEOUT:-8}"
	st=$?
	[ $st -eq 124 ] && fail "fwrelay still running after SIGTERM"
	[ $st -eq 0 ] || fail "fwrelay exited with status $st after SIGTERM"
	"$PY" - "$EVLOG" "$T/events-validate.json" <<'PYEOF' ||
import json, sys
out = open(sys.argv[2], 'w')
for line in open(sys.argv[1]):
    ev = json.loads(line)
    if ev.get('event', '').startswith('pinhole_') and 'conn' not in ev \
            and 'client' in ev:
        ev['pinhole_client'] = ev.pop('client')
    out.write(json.dumps(ev) + '\n')
PYEOF
	    fail "event log copy"
	EVLOG_FILE=$T/events-validate.json ev_validate stopped ||
	    fail "event log invariants"
	ok "fwrelay stopped with status 0, event log consistent"
}
