// Queries sent with kdig show up in the live query log stream within a batch interval.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { QueryLogEntry } from '../../../../engine/api/dns.ts';
import { kdig, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';
import { waitFor } from '../../../helpers/wait.ts';

let dns: DnsBehindKnot;
before(async () => {
  dns = await startDnsBehindKnot();
});
after(() => dns?.stop());

describe('dns query log (knot, kdig)', () => {
  it('streams each kdig query with its cache status, upstream and rcode within 1 s', async () => {
    const seen: QueryLogEntry[] = [];
    const stop = dns.engine.streams['dns.queryLog']!({ qname: 'example.test' }, (batch) => seen.push(...batch.entries));
    const sentAt = Date.now();
    await kdig(dns.port, ['txt.example.test', 'TXT']);
    await kdig(dns.port, ['txt.example.test', 'TXT']);
    await kdig(dns.port, ['nope.example.test', 'A']);
    await waitFor(() => seen.length >= 3, 'three entries in the stream', 1000);
    stop();
    assert.ok(Date.now() - sentAt < 1500);
    assert.deepEqual(
      seen.map((e) => [e.qname, e.qtype, e.rcode, e.cache]),
      [
        ['txt.example.test', 16, 0, 'miss'],
        ['txt.example.test', 16, 0, 'hit'],
        ['nope.example.test', 1, 3, 'miss'],
      ],
    );
    assert.equal(seen[0]!.upstream, `127.0.0.1:${dns.knot.port}`);
    const top = (await dns.engine.procedures['dns.top']!({ limit: 1 })) as { names: { key: string; count: number }[] };
    assert.deepEqual(top.names, [{ key: 'txt.example.test', count: 2 }]);
  });
});
