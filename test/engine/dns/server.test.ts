// The listeners on real loopback sockets: IPv6, the TCP idle timeout and the TCP connection cap.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { answerWith, Type } from '../../../engine/dns/wire.ts';
import { DnsServer } from '../../../engine/dns/server.ts';
import { encodeQuery } from '../../helpers/dns.ts';
import { freePort } from '../../helpers/knot.ts';

const servers: DnsServer[] = [];
after(async () => {
  for (const server of servers) await server.stop();
});

async function startServer(listen: string[], tcp: { idleTimeoutMs?: number; maxConnections?: number } = {}) {
  const server = new DnsServer({
    listen,
    queryTimeoutMs: 1000,
    tcpIdleTimeoutMs: tcp.idleTimeoutMs ?? 10_000,
    tcpMaxConnections: tcp.maxConnections ?? 256,
    udpReceiveBufferBytes: 1 << 20,
    tls: null,
    resolve: async (ctx) => answerWith(ctx.query, ctx.parsed, [{ type: Type.A, ttl: 60, rdata: Uint8Array.from([192, 0, 2, 1]) }]),
  });
  await server.start();
  servers.push(server);
  return server;
}

function tcpQuery(socket: Socket, query: Buffer): void {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(query.length);
  socket.write(Buffer.concat([prefix, query]));
}

async function ipv6Loopback(): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

describe('dns listeners', () => {
  it('answers over UDP and TCP on IPv6', async (t) => {
    if (!(await ipv6Loopback())) return t.skip('this machine has no ::1');
    const server = await startServer(['[::1]:0']);
    const address = server.listening[0]!.address;
    assert.match(address, /^\[::1\]:\d+$/);
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    const udp = createSocket('udp6');
    udp.send(encodeQuery('v6.test', Type.A, { id: 61 }), port, '::1');
    const [reply] = (await once(udp, 'message')) as [Buffer];
    udp.close();
    assert.equal(reply.readUInt16BE(0), 61);
    const socket = connect(port, '::1');
    tcpQuery(socket, encodeQuery('v6.test', Type.A, { id: 62 }));
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    socket.destroy();
    assert.equal(chunk.readUInt16BE(2), 62);
  });

  it('closes an idle TCP connection after the idle timeout', async () => {
    const port = await freePort();
    await startServer([`127.0.0.1:${port}`], { idleTimeoutMs: 300 });
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const started = performance.now();
    await once(socket, 'close');
    const waited = performance.now() - started;
    assert.ok(waited >= 250 && waited < 3000, `closed after ${Math.round(waited)} ms`);
  });

  it('refuses TCP connections past the cap and serves the ones it holds', async () => {
    const port = await freePort();
    await startServer([`127.0.0.1:${port}`], { maxConnections: 2 });
    const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    await Promise.all(held.map((socket) => once(socket, 'connect')));
    // Give the server time to count them before the third arrives.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const extra = connect(port, '127.0.0.1');
    extra.on('error', () => {});
    await once(extra, 'close');
    tcpQuery(held[0]!, encodeQuery('held.test', Type.A, { id: 63 }));
    const [chunk] = (await once(held[0]!, 'data')) as [Buffer];
    assert.equal(chunk.readUInt16BE(2), 63);
    for (const socket of held) socket.destroy();
  });
});
