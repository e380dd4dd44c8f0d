// `signalbox dns` (the built command) in front of a real Knot DNS upstream, queried with kdig.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../../helpers/host.ts';
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

  it('reloads its config file on SIGHUP without a restart, and keeps the old one when the file is bad', async () => {
    const port = await freePort();
    const file = join(tempDir('dns-cli'), 'signalbox.yaml');
    const write = (flatten: string) =>
      writeFileSync(
        file,
        `engines:\n  dns:\n    listen: ["127.0.0.1:${port}"]\n    upstreams: ["127.0.0.1:${knot.port}"]\n    flatten:\n      names: [${flatten}]\n`,
      );
    write('');
    const child = spawn(process.execPath, [bin, 'dns', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    try {
      await waitFor(async () => /192\.0\.2\.10/.test(await kdig(port, ['www.example.test', 'A'], 500)), 'signalbox dns to answer', 10_000, 100);
      assert.match(await kdig(port, ['alias.example.test', 'A']), /CNAME/);
      write('"alias.example.test"');
      child.kill('SIGHUP');
      await waitFor(
        async () => /alias\.example\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.10/.test(await kdig(port, ['alias.example.test', 'A'], 500)),
        'the flattened answer after SIGHUP',
        30_000,
        100,
      );
      writeFileSync(file, 'engines:\n  dns:\n    rrl: { slip: 99 }\n');
      child.kill('SIGHUP');
      // An upgrade forks new engine processes: on a loaded 2-core machine that takes seconds, not ms.
      await waitFor(() => /config not reloaded/.test(stderr), 'the refused reload to be logged', 30_000);
      assert.match(stderr, /rrl\.slip/);
      assert.match(await kdig(port, ['alias.example.test', 'A']), /IN\s+A\s+192\.0\.2\.10/, 'the old config still runs');
    } finally {
      assert.equal(await stopProcess(child), 0);
    }
  });
});
