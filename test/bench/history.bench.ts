// The history store's bench (issue 19 item 3), a benchmark, not a timed test:
// (1) the DNS engine under `signalbox serve` at a fixed 10k q/s of unique misses (dnsperf -Q), with
//     the history off and on, interleaved: loss, p50/p99, the host process's CPU per query (its
//     worker threads, DuckDB's included), and whether every answered query reached the store;
// (2) ROWS query-log rows (10 M by default) spread over 24 h appended to a fresh store, then the
//     24 h top-10 names and clients, a name search and the 24 h chart, and the disk per million rows.
//
//   npm run bench:history                     builds first; 2 rounds of 30 s per mode, 10 M rows
//   npm run bench:history -- --seconds 5 --rounds 1 --rows 1000000 --no-results
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { QueryLogEntry } from '../../engine/api/dns.ts';
import { searchThroughHost } from '../../engine/host/history/history-socket.ts';
import { HistoryStore } from '../../engine/host/history/history-store.ts';
import { dnsperf, type DnsperfResult } from './dnsperf.ts';
import { commit, firstLine, machineLine } from './machine.ts';
import { cpuMicros, pinSelf, projectNode, serverCore, spawnPinned, startKnot, stopAll, stopChild, waitForAnswers, type Peer } from './peers.ts';
import { writeSection } from './results-file.ts';
import { freePort } from '../helpers/knot.ts';
import { waitFor } from '../helpers/wait.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '2' },
    rows: { type: 'string', default: '10000000' },
    results: { type: 'boolean', default: true },
  },
  allowNegative: true,
  strict: true,
});
const seconds = Number(options.seconds);
const rounds = Number(options.rounds);
const totalRows = Number(options.rows);
const rate = 10_000;
const ticksPerSecond = Number(firstLine('getconf', ['CLK_TCK'])) || 100;
const dir = mkdtempSync(join(tmpdir(), 'sbx-history-bench-'));

interface RateRow {
  mode: 'off' | 'on';
  result: DnsperfResult;
  hostMicrosPerQuery: number;
  /** Answered queries of the run found in the history (on only). */
  kept: number | null;
}

/** `signalbox serve` on the server core with the DNS engine in front of Knot, the history on or off. */
async function startServe(mode: 'off' | 'on', knot: Peer, round: number): Promise<Peer & { dataDir: string }> {
  const port = await freePort();
  const dataDir = join(dir, `data-${mode}-${round}`);
  const config = join(dir, `serve-${mode}-${round}.yaml`);
  writeFileSync(
    config,
    [
      `dataDir: ${dataDir}`,
      `history: { enabled: ${mode === 'on'} }`,
      'engines:',
      '  dns:',
      '    enabled: true',
      `    listen: ["127.0.0.1:${port}"]`,
      `    upstreams: ["127.0.0.1:${knot.port}"]`,
      '    healthCheck: { probeName: "example.test." }',
      '',
    ].join('\n'),
  );
  const pinned = spawnPinned(serverCore, projectNode, [join(root, 'bin/signalbox.js'), 'serve', '--config', config, '--port', '0']);
  await waitForAnswers('signalbox serve', pinned, port, 30_000);
  return { name: `serve-${mode}`, pid: pinned.child.pid!, port, dataDir, stop: () => stopChild(pinned.child) };
}

async function rateRun(mode: 'off' | 'on', knot: Peer, round: number): Promise<RateRow> {
  const server = await startServe(mode, knot, round);
  try {
    const nonce = randomBytes(4).toString('hex');
    const file = join(dir, `rate-${nonce}.txt`);
    writeFileSync(file, Array.from({ length: Math.ceil(seconds * rate * 1.2) }, (_, i) => `r${i}-${nonce}.miss.example.test A`).join('\n') + '\n');
    // Warm-up: the JIT sees the miss path before the measurement.
    const warmFile = join(dir, `warm-${nonce}.txt`);
    writeFileSync(warmFile, Array.from({ length: 20_000 }, (_, i) => `w${i}-${nonce}.miss.example.test A`).join('\n') + '\n');
    await dnsperf({ port: server.port, file: warmFile, seconds: 2, once: true, qps: rate, outstanding: 1000, outFile: join(dir, 'warm.out') });
    const since = Date.now();
    const before = cpuMicros(server.pid, ticksPerSecond);
    const result = await dnsperf({ port: server.port, file, seconds, once: true, qps: rate, outstanding: 1000, outFile: join(dir, 'rate.out') });
    const used = cpuMicros(server.pid, ticksPerSecond) - before;
    let kept: number | null = null;
    if (mode === 'on') {
      const count = async () => (await searchThroughHost(server.dataDir, { search: { since, filter: { qname: `-${nonce}.miss` } }, limit: 1 }))?.matched ?? 0;
      // Batches reach the store once a second: wait for the last ones (or report what is missing).
      await waitFor(async () => (kept = await count()) >= result.completed, 'the run in the history', 15_000).catch(() => {});
    }
    rmSync(file, { force: true });
    return { mode, result, hostMicrosPerQuery: used / Math.max(1, result.completed), kept };
  } finally {
    await server.stop();
  }
}

function entry(i: number, start: number, spacingMs: number): QueryLogEntry {
  // A skewed mix of names, as real traffic: a few names take most queries (the earlier bench's).
  const n = Math.floor(50_000 * Math.random() ** 3);
  return {
    seq: i,
    at: start + Math.floor(i * spacingMs),
    client: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    transport: 'udp',
    qname: `host${n}.example${n % 97}.test`,
    qtype: i % 5 === 0 ? 28 : 1,
    rcode: n % 13 === 0 ? 3 : 0,
    upstream: '127.0.0.1:53',
    route: '.',
    latencyMs: (i % 50) / 10,
    cache: i % 4 === 0 ? 'miss' : 'hit',
    rrl: null,
    flattened: false,
    answers: n % 13 === 0 ? null : `A 192.0.2.${n & 255}`,
  };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await work();
  return [value, performance.now() - t];
}

