// Every operator action on record, in Chromium: a cache flush, a config change and an engine
// restart made in the console show on the Overview with who, what and the result, and the
// exported file is the hash chain the host keeps (checked with the vault's own verifier).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { verifyChain } from '../../engine/common/audit-log.ts';
import { openDnsConsole, type DnsConsole } from '../helpers/dns-console.ts';

let dns: DnsConsole | undefined;
let page: Page;
const problems: string[] = [];

before(async () => {
  // RRL on, so its window can be changed from the page.
  dns = await openDnsConsole(problems, '    rrl:\n      enabled: true\n');
  page = dns.page;
  // Every destructive action asks once; the test says yes.
  page.on('dialog', (dialog) => void dialog.accept());
});

after(async () => {
  await dns?.stop();
});

describe('operator actions on record in Chromium (e2e)', () => {
  it('shows a flush, a config change and a restart on the Overview with who, what and the result', { timeout: 60_000 }, async () => {
    await page.locator('[data-testid=dns-flush]').click();
    await page.locator('[data-testid=dns-flush-result]:not(:empty)').waitFor({ timeout: 10_000 });
    const window = page.locator('[data-testid=dns-config] input[type=number]').nth(1);
    const before = await window.inputValue();
    const after = String(Number(before) + 1);
    await window.fill(after);
    await page.locator('[data-testid=dns-config-apply]').click();
    await page.locator('[data-testid=dns-config]', { hasText: 'Applied at' }).waitFor({ timeout: 10_000 });

    await page.locator('[data-testid=nav-overview]').click();
    await page.getByRole('button', { name: 'Restart dns' }).click();
    await page.locator('[data-testid=engine-row-dns][data-status=running]').waitFor({ timeout: 15_000 });

    const rows = page.locator('[data-testid=operator-log-row]');
    await page.locator('[data-testid=operator-log-row][data-event=engine-restart]').waitFor({ timeout: 10_000 });
    const texts = await rows.allInnerTexts();
    const restart = texts.find((text) => text.includes('engine-restart'))!;
    assert.match(restart, /console session 127\.0\.0\.1:\d+/);
    assert.match(restart, /dns/);
    assert.match(restart, /done/);
    const config = texts.find((text) => text.includes('config-set'));
    assert.ok(config, `no config-set row in ${JSON.stringify(texts)}`);
    assert.match(config, new RegExp(`rrl\\.window: ${before} → ${after}`));
    assert.ok(
      texts.some((text) => /cache-flush[\s\S]*flush \(all\)/.test(text)),
      `no cache-flush row in ${JSON.stringify(texts)}`,
    );
  });

  it('exports the log as JSON lines whose hash chain verifies', { timeout: 30_000 }, async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=operator-log-export]').click()]);
    const file = await download.path();
    const { entries, check, tornAt } = verifyChain(readFileSync(file, 'utf8'));
    assert.equal(check.ok, true, check.reason ?? '');
    assert.equal(tornAt, null);
    assert.deepEqual(
      entries.map((entry) => entry.event),
      ['cache-flush', 'config-set', 'engine-restart'],
    );
  });

  it('raised no page errors', () => {
    assert.deepEqual(problems, []);
  });
});
