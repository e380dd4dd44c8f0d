// Byte helpers for the Red October reader. Secrets live in Uint8Arrays we own (never JS strings,
// never slices of Node's shared Buffer pool) so that they can be wiped with fill(0) once used.
import { timingSafeEqual } from 'node:crypto';
import { ownBytes as owned, utf8 } from '../crypto/bytes.ts';

export { concat, ownBytes as owned, utf8, wipe } from '../crypto/bytes.ts';

// Go's encoding/json writes []byte with base64.StdEncoding: padded, standard alphabet.
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard padded base64 to bytes, or null when the text is not exactly that. */
export function fromBase64(text: string): Uint8Array | null {
  if (!base64Pattern.test(text)) return null;
  return owned(Buffer.from(text, 'base64'));
}

/** Constant-time comparison (spec §10.3); lengths are public, so a length mismatch returns early. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Go compares strings byte by byte over UTF-8; JS's < compares UTF-16 units, which can differ. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(utf8(a), utf8(b));
}

/** Big-endian unsigned bytes to a bigint (Go's big.Int.SetBytes). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** A non-negative bigint as big-endian bytes, left-padded to `length` (minimal when omitted). */
export function bigintToBytes(value: bigint, length?: number): Uint8Array {
  if (value < 0n) throw new RangeError('negative integers have no unsigned encoding');
  const hex = value.toString(16);
  const minimal = Math.ceil(hex.length / 2);
  const size = length ?? minimal;
  if (minimal > size) throw new RangeError(`the integer needs ${minimal} bytes, more than ${size}`);
  const out = new Uint8Array(size);
  for (let i = 0, v = value; i < minimal; i++, v >>= 8n) out[size - 1 - i] = Number(v & 0xffn);
  return out;
}
