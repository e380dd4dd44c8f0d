// Every field of a signalbox.vault.v1 ciphertext is authenticated: changed by an outsider it fails
// the signature; changed and re-signed by an insider it still fails the AEADs, whose associated
// data binds owner keys, shares and data to the header.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { open, seal } from '../../../../engine/vault/crypto/aead.ts';
import {
  canonicalBytes,
  coreHash,
  coreOf,
  dataBinding,
  headerOf,
  ownerKeyBinding,
  shareBinding,
  signedMessage,
  type EnvelopeDocument,
} from '../../../../engine/vault/crypto/document.ts';
import { decryptPayload, inspectPayload, type Access } from '../../../../engine/vault/crypto/envelope.ts';
import { keyId, sign, unwrapKeyWith } from '../../../../engine/vault/crypto/keys.ts';
import { combine } from '../../../../engine/vault/crypto/shamir.ts';
import { edit, encryptFor, flip, lookups, makeUsers } from './vault-fixture.ts';

const users = await makeUsers();
const lookup = lookups(users);
const access: Access = { kind: 'owners', owners: ['alice', 'bob', 'carol'], minimum: 2 };
const use = ['alice', 'bob'];
const original = encryptFor(users, access, { labels: ['payroll', 'q3'], usages: ['decrypt'] });

/** Re-signs an edited document as `signer`, as someone holding that user's private key could. */
function resign(text: string, signer: string, change: (document: Record<string, any>) => void): string {
  return edit(text, (document) => {
    change(document);
    const key = users.get(signer)!;
    document.createdBy = signer;
    document.signerKeyId = keyId(key.type, key.publicKey);
    const header = canonicalBytes(headerOf(document as EnvelopeDocument));
    document.signature = Buffer.from(sign(key, signedMessage(header, Buffer.from(document.data, 'base64')))).toString('base64');
  });
}

describe('signalbox.vault.v1 tampering by someone without a signing key', () => {
  const other = users.get('carol')!;
  const cases: [string, (document: Record<string, any>) => void, string][] = [
    ['vault id (checked against the new id)', (d) => (d.vaultId = 'vault-test-2'), 'E_VAULT_SIGNATURE'],
    ['minimum', (d) => (d.access.minimum = 1), 'E_VAULT_SIGNATURE'],
    ['access kind', (d) => (d.access = { kind: 'left-right', left: ['alice'], right: ['bob', 'carol'] }), 'E_VAULT_FORMAT'],
    ['owner key id', (d) => (d.owners[1].keyId = keyId(other.type, other.publicKey)), 'E_VAULT_SIGNATURE'],
    ['owner key type', (d) => (d.owners[0].type = 'RSA'), 'E_VAULT_SIGNATURE'],
    ['wrapped owner key', (d) => (d.owners[1].wrappedKey = flip(d.owners[1].wrappedKey, 5)), 'E_VAULT_SIGNATURE'],
    ['a share', (d) => (d.shares[0].share = flip(d.shares[0].share, 30)), 'E_VAULT_SIGNATURE'],
    ['two shares swapped', (d) => ([d.shares[0].share, d.shares[1].share] = [d.shares[1].share, d.shares[0].share]), 'E_VAULT_SIGNATURE'],
    ['a label added', (d) => (d.labels = ['ops', 'payroll', 'q3']), 'E_VAULT_SIGNATURE'],
    ['a label removed', (d) => (d.labels = ['payroll']), 'E_VAULT_SIGNATURE'],
    ['usages', (d) => (d.usages = ['decrypt', 'ssh-sign-with']), 'E_VAULT_SIGNATURE'],
    ['createdBy', (d) => (d.createdBy = 'carol'), 'E_VAULT_SIGNATURE'],
    ['signer key id', (d) => (d.signerKeyId = keyId(other.type, other.publicKey)), 'E_VAULT_SIGNATURE'],
    ['createdAt', (d) => (d.createdAt = '2026-03-01T12:00:00.001Z'), 'E_VAULT_SIGNATURE'],
    ['nonce', (d) => (d.nonce = flip(d.nonce)), 'E_VAULT_SIGNATURE'],
    ['key commitment', (d) => (d.keyCommitment = flip(d.keyCommitment)), 'E_VAULT_SIGNATURE'],
    ['data', (d) => (d.data = flip(d.data)), 'E_VAULT_SIGNATURE'],
    ['signature', (d) => (d.signature = flip(d.signature, 10)), 'E_VAULT_SIGNATURE'],
    ['format', (d) => (d.format = 'signalbox.vault.v2'), 'E_VAULT_FORMAT'],
    ['an extra field', (d) => (d.note = 'hello'), 'E_VAULT_FORMAT'],
    ['a missing field', (d) => delete d.usages, 'E_VAULT_FORMAT'],
  ];

  it('decrypts the untouched ciphertext (the cases below differ from it in one field)', () => {
    assert.equal(new TextDecoder().decode(decryptPayload(original, { ...lookup, use })), 'the launch codes');
  });

  for (const [field, change, code] of cases) {
    it(`refuses a changed ${field} (${code})`, () => {
      const text = edit(original, change);
      const vaultId = field.startsWith('vault id') ? 'vault-test-2' : lookup.vaultId;
      assert.throws(() => inspectPayload(text, { ...lookup, vaultId }), { code });
      assert.throws(() => decryptPayload(text, { ...lookup, vaultId, use }), { code });
    });
  }
});

