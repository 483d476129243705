/*
 * Unit tests of fault.c's pure parts: parameters from a fault object,
 * DR reason names, TPKT framing, the token bucket, and the run-time fault
 * list of a relay. The data path is tested against the daemon
 * (tests/integration/t-fault-*.sh).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fwrelay.h"
#include "fault.h"
#include "rfc1006.h"
#include "check_main.h"

/* A checked fault_conf from JSON text, parsed into p. */
static int
parse(const char *text, struct fault_params *p)
{
	struct fault_conf	 fc;
	const char		*err = NULL;
	json_t			*j;
	int			 r;

	j = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(j);
	if (fault_conf_from_json(j, &fc, &err) == -1) {
		json_decref(j);
		return (-1);
	}
	r = fault_params_parse(&fc, p, &err);
	fault_conf_clear(&fc);
	json_decref(j);
	return (r);
}

START_TEST(test_params_types)
{
	struct fault_params	 p;

	ck_assert_int_eq(parse("{\"type\": \"latency\", \"latency_ms\": 300, "
	    "\"jitter_ms\": 20, \"direction\": \"upstream\"}", &p), 0);
	ck_assert_int_eq(p.type, FAULT_LATENCY);
	ck_assert(p.ms == 300 && p.jitter_ms == 20);
	ck_assert_int_eq(p.direction, FAULT_UP);
	ck_assert(p.probability == 1.0);

	ck_assert_int_eq(parse("{\"type\": \"bandwidth\", "
	    "\"bytes_per_second\": 1000, \"probability\": 0.5}", &p), 0);
	ck_assert(p.rate == 1000 && p.probability == 0.5);
	ck_assert_int_eq(p.direction, FAULT_UP | FAULT_DOWN);

	ck_assert_int_eq(parse("{\"type\": \"reset_after\", \"bytes\": 0}",
	    &p), 0);
	ck_assert_int_eq(p.type, FAULT_RESET_AFTER);
	ck_assert_uint_eq(p.bytes, 0);

	ck_assert_int_eq(parse("{\"type\": \"slicer\", \"size\": 10, "
	    "\"delay_ms\": 50, \"direction\": \"downstream\"}", &p), 0);
	ck_assert(p.bytes == 10 && p.ms == 50 && p.direction == FAULT_DOWN);

	ck_assert_int_eq(parse("{\"type\": \"idle_blackhole\", "
	    "\"idle_seconds\": 1.5}", &p), 0);
	ck_assert(p.idle == 1.5);
	ck_assert_int_eq(parse("{\"type\": \"blackhole\"}", &p), 0);
	ck_assert_int_eq(p.type, FAULT_BLACKHOLE);
}
END_TEST

START_TEST(test_params_pdu)
{
	struct fault_params	 p;

	ck_assert_int_eq(parse("{\"type\": \"pdu_drop\"}", &p), 0);
	ck_assert_int_eq(p.tpdu, COTP_DT);		/* the default */
	ck_assert_int_eq(parse("{\"type\": \"pdu_delay\", \"delay_ms\": 5, "
	    "\"tpdu\": \"cc\"}", &p), 0);
	ck_assert_int_eq(p.tpdu, COTP_CC);
	ck_assert(p.ms == 5);
	ck_assert_int_eq(parse("{\"type\": \"cr_refuse\"}", &p), 0);
	ck_assert_int_eq(p.code, 3);			/* address unknown */
	ck_assert_int_eq(parse("{\"type\": \"cr_refuse\", "
	    "\"reason\": \"Normal\"}", &p), 0);
	ck_assert_int_eq(p.code, 128);
	ck_assert_int_eq(parse("{\"type\": \"cr_refuse\", \"reason\": 136}",
	    &p), 0);
	ck_assert_int_eq(p.code, 136);
	ck_assert_int_eq(parse("{\"type\": \"er_reply\", \"cause\": 2}", &p),
	    0);
	ck_assert_int_eq(p.code, 2);
	ck_assert_int_eq(parse("{\"type\": \"er_reply\"}", &p), 0);
	ck_assert_int_eq(p.code, 0);
	ck_assert(fault_needs_rfc1006(FAULT_CR_REFUSE));
	ck_assert(fault_needs_rfc1006(FAULT_PDU_DELAY));
	ck_assert(!fault_needs_rfc1006(FAULT_SLICER));
	ck_assert_str_eq(fault_type_name(FAULT_IDLE_BLACKHOLE),
	    "idle_blackhole");
	ck_assert_str_eq(fault_type_name(FAULT_NTYPES), "unknown");
}
END_TEST

