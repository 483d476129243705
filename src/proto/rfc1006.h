/*
 * ISO transport over TCP: RFC 1006 TPKT framing carrying ISO 8073 class 0
 * COTP TPDUs (PROTOCOLS.md section 1). Pure decoders and builders, no I/O:
 * fwrelay's rfc1006 inspector runs one rfc1006_stream per direction, mtasim
 * builds its CR/CC/DT/DR/ER with the cotp_build_*() functions.
 */
#ifndef RFC1006_H
#define RFC1006_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define TPKT_VERSION		3
#define TPKT_HDRLEN		4
#define TPKT_MINLEN		7	/* header + the shortest TPDU (DT) */
#define TPKT_MAXLEN		65535
#define COTP_LI_MAX		254	/* LI 255 is reserved */
#define COTP_HDR_MAX		(1 + COTP_LI_MAX)
#define COTP_PARAM_MAX		(COTP_LI_MAX - 2)	/* longest TLV value */
#define COTP_UDATA_MAX		32	/* user data kept from CR/CC/DR/ER */
#define COTP_ED_MAX		16	/* RFC 1006 expedited data */

/* TPDU codes: high nibble of byte 1. */
#define COTP_ED			0x10
#define COTP_EA			0x20
#define COTP_RJ			0x50
#define COTP_AK			0x60
#define COTP_ER			0x70
#define COTP_DR			0x80
#define COTP_DC			0xc0
#define COTP_CC			0xd0
#define COTP_CR			0xe0
#define COTP_DT			0xf0

/* Variable-part parameter codes (RFC 905 13.3.4). */
#define COTP_P_TPDU_SIZE	0xc0
#define COTP_P_CALLING_TSAP	0xc1
#define COTP_P_INVALID_TPDU	0xc1	/* the same code, in an ER */
#define COTP_P_CALLED_TSAP	0xc2
#define COTP_P_OPT_SEL		0xc6
#define COTP_P_CLEARING_INFO	0xe0
#define COTP_P_PREF_SIZE	0xf0

/* DT/ED byte 2. */
#define COTP_EOT		0x80

/* struct cotp_tpdu has: which optional parts were present. */
#define COTP_HAS_TPDU_SIZE	0x0001
#define COTP_HAS_CALLING	0x0002
#define COTP_HAS_CALLED		0x0004
#define COTP_HAS_OPT_SEL	0x0008
#define COTP_HAS_PREF_SIZE	0x0010
#define COTP_HAS_CLEARING	0x0020
#define COTP_HAS_ER_TPDU	0x0040

/*
 * struct cotp_tpdu violations: findings that leave the TPDU decodable. Each
 * bit has a stable rule name, cotp_violation_rule().
 */
#define COTP_V_CLASS		0x0001	/* cotp_class: class/options not 00 */
#define COTP_V_CREDIT		0x0002	/* cotp_credit: CDT nibble not 0 */
#define COTP_V_USER_DATA	0x0004	/* cotp_user_data: outside DT/ED */
#define COTP_V_TPDU_SIZE	0x0008	/* cotp_tpdu_size: C0 not 07..0D */
#define COTP_V_NOT_CLASS0	0x0010	/* cotp_tpdu_class: DC AK RJ EA */
#define COTP_V_UNKNOWN		0x0020	/* cotp_unknown_tpdu */
#define COTP_V_ER_PARAM		0x0040	/* cotp_er_param: ER without C1 */
#define COTP_V_DT_NR		0x0080	/* cotp_dt_nr: TPDU-NR not 0 */
#define COTP_V_ED_LENGTH	0x0100	/* cotp_ed_length: not 1..16 bytes */
#define COTP_V_NBITS		9

/* One decoded TPDU. */
struct cotp_tpdu {
	uint64_t	 offset;	/* stream offset of its TPKT */
	uint16_t	 tpkt_len;	/* 0 from cotp_parse() */
	uint8_t		 tpkt_reserved;
	uint8_t		 type;		/* COTP_CR ...: code & 0xf0 */
	uint8_t		 code;		/* byte 1 as sent */
	uint8_t		 li;
	uint8_t		 cdt;		/* CR/CC: low nibble of byte 1 */
	uint16_t	 dst_ref;	/* CR CC DR ER */
	uint16_t	 src_ref;	/* CR CC DR */
	uint8_t		 class_opt;	/* CR CC: class << 4 | options */
	uint8_t		 reason;	/* DR */
	uint8_t		 cause;		/* ER */
	int		 eot;		/* DT ED */
	uint8_t		 nr;		/* DT ED: TPDU-NR */
	unsigned int	 has;		/* COTP_HAS_* */
	unsigned int	 violations;	/* COTP_V_* */
	uint8_t		 tpdu_size;	/* C0 code: size is 2^tpdu_size */
	uint32_t	 pref_size;	/* F0, in units of 128 bytes */
	uint8_t		 opt_sel;	/* C6 */
	unsigned int	 nunknown;	/* parameters with other codes */
	size_t		 calling_len;
	size_t		 called_len;
	size_t		 clearing_len;
	size_t		 er_tpdu_len;
	uint8_t		 calling[COTP_PARAM_MAX];	/* C1 */
	uint8_t		 called[COTP_PARAM_MAX];	/* C2 */
	uint8_t		 clearing[COTP_PARAM_MAX];	/* E0 in DR */
	uint8_t		 er_tpdu[COTP_PARAM_MAX];	/* C1 in ER */
	/*
	 * User data after the header: udata_len bytes on the wire. udata
	 * points at the first udata_kept of them: all of them from
	 * cotp_parse(), at most COTP_UDATA_MAX for CR/CC/DR/ER and none for
	 * DT/ED from a stream (see the data callback).
	 */
	size_t		 udata_len;
	size_t		 udata_kept;
	const uint8_t	*udata;
};

