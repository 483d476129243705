/*
 * Unit tests of pcapng.c and the capture keys: the blocks' lengths and
 * alignment as the pcapng draft wants them, the comment option, the IP
 * and TCP checksums (checked the receiver's way: the sum over the header
 * and data folds to zero), and what the configuration accepts and refuses.
 * t-capture shows tshark and capinfos reading the files fwrelay writes.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fwrelay.h"
#include "check_main.h"

Suite	*capture_suite(void);

static uint32_t
get32(const uint8_t *p)
{
	uint32_t	 v;

	memcpy(&v, p, 4);
	return (v);
}

static uint16_t
get16(const uint8_t *p)
{
	uint16_t	 v;

	memcpy(&v, p, 2);
	return (v);
}

/* Walk a block's options: the value of code, or NULL; ends at opt_endofopt. */
static const uint8_t *
find_opt(const uint8_t *opt, const uint8_t *end, uint16_t code, uint16_t *len)
{
	while (opt + 4 <= end) {
		uint16_t	 c = get16(opt), l = get16(opt + 2);

		if (c == 0)
			return (NULL);
		if (c == code) {
			*len = l;
			return (opt + 4);
		}
		opt += 4 + ((l + 3) & ~3);
	}
	return (NULL);
}

START_TEST(test_shb_idb)
{
	uint8_t		 b[512];
	const uint8_t	*v;
	size_t		 n, m;
	uint16_t	 len;

	n = pcapng_shb(b, sizeof(b), "fwrelay test");
	ck_assert_uint_eq(n % 4, 0);
	ck_assert_uint_eq(get32(b), 0x0a0d0d0a);
	ck_assert_uint_eq(get32(b + 4), n);
	ck_assert_uint_eq(get32(b + n - 4), n);
	ck_assert_uint_eq(get32(b + 8), 0x1a2b3c4d);
	ck_assert_uint_eq(get16(b + 12), 1);
	v = find_opt(b + 24, b + n - 4, 4, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 12);
	ck_assert(memcmp(v, "fwrelay test", 12) == 0);

	m = pcapng_idb(b + n, sizeof(b) - n, "client", "the client side");
	ck_assert_uint_eq(m % 4, 0);
	ck_assert_uint_eq(get32(b + n), 1);
	ck_assert_uint_eq(get32(b + n + 4), m);
	ck_assert_uint_eq(get32(b + n + m - 4), m);
	ck_assert_uint_eq(get16(b + n + 8), PCAPNG_LINKTYPE_RAW);
	v = find_opt(b + n + 16, b + n + m - 4, 2, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 6);
	ck_assert(memcmp(v, "client", 6) == 0);
	v = find_opt(b + n + 16, b + n + m - 4, 9, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(v[0], 6);

	/* Too small a buffer: nothing, rather than a block cut short. */
	ck_assert_uint_eq(pcapng_idb(b, 20, "client", "x"), 0);
}
END_TEST

START_TEST(test_epb_comment)
{
	uint8_t		 b[256], tail[PCAPNG_EPB_TAIL_MAX];
	const char	*cm = "fwrelay relay r conn 7 accept 2026-12-07T10:00:00Z";
	const uint8_t	*v;
	size_t		 caplen, size, h, t;
	uint16_t	 len;

	for (caplen = 40; caplen < 44; caplen++) {
		size = pcapng_epb_size(caplen, cm);
		ck_assert_uint_eq(size % 4, 0);
		h = pcapng_epb_head(b, 1, 0x0123456789abULL, caplen, cm);
		ck_assert_uint_eq(h, 28);
		memset(b + h, 0xee, caplen);
		t = pcapng_epb_tail(tail, caplen, cm);
		ck_assert_uint_eq(h + caplen + t, size);
		memcpy(b + h + caplen, tail, t);
		ck_assert_uint_eq(get32(b), 6);
		ck_assert_uint_eq(get32(b + 4), size);
		ck_assert_uint_eq(get32(b + size - 4), size);
		ck_assert_uint_eq(get32(b + 8), 1);
		ck_assert_uint_eq(get32(b + 12), 0x0123);
		ck_assert_uint_eq(get32(b + 16), 0x456789ab);
		ck_assert_uint_eq(get32(b + 20), caplen);
		ck_assert_uint_eq(get32(b + 24), caplen);
		v = find_opt(b + 28 + ((caplen + 3) & ~3U), b + size - 4, 1,
		    &len);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(len, strlen(cm));
		ck_assert(memcmp(v, cm, len) == 0);
	}
	/* No comment: no options at all. */
	ck_assert_uint_eq(pcapng_epb_size(41, NULL), 28 + 44 + 4);
	ck_assert_uint_eq(pcapng_epb_tail(tail, 41, NULL), 3 + 4);
}
END_TEST

/* RFC 1071 the slow way: big-endian 16-bit words, carries folded. */
static uint16_t
ref_csum(const uint8_t *p, size_t len)
{
	uint32_t	 sum = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

START_TEST(test_inet_sum)
{
	uint8_t		 buf[300];
	size_t		 i, len, off;
	uint16_t	 got;

	srandom(1071);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)random();
	memset(buf + 100, 0xff, 64);	/* carries out of every word */
	for (off = 0; off < 8; off++)
		for (len = 0; len + off <= sizeof(buf); len++) {
			got = ntohs(inet_fold(inet_sum(0, buf + off, len)));
			ck_assert_msg(got == ref_csum(buf + off, len),
			    "len %zu off %zu: %04x, not %04x", len, off, got,
			    ref_csum(buf + off, len));
		}
}
END_TEST

/* The receiver's check: header and data sum (with the pseudo header). */
static uint16_t
tcp_verify(const uint8_t *pkt, size_t len)
{
	uint8_t		 pseudo[40];
	uint64_t	 sum;
	size_t		 ip;
	uint32_t	 l;

	if ((pkt[0] >> 4) == 6) {
		ip = 40;
		memcpy(pseudo, pkt + 8, 32);
		l = htonl((uint32_t)(len - ip));
		sum = inet_sum(0, pseudo, 32);
		sum = inet_sum(sum, &l, 4);
		memset(pseudo, 0, 4);
		pseudo[3] = IPPROTO_TCP;
		sum = inet_sum(sum, pseudo, 4);
	} else {
		ip = 20;
		ck_assert_uint_eq(inet_fold(inet_sum(0, pkt, 20)), 0);
		memcpy(pseudo, pkt + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = IPPROTO_TCP;
		pseudo[10] = (uint8_t)((len - ip) >> 8);
		pseudo[11] = (uint8_t)(len - ip);
		sum = inet_sum(0, pseudo, 12);
	}
	return (inet_fold(inet_sum(sum, pkt + ip, len - ip)));
}

START_TEST(test_tcpip_v4)
{
	struct sockaddr_in	 a, b;
	struct tcp_seg		 seg = { 1000, 2000, 65535, 7,
				    TCP_SEG_PSH | TCP_SEG_ACK };
	uint8_t			 pkt[128], data[33];
	size_t			 h, i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sin_family = b.sin_family = AF_INET;
	inet_pton(AF_INET, "127.1.2.3", &a.sin_addr);
	inet_pton(AF_INET, "127.4.5.6", &b.sin_addr);
	a.sin_port = htons(40000);
	b.sin_port = htons(102);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	h = tcpip_header(pkt, (struct sockaddr *)&a, (struct sockaddr *)&b,
	    &seg, data, sizeof(data));
	ck_assert_uint_eq(h, 40);
	memcpy(pkt + h, data, sizeof(data));
	ck_assert_uint_eq(pkt[0], 0x45);
	ck_assert_uint_eq(pkt[9], IPPROTO_TCP);
	ck_assert_uint_eq(ntohs(get16(pkt + 2)), 40 + sizeof(data));
	ck_assert_uint_eq(ntohs(get16(pkt + 4)), 7);
	ck_assert_uint_eq(ntohs(get16(pkt + 20)), 40000);
	ck_assert_uint_eq(ntohs(get16(pkt + 22)), 102);
	ck_assert_uint_eq(ntohl(get32(pkt + 24)), 1000);
	ck_assert_uint_eq(ntohl(get32(pkt + 28)), 2000);
	ck_assert_uint_eq(pkt[33], TCP_SEG_PSH | TCP_SEG_ACK);
	ck_assert_uint_eq(tcp_verify(pkt, h + sizeof(data)), 0);
	/* One byte changed: the check fails. */
	pkt[h + 5] ^= 0x10;
	ck_assert_uint_ne(tcp_verify(pkt, h + sizeof(data)), 0);

	/* No ACK flag: the acknowledgment field is zero. */
	seg.flags = TCP_SEG_SYN;
	h = tcpip_header(pkt, (struct sockaddr *)&a, (struct sockaddr *)&b,
	    &seg, NULL, 0);
	ck_assert_uint_eq(get32(pkt + 28), 0);
	ck_assert_uint_eq(tcp_verify(pkt, h), 0);
}
END_TEST

START_TEST(test_tcpip_v6)
{
	struct sockaddr_in6	 a, b;
	struct tcp_seg		 seg = { 0xfffffff0, 5, 65535, 0,
				    TCP_SEG_PSH | TCP_SEG_ACK };
	uint8_t			 pkt[160], data[61];
	size_t			 h, i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sin6_family = b.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::1", &a.sin6_addr);
	inet_pton(AF_INET6, "::1", &b.sin6_addr);
	a.sin6_port = htons(135);
	b.sin6_port = htons(51000);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xa5 ^ i);
	/* Odd length: the last byte is summed as the high half of a word. */
	h = tcpip_header(pkt, (struct sockaddr *)&a, (struct sockaddr *)&b,
	    &seg, data, sizeof(data));
	ck_assert_uint_eq(h, 60);
	ck_assert_uint_eq(pkt[0], 0x60);
	ck_assert_uint_eq(pkt[6], IPPROTO_TCP);
	ck_assert_uint_eq(ntohs(get16(pkt + 4)), 20 + sizeof(data));
	memcpy(pkt + h, data, sizeof(data));
	ck_assert_uint_eq(tcp_verify(pkt, h + sizeof(data)), 0);
	pkt[h + 60] ^= 0x01;
	ck_assert_uint_ne(tcp_verify(pkt, h + sizeof(data)), 0);
}
END_TEST

/* A configuration of one relay with keys from line 3 on, loaded. */
static struct fwrelay_conf *
conf_load(const char *keys, struct config_errors *errs)
{
	struct fwrelay_conf	*conf;
	char			*text;

	if (asprintf(&text, "event_log = \"-\";\nrelays = ( { name = \"r\"; "
	    "listen = \"127.0.0.1:7000\"; target = \"127.0.0.1:7001\";\n%s\n"
	    "} );\n", keys) == -1)
		ck_abort();
	conf = config_load_string(text, "t.conf", errs);
	free(text);
	return (conf);
}

/* The errors a configuration text of one relay gets, joined by '|'. */
static char *
conf_errors(const char *keys)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	char			 out[2048];
	size_t			 i, len = 0;

	conf = conf_load(keys, &errs);
	out[0] = '\0';
	for (i = 0; i < errs.n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
		    i > 0 ? "|" : "", errs.msgs[i]);
	if (conf != NULL)
		config_free(conf);
	config_errors_clear(&errs);
	return (strdup(out));
}

