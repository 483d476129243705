/*
 * RFC 1006 inspector: TPKT framing and class 0 COTP in both directions
 * (PROTOCOLS.md section 1), decoded incrementally as bytes pass. Logs the
 * connection TPDUs (CR, CC, DR, ER) with their references, class, TPDU size
 * and TSAPs; with tsap_allow, holds the caller's first TPDU until it is
 * complete and refuses a CR for an unlisted called TSAP with a COTP DR
 * (reason 03, address unknown), as a responder would, rather than a reset.
 * Only the header bytes of a TPKT are ever copied; DT payload is counted
 * and passed on untouched.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "fwrelay.h"
#include "rfc1006.h"

#define TSAP_TEXT_MAX	(2 * COTP_PARAM_MAX + 1)

#define RFC1006_RULES_SEEN	16

struct rfc1006_side {
	struct rfc1006_stream	 rs;
	struct conn_side	*cs;
	int			 dead;		/* framing lost, not strict */
	/* Each rule is logged once per side: a peer that breaks it on every
	 * TPDU must not turn the event log into the bottleneck. */
	const char		*seen[RFC1006_RULES_SEEN];
	unsigned int		 nseen;
	uint64_t		 nanomalies;
};

struct rfc1006_state {
	struct rfc1006_side	 client;
	struct rfc1006_side	 target;
	int			 decided;	/* the CR passed tsap_allow */
	uint64_t		 ndt[2];
	int			 violation;	/* strict: close after feed */
	int			 refuse;	/* answer the CR with dr[] */
	uint8_t			 dr[16];
	size_t			 drlen;
};

static void	rfc1006_insp_tpdu(void *, const struct cotp_tpdu *);
static void	rfc1006_insp_anomaly(void *, const struct rfc1006_anomaly *);
static int	rfc1006_insp_init(struct conn *);
static ssize_t	rfc1006_insp_input(struct conn_side *, const uint8_t *,
		    size_t);
static void	rfc1006_insp_free(struct conn *);
static json_t	*rfc1006_insp_state(struct conn *);
static int	rfc1006_insp_eof(struct conn_side *);
static int	rfc1006_insp_await(const struct relay_conf *);

static const struct rfc1006_callbacks rfc1006_insp_cb = {
	rfc1006_insp_tpdu,
	rfc1006_insp_anomaly,
	NULL
};

const struct inspector inspector_rfc1006 = {
	"rfc1006",
	rfc1006_insp_init,
	rfc1006_insp_input,
	rfc1006_insp_free,
	rfc1006_insp_state,
	rfc1006_insp_eof,
	rfc1006_insp_await
};

/* TSAP as hex, and as text when every byte is printable. */
static void
rfc1006_tsap(json_t *ev, const char *key, const uint8_t *p, size_t len)
{
	char	 hex[TSAP_TEXT_MAX], text[COTP_PARAM_MAX + 1], k[32];
	size_t	 i;
	int	 printable = len > 0;

	for (i = 0; i < len && 2 * i + 2 < sizeof(hex); i++)
		snprintf(hex + 2 * i, 3, "%02x", p[i]);
	hex[2 * i] = '\0';
	eventlog_str(ev, key, hex);
	for (i = 0; i < len; i++) {
		if (!isprint(p[i]))
			printable = 0;
		text[i] = (char)p[i];
	}
	text[len] = '\0';
	if (printable) {
		snprintf(k, sizeof(k), "%s_text", key);
		eventlog_str(ev, k, text);
	}
}

static int
rfc1006_insp_init(struct conn *c)
{
	struct rfc1006_state	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return (-1);
	st->client.cs = &c->c_client;
	st->target.cs = &c->c_target;
	rfc1006_stream_init(&st->client.rs, RFC1006_CALLER, &rfc1006_insp_cb,
	    &st->client);
	rfc1006_stream_init(&st->target.rs, RFC1006_CALLEE, &rfc1006_insp_cb,
	    &st->target);
	rfc1006_stream_pair(&st->client.rs, &st->target.rs);
	c->c_insp_state = st;
	c->c_client.cs_desc = &st->client;
	c->c_target.cs_desc = &st->target;
	/* The CR must be whole before it may pass the TSAP check. */
	if (c->c_conf->tsap_allow != NULL)
		c->c_client.cs_hold = 1;
	else
		st->decided = 1;
	return (0);
}

/* With tsap_allow the target is reached only for an allowed CR. */
static int
rfc1006_insp_await(const struct relay_conf *rc)
{
	return (rc->tsap_allow != NULL);
}

