/*
 * Unit tests of src/proto/strbind.c: ncacn_ip_tcp string bindings in ASCII
 * and UTF-16LE inside opaque bytes, at the buffer edges, malformed ones, and
 * the encoders. Buffers are malloc'd to their exact size so a sanitizer or
 * valgrind run sees any read past the end.
 */

#include <sys/types.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbind.h"
#include "check_main.h"

/* An exact-size heap copy of s in the given encoding. */
static uint8_t *
enc(const char *s, enum strbind_enc e, size_t *len)
{
	size_t	 n = strlen(s), i;
	uint8_t	*p;

	*len = e == STRBIND_UTF16LE ? 2 * n : n;
	p = malloc(*len ? *len : 1);
	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++) {
		if (e == STRBIND_UTF16LE) {
			p[2 * i] = (uint8_t)s[i];
			p[2 * i + 1] = 0;
		} else
			p[i] = (uint8_t)s[i];
	}
	return (p);
}

/* How many bindings s holds in encoding e; the first one in *sb. */
static size_t
scan1(const char *s, enum strbind_enc e, struct strbind *sb)
{
	uint8_t	*p;
	size_t	 len, n;

	p = enc(s, e, &len);
	n = strbind_scan(p, len, sb, 1);
	free(p);
	return (n);
}

START_TEST(test_ascii)
{
	struct strbind	 sb;
	const char	*s = "\x01\x02junk ncacn_ip_tcp:xxx[1151] tail";

	ck_assert_uint_eq(scan1(s, STRBIND_ASCII, &sb), 1);
	ck_assert_int_eq(sb.enc, STRBIND_ASCII);
	ck_assert_str_eq(sb.host, "xxx");
	ck_assert_uint_eq(sb.port, 1151);
	ck_assert_uint_eq(sb.off, 7);
	ck_assert_uint_eq(sb.len, strlen("ncacn_ip_tcp:xxx[1151]"));
	ck_assert_uint_eq(sb.host_off, 7 + 13);
	ck_assert_uint_eq(sb.host_len, 3);
	ck_assert_uint_eq(sb.port_off, 7 + 17);
	ck_assert_uint_eq(sb.port_len, 4);
	ck_assert_str_eq(strbind_enc_name(sb.enc), "ascii");
}
END_TEST

START_TEST(test_utf16)
{
	struct strbind	 sb;
	const char	*s = "xx ncacn_ip_tcp:mta-a.example.org[49700] yy";

	ck_assert_uint_eq(scan1(s, STRBIND_UTF16LE, &sb), 1);
	ck_assert_int_eq(sb.enc, STRBIND_UTF16LE);
	ck_assert_str_eq(sb.host, "mta-a.example.org");
	ck_assert_uint_eq(sb.port, 49700);
	ck_assert_uint_eq(sb.off, 6);
	ck_assert_uint_eq(sb.len, 2 * strlen("ncacn_ip_tcp:mta-a.example.org"
	    "[49700]"));
	ck_assert_uint_eq(sb.host_off, 6 + 26);
	ck_assert_uint_eq(sb.host_len, 34);
	ck_assert_uint_eq(sb.port_off, 6 + 2 * 31);
	ck_assert_uint_eq(sb.port_len, 10);
	ck_assert_str_eq(strbind_enc_name(sb.enc), "utf-16le");
}
END_TEST

/* UTF-16 at an odd offset and ASCII in one buffer, in order. */
START_TEST(test_mixed)
{
	uint8_t		 buf[256];
	struct strbind	 sb[4];
	size_t		 n = 0;
	ssize_t		 m;

	buf[n++] = 0xff;
	m = strbind_encode(buf + n, sizeof(buf) - n, STRBIND_UTF16LE,
	    "192.0.2.1", 1151);
	ck_assert_int_gt(m, 0);
	n += (size_t)m;
	buf[n++] = 0;
	m = strbind_encode(buf + n, sizeof(buf) - n, STRBIND_ASCII,
	    "MTA_B", 135);
	n += (size_t)m;
	ck_assert_uint_eq(strbind_scan(buf, n, sb, 4), 2);
	ck_assert_int_eq(sb[0].enc, STRBIND_UTF16LE);
	ck_assert_uint_eq(sb[0].off, 1);
	ck_assert_str_eq(sb[0].host, "192.0.2.1");
	ck_assert_uint_eq(sb[0].port, 1151);
	ck_assert_int_eq(sb[1].enc, STRBIND_ASCII);
	ck_assert_str_eq(sb[1].host, "MTA_B");
	ck_assert_uint_eq(sb[1].port, 135);
	ck_assert_uint_eq(sb[1].off + sb[1].len, n);
	/* Only room for one: the count is still 2. */
	ck_assert_uint_eq(strbind_scan(buf, n, sb, 1), 2);
	ck_assert_uint_eq(strbind_scan(buf, n, NULL, 0), 2);
}
END_TEST

