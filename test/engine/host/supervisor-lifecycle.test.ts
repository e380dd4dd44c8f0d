// Restart, upgrade and stop asked for at the same time, on every engine the host runs: each
// engine's processes change one operation at a time, a restart asked for during another joins it,
// and afterwards the engine processes of this host are exactly the ones the supervisor reports
// (counted from /proc), each listening port held by one engine process.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { EngineName } from '../../../engine/api/host.ts';
import { Supervisor } from '../../../engine/host/supervisor.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { freePort } from '../../helpers/knot.ts';
import { childPids } from '../../helpers/serve-process.ts';
import { waitFor } from '../../helpers/wait.ts';

const names: EngineName[] = ['echo', 'vault', 'bundler', 'railgun', 'dns'];
/** Processes of the engines above: one each, two DNS workers. */
const processCount = 6;

function supervisorOf(engines: EngineName[], ports: { dns: number; railgun: number }): Supervisor {
  const configs: Record<EngineName, unknown> = {
    echo: { enabled: true, tickMs: 1000 },
    vault: { enabled: true },
    bundler: { enabled: true },
    railgun: { enabled: true, listen: `127.0.0.1:${ports.railgun}` },
    dns: { enabled: true, workers: 2, listen: [`127.0.0.1:${ports.dns}`], upstreams: ['127.0.0.1:9'], queryTimeoutMs: 500 },
  };
  return new Supervisor({
    engines: engines.map((name) => ({ name, config: configs[name] })),
    dataDir: tempDir('lifecycle'),
    log: quietLog,
    backoff: { initialMs: 100 },
    drainTimeoutMs: 500,
  });
}

/** Engine processes this test process forked, from /proc: what is really running. */
function engineProcesses(): number[] {
  return childPids(process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('engine-process');
      } catch {
        return false; // exited meanwhile
      }
    })
    .sort();
}

function reportedProcesses(supervisor: Supervisor): number[] {
  return supervisor
    .snapshot()
    .engines.flatMap((engine) => engine.processes.map((p) => p.pid))
    .sort();
}

/** The pids holding a listening TCP socket on this port (ss -p). */
function listeners(port: number): number[] {
  const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  return [...new Set([...out.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1])))];
}

async function assertNoOrphans(supervisor: Supervisor, count: number): Promise<void> {
  await waitFor(
    () => {
      const real = engineProcesses();
      return real.length === count && JSON.stringify(real) === JSON.stringify(reportedProcesses(supervisor));
    },
    `exactly the ${count} engine processes the supervisor reports (now ${engineProcesses().join(', ')}; reported ${reportedProcesses(supervisor).join(', ')})`,
    15_000,
  );
}

let ports: { dns: number; railgun: number };
let supervisor: Supervisor;
before(async () => {
  ports = { dns: await freePort(), railgun: await freePort() };
  supervisor = supervisorOf(names, ports);
  await supervisor.start();
  await assertNoOrphans(supervisor, processCount);
});
after(() => supervisor.stop());

const state = (s: Supervisor, name: EngineName) => s.snapshot().engines.find((engine) => engine.name === name)!;

describe('engine lifecycle under concurrent requests', () => {
  it('joins a second restart asked for while one runs: every engine keeps one process per worker', async () => {
    for (const name of names) {
      const before = state(supervisor, name).restarts;
      await Promise.all([supervisor.restart(name), supervisor.restart(name)]);
      assert.equal(state(supervisor, name).restarts, before + 1, name);
      assert.equal(state(supervisor, name).status, 'running', name);
    }
    await assertNoOrphans(supervisor, processCount);
    const railgun = state(supervisor, 'railgun').pid;
    assert.deepEqual(listeners(ports.railgun), [railgun]);
    // An orphaned vault would hold the vault's lock and the real one would crash in a loop.
    assert.equal(supervisor.snapshot().events.filter((event) => event.kind === 'crashed').length, 0);
  });

  it('runs a restart asked for during an upgrade after it, with no process left over', async () => {
    const [upgrade] = await Promise.all([supervisor.upgrade('dns'), supervisor.restart('dns')]);
    assert.equal(upgrade.phase, 'done', upgrade.message);
    assert.equal(state(supervisor, 'dns').processes.length, 2);
    await assertNoOrphans(supervisor, processCount);
  });

  it('refuses a second upgrade while one runs', async () => {
    const first = supervisor.upgrade('dns');
    await assert.rejects(supervisor.upgrade('dns'), { code: 'E_UPGRADE_RUNNING' });
    assert.equal((await first).phase, 'done');
    await assertNoOrphans(supervisor, processCount);
  });

  it('leaves no engine process when restarts of every engine and stop are asked for at once', async () => {
    await Promise.all([...names.flatMap((name) => [supervisor.restart(name), supervisor.restart(name)]), supervisor.stop()]);
    assert.deepEqual(engineProcesses(), []);
    for (const name of names) assert.equal(state(supervisor, name).status, 'stopped', name);
  });

  it('leaves no engine process when the host stops during an upgrade', async () => {
    const dnsOnly = supervisorOf(['dns'], { dns: await freePort(), railgun: 0 });
    await dnsOnly.start();
    const upgrade = dnsOnly.upgrade('dns');
    await waitFor(() => dnsOnly.snapshot().engines[0]!.upgrade?.phase === 'probing', 'the new process to start');
    await dnsOnly.stop();
    assert.equal((await upgrade).phase, 'rolled back');
    assert.deepEqual(engineProcesses(), []);
  });
});
