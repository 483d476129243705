/*
 * Fault injection: lab faults acting on the bytes between reading them from
 * one side and forwarding them to the other.
 *
 * Each connection gets, per direction, a chain of stages, one per fault
 * that applies to it (probability drawn once per connection). Bytes read
 * from a side enter the first stage; a stage passes them on at once, later
 * (timers), in pieces, or never; the last stage hands them to
 * relay_forward(). Stages are ordered so that the filters act first (PDU
 * faults, blackholes), then the delays (latency, slicer, bandwidth), and
 * reset_after last, so that it counts the bytes the far end really gets.
 *
 * Blackholes read and discard: the sender's writes keep succeeding and
 * memory stays flat, the receiver hears nothing, and the EOF is swallowed
 * too (a firewall that drops a flow drops its FIN). A stage that holds
 * bytes counts them; past the relay's buffer_size reading from that side
 * pauses until they drain below half. Run-time faults apply to connections
 * accepted after they were added; established connections keep the set
 * they started with (their stages hold copies of the parameters).
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "fwrelay.h"
#include "fault.h"
#include "rfc1006.h"
#include "dcerpc.h"
#include "wire.h"

/* How often a pending close looks whether the far end got everything. */
#define FAULT_DRAIN_POLL	0.005
#define FAULT_DRAIN_MAX		2.0

/* Stage states. */
#define FS_PASS		0
#define FS_DISCARD	1	/* swallow everything (blackhole, after DR) */
#define FS_RAW		2	/* PDU stage: framing lost, pass as is */

struct fault_chunk {
	struct timeval		 due;
	size_t			 len;
	TAILQ_ENTRY(fault_chunk) entry;
};
TAILQ_HEAD(fault_chunk_list, fault_chunk);

struct fault_side;

struct fault_stage {
	struct fault_side	*side;
	struct fault_stage	*next;
	struct fault_params	 p;
	char			 id[24];	/* "c1" or the run-time id */
	int			 state;
	int			 acted;		/* its first action reported */
	struct evbuffer		*buf;		/* held bytes, in order */
	struct fault_chunk_list	 chunks;	/* latency, pdu_delay */
	struct timeval		 last_due;
	struct event		*timer;
	double			 tokens;	/* bandwidth */
	struct timeval		 refill;
	struct timeval		 next_piece;	/* slicer: when the next is due */
	uint64_t		 passed;	/* reset_after */
	struct fault_framer	 fr;		/* PDU faults */
	int			 seen_tpdu;	/* a TPDU went by already */
	uint16_t		 ref;		/* CR SRC-REF, for ER DST-REF */
	/* FAULT_TRIGGERED: PDU framing and the fault that took one. */
	size_t			 passing;	/* bytes of a PDU let through */
	uint64_t		 off;		/* stream offset handed on */
	struct fault_trig	*verdict;
	uint64_t		 voff;		/* its PDU's offset */
	int			 delaying;
	struct evbuffer		*dpdu;		/* the delayed PDU */
	struct evbuffer		*later;		/* what came behind it */
};

struct fault_conn;
struct fault_entry;

enum trig_action {
	TA_DROP, TA_DELAY, TA_RESET, TA_CLOSE, TA_BLACKHOLE, TA_CORRUPT,
	TA_REPLY
};
static const char *const trig_actions[] = {
	"drop", "delay", "reset", "close", "blackhole", "corrupt", "reply",
	NULL
};

/* One triggered fault of a connection. */
struct fault_trig {
	struct fault_conf	*conf;		/* counters live there */
	struct fault_entry	*fe;		/* run-time: held, or NULL */
	char			 id[24];
	const char		*on;
	json_t			*match;
	int			 dir;
	uint64_t		 after, count;
	enum trig_action	 action;
	double			 ms;
	const char		*side;
	long long		 offset;	/* corrupt: -1 random */
	const char		*reply;
	long long		 code;		/* reason, cause, status */
	struct fault_trig	*next;
};

struct fault_side {
	struct fault_conn	*fc;
	struct conn_side	*cs;
	struct fault_stage	*first;
	int			 paused;	/* we paused reading */
};

struct fault_conn {
	struct conn		*c;
	struct fault_side	 side[2];	/* client (up), target (down) */
	struct timeval		 last;		/* last byte either way */
	struct timeval		 prev;		/* the one before this read */
	int			 idle_dead;	/* idle_blackhole fired */
	int			 busy;		/* a timer is releasing bytes */
	struct event		*close_ev;	/* deferred close */
	struct conn_side	*close_wait;	/* drained before closing */
	struct timeval		 close_by;
	int			 close_reset;
	const char		*close_reason;
	struct fault_trig	*trigs;
	struct fault_stage	*tst[2];	/* the triggered stages */
	struct fault_stage	*cur;		/* handing a PDU on */
};

struct fault_entry {
	int			 id;
	int			 refs;		/* list + connections */
	int			 removed;
	struct fault_conf	 conf;
	TAILQ_ENTRY(fault_entry) entry;
};
TAILQ_HEAD(fault_list, fault_entry);

static int	 fault_next_id = 1;

/* Each worker draws from its own generator (drand48's is shared). */
static _Thread_local unsigned short	 fault_rng[3];
static _Thread_local int		 fault_rng_seeded;

static double
fault_rand(void)
{
	unsigned long	 seed;

	if (!fault_rng_seeded) {
		seed = (unsigned long)getpid() ^ (unsigned long)time(NULL) ^
		    (unsigned long)(uintptr_t)&fault_rng;
		fault_rng[0] = 0x330e;
		fault_rng[1] = (unsigned short)seed;
		fault_rng[2] = (unsigned short)(seed >> 16);
		fault_rng_seeded = 1;
	}
	return (erand48(fault_rng));
}

static const char *const fault_names[FAULT_NTYPES] = {
	"latency", "bandwidth", "reset_after", "blackhole", "slicer",
	"idle_blackhole", "pdu_delay", "pdu_drop", "cr_refuse", "er_reply",
	"triggered"
};

/* Chain order: filters, then delays, then reset_after (see above). */
static const int fault_rank[FAULT_NTYPES] = {
	[FAULT_CR_REFUSE] = 0, [FAULT_ER_REPLY] = 1, [FAULT_PDU_DROP] = 2,
	[FAULT_PDU_DELAY] = 3, [FAULT_BLACKHOLE] = 4,
	[FAULT_IDLE_BLACKHOLE] = 5, [FAULT_LATENCY] = 6, [FAULT_SLICER] = 7,
	[FAULT_BANDWIDTH] = 8, [FAULT_RESET_AFTER] = 9,
	[FAULT_TRIGGERED] = 10	/* last: it hands whole PDUs on */
};

static int	 stage_in(struct fault_stage *, const uint8_t *, size_t);
static int	 stage_oom(struct fault_stage *);
static int	 stage_out(struct fault_stage *, const uint8_t *, size_t);
static void	 stage_timer(int, short, void *);
static int	 stage_arm(struct fault_stage *, const struct timeval *);
static void	 stage_free(struct fault_stage *);
static int	 stage_hold(struct fault_stage *, const uint8_t *, size_t,
		    const struct timeval *);
static int	 stage_release_due(struct fault_stage *);
static int	 stage_bandwidth(struct fault_stage *);
static int	 stage_slice(struct fault_stage *);
static int	 stage_reset_after(struct fault_stage *, const uint8_t *,
		    size_t);
static int	 stage_pdu(struct fault_stage *, const uint8_t *, size_t);
static int	 stage_pdu_one(struct fault_stage *, const uint8_t *, size_t);
static void	 stage_event(struct fault_stage *, const char *,
		    const char *, long long);
static size_t	 side_held(const struct fault_side *);
static void	 side_after(struct fault_side *);
static void	 fault_close_later(struct fault_conn *, struct conn_side *,
		    int, const char *);
static void	 fault_close_cb(int, short, void *);
static int	 fault_add_stage(struct fault_conn *, struct fault_conf *,
		    struct fault_entry *, const char *);
static void	 fault_now(struct timeval *);
static void	 fault_due(struct timeval *, const struct timeval *, double);

