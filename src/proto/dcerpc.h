/*
 * Connection-oriented DCE/RPC as Microsoft uses it on ncacn_ip_tcp
 * (PROTOCOLS.md 2.1-2.3): the common header in either byte order, PDU
 * bodies, an incremental per-direction framer, a fragment reassembler, UUIDs
 * and an interface-name table, and little-endian PDU builders.
 */
#ifndef DCERPC_H
#define DCERPC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define DCERPC_HDRLEN		16
#define DCERPC_FRAG_MAX		65535
#define DCERPC_SEC_TRAILER	8
#define DCERPC_REQ_HDRLEN	24	/* request, response */
#define DCERPC_FAULT_HDRLEN	32
#define DCERPC_UUID_STRLEN	37	/* 36 characters and NUL */

/* Storage caps of the parsed structures; the wire may say more. */
#define DCERPC_MAX_CTX		16
#define DCERPC_MAX_XFER		4
#define DCERPC_MAX_RESULTS	16
#define DCERPC_MAX_NAK_VERS	8
#define DCERPC_SEC_ADDR_MAX	80

/* Reassembly defaults (2.3: 64 KiB is ample for EPM). */
#define DCERPC_REASM_CALL_CAP	65536
#define DCERPC_REASM_MAX_CALLS	16
#define DCERPC_REASM_MAX_FRAGS	128

/* ptype, 2.2. */
#define DCERPC_REQUEST		0
#define DCERPC_PING		1
#define DCERPC_RESPONSE		2
#define DCERPC_FAULT		3
#define DCERPC_BIND		11
#define DCERPC_BIND_ACK		12
#define DCERPC_BIND_NAK		13
#define DCERPC_ALTER		14
#define DCERPC_ALTER_RESP	15
#define DCERPC_AUTH3		16
#define DCERPC_SHUTDOWN		17
#define DCERPC_CO_CANCEL	18
#define DCERPC_ORPHANED		19
#define DCERPC_RTS		20

/* pfc_flags. */
#define DCERPC_PFC_FIRST_FRAG	0x01
#define DCERPC_PFC_LAST_FRAG	0x02
#define DCERPC_PFC_PENDING_CANCEL 0x04
#define DCERPC_PFC_CONC_MPX	0x10
#define DCERPC_PFC_DID_NOT_EXECUTE 0x20
#define DCERPC_PFC_MAYBE	0x40
#define DCERPC_PFC_OBJECT_UUID	0x80

/* Fault status values of 2.2. */
#define DCERPC_NCA_S_OP_RNG_ERROR	0x1c010002
#define DCERPC_NCA_S_UNK_IF		0x1c010003
#define DCERPC_NCA_S_PROTO_ERROR	0x1c01000b
#define DCERPC_ACCESS_DENIED		0x00000005
#define DCERPC_BAD_STUB_DATA		0x000006f7

/* bind_ack result values. */
#define DCERPC_ACCEPT		0
#define DCERPC_USER_REJECT	1
#define DCERPC_PROVIDER_REJECT	2
#define DCERPC_NEGOTIATE_ACK	3

/* A UUID held in its string order: 9e8ee830-... is b[0] = 0x9e. */
struct dcerpc_uuid {
	uint8_t		 b[16];
};

/* An interface or transfer syntax: UUID and if_version. */
struct dcerpc_syntax {
	struct dcerpc_uuid uuid;
	uint16_t	 major;
	uint16_t	 minor;
};

struct dcerpc_hdr {
	uint8_t		 rpc_vers;
	uint8_t		 rpc_vers_minor;
	uint8_t		 ptype;
	uint8_t		 pfc_flags;
	uint8_t		 drep[4];
	int		 le;		/* drep integer order little-endian */
	uint16_t	 frag_length;
	uint16_t	 auth_length;
	uint32_t	 call_id;
};

/* sec_trailer and auth_value, present when auth_length > 0. */
struct dcerpc_auth {
	uint8_t		 type;
	uint8_t		 level;
	uint8_t		 pad_length;
	uint32_t	 context_id;
	size_t		 trailer_off;	/* of the 8-byte sec_trailer */
	size_t		 value_off;
	size_t		 value_len;
};

struct dcerpc_ctx {
	uint16_t	 p_cont_id;
	uint8_t		 n_xfer;	/* stored in xfer[] */
	uint8_t		 n_xfer_wire;	/* as sent */
	struct dcerpc_syntax abstract;
	struct dcerpc_syntax xfer[DCERPC_MAX_XFER];
};

/* bind and alter_context. */
struct dcerpc_bind {
	uint16_t	 max_xmit;
	uint16_t	 max_recv;
	uint32_t	 assoc_group;
	uint8_t		 n_ctx;		/* stored in ctx[] */
	uint8_t		 n_ctx_wire;
	struct dcerpc_ctx ctx[DCERPC_MAX_CTX];
};

struct dcerpc_result {
	uint16_t	 result;
	uint16_t	 reason;
	struct dcerpc_syntax xfer;
};

