// The Bundler page in Chromium: `signalbox serve` runs the bundler engine with the shipped trust
// data, and the page gets cloudflare.com's real leaf from x509-limbo's online cases (chosen,
// then dropped), validated at the case's validation time. Its chains differ by flavor: ubiquitous
// goes to GlobalSign (more platforms), optimal to GTS Root R4 (shorter-lived, stronger crypto).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { signedInPage } from '../helpers/serve-auth.ts';
import { childPids, startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';

const limboCase = fileURLToPath(new URL('../fixtures/x509-limbo/online/cloudflare.com.limbo.json', import.meta.url));
const limbo = JSON.parse(readFileSync(limboCase, 'utf8')) as { peer_certificate: string; untrusted_intermediates: string[]; validation_time: string };
/** The case's validation time as a datetime-local value; the page runs in UTC. */
const validateAt = limbo.validation_time.replace(/(\+00:00|Z)$/, '');

let served: ServeProcess | undefined;
let disabled: ServeProcess | undefined;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

async function serve(config: string): Promise<ServeProcess> {
  const dir = tempDir('e2e-bundler');
  const file = join(dir, 'signalbox.yaml');
  writeFileSync(file, config);
  return startServeProcess(['--config', file, '--data-dir', dir]);
}

async function openBundler(on: ServeProcess): Promise<Page> {
  const opened = await signedInPage(browser!, on, on.admin, { viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
  opened.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  opened.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await opened.goto(on.url);
  await opened.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 10_000 });
  await opened.getByTestId('nav-bundler').click();
  return opened;
}

before(async () => {
  [served, disabled, browser] = await Promise.all([
    serve('engines:\n  bundler:\n    enabled: true\n'),
    serve('engines:\n  echo:\n    enabled: true\n'),
    launchChromium(),
  ]);
  page = await openBundler(served);
  // The engine may still be starting: the page says so, then fills in by itself.
  await page.getByTestId('bundler-trust-date').waitFor({ timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await Promise.all([served && stopProcess(served.child), disabled && stopProcess(disabled.child)]);
});

/** The name of the root of the chain ranked first. */
async function chosenRoot(): Promise<string | null> {
  return page.locator('[data-testid=bundler-chain][data-rank="1"]').getAttribute('data-root-name');
}

/** Waits until the page shows an answer (not one being replaced) whose first chain ends at this root. */
async function waitForChosenRoot(name: string): Promise<void> {
  await page.waitForFunction(
    (root) =>
      document.querySelector('.bundler-results')?.getAttribute('data-busy') === 'false' &&
      document.querySelector('[data-testid=bundler-chain][data-rank="1"]')?.getAttribute('data-root-name') === root,
    name,
    { timeout: 10_000 },
  );
}

async function removeAllFiles(): Promise<void> {
  for (const button of await page.getByRole('button', { name: /^Remove / }).all()) await button.click();
  await page.getByTestId('bundler-file').first().waitFor({ state: 'detached', timeout: 5000 });
}

describe('Bundler page in Chromium with the bundler engine under serve (e2e)', () => {
  it('shows the trust data and its date in the header', async () => {
    const date = page.getByTestId('bundler-trust-date');
    assert.match(await date.innerText(), /^root stores of \d{4}(-\d{2}-\d{2})?$/);
  });

  it('ranks the chains of a chosen PEM leaf, marks rank 1 chosen and shows the bundle', { timeout: 30_000 }, async (t) => {
    await page.getByTestId('bundler-at').fill(validateAt);
    await page
      .getByTestId('bundler-file-input')
      .setInputFiles({ name: 'cloudflare.com.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(limbo.peer_certificate) });
    await page.locator('[data-testid=bundler-file][data-name="cloudflare.com.pem"]').waitFor({ timeout: 5000 });
    await page.locator('[data-testid=bundler-chain][data-rank="1"]').waitFor({ timeout: 15_000 });

    const chains = page.getByTestId('bundler-chain');
    const ranks = await chains.evaluateAll((cards) => cards.map((card) => Number(card.getAttribute('data-rank'))));
    t.diagnostic(`${ranks.length} chains`);
    assert.ok(ranks.length >= 2, `more than one candidate chain: ${ranks.join(', ')}`);
    assert.deepEqual(
      ranks,
      ranks.map((_, index) => index + 1),
      'ranked 1..n in order',
    );
    const first = page.locator('[data-testid=bundler-chain][data-rank="1"]');
    assert.equal(await first.getAttribute('data-chosen'), 'true');
    assert.match(await first.innerText(), /chosen/);
    assert.equal(await page.locator('[data-testid=bundler-chain][data-chosen=true]').count(), 1);
    // Every loser says where it lost.
    assert.equal(await page.getByTestId('bundler-lost').count(), ranks.length - 1);
    assert.match(await page.getByTestId('bundler-summary').innerText(), /Mar 12, 2026/);
    assert.match(await page.getByTestId('bundler-leaf-choice').innerText(), /cloudflare\.com\.pem#1: the first certificate uploaded that is not a CA/);

    const pem = await page.getByTestId('bundler-bundle-pem').inputValue();
    assert.ok(pem.startsWith(limbo.peer_certificate.trim().slice(0, 64)), 'the bundle starts with the leaf');
    assert.equal(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2, 'leaf and intermediate; the root is left out');
    assert.match(await page.getByTestId('bundler-chosen').innerText(), /Copy/);
    const card = page.locator('[data-testid=bundler-cert-card][data-role=leaf]');
    assert.match(await card.innerText(), /cloudflare\.com/);
    assert.match(await card.innerText(), /\d+ d left/);
  });

  it('re-ranks when the flavor changes: ubiquitous to GlobalSign, optimal to GTS Root R4', { timeout: 30_000 }, async (t) => {
    await waitForChosenRoot('GlobalSign');
    const before = await chosenRoot();
    await page.getByTestId('bundler-flavor-optimal').check();
    await waitForChosenRoot('GTS Root R4');
    t.diagnostic(`ubiquitous: ${before}; optimal: ${await chosenRoot()}`);
    await page.getByTestId('bundler-flavor-ubiquitous').check();
    await waitForChosenRoot('GlobalSign');
  });

  it('takes a file dropped on the zone (a real DataTransfer) and marks uploaded, pool and root-store certificates', { timeout: 30_000 }, async () => {
    await removeAllFiles();
    await page.locator('.bundler-results').waitFor({ state: 'detached', timeout: 5000 });
    const chain = limbo.peer_certificate + limbo.untrusted_intermediates.join('');
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'cloudflare-chain.pem', { type: 'application/x-pem-file' }));
      return transfer;
    }, chain);
    const zone = page.getByTestId('bundler-drop');
    await zone.dispatchEvent('dragover', { dataTransfer });
    assert.equal(await zone.getAttribute('data-dragging'), 'true');
    await zone.dispatchEvent('drop', { dataTransfer });
    await page.locator('[data-testid=bundler-file][data-name="cloudflare-chain.pem"]').waitFor({ timeout: 5000 });
    await waitForChosenRoot('GlobalSign');
    // Ubiquitous goes through the pool's WE1 (cross-signed by GlobalSign); the chains to GTS Root R4
    // through the WE1 that was uploaded.
    const origins = await page.getByTestId('bundler-chain').evaluateAll((cards) =>
      cards.map(
        (card) =>
          `${card.getAttribute('data-root-name')}: ${Array.from(card.querySelectorAll('.bundler-node'))
            .map((node) => node.getAttribute('data-origin'))
            .join(' ')}`,
      ),
    );
    assert.equal(origins[0], 'GlobalSign: uploaded pool root');
    assert.ok(origins.includes('GTS Root R4: uploaded uploaded root'), origins.join('; '));
    assert.ok((await page.getByTestId('bundler-cert-card').count()) >= 2, 'a card for the leaf and the uploaded intermediate');
    assert.match(await page.getByTestId('bundler-bundle-pem').inputValue(), /BEGIN CERTIFICATE/);
  });

  it('saves the bundle as bundle.pem', { timeout: 15_000 }, async () => {
    const pem = await page.getByTestId('bundler-bundle-pem').inputValue();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 5000 }), page.getByRole('button', { name: 'Save bundle.pem' }).click()]);
    assert.equal(download.suggestedFilename(), 'bundle.pem');
    const saved = await download.path();
    assert.equal(readFileSync(saved, 'utf8'), pem);
  });

  it('keeps the files, options and answer while the operator visits another page', { timeout: 20_000 }, async () => {
    await page.getByTestId('bundler-flavor-optimal').check();
    await waitForChosenRoot('GTS Root R4');
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('bundler-summary').waitFor({ state: 'detached', timeout: 5000 });
    await page.getByTestId('nav-bundler').click();
    await page.locator('[data-testid=bundler-file][data-name="cloudflare-chain.pem"]').waitFor({ timeout: 5000 });
    assert.equal(await page.getByTestId('bundler-flavor-optimal').isChecked(), true);
    await waitForChosenRoot('GTS Root R4');
    await page.getByTestId('bundler-flavor-ubiquitous').check();
    await waitForChosenRoot('GlobalSign');
  });

  it('lists what could not be read next to the drop zone, with its code', { timeout: 15_000 }, async () => {
    await page.getByTestId('bundler-paste').fill('this is not a certificate');
    const problem = page.locator('[data-testid=bundler-problem]', { hasText: 'pasted' });
    await problem.waitFor({ timeout: 10_000 });
    assert.match(await problem.innerText(), /\d{4}/);
    await page.getByTestId('bundler-paste').fill('');
    await problem.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('marks a file nothing could be read from on its chip, and says why there is no chain (expired on ..., 1211)', { timeout: 30_000 }, async () => {
    await page.getByTestId('bundler-file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, not a certificate') });
    const chip = page.locator('[data-testid=bundler-file][data-name="notes.txt"]');
    await page.locator('[data-testid=bundler-file][data-name="notes.txt"][data-state=error]').waitFor({ timeout: 10_000 });
    assert.match(await chip.innerText(), /1002/);
    assert.equal(await page.locator('[data-testid=bundler-file][data-name="cloudflare-chain.pem"]').getAttribute('data-state'), 'ok');
    await page.getByRole('button', { name: 'Remove notes.txt' }).click();
    // Years after every certificate of the chain has expired.
    await page.getByTestId('bundler-at').fill('2040-01-01T00:00:00');
    const verdict = page.getByTestId('bundler-verdict');
    await verdict.waitFor({ timeout: 10_000 });
    assert.match(await verdict.innerText(), /expired on 20\d\d-/);
    await page.getByTestId('bundler-at').fill(validateAt);
    await waitForChosenRoot('GlobalSign');
  });

  it('refuses a file over 1 MiB before sending it, and says so', { timeout: 15_000 }, async () => {
    await page
      .getByTestId('bundler-file-input')
      .setInputFiles({ name: 'huge.pem', mimeType: 'application/x-pem-file', buffer: Buffer.alloc(1024 * 1024 + 1, 0x41) });
    const refused = page.getByTestId('bundler-refused');
    await refused.waitFor({ timeout: 5000 });
    assert.match(await refused.innerText(), /huge\.pem has 1\.0 MiB; the bundler reads at most 1\.0 MiB a file/);
    assert.equal(await page.locator('[data-testid=bundler-file][data-name="huge.pem"]').count(), 0);
  });

  it('bundles again by itself when the engine process was killed (kill -9) and restarted', { timeout: 30_000 }, async (t) => {
    await waitForChosenRoot('GlobalSign');
    const engines = childPids(served!.child.pid!).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('bundler'));
    assert.equal(engines.length, 1, 'one bundler engine process');
    process.kill(engines[0]!, 'SIGKILL');
    const killedAt = Date.now();
    // The change reaches an engine that is gone; the page keeps the last answer and asks again.
    await page.getByTestId('bundler-flavor-optimal').check();
    await waitForChosenRoot('GTS Root R4');
    t.diagnostic(`answered again ${Date.now() - killedAt} ms after the kill`);
    await page.getByTestId('bundler-flavor-ubiquitous').check();
    await waitForChosenRoot('GlobalSign');
  });

  it('says how to enable the engine on a host that does not run it', { timeout: 20_000 }, async () => {
    const other = await openBundler(disabled!);
    const notice = other.getByTestId('bundler-unavailable');
    await notice.waitFor({ timeout: 10_000 });
    assert.match(await notice.innerText(), /bundler:\s+enabled: true/);
    await other.close();
  });

  it('logs no page or console errors', () => {
    assert.deepEqual(problems, []);
  });
});
