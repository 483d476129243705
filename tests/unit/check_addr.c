/*
 * Unit tests for src/addr.c: address and port parsing with every malformed
 * form and its message, printing, comparison, IPv4-mapped addresses and
 * CIDR matching. util.c is small and has no suite of its own: its errno
 * names and timeval conversions are tested at the end.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fwrelay.h"
#include "check_main.h"

Suite	*addr_suite(void);

/* Parse s that must succeed; returns the port range through lo, hi. */
static void
parse_ok(const char *s, int flags, struct sockaddr_storage *ss, int *lo,
    int *hi)
{
	const char	*errstr = NULL;
	socklen_t	 len = 0;
	int		 r;

	r = addr_parse(s, flags, ss, &len, lo, hi, &errstr);
	ck_assert_msg(r == 0, "'%s' failed: %s", s, errstr ? errstr : "?");
	ck_assert_uint_eq(len, addr_len((struct sockaddr *)ss));
}

/* Parse s that must fail with exactly msg. */
static void
parse_fails(const char *s, int flags, const char *msg)
{
	struct sockaddr_storage	 ss;
	const char		*errstr = NULL;
	int			 lo, hi;

	ck_assert_msg(addr_parse(s, flags, &ss, NULL, &lo, &hi, &errstr) == -1,
	    "'%s' was accepted", s);
	ck_assert_ptr_nonnull(errstr);
	ck_assert_msg(strcmp(errstr, msg) == 0, "'%s': got \"%s\", want "
	    "\"%s\"", s, errstr, msg);
}

static const char *
str(const struct sockaddr_storage *ss)
{
	static char	buf[ADDR_STRLEN];

	return (addr_str((const struct sockaddr *)ss, buf, sizeof(buf)));
}

static void
sin4(struct sockaddr_storage *ss, const char *a, int port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, a, &sin->sin_addr), 1);
	sin->sin_port = htons((uint16_t)port);
}

static void
sin6(struct sockaddr_storage *ss, const char *a, int port)
{
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s6->sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, a, &s6->sin6_addr), 1);
	s6->sin6_port = htons((uint16_t)port);
}

static struct cidr
cidr(const char *s)
{
	struct cidr	 c;
	const char	*errstr = NULL;

	ck_assert_msg(cidr_parse(s, &c, &errstr) == 0, "'%s': %s", s,
	    errstr ? errstr : "?");
	return (c);
}

static int
match4(const char *net, const char *a)
{
	struct sockaddr_storage	ss;
	struct cidr		c = cidr(net);

	sin4(&ss, a, 1);
	return (cidr_match(&c, (struct sockaddr *)&ss));
}

static int
match6(const char *net, const char *a)
{
	struct sockaddr_storage	ss;
	struct cidr		c = cidr(net);

	sin6(&ss, a, 1);
	return (cidr_match(&c, (struct sockaddr *)&ss));
}

START_TEST(test_ipv4)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	int			 lo, hi;

	parse_ok("127.0.0.1:80", ADDR_PORT_REQUIRED, &ss, &lo, &hi);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	ck_assert_int_eq(ntohs(sin->sin_port), 80);
	ck_assert_int_eq(lo, 80);
	ck_assert_int_eq(hi, 80);

	parse_ok("0.0.0.0:1", ADDR_PORT_REQUIRED, &ss, &lo, &hi);
	ck_assert_str_eq(str(&ss), "0.0.0.0:1");
	parse_ok("255.255.255.255:65535", ADDR_PORT_REQUIRED, &ss, &lo, &hi);
	ck_assert_str_eq(str(&ss), "255.255.255.255:65535");

	/* No port where it is optional or forbidden: port 0, lo = hi = 0. */
	parse_ok("192.0.2.1", ADDR_PORT_OPTIONAL, &ss, &lo, &hi);
	ck_assert_str_eq(str(&ss), "192.0.2.1:0");
	ck_assert_int_eq(lo, 0);
	ck_assert_int_eq(hi, 0);
	parse_ok("192.0.2.1:102", ADDR_PORT_OPTIONAL, &ss, &lo, &hi);
	ck_assert_int_eq(lo, 102);
	parse_ok("198.51.100.7", ADDR_NO_PORT, &ss, &lo, &hi);
	ck_assert_str_eq(str(&ss), "198.51.100.7:0");

	/* Output pointers are optional. */
	ck_assert_int_eq(addr_parse("127.0.0.1:5", ADDR_PORT_REQUIRED, NULL,
	    NULL, NULL, NULL, NULL), 0);
}
END_TEST

