#!/bin/sh
# A bad reload keeps the old configuration: after SIGHUP with a syntax
# error, and again with semantic errors (one of them a new listen port),
# the event log has reload "failed" with "errors" as "file:line: message",
# the old relay still relays on its old port, and a connection held
# across both reloads keeps echoing. A good reload afterwards is "ok".
. "$(dirname "$0")/lib.sh"
fw_init reload-bad

fw_server echo --mode echo
E=$SRV_PORT
p=$(fw_port) q=$(fw_port)
good() {
	cat >"$CONF" <<CONF
event_log = "$EVLOG";
log_level = "info";
shutdown_timeout = 2.0;
relays = (
  { name = "demo";
    listen = "127.0.0.1:$p";
    target = "127.0.0.1:$E"; }
);
CONF
}
good
FW_NRELAYS=1
fw_start

fw_bg hold "$FWTEST" client --connect 127.0.0.1:$p --timeout 15 \
    ping:1 touch:"$T/up" hold-until:"$T/stop" ping:5 shut eof close
hold=$BG_PID
fw_wait_file "$T/up" 5 || fail "holder: $(cat "$T/hold.err")"

# 1: a syntax error on line 3.
cat >"$CONF" <<CONF
event_log = "$EVLOG";
log_level = "info";
shutdown_timeout = = 2.0;
relays = (
  { name = "demo";
    listen = "127.0.0.1:$q";
    target = "127.0.0.1:$E"; }
);
CONF
kill -HUP "$FW_PID"
ev_wait 5 reload 1 || fail "no reload event after the syntax error"
ev_assert "syntax error: reload failed, errors [\"$CONF:3: syntax error\"]" \
    "sel('reload')[0]['result'] == 'failed' and
     sel('reload')[0]['errors'] == ['$CONF:3: syntax error']"
fw_client old1 --connect 127.0.0.1:$p ping:5 shut eof close
ok "old relay still relays after the failed reload"

# 2: semantic errors, one of them moving the relay to a new port.
cat >"$CONF" <<CONF
event_log = "$EVLOG";
log_level = "info";
shutdown_timeout = 2.0;
relays = (
  { name = "demo";
    listen = "127.0.0.1:$q";
    target = "127.0.0.1:$E";
    buffer_size = 10; },
  { name = "other";
    listen = "127.0.0.1:$q";
    target = "127.0.0.1:0"; }
);
CONF
kill -HUP "$FW_PID"
ev_wait 5 reload 2 || fail "no reload event after the semantic errors"
ev_assert "semantic errors: reload failed, each error is $CONF:LINE: ..." "
    sel('reload')[1]['result'] == 'failed' and
    len(sel('reload')[1]['errors']) >= 2 and
    all(re.match(re.escape('$CONF') + r':\d+: \S', m)
        for m in sel('reload')[1]['errors']) and
    any(m.startswith('$CONF:8: ') and 'buffer_size' in m
        for m in sel('reload')[1]['errors'])"
sed -n 's/.*"errors":\(.*\)}$/  errors: \1/p' "$EVLOG" | tail -n 1
fw_client old2 --connect 127.0.0.1:$p ping:5 shut eof close
fw_client new2 --connect 127.0.0.1:$q --expect-refused
ok "old relay still relays on its old port, the new port was never opened"
[ "$(ev_count listen)" = 1 ] || fail "a listen event after a failed reload"

# 3: the good file again.
good
kill -HUP "$FW_PID"
ev_wait 5 reload 3 || fail "no reload event after the good file"
ev_assert "good file: reload ok" "sel('reload')[2]['result'] == 'ok'"

touch "$T/stop"
fw_expect_exit "$hold" 5 "connection held across the reloads"
cat "$T/hold.out"
ok "held connection echoed across the three reloads"
fw_stop
