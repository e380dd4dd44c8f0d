// The console's DNS page in Chromium against real peers: `signalbox serve` (built, in dist/) runs
// the DNS engine with Knot DNS as its upstream. Everything listens on 127.0.0.1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openConsolePage } from './browser.ts';
import { tempDir } from './host.ts';
import { freePort, startKnot, type Knot } from './knot.ts';
import { startServeProcess, stopProcess, type ServeProcess } from './serve-process.ts';

export interface DnsConsole {
  knot: Knot;
  served: ServeProcess;
  browser: Browser;
  /** The DNS page, its query log loaded. */
  page: Page;
  /** The DNS engine's UDP and TCP port. */
  dnsPort: number;
  stop(): Promise<void>;
}

/** Opens the DNS page; `dnsYaml` adds keys under engines.dns (indented by 4); page problems go to `problems`. */
export async function openDnsConsole(problems: string[], dnsYaml = ''): Promise<DnsConsole> {
  let knot: Knot | undefined;
  let served: ServeProcess | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    if (served) await stopProcess(served.child);
    await knot?.stop();
  };
  try {
    knot = await startKnot();
    const dnsPort = await freePort();
    const dir = tempDir('e2e-dns');
    const config = join(dir, 'signalbox.yaml');
    writeFileSync(
      config,
      `engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:${dnsPort}"]\n    upstreams: ["127.0.0.1:${knot.port}"]\n    upstreamTimeoutMs: 500\n${dnsYaml}`,
    );
    served = await startServeProcess(['--config', config, '--data-dir', dir]);
    browser = await launchChromium();
    const page = await openConsolePage(browser, served, 'dns', problems);
    // The engine may still be starting: the page shows why it is empty, then fills in by itself.
    await page.locator('[data-testid=dns-log][data-loading=false]').waitFor({ timeout: 15_000 });
    return { knot, served, browser, page, dnsPort, stop };
  } catch (err) {
    // Nothing may outlive a failed start: a stray knotd or serve keeps the test process alive.
    await stop();
    throw err;
  }
}
