// readUploads for the engine: the KDF jobs (PKCS#12 files, encrypted keys) run on a worker thread
// that is terminated once the request's time allowance is spent, so a slow decryption costs the
// uploader only: the engine's event loop keeps answering other calls meanwhile. The work budget
// (maxKdfWork) applies inside the worker as on the command line; the clock is the backstop for
// what pricing cannot see (a loaded machine, OpenSSL's own work).
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Found, KdfJob } from './objects.ts';
import { InputFailure, type ProblemName } from './problems.ts';
import { assemble, splitUploads } from './read.ts';
import type { InputResult, ReadLimits, Upload } from './types.ts';

export const defaultKdfTimeoutMs = 10_000;

/** A Found as it crosses postMessage: KeyObjects and bytes clone, an InputFailure's class does not. */
export type WireFound =
  | { kind: 'certificate'; der: Uint8Array }
  | { kind: 'key'; key: KeyObject }
  | { kind: 'problem'; failure: { kind: ProblemName; message: string; wholeFile: boolean } };

export interface WorkerInput {
  jobs: KdfJob[];
  maxKdfWork: number;
}

export function toWire(found: Found): WireFound {
  if (found.kind !== 'problem') return found;
  return { kind: 'problem', failure: { kind: found.failure.kind, message: found.failure.message, wholeFile: found.failure.wholeFile } };
}

function fromWire(found: WireFound): Found {
  if (found.kind === 'certificate') return { kind: 'certificate', der: Buffer.from(found.der.buffer, found.der.byteOffset, found.der.byteLength) };
  if (found.kind === 'key') return found;
  const failure = new InputFailure(found.failure.kind, found.failure.message);
  failure.wholeFile = found.failure.wholeFile;
  return { kind: 'problem', failure };
}

export async function readUploadsOffThread(uploads: readonly Upload[], limits: ReadLimits = {}): Promise<InputResult> {
  const split = splitUploads(uploads, limits);
  if (split.jobs.length === 0) return assemble(split, []);
  return assemble(split, await runOnWorker(split.jobs, split.limits.maxKdfWork, limits.kdfTimeoutMs ?? defaultKdfTimeoutMs));
}

/** Each job's findings in order; jobs the worker did not finish in `timeoutMs` get a 1013 problem. */
function runOnWorker(jobs: readonly KdfJob[], maxKdfWork: number, timeoutMs: number): Promise<Found[][]> {
  return new Promise((resolve) => {
    const done: Found[][] = [];
    // Copies: a view would clone the whole upload's buffer along with it, once per job.
    const input: WorkerInput = { jobs: jobs.map((job) => (job.kind === 'legacy-pem-key' ? job : { ...job, der: new Uint8Array(job.der) })), maxKdfWork };
    const entry = workerEntry();
    const worker = new Worker(entry, {
      workerData: input,
      // The sources run through tsx (tests, development); the build is plain JS.
      execArgv: entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [],
      // A crafted file must not grow the engine's memory through the worker either.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    let settled = false;
    const finish = (why: 'done' | 'timeout' | 'failed', detail = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      const first = done.length;
      for (let i = first; i < jobs.length; i++) done.push([unfinished(jobs[i]!, i === first ? why : 'skipped', timeoutMs, detail)]);
      resolve(done);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    worker.on('message', (found: WireFound[]) => {
      done.push(found.map(fromWire));
      if (done.length === jobs.length) finish('done');
    });
    worker.on('error', (err) => finish('failed', err.message));
    worker.on('exit', (code) => finish('failed', `it exited with code ${code}`));
  });
}

function unfinished(job: KdfJob, why: 'done' | 'timeout' | 'failed' | 'skipped', timeoutMs: number, detail: string): Found {
  const what = job.kind === 'pkcs12' ? 'the PKCS#12 file' : 'the private key';
  const seconds = `${timeoutMs / 1000} s`;
  const message =
    why === 'timeout'
      ? `${what} was not read: its password-based decryption took longer than the ${seconds} one request may take; upload it alone, or re-encrypt it with fewer KDF rounds`
      : why === 'failed'
        ? `${what} was not read: the decryption worker stopped (${detail}); upload it alone, or re-encrypt it with OpenSSL's defaults`
        : `${what} was not read: the ${seconds} of password-based decryption one request may take were used up by the objects before it; upload it alone`;
  const failure = new InputFailure('E_INPUT_WORK_LIMIT', message);
  failure.wholeFile = job.kind === 'pkcs12';
  return { kind: 'problem', failure };
}

/**
 * kdf-worker.ts beside this file in the sources; in the build, dist/engine/bundler/input/kdf-worker.js
 * (this code may sit in a shared chunk elsewhere in dist/, so it is looked for upwards).
 */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return join(dirname(here), 'kdf-worker.ts');
  for (let dir = dirname(here); ; dir = dirname(dir)) {
    const built = join(dir, 'engine', 'bundler', 'input', 'kdf-worker.js');
    if (existsSync(built)) return built;
    if (dirname(dir) === dir) throw new Error(`the bundler's kdf-worker.js is not in the build above ${here}; run npm run build`);
  }
}
