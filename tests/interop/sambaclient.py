#!/usr/bin/python3
"""sambaclient: impacket against a real endpoint mapper (Samba's), through
an epm relay, for the interop test.

  sambaclient.py --epm ADDR:PORT [--iface samr|lsarpc]
                 [--expect refused|once]

ept_map (impacket's hept_map) for the interface on one connection to the
endpoint mapper at ADDR:PORT: "map BINDING". For samr, then, on a new
connection to that binding: anonymous SamrConnect and
SamrEnumerateDomainsInSamServer: "domains NAME,NAME". With --expect
refused that second connection must be refused instead ("refused
BINDING"); with --expect once, after the calls a second connection to the
same binding must be refused ("second use refused BINDING"). Exit 1 with a
message on stderr on anything else.
"""
import argparse
import socket
import sys

from impacket.dcerpc.v5 import epm, lsat, samr, transport

IFACES = {'samr': samr.MSRPC_UUID_SAMR, 'lsarpc': lsat.MSRPC_UUID_LSAT}


def dial(binding):
    t = transport.DCERPCTransportFactory(binding)
    t.set_connect_timeout(5)
    dce = t.get_dce_rpc()
    dce.connect()
    return dce


def refused(binding):
    try:
        dial(binding).disconnect()
    except Exception as e:
        # impacket wraps the socket error; the cause must be a refusal.
        text = str(e)
        if 'refused' in text.lower() or isinstance(e, ConnectionRefusedError):
            return True
        raise SystemExit('sambaclient: %s: not refused but %r' % (binding, e))
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--epm', required=True)
    ap.add_argument('--iface', choices=sorted(IFACES), default='samr')
    ap.add_argument('--expect', choices=['ok', 'refused', 'once'],
                    default='ok')
    a = ap.parse_args()
    host, _, port = a.epm.rpartition(':')

    dce = dial('ncacn_ip_tcp:%s[%s]' % (host, port))
    binding = epm.hept_map(host, IFACES[a.iface], protocol='ncacn_ip_tcp',
                           dce=dce)
    dce.disconnect()
    print('map %s' % binding, flush=True)
    if a.iface != 'samr':
        return 0
    if a.expect == 'refused':
        if not refused(binding):
            raise SystemExit('sambaclient: %s accepted a connection' %
                             binding)
        print('refused %s' % binding)
        return 0

    dce = dial(binding)
    dce.bind(samr.MSRPC_UUID_SAMR)
    h = samr.hSamrConnect(dce)['ServerHandle']
    r = samr.hSamrEnumerateDomainsInSamServer(dce, h)
    names = [d['Name'] for d in r['Buffer']['Buffer']]
    samr.hSamrCloseHandle(dce, h)
    dce.disconnect()
    print('domains %s' % ','.join(names), flush=True)
    if a.expect == 'once':
        if not refused(binding):
            raise SystemExit('sambaclient: a second use of %s was let in'
                             % binding)
        print('second use refused %s' % binding)
    return 0


if __name__ == '__main__':
    sys.exit(main())
