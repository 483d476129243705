/*
 * The DCE/RPC endpoint mapper (PROTOCOLS.md 2.4-2.6): protocol towers,
 * ept_map request and response stubs, ept_lookup responses, the builders an
 * EPM server (mtasim) needs, and the in-place rewrite a NAT ALG does.
 *
 * Every offset the parsers return is relative to the start of the buffer
 * given to them plus the base the caller passed, so an ALG that parsed a
 * reassembled stub can overwrite exactly the port and address bytes.
 */
#ifndef EPM_H
#define EPM_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "dcerpc.h"

#define EPM_MAX_FLOORS		16	/* 2.4: floor_count <= 16 */
#define EPM_MAX_TOWERS		16
#define EPM_MAX_ENTRIES		16
#define EPM_ANNOTATION_MAX	64	/* C706 ept_max_annotation_size */
#define EPM_HANDLE_LEN		20
#define EPM_TCPIP_TOWER_LEN	75	/* 2 + 25 + 25 + 7 + 7 + 9 */

/* Opnums. */
#define EPM_OP_INSERT		0
#define EPM_OP_DELETE		1
#define EPM_OP_LOOKUP		2
#define EPM_OP_MAP		3
#define EPM_OP_LOOKUP_HANDLE_FREE 4
#define EPM_OP_INQ_OBJECT	5
#define EPM_OP_MGMT_DELETE	6
#define EPM_OP_MAP_AUTH		7

/* Floor protocol ids. */
#define EPM_PROTO_IP		0x09
#define EPM_PROTO_TCP		0x07
#define EPM_PROTO_UDP		0x08
#define EPM_PROTO_RPC_CL	0x0a
#define EPM_PROTO_RPC_CO	0x0b
#define EPM_PROTO_LRPC		0x0c
#define EPM_PROTO_UUID		0x0d
#define EPM_PROTO_NAMED_PIPE	0x0f
#define EPM_PROTO_PIPE		0x10
#define EPM_PROTO_NETBIOS	0x11
#define EPM_PROTO_HTTP		0x1f

/* Status values. */
#define EPM_S_OK		0x00000000
#define EPM_S_NOT_REGISTERED	0x16c9a0d6

struct epm_floor {
	uint8_t		 proto;		/* first lhs byte */
	uint16_t	 lhs_len;
	uint16_t	 rhs_len;
	uint32_t	 lhs_off;	/* base-relative */
	uint32_t	 rhs_off;
};

struct epm_tower {
	size_t		 off;		/* tower bytes, base-relative */
	size_t		 len;
	unsigned int	 nfloors;
	struct epm_floor floor[EPM_MAX_FLOORS];
	int		 has_iface;	/* first UUID floor */
	struct dcerpc_syntax iface;
	int		 has_xfer;	/* second UUID floor */
	struct dcerpc_syntax xfer;
	uint8_t		 rpc_proto;	/* 0b CO, 0a CL, 0c local; 0 none */
	int		 has_port;	/* 07 TCP, 08 UDP, 1f HTTP floor */
	uint8_t		 port_proto;
	uint16_t	 port;
	size_t		 port_off;	/* 2 bytes, big-endian */
	int		 has_ip;	/* 09 floor */
	uint8_t		 ip[4];
	size_t		 ip_off;	/* 4 bytes, network order */
};

struct epm_map_req {
	uint32_t	 obj_ref;
	int		 has_object;
	struct dcerpc_uuid object;
	uint32_t	 tower_ref;
	struct epm_tower tower;		/* tower.iface is what was asked */
	uint8_t		 handle[EPM_HANDLE_LEN];
	uint32_t	 max_towers;
};

struct epm_map_resp {
	uint8_t		 handle[EPM_HANDLE_LEN];
	uint32_t	 num_towers;
	uint32_t	 max_count;
	uint32_t	 offset;
	uint32_t	 actual_count;
	unsigned int	 ntowers;	/* non-null towers, in towers[] */
	uint32_t	 referent[EPM_MAX_TOWERS];
	struct epm_tower towers[EPM_MAX_TOWERS];
	uint32_t	 status;
};