START_TEST(test_ipv6)
{
	struct sockaddr_storage	 ss;
	int			 lo, hi;

	parse_ok("[::1]:443", ADDR_PORT_REQUIRED, &ss, &lo, &hi);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_int_eq(lo, 443);
	ck_assert_str_eq(str(&ss), "[::1]:443");
	ck_assert_uint_eq(addr_len((struct sockaddr *)&ss),
	    sizeof(struct sockaddr_in6));

	parse_ok("[2001:db8::10]:1", ADDR_PORT_REQUIRED, &ss, &lo, &hi);
	ck_assert_str_eq(str(&ss), "[2001:db8::10]:1");

	/* Bare v6 carries no port; brackets without a port neither. */
	parse_ok("2001:db8::1", ADDR_PORT_OPTIONAL, &ss, &lo, &hi);
	ck_assert_str_eq(str(&ss), "[2001:db8::1]:0");
	ck_assert_int_eq(lo, 0);
	parse_ok("[::1]", ADDR_PORT_OPTIONAL, &ss, &lo, &hi);
	ck_assert_str_eq(str(&ss), "[::1]:0");
	parse_ok("::", ADDR_NO_PORT, &ss, &lo, &hi);
	ck_assert_str_eq(str(&ss), "[::]:0");
	parse_ok("::ffff:127.0.0.1", ADDR_NO_PORT, &ss, &lo, &hi);
	ck_assert_int_eq(ss.ss_family, AF_INET6);

	parse_fails("::1", ADDR_PORT_REQUIRED,
	    "missing port (write an IPv6 address as [v6]:port)");
	parse_fails("[::1]", ADDR_PORT_REQUIRED, "missing port");
}
END_TEST

START_TEST(test_ports)
{
	struct sockaddr_storage	ss;
	int			lo, hi;

	parse_ok("127.0.0.1:1", ADDR_PORT_REQUIRED, &ss, &lo, &hi);
	ck_assert_int_eq(lo, 1);
	parse_ok("127.0.0.1:65535", ADDR_PORT_REQUIRED, &ss, &lo, &hi);
	ck_assert_int_eq(lo, 65535);
	parse_fails("127.0.0.1:0", ADDR_PORT_REQUIRED,
	    "port 0 out of range 1-65535");
	parse_fails("127.0.0.1:65536", ADDR_PORT_REQUIRED,
	    "port 65536 out of range 1-65535");
	parse_fails("[::1]:70000", ADDR_PORT_REQUIRED,
	    "port 70000 out of range 1-65535");
	parse_fails("127.0.0.1:99999999999999999999999",
	    ADDR_PORT_REQUIRED, "port 99999999999999999999 out of range 1-65535");
	parse_fails("127.0.0.1:http", ADDR_PORT_REQUIRED,
	    "port is not a number");
	parse_fails("127.0.0.1:+80", ADDR_PORT_REQUIRED,
	    "port is not a number");
	parse_fails("127.0.0.1:", ADDR_PORT_REQUIRED, "missing port");
	parse_fails("[::1]:", ADDR_PORT_REQUIRED, "missing port");
	parse_fails("127.0.0.1:80", ADDR_NO_PORT, "a port is not allowed here");
	parse_fails("[::1]:80", ADDR_NO_PORT, "a port is not allowed here");
}
END_TEST

