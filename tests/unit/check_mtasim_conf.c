/*
 * Unit tests of src/mtasim/conf.c: a full configuration read into struct
 * mta_conf, defaults, every error reported as "file:line: message" in file
 * order, and the scenario converter (libconfig to JSON) fwlab relies on.
 */

#include <arpa/inet.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtasim.h"
#include "check_main.h"

static const char *full =
    "name = \"MTA-IN\";\n"
    "addresses = {\n"
    "  node = \"127.1.0.11\"; cluster = \"127.1.0.100\";\n"
    "  source = \"cluster\"; listen = [ \"127.1.0.100\" ];\n"
    "};\n"
    "x400 = { port = 10102; tsel = \"MTA-IN\"; };\n"
    "rpc = { epm_port = 10135; listen_port = 0; bindback = "
    "\"endpoint-mapper\";\n"
    "  bindback_host = \"mta-in\"; };\n"
    "proxy = \"127.1.0.2:10102\"; proxy_disable = true;\n"
    "connectors = (\n"
    "  { name = \"x\"; peer = \"MTA-OUT\"; address = \"127.1.0.1\"; port = "
    "10102;\n"
    "    local_tsel = \"MTA-IN\"; remote_tsel = \"MTA-OUT\"; "
    "two_way_alternate = false; },\n"
    "  { name = \"site\"; type = \"rpc\"; peer = \"MTA-OUT\"; "
    "address = \"fw.example\";\n"
    "    schedule = \"remote-initiated\"; }\n"
    ");\n"
    "hosts = ( { name = \"fw.example\"; address = \"127.1.0.1\"; } );\n"
    "mail = ( { phase = 2; peer = \"MTA-OUT\"; count = 3; size = 100; "
    "subject = \"hi there\"; } );\n"
    "timeouts = { connect = 0.5; response = 2; };\n"
    "retry = { count = 2; interval = 0.25; };\n";

static struct in_addr
ip(const char *s)
{
	struct in_addr	 a;

	inet_pton(AF_INET, s, &a);
	return (a);
}

START_TEST(test_full)
{
	struct config_errors	 errs = { NULL, 0 };
	struct mta_conf		*mc;
	struct in_addr		 src;

	mc = conf_load_string(full, "full.conf", &errs);
	ck_assert_ptr_nonnull(mc);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_str_eq(mc->name, "MTA-IN");
	ck_assert_str_eq(mc->org, "Lab");
	ck_assert_uint_eq(mc->node.s_addr, ip("127.1.0.11").s_addr);
	ck_assert_int_eq(mc->has_cluster, 1);
	src = conf_source(mc);
	ck_assert_uint_eq(src.s_addr, ip("127.1.0.100").s_addr);
	ck_assert_uint_eq(mc->nlisten, 1);
	ck_assert_uint_eq(mc->listen[0].s_addr, ip("127.1.0.100").s_addr);
	ck_assert_int_eq(mc->x400_port, 10102);
	ck_assert_uint_eq(mc->tsel_len, 6);
	ck_assert_int_eq(mc->rpc, 1);
	ck_assert_int_eq(mc->epm_port, 10135);
	ck_assert_int_eq(mc->rpc_port, 0);
	ck_assert_int_eq(mc->bindback, BINDBACK_EPM);
	ck_assert_str_eq(bindback_name(mc->bindback), "endpoint-mapper");
	ck_assert_str_eq(mc->bindback_host, "mta-in");
	ck_assert_int_eq(mc->has_proxy, 1);
	ck_assert_int_eq(ntohs(mc->proxy.sin_port), 10102);
	ck_assert_int_eq(mc->proxy_disable, 1);
	ck_assert_uint_eq(mc->nconnectors, 2);
	ck_assert_int_eq(mc->connectors[0].is_ip, 1);
	ck_assert_int_eq(mc->connectors[0].two_way, 0);
	ck_assert_uint_eq(mc->connectors[0].remote_tsel_len, 7);
	ck_assert_int_eq(mc->connectors[1].type, CONNECTOR_RPC);
	ck_assert_int_eq(mc->connectors[1].is_ip, 0);
	ck_assert_int_eq(mc->connectors[1].port, 135);
	ck_assert_int_eq(mc->connectors[1].two_way, 1);
	ck_assert_str_eq(schedule_name(mc->connectors[1].schedule),
	    "remote-initiated");
	ck_assert_uint_eq(mc->nhosts, 1);
	ck_assert_uint_eq(mc->nmail, 1);
	ck_assert_int_eq(mc->mail[0].phase, 2);
	ck_assert_int_eq(mc->mail[0].count, 3);
	ck_assert_uint_eq(mc->mail[0].size, 100);
	ck_assert_str_eq(mc->mail[0].subject, "hi there");
	ck_assert(mc->connect_timeout == 0.5);
	ck_assert(mc->response_timeout == 2.0);
	ck_assert_int_eq(mc->retries, 2);
	ck_assert(mc->retry_interval == 0.25);
	conf_free(mc);
}
END_TEST

