// The Vault page in Chromium: `signalbox serve` runs the vault engine on a fresh data folder, and
// two browser contexts are two operators' consoles, each signed in as its own operator: an admin
// who sets the vault up and requests, and bob, an approver, who approves from his own browser. The two-person rule end to end: a ciphertext for
// alice AND bob, carol's order, each owner approving in their own console with their own
// password, carol decrypting once. Every password check costs a real KDF (scrypt N=2^17), so the
// flow uses as few as it can.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { addOperator, signedInPage, type Operator } from '../helpers/serve-auth.ts';
import { bin, startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { makeCertificate } from '../engine/vault/http/https-fixture.ts';

let served: ServeProcess | undefined;
let browser: Browser | undefined;
const problems: string[] = [];

const passwords = { admin: 'admin-password-1', alice: 'alice-password-1', bob: 'bob-password-12', carol: 'carol-password-1' } as const;
const secret = `launch code ${Date.now().toString(36)} ✓`;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
});

/** `signalbox serve` on a data folder (a fresh one unless given), with the given config. */
async function serve(config: string, dir = tempDir('e2e-vault')): Promise<ServeProcess> {
  if (served) await stopProcess(served.child);
  const file = join(dir, 'signalbox.yaml');
  writeFileSync(file, config);
  served = await startServeProcess(['--config', file, '--data-dir', dir]);
  return served;
}

/** One operator's console on the Vault page, in a browser context of its own (the admin's unless `who`). */
async function openVault(waitFor = 'vault-status', who: Operator = served!.admin): Promise<Page> {
  const page = await signedInPage(browser!, served!, who, { viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(served!.url);
  await page.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 10_000 });
  await page.getByTestId('nav-vault').click();
  await page.getByTestId(waitFor).waitFor({ timeout: 15_000 });
  return page;
}

function field(scope: Locator, label: string): Locator {
  return scope.getByLabel(label, { exact: true });
}

async function signAs(scope: Locator, who: string, name: string, password: string): Promise<void> {
  await field(scope, `${who} name`).fill(name);
  await field(scope, `${who} password`).fill(password);
}

