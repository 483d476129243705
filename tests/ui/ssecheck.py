"""ssecheck.py SOCKET EVLOG: GET /v1/events over the control API's unix
socket. (1) A stream sees a PATCH's mode_change as an SSE message with the
event as it is in the log. (2) A stalled reader (it stops reading) does not
hold up the daemon: every PATCH is still answered while its stream backs
up; once it reads again it gets a "dropped" event whose count matches the
ids it missed. (3) Last-Event-ID resumes after that id. (4) At most 16
streams; closed ones are cleaned up, so 16 new ones open afterwards."""
import json, os, re, socket, sys, threading, time

SOCK, EVLOG = sys.argv[1], sys.argv[2]


def ok(m):
    print('ok - ' + m, flush=True)


def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(SOCK)
    return s


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else b''
    s = conn()
    s.sendall(('%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n'
               'X-Fwrelay: 1\r\nContent-Type: application/json\r\n'
               'Content-Length: %d\r\n\r\n' % (method, path, len(data)))
              .encode() + data)
    out = b''
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    s.close()
    return int(out.split(b' ', 2)[1]), out.partition(b'\r\n\r\n')[2]


def stream(extra=''):
    s = conn()
    s.sendall(('GET /v1/events HTTP/1.1\r\nHost: localhost\r\n%s\r\n'
               % extra).encode())
    return s


def read_until(s, pred, seconds):
    """Read the stream until pred(text so far) holds."""
    buf = b''
    deadline = time.monotonic() + seconds
    while not pred(buf.decode('latin-1')):
        if time.monotonic() > deadline:
            raise AssertionError('stream: not within %d s: %r' %
                                 (seconds, buf[-300:]))
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            d = s.recv(1 << 20)
        except socket.timeout:
            continue
        if not d:
            raise AssertionError('stream closed: %r' % buf[-300:])
        buf += d
    return buf.decode('latin-1')


def messages(text):
    """(id, event-name, data) of each SSE message (chunk framing ignored:
    each data line is one JSON object)."""
    out = []
    for m in re.finditer(r'(?:id: (\d+)\n)?(?:event: (\w+)\n)?data: (\{.*\})\n',
                         text):
        out.append((int(m.group(1)) if m.group(1) else None, m.group(2),
                    json.loads(m.group(3))))
    return out


# (1) a live stream
live = stream()
head = read_until(live, lambda t: 'retry: 1000' in t, 5)
assert head.startswith('HTTP/1.1 200') and \
    'Content-Type: text/event-stream' in head, head
code, _ = call('PATCH', '/v1/relays/r', {'enabled': True})
assert code == 200, code
t = read_until(live, lambda t: '"mode_change"' in t, 5)
mc = [m for m in messages(t) if m[2].get('event') == 'mode_change'][-1]
logged = [json.loads(l) for l in open(EVLOG) if '"mode_change"' in l][-1]
assert mc[2] == logged, (mc, logged)
ok('a stream carries the mode_change event as the log has it (id %d)' % mc[0])
last_live = mc[0]

# (2) a stalled reader: a small receive buffer, then no reads at all
stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
stalled.settimeout(10)
stalled.connect(SOCK)
stalled.sendall(b'GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n')
time.sleep(0.2)
rules = [{'action': 'allow', 'from': '127.%d.%d.0/24' % (i // 250, i % 250)}
         for i in range(400)]


class Reader(threading.Thread):
    """Reads the live stream all along."""
    def __init__(self, s):
        super().__init__(daemon=True)
        self.s, self.buf, self.lock = s, b'', threading.Lock()
        s.settimeout(30)

    def run(self):
        while True:
            try:
                d = self.s.recv(1 << 20)
            except OSError:
                return
            if not d:
                return
            with self.lock:
                self.buf += d

    def text(self):
        with self.lock:
            return self.buf.decode('latin-1')


rd = Reader(live)
rd.start()
n = 0
t0 = time.monotonic()
for i in range(60):
    code, body = call('PATCH', '/v1/relays/r', {'policy': rules if i % 2
                      else None})
    assert code == 200, (code, body[:200])
    n += 1
    # The live reader has it, whole, before the next one (bounded). A
    # count of the name alone would also count a message still arriving.
    deadline = time.monotonic() + 10
    while len([m for m in messages(rd.text())
               if m[2].get('event') == 'mode_change']) < n:
        assert time.monotonic() < deadline, 'live stream behind at %d' % n
        time.sleep(0.005)
ok('%d PATCHes answered (%.1f s) while a stream was not being read'
   % (n, time.monotonic() - t0))
code, _ = call('GET', '/v1/status')
assert code == 200
t = rd.text()
assert 'event: dropped' not in t
ids = [m[0] for m in messages(t) if m[2].get('event') == 'mode_change']
assert ids == list(range(ids[0], ids[0] + n)), ids
ok('the live stream, read all along, got all %d in order (ids %d..%d)'
   % (len(ids), ids[0], ids[-1]))
last_id = ids[-1]
# The stalled one reads again; one more event flushes the dropped notice.
got = b''
stalled.settimeout(0.5)
while True:
    try:
        d = stalled.recv(1 << 20)
    except socket.timeout:
        break
    if not d:
        break
    got += d
call('PATCH', '/v1/relays/r', {'enabled': True})
stalled.settimeout(5)
text = got.decode('latin-1')
deadline = time.monotonic() + 10
while 'event: dropped' not in text or '"enabled":true' not in \
        text.split('event: dropped', 1)[1]:
    if time.monotonic() > deadline:
        raise AssertionError('no dropped notice: %r' % text[-400:])
    try:
        d = stalled.recv(1 << 20)
    except socket.timeout:
        continue
    if not d:
        raise AssertionError('stalled stream closed')
    text += d.decode('latin-1')
ms = messages(text)
drop = [m for m in ms if m[1] == 'dropped'][0][2]['dropped']
seen = [m[0] for m in ms if m[0] is not None and m[0] > last_live]
missing = set(range(last_live + 1, last_id + 1)) - set(seen)
assert drop > 0 and drop == len(missing), (drop, len(missing))
ok('the stalled stream got %d events, then "dropped": %d, the very ids it '
   'missed' % (len(seen), drop))
stalled.close()
live.shutdown(socket.SHUT_RDWR)
live.close()

# (3) Last-Event-ID resumes after that id.
code, _ = call('PATCH', '/v1/relays/r', {'enabled': True})
r = stream('Last-Event-ID: %d\r\n' % (last_id + 1))
t = read_until(r, lambda t: '"mode_change"' in t, 5)
first = messages(t)[0][0]
assert first == last_id + 2, (first, last_id)
r.close()
ok('Last-Event-ID %d: the stream resumes at %d' % (last_id + 1, first))

# (4) 16 streams at most; after they close, 16 open again.
for rnd in range(2):
    ss = [stream() for _ in range(16)]
    for s in ss:
        read_until(s, lambda t: 'retry: 1000' in t, 5)
    code, body = call('GET', '/v1/events')
    assert code == 503 and b'too many event streams' in body, (code, body)
    for s in ss:
        s.close()
    deadline = time.monotonic() + 5
    while True:
        # Closed streams are noticed at once (EOF): a 17th opens.
        s = stream()
        try:
            t = read_until(s, lambda t: '\r\n\r\n' in t, 5)
        except AssertionError:
            t = ''
        s.close()
        if t.startswith('HTTP/1.1 200'):
            break
        assert time.monotonic() < deadline, 'streams not cleaned up: %r' % t
        time.sleep(0.05)
ok('16 streams at most (the 17th: 503); closed ones are cleaned up, twice')
