// Several Red October vaults into one vault (issue 17 item 6): the recorded vault (a live Red
// October server's) and a second one written as Red October writes it (./redoctober/writer.ts),
// with its own vault id, HMAC key and key pairs. A name taken by another key pair is refused, or
// renamed by the operator; either way all or nothing, and the vault file unchanged on any error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { VaultCredentials } from '../../../engine/api/vault.ts';
import { Vault } from '../../../engine/vault/vault.ts';
import { tempDir } from '../../helpers/host.ts';
import { vaultText, vectorCase, vectors } from './redoctober/fixtures.ts';
import { writeRedOctoberVault, type WrittenVault } from './redoctober/writer.ts';

const cheap = { kdfCost: { N: 2 ** 10, r: 8, p: 1 }, kdf: { minimumN: 2 ** 10 } };
const root = { name: 'root', password: 'root-password-1' };
const recorded = vaultText;
/** The recorded vault's alice and bob, who open its "owners2-rsa-ecc" case. */
const firstCase = vectorCase('owners2-rsa-ecc');

// A second Red October vault: its own alice (another person, another key pair), erin and frank.
let second: WrittenVault;
let aliceAndErin: string;
before(() => {
  second = writeRedOctoberVault([
    { name: 'alice', password: 'second-alice-pass', admin: true },
    { name: 'erin', password: 'erin-pass', admin: false },
    { name: 'frank', password: 'frank-pass', admin: false },
  ]);
  aliceAndErin = second.encrypt(Buffer.from("the second vault's alice"), ['alice', 'erin']);
});

async function openVault(...extra: [string, string, 'RSA' | 'ECC'][]): Promise<{ vault: Vault; path: string }> {
  const dir = tempDir('vault-ro-several');
  const path = join(dir, 'vault.json');
  const vault = await Vault.open({ vaultPath: path, auditPath: join(dir, 'audit.log'), ...cheap });
  await vault.accounts.create('root', root.password, 'ECC');
  for (const [name, password, type] of extra) await vault.accounts.createUser(root, 'test', name, password, type);
  return { vault, path };
}

async function decryptWith(vault: Vault, ciphertext: string, owners: VaultCredentials[]): Promise<string> {
  for (const owner of owners) await vault.delegate(owner, 'test', { seconds: 60, uses: 1, users: ['root'], anyone: false, labels: [] });
  try {
    return Buffer.from((await vault.decrypt(root, 'test', ciphertext, null)).data, 'base64').toString();
  } finally {
    await vault.purge(root, 'test');
  }
}

const recordedOwner = (name: string) => ({ name, password: vectors.passwords[name]! });

describe('vault: several Red October vaults in one', () => {
  let vault: Vault;
  // A second vault whose names are all free here.
  let other: WrittenVault;
  let otherCiphertext: string;
  before(async () => {
    ({ vault } = await openVault());
    other = writeRedOctoberVault([
      { name: 'erin', password: 'erin-pass', admin: false },
      { name: 'frank', password: 'frank-pass', admin: false },
    ]);
    otherCiphertext = other.encrypt(Buffer.from('from the second vault'), ['erin', 'frank']);
    await vault.accounts.importRedOctober(root, 'test', [{ text: recorded }, { text: other.text }]);
  });
  after(() => vault?.close());

  it('imports two different Red October vaults at once and decrypts a ciphertext of each', async () => {
    assert.deepEqual(vault.status().redOctoberVaults, [470661303, other.vaultId]);
    assert.equal(
      await decryptWith(vault, firstCase.ciphertext, [recordedOwner('alice'), recordedOwner('bob')]),
      Buffer.from(firstCase.plaintext_b64, 'base64').toString(),
    );
    assert.equal(
      await decryptWith(vault, otherCiphertext, [
        { name: 'erin', password: 'erin-pass' },
        { name: 'frank', password: 'frank-pass' },
      ]),
      'from the second vault',
    );
  });

  it('refuses a Red October ciphertext of a vault not imported, as Red October does (Signature mismatch)', async () => {
    const stranger = writeRedOctoberVault([
      { name: 'erin', password: 'erin-pass', admin: false },
      { name: 'frank', password: 'frank-pass', admin: false },
    ]);
    assert.throws(() => vault.inspect(stranger.encrypt(Buffer.from('x'), ['erin', 'frank'])), { code: 'E_RO_SIGNATURE', message: 'Signature mismatch' });
  });
});

