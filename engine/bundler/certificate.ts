// One X.509 certificate, cheap to create and parsed lazily. Creating one walks only the outer DER
// (a few dozen length reads), so indexing thousands of pool certificates costs milliseconds; every
// other field is decoded the first time it is read and then kept. Signatures are checked with
// node:crypto (OpenSSL) and the result is cached per issuer.
import { X509Certificate, createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { DerError, TAG, children, content, expectTag, hex, readBoolean, readOid, readSmallInt, readTime, readTlv, readWhole, whole, type Tlv } from './der.ts';
import {
  decodeAuthorityKeyId,
  decodeAuthorityKeyIdFields,
  decodeBasicConstraints,
  decodeCrlDistributionPoints,
  decodeExtKeyUsage,
  decodeGeneralNames,
  decodeInfoAccess,
  decodeKeyIdentifier,
  decodeKeyUsage,
  decodeNameConstraints,
  formatName,
  nameAttributes,
  type AuthorityKeyIdFields,
  type InfoAccess,
  type KeyUsage,
  type NameConstraints,
} from './certificate/extensions.ts';
import { CURVES, EXT, HASH_OIDS, KEY_ALGORITHMS, RSA_PSS, SIGNATURE_ALGORITHMS, type HashName } from './oids.ts';

export type { KeyUsage, NameConstraints, NameSubtree, GeneralName } from './certificate/extensions.ts';
export type { HashName } from './oids.ts';
export { EKU, EXT } from './oids.ts';

/** cfssl's code for a certificate that cannot be parsed (errors.CertificateError + ParseFailed). */
export const E_PARSE_FAILED = 1003;

export class CertificateParseError extends Error {
  override readonly name = 'CertificateParseError';
  readonly code = E_PARSE_FAILED;
}

export interface PublicKeyInfo {
  type: 'rsa' | 'ec' | 'dsa' | 'ed25519' | 'ed448' | 'unknown';
  /** Modulus size for RSA/DSA, field size for EC and EdDSA; 0 when unknown. */
  bits: number;
  /** NIST name (`P-256`), `explicit` for explicit parameters, or null when not EC. */
  curve: string | null;
  /** The key algorithm OID. */
  oid: string;
}

export interface SubjectAltNames {
  dns: string[];
  ip: string[];
  email: string[];
  uri: string[];
  /** Raw iPAddress bytes (4 or 16), in the order of `ip`. */
  ipBytes: Uint8Array[];
  /** directoryName entries (Name DER) and the number of other name forms. */
  dn: Uint8Array[];
  other: number;
}

export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

interface Layout {
  tbs: Tlv;
  version: number;
  serial: Tlv;
  tbsSignature: Tlv;
  issuer: Tlv;
  notBefore: Tlv;
  notAfter: Tlv;
  subject: Tlv;
  spki: Tlv;
  extensions: Tlv | null;
  signatureAlgorithm: Tlv;
  signatureValue: Tlv;
}

function layoutOf(der: Buffer): Layout {
  const outer = expectTag(readWhole(der), TAG.sequence, 'the certificate');
  const [tbs, signatureAlgorithm, signatureValue, extra] = children(der, outer);
  if (extra) throw new DerError('extra element after the signature');
  expectTag(tbs, TAG.sequence, 'tbsCertificate');
  expectTag(signatureAlgorithm, TAG.sequence, 'signatureAlgorithm');
  expectTag(signatureValue, TAG.bitString, 'signatureValue');
  const fields = children(der, tbs!);
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    version = readSmallInt(der, readTlv(der, fields[0].contentStart, fields[0].contentEnd)) + 1;
    i = 1;
  }
  const serial = expectTag(fields[i], TAG.integer, 'serialNumber');
  const tbsSignature = expectTag(fields[i + 1], TAG.sequence, 'signature');
  const issuer = expectTag(fields[i + 2], TAG.sequence, 'issuer');
  const validity = expectTag(fields[i + 3], TAG.sequence, 'validity');
  const subject = expectTag(fields[i + 4], TAG.sequence, 'subject');
  const spki = expectTag(fields[i + 5], TAG.sequence, 'subjectPublicKeyInfo');
  const [notBefore, notAfter] = children(der, validity);
  if (!notBefore || !notAfter) throw new DerError('validity: incomplete');
  let extensions: Tlv | null = null;
  for (const field of fields.slice(i + 6)) {
    if (field.tag === 0xa3) extensions = expectTag(readTlv(der, field.contentStart, field.contentEnd), TAG.sequence, 'extensions');
    else if (field.tag !== 0x81 && field.tag !== 0x82) throw new DerError('unexpected field in tbsCertificate');
  }
  return {
    tbs: tbs!,
    version,
    serial,
    tbsSignature,
    issuer,
    notBefore,
    notAfter,
    subject,
    spki,
    extensions,
    signatureAlgorithm: signatureAlgorithm!,
    signatureValue: signatureValue!,
  };
}

