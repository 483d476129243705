/*
 * Relays and the byte pump (reloading them: reload.c).
 *
 * The pump uses plain events and evbuffers rather than bufferevents: in
 * libevent 2.1 a socket bufferevent reads at most 4096 bytes per wakeup
 * (EVBUFFER_MAX_READ), which costs a relay a third of its throughput
 * against haproxy's 16 KiB reads. Here a read takes up to 64 KiB, is written
 * straight to the peer when its queue is empty (no copy into a buffer at
 * all), and only what the peer does not take is queued. Flow control is
 * le-proxy's: when the peer's queue reaches buffer_size, reading from this
 * side stops until the queue drains below half of it. Half-close is
 * forwarded with shutdown(SHUT_WR) once the queue is empty; a reset read
 * from one side becomes a reset to the other.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "fwrelay.h"
#include "fault.h"

#define RELAY_READ_MAX	65536

static _Thread_local uint8_t relay_buf[RELAY_READ_MAX];

static void	relay_eof(struct conn_side *);
static void	relay_shut(struct conn_side *);
static void	relay_flush_n(struct conn_side *, size_t);
static int	relay_forward_trig(struct conn_side *, size_t, size_t,
		    size_t);
static void	relay_fail(struct conn_side *, int, int);
static int	relay_push(struct conn_side *, const uint8_t *, size_t);
static void	relay_done(struct conn *);

int
relay_init(struct fwrelay *sc)
{
	TAILQ_INIT(&sc->sc_relays);
	TAILQ_INIT(&sc->sc_pinholes);
	env = sc;
	fw_workers[0] = sc;
	return (0);
}

void
relay_conf_ref(struct relay_conf *rc)
{
	rc->refcnt++;
}

void
relay_conf_unref(struct relay_conf *rc)
{
	if (--rc->refcnt <= 0)
		relay_conf_free(rc);
}

struct relay *
relay_find(struct fwrelay *sc, const char *name)
{
	struct relay	*rl;

	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
		if (!rl->rl_removed && rl->rl_pinhole == NULL &&
		    strcmp(rl->rl_name, name) == 0)
			return (rl);
	return (NULL);
}

/*
 * The one constructor of a relay (the configured ones and the pinholes'
 * hidden ones): named after rc, which it takes over; not yet listening
 * nor in the running list.
 */
struct relay *
relay_new(struct relay_conf *rc)
{
	struct relay	*rl;

	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return (NULL);
	if ((rl->rl_share = relay_share_new()) == NULL) {
		free(rl);
		return (NULL);
	}
	snprintf(rl->rl_name, sizeof(rl->rl_name), "%s", rc->name);
	rl->rl_conf = rc;
	TAILQ_INIT(&rl->rl_listeners);
	TAILQ_INIT(&rl->rl_conns);
	return (rl);
}

void
relay_free(struct relay *rl)
{
	listener_close(rl);
	fault_relay_free(rl);
	capture_relay_free(rl);
	TAILQ_REMOVE(&env->sc_relays, rl, rl_entry);
	relay_conf_unref(rl->rl_conf);
	relay_share_unref(rl->rl_share);
	free(rl);
}

/* SIGTERM: no new connections on any relay. */
void
relay_stop_accepting(struct fwrelay *sc)
{
	struct relay	*rl;

	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
		listener_close(rl);
}

/* Close every connection left (end of the drain), with a reset. */
void
relay_close_all(struct fwrelay *sc, const char *reason)
{
	struct relay	*rl, *nrl;
	struct conn	*c, *nc;

	TAILQ_FOREACH_SAFE(rl, &sc->sc_relays, rl_entry, nrl) {
		TAILQ_FOREACH_SAFE(c, &rl->rl_conns, c_entry, nc) {
			/* The last close may free rl: note the next first. */
			if (rl->rl_nconns == 1 && rl->rl_removed) {
				conn_abort(c, reason);
				break;
			}
			conn_abort(c, reason);
		}
	}
}

