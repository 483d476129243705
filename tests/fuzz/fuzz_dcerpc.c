/*
 * libFuzzer target for src/proto/dcerpc.c. Input: two control bytes (cap,
 * chunking, reassembly caps), then a byte stream. The stream goes through
 * the framer whole and in PRNG-sized chunks; each PDU is parsed and fed to
 * the reassembler; every result is hashed and both runs must agree. The
 * raw bytes are also parsed as one PDU, rebuilt when a builder exists for
 * the type, and read as a UUID string.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dcerpc.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fz {
	uint64_t		 h;
	uint64_t		 fed;
	size_t			 cap;
	struct dcerpc_reasm	 ra;
	struct dcerpc_framer	*df;
	unsigned int		 nev;
	unsigned int		 stop_at;
};

static void
mix(struct fz *f, const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		f->h = (f->h ^ b[i]) * 1099511628211ULL;
}

#define MIXV(f, v) do { uint64_t _v = (uint64_t)(v); mix((f), &_v, 8); } while (0)

/* Hash what a parsed PDU says; check what must hold. */
static void
mix_pdu(struct fz *f, const struct dcerpc_pdu *pdu, size_t len)
{
	unsigned int	 i;

	MIXV(f, pdu->hdr.ptype);
	MIXV(f, pdu->hdr.pfc_flags);
	MIXV(f, pdu->hdr.call_id);
	MIXV(f, pdu->hdr.le);
	MIXV(f, pdu->stub_off);
	MIXV(f, pdu->stub_len);
	if (pdu->stub_len > 0 && (pdu->stub_off + pdu->stub_len > len))
		abort();
	if (pdu->has_auth && (pdu->auth.value_off + pdu->auth.value_len !=
	    pdu->hdr.frag_length || pdu->auth.trailer_off < DCERPC_HDRLEN))
		abort();
	switch (pdu->hdr.ptype) {
	case DCERPC_BIND:
	case DCERPC_ALTER:
		if (pdu->u.bind.n_ctx > DCERPC_MAX_CTX)
			abort();
		for (i = 0; i < pdu->u.bind.n_ctx; i++) {
			if (pdu->u.bind.ctx[i].n_xfer > DCERPC_MAX_XFER)
				abort();
			mix(f, &pdu->u.bind.ctx[i].abstract,
			    sizeof(pdu->u.bind.ctx[i].abstract));
			dcerpc_if_name(&pdu->u.bind.ctx[i].abstract.uuid,
			    pdu->u.bind.ctx[i].abstract.major);
		}
		break;
	case DCERPC_BIND_ACK:
	case DCERPC_ALTER_RESP:
		if (pdu->u.ack.n_results > DCERPC_MAX_RESULTS ||
		    strlen(pdu->u.ack.sec_addr) > DCERPC_SEC_ADDR_MAX)
			abort();
		mix(f, pdu->u.ack.sec_addr, strlen(pdu->u.ack.sec_addr));
		for (i = 0; i < pdu->u.ack.n_results; i++)
			MIXV(f, pdu->u.ack.results[i].result);
		break;
	case DCERPC_FAULT:
		MIXV(f, pdu->u.fault.status);
		dcerpc_fault_name(pdu->u.fault.status);
		break;
	case DCERPC_REQUEST:
		MIXV(f, pdu->u.req.opnum);
		break;
	}
}

