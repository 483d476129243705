# Interop with third-party peers through fwrelay:
# - RFC 1006: the npm package iso-on-tcp at both ends (isopeer.js) in every
#   inspection mode; the package is installed into the build directory on
#   first use (iso-lib.sh);
# - DCE/RPC: Samba's samba-dcerpcd as the endpoint mapper and impacket as
#   the client (sambaclient.py), in a namespace of the test's own (root);
# tshark comparing the two legs of every connection (legs.py).
INTEROP_TESTS = tests/interop/t-interop-iso.sh tests/interop/t-interop-samba.sh

TESTS += $(INTEROP_TESTS)
EXTRA_DIST += $(INTEROP_TESTS) tests/interop/iso-lib.sh \
	tests/interop/isopeer.js tests/interop/legs.py \
	tests/interop/sambaclient.py

clean-local: clean-interop-npm
clean-interop-npm:
	rm -rf tests/interop/npm
.PHONY: clean-interop-npm
