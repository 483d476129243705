#!/bin/sh
# fwlab must notice when what is observed differs from what a scenario
# expects: mismatch.conf is Q196381's broken setup claiming the mail is
# delivered in phase 1 and that 9301 does not appear. The run must end with
# exit status 1, verdict FAIL, and the reasons named.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
mkdir -p "$LABOUT"
report=$LABOUT/report-mismatch.md
$PY "$FWLAB" --report "$report" --out "$LABOUT/runs-mismatch" "$top_srcdir/tests/lab/mismatch.conf" \
    >"$LABOUT/matrix-mismatch.txt"
rc=$?
cat "$LABOUT/matrix-mismatch.txt"
[ $rc -eq 1 ] || lab_fail "fwlab exit status $rc, expected 1"
$PY - "${report%.md}.json" <<'PYEOF' || lab_fail "wrong verdict or reasons"
import json, sys
r = json.load(open(sys.argv[1]))["scenarios"][0]
assert r["verdict"] == "FAIL", r["verdict"]
ph = r["phases"][0]
assert ph["mail_observed"][0]["result"] == "queued", ph
why = " ".join(ph["why"])
assert "MTA-OUT->MTA-IN queued, expected delivered" in why, why
assert "unexpected MTA-IN:9301" in why, why
assert ph["events_missing"] == ["MTA-IN:association_open"], ph
print("ok: mismatch reported:", why[:200])
PYEOF
grep -q 'Verdict: \*\*FAIL\*\*' "$report" || lab_fail "report lacks the FAIL"
