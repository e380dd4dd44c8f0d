// A small certificate factory for tests: DER written by hand and signed with node:crypto (ECDSA
// P-256 by default, or RSA; SHA-256, or SHA-1 on request), so a test can make exactly the oddity it
// needs (expired, not a CA, a pathLen, an EKU, name constraints, a cycle of cross-signs) in
// microseconds, without openssl. The DER writers (tlv, seq, oid, ...) serve other hand-made structures too.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { parseCertificate, type Certificate } from '../../../../engine/bundler/certificate.ts';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.of(0x80 | bytes.length, ...bytes);
}
export const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.of(tag), len(body.length), body]);
};
export const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
export const set = (...parts: Buffer[]) => tlv(0x31, ...parts);
export const octet = (b: Buffer) => tlv(0x04, b);
export const bool = (v: boolean) => tlv(0x01, Buffer.of(v ? 0xff : 0));
export const int = (n: number | Buffer) => {
  let b =
    typeof n === 'number'
      ? Buffer.from(
          n
            .toString(16)
            .padStart(2, '0')
            .replace(/^(.(..)*)$/, '0$1'),
          'hex',
        )
      : n;
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.of(0), b]);
  return tlv(0x02, b);
};
export function oid(text: string): Buffer {
  const [a, b, ...rest] = text.split('.').map(Number) as [number, number, ...number[]];
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    let v = Math.floor(n / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'latin1')) : tlv(0x18, Buffer.from(iso, 'latin1'));
}
export const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octet(value));

export interface Key {
  privateKey: KeyObject;
  spki: Buffer;
}

