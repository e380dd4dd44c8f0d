// Debian's Chromium driven by playwright-core (no browser download): headless, no sandbox (CI runs
// as root), and none of Chromium's own network traffic, which this machine refuses.
import { chromium, type Browser, type Page } from 'playwright-core';
import { signedInPage, type Operator } from './serve-auth.ts';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `extraArgs`: more Chromium switches, e.g. --host-resolver-rules to reach serve by another name. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** Notes what a page reports as broken (uncaught errors, console errors such as CSP violations) in `problems`. */
export function recordProblems(page: Page, problems: string[]): void {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
}

/**
 * The console of `served` on one of its pages (nav-<route>), signed in as its admin (or `who`) in a
 * browser context of its own, once connected, its problems noted in `problems`.
 */
export async function openConsolePage(
  browser: Browser,
  served: { url: string; admin: Operator },
  route: string,
  problems: string[],
  who: Operator = served.admin,
): Promise<Page> {
  const page = await signedInPage(browser, served, who, { viewport: { width: 1400, height: 1000 } });
  recordProblems(page, problems);
  await page.goto(served.url);
  await page.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 10_000 });
  await page.locator(`[data-testid=nav-${route}]`).click();
  return page;
}
