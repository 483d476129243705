/*
 * Fault injection (being written: see issue 6). Until it lands a relay
 * with faults configured refuses to start, rather than ignore them.
 */
#include "fwrelay.h"

int
fault_conn_init(struct conn *c)
{
	c->c_faults = NULL;
	return (c->c_conf->nfaults == 0 ? 0 : -1);
}

int
fault_data(struct conn_side *cs, const uint8_t *buf, size_t len)
{
	return (0);
}

void
fault_conn_free(struct conn *c)
{
}
