/*
 * RFC 1006 TPKT and ISO 8073 class 0 COTP: the per-direction stream decoder,
 * the whole-TPDU parser and the builders (PROTOCOLS.md 1.1-1.8).
 *
 * The stream decoder buffers only what it must decode: the TPKT header, the
 * COTP header (1 + LI <= 255 bytes) and at most COTP_UDATA_MAX bytes of user
 * data of a CR/CC/DR/ER. DT and ED payloads are counted and handed to the
 * data callback as slices of the caller's chunk, never copied.
 */

#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfc1006.h"
#include "wire.h"

/* Framing state of a stream. */
enum {
	RS_TPKT = 0,	/* collecting the 4-byte TPKT header */
	RS_LI,		/* waiting for the LI byte */
	RS_HDR,		/* collecting the rest of the COTP header */
	RS_BODY		/* user data: copied (bounded), sliced or skipped */
};

/* Connection state of a direction (PROTOCOLS.md 1.7 (2)). */
enum {
	RC_INIT = 0,
	RC_OPEN,
	RC_CLOSED
};

static int	 cotp_check_li(const uint8_t *, size_t, const char **,
		    char *, size_t);
static int	 cotp_decode(const uint8_t *, size_t, size_t,
		    struct cotp_tpdu *, const char **, char *, size_t);
static int	 cotp_params(const uint8_t *, size_t, size_t,
		    struct cotp_tpdu *, const char **, char *, size_t);
