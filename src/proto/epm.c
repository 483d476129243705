/*
 * Endpoint mapper stubs and protocol towers (C706 appendix L, [samba-epm]
 * epmapper.idl, [WS-epm]; PROTOCOLS.md 2.4-2.6). NDR parts follow the drep
 * byte order and 4-byte alignment from the stub start; towers are always
 * little-endian with big-endian right-hand sides and no alignment inside.
 */

#include <sys/types.h>

#include <string.h>

#include "epm.h"
#include "wire.h"

/* NDR read cursor over a stub; every read is bounds-checked. */
struct ndr {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	size_t		 base;
	int		 le;
};

/* NDR write cursor; err is set once something did not fit. */
struct ndrw {
	uint8_t		*p;
	size_t		 size;
	size_t		 off;
	int		 err;
};

static int	 ndr_align(struct ndr *);
static int	 ndr_u32(struct ndr *, uint32_t *);
static int	 ndr_bytes(struct ndr *, size_t, const uint8_t **);
static int	 ndr_tower(struct ndr *, struct epm_tower *, const char **);
static void	 ndrw_bytes(struct ndrw *, const void *, size_t);
static void	 ndrw_u32(struct ndrw *, uint32_t);
static void	 ndrw_pad4(struct ndrw *);
static void	 ndrw_tower(struct ndrw *, const uint8_t *, size_t);
static void	 epm_floor_uuid(struct ndrw *, const struct dcerpc_syntax *);

static int
ndr_align(struct ndr *n)
{
	size_t	 pad = wire_pad4(n->off);

	if (pad > n->len - n->off)
		return (-1);
	n->off += pad;
	return (0);
}

static int
ndr_u32(struct ndr *n, uint32_t *v)
{
	if (ndr_align(n) == -1 || n->len - n->off < 4)
		return (-1);
	*v = wire_get32(n->p + n->off, n->le);
	n->off += 4;
	return (0);
}

static int
ndr_bytes(struct ndr *n, size_t len, const uint8_t **v)
{
	if (len > n->len - n->off)
		return (-1);
	*v = n->p + n->off;
	n->off += len;
	return (0);
}

int
epm_tower_parse(const uint8_t *p, size_t len, size_t base,
    struct epm_tower *t, const char **errstr)
{
	struct epm_floor	*f;
	size_t			 off, lhs, rhs;
	unsigned int		 i, n, nuuid = 0;

	memset(t, 0, sizeof(*t));
	t->off = base;
	t->len = len;
	if (len < 2) {
		*errstr = "epm_tower_short";
		return (-1);
	}
	n = wire_get16le(p);
	if (n == 0 || n > EPM_MAX_FLOORS) {
		*errstr = "epm_floor_count";
		return (-1);
	}
	off = 2;
	for (i = 0; i < n; i++) {
		f = &t->floor[i];
		if (len - off < 2)
			goto length;
		f->lhs_len = wire_get16le(p + off);
		off += 2;
		lhs = off;
		/* The lhs holds at least the protocol id. */
		if (f->lhs_len == 0 || f->lhs_len > len - off)
			goto length;
		off += f->lhs_len;
		if (len - off < 2)
			goto length;
		f->rhs_len = wire_get16le(p + off);
		off += 2;
		rhs = off;
		if (f->rhs_len > len - off)
			goto length;
		off += f->rhs_len;
		f->proto = p[lhs];
		f->lhs_off = (uint32_t)(base + lhs);
		f->rhs_off = (uint32_t)(base + rhs);

		switch (f->proto) {
		case EPM_PROTO_UUID:
			/* 0d + UUID + major u16 | minor u16. */
			if (f->lhs_len != 19 || f->rhs_len != 2) {
				*errstr = "epm_floor_uuid";
				return (-1);
			}
			if (nuuid == 0) {
				t->has_iface = 1;
				dcerpc_uuid_read(p + lhs + 1, 1, &t->iface.uuid);
				t->iface.major = wire_get16le(p + lhs + 17);
				t->iface.minor = wire_get16le(p + rhs);
			} else if (nuuid == 1) {
				t->has_xfer = 1;
				dcerpc_uuid_read(p + lhs + 1, 1, &t->xfer.uuid);
				t->xfer.major = wire_get16le(p + lhs + 17);
				t->xfer.minor = wire_get16le(p + rhs);
			}
			nuuid++;
			break;
		case EPM_PROTO_RPC_CL:
		case EPM_PROTO_RPC_CO:
		case EPM_PROTO_LRPC:
			if (t->rpc_proto == 0)
				t->rpc_proto = f->proto;
			break;
		case EPM_PROTO_TCP:
		case EPM_PROTO_UDP:
		case EPM_PROTO_HTTP:
			if (f->rhs_len != 2) {
				*errstr = "epm_floor_port";
				return (-1);
			}
			/* A second port floor would escape a NAT rewrite. */
			if (t->has_port) {
				*errstr = "epm_floor_dup";
				return (-1);
			}
			t->has_port = 1;
			t->port_proto = f->proto;
			t->port = wire_get16be(p + rhs);
			t->port_off = base + rhs;
			break;
		case EPM_PROTO_IP:
			if (f->rhs_len != 4) {
				*errstr = "epm_floor_ip";
				return (-1);
			}
			if (t->has_ip) {
				*errstr = "epm_floor_dup";
				return (-1);
			}
			t->has_ip = 1;
			memcpy(t->ip, p + rhs, 4);
			t->ip_off = base + rhs;
			break;
		}
	}
	t->nfloors = n;
	return (0);
 length:
	*errstr = "epm_floor_length";
	return (-1);
}

