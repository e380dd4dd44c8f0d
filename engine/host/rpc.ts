// RPC over any transport. The server side validates every incoming message against the envelope
// and the contract before a handler sees it; the client side matches answers to calls.
import { z } from 'zod';
import { toApiError } from '../api/error-codes.ts';
import { ApiError, ErrorCode } from '../api/errors.ts';
import { hasRole, type Caller, type Role } from '../api/identity.ts';
import { isProcedureName, isStreamName, procedures, streams } from '../api/index.ts';
import { clientMessage, serverMessage, type ServerMessage } from '../api/messages.ts';
import { plainIssue } from './issue-text.ts';

/** A message pipe: child-process channel, WebSocket or Electron IPC. Messages are plain objects. */
export interface Transport {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

/**
 * What serves calls and subscriptions once they have been validated. `caller` is who asks, as the
 * transport vouches for it (serveRpc's `caller`): use it to name the operator in an audit entry.
 */
export interface RpcHandler {
  call(method: string, params: unknown, caller: Caller): Promise<unknown>;
  /** Returns the function that ends the subscription. `end` is called when the source ends it. */
  subscribe(stream: string, params: unknown, emit: (data: unknown) => void, end: (error?: ApiError) => void, caller: Caller): () => void;
}

export interface ServeRpcOptions {
  /**
   * Who is at the other end of this transport: the signed-in operator, a token, the desktop user.
   * A function is asked at each call and subscription, so a role changed meanwhile applies at once
   * (it throws, e.g. E_UNAUTHENTICATED, when the operator is gone).
   */
  caller: Caller | (() => Caller);
  /**
   * The host's channel to an engine process only: a call may carry the operator it is made for
   * (`caller` in the envelope, set by RpcClient.call), which then replaces `caller`.
   */
  acceptForwardedCaller?: boolean;
}

/** Validates params against the contract; the error names the procedure and each bad field. */
export function validateParams(kind: 'call' | 'subscribe', name: string, params: unknown): unknown {
  const known = kind === 'call' ? isProcedureName(name) : isStreamName(name);
  if (!known) throw new ApiError(ErrorCode.unknownMethod, `no ${kind === 'call' ? 'procedure' : 'stream'} named "${name}"`);
  const schema: z.ZodType = kind === 'call' ? procedures[name as keyof typeof procedures].request : streams[name as keyof typeof streams].params;
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) throw new ApiError(ErrorCode.invalidParams, `${name}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The least role a procedure or stream needs, as the contract declares it next to it. */
export function requiredRole(kind: 'call' | 'subscribe', name: string): Role {
  return kind === 'call' ? procedures[name as keyof typeof procedures].role : streams[name as keyof typeof streams].role;
}

/**
 * Refuses a caller whose role is below what the contract declares, with E_FORBIDDEN naming the role
 * needed. Every transport runs it before validateParams, so a refused caller learns nothing of the
 * params; an unknown name is left to validateParams (E_UNKNOWN_METHOD).
 */
export function authorize(kind: 'call' | 'subscribe', name: string, caller: Caller): void {
  if (kind === 'call' ? !isProcedureName(name) : !isStreamName(name)) return;
  const needed = requiredRole(kind, name);
  if (hasRole(caller, needed)) return;
  throw new ApiError(
    ErrorCode.forbidden,
    `${name} needs the ${needed} role; ${caller.name} has the ${caller.role} role — an admin can change it (signalbox operators set-role)`,
  );
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(params)'}: ${plainIssue(issue)}`).join('; ');
}

