// Bodies that cannot get a delta still cross the link compressed when they are text (issue 15):
// too large for a delta, not a 200, not a GET — streamed through zstd as they come, and back to the
// origin's bytes at the sender. Binary types and bodies the origin encoded itself pass as they are.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { waitFor } from '../../helpers/wait.ts';
import { startPair, type Pair } from './pair.ts';

/** 9 MiB of text: over the 8 MiB delta limit. */
const large = Buffer.from(Array.from({ length: 9 * 16384 }, (_, i) => `<li>row ${i} of a long listing</li>\n`.padEnd(64, ' ')).join(''));
const notFound = Buffer.from(`<html><body>${'this page is not here; try the index. '.repeat(3000)}</body></html>`);
const binary = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
const gzipped = gzipSync(Buffer.from('already compressed by the origin '.repeat(5000)));
let origin: http.Server;
let pair: Pair;
let release: (() => void) | null = null;

before(async () => {
  origin = http.createServer((request, response) => {
    const url = request.url ?? '/';
    if (url === '/large') return void response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': large.length }).end(large);
    if (url === '/large-chunked') {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      for (let at = 0; at < large.length; at += 1024 * 1024) response.write(large.subarray(at, at + 1024 * 1024));
      return void response.end();
    }
    if (url === '/missing') return void response.writeHead(404, { 'content-type': 'text/html' }).end(notFound);
    if (url === '/binary') return void response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(binary);
    if (url === '/gzipped')
      return void response.writeHead(404, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': gzipped.length }).end(gzipped);
    if (url === '/post') {
      request.resume();
      return void request.once('end', () =>
        response
          .writeHead(201, { 'content-type': 'application/json' })
          .end(JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => ({ i, ok: true })) })),
      );
    }
    if (url === '/trickle') {
      // Half now, the rest when the test says: a streamed body must reach the client before the origin ends.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      release = () => response.end('data: last\n\n');
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  pair = await startPair({ origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` });
});

after(async () => {
  await pair.close();
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

/** The answer, and what its body cost on the link (body bytes, from the savings book). */
async function get(path: string, init: RequestInit = {}): Promise<{ response: Response; body: Buffer; link: number; raw: number }> {
  const counted = () => pair.book.urls(100).find((candidate) => candidate.url === path);
  const before = counted()?.requests ?? 0;
  const response = await fetch(pair.url(path), init);
  const body = Buffer.from(await response.arrayBuffer());
  // The sender counts a request once it has ended the response, which the client may have read already.
  const entry = await waitFor(() => ((counted()?.requests ?? 0) > before ? counted() : null), `the savings of ${path}`);
  return { response, body, link: entry.linkBytes, raw: entry.rawBytes };
}

describe('railgun pair: pass-through bodies on the link', () => {
  for (const path of ['/large', '/large-chunked']) {
    it(`streams text too large for a delta zstd-compressed and hands the client the origin's bytes (${path})`, { timeout: 30_000 }, async () => {
      const before = pair.link.state.socketBytesReceived;
      const { response, body, link, raw } = await get(path);
      assert.equal(response.status, 200);
      assert.ok(body.equals(large), 'byte for byte');
      assert.equal(response.headers.get('content-encoding'), null, 'the client gets identity, as the origin sent it');
      if (path === '/large') assert.equal(Number(response.headers.get('content-length')), large.length, "with the origin's Content-Length");
      assert.match(response.headers.get('signalbox-railgun') ?? '', /^base=pass; coding=zstd/);
      assert.equal(raw, large.length);
      assert.ok(link < raw / 10, `${link} bytes on the link for ${raw}`);
      const socketBytes = pair.link.state.socketBytesReceived - before;
      assert.ok(socketBytes < raw / 10, `${socketBytes} TLS socket bytes for ${raw} bytes of body`);
    });
  }

  it('compresses the text of a 404 and of a POST answer too', { timeout: 30_000 }, async () => {
    const missing = await get('/missing');
    assert.equal(missing.response.status, 404);
    assert.ok(missing.body.equals(notFound));
    assert.ok(missing.link < missing.raw / 5, `404: ${missing.link} of ${missing.raw}`);
    const posted = await get('/post', { method: 'POST', body: 'q=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(posted.response.status, 201);
    assert.equal(JSON.parse(posted.body.toString()).rows.length, 2000);
    assert.ok(posted.link < posted.raw / 5, `POST: ${posted.link} of ${posted.raw}`);
  });

  it('passes binary types and bodies the origin encoded itself as they are', { timeout: 30_000 }, async () => {
    const octets = await get('/binary');
    assert.ok(octets.body.equals(binary));
    assert.equal(octets.link, binary.length);
    assert.match(octets.response.headers.get('signalbox-railgun') ?? '', /^base=pass; origin-ms=/);
    // A 404 the origin gzipped (a 200 would be delta material, gzip bytes and all); undici would
    // decode it, a raw request shows the bytes as they came.
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      http
        .get(pair.url('/gzipped'), { headers: { 'accept-encoding': 'gzip' } }, (response) => {
          const chunks: Buffer[] = [];
          response
            .on('data', (chunk: Buffer) => chunks.push(chunk))
            .once('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
        })
        .once('error', reject);
    });
    assert.equal(raw.encoding, 'gzip');
    assert.ok(raw.body.equals(gzipped), "the origin's gzip bytes, untouched");
    const entry = await waitFor(() => pair.book.urls(100).find((candidate) => candidate.url === '/gzipped'), 'the savings of /gzipped');
    assert.equal(entry.linkBytes, gzipped.length);
  });

  it('streams: the first part of a trickling text answer reaches the client before the origin ends it', { timeout: 30_000 }, async () => {
    const response = await fetch(pair.url('/trickle'));
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('data: first\n\n')) text += decoder.decode((await reader.read()).value);
    assert.ok(release, 'the origin has not ended the answer yet');
    release!();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    assert.equal(text, 'data: first\n\ndata: last\n\n');
    assert.match(response.headers.get('signalbox-railgun') ?? '', /coding=zstd/);
  });
});
