/*
 * Connection lifecycle: accept, policy decision, connect to the target,
 * timers, and the one way out, conn_close() (relayd relay_close()).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "fwrelay.h"

#ifndef TCP_REPAIR
#define TCP_REPAIR 19
#endif

/* How often a dropped connection is looked at to see if the client left. */
#define CONN_DROP_POLL	1

static void	conn_connect(struct conn *);
static void	conn_await(struct conn *);
static void	conn_await_timeout(int, short, void *);
static void	conn_connected(int, short, void *);
static void	conn_timer(int, short, void *);
static void	conn_free(int, short, void *);
static void	conn_deny(struct conn *, int, const struct rule *);
static void	conn_discard(int, short, void *);
static void	conn_drop_poll(int, short, void *);
static void	conn_side_reset(struct conn_side *, int);
static void	conn_target_addr(struct conn *, struct sockaddr_storage *);
static int	conn_setup_side(struct conn *, struct conn_side *);
static void	conn_idle_start(struct conn *);
static int	conn_begin(struct conn *);

const char *
side_state_name(enum side_state st)
{
	switch (st) {
	case SIDE_INIT:
		return ("init");
	case SIDE_CONNECTING:
		return ("connecting");
	case SIDE_OPEN:
		return ("open");
	case SIDE_HALF:
		return ("half-closed");
	case SIDE_CLOSED:
		return ("closed");
	}
	return ("unknown");
}

/* A new accepted connection on relay rl; emits accept. NULL: fd closed. */
struct conn *
conn_new(struct relay *rl, int fd, const struct sockaddr *sa, socklen_t salen,
    const struct sockaddr *laddr)
{
	struct conn	*c;
	socklen_t	 len;
	json_t		*ev;
	char		 ts[40];

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s: calloc", __func__);
		relay_leave(rl);
		close(fd);
		return (NULL);
	}
	c->c_id = worker_next_id();
	c->c_worker = env->sc_worker;
	c->c_relay = rl;
	c->c_conf = rl->rl_conf;
	relay_conf_ref(c->c_conf);
	gettimeofday(&c->c_start, NULL);
	c->c_last = c->c_start;

	c->c_client.cs_conn = c;
	c->c_client.cs_peer = &c->c_target;
	c->c_client.cs_name = "client";
	c->c_client.cs_fd = fd;
	c->c_client.cs_dir = FAULT_UP;
	memcpy(&c->c_client.cs_addr, sa, salen < sizeof(c->c_client.cs_addr) ?
	    salen : sizeof(c->c_client.cs_addr));
	addr_unmap(&c->c_client.cs_addr);
	/*
	 * What the client reached: the listener's own address, unless it
	 * listens on a wildcard or intercepts (then only the socket knows).
	 */
	if (laddr != NULL && !rl->rl_conf->intercept &&
	    !addr_is_any(laddr))
		memcpy(&c->c_dst, laddr, addr_len(laddr));
	else {
		len = sizeof(c->c_dst);
		if (getsockname(fd, (struct sockaddr *)&c->c_dst, &len) == -1)
			memcpy(&c->c_dst, &rl->rl_conf->listen,
			    sizeof(c->c_dst));
		addr_unmap(&c->c_dst);
	}
	c->c_client.cs_local = c->c_dst;
	c->c_client.cs_state = SIDE_OPEN;
	c->c_insp = inspector_lookup(c->c_conf->protocol);

	c->c_target.cs_conn = c;
	c->c_target.cs_peer = &c->c_client;
	c->c_target.cs_name = "target";
	c->c_target.cs_fd = -1;
	c->c_target.cs_dir = FAULT_DOWN;

	TAILQ_INSERT_TAIL(&rl->rl_conns, c, c_entry);
	rl->rl_nconns++;
	env->sc_nconns++;
	worker_fds(2);
	rl->rl_stats.accepted++;

	if ((c->c_timer = event_new(env->sc_base, -1, 0, conn_timer, c)) ==
	    NULL) {
		conn_close(c, "relay", "out of memory");
		return (NULL);
	}
	/* The accept's time is the connection's start, as captures say. */
	if ((ev = conn_event(c, "accept")) != NULL) {
		json_object_set_new(ev, "ts", json_string(eventlog_timestamp(
		    &c->c_start, ts, sizeof(ts))));
		eventlog_emit_at(ev, &c->c_start);
	}
	/* Capture off costs this test (capture_relay_sync stops it). */
	if (rl->rl_conf->capture[0] != '\0') {
		capture_relay_sync(rl, 0);
		capture_conn_start(c);
	}
	return (c);
}

