"""uidrive.py: the status page in headless Chromium against a running
fwrelay (t-ui.sh sets it up). Each check prints "ok - ..." or raises.
Environment: UI_BASE (http://127.0.0.1:PORT), FWTEST, R_ADDR and X_ADDR
(the listen addresses of relays r and x400), EVLOG, OUT (the screenshots),
CHROMIUM, PROFILE (a new, empty user data directory)."""
import json, os, socket, subprocess, sys, time, urllib.request
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser

E = os.environ
BASE, OUT = E['UI_BASE'], E['OUT']


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if method != 'GET':
        req.add_header('X-Fwrelay', '1')
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def events():
    out = []
    with open(E['EVLOG']) as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    return out


def wait(pred, seconds, what):
    deadline = time.monotonic() + seconds
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError(what + ': not within %.1f s' % seconds)
        time.sleep(0.02)


def ok(msg):
    print('ok - ' + msg, flush=True)


def q(s):
    return json.dumps(s)


def main():
    log = open(os.path.join(OUT, 'chromium.log'), 'wb')
    b = Browser(E['CHROMIUM'], E['PROFILE'], log)
    held = []
    try:
        run(b, held)
    finally:
        for p in held:
            if isinstance(p, socket.socket):
                p.close()
            elif p.poll() is None:
                p.kill()
                p.wait()
        b.close()


