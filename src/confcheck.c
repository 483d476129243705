/*
 * The checks of a relay's run-time settings, shared by the configuration
 * file (config.c) and the control API (control.c), so that a value one
 * refuses the other refuses too, in the same words. Each takes the
 * settings as a JSON object (config.c turns the libconfig group into one)
 * and reports every problem through a callback with the key it belongs to:
 * the file turns the key into "file:line: message", the API into a 422.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwrelay.h"

struct check_enum {
	const char	*name;
	int		 value;
};

static const struct check_enum check_sources[] = {
	{ "rewrite",	 SOURCE_REWRITE },
	{ "transparent", SOURCE_TRANSPARENT },
	{ "fixed",	 SOURCE_FIXED },
	{ NULL,		 0 }
};

static const struct check_enum check_actions[] = {
	{ "allow",	RULE_ALLOW },
	{ "deny",	RULE_DENY },
	{ NULL,		0 }
};

static const struct check_enum check_denies[] = {
	{ "reset",	DENY_RESET },
	{ "close",	DENY_CLOSE },
	{ "drop",	DENY_DROP },
	{ NULL,		0 }
};

static const char *const check_rule_keys[] = {
	"action", "from", "to", "port", "deny", NULL
};

static void	check_report(config_report_cb, void *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int	check_string(json_t *, const char *, const char **,
		    config_report_cb, void *);
static int	check_enum(json_t *, const char *, const struct check_enum *,
		    int *, config_report_cb, void *);
static const char *check_family(int);

static void
check_report(config_report_cb report, void *arg, const char *key,
    const char *fmt, ...)
{
	char	 msg[FWRELAY_ERR_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(arg, key, msg);
}

/* 1 present and a string, 0 absent, -1 wrong type (reported). */
static int
check_string(json_t *o, const char *key, const char **val,
    config_report_cb report, void *arg)
{
	json_t	*v;

	if ((v = json_object_get(o, key)) == NULL)
		return (0);
	if (!json_is_string(v)) {
		check_report(report, arg, key, "'%s' must be a string", key);
		return (-1);
	}
	*val = json_string_value(v);
	return (1);
}

/* A string from a fixed set; the message lists the choices. */
static int
check_enum(json_t *o, const char *key, const struct check_enum *tab,
    int *val, config_report_cb report, void *arg)
{
	const char	*str;
	char		 choices[256];
	size_t		 i, n, len;
	int		 r;

	if ((r = check_string(o, key, &str, report, arg)) != 1)
		return (r);
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
	check_report(report, arg, key, "'%s' must be %s, not \"%s\"", key,
	    choices, str);
	return (-1);
}

static const char *
check_family(int af)
{
	return (af == AF_INET6 ? "IPv6" : "IPv4");
}

/*
 * One policy rule { action, deny, from, to, port } into r (line is left
 * to the caller). Returns 0, or -1 after reporting every problem.
 */
int
config_rule_check(json_t *o, struct rule *r, config_report_cb report,
    void *arg)
{
	const char	*key, *str, *errstr;
	json_t		*v;
	size_t		 k;
	int		 val, ret, bad = 0;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o)) {
		check_report(report, arg, NULL, "each policy rule must be a "
		    "group { action = ...; }");
		return (-1);
	}
	json_object_foreach(o, key, v) {
		for (k = 0; check_rule_keys[k] != NULL; k++)
			if (strcmp(check_rule_keys[k], key) == 0)
				break;
		if (check_rule_keys[k] == NULL) {
			check_report(report, arg, key, "unknown key '%s'", key);
			bad = 1;
		}
	}

	if ((ret = check_enum(o, "action", check_actions, &val, report,
	    arg)) == 1)
		r->action = (enum rule_action)val;
	else if (ret == 0) {
		check_report(report, arg, NULL, "missing required key "
		    "'action'");
		bad = 1;
	} else
		bad = 1;
	switch (check_enum(o, "deny", check_denies, &val, report, arg)) {
	case 1:
		r->deny = (enum deny_style)val;
		if (ret == 1 && r->action != RULE_DENY) {
			check_report(report, arg, "deny", "'deny' needs action "
			    "\"deny\"");
			bad = 1;
		}
		break;
	case -1:
		bad = 1;
		break;
	}

	switch (check_string(o, "from", &str, report, arg)) {
	case 1:
		if (cidr_parse(str, &r->from, &errstr) == -1) {
			check_report(report, arg, "from", "bad address '%s': "
			    "%s", str, errstr);
			bad = 1;
		} else
			r->has_from = 1;
		break;
	case -1:
		bad = 1;
	}
	switch (check_string(o, "to", &str, report, arg)) {
	case 1:
		if (cidr_parse(str, &r->to, &errstr) == -1) {
			check_report(report, arg, "to", "bad address '%s': %s",
			    str, errstr);
			bad = 1;
		} else
			r->has_to = 1;
		break;
	case -1:
		bad = 1;
	}

	if ((v = json_object_get(o, "port")) == NULL)
		;
	else if (json_is_integer(v)) {
		if (json_integer_value(v) < 1 || json_integer_value(v) > 65535) {
			check_report(report, arg, "port", "port %lld out of "
			    "range 1-65535", (long long)json_integer_value(v));
			bad = 1;
		} else
			r->port_lo = r->port_hi = (int)json_integer_value(v);
	} else if (json_is_string(v)) {
		if (port_range_parse(json_string_value(v), &r->port_lo,
		    &r->port_hi, &errstr) == -1) {
			check_report(report, arg, "port", "bad port '%s': %s",
			    json_string_value(v), errstr);
			bad = 1;
		}
	} else {
		check_report(report, arg, "port", "'port' must be a port "
		    "number or a \"LO-HI\" string");
		bad = 1;
	}
	return (bad ? -1 : 0);
}

