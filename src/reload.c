/*
 * Reload and apply: make the running relays what a configuration says, all
 * or nothing. relay_prepare() opens what is new before anything running
 * changes (a relay whose listening address stays hands its sockets over),
 * relay_commit() swaps it in and cannot fail, relay_abort() closes what was
 * prepared. relay_reload() (SIGHUP, the control API) adds the file, the
 * checks, the event log and nftables around them and emits the reload
 * event.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwrelay.h"
#include "fault.h"

static int	relay_listen_changed(const struct relay_conf *,
		    const struct relay_conf *);
static void	relay_note(json_t *, const char *, const char *);
static int	relay_listen_overlaps(const struct relay_conf *,
		    const struct relay_conf *);
static int	relay_prepare(struct fwrelay *, struct fwrelay_conf *,
		    struct config_errors *, struct relay ***, size_t *);
static void	relay_abort(struct fwrelay *, struct relay **, size_t);
static void	relay_commit(struct fwrelay *, struct relay **, size_t,
		    json_t *);
static void	relay_reload_event(struct fwrelay *, int,
		    struct config_errors *, json_t *, json_t **);

/* Listening configuration differs: the listeners must be opened anew. */
static int
relay_listen_changed(const struct relay_conf *a, const struct relay_conf *b)
{
	return (!addr_equal((const struct sockaddr *)&a->listen,
	    (const struct sockaddr *)&b->listen) ||
	    a->listen_lo != b->listen_lo || a->listen_hi != b->listen_hi ||
	    a->intercept != b->intercept);
}

/* Add name to the list key of a reload's summary of changes. */
static void
relay_note(json_t *changes, const char *key, const char *name)
{
	json_t	*a;

	if (changes == NULL)
		return;
	if ((a = json_object_get(changes, key)) == NULL) {
		a = json_array();
		json_object_set_new(changes, key, a);
	}
	json_array_append_new(a, json_string(name));
}

/* Would listening for b collide with a's listeners (address and ports)? */
static int
relay_listen_overlaps(const struct relay_conf *a, const struct relay_conf *b)
{
	struct sockaddr_storage	 x = a->listen, y = b->listen;

	addr_set_port((struct sockaddr *)&x, 0);
	addr_set_port((struct sockaddr *)&y, 0);
	if (x.ss_family != y.ss_family)
		return (0);
	return (addr_equal((struct sockaddr *)&x, (struct sockaddr *)&y) &&
	    a->listen_lo <= b->listen_hi && b->listen_lo <= a->listen_hi);
}

/*
 * The first half of applying conf: a new relay for each, and new listeners
 * opened before anything running changes. A relay whose listening address
 * is unchanged will hand its sockets over at the commit, so nothing is
 * refused during a reload. On failure everything new is closed again and
 * the running set stays as it was; -1. On success the new relays are in
 * *freshp (*np of them), for relay_commit() or relay_abort().
 */
static int
relay_prepare(struct fwrelay *sc, struct fwrelay_conf *conf,
    struct config_errors *errs, struct relay ***freshp, size_t *np)
{
	char			*cause = NULL;
	struct relay_conf	*rc, *copy;
	struct relay		*rl, *old, **fresh;
	size_t			 n = 0;

	if ((fresh = calloc(conf->nrelays + 1, sizeof(*fresh))) == NULL) {
		config_errors_add(errs, conf->file, 0, "out of memory");
		return (-1);
	}
	TAILQ_FOREACH(rc, &conf->relays, rc_entry) {
		if ((copy = relay_conf_dup(rc)) == NULL ||
		    (fresh[n] = relay_new(copy)) == NULL) {
			if (copy != NULL)
				relay_conf_free(copy);
			config_errors_add(errs, conf->file, rc->line,
			    "out of memory");
			goto fail;
		}
		copy->refcnt = 1;
		n++;
		old = relay_find(sc, rc->name);
		if (old != NULL && !relay_listen_changed(old->rl_conf, rc))
			continue;
		/* A running relay on the same address gives it up first. */
		TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
			if (!rl->rl_removed &&
			    relay_listen_overlaps(rl->rl_conf, rc))
				listener_close(rl);
		if (listener_open(fresh[n - 1], &cause) == -1) {
			config_errors_add(errs, conf->file, rc->line,
			    "relay '%s': %s", rc->name, cause != NULL ? cause :
			    "cannot listen");
			free(cause);
			goto fail;
		}
	}
	*freshp = fresh;
	*np = n;
	return (0);
 fail:
	relay_abort(sc, fresh, n);
	return (-1);
}

/*
 * Undo relay_prepare(): close and free the n new relays, and reopen what
 * a running relay gave up for them.
 */
