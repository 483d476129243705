/*
 * mtasim: options, configuration, the event loop, signals and the command
 * channel on standard input ("phase N", "send PEER COUNT [SIZE]", "kick
 * PEER", "status", "quit"), through which the lab runner queues the mail
 * of each phase. See mtasim(8).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "mtasim.h"

#define MTASIM_VERSION	"0.1.0"

struct mtasim	*ms;
static struct bufferevent *mtasim_stdin;

static void	usage(void) __attribute__((noreturn));
static void	usage_out(FILE *, int) __attribute__((noreturn));
static void	mtasim_signal(int, short, void *);
static void	mtasim_stdin_read(struct bufferevent *, void *);
static void	mtasim_stdin_event(struct bufferevent *, short, void *);
static void	mtasim_command(char *);
static void	mtasim_stop(const char *);
static void	mtasim_status_event(const char *);
static int	mtasim_scenario_json(const char *);
static void	mtasim_start_phase(int, short, void *);

static void
usage(void)
{
	usage_out(stderr, 2);
}

/* The usage text; on stdout with status 0 for -h and --help. */
static void
usage_out(FILE *fp, int status)
{
	fprintf(fp, "usage: mtasim [-hnt] [-c file] [-e event-log] "
	    "[-l text-log] [-p phase]\n"
	    "              [-s status-file]\n"
	    "       mtasim --scenario-json file\n");
	exit(status);
}

int
mtasim_call(int ci, const char *peer)
{
	if (ms->ms_conf->connectors[ci].type == CONNECTOR_RPC)
		return (rpc_call(ci, peer));
	return (x400_call(ci, peer));
}

static void
mtasim_status_event(const char *why)
{
	json_t	*ev, *st;

	if ((ev = evlog_new(why)) == NULL)
		return;
	st = queue_status();
	json_object_update(ev, st);
	json_decref(st);
	json_object_set_new(ev, "event", json_string(why));
	evlog_emit(ev);
	queue_status_write();
}

static void
mtasim_stop(const char *why)
{
	if (ms->ms_stopping)
		return;
	ms->ms_stopping = 1;
	evlog_text("stopping: %s", why);
	x400_shutdown();
	rpc_shutdown();
	mtasim_status_event("summary");
	event_base_loopexit(ms->ms_base, NULL);
}

static void
mtasim_signal(int sig, short what, void *arg)
{
	switch (sig) {
	case SIGUSR1:
		mtasim_status_event("status");
		break;
	default:
		mtasim_stop(sig == SIGINT ? "SIGINT" : "SIGTERM");
	}
}

static void
mtasim_command(char *line)
{
	char	*argv[5], *save = NULL, *w;
	int	 argc = 0, n, count, size;
	char	*end;

	for (w = strtok_r(line, " \t\r", &save); w != NULL && argc < 5;
	    w = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = w;
	if (argc == 0)
		return;
	if (strcmp(argv[0], "phase") == 0 && argc == 2) {
		n = (int)strtol(argv[1], &end, 10);
		if (*end != '\0' || n < 1) {
			evlog_text("command: bad phase \"%s\"", argv[1]);
			return;
		}
		queue_set_phase(n);
		mtasim_status_event("phase");
	} else if (strcmp(argv[0], "send") == 0 && (argc == 3 || argc == 4)) {
		count = atoi(argv[2]);
		size = argc == 4 ? atoi(argv[3]) : 256;
		if (count < 1 || size < 0 || size > MTA_MAIL_SIZE_MAX ||
		    strlen(argv[1]) >= MTA_NAME_MAX) {
			evlog_text("command: bad send");
			return;
		}
		queue_add(argv[1], ms->ms_phase, count, (size_t)size, "manual");
		queue_kick(argv[1]);
	} else if (strcmp(argv[0], "kick") == 0 && argc == 2)
		queue_kick(argv[1]);
	else if (strcmp(argv[0], "status") == 0 && argc == 1)
		mtasim_status_event("status");
	else if (strcmp(argv[0], "quit") == 0 && argc == 1)
		mtasim_stop("quit");
	else
		evlog_text("command: unknown \"%s\"", argv[0]);
}

static void
mtasim_stdin_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		mtasim_command(line);
		free(line);
		if (ms->ms_stopping)
			return;
	}
}

/* End of standard input: commands are over, the MTA runs on. */
static void
mtasim_stdin_event(struct bufferevent *bev, short what, void *arg)
{
	bufferevent_free(bev);
	mtasim_stdin = NULL;
}

static void
mtasim_start_phase(int fd, short what, void *arg)
{
	queue_set_phase(*(int *)arg);
	mtasim_status_event("phase");
}

