/*
 * mtasim configuration: libconfig -> struct mta_conf, every key checked,
 * every error reported as "file:line: what is wrong" (fwrelay's config.c
 * rules). Also the scenario converter: any libconfig file as JSON, so the
 * lab runner (scripts/fwlab, Python) needs no libconfig parser of its own.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "mtasim.h"

struct conf_ctx {
	const char		*file;
	struct config_errors	*errs;
	struct mta_conf		*mc;
};

static void	conf_verror(struct conf_ctx *, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	conf_error(struct conf_ctx *, const config_setting_t *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static void	conf_error_line(struct conf_ctx *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	conf_msg_line(const char *, size_t);
static void	conf_sort_errors(struct config_errors *, size_t, const char *);
static int	conf_keys(struct conf_ctx *, const config_setting_t *,
		    const char *const *, const char *);
static int	conf_string(struct conf_ctx *, const config_setting_t *,
		    const char *, const char **);
static int	conf_int(struct conf_ctx *, const config_setting_t *,
		    const char *, int, int, int *);
static int	conf_bool(struct conf_ctx *, const config_setting_t *,
		    const char *, int *);
static int	conf_real(struct conf_ctx *, const config_setting_t *,
		    const char *, double, double, double *);
static int	conf_addr(struct conf_ctx *, const config_setting_t *,
		    const char *, struct in_addr *);
static int	conf_copy(struct conf_ctx *, const config_setting_t *,
		    const char *, char *, size_t);
static int	conf_tsel(struct conf_ctx *, const config_setting_t *,
		    const char *, uint8_t *, size_t *);
static int	conf_name_ok(const char *);
static void	conf_addresses(struct conf_ctx *, const config_setting_t *);
static void	conf_x400(struct conf_ctx *, const config_setting_t *);
static void	conf_rpc(struct conf_ctx *, const config_setting_t *);
static void	conf_connectors(struct conf_ctx *, const config_setting_t *);
static void	conf_hosts(struct conf_ctx *, const config_setting_t *, int);
static void	conf_mail(struct conf_ctx *, const config_setting_t *);
static void	conf_check(struct conf_ctx *);
static struct mta_conf *conf_parse(config_t *, const char *,
		    struct config_errors *);

static const char *const conf_top_keys[] = {
	"name", "org", "site", "event_log", "text_log", "status_file",
	"addresses", "x400", "rpc", "connectors", "proxy", "proxy_disable",
	"hosts", "ptr", "mail", "timeouts", "retry", NULL
};

static void
conf_verror(struct conf_ctx *ctx, int lineno, const char *fmt, va_list ap)
{
	char	 msg[MTA_ERR_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	config_errors_add(ctx->errs, ctx->file, lineno, "%s", msg);
}

static void
conf_error(struct conf_ctx *ctx, const config_setting_t *s, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	conf_verror(ctx, s != NULL ? config_setting_source_line(s) : 0, fmt,
	    ap);
	va_end(ap);
}

static void
conf_error_line(struct conf_ctx *ctx, int lineno, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	conf_verror(ctx, lineno, fmt, ap);
	va_end(ap);
}

/* Every member of group g must be one of keys. */
static int
conf_keys(struct conf_ctx *ctx, const config_setting_t *g,
    const char *const *keys, const char *what)
{
	config_setting_t	*m;
	const char		*name;
	int			 i, j, bad = 0;

	for (i = 0; (m = config_setting_get_elem(g, (unsigned int)i)) !=
	    NULL; i++) {
		if ((name = config_setting_name(m)) == NULL)
			continue;
		for (j = 0; keys[j] != NULL; j++)
			if (strcmp(keys[j], name) == 0)
				break;
		if (keys[j] == NULL) {
			conf_error(ctx, m, "unknown key '%s' in %s", name,
			    what);
			bad = 1;
		}
	}
	return (bad ? -1 : 0);
}

