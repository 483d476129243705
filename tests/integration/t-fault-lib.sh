# t-fault-lib.sh: helpers of the control, fault and privilege scenarios
# (t-control-*.sh, t-fault-*.sh, t-priv-*.sh), sourced after lib.sh; not
# a test itself.
#
# fl_init writes $T/fl.py, one Python tool with:
#   api SOCKET METHOD PATH [BODY|@FILE]   HTTP over the unix socket (or
#        HOST:PORT): prints the status code, then the body
#   batch SOCKET FILE                     many requests, each line
#        CODE|METHOD|PATH|BODY|ERROR-REGEX: status and JSON error checked
#   raw SOCKET BYTES-FILE                 send raw bytes, print the answer
#   server READY-FILE ACTION...           one connection on 127.0.0.1:0;
#        actions: send:N  echo  recvlog  hold:T  (see below)
#   client PORT ACTION...                 connect to 127.0.0.1:PORT
#        actions: send:N  rtt:N  recvlog  recvn:N  rawhex:HEX  expect:HEX
#                 quiet:T  shut
#   prom FILE                             strict text-format 0.0.4 check
# Every wait is bounded; output is "key=value" lines for out_field.

fl_init() {
	FL=$T/fl.py
	cat >"$FL" <<'PYEOF'
import errno, json, os, re, socket, sys, time

def pattern(n, off=0):
    return bytes(((i + off) * 7 + 3) % 251 for i in range(n))

def connect(spec):
    if spec.startswith('/') or ':' not in spec:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(spec)
        return s
    host, port = spec.rsplit(':', 1)
    return socket.create_connection((host, int(port)), timeout=10)

def request(sock, method, path, body=None):
    """One HTTP/1.1 request; (status, headers dict, body bytes)."""
    if isinstance(body, str):
        body = open(body[1:], 'rb').read() if body.startswith('@') else body.encode()
    head = '%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' % (method, path)
    # What the API wants on state-changing calls (FL_NO_GUARD=1: leave it out).
    if os.environ.get('FL_NO_GUARD') != '1':
        head += 'X-Fwrelay: 1\r\n'
    if body is not None:
        head += 'Content-Type: application/json\r\nContent-Length: %d\r\n' % len(body)
    s = connect(sock)
    try:
        s.sendall(head.encode() + b'\r\n' + (body or b''))
    except (BrokenPipeError, ConnectionResetError):
        pass    # the server answered early (413): read what it said
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
    hdr, _, rest = data.partition(b'\r\n\r\n')
    lines = hdr.decode('latin-1').split('\r\n')
    m = re.match(r'HTTP/1\.[01] (\d{3})', lines[0])
    if not m:
        raise SystemExit('%s %s: not an HTTP answer: %r' % (method, path, data[:200]))
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(':')
        hdrs[k.strip().lower()] = v.strip()
    return int(m.group(1)), hdrs, rest

def cmd_api(a):
    code, hdrs, body = request(a[0], a[1], a[2], a[3] if len(a) > 3 else None)
    print(code)
    if 'allow' in hdrs:
        print('Allow: ' + hdrs['allow'], file=sys.stderr)
    sys.stdout.write(body.decode('utf-8', 'replace'))
    return 0

def cmd_batch(a):
    """Lines CODE|METHOD|PATH|BODY|ERROR-REGEX (BODY '-' for none): each
    answer must have that status and a JSON {"error"} matching the regex
    (no regex: any body)."""
    n = 0
    for line in open(a[1]):
        line = line.rstrip('\n')
        if not line or line.startswith('#'):
            continue
        code, method, path, body, rx = line.split('|', 4)
        got, hdrs, data = request(a[0], method, path, None if body == '-' else body)
        if got != int(code):
            raise SystemExit('%s %s: status %d, expected %s: %r' % (method, path, got, code, data[:300]))
        if rx:
            try:
                err = json.loads(data)['error']
            except (ValueError, KeyError, TypeError):
                raise SystemExit('%s %s: no JSON error: %r' % (method, path, data[:300]))
            if not re.search(rx, err):
                raise SystemExit('%s %s: error %r does not match /%s/' % (method, path, err, rx))
        if got == 405 and 'allow' not in hdrs:
            raise SystemExit('%s %s: 405 without Allow' % (method, path))
        print('%d %s %s: %s' % (got, method, path, data.decode('utf-8', 'replace').strip()[:100]))
        n += 1
    print('batch: %d answers as expected' % n)
    return 0

def cmd_raw(a):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(a[0])
    s.sendall(open(a[1], 'rb').read())
    try:
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    out = b''
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    sys.stdout.write(out.decode('latin-1'))
    return 0

def readall(s, deadline):
    """Read until EOF or reset; returns (chunks[(t, len, data)], end)."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return chunks, 'timeout'
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            return chunks, 'timeout'
        except ConnectionResetError:
            return chunks, 'reset'
        if not d:
            return chunks, 'eof'
        chunks.append((time.monotonic(), len(d), d))

def run(s, actions, label):
    t0 = time.monotonic()
    for act in actions:
        name, _, arg = act.partition(':')
        if name == 'send':
            n = int(arg)
            s.sendall(pattern(n))
            print('%s: sent=%d' % (label, n))
        elif name == 'echo':
            chunks, end = readall_echo(s)
            print('%s: echoed=%d end=%s' % (label, chunks, end))
        elif name == 'rtt':
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(int(arg)):
                msg = b'%08d' % i
                t = time.monotonic()
                s.sendall(msg)
                got = b''
                s.settimeout(10)
                while len(got) < len(msg):
                    d = s.recv(64)
                    if not d:
                        raise SystemExit('%s: eof during rtt' % label)
                    got += d
                if got != msg:
                    raise SystemExit('%s: echo %r != %r' % (label, got, msg))
                print('%s: rtt_ms=%.1f' % (label, (time.monotonic() - t) * 1000))
        elif name in ('recvlog', 'recvall'):
            chunks, end = readall(s, time.monotonic() + float(arg or 20))
            data = b''.join(c[2] for c in chunks)
            if chunks and name == 'recvlog':
                first = chunks[0][0]
                for t, n, _ in chunks:
                    print('%s: chunk t_ms=%.1f len=%d' % (label, (t - first) * 1000, n))
            ok = data == pattern(len(data))
            span = (chunks[-1][0] - chunks[0][0]) if chunks else 0
            print('%s: received=%d chunks=%d span_ms=%.1f pattern=%s end=%s' %
                  (label, len(data), len(chunks), span * 1000,
                   'ok' if ok else 'bad', end))
        elif name == 'recvhex':
            chunks, end = readall(s, time.monotonic() + float(arg or 20))
            data = b''.join(c[2] for c in chunks)
            print('%s: hex=%s end=%s' % (label, data.hex() or '-', end))
        elif name == 'recvn':
            n = int(arg)
            got = b''
            deadline = time.monotonic() + 10
            while len(got) < n:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                d = s.recv(n - len(got))
                if not d:
                    raise SystemExit('%s: eof after %d of %d' % (label, len(got), n))
                got += d
            print('%s: recvn=%d' % (label, len(got)))
        elif name == 'rawhex':
            s.sendall(bytes.fromhex(arg))
        elif name == 'expect':
            want = bytes.fromhex(arg)
            got = b''
            s.settimeout(5)
            while len(got) < len(want):
                d = s.recv(len(want) - len(got))
                if not d:
                    break
                got += d
            print('%s: got=%s' % (label, got.hex()))
            if got != want:
                raise SystemExit('%s: expected %s, got %s' % (label, want.hex(), got.hex()))
        elif name == 'quiet':
            chunks, end = readall(s, time.monotonic() + float(arg))
            n = sum(c[1] for c in chunks)
            print('%s: quiet bytes=%d end=%s' % (label, n, end))
            if n or end != 'timeout':
                raise SystemExit('%s: expected silence for %s s, got %d bytes, %s' %
                                 (label, arg, n, end))
        elif name == 'shut':
            s.shutdown(socket.SHUT_WR)
        elif name == 'sleep':
            time.sleep(float(arg))
        elif name == 'touch':
            open(arg, 'w').close()
        elif name == 'waitfile':
            end = time.monotonic() + 20
            while not os.path.exists(arg):
                if time.monotonic() > end:
                    raise SystemExit('%s: %s never came' % (label, arg))
                time.sleep(0.02)
        else:
            raise SystemExit('unknown action ' + act)
    sys.stdout.flush()

def readall_echo(s):
    n = 0
    s.settimeout(20)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                s.shutdown(socket.SHUT_WR)
                return n, 'eof'
            s.sendall(d)
            n += len(d)
    except ConnectionResetError:
        return n, 'reset'
    except socket.timeout:
        return n, 'timeout'

def cmd_server(a):
    ready, actions = a[0], a[1:]
    ls = socket.socket()
    ls.bind(('127.0.0.1', 0))
    ls.listen(4)
    ls.settimeout(30)
    with open(ready + '.tmp', 'w') as f:
        f.write('%d\n' % ls.getsockname()[1])
    os.rename(ready + '.tmp', ready)
    # "accept:N" first: N connections one after the other.
    n = 1
    if actions and actions[0].startswith('accept:'):
        n = int(actions[0][7:])
        actions = actions[1:]
    for i in range(n):
        s, peer = ls.accept()
        label = 'server' if n == 1 else 'server%d' % (i + 1)
        print('%s: peer=%s:%d' % ((label,) + peer))
        run(s, actions, label)
        s.close()
    return 0

def cmd_client(a):
    port, actions = int(a[0]), a[1:]
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    run(s, actions, 'client')
    return 0

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')

def cmd_prom(a):
    text = open(a[0], encoding='utf-8').read()
    if not text.endswith('\n'):
        raise SystemExit('prom: no final newline')
    types, helps, seen, samples = {}, {}, set(), {}
    current = None
    for n, line in enumerate(text.split('\n')[:-1], 1):
        where = '%s:%d' % (a[0], n)
        if line.startswith('#'):
            parts = line.split(' ', 3)
            if len(parts) >= 3 and parts[1] in ('HELP', 'TYPE'):
                name = parts[2]
                if not re.match(r'^[a-zA-Z_:][a-zA-Z0-9_:]*$', name):
                    raise SystemExit('%s: bad metric name %r' % (where, name))
                if parts[1] == 'TYPE':
                    if name in types:
                        raise SystemExit('%s: second TYPE for %s' % (where, name))
                    if name in seen:
                        raise SystemExit('%s: TYPE after samples of %s' % (where, name))
                    if len(parts) != 4 or parts[3] not in ('counter', 'gauge',
                            'histogram', 'summary', 'untyped'):
                        raise SystemExit('%s: bad TYPE line' % where)
                    types[name] = parts[3]
                else:
                    if name in helps:
                        raise SystemExit('%s: second HELP for %s' % (where, name))
                    helps[name] = parts[3] if len(parts) > 3 else ''
                current = name
            continue
        if line == '':
            raise SystemExit('%s: empty line' % where)
        m = SAMPLE.match(line)
        if not m:
            raise SystemExit('%s: not a sample: %r' % (where, line))
        name, labels, value = m.group(1), m.group(3), m.group(4)
        if name != current:
            if name in seen:
                raise SystemExit('%s: samples of %s are not grouped' % (where, name))
            current = name
        seen.add(name)
        lab = {}
        if labels:
            pos = 0
            while pos < len(labels):
                lm = LABEL.match(labels, pos)
                if not lm:
                    raise SystemExit('%s: bad labels %r' % (where, labels))
                if lm.group(1) in lab:
                    raise SystemExit('%s: label %s twice' % (where, lm.group(1)))
                lab[lm.group(1)] = lm.group(2)
                pos = lm.end()
        try:
            v = float(value)
        except ValueError:
            raise SystemExit('%s: bad value %r' % (where, value))
        if types.get(name) == 'counter' and (v < 0 or v != v):
            raise SystemExit('%s: counter %s is %r' % (where, name, value))
        key = (name, tuple(sorted(lab.items())))
        if key in samples:
            raise SystemExit('%s: duplicate sample %r' % (where, key))
        samples[key] = v
    for name in seen:
        if name not in types:
            raise SystemExit('prom: %s has samples but no TYPE' % name)
    for (name, lab), v in sorted(samples.items()):
        print('%s%s %s' % (name, ''.join(',%s=%s' % kv for kv in lab), repr(v)))
    return 0

cmds = dict(api=cmd_api, batch=cmd_batch, raw=cmd_raw, server=cmd_server, client=cmd_client,
            prom=cmd_prom)
sys.exit(cmds[sys.argv[1]](sys.argv[2:]))
PYEOF
}

# fl_api METHOD PATH [BODY]: the API on $SOCK; sets CODE and BODY ($T/api.out).
fl_api() {
	"$PY" "$FL" api "$SOCK" "$@" >"$T/api.out" 2>"$T/api.err" ||
	    fail "api $*: $(cat "$T/api.err")"
	CODE=$(head -n 1 "$T/api.out")
	BODY=$(tail -n +2 "$T/api.out")
}

# fl_expect CODE METHOD PATH [BODY]: the API must answer CODE.
fl_expect() {
	local want=$1
	shift
	fl_api "$@"
	[ "$CODE" = "$want" ] || fail "$1 $2: status $CODE, expected $want: $BODY"
}

# fl_json EXPR: a Python expression over the last answer's body (b) true.
fl_json() {
	printf '%s' "$BODY" | "$PY" -c '
import json, sys
b = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" || fail "answer: not ($1): $BODY"
}

# fl_server NAME ACTION...: the Python backend; sets SRV_PID and SRV_PORT.
fl_server() {
	local name=$1
	shift
	rm -f "$T/$name.ready"
	fw_bg "$name" "$PY" "$FL" server "$T/$name.ready" "$@"
	SRV_PID=$BG_PID
	fw_wait_file "$T/$name.ready" 5 || fail "server $name not ready"
	SRV_PORT=$(cat "$T/$name.ready")
}

# fl_client NAME PORT ACTION...: a Python client run to the end.
fl_client() {
	local name=$1
	shift
	"$PY" "$FL" client "$@" >"$T/$name.out" 2>"$T/$name.err" ||
	    { cat "$T/$name.err" >&2; fail "client $name"; }
}
