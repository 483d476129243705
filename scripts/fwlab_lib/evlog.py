#!/usr/bin/python3
"""evlog: the one reader of fwrelay's (and mtasim's) JSON-lines event log
for the tests and fwlab.

  load(path)               the events, each with its line number as _line
  match(ev, name, conds)   name ('*' for any) and conds: "key=value"
                           (str(ev[key]) == value) or "key~regex"
  Selector(evs)            .sel(name, *conds), .one(name, *conds)
  check(evs, expr)         a Python expression over evs, sel, one, re:
                           None when true, else why not
  validate(path, stopped)  every line well formed; when stopped, start ...
                           stop and one close per accept

As a command (tests/integration/lib.sh's ev_* functions, evcheck.py):
  evlog.py wait EVLOG PID SECONDS EVENT COUNT [cond...]
  evlog.py count EVLOG EVENT [cond...]
  evlog.py get EVLOG EVENT FIELD [cond...]
  evlog.py assert EVLOG WHAT EXPR
  evlog.py checks EVLOG < SPEC   ("== WHAT" lines, each followed by an
                                 expression; one "ok - events: WHAT" each)
  evlog.py validate EVLOG [stopped] [rotated]
"""
import json
import os
import re
import sys
import time


TS = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$')
ADDR = re.compile(r'^(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:.]+\]):\d+$')

def load(path, strict=False):
    evs = []
    try:
        data = open(path, encoding='utf-8').read()
    except FileNotFoundError:
        return evs
    lines = data.split('\n')
    if lines and lines[-1] != '':
        if strict:
            raise SystemExit('%s: last line is not terminated' % path)
    lines = lines[:-1]
    for n, line in enumerate(lines, 1):
        try:
            ev = json.loads(line)
        except ValueError as e:
            raise SystemExit('%s:%d: not JSON (%s): %r' % (path, n, e, line))
        if not isinstance(ev, dict):
            raise SystemExit('%s:%d: not an object' % (path, n))
        ev['_line'] = n
        evs.append(ev)
    return evs

def match(ev, name, conds):
    if name not in ('*', ev.get('event')):
        return False
    for c in conds:
        if '~' in c and ('=' not in c or c.index('~') < c.index('=')):
            k, v = c.split('~', 1)
            if k not in ev or not re.search(v, str(ev[k])):
                return False
        else:
            k, v = c.split('=', 1)
            if k not in ev or str(ev[k]) != v:
                return False
    return True

def alive(pid):
    try:
        st = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return st != 'Z'

def validate(path, stopped, rotated=False):
    evs = load(path, strict=True)
    errs = []
    accepts, closes, last_ts = {}, {}, ''
    for ev in evs:
        where = '%s:%d' % (path, ev['_line'])
        if isinstance(ev.get('ts'), str):
            if ev['ts'] < last_ts:
                errs.append('%s: ts %s before the previous %s' %
                            (where, ev['ts'], last_ts))
            last_ts = ev['ts']
        if not isinstance(ev.get('event'), str):
            errs.append('%s: no "event"' % where)
        if not isinstance(ev.get('ts'), str) or not TS.match(ev['ts']):
            errs.append('%s: bad ts %r' % (where, ev.get('ts')))
        for k in ('client', 'target', 'source', 'listen'):
            if k in ev and not (isinstance(ev[k], str) and ADDR.match(ev[k])):
                errs.append('%s: bad %s %r' % (where, k, ev[k]))
        if 'conn' in ev and (not isinstance(ev['conn'], int) or
                             isinstance(ev['conn'], bool)):
            errs.append('%s: conn is not an integer: %r' % (where, ev['conn']))
        e = ev.get('event')
        if e == 'accept':
            for k in ('relay', 'conn', 'client'):
                if k not in ev:
                    errs.append('%s: accept without %s' % (where, k))
            if ev.get('conn') in accepts:
                errs.append('%s: conn %r accepted twice' % (where, ev.get('conn')))
            accepts[ev.get('conn')] = ev
        elif e == 'close':
            for k in ('conn', 'bytes_from_client', 'bytes_from_target',
                      'duration_ms', 'closed_by', 'reason'):
                if k not in ev:
                    errs.append('%s: close without %s' % (where, k))
            for k in ('bytes_from_client', 'bytes_from_target',
                      'duration_ms'):
                if k in ev and not (isinstance(ev[k], int) and ev[k] >= 0):
                    errs.append('%s: %s is %r' % (where, k, ev[k]))
            if ev.get('closed_by') not in ('client', 'target', 'relay'):
                errs.append('%s: closed_by %r' % (where, ev.get('closed_by')))
            c = ev.get('conn')
            if c not in accepts:
                errs.append('%s: close of conn %r never accepted' % (where, c))
            if c in closes:
                errs.append('%s: second close of conn %r' % (where, c))
            closes[c] = ev
        elif e in ('connect', 'connect_failed'):
            if ev.get('conn') not in accepts:
                errs.append('%s: %s of conn %r never accepted' %
                            (where, e, ev.get('conn')))
            if 'target' not in ev:
                errs.append('%s: %s without target' % (where, e))
            if e == 'connect' and 'source' not in ev:
                errs.append('%s: connect without source' % where)
            if e == 'connect_failed' and 'error' not in ev:
                errs.append('%s: connect_failed without error' % where)
    if stopped:
        if not rotated and (not evs or evs[0].get('event') != 'start'):
            errs.append('the first event is %r, not start' %
                        (evs[0].get('event') if evs else None))
        for c in accepts:
            if c not in closes:
                errs.append('conn %r accepted but never closed' % c)
        if not evs or evs[-1].get('event') != 'stop':
            errs.append('the last event is %r, not stop' %
                        (evs[-1].get('event') if evs else None))
        if sum(1 for ev in evs if ev.get('event') == 'stop') != 1:
            errs.append('not exactly one stop event')
    for e in errs:
        print('ev: ' + e, file=sys.stderr)
    return not errs


