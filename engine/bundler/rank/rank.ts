// rankChains: every candidate chain scored, sorted best first by the flavor's steps (cfssl's order) and a
// final deterministic tie-breaker, each with the step where it lost to the winner, explanations,
// warnings and the cfssl status it would get. See README.md for the rules and a worked example.
import { scoreChain } from './chain-scores.ts';
import { RankError, RankErrorCode } from './errors.ts';
import { explainScores } from './explain.ts';
import { certLabel } from './format.ts';
import { cfsslStatus } from './status.ts';
import { fingerprintsOf, stepsFor, type Scored, type Step } from './steps.ts';
import { chainWarnings } from './warnings.ts';
import type { CandidateChain, Flavor, Loss, Platform, RankOptions, RankResult, RankedChain } from './types.ts';

// One entry point for the bundler: the function, its types and its error.
export type * from './types.ts';
export { RankError, RankErrorCode } from './errors.ts';

/** cfssl's flavors; an unknown or missing flavor is ranked as `ubiquitous` (cfssl's default branch). */
export function resolveFlavor(requested: string | undefined): Flavor {
  return requested === 'optimal' || requested === 'force' ? requested : 'ubiquitous';
}

export function rankChains(chains: readonly CandidateChain[], platforms: readonly Platform[], options: RankOptions): RankResult {
  const flavor = resolveFlavor(options.flavor);
  const requestedFlavor = options.flavor ?? 'ubiquitous';
  if (chains.length === 0) {
    throw new RankError(
      RankErrorCode.unknownAuthority,
      'no candidate chain from the leaf to a trusted root: add the missing intermediates or the root to the trust data',
    );
  }
  for (const chain of chains) {
    if (chain.certs.length === 0) throw new RangeError('rankChains: every candidate chain has at least one certificate');
  }
  const forcedIndex = flavor === 'force' ? checkForced(chains, options) : -1;
  const scored: Scored[] = chains.map((chain, i) => ({
    chain,
    scores: scoreChain(chain.certs, platforms),
    forced: i === forcedIndex,
    fingerprints: fingerprintsOf(chain),
  }));
  const steps = stepsFor(flavor);
  const sorted = [...scored].sort((a, b) => -compareBySteps(steps, a, b));
  const winner = sorted[0]!;
  const ranked = sorted.map((s, i): RankedChain => ({
    rank: i + 1,
    chain: s.chain,
    scores: s.scores,
    lostAt: i === 0 ? null : lossAgainst(steps, winner, s),
    explanations: [
      ...(i === 0 && requestedFlavor !== flavor ? [`unknown flavor "${requestedFlavor}": ranked as ubiquitous, cfssl's default`] : []),
      ...explainScores(s.chain.certs, s.scores),
    ],
    warnings: chainWarnings(s.chain.certs, s.scores, options.now),
    status: cfsslStatus(s.chain.certs, s.scores, platforms, { now: options.now, forced: s.forced }),
  }));
  return { flavor, requestedFlavor, steps: steps.map((s) => s.id), chains: ranked };
}

function compareBySteps(steps: readonly Step[], a: Scored, b: Scored): number {
  for (const step of steps) {
    const order = step.compare(a, b);
    if (order !== 0) return order;
  }
  return 0;
}

function lossAgainst(steps: readonly Step[], winner: Scored, loser: Scored): Loss {
  for (const step of steps) {
    if (step.compare(winner, loser) !== 0) return { step: step.id, reason: step.lost(winner, loser) };
  }
  // Two identical chains (same fingerprints): the sort kept their input order.
  return { step: 'fingerprints', reason: 'the same certificates as the winner (a duplicate candidate)' };
}

/**
 * `force` keeps the uploaded chain as it is, and only checks that each uploaded certificate is signed
 * by the next one (cfssl's partialVerify); no search, no reordering.
 */
function checkForced(chains: readonly CandidateChain[], options: RankOptions): number {
  const index = chains.findIndex((c) => c.uploadedOrder === true);
  if (index === -1) {
    throw new RankError(RankErrorCode.verifyFailed, 'force: no candidate is the uploaded chain; upload the leaf and its issuers, or use flavor ubiquitous');
  }
  if (options.signs === undefined) throw new TypeError('rankChains: flavor force needs a signs(issuer, subject) check');
  const certs = chains[index]!.certs;
  for (let i = 0; i + 1 < certs.length; i++) {
    const subject = certs[i]!;
    const issuer = certs[i + 1]!;
    if (!options.signs(issuer, subject)) {
      throw new RankError(
        RankErrorCode.verifyFailed,
        `force: uploaded certificate ${certLabel(i + 1, issuer.subject)} does not sign ${certLabel(i, subject.subject)}; ` +
          'upload the leaf first and each issuer right after what it signs, or use flavor ubiquitous',
      );
    }
  }
  return index;
}
