/*
 * The RPC site connector of an Exchange 5.5 MTA (PROTOCOLS.md 3.2), over
 * real connection-oriented DCE/RPC on TCP built with libfwproto:
 *
 *  1. the caller A asks B's endpoint mapper (ept_map, opnum 3) for the MTA
 *     interface 9e8ee830-4459-11ce-979b-00aa005ffebe v2.0 and dials the
 *     host it asked at the port of the tower;
 *  2. A binds and calls MtaBind (the lab's opnum 0) with its bindback
 *     string binding "ncacn_ip_tcp:HOST[PORT]" (mtabind.c);
 *  3. B resolves HOST in its hosts map and opens the bindback: to PORT
 *     (5.5 SP2 and later, "given") or, before SP2, to whatever A's endpoint
 *     mapper at HOST says ("endpoint-mapper", Q191594); it binds and calls
 *     MtaBindBack (opnum 1), then answers A's MtaBind;
 *  4. mail flows: A's over the forward connection, B's over the bindback
 *     (MtaTransfer, opnum 2), until A calls MtaUnbind (opnum 3).
 *
 * A forward failure (endpoint mapper, bind or MtaBind unreachable) is 9318
 * on A; a bindback failure is 9322 on B, with error 1722 and the string
 * binding, and B answers MtaBind with 1722 (A logs the lab's own
 * mtabind_failed event: Exchange's text for it is not known).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "mtasim.h"
#include "dcerpc.h"
#include "epm.h"
#include "strbind.h"

#define RPC_FRAG		4280	/* max_xmit/max_recv, as Windows */
#define RPC_MAX_TOWERS		4
#define RPC_STUB_MAX		(MTA_MAIL_SIZE_MAX + 1024)

enum rpc_role {
	RPC_SRV_EPM = 0,	/* accepted on our endpoint mapper */
	RPC_SRV_MTA,		/* accepted on our MTA RPC listener */
	RPC_CLIENT		/* we connected */
};

enum rpc_cstate {
	RC_CONNECTING = 0,
	RC_BINDING,		/* bind sent */
	RC_IDLE,		/* bound, no call outstanding */
	RC_CALLING		/* a request is outstanding */
};

struct rpc_assoc;

struct rpc_conn {
	struct bufferevent	*rc_bev;
	enum rpc_role		 rc_role;
	enum rpc_cstate		 rc_state;
	/* client of an endpoint mapper */
	int			 rc_epm;
	struct sockaddr_in	 rc_addr;	/* the TCP peer */
	struct rpc_assoc	*rc_assoc;
	uint32_t		 rc_next_call;
	uint32_t		 rc_call;	/* client: outstanding call */
	uint16_t		 rc_opnum;
	int			 rc_bound;	/* server: a context accepted */
	uint16_t		 rc_ctx;
	struct dcerpc_reasm	 rc_reasm;
	struct message		*rc_msg;	/* client: transfer in flight */
	int			 rc_closing;	/* free once written */
	int			 rc_dead;
	TAILQ_ENTRY(rpc_conn)	 rc_entry;
};
TAILQ_HEAD(rpc_conn_list, rpc_conn);

enum rpc_astate {
	RA_EPM = 0,		/* asking an endpoint mapper */
	RA_CONNECT,		/* connecting and binding to the MTA port */
	RA_MTABIND,		/* caller: MtaBind sent */
	RA_BINDBACK,		/* called: MtaBindBack sent */
	RA_OPEN,		/* mail flows */
	RA_UNBIND		/* caller: MtaUnbind sent */
};

struct rpc_assoc {
	int			 ra_out;	/* we called */
	int			 ra_connector;
	char			 ra_peer[MTA_NAME_MAX];
	enum rpc_astate		 ra_state;
	struct rpc_conn		*ra_fwd;	/* the caller's connection */
	struct rpc_conn		*ra_bb;		/* the bindback connection */
	struct rpc_conn		*ra_epm;	/* endpoint mapper query */
	struct in_addr		 ra_host;	/* where we dial */
	char			 ra_hostname[MTA_HOST_MAX];
	uint16_t		 ra_port;	/* bindback port as given */
	char			 ra_binding[MTA_HOST_MAX + 32];
	uint32_t		 ra_bind_call;	/* called: held MtaBind */
	uint16_t		 ra_bind_ctx;
	int			 ra_unbind;	/* called: MtaUnbind came */
	uint32_t		 ra_unbind_call;
	int			 ra_counted;	/* holds peer->p_active */
	unsigned int		 ra_ltab;
	unsigned int		 ra_sent;
	unsigned int		 ra_received;
	struct event		*ra_timer;
	TAILQ_ENTRY(rpc_assoc)	 ra_entry;
};
TAILQ_HEAD(rpc_assoc_list, rpc_assoc);

static struct rpc_conn_list	 rpc_conns = TAILQ_HEAD_INITIALIZER(rpc_conns);
static struct rpc_assoc_list	 rpc_assocs =
    TAILQ_HEAD_INITIALIZER(rpc_assocs);
static struct dcerpc_syntax	 rpc_mta_if, rpc_epm_if, rpc_ndr;

static struct rpc_conn *rpc_conn_new(enum rpc_role, struct bufferevent *,
		    const struct sockaddr_in *);
static void	rpc_conn_free(struct rpc_conn *);
static void	rpc_conn_reap(int, short, void *);
static void	rpc_conn_close_flushed(struct rpc_conn *);
static void	rpc_accept_epm(int, struct sockaddr_in *, void *);
static void	rpc_accept_mta(int, struct sockaddr_in *, void *);
static void	rpc_read(struct bufferevent *, void *);
static void	rpc_written(struct bufferevent *, void *);
static void	rpc_event(struct bufferevent *, short, void *);
static void	rpc_pdu(struct rpc_conn *, const uint8_t *, size_t);
static void	rpc_srv_bind(struct rpc_conn *, const struct dcerpc_pdu *);
static void	rpc_srv_request(struct rpc_conn *, const struct dcerpc_call *);
static void	rpc_srv_epm_map(struct rpc_conn *, const struct dcerpc_call *);
static void	rpc_srv_mtabind(struct rpc_conn *, const struct dcerpc_call *);
static void	rpc_srv_bindback(struct rpc_conn *,
		    const struct dcerpc_call *);
static void	rpc_srv_transfer(struct rpc_conn *,
		    const struct dcerpc_call *);
static void	rpc_cli_bound(struct rpc_conn *, const struct dcerpc_pdu *);
static void	rpc_cli_response(struct rpc_conn *,
		    const struct dcerpc_call *);
static void	rpc_cli_lost(struct rpc_conn *, const char *);
static int	rpc_cli_start(struct rpc_assoc *, int, struct in_addr, int);
static int	rpc_send_request(struct rpc_conn *, uint16_t, const uint8_t *,
		    size_t);
