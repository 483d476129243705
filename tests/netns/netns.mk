# Namespace tests (root): fwrelay in its own network namespace between two
# others, with real routing, IP_TRANSPARENT, TPROXY interception and
# fixed-source rebinding (scripts/netns-topo builds the topology, unique per
# run, and removes it). They skip (77) only without root or when the kernel
# lacks a feature, and say which.
NETNS_TESTS = \
	tests/netns/t-netns-topo.sh \
	tests/netns/t-netns-transparent.sh \
	tests/netns/t-netns-intercept.sh \
	tests/netns/t-netns-fixed.sh \
	tests/netns/t-netns-nft.sh \
	tests/netns/t-netns-kernel.sh

TESTS += $(NETNS_TESTS)
EXTRA_DIST += scripts/netns-topo tests/netns/netns-lib.sh $(NETNS_TESTS)
