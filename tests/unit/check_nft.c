/*
 * Unit tests of nft.c's ruleset: what the turnkey interception writes into
 * the instance's nftables table for each kind of listener, and when it
 * writes nothing. The rules are matched as nft(8) takes them; the netns
 * tests show the kernel accepts and acts on them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fwrelay.h"
#include "check_main.h"

Suite	*nft_suite(void);

/* The ruleset of a configuration text made of relays (mark 0x2774). */
static char *
ruleset(const char *relays, int mark, int *nrules)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	char			*text, *out;
	size_t			 i;

	if (asprintf(&text, "event_log = \"-\";\nrelays = ( %s );\n",
	    relays) == -1)
		ck_abort();
	conf = config_load_string(text, "t.conf", &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	ck_assert_ptr_nonnull(conf);
	out = nft_ruleset(conf, "fwrelay_t", mark, nrules);
	config_free(conf);
	config_errors_clear(&errs);
	free(text);
	return (out);
}

static const char *mark_rule = "\t\tmeta l4proto tcp socket transparent 1 "
    "meta mark set 0x2774 accept comment \"replies to transparent "
    "sockets\"\n";

START_TEST(test_tproxy_two_interfaces)
{
	char	*t;
	int	 n;

	t = ruleset("{ name = \"tun\"; listen = \"192.0.2.1:10102\"; "
	    "intercept = true; target = \"original\"; "
	    "intercept_interfaces = [ \"fw-s1\", \"fw-s3\" ]; "
	    "intercept_ports = ( 102, \"135\", \"49152-65535\" ); }", 0x2774,
	    &n);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(n, 2);
	ck_assert(strncmp(t, "table inet fwrelay_t\ndelete table inet "
	    "fwrelay_t\ntable inet fwrelay_t {\n\tchain prerouting {\n", 80)
	    == 0);
	ck_assert_ptr_nonnull(strstr(t, mark_rule));
	ck_assert_ptr_nonnull(strstr(t, "\t\tiifname { \"fw-s1\", \"fw-s3\" } "
	    "meta nfproto ipv4 tcp dport { 102, 135, 49152-65535 } fib daddr "
	    "type != local tproxy ip to 192.0.2.1:10102 meta mark set 0x2774 "
	    "accept comment \"relay tun intercept\"\n"));
	ck_assert_ptr_null(strstr(t, "ipv6"));
	ck_assert_ptr_null(strstr(t, "chain input"));
	free(t);
}
END_TEST

/* Without intercept_ports the listen port is diverted to itself. */
START_TEST(test_tproxy_wildcard)
{
	char	*t;
	int	 n;

	t = ruleset("{ name = \"w\"; listen = \"0.0.0.0:102\"; "
	    "intercept = true; target = \"original\"; "
	    "intercept_interfaces = [ \"eth1\" ]; }", 0x2774, &n);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(strstr(t, "\t\tiifname \"eth1\" meta nfproto "
	    "ipv4 tcp dport 102 fib daddr type != local tproxy ip to :102 "
	    "meta mark set 0x2774 accept"));
	free(t);
	/* [::] takes both families. */
	t = ruleset("{ name = \"w6\"; listen = \"[::]:102\"; "
	    "intercept = true; target = \"original\"; "
	    "intercept_interfaces = [ \"eth1\" ]; }", 0x2774, &n);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(n, 2);
	ck_assert_ptr_nonnull(strstr(t, "meta nfproto ipv4 tcp dport 102 fib "
	    "daddr type != local tproxy ip to :102 "));
	ck_assert_ptr_nonnull(strstr(t, "meta nfproto ipv6 tcp dport 102 fib "
	    "daddr type != local tproxy ip6 to :102 "));
	free(t);
}
END_TEST

