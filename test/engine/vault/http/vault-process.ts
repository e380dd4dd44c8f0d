// `signalbox vault` as a child process (the built command: npm run build first), once it has
// printed its URL. Its stderr (the JSON log) is kept for the test to read.
import { spawn, type ChildProcess } from 'node:child_process';
import { bin } from '../../../helpers/serve-process.ts';

export interface VaultProcess {
  child: ChildProcess;
  /** https://HOST:PORT, without the trailing slash. */
  url: string;
  port: number;
  /** Everything the process wrote to stderr so far. */
  log: () => string;
}

export async function spawnSignalboxVault(args: string[]): Promise<VaultProcess> {
  const child = spawn(process.execPath, [bin, 'vault', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk) => (log += chunk));
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signalbox vault printed no URL:\n${log}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /Red October API\): (https:\/\/\S+)\//.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`signalbox vault exited with ${code}:\n${log}`));
    });
  });
  return { child, url, port: Number(new URL(url).port), log: () => log };
}
