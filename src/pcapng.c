/*
 * The pcapng blocks a capture is made of (draft-ietf-opsawg-pcapng), and
 * the IPv4/IPv6 and TCP headers put in front of relayed bytes so that a
 * leg reads as the TCP connection it was. Pure functions over buffers:
 * capture.c does the files, check_pcapng the bytes.
 *
 * Blocks are written in host byte order (the section header's magic says
 * which); the headers of a packet in network byte order with correct IP
 * and TCP checksums, so Wireshark's checksum validation, when turned on,
 * has nothing to complain about.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdint.h>
#include <string.h>

#include "fwrelay.h"

#define PCAPNG_SHB		0x0a0d0d0a
#define PCAPNG_IDB		0x00000001
#define PCAPNG_EPB		0x00000006
#define PCAPNG_MAGIC		0x1a2b3c4d

#define OPT_END			0
#define OPT_COMMENT		1
#define OPT_SHB_USERAPPL	4
#define OPT_IF_NAME		2
#define OPT_IF_DESCRIPTION	3
#define OPT_IF_TSRESOL		9

static size_t
pad4(size_t n)
{
	return ((n + 3) & ~(size_t)3);
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* One option (code, length, value, padding); 0 when it does not fit. */
static size_t
pcapng_opt(uint8_t *buf, size_t len, uint16_t code, const void *val,
    size_t vlen)
{
	size_t	 n = 4 + pad4(vlen);

	if (vlen > 0xffff || n > len)
		return (0);
	put16(buf, code);
	put16(buf + 2, (uint16_t)vlen);
	memset(buf + 4, 0, pad4(vlen));
	if (vlen > 0)
		memcpy(buf + 4, val, vlen);
	return (n);
}

static size_t
pcapng_opt_str(uint8_t *buf, size_t len, uint16_t code, const char *s)
{
	return (s == NULL ? 0 : pcapng_opt(buf, len, code, s, strlen(s)));
}

/* Type, options, trailer: the block's total length, or 0 if too small. */
static size_t
pcapng_close(uint8_t *buf, size_t len, size_t at)
{
	if (at + 8 > len)
		return (0);
	at += pcapng_opt(buf + at, len - at, OPT_END, NULL, 0);
	put32(buf + at, (uint32_t)(at + 4));
	put32(buf + 4, (uint32_t)(at + 4));
	return (at + 4);
}

/* Section header: byte order, version 1.0, unknown length, application. */
size_t
pcapng_shb(uint8_t *buf, size_t len, const char *appl)
{
	uint64_t	 seclen = UINT64_MAX;
	size_t		 at = 24;

	if (len < 24)
		return (0);
	put32(buf, PCAPNG_SHB);
	put32(buf + 8, PCAPNG_MAGIC);
	put16(buf + 12, 1);
	put16(buf + 14, 0);
	memcpy(buf + 16, &seclen, 8);
	at += pcapng_opt_str(buf + at, len - at, OPT_SHB_USERAPPL, appl);
	return (pcapng_close(buf, len, at));
}

/* An interface of raw IP packets, timestamps in microseconds. */
size_t
pcapng_idb(uint8_t *buf, size_t len, const char *name, const char *desc)
{
	uint8_t	 res = 6;
	size_t	 at = 16;

	if (len < 16)
		return (0);
	put32(buf, PCAPNG_IDB);
	put16(buf + 8, PCAPNG_LINKTYPE_RAW);
	put16(buf + 10, 0);
	put32(buf + 12, 0);	/* no snap length */
	at += pcapng_opt_str(buf + at, len - at, OPT_IF_NAME, name);
	at += pcapng_opt_str(buf + at, len - at, OPT_IF_DESCRIPTION, desc);
	at += pcapng_opt(buf + at, len - at, OPT_IF_TSRESOL, &res, 1);
	return (pcapng_close(buf, len, at));
}

/* The whole size of an enhanced packet block for caplen bytes. */
size_t
pcapng_epb_size(size_t caplen, const char *comment)
{
	size_t	 n = 28 + pad4(caplen) + 4;

	if (comment != NULL)
		n += 4 + pad4(strlen(comment)) + 4;
	return (n);
}

/* The 28 bytes before an enhanced packet block's data. */
size_t
pcapng_epb_head(uint8_t *buf, uint32_t ifid, uint64_t usec, size_t caplen,
    const char *comment)
{
	put32(buf, PCAPNG_EPB);
	put32(buf + 4, (uint32_t)pcapng_epb_size(caplen, comment));
	put32(buf + 8, ifid);
	put32(buf + 12, (uint32_t)(usec >> 32));
	put32(buf + 16, (uint32_t)usec);
	put32(buf + 20, (uint32_t)caplen);
	put32(buf + 24, (uint32_t)caplen);
	return (28);
}

