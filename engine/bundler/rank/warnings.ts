// Warnings about one chain, beyond cfssl's status: what will break, when, and for whom.
import { describeHash } from './cert-scores.ts';
import { certLabel, day, list } from './format.ts';
import { EXPIRING_WINDOW_MS } from './status.ts';
import type { ChainScores, RankWarning, RankedCert } from './types.ts';

export function chainWarnings(certs: readonly RankedCert[], scores: ChainScores, now: Date): RankWarning[] {
  return [...expiringSoon(certs, now), ...expiringBeforeLeaf(certs), ...sha1BelowRoot(certs), ...platformWarnings(certs, scores)];
}

function expiringSoon(certs: readonly RankedCert[], now: Date): RankWarning[] {
  return certs.flatMap((c, i): RankWarning[] => {
    const left = c.notAfter.getTime() - now.getTime();
    if (left >= EXPIRING_WINDOW_MS) return [];
    const message =
      left <= 0
        ? `${certLabel(i, c.subject)} expired on ${day(c.notAfter, now)}, before the validation time ${day(now, c.notAfter)}`
        : `${certLabel(i, c.subject)} expires on ${day(c.notAfter, now)}, within 30 days of ${day(now, c.notAfter)}: renew or replace it`;
    return [{ code: 'W_EXPIRES_SOON', message, certs: [i] }];
  });
}

// cfssl's ranking does not look at this (an open complaint): a step that expires before the leaf
// silently breaks the bundle while the leaf is still valid.
function expiringBeforeLeaf(certs: readonly RankedCert[]): RankWarning[] {
  const leaf = certs[0]!;
  return certs.slice(1).flatMap((c, j): RankWarning[] => {
    if (c.notAfter.getTime() >= leaf.notAfter.getTime()) return [];
    const i = j + 1;
    return [
      {
        code: 'W_EXPIRES_BEFORE_LEAF',
        message:
          `${certLabel(i, c.subject)} expires on ${day(c.notAfter, leaf.notAfter)}, before the leaf (${day(leaf.notAfter, c.notAfter)}): ` +
          'the chain stops validating then; pick a chain through a longer-lived issuer or rebundle before that date',
        certs: [i],
      },
    ];
  });
}

function sha1BelowRoot(certs: readonly RankedCert[]): RankWarning[] {
  const at = certs.flatMap((c, i) => (i < certs.length - 1 && c.hash === 'sha1' ? [i] : []));
  if (at.length === 0) return [];
  const which = list(at.map((i) => certLabel(i, certs[i]!.subject)));
  return [
    {
      code: 'W_SHA1',
      message: `${which} ${at.length > 1 ? 'are' : 'is'} signed with ${describeHash('sha1')}, which current browsers reject below the root`,
      certs: at,
    },
  ];
}

function platformWarnings(certs: readonly RankedCert[], scores: ChainScores): RankWarning[] {
  if (scores.platforms.length === 0) {
    return [{ code: 'W_NO_PLATFORMS', message: 'no platform metadata: root-store coverage is 0 for every chain and cannot tell them apart' }];
  }
  const root = certs.at(-1)!;
  const out: RankWarning[] = [];
  const untrusted = scores.platforms.filter((p) => !p.trustsRoot).map((p) => p.name);
  if (untrusted.length > 0) {
    out.push({
      code: 'W_UNTRUSTED_PLATFORMS',
      message: `the root ${root.subject} is not in the root store of: ${list(untrusted)}`,
      platforms: untrusted,
    });
  }
  const unsupported = scores.platforms.filter((p) => p.trustsRoot && !p.covered);
  if (unsupported.length > 0) {
    const why = unsupported.map((p) => `${p.name} (${reasons(p.handlesHash, p.handlesKey).join(' and ')})`);
    out.push({
      code: 'W_UNSUPPORTED_PLATFORMS',
      message: `trusted but not usable by: ${list(why)}`,
      platforms: unsupported.map((p) => p.name),
    });
  }
  return out;
}

export function reasons(handlesHash: boolean, handlesKey: boolean): string[] {
  return [...(handlesHash ? [] : ["cannot verify the chain's hash"]), ...(handlesKey ? [] : ["cannot use the chain's key type"])];
}
