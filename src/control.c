/*
 * The control API: HTTP/1.1 with JSON bodies (libevent's evhttp) on a unix
 * socket (mode 0600) and optionally on a loopback TCP port. It reads the
 * running state (relays, connections, counters) and changes what new
 * connections get: PATCH swaps in a modified copy of the relay's
 * relay_conf, so established connections keep the snapshot they hold.
 * Every answer is JSON, errors as {"error": "..."} with a 4xx status;
 * nothing a client sends can do more than get a 4xx. A reload (SIGHUP or
 * POST /v1/reload) builds the relays anew from the file: PATCHed settings
 * and run-time faults last until then.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "config.h"
#include "fwrelay.h"
#include "control.h"
#include "fault.h"

#define CONTROL_TIMEOUT		30
#define CONTROL_SEGMENTS	6

struct control {
	struct evhttp	*ct_http;
	char		*ct_path;	/* unix socket, or NULL */
	struct timeval	 ct_started;
};

/* One request being answered. */
struct ctl_req {
	struct evhttp_request	*req;
	struct fwrelay		*sc;
	enum evhttp_cmd_type	 method;
	char			*seg[CONTROL_SEGMENTS];
	int			 nseg;
};

static void	 control_request(struct evhttp_request *, void *);
static void	 control_handle(struct evhttp_request *, void *);
static void	 control_reply(struct ctl_req *, int, json_t *);
static void	 control_error(struct ctl_req *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 control_method(struct ctl_req *, const char *);
static json_t	*control_body(struct ctl_req *);
static int	 control_refused(struct ctl_req *);
static int	 control_unix(struct control *, const char *);
static int	 control_tcp(struct control *, const char *);
static json_t	*control_relay_json(struct relay *);
static json_t	*control_capture_json(struct relay *);
static json_t	*control_conn_json(struct conn *);
static json_t	*control_policy_json(const struct policy *);
static void	 control_swap_conf(struct relay *, struct relay_conf *);
static void	 control_status(struct ctl_req *);
static void	 control_relays(struct ctl_req *);
static void	 control_relay(struct ctl_req *);
static void	 control_patch(struct ctl_req *, struct relay *);
static int	 control_patch_capture(json_t *, const struct relay_conf *,
		    struct relay_conf *, json_t *, json_t *, char *, size_t);
static void	 control_faults(struct ctl_req *, struct relay *);
static void	 control_conns(struct ctl_req *);
static void	 control_pinholes(struct ctl_req *);
static void	 control_reload(struct ctl_req *);
static void	 control_metrics(struct ctl_req *);
static void	 control_mode_event(struct relay *, json_t *, json_t *);
static int	 control_guard(struct ctl_req *);
static void	 control_page(struct ctl_req *, const char *);
static void	 control_events(struct ctl_req *);

static const char *
control_reason(int code)
{
	switch (code) {
	case 200:
		return ("OK");
	case 201:
		return ("Created");
	case 400:
		return ("Bad Request");
	case 403:
		return ("Forbidden");
	case 404:
		return ("Not Found");
	case 405:
		return ("Method Not Allowed");
	case 409:
		return ("Conflict");
	case 413:
		return ("Payload Too Large");
	case 422:
		return ("Unprocessable Entity");
	case 500:
		return ("Internal Server Error");
	case 503:
		return ("Service Unavailable");
	}
	return ("Unknown");
}

int
control_init(struct fwrelay *sc)
{
	struct fwrelay_conf	*conf = sc->sc_conf;
	struct control		*ct;

	/* Without an API nobody reads the counters: do not count. */
	if (conf->control == NULL && conf->control_tcp == NULL)
		return (0);
	metrics_init();
	if ((ct = calloc(1, sizeof(*ct))) == NULL) {
		log_warn("%s: calloc", __func__);
		return (-1);
	}
	gettimeofday(&ct->ct_started, NULL);
	if ((ct->ct_http = evhttp_new(sc->sc_base)) == NULL) {
		log_warnx("%s: evhttp_new failed", __func__);
		free(ct);
		return (-1);
	}
	/*
	 * evhttp refuses a request past its own limits with an HTML page,
	 * before we see it. control_conn.c reads the framing first and
	 * refuses such requests itself (control_refused answers them), so
	 * evhttp's limits, a little above ours, are only a backstop.
	 */
	evhttp_set_bevcb(ct->ct_http, control_conn_bev, NULL);
	evhttp_set_max_body_size(ct->ct_http, CONTROL_BODY_MAX);
	evhttp_set_max_headers_size(ct->ct_http, CONTROL_HEADERS_MAX + 1024);
	evhttp_set_timeout(ct->ct_http, CONTROL_TIMEOUT);
	evhttp_set_allowed_methods(ct->ct_http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(ct->ct_http, control_request, sc);
	sc->sc_control = ct;
	control_ui_init(sc);
	if (conf->control != NULL && control_unix(ct, conf->control) == -1)
		goto fail;
	if (conf->control_tcp != NULL &&
	    control_tcp(ct, conf->control_tcp) == -1)
		goto fail;
	return (0);
 fail:
	control_free(sc);
	return (-1);
}

void
control_free(struct fwrelay *sc)
{
	struct control	*ct = sc->sc_control;

	if (ct == NULL)
		return;
	control_ui_free(sc);
	if (ct->ct_http != NULL)
		evhttp_free(ct->ct_http);
	if (ct->ct_path != NULL) {
		unlink(ct->ct_path);
		free(ct->ct_path);
	}
	free(ct);
	sc->sc_control = NULL;
}

const char *
control_socket_path(struct fwrelay *sc)
{
	struct control	*ct = sc->sc_control;

	return (ct != NULL ? ct->ct_path : NULL);
}

/* Bind the unix socket, 0600 from the start (umask), replacing a stale one. */
static int
control_unix(struct control *ct, const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 s, t;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return (-1);
	}
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("control: %s exists and is not a socket",
			    path);
			return (-1);
		}
		/* A daemon still answering there keeps it. */
		if ((t = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) !=
		    -1) {
			if (connect(t, (struct sockaddr *)&sun,
			    sizeof(sun)) == 0) {
				close(t);
				log_warnx("control: %s is in use by another "
				    "process", path);
				return (-1);
			}
			close(t);
		}
		unlink(path);
	}
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		log_warn("control: socket");
		return (-1);
	}
	old = umask(0177);
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("control: bind %s", path);
		goto fail;
	}
	umask(old);
	if (chmod(path, 0600) == -1 || listen(s, 16) == -1) {
		log_warn("control: %s", path);
		unlink(path);
		goto fail;
	}
	if (evhttp_accept_socket_with_handle(ct->ct_http, s) == NULL) {
		log_warnx("control: cannot serve on %s", path);
		unlink(path);
		goto fail;
	}
	if ((ct->ct_path = strdup(path)) == NULL) {
		log_warn("%s: strdup", __func__);
		return (-1);
	}
	log_info("control API on %s", path);
	return (0);
 fail:
	close(s);
	return (-1);
}

