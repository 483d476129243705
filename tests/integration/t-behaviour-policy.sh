#!/bin/sh
# policy: ordered rules on from, to and port, first match wins, default
# deny (with reset) once a policy is present; each decision is an event
# naming the rule's index and config line. As the client sees the deny
# styles: reset -> ECONNRESET; close -> EOF, and the client may still write
# afterwards (the relay reads and discards until the client closes).
# Relay "pol": rule 0 (to another address) never matches; 127.1.0.100 is
# allowed by rule 1; .11 denied with reset (2), .12 with close (3); the
# rest of 127.1.0.0/24 allowed by rule 5 (to and port of this listener);
# 127.6.0.1 matches nothing: default deny. Relay "ports" listens on
# LO-LO+2: port LO allowed (rule 0, an int), LO+1..LO+2 denied with close
# (rule 1, a "LO-HI" string), the event's "to" naming the port reached.
# The drop style has its own test (t-behaviour-drop.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/behaviour-lib.sh"
fw_init behaviour-policy

fw_server back --listen 127.2.0.10:0 --count 3 peer echo close
back_port=$SRV_PORT back_pid=$SRV_PID
pa=$(fw_port 127.2.0.1)
lo=$(bh_port_range 3 127.2.0.1)
lo1=$((lo + 1)) hi=$((lo + 2))
cat >"$CONF" <<EOF
event_log = "$EVLOG";
log_level = "info";
shutdown_timeout = 2.0;
relays = (
  { name = "pol";
    listen = "127.2.0.1:$pa";
    target = "127.2.0.10:$back_port";
    policy = (
      { action = "deny"; to = "127.9.9.9/32"; deny = "close"; },	// R0
      { action = "allow"; from = "127.1.0.100/32"; },			// R1
      { action = "deny"; from = "127.1.0.11/32"; deny = "reset"; },	// R2
      { action = "deny"; from = "127.1.0.12/32"; deny = "close"; },	// R3
      { action = "deny"; from = "127.1.0.0/24"; port = 1; },		// R4
      { action = "allow"; from = "127.1.0.0/24"; to = "127.2.0.1/32";
        port = $pa; }							// R5
    );
  },
  { name = "ports";
    listen = "127.2.0.1:$lo-$hi";
    target = "127.2.0.10:$back_port";
    policy = (
      { action = "allow"; port = $lo; },				// P0
      { action = "deny"; port = "$lo1-$hi"; deny = "close"; }		// P1
    );
  }
);
EOF
FW_NRELAYS=4	# pol, and ports' three listeners
fw_start
l1=$(bh_line "$CONF" "// R1") l2=$(bh_line "$CONF" "// R2")
l3=$(bh_line "$CONF" "// R3") l5=$(bh_line "$CONF" "port = $pa; }")
p0=$(bh_line "$CONF" "// P0") p1=$(bh_line "$CONF" "// P1")
l5=$((l5 - 1))	# the group of rule 5 starts a line earlier

# allowed, by rule 1 and by rule 5
fw_client allow1 --source 127.1.0.100 --connect 127.2.0.1:$pa \
    peer:127.0.0.1 ping:1 shut eof close
c=$(bh_local "$T/allow1.out")
ev_assert "allow by rule 1 (line $l1) for $c" \
    "one('allow', 'relay=pol', 'client=$c', 'rule=1', 'line=$l1',
     'to=127.2.0.1:$pa') and one('connect', 'client=$c')"
fw_client allow5 --source 127.1.0.20 --connect 127.2.0.1:$pa \
    peer:127.0.0.1 ping:1 shut eof close
c=$(bh_local "$T/allow5.out")
ev_assert "allow by rule 5 (from, to and port match) for $c" \
    "one('allow', 'relay=pol', 'client=$c', 'rule=5', 'line=$l5')"

# reset
fw_client reset --source 127.1.0.11 --connect 127.2.0.1:$pa reset:3
c=$(bh_local "$T/reset.out")
ev_wait 5 close 1 "client=$c" || fail "close of the reset one"
ev_assert "deny reset: rule 2, line $l2, style reset" \
    "one('deny', 'relay=pol', 'client=$c', 'rule=2', 'line=$l2',
     'style=reset', 'to=127.2.0.1:$pa') and
     one('close', 'client=$c', 'reason=denied') and
     not sel('connect', 'client=$c') and not sel('allow', 'client=$c')"

# close: EOF, then the client still writes twice without error
fw_client close --source 127.1.0.12 --connect 127.2.0.1:$pa \
    eof:3 send:'after the FIN\n' sleep:0.2 send:'still writing\n' \
    sleep:0.2 close
c=$(bh_local "$T/close.out")
ev_wait 5 close 1 "client=$c" || fail "close of the closed one"
ev_assert "deny close: rule 3, line $l3, style close; the client closed" \
    "one('deny', 'relay=pol', 'client=$c', 'rule=3', 'line=$l3',
     'style=close') and one('close', 'client=$c', 'closed_by=client',
     'reason=denied') and not sel('connect', 'client=$c')"

# default deny: no rule matches 127.6.0.1
fw_client default --source 127.6.0.1 --connect 127.2.0.1:$pa reset:3
c=$(bh_local "$T/default.out")
ev_wait 5 close 1 "client=$c" || fail "close of the default-denied one"
ev_assert "default deny: rule -1, style reset, no line" \
    "one('deny', 'relay=pol', 'client=$c', 'rule=-1', 'style=reset')
     .get('line') is None and not sel('connect', 'client=$c')"

# relay "ports": by destination port
fw_client plo --source 127.1.0.30 --connect 127.2.0.1:$lo \
    peer:127.0.0.1 ping:1 shut eof close
c=$(bh_local "$T/plo.out")
ev_assert "port $lo allowed by rule 0 (line $p0)" \
    "one('allow', 'relay=ports', 'client=$c', 'rule=0', 'line=$p0',
     'to=127.2.0.1:$lo')"
for p in $lo1 $hi; do
	fw_client p$p --source 127.1.0.30 --connect 127.2.0.1:$p eof:3 close
	c=$(bh_local "$T/p$p.out")
	ev_wait 5 close 1 "client=$c" || fail "close after port $p"
	ev_assert "port $p denied by rule 1 (line $p1), to names the port" \
	    "one('deny', 'relay=ports', 'client=$c', 'rule=1', 'line=$p1',
	     'style=close', 'to=127.2.0.1:$p')"
done

fw_expect_exit "$back_pid" 5 "backend (the 3 allowed connections)"
ev_assert "3 allowed, 5 denied, a connect for each allowed one only" \
    "len(sel('allow')) == 3 and len(sel('deny')) == 5 and
     len(sel('connect')) == 3"
fw_stop