/* A listen range keeps each diverted port; one address of IPv6. */
START_TEST(test_tproxy_range_v6)
{
	char	*t;
	int	 n;

	t = ruleset("{ name = \"r\"; listen = \"192.0.2.1:5000-5010\"; "
	    "intercept = true; target = \"original\"; "
	    "intercept_interfaces = [ \"eth1\" ]; }", 0x2774, &n);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(strstr(t, "tcp dport 5000-5010 fib daddr type "
	    "!= local tproxy ip to 192.0.2.1 meta mark set 0x2774 accept"));
	free(t);
	t = ruleset("{ name = \"wr\"; listen = \"0.0.0.0:5000-5010\"; "
	    "intercept = true; target = \"original\"; "
	    "intercept_interfaces = [ \"eth1\" ]; }", 0x2774, &n);
	ck_assert_ptr_nonnull(strstr(t, "tproxy ip to 0.0.0.0 meta mark"));
	free(t);
	t = ruleset("{ name = \"six\"; listen = \"[::1]:10102\"; "
	    "intercept = true; target = \"original\"; "
	    "intercept_interfaces = [ \"eth1\" ]; intercept_ports = [ 102 ]; "
	    "}", 0x2774, &n);
	ck_assert_ptr_nonnull(strstr(t, "iifname \"eth1\" meta nfproto ipv6 "
	    "tcp dport 102 fib daddr type != local tproxy ip6 to [::1]:10102 "
	    "meta mark set 0x2774 accept"));
	ck_assert_ptr_null(strstr(t, "nfproto ipv4"));
	free(t);
}
END_TEST

/*
 * A transparent relay needs only the socket mark; with mark 0
 * (kernel_setup = false or nothing that needs it) there is no table.
 */
START_TEST(test_mark_only_and_none)
{
	const char	*r = "{ name = \"tr\"; listen = \"192.0.2.1:10102\"; "
	    "target = \"198.51.100.20:102\"; source = \"transparent\"; }";
	char		*t;
	int		 n;

	t = ruleset(r, 0x2774, &n);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_nonnull(strstr(t, mark_rule));
	ck_assert_ptr_null(strstr(t, "tproxy"));
	free(t);
	ck_assert_ptr_null(ruleset(r, 0, &n));
	ck_assert_int_eq(n, 0);
}
END_TEST

/*
 * nft_rules adds the input chain after the prerouting one; with
 * intercept_interfaces its rules and the default deny are the relay's.
 */
START_TEST(test_with_nft_rules)
{
	char	*t, *pre, *in;
	int	 n;

	t = ruleset("{ name = \"f\"; listen = \"192.0.2.1:10102\"; "
	    "intercept = true; target = \"original\"; nft_rules = true; "
	    "intercept_interfaces = [ \"fw-s1\" ]; "
	    "intercept_ports = [ \"102-104\" ]; "
	    "policy = ( { action = \"allow\"; port = 102; }, "
	    "{ action = \"deny\"; port = 103; deny = \"drop\"; } ); }",
	    0x2774, &n);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(n, 4);
	pre = strstr(t, "chain prerouting");
	in = strstr(t, "chain input");
	ck_assert(pre != NULL && in != NULL && pre < in);
	ck_assert_ptr_nonnull(strstr(t, "tcp dport 102-104 fib daddr type != "
	    "local tproxy ip to 192.0.2.1:10102"));
	/* Scoped to the relay's own connections, default deny last. */
	ck_assert_ptr_nonnull(strstr(t, "\t\ttcp flags & (syn | ack) == syn "
	    "fib daddr type != local iifname \"fw-s1\" tcp dport 102-104 "
	    "tcp dport 103 drop comment \"relay f rule 1 line 2\"\n"
	    "\t\ttcp flags & (syn | ack) == syn fib daddr type != local "
	    "iifname \"fw-s1\" tcp dport 102-104 reject with tcp reset "
	    "comment \"relay f default deny\"\n\t}\n}\n"));
	free(t);
	/* Without the turnkey part: the input chain alone. */
	t = ruleset("{ name = \"f\"; listen = \"192.0.2.1:10102\"; "
	    "intercept = true; target = \"original\"; nft_rules = true; "
	    "policy = ( { action = \"deny\"; port = 103; deny = \"drop\"; } ); "
	    "}", 0, &n);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_null(strstr(t, "prerouting"));
	ck_assert_ptr_null(strstr(t, "default deny"));
	free(t);
}
END_TEST

Suite *
nft_suite(void)
{
	Suite	*s = suite_create("nft");
	TCase	*tc = tcase_create("ruleset");

	tcase_add_test(tc, test_tproxy_two_interfaces);
	tcase_add_test(tc, test_tproxy_wildcard);
	tcase_add_test(tc, test_tproxy_range_v6);
	tcase_add_test(tc, test_mark_only_and_none);
	tcase_add_test(tc, test_with_nft_rules);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { nft_suite, NULL, NULL };
