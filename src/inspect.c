/*
 * The one place that maps a protocol name to its inspector (STYLE 7): the
 * relay core never switches on the protocol anywhere else.
 */
#include "fwrelay.h"

const struct inspector *
inspector_lookup(enum protocol proto)
{
	switch (proto) {
	case PROTO_NONE:
		return (NULL);
	case PROTO_RFC1006:
	case PROTO_DCERPC:
	case PROTO_EPM:
		/* XXX inspectors land with the inspection work (issue 4). */
		return (NULL);
	}
	return (NULL);
}
