// Decoders for the X.509 v3 extensions the bundler checks (RFC 5280 §4.2). Each takes the
// extension's value (the bytes inside the extnValue OCTET STRING) and throws DerError when it is
// malformed; the caller decides whether that breaks a chain.
import {
  DerError,
  TAG,
  children,
  content,
  expectTag,
  hex,
  readBoolean,
  readOid,
  readSmallInt,
  readString,
  readTlv,
  readWhole,
  whole,
  type Tlv,
} from '../der.ts';
import { ACCESS, ATTRIBUTE_NAMES } from '../oids.ts';

function root(value: Uint8Array, tag: number, what: string): Tlv {
  return expectTag(readWhole(value), tag, what);
}

export interface BasicConstraints {
  isCA: boolean;
  pathLen: number | null;
}

export function decodeBasicConstraints(value: Uint8Array): BasicConstraints {
  const seq = root(value, TAG.sequence, 'basicConstraints');
  let isCA = false;
  let pathLen: number | null = null;
  for (const item of children(value, seq)) {
    if (item.tag === TAG.boolean) isCA = readBoolean(value, item);
    else if (item.tag === TAG.integer) pathLen = readSmallInt(value, item);
    else throw new DerError('basicConstraints: unexpected element');
  }
  return { isCA, pathLen };
}

/** Key usage bit names in RFC 5280 §4.2.1.3 order (bit 0 first). */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'contentCommitment',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export function decodeKeyUsage(value: Uint8Array): KeyUsage[] {
  const bits = content(value, root(value, TAG.bitString, 'keyUsage'));
  if (bits.length === 0 || bits[0]! > 7) throw new DerError('keyUsage: bad BIT STRING');
  const out: KeyUsage[] = [];
  KEY_USAGE_BITS.forEach((name, index) => {
    const byte = bits[1 + (index >> 3)];
    if (byte !== undefined && byte & (0x80 >> (index & 7))) out.push(name);
  });
  return out;
}

export function decodeExtKeyUsage(value: Uint8Array): string[] {
  const seq = root(value, TAG.sequence, 'extKeyUsage');
  const oids = children(value, seq).map((item) => readOid(value, item));
  if (oids.length === 0) throw new DerError('extKeyUsage: empty');
  return oids;
}

export function decodeKeyIdentifier(value: Uint8Array): string {
  return hex(content(value, root(value, TAG.octetString, 'subjectKeyIdentifier')));
}

export interface AuthorityKeyIdFields {
  keyId: string | null;
  hasIssuer: boolean;
  hasSerial: boolean;
}

/** AuthorityKeyIdentifier: [0] keyIdentifier, [1] authorityCertIssuer, [2] authorityCertSerialNumber. */
export function decodeAuthorityKeyIdFields(value: Uint8Array): AuthorityKeyIdFields {
  const seq = root(value, TAG.sequence, 'authorityKeyIdentifier');
  const out: AuthorityKeyIdFields = { keyId: null, hasIssuer: false, hasSerial: false };
  for (const item of children(value, seq)) {
    if (item.tag === 0x80) out.keyId = hex(content(value, item));
    else if (item.tag === 0xa1) out.hasIssuer = true;
    else if (item.tag === 0x82) out.hasSerial = true;
    else throw new DerError('authorityKeyIdentifier: unexpected element');
  }
  return out;
}

/** AuthorityKeyIdentifier's keyIdentifier, or null when only issuer+serial are given. */
export function decodeAuthorityKeyId(value: Uint8Array): string | null {
  return decodeAuthorityKeyIdFields(value).keyId;
}

export type GeneralNameType = 'dns' | 'ip' | 'email' | 'uri' | 'dn' | 'other';

export interface GeneralName {
  type: GeneralNameType;
  /** Text for dns/email/uri, the printed address for ip, the printed name for dn, the tag for other. */
  value: string;
  /** The raw content: address bytes for ip, Name DER for dn. */
  bytes: Uint8Array;
}

function ia5(bytes: Uint8Array, what: string): string {
  for (const b of bytes) if (b > 0x7e) throw new DerError(`${what}: not IA5String`);
  return Buffer.from(bytes).toString('latin1');
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
    // Compress the longest run of zero groups (RFC 5952 §4.2).
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8;) {
      if (groups[i] !== '0') {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (best < 0) return groups.join(':');
    return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
  }
  return hex(bytes);
}

export function decodeGeneralName(buf: Uint8Array, item: Tlv): GeneralName {
  const bytes = content(buf, item);
  switch (item.tag) {
    case 0x81:
      return { type: 'email', value: ia5(bytes, 'rfc822Name'), bytes };
    case 0x82:
      return { type: 'dns', value: ia5(bytes, 'dNSName'), bytes };
    case 0x86:
      return { type: 'uri', value: ia5(bytes, 'uniformResourceIdentifier'), bytes };
    case 0x87:
      return { type: 'ip', value: formatIp(bytes), bytes };
    case 0xa4: {
      // directoryName is EXPLICIT: the content is one Name. Read through here, so that a malformed
      // one makes the extension malformed (a problem of its certificate), not a later name check throw.
      const der = whole(buf, readTlv(buf, item.contentStart, item.contentEnd));
      nameAttributes(der);
      return { type: 'dn', value: formatName(der), bytes: der };
    }
    default:
      return { type: 'other', value: `[${item.tag & 0x1f}]`, bytes };
  }
}

export function decodeGeneralNames(value: Uint8Array, what: string): GeneralName[] {
  const seq = root(value, TAG.sequence, what);
  return children(value, seq).map((item) => decodeGeneralName(value, item));
}

