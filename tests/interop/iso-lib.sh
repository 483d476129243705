# iso-lib.sh: the iso-on-tcp peers of the RFC 1006 interop test, sourced
# after tests/integration/lib.sh. The npm package is installed once into
# the build directory (tests/interop/npm), or taken from ISO_NODE_MODULES.

ISOPEER=$(cd "$(dirname "$0")" && pwd)/isopeer.js
INSP_DIR=$(cd "$(dirname "$0")/../inspect" && pwd)	# evcheck.py
ISO_VERSION=0.1.0

# iso_need: node and iso-on-tcp, installed from the npm registry if need be.
iso_need() {
	local dir
	command -v node >/dev/null 2>&1 ||
	    skip "node is missing (apt-get install nodejs npm)"
	if [ -z "${ISO_NODE_MODULES:-}" ]; then
		dir=${top_builddir:-.}/tests/interop/npm
		ISO_NODE_MODULES=$(mkdir -p "$dir" && cd "$dir" && pwd)/node_modules
		if [ ! -f "$ISO_NODE_MODULES/iso-on-tcp/package.json" ]; then
			command -v npm >/dev/null 2>&1 ||
			    skip "npm is missing (apt-get install npm)"
			npm install --prefix "$dir" --no-audit --no-fund \
			    --no-save --loglevel=error "iso-on-tcp@$ISO_VERSION" \
			    >"$T/npm.out" 2>&1 ||
			    skip "iso-on-tcp@$ISO_VERSION could not be installed from the npm registry: $(tail -n 3 "$T/npm.out")"
		fi
	fi
	[ -f "$ISO_NODE_MODULES/iso-on-tcp/package.json" ] ||
	    fail "no iso-on-tcp in $ISO_NODE_MODULES"
	export NODE_PATH=$ISO_NODE_MODULES
}

# iso_server NAME LISTEN ARGS...: an iso-on-tcp responder; sets ISO_PID and
# ISO_PORT once it listens. Its lines are in $T/NAME.out.
iso_server() {
	local name=$1 listen=$2
	shift 2
	rm -f "$T/$name.ready"
	fw_bg "$name" node "$ISOPEER" server --listen "$listen" \
	    --ready "$T/$name.ready" "$@"
	ISO_PID=$BG_PID
	fw_wait_file "$T/$name.ready" 10 ||
	    fail "iso-on-tcp responder $name not ready: $(cat "$T/$name.err")"
	ISO_PORT=$(cat "$T/$name.ready")
}

# iso_server_wait PID NAME: the responder must end with status 0.
iso_server_wait() {
	local st
	fw_wait_exit "$1" 10
	st=$?
	[ $st -eq 124 ] && fail "responder $2 still running after 10 s: $(cat "$T/$2.out" "$T/$2.err")"
	[ $st -eq 0 ] || fail "responder $2 exited with status $st: $(cat "$T/$2.out" "$T/$2.err")"
}

# iso_try_client NAME ARGS...: run an iso-on-tcp client to its end; its
# status. Output in $T/NAME.client.{out,err}.
iso_try_client() {
	local name=$1
	shift
	node "$ISOPEER" client "$@" >"$T/$name.client.out" \
	    2>"$T/$name.client.err"
}

# iso_client NAME ARGS...: the same, and it must succeed.
iso_client() {
	iso_try_client "$@" && return 0
	fail "client $1: $(cat "$T/$1.client.out" "$T/$1.client.err")"
}
