// The Vault page in Chromium with delegation persistence (engines.vault.persist) under `signalbox
// serve`: a vault whose alice delegated before the host stopped starts "inactive"; the page says so,
// alice and bob restore from the Persisted delegations panel (each with their own password) and
// alice's delegation is live again; an admin then resets the stored delegations there.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { Vault } from '../../engine/vault/vault.ts';
import { launchChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { signedInPage } from '../helpers/serve-auth.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';

const passwords = { admin: 'admin-password-1', alice: 'alice-password-1', bob: 'bob-password-12' } as const;
let served: ServeProcess | undefined;
let browser: Browser | undefined;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
});

const field = (scope: Locator, label: string) => scope.getByLabel(label, { exact: true });

describe('Vault page in Chromium: persisted delegations after a restart (e2e)', () => {
  it('shows them waiting, lets two owners restore them and an admin reset them', { timeout: 120_000 }, async () => {
    const dir = tempDir('e2e-vault-persist');
    const vaultPath = join(dir, 'vault.json');
    const stored = `${vaultPath}.delegations`;
    const persist = { owners: ['alice', 'bob'], minimum: 2 };
    // The vault before the restart: alice delegated for bob, stored encrypted to alice and bob.
    const before = await Vault.open({ vaultPath, auditPath: `${vaultPath}.audit.log`, persist: { ...persist, path: stored } });
    try {
      await before.accounts.create('admin', passwords.admin, 'ECC');
      for (const name of ['alice', 'bob'] as const)
        await before.accounts.createUser({ name: 'admin', password: passwords.admin }, 'test', name, passwords[name], 'ECC');
      await before.delegate({ name: 'alice', password: passwords.alice }, 'test', { seconds: 3600, uses: 2, users: ['bob'], anyone: false, labels: [] });
    } finally {
      await before.close();
    }
    assert.equal(existsSync(stored), true);

    const config = join(dir, 'signalbox.yaml');
    writeFileSync(config, 'engines:\n  vault:\n    enabled: true\n    persist:\n      owners: [alice, bob]\n      minimum: 2\n');
    served = await startServeProcess(['--config', config, '--data-dir', dir]);
    const page = await signedInPage(browser!, served, served.admin, { viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(served.url);
    await page.getByTestId('nav-vault').click();

    const panel = page.locator('[data-testid=vault-persist][data-state=inactive]');
    await panel.waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('vault-status-persist').innerText(), /inactive/);
    assert.match(await panel.innerText(), /2 of alice, bob restore them/);
    assert.equal(await page.getByTestId('vault-delegation-alice').count(), 0, 'nothing stored is live before the restore');

    await panel.getByRole('button', { name: 'Restore…' }).click();
    const restore = page.getByTestId('vault-restore-form');
    for (const name of ['alice', 'bob'] as const) {
      await field(restore, 'Your name').fill(name);
      await field(restore, 'Your password').fill(passwords[name]);
      await restore.getByRole('button', { name: 'Restore', exact: true }).click();
      await page
        .getByTestId('vault-restore-result')
        .filter({ hasText: name === 'alice' ? /alice's key waits/ : /live again/ })
        .waitFor({ timeout: 15_000 });
    }
    await page.locator('[data-testid=vault-persist][data-state=active]').waitFor({ timeout: 15_000 });
    await page.getByTestId('vault-delegation-alice').waitFor({ timeout: 15_000 });

    await page.getByRole('button', { name: 'Reset persisted…' }).click();
    const reset = page.getByTestId('vault-reset-persisted-form');
    await field(reset, 'Admin name').fill('admin');
    await field(reset, 'Admin password').fill(passwords.admin);
    await reset.getByRole('button', { name: 'Reset', exact: true }).click();
    await page
      .getByTestId('vault-reset-persisted-result')
      .filter({ hasText: /deleted/ })
      .waitFor({ timeout: 15_000 });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
