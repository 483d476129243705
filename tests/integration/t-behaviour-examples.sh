#!/bin/sh
# The example configurations in conf/examples/ are right: each passes
# fwrelay -t, and (as root) each loopback example does what its comments
# say, run verbatim (only event_log changed) in a private network namespace
# so its fixed addresses and ports meet nothing else on this host.
# intercept.conf needs the three-namespace lab: t-netns-intercept.sh runs it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/behaviour-lib.sh"
fw_init behaviour-examples
EX=$top_srcdir/conf/examples

n=0
for f in "$EX"/*.conf; do
	out=$("$FWRELAY" -t -c "$f" 2>"$T/t.err") ||
	    { cat "$T/t.err" >&2; fail "fwrelay -t $f: exit status $?"; }
	# Then what interception would install, for intercept.conf.
	[ "$(echo "$out" | head -n 1)" = "configuration OK" ] ||
	    fail "fwrelay -t $f said: $out"
	case $f in
	*/intercept.conf)
		echo "$out" | grep -q 'tproxy ip to 192.0.2.1:10102' ||
		    fail "-t $f: no TPROXY rule in: $out" ;;
	*)	[ "$out" = "configuration OK" ] ||
		    fail "fwrelay -t $f said: $out" ;;
	esac
	n=$((n + 1))
done
[ $n -ge 8 ] || fail "only $n examples in $EX"
ok "fwrelay -t: all $n examples OK"

if ! bh_ns_up; then
	echo "# so the examples are only checked with -t"
	exit 0
fi

# ex_start FILE NLISTENERS: run the example in the namespace.
ex_start() {
	sed "s|^event_log = .*|event_log = \"$EVLOG\";|" "$EX/$1" >"$CONF"
	grep -q "^event_log = \"$EVLOG\";" "$CONF" || fail "$1: no event_log"
	rm -f "$EVLOG"
	FW_NRELAYS=$2
	FW_WRAPPER="ip netns exec $BH_NS"
	fw_start
}

# rewrite.conf: each direction's target sees the firewall's address.
ex_start rewrite.conf 2
bh_ns_server out 127.2.0.10:10102 --count 1 peer echo close
bh_ns_server in 127.1.0.10:10102 --count 1 peer echo close
bh_ns_client rw1 --source 127.1.0.10 --connect 127.1.0.1:10102 \
    peer:127.2.0.1 ping:1 shut eof close
bh_ns_client rw2 --source 127.2.0.10 --connect 127.2.0.1:10102 \
    peer:127.1.0.1 ping:1 shut eof close
ev_wait 5 close 2 || fail "rewrite.conf: close events"
fw_stop
ok "rewrite.conf: MTA-OUT saw 127.2.0.1, MTA-IN saw 127.1.0.1"

# transparent.conf: MTA-IN sees MTA-OUT's own address.
ex_start transparent.conf 1
bh_ns_server in 127.1.0.10:10102 --count 1 peer echo close
bh_ns_client tp --source 127.2.0.10 --connect 127.2.0.1:10102 \
    peer:127.2.0.10 ping:1 shut eof close
ev_wait 5 close 1 || fail "transparent.conf: close event"
fw_stop
ok "transparent.conf: MTA-IN saw $(out_field "$T/tp.out" peer)"

# fixed.conf: the cluster IP, and a port of 41000-41003.
ex_start fixed.conf 2
bh_ns_server fw1 127.1.0.1:10201 --count 1 peer echo close
bh_ns_server fw2 127.1.0.1:10135 --count 1 peer echo close
bh_ns_client fx1 --source 127.1.0.11 --connect 127.1.0.11:10201 \
    peer:127.1.0.100 ping:1 shut eof close
bh_ns_client fx2 --source 127.1.0.11 --connect 127.1.0.11:10135 \
    peer:127.1.0.100 ping:1 shut eof close
case $(out_field "$T/fx2.out" peer) in
127.1.0.100:4100[0-3]) ;;
*) fail "fixed.conf: rebind-ports: $(out_field "$T/fx2.out" peer)" ;;
esac
ev_wait 5 close 2 || fail "fixed.conf: close events"
fw_stop
ok "fixed.conf: the firewall saw 127.1.0.100, and $(out_field "$T/fx2.out" peer)"