/* The loopback TCP port (config.c checked that it is loopback). */
static int
control_tcp(struct control *ct, const char *spec)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*errstr;
	int			 s, on = 1;

	if (addr_parse(spec, ADDR_PORT_REQUIRED, &ss, &len, NULL, NULL,
	    &errstr) == -1) {
		log_warnx("control_tcp %s: %s", spec, errstr);
		return (-1);
	}
	if (!addr_is_loopback((struct sockaddr *)&ss)) {
		log_warnx("control_tcp %s is not a loopback address", spec);
		return (-1);
	}
	if ((s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1) {
		log_warn("control_tcp: socket");
		return (-1);
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(s, (struct sockaddr *)&ss, len) == -1 ||
	    listen(s, 16) == -1) {
		log_warn("control_tcp: %s", spec);
		close(s);
		return (-1);
	}
	if (evhttp_accept_socket_with_handle(ct->ct_http, s) == NULL) {
		log_warnx("control_tcp: cannot serve on %s", spec);
		close(s);
		return (-1);
	}
	log_info("control API on %s", spec);
	return (0);
}

/* Answer with a JSON document (taken over) and the status code. */
static void
control_reply(struct ctl_req *r, int code, json_t *doc)
{
	struct evbuffer	*buf;
	char		*s = NULL;

	if (doc != NULL)
		s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(9));
	json_decref(doc);
	if ((buf = evbuffer_new()) == NULL) {
		free(s);
		evhttp_send_error(r->req, 500, NULL);
		return;
	}
	if (s == NULL) {
		code = 500;
		evbuffer_add_printf(buf, "{\"error\": \"out of memory\"}\n");
	} else
		evbuffer_add_printf(buf, "%s\n", s);
	free(s);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Content-Type", "application/json");
	evhttp_send_reply(r->req, code, control_reason(code), buf);
	evbuffer_free(buf);
}

static void
control_error(struct ctl_req *r, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[FWRELAY_ERR_MAX];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	control_reply(r, code, json_pack("{s:s}", "error", msg));
}

/* 405 naming the methods the resource has. */
static void
control_method(struct ctl_req *r, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow",
	    allow);
	control_error(r, 405, "method not allowed here (allowed: %s)", allow);
}

/* The request body as a JSON object; NULL when an error was sent. */
static json_t *
control_body(struct ctl_req *r)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(r->req);
	json_error_t	 jerr;
	json_t		*doc;
	size_t		 len = evbuffer_get_length(in);
	unsigned char	*p;

	if (len > CONTROL_BODY_MAX) {
		control_error(r, 413, "request body larger than %d bytes",
		    CONTROL_BODY_MAX);
		return (NULL);
	}
	if (len == 0) {
		control_error(r, 400, "a JSON object is required as the body");
		return (NULL);
	}
	if ((p = evbuffer_pullup(in, -1)) == NULL) {
		control_error(r, 500, "out of memory");
		return (NULL);
	}
	doc = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		control_error(r, 400, "malformed JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		return (NULL);
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		control_error(r, 400, "the body must be a JSON object");
		return (NULL);
	}
	return (doc);
}

/*
 * A request control_conn.c refused, its body or head too large or its
 * framing one we do not read: the JSON error, and the connection closed
 * (the rest of the request was dropped). -1 when it was answered.
 */
static int
control_refused(struct ctl_req *r)
{
	const char	*why;

	if ((why = control_conn_refused(r->req)) == NULL)
		return (0);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Connection", "close");
	if (strcmp(why, "body") == 0)
		control_error(r, 413, "request body larger than %d bytes",
		    CONTROL_BODY_MAX);
	else if (strcmp(why, "head") == 0)
		control_error(r, 413, "request head larger than %d bytes",
		    CONTROL_HEADERS_MAX);
	else if (strcmp(why, "length") == 0)
		control_error(r, 400, "bad Content-Length");
	else if (strcmp(why, "fold") == 0)
		control_error(r, 400, "folded header lines are not accepted");
	else
		control_error(r, 400, "malformed chunked body");
	return (-1);
}

/* Split the path into segments; -1 when it is not one of ours. */
static int
control_split(struct ctl_req *r, char *path)
{
	char	*p, *s;

	if (path[0] != '/')
		return (-1);
	for (p = path + 1; (s = strsep(&p, "/")) != NULL;) {
		if (*s == '\0') {
			/* A trailing slash is tolerated, empty segments not. */
			if (p == NULL && r->nseg > 0)
				break;
			return (-1);
		}
		if (r->nseg == CONTROL_SEGMENTS || strlen(s) > 128)
			return (-1);
		r->seg[r->nseg++] = s;
	}
	return (0);
}

/*
 * Every request sees and changes all workers: the others wait between
 * two of their callbacks while it runs (worker.c).
 */
static void
control_request(struct evhttp_request *req, void *arg)
{
	workers_pause();
	control_handle(req, arg);
	workers_resume();
}

