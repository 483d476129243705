/*
 * The request framing of the control connections, read before evhttp
 * reads it. libevent 2.1 refuses a body over its limit with its own HTML
 * 413 page before any callback of ours runs (evhttp_set_newreqcb is 2.2),
 * and a filter bufferevent cannot stand in front of evhttp: evhttp frees
 * the connection once the filter has passed the answer on, before the
 * socket has sent it, so an answer with "Connection: close" is lost.
 *
 * So each connection gets a plain socket bufferevent (evhttp_set_bevcb)
 * with a callback on its input buffer: it runs as the bytes arrive, before
 * evhttp's read callback, and follows the framing the way evhttp 2.1 does
 * (POST, PUT and PATCH have a body, chunked or of the first Content-Length
 * bytes; no other request has one). When a request goes past a limit, or
 * is framed in a way evhttp would refuse or that we do not follow (a bad
 * Content-Length, folded lines, a bad chunk size),
 * the rest of it is replaced by the end of a head (or a last chunk of 0),
 * so evhttp reads a request without a body, and the connection's state
 * says that this request, counted from the first, was refused and why:
 * control_request() answers it with the JSON error and closes the
 * connection. What the client sends after it is dropped as it comes.
 * evhttp is left its own limits a little above ours, should the two ever
 * read a request differently.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "fwrelay.h"
#include "control.h"

#define CONTROL_CHUNK_LINE_MAX	1024	/* a chunk size line at most */

enum cc_state {
	CC_HEAD,	/* the request line and the headers */
	CC_BODY,	/* cc_left bytes of a Content-Length body */
	CC_CHUNK,	/* a chunk size line */
	CC_DATA,	/* cc_left bytes of a chunk */
	CC_TRAILER,	/* the chunked body's trailer */
	CC_DROP		/* refused: what comes is dropped */
};

struct control_conn {
	TAILQ_ENTRY(control_conn) cc_entry;
	struct bufferevent	*cc_bev;
	struct evhttp_connection *cc_evcon;
	void			(*cc_closecb)(struct evhttp_connection *,
				    void *);
	void			*cc_closearg;
	enum cc_state		 cc_state;
	int			 cc_busy;	/* we change the buffer */
	size_t			 cc_scan;	/* input already read */
	size_t			 cc_seen;	/* past it, searched for LF */
	size_t			 cc_head;	/* head and trailer */
	int			 cc_lines;	/* lines of the head */
	int			 cc_hasbody;	/* POST, PUT or PATCH */
	int			 cc_seencl;
	int			 cc_seente;
	int			 cc_chunked;
	long long		 cc_length;	/* first Content-Length */
	uint64_t		 cc_left;
	uint64_t		 cc_body;	/* the chunked body so far */
	unsigned long long	 cc_nreq;	/* requests begun */
	unsigned long long	 cc_served;	/* requests answered */
	unsigned long long	 cc_refused;	/* that one, or 0 */
	const char		*cc_why;
};

static TAILQ_HEAD(, control_conn) cc_conns =
				    TAILQ_HEAD_INITIALIZER(cc_conns);

static void	 control_conn_input(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);
static void	 control_conn_closed(struct evhttp_connection *, void *);
static void	 control_conn_added(struct control_conn *, struct evbuffer *,
		    size_t);

struct bufferevent *
control_conn_bev(struct event_base *base, void *arg)
{
	struct bufferevent	*bev;

	(void)arg;
	/* Without BEV_OPT_CLOSE_ON_FREE, as evhttp makes its own. */
	if ((bev = bufferevent_socket_new(base, -1, 0)) == NULL)
		return (NULL);
	if (evbuffer_add_cb(bufferevent_get_input(bev), control_conn_input,
	    bev) == NULL) {
		bufferevent_free(bev);
		return (NULL);
	}
	return (bev);
}

static struct control_conn *
control_conn_find(struct bufferevent *bev, struct evhttp_connection *evcon)
{
	struct control_conn	*cc;

	TAILQ_FOREACH(cc, &cc_conns, cc_entry)
		if (cc->cc_bev == bev || (evcon != NULL &&
		    cc->cc_evcon == evcon))
			return (cc);
	return (NULL);
}

