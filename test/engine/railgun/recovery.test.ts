// What happens when an end loses its versions, the link drops, or a delta is corrupted: the pair
// falls back to full bodies and recovers, and never hands a client a wrong page.
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { dczHeaderBytes, zstdCodec, type Codec } from '../../../engine/railgun/codec.ts';
import { waitFor } from '../../helpers/wait.ts';
import { corpusPages, startCorpusOrigin, type CorpusOrigin } from './corpus-origin.ts';
import { startListener, startPair, startSender, testTls, type Pair } from './pair.ts';

const [page] = corpusPages().filter((candidate) => candidate.name === 'synthetic-tech-security');
let origin: CorpusOrigin;

before(async () => {
  origin = await startCorpusOrigin([page!]);
});
after(() => origin.close());

async function get(pair: Pair, path = `/${page!.name}`): Promise<{ status: number; body: Buffer; railgun: string; contentType: string | null }> {
  const response = await fetch(pair.url(path));
  return {
    status: response.status,
    body: Buffer.from(await response.arrayBuffer()),
    railgun: response.headers.get('signalbox-railgun') ?? '',
    contentType: response.headers.get('content-type'),
  };
}

/** The version the origin served last for the page. */
function lastServed(): Buffer {
  return page!.versions[Math.min(origin.served.get(page!.name)! - 1, page!.versions.length - 1)]!;
}