/*
 * Start reading: from both sides, or from the client alone while the
 * target waits for the inspector (CONN_AWAIT).
 */
int
relay_start(struct conn *c)
{
	if (c->c_insp != NULL && c->c_insp->init != NULL &&
	    c->c_insp->init(c) == -1) {
		conn_abort(c, "inspector");
		return (-1);
	}
	event_add(c->c_client.cs_rev, NULL);
	if (c->c_target.cs_rev != NULL)
		event_add(c->c_target.cs_rev, NULL);
	return (0);
}

/*
 * Queue or write len bytes towards cs. Returns 0, or -1 when cs is gone
 * (the connection is closed then). A target not yet connected (no read
 * event yet) only queues: conn_connected() writes the queue.
 */
static int
relay_push(struct conn_side *cs, const uint8_t *buf, size_t len)
{
	ssize_t	 n = 0;

	if (cs->cs_rev != NULL && evbuffer_get_length(cs->cs_out) == 0) {
		n = send(cs->cs_fd, buf, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR) {
				relay_fail(cs, errno, 1);
				return (-1);
			}
			n = 0;
		}
		if (n > 0 && cs->cs_conn->c_cap != NULL)
			capture_data(cs, 1, buf, (size_t)n);
		if ((size_t)n == len)
			return (0);
	}
	if (evbuffer_add(cs->cs_out, buf + n, len - n) == -1) {
		conn_set_reason(cs->cs_conn, "out of memory");
		conn_abort(cs->cs_conn, "error");
		return (-1);
	}
	if (cs->cs_rev != NULL)
		event_add(cs->cs_wev, NULL);
	return (0);
}

/* Queue bytes of our own towards cs (an inspector's answer). */
int
relay_send(struct conn_side *cs, const void *buf, size_t len)
{
	return (relay_push(cs, buf, len));
}

/* Readable: move up to what the peer's queue has room for. */
void
relay_read(int fd, short what, void *arg)
{
	struct conn_side	*cs = arg, *peer = cs->cs_peer;
	struct conn		*c = cs->cs_conn;
	size_t			 room, queued, bufsz = c->c_conf->buffer_size;
	ssize_t			 n;

	queued = evbuffer_get_length(peer->cs_out);
	if (queued >= bufsz) {
		relay_pause(cs);
		return;
	}
	room = bufsz - queued;
	if (room > sizeof(relay_buf))
		room = sizeof(relay_buf);
	n = recv(fd, relay_buf, room, 0);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		relay_fail(cs, errno, 0);
		return;
	}
	if (n == 0) {
		if (c->c_cap != NULL)
			capture_fin(cs, 0);
		relay_eof(cs);
		return;
	}
	cs->cs_bytes += n;
	conn_touch(c);
	if (c->c_cap != NULL)
		capture_data(cs, 0, relay_buf, (size_t)n);
	if (c->c_faults != NULL) {
		switch (fault_data(cs, relay_buf, n)) {
		case -1:
			return;
		case 1:
			return;
		}
	}
	if (relay_forward(cs, relay_buf, n) == -1)
		return;
	if (evbuffer_get_length(peer->cs_out) >= bufsz)
		relay_pause(cs);
}

