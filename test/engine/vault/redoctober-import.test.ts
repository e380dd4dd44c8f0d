// Moving from Red October: its vault file is imported by an admin, each account moves to our KDF
// at its first delegation, and Red October ciphertexts decrypt through the vault with our rules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Vault } from '../../../engine/vault/vault.ts';
import { tempDir } from '../../helpers/host.ts';

const vectorsDir = new URL('../../fixtures/redoctober-vectors/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('vectors.json', vectorsDir), 'utf8')) as {
  passwords: Record<string, string>;
  cases: { id: string; ciphertext: string; plaintext_b64: string; decrypt_with: string[] }[];
};
const roVault = readFileSync(new URL('vault.json', vectorsDir), 'utf8');
const root = { name: 'root', password: 'root-password-1' };

let vault: Vault;
before(async () => {
  const dir = tempDir('vault-ro');
  vault = await Vault.open({
    vaultPath: join(dir, 'vault.json'),
    auditPath: join(dir, 'audit.log'),
    kdfCost: { N: 2 ** 10, r: 8, p: 1 },
    kdf: { minimumN: 2 ** 10 },
  });
  await vault.accounts.create('root', root.password, 'ECC');
});
after(() => vault?.close());

describe('vault: Red October migration', () => {
  it('imports the accounts of a Red October vault file, as legacy until their first login', async () => {
    const result = await vault.accounts.importRedOctober(root, 'test', [{ text: roVault }]);
    assert.deepEqual(
      result.files.map((file) => file.vaultId),
      [470661303],
    );
    assert.deepEqual(
      result.files[0]!.accounts.filter((a) => a.outcome === 'new')
        .map((a) => a.as)
        .sort(),
      ['admin', 'alice', 'bob', 'carol', 'dave'],
    );
    assert.ok(
      vault
        .users()
        .filter((u) => u.name !== 'root')
        .every((u) => u.legacy),
    );
    assert.equal(vault.status().redOctoberImported, true);
  });

  it('decrypts every recorded Red October ciphertext with the delegations the case needs', async () => {
    for (const vector of vectors.cases) {
      for (const owner of vector.decrypt_with) {
        await vault.delegate({ name: owner, password: vectors.passwords[owner]! }, 'test', {
          seconds: 60,
          uses: 1,
          users: ['root'],
          anyone: false,
          labels: ['red', 'blue'],
        });
      }
      const result = await vault.decrypt(root, 'test', vector.ciphertext, null);
      assert.equal(result.data, vector.plaintext_b64, vector.id);
      assert.equal(result.info.format, 'redoctober');
      await vault.purge(root, 'test');
    }
    assert.ok(
      vault
        .users()
        .filter((u) => u.name !== 'root' && u.name !== 'admin')
        .every((u) => !u.legacy),
      'every account that delegated moved to our KDF',
    );
  });

  it('refuses a Red October ciphertext without enough delegations and spends nothing', async () => {
    const vector = vectors.cases.find((c) => c.id === 'owners2-rsa-ecc')!;
    await vault.delegate({ name: 'alice', password: vectors.passwords.alice! }, 'test', { seconds: 60, uses: 1, users: ['root'], anyone: false, labels: [] });
    await assert.rejects(vault.decrypt(root, 'test', vector.ciphertext, null), { code: 'E_VAULT_NEED_DELEGATIONS' });
    assert.deepEqual(
      vault.summary().live.map((d) => `${d.owner}:${d.uses}`),
      ['alice:1'],
    );
    await vault.purge(root, 'test');
  });

  it('re-encrypts a Red October ciphertext into our format, same owners, and it decrypts as ours', async () => {
    const vector = vectors.cases.find((c) => c.id === 'labels-usages')!;
    for (const owner of vector.decrypt_with) {
      await vault.delegate({ name: owner, password: vectors.passwords[owner]! }, 'test', {
        seconds: 60,
        uses: 1,
        users: ['root'],
        anyone: false,
        labels: ['red'],
      });
    }
    const moved = await vault.reEncrypt(root, 'test', { ciphertext: vector.ciphertext });
    assert.equal(moved.info.format, 'signalbox');
    assert.deepEqual(moved.info.owners, ['alice', 'carol']);
    assert.deepEqual(moved.info.labels, ['blue', 'red']);
    assert.deepEqual(moved.info.usages, ['decrypt', 'ssh-sign-with'], 'usages are kept');
    assert.deepEqual(vault.summary().live, [], 'the uses were spent');
    for (const owner of vector.decrypt_with) {
      await vault.delegate({ name: owner, password: vectors.passwords[owner]! }, 'test', {
        seconds: 60,
        uses: 1,
        users: ['root'],
        anyone: false,
        labels: ['red'],
      });
    }
    assert.equal((await vault.decrypt(root, 'test', moved.ciphertext, null)).data, vector.plaintext_b64);
  });
});

describe('vault: Red October import of a clashing account name (never half-imported)', () => {
  it('refuses the whole file when a name has an account with another key pair, and imports nothing', async () => {
    const dir = tempDir('vault-ro-clash');
    const clashing = await Vault.open({
      vaultPath: join(dir, 'vault.json'),
      auditPath: join(dir, 'audit.log'),
      kdfCost: { N: 2 ** 10, r: 8, p: 1 },
      kdf: { minimumN: 2 ** 10 },
    });
    try {
      await clashing.accounts.create('root', root.password, 'ECC');
      await clashing.accounts.createUser(root, 'test', 'bob', 'bob-password-here', 'RSA');
      await assert.rejects(clashing.accounts.importRedOctober(root, 'test', [{ text: roVault }]), {
        code: 'E_VAULT_IMPORT_CLASH',
        message:
          "Red October vault 470661303: bob: bob has an account here with another key pair. Nothing was imported: an owner's ciphertexts cannot be decrypted under a name that is someone else's here. " +
          'Give it a new name (signalbox vault --import-redoctober FILE --rename bob=NEW, or the new-name field on the Vault page), or delete the existing account first',
      });
      assert.deepEqual(
        clashing
          .users()
          .map((u) => u.name)
          .sort(),
        ['bob', 'root'],
      );
      assert.equal(clashing.status().redOctoberImported, false);
    } finally {
      await clashing.close();
    }
  });

  it('skips accounts imported before (the same key pair) when the same file comes again', async () => {
    const again = await vault.accounts.importRedOctober(root, 'test', [{ text: roVault }]);
    assert.equal(again.files[0]!.importedBefore, true);
    assert.deepEqual(
      new Set(again.files[0]!.accounts.map((a) => `${a.outcome}: ${a.reason}`)),
      new Set(['imported-before: imported already (the same key pair)']),
    );
  });
});
