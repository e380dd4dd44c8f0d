// The DNS engine's Prometheus series on `serve`'s /metrics, copied from one merged dns.stats
// answer per scrape (engine/host/metrics.ts asks for it and leaves them out while the engine is down).
// The engine's own series are here; each module declares its own in its contract
// (engine/dns/modules/<name>/contract.ts), and they follow in the order of the chain.
import type { DnsStats } from '../api/dns.ts';
import { metricsFrom } from '../api/definition.ts';
import { moduleChain } from './chain.ts';

export const dnsMetrics = metricsFrom('dns.stats', (metric) => {
  const dns = {
    queries: metric.counter('signalbox_dns_queries_total', 'Queries received.'),
    truncated: metric.counter('signalbox_dns_truncated_total', 'UDP responses sent truncated (TC=1) because they did not fit.'),
    moduleErrors: metric.counter('signalbox_dns_module_errors_total', 'Queries answered SERVFAIL because a module failed.', ['module']),
  };
  const modules = moduleChain.flatMap((module) => (module.metrics ? [module.metrics(metric) as (stats: DnsStats) => void] : []));
  return (stats) => {
    dns.queries.set(stats.queries);
    dns.truncated.set(stats.truncated);
    for (const [module, count] of Object.entries(stats.moduleErrors)) dns.moduleErrors.set(count, { module });
    for (const update of modules) update(stats);
  };
});
