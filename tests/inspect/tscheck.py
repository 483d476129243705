#!/usr/bin/python3
"""tscheck: what tshark decodes from a capture of relayed traffic must
match what fwrelay's event log says, on both legs of every connection.

  tscheck.py cotp PCAP EVLOG PORT...   (PORTs decoded as TPKT)
  tscheck.py epm PCAP EVLOG

cotp: for every cotp_cr/cc/dr/er event, the TPDU of that type is found once
on the client leg (client <-> the relay's listen address) and once on the
target leg (the connect event's source <-> target), in the direction the
event's "from" says, with the same references, TSAPs, TPDU size, DR reason
(tshark: cotp.cause), ER cause (cotp.reject_cause), TPKT reserved byte.
tshark does not take a TPKT whose reserved byte is not 0 for one: those
TPDUs are checked as raw TCP payload with that reserved byte instead.

epm: for every connection with epm_map events, the ept_map/ept_lookup
responses tshark decodes on the target leg carry exactly the (address,
port) pairs of the events, and those on the client leg the addresses and
ports the client was told: the pinhole's listen address when a pinhole
opened for that target, otherwise the relay's own address (rewrite_towers)
and the learned port.

Both: no frame in the capture is malformed or carries an expert error.
Prints one line per check;
exit status 1 on any mismatch.
"""
import json
import subprocess
import sys

errors = []


def err(msg):
    errors.append(msg)
    print('MISMATCH: ' + msg)


FIELDS = ['frame.number', 'frame.protocols', 'ip.src', 'tcp.srcport',
          'ip.dst', 'tcp.dstport', 'tcp.len', 'tcp.payload',
          '_ws.expert.severity', '_ws.expert.message']
PI_ERROR = 0x00800000


def tshark(pcap, decode, fields):
    """Every frame of the capture, the fields wanted (one tshark run: each
    costs about a second here)."""
    fields = FIELDS + fields
    cmd = ['tshark', '-n', '-r', pcap, '-T', 'fields',
           '-E', 'separator=\t', '-E', 'occurrence=a',
           '-E', 'aggregator=,']
    for d in decode:
        cmd += ['-d', d]
    for f in fields:
        cmd += ['-e', f]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit('tshark failed: %s' % p.stderr)
    rows = []
    for line in p.stdout.splitlines():
        v = line.split('\t')
        r = dict(zip(fields, v + [''] * (len(fields) - len(v))))
        r['src'] = '%s:%s' % (r['ip.src'], r['tcp.srcport'])
        r['dst'] = '%s:%s' % (r['ip.dst'], r['tcp.dstport'])
        rows.append(r)
    return rows


def malformed(rows):
    """No malformed frame, no expert info of severity error."""
    bad = [r['frame.number'] for r in rows
           if '_ws.malformed' in r['frame.protocols'].split(':')]
    if bad:
        err('%d malformed frames: %s' % (len(bad), ' '.join(bad)))
    else:
        print('ok no malformed frame in %d' % len(rows))
    bad = ['%s (%s)' % (r['frame.number'], r['_ws.expert.message'])
           for r in rows if any(int(x or 0) >= PI_ERROR for x in
                                r['_ws.expert.severity'].split(','))]
    if bad:
        err('expert errors: %s' % '; '.join(bad))
    else:
        print('ok no expert error')


def load(path):
    return [json.loads(line) for line in open(path)]


def legs(evs):
    """conn -> (client, listen, source, target); source and target None
    for a connection that never reached its target."""
    listen = {e['relay']: e['listen'] for e in evs
              if e.get('event') == 'listen'}
    out = {}
    for e in evs:
        if e.get('event') == 'accept':
            out[e['conn']] = (e['client'], listen.get(e['relay']), None,
                              None)
        if e.get('event') == 'connect':
            out[e['conn']] = (e['client'], listen.get(e['relay']),
                              e['source'], e['target'])
    return out


def raw_tpkt(rows, e, leg, src, dst):
    """tshark's TPKT dissector rejects a non-zero reserved byte (even with
    decode-as), so such a TPDU is checked as the TCP payload tshark saw."""
    what = '%s conn %d %s leg %s -> %s' % (e['event'], e['conn'], leg,
                                          src, dst)
    code = {'cotp_cr': 0xe0, 'cotp_cc': 0xd0}.get(e['event'])
    for r in rows:
        if r['src'] != src or r['dst'] != dst or not r['tcp.payload']:
            continue
        b = bytes.fromhex(r['tcp.payload'].split(',')[0].replace(':', ''))
        if len(b) >= 6 and b[0] == 3 and b[5] & 0xf0 == code:
            if b[1] != e['tpkt_reserved'] or r['cotp.type']:
                err('%s: reserved %d, cotp %r' % (what, b[1],
                                                  r['cotp.type']))
                return 0
            print('ok %s: raw TPKT reserved=%d, not COTP to tshark' %
                  (what, b[1]))
            return 1
    err('%s: no such TPKT in the capture' % what)
    return 0


