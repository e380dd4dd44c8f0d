// Hand-made certificates and platforms for the ranking tests. A fingerprint is the SHA-256 of the
// subject unless given, so the final tie-breaker is predictable.
import { createHash } from 'node:crypto';
import type { CandidateChain, Platform, PlatformHashAlgo, PlatformKeyAlgo, RankedCert } from '../../../../engine/bundler/rank/types.ts';

export const utc = (iso: string): Date => new Date(`${iso}${iso.length === 10 ? 'T00:00:00Z' : ''}`);

export function cert(subject: string, over: Partial<RankedCert> = {}): RankedCert {
  return {
    fingerprint: createHash('sha256').update(subject).digest('hex'),
    subject,
    hash: 'sha256',
    key: { type: 'rsa', bits: 2048 },
    notBefore: utc('2016-01-01'),
    notAfter: utc('2019-01-01'),
    isRoot: false,
    ...over,
  };
}

export function root(subject: string, over: Partial<RankedCert> = {}): RankedCert {
  return cert(subject, { isRoot: true, notBefore: utc('2010-01-01'), notAfter: utc('2030-01-01'), ...over });
}

export const rsa = (bits: number) => ({ type: 'rsa' as const, bits });
export const ec = (curve: 'P-256' | 'P-384' | 'P-521') => ({ type: 'ec' as const, bits: Number(curve.slice(2)), curve });

export function chain(...certs: RankedCert[]): CandidateChain {
  return { certs };
}

/** A platform whose root store holds exactly `roots` ('all': no store of its own, trusts every root). */
export function platform(
  name: string,
  weight: number,
  roots: readonly RankedCert[] | 'all',
  hashAlgo: PlatformHashAlgo = 'SHA2',
  keyAlgo: PlatformKeyAlgo = 'ECDSA256',
): Platform {
  const fingerprints = roots === 'all' ? undefined : new Set(roots.map((r) => r.fingerprint));
  return { name, weight, hashAlgo, keyAlgo, trusts: (fp) => fingerprints === undefined || fingerprints.has(fp) };
}

export const subjects = (c: CandidateChain): string[] => c.certs.map((x) => x.subject);