START_TEST(test_params_refused)
{
	struct fault_params	 p;

	ck_assert_int_eq(parse("{\"type\": \"latency\"}", &p), -1);
	ck_assert_int_eq(parse("{\"type\": \"bandwidth\", "
	    "\"bytes_per_second\": 0}", &p), -1);
	ck_assert_int_eq(parse("{\"type\": \"cr_refuse\", "
	    "\"reason\": \"bored\"}", &p), -1);
	ck_assert_int_eq(parse("{\"type\": \"nope\"}", &p), -1);
}
END_TEST

START_TEST(test_reason_code)
{
	json_t	*v;

	v = json_string("CONNECTION REQUEST REFUSED");
	ck_assert_int_eq(fault_reason_code(v), 136);
	json_decref(v);
	v = json_integer(256);
	ck_assert_int_eq(fault_reason_code(v), -1);
	json_decref(v);
	v = json_real(3.5);
	ck_assert_int_eq(fault_reason_code(v), -1);
	json_decref(v);
	v = json_real(2.0);
	ck_assert_int_eq(fault_reason_code(v), 2);
	json_decref(v);
}
END_TEST

/* PROTOCOLS.md 1.8: two DTs in one segment. */
static const uint8_t two_dt[] = {
	0x03, 0x00, 0x00, 0x0a, 0x02, 0xf0, 0x00, 0x01, 0x02, 0x03,
	0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x04, 0x05
};

START_TEST(test_framer_whole)
{
	struct fault_framer	 fr;
	uint8_t			 buf[TPKT_MAXLEN];
	size_t			 used;
	int			 done;

	memset(&fr, 0, sizeof(fr));
	fr.buf = buf;
	used = fault_framer_feed(&fr, two_dt, sizeof(two_dt), &done);
	ck_assert_uint_eq(used, 10);
	ck_assert_int_eq(done, 1);
	ck_assert_uint_eq(fr.need, 10);
	ck_assert_mem_eq(buf, two_dt, 10);
	fr.have = 0;
	used = fault_framer_feed(&fr, two_dt + 10, sizeof(two_dt) - 10, &done);
	ck_assert_uint_eq(used, 9);
	ck_assert_int_eq(done, 1);
	ck_assert_mem_eq(buf, two_dt + 10, 9);
	ck_assert_int_eq(fr.lost, 0);
}
END_TEST

