// The Railgun benchmark (a benchmark, not a timed test), on the whole page corpus in one run:
// (1) bytes of every version against its predecessor: gzip -6, brotli q11, `zstd -19 --patch-from`
//     and what crossed the pair's link (body bytes, and TLS socket bytes with all framing);
// (2) time to last byte on loopback, straight from an origin vs through an in-process pair;
// (3) the same over a 100 ms round trip (a network namespace behind a veth with tc netem), skipped
//     with the reason when this machine cannot delay packets.
// Writes the railgun section of test/bench/RESULTS.md (keeping its commentary).
//
//   npm run bench:railgun
//   npm run bench:railgun -- --pages synthetic-imprint,synthetic-status-json --rtt-ms 0 --no-results
//   npm run bench:railgun -- --corpus DIR    (a bigger corpus in the same layout as test/fixtures/pages)
//   (--rtt-ms 0 runs the namespace part over a plain veth: it checks the plumbing, it measures no delay)
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { railgunConfig, railgunLimits } from '../../engine/api/railgun.ts';
import { startEnds, type Ends } from '../../engine/railgun/ends.ts';
import { SavingsBook } from '../../engine/railgun/savings.ts';
import { generateToken } from '../../engine/railgun/tls.ts';
import { corpusPages, corpusSource, startCorpusOrigin, type CorpusPage } from '../engine/railgun/corpus-origin.ts';
import { quietLog, tempDir } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { commit } from './machine.ts';
import { measureBytes, zstdCommand } from './railgun-bytes.ts';
import { openDelayedPath, PathUnavailable, startFarEnd, type DelayedPath, type FarEnd } from './railgun-netns.ts';
import { anomalies, bytesTable, latencyByPage, latencyTable, meanRatios, pagesOverZstd, slowest, wholeCorpus } from './railgun-report.ts';
import { Replay, type Exchange, type Route } from './railgun-replay.ts';
import { writeSection } from './results-file.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));

const { values: options } = parseArgs({
  options: {
    /** Only these pages (comma-separated folder names), for a quick look; the results want them all. */
    pages: { type: 'string', default: '' },
    /** A corpus folder (one folder per page, v000.<ext>, v001.<ext>, ...) instead of the default. */
    corpus: { type: 'string' },
    'rtt-ms': { type: 'string', default: '100' },
    results: { type: 'boolean', default: true },
  },
  allowNegative: true,
  strict: true,
});
const rttMs = Number(options['rtt-ms']);
if (!Number.isInteger(rttMs) || rttMs < 0 || rttMs > 1000 || rttMs % 2 !== 0)
  throw new Error(`--rtt-ms: "${options['rtt-ms']}" is not an even whole number of ms from 0 to 1000 (half goes each way)`);

/** Versions per page in the warm-up (a throwaway origin and pair, not measured). */
const warmUpVersions = 8;