static void	 rfc1006_report(struct rfc1006_stream *, const char *,
		    enum rfc1006_sev, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	 rfc1006_fatal(struct rfc1006_stream *, const char *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static void	 rfc1006_header(struct rfc1006_stream *);
static void	 rfc1006_state(struct rfc1006_stream *);
static void	 rfc1006_negotiate(struct rfc1006_stream *);
static void	 rfc1006_finish(struct rfc1006_stream *);
static ssize_t	 cotp_build_conn(uint8_t *, size_t, uint8_t,
		    const struct cotp_tpdu *);

static const struct {
	unsigned int	 bit;
	const char	*rule;
	enum rfc1006_sev sev;
	const char	*text;
} cotp_violations[] = {
	{ COTP_V_CLASS, "cotp_class", RFC1006_WARN,
	    "class/options byte is not 00" },
	{ COTP_V_CREDIT, "cotp_credit", RFC1006_WARN,
	    "credit nibble is not 0 in class 0" },
	{ COTP_V_USER_DATA, "cotp_user_data", RFC1006_WARN,
	    "user data outside DT/ED (not allowed in class 0)" },
	{ COTP_V_TPDU_SIZE, "cotp_tpdu_size", RFC1006_ERROR,
	    "TPDU size parameter outside 07..0d" },
	{ COTP_V_NOT_CLASS0, "cotp_tpdu_class", RFC1006_ERROR,
	    "TPDU type exists only in classes 1-4" },
	{ COTP_V_UNKNOWN, "cotp_unknown_tpdu", RFC1006_FRAMING,
	    "unknown TPDU code" },
	{ COTP_V_ER_PARAM, "cotp_er_param", RFC1006_ERROR,
	    "ER without the invalid TPDU parameter (c1)" },
	{ COTP_V_DT_NR, "cotp_dt_nr", RFC1006_WARN,
	    "TPDU-NR is not 0 in class 0" },
	{ COTP_V_ED_LENGTH, "cotp_ed_length", RFC1006_ERROR,
	    "expedited data not 1..16 bytes" },
};

void
rfc1006_stream_init(struct rfc1006_stream *rs, enum rfc1006_dir dir,
    const struct rfc1006_callbacks *cb, void *arg)
{
	memset(rs, 0, sizeof(*rs));
	rs->rs_dir = dir;
	rs->rs_cb = cb;
	rs->rs_arg = arg;
	rs->rs_cap = TPKT_MAXLEN;
	rs->rs_state = RS_TPKT;
	rs->rs_conn = RC_INIT;
	rs->rs_expedited = -1;
}

void
rfc1006_stream_pair(struct rfc1006_stream *a, struct rfc1006_stream *b)
{
	a->rs_peer = b;
	b->rs_peer = a;
}

int
rfc1006_stream_set_cap(struct rfc1006_stream *rs, size_t cap)
{
	if (cap < TPKT_MINLEN || cap > TPKT_MAXLEN)
		return (-1);
	rs->rs_cap = cap;
	return (0);
}

void
rfc1006_stream_stop(struct rfc1006_stream *rs)
{
	rs->rs_stopped = 1;
}

int
rfc1006_stream_eof(struct rfc1006_stream *rs)
{
	if (rs->rs_dead || rs->rs_stopped)
		return (0);
	if (rs->rs_state == RS_TPKT && rs->rs_have == 0)
		return (0);
	if (rs->rs_state == RS_TPKT)
		rfc1006_fatal(rs, "tpkt_truncated", "stream ended %zu bytes "
		    "into a TPKT header", rs->rs_have);
	else
		rfc1006_fatal(rs, "tpkt_truncated", "stream ended %llu bytes "
		    "into a TPKT of %u", (unsigned long long)(rs->rs_off -
		    rs->rs_w->tpdu.offset), rs->rs_w->tpdu.tpkt_len);
	return (-1);
}

uint64_t
rfc1006_stream_boundary(const struct rfc1006_stream *rs)
{
	return (rs->rs_boundary);
}

static void
rfc1006_report(struct rfc1006_stream *rs, const char *rule,
    enum rfc1006_sev sev, const char *fmt, ...)
{
	struct rfc1006_anomaly	 a;
	char			 detail[RFC1006_DETAIL_MAX];
	va_list			 ap;

	if (rs->rs_cb == NULL || rs->rs_cb->anomaly == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	a.rule = rule;
	a.sev = sev;
	a.fatal = sev == RFC1006_FATAL;
	a.framing = sev >= RFC1006_FRAMING;
	a.offset = rs->rs_w != NULL ? rs->rs_w->tpdu.offset : rs->rs_off;
	a.detail = detail;
	rs->rs_cb->anomaly(rs->rs_arg, &a);
}

static void
rfc1006_fatal(struct rfc1006_stream *rs, const char *rule, const char *fmt,
    ...)
{
	struct rfc1006_anomaly	 a;
	char			 detail[RFC1006_DETAIL_MAX];
	va_list			 ap;
	size_t			 n;

	rs->rs_dead = 1;
	if (rs->rs_cb == NULL || rs->rs_cb->anomaly == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	n = strlen(detail);
	snprintf(detail + n, sizeof(detail) - n,
	    "; framing lost, stream cannot resync");
	a.rule = rule;
	a.sev = RFC1006_FATAL;
	a.fatal = 1;
	a.framing = 1;
	a.offset = rs->rs_w != NULL ? rs->rs_w->tpdu.offset : rs->rs_off;
	a.detail = detail;
	rs->rs_cb->anomaly(rs->rs_arg, &a);
}

int
rfc1006_stream_feed(struct rfc1006_stream *rs, const uint8_t *buf,
    size_t len)
{
	struct cotp_tpdu	*t;
	const char		*rule;
	char			 detail[RFC1006_DETAIL_MAX];
	size_t			 n, want, keep;
	uint16_t		 tlen;
	uint8_t			 rsv;

	while (len > 0 && !rs->rs_dead && !rs->rs_stopped) {
		/* Between TPKTs a stream holds no work area (idle memory). */
		if (rs->rs_w == NULL && (rs->rs_w = malloc(sizeof(*rs->rs_w))) ==
		    NULL) {
			rfc1006_fatal(rs, "out_of_memory", "no memory for a "
			    "TPKT");
			break;
		}
		t = &rs->rs_w->tpdu;
		switch (rs->rs_state) {
		case RS_TPKT:
			if (rs->rs_have == 0) {
				memset(t, 0, sizeof(*t));
				t->offset = rs->rs_off;
				rs->rs_bad = 0;
			}
			n = TPKT_HDRLEN - rs->rs_have;
			if (n > len)
				n = len;
			memcpy(rs->rs_w->hdr + rs->rs_have, buf, n);
			rs->rs_have += n;
			buf += n;
			len -= n;
			rs->rs_off += n;
			if (rs->rs_have < TPKT_HDRLEN)
				break;
			if (tpkt_parse(rs->rs_w->hdr, TPKT_HDRLEN, &tlen, &rsv,
			    &rule) == -1) {
				if (strcmp(rule, "tpkt_version") == 0)
					rfc1006_fatal(rs, rule, "tpkt version "
					    "%u, not 3", rs->rs_w->hdr[0]);
				else
					rfc1006_fatal(rs, rule, "tpkt length "
					    "%u outside %u..%zu",
					    wire_get16be(rs->rs_w->hdr + 2),
					    TPKT_MINLEN, rs->rs_cap);
				break;
			}
			if (tlen > rs->rs_cap) {
				rfc1006_fatal(rs, "tpkt_length", "tpkt length "
				    "%u outside %u..%zu", tlen, TPKT_MINLEN,
				    rs->rs_cap);
				break;
			}
			t->tpkt_len = tlen;
			t->tpkt_reserved = rsv;
			if (rsv != 0)
				rfc1006_report(rs, "tpkt_reserved",
				    RFC1006_WARN, "tpkt reserved byte 0x%02x, "
				    "not 0", rsv);
			rs->rs_left = tlen - TPKT_HDRLEN;
			rs->rs_state = RS_LI;
			break;
		case RS_LI:
			rs->rs_w->hdr[rs->rs_have++] = *buf++;
			len--;
			rs->rs_off++;
			rs->rs_left--;
			if (cotp_check_li(rs->rs_w->hdr + TPKT_HDRLEN,
			    t->tpkt_len - TPKT_HDRLEN, &rule, detail,
			    sizeof(detail)) == -1) {
				rfc1006_report(rs, rule, RFC1006_FRAMING, "%s",
				    detail);
				rs->rs_bad = 1;
				rs->rs_state = RS_BODY;
			} else {
				rs->rs_need = TPKT_HDRLEN + 1 +
				    rs->rs_w->hdr[TPKT_HDRLEN];
				rs->rs_state = RS_HDR;
			}
			break;
		case RS_HDR:
			n = rs->rs_need - rs->rs_have;
			if (n > len)
				n = len;
			memcpy(rs->rs_w->hdr + rs->rs_have, buf, n);
			rs->rs_have += n;
			buf += n;
			len -= n;
			rs->rs_off += n;
			rs->rs_left -= n;
			if (rs->rs_have < rs->rs_need)
				break;
			rfc1006_header(rs);
			rs->rs_state = RS_BODY;
			break;
		case RS_BODY:
			n = rs->rs_left;
			if (n > len)
				n = len;
			if (!rs->rs_bad && (t->type == COTP_DT ||
			    t->type == COTP_ED)) {
				if (rs->rs_cb != NULL &&
				    rs->rs_cb->data != NULL && n > 0)
					rs->rs_cb->data(rs->rs_arg, t, buf, n);
			} else if (!rs->rs_bad && (t->type == COTP_CR ||
			    t->type == COTP_CC || t->type == COTP_DR ||
			    t->type == COTP_ER)) {
				keep = COTP_UDATA_MAX - t->udata_kept;
				want = n < keep ? n : keep;
				memcpy(rs->rs_w->udata + t->udata_kept, buf,
				    want);
				t->udata_kept += want;
			}
			buf += n;
			len -= n;
			rs->rs_off += n;
			rs->rs_left -= n;
			break;
		}
		/* A TPKT may end with no byte left in this chunk. */
		if (!rs->rs_dead && rs->rs_state == RS_BODY &&
		    rs->rs_left == 0)
			rfc1006_finish(rs);
	}
	if (rs->rs_w != NULL && (rs->rs_dead || rs->rs_stopped ||
	    (rs->rs_state == RS_TPKT && rs->rs_have == 0))) {
		free(rs->rs_w);
		rs->rs_w = NULL;
	}
	if (rs->rs_dead || rs->rs_stopped)
		return (-1);
	return (0);
}

/* What a stream still holds (a TPKT it was in the middle of). */
void
rfc1006_stream_free(struct rfc1006_stream *rs)
{
	free(rs->rs_w);
	rs->rs_w = NULL;
}

/* The COTP header is complete: decode it and check it against the state. */
static void
rfc1006_header(struct rfc1006_stream *rs)
{
	struct cotp_tpdu	*t = &rs->rs_w->tpdu;
	const char		*rule;
	char			 detail[RFC1006_DETAIL_MAX];
	uint64_t		 off = t->offset;
	uint16_t		 tlen = t->tpkt_len;
	uint8_t			 rsv = t->tpkt_reserved;
	size_t			 i;

	if (cotp_decode(rs->rs_w->hdr + TPKT_HDRLEN, rs->rs_need - TPKT_HDRLEN,
	    tlen - TPKT_HDRLEN, t, &rule, detail,
	    sizeof(detail)) == -1) {
		t->offset = off;
		t->tpkt_len = tlen;
		t->tpkt_reserved = rsv;
		rfc1006_report(rs, rule, RFC1006_FRAMING, "%s", detail);
		rs->rs_bad = 1;
		return;
	}
	t->offset = off;
	t->tpkt_len = tlen;
	t->tpkt_reserved = rsv;
	t->udata = rs->rs_w->udata;
	t->udata_kept = 0;

	for (i = 0; i < sizeof(cotp_violations) / sizeof(cotp_violations[0]);
	    i++) {
		if ((t->violations & cotp_violations[i].bit) == 0)
			continue;
		rfc1006_report(rs, cotp_violations[i].rule,
		    cotp_violations[i].sev, "%s %s (code 0x%02x)",
		    cotp_type_name(t->code), cotp_violations[i].text, t->code);
	}
	if (rs->rs_max_tpdu != 0 &&
	    (size_t)tlen - TPKT_HDRLEN > rs->rs_max_tpdu)
		rfc1006_report(rs, "cotp_tpdu_length", RFC1006_ERROR,
		    "%s of %u bytes exceeds the negotiated TPDU size %zu",
		    cotp_type_name(t->code), tlen - TPKT_HDRLEN,
		    rs->rs_max_tpdu);
	if (t->type == COTP_ED && rs->rs_expedited == 0)
		rfc1006_report(rs, "cotp_expedited", RFC1006_ERROR,
		    "ED but expedited data was not selected by CR and CC");
	if ((t->violations & (COTP_V_UNKNOWN | COTP_V_NOT_CLASS0)) == 0)
		rfc1006_state(rs);
}

/* Per-direction order: CR first from the caller; CC, DR or ER from the callee. */
static void
rfc1006_state(struct rfc1006_stream *rs)
{
	struct cotp_tpdu	*t = &rs->rs_w->tpdu;
	const char		*name = cotp_type_name(t->type);
	struct rfc1006_stream	*peer = rs->rs_peer;

	if (rs->rs_dir == RFC1006_CALLER) {
		switch (rs->rs_conn) {
		case RC_INIT:
			if (t->type != COTP_CR)
				rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
				    "%s from the caller before its CR", name);
			else {
				rs->rs_cr_seen = 1;
				rs->rs_cr_src_ref = t->src_ref;
				rs->rs_cr_size = (t->has & COTP_HAS_TPDU_SIZE)
				    && cotp_tpdu_size_bytes(t->tpdu_size) ?
				    t->tpdu_size : 0;
				rs->rs_cr_opt_sel = (t->has & COTP_HAS_OPT_SEL)
				    ? t->opt_sel : 0;
			}
			rs->rs_conn = RC_OPEN;
			break;
		case RC_OPEN:
			if (t->type == COTP_CR)
				rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
				    "second CR from the caller");
			else if (t->type == COTP_CC || t->type == COTP_DR)
				rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
				    "%s from the caller", name);
			else if ((t->type == COTP_DT || t->type == COTP_ED) &&
			    peer != NULL && !peer->rs_cc_seen)
				rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
				    "%s from the caller before the CC", name);
			break;
		}
		return;
	}

	switch (rs->rs_conn) {
	case RC_INIT:
		if (t->type == COTP_CC) {
			if (peer != NULL && !peer->rs_cr_seen)
				rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
				    "CC before any CR");
			rs->rs_cc_seen = 1;
			rfc1006_negotiate(rs);
			rs->rs_conn = RC_OPEN;
		} else if (t->type == COTP_DR || t->type == COTP_ER) {
			rs->rs_conn = RC_CLOSED;
		} else {
			rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
			    "%s from the callee before CC, DR or ER", name);
			rs->rs_conn = RC_OPEN;
		}
		break;
	case RC_OPEN:
		if (t->type == COTP_CC)
			rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
			    "second CC from the callee");
		else if (t->type == COTP_CR)
			rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
			    "CR from the callee");
		else if (t->type == COTP_DR)
			/* Class 0 releases by closing TCP, 1.6. */
			rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
			    "DR on an open class 0 connection");
		break;
	case RC_CLOSED:
		rfc1006_report(rs, "cotp_state", RFC1006_ERROR,
		    "%s after the callee refused with DR/ER", name);
		break;
	}
}

