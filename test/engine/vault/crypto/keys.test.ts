import assert from 'node:assert/strict';
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { describe, it } from 'node:test';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  generateUserKey,
  keyId,
  publicKeyFromPrivate,
  sign,
  unwrapKeyWith,
  unwrapPrivateKey,
  verifySignature,
  wrapKeyFor,
  wrapPrivateKey,
  type UserKeyPair,
} from '../../../../engine/vault/crypto/keys.ts';

const ad = new TextEncoder().encode('vault-1 owner alice');
const otherAd = new TextEncoder().encode('vault-1 owner bob');
const key32 = () => new Uint8Array(32).map((_, i) => i + 1);

const ecc = await generateUserKey('ECC');
const ecc2 = await generateUserKey('ECC');
const rsa = await generateUserKey('RSA');

/** An RSA key as Red October made them (2048 bits), in our encodings. */
function rsaPair(bits: number): UserKeyPair {
  const pair = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
  return {
    type: 'RSA',
    publicKey: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })),
    privateKey: new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' })),
  };
}

describe('user key pairs', () => {
  it('makes P-256 keys as a 32-byte scalar and a 65-byte uncompressed point', () => {
    assert.equal(ecc.privateKey.length, 32);
    assert.equal(ecc.publicKey.length, 65);
    assert.equal(ecc.publicKey[0], 0x04);
    assert.deepEqual(p256.getPublicKey(ecc.privateKey, false), ecc.publicKey);
  });

  it('makes 3072-bit RSA keys with e = 65537 as PKCS#8 and SPKI DER', () => {
    const details = createPublicKey({ key: Buffer.from(rsa.publicKey), format: 'der', type: 'spki' }).asymmetricKeyDetails;
    assert.equal(details?.modulusLength, 3072);
    assert.equal(details?.publicExponent, 65537n);
    assert.equal(createPrivateKey({ key: Buffer.from(rsa.privateKey), format: 'der', type: 'pkcs8' }).asymmetricKeyType, 'rsa');
    assert.deepEqual(publicKeyFromPrivate(rsa), { type: 'RSA', publicKey: rsa.publicKey });
    assert.deepEqual(publicKeyFromPrivate(ecc), { type: 'ECC', publicKey: ecc.publicKey });
  });

  it('names keys by a stable 32-hex-digit fingerprint of type and public key', () => {
    assert.match(keyId('ECC', ecc.publicKey), /^[0-9a-f]{32}$/);
    assert.equal(keyId('ECC', ecc.publicKey), keyId('ECC', new Uint8Array(ecc.publicKey)));
    assert.notEqual(keyId('ECC', ecc.publicKey), keyId('ECC', ecc2.publicKey));
    assert.notEqual(keyId('ECC', ecc.publicKey), keyId('RSA', ecc.publicKey));
  });
});

