/*
 * Connection-oriented DCE/RPC (C706 chapter 12, MS-RPCE; PROTOCOLS.md
 * 2.1-2.3): header and body parsers honouring drep, the stream framer, the
 * per-call fragment reassembler, UUIDs and the little-endian builders.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc.h"
#include "wire.h"

struct dcerpc_reasm_slot {
	int		 used;
	uint32_t	 call_id;
	uint8_t		 ptype;
	uint16_t	 p_cont_id;
	uint16_t	 opnum;
	uint8_t		*buf;
	size_t		 len;
	size_t		 alloc;
	unsigned int	 nfrags;
	uint32_t	 frag_end[DCERPC_REASM_MAX_FRAGS];
};

static int	 dcerpc_parse_bind(const uint8_t *, size_t, int,
		    struct dcerpc_bind *, const char **);
static int	 dcerpc_parse_ack(const uint8_t *, size_t, int,
		    struct dcerpc_bind_ack *, const char **);
static void	 dcerpc_syntax_read(const uint8_t *, int,
		    struct dcerpc_syntax *);
static void	 dcerpc_syntax_write(uint8_t *, const struct dcerpc_syntax *);
static void	 dcerpc_put_hdr(uint8_t *, uint8_t, uint8_t, size_t,
		    uint32_t);
static int	 dcerpc_framer_header(struct dcerpc_framer *,
		    const uint8_t *);
static void	 dcerpc_framer_fail(struct dcerpc_framer *, const char *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static void	 dcerpc_slot_clear(struct dcerpc_reasm_slot *);

const struct dcerpc_uuid dcerpc_uuid_nil = { { 0 } };
const struct dcerpc_uuid dcerpc_uuid_epm = { {
	0xe1, 0xaf, 0x83, 0x08, 0x5d, 0x1f, 0x11, 0xc9,
	0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa } };
const struct dcerpc_uuid dcerpc_uuid_ndr = { {
	0x8a, 0x88, 0x5d, 0x04, 0x1c, 0xeb, 0x11, 0xc9,
	0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60 } };
const struct dcerpc_uuid dcerpc_uuid_exchange_mta = { {
	0x9e, 0x8e, 0xe8, 0x30, 0x44, 0x59, 0x11, 0xce,
	0x97, 0x9b, 0x00, 0xaa, 0x00, 0x5f, 0xfe, 0xbe } };
const struct dcerpc_uuid dcerpc_uuid_qadmin = { {
	0x38, 0xa9, 0x4e, 0x72, 0xa9, 0xbc, 0x11, 0xd2,
	0x8f, 0xaf, 0x00, 0xc0, 0x4f, 0xa3, 0x78, 0xff } };

/*
 * Interface names. Versions from PROTOCOLS.md 3.4 and the scanner lists it
 * cites; Windows ones from the MS-* specifications and Samba's IDL.
 */
