/*
 * Unit tests of src/mtasim/mtabind.c: the lab's MtaBind stub carries the
 * caller's bindback string binding as an NDR conformant varying UTF-16LE
 * string, where libfwproto's strbind scanner (the firewall's view) finds
 * it; the decoders refuse every truncation and malformed field.
 */

#include <sys/types.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasim.h"
#include "strbind.h"
#include "check_main.h"

/* MtaBind("A", "h", 1), byte by byte. */
static const uint8_t small_bind[] = {
	0x01, 0x00, 0x00, 0x00,		/* version 1 */
	0x00, 0x00, 0x02, 0x00,		/* referent of the name */
	0x02, 0x00, 0x00, 0x00,		/* max_count: "A" and NUL */
	0x00, 0x00, 0x00, 0x00,		/* offset */
	0x02, 0x00, 0x00, 0x00,		/* actual_count */
	0x41, 0x00, 0x00, 0x00,		/* "A" NUL, aligned */
	0x04, 0x00, 0x02, 0x00,		/* referent of the binding */
	0x12, 0x00, 0x00, 0x00,		/* 17 characters and NUL */
	0x00, 0x00, 0x00, 0x00,
	0x12, 0x00, 0x00, 0x00,
	'n', 0, 'c', 0, 'a', 0, 'c', 0, 'n', 0, '_', 0, 'i', 0, 'p', 0,
	'_', 0, 't', 0, 'c', 0, 'p', 0, ':', 0, 'h', 0, '[', 0, '1', 0,
	']', 0, 0, 0			/* 36 bytes: 76, aligned */
};

START_TEST(test_bind_bytes)
{
	uint8_t	 buf[256];
	ssize_t	 n;

	n = mtabind_build_bind(buf, sizeof(buf), "A", "h", 1);
	ck_assert_int_eq(n, (ssize_t)sizeof(small_bind));
	ck_assert_mem_eq(buf, small_bind, sizeof(small_bind));
	/* Exactly the room needed works, one byte less does not. */
	ck_assert_int_eq(mtabind_build_bind(buf, sizeof(small_bind), "A", "h",
	    1), (ssize_t)sizeof(small_bind));
	ck_assert_int_eq(mtabind_build_bind(buf, sizeof(small_bind) - 1, "A",
	    "h", 1), -1);
	/* A host strbind would not accept. */
	ck_assert_int_eq(mtabind_build_bind(buf, sizeof(buf), "A", "bad host",
	    1), -1);
}
END_TEST

/* What a firewall scanning the stub sees: the binding, in UTF-16LE. */
START_TEST(test_bind_scanned)
{
	uint8_t		 buf[512];
	struct strbind	 sb[2];
	ssize_t		 n;

	n = mtabind_build_bind(buf, sizeof(buf), "MTA-IN", "mta-in", 10200);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strbind_scan(buf, (size_t)n, sb, 2), 1);
	ck_assert_int_eq(sb[0].enc, STRBIND_UTF16LE);
	ck_assert_str_eq(sb[0].host, "mta-in");
	ck_assert_uint_eq(sb[0].port, 10200);
	/* 8 + 12 + 2 * 7 ("MTA-IN" NUL) = 34, padded to 36; ref 4; 12. */
	ck_assert_uint_eq(sb[0].off, 52);
	ck_assert_uint_eq(sb[0].len, 2 * strlen("ncacn_ip_tcp:mta-in[10200]"));
	ck_assert_uint_eq((size_t)n, 52 + sb[0].len + 2 + 2);

	n = mtabind_build_bind(buf, sizeof(buf), "MTA-IN", "127.2.0.1", 49152);
	ck_assert_uint_eq(strbind_scan(buf, (size_t)n, sb, 2), 1);
	ck_assert_str_eq(sb[0].host, "127.2.0.1");
	ck_assert_uint_eq(sb[0].port, 49152);
}
END_TEST

START_TEST(test_bind_parse)
{
	uint8_t		 buf[512];
	struct strbind	 sb;
	char		 name[MTA_NAME_MAX];
	const char	*errstr = NULL;
	ssize_t		 n;

	n = mtabind_build_bind(buf, sizeof(buf), "MTA-IN", "mta-in", 10200);
	ck_assert_int_eq(mtabind_parse_bind(buf, (size_t)n, name, sizeof(name),
	    &sb, &errstr), 0);
	ck_assert_str_eq(name, "MTA-IN");
	ck_assert_str_eq(sb.host, "mta-in");
	ck_assert_uint_eq(sb.port, 10200);
	/* Offsets are relative to the stub, as a rewrite would need. */
	ck_assert_uint_eq(sb.off, 52);
	ck_assert_uint_eq(sb.host_off, 52 + 26);
	ck_assert_uint_eq(sb.port_off, 52 + 2 * 20);
	ck_assert_int_eq(memcmp(buf + sb.port_off, "1\0" "0\0" "2\0", 6), 0);
}
END_TEST

/* Every truncation of a good stub is refused, never read past. */
START_TEST(test_bind_truncated)
{
	uint8_t		*p;
	struct strbind	 sb;
	char		 name[MTA_NAME_MAX];
	const char	*errstr;
	size_t		 len;

	for (len = 0; len < sizeof(small_bind); len++) {
		p = malloc(len ? len : 1);
		memcpy(p, small_bind, len);
		errstr = NULL;
		ck_assert_msg(mtabind_parse_bind(p, len, name, sizeof(name),
		    &sb, &errstr) == -1, "length %zu accepted", len);
		ck_assert_ptr_nonnull(errstr);
		free(p);
	}
	ck_assert_int_eq(mtabind_parse_bind(small_bind, sizeof(small_bind),
	    name, sizeof(name), &sb, &errstr), 0);
	ck_assert_str_eq(name, "A");
}
END_TEST

