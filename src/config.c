/*
 * Configuration: read a libconfig file into a fresh struct fwrelay_conf and
 * check everything about it. Each problem becomes one "file:line: what is
 * wrong" message and checking goes on, so one run reports them all
 * (relayd's yyerror); the caller gets NULL whenever there was any, and only
 * ever swaps in a configuration that loaded cleanly. Nothing here touches
 * running state, sockets or names: it is shared by fwrelay -t, reload, the
 * control API and the fuzz target. Faults are checked by faultconf.c, relay
 * settings the control API changes too by confcheck.c.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libconfig.h>
#include <jansson.h>

#include "fwrelay.h"

#define CONF_NAME_MAX		63
#define CONF_INSTANCE_MAX	32
#define CONF_TSAP_MAX		64
#define CONF_PORTS_MAX		4096	/* listeners per relay */
#define CONF_MAXCONN_MAX	1000000

/* A semantic error waiting to be sorted into file and line order. */
struct conf_msg {
	const char		*file;
	int			 rank;		/* files in order of first error */
	int			 line;
	size_t			 seq;
	char			*msg;
};

struct conf_ctx {
	struct config_errors	*errs;
	const char		*file;		/* as given by the caller */
	int			 nerrors;
	struct conf_msg		*msgs;
	size_t			 nmsgs;
	int			 nfiles;
	struct fwrelay_conf	*conf;
};

struct conf_key_arg {
	struct conf_ctx			*ctx;
	const config_setting_t		*group;
};

struct conf_enum {
	const char	*name;
	int		 value;
};

