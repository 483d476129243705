# Protocol inspection tests: fwrelay's rfc1006, dcerpc and epm inspectors
# and their pinholes on loopback, between byte-exact peers (rawpeer.py,
# epmpdu.py), impacket (epmserver.py, epmclient.py) and tshark (tscheck.py
# decodes a capture and compares it with the event log). They share
# tests/integration/lib.sh; the impacket and tshark ones exit 77 when those
# are missing. t-epm-twoclients.sh: a pinhole refreshed for a second
# client lets that one in too.
INSPECT_TESTS = \
	tests/inspect/t-rfc1006.sh \
	tests/inspect/t-tsap.sh \
	tests/inspect/t-strict.sh \
	tests/inspect/t-dcerpc.sh \
	tests/inspect/t-fault-trigger-rpc.sh \
	tests/inspect/t-epm.sh \
	tests/inspect/t-epm-rewrite.sh \
	tests/inspect/t-strbind.sh \
	tests/inspect/t-tshark-rfc1006.sh \
	tests/inspect/t-tshark-epm.sh \
	tests/inspect/t-capture-rfc1006.sh \
	tests/inspect/t-capture-epm.sh \
	tests/inspect/t-epm-twoclients.sh \
	tests/inspect/t-workers-epm.sh \
	tests/inspect/t-control-state.sh
INSPECT_XFAIL_TESTS =

TESTS += $(INSPECT_TESTS) $(INSPECT_XFAIL_TESTS)
XFAIL_TESTS += $(INSPECT_XFAIL_TESTS)
EXTRA_DIST += $(INSPECT_TESTS) $(INSPECT_XFAIL_TESTS) \
	tests/inspect/insp-lib.sh tests/inspect/rawpeer.py \
	tests/inspect/epmpdu.py tests/inspect/epmserver.py \
	tests/inspect/epmclient.py tests/inspect/tscheck.py \
	tests/inspect/evcheck.py tests/inspect/capcheck.py
