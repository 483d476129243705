/*
 * The outbound socket: where a connection to the target comes from.
 *   rewrite      the relay's own address (source_address, or the kernel's)
 *   transparent  the client's own address (IP_TRANSPARENT where it is not
 *                an address of this host; any 127.x needs no privilege)
 *   fixed        one configured address, any port or a port from a range
 * Privileged socket setup stays in this one file (relayd's bindany()).
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwrelay.h"

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT 75
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif

#define CAP_NET_ADMIN_BIT	12
#define CAP_NET_RAW_BIT		13

static int	source_transparent(int, int);
static int	source_bind_range(int, struct sockaddr_storage *, int, int,
		    const char **);
static int	source_preserve_shared(const struct sockaddr_storage *,
		    const struct sockaddr *, const char **);
static int	source_has_cap(void);
static int	source_addr_is_local(const struct sockaddr *);
static int	source_has_return_route(int);

/* Allow a bind to an address that is not ours (needs privilege). */
static int
source_transparent(int s, int family)
{
	int	 on = 1;

	if (family == AF_INET6)
		return (setsockopt(s, IPPROTO_IPV6, IPV6_TRANSPARENT, &on,
		    sizeof(on)));
	return (setsockopt(s, IPPROTO_IP, IP_TRANSPARENT, &on, sizeof(on)));
}

/*
 * source_port "preserve" where the client's ADDR:P is bound on this very
 * host (loopback): bind(ADDR:P) conflicts with the client's own socket
 * unless both have SO_REUSEADDR, although the 4-tuples differ (the target
 * is not the relay's listener). When the client's port came from its
 * connect() (no bind: the common case), the kernel shares a port by
 * 4-tuple, as between its own outgoing connections: make P the only port
 * of this socket's range (IP_LOCAL_PORT_RANGE, Linux 6.3) and let
 * connect() take it. A port the client bound itself without SO_REUSEADDR
 * is not shared (the kernel's rule): EADDRINUSE. Returns the connecting
 * socket or -1.
 */
static int
source_preserve_shared(const struct sockaddr_storage *client,
    const struct sockaddr *dst, const char **errstr)
{
	struct sockaddr_storage	 ss, got;
	socklen_t		 len = sizeof(got);
	uint32_t		 range;
	int			 s, on = 1, port;

	port = addr_port((const struct sockaddr *)client);
	range = (uint32_t)port | ((uint32_t)port << 16);
	memcpy(&ss, client, addr_len((const struct sockaddr *)client));
	addr_set_port((struct sockaddr *)&ss, 0);
	*errstr = "the client's port is bound on this host without "
	    "SO_REUSEADDR: it cannot be shared";
	s = socket(dst->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s == -1) {
		*errstr = "socket";
		return (-1);
	}
	if (setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
	    sizeof(on)) == -1 || setsockopt(s, IPPROTO_IP,
	    IP_LOCAL_PORT_RANGE, &range, sizeof(range)) == -1 ||
	    bind(s, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)) == -1)
		goto refused;
	if (connect(s, dst, addr_len(dst)) == -1 && errno != EINPROGRESS)
		goto refused;
	/* Outside the ephemeral range the kernel ignores the socket's. */
	if (getsockname(s, (struct sockaddr *)&got, &len) == -1 ||
	    addr_port((struct sockaddr *)&got) != port)
		goto refused;
	return (s);
 refused:
	/* Whatever failed here, the port is taken, as bind() said. */
	close(s);
	errno = EADDRINUSE;
	return (-1);
}

/*
 * Bind to a port of [lo, hi], starting after the last one handed out, so
 * successive connections walk the range. -1: exhausted or another error.
 */
static int
source_bind_range(int s, struct sockaddr_storage *ss, int lo, int hi,
    const char **errstr)
{
	/* One walk for all workers. */
	static atomic_uint	 cursor;
	int			 span = hi - lo + 1, i, port;

	for (i = 0; i < span; i++) {
		port = lo + (int)(atomic_fetch_add(&cursor, 1) % (unsigned)span);
		addr_set_port((struct sockaddr *)ss, port);
		if (bind(s, (struct sockaddr *)ss,
		    addr_len((struct sockaddr *)ss)) == 0)
			return (0);
		if (errno != EADDRINUSE)
			return (-1);
	}
	*errstr = "source port range exhausted";
	errno = EADDRINUSE;
	return (-1);
}