/*
 * A CC arrived on the callee side: check it against the caller's CR as
 * [tosi] validateCC does, and settle the TPDU size and expedited data. Per
 * RFC 1006 the size is enforced only when both sides stated one (1.6).
 */
static void
rfc1006_negotiate(struct rfc1006_stream *rs)
{
	struct cotp_tpdu	*t = &rs->rs_w->tpdu;
	struct rfc1006_stream	*peer = rs->rs_peer;
	uint8_t			 size, opt;

	if (peer == NULL || !peer->rs_cr_seen)
		return;
	if (t->dst_ref != peer->rs_cr_src_ref)
		rfc1006_report(rs, "cotp_cc_ref", RFC1006_ERROR,
		    "CC dst-ref 0x%04x does not echo the CR src-ref 0x%04x",
		    t->dst_ref, peer->rs_cr_src_ref);
	size = (t->has & COTP_HAS_TPDU_SIZE) &&
	    cotp_tpdu_size_bytes(t->tpdu_size) ? t->tpdu_size : 0;
	if (size != 0 && peer->rs_cr_size != 0 && size > peer->rs_cr_size)
		rfc1006_report(rs, "cotp_cc_size", RFC1006_ERROR,
		    "CC TPDU size %zu exceeds the CR's %zu",
		    cotp_tpdu_size_bytes(size),
		    cotp_tpdu_size_bytes(peer->rs_cr_size));
	opt = (t->has & COTP_HAS_OPT_SEL) ? t->opt_sel : 0;
	if (opt & ~peer->rs_cr_opt_sel)
		rfc1006_report(rs, "cotp_cc_options", RFC1006_ERROR,
		    "CC selects options 0x%02x the CR did not offer (0x%02x)",
		    opt, peer->rs_cr_opt_sel);
	if (size != 0 && peer->rs_cr_size != 0) {
		if (size > peer->rs_cr_size)
			size = peer->rs_cr_size;
		rs->rs_max_tpdu = peer->rs_max_tpdu =
		    cotp_tpdu_size_bytes(size);
	}
	rs->rs_expedited = peer->rs_expedited =
	    (opt & peer->rs_cr_opt_sel & 0x01) != 0;
}

