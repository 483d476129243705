/*
 * Unit tests of src/proto/dcerpc.c: the PROTOCOLS.md 2.6 examples through
 * the parser and the framer (whole, byte by byte, several per chunk), a
 * big-endian header, lying lengths, auth trailers, fragment reassembly and
 * its caps, UUIDs and names, builders, and a tshark check of their output.
 */

#include <sys/types.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_wire.h"
#include "dcerpc.h"
#include "epm.h"
#include "check_main.h"

/* 2.6 (a)-(e), as printed there. */
static const char *ex_bind_hex =
    "05 00 0b 03 10 00 00 00 48 00 00 00 01 00 00 00"
    "b8 10 b8 10 00 00 00 00 01 00 00 00 00 00 01 00"
    "08 83 af e1 1f 5d c9 11 91 a4 08 00 2b 14 a0 fa"
    "03 00 00 00 04 5d 88 8a eb 1c c9 11 9f e8 08 00"
    "2b 10 48 60 02 00 00 00";
static const char *ex_ack_hex =
    "05 00 0c 03 10 00 00 00 3c 00 00 00 01 00 00 00"
    "b8 10 b8 10 53 f0 00 00 04 00 31 33 35 00 00 00"
    "01 00 00 00 00 00 00 00 04 5d 88 8a eb 1c c9 11"
    "9f e8 08 00 2b 10 48 60 02 00 00 00";
static const char *ex_fault_hex =
    "05 00 03 03 10 00 00 00 20 00 00 00 03 00 00 00"
    "00 00 00 00 00 00 00 00 03 00 01 1c 00 00 00 00";

/* The fault of (e) with a big-endian drep. */
static const char *be_fault_hex =
    "05 00 03 03 00 00 00 00 00 20 00 00 00 00 00 03"
    "00 00 00 00 00 00 00 00 1c 01 00 03 00 00 00 00";
/* The bind of (a) with a big-endian drep: every integer and UUID field BE. */
static const char *be_bind_hex =
    "05 00 0b 03 00 00 00 00 00 48 00 00 00 00 00 01"
    "10 b8 10 b8 00 00 00 00 01 00 00 00 00 00 01 00"
    "e1 af 83 08 5d 1f 11 c9 91 a4 08 00 2b 14 a0 fa"
    "00 00 00 03 8a 88 5d 04 1c eb 11 c9 9f e8 08 00"
    "2b 10 48 60 00 00 00 02";

/* Parse a hex string with optional spaces; returns the byte count. */

struct rec {
	char		 log[8192];
	int		 npdu;
	int		 nerr;
	char		 rule[64];
	uint64_t	 err_off;
	size_t		 len[32];
	uint64_t	 off[32];
};

static void
rec_pdu(void *arg, const uint8_t *p, size_t len, uint64_t off)
{
	struct rec	*r = arg;
	size_t		 n = strlen(r->log), i;
	uint32_t	 h = 2166136261u;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	snprintf(r->log + n, sizeof(r->log) - n, "pdu off=%llu len=%zu "
	    "hash=%08x\n", (unsigned long long)off, len, h);
	if (r->npdu < 32) {
		r->len[r->npdu] = len;
		r->off[r->npdu] = off;
	}
	r->npdu++;
}

static void
rec_err(void *arg, const char *rule, const char *detail, uint64_t off)
{
	struct rec	*r = arg;
	size_t		 n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "error %s off=%llu %s\n",
	    rule, (unsigned long long)off, detail);
	snprintf(r->rule, sizeof(r->rule), "%s", rule);
	r->err_off = off;
	r->nerr++;
}

static const struct dcerpc_framer_callbacks rec_cb = { rec_pdu, rec_err };

static int
frame(struct rec *r, size_t cap, const uint8_t *buf, size_t len,
    size_t chunk)
{
	struct dcerpc_framer	 df;
	size_t			 off, n;
	int			 rv = 0;

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(dcerpc_framer_init(&df, cap, &rec_cb, r), 0);
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (dcerpc_framer_feed(&df, buf + off, n) == -1)
			rv = -1;
	}
	dcerpc_framer_free(&df);
	return (rv);
}

/* Frame buf whole and in several chunkings: the logs must agree. */
static int
frame_all_ways(struct rec *out, size_t cap, const uint8_t *buf, size_t len)
{
	static const size_t	 chunks[] = { 1, 2, 3, 10, 16, 17, 100 };
	struct rec		*r = calloc(1, sizeof(*r));
	size_t			 i;
	int			 rv0;

	rv0 = frame(out, cap, buf, len, 0);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		ck_assert_int_eq(frame(r, cap, buf, len, chunks[i]), rv0);
		ck_assert_str_eq(r->log, out->log);
	}
	free(r);
	return (rv0);
}

START_TEST(test_example_bind)
{
	uint8_t			 b[256];
	size_t			 n = check_hex(ex_bind_hex, b, sizeof(b));
	struct dcerpc_pdu	 pdu;
	struct rec		*r = calloc(1, sizeof(*r));
	const char		*err = NULL;
	char			 u[DCERPC_UUID_STRLEN];
	const struct dcerpc_ctx	*c;

	ck_assert_uint_eq(n, 72);
	ck_assert_int_eq(frame_all_ways(r, DCERPC_FRAG_MAX, b, n), 0);
	ck_assert_int_eq(r->npdu, 1);
	ck_assert_uint_eq(r->len[0], 72);
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.hdr.rpc_vers, 5);
	ck_assert_uint_eq(pdu.hdr.ptype, DCERPC_BIND);
	ck_assert_uint_eq(pdu.hdr.pfc_flags, 0x03);
	ck_assert_int_eq(pdu.hdr.le, 1);
	ck_assert_uint_eq(pdu.hdr.frag_length, 72);
	ck_assert_uint_eq(pdu.hdr.auth_length, 0);
	ck_assert_uint_eq(pdu.hdr.call_id, 1);
	ck_assert_uint_eq(pdu.u.bind.max_xmit, 4280);
	ck_assert_uint_eq(pdu.u.bind.max_recv, 4280);
	ck_assert_uint_eq(pdu.u.bind.assoc_group, 0);
	ck_assert_uint_eq(pdu.u.bind.n_ctx, 1);
	c = &pdu.u.bind.ctx[0];
	ck_assert_uint_eq(c->p_cont_id, 0);
	ck_assert_uint_eq(c->n_xfer, 1);
	ck_assert_str_eq(dcerpc_uuid_format(&c->abstract.uuid, u, sizeof(u)),
	    "e1af8308-5d1f-11c9-91a4-08002b14a0fa");
	ck_assert(dcerpc_uuid_eq(&c->abstract.uuid, &dcerpc_uuid_epm));
	ck_assert_uint_eq(c->abstract.major, 3);
	ck_assert_uint_eq(c->abstract.minor, 0);
	ck_assert_str_eq(dcerpc_if_name(&c->abstract.uuid, c->abstract.major),
	    "epm");
	ck_assert(dcerpc_uuid_eq(&c->xfer[0].uuid, &dcerpc_uuid_ndr));
	ck_assert_uint_eq(c->xfer[0].major, 2);
	ck_assert_str_eq(dcerpc_if_name(&c->xfer[0].uuid, 2), "ndr");
	free(r);
}
END_TEST

