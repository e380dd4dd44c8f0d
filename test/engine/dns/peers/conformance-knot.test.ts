// Conformance against Knot DNS (a real peer): every query of an EDNS matrix is sent to knot directly
// and to Signalbox in front of it (cache on and cache off), and the answers are compared field by
// field: header bits, the full rcode, the OPT record and its options, the question as sent and the
// records. The cached instance is asked in every order of which matrix case fills the cache
// first, so no client's OPT, cookie or header bits can reach another through a cache hit.
//
// Where a forwarding proxy and an authoritative server legitimately differ, the test checks what
// the proxy must do instead:
// - RA: knot is authoritative only (RA=0); Signalbox forwards for every client (RA=1), except
//   where it would not forward the query at all (NOTIMP), as unbound does.
// - CD: knot, authoritative, does not copy it; Signalbox is the resolver its clients see, and
//   RFC 4035 §3.2.2 has a resolver copy CD from the query to the response.
// - NSID: knot is configured with one and answers it; Signalbox has none of its own and never
//   passes on an upstream's (RFC 5001 §2.2: the NSID names the server that answered), so it sends none.
// - COOKIE: each server answers with its own server cookie (different secrets), so the values
//   differ; both must echo the client cookie and send a 16-byte RFC 9018 server cookie. knot's
//   mod-cookies answers a client cookie alone with BADCOOKIE (a policy RFC 7873 §5.2.3 allows);
//   Signalbox answers it normally (as BIND does by default), so for the cookie cases the
//   reference is knot's answer to the same query with knot's own valid server cookie.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Type } from '../../../../engine/dns/wire.ts';
import { askUdp } from '../../../helpers/dns.ts';
import { askTcp, buildQuery, readAnswer, type EdnsSpec, type QuerySpec, type ReadAnswer } from '../../../helpers/dns-edns.ts';
import { startDnsEngine, startKnot, type DnsEngineUnderTest, type Knot } from '../../../helpers/knot.ts';

const cookieCode = 10;
const nsidCode = 3;
const clientCookie = randomBytes(8);

type CaseName =
  'no EDNS' | 'EDNS0' | 'EDNS version 1' | 'NSID' | 'DO' | 'CD' | 'RD=0' | 'unknown option' | 'client cookie' | 'client+server cookie' | 'unknown opcode';

interface MatrixCase {
  name: CaseName;
  /** The query's shape; `serverCookie` is the one the asked server gave this client. */
  spec(serverCookie: Buffer): Omit<QuerySpec, 'id' | 'name' | 'type'>;
}

const edns0: EdnsSpec = { udpSize: 1232 };
const matrix: MatrixCase[] = [
  { name: 'no EDNS', spec: () => ({ edns: null }) },
  { name: 'EDNS0', spec: () => ({ edns: edns0 }) },
  { name: 'EDNS version 1', spec: () => ({ edns: { ...edns0, version: 1 } }) },
  { name: 'NSID', spec: () => ({ edns: { ...edns0, options: [{ code: nsidCode, data: Buffer.alloc(0) }] } }) },
  { name: 'DO', spec: () => ({ edns: { ...edns0, dnssecOk: true } }) },
  { name: 'CD', spec: () => ({ edns: edns0, checkingDisabled: true }) },
  { name: 'RD=0', spec: () => ({ edns: edns0, recursionDesired: false }) },
  { name: 'unknown option', spec: () => ({ edns: { ...edns0, options: [{ code: 65001, data: Buffer.from('abcd') }] } }) },
  { name: 'client cookie', spec: () => ({ edns: { ...edns0, options: [{ code: cookieCode, data: clientCookie }] } }) },
  { name: 'client+server cookie', spec: (server) => ({ edns: { ...edns0, options: [{ code: cookieCode, data: Buffer.concat([clientCookie, server]) }] } }) },
  { name: 'unknown opcode', spec: () => ({ opcode: 3, edns: edns0 }) },
];

/** The questions asked in each case: an answer and an NXDOMAIN (negative caching, SOA in authority). */
const questions = [
  { name: 'www.example.test', type: Type.A },
  { name: 'nope.example.test', type: Type.A },
];

/** Each case asks with its own letter case (as dig keeps it): a hit must carry this query's. */
const withCase = (name: string, seed: number) => [...name].map((ch, i) => ((i + seed) % 3 === 0 ? ch.toUpperCase() : ch)).join('');