/* 1 found, 0 absent, -1 wrong type (reported). */
static int
conf_string(struct conf_ctx *ctx, const config_setting_t *g,
    const char *key, const char **out)
{
	config_setting_t	*s;

	if ((s = config_setting_get_member(g, key)) == NULL)
		return (0);
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error(ctx, s, "'%s' must be a string", key);
		return (-1);
	}
	*out = config_setting_get_string(s);
	return (1);
}

static int
conf_int(struct conf_ctx *ctx, const config_setting_t *g, const char *key,
    int min, int max, int *out)
{
	config_setting_t	*s;
	long long		 v;

	if ((s = config_setting_get_member(g, key)) == NULL)
		return (0);
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(ctx, s, "'%s' must be an integer", key);
		return (-1);
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_error(ctx, s, "'%s' must be %d-%d, not %lld", key, min,
		    max, v);
		return (-1);
	}
	*out = (int)v;
	return (1);
}

static int
conf_bool(struct conf_ctx *ctx, const config_setting_t *g, const char *key,
    int *out)
{
	config_setting_t	*s;

	if ((s = config_setting_get_member(g, key)) == NULL)
		return (0);
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_error(ctx, s, "'%s' must be true or false", key);
		return (-1);
	}
	*out = config_setting_get_bool(s);
	return (1);
}

static int
conf_real(struct conf_ctx *ctx, const config_setting_t *g, const char *key,
    double min, double max, double *out)
{
	config_setting_t	*s;
	double			 v;

	if ((s = config_setting_get_member(g, key)) == NULL)
		return (0);
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	default:
		conf_error(ctx, s, "'%s' must be a number", key);
		return (-1);
	}
	if (v < min || v > max) {
		conf_error(ctx, s, "'%s' must be %g-%g, not %g", key, min, max,
		    v);
		return (-1);
	}
	*out = v;
	return (1);
}

/* An IPv4 address (the lab is IPv4, as the MTA towers are). */
static int
conf_addr(struct conf_ctx *ctx, const config_setting_t *g, const char *key,
    struct in_addr *out)
{
	const char	*str;
	int		 rv;

	if ((rv = conf_string(ctx, g, key, &str)) != 1)
		return (rv);
	if (inet_pton(AF_INET, str, out) != 1) {
		conf_error(ctx, config_setting_get_member(g, key),
		    "'%s' must be an IPv4 address, not \"%s\"", key, str);
		return (-1);
	}
	return (1);
}

static int
conf_copy(struct conf_ctx *ctx, const config_setting_t *g, const char *key,
    char *buf, size_t size)
{
	const char	*str;
	int		 rv;

	if ((rv = conf_string(ctx, g, key, &str)) != 1)
		return (rv);
	if (strlen(str) >= size) {
		conf_error(ctx, config_setting_get_member(g, key),
		    "'%s' is too long (at most %zu characters)", key,
		    size - 1);
		return (-1);
	}
	snprintf(buf, size, "%s", str);
	return (1);
}

static int
conf_tsel(struct conf_ctx *ctx, const config_setting_t *g, const char *key,
    uint8_t *buf, size_t *len)
{
	const char	*str;
	int		 rv;

	if ((rv = conf_string(ctx, g, key, &str)) != 1)
		return (rv);
	if (strlen(str) > MTA_TSEL_MAX) {
		conf_error(ctx, config_setting_get_member(g, key),
		    "'%s' is too long (at most %d bytes)", key, MTA_TSEL_MAX);
		return (-1);
	}
	memcpy(buf, str, strlen(str));
	*len = strlen(str);
	return (1);
}

/* MTA and connector names: A-Z a-z 0-9 . _ - (they go into DNs and ids). */
static int
conf_name_ok(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return (0);
	return (1);
}