static const struct {
	const char	*uuid;
	uint16_t	 major;
	uint16_t	 minor;
	const char	*name;
} dcerpc_ifs[] = {
	{ "e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3, 0, "epm" },
	{ "9e8ee830-4459-11ce-979b-00aa005ffebe", 2, 0, "exchange_mta" },
	{ "38a94e72-a9bc-11d2-8faf-00c04fa378ff", 1, 0, "exchange_qadmin" },
	{ "8a885d04-1ceb-11c9-9fe8-08002b104860", 2, 0, "ndr" },
	{ "71710533-beba-4937-8319-b5dbef9ccc36", 1, 0, "ndr64" },
	{ "afa8bd80-7d8a-11c9-bef4-08002b102989", 1, 0, "mgmt" },
	{ "12345778-1234-abcd-ef00-0123456789ab", 0, 0, "lsarpc" },
	{ "12345778-1234-abcd-ef00-0123456789ac", 1, 0, "samr" },
	{ "12345678-1234-abcd-ef00-01234567cffb", 1, 0, "netlogon" },
	{ "12345678-1234-abcd-ef00-0123456789ab", 1, 0, "spoolss" },
	{ "367abb81-9844-35f1-ad32-98f038001003", 2, 0, "svcctl" },
	{ "4b324fc8-1670-01d3-1278-5a47bf6ee188", 3, 0, "srvsvc" },
	{ "6bffd098-a112-3610-9833-46c3f87e345a", 1, 0, "wkssvc" },
	{ "338cd001-2244-31f1-aaaa-900038001003", 1, 0, "winreg" },
	{ "1ff70682-0a51-30e8-076d-740be8cee98b", 1, 0, "atsvc" },
	{ "86d35949-83c9-4044-b424-db363231fd0c", 1, 0, "ITaskSchedulerService" },
	{ "e3514235-4b06-11d1-ab04-00c04fc2dcd2", 4, 0, "drsuapi" },
	{ "000001a0-0000-0000-c000-000000000046", 0, 0, "ISystemActivator" },
	{ "99fcfec4-5260-101b-bbcb-00aa0021347a", 0, 0, "IObjectExporter" },
	{ "f5cc5a18-4264-101a-8c59-08002b2f8426", 56, 0, "nspi" },
	{ "a4f1db00-ca47-1067-b31f-00dd010662da", 0, 81, "emsmdb" },
};

int
dcerpc_hdr_parse(const uint8_t *p, size_t len, struct dcerpc_hdr *h,
    const char **errstr)
{
	memset(h, 0, sizeof(*h));
	if (len < DCERPC_HDRLEN) {
		*errstr = "dcerpc_short";
		return (-1);
	}
	h->rpc_vers = p[0];
	h->rpc_vers_minor = p[1];
	h->ptype = p[2];
	h->pfc_flags = p[3];
	memcpy(h->drep, p + 4, 4);
	/*
	 * A minor version above 1 still frames (C706 12.6.3.1: the receiver
	 * answers bind_nak, reason protocol version not supported); the
	 * inspector reports it. Another major version is not this protocol.
	 */
	if (h->rpc_vers != 5) {
		*errstr = "dcerpc_version";
		return (-1);
	}
	/* High nibble of drep[0]: 1 little-endian, 0 big-endian. */
	if ((h->drep[0] >> 4) > 1) {
		*errstr = "dcerpc_drep";
		return (-1);
	}
	h->le = (h->drep[0] >> 4) == 1;
	/* 2.1: frag_length is in drep order, so read drep first. */
	h->frag_length = wire_get16(p + 8, h->le);
	h->auth_length = wire_get16(p + 10, h->le);
	h->call_id = wire_get32(p + 12, h->le);
	if (h->frag_length < DCERPC_HDRLEN) {
		*errstr = "dcerpc_frag_length";
		return (-1);
	}
	if (h->auth_length > 0 && (size_t)h->auth_length +
	    DCERPC_SEC_TRAILER > (size_t)h->frag_length - DCERPC_HDRLEN) {
		*errstr = "dcerpc_auth_length";
		return (-1);
	}
	switch (h->ptype) {
	case DCERPC_REQUEST:
	case DCERPC_RESPONSE:
	case DCERPC_FAULT:
	case DCERPC_BIND:
	case DCERPC_BIND_ACK:
	case DCERPC_BIND_NAK:
	case DCERPC_ALTER:
	case DCERPC_ALTER_RESP:
	case DCERPC_AUTH3:
	case DCERPC_SHUTDOWN:
	case DCERPC_CO_CANCEL:
	case DCERPC_ORPHANED:
	case DCERPC_RTS:
		break;
	default:
		/* 1, 4-10 are connectionless only; the rest unknown. */
		*errstr = "dcerpc_ptype";
		return (-1);
	}
	return (0);
}

int
dcerpc_pdu_parse(const uint8_t *p, size_t len, struct dcerpc_pdu *pdu,
    const char **errstr)
{
	struct dcerpc_hdr	*h = &pdu->hdr;
	size_t			 end, off, pad = 0;
	int			 le;

	memset(pdu, 0, sizeof(*pdu));
	if (dcerpc_hdr_parse(p, len, h, errstr) == -1)
		return (-1);
	if (len < h->frag_length) {
		*errstr = "dcerpc_short";
		return (-1);
	}
	le = h->le;
	end = h->frag_length;
	if (h->auth_length > 0) {
		/* 2.2: stub, auth pad, sec_trailer, auth_value. */
		pdu->has_auth = 1;
		end = h->frag_length - h->auth_length - DCERPC_SEC_TRAILER;
		pdu->auth.trailer_off = end;
		pdu->auth.type = p[end];
		pdu->auth.level = p[end + 1];
		pdu->auth.pad_length = p[end + 2];
		pdu->auth.context_id = wire_get32(p + end + 4, le);
		pdu->auth.value_off = end + DCERPC_SEC_TRAILER;
		pdu->auth.value_len = h->auth_length;
		pad = pdu->auth.pad_length;
	}

	switch (h->ptype) {
	case DCERPC_REQUEST:
		off = DCERPC_REQ_HDRLEN;
		if (h->pfc_flags & DCERPC_PFC_OBJECT_UUID)
			off += 16;
		if (end < off)
			goto body;
		pdu->u.req.alloc_hint = wire_get32(p + 16, le);
		pdu->u.req.p_cont_id = wire_get16(p + 20, le);
		pdu->u.req.opnum = wire_get16(p + 22, le);
		if (h->pfc_flags & DCERPC_PFC_OBJECT_UUID) {
			pdu->u.req.has_object = 1;
			dcerpc_uuid_read(p + 24, le, &pdu->u.req.object);
		}
		break;
	case DCERPC_RESPONSE:
		off = DCERPC_REQ_HDRLEN;
		if (end < off)
			goto body;
		pdu->u.resp.alloc_hint = wire_get32(p + 16, le);
		pdu->u.resp.p_cont_id = wire_get16(p + 20, le);
		pdu->u.resp.cancel_count = p[22];
		break;
	case DCERPC_FAULT:
		off = DCERPC_FAULT_HDRLEN;
		if (end < off)
			goto body;
		pdu->u.fault.alloc_hint = wire_get32(p + 16, le);
		pdu->u.fault.p_cont_id = wire_get16(p + 20, le);
		pdu->u.fault.cancel_count = p[22];
		pdu->u.fault.flags = p[23];
		pdu->u.fault.status = wire_get32(p + 24, le);
		break;
	case DCERPC_BIND:
	case DCERPC_ALTER:
		return (dcerpc_parse_bind(p, end, le, &pdu->u.bind, errstr));
	case DCERPC_BIND_ACK:
	case DCERPC_ALTER_RESP:
		return (dcerpc_parse_ack(p, end, le, &pdu->u.ack, errstr));
	case DCERPC_BIND_NAK:
		if (end < 18)
			goto body;
		pdu->u.nak.reason = wire_get16(p + 16, le);
		if (end == 18)
			return (0);
		pdu->u.nak.n_versions_wire = p[18];
		if (19 + 2 * (size_t)p[18] > end)
			goto body;
		for (off = 0; off < p[18] && off < DCERPC_MAX_NAK_VERS; off++) {
			pdu->u.nak.versions[off][0] = p[19 + 2 * off];
			pdu->u.nak.versions[off][1] = p[20 + 2 * off];
		}
		pdu->u.nak.n_versions = (uint8_t)off;
		return (0);
	default:
		/* auth3, shutdown, co_cancel, orphaned, rts: no body kept. */
		return (0);
	}

	/* request, response, fault: the stub ends before the auth pad. */
	if (pad > end - off) {
		*errstr = "dcerpc_auth_pad";
		return (-1);
	}
	pdu->stub = p + off;
	pdu->stub_off = off;
	pdu->stub_len = end - pad - off;
	return (0);
 body:
	*errstr = "dcerpc_body";
	return (-1);
}

/* bind/alter_context body, p[16..end). */
static int
dcerpc_parse_bind(const uint8_t *p, size_t end, int le, struct dcerpc_bind *b,
    const char **errstr)
{
	struct dcerpc_ctx	*c, skip;
	size_t			 off;
	unsigned int		 i, j, nx;

	if (end < 28) {
		*errstr = "dcerpc_body";
		return (-1);
	}
	b->max_xmit = wire_get16(p + 16, le);
	b->max_recv = wire_get16(p + 18, le);
	b->assoc_group = wire_get32(p + 20, le);
	b->n_ctx_wire = p[24];
	off = 28;
	for (i = 0; i < b->n_ctx_wire; i++) {
		/* p_cont_id u16, n_transfer_syn u8, pad, abstract syntax. */
		if (end - off < 24) {
			*errstr = "dcerpc_ctx";
			return (-1);
		}
		c = i < DCERPC_MAX_CTX ? &b->ctx[i] : &skip;
		c->p_cont_id = wire_get16(p + off, le);
		c->n_xfer_wire = nx = p[off + 2];
		dcerpc_syntax_read(p + off + 4, le, &c->abstract);
		off += 24;
		if ((end - off) / 20 < nx) {
			*errstr = "dcerpc_ctx";
			return (-1);
		}
		for (j = 0; j < nx && j < DCERPC_MAX_XFER; j++)
			dcerpc_syntax_read(p + off + 20 * j, le, &c->xfer[j]);
		c->n_xfer = (uint8_t)j;
		off += 20 * (size_t)nx;
	}
	b->n_ctx = b->n_ctx_wire < DCERPC_MAX_CTX ? b->n_ctx_wire :
	    DCERPC_MAX_CTX;
	return (0);
}

/* bind_ack/alter_context_resp body, p[16..end). */
static int
dcerpc_parse_ack(const uint8_t *p, size_t end, int le,
    struct dcerpc_bind_ack *a, const char **errstr)
{
	size_t		 off, n;
	unsigned int	 i;

	if (end < 26) {
		*errstr = "dcerpc_body";
		return (-1);
	}
	a->max_xmit = wire_get16(p + 16, le);
	a->max_recv = wire_get16(p + 18, le);
	a->assoc_group = wire_get32(p + 20, le);
	a->sec_addr_len = wire_get16(p + 24, le);
	a->sec_addr_off = 26;
	if (a->sec_addr_len > end - 26) {
		*errstr = "dcerpc_sec_addr";
		return (-1);
	}
	n = a->sec_addr_len < DCERPC_SEC_ADDR_MAX ? a->sec_addr_len :
	    DCERPC_SEC_ADDR_MAX;
	memcpy(a->sec_addr, p + 26, n);
	a->sec_addr[n] = '\0';
	/* 2.2: pad to 4 from the PDU start after the string. */
	off = 26 + (size_t)a->sec_addr_len;
	off += wire_pad4(off);
	if (off > end || end - off < 4) {
		*errstr = "dcerpc_results";
		return (-1);
	}
	a->n_results_wire = p[off];
	off += 4;
	if ((end - off) / 24 < a->n_results_wire) {
		*errstr = "dcerpc_results";
		return (-1);
	}
	for (i = 0; i < a->n_results_wire && i < DCERPC_MAX_RESULTS; i++) {
		a->results[i].result = wire_get16(p + off, le);
		a->results[i].reason = wire_get16(p + off + 2, le);
		dcerpc_syntax_read(p + off + 4, le, &a->results[i].xfer);
		off += 24;
	}
	a->n_results = (uint8_t)i;
	return (0);
}

/* UUID + if_version u32: major in the low 16 bits, minor in the high. */
static void
dcerpc_syntax_read(const uint8_t *p, int le, struct dcerpc_syntax *s)
{
	uint32_t	 v;

	dcerpc_uuid_read(p, le, &s->uuid);
	v = wire_get32(p + 16, le);
	s->major = (uint16_t)(v & 0xffff);
	s->minor = (uint16_t)(v >> 16);
}

static void
dcerpc_syntax_write(uint8_t *p, const struct dcerpc_syntax *s)
{
	dcerpc_uuid_write(p, &s->uuid);
	wire_put32le(p + 16, (uint32_t)s->minor << 16 | s->major);
}

int
dcerpc_framer_init(struct dcerpc_framer *df, size_t cap,
    const struct dcerpc_framer_callbacks *cb, void *arg)
{
	memset(df, 0, sizeof(*df));
	if (cap < DCERPC_HDRLEN || cap > DCERPC_FRAG_MAX)
		return (-1);
	df->df_cap = cap;
	df->df_cb = cb;
	df->df_arg = arg;
	return (0);
}

void
dcerpc_framer_free(struct dcerpc_framer *df)
{
	free(df->df_buf);
	df->df_buf = NULL;
	df->df_alloc = df->df_have = df->df_need = 0;
}

void
dcerpc_framer_stop(struct dcerpc_framer *df)
{
	df->df_stopped = 1;
}

uint64_t
dcerpc_framer_boundary(const struct dcerpc_framer *df)
{
	return (df->df_boundary);
}

static void
dcerpc_framer_fail(struct dcerpc_framer *df, const char *rule,
    const char *fmt, ...)
{
	char		 detail[128];
	va_list		 ap;

	df->df_dead = 1;
	if (df->df_cb == NULL || df->df_cb->error == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	df->df_cb->error(df->df_arg, rule, detail,
	    df->df_off - df->df_have);
}

/* Check the 16 header bytes at p (2.3) and learn frag_length. */
static int
dcerpc_framer_header(struct dcerpc_framer *df, const uint8_t *p)
{
	struct dcerpc_hdr	 h;
	const char		*rule;

	if (dcerpc_hdr_parse(p, DCERPC_HDRLEN, &h, &rule) == -1) {
		if (strcmp(rule, "dcerpc_version") == 0)
			dcerpc_framer_fail(df, rule, "rpc version %u.%u, not "
			    "5.x", p[0], p[1]);
		else if (strcmp(rule, "dcerpc_drep") == 0)
			dcerpc_framer_fail(df, rule, "drep integer order "
			    "0x%x unknown", p[4] >> 4);
		else if (strcmp(rule, "dcerpc_ptype") == 0)
			dcerpc_framer_fail(df, rule, "ptype %u is not a "
			    "connection-oriented PDU", p[2]);
		else if (strcmp(rule, "dcerpc_auth_length") == 0)
			dcerpc_framer_fail(df, rule, "auth_length %u does not "
			    "fit frag_length %u", h.auth_length,
			    h.frag_length);
		else
			dcerpc_framer_fail(df, rule, "frag_length %u below "
			    "16", h.frag_length);
		return (-1);
	}
	if (h.frag_length > df->df_cap) {
		dcerpc_framer_fail(df, "dcerpc_frag_length", "frag_length %u "
		    "above the cap %zu", h.frag_length, df->df_cap);
		return (-1);
	}
	df->df_need = h.frag_length;
	return (0);
}

int
dcerpc_framer_feed(struct dcerpc_framer *df, const uint8_t *buf, size_t len)
{
	size_t		 want, n, na;
	uint8_t		*nb;
	uint64_t	 start;

	while (len > 0 && !df->df_dead && !df->df_stopped) {
		/* Whole PDU in the chunk: hand it over in place. */
		if (df->df_have == 0 && df->df_need == 0 &&
		    len >= DCERPC_HDRLEN) {
			if (dcerpc_framer_header(df, buf) == -1)
				break;
			if (len >= df->df_need) {
				n = df->df_need;
				start = df->df_off;
				df->df_off += n;
				df->df_boundary = df->df_off;
				df->df_need = 0;
				df->df_npdu++;
				if (df->df_cb != NULL && df->df_cb->pdu != NULL)
					df->df_cb->pdu(df->df_arg, buf, n,
					    start);
				buf += n;
				len -= n;
				continue;
			}
		}
		want = (df->df_need == 0 ? DCERPC_HDRLEN : df->df_need) -
		    df->df_have;
		n = want < len ? want : len;
		if (df->df_have + n > df->df_alloc) {
			/* Grow with the bytes that came, not the claim. */
			na = df->df_alloc ? df->df_alloc : 256;
			while (na < df->df_have + n)
				na *= 2;
			if (na > df->df_cap)
				na = df->df_cap;
			if ((nb = realloc(df->df_buf, na)) == NULL) {
				dcerpc_framer_fail(df, "dcerpc_nomem",
				    "out of memory for a %zu byte PDU", na);
				break;
			}
			df->df_buf = nb;
			df->df_alloc = na;
		}
		memcpy(df->df_buf + df->df_have, buf, n);
		df->df_have += n;
		df->df_off += n;
		buf += n;
		len -= n;
		if (df->df_need == 0 && df->df_have == DCERPC_HDRLEN &&
		    dcerpc_framer_header(df, df->df_buf) == -1)
			break;
		if (df->df_need != 0 && df->df_have == df->df_need) {
			n = df->df_need;
			df->df_have = df->df_need = 0;
			df->df_boundary = df->df_off;
			df->df_npdu++;
			if (df->df_cb != NULL && df->df_cb->pdu != NULL)
				df->df_cb->pdu(df->df_arg, df->df_buf, n,
				    df->df_off - n);
		}
	}
	/* Between PDUs nothing is buffered: an idle connection holds none. */
	if (df->df_have == 0 && df->df_buf != NULL) {
		free(df->df_buf);
		df->df_buf = NULL;
		df->df_alloc = 0;
	}
	if (df->df_dead || df->df_stopped)
		return (-1);
	return (0);
}

void
dcerpc_reasm_init(struct dcerpc_reasm *r, size_t call_cap,
    unsigned int max_calls)
{
	memset(r, 0, sizeof(*r));
	r->dr_call_cap = call_cap ? call_cap : DCERPC_REASM_CALL_CAP;
	r->dr_max_calls = max_calls ? max_calls : DCERPC_REASM_MAX_CALLS;
	r->dr_done = -1;
}

static void
dcerpc_slot_clear(struct dcerpc_reasm_slot *s)
{
	free(s->buf);
	memset(s, 0, offsetof(struct dcerpc_reasm_slot, frag_end));
}

void
dcerpc_reasm_free(struct dcerpc_reasm *r)
{
	unsigned int	 i;

	if (r->dr_slots != NULL) {
		for (i = 0; i < r->dr_max_calls; i++)
			dcerpc_slot_clear(&r->dr_slots[i]);
		free(r->dr_slots);
	}
	r->dr_slots = NULL;
	r->dr_done = -1;
}

unsigned int
dcerpc_reasm_open(const struct dcerpc_reasm *r)
{
	unsigned int	 i, n = 0;

	if (r->dr_slots == NULL)
		return (0);
	for (i = 0; i < r->dr_max_calls; i++)
		if (r->dr_slots[i].used && (int)i != r->dr_done)
			n++;
	return (n);
}

void
dcerpc_reasm_drop(struct dcerpc_reasm *r, uint32_t call_id)
{
	unsigned int	 i;

	if (r->dr_slots == NULL)
		return;
	for (i = 0; i < r->dr_max_calls; i++)
		if (r->dr_slots[i].used && r->dr_slots[i].call_id == call_id)
			dcerpc_slot_clear(&r->dr_slots[i]);
}

int
dcerpc_reasm_add(struct dcerpc_reasm *r, const struct dcerpc_pdu *pdu,
    struct dcerpc_call *call, const char **errstr)
{
	struct dcerpc_reasm_slot	*s = NULL;
	uint8_t				 flags = pdu->hdr.pfc_flags;
	uint32_t			 id = pdu->hdr.call_id;
	unsigned int			 i;
	size_t				 na;
	uint8_t				*nb;

	if (r->dr_done >= 0) {
		dcerpc_slot_clear(&r->dr_slots[r->dr_done]);
		r->dr_done = -1;
	}
	if (pdu->hdr.ptype != DCERPC_REQUEST &&
	    pdu->hdr.ptype != DCERPC_RESPONSE) {
		*errstr = "dcerpc_reasm_ptype";
		return (-1);
	}
	if (r->dr_slots != NULL) {
		for (i = 0; i < r->dr_max_calls; i++)
			if (r->dr_slots[i].used &&
			    r->dr_slots[i].call_id == id) {
				s = &r->dr_slots[i];
				break;
			}
	}
	if (flags & DCERPC_PFC_FIRST_FRAG) {
		if (s != NULL) {
			dcerpc_slot_clear(s);
			*errstr = "dcerpc_reasm_dup";
			return (-1);
		}
		if (flags & DCERPC_PFC_LAST_FRAG) {
			/* Single-fragment call: no copy. */
			memset(call, 0, sizeof(*call));
			call->call_id = id;
			call->ptype = pdu->hdr.ptype;
			call->p_cont_id = pdu->hdr.ptype == DCERPC_REQUEST ?
			    pdu->u.req.p_cont_id : pdu->u.resp.p_cont_id;
			call->opnum = pdu->hdr.ptype == DCERPC_REQUEST ?
			    pdu->u.req.opnum : 0;
			call->stub = pdu->stub;
			call->stub_len = pdu->stub_len;
			call->nfrags = 1;
			r->dr_single_end = (uint32_t)pdu->stub_len;
			call->frag_end = &r->dr_single_end;
			return (1);
		}
		if (r->dr_slots == NULL &&
		    (r->dr_slots = calloc(r->dr_max_calls,
		    sizeof(*r->dr_slots))) == NULL) {
			*errstr = "dcerpc_reasm_nomem";
			return (-1);
		}
		for (i = 0; i < r->dr_max_calls; i++)
			if (!r->dr_slots[i].used) {
				s = &r->dr_slots[i];
				break;
			}
		if (s == NULL) {
			*errstr = "dcerpc_reasm_calls";
			return (-1);
		}
		s->used = 1;
		s->call_id = id;
		s->ptype = pdu->hdr.ptype;
		s->p_cont_id = pdu->hdr.ptype == DCERPC_REQUEST ?
		    pdu->u.req.p_cont_id : pdu->u.resp.p_cont_id;
		s->opnum = pdu->hdr.ptype == DCERPC_REQUEST ?
		    pdu->u.req.opnum : 0;
	} else if (s == NULL) {
		*errstr = "dcerpc_reasm_orphan";
		return (-1);
	}

	if (pdu->stub_len > r->dr_call_cap - s->len) {
		dcerpc_slot_clear(s);
		*errstr = "dcerpc_reasm_cap";
		return (-1);
	}
	if (s->nfrags == DCERPC_REASM_MAX_FRAGS) {
		dcerpc_slot_clear(s);
		*errstr = "dcerpc_reasm_frags";
		return (-1);
	}
	if (s->len + pdu->stub_len > s->alloc) {
		na = s->alloc ? s->alloc : 1024;
		while (na < s->len + pdu->stub_len)
			na *= 2;
		if (na > r->dr_call_cap)
			na = r->dr_call_cap;
		if ((nb = realloc(s->buf, na)) == NULL) {
			dcerpc_slot_clear(s);
			*errstr = "dcerpc_reasm_nomem";
			return (-1);
		}
		s->buf = nb;
		s->alloc = na;
	}
	if (pdu->stub_len > 0)
		memcpy(s->buf + s->len, pdu->stub, pdu->stub_len);
	s->len += pdu->stub_len;
	s->frag_end[s->nfrags++] = (uint32_t)s->len;
	if ((flags & DCERPC_PFC_LAST_FRAG) == 0)
		return (0);

	memset(call, 0, sizeof(*call));
	call->call_id = s->call_id;
	call->ptype = s->ptype;
	call->p_cont_id = s->p_cont_id;
	call->opnum = s->opnum;
	call->stub = s->buf;
	call->stub_len = s->len;
	call->nfrags = s->nfrags;
	call->frag_end = s->frag_end;
	r->dr_done = (int)(s - r->dr_slots);
	return (1);
}

int
dcerpc_call_locate(const struct dcerpc_call *call, size_t off,
    unsigned int *frag, size_t *frag_off)
{
	unsigned int	 i;
	size_t		 start = 0;

	for (i = 0; i < call->nfrags; i++) {
		if (off < call->frag_end[i]) {
			*frag = i;
			*frag_off = off - start;
			return (0);
		}
		start = call->frag_end[i];
	}
	return (-1);
}

int
dcerpc_uuid_parse(const char *s, struct dcerpc_uuid *u)
{
	size_t		 i, n = 0;
	int		 hi, lo;

	if (strlen(s) != 36)
		return (-1);
	for (i = 0; i < 36; ) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (-1);
			i++;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]) ||
		    !isxdigit((unsigned char)s[i + 1]))
			return (-1);
		hi = isdigit((unsigned char)s[i]) ? s[i] - '0' :
		    tolower((unsigned char)s[i]) - 'a' + 10;
		lo = isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0' :
		    tolower((unsigned char)s[i + 1]) - 'a' + 10;
		u->b[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return (0);
}

