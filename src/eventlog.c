/*
 * The JSON event log: one object per line, flushed per event, so the lab and
 * jq can follow it live. Every event carries ts (RFC 3339, UTC, microseconds)
 * and event; jansson does the escaping. Strings that are not valid UTF-8
 * (names from the wire, odd bytes in a config) are made valid by writing each
 * bad byte as the text \xNN, so an event is never lost to an encoding error.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "fwrelay.h"

#define EVENTLOG_OBSERVERS	4
#define EVENTLOG_TAP_QUEUE	65536	/* lines waiting for the main thread */

static FILE		*ev_fp;
static char		*ev_path;
static enum log_level	 ev_level = LOG_LEVEL_INFO;
static struct {
	event_observer_cb	 cb;
	void			*arg;
	const char *const	*names;		/* NULL: every event */
} ev_obs[EVENTLOG_OBSERVERS];
static int		 ev_nobs;
static eventlog_tap_cb	 ev_tap;	/* the encoded lines, as logged */
static void		*ev_tap_arg;

/*
 * With workers, events come from every thread: ev_mtx keeps each line
 * whole and the observers' counters right, and the tap (the control
 * API's stream, which lives on the main thread) gets its lines through a
 * queue the main loop drains, in the order they were logged.
 */
static pthread_mutex_t	 ev_mtx = PTHREAD_MUTEX_INITIALIZER;
static int		 ev_threaded;
static struct event	*ev_tap_ev;
struct tap_line {
	struct tap_line	*next;
	char		 line[];
};
static struct tap_line	*ev_tapq, **ev_tapq_tail = &ev_tapq;
static size_t		 ev_tapq_n;

static size_t	utf8_valid_prefix(const unsigned char *, size_t);
static void	eventlog_tap_drain(evutil_socket_t, short, void *);

#define EV_LOCK()	do { if (ev_threaded) pthread_mutex_lock(&ev_mtx); } \
			    while (0)
#define EV_UNLOCK()	do { if (ev_threaded) pthread_mutex_unlock(&ev_mtx); } \
			    while (0)

/* Workers: events from other threads; the tap is fed from base. */
int
eventlog_threads(struct event_base *base)
{
	if ((ev_tap_ev = event_new(base, -1, 0, eventlog_tap_drain,
	    NULL)) == NULL)
		return (-1);
	ev_threaded = 1;
	return (0);
}

void
eventlog_threads_end(void)
{
	struct tap_line	*t;

	EV_LOCK();
	while ((t = ev_tapq) != NULL) {
		ev_tapq = t->next;
		free(t);
	}
	ev_tapq_tail = &ev_tapq;
	ev_tapq_n = 0;
	EV_UNLOCK();
	if (ev_tap_ev != NULL)
		event_free(ev_tap_ev);
	ev_tap_ev = NULL;
	ev_threaded = 0;
}

static void
eventlog_tap_drain(evutil_socket_t fd, short what, void *arg)
{
	struct tap_line	*q, *t;

	pthread_mutex_lock(&ev_mtx);
	q = ev_tapq;
	ev_tapq = NULL;
	ev_tapq_tail = &ev_tapq;
	ev_tapq_n = 0;
	pthread_mutex_unlock(&ev_mtx);
	while ((t = q) != NULL) {
		q = t->next;
		if (ev_tap != NULL)
			ev_tap(t->line, ev_tap_arg);
		free(t);
	}
}

/*
 * Under ev_mtx, with workers: a line's ts is never before the previous
 * line's. Another thread may log between an event's making and its
 * writing; such an event takes the previous line's time (microseconds
 * later than its own), so the log reads in order. The line starts with
 * its ts (eventlog_new_level sets it first), in a fixed-width form whose
 * text order is time order.
 */