let knot: Knot;
let cached: DnsEngineUnderTest;
let uncached: DnsEngineUnderTest;
let nextId = 1;

async function ask(port: number, spec: QuerySpec, transport: 'udp' | 'tcp' = 'udp'): Promise<ReadAnswer> {
  const reply = transport === 'udp' ? await askUdp(port, buildQuery(spec), { timeoutMs: 3000 }) : await askTcp(port, buildQuery(spec));
  assert.ok(reply, `no answer from port ${port} to ${JSON.stringify(spec)}`);
  return readAnswer(reply);
}

/** The server cookie `port` gives our client cookie (knot answers it with BADCOOKIE, Signalbox normally). */
async function learnServerCookie(port: number): Promise<Buffer> {
  const answer = await ask(port, {
    id: nextId++,
    name: 'www.example.test',
    type: Type.A,
    edns: { ...edns0, options: [{ code: cookieCode, data: clientCookie }] },
  });
  const cookie = answer.opt?.options.find((o) => o.code === cookieCode);
  assert.ok(cookie, `port ${port} sent no cookie`);
  return Buffer.from(cookie.data, 'hex').subarray(8);
}

before(async () => {
  knot = await startKnot(undefined, { cookies: true, nsid: 'knot-test' });
  const upstreams = [`127.0.0.1:${knot.port}`];
  cached = await startDnsEngine(upstreams, { healthCheck: { enabled: false } });
  uncached = await startDnsEngine(upstreams, { healthCheck: { enabled: false }, cache: { enabled: false } });
});
after(async () => {
  await cached?.stop();
  await uncached?.stop();
  await knot?.stop();
});

/** What Signalbox's answer must be, given knot's answer to the same question; the differences found. */
function differences(matrixCase: MatrixCase, spec: QuerySpec, sent: Buffer, ours: ReadAnswer, reference: ReadAnswer): string[] {
  const found: string[] = [];
  const expect = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) found.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  expect('id', ours.id, spec.id);
  expect('QR', ours.qr, true);
  expect('opcode', ours.opcode, spec.opcode ?? 0);
  expect("RD (the query's)", ours.rd, spec.recursionDesired !== false);
  expect("CD (the query's)", ours.cd, spec.checkingDisabled === true);
  // As unbound: RA on what the forwarder serves (BADVERS included), not on a query it cannot take (NOTIMP).
  expect('RA (a forwarder)', ours.ra, matrixCase.name !== 'unknown opcode');
  for (const bit of ['aa', 'tc', 'ad'] as const) expect(`${bit.toUpperCase()} as knot`, ours[bit], reference[bit]);
  expect('rcode as knot', ours.rcode, reference.rcode);
  const questionEnd = sent.length - (spec.edns ? 11 + (spec.edns.options ?? []).reduce((n, o) => n + 4 + o.data.length, 0) : 0);
  expect('question as sent', ours.question, sent.subarray(12, questionEnd).toString('hex'));
  expect('OPT present as in the query (RFC 6891 §7)', ours.opt !== null, spec.edns != null);
  expect('OPT present as knot', ours.opt !== null, reference.opt !== null);
  if (ours.opt && reference.opt) {
    expect('EDNS version', ours.opt.version, reference.opt.version);
    expect('UDP size', ours.opt.udpSize, reference.opt.udpSize);
    expect('DO echoed', ours.opt.dnssecOk, spec.edns?.dnssecOk === true);
    expect('DO as knot', ours.opt.dnssecOk, reference.opt.dnssecOk);
    const others = (options: ReadAnswer['opt'] & object) => options.options.filter((o) => o.code !== cookieCode && o.code !== nsidCode);
    expect('options other than COOKIE and NSID as knot', others(ours.opt), others(reference.opt));
    expect(
      'no NSID of an upstream',
      ours.opt.options.some((o) => o.code === nsidCode),
      false,
    );
    const sentCookie = spec.edns?.options?.find((o) => o.code === cookieCode)?.data;
    const cookie = ours.opt.options.find((o) => o.code === cookieCode);
    // A BADVERS answer is "limited in format to the VERSION level of the request" (RFC 6891 §6.1.3): no cookie there, as knot.
    expect(
      'COOKIE present as knot',
      cookie !== undefined,
      reference.opt.options.some((o) => o.code === cookieCode),
    );
    if (sentCookie && cookie) {
      expect('client cookie echoed', cookie.data.slice(0, 16), clientCookie.toString('hex'));
      expect('server cookie of RFC 9018 (16 bytes, version 1)', [cookie.data.length, cookie.data.slice(16, 18)], [48, '01']);
      if (matrixCase.name === 'client+server cookie') expect('a fresh valid server cookie echoed', cookie.data, sentCookie.toString('hex'));
    }
  }
  for (const section of ['answers', 'authorities', 'additionals'] as const) {
    const strip = (records: ReadAnswer['answers']) => records.map(({ name, type, data }) => ({ name, type, data }));
    expect(`${section} as knot`, strip(ours[section]), strip(reference[section]));
    ours[section].forEach((record, i) => {
      const knotTtl = reference[section][i]?.ttl ?? 0;
      if (record.ttl > knotTtl || record.ttl < knotTtl - 10) found.push(`${section}[${i}] TTL ${record.ttl}, knot ${knotTtl}`);
    });
  }
  return found;
}

