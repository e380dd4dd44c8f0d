// The Electron IPC adapter. The preload exposes one named function per procedure and stream; each
// maps to its own channel here, so there is no generic invoke. Electron's objects are described
// structurally so that this file (like all of engine/) never imports electron and runs in tests.
import { ipcChannel, type IpcOutcome, type IpcStreamMessage } from '../../api/bridge.ts';
import { toApiError } from '../../api/error-codes.ts';
import { ApiError, ErrorCode } from '../../api/errors.ts';
import type { Caller } from '../../api/identity.ts';
import { procedures, streams } from '../../api/index.ts';
import { authorize, validateParams, type RpcHandler } from '../rpc.ts';

export interface IpcSender {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcEvent {
  readonly sender: IpcSender;
  readonly senderFrame: { readonly url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Decides whether a frame may use the API at all (the app's own top frame, nothing else). */
export type SenderCheck = (event: IpcEvent) => boolean;

/**
 * Registers every channel; returns the function that removes them and ends all subscriptions.
 * `caller`: who the app's own frame is (the desktop's local user, an admin: the main process trusts it).
 */
export function serveIpc(ipc: IpcMainLike, handler: RpcHandler, isTrusted: SenderCheck, caller: Caller): () => void {
  const subscriptions = new Map<string, () => void>();
  const key = (sender: IpcSender, id: number) => `${sender.id}:${id}`;
  const refuse = (event: IpcEvent) => new ApiError(ErrorCode.badMessage, `IPC from an untrusted frame (${event.senderFrame?.url ?? 'unknown'}) refused`);

  for (const name of Object.keys(procedures)) {
    ipc.handle(ipcChannel.call(name), async (event, params): Promise<IpcOutcome> => {
      try {
        if (!isTrusted(event)) throw refuse(event);
        authorize('call', name, caller);
        return { ok: true, result: await handler.call(name, validateParams('call', name, params), caller) };
      } catch (err) {
        return { ok: false, error: toApiError(err).toJSON() };
      }
    });
  }

  for (const name of Object.keys(streams)) {
    ipc.handle(ipcChannel.subscribe(name), (event, id, params): IpcOutcome => {
      try {
        if (!isTrusted(event)) throw refuse(event);
        if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new ApiError(ErrorCode.badMessage, 'subscription id must be an integer');
        const { sender } = event;
        const subKey = key(sender, id);
        if (subscriptions.has(subKey)) throw new ApiError(ErrorCode.badMessage, `subscription ${id} exists`);
        const send = (message: IpcStreamMessage) => {
          if (!sender.isDestroyed()) sender.send(ipcChannel.event, message);
        };
        authorize('subscribe', name, caller);
        const valid = validateParams('subscribe', name, params);
        const stop = handler.subscribe(
          name,
          valid,
          (data) => send({ id, data }),
          (error) => {
            subscriptions.delete(subKey);
            send({ id, end: true, error: error?.toJSON() });
          },
          caller,
        );
        subscriptions.set(subKey, stop);
        sender.once('destroyed', () => {
          subscriptions.get(subKey)?.();
          subscriptions.delete(subKey);
        });
        return { ok: true, result: null };
      } catch (err) {
        return { ok: false, error: toApiError(err).toJSON() };
      }
    });
  }

  ipc.handle(ipcChannel.unsubscribe, (event, id) => {
    if (!isTrusted(event) || typeof id !== 'number') return;
    const subKey = key(event.sender, id);
    subscriptions.get(subKey)?.();
    subscriptions.delete(subKey);
  });

  return () => {
    for (const name of Object.keys(procedures)) ipc.removeHandler(ipcChannel.call(name));
    for (const name of Object.keys(streams)) ipc.removeHandler(ipcChannel.subscribe(name));
    ipc.removeHandler(ipcChannel.unsubscribe);
    for (const stop of subscriptions.values()) stop();
    subscriptions.clear();
  };
}
