/*
 * fwrelay: options, configuration check (-t), daemon setup, signals
 * (SIGHUP reload, SIGTERM/SIGINT drain, SIGUSR1 event log reopen) and the
 * event loop.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "fwrelay.h"
#include "control.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define FWRELAY_CONF	SYSCONFDIR "/fwrelay.conf"

static struct fwrelay	 fwrelay_env;
static const char	*conffile = FWRELAY_CONF;
static const char	*pidfile;
static struct event	*drain_timer;

static void	usage(int) __attribute__((noreturn));
static void	print_errors(struct config_errors *);
static void	main_sighup(int, short, void *);
static void	main_sigterm(int, short, void *);
static void	main_sigusr1(int, short, void *);
static void	main_drain_end(int, short, void *);
static void	main_daemonise(void);
static void	main_event_start(void);

/* Usage on stdout and exit 0 when asked for (-h, --help), else stderr, 1. */
static void
usage(int asked)
{
	fprintf(asked ? stdout : stderr,
	    "usage: fwrelay [-fhtvV] [-c file] [-p pidfile]\n");
	exit(asked ? 0 : 1);
}

static void
print_errors(struct config_errors *errs)
{
	size_t	 i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msgs[i]);
}

static void
main_event_start(void)
{
	struct relay_conf	*rc;
	json_t			*ev, *names;

	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "start")) == NULL)
		return;
	eventlog_str(ev, "version", PACKAGE_VERSION);
	eventlog_str(ev, "config", conffile);
	eventlog_int(ev, "pid", (long long)getpid());
	eventlog_int(ev, "workers", fw_nworkers);
	names = json_array();
	TAILQ_FOREACH(rc, &fwrelay_env.sc_conf->relays, rc_entry)
		json_array_append_new(names, json_string(rc->name));
	json_object_set_new(ev, "relays", names);
	eventlog_emit(ev);
}

/* SIGHUP: parse fresh, check everything, swap only on success. */
static void
main_sighup(int sig, short what, void *arg)
{
	struct fwrelay	*sc = &fwrelay_env;

	if (sc->sc_stopping)
		return;
	log_info("reloading %s", conffile);
	relay_reload(sc, NULL);
}

/* Stop accepting, let connections drain, then close the rest. */
static void
main_sigterm(int sig, short what, void *arg)
{
	struct fwrelay	*sc = &fwrelay_env, *w, *old;
	struct timeval	 tv;
	unsigned int	 k, total = 0;

	if (sc->sc_stopping) {
		main_drain_end(-1, 0, NULL);
		return;
	}
	/* Every worker stops accepting at once; each ends when drained. */
	workers_pause();
	WORKERS_FOREACH(w, k) {
		old = worker_enter(w);
		w->sc_stopping = 1;
		relay_stop_accepting(w);
		total += w->sc_nconns;
		if (k != 0 && w->sc_nconns == 0)
			worker_drained(w);
		worker_enter(old);
	}
	workers_resume();
	log_info("stopping on signal %d, %u connections to drain", sig,
	    total);
	if (sc->sc_nconns == 0)
		worker_drained(sc);
	if (total == 0)
		return;
	tv = double_to_tv(sc->sc_conf->shutdown_timeout);
	drain_timer = evtimer_new(sc->sc_base, main_drain_end, NULL);
	if (drain_timer == NULL || evtimer_add(drain_timer, &tv) == -1)
		main_drain_end(-1, 0, NULL);
}

static void
main_drain_end(int fd, short what, void *arg)
{
	struct fwrelay	*sc = &fwrelay_env, *w, *old;
	unsigned int	 k;

	workers_pause();
	WORKERS_FOREACH(w, k) {
		old = worker_enter(w);
		relay_close_all(w, "shutdown");
		worker_enter(old);
	}
	workers_resume();
	event_base_loopexit(sc->sc_base, NULL);
}

static void
main_sigusr1(int sig, short what, void *arg)
{
	if (eventlog_reopen() == -1)
		log_warn("cannot reopen the event log");
}

static void
main_daemonise(void)
{
	pid_t	 pid;
	int	 fd;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0)
		_exit(0);
	if (chdir("/") == -1)
		fatal("chdir");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
}

