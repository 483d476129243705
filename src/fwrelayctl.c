/*
 * fwrelayctl: command-line client of fwrelay's control API. It speaks
 * HTTP/1.1 over the daemon's unix socket (or a loopback TCP port), one
 * request per connection, and prints tables or, with --json, the API's
 * own JSON. Exit status: 0 done, 1 the daemon refused or is unreachable,
 * 2 usage.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libconfig.h>

#include "config.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#define CTL_CONF	SYSCONFDIR "/fwrelay.conf"
#define CTL_SOCKET	"/run/fwrelay.sock"
#define CTL_TIMEOUT	10000		/* ms for each read or write */
#define CTL_REPLY_MAX	(64 * 1024 * 1024)

struct ctl_reply {
	int	 code;
	char	*body;
	size_t	 len;
	json_t	*doc;
};

static const char	*ctl_socket;
static int		 ctl_json;

static void	 usage(void) __attribute__((noreturn));
static void	 usage_out(FILE *, int) __attribute__((noreturn));
static void	 ctl_die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static int	 ctl_connect(void);
static int	 ctl_request(const char *, const char *, json_t *,
		    struct ctl_reply *);
static json_t	*ctl_call(const char *, const char *, json_t *, int);
static void	 ctl_table(const char **, size_t, char ***, size_t);

static void
usage(void)
{
	usage_out(stderr, 2);
}

/* The usage text; on stdout with status 0 for -h and --help. */
static void
usage_out(FILE *fp, int status)
{
	fprintf(fp,
"usage: fwrelayctl [-s socket] [-c file] [--json] command [args]\n"
"commands:\n"
"  status                           the daemon: version, pid, counts\n"
"  relays                           every relay with its mode and counters\n"
"  relay NAME                       one relay in detail\n"
"  conns                            the open connections\n"
"  set RELAY source MODE [ADDRESS]  rewrite, transparent or fixed\n"
"  set RELAY source_address ADDR|none\n"
"  set RELAY enabled on|off\n"
"  set RELAY policy JSON|none       e.g. '[{\"action\":\"allow\"}]'\n"
"  set RELAY capture DIR [MODE]|off pcapng files in DIR: MODE connection\n"
"                                   (a file each) or relay (one file)\n"
"  fault add RELAY TYPE [key=value...] [direction=...] [probability=P]\n"
"  fault add RELAY on=EVENT action=ACTION [match.FIELD=V...] [key=value...]\n"
"  fault rm RELAY ID\n"
"  fault ls RELAY\n"
"  pinholes                         the open pinholes\n"
"  reload                           reload the configuration file\n"
"  kill CONNID                      reset a connection\n"
"  events [-a] [-n COUNT] [-r]      follow the event log (-r: GET /v1/events)\n"
"  metrics                          the Prometheus metrics\n");
	exit(status);
}

static void
ctl_die(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "fwrelayctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* The control key of the configuration file, or NULL. */
static char *
ctl_conf_socket(const char *file, int must)
{
	config_t	 cfg;
	const char	*s;
	char		*ret = NULL;

	config_init(&cfg);
	if (config_read_file(&cfg, file) == CONFIG_FALSE) {
		if (must)
			ctl_die("%s: %s", file, config_error_text(&cfg) != NULL ?
			    config_error_text(&cfg) : strerror(errno));
	} else if (config_lookup_string(&cfg, "control", &s) == CONFIG_TRUE ||
	    config_lookup_string(&cfg, "control_tcp", &s) == CONFIG_TRUE)
		ret = strdup(s);
	config_destroy(&cfg);
	return (ret);
}

/* A unix socket path, or HOST:PORT / [V6]:PORT for control_tcp. */
static int
ctl_connect(void)
{
	struct sockaddr_un	 sun;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	char			 host[128], *p, *end;
	long			 port;
	int			 s;

	if (ctl_socket[0] != '/' && (p = strrchr(ctl_socket, ':')) != NULL) {
		snprintf(host, sizeof(host), "%.*s", (int)(p - ctl_socket),
		    ctl_socket);
		port = strtol(p + 1, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535)
			ctl_die("bad address %s", ctl_socket);
		memset(&sin, 0, sizeof(sin));
		memset(&sin6, 0, sizeof(sin6));
		if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
			sin.sin_family = AF_INET;
			sin.sin_port = htons((uint16_t)port);
			s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (s != -1 && connect(s, (struct sockaddr *)&sin,
			    sizeof(sin)) == 0)
				return (s);
		} else {
			if (host[0] == '[' && (end = strchr(host, ']')) != NULL) {
				*end = '\0';
				memmove(host, host + 1, strlen(host));
			}
			if (inet_pton(AF_INET6, host, &sin6.sin6_addr) != 1)
				ctl_die("bad address %s", ctl_socket);
			sin6.sin6_family = AF_INET6;
			sin6.sin6_port = htons((uint16_t)port);
			s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (s != -1 && connect(s, (struct sockaddr *)&sin6,
			    sizeof(sin6)) == 0)
				return (s);
		}
	} else {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(ctl_socket) >= sizeof(sun.sun_path))
			ctl_die("socket path too long: %s", ctl_socket);
		strncpy(sun.sun_path, ctl_socket, sizeof(sun.sun_path) - 1);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s != -1 && connect(s, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0)
			return (s);
	}
	ctl_die("cannot connect to %s: %s (is fwrelay running with a "
	    "control socket?)", ctl_socket, strerror(errno));
}

