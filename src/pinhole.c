/*
 * Pinholes: temporary listeners that an inspector opens for a flow it
 * learned (an endpoint-mapper answer, a bindback string binding), as a
 * firewall ALG opens an expectation. Each pinhole is served by a hidden
 * relay of its own: the listener, the target it learned, the parent's
 * source mode, and a policy that lets only the client that asked through.
 * A pinhole expires after pinhole_timeout; a "once" pinhole closes as soon
 * as one connection came through (that connection goes on).
 */
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "fwrelay.h"
#include "fault.h"

#define PINHOLE_PORT_TRIES	64

struct pinhole {
	struct relay		*ph_relay;	/* hidden relay serving it */
	char			 ph_parent[FWRELAY_NAME_MAX];
	char			 ph_kind[16];	/* "epm" or "bindback" */
	char			 ph_what[80];	/* interface or binding */
	struct sockaddr_storage	 ph_listen;
	struct sockaddr_storage	 ph_target;
	struct sockaddr_storage	 ph_client;	/* who may use it */
	enum pinhole_uses	 ph_uses;
	double			 ph_timeout;
	unsigned int		 ph_used;
	struct timeval		 ph_opened;
	struct event		*ph_timer;
	int			 ph_closing;	/* expired: not to be reused */
	TAILQ_ENTRY(pinhole)	 ph_entry;
};

/*
 * Each worker's own, in its sc_pinholes: a pinhole listens on the worker
 * whose connection opened it. Another worker's connection that learns the
 * same endpoint reuses it (its rules and timer), so with workers every
 * list and a pinhole's rules are changed under ph_mtx.
 */
static pthread_mutex_t		ph_mtx = PTHREAD_MUTEX_INITIALIZER;
#define PINHOLES	(env->sc_pinholes)

static void	pinhole_expire(int, short, void *);
static int	pinhole_allow(struct pinhole *, const struct sockaddr *, int);
static int	pinhole_rule(struct rule *, const struct sockaddr *, int);
static void	pinhole_close(struct pinhole *, const char *);
static json_t	*pinhole_json(struct pinhole *);

/* Seconds until the idle timer closes it (0 when none is pending). */
static double
pinhole_time_left(struct pinhole *ph)
{
	struct timeval	 at, now, left;

	if (ph->ph_timer == NULL ||
	    !event_pending(ph->ph_timer, EV_TIMEOUT, &at))
		return (0);
	gettimeofday(&now, NULL);
	if (timercmp(&at, &now, <))
		return (0);
	timersub(&at, &now, &left);
	return (tv_to_double(&left));
}

static json_t *
pinhole_json(struct pinhole *ph)
{
	json_t	*o = json_object();
	char	 buf[ADDR_STRLEN];

	json_object_set_new(o, "relay", json_string(ph->ph_parent));
	json_object_set_new(o, "kind", json_string(ph->ph_kind));
	json_object_set_new(o, "for", json_string(ph->ph_what));
	json_object_set_new(o, "listen", json_string(addr_str(
	    (struct sockaddr *)&ph->ph_listen, buf, sizeof(buf))));
	json_object_set_new(o, "target", json_string(addr_str(
	    (struct sockaddr *)&ph->ph_target, buf, sizeof(buf))));
	json_object_set_new(o, "allow_from", json_string(addr_host_str(
	    (struct sockaddr *)&ph->ph_client, buf, sizeof(buf))));
	json_object_set_new(o, "uses", json_string(ph->ph_uses == PINHOLE_ONCE ?
	    "once" : "many"));
	json_object_set_new(o, "used", json_integer(ph->ph_used));
	json_object_set_new(o, "timeout", json_real(ph->ph_timeout));
	json_object_set_new(o, "time_left", json_real(pinhole_time_left(ph)));
	return (o);
}

static void
pinhole_event(struct pinhole *ph, const char *name, struct conn *c)
{
	json_t		*ev, *o;
	const char	*k;
	json_t		*v;

	if ((ev = c != NULL ? conn_event(c, name) : eventlog_new(name)) ==
	    NULL)
		return;
	o = pinhole_json(ph);
	json_object_foreach(o, k, v)
		if (c == NULL || (strcmp(k, "relay") != 0 &&
		    strcmp(k, "target") != 0))
			json_object_set(ev, k, v);
	if (c != NULL)
		eventlog_str(ev, "pinhole_relay", ph->ph_parent);
	json_decref(o);
	eventlog_emit(ev);
}