/** Waits until a form field holds the value (fields filled in by another panel fill on the next render). */
async function waitForValue(field: Locator, value: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  let seen = await field.inputValue();
  while (seen !== value) {
    if (Date.now() - started > timeoutMs) assert.fail(`the field holds "${seen.slice(0, 60)}", not "${value.slice(0, 60)}"`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    seen = await field.inputValue();
  }
}

/** Every password field on the page is empty: none keeps a password after its call. */
async function passwordsLeft(page: Page): Promise<number> {
  return page.locator('input[type=password]').evaluateAll((inputs) => inputs.filter((input) => (input as HTMLInputElement).value !== '').length);
}

describe('Vault page in Chromium with the vault engine under serve (e2e)', () => {
  before(() => serve('engines:\n  vault:\n    enabled: true\n'));

  it('two owners approve an order from their own consoles and the requester decrypts it once', { timeout: 120_000 }, async (t) => {
    const console1 = await openVault();

    // An empty vault offers only its creation.
    const create = console1.getByTestId('vault-create-form');
    await create.waitFor({ timeout: 10_000 });
    await field(create, 'Admin name').fill('admin');
    await field(create, 'Password (10+ characters)').fill(passwords.admin);
    await field(create, 'Password again').fill(passwords.admin);
    await create.getByRole('button', { name: 'Create the vault' }).click();
    await console1.locator('[data-testid=vault-status][data-initialized=true]').waitFor({ timeout: 15_000 });
    await console1.getByTestId('vault-user-admin').waitFor({ timeout: 10_000 });
    t.diagnostic('vault created');

    await console1.getByText('Create an account (admin)').click();
    const createUser = console1.getByTestId('vault-create-user-form');
    for (const name of ['alice', 'bob', 'carol'] as const) {
      await field(createUser, 'New account name').fill(name);
      await field(createUser, 'Its password').fill(passwords[name]);
      await field(createUser, 'Its password again').fill(passwords[name]);
      await signAs(createUser, 'Admin', 'admin', passwords.admin);
      await createUser.getByRole('button', { name: 'Create account' }).click();
      await console1.getByTestId(`vault-user-${name}`).waitFor({ timeout: 15_000 });
    }
    assert.equal(await console1.getByTestId('vault-status-users').innerText(), '4');
    t.diagnostic('accounts alice, bob, carol created');

    // alice encrypts for alice AND bob: 2 of 2.
    const encrypt = console1.getByTestId('vault-encrypt-form');
    await encrypt.getByTestId('vault-encrypt-text').fill(secret);
    const owners = encrypt.getByTestId('vault-owners-picker');
    await owners.getByLabel('alice', { exact: true }).check();
    await owners.getByLabel('bob', { exact: true }).check();
    assert.equal(await field(encrypt, 'Owners needed').inputValue(), '2');
    await signAs(encrypt, 'Your', 'alice', passwords.alice);
    await encrypt.getByRole('button', { name: 'Encrypt', exact: true }).click();
    const ciphertextBox = console1.getByTestId('vault-ciphertext');
    await ciphertextBox.waitFor({ timeout: 15_000 });
    const ciphertext = await ciphertextBox.inputValue();
    assert.ok(ciphertext.length > 100 && !ciphertext.includes(secret), 'a ciphertext, without the plaintext in it');
    assert.match(await console1.getByTestId('vault-encrypted').innerText(), /2 of alice, bob/);
    t.diagnostic(`encrypted: ${ciphertext.length} characters of ciphertext`);

    // carol asks for it; the vault shows the ciphertext's owners before she sends.
    await console1.getByRole('button', { name: 'Request its decryption' }).click();
    const request = console1.getByTestId('vault-order-form');
    await waitForValue(request.getByTestId('vault-order-ciphertext'), ciphertext);
    await request.getByTestId('vault-order-ciphertext-info').waitFor({ timeout: 10_000 });
    assert.match(await request.getByTestId('vault-order-ciphertext-info').innerText(), /alice, bob/);
    await field(request, 'Reason (the owners see it)').fill('incident 42: rotate the key');
    await signAs(request, 'Requester', 'carol', passwords.carol);
    await request.getByRole('button', { name: 'Place order' }).click();
    const openRow = console1.locator('[data-testid=vault-order][data-status=open]');
    await openRow.waitFor({ timeout: 15_000 });
    const orderId = (await openRow.getAttribute('data-order-id'))!;
    assert.match(orderId, /^[0-9a-f]{24}$/);
    assert.equal(await openRow.getAttribute('data-satisfied'), 'false');
    t.diagnostic(`order ${orderId} placed by carol`);

    // bob approves in his own console (signed in as bob, an approver: he may approve, not administer),
    // where the order shows up by itself.
    const console2 = await openVault('vault-status', addOperator(served!.dataDir, 'bob', 'approver'));
    await console2.locator('[data-testid=signed-in][data-name=bob][data-role=approver]').waitFor({ timeout: 10_000 });
    const orderIn2 = console2.getByTestId(`vault-order-${orderId}`);
    await orderIn2.waitFor({ timeout: 10_000 });
    assert.match(await orderIn2.innerText(), /incident 42/);
    await orderIn2.getByTestId('vault-order-approve').click();
    const approve2 = orderIn2.getByTestId('vault-approve-form');
    // What bob approves, before any password: who asks and why, the owners and rule, the hash, the asked limits.
    const hash = (await console1.getByTestId('vault-encrypted').locator('code').getAttribute('title'))!;
    const details2 = await approve2.getByTestId('vault-approve-details').innerText();
    for (const shown of [
      'Requested by\ncarol',
      'incident 42: rotate the key',
      'Owners and rule\n2 of alice, bob',
      `Ciphertext hash\n${hash}`,
      'Approved by\nnobody yet',
      'Waiting for\nalice, bob',
    ])
      assert.ok(details2.includes(shown), `${shown} in ${details2}`);
    assert.match(details2, /Asked for\n.+, 1 use, until /);
    // A wrong password: the vault's answer shows next to the form, and the field is empty again.
    await signAs(approve2, 'Approver', 'bob', 'not-bobs-password');
    await approve2.getByRole('button', { name: 'Approve', exact: true }).click();
    const refused = approve2.getByTestId('vault-approve-error');
    await refused.waitFor({ timeout: 15_000 });
    assert.match(await refused.innerText(), /E_VAULT_AUTH/);
    assert.equal(await field(approve2, 'Approver password').inputValue(), '');
    await signAs(approve2, 'Approver', 'bob', passwords.bob);
    await approve2.getByRole('button', { name: 'Approve', exact: true }).click();
    await orderIn2.locator('li[data-approved]', { hasText: 'bob' }).waitFor({ timeout: 15_000 });
    assert.equal(await passwordsLeft(console2), 0, 'no password stays in a field after its call');
    t.diagnostic('bob approved in the second console');

    // alice approves in the first console; bob's approval reached it too.
    const orderIn1 = console1.getByTestId(`vault-order-${orderId}`);
    await orderIn1.locator('li[data-approved]', { hasText: 'bob' }).waitFor({ timeout: 10_000 });
    await orderIn1.getByTestId('vault-order-approve').click();
    const approve1 = orderIn1.getByTestId('vault-approve-form');
    const details1 = await approve1.getByTestId('vault-approve-details').innerText();
    assert.match(details1, /Approved by\nbob \(/);
    assert.match(details1, /Waiting for\nalice$/m, 'only who is still needed');
    await signAs(approve1, 'Approver', 'alice', passwords.alice);
    await approve1.getByRole('button', { name: 'Approve', exact: true }).click();
    await console1.locator(`[data-testid=vault-order][data-order-id="${orderId}"][data-satisfied=true]`).waitFor({ timeout: 15_000 });
    await console2.locator(`[data-testid=vault-order][data-order-id="${orderId}"][data-satisfied=true]`).waitFor({ timeout: 10_000 });
    await orderIn2.getByTestId('vault-order-approve').click();
    await orderIn2.getByTestId('vault-approve-details').getByText('nobody: enough owners have approved').waitFor({ timeout: 10_000 });
    await orderIn2.getByTestId('vault-approve-form').getByRole('button', { name: 'Close' }).click();
    // Each approval is a delegation bound to the order.
    await console1.locator(`[data-testid=vault-delegation-alice][data-order-id="${orderId}"]`).waitFor({ timeout: 10_000 });
    await console1.locator(`[data-testid=vault-delegation-bob][data-order-id="${orderId}"]`).waitFor({ timeout: 10_000 });
    t.diagnostic('alice approved in the first console: the order is satisfied');

    // carol decrypts: the order's Decrypt fills in the order, her name and the ciphertext.
    await orderIn1.getByTestId('vault-order-decrypt').click();
    const decrypt = console1.getByTestId('vault-decrypt-form');
    await waitForValue(decrypt.getByTestId('vault-decrypt-order'), orderId);
    await waitForValue(field(decrypt, 'Your name'), 'carol');
    await waitForValue(decrypt.getByTestId('vault-decrypt-ciphertext'), ciphertext);
    await field(decrypt, 'Your password').fill(passwords.carol);
    await decrypt.getByRole('button', { name: 'Decrypt', exact: true }).click();
    const plaintext = console1.getByTestId('vault-plaintext');
    await plaintext.waitFor({ timeout: 15_000 });
    assert.equal(await plaintext.innerText(), secret);
    await console1.locator(`[data-testid=vault-order][data-order-id="${orderId}"][data-status=fulfilled]`).waitFor({ timeout: 10_000 });
    assert.equal(await passwordsLeft(console1), 0, 'no password stays in a field after its call');
    t.diagnostic('carol decrypted; the order is fulfilled');

    // The plaintext is on screen only: not in the address bar, storage, or after leaving the page.
    assert.ok(!console1.url().includes(encodeURIComponent(secret)) && !console1.url().includes(secret), 'not in the URL');
    const stored = await console1.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!stored.includes(secret), 'not in web storage');
    await console1.getByTestId('nav-overview').click();
    await plaintext.waitFor({ state: 'detached', timeout: 5000 });
    assert.ok(!(await console1.content()).includes(secret), 'gone from the DOM once the page is left');
    await console1.getByTestId('nav-vault').click();
    await console1.getByTestId('vault-decrypt-form').waitFor({ timeout: 10_000 });
    assert.equal(await plaintext.count(), 0, 'not shown again on coming back');
    assert.ok(!(await console1.content()).includes(secret));

    // The audit log has the whole story, and its chain holds.
    const audit = console1.getByTestId('vault-audit');
    await console1.locator('[data-testid=vault-audit][data-chain=intact]').waitFor({ timeout: 10_000 });
    const events = await audit.getByTestId('vault-audit-entry').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event')));
    t.diagnostic(`audit events, newest first: ${events.join(' ')}`);
    assert.ok(!(await audit.innerText()).includes(secret), 'the audit log holds no plaintext');
    assert.equal(await console1.getByTestId('vault-status').getAttribute('data-chain'), 'intact');

    await console2.close();
    await console1.close();
    assert.deepEqual(problems, []);
  });
});

/** Runs `signalbox vault` on `vaultFile` and posts Red October API bodies to it, in order; then stops it. */
async function redOctoberApi(dir: string, vaultFile: string, calls: [string, object][]): Promise<{ Status: string; Code?: string }[]> {
  const { cert } = makeCertificate(dir);
  const child = spawn(
    process.execPath,
    [bin, 'vault', '--listen', '127.0.0.1:0', '--vault', vaultFile, '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    let stdout = '';
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        const match = /Red October API\): (https:\/\/\S+)\//.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`signalbox vault exited with ${code}`)));
    });
    const answers: { Status: string; Code?: string }[] = [];
    for (const [path, body] of calls) {
      answers.push(
        await new Promise((resolve, reject) => {
          const req = request(`${base}${path}`, { method: 'POST', ca: cert }, (res) => {
            let text = '';
            res
              .on('data', (chunk) => (text += chunk))
              .on('end', () => resolve(JSON.parse(text) as { Status: string }))
              .on('error', reject);
          });
          req.on('error', reject).end(JSON.stringify(body));
        }),
      );
    }
    return answers;
  } finally {
    await stopProcess(child);
  }
}