/* An event about c with relay, conn, client and (once known) target. */
json_t *
conn_event(struct conn *c, const char *name)
{
	return (conn_event_level(c, LOG_LEVEL_INFO, name));
}

json_t *
conn_event_level(struct conn *c, enum log_level level, const char *name)
{
	json_t	*ev;

	/* Nothing after the close event (a decoder finishing its read). */
	if ((c->c_flags & CONN_DEAD) && c->c_relay == NULL)
		return (NULL);
	if ((ev = eventlog_new_level(level, name)) == NULL)
		return (NULL);
	eventlog_str(ev, "relay", c->c_relay->rl_name);
	eventlog_int(ev, "conn", (long long)c->c_id);
	if (fw_nworkers > 1)
		eventlog_int(ev, "worker", c->c_worker);
	eventlog_addr(ev, "client", (struct sockaddr *)&c->c_client.cs_addr);
	if (c->c_target.cs_addr.ss_family != AF_UNSPEC)
		eventlog_addr(ev, "target",
		    (struct sockaddr *)&c->c_target.cs_addr);
	return (ev);
}

/* Our end of a side's socket, looked up the first time it is wanted. */
const struct sockaddr *
conn_side_local(struct conn_side *cs)
{
	socklen_t	 len = sizeof(cs->cs_local);

	if (cs->cs_local.ss_family == AF_UNSPEC && cs->cs_fd != -1 &&
	    getsockname(cs->cs_fd, (struct sockaddr *)&cs->cs_local,
	    &len) == 0)
		addr_unmap(&cs->cs_local);
	return ((const struct sockaddr *)&cs->cs_local);
}

void
conn_set_reason(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(c->c_reason, sizeof(c->c_reason), fmt, ap);
	va_end(ap);
}

void
conn_touch(struct conn *c)
{
	event_base_gettimeofday_cached(env->sc_base, &c->c_last);
}

struct conn *
conn_find(struct fwrelay *sc, uint64_t id)
{
	struct relay	*rl;
	struct conn	*c;

	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
		TAILQ_FOREACH(c, &rl->rl_conns, c_entry)
			if (c->c_id == id)
				return (c);
	return (NULL);
}

/* Where this connection goes: fixed, same port, or the original destination. */
static void
conn_target_addr(struct conn *c, struct sockaddr_storage *ss)
{
	const struct relay_conf	*rc = c->c_conf;

	switch (rc->target_kind) {
	case TARGET_ORIGINAL:
		*ss = c->c_dst;
		break;
	case TARGET_SAME_PORT:
		*ss = rc->target;
		addr_set_port((struct sockaddr *)ss,
		    addr_port((struct sockaddr *)&c->c_dst));
		break;
	case TARGET_ADDR:
	default:
		*ss = rc->target;
		break;
	}
}

/*
 * Decide, then connect to the target or deny. An inspector that must
 * judge the caller's first bytes first (tsap_allow) gets them before the
 * target is reached at all.
 */
void
conn_start(struct conn *c)
{
	struct relay_conf	*rc = c->c_conf;
	json_t			*ev;
	int			 allow, idx;

	if (rc->policy.present) {
		struct rule	 ru, *rp = NULL;
		int		 locked;

		/* A pinhole's rules grow when another worker reuses it. */
		locked = pinhole_lock(c->c_relay);
		allow = policy_decide(&rc->policy,
		    (struct sockaddr *)&c->c_client.cs_addr,
		    (struct sockaddr *)&c->c_dst, &idx);
		if (!allow && idx >= 0) {
			ru = rc->policy.rules[idx];
			rp = &ru;
		}
		pinhole_unlock(locked);
		if (!allow) {
			conn_deny(c, idx, rp);
			return;
		}
		c->c_relay->rl_stats.allowed++;
		if ((ev = conn_event(c, "allow")) != NULL) {
			eventlog_addr(ev, "to", (struct sockaddr *)&c->c_dst);
			eventlog_int(ev, "rule", idx);
			eventlog_int(ev, "line", rc->policy.rules[idx].line);
			eventlog_emit(ev);
		}
		if (c->c_relay->rl_pinhole != NULL)
			pinhole_used(c->c_relay, c);
	}

	conn_target_addr(c, &c->c_target.cs_addr);
	if (c->c_insp != NULL && c->c_insp->await != NULL &&
	    c->c_insp->await(rc))
		conn_await(c);
	else
		conn_connect(c);
}