/* An allow rule for the host of client (a /32 or /128). */
/* pinhole_open: the connection that opened it may have a fault waiting. */
static void
pinhole_event_trig(struct pinhole *ph, const char *name, struct conn *trig)
{
	json_t		*ev, *o;
	const char	*k;
	json_t		*v;

	if ((ev = eventlog_new(name)) == NULL)
		return;
	o = pinhole_json(ph);
	json_object_foreach(o, k, v)
		json_object_set(ev, k, v);
	json_decref(o);
	if (trig->c_faults != NULL)
		fault_event(trig, ev);
	eventlog_emit(ev);
}

static int
pinhole_rule(struct rule *r, const struct sockaddr *client, int line)
{
	char		 hbuf[ADDR_STRLEN + 8];
	const char	*errstr;

	memset(r, 0, sizeof(*r));
	r->action = RULE_ALLOW;
	r->has_from = 1;
	r->line = line;
	addr_host_str(client, hbuf, sizeof(hbuf));
	snprintf(hbuf + strlen(hbuf), sizeof(hbuf) - strlen(hbuf), "/%d",
	    client->sa_family == AF_INET6 ? 128 : 32);
	return (cidr_parse(hbuf, &r->from, &errstr));
}

/*
 * A second client learned the same endpoint: let it through the same
 * pinhole too (the rules are read only when a connection arrives).
 */
static int
pinhole_allow(struct pinhole *ph, const struct sockaddr *client, int line)
{
	struct policy	*pol = &ph->ph_relay->rl_conf->policy;
	struct rule	*r;
	size_t		 i;

	for (i = 0; i < pol->nrules; i++)
		if (cidr_match(&pol->rules[i].from, client))
			return (0);
	if ((r = reallocarray(pol->rules, pol->nrules + 1, sizeof(*r))) ==
	    NULL)
		return (-1);
	pol->rules = r;
	if (pinhole_rule(&pol->rules[pol->nrules], client, line) == -1)
		return (-1);
	pol->nrules++;
	return (0);
}

int
pinhole_lock(const struct relay *rl)
{
	if (fw_nworkers == 1 || rl->rl_pinhole == NULL)
		return (0);
	pthread_mutex_lock(&ph_mtx);
	return (1);
}

void
pinhole_unlock(int locked)
{
	if (locked)
		pthread_mutex_unlock(&ph_mtx);
}

static void
pinhole_mtx(int on)
{
	if (fw_nworkers > 1) {
		if (on)
			pthread_mutex_lock(&ph_mtx);
		else
			pthread_mutex_unlock(&ph_mtx);
	}
}

/*
 * An identical pinhole on any worker: let client in too, start its
 * timeout again, and return its port; 0 when there is none, -1.
 */
static int
pinhole_reuse(const char *kind, const struct sockaddr *laddr,
    const struct sockaddr *taddr, const struct sockaddr *client, int line)
{
	struct pinhole		*ph;
	struct fwrelay		*sc;
	struct timeval		 tv;
	struct sockaddr_storage	 a;
	unsigned int		 k;
	int			 port = 0;

	pinhole_mtx(1);
	WORKERS_FOREACH(sc, k) {
		TAILQ_FOREACH(ph, &sc->sc_pinholes, ph_entry) {
			a = ph->ph_listen;
			addr_set_port((struct sockaddr *)&a, addr_port(laddr));
			if (!addr_equal((struct sockaddr *)&ph->ph_target,
			    taddr) || !addr_equal((struct sockaddr *)&a,
			    laddr) || strcmp(ph->ph_kind, kind) != 0 ||
			    ph->ph_closing ||
			    TAILQ_EMPTY(&ph->ph_relay->rl_listeners))
				continue;
			if (pinhole_allow(ph, client, line) == -1)
				port = -1;
			else {
				/* Another worker's base: libevent locks it. */
				tv = double_to_tv(ph->ph_timeout);
				evtimer_add(ph->ph_timer, &tv);
				port = addr_port((struct sockaddr *)
				    &ph->ph_listen);
			}
			goto done;
		}
	}
 done:
	pinhole_mtx(0);
	return (port);
}

