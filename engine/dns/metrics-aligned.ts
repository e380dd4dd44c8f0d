// The DNS engine's counters again under the names and labels CoreDNS's and dnsdist's Grafana
// dashboards query, where the meaning is the same (the table in README.md, "Metrics"): our own
// signalbox_dns_* series stay as they are, these are added next to them. Only what we count the
// same way is here; what would need a different count (CoreDNS's cache hits split into success
// and denial, its latency histograms, dnsdist's per-frontend counters) is left out, not faked.
import type { MetricFactory } from '../api/metric-factory.ts';
import type { DnsStats } from '../api/dns.ts';

/** CoreDNS's server/zone/view labels: one server block serving the root zone, no view. */
const coreDnsBlock = { server: '', zone: '.', view: '' };
/** The cache plugin names its zone label `zones`. */
const coreDnsCacheBlock = { server: '', zones: '.', view: '' };

export function alignedMetrics(metric: MetricFactory): (stats: DnsStats) => void {
  const coredns = {
    requests: metric.counter('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family (as CoreDNS).', [
      'server',
      'zone',
      'view',
      'proto',
      'family',
      'type',
    ]),
    responses: metric.counter('coredns_dns_responses_total', 'Counter of response status codes (as CoreDNS).', ['server', 'zone', 'view', 'rcode', 'plugin']),
    cacheHits: metric.counter('coredns_cache_hits_total', 'The count of cache hits (as CoreDNS, without its success/denial split).', [
      'server',
      'zones',
      'view',
    ]),
    cacheMisses: metric.counter('coredns_cache_misses_total', 'The count of cache misses (as CoreDNS).', ['server', 'zones', 'view']),
    cacheRequests: metric.counter('coredns_cache_requests_total', 'The count of cache requests (as CoreDNS).', ['server', 'zones', 'view']),
    cacheServedStale: metric.counter('coredns_cache_served_stale_total', 'The number of requests served from stale cache entries (as CoreDNS).', [
      'server',
      'zones',
      'view',
    ]),
    cacheEntries: metric.gauge('coredns_cache_entries', 'The number of elements in the cache (as CoreDNS, without its success/denial split).', [
      'server',
      'zones',
      'view',
    ]),
  };
  const dnsdist = {
    queries: metric.counter('dnsdist_queries', 'Number of received queries (as dnsdist).'),
    responses: metric.counter('dnsdist_responses', 'Number of responses received from backends (as dnsdist).'),
    cacheHits: metric.counter('dnsdist_cache_hits', 'Number of times an answer was retrieved from cache, stale ones included (as dnsdist).'),
    cacheMisses: metric.counter('dnsdist_cache_misses', 'Number of times an answer not found in the cache (as dnsdist).'),
    noerror: metric.counter('dnsdist_frontend_noerror', 'Number of NoError answers sent to clients (as dnsdist).'),
    nxdomain: metric.counter('dnsdist_frontend_nxdomain', 'Number of NXDomain answers sent to clients (as dnsdist).'),
    servfail: metric.counter('dnsdist_frontend_servfail', 'Number of SERVFAIL answers sent to clients (as dnsdist).'),
    timeouts: metric.counter('dnsdist_downstream_timeouts', 'Number of queries not answered in time by a backend (as dnsdist).'),
    noncompliant: metric.counter(
      'dnsdist_noncompliant_queries',
      'Number of queries dropped as non-compliant: responses (QR=1) and packets shorter than a header (as dnsdist).',
    ),
    serverStatus: metric.gauge('dnsdist_server_status', 'Whether this backend is up (1) or down (0) (as dnsdist).', ['server', 'address']),
    serverQueries: metric.counter('dnsdist_server_queries', 'Amount of queries relayed to server (as dnsdist).', ['server', 'address']),
    serverResponses: metric.counter('dnsdist_server_responses', 'Amount of responses received from this server (as dnsdist).', ['server', 'address']),
    serverDrops: metric.counter('dnsdist_server_drops', 'Amount of queries not answered by server (as dnsdist).', ['server', 'address']),
    serverOutstanding: metric.gauge('dnsdist_server_outstanding', 'Current number of queries that are waiting for a backend response (as dnsdist).', [
      'server',
      'address',
    ]),
    serverLatency: metric.gauge('dnsdist_server_latency', "Server's latency when answering questions in milliseconds (as dnsdist).", ['server', 'address']),
    serverWeight: metric.gauge('dnsdist_server_weight', 'The weight within the order in which this server is picked (as dnsdist).', ['server', 'address']),
  };
  return (stats) => {
    for (const [key, count] of Object.entries(stats.requests)) {
      const [transport, family, type] = key.split('/') as [string, string, string];
      // CoreDNS's proto is the transport under DNS: DoT and DoH run over TCP. Family 1 is IPv4, 2 IPv6.
      coredns.requests.set(count, { ...coreDnsBlock, proto: transport === 'udp' ? 'udp' : 'tcp', family: family === '6' ? '2' : '1', type });
    }
    for (const [rcode, count] of Object.entries(stats.rcodes)) coredns.responses.set(count, { ...coreDnsBlock, rcode, plugin: '' });
    dnsdist.queries.set(stats.queries);
    dnsdist.noerror.set(stats.rcodes.NOERROR ?? 0);
    dnsdist.nxdomain.set(stats.rcodes.NXDOMAIN ?? 0);
    dnsdist.servfail.set(stats.rcodes.SERVFAIL ?? 0);
    dnsdist.noncompliant.set(stats.dropped.response + stats.dropped.short);
    if (stats.cache) {
      const { hits, misses, stale, entries } = stats.cache;
      coredns.cacheHits.set(hits, coreDnsCacheBlock);
      coredns.cacheMisses.set(misses, coreDnsCacheBlock);
      coredns.cacheRequests.set(hits + misses + stale, coreDnsCacheBlock);
      coredns.cacheServedStale.set(stale, coreDnsCacheBlock);
      coredns.cacheEntries.set(entries, coreDnsCacheBlock);
      dnsdist.cacheHits.set(hits + stale);
      dnsdist.cacheMisses.set(misses);
    }
    let responses = 0;
    let timeouts = 0;
    for (const upstream of stats.upstreams) {
      responses += upstream.answered;
      timeouts += upstream.timeouts;
      // dnsdist names a backend and gives its address; ours have only the address.
      const labels = { server: upstream.address, address: upstream.address };
      dnsdist.serverStatus.set(upstream.healthy ? 1 : 0, labels);
      dnsdist.serverQueries.set(upstream.sent, labels);
      dnsdist.serverResponses.set(upstream.answered, labels);
      dnsdist.serverDrops.set(upstream.timeouts, labels);
      dnsdist.serverOutstanding.set(upstream.outstanding, labels);
      dnsdist.serverWeight.set(upstream.weight, labels);
      if (upstream.latencyMs !== null) dnsdist.serverLatency.set(upstream.latencyMs, labels);
    }
    dnsdist.responses.set(responses);
    dnsdist.timeouts.set(timeouts);
  };
}