/* A TPKT cut by the FIN is a framing anomaly; strict closes on it. */
static int
rfc1006_insp_eof(struct conn_side *cs)
{
	struct rfc1006_side	*sd = cs->cs_desc;
	struct rfc1006_state	*st = cs->cs_conn->c_insp_state;

	if (sd == NULL || st == NULL || sd->dead)
		return (0);
	rfc1006_stream_eof(&sd->rs);
	return (st->violation ? -1 : 0);
}

static void
rfc1006_insp_free(struct conn *c)
{
	struct rfc1006_state	*st = c->c_insp_state;

	if (st != NULL) {
		rfc1006_stream_free(&st->client.rs);
		rfc1006_stream_free(&st->target.rs);
	}
	free(c->c_insp_state);
	c->c_insp_state = NULL;
}

static json_t *
rfc1006_insp_state(struct conn *c)
{
	struct rfc1006_state	*st = c->c_insp_state;
	json_t			*o = json_object();

	if (st == NULL)
		return (o);
	json_object_set_new(o, "tpdus_from_client",
	    json_integer((json_int_t)st->client.rs.rs_ntpdu));
	json_object_set_new(o, "tpdus_from_target",
	    json_integer((json_int_t)st->target.rs.rs_ntpdu));
	json_object_set_new(o, "anomalies", json_integer((json_int_t)
	    (st->client.nanomalies + st->target.nanomalies)));
	json_object_set_new(o, "framing", json_string(
	    st->client.dead || st->target.dead ? "lost" : "ok"));
	return (o);
}

/* Is the called TSAP of this CR in tsap_allow? */
static int
rfc1006_tsap_allowed(const struct relay_conf *rc, const struct cotp_tpdu *t)
{
	size_t	 i, n;

	for (i = 0; i < rc->ntsap_allow; i++) {
		n = strlen(rc->tsap_allow[i]);
		if ((t->has & COTP_HAS_CALLED) && n == t->called_len &&
		    memcmp(rc->tsap_allow[i], t->called, n) == 0)
			return (1);
	}
	return (0);
}

static void
rfc1006_insp_tpdu(void *arg, const struct cotp_tpdu *t)
{
	struct rfc1006_side	*sd = arg;
	struct conn_side	*cs = sd->cs;
	struct conn		*c = cs->cs_conn;
	struct rfc1006_state	*st = c->c_insp_state;
	const char		*name;
	json_t			*ev;
	ssize_t			 len;

	switch (t->type) {
	case COTP_CR:
		name = "cotp_cr";
		break;
	case COTP_CC:
		name = "cotp_cc";
		break;
	case COTP_DR:
		name = "cotp_dr";
		break;
	case COTP_ER:
		name = "cotp_er";
		break;
	default:
		if (t->type == COTP_DT)
			st->ndt[cs == &c->c_client ? 0 : 1]++;
		if ((ev = conn_event_level(c, LOG_LEVEL_DEBUG,
		    "cotp_tpdu")) != NULL) {
			eventlog_str(ev, "from", cs->cs_name);
			eventlog_str(ev, "type", cotp_type_name(t->type));
			eventlog_int(ev, "offset", (long long)t->offset);
			eventlog_int(ev, "length", (long long)t->udata_len);
			if (t->type == COTP_DT)
				eventlog_int(ev, "eot", t->eot);
			eventlog_emit(ev);
		}
		return;
	}
	if ((ev = conn_event(c, name)) != NULL) {
		eventlog_str(ev, "from", cs->cs_name);
		eventlog_int(ev, "offset", (long long)t->offset);
		eventlog_int(ev, "dst_ref", t->dst_ref);
		if (t->type != COTP_ER)
			eventlog_int(ev, "src_ref", t->src_ref);
		if (t->type == COTP_CR || t->type == COTP_CC) {
			eventlog_int(ev, "class", t->class_opt >> 4);
			if (t->has & COTP_HAS_TPDU_SIZE)
				eventlog_int(ev, "tpdu_size", (long long)
				    cotp_tpdu_size_bytes(t->tpdu_size));
			if (t->has & COTP_HAS_CALLING)
				rfc1006_tsap(ev, "calling_tsap", t->calling,
				    t->calling_len);
			if (t->has & COTP_HAS_CALLED)
				rfc1006_tsap(ev, "called_tsap", t->called,
				    t->called_len);
		}
		if (t->type == COTP_DR) {
			eventlog_int(ev, "reason", t->reason);
			eventlog_str(ev, "reason_name",
			    cotp_dr_reason_name(t->reason));
		}
		if (t->type == COTP_ER) {
			eventlog_int(ev, "cause", t->cause);
			eventlog_str(ev, "cause_name",
			    cotp_er_cause_name(t->cause));
		}
		if (t->tpkt_reserved != 0)
			eventlog_int(ev, "tpkt_reserved", t->tpkt_reserved);
		inspect_emit(c, ev);
	}
	if (t->type != COTP_CR || cs != &c->c_client || st->decided)
		return;
	st->decided = 1;
	if (rfc1006_tsap_allowed(c->c_conf, t)) {
		cs->cs_hold = 0;
		return;
	}
	/* Refuse as the called side would: DR, address unknown. */
	if ((ev = conn_event(c, "deny")) != NULL) {
		eventlog_str(ev, "rule", "tsap_allow");
		if (t->has & COTP_HAS_CALLED)
			rfc1006_tsap(ev, "called_tsap", t->called,
			    t->called_len);
		eventlog_str(ev, "style", "cotp_dr");
		eventlog_emit(ev);
	}
	c->c_relay->rl_stats.denied++;
	/* Answered after the feed returns: the close frees this stream. */
	len = cotp_build_dr(st->dr, sizeof(st->dr), t->src_ref, 0, 0x03);
	rfc1006_stream_stop(&sd->rs);
	if (len > 0) {
		st->refuse = 1;
		st->drlen = (size_t)len;
	} else
		st->violation = 1;
}