/*
 * Open a pinhole for the flow c's inspector learned: listen on laddr (its
 * port is the one wanted; the next free one is taken if that is busy),
 * relay to taddr, let only the host of client in. Returns the port opened,
 * or -1. An identical pinhole is refreshed instead.
 */
int
pinhole_open(struct conn *c, const char *kind, const struct sockaddr *laddr,
    const struct sockaddr *taddr, const struct sockaddr *client,
    const char *what)
{
	struct relay_conf	*pc = c->c_conf, *rc = NULL;
	struct pinhole		*ph;
	struct relay		*rl = NULL;
	struct sockaddr_storage	 ss;
	struct timeval		 tv;
	char			*cause = NULL;
	int			 port, i, tries;

	if ((port = pinhole_reuse(kind, laddr, taddr, client, pc->line)) != 0)
		return (port);

	/* What can fail comes before the listener opens. */
	if ((ph = calloc(1, sizeof(*ph))) == NULL ||
	    (ph->ph_timer = evtimer_new(env->sc_base, pinhole_expire,
	    ph)) == NULL || (rc = relay_conf_dup(pc)) == NULL)
		goto fail;
	rc->refcnt = 1;
	/* The hidden relay: one port, the learned target, no protocol keys
	 * beyond what the pinhole's traffic needs. */
	rc->intercept = 0;
	rc->target_kind = TARGET_ADDR;
	memcpy(&rc->target, taddr, addr_len(taddr));
	rc->target_len = addr_len(taddr);
	rc->protocol = (pc->protocol == PROTO_EPM ||
	    pc->protocol == PROTO_DCERPC) ? PROTO_DCERPC : PROTO_NONE;
	rc->pinholes = 0;
	rc->pinhole = 1;
	rc->rewrite_towers = 0;
	tries = PINHOLE_PORT_TRIES;
	if (strcmp(kind, "bindback") == 0) {
		/*
		 * The called side dials the port in the string binding, which
		 * we do not rewrite: that port or none. The reverse flow comes
		 * from the address the caller dialled, unless transparent.
		 */
		tries = 1;
		rc->string_bindings = 0;
		if (rc->source != SOURCE_TRANSPARENT) {
			rc->source = SOURCE_REWRITE;
			rc->source_port = SOURCE_PORT_ANY;
			rc->has_source_address = 1;
			memcpy(&rc->source_address, &c->c_dst,
			    sizeof(rc->source_address));
			addr_set_port((struct sockaddr *)&rc->source_address,
			    0);
		}
	}
	policy_clear(&rc->policy);
	if ((rc->policy.rules = calloc(1, sizeof(struct rule))) == NULL)
		goto fail;
	rc->policy.nrules = 1;
	rc->policy.present = 1;
	if (pinhole_rule(&rc->policy.rules[0], client, pc->line) == -1)
		goto fail;

	memcpy(&ss, laddr, addr_len(laddr));
	port = addr_port(laddr);
	for (i = 0; i < tries && port + i <= 65535; i++) {
		addr_set_port((struct sockaddr *)&ss, port + i);
		rc->listen = ss;
		rc->listen_len = addr_len((struct sockaddr *)&ss);
		rc->listen_lo = rc->listen_hi = port + i;
		snprintf(rc->name, sizeof(rc->name), "%.40s:pinhole:%d",
		    pc->name, port + i);
		if (rl == NULL && (rl = relay_new(rc)) == NULL)
			goto fail;
		snprintf(rl->rl_name, sizeof(rl->rl_name), "%s", rc->name);
		free(cause);
		cause = NULL;
		if (listener_open(rl, &cause) == 0)
			break;
	}
	if (TAILQ_EMPTY(&rl->rl_listeners)) {
		json_t	*ev;

		if ((ev = conn_event(c, "pinhole_failed")) != NULL) {
			eventlog_str(ev, "kind", kind);
			eventlog_str(ev, "for", what);
			eventlog_str(ev, "error", cause != NULL ? cause :
			    "no free port");
			eventlog_emit(ev);
		}
		goto fail;
	}
	free(cause);
	rl->rl_pinhole = ph;
	TAILQ_INSERT_TAIL(&env->sc_relays, rl, rl_entry);

	ph->ph_relay = rl;
	snprintf(ph->ph_parent, sizeof(ph->ph_parent), "%s", pc->name);
	snprintf(ph->ph_kind, sizeof(ph->ph_kind), "%s", kind);
	snprintf(ph->ph_what, sizeof(ph->ph_what), "%s", what);
	ph->ph_listen = ss;
	memcpy(&ph->ph_target, taddr, addr_len(taddr));
	memcpy(&ph->ph_client, client, addr_len(client));
	ph->ph_uses = pc->pinhole_uses;
	ph->ph_timeout = pc->pinhole_timeout > 0 ? pc->pinhole_timeout :
	    PINHOLE_TIMEOUT;
	gettimeofday(&ph->ph_opened, NULL);
	tv = double_to_tv(ph->ph_timeout);
	evtimer_add(ph->ph_timer, &tv);
	pinhole_mtx(1);
	TAILQ_INSERT_TAIL(&PINHOLES, ph, ph_entry);
	pinhole_mtx(0);
	pinhole_event_trig(ph, "pinhole_open", c);
	return (port + i);
 fail:
	free(cause);
	if (rl != NULL) {
		listener_close(rl);
		relay_share_unref(rl->rl_share);
		free(rl);
	}
	if (rc != NULL)
		relay_conf_free(rc);
	if (ph != NULL && ph->ph_timer != NULL)
		event_free(ph->ph_timer);
	free(ph);
	return (-1);
}

