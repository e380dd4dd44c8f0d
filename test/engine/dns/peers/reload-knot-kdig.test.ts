// Hot reload under load: configs applied with dns.configSet while queries keep coming through the
// engine to Knot. No query may go unanswered; listeners change only where `listen` changed.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { DnsConfig } from '../../../../engine/api/dns.ts';
import type { ResponseOf } from '../../../../engine/api/index.ts';
import { Type } from '../../../../engine/dns/wire.ts';
import { askUdp, encodeQuery } from '../../../helpers/dns.ts';
import { freePort, kdig, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';

let dns: DnsBehindKnot;
before(async () => {
  dns = await startDnsBehindKnot({ cache: { enabled: true } });
});
after(() => dns?.stop());

const getConfig = async () => ((await dns.engine.procedures['dns.configGet']!({})) as ResponseOf<'dns.configGet'>).config;
const setConfig = async (config: DnsConfig) => (await dns.engine.procedures['dns.configSet']!({ config })) as ResponseOf<'dns.configSet'>;

/** Queries from `workers` clients one after another until `stop` resolves; counts what came back. */
async function steadyLoad(workers: number, until: Promise<unknown>) {
  let sent = 0;
  let answered = 0;
  let done = false;
  void until.then(() => (done = true));
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; !done; i++) {
        sent++;
        const reply = await askUdp(dns.port, encodeQuery(`n${worker}-${i % 50}.example.test`, Type.A, { id: i & 0xffff }), { timeoutMs: 2000 });
        if (reply) answered++;
      }
    }),
  );
  return { sent, answered };
}

describe('dns hot reload (knot, kdig)', () => {
  it('applies five configs under load without losing a query', async () => {
    const base = await getConfig();
    const changes: DnsConfig[] = [
      { ...base, rrl: { ...base.rrl, enabled: true, responsesPerSecond: 100_000 } },
      { ...base, cache: { ...base.cache, enabled: false } },
      { ...base, policy: 'least-outstanding', upstreamTimeoutMs: 400 },
      { ...base, querylog: { ...base.querylog, size: 500 } },
      base,
    ];
    const results: { listenersChanged: boolean }[] = [];
    const reloads = (async () => {
      for (const config of changes) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        results.push(await setConfig(config));
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    })();
    const load = await steadyLoad(8, reloads);
    assert.ok(load.sent > 100, `only ${load.sent} queries were sent`);
    assert.equal(load.answered, load.sent, 'every query answered');
    assert.deepEqual(
      results.map((r) => r.listenersChanged),
      [false, false, false, false, false],
    );
    assert.deepEqual(await getConfig(), base);
  });

  it('keeps the cache of a reload that did not touch it', async () => {
    const base = await getConfig();
    await kdig(dns.port, ['www.example.test', 'A']);
    const before = (await dns.stats()).cache!.entries;
    assert.ok(before > 0);
    await setConfig({ ...base, rrl: { ...base.rrl, enabled: true } });
    assert.equal((await dns.stats()).cache!.entries, before);
    await setConfig(base);
  });

  it('binds a new listen address before closing the removed one', async () => {
    const base = await getConfig();
    const extra = await freePort();
    const added = await setConfig({ ...base, listen: [...base.listen, `127.0.0.1:${extra}`] });
    assert.equal(added.listenersChanged, true);
    assert.match(await kdig(extra, ['www.example.test', 'A']), /192\.0\.2\.10/);
    assert.match(await kdig(dns.port, ['www.example.test', 'A']), /192\.0\.2\.10/, 'the kept listener still answers');
    const removed = await setConfig(base);
    assert.equal(removed.listenersChanged, true);
    assert.equal(await askUdp(extra, encodeQuery('www.example.test', Type.A), { timeoutMs: 300 }), null);
    assert.ok((await dns.stats()).listening.every((l) => l.address !== `127.0.0.1:${extra}`));
  });

  it('refuses a config whose address cannot be bound and keeps running the old one', async () => {
    const base = await getConfig();
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', () => resolve()));
    try {
      await assert.rejects(
        Promise.resolve(setConfig({ ...base, listen: [...base.listen, `127.0.0.1:${taken.address().port}`], cache: { ...base.cache, enabled: false } })),
        (err: { code: string; message: string }) => err.code === 'E_DNS_CONFIG_REJECTED' && /EADDRINUSE/.test(err.message),
      );
      assert.deepEqual(await getConfig(), base);
      assert.notEqual((await dns.stats()).cache, null, 'the cache stayed on');
      assert.match(await kdig(dns.port, ['www.example.test', 'A']), /192\.0\.2\.10/);
    } finally {
      taken.close();
    }
  });
});
