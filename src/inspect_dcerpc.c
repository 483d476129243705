/*
 * DCE/RPC inspector (protocol "dcerpc") and the endpoint-mapper ALG
 * (protocol "epm"), PROTOCOLS.md section 2. Both directions are framed
 * incrementally; binds, bind results, faults and (at debug level) calls are
 * logged. Request and response fragments are reassembled within a bound.
 *
 * epm: ept_map and ept_lookup replies are matched to their requests by
 * call_id and their towers decoded (event epm_map). With pinholes, each
 * learned TCP endpoint gets a pinhole on the relay's own address; with
 * rewrite_towers the tower's IPv4 floor is rewritten to that address, and
 * its port to the pinhole's when the learned port was busy (a NAT helper).
 * Rewriting needs whole PDUs, so only the server's side is held, PDU by PDU.
 *
 * string_bindings: RPC string bindings (ncacn_ip_tcp:HOST[PORT], ASCII or
 * UTF-16LE) in request stubs open a reverse pinhole, so the called side can
 * connect back through the firewall: the bindback an Exchange MTA asks for
 * in its MtaBind (PROTOCOLS.md 3.2), which an EPM-only ALG never sees.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "fwrelay.h"
#include "dcerpc.h"
#include "epm.h"
#include "strbind.h"

#define RPC_FRAG_CAP	65535
#define RPC_CALL_CAP	(64 * 1024)
#define RPC_MAX_CALLS	16
#define RPC_MAX_CTX	16
#define RPC_PENDING	32
#define RPC_MAX_FRAGS	64
#define RPC_MAX_STRBIND	4
#define RPC_RULES_SEEN	8

/* Anomaly classes (dcerpc_insp_anomaly). */
#define RPC_CONFORMANCE	0
#define RPC_FRAMING	1
#define RPC_FATAL	2

struct rpc_side {
	struct dcerpc_framer	 fr;
	struct dcerpc_reasm	 ra;
	struct conn_side	*cs;
	int			 dead;
	/*
	 * Stream offsets of the fragments of the call being reassembled: the
	 * first inline, the others (a call in several fragments) allocated
	 * for that call only, so that an idle connection holds none.
	 */
	uint32_t		 frag_call;
	unsigned int		 nfrag;
	uint64_t		 frag_off0;
	size_t			 frag_stub0;
	struct rpc_frags	*frags;
	int			 frags_lost;	/* no memory: note no more */
	uint64_t		 hold_from;	/* first fragment of an open call */
	/* Anomalies that only pass are logged once per rule and side. */
	const char		*seen[RPC_RULES_SEEN];
	unsigned int		 nseen;
};

struct rpc_frags {
	uint64_t		 off[RPC_MAX_FRAGS - 1];
	size_t			 stub[RPC_MAX_FRAGS - 1];
};

struct rpc_ctx {
	uint16_t		 id;
	struct dcerpc_syntax	 iface;
};

struct rpc_pending {
	uint32_t		 call_id;
	uint16_t		 opnum;
	int			 is_epm;
	struct dcerpc_syntax	 asked;	/* ept_map: the interface asked */
	int			 has_asked;
};

struct rpc_state {
	struct rpc_side		 client;
	struct rpc_side		 target;
	int			 epm;
	struct rpc_ctx		 ctx[RPC_MAX_CTX];
	unsigned int		 nctx;
	struct rpc_pending	*pending;	/* RPC_PENDING, while any */
	unsigned int		 npending;
	int			 violation;
	uint64_t		 calls;
};

static int	dcerpc_insp_init(struct conn *);
static uint64_t	rpc_frag_off(const struct rpc_side *, unsigned int);
static size_t	rpc_frag_stub(const struct rpc_side *, unsigned int);
static void	rpc_frag_add(struct rpc_side *, uint64_t, size_t);
static void	rpc_frag_reset(struct rpc_side *);
static int	epm_insp_init(struct conn *);
static ssize_t	dcerpc_insp_input(struct conn_side *, const uint8_t *, size_t);
static void	dcerpc_insp_free(struct conn *);
static json_t	*dcerpc_insp_state_json(struct conn *);
static int	dcerpc_insp_eof(struct conn_side *);
static void	dcerpc_insp_anomaly(struct rpc_side *, const char *,
		    const char *, uint64_t, int);
