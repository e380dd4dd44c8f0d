// A real authoritative upstream for DNS tests: Knot DNS (knotd from apt) on 127.0.0.1, serving a
// small zone, kdig as the client, and the DNS engine between them. Real peers, not mocks.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DnsStats } from '../../engine/api/dns.ts';
import type { RunningEngine } from '../../engine/api/engine.ts';
import { dnsEngine } from '../../engine/dns/engine.ts';
import { quietLog, tempDir } from './host.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

/** A port free for both UDP and TCP on 127.0.0.1 right now (a DNS server needs both). */
export async function freePort(): Promise<number> {
  for (;;) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const { port } = socket.address();
    const tcp = createServer();
    const tcpFree = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    socket.close();
    if (tcpFree) {
      await new Promise((resolve) => tcp.close(resolve));
      return port;
    }
  }
}

const bigTxt = Array.from({ length: 12 }, (_, i) => `"${String(i).padStart(2, '0')}${'x'.repeat(180)}"`).join(' ');

export const zone = `$ORIGIN example.test.
$TTL 300
@       SOA   ns1 hostmaster 1 3600 600 86400 60
@       NS    ns1
ns1     A     127.0.0.1
www     A     192.0.2.10
www     AAAA  2001:db8::10
@       MX    10 mail
mail    A     192.0.2.25
txt     TXT   "hello world"
alias   60 CNAME alias2
alias2  120 CNAME www
ext     CNAME www.other.test.
ext-dangling CNAME nope.other.test.
dangling CNAME nothing
loop1   CNAME loop2
loop2   CNAME loop1
big     TXT   ${bigTxt}
hot     4 A   192.0.2.40
`;

export const otherZone = `$ORIGIN other.test.
$TTL 300
@       SOA   ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60
@       NS    ns1.example.test.
www     90 A  192.0.2.77
`;

export interface Knot {
  port: number;
  stop(): Promise<void>;
}

export interface KnotOptions {
  /** Answer DNS cookies (mod-cookies, default settings: a client cookie alone gets BADCOOKIE). */
  cookies?: boolean;
  /** The NSID knot answers with (RFC 5001), when a query asks for it. */
  nsid?: string;
  /** More zones it is authoritative for, next to example.test and other.test: origin -> zone file text. */
  zones?: Record<string, string>;
}

/** Starts knotd; a fresh port is retried when another process took it in the meantime. */
export async function startKnot(port?: number, options: KnotOptions = {}): Promise<Knot> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startKnotOnce(port ?? (await freePort()), options);
    } catch (err) {
      if (port !== undefined || attempt >= 3 || !/address already in use/.test(String(err))) throw err;
    }
  }
}

async function startKnotOnce(listenPort: number, options: KnotOptions): Promise<Knot> {
  const dir = tempDir('knot');
  writeFileSync(join(dir, 'example.test.zone'), zone);
  writeFileSync(join(dir, 'other.test.zone'), otherZone);
  const extra = Object.entries(options.zones ?? {});
  for (const [origin, text] of extra) writeFileSync(join(dir, `${origin}.zone`), text);
  writeFileSync(
    join(dir, 'knot.conf'),
    `server:\n  listen: 127.0.0.1@${listenPort}\n  rundir: ${dir}\n${options.nsid ? `  nsid: ${options.nsid}\n` : ''}database:\n  storage: ${dir}\ntemplate:\n  - id: default\n    storage: ${dir}\n${options.cookies ? '    global-module: mod-cookies\n' : ''}zone:\n  - domain: example.test\n    file: example.test.zone\n  - domain: other.test\n    file: other.test.zone\n${extra.map(([origin]) => `  - domain: ${origin}\n    file: ${origin}.zone\n`).join('')}log:\n  - target: stderr\n    any: error\n`,
  );
  const child: ChildProcess = spawn('knotd', ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`knotd exited: ${stderr}`);
      return (await kdig(listenPort, ['www.example.test', 'A'], 300)).includes('192.0.2.10');
    },
    'knotd to answer',
    10_000,
    100,
  );
  return {
    port: listenPort,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Runs kdig against 127.0.0.1:port and returns its text output ('' when it fails). */
export async function kdig(port: number, args: string[], timeoutMs = 3000): Promise<string> {
  try {
    const { stdout } = await run('kdig', ['@127.0.0.1', '-p', String(port), `+time=${Math.max(1, Math.ceil(timeoutMs / 1000))}`, '+retry=0', ...args], {
      timeout: timeoutMs + 1000,
    });
    return stdout;
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? '';
  }
}

export function status(output: string): string | undefined {
  return output.match(/status: (\w+)/)?.[1];
}

export function flags(output: string): string[] {
  return (output.match(/;; Flags: ([^;]*);/)?.[1] ?? '').trim().split(/\s+/);
}

export interface DnsEngineUnderTest {
  engine: RunningEngine;
  /** The DNS engine's UDP and TCP port on 127.0.0.1. */
  port: number;
  stats(): Promise<DnsStats>;
  /** Stops the engine (not its upstreams). */
  stop(): Promise<void>;
}

/** The DNS engine (in this process) on a free port of 127.0.0.1, forwarding to `upstreams`. */
export async function startDnsEngine(upstreams: string[], config: Record<string, unknown> = {}): Promise<DnsEngineUnderTest> {
  const port = await freePort();
  const engine = await dnsEngine.start({
    // Generous: on a loaded machine knotd can be late; tests about timeouts set their own.
    config: { listen: [`127.0.0.1:${port}`], upstreams, upstreamTimeoutMs: 1000, ...config },
    dataDir: tempDir('dns'),
    log: quietLog,
  });
  return {
    engine,
    port,
    stats: async () => (await engine.procedures['dns.stats']!({})) as DnsStats,
    stop: () => engine.stop(),
  };
}

export interface DnsBehindKnot extends DnsEngineUnderTest {
  knot: Knot;
}

/** A Knot upstream and the DNS engine (in this process) forwarding to it, with extra config. */
export async function startDnsBehindKnot(
  config: Record<string, unknown> | ((upstreams: string[]) => Record<string, unknown>) = {},
  extraUpstreams: Knot[] = [],
): Promise<DnsBehindKnot> {
  let knot: Knot | undefined;
  let dns: DnsEngineUnderTest;
  try {
    knot = await startKnot();
    const upstreams = [knot, ...extraUpstreams].map((k) => `127.0.0.1:${k.port}`);
    dns = await startDnsEngine(upstreams, typeof config === 'function' ? config(upstreams) : config);
  } catch (err) {
    // Nothing may outlive a failed start: a stray knotd keeps the test process alive.
    for (const started of [knot, ...extraUpstreams]) await started?.stop();
    throw err;
  }
  return {
    ...dns,
    knot,
    async stop() {
      await dns.stop();
      await knot.stop();
      for (const other of extraUpstreams) await other.stop();
    },
  };
}
