/*
 * Unit tests of src/proto/rfc1006.c: the worked examples of PROTOCOLS.md 1.8
 * fed whole, byte by byte and in other chunkings, every anomaly rule, the
 * whole-TPDU parser, the builders, and a tshark check of builder output.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_wire.h"
#include "rfc1006.h"
#include "check_main.h"

#define MAXEV	64

/* Everything a stream reported, in order. */
struct rec {
	char		 log[4096];	/* one line per event */
	struct cotp_tpdu t[MAXEV];
	int		 nt;
	struct rfc1006_anomaly a[MAXEV];
	char		 detail[MAXEV][160];
	int		 na;
	uint8_t		 data[8192];	/* the first data bytes */
	size_t		 ndata;		/* all data bytes */
	uint32_t	 sum;		/* of all data bytes */
	const uint8_t	*chunk;		/* the chunk being fed */
	size_t		 chunklen;
	int		 outside;	/* data slice not inside the chunk */
};

static const uint8_t ex_cr[] = {
	0x03, 0x00, 0x00, 0x1c, 0x17, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00,
	0xc0, 0x01, 0x0b, 0xc1, 0x05, 0x4d, 0x54, 0x41, 0x2d, 0x41,
	0xc2, 0x05, 0x4d, 0x54, 0x41, 0x2d, 0x42
};
static const uint8_t ex_cc[] = {
	0x03, 0x00, 0x00, 0x1c, 0x17, 0xd0, 0x00, 0x01, 0x00, 0x02, 0x00,
	0xc0, 0x01, 0x0b, 0xc1, 0x05, 0x4d, 0x54, 0x41, 0x2d, 0x41,
	0xc2, 0x05, 0x4d, 0x54, 0x41, 0x2d, 0x42
};
/* Both DTs in one TCP segment, as in 1.8. */
static const uint8_t ex_dt[] = {
	0x03, 0x00, 0x00, 0x0a, 0x02, 0xf0, 0x00, 0x01, 0x02, 0x03,
	0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x04, 0x05
};
static const uint8_t ex_dr[] = {
	0x03, 0x00, 0x00, 0x0b, 0x06, 0x80, 0x00, 0x01, 0x00, 0x02, 0x03
};
static const uint8_t ex_er[] = {
	0x03, 0x00, 0x00, 0x0d, 0x08, 0x70, 0x00, 0x01, 0x02,
	0xc1, 0x02, 0x02, 0x50
};

static void
rec_tpdu(void *arg, const struct cotp_tpdu *t)
{
	struct rec	*r = arg;
	size_t		 n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "tpdu %s off=%llu len=%u "
	    "li=%u dst=%04x src=%04x cls=%02x sz=%u eot=%d ud=%zu kept=%zu "
	    "reason=%u cause=%u\n", cotp_type_name(t->code),
	    (unsigned long long)t->offset, t->tpkt_len, t->li, t->dst_ref,
	    t->src_ref, t->class_opt, t->tpdu_size, t->eot, t->udata_len,
	    t->udata_kept, t->reason, t->cause);
	if (r->nt < MAXEV) {
		r->t[r->nt] = *t;
		r->nt++;
	}
}

static void
rec_anomaly(void *arg, const struct rfc1006_anomaly *a)
{
	struct rec	*r = arg;
	size_t		 n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "anomaly %s off=%llu "
	    "sev=%d fatal=%d %s\n", a->rule, (unsigned long long)a->offset,
	    a->sev, a->fatal, a->detail);
	if (r->na < MAXEV) {
		r->a[r->na] = *a;
		snprintf(r->detail[r->na], sizeof(r->detail[0]), "%s",
		    a->detail);
		r->a[r->na].detail = r->detail[r->na];
		r->na++;
	}
}

static void
rec_data(void *arg, const struct cotp_tpdu *t, const uint8_t *p, size_t len)
{
	struct rec	*r = arg;
	size_t		 i;

	/* Slices must point into the caller's chunk: nothing is copied. */
	if (p < r->chunk || p + len > r->chunk + r->chunklen)
		r->outside = 1;
	for (i = 0; i < len; i++) {
		if (r->ndata < sizeof(r->data))
			r->data[r->ndata] = p[i];
		r->ndata++;
		r->sum += p[i];
	}
}

static const struct rfc1006_callbacks rec_cb = {
	rec_tpdu, rec_anomaly, rec_data
};

/* Feed buf in chunks of the given size (0: all at once). */
static int
feed(struct rfc1006_stream *rs, struct rec *r, const uint8_t *buf,
    size_t len, size_t chunk)
{
	size_t	 off, n;
	int	 rv = 0;

	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		r->chunk = buf + off;
		r->chunklen = n;
		if (rfc1006_stream_feed(rs, buf + off, n) == -1)
			rv = -1;
	}
	return (rv);
}

/* Decode buf whole, byte by byte and in odd chunks: all must agree. */
static void
decode_all_ways(enum rfc1006_dir dir, const uint8_t *buf, size_t len,
    struct rec *out)
{
	static const size_t	 chunks[] = { 1, 2, 3, 5, 7, 13, 64 };
	struct rfc1006_stream	 rs;
	struct rec		*r;
	size_t			 i;
	int			 rv0, rv;

	memset(out, 0, sizeof(*out));
	rfc1006_stream_init(&rs, dir, &rec_cb, out);
	rv0 = feed(&rs, out, buf, len, 0);
	ck_assert_int_eq(out->outside, 0);
	r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		memset(r, 0, sizeof(*r));
		rfc1006_stream_free(&rs);
		rfc1006_stream_init(&rs, dir, &rec_cb, r);
		rv = feed(&rs, r, buf, len, chunks[i]);
		ck_assert_int_eq(rv, rv0);
		ck_assert_str_eq(r->log, out->log);
		ck_assert_uint_eq(r->ndata, out->ndata);
		ck_assert_uint_eq(r->sum, out->sum);
		ck_assert_mem_eq(r->data, out->data,
		    out->ndata < sizeof(out->data) ? out->ndata :
		    sizeof(out->data));
		ck_assert_int_eq(r->outside, 0);
	}
	free(r);
	rfc1006_stream_free(&rs);
}

