/*
 * Unit tests of src/proto/epm.c: the PROTOCOLS.md 2.6 (c)/(d) stubs and
 * their towers, the NAT rewrite offsets (port at PDU 0x88, IPv4 at 0x8f),
 * every truncation and lying length, ept_lookup, and the builders.
 */

#include <sys/types.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_wire.h"
#include "dcerpc.h"
#include "epm.h"
#include "check_main.h"



static void
check_mta_tower(const struct epm_tower *t, uint16_t port, const uint8_t *ip)
{
	ck_assert_uint_eq(t->len, 75);
	ck_assert_uint_eq(t->nfloors, 5);
	ck_assert_int_eq(t->has_iface, 1);
	ck_assert(dcerpc_uuid_eq(&t->iface.uuid, &dcerpc_uuid_exchange_mta));
	ck_assert_uint_eq(t->iface.major, 2);
	ck_assert_uint_eq(t->iface.minor, 0);
	ck_assert_int_eq(t->has_xfer, 1);
	ck_assert(dcerpc_uuid_eq(&t->xfer.uuid, &dcerpc_uuid_ndr));
	ck_assert_uint_eq(t->xfer.major, 2);
	ck_assert_uint_eq(t->rpc_proto, EPM_PROTO_RPC_CO);
	ck_assert_int_eq(t->has_port, 1);
	ck_assert_uint_eq(t->port_proto, EPM_PROTO_TCP);
	ck_assert_uint_eq(t->port, port);
	ck_assert_int_eq(t->has_ip, 1);
	ck_assert_mem_eq(t->ip, ip, 4);
	ck_assert_uint_eq(t->floor[0].proto, EPM_PROTO_UUID);
	ck_assert_uint_eq(t->floor[0].lhs_len, 19);
	ck_assert_uint_eq(t->floor[0].rhs_len, 2);
	ck_assert_uint_eq(t->floor[2].proto, EPM_PROTO_RPC_CO);
	ck_assert_uint_eq(t->floor[3].proto, EPM_PROTO_TCP);
	ck_assert_uint_eq(t->floor[4].proto, EPM_PROTO_IP);
	ck_assert_uint_eq(t->floor[4].rhs_len, 4);
}

START_TEST(test_map_request)
{
	uint8_t			 b[256];
	size_t			 n = check_hex(ex_req_hex, b, sizeof(b));
	struct dcerpc_pdu	 pdu;
	struct epm_map_req	 r;
	const char		*err = NULL;
	static const uint8_t	 zero[20];

	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_int_eq(epm_map_req_parse(pdu.stub, pdu.stub_len,
	    pdu.hdr.le, &r, &err), 0);
	ck_assert_uint_eq(r.obj_ref, 1);
	ck_assert_int_eq(r.has_object, 1);
	ck_assert(dcerpc_uuid_is_nil(&r.object));
	ck_assert_uint_eq(r.tower_ref, 2);
	/* Tower at PDU 0x38, 75 bytes. */
	ck_assert_uint_eq(pdu.stub_off + r.tower.off, 0x38);
	check_mta_tower(&r.tower, 0, zero);
	ck_assert_uint_eq(pdu.stub_off + r.tower.port_off, 0x78);
	ck_assert_uint_eq(pdu.stub_off + r.tower.ip_off, 0x7f);
	ck_assert_mem_eq(r.handle, zero, 20);
	ck_assert_uint_eq(r.max_towers, 4);
	ck_assert_str_eq(epm_opnum_name(pdu.u.req.opnum), "ept_map");
}
END_TEST

struct frec {
	int			 n;
	struct epm_map_resp	 r;
	size_t			 stub_off;
	int			 rv;
};

static void
frec_pdu(void *arg, const uint8_t *p, size_t len, uint64_t off)
{
	struct frec		*f = arg;
	struct dcerpc_pdu	 pdu;
	const char		*err;

	ck_assert_int_eq(dcerpc_pdu_parse(p, len, &pdu, &err), 0);
	f->stub_off = pdu.stub_off;
	f->rv = epm_map_resp_parse(pdu.stub, pdu.stub_len, pdu.hdr.le, 4,
	    &f->r, &err);
	f->n++;
}

