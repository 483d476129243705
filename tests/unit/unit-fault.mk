# Unit tests of fault.c (parameters, TPKT framing, token bucket, run-time
# fault list); its data path is covered by tests/integration/t-fault-*.sh.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_fault
TESTS += tests/unit/check_fault
tests_unit_check_fault_SOURCES = tests/unit/check_fault.c
tests_unit_check_fault_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_fault_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a src/util/libfwutil.a \
	src/proto/libfwproto.a $(FW_LIBS) $(CHECK_LIBS)
endif
