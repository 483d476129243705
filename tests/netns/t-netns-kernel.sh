#!/bin/sh
# Turnkey interception, its life cycle in a bare fw (no rule but what
# fwrelay installs):
# - fwrelay -t prints the nft table and the ip(8) rule and route it would
#   install, and installs nothing;
# - two instances coexist: each its own nft table and routing table (the
#   first free from 10100: 10100, then 10101), both relay transparently,
#   and stopping one leaves the other's in place and working;
# - a reload that changes intercept_ports replaces the TPROXY rule;
# - a start that cannot install (the rule exists already; no nft(8)) exits
#   1 with the reason and leaves nothing, nor touches the rule it found;
# - kernel_setup = false installs nothing;
# - a relay switched to source transparent at run time gets the route then;
# and after every fwrelay fw is exactly as before (nft ruleset, rules and
# routes of both families).
. "$(dirname "$0")/netns-lib.sh"
nt_init kernel kn
S=$NT_SUFFIX
FWNS="ip netns exec fw-$S"

nt_server site2 srv 198.51.100.20:102 peer echo close

# conf FILE EVLOG INSTANCE PORT [extra relay keys]: a transparent relay
# listening on fw's inside address, and an intercept relay.
conf() {
	cat >"$1" <<CONF
event_log = "$2";
shutdown_timeout = 2.0;
instance = "$3";
${6:-}
relays = (
	{ name = "tr"; listen = "192.0.2.1:$4";
	  target = "198.51.100.20:102"; source = "transparent"; },
	{ name = "ic"; listen = "192.0.2.1:1$4"; intercept = true;
	  target = "original"; source = "transparent";
	  intercept_interfaces = [ "fw-s1" ];
	  intercept_ports = [ ${5:-102} ]; }
);
CONF
}

# start_other NAME CONF EVLOG NRELAYS: another fwrelay in fw, listening;
# OTHER_PID is its PID.
start_other() {
	fw_bg "fwrelay-$1" $FWNS "$FWRELAY" -f -c "$2"
	OTHER_PID=$BG_PID
	EVLOG_FILE=$3 FW_PID=$OTHER_PID ev_wait 5 listen "$4" ||
	    fail "$1 did not start: $(cat "$T/fwrelay-$1.err")"
}

conf "$CONF" "$EVLOG" "ka$S" 7001
$FWNS "$FWRELAY" -t -c "$CONF" >"$T/t.out" 2>&1 || fail "-t: $(cat "$T/t.out")"
grep -q "^table inet fwrelay_ka$S {" "$T/t.out" || fail "-t: $(cat "$T/t.out")"
grep -q 'iifname "fw-s1" meta nfproto ipv4 tcp dport 102 fib daddr type != local tproxy ip to 192.0.2.1:17001 meta mark set 0x2774 accept' "$T/t.out" ||
    fail "-t, TPROXY rule: $(cat "$T/t.out")"
grep -q "^ip -4 rule add fwmark 10100 lookup 10100 priority 10100$" "$T/t.out" &&
grep -q "^ip -4 route add local 0.0.0.0/0 dev lo table 10100$" "$T/t.out" ||
    fail "-t, routes: $(cat "$T/t.out")"
nt_fw_same "$T/fw.before" "fwrelay -t"
ok "-t prints the table, the fwmark rule and the local route; installs nothing"

# Instance A.
FW_NRELAYS=2
fw_start
ev_assert "A: table fwrelay_ka$S, routing table 10100" \
    "one('nft_apply', 'table=fwrelay_ka$S', 'route_table=10100', 'mark=10100', 'rules=2', 'result=ok')"
# What the listen events promise: a diverted connection arrives.
ev_assert "A: the kernel's part is in before the first listen event" \
    "[e['event'] for e in evs].index('nft_apply') <
     [e['event'] for e in evs].index('listen')"

# Instance B, alongside.
conf "$T/b.conf" "$T/b.json" "kb$S" 7002
start_other b "$T/b.conf" "$T/b.json" 2
pid_b=$OTHER_PID
EVLOG_FILE=$T/b.json ev_assert "B: its own table and the next routing table, 10101" \
    "one('nft_apply', 'table=fwrelay_kb$S', 'route_table=10101', 'result=ok')"
$FWNS ip rule show >"$T/rules"
grep -q "^10100:.*fwmark 0x2774 lookup 10100" "$T/rules" &&
grep -q "^10101:.*fwmark 0x2775 lookup 10101" "$T/rules" ||
    fail "rules: $(cat "$T/rules")"
for p in 7001 7002; do
	nt_client site1 c$p --connect 192.0.2.1:$p peer:192.0.2.10 ping:2 \
	    shut eof close
done
ok "two instances: rules 10100 and 10101; each relays transparently ($(nt_seen "$T/c7001.out"), $(nt_seen "$T/c7002.out"))"

kill -TERM "$pid_b"
fw_expect_exit "$pid_b" 8 "instance B after SIGTERM"
EVLOG_FILE=$T/b.json ev_assert "B removed its own on SIGTERM" \
    "one('nft_remove', 'table=fwrelay_kb$S', 'route_table=10101')"
$FWNS ip rule show | grep -q "lookup 10101" && fail "B's rule is left"
$FWNS nft list table inet "fwrelay_kb$S" >/dev/null 2>&1 && fail "B's table is left"
$FWNS nft list table inet "fwrelay_ka$S" >/dev/null 2>&1 ||
    fail "A's table went with B"
