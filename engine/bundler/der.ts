// The bundler's one ASN.1 reader: bounds-checked, strict DER unless BER is asked for. Certificates are
// read as DER (`certificate.ts`); uploads are read as BER (`input/`), because PKCS#7 and PKCS#12 files
// from Windows and Java tools use indefinite lengths. Every read stays inside its parent, so a
// truncated or lying length throws DerError instead of reading outside the element. Nothing is
// copied: `content` and `whole` are views of the original bytes, so a certificate found inside a
// container keeps the exact bytes the issuer signed.

export type DerErrorKind = 'truncated' | 'malformed';

/** Why bytes could not be read: `truncated` = they end before a declared length, `malformed` = anything else. */
export class DerError extends Error {
  override readonly name = 'DerError';
  readonly kind: DerErrorKind;

  constructor(message: string, kind: DerErrorKind = 'malformed') {
    super(message);
    this.kind = kind;
  }
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
  /** [0] constructed, context-specific (EXPLICIT [0], or IMPLICIT SET/SEQUENCE) */
  context0: 0xa0,
  context1: 0xa1,
  /** [0] primitive, context-specific (IMPLICIT OCTET STRING) */
  context0Primitive: 0x80,
} as const;

export interface ReadOptions {
  /** Accept BER indefinite lengths (uploads). Without it a 0x80 length is an error, as DER requires. */
  readonly ber?: boolean;
}

/** Uploads are read with these: BER, as Windows and Java tools write PKCS#7 and PKCS#12. */
export const BER: ReadOptions = { ber: true };

/** One element: offsets into the buffer it was read from. */
export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number below 31). */
  readonly tag: number;
  readonly constructed: boolean;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the content (before the end-of-contents octets of an indefinite length). */
  readonly contentEnd: number;
  /** Offset just past the whole element. */
  readonly end: number;
  /** Read under BER rules; `children` reads its children under the same rules. */
  readonly ber: boolean;
}

// Nesting deeper than this is not a certificate, key or container anyone writes; it bounds the work.
const maxDepth = 32;

/** Reads the element that starts at `offset` and must end at or before `limit`. Throws DerError. */
export function readTlv(buf: Uint8Array, offset = 0, limit = buf.length, options: ReadOptions = {}): Tlv {
  return read(buf, offset, limit, options.ber === true, 0);
}

function read(buf: Uint8Array, offset: number, limit: number, ber: boolean, depth: number): Tlv {
  if (depth > maxDepth) throw new DerError(`ASN.1 nested deeper than ${maxDepth} levels`);
  if (offset >= limit) throw new DerError('the data ends where an element should start', 'truncated');
  const tag = buf[offset]!;
  // Certificates, keys and their containers use only low tag numbers; the high-tag form means garbage.
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag number at offset ${offset}`);
  const constructed = (tag & 0x20) !== 0;
  let pos = offset + 1;
  if (pos >= limit) throw new DerError('the data ends inside an element header', 'truncated');
  const first = buf[pos++]!;
  if (first === 0x80) {
    if (!ber) throw new DerError(`indefinite length (BER, not DER) at offset ${offset}`);
    // BER indefinite length (PKCS#12 and PKCS#7 from some tools): children until end-of-contents.
    if (!constructed) throw new DerError('indefinite length on a primitive element');
    const contentStart = pos;
    for (;;) {
      if (pos + 1 < limit && buf[pos] === 0 && buf[pos + 1] === 0) {
        return { tag, constructed, start: offset, contentStart, contentEnd: pos, end: pos + 2, ber };
      }
      if (pos >= limit) throw new DerError('the data ends before an indefinite-length element is closed', 'truncated');
      pos = read(buf, pos, limit, ber, depth + 1).end;
    }
  }
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw new DerError(`an element at offset ${offset} declares a length over 4 GiB`);
    if (pos + count > limit) throw new DerError('the data ends inside an element header', 'truncated');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++]!;
  }
  const contentEnd = pos + length;
  if (contentEnd > limit) {
    throw new DerError(`an element at offset ${offset} declares ${length} bytes but only ${limit - pos} follow`, 'truncated');
  }
  return { tag, constructed, start: offset, contentStart: pos, contentEnd, end: contentEnd, ber };
}

/** Reads exactly one element that fills `buf` (trailing bytes are an error). */
export function readWhole(buf: Uint8Array, options: ReadOptions = {}): Tlv {
  const tlv = readTlv(buf, 0, buf.length, options);
  if (tlv.end !== buf.length) throw new DerError(`${buf.length - tlv.end} bytes follow the end of the data`);
  return tlv;
}

/** The elements inside a constructed element, read under the rules it was read with. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  if (!parent.constructed) throw new DerError('expected a constructed element');
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.contentEnd;) {
    const child = read(buf, pos, parent.contentEnd, parent.ber, 0);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new DerError(`${what} is missing`);
  if (tlv.tag !== tag) throw new DerError(`${what} has tag 0x${tlv.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return tlv;
}

/** The content octets: a view of `buf`, not a copy. */
export function content(buf: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + tlv.contentStart, tlv.contentEnd - tlv.contentStart);
}