const char *
fault_type_name(enum fault_type t)
{
	if ((int)t < 0 || t >= FAULT_NTYPES)
		return ("unknown");
	return (fault_names[t]);
}

int
fault_needs_rfc1006(enum fault_type t)
{
	return (t == FAULT_PDU_DELAY || t == FAULT_PDU_DROP ||
	    t == FAULT_CR_REFUSE || t == FAULT_ER_REPLY);
}

/* A number member, or def when absent. */
static double
fault_num(json_t *obj, const char *key, double def)
{
	json_t	*v = json_object_get(obj, key);

	return (v != NULL && json_is_number(v) ? json_number_value(v) : def);
}

int
fault_params_parse(const struct fault_conf *fc, struct fault_params *p,
    const char **errstr)
{
	static const struct {
		const char	*name;
		uint8_t		 code;
	} tpdus[] = {
		{ "CR", COTP_CR }, { "CC", COTP_CC }, { "DR", COTP_DR },
		{ "DC", COTP_DC }, { "DT", COTP_DT }, { "ED", COTP_ED },
		{ "AK", COTP_AK }, { "EA", COTP_EA }, { "RJ", COTP_RJ },
		{ "ER", COTP_ER }, { NULL, 0 }
	};
	json_t	*v;
	int	 i, r;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < FAULT_NTYPES; i++)
		if (strcmp(fc->type, fault_names[i]) == 0)
			break;
	if (i == FAULT_NTYPES) {
		*errstr = "unknown fault type";
		return (-1);
	}
	p->type = (enum fault_type)i;
	p->direction = fc->direction;
	p->probability = fc->probability;
	p->ms = fault_num(fc->params, "latency_ms",
	    fault_num(fc->params, "delay_ms", 0));
	p->jitter_ms = fault_num(fc->params, "jitter_ms", 0);
	p->rate = fault_num(fc->params, "bytes_per_second", 0);
	p->idle = fault_num(fc->params, "idle_seconds", 0);
	p->bytes = (uint64_t)fault_num(fc->params, "bytes",
	    fault_num(fc->params, "size", 0));
	p->tpdu = COTP_DT;
	if ((v = json_object_get(fc->params, "tpdu")) != NULL) {
		for (i = 0; tpdus[i].name != NULL; i++)
			if (json_is_string(v) && strcasecmp(tpdus[i].name,
			    json_string_value(v)) == 0)
				break;
		if (tpdus[i].name == NULL) {
			*errstr = "bad tpdu";
			return (-1);
		}
		p->tpdu = tpdus[i].code;
	}
	if (p->type == FAULT_CR_REFUSE) {
		/* RFC 905: 3 "address unknown" is what class 0 stacks say. */
		p->code = 3;
		if ((v = json_object_get(fc->params, "reason")) != NULL) {
			if ((r = fault_reason_code(v)) == -1) {
				*errstr = "bad reason";
				return (-1);
			}
			p->code = (uint8_t)r;
		}
	}
	if (p->type == FAULT_ER_REPLY) {
		v = json_object_get(fc->params, "cause");
		p->code = v != NULL ? (uint8_t)fault_num(fc->params, "cause",
		    0) : 0;
	}
	if ((p->type == FAULT_BANDWIDTH && !(p->rate > 0)) ||
	    (p->type == FAULT_SLICER && p->bytes == 0) ||
	    (p->type == FAULT_IDLE_BLACKHOLE && !(p->idle > 0))) {
		*errstr = "bad parameter";
		return (-1);
	}
	return (0);
}

size_t
fault_framer_feed(struct fault_framer *fr, const uint8_t *in, size_t len,
    int *done)
{
	const char	*errstr;
	size_t		 used = 0, n;
	uint16_t	 n16;

	*done = 0;
	if (fr->lost)
		return (0);
	while (used < len) {
		if (fr->have < TPKT_HDRLEN) {
			fr->buf[fr->have++] = in[used++];
			if (fr->have < TPKT_HDRLEN)
				continue;
			if (tpkt_parse(fr->buf, TPKT_HDRLEN, &n16, NULL,
			    &errstr) == -1) {
				fr->lost = 1;
				return (used);
			}
			fr->need = n16;
			continue;
		}
		n = fr->need - fr->have;
		if (n > len - used)
			n = len - used;
		memcpy(fr->buf + fr->have, in + used, n);
		fr->have += n;
		used += n;
		if (fr->have == fr->need) {
			*done = 1;
			return (used);
		}
	}
	return (used);
}

double
fault_bucket_burst(double rate)
{
	return (rate / 20 >= 1 ? rate / 20 : 1);
}

double
fault_bucket_refill(double tokens, double rate, double dt, double burst)
{
	if (dt > 0)
		tokens += rate * dt;
	return (tokens > burst ? burst : tokens);
}

static void
fault_now(struct timeval *tv)
{
	gettimeofday(tv, NULL);
}

/* due = from + ms milliseconds. */
static void
fault_due(struct timeval *due, const struct timeval *from, double ms)
{
	struct timeval	 d;

	if (ms < 0)
		ms = 0;
	d.tv_sec = (time_t)(ms / 1000);
	d.tv_usec = (suseconds_t)((ms - (double)d.tv_sec * 1000) * 1000);
	timeradd(from, &d, due);
}

/* One fault event about what a stage did. */
static void
stage_event(struct fault_stage *st, const char *action, const char *key,
    long long val)
{
	struct conn	*c = st->side->fc->c;
	json_t		*ev;

	if ((ev = conn_event(c, "fault")) == NULL)
		return;
	eventlog_str(ev, "type", fault_type_name(st->p.type));
	eventlog_str(ev, "id", st->id);
	eventlog_str(ev, "direction", st->side->cs->cs_dir == FAULT_UP ?
	    "upstream" : "downstream");
	eventlog_str(ev, "action", action);
	if (key != NULL)
		eventlog_int(ev, key, val);
	eventlog_emit(ev);
}

/* Bytes the fault holds in this direction. */
static size_t
side_held(const struct fault_side *fs)
{
	const struct fault_stage	*st;
	size_t				 n = 0;

	for (st = fs->first; st != NULL; st = st->next)
		if (st->buf != NULL)
			n += evbuffer_get_length(st->buf);
	return (n);
}

int
fault_pending(struct conn_side *cs)
{
	struct fault_side	*fs = cs->cs_fault;
	struct fault_stage	*st;

	if (fs == NULL)
		return (0);
	/*
	 * While a timer releases bytes, the EOF waits for side_after(), so
	 * that the connection never closes under the release.
	 */
	if (fs->fc->close_ev != NULL || fs->fc->busy)
		return (1);
	for (st = fs->first; st != NULL; st = st->next) {
		if (st->state == FS_DISCARD || st->delaying)
			return (1);
		if (st->buf != NULL && evbuffer_get_length(st->buf) > 0)
			return (1);
	}
	return (0);
}

/*
 * After the fault took or released bytes: bound what it holds (pause the
 * side past buffer_size, resume below half), and pass on an EOF that
 * waited for the held bytes. May close the connection: call it last.
 */
static void
side_after(struct fault_side *fs)
{
	struct conn_side	*cs = fs->cs, *peer = cs->cs_peer;
	struct conn		*c = fs->fc->c;
	size_t			 held = side_held(fs);
	size_t			 bufsz = c->c_conf->buffer_size;

	if (held >= bufsz || evbuffer_get_length(peer->cs_out) >= bufsz) {
		if (!cs->cs_paused) {
			relay_pause(cs);
			fs->paused = 1;
		}
	} else if (fs->paused && held < bufsz / 2) {
		fs->paused = 0;
		if (cs->cs_paused)
			relay_resume(cs);
	}
	if (cs->cs_eof && !peer->cs_wshut && !fault_pending(cs) &&
	    evbuffer_get_length(peer->cs_out) == 0 && peer->cs_wev != NULL)
		relay_write(peer->cs_fd, EV_WRITE, peer);
}

/*
 * Out of memory on the data path: this connection goes, not the daemon.
 * Every -1 of a stage function means the connection is closed (its fault
 * state goes with it, in the deferred free): callers return at once.
 */