/* twr_t: u32 max_count, u32 tower_length, the tower, pad to 4. */
static int
ndr_tower(struct ndr *n, struct epm_tower *t, const char **errstr)
{
	uint32_t	 max, tlen;
	const uint8_t	*v;
	size_t		 off;

	if (ndr_u32(n, &max) == -1 || ndr_u32(n, &tlen) == -1) {
		*errstr = "epm_short";
		return (-1);
	}
	off = n->off;
	if (max != tlen || ndr_bytes(n, tlen, &v) == -1) {
		*errstr = "epm_tower_length";
		return (-1);
	}
	if (epm_tower_parse(v, tlen, n->base + off, t, errstr) == -1)
		return (-1);
	return (0);
}

int
epm_map_req_parse(const uint8_t *p, size_t len, int le,
    struct epm_map_req *r, const char **errstr)
{
	struct ndr	 n = { p, len, 0, 0, le };
	const uint8_t	*v;

	memset(r, 0, sizeof(*r));
	if (ndr_u32(&n, &r->obj_ref) == -1)
		goto short_;
	if (r->obj_ref != 0) {
		if (ndr_bytes(&n, 16, &v) == -1)
			goto short_;
		r->has_object = 1;
		dcerpc_uuid_read(v, le, &r->object);
	}
	if (ndr_u32(&n, &r->tower_ref) == -1)
		goto short_;
	if (r->tower_ref == 0) {
		/* The map tower is mandatory (epm_Map: [in,ptr] map_tower). */
		*errstr = "epm_tower_ref";
		return (-1);
	}
	if (ndr_tower(&n, &r->tower, errstr) == -1)
		return (-1);
	if (ndr_align(&n) == -1 || ndr_bytes(&n, EPM_HANDLE_LEN, &v) == -1)
		goto short_;
	memcpy(r->handle, v, EPM_HANDLE_LEN);
	if (ndr_u32(&n, &r->max_towers) == -1)
		goto short_;
	return (0);
 short_:
	*errstr = "epm_short";
	return (-1);
}

