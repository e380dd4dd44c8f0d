// Issue 16: one validator, one policy. Chains that browsers refuse, which the validator used to refuse
// only in the x509-limbo harness's strict mode, are refused by `bundle` itself, with what to do:
// keys no browser verifies (DSA, P-192, explicit curve parameters), a CA certificate as the leaf
// (Firefox), a leaf that may sign certificates without being a CA (Chrome).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundle } from '../../../engine/bundler/bundle.ts';
import { parseCertificate } from '../../../engine/bundler/certificate.ts';
import { pemCertificates } from '../../../engine/bundler/input/pem.ts';
import { TrustStore } from '../../../engine/bundler/trust/store.ts';
import { loadTestcases } from '../../limbo/harness.ts';
import { makeCert, SERVER_AUTH } from './chain/certs.ts';
import { ourTrustDir } from './trust-dir.ts';

const files = (pem: string) => [{ name: 'chain.pem', base64: Buffer.from(pem).toString('base64') }];

describe('bundle: chains browsers refuse are not bundles', () => {
  const limbo = new Map(loadTestcases().map((tc) => [tc.id, tc]));
  const cases: [string, RegExp][] = [
    ['webpki::forbidden-dsa-root', /DSA key \(\d+ bits\), which no browser verifies/],
    ['webpki::forbidden-p192-root', /EC key on .*: browsers accept only the named curves P-256, P-384 and P-521/],
    ['webpki::explicit-curve', /EC key on explicit curve parameters: browsers accept only the named curves/],
  ];
  for (const [id, why] of cases) {
    it(`${id} (x509-limbo): no bundle, the key named`, () => {
      const tc = limbo.get(id)!;
      const roots = tc.trusted_certs.map((pem) => parseCertificate(pemCertificates(pem)[0]!));
      const store = TrustStore.load(ourTrustDir([{ name: 'Limbo', weight: 1, roots }]));
      const result = bundle({ files: files(tc.peer_certificate), at: tc.validation_time ?? undefined }, store);
      assert.equal(result.bundlePem, '');
      assert.ok(
        result.problems.some((p) => why.test(p.message)),
        JSON.stringify(result.problems, null, 1),
      );
    });
  }

  const root = makeCert({ subject: 'Policy Root', ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const store = TrustStore.load(ourTrustDir([{ name: 'Policy Platform', weight: 1, roots: [root.cert] }]));
  const at = '2025-06-01T00:00:00Z';

  for (const flavor of ['ubiquitous', 'optimal'] as const) {
    it(`${flavor}: a CA certificate as the leaf is refused (Firefox refuses it), saying what to upload`, () => {
      const caLeaf = makeCert({
        subject: 'ca-leaf.example',
        ca: true,
        dns: ['ca-leaf.example'],
        keyUsage: ['digitalSignature'],
        eku: [SERVER_AUTH],
        issuer: root,
      });
      const result = bundle({ files: files(caLeaf.cert.pem), at, flavor }, store);
      assert.equal(result.bundlePem, '');
      assert.match(
        result.problems[0]!.message,
        /the leaf is a CA certificate \(basicConstraints cA=TRUE\), which Firefox refuses as a server certificate: upload the server's own certificate/,
      );
      assert.equal(result.problems[0]!.code, 1200);
    });

    it(`${flavor}: a non-CA leaf whose key usage has keyCertSign is refused (Chrome refuses it)`, () => {
      const leaf = makeCert({
        subject: 'signer.example',
        ca: false,
        dns: ['signer.example'],
        keyUsage: ['digitalSignature', 'keyCertSign'],
        eku: [SERVER_AUTH],
        issuer: root,
      });
      const result = bundle({ files: files(leaf.cert.pem), at, flavor }, store);
      assert.equal(result.bundlePem, '');
      assert.match(result.problems[0]!.message, /key usage includes keyCertSign although it is not a CA, which Chrome refuses: the CA must reissue it/);
    });
  }

  it('the same leaf without keyCertSign bundles: the refusals above are about the leaf, not the chain', () => {
    const leaf = makeCert({ subject: 'server.example', ca: false, dns: ['server.example'], keyUsage: ['digitalSignature'], eku: [SERVER_AUTH], issuer: root });
    assert.equal(bundle({ files: files(leaf.cert.pem), at }, store).bundlePem, leaf.cert.pem);
  });
});
