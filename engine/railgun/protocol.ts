// What travels on the link besides the page: the link protocol's version, header names both ends
// agree on, the short names of versions, the token check, and the report the listener attaches to
// each response. README "The link protocol" describes version 2.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { BaseOutcome } from '../api/railgun.ts';

/**
 * The link protocol both ends speak, said in the hello both ways. 1: RFC 9842 headers and the
 * digest as text; 2: short ids of every version held, the digest in binary before the body, a
 * compact report.
 * Ends of different versions refuse each other at the hello (E_RAILGUN_LINK_VERSION).
 */
export const linkVersion = 2;

export const linkHeaders = {
  /** Request: the pre-shared token; every stream carries it (HPACK sends it once per connection). */
  token: 'signalbox-link-token',
  /** Hello request and answer: the link protocol version of each end. */
  version: 'signalbox-link-version',
  /** Request: the ids of the versions the sender holds for this key, newest first (RFC 9842's Available-Dictionary, shortened and for several). */
  base: 'signalbox-base',
  /** Request: after a failed verification, the SHA-256 of the version the sender wants in full. */
  resend: 'signalbox-resend',
  /** Response, pass-through compressed: bytes of the body as the origin sent it, for the client's Content-Length. */
  length: 'signalbox-length',
  /** Response: on the listener's own 502, why (`origin-refused; connect ECONNREFUSED ...`), for the sender's counters; never forwarded. */
  failure: 'signalbox-failure',
  /** Response: how it crossed the link, and the listener's timings. */
  report: 'signalbox-link',
} as const;

/** The path a sender asks right after connecting, to learn that its token and its protocol version are accepted. */
export const helloPath = '/.well-known/signalbox-railgun/hello';

/** What an end says of a peer that speaks another link protocol version (`undefined`: version 1 said none). */
export function versionMismatch(peer: string, offered: unknown): string {
  const version = offered === undefined ? '1 (it says no version)' : String(offered);
  return `the ${peer} speaks link protocol ${version}, this end ${linkVersion}: run the same signalbox release on both ends (upgrade the listener and its senders together) [E_RAILGUN_LINK_VERSION]`;
}

/**
 * A version's id on the link: the first 3 bytes of its SHA-256, base64url (4 characters; RFC
 * 9842's Available-Dictionary takes 46 for one). A sender names every version it holds of the
 * key; the listener looks ids up only among that key's few versions and names the base it used
 * in full in the dcz header (RFC 9842 §4), which the sender decodes with. Two versions of one
 * key that shared an id could make the listener pick a base the sender lacks: the sender then
 * asks for the page in full (`signalbox-resend`, the full SHA-256): an id may cost a retry, never
 * a wrong page.
 */
export const versionIdBytes = 3;
/** At most this many ids are read from one request (a sender holds `versionsPerKey`, 4 by default). */
const maxAnnounced = 16;

export function formatVersionIds(hashes: Uint8Array[]): string {
  return hashes.map((hash) => Buffer.from(hash.subarray(0, versionIdBytes)).toString('base64url')).join(' ');
}

export function parseVersionIds(value: unknown): Buffer[] {
  if (typeof value !== 'string') return [];
  const ids = value.split(' ', maxAnnounced);
  return ids.every((id) => /^[A-Za-z0-9_-]{4}$/.test(id)) ? ids.map((id) => Buffer.from(id, 'base64url')) : [];
}

/** `signalbox-resend`: the whole SHA-256 of the version wanted in full, base64url (rare, so no shortening). */
export function formatFullHash(hash: Uint8Array): string {
  return Buffer.from(hash).toString('base64url');
}

export function parseFullHash(value: unknown): Buffer | null {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value) ? Buffer.from(value, 'base64url') : null;
}

/** Bytes of the SHA-256 that comes before a coded body on the link (README "The link protocol"). */
export const digestBytes = 32;

export function tokensMatch(expected: string, offered: unknown): boolean {
  if (typeof offered !== 'string') return false;
  // Digests first: equal lengths for timingSafeEqual, and no length leak.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(offered).digest();
  return timingSafeEqual(a, b);
}

export interface LinkReport {
  base: BaseOutcome;
  originMs: number | null;
  encodeMs: number | null;
  /** A pass-through body the listener compressed for the link (the sender decodes it). */
  coding?: 'zstd' | null;
}

const outcomeLetters: Record<BaseOutcome, string> = { hit: 'h', miss: 'm', none: 'n', pass: 'p' };
const letterOutcomes = new Map(Object.entries(outcomeLetters).map(([outcome, letter]) => [letter, outcome as BaseOutcome]));

/**
 * `<outcome>[z] <origin ms x 10> <encode ms x 10>`, `-` for a time not taken: `h 3 220` is a delta
 * whose origin fetch took 0.3 ms and encoding 22.0 ms, `pz 41 -` a pass-through sent
 * zstd-compressed. Whole tenths of a millisecond keep it a few bytes in HPACK.
 */
export function formatReport(report: LinkReport): string {
  const tenths = (ms: number | null) => (ms === null ? '-' : String(Math.round(ms * 10)));
  return `${outcomeLetters[report.base]}${report.coding ? 'z' : ''} ${tenths(report.originMs)} ${tenths(report.encodeMs)}`;
}

export function parseReport(value: unknown): LinkReport | null {
  if (typeof value !== 'string') return null;
  const match = /^([hmnp])(z?) (\d+|-) (\d+|-)$/.exec(value);
  if (!match) return null;
  const ms = (tenths: string) => (tenths === '-' ? null : Number(tenths) / 10);
  return { base: letterOutcomes.get(match[1]!)!, originMs: ms(match[3]!), encodeMs: ms(match[4]!), coding: match[2] ? 'zstd' : null };
}
