#!/bin/sh
# The whole KB lab matrix on loopback: scripts/fwlab runs every scenario of
# conf/lab/ and each row must have the verdict expected-loopback.txt gives
# (PASS, or SKIP for the netns-only local tunnel). Also checks the report:
# one Mermaid diagram per scenario run, the JSON beside it, and the bound
# of two minutes for the whole matrix.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
mkdir -p "$LABOUT"
report=$LABOUT/report-loopback.md
rm -f "$report" "${report%.md}.json"
start=$(date +%s)
$PY "$FWLAB" --topology loopback --report "$report" \
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
runs=$(grep -c ' PASS\| FAIL' "$LABOUT/matrix-loopback.txt")
[ "$n" -eq "$runs" ] || lab_fail "$n Mermaid diagrams for $runs scenarios run"
[ $((end - start)) -le 120 ] ||
    lab_fail "matrix took $((end - start)) s (> 120)"
echo "loopback matrix: $runs scenarios run in $((end - start)) s"
