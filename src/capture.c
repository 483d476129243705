/*
 * Captures: pcapng files of what a relay's connections carried, for
 * Wireshark. Each connection has two legs, the client's and the target's,
 * which are the file's two interfaces. What fwrelay read from a socket and
 * what it wrote to one become TCP segments between the real addresses and
 * ports, with sequence numbers that follow the bytes, so the streams
 * reassemble; the handshake, FINs and resets are synthesised where they
 * happened. A leg is captured at the socket, so bytes fwrelay made itself
 * (an inspector's DR, a rewritten tower, a fault's reset) show as what the
 * peer received.
 *
 * One file per connection or one per relay (capture_mode). With
 * capture_max_bytes the relay's files together stay within it: a file is
 * closed at max_bytes / capture_files, and the oldest closed file goes to
 * make room (a ring, as dumpcap's). What cannot fit even so is counted as
 * dropped. Every file gets a capture event when it opens and when it
 * closes or goes.
 *
 * The relay's struct capture is shared by reference with its connections:
 * switching capture off (control API, reload) closes the files at once,
 * and connections still holding it then write nothing.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "config.h"
#include "fwrelay.h"

#define CAP_SEG_MAX	65000	/* payload per synthesised segment */
#define CAP_IOV		64
#define CAP_HEAD_MAX	1024	/* section and interface blocks */
#define CAP_FLUSH_SEC	1

enum { LEG_CLIENT = 0, LEG_TARGET = 1 };
enum { LEG_NONE = 0, LEG_SYN, LEG_OPEN, LEG_CLOSED };

struct cap_file {
	TAILQ_ENTRY(cap_file)	 cf_entry;
	FILE			*cf_fp;		/* NULL once closed */
	char			 cf_path[PATH_MAX];
	uint64_t		 cf_id;
	uint64_t		 cf_conn;	/* connection mode: whose */
	uint64_t		 cf_bytes;
	uint64_t		 cf_packets;
	uint64_t		 cf_dropped;
};
TAILQ_HEAD(cap_file_list, cap_file);

struct capture {
	int			 refcnt;	/* relay and connections */
	int			 off;		/* switched off: write nothing */
	char			 relay[FWRELAY_NAME_MAX];
	char			 dir[CAPTURE_DIR_MAX];
	enum capture_mode	 mode;
	uint64_t		 max_bytes;	/* this worker's share */
	uint64_t		 conf_max;	/* capture_max_bytes */
	unsigned int		 worker;
	unsigned int		 files;
	uint64_t		 total;		/* bytes of the files kept */
	uint64_t		 nextid;
	uint64_t		 dropped;	/* packets no file had room for */
	int			 full;		/* a "full" event was sent */
	struct cap_file_list	 list;		/* oldest first */
	struct cap_file		*cur;		/* relay mode: being written */
	struct event		*flush;
	int			 dirty;
};

struct cap_leg {
	struct sockaddr_storage	 peer;
	struct sockaddr_storage	 fw;
	uint32_t		 seq_peer;	/* next from the peer */
	uint32_t		 seq_fw;	/* next from fwrelay */
	int			 state;
	int			 fin_peer;
	int			 fin_fw;
};

struct cap_conn {
	struct capture		*cap;
	struct cap_file		*file;		/* connection mode */
	uint64_t		 id;
	uint64_t		 last_file;	/* where its comment was put */
	char			 comment[256];	/* on its first packet */
	uint64_t		 when;		/* its segments' time, or 0: now */
	unsigned int		 parts;		/* files it had (rotation) */
	uint16_t		 ipid;
	struct cap_leg		 leg[2];
};

static void	 cap_unref(struct capture *);
static void	 cap_file_close(struct capture *, struct cap_file *,
		    const char *);
static void	 cap_file_delete(struct capture *, struct cap_file *);
static struct cap_file *cap_file_open(struct capture *, struct cap_conn *);
static struct cap_file *cap_room(struct cap_conn *, size_t);
static void	 cap_segment(struct cap_conn *, int, int, uint8_t,
		    const uint8_t *, size_t);