describe('dns conformance against knot, cache on and off (knot)', () => {
  it('answers every case of the EDNS matrix as knot does, whichever case filled the cache first', async () => {
    const knotCookie = await learnServerCookie(knot.port);
    const cookies = new Map([
      [cached.port, await learnServerCookie(cached.port)],
      [uncached.port, await learnServerCookie(uncached.port)],
    ]);
    const problems: string[] = [];
    for (const first of matrix) {
      await cached.engine.procedures['dns.cacheFlush']!({});
      const order = [first, ...matrix.filter((c) => c !== first)];
      for (const [seed, matrixCase] of order.entries()) {
        for (const question of questions) {
          const name = withCase(question.name, seed);
          const knotSpec: QuerySpec = { id: nextId++, name, type: question.type, ...matrixCase.spec(knotCookie) };
          // knot's policy answers a client cookie alone with BADCOOKIE: its answer with its valid cookie is the reference.
          const referenceSpec =
            matrixCase.name === 'client cookie' ? { ...knotSpec, ...matrix.find((c) => c.name === 'client+server cookie')!.spec(knotCookie) } : knotSpec;
          const reference = await ask(knot.port, referenceSpec);
          for (const server of [cached, uncached]) {
            const spec: QuerySpec = { id: nextId++, name, type: question.type, ...matrixCase.spec(cookies.get(server.port)!) };
            const sent = buildQuery(spec);
            const ours = await ask(server.port, spec);
            for (const problem of differences(matrixCase, spec, sent, ours, reference)) {
              problems.push(`${server === cached ? 'cache on' : 'cache off'}, ${first.name} first, ${matrixCase.name}, ${name}: ${problem}`);
            }
          }
        }
      }
    }
    assert.deepEqual(problems.slice(0, 40), [], `${problems.length} differences`);
  });

  it('answers the same matrix over TCP as knot does over TCP, from cached and fresh answers', async () => {
    const knotCookie = await learnServerCookie(knot.port);
    const problems: string[] = [];
    for (const [seed, matrixCase] of matrix.entries()) {
      const name = withCase('www.example.test', seed);
      const knotSpec: QuerySpec = { id: nextId++, name, type: Type.A, ...matrixCase.spec(knotCookie) };
      const referenceSpec =
        matrixCase.name === 'client cookie' ? { ...knotSpec, ...matrix.find((c) => c.name === 'client+server cookie')!.spec(knotCookie) } : knotSpec;
      const reference = await ask(knot.port, referenceSpec, 'tcp');
      for (const server of [cached, uncached]) {
        // Over TCP a client needs no proof of its address; its cookie is still answered (RFC 7873 §5.2).
        const spec: QuerySpec = { id: nextId++, name, type: Type.A, ...matrixCase.spec(await learnServerCookie(server.port)) };
        const ours = await ask(server.port, spec, 'tcp');
        for (const problem of differences(matrixCase, spec, buildQuery(spec), ours, reference))
          problems.push(`TCP, ${server === cached ? 'cache on' : 'cache off'}, ${matrixCase.name}: ${problem}`);
      }
    }
    assert.deepEqual(problems.slice(0, 40), [], `${problems.length} differences`);
  });
});