static void
fz_pdu(void *arg, const uint8_t *p, size_t len, uint64_t off)
{
	struct fz		*f = arg;
	struct dcerpc_pdu	 pdu;
	struct dcerpc_call	 call;
	const char		*err = NULL;
	unsigned int		 frag;
	size_t			 foff;
	int			 rv;

	if (len < DCERPC_HDRLEN || len > f->cap || off + len > f->fed)
		abort();
	MIXV(f, 1);
	MIXV(f, off);
	mix(f, p, len);
	if (dcerpc_pdu_parse(p, len, &pdu, &err) == -1) {
		/* The framer checked the header: only body errors remain. */
		if (err == NULL || strncmp(err, "dcerpc_", 7) != 0 ||
		    strcmp(err, "dcerpc_version") == 0 ||
		    strcmp(err, "dcerpc_short") == 0 ||
		    strcmp(err, "dcerpc_frag_length") == 0)
			abort();
		mix(f, err, strlen(err));
		goto done;
	}
	if (pdu.hdr.frag_length != len)
		abort();
	mix_pdu(f, &pdu, len);
	if (pdu.hdr.ptype != DCERPC_REQUEST && pdu.hdr.ptype != DCERPC_RESPONSE)
		goto done;
	rv = dcerpc_reasm_add(&f->ra, &pdu, &call, &err);
	MIXV(f, rv);
	if (rv == -1)
		mix(f, err, strlen(err));
	else if (rv == 1) {
		if (call.stub_len > f->ra.dr_call_cap && call.nfrags > 1)
			abort();
		if (call.nfrags == 0 || call.frag_end[call.nfrags - 1] !=
		    call.stub_len)
			abort();
		mix(f, call.stub, call.stub_len);
		if (call.stub_len > 0) {
			/*
			 * The last byte lies in the last fragment that has
			 * stub bytes: a final fragment may carry none.
			 */
			if (dcerpc_call_locate(&call, call.stub_len - 1, &frag,
			    &foff) == -1 ||
			    call.frag_end[frag] != call.stub_len ||
			    (frag > 0 && call.frag_end[frag - 1] ==
			    call.stub_len) ||
			    foff != call.stub_len - 1 -
			    (frag > 0 ? call.frag_end[frag - 1] : 0))
				abort();
			if (dcerpc_call_locate(&call, 0, &frag, &foff) == -1)
				abort();
		}
		if (dcerpc_call_locate(&call, call.stub_len, &frag,
		    &foff) != -1)
			abort();
	}
	MIXV(f, dcerpc_reasm_open(&f->ra));
 done:
	if (++f->nev == f->stop_at)
		dcerpc_framer_stop(f->df);
}

static void
fz_err(void *arg, const char *rule, const char *detail, uint64_t off)
{
	struct fz	*f = arg;

	if (off > f->fed)
		abort();
	MIXV(f, 2);
	mix(f, rule, strlen(rule));
	mix(f, detail, strlen(detail));
	MIXV(f, off);
}

static const struct dcerpc_framer_callbacks fz_cb = { fz_pdu, fz_err };

static uint64_t
run(size_t cap, size_t call_cap, unsigned int max_calls, unsigned int stop,
    const uint8_t *buf, size_t len, uint32_t seed, size_t maxchunk,
    uint64_t *boundary, int *rv)
{
	struct dcerpc_framer	 df;
	struct fz		 f;
	size_t			 off, n;

	memset(&f, 0, sizeof(f));
	f.h = 14695981039346656037ULL;
	f.cap = cap;
	f.df = &df;
	f.stop_at = stop;
	dcerpc_reasm_init(&f.ra, call_cap, max_calls);
	if (dcerpc_framer_init(&df, cap, &fz_cb, &f) == -1)
		abort();
	*rv = 0;
	for (off = 0; off < len; off += n) {
		if (maxchunk == 0)
			n = len;
		else {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			n = 1 + seed % maxchunk;
		}
		if (n > len - off)
			n = len - off;
		f.fed += n;
		if (dcerpc_framer_feed(&df, buf + off, n) == -1)
			*rv = -1;
	}
	if (df.df_alloc > cap || dcerpc_framer_boundary(&df) > len)
		abort();
	*boundary = dcerpc_framer_boundary(&df);
	dcerpc_framer_free(&df);
	dcerpc_reasm_free(&f.ra);
	return (f.h);
}

