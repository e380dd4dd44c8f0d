// The link's own guarantees: both ends authenticate (the sender pins the listener's key, the
// listener checks the token), PINGs measure the round trip, and a refused link says why.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Link } from '../../../engine/railgun/link.ts';
import { helloPath, linkHeaders, linkVersion } from '../../../engine/railgun/protocol.ts';
import { generateCertificate, spkiPin } from '../../../engine/railgun/tls.ts';
import { quietLog } from '../../helpers/host.ts';
import { waitFor } from '../../helpers/wait.ts';
import { startListener, startPair, testTls } from './pair.ts';

let origin: http.Server;
let originUrl: string;
let requests = 0;

before(async () => {
  origin = http.createServer((_request, response) => {
    requests++;
    response.writeHead(200, { 'content-type': 'text/plain' }).end('origin\n');
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});
after(() => {
  origin.closeAllConnections();
  origin.close();
});

describe('railgun link', () => {
  it('comes up pinned and token-checked, and measures its round trip with PINGs', async () => {
    const pair = await startPair({ origin: originUrl });
    try {
      await waitFor(() => pair.link.state.state === 'up' && pair.link.state.rttMs !== null, 'an RTT sample');
      assert.ok(pair.link.state.rttMs! >= 0 && pair.link.state.rttMs! < 1000);
      assert.equal(await (await fetch(pair.url('/'))).text(), 'origin\n');
      assert.ok(pair.link.state.socketBytesReceived > 0);
    } finally {
      await pair.close();
    }
  });

  it('refuses a sender with the wrong token: no request reaches the origin, the client gets 504, the reason is shown in the link state (not to the client)', async () => {
    const before = requests;
    const pair = await startPair({
      origin: originUrl,
      token: 'the-listeners-token-0123456789',
      senderToken: 'a-wrong-token-abcdefghijklmnop',
      linkWaitMs: 300,
    });
    try {
      await waitFor(() => pair.link.state.lastError === 'the listener refused the token', 'the refusal');
      const response = await fetch(pair.url('/'));
      assert.equal(response.status, 504);
      const text = await response.text();
      assert.match(text, /the link to the origin is not up.*error id [0-9a-f]{12}.*\[E_RAILGUN_LINK_DOWN\]/);
      assert.doesNotMatch(text, /token/, 'an internal reason is for the operator, not for clients');
      assert.equal(pair.link.state.lastError, 'the listener refused the token');
      assert.equal(requests, before);
      assert.notEqual(pair.link.state.state, 'up');
    } finally {
      await pair.close();
    }
  });

  it('refuses a sender of another link protocol version at the hello, says why, and serves none of its requests', async () => {
    const tls = await testTls();
    const token = 'test-token-0123456789abcdef';
    const listener = await startListener({ origin: originUrl, token }, tls);
    // A sender of protocol 1 said no version in its hello, and sent its requests after a 204.
    const sessions: http2.ClientHttp2Session[] = [];
    const ask = (headers: http2.OutgoingHttpHeaders) =>
      new Promise<{ status: number; version: unknown; text: string }>((resolve, reject) => {
        const session = http2.connect(`https://127.0.0.1:${listener.port}`, { ca: tls.cert, checkServerIdentity: () => undefined });
        sessions.push(session);
        session.on('error', () => undefined);
        const stream = session.request({ ':method': 'GET', [linkHeaders.token]: token, ...headers }, { endStream: true });
        let text = '';
        let answer: http2.IncomingHttpHeaders = {};
        stream.on('response', (headers) => (answer = headers));
        stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        stream.once('end', () => resolve({ status: Number(answer[':status']), version: answer[linkHeaders.version], text }));
        stream.once('error', reject);
      });
    const before = requests;
    try {
      const hello = await ask({ ':path': helloPath });
      assert.equal(hello.status, 400);
      assert.equal(hello.version, String(linkVersion), 'the listener says which version it speaks');
      assert.match(
        hello.text,
        /the sender speaks link protocol 1 \(it says no version\), this end 2: run the same signalbox release on both ends.*\[E_RAILGUN_LINK_VERSION\]/,
      );
      const page = await ask({ ':path': '/page' });
      assert.equal(page.status, 400, 'a request on a session that never said hello with this version is refused');
      assert.equal(requests, before, 'nothing reached the origin');
    } finally {
      for (const session of sessions) session.destroy();
      await listener.close();
    }
  });

  it('refuses a listener of link protocol 1 (its hello says no version): the link stays down with the reason, no request goes out', async () => {
    const tls = await testTls();
    const paths: string[] = [];
    const old = http2.createSecureServer({ cert: tls.cert, key: tls.key });
    old.on('stream', (stream, headers) => {
      paths.push(String(headers[':path']));
      stream.respond({ ':status': 204 }, { endStream: true });
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    const link = new Link({
      url: new URL(`https://127.0.0.1:${(old.address() as AddressInfo).port}`),
      token: 'test-token-0123456789abcdef',
      pin: spkiPin(tls.cert),
      log: quietLog,
    });
    link.start();
    try {
      await waitFor(() => /speaks link protocol 1/.test(link.state.lastError ?? ''), 'the refusal');
      assert.match(link.state.lastError!, /the listener speaks link protocol 1 \(it says no version\), this end 2: .*\[E_RAILGUN_LINK_VERSION\]/);
      assert.notEqual(link.state.state, 'up');
      await assert.rejects(link.request({ ':method': 'GET', ':path': '/' }, 200, true), /not up/);
      assert.ok(
        paths.every((path) => path === helloPath),
        'only hellos reached the old listener',
      );
    } finally {
      link.stop();
      await new Promise<void>((resolve) => old.close(() => resolve()));
    }
  });

  it("refuses a listener whose key does not match the sender's pin, before sending the token", async () => {
    const other = await generateCertificate(['127.0.0.1']);
    const pair = await startPair({ origin: originUrl, pin: spkiPin(other.cert), linkWaitMs: 300 });
    try {
      await waitFor(() => pair.link.state.lastError?.includes('does not match the pin'), 'the pin check');
      assert.equal((await fetch(pair.url('/'))).status, 504);
    } finally {
      await pair.close();
    }
  });

  it('stops cleanly while PINGs are due: a destroyed session is never pinged (a CI run crashed on it)', async () => {
    const tls = await testTls();
    const listener = await startListener({ origin: originUrl }, tls);
    try {
      // A PING every millisecond, and stop() called from a timer: the PING interval then often
      // runs after destroy() and before the session's 'close', which used to throw.
      for (let round = 0; round < 30; round++) {
        const link = new Link({
          url: new URL(`https://127.0.0.1:${listener.port}`),
          token: 'test-token-0123456789abcdef',
          pin: spkiPin(tls.cert),
          keepaliveMs: 1,
          log: quietLog,
        });
        link.start();
        await waitFor(() => link.state.state === 'up', 'the link up');
        await new Promise<void>((resolve) =>
          setTimeout(
            () => {
              link.stop();
              resolve();
            },
            1 + (round % 3),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
        assert.equal(link.state.state, 'stopped');
      }
    } finally {
      await listener.close();
    }
  });
});
