#!/bin/sh
# Idle timeout (timeouts.idle = 1.0): a connection silent after one echo
# stays open for 0.8 s, then is closed within the next second at both ends
# (the target's echo ends too) with a close reason naming idle; a
# connection echoing every 0.2 s for 2.5 s is not closed meanwhile.
. "$(dirname "$0")/lib.sh"
fw_init idle

fw_server echo --count 2 --deadline 20 echo close
srv=$SRV_PID
p=$(fw_port)
fw_conf "$CONF" "" "idle 127.0.0.1:$p 127.0.0.1:$SRV_PORT timeouts = { idle = 1.0; };"
fw_start

fw_bg busy "$FWTEST" client --connect 127.0.0.1:$p --interval 0.2 \
    hold:2.5 shut eof close
busy=$BG_PID
fw_client quiet --connect 127.0.0.1:$p ping:1 silence:0.8 end:1.5
cat "$T/quiet.out"
ok "silent connection: open for 0.8 s, then closed by the relay"
fw_expect_exit "$busy" 8 "busy connection (must outlive the idle timeout)"
cat "$T/busy.out"
ok "busy connection echoed for 2.5 s past the 1 s idle timeout"
fw_expect_exit "$srv" 5 "echo server (the relay must close the target side too)"

ev_wait 5 close 2 || fail "close events"
ev_assert "idle close: by the relay, reason names idle, after about 1 s (the loop's cached clock may run a few ms ahead)" "
    [e for e in sel('close') if e['closed_by'] == 'relay'][0]['reason']
        .find('idle') >= 0 and
    950 <= [e for e in sel('close') if e['closed_by'] == 'relay'][0]
        ['duration_ms'] < 2500 and
    len([e for e in sel('close') if e['closed_by'] == 'client' and
         e['duration_ms'] >= 2500]) == 1"
fw_stop
