/*
 * Unit tests for src/policy.c: first match wins, default deny only when a
 * policy is present, from/to/port alone and combined, port range edges,
 * IPv4, IPv6 and mapped clients, copy and clear.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fwrelay.h"
#include "check_main.h"

Suite	*policy_suite(void);

static struct rule	 rules[16];
static struct policy	 pol;

static void
reset(int present)
{
	memset(rules, 0, sizeof(rules));
	memset(&pol, 0, sizeof(pol));
	pol.rules = rules;
	pol.present = present;
}

/*
 * Append a rule; from/to NULL for none, port "" for any, else "N" or
 * "LO-HI".
 */
static void
add(enum rule_action action, const char *from, const char *to,
    const char *port)
{
	struct rule	*r = &rules[pol.nrules];
	const char	*errstr = NULL;

	r->action = action;
	r->line = (int)pol.nrules + 1;
	if (from != NULL) {
		ck_assert_msg(cidr_parse(from, &r->from, &errstr) == 0, "%s",
		    errstr);
		r->has_from = 1;
	}
	if (to != NULL) {
		ck_assert_msg(cidr_parse(to, &r->to, &errstr) == 0, "%s",
		    errstr);
		r->has_to = 1;
	}
	if (*port != '\0')
		ck_assert_msg(port_range_parse(port, &r->port_lo, &r->port_hi,
		    &errstr) == 0, "%s", errstr);
	pol.nrules++;
}

/* An address from "a.b.c.d:port" or "[v6]:port". */
static struct sockaddr_storage
sa(const char *s)
{
	struct sockaddr_storage	 ss;
	const char		*errstr = NULL;

	ck_assert_msg(addr_parse(s, ADDR_PORT_REQUIRED, &ss, NULL, NULL, NULL,
	    &errstr) == 0, "%s: %s", s, errstr);
	return (ss);
}

static int
match(const char *src, const char *dst)
{
	struct sockaddr_storage	s = sa(src), d = sa(dst);

	return (policy_match(&pol, (struct sockaddr *)&s,
	    (struct sockaddr *)&d));
}

/* policy_decide(): 1 allow, 0 deny; also checks the rule it reports. */
static int
decide(const char *src, const char *dst, int want_rule)
{
	struct sockaddr_storage	s = sa(src), d = sa(dst);
	int			rule = -42, r;

	r = policy_decide(&pol, (struct sockaddr *)&s, (struct sockaddr *)&d,
	    &rule);
	ck_assert_int_eq(rule, want_rule);
	return (r);
}

START_TEST(test_first_match)
{
	reset(1);
	add(RULE_DENY, "192.0.2.66", NULL, "");
	add(RULE_ALLOW, "192.0.2.0/24", NULL, "");
	add(RULE_DENY, NULL, NULL, "");
	ck_assert_int_eq(match("192.0.2.66:4000", "127.0.0.1:102"), 0);
	ck_assert_int_eq(match("192.0.2.67:4000", "127.0.0.1:102"), 1);
	ck_assert_int_eq(match("198.51.100.1:4000", "127.0.0.1:102"), 2);
	ck_assert_int_eq(decide("192.0.2.66:4000", "127.0.0.1:102", 0), 0);
	ck_assert_int_eq(decide("192.0.2.67:4000", "127.0.0.1:102", 1), 1);
	ck_assert_int_eq(decide("198.51.100.1:4000", "127.0.0.1:102", 2), 0);

	/* The same rules in the other order give the other answer. */
	reset(1);
	add(RULE_ALLOW, "192.0.2.0/24", NULL, "");
	add(RULE_DENY, "192.0.2.66", NULL, "");
	ck_assert_int_eq(decide("192.0.2.66:4000", "127.0.0.1:102", 0), 1);
}
END_TEST

START_TEST(test_default)
{
	struct sockaddr_storage	s = sa("192.0.2.1:1"), d = sa("127.0.0.1:2");
	int			rule = 7;

	/* No policy at all: everything passes, no rule named. */
	reset(0);
	ck_assert_int_eq(match("192.0.2.1:1", "127.0.0.1:2"), -1);
	ck_assert_int_eq(decide("192.0.2.1:1", "127.0.0.1:2", -1), 1);
	/* A policy given, even empty: default deny. */
	reset(1);
	ck_assert_int_eq(decide("192.0.2.1:1", "127.0.0.1:2", -1), 0);
	add(RULE_ALLOW, "10.0.0.0/8", NULL, "");
	ck_assert_int_eq(decide("192.0.2.1:1", "127.0.0.1:2", -1), 0);
	ck_assert_int_eq(decide("10.1.2.3:1", "127.0.0.1:2", 0), 1);
	/* Rules present but not "present" (no policy key): allow when none match. */
	pol.present = 0;
	ck_assert_int_eq(decide("192.0.2.1:1", "127.0.0.1:2", -1), 1);

	/* NULL policy and NULL rule pointer are fine. */
	ck_assert_int_eq(policy_match(NULL, (struct sockaddr *)&s,
	    (struct sockaddr *)&d), -1);
	ck_assert_int_eq(policy_decide(NULL, (struct sockaddr *)&s,
	    (struct sockaddr *)&d, &rule), 1);
	ck_assert_int_eq(rule, -1);
	reset(1);
	ck_assert_int_eq(policy_decide(&pol, (struct sockaddr *)&s,
	    (struct sockaddr *)&d, NULL), 0);
}
END_TEST

