#!/bin/sh
# What a newcomer trips over (issue 14): -h/--help print usage on stdout
# and exit 0 (fwrelay, fwrelayctl, mtasim); fwrelayctl -c FILE finds the
# API from control_tcp; "started with 1 relay" in the daemon's log.
. "$(dirname "$0")/lib.sh"
fw_init newcomer
CTL=$(dirname "$FWRELAY")/fwrelayctl
MTASIM=$(dirname "$FWRELAY")/mtasim/mtasim
[ -x "$CTL" ] || { echo "ERROR: $CTL not built" >&2; exit 99; }

# help PROG ARG: usage on stdout, nothing on stderr, status 0.
help() {
	"$1" "$2" >"$T/h.out" 2>"$T/h.err"
	[ $? = 0 ] || fail "$1 $2: status not 0"
	grep -q "^usage: $(basename "$1")" "$T/h.out" || fail "$1 $2: no usage on stdout"
	[ -s "$T/h.err" ] && fail "$1 $2: stderr: $(cat "$T/h.err")"
	return 0
}
for a in -h --help; do
	help "$FWRELAY" $a
	help "$CTL" $a
	[ -x "$MTASIM" ] && help "$MTASIM" $a
done
"$FWRELAY" -Z >/dev/null 2>"$T/bad.err"
[ $? = 1 ] || fail "fwrelay -Z: status not 1"
grep -q "^usage: fwrelay" "$T/bad.err" || fail "fwrelay -Z: no usage on stderr"
ok "-h and --help: usage on stdout, status 0; a bad option still 1"

fw_server back echo
back=$SRV_PORT
p=$(fw_port)
cp=$(fw_port)
fw_conf "$CONF" "control_tcp = \"127.0.0.1:$cp\";" "r 127.0.0.1:$p 127.0.0.1:$back"
fw_start
"$CTL" -c "$CONF" status >"$T/bycfg.out" 2>&1 || fail "-c with control_tcp: $(cat "$T/bycfg.out")"
grep -q "^pid *$FW_PID\$" "$T/bycfg.out" || fail "-c: not this daemon: $(cat "$T/bycfg.out")"
ok "fwrelayctl -c FILE reaches the API of control_tcp"
grep -Eq "started with 1 relay( on [0-9]+ workers)?\$" "$T/fwrelay.err" \
    "$T/fwrelay.out" ||
    fail "no 'started with 1 relay' in: $(cat "$T/fwrelay.err")"
ok "started with 1 relay"
fw_stop
