// The DNS engine's Prometheus series on `serve`'s /metrics, copied from one merged dns.stats
// answer per scrape (engine/host/metrics.ts asks for it and leaves them out while the engine is down).
import { metricsFrom } from '../api/definition.ts';
import { alignedMetrics } from './metrics-aligned.ts';
import { dnstapMetrics } from './modules/dnstap/metrics.ts';

export const dnsMetrics = metricsFrom('dns.stats', (metric) => {
  const dns = {
    queries: metric.counter('signalbox_dns_queries_total', 'Queries received.'),
    responses: metric.counter('signalbox_dns_responses_total', 'Responses sent, by rcode.', ['rcode']),
    truncated: metric.counter('signalbox_dns_truncated_total', 'UDP responses sent truncated (TC=1) because they did not fit.'),
    dropped: metric.counter('signalbox_dns_dropped_total', 'Datagrams not answered at all, by reason: response (QR=1, never ours to answer), short (shorter than a header).', ['reason']),
    connections: metric.counter('signalbox_dns_connections_accepted_total', 'Connections accepted, by stream transport (tcp, tls: DoT, https: DoH).', ['transport']),
    connectionsOpen: metric.gauge('signalbox_dns_connections_open', 'Connections open now, by stream transport.', ['transport']),
    connectionsRefused: metric.counter('signalbox_dns_connections_refused_total', 'Connections closed at once because tcp.maxConnections were open, by stream transport.', ['transport']),
    connectionsIdleClosed: metric.counter('signalbox_dns_connections_idle_closed_total', 'Connections closed after tcp.idleTimeoutMs without a query, by stream transport.', ['transport']),
    moduleErrors: metric.counter('signalbox_dns_module_errors_total', 'Queries answered SERVFAIL because a module failed.', ['module']),
    flattened: metric.counter('signalbox_dns_flattened_total', 'Answers whose CNAME chain was flattened.'),
    cacheLookups: metric.counter('signalbox_dns_cache_lookups_total', 'Cache lookups by result.', ['result']),
    cachePrefetches: metric.counter('signalbox_dns_cache_prefetches_total', 'Background refreshes of popular entries before they expired, by result.', ['result']),
    cacheEntries: metric.gauge('signalbox_dns_cache_entries', 'Entries in the cache.'),
    cacheBytes: metric.gauge('signalbox_dns_cache_bytes', 'Bytes of answers in the cache.'),
    rrlActions: metric.counter('signalbox_dns_rrl_actions_total', 'Responses rate-limited, by action.', ['action']),
    rrlWouldLimit: metric.counter('signalbox_dns_rrl_would_limit_total', 'Responses that would have been limited (log-only mode).'),
    rrlAccounts: metric.gauge('signalbox_dns_rrl_accounts', 'Rate-limit accounts held.'),
    upstreamHealthy: metric.gauge('signalbox_dns_upstream_healthy', 'Whether the upstream is considered healthy.', ['upstream']),
    upstreamEnabled: metric.gauge('signalbox_dns_upstream_enabled', 'Whether the upstream is in rotation.', ['upstream']),
    upstreamSent: metric.counter('signalbox_dns_upstream_queries_total', 'Queries sent to the upstream (probes included).', ['upstream']),
    upstreamAnswered: metric.counter('signalbox_dns_upstream_answers_total', 'Answers received from the upstream.', ['upstream']),
    upstreamTimeouts: metric.counter('signalbox_dns_upstream_timeouts_total', 'Queries the upstream did not answer in time.', ['upstream']),
    upstreamOutstanding: metric.gauge('signalbox_dns_upstream_outstanding', 'Queries waiting for the upstream now.', ['upstream']),
    upstreamLatency: metric.gauge('signalbox_dns_upstream_latency_seconds', 'Smoothed answer latency of the upstream.', ['upstream']),
  };
  const dnstap = dnstapMetrics(metric);
  const aligned = alignedMetrics(metric);
  return (stats) => {
    dnstap(stats.dnstap);
    aligned(stats);
    dns.queries.set(stats.queries);
    for (const [rcode, count] of Object.entries(stats.rcodes)) dns.responses.set(count, { rcode });
    dns.truncated.set(stats.truncated);
    for (const [reason, count] of Object.entries(stats.dropped)) dns.dropped.set(count, { reason });
    for (const transport of ['tcp', 'tls', 'https'] as const) {
      dns.connections.set(stats.connections[transport], { transport });
      dns.connectionsOpen.set(stats.connectionsOpen[transport], { transport });
      dns.connectionsRefused.set(stats.connectionsRefused[transport], { transport });
      dns.connectionsIdleClosed.set(stats.connectionsIdleClosed[transport], { transport });
    }
    for (const [module, count] of Object.entries(stats.moduleErrors)) dns.moduleErrors.set(count, { module });
    dns.flattened.set(stats.flattened);
    if (stats.cache) {
      dns.cacheLookups.set(stats.cache.hits, { result: 'hit' });
      dns.cacheLookups.set(stats.cache.misses, { result: 'miss' });
      dns.cacheLookups.set(stats.cache.stale, { result: 'stale' });
      dns.cachePrefetches.set(stats.cache.prefetched - stats.cache.prefetchFailed, { result: 'ok' });
      dns.cachePrefetches.set(stats.cache.prefetchFailed, { result: 'failed' });
      dns.cacheEntries.set(stats.cache.entries);
      dns.cacheBytes.set(stats.cache.bytes);
    }
    if (stats.rrl) {
      dns.rrlActions.set(stats.rrl.slipped, { action: 'slip' });
      dns.rrlActions.set(stats.rrl.dropped, { action: 'drop' });
      dns.rrlWouldLimit.set(stats.rrl.wouldLimit);
      dns.rrlAccounts.set(stats.rrl.accounts);
    }
    for (const upstream of stats.upstreams) {
      const labels = { upstream: upstream.address };
      dns.upstreamHealthy.set(upstream.healthy ? 1 : 0, labels);
      dns.upstreamEnabled.set(upstream.enabled ? 1 : 0, labels);
      dns.upstreamSent.set(upstream.sent, labels);
      dns.upstreamAnswered.set(upstream.answered, labels);
      dns.upstreamTimeouts.set(upstream.timeouts, labels);
      dns.upstreamOutstanding.set(upstream.outstanding, labels);
      if (upstream.latencyMs !== null) dns.upstreamLatency.set(upstream.latencyMs / 1000, labels);
    }
  };
});