int
relay_forward(struct conn_side *cs, const uint8_t *buf, size_t n)
{
	struct conn	*c = cs->cs_conn;
	ssize_t		 pass;
	size_t		 held;

	if (c->c_insp == NULL) {
		cs->cs_fwd += n;
		return (relay_push(cs->cs_peer, buf, n));
	}
	held = cs->cs_in != NULL ? evbuffer_get_length(cs->cs_in) : 0;
	if (!cs->cs_hold && held == 0) {
		/* The inspector only looks: no copy, no delay. */
		if (c->c_insp->input(cs, buf, n) == -1)
			goto fail;
		if (c->c_flags & CONN_DEAD)
			return (-1);
		if (cs->cs_trig)
			return (fault_trig_act(cs, buf, n));
		cs->cs_fwd += n;
		return (relay_push(cs->cs_peer, buf, n));
	}
	if (cs->cs_in == NULL && (cs->cs_in = evbuffer_new()) == NULL)
		goto fail;
	if (evbuffer_add(cs->cs_in, buf, n) == -1)
		goto fail;
	if ((pass = c->c_insp->input(cs, buf, n)) == -1)
		goto fail;
	if (c->c_flags & CONN_DEAD)
		return (-1);
	if ((size_t)pass > held + n)
		pass = held + n;
	if (cs->cs_trig) {
		if (relay_forward_trig(cs, (size_t)pass, held, n) == -1)
			return (-1);
	} else
		relay_flush_n(cs, pass);
	if (c->c_flags & CONN_DEAD)
		return (-1);
	/* The caller's first bytes are judged and may go: reach the target. */
	if ((c->c_flags & CONN_AWAIT) && !cs->cs_hold)
		conn_await_done(c);
	return ((c->c_flags & CONN_DEAD) ? -1 : 0);
 fail:
	if (!(c->c_flags & CONN_DEAD)) {
		conn_abort(c, "inspector");
	}
	return (-1);
}

/*
 * A triggered fault took the last n bytes the inspector got (one PDU):
 * what came before goes on, the PDU goes to the fault. When the inspector
 * still holds the PDU itself, the fault lets it be.
 */
static int
relay_forward_trig(struct conn_side *cs, size_t pass, size_t held, size_t n)
{
	struct conn	*c = cs->cs_conn;
	uint8_t		*p;
	int		 r;

	if (pass < held + n) {
		cs->cs_trig = 0;
		relay_flush_n(cs, pass);
		return ((c->c_flags & CONN_DEAD) ? -1 : 0);
	}
	relay_flush_n(cs, held);
	if (c->c_flags & CONN_DEAD)
		return (-1);
	if ((p = malloc(n)) == NULL) {
		conn_abort(c, "error");
		return (-1);
	}
	evbuffer_remove(cs->cs_in, p, n);
	r = fault_trig_act(cs, p, n);
	free(p);
	return (r);
}

void
relay_pause(struct conn_side *cs)
{
	if (cs->cs_rev != NULL)
		event_del(cs->cs_rev);
	cs->cs_paused = 1;
}

void
relay_resume(struct conn_side *cs)
{
	cs->cs_paused = 0;
	if (cs->cs_rev != NULL && !cs->cs_eof)
		event_add(cs->cs_rev, NULL);
}

/* Pass on the first n held bytes of cs. */
static void
relay_flush_n(struct conn_side *cs, size_t n)
{
	struct conn_side	*peer = cs->cs_peer;
	size_t			 len;

	if (cs->cs_in == NULL || n == 0)
		return;
	len = evbuffer_get_length(cs->cs_in);
	if (n > len)
		n = len;
	cs->cs_fwd += n;
	evbuffer_remove_buffer(cs->cs_in, peer->cs_out, n);
	if (peer->cs_rev != NULL)
		relay_write(peer->cs_fd, EV_WRITE, peer);
}

/* Let everything held on cs go (the inspector gave up holding). */
void
relay_flush(struct conn_side *cs)
{
	if (cs->cs_in != NULL)
		relay_flush_n(cs, evbuffer_get_length(cs->cs_in));
}

