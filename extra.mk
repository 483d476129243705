# Documentation, the default configuration, and the files of the tree that
# no other fragment ships: the scripts the README starts with, the CI entry
# point, and every example and lab configuration.
dist_man_MANS += man/fwrelay.8 man/fwrelay.conf.5
dist_sysconf_DATA += conf/fwrelay.conf

# scripts/netns-topo ships with tests/netns/netns.mk.
EXTRA_DIST += scripts/build scripts/check scripts/deps scripts/run \
	scripts/fwlab .ci/run scripts/fwlab_lib/__init__.py \
	scripts/fwlab_lib/ciformats.py scripts/fwlab_lib/htmlreport.py \
	scripts/fwlab_lib/svgseq.py scripts/fwlab_lib/sweep.py \
	scripts/fwlab_lib/textutil.py scripts/fwlab_lib/cases.py \
	scripts/fwlab_lib/libconf.py scripts/fwlab_lib/evlog.py

# conf/examples/*.conf (some are listed in behaviour.mk as test data) and
# conf/lab/*.conf go whole, so a new file is never left out. A hook rather
# than EXTRA_DIST += conf/lab: git does not keep an empty directory, and a
# missing EXTRA_DIST entry stops "make dist".
dist-hook: dist-conf
dist-conf:
	@for d in conf/examples conf/lab; do \
		for f in $(srcdir)/$$d/*.conf; do \
			test -f "$$f" || continue; \
			$(MKDIR_P) "$(distdir)/$$d" || exit 1; \
			b=`basename "$$f"`; \
			test -f "$(distdir)/$$d/$$b" || \
			    cp -p "$$f" "$(distdir)/$$d/$$b" || exit 1; \
		done; \
	done
.PHONY: dist-conf

# What the lab tests leave in the build tree (fwlab's run directories and
# reports), so that distclean leaves nothing (distcheck's distcleancheck).
clean-local: clean-lab-output
clean-lab-output:
	rm -rf tests/lab/out
.PHONY: clean-lab-output

# The soak and chaos figures (scripts/soak): minutes, on loopback. SOAK_SCALE
# grows it; make check runs a reduced one (tests/integration/t-soak.sh).
EXTRA_DIST += scripts/soak
soak: all $(check_PROGRAMS)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(top_srcdir)/scripts/soak
.PHONY: soak