class CheckFailed(Exception):
    pass


class Selector:
    """sel() and one() over a list of events."""

    def __init__(self, evs):
        self.evs = evs

    def sel(self, name, *conds):
        return [e for e in self.evs if match(e, name, conds)]

    def one(self, name, *conds):
        r = self.sel(name, *conds)
        if len(r) != 1:
            raise CheckFailed('%d %s events %s, expected one' %
                              (len(r), name, ' '.join(conds)))
        return r[0]


def check(evs, expr):
    """None when expr holds over evs, else the reason."""
    s = Selector(evs)
    env = dict(evs=evs, sel=s.sel, one=s.one, re=re)
    try:
        res = eval('(' + expr + '\n)', env)
    except CheckFailed as e:
        return str(e)
    except Exception as e:
        return '%s: %r' % (type(e).__name__, e)
    return None if res else 'false: ' + ' '.join(expr.split())


def parse_spec(text):
    """[(what, expr)] of a "== WHAT" / expression lines spec."""
    checks, what, expr = [], None, []
    for line in text.splitlines():
        if line.startswith('== '):
            if what is not None:
                checks.append((what, '\n'.join(expr)))
            what, expr = line[3:].strip(), []
        elif what is not None:
            expr.append(line)
    if what is not None:
        checks.append((what, '\n'.join(expr)))
    return checks


def run_checks(path, text):
    checks = parse_spec(text)
    if not checks:
        print('evcheck: no checks given', file=sys.stderr)
        return 2
    evs = load(path)
    failed = 0
    for what, expr in checks:
        why = check(evs, expr)
        if why is None:
            print('ok - events: %s' % what)
        else:
            failed += 1
            print('ev: %s: %s' % (what, why), file=sys.stderr)
    return 1 if failed else 0


def wait(path, pid, limit, name, count, conds):
    end = time.monotonic() + limit
    while True:
        n = sum(1 for ev in load(path) if match(ev, name, conds))
        if n >= count:
            return 0
        if pid and not alive(pid):
            print('ev: fwrelay (pid %d) exited while waiting for %d %s '
                  'events (%d seen)' % (pid, count, name, n),
                  file=sys.stderr)
            return 1
        if time.monotonic() > end:
            print('ev: %d of %d %s events %s within %.1f s' %
                  (n, count, name, ' '.join(conds), limit), file=sys.stderr)
            return 1
        time.sleep(0.02)


def main(argv):
    cmd, path, a = argv[1], argv[2], argv[3:]
    if cmd == 'wait':
        return wait(path, int(a[0] or 0), float(a[1]), a[2], int(a[3]),
                    a[4:])
    if cmd == 'count':
        print(sum(1 for ev in load(path) if match(ev, a[0], a[1:])))
        return 0
    if cmd == 'get':
        for ev in load(path):
            if match(ev, a[0], a[2:]):
                print(ev.get(a[1], ''))
        return 0
    if cmd == 'assert':
        why = check(load(path), a[1])
        if why is not None:
            print('ev: %s: %s' % (a[0], why), file=sys.stderr)
            return 1
        return 0
    if cmd == 'checks':
        return run_checks(path, sys.stdin.read())
    if cmd == 'validate':
        return 0 if validate(path, 'stopped' in a, 'rotated' in a) else 1
    raise SystemExit('evlog.py: unknown command ' + cmd)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
