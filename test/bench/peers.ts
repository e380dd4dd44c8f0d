// The processes of the DNS benchmarks, each pinned to one core with taskset (the soak leaves them
// unpinned): Knot DNS as the upstream (client core, beside dnsperf), and the servers under test
// (server core, alone): signalbox, dnsdist and a bare Node UDP echo. Every child is remembered so
// that stopAll() can end it whatever happened.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, kdig } from '../helpers/knot.ts';
import { waitFor } from '../helpers/wait.ts';

/** The server under test has this core to itself. */
export const serverCore = 0;
/** dnsperf, Knot and this script share the other one. */
export const clientCore = 1;

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The project's pinned Node 24 (node_modules/.bin/node), else the Node running this script. */
export const projectNode = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;

/** A name every server answers without touching the bench's hit or miss names. */
const readyName = 'ns1.example.test';

export interface Peer {
  name: string;
  /** The process to read CPU time from (taskset execs, so it is the server itself). */
  pid: number;
  port: number;
  /** DNS over TLS and DNS over HTTPS (path /dns-query) on 127.0.0.1, when the server was started with a certificate. */
  dotPort?: number;
  dohPort?: number;
  stop(): Promise<void>;
}

/** The certificate and key (PEM files) a server's DoT and DoH listeners present. */
export interface BenchTls {
  certFile: string;
  keyFile: string;
}

const running = new Set<ChildProcess>();

/** Ends every child still running: SIGTERM, then SIGKILL after 5 s. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Keeps this process (and the threads it starts later) on the client core. */
export async function pinSelf(): Promise<void> {
  const child = spawn('taskset', ['-a', '-p', '-c', String(clientCore), String(process.pid)], { stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`taskset could not pin the bench to core ${clientCore} (exit ${code}) — is util-linux installed?`);
}

interface Pinned {
  child: ChildProcess;
  /** The last 4 KiB of its stderr, for error messages. */
  stderr(): string;
}

/** Starts `command` pinned to `core` (null: not pinned); stdout is ignored unless asked for. */
export function spawnPinned(core: number | null, command: string, args: string[], stdout: 'ignore' | 'pipe' = 'ignore', env: NodeJS.ProcessEnv = {}): Pinned {
  const [file, argv] = core === null ? [command, args] : ['taskset', ['-c', String(core), command, ...args]];
  const child = spawn(file, argv, { stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, ...env } });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4096)));
  return { child, stderr: () => tail };
}

/** Waits until `readyName` gets an answer on the port, failing early if the process died. */
export async function waitForAnswers(name: string, pinned: Pinned, port: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () => {
      if (pinned.child.exitCode !== null) throw new Error(`${name} exited with ${pinned.child.exitCode}: ${pinned.stderr().trim()}`);
      return (await kdig(port, [readyName, 'A'], 1000)).includes('status: NOERROR');
    },
    `${name} to answer on 127.0.0.1:${port}`,
    timeoutMs,
    100,
  );
}

function peer(name: string, pinned: Pinned, port: number): Peer {
  if (pinned.child.pid === undefined) throw new Error(`${name} did not start: ${pinned.stderr()}`);
  return { name, pid: pinned.child.pid, port, stop: () => stopChild(pinned.child) };
}

/**
 * The zone of the bench: the hit names are h0..h99.hit.example.test, and every name under
 * miss.example.test exists through the wildcard, so unique random names always reach Knot.
 */
export const benchZone = `$ORIGIN example.test.
$TTL 3600
@       SOA   ns1 hostmaster 1 3600 600 86400 3600
@       NS    ns1
ns1     A     127.0.0.1
*.hit   A     192.0.2.1
*.miss  A     192.0.2.2
`;

/** Knot on the client core; `core: null` leaves it unpinned, `port` starts it again where it was. */
export async function startKnot(dir: string, options: { port?: number; core?: number | null } = {}): Promise<Peer> {
  const port = options.port ?? (await freePort());
  writeFileSync(join(dir, 'example.test.zone'), benchZone);
  writeFileSync(
    join(dir, 'knot.conf'),
    `server:\n  listen: 127.0.0.1@${port}\n  rundir: ${dir}\ndatabase:\n  storage: ${dir}\ntemplate:\n  - id: default\n    storage: ${dir}\nzone:\n  - domain: example.test\n    file: example.test.zone\nlog:\n  - target: stderr\n    any: error\n`,
  );
  const core = options.core === undefined ? clientCore : options.core;
  const pinned = spawnPinned(core, 'knotd', ['-c', join(dir, 'knot.conf')]);
  await waitForAnswers('knotd', pinned, port);
  // knotd binds its UDP worker threads to CPUs itself, round robin from CPU 0, whatever mask it
  // was started with: one of them answered the bench's queries from the server's core (seen with
  // perf sched: ~6 % of core 0). Pinned again, every thread, now that they all exist.
  if (core !== null) execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pinned.child.pid)], { stdio: 'ignore' });
  return peer('knot', pinned, port);
}