static int
stage_oom(struct fault_stage *st)
{
	struct conn	*c = st->side->fc->c;

	conn_set_reason(c, "fault: out of memory");
	conn_abort(c, "error");
	return (-1);
}

/* Pass bytes to the next stage, or on to the peer after the last one. */
static int
stage_out(struct fault_stage *st, const uint8_t *buf, size_t len)
{
	if (len == 0)
		return (0);
	if (st->next != NULL)
		return (stage_in(st->next, buf, len));
	return (relay_forward(st->side->cs, buf, len));
}

static int
stage_arm(struct fault_stage *st, const struct timeval *when)
{
	struct timeval	 now, left;

	/* Closed up the stack: nothing may fire for it any more. */
	if (st->side->fc->c->c_flags & CONN_DEAD)
		return (-1);
	if (st->timer == NULL && (st->timer = evtimer_new(env->sc_base,
	    stage_timer, st)) == NULL)
		return (stage_oom(st));
	fault_now(&now);
	if (timercmp(when, &now, >))
		timersub(when, &now, &left);
	else
		timerclear(&left);
	if (evtimer_add(st->timer, &left) == -1)
		return (stage_oom(st));
	return (0);
}

/* Keep len bytes until due (in order behind what is held already). */
static int
stage_hold(struct fault_stage *st, const uint8_t *buf, size_t len,
    const struct timeval *due)
{
	struct fault_chunk	*ch;
	int			 first = TAILQ_EMPTY(&st->chunks);

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return (stage_oom(st));
	ch->len = len;
	ch->due = *due;
	if (timercmp(&ch->due, &st->last_due, <))
		ch->due = st->last_due;
	st->last_due = ch->due;
	if (evbuffer_add(st->buf, buf, len) == -1) {
		free(ch);
		return (stage_oom(st));
	}
	TAILQ_INSERT_TAIL(&st->chunks, ch, entry);
	if (first)
		return (stage_arm(st, &ch->due));
	return (0);
}

/* Forward every chunk that is due; re-arm for the next. */
static int
stage_release_due(struct fault_stage *st)
{
	struct fault_chunk	*ch;
	struct timeval		 now;
	uint8_t			*p;
	size_t			 len;

	fault_now(&now);
	while ((ch = TAILQ_FIRST(&st->chunks)) != NULL) {
		if (timercmp(&ch->due, &now, >))
			return (stage_arm(st, &ch->due));
		len = ch->len;
		TAILQ_REMOVE(&st->chunks, ch, entry);
		free(ch);
		if ((p = malloc(len)) == NULL)
			return (stage_oom(st));
		evbuffer_remove(st->buf, p, len);
		if (stage_out(st, p, len) == -1) {
			free(p);
			return (-1);
		}
		free(p);
	}
	return (0);
}

/* Release what the token bucket allows; wait for the rest. */
static int
stage_bandwidth(struct fault_stage *st)
{
	struct timeval	 now, d, when;
	double		 burst = fault_bucket_burst(st->p.rate), want, wait;
	size_t		 held, n;
	uint8_t		*p;

	fault_now(&now);
	timersub(&now, &st->refill, &d);
	st->tokens = fault_bucket_refill(st->tokens, st->p.rate,
	    tv_to_double(&d), burst);
	st->refill = now;
	held = evbuffer_get_length(st->buf);
	n = st->tokens >= 1 ? (size_t)st->tokens : 0;
	if (n > held)
		n = held;
	if (n > 0) {
		st->tokens -= (double)n;
		if ((p = malloc(n)) == NULL)
			return (stage_oom(st));
		evbuffer_remove(st->buf, p, n);
		if (stage_out(st, p, n) == -1) {
			free(p);
			return (-1);
		}
		free(p);
		held -= n;
	}
	if (held == 0)
		return (0);
	want = (double)held < burst ? (double)held : burst;
	wait = (want - st->tokens) / st->p.rate;
	if (wait < 0.001)
		wait = 0.001;
	fault_due(&when, &now, wait * 1000);
	return (stage_arm(st, &when));
}

/*
 * Pass pieces of at most size bytes, delay_ms apart. Piece k is due at the
 * first one's time + k * delay_ms, not delay_ms after the previous one
 * went: a timer fires late by the loop's latency, and that must not add
 * up over thousands of pieces. Pieces already due (the timer fired late)
 * go together. Once everything went and the schedule is behind, the next
 * bytes start a new one.
 */
static int
stage_slice(struct fault_stage *st)
{
	struct timeval	 now;
	size_t		 n;
	uint8_t		*p;

	if (st->timer != NULL && evtimer_pending(st->timer, NULL))
		return (0);
	fault_now(&now);
	if (!timerisset(&st->next_piece))
		st->next_piece = now;
	while ((n = evbuffer_get_length(st->buf)) > 0) {
		if (st->p.ms > 0 && timercmp(&st->next_piece, &now, >))
			return (stage_arm(st, &st->next_piece));
		if (n > st->p.bytes)
			n = (size_t)st->p.bytes;
		if ((p = malloc(n)) == NULL)
			return (stage_oom(st));
		evbuffer_remove(st->buf, p, n);
		if (stage_out(st, p, n) == -1) {
			free(p);
			return (-1);
		}
		free(p);
		fault_due(&st->next_piece, &st->next_piece, st->p.ms);
	}
	if (timercmp(&st->next_piece, &now, <))
		timerclear(&st->next_piece);
	return (0);
}

/* Count bytes through; at the limit, reset both ends. */
static int
stage_reset_after(struct fault_stage *st, const uint8_t *buf, size_t len)
{
	struct fault_conn	*fc = st->side->fc;
	uint64_t		 left = st->p.bytes - st->passed;

	if (len < left) {
		st->passed += len;
		return (stage_out(st, buf, len));
	}
	st->passed = st->p.bytes;
	st->state = FS_DISCARD;
	if (left > 0 && stage_out(st, buf, (size_t)left) == -1)
		return (-1);
	stage_event(st, "reset", "bytes", (long long)st->p.bytes);
	fault_close_later(fc, st->side->cs->cs_peer, 1, "fault_reset");
	return (0);
}

/*
 * Close once what was sent towards cs left this host (its queue and the
 * socket's send queue are empty), at most FAULT_DRAIN_MAX later, so that
 * the far end has every byte before the RST or FIN.
 */
static void
fault_close_later(struct fault_conn *fc, struct conn_side *cs, int rst,
    const char *reason)
{
	struct timeval	 now, tv = double_to_tv(FAULT_DRAIN_POLL);

	if (fc->close_ev != NULL)
		return;
	fault_now(&now);
	fault_due(&fc->close_by, &now, FAULT_DRAIN_MAX * 1000);
	fc->close_wait = cs;
	fc->close_reset = rst;
	fc->close_reason = reason;
	if ((fc->close_ev = evtimer_new(env->sc_base, fault_close_cb,
	    fc)) == NULL) {
		fc->c->c_flags |= CONN_RESET;
		return;
	}
	evtimer_add(fc->close_ev, &tv);
}

static void
fault_close_cb(int fd, short what, void *arg)
{
	struct fault_conn	*fc = arg;
	struct conn_side	*cs = fc->close_wait;
	struct conn		*c = fc->c;
	struct timeval		 now, tv = double_to_tv(FAULT_DRAIN_POLL);
	int			 outq = 0;

	fault_now(&now);
	if (cs->cs_fd != -1 && ioctl(cs->cs_fd, SIOCOUTQ, &outq) == -1)
		outq = 0;
	if ((evbuffer_get_length(cs->cs_out) > 0 || outq > 0) &&
	    timercmp(&now, &fc->close_by, <)) {
		evtimer_add(fc->close_ev, &tv);
		return;
	}
	if (fc->close_reset)
		c->c_flags |= CONN_RESET;
	conn_close(c, "relay", fc->close_reason);
}

