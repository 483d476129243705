# Run-time control: the control API, /metrics, the privilege drop (linked
# into src/fwrelay from libfwctl), the fwrelayctl client, its man page and
# the packaging files. fault.c lives in libfwcore (core.mk): the pump calls it.
noinst_LIBRARIES += src/libfwctl.a
src_libfwctl_a_SOURCES = src/control.c src/control_conn.c src/metrics.c \
	src/priv.c
noinst_HEADERS += src/control.h src/fault.h

bin_PROGRAMS += src/fwrelayctl
src_fwrelayctl_SOURCES = src/fwrelayctl.c
src_fwrelayctl_LDADD = $(JANSSON_LIBS) $(LIBCONFIG_LIBS)

dist_man_MANS += man/fwrelayctl.8

# The unit and logrotate files are examples for packagers: installed under
# $(datadir)/fwrelay, so that a non-root prefix (distcheck) works.
fwrelaypkgdir = $(datadir)/fwrelay
dist_fwrelaypkg_DATA = pkg/fwrelay.service pkg/fwrelay.logrotate