#define EV_TS_OFF	7	/* {"ts":" */
#define EV_TS_LEN	27	/* 2026-12-07T12:31:36.391684Z */
static int
eventlog_ts_order(char *line)
{
	static char	 last[EV_TS_LEN + 1];

	if (strncmp(line, "{\"ts\":\"", EV_TS_OFF) != 0 ||
	    strlen(line) < EV_TS_OFF + EV_TS_LEN + 1 ||
	    line[EV_TS_OFF + EV_TS_LEN] != '"')
		return (0);
	if (memcmp(line + EV_TS_OFF, last, EV_TS_LEN) < 0) {
		memcpy(line + EV_TS_OFF, last, EV_TS_LEN);
		return (1);
	}
	memcpy(last, line + EV_TS_OFF, EV_TS_LEN);
	return (0);
}

/* The time a line's ts says ("2026-12-07T12:31:36.391684Z"): 0, or -1. */
static int
eventlog_ts_parse(const char *s, struct timeval *tv)
{
	struct tm	 tm;
	int		 y, mo, d, h, mi, se;
	long		 us;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6ldZ", &y, &mo, &d, &h, &mi,
	    &se, &us) != 7)
		return (-1);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tv->tv_sec = timegm(&tm);
	tv->tv_usec = us;
	return (0);
}

/* Under ev_mtx: the line for the main thread's tap. */
static void
eventlog_tap_queue(const char *line)
{
	struct tap_line	*t;
	size_t		 len = strlen(line) + 1;

	if (ev_tapq_n >= EVENTLOG_TAP_QUEUE ||
	    (t = malloc(sizeof(*t) + len)) == NULL)
		return;
	memcpy(t->line, line, len);
	t->next = NULL;
	*ev_tapq_tail = t;
	ev_tapq_tail = &t->next;
	if (ev_tapq_n++ == 0)
		event_active(ev_tap_ev, EV_TIMEOUT, 0);
}

/*
 * Open path ("-" for stdout) without using it yet: a reload opens its new
 * log first and switches to it only once everything else has applied.
 */
int
eventlog_prepare(const char *path, struct eventlog_file *ef)
{
	ef->fp = NULL;
	if ((ef->path = strdup(path)) == NULL)
		return (-1);
	if (strcmp(path, "-") == 0)
		ef->fp = stdout;
	else if ((ef->fp = fopen(path, "a")) == NULL) {
		free(ef->path);
		ef->path = NULL;
		return (-1);
	}
	return (0);
}

/* Close the log in use and log to ef (prepared) from now on, at level. */
void
eventlog_install(struct eventlog_file *ef, enum log_level level)
{
	eventlog_close();
	ev_fp = ef->fp;
	ev_path = ef->path;
	ev_level = level;
	ef->fp = NULL;
	ef->path = NULL;
}

/* A prepared log that is not used after all. */
void
eventlog_discard(struct eventlog_file *ef)
{
	if (ef->fp != NULL && ef->fp != stdout)
		fclose(ef->fp);
	free(ef->path);
	ef->fp = NULL;
	ef->path = NULL;
}

/* Open path ("-" for stdout) for appending events at or below level. */
int
eventlog_open(const char *path, enum log_level level)
{
	struct eventlog_file	 ef;

	if (eventlog_prepare(path, &ef) == -1)
		return (-1);
	eventlog_install(&ef, level);
	return (0);
}

/* SIGUSR1: reopen the same path, for logrotate. */
int
eventlog_reopen(void)
{
	FILE	*fp;

	if (ev_path == NULL || strcmp(ev_path, "-") == 0)
		return (0);
	if ((fp = fopen(ev_path, "a")) == NULL)
		return (-1);
	EV_LOCK();
	if (ev_fp != NULL && ev_fp != stdout)
		fclose(ev_fp);
	ev_fp = fp;
	EV_UNLOCK();
	return (0);
}

void
eventlog_close(void)
{
	if (ev_fp != NULL && ev_fp != stdout)
		fclose(ev_fp);
	if (ev_fp == stdout)
		fflush(stdout);
	ev_fp = NULL;
	free(ev_path);
	ev_path = NULL;
}

void
eventlog_set_level(enum log_level level)
{
	ev_level = level;
}

int
eventlog_enabled(enum log_level level)
{
	return (level <= ev_level);
}

void
eventlog_observe(event_observer_cb cb, void *arg)
{
	eventlog_observe_names(cb, arg, NULL);
}