static void	 cap_event(struct capture *, struct cap_file *, const char *,
		    const char *);
static void	 cap_fail(struct capture *, struct cap_file *, int);
static void	 cap_flush_cb(int, short, void *);
static uint64_t	 cap_now(void);

const char *
capture_mode_name(enum capture_mode m)
{
	return (m == CAPTURE_RELAY ? "relay" : "connection");
}

/* Does the running capture still do what rc asks? */
static int
cap_matches(const struct capture *cap, const struct relay_conf *rc)
{
	return (strcmp(cap->dir, rc->capture) == 0 &&
	    cap->mode == rc->capture_mode &&
	    cap->conf_max == rc->capture_max_bytes &&
	    cap->files == rc->capture_files);
}

/* Stop a relay's capture: its files close now, its connections go quiet. */
static void
cap_stop(struct relay *rl, const char *why)
{
	struct capture	*cap = rl->rl_cap;
	struct cap_file	*cf;

	if (cap == NULL)
		return;
	rl->rl_cap = NULL;
	cap->off = 1;
	TAILQ_FOREACH(cf, &cap->list, cf_entry)
		if (cf->cf_fp != NULL)
			cap_file_close(cap, cf, why);
	cap->cur = NULL;
	cap_unref(cap);
}

/*
 * Make rl's capture what its configuration says (at an accept, after a
 * control API change): start it, stop it or start it anew. New
 * connections are captured from their handshake; those already open are
 * not picked up midway. anew: the API switched it on again, which also
 * restarts a capture that stopped on a write error.
 */
void
capture_relay_sync(struct relay *rl, int anew)
{
	const struct relay_conf	*rc = rl->rl_conf;
	struct capture		*cap;

	if (rl->rl_cap != NULL && rc->capture[0] != '\0' &&
	    cap_matches(rl->rl_cap, rc) && !(anew && rl->rl_cap->off))
		return;
	cap_stop(rl, "off");
	if (rc->capture[0] == '\0')
		return;
	if ((cap = calloc(1, sizeof(*cap))) == NULL) {
		log_warn("%s: calloc", __func__);
		return;
	}
	cap->refcnt = 1;
	snprintf(cap->relay, sizeof(cap->relay), "%s", rl->rl_name);
	snprintf(cap->dir, sizeof(cap->dir), "%s", rc->capture);
	cap->mode = rc->capture_mode;
	/* With workers, each relay's copy keeps to its share of the bound. */
	cap->conf_max = rc->capture_max_bytes;
	cap->max_bytes = rc->capture_max_bytes / fw_nworkers;
	cap->worker = env->sc_worker;
	cap->files = rc->capture_files > 0 ? rc->capture_files : 1;
	TAILQ_INIT(&cap->list);
	if ((cap->flush = evtimer_new(env->sc_base, cap_flush_cb, cap)) ==
	    NULL) {
		free(cap);
		return;
	}
	rl->rl_cap = cap;
}

/*
 * A reload keeps a relay: the new one takes the capture if it matches and
 * runs (one stopped on an error starts anew at the next accept).
 */
void
capture_relay_move(struct relay *from, struct relay *to)
{
	if (from->rl_cap == NULL)
		return;
	if (to->rl_cap == NULL && to->rl_conf->capture[0] != '\0' &&
	    !from->rl_cap->off && cap_matches(from->rl_cap, to->rl_conf)) {
		to->rl_cap = from->rl_cap;
		from->rl_cap = NULL;
		return;
	}
	cap_stop(from, "off");
}

void
capture_relay_free(struct relay *rl)
{
	cap_stop(rl, "end");
}

static void
cap_unref(struct capture *cap)
{
	struct cap_file	*cf;

	if (--cap->refcnt > 0)
		return;
	while ((cf = TAILQ_FIRST(&cap->list)) != NULL) {
		if (cf->cf_fp != NULL)
			cap_file_close(cap, cf, "end");
		TAILQ_REMOVE(&cap->list, cf, cf_entry);
		free(cf);
	}
	event_free(cap->flush);
	free(cap);
}

