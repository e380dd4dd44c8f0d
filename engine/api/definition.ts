// Everything the host needs to know about one engine, declared by the engine in
// engine/<name>/definition.ts and collected in engine/host/registry.ts: how its process starts,
// whether its processes share sockets, how calls fan out over its workers, which Prometheus
// series it exports and its own command line. The host holds no engine's details of its own.
import type { EngineDefinition, Logger } from './engine.ts';
import type { FanOutRules } from './fan-out.ts';
import type { EngineError, EngineName, EngineUpgrade } from './host.ts';
import type { ProcedureName, ResponseOf } from './index.ts';
import type { MetricFactory } from './metric-factory.ts';

/** Series read from one procedure's answer at every scrape (left out while the engine does not answer). */
export interface EngineMetrics<M extends ProcedureName = ProcedureName> {
  source: M;
  declare(metric: MetricFactory): (answer: ResponseOf<M>) => void;
}

export interface EngineParts<Name extends EngineName = EngineName> {
  name: Name;
  /** The code the engine process runs; loaded only there, so the host stays small. */
  load(): Promise<EngineDefinition>;
  /** Node flags its processes start with; `processes`: how many serve the engine, sharing this machine's cores. */
  nodeFlags?(processes: number): string[];
  /** Its processes share listening sockets (workers, zero-downtime upgrades). */
  sharesSockets?: boolean;
  /** Required of engines that run several workers: how each procedure and stream reaches them. */
  fanOut?: FanOutRules<Name>;
  metrics?: EngineMetrics;
  /** Its own `signalbox <command>` (the engine alone, without the console). */
  command?: EngineCommand;
}

/** `signalbox <name> ...`: its lines in `signalbox --help`, and the code, loaded only when it runs. */
export interface EngineCommand {
  name: string;
  usage: string;
  load(): Promise<(args: string[], host: CommandHost) => Promise<void>>;
}

/**
 * What the host's command line lends an engine's command. Errors from `usageError` are the
 * user's (exit 2, the message printed as is); anything else thrown exits 1.
 */
export interface CommandHost {
  /** --config read and checked (or the built-in defaults): the engine's section, the data folder, a logger at the file's level. */
  readConfig(file: string | undefined): Promise<{ section: Record<string, unknown>; dataDir: string; log: Logger }>;
  usageError(message: string): Error;
  /** A file named by an option, or a usage error `command: --flag FILE: cannot read it (no such file)[; hint]`. */
  readFile(file: string, flag: string, hint?: string): Buffer;
  /** On SIGINT or SIGTERM (the first one only): close, then exit 0, or 1 when closing fails. */
  stopOnSignals(log: Logger, message: string, close: () => Promise<unknown>): void;
  /** Runs the engine in the host's supervised processes (workers on shared sockets where it has them). */
  supervise(section: unknown, dataDir: string, log: Logger): Promise<SupervisedEngine | { started: false; failure: EngineError | null }>;
}

export interface SupervisedEngine {
  started: true;
  setConfig(section: unknown): void;
  /** New processes from the code on disk take over from the running ones (zero downtime where sockets are shared). */
  upgrade(): Promise<EngineUpgrade>;
  stop(): Promise<void>;
}

/** Ties a metrics declaration to its procedure's answer type. */
export function metricsFrom<M extends ProcedureName>(source: M, declare: EngineMetrics<M>['declare']): EngineMetrics {
  return { source, declare } as unknown as EngineMetrics;
}
