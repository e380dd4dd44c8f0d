// A minimal DER reader: enough to find the fields of an X.509 certificate without a full parse.
// Every read is bounds-checked against its parent, so truncated or lying lengths throw DerError
// instead of reading outside the element.

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One DER element: `tag` (the identifier octet), the header start, the content and the end. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
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
} as const;

/** Reads the element at `pos`, which must end at or before `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError(`truncated element at offset ${pos}`);
  const tag = buf[pos]!;
  // X.509 uses only low tag numbers; a high-tag-number form here means garbage.
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag number at offset ${pos}`);
  let lengthByte = buf[pos + 1]!;
  let cursor = pos + 2;
  let length: number;
  if (lengthByte < 0x80) {
    length = lengthByte;
  } else {
    lengthByte &= 0x7f;
    // 0x80 is BER's indefinite length, not DER; more than 4 length octets is never a certificate.
    if (lengthByte === 0 || lengthByte > 4) throw new DerError(`bad length at offset ${pos}`);
    if (cursor + lengthByte > limit) throw new DerError(`truncated length at offset ${pos}`);
    length = 0;
    for (let i = 0; i < lengthByte; i++) length = length * 256 + buf[cursor + i]!;
    cursor += lengthByte;
  }
  const end = cursor + length;
  if (end > limit) throw new DerError(`element at offset ${pos} runs past its parent`);
  return { tag, start: pos, contentStart: cursor, end };
}

/** The elements directly inside a constructed element. */
export function childrenOf(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    const child = readTlv(buf, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new DerError(`${what} is missing`);
  if (tlv.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  return tlv;
}

export function content(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.contentStart, tlv.end);
}

export function whole(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.start, tlv.end);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    } else if (i === bytes.length - 1) {
      throw new DerError('truncated OID');
    }
  }
  return parts.join('.');
}

export function readOid(buf: Uint8Array, tlv: Tlv): string {
  return decodeOid(content(buf, expectTag(tlv, TAG.oid, 'OID')));
}

/** A non-negative INTEGER that fits a JS number (path lengths, versions). */
export function readSmallInt(buf: Uint8Array, tlv: Tlv): number {
  const bytes = content(buf, expectTag(tlv, TAG.integer, 'INTEGER'));
  if (bytes.length === 0 || bytes.length > 6) throw new DerError('INTEGER out of range');
  if (bytes[0]! & 0x80) throw new DerError('negative INTEGER');
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

export function readBoolean(buf: Uint8Array, tlv: Tlv): boolean {
  const bytes = content(buf, expectTag(tlv, TAG.boolean, 'BOOLEAN'));
  if (bytes.length !== 1) throw new DerError('BOOLEAN must be one octet');
  return bytes[0] !== 0;
}

/** UTCTime (two-digit year: 50-99 is 19xx, RFC 5280 §4.1.2.5.1) or GeneralizedTime, both in Z. */
export function readTime(buf: Uint8Array, tlv: Tlv): Date {
  const text = Buffer.from(content(buf, tlv)).toString('latin1');
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
  const bytes = Buffer.from(content(buf, tlv));
  switch (tlv.tag) {
    case TAG.utf8String:
      return bytes.toString('utf8');
    case TAG.bmpString: {
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
