// An engine that cannot bind its port: the console says why within 5 s (Overview, the DNS page,
// the events), and the host stops restarting it instead of crash-looping.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openConsolePage } from '../helpers/browser.ts';
import { tempDir } from '../helpers/host.ts';
import { freePort } from '../helpers/knot.ts';
import { startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';

let served: ServeProcess;
let browser: Browser;
let squatter: Socket;
let port: number;
const problems: string[] = [];

before(async () => {
  port = await freePort();
  // Another program on the DNS engine's UDP port.
  squatter = createSocket('udp4');
  await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', resolve));
  const dir = tempDir('e2e-failure');
  writeFileSync(join(dir, 'signalbox.yaml'), `engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:${port}"]\n    upstreams: ["127.0.0.1:9"]\n`);
  served = await startServeProcess(['--data-dir', dir]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
  squatter?.close();
});

describe('an engine that cannot start, in Chromium (e2e)', () => {
  it('shows the reason and the fix on the Overview within 5 s, and stops retrying', { timeout: 30_000 }, async () => {
    const page = await openConsolePage(browser, served, 'overview', problems);
    const failure = page.locator('[data-testid=engine-failure-dns]');
    await failure.waitFor({ timeout: 5000 });
    const text = await failure.innerText();
    assert.match(text, new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${port}`));
    assert.match(text, /E_ENGINE_ADDRESS_IN_USE/);
    assert.match(text, /Another program holds/);
    assert.match(text, /stopped restarting/);
    await page.locator('[data-testid=engine-row-dns][data-status=failed]').waitFor({ timeout: 5000 });
    await page.locator('[data-testid=engine-events]', { hasText: 'cannot start' }).waitFor({ timeout: 5000 });
    const restarts = await page.locator('[data-testid=engine-restarts-dns]').innerText();
    assert.equal(restarts, '0');
    await page.close();
  });

  it('says the same on the DNS page instead of "starting"', { timeout: 30_000 }, async () => {
    const page = await openConsolePage(browser, served, 'dns', problems);
    const failure = page.locator('[data-testid=dns-unavailable] [data-testid=engine-failure-DNS]');
    await failure.waitFor({ timeout: 5000 });
    assert.match(await failure.innerText(), /EADDRINUSE/);
    await page.close();
  });

  it('raised no page errors', () => {
    assert.deepEqual(problems, []);
  });
});
