// DNS over HTTPS load with nghttp2's h2load (package nghttp2-client), pinned like dnsperf. dnsperf
// 2.10's own DoH mode (-m doh) cannot carry the bench: with more than one query outstanding per
// connection it loses most answers, against dnsdist's DoH as against ours (it keeps one DNS
// message per read: "frame received when already having a dns msg"), and one at a time it makes
// ~80 q/s. h2load sends GETs (RFC 8484 §4.1, ?dns= base64url) over HTTP/2 with many streams per
// connection and logs every request's time (--log-file), from which p50/p99 come.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { encodeQuery } from '../helpers/dns.ts';
import { percentile, type DnsperfResult } from './dnsperf.ts';
import { clientCore } from './peers.ts';

export interface H2loadRun {
  port: number;
  /** Query file as dnsperf reads it, one "name type" a line (type A only here). */
  file: string;
  seconds: number;
  /** Connections, and streams in flight on each. */
  clients: number;
  streams: number;
  /** Written for h2load and removed after parsing: the URI list and the per-request log. */
  outFile: string;
}

export async function h2load(run: H2loadRun): Promise<DnsperfResult> {
  const uris = `${run.outFile}.uris`;
  const names = readFileSync(run.file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[0]!);
  writeFileSync(
    uris,
    names.map((name, i) => `https://127.0.0.1:${run.port}/dns-query?dns=${encodeQuery(name, 1, { id: i }).toString('base64url')}`).join('\n') + '\n',
  );
  const args = ['-c', String(run.clients), '-m', String(run.streams), '-D', String(run.seconds), '-i', uris, `--log-file=${run.outFile}`];
  let stdout = '';
  try {
    const child = spawn('taskset', ['-c', String(clientCore), 'h2load', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 30) * 1000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    if (code !== 0) throw new Error(`h2load ${args.join(' ')} exited with ${code}: ${stdout.slice(-1500)}`);
    return parseH2load(stdout, readFileSync(run.outFile, 'latin1'));
  } finally {
    rmSync(uris, { force: true });
    rmSync(run.outFile, { force: true });
  }
}

/** h2load's summary and its --log-file lines (start µs, HTTP status, µs to the end of the response). */
export function parseH2load(summary: string, log: string): DnsperfResult {
  const number = (pattern: RegExp): number => {
    const match = summary.match(pattern);
    if (!match) throw new Error(`h2load output has no ${pattern.source}: ${summary.slice(-1500)}`);
    return Number(match[1]);
  };
  const started = number(/requests: \d+ total, (\d+) started/);
  const succeeded = number(/(\d+) succeeded/);
  const failed = number(/(\d+) failed/) + number(/(\d+) errored/) + number(/(\d+) timeout/);
  const runSeconds = number(/finished in ([\d.]+)s/);
  const times = Float64Array.from(
    log
      .split('\n')
      .filter(Boolean)
      .map((line) => Number(line.split('\t')[2]) / 1e6),
  ).sort();
  return {
    sent: started,
    completed: succeeded,
    // Failed (not 2xx), errored or timed out; those still in flight when -D ends are not counted.
    lost: failed,
    runSeconds,
    qps: succeeded / runSeconds,
    rcodes: (summary.match(/status codes: (.*)/)?.[1] ?? '').trim(),
    p50Ms: percentile(times, 0.5) * 1000,
    p99Ms: percentile(times, 0.99) * 1000,
  };
}
