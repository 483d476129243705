/*
 * Counters for /metrics, fed by the event log's observer (every event,
 * even those filtered from the file), and gauges read from the running
 * state when a scrape comes. Rendered in the Prometheus text exposition
 * format 0.0.4. Counters are keyed by relay name, so they go on across a
 * reload that replaces the struct relay.
 */
#include <sys/types.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "fwrelay.h"
#include "control.h"

/* Label sets are short: relay name plus one or two small values. */
#define METRIC_LABELS_MAX	256

enum metric_family {
	MF_CONN_TOTAL = 0,
	MF_CLOSED,
	MF_BYTES,
	MF_DENIES,
	MF_CONNECT_FAILURES,
	MF_LIMITED,
	MF_FAULTS,
	MF_PINHOLES,
	MF_MODE_CHANGES,
	MF_RELOADS,
	MF_NFAMILIES
};

static const struct {
	const char	*name;
	const char	*help;
} metric_families[MF_NFAMILIES] = {
	{ "fwrelay_connections_total", "Connections accepted." },
	{ "fwrelay_connections_closed_total", "Connections closed, by reason." },
	{ "fwrelay_bytes_total", "Bytes relayed by direction (upstream: "
	    "client to target), including open connections." },
	{ "fwrelay_denies_total", "Connections denied, by policy rule "
	    "(-1: no rule matched)." },
	{ "fwrelay_connect_failures_total", "Failed connects to the target, "
	    "by errno." },
	{ "fwrelay_connections_limited_total", "Connections refused at "
	    "max_connections." },
	{ "fwrelay_faults_fired_total", "Fault actions, by fault type." },
	{ "fwrelay_pinhole_events_total", "Pinhole events, by event." },
	{ "fwrelay_mode_changes_total", "Run-time changes made through the "
	    "control API." },
	{ "fwrelay_reloads_total", "Configuration reloads, by result." }
};

struct metric {
	enum metric_family	 family;
	char			 labels[METRIC_LABELS_MAX * 2];
	char			 relay[FWRELAY_NAME_MAX];
	uint64_t		 value;
	struct metric		*next;
};

static struct metric	*metrics;
static struct metric	*metrics_tail;
static int		 metrics_started;
static struct timeval	 metrics_start;

static void	 metrics_observe(json_t *, void *);
static void	 metrics_add(enum metric_family, const char *, uint64_t,
		    const char *, ...)
		    __attribute__((format(printf, 4, 5)));

const char *
metrics_escape(const char *s, char *buf, size_t len)
{
	size_t	 o = 0;

	for (; *s != '\0' && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else
			buf[o++] = *s;
	}
	buf[o] = '\0';
	return (buf);
}

/* Add n to the sample of family with these labels (after relay). */
static void
metrics_add(enum metric_family family, const char *relay, uint64_t n,
    const char *fmt, ...)
{
	struct metric	*m;
	va_list		 ap;
	char		 extra[METRIC_LABELS_MAX], labels[METRIC_LABELS_MAX * 2];
	char		 esc[FWRELAY_NAME_MAX * 2 + 1];

	va_start(ap, fmt);
	vsnprintf(extra, sizeof(extra), fmt, ap);
	va_end(ap);
	if (relay != NULL)
		snprintf(labels, sizeof(labels), "relay=\"%s\"%s%s",
		    metrics_escape(relay, esc, sizeof(esc)),
		    extra[0] != '\0' ? "," : "", extra);
	else
		snprintf(labels, sizeof(labels), "%s", extra);
	for (m = metrics; m != NULL; m = m->next)
		if (m->family == family && strcmp(m->labels, labels) == 0) {
			m->value += n;
			return;
		}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return;
	m->family = family;
	snprintf(m->labels, sizeof(m->labels), "%s", labels);
	if (relay != NULL)
		snprintf(m->relay, sizeof(m->relay), "%s", relay);
	m->value = n;
	if (metrics_tail != NULL)
		metrics_tail->next = m;
	else
		metrics = m;
	metrics_tail = m;
}

static const char *
metrics_str(json_t *ev, const char *key, const char *def)
{
	json_t	*v = json_object_get(ev, key);

	return (json_is_string(v) ? json_string_value(v) : def);
}

static long long
metrics_int(json_t *ev, const char *key)
{
	json_t	*v = json_object_get(ev, key);

	return (json_is_integer(v) ? json_integer_value(v) : 0);
}

