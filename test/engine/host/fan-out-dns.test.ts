// Every dns.* procedure against the DNS engine as two real worker processes (Knot DNS upstream):
// the merged answer is checked against what each worker says on its own. The table of checks is
// typed over every dns.* procedure, so a new one does not compile until it is checked here too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dnsApi, dnsConfig, type DnsStats, type QueryLogEntry } from '../../../engine/api/dns.ts';
import { createRouter } from '../../../engine/host/router.ts';
import { Supervisor } from '../../../engine/host/supervisor.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { freePort, kdig, startKnot, status, type Knot } from '../../helpers/knot.ts';

let knot: Knot;
let port: number;
let supervisor: Supervisor;
let router: ReturnType<typeof createRouter>;
const names = Array.from({ length: 24 }, (_, i) => `f${i}.example.test`);

before(async () => {
  knot = await startKnot();
  port = await freePort();
  const config = dnsConfig.parse({
    enabled: true,
    workers: 2,
    listen: [`127.0.0.1:${port}`],
    upstreams: [`127.0.0.1:${knot.port}`],
    healthCheck: { probeName: 'example.test.' },
  });
  supervisor = new Supervisor({ engines: [{ name: 'dns', config }], dataDir: tempDir('fan-out'), log: quietLog, backoff: { initialMs: 100 } });
  await supervisor.start();
  router = createRouter(supervisor, { version: 'test', startedAt: Date.now() });
  // Each kdig uses its own source port, so the kernel spreads these over both workers' sockets.
  for (const name of names) assert.equal(status(await kdig(port, [name, 'A'])), 'NXDOMAIN');
});
after(async () => {
  await supervisor?.stop();
  await knot?.stop();
});

const call = async <T>(method: string, params: unknown = {}) => (await router.call(method as never, params as never)) as T;
/** Each worker's own answer, asked directly. */
const each = async <T>(method: string, params: unknown = {}) =>
  Promise.all(supervisor.workerClients('dns').map((client) => client!.call(method, params) as Promise<T>));

const checks: Record<keyof typeof dnsApi.procedures, () => Promise<void>> = {
  async 'dns.stats'() {
    const [merged, workers] = [await call<DnsStats>('dns.stats'), await each<DnsStats>('dns.stats')];
    assert.equal(merged.queries, names.length);
    assert.equal(merged.queries, workers[0]!.queries + workers[1]!.queries);
    assert.equal(merged.rcodes.NXDOMAIN, names.length);
    assert.equal(merged.cache!.misses, workers[0]!.cache!.misses + workers[1]!.cache!.misses);
    assert.equal(merged.startedAt, Math.min(workers[0]!.startedAt, workers[1]!.startedAt));
    assert.equal(merged.upstreams.length, 1);
    assert.equal(merged.upstreams[0]!.sent, workers[0]!.upstreams[0]!.sent + workers[1]!.upstreams[0]!.sent);
  },
  async 'dns.recentQueries'() {
    const { entries } = await call<{ entries: QueryLogEntry[] }>('dns.recentQueries', { limit: 100 });
    assert.deepEqual(new Set(entries.map((entry) => entry.qname)), new Set(names));
    assert.equal(new Set(entries.map((entry) => entry.seq)).size, names.length);
    const limited = await call<{ entries: QueryLogEntry[] }>('dns.recentQueries', { limit: 5 });
    assert.deepEqual(limited.entries, entries.slice(-5), 'the newest 5 of both workers');
  },
  async 'dns.top'() {
    const top = await call<{ names: { count: number }[]; clients: { key: string; count: number }[] }>('dns.top', { limit: 100 });
    assert.equal(
      top.names.reduce((total, name) => total + name.count, 0),
      names.length,
    );
    assert.deepEqual(top.clients, [{ key: '127.0.0.1', count: names.length }]);
  },
  async 'dns.history'() {
    // A second is recorded once it is over: ask until the one of the last query is (3 s at most).
    let counted = 0;
    for (let tries = 0; tries < 30 && counted < names.length; tries++) {
      if (tries) await new Promise((resolve) => setTimeout(resolve, 100));
      const { seconds } = await call<{ seconds: { queries: number }[] }>('dns.history', { seconds: 600 });
      counted = seconds.reduce((total, second) => total + second.queries, 0);
    }
    assert.equal(counted, names.length);
  },
  async 'dns.setUpstream'() {
    const address = `127.0.0.1:${knot.port}`;
    await call('dns.setUpstream', { address, enabled: false });
    for (const stats of await each<DnsStats>('dns.stats')) assert.equal(stats.upstreams[0]!.enabled, false, 'every worker took it out');
    assert.equal((await call<DnsStats>('dns.stats')).upstreams[0]!.enabled, false);
    await call('dns.setUpstream', { address, enabled: true });
    for (const stats of await each<DnsStats>('dns.stats')) assert.equal(stats.upstreams[0]!.enabled, true);
  },
  async 'dns.cacheFlush'() {
    const before = (await each<DnsStats>('dns.stats')).reduce((total, stats) => total + stats.cache!.entries, 0);
    assert.ok(before > 0, 'negative answers were cached');
    assert.deepEqual(await call('dns.cacheFlush', {}), { removed: before });
    assert.equal((await call<DnsStats>('dns.stats')).cache!.entries, 0);
  },
  async 'dns.configGet'() {
    const { config } = await call<{ config: { workers: unknown } }>('dns.configGet');
    assert.equal(config.workers, 2);
  },
  async 'dns.configSet'() {
    const { config } = await call<{ config: Record<string, unknown> }>('dns.configGet');
    const next = { ...config, queryTimeoutMs: 2500 };
    await call('dns.configSet', { config: next });
    for (const answer of await each<{ config: { queryTimeoutMs: number } }>('dns.configGet'))
      assert.equal(answer.config.queryTimeoutMs, 2500, 'every worker applied it');
  },
  async 'dns.packet'() {
    const { entries } = await call<{ entries: QueryLogEntry[] }>('dns.recentQueries', { limit: 100 });
    for (const entry of entries)
      assert.equal((await call<{ entry: QueryLogEntry }>('dns.packet', { seq: entry.seq })).entry.qname, entry.qname, `query ${entry.seq} from its worker`);
  },
  async 'dns.pcap'() {
    const merged = await call<{ packets: number; base64: string }>('dns.pcap', { limit: 1000 });
    const workers = await each<{ packets: number; base64: string }>('dns.pcap', { limit: 1000 });
    assert.equal(merged.packets, workers[0]!.packets + workers[1]!.packets);
    assert.equal(
      Buffer.from(merged.base64, 'base64').length,
      workers.reduce((total, file) => total + Buffer.from(file.base64, 'base64').length - 24, 24),
      'one header, every record',
    );
  },
};

describe('every dns.* procedure against 2 workers', () => {
  it('runs two worker processes', () => assert.equal(supervisor.workerClients('dns').filter(Boolean).length, 2));
  for (const method of Object.keys(dnsApi.procedures) as (keyof typeof checks)[]) it(method, () => checks[method]());
});
