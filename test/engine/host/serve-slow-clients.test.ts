// `serve` keeps a bounded amount for an API client that does not read: its answers wait in a
// queue of at most 4096 messages / 8 MiB (plus what its socket holds), then the connection is
// closed with 1008 and a reason saying how much was left unread; everything it held is given back.
// When all clients together hold more than the host's bound, the largest is closed with 1013.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { defaultConfig } from '../../../engine/host/config.ts';
import { apiProtocol, startServe, type Served } from '../../../engine/host/serve.ts';
import type { SendLimits } from '../../../engine/host/transports/send-queue.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { frame, rawUpgrade, readClose } from '../../helpers/raw-websocket.ts';
import { waitFor } from '../../helpers/wait.ts';

let served: Served | undefined;
afterEach(() => served?.close());

async function serve(sendLimits?: Partial<SendLimits>): Promise<Served> {
  const rendererDir = join(tempDir('renderer'), 'dist');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  served = await startServe({ config: defaultConfig(), host: '127.0.0.1', port: 0, dataDir: tempDir('serve-slow'), rendererDir, version: 'test', log: quietLog, ...(sendLimits ? { sendLimits } : {}) });
  return served;
}

/** A client that stops reading, then sends `calls` echo calls of `textBytes` each (answers as large). */
async function floodWithoutReading(port: number, token: string, calls: number, textBytes: number): Promise<Socket> {
  const socket = await rawUpgrade(port, '/api', { 'Sec-WebSocket-Protocol': apiProtocol, Authorization: `Bearer ${token}` });
  socket.pause();
  // Once the host gives up on us it closes the connection: later writes may fail, which is the point.
  socket.on('error', () => {});
  const text = 'a'.repeat(textBytes);
  for (let id = 1; id <= calls && !socket.destroyed; id++) {
    const call = JSON.stringify({ t: 'call', id, method: 'echo.echo', params: { text } });
    if (!socket.write(frame({ opcode: 0x1, payload: Buffer.from(call) }))) await new Promise((resolve) => socket.once('drain', resolve));
  }
  return socket;
}

async function echoOverApi(port: number, token: string): Promise<unknown> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, [apiProtocol], { headers: { Authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const answer = await new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.send(JSON.stringify({ t: 'call', id: 7, method: 'echo.echo', params: { text: 'still here' } }));
  });
  ws.close();
  return answer;
}

describe('serve with clients that do not read', () => {
  it('closes a client that leaves its answers unread with 1008 and frees what it held', async () => {
    const { port, token, sendBudget } = await serve();
    // 1,500 answers of 32 KiB: 47 MiB, more than the kernel buffers, the socket window and 8 MiB of queue.
    const slow = await floodWithoutReading(port, token, 1500, 32 * 1024);
    await waitFor(() => sendBudget.slowClosed === 1, 'the slow client to be closed', 30_000);
    // Reading again, it finds the answers that were in flight, then the close frame and its reason.
    slow.resume();
    const close = await readClose(slow);
    assert.equal(close.code, 1008);
    assert.match(close.reason, /^client too slow: \d+ bytes unread$/);
    const unread = Number(close.reason.match(/(\d+) bytes/)![1]);
    assert.ok(unread >= 8 * 1024 * 1024 && unread <= 8 * 1024 * 1024 + 256 * 1024 + 64 * 1024, `unread ${unread}`);
    await waitFor(() => sendBudget.connections === 0, 'the connection to be released', 10_000);
    assert.equal(sendBudget.unreadBytes, 0);
    assert.deepEqual(await echoOverApi(port, token), { t: 'result', id: 7, result: { text: 'still here' } });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).text();
    assert.match(metrics, /^signalbox_api_slow_closed_total 1$/m);
    assert.match(metrics, /^signalbox_api_unread_bytes 0$/m);
  });

  it('closes the client holding most with 1013 when all of them pass the host bound', async () => {
    const { port, token, sendBudget } = await serve({ maxTotalBytes: 4 * 1024 * 1024 });
    const clients = await Promise.all([1, 2, 3].map(() => floodWithoutReading(port, token, 600, 32 * 1024)));
    await waitFor(() => sendBudget.slowClosed >= 1, 'a client to be shed', 30_000);
    const closes = await Promise.all(
      clients.map((client) => {
        client.resume();
        // Only the shed one gets a close frame; the others read on and stay open.
        return readClose(client, 4000).catch(() => null);
      }),
    );
    const shed = closes.filter((close) => close?.code === 1013);
    assert.ok(shed.length >= 1, JSON.stringify(closes));
    assert.match(shed[0]!.reason, /^client too slow: \d+ bytes unread; the host holds \d+ bytes unread by its clients$/);
    assert.ok(sendBudget.unreadBytes <= 4 * 1024 * 1024 + 32 * 1024 + 100, `unread ${sendBudget.unreadBytes}`);
    assert.deepEqual(await echoOverApi(port, token), { t: 'result', id: 7, result: { text: 'still here' } });
  });
});