static void	 conf_error(struct conf_ctx *, const config_setting_t *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static int	 conf_msg_cmp(const void *, const void *);
static void	 conf_flush(struct conf_ctx *);
static char	*conf_strdup(struct conf_ctx *, const config_setting_t *,
		    const char *);
static void	 conf_keys(struct conf_ctx *, const config_setting_t *,
		    const char *const *);
static config_setting_t *conf_member(const config_setting_t *, const char *);
static int	 conf_string(struct conf_ctx *, const config_setting_t *,
		    const char *, const char **, config_setting_t **);
static int	 conf_bool(struct conf_ctx *, const config_setting_t *,
		    const char *, int *, config_setting_t **);
static int	 conf_real(struct conf_ctx *, const config_setting_t *,
		    const char *, double *, config_setting_t **);
static int	 conf_int(struct conf_ctx *, const config_setting_t *,
		    const char *, long long, long long, long long *,
		    config_setting_t **);
static int	 conf_enum(struct conf_ctx *, const config_setting_t *,
		    const char *, const struct conf_enum *, int *,
		    config_setting_t **);
static config_setting_t *conf_list(struct conf_ctx *,
		    const config_setting_t *, const char *);
static config_setting_t *conf_entry(const config_setting_t *, int);
static int	 conf_timeout(struct conf_ctx *, const config_setting_t *,
		    const char *, int, double *);
static void	 conf_global(struct conf_ctx *, const config_setting_t *,
		    struct fwrelay_conf *);
static void	 conf_relays(struct conf_ctx *, const config_setting_t *,
		    struct fwrelay_conf *);
static struct relay_conf *conf_relay(struct conf_ctx *,
		    const config_setting_t *);
static void	 conf_name(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_listen(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_target(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_timeouts(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_protocol(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_tsap(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_source(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_policy(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_intercept(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static int	 conf_rule(struct conf_ctx *, const config_setting_t *,
		    struct rule *);
static void	 conf_faults(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static void	 conf_fault_report(void *, const char *, const char *);
static void	 conf_capture(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *);
static json_t	*conf_keys_json(const config_setting_t *,
		    const char *const *);
static void	 conf_key_report(void *, const char *, const char *);
static void	 conf_overlap(struct conf_ctx *, const config_setting_t *,
		    struct relay_conf *, struct fwrelay_conf *);
static const char *conf_listen_str(const struct relay_conf *, char *,
		    size_t);
static struct fwrelay_conf *conf_build(config_t *, const char *,
		    struct config_errors *);

static const char *const conf_top_keys[] = {
	"event_log", "log_level", "shutdown_timeout", "control",
	"control_tcp", "user", "group", "instance", "kernel_setup",
	"route_table", "workers", "relays", NULL
};

static const char *const conf_relay_keys[] = {
	"name", "listen", "target", "intercept", "timeouts",
	"max_connections", "buffer_size", "enabled", "source",
	"source_address", "source_port", "policy", "protocol", "strict",
	"tsap_allow", "pinholes", "pinhole_timeout", "pinhole_uses",
	"rewrite_towers", "string_bindings", "faults", "nft_rules",
	"intercept_interfaces", "intercept_ports", "capture", "capture_mode",
	"capture_max_bytes", "capture_files", NULL
};

static const char *const conf_timeout_keys[] = {
	"connect", "idle", NULL
};

static const struct conf_enum conf_log_levels[] = {
	{ "error",	LOG_LEVEL_ERROR },
	{ "warning",	LOG_LEVEL_WARNING },
	{ "info",	LOG_LEVEL_INFO },
	{ "debug",	LOG_LEVEL_DEBUG },
	{ NULL,		0 }
};

static const struct conf_enum conf_protocols[] = {
	{ "none",	PROTO_NONE },
	{ "rfc1006",	PROTO_RFC1006 },
	{ "dcerpc",	PROTO_DCERPC },
	{ "epm",	PROTO_EPM },
	{ NULL,		0 }
};

/* strict: true is "framing" (what the stream cannot be parsed past). */
static const struct conf_enum conf_strict[] = {
	{ "off",		STRICT_OFF },
	{ "framing",		STRICT_FRAMING },
	{ "conformance",	STRICT_CONFORMANCE },
	{ NULL,			0 }
};

static const struct conf_enum conf_pinhole_uses[] = {
	{ "once",	PINHOLE_ONCE },
	{ "many",	PINHOLE_MANY },
	{ NULL,		0 }
};

const char	*(*config_host_check)(const struct relay_conf *, char *,
		    size_t);

static void	conf_error_at(struct conf_ctx *, const char *, int,
		    const char *);

/*
 * One semantic error at the setting's own line (its file, for @include).
 * Checks run key by key, not line by line, so messages are held and sorted
 * by conf_flush(): the user reads them in file order.
 */
static void
conf_error(struct conf_ctx *ctx, const config_setting_t *s, const char *fmt,
    ...)
{
	va_list		 ap;
	char		 msg[FWRELAY_ERR_MAX];
	const char	*file = NULL;
	int		 line = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL) {
		file = config_setting_source_file(s);
		line = (int)config_setting_source_line(s);
	}
	conf_error_at(ctx, file, line, msg);
}

/* The same at a given file (NULL: the main one) and line. */
static void
conf_error_at(struct conf_ctx *ctx, const char *file, int line,
    const char *msg)
{
	struct conf_msg	*m;
	size_t		 i;
	int		 rank = -1;

	if (file == NULL)
		file = ctx->file;
	ctx->nerrors++;

	for (i = 0; i < ctx->nmsgs && rank == -1; i++)
		if (strcmp(ctx->msgs[i].file, file) == 0)
			rank = ctx->msgs[i].rank;
	if (rank == -1)
		rank = ctx->nfiles++;
	m = realloc(ctx->msgs, (ctx->nmsgs + 1) * sizeof(*m));
	if (m == NULL) {
		config_errors_add(ctx->errs, file, line, "%s", msg);
		return;
	}
	ctx->msgs = m;
	m = &ctx->msgs[ctx->nmsgs];
	if ((m->msg = strdup(msg)) == NULL) {
		config_errors_add(ctx->errs, file, line, "%s", msg);
		return;
	}
	m->file = file;
	m->rank = rank;
	m->line = line;
	m->seq = ctx->nmsgs++;
}

static int
conf_msg_cmp(const void *a, const void *b)
{
	const struct conf_msg	*x = a, *y = b;

	if (x->rank != y->rank)
		return (x->rank < y->rank ? -1 : 1);
	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Hand the held messages to the caller in file and line order. */
static void
conf_flush(struct conf_ctx *ctx)
{
	size_t	i;

	if (ctx->nmsgs > 1)
		qsort(ctx->msgs, ctx->nmsgs, sizeof(*ctx->msgs), conf_msg_cmp);
	for (i = 0; i < ctx->nmsgs; i++) {
		config_errors_add(ctx->errs, ctx->msgs[i].file,
		    ctx->msgs[i].line, "%s", ctx->msgs[i].msg);
		free(ctx->msgs[i].msg);
	}
	free(ctx->msgs);
	ctx->msgs = NULL;
	ctx->nmsgs = 0;
}

static char *
conf_strdup(struct conf_ctx *ctx, const config_setting_t *s, const char *str)
{
	char	*p;

	if ((p = strdup(str)) == NULL)
		conf_error(ctx, s, "out of memory");
	return (p);
}

/* Every member of grp must be one of keys. */
static void
conf_keys(struct conf_ctx *ctx, const config_setting_t *grp,
    const char *const *keys)
{
	config_setting_t	*s;
	const char		*name;
	int			 i, n, k;

	n = config_setting_length(grp);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(grp, (unsigned int)i);
		if ((name = config_setting_name(s)) == NULL)
			continue;
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(keys[k], name) == 0)
				break;
		if (keys[k] == NULL)
			conf_error(ctx, s, "unknown key '%s'", name);
	}
}

static config_setting_t *
conf_member(const config_setting_t *grp, const char *key)
{
	return (config_setting_get_member(grp, key));
}

/*
 * The typed getters return 1 when the key is present and has the right
 * type, 0 when it is absent and -1 when it is wrong (already reported).
 */
static int
conf_string(struct conf_ctx *ctx, const config_setting_t *grp,
    const char *key, const char **val, config_setting_t **sp)
{
	config_setting_t	*s;

	if (sp != NULL)
		*sp = NULL;
	if ((s = conf_member(grp, key)) == NULL)
		return (0);
	if (sp != NULL)
		*sp = s;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error(ctx, s, "'%s' must be a string", key);
		return (-1);
	}
	*val = config_setting_get_string(s);
	return (1);
}

static int
conf_bool(struct conf_ctx *ctx, const config_setting_t *grp, const char *key,
    int *val, config_setting_t **sp)
{
	config_setting_t	*s;

	if (sp != NULL)
		*sp = NULL;
	if ((s = conf_member(grp, key)) == NULL)
		return (0);
	if (sp != NULL)
		*sp = s;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_error(ctx, s, "'%s' must be true or false", key);
		return (-1);
	}
	*val = config_setting_get_bool(s) ? 1 : 0;
	return (1);
}

/* A "real": libconfig ints, 64-bit ints and floats alike, finite. */
static int
conf_real(struct conf_ctx *ctx, const config_setting_t *grp, const char *key,
    double *val, config_setting_t **sp)
{
	config_setting_t	*s;
	double			 d;

	if (sp != NULL)
		*sp = NULL;
	if ((s = conf_member(grp, key)) == NULL)
		return (0);
	if (sp != NULL)
		*sp = s;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		d = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		d = config_setting_get_float(s);
		break;
	default:
		conf_error(ctx, s, "'%s' must be a number", key);
		return (-1);
	}
	if (!isfinite(d)) {
		conf_error(ctx, s, "'%s' must be a finite number", key);
		return (-1);
	}
	*val = d;
	return (1);
}

/* An integer within min..max (strtonum style). */
static int
conf_int(struct conf_ctx *ctx, const config_setting_t *grp, const char *key,
    long long min, long long max, long long *val, config_setting_t **sp)
{
	config_setting_t	*s;
	long long		 v;

	if (sp != NULL)
		*sp = NULL;
	if ((s = conf_member(grp, key)) == NULL)
		return (0);
	if (sp != NULL)
		*sp = s;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(ctx, s, "'%s' must be an integer", key);
		return (-1);
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_error(ctx, s, "'%s' %lld out of range %lld-%lld", key, v,
		    min, max);
		return (-1);
	}
	*val = v;
	return (1);
}

/* A string from a fixed set; the message lists the choices. */
static int
conf_enum(struct conf_ctx *ctx, const config_setting_t *grp, const char *key,
    const struct conf_enum *tab, int *val, config_setting_t **sp)
{
	config_setting_t	*s;
	const char		*str;
	char			 choices[256];
	size_t			 i, n, len;
	int			 r;

	if ((r = conf_string(ctx, grp, key, &str, &s)) != 1) {
		if (sp != NULL)
			*sp = s;
		return (r);
	}
	if (sp != NULL)
		*sp = s;
	for (i = 0; tab[i].name != NULL; i++) {
		if (strcmp(tab[i].name, str) == 0) {
			*val = tab[i].value;
			return (1);
		}
	}
	choices[0] = '\0';
	for (n = 0; tab[n].name != NULL; n++)
		;
	for (i = 0, len = 0; i < n && len < sizeof(choices); i++)
		len += (size_t)snprintf(choices + len, sizeof(choices) - len,
		    "%s\"%s\"", i == 0 ? "" : i == n - 1 ? " or " : ", ",
		    tab[i].name);
	conf_error(ctx, s, "'%s' must be %s, not \"%s\"", key, choices, str);
	return (-1);
}

/*
 * A list of groups; an empty array "[]" counts as an empty list. Entries
 * that are not groups are reported here and skipped by the callers
 * (conf_entry), so the groups beside them are still checked.
 */
static config_setting_t *
conf_list(struct conf_ctx *ctx, const config_setting_t *grp, const char *key)
{
	config_setting_t	*s, *e;
	int			 i, n;

	if ((s = conf_member(grp, key)) == NULL)
		return (NULL);
	if (config_setting_type(s) == CONFIG_TYPE_ARRAY &&
	    config_setting_length(s) == 0)
		return (s);
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_error(ctx, s, "'%s' must be a list of groups "
		    "( { ... }, ... )", key);
		return (NULL);
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_GROUP)
			conf_error(ctx, e, "each '%s' entry must be a group "
			    "{ ... }", key);
	}
	return (s);
}

/* The i-th entry of a list checked by conf_list(), or NULL if no group. */
static config_setting_t *
conf_entry(const config_setting_t *list, int i)
{
	config_setting_t	*e;

	e = config_setting_get_elem(list, (unsigned int)i);
	if (e == NULL || config_setting_type(e) != CONFIG_TYPE_GROUP)
		return (NULL);
	return (e);
}

/* A timeout in seconds: negative is always wrong, zero only if allowed. */
static int
conf_timeout(struct conf_ctx *ctx, const config_setting_t *grp,
    const char *key, int zero_ok, double *val)
{
	config_setting_t	*s;
	double			 d;

	if (conf_real(ctx, grp, key, &d, &s) != 1)
		return (-1);
	if (d < 0) {
		conf_error(ctx, s, "negative timeout '%s'", key);
		return (-1);
	}
	if (d == 0 && !zero_ok) {
		conf_error(ctx, s, "timeout '%s' must be greater than 0", key);
		return (-1);
	}
	*val = d;
	return (0);
}

/* "127.0.0.1:10102" or "[::1]:10100-10199". */
static const char *
conf_listen_str(const struct relay_conf *rc, char *buf, size_t len)
{
	char	host[INET6_ADDRSTRLEN];

	addr_host_str((const struct sockaddr *)&rc->listen, host,
	    sizeof(host));
	if (rc->listen.ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%d", host, rc->listen_lo);
	else
		snprintf(buf, len, "%s:%d", host, rc->listen_lo);
	if (rc->listen_hi != rc->listen_lo)
		snprintf(buf + strlen(buf), len - strlen(buf), "-%d",
		    rc->listen_hi);
	return (buf);
}

/* Top level. */

static void
conf_global(struct conf_ctx *ctx, const config_setting_t *root,
    struct fwrelay_conf *conf)
{
	struct sockaddr_storage	 ss;
	config_setting_t	*s;
	const char		*str, *errstr, *p;
	char			 buf[ADDR_STRLEN];
	double			 d;
	int			 v;

	conf_keys(ctx, root, conf_top_keys);

	if (conf_string(ctx, root, "event_log", &str, &s) == 1) {
		if (*str == '\0')
			conf_error(ctx, s, "'event_log' must not be empty "
			    "(use \"-\" for standard output)");
		else {
			free(conf->event_log);
			conf->event_log = conf_strdup(ctx, s, str);
		}
	}
	if (conf_enum(ctx, root, "log_level", conf_log_levels, &v, NULL) == 1)
		conf->log_level = (enum log_level)v;
	if (conf_member(root, "shutdown_timeout") != NULL &&
	    conf_timeout(ctx, root, "shutdown_timeout", 1, &d) == 0)
		conf->shutdown_timeout = d;

	if (conf_string(ctx, root, "control", &str, &s) == 1) {
		if (*str == '\0')
			conf_error(ctx, s, "'control' must not be empty");
		else if (strlen(str) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			conf_error(ctx, s, "'control' path too long (at most "
			    "%zu bytes)",
			    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		else
			conf->control = conf_strdup(ctx, s, str);
	}
	if (conf_string(ctx, root, "control_tcp", &str, &s) == 1) {
		if (addr_parse(str, ADDR_PORT_REQUIRED, &ss, NULL, NULL, NULL,
		    &errstr) == -1)
			conf_error(ctx, s, "bad address '%s': %s", str, errstr);
		else if (!addr_is_loopback((struct sockaddr *)&ss))
			conf_error(ctx, s, "'control_tcp' %s is not a loopback "
			    "address (127.0.0.0/8 or ::1)", str);
		else
			conf->control_tcp = conf_strdup(ctx, s,
			    addr_str((struct sockaddr *)&ss, buf, sizeof(buf)));
	}
	if (conf_string(ctx, root, "user", &str, &s) == 1) {
		if (*str == '\0')
			conf_error(ctx, s, "'user' must not be empty");
		else
			conf->user = conf_strdup(ctx, s, str);
	}
	if (conf_string(ctx, root, "group", &str, &s) == 1) {
		if (*str == '\0')
			conf_error(ctx, s, "'group' must not be empty");
		else
			conf->group = conf_strdup(ctx, s, str);
	}
	if (conf_bool(ctx, root, "kernel_setup", &v, NULL) == 1)
		conf->kernel_setup = v;
	if ((s = conf_member(root, "route_table")) != NULL) {
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    strcmp(config_setting_get_string(s), "auto") == 0)
			conf->route_table = 0;
		else if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			conf_error(ctx, s, "'route_table' must be a number "
			    "1-%d or \"auto\"", ROUTE_TABLE_MAX);
		else if (config_setting_get_int64(s) < 1 ||
		    config_setting_get_int64(s) > ROUTE_TABLE_MAX ||
		    (config_setting_get_int64(s) >= 253 &&
		    config_setting_get_int64(s) <= 255))
			conf_error(ctx, s, "route_table %lld out of range (1-%d, "
			    "not 253-255: the kernel's default, main and local "
			    "tables)", (long long)config_setting_get_int64(s),
			    ROUTE_TABLE_MAX);
		else
			conf->route_table = (int)config_setting_get_int64(s);
	}
	if ((s = conf_member(root, "workers")) != NULL) {
		long long	 ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    strcmp(config_setting_get_string(s), "auto") == 0)
			conf->workers = ncpu < 1 ? 1 : ncpu > WORKERS_MAX ?
			    WORKERS_MAX : (unsigned int)ncpu;
		else if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			conf_error(ctx, s, "'workers' must be a number 1-%d or "
			    "\"auto\" (one per CPU)", WORKERS_MAX);
		else if (config_setting_get_int64(s) < 1 ||
		    config_setting_get_int64(s) > WORKERS_MAX)
			conf_error(ctx, s, "workers %lld out of range (1-%d)",
			    (long long)config_setting_get_int64(s), WORKERS_MAX);
		else
			conf->workers = (unsigned int)config_setting_get_int64(s);
		conf->workers_line = config_setting_source_line(s);
	}
	if (conf_string(ctx, root, "instance", &str, &s) == 1) {
		for (p = str; *p != '\0'; p++)
			if ((*p < 'a' || *p > 'z') && (*p < '0' || *p > '9') &&
			    *p != '_' && *p != '-')
				break;
		if (*p != '\0' || *str == '\0' ||
		    strlen(str) > CONF_INSTANCE_MAX)
			conf_error(ctx, s, "bad instance '%s' (1-%d characters "
			    "of a-z 0-9 _ -)", str, CONF_INSTANCE_MAX);
		else {
			free(conf->instance);
			conf->instance = conf_strdup(ctx, s, str);
		}
	}
}

static void
conf_relays(struct conf_ctx *ctx, const config_setting_t *root,
    struct fwrelay_conf *conf)
{
	config_setting_t	*list, *g;
	struct relay_conf	*rc, *prev;
	int			 i, n;

	if (conf_member(root, "relays") == NULL) {
		conf_error(ctx, NULL, "missing required key 'relays' "
		    "(an empty list \"relays = ();\" is allowed)");
		return;
	}
	if ((list = conf_list(ctx, root, "relays")) == NULL)
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		if ((g = conf_entry(list, i)) == NULL ||
		    (rc = conf_relay(ctx, g)) == NULL)
			continue;
		if (rc->name[0] != '\0') {
			TAILQ_FOREACH(prev, &conf->relays, rc_entry) {
				if (strcmp(prev->name, rc->name) != 0)
					continue;
				conf_error(ctx, conf_member(g, "name"),
				    "duplicate relay name '%s' (first at "
				    "line %d)", rc->name, prev->line);
				break;
			}
		}
		conf_overlap(ctx, g, rc, conf);
		TAILQ_INSERT_TAIL(&conf->relays, rc, rc_entry);
		conf->nrelays++;
	}
}

/*
 * Two listens collide when their families match, their port ranges meet
 * and the addresses are equal or either one is the wildcard. v4 and v6
 * wildcards are not compared: whether [::] also takes v4 depends on
 * IPV6_V6ONLY, and bind() reports that case itself.
 */
static void
conf_overlap(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc, struct fwrelay_conf *conf)
{
	struct relay_conf	*o;
	struct sockaddr_storage	 a, b;
	char			 buf[ADDR_STRLEN + 8];
	int			 wild_a, wild_b, same;

	if (rc->listen_len == 0)
		return;
	TAILQ_FOREACH(o, &conf->relays, rc_entry) {
		if (o->listen_len == 0 ||
		    o->listen.ss_family != rc->listen.ss_family ||
		    o->listen_hi < rc->listen_lo || rc->listen_hi < o->listen_lo)
			continue;
		a = rc->listen;
		b = o->listen;
		addr_set_port((struct sockaddr *)&a, 0);
		addr_set_port((struct sockaddr *)&b, 0);
		if (a.ss_family == AF_INET) {
			wild_a = ((struct sockaddr_in *)&a)->sin_addr.s_addr ==
			    htonl(INADDR_ANY);
			wild_b = ((struct sockaddr_in *)&b)->sin_addr.s_addr ==
			    htonl(INADDR_ANY);
		} else {
			wild_a = IN6_IS_ADDR_UNSPECIFIED(
			    &((struct sockaddr_in6 *)&a)->sin6_addr);
			wild_b = IN6_IS_ADDR_UNSPECIFIED(
			    &((struct sockaddr_in6 *)&b)->sin6_addr);
		}
		same = addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b);
		if (!same && !wild_a && !wild_b)
			continue;
		conf_error(ctx, conf_member(g, "listen"),
		    "listen %s overlaps relay '%s' (line %d)",
		    conf_listen_str(rc, buf, sizeof(buf)), o->name, o->line);
		return;
	}
}

/* One relay. Returns it even when it had errors (they are counted). */
static struct relay_conf *
conf_relay(struct conf_ctx *ctx, const config_setting_t *g)
{
	struct relay_conf	*rc;
	config_setting_t	*s;
	long long		 v;
	int			 b;

	if ((rc = calloc(1, sizeof(*rc))) == NULL) {
		conf_error(ctx, g, "out of memory");
		return (NULL);
	}
	rc->line = (int)config_setting_source_line(g);
	rc->connect_timeout = RELAY_CONNECT_TIMEOUT;
	rc->idle_timeout = RELAY_IDLE_TIMEOUT;
	rc->max_connections = RELAY_MAX_CONNECTIONS;
	rc->buffer_size = RELAY_BUFFER_SIZE;
	rc->enabled = 1;
	rc->source = SOURCE_REWRITE;
	rc->source_port = SOURCE_PORT_ANY;
	rc->protocol = PROTO_NONE;
	rc->pinhole_timeout = PINHOLE_TIMEOUT;
	rc->pinhole_uses = PINHOLE_ONCE;
	rc->capture_files = CAPTURE_FILES;

	conf_keys(ctx, g, conf_relay_keys);
	conf_name(ctx, g, rc);
	conf_listen(ctx, g, rc);
	conf_target(ctx, g, rc);
	if (conf_bool(ctx, g, "intercept", &b, NULL) == 1)
		rc->intercept = b;
	conf_timeouts(ctx, g, rc);
	if (conf_int(ctx, g, "max_connections", 1, CONF_MAXCONN_MAX, &v,
	    NULL) == 1)
		rc->max_connections = (unsigned int)v;
	if (conf_int(ctx, g, "buffer_size", RELAY_BUFFER_MIN, RELAY_BUFFER_MAX,
	    &v, NULL) == 1)
		rc->buffer_size = (size_t)v;
	if (conf_bool(ctx, g, "enabled", &b, NULL) == 1)
		rc->enabled = b;
	conf_protocol(ctx, g, rc);
	conf_source(ctx, g, rc);

	s = conf_member(g, "target");
	if (rc->target_kind == TARGET_ORIGINAL && !rc->intercept)
		conf_error(ctx, s, "target \"original\" needs intercept = true");
	if (conf_bool(ctx, g, "nft_rules", &b, NULL) == 1) {
		rc->nft_rules = b;
		if (b && !rc->intercept)
			conf_error(ctx, conf_member(g, "nft_rules"),
			    "'nft_rules' needs intercept = true");
	}

	conf_intercept(ctx, g, rc);
	conf_capture(ctx, g, rc);
	conf_policy(ctx, g, rc);
	conf_faults(ctx, g, rc);
	return (rc);
}

static void
conf_name(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	config_setting_t	*s;
	const char		*str, *p;
	int			 r;

	if ((r = conf_string(ctx, g, "name", &str, &s)) == 0)
		conf_error(ctx, g, "missing required key 'name'");
	if (r != 1)
		return;
	for (p = str; *p != '\0'; p++)
		if ((*p < 'a' || *p > 'z') && (*p < 'A' || *p > 'Z') &&
		    (*p < '0' || *p > '9') && *p != '_' && *p != '.' &&
		    *p != '-')
			break;
	if (*p != '\0' || *str == '\0' || strlen(str) > CONF_NAME_MAX) {
		conf_error(ctx, s, "bad relay name '%s' (1-%d characters of "
		    "A-Z a-z 0-9 _ . -)", str, CONF_NAME_MAX);
		return;
	}
	snprintf(rc->name, sizeof(rc->name), "%s", str);
}

static void
conf_listen(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	struct sockaddr_storage	 ss;
	config_setting_t	*s;
	const char		*str, *errstr;
	socklen_t		 len;
	int			 lo, hi, r;

	if ((r = conf_string(ctx, g, "listen", &str, &s)) == 0)
		conf_error(ctx, g, "missing required key 'listen'");
	if (r != 1)
		return;
	if (addr_parse(str, ADDR_PORT_REQUIRED | ADDR_PORT_RANGE, &ss, &len,
	    &lo, &hi, &errstr) == -1) {
		conf_error(ctx, s, "bad address '%s': %s", str, errstr);
		return;
	}
	if (hi - lo + 1 > CONF_PORTS_MAX) {
		conf_error(ctx, s, "port range %d-%d is %d ports wide, at most "
		    "%d (one listener per port)", lo, hi, hi - lo + 1,
		    CONF_PORTS_MAX);
		return;
	}
	rc->listen = ss;
	rc->listen_len = len;
	rc->listen_lo = lo;
	rc->listen_hi = hi;
}

static void
conf_target(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	struct sockaddr_storage	 ss;
	config_setting_t	*s;
	const char		*str, *errstr;
	socklen_t		 len;
	int			 lo, r;

	if ((r = conf_string(ctx, g, "target", &str, &s)) == 0)
		conf_error(ctx, g, "missing required key 'target'");
	if (r != 1)
		return;
	if (strcmp(str, "original") == 0) {
		rc->target_kind = TARGET_ORIGINAL;
		return;
	}
	if (addr_parse(str, ADDR_PORT_OPTIONAL, &ss, &len, &lo, NULL,
	    &errstr) == -1) {
		conf_error(ctx, s, "bad address '%s': %s", str, errstr);
		return;
	}
	if ((ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(INADDR_ANY)) ||
	    (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr))) {
		conf_error(ctx, s, "target '%s' is a wildcard address, not a "
		    "host", str);
		return;
	}
	rc->target = ss;
	rc->target_len = len;
	rc->target_kind = lo == 0 ? TARGET_SAME_PORT : TARGET_ADDR;
}

static void
conf_timeouts(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	config_setting_t	*t;
	double			 d;

	if ((t = conf_member(g, "timeouts")) == NULL)
		return;
	if (config_setting_type(t) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, t, "'timeouts' must be a group "
		    "{ connect = ...; idle = ...; }");
		return;
	}
	conf_keys(ctx, t, conf_timeout_keys);
	if (conf_member(t, "connect") != NULL &&
	    conf_timeout(ctx, t, "connect", 0, &d) == 0)
		rc->connect_timeout = d;
	if (conf_member(t, "idle") != NULL &&
	    conf_timeout(ctx, t, "idle", 1, &d) == 0)
		rc->idle_timeout = d;
}

