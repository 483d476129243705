#!/usr/bin/python3
"""evcheck: several event log checks in one process (each Python start
costs a noticeable fraction of a second on a loaded machine).

  evcheck.py EVLOG < SPEC

SPEC is a list of checks, each a line "== WHAT" followed by a Python
expression (any number of lines) that must be true. The expression sees
evs (every event), sel(name, *conds) (the matching events), one(name,
*conds) (the single matching event; anything but exactly one fails the
check) and re. A cond is "key=value" (str(event[key]) == value) or
"key~regex" (re.search on str(event[key])), as in lib.sh's ev_assert.
Prints "ok - events: WHAT" or the reason per check; exit status 1 if any
failed.
"""
import json
import re
import sys


class CheckFailed(Exception):
    pass


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


def main():
    evs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]

    def sel(name, *conds):
        return [e for e in evs if match(e, name, conds)]

    def one(name, *conds):
        r = sel(name, *conds)
        if len(r) != 1:
            raise CheckFailed('%d %s events %s, expected one' %
                              (len(r), name, ' '.join(conds)))
        return r[0]

    checks, what, expr = [], None, []
    for line in sys.stdin.read().splitlines():
        if line.startswith('== '):
            if what is not None:
                checks.append((what, '\n'.join(expr)))
            what, expr = line[3:].strip(), []
        elif what is not None:
            expr.append(line)
    if what is not None:
        checks.append((what, '\n'.join(expr)))
    if not checks:
        print('evcheck: no checks given', file=sys.stderr)
        return 2
    failed = 0
    env = dict(evs=evs, sel=sel, one=one, re=re)
    for what, expr in checks:
        try:
            res = eval('(' + expr + '\n)', env)
            why = None if res else 'false: ' + ' '.join(expr.split())
        except CheckFailed as e:
            why = str(e)
        except Exception as e:
            why = '%s: %r' % (type(e).__name__, e)
        if why is None:
            print('ok - events: %s' % what)
        else:
            failed += 1
            print('ev: %s: %s' % (what, why), file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
