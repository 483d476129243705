/*
 * Addresses: parse and print "addr:port", "[v6]:port", port ranges and
 * CIDR networks, compare and match them. Pure functions, no name lookups and
 * no I/O, so the config checker, the policy and the fuzz targets can share
 * them.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "fwrelay.h"

#define ADDR_INPUT_MAX	128

static int	 addr_host_parse(const char *, struct sockaddr_storage *,
		    const char **);
static int	 addr_port_one(const char *, size_t, int *, const char **);

/*
 * Messages that carry a number are formatted here; like the literal ones they
 * stay valid until the next call in the same thread.
 */
static _Thread_local char addr_errbuf[96];

/* One decimal port of len characters; 1..65535. */
static int
addr_port_one(const char *s, size_t len, int *port, const char **errstr)
{
	size_t	i;
	long	v = 0;

	if (len == 0) {
		*errstr = "missing port";
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*errstr = "port is not a number";
			return (-1);
		}
		if (v <= 65535)
			v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535) {
		snprintf(addr_errbuf, sizeof(addr_errbuf),
		    "port %.*s out of range 1-65535", len > 20 ? 20 : (int)len,
		    s);
		*errstr = addr_errbuf;
		return (-1);
	}
	*port = (int)v;
	return (0);
}

/* "N" or "LO-HI" into lo, hi (1..65535, lo <= hi). */
int
port_range_parse(const char *s, int *lo, int *hi, const char **errstr)
{
	const char	*dash;
	int		 a, b;

	if (s == NULL || *s == '\0') {
		*errstr = "missing port";
		return (-1);
	}
	if ((dash = strchr(s, '-')) == NULL) {
		if (addr_port_one(s, strlen(s), &a, errstr) == -1)
			return (-1);
		*lo = *hi = a;
		return (0);
	}
	if (addr_port_one(s, (size_t)(dash - s), &a, errstr) == -1 ||
	    addr_port_one(dash + 1, strlen(dash + 1), &b, errstr) == -1)
		return (-1);
	if (a > b) {
		snprintf(addr_errbuf, sizeof(addr_errbuf),
		    "port range %d-%d ends before it starts", a, b);
		*errstr = addr_errbuf;
		return (-1);
	}
	*lo = a;
	*hi = b;
	return (0);
}

/* A numeric host, v4 or v6 without brackets, into ss (port 0). */
static int
addr_host_parse(const char *host, struct sockaddr_storage *ss,
    const char **errstr)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*p;
	int			 v4like = 1;

	memset(ss, 0, sizeof(*ss));
	if (*host == '\0') {
		*errstr = "missing address";
		return (-1);
	}
	if (strchr(host, ':') != NULL) {
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
			*errstr = "not a valid IPv6 address";
			return (-1);
		}
		sin6->sin6_family = AF_INET6;
		return (0);
	}
	for (p = host; *p != '\0'; p++) {
		if ((*p >= '0' && *p <= '9') || *p == '.')
			continue;
		if ((*p < 'a' || *p > 'z') && (*p < 'A' || *p > 'Z') &&
		    *p != '-') {
			*errstr = "unexpected character in address";
			return (-1);
		}
		v4like = 0;
	}
	if (!v4like) {
		*errstr = "not a numeric address (host names are not resolved)";
		return (-1);
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		*errstr = "not a valid IPv4 address";
		return (-1);
	}
	sin->sin_family = AF_INET;
	return (0);
}

/*
 * Parse "a.b.c.d:port", "[v6]:port", "a.b.c.d", "[v6]", "v6" and, with
 * ADDR_PORT_RANGE, "addr:LO-HI". Without ADDR_PORT_OPTIONAL or ADDR_NO_PORT
 * a port is required. A bare v6 address cannot carry a port: every colon
 * belongs to the address, so "[v6]:port" is the only way to give one.
 */
