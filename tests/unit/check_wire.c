/*
 * Helpers shared by the wire-format unit tests: hex strings into bytes,
 * the PROTOCOLS.md 2.6 (c) and (d) examples, a raw pcap writer and a
 * tshark runner (Wireshark as the independent decoder).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_wire.h"

/* PROTOCOLS.md 2.6 (c): ept_map request for the Exchange MTA interface. */
const char *const ex_req_hex =
    "05 00 00 03 10 00 00 00 9c 00 00 00 02 00 00 00"
    "84 00 00 00 00 00 03 00 01 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00"
    "4b 00 00 00 4b 00 00 00 05 00 13 00 0d 30 e8 8e"
    "9e 59 44 ce 11 97 9b 00 aa 00 5f fe be 02 00 02"
    "00 00 00 13 00 0d 04 5d 88 8a eb 1c c9 11 9f e8"
    "08 00 2b 10 48 60 02 00 02 00 00 00 01 00 0b 02"
    "00 00 00 01 00 07 02 00 00 00 01 00 09 04 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 04 00 00 00";

/* PROTOCOLS.md 2.6 (d): its reply, TCP port 1059 on 192.0.2.10. */
const char *const ex_resp_hex =
    "05 00 02 03 10 00 00 00 98 00 00 00 02 00 00 00"
    "80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00"
    "04 00 00 00 00 00 00 00 01 00 00 00 03 00 00 00"
    "4b 00 00 00 4b 00 00 00 05 00 13 00 0d 30 e8 8e"
    "9e 59 44 ce 11 97 9b 00 aa 00 5f fe be 02 00 02"
    "00 00 00 13 00 0d 04 5d 88 8a eb 1c c9 11 9f e8"
    "08 00 2b 10 48 60 02 00 02 00 00 00 01 00 0b 02"
    "00 00 00 01 00 07 02 00 04 23 01 00 09 04 00 c0"
    "00 02 0a 00 00 00 00 00";

/* Hex digits (spaces ignored) into out; returns the byte count. */
size_t
check_hex(const char *s, uint8_t *out, size_t size)
{
	size_t	 n = 0;
	unsigned int v;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		ck_assert_int_eq(sscanf(s, "%2x", &v), 1);
		ck_assert_uint_lt(n, size);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return (n);
}

/*
 * Minimal pcap writer: raw IPv4 (linktype 101) TCP segments between
 * 192.0.2.1:40000 and 192.0.2.10:port, sequence numbers per direction.
 */
static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

void
pcapw_open(struct pcapw *w, const char *path, uint16_t port)
{
	uint32_t	 hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 };

	w->f = fopen(path, "wb");
	ck_assert_ptr_nonnull(w->f);
	w->seq[0] = 1000;
	w->seq[1] = 5000;
	w->port = port;
	w->n = 0;
	fwrite(hdr, sizeof(hdr), 1, w->f);
}

void
pcapw_seg(struct pcapw *w, int dir, const uint8_t *p, size_t len)
{
	uint8_t		 pkt[40 + 66000];
	uint32_t	 rec[4], sum = 0;
	static const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 10 };
	int		 i;

	memset(pkt, 0, 40);
	pkt[0] = 0x45;
	put16(pkt + 2, (uint16_t)(40 + len));
	pkt[6] = 0x40;
	pkt[8] = 64;
	pkt[9] = 6;
	memcpy(pkt + 12, dir == 0 ? a : b, 4);
	memcpy(pkt + 16, dir == 0 ? b : a, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(pkt + 10, (uint16_t)~sum);
	put16(pkt + 20, dir == 0 ? 40000 : w->port);
	put16(pkt + 22, dir == 0 ? w->port : 40000);
	put32(pkt + 24, w->seq[dir]);
	put32(pkt + 28, w->seq[!dir]);
	pkt[32] = 5 << 4;
	pkt[33] = 0x18;		/* PSH ACK */
	put16(pkt + 34, 65535);
	memcpy(pkt + 40, p, len);
	w->seq[dir] += (uint32_t)len;
	rec[0] = w->n++;
	rec[1] = 0;
	rec[2] = rec[3] = (uint32_t)(40 + len);
	fwrite(rec, sizeof(rec), 1, w->f);
	fwrite(pkt, 40 + len, 1, w->f);
}

/* Run tshark on a file and return its stdout (static buffer). */
const char *
check_tshark(const char *args)
{
	static char	 out[8192];
	char		 cmd[1024];
	FILE		*p;
	size_t		 n;

	snprintf(cmd, sizeof(cmd), "tshark %s 2>/dev/null", args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	return (out);
}

int
check_have_tshark(void)
{
	return (system("command -v tshark >/dev/null 2>&1") == 0);
}