char *
dcerpc_uuid_format(const struct dcerpc_uuid *u, char *buf, size_t size)
{
	const uint8_t	*b = u->b;

	snprintf(buf, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return (buf);
}

/* 2.4: time_low, time_mid, time_hi in drep order, then 8 bytes as is. */
void
dcerpc_uuid_read(const uint8_t *p, int le, struct dcerpc_uuid *u)
{
	wire_put32be(u->b, wire_get32(p, le));
	wire_put16be(u->b + 4, wire_get16(p + 4, le));
	wire_put16be(u->b + 6, wire_get16(p + 6, le));
	memcpy(u->b + 8, p + 8, 8);
}

void
dcerpc_uuid_write(uint8_t *p, const struct dcerpc_uuid *u)
{
	wire_put32le(p, wire_get32be(u->b));
	wire_put16le(p + 4, wire_get16be(u->b + 4));
	wire_put16le(p + 6, wire_get16be(u->b + 6));
	memcpy(p + 8, u->b + 8, 8);
}

int
dcerpc_uuid_eq(const struct dcerpc_uuid *a, const struct dcerpc_uuid *b)
{
	return (memcmp(a->b, b->b, sizeof(a->b)) == 0);
}

int
dcerpc_uuid_is_nil(const struct dcerpc_uuid *u)
{
	return (dcerpc_uuid_eq(u, &dcerpc_uuid_nil));
}

const char *
dcerpc_if_name(const struct dcerpc_uuid *u, uint16_t major)
{
	struct dcerpc_uuid	 t;
	const char		*any = NULL;
	size_t			 i;

	for (i = 0; i < sizeof(dcerpc_ifs) / sizeof(dcerpc_ifs[0]); i++) {
		if (dcerpc_uuid_parse(dcerpc_ifs[i].uuid, &t) == -1 ||
		    !dcerpc_uuid_eq(&t, u))
			continue;
		if (dcerpc_ifs[i].major == major)
			return (dcerpc_ifs[i].name);
		if (any == NULL)
			any = dcerpc_ifs[i].name;
	}
	return (any);
}

int
dcerpc_if_lookup(const char *name, struct dcerpc_syntax *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(dcerpc_ifs) / sizeof(dcerpc_ifs[0]); i++) {
		if (strcmp(dcerpc_ifs[i].name, name) != 0)
			continue;
		if (dcerpc_uuid_parse(dcerpc_ifs[i].uuid, &s->uuid) == -1)
			return (-1);
		s->major = dcerpc_ifs[i].major;
		s->minor = dcerpc_ifs[i].minor;
		return (0);
	}
	return (-1);
}

