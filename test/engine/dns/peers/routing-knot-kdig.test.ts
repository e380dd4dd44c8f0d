// Routing by zone with two real Knot DNS servers: corp.example. goes to the internal pool (its own
// knot), every other name to the public pool (another knot); kdig asks through Signalbox. Each
// knot is authoritative only for its own zones, so a name sent to the wrong pool is REFUSED.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DnsConfig, QueryLogEntry } from '../../../../engine/api/dns.ts';
import { kdig, startDnsEngine, startKnot, status, type DnsEngineUnderTest, type Knot } from '../../../helpers/knot.ts';
import { waitFor } from '../../../helpers/wait.ts';

const corpZone = `$ORIGIN corp.example.
$TTL 300
@     SOA  ns1 hostmaster 1 3600 600 86400 60
@     NS   ns1
ns1   A    10.1.0.1
www   A    10.1.0.80
`;

// A sibling whose name ends in "corp.example" without being under it: it must go to the public pool.
const xcorpZone = `$ORIGIN xcorp.example.
$TTL 300
@     SOA  ns1 hostmaster 1 3600 600 86400 60
@     NS   ns1
ns1   A    192.0.2.1
www   A    192.0.2.99
`;

const fastHealth = { intervalMs: 200, failsToDown: 2, successesToUp: 1 };

