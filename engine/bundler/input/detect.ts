// Tells what a DER object is from its shape alone, so that a .der, .cer, .p7b, .p12 or .key file,
// or a PEM block with an unusual label, goes to the right parser.
import { TAG, children, content, readOid, type Tlv } from '../der.ts';
import { PKCS } from '../oids.ts';

export type DerKind =
  'certificate' | 'pkcs7' | 'pkcs12' | 'pkcs8' | 'encrypted-pkcs8' | 'pkcs1' | 'sec1' | 'dsa-key' | 'csr' | 'crl' | 'public-key' | 'cms-other' | 'unknown';

const utcTime = 0x17;
const generalizedTime = 0x18;

/** `top` is an element read from `buf` (readTlv); structure errors inside it throw DerError. */
export function detectDer(buf: Uint8Array, top: Tlv): DerKind {
  if (top.tag !== TAG.sequence) return 'unknown';
  const parts = children(buf, top);
  const [a, b, c] = parts;
  if (!a) return 'unknown';

  // Signed objects: SEQUENCE { to-be-signed, AlgorithmIdentifier, BIT STRING }
  if (parts.length === 3 && a.tag === TAG.sequence && b?.tag === TAG.sequence && c?.tag === TAG.bitString) {
    return signedKind(children(buf, a));
  }
  // RFC 5652 ContentInfo: SEQUENCE { OID, [0] EXPLICIT content }
  if (a.tag === TAG.oid) {
    const type = readOid(buf, a);
    if (type === PKCS.signedData) return 'pkcs7';
    return 'cms-other';
  }
  if (parts.length === 2 && a.tag === TAG.sequence && b?.tag === TAG.octetString) return 'encrypted-pkcs8';
  if (parts.length === 2 && a.tag === TAG.sequence && b?.tag === TAG.bitString) return 'public-key';
  if (a.tag !== TAG.integer) return 'unknown';

  const version = smallValue(buf, a);
  // RFC 7292 PFX: SEQUENCE { version 3, authSafe ContentInfo, macData OPTIONAL }
  if (version === 3 && b?.tag === TAG.sequence) {
    const inner = children(buf, b)[0];
    if (inner?.tag === TAG.oid) return 'pkcs12';
  }
  // RFC 5958 OneAsymmetricKey (PKCS#8): version 0|1, AlgorithmIdentifier, OCTET STRING
  if ((version === 0 || version === 1) && b?.tag === TAG.sequence && c?.tag === TAG.octetString) return 'pkcs8';
  // RFC 5915 ECPrivateKey (SEC1): version 1, OCTET STRING, [0] parameters, [1] public key
  if (version === 1 && b?.tag === TAG.octetString) return 'sec1';
  if (parts.every((part) => part.tag === TAG.integer)) {
    // RFC 8017 RSAPrivateKey has 9 INTEGERs (more with multi-prime); OpenSSL's DSA key has 6.
    if (parts.length >= 9) return 'pkcs1';
    if (parts.length === 6) return 'dsa-key';
  }
  return 'unknown';
}

function signedKind(tbs: Tlv[]): DerKind {
  // A CRL's thisUpdate is a time directly inside TBSCertList; a certificate's times sit in a SEQUENCE.
  if (tbs.some((part) => part.tag === utcTime || part.tag === generalizedTime)) return 'crl';
  if (tbs[0]?.tag === TAG.context0) return 'certificate';
  // RFC 2986 CertificationRequestInfo: version, subject, SubjectPublicKeyInfo, [0] attributes
  if (tbs.length === 4 && tbs[0]?.tag === TAG.integer && tbs[3]?.tag === TAG.context0) return 'csr';
  // A version 1 certificate: serial, signature, issuer, validity, subject, SubjectPublicKeyInfo
  if (tbs.length === 6 && tbs[0]?.tag === TAG.integer) return 'certificate';
  return 'unknown';
}

function smallValue(buf: Uint8Array, tlv: Tlv): number {
  const bytes = content(buf, tlv);
  return bytes.length === 1 ? bytes[0]! : -1;
}

/** Words for a person, used in messages. */
export const kindNames: Record<DerKind, string> = {
  certificate: 'a certificate',
  pkcs7: 'a PKCS#7 bundle',
  pkcs12: 'a PKCS#12 file',
  pkcs8: 'a PKCS#8 private key',
  'encrypted-pkcs8': 'an encrypted PKCS#8 private key',
  pkcs1: 'an RSA private key (PKCS#1)',
  sec1: 'an EC private key (SEC1)',
  'dsa-key': 'a DSA private key',
  csr: 'a certificate signing request (CSR)',
  crl: 'a certificate revocation list (CRL)',
  'public-key': 'a public key',
  'cms-other': 'a PKCS#7/CMS message other than SignedData',
  unknown: 'an unknown ASN.1 structure',
};
