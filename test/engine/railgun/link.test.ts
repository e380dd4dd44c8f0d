// The link's own guarantees: both ends authenticate (the sender pins the listener's key, the
// listener checks the token), PINGs measure the round trip, and a refused link says why.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Link } from '../../../engine/railgun/link.ts';
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
    const pair = await startPair({ origin: originUrl, token: 'the-listeners-token-0123456789', senderToken: 'a-wrong-token-abcdefghijklmnop', linkWaitMs: 300 });
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
        const link = new Link({ url: new URL(`https://127.0.0.1:${listener.port}`), token: 'test-token-0123456789abcdef', pin: spkiPin(tls.cert), keepaliveMs: 1, log: quietLog });
        link.start();
        await waitFor(() => link.state.state === 'up', 'the link up');
        await new Promise<void>((resolve) => setTimeout(() => { link.stop(); resolve(); }, 1 + (round % 3)));
        await new Promise((resolve) => setTimeout(resolve, 5));
        assert.equal(link.state.state, 'stopped');
      }
    } finally {
      await listener.close();
    }
  });
});
