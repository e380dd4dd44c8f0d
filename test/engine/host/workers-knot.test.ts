// The DNS engine as two worker processes on the same sockets, with Knot DNS as the upstream (a
// real peer, behind a relay that delays answers by 25 ms): the console sees one engine, a worker
// killed with SIGKILL under load costs only its own in-flight queries and is replaced, and an
// upgrade goes worker by worker without losing a query.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dnsConfig, type DnsStats, type QueryLogEntry } from '../../../engine/api/dns.ts';
import type { EngineUpgrade } from '../../../engine/api/host.ts';
import { createRouter } from '../../../engine/host/router.ts';
import { Supervisor } from '../../../engine/host/supervisor.ts';
import { startDelayedUpstream, steadyLoad, type DelayedUpstream } from '../../helpers/dns-load.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { freePort, kdig, startKnot, status, type Knot } from '../../helpers/knot.ts';
import { waitFor } from '../../helpers/wait.ts';

let knot: Knot;
let upstream: DelayedUpstream;
let port: number;
let supervisor: Supervisor;
let router: ReturnType<typeof createRouter>;

before(async () => {
  knot = await startKnot();
  upstream = await startDelayedUpstream(knot.port, 25);
  port = await freePort();
  const config = dnsConfig.parse({
    enabled: true,
    workers: 2,
    listen: [`127.0.0.1:${port}`],
    upstreams: [`127.0.0.1:${upstream.port}`],
    healthCheck: { probeName: 'example.test.' },
  });
  supervisor = new Supervisor({
    engines: [{ name: 'dns', config }],
    dataDir: tempDir('workers'),
    log: quietLog,
    drainTimeoutMs: 3000,
    backoff: { initialMs: 100 },
  });
  await supervisor.start();
  router = createRouter(supervisor, { version: 'test', startedAt: Date.now() });
});
after(async () => {
  await supervisor?.stop();
  upstream?.close();
  await knot?.stop();
});

const dns = () => supervisor.snapshot().engines.find((engine) => engine.name === 'dns')!;
const running = () => dns().processes.filter((process) => process.status === 'running');

describe('DNS engine with 2 workers (knot upstream)', () => {
  it('runs two processes and answers the API as one engine', async () => {
    assert.equal(running().length, 2);
    for (let i = 0; i < 20; i++) assert.equal(status(await kdig(port, [`w${i}.example.test`, 'A'])), 'NXDOMAIN');
    const stats = (await router.call('dns.stats', {})) as DnsStats;
    assert.equal(stats.queries, 20);
    const { entries } = (await router.call('dns.recentQueries', { limit: 100 })) as { entries: QueryLogEntry[] };
    assert.equal(entries.length, 20);
    assert.equal(new Set(entries.map((entry) => entry.seq)).size, 20, 'query-log numbers are unique across workers');
    const packet = (await router.call('dns.packet', { seq: entries[7]!.seq })) as { entry: QueryLogEntry };
    assert.equal(packet.entry.qname, entries[7]!.qname);
  });

  it('keeps answering when a worker is killed under load, and replaces it', { timeout: 40_000 }, async () => {
    const load = steadyLoad(port, { qps: 2000, seconds: 5, names: ['www.example.test', 'mail.example.test'], missZone: 'example.test' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const victim = running()[0]!;
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(() => running().length === 2 && running().every((p) => p.pid !== victim.pid), 'the killed worker to be replaced', 10_000);
    const recoveryMs = Date.now() - killedAt;
    const result = await load.done;
    // Only what the killed worker had read and not answered is lost: at most its share of 25 ms of load.
    assert.ok(result.lost <= 60, `${result.lost} of ${result.sent} lost`);
    assert.ok(
      supervisor.snapshot().events.some((event) => event.kind === 'crashed' && /worker \d killed by SIGKILL.*1 other worker serving/.test(event.message)),
    );
    console.log(`# worker killed: ${result.lost} of ${result.sent} lost, replaced in ${recoveryMs} ms, p99 ${result.p99Ms.toFixed(1)} ms`);
  });

  it('upgrades worker by worker under load without losing a query', { timeout: 40_000 }, async () => {
    const before = running().map((process) => process.pid);
    const load = steadyLoad(port, { qps: 2000, seconds: 5, names: ['www.example.test'], missZone: 'example.test' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const upgrade = (await router.call('host.upgradeEngine', { name: 'dns' })) as EngineUpgrade;
    const result = await load.done;
    assert.equal(upgrade.phase, 'done', upgrade.message);
    assert.equal(result.lost, 0, `${result.lost} of ${result.sent} lost`);
    assert.deepEqual(
      running().filter((process) => before.includes(process.pid)),
      [],
    );
  });
});