/* One whole TPKT through a PDU fault. */
static int
stage_pdu_one(struct fault_stage *st, const uint8_t *pdu, size_t len)
{
	struct conn_side	*cs = st->side->cs;
	struct cotp_tpdu	 t;
	struct timeval		 now, due;
	const char		*err;
	uint8_t			 out[64];
	size_t			 hlen;
	ssize_t			 n;
	int			 first = !st->seen_tpdu;

	st->seen_tpdu = 1;
	if (rfc1006_parse(pdu, len, &t, &err) == -1)
		return (stage_out(st, pdu, len));
	if (t.type == COTP_CR)
		st->ref = t.src_ref;

	switch (st->p.type) {
	case FAULT_CR_REFUSE:
		if (!first || t.type != COTP_CR)
			return (stage_out(st, pdu, len));
		/* Answer for the target: DST-REF is the caller's SRC-REF. */
		n = cotp_build_dr(out, sizeof(out), t.src_ref, 0, st->p.code);
		if (n < 0)
			return (stage_oom(st));
		if (relay_send(cs, out, (size_t)n) == -1)
			return (-1);
		st->state = FS_DISCARD;
		stage_event(st, "refused CR with DR", "reason", st->p.code);
		fault_close_later(st->side->fc, cs, 0, "cr_refused");
		return (0);
	case FAULT_ER_REPLY:
		/* C1 carries the rejected header (PROTOCOLS.md 1.4, 1.5). */
		hlen = (size_t)pdu[TPKT_HDRLEN] + 1;
		if (hlen > len - TPKT_HDRLEN)
			hlen = len - TPKT_HDRLEN;
		if (hlen > sizeof(out) - 16)
			hlen = sizeof(out) - 16;
		n = cotp_build_er(out, sizeof(out), t.type == COTP_CR ?
		    t.src_ref : st->ref, st->p.code, pdu + TPKT_HDRLEN, hlen);
		if (n < 0)
			return (stage_oom(st));
		if (relay_send(cs, out, (size_t)n) == -1)
			return (-1);
		stage_event(st, t.type == COTP_CR ? "answered CR with ER" :
		    "answered TPDU with ER", "cause", st->p.code);
		return (0);
	case FAULT_PDU_DROP:
		if (t.type != st->p.tpdu)
			return (stage_out(st, pdu, len));
		stage_event(st, "dropped TPDU", "bytes", (long long)len);
		return (0);
	case FAULT_PDU_DELAY:
		fault_now(&now);
		if (t.type != st->p.tpdu) {
			if (TAILQ_EMPTY(&st->chunks))
				return (stage_out(st, pdu, len));
			/* Behind a delayed one: TCP order is the order. */
			return (stage_hold(st, pdu, len, &now));
		}
		if (!st->acted) {
			st->acted = 1;
			stage_event(st, "delaying TPDUs", "delay_ms",
			    (long long)st->p.ms);
		}
		fault_due(&due, &now, st->p.ms);
		return (stage_hold(st, pdu, len, &due));
	default:
		break;
	}
	return (stage_out(st, pdu, len));
}

/* Bytes that are not TPKT: on as they are, behind anything delayed. */
static int
stage_raw(struct fault_stage *st, const uint8_t *buf, size_t len)
{
	if (!TAILQ_EMPTY(&st->chunks))
		return (stage_hold(st, buf, len, &st->last_due));
	return (stage_out(st, buf, len));
}

/* Frame TPKTs; each whole one goes through stage_pdu_one(). */
static int
stage_pdu(struct fault_stage *st, const uint8_t *buf, size_t len)
{
	size_t	 used;
	int	 done;

	if (st->fr.buf == NULL &&
	    (st->fr.buf = malloc(TPKT_MAXLEN)) == NULL)
		return (stage_oom(st));
	while (len > 0 && st->state != FS_DISCARD) {
		if (st->fr.lost)
			return (stage_raw(st, buf, len));
		used = fault_framer_feed(&st->fr, buf, len, &done);
		buf += used;
		len -= used;
		if (st->fr.lost) {
			/* Not TPKT: the stream cannot resynchronise. */
			st->state = FS_RAW;
			if (stage_raw(st, st->fr.buf, st->fr.have) == -1)
				return (-1);
			st->fr.have = 0;
			continue;
		}
		if (done) {
			st->fr.have = 0;
			if (stage_pdu_one(st, st->fr.buf, st->fr.need) == -1)
				return (-1);
		}
	}
	return (0);
}

/* Triggered faults. */

static void
entry_unref(struct fault_entry *fe)
{
	if (fe != NULL && --fe->refs == 0) {
		fault_conf_clear(&fe->conf);
		free(fe);
	}
}

/*
 * A triggered fault's counts are its relay's on all workers (struct
 * fault_count, shared by the copies): the test and the counting are one
 * step under trig_mtx.
 */
static pthread_mutex_t	 trig_mtx = PTHREAD_MUTEX_INITIALIZER;

static uint64_t
trig_nfired(const struct fault_trig *tr)
{
	return (__atomic_load_n(&tr->conf->count->fired, __ATOMIC_RELAXED));
}

/* A matching event: does the fault act on it (after, count, probability)? */
static int
trig_fire(struct fault_trig *tr)
{
	struct fault_count	*n = tr->conf->count;
	int			 fire = 0;

	if (fw_nworkers > 1)
		pthread_mutex_lock(&trig_mtx);
	if ((tr->count == 0 || n->fired < tr->count) &&
	    ++n->seen >= tr->after && (tr->conf->probability >= 1 ||
	    fault_rand() < tr->conf->probability)) {
		__atomic_store_n(&n->fired, n->fired + 1, __ATOMIC_RELAXED);
		fire = 1;
	}
	if (fw_nworkers > 1)
		pthread_mutex_unlock(&trig_mtx);
	return (fire);
}

/* Could a PDU whose type byte is t carry an event an armed fault waits for? */
static int
trig_candidate(struct fault_conn *fc, int cotp, uint8_t t)
{
	struct fault_trig	*tr;
	const char		*on;

	for (tr = fc->trigs; tr != NULL; tr = tr->next) {
		if (tr->count != 0 && trig_nfired(tr) >= tr->count)
			continue;
		on = tr->on;
		if (cotp) {
			if ((strcmp(on, "cotp_cr") == 0 && t == COTP_CR) ||
			    (strcmp(on, "cotp_cc") == 0 && t == COTP_CC) ||
			    (strcmp(on, "cotp_dr") == 0 && t == COTP_DR))
				return (1);
			continue;
		}
		if ((strcmp(on, "rpc_bind") == 0 && (t == 11 || t == 14)) ||
		    (strcmp(on, "rpc_bind_ack") == 0 &&
		    (t == 12 || t == 15)) ||
		    (strcmp(on, "rpc_call") == 0 && t == 0) ||
		    (strcmp(on, "rpc_response") == 0 && t == 2) ||
		    ((strcmp(on, "epm_map") == 0 ||
		    strcmp(on, "rpc_string_binding") == 0 ||
		    strcmp(on, "pinhole_open") == 0) && (t == 0 || t == 2 ||
		    t == 12 || t == 15)))
			return (1);
	}
	return (0);
}

/* Is any triggered fault still able to fire? */
static int
trig_armed(struct fault_conn *fc)
{
	struct fault_trig	*tr;

	for (tr = fc->trigs; tr != NULL; tr = tr->next)
		if (tr->count == 0 || trig_nfired(tr) < tr->count)
			return (1);
	return (0);
}

/* Hand n bytes on to the inspector and the peer. */
static int
trig_out(struct fault_stage *st, const uint8_t *buf, size_t n)
{
	st->off += n;
	return (relay_forward(st->side->cs, buf, n));
}

/* Hand on what the framer holds, unchanged. */
static int
trig_flush(struct fault_stage *st)
{
	size_t	 n = evbuffer_get_length(st->buf);
	uint8_t	*p;

	if (n == 0)
		return (0);
	if ((p = malloc(n)) == NULL)
		return (stage_oom(st));
	evbuffer_remove(st->buf, p, n);
	if (trig_out(st, p, n) == -1) {
		free(p);
		return (-1);
	}
	free(p);
	return (0);
}