enum rfc1006_dir {
	RFC1006_CALLER = 0,	/* the side that sends CR */
	RFC1006_CALLEE		/* the side that answers CC, DR or ER */
};

/*
 * What an anomaly is. Framing (RFC1006_FRAMING, RFC1006_FATAL): the stream
 * cannot be parsed (RFC 1006 section 6, the TPDU structure of ISO 8073
 * 13.2); that is what strict = true closes on. Conformance
 * (RFC1006_ERROR): a deviation from ISO 8073 class 0 that real stacks
 * commit and real receivers tolerate, closed only by strict =
 * "conformance". Tolerated (RFC1006_WARN): logged, never closed.
 */
enum rfc1006_sev {
	RFC1006_WARN = 0,	/* tolerated by real stacks: log */
	RFC1006_ERROR,		/* conformance: class 0 rules, framing intact */
	RFC1006_FRAMING,	/* this TPDU cannot be parsed; TPKTs still are */
	RFC1006_FATAL		/* framing lost: the stream is dead */
};

struct rfc1006_anomaly {
	const char	*rule;		/* stable name, e.g. "tpkt_length" */
	enum rfc1006_sev sev;
	int		 fatal;		/* sev == RFC1006_FATAL */
	int		 framing;	/* sev >= RFC1006_FRAMING */
	uint64_t	 offset;	/* stream offset of the TPKT */
	const char	*detail;	/* text; valid during the callback */
};

/*
 * Callbacks of a stream; any may be NULL. For one TPKT they come in stream
 * order: anomalies, data slices (DT/ED user data, pointers into the fed
 * chunk, never copied), then tpdu once the whole TPKT has been consumed.
 */
struct rfc1006_callbacks {
	void	(*tpdu)(void *, const struct cotp_tpdu *);
	void	(*anomaly)(void *, const struct rfc1006_anomaly *);
	void	(*data)(void *, const struct cotp_tpdu *, const uint8_t *,
		    size_t);
};

/* Per-direction incremental decoder; no allocation, embed it anywhere. */
/*
 * What a stream needs while it is inside a TPKT: the header as it comes,
 * the decoded TPDU, the user data kept. Allocated at a TPKT's first byte
 * and freed at the end of the feed that completes it, so an idle
 * connection holds none (issue 15: memory per idle inspected connection).
 */
struct rfc1006_work {
	struct cotp_tpdu		 tpdu;
	uint8_t				 hdr[TPKT_HDRLEN + COTP_HDR_MAX];
	uint8_t				 udata[COTP_UDATA_MAX];
};
#define RFC1006_DETAIL_MAX	160

struct rfc1006_stream {
	enum rfc1006_dir		 rs_dir;
	const struct rfc1006_callbacks	*rs_cb;
	void				*rs_arg;
	struct rfc1006_stream		*rs_peer;
	size_t				 rs_cap;	/* max TPKT length */
	int				 rs_state;	/* framing state */
	int				 rs_conn;	/* connection state */
	int				 rs_dead;
	int				 rs_stopped;
	uint64_t			 rs_off;	/* bytes consumed */
	uint64_t			 rs_boundary;	/* end of last TPKT */
	uint64_t			 rs_ntpdu;
	size_t				 rs_have;	/* bytes in rs_hdr */
	size_t				 rs_need;	/* rs_hdr target */
	size_t				 rs_left;	/* TPKT bytes to go */
	int				 rs_bad;	/* TPDU undecodable */
	struct rfc1006_work		*rs_w;		/* inside a TPKT only */
	/* Negotiation, filled by CR (caller) and CC (callee). */
	int				 rs_cr_seen;
	uint16_t			 rs_cr_src_ref;
	uint8_t				 rs_cr_size;	/* 0: not stated */
	uint8_t				 rs_cr_opt_sel;
	int				 rs_cc_seen;
	size_t				 rs_max_tpdu;	/* 0: no limit */
	int				 rs_expedited;	/* -1 unknown */
};

