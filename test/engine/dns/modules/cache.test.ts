import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cache, type CacheOptions } from '../../../../engine/dns/modules/cache/cache.ts';
import type { Next, QueryContext } from '../../../../engine/dns/pipeline.ts';
import { parseQuery, Rcode, readU32, scanResponse, Type } from '../../../../engine/dns/wire.ts';
import { encodeAnswer, encodeQuery, type AnswerSpec } from '../../../helpers/dns.ts';

function setup(options: Partial<CacheOptions> = {}) {
  const clock = { now: 1000 };
  const cache = new Cache({
    maxEntries: 100,
    maxBytes: 1 << 20,
    minTtl: 0,
    maxTtl: 86_400,
    maxNegativeTtl: 3600,
    staleMaxAgeSeconds: 600,
    now: () => clock.now,
    ...options,
  });
  return { cache, clock };
}

function ctx(name: string, options: { id?: number; edns?: number } = {}): QueryContext {
  const query = encodeQuery(name, Type.A, options);
  return {
    query,
    parsed: parseQuery(query)!,
    cookie: null,
    client: { address: '127.0.0.1', port: 1 },
    local: { address: '127.0.0.1', port: 53 },
    transport: 'udp',
    maxSize: 512,
    receivedAt: performance.now(),
    deadline: 0,
    meta: {},
  };
}

/** A next() that answers from a spec and counts its calls. */
function upstream(spec: AnswerSpec | (() => never)) {
  const calls = { count: 0 };
  const next: Next = async (query) => {
    calls.count++;
    return typeof spec === 'function' ? spec() : encodeAnswer(query.query, spec);
  };
  return { next, calls };
}

/** A next() whose answers are released by the test, to watch what happens meanwhile. */
function heldUpstream(spec: AnswerSpec) {
  const calls: { ctx: QueryContext; answer(): void; fail(): void }[] = [];
  const next: Next = (query) =>
    new Promise((resolve, reject) => {
      calls.push({ ctx: query, answer: () => resolve(encodeAnswer(query.query, spec)), fail: () => reject(new Error('every upstream is down')) });
    });
  return { next, calls };
}

