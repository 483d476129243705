#!/bin/sh
# Captures beyond the protocol tests (t-capture-rfc1006, t-capture-epm):
# 1. A fault's reset is in the capture as the peers received it: on each
#    leg fwrelay's RST after exactly the 1000 bytes the client got.
# 2. fwrelayctl switches a relay's capture at run time: a relative or a
#    missing directory is refused (exit 1, the API's reason), "relay" mode
#    puts the next two connections in one file with a comment each, "off"
#    closes it at once (reason "off") and the next connection is not
#    captured.
# 3. In connection mode one connection's capture rotates into numbered
#    parts, each starting with the connection's comment, "(continued)".
# With ::1, an IPv6 relay's capture: both legs between ::1 ends, good TCP
# checksums, the bytes on each leg in each direction.
# 4. 1 GiB relayed (512 MiB each way, checksummed at both ends) into a
#    relay-mode capture bounded by capture_max_bytes = 32M over 4 files:
#    the directory never holds more than 32 MiB (polled while it runs),
#    every file stays within 8 MiB and capinfos takes each, the oldest
#    files went with a "delete" event each, and the files written held the
#    2 GiB the two legs carried.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init capture
fl_init
for tool in tshark capinfos; do
	command -v $tool >/dev/null 2>&1 || skip "$tool is missing" \
	    "(apt-get install tshark)"
done
SOCK=$T/ctl.sock
CTL=$(dirname "$FWRELAY")/fwrelayctl
C1=$T/cap-reset C2=$T/cap-switch C3=$T/cap-ring
mkdir "$C1" "$C2" "$C3"

fl_server sdown send:5000 recvall:10
down=$SRV_PORT down_pid=$SRV_PID
fw_server echo --timeout 20 echo
echo=$SRV_PORT
fw_server bulk --once --timeout 60 bulk:512M shut eof close
bulk=$SRV_PORT bulk_pid=$SRV_PID
fw_server bulk2 --once --timeout 20 bulk:2M shut eof close
bulk2=$SRV_PORT bulk2_pid=$SRV_PID
C4=$T/cap-parts
mkdir "$C4"
pd=$(fw_port) ps=$(fw_port) pr=$(fw_port) pp=$(fw_port)
# IPv6 on ::1 where the host has it (t-ipv6 says so when it does not).
C5=$T/cap-v6
v6=
if "$FWTEST" freeport "[::1]" >/dev/null 2>&1; then
	mkdir "$C5"
	fw_server echo6 --listen "[::1]:0" --timeout 20 echo
	p6=$(fw_port "[::1]")
	v6="v6 [::1]:$p6 [::1]:$SRV_PORT capture = \"$C5\";"
fi
# One worker whatever FW_WORKERS says: "relay" mode's one file for the
# relay is a file per worker with more (t-workers.sh checks that).
fw_conf "$CONF" "control = \"$SOCK\"; workers = 1;" \
    "down 127.0.0.1:$pd 127.0.0.1:$down capture = \"$C1\"; faults = ( { type = \"reset_after\"; bytes = 1000; direction = \"downstream\"; } );" \
    "sw 127.0.0.1:$ps 127.0.0.1:$echo" \
    "ring 127.0.0.1:$pr 127.0.0.1:$bulk capture = \"$C3\"; capture_mode = \"relay\"; capture_max_bytes = \"32M\"; capture_files = 4;" \
    "parts 127.0.0.1:$pp 127.0.0.1:$bulk2 capture = \"$C4\"; capture_max_bytes = \"2M\"; capture_files = 2;" \
    ${v6:+"$v6"}
fw_start

# 1. The fault's resets.
fl_client down "$pd" recvall:10
grep -q "received=1000 .*end=reset" "$T/down.out" ||
    fail "downstream: $(cat "$T/down.out")"
