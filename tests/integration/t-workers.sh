#!/bin/sh
# workers = 2: one daemon on two event loops.
# - 2,000 connections from 16 sources, all open at once, each echo-checked:
#   the accept events and the API's per-worker counts show both workers
#   took a share; /v1/status, /v1/relays, /v1/connections and /metrics
#   count all 2,000 as one daemon; connection numbers are unique.
# - Under 200 streaming connections: a reload that adds a relay opens it
#   on both workers (a listen event each) and both accept on it; a PATCHed
#   policy denies on both workers; a fault added through the API fires on
#   both. The stream loses nothing: every connection closes clean.
# - max_connections = 10 holds across workers: 40 held clients, exactly
#   10 accepted, 30 limit events from both workers.
# - A relay-mode capture writes a file per worker; capture_state and the
#   per-worker gauge of /metrics count both.
# - DELETE resets a connection on worker 1.
# - Every relay disabled with nothing open: both workers keep running,
#   clients queue in both backlogs and all get through when one relay is
#   enabled again. A reload to 3 workers fails and changes nothing.
#   SIGTERM drains both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init workers
fl_init
SOCK=$T/ctl.sock

# clients NAME N NET PORT STEP...: N fwtest clients in the background,
# from NET.1 to NET.N, to 127.0.0.1:PORT; their PIDs in CLIENT_PIDS.
clients() {
	local name=$1 n=$2 net=$3 port=$4 i=0
	shift 4
	CLIENT_PIDS=
	while [ $i -lt "$n" ]; do
		fw_bg "$name$i" "$FWTEST" client --source "$net.$((i + 1))" \
		    --connect 127.0.0.1:"$port" --timeout 20 "$@"
		CLIENT_PIDS="$CLIENT_PIDS $BG_PID"
		i=$((i + 1))
	done
}

N=${FW_WORKERS_CONNS:-2000}
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((2 * N + 500)) ] ||
    ulimit -n $((2 * N + 500)) 2>/dev/null || ulimit -n "$(ulimit -Hn)" \
    2>/dev/null
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((2 * N + 200)) ] ||
    skip "needs $((2 * N + 200)) descriptors, the limit is $(ulimit -n)"

fw_bg echo "$FWTEST" echo --listen 127.0.0.1:0 --ready-file "$T/echo.port"
fw_wait_file "$T/echo.port" 5 || fail "echo server"
E=$(cat "$T/echo.port")
pm=$(fw_port) pl=$(fw_port) pa=$(fw_port)
G="workers = 2; control = \"$SOCK\";"
fw_conf "$CONF" "$G" \
    "many 127.0.0.1:$pm 127.0.0.1:$E max_connections = 5000;" \
    "lim 127.0.0.1:$pl 127.0.0.1:$E max_connections = 10;"
FW_NRELAYS=4	# two relays, a listener each on two workers
fw_start

fl_expect 200 GET /v1/status
fl_json "b['workers'] == 2"
ev_assert "start says 2 workers; each worker listens on each relay" "
    one('start')['workers'] == 2 and
    sorted((e['relay'], e['worker']) for e in sel('listen')) ==
    [('lim', 0), ('lim', 1), ('many', 0), ('many', 1)]"

src=$(seq 1 16 | sed 's/^/127.0.9./' | paste -sd, -)
fw_bg conc "$FWTEST" concurrent --connect 127.0.0.1:$pm --count "$N" \
    --sources "$src" --rounds 2 --size 200 --timeout 60 --deadline 300 \
    --ready-file "$T/all-open" --stop-file "$T/go"
cpid=$BG_PID
fw_wait_file "$T/all-open" 120 || fail "not all open: $(tail -n 2 "$T/conc.err")"
ok "$N connections open at once, each echoed twice"

fl_expect 200 GET /v1/relays/many
fl_json "(b['connections'] == $N and b['stats']['accepted'] == $N and
    sum(w['connections'] for w in b['workers']) == $N and
    len(b['workers']) == 2 and
    all(w['connections'] >= $N // 5 for w in b['workers']))"
ok "the relay counts $N open as one, spread: $(printf '%s' "$BODY" |
    "$PY" -c 'import json,sys; print(" ".join("worker %d: %d" % (w["worker"],
    w["connections"]) for w in json.load(sys.stdin)["workers"]))')"