/* The protocol and the keys that only make sense with some protocols. */
static void
conf_protocol(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	config_setting_t	*s;
	double			 d;
	int			 v, r, proto_ok;

	if ((r = conf_enum(ctx, g, "protocol", conf_protocols, &v, NULL)) == 1)
		rc->protocol = (enum protocol)v;
	proto_ok = r != -1;

	r = 0;
	if ((s = conf_member(g, "strict")) != NULL &&
	    config_setting_type(s) == CONFIG_TYPE_BOOL) {
		v = config_setting_get_bool(s) ? STRICT_FRAMING : STRICT_OFF;
		r = 1;
	} else if (s != NULL && config_setting_type(s) != CONFIG_TYPE_STRING)
		conf_error(ctx, s, "'strict' must be true, false, \"framing\" "
		    "or \"conformance\"");
	else if (s != NULL)
		r = conf_enum(ctx, g, "strict", conf_strict, &v, NULL);
	if (r == 1) {
		rc->strict = v;
		if (proto_ok && rc->protocol == PROTO_NONE)
			conf_error(ctx, s, "'strict' needs a protocol "
			    "(\"rfc1006\", \"dcerpc\" or \"epm\")");
	}
	if ((s = conf_member(g, "tsap_allow")) != NULL) {
		if (proto_ok && rc->protocol != PROTO_RFC1006)
			conf_error(ctx, s, "'tsap_allow' needs protocol "
			    "\"rfc1006\"");
		conf_tsap(ctx, s, rc);
	}
	if (conf_bool(ctx, g, "pinholes", &v, &s) == 1)
		rc->pinholes = v;
	if (s != NULL && proto_ok && rc->protocol != PROTO_EPM)
		conf_error(ctx, s, "'pinholes' needs protocol \"epm\"");
	if ((s = conf_member(g, "pinhole_timeout")) != NULL) {
		if (proto_ok && rc->protocol != PROTO_EPM)
			conf_error(ctx, s, "'pinhole_timeout' needs protocol "
			    "\"epm\"");
		else if (conf_timeout(ctx, g, "pinhole_timeout", 0, &d) == 0)
			rc->pinhole_timeout = d;
	}
	if (conf_enum(ctx, g, "pinhole_uses", conf_pinhole_uses, &v, &s) == 1)
		rc->pinhole_uses = (enum pinhole_uses)v;
	if (s != NULL && proto_ok && rc->protocol != PROTO_EPM)
		conf_error(ctx, s, "'pinhole_uses' needs protocol \"epm\"");
	if (conf_bool(ctx, g, "rewrite_towers", &v, &s) == 1)
		rc->rewrite_towers = v;
	if (s != NULL && proto_ok && rc->protocol != PROTO_EPM)
		conf_error(ctx, s, "'rewrite_towers' needs protocol \"epm\"");
	if (conf_bool(ctx, g, "string_bindings", &v, &s) == 1)
		rc->string_bindings = v;
	if (s != NULL && proto_ok && rc->protocol != PROTO_DCERPC &&
	    rc->protocol != PROTO_EPM)
		conf_error(ctx, s, "'string_bindings' needs protocol "
		    "\"dcerpc\" or \"epm\"");
}

