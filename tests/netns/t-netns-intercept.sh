#!/bin/sh
# (c) Interception, with conf/examples/intercept.conf as it is (only its
# event_log changed and port 103 diverted too), in a bare fw: no rule but
# what fwrelay installs itself. site1 dials 198.51.100.20 directly; fw
# (ip_forward 0) diverts TCP to ports 102, 135 and 103 arriving from site1
# with TPROXY to fwrelay's listener (intercept = true: IP_TRANSPARENT on the listener),
# whose target "original" is the destination the client asked for.
# - 102 and 135: the client believes it is connected to 198.51.100.20:PORT
#   (its socket's peer), the server there sees the client's own address
#   (source transparent), and the allow events carry the original
#   destination as "to": the example's rules 0 and 1 match on to =
#   198.51.100.20/32 and port 102 / 135, neither of which is the listener's.
# - 103: no rule allows that original port: the default deny resets the
#   client, and the server on 103 never sees a connection.
# - 104 is not diverted: with forwarding off it gets nowhere (times out),
#   so what reached 102 and 135 went through fwrelay.
# - fwrelay's capture (capture_mode "relay") shows each leg as the client
#   and server saw it: the original destination, never the listener.
. "$(dirname "$0")/netns-lib.sh"
nt_init intercept ic --hosts

nt_server site2 srv102 198.51.100.20:102 --count 1 peer echo close
srv102=$SRV_PID
nt_server site2 srv135 198.51.100.20:135 --count 1 peer echo close
srv135=$SRV_PID
nt_server site2 srv103 198.51.100.20:103 --count 1 touch:"$T/got103" close
nt_server site2 srv104 198.51.100.20:104 --count 1 touch:"$T/got104" close
sed -e "s|^event_log = .*|event_log = \"$EVLOG\";|" \
    -e 's|intercept_ports = \[ 102, 135 \];|intercept_ports = [ 102, 135, 103 ];|' \
    -e "s|target = \"original\";|target = \"original\"; capture = \"$T/cap\"; capture_mode = \"relay\";|" \
    "$top_srcdir/conf/examples/intercept.conf" >"$CONF"
grep -q "^event_log = \"$EVLOG\";" "$CONF" || fail "no event_log line"
grep -q "intercept_ports = \[ 102, 135, 103 \];" "$CONF" ||
    fail "no intercept_ports line"
grep -q "capture = \"$T/cap\";" "$CONF" || fail "no capture line"
mkdir "$T/cap"
FW_NRELAYS=1
fw_start
ev_assert "fwrelay installed the TPROXY rule and the policy route itself" \
    "one('nft_apply', 'result=ok', 'table=fwrelay_fwrelay', 'rules=2')"
ip netns exec "fw-$NT_SUFFIX" nft list table inet fwrelay_fwrelay \
    >"$T/table" 2>&1 || fail "no table: $(cat "$T/table")"
grep -q 'iifname "fw-s1" meta nfproto ipv4 tcp dport { 102, 103, 135 } fib daddr type != local tproxy ip to 192.0.2.1:10102' "$T/table" ||
    fail "TPROXY rule: $(cat "$T/table")"
rt=$(ev_get nft_apply route_table)
ip -n "fw-$NT_SUFFIX" rule show | grep -q "^$rt:.*fwmark $(printf 0x%x "$rt") lookup $rt" ||
    fail "no fwmark rule for table $rt: $(ip -n "fw-$NT_SUFFIX" rule show)"
ok "fwrelay alone made fw intercept: TPROXY from fw-s1, fwmark rule and local route in table $rt"

nt_client site1 c102 --connect 198.51.100.20:102 \
    peer:192.0.2.10 ping:3 shut eof close
c=$(nt_local "$T/c102.out") remote=$(nt_remote "$T/c102.out")
[ "$remote" = 198.51.100.20:102 ] ||
    fail "the client's socket is connected to $remote, not 198.51.100.20:102"
