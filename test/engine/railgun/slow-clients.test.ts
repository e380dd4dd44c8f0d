// Clients that do not read: what the sender holds for them is bounded per connection (a slice and
// the socket's buffer, not the page) and in total (clients.bufferBytes, a page sent to many counted
// once), a request beyond it gets 503, and everything goes back when they leave or time out.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sliceBytes } from '../../../engine/railgun/body-budget.ts';
import { waitFor } from '../../helpers/wait.ts';
import { connect } from './raw-http.ts';
import { startPair, type Pair } from './pair.ts';

/** 8,000,000 bytes of text (under the 8 MiB delta limit), one version per user. */
const pageBytes = 8_000_000;
function pageOf(user: string): Buffer {
  const page = Buffer.alloc(pageBytes, `<p>${user}: railgun slow clients ${'x'.repeat(40)}</p>\n`);
  page.write(`<!doctype html><title>${user}</title>\n`);
  return page;
}

let origin: http.Server;
let originUrl: string;
let endQuiet: (() => void) | null = null;

before(async () => {
  origin = http.createServer((request, response) => {
    if (request.url === '/quiet') {
      // An event stream that says one thing, then nothing until the test lets it end.
      response.writeHead(200, { 'content-type': 'text/event-stream' }).write('data: hello\n\n');
      endQuiet = () => response.end('data: bye\n\n');
      return;
    }
    const user = /user=(\w+)/.exec(String(request.headers.cookie ?? ''))?.[1] ?? 'anonymous';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private' }).end(pageOf(user));
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

after(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

/** Asks for the page as `user` and stops reading once the answer has started. */
async function slowClient(pair: Pair, user: string): Promise<Socket> {
  const socket = await connect(pair.sender.port);
  await new Promise<void>((resolve) => {
    socket.once('data', () => {
      socket.pause();
      resolve();
    });
    socket.write(`GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: user=${user}\r\n\r\n`);
  });
  return socket;
}

/** A whole GET as `user` on its own connection (Connection: close, so none stays open after it). */
function fetchAs(pair: Pair, user: string): Promise<{ status: number; body: Buffer; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    http
      .get(pair.url('/big'), { agent: false, headers: { cookie: `user=${user}` } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks), retryAfter: response.headers['retry-after'] ?? null }),
        );
        response.once('error', reject);
      })
      .once('error', reject);
  });
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes of live Buffers and ArrayBuffers in this process (pair, origin and clients) after a full GC. */
async function liveBufferBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().arrayBuffers;
}

/** A connection holds at most the socket's high-water mark and one slice. */
const perConnectionBound = 2 * sliceBytes;

describe('railgun sender: clients that do not read', () => {
  it('20 clients that stop reading an 8 MB page hold a slice each and the page once; all of it goes back when they leave', { timeout: 60_000 }, async () => {
    const pair = await startPair({ origin: originUrl });
    const clients: Socket[] = [];
    try {
      assert.ok((await fetchAs(pair, 'everyone')).body.equals(pageOf('everyone')), 'warm: the sender holds the page');
      const live = await liveBufferBytes();
      clients.push(...(await Promise.all(Array.from({ length: 20 }, () => slowClient(pair, 'everyone')))));
      // What the counters say is what is held: no decoded copy per client stays alive.
      const grown = (await liveBufferBytes()) - live;
      assert.ok(grown < 60 * 1024 * 1024, `live buffers grew by ${grown} bytes for 20 clients of one 8 MB page`);
      const stats = pair.sender.clients;
      assert.ok(stats.bufferedBytes <= 20 * perConnectionBound, `buffered ${stats.bufferedBytes} bytes for 20 connections, bound ${20 * perConnectionBound}`);
      assert.equal(stats.bodyBytes, pageBytes, 'the one page, counted once for 20 clients');
      for (const socket of clients) socket.destroy();
      await waitFor(() => {
        const now = pair.sender.clients;
        return now.open === 0 && now.bodyBytes === 0 && now.bufferedBytes === 0;
      }, 'the sender to give back what the clients held');
      assert.ok((await fetchAs(pair, 'everyone')).body.equals(pageOf('everyone')), 'and it serves on');
    } finally {
      for (const socket of clients) socket.destroy();
      await pair.close();
    }
  });

  it('a request that would pass clients.bufferBytes gets 503 with Retry-After; served again once a slow client leaves', { timeout: 30_000 }, async () => {
    // Two 8 MB pages held by clients that do not read; a third page does not fit in 20 MiB.
    const pair = await startPair({ origin: originUrl, clients: { bufferBytes: 20 * 1024 * 1024 } });
    const clients: Socket[] = [];
    try {
      clients.push(await slowClient(pair, 'alice'), await slowClient(pair, 'bob'));
      assert.equal(pair.sender.clients.bodyBytes, 2 * pageBytes);
      const refused = await fetchAs(pair, 'carol');
      assert.equal(refused.status, 503);
      assert.equal(refused.retryAfter, '5');
      assert.match(refused.body.toString(), /\[E_RAILGUN_BUSY\]/);
      assert.equal(pair.sender.clients.refusedBusy, 1);
      assert.ok(pair.sender.clients.bodyBytes <= 20 * 1024 * 1024);
      clients.shift()!.destroy();
      await waitFor(() => pair.sender.clients.bodyBytes === pageBytes, "alice's page to be given back");
      const served = await fetchAs(pair, 'carol');
      assert.equal(served.status, 200);
      assert.ok(served.body.equals(pageOf('carol')));
    } finally {
      for (const socket of clients) socket.destroy();
      await pair.close();
    }
  });

  it('cuts off a client that takes nothing for clients.sendTimeoutMs and gives back what it held', { timeout: 30_000 }, async () => {
    const pair = await startPair({ origin: originUrl, clients: { sendTimeoutMs: 300 } });
    try {
      const socket = await slowClient(pair, 'dave');
      try {
        // The client reads nothing, so only the sender's side can tell: its connection is gone.
        await waitFor(() => pair.sender.clients.open === 0 && pair.sender.clients.bodyBytes === 0, 'the connection cut and the budget back');
      } finally {
        socket.destroy();
      }
    } finally {
      await pair.close();
    }
  });

  it('keeps a client that reads while its pass-through answer is quiet for longer than clients.sendTimeoutMs', { timeout: 30_000 }, async () => {
    const pair = await startPair({ origin: originUrl, clients: { sendTimeoutMs: 300 } });
    try {
      const response = await fetch(pair.url('/quiet'));
      const reader = response.body!.getReader();
      assert.match(new TextDecoder().decode((await reader.read()).value), /data: hello/);
      // Three send timeouts of silence from the origin: the client is reading, so it stays.
      await new Promise((resolve) => setTimeout(resolve, 900));
      endQuiet!();
      let rest = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += new TextDecoder().decode(value);
      }
      assert.equal(rest, 'data: bye\n\n');
    } finally {
      await pair.close();
    }
  });
});