/** Synchronous clean-ups (namespace, far end) for an exit by error or signal. */
const cleanups = new Set<() => void>();
const dir = tempDir('railgun-bench');
process.on('exit', () => {
  for (const cleanup of cleanups) cleanup();
  rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

function output(command: string, args: string[]): string {
  try {
    // trimEnd: a porcelain line starts with a space when the index is unchanged.
    return execFileSync(command, args, { encoding: 'utf8', cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return '?';
  }
}

function preflight(): void {
  try {
    execFileSync(zstdCommand, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('the zstd CLI is not installed (the reference for --patch-from) — apt-get install zstd');
  }
}

function machine(): string[] {
  return [
    `${cpus().length} cores, ${cpus()[0]?.model ?? '?'}; kernel ${output('uname', ['-r'])}; load average (1 min) at start ${loadavg()[0]!.toFixed(2)}`,
    `node ${process.version}; ${output(zstdCommand, ['--version']).replace(/^\*+\s*|\s*\*+$/g, '')} (${output('sh', ['-c', `command -v ${zstdCommand}`])})`,
    commit(),
  ];
}

async function linkUp(ends: Ends): Promise<void> {
  await waitFor(() => ends.link?.state.state === 'up', 'the railgun link to come up', 15_000);
}

const socketTotal = (ends: Ends) => ends.link!.state.socketBytesSent + ends.link!.state.socketBytesReceived;

interface Run {
  exchanges: Exchange[];
  /** TLS socket bytes from the first request to the last (PINGs included), and the run's wall time. */
  socketBytes: number;
  seconds: number;
  retries: number;
  errors: number;
}

/** Replays through a started route, counting the link's socket bytes over the whole run as well. */
async function replay(route: Route, ends: Ends, pages: CorpusPage[], limit?: number): Promise<Run> {
  const player = new Replay(route);
  try {
    await linkUp(ends);
    await player.connect();
    const socketBefore = socketTotal(ends);
    const started = performance.now();
    const exchanges = await player.run(pages, limit, (page) => limit === undefined && process.stderr.write(`  ${page}\n`));
    return {
      exchanges,
      socketBytes: socketTotal(ends) - socketBefore,
      seconds: (performance.now() - started) / 1000,
      retries: route.book.totals.retries,
      errors: route.book.totals.errors,
    };
  } finally {
    player.close();
  }
}

/** Two origins (one direct, one behind the pair) and an in-process pair on loopback. */
async function loopback(pages: CorpusPage[], limit?: number): Promise<Run> {
  const [direct, behind] = await Promise.all([startCorpusOrigin(pages), startCorpusOrigin(pages)]);
  const book = new SavingsBook();
  let ends: Ends | null = null;
  try {
    ends = await startEnds(railgunConfig.parse({ enabled: true, role: 'pair', origin: behind.url, listen: '127.0.0.1:0' }), book, dir, quietLog);
    return await replay({ direct: direct.url, pair: `http://127.0.0.1:${ends.sender!.port}`, book, link: ends.link! }, ends, pages, limit);
  } finally {
    await ends?.stop();
    book.close();
    await Promise.all([direct.close(), behind.close()]);
  }
}

/** The far end in a namespace behind the delayed veth; the sender (role sender, pinned) here. */
async function delayed(pages: CorpusPage[]): Promise<Run | string> {
  let path: DelayedPath;
  try {
    path = openDelayedPath(rttMs);
  } catch (err) {
    if (err instanceof PathUnavailable) return err.message;
    throw err;
  }
  cleanups.add(path.close);
  const book = new SavingsBook();
  let ends: Ends | null = null;
  let far: FarEnd | null = null;
  try {
    const tokenFile = join(dir, 'link-token');
    writeFileSync(tokenFile, `${generateToken()}\n`, { mode: 0o600 });
    far = await startFarEnd(path, tokenFile, options.corpus);
    cleanups.add(far.kill);
    ends = await startEnds(
      railgunConfig.parse({ enabled: true, role: 'sender', link: far.link, pin: far.pin, tokenFile, listen: '127.0.0.1:0' }),
      book,
      dir,
      quietLog,
    );
    return await replay({ direct: far.direct, pair: `http://127.0.0.1:${ends.sender!.port}`, book, link: ends.link! }, ends, pages);
  } finally {
    await ends?.stop();
    book.close();
    await far?.stop();
    path.close();
  }
}

function method(pages: CorpusPage[], versions: number): string[] {
  const limits = railgunLimits.parse({});
  return [
    `Corpus: ${corpusSource(options.corpus)}, ${pages.length} pages, ${versions} versions. Each page's versions v001.. are deltas against the version before; **a page's first version (v000) has no predecessor and is left out of the delta totals**: it is reported in its own table (a full body everywhere).`,
    "gzip -6: `zlib.gzip` level 6 (node:zlib). brotli q11: `zlib.brotliCompress` quality 11, default window (lgwin 22), generic mode (node:zlib; the brotli CLI at -q 11 does the same work). zstd: the CLI, `zstd -19 -q -c --patch-from=<previous> <current>` (frame with the CLI's 4-byte checksum); first versions `zstd -19 -q -c <file>`. All on the same files the origin serves.",
    `Through the pair: \`startEnds\` of engine/railgun/ends.ts, role pair (listener and sender in this process, one HTTP/2 link over loopback TLS, pinned), default limits (deltas at zstd level ${limits.deltaLevel}, full bodies at level ${limits.fullLevel}, ${limits.versionsPerKey} versions per key).` +
      " Link body = the savings book's linkBytes per request (the dcz body: 40-byte RFC 9842 header + zstd frame without checksum); \"frames only\" compares the zstd frames alone: link bodies less that header against the CLI's output less its 4-byte checksum. Link TLS socket = the change of the link socket's bytesWritten + bytesRead around each request: TLS records, HTTP/2 frames and HPACK headers both ways (request with the version id, response headers with the report, DATA with the 32-byte SHA-256 before the body, WINDOW_UPDATE; link protocol 2, engine/railgun/README.md). Where those bytes go: `node --import tsx test/bench/railgun-wire.bench.ts`.",
    'Latency: sequential GETs, one at a time, each version fetched twice: straight from an origin, and through the pair from a second origin that replays the same versions (which path goes first alternates). Time to last byte = from `http.get` to the end of the body, client and servers all in this one Node process (2 cores: the zstd work of the pair runs on the libuv pool). One keep-alive connection per path, opened before timing; the link is up before timing. Every body is compared with the corpus file.',
    `Before the measured replay, a throwaway origin and pair replay the first ${warmUpVersions} versions of each page (JIT and thread-pool warm-up, not counted).`,
    `"added by the pair" is pair − direct for the same version, then p50/p99 over versions (so it is not p99(pair) − p99(direct)). Encode/decode: the savings book's encodeMs (the listener's zstd delta, reported in the link response) and decodeMs (the sender's decode) per request. origin-ms: the listener's own origin fetch, from the sender's \`signalbox-railgun\` header.`,
    rttMs > 0
      ? `${rttMs} ms round trip: network namespace + veth pair, \`tc qdisc add dev <veth> root netem delay ${rttMs / 2}ms\` on each end; the origins and the listener (railgun-far-end.ts, its own Node process) in the namespace, this process (client, sender) outside; direct = straight to the far origin across the veth, pair = sender here → link across the veth → listener → origin on the namespace's loopback. Same replay as on loopback.`
      : 'Namespace part with --rtt-ms 0: a plain veth with no delay (a check of the plumbing, not a delayed path).',
  ];
}

async function main(): Promise<void> {
  preflight();
  const startLoad = loadavg()[0]!;
  const info = { date: new Date().toString(), machine: machine() };
  const wanted = options.pages
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const all = corpusPages(options.corpus);
  for (const name of wanted)
    if (!all.some((page) => page.name === name))
      throw new Error(`--pages: no page "${name}" in ${corpusSource(options.corpus)} — known: ${all.map((page) => page.name).join(', ')}`);
  const pages = wanted.length ? all.filter((page) => wanted.includes(page.name)) : all;
  const versions = pages.reduce((total, page) => total + page.versions.length, 0);

  process.stderr.write(`bench: gzip, brotli and zstd --patch-from of ${versions} versions\n`);
  const bytes = await measureBytes(pages, (page) => process.stderr.write(`  ${page}\n`));
  process.stderr.write('bench: warm-up through a throwaway pair\n');
  await loopback(pages, warmUpVersions);
  process.stderr.write('bench: loopback, direct vs through the pair\n');
  const near = await loopback(pages);
  process.stderr.write(`bench: ${rttMs} ms round trip through a network namespace\n`);
  const far = await delayed(pages);
  const endLoad = loadavg()[0]!;
  info.machine[0] += `, at end ${endLoad.toFixed(2)}`;

  const notes = [
    ...anomalies(near.exchanges).map((note) => `loopback: ${note}`),
    ...(typeof far === 'string' ? [] : anomalies(far.exchanges).map((note) => `${rttMs} ms RTT: ${note}`)),
    ...pagesOverZstd(bytes, near.exchanges),
    ...[near, ...(typeof far === 'string' ? [] : [far])].flatMap((run, i) =>
      run.retries || run.errors ? [`${i ? 'delayed' : 'loopback'} run: ${run.retries} retries, ${run.errors} errors in the savings book`] : [],
    ),
    ...(Math.max(startLoad, endLoad) > 0.5
      ? [
          'Other work was running on the machine (see the load averages): latencies, p99 most, include its interference. Re-run on a quiet machine for numbers to quote.',
        ]
      : []),
  ];
  const deltaSocket = near.exchanges.filter((exchange) => exchange.index > 0).reduce((total, exchange) => total + exchange.socketBytes, 0);
  const sections = [
    `## Railgun (\`npm run bench:railgun\`, test/bench/railgun.bench.ts)`,
    `Run: ${info.date}`,
    `### Machine and versions\n\n${info.machine.map((entry) => `- ${entry}`).join('\n')}`,
    `### Method\n\n${method(pages, versions)
      .map((entry) => `- ${entry}`)
      .join('\n')}`,
    '### Bytes: deltas (v001 on), as % of raw',
    'Design anchors (DESIGN.md, same corpus): gzip -6 17.4 %, brotli -q11 13.7 %, zstd -19 --patch-from 0.46 %.',
    bytesTable(bytes, near.exchanges, false),
    meanRatios(bytes, near.exchanges),
    '### Bytes: first versions (v000, no base anywhere), as % of raw',
    bytesTable(bytes, near.exchanges, true),
    wholeCorpus(bytes, near.exchanges),
    `Link TLS socket bytes over the whole loopback replay (first request to last, keepalive PINGs included): ${near.socketBytes.toLocaleString('en')} B; the per-request sums above: ${near.exchanges.reduce((total, exchange) => total + exchange.socketBytes, 0).toLocaleString('en')} B (deltas ${deltaSocket.toLocaleString('en')} B). Replay time ${near.seconds.toFixed(1)} s.`,
    '### Latency on loopback (time to last byte)',
    latencyTable(near.exchanges),
    latencyByPage(near.exchanges),
    'The ten requests the pair added the most time to:',
    slowest(near.exchanges, 10),
    `### Latency over a ${rttMs} ms round trip (network namespace, tc netem)`,
    ...(typeof far === 'string'
      ? [`**Not measured on this machine**: ${far}. The bench made no delayed path and moved on; on a kernel with sch_netem the same command runs this part.`]
      : [
          `Replay time ${far.seconds.toFixed(1)} s; link TLS socket bytes over the run ${far.socketBytes.toLocaleString('en')} B.`,
          latencyTable(far.exchanges),
          latencyByPage(far.exchanges),
          'The ten requests the pair added the most time to:',
          slowest(far.exchanges, 10),
        ]),
    `### Notes on this run\n\n${notes.length ? notes.map((note) => `- ${note}`).join('\n') : '- nothing unusual: every body arrived intact, every v001.. was a delta, no page over the 1.15x mark.'}`,
  ];
  const markdown = sections.join('\n\n');
  process.stdout.write(`\n${markdown}\n`);
  if (options.results) {
    writeSection(resultsFile, 'railgun', markdown);
    process.stdout.write(`\nwritten to ${resultsFile}\n`);
  }
}

await main();