static const struct dcerpc_framer_callbacks frec_cb = { frec_pdu, NULL };

/* 2.6 (d) whole and byte by byte through the framer: same towers. */
START_TEST(test_map_response)
{
	uint8_t			 b[256];
	size_t			 n = check_hex(ex_resp_hex, b, sizeof(b)), i;
	struct dcerpc_framer	 df;
	struct frec		 whole, bytes;
	static const uint8_t	 ip[4] = { 192, 0, 2, 10 };
	const struct epm_tower	*t;

	memset(&whole, 0, sizeof(whole));
	dcerpc_framer_init(&df, DCERPC_FRAG_MAX, &frec_cb, &whole);
	ck_assert_int_eq(dcerpc_framer_feed(&df, b, n), 0);
	dcerpc_framer_free(&df);
	memset(&bytes, 0, sizeof(bytes));
	dcerpc_framer_init(&df, DCERPC_FRAG_MAX, &frec_cb, &bytes);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(dcerpc_framer_feed(&df, b + i, 1), 0);
	dcerpc_framer_free(&df);
	ck_assert_int_eq(whole.n, 1);
	ck_assert_int_eq(bytes.n, 1);
	ck_assert_int_eq(whole.rv, 0);
	ck_assert_mem_eq(&whole.r, &bytes.r, sizeof(whole.r));

	ck_assert_uint_eq(whole.r.num_towers, 1);
	ck_assert_uint_eq(whole.r.max_count, 4);
	ck_assert_uint_eq(whole.r.offset, 0);
	ck_assert_uint_eq(whole.r.actual_count, 1);
	ck_assert_uint_eq(whole.r.ntowers, 1);
	ck_assert_uint_eq(whole.r.referent[0], 3);
	ck_assert_uint_eq(whole.r.status, EPM_S_OK);
	t = &whole.r.towers[0];
	check_mta_tower(t, 1059, ip);
	/* 2.6 (d): port at PDU 0x88-0x89, IPv4 at 0x8f-0x92. */
	ck_assert_uint_eq(whole.stub_off + t->port_off, 0x88);
	ck_assert_uint_eq(whole.stub_off + t->ip_off, 0x8f);
	ck_assert_uint_eq(b[0x88], 0x04);
	ck_assert_uint_eq(b[0x89], 0x23);
	ck_assert_mem_eq(b + 0x8f, ip, 4);
}
END_TEST

/* The NAT rewrite touches exactly the port and address bytes. */
START_TEST(test_rewrite)
{
	uint8_t			 orig[256], b[256];
	size_t			 n = check_hex(ex_resp_hex, orig, sizeof(orig)), i;
	struct dcerpc_pdu	 pdu;
	struct epm_map_resp	 r;
	const char		*err = NULL;
	static const uint8_t	 priv[4] = { 10, 1, 1, 5 };
	static const uint8_t	 pub[4] = { 192, 0, 2, 10 };

	/* The server put its private address in floor 5. */
	memcpy(b, orig, n);
	memcpy(b + 0x8f, priv, 4);
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_int_eq(epm_map_resp_parse(pdu.stub, pdu.stub_len, 1, 4, &r,
	    &err), 0);
	ck_assert_mem_eq(r.towers[0].ip, priv, 4);
	ck_assert_int_eq(epm_tower_rewrite(b + pdu.stub_off, pdu.stub_len,
	    &r.towers[0], pub, -1), 0);
	ck_assert_mem_eq(b, orig, n);
	/* Port too: only 0x88-0x89 differ from the original. */
	ck_assert_int_eq(epm_tower_rewrite(b + pdu.stub_off, pdu.stub_len,
	    &r.towers[0], NULL, 49700), 0);
	for (i = 0; i < n; i++)
		if (i != 0x88 && i != 0x89)
			ck_assert_uint_eq(b[i], orig[i]);
	ck_assert_uint_eq(b[0x88], 0xc2);
	ck_assert_uint_eq(b[0x89], 0x24);
	/* Lengths did not change: the PDU still parses the same way. */
	ck_assert_int_eq(dcerpc_pdu_parse(b, n, &pdu, &err), 0);
	ck_assert_int_eq(epm_map_resp_parse(pdu.stub, pdu.stub_len, 1, 4, &r,
	    &err), 0);
	ck_assert_uint_eq(r.towers[0].port, 49700);
	/* Offsets outside the buffer or absent fields are refused. */
	ck_assert_int_eq(epm_tower_rewrite(b + pdu.stub_off, 0x70,
	    &r.towers[0], NULL, 1), -1);
	ck_assert_int_eq(epm_tower_rewrite(b + pdu.stub_off, 0x78,
	    &r.towers[0], pub, -1), -1);
	ck_assert_int_eq(epm_tower_rewrite(b + pdu.stub_off, pdu.stub_len,
	    &r.towers[0], NULL, 65536), -1);
	r.towers[0].has_ip = 0;
	ck_assert_int_eq(epm_tower_rewrite(b + pdu.stub_off, pdu.stub_len,
	    &r.towers[0], pub, -1), -1);
}
END_TEST

