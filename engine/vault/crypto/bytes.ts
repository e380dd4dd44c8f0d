// Byte helpers shared by the vault's crypto. Secrets stay in Uint8Arrays we own (never JS strings,
// never Node's pooled Buffers) so that callers can wipe them with fill(0).
import { getRandomValues } from 'node:crypto';
import { VaultCryptoCode, VaultCryptoError } from './errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Fresh bytes from the CSPRNG, in a buffer of their own (not a slice of a shared pool). */
export function randomBytes(length: number): Uint8Array {
  return getRandomValues(new Uint8Array(length));
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid sequences throw instead of becoming U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Copies Node's Buffer (possibly a view into a shared pool) into a Uint8Array we own, wiping the original. */
export function ownBytes(buffer: Uint8Array): Uint8Array {
  const copy = new Uint8Array(buffer);
  buffer.fill(0);
  return copy;
}

export function wipe(...buffers: (Uint8Array | null | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url');
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;
const base64UrlPattern = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes padded standard base64 and refuses anything that does not re-encode to the same text:
 * Node's decoder silently skips junk, and a field must have exactly one spelling.
 */
export function fromBase64(text: string, what: string): Uint8Array {
  const bytes = base64Pattern.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : undefined;
  if (bytes === undefined || toBase64(bytes) !== text) throw new VaultCryptoError(VaultCryptoCode.format, `${what} is not canonical base64`);
  return bytes;
}

/** Unpadded base64url, as toBase64Url writes it; one spelling only. */
export function fromBase64Url(text: string, what: string): Uint8Array {
  const bytes = base64UrlPattern.test(text) ? new Uint8Array(Buffer.from(text, 'base64url')) : undefined;
  if (bytes === undefined || toBase64Url(bytes) !== text) throw new VaultCryptoError(VaultCryptoCode.format, `${what} is not canonical base64url`);
  return bytes;
}
