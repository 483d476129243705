# libfwutil: what fwrelay, fwrelayctl and mtasim share (src/util/fwutil.h).
noinst_LIBRARIES += src/util/libfwutil.a
src_util_libfwutil_a_SOURCES = src/util/fwutil.c
noinst_HEADERS += src/util/fwutil.h
