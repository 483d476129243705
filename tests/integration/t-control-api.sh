#!/bin/sh
# The control API against the running daemon: the unix socket is 0600;
# PATCH rewrite -> transparent changes the source the NEXT connection's
# target sees while an open connection keeps its snapshot and goes on;
# DELETE resets a connection; a PATCHed policy denies by its first rule;
# enabled off holds new connections in the backlog until enabled again;
# the same API over control_tcp; a body over the limit, whatever its size
# and framing, gets the JSON 413 on both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init control-api
fl_init
SOCK=$T/ctl.sock

fw_server back --listen 127.2.0.10:0 peer echo
back=$SRV_PORT
p=$(fw_port 127.2.0.1) ptcp=$(fw_port)
fw_conf "$CONF" "control = \"$SOCK\"; control_tcp = \"127.0.0.1:$ptcp\";" \
    "r 127.2.0.1:$p 127.2.0.10:$back source = \"rewrite\";"
fw_start

[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode $(stat -c %a "$SOCK")"
ok "control socket is mode 0600"
fl_expect 200 GET /v1/status
fl_json "b['pid'] == $FW_PID and b['relays'] == 1 and b['event_log'] == '$EVLOG'"
fl_expect 200 GET /v1/relays/r
fl_json "b['source'] == 'rewrite' and b['listen'] == '127.2.0.1:$p' and b['enabled']"
ok "status and relay read back"

# A connection open across the change.
fw_bg a "$FWTEST" client --source 127.1.0.10 --connect 127.2.0.1:$p \
    --timeout 15 peer:127.0.0.1 "hold-until:$T/go" shut eof close
apid=$BG_PID
ev_wait 5 connect 1 relay=r || fail "connection a"

fl_expect 200 PATCH /v1/relays/r '{"source": "transparent"}'
fl_json "b['changes'] == {'source': 'transparent'} and b['relay']['source'] == 'transparent'"
ev_wait 5 mode_change 1 relay=r || fail "no mode_change event"
ev_assert "mode_change says what changed and from what" \
    "one('mode_change')['changes'] == {'source': 'transparent'} and
     one('mode_change')['previous']['source'] == 'rewrite'"

fw_client b --source 127.1.0.10 --connect 127.2.0.1:$p \
    peer:127.1.0.10 ping:2 shut eof close
ok "the next connection's target sees the client 127.1.0.10 ($(out_field "$T/b.out" peer))"

fl_expect 200 GET /v1/connections
fl_json "[(c['source'], c['target_local'].split(':')[0], c['client'].split(':')[0]) for c in b['connections']] == [('rewrite', '127.0.0.1', '127.1.0.10')]"
touch "$T/go"
fw_expect_exit "$apid" 10 "connection a (rewrite snapshot)"
grep -q "peer=127.0.0.1:" "$T/a.out" || fail "a: $(cat "$T/a.out")"
ok "the open connection kept its rewrite source and went on working"

# DELETE: a reset to both ends.
fw_bg c "$FWTEST" client --source 127.1.0.10 --connect 127.2.0.1:$p \
    --timeout 15 peer hold-cut:10
cpid=$BG_PID
ev_wait 5 connect 3 relay=r || fail "connection c"
cid=$(ev_get connect conn relay=r | tail -n 1)
sleep 0.2
fl_expect 200 DELETE "/v1/connections/$cid"
fw_expect_exit "$cpid" 5 "connection c"
grep -q "hold-cut: .*cut=reset" "$T/c.out" || fail "c: $(cat "$T/c.out")"
ev_wait 5 close 1 "conn=$cid" reason=deleted closed_by=relay || fail "close"
fl_expect 404 DELETE "/v1/connections/$cid"
ok "DELETE /v1/connections/$cid reset the client; a second DELETE is 404"

# Policy: the first rule denies 127.1.0.10, the next allows the rest.
fl_expect 200 PATCH /v1/relays/r \
    '{"policy": [{"action": "deny", "from": "127.1.0.10/32", "deny": "reset"}, {"action": "allow"}]}'
fw_client denied --source 127.1.0.10 --connect 127.2.0.1:$p reset
fw_client allowed --source 127.1.0.11 --connect 127.2.0.1:$p \
    peer:127.1.0.11 ping:1 shut eof close
ev_wait 5 deny 1 relay=r rule=0 || fail "deny event"
fl_expect 200 PATCH /v1/relays/r '{"policy": null}'
fl_json "b['relay']['policy'] is None"
ok "PATCHed policy: 127.1.0.10 reset by rule 0, 127.1.0.11 allowed; then removed"

# enabled off: the listener stays bound, nothing is accepted.
fl_expect 200 PATCH /v1/relays/r '{"enabled": false}'
n=$(ev_count accept)
fw_bg late "$FWTEST" client --source 127.1.0.12 --connect 127.2.0.1:$p \
    --timeout 10 peer:127.1.0.12 ping:1 shut eof close
lpid=$BG_PID
sleep 0.5
[ "$(ev_count accept)" = "$n" ] || fail "accepted while disabled"
"$PY" "$FL" api "127.0.0.1:$ptcp" PATCH /v1/relays/r '{"enabled": true}' \
    >"$T/tcp.out" || fail "api over control_tcp"
[ "$(head -n 1 "$T/tcp.out")" = 200 ] || fail "control_tcp: $(cat "$T/tcp.out")"
fw_expect_exit "$lpid" 5 "the client queued while disabled"
ok "enabled off held the client in the backlog; enabled on (over control_tcp) let it through"

# Bodies over the limit (64 KiB), whatever their size and framing: the
# JSON 413, then the connection closed, on both sockets; a body just under
# it is read. The daemon's peak memory does not grow by the body's size.
cat >"$T/big.py" <<'PYEOF'
import json, re, socket, sys

MAX = 65536
HEAD = 'PATCH /v1/relays/r HTTP/1.1\r\nHost: localhost\r\nX-Fwrelay: 1\r\n'

def connect(spec):
    if spec.startswith('/'):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(spec)
    else:
        host, port = spec.rsplit(':', 1)
        s = socket.create_connection((host, int(port)))
    s.settimeout(10)
    return s

def send(s, data):
    try:
        s.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False    # answered and closed early: read the answer

def answers(s):
    """Read to EOF: the list of (status, headers, body) answers."""
    data = b''
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    except ConnectionResetError:
        pass
    s.close()
    out = []
    while data:
        head, _, rest = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        m = re.match(r'HTTP/1\.1 (\d{3}) ', lines[0])
        if not m:
            raise SystemExit('not an HTTP answer: %r' % data[:200])
        h = dict((k.strip().lower(), v.strip()) for k, _, v in
            (l.partition(':') for l in lines[1:]))
        n = int(h.get('content-length', len(rest)))
        out.append((int(m.group(1)), h, rest[:n]))
        data = rest[n:]
    return out

def check(what, got, code, rx):
    if not got:
        raise SystemExit('%s: no answer' % what)
    st, h, body = got[-1]
    if st != code:
        raise SystemExit('%s: status %d, expected %d: %r' % (what, st, code, body[:200]))
    if h.get('content-type') != 'application/json':
        raise SystemExit('%s: Content-Type %r: %r' % (what, h.get('content-type'), body[:200]))
    try:
        err = json.loads(body)['error']
    except (ValueError, KeyError, TypeError):
        raise SystemExit('%s: no JSON error: %r' % (what, body[:200]))
    if not re.search(rx, err):
        raise SystemExit('%s: error %r does not match /%s/' % (what, err, rx))
    print('%s: %d %s' % (what, st, err))

def declared(spec):
    """Content-Length: 20000000000 and a few bytes of it."""
    s = connect(spec)
    send(s, (HEAD + 'Content-Length: 20000000000\r\n\r\n{"sou').encode())
    check('declared 20 GB', answers(s), 413, 'larger than %d bytes' % MAX)

def streamed(spec, size):
    """A real body of size bytes, sent whole unless refused before."""
    s = connect(spec)
    send(s, (HEAD + 'Content-Length: %d\r\n\r\n' % size).encode())
    chunk = b'a' * 65536
    sent = 0
    while sent < size and send(s, chunk):
        sent += len(chunk)
    check('streamed %d bytes' % size, answers(s), 413, 'larger than %d' % MAX)

def chunked(spec):
    """Chunks of 16 KiB, 20 MiB in all, with no Content-Length."""
    s = connect(spec)
    send(s, (HEAD + 'Transfer-Encoding: chunked\r\n\r\n').encode())
    chunk = b'4000\r\n' + b'a' * 0x4000 + b'\r\n'
    for _ in range(1280):
        if not send(s, chunk):
            break
    else:
        send(s, b'0\r\n\r\n')
    check('chunked 20 MiB', answers(s), 413, 'larger than %d' % MAX)

def under(spec, how):
    """A JSON body of exactly MAX bytes: read, and refused for its key."""
    doc = b'{"colour": "' + b'a' * (MAX - 14) + b'"}'
    assert len(doc) == MAX
    s = connect(spec)
    if how == 'length':
        send(s, (HEAD + 'Connection: close\r\nContent-Length: %d\r\n\r\n' % MAX).encode() + doc)
    else:
        send(s, (HEAD + 'Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n').encode() +
            b''.join(b'%x\r\n%s\r\n' % (len(doc[i:i + 5000]), doc[i:i + 5000])
                for i in range(0, MAX, 5000)) + b'0\r\n\r\n')
    check('%d bytes (%s)' % (MAX, how), answers(s), 422, "unknown key 'colour'")

def nolength(spec):
    """No Content-Length: no body; what streams on is the next head."""
    s = connect(spec)
    send(s, (HEAD + '\r\n').encode())
    for _ in range(320):
        if not send(s, b'b' * 65536):
            break
    got = answers(s)
    check('no Content-Length', got[:1], 400, 'JSON object is required')
    check('then 20 MiB of no request', got[1:], 413, 'head larger than')

def folded(spec):
    """A folded Content-Length, which evhttp would join and read."""
    s = connect(spec)
    send(s, (HEAD + 'Content-Length:\r\n 20000000000\r\n\r\n{"sou').encode())
    check('folded Content-Length', answers(s), 400, 'bad Content-Length')
    s = connect(spec)
    send(s, (HEAD + 'Content-Length: 2\r\n 0000000\r\n\r\n{}').encode())
    check('folded line', answers(s), 400, 'folded')

spec = sys.argv[1]
for t in sys.argv[2:]:
    name, _, arg = t.partition(':')
    if arg:
        globals()[name](spec, *([int(arg)] if arg.isdigit() else [arg]))
    else:
        globals()[name](spec)
PYEOF
hwm() {
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$FW_PID/status"
}
hwm0=$(hwm)
for spec in "$SOCK" "127.0.0.1:$ptcp"; do
	"$PY" "$T/big.py" "$spec" declared streamed:20971520 chunked \
	    under:length under:chunked nolength folded >"$T/big.out" 2>&1 ||
	    fail "bodies over $spec: $(tail -n 3 "$T/big.out")"
	ok "over $spec: $(tr '\n' ';' <"$T/big.out")"
done
"$PY" "$T/big.py" "$SOCK" streamed:12582912 >"$T/big.out" 2>&1 ||
    fail "12 MiB body: $(cat "$T/big.out")"
hwm1=$(hwm)
[ $((hwm1 - hwm0)) -lt 4096 ] ||
    fail "peak memory grew from $hwm0 kB to $hwm1 kB"
ok "a 12 MiB body refused without being held (peak memory $hwm0 -> $hwm1 kB)"
fl_expect 200 GET /v1/relays
fl_json "[x['name'] for x in b['relays']] == ['r']"
fw_client after --source 127.1.0.11 --connect 127.2.0.1:$p \
    peer:127.1.0.11 ping:2 shut eof close
ok "after them the API answers and the relay relays"
fw_stop