/* bind_ack and alter_context_resp. */
struct dcerpc_bind_ack {
	uint16_t	 max_xmit;
	uint16_t	 max_recv;
	uint32_t	 assoc_group;
	uint16_t	 sec_addr_len;	/* as sent, counting the NUL */
	size_t		 sec_addr_off;
	char		 sec_addr[DCERPC_SEC_ADDR_MAX + 1];	/* truncated */
	uint8_t		 n_results;	/* stored */
	uint8_t		 n_results_wire;
	struct dcerpc_result results[DCERPC_MAX_RESULTS];
};

struct dcerpc_bind_nak {
	uint16_t	 reason;
	uint8_t		 n_versions;	/* stored */
	uint8_t		 n_versions_wire;
	uint8_t		 versions[DCERPC_MAX_NAK_VERS][2];	/* major, minor */
};

struct dcerpc_request {
	uint32_t	 alloc_hint;
	uint16_t	 p_cont_id;
	uint16_t	 opnum;
	int		 has_object;
	struct dcerpc_uuid object;
};

struct dcerpc_response {
	uint32_t	 alloc_hint;
	uint16_t	 p_cont_id;
	uint8_t		 cancel_count;
};

struct dcerpc_fault {
	uint32_t	 alloc_hint;
	uint16_t	 p_cont_id;
	uint8_t		 cancel_count;
	uint8_t		 flags;
	uint32_t	 status;
};

/* One parsed PDU. Pointers refer into the buffer given to the parser. */
struct dcerpc_pdu {
	struct dcerpc_hdr hdr;
	int		 has_auth;
	struct dcerpc_auth auth;
	/* request, response, fault: the stub (without auth pad/trailer). */
	const uint8_t	*stub;
	size_t		 stub_off;	/* offset in the PDU */
	size_t		 stub_len;
	union {
		struct dcerpc_bind	 bind;	/* bind, alter_context */
		struct dcerpc_bind_ack	 ack;	/* bind_ack, alter_resp */
		struct dcerpc_bind_nak	 nak;
		struct dcerpc_request	 req;
		struct dcerpc_response	 resp;
		struct dcerpc_fault	 fault;
	} u;
};

/*
 * Framer: per-direction, hands over each complete PDU. Errors are always
 * fatal (the stream has no resync point); rule names: "dcerpc_version",
 * "dcerpc_drep", "dcerpc_frag_length", "dcerpc_auth_length",
 * "dcerpc_ptype".
 */
struct dcerpc_framer_callbacks {
	/* pdu: frag_length bytes at stream offset off; valid during the call. */
	void	(*pdu)(void *, const uint8_t *, size_t, uint64_t);
	void	(*error)(void *, const char *, const char *, uint64_t);
};

struct dcerpc_framer {
	const struct dcerpc_framer_callbacks *df_cb;
	void		*df_arg;
	size_t		 df_cap;	/* largest frag_length accepted */
	uint8_t		*df_buf;	/* grows with data, up to df_cap */
	size_t		 df_alloc;
	size_t		 df_have;
	size_t		 df_need;	/* frag_length once known */
	uint64_t	 df_off;
	uint64_t	 df_boundary;
	uint64_t	 df_npdu;
	int		 df_dead;
	int		 df_stopped;
};

/* One reassembled call, valid until the next dcerpc_reasm_*() call. */
struct dcerpc_call {
	uint32_t	 call_id;
	uint8_t		 ptype;
	uint16_t	 p_cont_id;	/* from the first fragment */
	uint16_t	 opnum;		/* request only */
	const uint8_t	*stub;
	size_t		 stub_len;
	unsigned int	 nfrags;
	const uint32_t	*frag_end;	/* stub offset where fragment i ends */
};

struct dcerpc_reasm_slot;

struct dcerpc_reasm {
	size_t		 dr_call_cap;
	unsigned int	 dr_max_calls;
	struct dcerpc_reasm_slot *dr_slots;	/* dr_max_calls, lazily */
	int		 dr_done;	/* slot handed out last, or -1 */
	uint32_t	 dr_single_end;
};

/* dcerpc.c */
/*
 * Check a 16-byte common header: version 5.0/5.1, drep, 16 <= frag_length,
 * auth_length + 8 fitting the body, a connection-oriented ptype. Returns 0
 * or -1 with *errstr a rule name ("dcerpc_short" if fewer than 16 bytes).
 */
int		 dcerpc_hdr_parse(const uint8_t *, size_t, struct dcerpc_hdr *,
		    const char **);
/*
 * Parse a whole PDU (len >= frag_length; the first frag_length bytes are
 * used). Returns 0 or -1 with *errstr a rule name.
 */
int		 dcerpc_pdu_parse(const uint8_t *, size_t, struct dcerpc_pdu *,
		    const char **);

/* Start a framer accepting PDUs up to cap bytes (16..65535). */
int		 dcerpc_framer_init(struct dcerpc_framer *, size_t,
		    const struct dcerpc_framer_callbacks *, void *);