static uint64_t
cap_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

/* A leg's initial sequence numbers: arbitrary, but fixed per connection. */
static uint32_t
cap_isn(uint64_t id, int leg, int fw)
{
	uint64_t	 x = id * 0x9e3779b97f4a7c15ULL + (uint64_t)(leg * 2 + fw);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return ((uint32_t)(x ^ (x >> 29)));
}

/* A connection was accepted: its client leg's handshake. */
void
capture_conn_start(struct conn *c)
{
	struct relay	*rl = c->c_relay;
	struct cap_conn	*cc;
	struct cap_leg	*lg;
	char		 ts[40];

	if (rl->rl_cap == NULL || rl->rl_cap->off ||
	    (cc = calloc(1, sizeof(*cc))) == NULL)
		return;
	cc->cap = rl->rl_cap;
	cc->cap->refcnt++;
	cc->id = c->c_id;
	eventlog_timestamp(&c->c_start, ts, sizeof(ts));
	snprintf(cc->comment, sizeof(cc->comment), "fwrelay relay %s conn %llu "
	    "accept %s", rl->rl_name, (unsigned long long)c->c_id, ts);
	c->c_cap = cc;
	lg = &cc->leg[LEG_CLIENT];
	lg->peer = c->c_client.cs_addr;
	lg->fw = c->c_dst;
	lg->seq_peer = cap_isn(c->c_id, LEG_CLIENT, 0);
	lg->seq_fw = cap_isn(c->c_id, LEG_CLIENT, 1);
	lg->state = LEG_OPEN;
	/* The handshake was over when accept() returned. */
	cc->when = (uint64_t)c->c_start.tv_sec * 1000000 +
	    (uint64_t)c->c_start.tv_usec;
	cap_segment(cc, LEG_CLIENT, 0, TCP_SEG_SYN, NULL, 0);
	cap_segment(cc, LEG_CLIENT, 1, TCP_SEG_SYN | TCP_SEG_ACK, NULL, 0);
	cap_segment(cc, LEG_CLIENT, 0, TCP_SEG_ACK, NULL, 0);
	cc->when = 0;
}

static int
cap_leg_of(const struct conn_side *cs)
{
	return (cs == &cs->cs_conn->c_client ? LEG_CLIENT : LEG_TARGET);
}

/* Bytes on cs's leg: out, written by fwrelay; else read from the peer. */
void
capture_data(struct conn_side *cs, int out, const void *buf, size_t n)
{
	struct cap_conn	*cc = cs->cs_conn->c_cap;
	const uint8_t	*p = buf;
	size_t		 k;
	int		 leg = cap_leg_of(cs);

	if (cc == NULL || cc->cap->off || cc->leg[leg].state != LEG_OPEN)
		return;
	for (; n > 0; p += k, n -= k) {
		k = n > CAP_SEG_MAX ? CAP_SEG_MAX : n;
		cap_segment(cc, leg, out, TCP_SEG_PSH | TCP_SEG_ACK, p, k);
	}
}

/* A FIN on cs's leg, and the other end's ACK of it. */
void
capture_fin(struct conn_side *cs, int out)
{
	struct cap_conn	*cc = cs->cs_conn->c_cap;
	struct cap_leg	*lg;
	int		 leg = cap_leg_of(cs);

	if (cc == NULL || cc->cap->off)
		return;
	lg = &cc->leg[leg];
	if (lg->state != LEG_OPEN || (out ? lg->fin_fw : lg->fin_peer))
		return;
	cap_segment(cc, leg, out, TCP_SEG_FIN | TCP_SEG_ACK, NULL, 0);
	cap_segment(cc, leg, !out, TCP_SEG_ACK, NULL, 0);
	if (out)
		lg->fin_fw = 1;
	else
		lg->fin_peer = 1;
	if (lg->fin_fw && lg->fin_peer)
		lg->state = LEG_CLOSED;
}

