#!/bin/sh
# fwlab --sweep: Q196381's broken scenario (named, not a path) through
# every personality of conf/lab/personalities.conf. The file names the
# expected result per personality, so the exit status is 0; the JSON and
# the JUnit XML (parsed back with Python's xml) say what each firewall did:
# rewrite delivers, transparency both ways queues both ways with 1293 on
# MTA-IN, the Raptor asymmetric queues MTA-OUT's mail until MTA-IN calls
# out, a reset mid-transfer ends the associations (1294). Then a copy
# whose expectation is wrong: exit 1 and a JUnit failure naming expected
# and observed.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
out=$LABOUT/sweep
rm -rf "$out"
mkdir -p "$out"
$PY "$FWLAB" -q --out "$out/runs" --sweep q196381-broken \
    --json "$out/sweep.json" --junit "$out/sweep.xml" >"$out/table.txt"
rc=$?
cat "$out/table.txt"
[ $rc -eq 0 ] || lab_fail "sweep exit status $rc"
$PY - "$out/sweep.json" "$out/sweep.xml" <<'PYEOF' || lab_fail "sweep results"
import json, sys, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
assert d["sweep"]["scenario"] == "conf/lab/q196381-broken.conf", d["sweep"]
cells = {c["personality"]: c for c in d["scenarios"]}
assert len(cells) == 12, sorted(cells)
assert d["totals"]["PASS"] == 12 and d["totals"]["FAIL"] == 0, d["totals"]
def res(p):
    return {"%s->%s" % (x["from"], x["to"]): x["detail"]
            for x in cells[p]["directions"]}
assert res("rewrite") == {"MTA-IN->MTA-OUT": "delivered",
                          "MTA-OUT->MTA-IN": "delivered"}, res("rewrite")
assert res("transparent") == {"MTA-IN->MTA-OUT": "queued",
                              "MTA-OUT->MTA-IN": "queued"}, res("transparent")
assert "IN:" in cells["transparent"]["key_events"] and \
    "1293" in cells["transparent"]["key_events"], cells["transparent"]
assert res("raptor")["MTA-OUT->MTA-IN"] == "delivered (p1 queued)", \
    res("raptor")
assert "1294" in cells["reset-mid-transfer"]["key_events"], \
    cells["reset-mid-transfer"]["key_events"]
ts = ET.parse(sys.argv[2]).getroot()
tc = ts.findall("testcase")
assert len(tc) == 12 and ts.get("failures") == "0", ts.attrib
assert all(c.find("failure") is None for c in tc)
print("ok: 12 personalities, each as the scenario expects")
PYEOF
# A wrong expectation: rewrite is said to queue.
sed 's/{ personality = "rewrite"; result = "delivered"; }/{ personality = "rewrite"; result = "queued"; }/' \
    "$top_srcdir/conf/lab/q196381-broken.conf" >"$out/wrong.conf"
grep -q 'personality = "rewrite"; result = "queued"' "$out/wrong.conf" ||
    lab_fail "could not make the wrong copy"
$PY "$FWLAB" -q --out "$out/runs" --sweep "$out/wrong.conf" \
    --only rewrite,transparent --junit "$out/wrong.xml" >"$out/wrong.txt"
rc=$?
cat "$out/wrong.txt"
[ $rc -eq 1 ] || lab_fail "wrong expectation: exit status $rc, expected 1"
$PY - "$out/wrong.xml" <<'PYEOF' || lab_fail "JUnit failure"
import sys, xml.etree.ElementTree as ET
ts = ET.parse(sys.argv[1]).getroot()
assert ts.get("tests") == "2" and ts.get("failures") == "1", ts.attrib
f = [c for c in ts.findall("testcase") if c.find("failure") is not None]
assert [c.get("name") for c in f] == ["Q196381 rewrite"], f
m = f[0].find("failure").get("message")
assert m.startswith("expected IN->OUT queued, OUT->IN queued; observed "
                    "IN->OUT delivered, OUT->IN delivered"), m
print("ok: JUnit failure:", m)
PYEOF