describe('signalbox.vault.v1 tampering by a vault user who signs the result', () => {
  it("cannot pass off alice's owner keys and shares as mallory's ciphertext", () => {
    const text = resign(original, 'mallory', () => {});
    assert.equal(inspectPayload(text, lookup).createdBy, 'mallory');
    assert.throws(() => decryptPayload(text, { ...lookup, use }), { code: 'E_VAULT_DECRYPT' });
  });

  it("cannot change labels even with the signer's own key: owner keys are bound to the header", () => {
    const text = resign(original, 'alice', (d) => (d.labels = ['payroll']));
    assert.deepEqual(inspectPayload(text, lookup).labels, ['payroll']);
    assert.throws(() => decryptPayload(text, { ...lookup, use }), { code: 'E_VAULT_DECRYPT' });
  });

  it("cannot move a share to another owner's slot", () => {
    const text = resign(original, 'alice', (d) => ([d.shares[0].share, d.shares[1].share] = [d.shares[1].share, d.shares[0].share]));
    assert.throws(() => decryptPayload(text, { ...lookup, use }), { code: 'E_VAULT_DECRYPT', message: /share/ });
  });

  it('cannot lift a wrapped owner key from another ciphertext', () => {
    const donor = JSON.parse(Buffer.from(encryptFor(users, access), 'base64url').toString('utf8'));
    const text = resign(original, 'alice', (d) => (d.owners[0].wrappedKey = donor.owners[0].wrappedKey));
    assert.throws(() => decryptPayload(text, { ...lookup, use }), { code: 'E_VAULT_DECRYPT', message: /alice/ });
  });

  it('cannot make two sets of owners recover different data keys: the key commitment refuses it', () => {
    // A dishonest encrypter (here alice, re-sealing her own share and re-encrypting the data for the
    // new header) hands out shares on which alice+bob interpolate another key than bob+carol. Here
    // the second key is random and Poly1305 would refuse it too, but XChaCha20-Poly1305 is not
    // key-committing: a crafted second key could open the data to other bytes. The commitment is
    // checked first, and this shows it is what refuses.
    const text = resign(original, 'alice', (d) => {
      const bound = coreHash(coreOf(headerOf(d as EnvelopeDocument)));
      const ownerKey = (name: string, index: number) =>
        unwrapKeyWith(users.get(name)!, Buffer.from(d.owners[index].wrappedKey, 'base64'), ownerKeyBinding(bound, name));
      const share = (name: string, index: number) =>
        open(ownerKey(name, index), Buffer.from(d.shares[index].share, 'base64'), shareBinding(bound, name, `x:${index + 1}`), 'share');
      const dataKey = combine([
        { x: 2, y: share('bob', 1) },
        { x: 3, y: share('carol', 2) },
      ]);
      const aeadKey = hkdf(sha256, dataKey, undefined, new TextEncoder().encode('signalbox.vault.v1 data encryption'), 32);
      const plaintext = xchacha20poly1305(aeadKey, Buffer.from(d.nonce, 'base64'), dataBinding(canonicalBytes(headerOf(d as EnvelopeDocument)))).decrypt(
        Buffer.from(d.data, 'base64'),
      );
      const altered = share('alice', 0);
      altered[0]! ^= 1;
      d.shares[0].share = Buffer.from(seal(ownerKey('alice', 0), altered, shareBinding(bound, 'alice', 'x:1'))).toString('base64');
      d.data = Buffer.from(
        xchacha20poly1305(aeadKey, Buffer.from(d.nonce, 'base64'), dataBinding(canonicalBytes(headerOf(d as EnvelopeDocument)))).encrypt(plaintext),
      ).toString('base64');
    });
    assert.equal(new TextDecoder().decode(decryptPayload(text, { ...lookup, use: ['bob', 'carol'] })), 'the launch codes');
    assert.throws(() => decryptPayload(text, { ...lookup, use: ['alice', 'bob'] }), { code: 'E_VAULT_DECRYPT', message: /do not recover/ });
  });
});