/** ECDSA P-256 by default; `newKey('rsa', 2048)` for RSA. */
export function newKey(type: 'ec' | 'rsa' = 'ec', bits = 2048): Key {
  const { privateKey, publicKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: bits }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

export interface CertSpec {
  subject: string;
  /** The subject Name as DER, when `name(subject)` (one UTF8String CN) is not the name wanted. */
  subjectName?: Buffer;
  key?: Key;
  /** The issuer's name and key; omitted = self-signed. */
  issuer?: { subject: string; subjectName?: Buffer; key: Key };
  notBefore?: Date;
  notAfter?: Date;
  /** basicConstraints: undefined = absent. */
  ca?: boolean;
  pathLen?: number;
  keyUsage?: ('digitalSignature' | 'keyCertSign' | 'cRLSign')[];
  eku?: string[];
  dns?: string[];
  permittedDns?: string[];
  excludedDns?: string[];
  criticalUnknown?: boolean;
  serial?: number;
  /** The signature's hash (default SHA-256). */
  hash?: 'sha1' | 'sha256';
  /** authorityInfoAccess: OCSP responder and caIssuers URLs. */
  ocsp?: string;
  caIssuers?: string;
  /** More extensions, as written by `ext(oid, critical, value)`. */
  extraExtensions?: Buffer[];
  /** Changes the tbsCertificate before it is signed (fuzzing the fields behind a valid signature). */
  mutateTbs?: (tbs: Buffer) => Buffer;
}

export interface Made {
  cert: Certificate;
  key: Key;
  subject: string;
  subjectName?: Buffer;
}

export const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
/** A Name from [attribute OID, value, string tag] in encoding order (0x13 PrintableString, 0x0c UTF8String). */
export const dn = (...attributes: [string, string, number][]) =>
  seq(...attributes.map(([type, value, tag]) => set(seq(oid(type), tlv(tag, Buffer.from(value, 'utf8'))))));
const keyId = (spki: Buffer) => createHash('sha1').update(spki).digest();

let serialCounter = 1;

export function makeCert(spec: CertSpec): Made {
  const key = spec.key ?? newKey();
  const issuer = spec.issuer ?? { subject: spec.subject, key, ...(spec.subjectName ? { subjectName: spec.subjectName } : {}) };
  const exts: Buffer[] = [];
  if (spec.ca !== undefined) {
    exts.push(ext('2.5.29.19', true, seq(...(spec.ca ? [bool(true)] : []), ...(spec.pathLen !== undefined ? [int(spec.pathLen)] : []))));
  }
  if (spec.keyUsage) {
    const bits = { digitalSignature: 0x80, keyCertSign: 0x04, cRLSign: 0x02 };
    const byte = spec.keyUsage.reduce((a, k) => a | bits[k], 0);
    exts.push(ext('2.5.29.15', true, tlv(0x03, Buffer.of(0, byte))));
  }
  exts.push(ext('2.5.29.14', false, octet(keyId(key.spki))));
  exts.push(ext('2.5.29.35', false, seq(tlv(0x80, keyId(issuer.key.spki)))));
  if (spec.eku) exts.push(ext('2.5.29.37', false, seq(...spec.eku.map(oid))));
  if (spec.dns) exts.push(ext('2.5.29.17', false, seq(...spec.dns.map((d) => tlv(0x82, Buffer.from(d))))));
  if (spec.permittedDns || spec.excludedDns) {
    const subtrees = (list: string[]) => list.map((d) => seq(tlv(0x82, Buffer.from(d))));
    exts.push(
      ext(
        '2.5.29.30',
        true,
        seq(...(spec.permittedDns ? [tlv(0xa0, ...subtrees(spec.permittedDns))] : []), ...(spec.excludedDns ? [tlv(0xa1, ...subtrees(spec.excludedDns))] : [])),
      ),
    );
  }
  if (spec.criticalUnknown) exts.push(ext('1.3.6.1.4.1.55555.1', true, tlv(0x05)));
  if (spec.ocsp || spec.caIssuers) {
    const access = (method: string, url: string) => seq(oid(method), tlv(0x86, Buffer.from(url)));
    exts.push(
      ext(
        '1.3.6.1.5.5.7.1.1',
        false,
        seq(...(spec.ocsp ? [access('1.3.6.1.5.5.7.48.1', spec.ocsp)] : []), ...(spec.caIssuers ? [access('1.3.6.1.5.5.7.48.2', spec.caIssuers)] : [])),
      ),
    );
  }
  if (spec.extraExtensions) exts.push(...spec.extraExtensions);
  const hash = spec.hash ?? 'sha256';
  const alg =
    issuer.key.privateKey.asymmetricKeyType === 'rsa'
      ? seq(oid(hash === 'sha1' ? '1.2.840.113549.1.1.5' : '1.2.840.113549.1.1.11'), tlv(0x05))
      : seq(oid(hash === 'sha1' ? '1.2.840.10045.4.1' : '1.2.840.10045.4.3.2'));
  const tbs = seq(
    tlv(0xa0, int(2)),
    int(spec.serial ?? serialCounter++),
    alg,
    issuer.subjectName ?? name(issuer.subject),
    seq(time(spec.notBefore ?? new Date('2024-01-01T00:00:00Z')), time(spec.notAfter ?? new Date('2034-01-01T00:00:00Z'))),
    spec.subjectName ?? name(spec.subject),
    key.spki,
    tlv(0xa3, seq(...exts)),
  );
  const signed = spec.mutateTbs ? spec.mutateTbs(tbs) : tbs;
  const signature = sign(hash, signed, issuer.key.privateKey);
  const der = seq(signed, alg, tlv(0x03, Buffer.concat([Buffer.of(0), signature])));
  return { cert: parseCertificate(der), key, subject: spec.subject, ...(spec.subjectName ? { subjectName: spec.subjectName } : {}) };
}

export const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** root -> intermediate -> leaf, all valid 2024-2034, the leaf for www.example.com. */
export function simpleChain(overrides: { root?: Partial<CertSpec>; intermediate?: Partial<CertSpec>; leaf?: Partial<CertSpec> } = {}) {
  const root = makeCert({ subject: 'Test Root', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], ...overrides.root });
  const intermediate = makeCert({ subject: 'Test Intermediate', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], issuer: root, ...overrides.intermediate });
  const leaf = makeCert({
    subject: 'www.example.com',
    ca: false,
    dns: ['www.example.com', '*.example.org'],
    keyUsage: ['digitalSignature'],
    eku: [SERVER_AUTH],
    issuer: intermediate,
    ...overrides.leaf,
  });
  return { root, intermediate, leaf };
}
