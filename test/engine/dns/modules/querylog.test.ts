import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueryLogEntry } from '../../../../engine/api/dns.ts';
import { QueryLog } from '../../../../engine/dns/modules/querylog/querylog.ts';
import { EntryRing } from '../../../../engine/dns/modules/querylog/ring.ts';
import type { QueryContext } from '../../../../engine/dns/pipeline.ts';
import { parseQuery, Type } from '../../../../engine/dns/wire.ts';
import { encodeAnswer, encodeQuery } from '../../../helpers/dns.ts';
import { waitFor } from '../../../helpers/wait.ts';

function ctx(name: string, client = '127.0.0.1'): QueryContext {
  const query = encodeQuery(name, Type.A);
  return {
    query,
    parsed: parseQuery(query)!,
    cookie: null,
    client: { address: client, port: 1 },
    local: { address: '127.0.0.1', port: 53 },
    transport: 'udp',
    maxSize: 512,
    receivedAt: performance.now(),
    deadline: 0,
    meta: {},
  };
}

async function ask(log: QueryLog, name: string, client?: string, cache: 'hit' | 'miss' = 'miss') {
  await log.handle(ctx(name, client), async (c) => {
    c.meta.cache = cache;
    c.meta.upstream = '127.0.0.1:53';
    return encodeAnswer(c.query, { answers: [{ ttl: 1, address: [1, 2, 3, 4] }] });
  });
}

describe('dns querylog', () => {
  it('keeps the newest entries in a bounded ring, with what happened to each', async () => {
    const log = new QueryLog({ size: 3, batchMs: 10, maxBatch: 100 });
    for (const name of ['a.test', 'b.test', 'c.test', 'D.test']) await ask(log, name);
    const entries = log.recent({}, 10);
    assert.deepEqual(
      entries.map((e) => e.qname),
      ['b.test', 'c.test', 'd.test'],
    );
    assert.equal(entries[0]!.rcode, 0);
    assert.equal(entries[0]!.cache, 'miss');
    assert.equal(entries[0]!.upstream, '127.0.0.1:53');
  });

  it("keeps each entry its own client address among many that share the interner's places", async () => {
    const log = new QueryLog({ size: 2000, batchMs: 10, maxBatch: 100 });
    // 1,000 addresses for 256 places, twice over and in another order the second time.
    const clients = Array.from({ length: 1000 }, (_, i) => `10.${i % 7}.${i >> 4}.${i & 15}`);
    const asked = [...clients, ...clients.slice().reverse()];
    for (const [i, client] of asked.entries()) await ask(log, `q${i}.test`, client);
    assert.deepEqual(
      log.recent({}, asked.length).map((entry) => entry.client),
      asked,
    );
  });

  it('records SERVFAIL when the rest of the chain throws', async () => {
    const log = new QueryLog({ size: 10, batchMs: 10, maxBatch: 100 });
    await assert.rejects(log.handle(ctx('x.test'), async () => Promise.reject(new Error('down'))));
    assert.equal(log.recent({}, 1)[0]!.rcode, 2);
  });

  it('filters on the server by client, name substring and cache status', async () => {
    const log = new QueryLog({ size: 100, batchMs: 10, maxBatch: 100 });
    await ask(log, 'www.example.test', '127.0.0.2');
    await ask(log, 'mail.example.test', '127.0.0.3', 'hit');
    assert.deepEqual(
      log.recent({ client: '127.0.0.3' }, 10).map((e) => e.qname),
      ['mail.example.test'],
    );
    assert.deepEqual(
      log.recent({ qname: 'WWW' }, 10).map((e) => e.client),
      ['127.0.0.2'],
    );
    assert.equal(log.recent({ cache: 'hit' }, 10).length, 1);
  });

  it('streams batches and counts what a batch could not hold', async () => {
    const log = new QueryLog({ size: 100, batchMs: 20, maxBatch: 3 });
    const batches: { entries: QueryLogEntry[]; dropped: number }[] = [];
    const stop = log.subscribe({ qname: 'keep' }, (batch) => batches.push(batch));
    for (let i = 0; i < 5; i++) await ask(log, `keep${i}.test`);
    await ask(log, 'other.test');
    await waitFor(() => batches.length > 0, 'a batch');
    stop();
    assert.deepEqual(
      batches[0]!.entries.map((e) => e.qname),
      ['keep0.test', 'keep1.test', 'keep2.test'],
    );
    assert.equal(batches[0]!.dropped, 2);
  });

  it('ranks the most frequent names and clients', async () => {
    const log = new QueryLog({ size: 100, batchMs: 10, maxBatch: 100 });
    for (const [name, client] of [
      ['a.test', '127.0.0.1'],
      ['a.test', '127.0.0.2'],
      ['b.test', '127.0.0.2'],
    ])
      await ask(log, name!, client);
    assert.deepEqual(log.top(1), { names: [{ key: 'a.test', count: 2 }], clients: [{ key: '127.0.0.2', count: 2 }] });
  });

  it("numbers entries in a worker's own sequence and keeps the newest", async () => {
    // Worker 1 of 3 numbers its entries 4, 7, 10, ... (its index plus the count each time).
    const log = new QueryLog({ size: 4, batchMs: 10, maxBatch: 100 }, () => {}, { index: 1, count: 3 });
    for (const name of ['a.test', 'b.test', 'c.test', 'd.test', 'e.test', 'f.test']) await ask(log, name);
    assert.deepEqual(
      log.recent({}, 10).map((e) => [e.seq, e.qname]),
      [
        [10, 'c.test'],
        [13, 'd.test'],
        [16, 'e.test'],
        [19, 'f.test'],
      ],
    );
  });

  it('keeps the newest entries when the ring is resized either way', async () => {
    const log = new QueryLog({ size: 5, batchMs: 10, maxBatch: 100 });
    for (const name of ['a.test', 'b.test', 'c.test', 'd.test', 'e.test', 'f.test']) await ask(log, name);
    log.reconfigure({ size: 3, batchMs: 10, maxBatch: 100 });
    assert.deepEqual(
      log.recent({}, 10).map((e) => e.qname),
      ['d.test', 'e.test', 'f.test'],
    );
    log.reconfigure({ size: 6, batchMs: 10, maxBatch: 100 });
    await ask(log, 'g.test');
    assert.deepEqual(
      log.recent({}, 10).map((e) => e.qname),
      ['d.test', 'e.test', 'f.test', 'g.test'],
    );
    assert.deepEqual(
      log.recent({}, 2).map((e) => e.qname),
      ['f.test', 'g.test'],
    );
  });
});