def cotp(pcap, evlog, ports):
    decode = ['tcp.port==%s,tpkt' % p for p in ports]
    fields = ['cotp.type', 'cotp.srcref', 'cotp.destref', 'cotp.src-tsap',
              'cotp.dst-tsap', 'cotp.tpdu_size', 'cotp.cause',
              'cotp.reject_cause', 'tpkt.reserved']
    rows = tshark(pcap, decode, fields)
    evs = load(evlog)
    lg = legs(evs)
    codes = {'cotp_cr': '0x0e', 'cotp_cc': '0x0d', 'cotp_dr': '0x08',
             'cotp_er': '0x07'}
    n = 0
    for e in evs:
        if e.get('event') not in codes:
            continue
        client, listen, source, target = lg[e['conn']]
        if e['from'] == 'client':
            want = [('client', client, listen), ('target', source, target)]
        else:
            want = [('target', target, source), ('client', listen, client)]
        # Never connected (tsap_allow refused it): no target leg.
        want = [w for w in want if w[1] is not None and w[2] is not None]
        for leg, src, dst in want:
            if e.get('tpkt_reserved'):
                n += raw_tpkt(rows, e, leg, src, dst)
                continue
            found = [r for r in rows if r['src'] == src and
                     r['dst'] == dst and
                     codes[e['event']] in r['cotp.type'].split(',')]
            what = '%s conn %d %s leg %s -> %s' % (e['event'], e['conn'],
                                                  leg, src, dst)
            if len(found) != 1:
                err('%s: %d frames in the capture' % (what, len(found)))
                continue
            r = found[0]
            got, exp = {}, {}
            if e['event'] != 'cotp_er':
                got['src_ref'] = int(r['cotp.srcref'].split(',')[0], 16)
                exp['src_ref'] = e['src_ref']
            got['dst_ref'] = int(r['cotp.destref'].split(',')[0], 16)
            exp['dst_ref'] = e['dst_ref']
            if e['event'] in ('cotp_cr', 'cotp_cc'):
                got['calling'] = r['cotp.src-tsap']
                exp['calling'] = e.get('calling_tsap_text')
                got['called'] = r['cotp.dst-tsap']
                exp['called'] = e.get('called_tsap_text')
                got['tpdu_size'] = int(r['cotp.tpdu_size'] or 0)
                exp['tpdu_size'] = e.get('tpdu_size', 0)
            if e['event'] == 'cotp_dr':
                got['reason'] = int(r['cotp.cause'] or -1)
                exp['reason'] = e['reason']
            if e['event'] == 'cotp_er':
                got['cause'] = int(r['cotp.reject_cause'] or -1)
                exp['cause'] = e['cause']
            got['tpkt_reserved'] = int(r['tpkt.reserved'].split(',')[0])
            exp['tpkt_reserved'] = e.get('tpkt_reserved', 0)
            if got != exp:
                err('%s: tshark %s, event %s' % (what, got, exp))
            else:
                n += 1
                print('ok %s: %s' % (what, ' '.join(
                    '%s=%s' % kv for kv in sorted(got.items()))))
    if n == 0:
        err('no COTP event matched anything')
    malformed(rows)


def epm(pcap, evlog):
    fields = ['dcerpc.pkt_type', 'epm.opnum', 'epm.proto.ip',
              'epm.proto.tcp_port']
    rows = tshark(pcap, [], fields)
    evs = load(evlog)
    lg = legs(evs)
    ops = {'ept_lookup': '2', 'ept_map': '3'}
    holes = {}
    for e in evs:
        if e.get('event') == 'pinhole_open' and e.get('kind') == 'epm':
            holes[(e['relay'], e['target'])] = e['listen']
    relay_of = {e['conn']: e['relay'] for e in evs
                if e.get('event') == 'accept'}
    learned = {}
    for e in evs:
        if e.get('event') == 'epm_map':
            learned.setdefault((e['conn'], e['operation']), []).append(
                (e['address'], e['port']))
    if not learned:
        err('no epm_map event')
    for (conn, op), pairs in sorted(learned.items()):
        client, listen, source, target = lg[conn]
        told = []
        for a, p in pairs:
            h = holes.get((relay_of[conn], '%s:%d' % (a, p)))
            if h is not None:
                ha, hp = h.rsplit(':', 1)
                told.append((ha, int(hp)))
            else:
                told.append((listen.rsplit(':', 1)[0], p))
        for leg, src, dst, want in (('target', target, source, pairs),
                                    ('client', listen, client, told)):
            found = [r for r in rows if r['src'] == src and
                     r['dst'] == dst and r['dcerpc.pkt_type'] == '2' and
                     r['epm.opnum'] == ops[op]]
            what = '%s conn %d %s leg %s -> %s' % (op, conn, leg, src, dst)
            if len(found) != 1:
                err('%s: %d responses in the capture' % (what, len(found)))
                continue
            r = found[0]
            ips = r['epm.proto.ip'].split(',') if r['epm.proto.ip'] else []
            tps = [int(x) for x in r['epm.proto.tcp_port'].split(',')
                   if x != '']
            got = sorted(zip(ips, tps))
            if got != sorted(want):
                err('%s: tshark %s, events say %s' % (what, got,
                                                      sorted(want)))
            else:
                print('ok %s: %s' % (what, ' '.join(
                    '%s[%d]' % x for x in got)))
    malformed(rows)


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ('cotp', 'epm'):
        sys.stderr.write(__doc__)
        return 2
    if sys.argv[1] == 'cotp':
        cotp(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        epm(sys.argv[2], sys.argv[3])
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