/* Every truncation of both stubs fails cleanly. */
START_TEST(test_truncations)
{
	uint8_t			 req[256], resp[256], *p;
	size_t			 nq, nr, i;
	struct epm_map_req	 mq;
	struct epm_map_resp	 mr;
	const char		*err;

	nq = check_hex(ex_req_hex, req, sizeof(req)) - 24;
	nr = check_hex(ex_resp_hex, resp, sizeof(resp)) - 24;
	ck_assert_int_eq(epm_map_req_parse(req + 24, nq, 1, &mq, &err), 0);
	ck_assert_int_eq(epm_map_resp_parse(resp + 24, nr, 1, 0, &mr, &err),
	    0);
	for (i = 0; i < nq; i++) {
		/* A copy of exactly i bytes so ASan sees any over-read. */
		p = malloc(i ? i : 1);
		memcpy(p, req + 24, i);
		err = NULL;
		ck_assert_int_eq(epm_map_req_parse(p, i, 1, &mq, &err), -1);
		ck_assert_ptr_nonnull(err);
		free(p);
	}
	for (i = 0; i < nr; i++) {
		p = malloc(i ? i : 1);
		memcpy(p, resp + 24, i);
		err = NULL;
		ck_assert_int_eq(epm_map_resp_parse(p, i, 1, 0, &mr, &err), -1);
		ck_assert_ptr_nonnull(err);
		/* Cut inside the tower: the NDR length no longer fits. */
		if (i > 0x48 - 24 && i < 0x93 - 24)
			ck_assert_str_eq(err, "epm_tower_length");
		free(p);
	}
}
END_TEST

START_TEST(test_lying_lengths)
{
	uint8_t			 resp[256], b[256];
	size_t			 n = check_hex(ex_resp_hex, resp, sizeof(resp)) - 24;
	struct epm_map_resp	 mr;
	struct epm_map_req	 mq;
	const char		*err;
	const uint8_t		*s = resp + 24;

	/* Stub offsets: max_count 0x18, actual 0x20, tower 0x30. */
#define LIE(off, val, want) do {					\
	memcpy(b, s, n);						\
	b[(off)] = (val);						\
	err = NULL;							\
	ck_assert_int_eq(epm_map_resp_parse(b, n, 1, 4, &mr, &err), -1); \
	ck_assert_str_eq(err, (want));					\
} while (0)

	LIE(0x28, 200, "epm_tower_length");	/* max_count */
	LIE(0x2c, 200, "epm_tower_length");	/* tower_length */
	LIE(0x2d, 1, "epm_tower_length");	/* 256 + 75 */
	LIE(0x20, 2, "epm_tower_count");	/* actual > num */
	LIE(0x18, 0, "epm_tower_count");	/* actual > max */
	LIE(0x18, 5, "epm_tower_count");	/* max > max_towers 4 */
	LIE(0x1c, 1, "epm_tower_count");	/* offset != 0 */
	LIE(0x30, 0, "epm_floor_count");
	LIE(0x30, 17, "epm_floor_count");
	LIE(0x32, 0x14, "epm_floor_uuid");	/* lhs 20 */
	LIE(0x32, 0, "epm_floor_length");	/* lhs 0 */
	LIE(0x32, 0xff, "epm_floor_length");
	LIE(0x33, 0x01, "epm_floor_length");	/* lhs 275 */
	LIE(0x48, 0x01, "epm_floor_length");	/* floor 1 rhs 258 */
	LIE(0x6e, 0x03, "epm_floor_port");	/* TCP rhs 3 */
	LIE(0x75, 0x03, "epm_floor_ip");	/* IP rhs 3 */
	LIE(0x6d, 0x09, "epm_floor_ip");	/* port floor as IP, rhs 2 */
	LIE(0x66, 0x07, "epm_floor_dup");	/* floor 3 TCP too */
	LIE(0x30, 6, "epm_floor_length");	/* a sixth floor */