START_TEST(test_bind_malformed)
{
	uint8_t		 p[sizeof(small_bind)];
	struct strbind	 sb;
	char		 name[MTA_NAME_MAX], tiny[2];
	const char	*errstr;

	memcpy(p, small_bind, sizeof(p));
	p[0] = 2;
	ck_assert_int_eq(mtabind_parse_bind(p, sizeof(p), name, sizeof(name),
	    &sb, &errstr), -1);
	ck_assert_str_eq(errstr, "mtabind_version");

	memcpy(p, small_bind, sizeof(p));
	p[21] = 0x01;			/* "A" -> U+0141: not ASCII */
	ck_assert_int_eq(mtabind_parse_bind(p, sizeof(p), name, sizeof(name),
	    &sb, &errstr), -1);
	ck_assert_str_eq(errstr, "mtabind_name");

	memcpy(p, small_bind, sizeof(p));
	p[24] = p[25] = p[26] = p[27] = 0;	/* null binding pointer */
	ck_assert_int_eq(mtabind_parse_bind(p, sizeof(p), name, sizeof(name),
	    &sb, &errstr), -1);
	ck_assert_str_eq(errstr, "mtabind_null_binding");

	memcpy(p, small_bind, sizeof(p));
	p[72] = 'x';			/* "]" -> "x": no binding */
	ck_assert_int_eq(mtabind_parse_bind(p, sizeof(p), name, sizeof(name),
	    &sb, &errstr), -1);
	ck_assert_str_eq(errstr, "mtabind_binding");

	memcpy(p, small_bind, sizeof(p));
	p[74] = '?';			/* the terminating NUL */
	ck_assert_int_eq(mtabind_parse_bind(p, sizeof(p), name, sizeof(name),
	    &sb, &errstr), -1);
	ck_assert_str_eq(errstr, "mtabind_string_nul");

	memcpy(p, small_bind, sizeof(p));
	p[16] = 3;			/* actual_count > max_count */
	ck_assert_int_eq(mtabind_parse_bind(p, sizeof(p), name, sizeof(name),
	    &sb, &errstr), -1);
	ck_assert_str_eq(errstr, "mtabind_string");

	/* A name that does not fit the caller's buffer. */
	ck_assert_int_eq(mtabind_parse_bind(small_bind, sizeof(small_bind),
	    tiny, 1, &sb, &errstr), -1);
	ck_assert_str_eq(errstr, "mtabind_name");
}
END_TEST

START_TEST(test_bindback)
{
	uint8_t		 buf[128];
	char		 name[MTA_NAME_MAX];
	const char	*errstr;
	ssize_t		 n;
	size_t		 len;

	n = mtabind_build_bindback(buf, sizeof(buf), "MTA-OUT");
	/* 8 + 12 + 16 (7 characters and NUL) = 36. */
	ck_assert_int_eq(n, 36);
	ck_assert_int_eq(mtabind_parse_bindback(buf, (size_t)n, name,
	    sizeof(name), &errstr), 0);
	ck_assert_str_eq(name, "MTA-OUT");
	for (len = 0; len < (size_t)n - 2; len++)
		ck_assert_int_eq(mtabind_parse_bindback(buf, len, name,
		    sizeof(name), &errstr), -1);
}
END_TEST

START_TEST(test_transfer_status)
{
	uint8_t		 buf[64];
	const uint8_t	*msg;
	size_t		 len;
	uint32_t	 st;
	const char	*errstr;
	ssize_t		 n;

	n = mtabind_build_transfer(buf, sizeof(buf), (const uint8_t *)"hello",
	    5);
	ck_assert_int_eq(n, 16);	/* 8 + 5, padded */
	ck_assert_int_eq(mtabind_parse_transfer(buf, (size_t)n, &msg, &len,
	    &errstr), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(msg, "hello", 5);
	buf[0] = 9;			/* longer than the stub */
	ck_assert_int_eq(mtabind_parse_transfer(buf, (size_t)n, &msg, &len,
	    &errstr), -1);
	ck_assert_str_eq(errstr, "mtabind_transfer_length");

	ck_assert_int_eq(mtabind_build_status(buf, sizeof(buf), 1722), 4);
	ck_assert_int_eq(buf[0], 0xba);
	ck_assert_int_eq(buf[1], 0x06);
	ck_assert_int_eq(mtabind_parse_status(buf, 4, &st), 0);
	ck_assert_uint_eq(st, MTA_RPC_S_SERVER_UNAVAILABLE);
	ck_assert_int_eq(mtabind_parse_status(buf, 3, &st), -1);
}
END_TEST

static Suite *
mtabind_suite(void)
{
	Suite	*s = suite_create("mtasim_mtabind");
	TCase	*tc;

	tc = tcase_create("mtabind");
	tcase_add_test(tc, test_bind_bytes);
	tcase_add_test(tc, test_bind_scanned);
	tcase_add_test(tc, test_bind_parse);
	tcase_add_test(tc, test_bind_truncated);
	tcase_add_test(tc, test_bind_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("other");
	tcase_add_test(tc, test_bindback);
	tcase_add_test(tc, test_transfer_status);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { mtabind_suite, NULL, NULL };
