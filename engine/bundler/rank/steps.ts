// The ranking steps. Each compares two scored chains (positive when `a` is better) and says, for a chain
// that lost at it, why. cfssl applies its steps as successive filters that keep the chains tying for the
// best score; comparing step by step in order and stopping at the first difference yields the same winner
// and also orders the losers.
import { describeHash, describeKey, hashUbiquity, isSha2, keyUbiquity } from './cert-scores.ts';
import { describeMaxLifetime } from './lifetime.ts';
import { certLabel, day, normalizeFingerprint } from './format.ts';
import { rankOrder, type RankCriterion } from '../../api/bundler.ts';
import type { CandidateChain, ChainScores, Flavor, StepId } from './types.ts';

export interface Scored {
  chain: CandidateChain;
  scores: ChainScores;
  /** The uploaded chain that `force` keeps. */
  forced: boolean;
  fingerprints: string[];
}

export interface Step {
  id: StepId;
  title: string;
  compare(a: Scored, b: Scored): number;
  /** Why `loser` ranks below `winner` at this step (called only when they differ here). */
  lost(winner: Scored, loser: Scored): string;
}

const force: Step = {
  id: 'force',
  title: 'the uploaded chain, as uploaded',
  compare: (a, b) => Number(a.forced) - Number(b.forced),
  lost: () => 'not the uploaded chain (force keeps the uploaded certificates in their order)',
};

const coverage: Step = {
  id: 'coverage',
  title: 'highest root-store coverage',
  compare: (a, b) => a.scores.coverage - b.scores.coverage,
  lost: (w, l) => `coverage ${l.scores.coverage} < ${w.scores.coverage}`,
};

const sha2BelowRoot: Step = {
  id: 'sha2BelowRoot',
  title: 'every certificate below the root on SHA-2',
  compare: (a, b) => Number(a.scores.sha2BelowRoot) - Number(b.scores.sha2BelowRoot),
  lost: (_w, l) => {
    const certs = l.chain.certs;
    const i = certs.findIndex((c, idx) => idx < certs.length - 1 && !isSha2(c.hash));
    const cert = certs[i]!;
    return `${certLabel(i, cert.subject)} is signed with ${describeHash(cert.hash)}; every certificate below the winner's root is SHA-2`;
  },
};

const length: Step = {
  id: 'length',
  title: 'shortest chain',
  compare: (a, b) => b.scores.length - a.scores.length,
  lost: (w, l) => `length ${l.scores.length} > ${w.scores.length}`,
};

const hashUbiquityStep: Step = {
  id: 'hashUbiquity',
  title: 'most ubiquitous weakest hash',
  compare: (a, b) => a.scores.hashUbiquity - b.scores.hashUbiquity,
  lost: (w, l) =>
    `hash ubiquity ${l.scores.hashUbiquity} < ${w.scores.hashUbiquity} ` + `(weakest hash ${describeHash(weakestHash(l))} vs ${describeHash(weakestHash(w))})`,
};

const keyUbiquityStep: Step = {
  id: 'keyUbiquity',
  title: 'most ubiquitous weakest key',
  compare: (a, b) => a.scores.keyUbiquity - b.scores.keyUbiquity,
  lost: (w, l) =>
    `key ubiquity ${l.scores.keyUbiquity} < ${w.scores.keyUbiquity} ` + `(weakest key ${describeKey(weakestKey(l))} vs ${describeKey(weakestKey(w))})`,
};

const expiryLevels: Step = {
  id: 'expiryLevels',
  title: 'latest expiry level by level from the root, within the CA/B Forum maximum lifetime first',
  compare: (a, b) => firstLevelDifference(a, b)?.order ?? 0,
  lost: (w, l) => {
    const diff = firstLevelDifference(w, l)!;
    const wl = w.scores.levels[diff.level]!;
    const ll = l.scores.levels[diff.level]!;
    const where = diff.level === 0 ? 'at the root' : `at level ${diff.level} below the root`;
    if (diff.byLifetime) {
      return (
        `${where}, ${ll.subject} is valid ${ll.months} months, over ${describeMaxLifetime(ll.maxMonths)}; ` +
        `the winner's ${wl.subject} (${wl.months} months) is within its maximum`
      );
    }
    return `${where}, ${ll.subject} expires ${day(ll.notAfter, wl.notAfter)} < ${wl.subject} ${day(wl.notAfter, ll.notAfter)}`;
  },
};