export interface NameSubtree {
  type: GeneralNameType;
  value: string;
  /** For ip: the address and the mask (4+4 or 16+16 bytes, RFC 5280 §4.2.1.10). */
  address?: Uint8Array;
  mask?: Uint8Array;
  /** For dn: the Name DER. */
  bytes: Uint8Array;
}

export interface NameConstraints {
  permitted: NameSubtree[];
  excluded: NameSubtree[];
}

function subtrees(buf: Uint8Array, list: Tlv): NameSubtree[] {
  const items = children(buf, list);
  // GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
  if (items.length === 0) throw new DerError('nameConstraints: an empty subtree list');
  return items.map((subtree) => {
    const parts = children(buf, expectTag(subtree, TAG.sequence, 'GeneralSubtree'));
    const base = parts[0];
    if (!base) throw new DerError('GeneralSubtree: no base');
    // RFC 5280 §4.2.1.10: minimum MUST be zero and maximum MUST be absent.
    for (const extra of parts.slice(1)) {
      if (extra.tag === 0x80 && content(buf, extra).some((b) => b !== 0)) throw new DerError('GeneralSubtree: minimum is not 0');
      if (extra.tag === 0x81) throw new DerError('GeneralSubtree: maximum is present');
    }
    const name = decodeGeneralName(buf, base);
    if (name.type === 'ip') {
      const n = name.bytes.length;
      if (n !== 8 && n !== 32) throw new DerError(`iPAddress constraint of ${n} bytes`);
      const address = name.bytes.subarray(0, n / 2);
      const mask = name.bytes.subarray(n / 2);
      let prefix = 0;
      let contiguous = true;
      for (const b of mask) {
        for (let bit = 7; bit >= 0; bit--) {
          if (b & (1 << bit)) {
            if (!contiguous) throw new DerError('iPAddress constraint: mask is not a prefix');
            prefix++;
          } else contiguous = false;
        }
      }
      return { type: 'ip', value: `${formatIp(address)}/${prefix}`, address, mask, bytes: name.bytes };
    }
    return { type: name.type, value: name.value, bytes: name.bytes };
  });
}

export function decodeNameConstraints(value: Uint8Array): NameConstraints {
  const seq = root(value, TAG.sequence, 'nameConstraints');
  const out: NameConstraints = { permitted: [], excluded: [] };
  const items = children(value, seq);
  // RFC 5280 §4.2.1.10: at least one of the two MUST be present.
  if (items.length === 0) throw new DerError('nameConstraints: empty');
  for (const item of items) {
    if (item.tag === 0xa0) out.permitted = subtrees(value, item);
    else if (item.tag === 0xa1) out.excluded = subtrees(value, item);
    else throw new DerError('nameConstraints: unexpected element');
  }
  return out;
}

export interface InfoAccess {
  ocsp: string[];
  caIssuers: string[];
}

export function decodeInfoAccess(value: Uint8Array): InfoAccess {
  const seq = root(value, TAG.sequence, 'authorityInfoAccess');
  const out: InfoAccess = { ocsp: [], caIssuers: [] };
  for (const item of children(value, seq)) {
    const [method, location] = children(value, expectTag(item, TAG.sequence, 'AccessDescription'));
    if (!method || !location) throw new DerError('AccessDescription: incomplete');
    const oid = readOid(value, method);
    const name = decodeGeneralName(value, location);
    if (name.type !== 'uri') continue;
    if (oid === ACCESS.ocsp) out.ocsp.push(name.value);
    else if (oid === ACCESS.caIssuers) out.caIssuers.push(name.value);
  }
  return out;
}

/** The fullName URIs of every CRL distribution point. */
export function decodeCrlDistributionPoints(value: Uint8Array): string[] {
  const seq = root(value, TAG.sequence, 'cRLDistributionPoints');
  const urls: string[] = [];
  for (const point of children(value, seq)) {
    for (const field of children(value, expectTag(point, TAG.sequence, 'DistributionPoint'))) {
      if (field.tag !== 0xa0) continue;
      for (const choice of children(value, field)) {
        if (choice.tag !== 0xa0) continue; // [1] nameRelativeToCRLIssuer has no URL
        for (const name of children(value, choice)) {
          const general = decodeGeneralName(value, name);
          if (general.type === 'uri') urls.push(general.value);
        }
      }
    }
  }
  return urls;
}

function escapeValue(text: string): string {
  // RFC 4514 §2.4: escape the specials, and a leading '#' or space and a trailing space.
  return text
    .replace(/[,+"\\<>;]/g, (c) => `\\${c}`)
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

export interface NameAttribute {
  type: string;
  oid: string;
  value: string;
}

/** The attributes of a Name in the order they are encoded (most general first). */
export function nameAttributes(der: Uint8Array): NameAttribute[] {
  const seq = expectTag(readTlv(der, 0), TAG.sequence, 'Name');
  const out: NameAttribute[] = [];
  for (const rdn of children(der, seq)) {
    for (const atv of children(der, expectTag(rdn, TAG.set, 'RelativeDistinguishedName'))) {
      const [type, value] = children(der, expectTag(atv, TAG.sequence, 'AttributeTypeAndValue'));
      if (!type || !value) throw new DerError('AttributeTypeAndValue: incomplete');
      const oid = readOid(der, type);
      out.push({ oid, type: ATTRIBUTE_NAMES[oid] ?? oid, value: readString(der, value) });
    }
  }
  return out;
}

/** A Name printed as RFC 4514 does: most specific first, `CN=..., O=..., C=...`. */
export function formatName(der: Uint8Array): string {
  try {
    return nameAttributes(der)
      .reverse()
      .map((a) => `${a.type}=${escapeValue(a.value)}`)
      .join(', ');
  } catch {
    return `#${hex(der)}`;
  }
}