/* Start the next request's head. */
static void
control_conn_next(struct control_conn *cc)
{
	cc->cc_state = CC_HEAD;
	cc->cc_head = 0;
	cc->cc_lines = 0;
	cc->cc_hasbody = cc->cc_seencl = cc->cc_seente = cc->cc_chunked = 0;
	cc->cc_length = -1;
	cc->cc_left = cc->cc_body = 0;
	cc->cc_nreq++;
}

/*
 * The state of a connection, made when its first bytes come: evhttp has
 * set its callbacks on bev by then, their argument being the connection,
 * whose close callback frees the state.
 */
static struct control_conn *
control_conn_attach(struct bufferevent *bev)
{
	struct control_conn	*cc;
	void			*evcon = NULL;

	bufferevent_getcb(bev, NULL, NULL, NULL, &evcon);
	if (evcon == NULL || (cc = calloc(1, sizeof(*cc))) == NULL)
		return (NULL);
	cc->cc_bev = bev;
	cc->cc_evcon = evcon;
	control_conn_next(cc);
	evhttp_connection_set_closecb(cc->cc_evcon, control_conn_closed, cc);
	TAILQ_INSERT_TAIL(&cc_conns, cc, cc_entry);
	return (cc);
}

static void
control_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct control_conn	*cc = arg;

	if (cc->cc_closecb != NULL)
		cc->cc_closecb(evcon, cc->cc_closearg);
	evbuffer_remove_cb(bufferevent_get_input(cc->cc_bev),
	    control_conn_input, cc->cc_bev);
	TAILQ_REMOVE(&cc_conns, cc, cc_entry);
	free(cc);
}

void
control_conn_set_closecb(struct evhttp_connection *evcon,
    void (*cb)(struct evhttp_connection *, void *), void *arg)
{
	struct control_conn	*cc;

	if ((cc = control_conn_find(NULL, evcon)) == NULL) {
		evhttp_connection_set_closecb(evcon, cb, arg);
		return;
	}
	cc->cc_closecb = cb;
	cc->cc_closearg = arg;
}

/* Keep the first keep bytes of buf, then text and fill spaces. */
static void
control_conn_cut(struct evbuffer *buf, size_t keep, const char *text,
    size_t fill)
{
	struct evbuffer	*tmp;
	char		 sp[512];
	size_t		 n;

	if ((tmp = evbuffer_new()) == NULL) {
		evbuffer_drain(buf, evbuffer_get_length(buf));
		return;
	}
	evbuffer_remove_buffer(buf, tmp, keep);
	if (text != NULL)
		evbuffer_add(tmp, text, strlen(text));
	memset(sp, ' ', sizeof(sp));
	for (; fill > 0; fill -= n) {
		n = fill < sizeof(sp) ? fill : sizeof(sp);
		evbuffer_add(tmp, sp, n);
	}
	evbuffer_drain(buf, evbuffer_get_length(buf));
	/* Prepend: bufferevent_socket freezes the input's end. */
	evbuffer_prepend_buffer(buf, tmp);
	evbuffer_free(tmp);
}

/*
 * Refuse the request being read: from offset at on, in place of the rest,
 * the end of what evhttp has read of it. In the head, that is the end of
 * the head (after a request line if there was none yet) and the body the
 * headers before say: a last chunk, or Content-Length spaces (at most
 * CONTROL_BODY_MAX).
 */
static void
control_conn_refuse(struct control_conn *cc, struct evbuffer *buf,
    size_t at, const char *why)
{
	const char	*end = "\r\n";
	size_t		 fill = 0;

	if (cc->cc_state == CC_CHUNK)
		end = "0\r\n\r\n";
	else if (cc->cc_state == CC_HEAD && cc->cc_lines == 0)
		end = "GET / HTTP/1.1\r\n\r\n";
	else if (cc->cc_state == CC_HEAD && cc->cc_hasbody &&
	    cc->cc_chunked)
		end = "\r\n0\r\n\r\n";
	else if (cc->cc_state == CC_HEAD && cc->cc_hasbody &&
	    cc->cc_length > 0)
		fill = cc->cc_length;
	control_conn_cut(buf, at, end, fill);
	cc->cc_state = CC_DROP;
	cc->cc_scan = evbuffer_get_length(buf);
	cc->cc_seen = 0;
	cc->cc_refused = cc->cc_nreq;
	cc->cc_why = why;
}

