// The Vault page's Red October import in Chromium, under `signalbox serve`: two Red October vault
// files picked at once (the recorded one and a second written as Red October writes it), whose
// accounts clash with ours and with each other; the page lists the clashes, takes a new name for
// each, shows a refused import's error (the vault file untouched), then imports. The renamed
// accounts then decrypt their old Red October ciphertexts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { Vault } from '../../engine/vault/vault.ts';
import { launchChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { signedInPage } from '../helpers/serve-auth.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { vaultText, vectorCase, vectors } from '../engine/vault/redoctober/fixtures.ts';
import { writeRedOctoberVault } from '../engine/vault/redoctober/writer.ts';

let served: ServeProcess | undefined;
let browser: Browser | undefined;
const problems: string[] = [];
const admin = { name: 'root', password: 'root-password-1' };

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
});

describe('Vault page in Chromium: importing two Red October vaults with clashing names (e2e)', () => {
  it('lists each clash, takes a new name for it, shows a refusal, then imports all of it', { timeout: 180_000 }, async (t) => {
    const dir = tempDir('e2e-vault-import');
    const vaultFile = join(dir, 'vault.json');
    // Our vault: root (an admin) and our own bob, whose name the recorded Red October vault also has.
    const setup = await Vault.open({ vaultPath: vaultFile, auditPath: `${vaultFile}.audit.log` });
    await setup.accounts.create('root', admin.password, 'ECC');
    await setup.accounts.createUser(admin, 'test', 'bob', 'our-bob-password', 'ECC');
    await setup.close();
    const second = writeRedOctoberVault([
      { name: 'alice', password: 'second-alice-pass', admin: false },
      { name: 'erin', password: 'erin-pass', admin: false },
    ]);
    writeFileSync(join(dir, 'recorded.json'), vaultText);
    writeFileSync(join(dir, 'second.json'), second.text);

    const config = join(dir, 'signalbox.yaml');
    writeFileSync(config, `engines:\n  vault:\n    enabled: true\n    file: ${vaultFile}\n`);
    served = await startServeProcess(['--config', config, '--data-dir', dir]);
    const page = await signedInPage(browser!, served, served.admin, { viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    await page.goto(served.url);
    await page.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 10_000 });
    await page.getByTestId('nav-vault').click();
    await page.getByTestId('vault-user-bob').waitFor({ timeout: 15_000 });

    await page.getByText('Import Red October vault files (admin)').click();
    const form = page.getByTestId('vault-import-form');
    // A file that is not a Red October vault file: the page says so, and it can be removed.
    writeFileSync(join(dir, 'not-a-vault.json'), '{"Version":1,"VaultId":7}');
    await form.locator('input[type=file]').setInputFiles(join(dir, 'not-a-vault.json'));
    const unreadable = form.locator('p.error[role=alert]');
    await unreadable.waitFor({ timeout: 15_000 });
    assert.match(await unreadable.innerText(), /the file is not a Red October vault file we can import: .*nothing was imported \[E_VAULT_IMPORT\]/);
    await form.getByRole('button', { name: 'Remove all files' }).click();
    await unreadable.waitFor({ state: 'detached', timeout: 5000 });

    await form.locator('input[type=file]').setInputFiles([join(dir, 'recorded.json'), join(dir, 'second.json')]);
    const clashes = form.locator('[data-testid=vault-import-account][data-outcome=clash]');
    await form.getByTestId('vault-import-clashes').waitFor({ timeout: 15_000 });
    assert.equal(await clashes.count(), 2);
    const clashText = await clashes.allInnerTexts();
    assert.match(clashText[0]!, /bob has an account here with another key pair/);
    assert.match(clashText[1]!, /alice also comes from Red October vault 470661303 in this import, with another key pair/);
    assert.equal(await form.getByTestId('vault-import-file').count(), 2);
    assert.equal(await form.getByRole('button', { name: 'Import accounts' }).isDisabled(), true, 'no import while a clash is left');
    t.diagnostic(`clashes listed: ${clashText.map((row) => row.split('\t')[0]).join(', ')}`);

    // A new name that is not a name is marked, and the clash stays.
    await form.getByLabel('New name for bob', { exact: true }).fill('bob ro');
    await form.getByText('letters, digits, _ and -; starts with a letter or digit').waitFor({ timeout: 5000 });
    await form.getByLabel('New name for bob', { exact: true }).fill('bob-ro');
    await form.getByLabel('New name for alice', { exact: true }).fill('alice-b');
    await form.getByTestId('vault-import-clashes').waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal(await clashes.count(), 0);
    const importButton = form.getByRole('button', { name: 'Import accounts' });
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid=vault-import-form] button[type=submit]') as HTMLButtonElement).disabled,
      undefined,
      { timeout: 15_000 },
    );

    // A wrong admin password: the error says so, and nothing changed.
    const before = readFileSync(vaultFile);
    await form.getByLabel('Admin name', { exact: true }).fill('root');
    await form.getByLabel('Admin password', { exact: true }).fill('not-the-password');
    await importButton.click();
    const error = form.locator('p.error[role=alert]');
    await error.waitFor({ timeout: 30_000 });
    assert.match(await error.innerText(), /^Nothing was imported: wrong name or password \[E_VAULT_AUTH\]\. Check the name and the password/);
    assert.deepEqual(readFileSync(vaultFile), before, 'the vault file is unchanged');
    t.diagnostic('a refused import shows its error and leaves the file alone');

    await form.getByLabel('Admin password', { exact: true }).fill(admin.password);
    await importButton.click();
    const result = form.getByTestId('vault-import-result');
    await result.waitFor({ timeout: 30_000 });
    const said = await result.innerText();
    assert.match(said, /Red October vault 470661303: imported 5 accounts: admin, alice, bob as bob-ro, carol, dave\./);
    assert.match(said, new RegExp(`Red October vault ${second.vaultId}: imported 2 accounts: alice as alice-b, erin\\.`));
    await page.getByTestId('vault-user-bob-ro').waitFor({ timeout: 15_000 });
    await page.getByTestId('vault-user-alice-b').waitFor({ timeout: 15_000 });
    assert.equal(
      await page.locator('input[type=password]').evaluateAll((inputs) => inputs.filter((input) => (input as HTMLInputElement).value !== '').length),
      0,
    );
    await page.close();
    await stopProcess(served.child);
    served = undefined;
    assert.deepEqual(problems, []);

    // What the page imported works: the renamed accounts open their old Red October ciphertexts.
    const vault = await Vault.open({ vaultPath: vaultFile, auditPath: `${vaultFile}.audit.log` });
    try {
      const grant = { seconds: 60, uses: 1, users: ['root'], anyone: false, labels: [] };
      const recorded = vectorCase('owners2-rsa-ecc');
      await vault.delegate({ name: 'alice', password: vectors.passwords.alice! }, 'test', grant);
      await vault.delegate({ name: 'bob-ro', password: vectors.passwords.bob! }, 'test', grant);
      assert.equal((await vault.decrypt(admin, 'test', recorded.ciphertext, null)).data, recorded.plaintext_b64);
      await vault.delegate({ name: 'alice-b', password: 'second-alice-pass' }, 'test', grant);
      await vault.delegate({ name: 'erin', password: 'erin-pass' }, 'test', grant);
      assert.equal(
        (await vault.decrypt(admin, 'test', second.encrypt(Buffer.from('second'), ['alice', 'erin']), null)).data,
        Buffer.from('second').toString('base64'),
      );
    } finally {
      await vault.close();
    }
  });
});
