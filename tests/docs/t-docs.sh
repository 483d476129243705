#!/bin/sh
# The documentation keeps up with the code. Fails when
#   - a configuration key src/config.c accepts (its key tables; the fault
#     types and fault parameters of src/faultconf.c) is not an entry (".It Ic KEY") of
#     man/fwrelay.conf.5, or a fault type (".It Qq TYPE") is missing there;
#   - an option of main.c's getopt string is not an entry (".It Fl X") of
#     man/fwrelay.8;
#   - an event the daemon emits (eventlog_new*("NAME", conn_event*(c,
#     "NAME", pinhole_event/pinhole_close(ph, "NAME", and a name variable
#     set from literals) is not an entry (".It Cm NAME") of the EVENTS
#     section of man/fwrelay.conf.5 and of man/fwrelay.8;
#   - man/fwrelayctl.8 exists but a command of src/fwrelayctl.c is not in it;
#   - README.md lacks a key or an event (as `NAME`);
#   - an example configuration in fwrelay.conf.5, or conf/fwrelay.conf,
#     does not pass fwrelay -t.
# Then it proves it can fail: with one key, one option and one event taken
# out of copies of the pages, each check must name what is missing.
#
# DOCS_MAN_DIR and DOCS_README point the checks at other copies.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
SRC=$top_srcdir/src
MAN=${DOCS_MAN_DIR:-$top_srcdir/man}
README=${DOCS_README:-$top_srcdir/README.md}
T=$(mktemp -d "${TMPDIR:-/tmp}/t-docs.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT INT TERM HUP
status=0

fail() {
	echo "FAIL: $*" >&2
	status=1
}

# Extraction from the sources. Each prints one name per line, sorted.

# Keys of the loader: every string of its conf_*_keys[] tables, the fault
# parameters (fault_params[]) and the keys every fault has (fault_check's
# json_object_get(obj, "KEY")).
src_keys() {
	awk '
	/^static const char \*const conf_[a-z_]*keys\[\] = \{/ { t = 1; next }
	/^static const struct fault_param fault_params\[\] = \{/ { p = 1; next }
	(t || p) && /^};/ { t = p = 0; next }
	t {
		s = $0
		while (match(s, /"[^"]*"/)) {
			print substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
	}
	p && /^[ \t]*\{ "/ {
		s = $0; match(s, /"[^"]*"/)
		print substr(s, RSTART + 1, RLENGTH - 2)
	}
	/json_object_get\(obj, "[a-z_]*"\)/ {
		s = $0; match(s, /json_object_get\(obj, "[a-z_]*"\)/)
		s = substr(s, RSTART, RLENGTH)
		sub(/^json_object_get\(obj, "/, "", s); sub(/"\)$/, "", s)
		print s
	}' "$SRC/config.c" "$SRC/faultconf.c" | sort -u
}

# Fault types: the first string of each fault_types[] row.
src_fault_types() {
	awk '
	/^static const struct fault_type fault_types\[\] = \{/ { t = 1; next }
	t && /^};/ { t = 0 }
	t && /^[ \t]*\{ "/ {
		s = $0; match(s, /"[^"]*"/)
		print substr(s, RSTART + 1, RLENGTH - 2)
	}' "$SRC/faultconf.c" | sort -u
}

# Options: the letters of main.c's getopt string.
src_options() {
	sed -n 's/.*getopt(argc, argv, "\([^"]*\)").*/\1/p' "$SRC/main.c" |
	    tr -d ':' | fold -w1 | sort -u
}

# Events: literal names passed to the event constructors and the pinhole
# helpers; where a constructor gets a variable, the literals assigned to
# that variable in the same file. Calls may span lines: each file is read
# as one line.
src_events() {
	for f in "$SRC"/*.c; do
		tr '\n\t' '  ' <"$f" >"$T/flat"
		grep -oE '(eventlog_new(_level)?|conn_event(_level)?|pinhole_event|pinhole_close)\([^()";]*"[A-Za-z0-9_]+"' \
		    "$T/flat" | sed 's/.*"\([A-Za-z0-9_]*\)"$/\1/'
		for v in $(grep -oE '(eventlog_new(_level)?|conn_event(_level)?)\([^()";]*\)' \
		    "$T/flat" | sed -n 's/.*[ ,(]\([a-z_][a-z0-9_]*\) *)$/\1/p' |
		    sort -u); do
			grep -oE "[^a-z0-9_>.]$v = \"[A-Za-z0-9_]+\"" "$T/flat" |
			    sed 's/.*"\([A-Za-z0-9_]*\)"$/\1/'
		done
	done | sort -u
}

# fwrelayctl's commands: the first string of each row of its command table
# (an array whose name has "cmd" or "command" in it), else the words its
# arguments are compared with.
src_ctl_commands() {
	f=$SRC/fwrelayctl.c
	awk '
	/^(static )?(const )?struct [a-z_]+ +[a-z_]*(cmd|command)[a-z_]*\[\] *= *\{/ { t = 1; next }
	t && /^};/ { t = 0 }
	t && /^[ \t]*\{ *"/ {
		s = $0; match(s, /"[^"]*"/)
		print substr(s, RSTART + 1, RLENGTH - 2)
	}' "$f" | sort -u >"$T/ctl.src"
	if [ ! -s "$T/ctl.src" ]; then
		tr '\n\t' '  ' <"$f" |
		    grep -oE 'strcmp\((cmd|command|verb), *"[a-z][a-z-]*"\)' |
		    sed 's/.*"\([a-z-]*\)")$/\1/' | sort -u >"$T/ctl.src"
	fi
	cat "$T/ctl.src"
}

# Documentation side.

# The EVENTS section of a page, or everything but it (-v).
man_events() {
	awk '/^\.Sh / { e = ($2 == "EVENTS") } e' "$1"
}
man_not_events() {
	awk '/^\.Sh / { e = ($2 == "EVENTS") } !e' "$1"
}

# check_list WHAT LIST FILE REGEX-PREFIX: each name of LIST must match
# "^PREFIX NAME( |$)" in FILE. Prints the missing ones.
missing() {
	while read -r name; do
		[ -n "$name" ] || continue
		grep -qE "^$2$name( |\$)" "$1" || echo "$name"
	done
}

check_keys() {	# man5
	man_not_events "$1" >"$T/m5.keys"
	missing "$T/m5.keys" '\.It (Ic|Cm) ' <"$T/keys"
	missing "$T/m5.keys" '\.It Qq ' <"$T/types" | sed 's/^/fault type /'
}

check_options() {	# man8
	missing "$1" '\.It Fl ' <"$T/options" | sed 's/^/-/'
}

check_events() {	# page
	man_events "$1" >"$T/ev.man"
	missing "$T/ev.man" '\.It Cm ' <"$T/events"
}

check_readme() {	# README.md: each name as `NAME`
	cat "$T/keys" "$T/events" | sort -u | while read -r name; do
		grep -qF "\`$name\`" "$1" || echo "$name"
	done
}

# What the sources have.
src_keys >"$T/keys"
src_fault_types >"$T/types"
src_options >"$T/options"
src_events >"$T/events"
nkeys=$(wc -l <"$T/keys")
ntypes=$(wc -l <"$T/types")
nopts=$(wc -l <"$T/options")
nevents=$(wc -l <"$T/events")
# Extraction that finds (almost) nothing means the code changed shape:
# this test must be taught the new one, not pass on an empty list.
[ "$nkeys" -ge 30 ] || fail "found only $nkeys config keys in src/config.c and src/faultconf.c"
[ "$ntypes" -ge 5 ] || fail "found only $ntypes fault types in src/faultconf.c"
[ "$nopts" -ge 5 ] || fail "found only $nopts options in src/main.c"
[ "$nevents" -ge 20 ] || fail "found only $nevents events in src/*.c"
echo "# sources: $nkeys keys, $ntypes fault types, $nopts options, $nevents events"

for p in "$MAN/fwrelay.conf.5" "$MAN/fwrelay.8" "$README"; do
	[ -f "$p" ] || fail "$p is missing"
done

if [ -f "$MAN/fwrelay.conf.5" ]; then
	m=$(check_keys "$MAN/fwrelay.conf.5")
	[ -z "$m" ] || fail "fwrelay.conf.5 lacks keys:" $m
	m2=$(check_events "$MAN/fwrelay.conf.5")
	[ -z "$m2" ] || fail "fwrelay.conf.5 lacks events:" $m2
	[ -n "$m$m2" ] || echo "ok - fwrelay.conf.5 has every key, fault type and event"
fi
if [ -f "$MAN/fwrelay.8" ]; then
	m=$(check_options "$MAN/fwrelay.8")
	[ -z "$m" ] || fail "fwrelay.8 lacks options:" $m
	m2=$(check_events "$MAN/fwrelay.8")
	[ -z "$m2" ] || fail "fwrelay.8 lacks events:" $m2
	[ -n "$m$m2" ] || echo "ok - fwrelay.8 has every option and event"
fi
if [ -f "$README" ]; then
	m=$(check_readme "$README")
	[ -z "$m" ] || fail "README.md lacks (as \`NAME\`):" $m
	[ -n "$m" ] || echo "ok - README.md names every key and event"
fi

# fwrelayctl: only once both the page and the client are written.
if [ -s "$MAN/fwrelayctl.8" ] && [ -s "$SRC/fwrelayctl.c" ]; then
	src_ctl_commands >"$T/ctl"
	if [ ! -s "$T/ctl" ]; then
		fail "found no commands in src/fwrelayctl.c (teach src_ctl_commands its shape)"
	else
		m=$(while read -r cmd; do
			grep -qE "^\.[A-Za-z]+ (.* )?$cmd( |\$)|\\\\fB$cmd\\\\f" \
			    "$MAN/fwrelayctl.8" || echo "$cmd"
		done <"$T/ctl")
		[ -z "$m" ] || fail "fwrelayctl.8 lacks commands:" $m
		[ -n "$m" ] || echo "ok - fwrelayctl.8 has all $(wc -l <"$T/ctl") commands"
	fi
else
	echo "# fwrelayctl.8 or src/fwrelayctl.c not there yet: not checked"
fi

# The examples in fwrelay.conf.5, and the default configuration, are good.
FWRELAY=
for d in "$top_builddir" "$top_srcdir"; do
	[ -z "$FWRELAY" ] && [ -x "$d/src/fwrelay" ] && FWRELAY=$d/src/fwrelay
done
if [ -z "$FWRELAY" ]; then
	echo "# src/fwrelay not built: examples not checked with -t"
elif [ -f "$MAN/fwrelay.conf.5" ]; then
	awk -v dir="$T" '
	/^\.Bd -literal/ { b = 1; buf = ""; next }
	b && /^\.Ed/ {
		b = 0
		if (buf ~ /relays = \(/) {
			n++; f = dir "/example" n ".conf"
			printf "%s", buf > f; close(f)
		}
		next
	}
	b { gsub(/\\e/, "\\"); buf = buf $0 "\n" }' "$MAN/fwrelay.conf.5"
	n=0
	for f in "$T"/example*.conf "$top_srcdir/conf/fwrelay.conf"; do
		[ -f "$f" ] || continue
		# The first line; what interception would install may follow.
		out=$("$FWRELAY" -t -c "$f" 2>"$T/t.err" | head -n 1)
		if [ "$out" != "configuration OK" ]; then
			fail "fwrelay -t on $(basename "$f") said: $out $(cat "$T/t.err")"
			sed 's/^/#   /' "$f" >&2
		fi
		n=$((n + 1))
	done
	[ "$n" -ge 8 ] || fail "only $n example configurations found in fwrelay.conf.5"
	echo "ok - fwrelay -t accepts the $n example configurations"
fi

# The checks can fail: take an entry out of copies and expect it named,
# and nothing else beyond what the pages lack already.
cut_check() {	# CHECK FILE EXPECTED: what CHECK newly misses in FILE
	m=$($1 "$2" | grep -vxF -f "$T/before" | tr '\n' ' ')
	[ "$m" = "$3 " ] || fail "self-test: $1 should miss \"$3\", not \"$m\""
}
if [ -f "$MAN/fwrelay.conf.5" ] && [ -f "$MAN/fwrelay.8" ]; then
	s0=$status
	{ check_keys "$MAN/fwrelay.conf.5"; echo; } >"$T/before"
	grep -v '^\.It Ic pinhole_uses ' "$MAN/fwrelay.conf.5" >"$T/cut.5"
	cut_check check_keys "$T/cut.5" pinhole_uses
	{ check_options "$MAN/fwrelay.8"; echo; } >"$T/before"
	grep -v '^\.It Fl t$' "$MAN/fwrelay.8" >"$T/cut.8"
	cut_check check_options "$T/cut.8" -t
	{ check_events "$MAN/fwrelay.8"; echo; } >"$T/before"
	grep -v '^\.It Cm epm_map$' "$MAN/fwrelay.8" >"$T/cut.8"
	cut_check check_events "$T/cut.8" epm_map
	# An event named elsewhere in the page (as a key) is not enough.
	{ check_events "$MAN/fwrelay.conf.5"; echo; } >"$T/before"
	sed 's/^\.It Cm limit$/.It Ic limit/' "$MAN/fwrelay.conf.5" >"$T/cut.5"
	cut_check check_events "$T/cut.5" limit
	[ "$status" != "$s0" ] || echo "ok - each check names what a cut copy lacks"
fi

exit $status
