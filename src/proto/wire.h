/*
 * Byte-order helpers shared by the wire decoders in src/proto. Every reader
 * takes a pointer the caller has already checked against the buffer end;
 * none of them knows a length.
 */
#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t
wire_get16be(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static inline uint16_t
wire_get16le(const uint8_t *p)
{
	return ((uint16_t)(p[1] << 8 | p[0]));
}

static inline uint32_t
wire_get32be(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static inline uint32_t
wire_get32le(const uint8_t *p)
{
	return ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | (uint32_t)p[0]);
}

/* NDR integers follow the drep integer order: le != 0 is little-endian. */
static inline uint16_t
wire_get16(const uint8_t *p, int le)
{
	return (le ? wire_get16le(p) : wire_get16be(p));
}

static inline uint32_t
wire_get32(const uint8_t *p, int le)
{
	return (le ? wire_get32le(p) : wire_get32be(p));
}

static inline void
wire_put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wire_put16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
wire_put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
wire_put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* strnlen without needing POSIX feature macros. */
static inline size_t
wire_strnlen(const char *s, size_t max)
{
	size_t	 n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return (n);
}

/* Bytes needed to align off up to a multiple of 4. */
static inline size_t
wire_pad4(size_t off)
{
	return ((4 - off % 4) % 4);
}

#endif /* WIRE_H */
