/*
 * Listeners: one socket per listening port (a range opens one per port),
 * with the accept back-off relayd uses when file descriptors run out.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "fwrelay.h"

#define LISTEN_BACKLOG		4096
#define ACCEPT_RETRY_SECS	1
/* Descriptors kept for the loop, the event log, the control socket. */
#define FD_RESERVE		16

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT 75
#endif

static void	listener_accept(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	listener_error(struct evconnlistener *, void *);
static void	listener_retry(int, short, void *);
static void	listener_pause(struct fwrelay *, const char *, int);
static void	listener_pause_all(struct fwrelay *);
static int	listener_socket(const struct relay_conf *,
		    const struct sockaddr *, char **);

/* A bound, listening, non-blocking socket for one address, or -1 + cause. */
static int
listener_socket(const struct relay_conf *rc, const struct sockaddr *sa,
    char **cause)
{
	char	 buf[ADDR_STRLEN];
	int	 s, on = 1;

	s = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s == -1)
		goto fail;
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	/*
	 * Workers: each listens on the relay's address, and the kernel
	 * spreads connections over them. A pinhole listens on one worker.
	 */
	if (fw_nworkers > 1 && !rc->pinhole &&
	    setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) == -1)
		goto fail;
	if (sa->sa_family == AF_INET6 &&
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (rc->intercept) {
		/* TPROXY hands us connections for foreign destinations. */
		if (sa->sa_family == AF_INET6 ? setsockopt(s, IPPROTO_IPV6,
		    IPV6_TRANSPARENT, &on, sizeof(on)) : setsockopt(s,
		    IPPROTO_IP, IP_TRANSPARENT, &on, sizeof(on)))
			goto fail;
	}
	if (bind(s, sa, addr_len(sa)) == -1)
		goto fail;
	if (listen(s, LISTEN_BACKLOG) == -1)
		goto fail;
	return (s);
 fail:
	if (asprintf(cause, "cannot listen on %s%s: %s",
	    addr_str(sa, buf, sizeof(buf)),
	    rc->intercept ? " (intercept)" : "", strerror(errno)) == -1)
		*cause = NULL;
	if (s != -1)
		close(s);
	return (-1);
}

/* Open every listener of rl; on failure none stays open. */
int
listener_open(struct relay *rl, char **cause)
{
	struct relay_conf	*rc = rl->rl_conf;
	struct relay_listener	*rls;
	struct sockaddr_storage	 ss;
	json_t			*ev;
	int			 port, s;

	for (port = rc->listen_lo; port <= rc->listen_hi; port++) {
		ss = rc->listen;
		addr_set_port((struct sockaddr *)&ss, port);
		if ((s = listener_socket(rc, (struct sockaddr *)&ss,
		    cause)) == -1)
			goto fail;
		if ((rls = calloc(1, sizeof(*rls))) == NULL) {
			close(s);
			*cause = strdup("out of memory");
			goto fail;
		}
		rls->rls_relay = rl;
		rls->rls_addr = ss;
		rls->rls_port = port;
		rls->rls_lev = evconnlistener_new(env->sc_base,
		    listener_accept, rls, LEV_OPT_CLOSE_ON_FREE |
		    LEV_OPT_CLOSE_ON_EXEC, 0, s);
		if (rls->rls_lev == NULL) {
			close(s);
			free(rls);
			*cause = strdup("cannot create listener");
			goto fail;
		}
		evconnlistener_set_error_cb(rls->rls_lev, listener_error);
		TAILQ_INSERT_TAIL(&rl->rl_listeners, rls, rls_entry);
		worker_fds(1);
		if (env->sc_accept_paused)
			evconnlistener_disable(rls->rls_lev);
	}
	TAILQ_FOREACH(rls, &rl->rl_listeners, rls_entry) {
		if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "listen")) == NULL)
			break;
		eventlog_str(ev, "relay", rl->rl_name);
		eventlog_addr(ev, "listen", (struct sockaddr *)&rls->rls_addr);
		if (fw_nworkers > 1)
			eventlog_int(ev, "worker", env->sc_worker);
		if (rc->intercept)
			json_object_set_new(ev, "intercept", json_true());
		eventlog_emit(ev);
	}
	return (0);
 fail:
	listener_close(rl);
	return (-1);
}

void
listener_close(struct relay *rl)
{
	struct relay_listener	*rls;
	json_t			*ev;

	while ((rls = TAILQ_FIRST(&rl->rl_listeners)) != NULL) {
		TAILQ_REMOVE(&rl->rl_listeners, rls, rls_entry);
		if ((ev = eventlog_new_level(LOG_LEVEL_ERROR,
		    "listen_close")) != NULL) {
			eventlog_str(ev, "relay", rl->rl_name);
			eventlog_addr(ev, "listen",
			    (struct sockaddr *)&rls->rls_addr);
			if (fw_nworkers > 1)
				eventlog_int(ev, "worker", env->sc_worker);
			eventlog_emit(ev);
		}
		evconnlistener_free(rls->rls_lev);
		free(rls);
		worker_fds(-1);
	}
}

