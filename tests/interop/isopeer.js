// isopeer.js: both ends of an RFC 1006 conversation built on the npm
// package iso-on-tcp (a third-party ISO transport stack), for the interop
// tests. Nothing of fwrelay's tree is used: what passes here passes
// between two stacks that were not written against fwrelay.
//
//   node isopeer.js server --listen A:P --ready FILE --count N
//       [--src-tsap HEX] [--dst-tsap HEX] [--tpdu N]
//     Serves N connections, each an ISOOnTCPClient around the accepted
//     socket (it answers the CR with a CC), echoing every whole message.
//     One line per connection when it ends:
//       conn=K tpdu=N messages=M bytes=B sha256=H end=eof|ERROR
//     Exit 0 when N connections ended with an orderly EOF.
//
//   node isopeer.js client --connect A:P [--source ADDR]
//       [--src-tsap HEX] [--dst-tsap HEX]
//       [--tpdu N] [--send SIZE,SIZE,...] [--expect-refused]
//     Connects, sends one message per SIZE (deterministic bytes), checks
//     each echo, then releases the connection with a DR and waits for the
//     close. Prints "connected tpdu=N", "echo SIZE ok", "released end=eof".
//     --expect-refused: the CR must be answered with a DR (printed as
//     "refused reason=R") and the connection end without a CC.
//
// Any failure: a message on stderr, exit 1. Every wait is bounded (10 s).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const iso = require('iso-on-tcp');

const TIMEOUT_MS = 10000;

function die(msg) {
	process.stderr.write('isopeer: ' + msg + '\n');
	process.exit(1);
}

function args(argv) {
	const o = { count: 1, tpdu: 1024, send: [] };
	for (let i = 0; i < argv.length; i++) {
		const k = argv[i], v = argv[i + 1];
		switch (k) {
		case '--listen': o.listen = v; i++; break;
		case '--connect': o.connect = v; i++; break;
		case '--source': o.source = v; i++; break;
		case '--ready': o.ready = v; i++; break;
		case '--count': o.count = parseInt(v, 10); i++; break;
		case '--src-tsap': o.src = parseInt(v, 16); i++; break;
		case '--dst-tsap': o.dst = parseInt(v, 16); i++; break;
		case '--tpdu': o.tpdu = parseInt(v, 10); i++; break;
		case '--send':
			o.send = v.split(',').map(s => parseInt(s, 10)); i++;
			break;
		case '--expect-refused': o.refused = true; break;
		default: die('unknown argument ' + k);
		}
	}
	return o;
}

function hostport(s) {
	const i = s.lastIndexOf(':');
	return { host: s.slice(0, i).replace(/^\[|\]$/g, ''),
	    port: parseInt(s.slice(i + 1), 10) };
}

// SIZE bytes that differ from message to message.
function pattern(size, seed) {
	const b = Buffer.alloc(size);
	for (let i = 0; i < size; i++)
		b[i] = (i * 7 + seed * 31 + (i >> 8)) & 0xff;
	return b;
}

function server(o) {
	const a = hostport(o.listen);
	let n = 0, good = 0, ended = 0;
	const srv = net.createServer(sock => {
		const k = ++n;
		const h = crypto.createHash('sha256');
		let msgs = 0, bytes = 0, err = null;
		const c = new iso.ISOOnTCPClient(sock, { srcTSAP: o.src,
		    dstTSAP: o.dst, tpduSize: o.tpdu });
		c.on('message', m => {
			msgs++;
			bytes += m.payload.length;
			h.update(m.payload);
			c.write(m.payload);
		});
		c.on('data', () => {});
		c.on('error', e => { if (err === null) err = e.code || e.message; });
		sock.on('error', e => { if (err === null) err = e.code || e.message; });
		sock.on('close', () => {
			const end = err === null ? 'eof' : err;
			console.log('conn=%d tpdu=%d messages=%d bytes=%d ' +
			    'sha256=%s end=%s', k, c.negotiatedTpduSize, msgs,
			    bytes, h.digest('hex'), end);
			if (err === null)
				good++;
			if (++ended === o.count) {
				srv.close();
				process.exit(good === o.count ? 0 : 1);
			}
		});
	});
	srv.on('error', e => die('listen: ' + e.message));
	srv.listen(a.port, a.host, () => {
		const port = srv.address().port;
		fs.writeFileSync(o.ready + '.tmp', String(port) + '\n');
		fs.renameSync(o.ready + '.tmp', o.ready);
	});
	setTimeout(() => die('server: ' + ended + ' of ' + o.count +
	    ' connections ended in time'), TIMEOUT_MS * 3).unref();
}

function client(o) {
	const a = hostport(o.connect);
	const sock = net.createConnection({ host: a.host, port: a.port,
	    localAddress: o.source });
	const c = new iso.ISOOnTCPClient(sock, { srcTSAP: o.src,
	    dstTSAP: o.dst, tpduSize: o.tpdu });
	sock.on('connect', () => c.connect());
	let connected = false, refusedReason = null, released = false;
	let want = null, got = [], idx = 0;

	setTimeout(() => die('client: no end within ' + TIMEOUT_MS + ' ms'),
	    TIMEOUT_MS).unref();
	c.on('raw-message', m => {
		if (m.type === iso.constants.tpdu_type.DR && !connected)
			refusedReason = m.reason;
	});
	c.on('error', e => {
		// The DR's error comes before its raw-message event.
		const m = /disconnect request with reason \[(\d+)\]/.exec(
		    e.message || '');
		if (o.refused && !connected && m !== null) {
			refusedReason = parseInt(m[1], 10);
			return;
		}
		die('client: ' + (e.code || e.message));
	});
	function next() {
		if (idx === o.send.length) {
			released = true;
			c.end();	// _final: a DR, then the stream ends
			return;
		}
		want = pattern(o.send[idx], idx);
		got = [];
		c.write(want);
	}
	c.on('connect', () => {
		connected = true;
		if (o.refused)
			die('client: connected (CC) although a refusal was expected');
		console.log('connected tpdu=%d', c.negotiatedTpduSize);
		next();
	});
	c.on('data', d => {
		if (want === null)
			die('client: unexpected data');
		got.push(d);
		const g = Buffer.concat(got);
		if (g.length < want.length)
			return;
		if (!g.equals(want))
			die('client: echo of ' + want.length + ' bytes differs');
		console.log('echo %d ok', want.length);
		idx++;
		want = null;
		next();
	});
	c.on('close', () => {
		if (o.refused) {
			if (refusedReason === null)
				die('client: closed without a DR');
			console.log('refused reason=%d', refusedReason);
			process.exit(0);
		}
		if (!released)
			die('client: closed before the release (' + idx + ' of ' +
			    o.send.length + ' echoes)');
		console.log('released end=eof');
		process.exit(0);
	});
}

const argv = process.argv.slice(2);
const o = args(argv.slice(1));
if (argv[0] === 'server' && o.listen && o.ready)
	server(o);
else if (argv[0] === 'client' && o.connect)
	client(o);
else
	die('usage: isopeer.js server --listen A:P --ready FILE ... | ' +
	    'client --connect A:P ...');