describe('vault: a Red October account whose name is taken', () => {
  it('refuses both files when the second vault has another alice, naming her and how to rename, and changes nothing', async () => {
    const { vault, path } = await openVault();
    const before = readFileSync(path);
    try {
      await assert.rejects(vault.accounts.importRedOctober(root, 'test', [{ text: recorded }, { text: second.text }]), (err: Error & { code: string }) => {
        assert.equal(err.code, 'E_VAULT_IMPORT_CLASH');
        assert.match(
          err.message,
          new RegExp(
            `^Red October vault ${second.vaultId}: alice: alice also comes from Red October vault 470661303 in this import, with another key pair\\. Nothing was imported`,
          ),
        );
        assert.match(err.message, /--rename alice=NEW/);
        return true;
      });
      assert.deepEqual(
        vault.users().map((u) => u.name),
        ['root'],
      );
      assert.deepEqual(vault.status().redOctoberVaults, []);
      assert.deepEqual(readFileSync(path), before, 'the vault file is byte for byte as it was');
    } finally {
      await vault.close();
    }
  });

  it('with alice renamed, the new name decrypts her old ciphertexts and the recorded alice does not', async () => {
    const { vault } = await openVault();
    try {
      const plan = await vault.accounts.importRedOctober(root, 'test', [{ text: recorded }, { text: second.text, renames: { alice: 'alice-second' } }]);
      assert.deepEqual(
        plan.files[1]!.accounts.map((a) => `${a.name}>${a.as}:${a.outcome}`),
        ['alice>alice-second:new', 'erin>erin:new', 'frank>frank:new'],
      );
      assert.deepEqual(vault.inspect(aliceAndErin).owners, ['alice-second', 'erin'], 'the ciphertext names her by her new name');
      assert.equal(
        await decryptWith(vault, aliceAndErin, [
          { name: 'alice-second', password: 'second-alice-pass' },
          { name: 'erin', password: 'erin-pass' },
        ]),
        "the second vault's alice",
      );
      await assert.rejects(decryptWith(vault, aliceAndErin, [recordedOwner('alice'), { name: 'erin', password: 'erin-pass' }]), {
        code: 'E_VAULT_NEED_DELEGATIONS',
      });
      await assert.rejects(
        vault.delegate({ name: 'alice', password: 'second-alice-pass' }, 'test', { seconds: 60, uses: 1, users: ['root'], anyone: false, labels: [] }),
        { code: 'E_VAULT_AUTH' },
      );
      assert.equal(
        await decryptWith(vault, firstCase.ciphertext, [recordedOwner('alice'), recordedOwner('bob')]),
        Buffer.from(firstCase.plaintext_b64, 'base64').toString(),
        'the recorded alice keeps hers',
      );

      // The renames are remembered: the same file again changes nothing, and cannot rename her again.
      const again = await vault.accounts.importRedOctober(root, 'test', [{ text: second.text }]);
      assert.deepEqual(
        again.files[0]!.accounts.map((a) => `${a.as}:${a.outcome}`),
        ['alice-second:imported-before', 'erin:imported-before', 'frank:imported-before'],
      );
      await assert.rejects(vault.accounts.importRedOctober(root, 'test', [{ text: second.text, renames: { alice: 'alice-2' } }]), {
        code: 'E_VAULT_IMPORT_RENAME',
        message: `rename alice to alice-2: alice of Red October vault ${second.vaultId} was imported before as alice-second, and an imported account keeps its name; nothing was imported`,
      });
    } finally {
      await vault.close();
    }
  });

  it('with an account of ours renamed away, every recorded Red October ciphertext (owners, left × right, predicates) opens with the new name', async () => {
    const { vault } = await openVault(['alice', 'alice-here-password', 'ECC']);
    try {
      await vault.accounts.importRedOctober(root, 'test', [{ text: recorded, renames: { alice: 'alice-ro' } }]);
      const ro = (name: string) => (name === 'alice' ? { name: 'alice-ro', password: vectors.passwords.alice! } : recordedOwner(name));
      for (const vector of vectors.cases) {
        for (const owner of vector.decrypt_with)
          await vault.delegate(ro(owner), 'test', { seconds: 60, uses: 1, users: ['root'], anyone: false, labels: ['red', 'blue'] });
        assert.equal((await vault.decrypt(root, 'test', vector.ciphertext, null)).data, vector.plaintext_b64, vector.id);
        await vault.purge(root, 'test');
      }
      const predicate = vectors.cases.find((c) => c.decrypt_with.includes('alice') && vault.inspect(c.ciphertext).access.kind === 'predicate')!;
      const shown = vault.inspect(predicate.ciphertext);
      assert.ok(
        shown.access.kind === 'predicate' && /\balice-ro\b/.test(shown.access.predicate) && !/\balice\b(?!-)/.test(shown.access.predicate),
        JSON.stringify(shown.access),
      );
      const leftRight = vectors.cases.find((c) => vault.inspect(c.ciphertext).access.kind === 'left-right')!;
      assert.ok(!vault.inspect(leftRight.ciphertext).owners.includes('alice'), 'our own alice is no owner of a Red October ciphertext');
    } finally {
      await vault.close();
    }
  });

  it('refuses renames that cannot apply, and imports nothing', async () => {
    const { vault, path } = await openVault(['bob', 'bob-here-password', 'ECC']);
    const before = readFileSync(path);
    try {
      const refused = async (renames: Record<string, string>, message: RegExp) =>
        assert.rejects(vault.accounts.importRedOctober(root, 'test', [{ text: recorded, renames }]), { code: 'E_VAULT_IMPORT_RENAME', message });
      await refused(
        { bob: 'bob-ro', bobby: 'x' },
        /^rename bobby to x: Red October vault 470661303 has no account bobby \(it has admin, alice, bob, carol, dave\); nothing was imported$/,
      );
      await refused({ bob: 'carol' }, /rename bob to carol: Red October vault 470661303 has its own account carol/);
      await refused({ bob: 'ro', carol: 'ro' }, /rename carol to ro: bob gets that name too/);
      await refused({ bob: 'bob ro' }, /"bob ro" is not an account name/);
      // A rename onto a name taken here is a clash like any other.
      await assert.rejects(vault.accounts.importRedOctober(root, 'test', [{ text: recorded, renames: { bob: 'root' } }]), {
        code: 'E_VAULT_IMPORT_CLASH',
        message: /bob \(renamed root\): root has an account here with another key pair/,
      });
      assert.deepEqual(readFileSync(path), before, 'the vault file is byte for byte as it was');
      assert.deepEqual(
        vault.users().map((u) => u.name),
        ['bob', 'root'],
      );
    } finally {
      await vault.close();
    }
  });

  it('asks a new name for a Red October name that is no account name here ("Ops Lead", "__proto__"), and renamed it works', async () => {
    const odd = writeRedOctoberVault([
      { name: 'Ops Lead', password: 'ops-pass', admin: false },
      { name: '__proto__', password: 'proto-pass', admin: false },
    ]);
    const ciphertext = odd.encrypt(Buffer.from('odd names'), ['Ops Lead', '__proto__']);
    const { vault } = await openVault();
    try {
      await assert.rejects(vault.accounts.importRedOctober(root, 'test', [{ text: odd.text }]), {
        code: 'E_VAULT_IMPORT_CLASH',
        message:
          /"Ops Lead" is not an account name here \(a letter or digit, then letters, digits, _ and -; at most 64\): give it a new name; .*"__proto__" is not an account name here/,
      });
      await vault.accounts.importRedOctober(root, 'test', [
        {
          text: odd.text,
          renames: Object.fromEntries([
            ['Ops Lead', 'ops-lead'],
            ['__proto__', 'proto'],
          ]),
        },
      ]);
      assert.deepEqual(vault.inspect(ciphertext).owners.sort(), ['ops-lead', 'proto']);
      assert.equal(
        await decryptWith(vault, ciphertext, [
          { name: 'ops-lead', password: 'ops-pass' },
          { name: 'proto', password: 'proto-pass' },
        ]),
        'odd names',
      );
    } finally {
      await vault.close();
    }
  });

  it('plans an import without changing anything: who is new, who clashes', async () => {
    const { vault, path } = await openVault(['bob', 'bob-here-password', 'ECC']);
    const before = readFileSync(path);
    try {
      const plan = vault.accounts.planRedOctoberImport([{ text: recorded }, { text: second.text, renames: { alice: 'alice-second' } }]);
      assert.deepEqual(plan.problems, []);
      assert.deepEqual(
        plan.files.map((file) => file.accounts.map((a) => `${a.as}:${a.outcome}`)),
        [
          ['admin:new', 'alice:new', 'bob:clash', 'carol:new', 'dave:new'],
          ['alice-second:new', 'erin:new', 'frank:new'],
        ],
      );
      assert.deepEqual(readFileSync(path), before);
    } finally {
      await vault.close();
    }
  });
});
