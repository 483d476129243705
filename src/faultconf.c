/*
 * The faults' parameter schemas and their one checker (pure: no data
 * path). The configuration file (config.c's conf_faults), the control
 * API (fault_conf_from_json) and the fuzz target check a fault here; the
 * data path (fault.c) takes its DR reason codes from the same table.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "fwrelay.h"

struct fault_reason {
	const char	*name;
	int		 value;
};

static void	 fault_first_error(void *, const char *, const char *);

enum fault_kind {
	FK_NUMBER,		/* real */
	FK_INTEGER,		/* integral */
	FK_TPDU,		/* COTP TPDU name */
	FK_REASON,		/* DR reason: 0..255 or a name */
	FK_CAUSE		/* ER cause 0..3 */
};

struct fault_param {
	const char	*name;
	enum fault_kind	 kind;
	double		 min;
	int		 min_open;	/* must be > min, not >= */
	const char	*msg_bad;
	const char	*msg_missing;
};

/* Messages are literal: the control API hands them to HTTP clients. */
static const struct fault_param fault_params[] = {
	{ "latency_ms", FK_NUMBER, 0, 0,
	    "'latency_ms' must be a number >= 0", "'latency_ms' is required" },
	{ "jitter_ms", FK_NUMBER, 0, 0,
	    "'jitter_ms' must be a number >= 0", NULL },
	{ "bytes_per_second", FK_NUMBER, 0, 1,
	    "'bytes_per_second' must be a number > 0",
	    "'bytes_per_second' is required" },
	{ "bytes", FK_INTEGER, 0, 0,
	    "'bytes' must be an integer >= 0", "'bytes' is required" },
	{ "size", FK_INTEGER, 0, 1,
	    "'size' must be an integer > 0", "'size' is required" },
	{ "delay_ms", FK_NUMBER, 0, 0,
	    "'delay_ms' must be a number >= 0", "'delay_ms' is required" },
	{ "idle_seconds", FK_NUMBER, 0, 1,
	    "'idle_seconds' must be a number > 0", "'idle_seconds' is required" },
	{ "tpdu", FK_TPDU, 0, 0,
	    "'tpdu' must be one of CR, CC, DR, DC, DT, ED, AK, EA, RJ, ER", NULL },
	{ "reason", FK_REASON, 0, 0,
	    "'reason' must be an integer 0-255 or a reason name such as "
	    "\"address unknown\"", NULL },
	{ "cause", FK_CAUSE, 0, 0,
	    "'cause' must be an integer 0-3", NULL },
	{ NULL, 0, 0, 0, NULL, NULL }
};

struct fault_type {
	const char	*name;
	const char	*params[3];	/* optional ones */
	const char	*required[2];
};

static const struct fault_type fault_types[] = {
	{ "latency",	    { "jitter_ms" },	{ "latency_ms" } },
	{ "bandwidth",	    { NULL },		{ "bytes_per_second" } },
	{ "reset_after",    { NULL },		{ "bytes" } },
	{ "blackhole",	    { NULL },		{ NULL } },
	{ "slicer",	    { "delay_ms" },	{ "size" } },
	{ "idle_blackhole", { NULL },		{ "idle_seconds" } },
	{ "pdu_delay",	    { "tpdu" },		{ "delay_ms" } },
	{ "pdu_drop",	    { "tpdu" },		{ NULL } },
	{ "cr_refuse",	    { "reason" },	{ NULL } },
	{ "er_reply",	    { "cause" },	{ NULL } },
	{ NULL,		    { NULL },		{ NULL } }
};

static const char *const fault_tpdus[] = {
	"CR", "CC", "DR", "DC", "DT", "ED", "AK", "EA", "RJ", "ER", NULL
};

