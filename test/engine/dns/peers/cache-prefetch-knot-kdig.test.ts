// Cache prefetch between kdig and a real Knot DNS upstream: a popular name with a 4 s TTL is
// refreshed in the background before it expires, so its clients never see a miss.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { kdig, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';
import { waitFor } from '../../../helpers/wait.ts';

let dns: DnsBehindKnot;
before(async () => {
  // No health probes: every query Knot sees is then one the engine sent for a name.
  dns = await startDnsBehindKnot({ healthCheck: { enabled: false }, cache: { prefetch: { enabled: true, minHits: 3, beforeExpiryPercent: 50 } } });
});
after(() => dns?.stop());

/** The TTL of hot.example.test's A record in kdig's output. */
async function hotTtl(): Promise<number> {
  const out = await kdig(dns.port, ['hot.example.test', 'A']);
  const ttl = out.match(/hot\.example\.test\.\s+(\d+)\s+IN\s+A\s+192\.0\.2\.40/)?.[1];
  assert.ok(ttl !== undefined, `no A record for hot.example.test in:\n${out}`);
  return Number(ttl);
}

describe('dns cache prefetch with a real upstream (knot, kdig)', () => {
  it('refreshes a popular name in the background before it expires: no miss, the TTL jumps back up', async () => {
    assert.equal(await hotTtl(), 4); // the miss that stores it
    const storedBy = performance.now();
    for (let i = 0; i < 3; i++) await hotTtl(); // popular: 3 hits
    const upstreamAnswered = async () => (await dns.stats()).upstreams[0]!.answered;
    assert.equal(await upstreamAnswered(), 1);

    // Less than half of the 4 s TTL left: the next hit is answered from the cache and sends a refresh.
    await sleep(2100 - (performance.now() - storedBy));
    const beforeRefresh = await hotTtl();
    assert.ok(beforeRefresh <= 2, `TTL ${beforeRefresh}`);
    await waitFor(async () => (await upstreamAnswered()) === 2, 'knot to be asked again in the background');
    assert.equal((await dns.stats()).cache!.prefetched, 1);
    const afterRefresh = await hotTtl();
    assert.ok(afterRefresh > beforeRefresh, `the refreshed answer's TTL ${afterRefresh} is back up from ${beforeRefresh}`);

    // Past the first answer's expiry the name is still a hit.
    await sleep(4200 - (performance.now() - storedBy));
    assert.ok((await hotTtl()) >= 1);
    assert.equal((await dns.stats()).cache!.misses, 1);
  });
});
