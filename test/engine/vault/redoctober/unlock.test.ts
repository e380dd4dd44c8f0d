import assert from 'node:assert/strict';
import { constants, createCipheriv, createPrivateKey, generateKeyPairSync, publicEncrypt, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { p256 } from '@noble/curves/nist.js';
import { RedOctoberError } from '../../../../engine/vault/redoctober/errors.ts';
import { redOctoberPublicKey, unlockRedOctoberUser, type RedOctoberKey } from '../../../../engine/vault/redoctober/unlock.ts';
import { unwrapOwnerKey } from '../../../../engine/vault/redoctober/unwrap.ts';
import { readRedOctoberVault, type RedOctoberVault } from '../../../../engine/vault/redoctober/vault-file.ts';
import { editedVaultText, loadVault, openLayers, unlockUsers, vectorCase, vectors } from './fixtures.ts';

function modulusOf(key: { export(options: { format: 'jwk' }): { n?: string } }): bigint {
  return BigInt(`0x${Buffer.from(key.export({ format: 'jwk' }).n ?? '', 'base64url').toString('hex')}`);
}

describe('unlocking Red October users', () => {
  let vault: RedOctoberVault;
  let keys: Map<string, RedOctoberKey>;

  before(async () => {
    vault = loadVault();
    keys = await unlockUsers(vault, ['alice', 'bob']);
  });

  it('rebuilds an RSA user private key whose modulus is the N in the file', () => {
    const key = keys.get('alice');
    const user = vault.users.get('alice');
    assert.equal(key?.type, 'RSA');
    assert.equal(user?.type, 'RSA');
    if (key?.type !== 'RSA' || user?.type !== 'RSA') return;
    assert.equal(key.privateKey.asymmetricKeyType, 'rsa');
    assert.equal(modulusOf(key.privateKey), user.n);
  });

  it('opens an ECC user scalar that matches the stored public point', () => {
    const key = keys.get('bob');
    const user = vault.users.get('bob');
    assert.equal(key?.type, 'ECC');
    if (key?.type !== 'ECC' || user?.type !== 'ECC') return;
    assert.equal(key.privateKey.length, 32);
    const point = p256.Point.fromBytes(p256.getPublicKey(key.privateKey, false));
    assert.equal(point.x, user.x);
    assert.equal(point.y, user.y);
  });

  it('returns null for a wrong password, RSA and ECC alike', async () => {
    assert.equal(await unlockRedOctoberUser(vault.users.get('alice')!, 'alice-pass '), null);
    assert.equal(await unlockRedOctoberUser(vault.users.get('bob')!, ''), null);
  });

  it('exposes the stored public keys for migration', () => {
    const rsa = redOctoberPublicKey(vault.users.get('alice')!);
    const ecc = redOctoberPublicKey(vault.users.get('bob')!);
    assert.equal(rsa.type, 'RSA');
    assert.equal(ecc.type, 'ECC');
    if (rsa.type !== 'RSA' || ecc.type !== 'ECC') return;
    assert.equal(modulusOf(rsa.publicKey), (vault.users.get('alice') as { n: bigint }).n);
    assert.equal(ecc.publicKey.length, 65);
    const key = keys.get('bob');
    assert.ok(key?.type === 'ECC');
    assert.deepEqual(ecc.publicKey, p256.getPublicKey(key.privateKey, false));
  });

  it('unwraps an RSA-OAEP-SHA1 key wrapped to the public key', () => {
    const rsa = redOctoberPublicKey(vault.users.get('alice')!);
    assert.ok(rsa.type === 'RSA');
    const secret = Uint8Array.from({ length: 16 }, (_, i) => i);
    const wrapped = publicEncrypt({ key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, secret);
    assert.deepEqual(unwrapOwnerKey(wrapped, keys.get('alice')!), secret);
    // A flipped bit, not a dropped first byte: when that byte is 0 (1 run in 256), the shorter
    // buffer is the same number and decrypts.
    const tampered = Buffer.from(wrapped);
    tampered[tampered.length - 1]! ^= 1;
    assert.equal(unwrapOwnerKey(tampered, keys.get('alice')!), null);
  });

  it('refuses an ECIES wrap whose tag, IV, point or layout was altered', () => {
    const { inner } = openLayers(vectorCase('owners2-rsa-ecc').ciphertext);
    const wrapped = Buffer.from((inner.KeySetRSA as Record<string, { Key: string }>).bob!.Key, 'base64');
    assert.equal(wrapped.length, 134);
    const bob = keys.get('bob')!;
    assert.equal(unwrapOwnerKey(wrapped, bob)?.length, 16);
    const flipped = (at: number) => {
      const copy = Uint8Array.from(wrapped);
      copy[at]! ^= 1;
      return copy;
    };
    assert.equal(unwrapOwnerKey(flipped(wrapped.length - 1), bob), null, 'tag');
    assert.equal(unwrapOwnerKey(flipped(70), bob), null, 'iv');
    assert.equal(unwrapOwnerKey(flipped(40), bob), null, 'point off the curve');
    assert.equal(unwrapOwnerKey(flipped(0), bob), null, 'point length');
    assert.equal(unwrapOwnerKey(wrapped.subarray(0, 100), bob), null, 'truncated');
    assert.equal(unwrapOwnerKey(wrapped, keys.get('alice')!), null, 'an RSA key');
  });

  it('fails loudly when the password is right but the sealed private key is damaged', async () => {
    const damaged = readRedOctoberVault(
      editedVaultText((file) => {
        const blob = Buffer.from(file.Passwords.alice.RSAKey.RSAExp, 'base64');
        blob[0]! ^= 0xff; // garbles D's first block; the padding in the last block stays valid
        file.Passwords.alice.RSAKey.RSAExp = blob.toString('base64');
      }),
    );
    await assert.rejects(
      unlockRedOctoberUser(damaged.users.get('alice')!, 'alice-pass'),
      (error: unknown) => error instanceof RedOctoberError && error.code === 'E_RO_KEY_MISMATCH' && /user "alice": D, P, Q do not form/.test(error.message),
    );
  });
});

/** A SEC1 DER sealed for bob as RO seals ECPriv (AES-128-CBC under scrypt(password, KeySalt), RO's padding). */
function sealedForBob(der: Uint8Array): string {
  return editedVaultText((file) => {
    const key = scryptSync(vectors.passwords.bob!, Buffer.from(file.Passwords.bob.KeySalt, 'base64'), 16, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const count = 16 - (der.length % 16);
    const padded = Buffer.concat([der, Buffer.alloc(count - 1), Buffer.of(count)]);
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
    file.Passwords.bob.ECKey.ECPriv = Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
    file.Passwords.bob.ECKey.ECPrivIV = iv.toString('base64');
  });
}

describe('reading a Red October ECC user private key (SEC1, node:crypto)', () => {
  const unlockBob = (der: Uint8Array) => unlockRedOctoberUser(readRedOctoberVault(sealedForBob(der)).users.get('bob')!, vectors.passwords.bob!);
  const sec1 = (key: KeyObject) => new Uint8Array(key.export({ format: 'der', type: 'sec1' }));

  it("opens bob's own key written again as SEC1 DER, to the same scalar", async () => {
    const [original] = (await unlockUsers(loadVault(), ['bob'])).values();
    assert.ok(original?.type === 'ECC');
    const jwk = { kty: 'EC', crv: 'P-256', d: Buffer.from(original.privateKey).toString('base64url'), x: '', y: '' };
    const point = p256.getPublicKey(original.privateKey, false);
    jwk.x = Buffer.from(point.subarray(1, 33)).toString('base64url');
    jwk.y = Buffer.from(point.subarray(33)).toString('base64url');
    const key = await unlockBob(sec1(createPrivateKey({ key: jwk, format: 'jwk' })));
    assert.ok(key?.type === 'ECC');
    assert.deepEqual(key.privateKey, original.privateKey);
  });

  it('refuses a sealed key on another curve, another P-256 key and bytes that are no key', async () => {
    const damagedWith = (pattern: RegExp) => (error: unknown) =>
      error instanceof RedOctoberError && error.code === 'E_RO_KEY_MISMATCH' && pattern.test(error.message);
    await assert.rejects(unlockBob(sec1(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)), damagedWith(/ECPriv is not a P-256 SEC1 private key/));
    await assert.rejects(
      unlockBob(sec1(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)),
      damagedWith(/ECPriv does not belong to the stored public point/),
    );
    await assert.rejects(unlockBob(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)), damagedWith(/ECPriv is not a P-256 SEC1 private key/));
  });
});