const char *
dcerpc_ptype_name(uint8_t ptype)
{
	static const char *const names[] = {
		"request", "ping", "response", "fault", "working", "nocall",
		"reject", "ack", "cl_cancel", "fack", "cancel_ack", "bind",
		"bind_ack", "bind_nak", "alter_context", "alter_context_resp",
		"auth3", "shutdown", "co_cancel", "orphaned", "rts"
	};

	if (ptype < sizeof(names) / sizeof(names[0]))
		return (names[ptype]);
	return ("unknown");
}

/* Names as Wireshark's packet-dcerpc.c reject_status_vals spells them. */
const char *
dcerpc_fault_name(uint32_t status)
{
	switch (status) {
	case 0x00000005:
		return ("nca_s_fault_access_denied");
	case 0x000006d8:
		return ("nca_s_fault_cant_perform");
	case 0x000006f7:
		return ("nca_s_fault_ndr");
	case 0x1c000008:
		return ("nca_rpc_version_mismatch");
	case 0x1c000009:
		return ("nca_unspec_reject");
	case 0x1c010002:
		return ("nca_s_op_rng_error");
	case 0x1c010003:
		return ("nca_s_unk_if");
	case 0x1c01000b:
		return ("nca_s_proto_error");
	case 0x1c010013:
		return ("nca_s_out_args_too_big");
	case 0x1c010014:
		return ("nca_s_server_too_busy");
	case 0x1c010017:
		return ("nca_s_unsupported_type");
	}
	return (NULL);
}

