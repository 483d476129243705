# libFuzzer targets, one per decoder plus the configuration loader (tmux
# fuzz/). Build with --enable-fuzz CC=clang; "make fuzz FUZZ_SECONDS=N"
# runs each for N seconds on a copy of its seed corpus and fails if any
# crashes. Each target compiles the code it fuzzes itself, with the
# sanitizer and coverage flags, so libFuzzer sees inside it.
FUZZ_NAMES = fuzz_rfc1006 fuzz_dcerpc fuzz_epm fuzz_strbind fuzz_config
FUZZ_SECONDS = 60
FUZZ_WORKDIR = fuzz-work

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz_rfc1006.dict \
	tests/fuzz/fuzz_dcerpc.dict tests/fuzz/fuzz_epm.dict \
	tests/fuzz/fuzz_strbind.dict tests/fuzz/fuzz_config.dict

if FUZZ
FUZZ_PROGS = tests/fuzz/fuzz_rfc1006 tests/fuzz/fuzz_dcerpc \
	tests/fuzz/fuzz_epm tests/fuzz/fuzz_strbind tests/fuzz/fuzz_config
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
	$(src_libfwconf_a_SOURCES)
tests_fuzz_fuzz_config_CFLAGS = $(FUZZ_TARGET_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_config_LDADD = $(LIBCONFIG_LIBS) $(JANSSON_LIBS) -lm

# For each target: fresh copy of the seeds, run, report the executions
# from libFuzzer's final stats; exit 1 if any target crashed.
fuzz: $(FUZZ_PROGS)
	@fail=0; total=0; \
	for t in $(FUZZ_NAMES); do \
		d=$(FUZZ_WORKDIR)/$$t; \
		rm -rf $$d; mkdir -p $$d/corpus $$d/artifacts; \
		cp $(srcdir)/tests/fuzz/corpus/$$t/* $$d/corpus/; \
		chmod u+w $$d/corpus/*; \
		./tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
		    -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		    -dict=$(srcdir)/tests/fuzz/$$t.dict \
		    -artifact_prefix=$$d/artifacts/ $$d/corpus \
		    >$$d/log 2>&1; \
		rc=$$?; \
		runs=`sed -n 's/^stat::number_of_executed_units: *//p' \
		    $$d/log | tail -n 1`; \
		test -n "$$runs" || runs=`sed -n \
		    's/^Done \([0-9]*\) runs.*/\1/p' $$d/log | tail -n 1`; \
		test -n "$$runs" || runs=0; \
		total=`expr $$total + $$runs`; \
		if test $$rc -eq 0; then \
			echo "fuzz: $$t: $$runs executions in $(FUZZ_SECONDS) s, no crash"; \
		else \
			echo "fuzz: $$t: FAILED (exit $$rc) after $$runs executions; see $$d/log and $$d/artifacts"; \
			tail -n 40 $$d/log; \
			fail=1; \
		fi; \
	done; \
	echo "fuzz: $$total executions in all"; \
	exit $$fail
else
fuzz:
	@echo "fuzz: configure with --enable-fuzz CC=clang first" >&2; exit 1
endif

fuzz-clean:
	rm -rf $(FUZZ_WORKDIR)

.PHONY: fuzz fuzz-clean
