// `serve` holds a bounded amount for an API client that does not read. It stops reading a client
// whose answers wait (TCP then stops the client sending), so a flood of calls costs the host a few
// answers, not the flood; a queue that still passes its bound closes the connection with 1008 and
// a reason saying how much was left unread; when all clients together pass the host's bound, the
// one holding most is closed with 1013. Everything a connection held is given back on close.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { defaultConfig } from '../../../engine/host/config.ts';
import { apiProtocol, startServe, type Served } from '../../../engine/host/serve.ts';
import { apiTokenOf } from '../../helpers/serve-auth.ts';
import { defaultSendLimits, type SendLimits } from '../../../engine/host/transports/send-queue.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { frame, pausedApiClient, readClose, readMessages, sendEchoCalls } from '../../helpers/raw-websocket.ts';
import { waitFor } from '../../helpers/wait.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
let served: Served | undefined;
afterEach(() => served?.close());

/** A serve and an admin API token for it (the API's clients here are programs). */
async function serve(sendLimits?: Partial<SendLimits>): Promise<Served & { token: string }> {
  const rendererDir = join(tempDir('renderer'), 'dist');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  served = await startServe({
    config: defaultConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir: tempDir('serve-slow'),
    rendererDir,
    version: 'test',
    log: quietLog,
    ...(sendLimits ? { sendLimits } : {}),
  });
  return Object.assign(served, { token: await apiTokenOf(served) });
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

/** Waits until what the host holds has not changed for a second (the flood has stalled). */
async function stalled(served: Served): Promise<number> {
  let last = -1;
  let since = Date.now();
  return waitFor(
    () => {
      const held = served.sendBudget.heldBytes;
      if (held !== last) [last, since] = [held, Date.now()];
      return held > 0 && Date.now() - since > 1000 && held;
    },
    'the flood to stall',
    30_000,
    100,
  );
}

describe('serve with clients that do not read', () => {
  it('stops reading a client that leaves its answers unread: the host holds little, and every answer arrives once it reads', async () => {
    const { port, token, sendBudget } = await serve();
    const slow = await pausedApiClient(port, token);
    // 1,500 answers of 32 KiB asked for: 47 MiB, more than the kernel buffers on both ends hold.
    const sending = sendEchoCalls(slow, 1500, 32 * KiB);
    const held = await stalled(served!);
    const bound = defaultSendLimits.socketWindowBytes + (defaultSendLimits.maxPendingCalls + 1) * 2 * (32 * KiB + 100);
    assert.ok(held <= bound, `held ${held}, bound ${bound}`);
    assert.ok(slow.writableLength > 0, 'the client cannot send all its calls: the host stopped reading');
    assert.equal(sendBudget.slowClosed, 0);
    assert.deepEqual(await echoOverApi(port, token), { t: 'result', id: 7, result: { text: 'still here' } });
    slow.resume();
    const answers = (await readMessages(slow, 1500, 60_000)) as { t: string; id: number }[];
    await sending;
    assert.deepEqual(
      answers.map((answer) => answer.id),
      Array.from({ length: 1500 }, (_, i) => i + 1),
    );
    slow.destroy();
    await waitFor(() => sendBudget.connections === 0, 'the connection to be released');
    assert.equal(sendBudget.heldBytes, 0);
  });

  it('closes a client whose unread queue passes its bound with 1008 and frees what it held, its subscriptions ended', async () => {
    const { port, token, sendBudget, host } = await serve({ maxQueuedBytes: 256 * KiB });
    const slow = await pausedApiClient(port, token);
    // The router follows each engine subscription across restarts with one 'ready' listener.
    const following = host.supervisor.listenerCount('ready');
    slow.write(frame({ opcode: 0x1, payload: Buffer.from(JSON.stringify({ t: 'subscribe', id: 99_999, stream: 'echo.ticks', params: {} })) }));
    await waitFor(() => host.supervisor.listenerCount('ready') === following + 1, 'the subscription');
    void sendEchoCalls(slow, 1500, 32 * KiB);
    await waitFor(() => sendBudget.slowClosed === 1, 'the slow client to be closed', 30_000);
    // Reading again, it finds the answers that were in flight, then the close frame and its reason.
    slow.resume();
    const close = await readClose(slow);
    assert.equal(close.code, 1008);
    assert.match(close.reason, /^client too slow: \d+ bytes unread$/);
    const unread = Number(close.reason.match(/(\d+) bytes/)![1]);
    assert.ok(unread >= 256 * KiB && unread <= 256 * KiB + 256 * KiB + 2 * 33 * KiB, `unread ${unread}`);
    await waitFor(() => sendBudget.connections === 0, 'the connection to be released', 10_000);
    assert.equal(sendBudget.heldBytes, 0);
    assert.equal(host.supervisor.listenerCount('ready'), following);
    assert.deepEqual(await echoOverApi(port, token), { t: 'result', id: 7, result: { text: 'still here' } });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).text();
    assert.match(metrics, /^signalbox_api_slow_closed_total 1$/m);
    assert.match(metrics, /^signalbox_api_unread_bytes 0$/m);
  });

  it('closes the client holding most with 1013 when all of them pass the host bound', async () => {
    const { port, token, sendBudget } = await serve({ maxTotalBytes: 1 * MiB });
    const clients = await Promise.all([1, 2, 3].map(() => pausedApiClient(port, token)));
    for (const client of clients) void sendEchoCalls(client, 600, 32 * KiB);
    await waitFor(() => sendBudget.slowClosed >= 1, 'a client to be shed', 30_000);
    const closes = await Promise.all(
      clients.map((client) => {
        client.resume();
        // Only a shed one gets a close frame; the others read on and stay open.
        return readClose(client, 4000).catch(() => null);
      }),
    );
    const shed = closes.filter((close) => close?.code === 1013);
    assert.ok(shed.length >= 1, JSON.stringify(closes));
    assert.match(shed[0]!.reason, /^client too slow: \d+ bytes unread; the host holds \d+ bytes unread by its clients$/);
    await waitFor(() => sendBudget.connections === 0, 'every connection to be released', 10_000);
    assert.deepEqual(await echoOverApi(port, token), { t: 'result', id: 7, result: { text: 'still here' } });
  });
});