/** The whole element, header included: a view of the exact original bytes. */
export function whole(buf: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + tlv.start, tlv.end - tlv.start);
}

/** An OCTET STRING's bytes, joining the segments of a BER constructed one. */
export function octets(buf: Uint8Array, tlv: Tlv, depth = 0): Buffer {
  const primitiveTag = tlv.tag & ~0x20;
  if (!tlv.constructed) return content(buf, tlv);
  if (depth > maxDepth) throw new DerError('OCTET STRING segments nested too deep');
  return Buffer.concat(
    children(buf, tlv).map((part) => {
      if ((part.tag & ~0x20) !== TAG.octetString && (part.tag & ~0x20) !== primitiveTag) {
        throw new DerError('a constructed OCTET STRING holds something else');
      }
      return octets(buf, part, depth + 1);
    }),
  );
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function readOid(buf: Uint8Array, tlv: Tlv | undefined): string {
  const bytes = content(buf, expectTag(tlv, TAG.oid, 'an OBJECT IDENTIFIER'));
  if (bytes.length === 0) throw new DerError('an empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('an OBJECT IDENTIFIER arc is too large');
    if ((byte & 0x80) === 0) {
      // X.690 §8.19.4: the first subidentifier holds the first two arcs.
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    } else if (i === bytes.length - 1) {
      throw new DerError('a truncated OBJECT IDENTIFIER');
    }
  }
  return parts.join('.');
}

/** A non-negative INTEGER that fits a JS number (versions, path lengths, iteration counts, key lengths). */
export function readSmallInt(buf: Uint8Array, tlv: Tlv | undefined): number {
  const bytes = content(buf, expectTag(tlv, TAG.integer, 'an INTEGER'));
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0]! & 0x80) !== 0) {
    throw new DerError('expected a small non-negative INTEGER');
  }
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

export function readBoolean(buf: Uint8Array, tlv: Tlv): boolean {
  const bytes = content(buf, expectTag(tlv, TAG.boolean, 'a BOOLEAN'));
  if (bytes.length !== 1) throw new DerError('BOOLEAN must be one octet');
  return bytes[0] !== 0;
}

/** UTCTime (two-digit year: 50-99 is 19xx, RFC 5280 §4.1.2.5.1) or GeneralizedTime, both in Z. */
export function readTime(buf: Uint8Array, tlv: Tlv): Date {
  const text = content(buf, tlv).toString('latin1');
  let match: RegExpExecArray | null;
  let year: number;
  if (tlv.tag === TAG.utcTime) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) throw new DerError(`bad UTCTime "${text}"`);
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (tlv.tag === TAG.generalizedTime) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) throw new DerError(`bad GeneralizedTime "${text}"`);
    year = Number(match[1]);
  } else {
    throw new DerError(`expected a time, got tag 0x${tlv.tag.toString(16)}`);
  }
  const [month, day, hour, minute, second] = match.slice(2).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new DerError(`time out of range "${text}"`);
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (year < 100) date.setUTCFullYear(year);
  return date;
}

/** The text of a DirectoryString or IA5String, decoded by its tag. */
export function readString(buf: Uint8Array, tlv: Tlv): string {
  const bytes = content(buf, tlv);
  switch (tlv.tag) {
    case TAG.utf8String:
      return bytes.toString('utf8');
    case TAG.bmpString: {
      // A copy: swap16 works in place and must not touch the certificate's bytes.
      const swapped = Buffer.from(bytes);
      if (swapped.length % 2 === 0) swapped.swap16();
      return swapped.toString('utf16le');
    }
    case TAG.universalString: {
      let out = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(bytes.readUInt32BE(i));
      return out;
    }
    default:
      // PrintableString, IA5String, NumericString, VisibleString; T61String is read as Latin-1, as most tools do.
      return bytes.toString('latin1');
  }
}
