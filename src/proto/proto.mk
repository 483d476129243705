# Wire-format decoders and encoders shared by fwrelay and mtasim: pure C,
# no libevent, no I/O. The fuzz targets compile the same sources again with
# sanitizer and coverage flags (tests/fuzz/fuzz.mk).
FWPROTO_SOURCES = src/proto/rfc1006.c src/proto/dcerpc.c src/proto/epm.c \
	src/proto/strbind.c

noinst_LIBRARIES += src/proto/libfwproto.a
src_proto_libfwproto_a_SOURCES = $(FWPROTO_SOURCES)
noinst_HEADERS += src/proto/rfc1006.h src/proto/dcerpc.h src/proto/epm.h \
	src/proto/strbind.h src/proto/wire.h