START_TEST(test_ranges)
{
	struct sockaddr_storage	 ss;
	const char		*errstr;
	int			 lo, hi;

	parse_ok("127.0.0.1:10100-10199", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE,
	    &ss, &lo, &hi);
	ck_assert_int_eq(lo, 10100);
	ck_assert_int_eq(hi, 10199);
	ck_assert_int_eq(addr_port((struct sockaddr *)&ss), 10100);
	parse_ok("[::1]:1-65535", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE, &ss,
	    &lo, &hi);
	ck_assert_int_eq(lo, 1);
	ck_assert_int_eq(hi, 65535);
	parse_ok("127.0.0.1:7-7", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE, &ss,
	    &lo, &hi);
	ck_assert_int_eq(lo, 7);
	ck_assert_int_eq(hi, 7);
	parse_ok("127.0.0.1:80", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE, &ss,
	    &lo, &hi);
	ck_assert_int_eq(hi, 80);

	parse_fails("127.0.0.1:10-20", ADDR_PORT_REQUIRED,
	    "a port range is not allowed here");
	parse_fails("127.0.0.1:20-10", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE,
	    "port range 20-10 ends before it starts");
	parse_fails("127.0.0.1:0-10", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE,
	    "port 0 out of range 1-65535");
	parse_fails("127.0.0.1:10-65536", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE,
	    "port 65536 out of range 1-65535");
	parse_fails("127.0.0.1:10-", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE,
	    "missing port");
	parse_fails("127.0.0.1:-10", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE,
	    "missing port");
	parse_fails("127.0.0.1:1-2-3", ADDR_PORT_REQUIRED | ADDR_PORT_RANGE,
	    "port is not a number");

	/* port_range_parse() alone. */
	ck_assert_int_eq(port_range_parse("102", &lo, &hi, &errstr), 0);
	ck_assert_int_eq(lo, 102);
	ck_assert_int_eq(hi, 102);
	ck_assert_int_eq(port_range_parse("1024-2047", &lo, &hi, &errstr), 0);
	ck_assert_int_eq(lo, 1024);
	ck_assert_int_eq(hi, 2047);
	ck_assert_int_eq(port_range_parse("", &lo, &hi, &errstr), -1);
	ck_assert_str_eq(errstr, "missing port");
	ck_assert_int_eq(port_range_parse("9-8", &lo, &hi, &errstr), -1);
	ck_assert_str_eq(errstr, "port range 9-8 ends before it starts");
	ck_assert_int_eq(port_range_parse(" 80", &lo, &hi, &errstr), -1);
	ck_assert_str_eq(errstr, "port is not a number");
}
END_TEST

START_TEST(test_malformed)
{
	static const struct {
		const char	*in;
		const char	*msg;
	} bad[] = {
		{ "",			"empty address" },
		{ "127.0.0.1",		"missing port" },
		{ "1.2.3",		"not a valid IPv4 address" },
		{ "1.2.3:80",		"not a valid IPv4 address" },
		{ "1.2.3.4.5:80",	"not a valid IPv4 address" },
		{ "256.1.1.1:80",	"not a valid IPv4 address" },
		{ "[::1",		"missing ']'" },
		{ "[::1:80",		"missing ']'" },
		{ ":80",		"missing address" },
		{ "[]:80",		"missing address" },
		{ "127.0.0.1:80x",	"port is not a number" },
		{ "127.0.0.1:80 ",	"port is not a number" },
		{ "[::1]:80:",		"port is not a number" },
		{ "[::1]x",		"unexpected characters after ']'" },
		{ "[::1]80",		"unexpected characters after ']'" },
		{ "[127.0.0.1]:80",	"only IPv6 addresses go inside [ ]" },
		{ "localhost:80",	"not a numeric address (host names are "
					"not resolved)" },
		{ "1.2.3.4 :80",	"unexpected character in address" },
		{ "1.2.3.4/24:80",	"unexpected character in address" },
		{ "::1::2",		"not a valid IPv6 address" },
		{ "fe80::1%lo",		"not a valid IPv6 address" },
		{ "[::g]:80",		"not a valid IPv6 address" },
	};
	char	long_in[300];
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_fails(bad[i].in, ADDR_PORT_REQUIRED, bad[i].msg);
	parse_fails(NULL, ADDR_PORT_OPTIONAL, "empty address");
	memset(long_in, '1', sizeof(long_in) - 1);
	long_in[sizeof(long_in) - 1] = '\0';
	parse_fails(long_in, ADDR_PORT_OPTIONAL, "address too long");
}
END_TEST