fw_wait_exit "$down_pid" 10
ev_wait 5 capture 2 relay=down || fail "capture events of down"
set -- "$C1"/*.pcapng
[ $# -eq 1 ] || fail "$# files for down"
tshark -n -r "$1" -T fields -e frame.interface_name -e ip.src \
    -e tcp.srcport -e tcp.flags.reset -e tcp.len >"$T/reset.out" \
    2>"$T/tshark.err" || fail "tshark: $(cat "$T/tshark.err")"
awk -v pd=$pd -v down=$down '
	$1 == "client" && $3 == pd && $5 > 0 { sent += $5 }
	$1 == "client" && $3 == pd && $4 == 1 { crst++ }
	$1 == "target" && $3 != down && $4 == 1 { trst++ }
	$4 == 1 { rst++ }
	END { exit !(sent == 1000 && crst == 1 && trst == 1 && rst == 2) }' \
    "$T/reset.out" || fail "the fault's resets: $(cat "$T/reset.out")"
ok "reset_after: 1000 bytes to the client, then fwrelay's RST on each leg"

# 2. Switched at run time.
"$CTL" -s "$SOCK" set sw capture caps >"$T/rel.out" 2>&1 &&
    fail "a relative directory was taken"
"$CTL" -s "$SOCK" set sw capture "$T/nowhere" >"$T/miss.out" 2>&1 &&
    fail "a missing directory was taken"
grep -q "capture directory $T/nowhere: No such file or directory" \
    "$T/miss.out" || fail "missing directory: $(cat "$T/miss.out")"
"$CTL" -s "$SOCK" set sw capture "$C2" relay >"$T/on.out" 2>&1 ||
    fail "set capture: $(cat "$T/on.out")"
fw_client a --connect 127.0.0.1:$ps send:one recv:one shut eof close
fw_client b --connect 127.0.0.1:$ps send:two recv:two shut eof close
ev_wait 5 close 2 relay=sw || fail "close events of sw"
"$CTL" -s "$SOCK" set sw capture off >"$T/off.out" 2>&1 ||
    fail "set capture off: $(cat "$T/off.out")"
ev_wait 5 capture 1 relay=sw action=close reason=off ||
    fail "no close event for the switched-off capture"
fw_client c --connect 127.0.0.1:$ps send:three recv:three shut eof close
ev_wait 5 close 3 relay=sw || fail "close events of sw"
set -- "$C2"/*.pcapng
[ $# -eq 1 ] || fail "$# files for sw, not 1"
capinfos "$1" >/dev/null || fail "capinfos refuses $1"
tshark -n -r "$1" -T fields -e frame.comment -e tcp.payload \
    >"$T/sw.out" 2>"$T/tshark.err" || fail "tshark: $(cat "$T/tshark.err")"
[ "$(grep -c '^fwrelay relay sw conn' "$T/sw.out")" -eq 2 ] ||
    fail "comments: $(cat "$T/sw.out")"
grep -q "$(printf three | od -An -tx1 | tr -d ' \n')" "$T/sw.out" &&
    fail "the connection after 'off' was captured"
ev_assert "one file opened for sw and closed by the switch" \
    "one('capture', 'relay=sw', 'action=open', 'mode=relay') and
     one('capture', 'relay=sw', 'action=close', 'reason=off')['packets'] > 0
     and len(sel('capture', 'relay=sw')) == 2"
ok "fwrelayctl: on for 2 connections in one file, off closes it at once"

# IPv6: both legs between ::1 addresses, checksums good, the bytes there.
if [ -n "$v6" ]; then
	fw_client six --connect "[::1]:$p6" send:sixsix recv:sixsix shut eof \
	    close
	ev_wait 5 capture 2 relay=v6 || fail "capture events of v6"
	tshark -n -r "$C5"/*.pcapng -o tcp.check_checksum:TRUE -T fields \
	    -e ipv6.src -e ipv6.dst -e tcp.checksum.status -e tcp.payload \
	    >"$T/v6.out" 2>"$T/tshark.err" ||
	    fail "tshark: $(cat "$T/tshark.err")"
	awk -F '\t' -v hex="$(printf sixsix | od -An -tx1 | tr -d ' \n')" '
		$1 != "::1" || $2 != "::1" || $3 != 1 { bad++ }
		{ p = $4; gsub(":", "", p) }
		p == hex { data++ }
		END { exit !(bad == 0 && NR >= 14 && data == 4) }' \
	    "$T/v6.out" || fail "IPv6 capture: $(cat "$T/v6.out")"
	ok "IPv6: $(wc -l <"$T/v6.out") packets between ::1 ends, good" \
	    "checksums, the 6 bytes on each leg both ways"
fi

# 3. One connection's file in parts: 2 MiB each way is 8 MiB on the two
# legs, in files of 1 MiB of which the last 2 are kept, named in order,
# each beginning with the connection's comment, "(continued)".
fw_client parts --connect 127.0.0.1:$pp --timeout 20 bulk:2M shut eof close
fw_expect_exit "$bulk2_pid" 10 "bulk2 server"
ev_wait 5 close 1 relay=parts || fail "close event of parts"
ls "$C4" >"$T/parts.ls"
[ "$(wc -l <"$T/parts.ls")" -eq 2 ] || fail "parts kept: $(cat "$T/parts.ls")"
last=$(sed -n 2p "$T/parts.ls")
case $last in
*-c*-part[0-9]*.pcapng) ;;
*) fail "part names: $(cat "$T/parts.ls")" ;;
esac
for f in "$C4"/*; do
	[ "$(stat -c %s "$f")" -le 1048576 ] || fail "$f is over 1 MiB"
	tshark -n -r "$f" -c 1 -T fields -e frame.comment 2>/dev/null |
	    grep -q '^fwrelay relay parts conn [0-9]* accept .* (continued)$' ||
	    fail "$f: no continued comment on its first packet"
done
ev_assert "the connection's parts: 8 or more, the oldest deleted" \
    "len(sel('capture', 'relay=parts', 'action=open')) >= 8 and
     len(sel('capture', 'relay=parts', 'action=delete')) ==
     len(sel('capture', 'relay=parts', 'action=open')) - 2 and
     len(sel('capture', 'relay=parts', 'action=close', 'reason=rotate')) ==
     len(sel('capture', 'relay=parts', 'action=open')) - 1"
ok "a connection's capture rotates into parts, the last 2 kept"

# 4. 1 GiB through a bounded ring.
(
	max=0
	while [ ! -e "$T/ring.done" ]; do
		n=$(du -sb "$C3" | cut -f1)
		[ "$n" -gt "$max" ] && max=$n && echo "$max" >"$T/ring.max"
		sleep 0.05
	done
) &
poll=$!
FW_PIDS="$FW_PIDS $poll"
fw_client ring --connect 127.0.0.1:$pr --timeout 60 bulk:512M shut eof close
fw_expect_exit "$bulk_pid" 20 "bulk server"
touch "$T/ring.done"
wait $poll
c_sent=$(out_field "$T/ring.out" sent_fnv)
s_recv=$(out_field "$T/bulk.out" received_fnv)
s_sent=$(out_field "$T/bulk.out" sent_fnv)
c_recv=$(out_field "$T/ring.out" received_fnv)
[ -n "$c_sent" ] && [ "$c_sent" = "$s_recv" ] && [ "$s_sent" = "$c_recv" ] ||
    fail "checksums: $c_sent/$s_recv, $s_sent/$c_recv"
ev_wait 5 close 1 relay=ring || fail "close event of ring"
max=$(cat "$T/ring.max")
# 32 MiB for the files; du counts the directory's own block too.
[ "$max" -le $((32 * 1048576 + 4096)) ] ||
    fail "the capture directory reached $max bytes"
for f in "$C3"/*.pcapng; do
	size=$(stat -c %s "$f")
	[ "$size" -le $((8 * 1048576)) ] || fail "$f: $size bytes"
	capinfos "$f" >/dev/null 2>&1 || fail "capinfos refuses $f"
done
fw_stop
ev_assert "deletes made room; the files written held both legs' 2 GiB" \
    "len(sel('capture', 'relay=ring', 'action=delete',
             'reason=capture_max_bytes')) >= 200 and
     not sel('capture', 'relay=ring', 'action=full') and
     sum(e['bytes'] for e in sel('capture', 'relay=ring',
         'action=close')) >= 2 * 1024 ** 3"
ls "$C3" >"$T/ring.ls"
# The 64 KiB segments of the bulk transfer carry good checksums too.
newest=$C3/$(head -n 1 "$T/ring.ls")
tshark -n -r "$newest" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
    -T fields -e tcp.checksum.status -e ip.checksum.status -e tcp.len \
    >"$T/csum.out" 2>"$T/tshark.err" || fail "tshark: $(cat "$T/tshark.err")"
awk '$1 != 1 || $2 != 1 { bad++ } $3 > 60000 { big++ }
    END { exit !(bad == 0 && big > 10) }' "$T/csum.out" ||
    fail "checksums in $newest: $(sort "$T/csum.out" | uniq -c | head)"
ok "1 GiB relayed: at most $max bytes on disk, every file within 8 MiB"