/* An array or a list; else msg is reported at s. */
static int
conf_is_array(struct conf_ctx *ctx, const config_setting_t *s,
    const char *msg)
{
	if (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
	    config_setting_type(s) == CONFIG_TYPE_LIST)
		return (1);
	conf_error(ctx, s, "%s", msg);
	return (0);
}

/*
 * intercept_interfaces = [ "eth1" ]; intercept_ports = [ 102, "135" ,
 * "49152-65535" ];: the turnkey TPROXY rule (kernel.c). Ports default to
 * the listen port, kept as is when the listener is a range.
 */
static void
conf_intercept(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	config_setting_t	*s, *e;
	const char		*str, *errstr, *p;
	char			 buf[16];
	int			 i, n, lo, hi;

	if ((s = conf_member(g, "intercept_interfaces")) != NULL) {
		if (!rc->intercept)
			conf_error(ctx, s, "'intercept_interfaces' needs "
			    "intercept = true");
		if (!conf_is_array(ctx, s, "'intercept_interfaces' must be "
		    "an array of interface names [ \"eth1\", ... ]"))
			return;
		n = config_setting_length(s);
		if (n == 0)
			conf_error(ctx, s, "'intercept_interfaces' is empty: "
			    "name the interfaces clients arrive on");
		if (n > RELAY_IFACES_MAX)
			conf_error(ctx, s, "'intercept_interfaces' has %d "
			    "entries, at most %d", n, RELAY_IFACES_MAX);
		for (i = 0; i < n && i < RELAY_IFACES_MAX; i++) {
			e = config_setting_get_elem(s, (unsigned int)i);
			if (config_setting_type(e) != CONFIG_TYPE_STRING) {
				conf_error(ctx, e, "'intercept_interfaces' "
				    "entries must be strings");
				continue;
			}
			str = config_setting_get_string(e);
			for (p = str; *p != '\0'; p++)
				if (*p == '"' || *p == '\\' || *p == '/' ||
				    *p <= ' ' || *p > '~')
					break;
			if (*str == '\0' || *p != '\0' ||
			    strlen(str) >= sizeof(rc->intercept_ifaces[0])) {
				conf_error(ctx, e, "bad interface name '%s' "
				    "(1-15 printable characters, no quote, "
				    "slash or space)", str);
				continue;
			}
			snprintf(rc->intercept_ifaces[rc->nintercept_ifaces++],
			    sizeof(rc->intercept_ifaces[0]), "%s", str);
		}
	}
	if ((s = conf_member(g, "intercept_ports")) == NULL)
		return;
	if (conf_member(g, "intercept_interfaces") == NULL)
		conf_error(ctx, s, "'intercept_ports' needs "
		    "intercept_interfaces");
	if (!conf_is_array(ctx, s, "'intercept_ports' must be an array [ "
	    "102, \"135\" ] or a list ( 102, \"49152-65535\" )"))
		return;
	n = config_setting_length(s);
	if (n == 0 || n > RELAY_IPORTS_MAX)
		conf_error(ctx, s, "'intercept_ports' has %d entries (1-%d)",
		    n, RELAY_IPORTS_MAX);
	if (n > 0 && rc->listen_hi != rc->listen_lo)
		conf_error(ctx, s, "'intercept_ports' needs a single listen "
		    "port: a listen range takes each diverted port as it is");
	for (i = 0; i < n && i < RELAY_IPORTS_MAX; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) == CONFIG_TYPE_INT) {
			snprintf(buf, sizeof(buf), "%d",
			    config_setting_get_int(e));
			str = buf;
		} else if (config_setting_type(e) == CONFIG_TYPE_STRING)
			str = config_setting_get_string(e);
		else {
			conf_error(ctx, e, "'intercept_ports' entries must be "
			    "ports or \"LO-HI\" ranges");
			continue;
		}
		if (port_range_parse(str, &lo, &hi, &errstr) == -1) {
			conf_error(ctx, e, "bad intercept port '%s': %s", str,
			    errstr);
			continue;
		}
		rc->intercept_port_lo[rc->nintercept_ports] = lo;
		rc->intercept_port_hi[rc->nintercept_ports++] = hi;
	}
}

