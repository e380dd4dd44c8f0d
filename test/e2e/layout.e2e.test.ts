// The shell's layout in Chromium: the window never scrolls (only main does), whatever the page and
// wherever the wheel turns, and charts do not move the page when hovered. Every engine runs, so each
// page shows its full content; the config is the data folder's signalbox.yaml (no --config).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, recordProblems } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { freePort } from '../helpers/knot.ts';
import { signedInPage } from '../helpers/serve-auth.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';

let served: ServeProcess;
let browser: Browser;
let origin: Server;
const problems: string[] = [];
const pages = ['overview', 'dns', 'railgun', 'vault', 'bundler'];
const windows = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
];

before(async () => {
  origin = createServer((_req, res) => res.end('<html><body>origin</body></html>'));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const originPort = (origin.address() as { port: number }).port;
  const [dnsPort, senderPort, upstreamPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const dir = tempDir('e2e-layout');
  writeFileSync(
    join(dir, 'signalbox.yaml'),
    [
      'engines:',
      '  dns:',
      '    enabled: true',
      `    listen: ["127.0.0.1:${dnsPort}"]`,
      `    upstreams: ["127.0.0.1:${upstreamPort}"]`,
      '  railgun:',
      '    enabled: true',
      '    role: pair',
      `    origin: http://127.0.0.1:${originPort}`,
      `    listen: "127.0.0.1:${senderPort}"`,
      '  vault:',
      '    enabled: true',
      '  bundler:',
      '    enabled: true',
      '',
    ].join('\n'),
  );
  served = await startServeProcess(['--data-dir', dir]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
  origin?.close();
});

async function open(size: { width: number; height: number }): Promise<Page> {
  const page = await signedInPage(browser, served, served.admin, { viewport: size });
  recordProblems(page, problems);
  await page.goto(served.url);
  await page.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 10_000 });
  return page;
}

const documentFits = (page: Page) =>
  page.evaluate(() => ({ scrollHeight: document.documentElement.scrollHeight, innerHeight, scrollY }));

describe('console layout in Chromium (e2e)', () => {
  for (const size of windows) {
    it(`keeps the document within a ${size.width}x${size.height} window on every page after wheeling over the sidebar`, { timeout: 60_000 }, async () => {
      const page = await open(size);
      for (const route of pages) {
        await page.locator(`[data-testid=nav-${route}]`).click();
        // Each page's own content (the engine answered), so hidden captions deep in it exist.
        await page.locator('main .page, main .empty-state').first().waitFor({ timeout: 15_000 });
        await page.mouse.move(90, size.height - 40);
        await page.mouse.wheel(0, 3000);
        await page.locator('main').hover();
        await page.mouse.wheel(0, 3000);
        const fit = await documentFits(page);
        assert.ok(fit.scrollHeight <= fit.innerHeight, `${route}: document ${fit.scrollHeight} px tall in a ${fit.innerHeight} px window`);
        assert.equal(fit.scrollY, 0, `${route}: the window scrolled by ${fit.scrollY} px`);
      }
      await page.close();
    });
  }

  for (const route of ['dns', 'railgun']) {
    it(`does not move the ${route} page when the pointer hovers its chart (the legend keeps its size)`, { timeout: 30_000 }, async () => {
      const page = await open(windows[1]!);
      await page.locator(`[data-testid=nav-${route}]`).click();
      const chart = page.locator(`[data-testid=${route}-chart]`);
      await chart.locator('canvas').waitFor({ timeout: 15_000 });
      await page.mouse.move(5, 5);
      const before = (await chart.boundingBox())!;
      const box = (await chart.locator('.u-over').boundingBox())!;
      for (const x of [0.2, 0.5, 0.9]) {
        await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
        const during = (await chart.boundingBox())!;
        assert.equal(during.height, before.height, `chart ${before.height} px tall, ${during.height} px while hovered at ${x}`);
        assert.equal(during.width, before.width);
      }
      await page.close();
    });
  }

  it('raised no page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
