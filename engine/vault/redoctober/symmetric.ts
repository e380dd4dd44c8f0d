// The symmetric pieces of Red October: AES-128-CBC without padding, single-block AES "ECB" key
// wraps, and RO's own padding (spec §3.5). Node's AES (OpenSSL, AES-NI) rather than a table-based
// JS AES, so key-dependent memory lookups do not leak through the cache.
import { createDecipheriv } from 'node:crypto';
import { owned, wipe } from './bytes.ts';

/** AES-128-CBC decryption of whole blocks, no padding removed. Null when the sizes are wrong. */
export function decryptCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | null {
  if (key.length !== 16 || iv.length !== 16 || data.length === 0 || data.length % 16 !== 0) return null;
  const decipher = createDecipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  const head = decipher.update(data);
  const tail = decipher.final();
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  wipe(head, tail);
  return out;
}

/** One raw AES-128 block decryption: how RO unwraps pair keys and predicate shares (spec §3.2.3). */
export function decryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (key.length !== 16 || block.length !== 16) throw new RangeError('AES block unwrap takes a 16-byte key and a 16-byte block');
  const decipher = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  const out = owned(decipher.update(block));
  wipe(decipher.final());
  return out;
}

/**
 * Removes RO's padding: 1..16 bytes, zeros then the count. RO only reads the last byte; we check
 * every padding byte, so a wrong key or altered data fails here instead of yielding garbage.
 * Returns a new buffer (the caller wipes `padded`) or null when the padding is not well-formed.
 */
export function unpad(padded: Uint8Array): Uint8Array | null {
  const count = padded.at(-1) ?? 0;
  if (count < 1 || count > 16 || count > padded.length) return null;
  let stray = 0;
  for (let i = padded.length - count; i < padded.length - 1; i++) stray |= padded[i] ?? 0;
  if (stray !== 0) return null;
  return padded.slice(0, padded.length - count);
}
