#!/bin/sh
# scripts/netns-topo itself: what "up" builds (namespaces, veths with names
# of at most 15 characters, addresses, default routes via fw, and nothing
# else in fw: no policy rule, no nftables ruleset), that traffic flows site1 <-> fw <-> site2 but
# not across (fw does not forward), that addresses outside the
# documentation ranges are refused, that "down" also ends a process left
# inside and is idempotent, and that nobody is told to skip (77).
. "$(dirname "$0")/netns-lib.sh"
nt_init topo tt --hosts
S=$NT_SUFFIX

for ns in site1 fw site2; do
	ip netns list | grep -q "^$ns-$S\\b" || fail "namespace $ns-$S missing"
	[ "$("$TOPO" name "$S" $ns)" = "$ns-$S" ] || fail "name $ns"
done
names=$(for ns in site1 fw site2; do ip -n $ns-$S -o link show |
    sed 's/^[0-9]*: \([^:@]*\).*/\1/'; done | sort | tr '\n' ' ')
[ "$names" = "fw-s1 fw-s2 lo lo lo s1-fw s2-fw " ] || fail "links: $names"
ok "links: $names(all within 15 characters)"

addrs=$(for ns in site1 fw site2; do ip -n $ns-$S -4 -o addr show |
    awk '{print $4}'; done | sort | tr '\n' ' ')
[ "$addrs" = "127.0.0.1/8 127.0.0.1/8 127.0.0.1/8 192.0.2.1/24 192.0.2.10/24 192.0.2.100/24 192.0.2.11/24 198.51.100.1/24 198.51.100.20/24 " ] ||
    fail "addresses: $addrs"
ok "addresses (with --hosts): $addrs"

ip -n site1-$S route show default | grep -q "^default via 192.0.2.1 dev s1-fw" ||
    fail "site1 default route: $(ip -n site1-$S route show default)"
ip -n site2-$S route show default | grep -q "^default via 198.51.100.1 dev s2-fw" ||
    fail "site2 default route: $(ip -n site2-$S route show default)"
[ "$(ip -n fw-$S rule show | awk '{print $1}' | tr '\n' ' ')" = "0: 32766: 32767: " ] ||
    fail "fw has rules beyond the kernel's own: $(ip -n fw-$S rule show)"
[ -z "$(ip netns exec fw-$S nft list ruleset)" ] ||
    fail "fw has an nftables ruleset: $(ip netns exec fw-$S nft list ruleset)"
[ "$(ip netns exec fw-$S cat /proc/sys/net/ipv4/ip_forward)" = 0 ] ||
    fail "ip_forward is on in fw"
ok "routes via fw; fw bare: only the kernel's rules, no nft ruleset, ip_forward 0"

# Reachability: each site reaches fw; site1 does not reach site2 directly.
nt_server fw fwsrv 192.0.2.1:7 --count 2 peer close
nt_client site1 s1fw --connect 192.0.2.1:7 peer:192.0.2.10
nt_client site2 s2fw --connect 192.0.2.1:7 peer:198.51.100.20
ok "site1 and site2 both reach fw (and are routed back)"
nt_server site2 s2srv 198.51.100.20:7 --count 1 touch:"$T/crossed" close
ip netns exec site1-$S "$FWTEST" client --timeout 1 \
    --connect 198.51.100.20:7 close >/dev/null 2>&1 &&
    fail "site1 reached site2 through fw without a relay"
[ ! -e "$T/crossed" ] || fail "site2 saw a connection from site1"
ok "site1 -> site2 directly: nothing gets across (fw does not forward)"

for a in 10.0.0.1/32 203.0.113.1/32 8.8.8.8/32; do
	"$TOPO" addr "$S" fw $a 2>/dev/null && fail "addr $a was accepted"
	"$TOPO" anyip "$S" $a 2>/dev/null && fail "anyip $a was accepted"
done
ip -n fw-$S -4 -o addr show | grep -qv -e ' 127\.' -e ' 192\.0\.2\.' \
    -e ' 198\.51\.100\.' && fail "an address outside the lab ranges in fw"
ok "addresses outside 192.0.2.0/24 and 198.51.100.0/24 refused"

"$TOPO" up "$S" >/dev/null 2>&1 && fail "a second up with the same suffix"
ip netns list | grep -q "^fw-$S\\b" || fail "the failed second up removed fw-$S"
ok "a second up with the same suffix fails and leaves the first alone"

# down ends what still runs inside, is idempotent, and leaves nothing.
ip netns exec site2-$S sleep 300 &
sleeper=$!
FW_PIDS="$FW_PIDS $sleeper"
"$TOPO" down "$S" || fail "down"
fw_wait_exit "$sleeper" 3
[ $? -eq 124 ] && fail "the process inside site2 survived down"
"$TOPO" down "$S" || fail "a second down failed"
"$TOPO" status "$S" >"$T/status.out" || fail "left: $(cat "$T/status.out")"
ok "down: the process inside ended, nothing left, second down fine"
NT_SUFFIX=

# As nobody (uid 65534), the script read from standard input so that the
# checkout's permissions do not matter.
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    sh -s up "x$S" <"$TOPO" >"$T/nobody.out" 2>&1
	st=$?
	[ $st -eq 77 ] || fail "as nobody: status $st: $(cat "$T/nobody.out")"
	grep -q "SKIP: not root" "$T/nobody.out" ||
	    fail "as nobody: $(cat "$T/nobody.out")"
	ok "as nobody: exit 77, \"$(cat "$T/nobody.out")\""
fi