/* Index of the first anomaly with this rule, or -1. */
static int
find_rule(const struct rec *r, const char *rule)
{
	int	 i;

	for (i = 0; i < r->na; i++)
		if (strcmp(r->a[i].rule, rule) == 0)
			return (i);
	return (-1);
}

START_TEST(test_example_cr)
{
	struct rec	*r = calloc(1, sizeof(*r));
	char		 buf[64];

	decode_all_ways(RFC1006_CALLER, ex_cr, sizeof(ex_cr), r);
	ck_assert_int_eq(r->na, 0);
	ck_assert_int_eq(r->nt, 1);
	ck_assert_uint_eq(r->t[0].type, COTP_CR);
	ck_assert_uint_eq(r->t[0].tpkt_len, 28);
	ck_assert_uint_eq(r->t[0].li, 23);
	ck_assert_uint_eq(r->t[0].dst_ref, 0x0000);
	ck_assert_uint_eq(r->t[0].src_ref, 0x0001);
	ck_assert_uint_eq(r->t[0].class_opt, 0);
	ck_assert(r->t[0].has & COTP_HAS_TPDU_SIZE);
	ck_assert_uint_eq(r->t[0].tpdu_size, 0x0b);
	ck_assert_uint_eq(cotp_tpdu_size_bytes(r->t[0].tpdu_size), 2048);
	ck_assert_str_eq(cotp_tsap_str(r->t[0].calling, r->t[0].calling_len,
	    buf, sizeof(buf)), "MTA-A");
	ck_assert_str_eq(cotp_tsap_str(r->t[0].called, r->t[0].called_len,
	    buf, sizeof(buf)), "MTA-B");
	ck_assert_uint_eq(r->t[0].udata_len, 0);
	ck_assert_uint_eq(r->t[0].offset, 0);
	ck_assert_uint_eq(r->t[0].violations, 0);
	free(r);
}
END_TEST

START_TEST(test_example_cc)
{
	struct rec	*r = calloc(1, sizeof(*r));
	char		 buf[64];

	decode_all_ways(RFC1006_CALLEE, ex_cc, sizeof(ex_cc), r);
	ck_assert_int_eq(r->na, 0);
	ck_assert_int_eq(r->nt, 1);
	ck_assert_uint_eq(r->t[0].type, COTP_CC);
	ck_assert_uint_eq(r->t[0].dst_ref, 0x0001);
	ck_assert_uint_eq(r->t[0].src_ref, 0x0002);
	ck_assert_uint_eq(cotp_tpdu_size_bytes(r->t[0].tpdu_size), 2048);
	ck_assert_str_eq(cotp_tsap_str(r->t[0].calling, r->t[0].calling_len,
	    buf, sizeof(buf)), "MTA-A");
	ck_assert_str_eq(cotp_tsap_str(r->t[0].called, r->t[0].called_len,
	    buf, sizeof(buf)), "MTA-B");
	free(r);
}
END_TEST

START_TEST(test_example_dt)
{
	struct rec	*r = calloc(1, sizeof(*r));
	uint8_t		 conv[sizeof(ex_cr) + sizeof(ex_dt)];
	static const uint8_t tsdu[] = { 1, 2, 3, 4, 5 };

	/* Caller: CR then both DTs. */
	memcpy(conv, ex_cr, sizeof(ex_cr));
	memcpy(conv + sizeof(ex_cr), ex_dt, sizeof(ex_dt));
	decode_all_ways(RFC1006_CALLER, conv, sizeof(conv), r);
	ck_assert_int_eq(r->na, 0);
	ck_assert_int_eq(r->nt, 3);
	ck_assert_uint_eq(r->t[1].type, COTP_DT);
	ck_assert_int_eq(r->t[1].eot, 0);
	ck_assert_uint_eq(r->t[1].udata_len, 3);
	ck_assert_uint_eq(r->t[1].udata_kept, 0);
	ck_assert_uint_eq(r->t[1].offset, 28);
	ck_assert_uint_eq(r->t[2].type, COTP_DT);
	ck_assert_int_eq(r->t[2].eot, 1);
	ck_assert_uint_eq(r->t[2].udata_len, 2);
	ck_assert_uint_eq(r->t[2].offset, 38);
	/* The TSDU tshark reassembled: 5 bytes. */
	ck_assert_uint_eq(r->ndata, 5);
	ck_assert_mem_eq(r->data, tsdu, 5);
	free(r);
}
END_TEST

START_TEST(test_example_dr)
{
	struct rec	*r = calloc(1, sizeof(*r));

	decode_all_ways(RFC1006_CALLEE, ex_dr, sizeof(ex_dr), r);
	ck_assert_int_eq(r->na, 0);
	ck_assert_int_eq(r->nt, 1);
	ck_assert_uint_eq(r->t[0].type, COTP_DR);
	ck_assert_uint_eq(r->t[0].dst_ref, 0x0001);
	ck_assert_uint_eq(r->t[0].src_ref, 0x0002);
	ck_assert_uint_eq(r->t[0].reason, 3);
	ck_assert_str_eq(cotp_dr_reason_name(r->t[0].reason),
	    "address unknown");
	free(r);
}
END_TEST

START_TEST(test_example_er)
{
	struct rec	*r = calloc(1, sizeof(*r));
	static const uint8_t bad[] = { 0x02, 0x50 };

	decode_all_ways(RFC1006_CALLEE, ex_er, sizeof(ex_er), r);
	ck_assert_int_eq(r->na, 0);
	ck_assert_int_eq(r->nt, 1);
	ck_assert_uint_eq(r->t[0].type, COTP_ER);
	ck_assert_uint_eq(r->t[0].dst_ref, 0x0001);
	ck_assert_uint_eq(r->t[0].cause, 2);
	ck_assert_str_eq(cotp_er_cause_name(r->t[0].cause),
	    "invalid TPDU type");
	ck_assert(r->t[0].has & COTP_HAS_ER_TPDU);
	ck_assert_uint_eq(r->t[0].er_tpdu_len, 2);
	ck_assert_mem_eq(r->t[0].er_tpdu, bad, 2);
	/* The rejected header is an RJ: a class 1-4 TPDU. */
	ck_assert_str_eq(cotp_type_name(bad[1]), "RJ");
	free(r);
}
END_TEST

