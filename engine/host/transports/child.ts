// The child-process channel between the supervisor and an engine process. RPC messages travel as
// { rpc: message }; the supervisor's own control messages (ready, heartbeat, shutdown, the steps
// of a handover) as { ctl }. Handover steps are not API procedures: nothing outside the host can
// ask an engine to drain.
import type { ChildProcess } from 'node:child_process';
import type { Transport } from '../rpc.ts';

export type HandoverStep = 'probe' | 'export' | 'import' | 'drain';

export type ControlMessage =
  | { kind: 'init'; engine: string; config: unknown; dataDir: string; worker?: { index: number; count: number } }
  | { kind: 'ready'; version: string }
  | { kind: 'handover'; id: number; step: HandoverStep; payload?: unknown }
  | { kind: 'handoverDone'; id: number; ok: boolean; result?: unknown; error?: string }
  /** Work a draining process passes on, through the supervisor, to the one that serves now. */
  | { kind: 'passOn'; work: unknown }
  /** rssBytes is null when the sample could not be read (no file descriptor left). */
  | { kind: 'heartbeat'; rssBytes: number | null; heapUsedBytes: number }
  | { kind: 'shutdown' };

/** Either end of an IPC channel: a ChildProcess in the supervisor, `process` in the engine. */
interface ChannelEnd {
  readonly connected?: boolean;
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  disconnect?(): void;
}

function envelope(message: unknown): { rpc?: unknown; ctl?: ControlMessage } | undefined {
  return typeof message === 'object' && message !== null ? (message as { rpc?: unknown; ctl?: ControlMessage }) : undefined;
}

function channelTransport(end: ChannelEnd): Transport {
  return {
    send(message) {
      // A message to a process that just died is dropped; its exit is reported separately.
      if (end.connected) end.send?.({ rpc: message });
    },
    onMessage(listener) {
      end.on('message', (message) => {
        const rpc = envelope(message)?.rpc;
        if (rpc !== undefined) listener(rpc);
      });
    },
    onClose(listener) {
      end.on('disconnect', listener);
    },
    close() {
      if (end.connected) end.disconnect?.();
    },
  };
}

export function sendControl(end: ChannelEnd, message: ControlMessage): void {
  if (end.connected) end.send?.({ ctl: message });
}

export function onControl(end: ChannelEnd, listener: (message: ControlMessage) => void): void {
  end.on('message', (message) => {
    const ctl = envelope(message)?.ctl;
    if (ctl !== undefined) listener(ctl);
  });
}

/** The supervisor's side of an engine process's channel. */
export function childTransport(child: ChildProcess): Transport {
  return channelTransport(child);
}

/** The engine process's side of the channel to its supervisor. */
export function parentTransport(): Transport {
  if (!process.send) throw new Error('this process has no IPC channel: start it through the supervisor');
  return channelTransport(process);
}

let nextHandoverId = 1;

/** Runs one handover step in an engine process and resolves with its result. */
export function requestHandover(child: ChildProcess, step: HandoverStep, payload: unknown, timeoutMs: number): Promise<unknown> {
  const id = nextHandoverId++;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, result?: unknown) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(result);
    };
    const onMessage = (message: unknown) => {
      const ctl = envelope(message)?.ctl;
      if (ctl?.kind === 'handoverDone' && ctl.id === id) done(ctl.ok ? null : new Error(ctl.error ?? `${step} failed`), ctl.result);
    };
    const onExit = () => done(new Error(`the process exited during ${step}`));
    const timer = setTimeout(() => done(new Error(`${step} took longer than ${timeoutMs} ms`)), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
    sendControl(child, { kind: 'handover', id, step, ...(payload === undefined ? {} : { payload }) });
  });
}
