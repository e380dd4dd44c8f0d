// What each role sees in Chromium on the built `signalbox serve` with every engine on: every control
// that calls a procedure the signed-in role may not call is disabled, with a title naming the role
// it needs (the console takes the role from engine/api), and the API refuses that procedure with
// E_FORBIDDEN whatever the page shows; a role that may call it finds the control enabled.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, recordProblems } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { freePort } from '../helpers/knot.ts';
import { callFromPage, resultFromPage } from '../helpers/page-api.ts';
import { addOperator, signedInPage, type Operator } from '../helpers/serve-auth.ts';
import { everyEngineConfig, startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';

type Role = 'viewer' | 'operator' | 'approver' | 'admin';
type Route = 'overview' | 'dns' | 'railgun' | 'vault' | 'bundler';

interface Control {
  route: Route;
  what: string;
  selector: string;
  /** The procedure the control calls, and the least role that contract declares for it. */
  procedure: string;
  needs: Role;
  /** Enabled only once something changed (an Apply button): what to change first. */
  change?: (page: Page) => Promise<void>;
  /** Disabled for other reasons too (Purge with no live delegation): only the role's title is checked. */
  stateful?: boolean;
}

const upstream = '127.0.0.1:9';
const controls: Control[] = [
  { route: 'overview', what: 'engine Restart', selector: '[data-testid=engine-restart-echo]', procedure: 'host.restartEngine', needs: 'operator' },
  { route: 'dns', what: 'cache Flush', selector: '[data-testid=dns-flush]', procedure: 'dns.cacheFlush', needs: 'operator' },
  { route: 'dns', what: 'DNS Upgrade', selector: '[data-testid=dns-upgrade]', procedure: 'host.upgradeEngine', needs: 'operator' },
  {
    route: 'dns',
    what: 'upstream Disable',
    selector: `[data-testid="dns-upstream-${upstream}"] td.action button`,
    procedure: 'dns.setUpstream',
    needs: 'operator',
  },
  { route: 'dns', what: 'DNS config field', selector: '[data-testid=dns-config] input[type=checkbox] >> nth=0', procedure: 'dns.configSet', needs: 'operator' },
  {
    route: 'dns',
    what: 'DNS config Apply',
    selector: '[data-testid=dns-config-apply]',
    procedure: 'dns.configSet',
    needs: 'operator',
    change: (page) => page.locator('[data-testid=dns-config] input[type=checkbox]').first().click(),
  },
  { route: 'railgun', what: 'Railgun Stop', selector: '[data-testid=railgun-stop]', procedure: 'railgun.configSet', needs: 'operator' },
  {
    route: 'railgun',
    what: 'Railgun config Apply',
    selector: '[data-testid=railgun-config-apply]',
    procedure: 'railgun.configSet',
    needs: 'operator',
    change: (page) => page.locator('[data-testid=railgun-config] input[inputmode=numeric]').first().fill('7'),
  },
  { route: 'vault', what: 'order Approve', selector: '[data-testid=vault-order-approve]', procedure: 'vault.approve', needs: 'approver' },
  { route: 'vault', what: 'order Cancel', selector: '[data-testid=vault-order-cancel]', procedure: 'vault.cancelOrder', needs: 'operator' },
  { route: 'vault', what: 'Request decryption', selector: '[data-testid=vault-order-open]', procedure: 'vault.order', needs: 'operator' },
  { route: 'vault', what: 'Encrypt', selector: '[data-testid=vault-encrypt-submit]', procedure: 'vault.encrypt', needs: 'operator' },
  { route: 'vault', what: 'Decrypt', selector: '[data-testid=vault-decrypt-submit]', procedure: 'vault.decrypt', needs: 'operator' },
  { route: 'vault', what: 'Delegate', selector: '[data-testid=vault-delegate-open]', procedure: 'vault.delegate', needs: 'approver' },
  { route: 'vault', what: 'Purge', selector: '[data-testid=vault-purge-open]', procedure: 'vault.purge', needs: 'approver', stateful: true },
  {
    route: 'vault',
    what: 'Create an account',
    selector: '[data-testid=vault-create-user-form] button[type=submit]',
    procedure: 'vault.createUser',
    needs: 'operator',
  },
  {
    route: 'vault',
    what: 'Change my password',
    selector: '[data-testid=vault-password-form] button[type=submit]',
    procedure: 'vault.changePassword',
    needs: 'operator',
  },
  {
    route: 'vault',
    what: 'Import a Red October file',
    selector: '[data-testid=vault-import-form] button[type=submit]',
    procedure: 'vault.importRedOctober',
    needs: 'admin',
    stateful: true,
  },
  { route: 'vault', what: 'account Make admin', selector: '[data-testid=vault-user-bob] button >> nth=0', procedure: 'vault.modify', needs: 'admin' },
  { route: 'bundler', what: 'bundler Choose files', selector: '[data-testid=bundler-choose]', procedure: 'bundler.bundle', needs: 'operator' },
  { route: 'bundler', what: 'bundler paste box', selector: '[data-testid=bundler-paste]', procedure: 'bundler.bundle', needs: 'operator' },
];

const rank: Record<Role, number> = { viewer: 0, operator: 1, approver: 2, admin: 3 };

let browser: Browser;
let served: ServeProcess;
const people: Record<'vera' | 'otto' | 'alex', Operator> = {} as never;
const problems: string[] = [];

before(async () => {
  const dir = tempDir('e2e-roles');
  const [dnsPort, railgunPort, originPort] = [await freePort(), await freePort(), await freePort()];
  const config = join(dir, 'signalbox.yaml');
  // The upstream and the origin are ports where nothing listens: the controls are there all the same.
  writeFileSync(config, everyEngineConfig({ dns: dnsPort, upstream, railgun: railgunPort, origin: `http://127.0.0.1:${originPort}` }));
  [browser, served] = await Promise.all([launchChromium(), startServeProcess(['--config', config, '--data-dir', dir])]);
  people.vera = addOperator(dir, 'vera', 'viewer');
  people.otto = addOperator(dir, 'otto', 'operator');
  people.alex = addOperator(dir, 'alex', 'approver');

  // An open order in the vault, so its Approve and Cancel are on the page.
  const admin = await signedInPage(browser, served, served.admin);
  await admin.goto(served.url);
  const vaultAdmin = { name: 'root', password: 'root password 1' };
  await resultFromPage(admin, 'vault.create', vaultAdmin);
  await resultFromPage(admin, 'vault.createUser', { admin: vaultAdmin, name: 'bob', password: 'bob password 12' });
  const { ciphertext } = await resultFromPage<{ ciphertext: string }>(admin, 'vault.encrypt', {
    credentials: vaultAdmin,
    data: Buffer.from('the launch code').toString('base64'),
    access: { kind: 'owners', owners: ['root', 'bob'], minimum: 2 },
  });
  await resultFromPage(admin, 'vault.order', { credentials: vaultAdmin, ciphertext, reason: 'role gating test', seconds: 600, uses: 1 });
  await admin.close();
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
});

async function consoleOf(who: Operator, role: Role): Promise<Page> {
  const page = await signedInPage(browser, served, who, { viewport: { width: 1400, height: 1000 } });
  recordProblems(page, problems);
  await page.goto(served.url);
  // The identity is known: until then every gated control is disabled as "checking".
  await page.locator(`[data-testid=signed-in][data-name=${who.name}][data-role=${role}]`).waitFor({ timeout: 15_000 });
  return page;
}

/** Whether the control is disabled (itself or by its fieldset) and the title that explains it (its own or its gate's). */
async function stateOf(control: Locator): Promise<{ disabled: boolean; title: string | null }> {
  // Attached, not visible: some forms sit in closed <details>.
  await control.waitFor({ state: 'attached', timeout: 20_000 });
  return control.evaluate((element) => ({ disabled: element.matches(':disabled'), title: element.closest('[title]')?.getAttribute('title') ?? null }));
}

/** Visits each page in turn and hands over each of its controls. */
async function eachControl(page: Page, check: (control: Control, locator: Locator) => Promise<void>): Promise<void> {
  for (const route of new Set(controls.map((control) => control.route))) {
    await page.getByTestId(`nav-${route}`).click();
    for (const control of controls.filter((c) => c.route === route)) await check(control, page.locator(control.selector).first());
  }
}

function expectRefused(control: Control, state: { disabled: boolean; title: string | null }, who: string, role: Role): void {
  assert.equal(state.disabled, true, `${control.what} is disabled for ${who} (${role})`);
  assert.equal(
    state.title,
    `Needs the ${control.needs} role: ${who} has the ${role} role. An admin can change it on the Operators page.`,
    `${control.what}'s title`,
  );
}

describe('controls follow the role declared in engine/api (e2e, Chromium)', () => {
  it('a viewer finds every control that changes something disabled, naming the role it needs, and the API refuses each with E_FORBIDDEN', async () => {
    const page = await consoleOf(people.vera, 'viewer');
    await eachControl(page, async (control, locator) => expectRefused(control, await stateOf(locator), 'vera', 'viewer'));
    for (const procedure of new Set(controls.map((control) => control.procedure))) {
      const needs = controls.find((control) => control.procedure === procedure)!.needs;
      assert.match(
        await callFromPage(page, procedure, {}),
        new RegExp(`^E_FORBIDDEN: ${procedure.replace('.', '\\.')} needs the ${needs} role; vera has the viewer role`),
      );
    }
    // Reached by its address, the Operators page says who may use it instead of asking the host.
    await page.goto(`${served.url}#/operators`);
    const refused = page.getByTestId('operators-forbidden');
    await refused.waitFor({ timeout: 10_000 });
    assert.match(await refused.innerText(), /Needs the admin role: vera has the viewer role/);
    assert.match(await callFromPage(page, 'host.addOperator', {}), /^E_FORBIDDEN: host\.addOperator needs the admin role/);
    await page.close();
  });

  it('an operator finds the operator controls enabled, and the approver and admin ones disabled naming their role', async () => {
    const page = await consoleOf(people.otto, 'operator');
    await eachControl(page, async (control, locator) => {
      if (rank[control.needs] > rank.operator) return expectRefused(control, await stateOf(locator), 'otto', 'operator');
      await control.change?.(page);
      const state = await stateOf(locator);
      assert.doesNotMatch(state.title ?? '', /Needs the/, `${control.what} has no role title for otto`);
      if (!control.stateful) assert.equal(state.disabled, false, `${control.what} is enabled for otto (operator)`);
    });
    assert.match(await callFromPage(page, 'vault.approve', {}), /^E_FORBIDDEN: vault\.approve needs the approver role; otto has the operator role/);
    await page.close();
  });

  it('an approver may approve and delegate in the vault, not manage its accounts', async () => {
    const page = await consoleOf(people.alex, 'approver');
    await page.getByTestId('nav-vault').click();
    for (const control of controls.filter((c) => c.route === 'vault' && !c.stateful)) {
      const state = await stateOf(page.locator(control.selector).first());
      if (control.needs === 'admin') expectRefused(control, state, 'alex', 'approver');
      else assert.deepEqual(state, { disabled: false, title: null }, `${control.what} for alex (approver)`);
    }
    await page.close();
  });

  it('raised no page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
