// TLS material of the link: a certificate generated for the listener when none is given (the
// sender then pins its public key), and the pin itself: `sha256/<base64>` of the
// SubjectPublicKeyInfo, as HPKP spelled it (RFC 7469 §2.4).
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export interface TlsMaterial {
  cert: string;
  key: string;
}

export function spkiPin(certPem: string | Buffer): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** A random link token, 256 bits. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A self-signed certificate for the given names, valid for a year, its subject and issuer
 * CN=`commonName`. node-forge writes it (node:crypto cannot), from an RSA key node:crypto makes in a
 * few tens of milliseconds; forge loads only here.
 */
export async function generateCertificate(names: string[], commonName = 'signalbox railgun listener'): Promise<TlsMaterial> {
  const { default: forge } = await import('node-forge');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // Positive, 16 random bytes (RFC 5280 §4.1.2.2 allows up to 20).
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })) },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
