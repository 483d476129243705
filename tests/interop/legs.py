#!/usr/bin/python3
"""legs.py: compare what fwrelay received on one leg with what it sent on
the other, from a capture, decoded by tshark (not by fwrelay's code).

  legs.py --mode raw|dcerpc --events EVENTS.json CAPTURE.pcapng

Every relayed connection of the event log (a "connect" event: its client
address and port, its source and target) has two legs in the capture: the
client <-> relay leg and the relay <-> target leg. Each leg's TCP payload
is put together per direction, in sequence order, from the segments tshark
lists; --mode raw then asserts that the two legs carried exactly the same
bytes both ways; for a connection the relay cut (close reason other than
"done") what it passed on must be a prefix of what it got. One line per
connection, then a total line; exit 1 on the first difference or a
connection missing from the capture. --mode dcerpc also lets a leg differ
where the endpoint mapper's towers were rewritten: the same length, and
every differing byte inside the port or IPv4 address of a tower floor on
both legs (counted and printed).
"""
import argparse
import json
import subprocess
import sys

FIELDS = ['tcp.stream', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst',
          'ipv6.dst', 'tcp.dstport', 'tcp.seq', 'tcp.payload']


def endpoint(s):
    host, _, port = s.rpartition(':')
    return host.strip('[]'), int(port)


def segments(capture):
    """{(src endpoint, dst endpoint): {relative seq: payload}}"""
    cmd = ['tshark', '-n', '-r', capture, '-Y', 'tcp.len > 0',
           '-o', 'tcp.relative_sequence_numbers:TRUE',
           '-o', 'tcp.desegment_tcp_streams:FALSE', '-T', 'fields']
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    flows = {}
    for line in out.splitlines():
        v = line.split('\t')
        if len(v) != len(FIELDS) or not v[8]:
            continue
        src = (v[1] or v[2], int(v[3]))
        dst = (v[4] or v[5], int(v[6]))
        seq = int(v[7])
        data = bytes.fromhex(v[8].replace(':', ''))
        # A retransmission carries the same bytes at the same offset.
        flows.setdefault((src, dst), {})[seq] = data
    return flows


def stream(flows, src, dst=None):
    """The bytes src sent (to dst, or to its only peer), in order."""
    keys = [k for k in flows if k[0] == src and (dst is None or k[1] == dst)]
    if len(keys) != 1:
        return None
    out = bytearray()
    for seq in sorted(flows[keys[0]]):
        data = flows[keys[0]][seq]
        if seq - 1 > len(out):
            raise SystemExit('legs: a hole in %s:%d before offset %d'
                             % (src[0], src[1], seq - 1))
        out[seq - 1:seq - 1 + len(data)] = data
    return bytes(out), keys[0][1]


# The right-hand side of a tower floor: its lhs is one protocol byte, 0x07
# (TCP port, 2 bytes) or 0x09 (IPv4 address, 4 bytes), in C706 appendix
# L's encoding: lhs length 1 (LE), protocol, rhs length (LE), rhs.
FLOORS = {b'\x01\x00\x07\x02\x00': 2, b'\x01\x00\x09\x04\x00': 4}


def in_floor(data, i):
    """Is offset i inside the port or address of a tower floor?"""
    for head, n in FLOORS.items():
        f = data.rfind(head, max(0, i - len(head) - n + 1), i)
        while f != -1:
            if f + len(head) <= i < f + len(head) + n:
                return True
            f = data.rfind(head, max(0, i - len(head) - n + 1), f)
    return False


def compare_dcerpc(x, y):
    """Same length, and every differing byte a floor's port or address in
    both legs (the tower rewrite). The number of differing bytes."""
    if len(x) != len(y):
        return None
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    if all(in_floor(x, i) and in_floor(y, i) for i in diff):
        return len(diff)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mode', choices=['raw', 'dcerpc'], default='raw')
    ap.add_argument('--events', required=True)
    ap.add_argument('capture')
    a = ap.parse_args()

    flows = segments(a.capture)
    evs = [json.loads(l) for l in open(a.events)]
    conns = [e for e in evs if e.get('event') == 'connect']
    closes = {(e['relay'], e['conn']): e for e in evs
              if e.get('event') == 'close'}
    if not conns:
        raise SystemExit('legs: no connect event in %s' % a.events)
    total_up = total_down = ncut = nfloor = 0
    for e in conns:
        client = endpoint(e['client'])
        source = endpoint(e['source'])
        target = endpoint(e['target'])
        cu = stream(flows, client)
        tu = stream(flows, source, target)
        if tu is None and cu is None:
            # Nothing sent either way on either leg (a bare close).
            print('conn %d (%s): no payload on either leg'
                  % (e['conn'], e['relay']))
            continue
        if cu is None or tu is None:
            raise SystemExit('legs: conn %d: payload on one leg only '
                             '(client leg %s, target leg %s)'
                             % (e['conn'], cu is not None, tu is not None))
        relay_addr = cu[1]
        cd = stream(flows, relay_addr, client) or (b'', None)
        td = stream(flows, target, source) or (b'', None)
        # Cut by the relay (strict, a fault, a reset): what it passed on
        # is what it got, up to the cut.
        cut = closes.get((e['relay'], e['conn']), {}).get('reason') != 'done'
        for what, x, y in (('to the target', cu[0], tu[0]),
                           ('back to the client', td[0], cd[0])):
            if cut and x[:len(y)] == y:
                continue
            if x != y and a.mode == 'dcerpc':
                n = compare_dcerpc(x, y)
                if n is not None:
                    nfloor += n
                    print('conn %d (%s) %s: %d bytes differ, all in tower '
                          'floors (port or IPv4 address)'
                          % (e['conn'], e['relay'], what, n))
                    continue
            if x != y:
                at = next((i for i in range(min(len(x), len(y)))
                           if x[i] != y[i]), min(len(x), len(y)))
                raise SystemExit('legs: conn %d (%s) %s: %d bytes in, %d '
                                 'out, first difference at offset %d'
                                 % (e['conn'], e['relay'], what, len(x),
                                    len(y), at))
        ncut += cut
        total_up += len(cu[0])
        total_down += len(td[0])
        print('conn %d (%s): %d bytes to the target, %d back, %s'
              % (e['conn'], e['relay'], len(cu[0]), len(td[0]),
                 'cut by the relay: the target leg is a prefix' if cut
                 else 'identical on both legs'))
    print('%d connections: %d bytes to the targets and %d back, '
          'byte-identical on both legs%s%s' % (len(conns), total_up,
          total_down, ' (%d cut by the relay: a prefix)' % ncut if ncut
          else '', ' but for %d bytes of rewritten tower floors' % nfloor
          if nfloor else ''))


if __name__ == '__main__':
    sys.exit(main())
