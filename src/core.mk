# The daemon. libfwconf holds the pure parts (addresses, configuration,
# policy) so unit tests and fuzz targets link them without the data path.
noinst_LIBRARIES += src/libfwconf.a src/libfwcore.a
src_libfwconf_a_SOURCES = src/addr.c src/config.c src/confcheck.c \
	src/faultconf.c src/policy.c src/util.c
src_libfwcore_a_SOURCES = src/log.c src/eventlog.c src/relay.c src/reload.c \
	src/listener.c src/conn.c src/source.c src/inspect.c \
	src/fault.c src/inspect_rfc1006.c src/inspect_dcerpc.c src/pinhole.c \
	src/nft.c src/kernel.c src/capture.c src/pcapng.c \
	src/worker.c
noinst_HEADERS += src/fwrelay.h

sbin_PROGRAMS += src/fwrelay
src_fwrelay_SOURCES = src/main.c
src_fwrelay_LDADD = src/libfwctl.a src/libfwcore.a src/libfwconf.a src/util/libfwutil.a src/proto/libfwproto.a \
	$(FW_LIBS)