/*
 * tsap_allow = [ "MTA1", "MTA2" ]; (a list works too). Given but empty
 * means no TSAP is allowed; absent (NULL) means no restriction.
 */
static void
conf_tsap(struct conf_ctx *ctx, const config_setting_t *s,
    struct relay_conf *rc)
{
	config_setting_t	*e;
	const char		*str;
	int			 i, n;

	if (!conf_is_array(ctx, s, "'tsap_allow' must be an array of "
	    "strings [ \"...\", ... ]"))
		return;
	n = config_setting_length(s);
	if ((rc->tsap_allow = calloc((size_t)n + 1,
	    sizeof(*rc->tsap_allow))) == NULL) {
		conf_error(ctx, s, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_error(ctx, e, "'tsap_allow' entries must be "
			    "strings");
			continue;
		}
		str = config_setting_get_string(e);
		if (*str == '\0' || strlen(str) > CONF_TSAP_MAX) {
			conf_error(ctx, e, "bad TSAP '%s' (1-%d characters)",
			    str, CONF_TSAP_MAX);
			continue;
		}
		if ((rc->tsap_allow[rc->ntsap_allow] = conf_strdup(ctx, e,
		    str)) != NULL)
			rc->ntsap_allow++;
	}
}

/* source, source_address and source_port, which depend on each other. */
/* Report a shared check's problem at the line of the key it names. */
static void
conf_key_report(void *arg, const char *key, const char *msg)
{
	struct conf_key_arg	*ka = arg;
	const config_setting_t	*s = NULL;

	if (key != NULL)
		s = conf_member(ka->group, key);
	conf_error(ka->ctx, s != NULL ? s : ka->group, "%s", msg);
}

