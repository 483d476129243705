/*
 * libFuzzer target for src/proto/rfc1006.c. Input: one control byte, then
 * the stream. The stream is decoded once whole and once in chunk sizes
 * drawn from the control byte; every event (TPDU fields, anomalies, DT
 * bytes) is hashed and both runs must agree, since chunking must never
 * change a decode. Then cotp_parse()/rfc1006_parse() on the raw bytes, a
 * build/parse round trip of any CR/CC, and a paired two-direction run.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rfc1006.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fz {
	uint64_t	 h;
	uint64_t	 fed;		/* bytes fed so far */
	const uint8_t	*chunk;
	size_t		 chunklen;
	unsigned int	 nev;
	unsigned int	 stop_at;	/* stop the stream at this event */
	struct rfc1006_stream *rs;
};

static void
mix(struct fz *f, const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		f->h = (f->h ^ b[i]) * 1099511628211ULL;
}

#define MIXV(f, v) do { uint64_t _v = (uint64_t)(v); mix((f), &_v, 8); } while (0)

static void
event(struct fz *f)
{
	if (++f->nev == f->stop_at)
		rfc1006_stream_stop(f->rs);
}

static void
fz_tpdu(void *arg, const struct cotp_tpdu *t)
{
	struct fz	*f = arg;

	if (t->udata_kept > t->udata_len || t->udata_kept > COTP_UDATA_MAX ||
	    t->calling_len > COTP_PARAM_MAX || t->called_len > COTP_PARAM_MAX ||
	    t->er_tpdu_len > COTP_PARAM_MAX ||
	    t->clearing_len > COTP_PARAM_MAX ||
	    t->offset + t->tpkt_len > f->fed ||
	    t->tpkt_len < TPKT_MINLEN || t->li > COTP_LI_MAX ||
	    (size_t)t->li + 1 + t->udata_len + TPKT_HDRLEN != t->tpkt_len)
		abort();
	MIXV(f, 1);
	MIXV(f, t->offset);
	MIXV(f, t->tpkt_len);
	MIXV(f, t->tpkt_reserved);
	MIXV(f, t->code);
	MIXV(f, t->li);
	MIXV(f, t->dst_ref);
	MIXV(f, t->src_ref);
	MIXV(f, t->class_opt);
	MIXV(f, t->reason);
	MIXV(f, t->cause);
	MIXV(f, t->eot);
	MIXV(f, t->nr);
	MIXV(f, t->has);
	MIXV(f, t->violations);
	MIXV(f, t->tpdu_size);
	MIXV(f, t->pref_size);
	MIXV(f, t->opt_sel);
	MIXV(f, t->nunknown);
	mix(f, t->calling, t->calling_len);
	mix(f, t->called, t->called_len);
	mix(f, t->clearing, t->clearing_len);
	mix(f, t->er_tpdu, t->er_tpdu_len);
	MIXV(f, t->udata_len);
	MIXV(f, t->udata_kept);
	if (t->udata_kept > 0)
		mix(f, t->udata, t->udata_kept);
	event(f);
}

static void
fz_anomaly(void *arg, const struct rfc1006_anomaly *a)
{
	struct fz	*f = arg;

	if (a->offset > f->fed || (a->fatal != 0) != (a->sev == RFC1006_FATAL))
		abort();
	MIXV(f, 2);
	mix(f, a->rule, strlen(a->rule));
	mix(f, a->detail, strlen(a->detail));
	MIXV(f, a->sev);
	MIXV(f, a->offset);
	event(f);
}

static void
fz_data(void *arg, const struct cotp_tpdu *t, const uint8_t *p, size_t n)
{
	struct fz	*f = arg;

	/* Slices of the chunk, never a copy. */
	if (p < f->chunk || n > f->chunklen ||
	    p + n > f->chunk + f->chunklen || n == 0)
		abort();
	mix(f, p, n);
}

static const struct rfc1006_callbacks fz_cb = { fz_tpdu, fz_anomaly,
    fz_data };

/* Decode buf in chunks from a little PRNG (maxchunk 0: all at once). */
static uint64_t
run(enum rfc1006_dir dir, size_t cap, unsigned int stop_at,
    const uint8_t *buf, size_t len, uint32_t seed, size_t maxchunk,
    uint64_t *boundary, int *rv)
{
	struct rfc1006_stream	 rs;
	struct fz		 f;
	size_t			 off, n;

	memset(&f, 0, sizeof(f));
	f.h = 14695981039346656037ULL;
	f.stop_at = stop_at;
	f.rs = &rs;
	rfc1006_stream_init(&rs, dir, &fz_cb, &f);
	rfc1006_stream_set_cap(&rs, cap);
	*rv = 0;
	for (off = 0; off < len; off += n) {
		if (maxchunk == 0)
			n = len;
		else {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			n = 1 + seed % maxchunk;
		}
		if (n > len - off)
			n = len - off;
		f.chunk = buf + off;
		f.chunklen = n;
		f.fed += n;
		if (rfc1006_stream_feed(&rs, buf + off, n) == -1)
			*rv = -1;
	}
	if (rfc1006_stream_boundary(&rs) > len)
		abort();
	*boundary = rfc1006_stream_boundary(&rs);
	rfc1006_stream_free(&rs);
	return (f.h);
}

