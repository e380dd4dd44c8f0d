// The only bridge between the console and the main process: one named function per procedure and
// stream of the contract (window.signalbox.procedures['dns.stats'], ...), never a generic invoke.
import { contextBridge, ipcRenderer } from 'electron';
import { ipcChannel, type IpcOutcome, type IpcStreamMessage, type SignalboxBridge } from '../engine/api/bridge.ts';
import type { ApiErrorShape } from '../engine/api/errors.ts';
import { procedures, streams } from '../engine/api/index.ts';

interface Listener {
  onEvent(data: unknown): void;
  onEnd(error?: ApiErrorShape): void;
}

const listeners = new Map<number, Listener>();
let nextId = 1;

ipcRenderer.on(ipcChannel.event, (_event, message: IpcStreamMessage) => {
  const listener = listeners.get(message.id);
  if (!listener) return;
  if ('end' in message) {
    listeners.delete(message.id);
    listener.onEnd(message.error);
  } else {
    listener.onEvent(message.data);
  }
});

function callFunction(name: string) {
  return (params: unknown): Promise<IpcOutcome> => ipcRenderer.invoke(ipcChannel.call(name), params);
}

function streamFunction(name: string) {
  return (params: unknown, onEvent: Listener['onEvent'], onEnd: Listener['onEnd']): (() => void) => {
    const id = nextId++;
    listeners.set(id, { onEvent, onEnd });
    void ipcRenderer.invoke(ipcChannel.subscribe(name), id, params).then((outcome: IpcOutcome) => {
      if (!outcome.ok && listeners.delete(id)) onEnd(outcome.error);
    });
    return () => {
      if (listeners.delete(id)) void ipcRenderer.invoke(ipcChannel.unsubscribe, id);
    };
  };
}

const bridge = {
  procedures: Object.fromEntries(Object.keys(procedures).map((name) => [name, callFunction(name)])),
  streams: Object.fromEntries(Object.keys(streams).map((name) => [name, streamFunction(name)])),
} as unknown as SignalboxBridge;

contextBridge.exposeInMainWorld('signalbox', bridge);
