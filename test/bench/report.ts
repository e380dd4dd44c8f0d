// The DNS benchmark's table, its check against the targets of the issue, and RESULTS.md.
import { writeSection } from './results-file.ts';
import type { DnsperfResult } from './dnsperf.ts';

export type CaseId = 'hit' | 'miss' | 'rate' | 'rate-hit' | 'dot-hit' | 'doh-hit';

/** The cases over encrypted transports: signalbox and dnsdist only, recorded in a section of their own. */
export const encryptedCases: readonly CaseId[] = ['dot-hit', 'doh-hit'];

/** In table order; (a)-(c) are the issue's cases, (d) shows the hit path at the load of (c). */
export const caseTitles: Record<CaseId, string> = {
  hit: '(a) cache hits, 100 names',
  miss: '(b) unique misses',
  rate: '(c) 10k q/s, unique misses',
  'rate-hit': '(d) 10k q/s, cache hits',
  'dot-hit': '(e) DoT cache hits, 100 names',
  'doh-hit': '(f) DoH cache hits, 100 names',
};

export interface Row {
  server: string;
  case: CaseId;
  result: DnsperfResult;
  /** Server CPU (user + system, all threads) per answered query. */
  cpuMicrosPerAnswer: number;
  /** Server CPU time over dnsperf's run time: near 100 % means the server core was the limit. */
  busyPercent: number;
  /** UDP datagrams dropped on full receive buffers during the run (whole host). */
  receiveBufferDrops: number;
  /** CPU us/answer and p99 ms of each round, when this row combines several (see `medianRows`). */
  rounds?: { cpu: number; p99Ms: number }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * One row per server and case out of several rounds: the median of each rate, latency and CPU
 * figure (each on its own), and the totals of queries, losses and drops. The machine's noise moves
 * single runs by tens of percent; a median of interleaved rounds is what the ratios are taken from.
 */
export function medianRows(rows: Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(`${row.server}\0${row.case}`, [...(groups.get(`${row.server}\0${row.case}`) ?? []), row]);
  return [...groups.values()].map((group) => {
    const pick = (value: (row: Row) => number) => median(group.map(value));
    const total = (value: (row: Row) => number) => group.reduce((sum, row) => sum + value(row), 0);
    return {
      server: group[0]!.server,
      case: group[0]!.case,
      result: {
        ...group[0]!.result,
        sent: total((row) => row.result.sent),
        completed: total((row) => row.result.completed),
        lost: total((row) => row.result.lost),
        runSeconds: pick((row) => row.result.runSeconds),
        qps: pick((row) => row.result.qps),
        p50Ms: pick((row) => row.result.p50Ms),
        p99Ms: pick((row) => row.result.p99Ms),
      },
      cpuMicrosPerAnswer: pick((row) => row.cpuMicrosPerAnswer),
      busyPercent: pick((row) => row.busyPercent),
      receiveBufferDrops: total((row) => row.receiveBufferDrops),
      rounds: group.map((row) => ({ cpu: row.cpuMicrosPerAnswer, p99Ms: row.result.p99Ms })),
    };
  });
}

export interface Check {
  target: string;
  measured: string;
  /** null: not measured in this run, or a reference line without a target. */
  pass: boolean | null;
  reference?: boolean;
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function table(rows: Row[]): string {
  const head = [
    'server',
    'case',
    'q/s',
    'answered',
    'lost',
    'p50 ms',
    'p99 ms',
    'p99 per round',
    'CPU us/answer',
    'CPU per round',
    'server core busy',
    'UDP rcvbuf drops',
  ];
  const servers = [...new Set(rows.map((row) => row.server))];
  const cases = Object.keys(caseTitles);
  const sorted = [...rows].sort((a, b) => servers.indexOf(a.server) - servers.indexOf(b.server) || cases.indexOf(a.case) - cases.indexOf(b.case));
  const body = sorted.map((row) => [
    row.server,
    caseTitles[row.case],
    fixed(row.result.qps, 0),
    String(row.result.completed),
    String(row.result.lost),
    fixed(row.result.p50Ms, 3),
    fixed(row.result.p99Ms, 3),
    row.rounds ? row.rounds.map((round) => fixed(round.p99Ms, 1)).join(' / ') : '',
    fixed(row.cpuMicrosPerAnswer, 2),
    row.rounds ? row.rounds.map((round) => fixed(round.cpu, 1)).join(' / ') : '',
    `${fixed(row.busyPercent, 0)} %`,
    String(row.receiveBufferDrops),
  ]);
  const right = head.map((_, i) => i >= 2);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = line(head.map((h, i) => (right[i] ? '-'.repeat(Math.max(3, h.length - 1)) + ':' : '-'.repeat(Math.max(3, h.length)))));
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** The issue's targets for signalbox, measured against the echo floor and dnsdist of the same run. */
export function checks(rows: Row[]): Check[] {
  const find = (server: string, id: CaseId) => rows.find((row) => row.server === server && row.case === id);
  const ratioCheck = (target: string, subject: Row | undefined, base: Row | undefined, limit?: number): Check => {
    const reference = limit === undefined;
    if (!subject || !base) return { target, measured: 'not measured in this run', pass: null, reference };
    const ratio = subject.cpuMicrosPerAnswer / base.cpuMicrosPerAnswer;
    const bound = reference ? '' : ` (limit ${fixed(base.cpuMicrosPerAnswer * limit, 2)} us)`;
    return {
      target,
      measured: `${fixed(subject.cpuMicrosPerAnswer, 2)} us vs ${fixed(base.cpuMicrosPerAnswer, 2)} us = ${fixed(ratio, 2)}x${bound}`,
      pass: reference ? null : ratio <= limit,
      reference,
    };
  };
  const result: Check[] = [
    ratioCheck('hit CPU/answer <= 1.2x the bare Node UDP echo', find('signalbox', 'hit'), find('node-udp-echo', 'hit'), 1.2),
    ratioCheck('hit CPU/answer <= 2x dnsdist', find('signalbox', 'hit'), find('dnsdist', 'hit'), 2),
    ratioCheck('miss CPU/answer <= 2.5x dnsdist', find('signalbox', 'miss'), find('dnsdist', 'miss'), 2.5),
  ];
  const rate = find('signalbox', 'rate');
  result.push(
    rate
      ? { target: 'at 10k q/s: zero loss', measured: `${rate.result.lost} lost of ${rate.result.sent}`, pass: rate.result.lost === 0 }
      : { target: 'at 10k q/s: zero loss', measured: 'not measured in this run', pass: null },
    rate
      ? { target: 'at 10k q/s: p99 <= 10 ms', measured: `p99 ${fixed(rate.result.p99Ms, 3)} ms`, pass: rate.result.p99Ms <= 10 }
      : { target: 'at 10k q/s: p99 <= 10 ms', measured: 'not measured in this run', pass: null },
  );
  result.push(
    ratioCheck('(b) miss CPU/answer vs the bare Node forwarder (the floor of a miss in Node)', find('signalbox', 'miss'), find('node-udp-forward', 'miss')),
    ratioCheck('(b) the bare Node forwarder vs dnsdist per miss', find('node-udp-forward', 'miss'), find('dnsdist', 'miss')),
    ratioCheck('(c) miss CPU/answer at 10k q/s vs dnsdist at 10k q/s', find('signalbox', 'rate'), find('dnsdist', 'rate')),
    ratioCheck('(d) hit CPU/answer at 10k q/s vs the echo at 10k q/s', find('signalbox', 'rate-hit'), find('node-udp-echo', 'rate-hit')),
    ratioCheck('(d) hit CPU/answer at 10k q/s vs dnsdist at 10k q/s', find('signalbox', 'rate-hit'), find('dnsdist', 'rate-hit')),
  );
  return result;
}

/** DoT and DoH hits against dnsdist's DoT and DoH of the same run (no target in the issue: reference lines). */
export function encryptedChecks(rows: Row[]): Check[] {
  const find = (server: string, id: CaseId) => rows.find((row) => row.server === server && row.case === id);
  return encryptedCases.map((id) => {
    const ours = find('signalbox', id);
    const theirs = find('dnsdist', id);
    const target = `${caseTitles[id]}: CPU/answer and p99 vs dnsdist`;
    if (!ours || !theirs) return { target, measured: 'not measured in this run', pass: null, reference: true };
    const measured = `${fixed(ours.cpuMicrosPerAnswer, 2)} us vs ${fixed(theirs.cpuMicrosPerAnswer, 2)} us = ${fixed(ours.cpuMicrosPerAnswer / theirs.cpuMicrosPerAnswer, 2)}x; p99 ${fixed(ours.result.p99Ms, 2)} ms vs ${fixed(theirs.result.p99Ms, 2)} ms`;
    return { target, measured, pass: null, reference: true };
  });
}

export function checksTable(list: Check[]): string {
  const verdict = (c: Check) =>
    c.pass === null ? (c.reference && !c.measured.startsWith('not measured') ? 'reference, no target' : '—') : c.pass ? 'pass' : 'FAIL';
  return ['| target (signalbox) | measured | result |', '|---|---|---|', ...list.map((c) => `| ${c.target} | ${c.measured} | ${verdict(c)} |`)].join('\n');
}

export interface RunInfo {
  date: string;
  machine: string[];
  versions: string[];
  method: string[];
  notes: string[];
}

const bullet = (lines: string[]) => lines.map((line) => `- ${line}`).join('\n');

/** Writes this run's DNS section of RESULTS.md (other sections and the commentary stay). */
export function writeResults(file: string, info: RunInfo, rows: Row[], list: Check[], profile = ''): void {
  writeSection(
    file,
    'dns',
    `## DNS (\`npm run bench:dns\`, test/bench/dns.bench.ts)

Run: ${info.date}

### Machine

${bullet(info.machine)}

### Versions

${bullet(info.versions)}

### Method

${bullet(info.method)}

### Results

${table(rows)}

### Targets

${checksTable(list)}

${info.notes.length > 0 ? `### Notes on this run\n\n${bullet(info.notes)}\n\n` : ''}${profile ? `### Where signalbox's time goes (--profile)\n\n${profile}\n` : ''}`,
  );
}

/** The DoT/DoH rows in a section of their own ("dns-encrypted"), so a run of those cases alone leaves the UDP results as they are. */
export function writeEncryptedResults(file: string, info: RunInfo, rows: Row[], method: string[]): void {
  writeSection(
    file,
    'dns-encrypted',
    `## DNS over TLS and HTTPS (\`npm run bench:dns\`, cases (e) and (f))

Run: ${info.date}

### Machine and versions

${bullet([...info.machine, ...info.versions])}

### Method

${bullet(method)}

### Results

${table(rows)}

### Against dnsdist

${checksTable(encryptedChecks(rows))}

${info.notes.length > 0 ? `### Notes on this run\n\n${bullet(info.notes)}\n` : ''}`,
  );
}