/* A reset on cs's leg; the leg is over. */
void
capture_reset(struct conn_side *cs, int out)
{
	struct cap_conn	*cc = cs->cs_conn->c_cap;
	int		 leg = cap_leg_of(cs);

	if (cc == NULL || cc->cap->off || cc->leg[leg].state != LEG_OPEN)
		return;
	cap_segment(cc, leg, out, TCP_SEG_RST | TCP_SEG_ACK, NULL, 0);
	cc->leg[leg].state = LEG_CLOSED;
}

/* The target's connect began: our SYN. */
void
capture_connect(struct conn_side *ts)
{
	struct cap_conn	*cc = ts->cs_conn->c_cap;
	struct cap_leg	*lg;
	socklen_t	 len;

	if (cc == NULL || cc->cap->off)
		return;
	lg = &cc->leg[LEG_TARGET];
	lg->peer = ts->cs_addr;
	len = sizeof(lg->fw);
	if (getsockname(ts->cs_fd, (struct sockaddr *)&lg->fw, &len) == -1)
		return;
	addr_unmap(&lg->fw);
	lg->seq_fw = cap_isn(cc->id, LEG_TARGET, 1);
	lg->seq_peer = cap_isn(cc->id, LEG_TARGET, 0);
	lg->state = LEG_OPEN;
	cap_segment(cc, LEG_TARGET, 1, TCP_SEG_SYN, NULL, 0);
	lg->state = LEG_SYN;
}

/* The connect's outcome: the rest of the handshake, or a refusal. */
void
capture_connected(struct conn_side *ts, int err)
{
	struct cap_conn	*cc = ts->cs_conn->c_cap;
	struct cap_leg	*lg;

	if (cc == NULL || cc->cap->off || cc->leg[LEG_TARGET].state != LEG_SYN)
		return;
	lg = &cc->leg[LEG_TARGET];
	lg->state = LEG_OPEN;
	if (err == 0) {
		cap_segment(cc, LEG_TARGET, 0, TCP_SEG_SYN | TCP_SEG_ACK,
		    NULL, 0);
		cap_segment(cc, LEG_TARGET, 1, TCP_SEG_ACK, NULL, 0);
		return;
	}
	/* A refusal is a reset; a timeout or an ICMP error shows nothing. */
	if (err == ECONNREFUSED)
		cap_segment(cc, LEG_TARGET, 0, TCP_SEG_RST | TCP_SEG_ACK,
		    NULL, 0);
	lg->state = LEG_CLOSED;
}

/*
 * cs is being closed by us: a reset (rst, or SO_LINGER 0 set by a fault),
 * else a FIN if none was sent yet. rst 2 is a dropped client: silence.
 */
void
capture_side_close(struct conn_side *cs, int rst)
{
	struct linger	 l;
	socklen_t	 len = sizeof(l);

	if (cs->cs_conn->c_cap == NULL || cs->cs_fd == -1 || rst == 2)
		return;
	if (!rst && getsockopt(cs->cs_fd, SOL_SOCKET, SO_LINGER, &l,
	    &len) == 0 && l.l_onoff && l.l_linger == 0)
		rst = 1;
	if (rst)
		capture_reset(cs, 1);
	else
		capture_fin(cs, 1);
}

/*
 * evbuffer_write() for a captured side: the same sendmsg() of the queue's
 * first chains, with the bytes taken noted before they are drained.
 */
