// The sender's public port under a connection flood: connections that send nothing are closed
// after the header timeout, a full sender (or a full address) answers 503 with Retry-After, the
// excess beyond that is closed at once, and the sender keeps serving. Limits are set low here.
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { addressKey } from '../../../engine/railgun/client-gate.ts';
import { waitFor } from '../../helpers/wait.ts';
import { closedByServer, connect, exchange, readAnswer } from './raw-http.ts';
import { startPair, type Pair } from './pair.ts';

let origin: http.Server;
let originUrl: string;

before(async () => {
  origin = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('served\n'));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

after(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

const get = 'GET /page HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

function connectFrom(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function withPair(clients: Parameters<typeof startPair>[0]['clients'], run: (pair: Pair) => Promise<void>): Promise<void> {
  const pair = await startPair({ origin: originUrl, clients });
  try {
    await waitFor(() => pair.link.state.state === 'up', 'the link');
    await run(pair);
  } finally {
    await pair.close();
  }
}

describe('railgun sender: connection limits', () => {
  it('closes connections that send nothing, or half a header, within the header timeout', { timeout: 20_000 }, async () => {
    await withPair({ headerTimeoutMs: 300 }, async (pair) => {
      const silent = await Promise.all(Array.from({ length: 20 }, () => connect(pair.sender.port)));
      const halfHeader = await connect(pair.sender.port);
      halfHeader.write('GET /page HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      try {
        await Promise.all([...silent, halfHeader].map((socket) => closedByServer(socket)));
        assert.equal(pair.sender.clients.headerTimeouts, 21);
        await waitFor(() => pair.sender.clients.open === 0, 'the closed connections to be counted out');
      } finally {
        for (const socket of [...silent, halfHeader]) socket.destroy();
      }
    });
  });

  it('keeps a keep-alive connection that was answered beyond the first header timeout, and closes it on a half header later', { timeout: 20_000 }, async () => {
    await withPair({ headerTimeoutMs: 300 }, async (pair) => {
      const socket = await connect(pair.sender.port);
      try {
        assert.equal((await readAnswer(socket, () => socket.write(get))).status, 200);
        await new Promise((resolve) => setTimeout(resolve, 600));
        assert.equal((await readAnswer(socket, () => socket.write(get))).status, 200, 'the second request on the same connection is served');
        assert.equal(pair.sender.clients.headerTimeouts, 0);
        // A slow header on the kept connection: Node's own header timeout (checked every second) ends it.
        socket.write('GET /page HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        await closedByServer(socket);
      } finally {
        socket.destroy();
      }
    });
  });

  it('answers 503 with Retry-After when it holds maxConnections, and serves again once they close', { timeout: 20_000 }, async () => {
    await withPair({ maxConnections: 20, headerTimeoutMs: 30_000 }, async (pair) => {
      const held = await Promise.all(Array.from({ length: 20 }, () => connect(pair.sender.port)));
      try {
        await waitFor(() => pair.sender.clients.open === 20, 'the 20 connections to be open');
        const refused = await exchange(pair.sender.port, get);
        assert.equal(refused.status, 503);
        assert.equal(refused.headers.get('retry-after'), '5');
        assert.equal(refused.headers.get('connection'), 'close');
        assert.match(refused.body, /\[E_RAILGUN_BUSY\]/);
        assert.equal(pair.sender.clients.refusedFull, 1);
      } finally {
        for (const socket of held) socket.destroy();
      }
      await waitFor(() => pair.sender.clients.open === 0, 'the connections to close');
      assert.equal((await exchange(pair.sender.port, get)).status, 200);
    });
  });

  it('caps connections per client address: a sixth from 127.0.0.1 gets 503, one from 127.0.0.2 is served', { timeout: 20_000 }, async () => {
    await withPair({ maxConnectionsPerAddress: 5, headerTimeoutMs: 30_000 }, async (pair) => {
      const held = await Promise.all(Array.from({ length: 5 }, () => connectFrom(pair.sender.port, '127.0.0.1')));
      try {
        await waitFor(() => pair.sender.clients.open === 5, 'the five connections');
        const sixth = await connectFrom(pair.sender.port, '127.0.0.1');
        const refused = await readAnswer(sixth, () => sixth.write(get)).finally(() => sixth.destroy());
        assert.equal(refused.status, 503);
        assert.equal(pair.sender.clients.refusedPerAddress, 1);
        const other = await connectFrom(pair.sender.port, '127.0.0.2');
        const served = await readAnswer(other, () => other.write(get)).finally(() => other.destroy());
        assert.equal(served.status, 200);
      } finally {
        for (const socket of held) socket.destroy();
      }
    });
  });

  it('a flood of 200 idle connections against a cap of 20: the excess is closed, the sender keeps serving', { timeout: 30_000 }, async () => {
    await withPair({ maxConnections: 20, headerTimeoutMs: 30_000 }, async (pair) => {
      const flood = await Promise.all(Array.from({ length: 200 }, () => connect(pair.sender.port)));
      let closed = 0;
      for (const socket of flood) void closedByServer(socket).then(() => closed++);
      try {
        // 20 served, 20 more waiting up to a second for a request to answer with 503, the rest closed at once.
        await waitFor(() => pair.sender.clients.closedUnanswered === 160, 'the excess to be closed');
        await waitFor(() => closed === 180, 'all but the 20 served connections to be closed by the sender', 10_000);
        assert.equal(pair.sender.clients.open, 20);
        assert.equal(pair.sender.clients.refusedFull, 180);
      } finally {
        for (const socket of flood) socket.destroy();
      }
      await waitFor(() => pair.sender.clients.open === 0, 'the flood to be gone');
      assert.equal((await exchange(pair.sender.port, get)).status, 200);
    });
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one by its IPv4 address', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2::5'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  });
});