int
epm_map_resp_parse(const uint8_t *p, size_t len, int le,
    uint32_t max_towers, struct epm_map_resp *r, const char **errstr)
{
	struct ndr	 n = { p, len, 0, 0, le };
	const uint8_t	*v;
	uint32_t	 ref;
	unsigned int	 i;

	memset(r, 0, sizeof(*r));
	if (ndr_bytes(&n, EPM_HANDLE_LEN, &v) == -1)
		goto short_;
	memcpy(r->handle, v, EPM_HANDLE_LEN);
	if (ndr_u32(&n, &r->num_towers) == -1 ||
	    ndr_u32(&n, &r->max_count) == -1 ||
	    ndr_u32(&n, &r->offset) == -1 ||
	    ndr_u32(&n, &r->actual_count) == -1)
		goto short_;
	/* 2.4: actual_count <= max_count <= request max_towers. */
	if (r->actual_count > r->max_count || r->offset != 0 ||
	    r->actual_count != r->num_towers ||
	    r->actual_count > EPM_MAX_TOWERS ||
	    (max_towers != 0 && r->max_count > max_towers)) {
		*errstr = "epm_tower_count";
		return (-1);
	}
	for (i = 0; i < r->actual_count; i++) {
		if (ndr_u32(&n, &ref) == -1)
			goto short_;
		if (ref != 0)
			r->referent[r->ntowers++] = ref;
	}
	/* Deferred pointees, in order. */
	for (i = 0; i < r->ntowers; i++)
		if (ndr_tower(&n, &r->towers[i], errstr) == -1)
			return (-1);
	if (ndr_u32(&n, &r->status) == -1)
		goto short_;
	return (0);
 short_:
	*errstr = "epm_short";
	return (-1);
}

int
epm_lookup_resp_parse(const uint8_t *p, size_t len, int le,
    struct epm_lookup_resp *r, const char **errstr)
{
	struct ndr	 n = { p, len, 0, 0, le };
	struct epm_entry *e;
	const uint8_t	*v;
	uint32_t	 aoff, alen;
	unsigned int	 i;

	memset(r, 0, sizeof(*r));
	if (ndr_bytes(&n, EPM_HANDLE_LEN, &v) == -1)
		goto short_;
	memcpy(r->handle, v, EPM_HANDLE_LEN);
	if (ndr_u32(&n, &r->num_ents) == -1 ||
	    ndr_u32(&n, &r->max_count) == -1 ||
	    ndr_u32(&n, &r->offset) == -1 ||
	    ndr_u32(&n, &r->actual_count) == -1)
		goto short_;
	if (r->actual_count > r->max_count || r->offset != 0 ||
	    r->actual_count != r->num_ents ||
	    r->actual_count > EPM_MAX_ENTRIES) {
		*errstr = "epm_tower_count";
		return (-1);
	}
	/* ept_entry_t: object, tower pointer, [string] annotation. */
	for (i = 0; i < r->actual_count; i++) {
		e = &r->entries[i];
		if (ndr_align(&n) == -1 || ndr_bytes(&n, 16, &v) == -1)
			goto short_;
		dcerpc_uuid_read(v, le, &e->object);
		if (ndr_u32(&n, &e->tower_ref) == -1 ||
		    ndr_u32(&n, &aoff) == -1 || ndr_u32(&n, &alen) == -1)
			goto short_;
		if (aoff != 0 || alen > EPM_ANNOTATION_MAX) {
			*errstr = "epm_annotation";
			return (-1);
		}
		if (ndr_bytes(&n, alen, &v) == -1)
			goto short_;
		memcpy(e->annotation, v, alen);
		e->annotation[alen] = '\0';
		/* The string counts its NUL; keep the text length. */
		e->annotation_len = wire_strnlen(e->annotation, alen);
		e->has_tower = e->tower_ref != 0;
	}
	r->nentries = r->actual_count;
	for (i = 0; i < r->nentries; i++) {
		e = &r->entries[i];
		if (e->has_tower && ndr_tower(&n, &e->tower, errstr) == -1)
			return (-1);
	}
	if (ndr_u32(&n, &r->status) == -1)
		goto short_;
	return (0);
 short_:
	*errstr = "epm_short";
	return (-1);
}

int
epm_tower_rewrite(uint8_t *buf, size_t len, const struct epm_tower *t,
    const uint8_t *ip4, int port)
{
	if (ip4 != NULL && (!t->has_ip || t->ip_off > len ||
	    len - t->ip_off < 4))
		return (-1);
	if (port >= 0 && (!t->has_port || port > 65535 ||
	    t->port_off > len || len - t->port_off < 2))
		return (-1);
	if (ip4 != NULL)
		memcpy(buf + t->ip_off, ip4, 4);
	if (port >= 0)
		wire_put16be(buf + t->port_off, (uint16_t)port);
	return (0);
}