int
addr_parse(const char *s, int flags, struct sockaddr_storage *ssp,
    socklen_t *sslenp, int *lop, int *hip, const char **errstr)
{
	struct sockaddr_storage	 ss;
	char			 buf[ADDR_INPUT_MAX + 1];
	char			*host, *port = NULL, *p;
	const char		*dummy;
	int			 lo = 0, hi = 0;
	size_t			 len;

	if (errstr == NULL)
		errstr = &dummy;
	if (s == NULL || *s == '\0') {
		*errstr = "empty address";
		return (-1);
	}
	if ((len = strlen(s)) > ADDR_INPUT_MAX) {
		*errstr = "address too long";
		return (-1);
	}
	memcpy(buf, s, len + 1);

	if (buf[0] == '[') {
		if ((p = strchr(buf, ']')) == NULL) {
			*errstr = "missing ']'";
			return (-1);
		}
		*p++ = '\0';
		host = buf + 1;
		if (*p == ':')
			port = p + 1;
		else if (*p != '\0') {
			*errstr = "unexpected characters after ']'";
			return (-1);
		}
		if (*host != '\0' && strchr(host, ':') == NULL) {
			*errstr = "only IPv6 addresses go inside [ ]";
			return (-1);
		}
	} else {
		host = buf;
		p = strchr(buf, ':');
		if (p != NULL && strchr(p + 1, ':') == NULL) {
			/* Exactly one colon: IPv4 and port. */
			*p = '\0';
			port = p + 1;
		}
	}

	if (addr_host_parse(host, &ss, errstr) == -1)
		return (-1);

	if (port != NULL) {
		if (flags & ADDR_NO_PORT) {
			*errstr = "a port is not allowed here";
			return (-1);
		}
		if (strchr(port, '-') != NULL) {
			if (!(flags & ADDR_PORT_RANGE)) {
				*errstr = "a port range is not allowed here";
				return (-1);
			}
			if (port_range_parse(port, &lo, &hi, errstr) == -1)
				return (-1);
		} else {
			if (addr_port_one(port, strlen(port), &lo, errstr) == -1)
				return (-1);
			hi = lo;
		}
	} else if (!(flags & (ADDR_PORT_OPTIONAL | ADDR_NO_PORT))) {
		*errstr = (ss.ss_family == AF_INET6 && buf[0] != '[') ?
		    "missing port (write an IPv6 address as [v6]:port)" :
		    "missing port";
		return (-1);
	}

	addr_set_port((struct sockaddr *)&ss, lo);
	if (ssp != NULL)
		memcpy(ssp, &ss, sizeof(ss));
	if (sslenp != NULL)
		*sslenp = addr_len((struct sockaddr *)&ss);
	if (lop != NULL)
		*lop = lo;
	if (hip != NULL)
		*hip = hi;
	return (0);
}

/* The address alone: "1.2.3.4" or "::1". */
const char *
addr_host_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;

	if (len == 0)
		return (buf);
	if (sa == NULL) {
		snprintf(buf, len, "(none)");
		return (buf);
	}
	switch (sa->sa_family) {
	case AF_INET:
		if (inet_ntop(AF_INET, &sin->sin_addr, buf, len) == NULL)
			buf[0] = '\0';
		break;
	case AF_INET6:
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len) == NULL)
			buf[0] = '\0';
		break;
	default:
		snprintf(buf, len, "(family %d)", sa->sa_family);
		break;
	}
	return (buf);
}

/* "1.2.3.4:5" or "[::1]:5" into buf; returns buf. Port 0 still printed. */
const char *
addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char	host[INET6_ADDRSTRLEN];

	if (len == 0)
		return (buf);
	if (sa == NULL || (sa->sa_family != AF_INET &&
	    sa->sa_family != AF_INET6))
		return (addr_host_str(sa, buf, len));
	addr_host_str(sa, host, sizeof(host));
	if (sa->sa_family == AF_INET6)
		snprintf(buf, len, "[%s]:%d", host, addr_port(sa));
	else
		snprintf(buf, len, "%s:%d", host, addr_port(sa));
	return (buf);
}

socklen_t
addr_len(const struct sockaddr *sa)
{
	if (sa == NULL)
		return (0);
	switch (sa->sa_family) {
	case AF_INET:
		return (sizeof(struct sockaddr_in));
	case AF_INET6:
		return (sizeof(struct sockaddr_in6));
	case AF_UNIX:
		return (sizeof(struct sockaddr_un));
	}
	return (0);
}

/* Port in host order, 0 for anything that has none. */
int
addr_port(const struct sockaddr *sa)
{
	if (sa == NULL)
		return (0);
	switch (sa->sa_family) {
	case AF_INET:
		return (ntohs(((const struct sockaddr_in *)sa)->sin_port));
	case AF_INET6:
		return (ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	}
	return (0);
}

void
addr_set_port(struct sockaddr *sa, int port)
{
	switch (sa->sa_family) {
	case AF_INET:
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
		break;
	case AF_INET6:
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
		break;
	}
}

/* Same family, address and port (and scope for v6); no unmapping. */
int
addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a == NULL || b == NULL || a->sa_family != b->sa_family)
		return (0);
	switch (a->sa_family) {
	case AF_INET:
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return (a4->sin_addr.s_addr == b4->sin_addr.s_addr &&
		    a4->sin_port == b4->sin_port);
	case AF_INET6:
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return (memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0 &&
		    a6->sin6_port == b6->sin6_port &&
		    a6->sin6_scope_id == b6->sin6_scope_id);
	}
	return (0);
}

