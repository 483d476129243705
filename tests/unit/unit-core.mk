# Unit tests of the daemon's own modules (eventlog).
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_eventlog
TESTS += tests/unit/check_eventlog
tests_unit_check_eventlog_SOURCES = tests/unit/check_eventlog.c
tests_unit_check_eventlog_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_eventlog_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a \
	$(FW_LIBS) $(CHECK_LIBS)
endif

# The data path in one process (conn.c, relay.c, inspect.c): half-close,
# watermarks, inspector hold and answer, the deferred free.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_relay
TESTS += tests/unit/check_relay
tests_unit_check_relay_SOURCES = tests/unit/check_relay.c
tests_unit_check_relay_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_relay_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a \
	src/proto/libfwproto.a $(FW_LIBS) $(CHECK_LIBS)
endif
