# Behaviour tests: each firewall behaviour of fwrelay on loopback, asserted
# at the far end (what the backend saw, what the client got): the source
# modes (rewrite, transparent, fixed), policy with each deny style and the
# default deny, port-range listeners with a same-port target, source
# addresses refused at start, and the example configurations. They share
# fwtest and lib.sh with the core integration tests; behaviour-lib.sh adds
# a few helpers. Unprivileged, except one root-only check in t-behaviour-drop.
BEHAVIOUR_TESTS = \
	tests/integration/t-behaviour-rewrite.sh \
	tests/integration/t-behaviour-transparent.sh \
	tests/integration/t-behaviour-fixed.sh \
	tests/integration/t-behaviour-policy.sh \
	tests/integration/t-behaviour-drop.sh \
	tests/integration/t-behaviour-portrange.sh \
	tests/integration/t-behaviour-sourcebind.sh

TESTS += $(BEHAVIOUR_TESTS)
EXTRA_DIST += tests/integration/behaviour-lib.sh $(BEHAVIOUR_TESTS)
