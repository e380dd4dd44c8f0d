import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { decryptRedOctoberCiphertext, inspectRedOctoberCiphertext, planRedOctoberDecryption } from '../../../../engine/vault/redoctober/ciphertext.ts';
import { RedOctoberError } from '../../../../engine/vault/redoctober/errors.ts';
import type { RedOctoberKey } from '../../../../engine/vault/redoctober/unlock.ts';
import type { RedOctoberVault } from '../../../../engine/vault/redoctober/vault-file.ts';
import { loadVault, openLayers, sealOuter, signInner, unlockUsers, vectorCase, vectors } from './fixtures.ts';

function only(keys: Map<string, RedOctoberKey>, names: string[]): Map<string, RedOctoberKey> {
  return new Map(names.map((name) => [name, keys.get(name)!]));
}

function failsWith(code: string, message: string) {
  return (error: unknown) => error instanceof RedOctoberError && error.code === code && error.message === message;
}

describe('Red October ciphertexts recorded from a live server', () => {
  let vault: RedOctoberVault;
  let keys: Map<string, RedOctoberKey>;

  before(async () => {
    vault = loadVault();
    keys = await unlockUsers(vault, ['alice', 'bob', 'carol', 'dave']);
  });

  for (const c of vectors.cases) {
    it(`decrypts ${c.id} with exactly the keys of ${c.decrypt_with.join(' and ')}`, () => {
      const { plaintext, used } = decryptRedOctoberCiphertext(c.ciphertext, vault, only(keys, c.decrypt_with));
      assert.equal(Buffer.from(plaintext).toString('base64'), c.plaintext_b64);
      assert.deepEqual([...used].sort(), [...c.decrypt_with].sort());
    });

    if (c.decrypt_with.length > 1) {
      it(`refuses ${c.id} with one key fewer, in Red October's words`, () => {
        const predicate = typeof c.request.Predicate === 'string';
        const expected = predicate
          ? failsWith('E_RO_NOT_ENOUGH_SHARES', 'not enough shares to recover')
          : failsWith('E_RO_NEED_KEYS', 'need more delegated keys');
        for (const left of c.decrypt_with) {
          const fewer = c.decrypt_with.filter((name) => name !== left);
          assert.throws(() => decryptRedOctoberCiphertext(c.ciphertext, vault, only(keys, fewer)), expected, `without ${left}`);
        }
      });
    }
  }

  it('opens a Minimum 1 ciphertext for the first owner only, as Red October does (spec §8.1)', () => {
    const c = vectorCase('owners1-first-owner');
    assert.throws(
      () => decryptRedOctoberCiphertext(c.ciphertext, vault, only(keys, ['bob', 'carol', 'dave'])),
      failsWith('E_RO_NEED_KEYS', 'need more delegated keys'),
    );
    const info = inspectRedOctoberCiphertext(c.ciphertext, vault);
    assert.deepEqual(info.access, { kind: 'owners', owners: ['alice'], minimum: 1 });
    assert.deepEqual(info.owners, ['alice']);
    assert.deepEqual(info.recipients, ['alice', 'bob']);
  });

  it('takes the first KeySet entry whose owners all have keys', () => {
    const { used } = decryptRedOctoberCiphertext(vectorCase('owners2-of-4').ciphertext, vault, keys);
    assert.deepEqual(used, ['alice', 'bob']);
  });

  it('picks the cheapest owners that satisfy a predicate', () => {
    const { used } = decryptRedOctoberCiphertext(vectorCase('predicate-or-of-ands').ciphertext, vault, only(keys, ['alice', 'carol', 'dave']));
    assert.deepEqual(used, ['carol', 'dave']);
  });

  it('tells which owners a decryption would use before any key is touched', () => {
    const plan = (id: string, names: string[]) => planRedOctoberDecryption(vectorCase(id).ciphertext, vault, new Set(names));
    assert.deepEqual(plan('owners2-of-4', ['dave', 'bob', 'carol']), ['bob', 'carol']);
    assert.deepEqual(plan('predicate-nested-threshold', ['alice', 'bob', 'carol', 'dave']), ['alice', 'bob']);
    assert.throws(() => plan('left-right', ['alice', 'bob']), failsWith('E_RO_NEED_KEYS', 'need more delegated keys'));
    assert.throws(() => plan('predicate-raw', ['bob', 'carol']), failsWith('E_RO_NOT_ENOUGH_SHARES', 'not enough shares to recover'));
    const all = ['alice', 'bob', 'carol', 'dave'];
    for (const c of vectors.cases) assert.deepEqual(decryptRedOctoberCiphertext(c.ciphertext, vault, keys).used, plan(c.id, all), c.id);
  });

  it('describes each access structure from the KeySet or the predicate', () => {
    const access = (id: string) => inspectRedOctoberCiphertext(vectorCase(id).ciphertext, vault).access;
    assert.deepEqual(access('owners2-of-4'), { kind: 'owners', owners: ['alice', 'bob', 'carol', 'dave'], minimum: 2 });
    assert.deepEqual(access('owners2-ecc-ecc'), { kind: 'owners', owners: ['dave', 'bob'], minimum: 2 });
    assert.deepEqual(access('left-right'), { kind: 'left-right', left: ['alice', 'bob'], right: ['carol', 'dave'] });
    assert.deepEqual(access('predicate-nested-threshold'), { kind: 'predicate', predicate: '(2, alice, (1, bob, carol), dave)' });
  });

  it('reports owners, sorted labels and usages, the predicate and the hash of the ciphertext bytes', () => {
    const c = vectorCase('labels-usages');
    const info = inspectRedOctoberCiphertext(c.ciphertext, vault);
    assert.deepEqual(info.owners, ['alice', 'carol']);
    assert.deepEqual(info.labels, ['blue', 'red']);
    assert.deepEqual(info.usages, ['decrypt', 'ssh-sign-with']);
    assert.equal(info.predicate, null);
    assert.equal(info.hash, createHash('sha256').update(Buffer.from(c.ciphertext, 'base64')).digest('hex'));
    const predicate = inspectRedOctoberCiphertext(vectorCase('predicate-raw').ciphertext, vault);
    assert.equal(predicate.predicate, 'alice & (bob | carol)');
    assert.deepEqual(predicate.owners, ['alice', 'bob', 'carol']);
    assert.deepEqual(predicate.usages, []);
  });

  it('leaves Usages to the caller: decrypt opens a ciphertext whose usages lack "decrypt"', () => {
    const c = vectorCase('labels-usages');
    const { inner } = openLayers(c.ciphertext);
    inner.Usages = ['ssh-sign-with'];
    signInner(inner, vault.hmacKey); // as RO would have signed a ciphertext made with these usages
    const ciphertext = sealOuter(inner, vault.hmacKey);
    assert.deepEqual(inspectRedOctoberCiphertext(ciphertext, vault).usages, ['ssh-sign-with']);
    const { plaintext } = decryptRedOctoberCiphertext(ciphertext, vault, only(keys, ['alice', 'carol']));
    assert.equal(Buffer.from(plaintext).toString('base64'), c.plaintext_b64);
  });

  it("refuses to go on with a key that is not the owner's", () => {
    const swapped = new Map([
      ['alice', keys.get('carol')!],
      ['bob', keys.get('bob')!],
    ]);
    assert.throws(
      () => decryptRedOctoberCiphertext(vectorCase('owners2-rsa-ecc').ciphertext, vault, swapped),
      (error: unknown) => error instanceof RedOctoberError && error.code === 'E_RO_DECRYPT' && /key wrapped for "alice"/.test(error.message),
    );
  });
});
