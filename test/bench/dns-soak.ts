// The DNS soak (a soak, not a timed test): the DNS engine run by the supervisor in this process, as
// `serve` and `signalbox dns` run it, with Knot DNS as the upstream, kept under load while (1) it is
// upgraded ten times, (2) one of two workers is killed with SIGKILL, (3) Knot is stopped and started
// every 5 s with serve-stale on; then (4) throughput with one worker and with two. In (1) and (2) a
// relay (a process of its own) holds Knot's answers for 25 ms, so that misses are always pending
// when a process goes away. Prints the results and rewrites the dns-soak section of RESULTS.md.
//
//   npm run soak:dns          builds first; all four phases at full length (about 6 minutes)
//   npm run soak:dns -- --phases upgrade,kill --seconds-scale 0.2 --no-results
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Logger } from '../../engine/api/engine.ts';
import { dnsConfig, type DnsConfigInput, type DnsStats } from '../../engine/api/dns.ts';
import type { EngineProcess } from '../../engine/api/host.ts';
import { Supervisor } from '../../engine/host/supervisor.ts';
import { steadyLoad, type LoadResult } from '../helpers/dns-load.ts';
import { freePort } from '../helpers/knot.ts';
import { waitFor } from '../helpers/wait.ts';
import type { LoadMessage, LoadRequest } from './load-process.ts';
import { dnsperf, percentile, type DnsperfRun } from './dnsperf.ts';
import { commit, firstLine, loadAverage, machineLine } from './machine.ts';
import { cpuMicros, spawnPinned, startKnot, stopAll, stopChild, type Peer } from './peers.ts';
import { writeSection } from './results-file.ts';
import { watchUdpDrops } from './udp-drops.ts';
import {
  soakMarkdown,
  type FlapReport,
  type KillReport,
  type LoadWatch,
  type Slice,
  type ThroughputRow,
  type UpgradeReport,
  type UpgradeRow,
} from './dns-soak-report.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const phaseNames = ['upgrade', 'kill', 'flap', 'throughput'] as const;
type PhaseName = (typeof phaseNames)[number];

const { values: options } = parseArgs({
  options: {
    phases: { type: 'string', default: phaseNames.join(',') },
    /** Every duration and interval times this: 0.2 for a quick check of the soak itself. */
    'seconds-scale': { type: 'string', default: '1' },
    results: { type: 'boolean', default: true },
  },
  allowNegative: true,
  strict: true,
});
const phases = options.phases.split(',').map((name) => name.trim()) as PhaseName[];
for (const name of phases) {
  if (!phaseNames.includes(name)) throw new Error(`--phases: unknown phase "${name}" — known: ${phaseNames.join(', ')}`);
}
const scale = Number(options['seconds-scale']);
if (!(scale >= 0.05 && scale <= 10)) throw new Error(`--seconds-scale: "${options['seconds-scale']}" is not a number from 0.05 to 10`);

/** A duration of the full soak, scaled; whole seconds where a tool takes whole seconds. */
const seconds = (full: number) => Math.max(1, Math.round(full * scale));
const ms = (fullSeconds: number) => fullSeconds * scale * 1000;

const fixedRate = 10_000;
const relayDelayMs = 25;
const upgradeCount = 10;
const hitNames = Array.from({ length: 100 }, (_, i) => `h${i}.hit.example.test`);
/** Unique names a second for the closed-loop miss runs: more than two workers answer. */
const missesPerSecond = 100_000;
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Query files, dnsperf output, Knot's and the engines' directories: removed however the run ends. */
const dir = mkdtempSync(join(tmpdir(), 'sbx-soak-'));
/**
 * The engine as built, copied where `npm run build` elsewhere (which empties dist/) cannot pull it
 * from under an upgrade: below node_modules, so that its packages and package.json resolve as from dist/.
 */
