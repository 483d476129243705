/*
 * Run-time control: the HTTP/JSON control API (control.c), the counters
 * behind /metrics (metrics.c) and the privilege drop (priv.c).
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <stddef.h>

#include <jansson.h>

struct fwrelay;
struct evbuffer;
struct evhttp_request;
struct evhttp_connection;
struct event_base;
struct bufferevent;
struct cidr;
struct rule;

/* Largest request body the API reads; larger ones get 413. */
#define CONTROL_BODY_MAX	(64 * 1024)
/* Largest request head (and chunked trailer), line ends counted. */
#define CONTROL_HEADERS_MAX	16384

/* control.c */
/*
 * Open the control sockets the configuration names (control, control_tcp)
 * and serve the API on sc's loop. Call after the relays are listening.
 * Returns 0, or -1 with the reason logged.
 */
int		 control_init(struct fwrelay *);
/* Close the sockets and remove the unix socket's file. */
void		 control_free(struct fwrelay *);
/* The unix socket's path, or NULL (priv.c hands it to the new user). */
const char	*control_socket_path(struct fwrelay *);
/* "10.0.0.0/8" for a struct cidr; returns buf. */
const char	*control_cidr_str(const struct cidr *, char *, size_t);
/* A policy rule given as JSON (the config's keys); -1 with err set. */
int		 control_rule_from_json(json_t *, struct rule *, char *,
		    size_t);
struct relay_conf;
/*
 * A PATCH body applied to a copy of a relay's settings with the checks
 * the file has: 200 and *out, or an HTTP status and err.
 */
int		 control_patch_conf(json_t *, const struct relay_conf *,
		    struct relay_conf **, json_t *, json_t *, char *, size_t);

/* State-changing requests need this header with the value 1. */
#define CONTROL_GUARD_HEADER	"X-Fwrelay"
/* Event streams (GET /v1/events) open at once. */
#define CONTROL_UI_STREAMS	16

/* control_conn.c */
/* evhttp_set_bevcb's callback: a connection's bufferevent. */
struct bufferevent *control_conn_bev(struct event_base *, void *);
/*
 * Why the request was refused as it came ("body", "head", "length",
 * "fold" or "chunk": the API answers it and closes), or NULL. Call it
 * once for each request, in their order.
 */
const char	*control_conn_refused(struct evhttp_request *);
struct control_conn;
/* The framing without a connection (fuzz_control); free() frees it. */
struct control_conn *control_conn_detached(void);
const char	*control_conn_feed(struct control_conn *, struct evbuffer *,
		    size_t, size_t, size_t *);
/* evhttp_connection_set_closecb for a control connection. */
void		 control_conn_set_closecb(struct evhttp_connection *,
		    void (*)(struct evhttp_connection *, void *), void *);

/* control_ui.c */
/* Keep the last events and start the stream; with control_init. */
void		 control_ui_init(struct fwrelay *);
/* End the streams (the connections go with evhttp_free). */
void		 control_ui_free(struct fwrelay *);
/* Answer with the embedded file name; -1 when there is none. */
int		 control_ui_page(struct evhttp_request *, const char *);
/* Start an event stream on the request; -1 when too many are open. */
int		 control_ui_events(struct fwrelay *, struct evhttp_request *);
/* How many event streams are open. */
int		 control_ui_streams(void);

/* ui_assets.c, generated from src/ui/ by src/ui/embed.sh */
struct ui_asset {
	const char		*name;
	const char		*type;
	const unsigned char	*data;
	size_t			 len;
};
extern const struct ui_asset	ui_assets[];	/* ends with a NULL name */

/* metrics.c */
/* Start counting events (eventlog_observe); once, at start. */
void		 metrics_init(void);
/* The Prometheus text exposition (format 0.0.4) into buf. */
int		 metrics_render(struct fwrelay *, struct evbuffer *);
/* A label value escaped for the exposition format into buf. */
const char	*metrics_escape(const char *, char *, size_t);

/* priv.c */
/*
 * Switch to the configured user and group, keeping only the capabilities
 * the relays need (CAP_NET_ADMIN for transparent and intercept,
 * CAP_NET_BIND_SERVICE for ports below 1024). Call after every socket
 * that needs root is open. 0 (also when nothing is configured), or -1
 * with the reason logged.
 */
int		 priv_drop(struct fwrelay *);

#endif /* CONTROL_H */