/** Parses DER; throws CertificateParseError (code 1003) when the outer structure is not a certificate. */
export function parseCertificate(der: Buffer | Uint8Array): Certificate {
  return new Certificate(Buffer.isBuffer(der) ? der : Buffer.from(der));
}

export class Certificate {
  readonly der: Buffer;
  readonly #layout: Layout;
  readonly #cache = new Map<string, unknown>();
  readonly #verified = new Map<string, boolean>();
  #problems: string[] = [];

  constructor(der: Buffer) {
    this.der = der;
    try {
      this.#layout = layoutOf(der);
    } catch (error) {
      throw new CertificateParseError(`not an X.509 certificate: ${(error as Error).message}`);
    }
  }

  /** The fields decoded so far, in order: the work done, for tests that check a reader stays lazy. */
  get decodedFields(): string[] {
    return [...this.#cache.keys()];
  }

  #once<T>(key: string, compute: () => T): T {
    if (this.#cache.has(key)) return this.#cache.get(key) as T;
    const value = compute();
    this.#cache.set(key, value);
    return value;
  }

  /** Decodes an extension or returns `fallback`, noting a malformed one in `problems`. */
  #ext<T>(oid: string, decode: (value: Uint8Array) => T, fallback: T): T {
    return this.#once(`ext:${oid}:${decode.name}`, () => {
      const ext = this.extension(oid);
      if (!ext) return fallback;
      try {
        return decode(ext.value);
      } catch (error) {
        this.#problems.push(`malformed extension ${oid}: ${(error as Error).message}`);
        return fallback;
      }
    });
  }

  /** Lowercase hex SHA-256 of the DER: the identity the trust data uses. */
  get fingerprint(): string {
    return this.#once('fp', () => createHash('sha256').update(this.der).digest('hex'));
  }

  get version(): number {
    return this.#layout.version;
  }

  get serialNumber(): string {
    return hex(content(this.der, this.#layout.serial));
  }

  /** The subject Name DER as hex: equal keys are the same name, byte for byte. */
  get subjectKey(): string {
    return this.#once('sk', () => hex(whole(this.der, this.#layout.subject)));
  }

  get issuerKey(): string {
    return this.#once('ik', () => hex(whole(this.der, this.#layout.issuer)));
  }

  get subjectDer(): Uint8Array {
    return whole(this.der, this.#layout.subject);
  }

  get issuerDer(): Uint8Array {
    return whole(this.der, this.#layout.issuer);
  }

  get subject(): string {
    return this.#once('subject', () => formatName(this.subjectDer));
  }

  get issuer(): string {
    return this.#once('issuer', () => formatName(this.issuerDer));
  }

  /** The last CN of the subject, or null. */
  get commonName(): string | null {
    return this.#once('cn', () => {
      try {
        return (
          nameAttributes(this.subjectDer)
            .filter((a) => a.type === 'CN')
            .pop()?.value ?? null
        );
      } catch {
        return null;
      }
    });
  }

  get notBefore(): Date {
    return this.#once('nb', () => this.#time(this.#layout.notBefore, 'notBefore'));
  }

  get notAfter(): Date {
    return this.#once('na', () => this.#time(this.#layout.notAfter, 'notAfter'));
  }

  #time(tlv: Tlv, what: string): Date {
    try {
      return readTime(this.der, tlv);
    } catch (error) {
      this.#problems.push(`${what}: ${(error as Error).message}`);
      return new Date(Number.NaN);
    }
  }

  /** SubjectPublicKeyInfo DER. */
  get spki(): Uint8Array {
    return whole(this.der, this.#layout.spki);
  }

  /** SHA-256 of the SubjectPublicKeyInfo: "the same key", whatever certificate carries it. */
  get spkiFingerprint(): string {
    return this.#once('spkifp', () => createHash('sha256').update(this.spki).digest('hex'));
  }

  /** Every extension in order; a duplicate is kept and reported in `problems`. */
  get extensions(): Extension[] {
    return this.#once('exts', () => {
      const list = this.#layout.extensions;
      if (!list) return [];
      const out: Extension[] = [];
      const seen = new Set<string>();
      try {
        for (const item of children(this.der, list)) {
          const parts = children(this.der, expectTag(item, TAG.sequence, 'Extension'));
          const oid = readOid(this.der, parts[0]!);
          let critical = false;
          let valueTlv = parts[1];
          if (valueTlv?.tag === TAG.boolean) {
            critical = readBoolean(this.der, valueTlv);
            valueTlv = parts[2];
          }
          const value = content(this.der, expectTag(valueTlv, TAG.octetString, `extension ${oid} value`));
          // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
          if (seen.has(oid)) this.#problems.push(`duplicate extension ${oid}`);
          seen.add(oid);
          out.push({ oid, critical, value });
        }
      } catch (error) {
        this.#problems.push(`malformed extensions: ${(error as Error).message}`);
      }
      return out;
    });
  }

  extension(oid: string): Extension | undefined {
    return this.extensions.find((e) => e.oid === oid);
  }

  get criticalExtensions(): string[] {
    return this.extensions.filter((e) => e.critical).map((e) => e.oid);
  }

  get subjectKeyId(): string | null {
    // The index reads this for every pool certificate: find it by its OID bytes, no full extension walk.
    return this.#once(`ext:${EXT.subjectKeyId}:quick`, () => {
      const value = this.#quickExtension(SKI_OID);
      if (!value) return null;
      try {
        return decodeKeyIdentifier(value);
      } catch (error) {
        this.#problems.push(`malformed extension ${EXT.subjectKeyId}: ${(error as Error).message}`);
        return null;
      }
    });
  }

  #quickExtension(oid: Uint8Array): Uint8Array | null {
    const list = this.#layout.extensions;
    if (!list) return null;
    const der = this.der;
    try {
      for (let pos = list.contentStart; pos < list.contentEnd;) {
        const item = readTlv(der, pos, list.contentEnd);
        pos = item.end;
        const id = readTlv(der, item.contentStart, item.contentEnd);
        if (id.contentEnd - id.contentStart !== oid.length) continue;
        let same = true;
        for (let i = 0; i < oid.length && same; i++) same = der[id.contentStart + i] === oid[i];
        if (!same) continue;
        let next = readTlv(der, id.end, item.contentEnd);
        if (next.tag === TAG.boolean) next = readTlv(der, next.end, item.contentEnd);
        return content(der, next);
      }
    } catch {
      return null; // the full walk in `extensions` reports it
    }
    return null;
  }

  get authorityKeyId(): string | null {
    return this.#ext(EXT.authorityKeyId, decodeAuthorityKeyId, null);
  }

  get authorityKeyIdFields(): AuthorityKeyIdFields | null {
    return this.#ext(EXT.authorityKeyId, decodeAuthorityKeyIdFields, null);
  }

  /** The subject is an empty Name (SEQUENCE of no RDNs). */
  get subjectEmpty(): boolean {
    return this.#layout.subject.contentEnd === this.#layout.subject.contentStart;
  }

  get hasBasicConstraints(): boolean {
    return this.extension(EXT.basicConstraints) !== undefined;
  }

  get isCA(): boolean {
    return this.#ext(EXT.basicConstraints, decodeBasicConstraints, { isCA: false, pathLen: null }).isCA;
  }

  /** The pathLenConstraint, or null when absent (unlimited). */
  get pathLen(): number | null {
    return this.#ext(EXT.basicConstraints, decodeBasicConstraints, { isCA: false, pathLen: null }).pathLen;
  }

  /** Key usage bits set, or null when the extension is absent (every usage allowed). */
  get keyUsage(): KeyUsage[] | null {
    return this.#ext(EXT.keyUsage, decodeKeyUsage, null);
  }

  /** Extended key usage OIDs, or null when absent (any usage). */
  get extKeyUsage(): string[] | null {
    return this.#ext(EXT.extKeyUsage, decodeExtKeyUsage, null);
  }

  get nameConstraints(): NameConstraints | null {
    return this.#ext(EXT.nameConstraints, decodeNameConstraints, null);
  }

  get subjectAltNames(): SubjectAltNames {
    return this.#once('san', () => {
      const out: SubjectAltNames = { dns: [], ip: [], email: [], uri: [], ipBytes: [], dn: [], other: 0 };
      for (const name of this.#ext(EXT.subjectAltName, (v) => decodeGeneralNames(v, 'subjectAltName'), [])) {
        if (name.type === 'dns') out.dns.push(name.value);
        else if (name.type === 'email') out.email.push(name.value);
        else if (name.type === 'uri') out.uri.push(name.value);
        else if (name.type === 'ip') {
          out.ip.push(name.value);
          out.ipBytes.push(name.bytes);
        } else if (name.type === 'dn') out.dn.push(name.bytes);
        else out.other++;
      }
      return out;
    });
  }

  get infoAccess(): InfoAccess {
    return this.#ext(EXT.authorityInfoAccess, decodeInfoAccess, { ocsp: [], caIssuers: [] });
  }

  get ocspUrls(): string[] {
    return this.infoAccess.ocsp;
  }

  get caIssuersUrls(): string[] {
    return this.infoAccess.caIssuers;
  }

  get crlUrls(): string[] {
    return this.#ext(EXT.crlDistributionPoints, decodeCrlDistributionPoints, []);
  }

  get signatureAlgorithmOid(): string {
    return this.#once('sigoid', () => readOid(this.der, children(this.der, this.#layout.signatureAlgorithm)[0]!));
  }

  get signatureAlgorithm(): string {
    return SIGNATURE_ALGORITHMS[this.signatureAlgorithmOid]?.name ?? this.signatureAlgorithmOid;
  }

  /** The hash the signature uses; for RSASSA-PSS the one named in its parameters (default SHA-1). */
  get signatureHash(): HashName {
    return this.#once('sighash', () => {
      const oid = this.signatureAlgorithmOid;
      if (oid !== RSA_PSS) return SIGNATURE_ALGORITHMS[oid]?.hash ?? 'unknown';
      try {
        const params = children(this.der, this.#layout.signatureAlgorithm)[1];
        const hashField = params?.constructed ? children(this.der, params).find((p) => p.tag === 0xa0) : undefined;
        if (!hashField) return 'sha1';
        const alg = readTlv(this.der, hashField.contentStart, hashField.contentEnd);
        return HASH_OIDS[readOid(this.der, children(this.der, alg)[0]!)] ?? 'unknown';
      } catch {
        return 'unknown';
      }
    });
  }

  get publicKey(): PublicKeyInfo {
    return this.#once('pk', () => {
      const der = this.der;
      try {
        const [alg, key] = children(der, this.#layout.spki);
        const [algOid, params] = children(der, alg!);
        const oid = readOid(der, algOid!);
        const keyBits = content(der, expectTag(key, TAG.bitString, 'subjectPublicKey')).subarray(1);
        if (oid === KEY_ALGORITHMS.rsa || oid === KEY_ALGORITHMS.rsaPss) {
          const rsa = readTlv(keyBits, 0);
          const modulus = content(keyBits, children(keyBits, rsa)[0]!);
          return { type: 'rsa', bits: bitLength(modulus), curve: null, oid };
        }
        if (oid === KEY_ALGORITHMS.ec) {
          if (params?.tag !== TAG.oid) return { type: 'ec', bits: 0, curve: 'explicit', oid };
          const curve = CURVES[readOid(der, params)];
          return { type: 'ec', bits: curve?.bits ?? 0, curve: curve?.name ?? readOid(der, params), oid };
        }
        if (oid === KEY_ALGORITHMS.dsa) {
          const p = params?.constructed ? children(der, params)[0] : undefined;
          return { type: 'dsa', bits: p ? bitLength(content(der, p)) : 0, curve: null, oid };
        }
        if (oid === KEY_ALGORITHMS.ed25519) return { type: 'ed25519', bits: 256, curve: null, oid };
        if (oid === KEY_ALGORITHMS.ed448) return { type: 'ed448', bits: 456, curve: null, oid };
        return { type: 'unknown', bits: 0, curve: null, oid };
      } catch (error) {
        this.#problems.push(`malformed public key: ${(error as Error).message}`);
        return { type: 'unknown', bits: 0, curve: null, oid: '' };
      }
    });
  }

  /** Subject and issuer are the same name (a root, or a key-rollover certificate). */
  get selfIssued(): boolean {
    return this.subjectKey === this.issuerKey;
  }

  /** Self-issued and its signature verifies with its own key. */
  get selfSigned(): boolean {
    return this.selfIssued && this.verifySignedBy(this);
  }

  get pem(): string {
    return this.#once('pem', () => {
      const lines = this.der.toString('base64').match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    });
  }

  /** node:crypto's view, created on first use (it costs ~90 µs, so never up front). */
  get x509(): X509Certificate | null {
    return this.#once('x509', () => {
      try {
        return new X509Certificate(this.der);
      } catch (error) {
        this.#problems.push(`OpenSSL cannot read it: ${(error as Error).message}`);
        return null;
      }
    });
  }

  get publicKeyObject(): KeyObject | null {
    return this.#once('keyobj', () => {
      try {
        return createPublicKey({ key: Buffer.from(this.spki), format: 'der', type: 'spki' });
      } catch {
        return null;
      }
    });
  }

  /**
   * True when `issuer`'s key verifies this certificate's signature. OpenSSL also refuses a
   * certificate whose outer and inner signature algorithms differ (RFC 5280 §4.1.1.2).
   */
  verifySignedBy(issuer: Certificate): boolean {
    const cached = this.#verified.get(issuer.spkiFingerprint);
    if (cached !== undefined) return cached;
    let ok = false;
    const key = issuer.publicKeyObject;
    const x509 = this.x509;
    if (key && x509) {
      try {
        ok = x509.verify(key);
      } catch {
        ok = false;
      }
    }
    this.#verified.set(issuer.spkiFingerprint, ok);
    return ok;
  }

  /** The inner (tbsCertificate) and outer signature algorithms are byte-identical. */
  get signatureAlgorithmsMatch(): boolean {
    const a = whole(this.der, this.#layout.tbsSignature);
    const b = whole(this.der, this.#layout.signatureAlgorithm);
    return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
  }

  /**
   * Everything found malformed so far, after decoding every lazy field once. An empty list means
   * each extension, name and time decoded cleanly.
   */
  get problems(): string[] {
    return this.#once('problems', () => {
      void this.notBefore;
      void this.notAfter;
      void this.subjectKeyId;
      void this.authorityKeyId;
      void this.isCA;
      void this.keyUsage;
      void this.extKeyUsage;
      void this.nameConstraints;
      void this.subjectAltNames;
      void this.infoAccess;
      void this.crlUrls;
      void this.publicKey;
      for (const [what, der] of [
        ['subject', this.subjectDer],
        ['issuer', this.issuerDer],
      ] as const) {
        try {
          nameAttributes(der);
        } catch (error) {
          this.#problems.push(`${what}: ${(error as Error).message}`);
        }
      }
      if (!this.signatureAlgorithmsMatch) this.#problems.push('signature algorithm differs between tbsCertificate and the certificate');
      return this.#problems;
    });
  }

  toString(): string {
    return `${this.subject} (${this.fingerprint.slice(0, 16)})`;
  }
}

const SKI_OID = Uint8Array.of(0x55, 0x1d, 0x0e);

function bitLength(integer: Uint8Array): number {
  let i = 0;
  while (i < integer.length && integer[i] === 0) i++;
  if (i === integer.length) return 0;
  return (integer.length - i - 1) * 8 + (32 - Math.clz32(integer[i]!));
}