/*
 * Read from the client alone until the inspector lets its first bytes
 * pass (conn_await_done), for at most connect_timeout. They wait in the
 * target's queue, written once the target is connected.
 */
static void
conn_await(struct conn *c)
{
	struct timeval	 tv = double_to_tv(c->c_conf->connect_timeout);

	c->c_flags |= CONN_AWAIT;
	if (conn_setup_side(c, &c->c_client) == -1 ||
	    (c->c_target.cs_out = evbuffer_new()) == NULL ||
	    (c->c_await = evtimer_new(env->sc_base, conn_await_timeout,
	    c)) == NULL) {
		conn_abort(c, "out of memory");
		return;
	}
	if (conn_begin(c) == -1)
		return;
	evtimer_add(c->c_await, &tv);
	conn_touch(c);
	/* The CR may be here already. This may close c. */
	relay_read(c->c_client.cs_fd, EV_READ, &c->c_client);
}

/* The inspector let the awaited bytes pass: now reach the target. */
void
conn_await_done(struct conn *c)
{
	c->c_flags &= ~CONN_AWAIT;
	if (c->c_await != NULL) {
		event_free(c->c_await);
		c->c_await = NULL;
	}
	conn_connect(c);
}

static void
conn_await_timeout(int fd, short what, void *arg)
{
	struct conn	*c = arg;

	conn_set_reason(c, "no first TPDU the inspector could judge within "
	    "connect_timeout (%g s); the target was not contacted",
	    c->c_conf->connect_timeout);
	conn_abort(c, "await_timeout");
}

/* Open the connection to the target; conn_connected() goes on. */
static void
conn_connect(struct conn *c)
{
	struct relay_conf	*rc = c->c_conf;
	struct conn_side	*ts = &c->c_target;
	const char		*errstr = NULL;
	json_t			*ev;
	int			 s, saved;

	s = source_connect(rc, (struct sockaddr *)&c->c_client.cs_addr,
	    (struct sockaddr *)&ts->cs_addr, &ts->cs_local, &errstr);
	if (s == -1) {
		saved = errno;
		c->c_relay->rl_stats.connect_failed++;
		if ((ev = conn_event(c, "connect_failed")) != NULL) {
			eventlog_str(ev, "error", errno_name(saved));
			if (errstr != NULL)
				eventlog_str(ev, "detail", errstr);
			eventlog_emit(ev);
		}
		conn_abort(c, "connect_failed");
		return;
	}
	ts->cs_fd = s;
	ts->cs_state = SIDE_CONNECTING;
	if (c->c_cap != NULL)
		capture_connect(ts);
	ts->cs_wev = event_new(env->sc_base, s, EV_WRITE, conn_connected, c);
	if (ts->cs_wev == NULL) {
		conn_abort(c, "out of memory");
		return;
	}
	{
		struct timeval tv = double_to_tv(rc->connect_timeout);
		event_add(ts->cs_wev, &tv);
	}
}