#undef LIE
	/* max_towers 0: no check against the request. */
	memcpy(b, s, n);
	b[0x18] = 200;
	ck_assert_int_eq(epm_map_resp_parse(b, n, 1, 0, &mr, &err), 0);
	b[0x18] = 20;
	b[0x20] = 17;
	b[0x14] = 17;
	ck_assert_int_eq(epm_map_resp_parse(b, n, 1, 0, &mr, &err), -1);
	ck_assert_str_eq(err, "epm_tower_count");

	/* Request: null tower pointer, lying tower length. */
	n = check_hex(ex_req_hex, resp, sizeof(resp)) - 24;
	memcpy(b, resp + 24, n);
	b[0x14] = 0;
	ck_assert_int_eq(epm_map_req_parse(b, n, 1, &mq, &err), -1);
	ck_assert_str_eq(err, "epm_tower_ref");
	memcpy(b, resp + 24, n);
	b[0x1c] = 0xff;
	ck_assert_int_eq(epm_map_req_parse(b, n, 1, &mq, &err), -1);
	ck_assert_str_eq(err, "epm_tower_length");
	memcpy(b, resp + 24, n);
	b[0x18] = 0xff;
	b[0x1c] = 0xff;
	ck_assert_int_eq(epm_map_req_parse(b, n, 1, &mq, &err), -1);
	ck_assert_str_eq(err, "epm_tower_length");
	/* No object pointer: the tower pointer comes right after. */
	ck_assert_int_eq(epm_build_map_req(b, sizeof(b), NULL, resp + 0x38,
	    75, NULL, 4), 4 + 4 + 8 + 75 + 1 + 20 + 4);
	ck_assert_int_eq(epm_map_req_parse(b, 116, 1, &mq, &err), 0);
	ck_assert_int_eq(mq.has_object, 0);
	ck_assert_uint_eq(mq.tower.off, 16);
}
END_TEST

START_TEST(test_tower_parse_direct)
{
	uint8_t			 b[128];
	struct epm_tower	 t;
	const char		*err;
	int			 i;
	/* ncacn_np-like tower: UUID floors omitted, 0f named pipe. */
	static const uint8_t	 np[] = { 0x02, 0x00,
	    0x01, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00,
	    0x01, 0x00, 0x0f, 0x05, 0x00, 'a', 'b', 'c', 'd', 0x00 };

	ck_assert_int_eq(epm_tower_parse(np, sizeof(np), 100, &t, &err), 0);
	ck_assert_uint_eq(t.nfloors, 2);
	ck_assert_int_eq(t.has_port, 0);
	ck_assert_int_eq(t.has_ip, 0);
	ck_assert_uint_eq(t.floor[1].proto, EPM_PROTO_NAMED_PIPE);
	ck_assert_uint_eq(t.floor[1].rhs_off, 100 + 14);
	ck_assert_uint_eq(t.off, 100);
	ck_assert_int_eq(epm_tower_parse(np, 1, 0, &t, &err), -1);
	ck_assert_str_eq(err, "epm_tower_short");
	ck_assert_int_eq(epm_tower_parse(np, sizeof(np) - 1, 0, &t, &err),
	    -1);
	ck_assert_str_eq(err, "epm_floor_length");
	ck_assert_int_eq(epm_tower_parse(np, 4, 0, &t, &err), -1);
	ck_assert_str_eq(err, "epm_floor_length");
	/* 16 floors are allowed. */
	memset(b, 0, sizeof(b));
	b[0] = 16;
	for (i = 0; i < 16; i++) {
		b[2 + 5 * i] = 1;
		b[4 + 5 * i] = 0x0b;
	}
	ck_assert_int_eq(epm_tower_parse(b, 2 + 5 * 16, 0, &t, &err), 0);
	ck_assert_uint_eq(t.nfloors, 16);
}
END_TEST