static void
conf_addresses(struct conf_ctx *ctx, const config_setting_t *g)
{
	static const char *const keys[] = { "node", "cluster", "source",
	    "listen", NULL };
	struct mta_conf		*mc = ctx->mc;
	config_setting_t	*l, *e;
	const char		*str;
	int			 i;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, g, "'addresses' must be a group");
		return;
	}
	conf_keys(ctx, g, keys, "addresses");
	if (conf_addr(ctx, g, "node", &mc->node) == 0)
		conf_error(ctx, g, "'addresses' needs 'node'");
	if (conf_addr(ctx, g, "cluster", &mc->cluster) == 1)
		mc->has_cluster = 1;
	if (conf_string(ctx, g, "source", &str) == 1) {
		if (strcmp(str, "node") == 0)
			mc->source_cluster = 0;
		else if (strcmp(str, "cluster") == 0) {
			mc->source_cluster = 1;
			if (!mc->has_cluster)
				conf_error(ctx, config_setting_get_member(g,
				    "source"), "'source' is \"cluster\" but "
				    "no 'cluster' address is given");
		} else
			conf_error(ctx, config_setting_get_member(g, "source"),
			    "'source' must be \"node\" or \"cluster\", not "
			    "\"%s\"", str);
	}
	if ((l = config_setting_get_member(g, "listen")) == NULL)
		return;
	if (config_setting_is_aggregate(l) == CONFIG_FALSE ||
	    config_setting_type(l) == CONFIG_TYPE_GROUP) {
		conf_error(ctx, l, "'listen' must be a list of addresses");
		return;
	}
	for (i = 0; (e = config_setting_get_elem(l, (unsigned int)i)) !=
	    NULL; i++) {
		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    inet_pton(AF_INET, config_setting_get_string(e),
		    &mc->listen[mc->nlisten]) != 1) {
			conf_error(ctx, e, "'listen' entries must be IPv4 "
			    "addresses");
			continue;
		}
		if (mc->nlisten + 1 >= MTA_LISTEN_MAX) {
			conf_error(ctx, e, "at most %d listen addresses",
			    MTA_LISTEN_MAX - 1);
			return;
		}
		mc->nlisten++;
	}
}

static void
conf_x400(struct conf_ctx *ctx, const config_setting_t *g)
{
	static const char *const keys[] = { "port", "tsel", NULL };
	struct mta_conf		*mc = ctx->mc;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, g, "'x400' must be a group");
		return;
	}
	conf_keys(ctx, g, keys, "x400");
	mc->x400_port = MTA_X400_PORT;
	conf_int(ctx, g, "port", 0, 65535, &mc->x400_port);
	conf_tsel(ctx, g, "tsel", mc->tsel, &mc->tsel_len);
}

static void
conf_rpc(struct conf_ctx *ctx, const config_setting_t *g)
{
	static const char *const keys[] = { "epm_port", "listen_port",
	    "bindback", "bindback_host", NULL };
	struct mta_conf		*mc = ctx->mc;
	const char		*str;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_error(ctx, g, "'rpc' must be a group");
		return;
	}
	conf_keys(ctx, g, keys, "rpc");
	mc->rpc = 1;
	mc->epm_port = MTA_EPM_PORT;
	conf_int(ctx, g, "epm_port", 0, 65535, &mc->epm_port);
	conf_int(ctx, g, "listen_port", 0, 65535, &mc->rpc_port);
	if (conf_string(ctx, g, "bindback", &str) == 1) {
		if (strcmp(str, "given") == 0)
			mc->bindback = BINDBACK_GIVEN;
		else if (strcmp(str, "endpoint-mapper") == 0)
			mc->bindback = BINDBACK_EPM;
		else
			conf_error(ctx, config_setting_get_member(g,
			    "bindback"), "'bindback' must be \"given\" or "
			    "\"endpoint-mapper\", not \"%s\"", str);
	}
	conf_copy(ctx, g, "bindback_host", mc->bindback_host,
	    sizeof(mc->bindback_host));
}