START_TEST(test_empty_rule)
{
	reset(1);
	add(RULE_ALLOW, NULL, NULL, "");
	ck_assert_int_eq(decide("192.0.2.1:1", "127.0.0.1:2", 0), 1);
	ck_assert_int_eq(decide("[2001:db8::1]:1", "[::1]:2", 0), 1);
	ck_assert_int_eq(decide("[::ffff:192.0.2.1]:1", "[::1]:65535", 0), 1);
}
END_TEST

START_TEST(test_from)
{
	reset(1);
	add(RULE_ALLOW, "127.1.0.10", NULL, "");
	ck_assert_int_eq(decide("127.1.0.10:5000", "127.1.0.1:102", 0), 1);
	ck_assert_int_eq(decide("127.1.0.11:5000", "127.1.0.1:102", -1), 0);
	/* from is the client, never the destination. */
	ck_assert_int_eq(decide("127.1.0.1:5000", "127.1.0.10:102", -1), 0);
}
END_TEST

START_TEST(test_to)
{
	reset(1);
	add(RULE_ALLOW, NULL, "127.2.0.0/16", "");
	ck_assert_int_eq(decide("127.1.0.10:5000", "127.2.0.1:102", 0), 1);
	ck_assert_int_eq(decide("127.1.0.10:5000", "127.3.0.1:102", -1), 0);
	/* to is the destination, never the client. */
	ck_assert_int_eq(decide("127.2.0.1:5000", "127.3.0.1:102", -1), 0);
}
END_TEST

START_TEST(test_port)
{
	reset(1);
	add(RULE_ALLOW, NULL, NULL, "135");
	add(RULE_ALLOW, NULL, NULL, "1024-1100");
	ck_assert_int_eq(decide("127.0.0.1:135", "127.0.0.2:135", 0), 1);
	/* The client's port does not count. */
	ck_assert_int_eq(decide("127.0.0.1:135", "127.0.0.2:136", -1), 0);
	ck_assert_int_eq(decide("127.0.0.1:9", "127.0.0.2:134", -1), 0);
	/* Range edges. */
	ck_assert_int_eq(decide("127.0.0.1:9", "127.0.0.2:1023", -1), 0);
	ck_assert_int_eq(decide("127.0.0.1:9", "127.0.0.2:1024", 1), 1);
	ck_assert_int_eq(decide("127.0.0.1:9", "127.0.0.2:1059", 1), 1);
	ck_assert_int_eq(decide("127.0.0.1:9", "127.0.0.2:1100", 1), 1);
	ck_assert_int_eq(decide("127.0.0.1:9", "127.0.0.2:1101", -1), 0);

	reset(1);
	add(RULE_DENY, NULL, NULL, "1-65535");
	ck_assert_int_eq(decide("127.0.0.1:9", "127.0.0.2:1", 0), 0);
	ck_assert_int_eq(decide("127.0.0.1:9", "127.0.0.2:65535", 0), 0);

	/* No destination: a port rule cannot match, a plain one still does. */
	reset(1);
	add(RULE_DENY, NULL, NULL, "80");
	add(RULE_ALLOW, NULL, NULL, "");
	ck_assert_int_eq(policy_match(&pol, NULL, NULL), 1);
}
END_TEST

