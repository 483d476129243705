# libFuzzer targets, one per decoder plus the configuration loader (tmux
# fuzz/). Build with --enable-fuzz CC=clang; "make fuzz FUZZ_SECONDS=N"
# runs each for N seconds on a copy of its seed corpus and fails if any
# crashes. Each target compiles the code it fuzzes itself, with the
# sanitizer and coverage flags, so libFuzzer sees inside it.
FUZZ_NAMES = fuzz_rfc1006 fuzz_dcerpc fuzz_epm fuzz_strbind fuzz_config \
	fuzz_control
FUZZ_SECONDS = 60
FUZZ_WORKDIR = fuzz-work

EXTRA_DIST += tests/fuzz/run-fuzz.sh tests/fuzz/corpus tests/fuzz/fuzz_rfc1006.dict \
	tests/fuzz/fuzz_dcerpc.dict tests/fuzz/fuzz_epm.dict \
	tests/fuzz/fuzz_strbind.dict tests/fuzz/fuzz_config.dict \
	tests/fuzz/fuzz_control.dict

if FUZZ
FUZZ_PROGS = tests/fuzz/fuzz_rfc1006 tests/fuzz/fuzz_dcerpc \
	tests/fuzz/fuzz_epm tests/fuzz/fuzz_strbind tests/fuzz/fuzz_config \
	tests/fuzz/fuzz_control
noinst_PROGRAMS += $(FUZZ_PROGS)

# Undefined behaviour must stop the run like a crash does.
FUZZ_TARGET_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS) \
	-fno-sanitize-recover=undefined

tests_fuzz_fuzz_rfc1006_SOURCES = tests/fuzz/fuzz_rfc1006.c \
	$(FWPROTO_SOURCES)
tests_fuzz_fuzz_rfc1006_CFLAGS = $(FUZZ_TARGET_CFLAGS)
tests_fuzz_fuzz_rfc1006_LDFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_fuzz_dcerpc_SOURCES = tests/fuzz/fuzz_dcerpc.c $(FWPROTO_SOURCES)
tests_fuzz_fuzz_dcerpc_CFLAGS = $(FUZZ_TARGET_CFLAGS)
tests_fuzz_fuzz_dcerpc_LDFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_fuzz_epm_SOURCES = tests/fuzz/fuzz_epm.c $(FWPROTO_SOURCES)
tests_fuzz_fuzz_epm_CFLAGS = $(FUZZ_TARGET_CFLAGS)
tests_fuzz_fuzz_epm_LDFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_fuzz_strbind_SOURCES = tests/fuzz/fuzz_strbind.c \
	$(FWPROTO_SOURCES)
tests_fuzz_fuzz_strbind_CFLAGS = $(FUZZ_TARGET_CFLAGS)
tests_fuzz_fuzz_strbind_LDFLAGS = $(FUZZ_CFLAGS)

# The same sources as src/libfwconf.a, instrumented.
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c \
	$(src_libfwconf_a_SOURCES) $(src_util_libfwutil_a_SOURCES)
tests_fuzz_fuzz_config_CFLAGS = $(FUZZ_TARGET_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_config_LDADD = $(LIBCONFIG_LIBS) $(JANSSON_LIBS) -lm

# The control API's request framing (control_conn.c), on libevent.
tests_fuzz_fuzz_control_SOURCES = tests/fuzz/fuzz_control.c \
	src/control_conn.c
tests_fuzz_fuzz_control_CFLAGS = $(FUZZ_TARGET_CFLAGS)
tests_fuzz_fuzz_control_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_control_LDADD = $(LIBEVENT_LIBS)

# For each target: fresh copy of the seeds, run, report the executions
# from libFuzzer's final stats; exit 1 if any target crashed.
FUZZ_JOBS ?= 2

fuzz: $(FUZZ_PROGS)
	@$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(srcdir) $(FUZZ_WORKDIR) \
	    $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_NAMES)

# The long pass: FUZZ_RUNS executions per target (10 million), within
# FUZZ_SECONDS (here an upper bound, default 4 hours); fails if a target
# crashed or did not get there. Prints executions and coverage per target.
FUZZ_RUNS = 10000000
fuzz-long: $(FUZZ_PROGS)
	@FUZZ_RUNS=$(FUZZ_RUNS) $(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh \
	    $(srcdir) $(FUZZ_WORKDIR) \
	    $$(test "$(origin FUZZ_SECONDS)" = file && echo 14400 || \
	    echo $(FUZZ_SECONDS)) $(FUZZ_JOBS) $(FUZZ_NAMES)
else
fuzz fuzz-long:
	@echo "fuzz: configure with --enable-fuzz CC=clang first" >&2; exit 1
endif

fuzz-clean:
	rm -rf $(FUZZ_WORKDIR)

.PHONY: fuzz fuzz-long fuzz-clean