int
capture_write(struct conn_side *cs)
{
	struct evbuffer_iovec	 v[CAP_IOV];
	struct iovec		 iov[CAP_IOV];
	struct msghdr		 msg;
	ssize_t			 n;
	size_t			 left, k;
	int			 nv, i;

	nv = evbuffer_peek(cs->cs_out, -1, NULL, v, CAP_IOV);
	if (nv > CAP_IOV)
		nv = CAP_IOV;
	for (i = 0; i < nv; i++) {
		iov[i].iov_base = v[i].iov_base;
		iov[i].iov_len = v[i].iov_len;
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)nv;
	if ((n = sendmsg(cs->cs_fd, &msg, MSG_NOSIGNAL)) <= 0)
		return ((int)n);
	for (i = 0, left = (size_t)n; i < nv && left > 0; i++, left -= k) {
		k = iov[i].iov_len < left ? iov[i].iov_len : left;
		capture_data(cs, 1, iov[i].iov_base, k);
	}
	evbuffer_drain(cs->cs_out, (size_t)n);
	return ((int)n);
}

/* The connection closed: its file (connection mode) is complete. */
void
capture_conn_end(struct conn *c)
{
	struct cap_conn	*cc = c->c_cap;
	struct capture	*cap;

	if (cc == NULL)
		return;
	c->c_cap = NULL;
	cap = cc->cap;
	if (!cap->off) {
		if (cc->file != NULL && cc->file->cf_fp != NULL)
			cap_file_close(cap, cc->file, "end");
		else if (cap->cur != NULL && cap->cur->cf_fp != NULL &&
		    fflush(cap->cur->cf_fp) == EOF)
			cap_fail(cap, cap->cur, errno);
	}
	cap_unref(cap);
	free(cc);
}

/* One segment on a leg, and its sequence numbers moved on. */
static void
cap_segment(struct cap_conn *cc, int leg, int out, uint8_t flags,
    const uint8_t *p, size_t n)
{
	struct capture		*cap = cc->cap;
	struct cap_leg		*lg = &cc->leg[leg];
	struct cap_file		*cf;
	struct tcp_seg		 seg;
	uint8_t			 hdr[60], tail[PCAPNG_EPB_TAIL_MAX], head[28];
	char			 more[sizeof(cc->comment) + 16];
	const char		*cm = NULL;
	size_t			 hlen, tlen, size;
	const struct sockaddr	*src, *dst;

	src = (const struct sockaddr *)(out ? &lg->fw : &lg->peer);
	dst = (const struct sockaddr *)(out ? &lg->peer : &lg->fw);
	seg.seq = out ? lg->seq_fw : lg->seq_peer;
	seg.ack = out ? lg->seq_peer : lg->seq_fw;
	seg.flags = flags;
	seg.window = 65535;
	seg.ipid = cc->ipid++;
	if (flags & (TCP_SEG_SYN | TCP_SEG_FIN))
		n = 0;
	if (out)
		lg->seq_fw += (uint32_t)n + ((flags & (TCP_SEG_SYN |
		    TCP_SEG_FIN)) ? 1 : 0);
	else
		lg->seq_peer += (uint32_t)n + ((flags & (TCP_SEG_SYN |
		    TCP_SEG_FIN)) ? 1 : 0);
	if (src->sa_family != dst->sa_family || (src->sa_family != AF_INET &&
	    src->sa_family != AF_INET6))
		return;
	hlen = tcpip_header(hdr, src, dst, &seg, p, n);

	/* Room first, for the comment a connection's first packet in a
	 * file carries ("continued" past the first file). */
	size = pcapng_epb_size(hlen + n, NULL) + PCAPNG_EPB_TAIL_MAX;
	if ((cf = cap_room(cc, size)) == NULL)
		return;
	if (cf->cf_id != cc->last_file) {
		cm = cc->comment;
		if (cc->last_file != 0) {
			snprintf(more, sizeof(more), "%s (continued)",
			    cc->comment);
			cm = more;
		}
		cc->last_file = cf->cf_id;
	}
	size = pcapng_epb_size(hlen + n, cm);
	pcapng_epb_head(head, leg, cc->when != 0 ? cc->when : cap_now(),
	    hlen + n, cm);
	tlen = pcapng_epb_tail(tail, hlen + n, cm);
	if (fwrite(head, 1, sizeof(head), cf->cf_fp) != sizeof(head) ||
	    fwrite(hdr, 1, hlen, cf->cf_fp) != hlen ||
	    (n > 0 && fwrite(p, 1, n, cf->cf_fp) != n) ||
	    fwrite(tail, 1, tlen, cf->cf_fp) != tlen) {
		cap_fail(cap, cf, errno);
		return;
	}
	cf->cf_bytes += size;
	cf->cf_packets++;
	cap->total += size;
	cap->full = 0;
	if (!cap->dirty) {
		struct timeval	 tv = { CAP_FLUSH_SEC, 0 };

		cap->dirty = 1;
		evtimer_add(cap->flush, &tv);
	}
}