static struct relay_conf *
conf_relay(const char *keys, struct fwrelay_conf **confp)
{
	struct config_errors	 errs = { NULL, 0 };

	*confp = conf_load(keys, &errs);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_nonnull(*confp);
	config_errors_clear(&errs);
	return (TAILQ_FIRST(&(*confp)->relays));
}

START_TEST(test_conf_capture)
{
	struct fwrelay_conf	*conf;
	struct relay_conf	*rc;

	rc = conf_relay("", &conf);
	ck_assert_str_eq(rc->capture, "");
	ck_assert_int_eq(rc->capture_mode, CAPTURE_CONNECTION);
	ck_assert_uint_eq(rc->capture_max_bytes, 0);
	ck_assert_uint_eq(rc->capture_files, CAPTURE_FILES);
	config_free(conf);

	rc = conf_relay("capture = \"/var/tmp/x\"; capture_mode = \"relay\"; "
	    "capture_max_bytes = \"1G\"; capture_files = 8;", &conf);
	ck_assert_str_eq(rc->capture, "/var/tmp/x");
	ck_assert_int_eq(rc->capture_mode, CAPTURE_RELAY);
	ck_assert_uint_eq(rc->capture_max_bytes, 1073741824ULL);
	ck_assert_uint_eq(rc->capture_files, 8);
	config_free(conf);

	rc = conf_relay("capture = \"/x\"; capture_max_bytes = 5000000000L;",
	    &conf);
	ck_assert_uint_eq(rc->capture_max_bytes, 5000000000ULL);
	config_free(conf);
}
END_TEST

