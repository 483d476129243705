# Unit tests of the wire-protocol library, one Check program per module.
if HAVE_CHECK
PROTO_CHECKS = tests/unit/check_rfc1006 tests/unit/check_dcerpc \
	tests/unit/check_epm tests/unit/check_strbind
check_PROGRAMS += $(PROTO_CHECKS)
TESTS += $(PROTO_CHECKS)

PROTO_CHECK_LDADD = $(CHECK_MAIN) src/proto/libfwproto.a $(CHECK_LIBS)

tests_unit_check_rfc1006_SOURCES = tests/unit/check_rfc1006.c \
	tests/unit/check_wire.c tests/unit/check_wire.h
tests_unit_check_rfc1006_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_rfc1006_LDADD = $(PROTO_CHECK_LDADD)

tests_unit_check_dcerpc_SOURCES = tests/unit/check_dcerpc.c \
	tests/unit/check_wire.c tests/unit/check_wire.h
tests_unit_check_dcerpc_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_dcerpc_LDADD = $(PROTO_CHECK_LDADD)

tests_unit_check_epm_SOURCES = tests/unit/check_epm.c \
	tests/unit/check_wire.c tests/unit/check_wire.h
tests_unit_check_epm_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_epm_LDADD = $(PROTO_CHECK_LDADD)

tests_unit_check_strbind_SOURCES = tests/unit/check_strbind.c
tests_unit_check_strbind_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_strbind_LDADD = $(PROTO_CHECK_LDADD)
endif
