#!/bin/sh
# fwrelay -t: a good file prints exactly "configuration OK" and exits 0; a
# file with a syntax error and one with several semantic errors print
# every error as "file:line: message" on stderr, nothing on stdout, and
# exit 1. A source_address this host lacks comes out with the other errors.
. "$(dirname "$0")/lib.sh"
fw_init configtest

# run_t FILE: stdout, stderr and status of fwrelay -t.
run_t() {
	"$FWRELAY" -t -c "$1" >"$T/t.out" 2>"$T/t.err"
	echo $? >"$T/t.status"
}

# expect_lines FILE: stderr must hold exactly these lines (any order).
expect_lines() {
	sort "$T/t.err" >"$T/got"
	sort >"$T/want"
	diff -u "$T/want" "$T/got" >&2 || fail "$1: stderr is not as expected"
}

cat >"$T/good.conf" <<CONF
event_log = "$T/events.json";
log_level = "debug";
shutdown_timeout = 5.0;
relays = (
  { name = "demo";
    listen = "127.0.0.1:10102";
    target = "127.0.0.1:20102";
    timeouts = { connect = 10.0; idle = 600.0; };
    max_connections = 10000;
    buffer_size = 65536; },
  { name = "v6";
    listen = "[::1]:10103";
    target = "[::1]:20103"; }
);
CONF
run_t "$T/good.conf"
[ "$(cat "$T/t.status")" = 0 ] || fail "good file: exit $(cat "$T/t.status"): $(cat "$T/t.err")"
[ "$(cat "$T/t.out")" = "configuration OK" ] ||
    fail "good file: stdout is \"$(cat "$T/t.out")\""
[ -s "$T/t.err" ] && fail "good file: stderr: $(cat "$T/t.err")"
[ -e "$T/events.json" ] && fail "-t created the event log"
ok "good file: \"configuration OK\", exit 0, nothing else"

cat >"$T/syntax.conf" <<CONF
event_log = "$T/events.json";
log_level = "info";
shutdown_timeout = = 2.0;
relays = (
  { name = "demo";
    listen = "127.0.0.1:10000";
    target = "127.0.0.1:10001"; }
);
CONF
run_t "$T/syntax.conf"
[ "$(cat "$T/t.status")" = 1 ] || fail "syntax error: exit $(cat "$T/t.status")"
[ -s "$T/t.out" ] && fail "syntax error: stdout: $(cat "$T/t.out")"
expect_lines "syntax error" <<EOF
$T/syntax.conf:3: syntax error
EOF
ok "syntax error: \"$T/syntax.conf:3: syntax error\", exit 1"

cat >"$T/semantic.conf" <<CONF
event_log = "$T/events.json";
log_level = "loud";
shutdown_timeout = 2.0;
relays = (
  { name = "demo";
    listen = "127.0.0.1:99999";
    target = "127.0.0.1:10001"; },
  { name = "small";
    listen = "127.0.0.1:10002";
    target = "127.0.0.1:10003";
    buffer_size = 10;
    timeouts = { connect = -1.0; }; },
  { name = "demo";
    listen = "127.0.0.1:10004";
    target = "nowhere"; }
);
CONF
run_t "$T/semantic.conf"
[ "$(cat "$T/t.status")" = 1 ] || fail "semantic errors: exit $(cat "$T/t.status")"
[ -s "$T/t.out" ] && fail "semantic errors: stdout: $(cat "$T/t.out")"
S=$T/semantic.conf
expect_lines "semantic errors" <<EOF
$S:2: 'log_level' must be "error", "warning", "info" or "debug", not "loud"
$S:6: bad address '127.0.0.1:99999': port 99999 out of range 1-65535
$S:11: 'buffer_size' 10 out of range 1024-67108864
$S:12: negative timeout 'connect'
$S:13: duplicate relay name 'demo' (first at line 5)
$S:15: bad address 'nowhere': not a numeric address (host names are not resolved)
EOF
ok "semantic errors: all six reported at their lines, exit 1"

run_t "$T/missing.conf"
[ "$(cat "$T/t.status")" = 1 ] || fail "missing file: exit $(cat "$T/t.status")"
grep -q "^$T/missing.conf: " "$T/t.err" ||
    fail "missing file: stderr: $(cat "$T/t.err")"
ok "missing file: \"$(cat "$T/t.err")\", exit 1"

