/*
 * Workers (workers = N): N event loops on N threads of one process. Each
 * worker is a whole struct fwrelay of its own (relays, SO_REUSEPORT
 * listeners, connections, pinholes, captures), reached through the
 * thread's env, so the data path is the single-threaded one and takes no
 * lock. The kernel spreads accepted connections over the listeners.
 *
 * What the workers share is small and guarded here: connection numbers
 * and descriptor counts (atomics), each relay's connection count against
 * max_connections (struct relay_share), and the event log (its own
 * mutex). Worker 0 runs on the main thread with the control API and the
 * signals. Whenever that thread reads or changes another worker's state
 * (a control request, a reload, the drain) it stops the others first
 * (workers_pause) at a point between two of their callbacks, does the
 * work with env pointing at each worker in turn, and lets them go on.
 * With workers = 1 none of this runs: no thread, no lock.
 */
#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "fwrelay.h"

_Thread_local struct fwrelay	*env;
unsigned int			 fw_nworkers = 1;
struct fwrelay			*fw_workers[WORKERS_MAX];

static atomic_uint_fast64_t	 w_nextid;
static atomic_long		 w_fds;	/* 2 per connection, 1 per listener */

static pthread_t		 w_threads[WORKERS_MAX];
static pthread_mutex_t		 w_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t		 w_cv = PTHREAD_COND_INITIALIZER;
static int			 w_want;	/* the main thread waits */
static unsigned int		 w_paused;	/* workers held */
static unsigned int		 w_alive;	/* threads still looping */
static int			 w_depth;	/* nested pauses */
static int			 w_started;
static struct event		*w_done;	/* main: a worker finished */

static void	*worker_main(void *);
static void	 worker_hold(evutil_socket_t, short, void *);
static void	 worker_finished(evutil_socket_t, short, void *);

/*
 * Before the first event base: libevent's locks are needed only when
 * another thread touches a base (the pause, a drain), so workers = 1
 * runs without them.
 */
int
worker_setup(unsigned int n)
{
	if (n < 1 || n > WORKERS_MAX)
		return (-1);
	fw_nworkers = n;
	if (n > 1 && evthread_use_pthreads() == -1)
		return (-1);
	return (0);
}

/* Worker k (k >= 1) on a base of its own, sharing sc0's configuration. */
struct fwrelay *
worker_new(struct fwrelay *sc0, unsigned int k)
{
	struct fwrelay	*sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return (NULL);
	if ((sc->sc_base = event_base_new()) == NULL) {
		free(sc);
		return (NULL);
	}
	TAILQ_INIT(&sc->sc_relays);
	TAILQ_INIT(&sc->sc_pinholes);
	sc->sc_worker = k;
	sc->sc_conf = sc0->sc_conf;
	sc->sc_conffile = sc0->sc_conffile;
	sc->sc_verbose = sc0->sc_verbose;
	sc->sc_fd_limit = sc0->sc_fd_limit;
	if ((sc->sc_hold = event_new(sc->sc_base, -1, 0, worker_hold,
	    NULL)) == NULL) {
		event_base_free(sc->sc_base);
		free(sc);
		return (NULL);
	}
	fw_workers[k] = sc;
	return (sc);
}

/* Start the threads of workers 1..N-1 (their relays are open). */
int
workers_start(void)
{
	struct fwrelay	*sc0 = fw_workers[0];
	sigset_t	 all, old;
	unsigned int	 k;
	int		 ret = 0;

	if (fw_nworkers == 1)
		return (0);
	if ((w_done = event_new(sc0->sc_base, -1, 0, worker_finished,
	    NULL)) == NULL)
		return (-1);
	/* Signals go to the main thread, where libevent catches them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (k = 1; k < fw_nworkers; k++) {
		pthread_mutex_lock(&w_mtx);
		w_alive++;
		pthread_mutex_unlock(&w_mtx);
		if ((errno = pthread_create(&w_threads[k], NULL, worker_main,
		    fw_workers[k])) != 0) {
			pthread_mutex_lock(&w_mtx);
			w_alive--;
			pthread_mutex_unlock(&w_mtx);
			ret = -1;
			break;
		}
		w_started = k;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return (ret);
}

static void *
worker_main(void *arg)
{
	struct fwrelay	*sc = arg;

	env = sc;
	/*
	 * A worker with nothing to wait for (its relays disabled, or none
	 * left after a reload) keeps looping: a change may give it some.
	 */
	event_base_loop(sc->sc_base, EVLOOP_NO_EXIT_ON_EMPTY);
	/* What was deferred in the last round (freeing closed conns). */
	event_base_loop(sc->sc_base, EVLOOP_NONBLOCK);
	pthread_mutex_lock(&w_mtx);
	w_alive--;
	pthread_cond_broadcast(&w_cv);
	pthread_mutex_unlock(&w_mtx);
	event_active(w_done, EV_TIMEOUT, 0);
	return (NULL);
}

/* A worker held between two callbacks while the main thread works. */
static void
worker_hold(evutil_socket_t fd, short what, void *arg)
{
	pthread_mutex_lock(&w_mtx);
	w_paused++;
	pthread_cond_broadcast(&w_cv);
	while (w_want)
		pthread_cond_wait(&w_cv, &w_mtx);
	w_paused--;
	pthread_mutex_unlock(&w_mtx);
}