static void
ndrw_bytes(struct ndrw *w, const void *v, size_t len)
{
	if (w->err || len > w->size - w->off) {
		w->err = 1;
		return;
	}
	if (len > 0)
		memcpy(w->p + w->off, v, len);
	w->off += len;
}

static void
ndrw_u32(struct ndrw *w, uint32_t v)
{
	uint8_t	 b[4];

	ndrw_pad4(w);
	wire_put32le(b, v);
	ndrw_bytes(w, b, 4);
}

static void
ndrw_pad4(struct ndrw *w)
{
	static const uint8_t	 zero[4];

	ndrw_bytes(w, zero, wire_pad4(w->off));
}

static void
ndrw_tower(struct ndrw *w, const uint8_t *tower, size_t len)
{
	ndrw_u32(w, (uint32_t)len);
	ndrw_u32(w, (uint32_t)len);
	ndrw_bytes(w, tower, len);
	ndrw_pad4(w);
}

/* One UUID floor: 0d + UUID + major | minor. */
static void
epm_floor_uuid(struct ndrw *w, const struct dcerpc_syntax *s)
{
	uint8_t	 b[2 + 19 + 2 + 2];

	wire_put16le(b, 19);
	b[2] = EPM_PROTO_UUID;
	dcerpc_uuid_write(b + 3, &s->uuid);
	wire_put16le(b + 19, s->major);
	wire_put16le(b + 21, 2);
	wire_put16le(b + 23, s->minor);
	ndrw_bytes(w, b, sizeof(b));
}

ssize_t
epm_build_tower_tcp(uint8_t *p, size_t size, const struct dcerpc_syntax *iface,
    const struct dcerpc_syntax *xfer, uint16_t port, const uint8_t *ip4)
{
	struct ndrw	 w = { p, size, 0, 0 };
	uint8_t		 b[9];

	wire_put16le(b, 5);
	ndrw_bytes(&w, b, 2);
	epm_floor_uuid(&w, iface);
	epm_floor_uuid(&w, xfer);
	/* Floor 3: RPC connection-oriented, minor 0. */
	wire_put16le(b, 1);
	b[2] = EPM_PROTO_RPC_CO;
	wire_put16le(b + 3, 2);
	wire_put16le(b + 5, 0);
	ndrw_bytes(&w, b, 7);
	/* Floor 4: TCP port, big-endian. */
	wire_put16le(b, 1);
	b[2] = EPM_PROTO_TCP;
	wire_put16le(b + 3, 2);
	wire_put16be(b + 5, port);
	ndrw_bytes(&w, b, 7);
	/* Floor 5: IPv4 address, network order. */
	wire_put16le(b, 1);
	b[2] = EPM_PROTO_IP;
	wire_put16le(b + 3, 4);
	memcpy(b + 5, ip4, 4);
	ndrw_bytes(&w, b, 9);
	if (w.err)
		return (-1);
	return ((ssize_t)w.off);
}

ssize_t
epm_build_map_req(uint8_t *p, size_t size, const struct dcerpc_uuid *object,
    const uint8_t *tower, size_t tower_len, const uint8_t *handle,
    uint32_t max_towers)
{
	struct ndrw	 w = { p, size, 0, 0 };
	uint8_t		 b[16];
	static const uint8_t zero[EPM_HANDLE_LEN];

	if (tower_len > UINT32_MAX)
		return (-1);
	/* Referent ids 1 and 2, as in the 2.6 (c) capture. */
	if (object != NULL) {
		ndrw_u32(&w, 1);
		dcerpc_uuid_write(b, object);
		ndrw_bytes(&w, b, 16);
	} else
		ndrw_u32(&w, 0);
	ndrw_u32(&w, 2);
	ndrw_tower(&w, tower, tower_len);
	ndrw_bytes(&w, handle != NULL ? handle : zero, EPM_HANDLE_LEN);
	ndrw_u32(&w, max_towers);
	if (w.err)
		return (-1);
	return ((ssize_t)w.off);
}