# policy-reset.conf: the cluster IP passes, the node and others are reset.
ex_start policy-reset.conf 2
bh_ns_server epm 127.2.0.10:10135 --count 1 peer echo close
bh_ns_client pr1 --source 127.1.0.100 --connect 127.1.0.1:10135 \
    peer ping:1 shut eof close
bh_ns_client pr2 --source 127.1.0.11 --connect 127.1.0.1:10135 reset:3
bh_ns_client pr3 --source 127.1.0.11 --connect 127.1.0.1:10201 reset:3
bh_ns_client pr4 --source 127.3.0.1 --connect 127.1.0.1:10135 reset:3
ev_wait 5 close 4 || fail "policy-reset.conf: close events"
ev_assert "policy-reset.conf: rule 1 for the node on epm, default on rpc" \
    "one('deny', 'relay=epm', 'client~^127[.]1[.]0[.]11:', 'rule=1',
     'style=reset') and one('deny', 'relay=rpc', 'rule=-1') and
     one('deny', 'relay=epm', 'client~^127[.]3[.]0[.]1:', 'rule=-1')"
fw_stop
ok "policy-reset.conf: 127.1.0.100 relayed, 127.1.0.11 and 127.3.0.1 reset"

# policy-close.conf: 10135 and 10201 pass, 10150 gets EOF.
ex_start policy-close.conf 81
bh_ns_server epm 127.2.0.10:10135 --count 1 peer echo close
bh_ns_server rpc 127.2.0.10:10201 --count 1 peer echo close
bh_ns_client pc1 --connect 127.1.0.1:10135 peer ping:1 shut eof close
bh_ns_client pc2 --connect 127.1.0.1:10201 peer ping:1 shut eof close
bh_ns_client pc3 --connect 127.1.0.1:10150 eof:3 send:x close
ev_wait 5 close 3 || fail "policy-close.conf: close events"
ev_assert "policy-close.conf: 10150 denied by rule 2 with close" \
    "one('deny', 'relay=inbound', 'rule=2', 'style=close',
     'to=127.1.0.1:10150')"
fw_stop
ok "policy-close.conf: 10135 and 10201 relayed, 10150 closed (EOF)"

# policy-drop.conf: MTA-IN passes, another site-1 host hears nothing.
ex_start policy-drop.conf 1
bh_ns_server x400 127.2.0.10:10102 --count 1 peer echo close
bh_ns_client pd1 --source 127.1.0.10 --connect 127.1.0.1:10102 \
    peer ping:1 shut eof close
bh_ns_client pd2 --source 127.1.0.12 --connect 127.1.0.1:10102 \
    silence:1 close
ev_wait 3 close 1 'client~^127[.]1[.]0[.]12:' closed_by=client \
    reason=denied || fail "policy-drop.conf: the client's close unnoticed"
ev_assert "policy-drop.conf: 127.1.0.12 dropped by rule 1" \
    "one('deny', 'relay=x400', 'rule=1', 'style=drop')"
fw_stop
ok "policy-drop.conf: 127.1.0.10 relayed, 127.1.0.12 heard nothing for 1 s"

# portrange.conf: 10205 reaches 10205, 10207 is reset.
ex_start portrange.conf 11
bh_ns_server p10205 127.1.0.10:10205 --count 1 send:'port=10205\n' peer \
    echo close
bh_ns_client prg1 --source 127.2.0.10 --connect 127.2.0.1:10205 \
    recv:'port=10205\n' peer ping:1 shut eof close
bh_ns_client prg2 --source 127.2.0.10 --connect 127.2.0.1:10207 reset:3
ev_wait 5 close 2 || fail "portrange.conf: close events"
ev_assert "portrange.conf: 10205 to 127.1.0.10:10205, 10207 denied" \
    "one('connect', 'target=127.1.0.10:10205') and
     one('deny', 'rule=0', 'to=127.2.0.1:10207')"
fw_stop
ok "portrange.conf: 10205 reached 127.1.0.10:10205, 10207 reset"
