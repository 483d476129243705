/*
 * libFuzzer target for src/control_conn.c, the request framing the control
 * API reads before evhttp does (Content-Length, chunks, head limits). The
 * input, after two bytes of seed, is what a client sends. Checked:
 * - fed at once or in chunks of sizes from the seed, the same requests
 *   are refused for the same reason, or none: the framing does not depend
 *   on how the bytes arrive;
 * - fed in chunks while the front is taken away as evhttp would take it
 *   (at most what the framing has read), it never reads past the buffer;
 * - a reason is one of the documented ones, and once refused, what comes
 *   after is dropped: the buffer does not grow.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "fwrelay.h"
#include "control.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *
reason_ok(const char *why)
{
	static const char *const reasons[] = {
		"body", "head", "length", "fold", "chunk", NULL
	};
	size_t	 i;

	if (why == NULL)
		return (NULL);
	for (i = 0; reasons[i] != NULL; i++)
		if (strcmp(why, reasons[i]) == 0)
			return (reasons[i]);
	abort();
}

static uint32_t
next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* Feed data; drain: take from the front as evhttp would. */
static const char *
run(const uint8_t *data, size_t size, uint32_t seed, size_t maxchunk,
    int drain)
{
	struct control_conn	*cc;
	struct evbuffer		*buf;
	const char		*why = NULL, *w;
	size_t			 off, n, scanned, del, len, was;

	if ((cc = control_conn_detached()) == NULL ||
	    (buf = evbuffer_new()) == NULL)
		abort();
	for (off = 0; off < size; off += n) {
		n = maxchunk == 0 ? size : 1 + next(&seed) % maxchunk;
		if (n > size - off)
			n = size - off;
		was = evbuffer_get_length(buf);
		evbuffer_add(buf, data + off, n);
		w = reason_ok(control_conn_feed(cc, buf, 0, n, &scanned));
		len = evbuffer_get_length(buf);
		if (scanned > len)
			abort();
		if (why != NULL && (w == NULL || len > was))
			abort();	/* refused stays refused, drops */
		why = w;
		if (drain && scanned > 0) {
			del = next(&seed) % (scanned + 1);
			evbuffer_drain(buf, del);
			reason_ok(control_conn_feed(cc, buf, del, 0, &scanned));
			if (scanned > evbuffer_get_length(buf))
				abort();
		}
	}
	evbuffer_free(buf);
	free(cc);
	return (why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*whole, *parts;
	uint32_t	 seed;

	if (size < 2)
		return (0);
	seed = (uint32_t)data[0] << 8 | data[1] | 1;
	data += 2;
	size -= 2;
	whole = run(data, size, seed, 0, 0);
	parts = run(data, size, seed, 1 + seed % 97, 0);
	if ((whole == NULL) != (parts == NULL) ||
	    (whole != NULL && strcmp(whole, parts) != 0))
		abort();
	run(data, size, seed, 1 + seed % 31, 1);
	return (0);
}