START_TEST(test_combined)
{
	/* Q251318: only the cluster IP may reach the remote MTA on 102. */
	reset(1);
	add(RULE_ALLOW, "127.1.0.100", "127.2.0.10", "102");
	ck_assert_int_eq(decide("127.1.0.100:4000", "127.2.0.10:102", 0), 1);
	ck_assert_int_eq(decide("127.1.0.11:4000", "127.2.0.10:102", -1), 0);
	ck_assert_int_eq(decide("127.1.0.100:4000", "127.2.0.11:102", -1), 0);
	ck_assert_int_eq(decide("127.1.0.100:4000", "127.2.0.10:103", -1), 0);

	/* Q191594: 135 and one RPC port, everything else reset. */
	reset(1);
	add(RULE_ALLOW, "192.0.2.0/24", "198.51.100.20", "135");
	add(RULE_ALLOW, "192.0.2.0/24", "198.51.100.20", "1059");
	add(RULE_DENY, NULL, NULL, "");
	ck_assert_int_eq(decide("192.0.2.10:3000", "198.51.100.20:135", 0), 1);
	ck_assert_int_eq(decide("192.0.2.10:3000", "198.51.100.20:1059", 1), 1);
	ck_assert_int_eq(decide("192.0.2.10:3000", "198.51.100.20:1060", 2), 0);
	ck_assert_int_eq(decide("198.51.100.9:3000", "198.51.100.20:135", 2), 0);
}
END_TEST

START_TEST(test_families)
{
	reset(1);
	add(RULE_ALLOW, "2001:db8::/32", NULL, "");
	add(RULE_ALLOW, "192.0.2.0/24", "127.0.0.0/8", "");
	ck_assert_int_eq(decide("[2001:db8::5]:1", "[::1]:80", 0), 1);
	ck_assert_int_eq(decide("[2001:db9::5]:1", "[::1]:80", -1), 0);
	/* A v4 rule never matches a v6 client, nor the reverse. */
	ck_assert_int_eq(decide("192.0.2.5:1", "[::1]:80", -1), 0);
	/* A mapped client and a mapped destination count as v4. */
	ck_assert_int_eq(decide("[::ffff:192.0.2.5]:1",
	    "[::ffff:127.0.0.1]:80", 1), 1);
	ck_assert_int_eq(decide("[::ffff:198.51.100.5]:1",
	    "[::ffff:127.0.0.1]:80", -1), 0);

	reset(1);
	add(RULE_DENY, "::/0", NULL, "");
	add(RULE_ALLOW, "0.0.0.0/0", NULL, "");
	ck_assert_int_eq(decide("[::1]:1", "[::1]:80", 0), 0);
	ck_assert_int_eq(decide("[::ffff:127.0.0.1]:1", "[::1]:80", 1), 1);

	/* Port rules read the mapped destination's port. */
	reset(1);
	add(RULE_ALLOW, NULL, NULL, "102");
	ck_assert_int_eq(decide("[::ffff:127.0.0.1]:1",
	    "[::ffff:127.0.0.1]:102", 0), 1);
}
END_TEST

START_TEST(test_copy)
{
	struct policy	copy;

	reset(1);
	add(RULE_ALLOW, "192.0.2.0/24", NULL, "102");
	add(RULE_DENY, NULL, NULL, "");
	rules[1].deny = DENY_DROP;
	ck_assert_int_eq(policy_copy(&copy, &pol), 0);
	ck_assert_ptr_ne(copy.rules, pol.rules);
	ck_assert_uint_eq(copy.nrules, 2);
	ck_assert_int_eq(copy.present, 1);
	ck_assert_int_eq(copy.rules[1].deny, DENY_DROP);
	ck_assert_int_eq(copy.rules[0].port_lo, 102);
	/* The copy decides alike and owns its rules. */
	rules[0].action = RULE_DENY;
	pol.nrules = 0;
	{
		struct sockaddr_storage	s = sa("192.0.2.1:1");
		struct sockaddr_storage	d = sa("127.0.0.1:102");
		int			rule;

		ck_assert_int_eq(policy_decide(&copy, (struct sockaddr *)&s,
		    (struct sockaddr *)&d, &rule), 1);
		ck_assert_int_eq(rule, 0);
	}
	policy_clear(&copy);
	ck_assert_ptr_null(copy.rules);
	ck_assert_uint_eq(copy.nrules, 0);
	ck_assert_int_eq(copy.present, 0);

	/* An empty present policy copies as present with no rules. */
	reset(1);
	ck_assert_int_eq(policy_copy(&copy, &pol), 0);
	ck_assert_ptr_null(copy.rules);
	ck_assert_int_eq(copy.present, 1);
	policy_clear(&copy);
}
END_TEST

Suite *
policy_suite(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("first_match", test_first_match);
	ADD("default", test_default);
	ADD("empty_rule", test_empty_rule);
	ADD("from", test_from);
	ADD("to", test_to);
	ADD("port", test_port);
	ADD("combined", test_combined);
	ADD("families", test_families);
	ADD("copy", test_copy);
#undef ADD
	return (s);
}

const struct check_unit check_unit = { policy_suite, NULL, NULL };
