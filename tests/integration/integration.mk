# Integration tests: the real daemon on loopback between fwtest peers.
# fwtest is the client, the backend server and the silent target; each
# t-*.sh is one scenario, sharing the helpers of lib.sh.
check_PROGRAMS += tests/integration/fwtest
tests_integration_fwtest_SOURCES = tests/integration/fwtest.c
tests_integration_fwtest_CFLAGS = $(AM_CFLAGS) -pthread
tests_integration_fwtest_LDADD = -lpthread

INTEGRATION_TESTS = \
	tests/integration/t-bulk.sh \
	tests/integration/t-capture.sh \
	tests/integration/t-halfclose.sh \
	tests/integration/t-reset.sh \
	tests/integration/t-connect-fail.sh \
	tests/integration/t-backpressure.sh \
	tests/integration/t-concurrent.sh \
	tests/integration/t-reload.sh \
	tests/integration/t-reload-bad.sh \
	tests/integration/t-configtest.sh \
	tests/integration/t-drain.sh \
	tests/integration/t-limit.sh \
	tests/integration/t-ipv6.sh \
	tests/integration/t-idle.sh \
	tests/integration/t-emfile.sh \
	tests/integration/t-logrotate.sh \
	tests/integration/t-valgrind.sh \
	tests/integration/t-soak.sh \
	tests/integration/t-workers.sh

TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/lib.sh $(INTEGRATION_TESTS)
