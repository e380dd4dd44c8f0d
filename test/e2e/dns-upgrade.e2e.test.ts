// Upgrading the DNS engine from its page in Chromium, against real peers: `signalbox serve` runs
// the DNS engine (two workers on the same sockets) with Knot DNS as its upstream, kdig asks it
// before and after. The upgrade starts new processes from the code on disk (dist/, unchanged).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openDnsConsole, type DnsConsole } from '../helpers/dns-console.ts';
import { kdig, status } from '../helpers/knot.ts';

let dns: DnsConsole | undefined;
let page: Page;
let dnsPort: number;
const problems: string[] = [];
const workers = 2;

before(async () => {
  dns = await openDnsConsole(problems, `    workers: ${workers}\n`);
  ({ page, dnsPort } = dns);
});

after(async () => {
  await dns?.stop();
});

/** The process rows as the page shows them. */
function shownProcesses(): Promise<{ pid: number; status: string }[]> {
  return page
    .locator('[data-testid=dns-processes] [data-testid=dns-process-row]')
    .evaluateAll((rows) => rows.map((row) => ({ pid: Number(row.getAttribute('data-pid')), status: row.getAttribute('data-status') ?? '' })));
}

/** Waits until the page lists exactly `workers` processes, all running, none of them in `not`. */
async function waitForRunning(not: number[], timeout: number): Promise<void> {
  await page.waitForFunction(
    ({ count, old }) => {
      const rows = Array.from(document.querySelectorAll('[data-testid=dns-processes] [data-testid=dns-process-row]'));
      return rows.length === count && rows.every((row) => row.getAttribute('data-status') === 'running' && !old.includes(Number(row.getAttribute('data-pid'))));
    },
    { count: workers, old: not },
    { timeout },
  );
}

/** Notes in the page every upgrade phase shown and whether the button was ever disabled meanwhile. */
async function watchUpgrade(): Promise<void> {
  // No named functions inside: tsx's keepNames would wrap them in a helper the page does not have.
  await page.evaluate(() => {
    const seen = { phases: [] as string[], disabled: false };
    (window as unknown as { upgradeSeen: typeof seen }).upgradeSeen = seen;
    new MutationObserver(() => {
      const phase = document.querySelector('[data-testid=dns-upgrade-phase]')?.getAttribute('data-phase');
      if (phase && seen.phases.at(-1) !== phase) seen.phases.push(phase);
      if ((document.querySelector('[data-testid=dns-upgrade]') as HTMLButtonElement | null)?.disabled) seen.disabled = true;
    }).observe(document.querySelector('[data-testid=dns-processes]')!, { childList: true, subtree: true, attributes: true });
  });
}

describe('DNS page upgrades the engine in place in Chromium, Knot upstream, kdig client (e2e)', () => {
  it('shows the serving version and every worker process', { timeout: 20_000 }, async () => {
    await waitForRunning([], 15_000);
    const version = await page.locator('[data-testid=dns-version]').innerText();
    assert.match(version, /\d+\.\d+\.\d+/, `version shown: ${version}`);
    const rows = await page.locator('[data-testid=dns-process-row]').allInnerTexts();
    for (const row of rows) assert.ok(row.includes(version), `process row shows the version: ${row}`);
  });

  it('upgrades after one question, shows its phases, then new pids and the versions; kdig answers after', { timeout: 40_000 }, async (t) => {
    assert.equal(status(await kdig(dnsPort, ['www.example.test', 'A'])), 'NOERROR');
    await waitForRunning([], 15_000);
    const before = (await shownProcesses()).map((p) => p.pid);
    await watchUpgrade();

    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.accept();
    });
    const startedAt = Date.now();
    await page.locator('[data-testid=dns-upgrade]').click();
    const result = page.locator('[data-testid=dns-upgrade-result]');
    await result.waitFor({ timeout: 30_000 });
    const phase = await result.getAttribute('data-phase');
    assert.equal(phase, 'done', `upgrade ended ${phase}: ${await result.innerText()}`);
    t.diagnostic(`upgrade shown done ${Date.now() - startedAt} ms after the click`);

    assert.deepEqual(questions, ['Start a new DNS process from the code on disk and hand the sockets over? Queries keep being answered.']);
    const seen = await page.evaluate(() => (window as unknown as { upgradeSeen: { phases: string[]; disabled: boolean } }).upgradeSeen);
    t.diagnostic(`phases shown: ${seen.phases.join(' → ')}`);
    assert.ok(seen.disabled, 'the Upgrade button was disabled while the upgrade ran');
    assert.ok(
      seen.phases.some((p) => p === 'probing' || p === 'carrying state' || p === 'draining'),
      `the page showed the upgrade's progress from the host, not only its start: ${seen.phases.join(', ')}`,
    );

    await waitForRunning(before, 10_000);
    const version = await page.locator('[data-testid=dns-version]').innerText();
    const text = await result.innerText();
    assert.ok(text.includes(`to ${version}`) && /from \d+\.\d+\.\d+/.test(text), `result names both versions: ${text}`);
    assert.equal(await page.locator('[data-testid=dns-upgrade]').isDisabled(), false, 'the button is enabled again');
    await page.locator('[data-testid=dns-engine-events]', { hasText: 'upgraded' }).waitFor({ timeout: 5000 });

    assert.equal(status(await kdig(dnsPort, ['www.example.test', 'A'])), 'NOERROR');
    assert.equal(status(await kdig(dnsPort, ['www.example.test', 'AAAA', '+tcp'])), 'NOERROR');
  });

  it('raised no page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