static void
control_handle(struct evhttp_request *req, void *arg)
{
	struct ctl_req		 r;
	const struct evhttp_uri	*uri;
	const char		*path;
	char			*copy = NULL;

	memset(&r, 0, sizeof(r));
	r.req = req;
	r.sc = arg;
	r.method = evhttp_request_get_command(req);
	if (r.method == EVHTTP_REQ_HEAD)
		r.method = EVHTTP_REQ_GET;
	if (control_refused(&r) == -1)
		return;
	if ((uri = evhttp_request_get_evhttp_uri(req)) == NULL ||
	    (path = evhttp_uri_get_path(uri)) == NULL) {
		control_error(&r, 400, "bad request URI");
		return;
	}
	if (control_guard(&r) == -1)
		return;
	if (strcmp(path, "/") == 0) {
		control_page(&r, "index.html");
		return;
	}
	if ((copy = strdup(path)) == NULL) {
		control_error(&r, 500, "out of memory");
		return;
	}
	if (control_split(&r, copy) == -1 || r.nseg == 0)
		goto notfound;
	if (strcmp(r.seg[0], "ui") == 0 && r.nseg <= 2) {
		control_page(&r, r.nseg == 1 ? "index.html" : r.seg[1]);
		goto done;
	}

	if (r.nseg == 1 && strcmp(r.seg[0], "metrics") == 0) {
		if (r.method != EVHTTP_REQ_GET)
			control_method(&r, "GET, HEAD");
		else
			control_metrics(&r);
		goto done;
	}
	if (strcmp(r.seg[0], "v1") != 0 || r.nseg < 2)
		goto notfound;
	if (strcmp(r.seg[1], "status") == 0 && r.nseg == 2) {
		if (r.method != EVHTTP_REQ_GET)
			control_method(&r, "GET, HEAD");
		else
			control_status(&r);
	} else if (strcmp(r.seg[1], "relays") == 0 && r.nseg == 2) {
		if (r.method != EVHTTP_REQ_GET)
			control_method(&r, "GET, HEAD");
		else
			control_relays(&r);
	} else if (strcmp(r.seg[1], "relays") == 0)
		control_relay(&r);
	else if (strcmp(r.seg[1], "connections") == 0 && r.nseg <= 3)
		control_conns(&r);
	else if (strcmp(r.seg[1], "pinholes") == 0 && r.nseg == 2) {
		if (r.method != EVHTTP_REQ_GET)
			control_method(&r, "GET, HEAD");
		else
			control_pinholes(&r);
	} else if (strcmp(r.seg[1], "events") == 0 && r.nseg == 2) {
		if (r.method != EVHTTP_REQ_GET)
			control_method(&r, "GET, HEAD");
		else
			control_events(&r);
	} else if (strcmp(r.seg[1], "reload") == 0 && r.nseg == 2) {
		if (r.method != EVHTTP_REQ_POST)
			control_method(&r, "POST");
		else
			control_reload(&r);
	} else
		goto notfound;
 done:
	free(copy);
	return;
 notfound:
	control_error(&r, 404, "no such resource: %s", path);
	free(copy);
}