/* The whole TPKT has been consumed. */
static void
rfc1006_finish(struct rfc1006_stream *rs)
{
	rs->rs_boundary = rs->rs_off;
	rs->rs_state = RS_TPKT;
	rs->rs_have = 0;
	rs->rs_ntpdu++;
	if (!rs->rs_bad && rs->rs_cb != NULL && rs->rs_cb->tpdu != NULL)
		rs->rs_cb->tpdu(rs->rs_arg, &rs->rs_w->tpdu);
}

int
tpkt_parse(const uint8_t *p, size_t len, uint16_t *tlen, uint8_t *rsv,
    const char **errstr)
{
	uint16_t	 n;

	if (len < TPKT_HDRLEN) {
		*errstr = "tpkt_length";
		return (-1);
	}
	if (p[0] != TPKT_VERSION) {
		*errstr = "tpkt_version";
		return (-1);
	}
	n = wire_get16be(p + 2);
	if (n < TPKT_MINLEN) {
		*errstr = "tpkt_length";
		return (-1);
	}
	if (tlen != NULL)
		*tlen = n;
	if (rsv != NULL)
		*rsv = p[1];
	return (0);
}

int
tpkt_build(uint8_t *p, size_t tpdu_len)
{
	if (tpdu_len < TPKT_MINLEN - TPKT_HDRLEN ||
	    tpdu_len > TPKT_MAXLEN - TPKT_HDRLEN)
		return (-1);
	p[0] = TPKT_VERSION;
	p[1] = 0;
	wire_put16be(p + 2, (uint16_t)(tpdu_len + TPKT_HDRLEN));
	return (0);
}