const char *
control_conn_refused(struct evhttp_request *req)
{
	struct control_conn	*cc;
	struct evhttp_connection *evcon;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (cc = control_conn_find(NULL, evcon)) == NULL)
		return (NULL);
	return (++cc->cc_served == cc->cc_refused ? cc->cc_why : NULL);
}

/* A header line: the reason to refuse the request, or NULL. */
static const char *
control_conn_header(struct control_conn *cc, char *line)
{
	char		*v, *e;
	long long	 n;

	if (*line == ' ' || *line == '\t')
		return ("fold");
	if ((v = strchr(line, ':')) == NULL)
		return (NULL);		/* evhttp refuses it */
	*v++ = '\0';
	v += strspn(v, " \t");
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	if (strcasecmp(line, "Content-Length") == 0) {
		n = strtoll(v, &e, 10);
		if (*v == '\0' || *e != '\0' || n < 0)
			/* evhttp would refuse it, with its HTML page. */
			return (cc->cc_hasbody ? "length" : NULL);
		/* LLONG_MAX when it overflows. */
		if (n > CONTROL_BODY_MAX)
			return ("body");
		if (!cc->cc_seencl)
			cc->cc_length = n;
		cc->cc_seencl = 1;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0 &&
	    !cc->cc_seente) {
		cc->cc_seente = 1;
		cc->cc_chunked = strcasecmp(v, "chunked") == 0;
	}
	return (NULL);
}

/* A line of the head. */
static const char *
control_conn_head(struct control_conn *cc, char *line)
{
	if (cc->cc_lines++ == 0) {
		cc->cc_hasbody = strncmp(line, "POST ", 5) == 0 ||
		    strncmp(line, "PUT ", 4) == 0 ||
		    strncmp(line, "PATCH ", 6) == 0;
		return (NULL);
	}
	if (*line != '\0')
		return (control_conn_header(cc, line));
	if (cc->cc_hasbody && cc->cc_chunked) {
		cc->cc_state = CC_CHUNK;
	} else if (cc->cc_hasbody && cc->cc_length > 0) {
		cc->cc_state = CC_BODY;
		cc->cc_left = cc->cc_length;
	} else
		control_conn_next(cc);
	return (NULL);
}

/* A chunk size line, read as evhttp_handle_chunked_read reads it. */
static const char *
control_conn_chunk(struct control_conn *cc, const char *line)
{
	char		*e;
	long long	 n;

	if (*line == '\0')
		return (NULL);		/* the end of a chunk's data */
	n = strtoll(line, &e, 16);
	if ((*e != '\0' && *e != ' ') || n < 0)
		return ("chunk");
	if ((uint64_t)n > CONTROL_BODY_MAX - cc->cc_body)
		return ("body");
	cc->cc_body += n;
	cc->cc_left = n;
	cc->cc_state = n == 0 ? CC_TRAILER : CC_DATA;
	return (NULL);
}

/* One complete line in state cc_state: the reason to refuse, or NULL. */
static const char *
control_conn_line(struct control_conn *cc, char *line, size_t len,
    size_t eol)
{
	if (cc->cc_state == CC_CHUNK)
		return (len > CONTROL_CHUNK_LINE_MAX ? "chunk" :
		    control_conn_chunk(cc, line));
	cc->cc_head += len + eol;
	if (cc->cc_head > CONTROL_HEADERS_MAX)
		return ("head");
	if (cc->cc_state == CC_HEAD)
		return (control_conn_head(cc, line));
	/* The trailer: its fields are not read. */
	if (*line == '\0')
		control_conn_next(cc);
	return (NULL);
}

/* A body's bytes: counted, not read. */
static void
control_conn_skip(struct control_conn *cc, size_t avail)
{
	size_t	 n = avail < cc->cc_left ? avail : cc->cc_left;

	cc->cc_scan += n;
	cc->cc_seen = 0;
	cc->cc_left -= n;
	if (cc->cc_left > 0)
		return;
	if (cc->cc_state == CC_DATA)
		cc->cc_state = CC_CHUNK;
	else
		control_conn_next(cc);
}

/* No end of line yet: refuse when the line is already too long. */
static const char *
control_conn_partial(struct control_conn *cc, size_t avail)
{
	if (cc->cc_state == CC_CHUNK)
		return (avail > CONTROL_CHUNK_LINE_MAX ? "chunk" : NULL);
	return (cc->cc_head + avail > CONTROL_HEADERS_MAX ? "head" : NULL);
}

