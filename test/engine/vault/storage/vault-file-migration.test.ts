// A vault file of format version 1 (one imported Red October vault, test/fixtures/vault-v1) opens
// in today's vault: its accounts and Red October ciphertexts work as before; opening it, or an
// import that fails, leaves its bytes alone; the next change writes version 2.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Vault } from '../../../../engine/vault/vault.ts';
import { tempDir } from '../../../helpers/host.ts';
import { vaultText, vectorCase, vectors } from '../redoctober/fixtures.ts';
import { writeRedOctoberVault } from '../redoctober/writer.ts';

const cheap = { kdfCost: { N: 2 ** 10, r: 8, p: 1 }, kdf: { minimumN: 2 ** 10 } };
const root = { name: 'root', password: 'root-password-1' };
const version1 = new URL('../../../fixtures/vault-v1/vault.json', import.meta.url);

function copyOfVersion1(): { path: string; audit: string } {
  const dir = tempDir('vault-v1');
  const path = join(dir, 'vault.json');
  copyFileSync(version1, path);
  return { path, audit: join(dir, 'audit.log') };
}

const owner = (name: string) => ({ name, password: vectors.passwords[name]! });

describe('vault file: migration from format version 1', () => {
  it('opens a version 1 file without rewriting it, and its Red October accounts and ciphertexts work', async () => {
    const { path, audit } = copyOfVersion1();
    const original = readFileSync(path);
    const vault = await Vault.open({ vaultPath: path, auditPath: audit, ...cheap });
    try {
      assert.deepEqual(readFileSync(path), original, 'opening changes nothing on disk');
      assert.deepEqual(vault.status().redOctoberVaults, [470661303]);
      assert.deepEqual(
        vault.users().map((u) => `${u.name}:${u.legacy ? 'legacy' : 'own'}`),
        ['admin:legacy', 'alice:own', 'bob:legacy', 'carol:legacy', 'dave:legacy', 'root:own'],
      );
      // alice moved to our KDF under version 1; bob still has his Red October record and moves now.
      const vector = vectorCase('owners2-rsa-ecc');
      for (const name of ['alice', 'bob']) await vault.delegate(owner(name), 'test', { seconds: 60, uses: 1, users: ['root'], anyone: false, labels: [] });
      assert.equal((await vault.decrypt(root, 'test', vector.ciphertext, null)).data, vector.plaintext_b64);
    } finally {
      await vault.close();
    }
    const written = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(written.version, 2, "bob's move to our KDF wrote the file, as version 2");
    assert.deepEqual(written.redOctober, [{ vaultId: 470661303, hmacKey: JSON.parse(vaultText.match(/"HmacKey":("[^"]+")/)![1]!), renamed: {} }]);
    assert.equal(written.users.bob.redOctoberRecord, undefined);
  });

  it('leaves a version 1 file byte-identical when an import fails, and writes version 2 when one succeeds', async () => {
    const { path, audit } = copyOfVersion1();
    const original = readFileSync(path);
    const second = writeRedOctoberVault([
      { name: 'bob', password: 'other-bob-pass', admin: false },
      { name: 'erin', password: 'erin-pass', admin: false },
    ]);
    const vault = await Vault.open({ vaultPath: path, auditPath: audit, ...cheap });
    try {
      await assert.rejects(vault.accounts.importRedOctober(root, 'test', [{ text: second.text }]), {
        code: 'E_VAULT_IMPORT_CLASH',
        message: /bob: bob has an account here with another key pair/,
      });
      await assert.rejects(
        vault.accounts.importRedOctober({ name: 'root', password: 'wrong-password' }, 'test', [{ text: second.text, renames: { bob: 'bob-2' } }]),
        { code: 'E_VAULT_AUTH' },
      );
      assert.deepEqual(readFileSync(path), original);
      await vault.accounts.importRedOctober(root, 'test', [{ text: second.text, renames: { bob: 'bob-2' } }]);
      assert.deepEqual(vault.status().redOctoberVaults, [470661303, second.vaultId]);
      const ciphertext = second.encrypt(Buffer.from('second'), ['bob', 'erin']);
      for (const name of ['bob-2', 'erin'])
        await vault.delegate({ name, password: name === 'bob-2' ? 'other-bob-pass' : 'erin-pass' }, 'test', {
          seconds: 60,
          uses: 1,
          users: ['root'],
          anyone: false,
          labels: [],
        });
      assert.equal((await vault.decrypt(root, 'test', ciphertext, null)).data, Buffer.from('second').toString('base64'));
    } finally {
      await vault.close();
    }
    const written = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(written.version, 2);
    assert.deepEqual(
      written.redOctober.map((source: { vaultId: number; renamed: object }) => [source.vaultId, source.renamed]),
      [
        [470661303, {}],
        [second.vaultId, { bob: 'bob-2' }],
      ],
    );
  });

  it('refuses a file of a newer format version, saying to use a newer Signalbox', async () => {
    const { path, audit } = copyOfVersion1();
    writeFileSync(path, readFileSync(path, 'utf8').replace('"version": 1', '"version": 3'));
    await assert.rejects(Vault.open({ vaultPath: path, auditPath: audit, ...cheap }), {
      code: 'E_VAULT_VERSION',
      message: /is vault format version 3; this Signalbox reads versions 1 to 2: use a newer Signalbox/,
    });
  });
});