static void
relay_abort(struct fwrelay *sc, struct relay **fresh, size_t n)
{
	struct relay	*rl;
	size_t		 i;

	for (i = 0; i < n; i++) {
		listener_close(fresh[i]);
		relay_conf_unref(fresh[i]->rl_conf);
		relay_share_unref(fresh[i]->rl_share);
		free(fresh[i]);
	}
	free(fresh);
	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry) {
		char	*why = NULL;

		if (rl->rl_removed || !TAILQ_EMPTY(&rl->rl_listeners))
			continue;
		if (listener_open(rl, &why) == -1)
			log_warnx("relay %s: %s", rl->rl_name, why);
		free(why);
	}
}

/*
 * The second half, which cannot fail: the prepared relays replace the
 * running ones. Relays that disappear stop listening and are freed once
 * their last connection is gone; established connections keep the relay
 * and relay_conf they started with.
 */
static void
relay_commit(struct fwrelay *sc, struct relay **fresh, size_t n,
    json_t *changes)
{
	struct relay		*rl, *next, *old;
	struct relay_listener	*rls;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if ((old = relay_find(sc, fresh[i]->rl_name)) == NULL) {
			relay_note(changes, "added", fresh[i]->rl_name);
			continue;
		}
		relay_note(changes, "kept", fresh[i]->rl_name);
		capture_relay_move(old, fresh[i]);
		if (TAILQ_EMPTY(&fresh[i]->rl_listeners)) {
			while ((rls = TAILQ_FIRST(&old->rl_listeners)) != NULL) {
				TAILQ_REMOVE(&old->rl_listeners, rls,
				    rls_entry);
				rls->rls_relay = fresh[i];
				TAILQ_INSERT_TAIL(&fresh[i]->rl_listeners, rls,
				    rls_entry);
			}
		}
		fresh[i]->rl_stats = old->rl_stats;
	}
	TAILQ_FOREACH_SAFE(rl, &sc->sc_relays, rl_entry, next) {
		if (rl->rl_pinhole != NULL)
			continue;	/* pinholes live to their timeout */
		if (!rl->rl_removed) {
			for (i = 0; i < n; i++)
				if (strcmp(fresh[i]->rl_name, rl->rl_name) == 0)
					break;
			if (i == n)
				relay_note(changes, "removed", rl->rl_name);
		}
		rl->rl_removed = 1;
		listener_close(rl);
		if (rl->rl_nconns == 0)
			relay_free(rl);
	}
	for (i = 0; i < n; i++) {
		TAILQ_INSERT_TAIL(&sc->sc_relays, fresh[i], rl_entry);
		listener_set_enabled(fresh[i], fresh[i]->rl_conf->enabled);
	}
	free(fresh);
}

/*
 * Make the running relays what conf says, or leave them as they are (a
 * failed apply loses nothing): relay_prepare(), then relay_commit().
 */
int
relay_apply(struct fwrelay *sc, struct fwrelay_conf *conf,
    struct config_errors *errs, json_t *changes)
{
	struct relay	**fresh;
	size_t		  n;

	if (relay_prepare(sc, conf, errs, &fresh, &n) == -1)
		return (-1);
	relay_commit(sc, fresh, n, changes);
	return (0);
}

/*
 * relay_prepare() on every worker, each with env at it: all or none. A
 * relay's copies on the workers share one count for max_connections.
 */
static int
relay_prepare_all(struct fwrelay_conf *conf, struct config_errors *errs,
    struct relay **fresh[], size_t *np)
{
	struct fwrelay	*sc, *old;
	unsigned int	 k, j;
	size_t		 i;
	int		 ret;

	WORKERS_FOREACH(sc, k) {
		old = worker_enter(sc);
		ret = relay_prepare(sc, conf, errs, &fresh[k], np);
		worker_enter(old);
		if (ret == -1) {
			for (j = k; j-- > 0;) {
				old = worker_enter(fw_workers[j]);
				relay_abort(fw_workers[j], fresh[j], *np);
				worker_enter(old);
			}
			return (-1);
		}
	}
	for (k = 1; k < fw_nworkers; k++)
		for (i = 0; i < *np; i++)
			relay_share_join(fresh[k][i], fresh[0][i]);
	return (0);
}

static void
relay_abort_all(struct relay **fresh[], size_t n)
{
	struct fwrelay	*sc, *old;
	unsigned int	 k;

	WORKERS_FOREACH(sc, k) {
		old = worker_enter(sc);
		relay_abort(sc, fresh[k], n);
		worker_enter(old);
	}
}

/* The summary of changes is worker 0's: the workers' are the same. */
static void
relay_commit_all(struct relay **fresh[], size_t n, json_t *changes)
{
	struct fwrelay	*sc, *old;
	unsigned int	 k;

	WORKERS_FOREACH(sc, k) {
		old = worker_enter(sc);
		relay_commit(sc, fresh[k], n, k == 0 ? changes : NULL);
		worker_enter(old);
	}
}