/* A PDU's length from its header (0: not framed) and its type in *t. */
static size_t
trig_pdu_len(int cotp, const uint8_t *p, uint8_t *t)
{
	const char	*errstr;
	uint16_t	 n;

	if (cotp) {
		*t = p[5] & 0xf0;
		return (tpkt_parse(p, TPKT_HDRLEN, &n, NULL, &errstr) == -1 ?
		    0 : n);
	}
	/* frag_length in drep order (C706 12.6.3.1); framing only. */
	n = wire_get16(p + 8, (p[4] & 0x10) != 0);
	*t = p[2];
	return (p[0] != 5 || n < 16 ? 0 : n);
}

/*
 * How many bytes from buf on can pass at once: the rest of the PDU being
 * let through, then every whole PDU that cannot carry an awaited event,
 * read in place. Stops at a candidate, at a header the read cut, where
 * framing is lost or where no fault can fire any more (stage_trig sees to
 * those), so a dormant fault costs one header check per PDU, no copy.
 */
static size_t
trig_run(struct fault_stage *st, int cotp, const uint8_t *buf, size_t len)
{
	struct fault_conn	*fc = st->side->fc;
	size_t			 hdr = cotp ? 6 : 16, run = 0, need, n;
	uint8_t			 t;

	while (run < len) {
		if (st->passing > 0) {
			n = len - run < st->passing ? len - run : st->passing;
			st->passing -= n;
			run += n;
			continue;
		}
		if (len - run < hdr || !trig_armed(fc))
			break;
		need = trig_pdu_len(cotp, buf + run, &t);
		if (need == 0 || trig_candidate(fc, cotp, t))
			break;
		st->passing = need;
	}
	return (run);
}

/*
 * Frame PDUs (TPKT or DCE/RPC). A PDU that may carry an awaited event is
 * gathered and handed on whole, so that its action can take it; the others
 * pass as they come. Once no fault can fire any more, everything passes.
 */
static int
stage_trig(struct fault_stage *st, const uint8_t *buf, size_t len)
{
	struct fault_conn	*fc = st->side->fc;
	int			 cotp = fc->c->c_conf->protocol ==
				    PROTO_RFC1006;
	size_t			 hdr = cotp ? 6 : 16, have, need, n;
	uint8_t			*p, t;

	while (len > 0 && st->state != FS_DISCARD) {
		if (st->delaying)
			return (evbuffer_add(st->later, buf, len) == -1 ?
			    stage_oom(st) : 0);
		if (st->state == FS_RAW)
			return (trig_out(st, buf, len));
		have = evbuffer_get_length(st->buf);
		if (have == 0 && (n = trig_run(st, cotp, buf, len)) > 0) {
			/* One hand-on for every PDU that cannot fire. */
			if (trig_out(st, buf, n) == -1)
				return (-1);
			buf += n;
			len -= n;
			continue;
		}
		if (have == 0 && !trig_armed(fc)) {
			st->state = FS_RAW;	/* dormant for good */
			continue;
		}
		if (have < hdr) {
			n = hdr - have < len ? hdr - have : len;
			if (evbuffer_add(st->buf, buf, n) == -1)
				return (stage_oom(st));
			buf += n;
			len -= n;
			continue;
		}
		p = evbuffer_pullup(st->buf, (ssize_t)hdr);
		need = trig_pdu_len(cotp, p, &t);
		if (need == 0) {
			/* Not framed: the stream cannot resynchronise. */
			st->state = FS_RAW;
			if (trig_flush(st) == -1)
				return (-1);
			continue;
		}
		if (!trig_candidate(fc, cotp, t)) {
			st->passing = need - have;
			if (trig_flush(st) == -1)
				return (-1);
			continue;
		}
		if (have < need) {
			n = need - have < len ? need - have : len;
			if (evbuffer_add(st->buf, buf, n) == -1)
				return (stage_oom(st));
			buf += n;
			len -= n;
			if (have + n < need)
				continue;
		}
		fc->cur = st;
		st->voff = st->off;
		if (trig_flush(st) == -1)
			return (-1);
		fc->cur = NULL;
		st->verdict = NULL;
	}
	return (0);
}

/* Does the event carry every field of match with the same value? */
static int
trig_match(json_t *match, json_t *ev)
{
	const char	*key;
	json_t		*want, *got;
	char		 num[32];

	if (match == NULL)
		return (1);
	json_object_foreach(match, key, want) {
		if ((got = json_object_get(ev, key)) == NULL)
			return (0);
		/* A TSAP matches as hex or as its text (called_tsap_text). */
		snprintf(num, sizeof(num), "%s_text", key);
		if (json_is_string(want) && json_is_string(json_object_get(ev,
		    num)) && strcmp(json_string_value(want),
		    json_string_value(json_object_get(ev, num))) == 0)
			continue;
		if (json_is_number(want) && json_is_number(got)) {
			if (json_number_value(want) != json_number_value(got))
				return (0);
		} else if (json_is_string(want) && json_is_string(got)) {
			if (strcmp(json_string_value(want),
			    json_string_value(got)) != 0)
				return (0);
		} else if (json_is_string(want) && json_is_integer(got)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(got));
			if (strcmp(json_string_value(want), num) != 0)
				return (0);
		} else if (!json_equal(want, got))
			return (0);
	}
	return (1);
}

void
fault_event(struct conn *c, json_t *ev)
{
	struct fault_conn	*fc = c->c_faults;
	struct fault_stage	*st = fc->cur;
	struct fault_trig	*tr;
	const char		*name;

	if (st == NULL || st->verdict != NULL)
		return;
	name = json_string_value(json_object_get(ev, "event"));
	if (name == NULL)
		return;
	for (tr = fc->trigs; tr != NULL; tr = tr->next) {
		if (strcmp(tr->on, name) != 0 ||
		    !(tr->dir & st->side->cs->cs_dir) ||
		    !trig_match(tr->match, ev))
			continue;
		if (!trig_fire(tr))
			continue;
		st->verdict = tr;
		st->side->cs->cs_trig = 1;
		return;
	}
}

/* Stop relaying both ways from now on (blackhole, after a DR). */
static void
trig_discard(struct fault_conn *fc)
{
	int	 i;

	for (i = 0; i < 2; i++)
		if (fc->tst[i] != NULL) {
			fc->tst[i]->state = FS_DISCARD;
			if (fc->tst[i]->buf != NULL)
				evbuffer_drain(fc->tst[i]->buf,
				    evbuffer_get_length(fc->tst[i]->buf));
		}
}

/* The answer a reply fault sends back to the PDU's sender; its length. */
static ssize_t
trig_reply(struct fault_trig *tr, const uint8_t *pdu, size_t len,
    uint8_t *out, size_t size)
{
	struct cotp_tpdu	 t;
	struct dcerpc_bind_nak	 nak;
	const char		*err;
	uint32_t		 call_id = 0;
	uint16_t		 ctx = 0;
	size_t			 hlen;
	int			 le;

	if (strcmp(tr->reply, "dr") == 0 || strcmp(tr->reply, "er") == 0) {
		memset(&t, 0, sizeof(t));
		if (rfc1006_parse(pdu, len, &t, &err) == -1)
			t.src_ref = 0;
		if (strcmp(tr->reply, "dr") == 0)
			return (cotp_build_dr(out, size, t.src_ref, 0,
			    (uint8_t)tr->code));
		hlen = (size_t)pdu[TPKT_HDRLEN] + 1;
		if (hlen > len - TPKT_HDRLEN)
			hlen = len - TPKT_HDRLEN;
		if (hlen > size - 16)
			hlen = size - 16;
		return (cotp_build_er(out, size, t.src_ref, (uint8_t)tr->code,
		    pdu + TPKT_HDRLEN, hlen));
	}
	le = (pdu[4] & 0x10) != 0;
	if (len >= 16)
		call_id = le ? wire_get32le(pdu + 12) : wire_get32be(pdu + 12);
	if (len >= 24 && pdu[2] == 0)
		ctx = le ? wire_get16le(pdu + 20) : wire_get16be(pdu + 20);
	if (strcmp(tr->reply, "rpc_fault") == 0)
		return (dcerpc_build_fault(out, size, call_id, ctx,
		    (uint32_t)tr->code));
	memset(&nak, 0, sizeof(nak));
	nak.reason = (uint16_t)tr->code;
	return (dcerpc_build_bind_nak(out, size, call_id, &nak));
}

