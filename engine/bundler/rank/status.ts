// cfssl's `status` object for a chosen chain: the code bits, the expiring SKIs, the root stores that
// do not trust the root and the messages, computed on the chain with its root (as cfssl does, before
// it drops the root from the bundle).
import { HASH_UBIQUITY, KEY_UBIQUITY } from './cert-scores.ts';
import { sha1DeprecationMessages } from './sha1-deprecation.ts';
import { list } from './format.ts';
import type { CfsslStatus, ChainScores, Platform, RankedCert } from './types.ts';

/** Bit 1 of status.code: a certificate of the bundle expires within 30 days. */
export const BUNDLE_EXPIRING_BIT = 1;
/** Bit 2 of status.code: some clients may not accept the bundle. */
export const BUNDLE_NOT_UBIQUITOUS_BIT = 2;

export const EXPIRING_WINDOW_MS = 30 * 24 * 3600 * 1000;

/** Positions (0 = leaf) of the certificates whose notAfter is less than 30 days after `now`, expired ones included. */
export function expiringWithin30Days(certs: readonly RankedCert[], now: Date): number[] {
  return certs.flatMap((c, i) => (c.notAfter.getTime() - now.getTime() < EXPIRING_WINDOW_MS ? [i] : []));
}

/** The status message for the certificates at these positions (0 = leaf) expiring within 30 days. */
export function expiringMessage(positions: readonly number[]): string {
  const which = positions.map((i) => `#${i + 1}`).join(' ');
  return `The bundle expires within 30 days: ${positions.length > 1 ? 'certificates' : 'certificate'} ${which} of the chain.`;
}

export function cfsslStatus(
  certs: readonly RankedCert[],
  scores: ChainScores,
  platforms: readonly Platform[],
  opts: { now: Date; forced: boolean },
): CfsslStatus {
  let code = 0;
  const messages: string[] = [];
  const expiring = expiringWithin30Days(certs, opts.now);
  if (expiring.length > 0) {
    code |= BUNDLE_EXPIRING_BIT;
    messages.push(expiringMessage(expiring));
  }
  // cfssl flags any hash weaker in ubiquity than SHA-1 (every SHA-2 chain) and any ECDSA key.
  if (scores.hashUbiquity <= HASH_UBIQUITY.sha2) {
    code |= BUNDLE_NOT_UBIQUITOUS_BIT;
    messages.push('The bundle uses SHA-2 (or a weaker-supported) signatures, which some old systems (e.g. Windows XP SP2) cannot verify.');
  }
  if (scores.keyUbiquity <= KEY_UBIQUITY.p256) {
    code |= BUNDLE_NOT_UBIQUITOUS_BIT;
    messages.push('The bundle uses ECDSA (or a weaker-supported) keys, which some old systems (e.g. Windows XP SP2, Android 2.2 and 2.3) cannot use.');
  }
  // A forced bundle has no anchoring root to look up; cfssl skips the root-store check then.
  let untrusted: string[] = [];
  if (!opts.forced) {
    untrusted = scores.platforms.filter((p) => !p.trustsRoot).map((p) => p.name);
    if (platforms.length === 0) {
      code |= BUNDLE_NOT_UBIQUITOUS_BIT;
      messages.push('The trust ubiquity of the bundle is unknown: no platform metadata.');
    } else if (untrusted.length > 0) {
      code |= BUNDLE_NOT_UBIQUITOUS_BIT;
      messages.push(`The bundle may not be trusted by: ${list(untrusted)}.`);
    }
  }
  const sha1 = sha1DeprecationMessages(certs, opts.now);
  if (sha1.length > 0) {
    code |= BUNDLE_NOT_UBIQUITOUS_BIT;
    messages.push(...sha1);
  }
  return {
    code,
    expiring_SKIs: expiring.map((i) => (certs[i]!.ski ?? '').replace(/:/g, '').toUpperCase()),
    untrusted_root_stores: untrusted,
    messages,
  };
}