async function bigStore() {
  const dataDir = join(dir, 'big');
  const store = await HistoryStore.open(dataDir, { limits: { maxAgeMs: 2 * 86_400_000, maxBytes: 64 * 1024 ** 3 } });
  const day = 86_400_000;
  const start = Date.now() - day;
  const spacing = day / totalRows;
  const batch = 100_000;
  let appendMs = 0;
  for (let from = 0; from < totalRows; from += batch) {
    const rows = Array.from({ length: Math.min(batch, totalRows - from) }, (_, k) => entry(from + k, start, spacing));
    store.addQueries(rows);
    appendMs += (await timed(() => store.flush()))[1];
  }
  const range = { since: start, until: start + day };
  const [, topMs] = await timed(() => store.topQueries(range, 10));
  const [found, searchMs] = await timed(() => store.searchQueries({ ...range, filter: { qname: 'host4242.' } }, 500));
  const [, chartMs] = await timed(() => store.chartQueries(range, 300_000));
  const [, rcodeMs] = await timed(() => store.searchQueries({ ...range, filter: { rcode: 3, client: '10.1.2.3' } }, 500));
  await store.close();
  const bytes = statSync(join(dataDir, 'history.duckdb')).size;
  return { appendMs, topMs, searchMs, searchMatched: found.matched, chartMs, rcodeMs, bytes };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

async function main() {
  const startLoad = loadavg()[0]!;
  // Read before pinning: nproc counts only the cores this process may use.
  const machine = machineLine();
  await pinSelf();
  const rows: RateRow[] = [];
  try {
    const knot = await startKnot(dir);
    for (let round = 1; round <= rounds; round++) {
      for (const mode of ['off', 'on'] as const) {
        process.stderr.write(`bench: round ${round} of ${rounds}, history ${mode}\n`);
        rows.push(await rateRun(mode, knot, round));
      }
    }
  } finally {
    await stopAll();
  }
  process.stderr.write(`bench: ${fmt(totalRows)} rows into a fresh store\n`);
  const big = await bigStore();
  const endLoad = loadavg()[0]!;

  const byMode = (mode: 'off' | 'on') => rows.filter((row) => row.mode === mode);
  const p99 = (mode: 'off' | 'on') => median(byMode(mode).map((row) => row.result.p99Ms));
  const lines = [
    '## History store (`npm run bench:history`)',
    '',
    `Run: ${new Date().toString()}; ${commit()}.`,
    '',
    `- ${machine}; load average (1 min) ${fmt(startLoad, 2)} at start, ${fmt(endLoad, 2)} at end`,
    `- node ${process.version}; @duckdb/node-api in the host's history worker thread (memory_limit 512MB, 1 thread); dnsperf ${firstLine('dnsperf', ['-h'], /^Version/).replace(/^Version\s*/, '')}; Knot ${firstLine('knotd', ['--version'])}`,
    `- (1) \`signalbox serve\` (host + DNS engine) alone on core ${serverCore}, dnsperf and Knot on the other: dnsperf -Q ${fmt(rate)} of unique misses for ${seconds} s, -c 4 -q 1000, after a 2 s warm-up; history off and on interleaved, ${rounds} round(s), each in a fresh data folder. Host CPU: utime+stime of the host process (all its threads: the history's worker and DuckDB's) over the answered queries. Kept: the run's queries found in the store (\`matched\` through the host's socket) against dnsperf's completed.`,
    '',
    '| history | round | answered | lost | p50 ms | p99 ms | host CPU us/query | kept in the store |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row, i) =>
        `| ${row.mode} | ${Math.floor(i / 2) + 1} | ${fmt(row.result.completed)} | ${fmt(row.result.lost)} | ${fmt(row.result.p50Ms, 2)} | ${fmt(row.result.p99Ms, 2)} | ${fmt(row.hostMicrosPerQuery, 1)} | ${row.kept === null ? '—' : `${fmt(row.kept)}${row.kept === row.result.completed ? ' (all)' : ''}`} |`,
    ),
    '',
    `p99 median: off ${fmt(p99('off'), 2)} ms, on ${fmt(p99('on'), 2)} ms (${fmt(((p99('on') - p99('off')) / p99('off')) * 100, 1)} %; the issue's bound: within 10 %).`,
    '',
    `- (2) ${fmt(totalRows)} rows over the last 24 h (names skewed: 50,000 distinct, a few take most queries; clients distinct), appended in batches of 100,000 as the host sends them, then each query once over the 24 h:`,
    '',
    '| what | time |',
    '|---|---:|',
    `| append ${fmt(totalRows)} rows | ${fmt(big.appendMs / 1000, 1)} s (${fmt(totalRows / (big.appendMs / 1000))} rows/s) |`,
    `| top-10 names and top-10 clients, 24 h | ${fmt(big.topMs)} ms |`,
    `| name search "host4242." (newest 500 + count: ${fmt(big.searchMatched)}) | ${fmt(big.searchMs)} ms |`,
    `| rcode + client search (newest 500 + count) | ${fmt(big.rcodeMs)} ms |`,
    `| chart, 24 h in 5-minute buckets | ${fmt(big.chartMs)} ms |`,
    `| history.duckdb after the checkpoint | ${fmt(big.bytes / 1e6)} MB: ${fmt(big.bytes / (totalRows / 1e6) / 1e6, 1)} MB per million queries |`,
  ];
  const markdown = lines.join('\n');
  process.stdout.write(markdown + '\n');
  if (options.results) writeSection(resultsFile, 'history', markdown);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
await main();
