#!/usr/bin/python3
"""rawpeer: a byte-exact TCP peer for the inspection tests.

Either end of a connection runs a list of steps; payloads are hex (spaces
and '|' are ignored, so the examples of PROTOCOLS.md paste as they are).
Any mismatch is a message on stderr and exit status 1; every wait is
bounded by --timeout.

  rawpeer.py client --connect A:P [--source A[:P]] [--refused yes] STEP...
  rawpeer.py server --listen A:P --ready FILE [--count N] STEP...

A client with --refused yes expects the connect to be refused (and then
exits 0). The server writes its port to the ready file once it listens,
serves --count connections (each in a thread, all running the same
steps), and exits 0 when every one of them succeeded. "{conn}" in a step
stands for the connection's number (1, 2, ...).

Steps:
  send:HEX      one send() of the bytes
  trickle:HEX   one byte per send(), TCP_NODELAY, 5 ms apart
  expect:HEX    the next bytes must be exactly these
  tpkt          read one TPKT and print its COTP header decoded
  eof           expect EOF, no data        reset  expect ECONNRESET
  end           expect EOF or a reset      shut   shutdown(SHUT_WR)
  rst           close with SO_LINGER 0     close  close
  sink:FILE     read until EOF/reset, write the bytes as hex to FILE
  echo          echo until EOF (then shut) or a reset
  wait-file:F   wait until F exists         touch:F  create F
  local         print local=ADDR:PORT
"""
import os
import socket
import struct
import sys
import threading
import time

TIMEOUT = 5.0


class Fail(Exception):
    pass


def unhex(s):
    s = ''.join(c for c in s if c not in ' |\t\n')
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise SystemExit('rawpeer: bad hex %r' % s)


def addr(s):
    host, _, port = s.rpartition(':')
    return host.strip('[]'), int(port or 0)


def hexs(b):
    return b.hex(' ')


def read_exact(sock, n, what):
    buf = b''
    end = time.monotonic() + TIMEOUT
    while len(buf) < n:
        left = end - time.monotonic()
        if left <= 0:
            raise Fail('%s: %d of %d bytes within %.1f s: %s' %
                       (what, len(buf), n, TIMEOUT, hexs(buf)))
        sock.settimeout(left)
        try:
            d = sock.recv(n - len(buf))
        except socket.timeout:
            continue
        except ConnectionResetError:
            raise Fail('%s: reset after %d of %d bytes: %s' %
                       (what, len(buf), n, hexs(buf)))
        if not d:
            raise Fail('%s: EOF after %d of %d bytes: %s' %
                       (what, len(buf), n, hexs(buf)))
        buf += d
    return buf


def read_end(sock):
    """Everything until EOF or reset: (bytes, 'eof'|'reset')."""
    buf = b''
    end = time.monotonic() + TIMEOUT
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return buf, 'timeout'
        sock.settimeout(left)
        try:
            d = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return buf, 'reset'
        if not d:
            return buf, 'eof'
        buf += d


def tpkt_text(p):
    """The COTP header of one whole TPKT, decoded."""
    out = ['tpkt', 'version=%d' % p[0], 'reserved=%d' % p[1],
           'length=%d' % struct.unpack('>H', p[2:4])[0]]
    if len(p) < 6:
        return ' '.join(out)
    li, code = p[4], p[5]
    out += ['li=%d' % li, 'code=0x%02x' % code]
    h = p[4:4 + 1 + li]
    t = code & 0xf0
    if t in (0xe0, 0xd0, 0x80) and len(h) >= 7:
        out += ['dst_ref=%d' % struct.unpack('>H', h[2:4])[0],
                'src_ref=%d' % struct.unpack('>H', h[4:6])[0]]
        if t == 0x80:
            out.append('reason=%d' % h[6])
        else:
            out.append('class=%d' % (h[6] >> 4))
            i = 7
            while i + 2 <= len(h):
                c, n = h[i], h[i + 1]
                v = h[i + 2:i + 2 + n]
                name = {0xc0: 'tpdu_size', 0xc1: 'calling',
                        0xc2: 'called'}.get(c, 'p%02x' % c)
                if c == 0xc0 and n == 1:
                    out.append('%s=%d' % (name, 1 << v[0]))
                else:
                    out.append('%s=%s' % (name, v.decode('latin-1')))
                i += 2 + n
    elif t == 0x70 and len(h) >= 5:
        out += ['dst_ref=%d' % struct.unpack('>H', h[2:4])[0],
                'cause=%d' % h[4]]
    elif t == 0xf0 and len(h) >= 3:
        out += ['eot=%d' % (h[2] >> 7), 'data=%s' % p[4 + 1 + li:].hex()]
    return ' '.join(out)