START_TEST(test_conf_capture_errors)
{
	char	*e;

	e = conf_errors("capture = \"caps\";");
	ck_assert_str_eq(e, "t.conf:3: 'capture' must be the absolute path of "
	    "a directory");
	free(e);
	e = conf_errors("capture_mode = \"relay\";\ncapture_files = 2;");
	ck_assert_str_eq(e, "t.conf:3: 'capture_mode' needs 'capture'|"
	    "t.conf:4: 'capture_files' needs 'capture'");
	free(e);
	e = conf_errors("capture = \"/x\"; capture_mode = \"file\";");
	ck_assert_str_eq(e, "t.conf:3: 'capture_mode' must be \"connection\" "
	    "or \"relay\", not \"file\"");
	free(e);
	e = conf_errors("capture = \"/x\";\ncapture_max_bytes = \"12X\";");
	ck_assert_ptr_nonnull(strstr(e, "t.conf:4: 'capture_max_bytes' must "
	    "be a number of bytes"));
	free(e);
	e = conf_errors("capture = \"/x\";\ncapture_max_bytes = 1000000;\n"
	    "capture_files = 8;");
	ck_assert_str_eq(e, "t.conf:4: capture_max_bytes 1000000 over 8 files "
	    "leaves less than 262144 bytes per file");
	free(e);
	e = conf_errors("capture = \"/x\";\ncapture_files = 0;");
	ck_assert_str_eq(e, "t.conf:4: 'capture_files' must be an integer "
	    "1-10000");
	free(e);
}
END_TEST

Suite *
capture_suite(void)
{
	Suite	*s = suite_create("capture");
	TCase	*tc = tcase_create("pcapng");

	tcase_add_test(tc, test_shb_idb);
	tcase_add_test(tc, test_epb_comment);
	tcase_add_test(tc, test_inet_sum);
	tcase_add_test(tc, test_tcpip_v4);
	tcase_add_test(tc, test_tcpip_v6);
	tcase_add_test(tc, test_conf_capture);
	tcase_add_test(tc, test_conf_capture_errors);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { capture_suite, NULL, NULL };