struct epm_entry {
	struct dcerpc_uuid object;
	uint32_t	 tower_ref;
	size_t		 annotation_len;
	char		 annotation[EPM_ANNOTATION_MAX + 1];
	int		 has_tower;
	struct epm_tower tower;
};

struct epm_lookup_resp {
	uint8_t		 handle[EPM_HANDLE_LEN];
	uint32_t	 num_ents;
	uint32_t	 max_count;
	uint32_t	 offset;
	uint32_t	 actual_count;
	unsigned int	 nentries;
	struct epm_entry entries[EPM_MAX_ENTRIES];
	uint32_t	 status;
};

/* Input of epm_build_lookup_resp(). */
struct epm_lookup_item {
	struct dcerpc_uuid object;
	const char	*annotation;	/* may be NULL */
	const uint8_t	*tower;		/* NULL: null tower pointer */
	size_t		 tower_len;
};

/* epm.c */
/*
 * Decode a tower (not NDR: little-endian, no alignment; port and address
 * big-endian). base is added to every offset. Returns 0, or -1 with
 * *errstr "epm_tower_short", "epm_floor_count", "epm_floor_length",
 * "epm_floor_uuid", "epm_floor_port", "epm_floor_ip".
 */
int		 epm_tower_parse(const uint8_t *, size_t, size_t,
		    struct epm_tower *, const char **);
/*
 * ept_map request and response stubs, NDR in the drep order le. The
 * response check wants actual_count <= max_count <= max_towers (0: do not
 * check max_towers). Errors: the tower ones, "epm_short", "epm_tower_ref",
 * "epm_tower_length", "epm_tower_count".
 */
int		 epm_map_req_parse(const uint8_t *, size_t, int,
		    struct epm_map_req *, const char **);
int		 epm_map_resp_parse(const uint8_t *, size_t, int, uint32_t,
		    struct epm_map_resp *, const char **);
/* ept_lookup (opnum 2) response stub; also "epm_annotation". */
int		 epm_lookup_resp_parse(const uint8_t *, size_t, int,
		    struct epm_lookup_resp *, const char **);
/*
 * Overwrite a parsed tower's address (ip4, 4 bytes, or NULL to keep) and
 * port (port < 0 keeps it) in buf, the buffer the offsets refer to. No
 * length changes (2.5). Returns -1 if the tower lacks the field or it is
 * not inside buf.
 */
int		 epm_tower_rewrite(uint8_t *, size_t, const struct epm_tower *,
		    const uint8_t *, int);

/* A 5-floor TCP/IP tower (75 bytes) for iface over xfer at ip4:port. */
ssize_t		 epm_build_tower_tcp(uint8_t *, size_t,
		    const struct dcerpc_syntax *, const struct dcerpc_syntax *,
		    uint16_t, const uint8_t *);
/* ept_map request stub; object NULL sends a null pointer, handle NULL zeros. */
ssize_t		 epm_build_map_req(uint8_t *, size_t,
		    const struct dcerpc_uuid *, const uint8_t *, size_t,
		    const uint8_t *, uint32_t);
/* ept_map response stub with n towers (n <= max_towers). */
ssize_t		 epm_build_map_resp(uint8_t *, size_t, const uint8_t *,
		    uint32_t, const uint8_t *const *, const size_t *,
		    unsigned int, uint32_t);
/* ept_lookup response stub with n entries. */
ssize_t		 epm_build_lookup_resp(uint8_t *, size_t, const uint8_t *,
		    uint32_t, const struct epm_lookup_item *, unsigned int,
		    uint32_t);

const char	*epm_opnum_name(uint16_t);
const char	*epm_proto_name(uint8_t);
/* "ok", "not_registered", or NULL. */
const char	*epm_status_name(uint32_t);

#endif /* EPM_H */
