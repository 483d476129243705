#!/bin/sh
# The control API shows what an inspector knows about a live connection:
# after the PROTOCOLS.md 1.8 CR and CC went through an rfc1006 relay,
# `fwrelayctl --json conns` lists the connection with inspector "rfc1006"
# and inspector_state counting one TPDU each way, framing ok.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/insp-lib.sh"
fw_init control-state

A=127.8.14.1 B=127.8.14.2
rp_server back "$B:0" "expect:$CR" "send:$CC" wait-file:"$T/done" close
pb=$RP_PORT
pa=$(fw_port $A)
SOCK=$T/ctl.sock
fw_conf "$CONF" "control = \"$SOCK\";" \
    "x400 $A:$pa $B:$pb protocol = \"rfc1006\";"
fw_start
CTL=$top_builddir/src/fwrelayctl

fw_bg cli "$PY" "$RAWPEER" client --connect $A:$pa "send:$CR" "expect:$CC" \
    touch:"$T/cc" wait-file:"$T/done" end
cli=$BG_PID
fw_wait_file "$T/cc" 5 || fail "no CC: $(cat "$T/cli.err")"
ev_wait 5 cotp_cc 1 || fail "no cotp_cc event"
"$CTL" -s "$SOCK" --json conns >"$T/conns.json" ||
    fail "fwrelayctl conns: $(cat "$T/conns.json")"
"$PY" - "$T/conns.json" <<'PYEOF' || fail "conns: $(cat "$T/conns.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
conns = doc['connections'] if isinstance(doc, dict) else doc
assert len(conns) == 1, conns
c = conns[0]
assert c['inspector'] == 'rfc1006', c
st = c['inspector_state']
assert st['tpdus_from_client'] == 1 and st['tpdus_from_target'] == 1, st
assert st['framing'] == 'ok' and st['anomalies'] == 0, st
PYEOF
ok "fwrelayctl conns: inspector rfc1006, one TPDU each way, framing ok"
touch "$T/done"
fw_expect_exit "$cli" 5 "client"
ev_wait 5 close 1 || fail "close event"
fw_stop