const earliestExpiry: Step = {
  id: 'earliestExpiry',
  title: 'latest earliest expiry',
  compare: (a, b) => Math.sign(a.scores.earliestExpiry.getTime() - b.scores.earliestExpiry.getTime()),
  lost: (w, l) => `earliest expiry ${day(l.scores.earliestExpiry, w.scores.earliestExpiry)} < ${day(w.scores.earliestExpiry, l.scores.earliestExpiry)}`,
};

const cryptoQuality: Step = {
  id: 'cryptoQuality',
  title: 'highest crypto quality',
  compare: (a, b) => a.scores.cryptoQuality.total - b.scores.cryptoQuality.total,
  lost: (w, l) => {
    const [lq, wq] = [l.scores.cryptoQuality, w.scores.cryptoQuality];
    return `crypto quality ${lq.total} < ${wq.total} (hash ${lq.hash} + key ${lq.key} vs ${wq.hash} + ${wq.key})`;
  },
};

const fingerprints: Step = {
  id: 'fingerprints',
  title: 'lexical order of the SHA-256 fingerprints, leaf to root (final tie-breaker)',
  compare: (a, b) => -compareLists(a.fingerprints, b.fingerprints),
  lost: (w, l) => {
    const i = l.fingerprints.findIndex((fp, idx) => fp !== w.fingerprints[idx]);
    const at = i === -1 ? w.fingerprints.length : i;
    const lf = l.fingerprints[at]?.slice(0, 16) ?? '(none)';
    const wf = w.fingerprints[at]?.slice(0, 16) ?? '(none)';
    return `tied on every step; at certificate #${at + 1} its fingerprint ${lf}… sorts after the winner's ${wf}…`;
  },
};

const criteria: Record<RankCriterion, Step> = {
  coverage,
  sha2BelowRoot,
  length,
  hashUbiquity: hashUbiquityStep,
  keyUbiquity: keyUbiquityStep,
  expiryLevels,
  earliestExpiry,
  cryptoQuality,
};
// The order is the contract's (engine/api/bundler.ts rankOrder), which the console shows its columns in.
const OPTIMAL: Step[] = rankOrder.optimal.map((id) => criteria[id]);
// cfssl's ubiquitous flavor ends with the optimal filters; their length step is already decided by then.
const UBIQUITOUS: Step[] = rankOrder.ubiquitous.map((id) => criteria[id]);

export function stepsFor(flavor: Flavor): Step[] {
  switch (flavor) {
    case 'optimal':
      return [...OPTIMAL, fingerprints];
    case 'ubiquitous':
      return [...UBIQUITOUS, fingerprints];
    case 'force':
      // Only the uploaded chain counts; the others are listed in ubiquitous order for the report.
      return [force, ...UBIQUITOUS, fingerprints];
  }
}

export function fingerprintsOf(chain: CandidateChain): string[] {
  return chain.certs.map((c) => normalizeFingerprint(c.fingerprint));
}

/** Positive when `a` sorts after `b`: element by element, then the shorter list first. */
function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * cfssl's CompareExpiryUbiquity: walk both chains from the root down; at the first level where they
 * differ, a certificate within its maximum lifetime beats one over it, then the later notAfter wins.
 */
function firstLevelDifference(a: Scored, b: Scored): { level: number; order: number; byLifetime: boolean } | undefined {
  const depth = Math.min(a.scores.levels.length, b.scores.levels.length);
  for (let level = 0; level < depth; level++) {
    const la = a.scores.levels[level]!;
    const lb = b.scores.levels[level]!;
    if (la.withinMax !== lb.withinMax) return { level, order: la.withinMax ? 1 : -1, byLifetime: true };
    const order = Math.sign(la.notAfter.getTime() - lb.notAfter.getTime());
    if (order !== 0) return { level, order, byLifetime: false };
  }
  return undefined;
}

function weakestHash(s: Scored) {
  return s.chain.certs.find((c) => hashUbiquity(c.hash) === s.scores.hashUbiquity)!.hash;
}

function weakestKey(s: Scored) {
  return s.chain.certs.find((c) => keyUbiquity(c.key) === s.scores.keyUbiquity)!.key;
}
