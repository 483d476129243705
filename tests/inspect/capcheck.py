#!/usr/bin/python3
"""capcheck: fwrelay's own captures (capture = DIR) against the wire and
the event log, read with tshark and capinfos.

  capcheck.py files EVLOG FILE...     every file is a pcapng capinfos takes,
                                      with the two interfaces, whose IP and
                                      TCP checksums tshark finds good; its
                                      comments
                                      name the relay, connection and accept
                                      time of the event log
  capcheck.py streams LIVE FW FWADDRS [PORT...]
                                      every TCP direction of FW (merged
                                      files) carried exactly the bytes the
                                      same direction carried on lo (LIVE, a
                                      dumpcap capture), and its SYN, FIN
                                      and RST are those of the wire; only
                                      conversations with a PORT, when given.
                                      FWADDRS (a,b,...) are fwrelay's own:
                                      a FIN sent to one after fwrelay closed
                                      the socket is the kernel's, and not
                                      in the capture
  capcheck.py calls FW EVLOG          for each rpc_bind / rpc_bind_ack
                                      event, tshark finds that PDU type
                                      with that call id on both legs of
                                      the connection

Prints one line per check; exit status 1 on any mismatch.
"""
import json
import subprocess
import sys

errors = []


def err(msg):
    errors.append(msg)
    print('MISMATCH: ' + msg)


def tshark(pcap, fields, extra=()):
    cmd = ['tshark', '-n', '-r', pcap, '-T', 'fields', '-E', 'separator=\t',
           '-E', 'occurrence=a', '-E', 'aggregator=,'] + list(extra)
    for f in fields:
        cmd += ['-e', f]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit('tshark failed on %s: %s' % (pcap, p.stderr))
    rows = []
    for line in p.stdout.splitlines():
        v = line.split('\t')
        rows.append(dict(zip(fields, v + [''] * (len(fields) - len(v)))))
    return rows


def load(path):
    return [json.loads(line) for line in open(path)]


def files(evlog, paths):
    evs = load(evlog)
    accept = {e['conn']: e for e in evs if e.get('event') == 'accept'}
    seen = set()
    for path in paths:
        p = subprocess.run(['capinfos', '-M', path], capture_output=True,
                           text=True)
        if p.returncode != 0:
            err('capinfos refuses %s: %s' % (path, p.stderr.strip()))
            continue
        if 'pcapng' not in p.stdout or 'Raw IP' not in p.stdout:
            err('%s: not a raw-IP pcapng: %s' % (path, p.stdout))
            continue
        rows = tshark(path, ['frame.number', 'frame.interface_name',
                             'frame.comment', 'ip.checksum.status',
                             'tcp.checksum.status'],
                      ['-o', 'ip.check_checksum:TRUE',
                       '-o', 'tcp.check_checksum:TRUE'])
        bad = [r['frame.number'] for r in rows
               if r['tcp.checksum.status'] != '1' or
               r['ip.checksum.status'] not in ('', '1')]
        if bad:
            err('%s: checksums not good in frames %s' % (path,
                                                         ' '.join(bad)))
        ifs = set(r['frame.interface_name'] for r in rows)
        if not ifs <= {'client', 'target'}:
            err('%s: interfaces %s' % (path, sorted(ifs)))
        n = 0
        for r in rows:
            c = r['frame.comment']
            if not c:
                continue
            w = c.split()
            # fwrelay relay R conn N accept TS [(continued)]
            if len(w) < 7 or w[0] != 'fwrelay' or w[1] != 'relay':
                err('%s frame %s: comment %r' % (path, r['frame.number'], c))
                continue
            conn = int(w[4])
            a = accept.get(conn)
            if a is None or a['relay'] != w[2] or a['ts'] != w[6]:
                err('%s: comment %r, accept event %r' % (path, c, a))
                continue
            if (path, conn) in seen:
                err('%s: two comments for conn %d' % (path, conn))
            seen.add((path, conn))
            n += 1
        if n == 0:
            err('%s: no comment on any packet' % path)
        print('ok %s: capinfos takes it, %d packets with good IP and TCP '
              'checksums, interfaces %s, '
              '%d connection comments matching accept events' %
              (path.rsplit('/', 1)[-1], len(rows), ','.join(sorted(ifs)), n))
    return seen


FLOW = ['frame.number', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst',
        'ipv6.dst', 'tcp.dstport', 'tcp.seq_raw', 'tcp.len',
        'tcp.flags.syn', 'tcp.flags.fin', 'tcp.flags.reset', 'tcp.payload',
        'tcp.analysis.retransmission']


