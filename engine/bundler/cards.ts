// A certificate as the Bundler page and the report show it: a card of plain strings, no DER.
import type { CertificateCard } from '../api/bundler.ts';
import type { Certificate } from './certificate.ts';

/** Where a chain certificate came from when it was not uploaded. */
export const POOL_SOURCE = 'intermediate pool';
export const ROOT_STORE_SOURCE = 'root store';

export function certificateCard(cert: Certificate, source: string): CertificateCard {
  const sans = cert.subjectAltNames;
  return {
    fingerprint: cert.fingerprint,
    subject: cert.subject,
    issuer: cert.issuer,
    commonName: cert.commonName,
    serialNumber: cert.serialNumber,
    notBefore: isoOrEmpty(cert.notBefore),
    notAfter: isoOrEmpty(cert.notAfter),
    key: describeKey(cert),
    signatureAlgorithm: cert.signatureAlgorithm,
    isCA: cert.isCA,
    selfIssued: cert.selfIssued,
    sans: [...sans.dns, ...sans.ip, ...sans.email, ...sans.uri],
    source,
  };
}

/** `RSA 2048`, `EC P-256`, `Ed25519`, ... */
export function describeKey(cert: Certificate): string {
  const key = cert.publicKey;
  switch (key.type) {
    case 'rsa':
      return `RSA ${key.bits}`;
    case 'dsa':
      return `DSA ${key.bits}`;
    case 'ec':
      return `EC ${key.curve ?? key.bits}`;
    case 'ed25519':
      return 'Ed25519';
    case 'ed448':
      return 'Ed448';
    default:
      return `unknown key (${key.oid || 'unreadable'})`;
  }
}

/** ISO 8601 in UTC, without milliseconds when they are zero (certificate times are whole seconds). */
export function isoTime(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

function isoOrEmpty(date: Date): string {
  return Number.isNaN(date.getTime()) ? '' : isoTime(date);
}