START_TEST(test_builders)
{
	uint8_t			 ex[256], b[512], tower[128], t2[128], t3[128];
	size_t			 n;
	ssize_t			 m, l;
	struct dcerpc_syntax	 mta, ndr;
	struct epm_map_resp	 r;
	const uint8_t		*tw[3];
	size_t			 tl[3];
	const char		*err;
	unsigned int		 i;
	static const uint8_t	 zero[4], ip[4] = { 192, 0, 2, 10 };
	static const uint8_t	 ip2[4] = { 198, 51, 100, 7 };

	ck_assert_int_eq(dcerpc_if_lookup("exchange_mta", &mta), 0);
	ck_assert_int_eq(dcerpc_if_lookup("ndr", &ndr), 0);

	/* The request stub of 2.6 (c). */
	n = check_hex(ex_req_hex, ex, sizeof(ex));
	l = epm_build_tower_tcp(tower, sizeof(tower), &mta, &ndr, 0, zero);
	ck_assert_int_eq(l, EPM_TCPIP_TOWER_LEN);
	ck_assert_mem_eq(tower, ex + 0x38, 75);
	m = epm_build_map_req(b, sizeof(b), &dcerpc_uuid_nil, tower,
	    (size_t)l, NULL, 4);
	ck_assert_int_eq(m, (ssize_t)n - 24);
	ck_assert_mem_eq(b, ex + 24, n - 24);
	ck_assert_int_eq(epm_build_map_req(b, 100, &dcerpc_uuid_nil, tower,
	    (size_t)l, NULL, 4), -1);
	ck_assert_int_eq(epm_build_tower_tcp(tower, 74, &mta, &ndr, 0, zero),
	    -1);

	/* The response stub of 2.6 (d). */
	n = check_hex(ex_resp_hex, ex, sizeof(ex));
	l = epm_build_tower_tcp(tower, sizeof(tower), &mta, &ndr, 1059, ip);
	tw[0] = tower;
	tl[0] = (size_t)l;
	m = epm_build_map_resp(b, sizeof(b), NULL, 4, tw, tl, 1, EPM_S_OK);
	ck_assert_int_eq(m, (ssize_t)n - 24);
	ck_assert_mem_eq(b, ex + 24, n - 24);

	/* Three towers: each with its own offsets, in order. */
	epm_build_tower_tcp(t2, sizeof(t2), &mta, &ndr, 1060, ip2);
	epm_build_tower_tcp(t3, sizeof(t3), &mta, &ndr, 1061, ip);
	tw[1] = t2;
	tw[2] = t3;
	tl[1] = tl[2] = (size_t)l;
	m = epm_build_map_resp(b, sizeof(b), NULL, 4, tw, tl, 3, EPM_S_OK);
	ck_assert_int_gt(m, 0);
	ck_assert_int_eq(epm_map_resp_parse(b, (size_t)m, 1, 4, &r, &err), 0);
	ck_assert_uint_eq(r.ntowers, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(r.towers[i].port, 1059 + i);
		ck_assert_uint_eq(b[r.towers[i].port_off] << 8 |
		    b[r.towers[i].port_off + 1], 1059 + i);
	}
	ck_assert_mem_eq(b + r.towers[1].ip_off, ip2, 4);
	ck_assert_uint_eq(r.towers[1].off % 4, 0);
	ck_assert_int_eq(epm_build_map_resp(b, sizeof(b), NULL, 2, tw, tl, 3,
	    EPM_S_OK), -1);

	/* Not registered: no towers. */
	m = epm_build_map_resp(b, sizeof(b), NULL, 4, NULL, NULL, 0,
	    EPM_S_NOT_REGISTERED);
	ck_assert_int_eq(m, 20 + 16 + 4);
	ck_assert_int_eq(epm_map_resp_parse(b, (size_t)m, 1, 4, &r, &err), 0);
	ck_assert_uint_eq(r.ntowers, 0);
	ck_assert_uint_eq(r.status, 0x16c9a0d6);
	ck_assert_str_eq(epm_status_name(r.status), "not_registered");
	ck_assert_str_eq(epm_status_name(0), "ok");
	ck_assert_ptr_null(epm_status_name(1));
}
END_TEST

