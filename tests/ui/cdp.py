"""cdp.py: a headless Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on fd 3, answers on fd 4, each message
NUL-terminated), so no port and no websocket are needed. Standard library
only. Used by uidrive.py."""
import json, os, shutil, subprocess, tempfile, time

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
         '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync',
         '--disable-default-apps', '--disable-extensions',
         '--remote-debugging-pipe', '--window-size=1280,900']


class Browser:
    def __init__(self, binary, profile_dir, log):
        self.profile = profile_dir
        os.makedirs(profile_dir)
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()

        def child():
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)
        self.proc = subprocess.Popen(
            [binary] + FLAGS + ['--user-data-dir=' + profile_dir, 'about:blank'],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            preexec_fn=child, close_fds=False)
        os.close(to_r)
        os.close(from_w)
        self._buf = b''
        self._id = 0
        self.events = []       # every event received: (method, params, session)
        self.session = None

    def close(self):
        try:
            self.call('Browser.close', session=False, timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_w)
        os.close(self._from_r)

    def _read_one(self, deadline):
        import select
        while b'\0' not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('no answer from chromium')
            r, _, _ = select.select([self._from_r], [], [], left)
            if r:
                d = os.read(self._from_r, 1 << 20)
                if not d:
                    raise EOFError('chromium closed the pipe (exit %s)'
                                   % self.proc.poll())
                self._buf += d
        msg, _, self._buf = self._buf.partition(b'\0')
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=30):
        self._id += 1
        m = {'id': self._id, 'method': method, 'params': params or {}}
        if session is None:
            session = self.session
        if session:
            m['sessionId'] = session
        os.write(self._to_w, json.dumps(m).encode() + b'\0')
        deadline = time.monotonic() + timeout
        while True:
            r = self._read_one(deadline)
            if 'id' not in r:
                self.events.append((r.get('method'), r.get('params', {}),
                                    r.get('sessionId')))
                continue
            if r['id'] != self._id:
                continue
            if 'error' in r:
                raise RuntimeError('%s: %s' % (method, r['error']))
            return r.get('result', {})

    def pump(self, seconds=0.0):
        """Take in the events that arrived (waiting up to seconds)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                if b'\0' not in self._buf:
                    import select
                    left = max(0.0, deadline - time.monotonic())
                    r, _, _ = select.select([self._from_r], [], [], left)
                    if not r:
                        return
                r = self._read_one(time.monotonic() + 1)
                if 'id' not in r:
                    self.events.append((r.get('method'), r.get('params', {}),
                                        r.get('sessionId')))
        except TimeoutError:
            return

    def open_page(self, width=1280, height=900):
        t = self.call('Target.createTarget', {'url': 'about:blank'},
                      session=False)
        a = self.call('Target.attachToTarget',
                      {'targetId': t['targetId'], 'flatten': True},
                      session=False)
        self.session = a['sessionId']
        for m in ('Page.enable', 'Runtime.enable', 'Log.enable'):
            self.call(m)
        self.call('Emulation.setDeviceMetricsOverride',
                  {'width': width, 'height': height, 'deviceScaleFactor': 1,
                   'mobile': False})

    def navigate(self, url):
        r = self.call('Page.navigate', {'url': url})
        if r.get('errorText'):
            raise RuntimeError('navigate %s: %s' % (url, r['errorText']))

    def js(self, expr):
        """The value of a JavaScript expression (promises awaited)."""
        r = self.call('Runtime.evaluate', {'expression': expr,
                      'returnByValue': True, 'awaitPromise': True})
        if 'exceptionDetails' in r:
            raise RuntimeError('js %r: %s' % (expr, r['exceptionDetails']))
        return r['result'].get('value')

    def wait_js(self, expr, seconds, what):
        """Poll expr until it is truthy; its value, or an error after
        seconds."""
        deadline = time.monotonic() + seconds
        while True:
            v = self.js(expr)
            if v:
                return v
            if time.monotonic() >= deadline:
                raise AssertionError('%s: not within %.1f s' % (what, seconds))
            time.sleep(0.02)

    def problems(self):
        """Console errors, uncaught exceptions and error log entries so far
        (text of each)."""
        out = []
        for method, p, _ in self.events:
            if method == 'Runtime.exceptionThrown':
                d = p.get('exceptionDetails', {})
                out.append('exception: %s %s' % (d.get('text'),
                           d.get('exception', {}).get('description', '')))
            elif method == 'Runtime.consoleAPICalled' and \
                    p.get('type') in ('error', 'assert'):
                out.append('console.%s: %s' % (p['type'], ' '.join(
                    str(a.get('value', a.get('description', '')))
                    for a in p.get('args', []))))
            elif method == 'Log.entryAdded' and \
                    p.get('entry', {}).get('level') == 'error':
                e = p['entry']
                out.append('log %s: %s %s' % (e.get('source'), e.get('text'),
                                              e.get('url', '')))
        return out

    def screenshot(self, path):
        h = self.js('Math.ceil(document.documentElement.scrollHeight)')
        self.call('Emulation.setDeviceMetricsOverride',
                  {'width': 1280, 'height': max(600, min(int(h), 4000)),
                   'deviceScaleFactor': 1, 'mobile': False})
        import base64
        r = self.call('Page.captureScreenshot', {'format': 'png'})
        with open(path, 'wb') as f:
            f.write(base64.b64decode(r['data']))
        self.call('Emulation.setDeviceMetricsOverride',
                  {'width': 1280, 'height': 900, 'deviceScaleFactor': 1,
                   'mobile': False})
