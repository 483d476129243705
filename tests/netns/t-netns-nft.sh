#!/bin/sh
# nft_rules: with interception, the static denies of the policy are
# compiled into fwrelay's own nftables table in fw, so the kernel acts on
# the SYN as a packet filter would:
# - 102 is allowed: the connection goes through fwrelay to the server;
# - 103 is denied with drop: the SYN is dropped, the client's connect
#   times out, fwrelay never hears of it (no accept event);
# - 104 is denied with reset: the SYN is answered with a RST, the client's
#   connect is refused, again without any accept in userspace;
# - 105 is diverted but no rule matches: the relay's default deny (a reset)
#   is in the table too, scoped to the relay's interfaces and ports;
# - the table is there while fwrelay runs and gone after it stopped.
. "$(dirname "$0")/netns-lib.sh"
nt_init nft nf

nt_server site2 srv102 198.51.100.20:102 --count 1 peer echo close
srv102=$SRV_PID
nt_server site2 srv103 198.51.100.20:103 --count 1 touch:"$T/got103" close
nt_server site2 srv104 198.51.100.20:104 --count 1 touch:"$T/got104" close

cat >"$CONF" <<CONF
event_log = "$EVLOG";
instance = "nfit";
shutdown_timeout = 2.0;
relays = (
	{ name = "filter";
	  listen = "192.0.2.1:10102";
	  intercept = true;
	  intercept_interfaces = [ "fw-s1" ];
	  intercept_ports = [ "102-105" ];
	  target = "original";
	  source = "transparent";
	  nft_rules = true;
	  policy = (
		{ action = "allow"; to = "198.51.100.20/32"; port = 102; },
		{ action = "deny"; port = 103; deny = "drop"; },
		{ action = "deny"; port = 104; deny = "reset"; }
	  ); }
);
CONF
FW_NRELAYS=1
fw_start
ev_wait 5 nft_apply 1 'result=ok' || fail "nft_apply: $(grep nft_apply "$EVLOG")"
ev_assert "the table holds the two denies, the default deny, the socket mark and TPROXY" \
    "one('nft_apply', 'table=fwrelay_nfit', 'rules=5', 'result=ok')"
ip netns exec "fw-$NT_SUFFIX" nft list table inet fwrelay_nfit >"$T/table" ||
    fail "no table fwrelay_nfit in fw"
grep -q 'tcp dport 103 drop' "$T/table" || fail "no drop rule: $(cat "$T/table")"
grep -q 'tcp dport 104 reject with tcp reset' "$T/table" ||
    fail "no reset rule: $(cat "$T/table")"
grep -q 'iifname "fw-s1" tcp dport 102-105 reject with tcp reset comment "relay filter default deny"' "$T/table" ||
    fail "no default deny rule: $(cat "$T/table")"
ok "fw holds table fwrelay_nfit with the drop and reset rules"

nt_client site1 c102 --connect 198.51.100.20:102 peer:192.0.2.10 ping:2 \
    shut eof close
fw_expect_exit "$srv102" 5 "the server on 102"
ok "102: allowed, the server saw $(nt_seen "$T/c102.out")"

start=$(fw_now)
if ip netns exec "site1-$NT_SUFFIX" "$FWTEST" client --timeout 2 \
    --connect 198.51.100.20:103 close >"$T/c103.out" 2>"$T/c103.err"; then
	fail "103 connected: the SYN was not dropped"
fi
grep -q "timed out" "$T/c103.err" || fail "103: $(cat "$T/c103.err")"
ok "103: connect timed out (SYN dropped in the kernel)"

if ip netns exec "site1-$NT_SUFFIX" "$FWTEST" client --timeout 2 \
    --connect 198.51.100.20:104 close >"$T/c104.out" 2>"$T/c104.err"; then
	fail "104 connected: the SYN was not answered with a reset"
fi
grep -qi "refused" "$T/c104.err" || fail "104: $(cat "$T/c104.err")"
ok "104: connection refused before any handshake"

# 105: diverted, but no rule allows it: the default deny, in the kernel.
nt_server site2 srv105 198.51.100.20:105 --count 1 touch:"$T/got105" close
if ip netns exec "site1-$NT_SUFFIX" "$FWTEST" client --timeout 2 \
    --connect 198.51.100.20:105 close >"$T/c105.out" 2>"$T/c105.err"; then
	fail "105 connected: the default deny did not act on the SYN"
fi
grep -qi "refused" "$T/c105.err" || fail "105: $(cat "$T/c105.err")"
ok "105, no rule: the default deny refused the SYN in the kernel"

[ ! -e "$T/got103" ] && [ ! -e "$T/got104" ] && [ ! -e "$T/got105" ] ||
    fail "a server behind a kernel deny got a connection"
ev_assert "userspace saw only the allowed connection" \
    "len(sel('accept')) == 1 and not sel('deny')"

fw_stop
ev_assert "the table was removed on exit" "one('nft_remove', 'table=fwrelay_nfit')"
if ip netns exec "fw-$NT_SUFFIX" nft list table inet fwrelay_nfit \
    >/dev/null 2>&1; then
	fail "table fwrelay_nfit still there after fwrelay stopped"
fi
ok "table fwrelay_nfit gone after exit"
# nt_finish without its fw_stop (done above, before the table check).
"$TOPO" down "$NT_SUFFIX" || fail "netns-topo down"
ip netns list | grep -q -- "-$NT_SUFFIX\$" &&
    fail "a namespace *-$NT_SUFFIX is still listed"
ok "down: no namespace with suffix $NT_SUFFIX left"
NT_SUFFIX=
