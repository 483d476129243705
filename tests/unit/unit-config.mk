# Unit tests for the pure parts in src/libfwconf.a: addresses (and util.c),
# policy matching, and the configuration loader with its corpus in
# tests/conf/{good,bad} (each bad X.conf beside the X.err it must produce).
if HAVE_CHECK
# One main() for every unit test (check_main.c): each test file only names
# its suite in check_unit.
check_LIBRARIES = tests/unit/libcheckmain.a
tests_unit_libcheckmain_a_SOURCES = tests/unit/check_main.c \
	tests/unit/check_main.h
tests_unit_libcheckmain_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
CHECK_MAIN = tests/unit/libcheckmain.a

check_PROGRAMS += tests/unit/check_addr tests/unit/check_config \
	tests/unit/check_policy
TESTS += tests/unit/check_addr tests/unit/check_config \
	tests/unit/check_policy

tests_unit_check_addr_SOURCES = tests/unit/check_addr.c
tests_unit_check_addr_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_addr_LDADD = $(CHECK_MAIN) src/libfwconf.a src/util/libfwutil.a \
	$(FW_LIBS) $(CHECK_LIBS)

tests_unit_check_policy_SOURCES = tests/unit/check_policy.c
tests_unit_check_policy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_policy_LDADD = $(CHECK_MAIN) src/libfwconf.a src/util/libfwutil.a \
	$(FW_LIBS) $(CHECK_LIBS)

# The corpus is found through $top_srcdir (AM_TESTS_ENVIRONMENT), or this
# path when the program is run by hand.
tests_unit_check_config_SOURCES = tests/unit/check_config.c
tests_unit_check_config_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFW_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_check_config_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_config_LDADD = $(CHECK_MAIN) src/libfwconf.a src/util/libfwutil.a \
	$(FW_LIBS) $(CHECK_LIBS)
endif

EXTRA_DIST += tests/conf/good tests/conf/bad

# The file and the control API refuse a bad relay setting in the same words.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_confcheck
TESTS += tests/unit/check_confcheck
tests_unit_check_confcheck_SOURCES = tests/unit/check_confcheck.c
tests_unit_check_confcheck_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_confcheck_LDADD = $(CHECK_MAIN) src/libfwctl.a \
	src/libfwcore.a src/libfwconf.a src/util/libfwutil.a src/proto/libfwproto.a $(FW_LIBS) \
	$(CHECK_LIBS)
endif
