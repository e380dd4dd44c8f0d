// One line per score of a chain, for a person reading the report.
import { describeHash, describeKey, hashUbiquity, isSha2, keyUbiquity } from './cert-scores.ts';
import { describeMaxLifetime } from './lifetime.ts';
import { certLabel, day, list } from './format.ts';
import { reasons } from './warnings.ts';
import type { ChainScores, RankedCert } from './types.ts';

export function explainScores(certs: readonly RankedCert[], s: ChainScores): string[] {
  const weakHash = certs.find((c) => hashUbiquity(c.hash) === s.hashUbiquity)!;
  const weakKey = certs.find((c) => keyUbiquity(c.key) === s.keyUbiquity)!;
  const firstToExpire = certs.findIndex((c) => c.notAfter.getTime() === s.earliestExpiry.getTime());
  const notSha2 = certs.findIndex((c, i) => i < certs.length - 1 && !isSha2(c.hash));
  return [
    coverageLine(s),
    notSha2 === -1
      ? 'every certificate below the root is signed with SHA-2'
      : `not every certificate below the root is SHA-2: ${certLabel(notSha2, certs[notSha2]!.subject)} uses ${describeHash(certs[notSha2]!.hash)}`,
    `length ${s.length}`,
    `weakest hash ${describeHash(weakHash.hash)} (hash ubiquity ${s.hashUbiquity}; SHA-1 100, SHA-2 70, others 0)`,
    `weakest key ${describeKey(weakKey.key)} (key ubiquity ${s.keyUbiquity}; RSA/DSA 100, P-256/P-384 70, P-521 30)`,
    ...s.levels.map((l) => {
      const where = l.level === 0 ? 'root' : `level ${l.level} below the root`;
      const verdict = l.withinMax ? 'within' : 'over';
      return `${where}: ${l.subject} expires ${day(l.notAfter)}, valid ${l.months} months, ${verdict} ${describeMaxLifetime(l.maxMonths)}`;
    }),
    `earliest expiry ${day(s.earliestExpiry)} (${certLabel(firstToExpire, certs[firstToExpire]!.subject)})`,
    `crypto quality ${s.cryptoQuality.total} = hash ${s.cryptoQuality.hash} + key ${s.cryptoQuality.key} (averages over ${s.length} certificates)`,
  ];
}

function coverageLine(s: ChainScores): string {
  if (s.platforms.length === 0) return 'coverage 0: no platform metadata';
  const covered = s.platforms.filter((p) => p.covered).map((p) => `${p.name} ${p.weight}`);
  const missed = s.platforms
    .filter((p) => !p.covered)
    .map((p) => `${p.name} ${p.weight} (${p.trustsRoot ? reasons(p.handlesHash, p.handlesKey).join(' and ') : 'root not trusted'})`);
  const parts = [`coverage ${s.coverage} of ${s.coverageMax}`];
  if (covered.length > 0) parts.push(`usable by ${list(covered)}`);
  if (missed.length > 0) parts.push(`not by ${list(missed)}`);
  return parts.join('; ');
}
