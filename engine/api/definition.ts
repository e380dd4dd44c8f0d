// Everything the host needs to know about one engine, declared by the engine in
// engine/<name>/definition.ts and collected in engine/host/registry.ts: how its process starts,
// whether its processes share sockets, how calls fan out over its workers and which Prometheus
// series it exports. The host holds no engine's details of its own.
import type { EngineDefinition } from './engine.ts';
import type { FanOutRules } from './fan-out.ts';
import type { EngineName } from './host.ts';
import type { ProcedureName, ResponseOf } from './index.ts';

/** What an engine's metrics get to declare series with (prom-client's, behind the host). */
export interface MetricFactory {
  counter(name: string, help: string, labelNames?: string[]): MetricSeries;
  gauge(name: string, help: string, labelNames?: string[]): MetricSeries;
}

/** One series: a counter is set to the total the engine keeps (the host resets before each scrape). */
export interface MetricSeries {
  set(value: number, labels?: Record<string, string>): void;
}

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
}

/** Ties a metrics declaration to its procedure's answer type. */
export function metricsFrom<M extends ProcedureName>(source: M, declare: EngineMetrics<M>['declare']): EngineMetrics {
  return { source, declare } as unknown as EngineMetrics;
}
