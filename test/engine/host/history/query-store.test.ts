import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { QueryLogEntry } from '../../../../engine/api/dns.ts';
import { QueryStore } from '../../../../engine/host/history/query-store.ts';
import { tempDir } from '../../../helpers/host.ts';

const entry = (at: number, qname: string, extra: Partial<QueryLogEntry> = {}): QueryLogEntry => ({
  seq: 0, at, client: '127.0.0.1', transport: 'udp', qname, qtype: 1, rcode: 0, upstream: '127.0.0.1:53', route: null, latencyMs: 1.5, cache: 'miss', rrl: null, flattened: false, ...extra,
});

describe('query history store (node:sqlite)', () => {
  it('finds entries by range, name substring (any case), client and rcode, newest first, after a reopen', () => {
    const path = join(tempDir('history'), 'h.sqlite');
    const store = new QueryStore(path);
    // Times of the last minute: older rows would go by the 7-day retention at the first write.
    const t = Date.now() - 60_000;
    store.add([entry(t + 1000, 'www.Example.test'), entry(t + 2000, 'mail.example.test', { rcode: 3 }), entry(t + 3000, 'other.test', { client: '10.0.0.2' })]);
    store.close();
    const again = new QueryStore(path, { readOnly: true });
    assert.deepEqual(again.search({ since: 0, filter: { qname: 'EXAMPLE' }, limit: 10 }).entries.map((e) => e.qname), ['mail.example.test', 'www.Example.test']);
    assert.equal(again.search({ since: t + 1500, limit: 10 }).matched, 2);
    assert.equal(again.search({ since: 0, until: t + 2000, limit: 10 }).matched, 1);
    assert.deepEqual(again.search({ since: 0, filter: { rcode: 3 }, limit: 10 }).entries.map((e) => e.qname), ['mail.example.test']);
    assert.deepEqual(again.search({ since: 0, filter: { client: '10.0.0.2' }, limit: 10 }).entries.map((e) => e.qname), ['other.test']);
    assert.equal(again.search({ since: 0, filter: { route: '.' }, limit: 10 }).matched, 0, 'no row has a route (none is kept): a route filter matches none rather than all');
    const [first] = again.search({ since: 0, filter: { qname: 'www' }, limit: 1 }).entries;
    assert.deepEqual({ ...first, seq: 0 }, entry(t + 1000, 'www.Example.test'));
    assert.deepEqual(again.top({ since: 0 }, 1).clients, [{ key: '127.0.0.1', count: 2 }]);
    again.close();
  });

  it('drops rows older than maxAgeMs and beyond maxRows, oldest first', () => {
    const store = new QueryStore(join(tempDir('history'), 'h.sqlite'), { limits: { maxAgeMs: 10_000, maxRows: 3 } });
    const now = Date.now();
    store.add([entry(now - 20_000, 'old.test'), ...[4, 3, 2, 1].map((i) => entry(now - i, `n${i}.test`))]);
    store.flush();
    store.trim(now);
    assert.deepEqual(store.search({ since: 0, limit: 10 }).entries.map((e) => e.qname), ['n1.test', 'n2.test', 'n3.test']);
    store.close();
  });
});