/*
 * Hold every other worker (main thread only); nests. Until the matching
 * workers_resume() the caller may read and change any worker's state.
 */
void
workers_pause(void)
{
	unsigned int	 k;

	if (fw_nworkers == 1 || w_started == 0 || w_depth++ > 0)
		return;
	pthread_mutex_lock(&w_mtx);
	w_want = 1;
	pthread_mutex_unlock(&w_mtx);
	for (k = 1; k <= (unsigned int)w_started; k++)
		event_active(fw_workers[k]->sc_hold, EV_TIMEOUT, 0);
	pthread_mutex_lock(&w_mtx);
	while (w_paused < w_alive)
		pthread_cond_wait(&w_cv, &w_mtx);
	pthread_mutex_unlock(&w_mtx);
}

void
workers_resume(void)
{
	if (fw_nworkers == 1 || w_started == 0 || --w_depth > 0)
		return;
	pthread_mutex_lock(&w_mtx);
	w_want = 0;
	pthread_cond_broadcast(&w_cv);
	pthread_mutex_unlock(&w_mtx);
}

/* Make sc the worker the calling code acts on; returns the one before. */
struct fwrelay *
worker_enter(struct fwrelay *sc)
{
	struct fwrelay	*old = env;

	env = sc;
	return (old);
}

/*
 * A stopping worker has no connection left: its loop ends. The main
 * thread's ends once every other worker's has.
 */
void
worker_drained(struct fwrelay *sc)
{
	unsigned int	 alive;

	if (sc->sc_worker != 0) {
		event_base_loopexit(sc->sc_base, NULL);
		return;
	}
	pthread_mutex_lock(&w_mtx);
	alive = w_alive;
	pthread_mutex_unlock(&w_mtx);
	if (alive == 0)
		event_base_loopexit(sc->sc_base, NULL);
}

static void
worker_finished(evutil_socket_t fd, short what, void *arg)
{
	struct fwrelay	*sc0 = fw_workers[0];

	if (sc0->sc_stopping && sc0->sc_nconns == 0)
		worker_drained(sc0);
}

/* After the main loop: wait for the threads, then free their state. */
void
workers_join(void)
{
	struct fwrelay	*sc, *old;
	unsigned int	 k;

	for (k = 1; k <= (unsigned int)w_started; k++)
		pthread_join(w_threads[k], NULL);
	for (k = 1; k < fw_nworkers; k++) {
		if ((sc = fw_workers[k]) == NULL)
			continue;
		old = worker_enter(sc);
		pinhole_shutdown();
		capture_shutdown(sc);
		while (!TAILQ_EMPTY(&sc->sc_relays))
			relay_free(TAILQ_FIRST(&sc->sc_relays));
		if (sc->sc_accept_retry != NULL)
			event_free(sc->sc_accept_retry);
		event_free(sc->sc_hold);
		event_base_free(sc->sc_base);
		free(sc);
		fw_workers[k] = NULL;
		worker_enter(old);
	}
	if (w_done != NULL)
		event_free(w_done);
	w_done = NULL;
	w_started = 0;
}

/* Connection numbers are unique over all workers, in accept order. */
uint64_t
worker_next_id(void)
{
	return (atomic_fetch_add(&w_nextid, 1) + 1);
}

/* Descriptors the process holds for relays: a process-wide limit. */
void
worker_fds(long delta)
{
	atomic_fetch_add(&w_fds, delta);
}

long
worker_fds_used(void)
{
	return (atomic_load(&w_fds));
}

/* The count behind max_connections, one for a relay on every worker. */
struct relay_share {
	atomic_uint	 nconns;
	atomic_int	 refs;
};

struct relay_share *
relay_share_new(void)
{
	struct relay_share	*sh;

	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		return (NULL);
	atomic_init(&sh->nconns, 0);
	atomic_init(&sh->refs, 1);
	return (sh);
}

void
relay_share_unref(struct relay_share *sh)
{
	if (sh != NULL && atomic_fetch_sub(&sh->refs, 1) == 1)
		free(sh);
}

/* rl counts against like's relays: the same relay on another worker. */
void
relay_share_join(struct relay *rl, struct relay *like)
{
	if (rl->rl_share == like->rl_share)
		return;
	atomic_fetch_add(&like->rl_share->refs, 1);
	relay_share_unref(rl->rl_share);
	rl->rl_share = like->rl_share;
}

/* Room for one more connection under max_connections: take it, 1. */
int
relay_admit(struct relay *rl)
{
	struct relay_share	*sh = rl->rl_share;

	if (atomic_fetch_add(&sh->nconns, 1) >= rl->rl_conf->max_connections) {
		atomic_fetch_sub(&sh->nconns, 1);
		return (0);
	}
	return (1);
}

void
relay_leave(struct relay *rl)
{
	atomic_fetch_sub(&rl->rl_share->nconns, 1);
}

/* Open connections of the relay on all workers. */
unsigned int
relay_share_conns(const struct relay *rl)
{
	return (atomic_load(&rl->rl_share->nconns));
}

/* The relay named as rl on worker sc (pinholes: NULL), or NULL. */
struct relay *
worker_relay(struct fwrelay *sc, const struct relay *rl)
{
	if (rl->rl_pinhole != NULL)
		return (NULL);
	return (relay_find(sc, rl->rl_name));
}
