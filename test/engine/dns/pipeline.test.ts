import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pipeline, type DnsModule, type QueryContext } from '../../../engine/dns/pipeline.ts';
import { parseQuery, Rcode, scanResponse, Type } from '../../../engine/dns/wire.ts';
import { encodeQuery } from '../../helpers/dns.ts';

function context(): QueryContext {
  const query = encodeQuery('a.test', Type.A);
  return {
    query,
    parsed: parseQuery(query)!,
    cookie: null,
    client: { address: '127.0.0.1', port: 1 },
    local: { address: '127.0.0.1', port: 53 },
    transport: 'udp',
    maxSize: 512,
    receivedAt: performance.now(),
    deadline: performance.now() + 1000,
    meta: {},
  };
}

function recordingLog() {
  const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
  const log = {
    debug() {},
    info() {},
    warn() {},
    error: (msg: string, fields?: Record<string, unknown>) => void lines.push({ msg, fields }),
    child: () => log,
  };
  return { log, lines };
}

const passThrough = (name: string, seen: string[]): DnsModule => ({
  name,
  handleNow: null,
  handle: (ctx, next) => {
    seen.push(name);
    return next(ctx);
  },
});

describe('dns pipeline', () => {
  it('runs modules in order and returns the first answer', async () => {
    const seen: string[] = [];
    const answer = Buffer.from('answer');
    const pipeline = new Pipeline([passThrough('a', seen), passThrough('b', seen), { name: 'c', handleNow: null, handle: () => answer }], recordingLog().log);
    assert.equal(await pipeline.run(context()), answer);
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('turns a module that throws into SERVFAIL for that query, logged under the module name', async () => {
    const { log, lines } = recordingLog();
    const failures: string[] = [];
    const broken: DnsModule = {
      name: 'broken',
      handleNow: null,
      handle: () => {
        throw new Error('bug in broken');
      },
    };
    const pipeline = new Pipeline([passThrough('outer', []), broken], log, (module) => failures.push(module));
    const reply = await pipeline.run(context());
    assert.equal(scanResponse(reply!)!.rcode, Rcode.servFail);
    assert.deepEqual(failures, ['broken']);
    assert.equal(lines[0]!.fields!.module, 'broken');
    assert.match(String(lines[0]!.fields!.error), /bug in broken/);
  });

  it('logs a failing module once per second, counting the failures it did not log', async () => {
    const { log, lines } = recordingLog();
    const failures: string[] = [];
    const broken: DnsModule = {
      name: 'forward',
      handleNow: null,
      handle: () => {
        throw new Error('no upstream answered');
      },
    };
    const pipeline = new Pipeline([broken], log, (module) => failures.push(module));
    for (let i = 0; i < 500; i++) await pipeline.run(context());
    assert.equal(failures.length, 500, 'every failure is counted');
    assert.equal(lines.length, 1, 'but logged once');
    await new Promise((resolve) => setTimeout(resolve, 1050));
    await pipeline.run(context());
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.fields!.alsoFailedSinceLastLine, 499);
  });

  it('answers at once on the fast path when every module up to the answer has one', () => {
    const answer = Buffer.from('answer');
    const seen: string[] = [];
    const outer: DnsModule = { name: 'outer', handle: (ctx, next) => next(ctx), handleNow: (ctx, next) => (seen.push('outer'), next(ctx)) };
    const fast: DnsModule = { name: 'fast', handle: () => answer, handleNow: () => answer };
    assert.equal(new Pipeline([outer, fast], recordingLog().log).runNow(context()), answer);
    assert.deepEqual(seen, ['outer']);
    const slow: DnsModule = { name: 'slow', handleNow: null, handle: () => answer };
    assert.equal(new Pipeline([outer, slow], recordingLog().log).runNow(context()), undefined, 'a module without a fast path ends it');
    const broken: DnsModule = {
      name: 'broken',
      handle: () => answer,
      handleNow: () => {
        throw new Error('bug');
      },
    };
    assert.equal(new Pipeline([outer, broken], recordingLog().log).runNow(context()), undefined, 'a throw sends the query down the normal path');
  });

  it('answers SERVFAIL when no module answers', async () => {
    const reply = await new Pipeline([], recordingLog().log).run(context());
    assert.equal(scanResponse(reply!)!.rcode, Rcode.servFail);
  });
});
