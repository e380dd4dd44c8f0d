// readUploads: everything dropped or pasted on the Bundler, as certificates, private keys and
// problems. Each upload is read on its own under a size cap; duplicates are dropped (the first copy
// wins). Nothing a parser throws leaves this function. Reading is two steps, so that the engine can
// run the second elsewhere (offthread.ts): split the uploads into objects, leaving what needs a
// password-derived key as KdfJobs; then assemble, with each job's result in its place.
import { createPublicKey, hash } from 'node:crypto';
import { bundlerLimits } from '../../api/bundler.ts';
import { WorkBudget, defaultKdfWork } from './budget.ts';
import { fingerprint } from './certificates.ts';
import { describeKey } from './keys.ts';
import { asFailure, readOne, runKdfJob, type Found, type KdfJob, type Piece } from './objects.ts';
import { InputFailure, problem, type InputProblem } from './problems.ts';
import type { InputResult, ReadLimits, Upload } from './types.ts';

export const defaultLimits = {
  maxFileBytes: bundlerLimits.maxFileBytes,
  maxTotalBytes: bundlerLimits.maxTotalBytes,
  maxKdfWork: defaultKdfWork,
  maxKeys: 100,
  maxCertificates: 2_000,
  maxProblemsPerFile: 50,
} as const;

/** The uploads as objects, with the KDF jobs still to run; `job` in a deferred piece is its index in `jobs`. */
export interface SplitUploads {
  files: ({ name: string; pieces: (Found | { kind: 'deferred'; job: number })[] } | { name: string; refused: InputProblem })[];
  jobs: KdfJob[];
  limits: ReadCaps;
}

type ReadCaps = Required<Omit<ReadLimits, 'kdfTimeoutMs'>>;

/** Reads everything here, on this thread (the command line, tests); the KDF work is still bounded by `maxKdfWork`. */
export function readUploads(uploads: readonly Upload[], limits: ReadLimits = {}): InputResult {
  const split = splitUploads(uploads, limits);
  const budget = new WorkBudget(split.limits.maxKdfWork);
  return assemble(
    split,
    split.jobs.map((job) => runKdfJob(job, budget)),
  );
}

export function splitUploads(uploads: readonly Upload[], limits: ReadLimits = {}): SplitUploads {
  const all: ReadCaps = {
    maxFileBytes: limits.maxFileBytes ?? defaultLimits.maxFileBytes,
    maxTotalBytes: limits.maxTotalBytes ?? defaultLimits.maxTotalBytes,
    maxKdfWork: limits.maxKdfWork ?? defaultLimits.maxKdfWork,
    maxKeys: limits.maxKeys ?? defaultLimits.maxKeys,
    maxCertificates: limits.maxCertificates ?? defaultLimits.maxCertificates,
    maxProblemsPerFile: limits.maxProblemsPerFile ?? defaultLimits.maxProblemsPerFile,
  };
  const split: SplitUploads = { files: [], jobs: [], limits: all };
  let total = 0;
  for (const upload of uploads) {
    const bytes =
      typeof upload.bytes === 'string' ? Buffer.from(upload.bytes, 'utf8') : Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength);
    if (bytes.length > all.maxFileBytes) {
      split.files.push({
        name: upload.name,
        refused: problem(
          'E_INPUT_TOO_LARGE',
          upload.name,
          `${upload.name} is ${mib(bytes.length)}, over the ${mib(all.maxFileBytes)} limit for one file; upload the certificates and key alone`,
        ),
      });
      continue;
    }
    if (total + bytes.length > all.maxTotalBytes) {
      split.files.push({
        name: upload.name,
        refused: problem(
          'E_INPUT_TOO_LARGE',
          upload.name,
          `${upload.name} was not read: together the uploads pass the ${mib(all.maxTotalBytes)} limit; bundle fewer files at a time`,
        ),
      });
      continue;
    }
    total += bytes.length;
    const pieces = readSafely(bytes, upload.password).map((piece) => {
      if (piece.kind !== 'deferred') return piece;
      split.jobs.push(piece.job);
      return { kind: 'deferred' as const, job: split.jobs.length - 1 };
    });
    split.files.push({ name: upload.name, pieces });
  }
  return split;
}

/** The result, from the split uploads and what each KDF job found (`done[i]` for `split.jobs[i]`). */
export function assemble(split: SplitUploads, done: readonly Found[][]): InputResult {
  const result: InputResult = { certificates: [], keys: [], problems: [], duplicates: [] };
  const seen = new Map<string, string>();
  for (const file of split.files) {
    if ('refused' in file) {
      result.problems.push(file.refused);
      continue;
    }
    const name = file.name;
    let index = 0;
    let problems = 0;
    const report = (failure: InputFailure, source: string) => {
      // A file of 2,000 broken blocks needs a few examples and a count, not 2,000 lines.
      if (++problems <= split.limits.maxProblemsPerFile) result.problems.push(problem(failure.kind, source, `${name}: ${failure.message}`));
    };
    for (const found of file.pieces.flatMap((piece) => (piece.kind === 'deferred' ? done[piece.job]! : [piece]))) {
      const source = found.kind === 'problem' && found.failure.wholeFile ? name : `${name}#${++index}`;
      if (found.kind === 'problem') {
        report(found.failure, source);
      } else if (found.kind === 'certificate' && result.certificates.length >= split.limits.maxCertificates) {
        report(
          new InputFailure(
            'E_INPUT_WORK_LIMIT',
            `more than ${split.limits.maxCertificates.toLocaleString('en-US')} certificates in one request; this one was not read: upload the chain, not a whole directory`,
          ),
          source,
        );
      } else if (found.kind === 'certificate') {
        const sha256 = fingerprint(found.der);
        const kept = seen.get(sha256);
        if (kept) result.duplicates.push({ what: 'certificate', source, keptAs: kept, sha256 });
        else {
          seen.set(sha256, source);
          result.certificates.push({ der: Buffer.from(found.der), sha256, source });
        }
      } else if (result.keys.length >= split.limits.maxKeys) {
        report(
          new InputFailure(
            'E_INPUT_WORK_LIMIT',
            `more than ${split.limits.maxKeys} private keys in one request; this one was not read: upload only the key of the certificate`,
          ),
          source,
        );
      } else {
        try {
          const facts = describeKey(found.key);
          const sha256 = hash('sha256', createPublicKey(found.key).export({ type: 'spki', format: 'der' }), 'hex');
          const kept = seen.get(sha256);
          if (kept) result.duplicates.push({ what: 'key', source, keptAs: kept, sha256 });
          else {
            seen.set(sha256, source);
            result.keys.push({ ...facts, key: found.key, spkiSha256: sha256, source });
          }
        } catch (err) {
          report(asFailure(err), source);
        }
      }
    }
    if (problems > split.limits.maxProblemsPerFile) {
      result.problems.push(
        problem(
          'E_INPUT_WORK_LIMIT',
          name,
          `${name}: ${problems - split.limits.maxProblemsPerFile} more problems in this file are not listed (the first ${split.limits.maxProblemsPerFile} are)`,
        ),
      );
    }
  }
  return result;
}

function readSafely(bytes: Buffer, password: string | undefined): Piece[] {
  try {
    return readOne(bytes, password);
  } catch (err) {
    const failure = asFailure(err);
    failure.wholeFile = true;
    return [{ kind: 'problem', failure }];
  }
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
