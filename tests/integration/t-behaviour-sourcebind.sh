#!/bin/sh
# A source address fwrelay cannot bind is refused when the configuration is
# checked, in plain words, not found out later as a failing connection:
# (a) fixed and (b) rewrite with source_address 198.51.100.77 (not an
# address of this host; only bind() is tried, nothing is sent): fwrelay -t
# exits 1 with "FILE:LINE: relay 'NAME': source_address ... is not an
# address of this host (...)"; (c) started for real it exits 1 with the
# same message and listens nowhere; (d) fixed without source_address is a
# config error, on the line of source = "fixed"; (e) a local source_address
# (127.1.0.100) passes -t.
. "$(dirname "$0")/lib.sh"
fw_init behaviour-sourcebind

pa=$(fw_port 127.2.0.1)
hint="(add it to an interface, or route its block as local: ip route add local ... dev lo)"

# expect_bad FILE WHAT LINE MESSAGE [ARGS]: fwrelay ARGS -c FILE exits 1
# and says exactly FILE:LINE: MESSAGE on stderr, nothing on stdout.
expect_bad() {
	local file=$1 what=$2 line=$3 msg=$4 st
	shift 4
	"$FWRELAY" "$@" -c "$file" >"$T/bad.out" 2>"$T/bad.err"
	st=$?
	[ $st -eq 1 ] || { cat "$T/bad.err" >&2; fail "$what: exit status $st, expected 1"; }
	grep -qxF "$file:$line: $msg" "$T/bad.err" || {
		cat "$T/bad.err" >&2
		fail "$what: expected the message: $file:$line: $msg"
	}
	[ ! -s "$T/bad.out" ] || fail "$what: unexpected output: $(cat "$T/bad.out")"
	ok "$what: exit 1, \"$msg\""
}

for mode in fixed rewrite; do
	fw_conf "$T/$mode.conf" "" \
	    "fx 127.2.0.1:$pa 127.2.0.10:$pa source = \"$mode\"; source_address = \"198.51.100.77\";"
	expect_bad "$T/$mode.conf" "$mode, -t" 5 \
	    "relay 'fx': source_address 198.51.100.77 is not an address of this host $hint" -t
done

# (c) a real start refuses the same, before opening anything.
expect_bad "$T/fixed.conf" "fixed, started with -f" 5 \
    "relay 'fx': source_address 198.51.100.77 is not an address of this host $hint" -f
"$FWTEST" client --connect 127.2.0.1:$pa --expect-refused >/dev/null ||
    fail "(c) something listens on 127.2.0.1:$pa"
[ "$(ev_count listen)" = 0 ] || fail "(c) a listen event was logged"
ok "(c) nothing listened, no listen event"

fw_conf "$T/nosrc.conf" "" "fx 127.2.0.1:$pa 127.2.0.10:$pa source = \"fixed\";"
expect_bad "$T/nosrc.conf" "(d) fixed without source_address, -t" 8 \
    "'source_address' is required with source \"fixed\"" -t

fw_conf "$T/good.conf" "" \
    "fx 127.2.0.1:$pa 127.2.0.10:$pa source = \"fixed\"; source_address = \"127.1.0.100\";"
out=$("$FWRELAY" -t -c "$T/good.conf" 2>&1) ||
    fail "(e) a local source_address was refused: $out"
[ "$out" = "configuration OK" ] || fail "(e) -t said: $out"
ok "(e) source_address 127.1.0.100 (local): configuration OK"
