#!/bin/sh
# GET /metrics: Prometheus text format 0.0.4 that a strict parser accepts,
# with the numbers the traffic made: connections active and total, bytes
# each way (open connections included), denies by rule, connect failures
# by errno, faults fired by type, run-time changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t-fault-lib.sh"
fw_init control-metrics
fl_init
SOCK=$T/ctl.sock

fw_server back sink
back=$SRV_PORT
dead=$(fw_port)
pm=$(fw_port) pd=$(fw_port) pf=$(fw_port)
fw_conf "$CONF" "control = \"$SOCK\";" \
    "m 127.0.0.1:$pm 127.0.0.1:$back policy = ( { action = \"deny\"; from = \"127.1.0.10/32\"; deny = \"reset\"; }, { action = \"allow\"; } );" \
    "dead 127.0.0.1:$pd 127.0.0.1:$dead" \
    "f 127.0.0.1:$pf 127.0.0.1:$back faults = ( { type = \"latency\"; latency_ms = 10; direction = \"upstream\"; } );"
fw_start

for i in 1 2 3; do
	fw_client m$i --source 127.1.0.11 --connect 127.0.0.1:$pm sendn:1000 shut eof
done
fw_client denied --source 127.1.0.10 --connect 127.0.0.1:$pm reset
fw_client refused --connect 127.0.0.1:$pd end
fw_client f --connect 127.0.0.1:$pf sendn:100 shut eof
# One connection stays open with 500 bytes sent.
fw_bg open "$FWTEST" client --source 127.1.0.11 --connect 127.0.0.1:$pm \
    --timeout 15 sendn:500 "wait-file:$T/done" shut eof
opid=$BG_PID
ev_wait 5 connect 4 relay=m || fail "open connection"
fl_expect 200 PATCH /v1/relays/f '{"enabled": true}'
sleep 0.3

fl_api GET /metrics
[ "$CODE" = 200 ] || fail "GET /metrics: $CODE"
printf '%s\n' "$BODY" >"$T/metrics.txt"
"$PY" "$FL" prom "$T/metrics.txt" >"$T/samples.txt" ||
    fail "not valid text format 0.0.4"
ok "/metrics parses strictly ($(wc -l <"$T/samples.txt") samples)"

# sample NAME,LABELS VALUE lines as the checker printed them.
want() {
	grep -qx "$1 $2" "$T/samples.txt" ||
	    fail "expected '$1 $2'; have: $(grep "^${1%%,*}" "$T/samples.txt")"
}
want "fwrelay_connections_total,relay=m" 5.0
want "fwrelay_connections_active,relay=m" 1.0
want "fwrelay_connections_active,relay=dead" 0.0
want "fwrelay_bytes_total,direction=upstream,relay=m" 3500.0
want "fwrelay_bytes_total,direction=downstream,relay=m" 0.0
want "fwrelay_denies_total,relay=m,rule=0" 1.0
want "fwrelay_connect_failures_total,errno=ECONNREFUSED,relay=dead" 1.0
want "fwrelay_faults_fired_total,relay=f,type=latency" 1.0
want "fwrelay_mode_changes_total,relay=f" 1.0
want "fwrelay_relay_enabled,relay=f" 1.0
want "fwrelay_pinholes_open,relay=m" 0.0
want "fwrelay_connections_closed_total,reason=denied,relay=m" 1.0
ok "counters: 5 accepted on m (1 open, 1 denied by rule 0), 3500 bytes up, ECONNREFUSED on dead, 1 latency fault"
touch "$T/done"
fw_expect_exit "$opid" 5 "open connection"
fw_stop
