/*
 * Turnkey interception: what the kernel needs so that intercept and
 * transparent relays work on a box with nothing configured, installed at
 * start, updated on reload and removed on exit.
 *
 *   nftables  the instance's table (nft.c): a prerouting chain marking the
 *             replies to transparent sockets and diverting each intercept
 *             relay's ports on its intercept_interfaces with TPROXY;
 *   routing   per address family, a rule "fwmark N lookup N priority N"
 *             and a route "local default dev lo table N", which deliver
 *             marked packets for foreign addresses to the local stack.
 *
 * N is route_table, by default the first number from 10100 that no rule
 * and no route of this host uses, so that instances coexist. The table is
 * one nft transaction; the routes go over rtnetlink, added only after the
 * table applied, and what was added is undone when a later step fails:
 * nothing is left half-installed. Exit (also fatal errors, through
 * atexit) removes exactly what was added.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwrelay.h"

#define KERNEL_TABLE_FIRST	10100
#define KERNEL_TABLE_LAST	10199
#define KERNEL_FAM_V4		0x01
#define KERNEL_FAM_V6		0x02

struct kernel_state {
	int		 nft;		/* the table is ours and in place */
	char		 table[FWRELAY_NAME_MAX + 16];
	int		 rt;		/* routing table = mark = priority */
	int		 fams;		/* families whose rule and route are in */
	int		 extra;		/* families run-time changes need */
	int		 atexit;
};

static struct kernel_state	 ks;

struct nl_req {
	struct nlmsghdr	 nh;
	union {
		struct rtmsg		rt;
		struct fib_rule_hdr	fr;
	}		 u;
	char		 attrs[128];
};

struct kernel_used {
	uint8_t		 used[KERNEL_TABLE_LAST - KERNEL_TABLE_FIRST + 1];
};

/* Does rc need the policy route? Intercept, or a foreign transparent. */
static int
kernel_relay_fams(const struct relay_conf *rc)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&rc->listen;

	if (!rc->intercept && (rc->source != SOURCE_TRANSPARENT ||
	    source_loopback_only(rc)))
		return (0);
	if (sa->sa_family == AF_INET)
		return (KERNEL_FAM_V4);
	return (addr_is_any(sa) ? KERNEL_FAM_V4 | KERNEL_FAM_V6 :
	    KERNEL_FAM_V6);
}

static int
kernel_fams(const struct fwrelay_conf *conf)
{
	const struct relay_conf	*rc;
	int			 fams = 0;

	if (!conf->kernel_setup)
		return (0);
	TAILQ_FOREACH(rc, &conf->relays, rc_entry)
		fams |= kernel_relay_fams(rc);
	return (fams | ks.extra);
}

