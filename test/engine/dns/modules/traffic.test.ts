import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueryLogEntry } from '../../../../engine/api/dns.ts';
import { Traffic } from '../../../../engine/dns/modules/querylog/traffic.ts';

const entry = (at: number, fields: Partial<QueryLogEntry> = {}): QueryLogEntry => ({
  seq: 1,
  at,
  client: '127.0.0.1',
  transport: 'udp',
  qname: 'a.test',
  qtype: 1,
  rcode: 0,
  upstream: null,
  route: null,
  latencyMs: 2,
  cache: null,
  rrl: null,
  flattened: false,
  ...fields,
});

describe('dns traffic per second', () => {
  it('counts each answer in the second it was answered in, with zeros for quiet seconds', () => {
    let now = 10_000_500;
    const traffic = new Traffic(() => now);
    traffic.observe(entry(10_000_100, { cache: 'hit', latencyMs: 1 }));
    traffic.observe(entry(10_000_900, { cache: 'miss', rcode: 3, latencyMs: 3 }));
    traffic.observe(entry(10_002_000, { rcode: 2, cache: 'stale' }));
    // A dropped answer is logged with the rcode it would have had.
    traffic.observe(entry(10_002_010, { rcode: 0, rrl: 'drop' }));
    traffic.observe(entry(10_002_020, { rrl: 'slip', flattened: true }));
    now = 10_003_100;
    const seconds = traffic.history(3);
    assert.deepEqual(
      seconds.map((s) => s.at),
      [10_000_000, 10_001_000, 10_002_000],
    );
    assert.deepEqual(seconds[0], { at: 10_000_000, queries: 2, hits: 1, misses: 1, stale: 0, slipped: 0, dropped: 0, servfail: 0, nxdomain: 1, latencyMs: 2 });
    assert.equal(seconds[1]!.queries, 0);
    assert.equal(seconds[1]!.latencyMs, null);
    assert.deepEqual(
      { ...seconds[2], latencyMs: undefined },
      { at: 10_002_000, queries: 3, hits: 0, misses: 0, stale: 1, slipped: 1, dropped: 1, servfail: 1, nxdomain: 0, latencyMs: undefined },
    );
    // A dropped query sent nothing: it is neither an rcode nor an answer's latency.
    assert.deepEqual(traffic.rcodes, { NOERROR: 2, NXDOMAIN: 1, SERVFAIL: 1 });
    assert.equal(traffic.flattened, 1);
    assert.equal(traffic.qps(5), 1.7, 'over the 3 seconds since the start, not 5');
    assert.equal(new Traffic(() => now).history(10).length, 0, 'nothing before the start');
  });

  it('forgets what is older than ten minutes', () => {
    let now = 1_000_000;
    const traffic = new Traffic(() => now);
    traffic.observe(entry(1_000_000));
    now += 700_000;
    traffic.observe(entry(now));
    now += 1000;
    assert.equal(
      traffic.history(600).reduce((sum, s) => sum + s.queries, 0),
      1,
    );
    assert.equal(traffic.history(10_000).length, 600);
  });

  it('sends each finished second to subscribers once, in order', async () => {
    const traffic = new Traffic();
    const got: number[] = [];
    const stop = traffic.subscribe((second) => got.push(second.at));
    traffic.observe(entry(Date.now()));
    await new Promise((resolve) => setTimeout(resolve, 2300));
    stop();
    assert.ok(got.length >= 2, `got ${got.length} seconds`);
    for (let i = 1; i < got.length; i++) assert.equal(got[i]! - got[i - 1]!, 1000);
    assert.ok(got.at(-1)! + 1000 <= Date.now(), 'only finished seconds');
  });
});
