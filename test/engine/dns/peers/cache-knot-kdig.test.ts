// The cache between kdig and a real Knot DNS upstream: hits, negative caching, serve-stale.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { kdig, startDnsBehindKnot, status, type DnsBehindKnot } from '../../../helpers/knot.ts';

let dns: DnsBehindKnot;
let port: number;
const stats = () => dns.stats();

before(async () => {
  // maxTtl 2 s so that the serve-stale test need not wait minutes for the zone's 300 s TTL.
  dns = await startDnsBehindKnot({ queryTimeoutMs: 800, cache: { maxTtl: 2 } });
  port = dns.port;
});
after(() => dns?.stop());

describe('dns cache with a real upstream (knot, kdig)', () => {
  it('answers a repeated question from the cache', async () => {
    const first = await kdig(port, ['www.example.test', 'A']);
    const second = await kdig(port, ['www.example.test', 'A']);
    assert.match(first, /192\.0\.2\.10/);
    assert.match(second, /www\.example\.test\.\s+[0-2]\s+IN\s+A\s+192\.0\.2\.10/);
    const { cache } = await stats();
    assert.equal(cache!.hits, 1);
    assert.equal(cache!.misses, 1);
  });

  it('caches NXDOMAIN', async () => {
    assert.equal(status(await kdig(port, ['gone.example.test', 'A'])), 'NXDOMAIN');
    const hitsBefore = (await stats()).cache!.hits;
    assert.equal(status(await kdig(port, ['gone.example.test', 'A'])), 'NXDOMAIN');
    assert.equal((await stats()).cache!.hits, hitsBefore + 1);
  });

  it('serves stale answers with TTL 30 once every upstream is down, and SERVFAIL for names it never saw', async () => {
    assert.match(await kdig(port, ['mail.example.test', 'A']), /192\.0\.2\.25/);
    await dns.knot.stop();
    await sleep(2100); // the cached answer expires (maxTtl 2 s)
    assert.match(await kdig(port, ['mail.example.test', 'A']), /mail\.example\.test\.\s+30\s+IN\s+A\s+192\.0\.2\.25/);
    assert.ok((await stats()).cache!.stale >= 1);
    assert.equal(status(await kdig(port, ['never.example.test', 'A'])), 'SERVFAIL');
  });
});
