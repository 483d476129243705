#!/bin/sh
# The KB lab matrix on loopback with every firewall on two workers
# (fwlab --workers 2): each row has the verdict expected-loopback.txt
# gives, as with one. Every firewall's start event says 2 workers, each of
# its relays listens on both (a pinhole on the one that opened it), and
# over the matrix both workers carried connections (the kernel spreads
# them; nothing is pinned to a worker). As root, the netns matrix as well.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
mkdir -p "$LABOUT"
report=$LABOUT/report-workers.md
rm -f "$report" "${report%.md}.json"
$PY "$FWLAB" --topology loopback --workers 2 --report "$report" \
    --out "$LABOUT/runs-workers" >"$LABOUT/matrix-workers.txt"
rc=$?
cat "$LABOUT/matrix-workers.txt"
[ -f "${report%.md}.json" ] || lab_fail "no JSON result file"
lab_check_verdicts "${report%.md}.json" \
    "$top_srcdir/tests/lab/expected-loopback.txt" ||
    lab_fail "verdicts differ with workers = 2 (fwlab exit status $rc)"
[ $rc -eq 0 ] ||
    lab_fail "fwlab exit status $rc with every verdict as expected"
$PY - "$LABOUT/runs-workers/latest" <<'PYEOF' || lab_fail "workers in the event logs"
import collections, glob, json, os, sys
fws = 0
by_worker = collections.Counter()
for conf in glob.glob(os.path.join(sys.argv[1], "*", "*.conf")):
    text = open(conf).read()
    if "relays = " not in text:
        continue            # an MTA's configuration
    assert "workers = 2;" in text, conf
    fws += 1
    evs = [json.loads(l) for l in open(os.path.splitext(conf)[0] + ".events")]
    start = [e for e in evs if e["event"] == "start"]
    assert len(start) == 1 and start[0]["workers"] == 2, (conf, start)
    listens = collections.Counter((e["relay"], e["worker"]) for e in evs
                                  if e["event"] == "listen")
    # A pinhole listens on the one worker whose connection opened it.
    for relay in {r for r, _ in listens if ":pinhole:" not in r}:
        assert listens[(relay, 0)] >= 1 and listens[(relay, 1)] >= 1, \
            (conf, relay, listens)
    for e in evs:
        if e["event"] == "accept":
            by_worker[e["worker"]] += 1
assert fws >= 15, "only %d firewalls" % fws
assert by_worker[0] >= 5 and by_worker[1] >= 5, by_worker
print("ok: %d firewalls on 2 workers; accepts by worker: %s" % (
    fws, dict(sorted(by_worker.items()))))
PYEOF
echo "loopback matrix with workers = 2: as with one"

# In namespaces too (root): TPROXY and IP_TRANSPARENT listeners in a
# SO_REUSEPORT group. Without namespaces this half is left out, said.
if why=$("$top_srcdir/scripts/netns-topo" check 2>&1); then
	report=$LABOUT/report-workers-netns.md
	rm -f "$report" "${report%.md}.json"
	$PY "$FWLAB" --topology netns --workers 2 --report "$report" \
	    --out "$LABOUT/runs-workers-netns" \
	    >"$LABOUT/matrix-workers-netns.txt" 2>/dev/null
	rc=$?
	cat "$LABOUT/matrix-workers-netns.txt"
	lab_check_verdicts "${report%.md}.json" \
	    "$top_srcdir/tests/lab/expected-netns.txt" ||
	    lab_fail "netns verdicts differ with workers = 2 (status $rc)"
	[ $rc -eq 0 ] || lab_fail "fwlab netns exit status $rc"
	grep -l "workers = 2;" "$LABOUT"/runs-workers-netns/latest/*/fw*.conf \
	    >/dev/null || lab_fail "netns firewalls without workers = 2"
	echo "netns matrix with workers = 2: as with one"
else
	echo "# netns half not run: $why"
fi
