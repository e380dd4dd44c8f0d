// The series an engine or a DNS module declares, behind prom-client in the host. Kept apart from
// definition.ts (which names Node types) so the browser-safe contract parts can take it.

/** What an engine's metrics get to declare series with (prom-client's, behind the host). */
export interface MetricFactory {
  counter(name: string, help: string, labelNames?: string[]): MetricSeries;
  gauge(name: string, help: string, labelNames?: string[]): MetricSeries;
}

/** One series: a counter is set to the total the engine keeps (the host resets before each scrape). */
export interface MetricSeries {
  set(value: number, labels?: Record<string, string>): void;
}
