// The DNS engine's Prometheus series on `serve`'s /metrics, copied from one merged dns.stats
// answer per scrape (engine/host/metrics.ts asks for it and leaves them out while the engine is down).
// The engine's own series are here; each module declares its own in its contract
// (engine/dns/modules/<name>/contract.ts), and they follow in the order of the chain.
import type { DnsStats } from '../api/dns.ts';
import { metricsFrom } from '../api/definition.ts';
import { moduleChain } from './chain.ts';
import { alignedMetrics } from './metrics-aligned.ts';
import { dnstapMetrics } from './modules/dnstap/metrics.ts';

export const dnsMetrics = metricsFrom('dns.stats', (metric) => {
  const dns = {
    queries: metric.counter('signalbox_dns_queries_total', 'Queries received.'),
    truncated: metric.counter('signalbox_dns_truncated_total', 'UDP responses sent truncated (TC=1) because they did not fit.'),
    dropped: metric.counter(
      'signalbox_dns_dropped_total',
      'Datagrams not answered at all, by reason: response (QR=1, never ours to answer), short (shorter than a header).',
      ['reason'],
    ),
    connections: metric.counter('signalbox_dns_connections_accepted_total', 'Connections accepted, by stream transport (tcp, tls: DoT, https: DoH).', [
      'transport',
    ]),
    connectionsOpen: metric.gauge('signalbox_dns_connections_open', 'Connections open now, by stream transport.', ['transport']),
    connectionsRefused: metric.counter(
      'signalbox_dns_connections_refused_total',
      'Connections closed at once because tcp.maxConnections were open, by stream transport.',
      ['transport'],
    ),
    connectionsIdleClosed: metric.counter(
      'signalbox_dns_connections_idle_closed_total',
      'Connections closed after tcp.idleTimeoutMs without a query, by stream transport.',
      ['transport'],
    ),
    moduleErrors: metric.counter('signalbox_dns_module_errors_total', 'Queries answered SERVFAIL because a module failed.', ['module']),
  };
  const modules = moduleChain.flatMap((module) => (module.metrics ? [module.metrics(metric) as (stats: DnsStats) => void] : []));
  const dnstap = dnstapMetrics(metric);
  const aligned = alignedMetrics(metric);
  return (stats) => {
    dnstap(stats.dnstap);
    aligned(stats);
    dns.queries.set(stats.queries);
    dns.truncated.set(stats.truncated);
    for (const [reason, count] of Object.entries(stats.dropped)) dns.dropped.set(count, { reason });
    for (const transport of ['tcp', 'tls', 'https'] as const) {
      dns.connections.set(stats.connections[transport], { transport });
      dns.connectionsOpen.set(stats.connectionsOpen[transport], { transport });
      dns.connectionsRefused.set(stats.connectionsRefused[transport], { transport });
      dns.connectionsIdleClosed.set(stats.connectionsIdleClosed[transport], { transport });
    }
    for (const [module, count] of Object.entries(stats.moduleErrors)) dns.moduleErrors.set(count, { module });
    for (const update of modules) update(stats);
  };
});
