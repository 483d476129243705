/*
 * X.400 connectors over RFC 1006: one association is one TCP connection
 * carrying TPKT/COTP class 0 (CR, CC, DR to refuse, DT), built and parsed
 * with libfwproto. Inside the DTs a small simulated P1 (the lab's own, not
 * RTSE/ROSE): each TSDU is one line-framed unit:
 *
 *	MSG <id> <from> <to> <size> <subject>\n<size bytes>	a message
 *	ACK <id>						its receipt
 *	TURN							the turn passes
 *	RELEASE / RELEASED					orderly release
 *
 * Two-way alternate: the caller sends its queue, then passes the turn if
 * its connector allows two-way alternate; the called MTA, if its matched
 * connector allows it too, sends what it queued for the caller, and so on
 * until a round moves nothing; then the caller releases (Q196381: the
 * inside MTA "picks up" what the outside one queued).
 *
 * The called MTA finds its connector by the caller's IP address, then by
 * the PTR name (connector.c); no match refuses the CR with a DR and logs
 * 9301, 9301, 9202 and 1293 (Q193380, Q196381, Q254909). The caller logs
 * 1290 and 289 for a refusal, 9215 and 289 for a failed connect, 1294 when
 * an association ends abnormally.
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
#include "rfc1006.h"

#define X400_TSDU_MAX	(MTA_MAIL_SIZE_MAX + 1024)

enum x400_state {
	X400_CONNECTING = 0,	/* caller: TCP connect in progress */
	X400_WAIT_CR,		/* called: waiting for the CR */
	X400_WAIT_CC,		/* caller: CR sent */
	X400_OPEN,		/* association up */
	X400_REFUSED,		/* called: DR sent, closing once written */
	X400_RELEASING		/* RELEASE sent or answered */
};

struct x400_assoc {
	struct bufferevent	*xa_bev;
	int			 xa_out;	/* we called */
	enum x400_state		 xa_state;
	int			 xa_connector;	/* -1 until matched */
	char			 xa_peer[MTA_NAME_MAX];
	struct sockaddr_in	 xa_addr;	/* the TCP peer */
	uint16_t		 xa_ref;	/* our COTP reference */
	uint16_t		 xa_peer_ref;
	unsigned int		 xa_ltab;	/* control block index */
	uint8_t			 xa_size_code;	/* negotiated TPDU size */
	int			 xa_turn;	/* we hold the turn */
	int			 xa_two_way;
	int			 xa_rounds;	/* turns passed by the caller */
	unsigned int		 xa_moved;	/* messages moved this round */
	unsigned int		 xa_sent;
	unsigned int		 xa_received;
	struct message		*xa_msg;	/* sent, not acknowledged */
	struct evbuffer		*xa_tsdu;	/* DT reassembly */
	struct event		*xa_timer;
	int			 xa_counted;	/* holds peer->p_active */
	TAILQ_ENTRY(x400_assoc)	 xa_entry;
};
TAILQ_HEAD(x400_list, x400_assoc);

static struct x400_list	 x400_assocs = TAILQ_HEAD_INITIALIZER(x400_assocs);

static struct x400_assoc *x400_new(int);
static void	x400_accept(int, struct sockaddr_in *, void *);
static void	x400_read(struct bufferevent *, void *);
static void	x400_written(struct bufferevent *, void *);
static void	x400_event(struct bufferevent *, short, void *);
static void	x400_timeout(int, short, void *);
static int	x400_tpdu(struct x400_assoc *, const struct cotp_tpdu *);
static int	x400_cr(struct x400_assoc *, const struct cotp_tpdu *);
static int	x400_tsdu(struct x400_assoc *, const uint8_t *, size_t);
static int	x400_send_tsdu(struct x400_assoc *, const void *, size_t);
static int	x400_send_str(struct x400_assoc *, const char *);
static int	x400_next(struct x400_assoc *);
static void	x400_refuse(struct x400_assoc *, const struct cotp_tpdu *,
		    const char *);
static void	x400_fail(struct x400_assoc *, const char *, int);
static void	x400_close(struct x400_assoc *, int, const char *);
static void	x400_assoc_event(struct x400_assoc *, const char *,
		    const char *);
static const char *x400_entity(struct x400_assoc *, char *, size_t);

