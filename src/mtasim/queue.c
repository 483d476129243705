/*
 * The MTA's queues: messages waiting per remote MTA, what each association
 * took, counters per peer, retries, and the status (queue lengths per peer,
 * busy or idle) that the lab polls. The status is written to the status
 * file after every change (once per loop turn), on SIGUSR1 and at exit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "mtasim.h"

static struct peer_list	 peers = TAILQ_HEAD_INITIALIZER(peers);
static unsigned int	 queue_seq;

static void	queue_retry(int, short, void *);
static void	queue_status_cb(int, short, void *);

struct peer *
queue_peer(const char *name)
{
	struct peer	*p;

	TAILQ_FOREACH(p, &peers, p_entry)
		if (strcmp(p->p_name, name) == 0)
			return (p);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	snprintf(p->p_name, sizeof(p->p_name), "%s", name);
	TAILQ_INIT(&p->p_queue);
	p->p_retries_left = ms->ms_conf->retries;
	TAILQ_INSERT_TAIL(&peers, p, p_entry);
	return (p);
}

int
queue_add(const char *peer, int phase, int count, size_t size,
    const char *subject)
{
	struct peer	*p;
	struct message	*m;
	json_t		*ev;
	int		 i;

	if ((p = queue_peer(peer)) == NULL)
		return (-1);
	for (i = 0; i < count; i++) {
		if ((m = calloc(1, sizeof(*m))) == NULL)
			return (-1);
		queue_seq++;
		snprintf(m->m_id, sizeof(m->m_id), "%s-%d-%04u",
		    ms->ms_conf->name, phase, queue_seq);
		snprintf(m->m_from, sizeof(m->m_from), "%s",
		    ms->ms_conf->name);
		snprintf(m->m_to, sizeof(m->m_to), "%s", peer);
		snprintf(m->m_subject, sizeof(m->m_subject), "%s", subject);
		m->m_size = size;
		m->m_phase = phase;
		TAILQ_INSERT_TAIL(&p->p_queue, m, m_entry);
		p->p_queued++;
		p->p_queued_total++;
		if ((ev = evlog_new("message_queued")) != NULL) {
			json_object_set_new(ev, "id", json_string(m->m_id));
			json_object_set_new(ev, "from", json_string(m->m_from));
			json_object_set_new(ev, "to", json_string(m->m_to));
			json_object_set_new(ev, "size", json_integer(
			    (json_int_t)m->m_size));
			json_object_set_new(ev, "subject",
			    json_string(m->m_subject));
			json_object_set_new(ev, "phase", json_integer(phase));
			evlog_emit(ev);
		}
	}
	queue_status_changed();
	return (0);
}

struct message *
queue_take(struct peer *p)
{
	struct message	*m;

	TAILQ_FOREACH(m, &p->p_queue, m_entry)
		if (!m->m_inflight) {
			m->m_inflight = 1;
			return (m);
		}
	return (NULL);
}

void
queue_untake(struct message *m)
{
	m->m_inflight = 0;
}

void
queue_done(struct peer *p, struct message *m, const char *via)
{
	json_t	*ev;

	if ((ev = evlog_new("message_transferred")) != NULL) {
		json_object_set_new(ev, "id", json_string(m->m_id));
		json_object_set_new(ev, "from", json_string(m->m_from));
		json_object_set_new(ev, "to", json_string(m->m_to));
		json_object_set_new(ev, "size", json_integer(
		    (json_int_t)m->m_size));
		json_object_set_new(ev, "via", json_string(via));
		evlog_emit(ev);
	}
	TAILQ_REMOVE(&p->p_queue, m, m_entry);
	p->p_queued--;
	p->p_transferred++;
	free(m);
	queue_status_changed();
}

void
queue_delivered(const char *from, const char *id, const char *to,
    size_t size, const char *subject, const char *via)
{
	struct peer	*p;
	json_t		*ev;

	if ((p = queue_peer(from)) != NULL)
		p->p_delivered++;
	if ((ev = evlog_new("message_delivered")) != NULL) {
		json_object_set_new(ev, "id", json_string(id));
		json_object_set_new(ev, "from", json_string(from));
		json_object_set_new(ev, "to", json_string(to));
		json_object_set_new(ev, "size", json_integer((json_int_t)size));
		json_object_set_new(ev, "subject", json_string(subject));
		json_object_set_new(ev, "via", json_string(via));
		evlog_emit(ev);
	}
	queue_status_changed();
}

/*
 * The simulated P1 message: one header line, then size bytes of body.
 * "MSG <id> <from> <to> <size> <subject>\n".
 */