/* Print any libconfig file (a lab scenario) as one JSON document. */
static int
mtasim_scenario_json(const char *file)
{
	json_t	*o;
	char	 err[MTA_ERR_MAX];

	if ((o = conf_file_json(file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mtasim: %s\n", err);
		return (1);
	}
	json_dumpf(o, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
	return (0);
}

/* What the command line says. */
struct mtasim_opts {
	const char	*file;
	const char	*evpath;	/* -e: replaces event_log */
	const char	*textpath;	/* -l: replaces text_log */
	const char	*statuspath;	/* -s: replaces status_file */
	int		 phase;		/* -p: start in that phase */
	int		 check;		/* -t */
	int		 nostdin;	/* -n */
};

/* Parse argv into o; returns -1 to go on, else an exit status. */
static int
mtasim_getopt(int argc, char *argv[], struct mtasim_opts *o)
{
	static const struct option longopts[] = {
		{ "scenario-json", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "c:e:hl:np:s:tV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'J':
			return (mtasim_scenario_json(optarg));
		case 'c':
			o->file = optarg;
			break;
		case 'e':
			o->evpath = optarg;
			break;
		case 'l':
			o->textpath = optarg;
			break;
		case 'n':
			o->nostdin = 1;
			break;
		case 'p':
			o->phase = atoi(optarg);
			if (o->phase < 1)
				usage();
			break;
		case 's':
			o->statuspath = optarg;
			break;
		case 'h':
			usage_out(stdout, 0);
		case 't':
			o->check = 1;
			break;
		case 'V':
			printf("mtasim %s\n", MTASIM_VERSION);
			return (0);
		default:
			usage();
		}
	}
	if (optind != argc || o->file == NULL)
		usage();
	return (-1);
}

/* A path given on the command line replaces the file's. */
static void
mtasim_override(char **field, const char *path)
{
	if (path == NULL)
		return;
	free(*field);
	*field = strdup(path);
}

/* Commands come through a pipe, a socket or a terminal; a file or
 * /dev/null cannot be polled. */
static void
mtasim_stdin_open(void)
{
	struct bufferevent	*in;
	struct stat		 sb;

	if (fstat(STDIN_FILENO, &sb) == -1 ||
	    !(S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode) ||
	    S_ISCHR(sb.st_mode)) ||
	    (S_ISCHR(sb.st_mode) && !isatty(STDIN_FILENO)))
		return;
	evutil_make_socket_nonblocking(STDIN_FILENO);
	if ((in = bufferevent_socket_new(ms->ms_base, STDIN_FILENO, 0)) ==
	    NULL)
		return;
	bufferevent_setcb(in, mtasim_stdin_read, NULL, mtasim_stdin_event,
	    NULL);
	bufferevent_enable(in, EV_READ);
	mtasim_stdin = in;
}

/* Event base, signals, logs and listeners; -1 after saying why. */
static int
mtasim_start(struct event **sigs)
{
	static const int	 signos[4] = { SIGTERM, SIGINT, SIGUSR1, 0 };
	struct mta_conf		*mc = ms->ms_conf;
	json_t			*ev;
	int			 i;

	if (evlog_open(mc->name, mc->event_log, mc->text_log) == -1) {
		fprintf(stderr, "mtasim: cannot open the event logs: %s\n",
		    strerror(errno));
		return (-1);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((ms->ms_base = event_base_new()) == NULL) {
		fprintf(stderr, "mtasim: event_base_new failed\n");
		return (-1);
	}
	for (i = 0; signos[i] != 0; i++) {
		sigs[i] = evsignal_new(ms->ms_base, signos[i], mtasim_signal,
		    NULL);
		evsignal_add(sigs[i], NULL);
	}
	sigs[i] = NULL;
	if (x400_init() == -1 || rpc_init() == -1) {
		evlog_text("cannot start: see above");
		if ((ev = evlog_new("fatal")) != NULL) {
			json_object_set_new(ev, "reason",
			    json_string("listen failed"));
			evlog_emit(ev);
		}
		return (-1);
	}
	return (0);
}

static void
mtasim_ready(void)
{
	json_t	*ev;

	if ((ev = evlog_new("ready")) != NULL) {
		json_object_set_new(ev, "pid", json_integer(getpid()));
		json_object_set_new(ev, "rpc_port",
		    json_integer(ms->ms_rpc_port));
		json_object_set_new(ev, "source", json_string(
		    ms->ms_conf->source_cluster ? "cluster" : "node"));
		evlog_emit(ev);
	}
	evlog_text("ready");
	queue_status_write();
}

static void
mtasim_free(struct event **sigs)
{
	int	 i;

	for (i = 0; sigs[i] != NULL; i++)
		event_free(sigs[i]);
	if (mtasim_stdin != NULL)
		bufferevent_free(mtasim_stdin);
	net_close_listeners();
	queue_free_all();
	if (ms->ms_status_ev != NULL)
		event_free(ms->ms_status_ev);
	evlog_close();
	event_base_free(ms->ms_base);
	conf_free(ms->ms_conf);
}

int
main(int argc, char *argv[])
{
	struct config_errors	 errs = { NULL, 0 };
	struct mtasim_opts	 o;
	struct mta_conf		*mc;
	struct event		*sigs[4];
	static int		 phase;
	struct mtasim		 sim;
	size_t			 k;
	int			 rv;

	if ((rv = mtasim_getopt(argc, argv, &o)) != -1)
		return (rv);
	if ((mc = conf_load(o.file, &errs)) == NULL) {
		for (k = 0; k < errs.n; k++)
			fprintf(stderr, "%s\n", errs.msgs[k]);
		config_errors_clear(&errs);
		return (1);
	}
	if (o.check) {
		printf("configuration OK\n");
		conf_free(mc);
		return (0);
	}
	mtasim_override(&mc->event_log, o.evpath);
	mtasim_override(&mc->text_log, o.textpath);
	mtasim_override(&mc->status_file, o.statuspath);

	memset(&sim, 0, sizeof(sim));
	ms = &sim;
	ms->ms_conf = mc;
	if (mtasim_start(sigs) == -1)
		return (1);
	if (!o.nostdin)
		mtasim_stdin_open();
	mtasim_ready();
	if ((phase = o.phase) > 0)
		event_base_once(ms->ms_base, -1, EV_TIMEOUT,
		    mtasim_start_phase, &phase, NULL);

	event_base_dispatch(ms->ms_base);

	mtasim_free(sigs);
	return (0);
}
