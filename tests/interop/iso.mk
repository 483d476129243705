# Interop with third-party peers, RFC 1006: the npm package iso-on-tcp at
# both ends (isopeer.js), fwrelay between them in every inspection mode,
# tshark comparing the two legs (legs.py). The package is installed into
# the build directory on first use (iso-lib.sh).
INTEROP_ISO_TESTS = tests/interop/t-interop-iso.sh

TESTS += $(INTEROP_ISO_TESTS)
EXTRA_DIST += $(INTEROP_ISO_TESTS) tests/interop/iso-lib.sh \
	tests/interop/isopeer.js tests/interop/legs.py

clean-local: clean-interop-npm
clean-interop-npm:
	rm -rf tests/interop/npm
.PHONY: clean-interop-npm