static void
nl_attr(struct nlmsghdr *nh, unsigned short type, const void *data,
    size_t len)
{
	struct rtattr	*rta;

	rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void
nl_u32(struct nlmsghdr *nh, unsigned short type, uint32_t v)
{
	nl_attr(nh, type, &v, sizeof(v));
}

/*
 * Send one request; with a dump, cb sees every answer. 0, or -1 with
 * errno (what the kernel said).
 */
static int
nl_talk(struct nlmsghdr *nh, void (*cb)(struct nlmsghdr *, void *),
    void *arg)
{
	struct sockaddr_nl	 sa;
	struct nlmsghdr		*h;
	struct nlmsgerr		*e;
	char			 buf[16384];
	ssize_t			 n;
	int			 s, err = 0, done = 0;

	if ((s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return (-1);
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	nh->nlmsg_seq = 1;
	if (sendto(s, nh, nh->nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1) {
		err = errno;
		goto out;
	}
	while (!done) {
		if ((n = recv(s, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(h);
				err = -e->error;
				done = 1;
				break;
			}
			if (cb != NULL)
				cb(h, arg);
		}
	}
 out:
	close(s);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}

static void
kernel_mark_used(struct kernel_used *u, uint32_t v)
{
	if (v >= KERNEL_TABLE_FIRST && v <= KERNEL_TABLE_LAST)
		u->used[v - KERNEL_TABLE_FIRST] = 1;
}

/* A rule or route of the dump: the numbers it takes. */
static void
kernel_used_cb(struct nlmsghdr *h, void *arg)
{
	struct kernel_used	*u = arg;
	struct rtattr		*rta;
	int			 len;

	int			 rule = h->nlmsg_type == RTM_NEWRULE;

	if (rule) {
		struct fib_rule_hdr *fr = NLMSG_DATA(h);

		kernel_mark_used(u, fr->table);
		rta = (struct rtattr *)((char *)fr + NLMSG_ALIGN(sizeof(*fr)));
		len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*fr));
	} else if (h->nlmsg_type == RTM_NEWROUTE) {
		struct rtmsg *rt = NLMSG_DATA(h);

		kernel_mark_used(u, rt->rtm_table);
		rta = RTM_RTA(rt);
		len = (int)RTM_PAYLOAD(h);
	} else
		return;
	/* A rule takes its table, priority and fwmark; a route its table. */
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (RTA_PAYLOAD(rta) >= sizeof(uint32_t) && (rule ?
		    rta->rta_type == FRA_TABLE || rta->rta_type == FRA_PRIORITY ||
		    rta->rta_type == FRA_FWMARK : rta->rta_type == RTA_TABLE))
			kernel_mark_used(u, *(uint32_t *)RTA_DATA(rta));
}

/* The first table number from 10100 that nothing here uses, or 0. */
static int
kernel_free_table(void)
{
	struct kernel_used	 u;
	struct nl_req		 req;
	int			 type, i;

	/* Our own number stays ours: a reload keeps it. */
	if (ks.fams != 0)
		return (ks.rt);
	memset(&u, 0, sizeof(u));
	for (type = 0; type < 2; type++) {
		memset(&req, 0, sizeof(req));
		req.nh.nlmsg_type = type == 0 ? RTM_GETRULE : RTM_GETROUTE;
		req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
		req.u.rt.rtm_family = AF_UNSPEC;
		if (nl_talk(&req.nh, kernel_used_cb, &u) == -1)
			return (0);
	}
	for (i = 0; i <= KERNEL_TABLE_LAST - KERNEL_TABLE_FIRST; i++)
		if (!u.used[i])
			return (KERNEL_TABLE_FIRST + i);
	return (0);
}

static const char *
kernel_fam_name(int family)
{
	return (family == AF_INET ? "IPv4" : "IPv6");
}

/*
 * Add or delete one family's rule (what != 0) or local route. 0, or -1
 * with the message in err.
 */
static int
kernel_nl(int add, int rule, int family, int table, char *err,
    size_t errlen)
{
	struct nl_req	 req;
	unsigned int	 lo = 0;

	if (!rule && (lo = if_nametoindex("lo")) == 0) {
		snprintf(err, errlen, "no loopback interface: %s",
		    strerror(errno));
		return (-1);
	}
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		req.nh.nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	if (rule) {
		req.nh.nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.fr));
		req.u.fr.family = (uint8_t)family;
		req.u.fr.action = FR_ACT_TO_TBL;
		nl_u32(&req.nh, FRA_PRIORITY, (uint32_t)table);
		nl_u32(&req.nh, FRA_FWMARK, (uint32_t)table);
		nl_u32(&req.nh, FRA_FWMASK, 0xffffffffU);
		nl_u32(&req.nh, FRA_TABLE, (uint32_t)table);
	} else {
		req.nh.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.rt));
		req.u.rt.rtm_family = (unsigned char)family;
		req.u.rt.rtm_table = RT_TABLE_UNSPEC;
		req.u.rt.rtm_protocol = RTPROT_STATIC;
		req.u.rt.rtm_scope = RT_SCOPE_HOST;
		req.u.rt.rtm_type = RTN_LOCAL;
		nl_u32(&req.nh, RTA_TABLE, (uint32_t)table);
		nl_u32(&req.nh, RTA_OIF, lo);
	}
	if (nl_talk(&req.nh, NULL, NULL) == 0)
		return (0);
	snprintf(err, errlen, "cannot %s the %s %s of table %d: %s",
	    add ? "add" : "delete", kernel_fam_name(family),
	    rule ? "rule" : "local route", table, strerror(errno));
	return (-1);
}

/* One family's rule, then its route; the rule is taken back on failure. */
static int
kernel_fam_add(int family, int table, char *err, size_t errlen)
{
	char	 e2[256];

	if (kernel_nl(1, 1, family, table, err, errlen) == -1)
		return (-1);
	if (kernel_nl(1, 0, family, table, err, errlen) == -1) {
		kernel_nl(0, 1, family, table, e2, sizeof(e2));
		return (-1);
	}
	return (0);
}

static int
kernel_fam_del(int family, int table, char *err, size_t errlen)
{
	char	 e2[256];
	int	 r1, r2;

	r1 = kernel_nl(0, 0, family, table, err, errlen);
	r2 = kernel_nl(0, 1, family, table, r1 == 0 ? err : e2,
	    r1 == 0 ? errlen : sizeof(e2));
	return (r1 == -1 || r2 == -1 ? -1 : 0);
}

static int
kernel_family(int bit)
{
	return (bit == KERNEL_FAM_V4 ? AF_INET : AF_INET6);
}