/*
 * The file a segment of size bytes goes to, with room made for it under
 * capture_max_bytes: the file rotates at max_bytes / files, the oldest
 * closed files go. NULL: no room (counted) or no file.
 */
static struct cap_file *
cap_room(struct cap_conn *cc, size_t size)
{
	struct capture	*cap = cc->cap;
	struct cap_file	*cf, *old;
	uint64_t	 per, need;

	cf = cap->mode == CAPTURE_RELAY ? cap->cur : cc->file;
	if (cf != NULL && cf->cf_fp == NULL)
		cf = NULL;
	if (cap->max_bytes > 0) {
		per = cap->max_bytes / cap->files;
		if (cf != NULL && cf->cf_packets > 0 &&
		    cf->cf_bytes + size > per) {
			cap_file_close(cap, cf, "rotate");
			cf = NULL;
		}
		need = size + (cf == NULL ? CAP_HEAD_MAX : 0);
		while (cap->total + need > cap->max_bytes) {
			TAILQ_FOREACH(old, &cap->list, cf_entry)
				if (old->cf_fp == NULL)
					break;
			if (old == NULL)
				break;
			cap_file_delete(cap, old);
		}
		if (cap->total + need > cap->max_bytes) {
			if (cf != NULL)
				cf->cf_dropped++;
			cap->dropped++;
			if (!cap->full) {
				cap->full = 1;
				cap_event(cap, cf, "full", NULL);
			}
			return (NULL);
		}
	}
	if (cf == NULL && (cf = cap_file_open(cap, cc)) != NULL) {
		if (cap->mode == CAPTURE_RELAY)
			cap->cur = cf;
		else
			cc->file = cf;
	}
	return (cf);
}

/* A name not yet taken: DIR/RELAY-TIME[-cCONN][-N].pcapng. */
static int
cap_file_create(struct capture *cap, struct cap_conn *cc, char *path,
    size_t len)
{
	char		 name[FWRELAY_NAME_MAX], when[32], base[PATH_MAX - 64];
	struct tm	 tm;
	time_t		 t = time(NULL);
	size_t		 i;
	int		 fd, k;

	for (i = 0; cap->relay[i] != '\0' && i < sizeof(name) - 1; i++)
		name[i] = (cap->relay[i] >= 'a' && cap->relay[i] <= 'z') ||
		    (cap->relay[i] >= 'A' && cap->relay[i] <= 'Z') ||
		    (cap->relay[i] >= '0' && cap->relay[i] <= '9') ||
		    cap->relay[i] == '.' || cap->relay[i] == '-' ?
		    cap->relay[i] : '_';
	name[i] = '\0';
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	/* Names sort as the files were made: a connection's parts and a
	 * relay's files are numbered, never reused when the ring deletes. */
	if (cap->mode == CAPTURE_CONNECTION && cc->parts++ == 0)
		snprintf(base, sizeof(base), "%s/%s-%s-c%llu", cap->dir, name,
		    when, (unsigned long long)cc->id);
	else if (cap->mode == CAPTURE_CONNECTION)
		snprintf(base, sizeof(base), "%s/%s-%s-c%llu-part%u", cap->dir,
		    name, when, (unsigned long long)cc->id, cc->parts);
	else if (fw_nworkers > 1)
		snprintf(base, sizeof(base), "%s/%s-w%u-%s-%06llu", cap->dir,
		    name, cap->worker, when,
		    (unsigned long long)cap->nextid + 1);
	else
		snprintf(base, sizeof(base), "%s/%s-%s-%06llu", cap->dir, name,
		    when, (unsigned long long)cap->nextid + 1);
	for (k = 1; k < 10000; k++) {
		if (k == 1)
			snprintf(path, len, "%s.pcapng", base);
		else
			snprintf(path, len, "%s-%d.pcapng", base, k);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd != -1 || errno != EEXIST)
			return (fd);
	}
	errno = EEXIST;
	return (-1);
}

