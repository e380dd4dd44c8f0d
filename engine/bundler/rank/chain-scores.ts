// The scores of one chain (leaf first, root last), each one number or flag that a ranking step compares.
import { hashPriority, hashUbiquity, isSha2, keyPriority, keyUbiquity, platformHashUbiquity, platformKeyUbiquity } from './cert-scores.ts';
import { lifetimeMonths, maxLifetimeMonths } from './lifetime.ts';
import type { ChainScores, LevelLifetime, Platform, PlatformCoverage, RankedCert } from './types.ts';

export function scoreChain(certs: readonly RankedCert[], platforms: readonly Platform[]): ChainScores {
  const root = certs.at(-1);
  if (root === undefined) throw new RangeError('scoreChain: a chain has at least one certificate');
  const hashU = Math.min(...certs.map((c) => hashUbiquity(c.hash)));
  const keyU = Math.min(...certs.map((c) => keyUbiquity(c.key)));
  const coverage = platforms.map((p) => platformCoverage(p, root, hashU, keyU));
  const hash = Math.trunc(runningMean(certs.map((c) => hashPriority(c.hash))));
  const key = Math.trunc(runningMean(certs.map((c) => keyPriority(c.key))));
  return {
    coverage: coverage.reduce((sum, p) => (p.covered ? sum + p.weight : sum), 0),
    coverageMax: platforms.reduce((sum, p) => sum + p.weight, 0),
    platforms: coverage,
    hashUbiquity: hashU,
    keyUbiquity: keyU,
    sha2BelowRoot: certs.slice(0, -1).every((c) => isSha2(c.hash)),
    length: certs.length,
    earliestExpiry: new Date(Math.min(...certs.map((c) => c.notAfter.getTime()))),
    cryptoQuality: { hash, key, total: hash + key },
    levels: certs.map((_, i) => levelLifetime(certs, i)),
  };
}

function platformCoverage(p: Platform, root: RankedCert, hashU: number, keyU: number): PlatformCoverage {
  const trustsRoot = p.trusts(root.fingerprint, root);
  const handlesHash = platformHashUbiquity(p.hashAlgo) <= hashU;
  const handlesKey = platformKeyUbiquity(p.keyAlgo) <= keyU;
  return { name: p.name, weight: p.weight, trustsRoot, handlesHash, handlesKey, covered: trustsRoot && handlesHash && handlesKey };
}

/**
 * The mean, folded in one value at a time the way cfssl folds it (mean = mean*(1-w) + v*w with
 * w = 1/(i+1)), so that its truncation to an integer lands on the same side as cfssl's in float64.
 */
function runningMean(values: readonly number[]): number {
  let mean = 0;
  values.forEach((value, i) => {
    const w = 1 / (i + 1);
    mean = mean * (1 - w) + value * w;
  });
  return mean;
}

function levelLifetime(certs: readonly RankedCert[], level: number): LevelLifetime {
  const cert = certs[certs.length - 1 - level]!;
  const months = lifetimeMonths(cert.notBefore, cert.notAfter);
  const maxMonths = maxLifetimeMonths(cert.notBefore);
  return { level, subject: cert.subject, notBefore: cert.notBefore, notAfter: cert.notAfter, months, maxMonths, withinMax: months <= maxMonths };
}