/*
 * Observe only the named events (a NULL-terminated list that must stay
 * valid). An event filtered from the file is then built only when someone
 * wants it, so counting denies costs nothing per accepted connection.
 */
void
eventlog_observe_names(event_observer_cb cb, void *arg,
    const char *const *names)
{
	if (ev_nobs < EVENTLOG_OBSERVERS) {
		ev_obs[ev_nobs].cb = cb;
		ev_obs[ev_nobs].arg = arg;
		ev_obs[ev_nobs].names = names;
		ev_nobs++;
	}
}

/*
 * Hand every event that goes to the log (the log's level, not the quiet
 * ones observers asked for) to cb as its encoded line, without the
 * newline; NULL stops. One tap: the control API's event stream.
 */
void
eventlog_tap(eventlog_tap_cb cb, void *arg)
{
	ev_tap = cb;
	ev_tap_arg = arg;
}

/* Does observer i want the event called name? */
static int
eventlog_obs_wants(int i, const char *name)
{
	const char *const	*n = ev_obs[i].names;

	if (n == NULL)
		return (1);
	for (; name != NULL && *n != NULL; n++)
		if (strcmp(*n, name) == 0)
			return (1);
	return (0);
}

/*
 * Events that triggered faults wait for, with the number of connections
 * waiting: such an event is built even below the log level (and not
 * written), so a fault can fire on a debug-level rpc_call. Only the names
 * awaited: a dormant fault must not build every cotp_tpdu of the stream.
 */
static struct {
	char	 name[32];
	int	 n;
}		 ev_quiet[16];
/* Slots in use: 0 lets every event skip the lock (the common case). */
static atomic_int	 ev_quiet_used;

static void	eventlog_want_quiet_locked(const char *, int);

void
eventlog_want_quiet(const char *name, int delta)
{
	int	 i, used = 0;

	EV_LOCK();
	eventlog_want_quiet_locked(name, delta);
	for (i = 0; i < (int)(sizeof(ev_quiet) / sizeof(ev_quiet[0])); i++)
		if (ev_quiet[i].n > 0)
			used++;
	atomic_store(&ev_quiet_used, used);
	EV_UNLOCK();
}

static void
eventlog_want_quiet_locked(const char *name, int delta)
{
	int	 i, free_slot = -1;

	for (i = 0; i < (int)(sizeof(ev_quiet) / sizeof(ev_quiet[0])); i++) {
		if (ev_quiet[i].n > 0 && strcmp(ev_quiet[i].name, name) == 0) {
			ev_quiet[i].n += delta;
			return;
		}
		if (ev_quiet[i].n <= 0 && free_slot == -1)
			free_slot = i;
	}
	if (delta <= 0 || free_slot == -1)
		return;
	snprintf(ev_quiet[free_slot].name, sizeof(ev_quiet[free_slot].name),
	    "%s", name);
	ev_quiet[free_slot].n = delta;
}

/* Is a triggered fault waiting for it? */
static int
eventlog_quiet_wanted(const char *name)
{
	int	 i, found = 0;

	if (atomic_load(&ev_quiet_used) == 0)
		return (0);
	EV_LOCK();
	for (i = 0; i < (int)(sizeof(ev_quiet) / sizeof(ev_quiet[0])); i++)
		if (ev_quiet[i].n > 0 && strcmp(ev_quiet[i].name, name) == 0) {
			found = 1;
			break;
		}
	EV_UNLOCK();
	return (found);
}

/* Does any observer want it? */
static int
eventlog_wanted(const char *name)
{
	int	 i;

	for (i = 0; i < ev_nobs; i++)
		if (eventlog_obs_wants(i, name))
			return (1);
	return (0);
}

const char *
eventlog_timestamp(const struct timeval *tv, char *buf, size_t len)
{
	return (fw_timestamp(tv, buf, len));
}

json_t *
eventlog_new(const char *name)
{
	return (eventlog_new_level(LOG_LEVEL_INFO, name));
}