START_TEST(test_format)
{
	struct sockaddr_storage	ss;
	char			buf[ADDR_STRLEN], small[8];

	sin4(&ss, "192.0.2.10", 102);
	ck_assert_str_eq(addr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
	    "192.0.2.10:102");
	ck_assert_str_eq(addr_host_str((struct sockaddr *)&ss, buf,
	    sizeof(buf)), "192.0.2.10");
	sin4(&ss, "0.0.0.0", 0);
	ck_assert_str_eq(addr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
	    "0.0.0.0:0");
	sin6(&ss, "2001:db8::1", 135);
	ck_assert_str_eq(addr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
	    "[2001:db8::1]:135");
	ck_assert_str_eq(addr_host_str((struct sockaddr *)&ss, buf,
	    sizeof(buf)), "2001:db8::1");
	sin6(&ss, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	ck_assert_str_eq(addr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	ck_assert_str_eq(addr_str(NULL, buf, sizeof(buf)), "(none)");
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	ck_assert_str_eq(addr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
	    "(family 0)");
	/* Truncation keeps a terminated string. */
	sin4(&ss, "192.0.2.10", 102);
	addr_str((struct sockaddr *)&ss, small, sizeof(small));
	ck_assert_str_eq(small, "192.0.2");
}
END_TEST

START_TEST(test_compare)
{
	struct sockaddr_storage	a, b;

	sin4(&a, "127.0.0.1", 80);
	sin4(&b, "127.0.0.1", 80);
	ck_assert(addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	addr_set_port((struct sockaddr *)&b, 81);
	ck_assert_int_eq(addr_port((struct sockaddr *)&b), 81);
	ck_assert(!addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	sin4(&b, "127.0.0.2", 80);
	ck_assert(!addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	/* A mapped address is not equal to its v4 form until unmapped. */
	sin6(&b, "::ffff:127.0.0.1", 80);
	ck_assert(!addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	addr_unmap(&b);
	ck_assert(addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	sin6(&a, "::1", 5);
	sin6(&b, "::1", 5);
	ck_assert(addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	ck_assert(!addr_equal((struct sockaddr *)&a, NULL));
	ck_assert_int_eq(addr_port(NULL), 0);
	ck_assert_uint_eq(addr_len(NULL), 0);
}
END_TEST

START_TEST(test_unmap)
{
	struct sockaddr_storage	ss;

	sin6(&ss, "::ffff:192.0.2.10", 4321);
	addr_unmap(&ss);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_str_eq(str(&ss), "192.0.2.10:4321");
	/* Idempotent, and plain v6 stays v6. */
	addr_unmap(&ss);
	ck_assert_str_eq(str(&ss), "192.0.2.10:4321");
	sin6(&ss, "2001:db8::ffff:c000:20a", 1);
	addr_unmap(&ss);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	/* v4-compatible (::a.b.c.d) is not v4-mapped. */
	sin6(&ss, "::192.0.2.10", 1);
	addr_unmap(&ss);
	ck_assert_int_eq(ss.ss_family, AF_INET6);

	sin4(&ss, "127.0.0.1", 1);
	ck_assert(addr_is_loopback((struct sockaddr *)&ss));
	sin4(&ss, "127.255.1.2", 1);
	ck_assert(addr_is_loopback((struct sockaddr *)&ss));
	sin4(&ss, "128.0.0.1", 1);
	ck_assert(!addr_is_loopback((struct sockaddr *)&ss));
	sin4(&ss, "0.0.0.0", 1);
	ck_assert(!addr_is_loopback((struct sockaddr *)&ss));
	sin6(&ss, "::1", 1);
	ck_assert(addr_is_loopback((struct sockaddr *)&ss));
	sin6(&ss, "::", 1);
	ck_assert(!addr_is_loopback((struct sockaddr *)&ss));
	sin6(&ss, "::ffff:127.0.0.2", 1);
	ck_assert(addr_is_loopback((struct sockaddr *)&ss));
	sin6(&ss, "::ffff:10.0.0.1", 1);
	ck_assert(!addr_is_loopback((struct sockaddr *)&ss));
}
END_TEST

START_TEST(test_cidr_parse)
{
	static const struct {
		const char	*in;
		const char	*msg;
	} bad[] = {
		{ "",			"empty address" },
		{ "10.0.0.1/8",		"host bits set beyond the prefix length" },
		{ "10.64.0.0/9",	"host bits set beyond the prefix length" },
		{ "0.0.0.1/0",		"host bits set beyond the prefix length" },
		{ "2001:db8::1/64",	"host bits set beyond the prefix length" },
		{ "10.0.0.0/33",	"prefix length out of range 0-32" },
		{ "::/129",		"prefix length out of range 0-128" },
		{ "10.0.0.0/99999999",	"prefix length out of range 0-32" },
		{ "10.0.0.0/",		"missing prefix length after '/'" },
		{ "10.0.0.0/8x",	"prefix length is not a number" },
		{ "10.0.0.0/-1",	"prefix length is not a number" },
		{ "10.0.0/8",		"not a valid IPv4 address" },
		{ "/8",			"missing address" },
		{ "net/8",		"not a numeric address (host names are "
					"not resolved)" },
	};
	struct cidr	 c;
	const char	*errstr;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errstr = NULL;
		ck_assert_msg(cidr_parse(bad[i].in, &c, &errstr) == -1,
		    "'%s' accepted", bad[i].in);
		ck_assert_msg(errstr != NULL && strcmp(errstr, bad[i].msg) == 0,
		    "'%s': got \"%s\"", bad[i].in, errstr ? errstr : "(null)");
	}

	c = cidr("10.0.0.0/8");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_int_eq(c.prefix, 8);
	c = cidr("192.0.2.7");
	ck_assert_int_eq(c.prefix, 32);
	c = cidr("::1");
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_int_eq(c.prefix, 128);
	c = cidr("0.0.0.0/0");
	ck_assert_int_eq(c.prefix, 0);
	c = cidr("::/0");
	ck_assert_int_eq(c.prefix, 0);
	/* A mapped network becomes its v4 form. */
	c = cidr("::ffff:10.0.0.0/104");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_int_eq(c.prefix, 8);
	ck_assert_int_eq(c.addr[0], 10);
	c = cidr("::ffff:192.0.2.1");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_int_eq(c.prefix, 32);
}
END_TEST

START_TEST(test_cidr_match)
{
	struct sockaddr_storage	ss;
	struct cidr		c;

	/* /0 takes every address of its own family and no other. */
	ck_assert(match4("0.0.0.0/0", "192.0.2.1"));
	ck_assert(match4("0.0.0.0/0", "255.255.255.255"));
	ck_assert(!match6("0.0.0.0/0", "::1"));
	ck_assert(match6("::/0", "2001:db8::1"));
	ck_assert(!match4("::/0", "192.0.2.1"));

	/* /32 and /128 are exact. */
	ck_assert(match4("192.0.2.1/32", "192.0.2.1"));
	ck_assert(!match4("192.0.2.1/32", "192.0.2.2"));
	ck_assert(match4("192.0.2.1", "192.0.2.1"));
	ck_assert(match6("2001:db8::1/128", "2001:db8::1"));
	ck_assert(!match6("2001:db8::1/128", "2001:db8::2"));

	/* Edges of a prefix that does not end on a byte. */
	ck_assert(match4("10.0.0.0/9", "10.0.0.0"));
	ck_assert(match4("10.0.0.0/9", "10.127.255.255"));
	ck_assert(!match4("10.0.0.0/9", "10.128.0.0"));
	ck_assert(!match4("10.0.0.0/9", "9.255.255.255"));
	ck_assert(match4("192.0.2.0/31", "192.0.2.1"));
	ck_assert(!match4("192.0.2.0/31", "192.0.2.2"));
	ck_assert(match6("2001:db8::/33", "2001:db8:7fff::1"));
	ck_assert(!match6("2001:db8::/33", "2001:db8:8000::1"));
	ck_assert(match6("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff"));
	ck_assert(!match6("2001:db8::/64", "2001:db8:0:1::"));

	/* A v4 client seen on a dual-stack socket matches v4 rules only. */
	ck_assert(match6("192.0.2.0/24", "::ffff:192.0.2.77"));
	ck_assert(!match6("192.0.2.0/24", "::ffff:198.51.100.1"));
	ck_assert(!match6("::/0", "::ffff:192.0.2.77"));
	ck_assert(match6("::ffff:192.0.2.0/120", "::ffff:192.0.2.9"));
	ck_assert(match4("::ffff:192.0.2.0/120", "192.0.2.9"));

	c = cidr("0.0.0.0/0");
	ck_assert(!cidr_match(&c, NULL));
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	ck_assert(!cidr_match(&c, (struct sockaddr *)&ss));
}
END_TEST

START_TEST(test_util)
{
	static const struct {
		int		 num;
		const char	*name;
	} names[] = {
		{ ECONNREFUSED,	"ECONNREFUSED" },
		{ ETIMEDOUT,	"ETIMEDOUT" },
		{ ENETUNREACH,	"ENETUNREACH" },
		{ EHOSTUNREACH,	"EHOSTUNREACH" },
		{ EADDRINUSE,	"EADDRINUSE" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" },
		{ EACCES,	"EACCES" },
		{ EPERM,	"EPERM" },
		{ EMFILE,	"EMFILE" },
		{ ENFILE,	"ENFILE" },
		{ ECONNRESET,	"ECONNRESET" },
		{ EPIPE,	"EPIPE" },
		{ ENOBUFS,	"ENOBUFS" },
		{ EINVAL,	"EINVAL" },
		{ EAGAIN,	"EAGAIN" },
		{ EINPROGRESS,	"EINPROGRESS" },
		{ ECONNABORTED,	"ECONNABORTED" },
	};
	struct timeval	tv;
	size_t		i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_str_eq(errno_name(names[i].num), names[i].name);
	ck_assert_str_eq(errno_name(0), "E0");
	ck_assert_str_eq(errno_name(9999), "E9999");
	ck_assert_str_eq(errno_name(-3), "E-3");

	tv.tv_sec = 12;
	tv.tv_usec = 500000;
	ck_assert_double_eq_tol(tv_to_double(&tv), 12.5, 1e-9);
	tv = double_to_tv(10.0);
	ck_assert_int_eq(tv.tv_sec, 10);
	ck_assert_int_eq(tv.tv_usec, 0);
	tv = double_to_tv(0.25);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 250000);
	tv = double_to_tv(1.9999999);
	ck_assert_int_eq(tv.tv_sec, 2);
	ck_assert_int_eq(tv.tv_usec, 0);
	tv = double_to_tv(600.000001);
	ck_assert_int_eq(tv.tv_sec, 600);
	ck_assert_int_eq(tv.tv_usec, 1);
	tv = double_to_tv(0);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 0);
	tv = double_to_tv(-1.5);
	ck_assert_int_eq(tv.tv_sec, -2);
	ck_assert_int_eq(tv.tv_usec, 500000);
	ck_assert_double_eq_tol(tv_to_double(&tv), -1.5, 1e-9);
}
END_TEST

Suite *
addr_suite(void)
{
	Suite	*s = suite_create("addr");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("ipv4", test_ipv4);
	ADD("ipv6", test_ipv6);
	ADD("ports", test_ports);
	ADD("ranges", test_ranges);
	ADD("malformed", test_malformed);
	ADD("format", test_format);
	ADD("compare", test_compare);
	ADD("unmap", test_unmap);
	ADD("cidr_parse", test_cidr_parse);
	ADD("cidr_match", test_cidr_match);
	ADD("util", test_util);
#undef ADD
	return (s);
}

const struct check_unit check_unit = { addr_suite, NULL, NULL };
