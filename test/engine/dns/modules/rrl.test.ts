import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Next, QueryContext } from '../../../../engine/dns/pipeline.ts';
import { networkOf, ResponseRateLimit, type RrlOptions } from '../../../../engine/dns/modules/rrl/rrl.ts';
import { parseQuery, Rcode, scanResponse, Type } from '../../../../engine/dns/wire.ts';
import { encodeAnswer, encodeQuery } from '../../../helpers/dns.ts';

const options: RrlOptions = {
  responsesPerSecond: 5,
  nodataPerSecond: 0,
  nxdomainsPerSecond: 0,
  errorsPerSecond: 0,
  allPerSecond: 0,
  window: 5,
  slip: 2,
  ipv4PrefixLength: 24,
  ipv6PrefixLength: 56,
  exempt: [],
  logOnly: false,
  maxAccounts: 1000,
};

function setup(overrides: Partial<RrlOptions> = {}) {
  const clock = { now: 0 };
  return { rrl: new ResponseRateLimit({ ...options, ...overrides, now: () => clock.now }), clock };
}

function query(name: string, client = '192.0.2.1', transport: 'udp' | 'tcp' = 'udp'): QueryContext {
  const wire = encodeQuery(name, Type.A);
  return {
    query: wire,
    parsed: parseQuery(wire)!,
    cookie: null,
    client: { address: client, port: 5353 },
    local: { address: '127.0.0.1', port: 53 },
    transport,
    maxSize: 512,
    receivedAt: performance.now(),
    deadline: 0,
    meta: {},
  };
}

const answerA: Next = async (ctx) => encodeAnswer(ctx.query, { answers: [{ ttl: 60, address: [192, 0, 2, 9] }] });
// The SOA is owned by the zone (example.test), as a real server's is.
const nxdomain: Next = async (ctx) => encodeAnswer(ctx.query, { rcode: Rcode.nxDomain, soa: { ttl: 60, minimum: 60, skipLabels: 1 } });

type Tally = { answered: number; truncated: number; dropped: number };

/** Sends `perSecond` queries a second for `seconds` seconds; counts what happened each second. */
async function flood(
  rrl: ResponseRateLimit,
  clock: { now: number },
  seconds: number,
  perSecond: number,
  make: (i: number) => QueryContext,
  next = answerA,
): Promise<Tally[]> {
  const tallies: Tally[] = [];
  const start = clock.now;
  for (let second = 0; second < seconds; second++) {
    const tally = { answered: 0, truncated: 0, dropped: 0 };
    for (let i = 0; i < perSecond; i++) {
      clock.now = start + second + i / perSecond;
      const reply = await rrl.handle(make(i), next);
      if (!reply) tally.dropped++;
      else if (scanResponse(reply)!.truncated) tally.truncated++;
      else tally.answered++;
    }
    tallies.push(tally);
  }
  clock.now = start + seconds;
  return tallies;
}

describe('dns rrl', () => {
  it('matches BIND 9.18 at rate 5, window 5, slip 2 under 100 q/s for one name', async () => {
    const { rrl, clock } = setup();
    const tallies = await flood(rrl, clock, 3, 100, () => query('www.example.test'));
    assert.deepEqual(tallies, [
      { answered: 5, truncated: 48, dropped: 47 },
      { answered: 0, truncated: 50, dropped: 50 },
      { answered: 0, truncated: 50, dropped: 50 },
    ]);
    assert.equal(rrl.stats().slipped, 148);
  });

  it('leaves another name from the same client, and another /24, unaffected', async () => {
    const { rrl, clock } = setup();
    await flood(rrl, clock, 1, 100, () => query('www.example.test'));
    const other = (await rrl.handle(query('mail.example.test'), answerA))!;
    assert.equal(scanResponse(other)!.truncated, false);
    const neighbour = (await rrl.handle(query('www.example.test', '192.0.3.1'), answerA))!;
    assert.equal(scanResponse(neighbour)!.truncated, false);
    const sameNet = await rrl.handle(query('www.example.test', '192.0.2.200'), answerA);
    assert.ok(!sameNet || scanResponse(sameNet)!.truncated, 'a client in the same /24 shares the account');
  });

  it('answers normally again about `window` seconds after the flood stops', async () => {
    const { rrl, clock } = setup();
    await flood(rrl, clock, 2, 100, () => query('www.example.test'));
    clock.now += 4;
    const early = await rrl.handle(query('www.example.test'), answerA);
    assert.ok(!early || scanResponse(early)!.truncated, 'still limited after 4 s');
    clock.now += 1.5;
    const later = (await rrl.handle(query('www.example.test'), answerA))!;
    assert.equal(scanResponse(later)!.truncated, false);
  });

  it('puts NXDOMAIN for random names of one zone in one account', async () => {
    const { rrl, clock } = setup({ nxdomainsPerSecond: 2 });
    const tallies = await flood(rrl, clock, 1, 100, (i) => query(`r${i}.example.test`), nxdomain);
    assert.equal(tallies[0]!.answered, 2);
  });

  it('never limits TCP, exempt clients, or anything in log-only mode', async () => {
    const cases: [Partial<RrlOptions>, () => QueryContext][] = [
      [{}, () => query('a.test', '192.0.2.1', 'tcp')],
      [{ exempt: ['192.0.2.0/24'] }, () => query('a.test')],
      [{ logOnly: true }, () => query('a.test')],
    ];
    for (const [overrides, make] of cases) {
      const { rrl, clock } = setup(overrides);
      const [tally] = await flood(rrl, clock, 1, 50, make);
      assert.deepEqual(tally, { answered: 50, truncated: 0, dropped: 0 }, JSON.stringify(overrides));
    }
  });

  it('drops every limited response with slip 0 and truncates every one with slip 1', async () => {
    const zero = setup({ slip: 0 });
    assert.deepEqual((await flood(zero.rrl, zero.clock, 1, 100, () => query('a.test')))[0], { answered: 5, truncated: 0, dropped: 95 });
    const one = setup({ slip: 1 });
    assert.deepEqual((await flood(one.rrl, one.clock, 1, 100, () => query('a.test')))[0], { answered: 5, truncated: 95, dropped: 0 });
  });

  it('caps all responses to one network with allPerSecond', async () => {
    const { rrl, clock } = setup({ responsesPerSecond: 100, allPerSecond: 3, slip: 0 });
    const [tally] = await flood(rrl, clock, 1, 30, (i) => query(`n${i}.test`));
    assert.equal(tally!.answered, 3);
  });

  it('groups clients by prefix for IPv4, IPv4-mapped and IPv6', () => {
    assert.equal(networkOf('192.0.2.77', 24, 56), networkOf('192.0.2.1', 24, 56));
    assert.notEqual(networkOf('192.0.3.1', 24, 56), networkOf('192.0.2.1', 24, 56));
    assert.equal(networkOf('::ffff:192.0.2.5', 24, 56), networkOf('192.0.2.1', 24, 56));
    assert.equal(networkOf('2001:db8:0:1200::1', 24, 56), networkOf('2001:db8:0:12ff::9', 24, 56));
    assert.notEqual(networkOf('2001:db8:0:1200::1', 24, 56), networkOf('2001:db8:0:1300::1', 24, 56));
  });
});