int
source_connect(const struct relay_conf *rc, const struct sockaddr *client,
    const struct sockaddr *dst, struct sockaddr_storage *local,
    const char **errstr)
{
	struct sockaddr_storage	 ss;
	int			 s, on = 1, saved;

	memset(local, 0, sizeof(*local));
	s = socket(dst->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s == -1) {
		*errstr = "socket";
		return (-1);
	}
	switch (rc->source) {
	case SOURCE_REWRITE:
		if (!rc->has_source_address)
			break;
		ss = rc->source_address;
		setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
		    sizeof(on));
		if (bind(s, (struct sockaddr *)&ss,
		    addr_len((struct sockaddr *)&ss)) == -1) {
			*errstr = "cannot bind source_address";
			goto fail;
		}
		break;
	case SOURCE_TRANSPARENT:
		if (client->sa_family != dst->sa_family) {
			*errstr = "client and target address families differ";
			errno = EAFNOSUPPORT;
			goto fail;
		}
		memcpy(&ss, client, addr_len(client));
		if (rc->source_port != SOURCE_PORT_PRESERVE) {
			addr_set_port((struct sockaddr *)&ss, 0);
			setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
			    sizeof(on));
		} else
			setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on,
			    sizeof(on));
		/* A local address (127.x) binds as is; a foreign one not. */
		if (bind(s, (struct sockaddr *)&ss,
		    addr_len((struct sockaddr *)&ss)) == -1) {
			if (errno == EADDRINUSE &&
			    rc->source_port == SOURCE_PORT_PRESERVE) {
				close(s);
				return (source_preserve_shared(&ss, dst,
				    errstr));
			}
			if (errno != EADDRNOTAVAIL) {
				*errstr = "cannot bind the client's address";
				goto fail;
			}
			if (source_transparent(s, ss.ss_family) == -1) {
				*errstr = "IP_TRANSPARENT refused (needs "
				    "CAP_NET_ADMIN or CAP_NET_RAW)";
				goto fail;
			}
			if (bind(s, (struct sockaddr *)&ss,
			    addr_len((struct sockaddr *)&ss)) == -1) {
				*errstr = "cannot bind the client's address";
				goto fail;
			}
		}
		break;
	case SOURCE_FIXED:
		ss = rc->source_address;
		if (rc->source_port == SOURCE_PORT_RANGE) {
			if (source_bind_range(s, &ss, rc->source_port_lo,
			    rc->source_port_hi, errstr) == -1) {
				if (*errstr == NULL)
					*errstr = "cannot bind source_address";
				goto fail;
			}
		} else {
			/*
			 * Without a port the kernel picks one at connect()
			 * time, per destination, so one fixed address does
			 * not run out of ports at bind().
			 */
			setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
			    sizeof(on));
			addr_set_port((struct sockaddr *)&ss, 0);
			if (bind(s, (struct sockaddr *)&ss,
			    addr_len((struct sockaddr *)&ss)) == -1) {
				*errstr = "cannot bind source_address";
				goto fail;
			}
		}
		break;
	}
	if (connect(s, dst, addr_len(dst)) == -1 && errno != EINPROGRESS) {
		if (errno == EADDRNOTAVAIL && rc->source == SOURCE_FIXED)
			*errstr = "source address and port collide with "
			    "another connection to the target";
		goto fail;
	}
	return (s);
 fail:
	saved = errno;
	close(s);
	errno = saved;
	return (-1);
}

/* CAP_NET_ADMIN or CAP_NET_RAW in the effective set. */
static int
source_has_cap(void)
{
	FILE			*fp;
	char			 line[256];
	unsigned long long	 eff = 0;

	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return (geteuid() == 0);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(fp);
	return ((eff & (1ULL << CAP_NET_ADMIN_BIT)) ||
	    (eff & (1ULL << CAP_NET_RAW_BIT)));
}

/* The address is one of this host's: a test bind succeeds. */
static int
source_addr_is_local(const struct sockaddr *sa)
{
	struct sockaddr_storage	 ss;
	int			 s, ok;

	memcpy(&ss, sa, addr_len(sa));
	addr_set_port((struct sockaddr *)&ss, 0);
	if ((s = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (1);
	ok = bind(s, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)) == 0;
	close(s);
	return (ok);
}

/*
 * Is there an "ip rule ... fwmark ... lookup T" whose table T routes as
 * local? That is what brings replies to spoofed sources back to us.
 */
static int
source_has_return_route(int family)
{
	FILE		*fp, *rp;
	char		 line[256], cmd[64], *p;
	const char	*v = family == AF_INET6 ? "-6" : "-4";
	int		 found = 0;

	snprintf(cmd, sizeof(cmd), "ip %s rule show 2>/dev/null", v);
	if ((fp = popen(cmd, "r")) == NULL)
		return (1);	/* cannot tell: do not cry wolf */
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, "fwmark") == NULL ||
		    (p = strstr(line, "lookup ")) == NULL)
			continue;
		p += strlen("lookup ");
		p[strcspn(p, " \n")] = '\0';
		snprintf(cmd, sizeof(cmd), "ip %s route show table %.20s "
		    "2>/dev/null", v, p);
		if ((rp = popen(cmd, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), rp) != NULL)
			if (strncmp(line, "local ", 6) == 0)
				found = 1;
		pclose(rp);
	}
	pclose(fp);
	return (found);
}