START_TEST(test_lookup)
{
	uint8_t			 b[512], tower[128], *p;
	ssize_t			 l, m;
	size_t			 i;
	struct dcerpc_syntax	 mta, ndr;
	struct epm_lookup_item	 it[2];
	struct epm_lookup_resp	 r;
	const char		*err;
	static const uint8_t	 ip[4] = { 192, 0, 2, 10 };
	static const uint8_t	 handle[20] = { 0, 0, 0, 0, 1, 2, 3 };

	dcerpc_if_lookup("exchange_mta", &mta);
	dcerpc_if_lookup("ndr", &ndr);
	l = epm_build_tower_tcp(tower, sizeof(tower), &mta, &ndr, 1059, ip);
	memset(it, 0, sizeof(it));
	it[0].annotation = "Exchange MTA";
	it[0].tower = tower;
	it[0].tower_len = (size_t)l;
	dcerpc_uuid_parse("01234567-89ab-cdef-0123-456789abcdef",
	    &it[1].object);
	m = epm_build_lookup_resp(b, sizeof(b), handle, 2, it, 2, EPM_S_OK);
	ck_assert_int_gt(m, 0);
	ck_assert_int_eq(epm_lookup_resp_parse(b, (size_t)m, 1, &r, &err), 0);
	ck_assert_mem_eq(r.handle, handle, 20);
	ck_assert_uint_eq(r.num_ents, 2);
	ck_assert_uint_eq(r.nentries, 2);
	ck_assert_str_eq(r.entries[0].annotation, "Exchange MTA");
	ck_assert_uint_eq(r.entries[0].annotation_len, 12);
	ck_assert_int_eq(r.entries[0].has_tower, 1);
	check_mta_tower(&r.entries[0].tower, 1059, ip);
	ck_assert_mem_eq(b + r.entries[0].tower.ip_off, ip, 4);
	ck_assert_int_eq(r.entries[1].has_tower, 0);
	ck_assert_str_eq(r.entries[1].annotation, "");
	ck_assert(dcerpc_uuid_eq(&r.entries[1].object, &it[1].object));
	ck_assert_uint_eq(r.status, 0);

	for (i = 0; i < (size_t)m; i++) {
		p = malloc(i ? i : 1);
		memcpy(p, b, i);
		ck_assert_int_eq(epm_lookup_resp_parse(p, i, 1, &r, &err), -1);
		free(p);
	}
	/* Annotation of 65 bytes: over the C706 limit. */
	b[20 + 4 * 4 + 16 + 4 + 4] = 65;
	ck_assert_int_eq(epm_lookup_resp_parse(b, (size_t)m, 1, &r, &err), -1);
	ck_assert_str_eq(err, "epm_annotation");
	it[0].annotation = "0123456789012345678901234567890123456789"
	    "0123456789012345678901234";
	ck_assert_int_eq(epm_build_lookup_resp(b, sizeof(b), handle, 2, it, 2,
	    0), -1);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(epm_opnum_name(2), "ept_lookup");
	ck_assert_str_eq(epm_opnum_name(7), "ept_map_auth");
	ck_assert_str_eq(epm_opnum_name(8), "unknown");
	ck_assert_str_eq(epm_proto_name(0x07), "tcp");
	ck_assert_str_eq(epm_proto_name(0x09), "ip");
	ck_assert_str_eq(epm_proto_name(0x0d), "uuid");
	ck_assert_str_eq(epm_proto_name(0x0b), "rpc_co");
	ck_assert_str_eq(epm_proto_name(0x42), "unknown");
}
END_TEST

static Suite *
epm_suite(void)
{
	Suite	*s = suite_create("epm");
	TCase	*tc;

	tc = tcase_create("examples");
	tcase_add_test(tc, test_map_request);
	tcase_add_test(tc, test_map_response);
	tcase_add_test(tc, test_rewrite);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_lying_lengths);
	tcase_add_test(tc, test_tower_parse_direct);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, test_builders);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { epm_suite, NULL, NULL };
