#!/bin/sh
# The whole KB lab matrix on loopback: scripts/fwlab runs every scenario of
# conf/lab/ and each row must have the verdict expected-loopback.txt gives
# (PASS, or SKIP for the netns-only local tunnel). Also checks the report:
# one Mermaid diagram per scenario run, the JSON beside it, and the bound
# of two minutes for the whole matrix, the totals line in the matrix, the
# Markdown and the JSON (as numbers), the run directory with its "latest"
# link, and that no strict = true rfc1006 relay closed a connection.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
mkdir -p "$LABOUT"
report=$LABOUT/report-loopback.md
rm -f "$report" "${report%.md}.json"
start=$(date +%s)
$PY "$FWLAB" --topology loopback --report "$report" --out "$LABOUT/runs-loopback" \
    >"$LABOUT/matrix-loopback.txt"
rc=$?
end=$(date +%s)
cat "$LABOUT/matrix-loopback.txt"
[ -f "${report%.md}.json" ] || lab_fail "no JSON result file"
lab_check_verdicts "${report%.md}.json" \
    "$top_srcdir/tests/lab/expected-loopback.txt" ||
    lab_fail "verdicts differ (fwlab exit status $rc)"
[ $rc -eq 0 ] ||
    lab_fail "fwlab exit status $rc with every verdict as expected"
n=$(grep -c '^```mermaid' "$report")
runs=$(grep -c ' | PASS$\| | FAIL$' "$LABOUT/matrix-loopback.txt")
[ "$n" -eq "$runs" ] || lab_fail "$n Mermaid diagrams for $runs scenarios run"
tot="21 scenarios: 20 PASS, 1 SKIP, 0 FAIL"
[ "$(tail -n 1 "$LABOUT/matrix-loopback.txt")" = "$tot" ] ||
    lab_fail "matrix does not end with \"$tot\""
grep -q "^\*\*$tot\*\*\$" "$report" || lab_fail "no totals in the report"
$PY - "${report%.md}.json" "$LABOUT/runs-loopback" <<'PYEOF' || lab_fail "JSON totals"
import json, os, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
assert t == {"total": 21, "PASS": 20, "SKIP": 1, "FAIL": 0, "ERROR": 0}, t
latest = os.path.realpath(os.path.join(sys.argv[2], "latest"))
assert latest == os.path.realpath(d["run_dir"]), (latest, d["run_dir"])
for f in ("report.md", "report.html", "results.json"):
    assert os.path.isfile(os.path.join(latest, f)), f
print("ok: totals", t, "run directory", latest)
PYEOF
# The X.400 scenarios run their rfc1006 relays with strict = true: the
# MTAs' traffic never trips it (issue 9), so the verdicts above are the
# articles', not strict inspection's.
$PY - "$LABOUT/runs-loopback/latest" <<'PYEOF' || lab_fail "strict rfc1006 relays"
import glob, json, os, sys
strict = 0
for conf in glob.glob(os.path.join(sys.argv[1], "*", "*.conf")):
    if "strict = true" not in open(conf).read():
        continue
    strict += 1
    evs = os.path.splitext(conf)[0] + ".events"
    for line in open(evs):
        e = json.loads(line)
        assert not (e["event"] == "inspect_anomaly" and
                    e.get("action") == "close"), (evs, e)
        assert not (e["event"] == "close" and
                    e.get("reason") == "inspector"), (evs, e)
assert strict >= 9, "only %d firewalls with strict rfc1006 relays" % strict
print("ok: %d firewalls with strict = true rfc1006 relays, none closed "
      "a connection" % strict)
PYEOF
[ $((end - start)) -le 120 ] ||
    lab_fail "matrix took $((end - start)) s (> 120)"
echo "loopback matrix: $runs scenarios run in $((end - start)) s"
