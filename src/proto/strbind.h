/*
 * RPC string bindings "ncacn_ip_tcp:HOST[PORT]" inside opaque bytes, in
 * ASCII or UTF-16LE (PROTOCOLS.md 3.2: the MtaBind call carries the caller's
 * bindback endpoint this way). A scanner that reports where each occurrence
 * sits, so an inspector can log or rewrite it, and the matching encoders.
 */
#ifndef STRBIND_H
#define STRBIND_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define STRBIND_PROTSEQ		"ncacn_ip_tcp:"
#define STRBIND_HOST_MAX	255	/* characters */

enum strbind_enc {
	STRBIND_ASCII = 0,
	STRBIND_UTF16LE
};

/* One occurrence; offsets and lengths are in bytes of the scanned buffer. */
struct strbind {
	enum strbind_enc enc;
	size_t		 off;		/* first byte of the protocol sequence */
	size_t		 len;		/* through the closing bracket */
	size_t		 host_off;
	size_t		 host_len;
	size_t		 port_off;	/* the digits */
	size_t		 port_len;
	char		 host[STRBIND_HOST_MAX + 1];	/* NUL-terminated */
	uint16_t	 port;		/* 1..65535 */
};

/* strbind.c */
/*
 * Find the next well-formed string binding at or after *pos. Returns 1 with
 * sb filled and *pos moved past it, or 0 when there is none. Host: 1..255
 * of [A-Za-z0-9._-], starting alphanumeric; port: 1..65535 in decimal
 * without leading zeros; nothing else between the brackets.
 */
int		 strbind_next(const uint8_t *, size_t, size_t *,
		    struct strbind *);
/* All occurrences: stores up to max in sb, returns how many there are. */
size_t		 strbind_scan(const uint8_t *, size_t, struct strbind *,
		    size_t);
/*
 * Encode "ncacn_ip_tcp:host[port]" (no terminating NUL) into buf; returns
 * its length in bytes, or -1 if it does not fit or host is not valid.
 */
ssize_t		 strbind_encode(uint8_t *, size_t, enum strbind_enc,
		    const char *, uint16_t);
const char	*strbind_enc_name(enum strbind_enc);

#endif /* STRBIND_H */