const char *
dcerpc_nak_reason_name(uint16_t reason)
{
	switch (reason) {
	case 0:
		return ("reason not specified");
	case 1:
		return ("temporary congestion");
	case 2:
		return ("local limit exceeded");
	case 3:
		return ("called paddr unknown");
	case 4:
		return ("protocol version not supported");
	case 5:
		return ("default context not supported");
	case 6:
		return ("user data not readable");
	case 7:
		return ("no psap available");
	case 8:
		return ("authentication type not recognized");
	case 9:
		return ("invalid checksum");
	}
	return ("unknown");
}

const char *
dcerpc_result_name(uint16_t result)
{
	switch (result) {
	case DCERPC_ACCEPT:
		return ("acceptance");
	case DCERPC_USER_REJECT:
		return ("user_rejection");
	case DCERPC_PROVIDER_REJECT:
		return ("provider_rejection");
	case DCERPC_NEGOTIATE_ACK:
		return ("negotiate_ack");
	}
	return ("unknown");
}

const char *
dcerpc_result_reason_name(uint16_t reason)
{
	switch (reason) {
	case 0:
		return ("reason_not_specified");
	case 1:
		return ("abstract_syntax_not_supported");
	case 2:
		return ("proposed_transfer_syntaxes_not_supported");
	case 3:
		return ("local_limit_exceeded");
	}
	return ("unknown");
}