fl_expect 200 GET /v1/status
fl_json "b['connections'] == $N"
fl_expect 200 GET /v1/connections
fl_json "(len(b['connections']) == $N and
    len(set(c['id'] for c in b['connections'])) == $N and
    set(c['worker'] for c in b['connections']) == {0, 1})"
fl_expect 200 GET /metrics
printf '%s\n' "$BODY" | grep -qx "fwrelay_connections_active{relay=\"many\"} $N" ||
    fail "metrics: $(printf '%s\n' "$BODY" | grep connections_active)"
printf '%s\n' "$BODY" | grep -qx "fwrelay_connections_total{relay=\"many\"} $N" ||
    fail "metrics: $(printf '%s\n' "$BODY" | grep connections_total)"
printf '%s\n' "$BODY" | awk -v n="$N" '
    /^fwrelay_worker_connections_active\{worker="[01]"\} / { s += $2; k++ }
    END { exit !(k == 2 && s == n) }' ||
    fail "per-worker gauge: $(printf '%s\n' "$BODY" | grep worker_)"
ok "status, connections and /metrics sum over the workers"
ev_assert "accepts: $N unique connection numbers, both workers, >= 20% each" "
    len(sel('accept', 'relay=many')) == $N and
    len(set(e['conn'] for e in sel('accept'))) == $N and
    min(sum(1 for e in sel('accept', 'relay=many') if e['worker'] == k)
        for k in (0, 1)) >= $N // 5"
touch "$T/go"
fw_expect_exit "$cpid" 60 "concurrent: $(tail -n 2 "$T/conc.err")"
ev_wait 60 close "$N" relay=many || fail "close events"

# Load that must live through the changes below.
fw_bg stream "$FWTEST" stream --connect 127.0.0.1:$pm --count 200 \
    --sources "$src" --timeout 30 --deadline 300 \
    --ready-file "$T/streaming" --stop-file "$T/stop"
spid=$BG_PID
fw_wait_file "$T/streaming" 60 || fail "stream did not start"

# A reload adding a relay reaches both workers.
fw_conf "$CONF" "$G" \
    "many 127.0.0.1:$pm 127.0.0.1:$E max_connections = 5000;" \
    "lim 127.0.0.1:$pl 127.0.0.1:$E max_connections = 10;" \
    "added 127.0.0.1:$pa 127.0.0.1:$E"
kill -HUP "$FW_PID"
ev_wait 10 reload 1 || fail "no reload event"
ev_assert "one reload event; the new relay listens on both workers" "
    len(sel('reload')) == 1 and one('reload')['result'] == 'ok' and
    one('reload')['added'] == ['added'] and
    sorted(e['worker'] for e in sel('listen', 'relay=added')) == [0, 1]"
"$FWTEST" burst --connect 127.0.0.1:$pa --count 200 --parallel 20 \
    --sources "$src" --size 100 >"$T/burst1.out" 2>"$T/burst1.err" ||
    fail "burst on the added relay: $(cat "$T/burst1.err")"
ev_wait 10 close 200 relay=added || fail "close events on added"
ev_assert "both workers accepted on the relay the reload added" "
    set(e['worker'] for e in sel('accept', 'relay=added')) == {0, 1} and
    all(e['reason'] == 'done' for e in sel('close', 'relay=added'))"

# A PATCH reaches both workers: the policy denies on each.
fl_expect 200 PATCH /v1/relays/added \
    '{"policy": [{"action": "deny", "from": "127.0.9.0/24", "deny": "reset"}, {"action": "allow"}]}'
"$FWTEST" burst --connect 127.0.0.1:$pa --count 100 --parallel 20 \
    --sources "$src" --expect-refused >"$T/burst2.out" 2>"$T/burst2.err" ||
    fail "denied burst: $(cat "$T/burst2.err")"