/* A whole conversation on two paired streams: no anomaly. */
START_TEST(test_paired_conversation)
{
	struct rfc1006_stream	 c, s;
	struct rec		*rc = calloc(1, sizeof(*rc));
	struct rec		*rs = calloc(1, sizeof(*rs));

	rfc1006_stream_init(&c, RFC1006_CALLER, &rec_cb, rc);
	rfc1006_stream_init(&s, RFC1006_CALLEE, &rec_cb, rs);
	rfc1006_stream_pair(&c, &s);
	ck_assert_int_eq(feed(&c, rc, ex_cr, sizeof(ex_cr), 0), 0);
	ck_assert_int_eq(feed(&s, rs, ex_cc, sizeof(ex_cc), 3), 0);
	ck_assert_int_eq(feed(&c, rc, ex_dt, sizeof(ex_dt), 1), 0);
	ck_assert_int_eq(feed(&s, rs, ex_dt, sizeof(ex_dt), 0), 0);
	ck_assert_msg(rc->na == 0 && rs->na == 0, "%s%s", rc->log, rs->log);
	ck_assert_int_eq(rc->nt, 3);
	ck_assert_int_eq(rs->nt, 3);
	/* 2048 was negotiated on both sides. */
	ck_assert_uint_eq(c.rs_max_tpdu, 2048);
	ck_assert_uint_eq(s.rs_max_tpdu, 2048);
	ck_assert_uint_eq(rfc1006_stream_boundary(&c),
	    sizeof(ex_cr) + sizeof(ex_dt));
	free(rc);
	free(rs);
	rfc1006_stream_free(&c);
	rfc1006_stream_free(&s);
}
END_TEST

/* Several PDUs in one chunk and a partial TPKT left at the end. */
START_TEST(test_partial_and_boundary)
{
	struct rfc1006_stream	 rs;
	struct rec		*r = calloc(1, sizeof(*r));
	uint8_t			 buf[sizeof(ex_cr) + sizeof(ex_dt)];

	memcpy(buf, ex_cr, sizeof(ex_cr));
	memcpy(buf + sizeof(ex_cr), ex_dt, sizeof(ex_dt));
	rfc1006_stream_init(&rs, RFC1006_CALLER, &rec_cb, r);
	/* All but the last byte: the second DT is not reported yet. */
	ck_assert_int_eq(feed(&rs, r, buf, sizeof(buf) - 1, 0), 0);
	ck_assert_int_eq(r->nt, 2);
	ck_assert_uint_eq(rfc1006_stream_boundary(&rs), 38);
	ck_assert_int_eq(feed(&rs, r, buf + sizeof(buf) - 1, 1, 0), 0);
	ck_assert_int_eq(r->nt, 3);
	ck_assert_uint_eq(rfc1006_stream_boundary(&rs), sizeof(buf));
	free(r);
	rfc1006_stream_free(&rs);
}
END_TEST

START_TEST(test_tpkt_version)
{
	struct rec	*r = calloc(1, sizeof(*r));
	uint8_t		 buf[sizeof(ex_cr) * 2];
	struct rfc1006_stream rs;

	/* A good CR, then garbage: fatal at offset 28, nothing after. */
	memcpy(buf, ex_cr, sizeof(ex_cr));
	memcpy(buf + sizeof(ex_cr), ex_cr, sizeof(ex_cr));
	buf[sizeof(ex_cr)] = 0x04;
	decode_all_ways(RFC1006_CALLER, buf, sizeof(buf), r);
	ck_assert_int_eq(r->nt, 1);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "tpkt_version");
	ck_assert_int_eq(r->a[0].fatal, 1);
	ck_assert_int_eq(r->a[0].sev, RFC1006_FATAL);
	ck_assert_uint_eq(r->a[0].offset, 28);
	ck_assert_ptr_nonnull(strstr(r->a[0].detail, "cannot resync"));

	/* Dead streams stay dead. */
	memset(r, 0, sizeof(*r));
	rfc1006_stream_init(&rs, RFC1006_CALLER, &rec_cb, r);
	ck_assert_int_eq(feed(&rs, r, buf + sizeof(ex_cr), 4, 0), -1);
	ck_assert_int_eq(feed(&rs, r, ex_cr, sizeof(ex_cr), 0), -1);
	ck_assert_int_eq(r->nt, 0);
	ck_assert_int_eq(r->na, 1);
	free(r);
	rfc1006_stream_free(&rs);
}
END_TEST

START_TEST(test_tpkt_length)
{
	struct rec		*r = calloc(1, sizeof(*r));
	struct rfc1006_stream	 rs;
	static const uint8_t	 small[] = { 0x03, 0x00, 0x00, 0x06, 0x02,
	    0xf0 };
	static const uint8_t	 zero[] = { 0x03, 0x00, 0x00, 0x00 };
	uint8_t			 big[] = { 0x03, 0x00, 0x01, 0x00, 0x02,
	    0xf0, 0x80 };

	decode_all_ways(RFC1006_CALLER, small, sizeof(small), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "tpkt_length");
	ck_assert_int_eq(r->a[0].fatal, 1);
	ck_assert_int_eq(r->nt, 0);

	decode_all_ways(RFC1006_CALLER, zero, sizeof(zero), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "tpkt_length");

	/* 256 is above a cap of 100. */
	memset(r, 0, sizeof(*r));
	rfc1006_stream_init(&rs, RFC1006_CALLER, &rec_cb, r);
	ck_assert_int_eq(rfc1006_stream_set_cap(&rs, 100), 0);
	ck_assert_int_eq(rfc1006_stream_set_cap(&rs, 6), -1);
	ck_assert_int_eq(feed(&rs, r, big, sizeof(big), 1), -1);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "tpkt_length");
	ck_assert_int_eq(r->a[0].fatal, 1);
	free(r);
	rfc1006_stream_free(&rs);
}
END_TEST