/* DR reasons, RFC 905 13.5.3 (PROTOCOLS.md 1.5), as cr_refuse names them. */
static const struct fault_reason fault_reasons[] = {
	{ "not specified",			0 },
	{ "congestion at tsap",			1 },
	{ "session entity not attached to tsap", 2 },
	{ "address unknown",			3 },
	{ "normal",				128 },
	{ "remote congestion",			129 },
	{ "negotiation failed",			130 },
	{ "duplicate source reference",		131 },
	{ "mismatched references",		132 },
	{ "protocol error",			133 },
	{ "reference overflow",			135 },
	{ "connection request refused",		136 },
	{ "header or parameter length invalid",	138 },
	{ NULL,					0 }
};

static int	 fault_integral(json_t *, long long *);
static int	 fault_param_ok(const struct fault_param *, json_t *);

/*
 * Triggered faults: { on = "EVENT"; action = "..."; ... }. The events an
 * inspector emits at a PDU boundary, and what may be done there.
 */
static const struct fault_type fault_trig_type = { "triggered", { NULL },
    { NULL } };

static const char *const fault_trig_events[] = {
	"cotp_cr", "cotp_cc", "cotp_dr", "rpc_bind", "rpc_bind_ack",
	"rpc_call", "rpc_response", "epm_map", "rpc_string_binding",
	"pinhole_open", NULL
};
static const char *const fault_trig_actions[] = {
	"drop", "delay", "reset", "close", "blackhole", "corrupt", "reply",
	NULL
};
static const char *const fault_trig_replies[] = {
	"dr", "er", "rpc_fault", "bind_nak", NULL
};

static int
fault_trig_in(const char *const *names, json_t *v)
{
	size_t	 i;

	if (!json_is_string(v))
		return (0);
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], json_string_value(v)) == 0)
			return (1);
	return (0);
}

