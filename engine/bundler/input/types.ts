// The shapes readUploads takes and gives.
import type { KeyObject } from 'node:crypto';
import type { KeyFacts } from './keys.ts';
import type { InputProblem } from './problems.ts';

export interface Upload {
  /** The file name as dropped, or a label such as "pasted text". */
  name: string;
  /** The file's bytes, or pasted text. */
  bytes: Uint8Array | string;
  /** For PKCS#12 files and encrypted private keys in this upload. */
  password?: string;
}

export interface InputCertificate {
  /** The certificate exactly as uploaded (DER). */
  der: Buffer;
  /** SHA-256 of `der`, lower-case hex. */
  sha256: string;
  /** Where it came from: `name#n`, the n-th object (1-based) in that upload. */
  source: string;
}

export interface InputKey extends KeyFacts {
  key: KeyObject;
  /** SHA-256 of its public key as node:crypto exports it (SPKI DER), lower-case hex. */
  spkiSha256: string;
  source: string;
}

export interface Duplicate {
  what: 'certificate' | 'key';
  /** The later copy, which was dropped. */
  source: string;
  /** The first copy, which was kept. */
  keptAs: string;
  /** SHA-256 of the certificate's DER, or of the key's public key (SPKI DER). */
  sha256: string;
}

export interface InputResult {
  /** Each distinct certificate once, in upload order (the first copy wins). */
  certificates: InputCertificate[];
  keys: InputKey[];
  /** Everything that could not be used; the rest was read regardless. */
  problems: InputProblem[];
  duplicates: Duplicate[];
}

export interface ReadLimits {
  /** Largest single upload, bytes (default 1 MiB: a chain of a few hundred certificates). */
  maxFileBytes?: number;
  /** Largest sum of all uploads in one call, bytes (default 8 MiB). */
  maxTotalBytes?: number;
  /** KDF work for all PKCS#12 files and encrypted keys of one call, in PBKDF2-SHA-256 rounds (default 12,000,000 ≈ 2 s). */
  maxKdfWork?: number;
  /** Private keys read in one call (default 100). */
  maxKeys?: number;
  /** Distinct certificates read in one call (default 2,000: the chain search checks 2,000 signatures at most). */
  maxCertificates?: number;
  /** Problems listed per file; the rest are counted in one more problem (default 50). */
  maxProblemsPerFile?: number;
  /** Off the event loop only (readUploadsOffThread): wall-clock ms for all the KDF work of one call (default 10,000). */
  kdfTimeoutMs?: number;
}
