// Failures the operator must see (issue 15 item 4): an origin that refuses, times out or answers
// 5xx is counted per URL and in total by kind, with the socket's own reason and its time; the
// client still gets only the generic answer, and nothing of the reason crosses to it.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { RailgunRequest } from '../../../engine/api/railgun.ts';
import { freePort } from '../../helpers/knot.ts';
import { startPair } from './pair.ts';

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('failures counted and explained', () => {
  it('an origin that refuses: 502 to the client, counted as origin-refused with "connect ECONNREFUSED 127.0.0.1:PORT", per URL and in total, and in the requests feed', async () => {
    const port = await freePort();
    const pair = await startPair({ origin: `http://127.0.0.1:${port}` });
    const events: RailgunRequest[] = [];
    const unsubscribe = pair.book.subscribeRequests((batch) => events.push(...batch.requests));
    try {
      const before = Date.now();
      const response = await fetch(pair.url('/down'));
      const text = await response.text();
      assert.equal(response.status, 502);
      assert.doesNotMatch(text, /ECONNREFUSED|127\.0\.0\.1/, "the reason is not the client's");
      assert.equal(response.headers.get('signalbox-failure'), null, 'the link header stays on the link');
      const { totals } = pair.book;
      assert.equal(totals.errors, 1);
      assert.equal(totals.errorsByKind['origin-refused'], 1);
      assert.equal(totals.lastFailure?.kind, 'origin-refused');
      assert.equal(totals.lastFailure?.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
      assert.ok(totals.lastFailure!.at >= before);
      const [url] = pair.book.urls(10);
      assert.equal(url?.url, '/down');
      assert.equal(url?.errorsByKind['origin-refused'], 1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(events.find((event) => event.url === '/down')?.failure?.kind, 'origin-refused');
    } finally {
      unsubscribe();
      await pair.close();
    }
  });

  it("an origin that answers 503, and one that sends nothing in time: origin-5xx (the client gets the origin's 503) and origin-timeout", async () => {
    const origin = await listen((request, response) => {
      if (request.url === '/slow') return; // never answers
      response.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
    });
    const pair = await startPair({ origin: origin.url, originTimeoutMs: 300 });
    try {
      const unavailable = await fetch(pair.url('/busy'));
      assert.equal(unavailable.status, 503);
      assert.equal(await unavailable.text(), 'maintenance');
      const slow = await fetch(pair.url('/slow'));
      assert.equal(slow.status, 502);
      await slow.text();
      const { totals } = pair.book;
      assert.deepEqual(
        { errors: totals.errors, fiveXx: totals.errorsByKind['origin-5xx'], timeout: totals.errorsByKind['origin-timeout'] },
        { errors: 2, fiveXx: 1, timeout: 1 },
      );
      assert.match(totals.lastFailure?.message ?? '', /no response within 300 ms/);
      const byUrl = new Map(pair.book.urls(10).map((url) => [url.url, url]));
      assert.equal(byUrl.get('/busy')?.lastFailure?.message, 'the origin answered 503');
      assert.equal(byUrl.get('/slow')?.errorsByKind['origin-timeout'], 1);
    } finally {
      await pair.close();
      await origin.close();
    }
  });

  it('the counters say since when they count', async () => {
    const before = Date.now();
    const pair = await startPair({ origin: 'http://127.0.0.1:9' });
    try {
      assert.ok(pair.book.since >= before && pair.book.since <= Date.now());
    } finally {
      await pair.close();
    }
  });
});
