/*
 * With intercept, a userspace relay only hears of a connection after the
 * kernel completed the handshake, so its "drop" is silence after a SYN-ACK
 * and its "reset" comes after the handshake. A packet filter does better:
 * for relays with nft_rules = true, the static part of the policy (from,
 * to and port; first match wins) is compiled into an nftables table of the
 * instance's own, so a drop really drops the SYN (the client's connect
 * times out) and a reset answers the SYN with a RST. Allow and "close"
 * rules accept, leaving the decision to userspace, as do connections no
 * rule matches (the relay's default deny). Only diverted connections are
 * touched: their destination is not an address of this host. The table is
 * replaced in one transaction on start and reload and removed on exit.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fwrelay.h"

#ifdef HAVE_SYS_CAPABILITY_H
#include <sys/capability.h>
#include <sys/prctl.h>
#endif

static void	nft_cidr(FILE *, const char *, const struct cidr *);

static void
nft_cidr(FILE *fp, const char *dir, const struct cidr *cd)
{
	struct sockaddr_storage	 ss;
	char			 buf[ADDR_STRLEN];

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = cd->family;
	if (cd->family == AF_INET)
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, cd->addr, 4);
	else
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, cd->addr, 16);
	fprintf(fp, " %s %s %s/%d", cd->family == AF_INET ? "ip" : "ip6", dir,
	    addr_host_str((struct sockaddr *)&ss, buf, sizeof(buf)),
	    cd->prefix);
}

/* Ports as an nft set or single value: "102", "{ 102, 135, 49152-65535 }". */
static void
nft_ports(FILE *fp, const struct relay_conf *rc)
{
	size_t	 i;

	if (rc->nintercept_ports == 0) {
		if (rc->listen_lo == rc->listen_hi)
			fprintf(fp, "%d", rc->listen_lo);
		else
			fprintf(fp, "%d-%d", rc->listen_lo, rc->listen_hi);
		return;
	}
	fprintf(fp, "%s", rc->nintercept_ports > 1 ? "{ " : "");
	for (i = 0; i < rc->nintercept_ports; i++) {
		fprintf(fp, "%s%d", i > 0 ? ", " : "",
		    rc->intercept_port_lo[i]);
		if (rc->intercept_port_hi[i] != rc->intercept_port_lo[i])
			fprintf(fp, "-%d", rc->intercept_port_hi[i]);
	}
	fprintf(fp, "%s", rc->nintercept_ports > 1 ? " }" : "");
}

/* iifname "eth1" or iifname { "eth1", "eth3" } */
static void
nft_iifname(FILE *fp, const struct relay_conf *rc)
{
	size_t	 i;

	fprintf(fp, "iifname %s", rc->nintercept_ifaces > 1 ? "{ " : "");
	for (i = 0; i < rc->nintercept_ifaces; i++)
		fprintf(fp, "%s\"%s\"", i > 0 ? ", " : "",
		    rc->intercept_ifaces[i]);
	fprintf(fp, "%s", rc->nintercept_ifaces > 1 ? " }" : "");
}

/*
 * The SYNs of diverted connections; with intercept_interfaces, only those
 * this relay's TPROXY rule takes, so that its rules (and its default
 * deny) act on its own connections alone.
 */
static void
nft_syn(FILE *fp, const struct relay_conf *rc)
{
	fprintf(fp, "\t\ttcp flags & (syn | ack) == syn fib daddr type != "
	    "local");
	if (rc->nintercept_ifaces == 0)
		return;
	fprintf(fp, " ");
	nft_iifname(fp, rc);
	fprintf(fp, " tcp dport ");
	nft_ports(fp, rc);
}

/*
 * One relay's TPROXY rule per family it listens on: TCP arriving on its
 * interfaces for the diverted ports, to an address not of this host, goes
 * to the listener (the port kept when the listener is a range), marked so
 * the policy route delivers it locally.
 */
static void
nft_tproxy(FILE *fp, const struct relay_conf *rc, int mark)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&rc->listen;
	char			 host[ADDR_STRLEN];
	int			 fam, any;

	addr_host_str(sa, host, sizeof(host));
	any = addr_is_any(sa);
	for (fam = 0; fam < 2; fam++) {
		if (fam == 0 && sa->sa_family != AF_INET && !any)
			continue;
		if (fam == 1 && sa->sa_family != AF_INET6)
			continue;
		fprintf(fp, "\t\t");
		nft_iifname(fp, rc);
		fprintf(fp, " meta nfproto %s tcp dport ",
		    fam == 0 ? "ipv4" : "ipv6");
		nft_ports(fp, rc);
		fprintf(fp, " fib daddr type != local tproxy %s to ",
		    fam == 0 ? "ip" : "ip6");
		/*
		 * A wildcard listener takes the address the packet came to
		 * (given as 0.0.0.0 or :: when only the port is kept).
		 */
		if (!any)
			fprintf(fp, fam == 0 ? "%s" : "[%s]", host);
		else if (rc->listen_lo != rc->listen_hi)
			fprintf(fp, fam == 0 ? "0.0.0.0" : "[::]");
		if (rc->listen_lo == rc->listen_hi)
			fprintf(fp, ":%d", rc->listen_lo);
		fprintf(fp, " meta mark set 0x%x accept comment \"relay %s "
		    "intercept\"\n", (unsigned int)mark, rc->name);
	}
}