ev_wait 10 deny 100 relay=added || fail "deny events: $(ev_count deny)"
ev_assert "100 denies by rule 0, from both workers" "
    len(sel('deny', 'relay=added')) == 100 and
    set(e['worker'] for e in sel('deny', 'relay=added')) == {0, 1}"
fl_expect 200 PATCH /v1/relays/added '{"policy": null}'

# A fault added at run time, with one id, acts on both workers.
fl_expect 201 POST /v1/relays/added/faults '{"type": "reset_after", "bytes": 10}'
fl_json "b['id'] != ''"
fid=$(printf '%s' "$BODY" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$FWTEST" burst --connect 127.0.0.1:$pa --count 60 --parallel 20 \
    --sources "$src" --size 100 >"$T/burst3.out" 2>"$T/burst3.err" || true
ev_wait 10 fault 60 relay=added || fail "fault events: $(ev_count fault)"
ev_assert "the fault fired on both workers" "
    set(e['worker'] for e in sel('fault', 'relay=added')) == {0, 1}"
ok "reload, PATCH and an added fault reached both workers"

fl_expect 200 DELETE "/v1/relays/added/faults/$fid"

# A capture in relay mode: a file per worker, counted together.
mkdir "$T/cap"
fl_expect 200 PATCH /v1/relays/added \
    "{\"capture\": \"$T/cap\", \"capture_mode\": \"relay\"}"
"$FWTEST" burst --connect 127.0.0.1:$pa --count 1000 --parallel 40 \
    --sources "$src" --size 100 >"$T/burst4.out" 2>"$T/burst4.err" ||
    fail "burst with capture: $(cat "$T/burst4.err")"
fl_expect 200 GET /v1/relays/added
fl_json "(b['capture_state']['files_open'] == 2 and
    sorted(w['worker'] for w in b['capture_state']['workers']) == [0, 1] and
    all(w['files_open'] == 1 and w['bytes'] > 0
        for w in b['capture_state']['workers']) and
    b['capture_state']['bytes'] ==
    sum(w['bytes'] for w in b['capture_state']['workers']))"
fl_expect 200 PATCH /v1/relays/added '{"capture": null}'
ls "$T/cap" | grep -q '^added-w0-.*\.pcapng$' &&
    ls "$T/cap" | grep -q '^added-w1-.*\.pcapng$' ||
    fail "capture files: $(ls "$T/cap")"
ev_assert "two capture files, one per worker, both closed" "
    len(sel('capture', 'action=open')) == 2 and
    len(sel('capture', 'action=close')) == 2"
if command -v tshark >/dev/null && command -v capinfos >/dev/null; then
	"$PY" "$top_srcdir/tests/inspect/capcheck.py" files "$EVLOG" \
	    "$T"/cap/*.pcapng >"$T/capcheck.out" 2>&1 ||
	    fail "capture files: $(cat "$T/capcheck.out")"
	cat "$T/capcheck.out"
	[ "$(sed -n 's/.*, \([0-9]*\) connection comments.*/\1/p' \
	    "$T/capcheck.out" | awk '{ n += $1 } END { print n }')" = 1000 ] ||
	    fail "not 1000 connection comments: $(cat "$T/capcheck.out")"
	# Workers write their lines in turn: an accept whose ts had to
	# move later is still the time its capture's comment gives.
	ok "the 1000 connections' comments repeat their accept events' ts"
else
	echo "# capture comments not read: no tshark/capinfos"
fi
ok "relay-mode capture: one file per worker ($(ls "$T/cap" | tr '\n' ' '))"

touch "$T/stop"
fw_expect_exit "$spid" 60 "stream: $(cat "$T/stream.err")"
grep -q "dropped=0 short=0 mismatched=0 unfinished=0" "$T/stream.out" ||
    fail "stream: $(cat "$T/stream.out")"
ev_wait 30 close $((N + 200)) relay=many || fail "stream close events"
ev_assert "the 200 streams closed clean across the changes" "
    sum(1 for e in sel('close', 'relay=many') if e['reason'] == 'done') ==
    $N + 200"
ok "stream through the changes: $(cat "$T/stream.out")"