START_TEST(test_example_bind_ack)
{
	uint8_t			 b[256];
	size_t			 n = check_hex(ex_ack_hex, b, sizeof(b));
	struct dcerpc_pdu	 pdu;
	struct rec		*r = calloc(1, sizeof(*r));
	const char		*err = NULL;

	ck_assert_uint_eq(n, 60);
	ck_assert_int_eq(frame_all_ways(r, DCERPC_FRAG_MAX, b, n), 0);
	ck_assert_int_eq(r->npdu, 1);
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.hdr.ptype, DCERPC_BIND_ACK);
	ck_assert_uint_eq(pdu.u.ack.max_xmit, 4280);
	ck_assert_uint_eq(pdu.u.ack.assoc_group, 0xf053);
	ck_assert_uint_eq(pdu.u.ack.sec_addr_len, 4);
	ck_assert_str_eq(pdu.u.ack.sec_addr, "135");
	ck_assert_uint_eq(pdu.u.ack.n_results, 1);
	ck_assert_uint_eq(pdu.u.ack.results[0].result, DCERPC_ACCEPT);
	ck_assert_uint_eq(pdu.u.ack.results[0].reason, 0);
	ck_assert(dcerpc_uuid_eq(&pdu.u.ack.results[0].xfer.uuid,
	    &dcerpc_uuid_ndr));
	ck_assert_uint_eq(pdu.u.ack.results[0].xfer.major, 2);
	ck_assert_str_eq(dcerpc_result_name(0), "acceptance");
	free(r);
}
END_TEST

START_TEST(test_example_request_response_fault)
{
	uint8_t			 b[256];
	size_t			 n;
	struct dcerpc_pdu	 pdu;
	const char		*err = NULL;

	n = check_hex(ex_req_hex, b, sizeof(b));
	ck_assert_uint_eq(n, 156);
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.hdr.ptype, DCERPC_REQUEST);
	ck_assert_uint_eq(pdu.hdr.call_id, 2);
	ck_assert_uint_eq(pdu.u.req.alloc_hint, 132);
	ck_assert_uint_eq(pdu.u.req.p_cont_id, 0);
	ck_assert_uint_eq(pdu.u.req.opnum, 3);
	ck_assert_int_eq(pdu.u.req.has_object, 0);
	ck_assert_uint_eq(pdu.stub_off, 24);
	ck_assert_uint_eq(pdu.stub_len, 132);
	ck_assert_ptr_eq(pdu.stub, b + 24);

	n = check_hex(ex_resp_hex, b, sizeof(b));
	ck_assert_uint_eq(n, 152);
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.hdr.ptype, DCERPC_RESPONSE);
	ck_assert_uint_eq(pdu.hdr.call_id, 2);
	ck_assert_uint_eq(pdu.u.resp.alloc_hint, 128);
	ck_assert_uint_eq(pdu.stub_len, 128);

	n = check_hex(ex_fault_hex, b, sizeof(b));
	ck_assert_uint_eq(n, 32);
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.hdr.ptype, DCERPC_FAULT);
	ck_assert_uint_eq(pdu.hdr.call_id, 3);
	ck_assert_uint_eq(pdu.u.fault.status, 0x1c010003);
	ck_assert_str_eq(dcerpc_fault_name(pdu.u.fault.status), "nca_s_unk_if");
	ck_assert_uint_eq(pdu.stub_len, 0);
}
END_TEST

/* All five examples back to back in one chunk. */
START_TEST(test_framer_several)
{
	uint8_t		 b[1024];
	size_t		 n = 0, i;
	struct rec	*r = calloc(1, sizeof(*r));
	static const size_t lens[] = { 72, 60, 156, 152, 32 };
	uint64_t	 off = 0;

	n += check_hex(ex_bind_hex, b + n, sizeof(b) - n);
	n += check_hex(ex_ack_hex, b + n, sizeof(b) - n);
	n += check_hex(ex_req_hex, b + n, sizeof(b) - n);
	n += check_hex(ex_resp_hex, b + n, sizeof(b) - n);
	n += check_hex(ex_fault_hex, b + n, sizeof(b) - n);
	ck_assert_int_eq(frame_all_ways(r, DCERPC_FRAG_MAX, b, n), 0);
	ck_assert_int_eq(r->npdu, 5);
	ck_assert_int_eq(r->nerr, 0);
	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(r->len[i], lens[i]);
		ck_assert_uint_eq(r->off[i], off);
		off += lens[i];
	}
	free(r);
}
END_TEST

/* A partial PDU is held until complete; the boundary says what is whole. */
START_TEST(test_framer_partial)
{
	uint8_t			 b[512];
	size_t			 n;
	struct dcerpc_framer	 df;
	struct rec		*r = calloc(1, sizeof(*r));

	n = check_hex(ex_bind_hex, b, sizeof(b));
	n += check_hex(ex_ack_hex, b + n, sizeof(b) - n);
	dcerpc_framer_init(&df, 4280, &rec_cb, r);
	ck_assert_int_eq(dcerpc_framer_feed(&df, b, 80), 0);
	ck_assert_int_eq(r->npdu, 1);
	ck_assert_uint_eq(dcerpc_framer_boundary(&df), 72);
	ck_assert_int_eq(dcerpc_framer_feed(&df, b + 80, n - 80 - 1), 0);
	ck_assert_int_eq(r->npdu, 1);
	ck_assert_int_eq(dcerpc_framer_feed(&df, b + n - 1, 1), 0);
	ck_assert_int_eq(r->npdu, 2);
	ck_assert_uint_eq(dcerpc_framer_boundary(&df), 132);
	/* The buffer never grew past the PDU size. */
	ck_assert_uint_le(df.df_alloc, 256);
	dcerpc_framer_free(&df);
	free(r);
}
END_TEST

