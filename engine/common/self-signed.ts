// A self-signed TLS certificate for a few names, for a server that has none of its own: the
// Railgun listener (its senders pin the key) and `signalbox serve --tls-self-signed` (the
// operator checks the printed fingerprint).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

export interface TlsMaterial {
  cert: string;
  key: string;
}

/**
 * Valid for a year, for `names` (IP addresses and DNS names alike), serverAuth only. node-forge
 * writes it (node:crypto cannot), from an RSA key node:crypto makes in a few tens of
 * milliseconds; forge loads only here.
 */
export async function selfSignedCertificate(names: string[], commonName: string): Promise<TlsMaterial> {
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
