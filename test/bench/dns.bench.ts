// The DNS benchmark (a benchmark, not a timed test): dnsperf against signalbox, dnsdist, a bare
// Node UDP echo and a bare Node UDP forwarder, all in front of the same Knot upstream, in one run. Each server has core 0 alone
// (taskset); dnsperf, Knot and this script share core 1. Cases: (a) cache hits over 100 names,
// (b) unique misses, (c) a fixed 10k q/s of unique misses, (d) the hits at that same 10k q/s, and
// (e), (f) the hits over DoT and DoH (dnsperf -m dot / -m doh; signalbox and dnsdist only).
// For each: q/s, loss, p50/p99 and the server's CPU microseconds per answered query. Prints a table,
// checks the targets and rewrites test/bench/RESULTS.md (keeping its Commentary section).
//
//   npm run bench:dns          builds first; 3 interleaved rounds of 10 s per case, then signalbox under --cpu-prof
//   npm run bench:dns -- --servers signalbox,dnsdist --cases dot-hit,doh-hit     the DoT/DoH section alone
//   npm run bench:dns -- --seconds 3 --rounds 1 --no-results --no-profile --servers signalbox,dnsdist --cases hit,rate
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dnsperf, type DnsperfResult, type DnsperfRun } from './dnsperf.ts';
import { h2load } from './h2load.ts';
import { firstLine } from './machine.ts';
import { makePki } from '../helpers/dns-tls.ts';
import {
  clientCore,
  cpuMicros,
  pinSelf,
  projectNode,
  serverCore,
  startDnsdist,
  startDnstapCollector,
  startEcho,
  startForwarder,
  startKnot,
  startSignalbox,
  stopAll,
  udpReceiveBufferDrops,
  type BenchTls,
  type Peer,
} from './peers.ts';
import { busyMicros, selfTimeTable, topSelfTime } from './profile.ts';
import {
  caseTitles,
  checks,
  checksTable,
  encryptedCases,
  encryptedChecks,
  medianRows,
  table,
  writeEncryptedResults,
  writeResults,
  type CaseId,
  type Row,
} from './report.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
/** `signalbox-dnstap`: signalbox sending dnstap to fstrm_capture, to see what dnstap costs (not run unless named). */
const serverNames = ['echo', 'forward', 'dnsdist', 'signalbox', 'signalbox-dnstap'] as const;
const defaultServers = serverNames.filter((name) => name !== 'signalbox-dnstap');
type ServerName = (typeof serverNames)[number];

const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    /** Every server through every case this many times, interleaved; the table shows medians. */
    rounds: { type: 'string', default: '3' },
    servers: { type: 'string', default: defaultServers.join(',') },
    // Hits first, while the cache holds the 100 names; the misses of (b) push them out.
    cases: { type: 'string', default: 'hit,rate-hit,dot-hit,doh-hit,miss,rate' },
    results: { type: 'boolean', default: true },
    profile: { type: 'boolean', default: true },
    /** Extra Node flags for signalbox's processes (NODE_OPTIONS), to compare runtime settings in one run; the engine's own are engine/dns/node-flags.ts. */
    'node-flags': { type: 'string', default: '' },
  },
  allowNegative: true,
  strict: true,
});
const seconds = Number(options.seconds);
if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600)
  throw new Error(`--seconds: "${options.seconds}" is not a whole number of seconds from 1 to 600`);
