import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateParseError, parseCertificate } from '../../../engine/bundler/certificate.ts';
import { pemCertificates } from '../../../engine/bundler/input/pem.ts';
import { DEFAULT_TRUST_DIR } from '../../../engine/bundler/trust/store.ts';
import { makeCert, SERVER_AUTH } from './chain/certs.ts';

const pool = pemCertificates(readFileSync(join(DEFAULT_TRUST_DIR, 'intermediates/ccadb_unexpired_tls.pem'), 'latin1'));

test('agrees with node:crypto on fingerprint, dates, CA bit, EKU, SANs and key size for the whole CCADB pool', () => {
  for (const der of pool) {
    const ours = parseCertificate(der);
    const node = new X509Certificate(der);
    assert.equal(ours.fingerprint, node.fingerprint256.replace(/:/g, '').toLowerCase());
    assert.equal(ours.notBefore.getTime(), node.validFromDate.getTime());
    assert.equal(ours.notAfter.getTime(), node.validToDate.getTime());
    assert.equal(ours.isCA, node.ca);
    assert.deepEqual(ours.extKeyUsage?.slice().sort() ?? null, node.keyUsage?.slice().sort() ?? null);
    const bits = node.publicKey.asymmetricKeyDetails?.modulusLength;
    if (bits) assert.equal(ours.publicKey.bits, bits);
    assert.deepEqual(ours.problems, [], ours.subject);
  }
});

// Cheap means lazy: building a Certificate walks only the outer DER layout, and reading the two index
// fields decodes those two and nothing else (no hash, no name formatting, no full extension walk).
// Counted by the fields decoded, not by a stopwatch; the 30 s bound is a hang guard only.
test('creating 3,000 certificates and reading their index fields decodes only those fields', () => {
  const started = performance.now();
  for (const der of pool) {
    const c = parseCertificate(der);
    assert.deepEqual(c.decodedFields, [], 'nothing is decoded on creation');
    void c.subjectKey;
    void c.subjectKeyId;
    assert.deepEqual(c.decodedFields, ['sk', 'ext:2.5.29.14:quick'], c.subject);
  }
  assert.ok(performance.now() - started < 30_000, 'hang guard');
});

test('reads a generated certificate field by field', () => {
  const root = makeCert({ subject: 'Field Root', ca: true, pathLen: 1, keyUsage: ['keyCertSign', 'cRLSign'] });
  const leaf = makeCert({
    subject: 'leaf.example',
    ca: false,
    dns: ['leaf.example', '*.leaf.example'],
    eku: [SERVER_AUTH],
    keyUsage: ['digitalSignature'],
    issuer: root,
  });
  const c = leaf.cert;
  assert.equal(c.subject, 'CN=leaf.example');
  assert.equal(c.issuer, 'CN=Field Root');
  assert.equal(c.issuerKey, root.cert.subjectKey);
  assert.equal(c.authorityKeyId, root.cert.subjectKeyId);
  assert.deepEqual(c.subjectAltNames.dns, ['leaf.example', '*.leaf.example']);
  assert.deepEqual(c.extKeyUsage, [SERVER_AUTH]);
  assert.deepEqual(c.keyUsage, ['digitalSignature']);
  assert.equal(c.signatureAlgorithm, 'ecdsa-with-SHA256');
  assert.equal(c.signatureHash, 'sha256');
  assert.deepEqual(c.publicKey, { type: 'ec', bits: 256, curve: 'P-256', oid: '1.2.840.10045.2.1' });
  assert.equal(c.selfIssued, false);
  assert.equal(c.verifySignedBy(root.cert), true);
  assert.equal(c.verifySignedBy(c), false);
  assert.equal(root.cert.selfSigned, true);
  assert.equal(root.cert.pathLen, 1);
  assert.deepEqual(root.cert.criticalExtensions, ['2.5.29.19', '2.5.29.15']);
  assert.match(c.pem, /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  assert.equal(parseCertificate(Buffer.from(c.pem.split('\n').slice(1, -2).join(''), 'base64')).fingerprint, c.fingerprint);
});

test('reads AIA and CRL URLs of a real intermediate', () => {
  const withUrls = pool.map(parseCertificate).find((c) => c.ocspUrls.length > 0 && c.crlUrls.length > 0 && c.caIssuersUrls.length > 0);
  assert.ok(withUrls);
  assert.match(withUrls.ocspUrls[0]!, /^http/);
  assert.match(withUrls.crlUrls[0]!, /^http/);
});

test('garbage and truncated input throw CertificateParseError with cfssl code 1003', () => {
  for (const bad of [Buffer.from('hello world'), Buffer.alloc(0), pool[0]!.subarray(0, 200), Buffer.concat([pool[0]!, Buffer.of(0)])]) {
    assert.throws(
      () => parseCertificate(bad),
      (e: unknown) => e instanceof CertificateParseError && e.code === 1003,
    );
  }
});
