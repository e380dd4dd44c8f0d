// Operators signing in to the built `signalbox serve` in Debian's Chromium: the first admin from the
// setup link, roles in the page and the API, sessions across a restart of serve, sign-out, an API
// token for /metrics, guessing from one source, and a Host header of another name.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, recordProblems } from '../helpers/browser.ts';
import { freePort } from '../helpers/knot.ts';
import { tempDir } from '../helpers/host.ts';
import { callFromPage } from '../helpers/page-api.ts';
import { addOperator, createApiToken, signedInPage } from '../helpers/serve-auth.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

let browser: Browser;
const running: ServeProcess[] = [];
const problems: string[] = [];

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  for (const served of running) await stopProcess(served.child);
});

async function serve(dataDir: string, options: { operators?: boolean; config?: string } = {}): Promise<ServeProcess> {
  const args = ['--data-dir', dataDir];
  if (options.config) {
    const file = join(dataDir, 'signalbox.yaml');
    writeFileSync(file, options.config);
    args.push('--config', file);
  }
  const served = await startServeProcess(args, { operators: options.operators ?? true });
  running.push(served);
  return served;
}

async function stop(served: ServeProcess): Promise<void> {
  await stopProcess(served.child);
  running.splice(running.indexOf(served), 1);
}

function signInFrom(served: ServeProcess, from: string, name: string, password: string): Promise<number> {
  const body = JSON.stringify({ name, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: served.port,
        path: '/auth/sign-in',
        method: 'POST',
        localAddress: from,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('operators sign in (e2e, Chromium)', () => {
  it('the first-run setup link creates the admin once; a second use is refused', async () => {
    const served = await serve(tempDir('e2e-sign-in'), { operators: false });
    assert.ok(served.setupUrl, `serve printed a setup link:\n${served.stdout()}`);
    const page = await browser.newPage();
    recordProblems(page, problems);
    await page.goto(served.setupUrl);
    const form = page.getByTestId('setup-form');
    await form.waitFor({ timeout: 10_000 });
    assert.equal(new URL(page.url()).hash, '', 'the setup token left the address bar');
    await page.getByTestId('sign-in-name').fill('root');
    await page.getByTestId('sign-in-password').fill('root password 1');
    await page.getByTestId('sign-in-submit').click();
    await page.locator('[data-testid=signed-in][data-name=root][data-role=admin]').waitFor({ timeout: 10_000 });

    const again = await browser.newPage();
    await again.goto(served.setupUrl);
    await again.getByTestId('sign-in-name').fill('second');
    await again.getByTestId('sign-in-password').fill('second password');
    await again.getByTestId('sign-in-submit').click();
    const error = again.getByTestId('sign-in-error');
    await error.waitFor({ timeout: 10_000 });
    assert.match(await error.innerText(), /used already.*E_SETUP_REFUSED/);
    await again.close();
    await page.close();
  });

  it('a viewer cannot flush the DNS cache: the button is disabled and the API answers E_FORBIDDEN', async () => {
    const dir = tempDir('e2e-sign-in');
    const dnsPort = await freePort();
    const served = await serve(dir, { config: `engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:${dnsPort}"]\n    upstreams: ["127.0.0.1:9"]\n` });
    const vera = addOperator(dir, 'vera', 'viewer');
    const page = await signedInPage(browser, served, vera, { viewport: { width: 1400, height: 1000 } });
    recordProblems(page, problems);
    await page.goto(served.url);
    await page.locator('[data-testid=signed-in][data-name=vera][data-role=viewer]').waitFor({ timeout: 10_000 });
    await page.getByTestId('nav-dns').click();
    const flush = page.getByTestId('dns-flush');
    await flush.waitFor({ timeout: 15_000 });
    await page.getByTestId('dns-flush-forbidden').waitFor({ timeout: 10_000 });
    assert.equal(await flush.isDisabled(), true);
    assert.match(await callFromPage(page, 'dns.cacheFlush', {}), /^E_FORBIDDEN: dns\.cacheFlush needs the operator role; vera has the viewer role/);
    assert.equal(await callFromPage(page, 'dns.stats', {}), 'ok', 'reading is what a viewer may do');
    await page.close();
  });

  it('a session survives a restart of serve, and sign-out invalidates it', async () => {
    const dir = tempDir('e2e-sign-in');
    const first = await serve(dir);
    const page = await browser.newPage();
    recordProblems(page, problems);
    await page.goto(first.url);
    await page.getByTestId('sign-in-name').fill(first.admin.name);
    await page.getByTestId('sign-in-password').fill(first.admin.password);
    await page.getByTestId('sign-in-submit').click();
    await page.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 10_000 });
    const [cookie] = await page.context().cookies();
    // Off the console while serve is down, so its reconnect attempts are not what this tests.
    await page.goto('about:blank');
    await stop(first);

    const second = await serve(dir);
    // Cookies belong to the host name, not the port: the new serve gets the same one.
    await page.goto(second.url);
    await page.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 10_000 });
    await page.locator(`[data-testid=signed-in][data-name=${second.admin.name}]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('sign-in-form').count(), 0, 'no second sign-in');

    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-form').waitFor({ timeout: 10_000 });
    // The old cookie, presented again, opens nothing.
    await page.context().addCookies([{ name: cookie!.name, value: cookie!.value, url: second.url }]);
    assert.equal(await callFromPage(page, 'host.info', {}), 'refused');
    await page.close();
  });

  it('an API token opens /metrics for Prometheus; without it, or revoked, /metrics is refused', async () => {
    const dir = tempDir('e2e-sign-in');
    const served = await serve(dir);
    const token = createApiToken(dir, 'prometheus', 'viewer', 'metrics');
    const scrape = (headers: Record<string, string>) => fetch(`${served.url}metrics`, { headers });
    const ok = await scrape({ Authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /signalbox_engine_up\{engine="echo"\} 1/);
    assert.equal((await scrape({})).status, 401);
    assert.equal((await scrape({ Authorization: `Bearer ${served.token}x` })).status, 401);
    const { operatorsCli } = await import('../helpers/serve-auth.ts');
    operatorsCli(dir, ['token-revoke', 'prometheus']);
    assert.equal((await scrape({ Authorization: `Bearer ${token}` })).status, 401, 'revoked on disk: refused by the running serve');
  });

  it('throttles wrong passwords from one source address without locking out another', async () => {
    const dir = tempDir('e2e-sign-in');
    const served = await serve(dir);
    const alice = addOperator(dir, 'alice', 'operator');
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) guesses.push(await signInFrom(served, '127.0.0.2', 'alice', `guess ${i}`));
    assert.deepEqual(guesses, [401, 401, 401, 429, 429]);
    assert.equal(await signInFrom(served, '127.0.0.2', 'alice', alice.password), 429, 'the guesser waits even with the right password');
    assert.equal(await signInFrom(served, '127.0.0.3', 'alice', alice.password), 200, 'alice gets in from her own address');
  });

  it('refuses a page reached by a Host name that is not the console (DNS rebinding)', async () => {
    const served = await serve(tempDir('e2e-sign-in'));
    // Chromium resolves rebound.example to 127.0.0.1, as a rebinding attacker's DNS would.
    const rebinding = await launchChromium(['--host-resolver-rules=MAP rebound.example 127.0.0.1']);
    try {
      const page = await rebinding.newPage();
      const answer = await page.goto(`http://rebound.example:${served.port}/`);
      assert.equal(answer?.status(), 421);
      assert.match(await page.content(), /not a name of this console/);
    } finally {
      await rebinding.close();
    }
  });

  it('an admin adds an operator on the Operators page, who then signs in; a viewer has no Operators page', async () => {
    const served = await serve(tempDir('e2e-sign-in'));
    const admin = await signedInPage(browser, served, served.admin, { viewport: { width: 1400, height: 1000 } });
    recordProblems(admin, problems);
    await admin.goto(served.url);
    await admin.getByTestId('nav-operators').click();
    await admin.getByTestId(`operator-${served.admin.name}`).waitFor({ timeout: 10_000 });
    await admin.getByTestId('operator-new-name').fill('vic');
    await admin.getByTestId('operator-new-role').selectOption('viewer');
    await admin.getByTestId('operator-new-password').fill('vic password 1');
    await admin.getByTestId('operator-add').click();
    await admin.getByTestId('operator-vic').waitFor({ timeout: 10_000 });
    await admin.close();

    const vic = await browser.newPage();
    recordProblems(vic, problems);
    await vic.goto(served.url);
    await vic.getByTestId('sign-in-name').fill('vic');
    await vic.getByTestId('sign-in-password').fill('vic password 1');
    await vic.getByTestId('sign-in-submit').click();
    await vic.locator('[data-testid=signed-in][data-name=vic][data-role=viewer]').waitFor({ timeout: 10_000 });
    await vic.getByTestId('nav-overview').waitFor();
    assert.equal(await vic.getByTestId('nav-operators').count(), 0);
    assert.match(await callFromPage(vic, 'host.operators', {}), /^E_FORBIDDEN: host\.operators needs the admin role/);
    await vic.close();
  });

  it('raised no page errors or CSP violations', () => {
    // Expected: the refused second use of the setup link (403) and the refused socket after sign-out.
    const expected = /status of 403 \(Forbidden\)|WebSocket connection to '.*' failed/;
    assert.deepEqual(
      problems.filter((problem) => !expected.test(problem)),
      [],
    );
  });
});
