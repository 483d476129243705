/*
 * libFuzzer target for src/proto/strbind.c: scan the input, check every
 * occurrence lies inside it and says what the bytes say, re-encode each
 * one and find it again; encode a host taken from the input.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbind.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXSB	64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strbind	 sb[MAXSB];
	struct strbind		 again;
	uint8_t			 buf[2 * (sizeof(STRBIND_PROTSEQ) +
	    STRBIND_HOST_MAX + 8)];
	char			 host[STRBIND_HOST_MAX + 2];
	size_t			 n, i, w, prev = 0, hl;
	ssize_t			 m;
	unsigned int		 port;

	n = strbind_scan(data, size, sb, MAXSB);
	for (i = 0; i < n && i < MAXSB; i++) {
		w = sb[i].enc == STRBIND_UTF16LE ? 2 : 1;
		hl = strlen(sb[i].host);
		/* Inside the buffer, in order, not overlapping. */
		if (sb[i].off < prev || sb[i].len > size ||
		    sb[i].off > size - sb[i].len ||
		    sb[i].host_off < sb[i].off || sb[i].port_off +
		    sb[i].port_len > sb[i].off + sb[i].len ||
		    sb[i].host_len != hl * w || hl == 0 ||
		    hl > STRBIND_HOST_MAX || sb[i].port == 0 ||
		    sb[i].port_len == 0 || sb[i].port_len > 5 * w)
			abort();
		prev = sb[i].off + sb[i].len;
		/* The host and port are what the bytes say. */
		if (data[sb[i].host_off] != (uint8_t)sb[i].host[0] ||
		    data[sb[i].host_off + sb[i].host_len - w] !=
		    (uint8_t)sb[i].host[hl - 1])
			abort();
		port = 0;
		for (w = 0; w < sb[i].port_len; w +=
		    (sb[i].enc == STRBIND_UTF16LE ? 2 : 1))
			port = port * 10 + (unsigned int)(data[sb[i].port_off +
			    w] - '0');
		if (port != sb[i].port)
			abort();
		/* Encoding it again gives one binding with the same parts. */
		m = strbind_encode(buf, sizeof(buf), sb[i].enc, sb[i].host,
		    sb[i].port);
		if (m != (ssize_t)sb[i].len || strbind_scan(buf, (size_t)m,
		    &again, 1) != 1 || strcmp(again.host, sb[i].host) != 0 ||
		    again.port != sb[i].port || again.enc != sb[i].enc)
			abort();
	}

	/* The input as a host name. */
	if (size >= 2) {
		hl = size - 2 < STRBIND_HOST_MAX + 1 ? size - 2 :
		    STRBIND_HOST_MAX + 1;
		memcpy(host, data + 2, hl);
		host[hl] = '\0';
		m = strbind_encode(buf, sizeof(buf), data[0] & 1 ?
		    STRBIND_UTF16LE : STRBIND_ASCII, host, data[1]);
		if (m > 0 && (strbind_scan(buf, (size_t)m, &again, 1) != 1 ||
		    strcmp(again.host, host) != 0 || again.port != data[1]))
			abort();
	}
	return (0);
}
