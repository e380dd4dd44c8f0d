import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { HostSnapshot } from '../../../engine/api/host.ts';
import { createRouter } from '../../../engine/host/router.ts';
import { echoSupervisor } from '../../helpers/host.ts';
import { waitFor } from '../../helpers/wait.ts';

const supervisor = echoSupervisor();
const router = createRouter(supervisor, { version: '0.0.0-test', startedAt: Date.now() });
after(() => supervisor.stop());

describe('router', () => {
  it('answers host procedures itself and forwards the rest to the engine', async () => {
    await supervisor.start();
    const info = (await router.call('host.info', {})) as { version: string; node: string };
    assert.equal(info.version, '0.0.0-test');
    assert.equal(info.node, process.versions.node);
    assert.deepEqual(await router.call('echo.echo', { text: 'via router' }), { text: 'via router' });
  });

  it('says which engine is unavailable and why', async () => {
    await assert.rejects(router.call('dns.stats', {}), {
      code: 'E_ENGINE_UNAVAILABLE',
      message: "the dns engine is not enabled in this host's config",
    });
  });

  it('keeps an engine stream alive across a crash of the engine', async () => {
    const ticks: number[] = [];
    const stop = router.subscribe(
      'echo.ticks',
      {},
      (event) => ticks.push((event as { n: number }).n),
      (error) => {
        assert.fail(`the stream ended: ${error?.message}`);
      },
    );
    await waitFor(() => ticks.length >= 2, 'ticks before the crash');
    process.kill(supervisor.snapshot().engines[0]!.pid!, 'SIGKILL');
    // The new process counts from 1 again: a 1 after a higher number shows the re-attached stream.
    await waitFor(() => ticks.lastIndexOf(1) > 0 && ticks.length > ticks.lastIndexOf(1) + 1, 'ticks from the new process');
    stop();
  });

  it('streams engine snapshots on change', async () => {
    const snapshots: HostSnapshot[] = [];
    const stop = router.subscribe(
      'host.watchEngines',
      {},
      (event) => snapshots.push(event as HostSnapshot),
      () => {},
    );
    await waitFor(() => snapshots.length >= 1, 'the first snapshot');
    await supervisor.restart('echo');
    await waitFor(() => snapshots.some((s) => s.engines[0]!.status === 'stopping'), 'a snapshot showing the restart');
    stop();
  });
});