uint8_t *
queue_encode(const struct message *m, size_t *len)
{
	char	 hdr[512];
	uint8_t	*buf;
	int	 n;
	size_t	 i;

	n = snprintf(hdr, sizeof(hdr), "MSG %s %s %s %zu %s\n", m->m_id,
	    m->m_from, m->m_to, m->m_size, m->m_subject);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return (NULL);
	if ((buf = malloc((size_t)n + m->m_size + 1)) == NULL)
		return (NULL);
	memcpy(buf, hdr, (size_t)n);
	/* A body a human can recognise in a capture. */
	for (i = 0; i < m->m_size; i++)
		buf[(size_t)n + i] = (uint8_t)(i % 64 == 63 ? '\n' :
		    'a' + (int)(i % 26));
	*len = (size_t)n + m->m_size;
	return (buf);
}

/* Fields into id, from, to (MTA_ID_MAX / MTA_NAME_MAX) and subject. */
int
queue_decode(const uint8_t *p, size_t len, char *id, char *from, char *to,
    size_t *size, char *subject)
{
	char		 line[512], *f[5], *save = NULL, *sp;
	const uint8_t	*nl;
	size_t		 n, i;
	unsigned long	 sz;
	char		*end;

	if ((nl = memchr(p, '\n', len < sizeof(line) ? len : sizeof(line))) ==
	    NULL)
		return (-1);
	n = (size_t)(nl - p);
	memcpy(line, p, n);
	line[n] = '\0';
	if (strncmp(line, "MSG ", 4) != 0)
		return (-1);
	sp = line + 4;
	for (i = 0; i < 4; i++) {
		if ((f[i] = strtok_r(i == 0 ? sp : NULL, " ", &save)) == NULL)
			return (-1);
	}
	f[4] = save != NULL ? save : (char *)"";
	if (strlen(f[0]) >= MTA_ID_MAX || strlen(f[1]) >= MTA_NAME_MAX ||
	    strlen(f[2]) >= MTA_NAME_MAX)
		return (-1);
	errno = 0;
	sz = strtoul(f[3], &end, 10);
	if (errno != 0 || *end != '\0' || sz != len - n - 1)
		return (-1);
	strcpy(id, f[0]);
	strcpy(from, f[1]);
	strcpy(to, f[2]);
	snprintf(subject, MTA_SUBJECT_MAX, "%s", f[4]);
	*size = sz;
	return (0);
}

void
queue_kick(const char *name)
{
	struct peer	*p;
	int		 ci, cx, cr;

	if ((p = queue_peer(name)) == NULL || p->p_queued == 0 ||
	    ms->ms_stopping)
		return;
	if (p->p_active > 0) {
		/* An association carries mail for this peer: it takes the
		 * new mail at its next turn. */
		x400_take_turn(name);
		rpc_kick(name);
		return;
	}
	cx = connector_for_peer(ms->ms_conf, CONNECTOR_X400, name);
	cr = connector_for_peer(ms->ms_conf, CONNECTOR_RPC, name);
	if (cx == -1)
		ci = cr;
	else if (cr == -1)
		ci = cx;
	else
		ci = ms->ms_conf->connectors[cr].cost <
		    ms->ms_conf->connectors[cx].cost ? cr : cx;
	if (ci == -1) {
		evlog_text("mail for %s waits: no connector may call it "
		    "(remote-initiated only)", name);
		return;
	}
	p->p_attempts++;
	p->p_active++;
	queue_status_changed();
	if (mtasim_call(ci, name) == -1) {
		/* mtasim_call logged why; nothing is open. */
		queue_attempt_done(name, 0);
	}
}

static void
queue_retry(int fd, short what, void *arg)
{
	struct peer	*p = arg;

	queue_kick(p->p_name);
	queue_status_changed();
}

/* An association we started for peer ended; ok 0: it failed. */
void
queue_attempt_done(const char *name, int ok)
{
	struct peer	*p;

	if ((p = queue_peer(name)) == NULL)
		return;
	if (p->p_active > 0)
		p->p_active--;
	if (!ok)
		p->p_failures++;
	queue_status_changed();
	if (ok || p->p_queued == 0 || ms->ms_stopping)
		return;
	if (p->p_retries_left <= 0) {
		evlog_text("mail for %s stays queued: %u in the queue, no "
		    "retry left", name, p->p_queued);
		return;
	}
	p->p_retries_left--;
	if (p->p_retry == NULL &&
	    (p->p_retry = net_timer(queue_retry, p)) == NULL)
		return;
	net_timer_arm(p->p_retry, ms->ms_conf->retry_interval);
}