START_TEST(test_tpkt_reserved)
{
	struct rec	*r = calloc(1, sizeof(*r));
	uint8_t		 buf[sizeof(ex_cr)];

	/* Exchange 4.0 before SP3 (Q157015): log, do not reject. */
	memcpy(buf, ex_cr, sizeof(buf));
	buf[1] = 0x01;
	decode_all_ways(RFC1006_CALLER, buf, sizeof(buf), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "tpkt_reserved");
	ck_assert_int_eq(r->a[0].sev, RFC1006_WARN);
	ck_assert_int_eq(r->a[0].fatal, 0);
	ck_assert_int_eq(r->nt, 1);
	ck_assert_uint_eq(r->t[0].tpkt_reserved, 1);
	free(r);
}
END_TEST

/* COTP errors keep the framing: the next TPKT decodes. */
START_TEST(test_cotp_li)
{
	struct rec	*r = calloc(1, sizeof(*r));
	static const uint8_t li255[] = {
		0x03, 0x00, 0x00, 0x07, 0xff, 0xf0, 0x80,
		0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80 };
	static const uint8_t lilie[] = {
		0x03, 0x00, 0x00, 0x08, 0x06, 0xf0, 0x80, 0x00,
		0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80 };
	static const uint8_t dt4[] = {
		0x03, 0x00, 0x00, 0x0a, 0x04, 0xf0, 0x00, 0x00, 0x00, 0x80,
		0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80 };
	static const uint8_t cr5[] = {
		0x03, 0x00, 0x00, 0x0a, 0x05, 0xe0, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t li0[] = {
		0x03, 0x00, 0x00, 0x07, 0x00, 0xf0, 0x80 };

	decode_all_ways(RFC1006_CALLER, li255, sizeof(li255), r);
	ck_assert_int_ge(find_rule(r, "cotp_li"), 0);
	ck_assert_int_eq(r->a[0].fatal, 0);
	ck_assert_uint_eq(r->a[0].offset, 0);
	ck_assert_int_eq(r->nt, 1);
	ck_assert_uint_eq(r->t[0].offset, 7);

	decode_all_ways(RFC1006_CALLER, lilie, sizeof(lilie), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_li");
	ck_assert_int_eq(r->nt, 1);

	decode_all_ways(RFC1006_CALLER, dt4, sizeof(dt4), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_li");
	ck_assert_int_eq(r->nt, 1);
	ck_assert_uint_eq(r->t[0].offset, 10);

	decode_all_ways(RFC1006_CALLER, cr5, sizeof(cr5), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_li");
	ck_assert_int_eq(r->nt, 0);

	decode_all_ways(RFC1006_CALLER, li0, sizeof(li0), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_li");
	free(r);
}
END_TEST

START_TEST(test_cotp_param)
{
	struct rec	*r = calloc(1, sizeof(*r));
	/* C1 claims 10 bytes, LI covers 3 of them. */
	static const uint8_t over[] = {
		0x03, 0x00, 0x00, 0x10, 0x0b, 0xe0, 0x00, 0x00, 0x00, 0x01,
		0x00, 0xc1, 0x0a, 0x4d, 0x54, 0x41 };
	/* A lone parameter code byte at the end of the header. */
	static const uint8_t lone[] = {
		0x03, 0x00, 0x00, 0x0c, 0x07, 0xe0, 0x00, 0x00, 0x00, 0x01,
		0x00, 0xc0 };
	/* C6 must have length 1. */
	static const uint8_t c6[] = {
		0x03, 0x00, 0x00, 0x0e, 0x09, 0xe0, 0x00, 0x00, 0x00, 0x01,
		0x00, 0xc6, 0x02, 0x01 };

	decode_all_ways(RFC1006_CALLER, over, sizeof(over), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_param");
	ck_assert_int_eq(r->nt, 0);
	decode_all_ways(RFC1006_CALLER, lone, sizeof(lone), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_param");
	decode_all_ways(RFC1006_CALLER, c6, sizeof(c6), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_param");
	ck_assert_int_eq(r->nt, 0);
	free(r);
}
END_TEST

START_TEST(test_cotp_violations)
{
	struct rec	*r = calloc(1, sizeof(*r));
	uint8_t		 buf[256];
	size_t		 i;
	static const uint8_t rj[] = {
		0x03, 0x00, 0x00, 0x07, 0x02, 0x50, 0x00 };
	static const uint8_t unk[] = {
		0x03, 0x00, 0x00, 0x07, 0x02, 0x30, 0x00 };
	static const uint8_t er_noc1[] = {
		0x03, 0x00, 0x00, 0x09, 0x04, 0x70, 0x00, 0x01, 0x02 };

	/* Class 2 with extended formats: warn, still decoded. */
	memcpy(buf, ex_cr, sizeof(ex_cr));
	buf[10] = 0x22;
	decode_all_ways(RFC1006_CALLER, buf, sizeof(ex_cr), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_class");
	ck_assert_int_eq(r->a[0].sev, RFC1006_WARN);
	ck_assert_int_eq(r->nt, 1);
	ck_assert_uint_eq(r->t[0].class_opt, 0x22);

	/* Credit nibble. */
	memcpy(buf, ex_cr, sizeof(ex_cr));
	buf[5] = 0xe1;
	decode_all_ways(RFC1006_CALLER, buf, sizeof(ex_cr), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_credit");
	ck_assert_uint_eq(r->t[0].cdt, 1);

	/* TPDU size 0e (16384) is not a class 0 size. */
	memcpy(buf, ex_cr, sizeof(ex_cr));
	buf[13] = 0x0e;
	decode_all_ways(RFC1006_CALLER, buf, sizeof(ex_cr), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_tpdu_size");
	ck_assert_int_eq(r->a[0].sev, RFC1006_ERROR);

	/* 3 bytes of user data in a CR: flagged, kept. */
	memcpy(buf, ex_cr, sizeof(ex_cr));
	buf[3] = sizeof(ex_cr) + 3;
	buf[28] = 'a';
	buf[29] = 'b';
	buf[30] = 'c';
	decode_all_ways(RFC1006_CALLER, buf, sizeof(ex_cr) + 3, r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_user_data");
	ck_assert_uint_eq(r->t[0].udata_len, 3);
	ck_assert_uint_eq(r->t[0].udata_kept, 3);

	/* 200 bytes of user data: 32 kept, the rest counted. */
	memcpy(buf, ex_cr, sizeof(ex_cr));
	buf[3] = sizeof(ex_cr) + 200;
	for (i = 0; i < 200; i++)
		buf[28 + i] = (uint8_t)i;
	decode_all_ways(RFC1006_CALLER, buf, sizeof(ex_cr) + 200, r);
	ck_assert_str_eq(r->a[0].rule, "cotp_user_data");
	ck_assert_uint_eq(r->t[0].udata_len, 200);
	ck_assert_uint_eq(r->t[0].udata_kept, COTP_UDATA_MAX);

	decode_all_ways(RFC1006_CALLEE, rj, sizeof(rj), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_tpdu_class");
	ck_assert_int_eq(r->nt, 1);

	decode_all_ways(RFC1006_CALLEE, unk, sizeof(unk), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_unknown_tpdu");

	decode_all_ways(RFC1006_CALLEE, er_noc1, sizeof(er_noc1), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_er_param");
	free(r);
}
END_TEST

/*
 * Issue 9: the classes strict acts on. A length indicator that does not
 * fit is framing; a DR from the caller on an open connection (what
 * iso-on-tcp and snap7 send at release) is conformance; a TPKT cut by the
 * end of the stream is framing, fatal, and only then.
 */
START_TEST(test_classes_and_eof)
{
	struct rec		*r = calloc(1, sizeof(*r));
	static const uint8_t	 li255[] = {
		0x03, 0x00, 0x00, 0x07, 0xff, 0xf0, 0x80 };
	struct rfc1006_stream	 rs;
	uint8_t			 buf[128];

	decode_all_ways(RFC1006_CALLER, li255, sizeof(li255), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_li");
	ck_assert_int_eq(r->a[0].sev, RFC1006_FRAMING);
	ck_assert_int_eq(r->a[0].framing, 1);
	ck_assert_int_eq(r->a[0].fatal, 0);

	memcpy(buf, ex_cr, sizeof(ex_cr));
	memcpy(buf + sizeof(ex_cr), ex_dr, sizeof(ex_dr));
	decode_all_ways(RFC1006_CALLER, buf, sizeof(ex_cr) + sizeof(ex_dr), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_state");
	ck_assert_int_eq(r->a[0].sev, RFC1006_ERROR);
	ck_assert_int_eq(r->a[0].framing, 0);

	/* Whole TPKTs, then the end: nothing. */
	memset(r, 0, sizeof(*r));
	rfc1006_stream_init(&rs, RFC1006_CALLER, &rec_cb, r);
	ck_assert_int_eq(feed(&rs, r, ex_cr, sizeof(ex_cr), 0), 0);
	ck_assert_int_eq(rfc1006_stream_eof(&rs), 0);
	ck_assert_int_eq(r->na, 0);
	/* Two bytes of a header, then the end. */
	ck_assert_int_eq(feed(&rs, r, ex_dt, 2, 0), 0);
	ck_assert_int_eq(rfc1006_stream_eof(&rs), -1);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "tpkt_truncated");
	ck_assert_int_eq(r->a[0].fatal, 1);
	ck_assert_int_eq(r->a[0].framing, 1);
	ck_assert_ptr_nonnull(strstr(r->a[0].detail, "2 bytes into a TPKT "
	    "header"));
	/* Part of a body. */
	memset(r, 0, sizeof(*r));
	rfc1006_stream_free(&rs);
	rfc1006_stream_init(&rs, RFC1006_CALLER, &rec_cb, r);
	ck_assert_int_eq(feed(&rs, r, ex_cr, sizeof(ex_cr) - 3, 0), 0);
	ck_assert_int_eq(rfc1006_stream_eof(&rs), -1);
	ck_assert_str_eq(r->a[0].rule, "tpkt_truncated");
	ck_assert_ptr_nonnull(strstr(r->a[0].detail, "25 bytes into a TPKT "
	    "of 28"));
	free(r);
	rfc1006_stream_free(&rs);
}
END_TEST

START_TEST(test_cotp_state)
{
	struct rec	*r = calloc(1, sizeof(*r));
	uint8_t		 buf[128];

	/* DT before CR from the caller. */
	decode_all_ways(RFC1006_CALLER, ex_dt, sizeof(ex_dt), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_state");
	ck_assert_int_eq(r->a[0].fatal, 0);
	ck_assert_int_eq(r->nt, 2);

	/* A CR from the callee. */
	decode_all_ways(RFC1006_CALLEE, ex_cr, sizeof(ex_cr), r);
	ck_assert_str_eq(r->a[0].rule, "cotp_state");

	/* Two CRs from the caller. */
	memcpy(buf, ex_cr, sizeof(ex_cr));
	memcpy(buf + sizeof(ex_cr), ex_cr, sizeof(ex_cr));
	decode_all_ways(RFC1006_CALLER, buf, 2 * sizeof(ex_cr), r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_state");
	ck_assert_uint_eq(r->a[0].offset, sizeof(ex_cr));

	/* DT after the callee refused with DR. */
	memcpy(buf, ex_dr, sizeof(ex_dr));
	memcpy(buf + sizeof(ex_dr), ex_dt, sizeof(ex_dt));
	decode_all_ways(RFC1006_CALLEE, buf, sizeof(ex_dr) + sizeof(ex_dt),
	    r);
	ck_assert_int_eq(r->na, 2);
	ck_assert_str_eq(r->a[0].rule, "cotp_state");
	ck_assert_uint_eq(r->a[0].offset, sizeof(ex_dr));

	/* CC, then DR on the open connection. */
	memcpy(buf, ex_cc, sizeof(ex_cc));
	memcpy(buf + sizeof(ex_cc), ex_dr, sizeof(ex_dr));
	decode_all_ways(RFC1006_CALLEE, buf, sizeof(ex_cc) + sizeof(ex_dr),
	    r);
	ck_assert_int_eq(r->na, 1);
	ck_assert_str_eq(r->a[0].rule, "cotp_state");
	free(r);
}
END_TEST

/* Paired streams check the CC against the CR and police the size. */
START_TEST(test_negotiation)
{
	struct rfc1006_stream	 c, s;
	struct rec		*rc = calloc(1, sizeof(*rc));
	struct rec		*rs = calloc(1, sizeof(*rs));
	uint8_t			 cc[sizeof(ex_cc)], cr[sizeof(ex_cr)];
	uint8_t			 dt[200 + 7], payload[200];
	ssize_t			 n;
	static const uint8_t	 ed[] = { 0x03, 0x00, 0x00, 0x08, 0x02, 0x10,
	    0x80, 0x01 };

	/* CC echoes the wrong ref, raises the size and adds options. */
	memcpy(cc, ex_cc, sizeof(cc));
	cc[7] = 0x05;
	memcpy(cr, ex_cr, sizeof(cr));
	cr[13] = 0x07;			/* CR offers 128 */
	rfc1006_stream_init(&c, RFC1006_CALLER, &rec_cb, rc);
	rfc1006_stream_init(&s, RFC1006_CALLEE, &rec_cb, rs);
	rfc1006_stream_pair(&c, &s);
	/* DT before any CC is a state error on the caller side. */
	feed(&c, rc, cr, sizeof(cr), 0);
	feed(&c, rc, ex_dt, 10, 0);
	ck_assert_int_eq(rc->na, 1);
	ck_assert_str_eq(rc->a[0].rule, "cotp_state");
	feed(&s, rs, cc, sizeof(cc), 0);
	ck_assert_int_ge(find_rule(rs, "cotp_cc_ref"), 0);
	ck_assert_int_ge(find_rule(rs, "cotp_cc_size"), 0);
	ck_assert_int_eq(find_rule(rs, "cotp_cc_options"), -1);
	/* Negotiated 128 bytes: a 200-byte DT is too big. */
	ck_assert_uint_eq(c.rs_max_tpdu, 128);
	memset(payload, 'p', sizeof(payload));
	n = cotp_build_dt(dt, sizeof(dt), 1, payload, sizeof(payload));
	ck_assert_int_eq(n, 207);
	rc->na = 0;
	feed(&c, rc, dt, (size_t)n, 0);
	ck_assert_int_eq(rc->na, 1);
	ck_assert_str_eq(rc->a[0].rule, "cotp_tpdu_length");
	ck_assert_int_eq(rc->a[0].fatal, 0);
	/* No expedited data was selected. */
	rc->na = 0;
	feed(&c, rc, ed, sizeof(ed), 0);
	ck_assert_int_eq(rc->na, 1);
	ck_assert_str_eq(rc->a[0].rule, "cotp_expedited");

	/* Options the CR did not offer. */
	memset(rc, 0, sizeof(*rc));
	memset(rs, 0, sizeof(*rs));
	rfc1006_stream_free(&c);
	rfc1006_stream_init(&c, RFC1006_CALLER, &rec_cb, rc);
	rfc1006_stream_free(&s);
	rfc1006_stream_init(&s, RFC1006_CALLEE, &rec_cb, rs);
	rfc1006_stream_pair(&c, &s);
	feed(&c, rc, ex_cr, sizeof(ex_cr), 0);
	{
		struct cotp_tpdu	 t;
		uint8_t			 b[64];

		ck_assert_int_eq(rfc1006_parse(ex_cc, sizeof(ex_cc), &t,
		    NULL), 0);
		t.has |= COTP_HAS_OPT_SEL;
		t.opt_sel = 0x01;
		n = cotp_build_cc(b, sizeof(b), &t);
		ck_assert_int_gt(n, 0);
		feed(&s, rs, b, (size_t)n, 0);
	}
	ck_assert_int_eq(rs->na, 1);
	ck_assert_str_eq(rs->a[0].rule, "cotp_cc_options");
	free(rc);
	free(rs);
	rfc1006_stream_free(&c);
	rfc1006_stream_free(&s);
}
END_TEST

/* A 65535-byte DT: nothing of it is buffered, data comes as slices. */
START_TEST(test_big_dt_not_copied)
{
	struct rec	*r = calloc(1, sizeof(*r));
	uint8_t		*buf = malloc(sizeof(ex_cr) + 65535);
	uint32_t	 sum = 0;
	size_t		 i;

	memcpy(buf, ex_cr, sizeof(ex_cr));
	ck_assert_int_eq(cotp_build_dt_hdr(buf + sizeof(ex_cr), 65535, 1,
	    65528), 7);
	for (i = sizeof(ex_cr) + 7; i < sizeof(ex_cr) + 65535; i++) {
		buf[i] = (uint8_t)i;
		sum += buf[i];
	}
	decode_all_ways(RFC1006_CALLER, buf, sizeof(ex_cr) + 65535, r);
	ck_assert_int_eq(r->na, 0);
	ck_assert_int_eq(r->nt, 2);
	ck_assert_uint_eq(r->t[1].tpkt_len, 65535);
	ck_assert_uint_eq(r->t[1].udata_len, 65528);
	ck_assert_uint_eq(r->t[1].udata_kept, 0);
	ck_assert_uint_eq(r->ndata, 65528);
	ck_assert_uint_eq(r->sum, sum);
	free(buf);
	free(r);
}
END_TEST

START_TEST(test_cotp_parse)
{
	struct cotp_tpdu	 t;
	const char		*err = NULL;
	static const uint8_t	 one[] = { 0x02 };
	static const uint8_t	 lie[] = { 0x09, 0xf0, 0x80 };
	static const uint8_t	 over[] = { 0x08, 0xe0, 0x00, 0x00, 0x00, 0x01,
	    0x00, 0xc1, 0x05 };

	ck_assert_int_eq(cotp_parse(ex_cr + 4, sizeof(ex_cr) - 4, &t, &err),
	    0);
	ck_assert_uint_eq(t.type, COTP_CR);
	ck_assert_uint_eq(t.calling_len, 5);
	ck_assert_mem_eq(t.calling, "MTA-A", 5);
	ck_assert_int_eq(cotp_parse(ex_dt + 4, 6, &t, &err), 0);
	ck_assert_uint_eq(t.udata_len, 3);
	ck_assert_uint_eq(t.udata_kept, 3);
	ck_assert_ptr_eq(t.udata, ex_dt + 7);

	ck_assert_int_eq(cotp_parse(one, sizeof(one), &t, &err), -1);
	ck_assert_str_eq(err, "cotp_length");
	ck_assert_int_eq(cotp_parse(lie, sizeof(lie), &t, &err), -1);
	ck_assert_str_eq(err, "cotp_li");
	ck_assert_int_eq(cotp_parse(over, sizeof(over), &t, &err), -1);
	ck_assert_str_eq(err, "cotp_param");

	ck_assert_int_eq(rfc1006_parse(ex_dr, sizeof(ex_dr), &t, &err), 0);
	ck_assert_uint_eq(t.reason, 3);
	ck_assert_int_eq(rfc1006_parse(ex_dr, sizeof(ex_dr) - 1, &t, &err),
	    -1);
	ck_assert_str_eq(err, "tpkt_length");
	ck_assert_int_eq(rfc1006_parse(ex_dr, 3, &t, &err), -1);
	ck_assert_str_eq(err, "tpkt_length");
	ck_assert_int_eq(tpkt_parse(ex_er, sizeof(ex_er), NULL, NULL, &err),
	    0);
}
END_TEST

/* The builders reproduce the 1.8 examples byte for byte. */
START_TEST(test_builders)
{
	struct cotp_tpdu	 t, back;
	uint8_t			 buf[512];
	static const uint8_t	 bad[] = { 0x02, 0x50 };
	static const uint8_t	 d1[] = { 1, 2, 3 }, d2[] = { 4, 5 };
	ssize_t			 n;

	memset(&t, 0, sizeof(t));
	t.src_ref = 0x0001;
	t.has = COTP_HAS_TPDU_SIZE;
	t.tpdu_size = 0x0b;
	ck_assert_int_eq(cotp_set_tsap(&t, COTP_P_CALLING_TSAP, "MTA-A", 5),
	    0);
	ck_assert_int_eq(cotp_set_tsap(&t, COTP_P_CALLED_TSAP, "MTA-B", 5),
	    0);
	n = cotp_build_cr(buf, sizeof(buf), &t);
	ck_assert_int_eq(n, sizeof(ex_cr));
	ck_assert_mem_eq(buf, ex_cr, sizeof(ex_cr));
	ck_assert_int_eq(rfc1006_parse(buf, (size_t)n, &back, NULL), 0);
	ck_assert_uint_eq(back.src_ref, 1);
	ck_assert_int_eq(cotp_build_cr(buf, 20, &t), -1);

	t.dst_ref = 0x0001;
	t.src_ref = 0x0002;
	n = cotp_build_cc(buf, sizeof(buf), &t);
	ck_assert_int_eq(n, sizeof(ex_cc));
	ck_assert_mem_eq(buf, ex_cc, sizeof(ex_cc));

	n = cotp_build_dr(buf, sizeof(buf), 0x0001, 0x0002, 0x03);
	ck_assert_int_eq(n, sizeof(ex_dr));
	ck_assert_mem_eq(buf, ex_dr, sizeof(ex_dr));

	n = cotp_build_er(buf, sizeof(buf), 0x0001, 0x02, bad, sizeof(bad));
	ck_assert_int_eq(n, sizeof(ex_er));
	ck_assert_mem_eq(buf, ex_er, sizeof(ex_er));

	n = cotp_build_dt(buf, sizeof(buf), 0, d1, sizeof(d1));
	ck_assert_int_eq(n, 10);
	n += cotp_build_dt(buf + n, sizeof(buf) - (size_t)n, 1, d2,
	    sizeof(d2));
	ck_assert_int_eq(n, sizeof(ex_dt));
	ck_assert_mem_eq(buf, ex_dt, sizeof(ex_dt));
	ck_assert_int_eq(cotp_build_dt(buf, sizeof(buf), 1, NULL, 65529), -1);

	/* A 252-byte TSAP is the most LI allows; 253 is refused. */
	memset(&t, 0, sizeof(t));
	memset(buf, 'x', 300);
	ck_assert_int_eq(cotp_set_tsap(&t, COTP_P_CALLING_TSAP, buf, 253),
	    -1);
	ck_assert_int_eq(cotp_set_tsap(&t, COTP_P_CALLING_TSAP, buf, 246),
	    0);
	n = cotp_build_cr(buf, sizeof(buf), &t);
	ck_assert_int_eq(n, 4 + 1 + 254);
	ck_assert_int_eq(rfc1006_parse(buf, (size_t)n, &back, NULL), 0);
	ck_assert_uint_eq(back.calling_len, 246);
	ck_assert_int_eq(cotp_set_tsap(&t, COTP_P_CALLING_TSAP, buf, 247),
	    0);
	ck_assert_int_eq(cotp_build_cr(buf, sizeof(buf), &t), -1);
}
END_TEST

START_TEST(test_names)
{
	char		 buf[64];
	static const uint8_t bin[] = { 0x00, 0x01, 0xab };

	ck_assert_str_eq(cotp_type_name(0xe0), "CR");
	ck_assert_str_eq(cotp_type_name(0xd0), "CC");
	ck_assert_str_eq(cotp_type_name(0xf0), "DT");
	ck_assert_str_eq(cotp_type_name(0x80), "DR");
	ck_assert_str_eq(cotp_type_name(0x70), "ER");
	ck_assert_str_eq(cotp_type_name(0x30), "unknown");
	ck_assert_str_eq(cotp_dr_reason_name(0x00), "not specified");
	ck_assert_str_eq(cotp_dr_reason_name(0x03), "address unknown");
	ck_assert_str_eq(cotp_dr_reason_name(0x80), "normal");
	ck_assert_str_eq(cotp_dr_reason_name(0x8a),
	    "header or parameter length invalid");
	ck_assert_str_eq(cotp_er_cause_name(0x01), "invalid parameter code");
	ck_assert_str_eq(cotp_er_cause_name(0x03), "invalid parameter value");
	ck_assert_str_eq(cotp_violation_rule(COTP_V_USER_DATA),
	    "cotp_user_data");
	ck_assert_str_eq(cotp_tsap_str(bin, sizeof(bin), buf, sizeof(buf)),
	    "0001ab");
	ck_assert_str_eq(cotp_tsap_hex((const uint8_t *)"MTA", 3, buf,
	    sizeof(buf)), "4d5441");
	/* Truncation keeps whole bytes and the NUL. */
	ck_assert_str_eq(cotp_tsap_hex(bin, sizeof(bin), buf, 6), "0001");
	ck_assert_str_eq(cotp_tsap_str((const uint8_t *)"MTA88-DECUS1", 12,
	    buf, 8), "MTA88-D");
	ck_assert_uint_eq(cotp_tpdu_size_bytes(0x07), 128);
	ck_assert_uint_eq(cotp_tpdu_size_bytes(0x0d), 8192);
	ck_assert_uint_eq(cotp_tpdu_size_bytes(0x0e), 0);
}
END_TEST

/* Builder output as Wireshark's TPKT/COTP dissectors read it. */
START_TEST(test_tshark)
{
	struct pcapw		 w;
	struct cotp_tpdu	 t;
	uint8_t			 buf[256];
	char			 path[] = "/tmp/check_rfc1006.XXXXXX";
	char			 args[512];
	const char		*out;
	ssize_t			 n, m;
	int			 fd;
	static const uint8_t	 d1[] = { 1, 2, 3 }, d2[] = { 4, 5 };
	static const uint8_t	 er[] = { 0x02, 0x50 };

	if (!check_have_tshark()) {
		fprintf(stderr, "SKIP test_tshark: tshark not found\n");
		return;
	}
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	pcapw_open(&w, path, 10102);
	memset(&t, 0, sizeof(t));
	t.src_ref = 0x0001;
	t.has = COTP_HAS_TPDU_SIZE;
	t.tpdu_size = 0x0b;
	cotp_set_tsap(&t, COTP_P_CALLING_TSAP, "MTA-A", 5);
	cotp_set_tsap(&t, COTP_P_CALLED_TSAP, "MTA-B", 5);
	n = cotp_build_cr(buf, sizeof(buf), &t);
	pcapw_seg(&w, 0, buf, (size_t)n);
	t.dst_ref = 0x0001;
	t.src_ref = 0x0002;
	n = cotp_build_cc(buf, sizeof(buf), &t);
	pcapw_seg(&w, 1, buf, (size_t)n);
	n = cotp_build_dt(buf, sizeof(buf), 0, d1, sizeof(d1));
	m = cotp_build_dt(buf + n, sizeof(buf) - (size_t)n, 1, d2,
	    sizeof(d2));
	pcapw_seg(&w, 0, buf, (size_t)(n + m));
	n = cotp_build_dr(buf, sizeof(buf), 0x0001, 0x0002, 0x03);
	pcapw_seg(&w, 1, buf, (size_t)n);
	n = cotp_build_er(buf, sizeof(buf), 0x0001, 0x02, er, sizeof(er));
	pcapw_seg(&w, 1, buf, (size_t)n);
	fclose(w.f);

	snprintf(args, sizeof(args), "-r %s -d tcp.port==10102,tpkt -T fields "
	    "-e cotp.type -e cotp.srcref -e cotp.destref -e cotp.tpdu_size "
	    "-e cotp.src-tsap -e cotp.dst-tsap -e cotp.eot", path);
	out = check_tshark(args);
	ck_assert_str_eq(out,
	    "0x0e\t0x0001\t0x0000\t2048\tMTA-A\tMTA-B\t\n"
	    "0x0d\t0x0002\t0x0001\t2048\tMTA-A\tMTA-B\t\n"
	    "0x0f,0x0f\t\t0x0000,0x0000\t\t\t\t0,1\n"
	    "0x08\t0x0002\t0x0001\t\t\t\t\n"
	    /* 1.8: tshark calls the ER's C1 "Source TSAP". */
	    "0x07\t\t0x0001\t\t0x0250\t\t\n");
	/* DR reason 3, ER cause 2. */
	snprintf(args, sizeof(args), "-r %s -d tcp.port==10102,tpkt -T fields "
	    "-e cotp.cause -e cotp.reject_cause", path);
	out = check_tshark(args);
	ck_assert_str_eq(out, "\t\n\t\n\t\n3\t\n\t2\n");
	unlink(path);
}
END_TEST

static Suite *
rfc1006_suite(void)
{
	Suite	*s = suite_create("rfc1006");
	TCase	*tc;

	tc = tcase_create("examples");
	tcase_add_test(tc, test_example_cr);
	tcase_add_test(tc, test_example_cc);
	tcase_add_test(tc, test_example_dt);
	tcase_add_test(tc, test_example_dr);
	tcase_add_test(tc, test_example_er);
	tcase_add_test(tc, test_paired_conversation);
	tcase_add_test(tc, test_partial_and_boundary);
	suite_add_tcase(s, tc);

	tc = tcase_create("anomalies");
	tcase_add_test(tc, test_tpkt_version);
	tcase_add_test(tc, test_tpkt_length);
	tcase_add_test(tc, test_tpkt_reserved);
	tcase_add_test(tc, test_cotp_li);
	tcase_add_test(tc, test_cotp_param);
	tcase_add_test(tc, test_cotp_violations);
	tcase_add_test(tc, test_cotp_state);
	tcase_add_test(tc, test_classes_and_eof);
	tcase_add_test(tc, test_negotiation);
	tcase_add_test(tc, test_big_dt_not_copied);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_build");
	tcase_add_test(tc, test_cotp_parse);
	tcase_add_test(tc, test_builders);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("tshark");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_tshark);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { rfc1006_suite, NULL, NULL };