/* Writable: drain the queue; resume the peer's reading below half full. */
void
relay_write(int fd, short what, void *arg)
{
	struct conn_side	*cs = arg, *peer = cs->cs_peer;
	struct conn		*c = cs->cs_conn;
	size_t			 left;
	int			 n;

	if (evbuffer_get_length(cs->cs_out) > 0) {
		n = c->c_cap != NULL ? capture_write(cs) :
		    evbuffer_write(cs->cs_out, fd);
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			relay_fail(cs, errno, 1);
			return;
		}
	}
	left = evbuffer_get_length(cs->cs_out);
	if (left == 0 && (c->c_flags & CONN_FLUSHCLOSE)) {
		conn_close(c, "relay", c->c_reason[0] != '\0' ? c->c_reason :
		    "refused");
		return;
	}
	if (left == 0) {
		event_del(cs->cs_wev);
		if (peer->cs_eof && !cs->cs_wshut &&
		    (c->c_faults == NULL || !fault_pending(peer))) {
			relay_shut(cs);
			cs->cs_state = SIDE_HALF;
			relay_done(c);
			return;
		}
	} else
		event_add(cs->cs_wev, NULL);
	if (peer->cs_paused && left <= c->c_conf->buffer_size / 2)
		relay_resume(peer);
}

/*
 * Pass an EOF on to cs: shutdown(SHUT_WR). When the other direction is
 * already finished the connection closes right after, and close() sends
 * the FIN by itself: one syscall less per connection.
 */
static void
relay_shut(struct conn_side *cs)
{
	struct conn_side	*peer = cs->cs_peer;

	if (!(cs->cs_eof && peer->cs_wshut))
		shutdown(cs->cs_fd, SHUT_WR);
	cs->cs_wshut = 1;
	if (cs->cs_conn->c_cap != NULL)
		capture_fin(cs, 1);
}

/* EOF from cs: pass it on once the peer's queue is empty. */
static void
relay_eof(struct conn_side *cs)
{
	struct conn_side	*peer = cs->cs_peer;
	struct conn		*c = cs->cs_conn;

	cs->cs_eof = 1;
	event_del(cs->cs_rev);
	if (c->c_closed_by == NULL)
		c->c_closed_by = cs->cs_name;
	if (c->c_insp != NULL && c->c_insp->eof != NULL &&
	    c->c_insp_state != NULL && c->c_insp->eof(cs) == -1) {
		/* strict: the FIN cut a PDU; the reason names it. */
		conn_abort(c, "inspector");
		return;
	}
	if (c->c_flags & CONN_AWAIT) {
		/* Gone before its first TPDU was whole: nobody to tell. */
		conn_set_reason(c, "the client left before the inspector could "
		    "judge its first bytes; the target was not contacted");
		conn_close(c, "client", "done");
		return;
	}
	if (cs->cs_in != NULL && evbuffer_get_length(cs->cs_in) > 0) {
		/* A PDU the inspector held will never complete: let it go. */
		relay_flush(cs);
		if (c->c_flags & CONN_DEAD)
			return;
	}
	/* A target still connecting gets the FIN after the queue. */
	if (peer->cs_rev != NULL &&
	    evbuffer_get_length(peer->cs_out) == 0 && !peer->cs_wshut &&
	    (c->c_faults == NULL || !fault_pending(cs))) {
		relay_shut(peer);
		peer->cs_state = SIDE_HALF;
	}
	relay_done(c);
}

/* Both directions finished: a clean close. */
static void
relay_done(struct conn *c)
{
	if (c->c_client.cs_eof && c->c_target.cs_eof &&
	    c->c_client.cs_wshut && c->c_target.cs_wshut)
		conn_close(c, c->c_closed_by != NULL ? c->c_closed_by :
		    "client", "done");
}

/*
 * A read or write on cs failed. A reset (or a write into a closed socket)
 * is passed on to the other side as a reset.
 */
static void
relay_fail(struct conn_side *cs, int err, int writing)
{
	struct conn	*c = cs->cs_conn;

	c->c_flags |= CONN_RESET;
	if (c->c_cap != NULL && (err == ECONNRESET || err == EPIPE))
		capture_reset(cs, 0);
	conn_set_reason(c, "%s %s: %s", writing ? "write to" : "read from",
	    cs->cs_name, errno_name(err));
	conn_close(c, cs->cs_name, (err == ECONNRESET || err == EPIPE) ?
	    "reset" : "error");
}
