// Transport over the WebSocket of `signalbox serve`. It reconnects with backoff, fails pending
// calls when the socket drops, and subscribes again after a reconnect so live views resume.
import { ErrorCode } from '../../engine/api/errors.ts';
import { ClientError, type ApiTransport, type ConnectionState } from './client.ts';

const protocol = 'signalbox.v1';
const callTimeoutMs = 30_000;
const retryDelaysMs = [250, 500, 1000, 2000, 5000];

interface Pending {
  resolve(value: unknown): void;
  reject(error: ClientError): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Subscription {
  stream: string;
  params: unknown;
  onEvent(data: unknown): void;
  onEnd(error?: ClientError): void;
}

type ServerMessage =
  | { t: 'result'; id: number; result: unknown }
  | { t: 'error'; id: number; error: { code: string; message: string } }
  | { t: 'event'; id: number; data: unknown }
  | { t: 'end'; id: number; error?: { code: string; message: string } };

/** The close code serve uses when the session ended (sign-out elsewhere, revoked, expired). */
const sessionEnded = 4401;

export function webSocketTransport(url: string): ApiTransport {
  let socket: WebSocket | undefined;
  let state: ConnectionState = { status: 'connecting' };
  let attempt = 0;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const subscriptions = new Map<number, Subscription>();
  const listeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of listeners) listener(next);
  };
  const send = (message: unknown) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  const connect = () => {
    setState({ status: 'connecting' });
    // The session cookie goes with the upgrade request (same origin); nothing secret is in the URL.
    const ws = new WebSocket(url, [protocol]);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState({ status: 'open' });
      for (const [id, sub] of subscriptions) send({ t: 'subscribe', id, stream: sub.stream, params: sub.params });
    };
    ws.onmessage = (event) => onMessage(JSON.parse(String(event.data)) as ServerMessage);
    ws.onclose = (event) => {
      if (socket !== ws) return;
      const error = new ClientError(ErrorCode.closed, 'the connection to the host closed');
      for (const call of pending.values()) {
        clearTimeout(call.timer);
        call.reject(error);
      }
      pending.clear();
      if (event.code === sessionEnded) {
        // Signed out: back to the sign-in form rather than retrying a session that is gone.
        setState({ status: 'closed', retryAt: null, reason: 'the session ended; sign in again' });
        window.location.reload();
        return;
      }
      const delay = retryDelaysMs[Math.min(attempt++, retryDelaysMs.length - 1)]!;
      const reason = event.code === 1001 ? 'the host shut down' : 'the host cannot be reached (or the session ended: reload to sign in)';
      setState({ status: 'closed', retryAt: Date.now() + delay, reason });
      // A refused upgrade looks like any drop to a page; /auth/me tells whether the session is gone.
      void fetch('/auth/me', { credentials: 'same-origin', cache: 'no-store' })
        .then((me) => (me.ok ? (me.json() as Promise<{ signedIn: boolean }>) : null))
        .then(
          (who) => {
            if (who?.signedIn === false) window.location.reload();
          },
          () => {},
        );
      setTimeout(connect, delay);
    };
  };

  const onMessage = (message: ServerMessage) => {
    if (message.t === 'result' || message.t === 'error') {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.t === 'result') call.resolve(message.result);
      else call.reject(new ClientError(message.error.code, message.error.message));
    } else if (message.t === 'event') {
      subscriptions.get(message.id)?.onEvent(message.data);
    } else {
      const sub = subscriptions.get(message.id);
      subscriptions.delete(message.id);
      sub?.onEnd(message.error ? new ClientError(message.error.code, message.error.message) : undefined);
    }
  };

  connect();

  return {
    kind: 'websocket',
    call(method, params) {
      if (state.status !== 'open') return Promise.reject(new ClientError(ErrorCode.closed, 'not connected to the host'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new ClientError(ErrorCode.timeout, `${method} did not answer within ${callTimeoutMs / 1000} s`));
        }, callTimeoutMs);
        pending.set(id, { resolve, reject, timer });
        send({ t: 'call', id, method, params });
      });
    },
    subscribe(stream, params, onEvent, onEnd) {
      const id = nextId++;
      subscriptions.set(id, { stream, params, onEvent, onEnd });
      send({ t: 'subscribe', id, stream, params });
      return () => {
        if (subscriptions.delete(id)) send({ t: 'unsubscribe', id });
      };
    },
    connection: () => state,
    onConnection(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