static void
dcerpc_put_hdr(uint8_t *p, uint8_t ptype, uint8_t flags, size_t flen,
    uint32_t call_id)
{
	p[0] = 5;
	p[1] = 0;
	p[2] = ptype;
	p[3] = flags;
	p[4] = 0x10;
	p[5] = p[6] = p[7] = 0;
	wire_put16le(p + 8, (uint16_t)flen);
	wire_put16le(p + 10, 0);
	wire_put32le(p + 12, call_id);
}

ssize_t
dcerpc_build_bind(uint8_t *p, size_t size, uint8_t ptype, uint32_t call_id,
    const struct dcerpc_bind *b)
{
	const struct dcerpc_ctx	*c;
	size_t			 len = 28, off;
	unsigned int		 i, j;

	if ((ptype != DCERPC_BIND && ptype != DCERPC_ALTER) ||
	    b->n_ctx > DCERPC_MAX_CTX)
		return (-1);
	for (i = 0; i < b->n_ctx; i++) {
		if (b->ctx[i].n_xfer > DCERPC_MAX_XFER)
			return (-1);
		len += 24 + 20 * (size_t)b->ctx[i].n_xfer;
	}
	if (len > size || len > DCERPC_FRAG_MAX)
		return (-1);
	dcerpc_put_hdr(p, ptype, DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG,
	    len, call_id);
	wire_put16le(p + 16, b->max_xmit);
	wire_put16le(p + 18, b->max_recv);
	wire_put32le(p + 20, b->assoc_group);
	p[24] = b->n_ctx;
	p[25] = p[26] = p[27] = 0;
	off = 28;
	for (i = 0; i < b->n_ctx; i++) {
		c = &b->ctx[i];
		wire_put16le(p + off, c->p_cont_id);
		p[off + 2] = c->n_xfer;
		p[off + 3] = 0;
		dcerpc_syntax_write(p + off + 4, &c->abstract);
		off += 24;
		for (j = 0; j < c->n_xfer; j++) {
			dcerpc_syntax_write(p + off, &c->xfer[j]);
			off += 20;
		}
	}
	return ((ssize_t)len);
}

