// The bundler benchmark (a benchmark, not a timed test): the time to bundle one leaf against a full
// intermediate directory, cold (a new process per leaf) and warm (trust data loaded once, the same
// leaf bundled over and over), for `signalbox bundle` and `cfssl bundle` (Debian's golang-cfssl) on
// the same files in one run. Leaves are x509-limbo's real-site chains (online/): leaf plus the
// intermediates the site sent, as one PEM file. cfssl validates at "now" and has no --at, so only
// leaves valid today are compared side by side; the others run through signalbox at the case's own
// validation time (--at) and cfssl's answer for them is listed. Then two synthetic PKIs
// (bundler-graphs.ts), cold and warm for both tools: a 16-certificate chain and a Federal
// Bridge-like graph of cross-signs (issue 16). Writes the bundler section of test/bench/RESULTS.md.
//
//   npm run bench:bundler       builds first; 7 cold runs per row, 50 warm iterations per leaf
//   npm run bench:bundler -- --runs 3 --iterations 20 --flavor optimal --no-results
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LIMBO_DIR, loadTestcases } from '../limbo/harness.ts';
import { assertCfssl, cfsslBundleArgv, cfsslVersion, offlineEnv, readCfsslCli, startCfsslServe, type CfsslOutcome } from './cfssl.ts';
import { projectNode } from './peers.ts';
import { writeSection } from './results-file.ts';
import { measureProcess, type ProcessRun } from './rusage.ts';
import { bridgeGraph, longChain, type Graph } from './bundler-graphs.ts';
import type { WarmLeaf, WarmResult } from './bundler-warm.ts';
import { readSignalboxCli, signalboxCliArgv, type SignalboxOutcome } from './signalbox-bundle.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const warmScript = fileURLToPath(new URL('bundler-warm.ts', import.meta.url));
const trustSets = { 'cfssl-2017': join(root, 'resources/trust/cfssl-2017'), current: join(root, 'resources/trust/current') } as const;
/** The two real trust sets, and the synthetic graphs' folders (added in main). */
const trustDirs: Record<string, string> = { ...trustSets };
type TrustSet = string;

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    iterations: { type: 'string', default: '50' },
    flavor: { type: 'string', default: 'ubiquitous' },
    results: { type: 'boolean', default: true },
  },
  allowNegative: true,
  strict: true,
});
const runs = wholeNumber('--runs', options.runs, 1, 101);
const iterations = wholeNumber('--iterations', options.iterations, 1, 10_000);
const flavor = options.flavor as 'ubiquitous' | 'optimal';
if (flavor !== 'ubiquitous' && flavor !== 'optimal') throw new Error(`--flavor: "${flavor}" — the bench runs ubiquitous or optimal (force needs no search)`);

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name}: "${text}" is not a whole number from ${min} to ${max}`);
  return value;
}

interface Leaf {
  /** The site, from the limbo file name. */
  name: string;
  /** leaf + the site's intermediates, PEM, in the order limbo lists them. */
  file: string;
  pem: string;
  /** The leaf and every given intermediate are within their validity now (so cfssl can bundle it). */
  validNow: boolean;
  /** Why not, for the notes. */
  invalidBecause: string | null;
  /** limbo's validation time, used with --at for leaves not valid now. */
  limboTime: string;
}

function loadLeaves(dir: string, now: Date): Leaf[] {
  const online = join(LIMBO_DIR, 'online');
  if (!existsSync(online)) throw new Error(`${online} is missing — the bench needs x509-limbo's online/ chains (test/fixtures/x509-limbo)`);
  return readdirSync(online)
    .filter((f) => f.endsWith('.limbo.json'))
    .sort()
    .map((f) => {
      const tc = loadTestcases(join(online, f))[0]!;
      const name = f.replace('.limbo.json', '');
      const pem = [tc.peer_certificate, ...tc.untrusted_intermediates].map((p) => p.trim() + '\n').join('');
      const file = join(dir, `${name}.pem`);
      writeFileSync(file, pem);
      const expired = [tc.peer_certificate, ...tc.untrusted_intermediates]
        .map((p) => new X509Certificate(p))
        .filter((c) => new Date(c.validTo) <= now || new Date(c.validFrom) > now);
      const invalidBecause =
        expired.length === 0
          ? null
          : expired.map((c) => `${cn(c.subject)} ${new Date(c.validTo) <= now ? 'expired' : 'not yet valid'} (notAfter ${isoDay(c.validTo)})`).join('; ');
      return { name, file, pem, validNow: expired.length === 0, invalidBecause, limboTime: tc.validation_time! };
    });
}