describe('dns routing by zone (two knots, kdig)', () => {
  let internal: Knot;
  let pub: Knot;
  let dns: DnsEngineUnderTest;
  const log: QueryLogEntry[] = [];
  let stopLog = () => {};

  before(async () => {
    internal = await startKnot(undefined, { zones: { 'corp.example': corpZone } });
    pub = await startKnot(undefined, { zones: { 'xcorp.example': xcorpZone } });
    dns = await startDnsEngine([], {
      pools: {
        internal: { upstreams: [`127.0.0.1:${internal.port}`], healthCheck: fastHealth },
        public: { upstreams: [`127.0.0.1:${pub.port}`], healthCheck: fastHealth },
      },
      // Lower case here, upper case in some queries: RFC 4343.
      routes: [
        { zone: 'Corp.Example.', pool: 'internal', cache: false },
        { zone: '.', pool: 'public' },
      ],
    });
    stopLog = dns.engine.streams['dns.queryLog']!({}, (batch) => log.push(...batch.entries));
  });
  after(async () => {
    stopLog();
    await dns?.stop();
    await internal?.stop();
    await pub?.stop();
  });

  /** The log entry of the next answer to `name`, once the batch with it arrived. */
  const logged = async (name: string, from: number) => {
    await waitFor(() => log.slice(from).some((entry) => entry.qname === name), `the query log entry of ${name}`);
    return log.slice(from).find((entry) => entry.qname === name)!;
  };

  it('answers the internal zone from its knot and the rest from the other, on label boundaries and in any letter case', async () => {
    const from = log.length;
    assert.match(await kdig(dns.port, ['www.corp.example', 'A']), /10\.1\.0\.80/);
    assert.match(await kdig(dns.port, ['WWW.CORP.EXAMPLE', 'A']), /10\.1\.0\.80/i);
    assert.match(await kdig(dns.port, ['www.xcorp.example', 'A']), /192\.0\.2\.99/);
    assert.match(await kdig(dns.port, ['www.example.test', 'A']), /192\.0\.2\.10/);
    // The zone's apex itself is in the zone.
    assert.equal(status(await kdig(dns.port, ['corp.example', 'SOA'])), 'NOERROR');

    const corp = await logged('www.corp.example', from);
    assert.deepEqual([corp.route, corp.upstream], ['Corp.Example.', `127.0.0.1:${internal.port}`]);
    const xcorp = await logged('www.xcorp.example', from);
    assert.deepEqual([xcorp.route, xcorp.upstream], ['.', `127.0.0.1:${pub.port}`]);
    const other = await logged('www.example.test', from);
    assert.deepEqual([other.route, other.upstream], ['.', `127.0.0.1:${pub.port}`]);

    const stats = await dns.stats();
    assert.deepEqual(
      stats.routes.map((route) => [route.zone, route.pool, route.cache]),
      [
        ['Corp.Example.', 'internal', false],
        ['.', 'public', true],
      ],
    );
    assert.deepEqual(stats.upstreams.map((u) => u.pool).sort(), ['internal', 'public'], 'the default pool, routed to by nothing, is not built');
    const queries = Object.fromEntries(stats.pools.map((pool) => [pool.name, pool.queries]));
    assert.ok(queries.internal! >= 3 && queries.public! >= 2, JSON.stringify(stats.pools));
  });

  it('keeps the cache off for a route that turns it off and on for the others', async () => {
    const from = log.length;
    for (let i = 0; i < 2; i++) {
      await kdig(dns.port, ['ns1.corp.example', 'A']);
      await kdig(dns.port, ['www.other.test', 'A']);
    }
    const byName = (name: string) =>
      log
        .slice(from)
        .filter((entry) => entry.qname === name)
        .map((entry) => entry.cache);
    // Batches come every 200 ms, an earlier test's last entries among them: wait for these four by name.
    await waitFor(() => byName('ns1.corp.example').length === 2 && byName('www.other.test').length === 2, 'the four log entries');
    assert.deepEqual(byName('ns1.corp.example'), [null, null], 'the internal route never goes through the cache');
    assert.deepEqual(byName('www.other.test'), ['miss', 'hit']);
  });

  it('rate limits only the routes that keep rrl on', async () => {
    const { config } = (await dns.engine.procedures['dns.configGet']!({})) as { config: Record<string, unknown> };
    const routes = [
      { zone: 'Corp.Example.', pool: 'internal', cache: false, rrl: false },
      { zone: '.', pool: 'public' },
    ];
    // One answer in ten seconds per name and client network, every limited one slipped (TC=1; kdig retries over TCP, which is never limited).
    await dns.engine.procedures['dns.configSet']!({ config: { ...config, routes, rrl: { enabled: true, responsesPerSecond: 0.1, window: 1, slip: 1 } } });
    const from = log.length;
    for (let i = 0; i < 4; i++) {
      assert.match(await kdig(dns.port, ['www.corp.example', 'A']), /10\.1\.0\.80/);
      assert.match(await kdig(dns.port, ['www.example.test', 'A']), /192\.0\.2\.10/);
    }
    const udp = (name: string) => log.slice(from).filter((entry) => entry.qname === name && entry.transport === 'udp');
    await waitFor(() => udp('www.corp.example').length === 4 && udp('www.example.test').length === 4, 'the eight UDP log entries');
    assert.deepEqual(
      udp('www.corp.example').map((entry) => entry.rrl),
      [null, null, null, null],
      'the internal route is never limited',
    );
    assert.ok(
      udp('www.example.test').some((entry) => entry.rrl === 'slip'),
      'the public route is',
    );
  });

  it('keeps a pool whose own config did not change when another pool changes', async () => {
    const queriesOf = (stats: { pools: { name: string; queries: number }[] }, pool: string) => stats.pools.find((p) => p.name === pool)!.queries;
    const before = await dns.stats();
    assert.ok(queriesOf(before, 'internal') > 0 && queriesOf(before, 'public') > 0);
    const { config } = (await dns.engine.procedures['dns.configGet']!({})) as { config: DnsConfig };
    const pools = { ...config.pools, public: { ...config.pools.public!, policy: 'first-available' as const } };
    await dns.engine.procedures['dns.configSet']!({ config: { ...config, pools } });
    const after = await dns.stats();
    assert.ok(queriesOf(after, 'internal') >= queriesOf(before, 'internal'), 'the internal pool was kept: its counters go on');
    assert.equal(queriesOf(after, 'public'), 0, 'the public pool was built anew');
    assert.match(await kdig(dns.port, ['www.corp.example', 'A']), /10\.1\.0\.80/);
  });

  it("keeps one pool's health and answers when the other pool's upstream goes down", async () => {
    await internal.stop();
    await waitFor(async () => (await dns.stats()).upstreams.find((u) => u.pool === 'internal')?.healthy === false, 'the internal upstream marked down', 10_000);
    const stats = await dns.stats();
    assert.equal(stats.upstreams.find((u) => u.pool === 'public')!.healthy, true, 'the public pool stays healthy');

    const from = log.length;
    assert.match(await kdig(dns.port, ['txt.example.test', 'TXT']), /hello world/);
    const entry = await logged('txt.example.test', from);
    // Answered at once by its own pool: nothing waited on the down one (its timeout is a second).
    assert.ok(entry.latencyMs < 500, `answered in ${entry.latencyMs} ms`);
    assert.equal(status(await kdig(dns.port, ['www.corp.example', 'A'])), 'SERVFAIL', 'the internal zone has no other upstream');
    const failed = (await dns.stats()).pools.find((pool) => pool.name === 'internal')!.failed;
    assert.ok(failed >= 1, 'counted as a failure of the internal pool');
    assert.equal((await dns.stats()).pools.find((pool) => pool.name === 'public')!.failed, 0);
  });
});
