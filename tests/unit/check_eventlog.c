/*
 * Unit tests for src/eventlog.c: timestamps, escaping of odd bytes in
 * strings, level filtering, observers, one line per event, reopen, the
 * tap of the control API's event stream, and the order of lines and the
 * tap's queue with workers.
 */
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "fwrelay.h"
#include "check_main.h"

static char	 tmpl[64];

static char *
read_file(const char *path)
{
	FILE	*fp;
	char	*buf;
	long	 n;

	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, n + 1);
	ck_assert_int_eq(fread(buf, 1, n, fp), n);
	fclose(fp);
	return (buf);
}

static void
setup(void)
{
	int	 fd;

	snprintf(tmpl, sizeof(tmpl), "/tmp/check_eventlog.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(tmpl), -1);
	close(fd);
}

static void
teardown(void)
{
	eventlog_close();
	unlink(tmpl);
}

START_TEST(test_timestamp)
{
	struct timeval	 tv = { 1795992601, 7 };	/* 2026-11-30T... */
	char		 buf[40];

	eventlog_timestamp(&tv, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-29T22:50:01.000007Z");
	tv.tv_sec = 0;
	tv.tv_usec = 999999;
	ck_assert_str_eq(eventlog_timestamp(&tv, buf, sizeof(buf)),
	    "1970-01-01T00:00:00.999999Z");
}
END_TEST

START_TEST(test_escaping)
{
	json_t	*ev;
	char	*line;

	ev = json_object();
	eventlog_str(ev, "quote", "a\"b\\c");
	eventlog_str(ev, "ctl", "x\ny\tz\001");
	eventlog_str(ev, "bad", "ok\xff\xfe!");
	eventlog_str(ev, "trunc", "\xc3");
	eventlog_str(ev, "utf8", "caf\xc3\xa9");
	eventlog_str(ev, "overlong", "\xc0\xaf");
	line = eventlog_encode(ev);
	ck_assert_str_eq(line, "{\"quote\":\"a\\\"b\\\\c\","
	    "\"ctl\":\"x\\ny\\tz\\u0001\",\"bad\":\"ok\\\\xff\\\\xfe!\","
	    "\"trunc\":\"\\\\xc3\",\"utf8\":\"caf\\u00E9\","
	    "\"overlong\":\"\\\\xc0\\\\xaf\"}");
	free(line);
	json_decref(ev);
}
END_TEST

START_TEST(test_addr)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	json_t			*ev = json_object();
	char			*line;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(102);
	inet_pton(AF_INET, "127.1.0.10", &sin.sin_addr);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(135);
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	eventlog_addr(ev, "client", (struct sockaddr *)&sin);
	eventlog_addr(ev, "target", (struct sockaddr *)&sin6);
	line = eventlog_encode(ev);
	ck_assert_str_eq(line,
	    "{\"client\":\"127.1.0.10:102\",\"target\":\"[::1]:135\"}");
	free(line);
	json_decref(ev);
}
END_TEST

START_TEST(test_lines_and_levels)
{
	json_t	*ev;
	char	*text, *p;
	int	 lines = 0;

	ck_assert_int_eq(eventlog_open(tmpl, LOG_LEVEL_INFO), 0);
	ev = eventlog_new("accept");
	ck_assert_ptr_nonnull(ev);
	eventlog_str(ev, "relay", "r\n1");
	eventlog_int(ev, "conn", 42);
	eventlog_emit(ev);
	/* Debug is filtered at info, and nobody observes: no object. */
	ck_assert_ptr_null(eventlog_new_level(LOG_LEVEL_DEBUG, "rpc_call"));
	eventlog_emit(NULL);
	eventlog_emit(eventlog_new_level(LOG_LEVEL_ERROR, "stop"));
	text = read_file(tmpl);
	for (p = text; *p != '\0'; p++)
		if (*p == '\n')
			lines++;
	ck_assert_int_eq(lines, 2);
	ck_assert_ptr_nonnull(strstr(text, "\"event\":\"accept\""));
	ck_assert_ptr_nonnull(strstr(text, "\"relay\":\"r\\n1\""));
	ck_assert_ptr_nonnull(strstr(text, "\"conn\":42"));
	ck_assert_ptr_nonnull(strstr(text, "\"event\":\"stop\""));
	ck_assert_ptr_null(strstr(text, "_quiet"));
	ck_assert(strncmp(text, "{\"ts\":\"", 7) == 0);
	free(text);
}
END_TEST

/*
 * A triggered fault waiting for rpc_call gets it built below the level
 * (and not written); other quiet events (a cotp_tpdu per DT) stay unbuilt.
 */
START_TEST(test_want_quiet)
{
	json_t	*ev;
	char	*text;

	ck_assert_int_eq(eventlog_open(tmpl, LOG_LEVEL_INFO), 0);
	eventlog_want_quiet("rpc_call", 1);
	eventlog_want_quiet("rpc_call", 1);
	ev = eventlog_new_level(LOG_LEVEL_DEBUG, "rpc_call");
	ck_assert_ptr_nonnull(ev);
	eventlog_emit(ev);
	ck_assert_ptr_null(eventlog_new_level(LOG_LEVEL_DEBUG, "cotp_tpdu"));
	eventlog_want_quiet("rpc_call", -1);
	ev = eventlog_new_level(LOG_LEVEL_DEBUG, "rpc_call");
	ck_assert_ptr_nonnull(ev);
	json_decref(ev);
	eventlog_want_quiet("rpc_call", -1);
	ck_assert_ptr_null(eventlog_new_level(LOG_LEVEL_DEBUG, "rpc_call"));
	eventlog_emit(eventlog_new_level(LOG_LEVEL_ERROR, "stop"));
	text = read_file(tmpl);
	ck_assert_ptr_null(strstr(text, "rpc_call"));
	ck_assert_ptr_nonnull(strstr(text, "\"event\":\"stop\""));
	free(text);
}
END_TEST

static int	observed;

static void
observer(json_t *ev, void *arg)
{
	const char	*name = json_string_value(json_object_get(ev, "event"));

	if (name != NULL && strcmp(name, arg) == 0)
		observed++;
}

START_TEST(test_observer_sees_filtered)
{
	char	*text;

	ck_assert_int_eq(eventlog_open(tmpl, LOG_LEVEL_WARNING), 0);
	eventlog_observe(observer, "close");
	/* Filtered from the file, but counters still see it. */
	eventlog_emit(eventlog_new("close"));
	ck_assert_int_eq(observed, 1);
	text = read_file(tmpl);
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

START_TEST(test_observer_names)
{
	static const char *const names[] = { "deny", NULL };
	json_t	*ev;

	ck_assert_int_eq(eventlog_open(tmpl, LOG_LEVEL_WARNING), 0);
	observed = 0;
	eventlog_observe_names(observer, "deny", names);
	/* Filtered and unwanted: not even built. */
	ck_assert_ptr_null(eventlog_new("close"));
	ev = eventlog_new("deny");
	ck_assert_ptr_nonnull(ev);
	eventlog_emit(ev);
	ck_assert_int_eq(observed, 1);
}
END_TEST

static int	tapped;
static char	tap_line[512];

static void
tap(const char *line, void *arg)
{
	ck_assert_ptr_eq(arg, &tapped);
	tapped++;
	snprintf(tap_line, sizeof(tap_line), "%s", line);
}

/* The tap gets what the file gets, line for line: not the quiet ones. */
START_TEST(test_tap)
{
	char	*text;

	ck_assert_int_eq(eventlog_open(tmpl, LOG_LEVEL_WARNING), 0);
	eventlog_observe(observer, "close");
	eventlog_tap(tap, &tapped);
	eventlog_emit(eventlog_new("close"));	/* built for the observer */
	ck_assert_int_eq(observed, 1);
	ck_assert_int_eq(tapped, 0);
	eventlog_emit(eventlog_new_level(LOG_LEVEL_ERROR, "stop"));
	ck_assert_int_eq(tapped, 1);
	text = read_file(tmpl);
	ck_assert_uint_eq(strlen(text), strlen(tap_line) + 1);
	ck_assert(strncmp(text, tap_line, strlen(tap_line)) == 0);
	free(text);
	eventlog_tap(NULL, NULL);
	eventlog_emit(eventlog_new_level(LOG_LEVEL_ERROR, "stop"));
	ck_assert_int_eq(tapped, 1);
	/* Without a file the tap still gets them. */
	eventlog_close();
	eventlog_tap(tap, &tapped);
	eventlog_emit(eventlog_new_level(LOG_LEVEL_ERROR, "start"));
	ck_assert_int_eq(tapped, 2);
	ck_assert_ptr_nonnull(strstr(tap_line, "\"event\":\"start\""));
	eventlog_tap(NULL, NULL);
}
END_TEST

/* An event with its ts set by the caller, as the accept event's. */
static json_t *
event_at(const char *name, const char *ts)
{
	json_t	*ev = eventlog_new_level(LOG_LEVEL_ERROR, name);

	ck_assert_ptr_nonnull(ev);
	json_object_set_new(ev, "ts", json_string(ts));
	return (ev);
}

/*
 * With workers (eventlog_threads): a line never goes back in time (an
 * earlier ts takes the previous line's), emit_at hands the time written
 * back, and the tap gets its lines from the main loop, in order.
 */
START_TEST(test_threads)
{
	struct event_base	*base;
	struct timeval		 tv = { 1796069400, 5 }, want;
	char			*text, ts[40];

	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_int_eq(eventlog_open(tmpl, LOG_LEVEL_INFO), 0);
	ck_assert_int_eq(eventlog_threads(base), 0);
	eventlog_tap(tap, &tapped);
	tapped = 0;
	eventlog_emit(event_at("a", "2026-11-30T20:10:00.000010Z"));
	eventlog_emit(event_at("b", "2026-11-30T20:10:00.000009Z"));
	/* The accept's own time is before the last line's: it moves. */
	eventlog_emit_at(json_pack("{s:s, s:s}", "ts",
	    eventlog_timestamp(&tv, ts, sizeof(ts)), "event", "c"), &tv);
	want.tv_sec = 1796069400;	/* 2026-11-30T20:10:00Z */
	want.tv_usec = 10;
	ck_assert_int_eq(tv.tv_sec, want.tv_sec);
	ck_assert_int_eq(tv.tv_usec, want.tv_usec);
	/* A later one is left as it is. */
	tv.tv_usec = 11;
	eventlog_emit_at(json_pack("{s:s, s:s}", "ts",
	    eventlog_timestamp(&tv, ts, sizeof(ts)), "event", "d"), &tv);
	ck_assert_int_eq(tv.tv_usec, 11);
	text = read_file(tmpl);
	ck_assert_str_eq(text,
	    "{\"ts\":\"2026-11-30T20:10:00.000010Z\",\"event\":\"a\"}\n"
	    "{\"ts\":\"2026-11-30T20:10:00.000010Z\",\"event\":\"b\"}\n"
	    "{\"ts\":\"2026-11-30T20:10:00.000010Z\",\"event\":\"c\"}\n"
	    "{\"ts\":\"2026-11-30T20:10:00.000011Z\",\"event\":\"d\"}\n");
	free(text);
	/* The tap waits for the main loop, then gets all four in order. */
	ck_assert_int_eq(tapped, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(tapped, 4);
	ck_assert_ptr_nonnull(strstr(tap_line, "\"event\":\"d\""));
	eventlog_tap(NULL, NULL);
	eventlog_threads_end();
	event_base_free(base);
}
END_TEST

START_TEST(test_reopen)
{
	char	 moved[80], *text;

	ck_assert_int_eq(eventlog_open(tmpl, LOG_LEVEL_INFO), 0);
	eventlog_emit(eventlog_new("one"));
	snprintf(moved, sizeof(moved), "%s.1", tmpl);
	ck_assert_int_eq(rename(tmpl, moved), 0);
	eventlog_emit(eventlog_new("two"));	/* still the old file */
	ck_assert_int_eq(eventlog_reopen(), 0);
	eventlog_emit(eventlog_new("three"));
	text = read_file(moved);
	ck_assert_ptr_nonnull(strstr(text, "\"one\""));
	ck_assert_ptr_nonnull(strstr(text, "\"two\""));
	ck_assert_ptr_null(strstr(text, "\"three\""));
	free(text);
	text = read_file(tmpl);
	ck_assert_ptr_nonnull(strstr(text, "\"three\""));
	free(text);
	unlink(moved);
}
END_TEST

static Suite *
eventlog_suite(void)
{
	Suite	*s = suite_create("eventlog");
	TCase	*tc;

	tc = tcase_create("encoding");
	tcase_add_test(tc, test_timestamp);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_addr);
	suite_add_tcase(s, tc);
	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lines_and_levels);
	tcase_add_test(tc, test_want_quiet);
	tcase_add_test(tc, test_observer_sees_filtered);
	tcase_add_test(tc, test_observer_names);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_tap);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { eventlog_suite, NULL, NULL };