/** Serves `handler` on `transport` until the transport closes; ends every subscription then. */
export function serveRpc(transport: Transport, handler: RpcHandler, options: ServeRpcOptions): void {
  const current = () => (typeof options.caller === 'function' ? options.caller() : options.caller);
  const callerOf = (message: { caller?: Caller | undefined }) => (options.acceptForwardedCaller && message.caller) || current();
  const subscriptions = new Map<number, () => void>();
  const send = (message: ServerMessage) => transport.send(message);

  transport.onMessage((raw) => {
    const parsed = clientMessage.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : 0;
      send({ t: 'error', id, error: { code: ErrorCode.badMessage, message: describeIssues(parsed.error) } });
      return;
    }
    const message = parsed.data;
    if (message.t === 'call') {
      Promise.resolve()
        .then(() => {
          const caller = callerOf(message);
          authorize('call', message.method, caller);
          return handler.call(message.method, validateParams('call', message.method, message.params), caller);
        })
        .then(
          (result) => send({ t: 'result', id: message.id, result }),
          (err: unknown) => send({ t: 'error', id: message.id, error: toApiError(err).toJSON() }),
        );
    } else if (message.t === 'subscribe') {
      if (subscriptions.has(message.id)) {
        send({ t: 'end', id: message.id, error: { code: ErrorCode.badMessage, message: `subscription ${message.id} exists` } });
        return;
      }
      try {
        const caller = current();
        authorize('subscribe', message.stream, caller);
        const params = validateParams('subscribe', message.stream, message.params);
        const stop = handler.subscribe(
          message.stream,
          params,
          (data) => send({ t: 'event', id: message.id, data }),
          (error) => {
            subscriptions.delete(message.id);
            send({ t: 'end', id: message.id, error: error?.toJSON() });
          },
          caller,
        );
        subscriptions.set(message.id, stop);
      } catch (err) {
        send({ t: 'end', id: message.id, error: toApiError(err).toJSON() });
      }
    } else {
      subscriptions.get(message.id)?.();
      subscriptions.delete(message.id);
    }
  });

  transport.onClose(() => {
    for (const stop of subscriptions.values()) stop();
    subscriptions.clear();
  });
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: ApiError): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Subscription {
  onEvent(data: unknown): void;
  onEnd(error?: ApiError): void;
}

export interface RpcClient {
  /** `caller`: the operator the call is made for, carried to an engine process (see acceptForwardedCaller). */
  call(method: string, params: unknown, timeoutMs?: number, caller?: Caller): Promise<unknown>;
  subscribe(stream: string, params: unknown, onEvent: (data: unknown) => void, onEnd?: (error?: ApiError) => void): () => void;
  /** Rejects pending calls and ends subscriptions with E_CLOSED. */
  close(): void;
}

export function createRpcClient(transport: Transport, defaultTimeoutMs = 30_000): RpcClient {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, PendingCall>();
  const subscriptions = new Map<number, Subscription>();

  transport.onMessage((raw) => {
    const parsed = serverMessage.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.t === 'result' || message.t === 'error') {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.t === 'result') call.resolve(message.result);
      else call.reject(new ApiError(message.error.code, message.error.message));
    } else if (message.t === 'event') {
      subscriptions.get(message.id)?.onEvent(message.data);
    } else {
      const sub = subscriptions.get(message.id);
      subscriptions.delete(message.id);
      sub?.onEnd(message.error ? new ApiError(message.error.code, message.error.message) : undefined);
    }
  });

  const shutDown = () => {
    if (closed) return;
    closed = true;
    const error = new ApiError(ErrorCode.closed, 'the connection closed');
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    pending.clear();
    for (const sub of subscriptions.values()) sub.onEnd(error);
    subscriptions.clear();
  };
  transport.onClose(shutDown);

  return {
    call(method, params, timeoutMs = defaultTimeoutMs, caller) {
      if (closed) return Promise.reject(new ApiError(ErrorCode.closed, 'the connection is closed'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new ApiError(ErrorCode.timeout, `${method} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        transport.send(caller ? { t: 'call', id, method, params, caller } : { t: 'call', id, method, params });
      });
    },
    subscribe(stream, params, onEvent, onEnd = () => {}) {
      if (closed) {
        onEnd(new ApiError(ErrorCode.closed, 'the connection is closed'));
        return () => {};
      }
      const id = nextId++;
      subscriptions.set(id, { onEvent, onEnd });
      transport.send({ t: 'subscribe', id, stream, params });
      return () => {
        if (subscriptions.delete(id) && !closed) transport.send({ t: 'unsubscribe', id });
      };
    },
    close() {
      shutDown();
      transport.close();
    },
  };
}