int
main(int argc, char *argv[])
{
	struct fwrelay		*sc = &fwrelay_env;
	struct fwrelay_conf	*conf;
	struct config_errors	 errs = { NULL, 0 };
	struct event		*sigs[5];
	struct rlimit		 rlim;
	FILE			*fp;
	int			 ch, foreground = 0, checkonly = 0;
	int			 verbose = 0, i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (strcmp(argv[i], "--help") == 0)
			usage(1);
	while ((ch = getopt(argc, argv, "c:fhp:tvV")) != -1) {
		switch (ch) {
		case 'c':
			conffile = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'h':
			usage(1);
		case 't':
			checkonly = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("fwrelay %s\n", PACKAGE_VERSION);
			return (0);
		default:
			usage(0);
		}
	}
	if (optind != argc)
		usage(0);

	log_init(1, verbose);
	config_host_check = relay_host_error;
	conf = config_load(conffile, &errs);
	if (conf != NULL && relay_check_conf(conf, &errs) == -1) {
		config_free(conf);
		conf = NULL;
	}
	if (conf == NULL) {
		print_errors(&errs);
		config_errors_clear(&errs);
		return (1);
	}
	if (checkonly) {
		printf("configuration OK\n");
		kernel_print(conf, stdout);
		config_free(conf);
		return (0);
	}

	signal(SIGPIPE, SIG_IGN);
	if (!foreground) {
		main_daemonise();
		log_init(0, verbose);
	}
	if (pidfile != NULL) {
		if ((fp = fopen(pidfile, "w")) == NULL)
			fatal("cannot write %s", pidfile);
		fprintf(fp, "%ld\n", (long)getpid());
		fclose(fp);
	}
	if (eventlog_open(conf->event_log, verbose > 0 ? LOG_LEVEL_DEBUG :
	    conf->log_level) == -1)
		fatal("cannot open event_log %s", conf->event_log);
	if (worker_setup(conf->workers) == -1)
		fatalx("cannot set up %u workers", conf->workers);
	if ((sc->sc_base = event_base_new()) == NULL)
		fatalx("cannot create the event base");
	relay_init(sc);
	if (getrlimit(RLIMIT_NOFILE, &rlim) == 0 &&
	    rlim.rlim_cur != RLIM_INFINITY) {
		/* Use what the hard limit allows: two per connection. */
		if (rlim.rlim_cur < rlim.rlim_max) {
			rlim.rlim_cur = rlim.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rlim);
			getrlimit(RLIMIT_NOFILE, &rlim);
		}
		sc->sc_fd_limit = rlim.rlim_cur;
	}
	sc->sc_conf = conf;
	sc->sc_conffile = conffile;
	sc->sc_verbose = verbose;
	for (i = 1; i < (int)fw_nworkers; i++)
		if (worker_new(sc, i) == NULL)
			fatalx("cannot create worker %d", i);
	main_event_start();
	/*
	 * The kernel's part first: once a relay's listen event is out, the
	 * connections diverted to it arrive (a start that fails later
	 * removes it again, atexit).
	 */
	if (kernel_apply(sc, 1) == -1)
		fatalx("cannot install interception");
	if (relay_apply_all(conf, &errs, NULL) == -1) {
		print_errors(&errs);
		fatalx("cannot start relays");
	}
	if (control_init(sc) == -1)
		fatalx("cannot open the control API socket");
	if (priv_drop(sc) == -1)
		fatalx("cannot drop privileges");

	sigs[0] = evsignal_new(sc->sc_base, SIGHUP, main_sighup, NULL);
	sigs[1] = evsignal_new(sc->sc_base, SIGTERM, main_sigterm, NULL);
	sigs[2] = evsignal_new(sc->sc_base, SIGINT, main_sigterm, NULL);
	sigs[3] = evsignal_new(sc->sc_base, SIGUSR1, main_sigusr1, NULL);
	sigs[4] = NULL;
	for (i = 0; sigs[i] != NULL; i++)
		evsignal_add(sigs[i], NULL);

	if (fw_nworkers > 1 && (eventlog_threads(sc->sc_base) == -1 ||
	    workers_start() == -1))
		fatal("cannot start the workers");
	if (fw_nworkers == 1)
		log_info("started with %zu relay%s", conf->nrelays,
		    conf->nrelays == 1 ? "" : "s");
	else
		log_info("started with %zu relay%s on %u workers",
		    conf->nrelays, conf->nrelays == 1 ? "" : "s", fw_nworkers);
	event_base_dispatch(sc->sc_base);
	/* Run what was deferred in the last round (freeing closed conns). */
	event_base_loop(sc->sc_base, EVLOOP_NONBLOCK);
	workers_join();
	eventlog_threads_end();
	kernel_remove();
	control_free(sc);
	pinhole_shutdown();
	capture_shutdown(sc);

	eventlog_emit(eventlog_new_level(LOG_LEVEL_ERROR, "stop"));
	for (i = 0; sigs[i] != NULL; i++)
		event_free(sigs[i]);
	if (drain_timer != NULL)
		event_free(drain_timer);
	if (sc->sc_accept_retry != NULL)
		event_free(sc->sc_accept_retry);
	while (!TAILQ_EMPTY(&sc->sc_relays))
		relay_free(TAILQ_FIRST(&sc->sc_relays));
	config_free(sc->sc_conf);
	event_base_free(sc->sc_base);
	eventlog_close();
	if (pidfile != NULL)
		unlink(pidfile);
	return (0);
}
