/*
 * The status page of the control API: GET / and /ui serve the page
 * embedded from src/ui/ (ui_assets.c, generated at build time), and GET
 * /v1/events streams the event log as Server-Sent Events. The stream gets
 * exactly what the log file gets (eventlog_tap), each event as one "data:"
 * line with an "id:" counting from 1; the last CONTROL_UI_RING events are
 * kept, so a new stream starts with them and a reconnecting browser's
 * Last-Event-ID resumes where it left off. A client that does not read
 * does not hold up the daemon: past CONTROL_UI_CLIENT_BUF unsent bytes its
 * events are skipped, counted, and reported to it as one "dropped" event
 * once it reads again.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "fwrelay.h"
#include "control.h"

#define CONTROL_UI_RING		100		/* events kept for a new stream */
#define CONTROL_UI_CLIENT_BUF	(256 * 1024)	/* unsent bytes per stream */
#define CONTROL_UI_PING		15		/* seconds between comments */
#define CONTROL_UI_WTIMEOUT	60		/* no write progress: close */

struct ui_client {
	TAILQ_ENTRY(ui_client)	 uc_entry;
	struct evhttp_request	*uc_req;
	struct evhttp_connection *uc_evcon;
	unsigned long long	 uc_dropped;
};

static TAILQ_HEAD(, ui_client)	 ui_clients =
				    TAILQ_HEAD_INITIALIZER(ui_clients);
static int			 ui_nclients;
static char			*ui_ring[CONTROL_UI_RING];
static unsigned long long	 ui_seq;	/* id of the last event */
static struct event		*ui_ping;

static void	control_ui_tap(const char *, void *);
static void	control_ui_send(struct ui_client *, struct evbuffer *);
static void	control_ui_closed(struct evhttp_connection *, void *);
static void	control_ui_pinged(evutil_socket_t, short, void *);

void
control_ui_init(struct fwrelay *sc)
{
	struct timeval	 tv = { CONTROL_UI_PING, 0 };

	if ((ui_ping = event_new(sc->sc_base, -1, EV_PERSIST,
	    control_ui_pinged, NULL)) != NULL)
		event_add(ui_ping, &tv);
	eventlog_tap(control_ui_tap, NULL);
}

void
control_ui_free(struct fwrelay *sc)
{
	struct ui_client	*uc;
	int			 i;

	(void)sc;
	eventlog_tap(NULL, NULL);
	/* evhttp_free, next, frees the connections and their requests. */
	while ((uc = TAILQ_FIRST(&ui_clients)) != NULL) {
		control_conn_set_closecb(uc->uc_evcon, NULL, NULL);
		TAILQ_REMOVE(&ui_clients, uc, uc_entry);
		free(uc);
	}
	ui_nclients = 0;
	for (i = 0; i < CONTROL_UI_RING; i++) {
		free(ui_ring[i]);
		ui_ring[i] = NULL;
	}
	if (ui_ping != NULL)
		event_free(ui_ping);
	ui_ping = NULL;
}

