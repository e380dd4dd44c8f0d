// `signalbox vault --import-redoctober FILE [--rename OLD=NEW]...` (the built CLI, dist/): Red
// October vault files added by an admin whose password comes from the environment, several Red
// October vaults at once; a clashing account name imports nothing and says how to rename it, and
// --rename maps it to a new name.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { Vault } from '../../../../engine/vault/vault.ts';
import { tempDir } from '../../../helpers/host.ts';
import { bin } from '../../../helpers/serve-process.ts';
import { vaultText, vectorCase, vectors } from './fixtures.ts';
import { writeRedOctoberVault } from './writer.ts';

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

/** `files` are file paths, each followed by its renames ("OLD=NEW"); `maxFileBlocks` limits the size of files it writes (ulimit -f, 512-byte blocks). */
function importCli(vaultPath: string, files: (string | { rename: string })[], maxFileBlocks?: number) {
  const args = files.flatMap((file) => (typeof file === 'string' ? ['--import-redoctober', file] : ['--rename', file.rename]));
  const command = [process.execPath, bin, 'vault', '--vault', vaultPath, '--admin', 'root', ...args];
  const [program, ...rest] = maxFileBlocks === undefined ? command : ['bash', '-c', `ulimit -f ${maxFileBlocks} && exec "$@"`, 'bash', ...command];
  return run(program!, rest, { env: { ...process.env, SIGNALBOX_VAULT_ADMIN_PASSWORD: rootPassword } }).then(
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
    assert.deepEqual([done.code, done.stdout], [0, `${file}: Red October vault 470661303: imported admin, alice, bob, carol, dave\n`], done.stderr);
    const vault = await Vault.open({ vaultPath, auditPath: `${vaultPath}.audit.log` });
    assert.deepEqual(
      vault
        .users()
        .filter((u) => u.legacy)
        .map((u) => u.name)
        .sort(),
      ['admin', 'alice', 'bob', 'carol', 'dave'],
    );
    await vault.close();
  });

  it('imports nothing when an account name clashes, naming it and how to rename it; the vault file is unchanged', { timeout: 60_000 }, async () => {
    const vaultPath = await vaultWith(['bob']);
    const before = readFileSync(vaultPath);
    const file = join(tempDir('ro-file'), 'redoctober.json');
    writeFileSync(file, vaultText);
    const done = await importCli(vaultPath, [file]);
    assert.equal(done.code, 1);
    assert.match(
      done.stderr,
      /Red October vault 470661303: bob: bob has an account here with another key pair\. Nothing was imported.*--rename bob=NEW.* \[E_VAULT_IMPORT_CLASH\]/,
    );
    assert.deepEqual(readFileSync(vaultPath), before);
  });

  it('imports two Red October vaults at once, --rename giving a clashing account a new name that then decrypts', { timeout: 120_000 }, async () => {
    const vaultPath = await vaultWith([]);
    const dir = tempDir('ro-files');
    const second = writeRedOctoberVault([
      { name: 'alice', password: 'second-alice-pass', admin: false },
      { name: 'erin', password: 'erin-pass', admin: false },
    ]);
    writeFileSync(join(dir, 'a.json'), vaultText);
    writeFileSync(join(dir, 'b.json'), second.text);
    const refused = await importCli(vaultPath, [join(dir, 'a.json'), join(dir, 'b.json')]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `Red October vault ${second.vaultId}: alice: alice also comes from Red October vault 470661303 in this import, with another key pair.*--rename alice=NEW`,
      ),
    );

    const done = await importCli(vaultPath, [join(dir, 'a.json'), join(dir, 'b.json'), { rename: 'alice=alice-b' }]);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(
      done.stdout,
      `${join(dir, 'a.json')}: Red October vault 470661303: imported admin, alice, bob, carol, dave\n${join(dir, 'b.json')}: Red October vault ${second.vaultId}: imported alice as alice-b, erin\n`,
    );
    const vault = await Vault.open({ vaultPath, auditPath: `${vaultPath}.audit.log` });
    try {
      const root = { name: 'root', password: rootPassword };
      const grant = { seconds: 60, uses: 1, users: ['root'], anyone: false, labels: [] };
      const ciphertext = second.encrypt(Buffer.from('second vault'), ['alice', 'erin']);
      await vault.delegate({ name: 'alice-b', password: 'second-alice-pass' }, 'test', grant);
      await vault.delegate({ name: 'erin', password: 'erin-pass' }, 'test', grant);
      assert.equal((await vault.decrypt(root, 'test', ciphertext, null)).data, Buffer.from('second vault').toString('base64'));
      const first = vectorCase('owners2-rsa-ecc');
      for (const name of ['alice', 'bob']) await vault.delegate({ name, password: vectors.passwords[name]! }, 'test', grant);
      assert.equal((await vault.decrypt(root, 'test', first.ciphertext, null)).data, first.plaintext_b64);
    } finally {
      await vault.close();
    }
  });

  it('leaves the vault file byte-identical when its write fails mid-import (a file size limit), and says what to do', { timeout: 60_000 }, async () => {
    const vaultPath = await vaultWith([]);
    const before = readFileSync(vaultPath);
    const file = join(tempDir('ro-file'), 'redoctober.json');
    writeFileSync(file, vaultText);
    // 2 blocks (1 KiB): the lock file fits, the vault file with five more accounts (about 12 KB) does not.
    const failed = await importCli(vaultPath, [file], 2);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(
      failed.stderr,
      /cannot write the vault file .*vault\.json \(EFBIG\); it is as it was and nothing changed — free disk space or fix the folder's permissions, then try again \[E_VAULT_WRITE\]/,
    );
    assert.deepEqual(readFileSync(vaultPath), before);
    assert.deepEqual(
      readdirSync(dirname(vaultPath)).filter((name) => name.endsWith('.tmp')),
      [],
      'no temp file left behind',
    );
    const done = await importCli(vaultPath, [file]);
    assert.equal(done.code, 0, done.stderr);
  });

  it('refuses a --rename before any file, or not written OLD=NEW, as a usage error', { timeout: 60_000 }, async () => {
    const vaultPath = await vaultWith([]);
    const file = join(tempDir('ro-file'), 'redoctober.json');
    writeFileSync(file, vaultText);
    const early = await importCli(vaultPath, [{ rename: 'bob=bob-b' }, file]);
    assert.equal(early.code, 2);
    assert.match(early.stderr, /--rename bob=bob-b: put it after the --import-redoctober FILE whose account it renames/);
    const malformed = await importCli(vaultPath, [file, { rename: 'bob' }]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /--rename bob: write it as OLD=NEW/);
  });
});
