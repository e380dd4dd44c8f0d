// A supervisor running the echo engine from the sources, for tests of the host.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../engine/api/engine.ts';
import { Supervisor, type SupervisorOptions } from '../../engine/host/supervisor.ts';

export const quietLog: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => quietLog,
};

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sbx-${prefix}-`));
}

export function echoSupervisor(options: Partial<SupervisorOptions> = {}): Supervisor {
  return new Supervisor({
    engines: [{ name: 'echo', config: { enabled: true, tickMs: 50 } }],
    dataDir: tempDir('data'),
    log: quietLog,
    backoff: { initialMs: 50, maxMs: 400, resetAfterMs: 60_000 },
    ...options,
  });
}
