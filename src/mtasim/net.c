/*
 * Sockets for mtasim: listeners on the MTA's listen addresses, outgoing
 * connections bound to its node or cluster address (the choice Q251318 is
 * about), timers, and the count of open connections that tells the lab
 * when the simulator is idle.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "mtasim.h"

struct net_listener {
	net_accept_cb		 nl_cb;
	void			*nl_arg;
	struct evconnlistener	*nl_lev;
	struct net_listener	*nl_next;
};

static struct net_listener	*net_listeners;

static void	net_accept(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);

void
net_sin(struct sockaddr_in *sin, struct in_addr a, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	sin->sin_port = htons((uint16_t)port);
}

static void
net_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct net_listener	*nl = arg;
	struct sockaddr_in	 peer;

	if (sa->sa_family != AF_INET || (size_t)salen < sizeof(peer)) {
		close(fd);
		return;
	}
	memcpy(&peer, sa, sizeof(peer));
	evutil_make_socket_nonblocking(fd);
	nl->nl_cb(fd, &peer, nl->nl_arg);
}

/*
 * Listen on addr:port (port 0: the OS picks, a dynamic RPC port). Returns
 * the listener with the bound port in *bound, or NULL with err filled.
 */
struct evconnlistener *
net_listen(struct in_addr addr, int port, net_accept_cb cb, void *arg,
    int *bound, char *err, size_t errsz)
{
	struct evconnlistener	*lev;
	struct net_listener	*nl;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 a[INET_ADDRSTRLEN];

	if ((nl = calloc(1, sizeof(*nl))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return (NULL);
	}
	nl->nl_cb = cb;
	nl->nl_arg = arg;
	net_sin(&sin, addr, port);
	lev = evconnlistener_new_bind(ms->ms_base, net_accept, nl,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    64, (struct sockaddr *)&sin, sizeof(sin));
	if (lev == NULL) {
		snprintf(err, errsz, "listen on %s:%d: %s",
		    inet_ntop(AF_INET, &addr, a, sizeof(a)), port,
		    strerror(errno));
		free(nl);
		return (NULL);
	}
	if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin,
	    &len) == -1) {
		snprintf(err, errsz, "getsockname: %s", strerror(errno));
		evconnlistener_free(lev);
		free(nl);
		return (NULL);
	}
	*bound = ntohs(sin.sin_port);
	nl->nl_lev = lev;
	nl->nl_next = net_listeners;
	net_listeners = nl;
	return (lev);
}

/* Close every listener (at exit). */
void
net_close_listeners(void)
{
	struct net_listener	*nl;

	while ((nl = net_listeners) != NULL) {
		net_listeners = nl->nl_next;
		evconnlistener_free(nl->nl_lev);
		free(nl);
	}
}

/*
 * A non-blocking connection from src (any port) to dst. The caller sets the
 * callbacks; the connect result arrives as BEV_EVENT_CONNECTED or ERROR.
 */
struct bufferevent *
net_connect(struct in_addr src, const struct sockaddr_in *dst, char *err,
    size_t errsz)
{
	struct bufferevent	*bev;
	struct sockaddr_in	 sin;
	int			 s, on = 1;

	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return (NULL);
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	net_sin(&sin, src, 0);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		snprintf(err, errsz, "bind %s: %s", inet_ntoa(src),
		    strerror(errno));
		close(s);
		return (NULL);
	}
	if ((bev = bufferevent_socket_new(ms->ms_base, s,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		snprintf(err, errsz, "out of memory");
		close(s);
		return (NULL);
	}
	if (bufferevent_socket_connect(bev, (const struct sockaddr *)dst,
	    sizeof(*dst)) == -1) {
		snprintf(err, errsz, "connect: %s", strerror(errno));
		bufferevent_free(bev);
		return (NULL);
	}
	return (bev);
}

/* The pending socket error of a bufferevent (after BEV_EVENT_ERROR). */
int
net_error(struct bufferevent *bev)
{
	int		 e = 0;
	socklen_t	 len = sizeof(e);
	evutil_socket_t	 fd = bufferevent_getfd(bev);

	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 &&
	    e != 0)
		return (e);
	return (EVUTIL_SOCKET_ERROR() != 0 ? EVUTIL_SOCKET_ERROR() :
	    ECONNRESET);
}

/* The Winsock code the MTA events show for an errno. */
int
net_wsa(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return (10061);
	case ETIMEDOUT:
		return (10060);
	case ENETUNREACH:
	case EHOSTUNREACH:
		return (10051);
	case ECONNRESET:
	case EPIPE:
		return (10054);
	case ECONNABORTED:
		return (10053);
	default:
		return (e);
	}
}

void
net_conn_opened(void)
{
	ms->ms_conns++;
	queue_status_changed();
}

void
net_conn_closed(void)
{
	if (ms->ms_conns > 0)
		ms->ms_conns--;
	queue_status_changed();
}

struct event *
net_timer(void (*cb)(int, short, void *), void *arg)
{
	return (evtimer_new(ms->ms_base, cb, arg));
}

void
net_timer_arm(struct event *ev, double secs)
{
	struct timeval	 tv;

	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	evtimer_add(ev, &tv);
}
