/*
 * Request and response stubs of the MTA interface as the lab defines them
 * (PROTOCOLS.md 3.2 and 5: the real MtaBind layout was never published).
 * NDR little-endian, alignment relative to the stub start, the way midl
 * marshals [unique, string] wchar_t * and conformant byte arrays, so a
 * firewall that scans for "ncacn_ip_tcp:HOST[PORT]" in UTF-16LE finds the
 * bindback binding where it would find a real one.
 */
#include <string.h>

#include "mtasim.h"
#include "strbind.h"
#include "wire.h"

#define MTABIND_VERSION		1
#define MTABIND_REF_NAME	0x00020000
#define MTABIND_REF_BINDING	0x00020004

static int	mtabind_get_wstring(const uint8_t *, size_t, size_t *,
		    size_t *, size_t *, const char **);

/*
 * NDR conformant varying string at off: max_count, offset 0, actual_count
 * (characters with the NUL), the UTF-16LE characters, pad to 4. chars
 * holds the characters (ASCII as UTF-16LE), or is NULL when raw/rawlen
 * give UTF-16LE bytes already encoded. Returns the new offset or -1.
 */
static ssize_t
mtabind_put_raw(uint8_t *buf, size_t size, size_t off, const char *chars,
    const uint8_t *raw, size_t rawlen)
{
	size_t	 n, i;

	n = (chars != NULL ? strlen(chars) : rawlen / 2) + 1;
	if (off + 12 + 2 * n + wire_pad4(off + 12 + 2 * n) > size)
		return (-1);
	wire_put32le(buf + off, (uint32_t)n);
	wire_put32le(buf + off + 4, 0);
	wire_put32le(buf + off + 8, (uint32_t)n);
	off += 12;
	if (chars != NULL) {
		for (i = 0; i + 1 < n; i++)
			wire_put16le(buf + off + 2 * i, (uint8_t)chars[i]);
	} else
		memcpy(buf + off, raw, rawlen);
	wire_put16le(buf + off + 2 * (n - 1), 0);
	off += 2 * n;
	while (off % 4 != 0)
		buf[off++] = 0;
	return ((ssize_t)off);
}

ssize_t
mtabind_put_wstring(uint8_t *buf, size_t size, size_t off, const char *s)
{
	return (mtabind_put_raw(buf, size, off, s, NULL, 0));
}

/*
 * Read a conformant varying string at *off: the character bytes (without
 * the NUL) are at *chars_off, *chars_len bytes; *off moves past the pad.
 */
static int
mtabind_get_wstring(const uint8_t *p, size_t len, size_t *off,
    size_t *chars_off, size_t *chars_len, const char **errstr)
{
	uint32_t	 max, ofs, actual;
	size_t		 o = *off;

	if (o + 12 > len) {
		*errstr = "mtabind_short";
		return (-1);
	}
	max = wire_get32le(p + o);
	ofs = wire_get32le(p + o + 4);
	actual = wire_get32le(p + o + 8);
	o += 12;
	if (ofs != 0 || actual == 0 || actual > max || actual > 4096 ||
	    o + 2 * (size_t)actual > len) {
		*errstr = "mtabind_string";
		return (-1);
	}
	if (wire_get16le(p + o + 2 * ((size_t)actual - 1)) != 0) {
		*errstr = "mtabind_string_nul";
		return (-1);
	}
	*chars_off = o;
	*chars_len = 2 * ((size_t)actual - 1);
	o += 2 * (size_t)actual;
	o += wire_pad4(o);
	*off = o > len ? len : o;
	return (0);
}

/* UTF-16LE bytes to ASCII; -1 if a character is not printable ASCII. */
static int
mtabind_ascii(const uint8_t *p, size_t len, char *out, size_t outsz)
{
	size_t	 i, n = len / 2;

	if (n >= outsz)
		return (-1);
	for (i = 0; i < n; i++) {
		if (p[2 * i + 1] != 0 || p[2 * i] < 0x20 || p[2 * i] > 0x7e)
			return (-1);
		out[i] = (char)p[2 * i];
	}
	out[n] = '\0';
	return (0);
}