/* A new phase: its mail is queued and each peer with new mail called. */
void
queue_set_phase(int phase)
{
	struct mta_conf	*mc = ms->ms_conf;
	struct peer	*p;
	size_t		 i;

	ms->ms_phase = phase;
	for (i = 0; i < mc->nmail; i++)
		if (mc->mail[i].phase == phase)
			queue_add(mc->mail[i].peer, phase, mc->mail[i].count,
			    mc->mail[i].size, mc->mail[i].subject);
	TAILQ_FOREACH(p, &peers, p_entry)
		p->p_retries_left = mc->retries;
	for (i = 0; i < mc->nmail; i++)
		if (mc->mail[i].phase == phase)
			queue_kick(mc->mail[i].peer);
	queue_status_changed();
}

json_t *
queue_status(void)
{
	struct peer	*p;
	json_t		*o, *ps, *po;
	int		 busy, timers = 0, active = 0;

	o = json_object();
	ps = json_object();
	TAILQ_FOREACH(p, &peers, p_entry) {
		if (p->p_retry != NULL && evtimer_pending(p->p_retry, NULL))
			timers++;
		active += p->p_active;
		po = json_object();
		json_object_set_new(po, "queued", json_integer(p->p_queued));
		json_object_set_new(po, "queued_total",
		    json_integer(p->p_queued_total));
		json_object_set_new(po, "transferred",
		    json_integer(p->p_transferred));
		json_object_set_new(po, "delivered",
		    json_integer(p->p_delivered));
		json_object_set_new(po, "attempts",
		    json_integer(p->p_attempts));
		json_object_set_new(po, "failures",
		    json_integer(p->p_failures));
		json_object_set_new(po, "associations",
		    json_integer(p->p_active));
		json_object_set_new(ps, p->p_name, po);
	}
	busy = ms->ms_conns > 0 || timers > 0 || active > 0;
	json_object_set_new(o, "mta", json_string(ms->ms_conf->name));
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "phase", json_integer(ms->ms_phase));
	json_object_set_new(o, "busy", json_boolean(busy));
	json_object_set_new(o, "connections", json_integer(ms->ms_conns));
	json_object_set_new(o, "retry_timers", json_integer(timers));
	json_object_set_new(o, "rpc_port", json_integer(ms->ms_rpc_port));
	json_object_set_new(o, "peers", ps);
	return (o);
}

static void
queue_status_cb(int fd, short what, void *arg)
{
	queue_status_write();
}

/* Coalesce: the file is written once at the end of this loop turn. */
void
queue_status_changed(void)
{
	if (ms->ms_conf->status_file == NULL || ms->ms_base == NULL)
		return;
	if (ms->ms_status_ev == NULL &&
	    (ms->ms_status_ev = event_new(ms->ms_base, -1, 0, queue_status_cb,
	    NULL)) == NULL)
		return;
	if (!event_pending(ms->ms_status_ev, EV_TIMEOUT, NULL))
		event_active(ms->ms_status_ev, EV_TIMEOUT, 0);
}

/* Write the status file atomically (a temporary file, then rename). */
void
queue_status_write(void)
{
	json_t	*o;
	char	 tmp[4096];
	FILE	*fp;

	if (ms->ms_conf->status_file == NULL)
		return;
	o = queue_status();
	snprintf(tmp, sizeof(tmp), "%s.tmp", ms->ms_conf->status_file);
	if ((fp = fopen(tmp, "w")) == NULL) {
		evlog_text("status file %s: %s", tmp, strerror(errno));
		json_decref(o);
		return;
	}
	json_dumpf(o, fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', fp);
	if (fclose(fp) != 0 || rename(tmp, ms->ms_conf->status_file) == -1)
		evlog_text("status file %s: %s", ms->ms_conf->status_file,
		    strerror(errno));
	json_decref(o);
}

void
queue_free_all(void)
{
	struct peer	*p, *tp;
	struct message	*m, *tm;

	TAILQ_FOREACH_SAFE(p, &peers, p_entry, tp) {
		TAILQ_FOREACH_SAFE(m, &p->p_queue, m_entry, tm)
			free(m);
		if (p->p_retry != NULL)
			event_free(p->p_retry);
		TAILQ_REMOVE(&peers, p, p_entry);
		free(p);
	}
}
