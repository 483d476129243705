#!/bin/sh
# Whatever a client sends, the API answers 4xx (JSON {"error"} from our
# handlers) and the daemon goes on relaying: unknown paths 404, wrong
# methods 405 with Allow, malformed JSON 400, bad values 422, bodies over
# 64 KiB 413 (JSON whatever their size), garbage and oversized headers
# over the raw socket. Reload through the API: 200; a broken file 422 with
# every error as file:line, the running relays untouched; a file that
# cannot be applied (its port is taken) 409.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init control-errors
fl_init
SOCK=$T/ctl.sock

fw_server back echo
back=$SRV_PORT
p=$(fw_port)
fw_conf "$CONF" "control = \"$SOCK\";" "r 127.0.0.1:$p 127.0.0.1:$back"
fw_start

"$PY" -c 'import sys; sys.stdout.write("{\"x\": \"" + "a" * 70000 + "\"}")' >"$T/big.json"
"$PY" -c 'import sys; sys.stdout.write("a" * 4000000)' >"$T/huge.json"
cat >"$T/bad.txt" <<BATCH
404|GET|/v1/nothing|-|no such resource
404|GET|/nothing|-|no such resource
404|GET|/v1/relays/nosuch|-|no relay named 'nosuch'
404|GET|/v1//relays|-|no such resource
404|GET|/v1/connections/abc|-|no connection abc
404|GET|/v1/connections/99999999999999999999999|-|no connection
405|DELETE|/v1/relays|-|not allowed
405|GET|/v1/reload|-|not allowed
405|POST|/metrics|-|not allowed
400|PATCH|/v1/relays/r|{"source": |malformed JSON
400|PATCH|/v1/relays/r|[1, 2]|must be a JSON object
400|PATCH|/v1/relays/r|{"a": 1, "a": 2}|malformed JSON
400|PATCH|/v1/relays/r|-|JSON object is required
422|PATCH|/v1/relays/r|{"colour": "red"}|unknown key 'colour'
422|PATCH|/v1/relays/r|{"source": "sideways"}|must be
422|PATCH|/v1/relays/r|{"source": "fixed"}|required with source
422|PATCH|/v1/relays/r|{"source_address": "not-an-ip"}|bad address 'not-an-ip'
422|PATCH|/v1/relays/r|{"enabled": "yes"}|true or false
422|PATCH|/v1/relays/r|{"policy": [{"action": "allow"}, {"action": "maybe"}]}|policy rule 1:
422|PATCH|/v1/relays/r|{"policy": [{"action": "allow", "from": "300.1.1.1/8"}]}|from
422|PATCH|/v1/relays/r|{"policy": 7}|array of rules
422|POST|/v1/relays/r/faults|{"type": "wormhole"}|unknown fault type
422|POST|/v1/relays/r/faults|{"type": "latency"}|latency_ms' is required
422|POST|/v1/relays/r/faults|{"type": "latency", "latency_ms": -1}|>= 0
422|POST|/v1/relays/r/faults|{"type": "cr_refuse"}|rfc1006
404|DELETE|/v1/relays/r/faults/17|-|no fault 17
404|DELETE|/v1/relays/r/faults/c1|-|no fault c1
413|PATCH|/v1/relays/r|@$T/big.json|larger than 65536
413|PATCH|/v1/relays/r|@$T/huge.json|larger than 65536
BATCH
"$PY" "$FL" batch "$SOCK" "$T/bad.txt" >"$T/bad.out" 2>&1 ||
    fail "bad requests: $(tail -n 3 "$T/bad.out")"
ok "$(tail -n 1 "$T/bad.out"): 4xx, JSON errors (a 4 MB body too)"

# Raw abuse over the socket: not HTTP, a header bomb, a cut request.
printf '\000\377 garbage\r\n\r\n' >"$T/raw1"
"$PY" -c 'import sys; sys.stdout.write("GET /v1/status HTTP/1.1\r\nX: " + "b" * 100000 + "\r\n\r\n")' >"$T/raw2"
printf 'PATCH /v1/relays/r HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"sou' >"$T/raw3"
printf 'GET /v1/status HTTP/1.1\r\nContent-Length: -5\r\n\r\n' >"$T/raw4"
for f in raw1 raw2 raw3 raw4; do
	"$PY" "$FL" raw "$SOCK" "$T/$f" >"$T/$f.out" 2>&1 || true
	head -n 1 "$T/$f.out" | grep -q "^HTTP/1.1 [23]" &&
	    fail "$f was accepted: $(head -n 1 "$T/$f.out")"
done
fw_alive "$FW_PID" || fail "fwrelay died"
fw_client after --connect 127.0.0.1:$p ping:3 shut eof
ok "garbage, a 100 KB header and a cut body: refused; the daemon still relays"

# Reload: good, broken (422), cannot apply (409).
fl_expect 200 POST /v1/reload
fl_json "b['ok'] is True"
cp "$CONF" "$T/good.conf"
printf 'relays = ( { name = "r"; listen = "127.0.0.1:%s"; target = "nowhere"; }, { name = "s"; } );\nevent_log = "%s";\n' "$p" "$EVLOG" >"$CONF"
fl_expect 422 POST /v1/reload
fl_json "b['ok'] is False and len(b['errors']) >= 2 and all(e.startswith('$CONF:') for e in b['errors'])"
fw_client still --connect 127.0.0.1:$p ping:2 shut eof
ok "broken file: 422 with $(printf '%s' "$BODY" | grep -c "$CONF:") file:line errors, relaying untouched"
fw_server taken echo
taken=$SRV_PORT
fw_conf "$CONF" "control = \"$SOCK\";" "r 127.0.0.1:$p 127.0.0.1:$back" \
    "s 127.0.0.1:$taken 127.0.0.1:$back"
fl_expect 409 POST /v1/reload
fl_json "b['ok'] is False and any('$taken' in e for e in b['errors'])"
fw_client still2 --connect 127.0.0.1:$p ping:2 shut eof
ok "a listener that cannot bind: 409, the running relays untouched"
ev_assert "reload events: ok, then failed twice" \
    "[e['result'] for e in sel('reload')] == ['ok', 'failed', 'failed']"
cp "$T/good.conf" "$CONF"
fw_stop
