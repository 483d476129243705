#!/bin/sh
# Interop, DCE/RPC: Samba's samba-dcerpcd (a real Microsoft-compatible
# endpoint mapper, on 127.0.0.1:135 and its dynamic ports 49152+) and
# impacket as the client, in a network namespace of this test's own so
# that those ports clash with nothing. Through an epm relay with pinholes
# and rewrite_towers: hept_map for samr and lsarpc answers the relay's
# address and a pinhole; anonymous SamrConnect and
# SamrEnumerateDomainsInSamServer over the pinhole list the domains; the
# pinhole is "once", so a second use is refused. Through an epm relay
# without pinholes the towers still point at the relay, where nothing
# listens: the second connection is refused. tshark on the namespace's lo:
# the two legs carry the same bytes but for the rewritten tower floors,
# and the client leg's towers say the relay's address.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../inspect/insp-lib.sh"
INSP_DIR=$(cd "$(dirname "$0")/../inspect" && pwd)
fw_init interop-samba

DCERPCD=/usr/libexec/samba/samba-dcerpcd
[ "$(id -u)" -eq 0 ] ||
    skip "Samba's samba-dcerpcd runs only as root (messaging_init fails otherwise)"
[ -x "$DCERPCD" ] || skip "$DCERPCD is missing (apt-get install samba)"
ip netns list >/dev/null 2>&1 || skip "no network namespaces (ip netns)"
insp_need_impacket
insp_need_tshark

NS=fwi-samba-$$
ip netns add "$NS" || fail "ip netns add $NS"
# lib.sh's cleanup ends our processes by PID; the namespace goes after.
ns_cleanup() {
	local st=$? pid n=0
	for pid in $FW_PIDS; do
		fw_alive "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for pid in $FW_PIDS; do
		while fw_alive "$pid" && [ $n -lt 100 ]; do
			sleep 0.03
			n=$((n + 1))
		done
	done
	ip netns del "$NS" 2>/dev/null
	(exit $st)
	fw_cleanup
}
trap ns_cleanup EXIT
ip -n "$NS" link set lo up || fail "lo up in $NS"
IN="ip netns exec $NS"

# Samba, every directory under the test's folder.
D=$T/samba
mkdir -p "$D/lock" "$D/state" "$D/cache" "$D/pid" "$D/private" \
    "$D/ncalrpc" "$D/binddns" "$D/log"
cat >"$D/smb.conf" <<EOF
[global]
	workgroup = PEERSLAB
	netbios name = FWLAB
	server role = standalone server
	interfaces = lo
	bind interfaces only = yes
	rpc start on demand helpers = no
	disable netbios = yes
	passdb backend = tdbsam:$D/private/passdb.tdb
	lock directory = $D/lock
	state directory = $D/state
	cache directory = $D/cache
	pid directory = $D/pid
	private dir = $D/private
	ncalrpc dir = $D/ncalrpc
	binddns dir = $D/binddns
	log file = $D/log/%m.log
	load printers = no
	printcap name = /dev/null
EOF
fw_bg samba $IN "$DCERPCD" -F --no-process-group -s "$D/smb.conf" \
    --libexec-rpcds
n=0
until $IN ss -ltnH 'sport = :135' 2>/dev/null | grep -q 127.0.0.1; do
	fw_alive "$BG_PID" || fail "samba-dcerpcd ended: $(cat "$T/samba.err")"
	[ $n -ge 250 ] && fail "samba-dcerpcd not listening on 135 after 5 s"
	sleep 0.02
	n=$((n + 1))
done
ok "samba-dcerpcd listening on 127.0.0.1:135 in namespace $NS"

P=127.9.0.1 Q=127.9.0.2
FW_WRAPPER=$IN
fw_conf "$CONF" "" \
    "epm $P:135 127.0.0.1:135 protocol = \"epm\"; pinholes = true; rewrite_towers = true; pinhole_uses = \"once\";" \
    "nopin $Q:135 127.0.0.1:135 protocol = \"epm\"; pinholes = false; rewrite_towers = true;"
