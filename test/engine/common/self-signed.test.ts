// The self-signed certificate the Railgun listener and `serve --tls-self-signed` use, read back by
// node:crypto (and so by OpenSSL's parser): names, validity, usage and key.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { selfSignedCertificate } from '../../../engine/common/self-signed.ts';

describe('self-signed certificate', () => {
  it('names its IP addresses and DNS names as SANs, lasts a year, serves TLS only, with the key it comes with', async () => {
    const { cert, key } = await selfSignedCertificate(['localhost', '127.0.0.1', '::1', 'console.example'], 'signalbox console');
    const x509 = new X509Certificate(cert);
    assert.equal(x509.subject, 'CN=signalbox console');
    assert.equal(x509.issuer, x509.subject);
    assert.ok(x509.verify(x509.publicKey), 'signed by its own key');
    assert.equal(x509.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:console.example');
    assert.ok(x509.checkIP('127.0.0.1') && x509.checkHost('console.example'));
    assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth only');
    assert.equal(x509.ca, false);
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    assert.ok(days > 364 && days < 367, `valid ${days} days`);
    assert.ok(Date.parse(x509.validFrom) <= Date.now(), 'valid already');
    assert.deepEqual(createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'der' }), x509.publicKey.export({ type: 'spki', format: 'der' }));
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  });
});
