// Zero-downtime upgrade of the DNS engine under load, with Knot DNS as the upstream (a real peer)
// behind a relay that delays its answers by 25 ms, so that misses are always pending: a new
// process from the code on disk takes over the shared sockets, answers a probe, gets the cache,
// and the old one drains — no query is lost. A new process that fails is rolled back.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { dnsConfig } from '../../../engine/api/dns.ts';
import { Supervisor } from '../../../engine/host/supervisor.ts';
import { startDelayedUpstream, steadyLoad, type DelayedUpstream } from '../../helpers/dns-load.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { freePort, kdig, startKnot, status, type Knot } from '../../helpers/knot.ts';
import { waitFor } from '../../helpers/wait.ts';

const realEntry = fileURLToPath(new URL('../../../engine/host/engine-process.ts', import.meta.url));
let knot: Knot;
let upstream: DelayedUpstream;
let port: number;
let supervisor: Supervisor;
/** The engine entry the supervisor runs: a file the test can replace, as a deploy replaces code on disk. */
const entry = join(tempDir('upgrade'), 'engine-process.ts');
const deploy = (code: string) => writeFileSync(entry, code);

before(async () => {
  knot = await startKnot();
  upstream = await startDelayedUpstream(knot.port, 25);
  port = await freePort();
  deploy(`import ${JSON.stringify(realEntry)};\n`);
  const config = dnsConfig.parse({
    enabled: true,
    listen: [`127.0.0.1:${port}`],
    upstreams: [`127.0.0.1:${upstream.port}`],
    healthCheck: { probeName: 'example.test.' },
  });
  supervisor = new Supervisor({ engines: [{ name: 'dns', config }], dataDir: tempDir('upgrade-data'), log: quietLog, entry, drainTimeoutMs: 3000 });
  await supervisor.start();
});
after(async () => {
  await supervisor?.stop();
  upstream?.close();
  await knot?.stop();
});

const dnsState = () => supervisor.snapshot().engines.find((engine) => engine.name === 'dns')!;

describe('DNS engine upgrade in place (knot upstream)', () => {
  it('loses no query under steady load while it upgrades twice, and carries the cache over', { timeout: 60_000 }, async () => {
    assert.equal(status(await kdig(port, ['www.example.test', 'A'])), 'NOERROR');
    const firstPid = dnsState().pid;
    const load = steadyLoad(port, { qps: 2000, seconds: 6, names: ['www.example.test', 'mail.example.test', 'example.test'], missZone: 'example.test' });
    const upgrades = [];
    for (const at of [1500, 3500]) {
      await new Promise((resolve) => setTimeout(resolve, at - (upgrades.length ? 1500 : 0)));
      upgrades.push(await supervisor.upgrade('dns'));
    }
    const result = await load.done;
    for (const upgrade of upgrades) assert.equal(upgrade.phase, 'done', upgrade.message);
    assert.ok(upgrades[0]!.from && upgrades[0]!.to, 'versions of both processes are known');
    assert.notEqual(dnsState().pid, firstPid);
    assert.equal(result.lost, 0, `${result.lost} of ${result.sent} queries lost (p99 ${result.p99Ms.toFixed(1)} ms)`);
    assert.equal(result.answered, result.sent);
    // The new process got the cache: www.example.test is a hit there, its TTL already counting down.
    const ttl = Number(/www\.example\.test\.\s+(\d+)/.exec(await kdig(port, ['www.example.test', 'A']))?.[1]);
    assert.ok(ttl < 300, `TTL ${ttl} was decremented: served from the carried cache`);
  });

  it('rolls back when the new code does not start, and the old process keeps answering', { timeout: 30_000 }, async () => {
    const servingPid = dnsState().pid;
    deploy('process.exit(3);\n');
    try {
      const upgrade = await supervisor.upgrade('dns');
      assert.equal(upgrade.phase, 'rolled back');
      assert.match(upgrade.message, /exited or did not report ready/);
      assert.equal(dnsState().pid, servingPid);
      assert.equal(dnsState().status, 'running');
      assert.equal(status(await kdig(port, ['www.example.test', 'A'])), 'NOERROR');
      assert.ok(supervisor.snapshot().events.some((event) => event.kind === 'upgrade failed'));
    } finally {
      deploy(`import ${JSON.stringify(realEntry)};\n`);
    }
    await waitFor(() => dnsState().status === 'running', 'the engine');
    assert.equal((await supervisor.upgrade('dns')).phase, 'done');
  });
});