const cn = (subject: string) => subject.match(/^CN=(.*)$/m)?.[1] ?? subject.split('\n').at(-1) ?? subject;
const isoDay = (date: string) => new Date(date).toISOString().slice(0, 10);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
const ms = (value: number | null | undefined) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(value < 10 ? 2 : 1));

// ---------------------------------------------------------------------------------------------
// Rows: one per (tool, trust set, leaf).

type Tool = 'cfssl' | 'signalbox';

interface Row {
  tool: Tool;
  trust: TrustSet;
  leaf: Leaf;
  /** ISO time the row validates at: null = now. */
  at: string | null;
  cold: ProcessRun[];
  coldOutcome: Outcome | null;
  /** Timed bundles after the first: in process (signalbox) or over loopback HTTP to `cfssl serve` (cfssl). */
  warm: number[];
  /** The first bundle of this leaf in the warm process or server, apart. */
  firstCall: number | null;
  warmOutcome: Outcome | null;
}

type Outcome = CfsslOutcome | SignalboxOutcome;

const temp = mkdtempSync(join(tmpdir(), 'sbx-bundler-bench-'));
process.on('exit', () => rmSync(temp, { recursive: true, force: true }));

/**
 * A copy of the build as it is now (bin/, dist/engine, dist/chunks, package.json; node_modules and
 * resources linked), so that a rebuild of the checkout during the run cannot change or remove what
 * the cold runs execute. Returns the copy's bin/signalbox.js.
 */
function snapshotBuild(): string {
  const app = join(temp, 'app');
  for (const part of ['bin', 'dist/engine', 'dist/chunks']) cpSync(join(root, part), join(app, part), { recursive: true });
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  for (const link of ['node_modules', 'resources']) symlinkSync(join(root, link), join(app, link));
  return join(app, 'bin/signalbox.js');
}

let signalboxBin = '';

function coldArgv(row: Row): { argv: string[]; env: NodeJS.ProcessEnv } {
  if (row.tool === 'cfssl') return { argv: cfsslBundleArgv(row.leaf.file, trustDirs[row.trust]!, flavor), env: offlineEnv };
  return { argv: [projectNode, ...signalboxCliArgv(signalboxBin, row.leaf.file, trustDirs[row.trust]!, flavor, row.at)], env: process.env };
}

function readCold(row: Row, stdout: string, stderr: string): Outcome {
  return row.tool === 'cfssl' ? readCfsslCli(stdout, stderr) : readSignalboxCli(stdout, stderr);
}

/** Every cold run of every row, interleaved run by run so that load on the machine spreads evenly. */
function runCold(rows: Row[], floors: Map<string, ProcessRun[]>): void {
  const out = join(temp, 'stdout');
  const err = join(temp, 'stderr');
  const floorArgv: Record<string, string[]> = {
    node: [projectNode, '-e', ''],
    'signalbox --version': [projectNode, signalboxBin, '--version'],
    cfssl: ['cfssl', 'version'],
  };
  for (let run = 0; run < runs; run++) {
    process.stderr.write(`  cold run ${run + 1}/${runs}\n`);
    for (const [name, argv] of Object.entries(floorArgv)) floors.get(name)!.push(measureProcess(argv, out, err));
    for (const row of rows) {
      const { argv, env } = coldArgv(row);
      const result = measureProcess(argv, out, err, env);
      // Every run of a row must end as the first did: a different exit means a different amount of work.
      if (run > 0 && result.code !== row.cold[0]!.code) {
        throw new Error(
          `${row.tool} on ${row.leaf.name} (${row.trust}) exited ${result.code} in run ${run + 1} but ${row.cold[0]!.code} in run 1: ${readFileSync(err, 'utf8').trim().split('\n').at(-1)}`,
        );
      }
      row.cold.push(result);
      if (run === 0) row.coldOutcome = readCold(row, readFileSync(out, 'utf8'), readFileSync(err, 'utf8'));
    }
  }
}

