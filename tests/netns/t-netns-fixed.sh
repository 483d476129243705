#!/bin/sh
# (d) Fixed-source rebinding across the firewall: fwrelay in fw sources its
# connections to site2 from one configured address, whoever the client in
# site1 was.
# - an address added to fw's outside interface (198.51.100.5/32): the
#   server in site2 sees 198.51.100.5;
# - an "AnyIP" block (ip route add local 198.51.100.128/25 dev lo in fw):
#   any address of it is local, so 198.51.100.200 binds without privilege
#   concerns and the server sees it (site2 reaches it because fw answers
#   ARP for its local addresses); with source_port "41000-41001" the port
#   it sees is in the range;
# - fwrelay -t in fw accepts 198.51.100.200 (inside the block) and refuses
#   198.51.100.99 (neither added nor routed local) in plain words.
. "$(dirname "$0")/netns-lib.sh"
nt_init fixed fx --hosts

"$TOPO" addr "$NT_SUFFIX" fw 198.51.100.5/32 || fail "addr"
"$TOPO" anyip "$NT_SUFFIX" 198.51.100.128/25 || fail "anyip"
nt_fw_state "$T/fw.before"	# what fwrelay must leave as it found it
nt_server site2 srv 198.51.100.20:102 peer echo close
fw_conf "$CONF" "" \
    "added 192.0.2.1:10102 198.51.100.20:102 source = \"fixed\"; source_address = \"198.51.100.5\";" \
    "anyip 192.0.2.1:10103 198.51.100.20:102 source = \"fixed\"; source_address = \"198.51.100.200\"; source_port = \"41000-41001\";"
fw_start

for src in 192.0.2.10 192.0.2.11 192.0.2.100; do
	nt_client site1 a$src --source $src --connect 192.0.2.1:10102 \
	    peer:198.51.100.5 ping:1 shut eof close
	ok "added address: client $src, the server saw $(nt_seen "$T/a$src.out")"
done

for src in 192.0.2.10 192.0.2.11; do
	nt_client site1 b$src --source $src --connect 192.0.2.1:10103 \
	    peer:198.51.100.200 ping:1 shut eof close
	seen=$(nt_seen "$T/b$src.out")
	case $seen in
	198.51.100.200:4100[01]) ;;
	*) fail "AnyIP: the server saw $seen, expected 198.51.100.200:41000-41001" ;;
	esac
	ok "AnyIP block: client $src, the server saw $seen"
done
ev_wait 5 close 5 || fail "close events"
ev_assert "every connect from the configured source" \
    "len(sel('connect', 'relay=added', 'source~^198[.]51[.]100[.]5:')) == 3
     and len(sel('connect', 'relay=anyip',
     'source~^198[.]51[.]100[.]200:4100[01]$')) == 2"

for a in 198.51.100.200 198.51.100.99; do
	fw_conf "$T/t$a.conf" "" \
	    "x 192.0.2.1:10109 198.51.100.20:102 source = \"fixed\"; source_address = \"$a\";"
done
out=$(ip netns exec "fw-$NT_SUFFIX" "$FWRELAY" -t -c "$T/t198.51.100.200.conf" 2>&1) ||
    fail "-t refused 198.51.100.200 inside the AnyIP block: $out"
ok "-t in fw: 198.51.100.200 (AnyIP block) accepted"
if out=$(ip netns exec "fw-$NT_SUFFIX" "$FWRELAY" -t -c "$T/t198.51.100.99.conf" 2>&1); then
	fail "-t accepted 198.51.100.99, which is not local in fw"
fi
echo "$out" | grep -q "source_address 198.51.100.99 is not an address of this host" ||
    fail "-t said: $out"
ok "-t in fw: 198.51.100.99 refused: not an address of this host"
nt_finish