const rounds = Number(options.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds: "${options.rounds}" is not a whole number from 1 to 20`);
const servers = options.servers.split(',').map((name) => name.trim()) as ServerName[];
for (const name of servers) {
  if (!serverNames.includes(name)) throw new Error(`--servers: unknown server "${name}" — known: ${serverNames.join(', ')}`);
}
const caseIds = options.cases.split(',').map((id) => id.trim()) as CaseId[];
for (const id of caseIds) {
  if (!(id in caseTitles)) throw new Error(`--cases: unknown case "${id}" — known: ${Object.keys(caseTitles).join(', ')}`);
}

/** How many unique miss names a case gets: more than the fastest server answers in that time. */
const missesPerSecond = 150_000;
const fixedRate = 10_000;
const hitNames = Array.from({ length: 100 }, (_, i) => `h${i}.hit.example.test A`);

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function preflight(): void {
  for (const [tool, args] of [
    ['dnsperf', ['-h']],
    ['h2load', ['--version']],
    ['dnsdist', ['--version']],
    ['knotd', ['--version']],
    ['kdig', ['--version']],
    ['taskset', ['--version']],
  ] as const) {
    try {
      execFileSync(tool, args, { stdio: 'ignore' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error(`${tool} is not installed — apt-get install dnsperf dnsdist knot knot-dnsutils util-linux nghttp2-client`, { cause: err });
    }
  }
  if (cpus().length < 2) throw new Error(`the bench needs 2 cores (server on ${serverCore}, client on ${clientCore}); this machine has ${cpus().length}`);
  if (!existsSync(join(root, 'dist/engine/host/cli.js'))) throw new Error('signalbox is not built — run `npm run build` (npm run bench:dns does it)');
}

/** Unique names under the wildcard *.miss.example.test: every one of them has to go to Knot. */
function writeMissFile(file: string, prefix: string, count: number): string {
  const nonce = randomBytes(4).toString('hex');
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${prefix}${i}-${nonce}.miss.example.test A`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The DoT/DoH certificate of signalbox and dnsdist (one throwaway openssl CA), when an encrypted case runs. */
const tls: BenchTls | undefined = caseIds.some((id) => encryptedCases.includes(id)) ? makePki() : undefined;

async function startServer(name: ServerName, dir: string, knot: Peer, nodeArgs: string[] = []): Promise<Peer> {
  if (name === 'echo') return startEcho();
  if (name === 'forward') return startForwarder(knot.port);
  if (name === 'dnsdist') return startDnsdist(dir, knot.port, tls);
  if (name === 'signalbox') return startSignalbox(dir, knot.port, nodeArgs, tls);
  const collector = await startDnstapCollector(dir);
  const server = await startSignalbox(dir, knot.port, nodeArgs, tls, collector.address);
  return { ...server, stop: () => server.stop().finally(() => collector.stop()) };
}

/** Where a run's queries go: the DoT or DoH port for those modes (undefined: the server has none), else the UDP port. */
function portFor(server: Peer, run: Omit<DnsperfRun, 'port' | 'outFile'>): number | undefined {
  return run.mode === 'dot' ? server.dotPort : run.mode === 'doh' ? server.dohPort : server.port;
}

/** One run's load: dnsperf, or h2load for DoH (4 connections x 25 streams: the 100 outstanding of dnsperf -c 4 -q 100). */
function load(server: Peer, run: Omit<DnsperfRun, 'port' | 'outFile'>, outFile: string): Promise<DnsperfResult> {
  const port = portFor(server, run)!;
  if (run.mode === 'doh') return h2load({ port, file: run.file, seconds: run.seconds, clients: 4, streams: 25, outFile });
  return dnsperf({ ...run, port, outFile });
}

async function measure(server: Peer, id: CaseId, run: Omit<DnsperfRun, 'port' | 'outFile'>, dir: string): Promise<Row> {
  const drops = udpReceiveBufferDrops();
  const before = cpuMicros(server.pid, ticksPerSecond);
  const result = await load(server, run, join(dir, `dnsperf-${server.name}-${id}.txt`));
  const used = cpuMicros(server.pid, ticksPerSecond) - before;
  const receiveBufferDrops = udpReceiveBufferDrops() - drops;
  return {
    server: server.name,
    case: id,
    result,
    cpuMicrosPerAnswer: result.completed > 0 ? used / result.completed : Number.NaN,
    busyPercent: (used / (result.runSeconds * 1e6)) * 100,
    receiveBufferDrops,
  };
}

interface Files {
  hits: string;
  warmMisses: string;
  misses: string;
  rate: string;
}

/** Fills the cache with the hit names and lets the JIT see both paths, outside the measurement. */
async function warm(server: Peer, files: Files, dir: string): Promise<void> {
  const outFile = join(dir, 'dnsperf-warm.txt');
  await dnsperf({ port: server.port, file: files.hits, seconds: 1, outFile });
  await dnsperf({ port: server.port, file: files.warmMisses, seconds: 1, once: true, outFile });
}

function runsFor(files: Files): Record<CaseId, Omit<DnsperfRun, 'port' | 'outFile'>> {
  return {
    hit: { file: files.hits, seconds },
    miss: { file: files.misses, seconds, once: true },
    rate: { file: files.rate, seconds, once: true, qps: fixedRate, outstanding: 1000 },
    'rate-hit': { file: files.hits, seconds, qps: fixedRate, outstanding: 1000 },
    'dot-hit': { file: files.hits, seconds, mode: 'dot' },
    'doh-hit': { file: files.hits, seconds, mode: 'doh' },
  };
}

async function benchServer(server: Peer, files: Files, dir: string): Promise<Row[]> {
  await warm(server, files, dir);
  const runs = runsFor(files);
  const rows: Row[] = [];
  for (const id of caseIds) {
    // The forwarder has no cache: its "hits" would be misses under another title.
    if (server.name === 'node-udp-forward' && (id === 'hit' || id === 'rate-hit')) continue;
    // The echo and the forwarder speak UDP only.
    if (portFor(server, runs[id]) === undefined) continue;
    const row = await measure(server, id, runs[id], dir);
    rows.push(row);
    process.stderr.write(
      `  ${server.name} ${caseTitles[id]}: ${row.result.qps.toFixed(0)} q/s, ${row.cpuMicrosPerAnswer.toFixed(2)} us/answer, lost ${row.result.lost}\n`,
    );
  }
  return rows;
}

/**
 * signalbox once more, under --cpu-prof, through the same warm-up and cases (the profiler slows it,
 * so none of this is in the table); the samples are split per case by time, which works because
 * V8's profile clock and process.hrtime are both the monotonic clock.
 */
async function profileSignalbox(files: Files, dir: string, knot: Peer): Promise<string> {
  const profileDir = join(dir, 'cpu-prof');
  const server = await startServer('signalbox', dir, knot, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
  const windows: { id: CaseId; fromMicros: number; toMicros: number }[] = [];
  const micros = () => Number(process.hrtime.bigint() / 1000n);
  try {
    await warm(server, files, dir);
    const runs = runsFor(files);
    for (const id of caseIds) {
      const fromMicros = micros();
      await load(server, runs[id], join(dir, 'dnsperf-profile.txt'));
      windows.push({ id, fromMicros, toMicros: micros() });
    }
  } finally {
    // SIGTERM lets signalbox exit cleanly, which is when Node writes the profile.
    await server.stop();
  }
  // Every process writes one (the launcher and the engine's worker): the engine's is the busiest.
  const [file] = readdirSync(profileDir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => ({ name, busy: busyMicros(join(profileDir, name)) }))
    .sort((a, b) => b.busy - a.busy)
    .map(({ name }) => name);
  if (!file) throw new Error(`signalbox wrote no .cpuprofile into ${profileDir}`);
  const about =
    "Self time of the busy samples (idle left out) while signalbox ran the same warm-up and cases again under `node --cpu-prof` (which slows it). `doSend` includes the sendmsg system call; `(program)` is native code outside JavaScript (libuv, the receive path); `(garbage collector)` is the main thread's share of GC.";
  return [
    about,
    ...windows.map(
      ({ id, fromMicros, toMicros }) =>
        `### signalbox ${caseTitles[id]}\n\n${selfTimeTable(topSelfTime(join(profileDir, file), { fromMicros, toMicros }, 15))}`,
    ),
  ].join('\n\n');
}

function machine(): string[] {
  const model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? '?';
  return [
    `${cpus().length} cores (nproc ${firstLine('nproc', [])}), ${model}`,
    `kernel ${firstLine('uname', ['-r'])}`,
    `load average (1 min) at start ${loadavg()[0]!.toFixed(2)}`,
  ];
}

function versions(): string[] {
  return [
    `node ${firstLine(projectNode, ['--version'])} (signalbox and the echo; node_modules/.bin/node)`,
    firstLine('dnsdist', ['--version']),
    `dnsperf ${firstLine('dnsperf', ['-h'], /^Version/).replace(/^Version\s*/, '')}`,
    firstLine('h2load', ['--version']),
    firstLine('knotd', ['--version']),
  ];
}

function method(): string[] {
  return [
    `Each server alone on core ${serverCore} (\`taskset -c ${serverCore}\`); dnsperf, the Knot upstream and the bench script share core ${clientCore} (Knot's threads are pinned again once it runs: knotd binds its UDP workers to CPUs itself, one of them to core ${serverCore}). One server runs at a time, all in the same run, all in front of the same Knot (zone example.test, 127.0.0.1).`,
    'Servers: signalbox (`node bin/signalbox.js dns`, built bundle, cache on with 100k entries, rrl off, querylog as default, health checks on); dnsdist (`--supervised --disable-syslog`, `setSecurityPollSuffix("")`, one backend, `newPacketCache(100000)`, no console, no webserver); node-udp-echo (test/bench/udp-echo.ts: sends each query back with QR set: the floor of a UDP round trip through Node, it never asks Knot); node-udp-forward (test/bench/udp-forward.ts: each query to Knot under a new ID on one connected socket, the answer back to its client: the floor of a miss in Node, two UDP round trips and nothing else; run for the miss cases only).',
    `Before measuring, each server gets 1 s of the hit names (fills the cache) and 1 s of other unique misses (warms the JIT on both paths).`,
    `(a) hits: 100 names h0..h99.hit.example.test A, over and over, ${seconds} s, dnsperf -c 4 -q 100 (closed loop: as fast as answers come).`,
    `(b) misses: unique names under the wildcard *.miss.example.test (${(seconds * missesPerSecond).toLocaleString('en')} of them, dnsperf -n 1, so none repeats), ${seconds} s, -c 4 -q 100: every query goes to Knot.`,
    `(c) fixed rate: dnsperf -Q ${fixedRate} of fresh unique misses for ${seconds} s, -c 4 -q 1000.`,
    `(d) not in the issue: the 100 hit names at -Q ${fixedRate} for ${seconds} s. CPU per answer depends on the load: at saturation a server reads and writes many datagrams per wake-up, at 10k q/s it wakes for nearly every one, so (d) shows the hit path at the load of (c). Run order per server: (a), (d), (b), (c), so that the hit names are still cached in (d).`,
    `${rounds} rounds: every server through every case, then again, each time started afresh; the table shows the median of each figure over the rounds (answered, lost and drops are totals), and each round's p99 and CPU per answer.`,
    "q/s, answered and lost are dnsperf's (timeout 2 s). p50/p99 come from dnsperf -v (the latency of every answer). In (a) and (b) the load is closed-loop, so latency there is mostly queueing behind 100 outstanding queries.",
    `CPU us/answer: utime+stime of the server process (all threads) from /proc/PID/stat (CLK_TCK ${ticksPerSecond}) before and after the dnsperf run, over the answered queries. "server core busy" is that CPU time over dnsperf's run time: close to 100 % means the server was the limit; well below means the client core (dnsperf + Knot) was.`,
    '"UDP rcvbuf drops": RcvbufErrors of /proc/net/snmp over the run, for the whole host (so other work on the machine counts too): datagrams the kernel dropped because a socket\'s receive buffer was full, the usual cause of lost queries when a server stalls.',
  ];
}

function encryptedMethod(): string[] {
  return [
    `Servers, cores and upstream as in the DNS section above; only signalbox and dnsdist (the echo and the forwarder speak UDP only). Both present the same certificate (an EC P-256 key from a throwaway openssl CA); signalbox listens with \`tls://\` and \`https://.../dns-query\`, dnsdist with \`addTLSLocal\` and \`addDOHLocal(..., "/dns-query")\`.`,
    `(e) DoT hits: the 100 hit names of (a), cached by the warm-up over UDP, for ${seconds} s with \`dnsperf -m dot -c 4 -q 100\` (4 TLS connections, closed loop). (f) DoH hits: the same names as GET ?dns= requests with nghttp2's \`h2load -c 4 -m 25 -D ${seconds}\` (HTTP/2, 4 connections x 25 streams = 100 outstanding; p50/p99 from its --log-file; "lost" = failed, errored or timed out). Not dnsperf's -m doh: dnsperf 2.10 loses most answers with more than one query outstanding per connection, against dnsdist's DoH as against ours, and makes ~80 q/s with one. Run after (a) and (d), before the misses push the names out.`,
    'CPU us/answer and p99 as in the DNS section: utime+stime of the server process tree over the answered queries; p99 from dnsperf -v. The TLS handshakes (4 per run) are inside the measurement.',
  ];
}

/** Query files and dnsperf output (tens of MB): removed however the run ends. */
const dir = mkdtempSync(join(tmpdir(), 'sbx-bench-'));

async function main(): Promise<void> {
  preflight();
  // Read before pinning: nproc counts only the cores this process may use.
  const startLoad = loadavg()[0]!;
  const info = { date: new Date().toString(), machine: machine(), versions: versions(), method: method(), notes: [] as string[] };
  await pinSelf();
  const rows: Row[] = [];
  let profile = '';
  try {
    const files: Files = {
      hits: join(dir, 'hits.txt'),
      warmMisses: writeMissFile(join(dir, 'warm-misses.txt'), 'w', missesPerSecond),
      misses: writeMissFile(join(dir, 'misses.txt'), 'm', seconds * missesPerSecond),
      rate: writeMissFile(join(dir, 'rate.txt'), 'r', Math.ceil(seconds * fixedRate * 1.2)),
    };
    writeFileSync(files.hits, hitNames.join('\n') + '\n');
    const knot = await startKnot(dir);
    // Rounds interleave the servers, so that a noisy minute of the machine hits all of them; each
    // round starts every server afresh (an empty cache: the miss names are misses again).
    for (let round = 1; round <= rounds; round++) {
      for (const name of servers) {
        process.stderr.write(`bench: round ${round} of ${rounds}, ${name} on core ${serverCore}\n`);
        const server = await startServer(name, dir, knot, name.startsWith('signalbox') ? options['node-flags'].split(/\s+/).filter(Boolean) : []);
        try {
          rows.push(...(await benchServer(server, files, dir)));
        } finally {
          await server.stop();
        }
      }
    }
    if (options.profile && servers.includes('signalbox')) profile = await profileSignalbox(files, dir, knot);
  } finally {
    await stopAll();
  }

  info.machine.push(`load average (1 min) at end ${loadavg()[0]!.toFixed(2)}`);
  if (Math.max(startLoad, loadavg()[0]!) > 0.5) {
    info.notes.push(
      "Other work was running on the machine (see the load averages): processes not pinned by the bench share core 0 with the server under test, which shows as stalls, lost queries (rcvbuf drops) and lower throughput that are not the server's own doing. Re-run on a quiet machine for numbers to quote.",
    );
  }
  for (const row of rows) {
    if ((row.case === 'hit' || row.case === 'miss') && row.result.runSeconds < seconds * 0.9)
      info.notes.push(`${row.server} ${caseTitles[row.case]} ran ${row.result.runSeconds.toFixed(1)} s, not ${seconds} s (the query file ran out)`);
  }
  const medians = medianRows(rows);
  const plain = medians.filter((row) => !encryptedCases.includes(row.case));
  const encrypted = medians.filter((row) => encryptedCases.includes(row.case));
  const list = checks(plain);
  if (plain.length > 0) process.stdout.write(`\n${table(plain)}\n\n${checksTable(list)}\n`);
  if (encrypted.length > 0) process.stdout.write(`\n${table(encrypted)}\n\n${checksTable(encryptedChecks(encrypted))}\n`);
  if (profile) process.stdout.write(`\n${profile}\n`);
  if (options.results) {
    // Each section only when this run measured it: a run of the DoT/DoH cases alone keeps the UDP results.
    if (plain.length > 0) writeResults(resultsFile, info, plain, list, profile);
    if (encrypted.length > 0) writeEncryptedResults(resultsFile, info, encrypted, encryptedMethod());
    process.stdout.write(`\nwritten to ${resultsFile}\n`);
  }
}

// Children are ended on any way out: an error, Ctrl-C, or the end of the run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
await main();
