// Runs the built `signalbox` command (dist/, made by `npm run build`) as a separate process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addOperator, createApiToken, type Operator } from './serve-auth.ts';

export const bin = fileURLToPath(new URL('../../bin/signalbox.js', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  /** The console's URL (no secret in it). */
  url: string;
  port: number;
  /** An API token (admin, scope api) for programs: Authorization: Bearer. Empty with `operators: false`. */
  token: string;
  /** An admin operator to sign in as (browsers). */
  admin: Operator;
  /** The data folder (--data-dir): add more operators there with serve-auth.ts's addOperator. */
  dataDir: string;
  /** The one-time setup link serve printed (only when the data folder had no operator). */
  setupUrl: string | null;
  stdout: () => string;
  stderr: () => string;
}

export interface ServeProcessOptions {
  /** false: start with no operator at all (serve prints the setup link). Default: an admin and an admin API token. */
  operators?: boolean;
  timeoutMs?: number;
}

/**
 * Starts `signalbox serve --port 0` and resolves once it has printed its URL. `args` must hold
 * --data-dir; unless told otherwise an admin operator `admin` and an API token `test-admin` are
 * made there first with `signalbox operators` (kept when the folder has them from a former start).
 */
export async function startServeProcess(args: string[] = [], options: ServeProcessOptions | number = {}): Promise<ServeProcess> {
  const { operators = true, timeoutMs = 20_000 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const dataDir = args[args.indexOf('--data-dir') + 1];
  if (!args.includes('--data-dir') || !dataDir) throw new Error('startServeProcess: pass --data-dir DIR (operators and sessions live there)');
  const credentials = join(dataDir, 'test-credentials.json');
  let admin: Operator = { name: '', password: '' };
  let token = '';
  if (operators && existsSync(credentials)) ({ admin, token } = JSON.parse(readFileSync(credentials, 'utf8')) as { admin: Operator; token: string });
  else if (operators) {
    admin = addOperator(dataDir, 'admin', 'admin');
    token = createApiToken(dataDir, 'test-admin', 'admin', 'api');
    writeFileSync(credentials, JSON.stringify({ admin, token }), { mode: 0o600 });
  }
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(/Signalbox console: (\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing a URL:\n${stderr}`)));
  });
  const parsed = new URL(url);
  // The setup line follows the URL line in the same write, or just after it.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const setupUrl = stdout.match(/Signalbox setup: .*?(https?:\/\/\S+)/)?.[1] ?? null;
  return { child, url, port: Number(parsed.port), token, admin, dataDir, setupUrl, stdout: () => stdout, stderr: () => stderr };
}

/** The pids of a process's direct children (engine processes of a host). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

/** A signalbox.yaml with every engine on: DNS on `dns` forwarding to `upstream`, a Railgun pair whose sender listens on `railgun`, the vault and the bundler. */
export function everyEngineConfig({ dns, upstream, railgun, origin }: { dns: number; upstream: string; railgun: number; origin: string }): string {
  return [
    'engines:',
    '  dns:',
    '    enabled: true',
    `    listen: ["127.0.0.1:${dns}"]`,
    `    upstreams: ["${upstream}"]`,
    '  railgun:',
    '    enabled: true',
    '    role: pair',
    `    origin: ${origin}`,
    `    listen: "127.0.0.1:${railgun}"`,
    '  vault:',
    '    enabled: true',
    '  bundler:',
    '    enabled: true',
    '',
  ].join('\n');
}
