#!/bin/sh
# GET /v1/events, the Server-Sent Events stream of the event log
# (tests/ui/ssecheck.py): the events as logged, a stalled reader that
# does not hold up the daemon and learns how many it missed, Last-Event-ID,
# the 16-stream limit and the clean-up of closed streams. Then the guard
# of state-changing calls: no X-Fwrelay header (what a cross-site form
# sends) 403, and a Host that is not loopback (a DNS-rebound name) 403.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/t-fault-lib.sh"
fw_init ui-events
fl_init
SOCK=$T/ctl.sock

fw_server back --listen 127.2.0.10:0 echo
p=$(fw_port 127.2.0.1)
fw_conf "$CONF" "control = \"$SOCK\";" "r 127.2.0.1:$p 127.2.0.10:$SRV_PORT"
fw_start

"$PY" "$(dirname "$0")/ssecheck.py" "$SOCK" "$EVLOG" || fail "event stream"

# A cross-site form: POST, a form's content type, no X-Fwrelay.
printf 'POST /v1/reload HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=b' >"$T/form"
"$PY" "$FL" raw "$SOCK" "$T/form" >"$T/form.out" 2>&1 || true
head -n 1 "$T/form.out" | grep -q "^HTTP/1.1 403" ||
    fail "a form POST: $(head -n 1 "$T/form.out")"
grep -q "needs the header 'X-Fwrelay: 1'" "$T/form.out" ||
    fail "form POST: $(cat "$T/form.out")"
n=$(ev_count reload)
[ "$n" -eq 0 ] || fail "the refused reload ran ($n reload events)"
FL_NO_GUARD=1 fl_expect 403 PATCH /v1/relays/r '{"enabled": false}'
fl_expect 200 GET /v1/relays/r
fl_json "b['enabled'] is True"
ok "without X-Fwrelay: 1 a POST (form) and a PATCH are 403 and change nothing"
fl_expect 200 POST /v1/reload
ok "with it, the same reload is 200"
printf 'GET /v1/status HTTP/1.1\r\nHost: rebound.example:8080\r\nConnection: close\r\n\r\n' >"$T/host"
"$PY" "$FL" raw "$SOCK" "$T/host" >"$T/host.out" 2>&1 || true
head -n 1 "$T/host.out" | grep -q "^HTTP/1.1 403" ||
    fail "Host rebound.example: $(head -n 1 "$T/host.out")"
for h in localhost 127.0.0.1:1 '[::1]:80' LOCALHOST:9 127.9.9.9; do
	printf 'GET /v1/status HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$h" >"$T/host"
	"$PY" "$FL" raw "$SOCK" "$T/host" >"$T/host.out" 2>&1 || true
	head -n 1 "$T/host.out" | grep -q "^HTTP/1.1 200" ||
	    fail "Host $h: $(head -n 1 "$T/host.out")"
done
ok "Host rebound.example is 403; localhost, 127.x and [::1] are served"

# fwrelayctl events -r follows the same stream: only new events, then
# with -a the kept ones too, as the log has them.
CTL=$(dirname "$FWRELAY")/fwrelayctl
fw_bg ctlev "$CTL" -s "$SOCK" --json events -r -n 2
cpid=$BG_PID
# Its stream is open once /v1/status counts it; then two changes.
n=0
while :; do
	fl_expect 200 GET /v1/status
	printf '%s' "$BODY" | grep -q '"event_streams": 1' && break
	[ $n -ge 100 ] && fail "fwrelayctl's stream not open: $BODY"
	n=$((n + 1))
	sleep 0.05
done
fl_expect 200 PATCH /v1/relays/r '{"enabled": false}'
fl_expect 200 PATCH /v1/relays/r '{"enabled": true}'
fw_expect_exit "$cpid" 10 "fwrelayctl events -r"
tail -n 2 "$EVLOG" >"$T/ctlev.want"
cmp -s "$T/ctlev.out" "$T/ctlev.want" ||
    fail "events -r: $(cat "$T/ctlev.out") vs $(cat "$T/ctlev.want")"
"$CTL" -s "$SOCK" events -r -a -n 3 >"$T/ctlev2.out" 2>&1 ||
    fail "events -r -a: $(cat "$T/ctlev2.out")"
[ "$(wc -l <"$T/ctlev2.out")" -eq 3 ] || fail "events -r -a: $(cat "$T/ctlev2.out")"
# The three oldest kept: earlier than the last two, each in the log.
while read -r ts ev rest; do
	grep -q "\"ts\":\"$ts\",\"event\":\"$ev\"" "$EVLOG" ||
	    fail "events -r -a printed $ts $ev, not in the log"
	grep -qF "$ts" "$T/ctlev.out" && fail "events -r -a: $ts is not old"
done <"$T/ctlev2.out"
ok "fwrelayctl events -r printed the two mode_change lines the log has; -a kept ones"

# A stream still open when the daemon stops: it ends the stream and exits 0.
fw_bg hold "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
s.settimeout(20)
buf = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    buf += d
    if b"retry: 1000" in buf and not buf.endswith(b"ready"):
        open(sys.argv[2], "w").close()
print("closed after %d bytes" % len(buf))' "$SOCK" "$T/hold.ready"
hpid=$BG_PID
fw_wait_file "$T/hold.ready" 5 || fail "holding stream not open"
fw_stop
fw_expect_exit "$hpid" 10 "the held stream (closed by the daemon)"
ok "a stream open at stop: $(cat "$T/hold.out")"