/* Read what came, line by line and body by body. */
static void
control_conn_read(struct control_conn *cc, struct evbuffer *buf)
{
	/* A line of the head, whole: a longer one is refused. */
	static char		 line[CONTROL_HEADERS_MAX + 1];
	struct evbuffer_ptr	 p;
	const char		*why;
	size_t			 len, eol;

	while ((len = evbuffer_get_length(buf)) > cc->cc_scan) {
		if (cc->cc_state == CC_BODY || cc->cc_state == CC_DATA) {
			control_conn_skip(cc, len - cc->cc_scan);
			continue;
		}
		/*
		 * Search only what came since the last search, from its last
		 * byte (a CR there may begin the CRLF): a line trickled a
		 * byte at a time costs its length, not its length squared.
		 */
		if (evbuffer_ptr_set(buf, &p, cc->cc_scan +
		    (cc->cc_seen > 0 ? cc->cc_seen - 1 : 0),
		    EVBUFFER_PTR_SET) == -1)
			return;
		p = evbuffer_search_eol(buf, &p, &eol, EVBUFFER_EOL_CRLF);
		if (p.pos == -1) {
			cc->cc_seen = len - cc->cc_scan;
			if ((why = control_conn_partial(cc,
			    len - cc->cc_scan)) != NULL)
				control_conn_refuse(cc, buf, cc->cc_scan, why);
			return;
		}
		cc->cc_seen = 0;
		len = p.pos - cc->cc_scan;
		evbuffer_ptr_set(buf, &p, cc->cc_scan, EVBUFFER_PTR_SET);
		evbuffer_copyout_from(buf, &p, line,
		    len < sizeof(line) ? len : sizeof(line) - 1);
		line[len < sizeof(line) ? len : sizeof(line) - 1] = '\0';
		if ((why = control_conn_line(cc, line, len, eol)) != NULL) {
			control_conn_refuse(cc, buf, cc->cc_scan, why);
			return;
		}
		cc->cc_scan += len + eol;
	}
}

/* evhttp took n bytes from the front of the input. */
static void
control_conn_deleted(struct control_conn *cc, size_t n)
{
	if (n > cc->cc_scan)	/* into what was searched: search again */
		cc->cc_seen = 0;
	cc->cc_scan -= n < cc->cc_scan ? n : cc->cc_scan;
}

/*
 * The input buffer changed: evhttp took bytes from its front, or bytes
 * came from the socket (before evhttp's read callback sees them).
 */
static void
control_conn_input(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct bufferevent	*bev = arg;
	struct control_conn	*cc;

	cc = control_conn_find(bev, NULL);
	if (cc != NULL && cc->cc_busy)
		return;
	if (cc != NULL)
		control_conn_deleted(cc, info->n_deleted);
	if (info->n_added == 0 ||
	    (cc == NULL && (cc = control_conn_attach(bev)) == NULL))
		return;
	control_conn_added(cc, buf, info->n_added);
}

/* n bytes came at the end of buf: read them, or drop them if refused. */
static void
control_conn_added(struct control_conn *cc, struct evbuffer *buf, size_t n)
{
	cc->cc_busy = 1;
	if (cc->cc_state == CC_DROP) {
		control_conn_cut(buf, evbuffer_get_length(buf) - n, NULL, 0);
		cc->cc_scan = evbuffer_get_length(buf);
	} else
		control_conn_read(cc, buf);
	cc->cc_busy = 0;
}

/*
 * The framing alone, for fuzz_control: a state with no connection, fed as
 * the input callback is (evhttp took deleted bytes from the front of buf,
 * added came at its end). Returns why the request was refused, or NULL;
 * *scanned is how much of buf has been read.
 */
struct control_conn *
control_conn_detached(void)
{
	struct control_conn	*cc;

	if ((cc = calloc(1, sizeof(*cc))) != NULL)
		control_conn_next(cc);
	return (cc);
}

const char *
control_conn_feed(struct control_conn *cc, struct evbuffer *buf,
    size_t deleted, size_t added, size_t *scanned)
{
	control_conn_deleted(cc, deleted);
	if (added > 0)
		control_conn_added(cc, buf, added);
	*scanned = cc->cc_scan;
	return (cc->cc_state == CC_DROP ? cc->cc_why : NULL);
}