static int	rpc_send_response(struct rpc_conn *, uint32_t, uint16_t,
		    const uint8_t *, size_t);
static int	rpc_send_status(struct rpc_conn *, uint32_t, uint16_t,
		    uint32_t);
static void	rpc_send_fault(struct rpc_conn *, uint32_t, uint32_t);
static struct rpc_assoc *rpc_assoc_new(int, int, const char *);
static void	rpc_assoc_end(struct rpc_assoc *, int, const char *);
static void	rpc_assoc_timeout(int, short, void *);
static void	rpc_assoc_event(struct rpc_assoc *, const char *, const char *);
static void	rpc_pump(struct rpc_assoc *);
static void	rpc_fail_forward(struct rpc_assoc *, const char *);
static void	rpc_fail_bindback(struct rpc_assoc *, const char *);
static void	rpc_opened(struct rpc_assoc *);

/* Listen for the endpoint mapper and the MTA's RPC port. */
int
rpc_init(void)
{
	struct mta_conf		*mc = ms->ms_conf;
	json_t			*ev;
	struct sockaddr_in	 sin;
	char			 err[MTA_ERR_MAX], abuf[64];
	size_t			 i;
	int			 port, want;

	if (dcerpc_if_lookup("exchange_mta", &rpc_mta_if) == -1 ||
	    dcerpc_if_lookup("epm", &rpc_epm_if) == -1)
		return (-1);
	rpc_ndr.uuid = dcerpc_uuid_ndr;
	rpc_ndr.major = 2;
	rpc_ndr.minor = 0;
	if (!mc->rpc)
		return (0);
	want = mc->rpc_port;
	for (i = 0; i < mc->nlisten; i++) {
		/* A dynamic port: the OS picks it on the first address, the
		 * others take the same one. */
		if (net_listen(mc->listen[i], want, rpc_accept_mta, NULL,
		    &port, err, sizeof(err)) == NULL) {
			evlog_text("rpc: %s", err);
			return (-1);
		}
		want = ms->ms_rpc_port = port;
		net_sin(&sin, mc->listen[i], port);
		if ((ev = evlog_new("listen")) != NULL) {
			json_object_set_new(ev, "service", json_string("rpc"));
			json_object_set_new(ev, "listen", json_string(
			    evlog_addr((struct sockaddr *)&sin, abuf,
			    sizeof(abuf))));
			json_object_set_new(ev, "dynamic",
			    json_boolean(mc->rpc_port == 0));
			evlog_emit(ev);
		}
		if (mc->epm_port == 0)
			continue;
		if (net_listen(mc->listen[i], mc->epm_port, rpc_accept_epm,
		    NULL, &port, err, sizeof(err)) == NULL) {
			evlog_text("epm: %s", err);
			return (-1);
		}
		net_sin(&sin, mc->listen[i], port);
		if ((ev = evlog_new("listen")) != NULL) {
			json_object_set_new(ev, "service", json_string("epm"));
			json_object_set_new(ev, "listen", json_string(
			    evlog_addr((struct sockaddr *)&sin, abuf,
			    sizeof(abuf))));
			evlog_emit(ev);
		}
	}
	return (0);
}

static struct rpc_conn *
rpc_conn_new(enum rpc_role role, struct bufferevent *bev,
    const struct sockaddr_in *peer)
{
	struct rpc_conn	*rc;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return (NULL);
	rc->rc_role = role;
	rc->rc_bev = bev;
	rc->rc_addr = *peer;
	rc->rc_next_call = 1;
	dcerpc_reasm_init(&rc->rc_reasm, DCERPC_REASM_CALL_CAP,
	    DCERPC_REASM_MAX_CALLS);
	TAILQ_INSERT_TAIL(&rpc_conns, rc, rc_entry);
	bufferevent_setcb(bev, rpc_read, rpc_written, rpc_event, rc);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	net_conn_opened();
	return (rc);
}

/*
 * Detach and close now; the memory goes later (tmux's deferred free), so
 * a callback further up the stack may still look at rc_dead.
 */
static void
rpc_conn_free(struct rpc_conn *rc)
{
	struct rpc_assoc	*ra = rc->rc_assoc;

	if (rc->rc_dead)
		return;
	rc->rc_dead = 1;
	if (ra != NULL) {
		if (ra->ra_fwd == rc)
			ra->ra_fwd = NULL;
		if (ra->ra_bb == rc)
			ra->ra_bb = NULL;
		if (ra->ra_epm == rc)
			ra->ra_epm = NULL;
		rc->rc_assoc = NULL;
	}
	if (rc->rc_msg != NULL) {
		queue_untake(rc->rc_msg);
		rc->rc_msg = NULL;
	}
	if (rc->rc_bev != NULL) {
		bufferevent_free(rc->rc_bev);
		rc->rc_bev = NULL;
	}
	TAILQ_REMOVE(&rpc_conns, rc, rc_entry);
	net_conn_closed();
	event_base_once(ms->ms_base, -1, EV_TIMEOUT, rpc_conn_reap, rc, NULL);
}

static void
rpc_conn_reap(int fd, short what, void *arg)
{
	struct rpc_conn	*rc = arg;

	dcerpc_reasm_free(&rc->rc_reasm);
	free(rc);
}

/* A server connection whose last answer is queued: close once written. */
static void
rpc_conn_close_flushed(struct rpc_conn *rc)
{
	if (rc->rc_dead)
		return;
	if (rc->rc_assoc != NULL) {
		if (rc->rc_assoc->ra_fwd == rc)
			rc->rc_assoc->ra_fwd = NULL;
		if (rc->rc_assoc->ra_bb == rc)
			rc->rc_assoc->ra_bb = NULL;
		rc->rc_assoc = NULL;
	}
	if (rc->rc_bev == NULL ||
	    evbuffer_get_length(bufferevent_get_output(rc->rc_bev)) == 0)
		rpc_conn_free(rc);
	else
		rc->rc_closing = 1;
}

