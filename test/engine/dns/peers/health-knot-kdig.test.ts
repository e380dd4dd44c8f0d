// Upstream health and selection policies with two real Knot DNS upstreams.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kdig, startDnsBehindKnot, startKnot } from '../../../helpers/knot.ts';
import { waitFor } from '../../../helpers/wait.ts';

const noCache = { cache: { enabled: false } };

describe('dns upstream health and policies (knot, kdig)', () => {
  it('stops using a downed upstream within one health interval and uses it again once it is back', async () => {
    const second = await startKnot();
    // A try on the downed upstream costs a whole upstream timeout (1 s), so the server's own latency
    // per answer (in the query log, not the client's wall clock, which includes starting kdig on a
    // loaded machine) tells whether it was tried.
    const upstreamTimeoutMs = 1000;
    const dns = await startDnsBehindKnot({ ...noCache, healthCheck: { intervalMs: 200, failsToDown: 2, successesToUp: 1 }, upstreamTimeoutMs }, [second]);
    try {
      const firstAddress = `127.0.0.1:${dns.knot.port}`;
      await dns.knot.stop();
      await waitFor(
        async () => (await dns.stats()).upstreams.find((u) => u.address === firstAddress)?.healthy === false,
        'the first upstream marked down',
        10_000,
      );
      const answered: { upstream: string | null; latencyMs: number }[] = [];
      const stopLog = dns.engine.streams['dns.queryLog']!({}, (batch) => answered.push(...batch.entries));
      for (let i = 0; i < 6; i++) assert.match(await kdig(dns.port, ['www.example.test', 'A']), /192\.0\.2\.10/);
      await waitFor(() => answered.length >= 6, 'the six answers in the query log');
      stopLog();
      for (const entry of answered) {
        assert.equal(entry.upstream, `127.0.0.1:${second.port}`);
        assert.ok(entry.latencyMs < upstreamTimeoutMs, `answered without waiting on the downed upstream (${entry.latencyMs} ms)`);
      }
      const revived = await startKnot(dns.knot.port);
      try {
        await waitFor(
          async () => (await dns.stats()).upstreams.find((u) => u.address === firstAddress)?.healthy === true,
          'the first upstream back up',
          10_000,
        );
        const used = new Set<string>();
        const stop = dns.engine.streams['dns.queryLog']!({}, (batch) => batch.entries.forEach((e) => e.upstream && used.add(e.upstream)));
        for (let i = 0; i < 6; i++) await kdig(dns.port, ['www.example.test', 'A']);
        await waitFor(() => used.has(firstAddress), 'a query answered by the revived upstream', 5000);
        stop();
      } finally {
        await revived.stop();
      }
    } finally {
      await dns.stop();
    }
  });

  it('first-available sends everything to the first healthy upstream', async () => {
    const second = await startKnot();
    const dns = await startDnsBehindKnot({ ...noCache, policy: 'first-available', healthCheck: { enabled: false } }, [second]);
    try {
      for (let i = 0; i < 10; i++) await kdig(dns.port, ['www.example.test', 'A']);
      const [first, other] = (await dns.stats()).upstreams;
      assert.deepEqual([first!.answered, other!.answered], [10, 0]);
    } finally {
      await dns.stop();
    }
  });

  it('weighted-random shares queries by weight', async () => {
    const second = await startKnot();
    const dns = await startDnsBehindKnot(
      ([heavy, light]) => ({
        ...noCache,
        policy: 'weighted-random',
        healthCheck: { enabled: false },
        upstreams: [
          { address: heavy, weight: 9 },
          { address: light, weight: 1 },
        ],
      }),
      [second],
    );
    try {
      await Promise.all(Array.from({ length: 200 }, () => kdig(dns.port, ['www.example.test', 'A'])));
      const [heavy, light] = (await dns.stats()).upstreams;
      assert.equal(heavy!.answered + light!.answered, 200);
      assert.ok(heavy!.answered > 150 && light!.answered > 2, `heavy ${heavy!.answered}, light ${light!.answered}`);
    } finally {
      await dns.stop();
    }
  });

  it('sends nothing to an upstream the operator disabled', async () => {
    const second = await startKnot();
    const dns = await startDnsBehindKnot({ ...noCache, healthCheck: { enabled: false } }, [second]);
    try {
      await dns.engine.procedures['dns.setUpstream']!({ address: `127.0.0.1:${dns.knot.port}`, enabled: false });
      for (let i = 0; i < 10; i++) await kdig(dns.port, ['www.example.test', 'A']);
      const [first, other] = (await dns.stats()).upstreams;
      assert.deepEqual([first!.answered, other!.answered, first!.enabled], [0, 10, false]);
      await assert.rejects(async () => dns.engine.procedures['dns.setUpstream']!({ address: '127.0.0.1:1', enabled: false }), {
        code: 'E_DNS_UNKNOWN_UPSTREAM',
      });
    } finally {
      await dns.stop();
    }
  });
});
