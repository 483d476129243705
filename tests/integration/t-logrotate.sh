#!/bin/sh
# SIGUSR1 reopens the event log (logrotate's copy-less rotation): after
# the file is renamed events still go to the renamed file, after SIGUSR1
# a new file appears at the configured path and the next connection's
# events are there and only there. With event_log = "-" they go to stdout.
. "$(dirname "$0")/lib.sh"
fw_init logrotate

fw_server echo --mode echo
p=$(fw_port)
fw_conf "$CONF" "" "rot 127.0.0.1:$p 127.0.0.1:$SRV_PORT"
fw_start

fw_client one --connect 127.0.0.1:$p ping:1 shut eof close
ev_wait 5 close 1 || fail "close of the first connection"
mv "$EVLOG" "$EVLOG.1"
fw_client two --connect 127.0.0.1:$p ping:2 shut eof close
EVLOG_FILE=$EVLOG.1 ev_wait 5 close 2 ||
    fail "the renamed file did not get the second connection's events"
ok "after the rename, events go on in the renamed file"

kill -USR1 "$FW_PID"
fw_wait_file "$EVLOG" 5 || fail "no new event log after SIGUSR1"
fw_client three --connect 127.0.0.1:$p ping:3 shut eof close
ev_wait 5 close 1 || fail "close event of the third connection in the new file"
ev_assert "the new file has the third connection only" "
    len(sel('accept')) == 1 and
    one('close')['bytes_from_client'] == 36"
EVLOG_FILE=$EVLOG.1 ev_assert "the old file has the first two only" "
    len(sel('accept')) == 2 and len(sel('close')) == 2"
EVLOG_FILE=$EVLOG.1 ev_validate || fail "the old file is not well formed"
FW_EV_ROTATED=1
fw_stop

# event_log = "-": the events go to stdout, one line each as they happen,
# and SIGUSR1 leaves them there.
EVLOG=- EVLOG_FILE=$T/fwrelay.out FW_EV_ROTATED=
fw_conf "$CONF" "" "rot 127.0.0.1:$p 127.0.0.1:$SRV_PORT"
fw_start
kill -USR1 "$FW_PID"
fw_client four --connect 127.0.0.1:$p ping:4 shut eof close
ev_wait 5 close 1 || fail "close event on stdout"
ev_assert "events on stdout: start, listen, the connection" "
    evs[0]['event'] == 'start' and len(sel('listen')) == $FW_NW and
    sel('listen')[0]['listen'] == '127.0.0.1:$p'
    and one('close')['bytes_from_target'] == 48"
fw_stop