const char *
control_cidr_str(const struct cidr *cd, char *buf, size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	if (inet_ntop(cd->family, cd->addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%d", a, cd->prefix);
	return (buf);
}

static json_t *
control_policy_json(const struct policy *pol)
{
	const struct rule	*ru;
	json_t			*a, *o;
	char			 buf[INET6_ADDRSTRLEN + 8];
	size_t			 i;

	if (!pol->present)
		return (json_null());
	a = json_array();
	for (i = 0; i < pol->nrules; i++) {
		ru = &pol->rules[i];
		o = json_object();
		json_object_set_new(o, "action", json_string(
		    ru->action == RULE_ALLOW ? "allow" : "deny"));
		if (ru->action == RULE_DENY)
			json_object_set_new(o, "deny",
			    json_string(deny_style_name(ru->deny)));
		if (ru->has_from)
			json_object_set_new(o, "from", json_string(
			    control_cidr_str(&ru->from, buf, sizeof(buf))));
		if (ru->has_to)
			json_object_set_new(o, "to", json_string(
			    control_cidr_str(&ru->to, buf, sizeof(buf))));
		if (ru->port_lo != 0 && ru->port_lo == ru->port_hi)
			json_object_set_new(o, "port",
			    json_integer(ru->port_lo));
		else if (ru->port_lo != 0) {
			snprintf(buf, sizeof(buf), "%d-%d", ru->port_lo,
			    ru->port_hi);
			json_object_set_new(o, "port", json_string(buf));
		}
		if (ru->line > 0)
			json_object_set_new(o, "line", json_integer(ru->line));
		json_array_append_new(a, o);
	}
	return (a);
}

/* The relay's configuration as it applies to new connections. */
/*
 * A relay's capture over the workers: each writes its own files, so the
 * counts are the sums, and each worker's own state is in "workers".
 */
static json_t *
control_capture_json(struct relay *rl)
{
	static const char *const sums[] = { "max_bytes", "bytes", "dropped",
	    "files_open", "files_kept", NULL };
	struct fwrelay	*w;
	struct relay	*wrl;
	json_t		*o = NULL, *a, *st;
	unsigned int	 k;
	int		 i;

	if (fw_nworkers == 1)
		return (capture_json(rl));
	a = json_array();
	WORKERS_FOREACH(w, k) {
		if ((wrl = k == 0 ? rl : worker_relay(w, rl)) == NULL)
			continue;
		/* json_is_object() takes its argument twice. */
		st = capture_json(wrl);
		if (!json_is_object(st))
			continue;
		if (o == NULL) {
			o = json_deep_copy(st);
			json_object_del(o, "file");
		} else
			for (i = 0; sums[i] != NULL; i++)
				json_object_set_new(o, sums[i], json_integer(
				    json_integer_value(json_object_get(o,
				    sums[i])) + json_integer_value(
				    json_object_get(st, sums[i]))));
		json_object_set_new(st, "worker", json_integer(k));
		json_array_append_new(a, st);
	}
	if (o == NULL) {
		json_decref(a);
		return (json_null());
	}
	json_object_set_new(o, "workers", a);
	return (o);
}

static json_t *
control_relay_json(struct relay *rl)
{
	struct relay_conf	*rc = rl->rl_conf;
	struct relay_stats	 sum, *st = &sum;
	struct fwrelay		*w;
	struct relay		*wrl;
	unsigned int		 k, nconns = 0;
	json_t			*o, *s, *wa = NULL;
	char			 buf[ADDR_STRLEN + 16], host[ADDR_STRLEN];

	/* The relay on every worker, counted as one. */
	memset(&sum, 0, sizeof(sum));
	if (fw_nworkers > 1)
		wa = json_array();
	WORKERS_FOREACH(w, k) {
		if ((wrl = k == 0 ? rl : worker_relay(w, rl)) == NULL)
			continue;
		sum.accepted += wrl->rl_stats.accepted;
		sum.allowed += wrl->rl_stats.allowed;
		sum.denied += wrl->rl_stats.denied;
		sum.connected += wrl->rl_stats.connected;
		sum.connect_failed += wrl->rl_stats.connect_failed;
		sum.closed += wrl->rl_stats.closed;
		sum.limited += wrl->rl_stats.limited;
		sum.bytes_from_client += wrl->rl_stats.bytes_from_client;
		sum.bytes_from_target += wrl->rl_stats.bytes_from_target;
		nconns += wrl->rl_nconns;
		if (wa != NULL)
			json_array_append_new(wa, json_pack("{s:i, s:i, s:I}",
			    "worker", k, "connections", wrl->rl_nconns,
			    "accepted", (json_int_t)wrl->rl_stats.accepted));
	}

	o = json_object();
	json_object_set_new(o, "name", json_string(rl->rl_name));
	addr_host_str((struct sockaddr *)&rc->listen, host, sizeof(host));
	if (rc->listen_lo == rc->listen_hi)
		addr_str((struct sockaddr *)&rc->listen, buf, sizeof(buf));
	else if (rc->listen.ss_family == AF_INET6)
		snprintf(buf, sizeof(buf), "[%s]:%d-%d", host, rc->listen_lo,
		    rc->listen_hi);
	else
		snprintf(buf, sizeof(buf), "%s:%d-%d", host, rc->listen_lo,
		    rc->listen_hi);
	json_object_set_new(o, "listen", json_string(buf));
	switch (rc->target_kind) {
	case TARGET_ORIGINAL:
		json_object_set_new(o, "target", json_string("original"));
		break;
	case TARGET_SAME_PORT:
		json_object_set_new(o, "target", json_string(addr_host_str(
		    (struct sockaddr *)&rc->target, buf, sizeof(buf))));
		break;
	case TARGET_ADDR:
		json_object_set_new(o, "target", json_string(addr_str(
		    (struct sockaddr *)&rc->target, buf, sizeof(buf))));
		break;
	}
	json_object_set_new(o, "enabled", json_boolean(rc->enabled));
	json_object_set_new(o, "intercept", json_boolean(rc->intercept));
	json_object_set_new(o, "source",
	    json_string(source_mode_name(rc->source)));
	json_object_set_new(o, "source_address", rc->has_source_address ?
	    json_string(addr_host_str((struct sockaddr *)&rc->source_address,
	    buf, sizeof(buf))) : json_null());
	switch (rc->source_port) {
	case SOURCE_PORT_ANY:
		json_object_set_new(o, "source_port", json_string("any"));
		break;
	case SOURCE_PORT_PRESERVE:
		json_object_set_new(o, "source_port", json_string("preserve"));
		break;
	case SOURCE_PORT_RANGE:
		snprintf(buf, sizeof(buf), "%d-%d", rc->source_port_lo,
		    rc->source_port_hi);
		json_object_set_new(o, "source_port", json_string(buf));
		break;
	}
	json_object_set_new(o, "protocol",
	    json_string(protocol_name(rc->protocol)));
	json_object_set_new(o, "strict", json_boolean(rc->strict != STRICT_OFF));
	json_object_set_new(o, "strict_mode", json_string(rc->strict ==
	    STRICT_CONFORMANCE ? "conformance" : rc->strict == STRICT_FRAMING ?
	    "framing" : "off"));
	json_object_set_new(o, "capture", rc->capture[0] != '\0' ?
	    json_string(rc->capture) : json_null());
	json_object_set_new(o, "capture_mode",
	    json_string(capture_mode_name(rc->capture_mode)));
	json_object_set_new(o, "capture_state", control_capture_json(rl));
	json_object_set_new(o, "max_connections",
	    json_integer(rc->max_connections));
	json_object_set_new(o, "buffer_size",
	    json_integer((json_int_t)rc->buffer_size));
	json_object_set_new(o, "timeouts", json_pack("{s:f, s:f}",
	    "connect", rc->connect_timeout, "idle", rc->idle_timeout));
	json_object_set_new(o, "policy", control_policy_json(&rc->policy));
	json_object_set_new(o, "faults", fault_list_json(rl));
	json_object_set_new(o, "connections", json_integer(nconns));
	if (wa != NULL)
		json_object_set_new(o, "workers", wa);
	s = json_object();
	json_object_set_new(s, "accepted", json_integer(st->accepted));
	json_object_set_new(s, "allowed", json_integer(st->allowed));
	json_object_set_new(s, "denied", json_integer(st->denied));
	json_object_set_new(s, "connected", json_integer(st->connected));
	json_object_set_new(s, "connect_failed",
	    json_integer(st->connect_failed));
	json_object_set_new(s, "closed", json_integer(st->closed));
	json_object_set_new(s, "limited", json_integer(st->limited));
	json_object_set_new(s, "bytes_from_client",
	    json_integer(st->bytes_from_client));
	json_object_set_new(s, "bytes_from_target",
	    json_integer(st->bytes_from_target));
	json_object_set_new(o, "stats", s);
	return (o);
}

static json_t *
control_conn_json(struct conn *c)
{
	struct timeval	 now, age;
	json_t		*o;
	char		 buf[ADDR_STRLEN];

	gettimeofday(&now, NULL);
	timersub(&now, &c->c_start, &age);
	o = json_object();
	json_object_set_new(o, "id", json_integer((json_int_t)c->c_id));
	if (fw_nworkers > 1)
		json_object_set_new(o, "worker", json_integer(c->c_worker));
	json_object_set_new(o, "relay", json_string(c->c_relay->rl_name));
	json_object_set_new(o, "client", json_string(addr_str(
	    (struct sockaddr *)&c->c_client.cs_addr, buf, sizeof(buf))));
	json_object_set_new(o, "client_local", json_string(addr_str(
	    (struct sockaddr *)&c->c_client.cs_local, buf, sizeof(buf))));
	json_object_set_new(o, "target",
	    c->c_target.cs_addr.ss_family != AF_UNSPEC ? json_string(addr_str(
	    (struct sockaddr *)&c->c_target.cs_addr, buf, sizeof(buf))) :
	    json_null());
	json_object_set_new(o, "target_local",
	    conn_side_local(&c->c_target)->sa_family != AF_UNSPEC ?
	    json_string(addr_str(conn_side_local(&c->c_target), buf,
	    sizeof(buf))) : json_null());
	json_object_set_new(o, "bytes_from_client",
	    json_integer((json_int_t)c->c_client.cs_bytes));
	json_object_set_new(o, "bytes_from_target",
	    json_integer((json_int_t)c->c_target.cs_bytes));
	json_object_set_new(o, "age", json_real(tv_to_double(&age)));
	json_object_set_new(o, "client_state",
	    json_string(side_state_name(c->c_client.cs_state)));
	json_object_set_new(o, "target_state",
	    json_string(side_state_name(c->c_target.cs_state)));
	json_object_set_new(o, "source",
	    json_string(source_mode_name(c->c_conf->source)));
	json_object_set_new(o, "inspector", c->c_insp != NULL ?
	    json_string(c->c_insp->name) : json_null());
	/* What the decoder knows so far: TPDUs, interfaces, open calls. */
	json_object_set_new(o, "inspector_state", c->c_insp != NULL &&
	    c->c_insp->state != NULL && c->c_insp_state != NULL ?
	    c->c_insp->state(c) : json_null());
	json_object_set_new(o, "faults", fault_conn_json(c));
	return (o);
}

static void
control_status(struct ctl_req *r)
{
	struct fwrelay	*sc = r->sc, *w;
	struct control	*ct = sc->sc_control;
	struct relay	*rl;
	struct timeval	 now, up;
	unsigned int	 k, nconns = 0;
	json_t		*o;
	char		 ts[40], path[PATH_MAX];
	int		 n = 0;

	TAILQ_FOREACH(rl, &sc->sc_relays, rl_entry)
		if (!rl->rl_removed && rl->rl_pinhole == NULL)
			n++;
	gettimeofday(&now, NULL);
	timersub(&now, &ct->ct_started, &up);
	o = json_object();
	json_object_set_new(o, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "config", json_string(realpath(
	    sc->sc_conffile, path) != NULL ? path : sc->sc_conffile));
	json_object_set_new(o, "event_log",
	    json_string(sc->sc_conf->event_log));
	json_object_set_new(o, "started", json_string(eventlog_timestamp(
	    &ct->ct_started, ts, sizeof(ts))));
	json_object_set_new(o, "uptime", json_real(tv_to_double(&up)));
	json_object_set_new(o, "relays", json_integer(n));
	WORKERS_FOREACH(w, k)
		nconns += w->sc_nconns;
	json_object_set_new(o, "connections", json_integer(nconns));
	json_object_set_new(o, "workers", json_integer(fw_nworkers));
	json_object_set_new(o, "stopping", json_boolean(sc->sc_stopping));
	json_object_set_new(o, "uid", json_integer(getuid()));
	json_object_set_new(o, "event_streams",
	    json_integer(control_ui_streams()));
	control_reply(r, 200, o);
}

static void
control_relays(struct ctl_req *r)
{
	struct relay	*rl;
	json_t		*a;

	a = json_array();
	TAILQ_FOREACH(rl, &r->sc->sc_relays, rl_entry)
		if (!rl->rl_removed && rl->rl_pinhole == NULL)
			json_array_append_new(a, control_relay_json(rl));
	control_reply(r, 200, json_pack("{s:o}", "relays", a));
}

/* /v1/relays/NAME and /v1/relays/NAME/faults[/ID]. */
static void
control_relay(struct ctl_req *r)
{
	struct relay	*rl;

	if ((rl = relay_find(r->sc, r->seg[2])) == NULL) {
		control_error(r, 404, "no relay named '%s'", r->seg[2]);
		return;
	}
	if (r->nseg == 3) {
		if (r->method == EVHTTP_REQ_GET)
			control_reply(r, 200, control_relay_json(rl));
		else if (r->method == EVHTTP_REQ_PATCH)
			control_patch(r, rl);
		else
			control_method(r, "GET, HEAD, PATCH");
		return;
	}
	if (strcmp(r->seg[3], "faults") == 0 && r->nseg <= 5) {
		control_faults(r, rl);
		return;
	}
	control_error(r, 404, "no such resource under relay '%s'",
	    rl->rl_name);
}

/* Put a modified copy in place: only new connections see it. */
static void
control_swap_conf(struct relay *rl, struct relay_conf *rc)
{
	struct relay_conf	*old = rl->rl_conf;

	rc->refcnt = 1;
	rl->rl_conf = rc;
	relay_conf_unref(old);
}

static void
control_mode_event(struct relay *rl, json_t *changes, json_t *previous)
{
	json_t	*ev;

	if ((ev = eventlog_new_level(LOG_LEVEL_ERROR, "mode_change")) ==
	    NULL)
		return;
	eventlog_str(ev, "relay", rl->rl_name);
	eventlog_str(ev, "by", "control");
	json_object_set(ev, "changes", changes);
	if (previous != NULL)
		json_object_set(ev, "previous", previous);
	eventlog_emit(ev);
}

/*
 * The first problem a shared check reports (char[FWRELAY_ERR_MAX] arg).
 * The file names the key by its line; the API, which has no lines, puts
 * the key first where the message does not name it.
 */
static void
control_first_error(void *arg, const char *key, const char *msg)
{
	char	*buf = arg;

	if (buf[0] != '\0')
		return;
	if (key != NULL && strstr(msg, key) == NULL)
		snprintf(buf, FWRELAY_ERR_MAX, "'%s': %s", key, msg);
	else
		snprintf(buf, FWRELAY_ERR_MAX, "%s", msg);
}

/*
 * A policy rule given as JSON: the checks of the configuration file
 * (config_rule_check), first problem into err. "line", which GET shows,
 * is accepted and ignored.
 */
int
control_rule_from_json(json_t *o, struct rule *ru, char *err, size_t errlen)
{
	char	 first[FWRELAY_ERR_MAX] = "";
	json_t	*copy = NULL;
	int	 ret;

	if (json_is_object(o) && json_object_get(o, "line") != NULL) {
		if ((copy = json_copy(o)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return (-1);
		}
		json_object_del(copy, "line");
		o = copy;
	}
	ret = config_rule_check(o, ru, control_first_error, first);
	json_decref(copy);
	if (ret == -1)
		snprintf(err, errlen, "%s", first);
	return (ret);
}

/* PATCH source and source_address into rc (a copy of cur). */
static int
control_patch_source(json_t *body, const struct relay_conf *cur,
    struct relay_conf *rc, json_t *changes, json_t *prev, char *err,
    size_t errlen)
{
	char	 buf[ADDR_STRLEN];
	json_t	*v, *keys;
	int	 given = 0;

	err[0] = '\0';
	if ((keys = json_object()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (500);
	}
	if ((v = json_object_get(body, "source")) != NULL)
		json_object_set(keys, "source", v);
	if ((v = json_object_get(body, "source_address")) != NULL) {
		json_object_set(keys, "source_address", v);
		given |= CHECK_GIVEN_ADDRESS;
	}
	if (config_source_keys(keys, rc, control_first_error, err) == -1) {
		json_decref(keys);
		return (422);
	}
	json_decref(keys);
	if ((v = json_object_get(body, "source")) != NULL) {
		json_object_set(changes, "source", v);
		json_object_set_new(prev, "source",
		    json_string(source_mode_name(cur->source)));
	}
	if ((v = json_object_get(body, "source_address")) != NULL)
		json_object_set(changes, "source_address", v);
	if (given || json_object_get(changes, "source") != NULL)
		json_object_set_new(prev, "source_address",
		    cur->has_source_address ? json_string(addr_host_str(
		    (const struct sockaddr *)&cur->source_address, buf,
		    sizeof(buf))) : json_null());

	/*
	 * A change is incremental: switching to transparent drops the old
	 * source_address, and a source_port the new mode cannot use goes
	 * back to "any". What the caller set is checked as the file is.
	 */
	if (rc->source == SOURCE_TRANSPARENT && rc->has_source_address &&
	    !(given & CHECK_GIVEN_ADDRESS)) {
		rc->has_source_address = 0;
		json_object_set_new(changes, "source_address", json_null());
	}
	if ((rc->source_port == SOURCE_PORT_PRESERVE &&
	    rc->source != SOURCE_TRANSPARENT) ||
	    (rc->source_port == SOURCE_PORT_RANGE &&
	    rc->source != SOURCE_FIXED)) {
		rc->source_port = SOURCE_PORT_ANY;
		json_object_set_new(changes, "source_port", json_string("any"));
	}
	if (config_source_agree(rc, given, control_first_error, err) == -1)
		return (422);
	return (200);
}

/* PATCH capture and capture_mode into rc; the directory must work here. */
static int
control_patch_capture(json_t *body, const struct relay_conf *cur,
    struct relay_conf *rc, json_t *changes, json_t *prev, char *err,
    size_t errlen)
{
	json_t	*keys, *v;
	int	 ret;

	if (json_object_get(body, "capture") == NULL &&
	    json_object_get(body, "capture_mode") == NULL)
		return (200);
	if ((keys = json_object()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (500);
	}
	err[0] = '\0';
	if ((v = json_object_get(body, "capture")) != NULL)
		json_object_set(keys, "capture", v);
	if ((v = json_object_get(body, "capture_mode")) != NULL)
		json_object_set(keys, "capture_mode", v);
	ret = config_capture_keys(keys, rc, control_first_error, err);
	json_decref(keys);
	if (ret == -1)
		return (422);
	if (capture_dir_error(rc, err, errlen) != NULL)
		return (422);
	json_object_set_new(changes, "capture", rc->capture[0] != '\0' ?
	    json_string(rc->capture) : json_null());
	json_object_set_new(changes, "capture_mode",
	    json_string(capture_mode_name(rc->capture_mode)));
	json_object_set_new(prev, "capture", cur->capture[0] != '\0' ?
	    json_string(cur->capture) : json_null());
	json_object_set_new(prev, "capture_mode",
	    json_string(capture_mode_name(cur->capture_mode)));
	return (200);
}

/* PATCH policy into rc. */
static int
control_patch_policy(json_t *v, const struct relay_conf *cur,
    struct relay_conf *rc, json_t *changes, json_t *prev, char *err,
    size_t errlen)
{
	struct policy	 pol;
	char		 rerr[FWRELAY_ERR_MAX];
	size_t		 i;

	memset(&pol, 0, sizeof(pol));
	if (json_is_array(v)) {
		pol.present = 1;
		if (json_array_size(v) > 0 && (pol.rules = calloc(
		    json_array_size(v), sizeof(*pol.rules))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return (500);
		}
		for (i = 0; i < json_array_size(v); i++) {
			if (control_rule_from_json(json_array_get(v, i),
			    &pol.rules[i], rerr, sizeof(rerr)) == -1) {
				policy_clear(&pol);
				/* From 0, as the events' "rule" counts. */
				snprintf(err, errlen, "policy rule %zu: %s",
				    i, rerr);
				return (422);
			}
			pol.nrules++;
		}
	} else if (!json_is_null(v)) {
		snprintf(err, errlen, "'policy' must be an array of rules, or "
		    "null for none");
		return (422);
	}
	policy_clear(&rc->policy);
	rc->policy = pol;
	json_object_set_new(changes, "policy", control_policy_json(&rc->policy));
	json_object_set_new(prev, "policy", control_policy_json(&cur->policy));
	return (200);
}

/*
 * The settings a PATCH body asks for, applied to a copy of cur with the
 * file's checks: 200 with *out, changes and prev filled, or the HTTP
 * status and err. Touches nothing running (unit tests call it).
 */
int
control_patch_conf(json_t *body, const struct relay_conf *cur,
    struct relay_conf **out, json_t *changes, json_t *prev, char *err,
    size_t errlen)
{
	struct relay_conf	*rc;
	const char		*key;
	json_t			*v;
	int			 code;

	*out = NULL;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "source") != 0 &&
		    strcmp(key, "source_address") != 0 &&
		    strcmp(key, "policy") != 0 && strcmp(key, "enabled") != 0 &&
		    strcmp(key, "capture") != 0 &&
		    strcmp(key, "capture_mode") != 0) {
			snprintf(err, errlen, "unknown key '%s' (source, "
			    "source_address, policy, enabled, capture, "
			    "capture_mode)", key);
			return (422);
		}
	}
	if ((v = json_object_get(body, "enabled")) != NULL &&
	    !json_is_boolean(v)) {
		snprintf(err, errlen, "'enabled' must be true or false");
		return (422);
	}
	if ((rc = relay_conf_dup(cur)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (500);
	}
	code = control_patch_source(body, cur, rc, changes, prev, err, errlen);
	if (code == 200 && (v = json_object_get(body, "policy")) != NULL)
		code = control_patch_policy(v, cur, rc, changes, prev, err,
		    errlen);
	if (code == 200)
		code = control_patch_capture(body, cur, rc, changes, prev, err,
		    errlen);
	if (code != 200) {
		relay_conf_free(rc);
		return (code);
	}
	if ((v = json_object_get(body, "enabled")) != NULL) {
		rc->enabled = json_is_true(v);
		json_object_set(changes, "enabled", v);
		json_object_set_new(prev, "enabled", json_boolean(cur->enabled));
	}
	*out = rc;
	return (200);
}

/* PATCH: source, source_address, policy, enabled; for new connections. */
static void
control_patch(struct ctl_req *r, struct relay *rl)
{
	struct relay_conf	*rc = NULL;
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay		*w;
	json_t			*body, *changes, *prev, *a;
	char			 err[FWRELAY_ERR_MAX];
	size_t			 i;
	unsigned int		 k;
	int			 code;

	if ((body = control_body(r)) == NULL)
		return;
	changes = json_object();
	prev = json_object();
	if ((code = control_patch_conf(body, rl->rl_conf, &rc, changes, prev,
	    err, sizeof(err))) != 200) {
		control_error(r, code, "%s", err);
		goto done;
	}
	if (source_check(rc, &errs, r->sc->sc_conffile,
	    r->sc->sc_conf->kernel_setup) == -1) {
		a = json_array();
		for (i = 0; i < errs.n; i++)
			json_array_append_new(a, json_string(errs.msgs[i]));
		control_reply(r, 422, json_pack("{s:s, s:o}", "error",
		    "the new source settings cannot work here", "errors", a));
		goto done;
	}
	if (kernel_need(r->sc, rc) == -1) {
		control_error(r, 503, "the policy route this source needs "
		    "could not be installed (see the nft_apply event)");
		goto done;
	}
	WORKERS_FOREACH(w, k) {
		struct relay	*wrl = k == 0 ? rl : worker_relay(w, rl);
		struct fwrelay	*old;

		if (wrl == NULL)
			continue;
		if (k != 0 && (rc = relay_conf_dup(rl->rl_conf)) == NULL) {
			log_warnx("relay %s: worker %u keeps its settings: out "
			    "of memory", rl->rl_name, k);
			continue;
		}
		old = worker_enter(w);
		control_swap_conf(wrl, rc);
		rc = NULL;
		capture_relay_sync(wrl, json_object_get(body, "capture") !=
		    NULL);
		if (json_object_get(body, "enabled") != NULL)
			listener_set_enabled(wrl, wrl->rl_conf->enabled);
		worker_enter(old);
	}
	control_mode_event(rl, changes, prev);
	control_reply(r, 200, json_pack("{s:b, s:O, s:o}", "ok", 1,
	    "changes", changes, "relay", control_relay_json(rl)));
 done:
	config_errors_clear(&errs);
	if (rc != NULL)
		relay_conf_free(rc);
	json_decref(changes);
	json_decref(prev);
	json_decref(body);
}

/* /v1/relays/NAME/faults[/ID]: list, add, remove. */
static void
control_faults(struct ctl_req *r, struct relay *rl)
{
	struct relay_conf	*rc;
	struct fwrelay		*w;
	struct relay		*wrl;
	json_t			*body, *ch;
	const char		*errstr, *id;
	char			*end, idbuf[16];
	unsigned long		 n;
	size_t			 i, j;
	unsigned int		 k;
	int			 fid;

	if (r->nseg == 4) {
		if (r->method == EVHTTP_REQ_GET) {
			control_reply(r, 200, json_pack("{s:s, s:o}", "relay",
			    rl->rl_name, "faults", fault_list_json(rl)));
			return;
		}
		if (r->method != EVHTTP_REQ_POST) {
			control_method(r, "GET, HEAD, POST");
			return;
		}
		if ((body = control_body(r)) == NULL)
			return;
		if (fault_add(rl, body, &fid, &errstr) == -1) {
			control_error(r, 422, "%s", errstr);
			json_decref(body);
			return;
		}
		/* The same fault, with the same id, on every worker. */
		WORKERS_FOREACH(w, k)
			if (k != 0 && (wrl = worker_relay(w, rl)) != NULL) {
				if (fault_add_id(wrl, body, &fid, &errstr) == -1)
					log_warnx("relay %s: worker %u: %s",
					    rl->rl_name, k, errstr);
				else
					fault_share(wrl, rl, fid);
			}
		snprintf(idbuf, sizeof(idbuf), "%d", fid);
		ch = json_pack("{s:o}", "fault_added", json_deep_copy(body));
		json_object_set_new(json_object_get(ch, "fault_added"), "id",
		    json_string(idbuf));
		control_mode_event(rl, ch, NULL);
		json_decref(ch);
		control_reply(r, 201, json_pack("{s:s, s:s, s:o}", "id", idbuf,
		    "relay", rl->rl_name, "faults", fault_list_json(rl)));
		json_decref(body);
		return;
	}
	if (r->method != EVHTTP_REQ_DELETE) {
		control_method(r, "DELETE");
		return;
	}
	id = r->seg[4];
	if (id[0] == 'c') {
		/* A configured fault: a copy of the conf without it. */
		errno = 0;
		n = strtoul(id + 1, &end, 10);
		if (id[1] == '\0' || *end != '\0' || errno != 0 || n == 0 ||
		    n > rl->rl_conf->nfaults) {
			control_error(r, 404, "relay '%s' has no fault %s",
			    rl->rl_name, id);
			return;
		}
		WORKERS_FOREACH(w, k) {
			if ((wrl = k == 0 ? rl : worker_relay(w, rl)) == NULL)
				continue;
			if ((rc = relay_conf_dup(wrl->rl_conf)) == NULL) {
				control_error(r, 500, "out of memory");
				return;
			}
			fault_conf_clear(&rc->faults[n - 1]);
			for (i = n - 1, j = n; j < rc->nfaults; i++, j++)
				rc->faults[i] = rc->faults[j];
			rc->nfaults--;
			control_swap_conf(wrl, rc);
		}
	} else {
		errno = 0;
		n = strtoul(id, &end, 10);
		if (*id == '\0' || *end != '\0' || errno != 0 || n > 1000000000 ||
		    fault_remove(rl, (int)n) == -1) {
			control_error(r, 404, "relay '%s' has no fault %s",
			    rl->rl_name, id);
			return;
		}
		WORKERS_FOREACH(w, k)
			if (k != 0 && (wrl = worker_relay(w, rl)) != NULL)
				fault_remove(wrl, (int)n);
	}
	ch = json_pack("{s:s}", "fault_removed", id);
	control_mode_event(rl, ch, NULL);
	json_decref(ch);
	control_reply(r, 200, json_pack("{s:b, s:s, s:o}", "ok", 1, "removed",
	    id, "faults", fault_list_json(rl)));
}

/* /v1/connections[/ID]. */
static void
control_conns(struct ctl_req *r)
{
	struct relay		*rl;
	struct conn		*c;
	struct fwrelay		*w = NULL, *old;
	unsigned int		 k;
	json_t			*a;
	char			*end;
	unsigned long long	 id;

	if (r->nseg == 2) {
		if (r->method != EVHTTP_REQ_GET) {
			control_method(r, "GET, HEAD");
			return;
		}
		a = json_array();
		WORKERS_FOREACH(w, k)
			TAILQ_FOREACH(rl, &w->sc_relays, rl_entry)
				TAILQ_FOREACH(c, &rl->rl_conns, c_entry)
					json_array_append_new(a,
					    control_conn_json(c));
		control_reply(r, 200, json_pack("{s:o}", "connections", a));
		return;
	}
	errno = 0;
	id = strtoull(r->seg[2], &end, 10);
	c = NULL;
	if (r->seg[2][0] >= '0' && r->seg[2][0] <= '9' && *end == '\0' &&
	    errno == 0)
		WORKERS_FOREACH(w, k)
			if ((c = conn_find(w, id)) != NULL)
				break;
	if (c == NULL) {
		control_error(r, 404, "no connection %s", r->seg[2]);
		return;
	}
	if (r->method == EVHTTP_REQ_GET)
		control_reply(r, 200, control_conn_json(c));
	else if (r->method == EVHTTP_REQ_DELETE) {
		/* Closed on its worker's loop, which waits meanwhile. */
		old = worker_enter(w);
		conn_abort(c, "deleted");
		worker_enter(old);
		control_reply(r, 200, json_pack("{s:b, s:I}", "ok", 1, "reset",
		    (json_int_t)id));
	} else
		control_method(r, "GET, HEAD, DELETE");
}

/* The open pinholes, as pinhole.c describes them. */
static void
control_pinholes(struct ctl_req *r)
{
	control_reply(r, 200, json_pack("{s:o}", "pinholes", pinhole_list()));
}

/* POST /v1/reload: 200, 422 (the file has errors), 409 (cannot apply). */
static void
control_reload(struct ctl_req *r)
{
	struct fwrelay		*sc = r->sc;
	struct fwrelay_conf	*conf;
	struct config_errors	 errs = { NULL, 0 };
	json_t			*errors = NULL;
	int			 parsed;

	/* Tell a broken file from one that cannot be applied here. */
	conf = config_load(sc->sc_conffile, &errs);
	parsed = conf != NULL && relay_check_conf(conf, &errs) == 0;
	config_free(conf);
	config_errors_clear(&errs);

	if (relay_reload(sc, &errors) == 0) {
		json_decref(errors);
		control_reply(r, 200, json_pack("{s:b, s:s}", "ok", 1,
		    "config", sc->sc_conffile));
		return;
	}
	control_reply(r, parsed ? 409 : 422, json_pack("{s:b, s:s, s:o}",
	    "ok", 0, "error", parsed ? "the configuration could not be "
	    "applied; the running one is unchanged" : "the configuration "
	    "has errors; the running one is unchanged", "errors",
	    errors != NULL ? errors : json_array()));
}

static void
control_metrics(struct ctl_req *r)
{
	struct evbuffer	*buf;

	if ((buf = evbuffer_new()) == NULL ||
	    metrics_render(r->sc, buf) == -1) {
		if (buf != NULL)
			evbuffer_free(buf);
		control_error(r, 500, "out of memory");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(r->req, 200, "OK", buf);
	evbuffer_free(buf);
}

/* Is the Host header's name one of the loopback's? */
static int
control_host_loopback(const char *host)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*errstr, *e;
	char			 name[INET6_ADDRSTRLEN + 8];
	size_t			 n;

	if (*host == '[') {
		if ((e = strchr(host, ']')) == NULL)
			return (0);
		host++;
	} else if ((e = strrchr(host, ':')) == NULL)
		e = host + strlen(host);
	if ((n = (size_t)(e - host)) == 0 || n >= sizeof(name))
		return (0);
	memcpy(name, host, n);
	name[n] = '\0';
	if (strcasecmp(name, "localhost") == 0)
		return (1);
	return (addr_parse(name, ADDR_NO_PORT, &ss, &len, NULL, NULL,
	    &errstr) == 0 && addr_is_loopback((struct sockaddr *)&ss));
}

/*
 * What another web site must not make a browser on the lab box do: the
 * Host must be a loopback name (a DNS-rebound name of another site is
 * not served), and a state-changing method needs CONTROL_GUARD_HEADER,
 * which a cross-site form cannot send and a cross-site script cannot
 * without a CORS preflight that is never granted. -1 when refused (403
 * sent).
 */
static int
control_guard(struct ctl_req *r)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(r->req);
	const char		*v;

	if ((v = evhttp_find_header(h, "Host")) != NULL &&
	    !control_host_loopback(v)) {
		control_error(r, 403, "the control API answers only to a "
		    "loopback Host (localhost, 127.0.0.1, [::1])");
		return (-1);
	}
	switch (evhttp_request_get_command(r->req)) {
	case EVHTTP_REQ_POST:
	case EVHTTP_REQ_PUT:
	case EVHTTP_REQ_PATCH:
	case EVHTTP_REQ_DELETE:
		break;
	default:
		return (0);
	}
	if ((v = evhttp_find_header(h, CONTROL_GUARD_HEADER)) == NULL ||
	    strcmp(v, "1") != 0) {
		control_error(r, 403, "a request that changes state needs the "
		    "header '%s: 1'", CONTROL_GUARD_HEADER);
		return (-1);
	}
	return (0);
}

/* GET /, /ui and /ui/FILE: the status page (control_ui.c). */
static void
control_page(struct ctl_req *r, const char *name)
{
	if (r->method != EVHTTP_REQ_GET) {
		control_method(r, "GET, HEAD");
		return;
	}
	if (control_ui_page(r->req, name) == -1)
		control_error(r, 404, "no such page: %s", name);
}

/* GET /v1/events: the event log as Server-Sent Events (control_ui.c). */
static void
control_events(struct ctl_req *r)
{
	if (control_ui_events(r->sc, r->req) == -1)
		control_error(r, 503, "too many event streams open (%d)",
		    CONTROL_UI_STREAMS);
}
