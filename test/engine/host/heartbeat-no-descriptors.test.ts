// An engine process that runs out of file descriptors (a connection flood: "too many open files")
// keeps running: the heartbeat's memory sample, which opens /proc each time, fails and goes
// without the resident size, and comes back once descriptors are free. The limit is lowered on the
// real engine process with prlimit(1), as a flood would leave it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { echoSupervisor } from '../../helpers/host.ts';
import { waitFor } from '../../helpers/wait.ts';

const supervisor = echoSupervisor();
after(() => supervisor.stop());
const echo = () => supervisor.snapshot().engines.find((engine) => engine.name === 'echo')!;

describe('engine heartbeat without file descriptors', () => {
  it('keeps the engine running while the memory sample fails with EMFILE, and reports memory again after', async () => {
    await supervisor.start();
    const pid = await waitFor(() => echo().rssBytes !== null && echo().pid, 'a first heartbeat');
    // Below what the process already has open: every open() now fails with EMFILE.
    execFileSync('prlimit', ['--pid', String(pid), '--nofile=3:']);
    await waitFor(() => echo().rssBytes === null, 'a heartbeat without the resident size');
    assert.deepEqual(await supervisor.client('echo')!.call('echo.echo', { text: 'no descriptors' }), { text: 'no descriptors' });
    execFileSync('prlimit', ['--pid', String(pid), '--nofile=1024:']);
    await waitFor(() => echo().rssBytes !== null, 'the resident size again');
    assert.equal(echo().pid, pid);
    assert.equal(echo().restarts, 0);
    assert.deepEqual(
      supervisor.snapshot().events.map((event) => event.kind),
      ['started'],
    );
  });
});
