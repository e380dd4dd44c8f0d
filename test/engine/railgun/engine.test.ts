// The Railgun engine as the console drives it: status, savings, and configs applied or refused.
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { RunningEngine } from '../../../engine/api/engine.ts';
import { railgunConfig, type RailgunConfig } from '../../../engine/api/railgun.ts';
import { railgunEngine } from '../../../engine/railgun/engine.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { freePort } from '../../helpers/knot.ts';
import { startRedis } from '../../helpers/redis.ts';
import { waitFor } from '../../helpers/wait.ts';

let origin: http.Server;
let engine: RunningEngine;
let config: ReturnType<typeof railgunConfig.parse>;

before(async () => {
  origin = http.createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${'same '.repeat(4000)}${Date.now()}</p>`),
  );
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  config = railgunConfig.parse({ enabled: true, origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, listen: '127.0.0.1:0' });
  engine = await railgunEngine.start({ config, dataDir: tempDir('railgun-engine'), log: quietLog });
});
after(async () => {
  await engine.stop();
  origin.closeAllConnections();
  origin.close();
});

const call = async <T>(name: string, request: object = {}): Promise<T> => (engine.procedures as Record<string, (r: object) => T | Promise<T>>)[name]!(request);

describe('railgun engine', () => {
  it('runs the pair and reports the link, the savings and the URLs', async () => {
    const status = await call<{ senderAddress: string; link: { state: string } }>('railgun.status');
    await waitFor(async () => (await call<{ link: { state: string } }>('railgun.status')).link.state === 'up', 'the link');
    for (let i = 0; i < 3; i++) await (await fetch(`http://${status.senderAddress}/page`)).arrayBuffer();
    const after = await call<{ totals: { requests: number; deltaHits: number; rawBytes: number; linkBytes: number } }>('railgun.status');
    assert.equal(after.totals.requests, 3);
    assert.equal(after.totals.deltaHits, 2);
    assert.ok(after.totals.linkBytes < after.totals.rawBytes / 10);
    const { urls } = await call<{ urls: { url: string; requests: number }[] }>('railgun.urls', { limit: 10 });
    assert.deepEqual(
      urls.map((url) => [url.url, url.requests]),
      [['/page', 3]],
    );
  });

  it('refuses a config whose ends cannot start, and keeps the old one running', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const busy = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
      await assert.rejects(
        call('railgun.configSet', { config: { ...config, listen: busy } }),
        (err: Error & { code?: string }) => err.code === 'E_RAILGUN_CONFIG_REJECTED' && /EADDRINUSE/.test(err.message),
      );
      const status = await call<{ running: boolean; error: string | null; senderAddress: string }>('railgun.status');
      assert.equal(status.running, true);
      assert.equal(status.error, null);
      assert.equal((await fetch(`http://${status.senderAddress}/page`)).status, 200);
    } finally {
      taken.close();
    }
  });

  it('applies new limits without restarting the ends (the versions stay)', async () => {
    type Status = { senderAddress: string; store: { versions: number } };
    const before = await call<Status>('railgun.status');
    assert.ok(before.store.versions > 0);
    await call('railgun.configSet', { config: { ...config, limits: { ...config.limits, versionsPerKey: 2 } } });
    const after = await call<Status>('railgun.status');
    assert.equal(after.senderAddress, before.senderAddress);
    assert.equal(after.store.versions, before.store.versions);
    assert.equal((await call<{ config: { limits: { versionsPerKey: number } } }>('railgun.configGet')).config.limits.versionsPerKey, 2);
  });

  it('stops and starts the pair when `running` changes', async () => {
    await call('railgun.configSet', { config: { ...config, running: false } });
    const stopped = await call<{ running: boolean; link: { state: string } }>('railgun.status');
    assert.deepEqual([stopped.running, stopped.link.state], [false, 'stopped']);
    await call('railgun.configSet', { config: { ...config, running: true } });
    assert.equal((await call<{ running: boolean }>('railgun.status')).running, true);
  });
});

describe('railgun engine with a shared store (redis-server as peer)', () => {
  it(
    'builds the Redis store from `store: { kind: redis, url, maxBytes, ttl }`: versions land in Redis with the TTL, maxmemory is set, deltas flow, the console never sees the password, and stopping the engine lets go of Redis',
    { timeout: 60_000 },
    async () => {
      const password = 'redis-secret-7f3a9c';
      const redis = await startRedis(await freePort(), password);
      const inspect = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: 0, password });
      const maxBytes = 64 * 1024 * 1024;
      const withRedis = railgunConfig.parse({ ...config, store: { kind: 'redis', url: `redis://:${password}@127.0.0.1:${redis.port}/0`, maxBytes, ttl: 600 } });
      const shared = await railgunEngine.start({ config: withRedis, dataDir: tempDir('railgun-engine-redis'), log: quietLog });
      let stopped: Promise<void> | null = null;
      const stop = () => (stopped ??= shared.stop());
      const status = () =>
        (shared.procedures as Record<string, () => Promise<{ senderAddress: string; link: { state: string }; totals: { deltaHits: number } }>>)[
          'railgun.status'
        ]!();
      try {
        await waitFor(async () => (await status()).link.state === 'up', 'the link');
        const { senderAddress } = await status();
        for (let i = 0; i < 3; i++) assert.equal((await fetch(`http://${senderAddress}/shared`)).status, 200);
        assert.equal((await status()).totals.deltaHits, 2);
        const keys = await inspect.keys('signalbox:railgun:*');
        // One list of hashes for the page and one key per version body (versionsPerKey 4 holds all three).
        assert.equal(keys.length, 4, `keys: ${keys.join(', ')}`);
        for (const key of keys) {
          const ttl = await inspect.ttl(key);
          assert.ok(ttl > 0 && ttl <= 600, `${key} expires within the configured ttl (${ttl} s)`);
        }
        assert.deepEqual(await inspect.config('GET', 'maxmemory'), ['maxmemory', String(maxBytes)]);
        assert.deepEqual(await inspect.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'volatile-lru']);
        const clients = async () =>
          String(await inspect.client('LIST'))
            .trim()
            .split('\n').length;
        assert.equal(await clients(), 2, 'the sender and this probe');
        // The console reads the config without the password, and a config it sends back as it read
        // it (here: stop and start the ends) keeps the real one: the restarted sender signs in again.
        const procedure = (name: string) => (shared.procedures as Record<string, (request: object) => Promise<{ config: RailgunConfig }>>)[name]!;
        const shown = (await procedure('railgun.configGet')({})).config;
        assert.equal(shown.store.kind === 'redis' && shown.store.url, `redis://:***@127.0.0.1:${redis.port}/0`);
        assert.doesNotMatch(JSON.stringify(shown), new RegExp(password));
        assert.doesNotMatch(JSON.stringify((await procedure('railgun.configSet')({ config: { ...shown, running: false } })).config), new RegExp(password));
        await procedure('railgun.configSet')({ config: { ...shown, running: true } });
        await waitFor(async () => (await status()).link.state === 'up', 'the link after the restart');
        await waitFor(async () => (await clients()) === 2, 'the restarted sender signed in to Redis');
        assert.equal((await fetch(`http://${(await status()).senderAddress}/shared`)).status, 200);
        await stop();
        assert.equal(await clients(), 1, 'the engine closed its Redis connection');
      } finally {
        await stop();
        inspect.disconnect();
        await redis.stop();
      }
    },
  );
});