const cacheDir = join(root, 'node_modules/.cache');
mkdirSync(cacheDir, { recursive: true });
const builtCopy = mkdtempSync(join(cacheDir, 'sbx-soak-'));
const builtEntry = join(builtCopy, 'dist/engine/host/engine-process.js');
process.on('exit', () => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(builtCopy, { recursive: true, force: true });
});
const notes: string[] = [];
let currentPhase: PhaseName | 'setup' = 'setup';

/** Warnings and errors of the supervisor go to the notes: a soak must not hide them. */
const log: Logger = {
  debug() {},
  info() {},
  warn: (msg, fields) => notes.push(`${currentPhase}: supervisor warning: ${msg} ${JSON.stringify(fields ?? {})}`),
  error: (msg, fields) => notes.push(`${currentPhase}: supervisor error: ${msg} ${JSON.stringify(fields ?? {})}`),
  child: () => log,
};

/** Milliseconds of the monotonic clock, which every process shares: load-process.ts reports its times on it. */
const clock = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)));
/** Waits until `offsetMs` after `startedAt`. */
const until = (startedAt: number, offsetMs: number) => sleep(startedAt + offsetMs - clock());

/** The relay and Knot serving now, whose sockets the drop counts name. */
const peersNow: { relay: Peer | null; knot: Peer | null } = { relay: null, knot: null };

/** What went on around a load: datagrams dropped for full buffers, and stalls of this process. */
function watchLoad(dns: SupervisedDns, loadPid?: number): { stop(): LoadWatch } {
  const pid = (peer: Peer | null) => (peer ? [peer.pid] : []);
  const drops = watchUdpDrops(dns.port, {
    // Draining processes too: they still read their upstream answers.
    engine: () => dns.supervisor.snapshot().engines[0]!.processes.map((process) => process.pid),
    relay: () => pid(peersNow.relay),
    knot: () => pid(peersNow.knot),
    load: () => (loadPid === undefined ? [] : [loadPid]),
  });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  return {
    stop() {
      delay.disable();
      return { drops: drops.stop(), loopDelayMaxMs: delay.max / 1e6 };
    },
  };
}

interface Window {
  from: number;
  to: number;
}

/** Loss and latency of the queries sent inside any of `windows` (all queries when null). */
function slice(result: LoadResult, windows: Window[] | null): Slice {
  const latencies: number[] = [];
  let sent = 0;
  for (let i = 0; i < result.sent; i++) {
    const at = result.sentAtMs[i]!;
    if (windows && !windows.some((window) => at >= window.from && at <= window.to)) continue;
    sent++;
    if (!Number.isNaN(result.latencyMs[i]!)) latencies.push(result.latencyMs[i]!);
  }
  const sorted = Float64Array.from(latencies).sort();
  return { sent, lost: sent - sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) ?? Number.NaN };
}

// ---- the engine under the supervisor, the relay -------------------------------------------------

interface SupervisedDns {
  supervisor: Supervisor;
  port: number;
  running(): EngineProcess[];
  stats(): Promise<DnsStats>;
}

const supervisors = new Set<Supervisor>();

/** The DNS engine from the build (dist/), as `serve` runs it: forked by a Supervisor in this process. */
async function startDns(config: Omit<DnsConfigInput, 'listen' | 'enabled'>): Promise<SupervisedDns> {
  const port = await freePort();
  const supervisor = new Supervisor({
    engines: [
      { name: 'dns', config: dnsConfig.parse({ enabled: true, listen: [`127.0.0.1:${port}`], healthCheck: { probeName: 'example.test.' }, ...config }) },
    ],
    dataDir: mkdtempSync(join(dir, 'data-')),
    log,
    entry: builtEntry,
    // The engines' own info lines (one per upgrade) would bury the soak's progress.
    env: { SIGNALBOX_LOG_LEVEL: 'warn' },
  });
  supervisors.add(supervisor);
  await supervisor.start();
  const dns = () => supervisor.snapshot().engines.find((engine) => engine.name === 'dns')!;
  const running = () => dns().processes.filter((process) => process.status === 'running');
  const workers = typeof config.workers === 'number' ? config.workers : 1;
  if (running().length !== workers) {
    const events = supervisor
      .snapshot()
      .events.map((event) => event.message)
      .join('; ');
    await supervisor.stop();
    supervisors.delete(supervisor);
    throw new Error(`the DNS engine runs ${running().length} of ${workers} workers: ${events}`);
  }
  return { supervisor, port, running, stats: async () => (await supervisor.client('dns')!.call('dns.stats', {})) as DnsStats };
}

