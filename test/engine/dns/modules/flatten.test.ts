import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flatten, type FlattenOptions } from '../../../../engine/dns/modules/flatten/flatten.ts';
import type { Next, QueryContext } from '../../../../engine/dns/pipeline.ts';
import { encodeName, parseQuery, Rcode, readAnswers, Type } from '../../../../engine/dns/wire.ts';
import { encodeQuery } from '../../../helpers/dns.ts';

interface Rr {
  name: string;
  type: number;
  ttl: number;
  data: Buffer;
}

const a = (name: string, ttl: number, address: number[]): Rr => ({ name, type: Type.A, ttl, data: Buffer.from(address) });
const cname = (name: string, ttl: number, target: string): Rr => ({ name, type: Type.CNAME, ttl, data: encodeName(target) });
function soa(name: string, ttl: number, minimum: number): Rr {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32BE(minimum, 16);
  return { name, type: Type.SOA, ttl, data: Buffer.concat([encodeName(`ns1.${name}`), encodeName(`hostmaster.${name}`), fixed]) };
}

/** A response to `query` with these answer and authority records, names uncompressed. */
function respond(query: Buffer, answers: Rr[], authority: Rr[] = [], rcode: number = Rcode.noError): Buffer {
  const questionEnd = parseQuery(query)!.questionEnd;
  const head = Buffer.from(query.subarray(0, questionEnd));
  head.writeUInt16BE(0x8180 | rcode, 2);
  head.writeUInt16BE(answers.length, 6);
  head.writeUInt16BE(authority.length, 8);
  head.writeUInt16BE(0, 10);
  const rrs = [...answers, ...authority].map(({ name, type, ttl, data }) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(ttl, 4);
    fixed.writeUInt16BE(data.length, 8);
    return Buffer.concat([encodeName(name), fixed, data]);
  });
  return Buffer.concat([head, ...rrs]);
}

/**
 * An upstream: apex.test is a zone apex holding a CNAME (as unbound serves it), sub.zone.test a
 * CNAME inside zone.test, www.target.test the target of both, plain.test an ordinary A record.
 */
function upstream(options: { soaFails?: boolean } = {}) {
  const asked: string[] = [];
  const next: Next = async (ctx) => {
    const { name, type } = ctx.parsed;
    const key = `${name.toLowerCase()} ${type === Type.SOA ? 'SOA' : type === Type.A ? 'A' : String(type)}`;
    asked.push(key);
    if (type === Type.SOA && options.soaFails) throw new Error('every upstream is down');
    switch (key) {
      case 'apex.test A':
        return respond(ctx.query, [cname('apex.test', 45, 'www.target.test')]);
      case 'apex.test SOA':
        return respond(ctx.query, [soa('apex.test', 600, 120)]);
      case 'sub.zone.test A':
        return respond(ctx.query, [cname('sub.zone.test', 30, 'www.target.test')]);
      case 'sub.zone.test SOA':
        return respond(ctx.query, [cname('sub.zone.test', 30, 'www.target.test')], [soa('target.test', 300, 50)]);
      case 'www.target.test A':
        return respond(ctx.query, [a('www.target.test', 300, [192, 0, 2, 55])]);
      case 'plain.test A':
        return respond(ctx.query, [a('plain.test', 300, [192, 0, 2, 1])]);
      default:
        return respond(ctx.query, [], [soa('test', 300, 60)], Rcode.nxDomain);
    }
  };
  return { next, asked };
}

function setup(options: Partial<FlattenOptions> = {}) {
  const clock = { now: 1000 };
  const flatten = new Flatten({ names: [], maxChain: 8, apex: true, now: () => clock.now, ...options });
  return { flatten, clock };
}

