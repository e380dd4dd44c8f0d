// What Electron's preload exposes to the console as `window.signalbox`: one named function per
// procedure and per stream of the contract, nothing generic; and the IPC channels behind them.
import type { ApiErrorShape } from './errors.ts';
import type { ProcedureName, RequestOf, StreamName, StreamParamsOf } from './index.ts';

export const ipcChannel = {
  call: (name: string) => `signalbox:call:${name}`,
  subscribe: (name: string) => `signalbox:subscribe:${name}`,
  unsubscribe: 'signalbox:unsubscribe',
  event: 'signalbox:event',
} as const;

/** What a call over IPC resolves to: errors keep their code, which thrown errors would lose. */
export type IpcOutcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

/** A stream's event, or its end with the reason, sent from main to the frame that subscribed. */
export type IpcStreamMessage = { id: number; data: unknown } | { id: number; end: true; error?: ApiErrorShape };

export interface SignalboxBridge {
  readonly procedures: { readonly [M in ProcedureName]: (params: RequestOf<M>) => Promise<IpcOutcome> };
  /** Starts a stream; the returned function ends it. */
  readonly streams: {
    readonly [S in StreamName]: (params: StreamParamsOf<S>, onEvent: (data: unknown) => void, onEnd: (error?: ApiErrorShape) => void) => () => void;
  };
}