static void
conf_connectors(struct conf_ctx *ctx, const config_setting_t *l)
{
	static const char *const keys[] = { "name", "type", "peer",
	    "address", "port", "local_tsel", "remote_tsel", "schedule",
	    "two_way_alternate", "cost", NULL };
	struct mta_conf		*mc = ctx->mc;
	struct connector	*co;
	config_setting_t	*g;
	const char		*str;
	unsigned int		 i, n, j;

	if (!config_setting_is_list(l) && !config_setting_is_array(l)) {
		conf_error(ctx, l, "'connectors' must be a list of groups");
		return;
	}
	n = (unsigned int)config_setting_length(l);
	if (n == 0)
		return;
	if ((mc->connectors = calloc(n, sizeof(*co))) == NULL) {
		conf_error(ctx, l, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(l, i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			conf_error(ctx, g, "connectors must be groups");
			continue;
		}
		co = &mc->connectors[mc->nconnectors];
		co->line = config_setting_source_line(g);
		co->cost = 1;
		co->two_way = 1;
		conf_keys(ctx, g, keys, "a connector");
		if (conf_copy(ctx, g, "name", co->name, sizeof(co->name)) !=
		    1 || !conf_name_ok(co->name)) {
			conf_error(ctx, g, "a connector needs a 'name' of "
			    "A-Z a-z 0-9 . _ -");
			continue;
		}
		for (j = 0; j < mc->nconnectors; j++)
			if (strcmp(mc->connectors[j].name, co->name) == 0)
				conf_error(ctx, g, "connector \"%s\" is "
				    "defined twice", co->name);
		if (conf_string(ctx, g, "type", &str) == 1) {
			if (strcmp(str, "x400") == 0)
				co->type = CONNECTOR_X400;
			else if (strcmp(str, "rpc") == 0)
				co->type = CONNECTOR_RPC;
			else
				conf_error(ctx, config_setting_get_member(g,
				    "type"), "'type' must be \"x400\" or "
				    "\"rpc\", not \"%s\"", str);
		}
		if (conf_copy(ctx, g, "peer", co->peer, sizeof(co->peer)) !=
		    1 || !conf_name_ok(co->peer))
			conf_error(ctx, g, "connector \"%s\" needs a 'peer' "
			    "(the remote MTA's name)", co->name);
		if (conf_copy(ctx, g, "address", co->address,
		    sizeof(co->address)) != 1)
			conf_error(ctx, g, "connector \"%s\" needs an "
			    "'address' (IP or FQDN)", co->name);
		else if (inet_pton(AF_INET, co->address, &co->ip) == 1)
			co->is_ip = 1;
		co->port = co->type == CONNECTOR_RPC ? MTA_EPM_PORT :
		    MTA_X400_PORT;
		conf_int(ctx, g, "port", 1, 65535, &co->port);
		conf_tsel(ctx, g, "local_tsel", co->local_tsel,
		    &co->local_tsel_len);
		conf_tsel(ctx, g, "remote_tsel", co->remote_tsel,
		    &co->remote_tsel_len);
		if (conf_string(ctx, g, "schedule", &str) == 1) {
			if (strcmp(str, "always") == 0)
				co->schedule = SCHEDULE_ALWAYS;
			else if (strcmp(str, "remote-initiated") == 0)
				co->schedule = SCHEDULE_REMOTE;
			else
				conf_error(ctx, config_setting_get_member(g,
				    "schedule"), "'schedule' must be "
				    "\"always\" or \"remote-initiated\", not "
				    "\"%s\"", str);
		}
		conf_bool(ctx, g, "two_way_alternate", &co->two_way);
		conf_int(ctx, g, "cost", 1, 100, &co->cost);
		mc->nconnectors++;
	}
}

/* hosts (ptr == 0): name -> address; ptr (ptr == 1): address -> name. */
static void
conf_hosts(struct conf_ctx *ctx, const config_setting_t *l, int ptr)
{
	static const char *const keys[] = { "name", "address", NULL };
	struct mta_conf		*mc = ctx->mc;
	struct host_entry	*tab, *h;
	size_t			*np;
	config_setting_t	*g;
	unsigned int		 i, n;

	if (!config_setting_is_list(l)) {
		conf_error(ctx, l, "'%s' must be a list of groups",
		    ptr ? "ptr" : "hosts");
		return;
	}
	n = (unsigned int)config_setting_length(l);
	if (n == 0)
		return;
	if ((tab = calloc(n, sizeof(*tab))) == NULL) {
		conf_error(ctx, l, "out of memory");
		return;
	}
	if (ptr) {
		mc->ptrs = tab;
		np = &mc->nptrs;
	} else {
		mc->hosts = tab;
		np = &mc->nhosts;
	}
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(l, i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			conf_error(ctx, g, "'%s' entries must be groups",
			    ptr ? "ptr" : "hosts");
			continue;
		}
		h = &tab[*np];
		conf_keys(ctx, g, keys, ptr ? "a ptr record" : "a host");
		if (conf_copy(ctx, g, "name", h->name, sizeof(h->name)) != 1 ||
		    conf_addr(ctx, g, "address", &h->addr) != 1) {
			conf_error(ctx, g, "a %s needs 'name' and 'address'",
			    ptr ? "ptr record" : "host");
			continue;
		}
		(*np)++;
	}
}