/* Checklist 1.7 (1): TPDU length >= 2, 1 <= LI <= length - 1, LI != 255. */
static int
cotp_check_li(const uint8_t *p, size_t tpdu_len, const char **rule,
    char *detail, size_t dsize)
{
	if (tpdu_len < 2) {
		*rule = "cotp_length";
		snprintf(detail, dsize, "TPDU of %zu bytes, need 2", tpdu_len);
		return (-1);
	}
	if (p[0] == 255 || p[0] == 0 || (size_t)p[0] > tpdu_len - 1) {
		*rule = "cotp_li";
		snprintf(detail, dsize, "LI %u invalid in a TPDU of %zu bytes",
		    p[0], tpdu_len);
		return (-1);
	}
	return (0);
}

/*
 * Decode a COTP header: hdr holds LI and the LI bytes it counts (hlen =
 * 1 + LI, already checked), tpdu_len is the whole TPDU. User data fields
 * are left to the caller except udata_len.
 */
static int
cotp_decode(const uint8_t *hdr, size_t hlen, size_t tpdu_len,
    struct cotp_tpdu *t, const char **rule, char *detail, size_t dsize)
{
	uint8_t		 li = hdr[0];

	memset(t, 0, sizeof(*t));
	t->li = li;
	t->code = hdr[1];
	t->type = hdr[1] & 0xf0;
	t->udata_len = tpdu_len - hlen;

	switch (t->type) {
	case COTP_CR:
	case COTP_CC:
	case COTP_DR:
		/* 1.7 (3), (5): LI >= 6. */
		if (li < 6) {
			*rule = "cotp_li";
			snprintf(detail, dsize, "%s with LI %u, need 6",
			    cotp_type_name(t->type), li);
			return (-1);
		}
		t->dst_ref = wire_get16be(hdr + 2);
		t->src_ref = wire_get16be(hdr + 4);
		if (t->type == COTP_DR) {
			t->reason = hdr[6];
		} else {
			t->cdt = hdr[1] & 0x0f;
			t->class_opt = hdr[6];
			if (t->cdt != 0)
				t->violations |= COTP_V_CREDIT;
			if (t->class_opt != 0)
				t->violations |= COTP_V_CLASS;
		}
		if (cotp_params(hdr, hlen, 7, t, rule, detail, dsize) == -1)
			return (-1);
		if (t->udata_len > 0)
			t->violations |= COTP_V_USER_DATA;
		break;
	case COTP_ER:
		if (li < 4) {
			*rule = "cotp_li";
			snprintf(detail, dsize, "ER with LI %u, need 4", li);
			return (-1);
		}
		t->dst_ref = wire_get16be(hdr + 2);
		t->cause = hdr[4];
		if (cotp_params(hdr, hlen, 5, t, rule, detail, dsize) == -1)
			return (-1);
		/* Mandatory in class 0 ([netiso] error_emit, [tosi]). */
		if ((t->has & COTP_HAS_ER_TPDU) == 0)
			t->violations |= COTP_V_ER_PARAM;
		if (t->udata_len > 0)
			t->violations |= COTP_V_USER_DATA;
		break;
	case COTP_DT:
	case COTP_ED:
		/* 1.7 (4): LI 4 or 8 are the class 2-4 formats. */
		if (li != 2) {
			*rule = "cotp_li";
			snprintf(detail, dsize, "%s with LI %u, class 0 has 2",
			    cotp_type_name(t->type), li);
			return (-1);
		}
		t->eot = (hdr[2] & COTP_EOT) != 0;
		t->nr = hdr[2] & 0x7f;
		if (t->nr != 0)
			t->violations |= COTP_V_DT_NR;
		if (t->type == COTP_ED && (t->udata_len == 0 ||
		    t->udata_len > COTP_ED_MAX))
			t->violations |= COTP_V_ED_LENGTH;
		break;
	case COTP_DC:
	case COTP_AK:
	case COTP_RJ:
	case COTP_EA:
		if (li >= 3)
			t->dst_ref = wire_get16be(hdr + 2);
		t->violations |= COTP_V_NOT_CLASS0;
		break;
	default:
		t->violations |= COTP_V_UNKNOWN;
		break;
	}
	return (0);
}

