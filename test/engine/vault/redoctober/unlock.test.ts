import assert from 'node:assert/strict';
import { constants, publicEncrypt } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { p256 } from '@noble/curves/nist.js';
import { RedOctoberError } from '../../../../engine/vault/redoctober/errors.ts';
import { redOctoberPublicKey, unlockRedOctoberUser, type RedOctoberKey } from '../../../../engine/vault/redoctober/unlock.ts';
import { unwrapOwnerKey } from '../../../../engine/vault/redoctober/unwrap.ts';
import { readRedOctoberVault, type RedOctoberVault } from '../../../../engine/vault/redoctober/vault-file.ts';
import { editedVaultText, loadVault, openLayers, unlockUsers, vectorCase } from './fixtures.ts';

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
