// The vault's writer lock file goes with its process on every exit path Node lets code see, so
// that a crashed vault does not leave a lock behind for a process whose pid may be reused. Each
// case runs in a child process that takes the lock and then ends that way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { tempDir } from '../../../helpers/host.ts';

const lockModule = fileURLToPath(new URL('../../../../engine/vault/storage/writer-lock.ts', import.meta.url));

/** Runs `then` in a child after it took the lock of `vault`; its exit code and stderr. */
function lockThen(vault: string, then: string): { status: number | null; stderr: string } {
  const script = `import { acquireWriterLock } from ${JSON.stringify(lockModule)};
const lock = await acquireWriterLock(${JSON.stringify(vault)});
process.stdout.write('locked\\n');
${then}`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.match(run.stdout, /^locked$/m, run.stderr);
  return { status: run.status, stderr: run.stderr };
}

describe('vault writer lock', () => {
  const cases: [string, string, number][] = [
    ['an uncaught error', "setTimeout(() => { throw new Error('a bug'); }, 1);", 1],
    ['an unhandled rejection', "setTimeout(() => Promise.reject(new Error('a bug')), 1);", 1],
    ['process.exit', 'setTimeout(() => process.exit(3), 1);', 3],
    ['the end of the event loop', 'void lock;', 0],
    ['release()', 'await lock.release();', 0],
  ];
  for (const [how, then, code] of cases) {
    it(`is gone after ${how}`, () => {
      const vault = join(tempDir('writer-lock'), 'vault.json');
      const run = lockThen(vault, then);
      assert.equal(run.status, code, run.stderr);
      assert.equal(existsSync(`${vault}.lock`), false, `no ${vault}.lock after ${how}`);
    });
  }

  it('stays while a process that handles uncaught errors itself lives on', () => {
    const vault = join(tempDir('writer-lock'), 'vault.json');
    const lockFile = JSON.stringify(`${vault}.lock`);
    const run = lockThen(
      vault,
      `const { existsSync } = await import('node:fs');
process.on('uncaughtException', () => {
  process.stderr.write(existsSync(${lockFile}) ? 'still locked\\n' : 'lock gone\\n');
  process.exit(0);
});
setTimeout(() => { throw new Error('handled'); }, 1);`,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^still locked$/m);
    assert.equal(existsSync(`${vault}.lock`), false, 'and gone at exit');
  });
});
