# Helpers of the lab tests: where the binaries are, and the verdict check.
# Sourced by t-lab-*.sh with top_srcdir and top_builddir set (automake's
# AM_TESTS_ENVIRONMENT, or by hand).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
FWRELAY=${FWRELAY:-$top_builddir/src/fwrelay}
MTASIM=${MTASIM:-$top_builddir/src/mtasim/mtasim}
export FWRELAY MTASIM
PY=/usr/bin/python3
FWLAB=$top_srcdir/scripts/fwlab
LABOUT=${LABOUT:-$top_builddir/tests/lab/out}

lab_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

lab_need() {
	for b in "$FWRELAY" "$MTASIM"; do
		[ -x "$b" ] || { echo "SKIP: $b is not built" >&2; exit 77; }
	done
	[ -x "$PY" ] || { echo "SKIP: no $PY" >&2; exit 77; }
}

# lab_check_verdicts RESULT.json EXPECTED.txt: every scenario listed in the
# expectations has exactly that verdict, and every scenario run is listed.
lab_check_verdicts() {
	$PY - "$1" "$2" <<'PYEOF'
import json, sys
res = json.load(open(sys.argv[1]))
want = {}
for line in open(sys.argv[2]):
    line = line.split("#", 1)[0].strip()
    if line:
        f, v = line.split()
        want[f] = v
bad = 0
seen = set()
for r in res["scenarios"]:
    f = r["file"]
    seen.add(f)
    w = want.get(f)
    if w is None:
        print("FAIL: %s ran but has no expected verdict" % f)
        bad += 1
    elif r["verdict"] != w:
        print("FAIL: %s: verdict %s, expected %s (%s)" % (
            f, r["verdict"], w, r.get("error")))
        bad += 1
    else:
        print("ok: %s %s %s: %s" % (f, r["kb"], r["variant"], w))
for f in sorted(set(want) - seen):
    print("FAIL: %s expected but not run" % f)
    bad += 1
sys.exit(1 if bad else 0)
PYEOF
}
