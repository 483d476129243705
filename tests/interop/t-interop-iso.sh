#!/bin/sh
# Interop, RFC 1006: the npm package iso-on-tcp (a third-party ISO
# transport stack, as used by nodeS7) at both ends, fwrelay between them in
# every inspection mode. The client sends a short message, one of 3000
# bytes (three DTs of 1024 bytes of user data: TPDU length 1027 over the
# negotiated 1024, as iso-on-tcp and snap7 send them) and one of 1 byte,
# checks each echo, and releases with a DR. It must pass unchanged with no
# protocol, rfc1006, strict = true and tsap_allow; strict = "conformance"
# exists to flag exactly those deviations and must close on the first.
# tsap_allow refusing: the client gets a DR reason 3, the backend no
# connection at all. tshark on both legs: the TCP payload streams of the
# two legs are byte-identical, connection by connection.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../inspect/insp-lib.sh"
. "$(dirname "$0")/iso-lib.sh"
fw_init interop-iso
iso_need

A=127.8.9.1 B=127.8.9.2 N=127.8.9.3 CL=127.8.9.4
SIZES=10,3000,1
TS="--src-tsap 4d41 --dst-tsap 4d42"	# calling "MA", called "MB"

# One backend per relay; tsapno's must see only the allowed connection.
for r in plain insp strict tsapok tsapno conf; do
	iso_server "$r" "$B:0" --count 1 --src-tsap 4d42 --dst-tsap 4d41
	eval "srv_$r=\$ISO_PID port_$r=\$ISO_PORT lport_$r=\$(fw_port $A)"
done
src="source_address = \"$N\";"
rfc='protocol = "rfc1006";'
allow='tsap_allow = [ "MB" ];'
fw_conf "$CONF" "" \
    "plain $A:$lport_plain $B:$port_plain $src" \
    "insp $A:$lport_insp $B:$port_insp $rfc $src" \
    "strict $A:$lport_strict $B:$port_strict $rfc strict = true; $src" \
    "tsapok $A:$lport_tsapok $B:$port_tsapok $rfc strict = true; $allow $src" \
    "tsapno $A:$lport_tsapno $B:$port_tsapno $rfc strict = true; $allow $src" \
    "conf $A:$lport_conf $B:$port_conf $rfc strict = \"conformance\"; $src"
fw_start
why=$(insp_tshark_why)
if [ -z "$why" ]; then
	ts_start cap "net 127.8.9.0/24" 127.8.9.99
else
	echo "# $why: the two legs are not compared"
fi

for r in plain insp strict tsapok; do
	eval "p=\$lport_$r"
	iso_client "$r" --source $CL --connect $A:$p $TS --send $SIZES
	grep -qx 'connected tpdu=1024' "$T/$r.client.out" ||
	    fail "$r: not connected with TPDU size 1024"
	grep -qx 'released end=eof' "$T/$r.client.out" ||
	    fail "$r: no orderly release"
	eval "iso_server_wait \$srv_$r $r"
	grep -q '^conn=1 tpdu=1024 messages=3 bytes=3011 .* end=eof$' \
	    "$T/$r.out" || fail "$r: backend saw $(cat "$T/$r.out")"
	ok "$r: 3 messages (10, 3000, 1 bytes) echoed, released by DR, backend: 3011 bytes, orderly EOF"
done

# Refused: called TSAP "MC"; then an allowed one is the backend's first.
iso_client refused --source $CL --connect $A:$lport_tsapno \
    --src-tsap 4d41 --dst-tsap 4d43 --expect-refused
grep -qx 'refused reason=3' "$T/refused.client.out" ||
    fail "refused: $(cat "$T/refused.client.out")"
iso_client afterref --source $CL --connect $A:$lport_tsapno $TS --send 10
iso_server_wait $srv_tsapno tsapno
grep -c '^conn=' "$T/tsapno.out" | grep -qx 1 &&
    grep -q '^conn=1 tpdu=1024 messages=1 bytes=10 .* end=eof$' "$T/tsapno.out" ||
    fail "tsapno backend: $(cat "$T/tsapno.out")"
ok "tsap_allow: called TSAP MC refused with DR reason 3; the backend's only connection is the allowed one"

# Conformance: the first DT over the negotiated size closes, as asked.
if iso_try_client conf --source $CL --connect $A:$lport_conf $TS --send $SIZES
then
	fail "conformance: iso-on-tcp's 1027-byte DT passed strict = \"conformance\""
fi
grep -q '^echo 10 ok$' "$T/conf.client.out" ||
    fail "conformance: even the short message failed: $(cat "$T/conf.client.err")"
ok "strict = \"conformance\": short message echoed, then the 1027-byte DT closed the connection"

if [ -n "${TS_PID:-}" ]; then
	ts_stop cap 127.8.9.99
	"$PY" "$(dirname "$0")/legs.py" --mode raw --events "$EVLOG" \
	    "$T/cap.pcapng" >"$T/legs.out" 2>"$T/legs.err" ||
	    fail "legs: $(cat "$T/legs.out" "$T/legs.err")"
	ok "tshark, both legs: $(tail -n 1 "$T/legs.out")"
fi

ev_wait 5 close 7 || fail "close events"
for r in plain insp strict tsapok; do
	ev_spec "$r: one connection, closed done, no anomaly that closes" \
	    "one('close', 'relay=$r')['reason'] == 'done' and
	     not sel('inspect_anomaly', 'relay=$r', 'action=close')"
done
for r in insp strict tsapok; do
	ev_spec "$r: CR MA -> MB, TPDU size 1024, CC; the 1027-byte DTs a warning" \
	    "one('cotp_cr', 'relay=$r', 'calling_tsap_text=MA',
	     'called_tsap_text=MB', 'tpdu_size=1024') and
	     one('cotp_cc', 'relay=$r', 'tpdu_size=1024') and
	     sel('inspect_anomaly', 'relay=$r', 'rule=cotp_tpdu_length',
	     'severity=warning', 'action=pass')"
	ev_spec "$r: the release by DR from the caller is reported, passed" \
	    "sel('cotp_dr', 'relay=$r', 'from=client') and
	     sel('cotp_dr', 'relay=$r', 'from=target') and
	     all(a['action'] == 'pass' for a in sel('inspect_anomaly',
	     'relay=$r'))"
done
ev_spec "tsapno: deny tsap_allow for MC, close tsap_refused, no connect" \
    "one('deny', 'relay=tsapno', 'rule=tsap_allow', 'called_tsap_text=MC')
     and len(sel('connect', 'relay=tsapno')) == 1 and
     len(sel('close', 'relay=tsapno', 'reason=tsap_refused')) == 1"
ev_spec "conf: cotp_tpdu_length closes (class conformance, error)" \
    "one('inspect_anomaly', 'relay=conf', 'rule=cotp_tpdu_length',
     'class=conformance', 'severity=error', 'action=close') and
     one('close', 'relay=conf', 'reason=inspector')"
ev_run

fw_stop