/* The routing part as ip(8) commands: for events, -t and the manual. */
static json_t *
kernel_route_lines(int fams, int table)
{
	json_t	*a;
	char	 line[160];
	int	 bit;

	if ((a = json_array()) == NULL)
		return (NULL);
	for (bit = KERNEL_FAM_V4; bit <= KERNEL_FAM_V6; bit <<= 1) {
		if (!(fams & bit))
			continue;
		snprintf(line, sizeof(line), "ip %s rule add fwmark %d lookup "
		    "%d priority %d", bit == KERNEL_FAM_V4 ? "-4" : "-6",
		    table, table, table);
		json_array_append_new(a, json_string(line));
		snprintf(line, sizeof(line), "ip %s route add local %s dev lo "
		    "table %d", bit == KERNEL_FAM_V4 ? "-4" : "-6",
		    bit == KERNEL_FAM_V4 ? "0.0.0.0/0" : "::/0", table);
		json_array_append_new(a, json_string(line));
	}
	return (a);
}

/* The lines of the table's definition, without the replace preamble. */
static json_t *
kernel_nft_lines(const char *script)
{
	json_t		*a;
	const char	*p, *e;
	int		 skip = 2;

	if ((a = json_array()) == NULL || script == NULL)
		return (a);
	for (p = script; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		if (skip > 0) {
			skip--;
			continue;
		}
		while (p < e && *p == '\t')
			p++;
		json_array_append_new(a, json_stringn(p, (size_t)(e - p)));
	}
	return (a);
}

static void
kernel_table_name(const struct fwrelay_conf *conf, char *buf, size_t len)
{
	snprintf(buf, len, "fwrelay_%s", conf->instance != NULL ?
	    conf->instance : "fwrelay");
}

/* What conf makes fwrelay install: the nft script, the routing table. */
static int
kernel_plan(const struct fwrelay_conf *conf, char *table, size_t tlen,
    char **script, int *nrules, int *fams, int *rt, char *err,
    size_t errlen)
{
	kernel_table_name(conf, table, tlen);
	*rt = 0;
	if ((*fams = kernel_fams(conf)) != 0) {
		*rt = conf->route_table != 0 ? conf->route_table :
		    kernel_free_table();
		if (*rt == 0) {
			snprintf(err, errlen, "no routing table from %d to %d "
			    "is free: set route_table", KERNEL_TABLE_FIRST,
			    KERNEL_TABLE_LAST);
			return (-1);
		}
	}
	*script = nft_ruleset(conf, table, *rt, nrules);
	return (0);
}

static void
kernel_event(const char *table, int nrules, const char *script, int fams,
    int rt, int ret, const char *err)
{
	json_t	*ev;

	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "nft_apply")) == NULL)
		return;
	eventlog_str(ev, "table", table);
	eventlog_int(ev, "rules", nrules);
	if (script != NULL)
		json_object_set_new(ev, "nft", kernel_nft_lines(script));
	if (fams != 0) {
		eventlog_int(ev, "route_table", rt);
		eventlog_int(ev, "mark", rt);
		json_object_set_new(ev, "routes", kernel_route_lines(fams,
		    rt));
	}
	eventlog_str(ev, "result", ret == 0 ? "ok" : "failed");
	if (ret == -1)
		eventlog_str(ev, "error", err);
	eventlog_emit(ev);
}

/* Remove what is installed: the routes, then the table. */
static int
kernel_undo(char *err, size_t errlen)
{
	char	 script[128], e2[256];
	int	 bit, ret = 0;

	for (bit = KERNEL_FAM_V4; bit <= KERNEL_FAM_V6; bit <<= 1) {
		if (!(ks.fams & bit))
			continue;
		if (kernel_fam_del(kernel_family(bit), ks.rt, e2,
		    sizeof(e2)) == -1) {
			if (ret == 0)
				snprintf(err, errlen, "%s", e2);
			ret = -1;
		}
		ks.fams &= ~bit;
	}
	if (ks.nft) {
		snprintf(script, sizeof(script), "delete table inet %s\n",
		    ks.table);
		ks.nft = 0;
		if (nft_run(script, e2, sizeof(e2)) == -1) {
			if (ret == 0)
				snprintf(err, errlen, "cannot remove nftables "
				    "table %s: %s", ks.table, e2);
			ret = -1;
		}
	}
	return (ret);
}

/*
 * (Re)install from the running configuration. At start (starting != 0) a
 * failure leaves nothing installed and returns -1: the caller exits. On
 * reload it leaves what was there and reports.
 */