/*
 * The source keys of o (source, source_address, source_port) into rc,
 * over what rc already holds. A null source_address clears it (the API's
 * way of saying "none"). Returns 0, or -1 after reporting.
 */
int
config_source_keys(json_t *o, struct relay_conf *rc, config_report_cb report,
    void *arg)
{
	struct sockaddr_storage	 ss;
	const char		*str, *errstr;
	socklen_t		 len;
	json_t			*v;
	int			 val, lo, hi, bad = 0;

	switch (check_enum(o, "source", check_sources, &val, report, arg)) {
	case 1:
		rc->source = (enum source_mode)val;
		break;
	case -1:
		bad = 1;
	}

	v = json_object_get(o, "source_address");
	if (json_is_null(v))
		rc->has_source_address = 0;
	else if (v != NULL && !json_is_string(v)) {
		check_report(report, arg, "source_address", "'source_address' "
		    "must be a string");
		bad = 1;
	} else if (v != NULL) {
		str = json_string_value(v);
		if (addr_parse(str, ADDR_NO_PORT, &ss, &len, NULL, NULL,
		    &errstr) == -1) {
			check_report(report, arg, "source_address", "bad "
			    "address '%s': %s", str, errstr);
			bad = 1;
		} else {
			rc->has_source_address = 1;
			rc->source_address = ss;
			rc->source_address_len = len;
		}
	}

	if ((v = json_object_get(o, "source_port")) == NULL)
		;
	else if (json_is_integer(v)) {
		if (json_integer_value(v) < 1 || json_integer_value(v) > 65535) {
			check_report(report, arg, "source_port", "'source_port' "
			    "%lld out of range 1-65535",
			    (long long)json_integer_value(v));
			bad = 1;
		} else {
			rc->source_port = SOURCE_PORT_RANGE;
			rc->source_port_lo = rc->source_port_hi =
			    (int)json_integer_value(v);
		}
	} else if (json_is_string(v)) {
		str = json_string_value(v);
		if (strcmp(str, "any") == 0)
			rc->source_port = SOURCE_PORT_ANY;
		else if (strcmp(str, "preserve") == 0)
			rc->source_port = SOURCE_PORT_PRESERVE;
		else if (port_range_parse(str, &lo, &hi, &errstr) == -1) {
			check_report(report, arg, "source_port", "bad "
			    "source_port '%s': %s (expected \"any\", "
			    "\"preserve\", \"LO-HI\" or a port)", str, errstr);
			bad = 1;
		} else {
			rc->source_port = SOURCE_PORT_RANGE;
			rc->source_port_lo = lo;
			rc->source_port_hi = hi;
		}
	} else {
		check_report(report, arg, "source_port", "'source_port' must "
		    "be \"any\", \"preserve\", \"LO-HI\" or a port number");
		bad = 1;
	}
	return (bad ? -1 : 0);
}

/*
 * Do rc's source settings fit together and with its listen and target?
 * given has CHECK_GIVEN_* bits for the keys the caller set explicitly: a
 * source_address or source_port carried over from before is not an error
 * of this change. Returns 0, or -1 after reporting.
 */