/* The target's connect finished, failed or timed out. */
static void
conn_connected(int s, short what, void *arg)
{
	struct conn		*c = arg;
	struct conn_side	*ts = &c->c_target;
	json_t			*ev;
	socklen_t		 len;
	int			 err = 0;

	if (what & EV_TIMEOUT)
		err = ETIMEDOUT;
	else {
		len = sizeof(err);
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
	}
	event_free(ts->cs_wev);
	ts->cs_wev = NULL;
	if (c->c_cap != NULL)
		capture_connected(ts, err);
	if (err != 0) {
		c->c_relay->rl_stats.connect_failed++;
		if ((ev = conn_event(c, "connect_failed")) != NULL) {
			eventlog_str(ev, "error", errno_name(err));
			eventlog_emit(ev);
		}
		conn_abort(c, err == ETIMEDOUT ? "connect_timeout" :
		    "connect_failed");
		return;
	}
	ts->cs_state = SIDE_OPEN;
	c->c_relay->rl_stats.connected++;
	/* Our own address towards the target costs a syscall: on demand. */
	if ((ev = conn_event(c, "connect")) != NULL) {
		eventlog_addr(ev, "source", conn_side_local(ts));
		eventlog_emit(ev);
	}
	if (c->c_client.cs_rev != NULL) {
		/* The connect waited for the inspector, which is reading the
		 * client already: write what waited for us. */
		if (conn_setup_side(c, ts) == -1) {
			conn_abort(c, "out of memory");
			return;
		}
		event_add(ts->cs_rev, NULL);
		conn_idle_start(c);
		relay_write(ts->cs_fd, EV_WRITE, ts);
		return;
	}
	if (conn_setup_side(c, &c->c_client) == -1 ||
	    conn_setup_side(c, ts) == -1) {
		conn_abort(c, "out of memory");
		return;
	}
	if (conn_begin(c) == -1)
		return;
	conn_idle_start(c);
	/*
	 * The client has most likely spoken while we connected: read now
	 * rather than after another trip through the loop. This may close c.
	 */
	relay_read(c->c_client.cs_fd, EV_READ, &c->c_client);
}

/* Faults and the inspector for c, then reading. -1: c is closed. */
static int
conn_begin(struct conn *c)
{
	if (fault_conn_init(c) == -1) {
		conn_abort(c, "fault setup failed");
		return (-1);
	}
	return (relay_start(c));
}

/* Bytes may move: the idle timeout starts. */
static void
conn_idle_start(struct conn *c)
{
	struct timeval	 tv;

	conn_touch(c);
	if (c->c_conf->idle_timeout > 0) {
		tv = double_to_tv(c->c_conf->idle_timeout);
		event_add(c->c_timer, &tv);
	}
}

/*
 * Events and output buffer for one side of an established connection
 * (the output buffer may exist already: what waited for the connect).
 */
static int
conn_setup_side(struct conn *c, struct conn_side *cs)
{
	cs->cs_rev = event_new(env->sc_base, cs->cs_fd, EV_READ | EV_PERSIST,
	    relay_read, cs);
	cs->cs_wev = event_new(env->sc_base, cs->cs_fd, EV_WRITE | EV_PERSIST,
	    relay_write, cs);
	if (cs->cs_out == NULL)
		cs->cs_out = evbuffer_new();
	if (cs->cs_rev == NULL || cs->cs_wev == NULL || cs->cs_out == NULL)
		return (-1);
	return (0);
}

/* Idle timeout and the end of the shutdown drain share one timer. */
static void
conn_timer(int fd, short what, void *arg)
{
	struct conn	*c = arg;
	struct timeval	 now, idle, due, left;

	if (c->c_conf->idle_timeout <= 0)
		return;
	event_base_gettimeofday_cached(env->sc_base, &now);
	idle = double_to_tv(c->c_conf->idle_timeout);
	timeradd(&c->c_last, &idle, &due);
	if (timercmp(&now, &due, <)) {
		/* Bytes moved since it was armed: sleep for the rest. */
		timersub(&due, &now, &left);
		event_add(c->c_timer, &left);
		return;
	}
	conn_close(c, "relay", "idle_timeout");
}

