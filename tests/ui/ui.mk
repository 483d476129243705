# The status page of the control API: tests/ui/t-ui.sh drives it in
# headless Chromium (cdp.py: the DevTools protocol on a pipe, standard
# library only; uidrive.py: the scenario); t-ui-events.sh checks the event
# stream itself (a stalled reader, the stream limit, disconnects). The
# screenshots stay in tests/ui/out.
UI_TESTS = tests/ui/t-ui.sh tests/ui/t-ui-events.sh
TESTS += $(UI_TESTS)
EXTRA_DIST += $(UI_TESTS) tests/ui/cdp.py tests/ui/uidrive.py \
	tests/ui/ssecheck.py

clean-local: clean-ui-output
clean-ui-output:
	rm -rf tests/ui/out
.PHONY: clean-ui-output
