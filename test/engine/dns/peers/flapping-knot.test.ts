// An upstream that keeps going away (Knot DNS stopped and started again every second, a real
// peer) while the cache's entries expire: with serve-stale on, every query is answered, and the
// names the cache knows are answered NOERROR throughout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { steadyLoad } from '../../../helpers/dns-load.ts';
import { startDnsEngine, startKnot, status, kdig, type DnsEngineUnderTest, type Knot } from '../../../helpers/knot.ts';

let knot: Knot;
let dns: DnsEngineUnderTest;
const names = ['www.example.test', 'mail.example.test', 'example.test'];

before(async () => {
  knot = await startKnot();
  // Entries live 1 s, so that most of the run asks the upstream and needs stale answers while it is away.
  dns = await startDnsEngine([`127.0.0.1:${knot.port}`], { cache: { maxTtl: 1 }, upstreamTimeoutMs: 300, healthCheck: { intervalMs: 200 } });
  for (const name of names) assert.equal(status(await kdig(dns.port, [name, 'A'])), 'NOERROR');
});
after(async () => {
  await dns?.stop();
  await knot?.stop();
});

describe('a flapping upstream with serve-stale (knot stopped and started)', () => {
  it('answers every query, the known names NOERROR, while the upstream comes and goes', { timeout: 30_000 }, async () => {
    const load = steadyLoad(dns.port, { qps: 500, seconds: 6, names, missZone: null, graceMs: 3000 });
    for (let flap = 0; flap < 3; flap++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await knot.stop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      knot = await startKnot(knot.port);
    }
    const result = await load.done;
    assert.equal(result.lost, 0, `${result.lost} of ${result.sent} unanswered`);
    assert.deepEqual(result.rcodes, { 0: result.sent }, `answers by rcode: ${JSON.stringify(result.rcodes)}`);
    const stats = await dns.stats();
    assert.ok(stats.cache!.stale > 0, 'stale answers were served while knot was away');
  });
});
