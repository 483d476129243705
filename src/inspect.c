/*
 * The one place that maps a protocol name to its inspector (STYLE 7): the
 * relay core never switches on the protocol anywhere else. Also the two
 * things an inspector may do to a stream besides looking at it.
 */
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "fwrelay.h"
#include "fault.h"

const struct inspector *
inspector_lookup(enum protocol proto)
{
	switch (proto) {
	case PROTO_NONE:
		return (NULL);
	case PROTO_RFC1006:
		return (&inspector_rfc1006);
	case PROTO_DCERPC:
		return (&inspector_dcerpc);
	case PROTO_EPM:
		return (&inspector_epm);
	}
	return (NULL);
}

/*
 * Overwrite len bytes at stream offset off of what cs holds back (a NAT
 * rewrite of an endpoint-mapper tower). The bytes must not have been passed
 * on yet.
 */
int
inspect_rewrite(struct conn_side *cs, uint64_t off, const void *data,
    size_t len)
{
	unsigned char	*p;
	size_t		 pos;

	if (cs->cs_in == NULL || off < cs->cs_fwd)
		return (-1);
	pos = off - cs->cs_fwd;
	if (pos + len > evbuffer_get_length(cs->cs_in))
		return (-1);
	if ((p = evbuffer_pullup(cs->cs_in, pos + len)) == NULL)
		return (-1);
	memcpy(p + pos, data, len);
	return (0);
}

/*
 * Refuse the way a responder would: send our answer to cs, stop relaying
 * in both directions, and close once the answer is written.
 */
void
inspect_refuse(struct conn_side *cs, const void *buf, size_t len,
    const char *reason)
{
	struct conn	*c = cs->cs_conn;

	conn_set_reason(c, "%s", reason);
	c->c_flags |= CONN_FLUSHCLOSE;
	relay_pause(&c->c_client);
	relay_pause(&c->c_target);
	if (cs->cs_in != NULL)
		evbuffer_drain(cs->cs_in, evbuffer_get_length(cs->cs_in));
	if (cs->cs_peer->cs_in != NULL)
		evbuffer_drain(cs->cs_peer->cs_in,
		    evbuffer_get_length(cs->cs_peer->cs_in));
	if (relay_send(cs, buf, len) == -1)
		return;
	if (evbuffer_get_length(cs->cs_out) == 0)
		conn_close(c, "relay", reason);
}

/*
 * Emit an inspector's event. A connection with faults looks whether one
 * waits for it (a pointer test for all the others: dormant costs nothing).
 */
void
inspect_emit(struct conn *c, json_t *ev)
{
	if (c->c_faults != NULL)
		fault_event(c, ev);
	eventlog_emit(ev);
}