/*
 * Feed a chunk. Returns 0, or -1 once the framing was lost or the framer
 * was stopped from a callback; later input is ignored.
 */
int		 dcerpc_framer_feed(struct dcerpc_framer *, const uint8_t *,
		    size_t);
void		 dcerpc_framer_stop(struct dcerpc_framer *);
uint64_t	 dcerpc_framer_boundary(const struct dcerpc_framer *);
void		 dcerpc_framer_free(struct dcerpc_framer *);

/* Reassembler for request or response fragments of one direction. */
void		 dcerpc_reasm_init(struct dcerpc_reasm *, size_t, unsigned int);
/*
 * Add a parsed request or response fragment. Returns 1 with *call filled
 * when the call is complete, 0 when more fragments are due, -1 with
 * *errstr ("dcerpc_reasm_ptype", "dcerpc_reasm_orphan", "dcerpc_reasm_dup",
 * "dcerpc_reasm_cap", "dcerpc_reasm_calls", "dcerpc_reasm_frags",
 * "dcerpc_reasm_nomem") when the fragment is refused; a partial call with
 * the same call_id is then dropped too.
 */
int		 dcerpc_reasm_add(struct dcerpc_reasm *,
		    const struct dcerpc_pdu *, struct dcerpc_call *,
		    const char **);
/* Open (incomplete) calls. */
unsigned int	 dcerpc_reasm_open(const struct dcerpc_reasm *);
void		 dcerpc_reasm_drop(struct dcerpc_reasm *, uint32_t);
void		 dcerpc_reasm_free(struct dcerpc_reasm *);
/* Which fragment holds stub offset off: 0 with *frag and *frag_off. */
int		 dcerpc_call_locate(const struct dcerpc_call *, size_t,
		    unsigned int *, size_t *);

/* UUIDs: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", NDR order as in 2.4. */
int		 dcerpc_uuid_parse(const char *, struct dcerpc_uuid *);
char		*dcerpc_uuid_format(const struct dcerpc_uuid *, char *,
		    size_t);
void		 dcerpc_uuid_read(const uint8_t *, int, struct dcerpc_uuid *);
void		 dcerpc_uuid_write(uint8_t *, const struct dcerpc_uuid *);
int		 dcerpc_uuid_eq(const struct dcerpc_uuid *,
		    const struct dcerpc_uuid *);
int		 dcerpc_uuid_is_nil(const struct dcerpc_uuid *);
/* Name of a known interface (major version checked if the table has it). */
const char	*dcerpc_if_name(const struct dcerpc_uuid *, uint16_t);
/* UUID and version of a table entry by name ("epm", "exchange_mta"). */
int		 dcerpc_if_lookup(const char *, struct dcerpc_syntax *);

extern const struct dcerpc_uuid dcerpc_uuid_nil;
extern const struct dcerpc_uuid dcerpc_uuid_epm;
extern const struct dcerpc_uuid dcerpc_uuid_ndr;
extern const struct dcerpc_uuid dcerpc_uuid_exchange_mta;
extern const struct dcerpc_uuid dcerpc_uuid_qadmin;

const char	*dcerpc_ptype_name(uint8_t);
/* "nca_s_unk_if" ..., or NULL if not in the table. */
const char	*dcerpc_fault_name(uint32_t);
const char	*dcerpc_nak_reason_name(uint16_t);
const char	*dcerpc_result_name(uint16_t);
const char	*dcerpc_result_reason_name(uint16_t);

/*
 * Builders, little-endian (drep 10 00 00 00). Each writes one PDU into buf
 * (size bytes) and returns its length, or -1 if it does not fit in size or
 * in a 65535-byte PDU. ptype picks bind/alter_context and
 * bind_ack/alter_context_resp.
 */
ssize_t		 dcerpc_build_bind(uint8_t *, size_t, uint8_t, uint32_t,
		    const struct dcerpc_bind *);
ssize_t		 dcerpc_build_bind_ack(uint8_t *, size_t, uint8_t, uint32_t,
		    const struct dcerpc_bind_ack *);
ssize_t		 dcerpc_build_bind_nak(uint8_t *, size_t, uint32_t,
		    const struct dcerpc_bind_nak *);
/* pfc_flags 03 for an unfragmented call; object may be NULL. */
ssize_t		 dcerpc_build_request(uint8_t *, size_t, uint32_t, uint8_t,
		    uint32_t, uint16_t, uint16_t, const struct dcerpc_uuid *,
		    const uint8_t *, size_t);
ssize_t		 dcerpc_build_response(uint8_t *, size_t, uint32_t, uint8_t,
		    uint32_t, uint16_t, const uint8_t *, size_t);
ssize_t		 dcerpc_build_fault(uint8_t *, size_t, uint32_t, uint16_t,
		    uint32_t);
/* Set a bind_ack secondary address ("135"); -1 if too long. */
int		 dcerpc_set_sec_addr(struct dcerpc_bind_ack *, const char *);

#endif /* DCERPC_H */
