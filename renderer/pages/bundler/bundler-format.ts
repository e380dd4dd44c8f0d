// How the Bundler page writes dates, lifetimes and scores: local time with the zone, days counted
// from the time the chains were validated at (not from now).
import { rankOrder } from '../../../engine/api/bundler.ts';
import { formatLocalDateTime } from '../../components/format.ts';

const day = 86_400_000;

const dateOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** "Mar 12, 2026"; the exact moment with the zone is in `title`. */
export function formatDate(iso: string): { text: string; title: string } {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return { text: iso, title: iso };
  return { text: dateOnly.format(ms), title: formatLocalDateTime(ms) };
}

export type Lifetime = { state: 'valid'; days: number } | { state: 'expired'; days: number } | { state: 'not-yet'; days: number };

/** Where `at` falls in a certificate's validity: days left, days since it expired, or days until it starts. */
export function lifetimeAt(notBefore: string, notAfter: string, at: string): Lifetime {
  const now = Date.parse(at);
  const start = Date.parse(notBefore);
  const end = Date.parse(notAfter);
  if (now < start) return { state: 'not-yet', days: Math.ceil((start - now) / day) };
  if (now > end) return { state: 'expired', days: Math.floor((now - end) / day) };
  return { state: 'valid', days: Math.floor((end - now) / day) };
}

/** The value of a datetime-local field for a moment, in local time, to the second. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local field's value (local time) as ISO 8601 in UTC; null when it is not a time. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The local zone's short name ("CET"), to write beside a time field. */
export function localZone(ms: number = Date.now()): string {
  return new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/** A score's heading; the ranking's names (engine/bundler/rank) read as words. */
const scoreNames: Record<string, string> = {
  coverage: 'Coverage',
  sha2BelowRoot: 'SHA-2 below root',
  length: 'Length',
  hashUbiquity: 'Hash',
  keyUbiquity: 'Key',
  expiryLevels: 'Expiry by level',
  earliestExpiry: 'Earliest expiry',
  cryptoQuality: 'Crypto quality',
  statusCode: 'cfssl status',
};

/** The order the criteria are compared in (ubiquitous, which ends with optimal's tie-breakers); others follow by name. */
const scoreOrder: readonly string[] = rankOrder.ubiquitous;

export function scoreName(key: string): string {
  return scoreNames[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

export function orderScoreKeys(keys: Iterable<string>): string[] {
  const rank = (key: string) => {
    const at = scoreOrder.indexOf(key);
    return at === -1 ? scoreOrder.length : at;
  };
  return [...new Set(keys)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export type ScoreValue = string | number | boolean | null | undefined;

/** A score as text: yes/no, numbers as they are, ISO times as dates. */
export function formatScore(value: ScoreValue): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(1);
  return /^\d{4}-\d{2}-\d{2}T/.test(value) ? formatDate(value).text : value;
}

/** The shortest name of a certificate: its CN, else its subject. */
export function certName(cert: { commonName: string | null; subject: string }): string {
  return cert.commonName || cert.subject || '(no subject)';
}