START_TEST(test_big_endian)
{
	uint8_t			 b[256], le[256];
	size_t			 n;
	struct dcerpc_pdu	 pdu, lpdu;
	struct rec		*r = calloc(1, sizeof(*r));
	const char		*err = NULL;

	n = check_hex(be_fault_hex, b, sizeof(b));
	/* frag_length 00 20 read big-endian is 32, not 8192. */
	ck_assert_int_eq(frame_all_ways(r, 1024, b, n), 0);
	ck_assert_int_eq(r->npdu, 1);
	ck_assert_uint_eq(r->len[0], 32);
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_int_eq(pdu.hdr.le, 0);
	ck_assert_uint_eq(pdu.hdr.frag_length, 32);
	ck_assert_uint_eq(pdu.hdr.call_id, 3);
	ck_assert_uint_eq(pdu.u.fault.status, DCERPC_NCA_S_UNK_IF);

	n = check_hex(be_bind_hex, b, sizeof(b));
	ck_assert_uint_eq(n, 72);
	ck_assert_int_eq(frame_all_ways(r, 1024, b, n), 0);
	ck_assert_int_eq(r->npdu, 1);
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	check_hex(ex_bind_hex, le, sizeof(le));
	ck_assert_int_eq(dcerpc_pdu_parse(le, 72, &lpdu, &err), 0);
	/* Same decode as the little-endian original. */
	ck_assert_uint_eq(pdu.hdr.call_id, 1);
	ck_assert_uint_eq(pdu.u.bind.max_xmit, 4280);
	ck_assert_mem_eq(&pdu.u.bind.ctx[0], &lpdu.u.bind.ctx[0],
	    sizeof(pdu.u.bind.ctx[0]));
	free(r);
}
END_TEST

/* Header lies: each is fatal for the framer with its rule, no PDU after. */
START_TEST(test_framer_errors)
{
	uint8_t		 good[256], b[512];
	size_t		 n, gl;
	struct rec	*r = calloc(1, sizeof(*r));
	struct dcerpc_framer df;

	gl = check_hex(ex_bind_hex, good, sizeof(good));

#define BAD(off, val, cap, want) do {					\
	memcpy(b, good, gl);						\
	memcpy(b + gl, good, gl);					\
	b[gl + (off)] = (val);						\
	ck_assert_int_eq(frame_all_ways(r, (cap), b, 2 * gl), -1);	\
	ck_assert_int_eq(r->npdu, 1);					\
	ck_assert_int_eq(r->nerr, 1);					\
	ck_assert_str_eq(r->rule, (want));				\
	ck_assert_uint_eq(r->err_off, gl);				\
} while (0)

	BAD(0, 4, DCERPC_FRAG_MAX, "dcerpc_version");
	BAD(0, 6, DCERPC_FRAG_MAX, "dcerpc_version");
	BAD(2, 1, DCERPC_FRAG_MAX, "dcerpc_ptype");	/* CL ping */
	BAD(2, 7, DCERPC_FRAG_MAX, "dcerpc_ptype");	/* CL ack */
	BAD(2, 99, DCERPC_FRAG_MAX, "dcerpc_ptype");
	BAD(4, 0x20, DCERPC_FRAG_MAX, "dcerpc_drep");
	BAD(8, 15, DCERPC_FRAG_MAX, "dcerpc_frag_length");
	BAD(8, 0, DCERPC_FRAG_MAX, "dcerpc_frag_length");
	/* 0x0148 = 328 over a cap of 100 (the first PDU, 72, fits). */
	BAD(9, 1, 100, "dcerpc_frag_length");
	/* auth_length 49 + 8 > 72 - 16. */
	BAD(10, 49, DCERPC_FRAG_MAX, "dcerpc_auth_length");
#undef BAD

	/* Maximum size 65535 is accepted with the default cap. */
	memset(b, 0, sizeof(b));
	memcpy(b, good, 16);
	b[8] = 0xff;
	b[9] = 0xff;
	memset(r, 0, sizeof(*r));
	dcerpc_framer_init(&df, DCERPC_FRAG_MAX, &rec_cb, r);
	ck_assert_int_eq(dcerpc_framer_feed(&df, b, 16), 0);
	ck_assert_int_eq(r->nerr, 0);
	/* Dead after an error: nothing more is taken. */
	b[0] = 9;
	dcerpc_framer_free(&df);
	dcerpc_framer_init(&df, DCERPC_FRAG_MAX, &rec_cb, r);
	ck_assert_int_eq(dcerpc_framer_feed(&df, b, 16), -1);
	ck_assert_int_eq(dcerpc_framer_feed(&df, good, gl), -1);
	ck_assert_int_eq(r->npdu, 0);
	dcerpc_framer_free(&df);
	ck_assert_int_eq(dcerpc_framer_init(&df, 15, &rec_cb, r), -1);
	ck_assert_int_eq(dcerpc_framer_init(&df, 65536, &rec_cb, r), -1);
	n = 0;
	(void)n;
	free(r);
}
END_TEST