/* Check the members of a triggered fault; the number of problems. */
static int
fault_trig_check(json_t *obj, fault_report_cb report, void *arg)
{
	const char	*key, *act = "", *rep = "";
	json_t		*v, *m;
	long long	 n;
	int		 nerr = 0;

	if (!fault_trig_in(fault_trig_events, json_object_get(obj, "on"))) {
		report(arg, "on", "'on' must be one of cotp_cr, cotp_cc, "
		    "cotp_dr, rpc_bind, rpc_bind_ack, rpc_call, rpc_response, "
		    "epm_map, rpc_string_binding, pinhole_open");
		nerr++;
	}
	v = json_object_get(obj, "action");
	if (v == NULL) {
		report(arg, NULL, "'action' is required");
		nerr++;
	} else if (!fault_trig_in(fault_trig_actions, v)) {
		report(arg, "action", "'action' must be one of drop, delay, "
		    "reset, close, blackhole, corrupt, reply");
		nerr++;
	} else
		act = json_string_value(v);
	if ((v = json_object_get(obj, "reply")) != NULL &&
	    fault_trig_in(fault_trig_replies, v))
		rep = json_string_value(v);
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "on") == 0 || strcmp(key, "action") == 0 ||
		    strcmp(key, "direction") == 0 ||
		    strcmp(key, "probability") == 0)
			continue;
		if (strcmp(key, "match") == 0) {
			if (!json_is_object(v)) {
				report(arg, key, "'match' must be a group of "
				    "event fields");
				nerr++;
				continue;
			}
			json_object_foreach(v, key, m)
				if (!json_is_string(m) && !json_is_number(m) &&
				    !json_is_boolean(m)) {
					report(arg, "match", "'match' values "
					    "must be strings or numbers");
					nerr++;
				}
		} else if (strcmp(key, "after") == 0) {
			if (fault_integral(v, &n) == -1 || n < 1) {
				report(arg, key, "'after' must be an integer "
				    ">= 1");
				nerr++;
			}
		} else if (strcmp(key, "count") == 0) {
			if (fault_integral(v, &n) == -1 || n < 0) {
				report(arg, key, "'count' must be an integer "
				    ">= 0 (0: every time)");
				nerr++;
			}
		} else if (strcmp(key, "delay_ms") == 0 &&
		    strcmp(act, "delay") == 0) {
			if (!json_is_number(v) || !(json_number_value(v) >= 0)) {
				report(arg, key, "'delay_ms' must be a number "
				    ">= 0");
				nerr++;
			}
		} else if (strcmp(key, "side") == 0 &&
		    strcmp(act, "reset") == 0) {
			if (!json_is_string(v) ||
			    (strcmp(json_string_value(v), "both") != 0 &&
			    strcmp(json_string_value(v), "client") != 0 &&
			    strcmp(json_string_value(v), "target") != 0)) {
				report(arg, key, "'side' must be \"both\", "
				    "\"client\" or \"target\"");
				nerr++;
			}
		} else if (strcmp(key, "offset") == 0 &&
		    strcmp(act, "corrupt") == 0) {
			if (fault_integral(v, &n) == -1 || n < 0 ||
			    n > 65535) {
				report(arg, key, "'offset' must be an integer "
				    "0-65535 (a byte of the PDU)");
				nerr++;
			}
		} else if (strcmp(key, "reply") == 0 &&
		    strcmp(act, "reply") == 0) {
			if (*rep == '\0') {
				report(arg, key, "'reply' must be one of dr, "
				    "er, rpc_fault, bind_nak");
				nerr++;
			}
		} else if (strcmp(key, "reason") == 0 &&
		    strcmp(rep, "dr") == 0) {
			if (!fault_param_ok(&fault_params[8], v)) {
				report(arg, key, fault_params[8].msg_bad);
				nerr++;
			}
		} else if (strcmp(key, "reason") == 0 &&
		    strcmp(rep, "bind_nak") == 0) {
			if (fault_integral(v, &n) == -1 || n < 0 ||
			    n > 65535) {
				report(arg, key, "'reason' must be an integer "
				    "0-65535 (a bind_nak reason)");
				nerr++;
			}
		} else if (strcmp(key, "cause") == 0 &&
		    strcmp(rep, "er") == 0) {
			if (!fault_param_ok(&fault_params[9], v)) {
				report(arg, key, fault_params[9].msg_bad);
				nerr++;
			}
		} else if (strcmp(key, "status") == 0 &&
		    strcmp(rep, "rpc_fault") == 0) {
			if (fault_integral(v, &n) == -1 || n < 0 ||
			    n > 0xffffffffLL) {
				report(arg, key, "'status' must be an integer "
				    "0-4294967295 (e.g. 5 for "
				    "nca_s_fault_access_denied)");
				nerr++;
			}
		} else {
			report(arg, key, "unknown key for a triggered fault "
			    "with this action");
			nerr++;
		}
	}
	if (strcmp(act, "delay") == 0 &&
	    json_object_get(obj, "delay_ms") == NULL) {
		report(arg, NULL, "'delay_ms' is required");
		nerr++;
	}
	if (strcmp(act, "reply") == 0 && json_object_get(obj, "reply") ==
	    NULL) {
		report(arg, NULL, "'reply' is required");
		nerr++;
	}
	return (nerr);
}

const char *
fault_trig_proto_error(json_t *obj, enum protocol proto)
{
	const char	*on, *rep;
	int		 cotp, rpc;

	if ((on = json_string_value(json_object_get(obj, "on"))) == NULL ||
	    json_object_get(obj, "type") != NULL)
		return (NULL);
	rep = json_string_value(json_object_get(obj, "reply"));
	if (rep == NULL)
		rep = "";
	cotp = strncmp(on, "cotp_", 5) == 0 || strcmp(rep, "dr") == 0 ||
	    strcmp(rep, "er") == 0;
	rpc = strncmp(on, "cotp_", 5) != 0 || strcmp(rep, "rpc_fault") == 0 ||
	    strcmp(rep, "bind_nak") == 0;
	if (cotp && proto != PROTO_RFC1006)
		return ("this trigger or reply needs protocol \"rfc1006\"");
	if (rpc && proto != PROTO_DCERPC && proto != PROTO_EPM)
		return ("this trigger or reply needs protocol \"dcerpc\" or "
		    "\"epm\"");
	return (NULL);
}

