// The DNS page in Chromium against real peers: `signalbox serve` runs the DNS engine with Knot DNS
// as its upstream, and kdig sends the queries. Everything listens on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openDnsConsole, type DnsConsole } from '../helpers/dns-console.ts';
import { kdig, status } from '../helpers/knot.ts';

let dns: DnsConsole | undefined;
let page: Page;
let dnsPort: number;
const problems: string[] = [];
/** Names are unique per run, so a row can only come from the query this test sent. */
const run = Date.now().toString(36);

before(async () => {
  dns = await openDnsConsole(problems);
  ({ page, dnsPort } = dns);
});

after(async () => {
  await dns?.stop();
});

/** Notes in the page when a row for each name first appears, by the page's own clock. */
async function watchForRows(names: string[]): Promise<void> {
  // No named functions inside: tsx's keepNames would wrap them in a helper the page does not have.
  await page.evaluate((wanted) => {
    const seen: Record<string, number> = {};
    (window as unknown as { seenRows: Record<string, number> }).seenRows = seen;
    const observer = new MutationObserver(() => {
      for (const name of wanted) {
        if (seen[name] === undefined && document.querySelector(`[data-testid=dns-log-row][data-qname="${name}"]`)) seen[name] = Date.now();
      }
      if (Object.keys(seen).length === wanted.length) observer.disconnect();
    });
    observer.observe(document.querySelector('[data-testid=dns-log]')!, { childList: true, subtree: true, attributes: true });
  }, names);
}

async function seenRows(): Promise<Record<string, number>> {
  return page.evaluate(() => (window as unknown as { seenRows: Record<string, number> }).seenRows);
}

function rowFor(name: string) {
  return page.locator(`[data-testid=dns-log-row][data-qname="${name}"]`);
}

describe('DNS page in Chromium with Knot as upstream and kdig as client (e2e)', () => {
  it('shows each query kdig sends in the live log within 1 s of its answer', { timeout: 30_000 }, async (t) => {
    const names = [1, 2, 3].map((i) => `live-${i}-${run}.example.test`);
    await watchForRows(names);
    const answeredAt: Record<string, number> = {};
    await Promise.all(
      names.map(async (name) => {
        const output = await kdig(dnsPort, [name, 'A']);
        answeredAt[name] = Date.now();
        assert.equal(status(output), 'NXDOMAIN', `kdig ${name}: ${output}`);
      }),
    );
    for (const name of names) await rowFor(name).waitFor({ timeout: 5000 });
    const seen = await seenRows();
    const delays = names.map((name) => Math.max(0, seen[name]! - answeredAt[name]!));
    t.diagnostic(`rows visible ${delays.join(', ')} ms after kdig had its answers`);
    assert.ok(
      delays.every((ms) => ms < 1000),
      `rows appeared ${delays.join(', ')} ms after kdig had its answers`,
    );
    const row = rowFor(names[0]!);
    assert.match(await row.innerText(), /NXDOMAIN/);
    assert.match(await row.innerText(), /\bA\b/);
  });

  it('updates the query tile and draws the chart', { timeout: 30_000 }, async () => {
    const tile = page.locator('[data-testid=dns-tile-qps]');
    const before = Number(await tile.getAttribute('data-value'));
    for (const type of ['A', 'AAAA', 'MX']) assert.equal(status(await kdig(dnsPort, ['www.example.test', type])), 'NOERROR');
    await page.waitForFunction((old) => Number(document.querySelector('[data-testid=dns-tile-qps]')?.getAttribute('data-value')) >= old + 3, before, {
      timeout: 5000,
    });
    assert.equal((await page.locator('[data-testid=dns-chart] canvas').count()) > 0, true, 'the chart has a canvas');
    // Seconds with traffic reach the chart from dns.history and the dns.seconds stream.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=dns-chart]')?.getAttribute('data-points')) > 0, undefined, {
      timeout: 5000,
    });
  });

  it('opens the packet drawer on a row click with the decoded question, and Esc closes it', { timeout: 30_000 }, async () => {
    const name = `drawer-${run}.example.test`;
    await kdig(dnsPort, [name, 'AAAA']);
    await rowFor(name).click({ timeout: 5000 });
    const drawer = page.locator('[data-testid=dns-packet-drawer]');
    await drawer.waitFor({ timeout: 5000 });
    const question = drawer.locator('[data-testid=dns-packet-question]').first();
    await question.waitFor({ timeout: 5000 });
    const text = await question.innerText();
    assert.ok(text.includes(name) && /\bAAAA\b/.test(text), `decoded question: ${text}`);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached', timeout: 5000 });
  });

  it('narrows the log to names that contain the filter text', { timeout: 30_000 }, async () => {
    const wanted = `wanted-${run}`;
    await kdig(dnsPort, [`other-${run}.example.test`, 'A']);
    await rowFor(`other-${run}.example.test`).waitFor({ timeout: 5000 });
    await page.locator('[data-testid=dns-filter-qname]').fill(wanted);
    // The filter reaches the engine once typing pauses; the list then holds matches only.
    await page.waitForFunction(
      () => {
        const log = document.querySelector('[data-testid=dns-log]');
        return log?.getAttribute('data-loading') === 'false' && document.querySelectorAll('[data-testid=dns-log-row]').length === 0;
      },
      undefined,
      { timeout: 5000 },
    );
    const unmatched = `after-${run}.example.test`;
    const matched = `${wanted}.example.test`;
    await kdig(dnsPort, [unmatched, 'A']);
    await kdig(dnsPort, [matched, 'A']);
    await rowFor(matched).waitFor({ timeout: 5000 });
    const shown = await page.locator('[data-testid=dns-log-row]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-qname')));
    assert.deepEqual(shown, [matched]);
  });

  it('shows the route table and the route each query took', { timeout: 30_000 }, async () => {
    // No routes configured: the root route to the default pool takes every name.
    const root = page.locator('[data-testid="dns-route-."]');
    await root.waitFor({ timeout: 5000 });
    assert.equal(await root.getAttribute('data-pool'), 'default');
    const name = `route-${run}.example.test`;
    // The test before left a name filter in place: narrow it to this name instead.
    await page.locator('[data-testid=dns-filter-qname]').fill(`route-${run}`);
    assert.equal(status(await kdig(dnsPort, [name, 'A'])), 'NXDOMAIN');
    await rowFor(name).waitFor({ timeout: 5000 });
    assert.equal(await rowFor(name).locator('[data-testid=dns-log-route]').innerText(), '.');
    await root.getByRole('button', { name: '.' }).click();
    assert.equal(await page.locator('[data-testid=dns-filter-route]').inputValue(), '.');
  });

  it('raised no page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
