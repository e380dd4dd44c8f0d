// What an engine is to the host: a definition the host's engine process starts with its config,
// and the handlers it then serves. Engines import only engine/api and their own folder.
import type { Caller } from './identity.ts';
import type { ProcedureName, RequestOf, ResponseOf, StreamEventOf, StreamName, StreamParamsOf } from './index.ts';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines also name the module (a DNS module, the supervisor, ...). */
  child(module: string): Logger;
}

/**
 * `caller`: the operator (or token, or desktop user) the host made the call for, e.g. for an audit
 * entry. The engine process always passes it; it is absent only where a test calls a handler itself.
 */
export type ProcedureHandlers = {
  [M in ProcedureName]?: (request: RequestOf<M>, caller?: Caller) => Promise<ResponseOf<M>> | ResponseOf<M>;
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
  /**
   * While draining (an upgrade): hands work this process can no longer finish itself to the
   * process that serves now (its Handover.takeOver), e.g. a DNS answer for a socket it closed.
   */
  passOn?: (work: unknown) => void;
  /** Which of the engine's worker processes this is, when it runs several (the DNS engine). */
  worker?: { index: number; count: number };
}

/**
 * What the supervisor needs to replace a running engine process by a new one without a gap
 * (a zero-downtime upgrade). Engines that share sockets between processes implement it.
 */
export interface Handover {
  /** Resolves once this process serves correctly: e.g. a probe query answered by its own pipeline. */
  probe(): Promise<void>;
  /** State worth carrying to the process that replaces this one (e.g. the DNS cache). */
  exportState(): Promise<unknown>;
  importState(state: unknown): Promise<void>;
  /** Stops taking new work and finishes what is in flight, within `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  /** Finishes work a draining process passed on (EngineContext.passOn): e.g. sends its answers. */
  takeOver(work: unknown): void;
}

export interface RunningEngine {
  procedures: ProcedureHandlers;
  streams: StreamHandlers;
  handover?: Handover;
  /** Stops serving and releases every resource; the process exits after it resolves. */
  stop(): Promise<void>;
}

export interface EngineDefinition {
  readonly name: string;
  start(ctx: EngineContext): Promise<RunningEngine>;
}