static void	dcerpc_insp_pdu(void *, const uint8_t *, size_t, uint64_t);
static void	dcerpc_insp_error(void *, const char *, const char *, uint64_t);

static const struct dcerpc_framer_callbacks rpc_framer_cb = {
	dcerpc_insp_pdu,
	dcerpc_insp_error
};

const struct inspector inspector_dcerpc = {
	"dcerpc", dcerpc_insp_init, dcerpc_insp_input, dcerpc_insp_free,
	dcerpc_insp_state_json, dcerpc_insp_eof, NULL
};

const struct inspector inspector_epm = {
	"epm", epm_insp_init, dcerpc_insp_input, dcerpc_insp_free,
	dcerpc_insp_state_json, dcerpc_insp_eof, NULL
};

static void
dcerpc_insp_side_init(struct rpc_side *sd, struct conn_side *cs)
{
	sd->cs = cs;
	sd->hold_from = UINT64_MAX;
	dcerpc_framer_init(&sd->fr, RPC_FRAG_CAP, &rpc_framer_cb, sd);
	dcerpc_reasm_init(&sd->ra, RPC_CALL_CAP, RPC_MAX_CALLS);
	cs->cs_desc = sd;
}

static int
dcerpc_insp_init(struct conn *c)
{
	struct rpc_state	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return (-1);
	dcerpc_insp_side_init(&st->client, &c->c_client);
	dcerpc_insp_side_init(&st->target, &c->c_target);
	c->c_insp_state = st;
	return (0);
}

static int
epm_insp_init(struct conn *c)
{
	struct rpc_state	*st;

	if (dcerpc_insp_init(c) == -1)
		return (-1);
	st = c->c_insp_state;
	st->epm = 1;
	/* Replies are held PDU by PDU where a tower may be rewritten. */
	if (c->c_conf->rewrite_towers || c->c_conf->pinholes)
		c->c_target.cs_hold = 1;
	return (0);
}

/* A fragment cut by the FIN (C706 12.6.3: frag_length) is framing. */
static int
dcerpc_insp_eof(struct conn_side *cs)
{
	struct rpc_side		*sd = cs->cs_desc;
	struct rpc_state	*st = cs->cs_conn->c_insp_state;
	char			 detail[96];

	if (sd == NULL || st == NULL || sd->dead || sd->fr.df_dead ||
	    sd->fr.df_stopped || sd->fr.df_have == 0)
		return (0);
	snprintf(detail, sizeof(detail), "stream ended %zu bytes into a %s",
	    sd->fr.df_have, sd->fr.df_need ? "fragment" : "fragment header");
	dcerpc_insp_anomaly(sd, "dcerpc_truncated", detail, sd->fr.df_off -
	    sd->fr.df_have, RPC_FATAL);
	return (st->violation ? -1 : 0);
}

static void
dcerpc_insp_free(struct conn *c)
{
	struct rpc_state	*st = c->c_insp_state;

	if (st == NULL)
		return;
	dcerpc_framer_free(&st->client.fr);
	dcerpc_framer_free(&st->target.fr);
	dcerpc_reasm_free(&st->client.ra);
	dcerpc_reasm_free(&st->target.ra);
	rpc_frag_reset(&st->client);
	rpc_frag_reset(&st->target);
	free(st->pending);
	free(st);
	c->c_insp_state = NULL;
}

