#!/usr/bin/python3
"""evcheck: several event log checks in one process (each Python start
costs a noticeable fraction of a second on a loaded machine).

  evcheck.py EVLOG < SPEC

SPEC is a list of checks, each a line "== WHAT" followed by a Python
expression (any number of lines) that must be true. The expression sees
evs (every event), sel(name, *conds) (the matching events), one(name,
*conds) (the single matching event; anything but exactly one fails the
check) and re. A cond is "key=value" or "key~regex", as in lib.sh's
ev_assert: both are scripts/fwlab_lib/evlog.py. Prints "ok - events:
WHAT" or the reason per check; exit status 1 if any failed.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'scripts'))
from fwlab_lib import evlog  # noqa: E402

if __name__ == '__main__':
    sys.exit(evlog.run_checks(sys.argv[1], sys.stdin.read()))
