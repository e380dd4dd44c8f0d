import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Supervisor } from '../../../engine/host/supervisor.ts';
import { echoSupervisor } from '../../helpers/host.ts';
import { processExists, waitFor } from '../../helpers/wait.ts';

const running: Supervisor[] = [];
after(() => Promise.all(running.map((supervisor) => supervisor.stop())));

async function started(supervisor = echoSupervisor()): Promise<Supervisor> {
  running.push(supervisor);
  await supervisor.start();
  return supervisor;
}

const echoState = (supervisor: Supervisor) => supervisor.snapshot().engines.find((e) => e.name === 'echo')!;

describe('supervisor', () => {
  it('runs an engine in its own process and reaches it over RPC', async () => {
    const supervisor = await started();
    const state = echoState(supervisor);
    assert.equal(state.status, 'running');
    assert.ok(state.pid && state.pid !== process.pid);
    const status = (await supervisor.client('echo')!.call('echo.status', {})) as { pid: number };
    assert.equal(status.pid, state.pid);
    await waitFor(() => echoState(supervisor).rssBytes, 'a heartbeat with memory');
  });

  it('restarts an engine killed with SIGKILL and records the crash', async () => {
    const supervisor = await started();
    const before = echoState(supervisor).pid!;
    process.kill(before, 'SIGKILL');
    const after = await waitFor(() => {
      const state = echoState(supervisor);
      return state.status === 'running' && state.pid !== before && state;
    }, 'the engine to run again');
    assert.equal(after.restarts, 1);
    assert.equal(after.lastExit?.signal, 'SIGKILL');
    const kinds = supervisor.snapshot().events.map((event) => event.kind);
    assert.deepEqual(kinds, ['started', 'crashed', 'started']);
    assert.match(supervisor.snapshot().events[1]!.message, /echo killed by SIGKILL; restarting in 50 ms/);
    assert.deepEqual(await supervisor.client('echo')!.call('echo.echo', { text: 'back' }), { text: 'back' });
  });

  it('backs off exponentially while an engine keeps crashing', async () => {
    const supervisor = await started();
    for (let crash = 1; crash <= 4; crash++) {
      await waitFor(() => echoState(supervisor).status === 'running', `echo running before crash ${crash}`);
      process.kill(echoState(supervisor).pid!, 'SIGKILL');
      await waitFor(() => supervisor.snapshot().events.filter((e) => e.kind === 'crashed').length >= crash, `crash ${crash}`);
    }
    const delays = supervisor
      .snapshot()
      .events.filter((e) => e.kind === 'crashed')
      .map((e) => e.message.match(/restarting in (\d+) ms/)?.[1]);
    assert.deepEqual(delays.slice(0, 4), ['50', '100', '200', '400']);
    await supervisor.stop();
    assert.equal(echoState(supervisor).status, 'stopped');
  });

  it('does not restart an engine whose config it refused at start, and says why', async () => {
    // tickMs below the schema minimum makes the echo engine throw during start; a retry would too.
    const supervisor = echoSupervisor({ engines: [{ name: 'echo', config: { tickMs: 1 } }] });
    running.push(supervisor);
    await supervisor.start();
    await waitFor(() => echoState(supervisor).status === 'failed', 'echo failed');
    const state = echoState(supervisor);
    assert.equal(state.lastError?.code, 'E_ENGINE_CONFIG');
    assert.equal(state.lastError?.retrying, false);
    assert.match(state.lastError!.message, /tickMs/);
    assert.equal(state.restartAt, null);
    assert.equal(state.restarts, 0);
    assert.match(supervisor.snapshot().events.at(-1)!.message, /echo cannot start: .*tickMs.*\[E_ENGINE_CONFIG\]\. Not restarting it/);
    assert.equal(supervisor.client('echo'), undefined);
    // An operator's restart tries again (and fails again the same way).
    await supervisor.restart('echo');
    await waitFor(() => echoState(supervisor).status === 'failed' && echoState(supervisor).restarts === 1, 'echo failed again after a restart');
  });

  it('restarts an engine on request with a new process', async () => {
    const supervisor = await started();
    const before = echoState(supervisor).pid!;
    await supervisor.restart('echo');
    const state = echoState(supervisor);
    assert.equal(state.status, 'running');
    assert.notEqual(state.pid, before);
    assert.equal(state.restarts, 1);
    assert.equal(processExists(before), false);
  });

  it('stops every engine process and does not restart them', async () => {
    const supervisor = await started();
    const pid = echoState(supervisor).pid!;
    await supervisor.stop();
    assert.equal(processExists(pid), false);
    assert.equal(echoState(supervisor).status, 'stopped');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(echoState(supervisor).status, 'stopped');
  });
});
