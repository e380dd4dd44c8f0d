// A delayed network path for the Railgun bench: a network namespace joined to this one by a veth
// pair, with `tc netem` delaying each direction by half the round trip. The far end (origins and
// listener, railgun-far-end.ts) runs inside the namespace; the bench, its client and the sender stay
// outside. Needs root, iproute2 and the kernel's sch_netem; when any is missing, openDelayedPath
// says why and the bench skips that part. Everything it creates is removed by close(), which the
// bench also calls on exit and on signals.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { projectNode } from './peers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const farEndScript = fileURLToPath(new URL('railgun-far-end.ts', import.meta.url));

export class PathUnavailable extends Error {
  override readonly name = 'PathUnavailable';
}

export interface DelayedPath {
  namespace: string;
  /** This side's veth address and the namespace's (a /30 of 10.213.0.0/16). */
  nearAddress: string;
  farAddress: string;
  rttMs: number;
  /** Removes the namespace and the veth pair; safe to call more than once. */
  close(): void;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function why(err: unknown): string {
  const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr || (err as Error).message;
}

/** Creates the namespace and the veth pair, then netem on both ends (none when rttMs is 0: a plain veth). */
export function openDelayedPath(rttMs: number): DelayedPath {
  if (process.getuid?.() !== 0) throw new PathUnavailable('the bench is not running as root (ip netns and tc need it)');
  const tag = process.pid % 100_000;
  const namespace = `sbx-railgun-${tag}`;
  const near = `sbxrg${tag}n`;
  const far = `sbxrg${tag}f`;
  const subnet = `10.213.${tag % 64}.${(Math.floor(tag / 64) % 64) * 4}`;
  const [a, b, c, d] = subnet.split('.').map(Number) as [number, number, number, number];
  const nearAddress = `${a}.${b}.${c}.${d + 1}`;
  const farAddress = `${a}.${b}.${c}.${d + 2}`;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    // Deleting the namespace takes its end of the veth pair, and with it ours; ours goes first in case the namespace is half made.
    for (const args of [
      ['link', 'del', near],
      ['netns', 'del', namespace],
    ]) {
      try {
        ip(args);
      } catch {
        // Already gone, or never made.
      }
    }
  };
  try {
    ip(['netns', 'add', namespace]);
  } catch (err) {
    throw new PathUnavailable(`ip netns add failed: ${why(err)}`);
  }
  try {
    ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
    ip(['link', 'add', near, 'type', 'veth', 'peer', 'name', far, 'netns', namespace]);
    ip(['addr', 'add', `${nearAddress}/30`, 'dev', near]);
    ip(['link', 'set', near, 'up']);
    ip(['-n', namespace, 'addr', 'add', `${farAddress}/30`, 'dev', far]);
    ip(['-n', namespace, 'link', 'set', far, 'up']);
  } catch (err) {
    close();
    throw new PathUnavailable(`could not make the veth pair: ${why(err)}`);
  }
  if (rttMs > 0) {
    const delay = `${rttMs / 2}ms`;
    try {
      execFileSync('tc', ['qdisc', 'add', 'dev', near, 'root', 'netem', 'delay', delay], { stdio: ['ignore', 'ignore', 'pipe'] });
      execFileSync('ip', ['netns', 'exec', namespace, 'tc', 'qdisc', 'add', 'dev', far, 'root', 'netem', 'delay', delay], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      close();
      const message = why(err);
      const missing = /qdisc kind is unknown/i.test(message)
        ? ' — this kernel has no sch_netem (the netem qdisc is not built in and cannot be loaded here)'
        : '';
      throw new PathUnavailable(`tc qdisc add ... netem delay ${delay} failed: ${message}${missing}`);
    }
  }
  return { namespace, nearAddress, farAddress, rttMs, close };
}

export interface FarEnd {
  /** The origin reached without the pair, across the delayed path. */
  direct: string;
  /** The listener's link URL and its public key's pin. */
  link: string;
  pin: string;
  stop(): Promise<void>;
  /** Ends the far end at once (for the exit handler, which cannot wait). */
  kill(): void;
}

/** Starts railgun-far-end.ts inside the namespace and waits for the line that says where it listens. */
export async function startFarEnd(path: DelayedPath, tokenFile: string, corpus?: string): Promise<FarEnd> {
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', path.namespace, projectNode, '--import', 'tsx', farEndScript, path.farAddress, tokenFile, ...(corpus ? [corpus] : [])],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('the far end did not say where it listens within 30 s')), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.slice(0, out.indexOf('\n')));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the far end exited with ${code}: ${stderr.trim()}`));
      });
    });
    const where = JSON.parse(line) as { direct: string; link: string; pin: string };
    return {
      ...where,
      kill,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        // Closing its stdin is the far end's signal to close its servers and exit.
        child.stdin!.end();
        const timer = setTimeout(kill, 5000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (err) {
    kill();
    throw err;
  }
}
