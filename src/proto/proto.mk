# Wire-format decoders and encoders shared by fwrelay and mtasim.
noinst_LIBRARIES += src/proto/libfwproto.a
src_proto_libfwproto_a_SOURCES = src/proto/proto.c
