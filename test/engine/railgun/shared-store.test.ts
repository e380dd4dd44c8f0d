// One version store for many edges (issue 15 item 5), with a real redis-server (Debian's, from
// apt) that the test starts on a free loopback port: two senders and one listener, requests
// alternating between the senders still cross as deltas; Redis stopped mid-run: every request is
// still answered (full transfers), and deltas resume once it is back. Nothing in Redis carries the
// user's cookie, and a no-store page's versions expire there after noStoreIdleMs.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SharedVersions } from '../../../engine/railgun/shared-store.ts';
import { quietLog } from '../../helpers/host.ts';
import { freePort } from '../../helpers/knot.ts';
import { startRedis } from '../../helpers/redis.ts';
import { waitFor } from '../../helpers/wait.ts';
import { corpusPages } from './corpus-origin.ts';
import { startListener, startSender, testTls } from './pair.ts';

const page = corpusPages().find((candidate) => candidate.name === 'synthetic-news-politics')!;
const cookie = 'session=alice-secret-4f1c9e2b7d';
let origin: http.Server;
let originUrl: string;
let served = 0;

before(async () => {
  // Each request gets the page's next version; no-store, as a signed-in page is.
  origin = http.createServer((_request, response) => {
    const body = page.versions[Math.min(served++, page.versions.length - 1)]!;
    response.writeHead(200, { 'content-type': page.contentType, 'cache-control': 'no-store, private', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

after(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

/** A GET for the site's page as a load balancer hands it on: the same Host whichever sender gets it. */
function get(port: number): Promise<{ railgun: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/news', headers: { host: 'news.example', cookie }, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}: ${Buffer.concat(chunks).toString()}`));
          else resolve({ railgun: String(response.headers['signalbox-railgun'] ?? ''), body: Buffer.concat(chunks) });
        });
      })
      .on('error', reject);
  });
}

describe('senders sharing versions through Redis (redis-server as peer)', () => {
  it(
    'two senders, one listener: alternating requests get deltas; Redis down: full transfers; Redis back: deltas again; no cookie in Redis; no-store keys expire',
    { timeout: 60_000 },
    async () => {
      served = 0;
      const redisPort = await freePort();
      let redis = await startRedis(redisPort);
      const tls = await testTls();
      const noStoreIdleMs = 20_000;
      const listener = await startListener({ origin: originUrl, limits: { deltaLevel: 3, fullLevel: 3 } }, tls);
      const sharedStores = [0, 1].map(
        () => new SharedVersions({ url: `redis://127.0.0.1:${redisPort}`, ttl: 3600, versionsPerKey: 4, noStoreIdleMs, log: quietLog }),
      );
      const senders = await Promise.all(
        sharedStores.map((shared) => startSender(listener.port, { origin: originUrl, noStoreIdleMs, shared, limits: { deltaLevel: 3, fullLevel: 3 } }, tls)),
      );
      const inspect = new Redis({ port: redisPort, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => 100 });
      inspect.on('error', () => undefined);
      let version = 0;
      const next = async (sender: number) => {
        const answer = await get(senders[sender]!.sender.port);
        assert.ok(answer.body.equals(page.versions[version]!), `version ${version} through sender ${sender} is the origin's`);
        version++;
        return answer.railgun;
      };
      try {
        await waitFor(() => sharedStores.every((shared) => shared.up), 'both senders connected to Redis');
        assert.match(await next(0), /base=none/);
        for (let i = 1; i <= 6; i++)
          assert.match(await next(i % 2), /base=hit/, `request ${i}, through sender ${i % 2}, is a delta against what the other stored`);

        const keys = await inspect.keys('*');
        assert.ok(keys.length >= 2, `a list and its versions in Redis (${keys.join(', ')})`);
        for (const key of keys) {
          assert.doesNotMatch(key, /alice|session|news/, `key ${key} names nothing in clear`);
          const value = (await inspect.type(key)) === 'list' ? Buffer.concat(await inspect.lrangeBuffer(key, 0, -1)) : await inspect.getBuffer(key);
          assert.ok(!value!.includes('alice-secret'), `no cookie in the value of ${key}`);
          const ttl = await inspect.pttl(key);
          assert.ok(ttl > 0 && ttl <= noStoreIdleMs, `${key} expires within noStoreIdleMs (${ttl} ms)`);
        }

        await redis.stop();
        await waitFor(() => sharedStores.every((shared) => !shared.up), 'the senders noticed Redis is gone');
        for (let i = 0; i < 4; i++) assert.match(await next(i % 2), /base=none/, 'without the shared store: a full transfer, still the right page');

        redis = await startRedis(redisPort);
        await waitFor(() => sharedStores.every((shared) => shared.up), 'both senders reconnected to Redis');
        // The new Redis is empty: one full transfer stores a version, then deltas through either sender.
        assert.match(await next(0), /base=none/);
        for (let i = 1; i <= 4; i++) assert.match(await next(i % 2), /base=hit/, `after Redis came back, request ${i} is a delta`);
      } finally {
        inspect.disconnect();
        for (const { sender, link, book } of senders) {
          link.stop();
          book.close();
          await sender.close();
        }
        await listener.close();
        await redis.stop();
      }
    },
  );
});