/* Deny as the rule says: RST, FIN, or silence. */
static void
conn_deny(struct conn *c, int idx, const struct rule *r)
{
	struct conn_side	*cs = &c->c_client;
	enum deny_style		 style = r != NULL ? r->deny : DENY_RESET;
	json_t			*ev;
	struct timeval		 tv;

	c->c_relay->rl_stats.denied++;
	if ((ev = conn_event(c, "deny")) != NULL) {
		eventlog_addr(ev, "to", (struct sockaddr *)&c->c_dst);
		eventlog_int(ev, "rule", idx);
		if (r != NULL)
			eventlog_int(ev, "line", r->line);
		else
			eventlog_str(ev, "default", "no rule matched");
		eventlog_str(ev, "style", deny_style_name(style));
		eventlog_emit(ev);
	}
	switch (style) {
	case DENY_RESET:
		conn_abort(c, "denied");
		return;
	case DENY_CLOSE:
		/* FIN now; read and discard until the client closes too. */
		shutdown(cs->cs_fd, SHUT_WR);
		cs->cs_wshut = 1;
		if (c->c_cap != NULL)
			capture_fin(cs, 1);
		cs->cs_rev = event_new(env->sc_base, cs->cs_fd,
		    EV_READ | EV_PERSIST, conn_discard, c);
		if (cs->cs_rev == NULL) {
			conn_close(c, "relay", "denied");
			return;
		}
		tv = double_to_tv(c->c_conf->connect_timeout);
		event_add(cs->cs_rev, &tv);
		return;
	case DENY_DROP:
		/*
		 * Nothing is read or written. A timer peeks now and then to
		 * learn whether the client gave up.
		 */
		c->c_flags |= CONN_DROPPED;
		cs->cs_rev = event_new(env->sc_base, -1, EV_PERSIST,
		    conn_drop_poll, c);
		if (cs->cs_rev == NULL) {
			conn_close(c, "relay", "denied");
			return;
		}
		tv.tv_sec = CONN_DROP_POLL;
		tv.tv_usec = 0;
		event_add(cs->cs_rev, &tv);
		return;
	}
}

static void
conn_discard(int fd, short what, void *arg)
{
	struct conn	*c = arg;
	char		 buf[4096];
	ssize_t		 n;

	if (what & EV_TIMEOUT) {
		conn_close(c, "relay", "denied");
		return;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n > 0 && c->c_cap != NULL)
		capture_data(&c->c_client, 0, buf, (size_t)n);
	if (n > 0 || (n == -1 && (errno == EAGAIN || errno == EINTR)))
		return;
	if (c->c_cap != NULL) {
		if (n == 0)
			capture_fin(&c->c_client, 0);
		else if (errno == ECONNRESET)
			capture_reset(&c->c_client, 0);
	}
	conn_close(c, "client", "denied");
}

/*
 * A dropped client is gone once its side of TCP closed or reset. Nothing is
 * read, so unread bytes stay queued: the socket's state says it, not a
 * peek (which would see those bytes first).
 */
static void
conn_drop_poll(int fd, short what, void *arg)
{
	struct conn	*c = arg;
	struct tcp_info	 ti;
	socklen_t	 len = sizeof(ti);
	int		 err = 0, gone;
	struct timeval	 now, age;

	gone = getsockopt(c->c_client.cs_fd, IPPROTO_TCP, TCP_INFO, &ti,
	    &len) == -1 || ti.tcpi_state == TCP_CLOSE_WAIT ||
	    ti.tcpi_state == TCP_CLOSE;
	len = sizeof(err);
	if (!gone && getsockopt(c->c_client.cs_fd, SOL_SOCKET, SO_ERROR, &err,
	    &len) == 0 && err != 0)
		gone = 1;
	if (gone) {
		conn_close(c, "client", "denied");
		return;
	}
	/* Never hold one forever: the idle timeout (or 600 s) bounds it. */
	event_base_gettimeofday_cached(env->sc_base, &now);
	timersub(&now, &c->c_start, &age);
	if (tv_to_double(&age) >= (c->c_conf->idle_timeout > 0 ?
	    c->c_conf->idle_timeout : RELAY_IDLE_TIMEOUT))
		conn_close(c, "relay", "denied");
}

/* Release one side; with rst the peer gets a reset instead of a FIN. */
static void
conn_side_reset(struct conn_side *cs, int rst)
{
	struct linger	 l = { 1, 0 };
	int		 on = 1;

	if (cs->cs_rev != NULL) {
		event_free(cs->cs_rev);
		cs->cs_rev = NULL;
	}
	if (cs->cs_wev != NULL) {
		event_free(cs->cs_wev);
		cs->cs_wev = NULL;
	}
	if (cs->cs_out != NULL) {
		evbuffer_free(cs->cs_out);
		cs->cs_out = NULL;
	}
	if (cs->cs_in != NULL) {
		evbuffer_free(cs->cs_in);
		cs->cs_in = NULL;
	}
	if (cs->cs_fd != -1) {
		if (cs->cs_conn->c_cap != NULL)
			capture_side_close(cs, rst);
		if (rst == 2) {
			/*
			 * A dropped client must never hear from us, not even
			 * when we let go: TCP_REPAIR (CAP_NET_ADMIN) makes
			 * close() send nothing. Unprivileged, the close may
			 * still answer a client that already left.
			 */
			if (setsockopt(cs->cs_fd, IPPROTO_TCP, TCP_REPAIR,
			    &on, sizeof(on)) == -1)
				log_debug("%s: TCP_REPAIR: %s", __func__,
				    strerror(errno));
		} else if (rst)
			setsockopt(cs->cs_fd, SOL_SOCKET, SO_LINGER, &l,
			    sizeof(l));
		close(cs->cs_fd);
		cs->cs_fd = -1;
	}
	cs->cs_state = SIDE_CLOSED;
}