int
dcerpc_set_sec_addr(struct dcerpc_bind_ack *a, const char *s)
{
	size_t	 n = strlen(s);

	if (n > DCERPC_SEC_ADDR_MAX)
		return (-1);
	memcpy(a->sec_addr, s, n + 1);
	a->sec_addr_len = (uint16_t)(n + 1);
	return (0);
}

ssize_t
dcerpc_build_bind_ack(uint8_t *p, size_t size, uint8_t ptype,
    uint32_t call_id, const struct dcerpc_bind_ack *a)
{
	size_t		 slen = 0, pad, len, off;
	unsigned int	 i;

	if ((ptype != DCERPC_BIND_ACK && ptype != DCERPC_ALTER_RESP) ||
	    a->n_results > DCERPC_MAX_RESULTS)
		return (-1);
	/* sec_addr_len counts the NUL; 0 means no string (2.2). */
	if (a->sec_addr_len != 0)
		slen = wire_strnlen(a->sec_addr, DCERPC_SEC_ADDR_MAX) + 1;
	pad = wire_pad4(26 + slen);
	len = 26 + slen + pad + 4 + 24 * (size_t)a->n_results;
	if (len > size || len > DCERPC_FRAG_MAX)
		return (-1);
	dcerpc_put_hdr(p, ptype, DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG,
	    len, call_id);
	wire_put16le(p + 16, a->max_xmit);
	wire_put16le(p + 18, a->max_recv);
	wire_put32le(p + 20, a->assoc_group);
	wire_put16le(p + 24, (uint16_t)slen);
	if (slen > 0) {
		memcpy(p + 26, a->sec_addr, slen - 1);
		p[26 + slen - 1] = '\0';
	}
	off = 26 + slen;
	memset(p + off, 0, pad);
	off += pad;
	p[off] = a->n_results;
	p[off + 1] = p[off + 2] = p[off + 3] = 0;
	off += 4;
	for (i = 0; i < a->n_results; i++) {
		wire_put16le(p + off, a->results[i].result);
		wire_put16le(p + off + 2, a->results[i].reason);
		dcerpc_syntax_write(p + off + 4, &a->results[i].xfer);
		off += 24;
	}
	return ((ssize_t)len);
}

