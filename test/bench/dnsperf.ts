// Runs dnsperf (pinned to the client core unless a run says otherwise) and reads its report.
// dnsperf 2.x prints only the mean latency, so it runs verbose (-v: one "> RCODE name type seconds"
// line per answer) into a file, and the percentiles are computed from those lines after the run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { clientCore } from './peers.ts';

export interface DnsperfRun {
  port: number;
  /** Query file, one "name type" a line. */
  file: string;
  seconds: number;
  /** Stop at the end of the file instead of starting it again (-n 1): for names that must stay unique. */
  once?: boolean;
  /** Fixed rate (-Q); without it dnsperf keeps `outstanding` queries in flight as fast as answers come. */
  qps?: number;
  clients?: number;
  outstanding?: number;
  /** The core dnsperf is pinned to: the client core unless given; null: not pinned. */
  core?: number | null;
  /** Where the verbose output goes; removed after parsing. */
  outFile: string;
  /** DNS over TLS (dnsperf -m dot), or DNS over HTTPS, which h2load.ts sends (not dnsperf: see there); UDP without. */
  mode?: 'dot' | 'doh';
}

export interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  runSeconds: number;
  qps: number;
  /** e.g. "NOERROR 100.00%", as dnsperf prints it. */
  rcodes: string;
  p50Ms: number;
  p99Ms: number;
}

export async function dnsperf(run: DnsperfRun): Promise<DnsperfResult> {
  const args = ['-s', '127.0.0.1', '-p', String(run.port), '-d', run.file, '-l', String(run.seconds)];
  args.push('-c', String(run.clients ?? 4), '-q', String(run.outstanding ?? 100), '-t', '2', '-v');
  if (run.once) args.push('-n', '1');
  if (run.qps !== undefined) args.push('-Q', String(run.qps));
  if (run.mode === 'doh') throw new Error('dnsperf: DoH runs go through h2load (test/bench/h2load.ts)');
  if (run.mode) args.push('-m', run.mode);
  // Written straight to a file, not a pipe, so that reading it costs nothing during the run.
  const out = openSync(run.outFile, 'w');
  let stderr = '';
  try {
    const core = run.core === undefined ? clientCore : run.core;
    const [file, argv] = core === null ? ['dnsperf', args] : ['taskset', ['-c', String(core), 'dnsperf', ...args]];
    const child = spawn(file, argv, { stdio: ['ignore', out, 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
    const timer = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 30) * 1000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    if (code !== 0) throw new Error(`dnsperf ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
  } finally {
    closeSync(out);
  }
  const text = readFileSync(run.outFile, 'latin1');
  rmSync(run.outFile, { force: true });
  return parseDnsperf(text);
}

export function parseDnsperf(text: string): DnsperfResult {
  const number = (pattern: RegExp): number => {
    const match = text.match(pattern);
    if (!match) throw new Error(`dnsperf output has no ${pattern.source}: ${text.slice(-1500)}`);
    return Number(match[1]);
  };
  const latencies = verboseLatencies(text);
  return {
    sent: number(/Queries sent:\s+(\d+)/),
    completed: number(/Queries completed:\s+(\d+)/),
    lost: number(/Queries lost:\s+(\d+)/),
    runSeconds: number(/Run time \(s\):\s+([\d.]+)/),
    qps: number(/Queries per second:\s+([\d.]+)/),
    rcodes: text.match(/Response codes:\s+(.*)/)?.[1]?.trim() ?? '',
    p50Ms: percentile(latencies, 0.5) * 1000,
    p99Ms: percentile(latencies, 0.99) * 1000,
  };
}

/** The latency (seconds) at the end of each "> RCODE name type 0.000123" line, sorted. */
function verboseLatencies(text: string): Float64Array {
  const values: number[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (text.charCodeAt(start) === 62 /* > */) {
      const value = Number(text.slice(text.lastIndexOf(' ', end - 1) + 1, end));
      if (Number.isFinite(value)) values.push(value);
    }
    start = end + 1;
  }
  return Float64Array.from(values).sort();
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