static int
source_read_int(const char *path, int *val)
{
	FILE	*fp;
	int	 ok;

	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	ok = fscanf(fp, "%d", val) == 1;
	fclose(fp);
	return (ok ? 0 : -1);
}

/*
 * Listens and connects on loopback only: its clients are this host's own
 * addresses, whose replies come back without any policy routing.
 */
int
source_loopback_only(const struct relay_conf *rc)
{
	if (rc->intercept || rc->target_kind == TARGET_ORIGINAL)
		return (0);
	return (addr_is_loopback((const struct sockaddr *)&rc->listen) &&
	    addr_is_loopback((const struct sockaddr *)&rc->target));
}

/* A source_address this host does not have: the message, else NULL. */
const char *
source_host_error(const struct relay_conf *rc, char *msg, size_t len)
{
	char	 buf[ADDR_STRLEN];

	if ((rc->source != SOURCE_REWRITE && rc->source != SOURCE_FIXED) ||
	    !rc->has_source_address ||
	    source_addr_is_local((const struct sockaddr *)&rc->source_address))
		return (NULL);
	snprintf(msg, len, "relay '%s': source_address %s is not an address "
	    "of this host (add it to an interface, or route its block as "
	    "local: ip route add local ... dev lo)", rc->name,
	    addr_host_str((const struct sockaddr *)&rc->source_address, buf,
	    sizeof(buf)));
	return (msg);
}

/*
 * Say in plain words what a mode needs and this host lacks, instead of
 * failing later with a timeout. Errors (returned as -1 and added to errs)
 * make a mode unusable; warnings go to the text log.
 */
int
source_check(const struct relay_conf *rc, struct config_errors *errs,
    const char *file, int kernel_setup)
{
	char	 msg[FWRELAY_ERR_MAX];
	int	 rpf = 0, ret = 0, family;

	switch (rc->source) {
	case SOURCE_REWRITE:
	case SOURCE_FIXED:
		if (source_host_error(rc, msg, sizeof(msg)) != NULL) {
			config_errors_add(errs, file, rc->line, "%s", msg);
			ret = -1;
		}
		break;
	case SOURCE_TRANSPARENT:
		if (!source_has_cap())
			log_warnx("relay '%s': source \"transparent\" can only "
			    "use client addresses local to this host (such as "
			    "127.x) without CAP_NET_ADMIN or CAP_NET_RAW",
			    rc->name);
		else if (!source_loopback_only(rc) && !kernel_setup) {
			family = rc->listen.ss_family;
			if (!source_has_return_route(family))
				log_warnx("relay '%s': source \"transparent\" "
				    "for a foreign client address needs policy "
				    "routing for the return path, and no fwmark "
				    "rule leads to a local route here: ip %s rule "
				    "add fwmark 1 lookup 100; ip %s route add "
				    "local %s dev lo table 100; and a rule "
				    "marking transparent sockets' packets (nft: "
				    "socket transparent 1 meta mark set 1)",
				    rc->name, family == AF_INET6 ? "-6" : "-4",
				    family == AF_INET6 ? "-6" : "-4",
				    family == AF_INET6 ? "::/0" : "0.0.0.0/0");
			if (source_read_int("/proc/sys/net/ipv4/conf/all/"
			    "rp_filter", &rpf) == 0 && rpf == 1)
				log_warnx("relay '%s': rp_filter is strict (1): "
				    "replies to spoofed sources may be dropped; "
				    "set net.ipv4.conf.all.rp_filter=2 or 0",
				    rc->name);
		}
		break;
	}
	if (rc->intercept && !source_has_cap())
		log_warnx("relay '%s': intercept needs CAP_NET_ADMIN or "
		    "CAP_NET_RAW for IP_TRANSPARENT on the listener", rc->name);
	return (ret);
}
