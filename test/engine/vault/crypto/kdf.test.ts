import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveKeys, dummyDerive, kdfDefaults, kdfLimits, newKdfParams, parseKdfParams, verify, type KdfParams } from '../../../../engine/vault/crypto/kdf.ts';
import { unwrapPrivateKey, wrapPrivateKey } from '../../../../engine/vault/crypto/keys.ts';

// Most tests run scrypt at N = 2^10 to stay fast; the floor for stored parameters is lowered for
// them explicitly. Only the tests about the production default pay for N = 2^17.
const cheap = { minimumN: 2 ** 10 };
const cheapParams = (): KdfParams => newKdfParams({ N: 2 ** 10, r: 8, p: 1 }, cheap);

describe('vault password KDF', () => {
  it('uses scrypt N = 2^17, r = 8, p = 1 for new passwords and refuses stored N below 2^15', () => {
    assert.deepEqual(kdfDefaults, { N: 2 ** 17, r: 8, p: 1 });
    const params = newKdfParams();
    assert.equal(params.algorithm, 'scrypt');
    assert.equal(params.N, 2 ** 17);
    assert.equal(Buffer.from(params.salt, 'base64').length, 16);
    assert.equal(kdfLimits.minN, 2 ** 15);
    assert.equal(kdfLimits.maxN, 2 ** 20);
  });

  it('derives the same verifier and key-encryption key from the same password and salt', async () => {
    const params = cheapParams();
    const a = await deriveKeys('correct horse', params, cheap);
    const b = await deriveKeys('correct horse', params, cheap);
    assert.equal(a.verifier.length, 32);
    assert.equal(a.keyEncryptionKey.length, 32);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.verifier, a.keyEncryptionKey);
  });

  it('derives different keys for another salt or another password', async () => {
    const params = cheapParams();
    const base = await deriveKeys('correct horse', params, cheap);
    const otherSalt = await deriveKeys('correct horse', cheapParams(), cheap);
    const otherPassword = await deriveKeys('correct horsf', params, cheap);
    assert.notDeepEqual(otherSalt.verifier, base.verifier);
    assert.notDeepEqual(otherSalt.keyEncryptionKey, base.keyEncryptionKey);
    assert.notDeepEqual(otherPassword.verifier, base.verifier);
  });

  it('treats composed and decomposed spellings of a password alike (NFC)', async () => {
    const params = cheapParams();
    const composed = await deriveKeys('caf\u00e9', params, cheap);
    const decomposed = await deriveKeys('cafe\u0301', params, cheap);
    assert.deepEqual(composed, decomposed);
  });

  it('verifies with a constant-time comparison that refuses other verifiers and lengths', async () => {
    const params = cheapParams();
    const right = await deriveKeys('pw', params, cheap);
    const wrong = await deriveKeys('pw!', params, cheap);
    assert.equal(verify(right.verifier, (await deriveKeys('pw', params, cheap)).verifier), true);
    assert.equal(verify(wrong.verifier, right.verifier), false);
    assert.equal(verify(right.verifier.subarray(0, 16), right.verifier), false);
    assert.equal(verify(new Uint8Array(0), right.verifier), false);
  });

  it('gives a key-encryption key that unwraps the private key only for the right password', async () => {
    const params = cheapParams();
    const right = await deriveKeys('pw', params, cheap);
    const wrong = await deriveKeys('pw2', params, cheap);
    const privateKey = new Uint8Array(32).fill(7);
    const ad = new TextEncoder().encode('alice ECC vault-1');
    const sealed = wrapPrivateKey(privateKey, right.keyEncryptionKey, ad);
    assert.deepEqual(unwrapPrivateKey(sealed, right.keyEncryptionKey, ad), privateKey);
    assert.throws(() => unwrapPrivateKey(sealed, wrong.keyEncryptionKey, ad), { code: 'E_VAULT_DECRYPT' });
  });

  it('refuses stored parameters that are weak, absurd or malformed', async () => {
    const salt = Buffer.alloc(16, 1).toString('base64');
    const good: KdfParams = { algorithm: 'scrypt', N: 2 ** 15, r: 8, p: 1, salt };
    assert.deepEqual(parseKdfParams(good), good);
    for (const [change, reason] of [
      [{ N: 2 ** 14 }, /outside \[2\^15, 2\^20\]/],
      [{ N: 2 ** 21 }, /outside/],
      [{ N: 3 * 2 ** 15 }, /power of two/],
      [{ N: '32768' }, /power of two/],
      [{ r: 1 }, /r = 1/],
      [{ r: 64 }, /r = 64/],
      [{ p: 0 }, /p = 0/],
      [{ N: 2 ** 20, r: 16 }, /1 GiB/],
      [{ N: 2 ** 20, r: 8, p: 4 }, /more work/],
      [{ salt: 'AAAA' }, /16 bytes/],
      [{ salt: 'not base64!' }, /base64/],
      [{ algorithm: 'argon2id' }, /not supported/],
    ] as const) {
      assert.throws(() => parseKdfParams({ ...good, ...change }), { code: 'E_VAULT_KDF', message: reason }, JSON.stringify(change));
    }
    assert.throws(() => parseKdfParams(null), { code: 'E_VAULT_KDF' });
    await assert.rejects(deriveKeys('pw', { ...good, N: 2 ** 14 }), { code: 'E_VAULT_KDF' });
    assert.throws(() => newKdfParams({ N: 2 ** 10, r: 8, p: 1 }), { code: 'E_VAULT_KDF' });
  });

  it('runs scrypt off the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await deriveKeys('pw', newKdfParams({ N: 2 ** 15, r: 8, p: 1 }));
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 0, 'timers fired while scrypt ran');
  });

  it('runs the real derivation for an unknown user (dummyDerive), under the parameters it is given', async () => {
    // Same code path, same parameters: the same cost (timing itself is not asserted on a shared machine).
    await dummyDerive('pw', newKdfParams({ N: 2 ** 10, r: 8, p: 1 }, { minimumN: 2 ** 10 }), { minimumN: 2 ** 10 });
    await assert.rejects(dummyDerive('pw', { ...newKdfParams(), N: 2 ** 21 }), /outside/);
  });
});