ssize_t
epm_build_map_resp(uint8_t *p, size_t size, const uint8_t *handle,
    uint32_t max_towers, const uint8_t *const *towers, const size_t *lens,
    unsigned int n, uint32_t status)
{
	struct ndrw	 w = { p, size, 0, 0 };
	static const uint8_t zero[EPM_HANDLE_LEN];
	unsigned int	 i;

	if (n > max_towers)
		return (-1);
	ndrw_bytes(&w, handle != NULL ? handle : zero, EPM_HANDLE_LEN);
	ndrw_u32(&w, n);
	ndrw_u32(&w, max_towers);
	ndrw_u32(&w, 0);
	ndrw_u32(&w, n);
	/* Referent ids from 3, as Windows does in the 2.6 (d) capture. */
	for (i = 0; i < n; i++)
		ndrw_u32(&w, 3 + i);
	for (i = 0; i < n; i++)
		ndrw_tower(&w, towers[i], lens[i]);
	ndrw_u32(&w, status);
	if (w.err)
		return (-1);
	return ((ssize_t)w.off);
}

ssize_t
epm_build_lookup_resp(uint8_t *p, size_t size, const uint8_t *handle,
    uint32_t max_ents, const struct epm_lookup_item *items, unsigned int n,
    uint32_t status)
{
	struct ndrw	 w = { p, size, 0, 0 };
	static const uint8_t zero[EPM_HANDLE_LEN];
	uint8_t		 b[16];
	size_t		 alen;
	unsigned int	 i, ref = 3;

	if (n > max_ents)
		return (-1);
	ndrw_bytes(&w, handle != NULL ? handle : zero, EPM_HANDLE_LEN);
	ndrw_u32(&w, n);
	ndrw_u32(&w, max_ents);
	ndrw_u32(&w, 0);
	ndrw_u32(&w, n);
	for (i = 0; i < n; i++) {
		ndrw_pad4(&w);
		dcerpc_uuid_write(b, &items[i].object);
		ndrw_bytes(&w, b, 16);
		ndrw_u32(&w, items[i].tower != NULL ? ref++ : 0);
		alen = items[i].annotation != NULL ?
		    strlen(items[i].annotation) + 1 : 0;
		if (alen > EPM_ANNOTATION_MAX)
			return (-1);
		ndrw_u32(&w, 0);
		ndrw_u32(&w, (uint32_t)alen);
		ndrw_bytes(&w, items[i].annotation, alen);
	}
	for (i = 0; i < n; i++)
		if (items[i].tower != NULL)
			ndrw_tower(&w, items[i].tower, items[i].tower_len);
	ndrw_u32(&w, status);
	if (w.err)
		return (-1);
	return ((ssize_t)w.off);
}

const char *
epm_opnum_name(uint16_t opnum)
{
	static const char *const names[] = {
		"ept_insert", "ept_delete", "ept_lookup", "ept_map",
		"ept_lookup_handle_free", "ept_inq_object", "ept_mgmt_delete",
		"ept_map_auth"
	};

	if (opnum < sizeof(names) / sizeof(names[0]))
		return (names[opnum]);
	return ("unknown");
}

const char *
epm_proto_name(uint8_t proto)
{
	switch (proto) {
	case EPM_PROTO_IP:
		return ("ip");
	case EPM_PROTO_TCP:
		return ("tcp");
	case EPM_PROTO_UDP:
		return ("udp");
	case EPM_PROTO_RPC_CL:
		return ("rpc_cl");
	case EPM_PROTO_RPC_CO:
		return ("rpc_co");
	case EPM_PROTO_LRPC:
		return ("ncalrpc");
	case EPM_PROTO_UUID:
		return ("uuid");
	case EPM_PROTO_NAMED_PIPE:
		return ("named_pipe");
	case EPM_PROTO_PIPE:
		return ("pipe");
	case EPM_PROTO_NETBIOS:
		return ("netbios");
	case EPM_PROTO_HTTP:
		return ("http");
	}
	return ("unknown");
}

const char *
epm_status_name(uint32_t status)
{
	switch (status) {
	case EPM_S_OK:
		return ("ok");
	case EPM_S_NOT_REGISTERED:
		return ("not_registered");
	}
	return (NULL);
}
