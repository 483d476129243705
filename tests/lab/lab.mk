# The KB lab: scripts/fwlab runs the scenarios of conf/lab/ (fwrelay between
# mtasim MTAs) and the tests check each row's verdict; the netns matrix
# runs as root and skips otherwise. t-lab-mismatch.sh checks that fwlab
# reports a scenario whose expectations are wrong; t-lab-html.sh opens the
# HTML report in headless Chromium and parses the JUnit XML back;
# t-lab-sweep.sh runs a personality sweep, t-lab-cases.sh "fwlab new" and
# "fwlab check", t-lab-runs.sh scenario names and the run directories.
LAB_TESTS = \
	tests/lab/t-lab-loopback.sh \
	tests/lab/t-lab-workers.sh \
	tests/lab/t-lab-mismatch.sh \
	tests/lab/t-lab-html.sh \
	tests/lab/t-lab-sweep.sh \
	tests/lab/t-lab-cases.sh \
	tests/lab/t-lab-runs.sh \
	tests/lab/t-lab-netns.sh

TESTS += $(LAB_TESTS)
# scripts/fwlab and conf/lab/*.conf ship with extra.mk.
EXTRA_DIST += tests/lab/lab-lib.sh tests/lab/mismatch.conf \
	tests/lab/htmlcheck.py \
	tests/lab/expected-loopback.txt tests/lab/expected-netns.txt \
	$(LAB_TESTS)
# The scenarios the matrix covers (expected-*.txt lists their verdicts).
LAB_SCENARIOS = \
	conf/lab/q196381-broken.conf \
	conf/lab/q196381-fix-transparency.conf \
	conf/lab/q196381-fix-connector.conf \
	conf/lab/q196381-fix-tunnel.conf \
	conf/lab/q254909-broken.conf \
	conf/lab/q254909-fix.conf \
	conf/lab/q193380-broken.conf \
	conf/lab/q193380-fix-ptr.conf \
	conf/lab/q193380-fix-ip.conf \
	conf/lab/q251318-broken.conf \
	conf/lab/q251318-fix-sp4.conf \
	conf/lab/q251318-fix-open-nodes.conf \
	conf/lab/q251318-fix-rebind.conf \
	conf/lab/q191594-fixed-sp2.conf \
	conf/lab/q191594-broken.conf \
	conf/lab/q191594-dynamic-epm.conf \
	conf/lab/q191594-dynamic-bindback.conf \
	conf/lab/faults-dr2-second-association.conf \
	conf/lab/faults-mtabind-access-denied.conf \
	conf/lab/faults-epm-reply-late.conf \
	conf/lab/faults-bindback-ack-lost.conf