/* The delayed PDU is due: on it goes, then what waited behind it. */
static void
trig_delay_cb(int fd, short what, void *arg)
{
	struct fault_stage	*st = arg;
	struct fault_side	*fs = st->side;
	struct conn_side	*cs = fs->cs;
	size_t			 n;
	uint8_t			*p;

	st->delaying = 0;
	fs->fc->busy++;
	n = evbuffer_get_length(st->dpdu);
	if (n > 0 && evbuffer_remove_buffer(st->dpdu, cs->cs_peer->cs_out,
	    n) >= 0 && cs->cs_peer->cs_wev != NULL)
		relay_write(cs->cs_peer->cs_fd, EV_WRITE, cs->cs_peer);
	if (fs->cs->cs_conn->c_flags & CONN_DEAD)
		return;
	if ((n = evbuffer_get_length(st->later)) > 0) {
		if ((p = malloc(n)) == NULL) {
			stage_oom(st);
			return;
		}
		evbuffer_remove(st->later, p, n);
		if (stage_trig(st, p, n) == -1) {
			free(p);
			return;
		}
		free(p);
	}
	fs->fc->busy--;
	side_after(fs);
}

int
fault_trig_act(struct conn_side *cs, const uint8_t *buf, size_t n)
{
	struct conn		*c = cs->cs_conn;
	struct fault_conn	*fc = c->c_faults;
	struct fault_stage	*st = fc->cur;
	struct fault_trig	*tr = st->verdict;
	struct conn_side	*rst;
	struct linger		 lg = { 1, 0 };
	struct timeval		 tv;
	json_t			*ev;
	uint8_t			*p, out[128];
	ssize_t			 r;
	long long		 pos = -1;

	cs->cs_trig = 0;
	cs->cs_fwd += n;
	if (tr->action == TA_CORRUPT && n > 0)
		pos = tr->offset >= 0 ? (tr->offset < (long long)n ?
		    tr->offset : (long long)n - 1) : (long long)(fault_rand() *
		    (double)n);
	if ((ev = conn_event(c, "fault")) != NULL) {
		snprintf((char *)out, sizeof(out), "trigger_%s",
		    trig_actions[tr->action]);
		eventlog_str(ev, "type", (char *)out);
		eventlog_str(ev, "id", tr->id);
		eventlog_str(ev, "on", tr->on);
		eventlog_int(ev, "trigger_conn", (long long)c->c_id);
		eventlog_int(ev, "offset", (long long)st->voff);
		eventlog_int(ev, "bytes", (long long)n);
		eventlog_str(ev, "direction", cs->cs_dir == FAULT_UP ?
		    "upstream" : "downstream");
		eventlog_str(ev, "action", trig_actions[tr->action]);
		if (tr->action == TA_DELAY)
			eventlog_int(ev, "delay_ms", (long long)tr->ms);
		if (tr->action == TA_CORRUPT)
			eventlog_int(ev, "byte", pos);
		if (tr->action == TA_RESET)
			eventlog_str(ev, "side", tr->side);
		if (tr->action == TA_REPLY) {
			eventlog_str(ev, "reply", tr->reply);
			eventlog_int(ev, "code", tr->code);
		}
		eventlog_emit(ev);
	}
	switch (tr->action) {
	case TA_DROP:
		return (0);
	case TA_CORRUPT:
		if ((p = malloc(n)) == NULL)
			return (stage_oom(st));
		memcpy(p, buf, n);
		p[pos] ^= 0xff;
		r = relay_send(cs->cs_peer, p, n);
		free(p);
		return (r == -1 ? -1 : 0);
	case TA_DELAY:
		if ((st->dpdu == NULL && (st->dpdu = evbuffer_new()) == NULL) ||
		    (st->later == NULL && (st->later = evbuffer_new()) ==
		    NULL) || evbuffer_add(st->dpdu, buf, n) == -1)
			return (stage_oom(st));
		if (st->timer != NULL)
			event_free(st->timer);
		if ((st->timer = evtimer_new(env->sc_base, trig_delay_cb,
		    st)) == NULL)
			return (stage_oom(st));
		st->delaying = 1;
		tv = double_to_tv(tr->ms / 1000);
		evtimer_add(st->timer, &tv);
		return (0);
	case TA_RESET:
		trig_discard(fc);
		if (strcmp(tr->side, "both") == 0) {
			fault_close_later(fc, cs->cs_peer, 1, "fault_reset");
			return (0);
		}
		rst = strcmp(tr->side, "client") == 0 ? &c->c_client :
		    &c->c_target;
		if (rst->cs_fd != -1)
			setsockopt(rst->cs_fd, SOL_SOCKET, SO_LINGER, &lg,
			    sizeof(lg));
		fault_close_later(fc, cs->cs_peer, 0, "fault_reset");
		return (0);
	case TA_CLOSE:
		trig_discard(fc);
		fault_close_later(fc, cs->cs_peer, 0, "fault_close");
		return (0);
	case TA_BLACKHOLE:
		trig_discard(fc);
		return (0);
	case TA_REPLY:
		if ((r = trig_reply(tr, buf, n, out, sizeof(out))) < 0)
			return (stage_oom(st));
		if (relay_send(cs, out, (size_t)r) == -1)
			return (-1);
		if (strcmp(tr->reply, "dr") == 0) {
			trig_discard(fc);
			fault_close_later(fc, cs, 0, "fault_reply");
		}
		return (0);
	}
	return (0);
}

/* A triggered fault for this connection (both sides get the framer). */
static int
trig_add(struct fault_conn *fc, struct fault_conf *conf,
    struct fault_entry *fe, const char *id)
{
	json_t			*o = conf->params;
	struct fault_trig	*tr;
	struct fault_stage	*st;
	const char		*a;
	int			 i;

	if (conf->count == NULL) {
		/* Made without memory for it: counted by this copy alone. */
		if ((conf->count = calloc(1, sizeof(*conf->count))) == NULL)
			return (-1);
		atomic_init(&conf->count->refs, 1);
	}
	if ((tr = calloc(1, sizeof(*tr))) == NULL)
		return (-1);
	tr->conf = conf;
	tr->fe = fe;
	if (fe != NULL)
		fe->refs++;
	snprintf(tr->id, sizeof(tr->id), "%s", id);
	tr->on = json_string_value(json_object_get(o, "on"));
	tr->match = json_object_get(o, "match");
	tr->dir = conf->direction;
	tr->after = (uint64_t)fault_num(o, "after", 1);
	tr->count = (uint64_t)fault_num(o, "count", 1);
	a = json_string_value(json_object_get(o, "action"));
	for (i = 0; trig_actions[i] != NULL; i++)
		if (strcmp(trig_actions[i], a) == 0)
			tr->action = (enum trig_action)i;
	tr->ms = fault_num(o, "delay_ms", 0);
	tr->side = json_string_value(json_object_get(o, "side"));
	if (tr->side == NULL)
		tr->side = "both";
	tr->offset = (long long)fault_num(o, "offset", -1);
	tr->reply = json_string_value(json_object_get(o, "reply"));
	if (tr->reply == NULL)
		tr->reply = "";
	if (strcmp(tr->reply, "dr") == 0) {
		tr->code = 3;
		if (json_object_get(o, "reason") != NULL)
			tr->code = fault_reason_code(json_object_get(o,
			    "reason"));
	} else if (strcmp(tr->reply, "er") == 0)
		tr->code = (long long)fault_num(o, "cause", 0);
	else if (strcmp(tr->reply, "rpc_fault") == 0)
		tr->code = (long long)fault_num(o, "status", 5);
	else if (strcmp(tr->reply, "bind_nak") == 0)
		tr->code = (long long)fault_num(o, "reason", 0);
	if (tr->on != NULL)
		eventlog_want_quiet(tr->on, 1);
	tr->next = fc->trigs;
	fc->trigs = tr;
	for (i = 0; i < 2; i++) {
		if (fc->tst[i] != NULL)
			continue;
		if ((st = calloc(1, sizeof(*st))) == NULL)
			return (-1);
		st->side = &fc->side[i];
		st->p.type = FAULT_TRIGGERED;
		snprintf(st->id, sizeof(st->id), "%s", id);
		TAILQ_INIT(&st->chunks);
		if ((st->buf = evbuffer_new()) == NULL) {
			stage_free(st);
			return (-1);
		}
		fc->tst[i] = st;
		/* Last in the chain (rank 10). */
		{
			struct fault_stage **pp;

			for (pp = &fc->side[i].first; *pp != NULL;
			    pp = &(*pp)->next)
				;
			*pp = st;
		}
	}
	return (0);
}

