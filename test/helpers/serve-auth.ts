// Signing in to a `serve` in tests the way operators and machines do: operators and API tokens
// made with the real `signalbox operators` command, sessions through POST /auth/sign-in, and
// browser contexts that carry the session cookie the host set.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { bin } from './serve-process.ts';

export interface Operator {
  name: string;
  password: string;
}

/** An API token of an in-process serve (startServe), made as an admin would. */
export async function apiTokenOf(
  served: {
    host: {
      operators: {
        createToken(name: string, role: 'viewer' | 'operator' | 'approver' | 'admin', scope: 'api' | 'metrics', by: string): Promise<{ token: string }>;
      };
    };
  },
  role: 'viewer' | 'operator' | 'approver' | 'admin' = 'admin',
  scope: 'api' | 'metrics' = 'api',
): Promise<string> {
  return (await served.host.operators.createToken(`test-${role}-${scope}-${randomBytes(3).toString('hex')}`, role, scope, 'test')).token;
}

/** `signalbox operators ARGS --data-dir DIR`, the password (if any) on stdin; returns stdout. */
export function operatorsCli(dataDir: string, args: string[], stdin = ''): string {
  const run = spawnSync(process.execPath, [bin, 'operators', ...args, '--data-dir', dataDir], { input: stdin, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`signalbox operators ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

export function addOperator(dataDir: string, name: string, role: string, password = randomBytes(12).toString('base64url')): Operator {
  operatorsCli(dataDir, ['add', name, '--role', role], password + '\n');
  return { name, password };
}

export function createApiToken(dataDir: string, name: string, role: string, scope: 'api' | 'metrics'): string {
  return operatorsCli(dataDir, ['token-add', name, '--role', role, '--scope', scope]).trim();
}

/** Signs in over HTTP; returns the session cookie's value (the response when `raw`). */
export async function signIn(baseUrl: string, who: Operator): Promise<string> {
  const response = await fetch(new URL('/auth/sign-in', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (!response.ok) throw new Error(`sign-in of ${who.name} answered ${response.status}: ${await response.text()}`);
  const cookie = /signalbox_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie;
}

/** A page in a browser context of its own, signed in as `who` (its cookie set as the host set it). */
export async function signedInPage(browser: Browser, served: { url: string }, who: Operator, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  const value = await signIn(served.url, who);
  await context.addCookies([{ name: 'signalbox_session', value, url: served.url, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  // Closing the page ends its context too, as browser.newPage() pages do.
  page.once('close', () => void context.close().catch(() => {}));
  return page;
}