describe('railgun pair recovery', () => {
  it('sends the first page in full, then deltas; a restarted sender (no versions) gets full again and recovers', { timeout: 20_000 }, async () => {
    origin.served.clear();
    const pair = await startPair({ origin: origin.url });
    try {
      assert.match((await get(pair)).railgun, /base=none/);
      assert.match((await get(pair)).railgun, /base=hit/);
      // A new sender: its store is empty, so it announces nothing.
      const tls = await testTls();
      const fresh = await startSender(pair.listener.port, { origin: origin.url }, tls);
      try {
        const url = `http://127.0.0.1:${fresh.sender.port}/${page!.name}`;
        const first = await fetch(url);
        assert.match(first.headers.get('signalbox-railgun') ?? '', /base=none/);
        assert.ok(Buffer.from(await first.arrayBuffer()).equals(lastServed()));
        const second = await fetch(url);
        assert.match(second.headers.get('signalbox-railgun') ?? '', /base=hit/);
        assert.ok(Buffer.from(await second.arrayBuffer()).equals(lastServed()));
      } finally {
        fresh.link.stop();
        fresh.book.close();
        await fresh.sender.close();
      }
    } finally {
      await pair.close();
    }
  });

  it('a restarted listener (base lost on its side) answers a miss in full; the link reconnects by itself', { timeout: 20_000 }, async () => {
    origin.served.clear();
    const pair = await startPair({ origin: origin.url });
    try {
      await get(pair);
      await get(pair);
      const port = pair.listener.port;
      await pair.listener.close();
      await waitFor(() => pair.link.state.state === 'down', 'the link to notice');
      const restarted = await startListener({ origin: origin.url, listenerPort: port }, await testTls());
      try {
        await waitFor(() => pair.link.state.state === 'up', 'the link to reconnect');
        const miss = await get(pair);
        assert.match(miss.railgun, /base=miss/);
        assert.ok(miss.body.equals(lastServed()));
        const hit = await get(pair);
        assert.match(hit.railgun, /base=hit/);
        assert.ok(hit.body.equals(lastServed()));
        assert.ok(pair.link.state.reconnects >= 1);
      } finally {
        await restarted.close();
      }
    } finally {
      await pair.close();
    }
  });

  it('detects a bit flipped in a delta and fetches the page again in full', { timeout: 20_000 }, async () => {
    origin.served.clear();
    let flips = 0;
    const flipping: Codec = {
      ...zstdCodec,
      async encodeDelta(body, base, hash, level) {
        const encoded = await zstdCodec.encodeDelta(body, base, hash, level);
        if (flips++ === 0) encoded[dczHeaderBytes + Math.floor((encoded.length - dczHeaderBytes) / 2)]! ^= 0x10;
        return encoded;
      },
    };
    const pair = await startPair({ origin: origin.url, listenerCodec: flipping });
    try {
      await get(pair);
      const repaired = await get(pair);
      assert.equal(repaired.status, 200);
      assert.ok(repaired.body.equals(lastServed()), 'the client got the right page');
      assert.equal(repaired.contentType, page!.contentType, "with the origin's headers");
      assert.equal(pair.book.totals.retries, 1);
      assert.equal(origin.served.get(page!.name), 2, 'the full copy came from the listener, not a second origin request');
      assert.match((await get(pair)).railgun, /base=hit/, 'deltas resume');
    } finally {
      await pair.close();
    }
  });

  it('detects a corrupted base on the sender (a delta that decodes to a wrong page) and refetches in full', { timeout: 20_000 }, async () => {
    origin.served.clear();
    const pair = await startPair({ origin: origin.url });
    try {
      await get(pair);
      assert.equal(pair.sender.store.stats.versions, 1);
      // Reach the held version through its public lookup and damage one byte of it in place.
      const held = await findOnlyVersion(pair);
      held.body[held.body.length >> 1]! ^= 0x01;
      const answer = await get(pair);
      assert.ok(answer.body.equals(lastServed()));
      assert.equal(pair.book.totals.retries, 1);
    } finally {
      await pair.close();
    }
  });

  it('a link cut before the answer started: the GET is retried over the new connection', { timeout: 20_000 }, async () => {
    let release: (() => void) | undefined;
    const slow = http.createServer((_request, response) => {
      release = () => response.writeHead(200, { 'content-type': 'text/plain' }).end('late but whole\n');
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const pair = await startPair({ origin: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, relay: true });
    try {
      await waitFor(() => pair.link.state.state === 'up', 'the link');
      const pending = fetch(pair.url('/slow')).then(async (response) => ({ status: response.status, text: await response.text() }));
      await waitFor(() => release, 'the origin to get the request');
      release = undefined;
      pair.relay!.cut();
      await waitFor(() => release, 'the retried request at the origin');
      release!();
      assert.deepEqual(await pending, { status: 200, text: 'late but whole\n' });
    } finally {
      await pair.close();
      slow.closeAllConnections();
      slow.close();
    }
  });

  it(
    'an origin that closes kept-alive connections as the next GET goes out: the listener sends it again on a new connection',
    { timeout: 20_000 },
    async () => {
      // Answers the first request of each connection, and closes the connection at the second, as
      // an origin whose keep-alive timeout ran out at that moment does.
      let connections = 0;
      const closing = net.createServer((socket) => {
        connections++;
        let requests = 0;
        socket.on('data', (chunk: Buffer) => {
          for (let at = chunk.indexOf('\r\n\r\n'); at >= 0; at = chunk.indexOf('\r\n\r\n', at + 4)) {
            if (++requests > 1) return void socket.destroy();
            socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\nConnection: keep-alive\r\n\r\nserved\n');
          }
        });
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
      const pair = await startPair({ origin: `http://127.0.0.1:${(closing.address() as AddressInfo).port}` });
      try {
        // Two at once: the listener's pool then holds two idle connections, both closed at their next request.
        const first = await Promise.all(['/kept-a', '/kept-b'].map(async (path) => (await fetch(pair.url(path))).status));
        assert.deepEqual(first, [200, 200]);
        for (let i = 0; i < 3; i++) {
          const response = await fetch(pair.url(`/kept-${i}`));
          assert.equal(response.status, 200, `request ${i}`);
          assert.equal(await response.text(), 'served\n');
        }
        assert.ok(connections >= 5, 'each request after the first two needed a new connection');
      } finally {
        await pair.close();
        closing.close();
      }
    },
  );

  it('a link cut mid-body: the client sees a failed response (not a short page), the next request succeeds', { timeout: 20_000 }, async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 'x');
    let requests = 0;
    const stalling = http.createServer((_request, response) => {
      requests++;
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length });
      if (requests === 1) response.write(big.subarray(0, 64 * 1024));
      else response.end(big);
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const pair = await startPair({ origin: `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`, relay: true });
    try {
      const response = await fetch(pair.url('/big'));
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      await reader.read();
      pair.relay!.cut();
      await assert.rejects(async () => {
        for (;;) if ((await reader.read()).done) break;
      });
      const next = await fetch(pair.url('/big'));
      assert.equal(next.status, 200);
      assert.ok(Buffer.from(await next.arrayBuffer()).equals(big));
    } finally {
      await pair.close();
      stalling.closeAllConnections();
      stalling.close();
    }
  });
});

/** The sender's only stored version, found through the store's own lookup. */
async function findOnlyVersion(pair: Pair) {
  const { cacheKey } = await import('../../../engine/railgun/http.ts');
  const version = pair.sender.store.newest(cacheKey(`127.0.0.1:${pair.sender.port}/${page!.name}`, {}, ''));
  assert.ok(version, 'the sender holds the first version');
  return version;
}
