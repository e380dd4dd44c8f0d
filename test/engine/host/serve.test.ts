import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { defaultConfig } from '../../../engine/host/config.ts';
import { apiProtocol, startServe, tokenFileName, type Served } from '../../../engine/host/serve.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';

let served: Served;
let dataDir: string;
let base: string;

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
  it('prints a URL whose fragment carries the token, and keeps the token in a 0600 file', () => {
    assert.equal(served.url, `${base}/#token=${served.token}`);
    const file = join(dataDir, tokenFileName);
    assert.equal(readFileSync(file, 'utf8').trim(), served.token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(served.token.length >= 40);
  });

  it('refuses the API without a token (401) and with a wrong one', async () => {
    assert.equal(await openApi({ protocols: [apiProtocol] }), 401);
    assert.equal(await openApi({ protocols: [apiProtocol, 'token.wrong'] }), 401);
    assert.equal(await openApi({ headers: { Authorization: 'Bearer ' + served.token.slice(1) } }), 401);
  });

  it('refuses a page from another origin even with the token', async () => {
    const status = await openApi({ protocols: [apiProtocol, `token.${served.token}`], headers: { Origin: 'http://evil.example' } });
    assert.equal(status, 403);
  });

  it('serves the API to a browser-style client (subprotocol token, own origin)', async () => {
    const ws = await openApi({ protocols: [apiProtocol, `token.${served.token}`], headers: { Origin: base } });
    assert.ok(ws instanceof WebSocket);
    assert.equal(ws.protocol, apiProtocol);
    const answer = await call(ws, 'host.engines', {});
    const snapshot = answer.result as { engines: { name: string; status: string }[] };
    assert.deepEqual(snapshot.engines.map((e) => [e.name, e.status]), [['echo', 'running']]);
    assert.deepEqual((await call(ws, 'echo.echo', { text: 'through serve' })).result, { text: 'through serve' });
    assert.equal((await call(ws, 'echo.echo', { text: 1 })).error?.code, 'E_INVALID_PARAMS');
    ws.close();
  });

  it('serves the API to a program with a bearer token', async () => {
    const ws = await openApi({ headers: { Authorization: `Bearer ${served.token}` } });
    assert.ok(ws instanceof WebSocket);
    ws.close();
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
