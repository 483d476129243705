/*
 * The connector rules of an Exchange 5.5 MTA, as the KB articles describe
 * them (Q193380, Q196381, Q197378): an inbound association is matched by
 * the caller's IP address against each connector's address; failing that,
 * the caller's address is looked up in the hosts file and DNS (here the
 * PTR records of the hosts map) and the name is matched against connectors
 * configured by FQDN. Pure functions over the configuration, no I/O.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mtasim.h"

static int	connector_better(const struct mta_conf *, int, int);

/* Lower cost wins, then the earlier connector. */
static int
connector_better(const struct mta_conf *mc, int cand, int best)
{
	if (best == -1)
		return (1);
	return (mc->connectors[cand].cost < mc->connectors[best].cost);
}

int
connector_match(const struct mta_conf *mc, enum connector_type type,
    struct in_addr peer, struct match *m)
{
	const struct connector	*co;
	const char		*name;
	int			 best = -1;
	size_t			 i;

	memset(m, 0, sizeof(*m));
	m->connector = -1;
	for (i = 0; i < mc->nconnectors; i++) {
		co = &mc->connectors[i];
		if (co->type != type || !co->is_ip ||
		    co->ip.s_addr != peer.s_addr)
			continue;
		if (connector_better(mc, (int)i, best))
			best = (int)i;
	}
	if (best != -1) {
		m->connector = best;
		m->how = MATCH_IP;
		return (best);
	}
	/* Q193380: "The MTA then attempts to resolve the IP address to a
	 * hostname. It first searches the local host's file ... then DNS". */
	if ((name = connector_ptr(mc, peer)) == NULL)
		return (-1);
	m->ptr_found = 1;
	snprintf(m->ptr_name, sizeof(m->ptr_name), "%s", name);
	for (i = 0; i < mc->nconnectors; i++) {
		co = &mc->connectors[i];
		if (co->type != type || co->is_ip ||
		    strcasecmp(co->address, name) != 0)
			continue;
		if (connector_better(mc, (int)i, best))
			best = (int)i;
	}
	if (best != -1) {
		m->connector = best;
		m->how = MATCH_PTR;
	}
	return (best);
}

int
connector_for_peer(const struct mta_conf *mc, enum connector_type type,
    const char *peer)
{
	int	 best = -1;
	size_t	 i;

	for (i = 0; i < mc->nconnectors; i++) {
		if (mc->connectors[i].type != type ||
		    mc->connectors[i].schedule != SCHEDULE_ALWAYS ||
		    strcmp(mc->connectors[i].peer, peer) != 0)
			continue;
		if (connector_better(mc, (int)i, best))
			best = (int)i;
	}
	return (best);
}

int
connector_by_peer(const struct mta_conf *mc, enum connector_type type,
    const char *peer)
{
	int	 best = -1;
	size_t	 i;

	for (i = 0; i < mc->nconnectors; i++) {
		if (mc->connectors[i].type != type ||
		    strcmp(mc->connectors[i].peer, peer) != 0)
			continue;
		if (connector_better(mc, (int)i, best))
			best = (int)i;
	}
	return (best);
}

const char *
connector_ptr(const struct mta_conf *mc, struct in_addr addr)
{
	size_t	 i;

	for (i = 0; i < mc->nptrs; i++)
		if (mc->ptrs[i].addr.s_addr == addr.s_addr)
			return (mc->ptrs[i].name);
	return (NULL);
}

int
connector_resolve(const struct mta_conf *mc, const char *host,
    struct in_addr *out)
{
	size_t	 i;

	if (inet_pton(AF_INET, host, out) == 1)
		return (0);
	for (i = 0; i < mc->nhosts; i++)
		if (strcasecmp(mc->hosts[i].name, host) == 0) {
			*out = mc->hosts[i].addr;
			return (0);
		}
	return (-1);
}

char *
connector_hex_addr(struct in_addr a, char *buf, size_t size)
{
	const uint8_t	*b = (const uint8_t *)&a.s_addr;

	snprintf(buf, size, "%02X%02X%02X%02X", b[0], b[1], b[2], b[3]);
	return (buf);
}

char *
connector_hex_text(const void *p, size_t len, char *buf, size_t size)
{
	static const char	 hex[] = "0123456789abcdef";
	const uint8_t		*b = p;
	size_t			 i, o = 0;

	if (size == 0)
		return (buf);
	for (i = 0; i < len && o + 2 < size; i++) {
		buf[o++] = hex[b[i] >> 4];
		buf[o++] = hex[b[i] & 0x0f];
	}
	buf[o] = '\0';
	return (buf);
}