ssize_t
dcerpc_build_bind_nak(uint8_t *p, size_t size, uint32_t call_id,
    const struct dcerpc_bind_nak *n)
{
	size_t		 len;
	unsigned int	 i;

	if (n->n_versions > DCERPC_MAX_NAK_VERS)
		return (-1);
	len = 19 + 2 * (size_t)n->n_versions;
	if (len > size)
		return (-1);
	dcerpc_put_hdr(p, DCERPC_BIND_NAK,
	    DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG, len, call_id);
	wire_put16le(p + 16, n->reason);
	p[18] = n->n_versions;
	for (i = 0; i < n->n_versions; i++) {
		p[19 + 2 * i] = n->versions[i][0];
		p[20 + 2 * i] = n->versions[i][1];
	}
	return ((ssize_t)len);
}

ssize_t
dcerpc_build_request(uint8_t *p, size_t size, uint32_t call_id,
    uint8_t flags, uint32_t alloc_hint, uint16_t p_cont_id, uint16_t opnum,
    const struct dcerpc_uuid *object, const uint8_t *stub, size_t stub_len)
{
	size_t		 off = DCERPC_REQ_HDRLEN + (object != NULL ? 16 : 0);

	if (stub_len > DCERPC_FRAG_MAX - off || off + stub_len > size)
		return (-1);
	if (object != NULL)
		flags |= DCERPC_PFC_OBJECT_UUID;
	else
		flags &= ~DCERPC_PFC_OBJECT_UUID;
	dcerpc_put_hdr(p, DCERPC_REQUEST, flags, off + stub_len, call_id);
	wire_put32le(p + 16, alloc_hint);
	wire_put16le(p + 20, p_cont_id);
	wire_put16le(p + 22, opnum);
	if (object != NULL)
		dcerpc_uuid_write(p + 24, object);
	if (stub_len > 0)
		memcpy(p + off, stub, stub_len);
	return ((ssize_t)(off + stub_len));
}

ssize_t
dcerpc_build_response(uint8_t *p, size_t size, uint32_t call_id,
    uint8_t flags, uint32_t alloc_hint, uint16_t p_cont_id,
    const uint8_t *stub, size_t stub_len)
{
	size_t		 off = DCERPC_REQ_HDRLEN;

	if (stub_len > DCERPC_FRAG_MAX - off || off + stub_len > size)
		return (-1);
	dcerpc_put_hdr(p, DCERPC_RESPONSE, flags, off + stub_len, call_id);
	wire_put32le(p + 16, alloc_hint);
	wire_put16le(p + 20, p_cont_id);
	p[22] = 0;
	p[23] = 0;
	if (stub_len > 0)
		memcpy(p + off, stub, stub_len);
	return ((ssize_t)(off + stub_len));
}

ssize_t
dcerpc_build_fault(uint8_t *p, size_t size, uint32_t call_id,
    uint16_t p_cont_id, uint32_t status)
{
	if (size < DCERPC_FAULT_HDRLEN)
		return (-1);
	dcerpc_put_hdr(p, DCERPC_FAULT,
	    DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG, DCERPC_FAULT_HDRLEN,
	    call_id);
	wire_put32le(p + 16, 0);
	wire_put16le(p + 20, p_cont_id);
	p[22] = 0;
	p[23] = 0;
	wire_put32le(p + 24, status);
	wire_put32le(p + 28, 0);
	return (DCERPC_FAULT_HDRLEN);
}