ok "102: client $c connected to $remote as if direct; the server saw $(nt_seen "$T/c102.out")"
fw_expect_exit "$srv102" 5 "the server on 102"
ev_assert "102: accepted, allowed by rule 0 to the original destination" \
    "one('accept', 'relay=local-tunnel', 'client=$c') and
     one('allow', 'client=$c', 'rule=0', 'to=198.51.100.20:102') and
     one('connect', 'client=$c', 'target=198.51.100.20:102',
     'source~^192[.]0[.]2[.]10:')"

nt_client site1 c135 --source 192.0.2.11 --connect 198.51.100.20:135 \
    peer:192.0.2.11 ping:3 shut eof close
c=$(nt_local "$T/c135.out")
[ "$(nt_remote "$T/c135.out")" = 198.51.100.20:135 ] ||
    fail "the client's socket is connected to $(nt_remote "$T/c135.out")"
fw_expect_exit "$srv135" 5 "the server on 135"
ev_assert "135: from 192.0.2.11, allowed by rule 1, relayed to :135" \
    "one('allow', 'client=$c', 'rule=1', 'to=198.51.100.20:135') and
     one('connect', 'client=$c', 'target=198.51.100.20:135',
     'source~^192[.]0[.]2[.]11:')"
ok "135: the server saw $(nt_seen "$T/c135.out")"

nt_client site1 c103 --connect 198.51.100.20:103 reset:3
c=$(nt_local "$T/c103.out")
ev_wait 5 close 1 "client=$c" || fail "103: close event"
ev_assert "103: no rule allows the original port: default deny (reset)" \
    "one('deny', 'client=$c', 'rule=-1', 'style=reset',
     'to=198.51.100.20:103') and not sel('connect', 'client=$c')"
[ ! -e "$T/got103" ] || fail "the server on 103 got a connection"
ok "103: the client was reset, the server on 103 saw nothing"

if ip netns exec "site1-$NT_SUFFIX" "$FWTEST" client --timeout 1 \
    --connect 198.51.100.20:104 close >"$T/c104.out" 2>"$T/c104.err"; then
	fail "104 (not diverted) was reachable: fw forwards?"
fi
grep -q "timed out" "$T/c104.err" || fail "104: $(cat "$T/c104.err")"
[ ! -e "$T/got104" ] || fail "the server on 104 got a connection"
ok "104, not diverted: connect timed out, fw does not forward"

ev_wait 5 close 3 || fail "close events"
# The capture tells the intercepted story: the client leg between the
# client and the address it dialled (not the listener's), the target leg
# from the client's own address; 103 accepted, then reset by "the server".
if command -v tshark >/dev/null 2>&1; then
	c102=$(nt_local "$T/c102.out") c103=$(nt_local "$T/c103.out")
	tshark -n -r "$T"/cap/*.pcapng -T fields -e frame.interface_name \
	    -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
	    -e tcp.flags.syn -e tcp.flags.reset >"$T/cap.out" \
	    2>"$T/cap.err" || fail "tshark: $(cat "$T/cap.err")"
	awk -v c102="$c102" -v c103="$c103" '
		{ src = $2 ":" $3; dst = $4 ":" $5 }
		$1 == "client" && src == c102 && dst == "198.51.100.20:102" &&
		    $6 == 1 { csyn++ }
		$1 == "target" && $2 == "192.0.2.10" &&
		    dst == "198.51.100.20:102" && $6 == 1 { tsyn++ }
		$1 == "client" && src == "198.51.100.20:103" && dst == c103 &&
		    $7 == 1 { rst++ }
		dst == "192.0.2.1:10102" || src == "192.0.2.1:10102" { bad++ }
		END { exit !(csyn == 1 && tsyn == 1 && rst == 1 && bad == 0) }' \
	    "$T/cap.out" || fail "the capture: $(cat "$T/cap.out")"
	ok "the capture: $c102 -> 198.51.100.20:102 on both legs, 103 reset" \
	    "by its original destination, the listener's address nowhere"
fi
nt_finish
ev_assert "what it installed it removed on exit" \
    "one('nft_remove', 'table=fwrelay_fwrelay', 'route_table=$rt')"