/** Lets a background refresh start (it is deferred by setImmediate) or finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const prefetch = { enabled: true, minHits: 3, beforeExpiryPercent: 10 };
const a100: AnswerSpec = { answers: [{ ttl: 100, address: [192, 0, 2, 1] }] };

const ttlsOf = (answer: Buffer) => scanResponse(answer)!.ttlOffsets.map((offset) => readU32(answer, offset));
const a300: AnswerSpec = { answers: [{ ttl: 300, address: [192, 0, 2, 1] }] };

describe('dns cache', () => {
  it('after a failed refresh serves the stale answer at once for 30 s, then asks again (RFC 8767 failure recheck)', async () => {
    const { cache, clock } = setup();
    await cache.handle(ctx('flaky.example'), upstream(a100).next);
    clock.now += 200;
    const down = upstream(() => {
      throw new Error('every upstream is down');
    });
    assert.deepEqual(ttlsOf((await cache.handle(ctx('flaky.example'), down.next))!), [30]);
    assert.equal(down.calls.count, 1);
    clock.now += 20;
    assert.deepEqual(ttlsOf((await cache.handle(ctx('flaky.example'), down.next))!), [30]);
    assert.equal(down.calls.count, 1, 'no second wait on a failing upstream within 30 s');
    clock.now += 11;
    const back = upstream(a300);
    assert.deepEqual(ttlsOf((await cache.handle(ctx('flaky.example'), back.next))!), [300]);
    assert.equal(back.calls.count, 1, 'asked again after 30 s');
  });

  it('carries its entries to another cache as a snapshot (an upgrade): same answers, time left kept, LRU order kept', async () => {
    const { cache, clock } = setup();
    const { next } = upstream(a300);
    for (const name of ['one.example', 'two.example', 'three.example']) await cache.handle(ctx(name), next);
    clock.now += 100;
    cache.handleNow(ctx('one.example'));
    const snapshot = await cache.exportSnapshot();
    // The other process's clock reads differently: ages and time left are carried, not instants.
    const other = setup({ maxEntries: 2 });
    other.clock.now = 50_000;
    assert.equal(await other.cache.importSnapshot(new Uint8Array(snapshot)), 3);
    const failing = upstream(() => {
      throw new Error('must not be asked');
    });
    const hit = (await other.cache.handle(ctx('ONE.example', { id: 7 }), failing.next))!;
    assert.deepEqual(ttlsOf(hit), [200]);
    assert.equal(hit.readUInt16BE(0), 7);
    assert.equal(other.cache.stats().entries, 2, 'the least recently used entry (two.example) went first');
    assert.equal(other.cache.handleNow(ctx('two.example')), undefined);
  });

  it('reads a snapshot in the documented layout, as a process of an earlier version writes it', async () => {
    // The process on the other side of an upgrade may run other code: the bytes are the contract.
    const query = ctx('Pinned.Example', { id: 9 });
    const wire = encodeAnswer(query.query, { answers: [{ ttl: 1234, address: [192, 0, 2, 7] }] });
    const [ttlOffset] = scanResponse(wire)!.ttlOffsets;
    const key = Buffer.concat([Buffer.from('\x06pinned\x07example\x00\x00\x01\x00\x01', 'latin1'), Buffer.from('00')]);
    const entry = Buffer.alloc(2 + key.length + 4 + wire.length + 2 + 6 + 16);
    let at = entry.writeUInt16BE(key.length, 0);
    at += key.copy(entry, at);
    at = entry.writeUInt32BE(wire.length, at);
    at += wire.copy(entry, at);
    at = entry.writeUInt16BE(1, at);
    at = entry.writeUInt16BE(ttlOffset!, at);
    at = entry.writeUInt32BE(1000, at); // the TTL as that cache capped it
    at = entry.writeDoubleBE(10.5, at); // age
    entry.writeDoubleBE(989.5, at); // time left
    const { cache } = setup();
    assert.equal(await cache.importSnapshot(new Uint8Array(entry)), 1);
    const hit = cache.handleNow(ctx('PINNED.example', { id: 3 }))!;
    assert.deepEqual(ttlsOf(hit), [990]);
    assert.equal(hit.readUInt16BE(0), 3);
    // Written back in the same layout; the wire now carries the capped TTL too (readers use the list).
    const expected = Buffer.from(entry.subarray(0, 2 + key.length + 4 + wire.length + 8));
    expected.writeUInt32BE(1000, 2 + key.length + 4 + ttlOffset!);
    assert.deepEqual(Buffer.from(await cache.exportSnapshot()).subarray(0, expected.length), expected);
  });

  it("serves a name's own stale answer when its entry was evicted, and its slot reused, while the upstream failed", async () => {
    const { cache, clock } = setup({ maxEntries: 1 });
    await cache.handle(ctx('a.test'), upstream(a100).next);
    clock.now += 150; // expired, within the stale age
    const held = heldUpstream(a100);
    const pending = cache.handle(ctx('a.test'), held.next);
    await cache.handle(ctx('b.test'), upstream({ answers: [{ ttl: 300, address: [192, 0, 2, 9] }] }).next); // evicts a.test: its slot goes to b.test
    held.calls[0]!.fail();
    const stale = (await pending)!;
    assert.deepEqual(ttlsOf(stale), [30]);
    assert.deepEqual([...stale.subarray(-4)], [192, 0, 2, 1], "a.test's address, not b.test's");
    assert.deepEqual(ttlsOf(cache.handleNow(ctx('b.test'))!), [300]);
  });

  it('serves a repeat from the cache with the new ID, the new letter case and decremented TTLs', async () => {
    const { cache, clock } = setup();
    const { next, calls } = upstream(a300);
    await cache.handle(ctx('www.example.test', { id: 1 }), next);
    clock.now += 100.7;
    const second = ctx('WWW.Example.TEST', { id: 2 });
    const hit = (await cache.handle(second, next))!;
    assert.equal(calls.count, 1);
    assert.equal(hit.readUInt16BE(0), 2);
    assert.deepEqual(hit.subarray(12, second.parsed.questionEnd), second.query.subarray(12, second.parsed.questionEnd));
    assert.deepEqual(ttlsOf(hit), [200]);
    assert.deepEqual(cache.stats().hits, 1);
  });

  it('asks again once the TTL has run out', async () => {
    const { cache, clock } = setup();
    const { next, calls } = upstream(a300);
    await cache.handle(ctx('a.test'), next);
    clock.now += 301;
    await cache.handle(ctx('a.test'), next);
    assert.equal(calls.count, 2);
  });

  it('caps TTLs at maxTtl and raises them to minTtl', async () => {
    const { cache, clock } = setup({ maxTtl: 60, minTtl: 10 });
    const long = upstream({ answers: [{ ttl: 9999, address: [1, 1, 1, 1] }] });
    await cache.handle(ctx('long.test'), long.next);
    assert.deepEqual(ttlsOf((await cache.handle(ctx('long.test'), long.next))!), [60]);
    clock.now += 61;
    await cache.handle(ctx('long.test'), long.next);
    assert.equal(long.calls.count, 2);
  });

  it('caches NXDOMAIN for min(SOA TTL, SOA minimum) as RFC 2308 says', async () => {
    const { cache, clock } = setup();
    const { next, calls } = upstream({ rcode: Rcode.nxDomain, soa: { ttl: 3600, minimum: 60 } });
    await cache.handle(ctx('nope.test'), next);
    clock.now += 59;
    const cached = (await cache.handle(ctx('nope.test'), next))!;
    assert.equal(scanResponse(cached)!.rcode, Rcode.nxDomain);
    assert.equal(calls.count, 1);
    clock.now += 2;
    await cache.handle(ctx('nope.test'), next);
    assert.equal(calls.count, 2);
  });

  it('does not cache SERVFAIL, truncated answers, or negative answers without an SOA', async () => {
    for (const spec of [{ rcode: Rcode.servFail }, { ...a300, truncated: true }, { rcode: Rcode.nxDomain }] satisfies AnswerSpec[]) {
      const { cache } = setup();
      const { next, calls } = upstream(spec);
      await cache.handle(ctx('x.test'), next);
      await cache.handle(ctx('x.test'), next);
      assert.equal(calls.count, 2, JSON.stringify(spec));
    }
  });

  it('serves a stale answer with TTL 30 when every upstream fails (RFC 8767), within the stale age', async () => {
    const { cache, clock } = setup({ staleMaxAgeSeconds: 600 });
    await cache.handle(ctx('s.test'), upstream(a300).next);
    const down = upstream(() => {
      throw new Error('every upstream is down');
    });
    clock.now += 400;
    const stale = (await cache.handle(ctx('s.test'), down.next))!;
    assert.deepEqual(ttlsOf(stale), [30]);
    assert.equal(cache.stats().stale, 1);
    clock.now += 600;
    await assert.rejects(async () => cache.handle(ctx('s.test'), down.next), /every upstream is down/);
  });

  it('keeps DNSSEC-OK answers apart from plain ones', async () => {
    const { cache } = setup();
    const { next, calls } = upstream(a300);
    await cache.handle(ctx('d.test'), next);
    const withDo = encodeQuery('d.test', Type.A, { edns: 1232 });
    withDo[withDo.length - 4] = 0x80; // the DO bit, in the OPT record's TTL field
    const parsed = parseQuery(withDo)!;
    assert.equal(parsed.edns!.dnssecOk, true);
    await cache.handle({ ...ctx('d.test'), query: withDo, parsed }, next);
    assert.equal(calls.count, 2);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const { cache } = setup({ maxEntries: 2 });
    const { next, calls } = upstream(a300);
    await cache.handle(ctx('one.test'), next);
    await cache.handle(ctx('two.test'), next);
    await cache.handle(ctx('one.test'), next); // hit: one is now the most recent
    await cache.handle(ctx('three.test'), next); // evicts two
    assert.equal(cache.stats().entries, 2);
    await cache.handle(ctx('one.test'), next);
    assert.equal(calls.count, 3);
    await cache.handle(ctx('two.test'), next);
    assert.equal(calls.count, 4);
  });

  it('keeps its recency list consistent through hits, replacements, flushes and evictions', async () => {
    const { cache } = setup({ maxEntries: 20 });
    const { next } = upstream(a300);
    for (let i = 0; i < 2000; i++) {
      const name = `n${(i * 7919) % 37}.test`;
      if (i % 97 === 0) cache.flush(name);
      else await cache.handle(ctx(name), next);
      assert.ok(cache.stats().entries <= 20);
    }
    const { entries, bytes } = cache.stats();
    assert.equal(entries, 20);
    assert.equal(cache.flush(), 20, 'every entry the Map holds is also in the list');
    assert.equal(cache.stats().bytes, 0, `bytes were ${bytes}`);
  });

  it('answers a fresh hit synchronously and leaves misses and due refreshes to the normal path', async () => {
    const { cache, clock } = setup({ prefetch });
    const { next } = upstream(a100);
    assert.equal(cache.handleNow(ctx('now.test')), undefined, 'a miss');
    await cache.handle(ctx('now.test'), next);
    const hit = cache.handleNow(ctx('NOW.test', { id: 9 }))!;
    assert.equal(hit.readUInt16BE(0), 9);
    assert.equal(cache.stats().hits, 1);
    cache.handleNow(ctx('now.test'));
    clock.now += 95; // inside the last 10 % with a third hit coming: a refresh is due
    assert.equal(cache.handleNow(ctx('now.test')), undefined, 'the normal path starts the refresh');
    assert.equal(cache.stats().hits, 2);
    clock.now += 10;
    assert.equal(cache.handleNow(ctx('now.test')), undefined, 'expired');
  });

  it('flushes one name or everything', async () => {
    const { cache } = setup();
    const { next } = upstream(a300);
    await cache.handle(ctx('keep.test'), next);
    await cache.handle(ctx('Drop.Test'), next);
    assert.equal(cache.flush('drop.test.'), 1);
    assert.equal(cache.stats().entries, 1);
    assert.equal(cache.flush(), 1);
    assert.equal(cache.stats().bytes, 0);
  });

  it('refreshes a popular entry in the background shortly before it expires, and keeps serving it past the old expiry', async () => {
    const { cache, clock } = setup({ prefetch });
    const first = upstream(a100);
    await cache.handle(ctx('hot.test'), first.next);
    const held = heldUpstream({ answers: [{ ttl: 100, address: [192, 0, 2, 2] }] });
    clock.now += 50;
    await cache.handle(ctx('hot.test'), held.next);
    await cache.handle(ctx('hot.test'), held.next);
    clock.now += 41; // 9 s of 100 left: inside the last 10 %
    const client = ctx('hot.test');
    const answered = (await cache.handle(client, held.next))!;
    assert.deepEqual(ttlsOf(answered), [9], 'the client is answered from the cache at once');
    assert.equal(client.meta.cache, 'hit');
    await settle();
    assert.equal(held.calls.length, 1, 'one refresh went upstream');
    assert.notEqual(held.calls[0]!.ctx.meta, client.meta, 'the refresh has its own meta');
    assert.equal(cache.stats().prefetched, 1);
    held.calls[0]!.answer();
    await settle();
    clock.now += 20; // past the old expiry (100 s after the first store)
    const refreshed = (await cache.handle(ctx('hot.test'), held.next))!;
    assert.deepEqual(ttlsOf(refreshed), [80]);
    assert.deepEqual([...refreshed.subarray(refreshed.length - 4)], [192, 0, 2, 2]);
    assert.equal(cache.stats().misses, 1);
    assert.equal(first.calls.count + held.calls.length, 2);
  });

  it('does not refresh an entry with fewer than minHits hits, nor one far from expiry', async () => {
    const { cache, clock } = setup({ prefetch });
    const { next, calls } = upstream(a100);
    await cache.handle(ctx('cold.test'), next);
    await cache.handle(ctx('warm.test'), next);
    for (let i = 0; i < 5; i++) await cache.handle(ctx('warm.test'), next); // popular, but 100 s left
    clock.now += 95;
    await cache.handle(ctx('cold.test'), next);
    await cache.handle(ctx('cold.test'), next); // 2 hits: below minHits
    await settle();
    assert.equal(calls.count, 2);
    assert.equal(cache.stats().prefetched, 0);
  });

  it('sends one refresh at a time per entry', async () => {
    const { cache, clock } = setup({ prefetch: { ...prefetch, minHits: 1 } });
    await cache.handle(ctx('busy.test'), upstream(a100).next);
    const held = heldUpstream(a100);
    clock.now += 95;
    for (let i = 0; i < 10; i++) await cache.handle(ctx('busy.test'), held.next);
    await settle();
    assert.equal(held.calls.length, 1);
    assert.equal(cache.stats().prefetched, 1);
  });

  it('swallows and counts a failed refresh, then serves the entry until it expires and tries again on a later hit', async () => {
    const { cache, clock } = setup({ prefetch: { ...prefetch, minHits: 1 } });
    await cache.handle(ctx('flaky.test'), upstream(a100).next);
    const held = heldUpstream(a100);
    clock.now += 95;
    await cache.handle(ctx('flaky.test'), held.next);
    await settle();
    held.calls[0]!.fail();
    await settle();
    assert.equal(cache.stats().prefetchFailed, 1);
    const again = (await cache.handle(ctx('flaky.test'), held.next))!;
    assert.deepEqual(ttlsOf(again), [5]);
    await settle();
    assert.equal(held.calls.length, 2);
  });

  it('counts a refresh that brings back an answer it cannot cache (SERVFAIL) as failed and keeps the old entry', async () => {
    const { cache, clock } = setup({ prefetch: { ...prefetch, minHits: 1 } });
    await cache.handle(ctx('sf.test'), upstream(a100).next);
    const held = heldUpstream({ rcode: Rcode.servFail });
    clock.now += 95;
    await cache.handle(ctx('sf.test'), held.next);
    await settle();
    held.calls[0]!.answer();
    await settle();
    assert.equal(cache.stats().prefetchFailed, 1);
    assert.deepEqual(ttlsOf((await cache.handle(ctx('sf.test'), held.next))!), [5]);
  });

  it('does not bring back an entry flushed while its refresh was in flight', async () => {
    const { cache, clock } = setup({ prefetch: { ...prefetch, minHits: 1 } });
    await cache.handle(ctx('gone.test'), upstream(a100).next);
    const held = heldUpstream(a100);
    clock.now += 95;
    await cache.handle(ctx('gone.test'), held.next);
    await settle();
    cache.flush('gone.test');
    held.calls[0]!.answer();
    await settle();
    assert.equal(cache.stats().entries, 0);
  });

  it('never refreshes when prefetch is disabled', async () => {
    const { cache, clock } = setup({ prefetch: { ...prefetch, enabled: false, minHits: 1 } });
    const { next, calls } = upstream(a100);
    await cache.handle(ctx('off.test'), next);
    clock.now += 95;
    for (let i = 0; i < 5; i++) await cache.handle(ctx('off.test'), next);
    await settle();
    assert.equal(calls.count, 1);
    assert.equal(cache.stats().prefetched, 0);
  });
});
