// What travels on the link besides the page: header names both ends agree on, the token check,
// and the report the listener attaches to each response.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { BaseOutcome } from '../api/railgun.ts';

export const linkHeaders = {
  /** Request: the pre-shared token; every stream carries it (HPACK sends it once per connection). */
  token: 'signalbox-link-token',
  /** Request: RFC 9842 — the newest version the sender holds for this key. */
  availableDictionary: 'available-dictionary',
  /** Request: the sender decodes pass-through bodies sent with this coding (`zstd`). */
  passCoding: 'signalbox-pass-coding',
  /** Request: after a failed verification, the version the sender wants in full. */
  resend: 'signalbox-resend',
  /** Response: SHA-256 of the body as the origin sent it; the sender checks every decoded body. */
  digest: 'signalbox-digest',
  /** Response: bytes of the body as the origin sent it, so the sender reserves memory for it before decoding. */
  length: 'signalbox-length',
  /** Response: on the listener's own 502, why (`origin-refused; connect ECONNREFUSED ...`), for the sender's counters; never forwarded. */
  failure: 'signalbox-failure',
  /** Response: how it crossed the link, and the listener's timings. */
  report: 'signalbox-link',
} as const;

/** The path a sender asks right after connecting, to learn that its token is accepted. */
export const helloPath = '/.well-known/signalbox-railgun/hello';

/** Link codings the sender accepts; the listener appends the one it used to Content-Encoding. */
export const linkCodings = ['dcz', 'zstd'] as const;
export type LinkCoding = (typeof linkCodings)[number];

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

export function formatReport(report: LinkReport): string {
  const parts = [`base=${report.base}`];
  if (report.coding) parts.push(`coding=${report.coding}`);
  if (report.originMs !== null) parts.push(`origin-ms=${report.originMs.toFixed(1)}`);
  if (report.encodeMs !== null) parts.push(`encode-ms=${report.encodeMs.toFixed(1)}`);
  return parts.join('; ');
}

export function parseReport(value: unknown): LinkReport | null {
  if (typeof value !== 'string') return null;
  const fields = new Map(value.split(';').map((part) => part.trim().split('=') as [string, string]));
  const base = fields.get('base');
  if (base !== 'hit' && base !== 'miss' && base !== 'none' && base !== 'pass') return null;
  const number = (name: string) => (fields.has(name) && Number.isFinite(Number(fields.get(name))) ? Number(fields.get(name)) : null);
  return { base, originMs: number('origin-ms'), encodeMs: number('encode-ms'), coding: fields.get('coding') === 'zstd' ? 'zstd' : null };
}