/*
 * What follows the data: padding, the comment and the end of options when
 * there is a comment, the total length. buf holds PCAPNG_EPB_TAIL_MAX.
 */
size_t
pcapng_epb_tail(uint8_t *buf, size_t caplen, const char *comment)
{
	size_t	 at = pad4(caplen) - caplen;

	memset(buf, 0, at);
	if (comment != NULL) {
		at += pcapng_opt_str(buf + at, PCAPNG_EPB_TAIL_MAX - at,
		    OPT_COMMENT, comment);
		at += pcapng_opt(buf + at, PCAPNG_EPB_TAIL_MAX - at, OPT_END,
		    NULL, 0);
	}
	put32(buf + at, (uint32_t)pcapng_epb_size(caplen, comment));
	return (at + 4);
}

/* The ones' complement sum of len bytes, added to sum (RFC 1071). */
uint64_t
inet_sum(uint64_t sum, const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint64_t	 q, acc = 0;
	uint32_t	 w;
	uint16_t	 h;

	/*
	 * Eight bytes at a time with the carry folded back in (the sum is
	 * byte-order independent, RFC 1071 2(B)); sum stays below 2^63 for
	 * the small values callers pass in.
	 */
	while (len >= 8) {
		memcpy(&q, p, 8);
		acc += q;
		acc += acc < q;
		p += 8;
		len -= 8;
	}
	sum += (acc & 0xffffffff) + (acc >> 32);
	while (len >= 4) {
		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		h = 0;
		memcpy(&h, p, 1);
		sum += h;
	}
	return (sum);
}

uint16_t
inet_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

/*
 * IP and TCP headers for a segment of plen bytes at p from src to dst (one
 * family), with its checksums. Returns the header length (40 for IPv4, 60
 * for IPv6).
 */
size_t
tcpip_header(uint8_t *buf, const struct sockaddr *src,
    const struct sockaddr *dst, const struct tcp_seg *seg, const uint8_t *p,
    size_t plen)
{
	const struct sockaddr_in	*s4 = (const void *)src;
	const struct sockaddr_in	*d4 = (const void *)dst;
	const struct sockaddr_in6	*s6 = (const void *)src;
	const struct sockaddr_in6	*d6 = (const void *)dst;
	uint8_t				*th, pseudo[8];
	uint64_t			 sum = 0;
	size_t				 ip;
	uint32_t			 v;
	uint16_t			 sport, dport, csum;

	if (src->sa_family == AF_INET6) {
		ip = 40;
		memset(buf, 0, ip);
		buf[0] = 0x60;
		put16(buf + 4, htons((uint16_t)(20 + plen)));
		buf[6] = IPPROTO_TCP;
		buf[7] = 64;
		memcpy(buf + 8, &s6->sin6_addr, 16);
		memcpy(buf + 24, &d6->sin6_addr, 16);
		sport = s6->sin6_port;
		dport = d6->sin6_port;
		sum = inet_sum(sum, buf + 8, 32);
		v = htonl((uint32_t)(20 + plen));
		memcpy(pseudo, &v, 4);
		memset(pseudo + 4, 0, 3);
		pseudo[7] = IPPROTO_TCP;
		sum = inet_sum(sum, pseudo, 8);
	} else {
		ip = 20;
		memset(buf, 0, ip);
		buf[0] = 0x45;
		put16(buf + 2, htons((uint16_t)(40 + plen)));
		put16(buf + 4, htons(seg->ipid));
		put16(buf + 6, htons(0x4000));	/* don't fragment */
		buf[8] = 64;
		buf[9] = IPPROTO_TCP;
		memcpy(buf + 12, &s4->sin_addr, 4);
		memcpy(buf + 16, &d4->sin_addr, 4);
		csum = inet_fold(inet_sum(0, buf, 20));
		memcpy(buf + 10, &csum, 2);
		sport = s4->sin_port;
		dport = d4->sin_port;
		sum = inet_sum(sum, buf + 12, 8);
		pseudo[0] = 0;
		pseudo[1] = IPPROTO_TCP;
		put16(pseudo + 2, htons((uint16_t)(20 + plen)));
		sum = inet_sum(sum, pseudo, 4);
	}
	th = buf + ip;
	memset(th, 0, 20);
	memcpy(th, &sport, 2);
	memcpy(th + 2, &dport, 2);
	v = htonl(seg->seq);
	memcpy(th + 4, &v, 4);
	v = htonl((seg->flags & TCP_SEG_ACK) ? seg->ack : 0);
	memcpy(th + 8, &v, 4);
	th[12] = 5 << 4;
	th[13] = seg->flags;
	put16(th + 14, htons(seg->window));
	sum = inet_sum(sum, th, 20);
	if (plen > 0)
		sum = inet_sum(sum, p, plen);
	csum = inet_fold(sum);
	memcpy(th + 16, &csum, 2);
	return (ip + 20);
}