/** Runs `body` against a warmed engine (see warm), and stops the engine after, however it ends. */
async function withDns<T>(config: Omit<DnsConfigInput, 'listen' | 'enabled'>, body: (dns: SupervisedDns) => Promise<T>): Promise<T> {
  const dns = await startDns(config);
  try {
    await warm(dns.port);
    return await body(dns);
  } finally {
    await dns.supervisor.stop();
    supervisors.delete(dns.supervisor);
  }
}

/** Runs `body` with delayed-relay.ts in front of Knot (its address as an upstream), and stops the relay after. */
async function withRelay<T>(knot: Peer, body: (upstream: string) => Promise<T>): Promise<T> {
  const relay = await startRelay(knot.port);
  peersNow.relay = relay;
  try {
    return await body(`127.0.0.1:${relay.port}`);
  } finally {
    peersNow.relay = null;
    await relay.stop();
  }
}

/** Starts delayed-relay.ts in front of `upstreamPort`; resolves with its port once it listens. */
async function startRelay(upstreamPort: number): Promise<Peer> {
  const script = fileURLToPath(new URL('delayed-relay.ts', import.meta.url));
  const relay = spawnPinned(null, process.execPath, ['--import', import.meta.resolve('tsx'), script, String(upstreamPort), String(relayDelayMs)], 'pipe');
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    relay.child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = /^(\d+)\n/.exec(out)?.[1];
      if (port) resolve(Number(port));
    });
    relay.child.once('exit', (code) => reject(new Error(`the relay exited with ${code}: ${relay.stderr().trim()}`)));
  });
  return { name: 'relay', pid: relay.child.pid!, port, stop: () => stopChild(relay.child) };
}

const loads = new Set<ChildProcess>();

/**
 * A steady load (load-process.ts) against the engine, watched: resolves `startedAt` once it sends,
 * `done` with its result (send times on `clock`) and what went on around it.
 */
function measuredLoad(
  dns: SupervisedDns,
  options: LoadRequest['options'],
): { startedAt: Promise<number>; done: Promise<{ result: LoadResult; watch: LoadWatch }> } {
  const child = fork(fileURLToPath(new URL('load-process.ts', import.meta.url)), [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    serialization: 'advanced',
  });
  loads.add(child);
  const watch = watchLoad(dns, child.pid);
  let started: (at: number) => void = () => {};
  const startedAt = new Promise<number>((resolve) => (started = resolve));
  const done = new Promise<{ result: LoadResult; watch: LoadWatch }>((resolve, reject) => {
    child.on('message', (message: LoadMessage) => {
      if ('startedAt' in message) started(message.startedAt);
      else resolve({ result: message.result, watch: watch.stop() });
    });
    child.once('exit', (code) => {
      loads.delete(child);
      reject(new Error(`the load process exited with ${code} before it reported`));
    });
  });
  child.send({ port: dns.port, options } satisfies LoadRequest);
  return { startedAt, done };
}

/** Fills the cache with the hit names and warms the engine's code paths, outside any measurement. */
async function warm(port: number): Promise<void> {
  const result = await steadyLoad(port, { qps: 2000, seconds: 1, names: hitNames, missZone: 'warm.miss.example.test' }).done;
  if (result.lost > 0) notes.push(`warm-up before a phase: ${result.lost} of ${result.sent} queries unanswered`);
}

