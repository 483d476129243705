#!/usr/bin/python3
"""epmserver: an endpoint mapper and a service, served by impacket.

impacket's DCERPCServer (nobody on this project wrote it) answers on two
ports of one address: the EPM interface e1af8308-5d1f-11c9-91a4-08002b14a0fa
v3.0 with opnum 2 (ept_lookup) and 3 (ept_map), and a made-up service
interface (SVC_UUID v1.0, opnum 0 EchoCall(ULONG, WSTR) -> value + 1 and the
text in upper case). The EPM knows two entries, itself and the service,
each with a real TCP/IP tower of 5 floors (0x0d interface, 0x0d NDR, 0x0b,
0x07 port, 0x09 IPv4), built and encoded with impacket's own NDR types.

  epmserver.py --listen ADDR:PORT [--svc-port N] [--advertise IP]
               --ready FILE [--seconds S]

The ready file gets "EPMPORT SVCPORT" once both listen. Every call is one
line on stdout. The process ends after --seconds (default 60).
"""
import socket
import struct
import sys
import time

from impacket.dcerpc.v5 import epm
from impacket.dcerpc.v5.dtypes import NULL, ULONG, WSTR
from impacket.dcerpc.v5.ndr import NDRCALL
from impacket.dcerpc.v5.rpcrt import DCERPCServer
from impacket.uuid import bin_to_uuidtup, uuidtup_to_bin

EPM_IF = ('E1AF8308-5D1F-11C9-91A4-08002B14A0FA', '3.0')
SVC_IF = ('6A28E5C4-0FE1-4A3C-9F77-5D1E2A0B7C11', '1.0')
NDR_IF = ('8A885D04-1CEB-11C9-9FE8-08002B104860', '2.0')
EPT_S_NOT_REGISTERED = 0x16c9a0d6


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


class Server(DCERPCServer):
    """DCERPCServer bound where we say, with SO_REUSEADDR (its own
    constructor binds 127.0.0.1:0 and rebinds without it)."""

    def __init__(self, addr, port):
        DCERPCServer.__init__(self)
        self._sock.close()
        self.daemon = True
        self._listenAddress = addr
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((addr, port))
        self._listenPort = self._sock.getsockname()[1]


def tower(iface, port, ip):
    """A TCP/IP tower, 5 floors, as impacket's hept_map builds them."""
    ifl = epm.EPMRPCInterface()
    u = uuidtup_to_bin(iface)
    ifl['InterfaceUUID'] = u[:16]
    ifl['MajorVersion'] = struct.unpack('<H', u[16:18])[0]
    ifl['MinorVersion'] = struct.unpack('<H', u[18:20])[0]
    ndr = epm.EPMRPCDataRepresentation()
    n = uuidtup_to_bin(NDR_IF)
    ndr['DataRepUuid'] = n[:16]
    ndr['MajorVersion'] = struct.unpack('<H', n[16:18])[0]
    ndr['MinorVersion'] = struct.unpack('<H', n[18:20])[0]
    proto = epm.EPMProtocolIdentifier()
    proto['ProtIdentifier'] = epm.FLOOR_RPCV5_IDENTIFIER
    pa = epm.EPMPortAddr()
    pa['IpPort'] = port
    ha = epm.EPMHostAddr()
    ha['Ip4addr'] = socket.inet_aton(ip)
    t = epm.EPMTower()
    t['NumberOfFloors'] = 5
    t['Floors'] = (ifl.getData() + ndr.getData() + proto.getData() +
                   pa.getData() + ha.getData())
    return t.getData()


def twr(data):
    t = epm.twr_p_t()
    t['tower_length'] = len(data)
    t['tower_octet_string'] = data
    return t


def main():
    args = sys.argv[1:]
    opts = {'--svc-port': '0', '--seconds': '60'}
    while args:
        if len(args) < 2 or not args[0].startswith('--'):
            sys.stderr.write(__doc__)
            return 2
        opts[args[0]] = args[1]
        args = args[2:]
    if '--listen' not in opts or '--ready' not in opts:
        sys.stderr.write(__doc__)
        return 2
    addr, _, port = opts['--listen'].rpartition(':')
    advertise = opts.get('--advertise', addr)

    epms = Server(addr, int(port))
    svc = Server(addr, int(opts['--svc-port']))
    ports = {EPM_IF: epms.getListenPort(), SVC_IF: svc.getListenPort()}
    names = {EPM_IF: b'Endpoint mapper\x00', SVC_IF: b'fwrelay echo\x00'}

    def ept_map(data):
        req = epm.ept_map(data)
        t = epm.EPMTower(b''.join(req['map_tower']['tower_octet_string']))
        asked = bin_to_uuidtup(t['Floors'][0]['InterfaceUUID'] +
                               struct.pack('<HH',
                                           t['Floors'][0]['MajorVersion'],
                                           t['Floors'][0]['MinorVersion']))
        key = next((k for k in ports if k[0].upper() == asked[0].upper()
                    and k[1] == asked[1]), None)
        resp = epm.ept_mapResponse()
        resp['entry_handle'] = epm.ept_lookup_handle_t()
        if key is None:
            resp['num_towers'] = 0
            resp['status'] = EPT_S_NOT_REGISTERED
            print('ept_map %s v%s: not registered' % asked, flush=True)
        else:
            resp['num_towers'] = 1
            resp['ITowers'].append(twr(tower(key, ports[key], advertise)))
            resp['status'] = 0
            print('ept_map %s v%s -> %s[%d]' % (asked[0], asked[1],
                  advertise, ports[key]), flush=True)
        return resp.getData()

    def ept_lookup(data):
        epm.ept_lookup(data)
        resp = epm.ept_lookupResponse()
        resp['entry_handle'] = epm.ept_lookup_handle_t()	# no more
        for key in (EPM_IF, SVC_IF):
            e = epm.ept_entry_t()
            e['object'] = b'\x00' * 16
            e['tower'] = twr(tower(key, ports[key], advertise))
            e['annotation'] = names[key]
            resp['entries'].append(e)
        resp['num_ents'] = len(resp['entries'])
        resp['status'] = 0
        print('ept_lookup -> %d entries' % resp['num_ents'], flush=True)
        return resp.getData()

    def echo(data):
        req = EchoCall(data)
        text = req['Text'][:-1] if req['Text'].endswith('\x00') else \
            req['Text']
        resp = EchoCallResponse()
        resp['Value'] = req['Value'] + 1
        resp['Text'] = text.upper() + '\x00'
        resp['ErrorCode'] = 0
        print('EchoCall %d %s' % (req['Value'], text), flush=True)
        return resp.getData()

    epms.addCallbacks(EPM_IF, str(ports[EPM_IF]), {2: ept_lookup, 3: ept_map})
    svc.addCallbacks(SVC_IF, str(ports[SVC_IF]), {0: echo})
    epms.start()
    svc.start()
    with open(opts['--ready'] + '.tmp', 'w') as f:
        f.write('%d %d\n' % (ports[EPM_IF], ports[SVC_IF]))
    import os
    os.rename(opts['--ready'] + '.tmp', opts['--ready'])
    print('listening epm=%s:%d svc=%s:%d advertise=%s' % (
        addr, ports[EPM_IF], addr, ports[SVC_IF], advertise), flush=True)
    time.sleep(float(opts['--seconds']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