/*
 * Each connection costs two descriptors. Accept only while there is room
 * for the target side of the next one too, so that a client is never
 * accepted just to be reset for want of a socket (relayd's accept_reserve).
 */
int
listener_fd_room(struct fwrelay *sc, unsigned int more)
{
	unsigned long	 used;

	if (sc->sc_fd_limit == 0)
		return (1);
	/*
	 * The limit is the process's: count every worker's descriptors, and
	 * keep room for one more connection on each of the other workers,
	 * which may be accepting at this moment.
	 */
	used = FD_RESERVE + (unsigned long)worker_fds_used() +
	    2UL * (more + fw_nworkers - 1);
	return (used <= sc->sc_fd_limit);
}

/* enabled = false: the listeners stay bound but accept nothing. */
void
listener_set_enabled(struct relay *rl, int on)
{
	struct relay_listener	*rls;

	TAILQ_FOREACH(rls, &rl->rl_listeners, rls_entry) {
		if (on && !env->sc_accept_paused)
			evconnlistener_enable(rls->rls_lev);
		else if (!on)
			evconnlistener_disable(rls->rls_lev);
	}
}

static void
listener_pause_all(struct fwrelay *sc)
{
	struct relay		*rl;
	struct relay_listener	*rls;

	sc->sc_accept_paused = 1;
	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
		TAILQ_FOREACH(rls, &rl->rl_listeners, rls_entry)
			evconnlistener_disable(rls->rls_lev);
}

void
listener_resume_all(struct fwrelay *sc)
{
	struct relay	*rl;

	sc->sc_accept_paused = 0;
	if (sc->sc_accept_retry != NULL)
		event_del(sc->sc_accept_retry);
	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
		if (!rl->rl_removed && rl->rl_conf->enabled)
			listener_set_enabled(rl, 1);
}

static void
listener_retry(int fd, short what, void *arg)
{
	if (listener_fd_room(env, 1))
		listener_resume_all(env);
	else
		listener_pause(env, "fd_reserve", 0);
}

/* Stop accepting for a while: out of descriptors (or about to be). */
static void
listener_pause(struct fwrelay *sc, const char *why, int err)
{
	struct timeval	 tv = { ACCEPT_RETRY_SECS, 0 };
	json_t		*ev;

	if (!sc->sc_accept_paused &&
	    (ev = eventlog_new_level(LOG_LEVEL_WARNING, "accept_paused")) !=
	    NULL) {
		eventlog_str(ev, "reason", why);
		if (err != 0)
			eventlog_str(ev, "error", errno_name(err));
		eventlog_int(ev, "connections", sc->sc_nconns);
		eventlog_int(ev, "fd_limit", (long long)sc->sc_fd_limit);
		eventlog_emit(ev);
	}
	listener_pause_all(sc);
	if (sc->sc_accept_retry == NULL)
		sc->sc_accept_retry = evtimer_new(sc->sc_base, listener_retry,
		    NULL);
	if (sc->sc_accept_retry != NULL)
		evtimer_add(sc->sc_accept_retry, &tv);
}

/*
 * Pause accept if we are out of file descriptors, or libevent will haunt us
 * here too (relayd): retry after a second, or as soon as a connection
 * closes.
 */
static void
listener_error(struct evconnlistener *lev, void *arg)
{
	struct relay_listener	*rls = arg;
	int			 err = errno;

	if (err != EMFILE && err != ENFILE && err != ENOBUFS &&
	    err != ENOMEM) {
		log_warn("relay %s: accept", rls->rls_relay->rl_name);
		return;
	}
	listener_pause(env, "accept", err);
}

static void
listener_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct relay_listener	*rls = arg;
	struct relay		*rl = rls->rls_relay;
	struct linger		 l = { 1, 0 };
	struct conn		*c;
	json_t			*ev;

	if (env->sc_stopping || !relay_admit(rl)) {
		rl->rl_stats.limited++;
		if (!env->sc_stopping && (ev = eventlog_new("limit")) != NULL) {
			eventlog_str(ev, "relay", rl->rl_name);
			if (fw_nworkers > 1)
				eventlog_int(ev, "worker", env->sc_worker);
			eventlog_addr(ev, "client", sa);
			eventlog_int(ev, "max_connections",
			    rl->rl_conf->max_connections);
			eventlog_emit(ev);
		}
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(fd);
		return;
	}
	if ((c = conn_new(rl, fd, sa, (socklen_t)salen,
	    (struct sockaddr *)&rls->rls_addr)) == NULL)
		return;
	/* This one has its room; the next might not. */
	if (!listener_fd_room(env, 1))
		listener_pause(env, "fd_reserve", 0);
	conn_start(c);
}
