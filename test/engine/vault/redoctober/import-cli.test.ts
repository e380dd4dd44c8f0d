// `signalbox vault --import-redoctober FILE...` (the built CLI, dist/): Red October vault files added
// by an admin whose password comes from the environment; a clashing account name, or files of two
// Red October vaults, import nothing and say why.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { Vault } from '../../../../engine/vault/vault.ts';
import { tempDir } from '../../../helpers/host.ts';
import { bin } from '../../../helpers/serve-process.ts';
import { editedVaultText, vaultText } from './fixtures.ts';

const run = promisify(execFile);
const rootPassword = 'root-password-1';

/** A vault file (production KDF cost, as the CLI opens it) with root, an admin, and the other accounts named. */
async function vaultWith(names: string[]): Promise<string> {
  const dir = tempDir('vault-import-cli');
  const vaultPath = join(dir, 'vault.json');
  const vault = await Vault.open({ vaultPath, auditPath: `${vaultPath}.audit.log` });
  await vault.accounts.create('root', rootPassword, 'ECC');
  for (const name of names) await vault.accounts.createUser({ name: 'root', password: rootPassword }, 'test', name, `${name}-password-1`, 'ECC');
  await vault.close();
  return vaultPath;
}

function importCli(vaultPath: string, files: string[]) {
  return run(process.execPath, [bin, 'vault', '--vault', vaultPath, '--admin', 'root', ...files.flatMap((file) => ['--import-redoctober', file])], { env: { ...process.env, SIGNALBOX_VAULT_ADMIN_PASSWORD: rootPassword } }).then(
    (done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('signalbox vault --import-redoctober (the built CLI)', () => {
  it('imports a Red October vault file and lists the accounts it added', { timeout: 60_000 }, async () => {
    const vaultPath = await vaultWith([]);
    const file = join(tempDir('ro-file'), 'redoctober.json');
    writeFileSync(file, vaultText);
    const done = await importCli(vaultPath, [file]);
    assert.deepEqual([done.code, done.stdout], [0, `${file}: imported admin, alice, bob, carol, dave\n`], done.stderr);
    const vault = await Vault.open({ vaultPath, auditPath: `${vaultPath}.audit.log` });
    assert.deepEqual(vault.users().filter((u) => u.legacy).map((u) => u.name).sort(), ['admin', 'alice', 'bob', 'carol', 'dave']);
    await vault.close();
  });

  it('imports nothing when an account name clashes, naming it', { timeout: 60_000 }, async () => {
    const vaultPath = await vaultWith(['bob']);
    const file = join(tempDir('ro-file'), 'redoctober.json');
    writeFileSync(file, vaultText);
    const done = await importCli(vaultPath, [file]);
    assert.equal(done.code, 1);
    assert.match(done.stderr, /bob has an account here with another key pair, so its ciphertexts could not be decrypted; nothing was imported .* \[E_VAULT_IMPORT_CLASH\]/);
    const vault = await Vault.open({ vaultPath, auditPath: `${vaultPath}.audit.log` });
    assert.deepEqual(vault.users().map((u) => u.name).sort(), ['bob', 'root']);
    await vault.close();
  });

  it('refuses files of two Red October vaults before importing either', { timeout: 60_000 }, async () => {
    const vaultPath = await vaultWith([]);
    const dir = tempDir('ro-files');
    writeFileSync(join(dir, 'a.json'), vaultText);
    writeFileSync(join(dir, 'b.json'), editedVaultText((file) => (file.VaultId = 12345)));
    const done = await importCli(vaultPath, [join(dir, 'a.json'), join(dir, 'b.json')]);
    assert.equal(done.code, 2);
    assert.match(done.stderr, /the files come from 2 Red October vaults \(ids 470661303, 12345\).*nothing was imported/);
  });
});
