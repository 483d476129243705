#!/bin/sh
# Customer cases: "fwlab new acme --from q196381-broken --dir D" writes
# D/acme.conf with variant "acme" and the fields to edit marked, which
# "fwlab check" accepts; a second "new" does not overwrite it. "fwlab
# check" on a file with mistakes reports each as FILE:LINE (an unknown
# scenario key, an unknown MTA key and relay key through mtasim -t and
# fwrelay -t, a mail item naming no MTA, a bad result, bad tokens), exit 1;
# every file of conf/lab/ passes.
set -u
. "$(dirname "$0")/lab-lib.sh"
lab_need
out=$LABOUT/cases
rm -rf "$out"
mkdir -p "$out"
$PY "$FWLAB" new acme --from q196381-broken --dir "$out/local" \
    >"$out/new.out" 2>&1 || lab_fail "new: $(cat "$out/new.out")"
f=$out/local/acme.conf
[ "$(cat "$out/new.out")" = "$f" ] || lab_fail "new printed: $(cat "$out/new.out")"
grep -q 'variant = "acme";	# EDIT' "$f" || lab_fail "variant not set and marked"
n=$(grep -c '# EDIT' "$f")
[ "$n" -ge 20 ] || lab_fail "only $n fields marked"
grep -q 'source = "transparent";	# EDIT (the firewall.s source mode.*): the bug' "$f" ||
    lab_fail "the comment of a marked line is lost"
$PY "$FWLAB" check "$f" >"$out/check-new.out" 2>&1 ||
    lab_fail "check of the new case: $(cat "$out/check-new.out")"
$PY "$FWLAB" new acme --from q196381-broken --dir "$out/local" \
    >"$out/new2.out" 2>&1 && lab_fail "new overwrote $f"
grep -q 'exists; not overwritten' "$out/new2.out" || lab_fail "$(cat "$out/new2.out")"

bad=$out/bad.conf
cat >"$bad" <<'CONF'
scenario = { kb = "X"; variant = "v"; colour = "red"; };
mtas = (
	{ name = "A"; addresses = { node = "127.1.0.10"; };
	  x400 = { port = 10102; tsel = "A"; };
	  cost = 3; }
);
firewalls = ( { name = "fw"; relays = ( { name = "r";
	listen = "127.1.0.1:10102"; target = "127.2.0.10:10102";
	sourse = "rewrite"; } ); } );
expect = ( { phase = 1; mail = ( { from = "A"; to = "B"; result = "gone"; } );
	events = [ "C:9301", "nonsense" ]; } );
CONF
$PY "$FWLAB" check "$bad" >"$out/check-bad.out" 2>&1
rc=$?
cat "$out/check-bad.out"
[ $rc -eq 1 ] || lab_fail "check of a bad file: exit status $rc"
cat >"$out/want.txt" <<EOW
$bad:1: unknown key 'colour' in scenario
$bad:5: MTA A: unknown key 'cost' in the configuration
$bad:9: firewall fw: unknown key 'sourse'
$bad:10: expect mail: no MTA named 'B'
$bad:10: result must be one of delivered, queued, none, lost, not 'gone'
$bad:11: event token 'C:9301': no MTA or firewall 'C'
$bad:11: bad event token 'nonsense' (WHO:WHAT[@RELAY][~TEXT])
EOW
diff "$out/want.txt" "$out/check-bad.out" || lab_fail "check's messages differ"
printf 'scenario = { kb = "X"\n variant = ; };\n' >"$out/syntax.conf"
$PY "$FWLAB" check "$out/syntax.conf" >"$out/syntax.out" 2>&1 &&
    lab_fail "a syntax error passed"
grep -q "^$out/syntax.conf:2: " "$out/syntax.out" ||
    lab_fail "syntax error: $(cat "$out/syntax.out")"
$PY "$FWLAB" check "$top_srcdir"/conf/lab/*.conf >"$out/check-all.out" 2>&1 ||
    lab_fail "conf/lab: $(cat "$out/check-all.out")"
echo "ok: new and check"