/* Bytes into one stage. 0, or -1 when the connection was closed. */
static int
stage_in(struct fault_stage *st, const uint8_t *buf, size_t len)
{
	struct fault_conn	*fc = st->side->fc;
	struct timeval		 now, due, idle;
	double			 ms;

	if (st->state == FS_DISCARD)
		return (0);
	switch (st->p.type) {
	case FAULT_LATENCY:
		if (!st->acted) {
			st->acted = 1;
			stage_event(st, "delaying", "latency_ms",
			    (long long)st->p.ms);
		}
		fault_now(&now);
		ms = st->p.ms;
		if (st->p.jitter_ms > 0)
			ms += st->p.jitter_ms * (2 * fault_rand() - 1);
		fault_due(&due, &now, ms);
		if (TAILQ_EMPTY(&st->chunks) && !timercmp(&due, &now, >))
			return (stage_out(st, buf, len));
		return (stage_hold(st, buf, len, &due));
	case FAULT_BANDWIDTH:
		if (!st->acted) {
			st->acted = 1;
			stage_event(st, "limiting", "bytes_per_second",
			    (long long)st->p.rate);
		}
		if (evbuffer_add(st->buf, buf, len) == -1)
			return (stage_oom(st));
		if (st->timer != NULL && evtimer_pending(st->timer, NULL))
			return (0);
		return (stage_bandwidth(st));
	case FAULT_SLICER:
		if (!st->acted) {
			st->acted = 1;
			stage_event(st, "slicing", "size",
			    (long long)st->p.bytes);
		}
		if (evbuffer_add(st->buf, buf, len) == -1)
			return (stage_oom(st));
		return (stage_slice(st));
	case FAULT_RESET_AFTER:
		return (stage_reset_after(st, buf, len));
	case FAULT_BLACKHOLE:
		st->state = FS_DISCARD;
		stage_event(st, "discarding", "bytes", (long long)len);
		return (0);
	case FAULT_IDLE_BLACKHOLE:
		/* Idle in both directions until these bytes came. */
		idle = double_to_tv(st->p.idle);
		timeradd(&fc->prev, &idle, &due);
		if (!fc->idle_dead && timercmp(&fc->last, &due, <))
			return (stage_out(st, buf, len));
		fc->idle_dead = 1;
		st->state = FS_DISCARD;
		stage_event(st, "discarding after idle", "idle_ms",
		    (long long)(st->p.idle * 1000));
		return (0);
	case FAULT_PDU_DELAY:
	case FAULT_PDU_DROP:
	case FAULT_CR_REFUSE:
	case FAULT_ER_REPLY:
		if (st->state == FS_RAW)
			return (stage_raw(st, buf, len));
		return (stage_pdu(st, buf, len));
	case FAULT_TRIGGERED:
		return (stage_trig(st, buf, len));
	case FAULT_NTYPES:
		break;
	}
	return (stage_out(st, buf, len));
}

/* A stage's timer: release what is due. */
static void
stage_timer(int fd, short what, void *arg)
{
	struct fault_stage	*st = arg;
	struct fault_side	*fs = st->side;
	int			 r = 0;

	fs->fc->busy++;
	switch (st->p.type) {
	case FAULT_LATENCY:
	case FAULT_PDU_DELAY:
		r = stage_release_due(st);
		break;
	case FAULT_BANDWIDTH:
		r = stage_bandwidth(st);
		break;
	case FAULT_SLICER:
		r = stage_slice(st);
		break;
	default:
		break;
	}
	if (r == -1)
		return;		/* closed, fs is gone */
	fs->fc->busy--;
	side_after(fs);
}

static void
stage_free(struct fault_stage *st)
{
	struct fault_chunk	*ch;

	while ((ch = TAILQ_FIRST(&st->chunks)) != NULL) {
		TAILQ_REMOVE(&st->chunks, ch, entry);
		free(ch);
	}
	if (st->timer != NULL)
		event_free(st->timer);
	if (st->buf != NULL)
		evbuffer_free(st->buf);
	if (st->dpdu != NULL)
		evbuffer_free(st->dpdu);
	if (st->later != NULL)
		evbuffer_free(st->later);
	free(st->fr.buf);
	free(st);
}

/* Add the stages of one fault to the sides it applies to. */
static int
fault_add_stage(struct fault_conn *fc, struct fault_conf *conf,
    struct fault_entry *fe, const char *id)
{
	struct fault_params	 p;
	struct fault_stage	*st, **pp;
	struct fault_side	*fs;
	const char		*err;
	int			 i, on = 1;

	if (fault_params_parse(conf, &p, &err) == -1)
		return (0);
	/* Drawn each time it fires, not per connection. */
	if (p.type == FAULT_TRIGGERED)
		return (trig_add(fc, conf, fe, id));
	if (p.probability < 1 && fault_rand() >= p.probability)
		return (0);
	if (fault_needs_rfc1006(p.type) &&
	    fc->c->c_conf->protocol != PROTO_RFC1006)
		return (0);
	for (i = 0; i < 2; i++) {
		if (!(p.direction & (i == 0 ? FAULT_UP : FAULT_DOWN)))
			continue;
		/* Only the caller sends a CR. */
		if (p.type == FAULT_CR_REFUSE && i == 1)
			continue;
		fs = &fc->side[i];
		if ((st = calloc(1, sizeof(*st))) == NULL)
			return (-1);
		st->side = fs;
		st->p = p;
		snprintf(st->id, sizeof(st->id), "%s", id);
		TAILQ_INIT(&st->chunks);
		fault_now(&st->refill);
		st->tokens = fault_bucket_burst(p.rate);
		if ((st->buf = evbuffer_new()) == NULL) {
			stage_free(st);
			return (-1);
		}
		/* Keep the chain ordered by rank, stable for equal ones. */
		for (pp = &fs->first; *pp != NULL; pp = &(*pp)->next)
			if (fault_rank[(*pp)->p.type] > fault_rank[p.type])
				break;
		st->next = *pp;
		*pp = st;
		/* Pieces must leave as pieces: no Nagle on the way out. */
		if (p.type == FAULT_SLICER && fs->cs->cs_peer->cs_fd != -1)
			setsockopt(fs->cs->cs_peer->cs_fd, IPPROTO_TCP,
			    TCP_NODELAY, &on, sizeof(on));
	}
	return (0);
}

int
fault_conn_init(struct conn *c)
{
	struct fault_conn	*fc;
	struct fault_list	*fl = c->c_relay->rl_faults;
	struct fault_entry	*fe;
	char			 id[24];
	size_t			 i;

	c->c_faults = NULL;
	c->c_client.cs_fault = NULL;
	c->c_target.cs_fault = NULL;
	if (c->c_conf->nfaults == 0 && (fl == NULL || TAILQ_EMPTY(fl)))
		return (0);
	if ((fc = calloc(1, sizeof(*fc))) == NULL)
		return (-1);
	fc->c = c;
	fc->side[0].fc = fc;
	fc->side[0].cs = &c->c_client;
	fc->side[1].fc = fc;
	fc->side[1].cs = &c->c_target;
	fault_now(&fc->last);
	fc->prev = fc->last;
	c->c_faults = fc;
	for (i = 0; i < c->c_conf->nfaults; i++) {
		snprintf(id, sizeof(id), "c%zu", i + 1);
		if (fault_add_stage(fc, &c->c_conf->faults[i], NULL,
		    id) == -1)
			goto fail;
	}
	if (fl != NULL)
		TAILQ_FOREACH(fe, fl, entry) {
			snprintf(id, sizeof(id), "%d", fe->id);
			if (fault_add_stage(fc, &fe->conf, fe, id) == -1)
				goto fail;
		}
	if (fc->side[0].first == NULL && fc->side[1].first == NULL) {
		/* None drawn: keep the pump's fast path. */
		fault_conn_free(c);
		return (0);
	}
	if (fc->side[0].first != NULL)
		c->c_client.cs_fault = &fc->side[0];
	if (fc->side[1].first != NULL)
		c->c_target.cs_fault = &fc->side[1];
	return (0);
 fail:
	fault_conn_free(c);
	return (-1);
}

