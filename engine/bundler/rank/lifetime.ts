// The CA/Browser Forum maximum lifetime rule cfssl applies when it compares expiry level by level.
//
// Baseline Requirements (BR 1.0 §9.4.1, BR 1.3.0 §6.3.2), by the certificate's issue date (notBefore):
//   issued on or after 2015-04-01 00:00 UTC  -> at most 39 months
//   issued on or after 2012-07-01 00:00 UTC  -> at most 60 months (1 July 2012 is the BR effective date)
//   issued before                            -> 120 months (no BR limit; cfssl's ceiling)
// Later BR limits (825 days from 2018-03-01, 398 days from 2020-09-01) are not part of cfssl's rule and
// are not applied. cfssl applies the rule to every level, roots and intermediates included.
import type { RankedCert } from './types.ts';

export const BR_EFFECTIVE_DATE = new Date(Date.UTC(2012, 6, 1));
export const BR_39_MONTHS_DATE = new Date(Date.UTC(2015, 3, 1));

export function maxLifetimeMonths(notBefore: Date): 39 | 60 | 120 {
  const issued = notBefore.getTime();
  if (issued >= BR_39_MONTHS_DATE.getTime()) return 39;
  if (issued >= BR_EFFECTIVE_DATE.getTime()) return 60;
  return 120;
}

/**
 * Validity in months as cfssl counts it (helpers.MonthsValid): the difference of the calendar months
 * (UTC), plus one when the end's day of the month is later than the start's. So 2016-03-17 to
 * 2021-03-17 is 60 months, and 2016-03-17 to 2021-03-18 is 61.
 */
export function lifetimeMonths(notBefore: Date, notAfter: Date): number {
  const months = (notAfter.getUTCFullYear() - notBefore.getUTCFullYear()) * 12 + (notAfter.getUTCMonth() - notBefore.getUTCMonth());
  return notAfter.getUTCDate() > notBefore.getUTCDate() ? months + 1 : months;
}

export function withinMaxLifetime(cert: Pick<RankedCert, 'notBefore' | 'notAfter'>): boolean {
  return lifetimeMonths(cert.notBefore, cert.notAfter) <= maxLifetimeMonths(cert.notBefore);
}

export function describeMaxLifetime(maxMonths: 39 | 60 | 120): string {
  switch (maxMonths) {
    case 39:
      return 'the 39-month maximum for certificates issued from 2015-04-01';
    case 60:
      return 'the 60-month maximum for certificates issued from 2012-07-01 to 2015-03-31';
    case 120:
      return 'the 120-month maximum for certificates issued before 2012-07-01';
  }
}
