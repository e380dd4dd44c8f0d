// The WebSocket transport (headless `serve`, e2e tests, remote consoles): one JSON message a frame.
import type { WebSocket } from 'ws';
import { maxMessageBytes } from '../../api/messages.ts';
import type { Transport } from '../rpc.ts';

/** Frames above this size are refused (one frame carries one API message). */
export const maxFrameBytes = maxMessageBytes;

export function webSocketTransport(socket: WebSocket): Transport {
  return {
    send(message) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      socket.on('message', (data, isBinary) => {
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
        listener(message);
      });
    },
    onClose(listener) {
      socket.on('close', () => listener());
    },
    close() {
      socket.close(1000);
    },
  };
}