def run_steps(sock, steps, tag):
    def say(s):
        print('%s%s' % (tag, s), flush=True)

    for st in steps:
        name, _, arg = st.partition(':')
        if name == 'send':
            sock.sendall(unhex(arg))
        elif name == 'trickle':
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for b in unhex(arg):
                sock.sendall(bytes([b]))
                time.sleep(0.005)
        elif name == 'expect':
            want = unhex(arg)
            got = read_exact(sock, len(want), 'expect')
            if got != want:
                raise Fail('expect: got  %s\n          want %s' %
                           (hexs(got), hexs(want)))
            say('expect ok %d bytes' % len(want))
        elif name == 'tpkt':
            h = read_exact(sock, 4, 'tpkt header')
            n = struct.unpack('>H', h[2:4])[0]
            if n < 4:
                raise Fail('tpkt: length %d' % n)
            p = h + read_exact(sock, n - 4, 'tpkt body')
            say(tpkt_text(p) + ' hex=' + p.hex())
        elif name in ('eof', 'reset', 'end'):
            data, how = read_end(sock)
            if data:
                raise Fail('%s: %d unexpected bytes: %s' %
                           (name, len(data), hexs(data[:64])))
            if how == 'timeout':
                raise Fail('%s: neither EOF nor reset within %.1f s' %
                           (name, TIMEOUT))
            if name != 'end' and how != name:
                raise Fail('%s: got %s instead' % (name, how))
            say(how)
        elif name == 'shut':
            sock.shutdown(socket.SHUT_WR)
        elif name == 'rst':
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack('ii', 1, 0))
            sock.close()
            return
        elif name == 'close':
            sock.close()
            return
        elif name == 'sink':
            data, how = read_end(sock)
            with open(arg + '.tmp', 'w') as f:
                f.write(data.hex() + '\n')
            os.rename(arg + '.tmp', arg)
            say('sink bytes=%d end=%s' % (len(data), how))
            if how == 'timeout':
                raise Fail('sink: no EOF within %.1f s' % TIMEOUT)
        elif name == 'echo':
            n, how = 0, 'timeout'
            end = time.monotonic() + TIMEOUT
            while time.monotonic() < end:
                sock.settimeout(end - time.monotonic())
                try:
                    d = sock.recv(65536)
                except socket.timeout:
                    continue
                except ConnectionResetError:
                    how = 'reset'
                    break
                if not d:
                    how = 'eof'
                    sock.shutdown(socket.SHUT_WR)
                    break
                n += len(d)
                sock.sendall(d)
            say('echoed bytes=%d end=%s' % (n, how))
            if how == 'timeout':
                raise Fail('echo: no EOF within %.1f s' % TIMEOUT)
        elif name == 'wait-file':
            end = time.monotonic() + TIMEOUT
            while not os.path.exists(arg):
                if time.monotonic() > end:
                    raise Fail('wait-file: %s not there within %.1f s' %
                               (arg, TIMEOUT))
                time.sleep(0.01)
        elif name == 'touch':
            open(arg, 'w').close()
        elif name == 'local':
            a = sock.getsockname()
            say('local=%s:%d' % (a[0], a[1]))
        else:
            raise SystemExit('rawpeer: unknown step %r' % st)
    sock.close()


def main():
    global TIMEOUT
    if len(sys.argv) < 2 or sys.argv[1] not in ('client', 'server'):
        sys.stderr.write(__doc__)
        return 2
    role, args = sys.argv[1], sys.argv[2:]
    opts = {'--count': '1'}
    while args and args[0].startswith('--'):
        if len(args) < 2:
            raise SystemExit('rawpeer: %s needs a value' % args[0])
        opts[args[0]] = args[1]
        args = args[2:]
    steps = args
    TIMEOUT = float(opts.get('--timeout', TIMEOUT))
    if role == 'client':
        if '--connect' not in opts:
            raise SystemExit('rawpeer: --connect A:P is needed')
        s = socket.socket()
        if '--source' in opts:
            s.bind(addr(opts['--source']) if ':' in opts['--source']
                   else (opts['--source'], 0))
        s.settimeout(TIMEOUT)
        try:
            s.connect(addr(opts['--connect']))
        except ConnectionRefusedError as e:
            if opts.get('--refused') == 'yes':
                print('refused', flush=True)
                return 0
            print('rawpeer: connect %s: %s' % (opts['--connect'], e),
                  file=sys.stderr)
            return 1
        except ConnectionResetError as e:
            # Accepted and reset at once: the reset beat connect()'s return.
            if steps and steps[0] in ('reset', 'end'):
                print('reset', flush=True)
                return 0
            print('rawpeer: connect %s: %s' % (opts['--connect'], e),
                  file=sys.stderr)
            return 1
        except OSError as e:
            print('rawpeer: connect %s: %s' % (opts['--connect'], e),
                  file=sys.stderr)
            return 1
        if opts.get('--refused') == 'yes':
            print('rawpeer: connect %s: not refused' % opts['--connect'],
                  file=sys.stderr)
            return 1
        a = s.getsockname()
        print('connected local=%s:%d' % (a[0], a[1]), flush=True)
        try:
            run_steps(s, steps, '')
        except (Fail, OSError) as e:
            print('rawpeer client: %s' % e, file=sys.stderr)
            return 1
        return 0

    if '--listen' not in opts or '--ready' not in opts:
        raise SystemExit('rawpeer: --listen A:P and --ready FILE are needed')
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(addr(opts['--listen']))
    ls.listen(16)
    with open(opts['--ready'] + '.tmp', 'w') as f:
        f.write('%d\n' % ls.getsockname()[1])
    os.rename(opts['--ready'] + '.tmp', opts['--ready'])
    count = int(opts['--count'])
    errors = []
    threads = []

    def serve(conn, k, peer):
        print('conn=%d accepted peer=%s:%d' % (k, peer[0], peer[1]),
              flush=True)
        try:
            run_steps(conn, [x.replace('{conn}', str(k)) for x in steps],
                      'conn=%d ' % k)
        except (Fail, OSError) as e:
            errors.append('conn %d: %s' % (k, e))
            print('rawpeer server: conn %d: %s' % (k, e), file=sys.stderr)
            conn.close()

    for k in range(1, count + 1):
        conn, peer = ls.accept()
        t = threading.Thread(target=serve, args=(conn, k, peer))
        t.start()
        threads.append(t)
    ls.close()
    for t in threads:
        t.join()
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