/* Rebuild what has a builder and check the parse comes back the same. */
static void
rebuild(const struct dcerpc_pdu *pdu)
{
	static uint8_t		 buf[DCERPC_FRAG_MAX];
	struct dcerpc_pdu	 b;
	const char		*err;
	ssize_t			 n = -1;
	unsigned int		 i;

	switch (pdu->hdr.ptype) {
	case DCERPC_BIND:
	case DCERPC_ALTER:
		if (pdu->u.bind.n_ctx != pdu->u.bind.n_ctx_wire)
			return;
		for (i = 0; i < pdu->u.bind.n_ctx; i++)
			if (pdu->u.bind.ctx[i].n_xfer !=
			    pdu->u.bind.ctx[i].n_xfer_wire)
				return;
		n = dcerpc_build_bind(buf, sizeof(buf), pdu->hdr.ptype,
		    pdu->hdr.call_id, &pdu->u.bind);
		break;
	case DCERPC_REQUEST:
		n = dcerpc_build_request(buf, sizeof(buf), pdu->hdr.call_id,
		    pdu->hdr.pfc_flags, pdu->u.req.alloc_hint,
		    pdu->u.req.p_cont_id, pdu->u.req.opnum,
		    pdu->u.req.has_object ? &pdu->u.req.object : NULL,
		    pdu->stub, pdu->stub_len);
		break;
	case DCERPC_RESPONSE:
		n = dcerpc_build_response(buf, sizeof(buf), pdu->hdr.call_id,
		    pdu->hdr.pfc_flags, pdu->u.resp.alloc_hint,
		    pdu->u.resp.p_cont_id, pdu->stub, pdu->stub_len);
		break;
	case DCERPC_FAULT:
		n = dcerpc_build_fault(buf, sizeof(buf), pdu->hdr.call_id,
		    pdu->u.fault.p_cont_id, pdu->u.fault.status);
		break;
	default:
		return;
	}
	if (n == -1)
		abort();
	if (dcerpc_pdu_parse(buf, (size_t)n, &b, &err) == -1)
		abort();
	if (b.hdr.ptype != pdu->hdr.ptype || b.hdr.call_id != pdu->hdr.call_id)
		abort();
	switch (pdu->hdr.ptype) {
	case DCERPC_BIND:
	case DCERPC_ALTER:
		if (memcmp(&b.u.bind, &pdu->u.bind, sizeof(b.u.bind)) != 0)
			abort();
		break;
	case DCERPC_REQUEST:
		if (b.u.req.opnum != pdu->u.req.opnum ||
		    b.u.req.has_object != pdu->u.req.has_object ||
		    b.stub_len != pdu->stub_len ||
		    memcmp(b.stub, pdu->stub, pdu->stub_len) != 0)
			abort();
		break;
	case DCERPC_RESPONSE:
		if (b.stub_len != pdu->stub_len ||
		    memcmp(b.stub, pdu->stub, pdu->stub_len) != 0)
			abort();
		break;
	case DCERPC_FAULT:
		if (b.u.fault.status != pdu->u.fault.status)
			abort();
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 caps[] = { DCERPC_FRAG_MAX, 4280, 100, 16 };
	static const size_t	 maxchunks[] = { 1, 2, 3, 10, 17, 100, 5000,
	    70000 };
	static const size_t	 callcaps[] = { 0, 1, 64, 200 };
	struct dcerpc_pdu	 pdu;
	struct dcerpc_uuid	 u, v;
	struct dcerpc_syntax	 s;
	uint8_t			 w[16];
	char			 str[DCERPC_UUID_STRLEN + 1], out[DCERPC_UUID_STRLEN];
	uint64_t		 h0, h1, b0, b1;
	const char		*err;
	size_t			 cap, ccap;
	unsigned int		 ncalls, stop;
	uint8_t			 c0, c1;
	int			 rv0, rv1;

	if (size < 2)
		return (0);
	c0 = data[0];
	c1 = data[1];
	data += 2;
	size -= 2;
	cap = caps[c0 & 3];
	ccap = callcaps[(c0 >> 2) & 3];
	ncalls = 1 + ((c1 >> 4) & 3);
	stop = c1 >> 7 ? 2 : 0;

	h0 = run(cap, ccap, ncalls, stop, data, size, 0, 0, &b0, &rv0);
	h1 = run(cap, ccap, ncalls, stop, data, size, 0x9e3779b9u ^ c1,
	    maxchunks[(c0 >> 4) & 7], &b1, &rv1);
	if (h0 != h1 || b0 != b1 || rv0 != rv1)
		abort();

	err = NULL;
	if (dcerpc_pdu_parse(data, size, &pdu, &err) == 0) {
		if (pdu.hdr.frag_length > size)
			abort();
		rebuild(&pdu);
	} else if (err == NULL)
		abort();

	/* UUID text round trip and NDR round trip in both byte orders. */
	if (size >= 36) {
		memcpy(str, data, 36);
		str[36] = '\0';
		if (dcerpc_uuid_parse(str, &u) == 0) {
			dcerpc_uuid_format(&u, out, sizeof(out));
			if (strcasecmp(out, str) != 0)
				abort();
			dcerpc_uuid_write(w, &u);
			dcerpc_uuid_read(w, 1, &v);
			if (!dcerpc_uuid_eq(&u, &v))
				abort();
			dcerpc_uuid_read(u.b, 0, &v);
			if (!dcerpc_uuid_eq(&u, &v))
				abort();
			dcerpc_if_name(&u, 0);
		}
	}
	if (size >= 16) {
		memcpy(u.b, data, 16);
		dcerpc_if_name(&u, data[0]);
	}
	if (size > 0 && size < 32) {
		memcpy(str, data, size);
		str[size] = '\0';
		dcerpc_if_lookup(str, &s);
	}
	return (0);
}