# A source_address this host lacks is an error of the file like the rest:
# reported with them, in line order, not only once they are fixed.
cat >"$T/host.conf" <<CONF
event_log = "-";
relays = (
  { name = "away";
    listen = "127.0.0.1:10005";
    target = "127.0.0.1:10006";
    source_address = "192.0.2.77"; },
  { name = "bad";
    listen = "127.0.0.1:10007";
    target = "127.0.0.1:10008";
    buffer_size = 10; }
);
CONF
run_t "$T/host.conf"
[ "$(cat "$T/t.status")" = 1 ] || fail "host check: exit $(cat "$T/t.status")"
H=$T/host.conf
cat >"$T/want.host" <<EOF
$H:3: relay 'away': source_address 192.0.2.77 is not an address of this host (add it to an interface, or route its block as local: ip route add local ... dev lo)
$H:10: 'buffer_size' 10 out of range 1024-67108864
EOF
diff -u "$T/want.host" "$T/t.err" >&2 ||
    fail "host check: not both errors in line order"
ok "a non-local source_address and another error: both reported, in line order, exit 1"

# The transparent-mode hint (privileged only: without it the relay can
# only use local client addresses, and says that instead), given when
# kernel_setup = false leaves the policy routing to the administrator.
# None for a relay all on loopback; the IPv6 commands for an IPv6 relay.
# With kernel_setup (the default) -t prints the rule and route fwrelay
# would install instead, for both families of a [::] listener.
if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: the policy-routing hint is not checked"
elif ip -4 rule show | grep -q fwmark || ip -6 rule show | grep -q fwmark; then
	echo "# this host has fwmark rules: the policy-routing hint is not checked"
else
	"$FWRELAY" -t -c "$top_srcdir/conf/examples/transparent.conf" \
	    >"$T/t.out" 2>"$T/t.err" || fail "transparent.conf: $(cat "$T/t.err")"
	grep -q "policy routing" "$T/t.err" &&
	    fail "transparent.conf (all loopback) warned: $(cat "$T/t.err")"
	cat >"$T/tp.conf" <<CONF
event_log = "-";
kernel_setup = false;
relays = (
  { name = "v4"; listen = "0.0.0.0:10009"; target = "127.0.0.1:10010";
    source = "transparent"; },
  { name = "v6"; listen = "[::]:10011"; target = "[::1]:10012";
    source = "transparent"; }
);
CONF
	"$FWRELAY" -t -c "$T/tp.conf" >"$T/t.out" 2>"$T/t.err" ||
	    fail "tp.conf: $(cat "$T/t.err")"
	grep "relay 'v4'" "$T/t.err" | grep -q "ip -4 rule add fwmark 1 lookup 100; ip -4 route add local 0.0.0.0/0 dev lo table 100" ||
	    fail "no IPv4 policy-routing hint: $(cat "$T/t.err")"
	grep "relay 'v6'" "$T/t.err" | grep -q "ip -6 rule add fwmark 1 lookup 100; ip -6 route add local ::/0 dev lo table 100" ||
	    fail "no IPv6 policy-routing hint: $(cat "$T/t.err")"
	[ "$(cat "$T/t.out")" = "configuration OK" ] ||
	    fail "kernel_setup = false, yet -t would install: $(cat "$T/t.out")"
	sed '/^kernel_setup/d' "$T/tp.conf" >"$T/tp2.conf"
	"$FWRELAY" -t -c "$T/tp2.conf" >"$T/t.out" 2>"$T/t.err" ||
	    fail "tp2.conf: $(cat "$T/t.err")"
	grep -q "policy routing" "$T/t.err" &&
	    fail "kernel_setup: still the hint: $(cat "$T/t.err")"
	for l in "ip -4 rule add fwmark 10100 lookup 10100 priority 10100" \
	    "ip -4 route add local 0.0.0.0/0 dev lo table 10100" \
	    "ip -6 rule add fwmark 10100 lookup 10100 priority 10100" \
	    "ip -6 route add local ::/0 dev lo table 10100"; do
		grep -qx "$l" "$T/t.out" || fail "-t lacks '$l': $(cat "$T/t.out")"
	done
	grep -q "socket transparent 1 meta mark set 0x2774 accept" "$T/t.out" ||
	    fail "-t lacks the socket mark rule: $(cat "$T/t.out")"
	ok "kernel_setup: -t prints the socket mark and both families' rule and route, no hint"
	ok "transparent hint: none for an all-loopback relay, ip -4 / ip -6 commands by family"
fi