START_TEST(test_defaults)
{
	struct config_errors	 errs = { NULL, 0 };
	struct mta_conf		*mc;

	mc = conf_load_string("name = \"M\"; addresses = { node = "
	    "\"127.0.0.7\"; };", "d.conf", &errs);
	ck_assert_ptr_nonnull(mc);
	ck_assert_uint_eq(mc->nlisten, 1);
	ck_assert_uint_eq(mc->listen[0].s_addr, ip("127.0.0.7").s_addr);
	ck_assert_int_eq(mc->x400_port, 0);	/* no x400 group: none */
	ck_assert_int_eq(mc->rpc, 0);
	ck_assert_int_eq(mc->source_cluster, 0);
	ck_assert(mc->connect_timeout == MTA_CONNECT_TIMEOUT);
	ck_assert_int_eq(mc->retries, 0);
	conf_free(mc);
}
END_TEST

/* All errors, in file order, with their lines. */
START_TEST(test_errors)
{
	struct config_errors	 errs = { NULL, 0 };
	struct mta_conf		*mc;

	mc = conf_load_string(
	    "name = \"M\";\n"					/* 1 */
	    "addresses = { node = \"127.0.0.7\"; source = \"cluster\"; };\n"
	    "colour = 3;\n"					/* 3 */
	    "connectors = (\n"
	    "  { name = \"a\"; peer = \"P\"; address = \"x\";\n"	/* 5 */
	    "    schedule = \"sometimes\"; cost = 0; },\n"	/* 6 */
	    "  { name = \"a\"; type = \"rpc\"; peer = \"P\"; address = "
	    "\"y\"; }\n"					/* 7 */
	    ");\n"
	    "mail = ( { peer = \"Q\"; size = 99999; } );\n",	/* 9 */
	    "e.conf", &errs);
	ck_assert_ptr_null(mc);
	ck_assert_uint_eq(errs.n, 8);
	ck_assert_str_eq(errs.msgs[0], "e.conf:2: 'source' is \"cluster\" "
	    "but no 'cluster' address is given");
	ck_assert_str_eq(errs.msgs[1], "e.conf:3: unknown key 'colour' in "
	    "the configuration");
	ck_assert_str_eq(errs.msgs[2], "e.conf:6: 'schedule' must be "
	    "\"always\" or \"remote-initiated\", not \"sometimes\"");
	ck_assert_str_eq(errs.msgs[3], "e.conf:6: 'cost' must be 1-100, not 0");
	ck_assert_str_eq(errs.msgs[4], "e.conf:7: connector \"a\" is defined "
	    "twice");
	ck_assert_str_eq(errs.msgs[5], "e.conf:7: connector \"a\" is an RPC "
	    "site connector but there is no 'rpc' group");
	ck_assert_str_eq(errs.msgs[6], "e.conf:9: 'size' must be 0-16384, "
	    "not 99999");
	ck_assert_str_eq(errs.msgs[7], "e.conf:9: mail for \"Q\": no "
	    "connector has that peer");
	config_errors_clear(&errs);

	mc = conf_load_string("name = \"M\";\naddresses = ;", "s.conf", &errs);
	ck_assert_ptr_null(mc);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.msgs[0], "s.conf:2: syntax error");
	config_errors_clear(&errs);

	mc = conf_load_string("name = \"M\"; addresses = { node = \"::1\"; };\n"
	    "mail = ( { peer = \"Z\"; } );", "m.conf", &errs);
	ck_assert_ptr_null(mc);
	ck_assert_uint_eq(errs.n, 2);
	ck_assert_str_eq(errs.msgs[0], "m.conf:1: 'node' must be an IPv4 "
	    "address, not \"::1\"");
	ck_assert_str_eq(errs.msgs[1], "m.conf:2: mail for \"Z\": no "
	    "connector has that peer");
	config_errors_clear(&errs);
}
END_TEST

/* fwlab reads scenarios through this: groups, lists, arrays, scalars. */
START_TEST(test_scenario_json)
{
	char	 path[] = "/tmp/check_mtasim_conf.XXXXXX", err[256];
	json_t	*o, *v;
	FILE	*fp;
	int	 fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs("scenario = { kb = \"Q1\"; phases = 2; timeout = 1.5; };\n"
	    "firewalls = ( { name = \"fw\"; relays = ( { name = \"r\"; "
	    "strict = true; } ); } );\n"
	    "expect = ( { phase = 1; events = [ \"A:9301\", \"B:x\" ]; } );\n",
	    fp);
	fclose(fp);
	o = conf_file_json(path, err, sizeof(err));
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "scenario"), "kb")), "Q1");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o,
	    "scenario"), "phases")), 2);
	ck_assert(json_real_value(json_object_get(json_object_get(o,
	    "scenario"), "timeout")) == 1.5);
	v = json_array_get(json_object_get(json_array_get(json_object_get(o,
	    "firewalls"), 0), "relays"), 0);
	ck_assert(json_is_true(json_object_get(v, "strict")));
	v = json_object_get(json_array_get(json_object_get(o, "expect"), 0),
	    "events");
	ck_assert_uint_eq(json_array_size(v), 2);
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)), "A:9301");
	json_decref(o);

	fp = fopen(path, "w");
	fputs("a = 1;\nb = ;\n", fp);
	fclose(fp);
	ck_assert_ptr_null(conf_file_json(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, ":2: syntax error"));
	unlink(path);
	ck_assert_ptr_null(conf_file_json(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("mtasim_conf");
	TCase	*tc;

	tc = tcase_create("conf");
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_scenario_json);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { conf_suite, NULL, NULL };