/* Listen on every listen address of the MTA. */
int
x400_init(void)
{
	struct mta_conf		*mc = ms->ms_conf;
	struct evconnlistener	*lev;
	json_t			*ev;
	char			 err[MTA_ERR_MAX], abuf[64];
	struct sockaddr_in	 sin;
	size_t			 i;
	int			 port;

	if (mc->x400_port == 0)
		return (0);
	for (i = 0; i < mc->nlisten; i++) {
		if ((lev = net_listen(mc->listen[i], mc->x400_port,
		    x400_accept, NULL, &port, err, sizeof(err))) == NULL) {
			evlog_text("x400: %s", err);
			return (-1);
		}
		net_sin(&sin, mc->listen[i], port);
		if ((ev = evlog_new("listen")) != NULL) {
			json_object_set_new(ev, "service", json_string("x400"));
			json_object_set_new(ev, "listen", json_string(
			    evlog_addr((struct sockaddr *)&sin, abuf,
			    sizeof(abuf))));
			evlog_emit(ev);
		}
	}
	return (0);
}

static struct x400_assoc *
x400_new(int out)
{
	struct x400_assoc	*xa;

	if ((xa = calloc(1, sizeof(*xa))) == NULL)
		return (NULL);
	if ((xa->xa_tsdu = evbuffer_new()) == NULL ||
	    (xa->xa_timer = net_timer(x400_timeout, xa)) == NULL) {
		if (xa->xa_tsdu != NULL)
			evbuffer_free(xa->xa_tsdu);
		free(xa);
		return (NULL);
	}
	xa->xa_out = out;
	xa->xa_connector = -1;
	xa->xa_ref = (uint16_t)(++ms->ms_nextref & 0xffff);
	if (xa->xa_ref == 0)
		xa->xa_ref = (uint16_t)(++ms->ms_nextref & 0xffff);
	xa->xa_ltab = ms->ms_nextref;
	xa->xa_size_code = MTA_TPDU_SIZE_CODE;
	TAILQ_INSERT_TAIL(&x400_assocs, xa, xa_entry);
	net_conn_opened();
	return (xa);
}

