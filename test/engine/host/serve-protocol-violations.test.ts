// One client breaking the WebSocket protocol (RFC 6455) closes its own connection with the close
// code the violation calls for (§7.4.1: 1002 protocol error, 1007 invalid UTF-8, 1009 too big);
// `serve` and its engines go on serving everyone else. Run against the built `signalbox serve`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { apiProtocol } from '../../../engine/host/serve.ts';
import { tempDir } from '../../helpers/host.ts';
import { closePayload, frame, rawUpgrade, readClose, type FrameSpec } from '../../helpers/raw-websocket.ts';
import { childPids, startServeProcess, stopProcess, type ServeProcess } from '../../helpers/serve-process.ts';
import { waitFor } from '../../helpers/wait.ts';

const text = 0x1;
const continuation = 0x0;
const close = 0x8;
const ping = 0x9;

/** Each violation: the frames that make it, and the close code RFC 6455 (and ws) answer it with. */
const violations: { name: string; frames: FrameSpec[]; code: number }[] = [
  { name: 'invalid UTF-8 in a text frame', frames: [{ opcode: text, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }], code: 1007 },
  { name: 'a reserved data opcode (0x3)', frames: [{ opcode: 0x3, payload: Buffer.from('x') }], code: 1002 },
  { name: 'a reserved control opcode (0xB)', frames: [{ opcode: 0xb }], code: 1002 },
  { name: 'RSV1 set with no extension agreed', frames: [{ opcode: text, rsv: 0x40, payload: Buffer.from('{}') }], code: 1002 },
  { name: 'RSV2 and RSV3 set', frames: [{ opcode: text, rsv: 0x30, payload: Buffer.from('{}') }], code: 1002 },
  { name: 'an unmasked client frame', frames: [{ opcode: text, masked: false, payload: Buffer.from('{}') }], code: 1002 },
  { name: 'a fragmented control frame', frames: [{ opcode: ping, fin: false, payload: Buffer.from('p') }], code: 1002 },
  { name: 'a control frame over 125 bytes', frames: [{ opcode: ping, payload: Buffer.alloc(126, 0x61) }], code: 1002 },
  { name: 'a message over the 40 MiB frame limit', frames: [{ opcode: text, announcedLength: 41n * 1024n * 1024n }], code: 1009 },
  { name: 'a payload length with its most significant bit set', frames: [{ opcode: text, announcedLength: 1n << 63n }], code: 1009 },
  { name: 'a close frame with a reserved code (1005)', frames: [{ opcode: close, payload: closePayload(1005) }], code: 1002 },
  { name: 'a close frame with a one-byte body', frames: [{ opcode: close, payload: Buffer.from([0x03]) }], code: 1002 },
  { name: 'invalid UTF-8 in a close reason', frames: [{ opcode: close, payload: closePayload(1000, Buffer.from([0xc3, 0x28])) }], code: 1007 },
  { name: 'a continuation frame with nothing to continue', frames: [{ opcode: continuation, payload: Buffer.from('{}') }], code: 1002 },
  {
    name: 'a new data frame inside a fragmented message',
    frames: [
      { opcode: text, fin: false, payload: Buffer.from('{"t":') },
      { opcode: text, payload: Buffer.from('"call"}') },
    ],
    code: 1002,
  },
];

let served: ServeProcess;
let engines: number[];
before(async () => {
  const dir = tempDir('violations');
  const config = join(dir, 'signalbox.yaml');
  writeFileSync(config, 'engines:\n  vault:\n    enabled: true\n  bundler:\n    enabled: true\n');
  served = await startServeProcess(['--data-dir', dir, '--config', config]);
  engines = await waitFor(() => childPids(served.child.pid!).length === 3 && childPids(served.child.pid!), 'the echo, vault and bundler processes', 15_000);
});
after(() => stopProcess(served.child));

/** One API call over a correct client: what shows that the host and the engine behind it still serve. */
async function echoOverApi(word: string): Promise<unknown> {
  const ws = new WebSocket(`ws://127.0.0.1:${served.port}/api`, [apiProtocol], { headers: { Authorization: `Bearer ${served.token}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const answer = await new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.send(JSON.stringify({ t: 'call', id: 1, method: 'echo.echo', params: { text: word } }));
  });
  ws.close();
  return answer;
}

describe('serve under WebSocket protocol violations', () => {
  for (const violation of violations) {
    it(`closes a connection that sends ${violation.name} with ${violation.code}, and keeps serving`, async () => {
      const socket = await rawUpgrade(served.port, '/api', { 'Sec-WebSocket-Protocol': apiProtocol, Authorization: `Bearer ${served.token}` });
      const closed = readClose(socket);
      for (const spec of violation.frames) socket.write(frame(spec));
      assert.equal((await closed).code, violation.code);
      assert.equal(served.child.exitCode, null, `serve exited:\n${served.stderr()}`);
      assert.deepEqual(await echoOverApi(violation.name), { t: 'result', id: 1, result: { text: violation.name } });
    });
  }

  it('keeps serving when clients reset their connection right after an upgrade request', async () => {
    // Unauthenticated, so the refusal (401) is written to a socket the client has already reset.
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(served.port, '127.0.0.1', () => {
          socket.write(
            `GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
          setImmediate(() => {
            socket.resetAndDestroy();
            resolve();
          });
        });
        socket.on('error', () => {});
      });
    }
    assert.deepEqual(await echoOverApi('after resets'), { t: 'result', id: 1, result: { text: 'after resets' } });
    assert.equal(served.child.exitCode, null, `serve exited:\n${served.stderr()}`);
  });

  it('still runs the same engine processes after every violation', () => {
    assert.deepEqual(childPids(served.child.pid!).sort(), [...engines].sort());
  });
});