/* The named members of g as one JSON object, for the shared checks. */
static json_t *
conf_keys_json(const config_setting_t *g, const char *const *keys)
{
	config_setting_t	*s;
	json_t			*j, *v;
	size_t			 i;

	if ((j = json_object()) == NULL)
		return (NULL);
	for (i = 0; keys[i] != NULL; i++) {
		if ((s = conf_member(g, keys[i])) == NULL)
			continue;
		if ((v = fw_conf_json(s)) == NULL ||
		    json_object_set_new(j, keys[i], v) == -1) {
			json_decref(j);
			return (NULL);
		}
	}
	return (j);
}

/* capture and its bounds: the checks the API shares. */
static void
conf_capture(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	static const char *const keys[] = {
		"capture", "capture_mode", "capture_max_bytes", "capture_files",
		NULL
	};
	struct conf_key_arg	 ka = { ctx, g };
	config_setting_t	*s;
	json_t			*j;
	size_t			 i;

	if ((j = conf_keys_json(g, keys)) == NULL) {
		conf_error(ctx, g, "out of memory");
		return;
	}
	if (json_object_size(j) > 0 && config_capture_keys(j, rc,
	    conf_key_report, &ka) == 0 && conf_member(g, "capture") == NULL)
		for (i = 1; keys[i] != NULL; i++)
			if ((s = conf_member(g, keys[i])) != NULL)
				conf_error(ctx, s, "'%s' needs 'capture'",
				    keys[i]);
	json_decref(j);
}