/* Build a CR/CC back from its decode and parse it again. */
static void
roundtrip(const struct cotp_tpdu *t)
{
	struct cotp_tpdu	 b;
	uint8_t			 buf[TPKT_HDRLEN + COTP_HDR_MAX];
	unsigned int		 keep = COTP_HAS_TPDU_SIZE | COTP_HAS_CALLING |
	    COTP_HAS_CALLED | COTP_HAS_OPT_SEL | COTP_HAS_PREF_SIZE;
	ssize_t			 n;

	if (t->type == COTP_CR)
		n = cotp_build_cr(buf, sizeof(buf), t);
	else
		n = cotp_build_cc(buf, sizeof(buf), t);
	if (n == -1)
		return;		/* F0 grew to 4 bytes past LI 254 */
	if (rfc1006_parse(buf, (size_t)n, &b, NULL) == -1)
		abort();
	if (b.type != t->type || b.dst_ref != t->dst_ref ||
	    b.src_ref != t->src_ref || b.class_opt != t->class_opt ||
	    b.has != (t->has & keep) ||
	    ((t->has & COTP_HAS_TPDU_SIZE) && b.tpdu_size != t->tpdu_size) ||
	    ((t->has & COTP_HAS_OPT_SEL) && b.opt_sel != t->opt_sel) ||
	    ((t->has & COTP_HAS_PREF_SIZE) && b.pref_size != t->pref_size) ||
	    b.calling_len != t->calling_len || b.called_len != t->called_len ||
	    memcmp(b.calling, t->calling, t->calling_len) != 0 ||
	    memcmp(b.called, t->called, t->called_len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 maxchunks[] = { 1, 2, 3, 7, 64, 1000, 70000,
	    5 };
	static const size_t	 caps[] = { TPKT_MAXLEN, 2048 + 4, 100, 7 };
	struct rfc1006_stream	 c, s;
	struct cotp_tpdu	 t;
	struct fz		 fc, fs;
	enum rfc1006_dir	 dir;
	uint64_t		 h0, h1, b0, b1;
	const char		*err;
	char			 txt[64];
	size_t			 cap, off, n;
	uint8_t			 ctl;
	int			 rv0, rv1;

	if (size < 1)
		return (0);
	ctl = data[0];
	data++;
	size--;
	dir = ctl & 1 ? RFC1006_CALLEE : RFC1006_CALLER;
	cap = caps[(ctl >> 1) & 3];

	/* Chunking must not change anything. */
	h0 = run(dir, cap, ctl >> 7 ? 3 : 0, data, size, 0, 0, &b0, &rv0);
	h1 = run(dir, cap, ctl >> 7 ? 3 : 0, data, size, 0x9e3779b9u ^ ctl,
	    maxchunks[(ctl >> 3) & 7], &b1, &rv1);
	if (h0 != h1 || b0 != b1 || rv0 != rv1)
		abort();

	/* The raw bytes as one TPDU and as one TPKT. */
	err = NULL;
	if (cotp_parse(data, size, &t, &err) == 0) {
		if (t.udata != data + 1 + t.li || t.udata_kept != t.udata_len)
			abort();
		if (t.type == COTP_CR || t.type == COTP_CC)
			roundtrip(&t);
		cotp_tsap_str(t.calling, t.calling_len, txt, sizeof(txt));
		cotp_tsap_hex(t.called, t.called_len, txt, 7);
		cotp_type_name(t.code);
		cotp_dr_reason_name(t.reason);
		cotp_er_cause_name(t.cause);
	} else if (err == NULL)
		abort();
	if (rfc1006_parse(data, size, &t, &err) == 0 && t.tpkt_len != size)
		abort();

	/* Both directions paired, fed alternately from the two halves. */
	memset(&fc, 0, sizeof(fc));
	memset(&fs, 0, sizeof(fs));
	fc.rs = &c;
	fs.rs = &s;
	rfc1006_stream_init(&c, RFC1006_CALLER, &fz_cb, &fc);
	rfc1006_stream_init(&s, RFC1006_CALLEE, &fz_cb, &fs);
	rfc1006_stream_pair(&c, &s);
	for (off = 0; off < size; off += n) {
		n = 1 + (data[off] & 0x3f);
		if (n > size - off)
			n = size - off;
		if ((off / 7) & 1) {
			fs.chunk = data + off;
			fs.chunklen = n;
			fs.fed += n;
			rfc1006_stream_feed(&s, data + off, n);
		} else {
			fc.chunk = data + off;
			fc.chunklen = n;
			fc.fed += n;
			rfc1006_stream_feed(&c, data + off, n);
		}
	}
	rfc1006_stream_free(&c);
	rfc1006_stream_free(&s);
	return (0);
}
