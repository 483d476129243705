#!/bin/sh
# Run directories: a scenario named as --list names it runs
# (q193380-broken is conf/lab/q193380-broken.conf; an unknown name is a
# usage error, exit 2); each run writes its own directory under
# OUT/runs/ and OUT/latest links to the newest, so one scenario's run does
# not overwrite the one before; with --keep 2 only the two newest stay.
# The report decodes printable hex ("4d54412d494e (MTA-IN)"). On a
# terminal (a pty) a run shows a line per phase and the total time; -q
# shows none of them.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
out=$LABOUT/runs-test
rm -rf "$out"
mkdir -p "$out"
$PY "$FWLAB" --list >"$out/list.txt" || lab_fail "--list"
grep -q '^q193380-broken	conf/lab/q193380-broken.conf	Q193380	broken$' \
    "$out/list.txt" || lab_fail "--list: $(head -3 "$out/list.txt")"
$PY "$FWLAB" -q --out "$out" no-such-scenario >"$out/bad.txt" 2>&1
rc=$?
[ $rc -eq 2 ] || lab_fail "unknown scenario: exit status $rc"
grep -q 'no scenario of that name' "$out/bad.txt" || lab_fail "$(cat "$out/bad.txt")"
for i in 1 2 3; do
	$PY "$FWLAB" -q --out "$out" --keep 2 q193380-broken >"$out/m$i.txt" ||
	    lab_fail "run $i: $(cat "$out/m$i.txt")"
	readlink "$out/latest" >"$out/latest$i"
done
[ "$(ls "$out/runs" | wc -l)" -eq 2 ] || lab_fail "kept: $(ls "$out/runs")"
[ "$(cat "$out/latest2")" != "$(cat "$out/latest3")" ] ||
    lab_fail "two runs in one directory"
[ -d "$out/$(cat "$out/latest2")" ] || lab_fail "the run before was removed"
$PY - "$out/latest/results.json" <<'PYEOF' || lab_fail "results"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["scenarios"]
assert [x["file"] for x in r] == ["conf/lab/q193380-broken.conf"], r
assert r[0]["name"] == "q193380-broken" and r[0]["verdict"] == "PASS", r[0]
assert d["totals"] == {"total": 1, "PASS": 1, "SKIP": 0, "FAIL": 0,
                       "ERROR": 0}, d["totals"]
print("ok: by name, totals", d["totals"])
PYEOF
[ "$(tail -n 1 "$out/m3.txt")" = "1 scenario: 1 PASS, 0 SKIP, 0 FAIL" ] ||
    lab_fail "totals line: $(tail -n 1 "$out/m3.txt")"
grep -q 'no connector for 4d54412d494e (MTA-IN)' "$out/latest/report.md" ||
    lab_fail "hex not decoded in the Markdown report"
$PY - "$FWLAB" "$out" <<'PYEOF' || lab_fail "progress on a terminal"
import os, pty, subprocess, sys
def run(*extra):
    m, s = pty.openpty()
    p = subprocess.Popen([sys.executable, sys.argv[1], "--out", sys.argv[2],
                          "--keep", "2"] + list(extra) + ["q196381-broken"],
                         stdout=subprocess.DEVNULL, stderr=s)
    os.close(s)
    data = b""
    while True:
        try:
            d = os.read(m, 4096)
        except OSError:
            break
        if not d:
            break
        data += d
    os.close(m)
    assert p.wait() == 0, p.returncode
    return data.decode(errors="replace")
t = run()
for want in ("[1/1] Q196381 broken: phase 1 of 2",
             "[1/1] Q196381 broken: phase 2 of 2",
             "[1/1] Q196381 broken: PASS", "1 scenario: 1 PASS, 0 SKIP, 0 FAIL in "):
    assert want in t, (want, t)
q = run("-q")
assert "fwlab:" not in q, q
print("ok: progress on a terminal, none with -q")
PYEOF
echo "ok: run directories"