/* source, source_address, source_port: the checks the API shares. */
static void
conf_source(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	static const char *const keys[] = {
		"source", "source_address", "source_port", NULL
	};
	struct conf_key_arg	 ka = { ctx, g };
	json_t			*j;
	int			 given = 0;

	if ((j = conf_keys_json(g, keys)) == NULL) {
		conf_error(ctx, g, "out of memory");
		return;
	}
	if (json_object_get(j, "source_address") != NULL)
		given |= CHECK_GIVEN_ADDRESS;
	if (json_object_get(j, "source_port") != NULL)
		given |= CHECK_GIVEN_PORT;
	if (config_source_keys(j, rc, conf_key_report, &ka) == 0)
		config_source_agree(rc, given, conf_key_report, &ka);
	json_decref(j);
}

static void
conf_policy(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	config_setting_t	*list, *e;
	int			 i, n;

	if (conf_member(g, "policy") == NULL)
		return;
	rc->policy.present = 1;
	if ((list = conf_list(ctx, g, "policy")) == NULL)
		return;
	n = config_setting_length(list);
	if (n == 0)
		return;
	if ((rc->policy.rules = calloc((size_t)n,
	    sizeof(*rc->policy.rules))) == NULL) {
		conf_error(ctx, list, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		if ((e = conf_entry(list, i)) != NULL && conf_rule(ctx, e,
		    &rc->policy.rules[rc->policy.nrules]) == 0)
			rc->policy.nrules++;
}

/* One rule { action = "allow"; from = ...; to = ...; port = ...; }. */
static int
conf_rule(struct conf_ctx *ctx, const config_setting_t *g, struct rule *r)
{
	struct conf_key_arg	 ka = { ctx, g };
	json_t			*j;
	int			 ret;

	if ((j = fw_conf_json(g)) == NULL) {
		conf_error(ctx, g, "out of memory");
		return (-1);
	}
	ret = config_rule_check(j, r, conf_key_report, &ka);
	r->line = (int)config_setting_source_line(g);
	json_decref(j);
	return (ret);
}

/* Faults: a group becomes JSON (fw_conf_json), checked as the API's. */

struct conf_fault_arg {
	struct conf_ctx			*ctx;
	const config_setting_t		*group;
};

/* Report a fault_check() problem at the line of the key it names. */
static void
conf_fault_report(void *arg, const char *key, const char *msg)
{
	struct conf_fault_arg	*fa = arg;
	const config_setting_t	*s = NULL, *t;
	const char		*type = "?";

	if (key != NULL)
		s = conf_member(fa->group, key);
	if (s == NULL)
		s = fa->group;
	t = conf_member(fa->group, "type");
	if (t != NULL && config_setting_type(t) == CONFIG_TYPE_STRING)
		type = config_setting_get_string(t);
	if (strcmp(msg, FAULT_ERR_UNKNOWN) == 0)
		conf_error(fa->ctx, s, "unknown key '%s' for fault type \"%s\"",
		    key, type);
	else if (strcmp(msg, FAULT_ERR_TYPE) == 0)
		conf_error(fa->ctx, s, "unknown fault type \"%s\" (%s)", type,
		    FAULT_TYPES);
	else
		conf_error(fa->ctx, s, "fault: %s", msg);
}

static void
conf_faults(struct conf_ctx *ctx, const config_setting_t *g,
    struct relay_conf *rc)
{
	struct conf_fault_arg	 fa;
	struct fault_conf	*fc;
	config_setting_t	*list, *e;
	json_t			*j;
	const char		*perr;
	int			 i, n;

	if (conf_member(g, "faults") == NULL)
		return;
	if ((list = conf_list(ctx, g, "faults")) == NULL)
		return;
	if ((n = config_setting_length(list)) == 0)
		return;
	if ((rc->faults = calloc((size_t)n, sizeof(*rc->faults))) == NULL) {
		conf_error(ctx, list, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		if ((e = conf_entry(list, i)) == NULL)
			continue;
		if ((j = fw_conf_json(e)) == NULL) {
			conf_error(ctx, e, "out of memory");
			continue;
		}
		fc = &rc->faults[rc->nfaults];
		fa.ctx = ctx;
		fa.group = e;
		if (fault_check(j, fc, conf_fault_report, &fa) == 0) {
			fc->line = (int)config_setting_source_line(e);
			if (rc->protocol != PROTO_RFC1006 &&
			    (strncmp(fc->type, "pdu_", 4) == 0 ||
			    strcmp(fc->type, "cr_refuse") == 0 ||
			    strcmp(fc->type, "er_reply") == 0)) {
				conf_error(ctx, conf_member(e, "type"),
				    "fault \"%s\" needs protocol \"rfc1006\"",
				    fc->type);
				fault_conf_clear(fc);
			} else if ((perr = fault_trig_proto_error(j,
			    rc->protocol)) != NULL) {
				conf_error(ctx, conf_member(e, "on"), "fault: %s",
				    perr);
				fault_conf_clear(fc);
			} else
				rc->nfaults++;
		}
		json_decref(j);
	}
}

/* Loading and freeing. */

/* This host's checks of each relay that parsed, among the file's errors. */
static void
conf_host(struct conf_ctx *ctx, struct fwrelay_conf *conf)
{
	struct relay_conf	*rc;
	char			 msg[FWRELAY_ERR_MAX];

	if (config_host_check == NULL)
		return;
	TAILQ_FOREACH(rc, &conf->relays, rc_entry)
		if (config_host_check(rc, msg, sizeof(msg)) != NULL)
			conf_error_at(ctx, NULL, rc->line, msg);
}

static struct fwrelay_conf *
conf_build(config_t *cf, const char *file, struct config_errors *errs)
{
	struct conf_ctx		 ctx;
	struct fwrelay_conf	*conf;
	config_setting_t	*root;

	memset(&ctx, 0, sizeof(ctx));
	ctx.errs = errs;
	ctx.file = file;
	if ((conf = calloc(1, sizeof(*conf))) == NULL) {
		config_errors_add(errs, file, 0, "out of memory");
		return (NULL);
	}
	ctx.conf = conf;
	TAILQ_INIT(&conf->relays);
	conf->log_level = LOG_LEVEL_INFO;
	conf->shutdown_timeout = FWRELAY_SHUTDOWN_TIMEOUT;
	conf->kernel_setup = 1;
	conf->workers = 1;
	conf->file = conf_strdup(&ctx, NULL, file);
	conf->event_log = conf_strdup(&ctx, NULL, "-");
	conf->instance = conf_strdup(&ctx, NULL, "fwrelay");

	root = config_root_setting(cf);
	conf_global(&ctx, root, conf);
	conf_relays(&ctx, root, conf);
	conf_host(&ctx, conf);
	conf_flush(&ctx);

	if (ctx.nerrors != 0) {
		config_free(conf);
		return (NULL);
	}
	return (conf);
}

/*
 * Parse and check a whole file. Returns the new configuration, or NULL with
 * every error appended to errs. The file is named in messages as given.
 */
struct fwrelay_conf *
config_load(const char *file, struct config_errors *errs)
{
	struct fwrelay_conf	*conf = NULL;
	config_t		 cf;
	const char		*efile;
	FILE			*fp;

	/* libconfig only says "file I/O error"; say which. */
	if ((fp = fopen(file, "r")) == NULL) {
		config_errors_add(errs, file, 0, "cannot open: %s",
		    strerror(errno));
		return (NULL);
	}
	fclose(fp);

	config_init(&cf);
	if (config_read_file(&cf, file) != CONFIG_TRUE) {
		efile = config_error_file(&cf);
		config_errors_add(errs, efile != NULL ? efile : file,
		    config_error_line(&cf), "%s", config_error_text(&cf));
	} else
		conf = conf_build(&cf, file, errs);
	config_destroy(&cf);
	return (conf);
}

/* The same from a string; name stands for the file in messages. */
struct fwrelay_conf *
config_load_string(const char *str, const char *name,
    struct config_errors *errs)
{
	struct fwrelay_conf	*conf = NULL;
	config_t		 cf;

	if (name == NULL)
		name = "(string)";
	config_init(&cf);
	if (config_read_string(&cf, str) != CONFIG_TRUE)
		config_errors_add(errs, name, config_error_line(&cf), "%s",
		    config_error_text(&cf));
	else
		conf = conf_build(&cf, name, errs);
	config_destroy(&cf);
	return (conf);
}

void
config_free(struct fwrelay_conf *conf)
{
	struct relay_conf	*rc;

	if (conf == NULL)
		return;
	while ((rc = TAILQ_FIRST(&conf->relays)) != NULL) {
		TAILQ_REMOVE(&conf->relays, rc, rc_entry);
		relay_conf_free(rc);
	}
	free(conf->file);
	free(conf->event_log);
	free(conf->control);
	free(conf->control_tcp);
	free(conf->user);
	free(conf->group);
	free(conf->instance);
	free(conf);
}

struct relay_conf *
config_find_relay(struct fwrelay_conf *conf, const char *name)
{
	struct relay_conf	*rc;

	if (conf == NULL || name == NULL)
		return (NULL);
	TAILQ_FOREACH(rc, &conf->relays, rc_entry)
		if (strcmp(rc->name, name) == 0)
			return (rc);
	return (NULL);
}

/* Deep copy (rules, TSAPs, faults with their own JSON references). */
struct relay_conf *
relay_conf_dup(const struct relay_conf *src)
{
	struct relay_conf	*rc;
	size_t			 i;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return (NULL);
	*rc = *src;
	memset(&rc->rc_entry, 0, sizeof(rc->rc_entry));
	rc->refcnt = 0;
	memset(&rc->policy, 0, sizeof(rc->policy));
	rc->tsap_allow = NULL;
	rc->ntsap_allow = 0;
	rc->faults = NULL;
	rc->nfaults = 0;

	if (policy_copy(&rc->policy, &src->policy) == -1)
		goto fail;
	if (src->tsap_allow != NULL) {
		if ((rc->tsap_allow = calloc(src->ntsap_allow + 1,
		    sizeof(*rc->tsap_allow))) == NULL)
			goto fail;
		for (i = 0; i < src->ntsap_allow; i++) {
			if ((rc->tsap_allow[i] = strdup(src->tsap_allow[i])) ==
			    NULL)
				goto fail;
			rc->ntsap_allow++;
		}
	}
	if (src->nfaults != 0) {
		if ((rc->faults = calloc(src->nfaults,
		    sizeof(*rc->faults))) == NULL)
			goto fail;
		for (i = 0; i < src->nfaults; i++) {
			rc->faults[i] = src->faults[i];
			json_incref(rc->faults[i].params);
			fault_count_ref(rc->faults[i].count);
			rc->nfaults++;
		}
	}
	return (rc);
 fail:
	relay_conf_free(rc);
	return (NULL);
}

void
relay_conf_free(struct relay_conf *rc)
{
	size_t	i;

	if (rc == NULL)
		return;
	policy_clear(&rc->policy);
	if (rc->tsap_allow != NULL) {
		for (i = 0; i < rc->ntsap_allow; i++)
			free(rc->tsap_allow[i]);
		free(rc->tsap_allow);
	}
	for (i = 0; i < rc->nfaults; i++)
		fault_conf_clear(&rc->faults[i]);
	free(rc->faults);
	free(rc);
}

const char *
source_mode_name(enum source_mode m)
{
	switch (m) {
	case SOURCE_REWRITE:
		return ("rewrite");
	case SOURCE_TRANSPARENT:
		return ("transparent");
	case SOURCE_FIXED:
		return ("fixed");
	}
	return ("unknown");
}

const char *
deny_style_name(enum deny_style d)
{
	switch (d) {
	case DENY_RESET:
		return ("reset");
	case DENY_CLOSE:
		return ("close");
	case DENY_DROP:
		return ("drop");
	}
	return ("unknown");
}

const char *
protocol_name(enum protocol p)
{
	switch (p) {
	case PROTO_NONE:
		return ("none");
	case PROTO_RFC1006:
		return ("rfc1006");
	case PROTO_DCERPC:
		return ("dcerpc");
	case PROTO_EPM:
		return ("epm");
	}
	return ("unknown");
}