static struct cap_file *
cap_file_open(struct capture *cap, struct cap_conn *cc)
{
	struct cap_file	*cf;
	uint8_t		 head[CAP_HEAD_MAX];
	char		 desc[2][128];
	size_t		 n;
	int		 fd;

	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return (NULL);
	if ((fd = cap_file_create(cap, cc, cf->cf_path,
	    sizeof(cf->cf_path))) == -1 ||
	    (cf->cf_fp = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		cf->cf_fp = NULL;
		snprintf(cf->cf_path, sizeof(cf->cf_path), "%s", cap->dir);
		cap_fail(cap, cf, errno);
		free(cf);
		return (NULL);
	}
	setvbuf(cf->cf_fp, NULL, _IOFBF, 65536);
	cf->cf_id = ++cap->nextid;
	cf->cf_conn = cap->mode == CAPTURE_CONNECTION ? cc->id : 0;
	snprintf(desc[0], sizeof(desc[0]), "relay %s: client side (client - "
	    "fwrelay)", cap->relay);
	snprintf(desc[1], sizeof(desc[1]), "relay %s: target side (fwrelay - "
	    "target)", cap->relay);
	n = pcapng_shb(head, sizeof(head), "fwrelay " PACKAGE_VERSION);
	n += pcapng_idb(head + n, sizeof(head) - n, "client", desc[0]);
	n += pcapng_idb(head + n, sizeof(head) - n, "target", desc[1]);
	TAILQ_INSERT_TAIL(&cap->list, cf, cf_entry);
	if (fwrite(head, 1, n, cf->cf_fp) != n) {
		cap_fail(cap, cf, errno);
		return (NULL);
	}
	cf->cf_bytes = n;
	cap->total += n;
	cap_event(cap, cf, "open", NULL);
	return (cf);
}

/* Close a file; without a bound nothing more is kept of it. */
static void
cap_file_close(struct capture *cap, struct cap_file *cf, const char *why)
{
	int	 err = 0;

	if (cf->cf_fp != NULL && fclose(cf->cf_fp) == EOF)
		err = errno;
	cf->cf_fp = NULL;
	if (cap->cur == cf)
		cap->cur = NULL;
	cap_event(cap, cf, err != 0 ? "error" : "close", err != 0 ?
	    strerror(err) : why);
	if (cap->max_bytes == 0 && !cap->off) {
		cap->total -= cf->cf_bytes;
		TAILQ_REMOVE(&cap->list, cf, cf_entry);
		free(cf);
	}
}

/* The ring's oldest closed file makes room. */
static void
cap_file_delete(struct capture *cap, struct cap_file *cf)
{
	if (unlink(cf->cf_path) == -1 && errno != ENOENT)
		log_warn("capture: unlink %s", cf->cf_path);
	cap->total -= cf->cf_bytes;
	cap_event(cap, cf, "delete", "capture_max_bytes");
	TAILQ_REMOVE(&cap->list, cf, cf_entry);
	free(cf);
}

/* A file could not be written: the relay's capture stops, loudly. */
static void
cap_fail(struct capture *cap, struct cap_file *cf, int err)
{
	json_t	*ev;

	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "capture")) != NULL) {
		eventlog_str(ev, "relay", cap->relay);
		eventlog_str(ev, "file", cf->cf_path);
		eventlog_str(ev, "action", "error");
		eventlog_str(ev, "error", strerror(err));
		eventlog_str(ev, "detail", "capture stopped for this relay "
		    "until it is switched on again");
		eventlog_emit(ev);
	}
	cap->off = 1;
	if (cf->cf_fp != NULL) {
		fclose(cf->cf_fp);
		cf->cf_fp = NULL;
	}
}