/* Reject a real with a fractional part where a count is meant. */

static int
fault_integral(json_t *v, long long *out)
{
	double	d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return (0);
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (isfinite(d) && d == floor(d) && fabs(d) < 9e15) {
			*out = (long long)d;
			return (0);
		}
	}
	return (-1);
}

/* Check one parameter's value against its table entry. */

static int
fault_param_ok(const struct fault_param *fp, json_t *v)
{
	const char	*str;
	long long	 n;
	double		 d;
	size_t		 i;

	switch (fp->kind) {
	case FK_NUMBER:
		if (!json_is_number(v))
			return (0);
		d = json_number_value(v);
		if (!isfinite(d))
			return (0);
		return (fp->min_open ? d > fp->min : d >= fp->min);
	case FK_INTEGER:
		if (fault_integral(v, &n) == -1)
			return (0);
		return (fp->min_open ? n > (long long)fp->min :
		    n >= (long long)fp->min);
	case FK_TPDU:
		if (!json_is_string(v))
			return (0);
		str = json_string_value(v);
		for (i = 0; fault_tpdus[i] != NULL; i++)
			if (strcasecmp(fault_tpdus[i], str) == 0)
				return (1);
		return (0);
	case FK_REASON:
		if (json_is_string(v)) {
			str = json_string_value(v);
			for (i = 0; fault_reasons[i].name != NULL; i++)
				if (strcasecmp(fault_reasons[i].name, str) == 0)
					return (1);
			return (0);
		}
		return (fault_integral(v, &n) == 0 && n >= 0 && n <= 255);
	case FK_CAUSE:
		return (fault_integral(v, &n) == 0 && n >= 0 && n <= 3);
	}
	return (0);
}

/*
 * Check a fault object, reporting every problem through report(arg, key,
 * msg) with a literal msg; key names the member at fault, or is NULL.
 * Fills fc (holding a reference to obj) and returns 0 when there was none.
 */
