// The browsers' SHA-1 deprecation schedules cfssl checks before it reports a bundle (its "not
// ubiquitous" status bit). A policy flags a chain when, at the validation time, it is in effect and
//  - the leaf was issued after its "never issue after" date and is itself signed with SHA-1, or
//  - the leaf is valid past its "expiry deadline" and a certificate below the root is signed with SHA-1.
// Per platform only the most severe flagged policy is reported.
import type { RankedCert } from './types.ts';

interface Sha1Policy {
  platform: string;
  /** 1 low, 2 medium, 3 high. */
  severity: 1 | 2 | 3;
  effect: string;
  effectiveDate?: Date;
  expiryDeadline?: Date;
  neverIssueAfter?: Date;
}

const JAN_2016 = new Date(Date.UTC(2016, 0, 1));
const JAN_2017 = new Date(Date.UTC(2017, 0, 1));

// Chrome's and Firefox's announced schedules (2014-2015) and Microsoft's SHA-1 deprecation of 2017,
// as cfssl encodes them.
const POLICIES: readonly Sha1Policy[] = [
  { platform: 'Google Chrome', severity: 2, effect: 'shows the connection as having minor errors', expiryDeadline: JAN_2016 },
  { platform: 'Google Chrome', severity: 3, effect: 'shows the connection as untrusted', expiryDeadline: JAN_2017 },
  { platform: 'Mozilla Firefox', severity: 1, effect: 'warns in the developer console', expiryDeadline: JAN_2017 },
  { platform: 'Mozilla Firefox', severity: 2, effect: 'shows the connection as untrusted', effectiveDate: JAN_2016, neverIssueAfter: JAN_2016 },
  { platform: 'Mozilla Firefox', severity: 3, effect: 'shows the connection as untrusted', effectiveDate: JAN_2017, expiryDeadline: JAN_2017 },
  {
    platform: 'Microsoft Windows Vista and later',
    severity: 3,
    effect: 'shows the connection as untrusted',
    effectiveDate: JAN_2017,
    expiryDeadline: JAN_2017,
  },
];

function flags(policy: Sha1Policy, certs: readonly RankedCert[], now: Date): boolean {
  const leaf = certs[0]!;
  if (policy.effectiveDate !== undefined && now.getTime() <= policy.effectiveDate.getTime()) return false;
  if (policy.neverIssueAfter !== undefined && leaf.notBefore > policy.neverIssueAfter && certs.length > 1 && leaf.hash === 'sha1') {
    return true;
  }
  if (policy.expiryDeadline !== undefined && leaf.notAfter > policy.expiryDeadline) {
    return certs.slice(0, -1).some((c) => c.hash === 'sha1');
  }
  return false;
}

/** One message per platform that rejects or warns about the chain at `now` because of SHA-1. */
export function sha1DeprecationMessages(certs: readonly RankedCert[], now: Date): string[] {
  const worst = new Map<string, Sha1Policy>();
  for (const policy of POLICIES) {
    if (!flags(policy, certs, now)) continue;
    const seen = worst.get(policy.platform);
    if (seen === undefined || seen.severity < policy.severity) worst.set(policy.platform, policy);
  }
  return [...worst.values()].map((p) => `${p.platform} ${p.effect} because of SHA-1 deprecation`);
}
