// Issue 16 item 4: the leaf is the certificate the user meant: the one the uploaded key belongs to,
// else the first non-CA valid for the domain, else the first non-CA in upload order, else the
// caller's choice (`leaf: n`) overrides all; the result and the report say which and why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleUploads, BundleError } from '../../../engine/bundler/bundle.ts';
import type { Upload } from '../../../engine/bundler/input/index.ts';
import { TrustStore } from '../../../engine/bundler/trust/store.ts';
import { makeCert, newKey, SERVER_AUTH, type Made } from './chain/certs.ts';
import { ourTrustDir } from './trust-dir.ts';

describe('bundle: which uploaded certificate is the leaf', () => {
  const root = makeCert({ subject: 'Leaf Choice Root', ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const intermediate = makeCert({ subject: 'Leaf Choice Intermediate', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], issuer: root });
  const site = (host: string) => makeCert({ subject: host, ca: false, dns: [host], eku: [SERVER_AUTH], issuer: intermediate });
  const first = site('first.example');
  const second = site('second.example');
  const store = TrustStore.load(ourTrustDir([{ name: 'Leaf Platform', weight: 1, roots: [root.cert] }]));
  const at = new Date('2025-06-01T00:00:00Z');
  const pem = (name: string, made: Made): Upload => ({ name, bytes: made.cert.pem });
  const uploads = [pem('int.pem', intermediate), pem('first.pem', first), pem('second.pem', second)];

  it('takes the first certificate uploaded that is not a CA, and says so', () => {
    const result = bundleUploads(uploads, { at }, store);
    assert.equal(result.leaf.commonName, 'first.example');
    assert.deepEqual(result.leafChoice, { source: 'first.pem#1', reason: 'the first certificate uploaded that is not a CA' });
    assert.deepEqual(result.report.leaf_choice, result.leafChoice);
  });

  it('takes the one the uploaded private key belongs to', () => {
    const key = { name: 'second.key', bytes: second.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const result = bundleUploads([...uploads, key], { at }, store);
    assert.equal(result.leaf.commonName, 'second.example');
    assert.equal(result.leafChoice.reason, 'the uploaded private key belongs to it');
    assert.equal(result.key, 'matched');
  });

  it('takes the first non-CA certificate valid for the domain asked for', () => {
    const result = bundleUploads(uploads, { at, domain: 'second.example' }, store);
    assert.equal(result.leaf.commonName, 'second.example');
    assert.equal(result.leafChoice.reason, 'the first certificate uploaded that is not a CA and is valid for second.example');
    assert.ok(result.bundlePem.startsWith(second.cert.pem));
  });

  it('takes the leaf the caller chose by its number, and refuses a number past the uploads', () => {
    const result = bundleUploads(uploads, { at, leaf: 3 }, store);
    assert.equal(result.leaf.commonName, 'second.example');
    assert.deepEqual(result.leafChoice, { source: 'second.pem#1', reason: 'chosen: certificate 3 of the uploads' });
    assert.throws(
      () => bundleUploads(uploads, { at, leaf: 4 }, store),
      (err: unknown) => err instanceof BundleError && /^leaf 4: only 3 certificates were read from the uploads; choose a number from 1 to 3$/.test(err.message),
    );
  });

  it("does not take an intermediate whose issuer name is the leaf's subject (a look-alike cross-sign)", () => {
    // Another CA's certificate naming "CN=first.example" as its issuer made the leaf look like an
    // issuer, so the intermediate was taken as the leaf.
    const lookAlike = makeCert({ subject: 'Other Intermediate', ca: true, issuer: { subject: 'first.example', key: intermediate.key } });
    const result = bundleUploads([pem('first.pem', first), pem('other.pem', lookAlike), pem('int.pem', intermediate)], { at }, store);
    assert.equal(result.leaf.commonName, 'first.example');
    assert.ok(result.bundlePem.startsWith(first.cert.pem));
  });
});

// Issue 16 item 6: as Go and cfssl: a self-signed leaf is refused (1100) with a clear message; a
// leaf that shares its root's subject and key, signed by that root, chains to it.
describe("bundle: self-signed leaves and leaves sharing their root's name and key", () => {
  const rootKey = newKey();
  const root = makeCert({ subject: 'Shared Name Root', key: rootKey, ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const store = TrustStore.load(ourTrustDir([{ name: 'Shared Platform', weight: 1, roots: [root.cert] }]));
  const at = new Date('2025-06-01T00:00:00Z');

  it('refuses a self-signed leaf that no trust anchor issued (1100), saying what to upload instead', () => {
    const self = makeCert({ subject: 'self.example', ca: false, dns: ['self.example'] });
    const result = bundleUploads([{ name: 'self.pem', bytes: self.cert.pem }], { at }, store);
    assert.equal(result.problems[0]!.code, 1100);
    assert.match(
      result.problems[0]!.message,
      /^the certificate CN=self\.example is self-signed: .* a server must present a certificate issued by a CA \(upload that one, with its intermediates\)/,
    );
  });

  it("chains a leaf with its root's subject and key to that root, and bundles it", () => {
    const twin = makeCert({ subject: 'Shared Name Root', key: rootKey, ca: false, dns: ['shared.example'], eku: [SERVER_AUTH], issuer: root });
    const result = bundleUploads([{ name: 'twin.pem', bytes: twin.cert.pem }], { at, domain: 'shared.example' }, store);
    assert.deepEqual(result.problems, []);
    assert.equal(result.chains.length, 1);
    assert.deepEqual(
      result.chains[0]!.certs.map((c) => c.fingerprint),
      [twin.cert.fingerprint, root.cert.fingerprint],
    );
    assert.equal(result.bundlePem, twin.cert.pem);
  });
});