describe('dns query log ring (columns)', () => {
  it('gives back every field of every entry as it was recorded', () => {
    const ring = new EntryRing(4);
    const entries: QueryLogEntry[] = [
      {
        seq: 1,
        at: 1_764_000_000_123,
        client: '127.0.0.9',
        transport: 'udp',
        qname: 'a.test',
        qtype: 1,
        rcode: 0,
        upstream: '127.0.0.1:53',
        route: 'corp.example.',
        latencyMs: 0.123,
        cache: 'miss',
        rrl: null,
        flattened: false,
      },
      {
        seq: 2,
        at: 1_764_000_000_124,
        client: '::1',
        transport: 'tcp',
        qname: 'b.test',
        qtype: 28,
        rcode: 3,
        upstream: null,
        route: '.',
        latencyMs: 12.5,
        cache: 'hit',
        rrl: 'slip',
        flattened: true,
      },
      {
        seq: 3,
        at: 1_764_000_000_125,
        client: '127.0.0.10',
        transport: 'udp',
        qname: 'c.test',
        qtype: 65535,
        rcode: -1,
        upstream: null,
        route: null,
        latencyMs: 0,
        cache: 'stale',
        rrl: 'drop',
        flattened: false,
      },
      {
        seq: 4,
        at: 1_764_000_000_126,
        client: '127.0.0.11',
        transport: 'udp',
        qname: 'd.test',
        qtype: 16,
        rcode: 15,
        upstream: '[::1]:53',
        route: 'Corp.Example.',
        latencyMs: 4999.999,
        cache: null,
        rrl: null,
        flattened: true,
      },
    ];
    for (const entry of entries) ring.push(entry);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => ring.get(i)),
      entries,
    );
    ring.push({ ...entries[0]!, seq: 5 });
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => ring.get(i)?.seq),
      [2, 3, 4, 5],
    );
    assert.equal(ring.get(4), undefined);
    assert.equal(ring.seqAt(3), 5);
  });

  it('keeps each of the four transports apart from the other flags', () => {
    const ring = new EntryRing(8);
    const base: QueryLogEntry = {
      seq: 0,
      at: 1,
      client: '127.0.0.1',
      transport: 'udp',
      qname: 'a.test',
      qtype: 1,
      rcode: 0,
      upstream: null,
      route: '.',
      latencyMs: 1,
      cache: 'stale',
      rrl: 'drop',
      flattened: true,
    };
    const transports = ['udp', 'tcp', 'tls', 'https'] as const;
    transports.forEach((transport, seq) => ring.push({ ...base, seq, transport }));
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => ring.get(i)),
      transports.map((transport, seq) => ({ ...base, seq, transport })),
    );
  });
});
