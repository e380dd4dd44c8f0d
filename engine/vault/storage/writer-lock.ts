// One writer per vault file: a lock file made with O_EXCL holding the owner's pid. A lock left by
// a process that no longer exists (kill -9) is taken over; a live owner is refused with its pid.
// The lock file goes with the process on every exit Node lets code see: release(), process.exit,
// the end of the event loop, and an uncaught error or unhandled rejection (which skip 'exit').
import { constants, rmSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';

export class VaultLockedError extends Error {
  readonly code = 'E_VAULT_LOCKED';
}

export interface WriterLock {
  release(): Promise<void>;
}

export async function acquireWriterLock(vaultPath: string): Promise<WriterLock> {
  const path = `${vaultPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return heldUntilExit(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new VaultLockedError(`the vault ${vaultPath} is open in another process (pid ${owner})`);
      }
      // Left behind by a process that died: take it over.
      await rm(path, { force: true });
    }
  }
  throw new VaultLockedError(`cannot take the lock ${path}`);
}

function heldUntilExit(path: string): WriterLock {
  const removeNow = () => rmSync(path, { force: true });
  // Called before Node prints the error and exits, without changing that behaviour; a process
  // that handles uncaught errors itself lives on, and keeps its lock.
  const removeIfDying = () => {
    if (process.listenerCount('uncaughtException') === 0) removeNow();
  };
  process.once('exit', removeNow);
  process.on('uncaughtExceptionMonitor', removeIfDying);
  return {
    release: () => {
      process.off('exit', removeNow).off('uncaughtExceptionMonitor', removeIfDying);
      return rm(path, { force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