describe('wrapping a key to an owner', () => {
  for (const [type, pair, other] of [
    ['ECC', ecc, ecc2],
    ['RSA', rsa, rsaPair(2048)],
  ] as const) {
    it(`round-trips through ${type} and refuses other associated data, another key or altered bytes`, () => {
      const wrapped = wrapKeyFor(pair, key32(), ad);
      assert.deepEqual(unwrapKeyWith(pair, wrapped, ad), key32());
      assert.notDeepEqual(wrapKeyFor(pair, key32(), ad), wrapped, 'randomized');
      assert.throws(() => unwrapKeyWith(pair, wrapped, otherAd), { code: 'E_VAULT_DECRYPT' });
      assert.throws(() => unwrapKeyWith(other, wrapped, ad), { code: /E_VAULT_(DECRYPT|KEY)/ });
      const altered = wrapped.slice();
      altered[altered.length - 1]! ^= 1;
      assert.throws(() => unwrapKeyWith(pair, altered, ad), { code: 'E_VAULT_DECRYPT' });
    });
  }

  it('follows the documented ECIES: HKDF-SHA256(x ‖ ephemeral ‖ recipient) → XChaCha20-Poly1305 key and nonce', () => {
    const wrapped = wrapKeyFor(ecc, key32(), ad);
    assert.equal(wrapped.length, 65 + 32 + 16);
    const ephemeral = wrapped.subarray(0, 65);
    const x = p256.getSharedSecret(ecc.privateKey, ephemeral, true).subarray(1);
    const okm = hkdf(
      sha256,
      new Uint8Array([...x, ...ephemeral, ...ecc.publicKey]),
      undefined,
      new TextEncoder().encode('signalbox.vault.v1 ecies p256 hkdf-sha256 xchacha20poly1305'),
      56,
    );
    assert.deepEqual(xchacha20poly1305(okm.subarray(0, 32), okm.subarray(32), ad).decrypt(wrapped.subarray(65)), key32());
  });

  it('refuses an ECIES wrap whose ephemeral point is not on the curve', () => {
    const wrapped = wrapKeyFor(ecc, key32(), ad);
    wrapped[64]! ^= 1; // last byte of Y
    assert.throws(() => unwrapKeyWith(ecc, wrapped, ad), { code: 'E_VAULT_DECRYPT', message: /ephemeral/ });
  });

  it('follows the documented RSA wrap: OAEP with SHA-256 and label SHA-256(associated data)', () => {
    const wrapped = wrapKeyFor(rsa, key32(), ad);
    assert.equal(wrapped.length, 384);
    const key = createPrivateKey({ key: Buffer.from(rsa.privateKey), format: 'der', type: 'pkcs8' });
    assert.deepEqual(
      new Uint8Array(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: sha256(ad) }, wrapped)),
      key32(),
    );
  });

  it('accepts 2048-bit RSA keys migrated from Red October and refuses smaller or malformed keys', () => {
    const migrated = rsaPair(2048);
    assert.deepEqual(unwrapKeyWith(migrated, wrapKeyFor(migrated, key32(), ad), ad), key32());
    const weak = rsaPair(1024);
    assert.throws(() => wrapKeyFor(weak, key32(), ad), { code: 'E_VAULT_KEY', message: /1024 bits/ });
    assert.throws(() => wrapKeyFor({ type: 'RSA', publicKey: new Uint8Array(10) }, key32(), ad), { code: 'E_VAULT_KEY' });
    assert.throws(() => wrapKeyFor({ type: 'ECC', publicKey: new Uint8Array(65).fill(4) }, key32(), ad), { code: 'E_VAULT_KEY' });
    assert.throws(() => wrapKeyFor({ type: 'DSA' as 'ECC', publicKey: ecc.publicKey }, key32(), ad), { code: 'E_VAULT_KEY' });
  });
});

describe('signatures', () => {
  const message = new TextEncoder().encode('header bytes');

  for (const [type, pair, other] of [
    ['ECC', ecc, ecc2],
    ['RSA', rsa, rsaPair(2048)],
  ] as const) {
    it(`verifies ${type} signatures only for the same message and key`, () => {
      const signature = sign(pair, message);
      assert.equal(verifySignature(pair, message, signature), true);
      assert.equal(verifySignature(pair, new TextEncoder().encode('header bytez'), signature), false);
      assert.equal(verifySignature(other, message, signature), false);
      const altered = signature.slice();
      altered[0]! ^= 1;
      assert.equal(verifySignature(pair, message, altered), false);
      assert.equal(verifySignature(pair, message, new Uint8Array(0)), false);
    });
  }

  it('makes ECDSA signatures with low S and refuses the high-S twin', () => {
    const signature = sign(ecc, message);
    assert.equal(signature.length, 64);
    const parsed = p256.Signature.fromBytes(signature, 'compact');
    assert.equal(parsed.hasHighS(), false);
    const twin = new p256.Signature(parsed.r, p256.Point.Fn.neg(parsed.s)).toBytes('compact');
    assert.equal(verifySignature(ecc, message, twin), false);
  });

  it('makes RSA-PSS signatures with SHA-256 that OpenSSL verifies', () => {
    const migrated = rsaPair(2048);
    const signature = sign(migrated, message);
    assert.equal(signature.length, 256);
    assert.equal(verifySignature(migrated, message, signature), true);
  });
});

describe('sealing a private key under the password key', () => {
  const kek = new Uint8Array(32).fill(9);

  it("round-trips and refuses another user's associated data or another key-encryption key", () => {
    const sealed = wrapPrivateKey(ecc.privateKey, kek, ad);
    assert.equal(sealed.length, 24 + 32 + 16);
    assert.deepEqual(unwrapPrivateKey(sealed, kek, ad), ecc.privateKey);
    assert.throws(() => unwrapPrivateKey(sealed, kek, otherAd), { code: 'E_VAULT_DECRYPT' });
    assert.throws(() => unwrapPrivateKey(sealed, new Uint8Array(32).fill(8), ad), { code: 'E_VAULT_DECRYPT' });
    assert.notDeepEqual(wrapPrivateKey(ecc.privateKey, kek, ad), sealed, 'fresh nonce');
  });
});