/* relay_apply() on every worker (start, with the workers not running). */
int
relay_apply_all(struct fwrelay_conf *conf, struct config_errors *errs,
    json_t *changes)
{
	struct relay	**fresh[WORKERS_MAX];
	size_t		  n;

	if (relay_prepare_all(conf, errs, fresh, &n) == -1)
		return (-1);
	relay_commit_all(fresh, n, changes);
	return (0);
}

/*
 * This host's checks of a relay (config_host_check): is source_address
 * ours, can the capture directory be written?
 */
const char *
relay_host_error(const struct relay_conf *rc, char *msg, size_t len)
{
	if (source_host_error(rc, msg, len) != NULL)
		return (msg);
	return (capture_dir_error(rc, msg, len));
}

/* Checks beyond the file itself: what each source mode needs here. */
int
relay_check_conf(struct fwrelay_conf *conf, struct config_errors *errs)
{
	struct relay_conf	*rc;
	int			 ret = 0;

	TAILQ_FOREACH(rc, &conf->relays, rc_entry)
		if (source_check(rc, errs, conf->file, conf->kernel_setup) == -1)
			ret = -1;
	return (ret);
}

/*
 * The reload event (result, relays and changes, or the errors), the errors
 * to the daemon's own log on failure, and to the caller when it asks.
 */
static void
relay_reload_event(struct fwrelay *sc, int ret, struct config_errors *errs,
    json_t *changes, json_t **errors)
{
	json_t		*ev, *list, *v;
	const char	*k;
	size_t		 i;

	list = json_array();
	for (i = 0; i < errs->n; i++)
		json_array_append_new(list, json_string(errs->msgs[i]));
	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "reload")) != NULL) {
		eventlog_str(ev, "result", ret == 0 ? "ok" : "failed");
		if (ret == 0) {
			eventlog_int(ev, "relays",
			    (long long)sc->sc_conf->nrelays);
			json_object_foreach(changes, k, v)
				json_object_set(ev, k, v);
		} else
			json_object_set(ev, "errors", list);
		eventlog_emit(ev);
	}
	if (ret == -1)
		for (i = 0; i < errs->n; i++)
			log_warnx("reload: %s", errs->msgs[i]);
	if (errors != NULL)
		*errors = list;
	else
		json_decref(list);
}

/*
 * Load the configuration file again and apply it, or keep everything as it
 * is. All or nothing: whatever can fail (the file, the checks, the new event
 * log, the new listeners) is prepared first; the running state (relays, log
 * path and level, nftables) changes only once all of it succeeded. Emits the
 * reload event, to the log in use afterwards. Returns 0 on success; on
 * failure -1, and the errors are handed to the caller in *errors when it
 * asks (a json array).
 */
int
relay_reload(struct fwrelay *sc, json_t **errors)
{
	struct fwrelay_conf	*conf;
	struct config_errors	 errs = { NULL, 0 };
	struct eventlog_file	 newlog = { NULL, NULL };
	struct relay		**fresh[WORKERS_MAX];
	struct fwrelay		*w;
	size_t			  n;
	unsigned int		  k;
	json_t			*changes;
	int			 ret = -1;

	/* Every worker's relays change at once. */
	workers_pause();
	changes = json_object();
	conf = config_load(sc->sc_conffile, &errs);
	if (conf == NULL || relay_check_conf(conf, &errs) == -1)
		goto done;
	if (conf->workers != fw_nworkers) {
		config_errors_add(&errs, sc->sc_conffile, conf->workers_line,
		    "workers = %u: the number of workers changes only at a "
		    "restart (running with %u)", conf->workers, fw_nworkers);
		goto done;
	}
	if (relay_prepare_all(conf, &errs, fresh, &n) == -1)
		goto done;
	/* Last, so that a reload failing before never creates the file. */
	if (strcmp(conf->event_log, sc->sc_conf->event_log) != 0 &&
	    eventlog_prepare(conf->event_log, &newlog) == -1) {
		config_errors_add(&errs, sc->sc_conffile, 0,
		    "cannot open event_log '%s': %s", conf->event_log,
		    strerror(errno));
		relay_abort_all(fresh, n);
		goto done;
	}
	/* Commit: nothing fails from here on. */
	relay_commit_all(fresh, n, changes);
	ret = 0;
	if (newlog.path != NULL)
		eventlog_install(&newlog, conf->log_level);
	/* -v on the command line outlasts the file's log_level. */
	eventlog_set_level(sc->sc_verbose > 0 ? LOG_LEVEL_DEBUG :
	    conf->log_level);
	config_free(sc->sc_conf);
	WORKERS_FOREACH(w, k)
		w->sc_conf = conf;
	sc->sc_conf = conf;
	conf = NULL;
	kernel_apply(sc, 0);
 done:
	workers_resume();
	eventlog_discard(&newlog);
	relay_reload_event(sc, ret, &errs, changes, errors);
	json_decref(changes);
	if (conf != NULL)
		config_free(conf);
	config_errors_clear(&errs);
	return (ret);
}
