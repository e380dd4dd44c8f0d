// Health at a glance in Chromium: `signalbox serve` runs the DNS engine with Knot DNS and a dead
// address as upstreams; the console shows the dead one in a banner on every page, marks DNS in the
// navigation and the title, and the Overview lists the key figures and the engines left off.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openConsolePage } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { freePort, startKnot, type Knot } from '../helpers/knot.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';

let knot: Knot;
let served: ServeProcess;
let browser: Browser;
let dead: number;
const problems: string[] = [];

before(async () => {
  knot = await startKnot();
  const [dnsPort, deadPort] = await Promise.all([freePort(), freePort()]);
  dead = deadPort;
  const dir = tempDir('e2e-health');
  writeFileSync(
    join(dir, 'signalbox.yaml'),
    `engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:${dnsPort}"]\n    upstreams: ["127.0.0.1:${knot.port}", "127.0.0.1:${dead}"]\n    upstreamTimeoutMs: 200\n    healthCheck:\n      intervalMs: 200\n      failsToDown: 2\n`,
  );
  served = await startServeProcess(['--data-dir', dir]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
  await knot?.stop();
});

describe('health at a glance in Chromium, Knot and a dead upstream (e2e)', () => {
  it('shows the dead upstream in a banner, the navigation and the title', { timeout: 30_000 }, async () => {
    const page = await openConsolePage(browser, served, 'overview', problems);
    const item = page.locator('[data-testid=health-banner] [data-testid=health-dns][data-level=degraded]');
    await item.waitFor({ timeout: 15_000 });
    assert.match(await item.innerText(), new RegExp(`upstream 127\\.0\\.0\\.1:${dead} is down`));
    assert.match(await page.locator('[data-testid=nav-dns]').innerText(), /degraded/);
    assert.match(await page.title(), /^\[degraded\] Overview · Signalbox$/);
    // The banner stands above every page.
    await page.locator('[data-testid=nav-bundler]').click();
    await page.locator('[data-testid=health-banner] [data-testid=health-dns]').waitFor({ timeout: 5000 });
    await page.close();
  });

  it('lists key figures per engine and the engines left off with how to enable them', { timeout: 30_000 }, async () => {
    const page = await openConsolePage(browser, served, 'overview', problems);
    const card = page.locator('[data-testid=health-card-dns]');
    await card.waitFor({ timeout: 10_000 });
    const text = await card.innerText();
    assert.match(text, /Queries/);
    assert.match(text, /Upstreams healthy\s+1 of 2/);
    const disabled = page.locator('[data-testid=health-disabled]');
    assert.match(await disabled.innerText(), /railgun.*vault.*bundler|railgun, vault, bundler/);
    await disabled.locator('summary').click();
    assert.match(await disabled.innerText(), /vault:\s+enabled: true/);
    await page.close();
  });

  it('raised no page errors', () => {
    assert.deepEqual(problems, []);
  });
});
