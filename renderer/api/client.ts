// The console's one way to the engines. It is typed from the contract in engine/api and does not
// know which transport carries it: the Electron preload bridge or the WebSocket of `serve`.
import type { ApiErrorShape, ProcedureName, RequestOf, ResponseOf, StreamEventOf, StreamName, StreamParamsOf } from '../../engine/api/index.ts';

export type ConnectionState = { status: 'connecting' } | { status: 'open' } | { status: 'closed'; retryAt: number | null; reason: string };

export class ClientError extends Error implements ApiErrorShape {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ClientError';
    this.code = code;
  }
}

export interface ApiTransport {
  readonly kind: 'bridge' | 'websocket';
  call(method: string, params: unknown): Promise<unknown>;
  subscribe(stream: string, params: unknown, onEvent: (data: unknown) => void, onEnd: (error?: ClientError) => void): () => void;
  connection(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

export class ApiClient {
  private readonly transport: ApiTransport;

  constructor(transport: ApiTransport) {
    this.transport = transport;
  }

  get kind(): ApiTransport['kind'] {
    return this.transport.kind;
  }

  call<M extends ProcedureName>(method: M, params: RequestOf<M>): Promise<ResponseOf<M>> {
    return this.transport.call(method, params) as Promise<ResponseOf<M>>;
  }

  subscribe<S extends StreamName>(
    stream: S,
    params: StreamParamsOf<S>,
    onEvent: (event: StreamEventOf<S>) => void,
    onEnd: (error?: ClientError) => void = () => {},
  ): () => void {
    return this.transport.subscribe(stream, params, onEvent as (data: unknown) => void, onEnd);
  }

  connection(): ConnectionState {
    return this.transport.connection();
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    return this.transport.onConnection(listener);
  }
}