int
kernel_apply(struct fwrelay *sc, int starting)
{
	char	 table[sizeof(ks.table)], err[768], e2[512], *script = NULL;
	int	 nrules = 0, fams = 0, rt = 0, ret = -1, bit;

	err[0] = '\0';
	if (kernel_plan(sc->sc_conf, table, sizeof(table), &script, &nrules,
	    &fams, &rt, err, sizeof(err)) == -1)
		goto done;
	/* A renamed instance: the old table goes first. */
	if (ks.nft && (script == NULL || strcmp(ks.table, table) != 0)) {
		snprintf(e2, sizeof(e2), "delete table inet %s\n", ks.table);
		if (nft_run(e2, err, sizeof(err)) == -1)
			log_warnx("cannot remove nftables table %s: %s",
			    ks.table, err);
		ks.nft = 0;
	}
	if (script != NULL) {
		if (nft_run(script, e2, sizeof(e2)) == -1) {
			snprintf(err, sizeof(err), "nftables table inet %s not "
			    "applied: %s", table, e2[0] != '\0' ? e2 :
			    "nft failed");
			goto done;
		}
		ks.nft = 1;
		snprintf(ks.table, sizeof(ks.table), "%s", table);
		if (!ks.atexit) {
			atexit(kernel_remove);
			ks.atexit = 1;
		}
	}
	/* Routes no longer wanted, or of another number, go first. */
	for (bit = KERNEL_FAM_V4; bit <= KERNEL_FAM_V6; bit <<= 1) {
		if (!(ks.fams & bit) || (ks.rt == rt && (fams & bit)))
			continue;
		if (kernel_fam_del(kernel_family(bit), ks.rt, e2,
		    sizeof(e2)) == -1)
			log_warnx("%s", e2);
		ks.fams &= ~bit;
	}
	for (bit = KERNEL_FAM_V4; bit <= KERNEL_FAM_V6; bit <<= 1) {
		if (!(fams & bit) || (ks.fams & bit))
			continue;
		if (ks.fams == 0)
			ks.rt = rt;
		if (kernel_fam_add(kernel_family(bit), rt, err,
		    sizeof(err)) == -1)
			goto done;
		ks.fams |= bit;
	}
	ret = 0;
 done:
	if (ret == -1 && starting && kernel_undo(e2, sizeof(e2)) == -1)
		log_warnx("%s", e2);
	if (script != NULL || fams != 0 || ret == -1)
		kernel_event(table, nrules, script, fams, rt, ret, err);
	if (ret == -1)
		log_warnx("cannot install interception: %s; fwrelay needs "
		    "CAP_NET_ADMIN and nft(8) for that, or kernel_setup = "
		    "false with the rules installed by hand", err);
	free(script);
	return (ret);
}

/*
 * A relay changed at run time (the control API's source "transparent")
 * may need the policy route the file's relays did not: install it now.
 * 0 when in place (or kernel_setup is off), -1 when it cannot be.
 */
int
kernel_need(struct fwrelay *sc, const struct relay_conf *rc)
{
	int	 fams;

	if (!sc->sc_conf->kernel_setup)
		return (0);
	fams = kernel_relay_fams(rc);
	if (fams == 0 || ((fams & ks.fams) == fams && ks.nft))
		return (0);
	ks.extra |= fams;
	return (kernel_apply(sc, 0));
}

/* On exit: remove exactly what was added, and say so. */
void
kernel_remove(void)
{
	char	 err[512], table[sizeof(ks.table)];
	int	 fams = ks.fams, rt = ks.rt, nft = ks.nft;
	json_t	*ev;

	if (!nft && fams == 0)
		return;
	snprintf(table, sizeof(table), "%s", ks.table);
	if (kernel_undo(err, sizeof(err)) == -1)
		log_warnx("%s", err);
	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "nft_remove")) != NULL) {
		if (nft)
			eventlog_str(ev, "table", table);
		if (fams != 0) {
			eventlog_int(ev, "route_table", rt);
			json_object_set_new(ev, "routes",
			    kernel_route_lines(fams, rt));
		}
		eventlog_emit(ev);
	}
}


/* fwrelay -t: what a start would install, as nft and ip(8) would take it. */
void
kernel_print(const struct fwrelay_conf *conf, FILE *fp)
{
	char	 table[sizeof(ks.table)], err[256], *script = NULL, *p;
	int	 nrules, fams, rt;
	json_t	*lines;
	size_t	 i;

	if (kernel_plan(conf, table, sizeof(table), &script, &nrules, &fams,
	    &rt, err, sizeof(err)) == -1) {
		fprintf(fp, "would not start: %s\n", err);
		return;
	}
	if (script == NULL && fams == 0)
		return;
	fprintf(fp, "would install (removed again on exit):\n");
	/* The table as nft -f takes it, without the replace preamble. */
	if (script != NULL) {
		p = strchr(script, '\n');
		p = p != NULL ? strchr(p + 1, '\n') : NULL;
		fprintf(fp, "%s", p != NULL ? p + 1 : script);
	}
	if (fams != 0) {
		lines = kernel_route_lines(fams, rt);
		for (i = 0; i < json_array_size(lines); i++)
			fprintf(fp, "%s\n", json_string_value(
			    json_array_get(lines, i)));
		json_decref(lines);
	}
	free(script);
}
