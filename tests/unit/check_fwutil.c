/*
 * libfwutil (src/util): collected configuration messages, RFC 3339
 * timestamps, JSON lines and libconfig settings as JSON, which fwrelay and
 * mtasim share.
 */
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "check_main.h"
#include "fwutil.h"

START_TEST(test_errors)
{
	struct config_errors	 e = { NULL, 0 };

	config_errors_add(&e, "a.conf", 12, "'%s' must be %d-%d", "port", 1,
	    65535);
	config_errors_add(&e, "a.conf", 0, "cannot open: %s", "No such file");
	config_errors_add(&e, NULL, 3, "x");
	config_errors_add(NULL, "a.conf", 1, "ignored");
	ck_assert_uint_eq(e.n, 3);
	ck_assert_str_eq(e.msgs[0], "a.conf:12: 'port' must be 1-65535");
	ck_assert_str_eq(e.msgs[1], "a.conf: cannot open: No such file");
	ck_assert_str_eq(e.msgs[2], "(config):3: x");
	config_errors_clear(&e);
	ck_assert_uint_eq(e.n, 0);
	ck_assert_ptr_null(e.msgs);
	config_errors_clear(&e);
}
END_TEST

START_TEST(test_timestamp)
{
	struct timeval	 tv = { 1796587200, 7 };	/* 2026-12-06T20:00:00 */
	char		 buf[40];

	ck_assert_str_eq(fw_timestamp(&tv, buf, sizeof(buf)),
	    "2026-12-06T20:00:00.000007Z");
}
END_TEST

START_TEST(test_json_line)
{
	json_t	*o = json_pack("{s:s, s:i, s:s}", "event", "accept", "conn",
	    4, "relay", "r\xc3\xa9\n");
	char	*line, path[] = "/tmp/check_fwutil.XXXXXX", buf[256];
	FILE	*fp;
	int	 fd;

	line = fw_json_line(o);
	ck_assert_str_eq(line,
	    "{\"event\":\"accept\",\"conn\":4,\"relay\":\"r\\u00E9\\n\"}");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w+"));
	ck_assert_int_eq(fw_json_write(fp, o), 0);
	rewind(fp);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	ck_assert_uint_eq(strlen(buf), strlen(line) + 1);
	ck_assert(strncmp(buf, line, strlen(line)) == 0);
	ck_assert_ptr_null(fgets(buf, sizeof(buf), fp));	/* one line */
	fclose(fp);
	unlink(path);
	free(line);
	json_decref(o);
}
END_TEST

START_TEST(test_conf_json)
{
	config_t	 cf;
	json_t		*j;
	char		*line;

	config_init(&cf);
	ck_assert_int_eq(config_read_string(&cf, "a = 1; b = { c = \"x\"; "
	    "d = true; }; e = ( 1.5, [ 2, 3 ] ); big = 5000000000L;"),
	    CONFIG_TRUE);
	ck_assert_ptr_nonnull(j = fw_conf_json(config_root_setting(&cf)));
	line = fw_json_line(j);
	ck_assert_str_eq(line, "{\"a\":1,\"b\":{\"c\":\"x\",\"d\":true},"
	    "\"e\":[1.5,[2,3]],\"big\":5000000000}");
	free(line);
	json_decref(j);
	config_destroy(&cf);
}
END_TEST

static Suite *
fwutil_suite(void)
{
	Suite	*s = suite_create("fwutil");
	TCase	*tc = tcase_create("fwutil");

	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_timestamp);
	tcase_add_test(tc, test_json_line);
	tcase_add_test(tc, test_conf_json);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { fwutil_suite, NULL, NULL };
