// The little DER this reader needs: writing a PKCS#1 RSAPrivateKey (so Node can import a key we
// rebuilt from RO's D, P, Q) and walking a SEC1 ECPrivateKey (what Go's MarshalECPrivateKey wrote).
import { bigintToBytes, concat, wipe } from './bytes.ts';

export const derTag = { integer: 0x02, bitString: 0x03, octetString: 0x04, oid: 0x06, sequence: 0x30 } as const;

function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes = bigintToBytes(BigInt(length));
  return concat(Uint8Array.of(0x80 | bytes.length), bytes);
}

export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(tag), lengthBytes(content.length), content);
}

/** A non-negative INTEGER: minimal big-endian, with a 0x00 in front when the top bit is set. */
export function derInteger(value: bigint): Uint8Array {
  const bytes = bigintToBytes(value);
  const content = (bytes[0] ?? 0) & 0x80 ? concat(Uint8Array.of(0), bytes) : bytes;
  const out = derTlv(derTag.integer, content);
  wipe(bytes, content);
  return out;
}

/** A SEQUENCE of already-encoded elements; the elements are wiped (they may hold key material). */
export function derSequence(elements: Uint8Array[]): Uint8Array {
  const content = concat(...elements);
  const out = derTlv(derTag.sequence, content);
  wipe(content, ...elements);
  return out;
}

export interface DerElement {
  tag: number;
  content: Uint8Array;
}

/** Splits DER bytes into their top-level elements (definite lengths only); null when malformed. */
export function derElements(bytes: Uint8Array): DerElement[] | null {
  const elements: DerElement[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = bytes[offset++];
    let length = bytes[offset++];
    if (tag === undefined || length === undefined) return null;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 2 || offset + count > bytes.length) return null; // no indefinite or huge lengths
      length = 0;
      for (let i = 0; i < count; i++) length = (length << 8) | (bytes[offset++] ?? 0);
    }
    if (offset + length > bytes.length) return null;
    elements.push({ tag, content: bytes.subarray(offset, offset + length) });
    offset += length;
  }
  return elements;
}