/* Parse the TLVs of the variable part, hdr[start..hlen). */
static int
cotp_params(const uint8_t *hdr, size_t hlen, size_t start,
    struct cotp_tpdu *t, const char **rule, char *detail, size_t dsize)
{
	size_t		 i, plen;
	uint8_t		 code;
	const uint8_t	*v;
	unsigned int	 j;

	for (i = start; i < hlen; i += 2 + plen) {
		if (hlen - i < 2) {
			*rule = "cotp_param";
			snprintf(detail, dsize, "%s parameter at header offset "
			    "%zu truncated by LI", cotp_type_name(t->type), i);
			return (-1);
		}
		code = hdr[i];
		plen = hdr[i + 1];
		v = hdr + i + 2;
		if (plen > hlen - i - 2) {
			*rule = "cotp_param";
			snprintf(detail, dsize, "%s parameter 0x%02x length %zu "
			    "overruns LI", cotp_type_name(t->type), code, plen);
			return (-1);
		}
		if (t->type == COTP_DR) {
			if (code == COTP_P_CLEARING_INFO) {
				memcpy(t->clearing, v, plen);
				t->clearing_len = plen;
				t->has |= COTP_HAS_CLEARING;
			} else
				t->nunknown++;
			continue;
		}
		if (t->type == COTP_ER) {
			if (code == COTP_P_INVALID_TPDU) {
				memcpy(t->er_tpdu, v, plen);
				t->er_tpdu_len = plen;
				t->has |= COTP_HAS_ER_TPDU;
			} else
				t->nunknown++;
			continue;
		}
		switch (code) {
		case COTP_P_TPDU_SIZE:
			if (plen != 1)
				goto badlen;
			t->tpdu_size = v[0];
			t->has |= COTP_HAS_TPDU_SIZE;
			if (cotp_tpdu_size_bytes(v[0]) == 0)
				t->violations |= COTP_V_TPDU_SIZE;
			break;
		case COTP_P_CALLING_TSAP:
			memcpy(t->calling, v, plen);
			t->calling_len = plen;
			t->has |= COTP_HAS_CALLING;
			break;
		case COTP_P_CALLED_TSAP:
			memcpy(t->called, v, plen);
			t->called_len = plen;
			t->has |= COTP_HAS_CALLED;
			break;
		case COTP_P_OPT_SEL:
			if (plen != 1)
				goto badlen;
			t->opt_sel = v[0];
			t->has |= COTP_HAS_OPT_SEL;
			break;
		case COTP_P_PREF_SIZE:
			if (plen < 1 || plen > 4)
				goto badlen;
			t->pref_size = 0;
			for (j = 0; j < plen; j++)
				t->pref_size = t->pref_size << 8 | v[j];
			t->has |= COTP_HAS_PREF_SIZE;
			break;
		default:
			/* Classes 1-4 codes: forwarded untouched (1.4). */
			t->nunknown++;
			break;
		}
	}
	return (0);
 badlen:
	*rule = "cotp_param";
	snprintf(detail, dsize, "%s parameter 0x%02x has length %zu",
	    cotp_type_name(t->type), code, plen);
	return (-1);
}

int
cotp_parse(const uint8_t *p, size_t len, struct cotp_tpdu *t,
    const char **errstr)
{
	char		 detail[128];
	const char	*rule;

	if (cotp_check_li(p, len, &rule, detail, sizeof(detail)) == -1 ||
	    cotp_decode(p, 1 + (size_t)p[0], len, t, &rule, detail,
	    sizeof(detail)) == -1) {
		if (errstr != NULL)
			*errstr = rule;
		return (-1);
	}
	t->udata = p + 1 + t->li;
	t->udata_kept = t->udata_len;
	return (0);
}