static void
x400_accept(int fd, struct sockaddr_in *peer, void *arg)
{
	struct x400_assoc	*xa;

	if ((xa = x400_new(0)) == NULL) {
		close(fd);
		return;
	}
	xa->xa_addr = *peer;
	xa->xa_state = X400_WAIT_CR;
	if ((xa->xa_bev = bufferevent_socket_new(ms->ms_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		x400_close(xa, 0, "out of memory");
		return;
	}
	bufferevent_setcb(xa->xa_bev, x400_read, x400_written, x400_event,
	    xa);
	bufferevent_enable(xa->xa_bev, EV_READ | EV_WRITE);
	net_timer_arm(xa->xa_timer, ms->ms_conf->response_timeout);
	evlog_text("x400: connection from %s:%u", inet_ntoa(peer->sin_addr),
	    ntohs(peer->sin_port));
}

/* "/O=.../CN=connector" of the association, or of the caller's address. */
static const char *
x400_entity(struct x400_assoc *xa, char *buf, size_t size)
{
	char	 a[INET_ADDRSTRLEN];

	if (xa->xa_connector >= 0)
		return (evlog_dn(ms->ms_conf->connectors[xa->xa_connector].name,
		    buf, size));
	inet_ntop(AF_INET, &xa->xa_addr.sin_addr, a, sizeof(a));
	return (evlog_dn(a, buf, size));
}

/* Start an association on X.400 connector ci for peer. */
int
x400_call(int ci, const char *peer)
{
	struct mta_conf		*mc = ms->ms_conf;
	struct connector	*co = &mc->connectors[ci];
	struct x400_assoc	*xa;
	struct in_addr		 dst;
	struct sockaddr_in	 sin;
	char			 err[MTA_ERR_MAX], dn[300];

	if (connector_resolve(mc, co->address, &dst) == -1) {
		evlog_mta(289, evlog_dn(co->name, dn, sizeof(dn)), NULL,
		    json_pack("{s:s,s:s}", "connector", co->name, "error",
		    "name not resolved"), "A connection to %s could not be "
		    "opened. The name %s could not be resolved. [MTA XFER-IN "
		    "17 26] (12)", dn, co->address);
		return (-1);
	}
	net_sin(&sin, dst, co->port);
	if (mc->has_proxy && !mc->proxy_disable) {
		/* A WinSock Proxy client redirects the connect() to the
		 * proxy server, which makes the connection on our behalf
		 * (Q254909). */
		evlog_text("x400: proxy client: connection for %s:%d goes to "
		    "the proxy %s:%u", co->address, co->port,
		    inet_ntoa(mc->proxy.sin_addr), ntohs(mc->proxy.sin_port));
		sin = mc->proxy;
	}
	if ((xa = x400_new(1)) == NULL)
		return (-1);
	xa->xa_connector = ci;
	xa->xa_counted = 1;	/* queue_kick counted the attempt */
	xa->xa_two_way = co->two_way;
	snprintf(xa->xa_peer, sizeof(xa->xa_peer), "%s", peer);
	xa->xa_addr = sin;
	xa->xa_state = X400_CONNECTING;
	x400_assoc_event(xa, "association_start", NULL);
	x400_assoc_event(xa, "connect", NULL);
	if ((xa->xa_bev = net_connect(conf_source(mc), &sin, err,
	    sizeof(err))) == NULL) {
		evlog_text("x400: %s", err);
		x400_fail(xa, err, 0);
		return (0);
	}
	bufferevent_setcb(xa->xa_bev, x400_read, x400_written, x400_event,
	    xa);
	bufferevent_enable(xa->xa_bev, EV_READ | EV_WRITE);
	net_timer_arm(xa->xa_timer, mc->connect_timeout);
	return (0);
}

/* An inbound two-way association with peer passes our mail at its turn. */
int
x400_take_turn(const char *peer)
{
	struct x400_assoc	*xa;

	TAILQ_FOREACH(xa, &x400_assocs, xa_entry)
		if (xa->xa_state == X400_OPEN && xa->xa_turn &&
		    xa->xa_msg == NULL && strcmp(xa->xa_peer, peer) == 0)
			return (x400_next(xa));
	return (0);
}

static void
x400_assoc_event(struct x400_assoc *xa, const char *name, const char *why)
{
	json_t	*ev;
	char	 abuf[64];

	if ((ev = evlog_new(name)) == NULL)
		return;
	json_object_set_new(ev, "proto", json_string("x400"));
	json_object_set_new(ev, "direction", json_string(xa->xa_out ? "out" :
	    "in"));
	if (xa->xa_connector >= 0)
		json_object_set_new(ev, "connector", json_string(
		    ms->ms_conf->connectors[xa->xa_connector].name));
	if (xa->xa_peer[0] != '\0')
		json_object_set_new(ev, "peer_mta", json_string(xa->xa_peer));
	json_object_set_new(ev, "peer", json_string(evlog_addr(
	    (struct sockaddr *)&xa->xa_addr, abuf, sizeof(abuf))));
	if (strcmp(name, "connect") == 0)
		json_object_set_new(ev, "to", json_string(evlog_addr(
		    (struct sockaddr *)&xa->xa_addr, abuf, sizeof(abuf))));
	if (strcmp(name, "association_close") == 0) {
		json_object_set_new(ev, "sent", json_integer(xa->xa_sent));
		json_object_set_new(ev, "received",
		    json_integer(xa->xa_received));
	}
	if (why != NULL)
		json_object_set_new(ev, "reason", json_string(why));
	evlog_emit(ev);
}

static void
x400_timeout(int fd, short what, void *arg)
{
	struct x400_assoc	*xa = arg;

	if (xa->xa_out && xa->xa_state == X400_CONNECTING)
		x400_fail(xa, "connect timed out", ETIMEDOUT);
	else if (xa->xa_out)
		x400_fail(xa, "no answer", 0);
	else
		x400_close(xa, xa->xa_state == X400_OPEN, "no answer");
}

static void
x400_event(struct bufferevent *bev, short what, void *arg)
{
	struct x400_assoc	*xa = arg;
	struct cotp_tpdu	 cr;
	struct connector	*co;
	uint8_t			 buf[512];
	ssize_t			 n;
	int			 e;

	if (what & BEV_EVENT_CONNECTED) {
		co = &ms->ms_conf->connectors[xa->xa_connector];
		memset(&cr, 0, sizeof(cr));
		cr.src_ref = xa->xa_ref;
		cr.class_opt = 0;
		cr.tpdu_size = xa->xa_size_code;
		cr.has = COTP_HAS_TPDU_SIZE;
		if (co->local_tsel_len > 0)
			cotp_set_tsap(&cr, COTP_P_CALLING_TSAP, co->local_tsel,
			    co->local_tsel_len);
		if (co->remote_tsel_len > 0)
			cotp_set_tsap(&cr, COTP_P_CALLED_TSAP, co->remote_tsel,
			    co->remote_tsel_len);
		if ((n = cotp_build_cr(buf, sizeof(buf), &cr)) == -1) {
			x400_fail(xa, "cannot build CR", 0);
			return;
		}
		bufferevent_write(bev, buf, (size_t)n);
		xa->xa_state = X400_WAIT_CC;
		net_timer_arm(xa->xa_timer, ms->ms_conf->response_timeout);
		return;
	}
	if (what & BEV_EVENT_ERROR)
		e = net_error(bev);
	else
		e = 0;
	if (xa->xa_out) {
		if (xa->xa_state == X400_RELEASING)
			x400_close(xa, 0, "released");
		else
			x400_fail(xa, e != 0 ? strerror(e) :
			    "connection closed by the peer", e);
		return;
	}
	if (xa->xa_state == X400_OPEN)
		x400_close(xa, 1, e != 0 ? strerror(e) :
		    "connection closed by the peer");
	else
		x400_close(xa, 0, xa->xa_state == X400_RELEASING ? "released" :
		    "connection closed by the peer");
}

/* The DR went out: a refused association is closed now. */
static void
x400_written(struct bufferevent *bev, void *arg)
{
	struct x400_assoc	*xa = arg;

	if (xa->xa_state == X400_REFUSED)
		x400_close(xa, 0, "refused");
}

static void
x400_read(struct bufferevent *bev, void *arg)
{
	struct x400_assoc	*xa = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct cotp_tpdu	 t;
	uint8_t			 hdr[TPKT_HDRLEN], *p;
	uint16_t		 len;
	uint8_t			 rsv;
	const char		*errstr;

	while (evbuffer_get_length(in) >= TPKT_HDRLEN) {
		if (xa->xa_state == X400_REFUSED) {
			evbuffer_drain(in, evbuffer_get_length(in));
			return;
		}
		evbuffer_copyout(in, hdr, sizeof(hdr));
		if (tpkt_parse(hdr, sizeof(hdr), &len, &rsv, &errstr) == -1) {
			evlog_text("x400: %s from the peer", errstr);
			if (xa->xa_out)
				x400_fail(xa, errstr, 0);
			else
				x400_close(xa, xa->xa_state == X400_OPEN,
				    errstr);
			return;
		}
		if (evbuffer_get_length(in) < len)
			return;
		p = evbuffer_pullup(in, len);
		if (rfc1006_parse(p, len, &t, &errstr) == -1) {
			evlog_text("x400: bad TPDU: %s", errstr);
			if (xa->xa_out)
				x400_fail(xa, errstr, 0);
			else
				x400_close(xa, xa->xa_state == X400_OPEN,
				    errstr);
			return;
		}
		/* t.udata points into p: handle before draining. */
		if (x400_tpdu(xa, &t) == -1)
			return;		/* xa is gone */
		evbuffer_drain(in, len);
	}
}

/* Returns -1 when the association was closed (and freed). */
static int
x400_tpdu(struct x400_assoc *xa, const struct cotp_tpdu *t)
{
	char		 dn[300];
	uint8_t		*p;
	size_t		 n;
	int		 rv;

	switch (xa->xa_state) {
	case X400_WAIT_CR:
		if (t->type != COTP_CR) {
			x400_close(xa, 0, "first TPDU is not a CR");
			return (-1);
		}
		return (x400_cr(xa, t));
	case X400_WAIT_CC:
		if (t->type == COTP_CC) {
			if (t->dst_ref != xa->xa_ref) {
				x400_fail(xa, "CC does not echo our reference",
				    0);
				return (-1);
			}
			xa->xa_peer_ref = t->src_ref;
			if (t->has & COTP_HAS_TPDU_SIZE &&
			    t->tpdu_size < xa->xa_size_code)
				xa->xa_size_code = t->tpdu_size;
			xa->xa_state = X400_OPEN;
			xa->xa_turn = 1;
			evtimer_del(xa->xa_timer);
			x400_assoc_event(xa, "association_open", NULL);
			return (x400_next(xa));
		}
		if (t->type == COTP_DR || t->type == COTP_ER) {
			x400_entity(xa, dn, sizeof(dn));
			/* Q196381: "A locally initiated association to ...
			 * was refused. The failure reason provider was 0 and
			 * the reason was 0." */
			evlog_mta(1290, dn, (struct sockaddr *)&xa->xa_addr,
			    json_pack("{s:s,s:i,s:s}", "connector",
			    ms->ms_conf->connectors[xa->xa_connector].name,
			    "dr_reason", t->type == COTP_DR ? t->reason :
			    t->cause, "tpdu", cotp_type_name(t->code)),
			    "A locally initiated association to %s was "
			    "refused. The failure reason provider was 0 and "
			    "the reason was %u. Control block index %u. Type "
			    "1. [PLATFORM KERNEL 20 130] (12)", dn,
			    t->type == COTP_DR ? t->reason : t->cause,
			    xa->xa_ltab);
			x400_fail(xa, "refused by the peer", -1);
			return (-1);
		}
		x400_fail(xa, "unexpected TPDU instead of CC", 0);
		return (-1);
	case X400_OPEN:
	case X400_RELEASING:
		if (t->type != COTP_DT) {
			if (xa->xa_out)
				x400_fail(xa, "unexpected TPDU", 0);
			else
				x400_close(xa, 1, "unexpected TPDU");
			return (-1);
		}
		if (evbuffer_get_length(xa->xa_tsdu) + t->udata_len >
		    X400_TSDU_MAX) {
			if (xa->xa_out)
				x400_fail(xa, "TSDU too long", 0);
			else
				x400_close(xa, 1, "TSDU too long");
			return (-1);
		}
		evbuffer_add(xa->xa_tsdu, t->udata, t->udata_len);
		if (xa->xa_out)
			net_timer_arm(xa->xa_timer,
			    ms->ms_conf->response_timeout);
		if (!t->eot)
			return (0);
		n = evbuffer_get_length(xa->xa_tsdu);
		p = evbuffer_pullup(xa->xa_tsdu, -1);
		rv = x400_tsdu(xa, p, n);
		if (rv == 0)
			evbuffer_drain(xa->xa_tsdu, n);
		return (rv);
	default:
		return (0);
	}
}

/* The called side: find the connector, confirm or refuse. */
static int
x400_cr(struct x400_assoc *xa, const struct cotp_tpdu *t)
{
	struct mta_conf		*mc = ms->ms_conf;
	struct connector	*co;
	struct cotp_tpdu	 cc;
	struct match		 m;
	struct peer		*p;
	uint8_t			 buf[512];
	char			 hex[2 * MTA_HOST_MAX + 1], dn[300], stack[400];
	char			 tsap[COTP_PARAM_MAX * 2 + 1];
	const char		*how;
	ssize_t			 n;

	xa->xa_peer_ref = t->src_ref;
	snprintf(stack, sizeof(stack), "/o=%s/ou=%s/cn=Configuration/"
	    "cn=Servers/cn=%s/cn=TCP (%s)", mc->org, mc->site, mc->name,
	    mc->name);
	if (connector_match(mc, CONNECTOR_X400, xa->xa_addr.sin_addr,
	    &m) == -1) {
		connector_hex_addr(xa->xa_addr.sin_addr, hex, sizeof(hex));
		evlog_mta(9301, NULL, (struct sockaddr *)&xa->xa_addr,
		    json_pack("{s:s,s:s}", "address_hex", hex, "lookup", "ip"),
		    "The message transfer gateway that uses the network "
		    "address %s and the transport stack %s could not be "
		    "found. Check the configuration of the mail gateway. "
		    "[BASE IL TCP/IP DRVR 8 218] (10)", hex, stack);
		/* Q193380: the reverse lookup failed too, or found a name
		 * no connector has; the second 9301 shows what the MTA
		 * tried, in hex: the PTR name, or the name the caller gave
		 * (its T-selector, "RemoteMTA" in the KB). */
		if (m.ptr_found)
			connector_hex_text(m.ptr_name, strlen(m.ptr_name), hex,
			    sizeof(hex));
		else
			connector_hex_text(t->calling, t->calling_len, hex,
			    sizeof(hex));
		evlog_mta(9301, NULL, (struct sockaddr *)&xa->xa_addr,
		    json_pack("{s:s,s:s,s:s?}", "address_hex", hex, "lookup",
		    "ptr", "ptr", m.ptr_found ? m.ptr_name : NULL),
		    "The message transfer gateway that uses the network "
		    "address %s and the transport stack %s could not be "
		    "found. Check the configuration of the mail gateway. "
		    "[BASE IL TCP/IP DRVR 8 218] (10)", hex, stack);
		evlog_mta(9202, NULL, (struct sockaddr *)&xa->xa_addr, NULL,
		    "A sockets error 0 on an accept() call was detected. The "
		    "MTA will attempt to recover the sockets connection. "
		    "Control block index: %u. [BASE IL TCP/IP DRVR 8 256] "
		    "(12)", xa->xa_ltab);
		x400_refuse(xa, t, "no connector matches the caller");
		return (-1);
	}
	co = &mc->connectors[m.connector];
	xa->xa_connector = m.connector;
	snprintf(xa->xa_peer, sizeof(xa->xa_peer), "%s", co->peer);
	how = m.how == MATCH_IP ? "ip" : "ptr";
	/* T-selectors, when configured, must agree (Q165030 setups). */
	if ((mc->tsel_len > 0 && (t->called_len != mc->tsel_len ||
	    memcmp(t->called, mc->tsel, mc->tsel_len) != 0)) ||
	    (co->remote_tsel_len > 0 && (t->calling_len != co->remote_tsel_len
	    || memcmp(t->calling, co->remote_tsel, co->remote_tsel_len) !=
	    0))) {
		cotp_tsap_str(t->called, t->called_len, tsap, sizeof(tsap));
		evlog_text("x400: T-selectors do not match connector %s "
		    "(called %s)", co->name, tsap);
		x400_refuse(xa, t, "T-selector mismatch");
		return (-1);
	}
	memset(&cc, 0, sizeof(cc));
	cc.dst_ref = t->src_ref;
	cc.src_ref = xa->xa_ref;
	cc.class_opt = 0;
	if (t->has & COTP_HAS_TPDU_SIZE) {
		if (t->tpdu_size < xa->xa_size_code)
			xa->xa_size_code = t->tpdu_size;
		cc.tpdu_size = xa->xa_size_code;
		cc.has |= COTP_HAS_TPDU_SIZE;
	}
	if (t->has & COTP_HAS_CALLING)
		cotp_set_tsap(&cc, COTP_P_CALLING_TSAP, t->calling,
		    t->calling_len);
	if (t->has & COTP_HAS_CALLED)
		cotp_set_tsap(&cc, COTP_P_CALLED_TSAP, t->called,
		    t->called_len);
	if ((n = cotp_build_cc(buf, sizeof(buf), &cc)) == -1) {
		x400_close(xa, 0, "cannot build CC");
		return (-1);
	}
	bufferevent_write(xa->xa_bev, buf, (size_t)n);
	xa->xa_state = X400_OPEN;
	xa->xa_two_way = co->two_way;
	evtimer_del(xa->xa_timer);
	if (co->two_way && (p = queue_peer(co->peer)) != NULL) {
		/* Two-way alternate: our queue for this peer rides on it. */
		p->p_active++;
		xa->xa_counted = 1;
	}
	x400_entity(xa, dn, sizeof(dn));
	{
		json_t	*ev;
		char	 abuf[64];

		if ((ev = evlog_new("association_open")) != NULL) {
			json_object_set_new(ev, "proto", json_string("x400"));
			json_object_set_new(ev, "direction", json_string("in"));
			json_object_set_new(ev, "connector",
			    json_string(co->name));
			json_object_set_new(ev, "peer_mta",
			    json_string(co->peer));
			json_object_set_new(ev, "peer", json_string(evlog_addr(
			    (struct sockaddr *)&xa->xa_addr, abuf,
			    sizeof(abuf))));
			json_object_set_new(ev, "matched_by", json_string(how));
			if (m.ptr_found)
				json_object_set_new(ev, "ptr",
				    json_string(m.ptr_name));
			json_object_set_new(ev, "schedule",
			    json_string(schedule_name(co->schedule)));
			evlog_emit(ev);
		}
	}
	queue_status_changed();
	return (0);
}

/* Refuse a CR: DR, 1293, close once the DR is written. */
static void
x400_refuse(struct x400_assoc *xa, const struct cotp_tpdu *t,
    const char *why)
{
	uint8_t	 buf[16];
	char	 dn[300], who[COTP_PARAM_MAX * 2 + 64], a[INET_ADDRSTRLEN];
	ssize_t	 n;

	/* Name the caller as the KB does: by the entity it claimed (its
	 * T-selector) or else its address. */
	if (t->calling_len > 0)
		cotp_tsap_str(t->calling, t->calling_len, who, sizeof(who));
	else
		snprintf(who, sizeof(who), "%s", inet_ntop(AF_INET,
		    &xa->xa_addr.sin_addr, a, sizeof(a)));
	evlog_mta(1293, evlog_dn(who, dn, sizeof(dn)),
	    (struct sockaddr *)&xa->xa_addr, json_pack("{s:s}", "reason", why),
	    "A remotely-initiated association from %s was refused. The "
	    "failure reason provider is 0 and the reason is 0. Control block "
	    "index %u. Type 1. [PLATFORM KERNEL 26 128] (12)", dn,
	    xa->xa_ltab);
	if ((n = cotp_build_dr(buf, sizeof(buf), t->src_ref, xa->xa_ref,
	    0x00)) == -1) {
		x400_close(xa, 0, why);
		return;
	}
	xa->xa_state = X400_REFUSED;
	xa->xa_connector = -1;
	bufferevent_write(xa->xa_bev, buf, (size_t)n);
}

/* One whole TSDU of the simulated P1. 0, or -1 if xa was closed. */
static int
x400_tsdu(struct x400_assoc *xa, const uint8_t *p, size_t len)
{
	struct peer	*peer = queue_peer(xa->xa_peer);
	char		 id[MTA_ID_MAX], from[MTA_NAME_MAX], to[MTA_NAME_MAX];
	char		 subject[MTA_SUBJECT_MAX], line[MTA_ID_MAX + 8];
	size_t		 size;

	if (len >= 4 && memcmp(p, "MSG ", 4) == 0) {
		if (queue_decode(p, len, id, from, to, &size, subject) == -1) {
			evlog_text("x400: malformed message from %s",
			    xa->xa_peer);
			goto bad;
		}
		xa->xa_received++;
		xa->xa_moved++;
		queue_delivered(from, id, to, size, subject, "x400");
		snprintf(line, sizeof(line), "ACK %s", id);
		return (x400_send_str(xa, line));
	}
	if (len > 4 && memcmp(p, "ACK ", 4) == 0) {
		if (xa->xa_msg == NULL || len - 4 != strlen(xa->xa_msg->m_id) ||
		    memcmp(p + 4, xa->xa_msg->m_id, len - 4) != 0) {
			evlog_text("x400: unexpected ACK from %s", xa->xa_peer);
			goto bad;
		}
		queue_done(peer, xa->xa_msg, "x400");
		xa->xa_msg = NULL;
		xa->xa_sent++;
		xa->xa_moved++;
		return (x400_next(xa));
	}
	if (len == 4 && memcmp(p, "TURN", 4) == 0) {
		if (xa->xa_turn || xa->xa_msg != NULL)
			goto bad;
		xa->xa_turn = 1;
		return (x400_next(xa));
	}
	if (len == 7 && memcmp(p, "RELEASE", 7) == 0 && !xa->xa_out) {
		xa->xa_state = X400_RELEASING;
		return (x400_send_str(xa, "RELEASED"));
	}
	if (len == 8 && memcmp(p, "RELEASED", 8) == 0 && xa->xa_out &&
	    xa->xa_state == X400_RELEASING) {
		x400_close(xa, 0, "released");
		return (-1);
	}
 bad:
	if (xa->xa_out)
		x400_fail(xa, "protocol error", 0);
	else
		x400_close(xa, 1, "protocol error");
	return (-1);
}

/*
 * We hold the turn: send the next message, or pass the turn, or (the
 * caller, after a round that moved nothing) release.
 */
static int
x400_next(struct x400_assoc *xa)
{
	struct message	*m;
	uint8_t		*buf;
	size_t		 len;
	int		 rv;

	if (!xa->xa_turn || xa->xa_msg != NULL || xa->xa_state != X400_OPEN)
		return (0);
	if ((xa->xa_out || xa->xa_two_way) &&
	    (m = queue_take(queue_peer(xa->xa_peer))) != NULL) {
		if ((buf = queue_encode(m, &len)) == NULL) {
			queue_untake(m);
			return (0);
		}
		xa->xa_msg = m;
		rv = x400_send_tsdu(xa, buf, len);
		free(buf);
		if (rv == 0)
			net_timer_arm(xa->xa_timer,
			    ms->ms_conf->response_timeout);
		return (rv);
	}
	if (!xa->xa_out) {
		xa->xa_turn = 0;
		xa->xa_moved = 0;
		return (x400_send_str(xa, "TURN"));
	}
	/* The caller: another round only if the last one moved mail. */
	if (xa->xa_two_way && (xa->xa_rounds == 0 || xa->xa_moved > 0)) {
		xa->xa_rounds++;
		xa->xa_turn = 0;
		xa->xa_moved = 0;
		net_timer_arm(xa->xa_timer, ms->ms_conf->response_timeout);
		return (x400_send_str(xa, "TURN"));
	}
	xa->xa_state = X400_RELEASING;
	net_timer_arm(xa->xa_timer, ms->ms_conf->response_timeout);
	return (x400_send_str(xa, "RELEASE"));
}

static int
x400_send_str(struct x400_assoc *xa, const char *s)
{
	return (x400_send_tsdu(xa, s, strlen(s)));
}

/* Segment a TSDU into DTs of the negotiated TPDU size (EOT on the last). */
static int
x400_send_tsdu(struct x400_assoc *xa, const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint8_t		 hdr[8];
	size_t		 max, chunk;
	ssize_t		 n;

	max = cotp_tpdu_size_bytes(xa->xa_size_code);
	max = max > 3 ? max - 3 : 125;
	do {
		chunk = len > max ? max : len;
		if ((n = cotp_build_dt_hdr(hdr, sizeof(hdr), chunk == len,
		    chunk)) == -1) {
			if (xa->xa_out)
				x400_fail(xa, "cannot build DT", 0);
			else
				x400_close(xa, 1, "cannot build DT");
			return (-1);
		}
		bufferevent_write(xa->xa_bev, hdr, (size_t)n);
		bufferevent_write(xa->xa_bev, p, chunk);
		p += chunk;
		len -= chunk;
	} while (len > 0);
	return (0);
}

/*
 * The caller's association failed. e > 0: an errno from connect();
 * e == -1: refused with a DR (1290 already logged).
 */
static void
x400_fail(struct x400_assoc *xa, const char *why, int e)
{
	struct connector	*co;
	char			 dn[300];

	co = &ms->ms_conf->connectors[xa->xa_connector];
	evlog_dn(co->name, dn, sizeof(dn));
	if (e > 0 && xa->xa_state == X400_CONNECTING) {
		evlog_mta(9215, dn, (struct sockaddr *)&xa->xa_addr,
		    json_pack("{s:s,s:i,s:s}", "connector", co->name, "error",
		    net_wsa(e), "errno", strerror(e)),
		    "A sockets error %d on a connect() call was detected. "
		    "The MTA will attempt to recover the sockets connection. "
		    "Control block index: %u. [BASE IL TCP/IP DRVR 8 236] (12)",
		    net_wsa(e), xa->xa_ltab);
	} else if (e != -1) {
		evlog_mta(1294, dn, (struct sockaddr *)&xa->xa_addr,
		    json_pack("{s:s,s:s}", "connector", co->name, "reason",
		    why), "An association with entity %s ended abnormally. "
		    "[198 1 0 1 PLATFORM KERNEL 20 130] (10)", dn);
	}
	if (xa->xa_state != X400_OPEN)
		evlog_mta(289, dn, (struct sockaddr *)&xa->xa_addr,
		    json_pack("{s:s,s:s}", "connector", co->name, "reason",
		    why), "A connection to %s could not be opened. [MTA "
		    "XFER-IN 17 26] (12)", dn);
	x400_close(xa, 0, why);
}

/*
 * The one way out. abnormal: log 1294 (an open association lost). The
 * caller's attempt is reported to the queue: ok if it was released.
 */
static void
x400_close(struct x400_assoc *xa, int abnormal, const char *why)
{
	struct peer	*p;
	char		 dn[300];
	int		 ok;

	if (abnormal) {
		x400_entity(xa, dn, sizeof(dn));
		evlog_mta(1294, dn, (struct sockaddr *)&xa->xa_addr,
		    json_pack("{s:s}", "reason", why), "An association with "
		    "entity %s ended abnormally. [198 1 0 1 PLATFORM KERNEL 20 "
		    "130] (10)", dn);
	}
	if (xa->xa_msg != NULL) {
		queue_untake(xa->xa_msg);
		xa->xa_msg = NULL;
	}
	ok = strcmp(why, "released") == 0;
	if (xa->xa_state != X400_REFUSED && (xa->xa_state != X400_WAIT_CR ||
	    xa->xa_out))
		x400_assoc_event(xa, "association_close", why);
	TAILQ_REMOVE(&x400_assocs, xa, xa_entry);
	if (xa->xa_bev != NULL)
		bufferevent_free(xa->xa_bev);
	evtimer_del(xa->xa_timer);
	event_free(xa->xa_timer);
	evbuffer_free(xa->xa_tsdu);
	net_conn_closed();
	if (xa->xa_counted) {
		if (xa->xa_out)
			queue_attempt_done(xa->xa_peer, ok);
		else if ((p = queue_peer(xa->xa_peer)) != NULL &&
		    p->p_active > 0) {
			p->p_active--;
			queue_status_changed();
		}
	}
	free(xa);
}

void
x400_shutdown(void)
{
	struct x400_assoc	*xa, *t;

	TAILQ_FOREACH_SAFE(xa, &x400_assocs, xa_entry, t) {
		if (xa->xa_out)
			xa->xa_counted = 0;
		x400_close(xa, 0, "shutdown");
	}
}
