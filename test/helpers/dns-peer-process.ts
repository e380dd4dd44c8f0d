// Starts a DNS server program from apt (named, unbound) and waits until a kdig probe gets NOERROR;
// a program that exits or never answers is stopped and its stderr (and `detail`) reported.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { kdig, status } from './knot.ts';
import { waitFor } from './wait.ts';

export interface PeerProcess {
  stop(): Promise<void>;
}

export async function startDnsPeer(
  command: string,
  args: string[],
  probe: { port: number; query: string[]; timeoutMs: number },
  detail: () => string = () => '',
): Promise<PeerProcess> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${command} exited: ${stderr}${detail()}`);
        return status(await kdig(probe.port, probe.query, 300)) === 'NOERROR';
      },
      `${command} to answer`,
      probe.timeoutMs,
      100,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