static json_t *
dcerpc_insp_state_json(struct conn *c)
{
	struct rpc_state	*st = c->c_insp_state;
	json_t			*o = json_object(), *a;
	char			 u[40];
	unsigned int		 i;

	if (st == NULL)
		return (o);
	a = json_array();
	for (i = 0; i < st->nctx; i++)
		json_array_append_new(a, json_string(dcerpc_uuid_format(
		    &st->ctx[i].iface.uuid, u, sizeof(u))));
	json_object_set_new(o, "interfaces", a);
	json_object_set_new(o, "calls", json_integer((json_int_t)st->calls));
	json_object_set_new(o, "pending", json_integer(st->npending));
	return (o);
}

/*
 * An anomaly of one of three classes: RPC_FATAL, the fragment framing is
 * lost (C706 12.6.3: version, drep, frag_length, auth_length, ptype); the
 * stream cannot be followed any more. RPC_FRAMING, a PDU whose body cannot
 * be parsed (C706 12.6.4). RPC_CONFORMANCE, what real stacks answer and go
 * on from: a minor version above 1, fragment flags out of order, a stub the
 * endpoint mapper's NDR does not decode. strict = true closes on the first
 * two, "conformance" on all; otherwise log and go on.
 */
static void
dcerpc_insp_anomaly(struct rpc_side *sd, const char *rule, const char *detail,
    uint64_t off, int cls)
{
	struct conn_side	*cs = sd->cs;
	struct conn		*c = cs->cs_conn;
	struct rpc_state	*st = c->c_insp_state;
	int			 strict = c->c_conf->strict, closes;
	unsigned int		 i;
	json_t			*ev;

	closes = (strict >= STRICT_FRAMING && cls != RPC_CONFORMANCE) ||
	    strict == STRICT_CONFORMANCE;
	if (!closes && cls == RPC_CONFORMANCE) {
		for (i = 0; i < sd->nseen; i++)
			if (strcmp(sd->seen[i], rule) == 0)
				return;
		if (sd->nseen < RPC_RULES_SEEN)
			sd->seen[sd->nseen++] = rule;
	}
	if (closes && !st->violation) {
		st->violation = 1;
		conn_set_reason(c, "%s at offset %llu from %s%s%s", rule,
		    (unsigned long long)off, cs->cs_name,
		    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	}
	if ((ev = conn_event_level(c, LOG_LEVEL_WARNING,
	    "inspect_anomaly")) != NULL) {
		eventlog_str(ev, "protocol", c->c_insp->name);
		eventlog_str(ev, "from", cs->cs_name);
		eventlog_str(ev, "rule", rule);
		eventlog_int(ev, "offset", (long long)off);
		eventlog_str(ev, "class", cls == RPC_CONFORMANCE ?
		    "conformance" : "framing");
		eventlog_str(ev, "severity", cls == RPC_FATAL ? "fatal" :
		    cls == RPC_FRAMING || strict == STRICT_CONFORMANCE ?
		    "error" : "warning");
		if (detail != NULL)
			eventlog_str(ev, "detail", detail);
		eventlog_str(ev, "action", closes ? "close" : "pass");
		eventlog_emit(ev);
	}
	if (cls == RPC_FATAL) {
		sd->dead = 1;
		sd->hold_from = UINT64_MAX;
	}
}

static void
dcerpc_insp_error(void *arg, const char *rule, const char *detail, uint64_t off)
{
	dcerpc_insp_anomaly(arg, rule, detail, off, RPC_FATAL);
}

static void
dcerpc_insp_syntax_json(json_t *o, const struct dcerpc_syntax *sx)
{
	char		 u[40], v[16];
	const char	*name;

	json_object_set_new(o, "uuid", json_string(dcerpc_uuid_format(
	    &sx->uuid, u, sizeof(u))));
	snprintf(v, sizeof(v), "%u.%u", sx->major, sx->minor);
	json_object_set_new(o, "version", json_string(v));
	if ((name = dcerpc_if_name(&sx->uuid, sx->major)) != NULL)
		json_object_set_new(o, "name", json_string(name));
}

static const struct dcerpc_syntax *
dcerpc_insp_ctx_iface(struct rpc_state *st, uint16_t id)
{
	unsigned int	 i;

	for (i = 0; i < st->nctx; i++)
		if (st->ctx[i].id == id)
			return (&st->ctx[i].iface);
	return (NULL);
}

static void
dcerpc_insp_bind(struct conn *c, struct rpc_side *sd,
    const struct dcerpc_pdu *p)
{
	struct rpc_state	*st = c->c_insp_state;
	const struct dcerpc_bind *b = &p->u.bind;
	json_t			*ev, *a, *o;
	unsigned int		 i, j;

	for (i = 0; i < b->n_ctx; i++) {
		for (j = 0; j < st->nctx; j++)
			if (st->ctx[j].id == b->ctx[i].p_cont_id)
				break;
		if (j == st->nctx) {
			if (st->nctx == RPC_MAX_CTX)
				continue;
			st->nctx++;
		}
		st->ctx[j].id = b->ctx[i].p_cont_id;
		st->ctx[j].iface = b->ctx[i].abstract;
	}
	if ((ev = conn_event(c, "rpc_bind")) == NULL)
		return;
	eventlog_str(ev, "from", sd->cs->cs_name);
	eventlog_str(ev, "type", dcerpc_ptype_name(p->hdr.ptype));
	eventlog_int(ev, "call_id", p->hdr.call_id);
	eventlog_int(ev, "max_xmit", b->max_xmit);
	eventlog_int(ev, "max_recv", b->max_recv);
	eventlog_int(ev, "assoc_group", b->assoc_group);
	a = json_array();
	for (i = 0; i < b->n_ctx; i++) {
		o = json_object();
		json_object_set_new(o, "ctx", json_integer(b->ctx[i].p_cont_id));
		dcerpc_insp_syntax_json(o, &b->ctx[i].abstract);
		json_array_append_new(a, o);
	}
	json_object_set_new(ev, "contexts", a);
	inspect_emit(c, ev);
}

static void
dcerpc_insp_bind_ack(struct conn *c, struct rpc_side *sd,
    const struct dcerpc_pdu *p)
{
	const struct dcerpc_bind_ack *b = &p->u.ack;
	json_t			*ev, *a, *o;
	unsigned int		 i;

	if ((ev = conn_event(c, "rpc_bind_ack")) == NULL)
		return;
	eventlog_str(ev, "from", sd->cs->cs_name);
	eventlog_str(ev, "type", dcerpc_ptype_name(p->hdr.ptype));
	eventlog_int(ev, "call_id", p->hdr.call_id);
	eventlog_int(ev, "assoc_group", b->assoc_group);
	eventlog_str(ev, "secondary_address", b->sec_addr);
	a = json_array();
	for (i = 0; i < b->n_results; i++) {
		o = json_object();
		json_object_set_new(o, "result", json_string(
		    dcerpc_result_name(b->results[i].result)));
		if (b->results[i].result != 0)
			json_object_set_new(o, "reason", json_string(
			    dcerpc_result_reason_name(b->results[i].reason)));
		json_array_append_new(a, o);
	}
	json_object_set_new(ev, "results", a);
	inspect_emit(c, ev);
}

static struct rpc_pending *
dcerpc_insp_pending_find(struct rpc_state *st, uint32_t call_id)
{
	unsigned int	 i;

	for (i = 0; i < st->npending; i++)
		if (st->pending[i].call_id == call_id)
			return (&st->pending[i]);
	return (NULL);
}

static void
dcerpc_insp_pending_drop(struct rpc_state *st, struct rpc_pending *pd)
{
	*pd = st->pending[--st->npending];
	if (st->npending == 0) {
		free(st->pending);
		st->pending = NULL;
	}
}

/* Where fragment i of the call being reassembled began, and its stub. */
static uint64_t
rpc_frag_off(const struct rpc_side *sd, unsigned int i)
{
	return (i == 0 ? sd->frag_off0 : sd->frags->off[i - 1]);
}

static size_t
rpc_frag_stub(const struct rpc_side *sd, unsigned int i)
{
	return (i == 0 ? sd->frag_stub0 : sd->frags->stub[i - 1]);
}

/* Note a fragment; past RPC_MAX_FRAGS (or without memory) it is not
 * noted, and a rewrite that falls in it is not made. */
static void
rpc_frag_add(struct rpc_side *sd, uint64_t off, size_t stub)
{
	if (sd->nfrag == 0) {
		sd->frag_off0 = off;
		sd->frag_stub0 = stub;
	} else if (!sd->frags_lost && sd->nfrag < RPC_MAX_FRAGS &&
	    (sd->frags != NULL || (sd->frags = malloc(sizeof(*sd->frags))) !=
	    NULL)) {
		sd->frags->off[sd->nfrag - 1] = off;
		sd->frags->stub[sd->nfrag - 1] = stub;
	} else {
		/* The later fragments must not take this one's place. */
		sd->frags_lost = 1;
		return;
	}
	sd->nfrag++;
}

static void
rpc_frag_reset(struct rpc_side *sd)
{
	free(sd->frags);
	sd->frags = NULL;
	sd->frags_lost = 0;
	sd->nfrag = 0;
}

/* Bindback awareness: a string binding in a request opens the way back. */
static void
dcerpc_insp_strbind(struct conn *c, const uint8_t *stub, size_t len)
{
	struct strbind		 sb[RPC_MAX_STRBIND];
	struct sockaddr_storage	 laddr, taddr;
	size_t			 n, i;
	json_t			*ev;
	char			 what[80];

	n = strbind_scan(stub, len, sb, RPC_MAX_STRBIND);
	for (i = 0; i < n && i < RPC_MAX_STRBIND; i++) {
		if ((ev = conn_event(c, "rpc_string_binding")) != NULL) {
			eventlog_str(ev, "host", sb[i].host);
			eventlog_int(ev, "port", sb[i].port);
			eventlog_str(ev, "encoding", strbind_enc_name(sb[i].enc));
			inspect_emit(c, ev);
		}
		/*
		 * The called side will dial HOST:PORT, and HOST is where it
		 * reaches the caller: us, on the side facing it. Listen on
		 * our address towards the target; relay to the caller.
		 */
		memcpy(&laddr, conn_side_local(&c->c_target), sizeof(laddr));
		addr_set_port((struct sockaddr *)&laddr, sb[i].port);
		taddr = c->c_client.cs_addr;
		addr_set_port((struct sockaddr *)&taddr, sb[i].port);
		snprintf(what, sizeof(what), "ncacn_ip_tcp:%s[%u]", sb[i].host,
		    sb[i].port);
		pinhole_open(c, "bindback", (struct sockaddr *)&laddr,
		    (struct sockaddr *)&taddr,
		    (struct sockaddr *)&c->c_target.cs_addr, what);
	}
}

/* Write len bytes at stub offset off of a reassembled reply, in place. */
static void
dcerpc_insp_rewrite(struct rpc_side *sd, const struct dcerpc_call *call,
    size_t off, const uint8_t *data, size_t len)
{
	unsigned int	 frag;
	size_t		 foff, i;

	for (i = 0; i < len; i++) {
		if (dcerpc_call_locate(call, off + i, &frag, &foff) == -1 ||
		    frag >= sd->nfrag)
			return;
		inspect_rewrite(sd->cs, rpc_frag_off(sd, frag) +
		    rpc_frag_stub(sd, frag) + foff, &data[i], 1);
	}
}

/* An endpoint-mapper answer: log, open pinholes, rewrite the towers. */
static void
epm_insp_reply(struct conn *c, struct rpc_side *sd, struct rpc_pending *pd,
    const struct dcerpc_call *call, int le)
{
	struct relay_conf	*rc = c->c_conf;
	struct epm_map_resp	 mr;
	struct epm_lookup_resp	*lr = NULL;
	const struct epm_tower	*tw[EPM_MAX_TOWERS > EPM_MAX_ENTRIES ?
				    EPM_MAX_TOWERS : EPM_MAX_ENTRIES];
	struct sockaddr_storage	 laddr, taddr;
	struct sockaddr_in	*sin;
	const char		*errstr = NULL, *name;
	unsigned int		 n = 0, i;
	json_t			*ev;
	char			 u[40], what[80], ip[INET_ADDRSTRLEN];
	uint8_t			 portbe[2];
	int			 port;

	if (pd->opnum == EPM_OP_MAP) {
		if (epm_map_resp_parse(call->stub, call->stub_len, le, 0, &mr,
		    &errstr) == -1) {
			dcerpc_insp_anomaly(sd, errstr, "ept_map reply",
			    sd->frag_off0, RPC_CONFORMANCE);
			return;
		}
		for (i = 0; i < mr.ntowers; i++)
			tw[n++] = &mr.towers[i];
	} else {
		if ((lr = malloc(sizeof(*lr))) == NULL)
			return;
		if (epm_lookup_resp_parse(call->stub, call->stub_len, le, lr,
		    &errstr) == -1) {
			dcerpc_insp_anomaly(sd, errstr, "ept_lookup reply",
			    sd->frag_off0, RPC_CONFORMANCE);
			free(lr);
			return;
		}
		for (i = 0; i < lr->nentries; i++)
			if (lr->entries[i].has_tower)
				tw[n++] = &lr->entries[i].tower;
	}
	for (i = 0; i < n; i++) {
		const struct epm_tower *t = tw[i];

		if (!t->has_port || t->port_proto != 0x07)
			continue;
		if ((ev = conn_event(c, "epm_map")) != NULL) {
			eventlog_str(ev, "operation", epm_opnum_name(pd->opnum));
			if (t->has_iface) {
				eventlog_str(ev, "interface", dcerpc_uuid_format(
				    &t->iface.uuid, u, sizeof(u)));
				if ((name = dcerpc_if_name(&t->iface.uuid,
				    t->iface.major)) != NULL)
					eventlog_str(ev, "interface_name", name);
			}
			if (t->has_ip) {
				snprintf(ip, sizeof(ip), "%u.%u.%u.%u",
				    t->ip[0], t->ip[1], t->ip[2], t->ip[3]);
				eventlog_str(ev, "address", ip);
			}
			eventlog_int(ev, "port", t->port);
			inspect_emit(c, ev);
		}
		if (!rc->pinholes && !rc->rewrite_towers)
			continue;
		/* The server as learned; 0.0.0.0 means the one we dialled. */
		taddr = c->c_target.cs_addr;
		if (t->has_ip && taddr.ss_family == AF_INET &&
		    memcmp(t->ip, "\0\0\0\0", 4) != 0)
			memcpy(&((struct sockaddr_in *)&taddr)->sin_addr, t->ip,
			    4);
		addr_set_port((struct sockaddr *)&taddr, t->port);
		laddr = c->c_dst;
		addr_set_port((struct sockaddr *)&laddr, t->port);
		port = t->port;
		if (rc->pinholes) {
			snprintf(what, sizeof(what), "%s",
			    t->has_iface ? dcerpc_uuid_format(&t->iface.uuid, u,
			    sizeof(u)) : "?");
			port = pinhole_open(c, "epm", (struct sockaddr *)&laddr,
			    (struct sockaddr *)&taddr,
			    (struct sockaddr *)&c->c_client.cs_addr, what);
			if (port == -1)
				port = t->port;
		}
		/* NAT helper: clients dial the firewall, at the pinhole. */
		if (rc->rewrite_towers && t->has_ip &&
		    c->c_dst.ss_family == AF_INET) {
			sin = (struct sockaddr_in *)&c->c_dst;
			dcerpc_insp_rewrite(sd, call, t->ip_off,
			    (const uint8_t *)&sin->sin_addr, 4);
		}
		if (port != t->port) {
			portbe[0] = (uint8_t)(port >> 8);
			portbe[1] = (uint8_t)port;
			dcerpc_insp_rewrite(sd, call, t->port_off, portbe, 2);
		}
	}
	free(lr);
}

static void
dcerpc_insp_call_done(struct conn *c, struct rpc_side *sd,
    const struct dcerpc_call *call, int le)
{
	struct rpc_state	*st = c->c_insp_state;
	const struct dcerpc_syntax *ifc;
	struct rpc_pending	*pd;
	struct epm_map_req	 mq;
	const char		*errstr, *name = NULL;
	json_t			*ev;

	st->calls++;
	if (call->ptype == 0) {		/* request */
		ifc = dcerpc_insp_ctx_iface(st, call->p_cont_id);
		if (ifc != NULL)
			name = dcerpc_if_name(&ifc->uuid, ifc->major);
		if ((ev = conn_event_level(c, LOG_LEVEL_DEBUG, "rpc_call")) !=
		    NULL) {
			eventlog_int(ev, "call_id", call->call_id);
			eventlog_int(ev, "opnum", call->opnum);
			if (name != NULL)
				eventlog_str(ev, "interface_name", name);
			eventlog_int(ev, "stub_length", (long long)call->stub_len);
			eventlog_int(ev, "fragments", call->nfrags);
			inspect_emit(c, ev);
		}
		if (st->epm && ifc != NULL && dcerpc_uuid_eq(&ifc->uuid,
		    &dcerpc_uuid_epm) && (call->opnum == EPM_OP_MAP ||
		    call->opnum == EPM_OP_LOOKUP) && st->npending < RPC_PENDING &&
		    (st->pending != NULL || (st->pending = calloc(RPC_PENDING,
		    sizeof(*st->pending))) != NULL)) {
			pd = &st->pending[st->npending++];
			memset(pd, 0, sizeof(*pd));
			pd->call_id = call->call_id;
			pd->opnum = call->opnum;
			pd->is_epm = 1;
			if (call->opnum == EPM_OP_MAP && epm_map_req_parse(
			    call->stub, call->stub_len, le, &mq, &errstr) == 0 &&
			    mq.tower.has_iface) {
				pd->asked = mq.tower.iface;
				pd->has_asked = 1;
			}
		}
		if (c->c_conf->string_bindings)
			dcerpc_insp_strbind(c, call->stub, call->stub_len);
		return;
	}
	/* response */
	if ((ev = conn_event_level(c, LOG_LEVEL_DEBUG, "rpc_response")) !=
	    NULL) {
		eventlog_int(ev, "call_id", call->call_id);
		eventlog_int(ev, "stub_length", (long long)call->stub_len);
		inspect_emit(c, ev);
	}
	if ((pd = dcerpc_insp_pending_find(st, call->call_id)) != NULL) {
		epm_insp_reply(c, sd, pd, call, le);
		dcerpc_insp_pending_drop(st, pd);
	}
}

static void
dcerpc_insp_pdu(void *arg, const uint8_t *buf, size_t len, uint64_t off)
{
	struct rpc_side		*sd = arg;
	struct conn		*c = sd->cs->cs_conn;
	struct rpc_state	*st = c->c_insp_state;
	struct dcerpc_pdu	 p;
	struct dcerpc_call	 call;
	struct rpc_pending	*pd;
	const char		*errstr = NULL;
	json_t			*ev;
	int			 r;

	if (dcerpc_pdu_parse(buf, len, &p, &errstr) == -1) {
		dcerpc_insp_anomaly(sd, errstr, NULL, off, RPC_FRAMING);
		return;
	}
	if (p.hdr.rpc_vers_minor > 1)
		dcerpc_insp_anomaly(sd, "dcerpc_version_minor",
		    "rpc version 5.x with x above 1 (a receiver answers "
		    "bind_nak)", off, RPC_CONFORMANCE);
	switch (p.hdr.ptype) {
	case 11:	/* bind */
	case 14:	/* alter_context */
		dcerpc_insp_bind(c, sd, &p);
		break;
	case 12:	/* bind_ack */
	case 15:	/* alter_context_resp */
		dcerpc_insp_bind_ack(c, sd, &p);
		break;
	case 13:	/* bind_nak */
		if ((ev = conn_event(c, "rpc_bind_nak")) != NULL) {
			eventlog_int(ev, "call_id", p.hdr.call_id);
			eventlog_int(ev, "reason", p.u.nak.reason);
			eventlog_str(ev, "reason_name",
			    dcerpc_nak_reason_name(p.u.nak.reason));
			eventlog_emit(ev);
		}
		break;
	case 3:		/* fault */
		if ((ev = conn_event(c, "rpc_fault")) != NULL) {
			eventlog_int(ev, "call_id", p.hdr.call_id);
			eventlog_int(ev, "status", p.u.fault.status);
			if (dcerpc_fault_name(p.u.fault.status) != NULL)
				eventlog_str(ev, "status_name",
				    dcerpc_fault_name(p.u.fault.status));
			eventlog_emit(ev);
		}
		if ((pd = dcerpc_insp_pending_find(st, p.hdr.call_id)) != NULL)
			dcerpc_insp_pending_drop(st, pd);
		dcerpc_reasm_drop(&sd->ra, p.hdr.call_id);
		break;
	case 0:		/* request */
	case 2:		/* response */
		if (sd->nfrag == 0 || sd->frag_call != p.hdr.call_id ||
		    (p.hdr.pfc_flags & DCERPC_PFC_FIRST_FRAG)) {
			rpc_frag_reset(sd);
			sd->frag_call = p.hdr.call_id;
		}
		rpc_frag_add(sd, off, p.stub_off);
		r = dcerpc_reasm_add(&sd->ra, &p, &call, &errstr);
		if (r == -1) {
			dcerpc_insp_anomaly(sd, errstr, NULL, off,
			    RPC_CONFORMANCE);
			sd->hold_from = UINT64_MAX;
			break;
		}
		if (r == 0) {
			if (sd->hold_from == UINT64_MAX)
				sd->hold_from = sd->frag_off0;
			break;
		}
		sd->hold_from = UINT64_MAX;
		dcerpc_insp_call_done(c, sd, &call, p.hdr.le);
		rpc_frag_reset(sd);
		break;
	default:
		break;
	}
}

static ssize_t
dcerpc_insp_input(struct conn_side *cs, const uint8_t *buf, size_t len)
{
	struct rpc_side		*sd = cs->cs_desc;
	struct conn		*c = cs->cs_conn;
	struct rpc_state	*st = c->c_insp_state;
	uint64_t		 until;

	if (!sd->dead && dcerpc_framer_feed(&sd->fr, buf, len) == -1 &&
	    !sd->dead) {
		sd->dead = 1;
		sd->hold_from = UINT64_MAX;
	}
	if (c->c_flags & CONN_DEAD)
		return (0);
	if (st->violation)
		return (-1);
	if (!cs->cs_hold)
		return ((ssize_t)len);
	if (sd->dead) {
		/* Nothing more can be decoded: stop holding. */
		cs->cs_hold = 0;
		return ((ssize_t)(evbuffer_get_length(cs->cs_in)));
	}
	/* Whole PDUs go; an open multi-fragment reply waits for its end. */
	until = dcerpc_framer_boundary(&sd->fr);
	if (sd->hold_from < until)
		until = sd->hold_from;
	return (until > cs->cs_fwd ? (ssize_t)(until - cs->cs_fwd) : 0);
}