def run(b, held):
    b.open_page()
    b.navigate(BASE + '/')
    # Loaded: the relays are drawn and the event stream is open.
    b.wait_js('document.querySelector("#relays tr[data-relay=r]") !== null'
              ' && document.querySelector("#stream.on") !== null', 15,
              'page with relays and a live event stream')
    b.pump(0.3)
    probs = b.problems()
    if probs:
        raise AssertionError('console errors on load: %s' % probs)
    ok('page loaded from the binary, event stream live, no console error')

    st, doc = api('GET', '/v1/relays')
    for r in doc['relays']:
        lt = b.js('(document.querySelector(\'#relays tr[data-relay=%s] .lt\')'
                  ' || {}).textContent' % q(r['name']))
        want = r['listen'] + ' \u2192 ' + r['target']
        if lt != want:
            raise AssertionError('relay %s shows %r, not %r' %
                                 (r['name'], lt, want))
        mode = b.js('document.querySelector(\'#relays tr[data-relay=%s] '
                    'select.mode\').value' % q(r['name']))
        if mode != r['source']:
            raise AssertionError('relay %s mode %r' % (r['name'], mode))
    names = b.js('[...document.querySelectorAll("#relays tr[data-relay]")]'
                 '.map(e => e.dataset.relay).join(",")')
    if names != ','.join(r['name'] for r in doc['relays']):
        raise AssertionError('relays on the page: %s' % names)
    ok('the page shows the configured relays %s with listen, target, mode'
       % names)
    # The status line says how many workers carry them, when more than one.
    nw = api('GET', '/v1/status')[1]['workers']
    line = b.wait_js('(t => t.includes(" connections") && t)(document.'
                     'querySelector("#status").textContent)', 5,
                     'the status line')
    if (nw > 1) != (' on %d workers' % nw in line):
        raise AssertionError('%d workers, status line %r' % (nw, line))
    ok('status line: %s' % line)

    # A new connection (a COTP CR into the rfc1006 relay): in the table
    # with its inspector state within a second of the API showing it.
    host, port = E['X_ADDR'].rsplit(':', 1)
    s = socket.socket()
    s.bind(('127.1.0.10', 0))
    s.connect((host, int(port)))
    held.append(s)
    s.sendall(bytes.fromhex('0300001611e00000000100c1020001c2020001c0010a'))
    mine = lambda: [c for c in api('GET', '/v1/connections')[1]['connections']
                    if c['client'] == '127.1.0.10:%d' % s.getsockname()[1]
                    and c['inspector_state']]
    cid = wait(mine, 5, 'the connection in /v1/connections')[0]['id']
    t0 = time.monotonic()
    cell = b.wait_js('(document.querySelector(\'#conns tr[data-conn="%d"] '
                     '.insp\') || {}).textContent' % cid, 1.0,
                     'connection %d on the page' % cid)
    ok('connection %d shown %.2f s after the API had it; inspector: %s'
       % (cid, time.monotonic() - t0, cell[:60]))
    if not cell.startswith('rfc1006 {'):
        raise AssertionError('inspector cell %r' % cell)

    # The pinholes of the ept_map: each with its time left, counting down.
    phs = api('GET', '/v1/pinholes')[1]['pinholes']
    if len(phs) != 2:
        raise AssertionError('pinholes in the API: %s' % phs)
    first = b.wait_js('(l => l.length === 2 && l)(%s)' %
                      '[...document.querySelectorAll("#pinholes td.left")]'
                      '.map(e => parseFloat(e.textContent))', 3,
                      'two pinholes on the page')
    if not all(0 < x <= 300 for x in first):
        raise AssertionError('time left %s' % first)
    later = b.wait_js('(l => l.length === 2 && l[0] < %f && l)(%s)' % (
                      first[0], '[...document.querySelectorAll("#pinholes '
                      'td.left")].map(e => parseFloat(e.textContent))'), 5,
                      'the time left counting down')
    ok('pinholes %s shown with time left %s s, then %s s' % (
       ', '.join(p['listen'] for p in phs), first, later))

    # A fault added and removed from the page, the relay disabled and
    # enabled again: the API shows each change.
    b.js('(() => { const r = document.querySelector("#relays tr[data-relay=r]");'
         ' r.querySelector("select.ftype").value = "latency";'
         ' r.querySelector("input.kv").value = "latency_ms=40 direction=upstream";'
         ' r.querySelector("button.fadd").click(); })()')
    wait(lambda: api('GET', '/v1/relays/r/faults')[1]['faults'], 5,
         'the fault in the API')
    fid = api('GET', '/v1/relays/r/faults')[1]['faults'][-1]['id']
    b.wait_js('document.querySelector(\'#relays tr[data-relay=r] '
              '[data-fault="%s"]\') !== null' % fid, 5, 'fault on the page')
    ok('fault %s (latency 40 ms) added from the page' % fid)

    # A connection through r, open while the screenshot is taken.
    rhost, rport = E['R_ADDR'].rsplit(':', 1)
    go = os.path.join(OUT, 'go')
    c1 = subprocess.Popen([E['FWTEST'], 'client', '--source', '127.1.0.20',
                           '--connect', E['R_ADDR'], '--timeout', '20',
                           'peer:127.0.0.1', 'hold-until:' + go, 'shut',
                           'eof', 'close'], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    held.append(c1)
    rc = lambda: [c for c in api('GET', '/v1/connections')[1]['connections']
                  if c['relay'] == 'r' and c['client'].startswith('127.1.0.20:')]
    cid1 = wait(rc, 5, 'the r connection in the API')[0]['id']
    b.wait_js('document.querySelector(\'#conns tr[data-conn="%d"]\') '
              '!== null' % cid1, 1.0, 'connection %d on the page' % cid1)

    # Switch r to transparent from the page.
    b.js('(() => { const r = document.querySelector("#relays tr[data-relay=r]");'
         ' const m = r.querySelector("select.mode"); m.value = "transparent";'
         ' m.dispatchEvent(new Event("change"));'
         ' r.querySelector("input.addr").value = "";'
         ' r.querySelector("button.apply").click(); })()')
    msg = b.wait_js('document.querySelector("#msg.info") && '
                    'document.querySelector("#msg").textContent === '
                    '"r: source transparent: done" && "r: source transparent: '
                    'done"', 5, 'the switch confirmed')
    if api('GET', '/v1/relays/r')[1]['source'] != 'transparent':
        raise AssertionError('r is not transparent after %r' % msg)
    ok('switched r to transparent from the page (%s)' % msg)
    # The next connection's target sees the client's own address.
    c2 = subprocess.run([E['FWTEST'], 'client', '--source', '127.1.0.11',
                         '--connect', E['R_ADDR'], 'peer:127.1.0.11',
                         'ping:2', 'shut', 'eof', 'close'],
                        capture_output=True, text=True, timeout=20)
    if c2.returncode != 0:
        raise AssertionError('transparent client: %s' % c2.stderr)
    seen = [l for l in c2.stdout.split() if l.startswith('peer=')]
    ok('the next connection\'s target saw the client itself: %s' % seen)
    b.wait_js('[...document.querySelectorAll("#events li[data-event=close]")]'
              '.length >= 1', 2, 'close of the transparent connection')
    time.sleep(0.3)
    b.screenshot(os.path.join(OUT, 'status-page.png'))
    ok('screenshot %s' % os.path.join(OUT, 'status-page.png'))

    # The held r connection ends: its close event on the page within a
    # second of the log having it.
    open(go, 'w').close()
    c1.wait(20)
    if c1.returncode != 0:
        raise AssertionError('held client: %s' % c1.stderr.read())
    wait(lambda: [e for e in events() if e['event'] == 'close'
                  and e.get('conn') == cid1], 5, 'close %d in the log' % cid1)
    t0 = time.monotonic()
    b.wait_js('document.querySelector(\'#events li[data-event=close]'
              '[data-conn="%d"]\') !== null' % cid1, 1.0,
              'close event of %d on the page' % cid1)
    b.wait_js('document.querySelector(\'#conns tr[data-conn="%d"]\') '
              '=== null' % cid1, 1.0, 'connection %d gone from the table' % cid1)
    ok('close of connection %d shown %.2f s after the log had it'
       % (cid1, time.monotonic() - t0))

    # A refused change: fixed without an address; the API's text shows.
    b.js('(() => { const r = document.querySelector("#relays tr[data-relay=r]");'
         ' const m = r.querySelector("select.mode"); m.value = "fixed";'
         ' m.dispatchEvent(new Event("change"));'
         ' r.querySelector("input.addr").value = "";'
         ' r.querySelector("button.apply").click(); })()')
    err = b.wait_js('document.querySelector("#msg.error") && '
                    'document.querySelector("#msg").textContent', 5,
                    'the refusal shown')
    want = 'PATCH /v1/relays/r: 422: \'source_address\' is required with ' \
           'source "fixed"'
    if err != want:
        raise AssertionError('error shown %r, not %r' % (err, want))
    if api('GET', '/v1/relays/r')[1]['source'] != 'transparent':
        raise AssertionError('the refused change changed r')
    b.screenshot(os.path.join(OUT, 'status-page-refused.png'))
    ok('refused change shows the API\'s error: %s' % err)

    # Remove the fault, disable and enable, then reload: each from the page.
    b.js('document.querySelector(\'#relays tr[data-relay=r] '
         '[data-fault="%s"] button\').click()' % fid)
    wait(lambda: not [f for f in api('GET', '/v1/relays/r/faults')[1]['faults']
                      if f['id'] == fid], 5, 'fault removed')
    ok('fault %s removed from the page' % fid)
    b.js('document.querySelector("#relays tr[data-relay=x400] '
         'button.toggle").click()')
    wait(lambda: api('GET', '/v1/relays/x400')[1]['enabled'] is False, 5,
         'x400 disabled')
    b.wait_js('document.querySelector("#relays tr[data-relay=x400] '
              '.state").textContent === "disabled"', 5, 'disabled shown')
    b.js('document.querySelector("#relays tr[data-relay=x400] '
         'button.toggle").click()')
    wait(lambda: api('GET', '/v1/relays/x400')[1]['enabled'] is True, 5,
         'x400 enabled')
    ok('x400 disabled and enabled again from the page')
    n = len([e for e in events() if e['event'] == 'reload'])
    b.js('document.querySelector("#reload").click()')
    wait(lambda: len([e for e in events() if e['event'] == 'reload']) > n, 5,
         'reload event')
    b.wait_js('document.querySelector("#relays tr[data-relay=r] '
              'select.mode").value === "rewrite"', 5,
              'r back to the file\'s rewrite after the reload')
    ok('reload from the page: r is back to the file\'s source rewrite')
    b.pump(0.2)
    bad = [p for p in b.problems() if not p.startswith('log network:')]
    if bad:
        raise AssertionError('errors on the page: %s' % bad)
    ok('no JavaScript error or console error during the run')


if __name__ == '__main__':
    main()