int
rfc1006_parse(const uint8_t *p, size_t len, struct cotp_tpdu *t,
    const char **errstr)
{
	uint16_t	 tlen;
	uint8_t		 rsv;

	if (tpkt_parse(p, len, &tlen, &rsv, errstr) == -1)
		return (-1);
	if (tlen != len) {
		*errstr = "tpkt_length";
		return (-1);
	}
	if (cotp_parse(p + TPKT_HDRLEN, len - TPKT_HDRLEN, t, errstr) == -1)
		return (-1);
	t->tpkt_len = tlen;
	t->tpkt_reserved = rsv;
	return (0);
}

/* Append one TLV at *off, bounded by the COTP header limit. */
static int
cotp_put_param(uint8_t *p, size_t size, size_t *off, uint8_t code,
    const uint8_t *v, size_t vlen)
{
	if (vlen > COTP_PARAM_MAX || *off + 2 + vlen > size ||
	    *off + 2 + vlen > TPKT_HDRLEN + COTP_HDR_MAX)
		return (-1);
	p[(*off)++] = code;
	p[(*off)++] = (uint8_t)vlen;
	if (vlen > 0)
		memcpy(p + *off, v, vlen);
	*off += vlen;
	return (0);
}

static ssize_t
cotp_build_conn(uint8_t *p, size_t size, uint8_t code,
    const struct cotp_tpdu *t)
{
	size_t		 off = TPKT_HDRLEN + 7;
	uint8_t		 v[4];

	if (size < off)
		return (-1);
	p[TPKT_HDRLEN + 1] = code;
	wire_put16be(p + TPKT_HDRLEN + 2, t->dst_ref);
	wire_put16be(p + TPKT_HDRLEN + 4, t->src_ref);
	p[TPKT_HDRLEN + 6] = t->class_opt;
	if (t->has & COTP_HAS_TPDU_SIZE &&
	    cotp_put_param(p, size, &off, COTP_P_TPDU_SIZE, &t->tpdu_size,
	    1) == -1)
		return (-1);
	if (t->has & COTP_HAS_CALLING &&
	    cotp_put_param(p, size, &off, COTP_P_CALLING_TSAP, t->calling,
	    t->calling_len) == -1)
		return (-1);
	if (t->has & COTP_HAS_CALLED &&
	    cotp_put_param(p, size, &off, COTP_P_CALLED_TSAP, t->called,
	    t->called_len) == -1)
		return (-1);
	if (t->has & COTP_HAS_OPT_SEL &&
	    cotp_put_param(p, size, &off, COTP_P_OPT_SEL, &t->opt_sel,
	    1) == -1)
		return (-1);
	if (t->has & COTP_HAS_PREF_SIZE) {
		wire_put32be(v, t->pref_size);
		if (cotp_put_param(p, size, &off, COTP_P_PREF_SIZE, v,
		    4) == -1)
			return (-1);
	}
	p[TPKT_HDRLEN] = (uint8_t)(off - TPKT_HDRLEN - 1);
	tpkt_build(p, off - TPKT_HDRLEN);
	return ((ssize_t)off);
}

ssize_t
cotp_build_cr(uint8_t *p, size_t size, const struct cotp_tpdu *t)
{
	return (cotp_build_conn(p, size, COTP_CR, t));
}

ssize_t
cotp_build_cc(uint8_t *p, size_t size, const struct cotp_tpdu *t)
{
	return (cotp_build_conn(p, size, COTP_CC, t));
}

ssize_t
cotp_build_dr(uint8_t *p, size_t size, uint16_t dst_ref, uint16_t src_ref,
    uint8_t reason)
{
	if (size < TPKT_HDRLEN + 7)
		return (-1);
	p[4] = 6;
	p[5] = COTP_DR;
	wire_put16be(p + 6, dst_ref);
	wire_put16be(p + 8, src_ref);
	p[10] = reason;
	tpkt_build(p, 7);
	return (TPKT_HDRLEN + 7);
}

ssize_t
cotp_build_er(uint8_t *p, size_t size, uint16_t dst_ref, uint8_t cause,
    const uint8_t *bad, size_t badlen)
{
	size_t		 off = TPKT_HDRLEN + 5;

	if (size < off)
		return (-1);
	p[5] = COTP_ER;
	wire_put16be(p + 6, dst_ref);
	p[8] = cause;
	if (cotp_put_param(p, size, &off, COTP_P_INVALID_TPDU, bad,
	    badlen) == -1)
		return (-1);
	p[4] = (uint8_t)(off - TPKT_HDRLEN - 1);
	tpkt_build(p, off - TPKT_HDRLEN);
	return ((ssize_t)off);
}

