// SEC1 ECPrivateKey (RFC 5915) as Go's x509.MarshalECPrivateKey writes it for RO's ECC users:
// SEQUENCE { INTEGER 1, OCTET STRING scalar, [0] { OID prime256v1 }, [1] { BIT STRING 04||X||Y } }.
// Only P-256 exists in RO, so another curve OID is refused.
import { equalBytes } from './bytes.ts';
import { derElements, derTag } from './der.ts';

// 1.2.840.10045.3.1.7 (prime256v1 / P-256)
const p256Oid = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);

export interface Sec1Key {
  /** The private scalar, left-padded to 32 bytes. */
  scalar: Uint8Array;
  /** The embedded public point (uncompressed, 65 bytes), when present. */
  publicKey: Uint8Array | null;
}

/** Null when the bytes are not a P-256 SEC1 private key. The scalar is a fresh copy; `der` is left as is. */
export function parseSec1P256(der: Uint8Array): Sec1Key | null {
  const outer = derElements(der);
  if (outer?.length !== 1 || outer[0]?.tag !== derTag.sequence) return null;
  const fields = derElements(outer[0].content);
  const [version, scalar, ...tagged] = fields ?? [];
  if (version?.tag !== derTag.integer || !equalBytes(version.content, Uint8Array.of(1))) return null;
  if (scalar?.tag !== derTag.octetString || scalar.content.length === 0 || scalar.content.length > 32) return null;
  let publicKey: Uint8Array | null = null;
  for (const field of tagged) {
    const inner = derElements(field.content);
    if (inner?.length !== 1 || inner[0] === undefined) return null;
    if (field.tag === 0xa0) {
      if (inner[0].tag !== derTag.oid || !equalBytes(inner[0].content, p256Oid)) return null;
    } else if (field.tag === 0xa1) {
      // A BIT STRING starts with its count of unused bits, 0 here.
      if (inner[0].tag !== derTag.bitString || inner[0].content.length !== 66 || inner[0].content[0] !== 0) return null;
      publicKey = inner[0].content.slice(1);
    } else {
      return null;
    }
  }
  const padded = new Uint8Array(32);
  padded.set(scalar.content, 32 - scalar.content.length);
  return { scalar: padded, publicKey };
}