static void
cap_event(struct capture *cap, struct cap_file *cf, const char *action,
    const char *reason)
{
	json_t	*ev;

	if ((ev = eventlog_new("capture")) == NULL)
		return;
	eventlog_str(ev, "relay", cap->relay);
	if (cf != NULL && cf->cf_conn != 0)
		eventlog_int(ev, "conn", (long long)cf->cf_conn);
	if (cf != NULL)
		eventlog_str(ev, "file", cf->cf_path);
	eventlog_str(ev, "action", action);
	eventlog_str(ev, "mode", capture_mode_name(cap->mode));
	if (reason != NULL)
		eventlog_str(ev, strcmp(action, "error") == 0 ? "error" :
		    "reason", reason);
	if (cf != NULL && strcmp(action, "open") != 0) {
		eventlog_int(ev, "packets", (long long)cf->cf_packets);
		eventlog_int(ev, "bytes", (long long)cf->cf_bytes);
		eventlog_int(ev, "dropped", (long long)cf->cf_dropped);
	}
	if (strcmp(action, "full") == 0) {
		eventlog_int(ev, "total_bytes", (long long)cap->total);
		eventlog_int(ev, "max_bytes", (long long)cap->max_bytes);
	}
	eventlog_emit(ev);
}

/* Written bytes reach the files within a second, for a live Wireshark. */
static void
cap_flush_cb(int fd, short what, void *arg)
{
	struct capture	*cap = arg;
	struct cap_file	*cf;

	cap->dirty = 0;
	if (cap->off)
		return;
	TAILQ_FOREACH(cf, &cap->list, cf_entry)
		if (cf->cf_fp != NULL && fflush(cf->cf_fp) == EOF) {
			cap_fail(cap, cf, errno);
			return;
		}
}

/* For the control API: where a relay's capture goes and how much. */
json_t *
capture_json(const struct relay *rl)
{
	const struct capture	*cap = rl->rl_cap;
	const struct cap_file	*cf;
	json_t			*o;
	int			 open = 0, kept = 0;

	if (cap == NULL)
		return (json_null());
	TAILQ_FOREACH(cf, &cap->list, cf_entry) {
		kept++;
		if (cf->cf_fp != NULL)
			open++;
	}
	o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:i}", "dir", cap->dir,
	    "mode", capture_mode_name(cap->mode), "max_bytes",
	    (json_int_t)cap->max_bytes, "bytes", (json_int_t)cap->total,
	    "dropped", (json_int_t)cap->dropped, "files_open", open,
	    "files_kept", kept);
	if (cap->cur != NULL && o != NULL)
		json_object_set_new(o, "file", json_string(cap->cur->cf_path));
	return (o);
}

/* Can rc's capture directory be written here? NULL, or the message. */
const char *
capture_dir_error(const struct relay_conf *rc, char *msg, size_t len)
{
	struct stat	 st;

	if (rc->capture[0] == '\0')
		return (NULL);
	if (stat(rc->capture, &st) == -1)
		snprintf(msg, len, "relay '%s': capture directory %s: %s",
		    rc->name, rc->capture, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		snprintf(msg, len, "relay '%s': capture %s is not a directory",
		    rc->name, rc->capture);
	else if (access(rc->capture, W_OK | X_OK) == -1)
		snprintf(msg, len, "relay '%s': capture directory %s is not "
		    "writable: %s", rc->name, rc->capture, strerror(errno));
	else
		return (NULL);
	return (msg);
}

/* Exit: every relay's files are closed, with their events, before stop. */
void
capture_shutdown(struct fwrelay *sc)
{
	struct relay	*rl;

	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
		cap_stop(rl, "end");
}