ssize_t
cotp_build_dt_hdr(uint8_t *p, size_t size, int eot, size_t len)
{
	if (size < TPKT_HDRLEN + 3 || len > TPKT_MAXLEN - TPKT_HDRLEN - 3)
		return (-1);
	p[4] = 2;
	p[5] = COTP_DT;
	p[6] = eot ? COTP_EOT : 0;
	tpkt_build(p, 3 + len);
	return (TPKT_HDRLEN + 3);
}

ssize_t
cotp_build_dt(uint8_t *p, size_t size, int eot, const uint8_t *data,
    size_t len)
{
	if (len > TPKT_MAXLEN - TPKT_HDRLEN - 3 ||
	    size < TPKT_HDRLEN + 3 + len)
		return (-1);
	cotp_build_dt_hdr(p, size, eot, len);
	if (len > 0)
		memcpy(p + TPKT_HDRLEN + 3, data, len);
	return ((ssize_t)(TPKT_HDRLEN + 3 + len));
}

int
cotp_set_tsap(struct cotp_tpdu *t, int code, const void *v, size_t len)
{
	if (len > COTP_PARAM_MAX)
		return (-1);
	if (code == COTP_P_CALLING_TSAP) {
		memcpy(t->calling, v, len);
		t->calling_len = len;
		t->has |= COTP_HAS_CALLING;
	} else if (code == COTP_P_CALLED_TSAP) {
		memcpy(t->called, v, len);
		t->called_len = len;
		t->has |= COTP_HAS_CALLED;
	} else
		return (-1);
	return (0);
}

const char *
cotp_type_name(uint8_t code)
{
	switch (code & 0xf0) {
	case COTP_CR:
		return ("CR");
	case COTP_CC:
		return ("CC");
	case COTP_DR:
		return ("DR");
	case COTP_DT:
		return ("DT");
	case COTP_ER:
		return ("ER");
	case COTP_ED:
		return ("ED");
	case COTP_DC:
		return ("DC");
	case COTP_AK:
		return ("AK");
	case COTP_RJ:
		return ("RJ");
	case COTP_EA:
		return ("EA");
	}
	return ("unknown");
}

/* DR reasons, RFC 905 13.5.3 as listed by [WS-ositp]. */
const char *
cotp_dr_reason_name(uint8_t reason)
{
	switch (reason) {
	case 0x00:
		return ("not specified");
	case 0x01:
		return ("congestion at TSAP");
	case 0x02:
		return ("session entity not attached to TSAP");
	case 0x03:
		return ("address unknown");
	case 0x80:
		return ("normal");
	case 0x81:
		return ("remote transport entity congestion at connect time");
	case 0x82:
		return ("connection negotiation failed");
	case 0x83:
		return ("duplicate source reference");
	case 0x84:
		return ("mismatched references");
	case 0x85:
		return ("protocol error");
	case 0x87:
		return ("reference overflow");
	case 0x88:
		return ("connection request refused on this network "
		    "connection");
	case 0x8a:
		return ("header or parameter length invalid");
	}
	return ("unknown");
}

const char *
cotp_er_cause_name(uint8_t cause)
{
	switch (cause) {
	case 0x00:
		return ("not specified");
	case 0x01:
		return ("invalid parameter code");
	case 0x02:
		return ("invalid TPDU type");
	case 0x03:
		return ("invalid parameter value");
	}
	return ("unknown");
}

const char *
cotp_violation_rule(unsigned int bit)
{
	size_t	 i;

	for (i = 0; i < sizeof(cotp_violations) / sizeof(cotp_violations[0]);
	    i++)
		if (cotp_violations[i].bit == bit)
			return (cotp_violations[i].rule);
	return (NULL);
}

size_t
cotp_tpdu_size_bytes(uint8_t code)
{
	if (code < 0x07 || code > 0x0d)
		return (0);
	return ((size_t)1 << code);
}

char *
cotp_tsap_hex(const uint8_t *p, size_t len, char *buf, size_t size)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;

	if (size == 0)
		return (buf);
	for (i = 0; i < len && o + 2 < size; i++) {
		buf[o++] = hex[p[i] >> 4];
		buf[o++] = hex[p[i] & 0x0f];
	}
	buf[o] = '\0';
	return (buf);
}

int
cotp_tsap_printable(const uint8_t *p, size_t len)
{
	size_t	 i;

	if (len == 0)
		return (0);
	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return (0);
	return (1);
}

char *
cotp_tsap_str(const uint8_t *p, size_t len, char *buf, size_t size)
{
	size_t	 n;

	if (size == 0)
		return (buf);
	if (!cotp_tsap_printable(p, len))
		return (cotp_tsap_hex(p, len, buf, size));
	n = len < size - 1 ? len : size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return (buf);
}
