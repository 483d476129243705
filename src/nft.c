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

#include "fwrelay.h"

static int	nft_applied;
static char	nft_table[FWRELAY_NAME_MAX + 16];

static void	nft_cidr(FILE *, const char *, const struct cidr *);
static int	nft_run(const char *, char *, size_t);

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

/*
 * The ruleset that replaces the instance's table, or NULL when no relay
 * asks for one. *nrules counts the rules that act in the kernel.
 */
char *
nft_ruleset(struct fwrelay_conf *conf, int *nrules)
{
	struct relay_conf	*rc;
	const struct rule	*r;
	FILE			*fp;
	char			*text = NULL;
	size_t			 len = 0, i;
	int			 any = 0;

	*nrules = 0;
	TAILQ_FOREACH(rc, &conf->relays, rc_entry)
		if (rc->intercept && rc->nft_rules && rc->policy.present)
			any = 1;
	if (!any || (fp = open_memstream(&text, &len)) == NULL)
		return (NULL);
	fprintf(fp, "table inet %s\ndelete table inet %s\n", nft_table,
	    nft_table);
	fprintf(fp, "table inet %s {\n\tchain input {\n"
	    "\t\ttype filter hook input priority -10; policy accept;\n",
	    nft_table);
	TAILQ_FOREACH(rc, &conf->relays, rc_entry) {
		if (!rc->intercept || !rc->nft_rules || !rc->policy.present)
			continue;
		for (i = 0; i < rc->policy.nrules; i++) {
			r = &rc->policy.rules[i];
			fprintf(fp, "\t\ttcp flags & (syn | ack) == syn "
			    "fib daddr type != local");
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
	}
	fprintf(fp, "\t}\n}\n");
	fclose(fp);
	return (text);
}

/* Feed script to nft -f -. 0, or -1 with what nft said in err. */
static int
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

/* (Re)build the table from the running configuration. */
int
nft_apply(struct fwrelay *sc)
{
	char	*script, err[512];
	int	 n, ret;
	json_t	*ev;

	snprintf(nft_table, sizeof(nft_table), "fwrelay_%s",
	    sc->sc_conf->instance != NULL ? sc->sc_conf->instance : "fwrelay");
	if ((script = nft_ruleset(sc->sc_conf, &n)) == NULL) {
		nft_remove(sc);
		return (0);
	}
	ret = nft_run(script, err, sizeof(err));
	free(script);
	if (ret == 0)
		nft_applied = 1;
	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "nft_apply")) != NULL) {
		eventlog_str(ev, "table", nft_table);
		eventlog_int(ev, "rules", n);
		eventlog_str(ev, "result", ret == 0 ? "ok" : "failed");
		if (ret == -1)
			eventlog_str(ev, "error", err[0] != '\0' ? err :
			    "nft failed");
		eventlog_emit(ev);
	}
	if (ret == -1)
		log_warnx("nftables table %s not applied (needs root and nft): "
		    "%s", nft_table, err);
	return (ret);
}

void
nft_remove(struct fwrelay *sc)
{
	char	 script[128], err[256];
	json_t	*ev;

	if (!nft_applied)
		return;
	snprintf(script, sizeof(script), "delete table inet %s\n", nft_table);
	nft_applied = 0;
	if (nft_run(script, err, sizeof(err)) == -1)
		log_warnx("cannot remove nftables table %s: %s", nft_table, err);
	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "nft_remove")) != NULL) {
		eventlog_str(ev, "table", nft_table);
		eventlog_emit(ev);
	}
}