/* A binding that fills the buffer exactly, and the same cut short. */
START_TEST(test_edges)
{
	static const enum strbind_enc encs[] = {
		STRBIND_ASCII, STRBIND_UTF16LE
	};
	const char	*s = "ncacn_ip_tcp:h[65535]";
	struct strbind	 sb;
	uint8_t		*p, *q;
	size_t		 len, i, cut;

	for (i = 0; i < 2; i++) {
		p = enc(s, encs[i], &len);
		ck_assert_uint_eq(strbind_scan(p, len, &sb, 1), 1);
		ck_assert_uint_eq(sb.off, 0);
		ck_assert_uint_eq(sb.len, len);
		ck_assert_uint_eq(sb.port, 65535);
		/* Every shorter prefix holds no binding. */
		for (cut = 0; cut < len; cut++) {
			q = malloc(cut ? cut : 1);
			memcpy(q, p, cut);
			ck_assert_uint_eq(strbind_scan(q, cut, &sb, 1), 0);
			free(q);
		}
		free(p);
	}
	ck_assert_uint_eq(strbind_scan(NULL, 0, &sb, 1), 0);
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"ncacn_ip_tcp:host[0]",
		"ncacn_ip_tcp:host[65536]",
		"ncacn_ip_tcp:host[99999]",
		"ncacn_ip_tcp:host[123456]",
		"ncacn_ip_tcp:host[01151]",
		"ncacn_ip_tcp:host[]",
		"ncacn_ip_tcp:host[11a1]",
		"ncacn_ip_tcp:host[-1]",
		"ncacn_ip_tcp:host[1151,endpoint]",
		"ncacn_ip_tcp:host[1151",
		"ncacn_ip_tcp:host1151]",
		"ncacn_ip_tcp:[1151]",
		"ncacn_ip_tcp:ho st[1151]",
		"ncacn_ip_tcp:-host[1151]",
		"ncacn_ip_tcp:.host[1151]",
		"ncacn_ip_tcp:ho/st[1151]",
		"ncacn_ip_tcp:ho:st[1151]",
		"ncacn_ip_tcp host[1151]",
		"ncacn_ip_udp:host[1151]",
		"ncacn_np:host[\\pipe\\x]",
		"ncacn_ip_tc:host[1151]",
	};
	struct strbind	 sb;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(scan1(bad[i], STRBIND_ASCII, &sb) == 0,
		    "accepted %s", bad[i]);
		ck_assert_msg(scan1(bad[i], STRBIND_UTF16LE, &sb) == 0,
		    "accepted %s in UTF-16LE", bad[i]);
	}
	/* A bad one does not hide a good one right after it. */
	ck_assert_uint_eq(scan1("ncacn_ip_tcp:a[0]ncacn_ip_tcp:b[2]",
	    STRBIND_ASCII, &sb), 1);
	ck_assert_str_eq(sb.host, "b");
	ck_assert_uint_eq(sb.port, 2);
	/* Case of the protocol sequence does not matter. */
	ck_assert_uint_eq(scan1("NCACN_IP_TCP:B[2]", STRBIND_ASCII, &sb), 1);
	ck_assert_uint_eq(scan1("ncacn_ip_tcp:a[1]", STRBIND_ASCII, &sb), 1);
	ck_assert_uint_eq(sb.port, 1);
}
END_TEST