fw_start
TS_WRAP=$IN ts_start cap "tcp or udp port 9" 127.0.0.1

SC=$(dirname "$0")/sambaclient.py
sc() {	# NAME ARGS...
	local name=$1
	shift
	$IN "$PY" "$SC" "$@" >"$T/$name.out" 2>"$T/$name.err" ||
	    fail "sambaclient $name: $(cat "$T/$name.out" "$T/$name.err")"
}
sc lsarpc --epm $P:135 --iface lsarpc
sc samr --epm $P:135 --iface samr --expect once
sc nopin --epm $Q:135 --iface samr --expect refused
TS_WRAP=$IN ts_stop cap 127.0.0.1

map=$(sed -n 's/^map //p' "$T/samr.out")
case $map in
ncacn_ip_tcp:$P\[*\]) ;;
*) fail "samr mapped to $map, not the relay's address $P" ;;
esac
port=${map#*[}
port=${port%]}
grep -qx "map ncacn_ip_tcp:$P\[[0-9]*\]" "$T/lsarpc.out" ||
    fail "lsarpc mapped to $(cat "$T/lsarpc.out")"
grep -q '^domains .*Builtin' "$T/samr.out" ||
    fail "SamrEnumerateDomainsInSamServer: $(cat "$T/samr.out")"
ok "hept_map lsarpc and samr -> $P; over the pinhole $map: $(sed -n 's/^domains //p' "$T/samr.out")"
grep -qxF "second use refused $map" "$T/samr.out" ||
    fail "second use of the once pinhole: $(cat "$T/samr.out")"
grep -qx "refused ncacn_ip_tcp:$Q\[[0-9]*\]" "$T/nopin.out" ||
    fail "without pinholes: $(cat "$T/nopin.out")"
ok "pinhole_uses once: a second use refused; without pinholes the mapped port is refused"

# tshark, the client leg of the epm relay: every tower says the relay.
tshark -n -r "$T/cap.pcapng" -Y "epm.proto.ip and tcp.srcport == 135 and ip.dst == 127.0.0.1 and ip.src == $P" \
    -T fields -e epm.proto.ip -e epm.proto.tcp_port >"$T/towers.txt" \
    2>"$T/towers.err" || fail "tshark: $(cat "$T/towers.err")"
[ -s "$T/towers.txt" ] || fail "tshark found no tower on the client leg"
awk -v p=$P '{ n = split($1, ips, ","); for (i = 1; i <= n; i++)
    if (ips[i] != p && ips[i] != "0.0.0.0") bad = 1 } END { exit bad }' \
    "$T/towers.txt" || fail "a tower on the client leg names another address: $(cat "$T/towers.txt")"
grep -q "$port" "$T/towers.txt" || fail "no tower with the pinhole port $port: $(cat "$T/towers.txt")"
ok "tshark, client leg: $(wc -l <"$T/towers.txt") EPM replies, towers $(sort -u "$T/towers.txt" | tr '\t\n' ': ')"
"$PY" "$(dirname "$0")/legs.py" --mode dcerpc --events "$EVLOG" \
    "$T/cap.pcapng" >"$T/legs.out" 2>"$T/legs.err" ||
    fail "legs: $(cat "$T/legs.out" "$T/legs.err")"
grep -q 'tower floors' "$T/legs.out" ||
    fail "legs: no rewritten floor seen: $(cat "$T/legs.out")"
ok "tshark, both legs: $(tail -n 1 "$T/legs.out")"

samr_uuid=12345778-1234-abcd-ef00-0123456789ac
ev_spec "the epm relay: ept_map for samr, towers rewritten to $P, a pinhole on $port used once" \
    "sel('pinhole_open', 'relay=epm') and
     any(str($port) in e.get('listen', '') for e in sel('pinhole_open',
     'relay=epm')) and
     any('$samr_uuid' in str(e).lower() for e in evs
     if e.get('relay') == 'epm') and
     sel('close', 'relay~^epm:pinhole')"
ev_spec "no pinhole on the relay without pinholes" \
    "not sel('pinhole_open', 'relay=nopin')"
ev_run
insp_stop