/* rfc1006.c */
/* Start a decoder for one direction of a connection. */
void		 rfc1006_stream_init(struct rfc1006_stream *, enum rfc1006_dir,
		    const struct rfc1006_callbacks *, void *);
/*
 * Link the two directions so a CC is checked against its CR (refs, size,
 * options, per [tosi] validateCC), the negotiated TPDU size is enforced
 * and ED needs both sides to have selected expedited data.
 */
void		 rfc1006_stream_pair(struct rfc1006_stream *,
		    struct rfc1006_stream *);
/* Largest TPKT accepted (7..65535); 65535 by default. */
int		 rfc1006_stream_set_cap(struct rfc1006_stream *, size_t);
/*
 * Feed the next chunk, any size. Returns 0, or -1 once framing is lost (a
 * fatal anomaly was reported, now or earlier) or rfc1006_stream_stop() was
 * called from a callback: the rest of the chunk and all later input are
 * ignored, since a TPKT stream cannot resynchronise.
 */
int		 rfc1006_stream_feed(struct rfc1006_stream *, const uint8_t *,
		    size_t);
/* Called from a callback: consume nothing more. */
void		 rfc1006_stream_stop(struct rfc1006_stream *);
/* Free what a stream holds; it may be fed again afterwards. */
void		 rfc1006_stream_free(struct rfc1006_stream *);
/*
 * The side closed its stream: a TPKT begun and not finished is a framing
 * anomaly ("tpkt_truncated", fatal). Returns -1 if it was, else 0.
 */
int		 rfc1006_stream_eof(struct rfc1006_stream *);
/* Stream offset just past the last complete TPKT. */
uint64_t	 rfc1006_stream_boundary(const struct rfc1006_stream *);

/*
 * Check a TPKT header: version 3, length 7..65535. Returns 0 with the
 * length and reserved byte, or -1 with *errstr "tpkt_version",
 * "tpkt_length" (also when fewer than 4 bytes are given).
 */
int		 tpkt_parse(const uint8_t *, size_t, uint16_t *, uint8_t *,
		    const char **);
/* Write a TPKT header for a TPDU of the given length; -1 if too long. */
int		 tpkt_build(uint8_t *, size_t);
/*
 * Decode one complete TPDU (the bytes after the TPKT header). Returns 0
 * with violations noted in t->violations, or -1 with *errstr a rule name:
 * "cotp_length", "cotp_li", "cotp_param".
 */
int		 cotp_parse(const uint8_t *, size_t, struct cotp_tpdu *,
		    const char **);
/* Decode one whole TPKT (exactly len bytes) with its TPDU. */
int		 rfc1006_parse(const uint8_t *, size_t, struct cotp_tpdu *,
		    const char **);
/*
 * Builders: write a whole TPKT into buf (size bytes) and return its
 * length, or -1 if it does not fit or a field is out of range. CR and CC
 * take dst_ref, src_ref, class_opt and the parameters flagged in has.
 */
ssize_t		 cotp_build_cr(uint8_t *, size_t, const struct cotp_tpdu *);
ssize_t		 cotp_build_cc(uint8_t *, size_t, const struct cotp_tpdu *);
ssize_t		 cotp_build_dr(uint8_t *, size_t, uint16_t, uint16_t,
		    uint8_t);
ssize_t		 cotp_build_er(uint8_t *, size_t, uint16_t, uint8_t,
		    const uint8_t *, size_t);
ssize_t		 cotp_build_dt(uint8_t *, size_t, int, const uint8_t *,
		    size_t);
/* The 7 header bytes of a DT carrying len bytes, for a scatter write. */
ssize_t		 cotp_build_dt_hdr(uint8_t *, size_t, int, size_t);
/* Set a TSAP (C1/C2) on a CR/CC template; -1 if longer than allowed. */
int		 cotp_set_tsap(struct cotp_tpdu *, int, const void *, size_t);

/* Names. */
const char	*cotp_type_name(uint8_t);
const char	*cotp_dr_reason_name(uint8_t);
const char	*cotp_er_cause_name(uint8_t);
const char	*cotp_violation_rule(unsigned int);
/* Bytes of a C0 size code (07..0D), 0 if out of range. */
size_t		 cotp_tpdu_size_bytes(uint8_t);
/* TSAP as lower-case hex into buf; truncated to fit. Returns buf. */
char		*cotp_tsap_hex(const uint8_t *, size_t, char *, size_t);
/* TSAP as text if every byte is printable ASCII, else as hex. */
char		*cotp_tsap_str(const uint8_t *, size_t, char *, size_t);
int		 cotp_tsap_printable(const uint8_t *, size_t);

#endif /* RFC1006_H */
