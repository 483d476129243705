#!/bin/sh
# fwrelayctl against the daemon: each command's output and exit status
# (0 done, 1 refused or unreachable with the API's error on stderr, 2 usage),
# --json output, the socket found from the config's control key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init control-ctl
fl_init
SOCK=$T/ctl.sock
CTL=$(dirname "$FWRELAY")/fwrelayctl
[ -x "$CTL" ] || { echo "ERROR: $CTL not built" >&2; exit 99; }

fw_server back echo
back=$SRV_PORT
p=$(fw_port)
fw_conf "$CONF" "control = \"$SOCK\";" "r 127.0.0.1:$p 127.0.0.1:$back"
fw_start

# run NAME STATUS CTL-ARGS...: fwrelayctl -s $SOCK with that exit status.
run() {
	local name=$1 want=$2 st
	shift 2
	"$CTL" -s "$SOCK" "$@" >"$T/$name.out" 2>"$T/$name.err"
	st=$?
	[ $st = "$want" ] || fail "fwrelayctl $*: status $st, expected $want: $(cat "$T/$name.out" "$T/$name.err")"
}
has() {		# NAME REGEX: a line of NAME's stdout (or .err) matches
	grep -Eq -- "$2" "$T/$1.out" "$T/$1.err" ||
	    fail "fwrelayctl $1: no /$2/ in: $(cat "$T/$1.out" "$T/$1.err")"
}

run status 0 status
has status "^pid +$FW_PID\$"
"$CTL" -c "$CONF" status >"$T/bycfg.out" 2>&1 || fail "-c: $(cat "$T/bycfg.out")"
grep -q "^pid *$FW_PID" "$T/bycfg.out" || fail "socket from the config"
run relays 0 relays
has relays "^NAME +LISTEN +TARGET +SOURCE"
has relays "^r +127.0.0.1:$p +127.0.0.1:$back +rewrite +- +none +yes"
run relaysj 0 --json relays
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["relays"][0]["name"] != "r")' \
    "$T/relaysj.out" || fail "--json relays"
ok "status, relays (table and --json), socket from -c CONF"

run setsrc 0 set r source transparent
has setsrc "^r: source = transparent \(new connections\)"
run setfixed 1 set r source fixed
has setfixed "^fwrelayctl: PATCH /v1/relays/r: 422: 'source_address' is required with source \"fixed\""
run setfixed2 0 set r source fixed 127.0.0.1
has setfixed2 "source_address = 127.0.0.1"
run setbad 1 set r enabled maybe
has setbad "on or off"
run nosuch 1 set nosuch enabled on
has nosuch "404: no relay named 'nosuch'"
run setpol 0 set r policy '[{"action": "allow", "from": "127.0.0.0/8"}]'
has setpol "^r: policy = "
ok "set: source modes, enabled, policy; 422 and 404 reported with status 1"

run fadd 0 fault add r latency latency_ms=50 direction=upstream
has fadd "^fault 1 added to r \(new connections\)"
run fls 0 fault ls r
has fls "^1 +runtime +latency +upstream +1.000 +latency_ms=50\$"
run fbad 1 fault add r latency
has fbad "422: 'latency_ms' is required"
run frm 0 fault rm r 1
has frm "^fault 1 removed from r"
run frm2 1 fault rm r 1
has frm2 "404: relay 'r' has no fault 1"
ok "fault add, ls, rm"

fw_bg held "$FWTEST" client --connect 127.0.0.1:$p --timeout 15 hold-cut:10
hpid=$BG_PID
ev_wait 5 connect 1 relay=r || fail "held connection"
cid=$(ev_get connect conn relay=r)
run conns 0 conns
has conns "^ID +RELAY +CLIENT +TARGET"
has conns "^$cid +r +127.0.0.1:[0-9]+ +127.0.0.1:$back +127.0.0.1:[0-9]+ +fixed "
run kill 0 kill "$cid"
has kill "^connection $cid reset\$"
fw_expect_exit "$hpid" 5 "held connection"
grep -q "cut=reset" "$T/held.out" || fail "not reset: $(cat "$T/held.out")"
run kill2 1 kill "$cid"
has kill2 "404: no connection $cid"
ok "conns lists the connection (fixed source snapshot); kill resets it"

run pin 0 pinholes
has pin "^RELAY +KIND"
run reload 0 reload
has reload "^reloaded $CONF\$"
run metrics 0 metrics
has metrics "^fwrelay_connections_total\{relay=\"r\"\} 1\$"
run ev 0 events -a -n 2
has ev "^[0-9T:.-]+Z start +version="
has ev "^[0-9T:.-]+Z listen +relay=r listen=127.0.0.1:$p( worker=0)?\$"
run evj 0 events --json -a -n 1
"$PY" -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); sys.exit(d["event"] != "start")' \
    "$T/evj.out" || fail "events --json"
ok "pinholes, reload, metrics, events (readable and --json)"

"$CTL" -s "$T/none.sock" status >"$T/down.out" 2>&1
[ $? = 1 ] || fail "no daemon: status not 1"
grep -q "^fwrelayctl: cannot connect to $T/none.sock" "$T/down.out" ||
    fail "no daemon: $(cat "$T/down.out")"
"$CTL" -s "$SOCK" frobnicate >"$T/usage.out" 2>&1
[ $? = 2 ] || fail "unknown command: status not 2"
grep -q "^usage: fwrelayctl" "$T/usage.out" || fail "no usage"
ok "no daemon: status 1 with a clear message; unknown command: usage, status 2"
fw_stop