START_TEST(test_utf16_non_ascii)
{
	uint8_t		*p;
	size_t		 len;
	struct strbind	 sb;

	p = enc("ncacn_ip_tcp:hxst[1151]", STRBIND_UTF16LE, &len);
	ck_assert_uint_eq(strbind_scan(p, len, &sb, 1), 1);
	/* U+00E9 in the host. */
	p[2 * 14] = 0xe9;
	ck_assert_uint_eq(strbind_scan(p, len, &sb, 1), 0);
	/* U+0178: an ASCII-looking low byte with a high byte. */
	p[2 * 14] = 'x';
	p[2 * 14 + 1] = 0x01;
	ck_assert_uint_eq(strbind_scan(p, len, &sb, 1), 0);
	/* A high byte on the closing bracket. */
	p[2 * 14 + 1] = 0;
	p[len - 1] = 0x01;
	ck_assert_uint_eq(strbind_scan(p, len, &sb, 1), 0);
	free(p);
}
END_TEST

START_TEST(test_host_length)
{
	char		 s[400], host[300];
	struct strbind	 sb;

	memset(host, 'a', 255);
	host[255] = '\0';
	snprintf(s, sizeof(s), "ncacn_ip_tcp:%s[1151]", host);
	ck_assert_uint_eq(scan1(s, STRBIND_ASCII, &sb), 1);
	ck_assert_uint_eq(strlen(sb.host), 255);
	ck_assert_uint_eq(scan1(s, STRBIND_UTF16LE, &sb), 1);
	ck_assert_uint_eq(sb.host_len, 510);
	memset(host, 'a', 256);
	host[256] = '\0';
	snprintf(s, sizeof(s), "ncacn_ip_tcp:%s[1151]", host);
	ck_assert_uint_eq(scan1(s, STRBIND_ASCII, &sb), 0);
	ck_assert_uint_eq(scan1(s, STRBIND_UTF16LE, &sb), 0);
}
END_TEST

START_TEST(test_encode)
{
	uint8_t		 b[600];
	struct strbind	 sb;
	ssize_t		 n;
	char		 host[300];

	n = strbind_encode(b, sizeof(b), STRBIND_ASCII, "xxx", 1151);
	ck_assert_int_eq(n, 22);
	ck_assert_mem_eq(b, "ncacn_ip_tcp:xxx[1151]", 22);
	n = strbind_encode(b, sizeof(b), STRBIND_UTF16LE, "xxx", 1151);
	ck_assert_int_eq(n, 44);
	ck_assert_uint_eq(b[0], 'n');
	ck_assert_uint_eq(b[1], 0);
	ck_assert_uint_eq(b[42], ']');
	ck_assert_uint_eq(b[43], 0);
	ck_assert_uint_eq(strbind_scan(b, (size_t)n, &sb, 1), 1);
	ck_assert_str_eq(sb.host, "xxx");
	ck_assert_uint_eq(sb.port, 1151);
	/* Too small by one, in either encoding. */
	ck_assert_int_eq(strbind_encode(b, 21, STRBIND_ASCII, "xxx", 1151),
	    -1);
	ck_assert_int_eq(strbind_encode(b, 43, STRBIND_UTF16LE, "xxx", 1151),
	    -1);
	ck_assert_int_eq(strbind_encode(b, sizeof(b), STRBIND_ASCII, "", 1),
	    -1);
	ck_assert_int_eq(strbind_encode(b, sizeof(b), STRBIND_ASCII, "a b",
	    1), -1);
	ck_assert_int_eq(strbind_encode(b, sizeof(b), STRBIND_ASCII, "a", 0),
	    -1);
	memset(host, 'h', 256);
	host[256] = '\0';
	ck_assert_int_eq(strbind_encode(b, sizeof(b), STRBIND_ASCII, host, 1),
	    -1);
	host[255] = '\0';
	n = strbind_encode(b, sizeof(b), STRBIND_UTF16LE, host, 65535);
	ck_assert_int_eq(n, 2 * (13 + 255 + 7));
	ck_assert_uint_eq(strbind_scan(b, (size_t)n, &sb, 1), 1);
	ck_assert_uint_eq(sb.port, 65535);
}
END_TEST

static Suite *
strbind_suite(void)
{
	Suite	*s = suite_create("strbind");
	TCase	*tc;

	tc = tcase_create("scan");
	tcase_add_test(tc, test_ascii);
	tcase_add_test(tc, test_utf16);
	tcase_add_test(tc, test_mixed);
	tcase_add_test(tc, test_edges);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_utf16_non_ascii);
	tcase_add_test(tc, test_host_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_test(tc, test_encode);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { strbind_suite, NULL, NULL };