/* The event log's observer. */
static void
metrics_observe(json_t *ev, void *arg)
{
	const char	*name = metrics_str(ev, "event", "");
	const char	*relay = metrics_str(ev, "relay", NULL);
	char		 a[128], b[128];

	if (strcmp(name, "reload") == 0) {
		metrics_add(MF_RELOADS, NULL, 1, "result=\"%s\"",
		    metrics_escape(metrics_str(ev, "result", "?"), a,
		    sizeof(a)));
		return;
	}
	if (relay == NULL)
		return;
	if (strcmp(name, "accept") == 0)
		metrics_add(MF_CONN_TOTAL, relay, 1, "%s", "");
	else if (strcmp(name, "close") == 0) {
		metrics_add(MF_CLOSED, relay, 1, "reason=\"%s\"",
		    metrics_escape(metrics_str(ev, "reason", "?"), a,
		    sizeof(a)));
		metrics_add(MF_BYTES, relay, (uint64_t)metrics_int(ev,
		    "bytes_from_client"), "direction=\"upstream\"");
		metrics_add(MF_BYTES, relay, (uint64_t)metrics_int(ev,
		    "bytes_from_target"), "direction=\"downstream\"");
	} else if (strcmp(name, "deny") == 0)
		metrics_add(MF_DENIES, relay, 1, "rule=\"%lld\"",
		    metrics_int(ev, "rule"));
	else if (strcmp(name, "connect_failed") == 0)
		metrics_add(MF_CONNECT_FAILURES, relay, 1, "errno=\"%s\"",
		    metrics_escape(metrics_str(ev, "error", "?"), a,
		    sizeof(a)));
	else if (strcmp(name, "limit") == 0)
		metrics_add(MF_LIMITED, relay, 1, "%s", "");
	else if (strcmp(name, "fault") == 0)
		metrics_add(MF_FAULTS, relay, 1, "type=\"%s\"",
		    metrics_escape(metrics_str(ev, "type", "?"), a,
		    sizeof(a)));
	else if (strncmp(name, "pinhole", 7) == 0)
		metrics_add(MF_PINHOLES, relay, 1, "event=\"%s\"",
		    metrics_escape(name, b, sizeof(b)));
	else if (strcmp(name, "mode_change") == 0)
		metrics_add(MF_MODE_CHANGES, relay, 1, "%s", "");
}

static const char *const metrics_events[] = {
	"reload", "accept", "close", "deny", "connect_failed", "limit",
	"fault", "pinhole_open", "pinhole_used", "pinhole_expired",
	"mode_change", NULL
};

void
metrics_init(void)
{
	if (metrics_started)
		return;
	metrics_started = 1;
	gettimeofday(&metrics_start, NULL);
	/* Only these are built when the event log filters them out. */
	eventlog_observe_names(metrics_observe, NULL, metrics_events);
}

/* Gauges and live bytes per relay name (a reload may leave two relays). */
struct metrics_live {
	char		 name[FWRELAY_NAME_MAX];
	uint64_t	 active;
	uint64_t	 up;
	uint64_t	 down;
	int		 current;	/* in the running configuration */
};

static struct metrics_live *
metrics_live_find(struct metrics_live *l, size_t *n, size_t max,
    const char *name)
{
	size_t	 i;

	for (i = 0; i < *n; i++)
		if (strcmp(l[i].name, name) == 0)
			return (&l[i]);
	if (*n == max)
		return (NULL);
	memset(&l[*n], 0, sizeof(l[*n]));
	snprintf(l[*n].name, sizeof(l[*n].name), "%s", name);
	return (&l[(*n)++]);
}