static void
rpc_accept_epm(int fd, struct sockaddr_in *peer, void *arg)
{
	struct bufferevent	*bev;

	if ((bev = bufferevent_socket_new(ms->ms_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		return;
	}
	if (rpc_conn_new(RPC_SRV_EPM, bev, peer) == NULL)
		bufferevent_free(bev);
}

static void
rpc_accept_mta(int fd, struct sockaddr_in *peer, void *arg)
{
	struct bufferevent	*bev;

	if ((bev = bufferevent_socket_new(ms->ms_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		return;
	}
	if (rpc_conn_new(RPC_SRV_MTA, bev, peer) == NULL)
		bufferevent_free(bev);
}

static void
rpc_written(struct bufferevent *bev, void *arg)
{
	struct rpc_conn	*rc = arg;

	if (rc->rc_closing)
		rpc_conn_free(rc);
}

static void
rpc_event(struct bufferevent *bev, short what, void *arg)
{
	struct rpc_conn		*rc = arg;
	struct dcerpc_bind	 b;
	uint8_t			 buf[256];
	ssize_t			 n;
	char			 why[128];

	if (what & BEV_EVENT_CONNECTED) {
		memset(&b, 0, sizeof(b));
		b.max_xmit = b.max_recv = RPC_FRAG;
		b.n_ctx = 1;
		b.ctx[0].p_cont_id = 0;
		b.ctx[0].n_xfer = 1;
		b.ctx[0].abstract = rc->rc_epm ? rpc_epm_if : rpc_mta_if;
		b.ctx[0].xfer[0] = rpc_ndr;
		if ((n = dcerpc_build_bind(buf, sizeof(buf), DCERPC_BIND,
		    rc->rc_next_call++, &b)) == -1) {
			rpc_cli_lost(rc, "cannot build bind");
			return;
		}
		bufferevent_write(bev, buf, (size_t)n);
		rc->rc_state = RC_BINDING;
		return;
	}
	if (what & BEV_EVENT_ERROR)
		snprintf(why, sizeof(why), "%s", strerror(net_error(bev)));
	else
		snprintf(why, sizeof(why), "connection closed by the peer");
	if (rc->rc_role == RPC_CLIENT) {
		rpc_cli_lost(rc, why);
		return;
	}
	/*
	 * A server connection ended: the caller's forward connection or a
	 * bindback. The called MTA drops its bindback once it answered our
	 * MtaUnbind, and that close may overtake the answer: not an error.
	 * Any other end before the association's is abnormal.
	 */
	if (rc->rc_assoc != NULL && !(rc->rc_assoc->ra_out &&
	    rc->rc_assoc->ra_bb == rc && rc->rc_assoc->ra_state == RA_UNBIND))
		rpc_assoc_end(rc->rc_assoc, 0, why);
	rpc_conn_free(rc);
}

static void
rpc_read(struct bufferevent *bev, void *arg)
{
	struct rpc_conn		*rc = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct dcerpc_hdr	 h;
	uint8_t			 hdr[DCERPC_HDRLEN], *p;
	const char		*errstr;

	while (!rc->rc_dead && evbuffer_get_length(in) >= DCERPC_HDRLEN) {
		evbuffer_copyout(in, hdr, sizeof(hdr));
		if (dcerpc_hdr_parse(hdr, sizeof(hdr), &h, &errstr) == -1 ||
		    h.frag_length > RPC_FRAG) {
			evlog_text("rpc: %s from %s", h.frag_length > RPC_FRAG ?
			    "fragment too long" : errstr,
			    inet_ntoa(rc->rc_addr.sin_addr));
			if (rc->rc_role == RPC_CLIENT)
				rpc_cli_lost(rc, "protocol error");
			else {
				if (rc->rc_assoc != NULL)
					rpc_assoc_end(rc->rc_assoc, 0,
					    "protocol error");
				rpc_conn_free(rc);
			}
			return;
		}
		if (evbuffer_get_length(in) < h.frag_length)
			return;
		p = evbuffer_pullup(in, h.frag_length);
		rpc_pdu(rc, p, h.frag_length);
		if (rc->rc_dead)
			return;
		evbuffer_drain(in, h.frag_length);
	}
}

static void
rpc_pdu(struct rpc_conn *rc, const uint8_t *p, size_t len)
{
	struct dcerpc_pdu	 pdu;
	struct dcerpc_call	 call;
	const char		*errstr;
	int			 rv;

	if (dcerpc_pdu_parse(p, len, &pdu, &errstr) == -1) {
		evlog_text("rpc: bad PDU: %s", errstr);
		goto bad;
	}
	switch (pdu.hdr.ptype) {
	case DCERPC_BIND:
		if (rc->rc_role == RPC_CLIENT)
			goto bad;
		rpc_srv_bind(rc, &pdu);
		return;
	case DCERPC_BIND_ACK:
	case DCERPC_BIND_NAK:
		if (rc->rc_role != RPC_CLIENT || rc->rc_state != RC_BINDING)
			goto bad;
		rpc_cli_bound(rc, &pdu);
		return;
	case DCERPC_REQUEST:
	case DCERPC_RESPONSE:
		if ((pdu.hdr.ptype == DCERPC_REQUEST) !=
		    (rc->rc_role != RPC_CLIENT))
			goto bad;
		rv = dcerpc_reasm_add(&rc->rc_reasm, &pdu, &call, &errstr);
		if (rv == -1) {
			evlog_text("rpc: %s", errstr);
			goto bad;
		}
		if (rv == 0)
			return;
		if (pdu.hdr.ptype == DCERPC_REQUEST)
			rpc_srv_request(rc, &call);
		else
			rpc_cli_response(rc, &call);
		return;
	case DCERPC_FAULT:
		if (rc->rc_role == RPC_CLIENT) {
			char		 why[96];
			const char	*name;

			name = dcerpc_fault_name(pdu.u.fault.status);
			snprintf(why, sizeof(why), "fault %s (0x%08x)",
			    name != NULL ? name : "?", pdu.u.fault.status);
			rpc_cli_lost(rc, why);
			return;
		}
		goto bad;
	default:
		goto bad;
	}
 bad:
	if (rc->rc_role == RPC_CLIENT)
		rpc_cli_lost(rc, "protocol error");
	else {
		if (rc->rc_assoc != NULL)
			rpc_assoc_end(rc->rc_assoc, 0, "protocol error");
		rpc_conn_free(rc);
	}
}

/* bind on one of our listeners: accept the interface it serves. */
static void
rpc_srv_bind(struct rpc_conn *rc, const struct dcerpc_pdu *pdu)
{
	const struct dcerpc_bind	*b = &pdu->u.bind;
	const struct dcerpc_syntax	*want;
	struct dcerpc_bind_ack		 ack;
	uint8_t				 buf[512];
	char				 port[8];
	ssize_t				 n;
	unsigned int			 i;
	int				 ok = 0;

	want = rc->rc_role == RPC_SRV_EPM ? &rpc_epm_if : &rpc_mta_if;
	memset(&ack, 0, sizeof(ack));
	ack.max_xmit = ack.max_recv = RPC_FRAG;
	ack.assoc_group = 0x1234;
	snprintf(port, sizeof(port), "%d", rc->rc_role == RPC_SRV_EPM ?
	    ms->ms_conf->epm_port : ms->ms_rpc_port);
	dcerpc_set_sec_addr(&ack, port);
	ack.n_results = b->n_ctx;
	for (i = 0; i < b->n_ctx; i++) {
		if (!ok && dcerpc_uuid_eq(&b->ctx[i].abstract.uuid,
		    &want->uuid) && b->ctx[i].abstract.major == want->major &&
		    b->ctx[i].n_xfer > 0 && dcerpc_uuid_eq(
		    &b->ctx[i].xfer[0].uuid, &rpc_ndr.uuid)) {
			ack.results[i].result = DCERPC_ACCEPT;
			ack.results[i].xfer = rpc_ndr;
			rc->rc_ctx = b->ctx[i].p_cont_id;
			ok = 1;
		} else {
			ack.results[i].result = DCERPC_PROVIDER_REJECT;
			ack.results[i].reason = 1;	/* abstract syntax */
		}
	}
	if ((n = dcerpc_build_bind_ack(buf, sizeof(buf), DCERPC_BIND_ACK,
	    pdu->hdr.call_id, &ack)) == -1) {
		rpc_conn_free(rc);
		return;
	}
	bufferevent_write(rc->rc_bev, buf, (size_t)n);
	rc->rc_bound = ok;
}

static void
rpc_srv_request(struct rpc_conn *rc, const struct dcerpc_call *call)
{
	if (!rc->rc_bound) {
		rpc_send_fault(rc, call->call_id, DCERPC_NCA_S_UNK_IF);
		return;
	}
	if (rc->rc_role == RPC_SRV_EPM) {
		if (call->opnum == EPM_OP_MAP)
			rpc_srv_epm_map(rc, call);
		else
			rpc_send_fault(rc, call->call_id,
			    DCERPC_NCA_S_OP_RNG_ERROR);
		return;
	}
	switch (call->opnum) {
	case MTA_OP_BIND:
		rpc_srv_mtabind(rc, call);
		break;
	case MTA_OP_BINDBACK:
		rpc_srv_bindback(rc, call);
		break;
	case MTA_OP_TRANSFER:
		rpc_srv_transfer(rc, call);
		break;
	case MTA_OP_UNBIND:
		if (rc->rc_assoc == NULL || rc->rc_assoc->ra_out ||
		    rc->rc_assoc->ra_fwd != rc) {
			rpc_send_status(rc, call->call_id, call->p_cont_id,
			    DCERPC_ACCESS_DENIED);
			return;
		}
		rc->rc_assoc->ra_unbind = 1;
		rc->rc_assoc->ra_unbind_call = call->call_id;
		rpc_pump(rc->rc_assoc);
		break;
	default:
		rpc_send_fault(rc, call->call_id, DCERPC_NCA_S_OP_RNG_ERROR);
	}
}

/* ept_map: one tower for the MTA interface at our address and port. */
static void
rpc_srv_epm_map(struct rpc_conn *rc, const struct dcerpc_call *call)
{
	struct epm_map_req	 req;
	uint8_t			 tower[EPM_TCPIP_TOWER_LEN + 8], stub[512];
	const uint8_t		*towers[1];
	size_t			 lens[1];
	ssize_t			 tl, sl;
	const char		*errstr;
	uint32_t		 max;
	json_t			*ev;
	char			 abuf[64];
	int			 match;

	if (epm_map_req_parse(call->stub, call->stub_len, 1, &req,
	    &errstr) == -1) {
		evlog_text("epm: bad ept_map request: %s", errstr);
		rpc_send_fault(rc, call->call_id, DCERPC_BAD_STUB_DATA);
		return;
	}
	max = req.max_towers > RPC_MAX_TOWERS ? RPC_MAX_TOWERS :
	    req.max_towers;
	match = req.tower.has_iface && dcerpc_uuid_eq(&req.tower.iface.uuid,
	    &rpc_mta_if.uuid) && req.tower.iface.major == rpc_mta_if.major &&
	    ms->ms_conf->rpc && max > 0;
	if (match) {
		/* The tower names the first address we listen on. */
		tl = epm_build_tower_tcp(tower, sizeof(tower), &rpc_mta_if,
		    &rpc_ndr, (uint16_t)ms->ms_rpc_port,
		    (const uint8_t *)&ms->ms_conf->listen[0].s_addr);
		if (tl == -1) {
			rpc_send_fault(rc, call->call_id, DCERPC_BAD_STUB_DATA);
			return;
		}
		towers[0] = tower;
		lens[0] = (size_t)tl;
		sl = epm_build_map_resp(stub, sizeof(stub), NULL,
		    req.max_towers, towers, lens, 1, EPM_S_OK);
	} else
		sl = epm_build_map_resp(stub, sizeof(stub), NULL,
		    req.max_towers, NULL, NULL, 0, EPM_S_NOT_REGISTERED);
	if (sl == -1) {
		rpc_send_fault(rc, call->call_id, DCERPC_BAD_STUB_DATA);
		return;
	}
	if ((ev = evlog_new("epm_map")) != NULL) {
		json_object_set_new(ev, "role", json_string("server"));
		json_object_set_new(ev, "client", json_string(evlog_addr(
		    (struct sockaddr *)&rc->rc_addr, abuf, sizeof(abuf))));
		json_object_set_new(ev, "found", json_boolean(match));
		if (match)
			json_object_set_new(ev, "port",
			    json_integer(ms->ms_rpc_port));
		evlog_emit(ev);
	}
	rpc_send_response(rc, call->call_id, call->p_cont_id, stub,
	    (size_t)sl);
}

/* MtaBind from a caller: remember it, bind back, answer afterwards. */
static void
rpc_srv_mtabind(struct rpc_conn *rc, const struct dcerpc_call *call)
{
	struct mta_conf		*mc = ms->ms_conf;
	struct rpc_assoc	*ra;
	struct strbind		 sb;
	char			 name[MTA_NAME_MAX];
	const char		*errstr;
	json_t			*ev;
	int			 ci, port;

	if (rc->rc_assoc != NULL) {
		rpc_send_status(rc, call->call_id, call->p_cont_id,
		    DCERPC_ACCESS_DENIED);
		return;
	}
	if (mtabind_parse_bind(call->stub, call->stub_len, name, sizeof(name),
	    &sb, &errstr) == -1) {
		evlog_text("rpc: bad MtaBind: %s", errstr);
		rpc_send_fault(rc, call->call_id, DCERPC_BAD_STUB_DATA);
		return;
	}
	if ((ev = evlog_new("mtabind_received")) != NULL) {
		json_object_set_new(ev, "from_mta", json_string(name));
		json_object_set_new(ev, "host", json_string(sb.host));
		json_object_set_new(ev, "port", json_integer(sb.port));
		evlog_emit(ev);
	}
	if ((ci = connector_by_peer(mc, CONNECTOR_RPC, name)) == -1) {
		evlog_text("rpc: MtaBind from %s: no site connector for it",
		    name);
		rpc_send_status(rc, call->call_id, call->p_cont_id,
		    DCERPC_ACCESS_DENIED);
		return;
	}
	if ((ra = rpc_assoc_new(0, ci, name)) == NULL) {
		rpc_send_fault(rc, call->call_id, DCERPC_BAD_STUB_DATA);
		return;
	}
	ra->ra_fwd = rc;
	rc->rc_assoc = ra;
	ra->ra_bind_call = call->call_id;
	ra->ra_bind_ctx = call->p_cont_id;
	ra->ra_port = sb.port;
	snprintf(ra->ra_hostname, sizeof(ra->ra_hostname), "%s", sb.host);
	snprintf(ra->ra_binding, sizeof(ra->ra_binding), "%s%s[%u]",
	    STRBIND_PROTSEQ, sb.host, sb.port);
	rpc_assoc_event(ra, "association_start", NULL);
	/* Post-SP3 callers put a name there, which we must resolve
	 * (Q279537): the hosts file and DNS are the hosts map. */
	if (connector_resolve(mc, sb.host, &ra->ra_host) == -1) {
		rpc_fail_bindback(ra, "host name not resolved");
		return;
	}
	ra->ra_state = mc->bindback == BINDBACK_EPM ? RA_EPM : RA_CONNECT;
	/* Before SP2 the port in the string was ignored: ask the caller's
	 * endpoint mapper instead (Q191594). */
	port = mc->bindback == BINDBACK_EPM ? mc->connectors[ci].port :
	    sb.port;
	if (rpc_cli_start(ra, mc->bindback == BINDBACK_EPM, ra->ra_host,
	    port) == -1)
		rpc_fail_bindback(ra, "cannot connect");
}

/* MtaBindBack on our listener: the called MTA of our association. */
static void
rpc_srv_bindback(struct rpc_conn *rc, const struct dcerpc_call *call)
{
	struct rpc_assoc	*ra;
	char			 name[MTA_NAME_MAX];
	const char		*errstr;

	if (mtabind_parse_bindback(call->stub, call->stub_len, name,
	    sizeof(name), &errstr) == -1) {
		evlog_text("rpc: bad MtaBindBack: %s", errstr);
		rpc_send_fault(rc, call->call_id, DCERPC_BAD_STUB_DATA);
		return;
	}
	TAILQ_FOREACH(ra, &rpc_assocs, ra_entry)
		if (ra->ra_out && ra->ra_state == RA_MTABIND &&
		    ra->ra_bb == NULL && strcmp(ra->ra_peer, name) == 0)
			break;
	if (ra == NULL || rc->rc_assoc != NULL) {
		evlog_text("rpc: MtaBindBack from %s: no MtaBind waits for it",
		    name);
		rpc_send_status(rc, call->call_id, call->p_cont_id,
		    MTA_RPC_S_SERVER_UNAVAILABLE);
		return;
	}
	ra->ra_bb = rc;
	rc->rc_assoc = ra;
	rpc_send_status(rc, call->call_id, call->p_cont_id, 0);
	rpc_assoc_event(ra, "bindback_accepted", NULL);
}

static void
rpc_srv_transfer(struct rpc_conn *rc, const struct dcerpc_call *call)
{
	struct rpc_assoc	*ra = rc->rc_assoc;
	char			 id[MTA_ID_MAX], from[MTA_NAME_MAX];
	char			 to[MTA_NAME_MAX], subject[MTA_SUBJECT_MAX];
	const uint8_t		*msg;
	size_t			 len, size;
	const char		*errstr;

	/* The called MTA sends as soon as it answered MtaBind: that answer
	 * may still be on its way to us on the other connection. */
	if (ra == NULL || (ra->ra_state != RA_OPEN &&
	    ra->ra_state != RA_UNBIND && ra->ra_state != RA_MTABIND)) {
		rpc_send_status(rc, call->call_id, call->p_cont_id,
		    DCERPC_ACCESS_DENIED);
		return;
	}
	if (mtabind_parse_transfer(call->stub, call->stub_len, &msg, &len,
	    &errstr) == -1 || queue_decode(msg, len, id, from, to, &size,
	    subject) == -1) {
		rpc_send_fault(rc, call->call_id, DCERPC_BAD_STUB_DATA);
		return;
	}
	ra->ra_received++;
	queue_delivered(from, id, to, size, subject, "rpc");
	rpc_send_status(rc, call->call_id, call->p_cont_id, 0);
	net_timer_arm(ra->ra_timer, ms->ms_conf->response_timeout * 4);
}

/* Connect to host:port for ra: an endpoint mapper (epm) or the MTA. */
static int
rpc_cli_start(struct rpc_assoc *ra, int epm, struct in_addr host, int port)
{
	struct bufferevent	*bev;
	struct rpc_conn		*rc;
	struct sockaddr_in	 sin;
	char			 err[MTA_ERR_MAX], abuf[64];
	json_t			*ev;

	net_sin(&sin, host, port);
	if ((ev = evlog_new("connect")) != NULL) {
		json_object_set_new(ev, "proto", json_string(epm ? "epm" :
		    "rpc"));
		json_object_set_new(ev, "purpose", json_string(ra->ra_out ?
		    "forward" : "bindback"));
		json_object_set_new(ev, "peer_mta", json_string(ra->ra_peer));
		json_object_set_new(ev, "to", json_string(evlog_addr(
		    (struct sockaddr *)&sin, abuf, sizeof(abuf))));
		evlog_emit(ev);
	}
	if ((bev = net_connect(conf_source(ms->ms_conf), &sin, err,
	    sizeof(err))) == NULL) {
		evlog_text("rpc: %s", err);
		return (-1);
	}
	if ((rc = rpc_conn_new(RPC_CLIENT, bev, &sin)) == NULL) {
		bufferevent_free(bev);
		return (-1);
	}
	rc->rc_epm = epm;
	rc->rc_assoc = ra;
	if (epm)
		ra->ra_epm = rc;
	else if (ra->ra_out)
		ra->ra_fwd = rc;
	else
		ra->ra_bb = rc;
	net_timer_arm(ra->ra_timer, ms->ms_conf->connect_timeout +
	    ms->ms_conf->response_timeout);
	return (0);
}

static void
rpc_cli_bound(struct rpc_conn *rc, const struct dcerpc_pdu *pdu)
{
	struct rpc_assoc	*ra = rc->rc_assoc;
	struct mta_conf		*mc = ms->ms_conf;
	uint8_t			 stub[1024], tower[EPM_TCPIP_TOWER_LEN + 8];
	static const uint8_t	 zero4[4];
	ssize_t			 n, tl;
	const char		*host;
	char			 hbuf[INET_ADDRSTRLEN];
	struct in_addr		 src;

	if (ra == NULL) {
		rpc_conn_free(rc);
		return;
	}
	if (pdu->hdr.ptype == DCERPC_BIND_NAK || pdu->u.ack.n_results == 0 ||
	    pdu->u.ack.results[0].result != DCERPC_ACCEPT) {
		rpc_cli_lost(rc, "bind rejected");
		return;
	}
	rc->rc_state = RC_IDLE;
	if (rc->rc_epm) {
		tl = epm_build_tower_tcp(tower, sizeof(tower), &rpc_mta_if,
		    &rpc_ndr, 0, zero4);
		n = tl == -1 ? -1 : epm_build_map_req(stub, sizeof(stub),
		    &dcerpc_uuid_nil, tower, (size_t)tl, NULL, RPC_MAX_TOWERS);
		if (n == -1 || rpc_send_request(rc, EPM_OP_MAP, stub,
		    (size_t)n) == -1)
			rpc_cli_lost(rc, "cannot build ept_map");
		return;
	}
	if (ra->ra_out) {
		/* The bindback endpoint: a name when configured (post-SP3
		 * builds put a name there, Q279537), else our address. */
		if (mc->bindback_host[0] != '\0')
			host = mc->bindback_host;
		else {
			src = conf_source(mc);
			host = inet_ntop(AF_INET, &src, hbuf, sizeof(hbuf));
		}
		n = mtabind_build_bind(stub, sizeof(stub), mc->name, host,
		    (uint16_t)ms->ms_rpc_port);
		snprintf(ra->ra_binding, sizeof(ra->ra_binding), "%s%s[%d]",
		    STRBIND_PROTSEQ, host, ms->ms_rpc_port);
		if (n == -1 || rpc_send_request(rc, MTA_OP_BIND, stub,
		    (size_t)n) == -1) {
			rpc_cli_lost(rc, "cannot build MtaBind");
			return;
		}
		ra->ra_state = RA_MTABIND;
		/* The called MTA binds back before it answers: give it the
		 * time of a whole connection of its own. */
		net_timer_arm(ra->ra_timer, 2 * (mc->connect_timeout +
		    mc->response_timeout));
	} else {
		n = mtabind_build_bindback(stub, sizeof(stub), mc->name);
		if (n == -1 || rpc_send_request(rc, MTA_OP_BINDBACK, stub,
		    (size_t)n) == -1) {
			rpc_cli_lost(rc, "cannot build MtaBindBack");
			return;
		}
		ra->ra_state = RA_BINDBACK;
	}
}

static void
rpc_cli_response(struct rpc_conn *rc, const struct dcerpc_call *call)
{
	struct rpc_assoc	*ra = rc->rc_assoc;
	struct epm_map_resp	 resp;
	const char		*errstr;
	uint32_t		 status;
	unsigned int		 i;
	int			 port = -1;
	json_t			*ev;
	char			 why[96];

	if (ra == NULL || rc->rc_state != RC_CALLING ||
	    call->call_id != rc->rc_call) {
		rpc_cli_lost(rc, "unexpected response");
		return;
	}
	rc->rc_state = RC_IDLE;
	if (rc->rc_epm) {
		if (epm_map_resp_parse(call->stub, call->stub_len, 1,
		    RPC_MAX_TOWERS, &resp, &errstr) == -1) {
			rpc_cli_lost(rc, errstr);
			return;
		}
		for (i = 0; i < resp.ntowers; i++)
			if (resp.towers[i].has_port &&
			    resp.towers[i].port_proto == EPM_PROTO_TCP) {
				port = resp.towers[i].port;
				break;
			}
		if ((ev = evlog_new("epm_map")) != NULL) {
			json_object_set_new(ev, "role", json_string("client"));
			json_object_set_new(ev, "status",
			    json_integer(resp.status));
			if (port != -1)
				json_object_set_new(ev, "port",
				    json_integer(port));
			evlog_emit(ev);
		}
		if (port == -1 || resp.status != EPM_S_OK) {
			rpc_cli_lost(rc, "the endpoint mapper knows no MTA");
			return;
		}
		/* Windows clients dial the host they asked and take only
		 * the port of the tower (LAB.md). */
		rpc_conn_free(rc);
		ra->ra_state = RA_CONNECT;
		if (rpc_cli_start(ra, 0, ra->ra_host, port) == -1) {
			if (ra->ra_out)
				rpc_fail_forward(ra, "cannot connect");
			else
				rpc_fail_bindback(ra, "cannot connect");
		}
		return;
	}
	if (mtabind_parse_status(call->stub, call->stub_len, &status) == -1) {
		rpc_cli_lost(rc, "short response");
		return;
	}
	switch (rc->rc_opnum) {
	case MTA_OP_BIND:
		if (status != 0) {
			if ((ev = evlog_new("mtabind_failed")) != NULL) {
				json_object_set_new(ev, "peer_mta",
				    json_string(ra->ra_peer));
				json_object_set_new(ev, "status",
				    json_integer(status));
				json_object_set_new(ev, "binding",
				    json_string(ra->ra_binding));
				evlog_emit(ev);
			}
			snprintf(why, sizeof(why), "MtaBind failed: %u",
			    status);
			rpc_assoc_end(ra, 0, why);
			return;
		}
		rpc_opened(ra);
		return;
	case MTA_OP_BINDBACK:
		if (status != 0) {
			snprintf(why, sizeof(why), "MtaBindBack refused: %u",
			    status);
			rpc_fail_bindback(ra, why);
			return;
		}
		rpc_opened(ra);
		return;
	case MTA_OP_TRANSFER:
		if (rc->rc_msg == NULL) {
			rpc_cli_lost(rc, "unexpected response");
			return;
		}
		if (status != 0) {
			queue_untake(rc->rc_msg);
			rc->rc_msg = NULL;
			rpc_assoc_end(ra, 0, "transfer refused");
			return;
		}
		queue_done(queue_peer(ra->ra_peer), rc->rc_msg, "rpc");
		rc->rc_msg = NULL;
		ra->ra_sent++;
		rpc_pump(ra);
		return;
	case MTA_OP_UNBIND:
		rpc_assoc_end(ra, 1, "released");
		return;
	default:
		rpc_cli_lost(rc, "unexpected response");
	}
}

/* A client connection failed: what it means depends on the step. */
static void
rpc_cli_lost(struct rpc_conn *rc, const char *why)
{
	struct rpc_assoc	*ra = rc->rc_assoc;

	if (ra == NULL) {
		rpc_conn_free(rc);
		return;
	}
	if (ra->ra_state == RA_OPEN || ra->ra_state == RA_UNBIND)
		rpc_assoc_end(ra, 0, why);
	else if (ra->ra_out)
		rpc_fail_forward(ra, why);
	else
		rpc_fail_bindback(ra, why);
	if (!rc->rc_dead)
		rpc_conn_free(rc);
}

/* 9318: the caller could not bind to the remote MTA over RPC. */
static void
rpc_fail_forward(struct rpc_assoc *ra, const char *why)
{
	struct connector	*co;
	static const char *const steps[] = { "endpoint mapper", "bind",
	    "MtaBind", "MtaBindBack", "open", "unbind" };

	co = &ms->ms_conf->connectors[ra->ra_connector];
	evlog_mta(9318, co->name, NULL, json_pack("{s:s,s:s,s:s,s:i}",
	    "connector", co->name, "step", steps[ra->ra_state], "reason", why,
	    "error", MTA_RPC_S_SERVER_UNAVAILABLE),
	    "An RPC communications error occurred. Unable to bind over RPC. "
	    "Locality Table (LTAB) index: %u, NT/MTA error code: %d. Comms "
	    "error %d, Bind error %d, Remote Server Name %s (%s: %s) [BASE IL "
	    "OUTGOING RPC BIND 9 351] (14)", ra->ra_ltab,
	    MTA_RPC_S_SERVER_UNAVAILABLE, MTA_RPC_S_SERVER_UNAVAILABLE,
	    MTA_RPC_S_SERVER_UNAVAILABLE, co->address, steps[ra->ra_state],
	    why);
	rpc_assoc_end(ra, 0, why);
}

/* 9322: the called MTA could not bind back; MtaBind is answered 1722. */
static void
rpc_fail_bindback(struct rpc_assoc *ra, const char *why)
{
	evlog_mta(9322, ra->ra_peer, NULL, json_pack("{s:s,s:s,s:s,s:i,s:s}",
	    "binding", ra->ra_binding, "host", ra->ra_hostname, "reason", why,
	    "error", MTA_RPC_S_SERVER_UNAVAILABLE, "bindback",
	    bindback_name(ms->ms_conf->bindback)),
	    "An interface error has occurred. An MtaBindBack over RPC has "
	    "failed. Locality Table (LTAB) index: %u, NT/MTA error code: %d. "
	    "Comms error %d, Bind error 0, Remote Server Name %s, Protocol "
	    "String %s [BASE IL INCOMING RPC 9 371 %s] (14)", ra->ra_ltab,
	    MTA_RPC_S_SERVER_UNAVAILABLE, MTA_RPC_S_SERVER_UNAVAILABLE,
	    ra->ra_hostname, ra->ra_binding, why);
	if (ra->ra_fwd != NULL)
		rpc_send_status(ra->ra_fwd, ra->ra_bind_call, ra->ra_bind_ctx,
		    MTA_RPC_S_SERVER_UNAVAILABLE);
	rpc_assoc_end(ra, 0, why);
}

/* Bind and bindback are up: mail flows both ways. */
static void
rpc_opened(struct rpc_assoc *ra)
{
	struct peer	*p;

	if (!ra->ra_out) {
		if (ra->ra_fwd == NULL) {
			rpc_assoc_end(ra, 0, "the caller went away");
			return;
		}
		rpc_send_status(ra->ra_fwd, ra->ra_bind_call, ra->ra_bind_ctx,
		    0);
		if ((p = queue_peer(ra->ra_peer)) != NULL) {
			p->p_active++;
			ra->ra_counted = 1;
		}
	}
	ra->ra_state = RA_OPEN;
	rpc_assoc_event(ra, "association_open", NULL);
	net_timer_arm(ra->ra_timer, ms->ms_conf->response_timeout * 4);
	rpc_pump(ra);
}

/*
 * Send the next message over our sending connection (the caller's forward
 * connection, the called MTA's bindback); when there is none left the
 * caller unbinds and the called MTA answers a pending MtaUnbind.
 */
static void
rpc_pump(struct rpc_assoc *ra)
{
	struct rpc_conn	*sc = ra->ra_out ? ra->ra_fwd : ra->ra_bb;
	struct message	*m;
	uint8_t		*msg, *stub;
	size_t		 len, ssz;
	ssize_t		 n;
	uint8_t		 st[8];

	if (ra->ra_state != RA_OPEN || (sc != NULL &&
	    sc->rc_state != RC_IDLE))
		return;
	if (sc != NULL && (m = queue_take(queue_peer(ra->ra_peer))) != NULL) {
		if ((msg = queue_encode(m, &len)) == NULL) {
			queue_untake(m);
			return;
		}
		ssz = len + 16;
		if ((stub = malloc(ssz)) == NULL ||
		    (n = mtabind_build_transfer(stub, ssz, msg, len)) == -1 ||
		    rpc_send_request(sc, MTA_OP_TRANSFER, stub,
		    (size_t)n) == -1) {
			free(stub);
			free(msg);
			queue_untake(m);
			rpc_assoc_end(ra, 0, "cannot send");
			return;
		}
		free(stub);
		free(msg);
		sc->rc_msg = m;
		net_timer_arm(ra->ra_timer, ms->ms_conf->response_timeout * 4);
		return;
	}
	if (ra->ra_out) {
		if (sc == NULL) {
			rpc_assoc_end(ra, 0, "connection lost");
			return;
		}
		n = mtabind_build_status(st, sizeof(st), 0);
		ra->ra_state = RA_UNBIND;
		if (rpc_send_request(sc, MTA_OP_UNBIND, st, (size_t)n) == -1)
			rpc_assoc_end(ra, 0, "cannot unbind");
		return;
	}
	if (ra->ra_unbind && ra->ra_fwd != NULL) {
		rpc_send_status(ra->ra_fwd, ra->ra_unbind_call, 0, 0);
		rpc_assoc_end(ra, 1, "released");
	}
}

/* An association that carries mail for peer: send it now. */
int
rpc_kick(const char *peer)
{
	struct rpc_assoc	*ra;

	TAILQ_FOREACH(ra, &rpc_assocs, ra_entry)
		if (ra->ra_state == RA_OPEN && strcmp(ra->ra_peer, peer) == 0) {
			rpc_pump(ra);
			return (1);
		}
	return (0);
}

/* Start an association on site connector ci: the endpoint mapper first. */
int
rpc_call(int ci, const char *peer)
{
	struct mta_conf		*mc = ms->ms_conf;
	struct connector	*co = &mc->connectors[ci];
	struct rpc_assoc	*ra;

	if ((ra = rpc_assoc_new(1, ci, peer)) == NULL)
		return (-1);
	ra->ra_counted = 1;	/* queue_kick counted the attempt */
	rpc_assoc_event(ra, "association_start", NULL);
	if (connector_resolve(mc, co->address, &ra->ra_host) == -1) {
		rpc_fail_forward(ra, "name not resolved");
		return (0);
	}
	snprintf(ra->ra_hostname, sizeof(ra->ra_hostname), "%s", co->address);
	ra->ra_state = RA_EPM;
	if (rpc_cli_start(ra, 1, ra->ra_host, co->port) == -1)
		rpc_fail_forward(ra, "cannot connect");
	return (0);
}

static struct rpc_assoc *
rpc_assoc_new(int out, int ci, const char *peer)
{
	struct rpc_assoc	*ra;

	if ((ra = calloc(1, sizeof(*ra))) == NULL)
		return (NULL);
	if ((ra->ra_timer = net_timer(rpc_assoc_timeout, ra)) == NULL) {
		free(ra);
		return (NULL);
	}
	ra->ra_out = out;
	ra->ra_connector = ci;
	snprintf(ra->ra_peer, sizeof(ra->ra_peer), "%s", peer);
	ra->ra_ltab = ++ms->ms_nextref;
	TAILQ_INSERT_TAIL(&rpc_assocs, ra, ra_entry);
	net_conn_opened();	/* busy while it lives */
	return (ra);
}

static void
rpc_assoc_timeout(int fd, short what, void *arg)
{
	struct rpc_assoc	*ra = arg;

	if (ra->ra_state == RA_OPEN || ra->ra_state == RA_UNBIND)
		rpc_assoc_end(ra, 0, "timed out");
	else if (ra->ra_out)
		rpc_fail_forward(ra, "timed out");
	else
		rpc_fail_bindback(ra, "timed out");
}

static void
rpc_assoc_event(struct rpc_assoc *ra, const char *name, const char *why)
{
	json_t	*ev;

	if ((ev = evlog_new(name)) == NULL)
		return;
	json_object_set_new(ev, "proto", json_string("rpc"));
	json_object_set_new(ev, "direction", json_string(ra->ra_out ? "out" :
	    "in"));
	json_object_set_new(ev, "connector", json_string(
	    ms->ms_conf->connectors[ra->ra_connector].name));
	json_object_set_new(ev, "peer_mta", json_string(ra->ra_peer));
	if (ra->ra_binding[0] != '\0')
		json_object_set_new(ev, "binding", json_string(ra->ra_binding));
	if (strcmp(name, "association_close") == 0) {
		json_object_set_new(ev, "sent", json_integer(ra->ra_sent));
		json_object_set_new(ev, "received",
		    json_integer(ra->ra_received));
	}
	if (why != NULL)
		json_object_set_new(ev, "reason", json_string(why));
	evlog_emit(ev);
}

/*
 * The one way out of an association: close our client connections, let
 * server connections finish writing their last answer, report the attempt.
 */
static void
rpc_assoc_end(struct rpc_assoc *ra, int ok, const char *why)
{
	struct rpc_conn	*conns[3] = { ra->ra_fwd, ra->ra_bb, ra->ra_epm };
	struct peer	*p;
	int		 i;

	rpc_assoc_event(ra, "association_close", why);
	for (i = 0; i < 3; i++) {
		if (conns[i] == NULL)
			continue;
		if (conns[i]->rc_role == RPC_CLIENT)
			rpc_conn_free(conns[i]);
		else
			rpc_conn_close_flushed(conns[i]);
	}
	TAILQ_REMOVE(&rpc_assocs, ra, ra_entry);
	evtimer_del(ra->ra_timer);
	event_free(ra->ra_timer);
	net_conn_closed();
	if (ra->ra_counted) {
		if (ra->ra_out)
			queue_attempt_done(ra->ra_peer, ok);
		else if ((p = queue_peer(ra->ra_peer)) != NULL &&
		    p->p_active > 0) {
			p->p_active--;
			queue_status_changed();
		}
	}
	free(ra);
}

static int
rpc_send_request(struct rpc_conn *rc, uint16_t opnum, const uint8_t *stub,
    size_t len)
{
	uint8_t		 buf[RPC_FRAG];
	size_t		 max = RPC_FRAG - DCERPC_REQ_HDRLEN, off = 0, chunk;
	uint8_t		 flags;
	ssize_t		 n;
	uint32_t	 call = rc->rc_next_call++;

	/* Fragments of one call share its call_id (PROTOCOLS.md 2.3). */
	do {
		chunk = len - off > max ? max : len - off;
		flags = (off == 0 ? DCERPC_PFC_FIRST_FRAG : 0) |
		    (off + chunk == len ? DCERPC_PFC_LAST_FRAG : 0);
		if ((n = dcerpc_build_request(buf, sizeof(buf), call, flags,
		    (uint32_t)(len - off), rc->rc_ctx, opnum, NULL, stub + off,
		    chunk)) == -1)
			return (-1);
		bufferevent_write(rc->rc_bev, buf, (size_t)n);
		off += chunk;
	} while (off < len);
	rc->rc_call = call;
	rc->rc_opnum = opnum;
	rc->rc_state = RC_CALLING;
	return (0);
}

static int
rpc_send_response(struct rpc_conn *rc, uint32_t call, uint16_t ctx,
    const uint8_t *stub, size_t len)
{
	uint8_t		 buf[RPC_FRAG];
	size_t		 max = RPC_FRAG - DCERPC_REQ_HDRLEN, off = 0, chunk;
	uint8_t		 flags;
	ssize_t		 n;

	if (rc->rc_dead || rc->rc_bev == NULL)
		return (-1);
	do {
		chunk = len - off > max ? max : len - off;
		flags = (off == 0 ? DCERPC_PFC_FIRST_FRAG : 0) |
		    (off + chunk == len ? DCERPC_PFC_LAST_FRAG : 0);
		if ((n = dcerpc_build_response(buf, sizeof(buf), call, flags,
		    (uint32_t)(len - off), ctx, stub + off, chunk)) == -1)
			return (-1);
		bufferevent_write(rc->rc_bev, buf, (size_t)n);
		off += chunk;
	} while (off < len);
	return (0);
}

static int
rpc_send_status(struct rpc_conn *rc, uint32_t call, uint16_t ctx,
    uint32_t status)
{
	uint8_t	 st[4];

	mtabind_build_status(st, sizeof(st), status);
	return (rpc_send_response(rc, call, ctx, st, sizeof(st)));
}

static void
rpc_send_fault(struct rpc_conn *rc, uint32_t call, uint32_t status)
{
	uint8_t	 buf[DCERPC_FAULT_HDRLEN];
	ssize_t	 n;

	if ((n = dcerpc_build_fault(buf, sizeof(buf), call, rc->rc_ctx,
	    status)) != -1 && rc->rc_bev != NULL)
		bufferevent_write(rc->rc_bev, buf, (size_t)n);
}

void
rpc_shutdown(void)
{
	struct rpc_assoc	*ra, *ta;
	struct rpc_conn		*rc, *tc;

	TAILQ_FOREACH_SAFE(ra, &rpc_assocs, ra_entry, ta) {
		ra->ra_counted = 0;
		rpc_assoc_end(ra, 0, "shutdown");
	}
	TAILQ_FOREACH_SAFE(rc, &rpc_conns, rc_entry, tc)
		rpc_conn_free(rc);
}