nt_client site1 again --connect 192.0.2.1:7001 peer:192.0.2.10 ping:2 \
    shut eof close
ok "B stopped: its table and rule gone, A's in place and relaying"

# Reload A with another diverted port.
conf "$CONF" "$EVLOG" "ka$S" 7001 "102, 135"
kill -HUP "$FW_PID"
ev_wait 5 nft_apply 2 || fail "no second nft_apply after SIGHUP"
$FWNS nft list table inet "fwrelay_ka$S" >"$T/table2"
grep -q "tcp dport { 102, 135 } fib daddr type != local tproxy ip to 192.0.2.1:17001" "$T/table2" ||
    fail "after reload: $(cat "$T/table2")"
[ "$($FWNS ip rule show | grep -c 'lookup 10100')" = 1 ] ||
    fail "reload: rules $($FWNS ip rule show)"
ok "reload: the TPROXY rule now diverts 102 and 135; one rule, same table"
nt_fw_state "$T/fw.during"
FW_EV_ROTATED=
fw_stop
nt_fw_same "$T/fw.before" "after A exited"
ev_assert "A removed its own on exit" \
    "one('nft_remove', 'table=fwrelay_ka$S', 'route_table=10100')"
ok "A stopped: fw as before"

# A rule that is there already: the start fails and undoes the table.
$FWNS ip rule add fwmark 10150 lookup 10150 priority 10150 ||
    fail "cannot add the test's own rule"
nt_fw_state "$T/fw.taken"
conf "$T/c.conf" "$T/c.json" "kc$S" 7003 102 "route_table = 10150;"
$FWNS "$FWRELAY" -f -c "$T/c.conf" >"$T/c.out" 2>&1
st=$?
[ $st -eq 1 ] || fail "a start whose rule exists: status $st"
grep -q "cannot add the IPv4 rule of table 10150: File exists" "$T/c.out" ||
    fail "no reason given: $(cat "$T/c.out")"
nt_fw_same "$T/fw.taken" "a failed start"
EVLOG_FILE=$T/c.json ev_assert "the failure is an nft_apply event" \
    "one('nft_apply', 'result=failed', 'error~File exists')"
$FWNS ip rule del fwmark 10150 lookup 10150 priority 10150
ok "route_table taken: exit 1, \"$(grep -o 'cannot add.*exists' "$T/c.out")\", nothing left, the rule found kept"

# No nft(8) on the PATH: a clear error, nothing installed.
conf "$T/d.conf" "$T/d.json" "kd$S" 7004
$FWNS env PATH=/nonexistent "$FWRELAY" -f -c "$T/d.conf" >"$T/d.out" 2>&1
st=$?
[ $st -eq 1 ] || fail "without nft: status $st"
grep -q "cannot run nft" "$T/d.out" || fail "without nft: $(cat "$T/d.out")"
nt_fw_same "$T/fw.before" "a start without nft"
ok "without nft: exit 1, \"$(grep -o 'cannot install.*cannot run nft[^;]*' "$T/d.out" | head -1)\", nothing left"

# kernel_setup = false: the user's own rules; fwrelay adds none.
conf "$T/e.conf" "$T/e.json" "ke$S" 7005 102 "kernel_setup = false;"
start_other e "$T/e.conf" "$T/e.json" 2
pid_e=$OTHER_PID
nt_fw_same "$T/fw.before" "kernel_setup = false"
EVLOG_FILE=$T/e.json ev_assert "kernel_setup = false: no nft_apply" \
    "not sel('nft_apply')"
kill -TERM "$pid_e"
fw_expect_exit "$pid_e" 8 "the kernel_setup = false instance"
ok "kernel_setup = false: nothing installed"

# A run-time change: a rewrite relay needs nothing at start; switched to
# transparent by fwrelayctl, fwrelay installs the route then.
CTL=$(dirname "$FWRELAY")/fwrelayctl
cat >"$T/f.conf" <<CONF
event_log = "$T/f.json";
shutdown_timeout = 2.0;
instance = "kf$S";
control = "$T/f.sock";
relays = ( { name = "rw"; listen = "192.0.2.1:7006";
	     target = "198.51.100.20:102"; } );
CONF
start_other f "$T/f.conf" "$T/f.json" 1
pid_f=$OTHER_PID
EVLOG_FILE=$T/f.json ev_assert "a rewrite relay: nothing installed at start" \
    "not sel('nft_apply')"
nt_fw_same "$T/fw.before" "a rewrite relay"
$FWNS "$CTL" -s "$T/f.sock" set rw source transparent >"$T/set.out" 2>&1 ||
    fail "fwrelayctl set: $(cat "$T/set.out")"
EVLOG_FILE=$T/f.json ev_assert "switched to transparent: table and route installed then" \
    "one('nft_apply', 'table=fwrelay_kf$S', 'route_table=10100', 'result=ok')"
nt_client site1 rt --connect 192.0.2.1:7006 peer:192.0.2.10 ping:2 shut eof close
ok "fwrelayctl set rw source transparent: the route came with it; the server saw $(nt_seen "$T/rt.out")"
kill -TERM "$pid_f"
fw_expect_exit "$pid_f" 8 "the run-time instance"
nt_fw_same "$T/fw.before" "after the run-time instance"
ok "and went with the exit"

FW_PID=
"$TOPO" down "$S" || fail "netns-topo down"
NT_SUFFIX=
ok "down"
