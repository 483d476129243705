#!/bin/sh
# The KB lab matrix in network namespaces (root): the same scenarios with
# the hosts in site1, fw and site2 of scripts/netns-topo, real routing,
# IP_TRANSPARENT and TPROXY (the local tunnel variant runs here). Skips
# (77) without root or namespaces.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
why=$("$top_srcdir/scripts/netns-topo" check 2>&1) || {
	echo "SKIP: $why" >&2
	exit 77
}
mkdir -p "$LABOUT"
report=$LABOUT/report-netns.md
rm -f "$report" "${report%.md}.json"
$PY "$FWLAB" --topology netns --report "$report" --out "$LABOUT/runs-netns" \
    >"$LABOUT/matrix-netns.txt" 2>"$LABOUT/progress-netns.txt"
rc=$?
cat "$LABOUT/progress-netns.txt" >&2
cat "$LABOUT/matrix-netns.txt"
grep -Eq '^fwlab: topology netns: namespaces site1-([a-z0-9]+), fw-\1 and site2-\1, made anew for each scenario$' \
    "$LABOUT/progress-netns.txt" || lab_fail "the topology line does not name the namespaces"
[ -f "${report%.md}.json" ] ||
    lab_fail "no JSON result file (fwlab status $rc)"
lab_check_verdicts "${report%.md}.json" \
    "$top_srcdir/tests/lab/expected-netns.txt" ||
    lab_fail "verdicts differ (fwlab exit status $rc)"
[ $rc -eq 0 ] ||
    lab_fail "fwlab exit status $rc with every verdict as expected"
