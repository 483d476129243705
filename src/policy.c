/*
 * Policy: ordered allow/deny rules on the client's address, the destination
 * address and the destination port. First match wins; with no match the
 * connection is allowed when the relay has no policy at all and denied when
 * it has one (a firewall's default deny). Pure: no I/O, no events.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "fwrelay.h"

static int	 policy_rule_match(const struct rule *, const struct sockaddr *,
		    const struct sockaddr *);

/* A rule without from, to and port matches everything. */
static int
policy_rule_match(const struct rule *r, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	struct sockaddr_storage	ss;
	int			port;

	if (r->has_from && !cidr_match(&r->from, src))
		return (0);
	if (r->has_to && !cidr_match(&r->to, dst))
		return (0);
	if (r->port_lo != 0) {
		if (dst == NULL || addr_len(dst) == 0)
			return (0);
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, dst, addr_len(dst));
		addr_unmap(&ss);
		port = addr_port((struct sockaddr *)&ss);
		if (port < r->port_lo || port > r->port_hi)
			return (0);
	}
	return (1);
}

/*
 * First match wins. Returns the index of the matching rule, or -1 when no
 * rule matched.
 */
int
policy_match(const struct policy *pol, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	size_t	i;

	if (pol == NULL)
		return (-1);
	for (i = 0; i < pol->nrules; i++)
		if (policy_rule_match(&pol->rules[i], src, dst))
			return ((int)i);
	return (-1);
}

/* 1 allow, 0 deny; *rule gets the deciding rule's index or -1. */
int
policy_decide(const struct policy *pol, const struct sockaddr *src,
    const struct sockaddr *dst, int *rule)
{
	int	i;

	i = policy_match(pol, src, dst);
	if (rule != NULL)
		*rule = i;
	if (i == -1)
		return (pol == NULL || !pol->present);
	return (pol->rules[i].action == RULE_ALLOW);
}

/* Deep copy; dst is overwritten, not cleared first. */
int
policy_copy(struct policy *dst, const struct policy *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->present = src->present;
	if (src->nrules == 0)
		return (0);
	if ((dst->rules = calloc(src->nrules, sizeof(*dst->rules))) == NULL)
		return (-1);
	memcpy(dst->rules, src->rules, src->nrules * sizeof(*dst->rules));
	dst->nrules = src->nrules;
	return (0);
}

void
policy_clear(struct policy *pol)
{
	free(pol->rules);
	memset(pol, 0, sizeof(*pol));
}
