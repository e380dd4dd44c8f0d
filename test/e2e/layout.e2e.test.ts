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
import { everyEngineConfig, startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';

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
    everyEngineConfig({ dns: dnsPort, upstream: `127.0.0.1:${upstreamPort}`, railgun: senderPort, origin: `http://127.0.0.1:${originPort}` }),
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

const documentFits = (page: Page) => page.evaluate(() => ({ scrollHeight: document.documentElement.scrollHeight, innerHeight, scrollY }));

/**
 * Where the chart, its legend, the row holding it and every element of the page after that row
 * sit (each later one's top-left corner: their own live content may change their heights), after
 * the next frame, so a hover's legend update is drawn; and the legend's text.
 */
function layoutAround(page: Page, testId: string): Promise<{ boxes: string[]; legend: string }> {
  return page.evaluate(async (id) => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const chart = document.querySelector(`[data-testid=${id}]`)!;
    const row = Array.from(document.querySelector('main .page')!.children).find((child) => child.contains(chart))!;
    // No named functions in here: tsx would wrap them in a helper the page does not have.
    const placed: [string, Element, boolean][] = [
      ['chart', chart, false],
      ['legend', chart.querySelector('.u-legend')!, false],
      ['row', row, false],
    ];
    for (let next = row.nextElementSibling, n = 1; next; next = next.nextElementSibling, n++)
      placed.push([`${n}. after the chart's row (${next.className || next.tagName})`, next, true]);
    return {
      boxes: placed.map(([what, element, corner]) => {
        const r = element.getBoundingClientRect();
        return corner ? `${what} at ${r.left},${r.top}` : `${what} at ${r.left},${r.top} size ${r.width}x${r.height}`;
      }),
      legend: (chart.querySelector('.u-legend') as HTMLElement).innerText,
    };
  }, testId);
}

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
    for (const size of windows) {
      it(
        `does not move the ${route} page when the pointer hovers its chart at ${size.width}x${size.height} (the legend keeps its size)`,
        { timeout: 30_000 },
        async () => {
          const page = await open(size);
          await page.locator(`[data-testid=nav-${route}]`).click();
          const chart = page.locator(`[data-testid=${route}-chart]`);
          await chart.locator('canvas').waitFor({ timeout: 15_000 });
          // Seconds to show: the legend writes their values (where "—" stood) while hovered.
          await page.waitForFunction((id) => Number(document.querySelector(`[data-testid=${id}]`)?.getAttribute('data-points')) >= 3, `${route}-chart`, {
            timeout: 15_000,
          });
          await page.mouse.move(5, 5);
          const before = await layoutAround(page, `${route}-chart`);
          const over = (await chart.locator('.u-over').boundingBox())!;
          for (const x of [0.02, 0.2, 0.5, 0.9, 0.995]) {
            await page.mouse.move(over.x + over.width * x, over.y + over.height / 2);
            const during = await layoutAround(page, `${route}-chart`);
            assert.notEqual(during.legend, before.legend, `the legend shows the hovered second at ${x}`);
            assert.deepEqual(during.boxes, before.boxes, `hovered at ${x} of the chart`);
          }
          await page.close();
        },
      );
    }
  }

  it('raised no page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