function ctx(name: string, type: number = Type.A): QueryContext {
  const query = encodeQuery(name, type);
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

const answersOf = (answer: Buffer | null) =>
  readAnswers(answer!)!.map(
    (r) => `${r.name} ${r.ttl} ${r.type === Type.CNAME ? `CNAME ${r.target}` : r.type === Type.A ? `A ${[...r.rdata].join('.')}` : r.type}`,
  );

describe('dns flatten, apex: true', () => {
  it('flattens a zone apex that is not among the names: final A records, owned by the apex, TTL the chain minimum', async () => {
    const { flatten } = setup();
    const { next, asked } = upstream();
    const query = ctx('Apex.Test');
    assert.deepEqual(answersOf(await flatten.handle(query, next)), ['apex.test 45 A 192.0.2.55']);
    assert.equal(query.meta.flattened, true);
    assert.deepEqual(asked, ['apex.test A', 'apex.test SOA', 'www.target.test A']);
  });

  it('remembers that a name is an apex for the SOA TTL, then asks again', async () => {
    const { flatten, clock } = setup();
    const { next, asked } = upstream();
    await flatten.handle(ctx('apex.test'), next);
    clock.now += 599;
    await flatten.handle(ctx('apex.test'), next);
    assert.equal(asked.filter((q) => q.endsWith('SOA')).length, 1);
    clock.now += 2;
    assert.deepEqual(answersOf(await flatten.handle(ctx('apex.test'), next)), ['apex.test 45 A 192.0.2.55']);
    assert.equal(asked.filter((q) => q.endsWith('SOA')).length, 2);
  });

  it('leaves a CNAME that is not at an apex alone, and remembers that for the negative TTL', async () => {
    const { flatten, clock } = setup();
    const { next, asked } = upstream();
    const query = ctx('sub.zone.test');
    assert.deepEqual(answersOf(await flatten.handle(query, next)), ['sub.zone.test 30 CNAME www.target.test']);
    assert.equal(query.meta.flattened, undefined);
    clock.now += 49; // min(SOA TTL 300, SOA minimum 50)
    await flatten.handle(ctx('sub.zone.test'), next);
    assert.deepEqual(asked, ['sub.zone.test A', 'sub.zone.test SOA', 'sub.zone.test A']);
    clock.now += 2;
    await flatten.handle(ctx('sub.zone.test'), next);
    assert.equal(asked.filter((q) => q.endsWith('SOA')).length, 2);
  });

  it('makes no SOA lookup for an answer without a CNAME, nor for other query types', async () => {
    const { flatten } = setup();
    const { next, asked } = upstream();
    assert.deepEqual(answersOf(await flatten.handle(ctx('plain.test'), next)), ['plain.test 300 A 192.0.2.1']);
    await flatten.handle(ctx('apex.test', Type.TXT), next);
    assert.deepEqual(asked, ['plain.test A', 'apex.test 16']);
  });

  it('leaves an apex CNAME alone when apex is off and the name is not configured', async () => {
    const { flatten } = setup({ apex: false });
    const { next, asked } = upstream();
    assert.deepEqual(answersOf(await flatten.handle(ctx('apex.test'), next)), ['apex.test 45 CNAME www.target.test']);
    assert.deepEqual(asked, ['apex.test A']);
  });

  it('flattens configured names without asking for their SOA', async () => {
    const { flatten } = setup({ names: ['sub.zone.test'] });
    const { next, asked } = upstream();
    assert.deepEqual(answersOf(await flatten.handle(ctx('sub.zone.test'), next)), ['sub.zone.test 30 A 192.0.2.55']);
    assert.deepEqual(asked, ['sub.zone.test A', 'www.target.test A']);
  });

  it('answers the CNAME unflattened when the SOA lookup fails, and asks again next time', async () => {
    const { flatten } = setup();
    const { next, asked } = upstream({ soaFails: true });
    assert.deepEqual(answersOf(await flatten.handle(ctx('apex.test'), next)), ['apex.test 45 CNAME www.target.test']);
    await flatten.handle(ctx('apex.test'), next);
    assert.equal(asked.filter((q) => q.endsWith('SOA')).length, 2);
    assert.equal(flatten.stats().apexNames, 0);
  });

  it('asks the SOA once for a burst of queries for one name', async () => {
    const { flatten } = setup();
    const { next, asked } = upstream();
    const answers = await Promise.all(Array.from({ length: 5 }, () => flatten.handle(ctx('apex.test'), next)));
    for (const answer of answers) assert.deepEqual(answersOf(answer), ['apex.test 45 A 192.0.2.55']);
    assert.equal(asked.filter((q) => q.endsWith('SOA')).length, 1);
  });

  it('remembers at most maxApexNames names, dropping the least recently used', async () => {
    const { flatten } = setup({ maxApexNames: 1 });
    const { next, asked } = upstream();
    await flatten.handle(ctx('apex.test'), next);
    await flatten.handle(ctx('sub.zone.test'), next); // pushes apex.test out
    assert.equal(flatten.stats().apexNames, 1);
    await flatten.handle(ctx('apex.test'), next);
    assert.equal(asked.filter((q) => q === 'apex.test SOA').length, 2);
  });
});