static void
ctl_write(int s, const char *buf, size_t len)
{
	struct pollfd	 pfd = { s, POLLOUT, 0 };
	ssize_t		 n;

	while (len > 0) {
		if (poll(&pfd, 1, CTL_TIMEOUT) <= 0)
			ctl_die("%s: timed out sending the request", ctl_socket);
		if ((n = send(s, buf, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ctl_die("%s: %s", ctl_socket, strerror(errno));
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Undo chunked transfer coding in place; -1 if malformed. */
static int
ctl_dechunk(char *body, size_t *len)
{
	char	*in = body, *out = body, *end = body + *len, *e;
	long	 n;

	for (;;) {
		n = strtol(in, &e, 16);
		if (e == in || n < 0 || (e = strstr(e, "\r\n")) == NULL)
			return (-1);
		in = e + 2;
		if (n == 0)
			break;
		if (n > end - in)
			return (-1);
		memmove(out, in, (size_t)n);
		out += n;
		in += n + 2;
		if (in > end)
			return (-1);
	}
	*len = (size_t)(out - body);
	*out = '\0';
	return (0);
}

/* One request, one connection. 0 with the reply, or exits. */
static int
ctl_request(const char *method, const char *path, json_t *body,
    struct ctl_reply *rep)
{
	struct pollfd	 pfd;
	char		*req = NULL, *data = NULL, *buf = NULL, *hdr_end, *p;
	size_t		 len = 0, cap = 0, blen;
	ssize_t		 n;
	int		 s, r;

	memset(rep, 0, sizeof(*rep));
	if (body != NULL && (data = json_dumps(body, JSON_COMPACT)) == NULL)
		ctl_die("out of memory");
	blen = data != NULL ? strlen(data) : 0;
	/* X-Fwrelay: what the API wants on every state-changing call. */
	r = asprintf(&req, "%s %s HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\nAccept: application/json\r\n"
	    "X-Fwrelay: 1\r\n"
	    "%sContent-Length: %zu\r\n\r\n", method, path, data != NULL ?
	    "Content-Type: application/json\r\n" : "", blen);
	if (r == -1)
		ctl_die("out of memory");
	s = ctl_connect();
	ctl_write(s, req, strlen(req));
	if (data != NULL)
		ctl_write(s, data, blen);
	free(req);
	free(data);

	pfd.fd = s;
	pfd.events = POLLIN;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap == 0 ? 16384 : cap * 2;
			if (cap > CTL_REPLY_MAX ||
			    (buf = realloc(buf, cap)) == NULL)
				ctl_die("reply too large");
		}
		if ((r = poll(&pfd, 1, CTL_TIMEOUT)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			ctl_die("%s: no answer within %d s", ctl_socket,
			    CTL_TIMEOUT / 1000);
		if ((n = recv(s, buf + len, cap - len - 1, 0)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ctl_die("%s: %s", ctl_socket, strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(s);
	if (buf == NULL)
		ctl_die("%s: empty answer", ctl_socket);
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &rep->code) != 1 ||
	    (hdr_end = strstr(buf, "\r\n\r\n")) == NULL)
		ctl_die("%s: not an HTTP answer", ctl_socket);
	*hdr_end = '\0';
	rep->len = len - (size_t)(hdr_end + 4 - buf);
	if ((rep->body = malloc(rep->len + 1)) == NULL)
		ctl_die("out of memory");
	memcpy(rep->body, hdr_end + 4, rep->len);
	rep->body[rep->len] = '\0';
	for (p = buf; *p != '\0'; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (strstr(buf, "\r\ntransfer-encoding: chunked") != NULL &&
	    ctl_dechunk(rep->body, &rep->len) == -1)
		ctl_die("%s: bad chunked answer", ctl_socket);
	free(buf);
	rep->doc = json_loadb(rep->body, rep->len, 0, NULL);
	return (0);
}

/*
 * Call the API. On 2xx return the JSON answer (printed raw first with
 * --json when print is set); otherwise report the error and exit 1.
 */
static json_t *
ctl_call(const char *method, const char *path, json_t *body, int print)
{
	struct ctl_reply	 rep;
	json_t			*e, *v;
	size_t			 i;

	ctl_request(method, path, body, &rep);
	if (rep.code < 200 || rep.code > 299) {
		if (ctl_json)
			fwrite(rep.body, 1, rep.len, stdout);
		e = rep.doc != NULL ? json_object_get(rep.doc, "error") : NULL;
		fprintf(stderr, "fwrelayctl: %s %s: %d: %s\n", method, path,
		    rep.code, json_is_string(e) ? json_string_value(e) :
		    "(no JSON error in the answer)");
		e = rep.doc != NULL ? json_object_get(rep.doc, "errors") : NULL;
		json_array_foreach(e, i, v)
			if (json_is_string(v))
				fprintf(stderr, "  %s\n", json_string_value(v));
		exit(1);
	}
	if (rep.doc == NULL)
		ctl_die("%s %s: the answer is not JSON", method, path);
	if (ctl_json && print)
		fwrite(rep.body, 1, rep.len, stdout);
	free(rep.body);
	return (rep.doc);
}

/* A JSON value as table text into buf. */
static const char *
ctl_val(json_t *v, char *buf, size_t len)
{
	char	*s;

	if (v == NULL || json_is_null(v))
		snprintf(buf, len, "-");
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_true(v))
		snprintf(buf, len, "yes");
	else if (json_is_false(v))
		snprintf(buf, len, "no");
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.3f", json_real_value(v));
	else {
		s = json_dumps(v, JSON_COMPACT);
		snprintf(buf, len, "%s", s != NULL ? s : "?");
		free(s);
	}
	return (buf);
}

/* Print rows of columns padded to the widest cell. */
static void
ctl_table(const char **head, size_t ncol, char ***rows, size_t nrows)
{
	size_t	 w[32], i, j, l;

	for (j = 0; j < ncol && j < 32; j++)
		w[j] = strlen(head[j]);
	for (i = 0; i < nrows; i++)
		for (j = 0; j < ncol; j++)
			if ((l = strlen(rows[i][j])) > w[j])
				w[j] = l;
	for (j = 0; j < ncol; j++)
		printf("%-*s%s", j + 1 < ncol ? (int)w[j] : 0, head[j],
		    j + 1 < ncol ? "  " : "\n");
	for (i = 0; i < nrows; i++)
		for (j = 0; j < ncol; j++)
			printf("%-*s%s", j + 1 < ncol ? (int)w[j] : 0,
			    rows[i][j], j + 1 < ncol ? "  " : "\n");
}

/* Table of the array a: the given keys as columns. */
static void
ctl_print_array(json_t *a, const char **keys, const char **head, size_t ncol)
{
	char	***rows, buf[512];
	size_t	 n = json_array_size(a), i, j;

	if ((rows = calloc(n + 1, sizeof(*rows))) == NULL)
		ctl_die("out of memory");
	for (i = 0; i < n; i++) {
		if ((rows[i] = calloc(ncol, sizeof(**rows))) == NULL)
			ctl_die("out of memory");
		for (j = 0; j < ncol; j++)
			rows[i][j] = strdup(ctl_val(json_object_get(
			    json_array_get(a, i), keys[j]), buf, sizeof(buf)));
	}
	ctl_table(head, ncol, rows, n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < ncol; j++)
			free(rows[i][j]);
		free(rows[i]);
	}
	free(rows);
}

static void
cmd_status(void)
{
	json_t		*doc = ctl_call("GET", "/v1/status", NULL, 1);
	const char	*key;
	json_t		*v;
	char		 buf[512];

	if (!ctl_json)
		json_object_foreach(doc, key, v)
			printf("%-12s %s\n", key, ctl_val(v, buf, sizeof(buf)));
	json_decref(doc);
}

/* Fold the relay's counters and fault count in for the table. */
static void
ctl_relay_flat(json_t *r)
{
	json_t	*st = json_object_get(r, "stats");

	json_object_set(r, "accepted", json_object_get(st, "accepted"));
	json_object_set(r, "denied", json_object_get(st, "denied"));
	json_object_set_new(r, "nfaults",
	    json_integer((json_int_t)json_array_size(json_object_get(r,
	    "faults"))));
}

static void
cmd_relays(void)
{
	static const char *keys[] = { "name", "listen", "target", "source",
	    "source_address", "protocol", "enabled", "connections", "accepted",
	    "denied", "nfaults" };
	static const char *head[] = { "NAME", "LISTEN", "TARGET", "SOURCE",
	    "SOURCE_ADDR", "PROTO", "ENABLED", "CONNS", "ACCEPTED", "DENIED",
	    "FAULTS" };
	json_t	*doc = ctl_call("GET", "/v1/relays", NULL, 1), *a, *r;
	size_t	 i;

	if (!ctl_json) {
		a = json_object_get(doc, "relays");
		json_array_foreach(a, i, r)
			ctl_relay_flat(r);
		ctl_print_array(a, keys, head, 11);
	}
	json_decref(doc);
}

static void
cmd_relay(const char *name)
{
	char		 path[256], buf[512];
	const char	*key;
	json_t		*doc, *v;

	snprintf(path, sizeof(path), "/v1/relays/%s", name);
	doc = ctl_call("GET", path, NULL, 1);
	if (!ctl_json)
		json_object_foreach(doc, key, v)
			printf("%-16s %s\n", key, ctl_val(v, buf, sizeof(buf)));
	json_decref(doc);
}

static void
cmd_conns(void)
{
	static const char *keys[] = { "id", "relay", "client", "target",
	    "target_local", "source", "bytes_from_client", "bytes_from_target",
	    "age", "client_state", "target_state", "inspector" };
	static const char *head[] = { "ID", "RELAY", "CLIENT", "TARGET",
	    "FROM", "SOURCE", "UP", "DOWN", "AGE", "CLIENT_STATE",
	    "TARGET_STATE", "INSPECTOR" };
	json_t	*doc = ctl_call("GET", "/v1/connections", NULL, 1);

	if (!ctl_json)
		ctl_print_array(json_object_get(doc, "connections"), keys, head,
		    12);
	json_decref(doc);
}

static void
ctl_patch(const char *relay, json_t *body)
{
	char		 path[256], buf[512];
	const char	*key;
	json_t		*doc, *v;

	snprintf(path, sizeof(path), "/v1/relays/%s", relay);
	doc = ctl_call("PATCH", path, body, 1);
	if (!ctl_json)
		json_object_foreach(json_object_get(doc, "changes"), key, v)
			printf("%s: %s = %s (%s)\n", relay, key,
			    ctl_val(v, buf, sizeof(buf)),
			    strcmp(key, "capture") == 0 && json_is_null(v) ?
			    "its capture files are closed now" :
			    "new connections");
	json_decref(doc);
	json_decref(body);
}

static void
cmd_set(int argc, char **argv)
{
	json_t		*v;
	json_error_t	 jerr;

	if (argc < 3)
		usage();
	if (strcmp(argv[1], "source") == 0 && (argc == 3 || argc == 4)) {
		v = json_pack("{s:s}", "source", argv[2]);
		if (argc == 4)
			json_object_set_new(v, "source_address",
			    json_string(argv[3]));
		ctl_patch(argv[0], v);
	} else if (strcmp(argv[1], "source_address") == 0 && argc == 3)
		ctl_patch(argv[0], json_pack("{s:o}", "source_address",
		    strcmp(argv[2], "none") == 0 ? json_null() :
		    json_string(argv[2])));
	else if (strcmp(argv[1], "enabled") == 0 && argc == 3) {
		if (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0)
			ctl_die("set %s enabled: on or off, not '%s'", argv[0],
			    argv[2]);
		ctl_patch(argv[0], json_pack("{s:b}", "enabled",
		    strcmp(argv[2], "on") == 0));
	} else if (strcmp(argv[1], "capture") == 0 &&
	    (argc == 3 || argc == 4)) {
		if (strcmp(argv[2], "off") == 0 && argc == 3)
			v = json_pack("{s:n}", "capture");
		else if (argv[2][0] != '/')
			ctl_die("set %s capture: an absolute directory path, "
			    "or off; not '%s'", argv[0], argv[2]);
		else
			v = json_pack("{s:s}", "capture", argv[2]);
		if (argc == 4)
			json_object_set_new(v, "capture_mode",
			    json_string(argv[3]));
		ctl_patch(argv[0], v);
	} else if (strcmp(argv[1], "policy") == 0 && argc == 3) {
		if (strcmp(argv[2], "none") == 0)
			v = json_null();
		else if ((v = json_loads(argv[2], 0, &jerr)) == NULL)
			ctl_die("set %s policy: not JSON: %s", argv[0],
			    jerr.text);
		ctl_patch(argv[0], json_pack("{s:o}", "policy", v));
	} else
		usage();
}

/* key=value: a number when it reads as one, else a string. */
static json_t *
ctl_value(const char *s)
{
	char	*end;
	double	 d;
	long long n;

	if (*s == '\0')
		return (json_string(s));
	errno = 0;
	n = strtoll(s, &end, 10);
	if (*end == '\0' && errno == 0)
		return (json_integer(n));
	d = strtod(s, &end);
	if (*end == '\0')
		return (json_real(d));
	return (json_string(s));
}

static void
cmd_fault(int argc, char **argv)
{
	static const char *keys[] = { "id", "origin", "type", "direction",
	    "probability", "params" };
	static const char *head[] = { "ID", "ORIGIN", "TYPE", "DIRECTION",
	    "PROBABILITY", "PARAMETERS" };
	char		 path[256], *eq, pbuf[512];
	json_t		*body, *doc, *a, *f, *v, *params;
	const char	*key;
	size_t		 i;
	int		 j;

	if (argc < 2)
		usage();
	if (strcmp(argv[0], "add") == 0 && argc >= 3) {
		snprintf(path, sizeof(path), "/v1/relays/%s/faults", argv[1]);
		/* A triggered fault has no type: on=EVENT action=... */
		if (strchr(argv[2], '=') != NULL) {
			body = json_object();
			j = 2;
		} else {
			body = json_pack("{s:s}", "type", argv[2]);
			j = 3;
		}
		for (; j < argc; j++) {
			if ((eq = strchr(argv[j], '=')) == NULL ||
			    eq == argv[j])
				ctl_die("fault add: '%s' is not key=value",
				    argv[j]);
			*eq = '\0';
			if (strncmp(argv[j], "match.", 6) == 0 &&
			    argv[j][6] != '\0') {
				if ((params = json_object_get(body,
				    "match")) == NULL) {
					params = json_object();
					json_object_set_new(body, "match",
					    params);
				}
				json_object_set_new(params, argv[j] + 6,
				    ctl_value(eq + 1));
				continue;
			}
			json_object_set_new(body, argv[j],
			    strcmp(argv[j], "direction") == 0 ||
			    strcmp(argv[j], "tpdu") == 0 ?
			    json_string(eq + 1) : ctl_value(eq + 1));
		}
		doc = ctl_call("POST", path, body, 1);
		if (!ctl_json)
			printf("fault %s added to %s (new connections)\n",
			    json_string_value(json_object_get(doc, "id")),
			    argv[1]);
		json_decref(body);
		json_decref(doc);
	} else if (strcmp(argv[0], "rm") == 0 && argc == 3) {
		snprintf(path, sizeof(path), "/v1/relays/%s/faults/%s",
		    argv[1], argv[2]);
		doc = ctl_call("DELETE", path, NULL, 1);
		if (!ctl_json)
			printf("fault %s removed from %s (new connections)\n",
			    argv[2], argv[1]);
		json_decref(doc);
	} else if (strcmp(argv[0], "ls") == 0 && argc == 2) {
		snprintf(path, sizeof(path), "/v1/relays/%s/faults", argv[1]);
		doc = ctl_call("GET", path, NULL, 1);
		if (!ctl_json) {
			a = json_object_get(doc, "faults");
			json_array_foreach(a, i, f) {
				/* The type's own keys, as key=value. */
				pbuf[0] = '\0';
				params = json_object();
				json_object_foreach(f, key, v) {
					char	 vb[128];

					if (strcmp(key, "id") == 0 ||
					    strcmp(key, "origin") == 0 ||
					    strcmp(key, "type") == 0 ||
					    strcmp(key, "direction") == 0 ||
					    strcmp(key, "probability") == 0)
						continue;
					snprintf(pbuf + strlen(pbuf),
					    sizeof(pbuf) - strlen(pbuf),
					    "%s%s=%s", pbuf[0] != '\0' ? " " :
					    "", key, ctl_val(v, vb,
					    sizeof(vb)));
				}
				json_decref(params);
				json_object_set_new(f, "params",
				    json_string(pbuf));
			}
			ctl_print_array(a, keys, head, 6);
		}
		json_decref(doc);
	} else
		usage();
}

static void
cmd_pinholes(void)
{
	static const char *keys[] = { "relay", "kind", "for", "listen",
	    "target", "allow_from", "uses", "used", "timeout" };
	static const char *head[] = { "RELAY", "KIND", "FOR", "LISTEN",
	    "TARGET", "ALLOW_FROM", "USES", "USED", "TIMEOUT" };
	json_t	*doc = ctl_call("GET", "/v1/pinholes", NULL, 1);

	if (!ctl_json)
		ctl_print_array(json_object_get(doc, "pinholes"), keys, head,
		    9);
	json_decref(doc);
}

static void
cmd_reload(void)
{
	json_t	*doc = ctl_call("POST", "/v1/reload", NULL, 1);

	if (!ctl_json)
		printf("reloaded %s\n", json_string_value(json_object_get(doc,
		    "config")));
	json_decref(doc);
}

static void
cmd_kill(const char *id)
{
	char	 path[256], *end;
	json_t	*doc;

	errno = 0;
	(void)strtoull(id, &end, 10);
	if (*id == '\0' || *end != '\0' || errno != 0)
		ctl_die("kill: '%s' is not a connection id", id);
	snprintf(path, sizeof(path), "/v1/connections/%s", id);
	doc = ctl_call("DELETE", path, NULL, 1);
	if (!ctl_json)
		printf("connection %s reset\n", id);
	json_decref(doc);
}

static void
cmd_metrics(void)
{
	struct ctl_reply	 rep;

	ctl_request("GET", "/metrics", NULL, &rep);
	if (rep.code != 200)
		ctl_die("GET /metrics: %d", rep.code);
	fwrite(rep.body, 1, rep.len, stdout);
	free(rep.body);
	json_decref(rep.doc);
}

/* One event as a readable line: time, event, then key=value. */
static void
ctl_event_line(const char *line)
{
	json_t		*ev, *v;
	const char	*key, *ts;
	char		 buf[1024];

	if ((ev = json_loads(line, 0, NULL)) == NULL || !json_is_object(ev)) {
		printf("%s\n", line);
		json_decref(ev);
		return;
	}
	ts = json_string_value(json_object_get(ev, "ts"));
	printf("%s %-14s", ts != NULL ? ts : "-",
	    ctl_val(json_object_get(ev, "event"), buf, sizeof(buf)));
	json_object_foreach(ev, key, v) {
		if (strcmp(key, "ts") == 0 || strcmp(key, "event") == 0)
			continue;
		printf(" %s=%s", key, ctl_val(v, buf, sizeof(buf)));
	}
	printf("\n");
	json_decref(ev);
}

/* Read more of a stream into *buf (grown as needed); 0 at its end. */
static size_t
ctl_stream_read(int s, char **buf, size_t *len, size_t *cap)
{
	ssize_t	 n;

	if (*len + 65536 + 1 > *cap) {
		*cap = *len + 65536 + 1;
		if (*cap > CTL_REPLY_MAX || (*buf = realloc(*buf, *cap)) == NULL)
			ctl_die("stream: out of memory");
	}
	while ((n = recv(s, *buf + *len, *cap - *len - 1, 0)) == -1)
		if (errno != EINTR)
			ctl_die("%s: %s", ctl_socket, strerror(errno));
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return ((size_t)n);
}

static void	 ctl_events_stream(int, long) __attribute__((noreturn));

/*
 * events -r: follow GET /v1/events (Server-Sent Events) instead of the
 * file; without -a only new events (a Last-Event-ID past the last one).
 */
static void
ctl_events_stream(int all, long count)
{
	char	*raw = NULL, *dec = NULL, *p, *e, *nl, req[256];
	size_t	 rlen = 0, rcap = 0, dlen = 0, dcap = 0, hl;
	long	 seen = 0, csize;
	int	 s, code, chunked, dropped = 0;

	snprintf(req, sizeof(req), "GET /v1/events HTTP/1.1\r\nHost: "
	    "localhost\r\nAccept: text/event-stream\r\n%s\r\n", all ? "" :
	    "Last-Event-ID: 18446744073709551615\r\n");
	s = ctl_connect();
	ctl_write(s, req, strlen(req));
	while (raw == NULL || (e = strstr(raw, "\r\n\r\n")) == NULL)
		if (ctl_stream_read(s, &raw, &rlen, &rcap) == 0)
			ctl_die("%s: not an HTTP answer", ctl_socket);
	hl = (size_t)(e + 4 - raw);
	if (sscanf(raw, "HTTP/1.%*d %d", &code) != 1)
		ctl_die("%s: not an HTTP answer", ctl_socket);
	if (code != 200) {
		while (ctl_stream_read(s, &raw, &rlen, &rcap) > 0)
			;
		ctl_die("GET /v1/events: %d: %s", code, raw + hl);
	}
	for (p = raw; p < e; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	chunked = strstr(raw, "\r\ntransfer-encoding: chunked") != NULL;
	memmove(raw, raw + hl, rlen - hl + 1);
	rlen -= hl;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		/* Undo the chunking into dec, as far as the bytes go. */
		p = raw;
		while (rlen - (size_t)(p - raw) > 0) {
			if (!chunked) {
				csize = (long)(rlen - (size_t)(p - raw));
				nl = p - 2;
			} else {
				if ((nl = strstr(p, "\r\n")) == NULL)
					break;
				csize = strtol(p, &e, 16);
				if (e == p || csize < 0)
					ctl_die("%s: bad chunked answer",
					    ctl_socket);
				if (csize == 0) {
					fprintf(stderr, "fwrelayctl: the daemon "
					    "ended the stream\n");
					exit(0);
				}
				if ((size_t)(nl + 2 + csize + 2 - raw) > rlen)
					break;
			}
			if (dlen + (size_t)csize + 1 > dcap) {
				dcap = dlen + (size_t)csize + 1;
				if ((dec = realloc(dec, dcap)) == NULL)
					ctl_die("stream: out of memory");
			}
			memcpy(dec + dlen, nl + 2, (size_t)csize);
			dlen += (size_t)csize;
			dec[dlen] = '\0';
			p = nl + 2 + csize + (chunked ? 2 : 0);
		}
		memmove(raw, p, rlen - (size_t)(p - raw) + 1);
		rlen -= (size_t)(p - raw);
		/* Each complete line of the event stream. */
		p = dec;
		while (dec != NULL && (nl = memchr(p, '\n', dlen -
		    (size_t)(p - dec))) != NULL) {
			*nl = '\0';
			if (strcmp(p, "event: dropped") == 0)
				dropped = 1;
			else if (strncmp(p, "data: ", 6) == 0 && dropped)
				fprintf(stderr, "fwrelayctl: events skipped "
				    "(read too slowly): %s\n", p + 6);
			else if (strncmp(p, "data: ", 6) == 0) {
				if (ctl_json)
					printf("%s\n", p + 6);
				else
					ctl_event_line(p + 6);
				if (count > 0 && ++seen >= count)
					exit(0);
			} else if (*p == '\0')
				dropped = 0;
			p = nl + 1;
		}
		if (dec != NULL) {
			memmove(dec, p, dlen - (size_t)(p - dec) + 1);
			dlen -= (size_t)(p - dec);
		}
		if (ctl_stream_read(s, &raw, &rlen, &rcap) == 0) {
			fprintf(stderr, "fwrelayctl: the daemon closed the "
			    "stream\n");
			exit(0);
		}
	}
}

static void
cmd_events(int argc, char **argv)
{
	json_t		*doc;
	FILE		*fp = NULL;
	struct stat	 st, now;
	char		*line = NULL, path[PATH_MAX];
	size_t		 cap = 0;
	ssize_t		 n;
	long		 count = -1, seen = 0;
	int		 all = 0, ch, stream = 0;
	const char	*p;

	optind = 1;
	while ((ch = getopt(argc, argv, "an:r")) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'r':
			stream = 1;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (stream)
		ctl_events_stream(all, count);
	doc = ctl_call("GET", "/v1/status", NULL, 0);
	p = json_string_value(json_object_get(doc, "event_log"));
	if (p == NULL || strcmp(p, "-") == 0) {
		/* Not a file to follow: the API's stream has them. */
		json_decref(doc);
		ctl_events_stream(all, count);
	}
	snprintf(path, sizeof(path), "%s", p);
	json_decref(doc);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		if (fp == NULL) {
			if ((fp = fopen(path, "r")) == NULL)
				ctl_die("%s: %s", path, strerror(errno));
			if (fstat(fileno(fp), &st) == -1)
				ctl_die("%s: %s", path, strerror(errno));
			if (!all)
				fseek(fp, 0, SEEK_END);
			all = 1;	/* a rotated file is read whole */
		}
		while ((n = getline(&line, &cap, fp)) > 0) {
			if (line[n - 1] != '\n') {
				/* A line still being written: wait for it. */
				fseek(fp, -n, SEEK_CUR);
				break;
			}
			line[n - 1] = '\0';
			if (ctl_json)
				printf("%s\n", line);
			else
				ctl_event_line(line);
			if (count > 0 && ++seen >= count)
				exit(0);
		}
		clearerr(fp);
		/* Rotated (a new file at the path) or truncated: reopen. */
		if (stat(path, &now) == 0 && (now.st_ino != st.st_ino ||
		    now.st_size < ftell(fp))) {
			fclose(fp);
			fp = NULL;
			continue;
		}
		usleep(100000);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*conf = NULL, *cmd;
	char		*s = NULL;
	int		 ch, i, j;

	signal(SIGPIPE, SIG_IGN);
	/* --json may also come after the command (fwrelayctl events --json). */
	for (i = j = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			ctl_json = 1;
		else
			argv[j++] = argv[i];
	argc = j;
	argv[argc] = NULL;
	while ((ch = getopt_long(argc, argv, "+c:hjs:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'j':
			ctl_json = 1;
			break;
		case 's':
			ctl_socket = optarg;
			break;
		case 'h':
			usage_out(stdout, 0);
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (ctl_socket == NULL) {
		s = ctl_conf_socket(conf != NULL ? conf : CTL_CONF,
		    conf != NULL);
		ctl_socket = s != NULL ? s : CTL_SOCKET;
	}

	cmd = argv[0];
	if (strcmp(cmd, "status") == 0 && argc == 1)
		cmd_status();
	else if (strcmp(cmd, "relays") == 0 && argc == 1)
		cmd_relays();
	else if (strcmp(cmd, "relay") == 0 && argc == 2)
		cmd_relay(argv[1]);
	else if (strcmp(cmd, "conns") == 0 && argc == 1)
		cmd_conns();
	else if (strcmp(cmd, "set") == 0)
		cmd_set(argc - 1, argv + 1);
	else if (strcmp(cmd, "fault") == 0)
		cmd_fault(argc - 1, argv + 1);
	else if (strcmp(cmd, "pinholes") == 0 && argc == 1)
		cmd_pinholes();
	else if (strcmp(cmd, "reload") == 0 && argc == 1)
		cmd_reload();
	else if (strcmp(cmd, "kill") == 0 && argc == 2)
		cmd_kill(argv[1]);
	else if (strcmp(cmd, "events") == 0)
		cmd_events(argc, argv);
	else if (strcmp(cmd, "metrics") == 0 && argc == 1)
		cmd_metrics();
	else
		usage();
	free(s);
	return (0);
}
