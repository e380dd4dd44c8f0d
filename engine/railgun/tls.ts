// TLS material of the link: a certificate generated for the listener when none is given (the
// sender then pins its public key), and the pin itself: `sha256/<base64>` of the
// SubjectPublicKeyInfo, as HPKP spelled it (RFC 7469 §2.4).
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { selfSignedCertificate, type TlsMaterial } from '../common/self-signed.ts';

export type { TlsMaterial };

export function spkiPin(certPem: string | Buffer): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** A random link token, 256 bits. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The listener's own certificate when none is configured (its senders pin the key). */
export function generateCertificate(names: string[]): Promise<TlsMaterial> {
  return selfSignedCertificate(names, 'signalbox railgun listener');
}