int
config_source_agree(const struct relay_conf *rc, int given,
    config_report_cb report, void *arg)
{
	int	 bad = 0;

	if (rc->source == SOURCE_TRANSPARENT && rc->has_source_address &&
	    (given & CHECK_GIVEN_ADDRESS)) {
		check_report(report, arg, "source_address", "'source_address' "
		    "is not allowed with source \"transparent\" (the client's "
		    "own address is used)");
		bad = 1;
	}
	if (rc->source == SOURCE_FIXED && !rc->has_source_address) {
		check_report(report, arg, "source", "'source_address' is "
		    "required with source \"fixed\"");
		bad = 1;
	}
	if ((given & CHECK_GIVEN_PORT) &&
	    rc->source_port == SOURCE_PORT_PRESERVE &&
	    rc->source != SOURCE_TRANSPARENT) {
		check_report(report, arg, "source_port", "source_port "
		    "\"preserve\" needs source \"transparent\"");
		bad = 1;
	}
	if ((given & CHECK_GIVEN_PORT) &&
	    rc->source_port == SOURCE_PORT_RANGE &&
	    rc->source != SOURCE_FIXED) {
		if (rc->source_port_lo == rc->source_port_hi)
			check_report(report, arg, "source_port", "source_port "
			    "%d needs source \"fixed\"", rc->source_port_lo);
		else
			check_report(report, arg, "source_port", "source_port "
			    "\"%d-%d\" needs source \"fixed\"",
			    rc->source_port_lo, rc->source_port_hi);
		bad = 1;
	}

	/* Families must agree, or the outbound connect cannot work. */
	if (rc->has_source_address && rc->target_len != 0 &&
	    rc->target_kind != TARGET_ORIGINAL &&
	    rc->source_address.ss_family != rc->target.ss_family) {
		check_report(report, arg, "source_address", "source_address "
		    "is %s but target is %s",
		    check_family(rc->source_address.ss_family),
		    check_family(rc->target.ss_family));
		bad = 1;
	}
	if (rc->source == SOURCE_TRANSPARENT && rc->target_len != 0 &&
	    rc->listen_len != 0 && rc->target_kind != TARGET_ORIGINAL &&
	    rc->listen.ss_family != rc->target.ss_family) {
		check_report(report, arg, "target", "source \"transparent\" "
		    "connects from the client's address: listen is %s but "
		    "target is %s", check_family(rc->listen.ss_family),
		    check_family(rc->target.ss_family));
		bad = 1;
	}
	return (bad ? -1 : 0);
}

static const struct check_enum check_capture_modes[] = {
	{ "connection",	CAPTURE_CONNECTION },
	{ "relay",	CAPTURE_RELAY },
	{ NULL,		0 }
};

/* A size: an integer, or a string of digits with K, M, G or T (1024s). */
static int
check_size(json_t *v, uint64_t *out)
{
	const char		*s;
	char			*end;
	unsigned long long	 n;
	int			 shift = 0;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return (-1);
		*out = (uint64_t)json_integer_value(v);
		return (0);
	}
	if (!json_is_string(v))
		return (-1);
	s = json_string_value(v);
	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return (-1);
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	default:
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0')
		return (-1);
	if (shift > 0 && n > (UINT64_MAX >> shift))
		return (-1);
	*out = (uint64_t)n << shift;
	return (0);
}

/*
 * The capture keys of o (capture, capture_mode, capture_max_bytes,
 * capture_files) into rc, over what rc holds; a null capture switches it
 * off. Then whether they agree. Returns 0, or -1 after reporting.
 */
int
config_capture_keys(json_t *o, struct relay_conf *rc, config_report_cb report,
    void *arg)
{
	const char	*str;
	json_t		*v;
	uint64_t	 size;
	int		 val, bad = 0;

	v = json_object_get(o, "capture");
	if (json_is_null(v))
		rc->capture[0] = '\0';
	else if (v != NULL) {
		str = json_is_string(v) ? json_string_value(v) : NULL;
		if (str == NULL || str[0] != '/') {
			check_report(report, arg, "capture", "'capture' must be "
			    "the absolute path of a directory");
			bad = 1;
		} else if (strlen(str) >= sizeof(rc->capture)) {
			check_report(report, arg, "capture", "'capture' is "
			    "longer than %zu characters",
			    sizeof(rc->capture) - 1);
			bad = 1;
		} else
			snprintf(rc->capture, sizeof(rc->capture), "%s", str);
	}
	switch (check_enum(o, "capture_mode", check_capture_modes, &val,
	    report, arg)) {
	case 1:
		rc->capture_mode = (enum capture_mode)val;
		break;
	case -1:
		bad = 1;
	}
	if ((v = json_object_get(o, "capture_max_bytes")) != NULL) {
		if (check_size(v, &size) == -1) {
			check_report(report, arg, "capture_max_bytes",
			    "'capture_max_bytes' must be a number of bytes, "
			    "e.g. 1073741824 or \"1G\" (0: no bound)");
			bad = 1;
		} else
			rc->capture_max_bytes = size;
	}
	if ((v = json_object_get(o, "capture_files")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 10000) {
			check_report(report, arg, "capture_files",
			    "'capture_files' must be an integer 1-10000");
			bad = 1;
		} else
			rc->capture_files = (unsigned int)json_integer_value(v);
	}
	if (!bad && rc->capture_max_bytes > 0 &&
	    rc->capture_max_bytes / rc->capture_files < CAPTURE_FILE_MIN) {
		check_report(report, arg, json_object_get(o,
		    "capture_max_bytes") != NULL ? "capture_max_bytes" :
		    "capture_files", "capture_max_bytes %llu over %u files "
		    "leaves less than %d bytes per file",
		    (unsigned long long)rc->capture_max_bytes,
		    rc->capture_files, CAPTURE_FILE_MIN);
		bad = 1;
	}
	return (bad ? -1 : 0);
}