int
fault_data(struct conn_side *cs, const uint8_t *buf, size_t len)
{
	struct fault_conn	*fc = cs->cs_conn->c_faults;
	struct fault_side	*fs = cs->cs_fault;

	fc->prev = fc->last;
	fault_now(&fc->last);
	if (fs == NULL)
		return (0);
	if (stage_in(fs->first, buf, len) == -1)
		return (-1);
	side_after(fs);
	return (1);
}

/*
 * The connection is closed: no timer of its faults may fire any more. The
 * state itself stays for the callers up the stack; fault_conn_free()
 * releases it with the connection, in the deferred free.
 */
void
fault_conn_stop(struct conn *c)
{
	struct fault_conn	*fc = c->c_faults;
	struct fault_stage	*st;
	int			 i;

	if (fc == NULL)
		return;
	for (i = 0; i < 2; i++)
		for (st = fc->side[i].first; st != NULL; st = st->next)
			if (st->timer != NULL)
				event_del(st->timer);
	if (fc->close_ev != NULL)
		event_del(fc->close_ev);
}

void
fault_conn_free(struct conn *c)
{
	struct fault_conn	*fc = c->c_faults;
	struct fault_stage	*st;
	struct fault_trig	*tr;
	int			 i;

	if (fc == NULL)
		return;
	while ((tr = fc->trigs) != NULL) {
		fc->trigs = tr->next;
		if (tr->on != NULL)
			eventlog_want_quiet(tr->on, -1);
		entry_unref(tr->fe);
		free(tr);
	}
	for (i = 0; i < 2; i++)
		while ((st = fc->side[i].first) != NULL) {
			fc->side[i].first = st->next;
			stage_free(st);
		}
	if (fc->close_ev != NULL)
		event_free(fc->close_ev);
	free(fc);
	c->c_faults = NULL;
	c->c_client.cs_fault = NULL;
	c->c_target.cs_fault = NULL;
}

json_t *
fault_conn_json(struct conn *c)
{
	struct fault_conn	*fc = c->c_faults;
	struct fault_stage	*st;
	json_t			*a, *o;
	int			 i;

	if ((a = json_array()) == NULL || fc == NULL)
		return (a);
	for (i = 0; i < 2; i++)
		for (st = fc->side[i].first; st != NULL; st = st->next) {
			o = json_pack("{s:s, s:s, s:s, s:b}", "id", st->id,
			    "type", fault_type_name(st->p.type), "direction",
			    i == 0 ? "upstream" : "downstream", "active",
			    st->acted || st->state == FS_DISCARD);
			if (o != NULL)
				json_array_append_new(a, o);
		}
	return (a);
}

/* Run-time faults. */

int
fault_add(struct relay *rl, json_t *obj, int *id, const char **errstr)
{
	*id = 0;
	return (fault_add_id(rl, obj, id, errstr));
}

/* Another worker's copy of run-time fault id counts with from's. */
void
fault_share(struct relay *to, struct relay *from, int id)
{
	struct fault_list	*tl = to->rl_faults, *fl = from->rl_faults;
	struct fault_entry	*te, *fe;

	if (tl == NULL || fl == NULL)
		return;
	TAILQ_FOREACH(te, tl, entry)
		if (te->id == id)
			break;
	TAILQ_FOREACH(fe, fl, entry)
		if (fe->id == id)
			break;
	if (te == NULL || fe == NULL || fe->conf.count == NULL ||
	    te->conf.count == fe->conf.count)
		return;
	if (te->conf.count != NULL &&
	    atomic_fetch_sub(&te->conf.count->refs, 1) == 1)
		free(te->conf.count);
	te->conf.count = fault_count_ref(fe->conf.count);
}

/* The same fault on another worker's copy of the relay: *id given. */
int
fault_add_id(struct relay *rl, json_t *obj, int *id, const char **errstr)
{
	struct fault_list	*fl = rl->rl_faults;
	struct fault_entry	*fe;
	struct fault_params	 p;

	if ((fe = calloc(1, sizeof(*fe))) == NULL) {
		*errstr = "out of memory";
		return (-1);
	}
	if (fault_conf_from_json(obj, &fe->conf, errstr) == -1) {
		free(fe);
		return (-1);
	}
	if (fault_params_parse(&fe->conf, &p, errstr) == -1)
		goto fail;
	if (fault_needs_rfc1006(p.type) &&
	    rl->rl_conf->protocol != PROTO_RFC1006) {
		*errstr = "this fault type needs protocol \"rfc1006\"";
		goto fail;
	}
	if ((*errstr = fault_trig_proto_error(obj,
	    rl->rl_conf->protocol)) != NULL)
		goto fail;
	if (fl == NULL) {
		if ((fl = calloc(1, sizeof(*fl))) == NULL) {
			*errstr = "out of memory";
			goto fail;
		}
		TAILQ_INIT(fl);
		rl->rl_faults = fl;
	}
	fe->id = *id > 0 ? *id : fault_next_id++;
	fe->refs = 1;
	TAILQ_INSERT_TAIL(fl, fe, entry);
	*id = fe->id;
	return (0);
 fail:
	fault_conf_clear(&fe->conf);
	free(fe);
	return (-1);
}

int
fault_remove(struct relay *rl, int id)
{
	struct fault_list	*fl = rl->rl_faults;
	struct fault_entry	*fe;

	if (fl == NULL)
		return (-1);
	TAILQ_FOREACH(fe, fl, entry)
		if (fe->id == id) {
			TAILQ_REMOVE(fl, fe, entry);
			entry_unref(fe);
			return (0);
		}
	return (-1);
}

/* One fault as the API shows it: the object given, with id and origin. */
static json_t *
fault_json(const struct fault_conf *fc, const char *id, const char *origin)
{
	json_t	*o;

	if ((o = json_deep_copy(fc->params)) == NULL)
		return (NULL);
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "origin", json_string(origin));
	json_object_set_new(o, "direction", json_string(
	    fc->direction == (FAULT_UP | FAULT_DOWN) ? "both" :
	    fc->direction == FAULT_UP ? "upstream" : "downstream"));
	json_object_set_new(o, "probability", json_real(fc->probability));
	return (o);
}

json_t *
fault_list_json(struct relay *rl)
{
	struct fault_list	*fl = rl->rl_faults;
	struct fault_entry	*fe;
	json_t			*a, *o;
	char			 id[24];
	size_t			 i;

	if ((a = json_array()) == NULL)
		return (NULL);
	for (i = 0; i < rl->rl_conf->nfaults; i++) {
		snprintf(id, sizeof(id), "c%zu", i + 1);
		if ((o = fault_json(&rl->rl_conf->faults[i], id,
		    "config")) != NULL)
			json_array_append_new(a, o);
	}
	if (fl != NULL)
		TAILQ_FOREACH(fe, fl, entry) {
			snprintf(id, sizeof(id), "%d", fe->id);
			if ((o = fault_json(&fe->conf, id, "runtime")) != NULL)
				json_array_append_new(a, o);
		}
	return (a);
}

void
fault_relay_free(struct relay *rl)
{
	struct fault_list	*fl = rl->rl_faults;
	struct fault_entry	*fe;

	if (fl == NULL)
		return;
	while ((fe = TAILQ_FIRST(fl)) != NULL) {
		TAILQ_REMOVE(fl, fe, entry);
		entry_unref(fe);
	}
	free(fl);
	rl->rl_faults = NULL;
}