/* A connection came through: count it; a "once" pinhole closes now. */
void
pinhole_used(struct relay *rl, struct conn *c)
{
	struct pinhole	*ph = rl->rl_pinhole;
	struct timeval	 tv;

	if (ph == NULL)
		return;
	ph->ph_used++;
	pinhole_event(ph, "pinhole_used", c);
	if (ph->ph_uses == PINHOLE_ONCE)
		pinhole_close(ph, NULL);
	else {
		tv = double_to_tv(ph->ph_timeout);
		evtimer_add(ph->ph_timer, &tv);
	}
}

static void
pinhole_expire(int fd, short what, void *arg)
{
	struct pinhole	*ph = arg;
	int		 again;

	/* Another worker may have started the timeout again meanwhile. */
	pinhole_mtx(1);
	if (!(again = evtimer_pending(ph->ph_timer, NULL)))
		ph->ph_closing = 1;
	pinhole_mtx(0);
	if (!again)
		pinhole_close(ph, "pinhole_expired");
}

/* Stop listening; the hidden relay goes once its connections are done. */
static void
pinhole_close(struct pinhole *ph, const char *event)
{
	struct relay	*rl = ph->ph_relay;

	if (event != NULL)
		pinhole_event(ph, event, NULL);
	pinhole_mtx(1);
	TAILQ_REMOVE(&PINHOLES, ph, ph_entry);
	pinhole_mtx(0);
	event_free(ph->ph_timer);
	listener_close(rl);
	rl->rl_pinhole = NULL;
	rl->rl_removed = 1;
	if (rl->rl_nconns == 0)
		relay_free(rl);
	free(ph);
}

void
pinhole_shutdown(void)
{
	struct pinhole	*ph;

	while ((ph = TAILQ_FIRST(&PINHOLES)) != NULL)
		pinhole_close(ph, NULL);
}

json_t *
pinhole_list(void)
{
	struct pinhole	*ph;
	struct fwrelay	*sc;
	unsigned int	 k;
	json_t		*a = json_array(), *o;

	pinhole_mtx(1);
	WORKERS_FOREACH(sc, k) {
		TAILQ_FOREACH(ph, &sc->sc_pinholes, ph_entry) {
			o = pinhole_json(ph);
			if (fw_nworkers > 1)
				json_object_set_new(o, "worker",
				    json_integer(k));
			json_array_append_new(a, o);
		}
	}
	pinhole_mtx(0);
	return (a);
}
