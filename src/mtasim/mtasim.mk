# mtasim, the Exchange 5.5 MTA simulator of the KB lab. libmtasim holds the
# pure parts (configuration, connector rules, MtaBind stubs) so the unit
# tests link them without the event loop.
noinst_LIBRARIES += src/mtasim/libmtasim.a
src_mtasim_libmtasim_a_SOURCES = src/mtasim/conf.c src/mtasim/connector.c \
	src/mtasim/mtabind.c
noinst_HEADERS += src/mtasim/mtasim.h

bin_PROGRAMS += src/mtasim/mtasim
src_mtasim_mtasim_SOURCES = src/mtasim/main.c src/mtasim/evlog.c \
	src/mtasim/net.c src/mtasim/queue.c src/mtasim/x400.c \
	src/mtasim/rpc.c
src_mtasim_mtasim_LDADD = src/mtasim/libmtasim.a src/util/libfwutil.a src/proto/libfwproto.a \
	$(FW_LIBS)
dist_man_MANS += man/mtasim.8 man/fwlab.1