def flows(pcap, ports):
    """(src, dst) -> [bytes in sequence order, syn, fin, rst]."""
    out = {}
    for r in tshark(pcap, FLOW, ['-Y', 'tcp']):
        if r['tcp.analysis.retransmission']:
            continue
        src = '%s:%s' % (r['ip.src'] or r['ipv6.src'], r['tcp.srcport'])
        dst = '%s:%s' % (r['ip.dst'] or r['ipv6.dst'], r['tcp.dstport'])
        if ports and r['tcp.srcport'] not in ports and \
                r['tcp.dstport'] not in ports:
            continue
        f = out.setdefault((src, dst), [{}, 0, 0, 0])
        if r['tcp.payload']:
            f[0][int(r['tcp.seq_raw'])] = bytes.fromhex(
                r['tcp.payload'].replace(':', ''))
        f[1] |= r['tcp.flags.syn'] in ('1', 'True')
        f[2] |= r['tcp.flags.fin'] in ('1', 'True')
        f[3] |= r['tcp.flags.reset'] in ('1', 'True')
    for k, f in out.items():
        data = b''
        for seq in sorted(f[0]):
            data += f[0][seq]
        f[0] = data
    return out


def streams(live, fw_pcap, fw, ports):
    a = flows(live, ports)
    b = flows(fw_pcap, ports)
    if not b:
        err('no TCP flow in the fwrelay capture')
    for k in sorted(set(a) | set(b)):
        name = '%s -> %s' % k
        if k not in b:
            err('%s: on the wire, not in the fwrelay capture' % name)
            continue
        if k not in a:
            err('%s: in the fwrelay capture, not on the wire' % name)
            continue
        if a[k][0] != b[k][0]:
            err('%s: %d bytes on the wire, %d captured, differing' %
                (name, len(a[k][0]), len(b[k][0])))
            continue
        late = ''
        if a[k][1:] != b[k][1:] and a[k][2] and not b[k][2] and \
                a[k][1] == b[k][1] and a[k][3] == b[k][3] and \
                k[1].rsplit(':', 1)[0] in fw and (k[1], k[0]) in b and \
                (b[(k[1], k[0])][2] or b[(k[1], k[0])][3]):
            # fwrelay had closed the socket: the kernel took this FIN.
            late = ' (its FIN came after fwrelay closed: not captured)'
        elif a[k][1:] != b[k][1:]:
            err('%s: SYN/FIN/RST %s on the wire, %s captured' %
                (name, a[k][1:], b[k][1:]))
            continue
        print('ok %s: %d bytes, SYN/FIN/RST %s as on the wire%s' %
              (name, len(b[k][0]), ''.join('1' if x else '0'
                                            for x in b[k][1:]), late))


def calls(fw, evlog):
    evs = load(evlog)
    conns = {}
    for e in evs:
        if e.get('event') == 'connect':
            conns[e['conn']] = (e['client'], e['source'], e['target'])
    listen = {}
    for e in evs:
        if e.get('event') == 'accept':
            listen[e['conn']] = e
    rows = tshark(fw, ['ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport',
                       'dcerpc.pkt_type', 'dcerpc.cn_call_id'],
                  ['-Y', 'dcerpc'])
    seen = []
    for r in rows:
        types = r['dcerpc.pkt_type'].split(',')
        ids = r['dcerpc.cn_call_id'].split(',')
        src = '%s:%s' % (r['ip.src'], r['tcp.srcport'])
        dst = '%s:%s' % (r['ip.dst'], r['tcp.dstport'])
        for t, i in zip(types, ids):
            seen.append((src, dst, int(t), int(i)))
    n = 0
    for e in evs:
        kind = {'rpc_bind': 11, 'rpc_bind_ack': 12}.get(e.get('event'))
        if kind is None or e['conn'] not in conns:
            continue
        client, source, target = conns[e['conn']]
        for leg, peer, fwend in (('client', client, None),
                                 ('target', target, source)):
            hits = [s for s in seen if s[2] == kind and s[3] ==
                    e['call_id'] and (peer in (s[0], s[1])) and
                    (fwend is None or fwend in (s[0], s[1]))]
            if len(hits) != 1:
                err('%s conn %d call %d: %d on the %s leg' %
                    (e['event'], e['conn'], e['call_id'], len(hits), leg))
            else:
                n += 1
    if n == 0:
        err('no rpc_bind event matched')
    print('ok %d bind/bind_ack call ids found on their legs' % n)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    mode = sys.argv[1]
    if mode == 'files':
        files(sys.argv[2], sys.argv[3:])
    elif mode == 'streams':
        streams(sys.argv[2], sys.argv[3], set(sys.argv[4].split(',')),
                set(sys.argv[5:]))
    elif mode == 'calls':
        calls(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