/** Unique names under the wildcard *.miss.example.test, every other line one of the hit names when `mixed`. */
function queryFile(name: string, count: number, mixed: boolean): string {
  const file = join(dir, name);
  const nonce = randomBytes(4).toString('hex');
  const lines: string[] = [];
  for (let i = 0; i < count; i++)
    lines.push(mixed && i % 2 === 0 ? `${hitNames[(i / 2) % hitNames.length]} A` : `${name.replace(/\W/g, '')}${i}-${nonce}.miss.example.test A`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** dnsperf, not pinned: the engine's workers need both cores. */
const perf = (run: Omit<DnsperfRun, 'outFile'>) => dnsperf({ ...run, core: null, outFile: join(dir, 'dnsperf-out.txt') });

// ---- (1) upgrades -------------------------------------------------------------------------------

/** One upgrade as it happened: its window and the windows of its steps (`clock` times). */
interface UpgradeTimes {
  window: Window;
  steps: (Window & { phase: string })[];
}

/** Upgrades every `interval` from `startedAt` on, up to ten times, while the load of `loadMs` runs. */
async function upgradeEvery(dns: SupervisedDns, pass: string, startedAt: number, loadMs: number): Promise<{ rows: UpgradeRow[]; times: UpgradeTimes[] }> {
  const intervalMs = ms(5);
  const rows: UpgradeRow[] = [];
  const times: UpgradeTimes[] = [];
  // The supervisor announces every step of an upgrade: when each began tells where time (and queries) went.
  let steps: UpgradeTimes['steps'] = [];
  const onChange = () => {
    const phase = dns.supervisor.snapshot().engines[0]!.upgrade?.phase;
    // The first change of an upgrade still shows how the one before ended.
    const ended = phase === 'done' || phase === 'rolled back';
    if (phase && phase !== steps.at(-1)?.phase && !(ended && steps.length === 0)) steps.push({ phase, from: clock(), to: Number.NaN });
  };
  dns.supervisor.on('change', onChange);
  try {
    for (let i = 1; i <= upgradeCount; i++) {
      await until(startedAt, i * intervalMs);
      if (clock() - startedAt > loadMs - intervalMs / 2) {
        notes.push(`upgrade, ${pass} pass: only ${i - 1} of ${upgradeCount} upgrades fitted in the load (each started after the one before ended)`);
        break;
      }
      steps = [];
      const from = clock();
      const upgrade = await dns.supervisor.upgrade('dns').catch((err: Error) => ({ phase: 'error', message: err.message }));
      const to = clock();
      // The last step ('done' or 'rolled back') is the end itself.
      steps = steps.slice(0, -1).map((step, j, all) => ({ ...step, to: all[j + 1]?.from ?? to }));
      times.push({ window: { from, to }, steps });
      rows.push({
        atSeconds: (from - startedAt) / 1000,
        durationMs: to - from,
        phase: upgrade.phase,
        message: upgrade.message,
        during: null,
        steps: steps.map((step) => ({ phase: step.phase, ms: step.to - step.from, lost: null })),
      });
    }
  } finally {
    dns.supervisor.off('change', onChange);
  }
  return { rows, times };
}

async function upgradePhase(knot: Peer): Promise<UpgradeReport> {
  return withRelay(knot, (upstream) =>
    withDns({ workers: 1, upstreams: [upstream] }, async (dns) => {
      const loadSeconds = seconds(60);
      process.stderr.write(`soak: upgrades under ${fixedRate} q/s for ${loadSeconds} s (steady load)\n`);
      const load = measuredLoad(dns, { qps: fixedRate, seconds: loadSeconds, names: hitNames, missZone: 'upgrade.miss.example.test' });
      const ours = await upgradeEvery(dns, 'steady load', await load.startedAt, loadSeconds * 1000);
      const { result, watch: oursWatch } = await load.done;
      ours.rows.forEach((row, i) => {
        row.during = slice(result, [ours.times[i]!.window]);
        row.steps.forEach((step, j) => (step.lost = slice(result, [ours.times[i]!.steps[j]!]).lost));
      });
      const windows = ours.times.map((upgrade) => upgrade.window);
      const secondAfter = windows.map(({ to }) => ({ from: to, to: to + 1000 }));

      const controlSeconds = seconds(10);
      process.stderr.write(`soak: dnsperf -Q ${fixedRate} for ${controlSeconds} s without upgrades, then ${loadSeconds} s with them\n`);
      const fixed = { port: dns.port, qps: fixedRate, outstanding: 1000, once: true };
      const controlFile = queryFile('control', Math.ceil(controlSeconds * fixedRate * 1.1), true);
      const controlWatch = watchLoad(dns);
      const control = await perf({ ...fixed, file: controlFile, seconds: controlSeconds });
      const controlWatched = controlWatch.stop();
      const file = queryFile('upgrade', Math.ceil(loadSeconds * fixedRate * 1.1), true);
      const perfWatch = watchLoad(dns);
      const perfRun = perf({ ...fixed, file, seconds: loadSeconds });
      const theirs = await upgradeEvery(dns, 'dnsperf', clock(), loadSeconds * 1000);
      const withUpgrades = await perfRun;
      return {
        loadSeconds,
        intervalSeconds: ms(5) / 1000,
        ours: {
          all: slice(result, null),
          inUpgrades: slice(result, windows),
          secondAfter: slice(result, secondAfter),
          rcodes: result.rcodes,
          upgrades: ours.rows,
          watch: oursWatch,
        },
        control: { seconds: controlSeconds, result: control, watch: controlWatched },
        dnsperf: { result: withUpgrades, upgrades: theirs.rows, watch: perfWatch.stop() },
      };
    }),
  );
}

// ---- (2) a worker killed ------------------------------------------------------------------------

async function killPhase(knot: Peer): Promise<KillReport> {
  return withRelay(knot, (upstream) =>
    withDns({ workers: 2, upstreams: [upstream] }, async (dns) => {
      const loadSeconds = seconds(30);
      process.stderr.write(`soak: 2 workers, one killed with SIGKILL under ${fixedRate} q/s for ${loadSeconds} s\n`);
      const load = measuredLoad(dns, { qps: fixedRate, seconds: loadSeconds, names: hitNames, missZone: 'kill.miss.example.test' });
      const startedAt = await load.startedAt;
      await until(startedAt, ms(10));
      const victim = dns.running()[0]!;
      const killedAt = clock();
      process.kill(victim.pid, 'SIGKILL');
      await waitFor(
        () => dns.running().length === 2 && dns.running().every((process) => process.pid !== victim.pid),
        'the killed worker to be replaced',
        30_000,
        5,
      );
      const recoveredAt = clock();
      const { result, watch: watched } = await load.done;

      // In flight at the kill: sent before it and not answered by then (both workers' share).
      let inFlight = 0;
      const lostOffsets: number[] = [];
      for (let i = 0; i < result.sent; i++) {
        const sentAt = result.sentAtMs[i]!;
        const latency = result.latencyMs[i]!;
        if (sentAt <= killedAt && (Number.isNaN(latency) || sentAt + latency > killedAt)) inFlight++;
        if (Number.isNaN(latency)) lostOffsets.push(sentAt - killedAt);
      }
      const crash = dns.supervisor.snapshot().events.find((event) => event.kind === 'crashed')?.message ?? '(no crash event)';
      return {
        loadSeconds,
        killAtSeconds: (killedAt - startedAt) / 1000,
        recoveryMs: recoveredAt - killedAt,
        inFlightAtKill: inFlight,
        lostSentMs: lostOffsets.length ? { first: Math.min(...lostOffsets), last: Math.max(...lostOffsets) } : null,
        all: slice(result, null),
        whileOneWorker: slice(result, [{ from: killedAt, to: recoveredAt }]),
        rcodes: result.rcodes,
        crashEvent: crash,
        watch: watched,
      };
    }),
  );
}

// ---- (3) a flapping upstream --------------------------------------------------------------------

async function flapPhase(): Promise<FlapReport> {
  const knotDir = mkdtempSync(join(dir, 'knot-flap-'));
  let knot: Peer | null = await startKnot(knotDir, { core: null });
  const knotPort = knot.port;
  const mainKnot = peersNow.knot;
  peersNow.knot = knot;
  const maxTtl = 2;
  const qps = 2000;
  try {
    return await withDns({ workers: 1, upstreams: [`127.0.0.1:${knotPort}`], cache: { maxTtl } }, async (dns) => {
      const loadSeconds = seconds(60);
      const periodMs = ms(5);
      process.stderr.write(`soak: Knot stopped and started every ${periodMs / 1000} s under ${qps} q/s of known names for ${loadSeconds} s\n`);
      const load = measuredLoad(dns, { qps, seconds: loadSeconds, names: hitNames, missZone: null, graceMs: 5000 });
      const startedAt = await load.startedAt;
      const downs: Window[] = [];
      let downSince = 0;
      for (let k = 1; k * periodMs < loadSeconds * 1000; k++) {
        await until(startedAt, k * periodMs);
        if (knot) {
          downSince = clock();
          await knot.stop();
          knot = peersNow.knot = null;
        } else {
          knot = peersNow.knot = await startKnot(knotDir, { port: knotPort, core: null });
          downs.push({ from: downSince, to: clock() });
        }
      }
      const loadEnd = startedAt + loadSeconds * 1000;
      if (!knot) downs.push({ from: downSince, to: loadEnd });
      const { result, watch: watched } = await load.done;
      const stats = await dns.stats();
      const offset = (window: Window): Window => ({ from: (window.from - startedAt) / 1000, to: (Math.min(window.to, loadEnd) - startedAt) / 1000 });
      return {
        loadSeconds,
        periodSeconds: periodMs / 1000,
        qps,
        maxTtl,
        downs: downs.map(offset),
        all: slice(result, null),
        whileDown: slice(result, downs),
        rcodes: result.rcodes,
        cache: stats.cache,
        upstreamTimeouts: stats.upstreams.reduce((total, upstream) => total + upstream.timeouts, 0),
        watch: watched,
      };
    });
  } finally {
    peersNow.knot = mainKnot;
    await knot?.stop();
  }
}

// ---- (4) throughput, 1 worker vs 2 --------------------------------------------------------------

async function throughputPhase(knot: Peer): Promise<ThroughputRow[]> {
  const runSeconds = seconds(15);
  const files = {
    hits: join(dir, 'hits.txt'),
    warmMisses: queryFile('warm', missesPerSecond, false),
    misses: queryFile('misses', runSeconds * missesPerSecond, false),
  };
  writeFileSync(files.hits, hitNames.map((name) => `${name} A`).join('\n') + '\n');
  const rows: ThroughputRow[] = [];
  for (const workers of [1, 2]) {
    await withDns({ workers, upstreams: [`127.0.0.1:${knot.port}`] }, async (dns) => {
      process.stderr.write(`soak: throughput with ${workers} worker${workers > 1 ? 's' : ''}, ${runSeconds} s a case\n`);
      await perf({ port: dns.port, file: files.hits, seconds: 1 });
      await perf({ port: dns.port, file: files.warmMisses, seconds: 1, once: true });
      for (const [id, file] of [
        ['hits', files.hits],
        ['misses', files.misses],
      ] as const) {
        const pids = dns.running().map((process) => process.pid);
        const cpu = () => pids.reduce((total, pid) => total + cpuMicros(pid, ticksPerSecond), 0);
        const before = cpu();
        const result = await perf({ port: dns.port, file, seconds: runSeconds, once: id === 'misses', clients: 4, outstanding: 200 });
        const used = cpu() - before;
        rows.push({
          workers,
          case: id,
          result,
          cpuMicrosPerAnswer: result.completed > 0 ? used / result.completed : Number.NaN,
          busyCores: used / (result.runSeconds * 1e6),
        });
        process.stderr.write(`  ${id}: ${result.qps.toFixed(0)} q/s, p99 ${result.p99Ms.toFixed(2)} ms, lost ${result.lost}\n`);
      }
    });
  }
  return rows;
}

// ---- the run ------------------------------------------------------------------------------------

function preflight(): void {
  for (const [tool, args] of [
    ['dnsperf', ['-h']],
    ['knotd', ['--version']],
    ['kdig', ['--version']],
  ] as const) {
    try {
      execFileSync(tool, args, { stdio: 'ignore' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error(`${tool} is not installed — apt-get install dnsperf knot knot-dnsutils`, { cause: err });
    }
  }
  if (!existsSync(join(root, 'dist/engine/host/engine-process.js'))) throw new Error('signalbox is not built — run `npm run build` (npm run soak:dns does it)');
  for (const part of ['engine', 'chunks']) cpSync(join(root, 'dist', part), join(builtCopy, 'dist', part), { recursive: true, preserveTimestamps: true });
}

async function stopEverything(): Promise<void> {
  for (const load of loads) load.kill('SIGKILL');
  await Promise.all([...supervisors].map((supervisor) => supervisor.stop().catch(() => {})));
  supervisors.clear();
  await stopAll();
}

async function main(): Promise<void> {
  preflight();
  const startLoad = loadAverage();
  const info = {
    date: new Date().toString(),
    // The kernel caps every socket's receive buffer (the engine asks for udpReceiveBufferBytes) at this.
    machine: [machineLine(), `net.core.rmem_max ${readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()} bytes`, commit()],
    versions: [`node ${process.version}`, `dnsperf ${firstLine('dnsperf', ['-h'], /^Version/).replace(/^Version\s*/, '')}`, firstLine('knotd', ['--version'])],
    scale,
  };
  const report: { upgrade?: UpgradeReport; kill?: KillReport; flap?: FlapReport; throughput?: ThroughputRow[] } = {};
  try {
    const knot = await startKnot(mkdtempSync(join(dir, 'knot-')), { core: null });
    peersNow.knot = knot;
    const phase = async <T>(name: PhaseName, body: () => Promise<T>): Promise<T | undefined> => {
      if (!phases.includes(name)) return undefined;
      currentPhase = name;
      try {
        return await body();
      } catch (err) {
        process.exitCode = 1;
        notes.push(`phase ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
        process.stderr.write(`soak: phase ${name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
        return undefined;
      }
    };
    report.upgrade = await phase('upgrade', () => upgradePhase(knot));
    report.kill = await phase('kill', () => killPhase(knot));
    report.flap = await phase('flap', () => flapPhase());
    report.throughput = await phase('throughput', () => throughputPhase(knot));
  } finally {
    await stopEverything();
  }
  const endLoad = loadAverage();
  info.machine.push(`load average (1 min) at start ${startLoad.toFixed(2)}, at end ${endLoad.toFixed(2)}`);
  if (Math.max(startLoad, endLoad) > 0.5)
    notes.push(
      'Other work was running on the machine (see the load averages): it shares the two cores with the engine, Knot and the load, and shows as latency (p99 most) and lower throughput.',
    );
  const markdown = soakMarkdown({ ...info, notes }, report);
  process.stdout.write(`\n${markdown}\n`);
  if (options.results) {
    writeSection(resultsFile, 'dns-soak', markdown);
    process.stdout.write(`\nwritten to ${resultsFile}\n`);
  }
}

// Engines, Knot and the relay are ended on any way out: an error, Ctrl-C, or the end of the run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopEverything().finally(() => process.exit(130)));
}
await main();
