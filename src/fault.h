/*
 * Fault injection: declarations of fault.c beyond the data-path hooks that
 * fwrelay.h already has (fault_conn_init, fault_data, fault_conn_free).
 */
#ifndef FAULT_H
#define FAULT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct conn;
struct conn_side;
struct relay;
struct fault_conf;

enum fault_type {
	FAULT_LATENCY = 0,
	FAULT_BANDWIDTH,
	FAULT_RESET_AFTER,
	FAULT_BLACKHOLE,
	FAULT_SLICER,
	FAULT_IDLE_BLACKHOLE,
	FAULT_PDU_DELAY,
	FAULT_PDU_DROP,
	FAULT_CR_REFUSE,
	FAULT_ER_REPLY,
	FAULT_TRIGGERED,	/* { on = "EVENT"; action = ...; } */
	FAULT_NTYPES
};

/* A checked fault_conf turned into numbers (fault_params_parse()). */
struct fault_params {
	enum fault_type	 type;
	int		 direction;	/* FAULT_UP | FAULT_DOWN */
	double		 probability;
	double		 ms;		/* latency_ms, delay_ms */
	double		 jitter_ms;
	double		 rate;		/* bytes_per_second */
	double		 idle;		/* idle_seconds */
	uint64_t	 bytes;		/* reset_after bytes, slicer size */
	uint8_t		 tpdu;		/* COTP code (high nibble), pdu_* */
	uint8_t		 code;		/* DR reason, ER cause */
};

/*
 * Incremental TPKT framing (RFC 1006 section 6) for the PDU faults: feed
 * bytes, take whole TPKTs. After bytes that are not TPKT the framer is
 * "lost" and passes everything as it comes (a stream cannot resynchronise).
 */
struct fault_framer {
	uint8_t		*buf;		/* TPKT_MAXLEN bytes, the caller's */
	size_t		 have;		/* bytes of the current TPKT in buf */
	size_t		 need;		/* its length once the header is in */
	int		 lost;
};

/* fault.c */
const char	*fault_type_name(enum fault_type);
/* Parse a checked fault_conf (config or API). -1 with *errstr. */
int		 fault_params_parse(const struct fault_conf *,
		    struct fault_params *, const char **);
/* Does this fault type need protocol rfc1006? */
int		 fault_needs_rfc1006(enum fault_type);
/*
 * Framer: copy bytes of the current TPKT into fr->buf and return how many
 * were taken. *done is set when they complete it (buf[0..need) is one
 * TPKT: the caller takes it and sets have = 0). When the header is not a
 * TPKT, lost is set and buf[0..have) holds the bytes taken so far, which
 * the caller passes on as they are, with everything after them.
 */
size_t		 fault_framer_feed(struct fault_framer *, const uint8_t *,
		    size_t, int *);
/* Bandwidth token bucket: tokens after dt seconds at rate, capped. */
double		 fault_bucket_refill(double, double, double, double);
/* Burst size of the bucket for a rate: 50 ms worth, at least 1 byte. */
double		 fault_bucket_burst(double);

/* Run-time faults of a relay (rl_faults), applied to new connections. */
/* Add a fault object; 0 and *id, or -1 with *errstr (literal). */
int		 fault_add(struct relay *, json_t *, int *, const char **);
int		 fault_add_id(struct relay *, json_t *, int *, const char **);
void		 fault_share(struct relay *, struct relay *, int);
/* Remove a run-time fault by id; -1 when there is none. */
int		 fault_remove(struct relay *, int);
/* The relay's faults, configured ones ("c1".."cN") then run-time ones. */
json_t		*fault_list_json(struct relay *);
/* Free rl_faults (for relay_free()). */
void		 fault_relay_free(struct relay *);
/* The fault types acting on a connection, for GET /v1/connections. */
json_t		*fault_conn_json(struct conn *);
/*
 * Is the fault still holding bytes read from cs, or swallowing them? Then
 * an EOF read from cs must not be passed on yet (relay_eof, relay_write).
 */
int		 fault_pending(struct conn_side *);
/*
 * An inspector event (inspect_emit): does a triggered fault of the
 * connection fire on it? Then cs_trig of the side is set.
 */
void		 fault_event(struct conn *, json_t *);
/*
 * The inspector saw the n bytes of the PDU a triggered fault took
 * (cs_trig): apply its action instead of forwarding. 0, or -1 when the
 * connection was closed.
 */
int		 fault_trig_act(struct conn_side *, const uint8_t *, size_t);

#endif /* FAULT_H */