/*
 * A dual-stack socket shows v4 peers as ::ffff:a.b.c.d; turn them back into
 * AF_INET so v4 rules and v4 log lines apply to them.
 */
void
addr_unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in	 sin;

	if (ss->ss_family != AF_INET6 ||
	    !IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = sin6->sin6_port;
	memcpy(&sin.sin_addr, &sin6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &sin, sizeof(sin));
}

/* The wildcard address of its family: 0.0.0.0 or ::. */
int
addr_is_any(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
		    htonl(INADDR_ANY));
	if (sa->sa_family == AF_INET6)
		return (IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr));
	return (0);
}

/* 127.0.0.0/8, ::1, or a mapped 127.x. */
int
addr_is_loopback(const struct sockaddr *sa)
{
	struct sockaddr_storage	 ss;
	const uint8_t		*b;

	if (sa == NULL || addr_len(sa) == 0 || sa->sa_family == AF_UNIX)
		return (0);
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa, addr_len(sa));
	addr_unmap(&ss);
	if (ss.ss_family == AF_INET) {
		b = (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr;
		return (b[0] == 127);
	}
	return (IN6_IS_ADDR_LOOPBACK(
	    &((struct sockaddr_in6 *)&ss)->sin6_addr));
}

/*
 * "10.0.0.0/8", "2001:db8::/32", or a bare address (/32, /128). Host bits
 * beyond the prefix are an error: "10.0.0.1/8" is more likely a typo than
 * a network. A v4-mapped network (::ffff:10.0.0.0/104) becomes its v4 form,
 * because addresses are unmapped before they are matched.
 */
int
cidr_parse(const char *s, struct cidr *c, const char **errstr)
{
	struct sockaddr_storage	 ss;
	char			 buf[ADDR_INPUT_MAX + 1];
	char			*slash, *p;
	int			 prefix = -1, max, i, bits;
	size_t			 len;
	const uint8_t		*a;

	if (s == NULL || *s == '\0') {
		*errstr = "empty address";
		return (-1);
	}
	if ((len = strlen(s)) > ADDR_INPUT_MAX) {
		*errstr = "address too long";
		return (-1);
	}
	memcpy(buf, s, len + 1);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash == '\0') {
			*errstr = "missing prefix length after '/'";
			return (-1);
		}
		prefix = 0;
		for (p = slash; *p != '\0'; p++) {
			if (*p < '0' || *p > '9') {
				*errstr = "prefix length is not a number";
				return (-1);
			}
			if (prefix < 1000)
				prefix = prefix * 10 + (*p - '0');
		}
	}
	if (addr_host_parse(buf, &ss, errstr) == -1)
		return (-1);

	memset(c, 0, sizeof(*c));
	c->family = ss.ss_family;
	if (ss.ss_family == AF_INET) {
		max = 32;
		a = (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr;
		memcpy(c->addr, a, 4);
	} else {
		max = 128;
		a = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
		memcpy(c->addr, a, 16);
	}
	if (prefix == -1)
		prefix = max;
	if (prefix > max) {
		*errstr = max == 32 ? "prefix length out of range 0-32" :
		    "prefix length out of range 0-128";
		return (-1);
	}
	c->prefix = prefix;
	for (i = 0; i < max / 8; i++) {
		bits = prefix - i * 8;
		if (bits >= 8)
			continue;
		if (c->addr[i] & (bits <= 0 ? 0xff : (0xff >> bits))) {
			*errstr = "host bits set beyond the prefix length";
			return (-1);
		}
	}
	if (c->family == AF_INET6 && c->prefix >= 96 &&
	    IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)c->addr)) {
		c->family = AF_INET;
		memmove(c->addr, c->addr + 12, 4);
		memset(c->addr + 4, 0, 12);
		c->prefix -= 96;
	}
	return (0);
}

/* 1 when sa (unmapped first) lies inside c; families never cross. */
int
cidr_match(const struct cidr *c, const struct sockaddr *sa)
{
	struct sockaddr_storage	 ss;
	const uint8_t		*a;
	int			 full, rest;
	socklen_t		 len;

	if (c == NULL || sa == NULL || (len = addr_len(sa)) == 0 ||
	    sa->sa_family == AF_UNIX)
		return (0);
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa, len);
	addr_unmap(&ss);
	if (ss.ss_family != c->family)
		return (0);
	if (ss.ss_family == AF_INET)
		a = (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr;
	else
		a = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(a, c->addr, (size_t)full) != 0)
		return (0);
	if (rest != 0 &&
	    ((a[full] ^ c->addr[full]) & (uint8_t)(0xff << (8 - rest))) != 0)
		return (0);
	return (1);
}
