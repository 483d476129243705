#!/bin/sh
# fwlab's HTML report (--report FILE.html) in a real browser: the whole
# loopback matrix is run, the report opened in headless Chromium (Debian's,
# driven over the DevTools protocol by tests/ui/cdp.py): one inline SVG
# diagram per scenario run, each rendered, no script and nothing fetched,
# no console error; the screenshot stays in tests/lab/out/html/ of the
# build directory. The JUnit file of the same run is parsed back with
# Python's xml: a testcase per scenario, the skipped one marked.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIP: $CHROMIUM is missing (scripts/deps --test)" >&2; exit 77; }
out=$LABOUT/html
rm -rf "$out"
mkdir -p "$out"
trap 'rm -rf "$out/profile"' EXIT
$PY "$FWLAB" -q --out "$out/runs" --report "$out/report.html" \
    --junit "$out/junit.xml" >"$out/matrix.txt"
rc=$?
cat "$out/matrix.txt"
[ $rc -eq 0 ] || lab_fail "fwlab exit status $rc"
n=$(grep -c ' | PASS$\| | FAIL$' "$out/matrix.txt")
[ "$n" -gt 10 ] || lab_fail "only $n scenarios ran"
grep -Eq '(src|href)="?https?:|url\(["'\'']?https?:|@import' "$out/report.html" &&
    lab_fail "the report fetches something"
grep -q 'mermaid' "$out/report.html" && lab_fail "Mermaid in the HTML report"
# Printable hex decoded (Q193380: MTA-OUT's reverse lookup of MTA-IN).
grep -q '4d54412d494e (MTA-IN)' "$out/report.html" ||
    lab_fail "hex TSAP not decoded"
$PY "$(dirname "$0")/htmlcheck.py" "$out/report.html" "$n" "$out" \
    "$out/profile" || lab_fail "the report in chromium (log: $out/chromium-report.log)"
$PY - "$out/junit.xml" "$n" <<'PYEOF' || lab_fail "JUnit XML"
import sys, xml.etree.ElementTree as ET
ts = ET.parse(sys.argv[1]).getroot()
assert ts.tag == "testsuite", ts.tag
cases = ts.findall("testcase")
assert len(cases) == int(sys.argv[2]) + 1, len(cases)
assert ts.get("failures") == "0" and ts.get("errors") == "0", ts.attrib
skipped = [c for c in cases if c.find("skipped") is not None]
assert [c.get("name") for c in skipped] == ["Q196381 fix: local tunnel"], \
    [c.get("name") for c in skipped]
assert all(float(c.get("time")) >= 0 for c in cases)
print("ok: JUnit: %d testcases, %d skipped" % (len(cases), len(skipped)))
PYEOF
echo "report and screenshot in $out"