int
control_ui_page(struct evhttp_request *req, const char *name)
{
	const struct ui_asset	*a;
	struct evkeyvalq	*h;
	struct evbuffer		*buf;

	for (a = ui_assets; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			break;
	if (a->name == NULL)
		return (-1);
	if ((buf = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return (0);
	}
	evbuffer_add_reference(buf, a->data, a->len, NULL, NULL);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", a->type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	/* Nothing but our own files; no other site may frame the buttons. */
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; "
	    "script-src 'self'; style-src 'self'; img-src 'self' data:; "
	    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	    "form-action 'none'");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
	return (0);
}

int
control_ui_streams(void)
{
	return (ui_nclients);
}

/* One event as an SSE message into buf. */
static void
control_ui_message(struct evbuffer *buf, unsigned long long id,
    const char *line)
{
	evbuffer_add_printf(buf, "id: %llu\ndata: %s\n\n", id, line);
}

int
control_ui_events(struct fwrelay *sc, struct evhttp_request *req)
{
	struct ui_client	*uc;
	struct evhttp_connection *evcon;
	struct evkeyvalq	*h;
	struct evbuffer		*buf;
	struct timeval		 wt = { CONTROL_UI_WTIMEOUT, 0 };
	const char		*v;
	char			*end;
	unsigned long long	 from, id;

	(void)sc;
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		evhttp_send_reply(req, 200, "OK", NULL);
		return (0);
	}
	if (ui_nclients >= CONTROL_UI_STREAMS ||
	    (evcon = evhttp_request_get_connection(req)) == NULL)
		return (-1);
	if ((uc = calloc(1, sizeof(*uc))) == NULL ||
	    (buf = evbuffer_new()) == NULL) {
		free(uc);
		evhttp_send_error(req, 500, NULL);
		return (0);
	}
	uc->uc_req = req;
	uc->uc_evcon = evcon;
	TAILQ_INSERT_TAIL(&ui_clients, uc, uc_entry);
	ui_nclients++;
	control_conn_set_closecb(evcon, control_ui_closed, uc);

	/* The kept events after Last-Event-ID (all of them without one). */
	from = ui_seq >= CONTROL_UI_RING ? ui_seq - CONTROL_UI_RING + 1 : 1;
	v = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Last-Event-ID");
	if (v != NULL && *v >= '0' && *v <= '9') {
		errno = 0;
		id = strtoull(v, &end, 10);
		if (*end == '\0' && errno == 0 && id < ui_seq && id + 1 > from)
			from = id + 1;
		else if (*end == '\0' && errno == 0 && id >= ui_seq)
			from = ui_seq + 1;
	}
	evbuffer_add_printf(buf, "retry: 1000\n\n");
	for (id = from; id <= ui_seq; id++)
		if (ui_ring[id % CONTROL_UI_RING] != NULL)
			control_ui_message(buf, id,
			    ui_ring[id % CONTROL_UI_RING]);
	evhttp_send_reply_start(req, 200, "OK");
	/* No read timeout: the browser says nothing while it listens. */
	bufferevent_set_timeouts(evhttp_connection_get_bufferevent(evcon),
	    NULL, &wt);
	evhttp_send_reply_chunk(req, buf);
	evbuffer_free(buf);
	return (0);
}

/* Queue buf's messages on the stream unless too much is unsent. */
static void
control_ui_send(struct ui_client *uc, struct evbuffer *msg)
{
	struct bufferevent	*bev;
	struct evbuffer		*buf;

	bev = evhttp_connection_get_bufferevent(uc->uc_evcon);
	if (evbuffer_get_length(bufferevent_get_output(bev)) >
	    CONTROL_UI_CLIENT_BUF) {
		uc->uc_dropped++;
		return;
	}
	if ((buf = evbuffer_new()) == NULL) {
		uc->uc_dropped++;
		return;
	}
	if (uc->uc_dropped > 0) {
		evbuffer_add_printf(buf, "event: dropped\ndata: "
		    "{\"dropped\": %llu}\n\n", uc->uc_dropped);
		uc->uc_dropped = 0;
	}
	if (msg != NULL)
		evbuffer_add(buf, evbuffer_pullup(msg, -1),
		    evbuffer_get_length(msg));
	if (evbuffer_get_length(buf) > 0)
		evhttp_send_reply_chunk(uc->uc_req, buf);
	evbuffer_free(buf);
}

/* Every logged event: keep it, and pass it to each stream. */
static void
control_ui_tap(const char *line, void *arg)
{
	struct ui_client	*uc;
	struct evbuffer		*msg;
	size_t			 i;

	(void)arg;
	ui_seq++;
	i = ui_seq % CONTROL_UI_RING;
	free(ui_ring[i]);
	ui_ring[i] = strdup(line);
	if (TAILQ_EMPTY(&ui_clients) || (msg = evbuffer_new()) == NULL)
		return;
	control_ui_message(msg, ui_seq, line);
	TAILQ_FOREACH(uc, &ui_clients, uc_entry)
		control_ui_send(uc, msg);
	evbuffer_free(msg);
}

/* A comment now and then: a browser gone away shows as an error. */
static void
control_ui_pinged(evutil_socket_t fd, short what, void *arg)
{
	struct ui_client	*uc;
	struct evbuffer		*msg;

	(void)fd;
	(void)what;
	(void)arg;
	if (TAILQ_EMPTY(&ui_clients) || (msg = evbuffer_new()) == NULL)
		return;
	evbuffer_add_printf(msg, ": ping\n\n");
	TAILQ_FOREACH(uc, &ui_clients, uc_entry)
		control_ui_send(uc, msg);
	evbuffer_free(msg);
}

/*
 * The browser closed, or the write timed out: evhttp has taken the request
 * off the connection and frees the connection; ending the reply frees the
 * request.
 */
static void
control_ui_closed(struct evhttp_connection *evcon, void *arg)
{
	struct ui_client	*uc = arg;

	(void)evcon;
	TAILQ_REMOVE(&ui_clients, uc, uc_entry);
	ui_nclients--;
	if (evhttp_request_get_connection(uc->uc_req) == NULL)
		evhttp_send_reply_end(uc->uc_req);
	free(uc);
}