/** Per trust set, a fresh Node process loads the store once and bundles every leaf (bundler-warm.ts). */
function runWarmSignalbox(rows: Row[], loads: Map<TrustSet, number>): void {
  for (const trust of new Set(rows.filter((r) => r.tool === 'signalbox').map((r) => r.trust))) {
    const mine = rows.filter((r) => r.tool === 'signalbox' && r.trust === trust);
    const leavesFile = join(temp, `warm-${trust}.json`);
    writeFileSync(leavesFile, JSON.stringify(mine.map((r): WarmLeaf => ({ name: r.leaf.name, pem: r.leaf.pem, at: r.at }))));
    const out = execFileSync(projectNode, ['--import', 'tsx', warmScript, trustDirs[trust]!, flavor, String(iterations), leavesFile], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const result = JSON.parse(out) as WarmResult;
    loads.set(trust, result.loadMs);
    for (const [i, row] of mine.entries()) {
      const leaf = result.leaves[i]!;
      row.firstCall = leaf.firstCallMs;
      row.warm = leaf.timesMs;
      row.warmOutcome = leaf.outcome;
    }
  }
}

/** One `cfssl serve` per trust set; the HTTP floor is measured on the first. */
async function runWarmCfssl(rows: Row[]): Promise<number[]> {
  const floor: number[] = [];
  for (const trust of new Set(rows.filter((r) => r.tool === 'cfssl').map((r) => r.trust))) {
    await runWarmCfsslSet(
      rows.filter((r) => r.tool === 'cfssl' && r.trust === trust),
      floor.length === 0 ? floor : null,
    );
  }
  return floor;
}

async function runWarmCfsslSet(mine: Row[], floor: number[] | null): Promise<void> {
  const server = await startCfsslServe(trustDirs[mine[0]!.trust]!);
  try {
    for (let i = 0; floor && i < 5; i++) await server.floor();
    for (let i = 0; floor && i < iterations; i++) {
      const started = performance.now();
      await server.floor();
      floor.push(performance.now() - started);
    }
    for (const row of mine) {
      let started = performance.now();
      row.warmOutcome = await server.bundle(row.leaf.pem, flavor);
      row.firstCall = performance.now() - started;
      for (let i = 0; i < iterations; i++) {
        started = performance.now();
        await server.bundle(row.leaf.pem, flavor);
        row.warm.push(performance.now() - started);
      }
    }
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

function firstLine(command: string, args: string[]): string {
  try {
    return (
      execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim()
        .split('\n')[0] ?? '?'
    );
  } catch {
    return '?';
  }
}

const rootCell = (o: Outcome | null) => (o ? (o.ok ? (o.root ?? '?') : `fails: ${o.error}`) : '—');
const chainsCell = (o: Outcome | null) => (o && 'chains' in o ? String(o.chains) : 'not reported');

function mainTable(rows: Row[]): string {
  const lines = [
    '| tool | trust data | leaf | cold wall ms | cold CPU ms | cold peak RSS MiB | warm ms (median; cfssl over HTTP) | warm p90 ms | first call ms | chains found | chosen root | bundle certs |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|',
  ];
  for (const row of rows) {
    const coldRoot = rootCell(row.coldOutcome);
    const warmRoot = rootCell(row.warmOutcome);
    lines.push(
      `| ${row.tool === 'cfssl' ? 'cfssl bundle' : 'signalbox bundle'} | ${row.trust} | ${row.leaf.name}${row.at ? ` (at ${row.at.slice(0, 10)})` : ''} | ${ms(median(row.cold.map((r) => r.wallMs)))} | ${ms(median(row.cold.map((r) => r.cpuMs)))} | ${(median(row.cold.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} | ${row.warm.length ? ms(median(row.warm)) : '—'} | ${row.warm.length ? ms(percentile(row.warm, 90)) : '—'} | ${ms(row.firstCall)} | ${chainsCell(row.warmOutcome ?? row.coldOutcome)} | ${coldRoot === warmRoot ? coldRoot : `${coldRoot} / ${warmRoot}`} | ${row.warmOutcome?.bundleLength ?? row.coldOutcome?.bundleLength ?? '—'} |`,
    );
  }
  return lines.join('\n');
}

interface Check {
  target: string;
  measured: string;
  /** null: a reference line, not one of the issue's targets. */
  pass: boolean | null;
}

function checks(rows: Row[], loads: Map<TrustSet, number>): Check[] {
  const ours = rows.filter((r) => r.tool === 'signalbox');
  const out: Check[] = [];
  for (const trust of Object.keys(trustSets)) {
    const set = ours.filter((r) => r.trust === trust);
    if (set.length === 0) continue;
    const warm = set.map((r) => ({ name: r.leaf.name, v: median(r.warm) }));
    const cold = set.map((r) => ({ name: r.leaf.name, v: median(r.cold.map((c) => c.wallMs)) }));
    const worstWarm = warm.reduce((a, b) => (b.v > a.v ? b : a));
    const worstCold = cold.reduce((a, b) => (b.v > a.v ? b : a));
    out.push({
      target: `warm < 20 ms per leaf (${trust}, ${set.length} leaves)`,
      measured: `worst median ${ms(worstWarm.v)} ms (${worstWarm.name})`,
      pass: worstWarm.v < 20,
    });
    out.push({
      target: `cold < 300 ms (${trust}, ${set.length} leaves, wall of a new process)`,
      measured: `worst median ${ms(worstCold.v)} ms (${worstCold.name})`,
      pass: worstCold.v < 300,
    });
    const load = loads.get(trust);
    if (load !== undefined) {
      out.push({ target: `trust data cold load < 300 ms (${trust}; issue 5, Deliver 2)`, measured: `${ms(load)} ms`, pass: load < 300 });
      const first = set[0]!.firstCall ?? Number.NaN;
      out.push({
        target: `(reference) a fresh process's trust load + first bundle, without Node start and the CLI's modules (${trust})`,
        measured: `${ms(load)} + ${ms(first)} = ${ms(load + first)} ms`,
        pass: null,
      });
    }
  }
  return out;
}

/** Whether signalbox on cfssl's own trust data hands out the bundle cfssl does, byte for byte. */
function sameBundles(rows: Row[], trust = 'cfssl-2017'): string {
  const lines: string[] = [];
  for (const ours of rows.filter((r) => r.tool === 'signalbox' && r.trust === trust)) {
    const theirs = rows.find((r) => r.tool === 'cfssl' && r.leaf === ours.leaf);
    const a = ours.coldOutcome;
    const b = theirs?.coldOutcome;
    if (!a || !b) continue;
    const same = a.bundle !== null && a.bundle === b.bundle && a.root === b.root;
    lines.push(
      `${ours.leaf.name}: ${same ? 'the same PEM bundle, byte for byte, and the same root' : `different (signalbox: ${a.bundleLength} certificates to ${a.root ?? a.error}; cfssl: ${b.bundleLength} to ${b.root ?? b.error})`}`,
    );
  }
  return lines.length === 0 ? '' : `signalbox on ${trust} vs cfssl, cold runs: ${lines.join('; ')}.`;
}

function coldBreakdown(rows: Row[], floors: Map<string, ProcessRun[]>, loads: Map<TrustSet, number>): string {
  const wall = (name: string) => median(floors.get(name)!.map((r) => r.wallMs));
  const node = wall('node');
  const cli = wall('signalbox --version') - node;
  const lines = [
    '| trust data | Node starts | CLI modules loaded (`--version` − Node) | trust data loaded | first bundle in a fresh process | sum | measured cold wall (median of the leaves above) |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const trust of Object.keys(trustSets)) {
    const ours = rows.filter((r) => r.tool === 'signalbox' && r.trust === trust);
    if (ours.length === 0 || !loads.has(trust)) continue;
    const load = loads.get(trust)!;
    const first = ours[0]!.firstCall ?? Number.NaN;
    const measured = median(ours.map((r) => median(r.cold.map((c) => c.wallMs))));
    lines.push(
      `| ${trust} | ${ms(node)} | ${ms(cli)} | ${ms(load)} | ${ms(first)} (${ours[0]!.leaf.name}) | ${ms(node + cli + load + first)} | ${ms(measured)} |`,
    );
  }
  return `${lines.join('\n')}\n\n"trust data loaded" is \`TrustStore.load\` and "first bundle" the first \`bundle()\` call, both timed inside the fresh warm process of that set (before any other bundle ran there); the rest of a cold run is printing the report and exiting.`;
}

function notes(loadAtStart: number, loadAtEnd: number): string {
  if (Math.max(loadAtStart, loadAtEnd) <= 0.5) return '';
  return `### Notes on this run\n\n- Other work was running on the machine (load average ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end, on ${cpus().length} cores) and nothing was pinned: both tools lose time to it alike (runs are interleaved), but absolute numbers, the p90s and the cold medians are higher than on a quiet machine. Re-run on a quiet machine for numbers to quote.\n\n`;
}

async function main(): Promise<void> {
  assertCfssl();
  if (!existsSync(join(root, 'dist/engine/host/cli.js'))) throw new Error('signalbox is not built — run `npm run build` (npm run bench:bundler does it)');
  signalboxBin = snapshotBuild();
  const started = new Date();
  const loadAtStart = loadavg()[0]!;
  const leaves = loadLeaves(temp, started);
  const today = leaves.filter((l) => l.validNow);
  const older = leaves.filter((l) => !l.validNow);
  process.stderr.write(`bundler bench: ${today.length} leaves valid today (${today.map((l) => l.name).join(', ')}), ${older.length} run at their limbo time\n`);

  const row = (tool: Tool, trust: TrustSet, leaf: Leaf, at: string | null): Row => ({
    tool,
    trust,
    leaf,
    at,
    cold: [],
    coldOutcome: null,
    warm: [],
    firstCall: null,
    warmOutcome: null,
  });
  const sideBySide: Row[] = today.flatMap((leaf) => [
    row('cfssl', 'cfssl-2017', leaf, null),
    row('signalbox', 'cfssl-2017', leaf, null),
    row('signalbox', 'current', leaf, null),
  ]);
  const atTime: Row[] = older.flatMap((leaf) => [row('signalbox', 'cfssl-2017', leaf, leaf.limboTime), row('signalbox', 'current', leaf, leaf.limboTime)]);
  // cfssl on the leaves it cannot bundle today: one cold run each, to show its answer.
  const cfsslOlder: Row[] = older.map((leaf) => row('cfssl', 'cfssl-2017', leaf, null));

  // Issue 16: the long chain and the bridge graph, both tools, valid now.
  const graphs = [longChain(temp), bridgeGraph(temp)];
  for (const g of graphs) trustDirs[g.trust] = g.trustDir;
  const graphLeaf = (g: Graph): Leaf => ({
    name: g.trust,
    file: g.leafFile,
    pem: g.leafPem,
    validNow: true,
    invalidBecause: null,
    limboTime: started.toISOString(),
  });
  const graphRows: Row[] = graphs.flatMap((g) => {
    const leaf = graphLeaf(g);
    return [row('cfssl', g.trust, leaf, null), row('signalbox', g.trust, leaf, null)];
  });

  const floors = new Map<string, ProcessRun[]>([
    ['node', []],
    ['signalbox --version', []],
    ['cfssl', []],
  ]);
  process.stderr.write('cold: new processes\n');
  runCold([...sideBySide, ...atTime, ...graphRows], floors);
  for (const r of cfsslOlder) {
    const { argv, env } = coldArgv(r);
    r.cold.push(measureProcess(argv, join(temp, 'stdout'), join(temp, 'stderr'), env));
    r.coldOutcome = readCold(r, readFileSync(join(temp, 'stdout'), 'utf8'), readFileSync(join(temp, 'stderr'), 'utf8'));
  }
  process.stderr.write('warm: signalbox in process\n');
  const loads = new Map<TrustSet, number>();
  runWarmSignalbox([...sideBySide, ...atTime, ...graphRows], loads);
  process.stderr.write('warm: cfssl serve over loopback HTTP\n');
  const httpFloor = await runWarmCfssl([...sideBySide, ...graphRows]);
  const loadAtEnd = loadavg()[0]!;

  const list = checks([...sideBySide, ...atTime], loads);
  const model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? '?';
  const floorLine = (name: string) =>
    `${ms(median(floors.get(name)!.map((r) => r.wallMs)))} ms wall, ${ms(median(floors.get(name)!.map((r) => r.cpuMs)))} ms CPU`;
  const head = firstLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const dirty =
    firstLine('git', ['-C', root, 'status', '--porcelain', '--', 'engine/bundler', 'engine/host']) !== '' ? ' (with uncommitted changes under engine/)' : '';

  const section = `## Bundler (\`npm run bench:bundler\`, test/bench/bundler.bench.ts)

Run: ${started.toString()}; commit ${head}${dirty}.

### Machine and versions

- ${cpus().length} cores, ${model}; kernel ${firstLine('uname', ['-r'])}; load average (1 min) ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end
- node ${firstLine(projectNode, ['--version'])} (node_modules/.bin/node); signalbox built with \`npm run build\` (esbuild bundle, \`node bin/signalbox.js\`)
- ${cfsslVersion()}: **cfssl from 2016** (1.2.0 plus commits to 2016-08-25, built with a 2023 Go). Its bundler ranks as today's cfssl does for these leaves as far as the spec goes, but it is not the current release.
- Process floors (median of ${runs} new processes, no bundling): \`node -e ''\` ${floorLine('node')}; \`node bin/signalbox.js --version\` (Node plus the CLI's module graph, which every command loads) ${floorLine('signalbox --version')}; \`cfssl version\` ${floorLine('cfssl')}

### Method

- Leaves: x509-limbo's online/ chains (leaf + the intermediates the site sent, one PEM file per leaf, the same file for both tools). cfssl validates at the current time and has no option to change it, so only leaves whose certificates are all valid today are compared side by side (${today.map((l) => l.name).join(', ') || 'none'}); ${older.length} others run through signalbox at limbo's validation time (\`--at\`), and cfssl's answer for them is listed below.
- Flavor \`${flavor}\` for both. Trust data: **cfssl-2017** = resources/trust/cfssl-2017, cfssl's own files (339 roots in ca-bundle.crt, 1,263 certificates in int-bundle.crt, 15 platform entries), given to cfssl as \`-ca-bundle ca-bundle.crt -int-bundle int-bundle.crt -metadata ca-bundle.crt.metadata\` and to signalbox as \`--trust resources/trust/cfssl-2017\`; **current** = resources/trust/current (signalbox only: 435 roots of 16 platform stores, 2,951 CCADB intermediates).
- Cold: a new process per bundle, ${runs} runs per row, interleaved (each run goes through every row before the next), median. signalbox runs from a copy of the build taken at the start (bin/, dist/engine, dist/chunks), so a rebuild of the checkout during the run cannot change what is measured. \`cfssl ${cfsslBundleArgv('LEAF.pem', 'DIR', flavor).slice(1).join(' ').replaceAll('DIR/', '')}\` vs \`node bin/signalbox.js ${signalboxCliArgv('bin/signalbox.js', 'LEAF.pem', 'DIR', flavor, null).slice(1).join(' ')}\`. Wall time is fork to reaping; CPU is user + system of the process and all its threads and peak RSS, both from wait4(2) (test/bench/rusage.ts). Both tools read the trust files, bundle the leaf, print the result and exit.
- cfssl follows AIA caIssuers URLs when its first verification fails (docs.python.org does); \`HTTP_PROXY\` points at a closed port on 127.0.0.1 so those fetches fail at once and nothing leaves the machine. signalbox does not fetch.
- Warm, signalbox: per trust set, a fresh Node process (test/bench/bundler-warm.ts, the sources through tsx) loads the trust data once (\`TrustStore.load\`), then bundles each leaf ${iterations} times through \`bundle()\`, what the engine calls and the CLI's \`bundleUploads\` under it (reading the upload, search, validation, ranking, report); median and p90 of the ${iterations}, and the first call of each leaf apart.
- Warm, cfssl: its bundler is a Go library, so it is driven through \`cfssl serve\` on 127.0.0.1 (same trust flags): ${iterations} POSTs of the same PEM to /api/v1/cfssl/bundle per leaf, one at a time, timed from this Node process (fetch). That includes loopback HTTP and JSON both ways; the same server answering GET /api/v1/cfssl/scaninfo (a constant reply) took a median ${ms(median(httpFloor))} ms, measured and not subtracted.
- "chains found" is signalbox's count of candidate chains (valid ones ranked); cfssl does not report how many chains Go's verifier returned. "chosen root" is the root of the chain each tool picked (cfssl's \`root\` field).

### Side by side (leaves valid today)

${mainTable(sideBySide)}

${sameBundles(sideBySide)}

### signalbox on the other online chains, at limbo's validation time

${mainTable(atTime)}

cfssl on these leaves (one run each, at the current time; it has no option to validate at another time):

${cfsslOlder.map((r) => `- ${r.leaf.name} (${r.leaf.invalidBecause}): ${r.coldOutcome?.ok ? `bundles to ${r.coldOutcome.root}` : `error ${r.coldOutcome?.error}`}`).join('\n') || '- none'}

### A 16-certificate chain and a Federal Bridge-like graph (issue 16), both tools, valid now

Synthetic PKIs (test/bench/bundler-graphs.ts; ECDSA P-256, SHA-256, made at the start of the run), each as a
cfssl-layout trust folder that both tools read (one platform trusting only the root); cold and warm as above.

${graphs.map((g) => `- **${g.trust}**: ${g.description}.`).join('\n')}

${mainTable(graphRows)}

${graphs
  .map((g) => sameBundles(graphRows, g.trust))
  .filter(Boolean)
  .join('\n\n')}

### Where signalbox's cold time goes (approximate: the parts come from different processes)

${coldBreakdown(sideBySide.length > 0 ? sideBySide : atTime, floors, loads)}

${notes(loadAtStart, loadAtEnd)}### Targets (issue 5)

| target (signalbox) | measured | result |
|---|---|---|
${list.map((c) => `| ${c.target} | ${c.measured} | ${c.pass === null ? 'reference, no target' : c.pass ? 'pass' : 'FAIL'} |`).join('\n')}
`;
  process.stdout.write(`\n${section}\n`);
  if (options.results) {
    writeSection(resultsFile, 'bundler', section);
    process.stdout.write(`written to ${resultsFile}\n`);
  }
}

await main();
