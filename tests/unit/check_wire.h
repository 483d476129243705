/* check_wire.c: helpers of the wire-format unit tests. */
#ifndef CHECK_WIRE_H
#define CHECK_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern const char *const ex_req_hex;
extern const char *const ex_resp_hex;

size_t		 check_hex(const char *, uint8_t *, size_t);

/* A pcap of TCP segments 192.0.2.1:40000 <-> 192.0.2.10:port. */
struct pcapw {
	FILE		*f;
	uint32_t	 seq[2];
	uint16_t	 port;
	unsigned int	 n;
};
void		 pcapw_open(struct pcapw *, const char *, uint16_t);
void		 pcapw_seg(struct pcapw *, int, const uint8_t *, size_t);
/* tshark's stdout for these arguments (static buffer). */
const char	*check_tshark(const char *);
int		 check_have_tshark(void);

#endif /* CHECK_WIRE_H */