/*
 * Everything the connection still holds once it is closed: the inspector's
 * and the faults' state and the relay_conf, which callers up the stack of
 * conn_close() may still be using.
 */
static void
conn_release(struct conn *c)
{
	if (c->c_insp != NULL && c->c_insp->free != NULL)
		c->c_insp->free(c);
	fault_conn_free(c);
	relay_conf_unref(c->c_conf);
	free(c);
}

static void
conn_free(int fd, short what, void *arg)
{
	conn_release(arg);
}

/* Close c with a reset to both ends, for a reason of the relay's own. */
void
conn_abort(struct conn *c, const char *reason)
{
	c->c_flags |= CONN_RESET;
	conn_close(c, "relay", reason);
}

/*
 * The single exit: one close event, both sides released, counters; the
 * memory goes in the deferred free. The caller must not touch c afterwards.
 */
void
conn_close(struct conn *c, const char *closed_by, const char *reason)
{
	struct relay	*rl = c->c_relay;
	struct timeval	 now, d;
	json_t		*ev;
	int		 rst;

	if (c->c_flags & CONN_DEAD)
		return;
	c->c_flags |= CONN_DEAD;

	gettimeofday(&now, NULL);
	timersub(&now, &c->c_start, &d);
	rl->rl_stats.closed++;
	rl->rl_stats.bytes_from_client += c->c_client.cs_bytes;
	rl->rl_stats.bytes_from_target += c->c_target.cs_bytes;
	if ((ev = conn_event(c, "close")) != NULL) {
		eventlog_int(ev, "bytes_from_client",
		    (long long)c->c_client.cs_bytes);
		eventlog_int(ev, "bytes_from_target",
		    (long long)c->c_target.cs_bytes);
		eventlog_int(ev, "duration_ms",
		    (long long)d.tv_sec * 1000 + d.tv_usec / 1000);
		eventlog_str(ev, "closed_by", closed_by);
		eventlog_str(ev, "reason", reason);
		/* A reason kept for a later close is not repeated as detail. */
		if (c->c_reason[0] != '\0' && strcmp(c->c_reason, reason) != 0)
			eventlog_str(ev, "detail", c->c_reason);
		eventlog_emit(ev);
	}
	fault_conn_stop(c);

	rst = (c->c_flags & CONN_RESET) != 0;
	conn_side_reset(&c->c_client, (c->c_flags & CONN_DROPPED) ? 2 : rst);
	conn_side_reset(&c->c_target, rst);
	capture_conn_end(c);
	if (c->c_timer != NULL)
		event_free(c->c_timer);
	if (c->c_await != NULL)
		event_free(c->c_await);

	TAILQ_REMOVE(&rl->rl_conns, c, c_entry);
	rl->rl_nconns--;
	env->sc_nconns--;
	worker_fds(-2);
	relay_leave(rl);
	c->c_relay = NULL;
	/*
	 * Callers up the stack (an inspector inside a decoder callback, a
	 * fault stage) may still look at c_flags, their own state and c_conf:
	 * free all of it from the loop (tmux's server_client_unref).
	 */
	if (event_base_once(env->sc_base, -1, EV_TIMEOUT, conn_free, c,
	    NULL) == -1)
		conn_release(c);

	if (env->sc_accept_paused && listener_fd_room(env, 1))
		listener_resume_all(env);
	if (rl->rl_removed && rl->rl_nconns == 0)
		relay_free(rl);
	if (env->sc_stopping && env->sc_nconns == 0)
		worker_drained(env);
}