/* Body lies caught by the PDU parser. */
START_TEST(test_parse_errors)
{
	uint8_t			 b[256];
	size_t			 n;
	struct dcerpc_pdu	 pdu;
	const char		*err = NULL;

	n = check_hex(ex_bind_hex, b, sizeof(b));
	ck_assert_int_eq(dcerpc_pdu_parse(b, n - 1, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_short");
	ck_assert_int_eq(dcerpc_pdu_parse(b, 10, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_short");
	b[24] = 2;		/* two contexts, room for one */
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_ctx");
	b[24] = 1;
	b[30] = 2;		/* two transfer syntaxes, room for one */
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_ctx");
	b[30] = 255;
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_ctx");
	b[30] = 1;
	b[8] = 20;		/* bind of 20 bytes */
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_body");

	n = check_hex(ex_ack_hex, b, sizeof(b));
	b[24] = 200;		/* secondary address past the end */
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_sec_addr");
	b[24] = 4;
	b[32] = 2;		/* two results, room for one */
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_results");
	b[32] = 1;
	b[24] = 31;		/* string runs into the results */
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_results");

	n = check_hex(ex_req_hex, b, sizeof(b));
	b[8] = 20;		/* request shorter than its header */
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_body");
	b[8] = 0x9c;
	b[3] |= DCERPC_PFC_OBJECT_UUID;
	ck_assert_int_eq(dcerpc_pdu_parse(b, 156, &pdu, &err), 0);
	ck_assert_int_eq(pdu.u.req.has_object, 1);
	ck_assert_uint_eq(pdu.stub_len, 132 - 16);
	b[8] = 30;
	ck_assert_int_eq(dcerpc_pdu_parse(b, 156, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_body");

	n = check_hex(ex_fault_hex, b, sizeof(b));
	b[8] = 28;
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_body");
}
END_TEST

/* Request with an NTLM-style auth trailer: stub, pad, trailer, value. */
START_TEST(test_auth_trailer)
{
	uint8_t			 b[128], stub[5] = { 1, 2, 3, 4, 5 };
	struct dcerpc_pdu	 pdu;
	const char		*err = NULL;
	ssize_t			 n;

	n = dcerpc_build_request(b, sizeof(b), 7, 3, 5, 0, 3, NULL, stub, 5);
	ck_assert_int_eq(n, 29);
	memset(b + 29, 0, 3);			/* auth pad */
	b[32] = 10;				/* NTLMSSP */
	b[33] = 2;				/* connect */
	b[34] = 3;				/* pad length */
	b[35] = 0;
	b[36] = 0x78;				/* context id */
	b[37] = b[38] = b[39] = 0;
	memset(b + 40, 0xaa, 16);		/* auth_value */
	b[8] = 56;
	b[10] = 16;
	ck_assert_int_eq(dcerpc_pdu_parse(b, 56, &pdu, &err), 0);
	ck_assert_int_eq(pdu.has_auth, 1);
	ck_assert_uint_eq(pdu.auth.type, 10);
	ck_assert_uint_eq(pdu.auth.level, 2);
	ck_assert_uint_eq(pdu.auth.pad_length, 3);
	ck_assert_uint_eq(pdu.auth.context_id, 0x78);
	ck_assert_uint_eq(pdu.auth.trailer_off, 32);
	ck_assert_uint_eq(pdu.auth.value_off, 40);
	ck_assert_uint_eq(pdu.auth.value_len, 16);
	ck_assert_uint_eq(pdu.stub_len, 5);
	ck_assert_mem_eq(pdu.stub, stub, 5);
	/* A pad that reaches into the request header. */
	b[34] = 9;
	ck_assert_int_eq(dcerpc_pdu_parse(b, 56, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_auth_pad");
	/* auth_length that leaves no room for the trailer. */
	b[34] = 3;
	b[10] = 33;
	ck_assert_int_eq(dcerpc_pdu_parse(b, 56, &pdu, &err), -1);
	ck_assert_str_eq(err, "dcerpc_auth_length");
}
END_TEST

/*
 * A last fragment may carry no stub bytes: the call ends where the one
 * before it ended, and every byte lies in a fragment that holds it.
 */
START_TEST(test_reassembly_empty_last)
{
	uint8_t			 stub[132], f[3][128];
	ssize_t			 l[3];
	struct dcerpc_pdu	 pdu;
	struct dcerpc_reasm	 ra;
	struct dcerpc_call	 call;
	const char		*err = NULL;
	unsigned int		 frag, i;
	size_t			 foff;

	for (i = 0; i < sizeof(stub); i++)
		stub[i] = (uint8_t)i;
	l[0] = dcerpc_build_request(f[0], sizeof(f[0]), 7,
	    DCERPC_PFC_FIRST_FRAG, 132, 0, 3, NULL, stub, 64);
	l[1] = dcerpc_build_request(f[1], sizeof(f[1]), 7, 0, 68, 0, 3, NULL,
	    stub + 64, 68);
	l[2] = dcerpc_build_request(f[2], sizeof(f[2]), 7,
	    DCERPC_PFC_LAST_FRAG, 0, 0, 3, NULL, stub, 0);
	ck_assert_int_eq(l[2], 24);
	dcerpc_reasm_init(&ra, 0, 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(dcerpc_pdu_parse(f[i], (size_t)l[i], &pdu,
		    &err), 0);
		ck_assert_int_eq(dcerpc_reasm_add(&ra, &pdu, &call, &err),
		    i == 2 ? 1 : 0);
	}
	ck_assert_uint_eq(call.stub_len, 132);
	ck_assert_mem_eq(call.stub, stub, 132);
	ck_assert_uint_eq(call.nfrags, 3);
	ck_assert_uint_eq(call.frag_end[1], 132);
	ck_assert_uint_eq(call.frag_end[2], 132);
	ck_assert_int_eq(dcerpc_call_locate(&call, 131, &frag, &foff), 0);
	ck_assert_uint_eq(frag, 1);
	ck_assert_uint_eq(foff, 67);
	ck_assert_int_eq(dcerpc_call_locate(&call, 132, &frag, &foff), -1);
	dcerpc_reasm_free(&ra);
}
END_TEST

/* The 132-byte ept_map stub split 64 + 68, as 2.3 says tshark verified. */
START_TEST(test_reassembly)
{
	uint8_t			 req[256], f1[128], f2[128], stream[256];
	size_t			 n, off;
	ssize_t			 l1, l2;
	struct dcerpc_pdu	 pdu;
	struct dcerpc_reasm	 ra;
	struct dcerpc_call	 call;
	struct epm_map_req	 mr;
	const char		*err = NULL;
	unsigned int		 frag;
	size_t			 foff;
	struct rec		*r = calloc(1, sizeof(*r));

	n = check_hex(ex_req_hex, req, sizeof(req));
	ck_assert_uint_eq(n, 156);
	l1 = dcerpc_build_request(f1, sizeof(f1), 2, DCERPC_PFC_FIRST_FRAG,
	    132, 0, 3, NULL, req + 24, 64);
	l2 = dcerpc_build_request(f2, sizeof(f2), 2, DCERPC_PFC_LAST_FRAG, 68,
	    0, 3, NULL, req + 24 + 64, 68);
	ck_assert_int_eq(l1, 88);
	ck_assert_int_eq(l2, 92);
	memcpy(stream, f1, (size_t)l1);
	memcpy(stream + l1, f2, (size_t)l2);
	ck_assert_int_eq(frame_all_ways(r, 4280, stream, (size_t)(l1 + l2)),
	    0);
	ck_assert_int_eq(r->npdu, 2);

	dcerpc_reasm_init(&ra, 0, 0);
	ck_assert_int_eq(dcerpc_pdu_parse(f1, (size_t)l1, &pdu, &err), 0);
	ck_assert_int_eq(dcerpc_reasm_add(&ra, &pdu, &call, &err), 0);
	ck_assert_uint_eq(dcerpc_reasm_open(&ra), 1);
	ck_assert_int_eq(dcerpc_pdu_parse(f2, (size_t)l2, &pdu, &err), 0);
	ck_assert_int_eq(dcerpc_reasm_add(&ra, &pdu, &call, &err), 1);
	ck_assert_uint_eq(call.call_id, 2);
	ck_assert_uint_eq(call.opnum, 3);
	ck_assert_uint_eq(call.stub_len, 132);
	ck_assert_mem_eq(call.stub, req + 24, 132);
	ck_assert_uint_eq(call.nfrags, 2);
	ck_assert_uint_eq(call.frag_end[0], 64);
	ck_assert_uint_eq(call.frag_end[1], 132);
	ck_assert_int_eq(dcerpc_call_locate(&call, 63, &frag, &foff), 0);
	ck_assert_uint_eq(frag, 0);
	ck_assert_uint_eq(foff, 63);
	ck_assert_int_eq(dcerpc_call_locate(&call, 100, &frag, &foff), 0);
	ck_assert_uint_eq(frag, 1);
	ck_assert_uint_eq(foff, 36);
	ck_assert_int_eq(dcerpc_call_locate(&call, 132, &frag, &foff), -1);
	/* The reassembled stub is the ept_map request for the MTA. */
	ck_assert_int_eq(epm_map_req_parse(call.stub, call.stub_len, 1, &mr,
	    &err), 0);
	ck_assert(dcerpc_uuid_eq(&mr.tower.iface.uuid,
	    &dcerpc_uuid_exchange_mta));
	ck_assert_str_eq(dcerpc_if_name(&mr.tower.iface.uuid,
	    mr.tower.iface.major), "exchange_mta");
	ck_assert_uint_eq(mr.max_towers, 4);
	ck_assert_uint_eq(dcerpc_reasm_open(&ra), 0);

	/* Unfragmented: the stub is handed over without a copy. */
	ck_assert_int_eq(dcerpc_pdu_parse(req, n, &pdu, &err), 0);
	ck_assert_int_eq(dcerpc_reasm_add(&ra, &pdu, &call, &err), 1);
	ck_assert_ptr_eq(call.stub, req + 24);
	ck_assert_uint_eq(call.nfrags, 1);
	ck_assert_uint_eq(call.frag_end[0], 132);

	/* Two calls interleaved. */
	for (off = 0; off < 2; off++) {
		l1 = dcerpc_build_request(f1, sizeof(f1), 10 + (uint32_t)off,
		    DCERPC_PFC_FIRST_FRAG, 0, 0, 3, NULL, req + 24, 64);
		dcerpc_pdu_parse(f1, (size_t)l1, &pdu, &err);
		ck_assert_int_eq(dcerpc_reasm_add(&ra, &pdu, &call, &err), 0);
	}
	ck_assert_uint_eq(dcerpc_reasm_open(&ra), 2);
	for (off = 2; off > 0; off--) {
		l2 = dcerpc_build_request(f2, sizeof(f2), 10 + (uint32_t)off -
		    1, DCERPC_PFC_LAST_FRAG, 0, 0, 3, NULL, req + 24 + 64, 68);
		dcerpc_pdu_parse(f2, (size_t)l2, &pdu, &err);
		ck_assert_int_eq(dcerpc_reasm_add(&ra, &pdu, &call, &err), 1);
		ck_assert_uint_eq(call.call_id, 10 + off - 1);
		ck_assert_mem_eq(call.stub, req + 24, 132);
	}
	dcerpc_reasm_free(&ra);
	free(r);
}
END_TEST

/* Add one fragment built on the spot. */
static int
add_frag(struct dcerpc_reasm *ra, uint32_t id, uint8_t flags, size_t len,
    const char **err)
{
	static uint8_t		 stub[4096], b[4096 + 24];
	struct dcerpc_pdu	 pdu;
	struct dcerpc_call	 call;
	ssize_t			 n;

	n = dcerpc_build_response(b, sizeof(b), id, flags, 0, 0, stub, len);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(dcerpc_pdu_parse(b, (size_t)n, &pdu, err), 0);
	return (dcerpc_reasm_add(ra, &pdu, &call, err));
}

START_TEST(test_reassembly_caps)
{
	struct dcerpc_reasm	 ra;
	struct dcerpc_pdu	 pdu;
	struct dcerpc_call	 call;
	const char		*err = NULL;
	uint8_t			 b[256];
	unsigned int		 i;

	/* Per-call cap of 100 stub bytes. */
	dcerpc_reasm_init(&ra, 100, 2);
	ck_assert_int_eq(add_frag(&ra, 1, DCERPC_PFC_FIRST_FRAG, 60, &err), 0);
	ck_assert_int_eq(add_frag(&ra, 1, 0, 41, &err), -1);
	ck_assert_str_eq(err, "dcerpc_reasm_cap");
	ck_assert_uint_eq(dcerpc_reasm_open(&ra), 0);
	/* The rest of that call is now an orphan. */
	ck_assert_int_eq(add_frag(&ra, 1, DCERPC_PFC_LAST_FRAG, 1, &err), -1);
	ck_assert_str_eq(err, "dcerpc_reasm_orphan");
	/* Exactly the cap is fine. */
	ck_assert_int_eq(add_frag(&ra, 1, DCERPC_PFC_FIRST_FRAG, 60, &err), 0);
	ck_assert_int_eq(add_frag(&ra, 1, DCERPC_PFC_LAST_FRAG, 40, &err), 1);

	/* At most 2 open calls. */
	ck_assert_int_eq(add_frag(&ra, 2, DCERPC_PFC_FIRST_FRAG, 1, &err), 0);
	ck_assert_int_eq(add_frag(&ra, 3, DCERPC_PFC_FIRST_FRAG, 1, &err), 0);
	ck_assert_int_eq(add_frag(&ra, 4, DCERPC_PFC_FIRST_FRAG, 1, &err), -1);
	ck_assert_str_eq(err, "dcerpc_reasm_calls");
	/* A second first fragment for an open call. */
	ck_assert_int_eq(add_frag(&ra, 2, DCERPC_PFC_FIRST_FRAG, 1, &err), -1);
	ck_assert_str_eq(err, "dcerpc_reasm_dup");
	ck_assert_uint_eq(dcerpc_reasm_open(&ra), 1);
	dcerpc_reasm_drop(&ra, 3);
	ck_assert_uint_eq(dcerpc_reasm_open(&ra), 0);
	dcerpc_reasm_free(&ra);

	/* Too many fragments, even tiny ones. */
	dcerpc_reasm_init(&ra, 0, 0);
	ck_assert_int_eq(add_frag(&ra, 5, DCERPC_PFC_FIRST_FRAG, 1, &err), 0);
	for (i = 1; i < DCERPC_REASM_MAX_FRAGS; i++)
		ck_assert_int_eq(add_frag(&ra, 5, 0, 1, &err), 0);
	ck_assert_int_eq(add_frag(&ra, 5, DCERPC_PFC_LAST_FRAG, 1, &err), -1);
	ck_assert_str_eq(err, "dcerpc_reasm_frags");

	/* Only requests and responses are reassembled. */
	check_hex(ex_bind_hex, b, sizeof(b));
	ck_assert_int_eq(dcerpc_pdu_parse(b, 72, &pdu, &err), 0);
	ck_assert_int_eq(dcerpc_reasm_add(&ra, &pdu, &call, &err), -1);
	ck_assert_str_eq(err, "dcerpc_reasm_ptype");

	/* 64 KiB default cap: 16 fragments of 4096 fit, one byte more not. */
	ck_assert_int_eq(add_frag(&ra, 6, DCERPC_PFC_FIRST_FRAG, 4096, &err),
	    0);
	for (i = 1; i < 15; i++)
		ck_assert_int_eq(add_frag(&ra, 6, 0, 4096, &err), 0);
	ck_assert_int_eq(add_frag(&ra, 6, 0, 4096, &err), 0);
	ck_assert_int_eq(add_frag(&ra, 6, DCERPC_PFC_LAST_FRAG, 1, &err), -1);
	ck_assert_str_eq(err, "dcerpc_reasm_cap");
	dcerpc_reasm_free(&ra);
}
END_TEST

START_TEST(test_builders)
{
	uint8_t			 b[512], ex[512];
	size_t			 n;
	ssize_t			 m;
	struct dcerpc_bind	 bind;
	struct dcerpc_bind_ack	 ack;
	struct dcerpc_bind_nak	 nak;
	struct dcerpc_pdu	 pdu;
	struct dcerpc_uuid	 obj;
	const char		*err = NULL;
	static const uint8_t	 svc[] = { 0x05, 0x00, 0x31, 0x30, 0x35, 0x39,
	    0x00, 0x00, 0x01 };

	memset(&bind, 0, sizeof(bind));
	bind.max_xmit = bind.max_recv = 4280;
	bind.n_ctx = 1;
	bind.ctx[0].abstract.uuid = dcerpc_uuid_epm;
	bind.ctx[0].abstract.major = 3;
	bind.ctx[0].n_xfer = 1;
	bind.ctx[0].xfer[0].uuid = dcerpc_uuid_ndr;
	bind.ctx[0].xfer[0].major = 2;
	m = dcerpc_build_bind(b, sizeof(b), DCERPC_BIND, 1, &bind);
	n = check_hex(ex_bind_hex, ex, sizeof(ex));
	ck_assert_int_eq(m, (ssize_t)n);
	ck_assert_mem_eq(b, ex, n);
	ck_assert_int_eq(dcerpc_build_bind(b, 71, DCERPC_BIND, 1, &bind), -1);
	ck_assert_int_eq(dcerpc_build_bind(b, sizeof(b), DCERPC_REQUEST, 1,
	    &bind), -1);

	memset(&ack, 0, sizeof(ack));
	ack.max_xmit = ack.max_recv = 4280;
	ack.assoc_group = 0xf053;
	ck_assert_int_eq(dcerpc_set_sec_addr(&ack, "135"), 0);
	ack.n_results = 1;
	ack.results[0].xfer.uuid = dcerpc_uuid_ndr;
	ack.results[0].xfer.major = 2;
	m = dcerpc_build_bind_ack(b, sizeof(b), DCERPC_BIND_ACK, 1, &ack);
	n = check_hex(ex_ack_hex, ex, sizeof(ex));
	ck_assert_int_eq(m, (ssize_t)n);
	ck_assert_mem_eq(b, ex, n);
	/* "1059" has length 5 and takes 1 pad byte (2.6 (b)). */
	ck_assert_int_eq(dcerpc_set_sec_addr(&ack, "1059"), 0);
	m = dcerpc_build_bind_ack(b, sizeof(b), DCERPC_BIND_ACK, 1, &ack);
	ck_assert_int_eq(m, 60);
	ck_assert_mem_eq(b + 24, svc, sizeof(svc));
	ck_assert_int_eq(dcerpc_pdu_parse(b, (size_t)m, &pdu, &err), 0);
	ck_assert_str_eq(pdu.u.ack.sec_addr, "1059");
	ck_assert_uint_eq(pdu.u.ack.n_results, 1);
	/* No secondary address: length 0, pad 2 (26 % 4). */
	ack.sec_addr_len = 0;
	m = dcerpc_build_bind_ack(b, sizeof(b), DCERPC_ALTER_RESP, 1, &ack);
	ck_assert_int_eq(m, 56);
	ck_assert_int_eq(dcerpc_pdu_parse(b, (size_t)m, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.hdr.ptype, DCERPC_ALTER_RESP);
	ck_assert_uint_eq(pdu.u.ack.sec_addr_len, 0);
	ck_assert_str_eq(pdu.u.ack.sec_addr, "");

	memset(&nak, 0, sizeof(nak));
	nak.reason = 4;
	nak.n_versions = 1;
	nak.versions[0][0] = 5;
	m = dcerpc_build_bind_nak(b, sizeof(b), 9, &nak);
	ck_assert_int_gt(m, 0);
	ck_assert_int_eq(dcerpc_pdu_parse(b, (size_t)m, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.u.nak.reason, 4);
	ck_assert_uint_eq(pdu.u.nak.n_versions, 1);
	ck_assert_uint_eq(pdu.u.nak.versions[0][0], 5);
	ck_assert_str_eq(dcerpc_nak_reason_name(4),
	    "protocol version not supported");

	n = check_hex(ex_req_hex, ex, sizeof(ex));
	m = dcerpc_build_request(b, sizeof(b), 2, 3, 132, 0, 3, NULL, ex + 24,
	    132);
	ck_assert_int_eq(m, (ssize_t)n);
	ck_assert_mem_eq(b, ex, n);
	/* With an object UUID. */
	ck_assert_int_eq(dcerpc_uuid_parse(
	    "01234567-89ab-cdef-0123-456789abcdef", &obj), 0);
	m = dcerpc_build_request(b, sizeof(b), 4, 3, 0, 1, 7, &obj, ex, 10);
	ck_assert_int_eq(m, 24 + 16 + 10);
	ck_assert_int_eq(dcerpc_pdu_parse(b, (size_t)m, &pdu, &err), 0);
	ck_assert_int_eq(pdu.u.req.has_object, 1);
	ck_assert(dcerpc_uuid_eq(&pdu.u.req.object, &obj));
	ck_assert_uint_eq(pdu.u.req.opnum, 7);
	ck_assert_uint_eq(pdu.u.req.p_cont_id, 1);
	ck_assert_uint_eq(pdu.stub_off, 40);
	ck_assert_uint_eq(pdu.stub_len, 10);
	ck_assert_int_eq(dcerpc_build_request(b, sizeof(b), 4, 3, 0, 1, 7,
	    NULL, NULL, 65512), -1);

	n = check_hex(ex_resp_hex, ex, sizeof(ex));
	m = dcerpc_build_response(b, sizeof(b), 2, 3, 128, 0, ex + 24, 128);
	ck_assert_int_eq(m, (ssize_t)n);
	ck_assert_mem_eq(b, ex, n);

	n = check_hex(ex_fault_hex, ex, sizeof(ex));
	m = dcerpc_build_fault(b, sizeof(b), 3, 0, DCERPC_NCA_S_UNK_IF);
	ck_assert_int_eq(m, (ssize_t)n);
	ck_assert_mem_eq(b, ex, n);
	ck_assert_int_eq(dcerpc_build_fault(b, 31, 3, 0, 0), -1);
}
END_TEST

START_TEST(test_uuid_names)
{
	struct dcerpc_uuid	 u;
	struct dcerpc_syntax	 s;
	uint8_t			 w[16];
	char			 buf[DCERPC_UUID_STRLEN];
	static const uint8_t	 ndr_epm[16] = { 0x08, 0x83, 0xaf, 0xe1, 0x1f,
	    0x5d, 0xc9, 0x11, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa };

	ck_assert_int_eq(dcerpc_uuid_parse(
	    "E1AF8308-5D1F-11C9-91A4-08002B14A0FA", &u), 0);
	ck_assert(dcerpc_uuid_eq(&u, &dcerpc_uuid_epm));
	dcerpc_uuid_write(w, &u);
	ck_assert_mem_eq(w, ndr_epm, 16);
	dcerpc_uuid_read(ndr_epm, 1, &u);
	ck_assert_str_eq(dcerpc_uuid_format(&u, buf, sizeof(buf)),
	    "e1af8308-5d1f-11c9-91a4-08002b14a0fa");
	ck_assert_int_eq(dcerpc_uuid_parse("e1af8308-5d1f-11c9-91a4-08002b14a0f",
	    &u), -1);
	ck_assert_int_eq(dcerpc_uuid_parse(
	    "e1af8308-5d1f-11c9-91a4-08002b14a0fa0", &u), -1);
	ck_assert_int_eq(dcerpc_uuid_parse(
	    "e1af83085-d1f-11c9-91a4-08002b14a0fa", &u), -1);
	ck_assert_int_eq(dcerpc_uuid_parse(
	    "g1af8308-5d1f-11c9-91a4-08002b14a0fa", &u), -1);
	ck_assert_int_eq(dcerpc_uuid_parse("", &u), -1);

	ck_assert_str_eq(dcerpc_if_name(&dcerpc_uuid_exchange_mta, 2),
	    "exchange_mta");
	ck_assert_str_eq(dcerpc_if_name(&dcerpc_uuid_qadmin, 1),
	    "exchange_qadmin");
	ck_assert_str_eq(dcerpc_if_name(&dcerpc_uuid_ndr, 2), "ndr");
	ck_assert_str_eq(dcerpc_if_name(&dcerpc_uuid_epm, 3), "epm");
	/* Another version of a known UUID still gets its name. */
	ck_assert_str_eq(dcerpc_if_name(&dcerpc_uuid_epm, 4), "epm");
	dcerpc_uuid_parse("12345778-1234-abcd-ef00-0123456789ab", &u);
	ck_assert_str_eq(dcerpc_if_name(&u, 0), "lsarpc");
	ck_assert_ptr_null(dcerpc_if_name(&dcerpc_uuid_nil, 0));
	ck_assert_int_eq(dcerpc_if_lookup("exchange_mta", &s), 0);
	ck_assert(dcerpc_uuid_eq(&s.uuid, &dcerpc_uuid_exchange_mta));
	ck_assert_uint_eq(s.major, 2);
	ck_assert_uint_eq(s.minor, 0);
	ck_assert_int_eq(dcerpc_if_lookup("nosuch", &s), -1);
	ck_assert(dcerpc_uuid_is_nil(&dcerpc_uuid_nil));

	ck_assert_str_eq(dcerpc_ptype_name(DCERPC_BIND_ACK), "bind_ack");
	ck_assert_str_eq(dcerpc_ptype_name(200), "unknown");
	ck_assert_str_eq(dcerpc_fault_name(0x1c010002), "nca_s_op_rng_error");
	ck_assert_str_eq(dcerpc_fault_name(0x1c01000b), "nca_s_proto_error");
	ck_assert_str_eq(dcerpc_fault_name(5), "nca_s_fault_access_denied");
	ck_assert_str_eq(dcerpc_fault_name(0x6f7), "nca_s_fault_ndr");
	ck_assert_ptr_null(dcerpc_fault_name(0x12345678));
	ck_assert_str_eq(dcerpc_result_reason_name(1),
	    "abstract_syntax_not_supported");
}
END_TEST

/* A whole EPM exchange from the builders, as Wireshark decodes it. */
START_TEST(test_tshark)
{
	struct pcapw		 w;
	struct dcerpc_bind	 bind;
	struct dcerpc_bind_ack	 ack;
	struct dcerpc_syntax	 mta, ndr;
	uint8_t			 b[1024], stub[512], tower[128];
	char			 path[] = "/tmp/check_dcerpc.XXXXXX";
	char			 args[512];
	const char		*out;
	const uint8_t		*tw[1];
	size_t			 tl[1];
	ssize_t			 m, s, t;
	int			 fd;
	static const uint8_t	 zero4[4], ip[4] = { 192, 0, 2, 10 };

	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP test_tshark: tshark not found\n");
		return;
	}
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	pcapw_open(&w, path, 10135);

	memset(&bind, 0, sizeof(bind));
	bind.max_xmit = bind.max_recv = 4280;
	bind.n_ctx = 1;
	bind.ctx[0].abstract.uuid = dcerpc_uuid_epm;
	bind.ctx[0].abstract.major = 3;
	bind.ctx[0].n_xfer = 1;
	bind.ctx[0].xfer[0].uuid = dcerpc_uuid_ndr;
	bind.ctx[0].xfer[0].major = 2;
	m = dcerpc_build_bind(b, sizeof(b), DCERPC_BIND, 1, &bind);
	pcapw_seg(&w, 0, b, (size_t)m);

	memset(&ack, 0, sizeof(ack));
	ack.max_xmit = ack.max_recv = 4280;
	ack.assoc_group = 0xf053;
	dcerpc_set_sec_addr(&ack, "135");
	ack.n_results = 1;
	ack.results[0].xfer = bind.ctx[0].xfer[0];
	m = dcerpc_build_bind_ack(b, sizeof(b), DCERPC_BIND_ACK, 1, &ack);
	pcapw_seg(&w, 1, b, (size_t)m);

	dcerpc_if_lookup("exchange_mta", &mta);
	dcerpc_if_lookup("ndr", &ndr);
	t = epm_build_tower_tcp(tower, sizeof(tower), &mta, &ndr, 0, zero4);
	s = epm_build_map_req(stub, sizeof(stub), &dcerpc_uuid_nil, tower,
	    (size_t)t, NULL, 4);
	m = dcerpc_build_request(b, sizeof(b), 2, 3, (uint32_t)s, 0,
	    EPM_OP_MAP, NULL, stub, (size_t)s);
	pcapw_seg(&w, 0, b, (size_t)m);

	t = epm_build_tower_tcp(tower, sizeof(tower), &mta, &ndr, 1059, ip);
	tw[0] = tower;
	tl[0] = (size_t)t;
	s = epm_build_map_resp(stub, sizeof(stub), NULL, 4, tw, tl, 1, 0);
	m = dcerpc_build_response(b, sizeof(b), 2, 3, (uint32_t)s, 0, stub,
	    (size_t)s);
	pcapw_seg(&w, 1, b, (size_t)m);

	m = dcerpc_build_fault(b, sizeof(b), 3, 0, DCERPC_NCA_S_UNK_IF);
	pcapw_seg(&w, 1, b, (size_t)m);
	fclose(w.f);

	snprintf(args, sizeof(args), "-r %s -d tcp.port==10135,dcerpc "
	    "-T fields -e dcerpc.pkt_type -e dcerpc.cn_call_id "
	    "-e dcerpc.cn_bind_to_uuid -e dcerpc.cn_bind_if_ver "
	    "-e dcerpc.cn_sec_addr -e dcerpc.cn_ack_result -e dcerpc.opnum "
	    "-e dcerpc.cn_status", path);
	out = check_tshark(args);
	ck_assert_str_eq(out,
	    "11\t1\te1af8308-5d1f-11c9-91a4-08002b14a0fa\t3\t\t\t\t\n"
	    "12\t1\t\t\t135\t0\t\t\n"
	    "0\t2\t\t\t\t\t3\t\n"
	    "2\t2\t\t\t\t\t3\t\n"
	    "3\t3\t\t\t\t\t\t0x1c010003\n");
	snprintf(args, sizeof(args), "-r %s -d tcp.port==10135,dcerpc -Y epm "
	    "-T fields -e dcerpc.pkt_type -e epm.tower.proto_id "
	    "-e epm.proto.tcp_port -e epm.proto.ip -e epm.uuid "
	    "-e epm.max_towers -e epm.num_towers -e epm.rc", path);
	out = check_tshark(args);
	/* Request: nil object, MTA interface over NDR, port 0 at 0.0.0.0. */
	ck_assert_str_eq(out,
	    "0\t0x0d,0x0d,0x0b,0x07,0x09\t0\t0.0.0.0\t"
	    "00000000-0000-0000-0000-000000000000,"
	    "9e8ee830-4459-11ce-979b-00aa005ffebe,"
	    "8a885d04-1ceb-11c9-9fe8-08002b104860\t4\t\t\n"
	    "2\t0x0d,0x0d,0x0b,0x07,0x09\t1059\t192.0.2.10\t"
	    "9e8ee830-4459-11ce-979b-00aa005ffebe,"
	    "8a885d04-1ceb-11c9-9fe8-08002b104860\t\t1\t0x00000000\n");
	unlink(path);
}
END_TEST

static Suite *
dcerpc_suite(void)
{
	Suite	*s = suite_create("dcerpc");
	TCase	*tc;

	tc = tcase_create("examples");
	tcase_add_test(tc, test_example_bind);
	tcase_add_test(tc, test_example_bind_ack);
	tcase_add_test(tc, test_example_request_response_fault);
	tcase_add_test(tc, test_framer_several);
	tcase_add_test(tc, test_framer_partial);
	tcase_add_test(tc, test_big_endian);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_framer_errors);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_auth_trailer);
	suite_add_tcase(s, tc);

	tc = tcase_create("reassembly");
	tcase_add_test(tc, test_reassembly);
	tcase_add_test(tc, test_reassembly_empty_last);
	tcase_add_test(tc, test_reassembly_caps);
	suite_add_tcase(s, tc);

	tc = tcase_create("build_names");
	tcase_add_test(tc, test_builders);
	tcase_add_test(tc, test_uuid_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("tshark");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_tshark);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { dcerpc_suite, NULL, NULL };
