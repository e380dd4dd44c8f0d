// The Railgun page in Chromium against a real pair: `signalbox serve` runs the Railgun engine as a
// pair whose listener fetches from the corpus origin (a news page and a JSON document, the next version on
// each request), and the test fetches those pages through the sender as an edge client would.
// Everything listens on 127.0.0.1.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openConsolePage } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { freePort } from '../helpers/knot.ts';
import { startRedis } from '../helpers/redis.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { waitFor } from '../helpers/wait.ts';
import { corpusPages, startCorpusOrigin, type CorpusOrigin, type CorpusPage } from '../engine/railgun/corpus-origin.ts';

/** An HTML page and a JSON document that change from version to version. */
const replayed = ['synthetic-news-politics', 'synthetic-status-json'];
const versions = 20;

let origin: CorpusOrigin | undefined;
let served: ServeProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let senderPort: number;
let dir: string | undefined;
let pages: CorpusPage[];
const problems: string[] = [];

before(async () => {
  pages = corpusPages().filter((corpus) => replayed.includes(corpus.name));
  assert.equal(pages.length, replayed.length, `the corpus has ${replayed.join(' and ')}`);
  origin = await startCorpusOrigin(pages);
  senderPort = await freePort();
  dir = tempDir('e2e-railgun');
  const config = join(dir, 'signalbox.yaml');
  writeFileSync(config, `engines:\n  railgun:\n    enabled: true\n    role: pair\n    origin: ${origin.url}\n    listen: "127.0.0.1:${senderPort}"\n`);
  served = await startServeProcess(['--config', config, '--data-dir', dir]);
  browser = await launchChromium();
  page = await openConsolePage(browser, served, 'railgun', problems);
  // The engine may still be starting: the page says so, then fills in by itself.
  await page.locator('[data-testid=railgun-link-state][data-state=up]').waitFor({ timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
  await origin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One GET through the sender on a connection of its own, so a stopped sender refuses it at once. */
function getThroughSender(path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: senderPort, path, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** GETs `path` until the sender answers it with `status` (the ends may be restarting), for at most 10 s. */
async function answeredWith(path: string, status: number): Promise<{ status: number; body: Buffer }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await getThroughSender(path).catch((err: Error) => ({ status: 0, body: Buffer.from(err.message) }));
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`${path}: still ${answer.status} (${answer.body.toString().slice(0, 200)}), not ${status}, after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function tileValue(testId: string): Promise<number> {
  return Number(await page.locator(`[data-testid=${testId}]`).getAttribute('data-value'));
}

/** Waits until the Saved tile shows more than `than`, then reads both savings tiles. */
async function savedAfter(than: number): Promise<{ bytes: number; percent: number }> {
  await page.waitForFunction((old) => Number(document.querySelector('[data-testid=railgun-saved-bytes]')?.getAttribute('data-value')) > old, than, {
    timeout: 5000,
  });
  return { bytes: await tileValue('railgun-saved-bytes'), percent: await tileValue('railgun-saved-percent') };
}

function urlRow(name: string) {
  return page.locator(`[data-testid=railgun-url-row][data-url="/${name}"]`);
}

describe('Railgun page in Chromium with a real pair and the page corpus as origin (e2e)', () => {
  it('shows the bytes and the share saved rise while page versions replay through the sender', { timeout: 40_000 }, async (t) => {
    const before = await tileValue('railgun-saved-bytes');
    const readings: { bytes: number; percent: number }[] = [];
    for (let version = 0; version < versions; version++) {
      for (const corpus of pages) {
        const { status, body } = await getThroughSender(`/${corpus.name}`);
        assert.equal(status, 200, `/${corpus.name} version ${version}`);
        assert.ok(body.equals(corpus.versions[version]!), `/${corpus.name} version ${version} arrives byte for byte`);
      }
      // The first round crossed the link as full (compressed) bodies; the later ones as deltas.
      if (version === 0 || version === 9 || version === versions - 1) readings.push(await savedAfter(readings.at(-1)?.bytes ?? before));
    }
    t.diagnostic(`saved: ${readings.map((r) => `${r.bytes} B (${(r.percent * 100).toFixed(1)} %)`).join(' → ')}`);
    assert.ok(readings[0]!.bytes < readings[1]!.bytes && readings[1]!.bytes < readings[2]!.bytes, 'the saved bytes rise with each reading');
    assert.ok(readings[0]!.percent > 0 && readings[2]!.percent > readings[0]!.percent, 'deltas raise the share saved above the full bodies alone');
    assert.ok(readings[2]!.percent > 0.8, `deltas of changing versions save most of the bytes (${readings[2]!.percent})`);

    for (const corpus of pages) {
      const row = urlRow(corpus.name);
      await page.waitForFunction(
        (url) => document.querySelector(`[data-testid=railgun-url-row][data-url="${url}"]`)?.getAttribute('data-requests') === '20',
        `/${corpus.name}`,
        {
          timeout: 5000,
        },
      );
      assert.ok(Number(await row.getAttribute('data-saved')) > 0, `/${corpus.name} saved bytes`);
      assert.match(await row.innerText(), /\bhit\b/, `/${corpus.name}'s last request was a delta`);
    }
    // Sorted by bytes saved, most first.
    const saved = await page.locator('[data-testid=railgun-url-row]').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-saved'))));
    assert.deepEqual(
      saved,
      [...saved].sort((a, b) => b - a),
    );
    assert.equal(await page.locator('[data-testid=railgun-link-state]').innerText(), 'up');
    assert.ok(Number(await page.locator('[data-testid=railgun-chart]').getAttribute('data-points')) > 0, 'the chart has points');
    assert.ok((await page.locator('[data-testid=railgun-chart] canvas').count()) > 0, 'the chart has a canvas');
  });

  it('stops the pair after asking once, refusing clients, and starts it again', { timeout: 20_000 }, async () => {
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.locator('[data-testid=railgun-stop]').click();
    await page.locator('[data-testid=railgun-link-state][data-state=stopped]').waitFor({ timeout: 5000 });
    assert.equal(asked.length, 1);
    assert.match(asked[0]!, new RegExp(`127\\.0\\.0\\.1:${senderPort}`), 'the question names the address whose clients are refused');
    await assert.rejects(getThroughSender(`/${pages[0]!.name}`), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');

    await page.locator('[data-testid=railgun-start]').click();
    await page.locator('[data-testid=railgun-link-state][data-state=up]').waitFor({ timeout: 10_000 });
    const { status } = await getThroughSender(`/${pages[0]!.name}`);
    assert.equal(status, 200);
  });

  it("marks a limit the engine refuses with the engine's words, and applies nothing", { timeout: 20_000 }, async () => {
    const field = page.locator('[data-testid=railgun-config-versionsPerKey]');
    await field.fill('99');
    await page.locator('[data-testid=railgun-config-apply]').click();
    const error = page.locator('[data-testid=railgun-config-error]');
    await error.waitFor({ timeout: 5000 });
    assert.match(await error.innerText(), /versionsPerKey.*64.*E_INVALID_PARAMS/);
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Undo changes' }).click();
    assert.equal(await field.inputValue(), '4');
    assert.equal(await field.getAttribute('aria-invalid'), null);
  });

  it(
    'shows an origin that answers 5xx and one that is down: the reason, its time, the errors by kind since the engine started',
    { timeout: 40_000 },
    async () => {
      const { status } = await getThroughSender('/status/503');
      assert.equal(status, 503, "the origin's 503 reaches the client as it is");
      const reason = page.locator('[data-testid=railgun-failure-reason]');
      await page.waitForFunction(
        () => /origin error: the origin answered 503/.test(document.querySelector('[data-testid=railgun-failure-reason]')?.textContent ?? ''),
        null,
        { timeout: 5000 },
      );
      assert.match(await page.locator('[data-testid=railgun-since]').innerText(), /since the engine started at .*\d\d:\d\d:\d\d/);

      // The origin moves to a port where nothing listens: clients get 502, the page says why.
      const downPort = await freePort();
      const origin = page.locator('[data-testid=railgun-config-origin]');
      const workingOrigin = await origin.inputValue();
      await origin.fill(`http://127.0.0.1:${downPort}`);
      await page.locator('[data-testid=railgun-config-apply]').click();
      const before = Date.now();
      // The ends restart with the new origin: the sender refuses connections for a moment.
      const down = await answeredWith(`/${pages[0]!.name}`, 502);
      assert.doesNotMatch(down.body.toString(), /ECONNREFUSED/, 'the client reads no internal reason');
      await page.waitForFunction(
        (port) =>
          (document.querySelector('[data-testid=railgun-failure-reason]')?.textContent ?? '').includes(
            `origin unreachable: connect ECONNREFUSED 127.0.0.1:${port}`,
          ),
        downPort,
        { timeout: 5000 },
      );
      const at = Date.parse((await page.locator('[data-testid=railgun-failure-at]').getAttribute('datetime')) ?? '');
      assert.ok(at >= before - 1000 && at <= Date.now() + 1000, 'the last error time is that of the request');
      // The status, the tiles and the per-URL table are refreshed on their own schedules: wait for each.
      await waitFor(
        async () => /refused 1.*5xx 1|5xx 1.*refused 1/.test(await page.locator('[data-testid=railgun-failure-kinds]').innerText()),
        'the errors by kind',
        10_000,
        100,
      );
      await waitFor(async () => (await tileValue('railgun-errors')) >= 2, 'the Errors tile to count both', 10_000, 100);
      assert.match(await reason.innerText(), /ECONNREFUSED/);
      const row = urlRow(pages[0]!.name);
      await waitFor(async () => Number(await row.locator('[data-testid=railgun-url-errors]').innerText()) >= 1, 'the error counted for the URL', 10_000, 100);

      await origin.fill(workingOrigin);
      await page.locator('[data-testid=railgun-config-apply]').click();
      await answeredWith(`/${pages[1]!.name}`, 200);
    },
  );

  it(
    "switches the sender's version store to a real Redis from the form (a refused URL marked on its field first), then back to memory",
    { timeout: 40_000 },
    async () => {
      const redis = await startRedis(await freePort());
      const inspect = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      try {
        const kind = page.locator('[data-testid=railgun-config-store-kind]');
        assert.equal(await kind.inputValue(), 'memory');
        await kind.selectOption('redis');
        const url = page.locator('[data-testid=railgun-config-url]');
        await url.fill('http://127.0.0.1:6379');
        await page.locator('[data-testid=railgun-config-apply]').click();
        const error = page.locator('[data-testid=railgun-config-error]');
        await error.waitFor({ timeout: 5000 });
        assert.match(await error.innerText(), /redis:\/\/ or rediss:\/\/.*E_INVALID_PARAMS/);
        assert.equal(await url.getAttribute('aria-invalid'), 'true');

        await url.fill(`redis://127.0.0.1:${redis.port}`);
        await page.locator('[data-testid=railgun-config-ttl]').fill('900');
        await page.locator('[data-testid=railgun-config-apply]').click();
        await page
          .locator('[data-testid=railgun-config-result]')
          .getByText(/Applied at/)
          .waitFor({ timeout: 10_000 });
        await page.locator('[data-testid=railgun-link-state][data-state=up]').waitFor({ timeout: 10_000 });
        await answeredWith(`/${pages[0]!.name}`, 200);
        await waitFor(async () => (await inspect.keys('signalbox:railgun:*')).length >= 2, 'the sender to write the version to Redis', 10_000, 100);
        const [key] = await inspect.keys('signalbox:railgun:*');
        const ttl = await inspect.ttl(key!);
        assert.ok(ttl > 0 && ttl <= 900, `a version in Redis expires within the TTL set in the form (${ttl} s)`);

        await kind.selectOption('memory');
        await page.locator('[data-testid=railgun-config-apply]').click();
        await page
          .locator('[data-testid=railgun-config-result]')
          .getByText(/Applied at/)
          .waitFor({ timeout: 10_000 });
        await waitFor(
          async () => (await kind.inputValue()) === 'memory' && (await page.locator('[data-testid=railgun-config-url]').count()) === 0,
          'the form to show the memory store',
          10_000,
          100,
        );
      } finally {
        inspect.disconnect();
        await redis.stop();
      }
    },
  );

  it('raised no page errors or console errors', () => {
    assert.deepEqual(problems, []);
  });
});
