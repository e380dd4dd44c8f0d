// Issue 16 item 1: a chain whose only path needs a SHA-1 signature below the root is refused by
// every flavor, as every current browser and Go's verifier (cfssl: 1220) refuse it, with the chain
// shown and why; allowSha1 builds it for legacy clients and the report says so. The root's own
// SHA-1 self-signature does not count (RFC 5280 §6.1.1 d).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundle } from '../../../engine/bundler/bundle.ts';
import { TrustStore } from '../../../engine/bundler/trust/store.ts';
import { makeCert, SERVER_AUTH } from './chain/certs.ts';
import { ourTrustDir } from './trust-dir.ts';

describe('bundle: SHA-1 signatures below the root', () => {
  const root = makeCert({ subject: 'SHA1 Policy Root', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], hash: 'sha1' });
  const sha1Intermediate = makeCert({ subject: 'SHA1 Intermediate', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], issuer: root, hash: 'sha1' });
  const leaf = makeCert({ subject: 'sha1.example', ca: false, dns: ['sha1.example'], eku: [SERVER_AUTH], issuer: sha1Intermediate });
  const store = TrustStore.load(ourTrustDir([{ name: 'SHA1 Platform', weight: 1, roots: [root.cert] }]));
  const files = [{ name: 'chain.pem', base64: Buffer.from(leaf.cert.pem + sha1Intermediate.cert.pem).toString('base64') }];
  const at = '2025-06-01T00:00:00Z';

  for (const flavor of ['ubiquitous', 'optimal', 'force'] as const) {
    it(`${flavor}: refuses the chain whose intermediate is signed with SHA-1 (1220), naming it and showing the chain`, () => {
      const result = bundle({ files, at, flavor }, store);
      assert.equal(result.bundlePem, '');
      assert.deepEqual(result.chains, []);
      const verdict = result.problems.find((p) => p.source === 'chain')!;
      assert.equal(verdict.code, 1220);
      assert.match(verdict.message, /^CN=SHA1 Intermediate: signed with ecdsa-with-SHA1: browsers and Go's verifier refuse SHA-1 signatures below the root/);
      assert.match(verdict.message, /closest chain: sha1\.example → SHA1 Intermediate → SHA1 Policy Root\)$/);
      assert.equal(result.report.allow_sha1, undefined);
    });

    it(`${flavor}: with allowSha1 builds it for legacy clients, marked in the report and warned`, () => {
      const result = bundle({ files, at, flavor, allowSha1: true }, store);
      assert.equal(result.bundlePem, leaf.cert.pem + sha1Intermediate.cert.pem);
      assert.equal(result.report.allow_sha1, true);
      assert.deepEqual(
        result.chains[0]!.warnings.filter((w) => w.code === 'W_SHA1').map((w) => w.message),
        ['#2 (CN=SHA1 Intermediate) is signed with SHA-1, which current browsers reject below the root'],
      );
    });
  }

  it('a SHA-1 self-signed root under a SHA-256 intermediate bundles without allowSha1', () => {
    const intermediate = makeCert({ subject: 'SHA256 Intermediate', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], issuer: root });
    const modern = makeCert({ subject: 'sha256.example', ca: false, dns: ['sha256.example'], eku: [SERVER_AUTH], issuer: intermediate });
    const result = bundle({ files: [{ name: 'chain.pem', base64: Buffer.from(modern.cert.pem + intermediate.cert.pem).toString('base64') }], at }, store);
    assert.equal(result.bundlePem, modern.cert.pem + intermediate.cert.pem);
  });
});
