#!/usr/bin/python3
"""epmpdu: the ept_map request and response of PROTOCOLS.md 2.6 (c), (d) as
hex, the response with a tower address and port of our choice, whole or
split into two fragments at a stub offset (so a floor can straddle them).

  epmpdu.py req
  epmpdu.py resp IP PORT [SPLIT]
"""
import socket
import struct
import sys


def unhex(s):
    return bytes.fromhex(''.join(c for c in s if c not in ' \n|'))


# 2.6 (c): ept_map for the Exchange MTA interface, call 2, port/IP zero.
MAPREQ = unhex("""
05 00 00 03 10 00 00 00 9c 00 00 00 02 00 00 00
84 00 00 00 00 00 03 00 01 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00
4b 00 00 00 4b 00 00 00 05 00 13 00 0d 30 e8 8e
9e 59 44 ce 11 97 9b 00 aa 00 5f fe be 02 00 02
00 00 00 13 00 0d 04 5d 88 8a eb 1c c9 11 9f e8
08 00 2b 10 48 60 02 00 02 00 00 00 01 00 0b 02
00 00 00 01 00 07 02 00 00 00 01 00 09 04 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 04 00 00 00""")
# 2.6 (d): one tower, TCP 1059 on 192.0.2.10 (port at PDU offset 0x88,
# address at 0x8f), status 0.
MAPRESP = unhex("""
05 00 02 03 10 00 00 00 98 00 00 00 02 00 00 00
80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00
04 00 00 00 00 00 00 00 01 00 00 00 03 00 00 00
4b 00 00 00 4b 00 00 00 05 00 13 00 0d 30 e8 8e
9e 59 44 ce 11 97 9b 00 aa 00 5f fe be 02 00 02
00 00 00 13 00 0d 04 5d 88 8a eb 1c c9 11 9f e8
08 00 2b 10 48 60 02 00 02 00 00 00 01 00 0b 02
00 00 00 01 00 07 02 00 04 23 01 00 09 04 00 c0
00 02 0a 00 00 00 00 00""")
assert len(MAPREQ) == 156 and len(MAPRESP) == 152


def resp(ip, port, split=None):
    p = bytearray(MAPRESP)
    p[0x88:0x8a] = struct.pack('>H', port)
    p[0x8f:0x93] = socket.inet_aton(ip)
    if split is None:
        return bytes(p)
    stub = bytes(p[24:])
    out = b''
    for flags, part in ((1, stub[:split]), (2, stub[split:])):
        h = bytearray(p[:24])
        h[3] = flags
        h[8:10] = struct.pack('<H', 24 + len(part))
        h[16:20] = struct.pack('<I', len(stub) if flags == 1 else len(part))
        out += bytes(h) + part
    return out


def main():
    a = sys.argv[1:]
    if a == ['req']:
        print(MAPREQ.hex())
    elif len(a) in (3, 4) and a[0] == 'resp':
        print(resp(a[1], int(a[2]), int(a[3]) if len(a) == 4 else None)
              .hex())
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