static void
metrics_header(struct evbuffer *buf, const char *name, const char *help,
    const char *type)
{
	evbuffer_add_printf(buf, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

int
metrics_render(struct fwrelay *sc, struct evbuffer *buf)
{
	struct metrics_live	*live, *lv;
	struct metric		*m;
	struct fwrelay		*w;
	unsigned int		 wk;
	struct relay		*rl;
	struct conn		*c;
	json_t			*ph, *o;
	size_t			 n = 0, max = 0, i, j;
	int			 f;
	char			 esc[FWRELAY_NAME_MAX * 2 + 1];

	/* Gauges sum over the workers (the caller holds them). */
	WORKERS_FOREACH(w, wk)
		TAILQ_FOREACH(rl, &w->sc_relays, rl_entry)
			max++;
	if ((live = calloc(max + 1, sizeof(*live))) == NULL)
		return (-1);
	WORKERS_FOREACH(w, wk)
	TAILQ_FOREACH(rl, &w->sc_relays, rl_entry) {
		if ((lv = metrics_live_find(live, &n, max, rl->rl_name)) ==
		    NULL)
			continue;
		if (!rl->rl_removed)
			lv->current = 1;
		lv->active += rl->rl_nconns;
		TAILQ_FOREACH(c, &rl->rl_conns, c_entry) {
			lv->up += c->c_client.cs_bytes;
			lv->down += c->c_target.cs_bytes;
		}
	}

	metrics_header(buf, "fwrelay_start_time_seconds",
	    "When the daemon started, seconds since the epoch.", "gauge");
	evbuffer_add_printf(buf, "fwrelay_start_time_seconds %lld.%06ld\n",
	    (long long)metrics_start.tv_sec, (long)metrics_start.tv_usec);
	metrics_header(buf, "fwrelay_relay_enabled",
	    "1 when the relay accepts connections.", "gauge");
	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
		if (!rl->rl_removed && rl->rl_pinhole == NULL)
			evbuffer_add_printf(buf, "fwrelay_relay_enabled"
			    "{relay=\"%s\"} %d\n", metrics_escape(rl->rl_name,
			    esc, sizeof(esc)), rl->rl_conf->enabled ? 1 : 0);
	metrics_header(buf, "fwrelay_connections_active",
	    "Connections open now.", "gauge");
	for (i = 0; i < n; i++)
		evbuffer_add_printf(buf, "fwrelay_connections_active"
		    "{relay=\"%s\"} %llu\n", metrics_escape(live[i].name, esc,
		    sizeof(esc)), (unsigned long long)live[i].active);

	/* With workers: how the kernel spread the open connections. */
	if (fw_nworkers > 1) {
		metrics_header(buf, "fwrelay_worker_connections_active",
		    "Connections open now, by the worker (event loop) that "
		    "runs them.", "gauge");
		WORKERS_FOREACH(w, wk)
			evbuffer_add_printf(buf,
			    "fwrelay_worker_connections_active{worker=\"%u\"} "
			    "%u\n", wk, w->sc_nconns);
	}

	/* Open pinholes per parent relay (pinhole.c's own list). */
	metrics_header(buf, "fwrelay_pinholes_open",
	    "Pinholes open now, by the relay whose traffic opened them.",
	    "gauge");
	if ((ph = pinhole_list()) != NULL) {
		for (i = 0; i < n; i++) {
			uint64_t	 k = 0;

			json_array_foreach(ph, j, o)
				if (json_is_string(json_object_get(o,
				    "relay")) && strcmp(json_string_value(
				    json_object_get(o, "relay")),
				    live[i].name) == 0)
					k++;
			if (live[i].current)
				evbuffer_add_printf(buf,
				    "fwrelay_pinholes_open{relay=\"%s\"} "
				    "%llu\n", metrics_escape(live[i].name,
				    esc, sizeof(esc)), (unsigned long long)k);
		}
		json_decref(ph);
	}

	for (f = 0; f < MF_NFAMILIES; f++) {
		metrics_header(buf, metric_families[f].name,
		    metric_families[f].help, "counter");
		/* Relays in the configuration show 0 rather than nothing. */
		if (f == MF_CONN_TOTAL || f == MF_BYTES)
			for (i = 0; i < n; i++) {
				if (f == MF_CONN_TOTAL)
					metrics_add(MF_CONN_TOTAL,
					    live[i].name, 0, "%s", "");
				else {
					metrics_add(MF_BYTES, live[i].name, 0,
					    "direction=\"upstream\"");
					metrics_add(MF_BYTES, live[i].name, 0,
					    "direction=\"downstream\"");
				}
			}
		for (m = metrics; m != NULL; m = m->next) {
			unsigned long long	 v = m->value;

			if ((int)m->family != f)
				continue;
			if (f == MF_BYTES && (lv = metrics_live_find(live, &n,
			    n, m->relay)) != NULL)
				v += strstr(m->labels, "upstream") != NULL ?
				    lv->up : lv->down;
			evbuffer_add_printf(buf, "%s{%s} %llu\n",
			    metric_families[f].name, m->labels, v);
		}
	}
	free(live);
	return (0);
}
