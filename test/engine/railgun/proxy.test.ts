// HTTP through the pair: what passes through untouched, what is forwarded and added, cancellation
// reaching the origin, upgrades, and many requests sharing the one link.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { waitFor } from '../../helpers/wait.ts';
import { startPair, type Pair } from './pair.ts';

const page = Buffer.from(`<html><body>${'hello railgun '.repeat(2000)}</body></html>`);
const binary = createHash('sha256').update('seed').digest().toString('hex').repeat(5000);
const large = Buffer.from('0123456789abcdef'.repeat(9 * 65536));
let origin: http.Server;
let sockets: WebSocketServer;
let pair: Pair;
const seen: IncomingMessage[] = [];
let closedEarly = 0;

before(async () => {
  origin = http.createServer((request, response) => {
    seen.push(request);
    const url = request.url ?? '/';
    if (url === '/hang') {
      request.socket.once('close', () => closedEarly++);
      response.writeHead(200, { 'content-type': 'text/html' });
      return;
    }
    if (url === '/missing') return void response.writeHead(404, { 'content-type': 'text/plain', 'x-origin': 'yes' }).end('not here\n');
    if (url === '/large') {
      // 9 MiB of text with no Content-Length: found too large for a delta only while reading.
      response.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 9; i++) response.write(large.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
      return void response.end();
    }
    if (url === '/binary') return void response.writeHead(200, { 'content-type': 'image/png' }).end(binary);
    if (url === '/no-store') return void response.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(page);
    if (url === '/echo') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => response.writeHead(201, { 'content-type': 'text/plain' }).end(Buffer.concat(chunks)));
      return;
    }
    if (request.headers.range) {
      return void response.writeHead(206, { 'content-type': 'text/html', 'content-range': `bytes 0-9/${page.length}` }).end(page.subarray(0, 10));
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'keep-alive, x-private', 'x-private': 'hop', 'x-page': 'yes' });
    response.end(request.method === 'HEAD' ? undefined : page);
  });
  sockets = new WebSocketServer({ server: origin });
  sockets.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo: ${String(data)}`)));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  pair = await startPair({ origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` });
});

after(async () => {
  await pair.close();
  sockets.close();
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

function last(): IncomingMessage {
  return seen[seen.length - 1]!;
}

describe('HTTP through the railgun pair', () => {
  it('forwards end-to-end headers, strips hop-by-hop ones, adds X-Forwarded-For and Via both ways', async () => {
    const response = await fetch(pair.url('/headers'), { headers: { 'x-client': 'c1', connection: 'keep-alive', 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(response.status, 200);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(page));
    assert.equal(last().headers['x-client'], 'c1');
    assert.equal(last().headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.match(String(last().headers.via), /signalbox-railgun/);
    assert.equal(last().headers['signalbox-link-token'], undefined, 'the link token never reaches the origin');
    assert.equal(response.headers.get('x-page'), 'yes');
    assert.equal(response.headers.get('x-private'), null, 'a header named by Connection is hop-by-hop');
    assert.match(response.headers.get('via') ?? '', /signalbox-railgun/);
    assert.match(response.headers.get('signalbox-railgun') ?? '', /^ratio=0\.\d{4}; base=(none|hit); origin-ms=\d+\.\d$/);
    assert.equal(Number(response.headers.get('content-length')), page.length);
  });

  it('passes through non-200, HEAD, Range and binary types unchanged; no-store pages get deltas too', async () => {
    const missing = await fetch(pair.url('/missing'));
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), 'not here\n');
    assert.equal(missing.headers.get('x-origin'), 'yes');

    const head = await fetch(pair.url('/head'), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('x-page'), 'yes');

    const range = await fetch(pair.url('/range'), { headers: { range: 'bytes=0-9' } });
    assert.equal(range.status, 206);
    assert.equal(range.headers.get('content-range'), `bytes 0-9/${page.length}`);
    assert.ok(Buffer.from(await range.arrayBuffer()).equals(page.subarray(0, 10)));

    await fetch(pair.url('/binary')).then((r) => r.arrayBuffer());
    const again = await fetch(pair.url('/binary'));
    assert.match(again.headers.get('signalbox-railgun') ?? '', /^base=pass; origin-ms=/, 'a binary type is not delta material');
    assert.equal(Buffer.from(await again.arrayBuffer()).toString(), binary);
    // Issue 15: no-store is delta material unless honourNoStore (uncacheable.test.ts).
    await fetch(pair.url('/no-store')).then((r) => r.arrayBuffer());
    const noStore = await fetch(pair.url('/no-store'));
    assert.match(noStore.headers.get('signalbox-railgun') ?? '', /base=hit/);
    assert.ok(Buffer.from(await noStore.arrayBuffer()).equals(page));
    const urls = new Map(pair.book.urls(100).map((entry) => [entry.url, entry]));
    assert.equal(urls.get('/binary')?.lastOutcome, 'pass');
    assert.equal(urls.get('/no-store')?.lastOutcome, 'hit');
  });

  it("never uses one user's page as the base of another user's", async () => {
    const as = (cookie: string) => fetch(pair.url('/inbox'), { headers: { cookie } });
    await (await as('session=alice')).arrayBuffer();
    const alice = await as('session=alice');
    assert.match(alice.headers.get('signalbox-railgun') ?? '', /base=hit/);
    const bob = await as('session=bob');
    assert.match(bob.headers.get('signalbox-railgun') ?? '', /base=none/);
    assert.ok(Buffer.from(await bob.arrayBuffer()).equals(page));
  });

  it('streams a body larger than the delta limit through without storing it', async () => {
    const response = await fetch(pair.url('/large'));
    assert.match(response.headers.get('signalbox-railgun') ?? '', /base=pass/);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(large));
    assert.equal(pair.listener.store.stats.bytes < large.length, true);
  });

  it('streams a request body to the origin (POST passes through)', async () => {
    const body = 'x'.repeat(300_000);
    const response = await fetch(pair.url('/echo'), { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    assert.equal(response.status, 201);
    assert.equal(await response.text(), body);
  });

  it('cancels the origin request when the client goes away', async () => {
    const before = closedEarly;
    const abort = new AbortController();
    const pending = fetch(pair.url('/hang'), { signal: abort.signal }).then((r) => r.arrayBuffer());
    await waitFor(() => last().url === '/hang', 'the origin to get the request');
    abort.abort();
    await assert.rejects(pending);
    await waitFor(() => closedEarly > before, 'the origin request to be cancelled', 3000);
  });

  it('carries a WebSocket upgrade through the link', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${pair.sender.port}/socket`);
    const reply = await new Promise<string>((resolve, reject) => {
      socket.once('open', () => socket.send('ping'));
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    socket.close();
    assert.equal(reply, 'echo: ping');
  });

  it('answers 200 parallel requests over one link', { timeout: 30_000 }, async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const response = await fetch(pair.url(`/parallel/${i}`));
        return Buffer.from(await response.arrayBuffer()).equals(page) && response.status === 200;
      }),
    );
    assert.equal(answers.filter(Boolean).length, 200);
    assert.equal(pair.listener.sessions, 1);
    assert.equal(pair.link.state.reconnects, 0);
  });
});
