// What an engine is to the host: a definition the host's engine process starts with its config,
// and the handlers it then serves. Engines import only engine/api and their own folder.
import type {
  ProcedureName,
  RequestOf,
  ResponseOf,
  StreamEventOf,
  StreamName,
  StreamParamsOf,
} from './index.ts';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines also name the module (a DNS module, the supervisor, ...). */
  child(module: string): Logger;
}

export type ProcedureHandlers = {
  [M in ProcedureName]?: (request: RequestOf<M>) => Promise<ResponseOf<M>> | ResponseOf<M>;
};

/** Starts pushing events to `emit`; returns the function that stops it. */
export type StreamHandlers = {
  [S in StreamName]?: (params: StreamParamsOf<S>, emit: (event: StreamEventOf<S>) => void) => () => void;
};

export interface EngineContext {
  /** This engine's section of the config file, already validated. */
  config: unknown;
  dataDir: string;
  log: Logger;
}

export interface RunningEngine {
  procedures: ProcedureHandlers;
  streams: StreamHandlers;
  /** Stops serving and releases every resource; the process exits after it resolves. */
  stop(): Promise<void>;
}

export interface EngineDefinition {
  readonly name: string;
  start(ctx: EngineContext): Promise<RunningEngine>;
}
