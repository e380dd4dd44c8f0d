// The WebSocket transport (headless `serve`, e2e tests, remote consoles): one JSON message a frame.
// What one client does to its connection stays with it: a frame that breaks RFC 6455 closes that
// connection (ws answers with the close code the violation calls for), a client that does not read
// is read no further and closed once its bound is reached (send-queue.ts), and nothing a client
// sends can throw here.
import type { WebSocket } from 'ws';
import type { Logger } from '../../api/engine.ts';
import { maxMessageBytes } from '../../api/messages.ts';
import type { Transport } from '../rpc.ts';
import { SendQueue, type SendBudget } from './send-queue.ts';

/** Frames above this size are refused (one frame carries one API message). */
export const maxFrameBytes = maxMessageBytes;

export interface WebSocketTransportOptions {
  budget: SendBudget;
  log: Logger;
  /** Who the client is, for the log. */
  remote?: string;
}

export function webSocketTransport(socket: WebSocket, options: WebSocketTransportOptions): Transport {
  const { log, remote } = options;
  const closeListeners: (() => void)[] = [];
  let closed = false;
  // Subscriptions end and pending answers are dropped as soon as the connection is given up,
  // not only once its close handshake (which a client that does not read never answers) ends.
  const closeOnce = () => {
    if (closed) return;
    closed = true;
    queue.release();
    for (const listener of closeListeners) listener();
  };
  let paused = false;
  // Backpressure: while this client's answers wait or enough of its calls are being served, its
  // frames stay in the kernel and TCP stops it sending more.
  const flow = () => {
    if (queue.mayRead === !paused || closed) return;
    paused = !paused;
    if (paused) socket.pause();
    else socket.resume();
  };
  const queue = new SendQueue(
    socket,
    options.budget,
    (slow) => {
      log.warn('closed an API connection that does not read', { remote, code: slow.code, reason: slow.reason, queuedMessages: slow.queuedMessages });
      closeOnce();
    },
    flow,
  );
  // ws closes the connection with the code of the violation (1002 protocol error, 1007 invalid
  // UTF-8, 1009 too big) and then emits the error; without a listener it would end the process.
  socket.on('error', (err: Error & { code?: string }) => {
    log.warn('closed an API connection after a protocol violation', { remote, code: err.code ?? 'E_WS', error: err.message });
  });
  socket.on('close', closeOnce);

  return {
    send(message) {
      const { t, id } = message as { t?: string; id?: unknown };
      queue.send(JSON.stringify(message), (t === 'result' || t === 'error') && typeof id === 'number' ? id : undefined);
    },
    onMessage(listener) {
      socket.on('message', (data, isBinary) => {
        if (closed) return;
        if (isBinary) {
          socket.close(1003, 'binary frames are not part of the API');
          return;
        }
        let message: unknown;
        try {
          message = JSON.parse(data.toString());
        } catch {
          // The server answers unparseable input with E_BAD_MESSAGE, like any invalid envelope.
          message = { t: 'invalid-json' };
        }
        const { t, id } = (message ?? {}) as { t?: unknown; id?: unknown };
        if (t === 'call' && typeof id === 'number') {
          queue.callReceived(id, (data as Buffer).length);
          flow();
        }
        listener(message);
      });
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    close() {
      socket.close(1000);
    },
  };
}
