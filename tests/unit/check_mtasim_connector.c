/*
 * Unit tests of src/mtasim/connector.c: the Exchange 5.5 connector rules
 * (inbound association matched by the caller's IP, then by the PTR name
 * against FQDN connectors, remote-initiated connectors accept but never
 * call, lowest cost wins) and the hex forms the 9301 events show. The
 * configurations are parsed by conf_load_string(), as mtasim reads them.
 */

#include <arpa/inet.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasim.h"
#include "check_main.h"

static struct mta_conf *
load(const char *text)
{
	struct config_errors	 errs = { NULL, 0 };
	struct mta_conf		*mc;
	size_t			 i;

	mc = conf_load_string(text, "test.conf", &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	ck_assert_ptr_nonnull(mc);
	config_errors_clear(&errs);
	return (mc);
}

static struct in_addr
ip(const char *s)
{
	struct in_addr	 a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return (a);
}

/* MTA-OUT of Q193380 and Q196381: an IP connector, an FQDN connector. */
static const char *two =
    "name = \"MTA-OUT\";\n"
    "addresses = { node = \"127.2.0.10\"; };\n"
    "x400 = { port = 10102; };\n"
    "connectors = (\n"
    "  { name = \"by-ip\"; peer = \"MTA-FW\"; address = \"127.2.0.1\"; },\n"
    "  { name = \"by-fqdn\"; peer = \"MTA-IN\";\n"
    "    address = \"MTA-IN.site1.example\"; }\n"
    ");\n"
    "hosts = ( { name = \"mta-in.site1.example\"; address = "
    "\"127.1.0.10\"; } );\n";

START_TEST(test_match_ip)
{
	struct mta_conf	*mc = load(two);
	struct match	 m;

	ck_assert_int_eq(connector_match(mc, CONNECTOR_X400, ip("127.2.0.1"),
	    &m), 0);
	ck_assert_int_eq(m.connector, 0);
	ck_assert_int_eq(m.how, MATCH_IP);
	ck_assert_int_eq(m.ptr_found, 0);
	conf_free(mc);
}
END_TEST

/* Q193380: no PTR record, so an FQDN connector cannot be found. */
START_TEST(test_no_ptr)
{
	struct mta_conf	*mc = load(two);
	struct match	 m;

	ck_assert_int_eq(connector_match(mc, CONNECTOR_X400, ip("127.1.0.10"),
	    &m), -1);
	ck_assert_int_eq(m.connector, -1);
	ck_assert_int_eq(m.how, MATCH_NONE);
	ck_assert_int_eq(m.ptr_found, 0);
	/* The forward record alone does not help. */
	ck_assert_ptr_null(connector_ptr(mc, ip("127.1.0.10")));
	conf_free(mc);
}
END_TEST

/* Q193380's fix: the PTR record names the connector's FQDN. */
START_TEST(test_match_ptr)
{
	char		 text[2048];
	struct mta_conf	*mc;
	struct match	 m;

	snprintf(text, sizeof(text), "%sptr = ( { address = \"127.1.0.10\"; "
	    "name = \"mta-in.SITE1.example\"; } );\n", two);
	mc = load(text);
	ck_assert_int_eq(connector_match(mc, CONNECTOR_X400, ip("127.1.0.10"),
	    &m), 1);
	ck_assert_int_eq(m.how, MATCH_PTR);
	ck_assert_int_eq(m.ptr_found, 1);
	ck_assert_str_eq(m.ptr_name, "mta-in.SITE1.example");
	conf_free(mc);
}
END_TEST

/* A PTR name that no connector has: found, but still no match. */
START_TEST(test_ptr_other_name)
{
	char		 text[2048];
	struct mta_conf	*mc;
	struct match	 m;

	snprintf(text, sizeof(text), "%sptr = ( { address = \"127.1.0.2\"; "
	    "name = \"proxy.site1.example\"; } );\n", two);
	mc = load(text);
	ck_assert_int_eq(connector_match(mc, CONNECTOR_X400, ip("127.1.0.2"),
	    &m), -1);
	ck_assert_int_eq(m.ptr_found, 1);
	ck_assert_str_eq(m.ptr_name, "proxy.site1.example");
	conf_free(mc);
}
END_TEST

/* An IP match never looks at PTR; an FQDN connector is not an IP one. */
START_TEST(test_ip_before_ptr)
{
	struct mta_conf	*mc;
	struct match	 m;

	mc = load("name = \"X\"; addresses = { node = \"127.0.0.5\"; };\n"
	    "connectors = (\n"
	    "  { name = \"fqdn\"; peer = \"A\"; address = \"a.example\"; },\n"
	    "  { name = \"ip\"; peer = \"A\"; address = \"127.0.0.9\"; }\n"
	    ");\n"
	    "ptr = ( { address = \"127.0.0.9\"; name = \"a.example\"; } );\n");
	ck_assert_int_eq(connector_match(mc, CONNECTOR_X400, ip("127.0.0.9"),
	    &m), 1);
	ck_assert_int_eq(m.how, MATCH_IP);
	ck_assert_int_eq(m.ptr_found, 0);
	conf_free(mc);
}
END_TEST

/*
 * Q196381's second workaround: a remote-initiated connector (cost 99) for
 * the outside MTA's own address. It matches inbound calls, but mail is
 * never sent by calling through it.
 */
START_TEST(test_remote_initiated)
{
	struct mta_conf	*mc;
	struct match	 m;

	mc = load("name = \"MTA-IN\"; addresses = { node = \"127.1.0.10\"; };\n"
	    "connectors = (\n"
	    "  { name = \"to-out\"; peer = \"MTA-OUT\"; "
	    "address = \"127.1.0.1\"; },\n"
	    "  { name = \"from-out\"; peer = \"MTA-OUT\"; "
	    "address = \"127.2.0.10\";\n"
	    "    schedule = \"remote-initiated\"; cost = 99; }\n"
	    ");\n");
	ck_assert_int_eq(connector_match(mc, CONNECTOR_X400, ip("127.2.0.10"),
	    &m), 1);
	ck_assert_int_eq(mc->connectors[1].schedule, SCHEDULE_REMOTE);
	ck_assert_int_eq(mc->connectors[1].cost, 99);
	ck_assert_int_eq(connector_for_peer(mc, CONNECTOR_X400, "MTA-OUT"), 0);
	ck_assert_int_eq(connector_by_peer(mc, CONNECTOR_X400, "MTA-OUT"), 0);
	ck_assert_int_eq(connector_for_peer(mc, CONNECTOR_X400, "MTA-X"), -1);
	conf_free(mc);

	/* With only the remote-initiated one, nothing may call out. */
	mc = load("name = \"MTA-IN\"; addresses = { node = \"127.1.0.10\"; };\n"
	    "connectors = ( { name = \"from-out\"; peer = \"MTA-OUT\"; "
	    "address = \"127.2.0.10\";\n"
	    "  schedule = \"remote-initiated\"; } );\n");
	ck_assert_int_eq(connector_for_peer(mc, CONNECTOR_X400, "MTA-OUT"), -1);
	ck_assert_int_eq(connector_by_peer(mc, CONNECTOR_X400, "MTA-OUT"), 0);
	ck_assert_int_eq(connector_match(mc, CONNECTOR_X400, ip("127.2.0.10"),
	    &m), 0);
	conf_free(mc);
}
END_TEST

/* Several connectors for one address: the lowest cost; RPC apart. */
START_TEST(test_cost_and_type)
{
	struct mta_conf	*mc;
	struct match	 m;

	mc = load("name = \"A\"; addresses = { node = \"127.0.0.5\"; };\n"
	    "rpc = { };\n"
	    "connectors = (\n"
	    "  { name = \"c5\"; peer = \"B\"; address = \"127.0.0.9\"; "
	    "cost = 5; },\n"
	    "  { name = \"site\"; type = \"rpc\"; peer = \"B\"; "
	    "address = \"127.0.0.9\"; cost = 1; },\n"
	    "  { name = \"c2\"; peer = \"B\"; address = \"127.0.0.9\"; "
	    "cost = 2; },\n"
	    "  { name = \"c2b\"; peer = \"B\"; address = \"127.0.0.9\"; "
	    "cost = 2; }\n"
	    ");\n");
	ck_assert_int_eq(connector_match(mc, CONNECTOR_X400, ip("127.0.0.9"),
	    &m), 2);
	ck_assert_int_eq(connector_match(mc, CONNECTOR_RPC, ip("127.0.0.9"),
	    &m), 1);
	ck_assert_int_eq(connector_for_peer(mc, CONNECTOR_X400, "B"), 2);
	ck_assert_int_eq(connector_for_peer(mc, CONNECTOR_RPC, "B"), 1);
	ck_assert_int_eq(mc->connectors[1].port, 135);	/* EPM default */
	ck_assert_int_eq(mc->connectors[0].port, 102);
	conf_free(mc);
}
END_TEST

START_TEST(test_resolve)
{
	struct mta_conf	*mc = load(two);
	struct in_addr	 a;

	ck_assert_int_eq(connector_resolve(mc, "127.9.9.9", &a), 0);
	ck_assert_uint_eq(a.s_addr, ip("127.9.9.9").s_addr);
	ck_assert_int_eq(connector_resolve(mc, "MTA-IN.site1.EXAMPLE", &a), 0);
	ck_assert_uint_eq(a.s_addr, ip("127.1.0.10").s_addr);
	ck_assert_int_eq(connector_resolve(mc, "mta-in", &a), -1);
	conf_free(mc);
}
END_TEST

/* The address forms of the KB's 9301 events. */
START_TEST(test_hex)
{
	char	 buf[64];

	ck_assert_str_eq(connector_hex_addr(ip("127.1.0.2"), buf, sizeof(buf)),
	    "7F010002");
	ck_assert_str_eq(connector_hex_addr(ip("127.1.0.10"), buf,
	    sizeof(buf)), "7F01000A");
	/* Q193380: "91F5C11B, which represents 145.245.193.27". */
	ck_assert_str_eq(connector_hex_addr(ip("145.245.193.27"), buf,
	    sizeof(buf)), "91F5C11B");
	/* Q193380's second 9301: "52656d6f74654d5441". */
	ck_assert_str_eq(connector_hex_text("RemoteMTA", 9, buf, sizeof(buf)),
	    "52656d6f74654d5441");
	ck_assert_str_eq(connector_hex_text("", 0, buf, sizeof(buf)), "");
	/* Truncated to whole bytes. */
	ck_assert_str_eq(connector_hex_text("abc", 3, buf, 6), "6162");
}
END_TEST

static Suite *
connector_suite(void)
{
	Suite	*s = suite_create("mtasim_connector");
	TCase	*tc;

	tc = tcase_create("match");
	tcase_add_test(tc, test_match_ip);
	tcase_add_test(tc, test_no_ptr);
	tcase_add_test(tc, test_match_ptr);
	tcase_add_test(tc, test_ptr_other_name);
	tcase_add_test(tc, test_ip_before_ptr);
	tcase_add_test(tc, test_remote_initiated);
	tcase_add_test(tc, test_cost_and_type);
	tcase_add_test(tc, test_resolve);
	suite_add_tcase(s, tc);

	tc = tcase_create("hex");
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { connector_suite, NULL, NULL };