START_TEST(test_framer_bytewise)
{
	struct fault_framer	 fr;
	uint8_t			 buf[TPKT_MAXLEN];
	size_t			 i, n = 0;
	int			 done;

	memset(&fr, 0, sizeof(fr));
	fr.buf = buf;
	for (i = 0; i < sizeof(two_dt); i++) {
		ck_assert_uint_eq(fault_framer_feed(&fr, two_dt + i, 1,
		    &done), 1);
		if (done) {
			n++;
			ck_assert(i == 9 || i == 18);
			fr.have = 0;
		}
	}
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(test_framer_lost)
{
	struct fault_framer	 fr;
	uint8_t			 buf[TPKT_MAXLEN];
	static const uint8_t	 http[] = "GET / HTTP/1.0\r\n";
	static const uint8_t	 shorty[] = { 0x03, 0x00, 0x00, 0x06, 0x01 };
	size_t			 used;
	int			 done;

	memset(&fr, 0, sizeof(fr));
	fr.buf = buf;
	used = fault_framer_feed(&fr, http, sizeof(http) - 1, &done);
	ck_assert_int_eq(fr.lost, 1);
	ck_assert_int_eq(done, 0);
	/* The header bytes taken are handed back in buf. */
	ck_assert_uint_eq(used, 4);
	ck_assert_uint_eq(fr.have, 4);
	ck_assert_mem_eq(buf, "GET ", 4);
	ck_assert_uint_eq(fault_framer_feed(&fr, http, 3, &done), 0);

	memset(&fr, 0, sizeof(fr));
	fr.buf = buf;
	used = fault_framer_feed(&fr, shorty, sizeof(shorty), &done);
	ck_assert_int_eq(fr.lost, 1);		/* length 6 < 7 */
	ck_assert_uint_eq(used, 4);
}
END_TEST

START_TEST(test_bucket)
{
	ck_assert(fault_bucket_burst(100000) == 5000);
	ck_assert(fault_bucket_burst(10) == 1);
	/* 0.01 s at 100 kB/s: 1000 tokens more. */
	ck_assert(fault_bucket_refill(0, 100000, 0.01, 5000) == 1000);
	/* Never above the burst, however long it waited. */
	ck_assert(fault_bucket_refill(4000, 100000, 10, 5000) == 5000);
	/* A clock step backwards adds nothing. */
	ck_assert(fault_bucket_refill(10, 100000, -1, 5000) == 10);
}
END_TEST

START_TEST(test_runtime_list)
{
	struct relay		 rl;
	struct relay_conf	 rc;
	const char		*err = NULL;
	json_t			*j, *l;
	int			 id1, id2;

	memset(&rl, 0, sizeof(rl));
	memset(&rc, 0, sizeof(rc));
	rc.protocol = PROTO_NONE;
	rl.rl_conf = &rc;
	j = json_pack("{s:s, s:i}", "type", "latency", "latency_ms", 10);
	ck_assert_int_eq(fault_add(&rl, j, &id1, &err), 0);
	json_decref(j);
	j = json_pack("{s:s, s:i, s:s}", "type", "slicer", "size", 4,
	    "direction", "downstream");
	ck_assert_int_eq(fault_add(&rl, j, &id2, &err), 0);
	json_decref(j);
	ck_assert_int_eq(id2, id1 + 1);

	j = json_pack("{s:s}", "type", "cr_refuse");
	ck_assert_int_eq(fault_add(&rl, j, &id2, &err), -1);
	ck_assert_str_eq(err, "this fault type needs protocol \"rfc1006\"");
	json_decref(j);
	j = json_pack("{s:s}", "type", "latency");
	ck_assert_int_eq(fault_add(&rl, j, &id2, &err), -1);
	ck_assert_str_eq(err, "'latency_ms' is required");
	json_decref(j);

	l = fault_list_json(&rl);
	ck_assert_uint_eq(json_array_size(l), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l,
	    1), "direction")), "downstream");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l,
	    0), "origin")), "runtime");
	json_decref(l);

	ck_assert_int_eq(fault_remove(&rl, id1), 0);
	ck_assert_int_eq(fault_remove(&rl, id1), -1);
	l = fault_list_json(&rl);
	ck_assert_uint_eq(json_array_size(l), 1);
	json_decref(l);
	fault_relay_free(&rl);
	ck_assert_ptr_null(rl.rl_faults);
}
END_TEST

static Suite *
fault_suite(void)
{
	Suite	*s = suite_create("fault");
	TCase	*tc;

	tc = tcase_create("params");
	tcase_add_test(tc, test_params_types);
	tcase_add_test(tc, test_params_pdu);
	tcase_add_test(tc, test_params_refused);
	tcase_add_test(tc, test_reason_code);
	suite_add_tcase(s, tc);
	tc = tcase_create("framer");
	tcase_add_test(tc, test_framer_whole);
	tcase_add_test(tc, test_framer_bytewise);
	tcase_add_test(tc, test_framer_lost);
	suite_add_tcase(s, tc);
	tc = tcase_create("bucket");
	tcase_add_test(tc, test_bucket);
	suite_add_tcase(s, tc);
	tc = tcase_create("runtime");
	tcase_add_test(tc, test_runtime_list);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { fault_suite, NULL, NULL };
