// The module chain is declared once (engine/dns/chain.ts): the README lists the modules in that
// order, every module has its folder and README, its contract's config keys and stats fields are
// the contract's (engine/api/dns.ts) and its README names its Prometheus series, and a cache hit
// is answered synchronously end to end (UDP in, the real chain, UDP out) without the promise path.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import packet from 'dns-packet';
import type { MetricFactory } from '../../../engine/api/metric-factory.ts';
import { dnsConfig, dnsStats } from '../../../engine/api/dns.ts';
import { moduleChain } from '../../../engine/dns/chain.ts';
import type { Pipeline } from '../../../engine/dns/pipeline.ts';
import { DnsService } from '../../../engine/dns/service.ts';
import { quietLog } from '../../helpers/host.ts';
import { freePort, startKnot, type Knot } from '../../helpers/knot.ts';

const dnsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'engine', 'dns');

describe('the DNS module chain', () => {
  it('README lists the modules in the order of engine/dns/chain.ts', () => {
    const readme = readFileSync(join(dnsDir, 'README.md'), 'utf8');
    const intro = readme.slice(readme.indexOf('Modules, in pipeline order:'), readme.indexOf('## '));
    assert.deepEqual(
      [...intro.matchAll(/\[(\w+)\]\(modules\/\1\/README\.md\)/g)].map((match) => match[1]),
      moduleChain.map((module) => module.name),
    );
  });

  it('every module has its folder and README', () => {
    for (const { name } of moduleChain) assert.ok(existsSync(join(dnsDir, 'modules', name, 'README.md')), `modules/${name}/README.md`);
  });

  it("every module's config keys and stats fields are in the contract as its contract.ts declares them", () => {
    for (const module of moduleChain) {
      for (const [key, schema] of Object.entries(module.config))
        assert.equal(dnsConfig.shape[key as keyof typeof dnsConfig.shape], schema, `${module.name}: dnsConfig.${key}`);
      for (const [key, schema] of Object.entries(module.stats))
        assert.equal(dnsStats.shape[key as keyof typeof dnsStats.shape], schema, `${module.name}: dnsStats.${key}`);
    }
  });

  it("every module's README names the Prometheus series its contract declares", () => {
    for (const module of moduleChain) {
      const names: string[] = [];
      const series = (name: string) => (names.push(name), { set: () => {} });
      const factory: MetricFactory = { counter: series, gauge: series };
      module.metrics?.(factory);
      const readme = readFileSync(join(dnsDir, 'modules', module.name, 'README.md'), 'utf8');
      const metricsSection = readme.slice(readme.indexOf('## Metrics'), readme.indexOf('## Failure'));
      for (const name of names) assert.ok(metricsSection.includes(`\`${name}\``), `modules/${module.name}/README.md ## Metrics names \`${name}\``);
    }
  });
});

describe('a cache hit stays synchronous end to end (knot upstream)', () => {
  let knot: Knot;
  let service: DnsService;
  let port: number;
  const calls = { run: 0, now: 0, nowAnswered: 0 };

  before(async () => {
    knot = await startKnot();
    port = await freePort();
    service = new DnsService(
      dnsConfig.parse({ enabled: true, listen: [`127.0.0.1:${port}`], upstreams: [`127.0.0.1:${knot.port}`], healthCheck: { enabled: false } }),
      quietLog,
    );
    await service.start();
    // Count, on the real pipeline, which path each query took.
    // One route (the root): its chain is the only one.
    const [pipeline] = (service as unknown as { current: { pipelines: Pipeline[] } }).current.pipelines as [Pipeline];
    const [run, runNow] = [pipeline.run.bind(pipeline), pipeline.runNow.bind(pipeline)];
    pipeline.run = (ctx) => (calls.run++, run(ctx));
    pipeline.runNow = (ctx) => {
      calls.now++;
      const answer = runNow(ctx);
      if (answer !== undefined) calls.nowAnswered++;
      return answer;
    };
  });
  after(async () => {
    await service?.stop();
    await knot?.stop();
  });

  const ask = (id: number) =>
    new Promise<packet.Packet>((resolve, reject) => {
      const socket = createSocket('udp4');
      const timer = setTimeout(() => (socket.close(), reject(new Error('no answer in 5 s'))), 5000);
      socket.on('message', (message) => (clearTimeout(timer), socket.close(), resolve(packet.decode(message))));
      socket.send(
        packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name: 'www.example.test' }] }),
        port,
        '127.0.0.1',
      );
    });

  it('the first query takes the normal path; the same query again is answered by the fast path alone', async () => {
    const miss = await ask(1);
    assert.equal((miss as { rcode?: string }).rcode, 'NOERROR');
    assert.deepEqual([calls.run, calls.nowAnswered], [1, 0], 'a miss goes through the promise path');
    const hit = await ask(2);
    assert.equal(hit.id, 2);
    const records = (reply: packet.Packet) =>
      (reply.answers ?? []).map((answer) => ({ name: answer.name, type: answer.type, data: 'data' in answer ? answer.data : null }));
    assert.ok(records(miss).length > 0);
    assert.deepEqual(records(hit), records(miss), 'the cached answer');
    assert.deepEqual([calls.run, calls.nowAnswered], [1, 1], 'the hit was answered by runNow, without run');
  });
});
