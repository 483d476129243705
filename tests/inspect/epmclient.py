#!/usr/bin/python3
"""epmclient: impacket as the client of an endpoint mapper and a service.

  epmclient.py --epm ADDR:PORT [--call ok|refused|fail|none] [--value N]
               [--text T]
  epmclient.py --binding ncacn_ip_tcp:ADDR[PORT] [--call ...]

On one connection to the EPM at ADDR:PORT: ept_lookup (impacket's
hept_lookup), each entry printed as "lookup UUID vX.Y BINDING" with
impacket's PrintStringBinding (so the IPv4 floor shows as the client reads
it), then ept_map for the service interface ("map BINDING"; hept_map keeps
the host it was given and takes only the port). Then, unless --call is
"none", a new connection to the service's binding from the lookup (the
address and port the towers gave) and EchoCall(N, T): "call BINDING -> N+1
T-UPPER". With --call refused the call must fail to connect; with fail, fail
in any way (connect or bind). With --binding, only the call, to that
binding.
"""
import socket
import sys

from impacket.dcerpc.v5 import epm, transport
from impacket.dcerpc.v5.dtypes import ULONG, WSTR
from impacket.dcerpc.v5.ndr import NDRCALL
from impacket.uuid import bin_to_string, uuidtup_to_bin

SVC_IF = ('6A28E5C4-0FE1-4A3C-9F77-5D1E2A0B7C11', '1.0')


class EchoCall(NDRCALL):
    opnum = 0
    structure = (
        ('Value', ULONG),
        ('Text', WSTR),
    )


class EchoCallResponse(NDRCALL):
    structure = (
        ('Value', ULONG),
        ('Text', WSTR),
        ('ErrorCode', ULONG),	# impacket's request() wants a status last
    )


def main():
    args = sys.argv[1:]
    opts = {'--call': 'ok', '--value': '41', '--text': 'hello'}
    while args:
        if len(args) < 2 or not args[0].startswith('--'):
            sys.stderr.write(__doc__)
            return 2
        opts[args[0]] = args[1]
        args = args[2:]
    if '--binding' in opts:
        return call(opts['--binding'], opts)
    if '--epm' not in opts:
        sys.stderr.write(__doc__)
        return 2
    host, _, port = opts['--epm'].rpartition(':')

    rpct = transport.DCERPCTransportFactory('ncacn_ip_tcp:%s[%s]' %
                                            (host, port))
    rpct.set_connect_timeout(5)
    dce = rpct.get_dce_rpc()
    dce.connect()
    svc_binding = None
    for e in epm.hept_lookup(None, dce=dce):
        fl = e['tower']['Floors']
        ifc = '%s v%d.%d' % (bin_to_string(fl[0]['InterfaceUUID']),
                             fl[0]['MajorVersion'], fl[0]['MinorVersion'])
        b = epm.PrintStringBinding(fl)
        print('lookup %s %s %s' % (ifc.lower(), b,
              e['annotation'].rstrip(b'\x00').decode()), flush=True)
        if ifc.upper() == '%s V%s' % SVC_IF:
            svc_binding = b
    m = epm.hept_map(host, uuidtup_to_bin(SVC_IF), protocol='ncacn_ip_tcp',
                     dce=dce)
    print('map %s' % m, flush=True)
    dce.disconnect()
    if svc_binding is None:
        print('epmclient: the service is not in the lookup', file=sys.stderr)
        return 1
    if opts['--call'] == 'none':
        return 0
    return call(svc_binding, opts)


def call(svc_binding, opts):
    """EchoCall on the service at svc_binding, as --call wants it to go."""
    rpct = transport.DCERPCTransportFactory(svc_binding)
    rpct.set_connect_timeout(5)
    dce = rpct.get_dce_rpc()
    try:
        dce.connect()
        dce.bind(uuidtup_to_bin(SVC_IF))
    except (OSError, socket.error, Exception) as e:
        what = 'refused' if isinstance(e, ConnectionRefusedError) or \
            'Connection refused' in str(e) else 'failed'
        print('call %s %s: %s' % (svc_binding, what, e), flush=True)
        if opts['--call'] == 'fail' or opts['--call'] == what:
            return 0
        print('epmclient: call %s: %s' % (svc_binding, e), file=sys.stderr)
        return 1
    if opts['--call'] != 'ok':
        print('epmclient: the call to %s connected' % svc_binding,
              file=sys.stderr)
        return 1
    req = EchoCall()
    req['Value'] = int(opts['--value'])
    req['Text'] = opts['--text'] + '\x00'
    resp = dce.request(req)
    print('call %s -> %d %s' % (svc_binding, resp['Value'],
          resp['Text'].rstrip('\x00')), flush=True)
    dce.disconnect()
    return 0


if __name__ == '__main__':
    sys.exit(main())
