# Unit tests of mtasim's pure modules: the connector rules, the MtaBind
# stubs and the configuration (src/mtasim/libmtasim.a).
if HAVE_CHECK
MTASIM_CHECKS = tests/unit/check_mtasim_connector \
	tests/unit/check_mtasim_mtabind tests/unit/check_mtasim_conf
check_PROGRAMS += $(MTASIM_CHECKS)
TESTS += $(MTASIM_CHECKS)

MTASIM_CHECK_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/mtasim
MTASIM_CHECK_LDADD = $(CHECK_MAIN) src/mtasim/libmtasim.a src/util/libfwutil.a src/proto/libfwproto.a \
	$(FW_LIBS) $(CHECK_LIBS)

tests_unit_check_mtasim_connector_SOURCES = \
	tests/unit/check_mtasim_connector.c
tests_unit_check_mtasim_connector_CPPFLAGS = $(MTASIM_CHECK_CPPFLAGS)
tests_unit_check_mtasim_connector_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_mtasim_connector_LDADD = $(MTASIM_CHECK_LDADD)

tests_unit_check_mtasim_mtabind_SOURCES = tests/unit/check_mtasim_mtabind.c
tests_unit_check_mtasim_mtabind_CPPFLAGS = $(MTASIM_CHECK_CPPFLAGS)
tests_unit_check_mtasim_mtabind_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_mtasim_mtabind_LDADD = $(MTASIM_CHECK_LDADD)

tests_unit_check_mtasim_conf_SOURCES = tests/unit/check_mtasim_conf.c
tests_unit_check_mtasim_conf_CPPFLAGS = $(MTASIM_CHECK_CPPFLAGS)
tests_unit_check_mtasim_conf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_check_mtasim_conf_LDADD = $(MTASIM_CHECK_LDADD)
endif