/* NULL when nobody would see it: the caller skips building the rest. */
json_t *
eventlog_new_level(enum log_level level, const char *name)
{
	json_t		*ev;
	struct timeval	 tv;
	char		 ts[40];

	if (level > ev_level && !eventlog_quiet_wanted(name) &&
	    !eventlog_wanted(name))
		return (NULL);
	if ((ev = json_object()) == NULL)
		return (NULL);
	gettimeofday(&tv, NULL);
	json_object_set_new(ev, "ts",
	    json_string(eventlog_timestamp(&tv, ts, sizeof(ts))));
	eventlog_str(ev, "event", name);
	if (level > ev_level)
		json_object_set_new(ev, "_quiet", json_true());
	return (ev);
}

char *
eventlog_encode(json_t *ev)
{
	return (fw_json_line(ev));
}

void
eventlog_emit(json_t *ev)
{
	eventlog_emit_at(ev, NULL);
}

/*
 * Emit an event whose ts the caller set from *tv (an accept, whose time
 * the capture files repeat); if the log had to move it later (workers),
 * *tv becomes the time written, so both still agree.
 */
void
eventlog_emit_at(json_t *ev, struct timeval *tv)
{
	const char	*name;
	char		*line;
	int		 quiet, i;

	if (ev == NULL)
		return;
	quiet = json_object_get(ev, "_quiet") != NULL;
	json_object_del(ev, "_quiet");
	name = json_string_value(json_object_get(ev, "event"));
	line = !quiet && (ev_fp != NULL || ev_tap != NULL) ?
	    eventlog_encode(ev) : NULL;
	EV_LOCK();
	for (i = 0; i < ev_nobs; i++)
		if (eventlog_obs_wants(i, name))
			ev_obs[i].cb(ev, ev_obs[i].arg);
	if (line != NULL && ev_threaded && eventlog_ts_order(line) &&
	    tv != NULL)
		eventlog_ts_parse(line + EV_TS_OFF, tv);
	if (line != NULL) {
		if (ev_fp != NULL) {
			fputs(line, ev_fp);
			fputc('\n', ev_fp);
			fflush(ev_fp);
		}
		if (ev_tap != NULL) {
			if (ev_threaded)
				eventlog_tap_queue(line);
			else
				ev_tap(line, ev_tap_arg);
		}
	}
	EV_UNLOCK();
	free(line);
	json_decref(ev);
}

/* Length of the longest valid UTF-8 prefix. */
static size_t
utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t	 i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return (i);
		if (i + n >= len)
			return (i);
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (i);
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (i);
		i += n + 1;
	}
	return (i);
}

void
eventlog_str(json_t *ev, const char *key, const char *val)
{
	const unsigned char	*s = (const unsigned char *)val;
	size_t			 len, ok, o = 0;
	char			*buf;

	if (ev == NULL || val == NULL)
		return;
	len = strlen(val);
	ok = utf8_valid_prefix(s, len);
	if (ok == len) {
		json_object_set_new(ev, key, json_stringn(val, len));
		return;
	}
	/* Each byte that breaks UTF-8 becomes the four characters \xNN. */
	if ((buf = malloc(len * 4 + 1)) == NULL)
		return;
	while (len > 0) {
		ok = utf8_valid_prefix(s, len);
		memcpy(buf + o, s, ok);
		o += ok;
		s += ok;
		len -= ok;
		if (len > 0) {
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", *s);
			s++;
			len--;
		}
	}
	json_object_set_new(ev, key, json_stringn(buf, o));
	free(buf);
}

void
eventlog_int(json_t *ev, const char *key, long long val)
{
	if (ev != NULL)
		json_object_set_new(ev, key, json_integer(val));
}

void
eventlog_real(json_t *ev, const char *key, double val)
{
	if (ev != NULL)
		json_object_set_new(ev, key, json_real(val));
}

void
eventlog_addr(json_t *ev, const char *key, const struct sockaddr *sa)
{
	char	 buf[ADDR_STRLEN];

	if (ev != NULL && sa != NULL)
		eventlog_str(ev, key, addr_str(sa, buf, sizeof(buf)));
}
