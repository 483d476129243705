/*
 * libFuzzer target for src/proto/epm.c. Input: one control byte (drep
 * order, max_towers, tower base), then bytes that every parser reads: as a
 * tower, as ept_map request/response and ept_lookup response stubs, and as
 * a whole DCE/RPC PDU whose stub goes to the parser its opnum names. Every
 * offset returned must lie inside the buffer, and a NAT rewrite of each
 * tower must change exactly its port and address bytes and reparse to the
 * new values.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc.h"
#include "epm.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Offsets of a tower parsed from buf (base already added) must fit. */
static void
check_tower(const uint8_t *buf, size_t len, size_t base,
    const struct epm_tower *t)
{
	unsigned int	 i;
	size_t		 end;

	if (t->off < base || t->off - base > len || t->len > len -
	    (t->off - base) || t->nfloors == 0 || t->nfloors > EPM_MAX_FLOORS)
		abort();
	end = t->off + t->len;
	for (i = 0; i < t->nfloors; i++) {
		if (t->floor[i].lhs_off < t->off ||
		    t->floor[i].lhs_off + t->floor[i].lhs_len > end ||
		    t->floor[i].rhs_off + t->floor[i].rhs_len > end ||
		    t->floor[i].lhs_len == 0 ||
		    buf[t->floor[i].lhs_off - base] != t->floor[i].proto)
			abort();
	}
	if (t->has_port && (t->port_off < t->off || t->port_off + 2 > end ||
	    t->port != (buf[t->port_off - base] << 8 |
	    buf[t->port_off - base + 1])))
		abort();
	if (t->has_ip && (t->ip_off < t->off || t->ip_off + 4 > end ||
	    memcmp(t->ip, buf + t->ip_off - base, 4) != 0))
		abort();
	if (t->has_port && t->has_ip && t->ip_off < t->port_off + 2 &&
	    t->port_off < t->ip_off + 4)
		abort();
}

/*
 * Rewrite every tower in a copy; only the port and address bytes may
 * change and a reparse must see the new values.
 */
static void
check_rewrite(const uint8_t *buf, size_t len, const struct epm_tower *t,
    unsigned int n, int which, int le, uint32_t max_towers)
{
	uint8_t			*cp, ip[4] = { 203, 0, 113, 0 };
	uint8_t			*touched;
	struct epm_map_resp	 mr;
	struct epm_lookup_resp	*lr = NULL;
	const struct epm_tower	*nt;
	const char		*err;
	unsigned int		 i;
	size_t			 j;
	int			 rv;

	if (len == 0)
		return;
	cp = malloc(len);
	touched = calloc(1, len);
	memcpy(cp, buf, len);
	for (i = 0; i < n; i++) {
		ip[3] = (uint8_t)i;
		rv = epm_tower_rewrite(cp, len, &t[i], t[i].has_ip ? ip : NULL,
		    t[i].has_port ? (int)(40000 + i) : -1);
		if (rv == -1)
			abort();
		if (t[i].has_ip)
			memset(touched + t[i].ip_off, 1, 4);
		if (t[i].has_port)
			memset(touched + t[i].port_off, 1, 2);
		if (epm_tower_rewrite(cp, len, &t[i], NULL, 65536) != -1)
			abort();
	}
	for (j = 0; j < len; j++)
		if (!touched[j] && cp[j] != buf[j])
			abort();
	if (which == 0) {
		rv = epm_map_resp_parse(cp, len, le, max_towers, &mr, &err);
		nt = mr.towers;
	} else {
		lr = malloc(sizeof(*lr));
		rv = epm_lookup_resp_parse(cp, len, le, lr, &err);
		nt = NULL;
	}
	if (rv == -1)
		abort();
	for (i = 0; i < n; i++) {
		const struct epm_tower *x = nt != NULL ? &nt[i] : NULL;

		if (x == NULL) {
			/* Lookup: towers sit in the entries that have one. */
			unsigned int e, k = 0;

			for (e = 0; e < lr->nentries; e++)
				if (lr->entries[e].has_tower && k++ == i)
					x = &lr->entries[e].tower;
			if (x == NULL)
				abort();
		}
		ip[3] = (uint8_t)i;
		if ((x->has_ip && memcmp(x->ip, ip, 4) != 0) ||
		    (x->has_port && x->port != 40000 + i))
			abort();
	}
	free(lr);
	free(touched);
	free(cp);
}

static void
stubs(const uint8_t *p, size_t len, int le, uint32_t max_towers)
{
	struct epm_map_req	 mq;
	struct epm_map_resp	 mr;
	struct epm_lookup_resp	*lr;
	struct epm_tower	 tw[EPM_MAX_ENTRIES];
	const char		*err;
	unsigned int		 i, n;

	err = NULL;
	if (epm_map_req_parse(p, len, le, &mq, &err) == 0) {
		check_tower(p, len, 0, &mq.tower);
		if (mq.tower.has_iface)
			dcerpc_if_name(&mq.tower.iface.uuid,
			    mq.tower.iface.major);
	} else if (err == NULL)
		abort();

	err = NULL;
	if (epm_map_resp_parse(p, len, le, max_towers, &mr, &err) == 0) {
		if (mr.ntowers > mr.actual_count ||
		    mr.actual_count > EPM_MAX_TOWERS)
			abort();
		for (i = 0; i < mr.ntowers; i++)
			check_tower(p, len, 0, &mr.towers[i]);
		check_rewrite(p, len, mr.towers, mr.ntowers, 0, le,
		    max_towers);
		epm_status_name(mr.status);
	} else if (err == NULL)
		abort();

	lr = malloc(sizeof(*lr));
	err = NULL;
	if (epm_lookup_resp_parse(p, len, le, lr, &err) == 0) {
		n = 0;
		for (i = 0; i < lr->nentries; i++) {
			if (strlen(lr->entries[i].annotation) !=
			    lr->entries[i].annotation_len)
				abort();
			if (!lr->entries[i].has_tower)
				continue;
			check_tower(p, len, 0, &lr->entries[i].tower);
			tw[n++] = lr->entries[i].tower;
		}
		check_rewrite(p, len, tw, n, 1, le, 0);
	} else if (err == NULL)
		abort();
	free(lr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epm_tower	 t;
	struct dcerpc_pdu	 pdu;
	const char		*err;
	uint8_t			 ctl;
	size_t			 base;
	uint32_t		 max_towers;
	int			 le;

	if (size < 1)
		return (0);
	ctl = data[0];
	data++;
	size--;
	le = !(ctl & 1);
	max_towers = (ctl >> 1) & 7;	/* 0: unchecked */
	base = (size_t)(ctl >> 4) * 1000;

	err = NULL;
	if (epm_tower_parse(data, size, base, &t, &err) == 0) {
		check_tower(data, size, base, &t);
		epm_proto_name(t.floor[0].proto);
	} else if (err == NULL)
		abort();

	stubs(data, size, le, max_towers);

	/* A whole PDU: the stub goes where the opnum says. */
	if (dcerpc_pdu_parse(data, size, &pdu, &err) == 0 &&
	    pdu.stub_len > 0) {
		stubs(pdu.stub, pdu.stub_len, pdu.hdr.le, max_towers);
		if (pdu.hdr.ptype == DCERPC_REQUEST)
			epm_opnum_name(pdu.u.req.opnum);
	}
	return (0);
}
