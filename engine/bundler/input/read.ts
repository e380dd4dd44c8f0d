// readUploads: everything dropped or pasted on the Bundler, as certificates, private keys and
// problems. Each upload is read on its own under a size cap; duplicates are dropped (the first copy
// wins). Nothing a parser throws leaves this function.
import { createPublicKey, hash } from 'node:crypto';
import { fingerprint } from './certificates.ts';
import { describeKey } from './keys.ts';
import { asFailure, readOne, type Found } from './objects.ts';
import { problem } from './problems.ts';
import type { InputResult, ReadLimits, Upload } from './types.ts';

export const defaultLimits = { maxFileBytes: 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024 } as const;

export function readUploads(uploads: readonly Upload[], limits: ReadLimits = {}): InputResult {
  const maxFile = limits.maxFileBytes ?? defaultLimits.maxFileBytes;
  const maxTotal = limits.maxTotalBytes ?? defaultLimits.maxTotalBytes;
  const result: InputResult = { certificates: [], keys: [], problems: [], duplicates: [] };
  const seen = new Map<string, string>();
  let total = 0;

  for (const upload of uploads) {
    const bytes = typeof upload.bytes === 'string'
      ? Buffer.from(upload.bytes, 'utf8')
      : Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength);
    if (bytes.length > maxFile) {
      result.problems.push(problem('E_INPUT_TOO_LARGE', upload.name,
        `${upload.name} is ${mib(bytes.length)}, over the ${mib(maxFile)} limit for one file; upload the certificates and key alone`));
      continue;
    }
    if (total + bytes.length > maxTotal) {
      result.problems.push(problem('E_INPUT_TOO_LARGE', upload.name,
        `${upload.name} was not read: together the uploads pass the ${mib(maxTotal)} limit; bundle fewer files at a time`));
      continue;
    }
    total += bytes.length;

    let index = 0;
    for (const found of readSafely(bytes, upload.password)) {
      const source = found.kind === 'problem' && found.failure.wholeFile ? upload.name : `${upload.name}#${++index}`;
      if (found.kind === 'problem') {
        result.problems.push(problem(found.failure.kind, source, `${upload.name}: ${found.failure.message}`));
      } else if (found.kind === 'certificate') {
        const sha256 = fingerprint(found.der);
        const kept = seen.get(sha256);
        if (kept) result.duplicates.push({ what: 'certificate', source, keptAs: kept, sha256 });
        else {
          seen.set(sha256, source);
          result.certificates.push({ der: Buffer.from(found.der), sha256, source });
        }
      } else {
        try {
          const facts = describeKey(found.key);
          const sha256 = hash('sha256', createPublicKey(found.key).export({ type: 'spki', format: 'der' }), 'hex');
          const kept = seen.get(sha256);
          if (kept) result.duplicates.push({ what: 'key', source, keptAs: kept, sha256 });
          else {
            seen.set(sha256, source);
            result.keys.push({ ...facts, key: found.key, source });
          }
        } catch (err) {
          const failure = asFailure(err);
          result.problems.push(problem(failure.kind, source, `${upload.name}: ${failure.message}`));
        }
      }
    }
  }
  return result;
}

function readSafely(bytes: Buffer, password: string | undefined): Found[] {
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