static void
conf_mail(struct conf_ctx *ctx, const config_setting_t *l)
{
	static const char *const keys[] = { "phase", "peer", "count", "size",
	    "subject", NULL };
	struct mta_conf		*mc = ctx->mc;
	struct mail_conf	*m;
	config_setting_t	*g;
	unsigned int		 i, n;
	int			 size;

	if (!config_setting_is_list(l)) {
		conf_error(ctx, l, "'mail' must be a list of groups");
		return;
	}
	n = (unsigned int)config_setting_length(l);
	if (n == 0)
		return;
	if ((mc->mail = calloc(n, sizeof(*m))) == NULL) {
		conf_error(ctx, l, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(l, i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			conf_error(ctx, g, "'mail' entries must be groups");
			continue;
		}
		m = &mc->mail[mc->nmail];
		m->line = config_setting_source_line(g);
		conf_keys(ctx, g, keys, "mail");
		m->phase = 1;
		m->count = 1;
		size = 256;
		conf_int(ctx, g, "phase", 1, 1000, &m->phase);
		conf_int(ctx, g, "count", 1, 10000, &m->count);
		conf_int(ctx, g, "size", 0, MTA_MAIL_SIZE_MAX, &size);
		m->size = (size_t)size;
		if (conf_copy(ctx, g, "peer", m->peer, sizeof(m->peer)) != 1) {
			conf_error(ctx, g, "mail needs a 'peer' (the remote "
			    "MTA's name)");
			continue;
		}
		if (conf_copy(ctx, g, "subject", m->subject,
		    sizeof(m->subject)) == 0)
			snprintf(m->subject, sizeof(m->subject), "phase %d",
			    m->phase);
		if (strchr(m->subject, '\n') != NULL)
			conf_error(ctx, g, "'subject' may not hold a newline");
		mc->nmail++;
	}
}

/* Checks across sections, once everything is read. */
static void
conf_check(struct conf_ctx *ctx)
{
	struct mta_conf	*mc = ctx->mc;
	size_t		 i, j;
	int		 found;

	for (i = 0; i < mc->nconnectors; i++) {
		if (mc->connectors[i].type == CONNECTOR_RPC && !mc->rpc)
			conf_error_line(ctx, mc->connectors[i].line,
			    "connector \"%s\" is an RPC site connector but "
			    "there is no 'rpc' group", mc->connectors[i].name);
	}
	for (i = 0; i < mc->nmail; i++) {
		found = 0;
		for (j = 0; j < mc->nconnectors; j++)
			if (strcmp(mc->connectors[j].peer, mc->mail[i].peer) ==
			    0)
				found = 1;
		if (!found)
			conf_error_line(ctx, mc->mail[i].line, "mail for "
			    "\"%s\": no connector has that peer",
			    mc->mail[i].peer);
	}
}

/* The line in "file:line: message", for sorting. */
static int
conf_msg_line(const char *msg, size_t flen)
{
	return (atoi(msg + flen + 1));
}

/* Report errors in file order, as fwrelay does; stable among a line. */
static void
conf_sort_errors(struct config_errors *errs, size_t from, const char *file)
{
	size_t	 i, j, flen = strlen(file);
	char	*m;

	for (i = from + 1; i < errs->n; i++) {
		m = errs->msgs[i];
		for (j = i; j > from && conf_msg_line(errs->msgs[j - 1], flen) >
		    conf_msg_line(m, flen); j--)
			errs->msgs[j] = errs->msgs[j - 1];
		errs->msgs[j] = m;
	}
}

static struct mta_conf *
conf_parse(config_t *cfg, const char *file, struct config_errors *errs)
{
	struct conf_ctx		 ctx;
	struct mta_conf		*mc;
	config_setting_t	*root, *s;
	const char		*str;
	size_t			 nerr = errs->n;
	char			 host[64];
	char			*colon;
	int			 port;

	if ((mc = calloc(1, sizeof(*mc))) == NULL)
		return (NULL);
	ctx.file = file;
	ctx.errs = errs;
	ctx.mc = mc;
	snprintf(mc->org, sizeof(mc->org), "Lab");
	snprintf(mc->site, sizeof(mc->site), "Site");
	mc->connect_timeout = MTA_CONNECT_TIMEOUT;
	mc->response_timeout = MTA_RESPONSE_TIMEOUT;
	mc->retry_interval = MTA_RETRY_INTERVAL;
	if ((mc->file = strdup(file)) == NULL)
		goto fail;

	root = config_root_setting(cfg);
	conf_keys(&ctx, root, conf_top_keys, "the configuration");
	if (conf_copy(&ctx, root, "name", mc->name, sizeof(mc->name)) != 1 ||
	    !conf_name_ok(mc->name))
		conf_error(&ctx, root, "'name' (the MTA's name, A-Z a-z 0-9 . "
		    "_ -) is required");
	conf_copy(&ctx, root, "org", mc->org, sizeof(mc->org));
	conf_copy(&ctx, root, "site", mc->site, sizeof(mc->site));
	if (conf_string(&ctx, root, "event_log", &str) == 1 &&
	    (mc->event_log = strdup(str)) == NULL)
		goto fail;
	if (conf_string(&ctx, root, "text_log", &str) == 1 &&
	    (mc->text_log = strdup(str)) == NULL)
		goto fail;
	if (conf_string(&ctx, root, "status_file", &str) == 1 &&
	    (mc->status_file = strdup(str)) == NULL)
		goto fail;
	if ((s = config_setting_get_member(root, "addresses")) != NULL)
		conf_addresses(&ctx, s);
	else
		conf_error(&ctx, root, "'addresses' (at least 'node') is "
		    "required");
	if (mc->nlisten == 0)
		mc->listen[mc->nlisten++] = mc->has_cluster ? mc->cluster :
		    mc->node;
	if ((s = config_setting_get_member(root, "x400")) != NULL)
		conf_x400(&ctx, s);
	if ((s = config_setting_get_member(root, "rpc")) != NULL)
		conf_rpc(&ctx, s);
	if ((s = config_setting_get_member(root, "connectors")) != NULL)
		conf_connectors(&ctx, s);
	if ((s = config_setting_get_member(root, "hosts")) != NULL)
		conf_hosts(&ctx, s, 0);
	if ((s = config_setting_get_member(root, "ptr")) != NULL)
		conf_hosts(&ctx, s, 1);
	if ((s = config_setting_get_member(root, "mail")) != NULL)
		conf_mail(&ctx, s);
	if (conf_string(&ctx, root, "proxy", &str) == 1) {
		s = config_setting_get_member(root, "proxy");
		snprintf(host, sizeof(host), "%s", str);
		port = 0;
		if ((colon = strrchr(host, ':')) != NULL) {
			*colon = '\0';
			port = atoi(colon + 1);
		}
		if (port < 1 || port > 65535 || strlen(str) >= sizeof(host) ||
		    inet_pton(AF_INET, host, &mc->proxy.sin_addr) != 1)
			conf_error(&ctx, s, "'proxy' must be \"a.b.c.d:port\", "
			    "not \"%s\"", str);
		else {
			mc->proxy.sin_family = AF_INET;
			mc->proxy.sin_port = htons((uint16_t)port);
			mc->has_proxy = 1;
		}
	}
	conf_bool(&ctx, root, "proxy_disable", &mc->proxy_disable);
	if ((s = config_setting_get_member(root, "timeouts")) != NULL) {
		static const char *const keys[] = { "connect", "response",
		    NULL };

		conf_keys(&ctx, s, keys, "timeouts");
		conf_real(&ctx, s, "connect", 0.01, 3600, &mc->connect_timeout);
		conf_real(&ctx, s, "response", 0.01, 3600,
		    &mc->response_timeout);
	}
	if ((s = config_setting_get_member(root, "retry")) != NULL) {
		static const char *const keys[] = { "count", "interval",
		    NULL };

		conf_keys(&ctx, s, keys, "retry");
		conf_int(&ctx, s, "count", 0, 1000, &mc->retries);
		conf_real(&ctx, s, "interval", 0.01, 3600,
		    &mc->retry_interval);
	}
	conf_check(&ctx);
	if (errs->n != nerr) {
		conf_sort_errors(errs, nerr, file);
		goto fail;
	}
	return (mc);
 fail:
	conf_free(mc);
	return (NULL);
}

/* Parse and check a file; NULL with every error in errs. */
struct mta_conf *
conf_load(const char *file, struct config_errors *errs)
{
	config_t		 cfg;
	struct mta_conf		*mc = NULL;

	config_init(&cfg);
	if (config_read_file(&cfg, file) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			config_errors_add(errs, file, 0, "%s", strerror(errno));
		else
			config_errors_add(errs, config_error_file(&cfg) ?
			    config_error_file(&cfg) : file,
			    config_error_line(&cfg), "%s",
			    config_error_text(&cfg));
	} else
		mc = conf_parse(&cfg, file, errs);
	config_destroy(&cfg);
	return (mc);
}

/* The same from a string; name stands for the file in messages. */
struct mta_conf *
conf_load_string(const char *str, const char *name, struct config_errors *errs)
{
	config_t		 cfg;
	struct mta_conf		*mc = NULL;

	config_init(&cfg);
	if (config_read_string(&cfg, str) != CONFIG_TRUE) {
		config_errors_add(errs, name, config_error_line(&cfg), "%s",
		    config_error_text(&cfg));
	} else
		mc = conf_parse(&cfg, name, errs);
	config_destroy(&cfg);
	return (mc);
}

void
conf_free(struct mta_conf *mc)
{
	if (mc == NULL)
		return;
	free(mc->file);
	free(mc->event_log);
	free(mc->text_log);
	free(mc->status_file);
	free(mc->connectors);
	free(mc->hosts);
	free(mc->ptrs);
	free(mc->mail);
	free(mc);
}

struct in_addr
conf_source(const struct mta_conf *mc)
{
	return (mc->source_cluster ? mc->cluster : mc->node);
}

const char *
schedule_name(enum connector_schedule s)
{
	return (s == SCHEDULE_REMOTE ? "remote-initiated" : "always");
}

const char *
bindback_name(enum bindback_mode b)
{
	return (b == BINDBACK_EPM ? "endpoint-mapper" : "given");
}

json_t *
conf_file_json(const char *file, char *err, size_t errsz)
{
	config_t	 cfg;
	json_t		*o = NULL;

	config_init(&cfg);
	if (config_read_file(&cfg, file) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			snprintf(err, errsz, "%s: %s", file, strerror(errno));
		else
			snprintf(err, errsz, "%s:%d: %s",
			    config_error_file(&cfg) ? config_error_file(&cfg) :
			    file, config_error_line(&cfg),
			    config_error_text(&cfg));
	} else if ((o = fw_conf_json(config_root_setting(&cfg))) == NULL)
		snprintf(err, errsz, "%s: out of memory", file);
	config_destroy(&cfg);
	return (o);
}