/** signalbox's built CLI (`npm run build` first): cache on, rrl off, querylog as default. */
/** `nodeArgs` reach the engine's worker processes too (through NODE_OPTIONS): they are what is measured. */
export async function startSignalbox(dir: string, upstreamPort: number, nodeArgs: string[] = [], tls?: BenchTls, dnstapAddress?: string): Promise<Peer> {
  const port = await freePort();
  const encrypted = tls ? { dotPort: await freePort(), dohPort: await freePort() } : null;
  const config = join(dir, 'signalbox.yaml');
  writeFileSync(
    config,
    [
      `dataDir: ${join(dir, 'signalbox-data')}`,
      'engines:',
      '  dns:',
      '    healthCheck: { probeName: "example.test." }',
      '    cache: { enabled: true }',
      '    rrl: { enabled: false }',
      ...(tls ? [`    tls: { certFile: ${JSON.stringify(tls.certFile)}, keyFile: ${JSON.stringify(tls.keyFile)} }`] : []),
      ...(dnstapAddress ? [`    dnstap: { enabled: true, address: ${JSON.stringify(dnstapAddress)} }`] : []),
      '',
    ].join('\n'),
  );
  const extraListen = encrypted ? ['--listen', `tls://127.0.0.1:${encrypted.dotPort}`, '--listen', `https://127.0.0.1:${encrypted.dohPort}/dns-query`] : [];
  const pinned = spawnPinned(
    serverCore,
    projectNode,
    [join(root, 'bin/signalbox.js'), 'dns', '--config', config, '--listen', `127.0.0.1:${port}`, ...extraListen, '--upstream', `127.0.0.1:${upstreamPort}`],
    'ignore',
    nodeArgs.length ? { NODE_OPTIONS: nodeArgs.join(' ') } : {},
  );
  await waitForAnswers('signalbox', pinned, port);
  return { ...peer(dnstapAddress ? 'signalbox+dnstap' : 'signalbox', pinned, port), ...encrypted };
}

/** dnsdist with a 100k packet cache in front of Knot; no console, no webserver, no security poll. */
export async function startDnsdist(dir: string, upstreamPort: number, tls?: BenchTls): Promise<Peer> {
  const port = await freePort();
  const encrypted = tls ? { dotPort: await freePort(), dohPort: await freePort() } : null;
  const config = join(dir, 'dnsdist.conf');
  writeFileSync(
    config,
    [
      'setSecurityPollSuffix("")',
      `setLocal("127.0.0.1:${port}")`,
      `newServer{address="127.0.0.1:${upstreamPort}", checkName="example.test."}`,
      'getPool(""):setCache(newPacketCache(100000))',
      // The same certificate as signalbox's; dnsdist's DoH answers HTTP/2 and HTTP/1.1 at the path.
      ...(tls && encrypted
        ? [
            `addTLSLocal("127.0.0.1:${encrypted.dotPort}", ${JSON.stringify(tls.certFile)}, ${JSON.stringify(tls.keyFile)})`,
            `addDOHLocal("127.0.0.1:${encrypted.dohPort}", ${JSON.stringify(tls.certFile)}, ${JSON.stringify(tls.keyFile)}, "/dns-query")`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  const pinned = spawnPinned(serverCore, 'dnsdist', ['--supervised', '--disable-syslog', '-C', config]);
  await waitForAnswers('dnsdist', pinned, port);
  return { ...peer('dnsdist', pinned, port), ...encrypted };
}

/** fstrm_capture (package fstrm-bin) on the client core, as signalbox's dnstap collector; writes to /dev/null. */
export async function startDnstapCollector(dir: string): Promise<{ address: string; stop(): Promise<void> }> {
  const socket = join(dir, 'dnstap.sock');
  const pinned = spawnPinned(clientCore, 'fstrm_capture', ['-t', 'protobuf:dnstap.Dnstap', '-u', socket, '-w', '/dev/null']);
  await waitFor(
    () => {
      if (pinned.child.exitCode !== null) throw new Error(`fstrm_capture exited with ${pinned.child.exitCode}: ${pinned.stderr().trim()}`);
      return existsSync(socket);
    },
    'fstrm_capture to listen',
    10_000,
  );
  return { address: `unix://${socket}`, stop: () => stopChild(pinned.child) };
}

/** The floor: udp-echo.ts answers every query with itself (QR set), so kdig sees NOERROR. */
export async function startEcho(): Promise<Peer> {
  const port = await freePort();
  const pinned = spawnPinned(serverCore, projectNode, [join(root, 'test/bench/udp-echo.ts'), String(port)]);
  await waitForAnswers('udp-echo', pinned, port);
  return peer('node-udp-echo', pinned, port);
}

/** The miss floor: a bare Node UDP forwarder in front of the same upstream (test/bench/udp-forward.ts). */
export async function startForwarder(upstreamPort: number): Promise<Peer> {
  const port = await freePort();
  const pinned = spawnPinned(serverCore, projectNode, [join(root, 'test/bench/udp-forward.ts'), String(port), String(upstreamPort)]);
  await waitForAnswers('udp-forward', pinned, port);
  return peer('node-udp-forward', pinned, port);
}

/** Datagrams the kernel dropped because a socket's receive buffer was full (RcvbufErrors of
 * /proc/net/snmp): for the whole host, so other work on the machine counts too. */
export function udpReceiveBufferDrops(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('RcvbufErrors')] ?? Number.NaN);
}

/**
 * utime + stime in microseconds, from /proc/PID/stat, of a process (all its threads) and of its
 * children (signalbox's DNS engine runs in worker processes).
 */
export function cpuMicros(pid: number, ticksPerSecond: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // proc(5): fields after the ")" of comm start at field 3 (state); utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
  return own + childPids(pid).reduce((total, child) => total + cpuMicros(child, ticksPerSecond), 0);
}

function childPids(pid: number): number[] {
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