ssize_t
mtabind_build_bind(uint8_t *buf, size_t size, const char *name,
    const char *host, uint16_t port)
{
	uint8_t	 sb[2 * (sizeof(STRBIND_PROTSEQ) + STRBIND_HOST_MAX + 8)];
	ssize_t	 sblen, off;

	if ((sblen = strbind_encode(sb, sizeof(sb), STRBIND_UTF16LE, host,
	    port)) == -1)
		return (-1);
	if (size < 8)
		return (-1);
	wire_put32le(buf, MTABIND_VERSION);
	wire_put32le(buf + 4, MTABIND_REF_NAME);
	if ((off = mtabind_put_raw(buf, size, 8, name, NULL, 0)) == -1)
		return (-1);
	if ((size_t)off + 4 > size)
		return (-1);
	wire_put32le(buf + off, MTABIND_REF_BINDING);
	return (mtabind_put_raw(buf, size, (size_t)off + 4, NULL, sb,
	    (size_t)sblen));
}

int
mtabind_parse_bind(const uint8_t *p, size_t len, char *name, size_t namesz,
    struct strbind *sb, const char **errstr)
{
	size_t	 off = 4, co, cl, pos;

	if (len < 8 || wire_get32le(p) != MTABIND_VERSION) {
		*errstr = "mtabind_version";
		return (-1);
	}
	if (wire_get32le(p + 4) == 0) {
		*errstr = "mtabind_null_name";
		return (-1);
	}
	off = 8;
	if (mtabind_get_wstring(p, len, &off, &co, &cl, errstr) == -1)
		return (-1);
	if (mtabind_ascii(p + co, cl, name, namesz) == -1) {
		*errstr = "mtabind_name";
		return (-1);
	}
	if (off + 4 > len || wire_get32le(p + off) == 0) {
		*errstr = "mtabind_null_binding";
		return (-1);
	}
	off += 4;
	if (mtabind_get_wstring(p, len, &off, &co, &cl, errstr) == -1)
		return (-1);
	/* The whole string must be one well-formed binding. */
	pos = 0;
	if (strbind_next(p + co, cl, &pos, sb) != 1 || sb->off != 0 ||
	    sb->len != cl || sb->enc != STRBIND_UTF16LE) {
		*errstr = "mtabind_binding";
		return (-1);
	}
	sb->off += co;
	sb->host_off += co;
	sb->port_off += co;
	return (0);
}

ssize_t
mtabind_build_bindback(uint8_t *buf, size_t size, const char *name)
{
	if (size < 8)
		return (-1);
	wire_put32le(buf, MTABIND_VERSION);
	wire_put32le(buf + 4, MTABIND_REF_NAME);
	return (mtabind_put_raw(buf, size, 8, name, NULL, 0));
}

int
mtabind_parse_bindback(const uint8_t *p, size_t len, char *name,
    size_t namesz, const char **errstr)
{
	size_t	 off = 8, co, cl;

	if (len < 8 || wire_get32le(p) != MTABIND_VERSION ||
	    wire_get32le(p + 4) == 0) {
		*errstr = "mtabind_version";
		return (-1);
	}
	if (mtabind_get_wstring(p, len, &off, &co, &cl, errstr) == -1)
		return (-1);
	if (mtabind_ascii(p + co, cl, name, namesz) == -1) {
		*errstr = "mtabind_name";
		return (-1);
	}
	return (0);
}

ssize_t
mtabind_build_transfer(uint8_t *buf, size_t size, const uint8_t *msg,
    size_t len)
{
	size_t	 off;

	if (8 + len + wire_pad4(8 + len) > size || len > UINT32_MAX)
		return (-1);
	wire_put32le(buf, (uint32_t)len);
	wire_put32le(buf + 4, (uint32_t)len);	/* max_count */
	memcpy(buf + 8, msg, len);
	off = 8 + len;
	while (off % 4 != 0)
		buf[off++] = 0;
	return ((ssize_t)off);
}

int
mtabind_parse_transfer(const uint8_t *p, size_t len, const uint8_t **msg,
    size_t *msglen, const char **errstr)
{
	uint32_t	 n;

	if (len < 8) {
		*errstr = "mtabind_short";
		return (-1);
	}
	n = wire_get32le(p);
	if (wire_get32le(p + 4) != n || n > len - 8) {
		*errstr = "mtabind_transfer_length";
		return (-1);
	}
	*msg = p + 8;
	*msglen = n;
	return (0);
}

ssize_t
mtabind_build_status(uint8_t *buf, size_t size, uint32_t status)
{
	if (size < 4)
		return (-1);
	wire_put32le(buf, status);
	return (4);
}

int
mtabind_parse_status(const uint8_t *p, size_t len, uint32_t *status)
{
	if (len < 4)
		return (-1);
	*status = wire_get32le(p);
	return (0);
}
