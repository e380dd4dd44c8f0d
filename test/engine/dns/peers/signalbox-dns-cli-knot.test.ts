// `signalbox dns` (the built command) in front of a real Knot DNS upstream, queried with kdig.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { bin, stopProcess } from '../../../helpers/serve-process.ts';
import { freePort, kdig, startKnot, type Knot } from '../../../helpers/knot.ts';
import { waitFor } from '../../../helpers/wait.ts';

let knot: Knot;
before(async () => {
  knot = await startKnot();
});
after(() => knot?.stop());

describe('signalbox dns command (knot, kdig)', () => {
  it('forwards to the upstream given with --upstream and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'dns', '--listen', `127.0.0.1:${port}`, '--upstream', `127.0.0.1:${knot.port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await waitFor(async () => /192\.0\.2\.10/.test(await kdig(port, ['www.example.test', 'A'], 500)), 'signalbox dns to answer', 10_000, 100);
    } finally {
      assert.equal(await stopProcess(child), 0);
    }
  });
});