static void
rfc1006_insp_anomaly(void *arg, const struct rfc1006_anomaly *a)
{
	struct rfc1006_side	*sd = arg;
	struct conn_side	*cs = sd->cs;
	struct conn		*c = cs->cs_conn;
	struct rfc1006_state	*st = c->c_insp_state;
	int			 strict = c->c_conf->strict, closes;
	json_t			*ev;
	unsigned int		 i;

	/*
	 * strict = true closes on what cannot be parsed; "conformance" also
	 * on class 0 deviations real receivers tolerate (a DR at release, a
	 * DT over the negotiated size). Tolerated oddities (the TPKT reserved
	 * byte of old Exchange) never close.
	 */
	closes = (strict >= STRICT_FRAMING && a->framing) ||
	    (strict == STRICT_CONFORMANCE && a->sev == RFC1006_ERROR);
	if (closes) {
		st->violation = 1;
		conn_set_reason(c, "%s at offset %llu from %s: %s", a->rule,
		    (unsigned long long)a->offset, cs->cs_name, a->detail);
	}
	if (a->fatal)
		sd->dead = 1;
	sd->nanomalies++;
	for (i = 0; i < sd->nseen; i++)
		if (strcmp(sd->seen[i], a->rule) == 0)
			return;
	if (sd->nseen < RFC1006_RULES_SEEN)
		sd->seen[sd->nseen++] = a->rule;
	if ((ev = conn_event_level(c, a->sev == RFC1006_WARN ?
	    LOG_LEVEL_INFO : LOG_LEVEL_WARNING, "inspect_anomaly")) != NULL) {
		eventlog_str(ev, "protocol", "rfc1006");
		eventlog_str(ev, "from", cs->cs_name);
		eventlog_str(ev, "rule", a->rule);
		eventlog_int(ev, "offset", (long long)a->offset);
		eventlog_str(ev, "class", a->framing ? "framing" :
		    a->sev == RFC1006_ERROR ? "conformance" : "tolerated");
		eventlog_str(ev, "severity", a->sev == RFC1006_FATAL ? "fatal" :
		    a->framing || (a->sev == RFC1006_ERROR &&
		    strict == STRICT_CONFORMANCE) ? "error" : "warning");
		if (a->detail != NULL)
			eventlog_str(ev, "detail", a->detail);
		eventlog_str(ev, "action", closes ? "close" : "pass");
		if (!closes)
			eventlog_str(ev, "note", "logged once per rule and side");
		eventlog_emit(ev);
	}
}

static ssize_t
rfc1006_insp_input(struct conn_side *cs, const uint8_t *buf, size_t len)
{
	struct rfc1006_side	*sd = cs->cs_desc;
	struct conn		*c = cs->cs_conn;
	struct rfc1006_state	*st = c->c_insp_state;

	if (!sd->dead)
		rfc1006_stream_feed(&sd->rs, buf, len);
	if (c->c_flags & (CONN_DEAD | CONN_FLUSHCLOSE))
		return (0);
	if (st->violation)
		return (-1);
	if (st->refuse) {
		st->refuse = 0;
		inspect_refuse(cs, st->dr, st->drlen, "tsap_refused");
		return (0);
	}
	if (sd->dead && cs->cs_hold) {
		/* Framing lost before the CR completed: nothing to check. */
		st->decided = 1;
		cs->cs_hold = 0;
	}
	if (cs->cs_hold)
		return (0);
	/* Everything held (the CR, now approved) and these bytes. */
	if (cs->cs_in != NULL && evbuffer_get_length(cs->cs_in) > 0)
		return ((ssize_t)evbuffer_get_length(cs->cs_in));
	return ((ssize_t)len);
}
