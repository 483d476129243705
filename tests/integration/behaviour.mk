# Behaviour tests: each firewall behaviour of fwrelay on loopback, asserted
# at the far end (what the backend saw, what the client got): the source
# modes (rewrite, transparent, fixed), policy with each deny style and the
# default deny, port-range listeners with a same-port target, source
# addresses refused at start, and the example configurations. They share
# fwtest and lib.sh with the core integration tests; behaviour-lib.sh adds
# a few helpers. Unprivileged, except a root-only check in t-behaviour-drop
# and the examples run in a private namespace (as root) by t-behaviour-examples.
BEHAVIOUR_TESTS = \
	tests/integration/t-behaviour-rewrite.sh \
	tests/integration/t-behaviour-transparent.sh \
	tests/integration/t-behaviour-fixed.sh \
	tests/integration/t-behaviour-policy.sh \
	tests/integration/t-behaviour-drop.sh \
	tests/integration/t-behaviour-portrange.sh \
	tests/integration/t-behaviour-sourcebind.sh \
	tests/integration/t-behaviour-examples.sh

TESTS += $(BEHAVIOUR_TESTS)
EXTRA_DIST += tests/integration/behaviour-lib.sh $(BEHAVIOUR_TESTS) \
	conf/examples/rewrite.conf conf/examples/transparent.conf \
	conf/examples/fixed.conf conf/examples/policy-reset.conf \
	conf/examples/policy-close.conf conf/examples/policy-drop.conf \
	conf/examples/portrange.conf conf/examples/intercept.conf