# max_connections over both workers: 40 held clients, 10 in.
clients hold 40 127.0.8 $pl hold-until:"$T/release"
ev_wait 20 limit 30 relay=lim || fail "limit events: $(ev_count limit relay=lim)"
ev_wait 20 accept 10 relay=lim || fail "accepts on lim"
sleep 0.5
ev_assert "exactly 10 admitted; the 30 refusals came from both workers" "
    len(sel('accept', 'relay=lim')) == 10 and
    len(sel('limit', 'relay=lim')) == 30 and
    set(e['worker'] for e in sel('limit', 'relay=lim')) == {0, 1}"
fl_expect 200 GET /v1/relays/lim
fl_json "b['connections'] == 10 and b['stats']['limited'] == 30"
ok "max_connections = 10 held across the workers"

touch "$T/release"

# DELETE a connection that runs on worker 1: 16 held ones, spread.
clients del 16 127.0.7 $pm hold-until:"$T/release2"
ev_wait 20 connect $((N + 216)) relay=many || fail "16 held connections"
fl_expect 200 GET /v1/connections
cid=$(printf '%s' "$BODY" | "$PY" -c '
import json, sys
c = [c["id"] for c in json.load(sys.stdin)["connections"]
     if c["worker"] == 1 and c["client"].startswith("127.0.7.")]
print(c[0] if c else "")')
[ -n "$cid" ] || fail "none of the 16 connections is on worker 1"
fl_expect 200 DELETE "/v1/connections/$cid"
ev_wait 5 close 1 relay=many "conn=$cid" || fail "deleted connection"
ev_assert "the deleted connection closed, deleted, on worker 1" "
    one('close', 'conn=$cid')['reason'] == 'deleted' and
    one('close', 'conn=$cid')['worker'] == 1"
ok "DELETE reset connection $cid on worker 1"
touch "$T/release2"

# Every relay off, no connection open: a worker with nothing to wait for
# keeps running. Clients queue in both workers' backlogs; enabling one
# relay lets them all through.
ev_wait 20 close $((N + 216)) relay=many || fail "held connections closed"
ev_wait 20 close 10 relay=lim || fail "lim connections closed"
for r in many lim added; do
	fl_expect 200 PATCH /v1/relays/$r '{"enabled": false}'
done
sleep 0.5
n0=$(ev_count accept relay=added)
clients q 16 127.0.6 $pa ping:1 shut eof close
qpids=$CLIENT_PIDS
sleep 0.5
[ "$(ev_count accept relay=added)" = "$n0" ] || fail "accepted while disabled"
fl_expect 200 PATCH /v1/relays/added '{"enabled": true}'
for q in $qpids; do
	fw_expect_exit "$q" 10 "a client queued while disabled"
done
ev_assert "the 16 queued clients were accepted by both workers" "
    set(e['worker'] for e in sel('accept', 'relay=added', 'client~^127\\.0\\.6\\.'))
    == {0, 1}"
ok "enabled off held 16 clients on both workers; on let them through"

# The number of workers changes only at a restart: a reload asking for 3
# fails, with the line, and changes nothing.
nrel=$(ev_count reload)
sed 's/^workers = 2;/workers = 3;/' "$CONF" >"$CONF.3" && mv "$CONF.3" "$CONF"
grep -q "^workers = 3;" "$CONF" || fail "no workers line to change"
kill -HUP "$FW_PID"
ev_wait 10 reload $((nrel + 1)) || fail "no reload event"
ev_assert "the reload to 3 workers failed and says why, at the line" "
    sel('reload')[-1]['result'] == 'failed' and
    any('workers = 3: the number of workers changes only at a restart '
        '(running with 2)' in x for x in sel('reload')[-1]['errors'])"
fl_expect 200 GET /v1/status
fl_json "b['workers'] == 2 and b['relays'] == 3"

fw_stop
ev_assert "one stop event, after both workers' listeners closed" "
    len(sel('stop')) == 1 and
    sorted(e['worker'] for e in sel('listen_close', 'relay=many')) == [0, 1]"
ok "SIGTERM drained both workers and exited 0"
