# Documentation checks: man/fwrelay.8, man/fwrelay.conf.5 (and
# man/fwrelayctl.8 once written) and README.md name every configuration
# key, option, event and fwrelayctl command the sources have, and the
# example configurations in fwrelay.conf.5 pass fwrelay -t.
DOCS_TESTS = tests/docs/t-docs.sh

TESTS += $(DOCS_TESTS)
EXTRA_DIST += $(DOCS_TESTS)
