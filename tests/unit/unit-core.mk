# Unit tests of the daemon's own modules (eventlog).
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_eventlog
TESTS += tests/unit/check_eventlog
tests_unit_check_eventlog_SOURCES = tests/unit/check_eventlog.c
tests_unit_check_eventlog_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_eventlog_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a src/util/libfwutil.a \
	$(FW_LIBS) $(CHECK_LIBS)
endif

# The data path in one process (conn.c, relay.c, inspect.c): half-close,
# watermarks, inspector hold and answer, the deferred free.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_relay
TESTS += tests/unit/check_relay
tests_unit_check_relay_SOURCES = tests/unit/check_relay.c
tests_unit_check_relay_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
# Failure injection: the test's __wrap_event_new stands in for event_new.
tests_unit_check_relay_LDFLAGS = -Wl,--wrap=event_new
tests_unit_check_relay_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a src/util/libfwutil.a \
	src/proto/libfwproto.a $(FW_LIBS) $(CHECK_LIBS)
endif

# libfwutil (src/util), which fwrelay and mtasim share.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_fwutil
TESTS += tests/unit/check_fwutil
tests_unit_check_fwutil_SOURCES = tests/unit/check_fwutil.c
tests_unit_check_fwutil_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_fwutil_LDADD = $(CHECK_MAIN) src/util/libfwutil.a \
	$(FW_LIBS) $(CHECK_LIBS)
endif

# nft.c: the instance's nftables table (turnkey interception, nft_rules).
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_nft
TESTS += tests/unit/check_nft
tests_unit_check_nft_SOURCES = tests/unit/check_nft.c
tests_unit_check_nft_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_nft_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a src/util/libfwutil.a \
	src/proto/libfwproto.a $(FW_LIBS) $(CHECK_LIBS)
endif

# pcapng.c and the capture keys: blocks, checksums, configuration.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_capture
TESTS += tests/unit/check_capture
tests_unit_check_capture_SOURCES = tests/unit/check_capture.c
tests_unit_check_capture_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_capture_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a src/util/libfwutil.a \
	src/proto/libfwproto.a $(FW_LIBS) $(CHECK_LIBS)
endif

# worker.c: the pause over workers, their loops, shared counts.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_worker
TESTS += tests/unit/check_worker
tests_unit_check_worker_SOURCES = tests/unit/check_worker.c
tests_unit_check_worker_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_worker_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a src/util/libfwutil.a \
	src/proto/libfwproto.a $(FW_LIBS) $(CHECK_LIBS)
endif

# control_conn.c: the control API's request framing before evhttp.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_control_conn
TESTS += tests/unit/check_control_conn
tests_unit_check_control_conn_SOURCES = tests/unit/check_control_conn.c src/control_conn.c
tests_unit_check_control_conn_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_control_conn_LDADD = $(CHECK_MAIN) src/libfwcore.a src/libfwconf.a src/util/libfwutil.a \
	src/proto/libfwproto.a $(FW_LIBS) $(CHECK_LIBS)
endif
