/*
 * Scanner and encoder for ncacn_ip_tcp string bindings in ASCII and
 * UTF-16LE. The scanner reads each character through strbind_char(), which
 * knows the buffer end, so a binding cut by the end of the buffer is simply
 * not found.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "strbind.h"

static int	 strbind_char(const uint8_t *, size_t, size_t,
		    enum strbind_enc, size_t, int *);
static int	 strbind_match(const uint8_t *, size_t, size_t,
		    enum strbind_enc, struct strbind *);
static int	 strbind_hostchar(int, int);

/* Character idx of a string in encoding enc starting at off; -1 past end. */
static int
strbind_char(const uint8_t *p, size_t len, size_t off, enum strbind_enc enc,
    size_t idx, int *c)
{
	size_t	 w = enc == STRBIND_UTF16LE ? 2 : 1;

	if (idx >= (len - off) / w)
		return (-1);
	if (enc == STRBIND_UTF16LE) {
		/* Only the ASCII subset can form a binding. */
		if (p[off + 2 * idx + 1] != 0)
			*c = 0x100;
		else
			*c = p[off + 2 * idx];
	} else
		*c = p[off + idx];
	return (0);
}

static int
strbind_hostchar(int c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (!first && (c == '.' || c == '-' || c == '_'));
}

/* Is there a well-formed binding at off in encoding enc? */
static int
strbind_match(const uint8_t *p, size_t len, size_t off, enum strbind_enc enc,
    struct strbind *sb)
{
	const char	*ps = STRBIND_PROTSEQ;
	size_t		 w = enc == STRBIND_UTF16LE ? 2 : 1;
	size_t		 i, n, hstart, pstart;
	unsigned int	 port = 0;
	int		 c;

	for (i = 0; ps[i] != '\0'; i++) {
		if (strbind_char(p, len, off, enc, i, &c) == -1)
			return (0);
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != ps[i])
			return (0);
	}
	hstart = i;
	for (n = 0; ; n++, i++) {
		if (strbind_char(p, len, off, enc, i, &c) == -1)
			return (0);
		if (c == '[')
			break;
		if (n == STRBIND_HOST_MAX || !strbind_hostchar(c, n == 0))
			return (0);
		sb->host[n] = (char)c;
	}
	if (n == 0)
		return (0);
	sb->host[n] = '\0';
	sb->host_off = off + hstart * w;
	sb->host_len = n * w;
	pstart = ++i;
	for (n = 0; ; n++, i++) {
		if (strbind_char(p, len, off, enc, i, &c) == -1)
			return (0);
		if (c == ']')
			break;
		if (c < '0' || c > '9' || n == 5 || (n == 0 && c == '0'))
			return (0);
		port = port * 10 + (unsigned int)(c - '0');
	}
	if (n == 0 || port > 65535)
		return (0);
	sb->port = (uint16_t)port;
	sb->port_off = off + pstart * w;
	sb->port_len = n * w;
	sb->enc = enc;
	sb->off = off;
	sb->len = (i + 1) * w;
	return (1);
}

int
strbind_next(const uint8_t *p, size_t len, size_t *pos, struct strbind *sb)
{
	size_t	 off;

	for (off = *pos; off < len; off++) {
		if (strbind_match(p, len, off, STRBIND_ASCII, sb) ||
		    strbind_match(p, len, off, STRBIND_UTF16LE, sb)) {
			*pos = sb->off + sb->len;
			return (1);
		}
	}
	*pos = len;
	return (0);
}

size_t
strbind_scan(const uint8_t *p, size_t len, struct strbind *sb, size_t max)
{
	struct strbind	 tmp;
	size_t		 pos = 0, n = 0;

	while (strbind_next(p, len, &pos, n < max ? &sb[n] : &tmp))
		n++;
	return (n);
}

ssize_t
strbind_encode(uint8_t *p, size_t size, enum strbind_enc enc,
    const char *host, uint16_t port)
{
	char	 s[sizeof(STRBIND_PROTSEQ) + STRBIND_HOST_MAX + 8];
	size_t	 i, hlen = strlen(host), n, w;
	int	 len;

	if (hlen == 0 || hlen > STRBIND_HOST_MAX || port == 0)
		return (-1);
	for (i = 0; i < hlen; i++)
		if (!strbind_hostchar((unsigned char)host[i], i == 0))
			return (-1);
	len = snprintf(s, sizeof(s), "%s%s[%u]", STRBIND_PROTSEQ, host, port);
	if (len < 0 || (size_t)len >= sizeof(s))
		return (-1);
	n = (size_t)len;
	w = enc == STRBIND_UTF16LE ? 2 : 1;
	if (n > size / w)
		return (-1);
	for (i = 0; i < n; i++) {
		if (enc == STRBIND_UTF16LE) {
			p[2 * i] = (uint8_t)s[i];
			p[2 * i + 1] = 0;
		} else
			p[i] = (uint8_t)s[i];
	}
	return ((ssize_t)(n * w));
}

const char *
strbind_enc_name(enum strbind_enc enc)
{
	return (enc == STRBIND_UTF16LE ? "utf-16le" : "ascii");
}
