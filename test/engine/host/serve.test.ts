import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { defaultConfig } from '../../../engine/host/config.ts';
import { apiProtocol, startServe, type Served } from '../../../engine/host/serve.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { apiTokenOf, signIn } from '../../helpers/serve-auth.ts';

let served: Served;
let dataDir: string;
let base: string;
/** The setup link as serve made it, before an admin was added (which ends the setup). */
let setupUrl: string | null;
let token: string;
let cookie: string;

before(async () => {
  dataDir = tempDir('serve');
  const rendererDir = join(tempDir('renderer'), 'dist');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Signalbox</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tempDir('outside'), 'secret.txt'), 'secret');
  served = await startServe({
    config: defaultConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir,
    rendererDir,
    version: '0.0.0-test',
    log: quietLog,
  });
  base = `http://127.0.0.1:${served.port}`;
  setupUrl = served.setupUrl;
  token = await apiTokenOf(served);
  await served.host.operators.add('ada', 'admin', 'a long enough password');
  cookie = await signIn(base, { name: 'ada', password: 'a long enough password' });
});
after(() => served.close());

/** Opens the API socket; resolves with it, or with the HTTP status of the refusal. */
function openApi(options: { protocols?: string[]; headers?: Record<string, string> }): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/api`, options.protocols ?? [], { headers: options.headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, method: string, params: unknown): Promise<{ result?: unknown; error?: { code: string } }> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve) => {
    ws.on('message', function onMessage(data) {
      const message = JSON.parse(String(data)) as { id: number; result?: unknown; error?: { code: string } };
      if (message.id !== id) return;
      ws.off('message', onMessage);
      resolve(message);
    });
    ws.send(JSON.stringify({ t: 'call', id, method, params }));
  });
}

function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: served.port, path }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('serve', () => {
  it('prints a URL with no secret in it, and with no operator yet a setup link whose token is in the fragment', () => {
    assert.equal(served.url, `${base}/`);
    assert.match(setupUrl ?? '', new RegExp(`^${base}/#setup=[A-Za-z0-9_-]{43}$`));
  });

  it('keeps operators, sessions and the session signing key in 0600 files, no password or token in clear', () => {
    for (const name of ['operators.json', 'sessions.json', 'session.key']) assert.equal(statSync(join(dataDir, name)).mode & 0o777, 0o600, name);
    const operators = readFileSync(join(dataDir, 'operators.json'), 'utf8');
    assert.doesNotMatch(operators, /a long enough password/);
    assert.doesNotMatch(operators, new RegExp(token));
    assert.match(operators, /"algorithm": "scrypt"/);
    assert.doesNotMatch(readFileSync(join(dataDir, 'sessions.json'), 'utf8'), new RegExp(cookie.split('.')[1]!));
  });

  it('refuses the API without a session or token (401), with a wrong token, and with a forged cookie', async () => {
    assert.equal(await openApi({ protocols: [apiProtocol] }), 401);
    assert.equal(await openApi({ protocols: [apiProtocol, `token.${token}`] }), 401, 'the old subprotocol token is no way in');
    assert.equal(await openApi({ headers: { Authorization: 'Bearer ' + token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') } }), 401);
    const [id, signature] = cookie.split('.');
    assert.equal(await openApi({ headers: { Cookie: `signalbox_session=${id}.${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}` } }), 401);
    assert.equal(await openApi({ headers: { Cookie: `signalbox_session=${id}x.${signature}` } }), 401);
  });

  it('refuses a page from another origin even with a valid session', async () => {
    const status = await openApi({ protocols: [apiProtocol], headers: { Origin: 'http://evil.example', Cookie: `signalbox_session=${cookie}` } });
    assert.equal(status, 403);
  });

  it('serves the API to a browser-style client (session cookie, own origin) as the signed-in operator', async () => {
    const ws = await openApi({ protocols: [apiProtocol], headers: { Origin: base, Cookie: `signalbox_session=${cookie}` } });
    assert.ok(ws instanceof WebSocket);
    assert.equal(ws.protocol, apiProtocol);
    const answer = await call(ws, 'host.engines', {});
    const snapshot = answer.result as { engines: { name: string; status: string }[] };
    assert.deepEqual(
      snapshot.engines.map((e) => [e.name, e.status]),
      [['echo', 'running']],
    );
    assert.deepEqual((await call(ws, 'echo.echo', { text: 'through serve' })).result, { text: 'through serve' });
    assert.equal((await call(ws, 'echo.echo', { text: 1 })).error?.code, 'E_INVALID_PARAMS');
    assert.deepEqual(((await call(ws, 'host.whoami', {})).result as { caller: unknown }).caller, { name: 'ada', role: 'admin', via: 'session' });
    ws.close();
  });

  it('serves the API to a program with a bearer API token, but not with a metrics-only token', async () => {
    const ws = await openApi({ headers: { Authorization: `Bearer ${token}` } });
    assert.ok(ws instanceof WebSocket);
    assert.equal(((await call(ws, 'host.whoami', {})).result as { caller: { via: string } }).caller.via, 'token');
    ws.close();
    assert.equal(await openApi({ headers: { Authorization: `Bearer ${await apiTokenOf(served, 'admin', 'metrics')}` } }), 401);
  });

  it('serves the console with a strict CSP and falls back to index.html for routes', async () => {
    const res = await fetch(`${base}/overview`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>Signalbox<\/title>/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const asset = await fetch(`${base}/assets/app.js`);
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  });

  it('does not serve files outside the console folder', async () => {
    // Raw requests: fetch() would normalise the dots away before they reach the server.
    for (const path of ['/../../etc/passwd', '/..%2f..%2foutside/secret.txt', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%5c..%5csecret.txt', '/a%00.js']) {
      const { status, body } = await rawGet(path);
      assert.equal(status, 400, `${path} answered ${status}`);
      assert.doesNotMatch(body, /secret|root:/);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    assert.equal((await fetch(`${base}/`, { method: 'POST' })).status, 405);
  });
});
