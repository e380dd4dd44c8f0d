// Prometheus text for `serve`'s /metrics: the engines' state from the supervisor and the series
// each engine declares (engine/<name>/metrics.ts). Engine counters live in the engine processes,
// so each scrape asks for one fresh snapshot and copies it into prom-client's registry; scrapes run
// one at a time.
import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricSeries } from '../api/metric-factory.ts';
import type { Host } from './host.ts';
import { engineParts } from './registry.ts';
import type { SendBudget } from './transports/send-queue.ts';

type Labels = Record<string, string>;

export interface Metrics {
  readonly contentType: string;
  render(): Promise<string>;
}

/** `api`: what `serve`'s API connections hold, when the host serves them. */
export function createMetrics(host: Host, api?: SendBudget): Metrics {
  // A registry per engine: an engine's series are left out entirely while it is down, rather than
  // showing zeros a scraper would take for a counter reset.
  const hostRegistry = new Registry();
  const on = (registry: Registry) => ({
    gauge: (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] }),
    counter: (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] }),
  });
  const hostMetric = on(hostRegistry);

  const engine = {
    up: hostMetric.gauge('signalbox_engine_up', 'Whether the engine process is running (1) or not (0).', ['engine']),
    restarts: hostMetric.counter('signalbox_engine_restarts_total', 'Engine process restarts since the host started.', ['engine']),
    rss: hostMetric.gauge('signalbox_engine_resident_memory_bytes', 'Resident memory of the engine process.', ['engine']),
  };
  const apiSeries = api && {
    connections: hostMetric.gauge('signalbox_api_connections', 'Open API (WebSocket) connections.'),
    unread: hostMetric.gauge('signalbox_api_unread_bytes', 'Bytes of answers and events the API clients have not read yet, all connections together.'),
    slowClosed: hostMetric.counter('signalbox_api_slow_closed_total', 'API connections closed because their client did not read (1008, 1013).'),
  };
  /** A counter set to a total kept in the engine (the registry was reset before this scrape). */
  const setCounter = (metric: Counter, value: number, labels?: Labels) => (labels ? metric.inc(labels, value) : metric.inc(value));

  // Each engine that exports series declares them (engine/<name>/metrics.ts) on a registry of its own.
  const engineSeries = Object.values(engineParts).flatMap((parts) => {
    if (!parts?.metrics) return [];
    const registry = new Registry();
    const declare =
      (kind: 'counter' | 'gauge') =>
      (name: string, help: string, labelNames: string[] = []): MetricSeries => {
        if (kind === 'gauge') {
          const gauge = new Gauge({ name, help, labelNames, registers: [registry] });
          return { set: (value, labels) => (labels ? gauge.set(labels, value) : gauge.set(value)) };
        }
        const counter = new Counter({ name, help, labelNames, registers: [registry] });
        return { set: (value, labels) => setCounter(counter, value, labels) };
      };
    const copy = parts.metrics.declare({ counter: declare('counter'), gauge: declare('gauge') }) as (answer: unknown) => void;
    return [{ name: parts.name, source: parts.metrics.source, registry, copy }];
  });

  async function scrape(): Promise<string> {
    // Series of a stopped engine or a removed upstream must disappear, not freeze.
    hostRegistry.resetMetrics();
    for (const series of engineSeries) series.registry.resetMetrics();
    const { engines } = host.supervisor.snapshot();
    for (const state of engines) {
      engine.up.set({ engine: state.name }, state.status === 'running' ? 1 : 0);
      setCounter(engine.restarts, state.restarts, { engine: state.name });
      if (state.rssBytes !== null) engine.rss.set({ engine: state.name }, state.rssBytes);
    }
    if (api && apiSeries) {
      apiSeries.connections.set(api.connections);
      apiSeries.unread.set(api.unreadBytes);
      setCounter(apiSeries.slowClosed, api.slowClosed);
    }
    const text = [await hostRegistry.metrics()];
    const running = (name: string) => engines.some((state) => state.name === name && state.status === 'running');
    // An engine that does not answer now leaves its series out of this scrape; `up` says why.
    for (const series of engineSeries) {
      if (!running(series.name)) continue;
      const answer = await host.router.call(series.source, {}).catch(() => null);
      if (answer) {
        series.copy(answer);
        text.push(await series.registry.metrics());
      }
    }
    return text.join('\n');
  }

  let queue: Promise<unknown> = Promise.resolve();
  return {
    contentType: hostRegistry.contentType,
    render() {
      const next = queue.then(scrape);
      queue = next.catch(() => {});
      return next;
    },
  };
}