describe('Vault page in Chromium: an account asked for with ro create-user (e2e)', () => {
  it('shows it pending, and an admin approves it on the page', { timeout: 90_000 }, async () => {
    const dir = tempDir('e2e-vault-registration');
    const vaultFile = join(dir, 'vault.json');
    const answers = await redOctoberApi(dir, vaultFile, [
      ['/create', { Name: 'admin', Password: passwords.admin }],
      // What `ro create-user -name dave -password …` sends: no admin's credentials.
      ['/create-user', { Name: 'dave', Password: 'dave-password-1', UserType: 'rsa', HipchatName: '' }],
    ]);
    assert.deepEqual(
      answers.map((answer) => answer.Status),
      ['ok', 'ok'],
    );

    await serve(`engines:\n  vault:\n    enabled: true\n    file: ${vaultFile}\n`, dir);
    const page = await openVault('vault-users');
    const pending = page.locator('[data-testid=vault-user-dave][data-pending=true]');
    await pending.waitFor({ timeout: 15_000 });
    assert.match(await pending.innerText(), /pending approval/);
    await pending.getByRole('button', { name: 'Approve' }).click();
    const form = page.getByTestId('vault-modify-form');
    await signAs(form, 'Admin', 'admin', passwords.admin);
    await form.getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-testid=vault-user-dave][data-pending=false]').waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('vault-modify-result').innerText(), /dave is approved/);
    assert.equal(await passwordsLeft(page), 0);
    await page.close();
    assert.deepEqual(problems, []);
  });
});

describe('Vault page in Chromium on a host without the vault engine (e2e)', () => {
  before(() => serve('engines:\n  echo:\n    enabled: true\n'));

  it('says the engine is off and shows the config that turns it on', { timeout: 30_000 }, async () => {
    const page = await openVault('vault-unavailable');
    const text = await page.getByTestId('vault-unavailable').innerText();
    assert.match(text, /not enabled/);
    assert.match(text, /vault:\s+enabled: true/);
    assert.equal(await page.getByTestId('vault-status').count(), 0);
    await page.close();
    assert.deepEqual(problems, []);
  });
});