int
fault_check(json_t *obj, struct fault_conf *fc, fault_report_cb report,
    void *arg)
{
	const struct fault_type		*ft = NULL;
	const struct fault_param	*fp;
	const char			*key, *str;
	json_t				*v;
	int				 nerr = 0, direction = FAULT_UP | FAULT_DOWN;
	double				 prob = 1.0;
	size_t				 i;

	memset(fc, 0, sizeof(*fc));
	if (!json_is_object(obj)) {
		report(arg, NULL, "a fault must be an object");
		return (-1);
	}
	if (json_object_get(obj, "on") != NULL &&
	    json_object_get(obj, "type") == NULL) {
		if (fault_trig_check(obj, report, arg) != 0)
			nerr++;
		ft = &fault_trig_type;
	} else if ((v = json_object_get(obj, "type")) == NULL) {
		report(arg, NULL, "'type' is required");
		nerr++;
	} else if (!json_is_string(v)) {
		report(arg, "type", "'type' must be a string");
		nerr++;
	} else {
		str = json_string_value(v);
		for (i = 0; fault_types[i].name != NULL; i++)
			if (strcmp(fault_types[i].name, str) == 0)
				ft = &fault_types[i];
		if (ft == NULL) {
			report(arg, "type", FAULT_ERR_TYPE);
			nerr++;
		}
	}

	if ((v = json_object_get(obj, "direction")) != NULL) {
		str = json_is_string(v) ? json_string_value(v) : "";
		if (strcmp(str, "upstream") == 0)
			direction = FAULT_UP;
		else if (strcmp(str, "downstream") == 0)
			direction = FAULT_DOWN;
		else if (strcmp(str, "both") != 0) {
			report(arg, "direction", "'direction' must be "
			    "\"upstream\", \"downstream\" or \"both\"");
			nerr++;
		}
	}
	if ((v = json_object_get(obj, "probability")) != NULL) {
		if (!json_is_number(v) || !(json_number_value(v) >= 0 &&
		    json_number_value(v) <= 1)) {
			report(arg, "probability", "'probability' must be a "
			    "number from 0 to 1");
			nerr++;
		} else
			prob = json_number_value(v);
	}

	/* Parameters can only be judged against a known type. */
	if (ft != NULL && ft != &fault_trig_type) {
		json_object_foreach(obj, key, v) {
			if (strcmp(key, "type") == 0 ||
			    strcmp(key, "direction") == 0 ||
			    strcmp(key, "probability") == 0)
				continue;
			for (i = 0; i < 3 && ft->params[i] != NULL; i++)
				if (strcmp(ft->params[i], key) == 0)
					break;
			if (i == 3 || ft->params[i] == NULL) {
				for (i = 0; i < 2 && ft->required[i] != NULL;
				    i++)
					if (strcmp(ft->required[i], key) == 0)
						break;
				if (i == 2 || ft->required[i] == NULL) {
					report(arg, key, FAULT_ERR_UNKNOWN);
					nerr++;
					continue;
				}
			}
			for (fp = fault_params; fp->name != NULL; fp++)
				if (strcmp(fp->name, key) == 0)
					break;
			if (fp->name != NULL && !fault_param_ok(fp, v)) {
				report(arg, key, fp->msg_bad);
				nerr++;
			}
		}
		for (i = 0; i < 2 && ft->required[i] != NULL; i++) {
			if (json_object_get(obj, ft->required[i]) != NULL)
				continue;
			for (fp = fault_params; fp->name != NULL; fp++)
				if (strcmp(fp->name, ft->required[i]) == 0)
					break;
			report(arg, NULL, fp->msg_missing);
			nerr++;
		}
	}
	if (nerr != 0)
		return (-1);

	snprintf(fc->type, sizeof(fc->type), "%s", ft->name);
	fc->direction = direction;
	fc->probability = prob;
	fc->params = json_incref(obj);
	/* Without memory the fault still works, counted per copy. */
	if ((fc->count = calloc(1, sizeof(*fc->count))) != NULL)
		atomic_init(&fc->count->refs, 1);
	return (0);
}

/* One more copy of a fault_conf shares its counts. */
struct fault_count *
fault_count_ref(struct fault_count *c)
{
	if (c != NULL)
		atomic_fetch_add(&c->refs, 1);
	return (c);
}

static void
fault_first_error(void *arg, const char *key, const char *msg)
{
	const char	**errstr = arg;

	if (*errstr == NULL)
		*errstr = msg;
}

/*
 * Check a fault given as a JSON object (config group or control API body)
 * and fill fc, which then holds a reference to obj. Returns -1 with the
 * first problem as a literal *errstr. The rfc1006-only types are not
 * refused here: that depends on the relay, which the caller checks.
 */
int
fault_conf_from_json(json_t *obj, struct fault_conf *fc, const char **errstr)
{
	const char	*first = NULL;

	if (fault_check(obj, fc, fault_first_error, &first) == -1) {
		if (errstr != NULL)
			*errstr = first != NULL ? first : "bad fault";
		return (-1);
	}
	return (0);
}

void
fault_conf_clear(struct fault_conf *fc)
{
	if (fc == NULL)
		return;
	json_decref(fc->params);
	if (fc->count != NULL && atomic_fetch_sub(&fc->count->refs, 1) == 1)
		free(fc->count);
	memset(fc, 0, sizeof(*fc));
}

/* A DR reason given as a name or a number: its code, or -1. */
int
fault_reason_code(json_t *v)
{
	long long	 n;
	size_t		 i;

	if (json_is_string(v)) {
		for (i = 0; fault_reasons[i].name != NULL; i++)
			if (strcasecmp(fault_reasons[i].name,
			    json_string_value(v)) == 0)
				return (fault_reasons[i].value);
		return (-1);
	}
	if (fault_integral(v, &n) == -1)
		return (-1);
	return (n >= 0 && n <= 255 ? (int)n : -1);
}
