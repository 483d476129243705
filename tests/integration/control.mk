# Control API, faults and privilege drop: scenarios against the real daemon
# on loopback. t-fault-lib.sh holds their shared Python tool (sourced, not
# run). Together they take well under 90 s.
CONTROL_TESTS = \
	tests/integration/t-control-api.sh \
	tests/integration/t-control-ctl.sh \
	tests/integration/t-control-ctl-pinholes.sh \
	tests/integration/t-newcomer.sh \
	tests/integration/t-control-errors.sh \
	tests/integration/t-control-metrics.sh \
	tests/integration/t-fault-latency.sh \
	tests/integration/t-fault-bandwidth.sh \
	tests/integration/t-fault-reset.sh \
	tests/integration/t-fault-slicer.sh \
	tests/integration/t-fault-blackhole.sh \
	tests/integration/t-fault-cotp.sh \
	tests/integration/t-fault-trigger-cotp.sh \
	tests/integration/t-priv-drop.sh

TESTS += $(CONTROL_TESTS)
EXTRA_DIST += tests/integration/t-fault-lib.sh $(CONTROL_TESTS)
