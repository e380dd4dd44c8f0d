// How a call or a stream reaches an engine that runs several worker processes (the DNS engine's
// `workers`), declared by the engine for every procedure and stream of its namespace: the types
// below are exhaustive, so a new procedure does not compile until it says how it fans out.
import type { ProcedureName, RequestOf, ResponseOf, StreamEventOf, StreamName } from './index.ts';

export type ProcedureFanOut<M extends ProcedureName> =
  /** Any one running worker answers: what it reads is the same on every worker (its config). */
  | { to: 'one' }
  /** Every running worker is asked; their answers become one. */
  | { to: 'all'; merge: (answers: ResponseOf<M>[], request: RequestOf<M>) => ResponseOf<M> }
  /** The worker that holds it, found from the request (e.g. a query-log number: seq % workers). */
  | { to: 'bySeq'; worker: (request: RequestOf<M>, workers: number) => number };

export type StreamFanOut<S extends StreamName> =
  /** Subscribed on every worker; events pass on as they come. */
  | { to: 'all' }
  /** Subscribed on every worker; events with the same key (a second) become one once all workers sent theirs. */
  | { to: 'all'; keyOf: (event: StreamEventOf<S>) => number; merge: (events: StreamEventOf<S>[]) => StreamEventOf<S> };

type In<Name extends string, Namespace extends string> = Name extends `${Namespace}.${string}` ? Name : never;

/** The fan-out of every procedure and stream of `Namespace`. */
export interface FanOutRules<Namespace extends string> {
  procedures: { [M in In<ProcedureName, Namespace>]: ProcedureFanOut<M> };
  streams: { [S in In<StreamName, Namespace>]: StreamFanOut<S> };
}
