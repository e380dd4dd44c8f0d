import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipcChannel, type IpcOutcome, type IpcStreamMessage } from '../../../../engine/api/bridge.ts';
import { desktopCaller } from '../../../../engine/api/identity.ts';
import type { RpcHandler } from '../../../../engine/host/rpc.ts';
import { serveIpc, type IpcEvent, type IpcMainLike } from '../../../../engine/host/transports/electron.ts';
import { waitFor } from '../../../helpers/wait.ts';

type Listener = (event: IpcEvent, ...args: unknown[]) => unknown;

function fakeIpc() {
  const handlers = new Map<string, Listener>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipc, handlers };
}

function fakeFrame(url: string) {
  const sent: IpcStreamMessage[] = [];
  let onDestroyed = () => {};
  const event: IpcEvent = {
    senderFrame: { url },
    sender: {
      id: 1,
      send: (_channel, message) => void sent.push(message as IpcStreamMessage),
      isDestroyed: () => false,
      once: (_event, listener) => void (onDestroyed = listener),
    },
  };
  return { event, sent, destroy: () => onDestroyed() };
}

const handler: RpcHandler & { live: number } = {
  live: 0,
  call: async (_method, params) => params,
  subscribe(_stream, _params, emit) {
    handler.live++;
    const timer = setInterval(() => emit({ n: 1, at: 0 }), 5);
    return () => {
      handler.live--;
      clearInterval(timer);
    };
  },
};
const trustApp = (event: IpcEvent) => event.senderFrame?.url.startsWith('app://signalbox/') ?? false;

describe('Electron IPC adapter', () => {
  it('registers one channel per procedure and stream, and removes them all', () => {
    const { ipc, handlers } = fakeIpc();
    const dispose = serveIpc(ipc, handler, trustApp, desktopCaller);
    assert.ok(handlers.has(ipcChannel.call('host.info')));
    assert.ok(handlers.has(ipcChannel.call('echo.echo')));
    assert.ok(handlers.has(ipcChannel.subscribe('host.watchEngines')));
    assert.ok(![...handlers.keys()].some((channel) => /invoke|generic/.test(channel)));
    dispose();
    assert.equal(handlers.size, 0);
  });

  it('answers the app frame with validated params', async () => {
    const { ipc, handlers } = fakeIpc();
    serveIpc(ipc, handler, trustApp, desktopCaller);
    const { event } = fakeFrame('app://signalbox/index.html');
    const call = handlers.get(ipcChannel.call('echo.echo'))!;
    assert.deepEqual(await call(event, { text: 'hi' }), { ok: true, result: { text: 'hi' } });
    const bad = (await call(event, { text: 5 })) as IpcOutcome;
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.error.code, 'E_INVALID_PARAMS');
  });

  it('refuses frames that are not the app', async () => {
    const { ipc, handlers } = fakeIpc();
    serveIpc(ipc, handler, trustApp, desktopCaller);
    const { event } = fakeFrame('https://evil.example/');
    const outcome = (await handlers.get(ipcChannel.call('echo.echo'))!(event, { text: 'hi' })) as IpcOutcome;
    assert.equal(outcome.ok, false);
    assert.match(!outcome.ok ? outcome.error.message : '', /untrusted frame \(https:\/\/evil\.example\/\)/);
    const sub = (await handlers.get(ipcChannel.subscribe('echo.ticks'))!(event, 1, {})) as IpcOutcome;
    assert.equal(sub.ok, false);
  });

  it('streams events to the subscribing frame and stops when the frame is destroyed', async () => {
    const { ipc, handlers } = fakeIpc();
    serveIpc(ipc, handler, trustApp, desktopCaller);
    const frame = fakeFrame('app://signalbox/index.html');
    assert.deepEqual(handlers.get(ipcChannel.subscribe('echo.ticks'))!(frame.event, 9, {}), { ok: true, result: null });
    await waitFor(() => frame.sent.length >= 2, 'events to the frame');
    assert.deepEqual(frame.sent[0], { id: 9, data: { n: 1, at: 0 } });
    frame.destroy();
    assert.equal(handler.live, 0);
  });
});