/*
 * The ruleset that replaces the instance's table, or NULL when nothing
 * needs one. mark != 0: the turnkey part (kernel.c) as well, the
 * socket-transparent mark and the relays' TPROXY rules. *nrules counts
 * the rules that act in the kernel.
 */
char *
nft_ruleset(const struct fwrelay_conf *conf, const char *table, int mark,
    int *nrules)
{
	const struct relay_conf	*rc;
	const struct rule	*r;
	FILE			*fp;
	char			*text = NULL;
	size_t			 len = 0, i;
	int			 any = 0;

	*nrules = 0;
	TAILQ_FOREACH(rc, &conf->relays, rc_entry)
		if (rc->intercept && rc->nft_rules && rc->policy.present)
			any = 1;
	if ((!any && mark == 0) ||
	    (fp = open_memstream(&text, &len)) == NULL)
		return (NULL);
	fprintf(fp, "table inet %s\ndelete table inet %s\n", table, table);
	fprintf(fp, "table inet %s {\n", table);
	if (mark != 0) {
		fprintf(fp, "\tchain prerouting {\n"
		    "\t\ttype filter hook prerouting priority mangle; "
		    "policy accept;\n"
		    "\t\tmeta l4proto tcp socket transparent 1 meta mark set "
		    "0x%x accept comment \"replies to transparent sockets\"\n",
		    (unsigned int)mark);
		(*nrules)++;
		TAILQ_FOREACH(rc, &conf->relays, rc_entry) {
			if (!rc->intercept || rc->nintercept_ifaces == 0)
				continue;
			nft_tproxy(fp, rc, mark);
			(*nrules)++;
		}
		fprintf(fp, "\t}\n");
	}
	if (any)
		fprintf(fp, "\tchain input {\n"
		    "\t\ttype filter hook input priority -10; "
		    "policy accept;\n");
	TAILQ_FOREACH(rc, &conf->relays, rc_entry) {
		if (!rc->intercept || !rc->nft_rules || !rc->policy.present)
			continue;
		for (i = 0; i < rc->policy.nrules; i++) {
			r = &rc->policy.rules[i];
			nft_syn(fp, rc);
			if (r->has_from)
				nft_cidr(fp, "saddr", &r->from);
			if (r->has_to)
				nft_cidr(fp, "daddr", &r->to);
			if (r->port_lo != 0 && r->port_lo == r->port_hi)
				fprintf(fp, " tcp dport %d", r->port_lo);
			else if (r->port_lo != 0)
				fprintf(fp, " tcp dport %d-%d", r->port_lo,
				    r->port_hi);
			if (r->action == RULE_DENY && r->deny == DENY_DROP) {
				fprintf(fp, " drop");
				(*nrules)++;
			} else if (r->action == RULE_DENY &&
			    r->deny == DENY_RESET) {
				fprintf(fp, " reject with tcp reset");
				(*nrules)++;
			} else
				fprintf(fp, " accept");
			fprintf(fp, " comment \"relay %s rule %zu line %d\"\n",
			    rc->name, i, r->line);
		}
		/*
		 * What no rule matched meets the relay's default deny, a
		 * reset: in the kernel too when the relay's own connections
		 * can be told apart (its intercept_interfaces and ports).
		 */
		if (rc->nintercept_ifaces > 0) {
			nft_syn(fp, rc);
			fprintf(fp, " reject with tcp reset comment \"relay %s "
			    "default deny\"\n", rc->name);
			(*nrules)++;
		}
	}
	if (any)
		fprintf(fp, "\t}\n");
	fprintf(fp, "}\n");
	fclose(fp);
	return (text);
}

/*
 * After the privilege drop fwrelay keeps CAP_NET_ADMIN, which an exec'd
 * nft would lose: pass it on as an ambient capability.
 */
static void
nft_child_caps(void)
{
#ifdef HAVE_SYS_CAPABILITY_H
	cap_t		 cp;
	cap_value_t	 v = CAP_NET_ADMIN;
	cap_flag_value_t has = CAP_CLEAR;

	if (geteuid() == 0 || (cp = cap_get_proc()) == NULL)
		return;
	if (cap_get_flag(cp, v, CAP_PERMITTED, &has) == 0 && has == CAP_SET &&
	    cap_set_flag(cp, CAP_INHERITABLE, 1, &v, CAP_SET) == 0 &&
	    cap_set_proc(cp) == 0)
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0,
		    0);
	cap_free(cp);
#endif
}

/* Feed script to nft -f -. 0, or -1 with what nft said in err. */
int
nft_run(const char *script, char *err, size_t errlen)
{
	int	 in[2], out[2], status;
	pid_t	 pid;
	ssize_t	 n;
	size_t	 got = 0;

	err[0] = '\0';
	if (pipe(in) == -1)
		return (-1);
	if (pipe(out) == -1) {
		close(in[0]);
		close(in[1]);
		return (-1);
	}
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return (-1);
	}
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		close(in[1]);
		close(out[0]);
		nft_child_caps();
		execlp("nft", "nft", "-f", "-", (char *)NULL);
		fprintf(stderr, "cannot run nft: %s", strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (script != NULL)
		n = write(in[1], script, strlen(script));
	close(in[1]);
	while (got + 1 < errlen &&
	    (n = read(out[0], err + got, errlen - got - 1)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(out[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (got > 0 && err[got - 1] == '\n')
		err[got - 1] = '\0';
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1);
}

