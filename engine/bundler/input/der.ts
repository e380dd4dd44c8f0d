// A small, bounds-checked BER/DER reader: enough to tell what an upload is and to walk PKCS#7 and
// PKCS#12. It never copies the certificates it finds: callers slice the exact original bytes, so a
// certificate's fingerprint and signature stay what the issuer wrote.

/** Why bytes could not be read: `truncated` = they end before a declared length, `malformed` = anything else. */
export class DerError extends Error {
  readonly kind: 'truncated' | 'malformed';

  constructor(kind: 'truncated' | 'malformed', message: string) {
    super(message);
    this.name = 'DerError';
    this.kind = kind;
  }
}

export const Tag = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  bmpString: 0x1e,
  /** [0] constructed, context-specific (EXPLICIT [0], or IMPLICIT SET/SEQUENCE) */
  context0: 0xa0,
  context1: 0xa1,
  /** [0] primitive, context-specific (IMPLICIT OCTET STRING) */
  context0Primitive: 0x80,
} as const;

export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number below 31). */
  tag: number;
  constructed: boolean;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the content (before the end-of-contents octets of an indefinite length). */
  contentEnd: number;
  /** Offset just past the whole element. */
  end: number;
}

// Nesting deeper than this is not a certificate, key or container anyone writes; it bounds the work.
const maxDepth = 32;

/** Reads the element that starts at `offset`. Throws DerError. */
export function readTlv(buf: Uint8Array, offset = 0, limit = buf.length, depth = 0): Tlv {
  if (depth > maxDepth) throw new DerError('malformed', `ASN.1 nested deeper than ${maxDepth} levels`);
  if (offset >= limit) throw new DerError('truncated', 'the data ends where an element should start');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('malformed', 'high tag numbers are not used by certificates or keys');
  const constructed = (tag & 0x20) !== 0;
  let pos = offset + 1;
  if (pos >= limit) throw new DerError('truncated', 'the data ends inside an element header');
  const first = buf[pos++]!;
  if (first === 0x80) {
    // BER indefinite length (PKCS#12 and PKCS#7 from some tools): children until end-of-contents.
    if (!constructed) throw new DerError('malformed', 'indefinite length on a primitive element');
    const contentStart = pos;
    for (;;) {
      if (pos + 1 < limit && buf[pos] === 0 && buf[pos + 1] === 0) {
        return { tag, constructed, start: offset, contentStart, contentEnd: pos, end: pos + 2 };
      }
      if (pos >= limit) throw new DerError('truncated', 'the data ends before an indefinite-length element is closed');
      pos = readTlv(buf, pos, limit, depth + 1).end;
    }
  }
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw new DerError('malformed', 'an element declares a length over 4 GiB');
    if (pos + count > limit) throw new DerError('truncated', 'the data ends inside an element header');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++]!;
  }
  const contentEnd = pos + length;
  if (contentEnd > limit) {
    throw new DerError('truncated', `an element declares ${length} bytes but only ${limit - pos} follow`);
  }
  return { tag, constructed, start: offset, contentStart: pos, contentEnd, end: contentEnd };
}

/** The elements inside a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  if (!parent.constructed) throw new DerError('malformed', 'expected a constructed element');
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.contentEnd; ) {
    const child = readTlv(buf, pos, parent.contentEnd);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Reads exactly one element that fills `buf` (trailing bytes are an error). */
export function readWhole(buf: Uint8Array): Tlv {
  const tlv = readTlv(buf, 0);
  if (tlv.end !== buf.length) throw new DerError('malformed', `${buf.length - tlv.end} bytes follow the end of the data`);
  return tlv;
}

export function expect(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new DerError('malformed', `${what} is missing`);
  if (tlv.tag !== tag) throw new DerError('malformed', `${what} has tag 0x${tlv.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return tlv;
}

export function content(buf: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + tlv.contentStart, tlv.contentEnd - tlv.contentStart);
}

/** The whole element, header included: the exact original bytes. */
export function whole(buf: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + tlv.start, tlv.end - tlv.start);
}

/** An OCTET STRING's bytes, joining the segments of a BER constructed one. */
export function octets(buf: Uint8Array, tlv: Tlv, depth = 0): Buffer {
  const primitiveTag = tlv.tag & ~0x20;
  if (!tlv.constructed) return content(buf, tlv);
  if (depth > maxDepth) throw new DerError('malformed', 'OCTET STRING segments nested too deep');
  return Buffer.concat(children(buf, tlv).map((part) => {
    if ((part.tag & ~0x20) !== Tag.octetString && (part.tag & ~0x20) !== primitiveTag) {
      throw new DerError('malformed', 'a constructed OCTET STRING holds something else');
    }
    return octets(buf, part, depth + 1);
  }));
}

export function oid(buf: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== Tag.oid || tlv.contentEnd === tlv.contentStart) throw new DerError('malformed', 'expected an OBJECT IDENTIFIER');
  const parts: number[] = [];
  let value = 0;
  for (let i = tlv.contentStart; i < tlv.contentEnd; i++) {
    const byte = buf[i]!;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('malformed', 'an OBJECT IDENTIFIER arc is too large');
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** A small non-negative INTEGER (versions, iteration counts, key lengths). */
export function smallInteger(buf: Uint8Array, tlv: Tlv): number {
  if (tlv.tag !== Tag.integer) throw new DerError('malformed', 'expected an INTEGER');
  const bytes = content(buf, tlv);
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0]! & 0x80) !== 0) {
    throw new DerError('malformed', 'expected a small non-negative INTEGER');
  }
  return bytes.reduce((n, b) => n * 256 + b, 0);
}
