// What a client is told when its request cannot be forwarded or answered: a GET or HEAD with a body
// is refused (RFC 9110 §9.3.1), and a failure inside the pair is a generic text with an id whose
// details are in the log only.
import assert from 'node:assert/strict';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '../../../engine/api/engine.ts';
import { zstdCodec, type Codec } from '../../../engine/railgun/codec.ts';
import { closedByServer, connect, readAnswer } from './raw-http.ts';
import { startPair, type Pair } from './pair.ts';

const page = Buffer.from(`<html><body>${'request errors '.repeat(500)}</body></html>`);
let origin: http.Server;
let originUrl: string;
const seen: IncomingMessage[] = [];

before(async () => {
  origin = http.createServer((request, response) => {
    seen.push(request);
    request.resume();
    response.writeHead(200, { 'content-type': 'text/html' }).end(request.method === 'HEAD' ? undefined : page);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

after(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

/** Every line the sender logged, with its fields. */
function recordingLog(lines: { msg: string; fields: Record<string, unknown> }[]): Logger {
  const log: Logger = {
    debug: (msg, fields = {}) => lines.push({ msg, fields }),
    info: (msg, fields = {}) => lines.push({ msg, fields }),
    warn: (msg, fields = {}) => lines.push({ msg, fields }),
    error: (msg, fields = {}) => lines.push({ msg, fields }),
    child: () => log,
  };
  return log;
}

describe('railgun sender: requests it cannot forward or answer', () => {
  let pair: Pair;
  before(async () => {
    pair = await startPair({ origin: originUrl });
  });
  after(() => pair.close());

  const withBodies = [
    ['GET with Content-Length', 'GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello'],
    ['HEAD with Content-Length', 'HEAD /a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello'],
    ['GET with chunked content', 'GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
  ] as const;
  for (const [what, request] of withBodies) {
    it(`refuses a ${what} with 400 and closes the connection; the origin never sees it (RFC 9110 §9.3.1)`, async () => {
      const before = seen.length;
      const socket = await connect(pair.sender.port);
      try {
        const answer = await readAnswer(socket, () => socket.write(request));
        assert.equal(answer.status, 400);
        assert.equal(answer.headers.get('connection'), 'close');
        if (!what.startsWith('HEAD')) assert.match(answer.body, /must not carry a body .*\[E_RAILGUN_BODILESS_METHOD\]/);
        await closedByServer(socket);
        assert.equal(seen.length, before, 'nothing reached the origin');
      } finally {
        socket.destroy();
      }
    });
  }

  it('forwards a GET with Content-Length: 0 as a GET without a body', async () => {
    const socket = await connect(pair.sender.port);
    try {
      const answer = await readAnswer(socket, () => socket.write('GET /zero HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n'));
      assert.equal(answer.status, 200);
      assert.equal(answer.body, page.toString());
      assert.equal(seen[seen.length - 1]!.url, '/zero');
    } finally {
      socket.destroy();
    }
  });
});

describe('railgun sender: a failure inside the pair', () => {
  it('answers 502 with a generic text and an error id; the reason is in the log under that id only', { timeout: 20_000 }, async () => {
    // Every full body the listener sends is damaged, the resend too: the sender can never verify it.
    const damaging: Codec = {
      ...zstdCodec,
      async encodeFull(body, level) {
        const encoded = await zstdCodec.encodeFull(body, level);
        encoded[encoded.length >> 1]! ^= 0x10;
        return encoded;
      },
    };
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    const pair = await startPair({ origin: originUrl, listenerCodec: damaging, senderLog: recordingLog(lines) });
    try {
      const response = await fetch(pair.url('/damaged'));
      const text = await response.text();
      assert.equal(response.status, 502);
      const id = response.headers.get('signalbox-error-id');
      assert.match(id ?? '', /^[0-9a-f]{12}$/);
      assert.equal(
        text,
        `signalbox railgun: this request could not be answered (error id ${id}; the operator's log has the details) [E_RAILGUN_BAD_GATEWAY]\n`,
      );
      const logged = lines.find((line) => line.fields.id === id);
      assert.ok(logged, 'the log has a line with the id');
      assert.match(String(logged.fields.error), /decoded|SHA-256/, 'with the real reason');
    } finally {
      await pair.close();
    }
  });
});
